//! What the student sees besides prompts: headings, notes, warnings, aligned tables (Japanese
//! text is two columns wide) and progress. Progress is a live spinner on a terminal and plain
//! lines otherwise, so logs and tests read the same facts.

use console::{measure_text_width, style};
use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;
use std::time::Duration;

use crate::i18n::Lang;

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

/// A plain-text table with columns aligned by display width.
pub fn table(headers: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = headers.iter().map(|h| measure_text_width(h)).collect();
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            if i < widths.len() {
                widths[i] = widths[i].max(measure_text_width(cell));
            }
        }
    }
    let render = |cells: Vec<&str>| -> String {
        let padded: Vec<String> = cells
            .iter()
            .enumerate()
            .map(|(i, cell)| {
                let pad = widths
                    .get(i)
                    .copied()
                    .unwrap_or(0)
                    .saturating_sub(measure_text_width(cell));
                format!("{cell}{}", " ".repeat(pad))
            })
            .collect();
        padded.join("  ").trim_end().to_string()
    };
    let mut out = vec![render(headers.to_vec())];
    out.push(
        widths
            .iter()
            .map(|w| "-".repeat(*w))
            .collect::<Vec<_>>()
            .join("  "),
    );
    for row in rows {
        out.push(render(row.iter().map(String::as_str).collect()));
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
