//! `lecture06 trail search` on the real archive (invictus-ir, 55 files, 2,900 events, unsorted
//! inside 33 files), with what real archives add: the same events delivered twice under the
//! neighbouring day's folder, damaged files, an empty `Records`. Every answer is checked against
//! one computed here independently: every file inflated with flate2 and parsed whole.

use crate::harness::{Ran, base_command, cloudtrail_testdata};
use flate2::read::GzDecoder;
use serde_json::Value;
use std::io::Read;
use std::path::PathBuf;

pub const DAY_DIR: &str = "AWSLogs/218007301253/CloudTrail/us-east-1/2023/07";

pub fn original_day() -> PathBuf {
    cloudtrail_testdata()
        .join("invictus-archive")
        .join(DAY_DIR)
        .join("10")
}

/// Every record of the real archive, parsed whole.
pub fn all_records() -> Vec<Value> {
    let mut records = Vec::new();
    for entry in std::fs::read_dir(original_day()).unwrap() {
        let path = entry.unwrap().path();
        let mut text = String::new();
        GzDecoder::new(std::fs::File::open(&path).unwrap())
            .read_to_string(&mut text)
            .unwrap();
        let file: Value = serde_json::from_str(&text).unwrap();
        records.extend(file["Records"].as_array().unwrap().iter().cloned());
    }
    records
}

/// The user a student means, computed here without the crate: `userName`, else the last part of
/// an assumed-role or federated-user ARN, else `root` for the root ARN.
fn user_of(record: &Value) -> Option<String> {
    let identity = &record["userIdentity"];
    if let Some(name) = identity["userName"].as_str() {
        return Some(name.to_string());
    }
    let arn = identity["arn"].as_str()?;
    if arn.contains(":assumed-role/") || arn.contains(":federated-user/") {
        return arn.rsplit('/').next().map(str::to_string);
    }
    arn.ends_with(":root").then(|| "root".to_string())
}

/// The expected answer: filter, dedupe on eventID, newest first (ties by eventID, descending).
fn expected(
    records: &[Value],
    user: Option<&str>,
    event: Option<&str>,
    since: Option<&str>,
    latest: usize,
) -> Vec<String> {
    let mut seen = std::collections::BTreeMap::new();
    for record in records {
        if user.is_some_and(|u| user_of(record).as_deref() != Some(u)) {
            continue;
        }
        if event.is_some_and(|e| record["eventName"].as_str() != Some(e)) {
            continue;
        }
        let time = record["eventTime"].as_str().unwrap().to_string();
        if since.is_some_and(|s| time.as_str() < s) {
            continue;
        }
        let id = record["eventID"].as_str().unwrap().to_string();
        seen.insert((time, id.clone()), id);
    }
    seen.into_values().rev().take(latest).collect()
}

pub fn ids_of(ran: &Ran) -> Vec<String> {
    ran.stdout
        .lines()
        .map(|line| {
            let record: Value = serde_json::from_str(line).expect("each line is a record");
            record["eventID"].as_str().unwrap().to_string()
        })
        .collect()
}

fn search(args: &[&str]) -> Ran {
    let mut cmd = base_command();
    cmd.arg("--dir")
        .arg(std::env::temp_dir())
        .arg("trail")
        .arg("search");
    cmd.args(args).output().expect("runs").into()
}

/// A copy of the archive plus what real archives add.
struct Archive {
    dir: tempfile::TempDir,
}

impl Archive {
    fn root(&self) -> &str {
        self.dir.path().to_str().unwrap()
    }

    fn new() -> Archive {
        let dir = tempfile::tempdir().unwrap();
        let day10 = dir.path().join(DAY_DIR).join("10");
        let day11 = dir.path().join(DAY_DIR).join("11");
        std::fs::create_dir_all(&day10).unwrap();
        std::fs::create_dir_all(&day11).unwrap();
        let mut names: Vec<PathBuf> = std::fs::read_dir(original_day())
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        names.sort();
        for path in &names {
            std::fs::copy(path, day10.join(path.file_name().unwrap())).unwrap();
        }
        // Three files delivered again, under the next day's folder and another name.
        for (i, path) in names.iter().take(3).enumerate() {
            std::fs::copy(
                path,
                day11.join(format!(
                    "218007301253_CloudTrail_us-east-1_20230711T000{i}Z_again.json.gz"
                )),
            )
            .unwrap();
        }
        Archive { dir }
    }

