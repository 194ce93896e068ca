//! Which Price List product each line needs (`query`) and its monthly cost from the products
//! found (`price_line`).

use super::{Candidate, Charge, Ipv4Holder, Line, LinePrice, PriceSource, Why, lifecycle};
use crate::cloud::pricing::{PriceQuery, Product};

/// The Price List query for a line, or why the line cannot be priced. Every query names the
/// Region by `regionCode` and `locationType = AWS Region` (Local Zones and Outposts share a
/// Region's code), filters only on attributes the real documents carry, and names the whole
/// usage type where products of one family differ only by it.
pub fn query(line: &Line) -> Result<PriceQuery, Why> {
    let region = line.region.as_str();
    match &line.charge {
        Charge::InstanceHours {
            instance_type,
            platform,
        } => instance_query(region, instance_type, platform),
        Charge::Volume { volume_type } => {
            let q = in_region(
                region,
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
        // An idle Elastic IP has a usage type of its own (same price today).
        Charge::PublicIpv4 { holder } => Ok(in_region(
            region,
            "AmazonVPC",
            &[("group", "VPCPublicIPv4Address")],
        )
        .usage_type(match holder {
            Ipv4Holder::IdleElasticIp => "PublicIPv4:IdleAddress",
            _ => "PublicIPv4:InUseAddress",
        })),
        Charge::DbExtendedSupport { usage_type, .. } => {
            Ok(in_region(region, "AmazonRDS", &[]).usage_type(usage_type))
        }
        Charge::NatGatewayHours => {
            Ok(
                in_region(region, "AmazonEC2", &[("productFamily", "NAT Gateway")])
                    .usage_type("NatGateway-Hours"),
            )
        }
        Charge::DbHours {
            class,
            engine,
            multi_az,
        } => db_instance_query(region, class, engine, *multi_az),
        Charge::DbStorage {
            storage_type,
            engine,
            multi_az,
        } => db_storage_query(region, storage_type, engine, *multi_az),
        Charge::LoadBalancerHours { lb_kind } if lb_kind == "application" => Ok(in_region(
            region,
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
            region,
            "AWSELB",
            &[("productFamily", "Load Balancer-Application")],
        )
        .usage_type("LCUUsage")),
        Charge::S3Standard => Ok(in_region(
            region,
            "AmazonS3",
            &[("productFamily", "Storage"), ("volumeType", "Standard")],
        )
        .usage_type("TimedStorage-ByteHrs")),
    }
}

/// A query of `service` in `region` (by its code, in an AWS Region proper) with `filters`.
fn in_region(region: &str, service: &str, filters: &[(&str, &str)]) -> PriceQuery {
    let mut all = vec![("regionCode", region), ("locationType", "AWS Region")];
    all.extend_from_slice(filters);
    PriceQuery::new(service, &all)
}

/// An on-demand, shared-tenancy Linux instance (others are not priced).
fn instance_query(region: &str, instance_type: &str, platform: &str) -> Result<PriceQuery, Why> {
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
        region,
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

/// A DB instance's hours, by class, engine and deployment.
fn db_instance_query(
    region: &str,
    class: &str,
    engine: &str,
    multi_az: bool,
) -> Result<PriceQuery, Why> {
    let engine = rds_engine(engine)?;
    let usage = if multi_az {
        "Multi-AZUsage"
    } else {
        "InstanceUsage"
    };
    Ok(in_region(
        region,
        "AmazonRDS",
        &[
            ("productFamily", "Database Instance"),
            ("instanceType", class),
            ("databaseEngine", engine),
            ("deploymentOption", deployment(multi_az)),
        ],
    )
    .usage_type(&format!("{usage}:{class}")))
}

/// A DB's storage. The engine must be one lecture06 prices, but storage products are not per
/// engine: they say `databaseEngine = Any` (infracost's db_instance.go filters the same way).
fn db_storage_query(
    region: &str,
    storage_type: &str,
    engine: &str,
    multi_az: bool,
) -> Result<PriceQuery, Why> {
    rds_engine(engine)?;
    let (volume, usage) = match (storage_type, multi_az) {
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
        region,
        "AmazonRDS",
        &[
            ("productFamily", "Database Storage"),
            ("volumeType", volume),
            ("databaseEngine", "Any"),
            ("deploymentOption", deployment(multi_az)),
        ],
    );
    Ok(match usage {
        Some(usage) => q.usage_type(usage),
        None => q,
    })
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
                    "the embedded price snapshot has no price for it in {region} (it holds Tokyo prices and a few of Sydney's)"
                ),
                format!(
                    "組み込みの料金スナップショットに {region} の料金がありません（東京と一部のシドニーの料金のみ収録）"
                ),
            ),
        };
        // Extended Support is flagged with AWS's published rate, so the student sees the size.
        let (en, ja) = match &line.charge {
            Charge::DbExtendedSupport { usage_type, .. } => {
                let (rate, us_east) = lifecycle::published_rate(usage_type, region);
                let about = line
                    .quantity
                    .times(crate::decimal::Dec::parse(rate).unwrap_or_default())
                    .fixed(2);
                let (year_en, year_ja) = if usage_type.contains(":Yr3:") {
                    ("Year 3", "3 年目")
                } else {
                    ("Year 1–2", "1〜2 年目")
                };
                (
                    format!(
                        "{en}; AWS publishes about {rate} USD per vCPU-hour for {year_en} in {region} ({us_east} in US East), about {about} USD a month here — upgrade to a version in standard support (MySQL 8.4) to stop it"
                    ),
                    format!(
                        "{ja}。AWS の公表料金は {region} の{year_ja}で vCPU 時間あたり約 {rate} USD（米国東部は {us_east}）、この DB では月約 {about} USD です。標準サポート中のバージョン（MySQL 8.4）にアップグレードすれば止まります"
                    ),
                )
            }
            _ => (en, ja),
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

#[cfg(test)]
mod tests {
    use super::super::fixtures::*;
    use super::super::*;
    use crate::cloud::inventory::LoadBalancer;

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
            scheme: "internal".into(),
            availability_zones: Vec::new(),
        });
        let lines = lines(&inv, &assumptions(), today());
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

    /// MySQL 5.7 in December 2026 is in Year 3: the query asks for the Year 3 product, and
    /// without one the fallback quotes the Year 3 rate, twice Year 1–2 (Tokyo 0.240, US East
    /// 0.200), not Year 1–2's.
    #[test]
    fn year_3_extended_support_asks_for_and_quotes_the_year_3_rate() {
        for (region, rate, monthly) in [
            ("ap-northeast-1", "0.240 USD", "350.40"),
            ("us-east-1", "0.200 USD", "292.00"),
        ] {
            let mut inv = seed_inventory();
            inv.region = region.into();
            inv.databases[0].engine_version = "5.7.44".into();
            let mut line = lines(&inv, &assumptions(), today())
                .into_iter()
                .find(|l| matches!(l.charge, Charge::DbExtendedSupport { .. }))
                .expect("MySQL 5.7 in December 2026");
            assert_eq!(
                query(&line).unwrap().usage_type.as_deref(),
                Some("ExtendedSupport:Yr3:MySQL5.7")
            );
            price_line(&mut line, Vec::new(), PriceSource::PriceListApi, &|_| true);
            let en = line.unpriced_en.as_deref().unwrap();
            // 2 vCPU × 730 h × rate.
            assert!(
                en.contains(&format!("{rate} per vCPU-hour for Year 3 in {region}")),
                "{en}"
            );
            assert!(en.contains("(0.200 in US East)"), "{en}");
            assert!(en.contains(&format!("about {monthly} USD a month")), "{en}");
            let ja = line.unpriced_ja.as_deref().unwrap();
            assert!(ja.contains("3 年目"), "{ja}");
        }
    }

    #[test]
    fn extended_support_without_a_product_is_flagged_with_the_published_rate() {
        let mut inv = seed_inventory();
        inv.databases[0].engine_version = "8.0.40".into();
        let mut line = lines(&inv, &assumptions(), today())
            .into_iter()
            .find(|l| matches!(l.charge, Charge::DbExtendedSupport { .. }))
            .expect("MySQL 8.0 in December 2026");
        let q = query(&line).unwrap();
        assert_eq!(
            q.usage_type.as_deref(),
            Some("ExtendedSupport:Yr1-Yr2:MySQL8.0")
        );
        price_line(&mut line, Vec::new(), PriceSource::PriceListApi, &|_| true);
        assert!(line.monthly_usd.is_none(), "not priced without a product");
        let en = line.unpriced_en.as_deref().unwrap();
        // 2 vCPU × 730 h × 0.120 = 175.20.
        assert!(en.contains("0.120 USD per vCPU-hour for Year 1–2"), "{en}");
        assert!(en.contains("about 175.20 USD a month"), "{en}");
        assert!(en.contains("MySQL 8.4"), "{en}");
        let ja = line.unpriced_ja.as_deref().unwrap();
        assert!(ja.contains("月約 175.20 USD"), "{ja}");
    }

    #[test]
    fn queries_follow_the_price_list_attributes() {
        let lines = lines(&seed_inventory(), &assumptions(), today());
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
        let mut lines = lines(&seed_inventory(), &assumptions(), today());
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
}
