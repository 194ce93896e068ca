//! Bad input as a new user gives it (issue 13, item 9): each gets a message naming what was wrong
//! and what to do, the right exit code, and nothing saved that should not be.

use crate::harness::{Ran, Workspace, base_command};
use std::io::{Read, Write};
use std::net::TcpListener;

#[test]
fn region_city_name_is_refused_up_front_with_its_code() {
    let ws = Workspace::new();
    let ran = ws.run_sandbox(&["--region", "tokyo", "run", "--yes"]);
    assert_eq!(ran.code, 2, "{}", ran.all());
    assert!(
        ran.stderr.contains("--region tokyo") && ran.stderr.contains("ap-northeast-1"),
        "{}",
        ran.stderr
    );
    assert!(
        !ran.stderr.contains("[cloudtrail]"),
        "not blamed on the answers file: {}",
        ran.stderr
    );
    assert!(
        !ws.state_path().exists(),
        "an invalid Region is never stored"
    );
}

#[test]
fn following_the_region_advice_moves_the_session_without_a_warning_to_go_back() {
    // A real-account session (the sandbox's Region is fixed when it is made), against moto; only
    // the account introduction matters here, which is saved before the first step.
    let ws = Workspace::new();
    let moto = crate::harness::moto_url();
    // An empty user name stops the first step at its first question (exit 2), after the
    // introduction was saved: no call moto cannot answer.
    let answers = ws.write("answers.toml", "[cloudtrail]\nuser = \"\"\n");
    let answers = answers.to_str().unwrap().to_string();
    let run = |region: Option<&str>| {
        let mut args = vec!["run", "--yes", "--answers", &answers];
        if let Some(region) = region {
            args.splice(0..0, ["--region", region]);
        }
        let mut cmd = real_command(&ws, &moto, &args);
        cmd.env_remove("AWS_REGION")
            .env_remove("AWS_DEFAULT_REGION");
        let ran: Ran = cmd.output().unwrap().into();
        assert_eq!(ran.code, 2, "stopped at the empty user name: {}", ran.all());
        ran
    };
    run(Some("ap-northeast-1"));
    assert_eq!(ws.state()["region"], "ap-northeast-1");
    let moved = run(Some("us-west-2"));
    assert!(
        !moved.stdout.contains("unless you really moved"),
        "{}",
        moved.all()
    );
    assert!(
        moved
            .stdout
            .contains("moves from ap-northeast-1 to us-west-2"),
        "{}",
        moved.all()
    );
    assert_eq!(ws.state()["region"], "us-west-2");
    let again = run(Some("us-west-2"));
    assert!(
        !again.stdout.contains("moves from") && !again.stdout.contains("unless you really moved"),
        "{}",
        again.all()
    );
    // Without --region the Region comes from the default: that may be an accident, so warn.
    let default = run(None);
    assert!(
        default.stdout.contains("pass --region us-west-2"),
        "{}",
        default.all()
    );
    assert_eq!(
        ws.state()["region"],
        "us-west-2",
        "an accidental Region is not stored"
    );
}

#[test]
fn dir_naming_a_file_says_it_is_a_file() {
    let ws = Workspace::new();
    let file = ws.write("notes.txt", "not a folder");
    let ran: Ran = base_command()
        .arg("--dir")
        .arg(&file)
        .args(["--sandbox", "status"])
        .output()
        .unwrap()
        .into();
    assert_eq!(ran.code, 2, "{}", ran.all());
    assert!(ran.stderr.contains("is a file"), "{}", ran.stderr);
    assert!(!ran.stderr.contains("mkdir"), "{}", ran.stderr);
}

/// The real binary on a real-account workspace, with keys in the environment and `endpoint` as
/// every service's endpoint.
pub(crate) fn real_command(ws: &Workspace, endpoint: &str, args: &[&str]) -> std::process::Command {
    let mut cmd = base_command();
    cmd.arg("--dir")
        .arg(ws.path())
        .args(args)
        .env("AWS_ENDPOINT_URL", endpoint)
        .env("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE")
        .env(
            "AWS_SECRET_ACCESS_KEY",
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        )
        .env("AWS_CONFIG_FILE", ws.path().join("no-config"))
        .env(
            "AWS_SHARED_CREDENTIALS_FILE",
            ws.path().join("no-credentials"),
        )
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .stdin(std::process::Stdio::null());
    cmd
}

