//! Ctrl-C (SIGINT) and SIGTERM during a wait, sent to the real binary: the run exits 130 after
//! saving what it saw, puts a forced alarm state back, and its hint names the flags that resume.
//! The sandbox runs at a wall-clock speed where its waits really wait, so the signal lands inside
//! one (the tests wait for a line or a saved moment, never for a fixed time).

use crate::harness::{Ran, Workspace};
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::process::{Child, Stdio};

const ANSWERS: &str = "[alarm]\nemail = \"taro@example.com\"\n";

fn signal(child: &Child, name: &str) {
    let sent = std::process::Command::new("kill")
        .args([format!("-{name}"), child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
}

/// Runs `args` with waits that take wall time; returns once a line of its output makes `ready`
/// true (stdout is read on until the end, so the run never writes into a closed pipe).
fn start_waiting(
    ws: &Workspace,
    args: &[&str],
    speed: &str,
    ready: &dyn Fn(&str) -> bool,
) -> (Child, std::thread::JoinHandle<String>) {
    let mut child = ws
        .sandbox(args)
        .env("LECTURE06_SANDBOX_SPEED", speed)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = BufReader::new(child.stdout.take().unwrap());
    let (lines, seen) = std::sync::mpsc::channel();
    let reader = std::thread::spawn(move || {
        let mut all = String::new();
        for line in stdout.lines().map_while(Result::ok) {
            all.push_str(&line);
            all.push('\n');
            let _ = lines.send(line);
        }
        all
    });
    for line in seen.iter() {
        if ready(&line) {
            return (child, reader);
        }
    }
    let status = child.wait().unwrap();
    let out = reader.join().unwrap();
    panic!("the run ended ({status}) before it waited:\n{out}");
}

fn finish(child: Child, reader: std::thread::JoinHandle<String>) -> Ran {
    let out = child.wait_with_output().unwrap();
    let mut ran: Ran = out.into();
    ran.stdout = reader.join().unwrap();
    ran
}

fn alarm_state(ws: &Workspace) -> String {
    let text = std::fs::read_to_string(ws.path().join(".lecture06/sandbox/world.json")).unwrap();
    let world: Value = serde_json::from_str(&text).unwrap();
    world["monitoring"]["alarms"][0]["info"]["state"]
        .as_str()
        .unwrap_or_else(|| panic!("no alarm in {world}"))
        .to_string()
}

#[test]
fn sigint_during_the_mail_test_puts_the_alarm_back_and_exits_130() {
    let ws = Workspace::new();
    let answers = ws.write("answers.toml", ANSWERS);
    let answers = answers.to_str().unwrap();
    ws.run_sandbox(&["run", "--yes", "--until", "cloudtrail"])
        .success();
    // Speed 10: the mail test's 30 s wait lasts 3 s on the wall.
    let (child, reader) = start_waiting(
        &ws,
        &["run", "--yes", "--step", "alarm", "--answers", answers],
        "10",
        &|line| line.contains("Set to ALARM at"),
    );
    signal(&child, "INT");
    let ran = finish(child, reader);
    assert_eq!(ran.code, 130, "{}", ran.all());
    assert_eq!(alarm_state(&ws), "OK", "the forced ALARM is put back");
    let state = ws.state();
    assert!(
        state["steps"]["alarm"]["progress"]["test"].is_null(),
        "an interrupted mail test is not recorded as done: {state}"
    );
    // The hint names the flags that continue this session.
    let dir = ws.path().display().to_string();
    assert!(
        ran.stderr.contains(&format!(
            "lecture06 --dir {dir} --sandbox run --yes --answers {answers}"
        )),
        "{}",
        ran.stderr
    );
}

#[test]
fn sigterm_during_the_transitions_watch_saves_the_polls_and_exits_130() {
    let ws = Workspace::new();
    let answers = ws.write("answers.toml", ANSWERS);
    let answers = answers.to_str().unwrap();
    ws.run_sandbox(&["run", "--yes", "--until", "alarm", "--answers", answers])
        .success();
    let args = [
        "run",
        "--yes",
        "--until",
        "transitions",
        "--answers",
        answers,
    ];
    // Speed 1: each 20 s poll of the watch waits 20 s on the wall; the first change seen after
    // the stop is printed the moment it is seen, inside the watch.
    let (child, reader) = start_waiting(&ws, &args, "1", &|line| line.contains("Unicorn: Stop"));
    signal(&child, "TERM");
    let ran = finish(child, reader);
    assert_eq!(ran.code, 130, "{}", ran.all());
    assert!(ran.stderr.contains("Interrupted"), "{}", ran.stderr);
    let state = ws.state();
    let progress = &state["steps"]["transitions"]["progress"];
    let stopped = progress["stopped_at"].clone();
    assert!(stopped.is_string(), "the stop moment is saved: {state}");
    assert!(
        progress["polls"].as_u64().is_some_and(|n| n >= 1),
        "polls saved: {progress}"
    );
    assert_eq!(ws.step_status("transitions"), "in_progress");

    // The resume keeps the moment Unicorn was stopped (it is not stopped again).
    let resumed = ws.run_sandbox(&args);
    resumed.success();
    assert!(
        resumed.stdout.contains("Unicorn was stopped at"),
        "{}",
        resumed.stdout
    );
    assert_eq!(
        ws.state()["steps"]["transitions"]["evidence"]["moments"]["stopped_at"],
        stopped
    );
}
