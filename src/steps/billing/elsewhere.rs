//! What the bill may carry from other Regions: leftovers there cost money every month and are the
//! most common surprise in students' bills (an instance forgotten in Sydney, a stopped instance's
//! volume, an idle Elastic IP). Every Region is read once: the estimate step's sweep when it ran
//! (priced), else a sweep of this step's own, listed without prices.

use crate::cloud::inventory::Inventory;
use crate::i18n::Lang;
use crate::steps::StepCtx;
use crate::steps::estimate::Elsewhere;
use crate::t;

/// The estimate step's sweep, or a new one (unpriced) when the estimate has not run.
pub(super) fn leftovers(ctx: &mut StepCtx) -> Elsewhere {
    if let Some(estimate) = ctx.evidence_of::<crate::steps::estimate::EstimateStep>() {
        return estimate.elsewhere;
    }
    let region = ctx.session_region();
    crate::steps::estimate::sweep_elsewhere(ctx, &region)
}

/// One sentence per Region with leftovers (or that could not be read): priced by the estimate's
/// lines when it has them, else each resource named.
pub(super) fn sentences(e: &Elsewhere, lang: Lang) -> Vec<String> {
    if !e.lines.is_empty() || e.found.is_empty() {
        return e.sentences(lang);
    }
    let mut out: Vec<String> = e
        .found
        .iter()
        .map(|inv| {
            let region = &inv.region;
            let items = named(inv, lang).join(lang.pick(", ", "、"));
            t!(
                lang,
                "forgotten in {region}: {items} (`lecture06 run --step estimate` prices them)",
                "{region} に残っているもの: {items}（料金は `lecture06 run --step estimate` で見積もれます）"
            )
        })
        .collect();
    out.extend(e.notices(lang));
    out
}

/// Each resource of a Region that costs money, in a few words.
fn named(inv: &Inventory, lang: Lang) -> Vec<String> {
    let mut items: Vec<String> = inv
        .instances
        .iter()
        .map(|i| {
            // A stopped instance still bills its volumes.
            let gb: u64 = i.volumes.iter().map(|v| v.size_gb).sum();
            match lang {
                Lang::En => format!("{} ({} {}, {gb} GB of EBS)", i.id, i.state, i.instance_type),
                Lang::Ja => format!(
                    "{}（{} の {}、EBS {gb} GB）",
                    i.id, i.state, i.instance_type
                ),
            }
        })
        .collect();
    items.extend(inv.unattached_volumes.iter().map(|v| {
        t!(
            lang,
            "{} (unattached volume, {} GB)",
            "{}（未接続のボリューム、{} GB）",
            v.id,
            v.size_gb
        )
    }));
    items.extend(inv.elastic_ips.iter().map(|ip| {
        let idle = if ip.is_idle() {
            lang.pick(", idle", "、未使用")
        } else {
            ""
        };
        t!(
            lang,
            "Elastic IP {}{idle}",
            "Elastic IP {}{idle}",
            ip.public_ip
        )
    }));
    items.extend(inv.load_balancers.iter().map(|lb| lb.name.clone()));
    items.extend(inv.databases.iter().map(|db| db.id.clone()));
    items.extend(inv.nat_gateways.iter().map(|n| n.id.clone()));
    items
}