    fn add_damage(&self) {
        let day11 = self.dir.path().join(DAY_DIR).join("11");
        let good = std::fs::read(
            std::fs::read_dir(original_day())
                .unwrap()
                .next()
                .unwrap()
                .unwrap()
                .path(),
        )
        .unwrap();
        std::fs::write(day11.join("truncated.json.gz"), &good[..good.len() / 2]).unwrap();
        std::fs::write(
            day11.join("invalid.json"),
            r#"{"Records":[{"eventID":"x","eventName":"Stop"#,
        )
        .unwrap();
        std::fs::write(day11.join("not-json.json"), "<html>AccessDenied</html>").unwrap();
        std::fs::write(day11.join("empty-records.json"), r#"{"Records":[]}"#).unwrap();
        std::fs::write(day11.join("zero-bytes.json.gz"), "").unwrap();
    }
}

fn summary_number(stderr: &str, after: &str) -> usize {
    // "…; 3 skipped by date, 0 not needed for --latest; …": the number before `after`.
    let at = stderr
        .find(after)
        .unwrap_or_else(|| panic!("{after:?} in {stderr}"));
    stderr[..at]
        .trim_end()
        .rsplit(|c: char| !c.is_ascii_digit())
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

#[test]
fn finds_every_event_once_newest_first_despite_duplicates_and_unsorted_files() {
    let archive = Archive::new();
    let records = all_records();
    assert_eq!(records.len(), 2900);
    let ran = search(&["--path", archive.root(), "--json", "--latest", "100000"]);
    ran.success();
    let ids = ids_of(&ran);
    assert_eq!(ids, expected(&records, None, None, None, 100000));
    assert_eq!(ids.len(), 2900, "duplicates delivered twice are shown once");
    assert!(ran.stderr.contains("Read 58 file(s)"), "{}", ran.stderr);
}

#[test]
fn filters_by_user_and_event_like_a_full_parse() {
    let archive = Archive::new();
    let records = all_records();
    // An IAM user, an assumed role's session name, and an event name.
    for (user, event) in [
        (Some("benjamin"), None),
        (Some("bert-jan"), Some("DescribeEventAggregates")),
        (Some("SLRManagement"), None),
        (None, Some("DeleteNetworkInterface")),
        (Some("nobody-at-all"), None),
    ] {
        let mut args = vec!["--path", archive.root(), "--json", "--latest", "7"];
        if let Some(user) = user {
            args.extend(["--user", user]);
        }
        if let Some(event) = event {
            args.extend(["--event", event]);
        }
        let ran = search(&args);
        ran.success();
        let want = expected(&records, user, event, None, 7);
        assert_eq!(ids_of(&ran), want, "{user:?} {event:?}");
        if user == Some("nobody-at-all") {
            assert!(want.is_empty());
            assert!(
                ran.stderr.contains("0 record(s) parsed"),
                "the pre-filter parses nothing when the name occurs nowhere: {}",
                ran.stderr
            );
        } else {
            assert!(
                !want.is_empty(),
                "{user:?} {event:?} should match something"
            );
        }
    }
}

#[test]
fn table_shows_jst_and_utc() {
    let archive = Archive::new();
    let ran = search(&[
        "--path",
        archive.root(),
        "--user",
        "benjamin",
        "--latest",
        "1",
    ]);
    ran.success();
    assert!(
        ran.stdout.contains("JST") && ran.stdout.contains("UTC"),
        "{}",
        ran.stdout
    );
    assert!(ran.stdout.contains("benjamin"), "{}", ran.stdout);
}

#[test]
fn damaged_files_are_reported_by_name_and_the_rest_is_searched() {
    let archive = Archive::new();
    archive.add_damage();
    let ran = search(&["--path", archive.root(), "--json", "--latest", "100000"]);
    ran.success();
    assert_eq!(ids_of(&ran).len(), 2900);
    assert!(
        ran.stderr.contains("4 file(s) could not be read"),
        "{}",
        ran.stderr
    );
    for name in [
        "truncated.json.gz: damaged gzip",
        "invalid.json: invalid JSON",
        "not-json.json: not a CloudTrail log file: it is HTML or XML",
        "zero-bytes.json.gz: empty file",
    ] {
        assert!(ran.stderr.contains(name), "{name} in {}", ran.stderr);
    }
    assert!(!ran.stderr.contains("empty-records"), "{}", ran.stderr);
}

/// Issue 13: a truncated `.json.gz` whose last four bytes (the gzip trailer's size, in a whole
/// file) say gigabytes made the search reserve that much. Now it is named as damaged and the
/// other files are searched.
#[test]
fn a_truncated_gzip_claiming_gigabytes_is_named_and_the_rest_is_searched() {
    let archive = Archive::new();
    let good = std::fs::read(
        std::fs::read_dir(original_day())
            .unwrap()
            .next()
            .unwrap()
            .unwrap()
            .path(),
    )
    .unwrap();
    let cut = (good.len() / 2..good.len() - 8)
        .find(|&end| u32::from_le_bytes(good[end - 4..end].try_into().unwrap()) >= 3 << 30)
        .expect("a cut whose last four bytes claim at least 3 GiB");
    let day11 = archive.dir.path().join(DAY_DIR).join("11");
    std::fs::write(day11.join("cut-off.json.gz"), &good[..cut]).unwrap();
    let ran = search(&["--path", archive.root(), "--json", "--latest", "100000"]);
    ran.success();
    assert_eq!(ids_of(&ran).len(), 2900, "every other file is searched");
    assert!(
        ran.stderr.contains("1 file(s) could not be read"),
        "{}",
        ran.stderr
    );
    assert!(
        ran.stderr.contains("cut-off.json.gz: damaged gzip"),
        "{}",
        ran.stderr
    );
}

#[test]
fn day_folders_are_pruned_with_one_day_of_slack() {
    let archive = Archive::new();
    let records = all_records();
    // 2023-07-12 on: the 10th's folder (events up to the 11th) is not read, the 11th's is.
    let ran = search(&["--path", archive.root(), "--json", "--since", "2023-07-12"]);
    ran.success();
    assert_eq!(summary_number(&ran.stderr, "skipped by date"), 55);
    assert!(ids_of(&ran).is_empty());
    // From 12:00 UTC on the 10th: everything is read, the answer matches a full parse.
    let ran = search(&[
        "--path",
        archive.root(),
        "--json",
        "--since",
        "2023-07-10T21:00:00+09:00",
        "--latest",
        "100000",
    ]);
    ran.success();
    assert_eq!(summary_number(&ran.stderr, "skipped by date"), 0);
    let want = expected(&records, None, None, Some("2023-07-10T12:00:00Z"), 100000);
    assert!(!want.is_empty() && want.len() < 2900);
    assert_eq!(ids_of(&ran), want);
}

#[test]
fn latest_stops_before_reading_older_days() {
    let archive = Archive::new();
    // Two newer events ten days later.
    let later = archive.dir.path().join(DAY_DIR).join("20");
    std::fs::create_dir_all(&later).unwrap();
    std::fs::write(
        later.join("lookup-style.json"),
        r#"[{"eventTime":"2023-07-20T01:00:00Z","eventID":"late-1","eventName":"StopInstances","userIdentity":{"type":"IAMUser","userName":"benjamin"}},
            {"eventTime":"2023-07-20T02:00:00Z","eventID":"late-2","eventName":"StartInstances","userIdentity":{"type":"IAMUser","userName":"benjamin"}}]"#,
    )
    .unwrap();
    let ran = search(&[
        "--path",
        archive.root(),
        "--json",
        "--latest",
        "2",
        "--user",
        "benjamin",
    ]);
    ran.success();
    assert_eq!(ids_of(&ran), vec!["late-2", "late-1"]);
    // The workers may have started a file or two before the newest answer was in.
    assert!(
        summary_number(&ran.stderr, "not needed for --latest") >= 55,
        "{}",
        ran.stderr
    );
}

#[test]
fn reads_lookup_events_output_and_plain_arrays() {
    let data = cloudtrail_testdata().join("lookup-style");
    let ran = search(&[
        "--path",
        data.join("aws-cli-example-lookup-events.json")
            .to_str()
            .unwrap(),
        "--json",
        "--user",
        "my-session-name",
    ]);
    ran.success();
    assert_eq!(ids_of(&ran), vec!["654ccbc0-ba0d-486a-9076-dbf7274677a7"]);
    let ran = search(&[
        "--path",
        data.to_str().unwrap(),
        "--json",
        "--latest",
        "1000",
    ]);
    ran.success();
    assert!(!ran.stderr.contains("could not be read"), "{}", ran.stderr);
    assert!(ids_of(&ran).len() > 300, "{}", ran.stderr);
}

#[test]
fn bad_flags_are_usage_errors() {
    let ran = search(&["--path", "/nonexistent/x"]);
    assert_eq!(ran.code, 2, "{}", ran.all());
    let ran = search(&["--path", "/tmp", "--since", "yesterday"]);
    assert_eq!(ran.code, 2, "{}", ran.all());
    assert!(ran.stderr.contains("--since"), "{}", ran.stderr);
    let ran = search(&["--s3", "bucket-without-scheme"]);
    assert_eq!(ran.code, 2, "{}", ran.all());
    let ran = search(&["--user", "x"]);
    assert_eq!(ran.code, 2, "{}", ran.all());
}

/// Issue 13 item 9: an empty folder ended with "0 events" and no hint; `--path` with `--athena`
/// was silently ignored.
#[test]
fn an_empty_folder_says_where_log_files_are_and_athena_needs_s3() {
    let empty = tempfile::tempdir().unwrap();
    let ran = search(&["--path", empty.path().to_str().unwrap()]);
    ran.success();
    assert!(
        ran.stderr
            .contains("No CloudTrail log file was found there")
            && ran.stderr.contains("AWSLogs/<account>/CloudTrail/"),
        "{}",
        ran.stderr
    );
    let ran = search(&["--path", empty.path().to_str().unwrap(), "--athena"]);
    assert_eq!(ran.code, 2, "{}", ran.all());
    assert!(ran.stderr.contains("--s3"), "{}", ran.stderr);
}

/// Every file unreadable: the hint names the permission, not just "0 events".
#[test]
fn when_no_file_can_be_read_the_hint_names_the_permission() {
    let dir = tempfile::tempdir().unwrap();
    let day = dir
        .path()
        .join("AWSLogs/123456789012/CloudTrail/us-east-1/2023/07/10");
    std::fs::create_dir_all(&day).unwrap();
    for n in 0..3 {
        std::fs::write(day.join(format!("broken-{n}.json.gz")), b"not gzip at all").unwrap();
    }
    let ran = search(&["--path", dir.path().to_str().unwrap()]);
    ran.success();
    assert!(
        ran.stderr.contains("3 file(s) could not be read"),
        "{}",
        ran.stderr
    );
    assert!(ran.stderr.contains("s3:GetObject"), "{}", ran.stderr);
}

/// Runs a shell command (the test's own tools: `gzip`, `bzip2`, `zip`) and returns its stdout.
pub fn shell(script: &str) -> Vec<u8> {
    let out = std::process::Command::new("sh")
        .args(["-c", script])
        .output()
        .expect("sh runs");
    assert!(
        out.status.success(),
        "{script}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// Issue 22 item 2: a gzip bomb (1 GiB of zeros in a ~1 MB `.json.gz`, made by gzip itself) and
/// a `{"Records":[` file whose one record never ends (a 300 MB string) are streamed with a bound,
/// listed as skipped with the reason, and every other file's events are kept; bzip2 and zip data
/// named `.json.gz` are named as what they are. The real binary runs under `ulimit -v` 256 MiB of
/// address space (`harness::under_address_space_limit`): it used to unpack each bomb whole
/// (1 GB each) and die.
#[test]
fn gzip_bombs_and_other_formats_are_skipped_with_bounded_memory() {
    let archive = Archive::new();
    let day11 = archive.dir.path().join(DAY_DIR).join("11");
    let bomb = shell("head -c 1073741824 /dev/zero | gzip -9");
    assert!(bomb.len() < 2 << 20, "{} bytes", bomb.len());
    std::fs::write(day11.join("bomb.json.gz"), &bomb).unwrap();
    std::fs::write(day11.join("bomb-2.json.gz"), &bomb).unwrap();
    let endless = shell(
        r#"{ printf '{"Records":[{"eventVersion":"1.08","x":"'; head -c 300000000 /dev/zero | tr '\0' a; } | gzip -1"#,
    );
    std::fs::write(day11.join("endless-record.json.gz"), &endless).unwrap();
    let real = original_day()
        .read_dir()
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let real = real.to_str().unwrap();
    std::fs::write(
        day11.join("bzip2.json.gz"),
        shell(&format!("gzip -dc '{real}' | bzip2 -c")),
    )
    .unwrap();
    let zip_dir = tempfile::tempdir().unwrap();
    let zip = zip_dir.path().join("log.zip");
    shell(&format!(
        "gzip -dc '{real}' > '{0}/log.json' && cd '{0}' && zip -q '{1}' log.json",
        zip_dir.path().display(),
        zip.display()
    ));
    std::fs::copy(&zip, day11.join("zip.json.gz")).unwrap();

    let mut search = base_command();
    search
        .arg("--dir")
        .arg(std::env::temp_dir())
        .args(["trail", "search", "--path", archive.root(), "--json"])
        .args(["--latest", "100000"]);
    let ran: Ran = crate::harness::under_address_space_limit(&search, 262144)
        .output()
        .expect("runs")
        .into();
    ran.success();
    assert_eq!(ids_of(&ran).len(), 2900, "every other file is searched");
    assert!(
        ran.stderr.contains("5 file(s) could not be read"),
        "{}",
        ran.stderr
    );
    for name in [
        "bomb-2.json.gz: not a CloudTrail log file: neither gzip nor JSON",
        "bomb.json.gz: not a CloudTrail log file: neither gzip nor JSON (first bytes 00 00 00 00)",
        "endless-record.json.gz: damaged file: a record longer than 1 MiB",
        "bzip2.json.gz: not a CloudTrail log file: it is bzip2-compressed data",
        "zip.json.gz: not a CloudTrail log file: it is a zip archive",
    ] {
        assert!(ran.stderr.contains(name), "{name} in {}", ran.stderr);
    }
}
