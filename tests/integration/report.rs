//! `lecture06 report`: the submission from a sandbox run (snapshots in both languages, and of a
//! half-finished checklist), masking of every real CloudTrail record we have, the chart path, and
//! `report --check` catching what GitHub or a reviewer would stumble on.

use crate::harness::Workspace;
use chrono::{DateTime, Duration, Utc};
use lecture06::i18n::Lang;
use lecture06::report::chart::{Mark, StateBand, TimelineChart};
use lecture06::report::{self, RenderOptions};
use lecture06::state::{Mode, State, StepStatus};
use lecture06::step_id::StepId;
use lecture06::steps::{Facts, Reading};
use regex::Regex;
use serde_json::{Value, json};
use std::io::Read;
use std::path::{Path, PathBuf};

const LEARNINGS: &str = r#"[learnings]
learned = """
CloudTrail のイベント履歴は直近 90 日分で、リージョンごとに見える
- コンソールへのサインインは us-east-1 に記録される
"""
unclear = ["アラームが OK に戻るまで数分かかるのはなぜか", "contact: taro@example.com from 203.0.113.9"]

[remarks]
alarm = "確認メールが taro@example.com の迷惑メールフォルダーに入っていた"
transitions = """
コンソールのリージョンがいつの間にか変わっていた
停止してから ALARM まで思ったより長かった
"""
"#;

fn report_of(ws: &Workspace, lang: &str) -> String {
    ws.run_sandbox(&["--lang", lang, "report"]).success();
    std::fs::read_to_string(ws.path().join("lecture06.md")).expect("lecture06.md written")
}

/// The sandbox run as far as this version goes, with learnings, then the report.
pub(crate) fn full_run(lang: &str) -> (Workspace, String) {
    let ws = Workspace::new();
    let answers = ws.write("answers.toml", LEARNINGS);
    ws.run_sandbox(&[
        "--lang",
        lang,
        "run",
        "--yes",
        "--answers",
        answers.to_str().unwrap(),
    ])
    .success();
    let text = report_of(&ws, lang);
    (ws, text)
}

fn assert_publishable(ws: &Workspace, text: &str) {
    let workspace = ws.path().to_string_lossy();
    assert!(
        !text.contains(workspace.as_ref()),
        "no workspace path in the report"
    );
    assert!(
        lecture06::mask::findings(text).is_empty(),
        "{:?}",
        lecture06::mask::findings(text)
    );
    let ran = ws.run_sandbox(&["report", "--check"]);
    assert_eq!(
        ran.code,
        0,
        "the report passes its own check:\n{}",
        ran.all()
    );
}

#[test]
fn full_sandbox_report_ja() {
    let (ws, text) = full_run("ja");
    assert!(text.contains("- [x] 最後に AWS を利用した日の記録"));
    assert!(text.contains("- CloudTrail のイベント履歴は直近 90 日分"));
    assert!(
        text.contains("EMAIL-MASKED from x.x.x.x"),
        "learnings are masked too"
    );
    assert_publishable(&ws, &text);
    insta::assert_snapshot!("report_full_ja", text);
}

#[test]
fn full_sandbox_report_en() {
    let (ws, text) = full_run("en");
    assert!(text.contains("- [x] Find the record of the last day you used AWS"));
    assert_publishable(&ws, &text);
    insta::assert_snapshot!("report_full_en", text);
}

#[test]
fn half_finished_checklist_report() {
    let ws = Workspace::new();
    ws.run_sandbox(&["--lang", "ja", "run", "--yes", "--until", "cloudtrail"])
        .success();
    let text = report_of(&ws, "ja");
    let open_items = text.lines().filter(|l| l.starts_with("- [ ] ")).count();
    assert_eq!(open_items, 4, "{text}");
    assert!(text.contains("*まだ書いていません"), "no learnings yet");
    assert_publishable(&ws, &text);
    insta::assert_snapshot!("report_half_finished_ja", text);
}

#[test]
fn report_before_any_run_says_what_to_do() {
    let ws = Workspace::new();
    let ran = ws.run_sandbox(&["report"]);
    assert_eq!(ran.code, 1);
    // The command keeps the session's flags: the student is sent to this sandbox workspace.
    assert!(ran.all().contains("--sandbox run`"), "{}", ran.all());
}

