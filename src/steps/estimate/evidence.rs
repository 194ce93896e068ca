//! What the estimate step keeps: the evidence it records, the lines `status` shows, and the
//! facts of the report's estimate section.

use super::calculator::{Comparison, ServiceEntry, ShareUrl};
use super::costing::{Assumptions, Driver, FreeTier, Line, PriceSource, Totals};
use crate::cloud::inventory::{Inventory, UnreadableRegion};
use crate::decimal::Dec;
use crate::i18n::Lang;
use crate::money::JAPAN_CONSUMPTION_TAX;
use crate::t;
use chrono::{DateTime, Utc};
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
    /// What the other enabled Regions hold, as billed now (not in the totals above).
    #[serde(default)]
    pub elsewhere: Elsewhere,
}

/// The sweep of every other enabled Region: what is left there and what it costs a month.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Elsewhere {
    /// How many enabled Regions were listed (the working one included).
    pub regions_swept: usize,
    pub found: Vec<Inventory>,
    /// The priced lines of `found`: a stopped instance costs its volumes, not its hours.
    pub lines: Vec<Line>,
    pub unreadable: Vec<UnreadableRegion>,
    /// Why the Regions could not be listed at all, when they could not.
    pub error: Option<String>,
}

/// One Region's leftovers, for the summary and the report.
pub struct Forgotten {
    pub region: String,
    /// Each resource in a few words, in the language asked.
    pub items: Vec<String>,
    pub monthly_usd: Dec,
    pub unpriced: usize,
}

impl Elsewhere {
    pub fn by_region(&self, lang: Lang) -> Vec<Forgotten> {
        self.found
            .iter()
            .map(|inv| {
                let lines: Vec<&Line> = self
                    .lines
                    .iter()
                    .filter(|l| l.region == inv.region)
                    .collect();
                let mut items: Vec<String> = inv
                    .instances
                    .iter()
                    .map(|i| {
                        let name = i
                            .name
                            .as_ref()
                            .map(|n| t!(lang, " “{n}”", "「{n}」"))
                            .unwrap_or_default();
                        let (id, kind) = (&i.id, &i.instance_type);
                        match (lang, i.state.as_str()) {
                            (Lang::Ja, "stopped") => format!("{id}{name}（停止中の {kind}）"),
                            (Lang::Ja, "running") => format!("{id}{name}（稼働中の {kind}）"),
                            (Lang::Ja, state) => format!("{id}{name}（{state} の {kind}）"),
                            (Lang::En, state) => format!("{id}{name} ({state} {kind})"),
                        }
                    })
                    .collect();
                items.extend(lines.iter().map(|l| {
                    let cost = l
                        .monthly_usd
                        .map(|m| format!("{} USD", m.fixed(2)))
                        .unwrap_or_else(|| lang.pick("not priced", "未計上").into());
                    t!(
                        lang,
                        "{} {} ({cost})",
                        "{} {}（{cost}）",
                        l.describe(lang),
                        l.resource
                    )
                }));
                Forgotten {
                    region: inv.region.clone(),
                    items,
                    monthly_usd: lines.iter().filter_map(|l| l.monthly_usd).sum(),
                    unpriced: lines.iter().filter(|l| l.monthly_usd.is_none()).count(),
                }
            })
            .collect()
    }

    /// The lines `status` and the report name: one per Region with leftovers or unread.
    pub fn sentences(&self, lang: Lang) -> Vec<String> {
        let mut out: Vec<String> = self
            .by_region(lang)
            .iter()
            .map(|f| {
                let (region, items, usd) = (
                    &f.region,
                    f.items.join(lang.pick(", ", "、")),
                    f.monthly_usd.fixed(2),
                );
                let unpriced = if f.unpriced > 0 {
                    t!(
                        lang,
                        " and {} line(s) not priced",
                        "、ほか価格を出せない行 {}",
                        f.unpriced
                    )
                } else {
                    String::new()
                };
                t!(
                    lang,
                    "forgotten in {region}: {items} — {usd} USD a month{unpriced}",
                    "{region} に残っているもの: {items} — 月 {usd} USD{unpriced}"
                )
            })
            .collect();
        out.extend(self.notices(lang));
        out
    }

    /// The Regions that could not be read, or why none could be listed.
    pub fn notices(&self, lang: Lang) -> Vec<String> {
        let mut out: Vec<String> = self
            .unreadable
            .iter()
            .map(|u| {
                let (region, error) = (&u.region, &u.error);
                t!(
                    lang,
                    "{region} could not be read ({error})",
                    "{region} は読み取れませんでした（{error}）"
                )
            })
            .collect();
        if let Some(error) = &self.error {
            out.push(t!(
                lang,
                "the other Regions could not be listed ({error})",
                "ほかのリージョンを一覧できませんでした（{error}）"
            ));
        }
        out
    }
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

impl EstimateEvidence {
    /// The lines `status` and the run's end show.
    pub fn summary(&self, lang: Lang) -> Vec<String> {
        let e = self;
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
        lines.extend(e.elsewhere.sentences(lang));
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

    /// The report section's facts (see `report-templates/<lang>/estimate.md`).
    pub fn report_context(&self, lang: Lang) -> Value {
        let e = self;
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
            "tax_percent": JAPAN_CONSUMPTION_TAX.percent,
            "tax_since": JAPAN_CONSUMPTION_TAX.since,
            "monthly_jpy_taxed": JAPAN_CONSUMPTION_TAX.included(e.jpy.monthly).grouped(0),
            "yearly_jpy_taxed": JAPAN_CONSUMPTION_TAX.included(e.jpy.yearly).grouped(0),
            "monthly_after_jpy_taxed": JAPAN_CONSUMPTION_TAX.included(e.jpy.monthly_after_free_tier).grouped(0),
            "yearly_after_jpy_taxed": JAPAN_CONSUMPTION_TAX.included(e.jpy.yearly_after_free_tier).grouped(0),
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
            "regions_swept": e.elsewhere.regions_swept,
            "elsewhere": e.elsewhere.sentences(lang),
            "comparison": e.comparison.as_ref().map(|c| json!({
                "calculator_yearly": c.calculator_yearly_usd.fixed(2),
                "difference": c.difference_usd.fixed(2),
                "percent": c.percent.plain(),
                "over": c.over_threshold,
                "explanation": lang_lines(c, lang),
            })),
        })
    }
}

pub(super) fn lang_lines(c: &Comparison, lang: Lang) -> &[String] {
    match lang {
        Lang::En => &c.explanation_en,
        Lang::Ja => &c.explanation_ja,
    }
}
