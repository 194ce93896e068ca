//! The estimate step's AWS adapters over the wire:
//! - the inventory (EC2 + EBS, Elastic IPs, RDS, ELBv2 with its zones, S3) and the sweep of every
//!   enabled Region against **moto**, with resources the test makes;
//! - `pricing:GetProducts` through the real SDK client with a replayed HTTP client answering
//!   realistic Price List documents (moto has no Price List API);
//! - CloudWatch's `BucketSizeBytes` with aws-smithy-mocks: aws-sdk-cloudwatch ≥ 1.100 speaks the
//!   Smithy RPC v2 CBOR protocol, which moto does not serve and which a hand-written replay would
//!   have to encode in CBOR; the mock interceptor hands the SDK a typed output instead, so the
//!   request building and our reading of the datapoints are still the real ones.

use crate::harness::{moto_url, sdk_config};
use aws_smithy_types::body::SdkBody;
use lecture06::aws::Aws;
use lecture06::cloud::CloudErrorKind;
use lecture06::cloud::inventory::Inventory;
use lecture06::cloud::pricing::PriceQuery;
use lecture06::decimal::Dec;
use lecture06::steps::estimate::costing::{self, Assumptions, Charge, Ipv4Holder};
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};

/// A Region other tests do not use, so moto's shared account stays readable.
const REGION: &str = "ap-southeast-2";

fn moto_config() -> aws_config::SdkConfig {
    sdk_config(REGION, Some(&moto_url()), None, "AKIAIOSFODNN7EXAMPLE")
}

/// Any image moto offers, to run an instance from.
async fn moto_image(ec2: &aws_sdk_ec2::Client) -> String {
    ec2.describe_images()
        .send()
        .await
        .expect("moto lists images")
        .images()[0]
        .image_id()
        .unwrap()
        .to_string()
}

/// 730 hours a month, nothing stored or processed.
fn hours_only() -> Assumptions {
    Assumptions {
        hours_per_month: Dec::from_int(730),
        s3_gb: Dec::ZERO,
        alb_processed_gb: Dec::ZERO,
    }
}