fn real_run(ws: &Workspace, endpoint: &str, extra_env: &[(&str, &str)]) -> Ran {
    let mut cmd = real_command(
        ws,
        endpoint,
        &["--region", "ap-northeast-1", "run", "--yes"],
    );
    for (k, v) in extra_env {
        cmd.env(k, v);
    }
    cmd.output().unwrap().into()
}

#[test]
fn wrong_keys_in_the_environment_are_not_reported_as_missing() {
    // STS answers as it does for a key it does not know (a captured body, tests/data/sts).
    let body = include_str!("../data/sts/invalid-client-token-id.xml");
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let mut stream = stream.unwrap();
            let mut buf = [0u8; 8192];
            let _ = stream.read(&mut buf);
            let _ = write!(
                stream,
                "HTTP/1.1 403 Forbidden\r\nContent-Type: text/xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    let ws = Workspace::new();
    let ran = real_run(&ws, &url, &[]);
    assert_eq!(ran.code, 1, "{}", ran.all());
    assert!(
        ran.stderr.contains("InvalidClientTokenId"),
        "{}",
        ran.stderr
    );
    assert!(
        ran.stderr.contains("does not accept the credentials"),
        "{}",
        ran.stderr
    );
    assert!(
        !ran.stderr.contains("No AWS credentials were found"),
        "{}",
        ran.stderr
    );
}

#[test]
fn an_endpoint_that_never_answers_ends_in_a_clear_error() {
    // Accepts the connection, reads, never answers.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming() {
            held.push(stream.unwrap());
        }
    });
    let ws = Workspace::new();
    let ran = real_run(&ws, &url, &[("LECTURE06_AWS_TIMEOUT", "2")]);
    assert_eq!(ran.code, 1, "{}", ran.all());
    assert!(
        ran.stderr.contains("sts:GetCallerIdentity"),
        "{}",
        ran.stderr
    );
    assert!(
        ran.stderr.to_lowercase().contains("timeout"),
        "{}",
        ran.stderr
    );
    assert!(
        ran.stderr.contains("could not be reached"),
        "{}",
        ran.stderr
    );
}

#[test]
fn a_profile_missing_from_the_config_is_named_as_missing() {
    let ws = Workspace::new();
    let config = ws.write(
        "config",
        "[default]\nregion = ap-northeast-1\n\n[profile student]\nregion = ap-northeast-1\n",
    );
    let ran: Ran = base_command()
        .arg("--dir")
        .arg(ws.path())
        .args(["--profile", "studnet", "run", "--yes"])
        .env("AWS_CONFIG_FILE", &config)
        .env(
            "AWS_SHARED_CREDENTIALS_FILE",
            ws.path().join("no-credentials"),
        )
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap()
        .into();
    assert_eq!(ran.code, 1, "{}", ran.all());
    for expected in [
        "`studnet` is not defined",
        "aws configure --profile studnet",
        "aws sso login --profile studnet",
    ] {
        assert!(ran.stderr.contains(expected), "{expected}: {}", ran.stderr);
    }
}

/// Issue 22 (item 5): `[sandbox] region = "tokyo"` was saved unchecked, and every later run
/// blamed `[cloudtrail] region`, a key the student never wrote.
#[test]
fn a_sandbox_region_that_is_a_city_is_refused_naming_its_key() {
    let ws = Workspace::new();
    let answers = ws.write("answers.toml", "[sandbox]\nregion = \"tokyo\"\n");
    let ran = ws.run_sandbox(&["run", "--yes", "--answers", answers.to_str().unwrap()]);
    assert_eq!(ran.code, 2, "{}", ran.all());
    assert!(
        ran.stderr.contains("[sandbox] region = \"tokyo\"")
            && ran.stderr.contains("ap-northeast-1"),
        "{}",
        ran.stderr
    );
    assert!(!ran.stderr.contains("[cloudtrail]"), "{}", ran.stderr);
    assert!(!ws.state_path().exists(), "no session saved");
    assert!(
        !ws.path().join(".lecture06/sandbox").exists(),
        "no simulated account saved with that Region"
    );
    let ran = ws.run_sandbox(&[
        "--lang",
        "ja",
        "run",
        "--yes",
        "--answers",
        answers.to_str().unwrap(),
    ]);
    assert_eq!(ran.code, 2, "{}", ran.all());
    assert!(
        ran.stderr.contains("[sandbox] region") && ran.stderr.contains("使えません"),
        "{}",
        ran.stderr
    );
}

