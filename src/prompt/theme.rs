//! How a prompt looks on the terminal: dialoguer draws it, this theme words and lays it out. The
//! prompt is wrapped by display width with the Japanese rules (`text_flow`) before dialoguer sees
//! it, so the lines dialoguer counts to redraw are the lines the terminal shows (a prompt the
//! terminal wrapped by itself was printed twice); list items are shortened with `…` so a picker
//! is never redrawn wider than the terminal; errors carry no English `error:` label; yes and no
//! are said in the session's language.

use crate::i18n::Lang;
use crate::text_flow;
use console::style;
use dialoguer::theme::Theme;
use std::fmt::{self, Write};

/// The session's prompt theme, for a terminal `columns` wide (`None`: not a terminal, nothing
/// is wrapped).
pub struct SessionTheme {
    pub lang: Lang,
    pub columns: Option<usize>,
}

impl SessionTheme {
    /// For the terminal prompts are drawn on (stderr).
    pub fn for_stderr(lang: Lang) -> SessionTheme {
        SessionTheme {
            lang,
            columns: console::Term::stderr()
                .size_checked()
                .map(|(_, cols)| usize::from(cols)),
        }
    }

    /// The width text is laid out at: one column short of the terminal, so that the cursor
    /// after a full line never wraps by itself.
    fn room(&self) -> Option<usize> {
        self.columns.map(|c| c.saturating_sub(1).max(20))
    }

    /// `text` wrapped for the terminal, every line break a real `\n`.
    pub fn fit(&self, text: &str) -> String {
        text_flow::fit(text, self.room())
    }

    /// `text` shortened to what is left of a line after `used` columns.
    fn shorten(&self, text: &str, used: usize) -> String {
        match self.room() {
            Some(room) => text_flow::shorten(text, room.saturating_sub(used).max(8)),
            None => text.to_string(),
        }
    }

    /// "yes"/"no" in the session's language: what an answer is echoed as.
    pub fn yes_no(&self, value: bool) -> &'static str {
        match (self.lang, value) {
            (Lang::En, true) => "yes",
            (Lang::En, false) => "no",
            (Lang::Ja, true) => "はい",
            (Lang::Ja, false) => "いいえ",
        }
    }

    /// `prompt: answer`, laid out (Japanese prompts end in `？` or `：` already: no colon then).
    pub fn answered(&self, prompt: &str, answer: &str) -> String {
        let colon = if ends_with_punctuation(prompt) {
            ""
        } else {
            ":"
        };
        let laid = self.fit(&format!("{prompt}{colon} {answer}"));
        match laid.strip_suffix(answer) {
            Some(before) if !answer.is_empty() => format!("{before}{}", style(answer).cyan()),
            _ => laid,
        }
    }

    /// The prompt line before the cursor: `prompt [default]: `.
    pub fn asking(&self, prompt: &str, default: Option<&str>) -> String {
        let colon = if ends_with_punctuation(prompt) {
            ""
        } else {
            ":"
        };
        let text = match default {
            // A default longer than a line (a URL) is shown cut; Enter still takes all of it.
            Some(default) if !default.is_empty() => {
                format!("{prompt} [{}]{colon}", self.shorten(default, 4))
            }
            // An empty default (`[]`) says nothing: Enter gives an empty answer anyway.
            _ => format!("{prompt}{colon}"),
        };
        format!("{} ", self.fit(&text))
    }

    /// A refused answer's message: laid out, marked, no `error:` label.
    pub fn refusal(&self, why: &str) -> String {
        let laid = self.fit(&format!("! {why}"));
        format!("{}{}", style("!").yellow().bold(), &laid[1..])
    }
}

/// Whether the prompt already ends in punctuation that asks (`？`, `：`, `?`, `:`), before a
/// closing note in brackets (`どれにしますか？（一番上が最新）`) or the `[Y/n]` hint.
fn ends_with_punctuation(prompt: &str) -> bool {
    let prompt = prompt.trim_end();
    if prompt.ends_with([']', '>']) {
        return true;
    }
    let before_note = match prompt.strip_suffix('）') {
        Some(rest) => rest.rsplit_once('（').map_or(rest, |(before, _)| before),
        None => prompt,
    };
    before_note.ends_with(['？', '：', '?', ':'])
}

impl Theme for SessionTheme {
    fn format_prompt(&self, f: &mut dyn Write, prompt: &str) -> fmt::Result {
        write!(f, "{}", self.asking(prompt, None).trim_end())
    }

