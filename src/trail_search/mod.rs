//! `lecture06 trail search`: event history reaches back only 90 days, so a student whose last AWS
//! day is older (or whose trail records data events) searches the trail's log files instead — in
//! a folder, in S3, or, for archives too big to download, with Athena. The engine is shared; this
//! module turns flags into a `Query`, picks the source and prints what was found and what it cost.

pub mod athena_sql;
pub mod engine;

use crate::app::App;
use crate::cli::TrailSearchArgs;
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use crate::t;
use chrono::{DateTime, Days, NaiveDate, Utc};
use engine::{Hit, Outcome, Query};

/// Runs `trail search`.
pub fn command(app: &App, args: &TrailSearchArgs) -> AppResult<()> {
    let lang = app.lang;
    let query = query_of(args, lang)?;
    let outcome = if let Some(path) = &args.path {
        if !path.exists() {
            return Err(AppError::Usage(t!(
                lang,
                "--path {}: no such file or folder.",
                "--path {}: ファイルまたはフォルダーがありません。",
                path.display()
            )));
        }
        engine::search_local(path, &query, engine::cores())?
    } else {
        let location = args.s3.as_deref().unwrap_or_default();
        let (bucket, prefix) = parse_s3_url(location).ok_or_else(|| {
            AppError::Usage(t!(
                lang,
                "--s3 {location}: expected s3://BUCKET/PREFIX, e.g. s3://my-trail-bucket/AWSLogs/",
                "--s3 {location}: s3://バケット/プレフィックス の形で指定してください（例: s3://my-trail-bucket/AWSLogs/）"
            ))
        })?;
        let aws = crate::aws::Aws::from_environment(app.profile.as_deref(), app.region.as_deref())?;
        if args.athena {
            return crate::aws::trail_athena::search(
                app, &aws, &bucket, &prefix, &query, args.json,
            );
        }
        crate::aws::trail_archive::search_s3(&aws, &bucket, &prefix, &query, lang)?
    };
    print_outcome(&outcome, args.json, lang);
    Ok(())
}

fn query_of(args: &TrailSearchArgs, lang: Lang) -> AppResult<Query> {
    let since = args
        .since
        .as_deref()
        .map(|s| parse_bound(s, false).ok_or_else(|| bad_date("--since", s, lang)))
        .transpose()?;
    let until = args
        .until
        .as_deref()
        .map(|s| parse_bound(s, true).ok_or_else(|| bad_date("--until", s, lang)))
        .transpose()?;
    if let (Some(since), Some(until)) = (since, until)
        && since >= until
    {
        return Err(AppError::Usage(t!(
            lang,
            "--since must be before --until.",
            "--since は --until より前の日時にしてください。"
        )));
    }
    if args.latest == 0 {
        return Err(AppError::Usage(t!(
            lang,
            "--latest must be at least 1.",
            "--latest は 1 以上にしてください。"
        )));
    }
    Ok(Query {
        user: args.user.clone().filter(|u| !u.is_empty()),
        event: args.event.clone().filter(|e| !e.is_empty()),
        since,
        until,
        latest: args.latest,
    })
}

fn bad_date(flag: &str, value: &str, lang: Lang) -> AppError {
    AppError::Usage(t!(
        lang,
        "{flag} {value}: expected YYYY-MM-DD (a UTC day) or an RFC 3339 time such as 2023-07-10T09:00:00+09:00.",
        "{flag} {value}: YYYY-MM-DD（UTC の日付）か RFC 3339 形式（例: 2023-07-10T09:00:00+09:00）で指定してください。"
    ))
}

/// A `--since`/`--until` value. A bare date is a UTC day: `--until` includes that whole day.
pub fn parse_bound(text: &str, until: bool) -> Option<DateTime<Utc>> {
    if let Ok(day) = NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d") {
        let day = if until {
            day.checked_add_days(Days::new(1))?
        } else {
            day
        };
        return Some(day.and_hms_opt(0, 0, 0)?.and_utc());
    }
    crate::clock::parse_time(text)
}

/// `s3://bucket/some/prefix` → (`bucket`, `some/prefix`).
pub fn parse_s3_url(url: &str) -> Option<(String, String)> {
    let rest = url.strip_prefix("s3://")?;
    let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
    (!bucket.is_empty()).then(|| (bucket.to_string(), prefix.to_string()))
}

