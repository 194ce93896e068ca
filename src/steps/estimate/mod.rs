//! Step 4: price what the student actually built and get their Pricing Calculator link right.
//! Reads the working Region (read-only), asks the usage assumptions, prices each line from the
//! Price List API (or the embedded snapshot, saying so), shows the table with the Free Tier's
//! effect and the largest cost drivers, lists the calculator.aws entries, and checks the share
//! URL and the calculator's total. Nothing here changes the account; Cost Explorer is not used.
//! This module is the sequence the student walks; `checks` holds the pure decisions, `ask` the
//! questions, `prices` the Price List calls, `show` what is printed, `evidence` what is kept.

mod ask;
pub mod calculator;
mod checks;
pub mod costing;
mod evidence;
mod prices;
mod show;

pub use evidence::{BucketSize, Elsewhere, EstimateEvidence, Jpy, PricesEvidence};
pub use show::estimate_table;

use super::{Outcome, StepCtx};
use crate::cloud::inventory::Inventory;
use crate::cloud::student::ExampleAnswer;
use crate::decimal::Dec;
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use crate::step_id::StepId;
use crate::t;
use ask::{ask_assumptions, ask_free_tier, ask_jpy};
use checks::{dec, number_check, resource_ids, split_list, today_in_japan, without};
use prices::{brief, price};
use serde_json::Value;
use show::{
    show_comparison, show_drivers, show_elsewhere, show_entries, show_inventory, show_totals,
};

/// Every other enabled Region read once (`ec2:DescribeRegions`); a failure is reported, never
/// fatal: the estimate of the working Region stands without it.
pub(crate) fn sweep_elsewhere(ctx: &mut StepCtx, region: &str) -> Elsewhere {
    let lang = ctx.lang;
    let spinner = ctx.ui.spinner(t!(
        lang,
        "Looking in every other enabled Region for what still costs money (read-only)…",
        "有効なほかのリージョンに課金されるものが残っていないか確認中（読み取りのみ）…"
    ));
    let sweep = ctx.cloud.inventory.sweep(region);
    spinner.finish();
    match sweep {
        Ok(sweep) => Elsewhere {
            regions_swept: sweep.regions.len(),
            found: sweep.found,
            lines: Vec::new(),
            unreadable: sweep.unreadable,
            error: None,
        },
        Err(err) => {
            let why = brief(&err);
            ctx.ui.warn(t!(
                lang,
                "The other Regions could not be listed ({why}): only {region} is looked at, and nothing left elsewhere can be named. Allow ec2:DescribeRegions (lecture06 iam-policy) to look for forgotten resources.",
                "ほかのリージョンを一覧できませんでした（{why}）。{region} だけを確認したので、ほかのリージョンに残っているものは示せません。置き忘れたリソースを探すには ec2:DescribeRegions を許可してください（lecture06 iam-policy）。"
            ));
            Elsewhere {
                error: Some(err.to_string()),
                ..Elsewhere::default()
            }
        }
    }
}

/// Reads what is in the working Region (kept as `inventory.json`) and asks what to leave out.
/// `(all found, what the student left out, what is estimated)`.
fn read_inventory(
    ctx: &mut StepCtx,
    region: &str,
) -> AppResult<(Inventory, Vec<String>, Inventory)> {
    let lang = ctx.lang;
    let spinner = ctx.ui.spinner(t!(
        lang,
        "Reading what is in {region} (EC2, EBS, RDS, load balancers, S3; read-only)…",
        "{region} のリソースを読み取り中（EC2・EBS・RDS・ロードバランサー・S3、読み取りのみ）…"
    ));
    let found = ctx.cloud.inventory.inventory(region);
    spinner.finish();
    let found = found?;
    ctx.evidence_file(
        "inventory.json",
        &serde_json::to_vec_pretty(&found).map_err(anyhow::Error::from)?,
    )?;
    show_inventory(ctx, &found);
    let excluded = ask_excluded(ctx, &resource_ids(&found))?;
    let inventory = without(&found, &excluded);
    if inventory.holds_nothing() && inventory.buckets.is_empty() {
        return Err(AppError::Failed(t!(
            lang,
            "Nothing to estimate in {region}. If you built in another Region, run again with --region; otherwise build the lecture's resources first.",
            "{region} に見積もる対象がありません。別のリージョンで作ったなら --region を付けて再実行してください。まだなら先に講座のリソースを作成してください。"
        )));
    }
    Ok((found, excluded, inventory))
}

