//! Text laid out for a terminal, Japanese included. A Markdown soft line break is joined by
//! script: nothing between two CJK characters (Japanese does not put spaces between words), a
//! space otherwise. Lines are filled by display width (a CJK character takes two columns) with
//! the pieces `breaks` finds: Japanese is broken between phrases, never before 、。」 or after
//! 「（, and a code span, an identifier (`userIdentity`) or a number with its unit is never
//! broken. The guides (`guide.rs`) and the tables and messages of `ui.rs` use it.

mod breaks;

use breaks::words;
use unicode_width::UnicodeWidthChar;

/// How a character is shown; the guide renderer turns it into terminal styles.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Mark {
    pub bold: bool,
    pub italic: bool,
    /// Inside a code span: never broken, even at a space.
    pub code: bool,
    pub link: bool,
}

/// One character and how it is shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Glyph {
    pub ch: char,
    pub mark: Mark,
}

/// Chinese, Japanese and Korean ideographs, kana, CJK punctuation and full-width forms: the
/// characters written without spaces between words.
pub fn is_cjk(c: char) -> bool {
    matches!(
        c as u32,
        0x2E80..=0x2FDF       // CJK radicals, Kangxi radicals
            | 0x3000..=0x303F // CJK symbols and punctuation: 、。「」〜
            | 0x3040..=0x309F // Hiragana
            | 0x30A0..=0x30FF // Katakana (ー・ included)
            | 0x31F0..=0x31FF // Katakana phonetic extensions
            | 0x3400..=0x4DBF // CJK unified ideographs extension A
            | 0x4E00..=0x9FFF // CJK unified ideographs
            | 0xF900..=0xFAFF // CJK compatibility ideographs
            | 0xFE30..=0xFE4F // CJK compatibility forms
            | 0xFF00..=0xFFEF // Half-width and full-width forms: （）：！ and ｶﾅ
            | 0x20000..=0x3FFFF // CJK unified ideographs extensions B and later
    )
}

/// Japanese punctuation and brackets (、。「」（）：・): full-width, their spacing built in, so
/// never a space beside them.
fn is_cjk_punctuation(c: char) -> bool {
    matches!(
        c as u32,
        0x3000..=0x303F | 0x30FB | 0xFF01..=0xFF0F | 0xFF1A..=0xFF20 | 0xFF3B..=0xFF40 | 0xFF5B..=0xFF65
    )
}

/// What a soft line break between `before` and `after` becomes: nothing between two CJK
/// characters or beside Japanese punctuation, a space otherwise.
pub fn soft_break(before: Option<char>, after: Option<char>) -> &'static str {
    match (before, after) {
        (Some(b), Some(a)) if is_cjk(b) && is_cjk(a) => "",
        (Some(b), Some(a)) if is_cjk_punctuation(b) || is_cjk_punctuation(a) => "",
        _ => " ",
    }
}

/// Display width in terminal columns.
pub fn width(c: char) -> usize {
    c.width().unwrap_or(0)
}

fn glyphs_width(glyphs: &[Glyph]) -> usize {
    glyphs.iter().map(|g| width(g.ch)).sum()
}

/// `text` as lines of at most `columns` display columns (a piece that cannot be broken and is
/// longer stays whole on its own line). A `\n` in the text always breaks; spaces where a line
/// breaks are dropped, and so are spaces at the start and end.
pub fn wrap(text: &[Glyph], columns: usize) -> Vec<Vec<Glyph>> {
    let columns = columns.max(1);
    let mut lines = Vec::new();
    for hard_line in text.split(|g| g.ch == '\n') {
        let mut line: Vec<Glyph> = Vec::new();
        let mut used = 0;
        for word in words(hard_line, columns) {
            let w = glyphs_width(word.glyphs);
            if line.is_empty() {
                line.extend_from_slice(word.glyphs);
                used = w;
            } else if used + usize::from(word.spaced) + w > columns {
                lines.push(std::mem::take(&mut line));
                line.extend_from_slice(word.glyphs);
                used = w;
            } else {
                if word.spaced {
                    line.push(Glyph {
                        ch: ' ',
                        mark: Mark::default(),
                    });
                    used += 1;
                }
                line.extend_from_slice(word.glyphs);
                used += w;
            }
        }
        lines.push(line);
    }
    lines
}

