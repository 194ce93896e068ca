//! The Free Tier's pure decisions: how an offer is named, whether it is inside, near or over its
//! limit (and the likely cause, from what students of this course run into), the overall verdict,
//! and what a verdict typed by hand may look like.

use super::evidence::{FreeTierEvidence, OfferVerdict, Standing};
use crate::cloud::billing::{AccountPlan, FreeTierOffer, PlanType};
use crate::i18n::Lang;
use crate::t;

/// Offers at or above this share of their limit are flagged before they go over.
pub const WARN_PERCENT: f64 = 85.0;

/// `S3 TimedStorage`, `EC2 EBS:SnapshotUsage`: how people name an offer.
pub(super) fn offer_name(offer: &FreeTierOffer) -> String {
    let service = match offer.service.as_str() {
        "Amazon Simple Storage Service" => "S3",
        "Amazon Elastic Compute Cloud" => "EC2",
        "Amazon Relational Database Service" => "RDS",
        "Elastic Load Balancing" => "ELB",
        "AmazonCloudWatch" | "Amazon CloudWatch" => "CloudWatch",
        "Amazon Simple Notification Service" => "SNS",
        "AWS CloudTrail" => "CloudTrail",
        other => other,
    };
    // Regional (`APN1-`, `USE1-`) and `Global-` prefixes say where, not what.
    let usage = offer
        .usage_type
        .split_once('-')
        .filter(|(prefix, _)| {
            // `APN1`, `USE1`, `EUC1`… carry a digit; `EU` is eu-west-1's old prefix; `SMTP-` is
            // not a Region.
            *prefix == "Global"
                || *prefix == "EU"
                || (prefix.len() <= 5
                    && prefix.chars().any(|c| c.is_ascii_digit())
                    && prefix
                        .chars()
                        .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit()))
        })
        .map(|(_, rest)| rest)
        .unwrap_or(&offer.usage_type);
    let usage = usage.trim_end_matches("-ByteHrs");
    format!("{service} {usage}")
}

/// A usage quantity as people read it: `5.3`, `750`, `0.87`.
pub fn quantity(value: f64) -> String {
    let rounded = (value * 100.0).round() / 100.0;
    format!("{rounded}")
}

/// The likely cause of an offer going over, from what students of this course run into.
fn likely_cause(offer: &FreeTierOffer) -> (&'static str, &'static str) {
    let u = offer.usage_type.as_str();
    if u.contains("TimedStorage") {
        (
            "CloudTrail log files (data events above all) piling up in the trail's S3 bucket; turn data events off or add a lifecycle rule that expires old logs",
            "CloudTrail のログファイル（特にデータイベント）が証跡の S3 バケットに溜まっている。データイベントを止めるか、古いログを削除するライフサイクルルールを設定する",
        )
    } else if u.contains("Requests-Tier1") || u.contains("Requests-Tier2") {
        (
            "CloudTrail writing log files to S3 (data events multiply them)",
            "CloudTrail が S3 にログファイルを書き込んでいる（データイベントで大幅に増える）",
        )
    } else if u.contains("SnapshotUsage") {
        (
            "EBS snapshots kept (AMI backups, automatic snapshots); delete the ones you no longer need",
            "EBS スナップショット（AMI のバックアップや自動スナップショット）が残っている。不要なものを削除する",
        )
    } else if u.contains("VolumeUsage") {
        (
            "EBS volumes over 30 GB in total, counting the volumes of stopped instances",
            "EBS ボリュームが合計 30 GB を超えている（停止中のインスタンスのボリュームも数える）",
        )
    } else if u.contains("BoxUsage") {
        (
            "more than one instance running: 750 hours cover one instance for a whole month",
            "インスタンスが 2 台以上動いている（750 時間は 1 台を 1 か月動かす分）",
        )
    } else if u.contains("InstanceUsage") {
        (
            "more than one DB instance, or Multi-AZ, running all month",
            "DB インスタンスが 2 台以上、またはマルチ AZ で常時起動している",
        )
    } else if u.contains("LoadBalancerUsage") || u.contains("LCUUsage") {
        (
            "more than one load balancer running all month",
            "ロードバランサーが 2 つ以上常時動いている",
        )
    } else {
        (
            "usage above the offer's monthly limit",
            "この無料枠の月間上限を超えて使っている",
        )
    }
}

