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