/// What to leave out of the estimate: IDs or names from the list, comma-separated.
fn ask_excluded(ctx: &mut StepCtx, ids: &[String]) -> AppResult<Vec<String>> {
    let lang = ctx.lang;
    let ids = ids.to_vec();
    let known = move |value: &str| {
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
    };
    let text = ctx.ask_text(
        "exclude",
        t!(
            lang,
            "Leave anything out of the estimate? (IDs or names, comma-separated; empty = keep all)",
            "見積もりから外すものは？（ID または名前をカンマ区切りで。空欄ならすべて含める）"
        ),
        Some(String::new()),
        &known,
    )?;
    Ok(split_list(&text).into_iter().map(str::to_string).collect())
}

/// Each bucket's size from CloudWatch; when it cannot be read, the student is asked instead.
fn bucket_sizes(ctx: &mut StepCtx, inventory: &Inventory) -> Vec<BucketSize> {
    let lang = ctx.lang;
    let mut sizes = Vec::new();
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
        sizes.push(BucketSize {
            bucket: bucket.name.clone(),
            bytes,
            error,
        });
    }
    sizes
}

/// The yen figures, said with the rate and its date (and that it is an example rate when it is).
fn say_jpy(ctx: &StepCtx, jpy: &Jpy) {
    let lang = ctx.lang;
    let example = if jpy.example_rate {
        let label = ctx.examples.label(lang);
        format!(
            "{}{label}{}",
            lang.pick(", ", "、"),
            lang.pick(" rate", "レート")
        )
    } else {
        String::new()
    };
    ctx.ui.line(t!(
        lang,
        "In JPY at {} JPY/USD ({}{}): {} JPY a month, {} JPY a year (after the Free Tier: {} / {}). AWS prices exclude tax (10 % consumption tax in Japan).",
        "円換算（1 USD = {} 円、{}{}）: 月 {} 円、年 {} 円（無料利用枠適用後: {} / {}）。AWS の価格は税抜きです（日本では消費税 10 %）。",
        jpy.jpy_per_usd.plain(),
        jpy.rate_date,
        example,
        jpy.monthly.grouped(0),
        jpy.yearly.grouped(0),
        jpy.monthly_after_free_tier.grouped(0),
        jpy.yearly_after_free_tier.grouped(0)
    ));
}

/// The calculator: its entries, then the share link and (optionally) its yearly total, compared
/// with lecture06's. `(entries, link, whether it is the example link, comparison)`.
fn calculator_part(
    ctx: &mut StepCtx,
    lines: &[costing::Line],
    region: &str,
    hours_per_month: Dec,
    yearly_usd: Dec,
) -> AppResult<CalculatorPart> {
    let lang = ctx.lang;
    let entries = calculator::entries(lines, region, hours_per_month, lang);
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
        let again = ctx.next_command("run --step estimate");
        return Err(AppError::Failed(t!(
            lang,
            "Make the estimate on https://calculator.aws (the entries above), then run `{again}` again; your answers are saved.",
            "https://calculator.aws で見積もり（上の入力内容）を作ってから `{again}` を再実行してください。回答は保存されています。"
        )));
    }
    let (share, is_example) = ask_share_url(ctx)?;
    let comparison =
        ask_calculator_total(ctx)?.map(|total| calculator::compare(lines, yearly_usd, total));
    if let Some(c) = &comparison {
        show_comparison(ctx, c);
    }
    Ok(CalculatorPart {
        entries,
        share,
        is_example,
        comparison,
    })
}

/// What `calculator_part` gathered.
struct CalculatorPart {
    entries: Vec<calculator::ServiceEntry>,
    share: calculator::ShareUrl,
    is_example: bool,
    comparison: Option<calculator::Comparison>,
}

