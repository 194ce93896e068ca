//! The AWS Pricing Calculator side: what to enter on calculator.aws, service by service in the
//! order its forms ask; checking the share URL the student pastes; and explaining, line by line,
//! why the calculator's yearly total differs from lecture06's by more than 10 %.
//! No public API creates a shareable calculator.aws estimate, so the student makes it.

use super::costing::{Charge, Ipv4Holder, Line};
use crate::decimal::Dec;
use crate::i18n::Lang;
use crate::t;
use serde::{Deserialize, Serialize};

/// A share link as lecture06 keeps it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShareUrl {
    /// `https://calculator.aws/#/estimate?id=<40 hex>`
    pub url: String,
    pub id: String,
    /// Other query parameters that were dropped (tracking parameters from a blog link).
    pub dropped: Vec<String>,
}

/// Checks a pasted share URL. Query parameters before or after `id=` (the seed report's link
/// carried a blog's `sc_channel=…&trk=…` before it) are accepted and dropped: the estimate is
/// identified by `id` alone.
pub fn parse_share_url(text: &str, lang: Lang) -> Result<ShareUrl, String> {
    let text = text.trim();
    let Some(rest) = text
        .strip_prefix("https://")
        .or_else(|| text.strip_prefix("http://"))
    else {
        return Err(t!(
            lang,
            "that is not a URL; paste the link from the calculator's Share button (https://calculator.aws/#/estimate?id=…)",
            "URL ではありません。計算ツールの「共有」ボタンで出るリンク（https://calculator.aws/#/estimate?id=…）を貼り付けてください"
        ));
    };
    let host = rest.split(['/', '#', '?']).next().unwrap_or_default();
    if host != "calculator.aws" {
        return Err(
            if host.ends_with("amazonaws.com") && rest.contains("calculator") {
                t!(
                    lang,
                    "this is the old Simple Monthly Calculator, which AWS retired; make the estimate on https://calculator.aws",
                    "これは廃止された旧 Simple Monthly Calculator の URL です。https://calculator.aws で見積もりを作ってください"
                )
            } else {
                t!(
                    lang,
                    "the share link is on calculator.aws, not {host}",
                    "共有リンクは {host} ではなく calculator.aws のものです"
                )
            },
        );
    }
    let Some(fragment) = rest.split_once('#').map(|(_, f)| f) else {
        return Err(t!(
            lang,
            "this is the calculator's home page, not an estimate: press Share on your estimate and copy its link",
            "これは計算ツールのトップページで、見積もりではありません。見積もりの「共有」を押してリンクをコピーしてください"
        ));
    };
    let (path, query) = fragment.split_once('?').unwrap_or((fragment, ""));
    if path != "/estimate" {
        return Err(t!(
            lang,
            "this calculator link is a page being edited ({path}), not a shared estimate: press Share (on the “My Estimate” page) and copy the link it shows",
            "この計算ツールのリンクは編集中のページ（{path}）で、共有された見積もりではありません。「マイ見積もり」ページの「共有」を押して表示されるリンクをコピーしてください"
        ));
    }
    let mut id = None;
    let mut dropped = Vec::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        match pair.split_once('=') {
            Some(("id", value)) => id = Some(value.to_string()),
            _ => dropped.push(pair.to_string()),
        }
    }
    let Some(id) = id else {
        return Err(t!(
            lang,
            "the link has no estimate id (…/#/estimate?id=<40 characters>); press Share and copy the whole link",
            "リンクに見積もり ID（…/#/estimate?id=<40 文字>）がありません。「共有」を押してリンク全体をコピーしてください"
        ));
    };
    let mut not_hex = String::new();
    for c in id.chars().filter(|c| !c.is_ascii_hexdigit()) {
        if !not_hex.contains(c) && not_hex.chars().count() < 5 {
            not_hex.push(c);
        }
    }
    if !not_hex.is_empty() {
        return Err(t!(
            lang,
            "the estimate id must be hexadecimal (0-9, a-f), but it has “{not_hex}”: copy the link again from the calculator's Share button",
            "見積もり ID は 16 進数（0-9, a-f）ですが、「{not_hex}」が含まれています。計算ツールの「共有」ボタンからリンクをコピーし直してください"
        ));
    }
    if id.len() != 40 {
        let n = id.chars().count();
        return Err(t!(
            lang,
            "the estimate id must be 40 hexadecimal characters (0-9, a-f); this one has {n} characters: was the link cut off?",
            "見積もり ID は 16 進数 40 文字（0-9, a-f）です。これは {n} 文字です。リンクが途中で切れていませんか？"
        ));
    }
    if text.starts_with("http://") {
        return Err(t!(
            lang,
            "use the https:// link exactly as the calculator gives it",
            "計算ツールが表示する https:// のリンクをそのまま使ってください"
        ));
    }
    let id = id.to_ascii_lowercase();
    Ok(ShareUrl {
        url: format!("https://calculator.aws/#/estimate?id={id}"),
        id,
        dropped,
    })
}

