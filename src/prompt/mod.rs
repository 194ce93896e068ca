//! Asking the student. Two implementations behind one trait: the terminal (dialoguer) and the
//! scripted one used with `--yes` or without a TTY, which takes the answers file's entry, else the
//! default, and otherwise stops with exit code 2 naming the answers-file key to add.
//!
//! The answers file is TOML with one table per step (`[cloudtrail] user = "student"`); the keys
//! are listed in the README. In a terminal, an entry is offered as the default.

use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use crate::t;
use std::collections::BTreeMap;
use std::path::Path;

mod terminal;
pub mod theme;

pub use terminal::Terminal;

/// One question: where its answer lives in the answers file (`[table] key`), what is asked, and
/// the default taken with `--yes`.
pub struct Ask<'a> {
    pub table: &'a str,
    pub key: &'a str,
    pub prompt: String,
    pub default: Option<String>,
}

#[derive(Clone, Debug)]
pub struct Choice {
    /// What an answers file names this choice by.
    pub id: String,
    pub label: String,
}

pub type Validate<'a> = &'a dyn Fn(&str) -> Result<(), String>;

pub trait Prompter {
    fn is_interactive(&self) -> bool;
    fn text(&mut self, ask: &Ask, validate: Validate) -> AppResult<String>;
    /// Free text of several lines (may be empty); `None` when there is no answer to give (no
    /// answers-file entry under `--yes`).
    fn lines(&mut self, ask: &Ask) -> AppResult<Option<String>>;
    fn confirm(&mut self, ask: &Ask, default: bool) -> AppResult<bool>;
    fn select(&mut self, ask: &Ask, choices: &[Choice], default: usize) -> AppResult<usize>;
    /// Exactly `count` choices; in an answers file, a list of ids (or one comma-separated string).
    fn multi_select(
        &mut self,
        ask: &Ask,
        choices: &[Choice],
        defaults: &[usize],
        count: usize,
    ) -> AppResult<Vec<usize>>;
}

/// The parsed answers file (`--answers FILE`).
#[derive(Clone, Debug, Default)]
pub struct Answers {
    tables: BTreeMap<String, toml::Table>,
}

impl Answers {
    pub fn load(path: &Path, lang: Lang) -> AppResult<Answers> {
        let shown = path.display();
        let text = std::fs::read_to_string(path).map_err(|e| {
            AppError::Usage(t!(
                lang,
                "Cannot read the answers file {shown}: {e}",
                "回答ファイル {shown} を読めません: {e}"
            ))
        })?;
        Answers::parse(&text, lang).map_err(|e| {
            AppError::Usage(t!(
                lang,
                "The answers file {shown} is not valid: {e}",
                "回答ファイル {shown} が正しくありません: {e}"
            ))
        })
    }

    pub fn parse(text: &str, lang: Lang) -> Result<Answers, String> {
        let table: toml::Table = text.parse().map_err(|e: toml::de::Error| e.to_string())?;
        let mut tables = BTreeMap::new();
        for (name, value) in table {
            match value {
                toml::Value::Table(t) => {
                    tables.insert(name, t);
                }
                _ => {
                    return Err(t!(
                        lang,
                        "`{name}` must be a table such as [cloudtrail] with its keys below it",
                        "`{name}` は [cloudtrail] のようなテーブルとして書き、その下にキーを並べてください"
                    ));
                }
            }
        }
        Ok(Answers { tables })
    }

    /// Refuses a table or key no code reads (`[alarm] threshhold`, `[cloudtrial]`), naming it and
    /// the nearest known one: a misspelt entry would otherwise be ignored and a default used.
    /// `known` lists each table with its keys.
    pub fn check_known(&self, known: &[(&str, Vec<&str>)], lang: Lang) -> Result<(), String> {
        for (table, entries) in &self.tables {
            let Some((_, keys)) = known.iter().find(|(name, _)| name == table) else {
                let tables: Vec<&str> = known.iter().map(|(name, _)| *name).collect();
                let hint = did_you_mean(table, &tables, lang, |t| format!("[{t}]"));
                return Err(t!(
                    lang,
                    "[{table}] is not a table lecture06 reads{hint}. Known tables: {}.",
                    "[{table}] は lecture06 が読むテーブルではありません{hint}。使えるテーブル: {}。",
                    tables.join(", ")
                ));
            };
            for key in entries.keys() {
                if !keys.contains(&key.as_str()) {
                    let hint = did_you_mean(key, keys, lang, |k| format!("`{k}`"));
                    return Err(t!(
                        lang,
                        "[{table}] {key} is not a key lecture06 reads{hint}. Keys of [{table}]: {}.",
                        "[{table}] {key} は lecture06 が読むキーではありません{hint}。[{table}] のキー: {}。",
                        keys.join(", ")
                    ));
                }
            }
        }
        Ok(())
    }

