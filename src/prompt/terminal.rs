//! A person at a terminal, asked through dialoguer with the session's theme (`theme.rs`). Every
//! answer is read as a line ended by Enter and checked here, not by dialoguer, so that:
//! - a yes/no question waits for Enter and refuses what it does not know (a single key never
//!   answers: the Enter typed after it would answer the next question);
//! - the answer is echoed and refused in the session's language;
//! - full-width forms typed with a Japanese input method (`１５０`, `２３：２９`) are read as what
//!   they mean (NFKC), and the student is told;
//! - an answer once refused is never offered again as the default.

use super::theme::SessionTheme;
use super::{Answers, Ask, Choice, Prompter, Validate, find_choice, interrupted, parse_bool};
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use crate::t;
use console::Term;

/// A person at a terminal. Answers-file entries become the defaults offered.
pub struct Terminal {
    pub answers: Answers,
    pub lang: Lang,
}

impl Terminal {
    fn default_for(&self, ask: &Ask) -> Option<String> {
        self.answers
            .get(ask.table, ask.key)
            .or_else(|| ask.default.clone())
    }

    fn theme(&self) -> SessionTheme {
        SessionTheme::for_stderr(self.lang)
    }

    /// Asks `prompt` until `check` takes the answer (NFKC-normalised, see `read_full_width`);
    /// an empty answer is `default` when there is one. Echoes `asked: shown(answer)`.
    fn ask_line<T>(
        &self,
        (prompt, asked): (&str, &str),
        mut default: Option<String>,
        check: impl Fn(&str) -> Result<T, String>,
        shown: impl Fn(&str, &T) -> String,
    ) -> AppResult<T> {
        let theme = self.theme();
        let term = Term::stderr();
        let mut refusal_lines = 0;
        loop {
            // The default is shown in the prompt and put in here, not given to dialoguer (see
            // `read_line`).
            let typed = self.read_line(&theme, &theme.asking(prompt, default.as_deref()))?;
            let typed = match (&default, typed.is_empty()) {
                (Some(default), true) => default.clone(),
                _ => typed,
            };
            let (value, normalised) = match read_full_width(&typed) {
                Some(value) => (value, Some(typed.clone())),
                None => (typed, None),
            };
            let _ = term.clear_last_lines(refusal_lines);
            let said = normalised.map(|typed| self.read_as(&typed, &value));
            match check(&value) {
                Ok(answer) => {
                    eprintln!("{}", theme.answered(asked, &shown(&value, &answer)));
                    if let Some(said) = said {
                        eprintln!("{}", theme.fit(&said));
                    }
                    return Ok(answer);
                }
                Err(why) => {
                    if default.as_deref() == Some(value.as_str()) {
                        default = None;
                    }
                    let why = match said {
                        Some(said) => format!("{said}{}{why}", self.lang.pick(" ", "")),
                        None => why,
                    };
                    let message = theme.refusal(&why);
                    refusal_lines = rows_of(&message, theme.columns);
                    eprintln!("{message}");
                }
            }
        }
    }

    /// One line typed after `shown`, a prompt as `SessionTheme::asking` lays it out; what was
    /// typed, exactly (dialoguer is given no default, which it would return as if typed). The
    /// lines the answer wrapped onto below the prompt are cleared: dialoguer clears only the
    /// prompt's own.
    fn read_line(&self, theme: &SessionTheme, shown: &str) -> AppResult<String> {
        let typed = dialoguer::Input::<String>::with_theme(theme)
            .with_prompt(shown.trim_end())
            .allow_empty(true)
            .report(false)
            .interact_text()
            .map_err(|e| from_dialoguer(e, self.lang))?;
        let wrapped = theme.columns.map_or(0, |columns| {
            lines_wrapped_onto(last_line_width(shown), &typed, columns)
        });
        let _ = Term::stderr().clear_last_lines(wrapped);
        Ok(typed)
    }

    /// What is said when full-width input was read as its ASCII form.
    fn read_as(&self, typed: &str, value: &str) -> String {
        t!(
            self.lang,
            "Read the full-width \"{typed}\" as \"{value}\".",
            "全角の「{typed}」を半角の「{value}」として受け取りました。"
        )
    }
}