/// The table (JST and UTC) or JSON lines on stdout; the summary and damaged files on stderr.
pub fn print_outcome(outcome: &Outcome, json: bool, lang: Lang) {
    print_hits(&outcome.hits, json, lang);
    eprintln!("{}", summary(outcome, lang));
    if !outcome.damaged.is_empty() {
        eprintln!(
            "{}",
            t!(
                lang,
                "{} file(s) could not be read and were skipped:",
                "{} 個のファイルを読めなかったため飛ばしました:",
                outcome.damaged.len()
            )
        );
        for damaged in &outcome.damaged {
            eprintln!("  {}: {}", damaged.name, damaged.reason);
        }
    }
}

/// The events: a table (JST and UTC), or one JSON record per line.
pub fn print_hits(hits: &[Hit], json: bool, lang: Lang) {
    use std::io::Write;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    if json {
        for hit in hits {
            let _ = writeln!(out, "{}", hit.record.0);
        }
    } else if !hits.is_empty() {
        let headers = [
            t!(lang, "time (JST)", "日時（JST）"),
            t!(lang, "time (UTC)", "日時（UTC）"),
            t!(lang, "user", "ユーザー"),
            t!(lang, "event", "イベント"),
            t!(lang, "source IP", "送信元 IP"),
            t!(lang, "region", "リージョン"),
            t!(lang, "error", "エラー"),
        ];
        let headers: Vec<&str> = headers.iter().map(String::as_str).collect();
        let rows: Vec<Vec<String>> = hits.iter().map(row_of).collect();
        let _ = writeln!(out, "{}", crate::ui::table(&headers, &rows));
    }
    let _ = out.flush();
}

fn row_of(hit: &Hit) -> Vec<String> {
    let record = &hit.record;
    vec![
        hit.time
            .map(crate::clock::jst)
            .unwrap_or_else(|| "-".into()),
        hit.time
            .map(crate::clock::utc)
            .unwrap_or_else(|| "-".into()),
        record.user_name().unwrap_or_else(|| "-".into()),
        record.show("eventName"),
        record.show("sourceIPAddress"),
        record.show("awsRegion"),
        record
            .str("errorCode")
            .or(record.str("errorMessage"))
            .unwrap_or("")
            .to_string(),
    ]
}

/// `3 events; read 55 files (1.2 MB, 9.8 MB inflated), 0 skipped by date, …`
pub fn summary(outcome: &Outcome, lang: Lang) -> String {
    let found = outcome.hits.len();
    let read = outcome.files_read;
    let pruned = outcome.files_pruned_by_date;
    let early = outcome.files_skipped_by_latest;
    let bytes = megabytes(outcome.bytes_read);
    let inflated = megabytes(outcome.bytes_inflated);
    let parsed = outcome.records_parsed;
    t!(
        lang,
        "{found} event(s) found. Read {read} file(s), {bytes} ({inflated} uncompressed); {pruned} skipped by date, {early} not needed for --latest; {parsed} record(s) parsed after the byte pre-filter.",
        "{found} 件のイベントが見つかりました。{read} 個のファイル（{bytes}、展開後 {inflated}）を読み、日付で {pruned} 個、--latest により {early} 個を省きました。バイト単位の絞り込み後に解析したレコードは {parsed} 件です。"
    )
}

pub fn megabytes(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1_000_000.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bare_dates_are_utc_days_and_until_includes_its_day() {
        assert_eq!(
            parse_bound("2023-07-10", false).unwrap().to_rfc3339(),
            "2023-07-10T00:00:00+00:00"
        );
        assert_eq!(
            parse_bound("2023-07-10", true).unwrap().to_rfc3339(),
            "2023-07-11T00:00:00+00:00"
        );
        assert_eq!(
            parse_bound("2023-07-10T09:00:00+09:00", false)
                .unwrap()
                .to_rfc3339(),
            "2023-07-10T00:00:00+00:00"
        );
        assert!(parse_bound("10/07/2023", false).is_none());
    }

    #[test]
    fn s3_urls_split_into_bucket_and_prefix() {
        assert_eq!(
            parse_s3_url("s3://b/AWSLogs/1/"),
            Some(("b".into(), "AWSLogs/1/".into()))
        );
        assert_eq!(parse_s3_url("s3://b"), Some(("b".into(), "".into())));
        assert_eq!(parse_s3_url("b/x"), None);
        assert_eq!(parse_s3_url("s3:///x"), None);
    }
}
