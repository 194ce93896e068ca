//! "What did I build?": a read-only inventory of the working Region — EC2 instances with their
//! EBS volumes and public IPv4 addresses, RDS instances, load balancers and S3 buckets — for the
//! estimate step to price. Nothing here changes the account.

use super::CloudError;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Inventory {
    pub region: String,
    pub instances: Vec<Instance>,
    pub databases: Vec<Database>,
    pub load_balancers: Vec<LoadBalancer>,
    pub buckets: Vec<Bucket>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Instance {
    pub id: String,
    /// The `Name` tag, when there is one.
    pub name: Option<String>,
    pub instance_type: String,
    /// `running`, `stopped`, …
    pub state: String,
    /// `Linux/UNIX`, `Windows`, `Red Hat Enterprise Linux`, … (EC2's `PlatformDetails`).
    pub platform: String,
    pub volumes: Vec<Volume>,
    /// Public IPv4 addresses on the instance's network interfaces (auto-assigned or Elastic).
    pub public_ipv4: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Volume {
    pub id: String,
    /// `gp2`, `gp3`, `io1`, `st1`, …
    pub volume_type: String,
    pub size_gb: u64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Database {
    pub id: String,
    /// `db.t3.micro`
    pub class: String,
    /// `mysql`, `postgres`, `aurora-mysql`, …
    pub engine: String,
    pub multi_az: bool,
    /// `gp2`, `gp3`, `io1`, `standard`, `aurora`…
    pub storage_type: String,
    pub storage_gb: u64,
    pub status: String,
}

/// A load balancer, as the alarm step sees it too.
pub use super::elb::LoadBalancer;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Bucket {
    pub name: String,
    pub region: String,
}

pub trait ResourceInventory: Send + Sync {
    /// Everything listed above in `region` (buckets: all of the account's, each with its Region).
    fn inventory(&self, region: &str) -> Result<Inventory, CloudError>;

    /// The bucket's Standard-storage size in bytes from CloudWatch's daily `BucketSizeBytes`
    /// metric (the latest datapoint of the last three days); `None` when there is none yet (new
    /// or empty buckets have no datapoint).
    fn bucket_size_bytes(&self, bucket: &Bucket) -> Result<Option<u64>, CloudError>;
}
