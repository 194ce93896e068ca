//! A small harness: a temporary workspace and the real binary run in it, with the sandbox's clock
//! fixed and uncompressed waits turned off, so runs are repeatable and fast.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub const SANDBOX_NOW: &str = "2026-11-21T01:00:00Z";

pub struct Workspace {
    pub dir: tempfile::TempDir,
}

pub struct Ran {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Ran {
    pub fn all(&self) -> String {
        format!("{}\n{}", self.stdout, self.stderr)
    }
    #[track_caller]
    pub fn success(&self) -> &Ran {
        assert_eq!(
            self.code, 0,
            "expected success\n--- stdout\n{}\n--- stderr\n{}",
            self.stdout, self.stderr
        );
        self
    }
}

impl From<Output> for Ran {
    fn from(out: Output) -> Ran {
        Ran {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
}

pub fn binary() -> &'static str {
    env!("CARGO_BIN_EXE_lecture06")
}

/// The environment every run gets: English, no colour, the sandbox's fixed clock.
pub fn base_command() -> Command {
    let mut cmd = Command::new(binary());
    cmd.env("LANG", "C")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env_remove("AWS_PROFILE")
        .env("NO_COLOR", "1")
        .env("LECTURE06_SANDBOX_NOW", SANDBOX_NOW)
        .env("LECTURE06_SANDBOX_SPEED", "0");
    cmd
}

/// `cmd` (its environment and arguments carried over) run by `sh` under `ulimit -v kib`, with
/// `MALLOC_ARENA_MAX=2`: glibc reserves 64 MiB of address space for each thread's arena without
/// touching it, so without it the limit would measure memory reserved, not used.
pub fn under_address_space_limit(cmd: &Command, kib: u64) -> Command {
    let mut sh = Command::new("sh");
    for (key, value) in cmd.get_envs() {
        match value {
            Some(value) => sh.env(key, value),
            None => sh.env_remove(key),
        };
    }
    sh.env("MALLOC_ARENA_MAX", "2")
        .arg("-c")
        .arg(format!("ulimit -v {kib} && exec \"$@\""))
        .arg("sh")
        .arg(cmd.get_program())
        .args(cmd.get_args());
    sh
}

impl Workspace {
    pub fn new() -> Workspace {
        Workspace {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// `lecture06 --dir <ws> --sandbox <args…>`
    pub fn sandbox(&self, args: &[&str]) -> Command {
        let mut cmd = base_command();
        cmd.arg("--dir")
            .arg(self.path())
            .arg("--sandbox")
            .args(args);
        cmd
    }

    pub fn run_sandbox(&self, args: &[&str]) -> Ran {
        self.sandbox(args)
            .stdin(std::process::Stdio::null())
            .output()
            .expect("runs")
            .into()
    }

    pub fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.path().join(name);
        std::fs::write(&path, text).expect("write");
        path
    }

    pub fn state_path(&self) -> PathBuf {
        self.path().join(".lecture06/state.json")
    }

    pub fn state(&self) -> Value {
        let text = std::fs::read_to_string(self.state_path()).expect("state.json exists");
        serde_json::from_str(&text).expect("state.json is JSON")
    }

    pub fn status_json(&self) -> Value {
        let ran = self.run_sandbox(&["status", "--json"]);
        ran.success();
        serde_json::from_str(&ran.stdout).expect("status --json prints JSON")
    }

    pub fn step_status(&self, step: &str) -> String {
        let status = self.status_json();
        status["steps"]
            .as_array()
            .expect("steps")
            .iter()
            .find(|s| s["id"] == step)
            .map(|s| s["status"].as_str().unwrap_or_default().to_string())
            .expect("step listed")
    }
}

/// `shared/testdata/cloudtrail`, which CI places beside the clone (or beside the folder that holds
/// it: a git worktree in `wt/<name>`).
pub fn cloudtrail_testdata() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest
        .ancestors()
        .map(|d| d.join("shared/testdata/cloudtrail"))
        .find(|candidate| candidate.is_dir())
        .unwrap_or_else(|| {
            panic!(
                "the real CloudTrail records are expected in shared/testdata/cloudtrail beside {} (or one of its parent folders)",
                manifest.display()
            )
        })
}

/// moto's address, started by `scripts/test.sh`.
pub fn moto_url() -> String {
    std::env::var("LECTURE06_MOTO_URL").unwrap_or_else(|_| {
        panic!("LECTURE06_MOTO_URL is not set: run the tests with `bash scripts/test.sh`, which installs moto[server] into .venv and starts it on 127.0.0.1")
    })
}

/// An SDK configuration for the adapters under test: fixed credentials, fast retries, and either
/// moto's endpoint or a replayed HTTP client.
pub fn sdk_config(
    region: &str,
    endpoint: Option<&str>,
    http_client: Option<aws_smithy_runtime_api::client::http::SharedHttpClient>,
    access_key: &str,
) -> aws_config::SdkConfig {
    use aws_config::retry::RetryConfig;
    let mut builder = aws_config::SdkConfig::builder()
        .behavior_version(aws_config::BehaviorVersion::latest())
        .region(aws_config::Region::new(region.to_string()))
        .credentials_provider(
            aws_credential_types::provider::SharedCredentialsProvider::new(
                aws_credential_types::Credentials::new(access_key, "secret", None, None, "tests"),
            ),
        )
        .retry_config(
            RetryConfig::standard()
                .with_max_attempts(4)
                .with_initial_backoff(Duration::from_millis(20)),
        )
        .sleep_impl(aws_smithy_async::rt::sleep::SharedAsyncSleep::new(
            aws_smithy_async::rt::sleep::TokioSleep::new(),
        ))
        .time_source(aws_smithy_async::time::SharedTimeSource::new(
            aws_smithy_async::time::SystemTimeSource::new(),
        ));
    if let Some(endpoint) = endpoint {
        builder = builder.endpoint_url(endpoint);
    }
    if let Some(client) = http_client {
        builder = builder.http_client(client);
    }
    builder.build()
}

use std::time::Duration;
