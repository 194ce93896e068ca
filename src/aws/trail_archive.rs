//! A trail's log archive in S3, searched without downloading what the date range rules out:
//! only the `AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/` prefixes the range needs (one day
//! of slack each side) are listed, objects are fetched newest first with a bounded number in
//! flight, throttling is retried (the SDK's standard retry, plus a retry of a broken body), and
//! each object goes through the same engine as a local file: held whole when it is the size of a
//! log file, streamed record by record when it is bigger (so no object costs more memory than a
//! record, whatever its size).

use super::classify;
use crate::cloud::CloudError;
use crate::trail::damage::Damage;
use crate::trail::engine::{
    self, FileScan, Outcome, Query, Scanner, Tally, TopN, day_of_path, day_window, newest_first,
};
use crate::trail::stream::{WHOLE_FILE_CAP, inflating};
use chrono::{DateTime, NaiveDate, Utc};
use std::sync::atomic::Ordering;

/// How many objects are fetched at once.
pub const IN_FLIGHT: usize = 16;
/// How many bytes of objects are held at once, at most (one object more may start below it):
/// with the engine's bound on what each file inflates to, a search of any bucket stays under
/// 256 MB.
const IN_FLIGHT_BYTES: u64 = 64 << 20;
/// What a streamed object holds at most, counted against `IN_FLIGHT_BYTES`: the engine's window
/// (a record and a chunk) and the chunks waiting for it.
const STREAMED_BYTES: u64 = 4 << 20;
/// How many body chunks may wait for the scanner of a streamed object.
const CHUNKS_AHEAD: usize = 8;

/// What one fetch gave.
enum Fetched {
    /// The object's bytes, to scan here.
    Whole(Vec<u8>),
    /// An object too big to hold, scanned as it streamed.
    Streamed(Result<FileScan, Damage>),
    /// Nothing: the object could not be fetched.
    Failed(Damage),
}

/// One object to read.
#[derive(Clone, Debug)]
pub struct ArchiveObject {
    pub key: String,
    pub size: u64,
    pub day: Option<NaiveDate>,
}

impl ArchiveObject {
    fn upper_bound(&self) -> DateTime<Utc> {
        self.day
            .map(|d| day_window(d).1)
            .unwrap_or(DateTime::<Utc>::MAX_UTC)
    }
}

/// What listing found: the objects to read, and the account/Region folders seen (for Athena).
#[derive(Debug, Default)]
pub struct Listing {
    pub objects: Vec<ArchiveObject>,
    pub list_requests: u64,
    pub pruned: usize,
    /// `AWSLogs/<account>/CloudTrail/<region>/` prefixes.
    pub region_prefixes: Vec<String>,
}

/// Whether a folder whose days run from `first` to `last` may hold events of the query.
fn days_may_match(query: &Query, first: NaiveDate, last: NaiveDate) -> bool {
    let start = day_window(first).0;
    let end = day_window(last).1;
    !(query.since.is_some_and(|since| end <= since)
        || query.until.is_some_and(|until| start >= until))
}

/// The days a prefix like `…/us-east-1/2023/` or `…/2023/07/` covers, if it is a date folder.
fn date_folder(prefix: &str) -> Option<(NaiveDate, NaiveDate)> {
    let parts: Vec<&str> = prefix.trim_end_matches('/').split('/').collect();
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    let n = parts.len();
    if n >= 3 && digits(parts[n - 3], 4) && digits(parts[n - 2], 2) && digits(parts[n - 1], 2) {
        let day = day_of_path(prefix)?;
        return Some((day, day));
    }
    if n >= 2 && digits(parts[n - 2], 4) && digits(parts[n - 1], 2) {
        let year: i32 = parts[n - 2].parse().ok()?;
        let month: u32 = parts[n - 1].parse().ok()?;
        let first = NaiveDate::from_ymd_opt(year, month, 1)?;
        let next = if month == 12 {
            NaiveDate::from_ymd_opt(year + 1, 1, 1)?
        } else {
            NaiveDate::from_ymd_opt(year, month + 1, 1)?
        };
        return Some((first, next.pred_opt()?));
    }
    if n >= 1 && digits(parts[n - 1], 4) {
        let year: i32 = parts[n - 1].parse().ok()?;
        return Some((
            NaiveDate::from_ymd_opt(year, 1, 1)?,
            NaiveDate::from_ymd_opt(year, 12, 31)?,
        ));
    }
    None
}

