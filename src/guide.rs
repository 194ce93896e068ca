//! Step guides: Markdown in `src/steps/<step>/guide.<lang>.md`, embedded in the binary, rendered for the
//! terminal with pulldown-cmark (headings, lists, emphasis, code, links with their address).

use crate::i18n::Lang;
use crate::step_id::StepId;
use crate::text_flow::{self, Glyph, Mark};
use console::style;
use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd};

/// The guide's Markdown: the step's heading and the assignment's wording from the registry of
/// steps (the step's `step.toml`), then the guide's own text.
pub fn source(step: StepId, lang: Lang) -> String {
    let number = step.number();
    let title = step.title(lang);
    let step_word = lang.pick("Step", "ステップ");
    format!(
        "# {step_word} {number} — {title}\n\n{}",
        source_under_heading(step, lang)
    )
}

/// The guide without its heading: what `run` shows under its own heading of the step.
pub fn source_under_heading(step: StepId, lang: Lang) -> String {
    let asked = step.asked(lang);
    let assignment = lang.pick("The assignment", "課題");
    let mut out = format!("**{assignment}:** {}\n", asked[0]);
    for sub in &asked[1..] {
        out.push_str(&format!("- {sub}\n"));
    }
    out.push('\n');
    out.push_str(body(step, lang));
    out
}

/// The guide's own text: `guide.<lang>.md` in the step's folder, embedded.
fn body(step: StepId, lang: Lang) -> &'static str {
    step.guide(lang)
}

/// How a guide is laid out: with bold and colour or plain, wrapped at a width or not.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Layout {
    pub styled: bool,
    /// Wrap lines at this many display columns; `None` leaves lines as long as their paragraph.
    pub columns: Option<usize>,
}

impl Layout {
    /// For stdout: styled when colours are on (`--color`, `NO_COLOR`, a terminal), wrapped at
    /// the terminal's width when stdout is a terminal.
    pub fn stdout() -> Layout {
        Layout {
            styled: console::colors_enabled(),
            columns: text_flow::terminal_columns(),
        }
    }

    /// Plain and unwrapped, as piped output is.
    pub const PLAIN: Layout = Layout {
        styled: false,
        columns: None,
    };
}

/// One level of an open list: the next number (ordered lists) and where the item's text starts.
struct ListLevel {
    next: Option<u64>,
    indent: usize,
}

/// The renderer's state: inline text is gathered as glyphs until its block ends, then laid out.
struct Renderer {
    layout: Layout,
    out: String,
    inline: Vec<Glyph>,
    /// A soft break waits for the next character to know whether it is a space.
    soft_break: bool,
    mark: Mark,
    heading: Option<HeadingLevel>,
    lists: Vec<ListLevel>,
    /// The list marker the next block of an item starts with.
    marker: Option<String>,
    code_block: bool,
    link: Option<String>,
    table: Option<Table>,
}

#[derive(Default)]
struct Table {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
    row: Vec<String>,
}

impl Renderer {
    fn indent(&self) -> usize {
        self.lists.last().map_or(0, |l| l.indent)
    }

    fn push_text(&mut self, text: &str) {
        let Some(first) = text.chars().next() else {
            return;
        };
        if std::mem::take(&mut self.soft_break) {
            let before = self.inline.last().map(|g| g.ch);
            for ch in text_flow::soft_break(before, Some(first)).chars() {
                self.inline.push(Glyph {
                    ch,
                    mark: Mark::default(),
                });
            }
        }
        let mark = self.mark;
        self.inline
            .extend(text.chars().map(|ch| Glyph { ch, mark }));
    }

    fn paint(&self, text: &str, mark: Mark) -> String {
        if !self.layout.styled || text.trim().is_empty() {
            return text.to_string();
        }
        let mut s = style(text).force_styling(true);
        match self.heading {
            Some(HeadingLevel::H1) => s = s.bold().cyan(),
            Some(_) => s = s.bold(),
            None => {}
        }
        if mark.bold {
            s = s.bold();
        }
        if mark.italic {
            s = s.italic();
        }
        if mark.code {
            s = s.yellow();
        }
        if mark.link {
            s = s.underlined();
        }
        s.to_string()
    }

    /// A line of glyphs with runs of the same mark painted together.
    fn paint_line(&self, line: &[Glyph]) -> String {
        let mut out = String::new();
        let mut rest = line;
        while let Some(first) = rest.first() {
            let run = rest
                .iter()
                .position(|g| g.mark != first.mark)
                .unwrap_or(rest.len());
            let text: String = rest[..run].iter().map(|g| g.ch).collect();
            out.push_str(&self.paint(&text, first.mark));
            rest = &rest[run..];
        }
        out
    }