    fn format_error(&self, f: &mut dyn Write, err: &str) -> fmt::Result {
        write!(f, "{}", self.refusal(err))
    }

    fn format_confirm_prompt(
        &self,
        f: &mut dyn Write,
        prompt: &str,
        default: Option<bool>,
    ) -> fmt::Result {
        let hint = match default {
            Some(true) => "[Y/n]",
            Some(false) => "[y/N]",
            None => "[y/n]",
        };
        write!(f, "{}", self.fit(&format!("{prompt} {hint}")))?;
        write!(f, " ")
    }

    fn format_confirm_prompt_selection(
        &self,
        f: &mut dyn Write,
        prompt: &str,
        selection: Option<bool>,
    ) -> fmt::Result {
        let answer = selection.map_or("", |b| self.yes_no(b));
        write!(f, "{}", self.answered(prompt, answer))
    }

    fn format_input_prompt(
        &self,
        f: &mut dyn Write,
        prompt: &str,
        default: Option<&str>,
    ) -> fmt::Result {
        write!(f, "{}", self.asking(prompt, default))
    }

    fn format_input_prompt_selection(
        &self,
        f: &mut dyn Write,
        prompt: &str,
        sel: &str,
    ) -> fmt::Result {
        write!(f, "{}", self.answered(prompt, sel))
    }

    fn format_select_prompt_selection(
        &self,
        f: &mut dyn Write,
        prompt: &str,
        sel: &str,
    ) -> fmt::Result {
        write!(f, "{}", self.answered(prompt, sel))
    }

    fn format_multi_select_prompt_selection(
        &self,
        f: &mut dyn Write,
        prompt: &str,
        selections: &[&str],
    ) -> fmt::Result {
        let separator = self.lang.pick(", ", "、");
        write!(f, "{}", self.answered(prompt, &selections.join(separator)))
    }

    fn format_select_prompt_item(
        &self,
        f: &mut dyn Write,
        text: &str,
        active: bool,
    ) -> fmt::Result {
        let text = self.shorten(text, 2);
        if active {
            write!(f, "{} {}", style(">").cyan(), style(text).cyan())
        } else {
            write!(f, "  {text}")
        }
    }

    fn format_multi_select_prompt_item(
        &self,
        f: &mut dyn Write,
        text: &str,
        checked: bool,
        active: bool,
    ) -> fmt::Result {
        let text = self.shorten(text, 6);
        let pointer = if active { ">" } else { " " };
        let check = if checked { "[x]" } else { "[ ]" };
        if active {
            write!(
                f,
                "{} {check} {}",
                style(pointer).cyan(),
                style(text).cyan()
            )
        } else {
            write!(f, "{pointer} {check} {text}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn theme(columns: usize) -> SessionTheme {
        console::set_colors_enabled(false);
        SessionTheme {
            lang: Lang::Ja,
            columns: Some(columns),
        }
    }

    fn width(text: &str) -> usize {
        text.lines()
            .map(console::measure_text_width)
            .max()
            .unwrap_or(0)
    }

    #[test]
    fn a_long_prompt_is_wrapped_inside_the_terminal_with_its_mark_on_the_last_line() {
        let t = theme(40);
        let prompt =
            "ヘルスチェックのパスにアクセスできない状態にするため、Unicorn を今停止しますか？";
        let mut shown = String::new();
        t.format_confirm_prompt(&mut shown, prompt, Some(true))
            .unwrap();
        assert!(shown.contains('\n'), "{shown}");
        assert!(width(&shown) < 40, "{shown}");
        assert!(shown.ends_with("[Y/n] "), "{shown:?}");
        for line in shown.lines() {
            assert!(!line.starts_with(['？', '、', '。']), "{line}");
        }
    }

    #[test]
    fn items_are_shortened_to_the_terminal() {
        let t = theme(30);
        let mut item = String::new();
        let label = "eventName — the API action that was called (ConsoleLogin)";
        t.format_multi_select_prompt_item(&mut item, label, true, false)
            .unwrap();
        assert!(width(&item) < 30, "{item}");
        assert!(item.ends_with('…'), "{item}");
    }

    #[test]
    fn errors_have_no_english_label_and_answers_echo_in_japanese() {
        let t = theme(60);
        let mut err = String::new();
        t.format_error(&mut err, "60 の倍数を入力してください")
            .unwrap();
        assert!(!err.contains("error"), "{err}");
        let mut echo = String::new();
        t.format_confirm_prompt_selection(&mut echo, "続けますか？", Some(false))
            .unwrap();
        assert_eq!(echo, "続けますか？ いいえ");
    }
}
