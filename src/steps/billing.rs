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
//! instead (`[billing] ec2_last_month_usd`), recorded as typed by hand.

use super::StepCtx;
use crate::clock::{jst, utc};
use crate::cloud::billing::{
    AccountPlan, CostAnswer, CostQuery, FreeTierOffer, GROUP_BY, METRIC, PlanType,
};
use crate::cloud::{CloudError, CloudErrorKind};
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use crate::money::Amount;
use crate::t;
use crate::ui::table;
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

pub const EC2_COMPUTE: &str = "Amazon Elastic Compute Cloud - Compute";
pub const EC2_OTHER: &str = "EC2 - Other";
/// Cost Explorer's price per request.
pub const PRICE_PER_REQUEST: &str = "0.01";
/// Offers at or above this share of their limit are flagged before they go over.
pub const WARN_PERCENT: f64 = 85.0;

const CACHE_KEY: &str = "cost_explorer";
const PAID_CALLS_KEY: &str = "paid_calls";
const TYPED_KEY: &str = "ec2_last_month_usd";
const TYPED_VERDICT_KEY: &str = "free_tier_verdict";

/// The period asked about, from the clock (UTC, Cost Explorer's billing days).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Period {
    pub last_month: NaiveDate,
    pub this_month: NaiveDate,
    /// Exclusive end of the query: the first of next month.
    pub end: NaiveDate,
}

impl Period {
    pub fn at(now: DateTime<Utc>) -> Period {
        let this_month = first_of_month(now.date_naive());
        Period {
            last_month: first_of_month(this_month - Duration::days(1)),
            this_month,
            end: first_of_month(this_month + Duration::days(32)),
        }
    }

    pub fn query(&self) -> CostQuery {
        CostQuery {
            start: self.last_month,
            end: self.end,
        }
    }

    /// The period a saved query asked about (its first month is "last month").
    pub fn of_query(query: &CostQuery) -> Period {
        Period {
            last_month: query.start,
            this_month: first_of_month(query.start + Duration::days(32)),
            end: query.end,
        }
    }

    fn last_month_label(&self) -> String {
        self.last_month.format("%Y-%m").to_string()
    }
}

fn first_of_month(date: NaiveDate) -> NaiveDate {
    date.with_day(1).expect("day 1 exists")
}

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
    pub free_tier: Option<FreeTierEvidence>,
    pub free_tier_error: Option<String>,
}

/// Credits, refunds and other negative record types are shown as their own lines.
fn is_adjustment(record_type: &str) -> bool {
    !matches!(
        record_type,
        "Usage"
            | "DiscountedUsage"
            | "SavingsPlanCoveredUsage"
            | "Tax"
            | "Fee"
            | "RIFee"
            | "SavingsPlanRecurringFee"
            | "SavingsPlanUpfrontFee"
            | "Support"
    )
}

/// The EC2 charge of last month and the by-service table of both months.
pub fn tally(answer: &CostAnswer, period: &Period) -> (Ec2Charge, Vec<ServiceRow>, bool) {
    let last: Vec<_> = answer
        .lines
        .iter()
        .filter(|l| l.month == period.last_month)
        .collect();
    let sum = |service: &str, adjust: bool| {
        Amount::sum(
            last.iter()
                .filter(|l| l.service == service && is_adjustment(&l.record_type) == adjust)
                .map(|l| &l.amount),
        )
    };
    let compute = sum(EC2_COMPUTE, false);
    let other = sum(EC2_OTHER, false);
    let adjustments = Amount::sum(&[sum(EC2_COMPUTE, true), sum(EC2_OTHER, true)]);
    let unit = answer
        .lines
        .first()
        .map(|l| l.unit.clone())
        .unwrap_or_else(|| "USD".into());
    let ec2 = Ec2Charge {
        compute,
        other,
        total: Amount::sum(&[compute, other]),
        adjustments,
        unit,
    };

    let mut rows: Vec<ServiceRow> = Vec::new();
    for line in &answer.lines {
        let record_type = if is_adjustment(&line.record_type) {
            line.record_type.clone()
        } else {
            String::new()
        };
        let index = match rows
            .iter()
            .position(|r| r.service == line.service && r.record_type == record_type)
        {
            Some(i) => i,
            None => {
                rows.push(ServiceRow {
                    service: line.service.clone(),
                    record_type,
                    last_month: Amount::ZERO,
                    this_month: Amount::ZERO,
                });
                rows.len() - 1
            }
        };
        let row = &mut rows[index];
        if line.month == period.last_month {
            row.last_month = Amount::sum(&[row.last_month, line.amount]);
        } else if line.month == period.this_month {
            row.this_month = Amount::sum(&[row.this_month, line.amount]);
        }
    }
    rows.retain(|r| !(r.last_month.is_zero() && r.this_month.is_zero()));
    // Charges largest first (last month, then this month), then credits and refunds.
    rows.sort_by(|a, b| {
        (!a.record_type.is_empty())
            .cmp(&!b.record_type.is_empty())
            .then(b.last_month.abs().cmp(&a.last_month.abs()))
            .then(b.this_month.abs().cmp(&a.this_month.abs()))
            .then(a.service.cmp(&b.service))
    });
    let estimated = answer
        .lines
        .iter()
        .any(|l| l.month == period.this_month && l.estimated);
    (ec2, rows, estimated)
}

