//! From an inventory and the student's usage assumptions to priced lines: which Price List
//! product each line needs (`query`), its monthly cost (`price_line`), the Free Tier's effect
//! (`apply_free_tier`), totals and the largest cost drivers with what would shrink them. Pure
//! functions on exact decimals, so the arithmetic is tested with figures worked out by hand.

use crate::cloud::inventory::Inventory;
use crate::cloud::pricing::{PriceQuery, Product};
use crate::decimal::Dec;
use crate::i18n::Lang;
use crate::t;
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
    PublicIpv4,
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
}

/// Where a price came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PriceSource {
    PriceListApi,
    Snapshot,
}

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
            Charge::PublicIpv4 => lang
                .pick("public IPv4 address", "パブリック IPv4 アドレス")
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
type Why = (String, String);

/// The lines of an inventory, unpriced yet: quantities from the assumptions.
pub fn lines(inventory: &Inventory, a: &Assumptions) -> Vec<Line> {
    let region = &inventory.region;
    let line = |service: &str, resource: &str, charge: Charge, quantity: Dec, unit: &str| Line {
        service: service.into(),
        resource: resource.into(),
        charge,
        region: region.clone(),
        quantity,
        unit: unit.into(),
        price: None,
        unpriced_en: None,
        unpriced_ja: None,
        monthly_usd: None,
        free_quantity: Dec::ZERO,
        monthly_after_free_tier_usd: None,
    };
    let mut out = Vec::new();
    for i in &inventory.instances {
        let label = match &i.name {
            Some(name) => format!("{} ({name})", i.id),
            None => i.id.clone(),
        };
        out.push(line(
            "Amazon EC2",
            &label,
            Charge::InstanceHours {
                instance_type: i.instance_type.clone(),
                platform: i.platform.clone(),
            },
            a.hours_per_month,
            "Hrs",
        ));
        for v in &i.volumes {
            out.push(line(
                "Amazon EC2",
                &v.id,
                Charge::Volume {
                    volume_type: v.volume_type.clone(),
                },
                Dec::from_int(v.size_gb as i64),
                "GB-Mo",
            ));
        }
        for ip in &i.public_ipv4 {
            out.push(line(
                "Amazon VPC",
                ip,
                Charge::PublicIpv4,
                a.hours_per_month,
                "Hrs",
            ));
        }
    }
    for db in &inventory.databases {
        out.push(line(
            "Amazon RDS",
            &db.id,
            Charge::DbHours {
                class: db.class.clone(),
                engine: db.engine.clone(),
                multi_az: db.multi_az,
            },
            a.hours_per_month,
            "Hrs",
        ));
        out.push(line(
            "Amazon RDS",
            &db.id,
            Charge::DbStorage {
                storage_type: db.storage_type.clone(),
                engine: db.engine.clone(),
                multi_az: db.multi_az,
            },
            Dec::from_int(db.storage_gb as i64),
            "GB-Mo",
        ));
    }
    let albs = inventory
        .load_balancers
        .iter()
        .filter(|lb| lb.kind == "application")
        .count()
        .max(1) as i64;
    for lb in &inventory.load_balancers {
        out.push(line(
            "Elastic Load Balancing",
            &lb.name,
            Charge::LoadBalancerHours {
                lb_kind: lb.kind.clone(),
            },
            a.hours_per_month,
            "Hrs",
        ));
        if lb.kind == "application" {
            // Processed bytes: 1 LCU = 1 GB an hour (EC2 targets), so a month's GB spread over
            // the month are that many LCU-hours; the traffic is split evenly between ALBs.
            let share = a
                .alb_processed_gb
                .divided_by(Dec::from_int(albs))
                .unwrap_or(Dec::ZERO);
            out.push(line(
                "Elastic Load Balancing",
                &lb.name,
                Charge::LoadBalancerCapacityUnits,
                share,
                "LCU-Hrs",
            ));
        }
    }
    if !inventory.buckets.is_empty() {
        let names: Vec<&str> = inventory.buckets.iter().map(|b| b.name.as_str()).collect();
        let mut s3 = line(
            "Amazon S3",
            &names.join(", "),
            Charge::S3Standard,
            a.s3_gb,
            "GB-Mo",
        );
        // Buckets elsewhere are priced in the working Region's S3 price (the usual case is one).
        s3.region = inventory
            .buckets
            .first()
            .map(|b| b.region.clone())
            .unwrap_or_else(|| region.clone());
        out.push(s3);
    }
    out
}