/// The NFKC form of the full-width and half-width forms (U+FF00–U+FFEF: `１５０`, `ｓｔｕｄｅｎｔ＠`,
/// `２３：２９`, `ｶﾅ`) and of the ideographic space in `typed`, everything else left as typed (NFKC
/// would also turn `①` into `1` or `㎏` into `kg`, which changes what was meant); `None` when
/// nothing changed.
pub fn read_full_width(typed: &str) -> Option<String> {
    let in_forms = |c: char| matches!(c as u32, 0x3000 | 0xFF00..=0xFFEF);
    if !typed.chars().any(in_forms) {
        return None;
    }
    let nfkc = icu_normalizer::ComposingNormalizerBorrowed::new_nfkc();
    let mut out = String::new();
    let mut run = String::new();
    for c in typed.chars() {
        if in_forms(c) {
            run.push(c);
        } else {
            out.push_str(&nfkc.normalize(&run));
            run.clear();
            out.push(c);
        }
    }
    out.push_str(&nfkc.normalize(&run));
    (out != typed).then_some(out)
}

/// How many terminal rows `text` takes once printed: a line wider than the terminal (one
/// overlong token) is wrapped by the terminal onto more rows.
fn rows_of(text: &str, columns: Option<usize>) -> usize {
    text.lines()
        .map(|line| {
            let plain = console::strip_ansi_codes(line);
            1 + columns.map_or(0, |columns| lines_wrapped_onto(0, &plain, columns))
        })
        .sum()
}

/// The display width of the last line of `text`.
fn last_line_width(text: &str) -> usize {
    console::measure_text_width(text.rsplit('\n').next().unwrap_or(""))
}

/// How many lines below the prompt's last line the terminal wrapped `typed` onto, typed from
/// column `start` of a terminal `columns` wide: a character that does not fit goes to the next
/// line whole (a wide one leaves a blank), and a line filled to the last column only wraps with
/// the next character.
fn lines_wrapped_onto(start: usize, typed: &str, columns: usize) -> usize {
    let columns = columns.max(1);
    let (mut lines, mut column) = (0, start.min(columns));
    for c in typed.chars() {
        let width = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if column + width > columns {
            lines += 1;
            column = width;
        } else {
            column += width;
        }
    }
    lines
}

/// Ctrl-C at a dialoguer prompt arrives as an `Interrupted` read error (the terminal is in raw
/// mode, so no signal is raised): everything answered before is already saved.
fn from_dialoguer(err: dialoguer::Error, lang: Lang) -> AppError {
    let dialoguer::Error::IO(io) = err;
    let _ = Term::stderr().show_cursor();
    if io.kind() == std::io::ErrorKind::Interrupted {
        // The cursor is still after the prompt: what is said next starts a line of its own.
        eprintln!();
        interrupted(lang)
    } else {
        AppError::Other(io.into())
    }
}

/// The start of every terminal prompt: a stop already requested (Ctrl-C during a wait) ends here;
/// while the prompt is open, a Ctrl-C may end the process at once (nothing is pending).
fn open_prompt(lang: Lang) -> AppResult<crate::clock::Prompting> {
    if crate::clock::stop_requested() {
        return Err(interrupted(lang));
    }
    Ok(crate::clock::prompting())
}

/// How many items a picker shows at once: what fits under its prompt on the terminal, so the
/// prompt and its message never scroll out of sight.
/// A picker's items cut to fit the terminal in bytes, with `…`. dialoguer (0.12) measures items
/// in bytes, not columns, when it clears a picker to redraw it (`size_vec` in its `select.rs`
/// and `multi_select.rs`): an item longer in bytes than the terminal is wide makes it clear as
/// many lines more, erasing what was printed above the picker. Japanese is 3 bytes and 2 columns
/// a character, so a label that fits the screen can still be too long for that count.
fn fit_items_in_bytes(labels: &[&str]) -> Vec<String> {
    let columns = usize::from(Term::stderr().size().1);
    labels.iter().map(|l| cut_to_bytes(l, columns)).collect()
}

/// `text` as it is when it has at most `limit` bytes, else its longest prefix that fits with `…`.
fn cut_to_bytes(text: &str, limit: usize) -> String {
    if text.len() <= limit {
        return text.to_string();
    }
    let mut out = String::new();
    for c in text.chars() {
        if out.len() + c.len_utf8() + '…'.len_utf8() > limit {
            break;
        }
        out.push(c);
    }
    out.push('…');
    out
}

fn visible_items(theme: &SessionTheme, prompt: &str) -> usize {
    let rows = usize::from(Term::stderr().size().0);
    let prompt_lines = theme.fit(prompt).lines().count();
    rows.saturating_sub(prompt_lines + 3).max(3)
}

