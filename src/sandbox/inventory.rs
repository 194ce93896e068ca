//! What the simulated account holds for the estimate (the seed report's build, in the account's
//! Region): a t2.micro with a 30 GB gp2 volume and a public IPv4 address, a db.t3.micro MySQL 8.0
//! Single-AZ with 20 GB gp2 (past standard support from 2026-08-01), an internet-facing ALB in
//! two Availability Zones, and a 10 GB S3 bucket; and, forgotten in ap-southeast-2, a stopped
//! t2.micro with its 8 GB volume and an idle Elastic IP. Its Price List answers come from the
//! embedded price snapshot, filtered as `GetProducts` filters.

use super::events::{Rng, hash, token};
use super::{Sandbox, World};
use crate::cloud::CloudError;
use crate::cloud::inventory::{
    Bucket, Database, ElasticIp, Instance, Inventory, LoadBalancer, ResourceInventory, Sweep,
    Volume,
};
use crate::cloud::price_snapshot::Snapshot;
use crate::cloud::pricing::{PriceList, PriceQuery, PriceSource, Product};

/// The simulated instance's gp2 volume (its Free Tier usage accrues from this size).
pub const VOLUME_GB: u64 = 30;

/// The simulated bucket's size: 10 GB (GiB, as S3 and the calculator count it).
pub const BUCKET_BYTES: u64 = 10 * 1024 * 1024 * 1024;

/// The simulated DB's engine version: MySQL 8.0, whose standard support ended on 2026-07-31.
pub const ENGINE_VERSION: &str = "8.0.40";

/// Where the forgotten instance and Elastic IP are.
pub const FORGOTTEN_REGION: &str = "ap-southeast-2";

/// The Regions the simulated account has enabled (those enabled by default).
const ENABLED_REGIONS: [&str; 17] = [
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-south-1",
    "ap-southeast-1",
    "ap-southeast-2",
    "ca-central-1",
    "eu-central-1",
    "eu-north-1",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "sa-east-1",
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
];

/// The ALB's two Availability Zones (one public IPv4 address in each).
pub fn alb_zones(region: &str) -> Vec<String> {
    ["a", "c"].iter().map(|z| format!("{region}{z}")).collect()
}

/// A stopped t2.micro with its 8 GB gp2 volume and an idle Elastic IP, left in Sydney.
fn forgotten(world: &World) -> Inventory {
    let mut rng = Rng::new(hash(world.seed, "forgotten"));
    let ip = format!(
        "13.{}.{}.{}",
        54 + rng.below(8),
        rng.below(256),
        1 + rng.below(254)
    );
    Inventory {
        region: FORGOTTEN_REGION.into(),
        instances: vec![Instance {
            id: format!("i-0{:016x}", rng.next()),
            name: Some("test-sydney".into()),
            instance_type: "t2.micro".into(),
            state: "stopped".into(),
            platform: "Linux/UNIX".into(),
            volumes: vec![Volume {
                id: format!("vol-0{:016x}", rng.next()),
                volume_type: "gp2".into(),
                size_gb: 8,
            }],
            public_ipv4: Vec::new(),
        }],
        elastic_ips: vec![ElasticIp {
            public_ip: ip,
            allocation_id: format!("eipalloc-0{:016x}", rng.next()),
            name: None,
            associated_with: None,
        }],
        ..Inventory::default()
    }
}

pub fn inventory(world: &World, region: &str) -> Inventory {
    if region == FORGOTTEN_REGION && region != world.region {
        return Inventory {
            buckets: vec![bucket(world)],
            ..forgotten(world)
        };
    }
    if region != world.region {
        return Inventory {
            region: region.into(),
            buckets: vec![bucket(world)],
            ..Inventory::default()
        };
    }
    let instance_id = world.instance_id();
    let volume_id = format!("vol-0{:016x}", Rng::new(hash(world.seed, "volume")).next());
    let mut rng = Rng::new(hash(world.seed, "public-ip"));
    let ip = format!(
        "54.{}.{}.{}",
        64 + rng.below(64),
        rng.below(256),
        1 + rng.below(254)
    );
    let lb_id = world.alb_id();
    Inventory {
        region: region.into(),
        instances: vec![Instance {
            id: instance_id,
            name: Some("raisetech-ec2".into()),
            instance_type: "t2.micro".into(),
            state: "running".into(),
            platform: "Linux/UNIX".into(),
            volumes: vec![Volume {
                id: volume_id,
                volume_type: "gp2".into(),
                size_gb: VOLUME_GB,
            }],
            public_ipv4: vec![ip],
        }],
        databases: vec![Database {
            id: "raisetech-db".into(),
            class: "db.t3.micro".into(),
            engine: "mysql".into(),
            multi_az: false,
            storage_type: "gp2".into(),
            storage_gb: 20,
            status: "available".into(),
            engine_version: ENGINE_VERSION.into(),
        }],
        load_balancers: vec![LoadBalancer {
            name: "raisetech-alb".into(),
            arn: format!(
                "arn:aws:elasticloadbalancing:{region}:{}:loadbalancer/app/raisetech-alb/{lb_id}",
                world.account
            ),
            dns_name: world.alb_dns_name(),
            kind: "application".into(),
            state: "active".into(),
            scheme: "internet-facing".into(),
            availability_zones: alb_zones(region),
        }],
        buckets: vec![bucket(world)],
        ..Inventory::default()
    }
}

fn bucket(world: &World) -> Bucket {
    Bucket {
        name: format!(
            "raisetech-images-{}",
            token(world.seed, "bucket", 8).to_ascii_lowercase()
        ),
        region: world.region.clone(),
    }
}

impl ResourceInventory for Sandbox {
    fn inventory(&self, region: &str) -> Result<Inventory, CloudError> {
        Ok(self.read(|w| inventory(w, region)))
    }

    fn sweep(&self, working_region: &str) -> Result<Sweep, CloudError> {
        let found = self.read(|w| {
            ENABLED_REGIONS
                .iter()
                .filter(|r| **r != working_region)
                .map(|r| Inventory {
                    buckets: Vec::new(),
                    ..inventory(w, r)
                })
                .filter(|inv| !inv.holds_nothing())
                .collect()
        });
        Ok(Sweep {
            regions: ENABLED_REGIONS.iter().map(|r| r.to_string()).collect(),
            found,
            unreadable: Vec::new(),
        })
    }

    fn bucket_size_bytes(&self, bucket: &Bucket) -> Result<Option<u64>, CloudError> {
        let ours = self.read(|w| self::bucket(w).name == bucket.name);
        Ok(ours.then_some(BUCKET_BYTES))
    }
}

impl PriceList for Sandbox {
    fn products(&self, query: &PriceQuery) -> Result<Vec<Product>, CloudError> {
        Ok(Snapshot::embedded().products(query))
    }

    /// The practice account's Price List is lecture06's embedded snapshot.
    fn source(&self) -> PriceSource {
        PriceSource::Snapshot
    }
}