/// `S3 TimedStorage`, `EC2 EBS:SnapshotUsage`: how people name an offer.
fn offer_name(offer: &FreeTierOffer) -> String {
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
                .join("; "),
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

fn valid_amount(lang: Lang) -> impl Fn(&str) -> Result<(), String> {
    move |value: &str| match Amount::parse(value.trim().trim_start_matches('$')) {
        Some(a) if !a.is_negative() => Ok(()),
        _ => Err(t!(
            lang,
            "a USD amount as the console shows it, e.g. 0.000032 or 1.23",
            "コンソールに表示された USD の金額（例: 0.000032、1.23）"
        )),
    }
}

fn valid_verdict(lang: Lang) -> impl Fn(&str) -> Result<(), String> {
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

/// Why Cost Explorer cannot answer, and what to do, for the situations the student can fix.
fn cost_explorer_unavailable(err: &CloudError, lang: Lang) -> Option<String> {
    let text = format!(
        "{} {}",
        err.code.as_deref().unwrap_or_default(),
        err.message
    )
    .to_ascii_lowercase();
    let member = text.contains("linked account")
        || text.contains("management account")
        || text.contains("payer account")
        || text.contains("member account");
    if member {
        return Some(t!(
            lang,
            "This account is a member of an AWS Organization whose management account does not let member accounts see Cost Explorer. Ask the organization's administrator to allow it (Billing and Cost Management → Cost Management preferences → \"Linked account access\"), or read last month's EC2 charge in the billing console (Bills → Charges by service → Elastic Compute Cloud) and type it below.",
            "このアカウントは AWS Organizations のメンバーアカウントで、管理アカウントがメンバーに Cost Explorer を見せない設定です。組織の管理者に許可を依頼するか（請求とコスト管理 → Cost Management の設定 →「リンクされたアカウントのアクセス」）、請求コンソール（請求書 → サービス別料金 → Elastic Compute Cloud）で先月の EC2 の料金を確認して下に入力してください。"
        ));
    }
    match err.kind {
        CloudErrorKind::CostExplorerNotEnabled => Some(t!(
            lang,
            "Cost Explorer has never been opened for this account; this is not an IAM problem. Open it once in the console (Billing and Cost Management → Cost Explorer) and wait up to 24 hours, then run `lecture06 run --step billing` again; or read last month's EC2 charge in the billing console (Bills → Charges by service) and type it below.",
            "このアカウントではまだ Cost Explorer が一度も開かれていません（IAM の問題ではありません）。コンソールで一度開き（請求とコスト管理 → Cost Explorer）、最大 24 時間待ってから `lecture06 run --step billing` を再実行してください。または請求コンソール（請求書 → サービス別料金）で先月の EC2 の料金を確認して下に入力してください。"
        )),
        CloudErrorKind::NotEnabled => Some(t!(
            lang,
            "Cost Explorer is not enabled for this account yet. Open Billing and Cost Management → Cost Explorer once in the console to enable it (its data appears within about 24 hours), then run `lecture06 run --step billing` again; or read last month's EC2 charge in the billing console (Bills → Charges by service) and type it below.",
            "このアカウントではまだ Cost Explorer が有効になっていません。コンソールで「請求とコスト管理 → Cost Explorer」を一度開くと有効になり（データが表示されるまで最大 24 時間程度）、その後 `lecture06 run --step billing` を再実行してください。または請求コンソール（請求書 → サービス別料金）で先月の EC2 の料金を確認して下に入力してください。"
        )),
        CloudErrorKind::AccessDenied => Some(t!(
            lang,
            "Your IAM identity may not read Cost Explorer. Add ce:GetCostAndUsage to its policy, and if you sign in as an IAM user, the root user must also turn on \"IAM user and role access to Billing information\" (Account settings); then run `lecture06 run --step billing` again. Or read last month's EC2 charge in the billing console (Bills → Charges by service) and type it below.",
            "この IAM ユーザー／ロールには Cost Explorer を読む権限がありません。ポリシーに ce:GetCostAndUsage を追加し、IAM ユーザーの場合はルートユーザーが「IAM ユーザーおよびロールによる請求情報へのアクセス」（アカウント設定）を有効にしてから `lecture06 run --step billing` を再実行してください。または請求コンソール（請求書 → サービス別料金）で先月の EC2 の料金を確認して下に入力してください。"
        )),
        _ => None,
    }
}

pub fn run(ctx: &mut StepCtx) -> AppResult<Value> {
    let lang = ctx.lang;
    let now = ctx.cloud.clock.now();
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
            ctx.ui.detail(t!(
                lang,
                "Cost Explorer charges USD {PRICE_PER_REQUEST} per request. lecture06 asks it once (one more per extra page of the answer) and saves the answer, so re-runs and `report` do not pay again.",
                "Cost Explorer は 1 リクエストごとに USD {PRICE_PER_REQUEST} かかります。lecture06 は 1 回だけ問い合わせ（回答が複数ページなら追加分も）、回答を保存するので再実行や `report` で再び課金されることはありません。"
            ));
            plan_cost_request(ctx, &query);
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

    let (ec2, rows, estimated, queried_at) = match (&answer_at, source) {
        (Some((answer, at)), _) => {
            let (ec2, rows, estimated) = tally(answer, &period);
            (ec2, rows, estimated, Some(*at))
        }
        (None, Source::Typed) => {
            let month = period.last_month_label();
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
            let ec2 = Ec2Charge {
                compute: amount,
                other: Amount::ZERO,
                total: amount,
                adjustments: Amount::ZERO,
                unit: "USD".into(),
            };
            (ec2, Vec::new(), false, None)
        }
        (None, _) => {
            let zero = Ec2Charge {
                compute: Amount::ZERO,
                other: Amount::ZERO,
                total: Amount::ZERO,
                adjustments: Amount::ZERO,
                unit: "USD".into(),
            };
            (zero, Vec::new(), false, None)
        }
    };

    // The Free Tier API is free of charge: asked on every run.
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
    let (plan, plan_error) = match plan {
        Ok(plan) => (plan, None),
        Err(err) => {
            ctx.ui.warn(err.explain(lang, None));
            (None, Some(err.to_string()))
        }
    };
    let (free_tier, free_tier_error) = match usage {
        Ok(usage) => {
            ctx.evidence_file(
                "free-tier-usage.json",
                &serde_json::to_vec_pretty(&usage).map_err(anyhow::Error::from)?,
            )?;
            (Some(judge_all(&usage.offers, usage.requests)), None)
        }
        Err(err)
            if matches!(
                err.kind,
                CloudErrorKind::AccessDenied | CloudErrorKind::NotEnabled
            ) =>
        {
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
            let typed_en = format!("{verdict} (typed by hand from the console)");
            let typed_ja = format!("{verdict}（コンソールから手入力）");
            (
                Some(FreeTierEvidence {
                    offers: Vec::new(),
                    overall,
                    overall_en: typed_en,
                    overall_ja: typed_ja,
                    requests: 0,
                }),
                Some(err.to_string()),
            )
        }
        Err(err) => {
            ctx.ui.warn(err.explain(lang, None));
            (None, Some(err.to_string()))
        }
    };

    let evidence = BillingEvidence {
        source,
        period,
        queried_at,
        captured_at: now,
        paid_calls,
        from_cache,
        total_last_month: Amount::sum(rows.iter().map(|r| &r.last_month)),
        total_this_month: Amount::sum(rows.iter().map(|r| &r.this_month)),
        ec2_last_month: ec2,
        by_service: rows,
        this_month_estimated: estimated,
        cost_error,
        plan,
        plan_error,
        free_tier,
        free_tier_error,
    };
    show(ctx, &evidence);
    Ok(serde_json::to_value(&evidence).map_err(anyhow::Error::from)?)
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

fn service_label(row: &ServiceRow, lang: Lang) -> String {
    match row.record_type.as_str() {
        "" => row.service.clone(),
        "Credit" => format!("{} — {}", row.service, lang.pick("credit", "クレジット")),
        "Refund" => format!("{} — {}", row.service, lang.pick("refund", "返金")),
        other => format!("{} — {other}", row.service),
    }
}

fn plan_text(plan: Option<&AccountPlan>, lang: Lang) -> String {
    match plan {
        Some(AccountPlan {
            plan_type: PlanType::Free,
            status,
            remaining_credits,
            credits_unit,
            expires,
        }) => {
            let credits = remaining_credits
                .map(|c| {
                    format!(
                        "{} {}",
                        credits_unit.as_deref().unwrap_or("USD"),
                        c.display()
                    )
                })
                .unwrap_or_else(|| "-".into());
            let until = expires.map(jst).unwrap_or_else(|| "-".into());
            t!(
                lang,
                "Free plan (credit-based, {status}): {credits} of credits left, ends {until} or when the credits run out",
                "無料プラン（クレジット制、{status}）: 残りクレジット {credits}、{until} またはクレジットを使い切った時点で終了"
            )
        }
        Some(AccountPlan { status, .. }) => t!(
            lang,
            "Paid plan ({status}). An account made before 2025-07-15 keeps the legacy 12-month Free Tier (its offers and verdicts are listed with the usage).",
            "有料プラン（{status}）。2025-07-15 より前に作成したアカウントは従来の 12 か月無料利用枠が続きます（無料枠ごとの使用量と判定を一覧にしています）。"
        ),
        None => t!(
            lang,
            "No account plan record (an account made before 2025-07-15: legacy 12-month Free Tier)",
            "アカウントプランの記録なし（2025-07-15 より前のアカウント: 従来の 12 か月無料利用枠）"
        ),
    }
}

fn standing_word(standing: Standing, lang: Lang) -> &'static str {
    match standing {
        Standing::Inside => lang.pick("inside", "枠内"),
        Standing::Near => lang.pick(
            "near (≥ 85 % or forecast over)",
            "上限間近（85 % 以上または予測で超過）",
        ),
        Standing::Over => lang.pick("OVER", "超過"),
    }
}

fn show(ctx: &StepCtx, e: &BillingEvidence) {
    let lang = ctx.lang;
    let lines = summary_of(e, lang);
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
                    standing_word(v.standing, lang).to_string(),
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

fn summary_of(e: &BillingEvidence, lang: Lang) -> Vec<String> {
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
    lines.push(plan_text(e.plan.as_ref(), lang));
    match &e.free_tier {
        Some(ft) => lines.push(t!(
            lang,
            "Free Tier: {}",
            "無料利用枠: {}",
            lang.pick(&ft.overall_en, &ft.overall_ja)
        )),
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

pub fn summary(evidence: &Value, lang: Lang) -> Vec<String> {
    serde_json::from_value::<BillingEvidence>(evidence.clone())
        .map(|e| summary_of(&e, lang))
        .unwrap_or_default()
}

/// The report section's facts (see `report-templates/<lang>/billing.md`).
pub fn report_context(evidence: &Value, lang: Lang) -> Value {
    let Ok(e) = serde_json::from_value::<BillingEvidence>(evidence.clone()) else {
        return Value::Null;
    };
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
        "plan": plan_text(e.plan.as_ref(), lang),
        "free_tier": e.free_tier.as_ref().map(|ft| json!({
            "overall": lang.pick(&ft.overall_en, &ft.overall_ja),
            "overall_state": ft.overall,
            "offers": ft.offers.iter().map(|v| json!({
                "name": offer_name(&v.offer),
                "description": v.offer.description,
                "type": v.offer.free_tier_type,
                "used": format!("{} {}", quantity(v.offer.actual), v.offer.unit),
                "forecast": format!("{} {}", quantity(v.offer.forecast), v.offer.unit),
                "limit": format!("{} {}", quantity(v.offer.limit), v.offer.unit),
                "percent": format!("{:.0}", v.percent),
                "standing": standing_word(v.standing, lang),
                "verdict": lang.pick(&v.verdict_en, &v.verdict_ja),
            })).collect::<Vec<_>>(),
        })),
        "free_tier_error": e.free_tier_error,
    })
}

/// The billing step, as the registry declares it.
pub struct BillingStep;

impl super::Step for BillingStep {
    fn id(&self) -> crate::step_id::StepId {
        crate::step_id::StepId::Billing
    }

    fn run(&self, ctx: &mut StepCtx) -> AppResult<Value> {
        run(ctx)
    }

    fn summary(&self, evidence: &Value, lang: Lang) -> Vec<String> {
        summary(evidence, lang)
    }

    fn report_context(&self, evidence: &Value, lang: Lang) -> Value {
        report_context(evidence, lang)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cloud::billing::CostLine;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn a_never_opened_cost_explorer_gets_console_advice_not_iam_advice() {
        let err = CloudError {
            kind: CloudErrorKind::CostExplorerNotEnabled,
            action: "ce:GetCostAndUsage".into(),
            code: Some("AccessDeniedException".into()),
            message: "User not enabled for cost explorer access".into(),
            region: Some("us-east-1".into()),
        };
        let en = cost_explorer_unavailable(&err, Lang::En).expect("typed-by-hand fallback");
        assert!(
            en.contains("Billing and Cost Management → Cost Explorer"),
            "{en}"
        );
        assert!(
            en.contains("24 hours") && en.contains("type it below"),
            "{en}"
        );
        assert!(!en.contains("ce:GetCostAndUsage to its policy"), "{en}");
        let ja = cost_explorer_unavailable(&err, Lang::Ja).unwrap();
        assert!(ja.contains("24 時間") && ja.contains("下に入力"), "{ja}");
    }

    #[test]
    fn period_is_last_calendar_month_to_next_month_in_utc() {
        let p = Period::at("2026-11-21T01:00:00Z".parse().unwrap());
        assert_eq!(
            (p.last_month, p.this_month, p.end),
            (date(2026, 10, 1), date(2026, 11, 1), date(2026, 12, 1))
        );
        // 08:00 JST on 1 January is still 31 December in UTC, Cost Explorer's day.
        let p = Period::at("2026-12-31T23:30:00Z".parse().unwrap());
        assert_eq!((p.last_month, p.end), (date(2026, 11, 1), date(2027, 1, 1)));
        assert_eq!(Period::of_query(&p.query()), p);
        let p = Period::at("2027-01-01T00:00:00Z".parse().unwrap());
        assert_eq!(Period::of_query(&p.query()), p);
        assert_eq!(
            (p.last_month, p.this_month, p.end),
            (date(2026, 12, 1), date(2027, 1, 1), date(2027, 2, 1))
        );
    }

    fn line(month: NaiveDate, service: &str, record_type: &str, amount: &str) -> CostLine {
        CostLine {
            month,
            service: service.into(),
            record_type: record_type.into(),
            amount: Amount::parse(amount).unwrap(),
            unit: "USD".into(),
            estimated: month.month() == 11,
        }
    }

    #[test]
    fn tally_splits_ec2_keeps_precision_and_shows_credits_apart() {
        let (oct, nov) = (date(2026, 10, 1), date(2026, 11, 1));
        let answer = CostAnswer {
            lines: vec![
                line(oct, EC2_COMPUTE, "Usage", "0.0000304"),
                line(oct, EC2_OTHER, "Usage", "0.0000016"),
                line(oct, EC2_COMPUTE, "Credit", "-0.0000304"),
                line(oct, "Amazon Simple Storage Service", "Usage", "0.0123"),
                line(oct, "AmazonCloudWatch", "Usage", "0"),
                line(nov, "AWS CloudTrail", "Usage", "0.0169"),
                line(nov, "Amazon Simple Storage Service", "Refund", "-0.01"),
            ],
            requests: 1,
        };
        let period = Period::at("2026-11-21T01:00:00Z".parse().unwrap());
        let (ec2, rows, estimated) = tally(&answer, &period);
        assert_eq!(ec2.total.display(), "0.000032");
        assert_eq!(ec2.adjustments.display(), "-0.0000304");
        assert!(estimated);
        let names: Vec<(&str, &str)> = rows
            .iter()
            .map(|r| (r.service.as_str(), r.record_type.as_str()))
            .collect();
        assert_eq!(
            names,
            vec![
                ("Amazon Simple Storage Service", ""),
                (EC2_COMPUTE, ""),
                (EC2_OTHER, ""),
                ("AWS CloudTrail", ""),
                (EC2_COMPUTE, "Credit"),
                ("Amazon Simple Storage Service", "Refund"),
            ],
            "charges largest first, zero rows dropped, credits and refunds last on their own lines"
        );
    }

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
}