/// The Price List query for a line, or why the line cannot be priced. Every query names the
/// Region by `regionCode` and `locationType = AWS Region` (Local Zones and Outposts share a
/// Region's code), filters only on attributes the real documents carry, and names the whole
/// usage type where products of one family differ only by it.
pub fn query(line: &Line) -> Result<PriceQuery, Why> {
    let region = line.region.as_str();
    let in_region = |service: &str, filters: &[(&str, &str)]| {
        let mut all = vec![("regionCode", region), ("locationType", "AWS Region")];
        all.extend_from_slice(filters);
        PriceQuery::new(service, &all)
    };
    match &line.charge {
        Charge::InstanceHours {
            instance_type,
            platform,
        } => {
            if platform != "Linux/UNIX" {
                return Err((
                    format!(
                        "{platform} instances are not priced by lecture06 (only Linux/UNIX); add it on calculator.aws"
                    ),
                    format!(
                        "{platform} のインスタンスは lecture06 では価格を出せません（Linux/UNIX のみ）。calculator.aws で追加してください"
                    ),
                ));
            }
            Ok(in_region(
                "AmazonEC2",
                &[
                    ("productFamily", "Compute Instance"),
                    ("instanceType", instance_type),
                    ("operatingSystem", "Linux"),
                    ("tenancy", "Shared"),
                    ("preInstalledSw", "NA"),
                    ("capacitystatus", "Used"),
                ],
            ))
        }
        Charge::Volume { volume_type } => {
            let q = in_region(
                "AmazonEC2",
                &[("productFamily", "Storage"), ("volumeApiName", volume_type)],
            );
            // The per-GB product (gp3 also has IOPS and throughput products of its own).
            Ok(match volume_type.as_str() {
                "gp2" | "gp3" => q.usage_type(&format!("EBS:VolumeUsage.{volume_type}")),
                _ => q,
            })
        }
        // No productFamily on these documents: the group and the usage type find them.
        Charge::PublicIpv4 => Ok(in_region("AmazonVPC", &[("group", "VPCPublicIPv4Address")])
            .usage_type("PublicIPv4:InUseAddress")),
        Charge::DbHours {
            class,
            engine,
            multi_az,
        } => {
            let engine = rds_engine(engine)?;
            let usage = if *multi_az {
                "Multi-AZUsage"
            } else {
                "InstanceUsage"
            };
            Ok(in_region(
                "AmazonRDS",
                &[
                    ("productFamily", "Database Instance"),
                    ("instanceType", class),
                    ("databaseEngine", engine),
                    ("deploymentOption", deployment(*multi_az)),
                ],
            )
            .usage_type(&format!("{usage}:{class}")))
        }
        Charge::DbStorage {
            storage_type,
            engine,
            multi_az,
        } => {
            // The engine must be one lecture06 prices, but storage products are not per engine:
            // they say `databaseEngine = Any` (infracost's db_instance.go filters the same way).
            rds_engine(engine)?;
            let (volume, usage) = match (storage_type.as_str(), *multi_az) {
                ("gp2", false) => ("General Purpose", Some("RDS:GP2-Storage")),
                ("gp2", true) => ("General Purpose", Some("RDS:Multi-AZ-GP2-Storage")),
                ("gp3", false) => ("General Purpose-GP3", Some("RDS:GP3-Storage")),
                ("gp3", true) => ("General Purpose-GP3", Some("RDS:Multi-AZ-GP3-Storage")),
                ("standard", _) => ("Magnetic", None),
                (other, _) => {
                    return Err((
                        format!(
                            "RDS {other} storage (with provisioned IOPS) is not priced by lecture06; add it on calculator.aws"
                        ),
                        format!(
                            "RDS の {other} ストレージ（プロビジョンド IOPS）は lecture06 では価格を出せません。calculator.aws で追加してください"
                        ),
                    ));
                }
            };
            let q = in_region(
                "AmazonRDS",
                &[
                    ("productFamily", "Database Storage"),
                    ("volumeType", volume),
                    ("databaseEngine", "Any"),
                    ("deploymentOption", deployment(*multi_az)),
                ],
            );
            Ok(match usage {
                Some(usage) => q.usage_type(usage),
                None => q,
            })
        }
        Charge::LoadBalancerHours { lb_kind } if lb_kind == "application" => Ok(in_region(
            "AWSELB",
            &[("productFamily", "Load Balancer-Application")],
        )
        .usage_type("LoadBalancerUsage")),
        Charge::LoadBalancerHours { lb_kind } => Err((
            format!(
                "{lb_kind} load balancers are not priced by lecture06 (only ALBs); add it on calculator.aws"
            ),
            format!(
                "{lb_kind} タイプのロードバランサーは lecture06 では価格を出せません（ALB のみ）。calculator.aws で追加してください"
            ),
        )),
        Charge::LoadBalancerCapacityUnits => Ok(in_region(
            "AWSELB",
            &[("productFamily", "Load Balancer-Application")],
        )
        .usage_type("LCUUsage")),
        Charge::S3Standard => Ok(in_region(
            "AmazonS3",
            &[("productFamily", "Storage"), ("volumeType", "Standard")],
        )
        .usage_type("TimedStorage-ByteHrs")),
    }
}

