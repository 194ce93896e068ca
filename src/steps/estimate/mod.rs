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

use super::StepCtx;
use crate::cloud::student::ExampleAnswer;
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
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

/// The estimate step, as the registry declares it.
pub struct EstimateStep;

impl super::Step for EstimateStep {
    fn id(&self) -> crate::step_id::StepId {
        crate::step_id::StepId::Estimate
    }

    fn run(&self, ctx: &mut StepCtx) -> AppResult<Value> {
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
        if inventory.holds_nothing() && inventory.buckets.is_empty() {
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

        // 3. Every other enabled Region, then the prices of both.
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

        // 4. Free Tier, totals, JPY.
        let (free_tier, free_tier_from) = ask_free_tier(ctx)?;
        costing::apply_free_tier(&mut lines, free_tier);
        let totals = costing::totals(&lines);
        let drivers = costing::drivers(&lines, totals.monthly_usd);
        ctx.ui.line(estimate_table(&lines, free_tier, lang));
        show_totals(ctx, &totals, free_tier, &prices);
        show_elsewhere(ctx, &elsewhere);
        let jpy = ask_jpy(ctx, &totals, today)?;
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
            elsewhere,
        };
        ctx.ui.ok(t!(lang, "Captured:", "記録しました:"));
        for line in evidence.summary(lang) {
            ctx.ui.line(format!("  {line}"));
        }
        Ok(serde_json::to_value(&evidence).map_err(anyhow::Error::from)?)
    }

    fn summary(&self, evidence: &Value, lang: Lang) -> Vec<String> {
        serde_json::from_value::<EstimateEvidence>(evidence.clone())
            .map(|e| e.summary(lang))
            .unwrap_or_default()
    }

    /// The report section's facts (see `report-templates/<lang>/estimate.md`).
    fn report_context(&self, evidence: &Value, lang: Lang) -> Value {
        serde_json::from_value::<EstimateEvidence>(evidence.clone())
            .map(|e| e.report_context(lang))
            .unwrap_or(Value::Null)
    }
}