#[test]
fn check_catches_broken_links_placeholders_and_account_ids() {
    let (ws, clean) = full_run("en");
    let path = ws.path().join("lecture06.md");
    let check = |extra: &str| {
        std::fs::write(&path, format!("{clean}{extra}")).unwrap();
        ws.run_sandbox(&["report", "--check"])
    };

    let ran = check("\n![timeline](lecture06-assets/missing.svg)\n");
    assert_eq!(ran.code, 1, "{}", ran.all());
    assert!(
        ran.all().contains("lecture06-assets/missing.svg") && ran.all().contains("does not exist"),
        "{}",
        ran.all()
    );

    let ran = check("\n## 6. {{ steps.extra.title }}\n");
    assert_eq!(ran.code, 1, "{}", ran.all());
    assert!(ran.all().contains("placeholder"), "{}", ran.all());

    let ran = check("\nrole: arn:aws:iam::556312345678:role/x\n");
    assert_eq!(ran.code, 1, "{}", ran.all());
    assert!(
        ran.all().contains("account ID (556312345678)"),
        "{}",
        ran.all()
    );

    let ran = check("");
    assert_eq!(ran.code, 0, "{}", ran.all());
}

#[test]
fn check_without_a_report_names_the_command() {
    let ws = Workspace::new();
    let ran = ws.run_sandbox(&["report", "--check"]);
    assert_eq!(ran.code, 1);
    assert!(ran.all().contains("--sandbox report`"), "{}", ran.all());
}

#[test]
fn own_template_includes_the_built_in_sections() {
    let (ws, _) = full_run("en");
    let template = ws.write(
        "mine.md",
        "# My lecture 6\n\nDone: {{ done_count }}/{{ total }}\n\n{% include \"cloudtrail.md\" %}\n",
    );
    let out = ws.path().join("out/submission.md");
    std::fs::create_dir_all(out.parent().unwrap()).unwrap();
    ws.run_sandbox(&[
        "report",
        "--template",
        template.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ])
    .success();
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(text.starts_with("# My lecture 6\n\nDone: 5/5"), "{text}");
    assert!(
        text.contains("StopInstances") && text.contains("5563xxxxxxxx"),
        "{text}"
    );

    let broken = ws.write("broken.md", "{% if %}\n");
    let ran = ws.run_sandbox(&["report", "--template", broken.to_str().unwrap()]);
    assert_eq!(ran.code, 2, "{}", ran.all());
    assert!(ran.all().contains("--template"), "{}", ran.all());
}

#[test]
fn no_mask_warns_and_writes_the_real_values() {
    let (ws, masked) = full_run("en");
    assert!(masked.contains("5563xxxxxxxx"));
    let ran = ws.run_sandbox(&["report", "--no-mask"]);
    ran.success();
    assert!(ran.all().contains("Do not publish"), "{}", ran.all());
    let text = std::fs::read_to_string(ws.path().join("lecture06.md")).unwrap();
    assert!(!text.contains("5563xxxxxxxx"));
    assert!(
        lecture06::mask::findings(&text)
            .iter()
            .any(|(kind, _)| *kind == "account ID")
    );
}

#[test]
fn html_preview_is_written() {
    let (ws, _) = full_run("ja");
    ws.run_sandbox(&["--lang", "ja", "report", "--html"])
        .success();
    let html = std::fs::read_to_string(ws.path().join("lecture06.html")).unwrap();
    assert!(
        html.contains("<html lang=\"ja\">") && html.contains("<table>"),
        "{html}"
    );
    assert!(html.contains("type=\"checkbox\""));
    assert!(lecture06::mask::findings(&html).is_empty());
}

// --- The chart path, with a hand-made timeline (the transitions step provides the real one).

fn at(text: &str) -> DateTime<Utc> {
    text.parse().unwrap()
}

