//! From an inventory and the student's usage assumptions to priced lines: the lines themselves
//! (`lines`), which Price List product each needs and its monthly cost (`query`), the Free
//! Tier's effect (`free_tier`), totals and the largest cost drivers with what would shrink them.
//! Pure functions on exact decimals, so the arithmetic is tested with figures worked out by hand.

mod drivers;
mod free_tier;
pub mod lifecycle;
mod query;

pub use drivers::{Driver, drivers};
pub use free_tier::{FreeTier, apply_free_tier};
pub use query::{price_line, query};

use crate::cloud::inventory::{Inventory, Volume};
use crate::decimal::Dec;
use crate::i18n::Lang;
use crate::t;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// The usage assumptions (one answers-file key each).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Assumptions {
    /// `hours_per_month`: hours each resource runs in a month (730 = the calculator's month).
    pub hours_per_month: Dec,
    /// `s3_gb`: GB stored in S3 Standard, all buckets together.
    pub s3_gb: Dec,
    /// `alb_processed_gb`: GB a month processed by the ALB(s).
    pub alb_processed_gb: Dec,
}

/// What a line charges for; it decides the Price List query, the Free Tier offer and the advice.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Charge {
    InstanceHours {
        instance_type: String,
        platform: String,
    },
    Volume {
        volume_type: String,
    },
    PublicIpv4 {
        #[serde(default)]
        holder: Ipv4Holder,
    },
    DbHours {
        class: String,
        engine: String,
        multi_az: bool,
    },
    DbStorage {
        storage_type: String,
        engine: String,
        multi_az: bool,
    },
    LoadBalancerHours {
        lb_kind: String,
    },
    LoadBalancerCapacityUnits,
    S3Standard,
    /// RDS Extended Support for an engine version past standard support, per vCPU-hour.
    DbExtendedSupport {
        engine: String,
        major_version: String,
        /// After the Region prefix: `ExtendedSupport:Yr1-Yr2:MySQL8.0`.
        usage_type: String,
    },
    NatGatewayHours,
}

/// Whose public IPv4 address a line charges for: every AWS-provided one is charged since
/// 2024-02-01, and the legacy Free Tier's 750 hours cover only EC2 instances' in-use ones.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Ipv4Holder {
    #[default]
    Instance,
    /// An internet-facing load balancer's, one per enabled Availability Zone.
    LoadBalancer,
    /// An Elastic IP associated with something other than a listed instance (a NAT gateway…).
    ElasticIp,
    /// An Elastic IP associated with nothing.
    IdleElasticIp,
}

pub use crate::cloud::pricing::PriceSource;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LinePrice {
    pub sku: String,
    /// The price of the first unit (the tier the usage starts in).
    pub usd_per_unit: Dec,
    pub unit: String,
    pub description: String,
    pub source: PriceSource,
    /// False for snapshot prices marked unconfirmed.
    pub confirmed: bool,
    /// How many products matched the query.
    pub matched: usize,
    /// Every product that matched, when more than one did (the line is flagged).
    #[serde(default)]
    pub candidates: Vec<Candidate>,
}

/// One of several products that matched a line's query.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Candidate {
    pub sku: String,
    pub usage_type: String,
    pub usd_per_unit: Option<Dec>,
    /// Its cost for the line's quantity (`None`: its tiers do not cover it).
    pub monthly_usd: Option<Dec>,
}

