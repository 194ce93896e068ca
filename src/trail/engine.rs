//! The search engine over trail-delivered log files, wherever their bytes come from (a folder or
//! S3): one file at a time, inflated into a reused buffer, rejected by a byte-level pre-filter
//! before any JSON is parsed, records split without parsing, and only candidate records parsed
//! (as `crate::trail::record::Record`, the one reader of CloudTrail records). Matches go to a
//! shared newest-first top-N that dedupes on `eventID` and tells the file walkers when older files
//! cannot matter any more.
//!
//! The bytes themselves (inflating, splitting records) are read in `bytes.rs`, files too big to
//! hold whole in `stream.rs`. These depend only on `trail::record`, `clock`, chrono, serde_json,
//! memchr, libdeflater and flate2, so the benchmark (`bench/trail`) builds them alone.

use super::bytes::{Split, inflate, records_around, split_records, unwrap_lookup};
use super::damage::Damage;
use super::record::Record;
use super::stream::{MAX_WORKERS, each_record, open_log, read_small};
use chrono::{DateTime, Days, NaiveDate, TimeZone, Utc};
use memchr::memmem;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};

/// What to look for. `user` is compared with `Record::user_name()` and `event` with `eventName`,
/// both exactly (case-sensitive); `since` is inclusive, `until` exclusive.
#[derive(Clone, Debug, Default)]
pub struct Query {
    pub user: Option<String>,
    pub event: Option<String>,
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    /// How many of the newest matches to keep.
    pub latest: usize,
}

impl Query {
    /// Whether a record (already parsed) is one we want.
    pub fn matches(&self, record: &Record, time: Option<DateTime<Utc>>) -> bool {
        if let Some(event) = &self.event
            && record.str("eventName") != Some(event.as_str())
        {
            return false;
        }
        if let Some(user) = &self.user
            && record.user_name().as_deref() != Some(user.as_str())
        {
            return false;
        }
        if self.since.is_some() || self.until.is_some() {
            let Some(time) = time else { return false };
            if self.since.is_some_and(|since| time < since) {
                return false;
            }
            if self.until.is_some_and(|until| time >= until) {
                return false;
            }
        }
        true
    }

    /// Whether a file in the day folder `day` may hold a match. CloudTrail files an event under a
    /// neighbouring day now and then, so a folder stands for the day before to the day after.
    pub fn day_may_match(&self, day: NaiveDate) -> bool {
        let (start, end) = day_window(day);
        !(self.since.is_some_and(|since| end <= since)
            || self.until.is_some_and(|until| start >= until))
    }
}

/// The times a file in the day folder `day` may hold: from the day before to the end of the day
/// after (one day of slack on each side).
pub fn day_window(day: NaiveDate) -> (DateTime<Utc>, DateTime<Utc>) {
    let start = day.checked_sub_days(Days::new(1)).unwrap_or(day);
    let end = day.checked_add_days(Days::new(2)).unwrap_or(day);
    (midnight(start), midnight(end))
}

fn midnight(day: NaiveDate) -> DateTime<Utc> {
    Utc.from_utc_datetime(&day.and_hms_opt(0, 0, 0).expect("midnight exists"))
}

/// The day folder (`…/YYYY/MM/DD/…`) a path or S3 key sits in, if any.
pub fn day_of_path(path: &str) -> Option<NaiveDate> {
    let parts: Vec<&str> = path.split(['/', '\\']).collect();
    parts.windows(3).rev().find_map(|w| {
        let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
        if digits(w[0], 4) && digits(w[1], 2) && digits(w[2], 2) {
            NaiveDate::from_ymd_opt(w[0].parse().ok()?, w[1].parse().ok()?, w[2].parse().ok()?)
        } else {
            None
        }
    })
}

/// Whether a file name looks like trail output we read: `.json.gz`, `.json`, `.gz`. Digest files
/// (`CloudTrail-Digest/`) hold hashes, not events, and are left out.
pub fn is_log_name(path: &str) -> bool {
    !path.contains("CloudTrail-Digest")
        && (path.ends_with(".json.gz") || path.ends_with(".json") || path.ends_with(".gz"))
}

/// One matching event.
#[derive(Clone, Debug)]
pub struct Hit {
    pub time: Option<DateTime<Utc>>,
    pub id: String,
    pub record: Record,
}

/// A file that could not be read, and why.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Damaged {
    pub name: String,
    #[serde(rename = "reason")]
    pub damage: Damage,
}

