//! What the CloudTrail step keeps: the query, the events listed, the one chosen with its record
//! and the three fields picked; and how `status` and the report section show it.

use super::GLOBAL_REGION;
use crate::clock::{jst, utc};
use crate::i18n::Lang;
use crate::t;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CloudtrailEvidence {
    pub query: QueryEvidence,
    pub listed: Vec<ListedEvent>,
    pub chosen: ChosenEvent,
    pub fields: Vec<PickedField>,
    pub captured_at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct QueryEvidence {
    pub user: String,
    pub regions: Vec<String>,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub requests: Vec<(String, usize)>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ListedEvent {
    pub event_id: String,
    pub event_name: String,
    pub event_time: DateTime<Utc>,
    pub event_source: String,
    pub region: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ChosenEvent {
    pub event_id: String,
    pub event_name: String,
    pub event_time: DateTime<Utc>,
    pub event_source: String,
    pub region: String,
    pub username: Option<String>,
    /// The full record (`CloudTrailEvent`), parsed; a string when it was not valid JSON.
    pub record: Value,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PickedField {
    pub path: String,
    pub value: String,
    pub meaning_en: String,
    pub meaning_ja: String,
}

impl ListedEvent {
    pub fn of(e: &crate::cloud::TrailEvent) -> ListedEvent {
        ListedEvent {
            event_id: e.event_id.clone(),
            event_name: e.event_name.clone(),
            event_time: e.event_time,
            event_source: e.event_source.clone(),
            region: e.region.clone(),
        }
    }
}

/// `text`, cut to `max` characters with `…`.
pub(super) fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        format!("{}…", text.chars().take(max).collect::<String>())
    }
}

impl CloudtrailEvidence {
    /// A few lines for `status`: the event, then each field with what it means.
    pub fn summary(&self, lang: Lang) -> Vec<String> {
        let chosen = &self.chosen;
        let mut lines = vec![t!(
            lang,
            "{} — {} / {} ({}, {})",
            "{} — {} / {}（{}、{}）",
            chosen.event_name,
            jst(chosen.event_time),
            utc(chosen.event_time),
            chosen.event_source,
            chosen.region
        )];
        for field in &self.fields {
            let meaning = lang.pick(&field.meaning_en, &field.meaning_ja);
            lines.push(format!(
                "{} = {} — {}",
                field.path,
                shorten(&field.value, 60),
                meaning
            ));
        }
        lines
    }

    /// The report section's facts (see `report.<lang>.md` beside this file).
    pub fn report_context(&self, lang: Lang) -> Value {
        let e = self;
        let c = &e.chosen;
        let record_json = serde_json::to_string_pretty(&c.record).unwrap_or_default();
        // A fence longer than any run of backticks inside the record.
        let longest_ticks = record_json
            .split(|ch| ch != '`')
            .map(str::len)
            .max()
            .unwrap_or(0);
        let fence = "`".repeat(longest_ticks.max(2) + 1);
        // The newest event found is the last use, whichever event the student explains.
        let newest = e
            .listed
            .iter()
            .max_by_key(|l| l.event_time)
            .map(|l| (l.event_name.clone(), l.event_time))
            .unwrap_or((c.event_name.clone(), c.event_time));
        let jst_offset = chrono::FixedOffset::east_opt(9 * 3600).expect("+09:00");
        let last_day = newest.1.with_timezone(&jst_offset).format("%Y-%m-%d");
        json!({
            "user": e.query.user,
            "regions": e.query.regions.join(", "),
            "global_region_searched": e.query.regions.iter().any(|r| r == GLOBAL_REGION) && e.query.regions.len() > 1,
            "start_jst": jst(e.query.start),
            "end_jst": jst(e.query.end),
            "event_name": c.event_name,
            "event_time_jst": jst(c.event_time),
            "event_time_utc": utc(c.event_time),
            "event_source": c.event_source,
            "region": c.region,
            "last_day_jst": last_day.to_string(),
            "newest_name": newest.0,
            "newest_time_jst": jst(newest.1),
            "fields": e.fields.iter().map(|f| json!({"path": f.path, "value": f.value, "meaning": lang.pick(&f.meaning_en, &f.meaning_ja)})).collect::<Vec<_>>(),
            "record_json": record_json,
            "fence": fence,
            "listed": e.listed.iter().map(|l| json!({
                "time_jst": jst(l.event_time),
                "time_utc": utc(l.event_time),
                "name": l.event_name,
                "source": l.event_source,
                "region": l.region,
                "chosen": l.event_id == c.event_id,
            })).collect::<Vec<_>>(),
        })
    }
}