impl LinePrice {
    /// Several products matched: which, and which price was taken and why (`None` when one did).
    pub fn ambiguity(&self, lang: Lang) -> Option<String> {
        if self.candidates.len() < 2 {
            return None;
        }
        let list: Vec<String> = self
            .candidates
            .iter()
            .map(|c| {
                let usd = c
                    .usd_per_unit
                    .map(|u| format!("{} USD/{}", u.plain(), self.unit))
                    .unwrap_or_else(|| lang.pick("no price", "料金なし").into());
                format!("{} ({}, {usd})", c.sku, c.usage_type)
            })
            .collect();
        let list = list.join(", ");
        let (n, sku, usd, unit) = (
            self.candidates.len(),
            &self.sku,
            self.usd_per_unit.plain(),
            &self.unit,
        );
        Some(t!(
            lang,
            "{n} Price List products matched: {list}. The costliest for this quantity, {sku} at {usd} USD/{unit}, was used so the estimate is not too low; check which one applies on calculator.aws.",
            "Price List の {n} 製品が該当しました: {list}。見積もりが低くなりすぎないよう、この数量で最も高い {sku}（{usd} USD/{unit}）を使いました。どれが該当するか calculator.aws で確認してください。"
        ))
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Line {
    pub service: String,
    /// The resource this line belongs to (instance ID, volume ID, DB identifier, ALB name…).
    pub resource: String,
    pub charge: Charge,
    pub region: String,
    pub quantity: Dec,
    pub unit: String,
    pub price: Option<LinePrice>,
    /// Why the line has no price (both languages), when it has none.
    pub unpriced_en: Option<String>,
    pub unpriced_ja: Option<String>,
    pub monthly_usd: Option<Dec>,
    /// How much of `quantity` the Free Tier covers.
    pub free_quantity: Dec,
    pub monthly_after_free_tier_usd: Option<Dec>,
}

impl Line {
    pub fn describe(&self, lang: Lang) -> String {
        match &self.charge {
            Charge::InstanceHours {
                instance_type,
                platform,
            } => format!(
                "{instance_type} ({platform}) {}",
                lang.pick("instance hours", "インスタンス時間")
            ),
            Charge::Volume { volume_type } => {
                format!("EBS {volume_type} {}", lang.pick("storage", "ストレージ"))
            }
            Charge::PublicIpv4 { holder } => lang
                .pick(
                    match holder {
                        Ipv4Holder::Instance => "public IPv4 address",
                        Ipv4Holder::LoadBalancer => "public IPv4 address (load balancer)",
                        Ipv4Holder::ElasticIp => "Elastic IP address (in use)",
                        Ipv4Holder::IdleElasticIp => "Elastic IP address (idle)",
                    },
                    match holder {
                        Ipv4Holder::Instance => "パブリック IPv4 アドレス",
                        Ipv4Holder::LoadBalancer => "パブリック IPv4 アドレス（ロードバランサー）",
                        Ipv4Holder::ElasticIp => "Elastic IP アドレス（使用中）",
                        Ipv4Holder::IdleElasticIp => "Elastic IP アドレス（未使用）",
                    },
                )
                .into(),
            Charge::DbHours {
                class,
                engine,
                multi_az,
            } => format!(
                "{class} {engine} {} {}",
                if *multi_az { "Multi-AZ" } else { "Single-AZ" },
                lang.pick("instance hours", "インスタンス時間")
            ),
            Charge::DbStorage { storage_type, .. } => {
                format!("RDS {storage_type} {}", lang.pick("storage", "ストレージ"))
            }
            Charge::LoadBalancerHours { lb_kind } => format!(
                "{} {}",
                match lb_kind.as_str() {
                    "application" => "ALB",
                    "network" => "NLB",
                    "gateway" => "GWLB",
                    other => other,
                },
                lang.pick("hours", "時間")
            ),
            Charge::LoadBalancerCapacityUnits => lang
                .pick(
                    "ALB capacity units (LCU)",
                    "ALB キャパシティユニット（LCU）",
                )
                .into(),
            Charge::S3Standard => lang.pick("S3 Standard storage", "S3 標準ストレージ").into(),
            Charge::DbExtendedSupport {
                engine,
                major_version,
                ..
            } => t!(
                lang,
                "RDS Extended Support ({engine} {major_version})",
                "RDS 延長サポート（{engine} {major_version}）"
            ),
            Charge::NatGatewayHours => lang
                .pick("NAT gateway hours", "NAT ゲートウェイ時間")
                .into(),
        }
    }

    pub fn unpriced(&self, lang: Lang) -> Option<&str> {
        match lang {
            Lang::En => self.unpriced_en.as_deref(),
            Lang::Ja => self.unpriced_ja.as_deref(),
        }
    }
}

/// GB from bytes, as S3 and the calculator count them (GiB), to two places.
pub fn gb_of_bytes(bytes: u64) -> Dec {
    Dec::from_int(bytes as i64)
        .divided_by(Dec::from_int(1024 * 1024 * 1024))
        .unwrap_or(Dec::ZERO)
        .round(2)
}

/// The unpriced lines' `(en, ja)` reason.
pub(crate) type Why = (String, String);

/// The lines of what the student built, unpriced yet: quantities from the assumptions, every
/// instance and DB priced as if it runs the assumed hours (as the calculator does); `today`
/// decides RDS Extended Support.
pub fn lines(inventory: &Inventory, a: &Assumptions, today: NaiveDate) -> Vec<Line> {
    lines_of(inventory, a, today, false)
}

/// The lines of what is left in a Region, as it is billed now: a stopped instance or DB costs
/// its storage (and addresses), not its hours.
pub fn standing_lines(inventory: &Inventory, a: &Assumptions, today: NaiveDate) -> Vec<Line> {
    lines_of(inventory, a, today, true)
}

/// The lines being gathered for one Region.
struct Gathered<'a> {
    region: &'a str,
    a: &'a Assumptions,
    /// Priced as billed now: a stopped instance or DB costs its storage, not its hours.
    as_they_are: bool,
    out: Vec<Line>,
}

impl Gathered<'_> {
    fn push(&mut self, service: &str, resource: &str, charge: Charge, quantity: Dec, unit: &str) {
        self.out.push(Line {
            service: service.into(),
            resource: resource.into(),
            charge,
            region: self.region.to_string(),
            quantity,
            unit: unit.into(),
            price: None,
            unpriced_en: None,
            unpriced_ja: None,
            monthly_usd: None,
            free_quantity: Dec::ZERO,
            monthly_after_free_tier_usd: None,
        });
    }

