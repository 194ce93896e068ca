//! The read-only inventory for the estimate: `ec2:DescribeInstances` + `ec2:DescribeVolumes`,
//! `ec2:DescribeAddresses`, `ec2:DescribeNatGateways`, `rds:DescribeDBInstances`,
//! `elasticloadbalancing:DescribeLoadBalancers`, `s3:ListAllMyBuckets` (+ `s3:GetBucketLocation`
//! when ListBuckets does not say the Region), and CloudWatch's daily `AWS/S3 BucketSizeBytes`
//! (`cloudwatch:GetMetricStatistics`) for a bucket's size. The sweep lists the enabled Regions
//! (`ec2:DescribeRegions`) and reads each the same way, a few at a time; each call keeps the
//! SDK's standard retry (throttling is retried with backoff).

use super::{Aws, classify};
use crate::cloud::inventory::{
    Bucket, Database, ElasticIp, Instance, Inventory, LoadBalancer, NatGateway, ResourceInventory,
    Sweep, UnreadableRegion, Volume,
};
use crate::cloud::{CloudError, CloudErrorKind};
use aws_config::Region;
use chrono::{DateTime, Duration, Utc};
use std::collections::BTreeMap;
use std::sync::Arc;

/// How many Regions the sweep reads at once: gentle on the account's API rate limits.
const SWEEP_CONCURRENCY: usize = 4;

pub struct InventoryAdapter {
    aws: Aws,
}

impl InventoryAdapter {
    pub fn new(aws: Aws) -> InventoryAdapter {
        InventoryAdapter { aws }
    }

    fn ec2(&self, region: &str) -> aws_sdk_ec2::Client {
        let config = aws_sdk_ec2::config::Builder::from(&self.aws.config)
            .region(Region::new(region.to_string()))
            .build();
        aws_sdk_ec2::Client::from_conf(config)
    }

    fn rds(&self, region: &str) -> aws_sdk_rds::Client {
        let config = aws_sdk_rds::config::Builder::from(&self.aws.config)
            .region(Region::new(region.to_string()))
            .build();
        aws_sdk_rds::Client::from_conf(config)
    }

    fn elb(&self, region: &str) -> aws_sdk_elasticloadbalancingv2::Client {
        let config = aws_sdk_elasticloadbalancingv2::config::Builder::from(&self.aws.config)
            .region(Region::new(region.to_string()))
            .build();
        aws_sdk_elasticloadbalancingv2::Client::from_conf(config)
    }

    fn s3(&self, region: &str) -> aws_sdk_s3::Client {
        // A custom endpoint (moto, LocalStack) cannot serve virtual-hosted bucket names.
        let path_style = self.aws.config.endpoint_url().is_some();
        let config = aws_sdk_s3::config::Builder::from(&self.aws.config)
            .region(Region::new(region.to_string()))
            .force_path_style(path_style)
            .build();
        aws_sdk_s3::Client::from_conf(config)
    }

    fn cloudwatch(&self, region: &str) -> aws_sdk_cloudwatch::Client {
        let config = aws_sdk_cloudwatch::config::Builder::from(&self.aws.config)
            .region(Region::new(region.to_string()))
            .build();
        aws_sdk_cloudwatch::Client::from_conf(config)
    }
}

/// The clients that read one Region.
struct RegionClients {
    region: String,
    ec2: aws_sdk_ec2::Client,
    rds: aws_sdk_rds::Client,
    elb: aws_sdk_elasticloadbalancingv2::Client,
}

impl InventoryAdapter {
    fn clients(&self, region: &str) -> RegionClients {
        RegionClients {
            region: region.to_string(),
            ec2: self.ec2(region),
            rds: self.rds(region),
            elb: self.elb(region),
        }
    }
}

/// Everything of one Region but the buckets.
async fn read_region(c: &RegionClients) -> Result<Inventory, CloudError> {
    let (instances, unattached, addresses, nat, databases, load_balancers) = tokio::join!(
        instances(&c.ec2),
        unattached_volumes(&c.ec2),
        elastic_ips(&c.ec2),
        nat_gateways(&c.ec2),
        databases(&c.rds),
        load_balancers(&c.elb),
    );
    let region = c.region.as_str();
    Ok(Inventory {
        region: region.to_string(),
        instances: instances.map_err(|e| e.in_region(region))?,
        databases: databases.map_err(|e| e.in_region(region))?,
        load_balancers: load_balancers.map_err(|e| e.in_region(region))?,
        buckets: Vec::new(),
        elastic_ips: addresses.map_err(|e| e.in_region(region))?,
        unattached_volumes: unattached.map_err(|e| e.in_region(region))?,
        nat_gateways: nat.map_err(|e| e.in_region(region))?,
    })
}

