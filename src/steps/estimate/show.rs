//! What the estimate step shows: the inventory, the priced table, totals, cost drivers, the
//! calculator's entries and the comparison with the calculator's total.

use super::StepCtx;
use super::calculator::{Comparison, ServiceEntry};
use super::costing::{Driver, FreeTier, Line, Totals};
use super::evidence::{Elsewhere, PricesEvidence, lang_lines};
use crate::cloud::inventory::Inventory;
use crate::decimal::Dec;
use crate::i18n::Lang;
use crate::t;
use crate::ui::table;

/// Each instance, with its volumes and public IPv4 addresses under it.
fn instance_rows(inv: &Inventory, lang: Lang) -> Vec<Vec<String>> {
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
    rows
}

/// Databases, load balancers, loose volumes, Elastic IPs, NAT gateways and buckets.
fn other_rows(inv: &Inventory, lang: Lang) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    for d in &inv.databases {
        rows.push(vec![
            "RDS".into(),
            d.id.clone(),
            format!(
                "{}, {} {}, {}, {} {} GB",
                d.class,
                d.engine,
                d.engine_version,
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
            [l.kind.as_str(), l.scheme.as_str()]
                .into_iter()
                .chain(l.availability_zones.iter().map(String::as_str))
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join(", "),
            l.state.clone(),
        ]);
    }
    for v in &inv.unattached_volumes {
        rows.push(vec![
            "EBS".into(),
            v.id.clone(),
            format!("{}, {} GB", v.volume_type, v.size_gb),
            lang.pick("unattached", "未接続").into(),
        ]);
    }
    for e in &inv.elastic_ips {
        rows.push(vec![
            "EIP".into(),
            format!("{} ({})", e.public_ip, e.allocation_id),
            e.name.clone().unwrap_or_default(),
            match &e.associated_with {
                Some(to) => to.clone(),
                None => lang.pick("idle", "未使用").into(),
            },
        ]);
    }
    for n in &inv.nat_gateways {
        rows.push(vec![
            "NAT".into(),
            n.id.clone(),
            n.name.clone().unwrap_or_default(),
            n.state.clone(),
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
    rows
}

pub(super) fn show_inventory(ctx: &StepCtx, inv: &Inventory) {
    let lang = ctx.lang;
    let mut rows = instance_rows(inv, lang);
    rows.extend(other_rows(inv, lang));
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
        "Not read here: data transfer, CloudWatch, snapshots, Route 53 — add them on the calculator if you use them.",
        "ここでは読み取らないもの: データ転送、CloudWatch、スナップショット、Route 53。使っているなら計算ツールで追加してください。"
    ));
}

/// What the other Regions hold, each Region with its monthly cost (not in the estimate's total:
/// the estimate is of what was built; these are to delete).
pub(super) fn show_elsewhere(ctx: &StepCtx, elsewhere: &Elsewhere) {
    let lang = ctx.lang;
    let sentences = elsewhere.sentences(lang);
    if sentences.is_empty() {
        if elsewhere.regions_swept > 0 {
            let n = elsewhere.regions_swept;
            ctx.ui.ok(t!(
                lang,
                "Nothing that costs money in the other {n} enabled Region(s).",
                "有効なほかのリージョン（全 {n}）に課金されるものはありません。"
            ));
        }
        return;
    }
    if !elsewhere.found.is_empty() {
        ctx.ui.warn(t!(
            lang,
            "Left in other Regions (charged every month, not in the total above; delete what you do not need):",
            "ほかのリージョンに残っているもの（毎月課金されます。上の合計には含みません。不要なら削除しましょう）:"
        ));
        let lines: Vec<Line> = elsewhere.lines.clone();
        ctx.ui.line(estimate_table(&lines, FreeTier::None, lang));
    }
    for s in sentences {
        ctx.ui.line(format!("  - {s}"));
    }
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

pub(super) fn show_totals(ctx: &StepCtx, totals: &Totals, plan: FreeTier, prices: &PricesEvidence) {
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

pub(super) fn show_drivers(ctx: &StepCtx, lines: &[Line], drivers: &[Driver]) {
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
        ctx.ui.line(t!(
            lang,
            "  {} ({}): {} USD/month ({} %) — {}",
            "  {}（{}）: {} USD/月（{} %）— {}",
            l.describe(lang),
            l.resource,
            d.monthly_usd.fixed(2),
            d.percent.plain(),
            lang.pick(&d.advice_en, &d.advice_ja)
        ));
    }
}

pub(super) fn show_entries(ctx: &StepCtx, entries: &[ServiceEntry]) {
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

pub(super) fn show_comparison(ctx: &StepCtx, c: &Comparison) {
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
