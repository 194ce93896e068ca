//! `lecture06 trail search`: event history reaches back only 90 days, so a student whose last AWS
//! day is older (or whose trail records data events) searches the trail's log files instead — in
//! a folder, in S3, or, for archives too big to download, with Athena. The engine is shared; this
//! module turns flags into a `Query`, picks the source and prints what was found and what it cost.
//! S3 and Athena go through the same `App::connect` as `run`, so `--sandbox` searches the
//! simulated account's trail bucket.

use crate::app::App;
use crate::cli::TrailSearchArgs;
use crate::cloud::Cloud;
use crate::cloud::events::TrailArchive;
use crate::commands::cleanup::{ATHENA_DATABASE, ATHENA_RESULTS, ATHENA_TABLE};
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use crate::prompt::Answers;
use crate::state::{Mode, Resource, State};
use crate::step_id::StepId;
use crate::t;
use crate::trail::athena_sql;
use crate::trail::engine::{self, Hit, Outcome, Query};
use crate::trail::{megabytes, parse_bound, parse_s3_url, request_cost_usd, summary};

/// Runs `trail search`.
pub fn command(app: &App, args: &TrailSearchArgs) -> AppResult<()> {
    let lang = app.lang;
    let query = query_of(args, lang)?;
    if let Some(path) = &args.path {
        if args.athena {
            return Err(AppError::Usage(t!(
                lang,
                "--athena searches a trail's S3 bucket: give --s3 s3://BUCKET/PREFIX instead of --path.",
                "--athena は証跡の S3 バケットを検索します。--path ではなく --s3 s3://バケット/プレフィックス を指定してください。"
            )));
        }
        if !path.exists() {
            return Err(AppError::Usage(t!(
                lang,
                "--path {}: no such file or folder.",
                "--path {}: ファイルまたはフォルダーがありません。",
                path.display()
            )));
        }
        let outcome = engine::search_local(path, &query, engine::cores())?;
        print_outcome(&outcome, args.json, lang);
        return Ok(());
    }
    let location = args.s3.as_deref().unwrap_or_default();
    let (bucket, prefix) = parse_s3_url(location).ok_or_else(|| {
        AppError::Usage(t!(
            lang,
            "--s3 {location}: expected s3://BUCKET/PREFIX, e.g. s3://my-trail-bucket/AWSLogs/",
            "--s3 {location}: s3://バケット/プレフィックス の形で指定してください（例: s3://my-trail-bucket/AWSLogs/）"
        ))
    })?;
    let archive = TrailArchive {
        name: String::new(),
        bucket,
        prefix,
    };
    // The same account as `run`: the sandbox's under --sandbox, the credential chain's otherwise.
    // Athena's SQL is kept as evidence and the sandbox's account is a file of the workspace: both
    // are written under the workspace's lock, like everything else there.
    let mut workspace = app.workspace();
    if args.athena || app.mode == Mode::Sandbox {
        workspace.lock()?;
    }
    let state = app.load_state(&workspace)?;
    let cloud = app.connect(&workspace, &Answers::default())?;
    if args.athena {
        let state = state.unwrap_or_else(|| State::new(app.mode, cloud.clock.now()));
        return search_with_athena(app, &cloud, &workspace, state, &archive, &query, args.json);
    }
    let outcome = cloud.events.search_archive(&archive, &query)?;
    let gets = outcome.files_read as u64 + outcome.damaged.len() as u64;
    let lists = outcome.list_requests;
    let cost = request_cost_usd(lists, gets);
    let bytes = megabytes(outcome.bytes_read);
    say(&t!(
        lang,
        "S3: {lists} LIST request(s), {gets} object(s) read, {bytes} transferred (about ${cost:.4} in requests).",
        "S3: LIST リクエスト {lists} 回、{gets} 個のオブジェクト、{bytes} を読み込みました（リクエスト料金は約 ${cost:.4}）。"
    ));
    print_outcome(&outcome, args.json, lang);
    Ok(())
}