/// One service on calculator.aws and its fields in the order the form asks for them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ServiceEntry {
    /// The name to type in “Search for a service”.
    pub service: String,
    pub fields: Vec<(String, String)>,
}

fn region_name(region: &str, lang: Lang) -> String {
    let name = match region {
        "ap-northeast-1" => lang.pick("Asia Pacific (Tokyo)", "アジアパシフィック (東京)"),
        "ap-northeast-3" => lang.pick("Asia Pacific (Osaka)", "アジアパシフィック (大阪)"),
        "us-east-1" => lang.pick("US East (N. Virginia)", "米国東部 (バージニア北部)"),
        "us-west-2" => lang.pick("US West (Oregon)", "米国西部 (オレゴン)"),
        _ => return region.to_string(),
    };
    format!("{name} [{region}]")
}

/// What every calculator form shares: the language, the Region's field and the hours.
struct Form {
    lang: Lang,
    region_field: (String, String),
    hours: Dec,
}

impl Form {
    /// The calculator's usage field: 100 % for a whole month, else the hours.
    fn utilisation(&self, hours: Dec) -> String {
        if hours == Dec::from_int(730) {
            "100 %Utilized/Month".to_string()
        } else {
            format!(
                "{} {}",
                hours.plain(),
                self.lang.pick("hours/month", "時間/月")
            )
        }
    }
}

/// The calculator entries for the priced and unpriced lines alike (a student must add what
/// lecture06 could not price, too). Order: EC2 (with its EBS), VPC (public IPv4), RDS, S3, ELB.
pub fn entries(lines: &[Line], region: &str, hours: Dec, lang: Lang) -> Vec<ServiceEntry> {
    let form = Form {
        lang,
        region_field: (
            lang.pick("Region", "リージョン").to_string(),
            region_name(region, lang),
        ),
        hours,
    };
    let mut out = Vec::new();
    out.extend(ec2_entry(&form, lines));
    out.extend(vpc_entry(&form, lines));
    out.extend(rds_entries(&form, lines));
    out.extend(s3_entry(&form, lines));
    out.extend(elb_entry(&form, lines));
    out
}

/// EC2: each instance's form, with its EBS volumes.
fn ec2_entry(form: &Form, lines: &[Line]) -> Option<ServiceEntry> {
    let (lang, hours) = (form.lang, form.hours);
    let region_field = &form.region_field;
    let mut ec2 = Vec::new();
    for l in lines {
        match &l.charge {
            Charge::InstanceHours {
                instance_type,
                platform,
            } => {
                ec2.push(region_field.clone());
                ec2.push((
                    lang.pick("Tenancy", "テナンシー").into(),
                    lang.pick("Shared Instances", "共有インスタンス").into(),
                ));
                ec2.push((
                    lang.pick("Operating system", "オペレーティングシステム")
                        .into(),
                    platform.replace("/UNIX", ""),
                ));
                ec2.push((
                    lang.pick("Workload", "ワークロード").into(),
                    lang.pick("Constant usage", "一定の使用量").into(),
                ));
                ec2.push((
                    lang.pick("Number of instances", "インスタンス数").into(),
                    "1".into(),
                ));
                ec2.push((
                    lang.pick("Instance type", "インスタンスタイプ").into(),
                    instance_type.clone(),
                ));
                ec2.push((
                    lang.pick("Pricing strategy", "料金戦略").into(),
                    format!("On-Demand, {}", form.utilisation(hours)),
                ));
            }
            Charge::Volume { volume_type } => {
                ec2.push((
                    lang.pick(
                        "EBS: Storage for each EC2 instance",
                        "EBS: 各 EC2 インスタンスのストレージ",
                    )
                    .into(),
                    format!("{} ({volume_type})", ebs_name(volume_type)),
                ));
                ec2.push((
                    lang.pick("Storage amount", "ストレージ量").into(),
                    format!("{} GB", l.quantity.plain()),
                ));
            }
            _ => {}
        }
    }
    (!ec2.is_empty()).then(|| ServiceEntry {
        service: "Amazon EC2".into(),
        fields: ec2,
    })
}

