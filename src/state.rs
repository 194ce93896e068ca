//! The checklist state: the one owner of `DIR/.lecture06/`.
//!
//! Layout:
//! - `state.json`: the checklist (format below), rewritten atomically (temp file, fsync, rename)
//!   after every answer and every piece of evidence, so that Ctrl-C, a crash or `kill -9` at any
//!   moment leaves either the previous or the next complete file.
//! - `evidence/<step>/<name>`: raw API answers kept as evidence, written the same way.
//! - `lock`: held (an OS file lock) by the one process that may change the workspace.
//! - `sandbox/`: the simulated account of a `--sandbox` workspace.
//!
//! `state.json`, format 1:
//! ```json
//! { "format": 1, "written_by": "0.1.0", "mode": "sandbox" | "real",
//!   "created_at": "…", "updated_at": "…", "region": "ap-northeast-1",
//!   "steps": { "<step>": { "status": "pending" | "in_progress" | "done",
//!                           "answers": {…}, "progress": {…}, "evidence": {…} | null,
//!                           "started_at": …, "completed_at": …, "reopened": "why" | null } },
//!   "resources": [ { "kind": "sns-topic", "id": "arn:…", "region": "…", "step": "alarm",
//!                    "created_at": "…" } ],
//!   "notes": { "<free-form key>": … } }
//! ```
//! A file with a greater `format` (written by a newer lecture06) or one that does not parse is
//! never overwritten: the error says how to recover.

use crate::atomic_file::write_atomically;
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use crate::step_id::StepId;
use crate::t;
use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;
use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

