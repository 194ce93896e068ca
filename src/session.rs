//! The session's own flags, and the one function that builds every "run this next" command from
//! them: a hint printed in a `--sandbox --dir w` session must not send the student to their real
//! account or another folder. A leaf: the CLI fills it, every layer that prints a hint reads it.

use crate::i18n::Lang;
use std::path::PathBuf;

/// The global flags the student gave this invocation.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Session {
    pub dir: PathBuf,
    pub sandbox: bool,
    pub profile: Option<String>,
    pub region: Option<String>,
    /// `--lang`, when it was given (a language from `LANG` needs no flag).
    pub lang: Option<Lang>,
}

/// `text` as one shell word: as it is when it is plain, else in single quotes.
pub fn shell_word(text: &str) -> String {
    let plain = !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:=@".contains(c));
    if plain {
        text.to_string()
    } else {
        format!("'{}'", text.replace('\'', "'\\''"))
    }
}

impl Session {
    /// `lecture06 <the session's flags> <what>`: `what` is the command and its own arguments
    /// (`run --step alarm`, `report`).
    pub fn command(&self, what: &str) -> String {
        let mut parts = vec!["lecture06".to_string()];
        if self.dir != std::path::Path::new(".") && !self.dir.as_os_str().is_empty() {
            parts.push(format!("--dir {}", shell_word(&self.dir.to_string_lossy())));
        }
        if self.sandbox {
            parts.push("--sandbox".into());
        }
        if let Some(profile) = &self.profile {
            parts.push(format!("--profile {}", shell_word(profile)));
        }
        if let Some(region) = &self.region {
            parts.push(format!("--region {}", shell_word(region)));
        }
        if let Some(lang) = self.lang {
            parts.push(format!("--lang {}", lang.code()));
        }
        parts.push(what.to_string());
        parts.join(" ")
    }

    /// The command that runs step `id` again: `lecture06 <flags> run --step <id>`.
    pub fn rerun(&self, id: &str) -> String {
        self.command(&format!("run --step {id}"))
    }
}

/// The subcommands a hint may name (`lecture06 run`, `lecture06 report` …).
const SUBCOMMANDS: &[&str] = &[
    "run",
    "status",
    "report",
    "guide",
    "reset",
    "cleanup",
    "trail",
    "iam-policy",
];

impl Session {
    /// `text` with every hint written as `` `lecture06 <command> …` `` given this session's flags,
    /// so a message written once reads right in any session. A hint that already names flags
    /// (`` `lecture06 --sandbox run` ``) is left as it is.
    pub fn with_flags(&self, text: &str) -> String {
        const START: &str = "`lecture06 ";
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(at) = rest.find(START) {
            out.push_str(&rest[..at]);
            let after = &rest[at + START.len()..];
            let Some(end) = after.find('`') else {
                out.push_str(&rest[at..]);
                return out;
            };
            let what = &after[..end];
            let first = what.split_whitespace().next().unwrap_or_default();
            if SUBCOMMANDS.contains(&first) {
                out.push('`');
                out.push_str(&self.command(what));
                out.push('`');
            } else {
                out.push_str(&rest[at..at + START.len() + end + 1]);
            }
            rest = &after[end + 1..];
        }
        out.push_str(rest);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hint_keeps_every_flag_of_the_session() {
        let session = Session {
            dir: PathBuf::from("my work"),
            sandbox: true,
            profile: None,
            region: Some("ap-northeast-1".into()),
            lang: Some(Lang::Ja),
        };
        assert_eq!(
            session.command("run --step estimate"),
            "lecture06 --dir 'my work' --sandbox --region ap-northeast-1 --lang ja run --step estimate"
        );
        let plain = Session {
            dir: PathBuf::from("."),
            ..Session::default()
        };
        assert_eq!(plain.command("report"), "lecture06 report");
        assert_eq!(shell_word("it's"), "'it'\\''s'");
    }

    #[test]
    fn every_hint_in_a_message_gets_the_sessions_flags() {
        let session = Session {
            dir: PathBuf::from("w"),
            sandbox: true,
            ..Session::default()
        };
        let said = session.with_flags(
            "再実行: `lecture06 run --step estimate`。一覧は `lecture06 status`、`lecture06 --sandbox run` はそのまま、`ls` も。",
        );
        assert_eq!(
            said,
            "再実行: `lecture06 --dir w --sandbox run --step estimate`。一覧は `lecture06 --dir w --sandbox status`、`lecture06 --sandbox run` はそのまま、`ls` も。"
        );
        let plain = Session {
            dir: PathBuf::from("."),
            ..Session::default()
        };
        assert_eq!(plain.with_flags("`lecture06 report`"), "`lecture06 report`");
    }
}