fn timeline() -> TimelineChart {
    let start = at("2026-11-21T01:00:00Z");
    let m = |minutes: i64| start + Duration::minutes(minutes);
    TimelineChart {
        title: "lecture06-alb-unhealthy (arn:aws:cloudwatch:ap-northeast-1:556312345678:alarm:x)"
            .into(),
        series_label: "HealthyHostCount".into(),
        points: (0..=20)
            .map(|i| (m(i), if (3..12).contains(&i) { 0.0 } else { 1.0 }))
            .collect(),
        bands: vec![
            StateBand {
                from: m(0),
                to: m(6),
                state: "OK".into(),
            },
            StateBand {
                from: m(6),
                to: m(15),
                state: "ALARM".into(),
            },
            StateBand {
                from: m(15),
                to: m(20),
                state: "OK".into(),
            },
        ],
        marks: vec![
            Mark {
                at: m(3),
                label: "Unicorn stopped (10.0.1.23)".into(),
            },
            Mark {
                at: m(7),
                label: "ALARM mail to taro@example.com".into(),
            },
            Mark {
                at: m(12),
                label: "Unicorn started".into(),
            },
            Mark {
                at: m(16),
                label: "OK mail".into(),
            },
        ],
    }
}

#[test]
fn a_steps_chart_becomes_a_linked_masked_svg() {
    let mut state = State::new(Mode::Sandbox, at("2026-11-21T01:00:00Z"));
    let entry = state.steps.entry(StepId::Transitions).or_default();
    entry.status = StepStatus::Done;
    entry.evidence = Some(json!({"hand-made": true}));
    // Every step's reading as the state gives it, but a drawn chart for the transitions step.
    let readings = |state: &State| {
        report::readings(state, Lang::En)
            .into_iter()
            .map(|(step, reading)| match step {
                StepId::Transitions
                    if reading.is_done() || matches!(reading, Reading::Unreadable { .. }) =>
                {
                    (
                        step,
                        Reading::Done(Facts {
                            summary: vec![],
                            report: json!({}),
                            chart: Some(timeline()),
                        }),
                    )
                }
                _ => (step, reading),
            })
            .collect::<Vec<_>>()
    };
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("lecture06.md");
    let mut written = report::written::Written::load(&dir.path().join(".lecture06/written.json"));
    for lang in [Lang::Ja, Lang::En] {
        let options = RenderOptions::default();
        let rendered = report::render_with(&state, lang, &options, &readings(&state)).unwrap();
        assert_eq!(rendered.assets.len(), 1);
        let (path, svg) = &rendered.assets[0];
        assert_eq!(path, "lecture06-assets/transitions.svg");
        assert!(
            rendered
                .markdown
                .contains("](lecture06-assets/transitions.svg)"),
            "{}",
            rendered.markdown
        );
        roxmltree::Document::parse(svg).expect("well-formed SVG");
        assert!(
            lecture06::mask::findings(svg).is_empty(),
            "the chart is masked"
        );
        assert!(svg.contains("5563xxxxxxxx") && svg.contains("x.x.x.x"));
        report::write_files(&out, &rendered, &options, &mut written, false, lang).unwrap();
        assert!(
            dir.path()
                .join("lecture06-assets/transitions.svg")
                .is_file()
        );
        assert_eq!(report::check::problems(&out, lang), Vec::<String>::new());
        let html = report::html::page(&rendered, lang);
        assert!(
            html.contains("<svg") && !html.contains("transitions.svg"),
            "inline in the preview"
        );
    }
    // A later report without the chart removes the stale file.
    state.steps.get_mut(&StepId::Transitions).unwrap().status = StepStatus::InProgress;
    let options = RenderOptions::default();
    let rendered = report::render_with(&state, Lang::En, &options, &readings(&state)).unwrap();
    report::write_files(&out, &rendered, &options, &mut written, false, Lang::En).unwrap();
    assert!(!dir.path().join("lecture06-assets/transitions.svg").exists());
    assert!(!rendered.markdown.contains("transitions.svg"));
}

// --- Masking every real record we have.