    /// Lays out the gathered inline text as a block: wrapped, indented under the list item, the
    /// item's marker on its first line.
    fn flush(&mut self) {
        self.soft_break = false;
        let inline = std::mem::take(&mut self.inline);
        if inline.iter().all(|g| g.ch.is_whitespace()) && self.marker.is_none() {
            return;
        }
        let indent = self.indent();
        let lines = match self.layout.columns {
            Some(columns) => text_flow::wrap(&inline, columns.saturating_sub(indent).max(20)),
            None => inline
                .split(|g| g.ch == '\n')
                .map(<[Glyph]>::to_vec)
                .collect(),
        };
        for (i, line) in lines.iter().enumerate() {
            let prefix = match (i, self.marker.take()) {
                (0, Some(marker)) if self.layout.styled => style(format!("{marker:>indent$}"))
                    .bold()
                    .force_styling(true)
                    .to_string(),
                (0, Some(marker)) => format!("{marker:>indent$}"),
                _ => " ".repeat(indent),
            };
            self.out.push_str(&prefix);
            self.out.push_str(&self.paint_line(line));
            self.out.push('\n');
        }
    }

    fn blank_line(&mut self) {
        if !self.out.is_empty() && !self.out.ends_with("\n\n") {
            self.out.push('\n');
        }
    }

    /// One Markdown event: a block (headings, paragraphs, lists, code blocks), inline text and
    /// its marks, or a table's part.
    fn event(&mut self, event: Event) {
        let Some(event) = self.block_event(event) else {
            return;
        };
        let Some(event) = self.inline_event(event) else {
            return;
        };
        self.table_event(event);
    }

    /// Headings, paragraphs, lists and their items, code blocks and rules; `Some` when the
    /// event is not one of them.
    fn block_event<'e>(&mut self, event: Event<'e>) -> Option<Event<'e>> {
        match event {
            Event::Start(Tag::Heading { level, .. }) => {
                self.flush();
                self.blank_line();
                self.heading = Some(level);
            }
            Event::End(TagEnd::Heading(_)) => {
                self.flush();
                self.heading = None;
                self.out.push('\n');
            }
            Event::Start(Tag::Paragraph) => {}
            Event::End(TagEnd::Paragraph) => {
                self.flush();
                if self.lists.is_empty() {
                    self.out.push('\n');
                }
            }
            Event::Start(Tag::List(start)) => {
                self.flush();
                self.lists.push(ListLevel {
                    next: start,
                    indent: self.indent(),
                });
            }
            Event::End(TagEnd::List(_)) => {
                self.lists.pop();
                if self.lists.is_empty() {
                    self.out.push('\n');
                }
            }
            Event::Start(Tag::Item) => {
                self.flush();
                let parent = match self.lists.len() {
                    0 | 1 => 0,
                    n => self.lists[n - 2].indent,
                };
                let level = self.lists.last_mut().expect("an item is in a list");
                let marker = match &mut level.next {
                    Some(n) => {
                        *n += 1;
                        format!("{}. ", *n - 1)
                    }
                    None => "• ".to_string(),
                };
                level.indent = parent + text_flow_width(&marker);
                self.marker = Some(marker);
            }
            Event::End(TagEnd::Item) => self.flush(),
            Event::Start(Tag::CodeBlock(_)) => {
                self.flush();
                self.code_block = true;
            }
            Event::End(TagEnd::CodeBlock) => {
                self.code_block = false;
                if self.lists.is_empty() {
                    self.out.push('\n');
                }
            }
            Event::Rule => {
                self.flush();
                self.out.push_str("────────\n\n");
            }
            other => return Some(other),
        }
        None
    }

    /// Emphasis, links, text and code spans, line breaks; `Some` when the event is not one of
    /// them.
    fn inline_event<'e>(&mut self, event: Event<'e>) -> Option<Event<'e>> {
        match event {
            Event::Start(Tag::Strong) => self.mark.bold = true,
            Event::End(TagEnd::Strong) => self.mark.bold = false,
            Event::Start(Tag::Emphasis) => self.mark.italic = true,
            Event::End(TagEnd::Emphasis) => self.mark.italic = false,
            Event::Start(Tag::Link { dest_url, .. }) => {
                self.link = Some(dest_url.to_string());
                self.mark.link = true;
            }
            Event::End(TagEnd::Link) => {
                self.mark.link = false;
                if let Some(url) = self.link.take() {
                    self.push_text(&format!(" <{url}>"));
                }
            }
            Event::Text(text) if self.code_block => {
                let code = Mark {
                    code: true,
                    ..Mark::default()
                };
                let indent = " ".repeat(self.indent() + 4);
                for line in text.lines() {
                    let painted = self.paint(line, code);
                    self.out.push_str(&format!("{indent}{painted}\n"));
                }
            }
            Event::Text(text) => self.push_text(&text),
            Event::Code(code) => {
                let outer = self.mark;
                self.mark.code = true;
                self.push_text(&code);
                self.mark = outer;
            }
            Event::SoftBreak => self.soft_break = !self.inline.is_empty(),
            Event::HardBreak => {
                self.soft_break = false;
                self.push_text("\n");
            }
            other => return Some(other),
        }
        None
    }

    /// A table, laid out at the guide's width once it is whole.
    fn table_event(&mut self, event: Event) {
        match event {
            Event::Start(Tag::Table(_)) => {
                self.flush();
                self.table = Some(Table::default());
            }
            Event::End(TagEnd::TableCell) => {
                self.soft_break = false;
                // Cells stay plain: the table aligns and wraps them by their characters.
                let cell = std::mem::take(&mut self.inline);
                let text: String = cell.iter().map(|g| g.ch).collect();
                if let Some(table) = &mut self.table {
                    table.row.push(text.trim().to_string());
                }
            }
            Event::End(TagEnd::TableHead) => {
                if let Some(table) = &mut self.table {
                    table.header = std::mem::take(&mut table.row);
                }
            }
            Event::End(TagEnd::TableRow) => {
                if let Some(table) = &mut self.table {
                    let row = std::mem::take(&mut table.row);
                    table.rows.push(row);
                }
            }
            Event::End(TagEnd::Table) => {
                if let Some(table) = self.table.take() {
                    let header: Vec<&str> = table.header.iter().map(String::as_str).collect();
                    let text = crate::ui::table_at(&header, &table.rows, self.layout.columns);
                    let indent = " ".repeat(self.indent());
                    for line in text.lines() {
                        self.out.push_str(&format!("{indent}{line}\n"));
                    }
                    self.out.push('\n');
                }
            }
            _ => {}
        }
    }
}