    /// Each instance's hours, its volumes and its public IPv4 addresses; loose volumes.
    fn instances(&mut self, inventory: &Inventory) {
        for i in &inventory.instances {
            let label = match &i.name {
                Some(name) => format!("{} ({name})", i.id),
                None => i.id.clone(),
            };
            if !(self.as_they_are && i.state != "running") {
                self.push(
                    "Amazon EC2",
                    &label,
                    Charge::InstanceHours {
                        instance_type: i.instance_type.clone(),
                        platform: i.platform.clone(),
                    },
                    self.a.hours_per_month,
                    "Hrs",
                );
            }
            for v in &i.volumes {
                self.volume(v);
            }
            for ip in &i.public_ipv4 {
                self.push(
                    "Amazon VPC",
                    ip,
                    Charge::PublicIpv4 {
                        holder: Ipv4Holder::Instance,
                    },
                    self.a.hours_per_month,
                    "Hrs",
                );
            }
        }
        for v in &inventory.unattached_volumes {
            self.volume(v);
        }
    }

    /// An EBS volume's storage, attached or not.
    fn volume(&mut self, v: &Volume) {
        self.push(
            "Amazon EC2",
            &v.id,
            Charge::Volume {
                volume_type: v.volume_type.clone(),
            },
            Dec::from_int(v.size_gb as i64),
            "GB-Mo",
        );
    }

    /// Elastic IPs not already an instance's address.
    fn elastic_ips(&mut self, inventory: &Inventory) {
        // An Elastic IP on a listed instance is already that instance's address.
        let on_instances = |ip: &str| {
            inventory
                .instances
                .iter()
                .any(|i| i.public_ipv4.iter().any(|p| p == ip))
        };
        for eip in inventory
            .elastic_ips
            .iter()
            .filter(|e| !on_instances(&e.public_ip))
        {
            let holder = if eip.is_idle() {
                Ipv4Holder::IdleElasticIp
            } else {
                Ipv4Holder::ElasticIp
            };
            let label = match &eip.name {
                Some(name) => format!("{} ({name})", eip.public_ip),
                None => format!("{} ({})", eip.public_ip, eip.allocation_id),
            };
            self.push(
                "Amazon VPC",
                &label,
                Charge::PublicIpv4 { holder },
                self.a.hours_per_month,
                "Hrs",
            );
        }
    }