/// `shared/testdata/cloudtrail`, beside this repository or beside the folder that holds it (a
/// git worktree in `wt/<name>`).
fn testdata() -> PathBuf {
    let mut dir = Some(Path::new(env!("CARGO_MANIFEST_DIR")));
    while let Some(d) = dir {
        let candidate = d.join("shared/testdata/cloudtrail");
        if candidate.is_dir() {
            return candidate;
        }
        dir = d.parent();
    }
    panic!(
        "the real CloudTrail records are expected in shared/testdata/cloudtrail beside this repository (or one of its parent folders)"
    )
}

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files_under(&path, out);
        } else {
            out.push(path);
        }
    }
}

/// Every CloudTrail record in the test material, whatever its packaging.
fn all_records() -> Vec<(String, Value)> {
    let mut files = Vec::new();
    files_under(&testdata(), &mut files);
    files.sort();
    let mut records = Vec::new();
    for file in files {
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        let text = if name.ends_with(".gz") {
            let mut text = String::new();
            flate2::read::GzDecoder::new(std::fs::File::open(&file).unwrap())
                .read_to_string(&mut text)
                .unwrap();
            text
        } else if name.ends_with(".json") || name.ends_with(".ndjson") {
            std::fs::read_to_string(&file).unwrap()
        } else {
            continue;
        };
        let values: Vec<Value> = if name.ends_with(".ndjson") {
            text.lines()
                .filter(|l| !l.trim().is_empty())
                .map(|l| serde_json::from_str::<Value>(l).unwrap()["event"].clone())
                .collect()
        } else {
            vec![serde_json::from_str(&text).unwrap()]
        };
        for value in values {
            let items = match value {
                Value::Object(ref o) if o.contains_key("Records") => {
                    o["Records"].as_array().unwrap().clone()
                }
                // A raw LookupEvents response: the record is a JSON string.
                Value::Object(ref o) if o.contains_key("Events") => o["Events"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|e| serde_json::from_str(e["CloudTrailEvent"].as_str().unwrap()).unwrap())
                    .collect(),
                Value::Array(items) => items,
                other => vec![other],
            };
            records.extend(items.into_iter().map(|r| (name.clone(), r)));
        }
    }
    records
}

/// The string leaves of a record that are secrets by any independent reading.
fn secrets_in(value: &Value, out: &mut Vec<String>) {
    static KEY: std::sync::LazyLock<Regex> =
        std::sync::LazyLock::new(|| Regex::new(r"(AKIA|ASIA)[A-Z0-9]{16}").unwrap());
    static ACCOUNT: std::sync::LazyLock<Regex> =
        std::sync::LazyLock::new(|| Regex::new(r"(?:^|[^0-9])([0-9]{12})(?:[^0-9]|$)").unwrap());
    static EMAIL: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| {
        Regex::new(r"[A-Za-z0-9._+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}").unwrap()
    });
    match value {
        Value::String(s) => {
            if s.parse::<std::net::IpAddr>().is_ok() {
                out.push(s.clone());
            }
            out.extend(KEY.find_iter(s).map(|m| m.as_str().to_string()));
            out.extend(ACCOUNT.captures_iter(s).map(|c| c[1].to_string()));
            out.extend(EMAIL.find_iter(s).map(|m| m.as_str().to_string()));
        }
        Value::Number(n) if n.is_u64() && n.to_string().len() == 12 => out.push(n.to_string()),
        Value::Array(items) => items.iter().for_each(|i| secrets_in(i, out)),
        Value::Object(map) => map.values().for_each(|v| secrets_in(v, out)),
        _ => {}
    }
}