pub fn judge(offer: &FreeTierOffer) -> OfferVerdict {
    let percent = if offer.limit > 0.0 {
        offer.actual / offer.limit * 100.0
    } else {
        0.0
    };
    let forecast_percent = if offer.limit > 0.0 {
        offer.forecast / offer.limit * 100.0
    } else {
        0.0
    };
    let standing = if offer.actual > offer.limit {
        Standing::Over
    } else if percent >= WARN_PERCENT || offer.forecast > offer.limit {
        Standing::Near
    } else {
        Standing::Inside
    };
    let name = offer_name(offer);
    let (actual, limit, unit) = (quantity(offer.actual), quantity(offer.limit), &offer.unit);
    let forecast = quantity(offer.forecast);
    let (cause_en, cause_ja) = likely_cause(offer);
    let pct = format!("{percent:.0}");
    let (verdict_en, verdict_ja) = match standing {
        Standing::Over => (
            format!("over: {name} {actual} {unit} of {limit} {unit} — likely cause: {cause_en}"),
            format!("超過: {name} {actual} {unit} / {limit} {unit} — 考えられる原因: {cause_ja}"),
        ),
        Standing::Near if percent < WARN_PERCENT => (
            format!(
                "forecast over by the month's end: {name} {actual} {unit} of {limit} {unit} so far ({pct} %), {forecast} {unit} forecast — likely cause: {cause_en}"
            ),
            format!(
                "月末に超過の予測: {name} 現在 {actual} {unit} / {limit} {unit}（{pct} %）、月末の予測 {forecast} {unit} — 考えられる原因: {cause_ja}"
            ),
        ),
        Standing::Near => (
            format!(
                "near the limit: {name} {actual} {unit} of {limit} {unit} ({pct} %), forecast {forecast} {unit} by the month's end — likely cause: {cause_en}"
            ),
            format!(
                "上限間近: {name} {actual} {unit} / {limit} {unit}（{pct} %）、月末の予測 {forecast} {unit} — 考えられる原因: {cause_ja}"
            ),
        ),
        Standing::Inside => ("inside".to_string(), "枠内".to_string()),
    };
    OfferVerdict {
        offer: offer.clone(),
        percent,
        forecast_percent,
        standing,
        verdict_en,
        verdict_ja,
    }
}

pub fn judge_all(offers: &[FreeTierOffer], requests: usize) -> FreeTierEvidence {
    let mut verdicts: Vec<OfferVerdict> = offers.iter().map(judge).collect();
    verdicts.sort_by(|a, b| {
        b.standing
            .cmp(&a.standing)
            .then(b.percent.total_cmp(&a.percent))
    });
    let overall = verdicts
        .iter()
        .map(|v| v.standing)
        .max()
        .unwrap_or(Standing::Inside);
    let worst: Vec<&OfferVerdict> = verdicts.iter().filter(|v| v.standing == overall).collect();
    let (overall_en, overall_ja) = match overall {
        Standing::Inside if verdicts.is_empty() => (
            "inside: no Free Tier offer has usage this month".to_string(),
            "枠内: 今月使用中の無料利用枠はありません".to_string(),
        ),
        Standing::Inside => (
            format!(
                "inside: all {} offers below {WARN_PERCENT:.0} %",
                verdicts.len()
            ),
            format!("枠内: {} 件すべて {WARN_PERCENT:.0} % 未満", verdicts.len()),
        ),
        _ => (
            worst
                .iter()
                .map(|v| v.verdict_en.clone())
                .collect::<Vec<_>>()
                .join("; "),
            worst
                .iter()
                .map(|v| v.verdict_ja.clone())
                .collect::<Vec<_>>()
                .join("。"),
        ),
    };
    FreeTierEvidence {
        offers: verdicts,
        overall,
        overall_en,
        overall_ja,
        requests,
    }
}