impl Prompter for Terminal {
    fn is_interactive(&self) -> bool {
        true
    }

    /// One line at a time until an empty line (a full editor would be heavy for a few notes);
    /// an answers-file entry is kept when the first line is left empty. Typed as written: notes
    /// are not normalised.
    fn lines(&mut self, ask: &Ask) -> AppResult<Option<String>> {
        let _open = open_prompt(self.lang)?;
        let theme = self.theme();
        let entry = self.answers.get_lines(ask.table, ask.key);
        eprintln!("{}", theme.fit(&ask.prompt));
        let how = match &entry {
            Some(text) => t!(
                self.lang,
                "  (from the answers file; press Enter to keep it, or type new lines)\n{text}",
                "  （回答ファイルの内容です。そのままなら Enter、書き直すなら入力してください）\n{text}"
            ),
            None => t!(
                self.lang,
                "  (one line each; an empty line ends; Enter right away to skip)",
                "  （1 行ずつ入力、空行で終了。何も書かずに Enter でスキップ）"
            ),
        };
        eprintln!("{}", theme.fit(&how));
        let mut lines: Vec<String> = Vec::new();
        loop {
            let line = self.read_line(&theme, &theme.asking(">", None))?;
            eprintln!("{}", theme.answered(">", &line));
            if line.trim().is_empty() {
                break;
            }
            lines.push(line);
        }
        if lines.is_empty() {
            return Ok(entry.or(Some(String::new())));
        }
        Ok(Some(lines.join("\n")))
    }

    fn text(&mut self, ask: &Ask, validate: Validate) -> AppResult<String> {
        let _open = open_prompt(self.lang)?;
        // A default that its own check refuses (a saved or answers-file entry) is not offered.
        let default = self.default_for(ask).filter(|d| validate(d).is_ok());
        self.ask_line(
            (&ask.prompt, &ask.prompt),
            default,
            |value| validate(value).map(|()| value.to_string()),
            |value, _| value.to_string(),
        )
    }

    fn confirm(&mut self, ask: &Ask, default: bool) -> AppResult<bool> {
        let default = self
            .answers
            .get(ask.table, ask.key)
            .and_then(|v| parse_bool(&v))
            .unwrap_or(default);
        let _open = open_prompt(self.lang)?;
        let theme = self.theme();
        let hint = if default { "[Y/n]" } else { "[y/N]" };
        let asked = format!("{} {hint}", ask.prompt);
        let refused = t!(
            self.lang,
            "Type y (yes) or n (no) and press Enter; Enter alone answers {}.",
            "y（はい）か n（いいえ）を入力して Enter を押してください。Enter だけなら「{}」です。",
            theme.yes_no(default)
        );
        let answer = self.ask_line(
            (&asked, &ask.prompt),
            None,
            |value| match value.trim() {
                "" => Ok(default),
                typed => parse_bool(typed).ok_or_else(|| refused.clone()),
            },
            |_, &answer| theme.yes_no(answer).to_string(),
        )?;
        Ok(answer)
    }

    fn select(&mut self, ask: &Ask, choices: &[Choice], default: usize) -> AppResult<usize> {
        let default = self
            .answers
            .get(ask.table, ask.key)
            .and_then(|v| find_choice(choices, &v))
            .unwrap_or(default);
        let labels: Vec<&str> = choices.iter().map(|c| c.label.as_str()).collect();
        let shown = fit_items_in_bytes(&labels);
        let _open = open_prompt(self.lang)?;
        let theme = self.theme();
        let picked = dialoguer::Select::with_theme(&theme)
            .with_prompt(&ask.prompt)
            .items(&shown)
            .default(default)
            .max_length(visible_items(&theme, &ask.prompt))
            .report(false)
            .interact()
            .map_err(|e| from_dialoguer(e, self.lang))?;
        // Echoed whole, laid out by the theme (the picker itself shows the cut labels).
        eprintln!("{}", theme.answered(&ask.prompt, labels[picked]));
        Ok(picked)
    }