/// VPC: the public IPv4 addresses in use, and the idle ones.
fn vpc_entry(form: &Form, lines: &[Line]) -> Option<ServiceEntry> {
    let (lang, hours) = (form.lang, form.hours);
    let region_field = &form.region_field;
    let count = |idle: bool| {
        lines
            .iter()
            .filter(|l| match l.charge {
                Charge::PublicIpv4 { holder } => (holder == Ipv4Holder::IdleElasticIp) == idle,
                _ => false,
            })
            .count()
    };
    let (ips, idle) = (count(false), count(true));
    if ips + idle == 0 {
        return None;
    }
    {
        let mut fields = vec![
            region_field.clone(),
            (
                lang.pick(
                    "Public IPv4 Address: number of in-use public IPv4 addresses",
                    "パブリック IPv4 アドレス: 使用中のパブリック IPv4 アドレスの数",
                )
                .into(),
                ips.to_string(),
            ),
        ];
        fields.push((
            lang.pick("Hours each address is in use", "各アドレスの使用時間")
                .into(),
            format!("{} {}", hours.plain(), lang.pick("hours/month", "時間/月")),
        ));
        if idle > 0 {
            fields.push((
                lang.pick(
                    "Number of idle public IPv4 addresses",
                    "アイドル状態のパブリック IPv4 アドレスの数",
                )
                .into(),
                idle.to_string(),
            ));
        }
        Some(ServiceEntry {
            service: "Amazon Virtual Private Cloud (VPC)".into(),
            fields,
        })
    }
}

/// RDS: each database's form, with its storage.
fn rds_entries(form: &Form, lines: &[Line]) -> Vec<ServiceEntry> {
    let (lang, hours) = (form.lang, form.hours);
    let region_field = &form.region_field;
    let mut out = Vec::new();
    for l in lines {
        if let Charge::DbHours {
            class,
            engine,
            multi_az,
        } = &l.charge
        {
            let storage = lines
                .iter()
                .find(|s| s.resource == l.resource && matches!(s.charge, Charge::DbStorage { .. }));
            let mut fields = vec![
                region_field.clone(),
                (
                    lang.pick("Quantity (nodes)", "数量（ノード）").into(),
                    "1".into(),
                ),
                (
                    lang.pick("Instance type", "インスタンスタイプ").into(),
                    class.clone(),
                ),
                (
                    lang.pick(
                        "Utilization (On-Demand only)",
                        "使用状況（オンデマンドのみ）",
                    )
                    .into(),
                    form.utilisation(hours),
                ),
                (
                    lang.pick("Deployment option", "デプロイオプション").into(),
                    if *multi_az {
                        "Multi-AZ".into()
                    } else {
                        "Single-AZ".into()
                    },
                ),
                (
                    lang.pick("Pricing model", "料金モデル").into(),
                    "OnDemand".into(),
                ),
            ];
            if let Some(s) = storage
                && let Charge::DbStorage { storage_type, .. } = &s.charge
            {
                fields.push((
                    lang.pick(
                        "Storage for each RDS instance",
                        "各 RDS インスタンスのストレージ",
                    )
                    .into(),
                    format!("{} ({storage_type})", ebs_name(storage_type)),
                ));
                fields.push((
                    lang.pick("Storage amount", "ストレージ量").into(),
                    format!("{} GB", s.quantity.plain()),
                ));
            }
            out.push(ServiceEntry {
                service: format!("Amazon RDS for {}", engine_name(engine)),
                fields,
            });
        }
    }
    out
}

