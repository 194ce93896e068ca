//! The embedded price snapshot (`data/price-snapshot.json`): what lecture06 prices with when the
//! Price List API cannot be reached or is not allowed, and what the sandbox's Price List answers
//! with. It says its date and source, and which prices are unconfirmed; the estimate repeats that
//! wherever a snapshot price is used. Its products are Price List documents, read by the same
//! parser as the API's.

use super::pricing::{PriceQuery, Product};
use serde::Deserialize;
use std::sync::OnceLock;

const TEXT: &str = include_str!("../../data/price-snapshot.json");

#[derive(Debug)]
pub struct Snapshot {
    pub date: String,
    pub region: String,
    pub source_en: String,
    pub source_ja: String,
    entries: Vec<Entry>,
}

#[derive(Debug)]
struct Entry {
    product: Product,
    confirmed: bool,
}

#[derive(Deserialize)]
struct Raw {
    date: String,
    region: String,
    source: String,
    source_ja: String,
    products: Vec<RawEntry>,
}

#[derive(Deserialize)]
struct RawEntry {
    confirmed: bool,
    price_list: serde_json::Value,
}

impl Snapshot {
    pub fn embedded() -> &'static Snapshot {
        static SNAPSHOT: OnceLock<Snapshot> = OnceLock::new();
        SNAPSHOT.get_or_init(|| Snapshot::parse(TEXT).expect("the embedded price snapshot parses"))
    }

    pub fn parse(text: &str) -> Result<Snapshot, String> {
        let raw: Raw = serde_json::from_str(text).map_err(|e| e.to_string())?;
        let entries = raw
            .products
            .into_iter()
            .map(|e| {
                Ok(Entry {
                    product: Product::from_price_list_json(&e.price_list.to_string())?,
                    confirmed: e.confirmed,
                })
            })
            .collect::<Result<Vec<_>, String>>()?;
        Ok(Snapshot {
            date: raw.date,
            region: raw.region,
            source_en: raw.source,
            source_ja: raw.source_ja,
            entries,
        })
    }

    /// The snapshot's products matching `query`, as `GetProducts` would filter them.
    pub fn products(&self, query: &PriceQuery) -> Vec<Product> {
        self.entries
            .iter()
            .filter(|e| query.matches(&e.product))
            .map(|e| e.product.clone())
            .collect()
    }

    /// Whether the snapshot's price for `sku` was seen in public sources.
    pub fn is_confirmed(&self, sku: &str) -> bool {
        self.entries
            .iter()
            .any(|e| e.product.sku == sku && e.confirmed)
    }

    pub fn source(&self, lang: crate::i18n::Lang) -> &str {
        lang.pick(&self.source_en, &self.source_ja)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decimal::Dec;

    #[test]
    fn the_embedded_snapshot_reads_and_answers_queries() {
        let s = Snapshot::embedded();
        assert_eq!(s.region, "ap-northeast-1");
        assert!(s.source_en.contains("NOT downloaded"));
        let q = PriceQuery::new(
            "AmazonEC2",
            &[
                ("regionCode", "ap-northeast-1"),
                ("instanceType", "t2.micro"),
                ("operatingSystem", "Linux"),
                ("tenancy", "Shared"),
                ("preInstalledSw", "NA"),
                ("capacitystatus", "Used"),
            ],
        );
        let found = s.products(&q);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].dimensions[0].usd, Dec::parse("0.0152").unwrap());
        assert!(s.is_confirmed(&found[0].sku));
        let rds = PriceQuery::new(
            "AmazonRDS",
            &[
                ("regionCode", "ap-northeast-1"),
                ("productFamily", "Database Instance"),
                ("instanceType", "db.t3.micro"),
            ],
        );
        let rds = s.products(&rds);
        assert_eq!(rds.len(), 1);
        let storage = PriceQuery::new(
            "AmazonRDS",
            &[
                ("regionCode", "ap-northeast-1"),
                ("productFamily", "Database Storage"),
                ("databaseEngine", "Any"),
            ],
        );
        assert_eq!(s.products(&storage).len(), 1, "RDS storage is engine Any");
        let ipv4 = PriceQuery::new(
            "AmazonVPC",
            &[
                ("regionCode", "ap-northeast-1"),
                ("group", "VPCPublicIPv4Address"),
            ],
        )
        .usage_type("PublicIPv4:InUseAddress");
        assert_eq!(s.products(&ipv4).len(), 1);
        assert_eq!(s.products(&ipv4)[0].product_family, "", "no productFamily");
        assert!(!s.is_confirmed(&rds[0].sku), "RDS prices are unconfirmed");
        let elsewhere = PriceQuery::new(
            "AmazonEC2",
            &[("regionCode", "us-east-1"), ("instanceType", "t2.micro")],
        );
        assert!(s.products(&elsewhere).is_empty());
        let lcu = PriceQuery::new(
            "AWSELB",
            &[
                ("regionCode", "ap-northeast-1"),
                ("productFamily", "Load Balancer-Application"),
            ],
        )
        .usage_type("LCUUsage");
        assert_eq!(s.products(&lcu)[0].dimensions[0].unit, "LCU-Hrs");
    }
}
