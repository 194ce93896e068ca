//! Step 1: find the student's latest CloudTrail event by their IAM user name, in the working
//! Region and in us-east-1 (console sign-in and global services land there), let them pick an
//! event and three of its fields, and keep it all as evidence.

use super::StepCtx;
use crate::clock::{jst, utc};
use crate::cloud::{EventQuery, TrailEvent};
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use crate::prompt::Choice;
use crate::t;
use crate::trail::record::{self as trail_record, Record};
use crate::ui::table;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// Event history reaches back this far.
pub const LOOKBACK_DAYS: i64 = 90;
/// How many events the student chooses from.
pub const LIST_LENGTH: usize = 10;
pub const GLOBAL_REGION: &str = "us-east-1";

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

fn non_empty(lang: Lang) -> impl Fn(&str) -> Result<(), String> {
    move |value: &str| {
        if value.trim().is_empty() {
            Err(t!(lang, "it must not be empty", "空にはできません"))
        } else if value.trim() != value {
            Err(t!(
                lang,
                "remove the spaces around it",
                "前後の空白を取り除いてください"
            ))
        } else {
            Ok(())
        }
    }
}

fn valid_region(lang: Lang) -> impl Fn(&str) -> Result<(), String> {
    move |value: &str| crate::cloud::region::check_code(value, lang)
}

fn query_regions(working: &str) -> Vec<String> {
    let mut regions = vec![working.to_string()];
    if working != GLOBAL_REGION {
        regions.push(GLOBAL_REGION.to_string());
    }
    regions
}

/// The record of an event; when `CloudTrailEvent` is not valid JSON, a record rebuilt from the
/// event's own fields, so the step can still finish.
/// Event history has nothing: offer the trail's log files in S3 (DescribeTrails finds them),
/// saying first what listing and reading cost. `None` when there is no trail, the student
/// declines, or the archive has nothing either.
fn search_archive(ctx: &mut StepCtx, user: &str) -> AppResult<Option<crate::cloud::EventSearch>> {
    let lang = ctx.lang;
    let archives = match ctx.cloud.events.trail_archives() {
        Ok(archives) => archives,
        Err(err) => {
            // Said, never skipped silently: the older events may well be in the trail's bucket.
            ctx.ui.warn(err.explain(lang, None));
            ctx.ui.warn(t!(
                lang,
                "The account's trails could not be listed, so their log files (beyond 90 days) were not searched. If you know the trail's bucket, search it with `lecture06 trail search --s3 s3://BUCKET/ --user NAME`.",
                "アカウントの証跡を一覧できなかったため、証跡のログファイル（90 日より前）は検索していません。証跡のバケットがわかる場合は `lecture06 trail search --s3 s3://バケット/ --user 名前` で検索できます。"
            ));
            return Ok(None);
        }
    };
    let Some(archive) = archives.first() else {
        ctx.ui.line(t!(
            lang,
            "The account has no trail, so event history's 90 days are all CloudTrail keeps.",
            "このアカウントには証跡がないため、CloudTrail に残るのはイベント履歴の 90 日分だけです。"
        ));
        return Ok(None);
    };
    let (name, bucket, prefix) = (&archive.name, &archive.bucket, &archive.prefix);
    ctx.ui.line(t!(
        lang,
        "Your trail \"{name}\" keeps its log files in s3://{bucket}/{prefix}, beyond 90 days. Searching reads them: S3 charges about $0.005 per 1,000 LIST and $0.0004 per 1,000 GET requests (a trail writes about 288 files a day per Region: a month of one Region is about 9,000 GETs, under $0.01); lecture06 reads newest first and stops once it has the latest events.",
        "証跡「{name}」のログファイルは s3://{bucket}/{prefix} にあり、90 日より前まで残っています。検索ではこれを読みます。S3 の料金は LIST 1,000 回で約 $0.005、GET 1,000 回で約 $0.0004 です（証跡は 1 リージョンあたり 1 日約 288 ファイル。1 か月分で GET 約 9,000 回、$0.01 未満）。新しい順に読み、最新のイベントが揃った時点で止めます。"
    ));
    let search = ctx.ask_confirm(
        "archive",
        t!(
            lang,
            "Search the trail's log files for \"{user}\"?",
            "証跡のログファイルで「{user}」を検索しますか？"
        ),
        true,
    )?;
    if !search {
        return Ok(None);
    }
    if ctx.options.dry_run {
        ctx.ui.plan(
            "s3:ListBucket, s3:GetObject (read-only)",
            &json!({"Bucket": bucket, "Prefix": prefix}),
        );
    }
    let query = crate::trail::engine::Query {
        user: Some(user.to_string()),
        latest: LIST_LENGTH,
        ..Default::default()
    };
    let spinner = ctx.ui.spinner(t!(
        lang,
        "Searching s3://{bucket}/{prefix}…",
        "s3://{bucket}/{prefix} を検索中…"
    ));
    let outcome = ctx.cloud.events.search_archive(archive, &query);
    spinner.finish();
    let outcome = outcome?;
    ctx.ui.line(crate::trail::summary(&outcome, lang));
    for damaged in &outcome.damaged {
        ctx.ui.warn(format!("{}: {}", damaged.name, damaged.reason));
    }
    let events: Vec<TrailEvent> = outcome
        .hits
        .iter()
        .filter_map(|hit| {
            let record = &hit.record;
            Some(TrailEvent {
                event_id: hit.id.clone(),
                event_name: record.show("eventName"),
                event_time: hit.time?,
                event_source: record.show("eventSource"),
                username: record.user_name(),
                region: record.show("awsRegion"),
                read_only: record
                    .get("readOnly")
                    .and_then(|v| v.as_bool().or_else(|| v.as_str().map(|s| s == "true"))),
                resources: record
                    .get("resources")
                    .and_then(Value::as_array)
                    .map(|list| {
                        list.iter()
                            .filter_map(|r| r.get("ARN").and_then(Value::as_str))
                            .map(str::to_string)
                            .collect()
                    })
                    .unwrap_or_default(),
                record: record.0.to_string(),
            })
        })
        .collect();
    Ok((!events.is_empty()).then_some(crate::cloud::EventSearch {
        events,
        requests: Vec::new(),
    }))
}

