//! `trail search --athena` against moto over the wire: the bucket layout is discovered, the
//! database and table statements and the query run through Athena's lifecycle (start, poll,
//! results), and the rows come back as events. moto does not run SQL: it hands out results queued
//! through its moto-api, in the order queries start, so three are queued (two DDL, one SELECT).
//! The SQL text itself is checked in `athena_sql`'s unit tests.

use crate::harness::{moto_url, sdk_config};
use lecture06::aws::Aws;
use lecture06::aws::s3::client as s3_client;
use lecture06::aws::trail_athena::athena_search;
use lecture06::i18n::Lang;
use lecture06::trail::engine::Query;
use serde_json::json;

// A Region no other test uses, so the queue of canned results is ours alone.
const REGION: &str = "eu-south-2";

/// The rows moto hands out as `GetQueryResults`. AWS's only published examples of Athena's
/// answers are not valid JSON in their source (doc bugs, kept as `.INVALID-JSON.txt` in the shared
/// set), so the rows are built from the model's `ResultSet.Rows[].Data[].VarCharValue`, the
/// header row first, as Athena returns it for a SELECT.
fn queue_results(rows: Vec<Vec<&str>>) {
    queue_results_in(REGION, rows)
}

fn queue_results_in(region: &str, rows: Vec<Vec<&str>>) {
    let cell = |v: &str| json!({ "VarCharValue": v });
    let header = [
        "eventtime",
        "eventid",
        "eventname",
        "username",
        "arn",
        "sourceipaddress",
        "awsregion",
        "errorcode",
        "errormessage",
    ];
    let mut all = vec![json!({ "Data": header.iter().map(|h| cell(h)).collect::<Vec<_>>() })];
    all.extend(
        rows.iter()
            .map(|r| json!({ "Data": r.iter().map(|v| cell(v)).collect::<Vec<_>>() })),
    );
    let empty = json!({ "rows": [], "column_info": [] });
    let body = json!({
        "region": region,
        "results": [empty, empty, { "rows": all, "column_info": [] }],
    });
    let status = std::process::Command::new("curl")
        .args([
            "-sf",
            "-o",
            "/dev/null",
            "-w",
            "%{http_code}",
            "-X",
            "POST",
            "-H",
            "Content-Type: application/json",
        ])
        .arg("--data")
        .arg(body.to_string())
        .arg(format!(
            "{}/moto-api/static/athena/query-results",
            moto_url()
        ))
        .output()
        .expect("curl is installed");
    assert_eq!(String::from_utf8_lossy(&status.stdout), "201");
}

/// A new bucket named `<name>-<nanos>` in `region` (moto), for one test alone.
fn bucket_in(aws: &Aws, s3: &aws_sdk_s3::Client, name: &str, region: &str) -> String {
    let bucket = format!(
        "{name}-{}",
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    );
    aws.block_on(async {
        s3.create_bucket()
            .bucket(&bucket)
            .create_bucket_configuration(
                aws_sdk_s3::types::CreateBucketConfiguration::builder()
                    .location_constraint(aws_sdk_s3::types::BucketLocationConstraint::from(region))
                    .build(),
            )
            .send()
            .await
            .unwrap();
    });
    bucket
}

