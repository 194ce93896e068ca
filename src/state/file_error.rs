//! What a failed file operation on the workspace tells the student: which file, what went
//! wrong (a full disk, a folder owned by root after `sudo`, a lock refused by a network drive) and
//! the command that fixes it.

use super::STATE_DIR;
use crate::error::AppError;
use crate::i18n::Lang;
use crate::t;
use std::fs;
use std::path::Path;

/// What was being done to a file when it failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileAction {
    Read,
    /// Writing the state or evidence (atomically: the previous content stays).
    Save,
    Create,
    Lock,
    Move,
}

/// A file-system error as the student can act on it: the path, what happened in words, and what
/// to do next (free space, take back a folder `sudo` left owned by root, use a local folder when
/// the file system cannot lock).
pub fn file_error(lang: Lang, action: FileAction, path: &Path, err: std::io::Error) -> AppError {
    use std::io::ErrorKind;
    let shown = path.display();
    let doing = match action {
        FileAction::Read => lang.pick("read", "読み込め"),
        FileAction::Save => lang.pick("save", "保存でき"),
        FileAction::Create => lang.pick("create", "作成でき"),
        FileAction::Lock => lang.pick("lock", "ロックでき"),
        FileAction::Move => lang.pick("move", "移動でき"),
    };
    let kept = if action == FileAction::Save {
        lang.pick(
            "; the previous content is unchanged",
            "。以前の内容は変更されていません",
        )
    } else {
        ""
    };
    let dir = path.parent().unwrap_or(path);
    let folder = dir.display();
    let raw = err.raw_os_error();
    let (what, next) = if err.kind() == ErrorKind::StorageFull || raw == Some(28) {
        (
            lang.pick("the disk is full", "ディスクがいっぱいです"),
            t!(
                lang,
                "Free some space (`df -h {folder}` shows what is left), then run the same command again.",
                "空き容量を作ってから（`df -h {folder}` で残りを確認できます）同じコマンドを再実行してください。"
            ),
        )
    } else if err.kind() == ErrorKind::ReadOnlyFilesystem || raw == Some(30) {
        (
            lang.pick(
                "the file system is read-only",
                "ファイルシステムが読み取り専用です",
            ),
            t!(
                lang,
                "Use a folder you can write to (--dir).",
                "書き込めるフォルダーを --dir で指定してください。"
            ),
        )
    } else if err.kind() == ErrorKind::PermissionDenied {
        let root_owned = owned_by_root(path);
        let workspace = workspace_root(path).display().to_string();
        let next = if root_owned {
            t!(
                lang,
                "It belongs to root (was lecture06 run with sudo?). Take it back with `sudo chown -R $USER {workspace}` and run again without sudo.",
                "root の所有になっています（sudo で実行しましたか？）。`sudo chown -R $USER {workspace}` で所有者を戻し、sudo なしで再実行してください。"
            )
        } else {
            t!(
                lang,
                "Check the rights of {folder} (`ls -ld {folder}`), or use a folder you own (--dir).",
                "{folder} の権限を確認するか（`ls -ld {folder}`）、自分のフォルダーを --dir で指定してください。"
            )
        };
        (lang.pick("permission denied", "権限がありません"), next)
    } else if action == FileAction::Lock
        && (raw == Some(37) || err.kind() == ErrorKind::Unsupported)
    {
        (
            lang.pick(
                "the file system does not support file locks (a network file system such as NFS?)",
                "ファイルシステムがファイルロックに対応していません（NFS などのネットワークファイルシステム？）",
            ),
            t!(
                lang,
                "Use a folder on a local disk (--dir), where lecture06 can make sure no two runs change the workspace at once.",
                "ローカルディスク上のフォルダーを --dir で指定してください（同時に 2 つ実行されないよう確認するためにロックが必要です）。"
            ),
        )
    } else {
        (
            "",
            lang.pick(
                "Run the same command again.",
                "同じコマンドを再実行してください。",
            )
            .to_string(),
        )
    };
    let what = if what.is_empty() {
        err.to_string()
    } else {
        format!("{what} ({err})")
    };
    AppError::Workspace(t!(
        lang,
        "Could not {doing} {shown}: {what}{kept}. {next}",
        "{shown} を{doing}ませんでした: {what}{kept}。{next}"
    ))
}

/// Whether the file, or the nearest folder above it that exists, belongs to root.
fn owned_by_root(path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        path.ancestors()
            .find_map(|p| fs::metadata(p).ok())
            .is_some_and(|m| m.uid() == 0)
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        false
    }
}

/// The workspace folder a path inside `.lecture06/` belongs to (the folder itself otherwise).
fn workspace_root(path: &Path) -> &Path {
    path.ancestors()
        .find(|p| p.file_name().is_some_and(|n| n == STATE_DIR))
        .and_then(Path::parent)
        .unwrap_or(path)
}
