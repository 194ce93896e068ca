//! The calls that act: Cost Explorer, paid per request, so asked once and its answer saved in the
//! step's progress (re-runs and `report` read it back unless `run --refresh`); and the Free Tier
//! API, free, asked on every run. `--dry-run` prints the plan of each and never pays.

use super::cost::{Period, cost_explorer_unavailable};
use super::evidence::{CostCache, Source};
use super::{CACHE_KEY, PAID_CALLS_KEY, PRICE_PER_REQUEST};
use crate::clock::jst;
use crate::cloud::CloudError;
use crate::cloud::billing::{AccountPlan, CostAnswer, CostQuery, FreeTierUsage, GROUP_BY, METRIC};
use crate::error::AppResult;
use crate::steps::StepCtx;
use crate::t;
use chrono::{DateTime, Utc};
use serde_json::json;

/// What Cost Explorer said this run, or the answer saved by an earlier one.
pub(super) struct CostOutcome {
    /// The months the figures are about (a saved answer's own months).
    pub period: Period,
    pub answer: Option<(CostAnswer, DateTime<Utc>)>,
    pub source: Source,
    pub from_cache: bool,
    /// Why Cost Explorer could not answer (the student types the figure instead).
    pub cost_error: Option<String>,
    pub paid_calls: u32,
}

/// The Free Tier API's two answers, each as it came.
pub(super) struct FreeTierAnswers {
    pub plan: Result<Option<AccountPlan>, CloudError>,
    pub usage: Result<FreeTierUsage, CloudError>,
}

/// Cost Explorer's answer: the saved one unless `--refresh`; none under `--dry-run`; else one
/// paid request (and one per extra page), saved at once.
pub(super) fn ask_cost_explorer(ctx: &mut StepCtx, now: DateTime<Utc>) -> AppResult<CostOutcome> {
    let lang = ctx.lang;
    let mut period = Period::at(now);
    let query = period.query();
    let mut paid_calls: u32 = ctx.progress(PAID_CALLS_KEY).unwrap_or(0);
    let cached: Option<CostCache> = ctx.progress(CACHE_KEY);
    let refresh = ctx.options.refresh;

    let mut from_cache = false;
    let mut cost_error = None;
    let mut source = Source::CostExplorer;
    let mut answer_at: Option<(CostAnswer, DateTime<Utc>)> = None;
    match cached {
        Some(cache) if !refresh => {
            let when = jst(cache.fetched_at);
            ctx.ui.line(t!(
                lang,
                "Using Cost Explorer's answer saved at {when} (no new paid request; `lecture06 run --step billing --refresh` asks again for USD {PRICE_PER_REQUEST}).",
                "{when} に保存した Cost Explorer の回答を使います（新たな有料リクエストなし。`lecture06 run --step billing --refresh` で再取得できます: 1 回 USD {PRICE_PER_REQUEST}）。"
            ));
            if cache.query != query {
                let (s, e) = (cache.query.start, cache.query.end);
                ctx.ui.warn(t!(
                    lang,
                    "The saved answer covers {s} to {e}, not the months of today: add --refresh to ask for the current ones.",
                    "保存済みの回答は {s} 〜 {e} のもので、今日から見た月とは違います。最新にするには --refresh を付けてください。"
                ));
            }
            from_cache = true;
            // The figures are read against the months the saved answer is about.
            period = Period::of_query(&cache.query);
            answer_at = Some((cache.answer, cache.fetched_at));
        }
        _ if ctx.options.dry_run => {
            plan_cost_request(ctx, &query);
            source = Source::NotAsked;
        }
        _ => {
            ctx.ui.line(t!(
                lang,
                "Cost Explorer charges USD {PRICE_PER_REQUEST} per request. lecture06 asks it once (one more per extra page of the answer) and saves the answer, so re-runs and `report` do not pay again.",
                "Cost Explorer は 1 リクエストごとに USD {PRICE_PER_REQUEST} かかります。lecture06 は 1 回だけ問い合わせ（回答が複数ページなら追加分も）、回答を保存するので再実行や `report` で再び課金されることはありません。"
            ));
            // Counted before it is made: a crash or kill during the request cannot hide a
            // request that may have been charged. Put back when Cost Explorer refuses it.
            ctx.set_progress(PAID_CALLS_KEY, &(paid_calls + 1))?;
            let spinner = ctx.ui.spinner(t!(
                lang,
                "Asking Cost Explorer (us-east-1)…",
                "Cost Explorer（us-east-1）に問い合わせ中…"
            ));
            let result = ctx.cloud.billing.cost_and_usage(&query);
            spinner.finish();
            match result {
                Ok(answer) => {
                    paid_calls += answer.requests as u32;
                    ctx.set_progress(PAID_CALLS_KEY, &paid_calls)?;
                    ctx.set_progress(
                        CACHE_KEY,
                        &CostCache {
                            query: query.clone(),
                            answer: answer.clone(),
                            fetched_at: now,
                        },
                    )?;
                    ctx.evidence_file(
                        "cost-and-usage.json",
                        &serde_json::to_vec_pretty(&answer).map_err(anyhow::Error::from)?,
                    )?;
                    answer_at = Some((answer, now));
                }
                Err(err) => {
                    ctx.set_progress(PAID_CALLS_KEY, &paid_calls)?;
                    let Some(advice) = cost_explorer_unavailable(&err, lang) else {
                        return Err(err.into());
                    };
                    ctx.ui
                        .warn(err.explain(lang, None).lines().next().unwrap_or_default());
                    ctx.ui.warn(advice);
                    cost_error = Some(format!(
                        "{}: {}",
                        err.code.clone().unwrap_or_default(),
                        err.message
                    ));
                    source = Source::Typed;
                }
            }
        }
    }
    Ok(CostOutcome {
        period,
        answer: answer_at,
        source,
        from_cache,
        cost_error,
        paid_calls,
    })
}

/// Asks the Free Tier API (free of charge: asked on every run) for the account plan and this
/// month's usage of the offers.
pub(super) fn fetch_free_tier(ctx: &StepCtx) -> FreeTierAnswers {
    let lang = ctx.lang;
    if ctx.options.dry_run {
        ctx.ui.plan(
            "freetier:GetAccountPlanState (read-only, free)",
            &json!({"Region": "us-east-1"}),
        );
        ctx.ui.plan(
            "freetier:GetFreeTierUsage (read-only, free)",
            &json!({"Region": "us-east-1", "maxResults": 100}),
        );
    }
    let spinner = ctx.ui.spinner(t!(
        lang,
        "Asking the Free Tier API (us-east-1)…",
        "無料利用枠 API（us-east-1）に問い合わせ中…"
    ));
    let plan = ctx.cloud.billing.account_plan();
    let usage = ctx.cloud.billing.free_tier_usage();
    spinner.finish();
    FreeTierAnswers { plan, usage }
}

fn plan_cost_request(ctx: &StepCtx, query: &CostQuery) {
    if ctx.options.dry_run {
        ctx.ui.plan(
            "ce:GetCostAndUsage (read-only, USD 0.01 per request)",
            &json!({"Region": "us-east-1", "TimePeriod": {"Start": query.start, "End": query.end},
                    "Granularity": "MONTHLY", "Metrics": [METRIC],
                    "GroupBy": GROUP_BY.iter().map(|k| json!({"Type": "DIMENSION", "Key": k})).collect::<Vec<_>>()}),
        );
    }
}