/// Plain text as glyphs with no marks.
pub fn plain(text: &str) -> Vec<Glyph> {
    text.chars()
        .map(|ch| Glyph {
            ch,
            mark: Mark::default(),
        })
        .collect()
}

/// Text of a message as glyphs: a span between backticks (`lecture06 run --step estimate`) is
/// code, never broken, its backticks included.
fn message(text: &str) -> Vec<Glyph> {
    let spans = text.matches('`').count() >= 2;
    let mut code = false;
    text.chars()
        .map(|ch| {
            let opening = spans && ch == '`' && !code;
            if opening {
                code = true;
            }
            let glyph = Glyph {
                ch,
                mark: Mark {
                    code,
                    ..Mark::default()
                },
            };
            if spans && ch == '`' && !opening {
                code = false;
            }
            glyph
        })
        .collect()
}

/// Plain text wrapped at `columns` (a code span between backticks stays whole).
pub fn wrap_str(text: &str, columns: usize) -> Vec<String> {
    wrap(&message(text), columns)
        .into_iter()
        .map(|line| line.iter().map(|g| g.ch).collect())
        .collect()
}

/// Display width of plain text (no escape codes) in terminal columns.
pub fn str_width(text: &str) -> usize {
    text.chars().map(width).sum()
}

/// `text` laid out for a terminal `columns` wide, or as it is when `columns` is `None` (piped
/// output is never wrapped). Each line that fits stays exactly as it is (tables, aligned
/// blocks); a longer one is wrapped, its continuation lines indented like its first line plus
/// its list marker (`- `, `・`, `1. `) or label (`！ `), so a list item reads as one. Widths
/// are measured without escape codes (styles).
pub fn fit(text: &str, columns: Option<usize>) -> String {
    let Some(columns) = columns else {
        return text.to_string();
    };
    let mut out: Vec<String> = Vec::new();
    for line in text.split('\n') {
        if console::measure_text_width(line) <= columns {
            out.push(line.to_string());
            continue;
        }
        // A styled line too long for the terminal is wrapped as plain text.
        let plain = console::strip_ansi_codes(line);
        let line = plain.as_ref();
        let hang = hanging_indent(line);
        let first = &line[..hang.0];
        let pad = " ".repeat(hang.1);
        let room = columns.saturating_sub(hang.1).max(columns.min(20));
        for (i, piece) in wrap_str(&line[hang.0..], room).into_iter().enumerate() {
            let lead = if i == 0 {
                first.to_string()
            } else {
                pad.clone()
            };
            out.push(format!("{lead}{piece}"));
        }
    }
    out.join("\n")
}

/// Where a line's text starts after its indentation and list marker: (byte offset, display
/// columns) — the columns its continuation lines are indented by.
fn hanging_indent(line: &str) -> (usize, usize) {
    let spaces = line.len() - line.trim_start_matches(' ').len();
    let rest = &line[spaces..];
    let marker = ["- ", "* ", "• ", "・", "✔ ", "! ", "> ", "[x] ", "[ ] "]
        .iter()
        .find(|m| rest.starts_with(**m))
        .map(|m| m.len())
        .or_else(|| {
            let digits = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
            (digits > 0 && rest[digits..].starts_with(". ")).then_some(digits + 2)
        })
        .unwrap_or(0);
    let end = spaces + marker;
    (end, str_width(&line[..end]))
}

/// `text` cut to at most `columns` display columns, ending in `…` when something was cut.
pub fn shorten(text: &str, columns: usize) -> String {
    if str_width(text) <= columns {
        return text.to_string();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        if used + width(c) + 1 > columns {
            break;
        }
        used += width(c);
        out.push(c);
    }
    out.push('…');
    out
}

/// The display width of the widest piece of `text` that cannot be broken (a Japanese phrase
/// can be, when it must).
pub fn widest_word(text: &str) -> usize {
    let glyphs = message(text);
    glyphs
        .split(|g| g.ch == '\n')
        .flat_map(|line| words(line, 0))
        .map(|w| glyphs_width(w.glyphs))
        .max()
        .unwrap_or(0)
}

