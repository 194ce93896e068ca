//! What the student sees besides prompts: headings, notes, warnings, aligned tables (Japanese
//! text is two columns wide) and progress. Progress is a live spinner on a terminal and plain
//! lines otherwise, so logs and tests read the same facts.

use console::{measure_text_width, style};
use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;
use std::time::Duration;

use crate::i18n::Lang;
use crate::text_flow;

pub struct Ui {
    pub lang: Lang,
    pub verbose: bool,
    live: bool,
}

impl Ui {
    pub fn new(lang: Lang, verbose: bool) -> Ui {
        Ui {
            lang,
            verbose,
            live: std::io::stderr().is_terminal(),
        }
    }

    pub fn line(&self, text: impl AsRef<str>) {
        println!("{}", text.as_ref());
    }

    pub fn heading(&self, text: impl AsRef<str>) {
        println!(
            "\n{}",
            style(format!("== {} ==", text.as_ref())).bold().cyan()
        );
    }

    pub fn ok(&self, text: impl AsRef<str>) {
        println!("{} {}", style("✔").green(), text.as_ref());
    }

    pub fn warn(&self, text: impl AsRef<str>) {
        println!("{} {}", style("!").yellow().bold(), text.as_ref());
    }

    pub fn detail(&self, text: impl AsRef<str>) {
        if self.verbose {
            eprintln!("{}", style(text.as_ref()).dim());
        }
    }

    /// `[dry-run] would call …` lines.
    pub fn plan(&self, call: &str, params: &serde_json::Value) {
        println!("{} {call} {params}", style("[dry-run]").magenta());
    }

    pub fn spinner(&self, message: impl Into<String>) -> Spinner {
        let message = message.into();
        if self.live {
            let bar = ProgressBar::new_spinner();
            bar.set_style(
                ProgressStyle::with_template("{spinner} {msg} [{elapsed}]")
                    .expect("valid template"),
            );
            bar.set_message(message);
            bar.enable_steady_tick(Duration::from_millis(120));
            Spinner { bar: Some(bar) }
        } else {
            eprintln!("… {message}");
            Spinner { bar: None }
        }
    }
}

pub struct Spinner {
    bar: Option<ProgressBar>,
}

impl Spinner {
    pub fn update(&self, message: impl Into<String>) {
        match &self.bar {
            Some(bar) => bar.set_message(message.into()),
            None => eprintln!("… {}", message.into()),
        }
    }

    /// A line of its own, printed the moment it happens: above the live spinner on a terminal,
    /// as a plain line on stdout otherwise.
    pub fn println(&self, line: impl AsRef<str>) {
        match &self.bar {
            Some(bar) => bar.println(line.as_ref()),
            None => println!("{}", line.as_ref()),
        }
    }

    pub fn finish(self) {
        if let Some(bar) = self.bar {
            bar.finish_and_clear();
        }
    }
}

/// When output gets bold and colour (`--color`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    /// On a terminal, unless NO_COLOR is set (or CLICOLOR=0, TERM=dumb)
    Auto,
    Always,
    Never,
}

/// Turns bold and colour on or off for stdout and stderr (`--color`); `auto` keeps the console
/// crate's choice (a terminal, and neither NO_COLOR, CLICOLOR=0 nor TERM=dumb).
pub fn set_color(choice: ColorChoice) {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let (out, err) = match choice {
        ColorChoice::Always => (true, true),
        ColorChoice::Never => (false, false),
        ColorChoice::Auto => (
            !no_color && console::colors_enabled(),
            !no_color && console::colors_enabled_stderr(),
        ),
    };
    console::set_colors_enabled(out);
    console::set_colors_enabled_stderr(err);
}

/// A plain-text table with columns aligned by display width, fitted to the terminal's width when
/// stdout is one (see `table_at`).
pub fn table(headers: &[&str], rows: &[Vec<String>]) -> String {
    table_at(headers, rows, text_flow::terminal_columns())
}

/// A plain-text table with columns aligned by display width (Japanese text is two columns wide).
/// With `columns`, a table wider than that is narrowed, widest column first (the last of equally
/// wide ones: free text is usually last), and its cells are
/// wrapped inside their column on word and CJK boundaries (never narrower than a cell's longest
/// unbreakable piece), so every column still starts at the same display column.
pub fn table_at(headers: &[&str], rows: &[Vec<String>], columns: Option<usize>) -> String {
    let count = headers.len();
    let cell_width = |cell: &str| cell.lines().map(measure_text_width).max().unwrap_or(0);
    let mut widths: Vec<usize> = headers.iter().map(|h| cell_width(h)).collect();
    let mut least: Vec<usize> = headers.iter().map(|h| text_flow::widest_word(h)).collect();
    for row in rows {
        for (i, cell) in row.iter().enumerate().take(count) {
            widths[i] = widths[i].max(cell_width(cell));
            least[i] = least[i].max(text_flow::widest_word(cell));
        }
    }
    if let Some(columns) = columns {
        let gaps = 2 * count.saturating_sub(1);
        while widths.iter().sum::<usize>() + gaps > columns {
            let Some(widest) = (0..count)
                .filter(|&i| widths[i] > least[i])
                .max_by_key(|&i| (widths[i], i))
            else {
                break;
            };
            widths[widest] -= 1;
        }
    }
    let render = |cells: Vec<&str>| -> Vec<String> {
        let wrapped: Vec<Vec<String>> = cells
            .iter()
            .enumerate()
            .map(|(i, cell)| match widths.get(i) {
                Some(&w) if cell_width(cell) > w => text_flow::wrap_str(cell, w),
                _ => cell.lines().map(str::to_string).collect(),
            })
            .collect();
        let height = wrapped.iter().map(Vec::len).max().unwrap_or(0).max(1);
        (0..height)
            .map(|line| {
                let padded: Vec<String> = wrapped
                    .iter()
                    .enumerate()
                    .map(|(i, cell)| {
                        let text = cell.get(line).map_or("", String::as_str);
                        let pad = widths
                            .get(i)
                            .copied()
                            .unwrap_or(0)
                            .saturating_sub(measure_text_width(text));
                        format!("{text}{}", " ".repeat(pad))
                    })
                    .collect();
                padded.join("  ").trim_end().to_string()
            })
            .collect()
    };
    let mut out = render(headers.to_vec());
    out.push(
        widths
            .iter()
            .map(|w| "-".repeat(*w))
            .collect::<Vec<_>>()
            .join("  "),
    );
    for row in rows {
        out.extend(render(row.iter().map(String::as_str).collect()));
    }
    out.join("\n")
}

#[cfg(test)]
mod tests {
    #[test]
    fn aligns_wide_characters() {
        let text = super::table(&["名前", "x"], &[vec!["ab".into(), "1".into()]]);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "名前  x");
        assert_eq!(lines[2], "ab    1");
    }
}
