//! The checklist state: the one owner of `DIR/.lecture06/`.
//!
//! Layout:
//! - `state.json`: the checklist (format below), rewritten atomically (temp file, fsync, rename)
//!   after every answer and every piece of evidence, so that Ctrl-C, a crash or `kill -9` at any
//!   moment leaves either the previous or the next complete file. Readable by its owner only
//!   (0600): it holds the unmasked e-mail address, IP addresses and account ID.
//! - `state.json.prev`: the previous generation, kept (a hard link, so it costs nothing) by each
//!   save; a damaged `state.json` is recovered from it.
//! - `evidence/<step>/<name>`: raw API answers kept as evidence, written the same way (0600).
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
//!   "notes": { "<free-form key>": … },
//!   "workspace_id": "3f9c2a1b7d4e" }
//! ```
//! `workspace_id` tells this folder's AWS resources from another folder's on the same account
//! (the `lecture06-workspace` tag). It is made once, when first needed, from the machine's name
//! and the folder's path (`Workspace::folder_id`), so a state lost and started again in the same
//! folder gets the same id back and still knows its resources; then it is kept, so a folder
//! moved later keeps its id too.
//! A file with a greater `format` (written by a newer lecture06) or one that does not parse is
//! never overwritten: the error says how to recover.

use crate::atomic_file::{Access, write_with};
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use crate::step_id::StepId;
use crate::t;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;
use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

