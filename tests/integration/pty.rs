//! The real interactive prompts, driven through a pseudo-terminal as a student types.

use crate::harness::Workspace;
use expectrl::{Expect, Session};
use std::time::Duration;

const ENTER: &str = "\r";
const CTRL_C: &str = "\x03";

fn spawn(ws: &Workspace, args: &[&str]) -> expectrl::session::OsSession {
    let mut session = Session::spawn(ws.sandbox(args)).expect("spawn in a pty");
    session.set_expect_timeout(Some(Duration::from_secs(30)));
    session
}

fn exit_code(session: &mut expectrl::session::OsSession) -> i32 {
    use expectrl::process::unix::WaitStatus;
    match session.get_process_mut().wait().expect("wait") {
        WaitStatus::Exited(_, code) => code,
        other => panic!("unexpected end: {other:?}"),
    }
}

#[test]
fn a_student_answers_the_prompts_in_a_terminal() {
    let ws = Workspace::new();
    let mut p = spawn(&ws, &["run", "--until", "cloudtrail"]);
    p.expect("Go on with this account and Region?").unwrap();
    p.send("y\r").unwrap();
    p.expect("IAM user name to look for").unwrap();
    p.send(ENTER).unwrap(); // the default: the caller's own name
    p.expect("Working Region").unwrap();
    p.send(ENTER).unwrap();
    p.expect("Which event?").unwrap();
    p.send("\x1b[B").unwrap(); // arrow down: the second newest
    p.send(ENTER).unwrap();
    p.expect("Pick three fields").unwrap();
    p.send(ENTER).unwrap(); // the three defaults
    p.expect("Step 1 done.").unwrap();
    // The student's own remark on the step, for its report section (issue 23).
    p.expect("remark on this step").unwrap();
    p.send("the console switched Region by itself").unwrap();
    p.send(ENTER).unwrap();
    p.send(ENTER).unwrap(); // an empty line ends the remark
    p.expect(expectrl::Eof).unwrap();
    assert_eq!(exit_code(&mut p), 0);
    let state = ws.state();
    assert_eq!(
        state["notes"]["remarks"]["cloudtrail"],
        "the console switched Region by itself"
    );
    let evidence = &state["steps"]["cloudtrail"]["evidence"];
    assert_eq!(
        evidence["chosen"]["event_id"],
        evidence["listed"][1]["event_id"]
    );
    assert_eq!(evidence["fields"].as_array().unwrap().len(), 3);
}

#[test]
fn ctrl_c_at_a_prompt_saves_and_exits_130() {
    let ws = Workspace::new();
    let mut p = spawn(&ws, &["run"]);
    p.expect("Go on with this account").unwrap();
    p.send("y\r").unwrap();
    p.expect("IAM user name to look for").unwrap();
    p.send("kan1").unwrap();
    p.send(ENTER).unwrap();
    p.expect("Working Region").unwrap();
    p.send(CTRL_C).unwrap();
    p.expect("Interrupted").unwrap();
    p.expect(expectrl::Eof).unwrap();
    assert_eq!(exit_code(&mut p), 130);
    assert_eq!(
        ws.state()["steps"]["cloudtrail"]["answers"]["user"],
        "kan1",
        "the answer given before Ctrl-C is saved"
    );
}

#[test]
fn a_second_run_at_the_same_time_is_refused() {
    let ws = Workspace::new();
    let mut first = spawn(&ws, &["run"]);
    first.expect("Go on with this account").unwrap();
    let second = ws.run_sandbox(&["run", "--yes"]);
    assert_eq!(second.code, 1, "{}", second.all());
    assert!(
        second.stderr.contains("Another lecture06"),
        "{}",
        second.stderr
    );
    first.send(CTRL_C).unwrap();
    first.expect(expectrl::Eof).unwrap();
    // Once the first has gone, the workspace is free again.
    ws.run_sandbox(&["run", "--yes", "--until", "cloudtrail"])
        .success();
}