/// S3: the Standard storage.
fn s3_entry(form: &Form, lines: &[Line]) -> Option<ServiceEntry> {
    let lang = form.lang;
    let s3 = lines.iter().find(|l| l.charge == Charge::S3Standard)?;
    Some(ServiceEntry {
        service: "Amazon Simple Storage Service (S3)".into(),
        fields: vec![
            (form.region_field.0.clone(), region_name(&s3.region, lang)),
            (
                lang.pick("S3 Standard storage", "S3 標準ストレージ").into(),
                format!(
                    "{} GB {}",
                    s3.quantity.plain(),
                    lang.pick("per month", "/月")
                ),
            ),
        ],
    })
}

/// ELB: the Application Load Balancers and the bytes they process.
fn elb_entry(form: &Form, lines: &[Line]) -> Option<ServiceEntry> {
    let lang = form.lang;
    let albs = lines
        .iter()
        .filter(|l| matches!(&l.charge, Charge::LoadBalancerHours { lb_kind } if lb_kind == "application"))
        .count();
    if albs == 0 {
        return None;
    }
    let gb: Dec = lines
        .iter()
        .filter(|l| l.charge == Charge::LoadBalancerCapacityUnits)
        .map(|l| l.quantity)
        .sum();
    Some(ServiceEntry {
        service: "Elastic Load Balancing".into(),
        fields: vec![
            form.region_field.clone(),
            (
                lang.pick("Load balancer", "ロードバランサー").into(),
                "Application Load Balancer".into(),
            ),
            (
                lang.pick(
                    "Number of Application Load Balancers",
                    "Application Load Balancer の数",
                )
                .into(),
                albs.to_string(),
            ),
            (
                lang.pick(
                    "Processed bytes (EC2 instances and IP addresses as targets)",
                    "処理されたバイト（EC2 インスタンスおよび IP アドレスのターゲット）",
                )
                .into(),
                format!(
                    "{} GB {}",
                    gb.round(2).plain(),
                    lang.pick("per month", "/月")
                ),
            ),
        ],
    })
}

fn ebs_name(volume_type: &str) -> &'static str {
    match volume_type {
        "gp2" | "gp3" => "General Purpose SSD",
        "io1" | "io2" => "Provisioned IOPS SSD",
        "st1" => "Throughput Optimized HDD",
        "sc1" => "Cold HDD",
        "standard" => "Magnetic",
        _ => "EBS",
    }
}

fn engine_name(engine: &str) -> &str {
    match engine {
        "mysql" => "MySQL",
        "postgres" => "PostgreSQL",
        "mariadb" => "MariaDB",
        other => other,
    }
}

/// lecture06's yearly figure against the calculator's.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    pub ours_yearly_usd: Dec,
    pub calculator_yearly_usd: Dec,
    /// calculator − ours.
    pub difference_usd: Dec,
    /// The difference in percent of ours (one decimal).
    pub percent: Dec,
    pub over_threshold: bool,
    pub explanation_en: Vec<String>,
    pub explanation_ja: Vec<String>,
}

pub const THRESHOLD_PERCENT: i64 = 10;

