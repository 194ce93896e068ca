//! The transitions step end to end in the sandbox: the whole timeline with plausible delays, a
//! crash in the middle of the wait and the resume, the SSH path with a fake `ssh`, and the number
//! of API calls a watch makes.

use crate::harness::Workspace;
use serde_json::Value;

const ANSWERS: &str = "[alarm]\nemail = \"taro@example.com\"\n";

fn world(ws: &Workspace) -> Value {
    let text = std::fs::read_to_string(ws.path().join(".lecture06/sandbox/world.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn seconds(text: &Value) -> i64 {
    chrono::DateTime::parse_from_rfc3339(text.as_str().unwrap())
        .unwrap()
        .timestamp()
}

fn run_until_transitions(ws: &Workspace, answers: &str) -> crate::harness::Ran {
    let path = ws.write("answers.toml", answers);
    ws.run_sandbox(&[
        "run",
        "--yes",
        "--until",
        "transitions",
        "--answers",
        path.to_str().unwrap(),
    ])
}

fn check_timeline(e: &Value) {
    let m = &e["moments"];
    let stop = seconds(&m["stopped_at"]);
    let alarm = seconds(&m["alarm_at"]) - stop;
    assert!((120..=240).contains(&alarm), "stop → ALARM took {alarm} s");
    let unhealthy = seconds(&m["target_unhealthy_at"]) - stop;
    assert!(
        (0..=90).contains(&unhealthy),
        "target unhealthy after {unhealthy} s"
    );
    assert_eq!(
        seconds(&m["first_5xx_at"]) - stop,
        0,
        "nginx answers 502 at once"
    );
    let mail = seconds(&m["alarm_mail_at"]) - seconds(&m["alarm_at"]);
    assert!((0..=60).contains(&mail), "mail {mail} s after ALARM");
    let start = seconds(&m["started_at"]);
    assert!(seconds(&m["ok_at"]) > seconds(&m["target_healthy_at"]));
    assert!(seconds(&m["target_healthy_at"]) > start);
    assert!(
        e["datapoints"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["value"] == 0.0)
    );
    let states: Vec<&str> = e["history"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|h| h["kind"] == "StateUpdate")
        .map(|h| h["summary"].as_str().unwrap())
        .collect();
    assert!(
        states.contains(&"Alarm updated from OK to ALARM"),
        "{states:?}"
    );
    assert!(
        states.contains(&"Alarm updated from ALARM to OK"),
        "{states:?}"
    );
}

#[test]
fn the_whole_timeline_with_plausible_delays() {
    let ws = Workspace::new();
    let ran = run_until_transitions(&ws, ANSWERS);
    ran.success();
    assert!(ran.stdout.contains("alarm: OK → ALARM"), "{}", ran.stdout);
    assert!(
        ran.stdout.contains("Expected stop → ALARM"),
        "{}",
        ran.stdout
    );
    assert_eq!(ws.step_status("transitions"), "done");
    let state = ws.state();
    let e = &state["steps"]["transitions"]["evidence"];
    check_timeline(e);
    // Issue 14: the mails' key lines, read from the mailbox files, for the report.
    assert_eq!(e["mails_from"], "mailbox");
    let mails = e["mails"].as_array().unwrap();
    assert_eq!(mails.len(), 2, "{mails:?}");
    assert_eq!(
        mails[0]["subject"],
        "ALARM: \"lecture06-alb-unhealthy\" in Asia Pacific (Tokyo)"
    );
    assert_eq!(mails[0]["state_change"], "OK -> ALARM");
    assert_eq!(mails[0]["at"], e["moments"]["alarm_at"]);
    assert_eq!(mails[1]["state_change"], "ALARM -> OK");
    assert_eq!(mails[1]["at"], e["moments"]["ok_at"]);

    let saved = lecture06::state::StepState {
        status: lecture06::state::StepStatus::Done,
        evidence: Some(e.clone()),
        ..Default::default()
    };
    let lecture06::steps::Reading::Done(facts) =
        lecture06::steps::get(lecture06::step_id::StepId::Transitions)
            .read(&saved, lecture06::i18n::Lang::En)
    else {
        panic!("the saved evidence reads back");
    };
    let chart = facts.chart.unwrap();
    assert!(chart.bands.iter().any(|b| b.state == "ALARM"));
    assert!(chart.marks.len() >= 3);
    assert!(!chart.points.is_empty());

    // The report renders the timeline.
    let out = ws.path().join("r.md");
    ws.run_sandbox(&["report", "--out", out.to_str().unwrap()])
        .success();
    let report = std::fs::read_to_string(out).unwrap();
    assert!(report.contains("| Unicorn stopped |"), "{report}");
    assert!(report.contains("Alarm → ALARM"), "{report}");
}

/// The measured API cost of watching: every look is one DescribeTargetHealth and one
/// DescribeAlarms, every 20 s, so a five-minute watch makes 15 looks = 30 calls.
#[test]
fn a_five_minute_watch_makes_thirty_api_calls() {
    let ws = Workspace::new();
    run_until_transitions(&ws, ANSWERS).success();
    let state = ws.state();
    let e = &state["steps"]["transitions"]["evidence"];
    let calls = &world(&ws)["monitoring"]["calls"];
    let health = calls["elasticloadbalancing:DescribeTargetHealth"]
        .as_u64()
        .unwrap();
    let polls = e["polls"].as_u64().unwrap();
    assert_eq!(health, polls, "one DescribeTargetHealth per look");
    // Looks over the simulated time spent watching. Three looks come without a wait before
    // them: the one before the stop and the first of each watch, right after the stop and start.
    let watched = seconds(&e["captured_at"]) - seconds(&e["before"]["at"]);
    let per_five_minutes = (polls as f64 - 3.0) * 300.0 / watched as f64;
    assert!(
        (per_five_minutes - 15.0).abs() < 0.01,
        "{per_five_minutes} looks per five minutes ({polls} looks in {watched} s)"
    );
    let alarms = calls["cloudwatch:DescribeAlarms"].as_u64().unwrap();
    // The alarm step's own DescribeAlarms calls come on top.
    assert!(
        alarms >= polls && alarms <= polls + 3,
        "{alarms} vs {polls}"
    );
}

#[test]
fn kill_9_in_the_middle_of_the_wait_then_resume() {
    let ws = Workspace::new();
    let path = ws.write("answers.toml", ANSWERS);
    let args = [
        "run",
        "--yes",
        "--until",
        "transitions",
        "--answers",
        path.to_str().unwrap(),
    ];
    // The 5th look is made after the stop, while waiting for ALARM.
    let crashed = ws
        .sandbox(&args)
        .env(
            "LECTURE06_SANDBOX_CRASH_AFTER",
            "elasticloadbalancing:DescribeTargetHealth#5",
        )
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert!(!crashed.status.success());
    let state = ws.state();
    let stopped = state["steps"]["transitions"]["progress"]["stopped_at"].clone();
    assert!(stopped.is_string(), "the stop moment was saved: {state}");
    assert_eq!(ws.step_status("transitions"), "in_progress");

    let resumed = ws.run_sandbox(&args);
    resumed.success();
    assert!(
        resumed.stdout.contains("Unicorn was stopped at"),
        "{}",
        resumed.stdout
    );
    let state = ws.state();
    let e = &state["steps"]["transitions"]["evidence"];
    assert_eq!(
        e["moments"]["stopped_at"], stopped,
        "the recorded moment is kept"
    );
    check_timeline(e);
}

#[test]
fn ssh_runs_the_commands_with_the_systems_ssh() {
    let ws = Workspace::new();
    let bin = ws.path().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let log = ws.path().join("ssh.log");
    let fake = bin.join("ssh");
    std::fs::write(
        &fake,
        format!("#!/bin/sh\necho \"$@\" >> '{}'\nexit 0\n", log.display()),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();
    let path = ws.write(
        "answers.toml",
        "[alarm]\nemail = \"taro@example.com\"\n[transitions]\nstop_command = \"sudo systemctl stop unicorn.service\"\n",
    );
    let ran: crate::harness::Ran = ws
        .sandbox(&[
            "run",
            "--yes",
            "--until",
            "transitions",
            "--ssh",
            "raisetech-ec2",
            "--answers",
            path.to_str().unwrap(),
        ])
        .env(
            "PATH",
            format!("{}:{}", bin.display(), std::env::var("PATH").unwrap()),
        )
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap()
        .into();
    ran.success();
    let calls = std::fs::read_to_string(&log).unwrap();
    assert_eq!(
        calls.lines().collect::<Vec<_>>(),
        [
            "-o BatchMode=yes raisetech-ec2 sudo systemctl stop unicorn.service",
            "-o BatchMode=yes raisetech-ec2 sudo systemctl start unicorn",
        ]
    );
    assert!(
        ran.stdout
            .contains("$ ssh raisetech-ec2 'sudo systemctl stop unicorn.service'")
    );
    let state = ws.state();
    assert_eq!(state["steps"]["transitions"]["evidence"]["method"], "ssh");

    // A failing ssh stops the step with what to check.
    std::fs::write(
        &fake,
        "#!/bin/sh\necho 'Permission denied (publickey).' >&2\nexit 255\n",
    )
    .unwrap();
    let ws2 = Workspace::new();
    let path2 = ws2.write("answers.toml", ANSWERS);
    let failed: crate::harness::Ran = ws2
        .sandbox(&[
            "run",
            "--yes",
            "--until",
            "transitions",
            "--ssh",
            "raisetech-ec2",
            "--answers",
            path2.to_str().unwrap(),
        ])
        .env(
            "PATH",
            format!("{}:{}", bin.display(), std::env::var("PATH").unwrap()),
        )
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap()
        .into();
    assert_eq!(failed.code, 1, "{}", failed.all());
    assert!(
        failed.all().contains("Permission denied (publickey)"),
        "{}",
        failed.all()
    );
}

#[test]
fn ssm_method_sends_the_commands_to_the_instance() {
    let ws = Workspace::new();
    // The simulated instance's ID, from the simulated account after the alarm step.
    run_until_transitions(
        &ws,
        "[alarm]\nemail = \"taro@example.com\"\n[transitions]\nmethod = \"manual\"\nstopped = false\n",
    );
    let instance = world(&ws)["monitoring"]["alb"]["instance_id"]
        .as_str()
        .unwrap()
        .to_string();
    let answers = format!(
        "[alarm]\nemail = \"taro@example.com\"\n[transitions]\nmethod = \"ssm\"\ninstance_id = \"{instance}\"\n"
    );
    let path = ws.write("answers.toml", &answers);
    let ran = ws.run_sandbox(&[
        "run",
        "--yes",
        "--step",
        "transitions",
        "--answers",
        path.to_str().unwrap(),
    ]);
    ran.success();
    assert!(
        ran.stdout.contains(&format!(
            "ssm:SendCommand {instance} AWS-RunShellScript 'sudo systemctl stop unicorn'"
        )),
        "{}",
        ran.stdout
    );
    let calls = &world(&ws)["monitoring"]["calls"];
    assert_eq!(calls["ssm:SendCommand"], 2, "stop and start");
    check_timeline(&ws.state()["steps"]["transitions"]["evidence"]);
}

/// Issue 14: a health check on a file Nginx serves cannot see Unicorn. Told before the stop, the
/// watch ends early with the reason (not the give-up timeout), the evidence is kept; agreeing to
/// the fix points the check at `/up`, the step completes, the report says so, and `cleanup` puts
/// `/index.html` back.
#[test]
fn a_static_health_check_is_told_before_the_stop_and_can_be_fixed() {
    let ws = Workspace::new();
    let answers = format!("{ANSWERS}\n[sandbox]\nhealth_check = \"static\"\n");
    let ran = run_until_transitions(&ws, &answers);
    assert_eq!(ran.code, 1, "{}", ran.all());
    let out = ran.all();
    let warned = out
        .find("The health check cannot see Unicorn: /index.html")
        .unwrap_or_else(|| panic!("no warning: {out}"));
    let stopped = out
        .find("Unicorn: Stop at")
        .unwrap_or_else(|| panic!("no stop: {out}"));
    assert!(warned < stopped, "the warning comes before the stop");
    assert!(out.contains("Why the alarm would never fire"), "{out}");
    assert!(
        out.contains("`/up`"),
        "the Rails 7.1 route is offered: {out}"
    );
    assert!(out.contains("The target was still healthy"), "{out}");
    assert!(
        !out.contains("No ALARM after"),
        "not the give-up timeout: {out}"
    );
    assert!(
        out.contains("Unicorn: Start at"),
        "the app is started again: {out}"
    );
    // --yes changed nothing: the health check still checks the file.
    assert_eq!(
        world(&ws)["monitoring"]["alb"]["health_check"]["path"],
        "/index.html"
    );
    assert_ne!(ws.step_status("transitions"), "done");
    // The evidence: the preflight's finding and the early end, with the target still healthy.
    let evidence = ws.path().join(".lecture06/evidence/transitions");
    let preflight: Value =
        serde_json::from_str(&std::fs::read_to_string(evidence.join("health-check.json")).unwrap())
            .unwrap();
    assert_eq!(preflight["answered_by"], "static-file");
    assert_eq!(preflight["status"], 200);
    let ended: Value = serde_json::from_str(
        &std::fs::read_to_string(evidence.join("watch-ended-early.json")).unwrap(),
    )
    .unwrap();
    let waited = seconds(&ended["ended_at"]) - seconds(&ended["stopped_at"]);
    // interval 30 s × 2 failures + margin (2 intervals + 60 s) = 180 s; looks every 20 s.
    assert!(
        (181..=240).contains(&waited),
        "ended {waited} s after the stop"
    );

    // The student agrees: the check now asks Rails, and the step completes.
    let fixed = format!("{answers}\n[transitions]\nfix_health_check = true\n");
    run_until_transitions(&ws, &fixed).success();
    assert_eq!(ws.step_status("transitions"), "done");
    assert_eq!(
        world(&ws)["monitoring"]["alb"]["health_check"]["path"],
        "/up"
    );
    let state = ws.state();
    assert!(
        state["resources"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["kind"] == "health-check-path"
                && r["id"].as_str().unwrap().ends_with("#/index.html"))
    );
    let e = &state["steps"]["transitions"]["evidence"];
    assert_eq!(e["preflight"]["changed_from"], "/index.html");
    assert_eq!(e["preflight"]["answered_by"], "rails");
    check_timeline(e);

    let report = ws.path().join("r.md");
    ws.run_sandbox(&["report", "--out", report.to_str().unwrap()])
        .success();
    let text = std::fs::read_to_string(&report).unwrap();
    assert!(
        text.contains("I pointed the health check here from `/index.html`"),
        "{text}"
    );

    ws.run_sandbox(&["cleanup", "--yes"]).success();
    assert_eq!(
        world(&ws)["monitoring"]["alb"]["health_check"]["path"],
        "/index.html"
    );
}

/// Issue 14: which process. Nginx stopped: connection refused (`Target.FailedHealthChecks`), and
/// the commands offered are Nginx's; the timeline records the reason code and explains it.
#[test]
fn stopping_nginx_fails_the_health_check_with_failed_health_checks() {
    let ws = Workspace::new();
    let answers = format!("{ANSWERS}\n[transitions]\nprocess = \"nginx\"\n");
    let ran = run_until_transitions(&ws, &answers);
    ran.success();
    assert!(
        ran.stdout.contains("sudo systemctl stop nginx"),
        "{}",
        ran.stdout
    );
    assert!(ran.stdout.contains("Nginx: Stop at"), "{}", ran.stdout);
    assert!(
        ran.stdout.contains("Target.FailedHealthChecks")
            && ran.stdout.contains("the connection is refused"),
        "{}",
        ran.stdout
    );
    let state = ws.state();
    let e = &state["steps"]["transitions"]["evidence"];
    assert_eq!(e["process"], "nginx");
    let target = e["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["what"] == "target" && c["to"] == "unhealthy")
        .unwrap();
    assert!(
        target["reason"]
            .as_str()
            .unwrap()
            .starts_with("Target.FailedHealthChecks"),
        "{target}"
    );
    // Through the ALB, with nothing listening on the instance, the ALB itself answers 502.
    assert!(e["moments"]["first_5xx_at"].is_string());
}

/// Issue 14: the instance stopped: its target is unused (`Target.InvalidState`), HealthyHostCount
/// has no datapoints, and the alarm leaves OK for INSUFFICIENT_DATA (missing data "missing") or
/// ALARM (missing data "breaching"), as the alarm's own setting says.
#[test]
fn stopping_the_instance_makes_the_target_unused_and_the_metric_stop() {
    let ws = Workspace::new();
    let answers = format!("{ANSWERS}\n[transitions]\nprocess = \"instance\"\n");
    let ran = run_until_transitions(&ws, &answers);
    ran.success();
    assert!(
        ran.stdout
            .contains("aws ec2 stop-instances --instance-ids i-0"),
        "{}",
        ran.stdout
    );
    assert!(ran.stdout.contains("Target.InvalidState"), "{}", ran.stdout);
    let state = ws.state();
    let e = &state["steps"]["transitions"]["evidence"];
    assert_eq!(e["process"], "instance");
    assert!(
        e["changes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["what"] == "target" && c["to"] == "unused")
    );
    let stop = seconds(&e["moments"]["stopped_at"]);
    let start = seconds(&e["moments"]["started_at"]);
    // No datapoint for any minute the instance was stopped in.
    for p in e["datapoints"].as_array().unwrap() {
        let minute = seconds(&p["timestamp"]);
        assert!(
            minute + 60 <= stop || minute >= start,
            "datapoint {p} while stopped"
        );
    }
    let expected = if e["treat_missing_data"] == "breaching" {
        "Alarm updated from OK to ALARM"
    } else {
        "Alarm updated from OK to INSUFFICIENT_DATA"
    };
    assert!(
        e["history"]
            .as_array()
            .unwrap()
            .iter()
            .any(|h| h["summary"] == expected),
        "{}",
        e["history"]
    );
}

/// Issue 19: a health-check path Rails does not answer is refused, never offered again, and the
/// step stops before anything is stopped (no futile watch), naming the command that resumes.
#[test]
fn a_refused_health_check_path_stops_before_anything_is_stopped() {
    let ws = Workspace::new();
    let answers = format!(
        "{ANSWERS}\n[transitions]\nfix_health_check = true\nhealth_check_path = \"/index.html\"\n\n[sandbox]\nhealth_check = \"static\"\n",
    );
    let ran = run_until_transitions(&ws, &answers);
    assert_eq!(ran.code, 1, "{}", ran.all());
    let out = ran.all();
    assert!(out.contains("not a 2xx answer from Rails"), "{out}");
    assert!(out.contains("Nothing was stopped"), "{out}");
    assert!(out.contains("--sandbox run --step transitions"), "{out}");
    assert!(
        !out.contains("Unicorn: Stop at"),
        "nothing was stopped: {out}"
    );
    let progress = &ws.state()["steps"]["transitions"]["progress"];
    assert!(progress.get("stopped_at").is_none(), "{progress}");
    // The refused path is not kept as the next default.
    let answers_kept = &ws.state()["steps"]["transitions"]["answers"];
    assert!(
        answers_kept.get("health_check_path").is_none(),
        "{answers_kept}"
    );
    assert_eq!(
        world(&ws)["monitoring"]["alb"]["health_check"]["path"],
        "/index.html"
    );
}