/// Issue 22 (item 3): a mistyped `--dir` made that folder for any command; only `run` makes one.
#[test]
fn a_mistyped_dir_is_not_created_except_by_run() {
    let ws = Workspace::new();
    let typo = ws.path().join("lectrue06");
    for args in [
        &["status"][..],
        &["status", "--json"][..],
        &["report"][..],
        &["guide"][..],
        &["iam-policy"][..],
        &["cleanup", "--yes"][..],
    ] {
        let ran: Ran = base_command()
            .arg("--dir")
            .arg(&typo)
            .args(args)
            .output()
            .unwrap()
            .into();
        assert_eq!(ran.code, 2, "{args:?}: {}", ran.all());
        assert!(
            ran.stderr.contains("does not exist") && ran.stderr.contains("nothing was created"),
            "{args:?}: {}",
            ran.stderr
        );
        assert!(!typo.exists(), "{args:?} created {}", typo.display());
    }
    let ran: Ran = base_command()
        .arg("--dir")
        .arg(&typo)
        .args(["--sandbox", "run", "--yes", "--until", "cloudtrail"])
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap()
        .into();
    ran.success();
    assert!(typo.join(".lecture06/state.json").is_file(), "run makes it");
}

/// Issue 22 (item 3): `status` where there is no session said so and exited 0.
#[test]
fn status_without_a_session_says_so_and_exits_1() {
    let ws = Workspace::new();
    let ran = ws.run_sandbox(&["status"]);
    assert_eq!(ran.code, 1, "{}", ran.all());
    assert!(
        ran.stderr.contains("No lecture06 session here yet"),
        "{}",
        ran.stderr
    );
    let ran = ws.run_sandbox(&["--lang", "ja", "status"]);
    assert_eq!(ran.code, 1, "{}", ran.all());
    assert!(
        ran.stderr.contains("セッションがありません"),
        "{}",
        ran.stderr
    );
    assert!(
        !ws.path().join(".lecture06").exists(),
        "nothing made by looking"
    );
}

/// Issue 22 (item 3): `report --out <a folder>` and a run inside `.lecture06/`.
#[test]
fn report_out_a_folder_asks_for_a_file_name() {
    let ws = Workspace::new();
    ws.run_sandbox(&["run", "--yes", "--until", "cloudtrail"])
        .success();
    let folder = ws.path().join("submission");
    std::fs::create_dir(&folder).unwrap();
    for check in [false, true] {
        let mut args = vec!["report", "--out", folder.to_str().unwrap()];
        if check {
            args.push("--check");
        }
        let ran = ws.run_sandbox(&args);
        assert_eq!(ran.code, 2, "{}", ran.all());
        let example = folder.join("lecture06.md").display().to_string();
        assert!(
            ran.stderr.contains("is a folder") && ran.stderr.contains(&format!("--out {example}")),
            "{}",
            ran.stderr
        );
    }
    assert_eq!(
        std::fs::read_dir(&folder).unwrap().count(),
        0,
        "nothing written in it"
    );
    let ran = ws.run_sandbox(&["--lang", "ja", "report", "--out", folder.to_str().unwrap()]);
    assert!(ran.stderr.contains("フォルダーです"), "{}", ran.stderr);
}