impl ResourceInventory for InventoryAdapter {
    fn inventory(&self, region: &str) -> Result<Inventory, CloudError> {
        let clients = self.clients(region);
        let s3 = self.s3(region);
        let s3_global = self.s3("us-east-1");
        self.aws.block_on(async {
            let (inventory, buckets) =
                tokio::join!(read_region(&clients), buckets(&s3, &s3_global, region),);
            Ok(Inventory {
                buckets: buckets?,
                ..inventory?
            })
        })
    }

    fn sweep(&self, working_region: &str) -> Result<Sweep, CloudError> {
        let ec2 = self.ec2(working_region);
        let regions = self
            .aws
            .block_on(enabled_regions(&ec2))
            .map_err(|e| e.in_region(working_region))?;
        let others: Vec<RegionClients> = regions
            .iter()
            .filter(|r| r.as_str() != working_region)
            .map(|r| self.clients(r))
            .collect();
        let mut sweep = Sweep {
            regions,
            ..Sweep::default()
        };
        self.aws.block_on(async {
            let limit = Arc::new(tokio::sync::Semaphore::new(SWEEP_CONCURRENCY));
            let mut tasks = tokio::task::JoinSet::new();
            for clients in others {
                let limit = limit.clone();
                tasks.spawn(async move {
                    let _permit = limit.acquire_owned().await;
                    (clients.region.clone(), read_region(&clients).await)
                });
            }
            while let Some(done) = tasks.join_next().await {
                match done {
                    Ok((_, Ok(inventory))) if inventory.holds_nothing() => {}
                    Ok((_, Ok(inventory))) => sweep.found.push(inventory),
                    Ok((region, Err(err))) => sweep.unreadable.push(UnreadableRegion {
                        region,
                        error: err.to_string(),
                    }),
                    Err(join) => sweep.unreadable.push(UnreadableRegion {
                        region: String::new(),
                        error: join.to_string(),
                    }),
                }
            }
        });
        sweep.found.sort_by(|a, b| a.region.cmp(&b.region));
        sweep.unreadable.sort_by(|a, b| a.region.cmp(&b.region));
        Ok(sweep)
    }

    fn bucket_size_bytes(&self, bucket: &Bucket) -> Result<Option<u64>, CloudError> {
        let client = self.cloudwatch(&bucket.region);
        self.aws
            .block_on(bucket_size_from_metrics(&client, &bucket.name, Utc::now()))
            .map_err(|e| e.in_region(&bucket.region))
    }
}

async fn instances(client: &aws_sdk_ec2::Client) -> Result<Vec<Instance>, CloudError> {
    const ACTION: &str = "ec2:DescribeInstances";
    let mut found = Vec::new();
    let mut next_token = None;
    loop {
        let page = client
            .describe_instances()
            .set_next_token(next_token.take())
            .send()
            .await
            .map_err(|e| classify(e, ACTION))?;
        for reservation in page.reservations() {
            for i in reservation.instances() {
                let state = i
                    .state()
                    .and_then(|s| s.name())
                    .map(|n| n.as_str().to_string())
                    .unwrap_or_default();
                if state == "terminated" || state == "shutting-down" {
                    continue;
                }
                let mut public_ipv4: Vec<String> = i
                    .network_interfaces()
                    .iter()
                    .filter_map(|n| n.association().and_then(|a| a.public_ip()))
                    .map(str::to_string)
                    .collect();
                if let Some(ip) = i.public_ip_address()
                    && !public_ipv4.iter().any(|p| p == ip)
                {
                    public_ipv4.push(ip.to_string());
                }
                found.push((
                    Instance {
                        id: i.instance_id().unwrap_or_default().into(),
                        name: name_tag(i.tags()),
                        instance_type: i
                            .instance_type()
                            .map(|t| t.as_str().to_string())
                            .unwrap_or_default(),
                        state,
                        platform: i.platform_details().unwrap_or("Linux/UNIX").into(),
                        volumes: Vec::new(),
                        public_ipv4,
                    },
                    i.block_device_mappings()
                        .iter()
                        .filter_map(|m| m.ebs().and_then(|e| e.volume_id()))
                        .map(str::to_string)
                        .collect::<Vec<_>>(),
                ));
            }
        }
        next_token = page.next_token().map(str::to_string);
        if next_token.is_none() {
            break;
        }
    }
    let volume_ids: Vec<String> = found.iter().flat_map(|(_, v)| v.clone()).collect();
    let volumes = volumes(client, volume_ids).await?;
    Ok(found
        .into_iter()
        .map(|(mut instance, ids)| {
            instance.volumes = ids
                .iter()
                .filter_map(|id| volumes.get(id).cloned())
                .collect();
            instance
        })
        .collect())
}

