//! Facts about versions and Regions that change what a line costs: which RDS engine versions are
//! past standard support (and so billed RDS Extended Support per vCPU-hour), a DB class's vCPUs,
//! and where t2.micro exists (the legacy Free Tier covers t3.micro only where it does not).

use chrono::{Months, NaiveDate};

/// A major version's RDS Extended Support: charged from `charged_from`, at the Year 3 rate two
/// years later. Sources (checked 2026-12-01):
/// - RDS for MySQL 8.0: end of standard support 2026-07-31, Extended Support charged from
///   2026-08-01 — the MySQL release calendar in the RDS User Guide
///   (docs.aws.amazon.com/AmazonRDS/latest/UserGuide/MySQL.Concepts.VersionMgmt.html), also in
///   infracost's `internal/resources/aws/db_instance.go` (`"8": Year1 2026-08-01, Year3
///   2028-08-01`). Instances are enrolled by default ("Amazon RDS Extended Support charges":
///   charges begin the day after the end of standard support).
/// - MySQL 5.7: charged from 2024-03-01; PostgreSQL 11: 2024-04-01; 12: 2025-03-01; 13:
///   2026-03-01 (same sources).
/// - The usage type is `<prefix>-ExtendedSupport:Yr1-Yr2:MySQL8.0` (or `Yr3`), as real Cost
///   Explorer lines show it (`APN2-ExtendedSupport:Yr1-Yr2:MySQL8.0`).
const EXTENDED_SUPPORT: [Major; 5] = [
    Major::new("mysql", "5.7", "MySQL5.7", (2024, 3, 1)),
    Major::new("mysql", "8.0", "MySQL8.0", (2026, 8, 1)),
    Major::new("postgres", "11", "PostgreSQL11", (2024, 4, 1)),
    Major::new("postgres", "12", "PostgreSQL12", (2025, 3, 1)),
    Major::new("postgres", "13", "PostgreSQL13", (2026, 3, 1)),
];

/// A major version with Extended Support: its engine, its name in the usage type, and the day
/// its charges start (year, month, day).
struct Major {
    engine: &'static str,
    version: &'static str,
    usage_name: &'static str,
    charged_from: (i32, u32, u32),
}

impl Major {
    const fn new(
        engine: &'static str,
        version: &'static str,
        usage_name: &'static str,
        charged_from: (i32, u32, u32),
    ) -> Major {
        Major {
            engine,
            version,
            usage_name,
            charged_from,
        }
    }
}

/// AWS's published rate per vCPU-hour when the Price List has no product for the line, as
/// `(rate in the DB's Region, rate in US East)`. Year 1–2: 0.100 USD in US East (N. Virginia) per
/// the RDS pricing pages; Asia Pacific Regions are dearer (Seoul's real bill shows 0.120 USD for
/// `APN2-ExtendedSupport:Yr1-Yr2:MySQL8.0`), and lecture06 quotes 0.120 outside US East as the
/// rate to expect. Year 3 is twice Year 1–2 ("Amazon RDS Extended Support costs": the Year 3
/// price is double): 0.200 in US East, 0.240 in Tokyo. The caller says it is not from the
/// Price List.
pub fn published_rate(usage_type: &str, region: &str) -> (&'static str, &'static str) {
    let year3 = usage_type.contains(":Yr3:");
    let us_east = if year3 { "0.200" } else { "0.100" };
    let here = match (region, year3) {
        ("us-east-1", _) => us_east,
        (_, true) => "0.240",
        (_, false) => "0.120",
    };
    (here, us_east)
}

/// The Extended Support a DB is billed on `today`: the usage type after the Region prefix
/// (`ExtendedSupport:Yr1-Yr2:MySQL8.0`) and the major version; `None` in standard support.
pub fn extended_support(engine: &str, version: &str, today: NaiveDate) -> Option<(String, String)> {
    let major = major_version(engine, version)?;
    let found = EXTENDED_SUPPORT
        .iter()
        .find(|m| m.engine == engine && m.version == major)?;
    let (y, m, d) = found.charged_from;
    let from = NaiveDate::from_ymd_opt(y, m, d)?;
    let name = found.usage_name;
    if today < from {
        return None;
    }
    let year3 = today >= from.checked_add_months(Months::new(24))?;
    let years = if year3 { "Yr3" } else { "Yr1-Yr2" };
    Some((format!("ExtendedSupport:{years}:{name}"), major.to_string()))
}

/// `8.0.40` → `8.0` for MySQL; `13.4` → `13` for PostgreSQL.
fn major_version<'a>(engine: &str, version: &'a str) -> Option<&'a str> {
    let parts = match engine {
        "mysql" => 2,
        "postgres" => 1,
        _ => return None,
    };
    let end = version
        .match_indices('.')
        .nth(parts - 1)
        .map(|(i, _)| i)
        .unwrap_or(version.len());
    Some(&version[..end]).filter(|m| !m.is_empty())
}