/// The newest `limit` matches seen so far, deduplicated on `eventID`. Keyed by (time, id) so a
/// second delivery of an event lands on the same key whatever file it comes from.
pub struct TopN {
    limit: usize,
    kept: Mutex<BTreeMap<(DateTime<Utc>, String), Hit>>,
}

impl TopN {
    pub fn new(limit: usize) -> TopN {
        TopN {
            limit: limit.max(1),
            kept: Mutex::new(BTreeMap::new()),
        }
    }

    pub fn offer(&self, hits: Vec<Hit>) {
        if hits.is_empty() {
            return;
        }
        let mut kept = self.kept.lock().expect("top-N lock");
        for hit in hits {
            let key = (hit.time.unwrap_or(DateTime::<Utc>::MIN_UTC), hit.id.clone());
            kept.entry(key).or_insert(hit);
            if kept.len() > self.limit {
                kept.pop_first();
            }
        }
    }

    /// When full: the time of the oldest kept match. A file whose events are all older than this
    /// cannot change the answer.
    pub fn floor(&self) -> Option<DateTime<Utc>> {
        let kept = self.kept.lock().expect("top-N lock");
        (kept.len() >= self.limit)
            .then(|| kept.keys().next().map(|k| k.0))
            .flatten()
    }

    /// Newest first.
    pub fn into_hits(self) -> Vec<Hit> {
        let kept = self.kept.into_inner().expect("top-N lock");
        kept.into_values().rev().collect()
    }
}

/// Counters for the summary line; shared by the workers.
#[derive(Default)]
pub struct Tally {
    pub files_listed: AtomicUsize,
    pub files_pruned: AtomicUsize,
    pub files_read: AtomicUsize,
    pub files_skipped_latest: AtomicUsize,
    pub bytes_read: AtomicU64,
    pub bytes_inflated: AtomicU64,
    pub records_parsed: AtomicU64,
    pub damaged: Mutex<Vec<Damaged>>,
    pub stop: AtomicBool,
}

/// What a search found and what it cost.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Outcome {
    #[serde(skip)]
    pub hits: Vec<Hit>,
    pub files_listed: usize,
    pub files_pruned_by_date: usize,
    pub files_read: usize,
    pub files_skipped_by_latest: usize,
    pub bytes_read: u64,
    pub bytes_inflated: u64,
    pub records_parsed: u64,
    pub damaged: Vec<Damaged>,
    /// S3 LIST requests made to find the files (0 for a local folder).
    #[serde(skip_serializing_if = "is_zero")]
    pub list_requests: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

impl Tally {
    pub fn damaged(&self, name: &str, damage: Damage) {
        self.damaged.lock().expect("damaged lock").push(Damaged {
            name: name.to_string(),
            damage,
        });
    }

    pub fn finish(self, top: TopN) -> Outcome {
        let mut damaged = self.damaged.into_inner().expect("damaged lock");
        damaged.sort_by(|a, b| a.name.cmp(&b.name));
        Outcome {
            hits: top.into_hits(),
            files_listed: self.files_listed.into_inner(),
            files_pruned_by_date: self.files_pruned.into_inner(),
            files_read: self.files_read.into_inner(),
            files_skipped_by_latest: self.files_skipped_latest.into_inner(),
            bytes_read: self.bytes_read.into_inner(),
            bytes_inflated: self.bytes_inflated.into_inner(),
            records_parsed: self.records_parsed.into_inner(),
            damaged,
            list_requests: 0,
        }
    }
}

/// One worker's reusable state: the inflater and the buffer files are inflated into.
pub struct Scanner<'q> {
    query: &'q Query,
    user: Option<memmem::Finder<'q>>,
    event: Option<memmem::Finder<'q>>,
    inflater: libdeflater::Decompressor,
    buffer: Vec<u8>,
}

/// What one file gave.
#[derive(Debug, Default)]
pub struct FileScan {
    pub hits: Vec<Hit>,
    pub inflated: u64,
    pub parsed: u64,
}