fn text_flow_width(text: &str) -> usize {
    text.chars().map(text_flow::width).sum()
}

/// Markdown rendered as terminal text: headings, emphasis, code spans and lists styled (bold,
/// colour) when `layout.styled`, plain text without Markdown markers otherwise; soft line breaks
/// joined by script; wrapped at `layout.columns` when given.
pub fn render(markdown: &str, layout: Layout) -> String {
    let mut renderer = Renderer {
        layout,
        out: String::new(),
        inline: Vec::new(),
        soft_break: false,
        mark: Mark::default(),
        heading: None,
        lists: Vec::new(),
        marker: None,
        code_block: false,
        link: None,
        table: None,
    };
    for event in Parser::new_ext(markdown, Options::ENABLE_TABLES) {
        renderer.event(event);
    }
    renderer.flush();
    renderer.out.trim_end().to_string() + "\n"
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The guide's text without ANSI escape sequences.
    fn visible(text: &str) -> String {
        console::strip_ansi_codes(text).into_owned()
    }

    fn columns(line: &str) -> usize {
        console::measure_text_width(line)
    }

    fn at(columns: usize) -> Layout {
        Layout {
            styled: false,
            columns: Some(columns),
        }
    }

    /// `c` as a Japanese reader counts it: kana, kanji, CJK punctuation, full-width forms.
    fn japanese(c: char) -> bool {
        matches!(c, '\u{3000}'..='\u{30FF}' | '\u{4E00}'..='\u{9FFF}' | '\u{FF00}'..='\u{FFEF}')
    }

    #[test]
    fn every_step_has_a_guide_in_every_language() {
        for &step in StepId::ALL {
            for lang in [Lang::En, Lang::Ja] {
                let own = body(step, lang);
                assert!(
                    !own.starts_with('#')
                        && !own.contains("**The assignment")
                        && !own.contains("**課題"),
                    "{step:?} {lang:?}: the heading and the assignment come from step.toml"
                );
                assert!(own.len() > 200, "{step:?} {lang:?} is too short");
                let text = source(step, lang);
                assert!(text.contains(step.title(lang)), "{step:?} {lang:?}");
                let rendered = render(&text, Layout::PLAIN);
                assert!(
                    !rendered.contains("**") && !rendered.contains("](") && !rendered.contains('`'),
                    "{step:?} {lang:?}: {rendered}"
                );
                assert!(!rendered.contains('\u{1b}'), "{step:?} {lang:?}: plain");
                assert!(
                    rendered.lines().all(|l| !l.starts_with('#')),
                    "{step:?} {lang:?}: {rendered}"
                );
            }
        }
    }

    #[test]
    fn renders_lists_code_and_links() {
        let text = render(
            "# T\n\nSee [docs](https://x.test).\n\n- a\n- b\n\n```\nls\n```\n",
            Layout::PLAIN,
        );
        assert_eq!(
            text,
            "T\n\nSee docs <https://x.test>.\n\n• a\n• b\n\n    ls\n"
        );
    }

    #[test]
    fn no_space_between_two_japanese_characters_that_the_source_did_not_have() {
        for &step in StepId::ALL {
            let text = source(step, Lang::Ja);
            for layout in [Layout::PLAIN, at(50)] {
                let rendered = render(&text, layout);
                let chars: Vec<char> = rendered.chars().collect();
                for w in chars.windows(3) {
                    if japanese(w[0]) && w[1] == ' ' && japanese(w[2]) {
                        let triple: String = w.iter().collect();
                        assert!(
                            text.contains(&triple),
                            "{step:?}: stray space in {triple:?}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn a_soft_break_joins_japanese_without_a_space_and_english_with_one() {
        let text = render(
            "作業リージョン\n**と** us-east-1、\nIAM などの\nグローバル\n`x`",
            Layout::PLAIN,
        );
        assert_eq!(text, "作業リージョンと us-east-1、IAM などのグローバル x\n");
        let text = render("the first\nline", Layout::PLAIN);
        assert_eq!(text, "the first line\n");
    }

    #[test]
    fn styled_guides_use_escape_codes_not_markdown_markers() {
        let text = render(
            "# T\n\nA **b** `c` *d*.\n\n- e\n",
            Layout {
                styled: true,
                columns: None,
            },
        );
        assert!(text.contains("\u{1b}["), "{text:?}");
        assert_eq!(visible(&text), "T\n\nA b c d.\n\n• e\n");
    }

    #[test]
    fn japanese_guide_at_60_columns() {
        let text = source(StepId::Cloudtrail, Lang::Ja);
        let rendered = render(&text, at(60));
        for line in rendered.lines() {
            assert!(columns(line) <= 60, "{} columns: {line}", columns(line));
        }
        // Every code span of the source is whole on one line.
        for span in text.split('`').skip(1).step_by(2) {
            assert!(
                rendered.lines().any(|l| l.contains(span)),
                "`{span}` broken"
            );
        }
        // List items wrap under their text, not under their number.
        assert!(rendered.contains("\n1. CloudTrail の"), "{rendered}");
        assert!(
            rendered
                .lines()
                .any(|l| l.starts_with("   ") && !l.trim().is_empty())
        );
        insta::assert_snapshot!(rendered);
    }

    #[test]
    fn japanese_table_at_40_columns() {
        let markdown = "\
| 無料枠 | 使用量 | 判定 |
|---|---|---|
| EC2 EBS:VolumeUsage | 21 GB-Mo | 枠内 |
| S3 TimedStorage | 5.3 GB-Mo | 超過: CloudTrail のログファイルが証跡の S3 バケットにたまっている |
";
        let rendered = render(markdown, at(40));
        let lines: Vec<&str> = rendered.lines().collect();
        // The columns start where the rule's dashes start.
        let rule = lines[1];
        let mut starts = vec![0];
        let rule_chars: Vec<char> = rule.chars().collect();
        for i in 1..rule_chars.len() {
            if rule_chars[i] == '-' && rule_chars[i - 1] == ' ' {
                starts.push(i);
            }
        }
        assert_eq!(starts.len(), 3, "{rendered}");
        for line in &lines {
            assert!(columns(line) <= 40, "{line}");
            // Display columns of the line, each cell of a wide character counted twice.
            let mut cells: Vec<char> = Vec::new();
            for c in line.chars() {
                for _ in 0..columns(&c.to_string()) {
                    cells.push(c);
                }
            }
            for &start in &starts[1..] {
                // The two columns before each column start are its gap: no text runs into it,
                // and what is in the column starts right at it.
                let gap = |i: usize| cells.get(i).is_none_or(|c| *c == ' ');
                assert!(
                    gap(start - 1) && gap(start - 2),
                    "{line:?} crosses column {start}"
                );
            }
        }
        assert!(rendered.contains("無料枠"), "{rendered}");
        insta::assert_snapshot!(rendered);
    }
}
