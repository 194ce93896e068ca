//! What the student sees besides prompts: headings, notes, warnings, aligned tables (Japanese
//! text is two columns wide) and progress. Progress is a live spinner on a terminal and plain
//! lines otherwise, so logs and tests read the same facts.

use console::{measure_text_width, style};
use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;
use std::time::Duration;

use crate::i18n::Lang;
use crate::session::Session;
use crate::text_flow;

pub struct Ui {
    pub lang: Lang,
    pub verbose: bool,
    live: bool,
    /// The terminal's width when stdout is one; `None` when piped (never wrapped).
    columns: Option<usize>,
    /// The session's flags, given to every hint printed.
    session: Session,
}

impl Ui {
    pub fn new(lang: Lang, verbose: bool) -> Ui {
        Ui {
            lang,
            verbose,
            live: std::io::stderr().is_terminal(),
            columns: text_flow::terminal_columns(),
            session: Session::default(),
        }
    }

    /// Laid out for the terminal (`text_flow::fit`): lines that fit stay as they are (tables,
    /// aligned blocks), longer ones are wrapped by display width and the Japanese rules.
    /// Every hint in what is printed (`` `lecture06 run …` ``) given the session's flags.
    pub fn with_session(mut self, session: Session) -> Ui {
        self.session = session;
        self
    }

    fn hinted(&self, text: &str) -> String {
        self.session.with_flags(text)
    }

    pub fn line(&self, text: impl AsRef<str>) {
        println!(
            "{}",
            text_flow::fit(&self.hinted(text.as_ref()), self.columns)
        );
    }

    pub fn heading(&self, text: impl AsRef<str>) {
        let text = text_flow::fit(
            &format!("== {} ==", self.hinted(text.as_ref())),
            self.columns,
        );
        println!("\n{}", style(text).bold().cyan());
    }

    pub fn ok(&self, text: impl AsRef<str>) {
        println!(
            "{}",
            self.marked("✔", |m| style(m).green(), &self.hinted(text.as_ref()))
        );
    }

    pub fn warn(&self, text: impl AsRef<str>) {
        println!(
            "{}",
            self.marked(
                "!",
                |m| style(m).yellow().bold(),
                &self.hinted(text.as_ref())
            )
        );
    }

    /// `mark text`, the text laid out with its continuation lines under its first word.
    fn marked(
        &self,
        mark: &'static str,
        paint: impl Fn(&'static str) -> console::StyledObject<&'static str>,
        text: &str,
    ) -> String {
        let laid = text_flow::fit(&format!("{mark} {text}"), self.columns);
        format!("{}{}", paint(mark), &laid[mark.len()..])
    }

    pub fn detail(&self, text: impl AsRef<str>) {
        if self.verbose {
            eprintln!(
                "{}",
                style(text_flow::fit(text.as_ref(), self.columns)).dim()
            );
        }
    }

    /// `[dry-run] would call …` lines.
    pub fn plan(&self, call: &str, params: &serde_json::Value) {
        println!("{} {call} {params}", style("[dry-run]").magenta());
    }

    pub fn spinner(&self, message: impl Into<String>) -> Spinner {
        let message = message.into();
        if self.live {
            // The spinner's line is redrawn in place: it must never be wider than the terminal.
            let room = console::Term::stderr().size().1.saturating_sub(14).max(10) as usize;
            let bar = ProgressBar::new_spinner();
            bar.set_style(
                ProgressStyle::with_template("{spinner} {msg} [{elapsed}]")
                    .expect("valid template"),
            );
            bar.set_message(text_flow::shorten(&message, room));
            bar.enable_steady_tick(Duration::from_millis(120));
            Spinner {
                bar: Some(bar),
                room,
                columns: self.columns,
            }
        } else {
            eprintln!("… {message}");
            Spinner {
                bar: None,
                room: 0,
                columns: self.columns,
            }
        }
    }
}

pub struct Spinner {
    bar: Option<ProgressBar>,
    /// Display columns the live message may take.
    room: usize,
    columns: Option<usize>,
}

impl Spinner {
    pub fn update(&self, message: impl Into<String>) {
        match &self.bar {
            Some(bar) => bar.set_message(text_flow::shorten(&message.into(), self.room)),
            None => eprintln!("… {}", message.into()),
        }
    }