fn deployment(multi_az: bool) -> &'static str {
    if multi_az { "Multi-AZ" } else { "Single-AZ" }
}

fn rds_engine(engine: &str) -> Result<&'static str, Why> {
    match engine {
        "mysql" => Ok("MySQL"),
        "postgres" => Ok("PostgreSQL"),
        "mariadb" => Ok("MariaDB"),
        other => Err((
            format!(
                "the RDS engine {other} is not priced by lecture06 (MySQL, PostgreSQL, MariaDB only); add it on calculator.aws"
            ),
            format!(
                "RDS のエンジン {other} は lecture06 では価格を出せません（MySQL・PostgreSQL・MariaDB のみ）。calculator.aws で追加してください"
            ),
        )),
    }
}

/// Prices a line with the products the Price List returned for its query. One product is the
/// normal case. When several still match, none is picked silently: the line takes the one that
/// costs the most for its quantity (so the estimate is not too low), keeps every candidate, and
/// says so (`LinePrice::ambiguity`).
pub fn price_line(
    line: &mut Line,
    mut products: Vec<Product>,
    source: PriceSource,
    confirmed: &dyn Fn(&str) -> bool,
) {
    products.sort_by(|a, b| a.sku.cmp(&b.sku));
    let matched = products.len();
    let candidates: Vec<Candidate> = if matched > 1 {
        products
            .iter()
            .map(|p| Candidate {
                sku: p.sku.clone(),
                usage_type: p.attributes.get("usagetype").cloned().unwrap_or_default(),
                usd_per_unit: p.first_price().map(|d| d.usd),
                monthly_usd: p.cost_of(line.quantity),
            })
            .collect()
    } else {
        Vec::new()
    };
    // The costliest product that can price the quantity; ties go to the first SKU.
    let chosen = products
        .iter()
        .enumerate()
        .filter_map(|(i, p)| Some((i, p.first_price()?, p.cost_of(line.quantity)?)))
        .max_by(|a, b| a.2.cmp(&b.2).then(b.0.cmp(&a.0)));
    let Some(product) = products.first() else {
        let region = &line.region;
        let (en, ja) = match source {
            PriceSource::PriceListApi => (
                format!("the Price List has no such product in {region}"),
                format!("Price List に {region} の該当製品がありません"),
            ),
            PriceSource::Snapshot => (
                format!(
                    "the embedded price snapshot has no price for it in {region} (it holds Tokyo prices only)"
                ),
                format!(
                    "組み込みの料金スナップショットに {region} の料金がありません（東京リージョンのみ収録）"
                ),
            ),
        };
        line.unpriced_en = Some(en);
        line.unpriced_ja = Some(ja);
        return;
    };
    let Some((index, first, cost)) = chosen else {
        line.unpriced_en = Some(format!(
            "the product {} has no usable on-demand price",
            product.sku
        ));
        line.unpriced_ja = Some(format!(
            "製品 {} に使えるオンデマンド料金がありません",
            product.sku
        ));
        return;
    };
    let product = &products[index];
    line.price = Some(LinePrice {
        sku: product.sku.clone(),
        usd_per_unit: first.usd,
        unit: first.unit.clone(),
        description: first.description.clone(),
        source,
        confirmed: source == PriceSource::PriceListApi || confirmed(&product.sku),
        matched,
        candidates,
    });
    line.monthly_usd = Some(cost);
    line.monthly_after_free_tier_usd = Some(cost);
}

