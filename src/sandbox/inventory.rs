//! What the simulated account holds for the estimate (the seed report's build, in the account's
//! Region): a t2.micro with a 30 GB gp2 volume and a public IPv4 address, a db.t3.micro MySQL
//! Single-AZ with 20 GB gp2, an ALB, and a 10 GB S3 bucket. Its Price List answers come from the
//! embedded price snapshot, filtered as `GetProducts` filters.

use super::events::{Rng, hash, token};
use super::{Sandbox, World};
use crate::cloud::CloudError;
use crate::cloud::inventory::{
    Bucket, Database, Instance, Inventory, LoadBalancer, ResourceInventory, Volume,
};
use crate::cloud::price_snapshot::Snapshot;
use crate::cloud::pricing::{PriceList, PriceQuery, Product};

/// The simulated instance's gp2 volume (its Free Tier usage accrues from this size).
pub const VOLUME_GB: u64 = 30;

/// The simulated bucket's size: 10 GB (GiB, as S3 and the calculator count it).
pub const BUCKET_BYTES: u64 = 10 * 1024 * 1024 * 1024;

pub fn inventory(world: &World, region: &str) -> Inventory {
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
        }],
        buckets: vec![bucket(world)],
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

    fn bucket_size_bytes(&self, bucket: &Bucket) -> Result<Option<u64>, CloudError> {
        let ours = self.read(|w| self::bucket(w).name == bucket.name);
        Ok(ours.then_some(BUCKET_BYTES))
    }
}

impl PriceList for Sandbox {
    fn products(&self, query: &PriceQuery) -> Result<Vec<Product>, CloudError> {
        Ok(Snapshot::embedded().products(query))
    }

    fn is_embedded_snapshot(&self) -> bool {
        true
    }
}