    /// Each database's hours, storage and, past its standard support, Extended Support.
    fn databases(&mut self, inventory: &Inventory, today: NaiveDate) {
        for db in &inventory.databases {
            let stopped = db.status == "stopped";
            if !(self.as_they_are && stopped) {
                self.push(
                    "Amazon RDS",
                    &db.id,
                    Charge::DbHours {
                        class: db.class.clone(),
                        engine: db.engine.clone(),
                        multi_az: db.multi_az,
                    },
                    self.a.hours_per_month,
                    "Hrs",
                );
            }
            self.push(
                "Amazon RDS",
                &db.id,
                Charge::DbStorage {
                    storage_type: db.storage_type.clone(),
                    engine: db.engine.clone(),
                    multi_az: db.multi_az,
                },
                Dec::from_int(db.storage_gb as i64),
                "GB-Mo",
            );
            // Billed per vCPU for every hour the instance runs (a Multi-AZ standby too).
            if let Some((usage_type, major_version)) =
                lifecycle::extended_support(&db.engine, &db.engine_version, today)
                && !(self.as_they_are && stopped)
            {
                let vcpus =
                    lifecycle::vcpus(&db.class).unwrap_or(1) * if db.multi_az { 2 } else { 1 };
                self.push(
                    "Amazon RDS",
                    &db.id,
                    Charge::DbExtendedSupport {
                        engine: db.engine.clone(),
                        major_version,
                        usage_type,
                    },
                    self.a.hours_per_month.times(Dec::from_int(vcpus as i64)),
                    "vCPU-Hrs",
                );
            }
        }
    }

    /// Each load balancer's hours, its public addresses and (an ALB) its capacity units.
    fn load_balancers(&mut self, inventory: &Inventory) {
        let albs = inventory
            .load_balancers
            .iter()
            .filter(|lb| lb.kind == "application")
            .count()
            .max(1) as i64;
        for lb in &inventory.load_balancers {
            self.push(
                "Elastic Load Balancing",
                &lb.name,
                Charge::LoadBalancerHours {
                    lb_kind: lb.kind.clone(),
                },
                self.a.hours_per_month,
                "Hrs",
            );
            if lb.scheme == "internet-facing" {
                for az in &lb.availability_zones {
                    self.push(
                        "Amazon VPC",
                        &format!("{} ({az})", lb.name),
                        Charge::PublicIpv4 {
                            holder: Ipv4Holder::LoadBalancer,
                        },
                        self.a.hours_per_month,
                        "Hrs",
                    );
                }
            }
            if lb.kind == "application" {
                // Processed bytes: 1 LCU = 1 GB an hour (EC2 targets), so a month's GB spread over
                // the month are that many LCU-hours; the traffic is split evenly between ALBs.
                let share = self
                    .a
                    .alb_processed_gb
                    .divided_by(Dec::from_int(albs))
                    .unwrap_or(Dec::ZERO);
                self.push(
                    "Elastic Load Balancing",
                    &lb.name,
                    Charge::LoadBalancerCapacityUnits,
                    share,
                    "LCU-Hrs",
                );
            }
        }
    }

    /// NAT gateways' hours and the S3 storage.
    fn nat_and_s3(&mut self, inventory: &Inventory) {
        for nat in &inventory.nat_gateways {
            self.push(
                "Amazon VPC",
                &nat.id,
                Charge::NatGatewayHours,
                self.a.hours_per_month,
                "Hrs",
            );
        }
        if !inventory.buckets.is_empty() {
            let names: Vec<&str> = inventory.buckets.iter().map(|b| b.name.as_str()).collect();
            let s3_gb = self.a.s3_gb;
            self.push(
                "Amazon S3",
                &names.join(", "),
                Charge::S3Standard,
                s3_gb,
                "GB-Mo",
            );
            // Buckets elsewhere are priced in the working Region's S3 price (the usual case is one).
            if let (Some(s3), Some(bucket)) = (self.out.last_mut(), inventory.buckets.first()) {
                s3.region = bucket.region.clone();
            }
        }
    }
}