/// The share link, checked and cleaned; whether it is the practice account's example link.
fn ask_share_url(ctx: &mut StepCtx) -> AppResult<(calculator::ShareUrl, bool)> {
    let lang = ctx.lang;
    let example = ctx.examples.get(ExampleAnswer::CalculatorUrl);
    let url_text = ctx.ask_text(
        "calculator_url",
        t!(
            lang,
            "The share URL of your estimate (https://calculator.aws/#/estimate?id=…)",
            "見積もりの共有 URL（https://calculator.aws/#/estimate?id=…）"
        ),
        example,
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
    let is_example = ctx.examples.is(ExampleAnswer::CalculatorUrl, &share.url);
    if is_example {
        let label = ctx.examples.label(lang);
        ctx.ui.warn(t!(
            lang,
            "This is the {label} link, not a real estimate.",
            "これは{label}リンクで、実際の見積もりではありません。"
        ));
    }
    Ok((share, is_example))
}

/// The calculator's yearly total in USD, if the student gives it.
fn ask_calculator_total(ctx: &mut StepCtx) -> AppResult<Option<Dec>> {
    let lang = ctx.lang;
    let check = number_check(
        lang,
        "0",
        true,
        "1000000",
        "a yearly total in USD",
        "年額（USD）",
    );
    let text = ctx.ask_text(
        "calculator_total_usd",
        t!(
            lang,
            "The calculator's yearly total in USD (“12 months total”; empty to skip)",
            "計算ツールの年額合計（USD、「12 か月の合計」。空欄で省略）"
        ),
        Some(String::new()),
        &move |v: &str| {
            if v.trim().is_empty() {
                Ok(())
            } else {
                check(v)
            }
        },
    )?;
    Ok((!text.trim().is_empty()).then(|| dec(&text)))
}

/// The estimate step, as the one list of steps declares it.
pub struct EstimateStep;

pub const STEP: EstimateStep = EstimateStep;

impl super::Step for EstimateStep {
    const ID: StepId = StepId::Estimate;
    const IAM_ACTIONS: &'static [&'static str] = &[
        "ec2:DescribeInstances",
        "ec2:DescribeVolumes",
        "ec2:DescribeAddresses",
        "ec2:DescribeNatGateways",
        "ec2:DescribeRegions",
        "rds:DescribeDBInstances",
        "elasticloadbalancing:DescribeLoadBalancers",
        "s3:ListAllMyBuckets",
        "s3:GetBucketLocation",
        "cloudwatch:GetMetricStatistics",
        "pricing:GetProducts",
    ];
    type Evidence = EstimateEvidence;

    /// What is there, the usage assumptions, the prices here and elsewhere, the Free Tier, the
    /// totals in USD and JPY, then the calculator.
    fn run(&self, ctx: &mut StepCtx) -> AppResult<Outcome<EstimateEvidence>> {
        let lang = ctx.lang;
        let region = ctx.session_region();
        let (found, excluded, inventory) = read_inventory(ctx, &region)?;
        let bucket_sizes = bucket_sizes(ctx, &inventory);
        let assumptions = ask_assumptions(ctx, &inventory, &bucket_sizes)?;

        // Every other enabled Region, then the prices of both.
        let sweep = sweep_elsewhere(ctx, &region);
        let today = today_in_japan(ctx.cloud.clock.now());
        let mut lines = costing::lines(&inventory, &assumptions, today);
        let built = lines.len();
        for other in &sweep.found {
            lines.extend(costing::standing_lines(other, &assumptions, today));
        }
        let prices = price(ctx, &mut lines)?;
        let elsewhere = Elsewhere {
            lines: lines.split_off(built),
            ..sweep
        };

        let (free_tier, free_tier_from) = ask_free_tier(ctx)?;
        costing::apply_free_tier(&mut lines, free_tier);
        let totals = costing::totals(&lines);
        let drivers = costing::drivers(&lines, totals.monthly_usd);
        ctx.ui.line(estimate_table(&lines, free_tier, lang));
        show_totals(ctx, &totals, free_tier, &prices);
        show_elsewhere(ctx, &elsewhere);
        let jpy = ask_jpy(ctx, &totals, today)?;
        say_jpy(ctx, &jpy);
        show_drivers(ctx, &lines, &drivers);

        let calc = calculator_part(
            ctx,
            &lines,
            &region,
            assumptions.hours_per_month,
            totals.yearly_usd,
        )?;
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
            calculator_entries: calc.entries,
            calculator: calc.share,
            calculator_is_example: calc.is_example,
            comparison: calc.comparison,
            captured_at: ctx.cloud.clock.now(),
            elsewhere,
        };
        ctx.ui.ok(t!(lang, "Captured:", "記録しました:"));
        for line in evidence.summary(lang) {
            ctx.ui.line(format!("  {line}"));
        }
        Ok(Outcome::Captured(evidence))
    }

    fn summary(&self, evidence: &EstimateEvidence, lang: Lang) -> Vec<String> {
        evidence.summary(lang)
    }

    /// The report section's facts (see `report.<lang>.md` beside this file).
    fn report_context(&self, evidence: &EstimateEvidence, lang: Lang) -> Value {
        evidence.report_context(lang)
    }
}