/// Which Free Tier the account has.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FreeTier {
    /// Accounts created before 2025-07-15: the 12-month offers.
    Legacy,
    /// Accounts created from 2025-07-15: the Free plan's credits (up to 200 USD, 6 months).
    Credit,
    None,
}

impl FreeTier {
    pub fn id(self) -> &'static str {
        match self {
            FreeTier::Legacy => "legacy",
            FreeTier::Credit => "credit",
            FreeTier::None => "none",
        }
    }

    pub fn parse(text: &str) -> Option<FreeTier> {
        match text.trim() {
            "legacy" => Some(FreeTier::Legacy),
            "credit" => Some(FreeTier::Credit),
            "none" => Some(FreeTier::None),
            _ => None,
        }
    }
}

/// The legacy offers lecture06 applies, per month, shared by every resource of the account.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Offer {
    /// 750 h of t2.micro (t3.micro where t2 is unavailable), Linux.
    MicroInstanceHours,
    /// 30 GB of EBS (General Purpose or Magnetic).
    EbsGb,
    /// 750 h of in-use public IPv4 (since 2024-02-01).
    PublicIpv4Hours,
    /// 750 h of db.t2/t3/t4g.micro Single-AZ (MySQL, PostgreSQL, MariaDB).
    DbMicroHours,
    /// 20 GB of RDS General Purpose storage.
    DbStorageGb,
    /// 750 h of ALB (shared with Classic).
    AlbHours,
    /// 15 LCU(-hours).
    AlbLcu,
    /// 5 GB of S3 Standard.
    S3Gb,
}

impl Offer {
    fn allowance(self) -> Dec {
        Dec::from_int(match self {
            Offer::MicroInstanceHours
            | Offer::PublicIpv4Hours
            | Offer::DbMicroHours
            | Offer::AlbHours => 750,
            Offer::EbsGb => 30,
            Offer::DbStorageGb => 20,
            Offer::AlbLcu => 15,
            Offer::S3Gb => 5,
        })
    }