fn volume_of(v: &aws_sdk_ec2::types::Volume) -> Volume {
    Volume {
        id: v.volume_id().unwrap_or_default().to_string(),
        volume_type: v
            .volume_type()
            .map(|t| t.as_str().to_string())
            .unwrap_or_default(),
        size_gb: v.size().unwrap_or(0).max(0) as u64,
    }
}

async fn volumes(
    client: &aws_sdk_ec2::Client,
    ids: Vec<String>,
) -> Result<BTreeMap<String, Volume>, CloudError> {
    let mut found = BTreeMap::new();
    for chunk in ids.chunks(200) {
        let out = client
            .describe_volumes()
            .set_volume_ids(Some(chunk.to_vec()))
            .send()
            .await
            .map_err(|e| classify(e, "ec2:DescribeVolumes"))?;
        for v in out.volumes() {
            let volume = volume_of(v);
            found.insert(volume.id.clone(), volume);
        }
    }
    Ok(found)
}

fn ec2_filter(name: &str, values: &[&str]) -> aws_sdk_ec2::types::Filter {
    aws_sdk_ec2::types::Filter::builder()
        .name(name)
        .set_values(Some(values.iter().map(|v| v.to_string()).collect()))
        .build()
}

fn name_tag(tags: &[aws_sdk_ec2::types::Tag]) -> Option<String> {
    tags.iter()
        .find(|t| t.key() == Some("Name"))
        .and_then(|t| t.value())
        .map(str::to_string)
}

/// Volumes attached to nothing (`status = available`).
async fn unattached_volumes(client: &aws_sdk_ec2::Client) -> Result<Vec<Volume>, CloudError> {
    let mut found = Vec::new();
    let mut next_token = None;
    loop {
        let page = client
            .describe_volumes()
            .filters(ec2_filter("status", &["available"]))
            .set_next_token(next_token.take())
            .send()
            .await
            .map_err(|e| classify(e, "ec2:DescribeVolumes"))?;
        found.extend(page.volumes().iter().map(volume_of));
        next_token = page.next_token().map(str::to_string);
        if next_token.is_none() {
            return Ok(found);
        }
    }
}

/// Every Elastic IP, associated or not (DescribeAddresses has no pages).
async fn elastic_ips(client: &aws_sdk_ec2::Client) -> Result<Vec<ElasticIp>, CloudError> {
    let out = client
        .describe_addresses()
        .send()
        .await
        .map_err(|e| classify(e, "ec2:DescribeAddresses"))?;
    Ok(out
        .addresses()
        .iter()
        .map(|a| ElasticIp {
            public_ip: a.public_ip().unwrap_or_default().to_string(),
            allocation_id: a.allocation_id().unwrap_or_default().to_string(),
            name: name_tag(a.tags()),
            // Empty strings count as absent (moto sends `instanceId` empty for an idle one).
            associated_with: [a.instance_id(), a.network_interface_id()]
                .into_iter()
                .flatten()
                .find(|id| !id.is_empty())
                .map(str::to_string),
        })
        .collect())
}

/// NAT gateways that exist (pending or available): charged by the hour.
async fn nat_gateways(client: &aws_sdk_ec2::Client) -> Result<Vec<NatGateway>, CloudError> {
    let mut found = Vec::new();
    let mut next_token = None;
    loop {
        let page = client
            .describe_nat_gateways()
            .filter(ec2_filter("state", &["pending", "available"]))
            .set_next_token(next_token.take())
            .send()
            .await
            .map_err(|e| classify(e, "ec2:DescribeNatGateways"))?;
        found.extend(page.nat_gateways().iter().map(|n| {
            NatGateway {
                id: n.nat_gateway_id().unwrap_or_default().to_string(),
                name: name_tag(n.tags()),
                state: n
                    .state()
                    .map(|s| s.as_str().to_string())
                    .unwrap_or_default(),
            }
        }));
        next_token = page.next_token().map(str::to_string);
        if next_token.is_none() {
            return Ok(found);
        }
    }
}

