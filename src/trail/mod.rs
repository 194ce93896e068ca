//! CloudTrail's log files as data: a record (`record`), the search engine that scans an archive of
//! delivered log files fast (`engine`) with bounded memory (`stream`, for files too big to hold
//! whole), the Athena SQL for archives too big to download (`athena_sql`), and the few words every
//! search shares (date bounds, `s3://` locations, the summary). A leaf: it imports only the clock and the language, so the AWS adapter, the sandbox,
//! the CloudTrail step and `trail search` all use it without reaching each other.

pub mod athena_sql;
mod bytes;
pub mod damage;
pub mod engine;
pub mod record;
pub mod stream;

use crate::i18n::Lang;
use crate::t;
use chrono::{DateTime, Days, NaiveDate, Utc};
use engine::Outcome;

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

/// What reading an archive in S3 costs (S3 Standard, Tokyo: $0.0047 per 1,000 LIST, $0.00037
/// per 1,000 GET; transfer to the internet beyond 100 GB/month is charged extra).
pub fn request_cost_usd(lists: u64, gets: u64) -> f64 {
    lists as f64 * 0.0047 / 1000.0 + gets as f64 * 0.00037 / 1000.0
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
