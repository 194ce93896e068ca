//! The sandbox's trail bucket, end to end through the real binary: `--sandbox trail search --s3`
//! on `s3://lecture06-sandbox-trail`, and the CloudTrail step's archive fallback when event history
//! has nothing. The oracle is independent of the search engine: the bucket's files (plain gzip
//! JSON on disk) are read here with flate2 and serde_json.

use crate::harness::Workspace;
use flate2::read::GzDecoder;
use serde_json::Value;
use std::io::Read;
use std::path::Path;

/// Every record in the sandbox's bucket folder, read without lecture06.
fn bucket_records(ws: &Workspace) -> Vec<Value> {
    let root = ws
        .path()
        .join(".lecture06/sandbox/s3/lecture06-sandbox-trail");
    let mut records = Vec::new();
    let mut pending = vec![root];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else if path.to_string_lossy().ends_with(".json.gz") {
                records.extend(read_log_file(&path));
            }
        }
    }
    records
}

fn read_log_file(path: &Path) -> Vec<Value> {
    let mut text = String::new();
    GzDecoder::new(std::fs::File::open(path).unwrap())
        .read_to_string(&mut text)
        .unwrap();
    let file: Value = serde_json::from_str(&text).unwrap();
    file["Records"].as_array().unwrap().clone()
}

#[test]
fn trail_search_s3_reads_the_sandbox_bucket_without_credentials() {
    let ws = Workspace::new();
    let ran = ws
        .sandbox(&[
            "trail",
            "search",
            "--s3",
            "s3://lecture06-sandbox-trail",
            "--user",
            "student",
            "--latest",
            "3",
            "--json",
        ])
        // No AWS credentials at all: the sandbox must not reach for them.
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .env("AWS_CONFIG_FILE", "/nonexistent")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
        .output()
        .unwrap();
    let ran = crate::harness::Ran::from(ran);
    ran.success();
    let found: Vec<Value> = ran
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    // The oracle: the three newest of the student's records, by eventTime, from the files.
    let mut want: Vec<Value> = bucket_records(&ws)
        .into_iter()
        .filter(|r| r["userIdentity"]["userName"] == "student")
        .collect();
    want.sort_by(|a, b| {
        b["eventTime"]
            .as_str()
            .cmp(&a["eventTime"].as_str())
            .then_with(|| a["eventID"].as_str().cmp(&b["eventID"].as_str()))
    });
    assert!(want.len() > 100, "{}", want.len());
    let ids = |v: &[Value]| -> Vec<String> {
        v.iter()
            .map(|r| r["eventID"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(ids(&found), ids(&want[..3]));
    assert!(ran.stderr.contains("LIST request"), "{}", ran.stderr);
    assert!(ran.stderr.contains("3 event(s) found"), "{}", ran.stderr);
}

#[test]
fn trail_search_names_the_sandbox_bucket_when_another_is_given() {
    let ws = Workspace::new();
    let ran = ws.run_sandbox(&["trail", "search", "--s3", "s3://my-trail-bucket/"]);
    assert_eq!(ran.code, 1, "{}", ran.all());
    assert!(
        ran.all().contains("s3://lecture06-sandbox-trail"),
        "{}",
        ran.all()
    );
}

#[test]
fn athena_is_refused_in_the_sandbox_with_what_to_do() {
    let ws = Workspace::new();
    let ran = ws.run_sandbox(&[
        "trail",
        "search",
        "--s3",
        "s3://lecture06-sandbox-trail",
        "--athena",
    ]);
    assert_ne!(ran.code, 0, "{}", ran.all());
    assert!(ran.all().contains("without --athena"), "{}", ran.all());
    // Refused before anything was recorded: no Athena resource for `cleanup` to trip on.
    if ws.state_path().exists() {
        assert_eq!(ws.state()["resources"], serde_json::json!([]));
    }
    let cleanup = ws.run_sandbox(&["cleanup", "--yes"]);
    cleanup.success();
    assert!(!cleanup.all().contains("athena"), "{}", cleanup.all());
}

#[test]
fn cloudtrail_step_falls_back_to_the_bucket_when_history_is_empty() {
    let ws = Workspace::new();
    // Away for 120 days: event history (90 days) has none of the student's events.
    let answers = ws.write("answers.toml", "[sandbox]\naway_days = 120\n");
    let ran = ws.run_sandbox(&[
        "run",
        "--yes",
        "--until",
        "cloudtrail",
        "--answers",
        answers.to_str().unwrap(),
    ]);
    ran.success();
    assert!(ran.all().contains("last 90 days"), "{}", ran.all());
    assert!(
        ran.all().contains("s3://lecture06-sandbox-trail/AWSLogs/"),
        "{}",
        ran.all()
    );
    let state = ws.state();
    let evidence = &state["steps"]["cloudtrail"]["evidence"];
    let chosen_id = evidence["chosen"]["event_id"].as_str().unwrap();
    // The chosen event is the newest of the student's records in the bucket's files.
    let newest = bucket_records(&ws)
        .into_iter()
        .filter(|r| r["userIdentity"]["userName"] == "student")
        .max_by(|a, b| a["eventTime"].as_str().cmp(&b["eventTime"].as_str()))
        .unwrap();
    assert_eq!(chosen_id, newest["eventID"].as_str().unwrap());
    let time = chrono::DateTime::parse_from_rfc3339(newest["eventTime"].as_str().unwrap()).unwrap();
    let now = chrono::DateTime::parse_from_rfc3339(crate::harness::SANDBOX_NOW).unwrap();
    assert!((now - time).num_days() >= 120, "{time}");
    assert_eq!(ws.step_status("cloudtrail"), "done");
}

/// Issue 13 item 9: with `DescribeTrails` refused the archive fallback was skipped without a word.
#[test]
fn a_refused_describe_trails_is_said_not_skipped() {
    let ws = Workspace::new();
    let answers = ws.write(
        "answers.toml",
        "[sandbox]\naway_days = 120\ndescribe_trails = \"denied\"\n",
    );
    let ran = ws.run_sandbox(&[
        "run",
        "--yes",
        "--until",
        "cloudtrail",
        "--answers",
        answers.to_str().unwrap(),
    ]);
    // Nothing in 90 days and the bucket unknown: the step cannot finish, and says why.
    assert_eq!(ran.code, 1, "{}", ran.all());
    let all = ran.all();
    assert!(all.contains("cloudtrail:DescribeTrails"), "{all}");
    // Each command keeps the session's flags (`lecture06 --dir … --sandbox iam-policy`).
    assert!(all.contains("--sandbox iam-policy"), "{all}");
    assert!(all.contains("--sandbox trail search --s3"), "{all}");
}