pub const FORMAT: u32 = 1;
pub const STATE_DIR: &str = ".lecture06";
/// "Too many levels of symbolic links" (Linux 40, the BSDs and macOS 62).
const ELOOP: i32 = if cfg!(target_os = "linux") { 40 } else { 62 };

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
    /// Which folder's session this is (see the format above); empty in older files.
    #[serde(default)]
    pub workspace_id: String,
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
            workspace_id: String::new(),
        }
    }

    /// Whether `kind` `id` in `region` is recorded as made by lecture06.
    pub fn is_recorded(&self, kind: &str, id: &str, region: &str) -> bool {
        self.resources
            .iter()
            .any(|r| r.kind == kind && r.id == id && r.region == region)
    }

    /// Records a resource lecture06 made, once (kind, id and Region); `false` when it already was.
    pub fn record(&mut self, resource: Resource) -> bool {
        if self.is_recorded(&resource.kind, &resource.id, &resource.region) {
            return false;
        }
        self.resources.push(resource);
        true
    }

    pub fn step(&self, id: StepId) -> StepState {
        self.steps.get(&id).cloned().unwrap_or_default()
    }

    pub fn status(&self, id: StepId) -> StepStatus {
        self.steps.get(&id).map(|s| s.status).unwrap_or_default()
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
    /// The id a session started in this folder gets: twelve hex digits of a fixed hash (FNV-1a)
    /// of the machine's name and the folder's full path. Two folders, or one path on two
    /// machines, differ; the same folder gives the same id again after its state is lost.
    pub fn folder_id(&self) -> String {
        let host = std::env::var("HOSTNAME")
            .ok()
            .or_else(|| fs::read_to_string("/etc/hostname").ok())
            .unwrap_or_default();
        let path = fs::canonicalize(&self.root).unwrap_or_else(|_| self.root.clone());
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for byte in host
            .trim()
            .bytes()
            .chain([0])
            .chain(path.to_string_lossy().bytes())
        {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
        format!("{:012x}", hash & 0xffff_ffff_ffff)
    }

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
        self.check_dir()?;
        let lang = self.lang;
        let failed = |path: &Path, err| file_error(lang, FileAction::Create, path, err);
        fs::create_dir_all(&self.dir).map_err(|e| failed(&self.dir, e))?;
        // Keep the state out of students' repositories: it holds unmasked evidence.
        let ignore = self.dir.join(".gitignore");
        if !ignore.exists() {
            fs::write(&ignore, "*\n").map_err(|e| failed(&ignore, e))?;
        }
        let path = self.dir.join("lock");
        let mut file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .read(true)
            .write(true)
            .open(&path)
            .map_err(|e| failed(&path, e))?;
        match file.try_lock() {
            Ok(()) => {
                file.set_len(0)
                    .and_then(|()| write!(file, "{}", std::process::id()))
                    .map_err(|e| failed(&path, e))?;
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
            Err(fs::TryLockError::Error(err)) => {
                Err(file_error(lang, FileAction::Lock, &path, err))
            }
        }
    }

    /// Reads the state; `None` when the workspace has none yet (and no earlier session's save is
    /// left without it).
    pub fn load(&self) -> AppResult<Option<State>> {
        self.check_dir()?;
        let path = self.state_path();
        if path.is_dir() {
            return Err(self.state_is_a_folder());
        }
        let text = match fs::read_to_string(&path) {
            Ok(text) => text,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                if self.previous_path().exists() {
                    return Err(self.state_is_missing());
                }
                return Ok(None);
            }
            Err(err) => return Err(file_error(self.lang, FileAction::Read, &path, err)),
        };
        let lang = self.lang;
        let shown = path.display();
        let damaged = |why: String| {
            let recover = self.recovery(lang);
            AppError::Workspace(t!(
                lang,
                "The state file {shown} is damaged ({why}). It was left as it is. {recover}",
                "状態ファイル {shown} が壊れています（{why}）。ファイルはそのまま残しています。{recover}"
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

    /// Where the previous generation of the state is kept.
    pub fn previous_path(&self) -> PathBuf {
        self.dir.join("state.json.prev")
    }

    /// The previous generation, when it reads as a state.
    fn previous(&self) -> Option<State> {
        fs::read_to_string(self.previous_path())
            .ok()
            .and_then(|text| serde_json::from_str::<State>(&text).ok())
    }

    /// `state.json` is gone but `state.json.prev` is there: the session lives on in that copy, so
    /// no new session is started over it (its first saves would replace the copy).
    fn state_is_missing(&self) -> AppError {
        let lang = self.lang;
        let (path, prev) = (self.state_path(), self.previous_path());
        let (shown, prev_shown) = (path.display(), prev.display());
        let Some(previous) = self.previous() else {
            return AppError::Workspace(t!(
                lang,
                "{shown} is missing, and the previous save {prev_shown} beside it does not read as a lecture06 state. Nothing was changed. If it is your session, fix it by hand (it is JSON) and copy it back: cp {prev_shown} {shown}. To start a new session instead, move it aside first: mv {prev_shown} {prev_shown}.old",
                "{shown} がありません。隣にある前回の保存 {prev_shown} も lecture06 の状態として読めません。何も変更していません。自分のセッションなら手で直して（JSON です）`cp {prev_shown} {shown}` で戻してください。新しいセッションを始めるなら、先に `mv {prev_shown} {prev_shown}.old` で退避してください。"
            ));
        };
        let when = previous.updated_at.format("%Y-%m-%d %H:%M:%S UTC");
        AppError::Workspace(t!(
            lang,
            "{shown} is missing (deleted?), but the previous save of your session, {prev_shown} ({when}), is there. lecture06 did not start a new session over it. Restore it:\n    cp {prev_shown} {shown}\nthen run the same command again (at most the last answer is asked again). To start a new session instead, move it aside first: mv {prev_shown} {prev_shown}.old",
            "{shown} がありません（削除しましたか？）。ただしセッションの前回の保存 {prev_shown}（{when}）が残っています。その上に新しいセッションは始めていません。復元するには:\n    cp {prev_shown} {shown}\nを実行してから同じコマンドを再実行してください（最後の回答を 1 つ聞き直す程度です）。新しいセッションを始めるなら、先に `mv {prev_shown} {prev_shown}.old` で退避してください。"
        ))
    }

    /// `state.json` is a folder: nothing can be read or saved until it is moved away.
    fn state_is_a_folder(&self) -> AppError {
        let lang = self.lang;
        let (path, prev) = (self.state_path(), self.previous_path());
        let (shown, prev_shown) = (path.display(), prev.display());
        let next = match self.previous() {
            Some(previous) => {
                let when = previous.updated_at.format("%Y-%m-%d %H:%M:%S UTC");
                t!(
                    lang,
                    "The previous save ({when}) reads well; restore it, keeping the folder aside:\n    mv {shown} {shown}.folder && cp {prev_shown} {shown}\nthen run the same command again.",
                    "前回の保存（{when}）は正常に読めます。フォルダーを退避して復元するには:\n    mv {shown} {shown}.folder && cp {prev_shown} {shown}\nを実行してから同じコマンドを再実行してください。"
                )
            }
            None => t!(
                lang,
                "There is no previous save to restore. Move the folder aside (mv {shown} {shown}.folder); `lecture06 run` then starts a new session, and `lecture06 cleanup` still finds the AWS resources lecture06 created by their created-by tag.",
                "復元できる前回の保存はありません。フォルダーを退避すると（`mv {shown} {shown}.folder`）、`lecture06 run` で新しいセッションを始められます。lecture06 が作成した AWS リソースは `lecture06 cleanup` が created-by タグから見つけます。"
            ),
        };
        AppError::Workspace(t!(
            lang,
            "{shown} is a folder, not lecture06's state file (replaced by hand?). Nothing was changed. {next}",
            "{shown} はフォルダーで、lecture06 の状態ファイルではありません（手で置き換えましたか？）。何も変更していません。{next}"
        ))
    }

    /// `DIR/.lecture06` is a folder or absent; anything else (a dangling or looping symbolic link,
    /// a file) is named with what to do, before anything tries to create or read in it.
    fn check_dir(&self) -> AppResult<()> {
        let lang = self.lang;
        let dir = &self.dir;
        let shown = dir.display();
        let Ok(own) = fs::symlink_metadata(dir) else {
            return Ok(());
        };
        let target = fs::read_link(dir)
            .map(|t| t.display().to_string())
            .unwrap_or_default();
        let message = match fs::metadata(dir) {
            Ok(meta) if meta.is_dir() => return Ok(()),
            Ok(_) if own.file_type().is_symlink() => t!(
                lang,
                "{shown} is a symbolic link to {target}, which is a file, not a folder. Point the link at the folder that holds the workspace's state (ln -sfn <folder> {shown}), or remove the link (rm {shown}) to start a new session.",
                "{shown} は {target} へのシンボリックリンクですが、リンク先はフォルダーではなくファイルです。ワークスペースの状態があるフォルダーを指すように直すか（`ln -sfn <フォルダー> {shown}`）、新しいセッションを始めるならリンクを削除してください（`rm {shown}`）。"
            ),
            Ok(_) => t!(
                lang,
                "{shown} is a file, but lecture06 keeps the workspace's state in a folder of that name. Move the file aside (mv {shown} {shown}.file) and run the same command again.",
                "{shown} はファイルですが、lecture06 はこの名前のフォルダーにワークスペースの状態を置きます。ファイルを退避して（`mv {shown} {shown}.file`）同じコマンドを再実行してください。"
            ),
            Err(err) if err.raw_os_error() == Some(ELOOP) => t!(
                lang,
                "{shown} is a symbolic link that loops (to {target}, which leads back through links without reaching a folder). Point it at the folder that holds the workspace's state (ln -sfn <folder> {shown}), or remove it (rm {shown}) to start a new session.",
                "{shown} はループしているシンボリックリンクです（{target} からリンクをたどってもフォルダーに着きません）。ワークスペースの状態があるフォルダーを指すように直すか（`ln -sfn <フォルダー> {shown}`）、新しいセッションを始めるなら削除してください（`rm {shown}`）。"
            ),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => t!(
                lang,
                "{shown} is a symbolic link to {target}, which does not exist (moved, deleted, or an unmounted disk?). Nothing was changed. Point the link at the folder that holds the workspace's state (ln -sfn <folder> {shown}), or remove the link (rm {shown}) to start a new session.",
                "{shown} は {target} へのシンボリックリンクですが、リンク先が存在しません（移動・削除した、またはディスクが未接続？）。何も変更していません。ワークスペースの状態があるフォルダーを指すように直すか（`ln -sfn <フォルダー> {shown}`）、新しいセッションを始めるならリンクを削除してください（`rm {shown}`）。"
            ),
            Err(err) => return Err(file_error(lang, FileAction::Read, dir, err)),
        };
        Err(AppError::Workspace(message))
    }

    /// What to do with a damaged state: restore the previous generation when it reads well, else
    /// fix it by hand; never "move it away", which loses the list of resources to clean up.
    fn recovery(&self, lang: Lang) -> String {
        let (shown, prev) = (self.state_path(), self.previous_path());
        let (shown, prev_shown) = (shown.display(), prev.display());
        match self.previous() {
            Some(previous) => {
                let when = previous.updated_at.format("%Y-%m-%d %H:%M:%S UTC");
                t!(
                    lang,
                    "The previous save ({when}) reads well; restore it, keeping the damaged file for reference:\n    mv {shown} {shown}.damaged && cp {prev_shown} {shown}\nthen run the same command again (at most the last answer is asked again).",
                    "前回の保存（{when}）は正常に読めます。壊れたファイルを残したまま復元するには:\n    mv {shown} {shown}.damaged && cp {prev_shown} {shown}\nを実行してから同じコマンドを再実行してください（最後の回答を 1 つ聞き直す程度です）。"
                )
            }
            None => t!(
                lang,
                "Fix it by hand (it is JSON) and run the same command again. Do not delete it: it lists the AWS resources lecture06 created; if it cannot be fixed, `lecture06 cleanup` still finds them by their created-by tag.",
                "手で直して（JSON です）同じコマンドを再実行してください。削除しないでください（lecture06 が作成した AWS リソースの一覧があります）。直せない場合も `lecture06 cleanup` は created-by タグからリソースを見つけられます。"
            ),
        }
    }

    /// Writes the state, keeping the one it replaces as `state.json.prev`. A failed save leaves
    /// the previous state as it was, and says so.
    pub fn save(&self, state: &State) -> AppResult<()> {
        let text = serde_json::to_vec_pretty(state).map_err(anyhow::Error::from)?;
        let path = self.state_path();
        self.keep_previous();
        write_with(&path, &text, Access::Private)
            .map_err(|e| file_error(self.lang, FileAction::Save, &path, e))
    }

    /// `state.json.prev` ← the current `state.json`, if it reads well: a hard link made beside
    /// and renamed over, so that the previous generation is always one complete file. A failure
    /// here only loses the spare copy, never the state, so it is not an error.
    fn keep_previous(&self) {
        let (path, prev) = (self.state_path(), self.previous_path());
        let good = fs::read(&path)
            .ok()
            .is_some_and(|bytes| serde_json::from_slice::<State>(&bytes).is_ok());
        if !good {
            return;
        }
        let temp = self
            .dir
            .join(format!(".state.json.prev.{}.tmp", std::process::id()));
        let _ = fs::remove_file(&temp);
        let linked = fs::hard_link(&path, &temp).or_else(|_| fs::copy(&path, &temp).map(|_| ()));
        if linked.and_then(|()| fs::rename(&temp, &prev)).is_err() {
            let _ = fs::remove_file(&temp);
        }
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
        write_with(&path, bytes, Access::Private)
            .map_err(|e| file_error(self.lang, FileAction::Save, &path, e))?;
        Ok(path)
    }
}

mod file_error;

pub use file_error::{FileAction, file_error};

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
    fn root_owned_workspace_after_sudo_suggests_chown() {
        // `/etc` belongs to root on every Unix; the error is the one a non-root user gets there.
        let path = Path::new("/etc/course/.lecture06/state.json");
        let err = std::io::Error::from(std::io::ErrorKind::PermissionDenied);
        let text = file_error(Lang::En, FileAction::Save, path, err).to_string();
        assert!(text.contains("/etc/course/.lecture06/state.json"), "{text}");
        assert!(text.contains("sudo chown -R $USER /etc/course"), "{text}");
        assert!(text.contains("previous content is unchanged"), "{text}");
    }

    #[test]
    fn nfs_lock_failure_is_explained() {
        let path = Path::new("/home/student/.lecture06/lock");
        let err = std::io::Error::from_raw_os_error(37); // ENOLCK on Linux
        let text = file_error(Lang::En, FileAction::Lock, path, err).to_string();
        assert!(text.contains("does not support file locks"), "{text}");
        assert!(text.contains("local disk"), "{text}");
    }

    #[test]
    fn each_save_keeps_the_previous_generation() {
        let dir = tempfile::tempdir().unwrap();
        let ws = Workspace::at(dir.path(), Lang::En);
        let mut state = State::new(Mode::Sandbox, now());
        ws.save(&state).unwrap();
        assert!(!ws.previous_path().exists(), "nothing to keep yet");
        let first = fs::read(ws.state_path()).unwrap();
        state.region = Some("ap-northeast-1".into());
        ws.save(&state).unwrap();
        assert_eq!(fs::read(ws.previous_path()).unwrap(), first);
        // A damaged file is never kept as the previous generation.
        fs::write(ws.state_path(), "{").unwrap();
        ws.save(&state).unwrap();
        assert_eq!(fs::read(ws.previous_path()).unwrap(), first);
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