#[test]
fn athena_search_runs_ddl_and_query_and_reads_the_rows() {
    let config = sdk_config(REGION, Some(&moto_url()), None, "AKIAIOSFODNN7EXAMPLE");
    let aws = Aws::from_config(config).unwrap();
    let s3 = s3_client(&aws);
    let athena = aws_sdk_athena::Client::new(&aws.config);
    let bucket = bucket_in(&aws, &s3, "lecture06-athena", REGION);
    aws.block_on(async {
        for key in [
            "AWSLogs/123456789012/CloudTrail/ap-northeast-1/2023/07/10/a.json.gz",
            "AWSLogs/123456789012/CloudTrail/us-east-1/2023/07/10/b.json.gz",
            "AWSLogs/123456789012/CloudTrail-Digest/us-east-1/2023/07/10/d.json.gz",
        ] {
            s3.put_object()
                .bucket(&bucket)
                .key(key)
                .body(b"{}".to_vec().into())
                .send()
                .await
                .unwrap();
        }
    });
    queue_results(vec![
        vec![
            "2023-07-10T12:00:00Z",
            "id-2",
            "StopInstances",
            "taro",
            "arn:aws:iam::123456789012:user/taro",
            "203.0.113.5",
            "ap-northeast-1",
            "",
            "",
        ],
        vec![
            "2023-07-10T11:00:00Z",
            "id-1",
            "StopInstances",
            "taro",
            "arn:aws:iam::123456789012:user/taro",
            "203.0.113.5",
            "ap-northeast-1",
            "",
            "",
        ],
    ]);
    let query = Query {
        user: Some("taro".into()),
        event: Some("StopInstances".into()),
        latest: 10,
        ..Query::default()
    };
    let mut shown = Vec::new();
    let outcome = aws
        .block_on(athena_search(
            &athena,
            &s3,
            &bucket,
            "",
            &query,
            Lang::En,
            &mut |s| shown.push(s),
        ))
        .unwrap();
    let ids: Vec<&str> = outcome.hits.iter().map(|h| h.id.as_str()).collect();
    assert_eq!(ids, vec!["id-2", "id-1"]);
    assert_eq!(outcome.hits[0].record.user_name().as_deref(), Some("taro"));
    assert_eq!(outcome.statements.len(), 3);
    assert!(outcome.statements[1].contains(&format!(
        "LOCATION 's3://{bucket}/AWSLogs/123456789012/CloudTrail/'"
    )));
    assert!(
        outcome.statements[1].contains("'projection.region.values'='ap-northeast-1,us-east-1'"),
        "{}",
        outcome.statements[1]
    );
    assert!(outcome.statements[2].contains("eventname = 'StopInstances'"));
    // Shown before running: each statement, then its progress.
    let text = shown.join("\n");
    let ddl_at = text.find("CREATE EXTERNAL TABLE").unwrap();
    let select_at = text.find("SELECT eventtime").unwrap();
    assert!(ddl_at < select_at);
    assert!(text.contains("SUCCEEDED"), "{text}");
    assert!(text.contains("$5 per TB"), "{text}");
    // moto reports 0 bytes; the 10 MB minimum still costs something.
    assert!(outcome.cost_usd > 0.0);
    // The execution is real on moto's side.
    let execution = aws
        .block_on(
            athena
                .get_query_execution()
                .query_execution_id(&outcome.execution_id)
                .send(),
        )
        .unwrap();
    assert!(
        execution
            .query_execution()
            .unwrap()
            .query()
            .unwrap()
            .contains("ORDER BY eventtime DESC")
    );
}

/// Issue 13 item 5: what `trail search --athena` made (the table, the `lecture06` database, the
/// results under `lecture06-athena-results/`) is removed by `cleanup` — the drops run through
/// Athena in the bucket's Region and only the results prefix is emptied.
#[test]
fn cleanup_drops_the_table_and_database_and_empties_only_the_results() {
    // A Region of its own, so the query executions listed are this test's.
    const HERE: &str = "eu-north-1";
    let config = sdk_config(HERE, Some(&moto_url()), None, "AKIAIOSFODNN7EXAMPLE");
    let aws = Aws::from_config(config).unwrap();
    let s3 = s3_client(&aws);
    let bucket = bucket_in(&aws, &s3, "lecture06-athena-clean", HERE);
    let trail_key = "AWSLogs/123456789012/CloudTrail/eu-north-1/2023/07/10/a.json.gz";
    aws.block_on(async {
        for key in [
            trail_key,
            "lecture06-athena-results/1111.csv",
            "lecture06-athena-results/1111.csv.metadata",
            "lecture06-athena-results/2222.txt",
        ] {
            s3.put_object()
                .bucket(&bucket)
                .key(key)
                .body(b"x".to_vec().into())
                .send()
                .await
                .unwrap();
        }
    });
    let results = format!("s3://{bucket}/lecture06-athena-results/");
    let record = |kind: &str, id: &str| lecture06::state::Resource {
        kind: kind.into(),
        id: id.into(),
        region: HERE.into(),
        step: lecture06::step_id::StepId::Cloudtrail,
        created_at: chrono::Utc::now(),
    };
    let records = [
        record("athena-results", &results),
        record("athena-database", "lecture06"),
        record("athena-table", "lecture06.cloudtrail_123456789012"),
    ];
    let cloud = aws.clone().connect();
    let (kept, outcomes) =
        lecture06::commands::cleanup::delete_all(&cloud, &records, None, lecture06::i18n::Lang::En);
    assert!(kept.is_empty(), "{outcomes:?}");
    assert!(
        outcomes.iter().all(|o| matches!(o, Ok(None))),
        "{outcomes:?}"
    );

    // S3: the results are gone, the trail's own log file is not.
    let left: Vec<String> = aws.block_on(async {
        s3.list_objects_v2()
            .bucket(&bucket)
            .send()
            .await
            .unwrap()
            .contents()
            .iter()
            .filter_map(|o| o.key().map(str::to_string))
            .collect()
    });
    assert_eq!(left, [trail_key]);

    // Athena (moto records each execution): both drops ran, writing under the results prefix.
    let athena = aws_sdk_athena::Client::new(&aws.config);
    let queries: Vec<(String, String)> = aws.block_on(async {
        let ids = athena
            .list_query_executions()
            .send()
            .await
            .unwrap()
            .query_execution_ids()
            .to_vec();
        let mut out = Vec::new();
        for id in ids {
            let e = athena
                .get_query_execution()
                .query_execution_id(&id)
                .send()
                .await
                .unwrap();
            let e = e.query_execution().unwrap();
            out.push((
                e.query().unwrap_or_default().to_string(),
                e.result_configuration()
                    .and_then(|c| c.output_location())
                    .unwrap_or_default()
                    .to_string(),
            ));
        }
        out
    });
    for drop in [
        "DROP TABLE IF EXISTS lecture06.cloudtrail_123456789012",
        "DROP DATABASE IF EXISTS lecture06 CASCADE",
    ] {
        let found = queries.iter().find(|(q, _)| q == drop);
        let (_, output) = found.unwrap_or_else(|| panic!("{drop} not run: {queries:?}"));
        // Athena names the result file under the location it was given.
        assert!(output.starts_with(&results), "{output}");
    }
}

