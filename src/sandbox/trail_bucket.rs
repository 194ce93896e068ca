//! The simulated account's trail and its bucket: a trail named `lecture06-sandbox-trail` that
//! delivers the account's CloudTrail history as log files to `s3://lecture06-sandbox-trail`, laid
//! out as CloudTrail lays them out (`AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/
//! <account>_CloudTrail_<region>_<YYYYMMDDTHHmmZ>_<id>.json.gz`, each a gzipped
//! `{"Records": […]}` of the events of one Region and hour). The bucket is a folder,
//! `.lecture06/sandbox/s3/lecture06-sandbox-trail/`, written when it is first searched, so the
//! student can open the files too; searching it goes through the same engine as `--path` and S3.

use super::World;
use super::events;
use crate::cloud::events::TrailArchive;
use crate::cloud::{CloudError, CloudErrorKind};
use crate::trail::engine::{self, Outcome, Query};
use chrono::{Datelike, Timelike};
use flate2::Compression;
use flate2::write::GzEncoder;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The simulated trail's name and bucket.
pub const BUCKET: &str = "lecture06-sandbox-trail";

/// The trail, as DescribeTrails would describe it.
pub fn trail() -> TrailArchive {
    TrailArchive {
        name: BUCKET.into(),
        bucket: BUCKET.into(),
        prefix: "AWSLogs/".into(),
    }
}

/// The bucket's folder under the sandbox's own folder.
pub fn bucket_dir(sandbox_dir: &Path) -> PathBuf {
    sandbox_dir.join("s3").join(BUCKET)
}

/// Searches `archive` (which must be the simulated trail's bucket) as `trail search --s3` does.
pub fn search(
    world: &World,
    sandbox_dir: &Path,
    archive: &TrailArchive,
    query: &Query,
) -> Result<Outcome, CloudError> {
    if archive.bucket != BUCKET {
        return Err(CloudError {
            kind: CloudErrorKind::NotFound,
            action: "s3:ListBucket".into(),
            code: Some("NoSuchBucket".into()),
            message: format!(
                "The specified bucket does not exist: {} (the simulated account's trail bucket is s3://{BUCKET})",
                archive.bucket
            ),
            region: None,
        });
    }
    let root = bucket_dir(sandbox_dir);
    write_bucket(world, &root).map_err(|e| io_error(&root, e))?;
    let folder = root.join(archive.prefix.trim_start_matches('/'));
    if !folder.exists() {
        // An empty prefix listing: S3 answers with no objects, not an error.
        return Ok(engine::Tally::default().finish(engine::TopN::new(query.latest.max(1))));
    }
    let mut outcome =
        engine::search_local(&folder, query, engine::cores()).map_err(|e| io_error(&folder, e))?;
    // What walking these folders with a `/` delimiter costs in S3: one LIST per folder.
    outcome.list_requests = count_folders(&folder);
    Ok(outcome)
}

fn io_error(path: &Path, err: std::io::Error) -> CloudError {
    CloudError::new(
        CloudErrorKind::Other,
        "s3:GetObject",
        format!("the simulated bucket at {}: {err}", path.display()),
    )
}

/// Writes every log file of the account's trail (the same bytes every time for the same world).
fn write_bucket(world: &World, root: &Path) -> std::io::Result<()> {
    for (key, body) in log_files(world) {
        let path = root.join(&key);
        if path.exists() {
            continue;
        }
        crate::atomic_file::write_atomically(&path, &body)?;
    }
    Ok(())
}

