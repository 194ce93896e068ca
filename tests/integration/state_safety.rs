//! The checklist survives what happens to real sessions: kill -9 at any moment, a second run at
//! the same time, a damaged state file, one written by a newer lecture06.

use crate::harness::Workspace;
use std::time::Duration;

#[test]
fn kill_9_at_any_moment_loses_nothing_and_resume_finishes() {
    // Kill the same run at increasing moments; after each, the state must parse and a resumed
    // run must finish the step with exactly the evidence a clean run gives.
    let clean = Workspace::new();
    clean
        .run_sandbox(&["run", "--yes", "--until", "cloudtrail"])
        .success();
    let expected = clean.state()["steps"]["cloudtrail"]["evidence"]["chosen"].clone();

    for delay_ms in [0u64, 5, 15, 30, 60, 120] {
        let ws = Workspace::new();
        let mut child = ws
            .sandbox(&["run", "--yes", "--until", "cloudtrail"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(delay_ms));
        let _ = child.kill(); // SIGKILL
        let _ = child.wait();
        if ws.state_path().exists() {
            let text = std::fs::read_to_string(ws.state_path()).unwrap();
            serde_json::from_str::<serde_json::Value>(&text).unwrap_or_else(|e| {
                panic!("after kill at {delay_ms} ms the state is damaged: {e}\n{text}")
            });
        }
        ws.run_sandbox(&["run", "--yes", "--until", "cloudtrail"])
            .success();
        assert_eq!(
            ws.state()["steps"]["cloudtrail"]["evidence"]["chosen"],
            expected,
            "after kill at {delay_ms} ms"
        );
        let leftovers: Vec<_> = std::fs::read_dir(ws.path().join(".lecture06"))
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
            .collect();
        assert!(
            leftovers.len() <= 1,
            "at most the one temp file of the killed write remains"
        );
    }
}

#[test]
fn damaged_state_is_kept_and_explained() {
    let ws = Workspace::new();
    ws.run_sandbox(&["run", "--yes", "--until", "cloudtrail"])
        .success();
    let damaged = "{\"format\": 1, \"mode\": \"sandbox\", \"steps\": {";
    std::fs::write(ws.state_path(), damaged).unwrap();
    for args in [&["run", "--yes"][..], &["status"][..], &["report"][..]] {
        let ran = ws.run_sandbox(args);
        assert_eq!(ran.code, 1, "{args:?}: {}", ran.all());
        assert!(
            ran.stderr.contains("damaged") && ran.stderr.contains("state.json.prev"),
            "{args:?}: {}",
            ran.stderr
        );
    }
    assert_eq!(
        std::fs::read_to_string(ws.state_path()).unwrap(),
        damaged,
        "never overwritten"
    );
}

#[test]
fn damaged_state_offers_the_previous_generation_and_the_offer_works() {
    let ws = Workspace::new();
    ws.run_sandbox(&["run", "--yes", "--until", "cloudtrail"])
        .success();
    let previous = std::fs::read(ws.path().join(".lecture06/state.json.prev")).unwrap();
    std::fs::write(ws.state_path(), "{\"format\": 1, \"steps\": {").unwrap();
    let ran = ws.run_sandbox(&["status"]);
    assert_eq!(ran.code, 1, "{}", ran.all());
    // The offered command, run as the student would copy it.
    let offered = ran
        .stderr
        .lines()
        .map(str::trim)
        .find(|l| l.starts_with("mv ") && l.contains(" && cp "))
        .unwrap_or_else(|| panic!("no restore command offered: {}", ran.stderr))
        .to_string();
    let shell = std::process::Command::new("sh")
        .arg("-c")
        .arg(&offered)
        .status()
        .unwrap();
    assert!(shell.success(), "{offered}");
    assert_eq!(std::fs::read(ws.state_path()).unwrap(), previous);
    ws.run_sandbox(&["status"]).success();
    assert!(ws.path().join(".lecture06/state.json.damaged").exists());
}

#[test]
fn disk_full_while_saving_names_the_path_keeps_the_state_and_leaves_no_temp_file() {
    let ws = Workspace::new();
    ws.run_sandbox(&["run", "--yes", "--until", "cloudtrail"])
        .success();
    let before = std::fs::read(ws.state_path()).unwrap();
    let ran: crate::harness::Ran = ws
        .sandbox(&["run", "--yes", "--until", "alarm"])
        .env("LECTURE06_TEST_DISK_FULL", "state.json")
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap()
        .into();
    assert_eq!(ran.code, 1, "{}", ran.all());
    let path = ws.state_path().display().to_string();
    assert!(
        ran.stderr.contains(&format!("Could not save {path}"))
            && ran.stderr.contains("disk is full")
            && ran.stderr.contains("previous content is unchanged")
            && ran.stderr.contains("df -h"),
        "{}",
        ran.stderr
    );
    assert_eq!(std::fs::read(ws.state_path()).unwrap(), before);
    let temps: Vec<_> = std::fs::read_dir(ws.path().join(".lecture06"))
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(temps.is_empty(), "temp files left: {temps:?}");
}

#[cfg(unix)]
#[test]
fn state_and_evidence_are_private_and_stay_so_after_chmod() {
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    let ws = Workspace::new();
    ws.run_sandbox(&["run", "--yes", "--until", "cloudtrail"])
        .success();
    assert_eq!(mode(&ws.state_path()), 0o600);
    let evidence = ws.path().join(".lecture06/evidence/cloudtrail");
    for file in std::fs::read_dir(&evidence).unwrap() {
        let file = file.unwrap().path();
        assert_eq!(mode(&file), 0o600, "{}", file.display());
    }
    std::fs::set_permissions(ws.state_path(), std::fs::Permissions::from_mode(0o644)).unwrap();
    ws.run_sandbox(&["run", "--yes", "--until", "alarm"])
        .success();
    assert_eq!(mode(&ws.state_path()), 0o600, "a save keeps 0600");
}

#[test]
fn state_from_a_newer_lecture06_is_refused_and_kept() {
    let ws = Workspace::new();
    ws.run_sandbox(&["run", "--yes", "--until", "cloudtrail"])
        .success();
    let mut state = ws.state();
    state["format"] = 2.into();
    state["written_by"] = "9.9.9".into();
    let text = serde_json::to_string(&state).unwrap();
    std::fs::write(ws.state_path(), &text).unwrap();
    let ran = ws.run_sandbox(&["run", "--yes"]);
    assert_eq!(ran.code, 1);
    assert!(
        ran.stderr.contains("9.9.9") && ran.stderr.contains("Upgrade"),
        "{}",
        ran.stderr
    );
    assert_eq!(std::fs::read_to_string(ws.state_path()).unwrap(), text);
}

/// The line of `stderr` that starts with `start` (a command offered to the student), trimmed.
fn offered_command(stderr: &str, start: &str) -> String {
    stderr
        .lines()
        .map(str::trim)
        .find(|l| l.starts_with(start))
        .unwrap_or_else(|| panic!("no `{start}…` command offered: {stderr}"))
        .to_string()
}

fn run_in_shell(line: &str) {
    let status = std::process::Command::new("sh")
        .arg("-c")
        .arg(line)
        .status()
        .unwrap();
    assert!(status.success(), "{line}");
}

/// Issue 22 (item 3): `state.json` deleted with `state.json.prev` beside it used to start a new
/// session silently, whose saves then replaced `.prev`, the only copy of the old one.
#[test]
fn a_deleted_state_is_not_replaced_by_a_new_session_and_the_offered_restore_works() {
    let ws = Workspace::new();
    ws.run_sandbox(&["run", "--yes", "--until", "cloudtrail"])
        .success();
    let prev = ws.path().join(".lecture06/state.json.prev");
    let previous = std::fs::read(&prev).expect("a previous generation after a step");
    std::fs::remove_file(ws.state_path()).unwrap();
    for args in [&["run", "--yes"][..], &["status"][..], &["report"][..]] {
        let ran = ws.run_sandbox(args);
        assert_eq!(ran.code, 1, "{args:?}: {}", ran.all());
        assert!(
            ran.stderr.contains("state.json is missing")
                && ran.stderr.contains("did not start a new session"),
            "{args:?}: {}",
            ran.stderr
        );
        assert!(!ws.state_path().exists(), "{args:?}: no new session");
        assert_eq!(
            std::fs::read(&prev).unwrap(),
            previous,
            "{args:?}: .prev kept"
        );
    }
    run_in_shell(&offered_command(&ws.run_sandbox(&["status"]).stderr, "cp "));
    assert_eq!(
        std::fs::read(ws.state_path()).unwrap(),
        previous,
        "restored"
    );
    // One save behind: the resumed run finishes what that save had not recorded.
    ws.run_sandbox(&["run", "--yes", "--until", "cloudtrail"])
        .success();
    assert_eq!(ws.step_status("cloudtrail"), "done", "the session is back");
}

#[test]
fn a_state_replaced_by_a_folder_is_named_and_the_offered_restore_works() {
    let ws = Workspace::new();
    ws.run_sandbox(&["run", "--yes", "--until", "cloudtrail"])
        .success();
    std::fs::remove_file(ws.state_path()).unwrap();
    std::fs::create_dir(ws.state_path()).unwrap();
    let ran = ws.run_sandbox(&["run", "--yes"]);
    assert_eq!(ran.code, 1, "{}", ran.all());
    assert!(ran.stderr.contains("is a folder"), "{}", ran.stderr);
    assert!(
        !ran.stderr.contains("run the same command again\n")
            && !ran.stderr.contains("Is a directory"),
        "not the generic advice that fails forever: {}",
        ran.stderr
    );
    run_in_shell(&offered_command(&ran.stderr, "mv "));
    assert!(ws.path().join(".lecture06/state.json.folder").is_dir());
    ws.run_sandbox(&["run", "--yes", "--until", "cloudtrail"])
        .success();
    assert_eq!(ws.step_status("cloudtrail"), "done");
}

#[cfg(unix)]
#[test]
fn a_dangling_or_looping_state_link_is_explained() {
    let ws = Workspace::new();
    let link = ws.path().join(".lecture06");
    std::os::unix::fs::symlink(ws.path().join("moved-away"), &link).unwrap();
    for args in [&["run", "--yes"][..], &["status"][..], &["report"][..]] {
        let ran = ws.run_sandbox(args);
        assert_eq!(ran.code, 1, "{args:?}: {}", ran.all());
        assert!(
            ran.stderr.contains("symbolic link")
                && ran.stderr.contains("moved-away")
                && ran.stderr.contains("does not exist")
                && ran.stderr.contains("ln -sfn"),
            "{args:?}: {}",
            ran.stderr
        );
        assert!(
            !ran.stderr.contains("Run the same command again"),
            "{}",
            ran.stderr
        );
    }
    assert!(
        !ws.path().join("moved-away").exists(),
        "nothing made at the link's target"
    );
    std::fs::remove_file(&link).unwrap();
    std::os::unix::fs::symlink(".lecture06", &link).unwrap();
    let ran = ws.run_sandbox(&["run", "--yes"]);
    assert_eq!(ran.code, 1, "{}", ran.all());
    assert!(ran.stderr.contains("loops"), "{}", ran.stderr);
    let ran = ws.run_sandbox(&["--lang", "ja", "status"]);
    assert_eq!(ran.code, 1, "{}", ran.all());
    assert!(ran.stderr.contains("ループしている"), "{}", ran.stderr);
}

/// Issue 22 (item 5): the disk-full hook acts on sandbox runs only, never on a real account's.
#[test]
fn the_disk_full_hook_does_nothing_outside_the_sandbox() {
    let ws = Workspace::new();
    // A real-account session against moto: the introduction is saved (through the atomic write
    // the hook breaks) before the empty user name stops the first step (exit 2).
    let answers = ws.write("answers.toml", "[cloudtrail]\nuser = \"\"\n");
    let ran: crate::harness::Ran = crate::bad_input::real_command(
        &ws,
        &crate::harness::moto_url(),
        &[
            "--region",
            "ap-northeast-1",
            "run",
            "--yes",
            "--answers",
            answers.to_str().unwrap(),
        ],
    )
    .env("LECTURE06_TEST_DISK_FULL", "state.json")
    .output()
    .unwrap()
    .into();
    assert_eq!(ran.code, 2, "stopped at the empty user name: {}", ran.all());
    assert!(!ran.stderr.contains("disk is full"), "{}", ran.all());
    assert_eq!(ws.state()["mode"], "real", "saved despite the hook");
}
