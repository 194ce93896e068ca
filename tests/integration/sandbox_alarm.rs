//! The alarm step end to end in the sandbox: the required e-mail, bad input caught before any
//! call, a crash at exact points and the resume without duplicates, `--dry-run`, and cleanup.

use crate::harness::Workspace;
use serde_json::Value;

const ANSWERS: &str = "[alarm]\nemail = \"taro@example.com\"\n";

fn world(ws: &Workspace) -> Value {
    let text = std::fs::read_to_string(ws.path().join(".lecture06/sandbox/world.json"))
        .expect("world.json");
    serde_json::from_str(&text).unwrap()
}

fn count(world: &Value, part: &str) -> usize {
    world["monitoring"][part].as_array().map_or(0, Vec::len)
}

fn run_alarm(ws: &Workspace, extra: &[&str]) -> crate::harness::Ran {
    let answers = ws.write("answers.toml", ANSWERS);
    let mut args = vec![
        "run",
        "--yes",
        "--step",
        "alarm",
        "--answers",
        answers.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    ws.run_sandbox(&args)
}

#[test]
fn yes_without_the_email_exits_2_naming_the_key() {
    // A real account has no default address (the sandbox has one): run against moto, where the
    // step stops at the e-mail before any call of its own.
    let ws = Workspace::new();
    let mut cmd = crate::harness::base_command();
    cmd.arg("--dir")
        .arg(ws.path())
        .args([
            "--region",
            "ap-northeast-1",
            "run",
            "--yes",
            "--step",
            "alarm",
        ])
        .env("AWS_ENDPOINT_URL", crate::harness::moto_url())
        .env("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE")
        .env("AWS_SECRET_ACCESS_KEY", "secret")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .stdin(std::process::Stdio::null());
    let ran: crate::harness::Ran = cmd.output().unwrap().into();
    assert_eq!(ran.code, 2, "{}", ran.all());
    assert!(
        ran.all().contains("`email = …` under [alarm]"),
        "{}",
        ran.all()
    );
}

#[test]
fn invalid_email_is_caught_before_any_call() {
    let ws = Workspace::new();
    let answers = ws.write("bad.toml", "[alarm]\nemail = \"taro@gmial.com\"\n");
    let ran = ws.run_sandbox(&[
        "run",
        "--yes",
        "--step",
        "alarm",
        "--answers",
        answers.to_str().unwrap(),
    ]);
    assert_eq!(ran.code, 2, "{}", ran.all());
    assert!(ran.all().contains("[alarm] email"), "{}", ran.all());
    assert!(ran.all().contains("typo"), "{}", ran.all());
    // Not even the ALB was looked up.
    let w = world(&ws);
    assert!(
        w["monitoring"].is_null() || w["monitoring"]["calls"].as_object().unwrap().is_empty(),
        "{w}"
    );
}

#[test]
fn the_step_makes_topic_subscription_alarm_and_mails() {
    let ws = Workspace::new();
    run_alarm(&ws, &[]).success();
    assert_eq!(ws.step_status("alarm"), "done");
    let status = ws.status_json();
    let kinds: Vec<&str> = status["resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["sns-topic", "sns-subscription", "cloudwatch-alarm"]);
    let state = ws.state();
    let e = &state["steps"]["alarm"]["evidence"];
    assert_eq!(e["alarm"]["spec"]["metric"], "HealthyHostCount");
    assert_eq!(e["alarm"]["spec"]["statistic"], "Minimum");
    assert_eq!(e["alarm"]["spec"]["treat_missing_data"], "breaching");
    let dims = e["alarm"]["spec"]["dimensions"].to_string();
    assert!(dims.contains("targetgroup/raisetech-tg/"), "{dims}");
    assert!(dims.contains("app/raisetech-alb/"), "{dims}");
    assert_eq!(
        e["alarm"]["spec"]["ok_actions"],
        e["alarm"]["spec"]["alarm_actions"]
    );
    assert_eq!(e["subscription"]["confirmed"], true);
    assert_eq!(e["test"]["mail_arrived"], true);
    let mailbox = ws.path().join(".lecture06/sandbox/mailbox");
    let alarm_mail = std::fs::read_dir(&mailbox)
        .unwrap()
        .filter_map(Result::ok)
        .find(|f| f.file_name().to_string_lossy().contains("-alarm-"))
        .expect("an ALARM mail file");
    let text = std::fs::read_to_string(alarm_mail.path()).unwrap();
    assert!(
        text.contains("Subject: ALARM: \"lecture06-alb-unhealthy\" in Asia Pacific (Tokyo)"),
        "{text}"
    );
    assert!(text.contains("no-reply@sns.amazonaws.com"));
    assert!(text.contains("- State Change:               INSUFFICIENT_DATA -> ALARM"));

    // A re-run reuses everything.
    run_alarm(&ws, &[]).success();
    let w = world(&ws);
    assert_eq!(
        (
            count(&w, "topics"),
            count(&w, "subscriptions"),
            count(&w, "alarms")
        ),
        (1, 1, 1)
    );
    assert_eq!(ws.status_json()["resources"].as_array().unwrap().len(), 3);
}

/// kill -9 at the worst moments: right after CreateTopic (before anything else is saved), right
/// after Subscribe, and during the wait for the confirmation click.
#[test]
fn crash_anywhere_resumes_without_duplicates() {
    for action in [
        "sns:CreateTopic",
        "sns:Subscribe",
        "sns:GetSubscriptionAttributes",
        "cloudwatch:PutMetricAlarm",
    ] {
        let ws = Workspace::new();
        let answers = ws.write("answers.toml", ANSWERS);
        let crashed = ws
            .sandbox(&[
                "run",
                "--yes",
                "--step",
                "alarm",
                "--answers",
                answers.to_str().unwrap(),
            ])
            .env("LECTURE06_SANDBOX_CRASH_AFTER", action)
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap();
        assert!(
            !crashed.status.success(),
            "{action}: it should have crashed"
        );
        assert_eq!(ws.step_status("alarm"), "in_progress", "{action}");
        run_alarm(&ws, &[]).success();
        let w = world(&ws);
        assert_eq!(
            (
                count(&w, "topics"),
                count(&w, "subscriptions"),
                count(&w, "alarms")
            ),
            (1, 1, 1),
            "{action}"
        );
        let resources = ws.status_json()["resources"].clone();
        assert_eq!(
            resources.as_array().unwrap().len(),
            3,
            "{action}: {resources}"
        );
        assert_eq!(ws.step_status("alarm"), "done");
    }
}

#[test]
fn dry_run_prints_the_exact_calls_and_makes_none() {
    let ws = Workspace::new();
    let ran = run_alarm(&ws, &["--dry-run"]);
    ran.success();
    for call in [
        "[dry-run] sns:CreateTopic {\"Region\":\"ap-northeast-1\",\"Name\":\"lecture06-alb-alarm\"",
        "\"Protocol\":\"email\",\"Endpoint\":\"taro@example.com\",\"ReturnSubscriptionArn\":true}",
        "[dry-run] cloudwatch:PutMetricAlarm {",
    ] {
        assert!(ran.stdout.contains(call), "{call}\n{}", ran.stdout);
    }
    assert!(
        ran.stdout
            .contains("\"ComparisonOperator\":\"LessThanThreshold\"")
    );
    assert!(ran.stdout.contains("\"TreatMissingData\":\"breaching\""));
    // Not even the simulated account is made: a dry run creates nothing.
    assert!(!ws.path().join(".lecture06").exists());
}

#[test]
fn cleanup_deletes_after_asking_and_a_deleted_alarm_reopens_the_step() {
    let ws = Workspace::new();
    run_alarm(&ws, &[]).success();
    ws.run_sandbox(&["run", "--yes", "--until", "cloudtrail"])
        .success();
    // Without a terminal and without --yes it only asks.
    let asked = ws.run_sandbox(&["cleanup"]);
    assert_eq!(asked.code, 2, "{}", asked.all());
    assert!(asked.all().contains("--yes"));
    assert_eq!(ws.status_json()["resources"].as_array().unwrap().len(), 3);

    let ran = ws.run_sandbox(&["cleanup", "--yes"]);
    ran.success();
    assert!(
        ran.stdout
            .contains("Deleted cloudwatch-alarm lecture06-alb-unhealthy")
    );
    let w = world(&ws);
    assert_eq!(
        (
            count(&w, "topics"),
            count(&w, "subscriptions"),
            count(&w, "alarms")
        ),
        (0, 0, 0)
    );
    assert_eq!(ws.status_json()["resources"], serde_json::json!([]));

    // The alarm is gone: resuming reopens the step with the reason, and makes it again.
    let answers = ws.write("answers.toml", ANSWERS);
    let resumed = ws.run_sandbox(&["run", "--yes", "--answers", answers.to_str().unwrap()]);
    resumed.success();
    assert!(
        resumed.stdout.contains(
            "The alarm step is reopened: the alarm lecture06-alb-unhealthy no longer exists"
        ),
        "{}",
        resumed.stdout
    );
    assert_eq!(count(&world(&ws), "alarms"), 1);
}

#[test]
fn an_unconfirmed_subscription_is_reported_not_deleted() {
    let ws = Workspace::new();
    let answers = ws.write(
        "answers.toml",
        "[alarm]\nemail = \"taro@example.com\"\nconfirmation = \"skip\"\n",
    );
    ws.run_sandbox(&[
        "run",
        "--yes",
        "--step",
        "alarm",
        "--answers",
        answers.to_str().unwrap(),
    ])
    .success();
    let state = ws.state();
    assert_eq!(
        state["steps"]["alarm"]["evidence"]["subscription"]["confirmed"],
        false
    );
    let ran = ws.run_sandbox(&["cleanup", "--yes"]);
    assert!(
        ran.stdout
            .contains("cannot remove an unconfirmed subscription"),
        "{}",
        ran.all()
    );
    assert!(ran.stdout.contains("48 hours"));
}
