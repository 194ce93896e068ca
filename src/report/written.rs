//! What `lecture06 report` last wrote at each path, so that a report the student edited by hand
//! is never overwritten and a file lecture06 did not write is never deleted (issue 13). README
//! invites editing `lecture06.md`; running `report` again used to replace it without a look.
//!
//! Kept in `DIR/.lecture06/written.json` (ignored by git with the rest of that folder):
//! `{"format": 1, "files": {"<absolute path>": "<the content lecture06 wrote there>"}}`. A copy
//! rather than a hash: reports are a few KB, and a copy needs no hashing crate and compares
//! exactly. A file on disk is lecture06's when it equals that copy; anything else (an edit, a file
//! written by hand or by an older lecture06 that kept no record) is the student's.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub const FILE: &str = "written.json";
const FORMAT: u32 = 1;

#[derive(Debug, Default, Serialize, Deserialize)]
struct Record {
    format: u32,
    files: BTreeMap<String, String>,
}

/// The record, loaded from and saved to one file.
#[derive(Debug)]
pub struct Written {
    path: PathBuf,
    record: Record,
}

/// Where a file stands before lecture06 writes it.
#[derive(Debug, PartialEq, Eq)]
pub enum OnDisk {
    /// Nothing there.
    Absent,
    /// Exactly what lecture06 last wrote there, or exactly what it is about to write.
    Ours,
    /// Anything else: the student's text.
    Theirs,
}

/// The key of a path: absolute (symbolic links are not resolved: the path as the student gave it).
fn key(path: &Path) -> String {
    std::path::absolute(path)
        .unwrap_or_else(|_| path.to_path_buf())
        .to_string_lossy()
        .into_owned()
}

impl Written {
    /// The record at `path` (`DIR/.lecture06/written.json`); empty when there is none or it
    /// cannot be read (then every existing file counts as the student's, which is the safe side).
    pub fn load(path: &Path) -> Written {
        let record = std::fs::read_to_string(path)
            .ok()
            .and_then(|text| serde_json::from_str::<Record>(&text).ok())
            .filter(|r| r.format == FORMAT)
            .unwrap_or_default();
        Written {
            path: path.to_path_buf(),
            record,
        }
    }

    /// Where the file at `path` stands, given what lecture06 is about to write there.
    pub fn on_disk(&self, path: &Path, new: &str) -> std::io::Result<OnDisk> {
        let current = match std::fs::read(path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(OnDisk::Absent),
            Err(e) => return Err(e),
        };
        let last = self.record.files.get(&key(path));
        if current == new.as_bytes() || last.is_some_and(|last| current == last.as_bytes()) {
            Ok(OnDisk::Ours)
        } else {
            Ok(OnDisk::Theirs)
        }
    }

    /// Whether the file at `path` is exactly what lecture06 last wrote there (and so may go).
    pub fn is_ours(&self, path: &Path) -> bool {
        let Some(last) = self.record.files.get(&key(path)) else {
            return false;
        };
        std::fs::read(path).is_ok_and(|current| current == last.as_bytes())
    }

    pub fn remember(&mut self, path: &Path, content: &str) {
        self.record.files.insert(key(path), content.to_string());
    }

    pub fn forget(&mut self, path: &Path) {
        self.record.files.remove(&key(path));
    }

    /// Where the record is kept (`DIR/.lecture06/written.json`).
    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn save(&mut self) -> std::io::Result<()> {
        self.record.format = FORMAT;
        let text = serde_json::to_string_pretty(&self.record).map_err(std::io::Error::other)?;
        crate::atomic_file::write_atomically(&self.path, text.as_bytes())
    }
}

/// Copies the student's file at `from` to `to` (a name `kept_copy_path` gave) whole or not at
/// all: a full disk leaves no empty or half "copy" that looks like a backup.
pub fn keep_copy(from: &Path, to: &Path) -> std::io::Result<()> {
    let bytes = std::fs::read(from)?;
    crate::atomic_file::write_atomically(to, &bytes)
}

/// Where the student's version of `path` is kept: `lecture06.md` → `lecture06.edited-<stamp>.md`
/// beside it (`-2`, `-3`… when that name is taken).
pub fn kept_copy_path(path: &Path, stamp: &str) -> PathBuf {
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let extension = path
        .extension()
        .map(|e| format!(".{}", e.to_string_lossy()))
        .unwrap_or_default();
    (1..)
        .map(|n| {
            let suffix = if n == 1 {
                String::new()
            } else {
                format!("-{n}")
            };
            path.with_file_name(format!("{stem}.edited-{stamp}{suffix}{extension}"))
        })
        .find(|candidate| !candidate.exists())
        .expect("a free name")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_is_ours_only_while_it_equals_what_was_written() {
        let dir = tempfile::tempdir().unwrap();
        let record = dir.path().join(".lecture06").join(FILE);
        let report = dir.path().join("lecture06.md");
        let mut written = Written::load(&record);
        assert_eq!(written.on_disk(&report, "new").unwrap(), OnDisk::Absent);
        std::fs::write(&report, "by hand").unwrap();
        assert_eq!(written.on_disk(&report, "new").unwrap(), OnDisk::Theirs);
        assert_eq!(written.on_disk(&report, "by hand").unwrap(), OnDisk::Ours);
        std::fs::write(&report, "v1").unwrap();
        written.remember(&report, "v1");
        written.save().unwrap();
        let mut written = Written::load(&record);
        assert_eq!(written.on_disk(&report, "v2").unwrap(), OnDisk::Ours);
        assert!(written.is_ours(&report));
        std::fs::write(&report, "v1 and my notes").unwrap();
        assert_eq!(written.on_disk(&report, "v2").unwrap(), OnDisk::Theirs);
        assert!(!written.is_ours(&report));
        written.forget(&report);
        std::fs::write(&report, "v1").unwrap();
        assert!(!written.is_ours(&report));
    }

    #[test]
    fn kept_copies_never_take_a_used_name() {
        let dir = tempfile::tempdir().unwrap();
        let report = dir.path().join("lecture06.md");
        let first = kept_copy_path(&report, "20261121-100000");
        assert_eq!(
            first.file_name().unwrap(),
            "lecture06.edited-20261121-100000.md"
        );
        std::fs::write(&first, "x").unwrap();
        let second = kept_copy_path(&report, "20261121-100000");
        assert_eq!(
            second.file_name().unwrap(),
            "lecture06.edited-20261121-100000-2.md"
        );
    }
}
