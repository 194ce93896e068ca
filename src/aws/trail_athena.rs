//! `trail search --athena`: for archives too big to read from one machine (an organization
//! trail, years of logs). Finds the account and Regions under the bucket (a few LIST calls),
//! creates or reuses the CloudTrail table with partition projection, runs the search as SQL,
//! polls, reads the results and returns them with the data scanned and its cost. What the
//! student should see (the SQL before it runs, each state change) goes to a callback; the command
//! prints it and keeps the SQL as evidence.

use super::classify;
use crate::cloud::events::SqlSearch;
use crate::cloud::{CloudError, CloudErrorKind};
use crate::i18n::Lang;
use crate::t;
use crate::trail::athena_sql::{self, DATABASE, TableSpec};
use crate::trail::engine::{Hit, Query};
use crate::trail::record::Record;
use aws_sdk_athena::types::{QueryExecutionContext, QueryExecutionState, ResultConfiguration};
use serde_json::json;
use std::time::Duration;

/// `AWSLogs/<account>/CloudTrail/` prefixes and their Region folders, found by walking at most
/// five folder levels below `prefix`.
pub async fn discover(
    s3: &aws_sdk_s3::Client,
    bucket: &str,
    prefix: &str,
) -> Result<Vec<(String, Vec<String>)>, CloudError> {
    let mut found = Vec::new();
    let mut pending = vec![(prefix.to_string(), 0)];
    while let Some((folder, depth)) = pending.pop() {
        let children = list_folders(s3, bucket, &folder).await?;
        if folder.ends_with("/CloudTrail/") {
            let regions = children
                .iter()
                .filter_map(|c| c.trim_end_matches('/').rsplit('/').next())
                .map(str::to_string)
                .collect();
            found.push((folder.trim_end_matches('/').to_string(), regions));
            continue;
        }
        if depth >= 5 {
            continue;
        }
        for child in children {
            let last = child.trim_end_matches('/').rsplit('/').next().unwrap_or("");
            if last.starts_with("CloudTrail-")
                || last.chars().all(|c| c.is_ascii_digit()) && last.len() == 4
            {
                continue;
            }
            pending.push((child, depth + 1));
        }
    }
    found.sort();
    Ok(found)
}

async fn list_folders(
    s3: &aws_sdk_s3::Client,
    bucket: &str,
    folder: &str,
) -> Result<Vec<String>, CloudError> {
    let mut out = Vec::new();
    let mut token = None;
    loop {
        let page = s3
            .list_objects_v2()
            .bucket(bucket)
            .prefix(folder)
            .delimiter("/")
            .set_continuation_token(token.take())
            .send()
            .await
            .map_err(|e| classify(e, "s3:ListBucket"))?;
        out.extend(
            page.common_prefixes()
                .iter()
                .filter_map(|p| p.prefix().map(str::to_string)),
        );
        match page.next_continuation_token() {
            Some(next) if page.is_truncated() == Some(true) => token = Some(next.to_string()),
            _ => return Ok(out),
        }
    }
}

/// The whole lifecycle; `show` receives what the student should see (SQL, progress).
pub async fn athena_search(
    athena: &aws_sdk_athena::Client,
    s3: &aws_sdk_s3::Client,
    bucket: &str,
    prefix: &str,
    query: &Query,
    lang: Lang,
    show: &mut dyn FnMut(String),
) -> Result<SqlSearch, CloudError> {
    let trails = discover(s3, bucket, prefix).await?;
    let Some((location, regions)) = trails.first().cloned() else {
        return Err(CloudError {
            kind: CloudErrorKind::NotFound,
            action: "s3:ListBucket".into(),
            code: None,
            message: t!(
                lang,
                "no AWSLogs/<account>/CloudTrail/ folder under s3://{bucket}/{prefix}",
                "s3://{bucket}/{prefix} の下に AWSLogs/<アカウント>/CloudTrail/ フォルダーがありません"
            ),
            region: None,
        });
    };
    if trails.len() > 1 {
        show(t!(
            lang,
            "{} accounts log into this bucket; searching the first: {location}",
            "このバケットには {} 個のアカウントのログがあります。最初のものを検索します: {location}",
            trails.len()
        ));
    }
    let account = location
        .trim_end_matches("/CloudTrail")
        .rsplit('/')
        .next()
        .unwrap_or("trail")
        .to_string();
    let spec = TableSpec {
        database: DATABASE.into(),
        table: athena_sql::table_name(&account),
        location: format!("s3://{bucket}/{location}"),
        regions,
    };
    let output = athena_sql::results_location(bucket);
    let statements = vec![
        athena_sql::create_database(DATABASE),
        athena_sql::create_table(&spec),
        athena_sql::select(&spec, query),
    ];
    show(t!(
        lang,
        "Athena charges $5 per TB scanned (10 MB minimum per query); results go to {output}",
        "Athena の料金はスキャン 1 TB あたり $5（1 クエリ最低 10 MB）です。結果は {output} に保存されます"
    ));
    let mut scanned = 0u64;
    let mut last_id = String::new();
    for sql in &statements {
        show(format!("\n{sql};\n"));
        let (id, bytes) = run_statement(athena, sql, &output, lang, show).await?;
        scanned += bytes;
        last_id = id;
    }
    let hits = read_results(athena, &last_id).await?;
    Ok(SqlSearch {
        hits,
        statements,
        scanned_bytes: scanned,
        cost_usd: athena_sql::cost_usd(scanned),
        execution_id: last_id,
        table: format!("{}.{}", spec.database, spec.table),
    })
}

