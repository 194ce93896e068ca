//! Step 5: last month's EC2 charge, where the money goes and the Free Tier, answered from the
//! APIs instead of screenshots of the billing console.
//!
//! Cost Explorer costs $0.01 per request, so the step asks it once: one `GetCostAndUsage` whose
//! period runs from the first of last month to the first of next month (Start inclusive, End
//! exclusive; Cost Explorer accepts an End up to the beginning of next month), MONTHLY,
//! UnblendedCost, grouped by SERVICE *and* RECORD_TYPE. That one request carries both months,
//! the service split (EC2 is `Amazon Elastic Compute Cloud - Compute` plus `EC2 - Other`) and the
//! credits and refunds as their own record types, so nothing needs a second (paid) question. The
//! answer is kept in the step's progress; re-runs and `report` use it unless `run --refresh`.
//! Paging is followed (each page is paid and counted). `GetDimensionValues` (another paid
//! request) is not needed: grouping by SERVICE returns the service names as Cost Explorer spells
//! them, and the two EC2 names are matched exactly. `--dry-run` never makes the paid request.
//!
//! When Cost Explorer is not enabled, not allowed, or hidden from an organization member
//! account, the step says which and what to do, and takes the figure read from the console
//! instead (`[billing] ec2_last_month_usd`), recorded as typed by hand. The Free Tier API is
//! free and asked on every run; when one of its calls fails, whatever the reason, the step says so
//! and asks the student for what the console shows (`[billing] free_tier_plan`,
//! `[billing] free_tier_verdict`) instead of guessing.
//!
//! This file is the sequence the student walks and the `Step` impl; `cost.rs` and `free_tier.rs`
//! hold the pure decisions, `calls.rs` the calls that act, `evidence.rs` what is kept and how it
//! reads in `status` and the report. Public IPv4 is not in `EC2 - Other`: Cost Explorer bills it
//! under `Amazon Virtual Private Cloud` (usage type `<region>-PublicIPv4:InUseAddress`,
//! https://docs.aws.amazon.com/vpc/latest/userguide/vpc-billing-usage-reports.html), its own line
//! in the by-service table.

mod calls;
mod cost;
mod elsewhere;
mod evidence;
mod free_tier;

pub use cost::{EC2_COMPUTE, EC2_OTHER, Period, tally};
pub use evidence::{BillingEvidence, FreeTierEvidence, OfferVerdict, Standing};
pub use free_tier::{WARN_PERCENT, judge, judge_all, quantity};

use super::{Outcome, StepCtx};
use crate::cloud::{CloudError, CloudErrorKind};
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use crate::money::Amount;
use crate::step_id::StepId;
use crate::t;
use crate::ui::table;
use cost::valid_amount;
use evidence::{Ec2Charge, Source, service_label, standing_word};
use free_tier::{offer_name, valid_plan, valid_verdict};
use serde_json::Value;

/// Cost Explorer's price per request.
pub const PRICE_PER_REQUEST: &str = "0.01";

const CACHE_KEY: &str = "cost_explorer";
const PAID_CALLS_KEY: &str = "paid_calls";
const TYPED_KEY: &str = "ec2_last_month_usd";
const TYPED_VERDICT_KEY: &str = "free_tier_verdict";
const TYPED_PLAN_KEY: &str = "free_tier_plan";

/// `(EC2 charge, by-service rows, whether this month is estimated, when Cost Explorer was asked)`.
type LastMonth = (
    Ec2Charge,
    Vec<evidence::ServiceRow>,
    bool,
    Option<chrono::DateTime<chrono::Utc>>,
);

/// Last month's EC2 charge from Cost Explorer's answer, or typed by hand from the console; with
/// the by-service rows, whether this month is an estimate and when Cost Explorer was asked.
fn last_month_ec2(ctx: &mut StepCtx, cost: &calls::CostOutcome) -> AppResult<LastMonth> {
    let lang = ctx.lang;
    match (&cost.answer, cost.source) {
        (Some((answer, at)), _) => {
            let (ec2, rows, estimated) = tally(answer, &cost.period);
            Ok((ec2, rows, estimated, Some(*at)))
        }
        (None, Source::Typed) => {
            let month = cost.period.last_month_label();
            let typed = ctx.ask_text(
                TYPED_KEY,
                t!(
                    lang,
                    "Last month's ({month}) EC2 charge in USD, as the billing console shows it",
                    "請求コンソールに表示された先月（{month}）の EC2 の料金（USD）"
                ),
                None,
                &valid_amount(lang),
            )?;
            let amount = Amount::parse(typed.trim().trim_start_matches('$'))
                .ok_or_else(|| AppError::Usage(format!("[billing] {TYPED_KEY}: {typed}")))?;
            Ok((Ec2Charge::only(amount), Vec::new(), false, None))
        }
        (None, _) => Ok((Ec2Charge::only(Amount::ZERO), Vec::new(), false, None)),
    }
}