pub(super) fn valid_verdict(lang: Lang) -> impl Fn(&str) -> Result<(), String> {
    move |value: &str| {
        let lower = value.trim().to_ascii_lowercase();
        if lower.starts_with("inside") || lower.starts_with("over") {
            Ok(())
        } else {
            Err(t!(
                lang,
                "start with \"inside\" or \"over\"",
                "\"inside\" か \"over\" で始めてください"
            ))
        }
    }
}

/// The Free Tiers an account can have, in the estimate step's words (its `free_tier` answer).
pub const PLANS: [&str; 3] = ["legacy", "credit", "none"];

/// What the student says about the plan when GetAccountPlanState could not.
pub(super) fn valid_plan(lang: Lang) -> impl Fn(&str) -> Result<(), String> {
    move |value: &str| {
        if PLANS.contains(&value.trim()) {
            Ok(())
        } else {
            Err(t!(
                lang,
                "expected legacy, credit or none",
                "legacy・credit・none のいずれかです"
            ))
        }
    }
}

/// One of `PLANS` in words.
pub(super) fn plan_words(id: &str, lang: Lang) -> &'static str {
    match id {
        "legacy" => lang.pick(
            "legacy 12-month Free Tier (account made before 2025-07-15)",
            "従来の 12 か月無料利用枠（2025-07-15 より前に作成したアカウント）",
        ),
        "credit" => lang.pick(
            "Free Tier credits (account made from 2025-07-15, Free or Paid plan)",
            "無料利用枠のクレジット（2025-07-15 以降に作成したアカウント、無料プランまたは有料プラン）",
        ),
        _ => lang.pick("no Free Tier left", "無料利用枠なし"),
    }
}

