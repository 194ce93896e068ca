//! The Free Tier's effect on priced lines: which legacy offer covers a line and how the account's
//! allowances are shared.

use super::{Charge, Ipv4Holder, Line, lifecycle};
use crate::decimal::Dec;
use serde::{Deserialize, Serialize};

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

    /// The offer that covers a line of `region`, if any.
    fn of(charge: &Charge, region: &str) -> Option<Offer> {
        match charge {
            // t2.micro, or t3.micro only in Regions where t2.micro is unavailable: a Tokyo
            // t3.micro is not free.
            Charge::InstanceHours {
                instance_type,
                platform,
            } if platform == "Linux/UNIX"
                && instance_type == lifecycle::free_micro_type(region) =>
            {
                Some(Offer::MicroInstanceHours)
            }
            Charge::Volume { volume_type }
                if ["gp2", "gp3", "standard"].contains(&volume_type.as_str()) =>
            {
                Some(Offer::EbsGb)
            }
            // The 750 hours are EC2's: an instance's in-use address, not a load balancer's nor
            // an idle Elastic IP.
            Charge::PublicIpv4 {
                holder: Ipv4Holder::Instance,
            } => Some(Offer::PublicIpv4Hours),
            Charge::DbHours {
                class, multi_az, ..
            } if !multi_az
                && ["db.t2.micro", "db.t3.micro", "db.t4g.micro"].contains(&class.as_str()) =>
            {
                Some(Offer::DbMicroHours)
            }
            // The offer is documented as "20 GB of General Purpose (SSD) storage" (gp2 on the
            // RDS pricing pages); whether gp3 counts is not stated. lecture06 applies it to gp3
            // too and the free-tier note under the table says it is uncertain.
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
        let (Some(offer), Some(price)) = (Offer::of(&line.charge, &line.region), &line.price)
        else {
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
#[cfg(test)]
mod tests {
    use super::super::fixtures::*;
    use super::super::*;

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
        let mut lines = lines(&inv, &assumptions(), today());
        for line in lines.iter_mut() {
            let unit = line.unit.clone();
            let usd = match line.charge {
                Charge::InstanceHours { .. } => "0.0152",
                Charge::Volume { .. } => "0.12",
                Charge::PublicIpv4 { .. } => "0.005",
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
            .filter(|l| matches!(l.charge, Charge::PublicIpv4 { .. }))
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
}
