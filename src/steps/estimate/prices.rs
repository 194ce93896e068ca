//! The calls that price the lines: the Price List API, or the embedded snapshot when the API
//! cannot be used, saying so.

use super::StepCtx;
use super::costing::{self, Line, PriceSource};
use super::evidence::PricesEvidence;
use crate::cloud::CloudError;
use crate::cloud::price_snapshot::Snapshot;
use crate::error::AppResult;
use crate::t;
use serde_json::json;

/// An error in a few words for a warning: its action and code (or the start of its message).
pub(super) fn brief(err: &CloudError) -> String {
    let detail = err.code.clone().unwrap_or_else(|| {
        let first: String = err.message.chars().take(80).collect();
        format!("{first}…")
    });
    format!("{}: {detail}", err.action)
}

/// Prices every line from the Price List API; when the API cannot be used (no permission,
/// offline), from the embedded snapshot, saying so. Where the Price List's own prices come from
/// is its `source()`, said as such.
pub(super) fn price(ctx: &mut StepCtx, lines: &mut [Line]) -> AppResult<PricesEvidence> {
    let lang = ctx.lang;
    let list_source = ctx.cloud.prices.source();
    let list_is_snapshot = list_source == PriceSource::Snapshot;
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
            Some(products) => (products, list_source),
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