/// A DB instance class's vCPUs: db.t2.micro and db.t2.small have 1; micro to large have 2;
/// `xlarge` 4; `Nxlarge` 4 × N (RDS's instance-class tables). `None` for names it cannot read.
pub fn vcpus(class: &str) -> Option<u32> {
    let size = class.rsplit('.').next()?;
    if class == "db.t2.micro" || class == "db.t2.small" {
        return Some(1);
    }
    match size {
        "micro" | "small" | "medium" | "large" => Some(2),
        "xlarge" => Some(4),
        _ => size
            .strip_suffix("xlarge")?
            .parse::<u32>()
            .ok()
            .map(|n| n * 4),
    }
}

/// Regions that offer t2.micro (the Regions opened before 2017 in the standard partition); the
/// legacy Free Tier's 750 hours are "t2.micro, or t3.micro in the Regions where t2.micro is
/// unavailable", so a t3.micro is free only outside this list.
const T2_MICRO_REGIONS: [&str; 16] = [
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-south-1",
    "ap-southeast-1",
    "ap-southeast-2",
    "ca-central-1",
    "eu-central-1",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "sa-east-1",
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
];

/// The instance type the legacy Free Tier's 750 hours cover in `region`.
pub fn free_micro_type(region: &str) -> &'static str {
    if T2_MICRO_REGIONS.contains(&region) {
        "t2.micro"
    } else {
        "t3.micro"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    /// MySQL 5.7 (charged from 2024-03-01) and PostgreSQL 11 (from 2024-04-01) are in Year 3
    /// since March and April 2026, at twice the Year 1–2 rate.
    #[test]
    fn mysql_5_7_and_postgresql_11_are_in_year_3_in_2026_at_twice_the_rate() {
        let (mysql, _) = extended_support("mysql", "5.7.44", day("2026-12-01")).unwrap();
        assert_eq!(mysql, "ExtendedSupport:Yr3:MySQL5.7");
        assert_eq!(
            extended_support("mysql", "5.7.44", day("2026-02-28"))
                .unwrap()
                .0,
            "ExtendedSupport:Yr1-Yr2:MySQL5.7"
        );
        let (postgres, _) = extended_support("postgres", "11.22", day("2026-12-01")).unwrap();
        assert_eq!(postgres, "ExtendedSupport:Yr3:PostgreSQL11");
        assert_eq!(
            extended_support("postgres", "11.22", day("2026-03-31"))
                .unwrap()
                .0,
            "ExtendedSupport:Yr1-Yr2:PostgreSQL11"
        );
        assert_eq!(published_rate(&mysql, "ap-northeast-1"), ("0.240", "0.200"));
        assert_eq!(published_rate(&postgres, "us-east-1"), ("0.200", "0.200"));
        assert_eq!(
            published_rate("ExtendedSupport:Yr1-Yr2:MySQL8.0", "ap-northeast-1"),
            ("0.120", "0.100")
        );
        assert_eq!(
            published_rate("ExtendedSupport:Yr1-Yr2:MySQL8.0", "us-east-1"),
            ("0.100", "0.100")
        );
    }

    #[test]
    fn mysql_8_0_is_billed_extended_support_from_august_2026() {
        assert_eq!(extended_support("mysql", "8.0.40", day("2026-07-31")), None);
        assert_eq!(
            extended_support("mysql", "8.0.40", day("2026-08-01")),
            Some(("ExtendedSupport:Yr1-Yr2:MySQL8.0".into(), "8.0".into()))
        );
        assert_eq!(
            extended_support("mysql", "8.0.36", day("2028-08-01"))
                .unwrap()
                .0,
            "ExtendedSupport:Yr3:MySQL8.0"
        );
        assert_eq!(extended_support("mysql", "8.4.3", day("2026-12-01")), None);
        assert_eq!(
            extended_support("postgres", "12.22", day("2026-12-01"))
                .unwrap()
                .0,
            "ExtendedSupport:Yr1-Yr2:PostgreSQL12"
        );
        assert_eq!(extended_support("mysql", "", day("2026-12-01")), None);
        assert_eq!(
            extended_support("mariadb", "10.6.19", day("2026-12-01")),
            None
        );
    }

    #[test]
    fn vcpus_of_db_classes() {
        assert_eq!(vcpus("db.t3.micro"), Some(2));
        assert_eq!(vcpus("db.t2.micro"), Some(1));
        assert_eq!(vcpus("db.m5.xlarge"), Some(4));
        assert_eq!(vcpus("db.r6g.4xlarge"), Some(16));
        assert_eq!(vcpus("db.serverless"), None);
    }

    #[test]
    fn t3_micro_is_the_free_type_only_where_t2_micro_is_missing() {
        assert_eq!(free_micro_type("ap-northeast-1"), "t2.micro");
        assert_eq!(free_micro_type("eu-north-1"), "t3.micro");
    }
}