/// `(key, gzipped body)` of every log file, one per Region and hour.
pub fn log_files(world: &World) -> Vec<(String, Vec<u8>)> {
    let account = &world.account;
    let mut files: BTreeMap<String, Vec<serde_json::Value>> = BTreeMap::new();
    for event in events::archive(world) {
        let t = event.event_time;
        let region = &event.region;
        // CloudTrail delivers about every five minutes; one file per hour is enough here.
        let stamp = format!(
            "{:04}{:02}{:02}T{:02}00Z",
            t.year(),
            t.month(),
            t.day(),
            t.hour()
        );
        let id = &events::token(world.seed, &format!("file-{region}-{stamp}"), 16);
        let key = format!(
            "AWSLogs/{account}/CloudTrail/{region}/{:04}/{:02}/{:02}/{account}_CloudTrail_{region}_{stamp}_{id}.json.gz",
            t.year(),
            t.month(),
            t.day()
        );
        let record = serde_json::from_str(&event.record).unwrap_or(serde_json::Value::Null);
        files.entry(key).or_default().push(record);
    }
    files
        .into_iter()
        .map(|(key, mut records)| {
            // Oldest first within a file, as CloudTrail writes them.
            records.reverse();
            let json = serde_json::json!({ "Records": records }).to_string();
            let mut gz = GzEncoder::new(Vec::new(), Compression::default());
            gz.write_all(json.as_bytes()).expect("writing to memory");
            (key, gz.finish().expect("writing to memory"))
        })
        .collect()
}

fn count_folders(dir: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    1 + entries
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .map(|e| count_folders(&e.path()))
        .sum::<u64>()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trail::record::Record;
    use std::io::Read;

    fn world(away_days: u32) -> World {
        let mut w = World::new(
            6,
            "2026-11-21T01:00:00Z".parse().unwrap(),
            "student",
            "ap-northeast-1",
        );
        w.away_days = away_days;
        w
    }

    #[test]
    fn files_are_laid_out_as_cloudtrail_lays_them_out_and_hold_records() {
        let w = world(0);
        let files = log_files(&w);
        assert!(files.len() > 50, "{}", files.len());
        let pattern = regex::Regex::new(
            r"^AWSLogs/\d{12}/CloudTrail/[a-z]{2}-[a-z]+-\d/\d{4}/\d{2}/\d{2}/\d{12}_CloudTrail_[a-z]{2}-[a-z]+-\d_\d{8}T\d{4}Z_[A-Z2-7]{16}\.json\.gz$",
        )
        .unwrap();
        let mut records = 0;
        for (key, body) in &files {
            assert!(pattern.is_match(key), "{key}");
            let mut text = String::new();
            flate2::read::GzDecoder::new(&body[..])
                .read_to_string(&mut text)
                .unwrap();
            let value: serde_json::Value = serde_json::from_str(&text).unwrap();
            for record in value["Records"].as_array().unwrap() {
                let record = Record(record.clone());
                // Each file holds its own Region's events.
                assert!(key.contains(&format!("/{}/", record.show("awsRegion"))));
                records += 1;
            }
        }
        assert_eq!(records, events::archive(&w).len());
        // The archive reaches further back than event history.
        assert!(events::archive(&w).len() > events::history(&w).len());
    }

    #[test]
    fn a_student_away_for_four_months_is_only_in_the_bucket() {
        let w = world(120);
        let dir = tempfile::tempdir().unwrap();
        let query = Query {
            user: Some("student".into()),
            latest: 5,
            ..Query::default()
        };
        let recent: Vec<_> = events::history(&w)
            .into_iter()
            .filter(|e| e.username.as_deref() == Some("student"))
            .collect();
        assert!(recent.is_empty(), "{recent:?}");
        let outcome = search(&w, dir.path(), &trail(), &query).unwrap();
        assert_eq!(outcome.hits.len(), 5, "{outcome:?}");
        let newest = outcome.hits[0].time.unwrap();
        let age = w.epoch - newest;
        assert!(age.num_days() >= 120 && age.num_days() < 130, "{age:?}");
        assert!(outcome.list_requests > 5);
    }

    #[test]
    fn another_bucket_does_not_exist() {
        let dir = tempfile::tempdir().unwrap();
        let mut other = trail();
        other.bucket = "my-trail-bucket".into();
        let err = search(&world(0), dir.path(), &other, &Query::default()).unwrap_err();
        assert_eq!(err.kind, CloudErrorKind::NotFound);
        assert!(
            err.message.contains("s3://lecture06-sandbox-trail"),
            "{err:?}"
        );
    }
}
