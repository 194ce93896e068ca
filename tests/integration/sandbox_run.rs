//! The sandbox run end to end, as a newcomer and as scripts drive it.

use crate::harness::Workspace;

#[test]
fn cloudtrail_step_finds_the_students_latest_event() {
    let ws = Workspace::new();
    let ran = ws.run_sandbox(&["run", "--yes", "--until", "cloudtrail"]);
    ran.success();
    assert!(
        ran.stdout.contains("5563xxxxxxxx"),
        "the account is shown masked:\n{}",
        ran.stdout
    );
    assert!(ran.stdout.contains("StopInstances"));
    assert_eq!(ws.step_status("cloudtrail"), "done");
    assert_eq!(ws.step_status("alarm"), "pending");

    let state = ws.state();
    let evidence = &state["steps"]["cloudtrail"]["evidence"];
    assert_eq!(evidence["chosen"]["event_name"], "StopInstances");
    assert_eq!(evidence["chosen"]["region"], "ap-northeast-1");
    assert_eq!(evidence["query"]["user"], "student");
    assert_eq!(
        evidence["query"]["regions"],
        serde_json::json!(["ap-northeast-1", "us-east-1"])
    );
    let fields: Vec<&str> = evidence["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        ["userIdentity.userName", "eventTime", "sourceIPAddress"]
    );
    assert!(
        ws.path()
            .join(".lecture06/evidence/cloudtrail/event.json")
            .is_file()
    );
    let listed = evidence["listed"].as_array().unwrap();
    assert!(
        listed
            .iter()
            .any(|e| e["event_name"] == "ConsoleLogin" && e["region"] == "us-east-1")
    );
}