#[test]
fn inventory_reads_what_moto_holds() {
    let config = moto_config();
    let aws = Aws::from_config(config.clone()).unwrap();
    let suffix = format!("{:x}", std::process::id());
    let ec2 = aws_sdk_ec2::Client::new(&config);
    let rds = aws_sdk_rds::Client::new(&config);
    let elb = aws_sdk_elasticloadbalancingv2::Client::new(&config);
    let s3 = aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(&config)
            .force_path_style(true)
            .build(),
    );
    let bucket = format!("lecture06-estimate-{suffix}");
    let alb = format!("l06-alb-{suffix}");
    let db = format!("l06-db-{suffix}");
    let instance_id = aws.block_on(async {
        use aws_sdk_ec2::types::{BlockDeviceMapping, EbsBlockDevice, InstanceType, VolumeType};
        let run = ec2
            .run_instances()
            .image_id(moto_image(&ec2).await)
            .instance_type(InstanceType::T2Micro)
            .min_count(1)
            .max_count(1)
            .block_device_mappings(
                BlockDeviceMapping::builder()
                    .device_name("/dev/xvda")
                    .ebs(
                        EbsBlockDevice::builder()
                            .volume_size(30)
                            .volume_type(VolumeType::Gp2)
                            .build(),
                    )
                    .build(),
            )
            .send()
            .await
            .expect("moto runs an instance");
        let id = run.instances()[0].instance_id().unwrap().to_string();
        rds.create_db_instance()
            .db_instance_identifier(&db)
            .db_instance_class("db.t3.micro")
            .engine("mysql")
            .allocated_storage(20)
            .storage_type("gp2")
            .engine_version("8.0.40")
            .master_username("admin")
            .master_user_password("password123")
            .multi_az(false)
            .send()
            .await
            .expect("moto creates the DB");
        let subnets: Vec<String> = ec2
            .describe_subnets()
            .send()
            .await
            .unwrap()
            .subnets()
            .iter()
            .filter(|s| s.default_for_az() == Some(true))
            .filter_map(|s| s.subnet_id().map(str::to_string))
            .take(2)
            .collect();
        elb.create_load_balancer()
            .name(&alb)
            .set_subnets(Some(subnets))
            .r#type(aws_sdk_elasticloadbalancingv2::types::LoadBalancerTypeEnum::Application)
            .scheme(aws_sdk_elasticloadbalancingv2::types::LoadBalancerSchemeEnum::InternetFacing)
            .send()
            .await
            .expect("moto creates the ALB");
        s3.create_bucket()
            .bucket(&bucket)
            .create_bucket_configuration(
                aws_sdk_s3::types::CreateBucketConfiguration::builder()
                    .location_constraint(aws_sdk_s3::types::BucketLocationConstraint::from(REGION))
                    .build(),
            )
            .send()
            .await
            .expect("moto creates the bucket");
        id
    });

    let cloud = aws.clone().connect();
    let inventory = cloud.inventory.inventory(REGION).expect("inventory");
    assert_eq!(inventory.region, REGION);

    let instance = inventory
        .instances
        .iter()
        .find(|i| i.id == instance_id)
        .expect("our instance is listed");
    assert_eq!(instance.instance_type, "t2.micro");
    assert_eq!(instance.state, "running");
    assert_eq!(instance.platform, "Linux/UNIX");
    assert_eq!(instance.volumes.len(), 1, "{instance:?}");
    assert_eq!(instance.volumes[0].volume_type, "gp2");
    assert_eq!(instance.volumes[0].size_gb, 30);
    // The public address is whatever EC2 itself reports for the instance.
    let reported = aws.block_on(async {
        ec2.describe_instances()
            .instance_ids(&instance_id)
            .send()
            .await
            .unwrap()
            .reservations()[0]
            .instances()[0]
            .public_ip_address()
            .map(str::to_string)
    });
    assert_eq!(
        instance.public_ipv4,
        reported.into_iter().collect::<Vec<_>>()
    );

    let database = inventory
        .databases
        .iter()
        .find(|d| d.id == db)
        .expect("our DB is listed");
    assert_eq!(database.class, "db.t3.micro");
    assert_eq!(database.engine, "mysql");
    assert!(!database.multi_az);
    assert_eq!(database.storage_type, "gp2");
    assert_eq!(database.storage_gb, 20);
    assert_eq!(database.engine_version, "8.0.40");

    let lb = inventory
        .load_balancers
        .iter()
        .find(|l| l.name == alb)
        .expect("our ALB is listed");
    assert_eq!(lb.kind, "application");
    assert!(
        lb.arn.contains(&format!("loadbalancer/app/{alb}/")),
        "{}",
        lb.arn
    );
    // Made internet-facing in two default subnets, one per zone.
    assert_eq!(lb.scheme, "internet-facing");
    let mut zones = lb.availability_zones.clone();
    zones.sort();
    zones.dedup();
    assert_eq!(zones.len(), 2, "{:?}", lb.availability_zones);
    assert!(zones.iter().all(|z| z.starts_with(REGION)), "{zones:?}");
    // …so the estimate prices a public IPv4 address in each, and Extended Support for the DB.
    let ours = Inventory {
        instances: inventory
            .instances
            .iter()
            .filter(|i| i.id == instance_id)
            .cloned()
            .collect(),
        databases: vec![database.clone()],
        load_balancers: vec![lb.clone()],
        ..Inventory::default()
    };
    let today = chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
    let lines = costing::lines(&ours, &hours_only(), today);
    let alb_addresses: Vec<&str> = lines
        .iter()
        .filter(|l| {
            l.charge
                == Charge::PublicIpv4 {
                    holder: Ipv4Holder::LoadBalancer,
                }
        })
        .map(|l| l.resource.as_str())
        .collect();
    assert_eq!(
        alb_addresses,
        zones
            .iter()
            .map(|z| format!("{alb} ({z})"))
            .collect::<Vec<_>>()
    );
    let support = lines
        .iter()
        .find(|l| matches!(l.charge, Charge::DbExtendedSupport { .. }))
        .expect("MySQL 8.0 is past standard support in December 2026");
    assert_eq!(support.quantity, Dec::from_int(1460), "2 vCPUs × 730 h");

    let b = inventory
        .buckets
        .iter()
        .find(|b| b.name == bucket)
        .expect("our bucket is listed");
    assert_eq!(b.region, REGION);
}