    fn multi_select(
        &mut self,
        ask: &Ask,
        choices: &[Choice],
        defaults: &[usize],
        count: usize,
    ) -> AppResult<Vec<usize>> {
        let full: Vec<&str> = choices.iter().map(|c| c.label.as_str()).collect();
        let shown = fit_items_in_bytes(&full);
        let mut checked: Vec<bool> = (0..choices.len()).map(|i| defaults.contains(&i)).collect();
        let _open = open_prompt(self.lang)?;
        let theme = self.theme();
        let term = Term::stderr();
        let mut refusal_lines = 0;
        loop {
            let picked = dialoguer::MultiSelect::with_theme(&theme)
                .with_prompt(&ask.prompt)
                .items(&shown)
                .defaults(&checked)
                .max_length(visible_items(&theme, &ask.prompt))
                .report(false)
                .interact()
                .map_err(|e| from_dialoguer(e, self.lang))?;
            let _ = term.clear_last_lines(refusal_lines);
            if picked.len() == count {
                // Echoed only once taken: a refused pick is not shown as an answer.
                let names: Vec<&str> = picked.iter().map(|&i| full[i]).collect();
                let separator = self.lang.pick(", ", "、");
                eprintln!("{}", theme.answered(&ask.prompt, &names.join(separator)));
                return Ok(picked);
            }
            let n = picked.len();
            let refusal = theme.refusal(&t!(
                self.lang,
                "Pick exactly {count} (you picked {n}): Space checks or unchecks, Enter answers.",
                "ちょうど {count} 個選んでください（{n} 個選択中）。Space で選択・解除、Enter で決定します。"
            ));
            refusal_lines = rows_of(&refusal, theme.columns);
            eprintln!("{refusal}");
            checked = (0..choices.len()).map(|i| picked.contains(&i)).collect();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{cut_to_bytes, lines_wrapped_onto, read_full_width, rows_of};

    #[test]
    fn a_message_with_an_overlong_token_takes_the_rows_the_terminal_wraps_it_onto() {
        let token = "x".repeat(70);
        assert_eq!(
            rows_of(&format!("! 「{token}」\n  はありません"), Some(60)),
            3
        );
        assert_eq!(rows_of("! short\n  two", Some(60)), 2);
        assert_eq!(rows_of(&token, None), 1, "not a terminal: lines as written");
    }

    #[test]
    fn an_answer_typed_past_the_last_column_is_counted_on_the_lines_it_wrapped_onto() {
        // 59 columns of prompt on a 60-column terminal: "t" fits, "okyo" wraps.
        assert_eq!(lines_wrapped_onto(59, "tokyo", 60), 1);
        assert_eq!(
            lines_wrapped_onto(55, "tokyo", 60),
            0,
            "exactly full: no wrap yet"
        );
        assert_eq!(lines_wrapped_onto(0, &"x".repeat(130), 60), 2);
        // A wide character does not fit in the last column: it goes down whole.
        assert_eq!(lines_wrapped_onto(59, "東", 60), 1);
        assert_eq!(lines_wrapped_onto(58, "東", 60), 0);
        assert_eq!(lines_wrapped_onto(40, "", 60), 0);
    }

    #[test]
    fn picker_items_fit_in_bytes_as_dialoguer_counts_them() {
        let label = "スキップ（未確認として記録。メールは届きません）";
        assert_eq!(label.len(), 72, "3 bytes a character");
        let cut = cut_to_bytes(label, 60);
        assert!(cut.len() <= 60, "{} bytes", cut.len());
        assert!(
            cut.starts_with("スキップ（未確認") && cut.ends_with('…'),
            "{cut}"
        );
        assert_eq!(cut_to_bytes("wait", 60), "wait");
    }

    /// The expected forms are Python's `unicodedata.normalize("NFKC", …)` of the same input
    /// (Unicode 14 here), an oracle independent of the normaliser used here.
    #[test]
    fn full_width_input_is_read_as_what_it_means() {
        assert_eq!(read_full_width("１５０").as_deref(), Some("150"));
        assert_eq!(
            read_full_width("ｓｔｕｄｅｎｔ＠ｅｘａｍｐｌｅ．ｃｏｍ").as_deref(),
            Some("student@example.com")
        );
        assert_eq!(read_full_width("２３：２９").as_deref(), Some("23:29"));
        assert_eq!(
            read_full_width("／ｉｎｄｅｘ．ｈｔｍｌ").as_deref(),
            Some("/index.html")
        );
        assert_eq!(read_full_width("ｶﾞｲﾄﾞ").as_deref(), Some("ガイド"));
        assert_eq!(read_full_width("a\u{3000}b").as_deref(), Some("a b"));
        // Already half-width, or Japanese that is not a full-width form: nothing to say.
        assert_eq!(read_full_width("student"), None);
        assert_eq!(read_full_width("学生"), None);
        // NFKC would read ① as 1; that changes what was meant, so it is left as typed.
        assert_eq!(read_full_width("①２").as_deref(), Some("①2"));
    }
}