/// Lists the log objects under `prefix` that the query's dates may need, walking folder by folder
/// (`/` delimiter) so that year, month and day folders outside the range are never listed.
pub async fn list_archive(
    client: &aws_sdk_s3::Client,
    bucket: &str,
    prefix: &str,
    query: &Query,
) -> Result<Listing, CloudError> {
    let mut listing = Listing::default();
    let mut pending = vec![prefix.to_string()];
    while let Some(folder) = pending.pop() {
        let mut token = None;
        loop {
            let out = client
                .list_objects_v2()
                .bucket(bucket)
                .prefix(&folder)
                .delimiter("/")
                .set_continuation_token(token.take())
                .send()
                .await
                .map_err(|e| classify(e, "s3:ListBucket"))?;
            listing.list_requests += 1;
            for child in out.common_prefixes() {
                let Some(child) = child.prefix() else {
                    continue;
                };
                let last = child.trim_end_matches('/').rsplit('/').next().unwrap_or("");
                if last == "CloudTrail-Digest" {
                    continue;
                }
                if child.ends_with("/CloudTrail/") || folder.ends_with("/CloudTrail/") {
                    if folder.ends_with("/CloudTrail/") {
                        listing.region_prefixes.push(child.to_string());
                    }
                } else if let Some((first, last)) = date_folder(child)
                    && !days_may_match(query, first, last)
                {
                    continue;
                }
                pending.push(child.to_string());
            }
            for object in out.contents() {
                let Some(key) = object.key() else { continue };
                if !engine::is_log_name(key) {
                    continue;
                }
                let day = day_of_path(key);
                if day.is_some_and(|d| !query.day_may_match(d)) {
                    listing.pruned += 1;
                    continue;
                }
                listing.objects.push(ArchiveObject {
                    key: key.to_string(),
                    size: object.size().unwrap_or(0).max(0) as u64,
                    day,
                });
            }
            match out.next_continuation_token() {
                Some(next) if out.is_truncated() == Some(true) => token = Some(next.to_string()),
                _ => break,
            }
        }
    }
    listing.region_prefixes.sort();
    newest_first(&mut listing.objects, ArchiveObject::upper_bound, |o| {
        o.key.as_str()
    });
    Ok(listing)
}

/// The search itself; the outcome counts the LIST requests made.
pub async fn search_s3_async(
    client: &aws_sdk_s3::Client,
    bucket: &str,
    prefix: &str,
    query: &Query,
) -> Result<Outcome, CloudError> {
    let listing = list_archive(client, bucket, prefix, query).await?;
    let tally = Tally::default();
    tally
        .files_listed
        .store(listing.objects.len() + listing.pruned, Ordering::Relaxed);
    tally.files_pruned.store(listing.pruned, Ordering::Relaxed);
    let top = TopN::new(query.latest);
    let mut scanner = Scanner::new(query);
    let mut in_flight = tokio::task::JoinSet::new();
    let mut objects = listing.objects.iter();
    let mut started = 0usize;
    let mut stopped = false;
    let mut bytes_in_flight = 0u64;
    loop {
        while !stopped && in_flight.len() < IN_FLIGHT && bytes_in_flight < IN_FLIGHT_BYTES {
            let Some(object) = objects.next() else { break };
            if top
                .floor()
                .is_some_and(|floor| floor >= object.upper_bound())
            {
                stopped = true;
                break;
            }
            started += 1;
            let streamed = object.size > WHOLE_FILE_CAP as u64;
            let held = if streamed {
                STREAMED_BYTES
            } else {
                object.size
            };
            bytes_in_flight += held;
            let client = client.clone();
            let bucket = bucket.to_string();
            let (key, size, query) = (object.key.clone(), object.size, query.clone());
            in_flight.spawn(async move {
                let fetched = if streamed {
                    Fetched::Streamed(fetch_scanning(&client, &bucket, &key, query).await)
                } else {
                    match fetch(&client, &bucket, &key).await {
                        Ok(bytes) => Fetched::Whole(bytes),
                        Err(why) => Fetched::Failed(Damage::Unreadable(why)),
                    }
                };
                (key, size, held, fetched)
            });
        }
        let Some(done) = in_flight.join_next().await else {
            break;
        };
        let (key, size, held, fetched) = done.map_err(|e| CloudError {
            kind: crate::cloud::CloudErrorKind::Other,
            action: "s3:GetObject".into(),
            code: None,
            message: e.to_string(),
            region: None,
        })?;
        bytes_in_flight -= held;
        match fetched {
            Fetched::Whole(bytes) => scanner.scan_counted(&key, &bytes, &tally, &top),
            Fetched::Streamed(scan) => engine::count(&key, size, scan, &tally, &top),
            Fetched::Failed(damage) => tally.damaged(&key, damage),
        }
    }
    tally.files_skipped_latest.store(
        listing.objects.len().saturating_sub(started),
        Ordering::Relaxed,
    );
    let mut outcome = tally.finish(top);
    outcome.list_requests = listing.list_requests;
    Ok(outcome)
}