/// The sweep of every enabled Region, from a working Region other than Sydney: what a student
/// left in `ap-southeast-2` — an instance (stopped, with its volume) and an Elastic IP associated
/// with nothing — is found there, with its Region, and the working Region itself is not listed.
#[test]
fn the_region_sweep_finds_what_was_left_in_sydney() {
    const SYDNEY: &str = "ap-southeast-2";
    let working = "eu-west-3";
    let sydney = sdk_config(SYDNEY, Some(&moto_url()), None, "AKIAIOSFODNN7EXAMPLE");
    let aws = Aws::from_config(sdk_config(
        working,
        Some(&moto_url()),
        None,
        "AKIAIOSFODNN7EXAMPLE",
    ))
    .unwrap();
    let ec2 = aws_sdk_ec2::Client::new(&sydney);
    let (instance_id, allocation_id, idle_ip) = aws.block_on(async {
        let run = ec2
            .run_instances()
            .image_id(moto_image(&ec2).await)
            .instance_type(aws_sdk_ec2::types::InstanceType::T2Micro)
            .min_count(1)
            .max_count(1)
            .send()
            .await
            .expect("moto runs an instance in Sydney");
        let id = run.instances()[0].instance_id().unwrap().to_string();
        ec2.stop_instances()
            .instance_ids(&id)
            .send()
            .await
            .expect("moto stops it");
        let eip = ec2
            .allocate_address()
            .domain(aws_sdk_ec2::types::DomainType::Vpc)
            .send()
            .await
            .expect("moto allocates an Elastic IP");
        (
            id,
            eip.allocation_id().unwrap().to_string(),
            eip.public_ip().unwrap().to_string(),
        )
    });

    let cloud = aws.clone().connect();
    let sweep = cloud.inventory.sweep(working).expect("the sweep");
    assert!(
        sweep.regions.iter().any(|r| r == SYDNEY) && sweep.regions.iter().any(|r| r == working),
        "DescribeRegions lists the enabled Regions: {:?}",
        sweep.regions
    );
    assert!(
        sweep.found.iter().all(|inv| inv.region != working),
        "the working Region is the estimate's own"
    );
    assert!(sweep.unreadable.is_empty(), "{:?}", sweep.unreadable);
    let there = sweep
        .found
        .iter()
        .find(|inv| inv.region == SYDNEY)
        .expect("Sydney holds something");
    let instance = there
        .instances
        .iter()
        .find(|i| i.id == instance_id)
        .expect("the forgotten instance");
    assert_eq!(instance.state, "stopped");
    assert_eq!(instance.volumes.len(), 1, "its root volume: {instance:?}");
    let eip = there
        .elastic_ips
        .iter()
        .find(|e| e.allocation_id == allocation_id)
        .expect("the Elastic IP");
    assert_eq!(eip.public_ip, idle_ip);
    assert!(eip.is_idle(), "associated with nothing: {eip:?}");
    assert!(
        there.buckets.is_empty(),
        "buckets belong to the working Region's estimate"
    );

    // As billed now: the stopped instance's volume and the idle address, not its hours.
    let today = chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
    let lines = costing::standing_lines(there, &hours_only(), today);
    assert!(
        !lines.iter().any(|l| l.resource.starts_with(&instance_id)),
        "no instance hours for a stopped instance"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.resource == instance.volumes[0].id
                && matches!(l.charge, Charge::Volume { .. }))
    );
    assert!(
        lines
            .iter()
            .any(|l| l.resource == format!("{idle_ip} ({allocation_id})")
                && l.charge
                    == Charge::PublicIpv4 {
                        holder: Ipv4Holder::IdleElasticIp
                    }
                && l.region == SYDNEY)
    );
}

/// A Price List document as `GetProducts` returns it (each `PriceList` item is one, as a string).
/// Built from the published document shape (the real documents in `tests/data/pricing/real-*`
/// show it: product.{productFamily, attributes, sku}, serviceCode, terms.OnDemand.<sku>.<term>
/// .priceDimensions.<rate>.{unit, beginRange, endRange, pricePerUnit}, version, publicationDate):
/// no real document with several price dimensions (S3's tiers) could be found. The queries
/// against real documents are in `wire_pricing`.
fn price_doc(
    sku: &str,
    service: &str,
    family: &str,
    attrs: Value,
    dims: &[(&str, &str, &str, &str)],
) -> String {
    let term = format!("{sku}.JRTCKXETXF");
    let mut price_dimensions = serde_json::Map::new();
    for (i, (unit, begin, end, usd)) in dims.iter().enumerate() {
        let rate = format!("{term}.{:010}", 6_169_500_000_u64 + i as u64);
        price_dimensions.insert(
            rate.clone(),
            json!({"unit": unit, "endRange": end, "description": format!("{usd} per {unit}"), "appliesTo": [],
                   "rateCode": rate, "beginRange": begin, "pricePerUnit": {"USD": usd}}),
        );
    }
    json!({
        "product": {"productFamily": family, "attributes": attrs, "sku": sku},
        "serviceCode": service,
        "terms": {"OnDemand": {term.clone(): {"priceDimensions": price_dimensions, "sku": sku,
            "effectiveDate": "2026-11-01T00:00:00Z", "offerTermCode": "JRTCKXETXF", "termAttributes": {}}}},
        "version": "20261114012345",
        "publicationDate": "2026-11-14T01:23:45Z"
    })
    .to_string()
}