    fn of(charge: &Charge) -> Option<Offer> {
        match charge {
            Charge::InstanceHours {
                instance_type,
                platform,
            } if platform == "Linux/UNIX"
                && (instance_type == "t2.micro" || instance_type == "t3.micro") =>
            {
                Some(Offer::MicroInstanceHours)
            }
            Charge::Volume { volume_type }
                if ["gp2", "gp3", "standard"].contains(&volume_type.as_str()) =>
            {
                Some(Offer::EbsGb)
            }
            Charge::PublicIpv4 => Some(Offer::PublicIpv4Hours),
            Charge::DbHours {
                class, multi_az, ..
            } if !multi_az
                && ["db.t2.micro", "db.t3.micro", "db.t4g.micro"].contains(&class.as_str()) =>
            {
                Some(Offer::DbMicroHours)
            }
            Charge::DbStorage { storage_type, .. }
                if storage_type == "gp2" || storage_type == "gp3" =>
            {
                Some(Offer::DbStorageGb)
            }
            Charge::LoadBalancerHours { lb_kind } if lb_kind == "application" => {
                Some(Offer::AlbHours)
            }
            Charge::LoadBalancerCapacityUnits => Some(Offer::AlbLcu),
            Charge::S3Standard => Some(Offer::S3Gb),
            _ => None,
        }
    }
}

