//! Writing a file so that it is always either the old or the new content, never half of each:
//! the state, the evidence, the sandbox's world and the report all go through here. A leaf: it
//! imports nothing of the app.
//!
//! A failed write (disk full, permission denied) removes its temp file, so that the space that was
//! short is not eaten by a half-written copy, and leaves the old file as it was.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

/// Test hook: when set to a file name (or a name's beginning followed by `*`), writing that file
/// fails half-way with "No space left on device", at the same place a full disk fails (used by
/// the integration tests; a tmpfs mount needs root, which CI does not have). It acts only once
/// `allow_test_hooks` was called (a `--sandbox` run) or in unit tests: a variable left in a
/// student's shell never breaks work on a real account.
pub const DISK_FULL_ENV: &str = "LECTURE06_TEST_DISK_FULL";

static TEST_HOOKS: AtomicBool = AtomicBool::new(cfg!(test));

/// Lets `DISK_FULL_ENV` act in this process (the simulated account's runs).
pub fn allow_test_hooks() {
    TEST_HOOKS.store(true, Ordering::Relaxed);
}

/// Whether the disk-full hook is set for a file called `name`.
fn disk_full_wanted(name: &str) -> bool {
    TEST_HOOKS.load(Ordering::Relaxed)
        && std::env::var(DISK_FULL_ENV).is_ok_and(|wanted| match wanted.strip_suffix('*') {
            Some(start) => name.starts_with(start),
            None => wanted == name,
        })
}

/// Who may read the file written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// As the umask says (the report, which is meant to be shared).
    Shared,
    /// Only the owner (0600 on Unix): the state and the evidence hold unmasked e-mail addresses,
    /// IP addresses and the account ID. Kept on every rewrite, so a `chmod 600` is never undone.
    Private,
}

/// Writes `bytes` to `path` for anyone the umask allows to read it (see `write_with`).
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    write_with(path, bytes, Access::Shared)
}

/// Writes `bytes` to `path`: temp file in the same directory, fsync, rename, fsync of the
/// directory. On failure the temp file is removed and `path` is untouched.
pub fn write_with(path: &Path, bytes: &[u8], access: Access) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(dir)?;
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("file");
    let temp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let written = write_temp(&temp, name, bytes, access).and_then(|()| fs::rename(&temp, path));
    if let Err(err) = written {
        let _ = fs::remove_file(&temp);
        return Err(err);
    }
    if let Ok(dir) = File::open(dir) {
        let _ = dir.sync_all();
    }
    Ok(())
}

fn write_temp(temp: &PathBuf, name: &str, bytes: &[u8], access: Access) -> std::io::Result<()> {
    let mut options = OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    if access == Access::Private {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(temp)?;
    #[cfg(unix)]
    if access == Access::Private {
        // A temp file left by an older run may have been created with wider rights.
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(fs::Permissions::from_mode(0o600))?;
    }
    if disk_full_wanted(name) {
        file.write_all(&bytes[..bytes.len() / 2])?;
        return Err(std::io::Error::from_raw_os_error(28));
    }
    file.write_all(bytes)?;
    file.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn private_files_are_0600_and_stay_so_after_a_rewrite() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        write_with(&path, b"one", Access::Private).unwrap();
        let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&path), 0o600);
        fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
        write_with(&path, b"two", Access::Private).unwrap();
        assert_eq!(mode(&path), 0o600);
        assert_eq!(fs::read(&path).unwrap(), b"two");
    }
}