/// The Free Tier: the plan and each offer's standing from the API, or from the student when a
/// call fails.
fn free_tier_answers(ctx: &mut StepCtx) -> AppResult<FreeTierFound> {
    let answers = calls::fetch_free_tier(ctx);
    let (plan, plan_error, free_tier_plan) = match answers.plan {
        Ok(plan) => {
            let known = plan.as_ref().and_then(free_tier::plan_of);
            (plan, None, known.map(String::from))
        }
        Err(err) => {
            let typed = ask_plan(ctx, &err)?;
            (None, Some(err.to_string()), Some(typed))
        }
    };
    let (free_tier, free_tier_error) = match answers.usage {
        Ok(usage) => {
            ctx.evidence_file(
                "free-tier-usage.json",
                &serde_json::to_vec_pretty(&usage).map_err(anyhow::Error::from)?,
            )?;
            (Some(judge_all(&usage.offers, usage.requests)), None)
        }
        Err(err) => (Some(ask_verdict(ctx, &err)?), Some(err.to_string())),
    };
    Ok(FreeTierFound {
        plan,
        plan_error,
        free_tier_plan,
        free_tier,
        free_tier_error,
    })
}

/// What `free_tier_answers` found.
struct FreeTierFound {
    plan: Option<crate::cloud::billing::AccountPlan>,
    plan_error: Option<String>,
    free_tier_plan: Option<String>,
    free_tier: Option<FreeTierEvidence>,
    free_tier_error: Option<String>,
}

/// The billing step, as the one list of steps declares it.
pub struct BillingStep;

pub const STEP: BillingStep = BillingStep;

impl super::Step for BillingStep {
    const ID: StepId = StepId::Billing;
    const IAM_ACTIONS: &'static [&'static str] = &[
        "ce:GetCostAndUsage",
        "freetier:GetFreeTierUsage",
        "freetier:GetAccountPlanState",
        // The sweep of the other Regions for what still costs money (the estimate's): the
        // Regions, then in each what the estimate lists there.
        "ec2:DescribeRegions",
        "ec2:DescribeInstances",
        "ec2:DescribeVolumes",
        "ec2:DescribeAddresses",
        "ec2:DescribeNatGateways",
        "rds:DescribeDBInstances",
        "elasticloadbalancing:DescribeLoadBalancers",
    ];
    type Evidence = BillingEvidence;

    /// Last month's bill from Cost Explorer (or typed by hand), then the Free Tier.
    fn run(&self, ctx: &mut StepCtx) -> AppResult<Outcome<BillingEvidence>> {
        let now = ctx.cloud.clock.now();
        let cost = calls::ask_cost_explorer(ctx, now)?;
        let (ec2, rows, estimated, queried_at) = last_month_ec2(ctx, &cost)?;
        let tier = free_tier_answers(ctx)?;
        let elsewhere = elsewhere::leftovers(ctx);
        let evidence = BillingEvidence {
            source: cost.source,
            period: cost.period,
            queried_at,
            captured_at: now,
            paid_calls: cost.paid_calls,
            from_cache: cost.from_cache,
            total_last_month: Amount::sum(rows.iter().map(|r| &r.last_month)),
            total_this_month: Amount::sum(rows.iter().map(|r| &r.this_month)),
            ec2_last_month: ec2,
            by_service: rows,
            this_month_estimated: estimated,
            cost_error: cost.cost_error,
            plan: tier.plan,
            plan_error: tier.plan_error,
            free_tier_plan: tier.free_tier_plan,
            free_tier: tier.free_tier,
            free_tier_error: tier.free_tier_error,
            elsewhere,
        };
        show(ctx, &evidence);
        Ok(Outcome::Captured(evidence))
    }

    fn summary(&self, evidence: &BillingEvidence, lang: Lang) -> Vec<String> {
        evidence.summary(lang)
    }

    fn report_context(&self, evidence: &BillingEvidence, lang: Lang) -> Value {
        evidence.report_context(lang)
    }
}

/// GetAccountPlanState failed: say so and why (naming the permission when it was refused), and
/// take the plan from the student, who can see it in the console.
fn ask_plan(ctx: &mut StepCtx, err: &CloudError) -> AppResult<String> {
    let lang = ctx.lang;
    ctx.ui.warn(err.explain(lang, None));
    let action = &err.action;
    ctx.ui.warn(if err.kind == CloudErrorKind::AccessDenied {
        t!(
            lang,
            "The account plan could not be read: your IAM identity lacks the permission {action}. lecture06 does not guess the plan; read it in the console (Billing and Cost Management → Free Tier) and type it below, or add {action} to the policy and run `lecture06 run --step billing` again.",
            "アカウントプランを取得できませんでした: この IAM ユーザー／ロールには {action} の権限がありません。lecture06 はプランを推測しません。コンソール（請求とコスト管理 → 無料利用枠）で確認して下に入力するか、ポリシーに {action} を追加して `lecture06 run --step billing` を再実行してください。"
        )
    } else {
        t!(
            lang,
            "The account plan could not be read: {action} failed. lecture06 does not guess the plan; read it in the console (Billing and Cost Management → Free Tier) and type it below, or run `lecture06 run --step billing` again later.",
            "アカウントプランを取得できませんでした: {action} が失敗しました。lecture06 はプランを推測しません。コンソール（請求とコスト管理 → 無料利用枠）で確認して下に入力するか、後で `lecture06 run --step billing` を再実行してください。"
        )
    });
    let typed = ctx.ask_text(
        TYPED_PLAN_KEY,
        t!(
            lang,
            "Which Free Tier does the account have? legacy = created before 2025-07-15 (12-month offers), credit = created from 2025-07-15 (credits, on the Free or the Paid plan), none = past it",
            "アカウントの無料利用枠は？ legacy = 2025-07-15 より前に作成（12 か月の無料枠）、credit = 2025-07-15 以降に作成（クレジット。無料プランでも有料プランでも）、none = 期間終了"
        ),
        None,
        &valid_plan(lang),
    )?;
    Ok(typed.trim().to_string())
}

