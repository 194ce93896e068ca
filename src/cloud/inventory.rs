//! "What did I build?": a read-only inventory of the working Region — EC2 instances with their
//! EBS volumes and public IPv4 addresses, unattached volumes, Elastic IPs, RDS instances, load
//! balancers, NAT gateways and S3 buckets — for the estimate step to price; and the same sweep
//! over every Region the account has enabled, for what was forgotten elsewhere. Nothing here
//! changes the account.

use super::CloudError;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Inventory {
    pub region: String,
    pub instances: Vec<Instance>,
    pub databases: Vec<Database>,
    pub load_balancers: Vec<LoadBalancer>,
    pub buckets: Vec<Bucket>,
    /// Every Elastic IP of the Region, associated or not (idle ones are charged too).
    #[serde(default)]
    pub elastic_ips: Vec<ElasticIp>,
    /// EBS volumes attached to nothing (`available`): charged every month all the same.
    #[serde(default)]
    pub unattached_volumes: Vec<Volume>,
    #[serde(default)]
    pub nat_gateways: Vec<NatGateway>,
}

impl Inventory {
    /// Nothing in it costs money (buckets aside: the sweep leaves them to the working Region).
    pub fn holds_nothing(&self) -> bool {
        self.instances.is_empty()
            && self.databases.is_empty()
            && self.load_balancers.is_empty()
            && self.elastic_ips.is_empty()
            && self.unattached_volumes.is_empty()
            && self.nat_gateways.is_empty()
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ElasticIp {
    pub public_ip: String,
    pub allocation_id: String,
    /// The `Name` tag, when there is one.
    pub name: Option<String>,
    /// The instance (or network interface) it is associated with; `None`: idle.
    pub associated_with: Option<String>,
}

impl ElasticIp {
    pub fn is_idle(&self) -> bool {
        self.associated_with.is_none()
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NatGateway {
    pub id: String,
    pub name: Option<String>,
    /// `pending`, `available`.
    pub state: String,
}

/// Every enabled Region read once: what each Region other than the working one holds, and the
/// Regions that could not be read (not fatal: they are reported).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Sweep {
    /// Every Region `ec2:DescribeRegions` listed as enabled.
    pub regions: Vec<String>,
    /// The Regions other than the working one that hold something that costs money.
    pub found: Vec<Inventory>,
    pub unreadable: Vec<UnreadableRegion>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UnreadableRegion {
    pub region: String,
    pub error: String,
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
    /// `8.0.40`: past its major version's standard support, RDS bills Extended Support.
    #[serde(default)]
    pub engine_version: String,
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

    /// Every Region enabled for the account (`ec2:DescribeRegions`) read for what costs money,
    /// a few Regions at a time; buckets are left out (they are listed with the working Region).
    /// Fails only when the Regions cannot be listed.
    fn sweep(&self, working_region: &str) -> Result<Sweep, CloudError>;

    /// The bucket's Standard-storage size in bytes from CloudWatch's daily `BucketSizeBytes`
    /// metric (the latest datapoint of the last three days); `None` when there is none yet (new
    /// or empty buckets have no datapoint).
    fn bucket_size_bytes(&self, bucket: &Bucket) -> Result<Option<u64>, CloudError>;
}