#[derive(Clone, Debug)]
struct SeenPricing {
    host: String,
    body: Value,
}

fn pricing_cloud(
    handler: impl Fn(&Value, usize) -> (u16, Value) + Send + Sync + 'static,
) -> (lecture06::cloud::Cloud, Arc<Mutex<Vec<SeenPricing>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    let client = aws_smithy_http_client::test_util::infallible_client_fn(
        move |req: http::Request<SdkBody>| {
            assert_eq!(
                req.headers().get("x-amz-target").unwrap(),
                "AWSPriceListService.GetProducts"
            );
            let body: Value = serde_json::from_slice(req.body().bytes().unwrap_or(b"{}")).unwrap();
            let mut log = log.lock().unwrap();
            log.push(SeenPricing {
                host: req.uri().host().unwrap_or_default().to_string(),
                body: body.clone(),
            });
            let n = log.len();
            drop(log);
            let (status, answer) = handler(&body, n);
            http::Response::builder()
                .status(status)
                .header("content-type", "application/x-amz-json-1.1")
                .body(SdkBody::from(answer.to_string()))
                .unwrap()
        },
    );
    let config = sdk_config("ap-northeast-1", None, Some(client), "AKIAIOSFODNN7EXAMPLE");
    (Aws::from_config(config).unwrap().connect(), seen)
}

fn s3_query() -> PriceQuery {
    PriceQuery::new(
        "AmazonS3",
        &[
            ("regionCode", "ap-northeast-1"),
            ("productFamily", "Storage"),
            ("volumeType", "Standard"),
        ],
    )
    .usage_type("TimedStorage-ByteHrs")
}

#[test]
fn get_products_reads_price_list_strings_with_several_dimensions() {
    let storage = price_doc(
        "5YX8ZBQ2VSGMDRMR",
        "AmazonS3",
        "Storage",
        json!({"regionCode": "ap-northeast-1", "volumeType": "Standard", "storageClass": "General Purpose",
               "usagetype": "APN1-TimedStorage-ByteHrs", "location": "Asia Pacific (Tokyo)", "servicecode": "AmazonS3"}),
        &[
            ("GB-Mo", "512000", "Inf", "0.0230000000"),
            ("GB-Mo", "0", "51200", "0.0250000000"),
            ("GB-Mo", "51200", "512000", "0.0240000000"),
        ],
    );
    // Same filters, another usage type: dropped on our side (TERM_MATCH cannot match a pattern).
    let other = price_doc(
        "9XAQ7EJ8BQH3NNWR",
        "AmazonS3",
        "Storage",
        json!({"regionCode": "ap-northeast-1", "volumeType": "Standard", "usagetype": "APN1-TimedStorage-INT-FA-ByteHrs"}),
        &[("GB-Mo", "0", "Inf", "0.0190000000")],
    );
    let (cloud, seen) = pricing_cloud(move |body, _| {
        if body.get("NextToken").is_none() {
            (
                200,
                json!({"FormatVersion": "aws_v1", "PriceList": [other], "NextToken": "page-2"}),
            )
        } else {
            (
                200,
                json!({"FormatVersion": "aws_v1", "PriceList": [storage]}),
            )
        }
    });
    let products = cloud.prices.products(&s3_query()).expect("GetProducts");
    assert_eq!(products.len(), 1, "{products:?}");
    let p = &products[0];
    assert_eq!(p.sku, "5YX8ZBQ2VSGMDRMR");
    assert_eq!(p.dimensions.len(), 3);
    assert_eq!(
        p.dimensions[0].usd,
        Dec::parse("0.025").unwrap(),
        "sorted by beginRange"
    );
    assert_eq!(p.dimensions[2].end_range, None, "Inf");
    // 60,000 GB: 51,200 × 0.025 = 1,280 plus 8,800 × 0.024 = 211.20 → 1,491.20.
    assert_eq!(
        p.cost_of(Dec::from_int(60_000)).unwrap(),
        Dec::parse("1491.2").unwrap()
    );

    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 2, "two pages");
    assert!(seen[0].host.contains("us-east-1"), "{}", seen[0].host);
    assert_eq!(seen[0].body["ServiceCode"], "AmazonS3");
    assert_eq!(seen[0].body["FormatVersion"], "aws_v1");
    assert_eq!(
        seen[0].body["Filters"],
        json!([
            {"Type": "TERM_MATCH", "Field": "regionCode", "Value": "ap-northeast-1"},
            {"Type": "TERM_MATCH", "Field": "productFamily", "Value": "Storage"},
            {"Type": "TERM_MATCH", "Field": "volumeType", "Value": "Standard"}
        ])
    );
    assert_eq!(seen[1].body["NextToken"], "page-2");
}