/// The Free Tier usage call failed, whatever the reason: say why and take the student's own
/// verdict from the console, so the step still records one.
fn ask_verdict(ctx: &mut StepCtx, err: &CloudError) -> AppResult<FreeTierEvidence> {
    let lang = ctx.lang;
    ctx.ui.warn(err.explain(lang, None));
    ctx.ui.warn(t!(
        lang,
        "Read the verdict on the console's Free Tier page (Billing and Cost Management → Free Tier) and type it below.",
        "コンソールの無料利用枠のページ（請求とコスト管理 → 無料利用枠）で確認して、判定を入力してください。"
    ));
    let verdict = ctx.ask_text(
        TYPED_VERDICT_KEY,
        t!(
            lang,
            "Free Tier this month per the console: inside or over (e.g. \"over: S3 storage 5.3 of 5 GB\")",
            "コンソールで見た今月の無料利用枠: inside（枠内）か over（超過）（例: \"over: S3 storage 5.3 of 5 GB\"）"
        ),
        None,
        &valid_verdict(lang),
    )?;
    let overall = if verdict.trim().to_ascii_lowercase().starts_with("over") {
        Standing::Over
    } else {
        Standing::Inside
    };
    Ok(FreeTierEvidence {
        offers: Vec::new(),
        overall,
        overall_en: format!("{verdict} (typed by hand from the console)"),
        overall_ja: format!("{verdict}（コンソールから手入力）"),
        requests: 0,
    })
}

fn show(ctx: &StepCtx, e: &BillingEvidence) {
    let lang = ctx.lang;
    let lines = e.summary(lang);
    let (cost_lines, rest) = lines.split_at(lines.len().saturating_sub(3));
    for line in cost_lines {
        ctx.ui.line(line);
    }
    if !e.by_service.is_empty() {
        ctx.ui
            .line(lang.pick("Where the money goes:", "サービス別の利用料:"));
        let last = format!("{} (USD)", e.period.last_month.format("%Y-%m"));
        let this = format!(
            "{} {} (USD)",
            e.period.this_month.format("%Y-%m"),
            lang.pick("to date", "月初から")
        );
        let headers = [lang.pick("Service", "サービス"), &last, &this];
        let mut rows: Vec<Vec<String>> = e
            .by_service
            .iter()
            .map(|r| {
                vec![
                    service_label(r, lang),
                    r.last_month.display(),
                    r.this_month.display(),
                ]
            })
            .collect();
        rows.push(vec![
            lang.pick("Total", "合計").to_string(),
            e.total_last_month.display(),
            e.total_this_month.display(),
        ]);
        ctx.ui.line(table(&headers, &rows));
    }
    for line in elsewhere::sentences(&e.elsewhere, lang) {
        ctx.ui.warn(line);
    }
    ctx.ui.line(lang.pick("The Free Tier:", "無料利用枠:"));
    if let Some(ft) = &e.free_tier
        && !ft.offers.is_empty()
    {
        let headers = [
            lang.pick("Offer", "無料枠"),
            lang.pick("Used", "使用量"),
            lang.pick("Forecast", "月末予測"),
            lang.pick("Limit", "上限"),
            "%",
            lang.pick("Verdict", "判定"),
        ];
        let rows: Vec<Vec<String>> = ft
            .offers
            .iter()
            .map(|v| {
                vec![
                    offer_name(&v.offer),
                    format!("{} {}", quantity(v.offer.actual), v.offer.unit),
                    format!("{} {}", quantity(v.offer.forecast), v.offer.unit),
                    format!("{} {}", quantity(v.offer.limit), v.offer.unit),
                    format!("{:.0}", v.percent),
                    standing_word(v, lang).to_string(),
                ]
            })
            .collect();
        ctx.ui.line(table(&headers, &rows));
    }
    for line in rest {
        ctx.ui.line(line);
    }
    if let Some(ft) = &e.free_tier {
        // The overall verdict names the worst offers; the ones nearing their limit are flagged
        // here before they go over.
        for v in ft
            .offers
            .iter()
            .filter(|v| v.standing == Standing::Near && ft.overall == Standing::Over)
        {
            let text = lang.pick(&v.verdict_en, &v.verdict_ja);
            ctx.ui.warn(t!(
                lang,
                "flagged before it goes over — {text}",
                "超過前の注意 — {text}"
            ));
        }
    }
}