/// The Regions enabled for the account (DescribeRegions without `AllRegions` lists only those).
async fn enabled_regions(client: &aws_sdk_ec2::Client) -> Result<Vec<String>, CloudError> {
    let out = client
        .describe_regions()
        .send()
        .await
        .map_err(|e| classify(e, "ec2:DescribeRegions"))?;
    let mut regions: Vec<String> = out
        .regions()
        .iter()
        .filter_map(|r| r.region_name())
        .map(str::to_string)
        .collect();
    regions.sort();
    Ok(regions)
}

async fn databases(client: &aws_sdk_rds::Client) -> Result<Vec<Database>, CloudError> {
    let mut found = Vec::new();
    let mut marker = None;
    loop {
        let page = client
            .describe_db_instances()
            .set_marker(marker.take())
            .send()
            .await
            .map_err(|e| classify(e, "rds:DescribeDBInstances"))?;
        for db in page.db_instances() {
            found.push(Database {
                id: db.db_instance_identifier().unwrap_or_default().into(),
                class: db.db_instance_class().unwrap_or_default().into(),
                engine: db.engine().unwrap_or_default().into(),
                multi_az: db.multi_az().unwrap_or(false),
                storage_type: db.storage_type().unwrap_or("gp2").into(),
                storage_gb: db.allocated_storage().unwrap_or(0).max(0) as u64,
                status: db.db_instance_status().unwrap_or_default().into(),
                engine_version: db.engine_version().unwrap_or_default().into(),
            });
        }
        marker = page.marker().map(str::to_string);
        if marker.is_none() {
            break;
        }
    }
    Ok(found)
}

async fn load_balancers(
    client: &aws_sdk_elasticloadbalancingv2::Client,
) -> Result<Vec<LoadBalancer>, CloudError> {
    super::elb::describe_load_balancers(client).await
}

async fn buckets(
    client: &aws_sdk_s3::Client,
    global: &aws_sdk_s3::Client,
    working_region: &str,
) -> Result<Vec<Bucket>, CloudError> {
    let out = client
        .list_buckets()
        .send()
        .await
        .map_err(|e| classify(e, "s3:ListAllMyBuckets"))?;
    let mut found = Vec::new();
    for b in out.buckets() {
        let name = b.name().unwrap_or_default().to_string();
        let region = match b.bucket_region() {
            Some(region) => region.to_string(),
            None => super::s3::bucket_region(global, &name)
                .await
                .unwrap_or_else(|| working_region.to_string()),
        };
        found.push(Bucket { name, region });
    }
    Ok(found)
}

/// The latest daily `BucketSizeBytes` (Standard storage) of the last three days. S3 reports it
/// once a day, so an hour-old bucket has none yet: `None`.
pub async fn bucket_size_from_metrics(
    client: &aws_sdk_cloudwatch::Client,
    bucket: &str,
    now: DateTime<Utc>,
) -> Result<Option<u64>, CloudError> {
    use aws_sdk_cloudwatch::types::{Dimension, Statistic};
    const ACTION: &str = "cloudwatch:GetMetricStatistics";
    let at = |t: DateTime<Utc>| aws_smithy_types::DateTime::from_secs(t.timestamp());
    let dimension = |name: &str, value: &str| Dimension::builder().name(name).value(value).build();
    let out = client
        .get_metric_statistics()
        .namespace("AWS/S3")
        .metric_name("BucketSizeBytes")
        .dimensions(dimension("BucketName", bucket))
        .dimensions(dimension("StorageType", "StandardStorage"))
        .start_time(at(now - Duration::days(3)))
        .end_time(at(now))
        .period(86_400)
        .statistics(Statistic::Average)
        .send()
        .await
        .map_err(|e| classify(e, ACTION))?;
    let latest = out
        .datapoints()
        .iter()
        .filter_map(|d| Some((d.timestamp()?.secs(), d.average()?)))
        .max_by_key(|(secs, _)| *secs);
    match latest {
        Some((_, bytes)) if bytes.is_finite() && bytes >= 0.0 => Ok(Some(bytes.round() as u64)),
        Some((_, bytes)) => Err(CloudError::new(
            CloudErrorKind::Other,
            ACTION,
            format!("BucketSizeBytes of {bucket} is {bytes}"),
        )),
        None => Ok(None),
    }
}
