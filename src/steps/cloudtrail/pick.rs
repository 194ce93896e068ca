//! Choosing what to explain: one event of the list (the newest is the last use) and three fields
//! of its record.

use super::evidence::{PickedField, shorten};
use crate::clock::{jst, utc};
use crate::cloud::TrailEvent;
use crate::error::AppResult;
use crate::i18n::Lang;
use crate::prompt::Choice;
use crate::steps::StepCtx;
use crate::t;
use crate::trail::record::{self as trail_record, Record};
use crate::ui::table;

/// Shows the events found, newest first, and asks which one to explain.
pub(super) fn choose_event<'e>(
    ctx: &mut StepCtx,
    events: &'e [TrailEvent],
) -> AppResult<&'e TrailEvent> {
    let lang = ctx.lang;
    ctx.ui
        .line(t!(lang, "Newest events first:", "新しい順のイベント:"));
    let rows: Vec<Vec<String>> = events
        .iter()
        .enumerate()
        .map(|(i, e)| {
            vec![
                (i + 1).to_string(),
                jst(e.event_time),
                utc(e.event_time),
                e.event_name.clone(),
                e.event_source.clone(),
                e.region.clone(),
            ]
        })
        .collect();
    let headers = [
        "#",
        lang.pick("Time (JST)", "日時（日本時間）"),
        lang.pick("Time (UTC)", "日時（UTC）"),
        lang.pick("Event", "イベント名"),
        lang.pick("Source", "イベントソース"),
        lang.pick("Region", "リージョン"),
    ];
    ctx.ui.line(table(&headers, &rows));
    let choices: Vec<Choice> = events
        .iter()
        .map(|e| Choice {
            id: e.event_id.clone(),
            label: format!(
                "{}  {}  {}  {}",
                jst(e.event_time),
                e.event_name,
                e.event_source,
                e.region
            ),
        })
        .collect();
    let index = ctx.ask_select(
        "event",
        t!(
            lang,
            "Which event? (the newest is your last use)",
            "どのイベントにしますか？（一番上が最後の利用）"
        ),
        &choices,
        0,
    )?;
    Ok(&events[index])
}

/// Asks for three fields of the record to explain, with their values and meanings.
pub(super) fn choose_fields(ctx: &mut StepCtx, record: &Record) -> AppResult<Vec<PickedField>> {
    let lang = ctx.lang;
    let fields = record.pickable_fields();
    let choices: Vec<Choice> = fields
        .iter()
        .map(|f| Choice {
            id: f.path.to_string(),
            label: t!(
                lang,
                "{} = {}  ({})",
                "{} = {}（{}）",
                f.path,
                shorten(&record.show(f.path), 50),
                f.explain(lang)
            ),
        })
        .collect();
    let defaults: Vec<usize> = trail_record::default_fields(record)
        .iter()
        .filter_map(|path| fields.iter().position(|f| f.path == *path))
        .collect();
    let count = 3.min(fields.len());
    let picked = ctx.ask_multi(
        "fields",
        t!(
            lang,
            "Pick three fields to explain (space to select, enter to confirm)",
            "説明する項目を 3 つ選んでください（スペースで選択、Enter で決定）"
        ),
        &choices,
        &defaults,
        count,
    )?;
    let picked: Vec<PickedField> = picked
        .iter()
        .map(|&i| {
            let field = fields[i];
            PickedField {
                path: field.path.into(),
                value: record.show(field.path),
                meaning_en: field.explain(Lang::En),
                meaning_ja: field.explain(Lang::Ja),
            }
        })
        .collect();
    Ok(picked)
}