    /// A line of its own, printed the moment it happens: above the live spinner on a terminal,
    /// as a plain line on stdout otherwise.
    pub fn println(&self, line: impl AsRef<str>) {
        let line = text_flow::fit(line.as_ref(), self.columns);
        match &self.bar {
            // Not `bar.println`: it pads every line to the terminal's width, so each one
            // reaches the last column and the terminal counts it as wrapped.
            Some(bar) => bar.suspend(|| println!("{line}")),
            None => println!("{line}"),
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

/// `text` padded with spaces to `columns` display columns (Japanese text is two columns wide),
/// for aligned blocks such as the account box.
pub fn pad(text: &str, columns: usize) -> String {
    let pad = columns.saturating_sub(measure_text_width(text));
    format!("{text}{}", " ".repeat(pad))
}

/// A plain-text table with columns aligned by display width, fitted to the terminal's width when
/// stdout is one (see `table_at`).
pub fn table(headers: &[&str], rows: &[Vec<String>]) -> String {
    table_at(headers, rows, text_flow::terminal_columns())
}

/// No column is narrowed below this many display columns (or its natural width when that is
/// less): a column of three characters is no longer read as a column.
const NARROWEST_COLUMN: usize = 10;

/// A plain-text table with columns aligned by display width (Japanese text is two columns wide).
/// With `columns`, a table wider than that is narrowed, widest column first (the last of equally
/// wide ones: free text is usually last), and its cells are wrapped inside their column on word
/// and CJK boundaries (never narrower than a cell's longest unbreakable piece, nor than
/// `NARROWEST_COLUMN`), so every column still starts at the same display column. When even that
/// does not fit, each row becomes a block of `label: value` lines (`stacked`).
pub fn table_at(headers: &[&str], rows: &[Vec<String>], columns: Option<usize>) -> String {
    let count = headers.len();
    let mut widths: Vec<usize> = headers.iter().map(|h| cell_width(h)).collect();
    let mut least: Vec<usize> = headers.iter().map(|h| text_flow::widest_word(h)).collect();
    for row in rows {
        for (i, cell) in row.iter().enumerate().take(count) {
            widths[i] = widths[i].max(cell_width(cell));
            least[i] = least[i].max(text_flow::widest_word(cell));
        }
    }
    for (least, natural) in least.iter_mut().zip(&widths) {
        *least = (*least).max((*natural).min(NARROWEST_COLUMN));
    }
    if let Some(columns) = columns {
        let gaps = 2 * count.saturating_sub(1);
        if least.iter().sum::<usize>() + gaps > columns {
            return stacked(headers, rows, columns);
        }
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
    let mut out = aligned_row(headers, &widths);
    out.push(
        widths
            .iter()
            .map(|w| "-".repeat(*w))
            .collect::<Vec<_>>()
            .join("  "),
    );
    for row in rows {
        let cells: Vec<&str> = row.iter().map(String::as_str).collect();
        out.extend(aligned_row(&cells, &widths));
    }
    out.join("\n")
}

fn cell_width(cell: &str) -> usize {
    cell.lines().map(measure_text_width).max().unwrap_or(0)
}

/// One row of the table as lines: each cell wrapped inside its column and padded to its width.
fn aligned_row(cells: &[&str], widths: &[usize]) -> Vec<String> {
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
}

/// A table too wide for `columns` as one block per row: `label: value` lines, the values
/// aligned after the widest label and wrapped under themselves, a blank line between rows.
/// Labels take at most half the width; a longer one is wrapped above its value.
fn stacked(headers: &[&str], rows: &[Vec<String>], columns: usize) -> String {
    let label_width = headers
        .iter()
        .map(|h| measure_text_width(h) + 2)
        .max()
        .unwrap_or(0)
        .min(columns / 2);
    let value_width = columns.saturating_sub(label_width).max(1);
    let mut blocks: Vec<String> = Vec::new();
    for row in rows {
        let mut lines: Vec<String> = Vec::new();
        for (header, cell) in headers.iter().zip(row) {
            if cell.trim().is_empty() {
                continue;
            }
            let label = format!("{header}: ");
            let mut label_lines = text_flow::wrap_str(&label, label_width.max(1));
            let last_label = label_lines.pop().unwrap_or_default();
            lines.extend(label_lines);
            let value: Vec<String> = cell
                .lines()
                .flat_map(|l| text_flow::wrap_str(l, value_width))
                .collect();
            for (i, piece) in value.iter().enumerate() {
                let lead = if i == 0 { last_label.as_str() } else { "" };
                let pad = label_width.saturating_sub(measure_text_width(lead));
                lines.push(format!("{lead}{}{piece}", " ".repeat(pad)));
            }
        }
        blocks.push(lines.join("\n"));
    }
    blocks.join("\n\n")
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

    /// Display columns counted independently of lecture06: two for Japanese and full-width
    /// forms, one otherwise.
    fn oracle_width(text: &str) -> usize {
        text.chars()
            .map(|c| match c as u32 {
                0x2E80..=0x303E | 0x3041..=0x33FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF => 2,
                0xFF00..=0xFF60 | 0xFFE0..=0xFFE6 => 2,
                _ => 1,
            })
            .sum()
    }

    fn estimate() -> (Vec<&'static str>, Vec<Vec<String>>) {
        let headers = vec![
            "サービス",
            "リソース",
            "項目",
            "数量",
            "単価（USD）",
            "月額（USD）",
            "無料枠適用後",
        ];
        let rows = [
            [
                "Amazon EC2",
                "i-0dcf8a166b0984247 (raisetech-ec2)",
                "t2.micro (Linux/UNIX) インスタンス時間",
                "730 Hrs",
                "0.0152",
                "11.10",
                "0.00",
            ],
            [
                "Amazon RDS",
                "raisetech-db",
                "RDS 延長サポート（mysql 8.0）",
                "1460 vCPU-Hrs",
                "0.12 †",
                "175.20",
                "175.20",
            ],
            [
                "Elastic Load Balancing",
                "raisetech-alb",
                "ALB キャパシティユニット（LCU）",
                "10 LCU-Hrs",
                "0.008 †",
                "0.08",
                "0.00",
            ],
        ];
        let rows = rows
            .iter()
            .map(|r| r.iter().map(|c| c.to_string()).collect())
            .collect();
        (headers, rows)
    }

    /// Every width from 40 to 200: no line wider than the width, nothing lost, and either
    /// aligned columns (each starting where its rule of dashes starts) or one `label: value`
    /// block per row.
    #[test]
    fn tables_fit_every_width_from_40_to_200() {
        let (headers, rows) = estimate();
        let mut shapes = std::collections::BTreeSet::new();
        for columns in 40..=200 {
            let text = super::table_at(&headers, &rows, Some(columns));
            for line in text.lines() {
                assert!(oracle_width(line) <= columns, "{columns}: {line}\n{text}");
            }
            let flat: String = text.split_whitespace().collect();
            for cell in rows.iter().flatten() {
                // Latin pieces (identifiers, numbers with units) are never broken.
                let latin = cell.split(|c: char| c.is_whitespace() || !c.is_ascii());
                for piece in latin.filter(|p| !p.is_empty()) {
                    assert!(flat.contains(piece), "{columns}: {piece} lost\n{text}");
                }
            }
            let stacked = !text.contains("---");
            shapes.insert(stacked);
            if stacked {
                for header in &headers {
                    let label = format!("{header}:");
                    assert_eq!(
                        text.matches(&label).count(),
                        rows.len(),
                        "{columns}: {label} once per row\n{text}"
                    );
                }
            } else {
                let rule = text.lines().find(|l| l.starts_with("---")).unwrap();
                // The display column each run of dashes starts at.
                let starts: Vec<usize> = rule
                    .char_indices()
                    .filter(|&(i, c)| c == '-' && (i == 0 || rule.as_bytes()[i - 1] == b' '))
                    .map(|(i, _)| i)
                    .collect();
                assert_eq!(starts.len(), headers.len(), "{rule}");
                for line in text.lines() {
                    let mut at = 0;
                    let mut begins = Vec::new();
                    let mut before = ' ';
                    for c in line.chars() {
                        if c != ' ' && before == ' ' {
                            begins.push(at);
                        }
                        before = c;
                        at += oracle_width(&c.to_string());
                    }
                    for begin in begins {
                        assert!(
                            starts.iter().any(|&s| begin >= s),
                            "{columns}: text at column {begin} before the first column\n{text}"
                        );
                    }
                }
                assert!(text.lines().next().unwrap().starts_with("サービス"));
            }
        }
        assert_eq!(shapes.len(), 2, "both shapes between 40 and 200");
        // Wide enough for every cell on one line: one line per row.
        let wide = super::table_at(&headers, &rows, Some(200));
        assert_eq!(wide.lines().count(), 2 + rows.len(), "{wide}");
    }

    #[test]
    fn a_narrow_table_becomes_label_value_blocks() {
        let (headers, rows) = estimate();
        let text = super::table_at(&headers, &rows, Some(40));
        let blocks: Vec<&str> = text.split("\n\n").collect();
        assert_eq!(blocks.len(), rows.len(), "{text}");
        assert!(blocks[1].starts_with("サービス:"), "{text}");
        assert!(blocks[1].contains("月額（USD）:"), "{text}");
        assert!(blocks[1].contains("175.20"), "{text}");
        assert!(text.contains("1460 vCPU-Hrs"), "{text}");
    }

    #[test]
    fn pad_counts_display_columns() {
        assert_eq!(super::pad("ユーザー", 10), "ユーザー  ");
        assert_eq!(super::pad("Identity", 10), "Identity  ");
        assert_eq!(super::pad("リージョンです", 10), "リージョンです");
    }
}