pub fn compare(lines: &[Line], ours_yearly: Dec, calculator_yearly: Dec) -> Comparison {
    let difference = calculator_yearly - ours_yearly;
    let percent = difference
        .times(Dec::from_int(100))
        .divided_by(ours_yearly)
        .unwrap_or(Dec::from_int(100))
        .round(1);
    let over = percent.max(-percent) > Dec::from_int(THRESHOLD_PERCENT);
    let mut en = Vec::new();
    let mut ja = Vec::new();
    if over {
        let twelve = Dec::from_int(12);
        for l in lines {
            let what_en = l.describe(Lang::En);
            let what_ja = l.describe(Lang::Ja);
            let Some(monthly) = l.monthly_usd else {
                en.push(format!("{what_en} ({}): not priced by lecture06 — if it is on the calculator, it is part of the difference", l.resource));
                ja.push(format!(
                    "{what_ja}（{}）: lecture06 では未計上。計算ツールに入れていれば差額の一部です",
                    l.resource
                ));
                continue;
            };
            let yearly = monthly.times(twelve).fixed(2);
            let (hint_en, hint_ja) = hint(&l.charge);
            en.push(format!(
                "{what_en} ({}): {yearly} USD/year here — {hint_en}",
                l.resource
            ));
            ja.push(format!(
                "{what_ja}（{}）: こちらでは年 {yearly} USD — {hint_ja}",
                l.resource
            ));
        }
        let abs = difference.max(-difference).fixed(2);
        if difference.is_negative() {
            en.push(format!("The calculator is {abs} USD/year lower: look for a line above that is missing there (public IPv4 and EBS are the usual ones) or entered with fewer hours."));
            ja.push(format!("計算ツールの方が年 {abs} USD 低いです。上のうち計算ツールに入っていない行（パブリック IPv4 と EBS がよくある例）や、時間数を少なく入れた行を探してください。"));
        } else {
            en.push(format!("The calculator is {abs} USD/year higher: look there for something not in this account (data transfer, another instance, snapshots, a second ALB), a bigger type or volume, another Region, or more LCUs from its connection defaults."));
            ja.push(format!("計算ツールの方が年 {abs} USD 高いです。このアカウントにないもの（データ転送、別のインスタンス、スナップショット、2 台目の ALB）、大きいタイプや容量、別のリージョン、接続数の既定値による LCU の増加がないか計算ツール側を確認してください。"));
        }
    }
    Comparison {
        ours_yearly_usd: ours_yearly,
        calculator_yearly_usd: calculator_yearly,
        difference_usd: difference,
        percent,
        over_threshold: over,
        explanation_en: en,
        explanation_ja: ja,
    }
}

