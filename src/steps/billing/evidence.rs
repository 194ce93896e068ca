//! What the billing step keeps: Cost Explorer's saved answer, last month's EC2 charge, the
//! by-service table, the account plan and the Free Tier verdicts, and how that evidence reads in
//! `status` and in the report (`report-templates/<lang>/billing.md`).

use super::PRICE_PER_REQUEST;
use super::cost::Period;
use super::free_tier::{offer_name, plan_words, quantity};
use crate::clock::{jst, utc};
use crate::cloud::billing::{AccountPlan, CostAnswer, CostQuery, FreeTierOffer, PlanType};
use crate::i18n::Lang;
use crate::money::Amount;
use crate::steps::estimate::Elsewhere;
use crate::t;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// Cost Explorer's answer as kept in the progress (the cache).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CostCache {
    pub query: CostQuery,
    pub answer: CostAnswer,
    pub fetched_at: DateTime<Utc>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Source {
    /// From `ce:GetCostAndUsage`.
    CostExplorer,
    /// Read in the console and typed by hand (Cost Explorer was not available).
    Typed,
    /// `--dry-run` without a saved answer: Cost Explorer was not asked.
    NotAsked,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Ec2Charge {
    pub compute: Amount,
    pub other: Amount,
    /// Usage of both (before credits).
    pub total: Amount,
    /// Credits and refunds applied to EC2 (negative).
    pub adjustments: Amount,
    pub unit: String,
}

impl Ec2Charge {
    /// A charge known only as one USD total (typed from the console, or none).
    pub fn only(total: Amount) -> Ec2Charge {
        Ec2Charge {
            compute: total,
            other: Amount::ZERO,
            total,
            adjustments: Amount::ZERO,
            unit: "USD".into(),
        }
    }
}

/// One line of "where the money goes": a service's charges, or its credits/refunds on their own.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ServiceRow {
    pub service: String,
    pub record_type: String,
    pub last_month: Amount,
    pub this_month: Amount,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Standing {
    Inside,
    /// At or above 85 % of the limit, or forecast to go over by the month's end.
    Near,
    Over,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OfferVerdict {
    pub offer: FreeTierOffer,
    pub percent: f64,
    pub forecast_percent: f64,
    pub standing: Standing,
    pub verdict_en: String,
    pub verdict_ja: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FreeTierEvidence {
    pub offers: Vec<OfferVerdict>,
    pub overall: Standing,
    pub overall_en: String,
    pub overall_ja: String,
    pub requests: usize,
}

impl FreeTierEvidence {
    /// The verdict: one line, or the offers it is about one to a line (a paragraph of several
    /// verdicts is hard to read).
    pub(super) fn summary(&self, lang: Lang) -> Vec<String> {
        let worst: Vec<&OfferVerdict> = self
            .offers
            .iter()
            .filter(|v| v.standing == self.overall && v.standing != Standing::Inside)
            .collect();
        if worst.len() < 2 {
            return vec![t!(
                lang,
                "Free Tier: {}",
                "無料利用枠: {}",
                lang.pick(&self.overall_en, &self.overall_ja)
            )];
        }
        let mut lines = vec![lang.pick("Free Tier:", "無料利用枠:").to_string()];
        lines.extend(
            worst
                .iter()
                .map(|v| format!("- {}", lang.pick(&v.verdict_en, &v.verdict_ja))),
        );
        lines
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BillingEvidence {
    pub source: Source,
    pub period: Period,
    /// When Cost Explorer answered (the cached answer's time on re-runs).
    pub queried_at: Option<DateTime<Utc>>,
    pub captured_at: DateTime<Utc>,
    /// Cost Explorer requests this step has made in this workspace, all runs together.
    pub paid_calls: u32,
    /// This run used the saved answer instead of asking again.
    pub from_cache: bool,
    pub ec2_last_month: Ec2Charge,
    pub by_service: Vec<ServiceRow>,
    pub total_last_month: Amount,
    pub total_this_month: Amount,
    pub this_month_estimated: bool,
    /// Why Cost Explorer could not answer, when it could not.
    pub cost_error: Option<String>,
    pub plan: Option<AccountPlan>,
    pub plan_error: Option<String>,
    /// The Free Tier the account has, in the estimate step's words (`legacy`, `credit`, `none`):
    /// typed by the student when GetAccountPlanState failed, or read from a plan with credits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub free_tier_plan: Option<String>,
    pub free_tier: Option<FreeTierEvidence>,
    pub free_tier_error: Option<String>,
    /// What is left in other Regions (they bill too): the estimate step's sweep, or this step's.
    #[serde(default)]
    pub elsewhere: Elsewhere,
}

pub(super) fn service_label(row: &ServiceRow, lang: Lang) -> String {
    match row.record_type.as_str() {
        "" => row.service.clone(),
        "Credit" => format!("{} — {}", row.service, lang.pick("credit", "クレジット")),
        "Refund" => format!("{} — {}", row.service, lang.pick("refund", "返金")),
        other => format!("{} — {other}", row.service),
    }
}

/// The verdict in a word that matches its numbers: a row at 16 % whose month-end forecast is
/// over the limit is "forecast over", not "near the limit".
pub(super) fn standing_word(verdict: &OfferVerdict, lang: Lang) -> &'static str {
    match verdict.standing {
        Standing::Inside => lang.pick("inside", "枠内"),
        Standing::Near if verdict.percent < super::WARN_PERCENT => {
            lang.pick("forecast over by the month's end", "月末に超過の予測")
        }
        Standing::Near => lang.pick("near the limit (≥ 85 %)", "上限間近（85 % 以上）"),
        Standing::Over => lang.pick("OVER", "超過"),
    }
}

impl BillingEvidence {
    /// The account plan in words: as GetAccountPlanState gave it, or, when that call failed, the
    /// failure and the student's own answer — never a plan guessed from a failed call.
    ///
    /// AWS's plans (https://docs.aws.amazon.com/awsaccountbilling/latest/aboutv2/free-tier-plans.html,
    /// "Choosing an AWS Free Tier plan"): an account made from 2025-07-15 gets Free Tier credits on
    /// the Free plan *and* on the Paid plan (upgrading keeps the credits left; usage beyond them is
    /// charged); one made before keeps the legacy 12-month offers and shows as a Paid plan. So a
    /// Paid plan alone does not mean legacy: its credits tell.
    pub(super) fn plan_text(&self, lang: Lang) -> String {
        if let Some(error) = &self.plan_error {
            let answer = self
                .free_tier_plan
                .as_deref()
                .map(|id| plan_words(id, lang))
                .unwrap_or("-");
            return t!(
                lang,
                "Account plan not read ({error}); per the console, typed by hand: {answer}",
                "アカウントプランを取得できませんでした（{error}）。コンソールで確認して手入力: {answer}"
            );
        }
        let credits_of = |plan: &AccountPlan| {
            plan.remaining_credits
                .filter(|c| !c.is_zero() && !c.is_negative())
                .map(|c| {
                    format!(
                        "{} {}",
                        plan.credits_unit.as_deref().unwrap_or("USD"),
                        c.display()
                    )
                })
        };
        match &self.plan {
            Some(plan) if plan.plan_type == PlanType::Free => {
                let status = &plan.status;
                let credits = credits_of(plan).unwrap_or_else(|| "-".into());
                let until = plan.expires.map(jst).unwrap_or_else(|| "-".into());
                t!(
                    lang,
                    "Free plan (credit-based, {status}): {credits} of credits left, ends {until} or when the credits run out",
                    "無料プラン（クレジット制、{status}）: 残りクレジット {credits}、{until} またはクレジットを使い切った時点で終了"
                )
            }
            Some(plan) => {
                let status = &plan.status;
                match credits_of(plan) {
                    Some(credits) => {
                        let until = plan.expires.map(jst).unwrap_or_else(|| "-".into());
                        t!(
                            lang,
                            "Paid plan ({status}) with {credits} of Free Tier credits left (until {until}): an account made from 2025-07-15 keeps its credits on the Paid plan; usage beyond them is charged.",
                            "有料プラン（{status}）、無料利用枠のクレジット残り {credits}（{until} まで）: 2025-07-15 以降に作成したアカウントは有料プランでもクレジットが使えます。クレジットを超えた分は課金されます。"
                        )
                    }
                    None => t!(
                        lang,
                        "Paid plan ({status}) without Free Tier credits: an account made before 2025-07-15 keeps the legacy 12-month Free Tier (its offers and verdicts are listed with the usage); one made from 2025-07-15 has used its credits up or they have expired.",
                        "有料プラン（{status}）、無料利用枠のクレジットなし: 2025-07-15 より前に作成したアカウントなら従来の 12 か月無料利用枠です（無料枠ごとの使用量と判定を一覧にしています）。2025-07-15 以降に作成したアカウントなら、クレジットを使い切ったか期限が切れています。"
                    ),
                }
            }
            None => t!(
                lang,
                "No account plan record (an account made before 2025-07-15: legacy 12-month Free Tier)",
                "アカウントプランの記録なし（2025-07-15 より前のアカウント: 従来の 12 か月無料利用枠）"
            ),
        }
    }

    /// The evidence as `status` shows it, and as the step's output ends.
    pub fn summary(&self, lang: Lang) -> Vec<String> {
        let e = self;
        let month = e.period.last_month.format("%Y-%m").to_string();
        let ec2 = &e.ec2_last_month;
        let mut lines = Vec::new();
        match e.source {
        Source::CostExplorer => {
            lines.push(t!(
                lang,
                "EC2 last month ({month}): {} {} (Compute {} + EC2 - Other {})",
                "先月（{month}）の EC2: {} {}（Compute {} + EC2 - Other {}）",
                ec2.total.display(),
                ec2.unit,
                ec2.compute.display(),
                ec2.other.display()
            ));
            if !ec2.adjustments.is_zero() {
                lines.push(t!(
                    lang,
                    "  credits/refunds on EC2: {} {}",
                    "  EC2 へのクレジット・返金: {} {}",
                    ec2.adjustments.display(),
                    ec2.unit
                ));
            }
            let this = e.period.this_month.format("%Y-%m").to_string();
            lines.push(t!(
                lang,
                "All services: {month} {} USD; {this} to date {} USD{}",
                "全サービス: {month} {} USD、{this}（月初から）{} USD{}",
                e.total_last_month.display(),
                e.total_this_month.display(),
                if e.this_month_estimated { lang.pick(" (estimated)", "（見込み）") } else { "" }
            ));
        }
        Source::Typed => lines.push(t!(
            lang,
            "EC2 last month ({month}): {} USD (typed by hand from the billing console; Cost Explorer was not available)",
            "先月（{month}）の EC2: {} USD（Cost Explorer が使えないため請求コンソールから手入力）",
            ec2.total.display()
        )),
        Source::NotAsked => lines.push(t!(
            lang,
            "Cost Explorer not asked (dry run)",
            "Cost Explorer には問い合わせていません（ドライラン）"
        )),
    }
        lines.push(e.plan_text(lang));
        match &e.free_tier {
            Some(ft) => lines.extend(ft.summary(lang)),
            None => lines.push(t!(
                lang,
                "Free Tier: not available",
                "無料利用枠: 取得できませんでした"
            )),
        }
        let cost = Amount::parse(PRICE_PER_REQUEST)
            .map(|p| {
                let mut total = Amount::ZERO;
                for _ in 0..e.paid_calls {
                    total = Amount::sum(&[total, p]);
                }
                total.display()
            })
            .unwrap_or_default();
        let calls = e.paid_calls;
        let at = e.queried_at.map(utc).unwrap_or_else(|| "-".into());
        lines.push(t!(
            lang,
            "Cost Explorer: {calls} paid request(s) so far (USD {cost}); answer of {at}",
            "Cost Explorer: これまでの有料リクエスト {calls} 回（USD {cost}）、回答の取得時刻 {at}"
        ));
        lines
    }

    /// What in the student's own account explains an offer near or over its limit, where the
    /// evidence can tell: CloudTrail charges (its trail writes log files to S3) for S3 offers,
    /// resources left in other Regions for EC2 offers (the Free Tier counts every Region).
    pub fn history_behind(&self, offer: &FreeTierOffer, lang: Lang) -> Option<String> {
        match offer.service.as_str() {
            "Amazon Simple Storage Service" => {
                let trail = self
                    .by_service
                    .iter()
                    .find(|r| r.service == "AWS CloudTrail" && r.record_type.is_empty())?;
                let last = trail.last_month.display();
                let this = trail.this_month.display();
                Some(t!(
                    lang,
                    "In my account CloudTrail charged {last} USD last month and {this} USD so far this month: my trail writes its log files to an S3 bucket, which counts against this offer.",
                    "私のアカウントでは CloudTrail に先月 {last} USD、今月ここまで {this} USD の課金があります。証跡がログファイルを S3 バケットに書き込んでいて、それがこの枠を使っています。"
                ))
            }
            "Amazon Elastic Compute Cloud"
                if ["BoxUsage", "VolumeUsage"]
                    .iter()
                    .any(|kind| offer.usage_type.contains(kind)) =>
            {
                let left = super::elsewhere::sentences(&self.elsewhere, lang);
                (!left.is_empty()).then(|| {
                    let left = left.join(lang.pick("; ", "。"));
                    t!(
                        lang,
                        "The Free Tier counts every Region, and I still have resources elsewhere: {left}",
                        "無料利用枠はすべてのリージョンの合計で、ほかのリージョンにも残っているものがあります: {left}"
                    )
                })
            }
            _ => None,
        }
    }

    /// The report section's facts (see `report-templates/<lang>/billing.md`).
    pub fn report_context(&self, lang: Lang) -> Value {
        let e = self;
        // Each offer near or over its limit with what explains it, said once: two S3 offers
        // have the same explanation.
        let mut said = Vec::new();
        let histories: Vec<Option<String>> = e
            .free_tier
            .iter()
            .flat_map(|ft| &ft.offers)
            .map(|v| {
                let text = (v.standing != Standing::Inside)
                    .then(|| e.history_behind(&v.offer, lang))
                    .flatten()?;
                (!said.contains(&text)).then(|| {
                    said.push(text.clone());
                    text
                })
            })
            .collect();
        let ec2 = &e.ec2_last_month;
        json!({
            "source": e.source,
            "typed": e.source == Source::Typed,
            "last_month": e.period.last_month.format("%Y-%m").to_string(),
            "this_month": e.period.this_month.format("%Y-%m").to_string(),
            "period_start": e.period.last_month.to_string(),
            "period_end": e.period.end.to_string(),
            "queried_at_utc": e.queried_at.map(utc),
            "queried_at_jst": e.queried_at.map(jst),
            "paid_calls": e.paid_calls,
            "ec2_total": ec2.total.display(),
            "ec2_compute": ec2.compute.display(),
            "ec2_other": ec2.other.display(),
            "ec2_adjustments": (!ec2.adjustments.is_zero()).then(|| ec2.adjustments.display()),
            "unit": ec2.unit,
            "services": e.by_service.iter().map(|r| json!({"name": service_label(r, lang), "last_month": r.last_month.display(), "this_month": r.this_month.display()})).collect::<Vec<_>>(),
            "total_last_month": e.total_last_month.display(),
            "total_this_month": e.total_this_month.display(),
            "this_month_estimated": e.this_month_estimated,
            "cost_error": e.cost_error,
            "plan": e.plan_text(lang),
            "paid_without_credits": e.plan_error.is_none() && e.plan.as_ref().is_some_and(|p| p.plan_type != PlanType::Free && p.remaining_credits.is_none_or(|c| c.is_zero() || c.is_negative())),
            "free_tier": e.free_tier.as_ref().map(|ft| json!({
                "overall": lang.pick(&ft.overall_en, &ft.overall_ja),
                "overall_state": ft.overall,
                "offers": ft.offers.iter().enumerate().map(|(i, v)| json!({
                    "name": offer_name(&v.offer),
                    "description": v.offer.description,
                    "type": v.offer.free_tier_type,
                    "used": format!("{} {}", quantity(v.offer.actual), v.offer.unit),
                    "forecast": format!("{} {}", quantity(v.offer.forecast), v.offer.unit),
                    "limit": format!("{} {}", quantity(v.offer.limit), v.offer.unit),
                    "percent": format!("{:.0}", v.percent),
                    "standing": standing_word(v, lang),
                    "verdict": lang.pick(&v.verdict_en, &v.verdict_ja),
                    "attention": v.standing != Standing::Inside,
                    "history": histories.get(i).cloned().flatten(),
                })).collect::<Vec<_>>(),
            })),
            "free_tier_error": e.free_tier_error,
            "elsewhere": super::elsewhere::sentences(&e.elsewhere, lang),
            "elsewhere_error": e.elsewhere.error,
        })
    }
}