    /// The entry as lines of text: a (multi-line) string as it is, a list one item per line.
    pub fn get_lines(&self, table: &str, key: &str) -> Option<String> {
        let value = self.tables.get(table)?.get(key)?;
        Some(match value {
            toml::Value::String(s) => s.trim_end().to_string(),
            other => as_text(other, "\n"),
        })
    }

    /// The entry as text (numbers and booleans as written; lists joined with commas).
    pub fn get(&self, table: &str, key: &str) -> Option<String> {
        let value = self.tables.get(table)?.get(key)?;
        Some(as_text(value, ","))
    }
}

/// ` (did you mean `threshold`?)` when a known name is close to `wanted` (at most a third of its
/// letters different), else nothing.
fn did_you_mean(
    wanted: &str,
    known: &[&str],
    lang: Lang,
    shown: impl Fn(&str) -> String,
) -> String {
    let nearest = known
        .iter()
        .map(|k| (edit_distance(wanted, k), *k))
        .min()
        .filter(|(distance, k)| *distance <= k.chars().count().max(3) / 3);
    match nearest {
        Some((_, k)) => {
            let k = shown(k);
            t!(lang, " (did you mean {k}?)", "（{k} の誤りでは？）")
        }
        None => String::new(),
    }
}

/// Levenshtein distance, in characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (above + 1)
                .min(row[j] + 1)
                .min(diagonal + usize::from(ca != *cb));
            diagonal = above;
        }
    }
    row[b.len()]
}

/// A TOML value as text: strings as they are, lists joined with `separator`, anything else as
/// written.
fn as_text(value: &toml::Value, separator: &str) -> String {
    match value {
        toml::Value::String(s) => s.clone(),
        toml::Value::Array(items) => items
            .iter()
            .map(|v| {
                v.as_str()
                    .map(str::to_string)
                    .unwrap_or_else(|| v.to_string())
            })
            .collect::<Vec<_>>()
            .join(separator),
        other => other.to_string(),
    }
}

/// A yes or no typed or written in an answers file, in either language.
fn parse_bool(text: &str) -> Option<bool> {
    match text.trim().to_ascii_lowercase().as_str() {
        "true" | "yes" | "y" | "1" | "はい" => Some(true),
        "false" | "no" | "n" | "0" | "いいえ" => Some(false),
        _ => None,
    }
}

fn find_choice(choices: &[Choice], wanted: &str) -> Option<usize> {
    let wanted = wanted.trim();
    choices.iter().position(|c| c.id == wanted).or_else(|| {
        wanted
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=choices.len()).contains(n))
            .map(|n| n - 1)
    })
}

/// What a select's answer may be: its place in the list (1–n), or its id; ids are listed only when
/// they are words a person can type (not event IDs, which are UUIDs).
fn expected_choice(choices: &[Choice], lang: Lang) -> String {
    let n = choices.len();
    let ids: Vec<&str> = choices.iter().map(|c| c.id.as_str()).collect();
    if ids.iter().all(|id| id.len() <= 24) {
        t!(
            lang,
            "expected 1–{n} (its place in the list) or one of: {}",
            "1〜{n}（一覧での番号）または次のいずれかを指定してください: {}",
            ids.join(", ")
        )
    } else {
        t!(
            lang,
            "expected 1–{n} (its place in the list, 1 = the first) or the ID of one listed",
            "1〜{n}（一覧での番号。1 が先頭）または一覧にある ID を指定してください"
        )
    }
}

/// `--yes`, or no terminal: never waits for a person.
pub struct Scripted {
    pub answers: Answers,
    pub lang: Lang,
}

impl Scripted {
    fn missing(&self, ask: &Ask) -> AppError {
        let (table, key) = (ask.table, ask.key);
        let prompt = &ask.prompt;
        AppError::Usage(t!(
            self.lang,
            "No answer for \"{prompt}\": add `{key} = …` under [{table}] in the answers file given with --answers (or run in a terminal without --yes to be asked).",
            "「{prompt}」への回答がありません。--answers で渡す回答ファイルの [{table}] に `{key} = …` を書いてください（または --yes を付けずに端末で実行すると質問されます）。"
        ))
    }