/// Offsets the legacy offers against the lines in order (an allowance is the account's, not each
/// resource's: two t2.micro instances share the 750 hours). Credit and none leave the cost as is:
/// credits pay the bill, they do not lower it.
pub fn apply_free_tier(lines: &mut [Line], plan: FreeTier) {
    let mut left: std::collections::BTreeMap<Offer, Dec> = Default::default();
    for line in lines.iter_mut() {
        line.free_quantity = Dec::ZERO;
        line.monthly_after_free_tier_usd = line.monthly_usd;
        if plan != FreeTier::Legacy {
            continue;
        }
        let (Some(offer), Some(price)) = (Offer::of(&line.charge), &line.price) else {
            continue;
        };
        let remaining = left.entry(offer).or_insert_with(|| offer.allowance());
        let free = line.quantity.min(*remaining);
        *remaining = *remaining - free;
        line.free_quantity = free;
        // The free units are the first ones, so they are charged at the first tier's price.
        let after = line
            .monthly_usd
            .map(|m| (m - free.times(price.usd_per_unit)).max(Dec::ZERO));
        line.monthly_after_free_tier_usd = after;
    }
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

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Driver {
    pub line: usize,
    pub monthly_usd: Dec,
    /// Share of the monthly total, in percent (one decimal).
    pub percent: Dec,
    pub advice_en: String,
    pub advice_ja: String,
}

/// The (at most) three lines that cost the most, with what would shrink each.
pub fn drivers(lines: &[Line], monthly_total: Dec) -> Vec<Driver> {
    let mut priced: Vec<(usize, Dec)> = lines
        .iter()
        .enumerate()
        .filter_map(|(i, l)| l.monthly_usd.map(|m| (i, m)))
        .filter(|(_, m)| !m.is_zero())
        .collect();
    priced.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    priced
        .into_iter()
        .take(3)
        .map(|(i, monthly)| {
            let (en, ja) = advice(&lines[i].charge);
            Driver {
                line: i,
                monthly_usd: monthly,
                percent: monthly
                    .times(Dec::from_int(100))
                    .divided_by(monthly_total)
                    .unwrap_or(Dec::ZERO)
                    .round(1),
                advice_en: en.into(),
                advice_ja: ja.into(),
            }
        })
        .collect()
}

fn advice(charge: &Charge) -> (&'static str, &'static str) {
    match charge {
        Charge::DbHours { multi_az: true, .. } => (
            "Multi-AZ doubles the instance price: use Single-AZ for a practice app, and stop the DB when you are not using it (RDS starts a stopped DB again after 7 days).",
            "Multi-AZ はインスタンス料金が 2 倍です。練習用なら Single-AZ にし、使わないときは DB を停止しましょう（停止した DB は 7 日後に自動で起動します）。",
        ),
        Charge::DbHours { .. } => (
            "Stop the DB instance when you are not using it (RDS starts it again after 7 days, so stop it again or automate it), or delete it after the course with a final snapshot.",
            "使わないときは DB インスタンスを停止しましょう（7 日後に自動で起動するので、再度停止するか自動化を）。講座の後は最終スナップショットを取って削除できます。",
        ),
        Charge::DbStorage { .. } => (
            "Storage is charged while the DB is stopped too: allocate only what you need (20 GB is the minimum for gp2).",
            "ストレージは DB の停止中も課金されます。必要な分だけ割り当てましょう（gp2 の最小は 20 GB）。",
        ),
        Charge::LoadBalancerHours { .. } => (
            "An ALB is charged every hour it exists, traffic or not: delete it when you are not practising and re-create it (CloudFormation/Terraform makes that quick).",
            "ALB はトラフィックがなくても存在する間ずっと課金されます。練習しないときは削除し、必要なときに作り直しましょう（CloudFormation や Terraform なら簡単です）。",
        ),
        Charge::LoadBalancerCapacityUnits => (
            "LCUs follow traffic: a practice app's are small; check the assumption of GB processed.",
            "LCU はトラフィックに比例します。練習用アプリでは小さいので、処理する GB の前提を確認しましょう。",
        ),
        Charge::InstanceHours { .. } => (
            "Stop the instance when you are not using it (instance hours stop; EBS is still charged), or pick a smaller or newer type (t3/t4g).",
            "使わないときはインスタンスを停止しましょう（インスタンス時間の課金が止まります。EBS は課金されます）。より小さい・新しいタイプ（t3/t4g）も検討を。",
        ),
        Charge::Volume { .. } => (
            "Shrink the volume to what you use, move gp2 to gp3 (about 20 % cheaper), and delete volumes and snapshots left behind.",
            "使う分だけの容量にし、gp2 を gp3 に変え（約 2 割安い）、残ったボリュームやスナップショットを削除しましょう。",
        ),
        Charge::PublicIpv4 => (
            "Every public IPv4 address costs 0.005 USD an hour: release Elastic IPs you do not use, and avoid auto-assigned ones where not needed.",
            "パブリック IPv4 アドレスは 1 個 1 時間 0.005 USD です。使っていない Elastic IP を解放し、不要な自動割り当てを避けましょう。",
        ),
        Charge::S3Standard => (
            "Delete what you no longer need (CloudTrail data-event logs grow fast) and set lifecycle rules to expire or move old objects.",
            "不要なオブジェクトを削除し（CloudTrail のデータイベントのログはすぐ増えます）、ライフサイクルルールで古いものを削除・移動しましょう。",
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cloud::inventory::{Bucket, Database, Instance, LoadBalancer, Volume};
    use crate::cloud::pricing::PriceDimension;

    fn d(text: &str) -> Dec {
        Dec::parse(text).unwrap()
    }

    /// The seed report's account.
    fn seed_inventory() -> Inventory {
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
            }],
            load_balancers: vec![LoadBalancer {
                name: "alb".into(),
                arn: "arn".into(),
                dns_name: "alb.example".into(),
                kind: "application".into(),
                state: "active".into(),
            }],
            buckets: vec![Bucket {
                name: "b".into(),
                region: "ap-northeast-1".into(),
            }],
        }
    }

    fn assumptions() -> Assumptions {
        Assumptions {
            hours_per_month: d("730"),
            s3_gb: d("10"),
            alb_processed_gb: d("10"),
        }
    }

    fn product(usd: &str, unit: &str) -> Product {
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
    fn priced_seed_lines() -> Vec<Line> {
        let mut lines = lines(&seed_inventory(), &assumptions());
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
    fn legacy_free_tier_leaves_half_the_bucket() {
        let mut lines = priced_seed_lines();
        apply_free_tier(&mut lines, FreeTier::Legacy);
        let after: Vec<String> = lines
            .iter()
            .map(|l| l.monthly_after_free_tier_usd.unwrap().plain())
            .collect();
        // Everything fits its offer except S3: 10 GB − 5 GB free = 5 × 0.025 = 0.125.
        assert_eq!(after, ["0", "0", "0", "0", "0", "0", "0", "0.125"]);
        assert_eq!(lines[0].free_quantity, d("730"));
        assert_eq!(lines[7].free_quantity, d("5"));
        let t = totals(&lines);
        assert_eq!(t.monthly_after_free_tier_usd, d("0.125"));
        assert_eq!(t.yearly_after_free_tier_usd, d("1.5"));
        assert_eq!(t.monthly_usd, d("58.155"), "the full price is kept");
    }

    #[test]
    fn free_tier_hours_are_shared_by_the_account() {
        let mut inv = seed_inventory();
        let mut second = inv.instances[0].clone();
        second.id = "i-0def".into();
        second.volumes[0].id = "vol-2".into();
        second.volumes[0].size_gb = 8;
        inv.instances.push(second);
        let mut lines = lines(&inv, &assumptions());
        for line in lines.iter_mut() {
            let unit = line.unit.clone();
            let usd = match line.charge {
                Charge::InstanceHours { .. } => "0.0152",
                Charge::Volume { .. } => "0.12",
                Charge::PublicIpv4 => "0.005",
                _ => "0",
            };
            price_line(
                line,
                vec![product(usd, &unit)],
                PriceSource::Snapshot,
                &|_| false,
            );
        }
        apply_free_tier(&mut lines, FreeTier::Legacy);
        let second_instance = lines
            .iter()
            .find(|l| l.resource == "i-0def" && matches!(l.charge, Charge::InstanceHours { .. }))
            .unwrap();
        // 750 − 730 = 20 free hours left: (730 − 20) × 0.0152 = 10.792.
        assert_eq!(second_instance.free_quantity, d("20"));
        assert_eq!(
            second_instance.monthly_after_free_tier_usd,
            Some(d("10.792"))
        );
        let second_volume = lines.iter().find(|l| l.resource == "vol-2").unwrap();
        // The first volume used all 30 GB: 8 × 0.12 = 0.96.
        assert_eq!(second_volume.monthly_after_free_tier_usd, Some(d("0.96")));
        let ips: Vec<&Line> = lines
            .iter()
            .filter(|l| l.charge == Charge::PublicIpv4)
            .collect();
        // 1,460 IPv4 hours, 750 free: the second address pays (730 − 20) × 0.005 = 3.55.
        assert_eq!(ips[1].monthly_after_free_tier_usd, Some(d("3.55")));
    }

    #[test]
    fn credit_plan_and_none_change_nothing() {
        for plan in [FreeTier::Credit, FreeTier::None] {
            let mut lines = priced_seed_lines();
            apply_free_tier(&mut lines, plan);
            assert_eq!(totals(&lines).monthly_after_free_tier_usd, d("58.155"));
        }
    }

    #[test]
    fn what_cannot_be_priced_is_kept_and_named() {
        let mut inv = seed_inventory();
        inv.instances[0].platform = "Windows".into();
        inv.databases[0].engine = "oracle-ee".into();
        inv.load_balancers.push(LoadBalancer {
            name: "nlb".into(),
            arn: "arn2".into(),
            dns_name: "nlb.example".into(),
            kind: "network".into(),
            state: "active".into(),
        });
        let lines = lines(&inv, &assumptions());
        let unpriceable: Vec<String> = lines
            .iter()
            .filter_map(|l| query(l).err().map(|(en, _)| en))
            .collect();
        assert_eq!(unpriceable.len(), 4, "{unpriceable:?}");
        assert!(unpriceable[0].contains("Windows"));
        assert!(unpriceable[1].contains("oracle-ee"), "DB hours");
        assert!(unpriceable[2].contains("oracle-ee"), "DB storage");
        assert!(unpriceable[3].contains("network"));

        let mut missing = lines[0].clone();
        price_line(&mut missing, Vec::new(), PriceSource::PriceListApi, &|_| {
            true
        });
        assert!(missing.monthly_usd.is_none());
        assert!(
            missing
                .unpriced_en
                .as_deref()
                .unwrap()
                .contains("no such product")
        );
        let mut all = vec![missing];
        all.extend(priced_seed_lines());
        let t = totals(&all);
        assert_eq!(t.unpriced, 1);
        assert_eq!(
            t.monthly_usd,
            d("58.155"),
            "an unpriced line adds nothing, and is counted"
        );
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
    fn queries_follow_the_price_list_attributes() {
        let lines = lines(&seed_inventory(), &assumptions());
        let q = query(&lines[0]).unwrap();
        assert_eq!(q.service_code, "AmazonEC2");
        assert!(
            q.filters
                .contains(&("capacitystatus".into(), "Used".into()))
        );
        assert!(
            q.filters
                .contains(&("regionCode".into(), "ap-northeast-1".into()))
        );
        let storage = query(&lines[4]).unwrap();
        assert!(
            storage
                .filters
                .contains(&("volumeType".into(), "General Purpose".into()))
        );
        assert!(
            storage
                .filters
                .contains(&("databaseEngine".into(), "Any".into())),
            "storage products are not per engine"
        );
        assert_eq!(storage.usage_type.as_deref(), Some("RDS:GP2-Storage"));
        assert_eq!(
            query(&lines[6]).unwrap().usage_type.as_deref(),
            Some("LCUUsage")
        );
        let ipv4 = query(&lines[2]).unwrap();
        assert_eq!(ipv4.service_code, "AmazonVPC");
        assert!(
            !ipv4.filters.iter().any(|(k, _)| k == "productFamily"),
            "the public IPv4 documents have no productFamily"
        );
        for line in &lines {
            let q = query(line).unwrap();
            assert!(
                q.filters
                    .contains(&("locationType".into(), "AWS Region".into())),
                "{q:?}"
            );
        }
    }

    #[test]
    fn several_matching_products_flag_the_line_and_the_dearest_is_used() {
        let mut lines = lines(&seed_inventory(), &assumptions());
        let alb = &mut lines[5];
        let mut hours = product("0.0243", "Hrs");
        hours.sku = "B-HOURS".into();
        hours
            .attributes
            .insert("usagetype".into(), "APN1-LoadBalancerUsage".into());
        let mut trust = product("0.0054", "Hrs");
        trust.sku = "A-TRUST".into();
        trust
            .attributes
            .insert("usagetype".into(), "APN1-TS-LoadBalancerUsage".into());
        price_line(alb, vec![hours, trust], PriceSource::PriceListApi, &|_| {
            true
        });
        let price = alb.price.as_ref().unwrap();
        assert_eq!(price.matched, 2);
        assert_eq!(price.sku, "B-HOURS", "not the first SKU: the dearest");
        // 730 × 0.0243 = 17.739.
        assert_eq!(alb.monthly_usd, Some(d("17.739")));
        let en = price.ambiguity(Lang::En).unwrap();
        assert!(
            en.contains("A-TRUST (APN1-TS-LoadBalancerUsage, 0.0054 USD/Hrs)"),
            "{en}"
        );
        assert!(en.contains("B-HOURS at 0.0243 USD/Hrs"), "{en}");
        let ja = price.ambiguity(Lang::Ja).unwrap();
        assert!(ja.contains("2 製品が該当"), "{ja}");

        let mut one = lines[0].clone();
        price_line(
            &mut one,
            vec![product("0.0152", "Hrs")],
            PriceSource::PriceListApi,
            &|_| true,
        );
        assert_eq!(one.price.as_ref().unwrap().ambiguity(Lang::En), None);
    }

    #[test]
    fn bucket_bytes_become_gib() {
        assert_eq!(gb_of_bytes(10 * 1024 * 1024 * 1024), d("10"));
        // 1.5 GB written as 1,500,000,000 bytes is 1.3969… GiB → 1.40.
        assert_eq!(gb_of_bytes(1_500_000_000), d("1.4"));
    }
}
