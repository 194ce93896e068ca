//! Issue 13 (item 6): a closed pipe ends the program quietly with exit code 0, as ripgrep does.
//! `lecture06 guide | head -1` and `lecture06 status | head -1` used to panic with exit 101
//! ("failed printing to stdout: Broken pipe").

use crate::harness::{Workspace, base_command};
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

/// Runs `cmd` with stdout read by a reader that takes `lines` lines (none: closes at once), then
/// closes its end; returns the exit code and stderr.
fn read_then_close(mut cmd: Command, lines: usize) -> (i32, String) {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("runs");
    let stdout = child.stdout.take().expect("piped");
    let mut reader = BufReader::new(stdout);
    for _ in 0..lines {
        let mut line = String::new();
        reader.read_line(&mut line).expect("a line");
        assert!(
            !line.is_empty(),
            "the command prints at least {lines} line(s)"
        );
    }
    drop(reader);
    let out = child.wait_with_output().expect("ends");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn assert_quiet((code, stderr): (i32, String)) {
    assert_eq!(code, 0, "{stderr}");
    assert!(
        !stderr.contains("panicked") && !stderr.contains("Broken pipe"),
        "{stderr}"
    );
}

#[test]
fn guide_into_a_reader_that_stops_after_one_line_exits_0() {
    // All the guides are far more than one line: the rest is written to a closed pipe.
    let mut cmd = base_command();
    cmd.arg("--dir").arg(std::env::temp_dir()).arg("guide");
    assert_quiet(read_then_close(cmd, 1));
}

/// Runs `cmd` with stdout a pipe whose reading end is closed before it starts: its first write
/// fails, every time.
fn into_a_closed_pipe(mut cmd: Command) -> (i32, String) {
    let (reader, writer) = std::io::pipe().expect("a pipe");
    drop(reader);
    let out = cmd
        .stdin(Stdio::null())
        .stdout(writer)
        .output()
        .expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn status_into_a_closed_pipe_exits_0() {
    let ws = Workspace::new();
    ws.run_sandbox(&["run", "--yes"]).success();
    assert_quiet(into_a_closed_pipe(ws.sandbox(&["status"])));
    assert_quiet(into_a_closed_pipe(ws.sandbox(&["status", "--json"])));
    assert_quiet(into_a_closed_pipe(ws.sandbox(&["guide"])));
}

#[test]
fn a_long_trail_search_into_a_reader_that_stops_early_exits_0() {
    // Thousands of JSON lines, far beyond a pipe's buffer.
    let mut cmd = base_command();
    cmd.arg("--dir")
        .arg(std::env::temp_dir())
        .args(["trail", "search", "--json", "--latest", "100000", "--path"])
        .arg(crate::harness::cloudtrail_testdata().join("invictus-archive"));
    assert_quiet(read_then_close(cmd, 1));
}

/// Issue 19 (item 7): a write that fails for another reason than a closed pipe (a full device)
/// is said on stderr and ends with exit code 1, never a panic (it was exit 101).
#[test]
fn status_into_a_full_device_says_so_and_exits_1() {
    let ws = Workspace::new();
    ws.run_sandbox(&["run", "--yes", "--until", "cloudtrail"])
        .success();
    for args in [&["status"][..], &["status", "--json"], &["guide"]] {
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .expect("/dev/full (Linux)");
        let out = ws
            .sandbox(args)
            .stdin(Stdio::null())
            .stdout(full)
            .output()
            .expect("runs");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert!(
            stderr.contains("could not write to standard output")
                && stderr.contains("No space left on device"),
            "{args:?}: {stderr}"
        );
    }
}
