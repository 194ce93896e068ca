//! Step 4: price what the student actually built and get their Pricing Calculator link right.
//! Reads the working Region (read-only), asks the usage assumptions, prices each line from the
//! Price List API (or the embedded snapshot, saying so), shows the table with the Free Tier's
//! effect and the largest cost drivers, lists the calculator.aws entries, and checks the share
//! URL and the calculator's total. Nothing here changes the account; Cost Explorer is not used.

pub mod calculator;
pub mod costing;

use super::StepCtx;
use crate::cloud::CloudError;
use crate::cloud::inventory::Inventory;
use crate::cloud::price_snapshot::Snapshot;
use crate::cloud::student::ExampleAnswer;
use crate::decimal::Dec;
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use crate::prompt::Choice;
use crate::step_id::StepId;
use crate::t;
use crate::ui::table;
use calculator::{Comparison, ServiceEntry, ShareUrl};
use chrono::{DateTime, Utc};
use costing::{Assumptions, Driver, FreeTier, Line, PriceSource, Totals};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EstimateEvidence {
    pub region: String,
    pub inventory: Inventory,
    /// Resource IDs the student left out.
    pub excluded: Vec<String>,
    pub bucket_sizes: Vec<BucketSize>,
    pub assumptions: Assumptions,
    pub prices: PricesEvidence,
    pub lines: Vec<Line>,
    pub free_tier: FreeTier,
    /// `answer`, `billing step`, or `example` (the practice account's offered plan).
    pub free_tier_from: String,
    pub totals: Totals,
    pub jpy: Jpy,
    pub drivers: Vec<Driver>,
    pub calculator_entries: Vec<ServiceEntry>,
    pub calculator: ShareUrl,
    /// The practice account's example link was kept: not a real estimate.
    pub calculator_is_example: bool,
    pub comparison: Option<Comparison>,
    pub captured_at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BucketSize {
    pub bucket: String,
    /// From CloudWatch `BucketSizeBytes`; `None` when there was no datapoint.
    pub bytes: Option<u64>,
    pub error: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PricesEvidence {
    pub source: PriceSource,
    /// Why the Price List API was not used (its error), when the snapshot stood in.
    pub api_error: Option<String>,
    pub snapshot_date: Option<String>,
    pub snapshot_source_en: Option<String>,
    pub snapshot_source_ja: Option<String>,
    /// Some line's price is marked unconfirmed in the snapshot.
    pub unconfirmed: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Jpy {
    pub jpy_per_usd: Dec,
    /// The date the student gave for the rate (YYYY-MM-DD).
    pub rate_date: String,
    /// The practice account's example rate was kept.
    pub example_rate: bool,
    pub monthly: Dec,
    pub yearly: Dec,
    pub monthly_after_free_tier: Dec,
    pub yearly_after_free_tier: Dec,
}

/// A number in `[min, max]` (`min` excluded when `exclusive`), with a message naming what is wrong.
fn number_check(
    lang: Lang,
    min: &'static str,
    exclusive: bool,
    max: &'static str,
    what_en: &'static str,
    what_ja: &'static str,
) -> impl Fn(&str) -> Result<(), String> {
    move |value: &str| {
        let Some(n) = Dec::parse(value) else {
            return Err(t!(
                lang,
                "give a number (e.g. {max}) for {what_en}",
                "{what_ja}には数値を入れてください（例: {max}）"
            ));
        };
        let (lo, hi) = (
            Dec::parse(min).unwrap_or(Dec::ZERO),
            Dec::parse(max).unwrap_or(Dec::ZERO),
        );
        if n.is_negative() {
            return Err(t!(
                lang,
                "{what_en} cannot be negative",
                "{what_ja}は負にできません"
            ));
        }
        if (exclusive && n <= lo) || n < lo {
            return Err(if n.is_zero() {
                t!(lang, "{what_en} cannot be 0", "{what_ja}は 0 にできません")
            } else {
                t!(
                    lang,
                    "{what_en} must be more than {min}",
                    "{what_ja}は {min} より大きくしてください"
                )
            });
        }
        if n > hi {
            return Err(t!(
                lang,
                "{value} is not a plausible {what_en} (at most {max})",
                "{value} は{what_ja}としてありえない値です（最大 {max}）"
            ));
        }
        Ok(())
    }
}

fn date_check(lang: Lang) -> impl Fn(&str) -> Result<(), String> {
    move |value: &str| {
        chrono::NaiveDate::parse_from_str(value.trim(), "%Y-%m-%d")
            .map(|_| ())
            .map_err(|_| {
                t!(
                    lang,
                    "a date looks like 2026-11-21",
                    "日付は 2026-11-21 の形式です"
                )
            })
    }
}

fn dec(text: &str) -> Dec {
    Dec::parse(text).unwrap_or(Dec::ZERO)
}

pub fn run(ctx: &mut StepCtx) -> AppResult<Value> {
    let lang = ctx.lang;
    let region = ctx.session_region();

    // 1. The inventory.
    let spinner = ctx.ui.spinner(t!(
        lang,
        "Reading what is in {region} (EC2, EBS, RDS, load balancers, S3; read-only)…",
        "{region} のリソースを読み取り中（EC2・EBS・RDS・ロードバランサー・S3、読み取りのみ）…"
    ));
    let found = ctx.cloud.inventory.inventory(&region);
    spinner.finish();
    let found = found?;
    ctx.evidence_file(
        "inventory.json",
        &serde_json::to_vec_pretty(&found).map_err(anyhow::Error::from)?,
    )?;
    show_inventory(ctx, &found);
    let ids = resource_ids(&found);
    let excluded_text = ctx.ask_text(
        "exclude",
        t!(
            lang,
            "Leave anything out of the estimate? (IDs or names, comma-separated; empty = keep all)",
            "見積もりから外すものは？（ID または名前をカンマ区切りで。空欄ならすべて含める）"
        ),
        Some(String::new()),
        &{
            let ids = ids.clone();
            move |value: &str| {
                let unknown: Vec<&str> = split_list(value)
                    .into_iter()
                    .filter(|v| !ids.iter().any(|id| id == v))
                    .collect();
                if unknown.is_empty() {
                    Ok(())
                } else {
                    Err(t!(
                        lang,
                        "not in the list: {}",
                        "一覧にありません: {}",
                        unknown.join(", ")
                    ))
                }
            }
        },
    )?;
    let excluded: Vec<String> = split_list(&excluded_text)
        .into_iter()
        .map(str::to_string)
        .collect();
    let inventory = without(&found, &excluded);
    if inventory.instances.is_empty()
        && inventory.databases.is_empty()
        && inventory.load_balancers.is_empty()
        && inventory.buckets.is_empty()
    {
        return Err(AppError::Failed(t!(
            lang,
            "Nothing to estimate in {region}. If you built in another Region, run again with --region; otherwise build the lecture's resources first.",
            "{region} に見積もる対象がありません。別のリージョンで作ったなら --region を付けて再実行してください。まだなら先に講座のリソースを作成してください。"
        )));
    }

    // 2. Bucket sizes and the usage assumptions.
    let mut bucket_sizes = Vec::new();
    for bucket in &inventory.buckets {
        let (bytes, error) = match ctx.cloud.inventory.bucket_size_bytes(bucket) {
            Ok(bytes) => (bytes, None),
            Err(err) => {
                let (name, why) = (&bucket.name, brief(&err));
                ctx.ui.warn(t!(
                    lang,
                    "The size of {name} could not be read from CloudWatch ({why}); you are asked for the GB instead.",
                    "{name} のサイズを CloudWatch から読めませんでした（{why}）。代わりに GB を質問します。"
                ));
                (None, Some(err.to_string()))
            }
        };
        bucket_sizes.push(BucketSize {
            bucket: bucket.name.clone(),
            bytes,
            error,
        });
    }
    let assumptions = ask_assumptions(ctx, &inventory, &bucket_sizes)?;

    // 3. Prices.
    let mut lines = costing::lines(&inventory, &assumptions);
    let prices = price(ctx, &mut lines)?;

    // 4. Free Tier, totals, JPY.
    let (free_tier, free_tier_from) = ask_free_tier(ctx)?;
    costing::apply_free_tier(&mut lines, free_tier);
    let totals = costing::totals(&lines);
    let drivers = costing::drivers(&lines, totals.monthly_usd);
    ctx.ui.line(estimate_table(&lines, free_tier, lang));
    show_totals(ctx, &totals, free_tier, &prices);
    let jpy = ask_jpy(ctx, &totals)?;
    ctx.ui.line(t!(
        lang,
        "In JPY at {} JPY/USD ({}{}): {} JPY a month, {} JPY a year (after the Free Tier: {} / {}). AWS prices exclude tax (10 % consumption tax in Japan).",
        "円換算（1 USD = {} 円、{}{}）: 月 {} 円、年 {} 円（無料利用枠適用後: {} / {}）。AWS の価格は税抜きです（日本では消費税 10 %）。",
        jpy.jpy_per_usd.plain(),
        jpy.rate_date,
        if jpy.example_rate { format!("{}{}{}", lang.pick(", ", "、"), ctx.cloud.student.example_label(lang), lang.pick(" rate", "レート")) } else { String::new() },
        jpy.monthly.grouped(0),
        jpy.yearly.grouped(0),
        jpy.monthly_after_free_tier.grouped(0),
        jpy.yearly_after_free_tier.grouped(0)
    ));
    show_drivers(ctx, &lines, &drivers);

    // 5. The calculator.
    let entries = calculator::entries(&lines, &region, assumptions.hours_per_month, lang);
    show_entries(ctx, &entries);
    let ready = ctx.ask_confirm(
        "calculator_ready",
        t!(
            lang,
            "Have you made the estimate on https://calculator.aws with these entries and pressed Share?",
            "https://calculator.aws でこの内容の見積もりを作り、「共有」を押しましたか？"
        ),
        true,
    )?;
    if !ready {
        return Err(AppError::Failed(t!(
            lang,
            "Make the estimate on https://calculator.aws (the entries above), then run `lecture06 run --step estimate` again; your answers are saved.",
            "https://calculator.aws で見積もり（上の入力内容）を作ってから `lecture06 run --step estimate` を再実行してください。回答は保存されています。"
        )));
    }
    let url_text = ctx.ask_text(
        "calculator_url",
        t!(
            lang,
            "The share URL of your estimate (https://calculator.aws/#/estimate?id=…)",
            "見積もりの共有 URL（https://calculator.aws/#/estimate?id=…）"
        ),
        ctx.cloud.student.example(ExampleAnswer::CalculatorUrl),
        &move |v: &str| calculator::parse_share_url(v, lang).map(|_| ()),
    )?;
    let share = calculator::parse_share_url(&url_text, lang).map_err(AppError::Usage)?;
    if !share.dropped.is_empty() {
        ctx.ui.line(t!(
            lang,
            "Kept the estimate's link without the extra parameters ({}): {}",
            "余分なパラメータ（{}）を除いたリンクを記録します: {}",
            share.dropped.len(),
            share.url
        ));
    }
    let calculator_is_example = ctx
        .cloud
        .student
        .is_example(ExampleAnswer::CalculatorUrl, &share.url);
    if calculator_is_example {
        let label = ctx.cloud.student.example_label(lang);
        ctx.ui.warn(t!(
            lang,
            "This is the {label} link, not a real estimate.",
            "これは{label}リンクで、実際の見積もりではありません。"
        ));
    }
    let total_text = ctx.ask_text(
        "calculator_total_usd",
        t!(
            lang,
            "The calculator's yearly total in USD (“12 months total”; empty to skip)",
            "計算ツールの年額合計（USD、「12 か月の合計」。空欄で省略）"
        ),
        Some(String::new()),
        &{
            let check = number_check(
                lang,
                "0",
                true,
                "1000000",
                "a yearly total in USD",
                "年額（USD）",
            );
            move |v: &str| {
                if v.trim().is_empty() {
                    Ok(())
                } else {
                    check(v)
                }
            }
        },
    )?;
    let comparison = (!total_text.trim().is_empty())
        .then(|| calculator::compare(&lines, totals.yearly_usd, dec(&total_text)));
    if let Some(c) = &comparison {
        show_comparison(ctx, c);
    }

    let evidence = EstimateEvidence {
        region,
        inventory: found,
        excluded,
        bucket_sizes,
        assumptions,
        prices,
        lines,
        free_tier,
        free_tier_from,
        totals,
        jpy,
        drivers,
        calculator_entries: entries,
        calculator: share,
        calculator_is_example,
        comparison,
        captured_at: ctx.cloud.clock.now(),
    };
    ctx.ui.ok(t!(lang, "Captured:", "記録しました:"));
    for line in summary_of(&evidence, lang) {
        ctx.ui.line(format!("  {line}"));
    }
    Ok(serde_json::to_value(&evidence).map_err(anyhow::Error::from)?)
}

/// An error in a few words for a warning: its action and code (or the start of its message).
fn brief(err: &CloudError) -> String {
    let detail = err.code.clone().unwrap_or_else(|| {
        let first: String = err.message.chars().take(80).collect();
        format!("{first}…")
    });
    format!("{}: {detail}", err.action)
}

fn split_list(text: &str) -> Vec<&str> {
    text.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect()
}

/// Every ID or name a student may leave out.
fn resource_ids(inv: &Inventory) -> Vec<String> {
    let mut ids = Vec::new();
    for i in &inv.instances {
        ids.push(i.id.clone());
        ids.extend(i.name.clone());
        ids.extend(i.volumes.iter().map(|v| v.id.clone()));
        ids.extend(i.public_ipv4.iter().cloned());
    }
    ids.extend(inv.databases.iter().map(|d| d.id.clone()));
    ids.extend(inv.load_balancers.iter().map(|l| l.name.clone()));
    ids.extend(inv.buckets.iter().map(|b| b.name.clone()));
    ids
}

fn without(inv: &Inventory, excluded: &[String]) -> Inventory {
    let out = |id: &str| excluded.iter().any(|e| e == id);
    let mut kept = inv.clone();
    kept.instances
        .retain(|i| !out(&i.id) && !i.name.as_deref().is_some_and(out));
    for i in &mut kept.instances {
        i.volumes.retain(|v| !out(&v.id));
        i.public_ipv4.retain(|ip| !out(ip));
    }
    kept.databases.retain(|d| !out(&d.id));
    kept.load_balancers.retain(|l| !out(&l.name));
    kept.buckets.retain(|b| !out(&b.name));
    kept
}

fn show_inventory(ctx: &StepCtx, inv: &Inventory) {
    let lang = ctx.lang;
    let mut rows = Vec::new();
    for i in &inv.instances {
        rows.push(vec![
            "EC2".into(),
            match &i.name {
                Some(n) => format!("{} ({n})", i.id),
                None => i.id.clone(),
            },
            format!("{}, {}", i.instance_type, i.platform),
            i.state.clone(),
        ]);
        for v in &i.volumes {
            rows.push(vec![
                "  EBS".into(),
                v.id.clone(),
                format!("{}, {} GB", v.volume_type, v.size_gb),
                String::new(),
            ]);
        }
        for ip in &i.public_ipv4 {
            rows.push(vec![
                "  IPv4".into(),
                ip.clone(),
                lang.pick("public IPv4 address", "パブリック IPv4 アドレス")
                    .into(),
                String::new(),
            ]);
        }
    }
    for d in &inv.databases {
        rows.push(vec![
            "RDS".into(),
            d.id.clone(),
            format!(
                "{}, {}, {}, {} {} GB",
                d.class,
                d.engine,
                if d.multi_az { "Multi-AZ" } else { "Single-AZ" },
                d.storage_type,
                d.storage_gb
            ),
            d.status.clone(),
        ]);
    }
    for l in &inv.load_balancers {
        rows.push(vec![
            "ELB".into(),
            l.name.clone(),
            l.kind.clone(),
            l.state.clone(),
        ]);
    }
    for b in &inv.buckets {
        rows.push(vec![
            "S3".into(),
            b.name.clone(),
            b.region.clone(),
            String::new(),
        ]);
    }
    let region = &inv.region;
    ctx.ui
        .line(t!(lang, "What is in {region}:", "{region} にあるもの:"));
    let headers = [
        lang.pick("Kind", "種類"),
        lang.pick("ID / name", "ID / 名前"),
        lang.pick("Details", "詳細"),
        lang.pick("State", "状態"),
    ];
    ctx.ui.line(table(&headers, &rows));
    let idle: Vec<&str> = inv
        .instances
        .iter()
        .filter(|i| i.state != "running")
        .map(|i| i.id.as_str())
        .chain(
            inv.databases
                .iter()
                .filter(|d| d.status == "stopped")
                .map(|d| d.id.as_str()),
        )
        .collect();
    if !idle.is_empty() {
        let ids = idle.join(", ");
        ctx.ui.line(t!(
            lang,
            "Not running now: {ids}. They are priced as if they run the hours you give below (the calculator estimates running resources); their storage is charged either way.",
            "現在停止中: {ids}。下で答える時間だけ動かす前提で見積もります（計算ツールも稼働中の前提です）。ストレージは停止中も課金されます。"
        ));
    }
    ctx.ui.line(t!(
        lang,
        "Not read here: NAT gateways, data transfer, CloudWatch, snapshots, Route 53 — add them on the calculator if you use them.",
        "ここでは読み取らないもの: NAT ゲートウェイ、データ転送、CloudWatch、スナップショット、Route 53。使っているなら計算ツールで追加してください。"
    ));
}

fn ask_assumptions(
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

/// Prices every line from the Price List API; when the API cannot be used (no permission,
/// offline), from the embedded snapshot, saying so. A Price List that is itself the snapshot (the
/// practice account's) is labelled as such.
fn price(ctx: &mut StepCtx, lines: &mut [Line]) -> AppResult<PricesEvidence> {
    let lang = ctx.lang;
    let list_is_snapshot = ctx.cloud.prices.is_embedded_snapshot();
    let snapshot = Snapshot::embedded();
    let spinner = ctx.ui.spinner(t!(
        lang,
        "Looking up prices (pricing:GetProducts)…",
        "料金を調べています（pricing:GetProducts）…"
    ));
    let mut api_error: Option<CloudError> = None;
    let mut raw = Vec::new();
    for line in lines.iter_mut() {
        let query = match costing::query(line) {
            Ok(q) => q,
            Err((en, ja)) => {
                line.unpriced_en = Some(en);
                line.unpriced_ja = Some(ja);
                continue;
            }
        };
        let from_api = if api_error.is_none() {
            match ctx.cloud.prices.products(&query) {
                Ok(products) => Some(products),
                Err(err) => {
                    api_error = Some(err);
                    None
                }
            }
        } else {
            None
        };
        let (products, source) = match from_api {
            Some(products) if !list_is_snapshot => (products, PriceSource::PriceListApi),
            Some(products) => (products, PriceSource::Snapshot),
            None => (snapshot.products(&query), PriceSource::Snapshot),
        };
        raw.push(json!({"query": query, "products": products}));
        costing::price_line(line, products, source, &|sku| snapshot.is_confirmed(sku));
    }
    spinner.finish();
    ctx.evidence_file(
        "prices.json",
        &serde_json::to_vec_pretty(&raw).map_err(anyhow::Error::from)?,
    )?;
    let used_snapshot = list_is_snapshot || api_error.is_some();
    if let Some(err) = &api_error {
        let why = brief(err);
        ctx.ui.warn(t!(
            lang,
            "pricing:GetProducts failed ({why}). Allow pricing:GetProducts (see the README's IAM list) for current prices.",
            "pricing:GetProducts が失敗しました（{why}）。最新の料金を使うには pricing:GetProducts を許可してください（README の IAM 一覧）。"
        ));
        ctx.ui.warn(t!(
            lang,
            "The Price List API could not be used: the prices below come from lecture06's embedded snapshot of {} — {}",
            "Price List API を使えなかったため、以下の料金は lecture06 に組み込んだ {} のスナップショットです — {}",
            snapshot.date,
            snapshot.source(lang)
        ));
    } else if list_is_snapshot {
        ctx.ui.line(t!(
            lang,
            "Prices come from lecture06's embedded snapshot of {} — {}",
            "料金は lecture06 に組み込んだ {} のスナップショットです — {}",
            snapshot.date,
            snapshot.source(lang)
        ));
    }
    Ok(PricesEvidence {
        source: if used_snapshot {
            PriceSource::Snapshot
        } else {
            PriceSource::PriceListApi
        },
        api_error: api_error.map(|e| e.to_string()),
        snapshot_date: used_snapshot.then(|| snapshot.date.clone()),
        snapshot_source_en: used_snapshot.then(|| snapshot.source_en.clone()),
        snapshot_source_ja: used_snapshot.then(|| snapshot.source_ja.clone()),
        unconfirmed: lines
            .iter()
            .any(|l| l.price.as_ref().is_some_and(|p| !p.confirmed)),
    })
}

/// The plan the billing step found, if it ran first: `plan.plan_type` = `FREE` (GetAccountPlanState)
/// is the credit plan; an explicit `free_tier_plan` (legacy|credit|none) wins. A paid plan alone
/// cannot tell the legacy 12 months from none, so it is asked.
fn plan_from_billing_evidence(evidence: &Value) -> Option<FreeTier> {
    if let Some(plan) = evidence.get("free_tier_plan").and_then(Value::as_str) {
        return FreeTier::parse(plan);
    }
    (evidence.pointer("/plan/plan_type")?.as_str()? == "FREE").then_some(FreeTier::Credit)
}

fn plan_from_billing(ctx: &StepCtx) -> Option<FreeTier> {
    plan_from_billing_evidence(&ctx.evidence_of(StepId::Billing)?)
}

fn ask_free_tier(ctx: &mut StepCtx) -> AppResult<(FreeTier, String)> {
    let lang = ctx.lang;
    let from_billing = plan_from_billing(ctx);
    let example = ctx
        .cloud
        .student
        .example(ExampleAnswer::FreeTierPlan)
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

fn ask_jpy(ctx: &mut StepCtx, totals: &Totals) -> AppResult<Jpy> {
    let lang = ctx.lang;
    let rate = ctx.ask_text(
        "jpy_per_usd",
        t!(
            lang,
            "JPY per USD (the day's rate from your bank or a rate site; lecture06 does not guess one)",
            "1 USD あたりの円（銀行やレートのサイトで確認した当日のレート。lecture06 は推測しません）"
        ),
        ctx.cloud.student.example(ExampleAnswer::JpyRate),
        &number_check(lang, "0", true, "1000", "JPY per USD", "為替レート"),
    )?;
    let today = ctx
        .cloud
        .clock
        .now()
        .with_timezone(&chrono::FixedOffset::east_opt(9 * 3600).expect("JST"))
        .format("%Y-%m-%d")
        .to_string();
    let date = ctx.ask_text(
        "jpy_rate_date",
        t!(lang, "The rate's date", "レートの日付"),
        Some(today),
        &date_check(lang),
    )?;
    let r = dec(&rate);
    Ok(Jpy {
        jpy_per_usd: r,
        rate_date: date.trim().to_string(),
        example_rate: ctx.cloud.student.is_example(ExampleAnswer::JpyRate, &rate),
        monthly: costing::to_jpy(totals.monthly_usd, r),
        yearly: costing::to_jpy(totals.yearly_usd, r),
        monthly_after_free_tier: costing::to_jpy(totals.monthly_after_free_tier_usd, r),
        yearly_after_free_tier: costing::to_jpy(totals.yearly_after_free_tier_usd, r),
    })
}

/// The per-resource table: quantity, unit price, monthly cost, and after the Free Tier.
pub fn estimate_table(lines: &[Line], plan: FreeTier, lang: Lang) -> String {
    let mut rows = Vec::new();
    let mut notes = Vec::new();
    for l in lines {
        let (unit_price, monthly, after) = match (&l.price, l.monthly_usd) {
            (Some(p), Some(m)) => (
                format!(
                    "{}{}{}",
                    p.usd_per_unit.plain(),
                    if p.confirmed { "" } else { " †" },
                    match p.ambiguity(lang) {
                        Some(why) => {
                            notes.push(format!("‡{}: {} — {why}", notes.len() + 1, l.resource));
                            format!(" ‡{}", notes.len())
                        }
                        None => String::new(),
                    }
                ),
                m.fixed(2),
                l.monthly_after_free_tier_usd.unwrap_or(m).fixed(2),
            ),
            _ => {
                notes.push(format!(
                    "*{}: {} — {}",
                    notes.len() + 1,
                    l.resource,
                    l.unpriced(lang).unwrap_or_default()
                ));
                let mark = format!("{} *{}", lang.pick("not priced", "未計上"), notes.len());
                (String::from("—"), mark.clone(), mark)
            }
        };
        rows.push(vec![
            l.service.clone(),
            shorten(&l.resource, 28),
            l.describe(lang),
            format!("{} {}", l.quantity.round(2).plain(), l.unit),
            unit_price,
            monthly,
            after,
        ]);
    }
    let after_header = match plan {
        FreeTier::Legacy => lang.pick("After Free Tier", "無料枠適用後"),
        FreeTier::Credit => lang.pick("After Free Tier (credits)", "無料枠適用後（クレジット）"),
        FreeTier::None => lang.pick("After Free Tier (none)", "無料枠適用後（なし）"),
    };
    let headers = [
        lang.pick("Service", "サービス"),
        lang.pick("Resource", "リソース"),
        lang.pick("Item", "項目"),
        lang.pick("Quantity", "数量"),
        lang.pick("Unit price (USD)", "単価（USD）"),
        lang.pick("Monthly (USD)", "月額（USD）"),
        after_header,
    ];
    let mut text = table(&headers, &rows);
    if lines
        .iter()
        .any(|l| l.price.as_ref().is_some_and(|p| !p.confirmed))
    {
        text.push('\n');
        text.push_str(lang.pick(
            "† an unconfirmed price of the embedded snapshot: check it on the calculator",
            "† 組み込みスナップショットの未確認の料金です。計算ツールで確認してください",
        ));
    }
    for note in notes {
        text.push('\n');
        text.push_str(&note);
    }
    text
}

fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        format!("{}…", text.chars().take(max - 1).collect::<String>())
    }
}

fn show_totals(ctx: &StepCtx, totals: &Totals, plan: FreeTier, prices: &PricesEvidence) {
    let lang = ctx.lang;
    ctx.ui.line(t!(
        lang,
        "Total: {} USD a month, {} USD a year (on-demand, before tax).",
        "合計: 月 {} USD、年 {} USD（オンデマンド、税抜き）。",
        totals.monthly_usd.fixed(2),
        totals.yearly_usd.fixed(2)
    ));
    match plan {
        FreeTier::Legacy => ctx.ui.line(t!(
            lang,
            "With the legacy Free Tier (12 months from sign-up): {} USD a month, {} USD a year.",
            "旧無料利用枠（登録から 12 か月）適用後: 月 {} USD、年 {} USD。",
            totals.monthly_after_free_tier_usd.fixed(2),
            totals.yearly_after_free_tier_usd.fixed(2)
        )),
        FreeTier::Credit => {
            let months = Dec::from_int(200)
                .divided_by(totals.monthly_usd)
                .map(|m| m.round(1).plain())
                .unwrap_or_else(|| "∞".into());
            ctx.ui.line(t!(
                lang,
                "Free plan: the credits (up to 200 USD) pay this bill — about {months} months of it — but the plan ends after 6 months; prices are not lowered.",
                "無料プラン: クレジット（最大 200 USD）でこの料金を支払えます（約 {months} か月分）。ただしプランは 6 か月で終了し、料金自体は下がりません。"
            ));
        }
        FreeTier::None => {}
    }
    if totals.unpriced > 0 {
        let n = totals.unpriced;
        ctx.ui.warn(t!(
            lang,
            "{n} line(s) could not be priced and are NOT in these totals (see the notes under the table).",
            "{n} 行は価格を出せず、合計に含まれていません（表の下の注を参照）。"
        ));
    }
    if prices.unconfirmed {
        ctx.ui.warn(t!(
            lang,
            "Some prices (†) are unconfirmed snapshot figures; the calculator's are authoritative.",
            "一部の料金（†）はスナップショットの未確認の値です。計算ツールの料金が正です。"
        ));
    }
}

fn show_drivers(ctx: &StepCtx, lines: &[Line], drivers: &[Driver]) {
    let lang = ctx.lang;
    if drivers.is_empty() {
        return;
    }
    ctx.ui.line(t!(
        lang,
        "What costs the most, and what would shrink it:",
        "費用の大きいものと、減らす方法:"
    ));
    for d in drivers {
        let l = &lines[d.line];
        ctx.ui.line(format!(
            "  {} ({}): {} USD/{} ({} %) — {}",
            l.describe(lang),
            l.resource,
            d.monthly_usd.fixed(2),
            lang.pick("month", "月"),
            d.percent.plain(),
            lang.pick(&d.advice_en, &d.advice_ja)
        ));
    }
}

fn show_entries(ctx: &StepCtx, entries: &[ServiceEntry]) {
    let lang = ctx.lang;
    ctx.ui.line(t!(
        lang,
        "On https://calculator.aws: “Create estimate”, then add each service below (search its name, “Configure”), filling the fields in this order:",
        "https://calculator.aws で「見積もりの作成」を押し、以下のサービスを順に追加してください（名前で検索して「設定」）。項目はこの順に入力します:"
    ));
    for (n, e) in entries.iter().enumerate() {
        ctx.ui.line(format!("  {}. {}", n + 1, e.service));
        for (field, value) in &e.fields {
            ctx.ui.line(format!("       {field}: {value}"));
        }
    }
    ctx.ui.line(t!(
        lang,
        "Then “View summary” → “Share” → “Agree and continue” → “Copy public link”.",
        "最後に「概要を表示」→「共有」→「同意して続行」→「パブリックリンクをコピー」。"
    ));
}

fn show_comparison(ctx: &StepCtx, c: &Comparison) {
    let lang = ctx.lang;
    let line = t!(
        lang,
        "The calculator says {} USD a year, lecture06 {} USD: a difference of {} USD ({} %).",
        "計算ツールは年 {} USD、lecture06 は {} USD: 差は {} USD（{} %）です。",
        c.calculator_yearly_usd.fixed(2),
        c.ours_yearly_usd.fixed(2),
        c.difference_usd.fixed(2),
        c.percent.plain()
    );
    if c.over_threshold {
        ctx.ui.warn(line);
        ctx.ui.line(t!(
            lang,
            "More than 10 %: line by line —",
            "10 % を超えています。行ごとに:"
        ));
        for l in lang_lines(c, lang) {
            ctx.ui.line(format!("  - {l}"));
        }
    } else {
        ctx.ui.ok(line);
    }
}

fn lang_lines(c: &Comparison, lang: Lang) -> &[String] {
    match lang {
        Lang::En => &c.explanation_en,
        Lang::Ja => &c.explanation_ja,
    }
}

fn summary_of(e: &EstimateEvidence, lang: Lang) -> Vec<String> {
    let t = &e.totals;
    let mut lines = vec![match lang {
        Lang::En => format!(
            "{} USD a month, {} USD a year ({} / {} JPY at {} JPY/USD of {})",
            t.monthly_usd.fixed(2),
            t.yearly_usd.fixed(2),
            e.jpy.monthly.grouped(0),
            e.jpy.yearly.grouped(0),
            e.jpy.jpy_per_usd.plain(),
            e.jpy.rate_date
        ),
        Lang::Ja => format!(
            "月 {} USD・年 {} USD（1 USD = {} 円（{}）で 月 {} 円・年 {} 円）",
            t.monthly_usd.fixed(2),
            t.yearly_usd.fixed(2),
            e.jpy.jpy_per_usd.plain(),
            e.jpy.rate_date,
            e.jpy.monthly.grouped(0),
            e.jpy.yearly.grouped(0)
        ),
    }];
    lines.push(t!(
        lang,
        "Free Tier ({}): {} USD a month after it",
        "無料利用枠（{}）: 適用後 月 {} USD",
        e.free_tier.id(),
        t.monthly_after_free_tier_usd.fixed(2)
    ));
    if t.unpriced > 0 {
        lines.push(t!(
            lang,
            "{} line(s) not priced",
            "価格を出せない行: {}",
            t.unpriced
        ));
    }
    lines.push(format!(
        "{}: {}",
        lang.pick("Calculator", "計算ツール"),
        e.calculator.url
    ));
    if let Some(c) = &e.comparison {
        lines.push(t!(
            lang,
            "Calculator's yearly total {} USD ({} % from ours)",
            "計算ツールの年額 {} USD（こちらとの差 {} %）",
            c.calculator_yearly_usd.fixed(2),
            c.percent.plain()
        ));
    }
    lines
}

pub fn summary(evidence: &Value, lang: Lang) -> Vec<String> {
    serde_json::from_value::<EstimateEvidence>(evidence.clone())
        .map(|e| summary_of(&e, lang))
        .unwrap_or_default()
}

/// The report section's facts (see `report-templates/<lang>/estimate.md`).
pub fn report_context(evidence: &Value, lang: Lang) -> Value {
    let Ok(e) = serde_json::from_value::<EstimateEvidence>(evidence.clone()) else {
        return Value::Null;
    };
    let rows: Vec<Value> = e
        .lines
        .iter()
        .map(|l| {
            json!({
                "service": l.service,
                "resource": l.resource,
                "item": l.describe(lang),
                "quantity": format!("{} {}", l.quantity.round(2).plain(), l.unit),
                "unit_price": l.price.as_ref().map(|p| format!("{}{}{}", p.usd_per_unit.plain(), if p.confirmed { "" } else { " †" }, if p.ambiguity(lang).is_some() { " ‡" } else { "" })),
                "flag": l.price.as_ref().and_then(|p| p.ambiguity(lang)),
                "monthly": l.monthly_usd.map(|m| m.fixed(2)),
                "after_free_tier": l.monthly_after_free_tier_usd.map(|m| m.fixed(2)),
                "unpriced": l.unpriced(lang),
            })
        })
        .collect();
    let p = &e.prices;
    json!({
        "region": e.region,
        "rows": rows,
        "monthly_usd": e.totals.monthly_usd.fixed(2),
        "yearly_usd": e.totals.yearly_usd.fixed(2),
        "monthly_after_usd": e.totals.monthly_after_free_tier_usd.fixed(2),
        "yearly_after_usd": e.totals.yearly_after_free_tier_usd.fixed(2),
        "unpriced": e.totals.unpriced,
        "free_tier": e.free_tier.id(),
        "jpy_rate": e.jpy.jpy_per_usd.plain(),
        "jpy_rate_date": e.jpy.rate_date,
        "jpy_example_rate": e.jpy.example_rate,
        "monthly_jpy": e.jpy.monthly.grouped(0),
        "yearly_jpy": e.jpy.yearly.grouped(0),
        "monthly_after_jpy": e.jpy.monthly_after_free_tier.grouped(0),
        "yearly_after_jpy": e.jpy.yearly_after_free_tier.grouped(0),
        "hours": e.assumptions.hours_per_month.plain(),
        "s3_gb": e.assumptions.s3_gb.plain(),
        "alb_gb": e.assumptions.alb_processed_gb.plain(),
        "price_source": match p.source { PriceSource::PriceListApi => "api", PriceSource::Snapshot => "snapshot" },
        "snapshot_date": p.snapshot_date,
        "snapshot_source": lang.pick(p.snapshot_source_en.as_deref().unwrap_or(""), p.snapshot_source_ja.as_deref().unwrap_or("")),
        "unconfirmed": p.unconfirmed,
        "drivers": e.drivers.iter().map(|d| json!({
            "item": e.lines[d.line].describe(lang),
            "resource": e.lines[d.line].resource,
            "monthly": d.monthly_usd.fixed(2),
            "percent": d.percent.plain(),
            "advice": lang.pick(&d.advice_en, &d.advice_ja),
        })).collect::<Vec<_>>(),
        "calculator_url": e.calculator.url,
        "calculator_is_example": e.calculator_is_example,
        "entries": e.calculator_entries.iter().map(|s| json!({"service": s.service, "fields": s.fields.iter().map(|(k, v)| json!({"field": k, "value": v})).collect::<Vec<_>>()})).collect::<Vec<_>>(),
        "comparison": e.comparison.as_ref().map(|c| json!({
            "calculator_yearly": c.calculator_yearly_usd.fixed(2),
            "difference": c.difference_usd.fixed(2),
            "percent": c.percent.plain(),
            "over": c.over_threshold,
            "explanation": lang_lines(c, lang),
        })),
    })
}

/// The estimate step, as the registry declares it.
pub struct EstimateStep;

impl super::Step for EstimateStep {
    fn id(&self) -> crate::step_id::StepId {
        crate::step_id::StepId::Estimate
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

    #[test]
    fn the_billing_steps_plan_is_read_when_it_tells() {
        let free = json!({"plan": {"plan_type": "FREE", "status": "ACTIVE"}});
        assert_eq!(plan_from_billing_evidence(&free), Some(FreeTier::Credit));
        let paid = json!({"plan": {"plan_type": "PAID", "status": "ACTIVE"}});
        assert_eq!(
            plan_from_billing_evidence(&paid),
            None,
            "legacy or none: ask"
        );
        let explicit = json!({"free_tier_plan": "legacy", "plan": null});
        assert_eq!(
            plan_from_billing_evidence(&explicit),
            Some(FreeTier::Legacy)
        );
    }

    #[test]
    fn usage_figures_are_checked() {
        let hours = number_check(Lang::En, "0", true, "744", "hours a month", "時間");
        assert!(hours("730").is_ok());
        assert!(hours("0").unwrap_err().contains("cannot be 0"));
        assert!(hours("-1").unwrap_err().contains("negative"));
        assert!(hours("800").unwrap_err().contains("not a plausible"));
        assert!(hours("lots").unwrap_err().contains("give a number"));
        let rate = number_check(Lang::En, "0", true, "1000", "JPY per USD", "為替レート");
        assert!(rate("0").unwrap_err().contains("cannot be 0"));
        assert!(rate("149.85").is_ok());
        let gb = number_check(Lang::En, "0", false, "100000", "GB", "GB");
        assert!(gb("0").is_ok(), "zero GB is a real answer");
        assert!(date_check(Lang::En)("2026-11-21").is_ok());
        assert!(date_check(Lang::En)("21/11/2026").is_err());
    }
}