pub const FORMAT: u32 = 1;
pub const STATE_DIR: &str = ".lecture06";

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    Sandbox,
    Real,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepStatus {
    #[default]
    Pending,
    InProgress,
    Done,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct StepState {
    pub status: StepStatus,
    #[serde(default)]
    pub answers: BTreeMap<String, Value>,
    /// What a step has done so far (created resources, moments seen), so that a resumed step
    /// continues instead of starting over.
    #[serde(default)]
    pub progress: BTreeMap<String, Value>,
    #[serde(default)]
    pub evidence: Option<Value>,
    #[serde(default)]
    pub started_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub completed_at: Option<DateTime<Utc>>,
    /// Why a done step was reopened on resume (its result no longer holds).
    #[serde(default)]
    pub reopened: Option<String>,
}

/// An AWS resource lecture06 created (and `cleanup` may delete).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Resource {
    pub kind: String,
    pub id: String,
    pub region: String,
    pub step: StepId,
    pub created_at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct State {
    pub format: u32,
    pub written_by: String,
    pub mode: Mode,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    #[serde(default)]
    pub region: Option<String>,
    #[serde(default)]
    pub steps: BTreeMap<StepId, StepState>,
    #[serde(default)]
    pub resources: Vec<Resource>,
    #[serde(default)]
    pub notes: BTreeMap<String, Value>,
}

impl State {
    pub fn new(mode: Mode, now: DateTime<Utc>) -> State {
        State {
            format: FORMAT,
            written_by: env!("CARGO_PKG_VERSION").into(),
            mode,
            created_at: now,
            updated_at: now,
            region: None,
            steps: BTreeMap::new(),
            resources: Vec::new(),
            notes: BTreeMap::new(),
        }
    }

    pub fn step(&self, id: StepId) -> StepState {
        self.steps.get(&id).cloned().unwrap_or_default()
    }

    pub fn status(&self, id: StepId) -> StepStatus {
        self.steps.get(&id).map(|s| s.status).unwrap_or_default()
    }

    /// The step's evidence as its own type, if it has any that parses.
    pub fn evidence<T: DeserializeOwned>(&self, id: StepId) -> Option<T> {
        let value = self.steps.get(&id)?.evidence.clone()?;
        serde_json::from_value(value).ok()
    }
}

/// A workspace directory: where the state lives and who may change it.
pub struct Workspace {
    pub root: PathBuf,
    pub dir: PathBuf,
    lang: Lang,
    _lock: Option<File>,
}

impl Workspace {
    pub fn at(root: &Path, lang: Lang) -> Workspace {
        Workspace {
            root: root.to_path_buf(),
            dir: root.join(STATE_DIR),
            lang,
            _lock: None,
        }
    }

    pub fn state_path(&self) -> PathBuf {
        self.dir.join("state.json")
    }

    pub fn exists(&self) -> bool {
        self.state_path().exists()
    }

    /// Takes the workspace's lock for this process, refusing when another run holds it. The OS
    /// releases it when the process ends, however it ends.
    pub fn lock(&mut self) -> AppResult<()> {
        fs::create_dir_all(&self.dir)?;
        // Keep the state out of students' repositories: it holds unmasked evidence.
        let ignore = self.dir.join(".gitignore");
        if !ignore.exists() {
            fs::write(&ignore, "*\n")?;
        }
        let path = self.dir.join("lock");
        let mut file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .read(true)
            .write(true)
            .open(&path)?;
        match file.try_lock() {
            Ok(()) => {
                file.set_len(0)?;
                write!(file, "{}", std::process::id())?;
                self._lock = Some(file);
                Ok(())
            }
            Err(fs::TryLockError::WouldBlock) => {
                let pid = fs::read_to_string(&path).unwrap_or_default();
                let lang = self.lang;
                let dir = self.root.display();
                Err(AppError::Workspace(t!(
                    lang,
                    "Another lecture06 (process {pid}) is working in {dir}. Finish or stop it first; two runs at once could create AWS resources twice.",
                    "別の lecture06（プロセス {pid}）が {dir} で実行中です。先にそちらを終了してください（同時に実行すると AWS リソースが二重に作られるおそれがあります）。"
                )))
            }
            Err(fs::TryLockError::Error(err)) => Err(err.into()),
        }
    }

    /// Reads the state; `None` when the workspace has none yet.
    pub fn load(&self) -> AppResult<Option<State>> {
        let path = self.state_path();
        let text = match fs::read_to_string(&path) {
            Ok(text) => text,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(err) => return Err(err.into()),
        };
        let lang = self.lang;
        let shown = path.display();
        let damaged = |why: String| {
            AppError::Workspace(t!(
                lang,
                "The state file {shown} is damaged ({why}). It was left as it is. To recover: fix it by hand, or move it away (e.g. `mv {shown} {shown}.bak`) and start again with `lecture06 run`; evidence files under .lecture06/evidence/ are kept.",
                "状態ファイル {shown} が壊れています（{why}）。ファイルはそのまま残しています。復旧するには手で直すか、別名に移動して（例: `mv {shown} {shown}.bak`）`lecture06 run` でやり直してください。.lecture06/evidence/ の証跡は残ります。"
            ))
        };
        let value: Value = serde_json::from_str(&text).map_err(|e| damaged(e.to_string()))?;
        let format = value
            .get("format")
            .and_then(Value::as_u64)
            .ok_or_else(|| damaged("no \"format\"".into()))?;
        if format > u64::from(FORMAT) {
            let by = value
                .get("written_by")
                .and_then(Value::as_str)
                .unwrap_or("?")
                .to_string();
            let ours = env!("CARGO_PKG_VERSION");
            return Err(AppError::Workspace(t!(
                lang,
                "{shown} was written by lecture06 {by} (state format {format}); this is lecture06 {ours}, which reads format {FORMAT}. Upgrade lecture06 to continue; the file was left as it is.",
                "{shown} は lecture06 {by}（状態形式 {format}）で書かれています。この lecture06 {ours} が読めるのは形式 {FORMAT} までです。lecture06 を更新してください。ファイルはそのまま残しています。"
            )));
        }
        serde_json::from_value(value)
            .map(Some)
            .map_err(|e| damaged(e.to_string()))
    }

    pub fn save(&self, state: &State) -> AppResult<()> {
        let text = serde_json::to_vec_pretty(state).map_err(anyhow::Error::from)?;
        write_atomically(&self.state_path(), &text)?;
        Ok(())
    }

    pub fn evidence_dir(&self, step: StepId) -> PathBuf {
        self.dir.join("evidence").join(step.id())
    }

    pub fn write_evidence_file(
        &self,
        step: StepId,
        name: &str,
        bytes: &[u8],
    ) -> AppResult<PathBuf> {
        let path = self.evidence_dir(step).join(name);
        write_atomically(&path, bytes)?;
        Ok(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        "2026-11-21T01:00:00Z".parse().unwrap()
    }

    #[test]
    fn round_trips_and_keeps_unknown_steps_out() {
        let dir = tempfile::tempdir().unwrap();
        let ws = Workspace::at(dir.path(), Lang::En);
        let mut state = State::new(Mode::Sandbox, now());
        state
            .steps
            .entry(StepId::Cloudtrail)
            .or_default()
            .answers
            .insert("user".into(), "student".into());
        ws.save(&state).unwrap();
        assert_eq!(ws.load().unwrap(), Some(state));
    }

    #[test]
    fn damaged_file_is_kept_and_named() {
        let dir = tempfile::tempdir().unwrap();
        let ws = Workspace::at(dir.path(), Lang::En);
        fs::create_dir_all(&ws.dir).unwrap();
        fs::write(ws.state_path(), "{\"format\": 1, \"mode\": ").unwrap();
        let err = ws.load().unwrap_err().to_string();
        assert!(
            err.contains("damaged") && err.contains("state.json"),
            "{err}"
        );
        assert_eq!(
            fs::read_to_string(ws.state_path()).unwrap(),
            "{\"format\": 1, \"mode\": "
        );
    }

    #[test]
    fn newer_format_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let ws = Workspace::at(dir.path(), Lang::En);
        fs::create_dir_all(&ws.dir).unwrap();
        fs::write(ws.state_path(), r#"{"format": 99, "written_by": "9.0.0"}"#).unwrap();
        let err = ws.load().unwrap_err().to_string();
        assert!(err.contains("9.0.0") && err.contains("Upgrade"), "{err}");
    }

    #[test]
    fn second_lock_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let mut first = Workspace::at(dir.path(), Lang::En);
        first.lock().unwrap();
        let mut second = Workspace::at(dir.path(), Lang::En);
        let err = second.lock().unwrap_err().to_string();
        assert!(err.contains(&std::process::id().to_string()), "{err}");
    }
}