    fn invalid(&self, ask: &Ask, value: &str, why: &str) -> AppError {
        let (table, key) = (ask.table, ask.key);
        AppError::Usage(t!(
            self.lang,
            "The answer [{table}] {key} = \"{value}\" cannot be used: {why}",
            "回答 [{table}] {key} = \"{value}\" は使えません: {why}"
        ))
    }
}

impl Prompter for Scripted {
    fn is_interactive(&self) -> bool {
        false
    }

    fn lines(&mut self, ask: &Ask) -> AppResult<Option<String>> {
        Ok(self.answers.get_lines(ask.table, ask.key))
    }

    fn text(&mut self, ask: &Ask, validate: Validate) -> AppResult<String> {
        let value = self
            .answers
            .get(ask.table, ask.key)
            .or_else(|| ask.default.clone())
            .ok_or_else(|| self.missing(ask))?;
        validate(&value).map_err(|why| self.invalid(ask, &value, &why))?;
        Ok(value)
    }

    fn confirm(&mut self, ask: &Ask, default: bool) -> AppResult<bool> {
        match self.answers.get(ask.table, ask.key) {
            None => Ok(default),
            Some(value) => parse_bool(&value)
                .ok_or_else(|| self.invalid(ask, &value, "expected true or false")),
        }
    }

    fn select(&mut self, ask: &Ask, choices: &[Choice], default: usize) -> AppResult<usize> {
        match self.answers.get(ask.table, ask.key) {
            None => Ok(default),
            Some(value) => find_choice(choices, &value).ok_or_else(|| {
                let why = expected_choice(choices, self.lang);
                self.invalid(ask, &value, &why)
            }),
        }
    }

    fn multi_select(
        &mut self,
        ask: &Ask,
        choices: &[Choice],
        defaults: &[usize],
        count: usize,
    ) -> AppResult<Vec<usize>> {
        let Some(value) = self.answers.get(ask.table, ask.key) else {
            return Ok(defaults.to_vec());
        };
        let mut picked = Vec::new();
        for part in value.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let index = find_choice(choices, part).ok_or_else(|| {
                let why = t!(
                    self.lang,
                    "\"{part}\": {}",
                    "「{part}」: {}",
                    expected_choice(choices, self.lang)
                );
                self.invalid(ask, &value, &why)
            })?;
            if !picked.contains(&index) {
                picked.push(index);
            }
        }
        if picked.len() != count {
            let why = t!(
                self.lang,
                "pick exactly {count}",
                "ちょうど {count} 個選んでください"
            );
            return Err(self.invalid(ask, &value, &why));
        }
        Ok(picked)
    }
}

pub fn interrupted(lang: Lang) -> AppError {
    AppError::Interrupted(interrupted_text(lang, "lecture06 run"))
}

