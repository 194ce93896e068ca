//! The seed report's account and the snapshot's Tokyo prices, shared by the costing tests.

use super::*;
use crate::cloud::inventory::{Bucket, Database, Instance, LoadBalancer, Volume};
use crate::cloud::pricing::{PriceDimension, Product};

pub fn d(text: &str) -> Dec {
    Dec::parse(text).unwrap()
}

/// The day the tests price on: MySQL 8.0 is past standard support.
pub fn today() -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()
}

/// The seed report's account (its ALB's scheme and zones and its DB's version unknown, as the
/// report did not say them).
pub fn seed_inventory() -> Inventory {
    Inventory {
        region: "ap-northeast-1".into(),
        instances: vec![Instance {
            id: "i-0abc".into(),
            name: None,
            instance_type: "t2.micro".into(),
            state: "running".into(),
            platform: "Linux/UNIX".into(),
            volumes: vec![Volume {
                id: "vol-1".into(),
                volume_type: "gp2".into(),
                size_gb: 30,
            }],
            public_ipv4: vec!["54.1.2.3".into()],
        }],
        databases: vec![Database {
            id: "db".into(),
            class: "db.t3.micro".into(),
            engine: "mysql".into(),
            multi_az: false,
            storage_type: "gp2".into(),
            storage_gb: 20,
            status: "available".into(),
            engine_version: String::new(),
        }],
        load_balancers: vec![LoadBalancer {
            name: "alb".into(),
            arn: "arn".into(),
            dns_name: "alb.example".into(),
            kind: "application".into(),
            state: "active".into(),
            scheme: String::new(),
            availability_zones: Vec::new(),
        }],
        buckets: vec![Bucket {
            name: "b".into(),
            region: "ap-northeast-1".into(),
        }],
        ..Inventory::default()
    }
}

pub fn assumptions() -> Assumptions {
    Assumptions {
        hours_per_month: d("730"),
        s3_gb: d("10"),
        alb_processed_gb: d("10"),
    }
}

pub fn product(usd: &str, unit: &str) -> Product {
    Product {
        sku: format!("SKU-{usd}"),
        service_code: String::new(),
        product_family: String::new(),
        attributes: Default::default(),
        dimensions: vec![PriceDimension {
            description: String::new(),
            unit: unit.into(),
            begin_range: Dec::ZERO,
            end_range: None,
            usd: d(usd),
        }],
        published: None,
    }
}

/// The Tokyo prices of the snapshot, by line.
pub fn priced_seed_lines() -> Vec<Line> {
    let mut lines = lines(&seed_inventory(), &assumptions(), today());
    let prices = [
        "0.0152", "0.12", "0.005", "0.026", "0.138", "0.0243", "0.008", "0.025",
    ];
    assert_eq!(lines.len(), prices.len());
    for (line, usd) in lines.iter_mut().zip(prices) {
        let unit = line.unit.clone();
        price_line(
            line,
            vec![product(usd, &unit)],
            PriceSource::Snapshot,
            &|_| false,
        );
    }
    lines
}