/// An object too big to hold, scanned record by record as its body arrives: the body's chunks
/// go through a short queue to the engine on a blocking thread, so memory stays at a record and
/// a few chunks whatever the object's size. A body cut off mid-way is read again from the start
/// (twice at most); what a broken read had found is dropped with it.
async fn fetch_scanning(
    client: &aws_sdk_s3::Client,
    bucket: &str,
    key: &str,
    query: Query,
) -> Result<FileScan, Damage> {
    let mut broken = String::new();
    for _ in 0..3 {
        let mut body = object_body(client, bucket, key)
            .await
            .map_err(Damage::Unreadable)?;
        let (chunks, queue) = tokio::sync::mpsc::channel(CHUNKS_AHEAD);
        let query = query.clone();
        let scan = tokio::task::spawn_blocking(move || {
            let reader = inflating(QueueReader {
                queue,
                chunk: Vec::new(),
                at: 0,
            })
            .map_err(|e| Damage::Unreadable(e.to_string()))?;
            Scanner::new(&query).scan_reader(reader)
        });
        let mut cut_off = None;
        while let Some(chunk) = body.next().await {
            let chunk = chunk.map(|bytes| bytes.to_vec()).map_err(|e| e.to_string());
            let failed = chunk.as_ref().err().cloned();
            // A closed queue: the scanner stopped (damage found); it says why.
            if chunks.send(chunk).await.is_err() || failed.is_some() {
                cut_off = failed;
                break;
            }
        }
        drop(chunks);
        let scan = scan.await.map_err(|e| Damage::Unreadable(e.to_string()))?;
        match cut_off {
            None => return scan,
            Some(why) => broken = why,
        }
    }
    Err(Damage::Unreadable(broken))
}

/// The chunks of a body as they arrive, read on a blocking thread.
struct QueueReader {
    queue: tokio::sync::mpsc::Receiver<Result<Vec<u8>, String>>,
    chunk: Vec<u8>,
    at: usize,
}

impl std::io::Read for QueueReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.at == self.chunk.len() {
            match self.queue.blocking_recv() {
                None => return Ok(0),
                Some(Ok(chunk)) => (self.chunk, self.at) = (chunk, 0),
                Some(Err(why)) => return Err(std::io::Error::other(why)),
            }
        }
        let n = buf.len().min(self.chunk.len() - self.at);
        buf[..n].copy_from_slice(&self.chunk[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

/// `GetObject`: the object's body as it arrives, or why it cannot be had.
async fn object_body(
    client: &aws_sdk_s3::Client,
    bucket: &str,
    key: &str,
) -> Result<aws_smithy_types::byte_stream::ByteStream, String> {
    let out = client
        .get_object()
        .bucket(bucket)
        .key(key)
        .send()
        .await
        .map_err(|e| classify(e, "s3:GetObject").to_string())?;
    Ok(out.body)
}

/// One object's bytes; a body cut off mid-way is fetched again (twice at most).
async fn fetch(client: &aws_sdk_s3::Client, bucket: &str, key: &str) -> Result<Vec<u8>, String> {
    let mut last = String::new();
    for _ in 0..3 {
        match object_body(client, bucket, key).await?.collect().await {
            Ok(data) => return Ok(data.into_bytes().to_vec()),
            Err(err) => last = err.to_string(),
        }
    }
    Err(last)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn date_folders_cover_their_days() {
        assert_eq!(
            date_folder("AWSLogs/1/CloudTrail/us-east-1/2023/"),
            Some((day("2023-01-01"), day("2023-12-31")))
        );
        assert_eq!(
            date_folder("AWSLogs/1/CloudTrail/us-east-1/2023/02/"),
            Some((day("2023-02-01"), day("2023-02-28")))
        );
        assert_eq!(
            date_folder("AWSLogs/1/CloudTrail/us-east-1/2023/12/31/"),
            Some((day("2023-12-31"), day("2023-12-31")))
        );
        assert_eq!(date_folder("AWSLogs/123456789012/"), None);
    }

    #[test]
    fn folders_keep_one_day_of_slack() {
        let query = Query {
            since: crate::trail::parse_bound("2024-01-01", false),
            until: crate::trail::parse_bound("2024-01-01", true),
            latest: 10,
            ..Query::default()
        };
        // The last day of 2023 may hold events of 2024-01-01; 2023-12-30 may not.
        assert!(days_may_match(&query, day("2023-12-31"), day("2023-12-31")));
        assert!(!days_may_match(
            &query,
            day("2023-12-30"),
            day("2023-12-30")
        ));
        assert!(days_may_match(&query, day("2024-01-02"), day("2024-01-02")));
        assert!(!days_may_match(
            &query,
            day("2024-01-03"),
            day("2024-01-03")
        ));
        assert!(!days_may_match(
            &query,
            day("2022-01-01"),
            day("2022-12-31")
        ));
    }
}