impl<'q> Scanner<'q> {
    pub fn new(query: &'q Query) -> Scanner<'q> {
        Scanner {
            query,
            user: query
                .user
                .as_deref()
                .map(|u| memmem::Finder::new(u.as_bytes())),
            event: query
                .event
                .as_deref()
                .map(|e| memmem::Finder::new(e.as_bytes())),
            inflater: libdeflater::Decompressor::new(),
            buffer: Vec::new(),
        }
    }

    /// Every needle occurs in `bytes`: a record without them cannot match (user and event names
    /// are plain ASCII in CloudTrail's JSON, never escaped).
    fn passes(&self, bytes: &[u8]) -> bool {
        self.user.as_ref().is_none_or(|f| f.find(bytes).is_some())
            && self.event.as_ref().is_none_or(|f| f.find(bytes).is_some())
    }

    /// Scans one file's raw bytes (`name` for the damaged list) and counts it in `tally`: read,
    /// inflated and parsed bytes, its hits offered to `top`, or its damage.
    pub fn scan_counted(&mut self, name: &str, bytes: &[u8], tally: &Tally, top: &TopN) {
        let scan = self.scan(bytes);
        count(name, bytes.len() as u64, scan, tally, top);
    }

    /// A file too big to read whole (see `stream.rs`), read record by record.
    pub fn scan_reader(&self, reader: impl std::io::Read) -> Result<FileScan, Damage> {
        let mut scan = FileScan::default();
        scan.inflated = each_record(reader, |record| {
            if self.passes(record) {
                let value: Value =
                    serde_json::from_slice(record).map_err(|e| Damage::Json(e.to_string()))?;
                scan.parsed += 1;
                self.consider(unwrap_lookup(value), &mut scan.hits);
            }
            Ok(())
        })?;
        Ok(scan)
    }

    /// Scans one file's bytes (gzip or plain JSON). An `Err` names what is wrong with the file.
    pub fn scan(&mut self, bytes: &[u8]) -> Result<FileScan, Damage> {
        if bytes.is_empty() {
            return Err(Damage::Empty);
        }
        let mut buffer = std::mem::take(&mut self.buffer);
        let result = self.scan_into(bytes, &mut buffer);
        self.buffer = buffer;
        result
    }

    fn scan_into(&mut self, bytes: &[u8], buffer: &mut Vec<u8>) -> Result<FileScan, Damage> {
        let text: &[u8] = if bytes.starts_with(&[0x1f, 0x8b]) {
            match inflate(&mut self.inflater, bytes, buffer)? {
                Some(n) => &buffer[..n],
                None => return self.scan_reader(flate2::read::MultiGzDecoder::new(bytes)),
            }
        } else {
            bytes
        };
        let mut scan = FileScan {
            inflated: text.len() as u64,
            ..FileScan::default()
        };
        if !self.passes(text) {
            return Ok(scan);
        }
        let around = self.user.as_ref().or(self.event.as_ref());
        let split = match around.and_then(|needle| records_around(text, needle)) {
            Some(slices) => Split::Slices(slices),
            None => split_records(text)?,
        };
        match split {
            Split::Slices(slices) => {
                for slice in slices {
                    if !self.passes(slice) {
                        continue;
                    }
                    let value: Value =
                        serde_json::from_slice(slice).map_err(|e| Damage::Json(e.to_string()))?;
                    scan.parsed += 1;
                    self.consider(unwrap_lookup(value), &mut scan.hits);
                }
            }
            Split::Parsed(values) => {
                for value in values {
                    scan.parsed += 1;
                    self.consider(value, &mut scan.hits);
                }
            }
        }
        Ok(scan)
    }

    fn consider(&self, value: Value, hits: &mut Vec<Hit>) {
        let record = Record(value);
        let time = record.event_time();
        if self.query.matches(&record, time) {
            let id = record
                .str("eventID")
                .map(str::to_string)
                .unwrap_or_else(|| record.0.to_string());
            hits.push(Hit { time, id, record });
        }
    }
}

/// Counts one file in `tally`: read, inflated and parsed bytes, its hits offered to `top`, or
/// its damage.
pub fn count(name: &str, read: u64, scan: Result<FileScan, Damage>, tally: &Tally, top: &TopN) {
    tally.files_read.fetch_add(1, Ordering::Relaxed);
    tally.bytes_read.fetch_add(read, Ordering::Relaxed);
    match scan {
        Ok(scan) => {
            tally
                .bytes_inflated
                .fetch_add(scan.inflated, Ordering::Relaxed);
            tally
                .records_parsed
                .fetch_add(scan.parsed, Ordering::Relaxed);
            top.offer(scan.hits);
        }
        Err(damage) => tally.damaged(name, damage),
    }
}

/// A log file found in a folder, with what its place says about its times.
#[derive(Clone, Debug)]
pub struct LocalFile {
    pub path: PathBuf,
    pub name: String,
    pub day: Option<NaiveDate>,
}

impl LocalFile {
    /// The newest time its events may have (one day past its folder's day).
    pub fn upper_bound(&self) -> DateTime<Utc> {
        self.day
            .map(|d| day_window(d).1)
            .unwrap_or(DateTime::<Utc>::MAX_UTC)
    }
}

/// Orders files newest first: by the newest time they may hold, then by name (trail file names
/// carry their delivery time after the Region), so `--latest` can stop early.
pub fn newest_first<T>(
    files: &mut [T],
    bound: impl Fn(&T) -> DateTime<Utc>,
    name: impl Fn(&T) -> &str,
) {
    files.sort_by(|a, b| {
        bound(b)
            .cmp(&bound(a))
            .then_with(|| delivery_stamp(name(b)).cmp(delivery_stamp(name(a))))
    });
}

/// `20230710T1145Z` in `218007301253_CloudTrail_us-east-1_20230710T1145Z_x.json.gz`, else the name.
fn delivery_stamp(name: &str) -> &str {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    base.split('_')
        .find(|part| part.len() == 14 && part.as_bytes().get(8) == Some(&b'T'))
        .unwrap_or(base)
}

/// Every log file under `root`, with date pruning counted in `tally`.
pub fn list_local(root: &Path, query: &Query, tally: &Tally) -> std::io::Result<Vec<LocalFile>> {
    let mut files = Vec::new();
    let mut dirs = vec![root.to_path_buf()];
    if root.is_file() {
        dirs.clear();
        files.push(root.to_path_buf());
    }
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir)? {
            let entry = entry?;
            let kind = entry.file_type()?;
            if kind.is_dir() {
                dirs.push(entry.path());
            } else {
                files.push(entry.path());
            }
        }
    }
    let mut out = Vec::new();
    for path in files {
        let name = path
            .strip_prefix(root)
            .ok()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(&path)
            .to_string_lossy()
            .into_owned();
        if !is_log_name(&name) {
            continue;
        }
        tally.files_listed.fetch_add(1, Ordering::Relaxed);
        let day = day_of_path(&name);
        if day.is_some_and(|d| !query.day_may_match(d)) {
            tally.files_pruned.fetch_add(1, Ordering::Relaxed);
            continue;
        }
        out.push(LocalFile { path, name, day });
    }
    newest_first(&mut out, LocalFile::upper_bound, |f| f.name.as_str());
    Ok(out)
}