/// The width of the terminal stderr is on; `None` when stderr is not a terminal (never wrapped).
/// Messages printed beside piped results (`trail search > hits.txt`) are laid out by it.
pub fn stderr_columns() -> Option<usize> {
    columns_of(
        &console::Term::stderr(),
        std::io::IsTerminal::is_terminal(&std::io::stderr()),
    )
}

/// The width of stdout's terminal, or `None` when stdout is not a terminal (piped output is
/// never wrapped).
pub fn terminal_columns() -> Option<usize> {
    columns_of(
        &console::Term::stdout(),
        std::io::IsTerminal::is_terminal(&std::io::stdout()),
    )
}

fn columns_of(term: &console::Term, is_terminal: bool) -> Option<usize> {
    if !is_terminal {
        return None;
    }
    term.size_checked().map(|(_, cols)| usize::from(cols))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn width_of(s: &str) -> usize {
        s.chars().map(width).sum()
    }

    #[test]
    fn soft_breaks_join_by_script() {
        assert_eq!(soft_break(Some('ン'), Some('と')), "");
        assert_eq!(soft_break(Some('。'), Some('日')), "");
        assert_eq!(soft_break(Some('）'), Some('の')), "");
        assert_eq!(soft_break(Some('M'), Some('ユ')), " ");
        assert_eq!(
            soft_break(Some('、'), Some('I')),
            "",
            "beside Japanese punctuation"
        );
        assert_eq!(soft_break(Some('x'), Some('（')), "");
        assert_eq!(soft_break(Some('a'), Some('b')), " ");
        assert_eq!(soft_break(Some('す'), Some('`')), " ");
    }

    #[test]
    fn wraps_english_at_spaces() {
        let lines = wrap_str("the quick brown fox jumps over the lazy dog", 15);
        assert_eq!(lines, ["the quick brown", "fox jumps over", "the lazy dog"]);
    }

    #[test]
    fn wraps_japanese_between_phrases_by_display_width() {
        // BudouX's own README example: これは | テストです。 ("これはテスト" would fit the width).
        assert_eq!(
            wrap_str("これはテストです。", 12),
            ["これは", "テストです。"]
        );
        // A word is never split across lines when its phrase fits.
        let lines = wrap_str(
            "ユーザー名は英数字と + = , . @ _ - でできています（コンソール右上に表示される名前です）",
            20,
        );
        for word in ["ユーザー名", "英数字", "コンソール", "表示される"] {
            assert!(lines.iter().any(|l| l.contains(word)), "{word}: {lines:?}");
        }
    }

    #[test]
    fn a_number_keeps_its_japanese_unit_at_every_width() {
        let text = "日本時間は +9 時間です。履歴は直近 90 日の管理イベントで、3 件見つかりました。内容を 5 つ選ぶ。";
        for columns in 14..=40 {
            let lines = wrap_str(text, columns);
            for line in &lines {
                assert!(
                    !line.ends_with("+9")
                        && !line.ends_with("90")
                        && !line.ends_with('3')
                        && !line.ends_with('5'),
                    "{columns}: {lines:?}"
                );
            }
        }
    }

    #[test]
    fn a_phrase_wider_than_the_line_still_breaks_between_characters() {
        let text = "あいうえおかきくけこさしすせそたちつてと";
        for columns in 4..=20 {
            let lines = wrap_str(text, columns);
            assert_eq!(lines.concat(), text);
            for line in &lines {
                assert!(width_of(line) <= columns, "{columns}: {lines:?}");
            }
        }
    }

    #[test]
    fn no_line_starts_with_closing_punctuation() {
        for columns in 4..=14 {
            let lines = wrap_str("あいうか。きく、けこ」さ", columns);
            assert_eq!(lines.concat(), "あいうか。きく、けこ」さ");
            for line in &lines {
                assert!(
                    !line.starts_with(['。', '、', '」']),
                    "{columns}: {lines:?}"
                );
                assert!(width_of(line) <= columns, "{columns}: {lines:?}");
            }
        }
    }

    #[test]
    fn identifiers_and_code_spans_stay_whole() {
        let lines = wrap_str("項目 userIdentity を選ぶ", 8);
        assert!(lines.contains(&"userIdentity".to_string()), "{lines:?}");
        let code = Mark {
            code: true,
            ..Mark::default()
        };
        let mut text = plain("見る ");
        text.extend(
            "sudo systemctl stop unicorn"
                .chars()
                .map(|ch| Glyph { ch, mark: code }),
        );
        let lines: Vec<String> = wrap(&text, 10)
            .into_iter()
            .map(|l| l.iter().map(|g| g.ch).collect())
            .collect();
        assert_eq!(lines, ["見る", "sudo systemctl stop unicorn"]);
    }

    #[test]
    fn breaks_between_japanese_and_latin_without_a_space() {
        let lines = wrap_str("これはIAMユーザー", 8);
        assert_eq!(lines, ["これは", "IAM", "ユーザー"]);
    }

    /// Display columns counted independently of `width`: two for the East Asian wide and
    /// full-width ranges (Japanese, the emoji used here), one otherwise.
    fn oracle_width(text: &str) -> usize {
        text.chars()
            .map(|c| match c as u32 {
                0x1100..=0x115F | 0x2E80..=0x303E | 0x3041..=0x33FF | 0x3400..=0x4DBF => 2,
                0x4E00..=0x9FFF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF | 0xFE30..=0xFE4F => 2,
                0xFF00..=0xFF60 | 0xFFE0..=0xFFE6 | 0x1F300..=0x1F64F | 0x1F900..=0x1F9FF => 2,
                _ => 1,
            })
            .sum()
    }

    /// JLREQ cl-02, cl-04 to cl-07, cl-09, cl-11 (closing brackets, dividing punctuation, middle
    /// dots, full stops, commas, iteration marks, small kana), written out again here.
    const JLREQ_NO_START: &str =
        "）」』】〕〉》？！・：；。．、，ーぁぃぅぇぉっゃゅょァィゥェォッャュョ…";
    /// JLREQ cl-01: opening brackets.
    const JLREQ_NO_END: &str = "（「『【〔〈《";

    const SENTENCES: &str = "ヘルスチェックのパス（/index.html）は Rails ではなく Nginx が返すファイルです。Unicorn を止めても、ターゲットは healthy のままで、アラームは「OK」から変わりません！X-Request-Id が付かないので、Rails のルート（/up）に向けますか？ 期間は 60 秒、しきい値は 85 %、料金は 175.20 USD/月です。https://calculator.aws/#/estimate?id=abc を開いてください。";

    #[test]
    fn japanese_lines_follow_jlreq_at_every_width() {
        for columns in 12..=80 {
            let lines = wrap_str(SENTENCES, columns);
            for (i, line) in lines.iter().enumerate() {
                let first = line.chars().next().unwrap();
                assert!(
                    !JLREQ_NO_START.contains(first),
                    "{columns}: starts with {first}: {lines:#?}"
                );
                let last = line.chars().last().unwrap();
                assert!(
                    !JLREQ_NO_END.contains(last),
                    "{columns}: ends with {last}: {lines:#?}"
                );
                // Only a piece with no break opportunity (no space, no kana or kanji) may
                // be wider than the line.
                let single_piece = !line.contains(' ')
                    && !line
                        .chars()
                        .any(|c| matches!(c as u32, 0x3040..=0x30FF | 0x4E00..=0x9FFF));
                assert!(
                    oracle_width(line) <= columns || single_piece,
                    "{columns}: line {i} is {} wide: {line}",
                    oracle_width(line)
                );
            }
            assert_eq!(
                lines.concat().replace(' ', ""),
                SENTENCES.replace(' ', ""),
                "nothing lost or added at {columns}"
            );
        }
    }

    #[test]
    fn identifiers_paths_urls_and_numbers_with_units_are_never_broken() {
        let whole = [
            "/index.html",
            "X-Request-Id",
            "healthy",
            "https://calculator.aws/#/estimate?id=abc",
            "60 秒",
            "85 %",
            "USD/月",
            "175.20",
        ];
        for columns in 12..=80 {
            let lines = wrap_str(SENTENCES, columns);
            for piece in whole {
                assert!(
                    lines.iter().any(|l| l.contains(piece)),
                    "{piece} broken at {columns}: {lines:#?}"
                );
            }
        }
        assert_eq!(wrap_str("期間 60 s です", 6), ["期間", "60 s", "です"]);
        assert_eq!(wrap_str("待ち 2 min 07 s", 8), ["待ち", "2 min", "07 s"]);
        assert_eq!(
            wrap_str("次は `lecture06 report` です。", 12),
            ["次は", "`lecture06 report`", "です。"]
        );
    }

    #[test]
    fn mixed_width_text_and_emoji_are_measured_by_display_columns() {
        assert_eq!(str_width("IAMユーザー"), 3 + 8);
        assert_eq!(str_width("✅ 完了"), 2 + 1 + 4);
        // Emoji are two columns wide and break between each other like Japanese.
        assert_eq!(wrap_str("🎉🎉🎉🎉🎉", 4), ["🎉🎉", "🎉🎉", "🎉"]);
        let lines = wrap_str("完了しました 🎉 next: lecture06 report を実行 ✅", 14);
        for line in &lines {
            assert!(oracle_width(line) <= 14, "{line}: {lines:?}");
        }
        // A family emoji joined by U+200D stays whole.
        let family = "👨\u{200D}👩\u{200D}👧";
        assert!(wrap_str(&format!("{family}{family}"), 2).contains(&family.to_string()));
    }

    #[test]
    fn fit_keeps_lines_that_fit_and_hangs_list_items() {
        let table = "名前  値\n----  --\nab    1";
        assert_eq!(fit(table, Some(20)), table, "aligned text is left alone");
        assert_eq!(fit(SENTENCES, None), SENTENCES, "piped: never wrapped");
        let item =
            "  - ヘルスチェックのパスを Rails のルートに向けます（lecture06 cleanup で戻します）";
        let laid = fit(item, Some(30));
        let lines: Vec<&str> = laid.lines().collect();
        assert!(lines.len() > 1, "{laid}");
        for line in &lines[1..] {
            assert!(
                line.starts_with("    ") && !line.starts_with("     "),
                "{laid}"
            );
        }
        for line in &lines {
            assert!(oracle_width(line) <= 30, "{laid}");
        }
    }

    #[test]
    fn shorten_cuts_by_display_width_with_an_ellipsis() {
        assert_eq!(shorten("ap-northeast-1", 20), "ap-northeast-1");
        assert_eq!(shorten("アジアパシフィック (東京)", 9), "アジアパ…");
        assert!(oracle_width(&shorten("アジアパシフィック", 10)) <= 10);
    }

    /// The report is read as Markdown on GitHub, where a line break inside a paragraph shows as
    /// a space: a Japanese sentence in a template must not be broken between two characters
    /// (there are none today; this keeps it so).
    #[test]
    fn report_templates_have_no_line_break_inside_japanese() {
        use pulldown_cmark::{Event, Parser};
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut templates = Vec::new();
        for lang in ["en", "ja"] {
            templates.push(root.join(format!("report-templates/{lang}/report.md")));
            for &step in crate::step_id::StepId::ALL {
                let id = step.id();
                templates.push(root.join(format!("src/steps/{id}/report.{lang}.md")));
            }
        }
        let mut checked = 0;
        {
            for path in templates {
                let text = std::fs::read_to_string(&path).unwrap();
                let mut before: Option<char> = None;
                let mut pending = false;
                for event in Parser::new(&text) {
                    let piece = match &event {
                        Event::Text(t) | Event::Code(t) => t.to_string(),
                        Event::SoftBreak => {
                            pending = true;
                            continue;
                        }
                        _ => continue,
                    };
                    if pending {
                        let after = piece.chars().next();
                        assert!(
                            !(before.is_some_and(is_cjk) && after.is_some_and(is_cjk)),
                            "{}: a line break between {before:?} and {after:?} shows as a space",
                            path.display()
                        );
                        pending = false;
                    }
                    before = piece.chars().last().or(before);
                }
                checked += 1;
            }
        }
        assert!(checked >= 12, "{checked} templates");
    }
}