#[test]
fn answers_file_picks_the_event_and_fields() {
    let ws = Workspace::new();
    let answers = ws.write(
        "answers.toml",
        "[cloudtrail]\nuser = \"student\"\nevent = 2\nfields = [\"eventName\", \"awsRegion\", \"userAgent\"]\n",
    );
    ws.run_sandbox(&[
        "run",
        "--yes",
        "--until",
        "cloudtrail",
        "--answers",
        answers.to_str().unwrap(),
    ])
    .success();
    let state = ws.state();
    let evidence = &state["steps"]["cloudtrail"]["evidence"];
    assert_eq!(
        evidence["chosen"]["event_id"],
        evidence["listed"][1]["event_id"]
    );
    let fields: Vec<&str> = evidence["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["eventName", "awsRegion", "userAgent"]);
    assert_eq!(state["steps"]["cloudtrail"]["answers"]["user"], "student");
}

#[test]
fn unknown_user_says_why_and_what_to_change() {
    let ws = Workspace::new();
    let answers = ws.write("answers.toml", "[cloudtrail]\nuser = \"nobody\"\n");
    let ran = ws.run_sandbox(&["run", "--yes", "--answers", answers.to_str().unwrap()]);
    assert_eq!(ran.code, 1, "{}", ran.all());
    assert!(
        ran.all().contains("90 days") && ran.all().contains("[cloudtrail] user"),
        "{}",
        ran.all()
    );
    assert_eq!(ws.step_status("cloudtrail"), "in_progress");
    assert_eq!(
        ws.state()["steps"]["cloudtrail"]["answers"]["user"],
        "nobody",
        "the answer is kept"
    );
}

#[test]
fn invalid_answer_exits_2_naming_the_key() {
    let ws = Workspace::new();
    let answers = ws.write("answers.toml", "[cloudtrail]\nregion = \"tokyo\"\n");
    let ran = ws.run_sandbox(&["run", "--yes", "--answers", answers.to_str().unwrap()]);
    assert_eq!(ran.code, 2, "{}", ran.all());
    assert!(
        ran.stderr.contains("[cloudtrail] region = \"tokyo\""),
        "{}",
        ran.stderr
    );
}

#[test]
fn resume_after_until_continues_with_the_next_step() {
    let ws = Workspace::new();
    ws.run_sandbox(&["run", "--yes", "--until", "cloudtrail"])
        .success();
    let first = ws.state()["steps"]["cloudtrail"]["completed_at"].clone();
    // Step 2 (the alarm) needs an e-mail address: there is no default for it.
    let answers = ws.write("answers.toml", "[alarm]\nemail = \"taro@example.com\"\n");
    let ran = ws.run_sandbox(&["run", "--yes", "--answers", answers.to_str().unwrap()]);
    ran.success();
    assert!(
        !ran.all().contains("Looking up events"),
        "cloudtrail is not run again:\n{}",
        ran.all()
    );
    assert!(
        ran.stdout.contains("2/5"),
        "it goes on with step 2:\n{}",
        ran.stdout
    );
    assert_eq!(ws.state()["steps"]["cloudtrail"]["completed_at"], first);
}

#[test]
fn step_reruns_a_done_step() {
    let ws = Workspace::new();
    ws.run_sandbox(&["run", "--yes", "--until", "cloudtrail"])
        .success();
    let answers = ws.write("answers.toml", "[cloudtrail]\nevent = 3\n");
    ws.run_sandbox(&[
        "run",
        "--yes",
        "--step",
        "cloudtrail",
        "--answers",
        answers.to_str().unwrap(),
    ])
    .success();
    let state = ws.state();
    let evidence = &state["steps"]["cloudtrail"]["evidence"];
    assert_eq!(
        evidence["chosen"]["event_id"],
        evidence["listed"][2]["event_id"]
    );
}

#[test]
fn dry_run_prints_calls_and_saves_nothing() {
    let ws = Workspace::new();
    let ran = ws.run_sandbox(&["run", "--yes", "--dry-run", "--until", "cloudtrail"]);
    ran.success();
    assert!(
        ran.stdout.contains("[dry-run] cloudtrail:LookupEvents"),
        "{}",
        ran.stdout
    );
    assert!(
        !ws.state_path().exists(),
        "no state is written by a dry run"
    );
}

#[test]
fn dry_run_creates_nothing_and_walks_every_steps_plan() {
    let ws = Workspace::new();
    let ran = ws.run_sandbox(&["run", "--yes", "--dry-run"]);
    ran.success();
    assert!(!ws.path().join(".lecture06").exists(), "{}", ran.all());
    for step in 1..=5 {
        assert!(
            ran.stdout.contains(&format!("== {step}/5 ")),
            "step {step}: {}",
            ran.stdout
        );
    }
    for call in [
        "[dry-run] cloudtrail:LookupEvents",
        "[dry-run] cloudwatch:PutMetricAlarm",
        "[dry-run] (after the alarm step)",
        "[dry-run] ce:GetCostAndUsage",
    ] {
        assert!(ran.stdout.contains(call), "{call}: {}", ran.stdout);
    }
    // An existing session is read, not changed.
    ws.run_sandbox(&["run", "--yes", "--until", "cloudtrail"])
        .success();
    let before = std::fs::read(ws.state_path()).unwrap();
    ws.run_sandbox(&["run", "--yes", "--dry-run"]).success();
    assert_eq!(std::fs::read(ws.state_path()).unwrap(), before);
}

#[test]
fn status_json_follows_the_contract() {
    let ws = Workspace::new();
    // Without a session: the same shape, every step pending, and exit 1 saying so (issue 22).
    let ran = ws.run_sandbox(&["status", "--json"]);
    assert_eq!(ran.code, 1, "{}", ran.all());
    assert!(
        ran.stderr.contains("No lecture06 session here yet"),
        "{}",
        ran.stderr
    );
    let before: serde_json::Value = serde_json::from_str(&ran.stdout).expect("JSON on stdout");
    let ids: Vec<&str> = before["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        ["cloudtrail", "alarm", "transitions", "estimate", "billing"]
    );
    assert!(
        before["steps"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["status"] == "pending")
    );
    assert_eq!(before["resources"], serde_json::json!([]));
    ws.run_sandbox(&["run", "--yes", "--until", "cloudtrail"])
        .success();
    let after = ws.status_json();
    assert_eq!(after["steps"][0]["status"], "done");
    assert!(
        after["steps"][0]["summary"][0]
            .as_str()
            .unwrap()
            .contains("StopInstances")
    );
}

/// Issue 13 (item 8): `status --json` printed the resources' ARNs with the account ID in them.
/// Masked as the text status masks them: the account's first four digits, the rest of the ARN
/// as it is (computed here from `state.json`, which keeps them unmasked).
#[test]
fn status_json_masks_the_account_in_resource_arns() {
    let ws = Workspace::new();
    ws.run_sandbox(&["run", "--yes"]).success();
    let state = ws.state();
    let stored: Vec<&str> = state["resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert!(!stored.is_empty(), "the sandbox run records resources");
    let status = ws.run_sandbox(&["status", "--json"]);
    status.success();
    let shown: serde_json::Value = serde_json::from_str(&status.stdout).unwrap();
    let shown: Vec<&str> = shown["resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    let text = ws.run_sandbox(&["status"]);
    text.success();
    assert_eq!(shown.len(), stored.len());
    assert!(stored.iter().any(|id| id.starts_with("arn:")), "{stored:?}");
    for (stored, shown) in stored.iter().zip(&shown) {
        if !stored.starts_with("arn:") {
            // An alarm's name: nothing to mask.
            assert_eq!(stored, shown);
            continue;
        }
        let parts: Vec<&str> = stored.split(':').collect();
        let account = parts[4];
        assert!(
            account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit()),
            "{stored}"
        );
        let expected = stored.replace(account, &format!("{}xxxxxxxx", &account[..4]));
        assert_eq!(*shown, expected);
        assert!(!status.stdout.contains(account), "{}", status.stdout);
        assert!(!text.stdout.contains(account), "{}", text.stdout);
    }
}

#[test]
fn guide_and_status_speak_japanese() {
    let ws = Workspace::new();
    let ran = ws.run_sandbox(&["--lang", "ja", "guide", "cloudtrail"]);
    ran.success();
    assert!(ran.stdout.contains("ステップ 1"), "{}", ran.stdout);
    let mut cmd = ws.sandbox(&["guide", "billing"]);
    let out: crate::harness::Ran = cmd.env("LANG", "ja_JP.UTF-8").output().unwrap().into();
    assert!(
        out.stdout.contains("無料利用枠"),
        "LANG=ja_JP selects Japanese:\n{}",
        out.stdout
    );
}

#[test]
fn report_has_the_event_and_nothing_unmasked() {
    let ws = Workspace::new();
    ws.run_sandbox(&["run", "--yes", "--until", "cloudtrail"])
        .success();
    ws.run_sandbox(&["report"]).success();
    let report = std::fs::read_to_string(ws.path().join("lecture06.md")).unwrap();
    assert!(
        report.contains("StopInstances") && report.contains("[x] Find the record"),
        "{report}"
    );
    assert!(report.contains("⬜ Not done yet"), "undone steps say so");
    assert!(
        lecture06::mask::findings(&report).is_empty(),
        "{:?}",
        lecture06::mask::findings(&report)
    );
}

#[test]
fn reset_forgets_a_step_but_keeps_its_evidence_aside() {
    let ws = Workspace::new();
    ws.run_sandbox(&["run", "--yes", "--until", "cloudtrail"])
        .success();
    let without_yes = ws.run_sandbox(&["reset", "cloudtrail"]);
    assert_eq!(
        without_yes.code,
        2,
        "no terminal and no --yes: {}",
        without_yes.all()
    );
    assert_eq!(ws.step_status("cloudtrail"), "done");
    ws.run_sandbox(&["reset", "cloudtrail", "--yes"]).success();
    assert_eq!(ws.step_status("cloudtrail"), "pending");
    let aside = std::fs::read_dir(ws.path().join(".lecture06/reset"))
        .unwrap()
        .count();
    assert_eq!(aside, 1);
}

#[test]
fn sandbox_and_real_workspaces_do_not_mix() {
    let ws = Workspace::new();
    ws.run_sandbox(&["run", "--yes", "--until", "cloudtrail"])
        .success();
    let mut real = crate::harness::base_command();
    let ran: crate::harness::Ran = real
        .arg("--dir")
        .arg(ws.path())
        .args(["run", "--yes"])
        .output()
        .unwrap()
        .into();
    assert_eq!(ran.code, 1);
    assert!(ran.stderr.contains("--sandbox session"), "{}", ran.stderr);
}

#[test]
fn step_and_until_together_is_bad_usage() {
    let ws = Workspace::new();
    let ran = ws.run_sandbox(&["run", "--yes", "--step", "cloudtrail", "--until", "alarm"]);
    assert_eq!(ran.code, 2);
}

/// Issue 12 item 9: the dry-run plan showed `MaxResults: 50` where 10 is sent. The oracle is the
/// request the adapter really sends, asserted in `wire_cloudtrail` (10 for the step's ten events).
#[test]
fn the_dry_run_plan_shows_the_page_size_that_is_sent() {
    let ws = Workspace::new();
    let ran = ws.run_sandbox(&["run", "--dry-run", "--yes", "--until", "cloudtrail"]);
    ran.success();
    let all = ran.all();
    let plans: Vec<&str> = all
        .lines()
        .filter(|l| l.contains("[dry-run] cloudtrail:LookupEvents"))
        .collect();
    assert_eq!(plans.len(), 2, "{all}");
    for plan in plans {
        assert!(plan.contains("\"MaxResults\":10"), "{plan}");
    }
}