/// The Free Tier a plan read from the API tells for sure: credits left (on the Free plan or on a
/// Paid plan since 2025-07-15) mean `credit`; a Paid plan without them cannot tell legacy from
/// none, so it tells nothing.
pub(super) fn plan_of(plan: &AccountPlan) -> Option<&'static str> {
    let credits = plan
        .remaining_credits
        .is_some_and(|c| !c.is_zero() && !c.is_negative());
    (plan.plan_type == PlanType::Free || credits).then_some("credit")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn offer(usage_type: &str, actual: f64, forecast: f64, limit: f64) -> FreeTierOffer {
        FreeTierOffer {
            service: "Amazon Simple Storage Service".into(),
            usage_type: usage_type.into(),
            operation: String::new(),
            region: "global".into(),
            actual,
            forecast,
            limit,
            unit: "GB-Mo".into(),
            description: String::new(),
            free_tier_type: "12 Months Free".into(),
        }
    }

    #[test]
    fn verdicts_over_near_inside() {
        let over = judge(&offer("TimedStorage-ByteHrs", 5.3, 7.9, 5.0));
        assert_eq!(over.standing, Standing::Over);
        assert!(
            over.verdict_en.starts_with(
                "over: S3 TimedStorage 5.3 GB-Mo of 5 GB-Mo — likely cause: CloudTrail"
            ),
            "{}",
            over.verdict_en
        );
        assert_eq!(
            judge(&offer("EBS:SnapshotUsage", 0.87, 0.9, 1.0)).standing,
            Standing::Near
        );
        assert_eq!(
            judge(&offer("Requests-Tier1", 1000.0, 2100.0, 2000.0)).standing,
            Standing::Near,
            "forecast over"
        );
        assert_eq!(
            judge(&offer("Requests-Tier1", 1000.0, 1500.0, 2000.0)).standing,
            Standing::Inside
        );
        let all = judge_all(
            &[
                offer("Requests-Tier1", 10.0, 10.0, 2000.0),
                offer("TimedStorage-ByteHrs", 5.3, 7.9, 5.0),
            ],
            1,
        );
        assert_eq!(all.overall, Standing::Over);
        assert_eq!(all.offers[0].standing, Standing::Over, "worst first");
        assert_eq!(judge_all(&[], 1).overall, Standing::Inside);
    }

    /// The line sits where AWS's own Free Tier usage alerts fire: "when your Free Tier usage
    /// exceeds 85 percent of the limit" (AWS Billing User Guide, "Tracking your AWS Free Tier
    /// usage"), so the student hears it from lecture06 no later than from AWS.
    #[test]
    fn near_starts_at_85_percent_as_aws_alerts_do() {
        let at = |actual: f64| judge(&offer("Requests-Tier1", actual, actual, 2000.0)).standing;
        assert_eq!(at(1600.0), Standing::Inside, "80 %");
        assert_eq!(at(1680.0), Standing::Inside, "84 %");
        assert_eq!(at(1700.0), Standing::Near, "85 %");
        assert_eq!(at(2000.0), Standing::Near, "100 % is not over yet");
        assert_eq!(at(2000.5), Standing::Over);
    }

    #[test]
    fn a_forecast_over_the_limit_is_called_that_not_near_the_limit() {
        // 16 % used so far, 110 % forecast by the month's end (issue 19's example).
        let early = judge(&offer("Requests-Tier1", 320.0, 2200.0, 2000.0));
        assert_eq!(early.standing, Standing::Near);
        let word = super::super::evidence::standing_word(&early, Lang::Ja);
        assert_eq!(word, "月末に超過の予測");
        assert!(
            early.verdict_ja.starts_with("月末に超過の予測"),
            "{}",
            early.verdict_ja
        );
        let near = judge(&offer("Requests-Tier1", 1800.0, 1900.0, 2000.0));
        let word = super::super::evidence::standing_word(&near, Lang::Ja);
        assert_eq!(word, "上限間近（85 % 以上）");
    }

    #[test]
    fn several_verdicts_are_summarised_one_to_a_line() {
        let two = judge_all(
            &[
                offer("Requests-Tier1", 320.0, 2200.0, 2000.0),
                offer("EBS:SnapshotUsage", 0.16, 1.24, 1.0),
                offer("TimedStorage-ByteHrs", 0.1, 0.2, 5.0),
            ],
            1,
        );
        let lines = two.summary(Lang::Ja);
        assert_eq!(lines[0], "無料利用枠:");
        assert_eq!(lines.len(), 3, "{lines:?}");
        assert!(
            lines[1..]
                .iter()
                .all(|l| l.starts_with("- 月末に超過の予測"))
        );
        let one = judge_all(&[offer("Requests-Tier1", 320.0, 2200.0, 2000.0)], 1);
        let line = one.summary(Lang::Ja);
        assert_eq!(line.len(), 1);
        assert!(
            line[0].starts_with("無料利用枠: 月末に超過の予測"),
            "{line:?}"
        );
    }

    #[test]
    fn regional_prefixes_are_dropped_from_offer_names() {
        let mut o = offer("APN1-TimedStorage-ByteHrs", 1.0, 1.0, 5.0);
        assert_eq!(offer_name(&o), "S3 TimedStorage");
        o.usage_type = "Global-Requests-Tier1".into();
        assert_eq!(offer_name(&o), "S3 Requests-Tier1");
        o.usage_type = "EU-TimedStorage-ByteHrs".into();
        assert_eq!(offer_name(&o), "S3 TimedStorage");
        o.service = "Amazon Simple Notification Service".into();
        o.usage_type = "SMTP-Notifications".into();
        assert_eq!(offer_name(&o), "SNS SMTP-Notifications");
        o.usage_type = "EBS:SnapshotUsage".into();
        o.service = "Amazon Elastic Compute Cloud".into();
        assert_eq!(offer_name(&o), "EC2 EBS:SnapshotUsage");
    }

    #[test]
    fn a_paid_plan_tells_credit_only_by_its_credits() {
        let plan = |plan_type, credits: Option<&str>| AccountPlan {
            plan_type,
            status: "ACTIVE".into(),
            remaining_credits: credits.map(|c| crate::money::Amount::parse(c).unwrap()),
            credits_unit: Some("USD".into()),
            expires: None,
        };
        assert_eq!(
            plan_of(&plan(PlanType::Paid, Some("142.17"))),
            Some("credit")
        );
        assert_eq!(plan_of(&plan(PlanType::Paid, Some("0"))), None);
        assert_eq!(plan_of(&plan(PlanType::Paid, None)), None, "legacy or none");
        assert_eq!(plan_of(&plan(PlanType::Free, None)), Some("credit"));
    }
}
