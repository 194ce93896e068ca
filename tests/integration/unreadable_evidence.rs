//! Issue 20: a step marked done whose evidence cannot be read (a wrong shape from another version
//! or a hand edit, or no evidence at all) is said in `status`, `run`, the report (ja and en) and
//! `report --check`, never shown as done; nothing is deleted, and running the step again repairs it.

use crate::harness::Workspace;
use serde_json::{Value, json};

/// A whole sandbox assignment, done.
fn done_workspace() -> Workspace {
    let ws = Workspace::new();
    ws.run_sandbox(&["run", "--yes"]).success();
    ws
}

/// Rewrites the saved state with `change` applied to the alarm step's entry.
fn edit_alarm_entry(ws: &Workspace, change: impl FnOnce(&mut Value)) {
    let mut state = ws.state();
    change(&mut state["steps"]["alarm"]);
    std::fs::write(ws.state_path(), serde_json::to_vec_pretty(&state).unwrap()).unwrap();
}

fn alarm_status(ws: &Workspace) -> Value {
    let status = ws.status_json();
    status["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == "alarm")
        .cloned()
        .unwrap()
}

/// What every reader must say about a step whose evidence cannot be read.
fn assert_said_everywhere(ws: &Workspace, damaged_evidence: &Value) {
    let alarm = alarm_status(ws);
    assert_eq!(alarm["status"], "needs_rerun", "{alarm}");
    let why = alarm["needs_rerun"].as_str().unwrap();
    assert!(
        why.contains("--sandbox") && why.contains("run --step alarm"),
        "the command keeps the session's flags: {why}"
    );
    let human = ws.run_sandbox(&["status"]);
    human.success();
    assert!(human.stdout.contains("[!] alarm"), "{}", human.stdout);
    assert!(human.stdout.contains("needs a re-run"), "{}", human.stdout);

    for (lang, heading, never) in [
        ("en", "2. An ALB alarm", "**✅ Done**"),
        ("ja", "2. ALB の CloudWatch", "**✅ 完了**"),
    ] {
        let out = ws.path().join(format!("report-{lang}.md"));
        let out_arg = out.to_str().unwrap();
        ws.run_sandbox(&["--lang", lang, "report", "--out", out_arg]);
        let text = std::fs::read_to_string(&out).unwrap();
        let section = text
            .split("\n## ")
            .find(|s| s.starts_with(heading))
            .unwrap_or_else(|| panic!("{lang}: no alarm section in\n{text}"));
        assert!(!section.contains(never), "{lang}: {section}");
        assert!(section.contains("[!WARNING]"), "{lang}: {section}");
        assert!(
            section.contains("run --step alarm"),
            "{lang}: the section names the command: {section}"
        );
        let checked = ws.run_sandbox(&["--lang", lang, "report", "--check", "--out", out_arg]);
        assert_eq!(checked.code, 1, "{lang}: {}", checked.all());
        assert!(
            checked.all().contains("run --step alarm"),
            "{lang}: --check names the section: {}",
            checked.all()
        );
    }
    // Nothing was deleted: the evidence is as it was.
    assert_eq!(&ws.state()["steps"]["alarm"]["evidence"], damaged_evidence);
}

#[test]
fn evidence_of_the_wrong_shape_is_said_everywhere_and_a_rerun_repairs_it() {
    let ws = done_workspace();
    let damaged = json!({"region": 7, "from": "an older lecture06"});
    edit_alarm_entry(&ws, |entry| entry["evidence"] = damaged.clone());
    assert_said_everywhere(&ws, &damaged);

    // `run` runs it again (and only what needs it), then everything is done.
    let rerun = ws.run_sandbox(&["run", "--yes"]);
    rerun.success();
    assert!(
        rerun.all().contains("The alarm step is reopened"),
        "{}",
        rerun.all()
    );
    assert_eq!(alarm_status(&ws)["status"], "done");
    let checked = ws.run_sandbox(&["report"]);
    checked.success();
    let text = std::fs::read_to_string(ws.path().join("lecture06.md")).unwrap();
    assert!(!text.contains("[!WARNING]"), "{text}");
}

#[test]
fn a_step_marked_done_without_evidence_is_not_done() {
    let ws = done_workspace();
    edit_alarm_entry(&ws, |entry| {
        entry.as_object_mut().unwrap().remove("evidence");
    });
    assert_said_everywhere(&ws, &Value::Null);
    ws.run_sandbox(&["run", "--step", "alarm", "--yes"])
        .success();
    assert_eq!(alarm_status(&ws)["status"], "done");
}