fn parse_record(event: &TrailEvent) -> Record {
    Record::parse(&event.record).unwrap_or_else(|_| {
        Record(json!({
            "eventID": event.event_id,
            "eventName": event.event_name,
            "eventTime": event.event_time,
            "eventSource": event.event_source,
            "awsRegion": event.region,
            "userIdentity": {"userName": event.username},
        }))
    })
}

fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        format!("{}…", text.chars().take(max).collect::<String>())
    }
}

fn summary_of(evidence: &CloudtrailEvidence, lang: Lang) -> Vec<String> {
    let chosen = &evidence.chosen;
    let mut lines = vec![format!(
        "{} — {} / {} ({}, {})",
        chosen.event_name,
        jst(chosen.event_time),
        utc(chosen.event_time),
        chosen.event_source,
        chosen.region
    )];
    for field in &evidence.fields {
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

/// The cloudtrail step, as the registry declares it.
pub struct CloudtrailStep;

impl super::Step for CloudtrailStep {
    fn id(&self) -> crate::step_id::StepId {
        crate::step_id::StepId::Cloudtrail
    }

    fn run(&self, ctx: &mut StepCtx) -> AppResult<Value> {
        let lang = ctx.lang;
        let caller = ctx.cloud.identity.caller()?;
        let search = loop {
            let user = ctx.ask_text(
                "user",
                t!(lang, "IAM user name to look for", "探す IAM ユーザー名"),
                Some(caller.principal_name()),
                &non_empty(lang),
            )?;
            let region = ctx.ask_text(
                "region",
                t!(
                    lang,
                    "Working Region (us-east-1 is searched too)",
                    "作業リージョン（us-east-1 も検索します）"
                ),
                Some(ctx.cloud.region.clone()),
                &valid_region(lang),
            )?;
            let end = ctx.cloud.clock.now();
            let query = EventQuery {
                user: user.clone(),
                regions: query_regions(&region),
                start: end - Duration::days(LOOKBACK_DAYS),
                end,
                limit: LIST_LENGTH,
            };
            if ctx.options.dry_run {
                for region in &query.regions {
                    ctx.ui.plan(
                        "cloudtrail:LookupEvents (read-only)",
                        &json!({"Region": region, "LookupAttributes": [{"AttributeKey": "Username", "AttributeValue": user}],
                                "StartTime": query.start, "EndTime": query.end,
                            "MaxResults": crate::cloud::events::lookup_page_size(query.limit)}),
                    );
                }
            }
            let regions = query.regions.join(", ");
            let spinner = ctx.ui.spinner(t!(
                lang,
                "Looking up events of {user} in {regions}…",
                "{regions} で {user} のイベントを検索中…"
            ));
            let result = ctx.cloud.events.latest_events(&query);
            spinner.finish();
            let result = result?;
            if !result.events.is_empty() {
                break (query, result);
            }
            ctx.ui.warn(t!(
                lang,
                "No event of \"{user}\" in {regions} in the last {LOOKBACK_DAYS} days. Likely reasons:\n  - the events are in another Region (check the Region selector of the console);\n  - the name differs (it is case-sensitive; SSO users appear under their session name, often their e-mail);\n  - your last use is older than {LOOKBACK_DAYS} days: event history ends there, the trail's log files in S3 go further back.",
                "直近 {LOOKBACK_DAYS} 日間、{regions} に「{user}」のイベントがありません。考えられる理由:\n  - 別のリージョンで操作した（コンソール右上のリージョンを確認）\n  - ユーザー名が違う（大文字・小文字を区別します。SSO ユーザーはセッション名＝多くはメールアドレスで記録されます）\n  - 最後の利用が {LOOKBACK_DAYS} 日より前（イベント履歴はそこまで。証跡の S3 ログならさらに遡れます）"
            ));
            if let Some(found) = search_archive(ctx, &user)? {
                break (query, found);
            }
            let retry = ctx.prompter.is_interactive()
                && ctx.ask_confirm(
                    "retry",
                    t!(
                        lang,
                        "Try another user name or Region?",
                        "別のユーザー名かリージョンで試しますか？"
                    ),
                    true,
                )?;
            if !retry {
                return Err(AppError::Failed(t!(
                    lang,
                    "No CloudTrail event was found for \"{user}\". Give another name or Region ([cloudtrail] user / region in the answers file, or answer the prompts) and run `lecture06 run --step cloudtrail` again.",
                    "「{user}」の CloudTrail イベントが見つかりませんでした。別の名前かリージョンを指定して（回答ファイルの [cloudtrail] user / region、または質問への回答）`lecture06 run --step cloudtrail` を再実行してください。"
                )));
            }
            // Ask again, offering what was typed as the default.
            ctx.forget_answer("retry")?;
        };
        let (query, result) = search;

        ctx.ui
            .line(t!(lang, "Newest events first:", "新しい順のイベント:"));
        let rows: Vec<Vec<String>> = result
            .events
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
        let choices: Vec<Choice> = result
            .events
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
        let event = &result.events[index];
        let record = parse_record(event);

        ctx.ui.line(t!(
            lang,
            "The event record (CloudTrailEvent):",
            "イベントレコード（CloudTrailEvent）:"
        ));
        ctx.ui
            .line(serde_json::to_string_pretty(&record.0).unwrap_or_default());

        let fields = record.pickable_fields();
        let choices: Vec<Choice> = fields
            .iter()
            .map(|f| Choice {
                id: f.path.to_string(),
                label: format!(
                    "{} = {}  ({})",
                    f.path,
                    shorten(&record.show(f.path), 50),
                    f.explain(lang)
                ),
            })
            .collect();
        let defaults: Vec<usize> = trail_record::default_fields(&record)
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

        let listed: Vec<ListedEvent> = result
            .events
            .iter()
            .map(|e| ListedEvent {
                event_id: e.event_id.clone(),
                event_name: e.event_name.clone(),
                event_time: e.event_time,
                event_source: e.event_source.clone(),
                region: e.region.clone(),
            })
            .collect();
        let evidence = CloudtrailEvidence {
            query: QueryEvidence {
                user: query.user,
                regions: query.regions,
                start: query.start,
                end: query.end,
                requests: result.requests,
            },
            listed,
            chosen: ChosenEvent {
                event_id: event.event_id.clone(),
                event_name: event.event_name.clone(),
                event_time: event.event_time,
                event_source: event.event_source.clone(),
                region: event.region.clone(),
                username: event.username.clone(),
                record: record.0.clone(),
            },
            fields: picked,
            captured_at: ctx.cloud.clock.now(),
        };
        ctx.evidence_file(
            "lookup-events.json",
            &serde_json::to_vec_pretty(&result.events).map_err(anyhow::Error::from)?,
        )?;
        ctx.evidence_file(
            "event.json",
            &serde_json::to_vec_pretty(&record.0).map_err(anyhow::Error::from)?,
        )?;

        ctx.ui.ok(t!(lang, "Captured:", "記録しました:"));
        for line in summary_of(&evidence, lang) {
            ctx.ui.line(format!("  {line}"));
        }
        Ok(serde_json::to_value(&evidence).map_err(anyhow::Error::from)?)
    }

    fn summary(&self, evidence: &Value, lang: Lang) -> Vec<String> {
        serde_json::from_value::<CloudtrailEvidence>(evidence.clone())
            .map(|e| summary_of(&e, lang))
            .unwrap_or_default()
    }

    /// The report section's facts (see `report-templates/<lang>/cloudtrail.md`).
    fn report_context(&self, evidence: &Value, lang: Lang) -> Value {
        let Ok(e) = serde_json::from_value::<CloudtrailEvidence>(evidence.clone()) else {
            return Value::Null;
        };
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn searches_the_working_region_and_us_east_1_once() {
        assert_eq!(
            query_regions("ap-northeast-1"),
            vec!["ap-northeast-1", "us-east-1"]
        );
        assert_eq!(query_regions("us-east-1"), vec!["us-east-1"]);
    }

    #[test]
    fn region_validation() {
        let check = valid_region(Lang::En);
        assert!(check("ap-northeast-1").is_ok());
        assert!(check("us-gov-west-1").is_ok());
        assert!(check("tokyo").is_err());
        assert!(check("ap-northeast").is_err());
    }
}