/// Searches a folder (or one file) with all cores (at most `MAX_WORKERS`, for bounded memory).
pub fn search_local(root: &Path, query: &Query, threads: usize) -> std::io::Result<Outcome> {
    let tally = Tally::default();
    let files = list_local(root, query, &tally)?;
    let top = TopN::new(query.latest);
    let next = AtomicUsize::new(0);
    let attempted = AtomicUsize::new(0);
    std::thread::scope(|scope| {
        for _ in 0..threads.clamp(1, MAX_WORKERS) {
            scope.spawn(|| {
                let mut scanner = Scanner::new(query);
                let mut raw = Vec::new();
                loop {
                    if tally.stop.load(Ordering::Relaxed) {
                        break;
                    }
                    let index = next.fetch_add(1, Ordering::Relaxed);
                    let Some(file) = files.get(index) else { break };
                    if top.floor().is_some_and(|floor| floor >= file.upper_bound()) {
                        // Files are ordered by upper bound: nothing after this one can matter.
                        tally.stop.store(true, Ordering::Relaxed);
                        break;
                    }
                    attempted.fetch_add(1, Ordering::Relaxed);
                    raw.clear();
                    match read_small(&file.path, &mut raw) {
                        Ok(true) => scanner.scan_counted(&file.name, &raw, &tally, &top),
                        Ok(false) => {
                            let size = std::fs::metadata(&file.path).map_or(0, |m| m.len());
                            let scan = open_log(&file.path)
                                .map_err(|e| Damage::Unreadable(e.to_string()))
                                .and_then(|reader| scanner.scan_reader(reader));
                            count(&file.name, size, scan, &tally, &top);
                        }
                        Err(err) => tally.damaged(&file.name, Damage::Unreadable(err.to_string())),
                    }
                }
            });
        }
    });
    tally.files_skipped_latest.store(
        files.len().saturating_sub(attempted.into_inner()),
        Ordering::Relaxed,
    );
    Ok(tally.finish(top))
}