/// What an interruption says; `resume` is the command that continues, with the flags the student
/// gave (`lecture06 --dir ws --sandbox run`).
pub fn interrupted_text(lang: Lang, resume: &str) -> String {
    t!(
        lang,
        "Interrupted. Everything answered so far is saved; `{resume}` continues from here.",
        "中断しました。ここまでの回答は保存されています。`{resume}` で続きから再開できます。"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ask<'a>(default: Option<&str>) -> Ask<'a> {
        Ask {
            table: "cloudtrail",
            key: "user",
            prompt: "IAM user name".into(),
            default: default.map(str::to_string),
        }
    }

    #[test]
    fn scripted_takes_entry_then_default_then_names_the_key() {
        let answers = Answers::parse("[cloudtrail]\nuser = \"kan1\"\n", Lang::En).unwrap();
        let mut with_entry = Scripted {
            answers,
            lang: Lang::En,
        };
        assert_eq!(
            with_entry.text(&ask(Some("student")), &|_| Ok(())).unwrap(),
            "kan1"
        );

        let mut empty = Scripted {
            answers: Answers::default(),
            lang: Lang::En,
        };
        assert_eq!(
            empty.text(&ask(Some("student")), &|_| Ok(())).unwrap(),
            "student"
        );
        let err = empty.text(&ask(None), &|_| Ok(())).unwrap_err();
        assert_eq!(err.exit_code(), 2);
        assert!(
            err.to_string().contains("`user = …` under [cloudtrail]"),
            "{err}"
        );
    }

    #[test]
    fn scripted_rejects_invalid_entries_with_exit_2() {
        let answers = Answers::parse("[cloudtrail]\nuser = \"\"\n", Lang::En).unwrap();
        let mut scripted = Scripted {
            answers,
            lang: Lang::En,
        };
        let err = scripted
            .text(&ask(None), &|v| {
                if v.is_empty() {
                    Err("empty".into())
                } else {
                    Ok(())
                }
            })
            .unwrap_err();
        assert_eq!(err.exit_code(), 2);
        assert!(err.to_string().contains("empty"));
    }

    #[test]
    fn multi_select_takes_lists_and_checks_the_count() {
        let choices: Vec<Choice> = ["a", "b", "c", "d"]
            .iter()
            .map(|id| Choice {
                id: id.to_string(),
                label: id.to_string(),
            })
            .collect();
        let answers =
            Answers::parse("[t]\nk = [\"d\", \"a\", \"b\"]\nbad = \"a,b\"\n", Lang::En).unwrap();
        let mut scripted = Scripted {
            answers,
            lang: Lang::En,
        };
        let ask_k = Ask {
            table: "t",
            key: "k",
            prompt: "p".into(),
            default: None,
        };
        assert_eq!(
            scripted
                .multi_select(&ask_k, &choices, &[0, 1, 2], 3)
                .unwrap(),
            vec![3, 0, 1]
        );
        let ask_bad = Ask {
            table: "t",
            key: "bad",
            prompt: "p".into(),
            default: None,
        };
        assert!(
            scripted
                .multi_select(&ask_bad, &choices, &[0, 1, 2], 3)
                .is_err()
        );
    }

    #[test]
    fn misspelt_answers_keys_and_tables_name_the_nearest_known_one() {
        let known = vec![
            ("alarm", vec!["threshold", "email"]),
            ("estimate", vec!["hours_per_month", "s3_gb"]),
            ("cloudtrail", vec!["user", "event"]),
        ];
        let check = |text: &str| {
            Answers::parse(text, Lang::En)
                .unwrap()
                .check_known(&known, Lang::En)
        };
        assert_eq!(check("[alarm]\nthreshold = 3\n"), Ok(()));
        let err = check("[alarm]\nthreshhold = 3\n").unwrap_err();
        assert!(
            err.contains("[alarm] threshhold") && err.contains("did you mean `threshold`?"),
            "{err}"
        );
        let err = check("[estimate]\nhours_per_mnth = 700\n").unwrap_err();
        assert!(err.contains("did you mean `hours_per_month`?"), "{err}");
        let err = check("[cloudtrial]\nuser = \"x\"\n").unwrap_err();
        assert!(
            err.contains("[cloudtrial]") && err.contains("did you mean [cloudtrail]?"),
            "{err}"
        );
        let err = check("[alarm]\nwebhook = \"x\"\n").unwrap_err();
        assert!(!err.contains("did you mean"), "nothing close: {err}");
    }

    #[test]
    fn an_event_number_out_of_range_names_the_range_not_the_uuids() {
        let choices: Vec<Choice> = (0..10)
            .map(|i| Choice {
                id: format!("7b6c1a53-8f0e-4f3c-9d6e-0a1b2c3d4e{i:02}"),
                label: format!("event {i}"),
            })
            .collect();
        let mut scripted = Scripted {
            answers: Answers::parse("[cloudtrail]\nevent = 99\n", Lang::En).unwrap(),
            lang: Lang::En,
        };
        let ask = Ask {
            table: "cloudtrail",
            key: "event",
            prompt: "Which event?".into(),
            default: None,
        };
        let err = scripted.select(&ask, &choices, 0).unwrap_err().to_string();
        assert!(
            err.contains("1–10") && err.contains("ID of one listed"),
            "{err}"
        );
        assert!(!err.contains("7b6c1a53"), "no UUIDs: {err}");
        let short = [Choice {
            id: "manual".into(),
            label: "by hand".into(),
        }];
        let err = scripted
            .select(
                &Ask {
                    key: "event",
                    ..ask
                },
                &short,
                0,
            )
            .unwrap_err()
            .to_string();
        assert!(err.contains("1–1") && err.contains("manual"), "{err}");
    }

    #[test]
    fn answers_file_must_be_tables() {
        assert!(Answers::parse("user = \"x\"\n", Lang::En).is_err());
    }
}