/// Issue 13 item 5, end to end through the binary: `trail search --athena` keeps its SQL under
/// the workspace's `.lecture06/` (with its `.gitignore`) and records what it made; `cleanup
/// --yes` then removes exactly that.
#[test]
fn the_athena_search_records_what_it_made_and_cleanup_removes_it() {
    const HERE: &str = "eu-west-3";
    let config = sdk_config(HERE, Some(&moto_url()), None, "AKIAIOSFODNN7EXAMPLE");
    let aws = Aws::from_config(config).unwrap();
    let s3 = s3_client(&aws);
    let bucket = bucket_in(&aws, &s3, "lecture06-athena-e2e", HERE);
    aws.block_on(async {
        s3.put_object()
            .bucket(&bucket)
            .key("AWSLogs/123456789012/CloudTrail/eu-west-3/2023/07/10/a.json.gz")
            .body(b"{}".to_vec().into())
            .send()
            .await
            .unwrap();
    });
    queue_results_in(
        HERE,
        vec![vec![
            "2023-07-10T12:00:00Z",
            "id-9",
            "StopInstances",
            "taro",
            "arn:aws:iam::123456789012:user/taro",
            "203.0.113.5",
            "eu-west-3",
            "",
            "",
        ]],
    );
    let ws = crate::harness::Workspace::new();
    let real = |args: &[&str]| -> crate::harness::Ran {
        crate::bad_input::real_command(&ws, &moto_url(), args)
            .output()
            .unwrap()
            .into()
    };
    let location = format!("s3://{bucket}/");
    let ran = real(&[
        "--region", HERE, "trail", "search", "--s3", &location, "--athena", "--user", "taro",
        "--json",
    ]);
    ran.success();
    assert!(ran.stdout.contains("id-9"), "{}", ran.all());
    let dir = ws.path().join(".lecture06");
    assert_eq!(
        std::fs::read_to_string(dir.join(".gitignore")).unwrap(),
        "*\n"
    );
    let sql: Vec<_> = std::fs::read_dir(dir.join("evidence/cloudtrail"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        sql.iter()
            .any(|n| n.starts_with("athena-") && n.ends_with(".sql")),
        "{sql:?}"
    );
    let mut recorded: Vec<(String, String, String)> = ws.state()["resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["kind"].as_str().unwrap().to_string(),
                r["id"].as_str().unwrap().to_string(),
                r["region"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    recorded.sort();
    assert_eq!(
        recorded,
        [
            ("athena-database".into(), "lecture06".into(), HERE.into()),
            (
                "athena-results".into(),
                format!("s3://{bucket}/lecture06-athena-results/"),
                HERE.into()
            ),
            (
                "athena-table".into(),
                "lecture06.cloudtrail_123456789012".into(),
                HERE.into()
            ),
        ]
    );
    real(&["--region", HERE, "cleanup", "--yes"]).success();
    assert_eq!(ws.state()["resources"], json!([]));
}