/// The number of worker threads: all cores.
pub fn cores() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(user: Option<&str>, event: Option<&str>) -> Query {
        Query {
            user: user.map(str::to_string),
            event: event.map(str::to_string),
            latest: 100,
            ..Query::default()
        }
    }

    fn ids(scan: &FileScan) -> Vec<&str> {
        scan.hits.iter().map(|h| h.id.as_str()).collect()
    }

    #[test]
    fn splits_records_with_braces_and_escaped_quotes_inside_strings() {
        let text = br#" {"Records" : [ {"eventID":"a","eventName":"X","m":"}{\"\\"} ,
            {"eventID":"b","eventName":"Y","n":{"deep":["{"]}} ]}"#;
        let mut q = query(None, None);
        let mut scanner = Scanner::new(&q);
        assert_eq!(ids(&scanner.scan(text).unwrap()), vec!["a", "b"]);
        q = query(None, Some("Y"));
        let mut scanner = Scanner::new(&q);
        let scan = scanner.scan(text).unwrap();
        assert_eq!(ids(&scan), vec!["b"]);
        assert_eq!(scan.parsed, 1, "the record without Y is never parsed");
    }

    #[test]
    fn records_are_found_around_the_name_or_by_splitting_the_whole_file() {
        let usual = br#"{"Records":[{"eventVersion":"1.08","userIdentity":{"userName":"jiro"},"eventID":"a"},
            {"eventVersion":"1.08","userIdentity":{"userName":"taro"},"eventID":"b","x":{"eventVersion":1}},
            {"eventVersion":"1.08","userIdentity":{"userName":"taro"},"eventID":"c"}]}"#;
        let finder = memmem::Finder::new(b"taro");
        let found = records_around(usual, &finder).unwrap();
        assert_eq!(found.len(), 2);
        assert!(found[0].ends_with(br#"{"eventVersion":1}}"#));
        // Keys in another order: no record start before the name, so the file is split whole.
        let sorted = br#"{"Records":[{"eventID":"b","userIdentity":{"userName":"taro"}}]}"#;
        assert!(records_around(sorted, &finder).is_none());
        let q = query(Some("taro"), None);
        let mut scanner = Scanner::new(&q);
        assert_eq!(ids(&scanner.scan(usual).unwrap()), vec!["b", "c"]);
        assert_eq!(ids(&scanner.scan(sorted).unwrap()), vec!["b"]);
    }

    #[test]
    fn the_pre_filter_skips_files_without_the_names() {
        let q = query(Some("taro"), None);
        let mut scanner = Scanner::new(&q);
        // Damaged JSON goes unnoticed when the name occurs nowhere: nothing is parsed.
        let scan = scanner.scan(br#"{"Records":[{"eventID":"a""#).unwrap();
        assert_eq!((scan.parsed, scan.hits.len()), (0, 0));
        // The name in another field is a candidate, parsed, and rejected.
        let scan = scanner
            .scan(br#"{"Records":[{"eventID":"a","userIdentity":{"userName":"jiro"},"note":"taro"}]}"#)
            .unwrap();
        assert_eq!((scan.parsed, scan.hits.len()), (1, 0));
    }

    #[test]
    fn reads_gzip_and_reports_damage() {
        use std::io::Write;
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(br#"{"Records":[{"eventID":"a"}]}"#).unwrap();
        let gz = gz.finish().unwrap();
        let q = query(None, None);
        let mut scanner = Scanner::new(&q);
        assert_eq!(ids(&scanner.scan(&gz).unwrap()), vec!["a"]);
        assert_eq!(
            scanner.scan(&gz[..gz.len() - 6]).unwrap_err(),
            Damage::GzipBad
        );
        assert_eq!(scanner.scan(b"").unwrap_err(), Damage::Empty);
        let no_records = scanner.scan(b"{\"digest\":1}").unwrap_err();
        assert_eq!(no_records, Damage::NoRecords);
        assert!(scanner.scan(b"{\"Records\":[]}").unwrap().hits.is_empty());
        assert!(scanner.scan(b"[1,2]").is_err());
    }

    /// A gzip file cut where its last four bytes (read as the trailer's size) say at least 3 GiB.
    fn truncated_claiming_gigabytes(plain: &[u8]) -> Vec<u8> {
        use std::io::Write;
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(plain).unwrap();
        let gz = gz.finish().unwrap();
        let cut = (gz.len() / 2..gz.len() - 8)
            .find(|&end| u32::from_le_bytes(gz[end - 4..end].try_into().unwrap()) >= 3 << 30)
            .expect("a cut whose last bytes claim gigabytes");
        gz[..cut].to_vec()
    }

    #[test]
    fn a_truncated_gzip_claiming_gigabytes_is_damage_without_the_allocation() {
        let mut plain = String::from("{\"Records\":[");
        for i in 0..2000 {
            plain.push_str(&format!(
                "{{\"eventID\":\"e{i}\",\"eventName\":\"StopInstances\",\"n\":{}}},",
                i * 7919 % 10007
            ));
        }
        plain.push_str("{\"eventID\":\"last\"}]}");
        let truncated = truncated_claiming_gigabytes(plain.as_bytes());
        let q = query(None, None);
        let mut scanner = Scanner::new(&q);
        let err = scanner.scan(&truncated).unwrap_err().to_string();
        assert!(err.contains("damaged gzip"), "{err}");
        // The trailer claimed gigabytes; the buffer stayed within what the bytes can inflate to.
        assert!(
            scanner.buffer.len() <= truncated.len() * crate::trail::bytes::MAX_RATIO
                && scanner.buffer.len() <= 8 << 20,
            "{} bytes reserved for a {}-byte file",
            scanner.buffer.len(),
            truncated.len()
        );
        // The same scanner goes on with the next file.
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        std::io::Write::write_all(&mut gz, plain.as_bytes()).unwrap();
        let whole = gz.finish().unwrap();
        assert_eq!(scanner.scan(&whole).unwrap().hits.len(), 2001);
    }

    #[test]
    fn a_file_inflating_far_beyond_the_first_reservation_is_read_whole() {
        use std::io::Write;
        // 3 MiB of spaces compress to a few KB: the first reservation (64 KiB) doubles to fit.
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        gz.write_all(br#"{"Records":[{"eventID":"a"},"#).unwrap();
        gz.write_all(&vec![b' '; 3 << 20]).unwrap();
        gz.write_all(br#"{"eventID":"b"}]}"#).unwrap();
        let gz = gz.finish().unwrap();
        assert!(gz.len() * 16 < 64 << 10, "{} bytes", gz.len());
        let q = query(None, None);
        let mut scanner = Scanner::new(&q);
        let scan = scanner.scan(&gz).unwrap();
        assert_eq!(ids(&scan), vec!["a", "b"]);
        assert!(scan.inflated > 3 << 20);
    }

    #[test]
    fn top_n_dedupes_and_keeps_the_newest() {
        let hit = |t: &str, id: &str| Hit {
            time: crate::clock::parse_time(t),
            id: id.into(),
            record: Record(serde_json::json!({})),
        };
        let top = TopN::new(2);
        top.offer(vec![
            hit("2023-07-10T01:00:00Z", "a"),
            hit("2023-07-10T03:00:00Z", "c"),
        ]);
        assert_eq!(
            top.floor(),
            crate::clock::parse_time("2023-07-10T01:00:00Z")
        );
        top.offer(vec![
            hit("2023-07-10T03:00:00Z", "c"),
            hit("2023-07-10T02:00:00Z", "b"),
        ]);
        top.offer(vec![hit("2023-07-10T01:00:00Z", "a")]);
        let ids: Vec<String> = top.into_hits().into_iter().map(|h| h.id).collect();
        assert_eq!(ids, vec!["c", "b"]);
    }

    #[test]
    fn day_folders_and_delivery_stamps() {
        assert_eq!(
            day_of_path("AWSLogs/1/CloudTrail/us-east-1/2023/07/10/x.json.gz"),
            NaiveDate::from_ymd_opt(2023, 7, 10)
        );
        assert_eq!(day_of_path("logs/x.json"), None);
        assert_eq!(
            delivery_stamp("a/1_CloudTrail_us-east-1_20230710T1145Z_abc.json.gz"),
            "20230710T1145Z"
        );
        assert!(!is_log_name(
            "AWSLogs/1/CloudTrail-Digest/us-east-1/2023/07/10/d.json.gz"
        ));
        assert!(is_log_name("x.json") && is_log_name("x.json.gz") && !is_log_name("x.txt"));
    }
}