/// One DDL statement (a `cleanup` drop), run to its end; its result goes under `output`.
pub async fn run_ddl(
    athena: &aws_sdk_athena::Client,
    sql: &str,
    output: &str,
    lang: Lang,
) -> Result<(), CloudError> {
    run_statement(athena, sql, output, lang, &mut |_| {})
        .await
        .map(|_| ())
}

/// Starts one statement and polls it to its end, showing each change of state.
async fn run_statement(
    athena: &aws_sdk_athena::Client,
    sql: &str,
    output: &str,
    lang: Lang,
    show: &mut dyn FnMut(String),
) -> Result<(String, u64), CloudError> {
    let started = athena
        .start_query_execution()
        .query_string(sql)
        .query_execution_context(QueryExecutionContext::builder().database(DATABASE).build())
        .result_configuration(
            ResultConfiguration::builder()
                .output_location(output)
                .build(),
        )
        .send()
        .await
        .map_err(|e| classify(e, "athena:StartQueryExecution"))?;
    let id = started.query_execution_id().unwrap_or_default().to_string();
    let mut wait = Duration::from_millis(500);
    let mut last_state = None;
    loop {
        let out = athena
            .get_query_execution()
            .query_execution_id(&id)
            .send()
            .await
            .map_err(|e| classify(e, "athena:GetQueryExecution"))?;
        let execution = out.query_execution();
        let status = execution.and_then(|e| e.status());
        let state = status.and_then(|s| s.state()).cloned();
        let scanned = execution
            .and_then(|e| e.statistics())
            .and_then(|s| s.data_scanned_in_bytes())
            .unwrap_or(0)
            .max(0) as u64;
        if state != last_state {
            let name = state
                .as_ref()
                .map(|s| s.as_str().to_string())
                .unwrap_or_default();
            show(format!(
                "  {id}: {name}, {} {}",
                crate::trail::megabytes(scanned),
                lang.pick("scanned", "スキャン済み")
            ));
            last_state = state.clone();
        }
        match state {
            Some(QueryExecutionState::Succeeded) => return Ok((id, scanned)),
            Some(QueryExecutionState::Failed) | Some(QueryExecutionState::Cancelled) => {
                let reason = status
                    .and_then(|s| s.state_change_reason())
                    .unwrap_or("no reason given")
                    .to_string();
                return Err(CloudError {
                    kind: CloudErrorKind::Other,
                    action: "athena:StartQueryExecution".into(),
                    code: None,
                    message: reason,
                    region: None,
                });
            }
            _ => {
                tokio::time::sleep(wait).await;
                wait = (wait * 2).min(Duration::from_secs(5));
            }
        }
    }
}

/// The rows of a finished query (the first row is the header), as records.
async fn read_results(athena: &aws_sdk_athena::Client, id: &str) -> Result<Vec<Hit>, CloudError> {
    let mut hits = Vec::new();
    let mut token = None;
    let mut first = true;
    loop {
        let page = athena
            .get_query_results()
            .query_execution_id(id)
            .set_next_token(token.take())
            .send()
            .await
            .map_err(|e| classify(e, "athena:GetQueryResults"))?;
        let rows = page.result_set().map(|r| r.rows()).unwrap_or_default();
        for row in rows {
            let cells: Vec<Option<&str>> = row.data().iter().map(|d| d.var_char_value()).collect();
            if std::mem::take(&mut first) && cells.first() == Some(&Some("eventtime")) {
                continue;
            }
            let cell = |i: usize| cells.get(i).copied().flatten();
            let record = Record(json!({
                "eventTime": cell(0),
                "eventID": cell(1),
                "eventName": cell(2),
                "userIdentity": { "userName": cell(3), "arn": cell(4) },
                "sourceIPAddress": cell(5),
                "awsRegion": cell(6),
                "errorCode": cell(7),
                "errorMessage": cell(8),
            }));
            hits.push(Hit {
                time: record.event_time(),
                id: cell(1).unwrap_or_default().to_string(),
                record,
            });
        }
        match page.next_token() {
            Some(next) => token = Some(next.to_string()),
            None => return Ok(hits),
        }
    }
}