/// The sensitive values of a record read by field name, as CloudTrail's record format documents
/// them: account IDs (`accountId`, `recipientAccountId`, the account part of any `arn`), access key
/// IDs, a principal ID's key part (`AIDA…` before `:session`) or a root principal's account,
/// `sourceIPAddress` when it is an address, and a `userName` that is an e-mail address.
fn sensitive_fields(value: &Value, out: &mut Vec<String>) {
    let text = |v: &Value| match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    };
    let is_account = |s: &str| s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit());
    match value {
        Value::Object(map) => {
            for (key, v) in map {
                let Some(s) = text(v) else {
                    sensitive_fields(v, out);
                    continue;
                };
                match key.as_str() {
                    "accountId" | "recipientAccountId" if is_account(&s) => out.push(s),
                    "accessKeyId" if s.len() >= 16 => out.push(s),
                    "principalId" => {
                        let key_part = s.split(':').next().unwrap_or_default();
                        if is_account(key_part)
                            || (key_part.len() >= 16
                                && key_part.bytes().all(|b| b.is_ascii_alphanumeric()))
                        {
                            out.push(key_part.to_string());
                        }
                    }
                    "sourceIPAddress" if s.parse::<std::net::IpAddr>().is_ok() => out.push(s),
                    "userName" if s.contains('@') => out.push(s),
                    "arn" | "ARN" => {
                        if let Some(account) = s.split(':').nth(4).filter(|a| is_account(a)) {
                            out.push(account.to_string());
                        }
                    }
                    _ => {}
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|i| sensitive_fields(i, out)),
        _ => {}
    }
}

fn state_with_event(record: &Value) -> State {
    let show = |path: &str| {
        let mut v = record;
        for part in path.split('.') {
            v = v.get(part).unwrap_or(&Value::Null);
        }
        match v {
            Value::String(s) => s.clone(),
            Value::Null => String::new(),
            other => other.to_string(),
        }
    };
    let time = record["eventTime"]
        .as_str()
        .and_then(lecture06::clock::parse_time)
        .unwrap_or_else(|| at("2023-07-10T12:00:00Z"));
    let name = show("eventName");
    let fields: Vec<Value> = [
        "sourceIPAddress",
        "userIdentity.arn",
        "userIdentity.accessKeyId",
    ]
    .iter()
    .map(|p| json!({"path": p, "value": show(p), "meaning_en": "m", "meaning_ja": "m"}))
    .collect();
    let evidence = json!({
        "query": {"user": show("userIdentity.userName"), "regions": ["ap-northeast-1", "us-east-1"],
                  "start": time - Duration::days(90), "end": time, "requests": [["ap-northeast-1", 1]]},
        "listed": [{"event_id": show("eventID"), "event_name": name, "event_time": time,
                    "event_source": show("eventSource"), "region": show("awsRegion")}],
        "chosen": {"event_id": show("eventID"), "event_name": name, "event_time": time,
                   "event_source": show("eventSource"), "region": show("awsRegion"),
                   "username": show("userIdentity.userName"), "record": record},
        "fields": fields,
        "captured_at": time,
    });
    let mut state = State::new(Mode::Real, time);
    state.region = Some("ap-northeast-1".into());
    let entry = state.steps.entry(StepId::Cloudtrail).or_default();
    entry.status = StepStatus::Done;
    entry.evidence = Some(evidence);
    state
}

#[test]
fn every_real_record_is_masked_in_the_report() {
    let records = all_records();
    assert!(
        records.len() > 3000,
        "all the material is read: {}",
        records.len()
    );
    let (mut secrets_seen, mut fields_seen) = (0, 0);
    for (index, (file, record)) in records.iter().enumerate() {
        let state = state_with_event(record);
        // Both languages on a sample; every record in one.
        let lang = if index % 10 == 0 { Lang::En } else { Lang::Ja };
        let text = report::render(&state, lang, &RenderOptions::default())
            .unwrap()
            .markdown;
        assert!(
            text.contains("```json"),
            "{file}: the record is in the report"
        );
        let findings = lecture06::mask::findings(&text);
        assert!(findings.is_empty(), "{file} #{index}: {findings:?}");
        let mut secrets = Vec::new();
        secrets_in(record, &mut secrets);
        secrets_seen += secrets.len();
        let mut by_field = Vec::new();
        sensitive_fields(record, &mut by_field);
        fields_seen += by_field.len();
        // The record as `status --json` and the evidence views mask it, too.
        let as_json = serde_json::to_string_pretty(&lecture06::mask::json(record)).unwrap();
        for secret in secrets.iter().chain(&by_field) {
            for (shown, masked) in [("report", &text), ("mask::json", &as_json)] {
                if let Some(at) = masked.find(secret.as_str()) {
                    let around =
                        &masked[at.saturating_sub(80)..(at + secret.len() + 40).min(masked.len())];
                    panic!("{file} #{index}: {secret} is left unmasked in the {shown}: …{around}…");
                }
            }
        }
    }
    assert!(
        secrets_seen > 5000,
        "the material does hold secrets to mask: {secrets_seen}"
    );
    assert!(
        fields_seen > 5000,
        "the records' sensitive fields are read: {fields_seen}"
    );
}

#[test]
fn learnings_are_optional_and_kept_until_replaced() {
    let ws = Workspace::new();
    ws.run_sandbox(&["run", "--yes"]).success();
    assert!(
        ws.state()["notes"].get("learnings").is_none(),
        "--yes without [learnings] skips them"
    );
    let answers = ws.write(
        "answers.toml",
        "[learnings]\nlearned = \"\"\nunclear = [\"a\", \"b\"]\n",
    );
    let ran = ws.run_sandbox(&["run", "--yes", "--answers", answers.to_str().unwrap()]);
    ran.success();
    let notes = ws.state()["notes"]["learnings"].clone();
    assert_eq!(notes, json!({"learned": "", "unclear": "a\nb"}));
    // A later run without entries keeps them.
    ws.run_sandbox(&["run", "--yes"]).success();
    assert_eq!(ws.state()["notes"]["learnings"], notes);
    let text = report_of(&ws, "en");
    assert!(text.contains("### Still unclear\n- a\n- b\n"), "{text}");
}

/// Issue 13 item 9: `report --out "提出 レポート.md"` wrote an image link Markdown does not read
/// (a space in the address), and `--check` passed it. The oracle is pulldown-cmark, as GitHub's
/// reader would: the chart must come out as an image whose decoded address exists.
#[test]
fn a_report_named_with_a_space_links_its_chart_so_markdown_reads_it() {
    let ws = Workspace::new();
    ws.run_sandbox(&["run", "--yes"]).success();
    let out = ws.path().join("提出 レポート.md");
    ws.run_sandbox(&["report", "--out", out.to_str().unwrap()])
        .success();
    let text = std::fs::read_to_string(&out).unwrap();
    let images: Vec<String> = pulldown_cmark::Parser::new(&text)
        .filter_map(|event| match event {
            pulldown_cmark::Event::Start(pulldown_cmark::Tag::Image { dest_url, .. }) => {
                Some(dest_url.to_string())
            }
            _ => None,
        })
        .collect();
    assert_eq!(images.len(), 1, "{text}");
    let decoded = images[0].replace("%20", " ");
    assert!(ws.path().join(&decoded).is_file(), "{}", images[0]);
    let checked = ws.run_sandbox(&["report", "--check", "--out", out.to_str().unwrap()]);
    assert_eq!(checked.code, 0, "{}", checked.all());
}

/// Issue 22 item 7: the report's "last use" is the newest event found, named and dated as such,
/// whichever event the student explains. The oracle is the listed events in the state, the
/// newest picked here by time: the sandbox lists several, with different names and days.
#[test]
fn last_use_is_the_newest_listed_event_by_name_and_time() {
    let ws = Workspace::new();
    ws.run_sandbox(&["--lang", "en", "run", "--yes", "--until", "cloudtrail"])
        .success();
    let text = report_of(&ws, "en");
    let listed = ws.state()["steps"]["cloudtrail"]["evidence"]["listed"].clone();
    let events: Vec<(DateTime<Utc>, String)> = listed
        .as_array()
        .expect("the listed events are saved")
        .iter()
        .map(|e| {
            (
                e["event_time"].as_str().unwrap().parse().unwrap(),
                e["event_name"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let newest = events.iter().max().unwrap();
    let oldest = events.iter().min().unwrap();
    assert_ne!(newest, oldest, "the sandbox lists events of several times");
    let jst = |t: DateTime<Utc>| lecture06::clock::jst(t);
    let day = |t: DateTime<Utc>| {
        t.with_timezone(&chrono::FixedOffset::east_opt(9 * 3600).unwrap())
            .format("%Y-%m-%d")
            .to_string()
    };
    let line = format!(
        "I last used AWS on **{} (JST)** (the newest event I found: {}, {}).",
        day(newest.0),
        newest.1,
        jst(newest.0)
    );
    assert!(text.contains(&line), "wanted: {line}\n{text}");
}