#[test]
fn a_run_inside_the_state_folder_points_to_the_workspace() {
    let ws = Workspace::new();
    ws.run_sandbox(&["run", "--yes", "--until", "cloudtrail"])
        .success();
    let inside = ws.path().join(".lecture06");
    let listing = |dir: &std::path::Path| {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    };
    let before = listing(&inside);
    for args in [&["run", "--yes"][..], &["status"][..], &["report"][..]] {
        let ran: Ran = base_command()
            .current_dir(&inside)
            .arg("--sandbox")
            .args(args)
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap()
            .into();
        assert_eq!(ran.code, 2, "{args:?}: {}", ran.all());
        let workspace = ws.path().canonicalize().unwrap().display().to_string();
        assert!(
            ran.stderr.contains(".lecture06 folder")
                && ran.stderr.contains(&format!("cd {workspace}")),
            "{args:?}: {}",
            ran.stderr
        );
    }
    assert_eq!(listing(&inside), before, "no nested session");
}

/// A tiny HTTP server on 127.0.0.1 giving every request the same answer, and how many it got.
fn answer_every_request(
    status: &'static str,
    content_type: &'static str,
    body: &'static str,
) -> (String, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let count = std::sync::Arc::new(AtomicUsize::new(0));
    let counted = count.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let mut stream = stream.unwrap();
            let mut buf = [0u8; 16384];
            let _ = stream.read(&mut buf);
            counted.fetch_add(1, Ordering::SeqCst);
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    (url, count)
}

/// Issue 22 (item 5): a 5xx on every attempt ended in a bare error.
#[test]
fn a_server_error_on_every_attempt_ends_with_advice() {
    // No body at all: what a load balancer or a failing service may send.
    let (url, count) = answer_every_request("503 Service Unavailable", "text/plain", "");
    let ws = Workspace::new();
    let ran = real_run(&ws, &url, &[("AWS_MAX_ATTEMPTS", "2")]);
    assert_eq!(ran.code, 1, "{}", ran.all());
    for expected in [
        "sts:GetCallerIdentity",
        "HTTP 503",
        "server error on every attempt",
        "proxy",
        "HTTPS_PROXY",
        "run the same command again",
    ] {
        assert!(ran.stderr.contains(expected), "{expected}: {}", ran.stderr);
    }
    assert!(
        count.load(std::sync::atomic::Ordering::SeqCst) >= 2,
        "retried before giving up"
    );
    let ran = real_run(
        &ws,
        &url,
        &[("AWS_MAX_ATTEMPTS", "1"), ("LANG", "ja_JP.UTF-8")],
    );
    assert!(ran.stderr.contains("サーバーエラー"), "{}", ran.stderr);
}

/// Issue 22 (item 5): a proxy's HTML error page surfaced as a parser's message. The page is made
/// up on purpose: it is what anything that is not AWS may send.
#[test]
fn a_proxys_html_page_is_said_to_be_one() {
    const PAGE: &str = "<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1><p>The proxy server received an invalid response from an upstream server.</p></body></html>\n";
    for status in ["502 Bad Gateway", "200 OK"] {
        let (url, _) = answer_every_request(status, "text/html; charset=utf-8", PAGE);
        let ws = Workspace::new();
        let ran = real_run(&ws, &url, &[("AWS_MAX_ATTEMPTS", "1")]);
        assert_eq!(ran.code, 1, "{status}: {}", ran.all());
        for expected in [
            "sts:GetCallerIdentity",
            "an HTML page (\"502 bad gateway\")",
            "answered with a web page, not by AWS",
            "HTTPS_PROXY",
        ] {
            assert!(
                ran.stderr.contains(expected),
                "{status}: {expected}: {}",
                ran.stderr
            );
        }
        let lower = ran.stderr.to_lowercase();
        assert!(
            !lower.contains("xml") && !lower.contains("parse") && !lower.contains("unhandled"),
            "{status}: no parser message: {}",
            ran.stderr
        );
    }
}