fn hint(charge: &Charge) -> (&'static str, &'static str) {
    match charge {
        Charge::PublicIpv4 { .. } => (
            "not on the EC2 page of the calculator: add it under Amazon VPC (Public IPv4 Address)",
            "計算ツールの EC2 のページには含まれません。Amazon VPC（パブリック IPv4 アドレス）で追加します",
        ),
        Charge::Volume { .. } => (
            "entered under EC2's “EBS” section; check the size and type",
            "EC2 の「EBS」欄で入力します。容量とタイプを確認してください",
        ),
        Charge::LoadBalancerCapacityUnits => (
            "here from processed bytes only; the calculator also counts new and active connections and rule evaluations, so it may show more LCUs",
            "こちらは処理バイト数だけから計算しています。計算ツールは新規・アクティブ接続数やルール評価数も数えるので LCU が多くなることがあります",
        ),
        Charge::InstanceHours { .. }
        | Charge::DbHours { .. }
        | Charge::LoadBalancerHours { .. } => (
            "check the type, the Region and the hours (utilisation) entered",
            "タイプ・リージョン・時間（使用率）の入力を確認してください",
        ),
        Charge::DbStorage { .. } => (
            "check the storage type and GB entered for the DB",
            "DB のストレージタイプと GB を確認してください",
        ),
        Charge::S3Standard => (
            "check the GB entered for S3 Standard",
            "S3 標準の GB を確認してください",
        ),
        Charge::DbExtendedSupport { .. } => (
            "the calculator adds Extended Support only when the engine version chosen is past standard support; check the version entered",
            "計算ツールは標準サポートが終了したエンジンバージョンを選んだときだけ延長サポートを加えます。入力したバージョンを確認してください",
        ),
        Charge::NatGatewayHours => (
            "a NAT gateway is entered under Amazon VPC (NAT Gateway)",
            "NAT ゲートウェイは Amazon VPC（NAT ゲートウェイ）で入力します",
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "b21db2e8477525e46f672415255b9b938ca4c8bf";

    #[test]
    fn accepts_the_canonical_link() {
        let url = format!("https://calculator.aws/#/estimate?id={ID}");
        let parsed = parse_share_url(&url, Lang::En).unwrap();
        assert_eq!(parsed.url, url);
        assert_eq!(parsed.id, ID);
        assert!(parsed.dropped.is_empty());
        // Upper-case hex is the same estimate.
        let upper = parse_share_url(&url.replace(ID, &ID.to_uppercase()), Lang::En).unwrap();
        assert_eq!(upper.url, url);
    }

    /// A share id is exactly 40 hex characters: one more (a stray character pasted after it) or
    /// one fewer (a cut link) is a different, non-existent estimate, refused with its length.
    #[test]
    fn an_id_of_any_other_length_is_refused_with_its_length() {
        for (id, n) in [(format!("{ID}a"), 41), (ID[..39].to_string(), 39)] {
            let err = parse_share_url(
                &format!("https://calculator.aws/#/estimate?id={id}"),
                Lang::En,
            )
            .unwrap_err();
            assert!(
                err.contains(&format!("this one has {n} characters")),
                "{err}"
            );
        }
    }

    #[test]
    fn forty_characters_that_are_not_hex_are_named_not_called_cut_off() {
        let id = "g".repeat(40);
        let err = parse_share_url(
            &format!("https://calculator.aws/#/estimate?id={id}"),
            Lang::En,
        )
        .unwrap_err();
        assert!(err.contains("must be hexadecimal"), "{err}");
        assert!(err.contains("“g”"), "{err}");
        assert!(!err.contains("cut off"), "{err}");
        let ja = parse_share_url(
            &format!("https://calculator.aws/#/estimate?id={id}"),
            Lang::Ja,
        )
        .unwrap_err();
        assert!(ja.contains("16 進数"), "{ja}");
    }

    #[test]
    fn the_seed_reports_link_with_tracking_parameters_is_accepted() {
        let seed = "https://calculator.aws/#/estimate?sc_channel=cfm-blog&sc_campaign=la-get-cost-estimates-faster-with-aws-pricing-calculator-bulk-import&sc_medium=plan-and-evaluate&sc_content=cfm-blog&sc_detail=link&sc_outcome=ad&sc_publisher=cfm-adoption&trk=la-get-cost-estimates-faster-with-aws-pricing-calculator-bulk-import_cfm-blog_link&id=b21db2e8477525e46f672415255b9b938ca4c8bf";
        let parsed = parse_share_url(seed, Lang::En).unwrap();
        assert_eq!(
            parsed.url,
            format!("https://calculator.aws/#/estimate?id={ID}")
        );
        assert_eq!(parsed.dropped.len(), 8);
        assert!(parsed.dropped[0].starts_with("sc_channel="));
    }

    #[test]
    fn rejects_what_is_not_a_share_link() {
        let cases = [
            ("calculator.aws estimate", "not a URL"),
            (
                "https://example.com/#/estimate?id=b21db2e8477525e46f672415255b9b938ca4c8bf",
                "not example.com",
            ),
            (
                "https://calculator.s3.amazonaws.com/index.html#r=NRT&s=EC2",
                "Simple Monthly Calculator",
            ),
            ("https://calculator.aws/", "home page"),
            (
                "https://calculator.aws/#/addService/ec2Enhancement",
                "being edited",
            ),
            ("https://calculator.aws/#/estimate", "no estimate id"),
            (
                "https://calculator.aws/#/estimate?id=b21db2e8477525e46f672415255b9b938ca4c8",
                "38 characters",
            ),
            (
                "https://calculator.aws/#/estimate?id=z21db2e8477525e46f672415255b9b938ca4c8bf",
                "but it has “z”",
            ),
            (
                "http://calculator.aws/#/estimate?id=b21db2e8477525e46f672415255b9b938ca4c8bf",
                "https://",
            ),
        ];
        for (url, expected) in cases {
            let err = parse_share_url(url, Lang::En).unwrap_err();
            assert!(err.contains(expected), "{url}: {err}");
            assert!(parse_share_url(url, Lang::Ja).is_err());
        }
    }

    #[test]
    fn the_practice_example_is_well_formed() {
        let example =
            "https://calculator.aws/#/estimate?id=0000000000000000000000000000000000000000";
        assert!(parse_share_url(example, Lang::En).is_ok());
    }
}