/// `--athena`: shows the SQL and progress as they come, prints the hits, keeps the SQL.
fn search_with_athena(
    app: &App,
    cloud: &Cloud,
    workspace: &crate::state::Workspace,
    mut state: State,
    archive: &TrailArchive,
    query: &Query,
    json: bool,
) -> AppResult<()> {
    let lang = app.lang;
    let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%SZ").to_string();
    // What the search makes is recorded before it is made (a crash cannot orphan it) and removed
    // by `cleanup`: the `lecture06` database and the results prefix; the table once it is named.
    // An account without Athena (the sandbox) refuses here, before anything is recorded.
    let region = cloud.events.archive_region(archive, lang)?;
    let results = athena_sql::results_location(&archive.bucket);
    record(
        &mut state,
        ATHENA_DATABASE,
        athena_sql::DATABASE,
        &region,
        cloud,
    );
    record(&mut state, ATHENA_RESULTS, &results, &region, cloud);
    workspace.save(&state)?;
    let outcome = cloud
        .events
        .search_archive_sql(archive, query, lang, &mut |text: String| say(&text))?;
    record(&mut state, ATHENA_TABLE, &outcome.table, &region, cloud);
    workspace.save(&state)?;
    let cost = outcome.cost_usd;
    let scanned = megabytes(outcome.scanned_bytes);
    let mut evidence = outcome.statements.join(";\n\n");
    evidence.push_str(&format!(
        ";\n\n-- execution {}: {scanned} scanned, ${cost:.6}\n",
        outcome.execution_id
    ));
    let path = workspace.write_evidence_file(
        StepId::Cloudtrail,
        &format!("athena-{stamp}.sql"),
        evidence.as_bytes(),
    )?;
    print_hits(&outcome.hits, json, lang);
    say(&t!(
        lang,
        "{} event(s) found. Athena scanned {scanned} (about ${cost:.4} at $5 per TB, 10 MB minimum). The SQL is kept in {}.",
        "{} 件のイベントが見つかりました。Athena のスキャン量は {scanned}（$5/TB・最低 10 MB で約 ${cost:.4}）です。SQL は {} に保存しました。",
        outcome.hits.len(),
        path.display()
    ));
    if outcome.hits.is_empty() && query.user.is_some() {
        return Err(AppError::Failed(t!(
            lang,
            "Nothing matched in Athena. Check the --user spelling (exact, case-sensitive) and the dates.",
            "Athena で一致するイベントはありませんでした。--user の綴り（大文字・小文字も一致が必要）と日付を確認してください。"
        )));
    }
    Ok(())
}

/// Records a resource lecture06 made for the search, once.
fn record(state: &mut State, kind: &str, id: &str, region: &str, cloud: &Cloud) {
    state.record(Resource {
        kind: kind.into(),
        id: id.into(),
        region: region.into(),
        step: StepId::Cloudtrail,
        created_at: cloud.clock.now(),
    });
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

/// One message on stderr, laid out for the terminal it is on.
fn say(text: &str) {
    eprintln!(
        "{}",
        crate::text_flow::fit(text, crate::text_flow::stderr_columns())
    );
}

/// The table (JST and UTC) or JSON lines on stdout; the summary and damaged files on stderr.
pub fn print_outcome(outcome: &Outcome, json: bool, lang: Lang) {
    print_hits(&outcome.hits, json, lang);
    say(&summary(outcome, lang));
    if !outcome.damaged.is_empty() {
        say(&t!(
            lang,
            "{} file(s) could not be read and were skipped:",
            "{} 個のファイルを読めなかったため飛ばしました：",
            outcome.damaged.len()
        ));
        for damaged in &outcome.damaged {
            say(&format!("  {}: {}", damaged.name, damaged.damage.say(lang)));
        }
    }
    if let Some(hint) = nothing_read_hint(outcome, lang) {
        say(&hint);
    }
}

/// Why a search that found nothing may have read nothing: no log file where it looked, or not one
/// it could read.
fn nothing_read_hint(outcome: &Outcome, lang: Lang) -> Option<String> {
    if !outcome.hits.is_empty() {
        return None;
    }
    if outcome.files_listed == 0 && outcome.files_read == 0 && outcome.damaged.is_empty() {
        return Some(t!(
            lang,
            "No CloudTrail log file was found there. A trail delivers to AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/*.json.gz: give the folder or prefix above AWSLogs/ (the trail's bucket and prefix are shown in the CloudTrail console under Trails).",
            "そこには CloudTrail のログファイルがありません。証跡は AWSLogs/<アカウント>/CloudTrail/<リージョン>/YYYY/MM/DD/*.json.gz に配信されます。AWSLogs/ の上のフォルダーかプレフィックスを指定してください（証跡のバケットとプレフィックスは CloudTrail コンソールの「証跡」に表示されます）。"
        ));
    }
    // Local files count as read even when damaged; S3 objects that could not be fetched do not.
    if !outcome.damaged.is_empty() && outcome.damaged.len() >= outcome.files_read {
        return Some(t!(
            lang,
            "Not one file could be read. In S3 that is usually a missing s3:GetObject permission on the bucket (or kms:Decrypt when the trail encrypts its logs with KMS): `lecture06 iam-policy` lists what lecture06 needs.",
            "読めたファイルが 1 つもありません。S3 の場合は多くがバケットへの s3:GetObject 権限の不足です（証跡が KMS で暗号化している場合は kms:Decrypt も必要）。lecture06 に必要な権限は `lecture06 iam-policy` で確認できます。"
        ));
    }
    None
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