/// Issue 22 (item 5): a misspelt `AWS_PROFILE` is named as coming from that variable.
#[test]
fn a_misspelt_aws_profile_variable_is_named() {
    let ws = Workspace::new();
    let config = ws.write(
        "config",
        "[default]\nregion = ap-northeast-1\n\n[profile student]\nregion = ap-northeast-1\n",
    );
    let ran: Ran = base_command()
        .arg("--dir")
        .arg(ws.path())
        .args(["run", "--yes"])
        .env("AWS_PROFILE", "studnet")
        .env("AWS_CONFIG_FILE", &config)
        .env(
            "AWS_SHARED_CREDENTIALS_FILE",
            ws.path().join("no-credentials"),
        )
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap()
        .into();
    assert_eq!(ran.code, 1, "{}", ran.all());
    for expected in [
        "`studnet` comes from the environment variable AWS_PROFILE",
        "unset AWS_PROFILE",
    ] {
        assert!(ran.stderr.contains(expected), "{expected}: {}", ran.stderr);
    }
    // Given with --profile, the flag is what is named.
    let ran: Ran = base_command()
        .arg("--dir")
        .arg(ws.path())
        .args(["--profile", "studnet", "run", "--yes"])
        .env("AWS_CONFIG_FILE", &config)
        .env(
            "AWS_SHARED_CREDENTIALS_FILE",
            ws.path().join("no-credentials"),
        )
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap()
        .into();
    assert!(!ran.stderr.contains("AWS_PROFILE"), "{}", ran.stderr);
}

/// Issue 22 (item 5): a locale that is not UTF-8 is said once, in English.
#[test]
fn a_locale_that_is_not_utf8_is_said_once_in_english() {
    let ws = Workspace::new();
    ws.run_sandbox(&["run", "--yes", "--until", "cloudtrail"])
        .success();
    let ran: Ran = ws
        .sandbox(&["status"])
        .env("LANG", "ja_JP.eucJP")
        .output()
        .unwrap()
        .into();
    ran.success();
    assert_eq!(
        ran.stderr.matches("is not UTF-8").count(),
        1,
        "{}",
        ran.stderr
    );
    assert!(ran.stderr.contains("LANG=ja_JP.eucJP"), "{}", ran.stderr);
    let japanese = ran
        .all()
        .chars()
        .any(|c| ('\u{3000}'..='\u{9fff}').contains(&c));
    assert!(
        !japanese,
        "English, which the terminal can show: {}",
        ran.all()
    );
    // A UTF-8 locale, however spelt, says nothing.
    for utf8 in ["ja_JP.UTF-8", "ja_JP.utf8", "C.UTF-8"] {
        let ran: Ran = ws
            .sandbox(&["status"])
            .env("LANG", utf8)
            .output()
            .unwrap()
            .into();
        assert!(!ran.stderr.contains("UTF-8"), "{utf8}: {}", ran.stderr);
    }
}

/// Issue 22 (item 7): `scripts/test.sh` went on to the tests when moto never started. Run on a
/// copy of the script whose `.venv` holds a moto_server that exits at once (the other tools are
/// stand-ins that succeed): it stops with moto's log, before cargo.
#[cfg(unix)]
#[test]
fn test_script_stops_when_moto_does_not_start() {
    use std::os::unix::fs::PermissionsExt;
    let ws = Workspace::new();
    let root = ws.path();
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/test.sh");
    std::fs::create_dir_all(root.join("scripts")).unwrap();
    std::fs::copy(&script, root.join("scripts/test.sh")).unwrap();
    std::fs::create_dir_all(root.join(".github/workflows")).unwrap();
    std::fs::write(root.join(".github/workflows/ci.yml"), "on: push\n").unwrap();
    let bin = root.join(".venv/bin");
    std::fs::create_dir_all(&bin).unwrap();
    let tool = |name: &str, body: &str| {
        let path = bin.join(name);
        std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    };
    tool(
        "moto_server",
        "echo 'OSError: [Errno 98] Address already in use' >&2; exit 1",
    );
    tool("pip", "echo 'Version: 1.17.0'");
    tool("actionlint", "exit 0");
    tool("python", "exec python3 \"$@\"");
    // A `cargo` that records being run: it must not be.
    tool("cargo", "touch \"$(dirname \"$0\")/cargo-ran\"");
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let ran: Ran = std::process::Command::new("bash")
        .arg(root.join("scripts/test.sh"))
        .env("PATH", path)
        .output()
        .unwrap()
        .into();
    assert_eq!(ran.code, 1, "{}", ran.all());
    assert!(
        ran.stderr.contains("moto did not start") && ran.stderr.contains("Address already in use"),
        "{}",
        ran.stderr
    );
    assert!(
        !bin.join("cargo-ran").exists(),
        "no test was run without moto"
    );
}