fn lines_of(
    inventory: &Inventory,
    a: &Assumptions,
    today: NaiveDate,
    as_they_are: bool,
) -> Vec<Line> {
    let mut gathered = Gathered {
        region: &inventory.region,
        a,
        as_they_are,
        out: Vec::new(),
    };
    gathered.instances(inventory);
    gathered.elastic_ips(inventory);
    gathered.databases(inventory, today);
    gathered.load_balancers(inventory);
    gathered.nat_and_s3(inventory);
    gathered.out
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Totals {
    pub monthly_usd: Dec,
    pub yearly_usd: Dec,
    pub monthly_after_free_tier_usd: Dec,
    pub yearly_after_free_tier_usd: Dec,
    /// Lines without a price: the totals leave them out, and say so.
    pub unpriced: usize,
}

pub fn totals(lines: &[Line]) -> Totals {
    let monthly: Dec = lines.iter().filter_map(|l| l.monthly_usd).sum();
    let after: Dec = lines
        .iter()
        .filter_map(|l| l.monthly_after_free_tier_usd)
        .sum();
    let twelve = Dec::from_int(12);
    Totals {
        monthly_usd: monthly,
        yearly_usd: monthly.times(twelve),
        monthly_after_free_tier_usd: after,
        yearly_after_free_tier_usd: after.times(twelve),
        unpriced: lines.iter().filter(|l| l.price.is_none()).count(),
    }
}

/// A JPY figure: USD × rate, to the yen.
pub fn to_jpy(usd: Dec, jpy_per_usd: Dec) -> Dec {
    usd.times(jpy_per_usd).round(0)
}

#[cfg(test)]
pub(super) mod fixtures;

#[cfg(test)]
mod tests {
    use super::fixtures::*;
    use super::*;

    #[test]
    fn the_seed_account_priced_by_hand() {
        let lines = priced_seed_lines();
        let monthly: Vec<String> = lines
            .iter()
            .map(|l| l.monthly_usd.unwrap().plain())
            .collect();
        // 730 × 0.0152, 30 × 0.12, 730 × 0.005, 730 × 0.026, 20 × 0.138, 730 × 0.0243,
        // 10 LCU-h × 0.008, 10 × 0.025:
        assert_eq!(
            monthly,
            [
                "11.096", "3.6", "3.65", "18.98", "2.76", "17.739", "0.08", "0.25"
            ]
        );
        let t = totals(&lines);
        // 11.096 + 3.6 + 3.65 + 18.98 + 2.76 + 17.739 + 0.08 + 0.25 = 58.155; × 12 = 697.86.
        assert_eq!(t.monthly_usd, d("58.155"));
        assert_eq!(t.yearly_usd, d("697.86"));
        assert_eq!(t.unpriced, 0);
        // At 150 JPY: 8,723.25 → 8,723 yen a month; 104,679 a year.
        assert_eq!(to_jpy(t.monthly_usd, d("150")), d("8723"));
        assert_eq!(to_jpy(t.yearly_usd, d("150")), d("104679"));
        // The seed report's rate: 697.86 × 138.27 = 96,493.10… → 96,493.
        assert_eq!(to_jpy(t.yearly_usd, d("138.27")), d("96493"));
    }

    #[test]
    fn the_largest_drivers_come_first_with_their_share() {
        let lines = priced_seed_lines();
        let top = drivers(&lines, d("58.155"));
        let picked: Vec<usize> = top.iter().map(|d| d.line).collect();
        // RDS hours 18.98, ALB hours 17.739, EC2 hours 11.096.
        assert_eq!(picked, [3, 5, 0]);
        // 18.98 / 58.155 = 32.637…% → 32.6.
        assert_eq!(top[0].percent, d("32.6"));
        assert!(top[0].advice_en.contains("Stop the DB"));
    }

    #[test]
    fn bucket_bytes_become_gib() {
        assert_eq!(gb_of_bytes(10 * 1024 * 1024 * 1024), d("10"));
        // 1.5 GB written as 1,500,000,000 bytes is 1.3969… GiB → 1.40.
        assert_eq!(gb_of_bytes(1_500_000_000), d("1.4"));
    }
}
