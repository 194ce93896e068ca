//! Finding the student's events: event history (LookupEvents) in the working Region and in
//! us-east-1, then, when it has nothing, the trail's log files in S3; asking again with another
//! name or Region when both are empty.

use super::{GLOBAL_REGION, LIST_LENGTH, LOOKBACK_DAYS};
use crate::cloud::{EventQuery, EventSearch, TrailEvent};
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use crate::steps::StepCtx;
use crate::t;
use chrono::Duration;
use serde_json::{Value, json};

/// A name CloudTrail can have recorded as `userName`: an IAM user's or a role session's name
/// (letters, digits and `+=,.@_-`, up to 64 characters; IAM Identity Center user names, recorded
/// as the session name, up to 128). Anything else can never match, so it is refused here rather
/// than searched in vain.
pub(super) fn user_name(lang: Lang) -> impl Fn(&str) -> Result<(), String> {
    move |value: &str| {
        let allowed = |c: char| c.is_ascii_alphanumeric() || "+=,.@_-".contains(c);
        if value.trim().is_empty() {
            Err(t!(lang, "it must not be empty", "空にはできません"))
        } else if value.trim() != value {
            Err(t!(
                lang,
                "remove the spaces around it",
                "前後の空白を取り除いてください"
            ))
        } else if let Some(bad) = value.chars().find(|&c| !allowed(c)) {
            let bad = if bad.is_whitespace() {
                t!(lang, "a space", "空白")
            } else {
                t!(lang, "\"{bad}\"", "「{bad}」")
            };
            Err(t!(
                lang,
                "{bad} cannot be part of an IAM user name: they are made of letters, digits and + = , . @ _ - (as shown at the top right of the console)",
                "{bad}は IAM ユーザー名に使えない文字です。ユーザー名は英数字と + = , . @ _ - でできています（コンソール右上に表示される名前です）"
            ))
        } else if value.chars().count() > 128 {
            Err(t!(
                lang,
                "too long for a user name (at most 128 characters)",
                "ユーザー名としては長すぎます（128 文字まで）"
            ))
        } else {
            Ok(())
        }
    }
}

pub(super) fn valid_region(lang: Lang) -> impl Fn(&str) -> Result<(), String> {
    move |value: &str| crate::cloud::region::check_code(value, lang)
}

pub(super) fn query_regions(working: &str) -> Vec<String> {
    let mut regions = vec![working.to_string()];
    if working != GLOBAL_REGION {
        regions.push(GLOBAL_REGION.to_string());
    }
    regions
}

/// The student's latest events, asked for by name and Region until some are found (or the
/// student gives up): the query as sent and what it found.
pub(super) fn find_events(ctx: &mut StepCtx) -> AppResult<(EventQuery, EventSearch)> {
    let lang = ctx.lang;
    let caller = ctx.cloud.identity.caller()?;
    loop {
        let user = ctx.ask_text(
            "user",
            t!(lang, "IAM user name to look for", "探す IAM ユーザー名"),
            Some(caller.principal_name()),
            &user_name(lang),
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
            return Ok((query, result));
        }
        ctx.ui.warn(t!(
            lang,
            "No event of \"{user}\" in {regions} in the last {LOOKBACK_DAYS} days. Likely reasons:\n  - the events are in another Region (check the Region selector of the console);\n  - the name differs (it is case-sensitive; SSO users appear under their session name, often their e-mail);\n  - your last use is older than {LOOKBACK_DAYS} days: event history ends there, the trail's log files in S3 go further back.",
            "直近 {LOOKBACK_DAYS} 日間、{regions} に「{user}」のイベントがありません。考えられる理由:\n  - 別のリージョンで操作した（コンソール右上のリージョンを確認）\n  - ユーザー名が違う（大文字・小文字を区別します。SSO ユーザーはセッション名＝多くはメールアドレスで記録されます）\n  - 最後の利用が {LOOKBACK_DAYS} 日より前（イベント履歴はそこまで。証跡の S3 ログならさらに遡れます）"
        ));
        if let Some(found) = search_archive(ctx, &user)? {
            return Ok((query, found));
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
    }
}

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
        ctx.ui
            .warn(format!("{}: {}", damaged.name, damaged.damage.say(lang)));
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
