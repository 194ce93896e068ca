//! The estimate's questions: the usage assumptions, the Free Tier plan and the JPY rate.

use super::StepCtx;
use super::checks::{date_check, dec, number_check, plan_from_billing as plan_of};
use super::costing::{self, Assumptions, FreeTier, Totals};
use super::evidence::{BucketSize, Jpy};
use crate::cloud::inventory::Inventory;
use crate::cloud::student::ExampleAnswer;
use crate::decimal::Dec;
use crate::error::AppResult;
use crate::prompt::Choice;
use crate::t;
use chrono::NaiveDate;

pub(super) fn ask_assumptions(
    ctx: &mut StepCtx,
    inv: &Inventory,
    sizes: &[BucketSize],
) -> AppResult<Assumptions> {
    let lang = ctx.lang;
    ctx.ui.line(t!(
        lang,
        "Usage assumptions (a month):",
        "使用量の前提（1 か月）:"
    ));
    ctx.ui.line(t!(
        lang,
        "  hours: 730 = 24 h × 365 days ÷ 12, the calculator's month; a resource that runs all month.",
        "  時間: 730 = 24 時間 × 365 日 ÷ 12。計算ツールの 1 か月で、ずっと動かしておく場合です。"
    ));
    let hours = ctx.ask_text(
        "hours_per_month",
        t!(
            lang,
            "Hours a month each resource runs",
            "各リソースが 1 か月に動く時間"
        ),
        Some("730".into()),
        &number_check(lang, "0", true, "744", "hours a month", "1 か月の時間"),
    )?;
    let mut s3_gb = Dec::ZERO;
    if !inv.buckets.is_empty() {
        let known: Option<Vec<u64>> = sizes.iter().map(|s| s.bytes).collect();
        let default = known.map(|bytes| costing::gb_of_bytes(bytes.iter().sum::<u64>()).plain());
        match &default {
            Some(gb) => ctx.ui.line(t!(
                lang,
                "  S3: {gb} GB stored now (CloudWatch BucketSizeBytes, all buckets); growth is up to you.",
                "  S3: 現在 {gb} GB 保存されています（CloudWatch の BucketSizeBytes、全バケット合計）。増える見込みがあれば増やしてください。"
            )),
            None => ctx.ui.line(t!(
                lang,
                "  S3: no BucketSizeBytes datapoint yet (S3 reports it once a day); give the GB you expect to store.",
                "  S3: BucketSizeBytes のデータがまだありません（S3 は 1 日 1 回報告します）。保存する見込みの GB を入れてください。"
            )),
        }
        let gb = ctx.ask_text(
            "s3_gb",
            t!(
                lang,
                "GB stored in S3 Standard (all buckets)",
                "S3 標準に保存する GB（全バケット合計）"
            ),
            default,
            &number_check(lang, "0", false, "100000", "GB stored in S3", "S3 の GB"),
        )?;
        s3_gb = dec(&gb);
    }
    let mut alb_gb = Dec::ZERO;
    if inv.load_balancers.iter().any(|l| l.kind == "application") {
        ctx.ui.line(t!(
            lang,
            "  ALB: a practice app's traffic is tiny; 10 GB a month is a generous ceiling (0.08 USD of LCUs).",
            "  ALB: 練習用アプリのトラフィックはごくわずかです。月 10 GB は十分な上限です（LCU で 0.08 USD）。"
        ));
        let gb = ctx.ask_text(
            "alb_processed_gb",
            t!(
                lang,
                "GB a month processed by the ALB",
                "ALB が 1 か月に処理する GB"
            ),
            Some("10".into()),
            &number_check(
                lang,
                "0",
                false,
                "100000",
                "GB processed by the ALB",
                "ALB の処理 GB",
            ),
        )?;
        alb_gb = dec(&gb);
    }
    Ok(Assumptions {
        hours_per_month: dec(&hours),
        s3_gb,
        alb_processed_gb: alb_gb,
    })
}

fn plan_from_billing(ctx: &StepCtx) -> Option<FreeTier> {
    let billing = ctx.evidence_of::<crate::steps::billing::BillingStep>()?;
    plan_of(billing.free_tier_plan.as_deref(), billing.plan.as_ref())
}

pub(super) fn ask_free_tier(ctx: &mut StepCtx) -> AppResult<(FreeTier, String)> {
    let lang = ctx.lang;
    let from_billing = plan_from_billing(ctx);
    let example = ctx
        .examples
        .get(ExampleAnswer::FreeTierPlan)
        .and_then(|plan| FreeTier::parse(&plan));
    let default = from_billing.or(example);
    let prompt = t!(
        lang,
        "Which Free Tier does the account have? legacy = created before 2025-07-15 (12-month offers), credit = created from 2025-07-15 (Free plan credits), none = past it",
        "アカウントの無料利用枠は？ legacy = 2025-07-15 より前に作成（12 か月の無料枠）、credit = 2025-07-15 以降に作成（無料プランのクレジット）、none = 期間終了"
    );
    let plans = [FreeTier::Legacy, FreeTier::Credit, FreeTier::None];
    let id = if ctx.prompter.is_interactive() {
        let choices: Vec<Choice> = plans
            .iter()
            .map(|p| Choice {
                id: p.id().into(),
                label: p.id().into(),
            })
            .collect();
        let index = default
            .and_then(|d| plans.iter().position(|p| *p == d))
            .unwrap_or(0);
        let picked = ctx.ask_select("free_tier", prompt, &choices, index)?;
        plans[picked].id().to_string()
    } else {
        ctx.ask_text(
            "free_tier",
            prompt,
            default.map(|d| d.id().to_string()),
            &move |v: &str| {
                FreeTier::parse(v).map(|_| ()).ok_or_else(|| {
                    t!(
                        lang,
                        "expected legacy, credit or none",
                        "legacy・credit・none のいずれかです"
                    )
                })
            },
        )?
    };
    let plan = FreeTier::parse(&id).unwrap_or(FreeTier::None);
    let from = match (from_billing, default) {
        (Some(billing), _) if billing == plan => "billing step",
        (None, Some(d)) if d == plan => "example",
        _ => "answer",
    };
    Ok((plan, from.into()))
}

pub(super) fn ask_jpy(ctx: &mut StepCtx, totals: &Totals, today: NaiveDate) -> AppResult<Jpy> {
    let lang = ctx.lang;
    let rate = ctx.ask_text(
        "jpy_per_usd",
        t!(
            lang,
            "JPY per USD (the day's rate from your bank or a rate site; lecture06 does not guess one)",
            "1 USD あたりの円（銀行やレートのサイトで確認した当日のレート。lecture06 は推測しません）"
        ),
        ctx.examples.get(ExampleAnswer::JpyRate),
        &number_check(lang, "0", true, "1000", "JPY per USD", "為替レート"),
    )?;
    let date = ctx.ask_text(
        "jpy_rate_date",
        t!(lang, "The rate's date", "レートの日付"),
        Some(today.format("%Y-%m-%d").to_string()),
        &date_check(lang, today),
    )?;
    let r = dec(&rate);
    Ok(Jpy {
        jpy_per_usd: r,
        rate_date: date.trim().to_string(),
        example_rate: ctx.examples.is(ExampleAnswer::JpyRate, &rate),
        monthly: costing::to_jpy(totals.monthly_usd, r),
        yearly: costing::to_jpy(totals.yearly_usd, r),
        monthly_after_free_tier: costing::to_jpy(totals.monthly_after_free_tier_usd, r),
        yearly_after_free_tier: costing::to_jpy(totals.yearly_after_free_tier_usd, r),
    })
}