#[test]
fn a_missing_product_is_an_empty_answer_not_an_error() {
    let (cloud, _) =
        pricing_cloud(|_, _| (200, json!({"FormatVersion": "aws_v1", "PriceList": []})));
    let query = PriceQuery::new(
        "AmazonEC2",
        &[
            ("regionCode", "ap-northeast-1"),
            ("instanceType", "t1.nonexistent"),
        ],
    );
    assert!(cloud.prices.products(&query).unwrap().is_empty());
}

#[test]
fn pricing_access_denied_names_the_action() {
    let (cloud, _) = pricing_cloud(|_, _| {
        (
            400,
            json!({"__type": "AccessDeniedException", "Message": "User is not authorized to perform: pricing:GetProducts"}),
        )
    });
    let err = cloud.prices.products(&s3_query()).unwrap_err();
    assert_eq!(err.kind, CloudErrorKind::AccessDenied);
    assert_eq!(err.action, "pricing:GetProducts");
}

/// The datapoints are SDK output structs (aws-smithy-mocks), built from the model's `Datapoint`
/// (Timestamp, Average): no real `BucketSizeBytes` answer exists. The real GetMetricStatistics
/// example is replayed over the wire in `contract_cloudwatch`.
#[test]
fn bucket_size_is_the_latest_daily_datapoint() {
    use aws_sdk_cloudwatch::operation::get_metric_statistics::GetMetricStatisticsOutput;
    use aws_sdk_cloudwatch::types::Datapoint;
    use aws_smithy_mocks::{MockResponseInterceptor, RuleMode, mock};
    let now: chrono::DateTime<chrono::Utc> = "2026-11-21T01:00:00Z".parse().unwrap();
    let day = move |d: i64, gb: f64| {
        Datapoint::builder()
            .timestamp(aws_smithy_types::DateTime::from_secs(
                now.timestamp() - d * 86_400,
            ))
            .average(gb * 1024.0 * 1024.0 * 1024.0)
            .build()
    };
    let with_data = mock!(aws_sdk_cloudwatch::Client::get_metric_statistics)
        .match_requests(|r| {
            r.namespace() == Some("AWS/S3")
                && r.metric_name() == Some("BucketSizeBytes")
                && r.period() == Some(86_400)
                && r.dimensions()
                    .iter()
                    .any(|d| d.name() == Some("BucketName") && d.value() == Some("full"))
                && r.dimensions().iter().any(|d| {
                    d.name() == Some("StorageType") && d.value() == Some("StandardStorage")
                })
        })
        .then_output(move || {
            GetMetricStatisticsOutput::builder()
                // Out of order on purpose: the newest (1 day ago, 10 GB) wins.
                .datapoints(day(2, 9.5))
                .datapoints(day(1, 10.0))
                .datapoints(day(3, 9.0))
                .build()
        });
    let empty = mock!(aws_sdk_cloudwatch::Client::get_metric_statistics)
        .then_output(|| GetMetricStatisticsOutput::builder().build());
    let client = aws_sdk_cloudwatch::Client::from_conf(
        aws_sdk_cloudwatch::Config::builder()
            .behavior_version(aws_config::BehaviorVersion::latest())
            .region(aws_config::Region::new("ap-northeast-1"))
            .credentials_provider(aws_credential_types::Credentials::new(
                "AKID", "secret", None, None, "test",
            ))
            .http_client(aws_smithy_mocks::create_mock_http_client())
            .interceptor(
                MockResponseInterceptor::new()
                    .rule_mode(RuleMode::MatchAny)
                    .with_rule(&with_data)
                    .with_rule(&empty),
            )
            .build(),
    );
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let size = runtime
        .block_on(lecture06::aws::bucket_size_from_metrics(
            &client, "full", now,
        ))
        .unwrap();
    assert_eq!(size, Some(10 * 1024 * 1024 * 1024));
    let none = runtime
        .block_on(lecture06::aws::bucket_size_from_metrics(
            &client,
            "new-bucket",
            now,
        ))
        .unwrap();
    assert_eq!(none, None, "no datapoint yet: unknown, not zero");
    assert_eq!(with_data.num_calls(), 1);
}
