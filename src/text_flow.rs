//! Text laid out for a terminal, Japanese included. A Markdown soft line break is joined by
//! script: nothing between two CJK characters (Japanese does not put spaces between words), a
//! space otherwise. Lines are wrapped by display width (a CJK character takes two columns) at
//! spaces and next to CJK characters, following the basic Japanese line-breaking rules (no line
//! starts with 、。」 or a small kana, none ends with 「（). A code span or an identifier
//! (`userIdentity`) is never broken. The guides (`guide.rs`) and the tables and messages of
//! `ui.rs` use it.

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

/// Characters a line must not start with: JLREQ's closing brackets (cl-02), hyphens (cl-03),
/// dividing punctuation (cl-04 `？！`), middle dots (cl-05 `・：；`), full stops (cl-06), commas
/// (cl-07), iteration marks and the prolonged sound mark (cl-09), small kana (cl-11) and the
/// inseparable `…‥` (cl-08), plus their ASCII counterparts.
fn no_line_start(c: char) -> bool {
    "、。，．・：；？！‼⁇⁈⁉）」』】〕〉》〗〙〟｝］’”»⦆‐〜゠–～ー…‥ゝゞヽヾ々〻\
     ぁぃぅぇぉっゃゅょゎゕゖァィゥェォッャュョヮヵヶㇰㇱㇲㇳㇴㇵㇶㇷㇸㇹㇺㇻㇼㇽㇾㇿ\
     )]}.,;:!?%"
        .contains(c)
}

/// Characters a line must not end with: JLREQ's opening brackets (cl-01), ASCII ones included.
fn no_line_end(c: char) -> bool {
    "（「『【〔〈《〖〘〝｛［‘“«⦅([{".contains(c)
}

/// Whether `c` is a kanji (not kana or punctuation): `60秒`, `3件`, `100円` keep a number with
/// the unit written after it.
fn is_ideograph(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x3FFFF)
}

/// Display width in terminal columns.
pub fn width(c: char) -> usize {
    c.width().unwrap_or(0)
}

fn glyphs_width(glyphs: &[Glyph]) -> usize {
    glyphs.iter().map(|g| width(g.ch)).sum()
}

fn is_space(g: &Glyph) -> bool {
    (g.ch == ' ' || g.ch == '\t') && !g.mark.code
}

/// Whether a line may break between `a` and `b` written without a space.
fn may_break_between(a: &Glyph, b: &Glyph) -> bool {
    if a.mark.code && b.mark.code {
        return false;
    }
    // `60秒`, `USD/月`: a number or a slash stays with the unit written after it.
    if (a.ch.is_ascii_digit() || a.ch == '/') && (is_ideograph(b.ch) || b.ch == '％') {
        return false;
    }
    // Never before a joiner, a variation selector or another zero-width mark.
    if width(b.ch) == 0 {
        return false;
    }
    // Wide characters that are not CJK (emoji) break like CJK, but never inside a sequence
    // joined by U+200D.
    let wide = |c: char| is_cjk(c) || (width(c) == 2 && a.ch != '\u{200D}');
    (wide(a.ch) || wide(b.ch)) && !no_line_start(b.ch) && !no_line_end(a.ch)
}

/// Units written after a number and a space (`60 s`, `85 %`, `2 min`, `30 GB-Mo`): the space
/// between them is never a break.
fn is_unit(word: &[Glyph]) -> bool {
    const UNITS: [&str; 16] = [
        "%", "s", "min", "h", "ms", "GB", "GB-Mo", "MB", "KB", "TB", "Hrs", "USD", "JPY", "秒",
        "分", "円",
    ];
    let text: String = word.iter().map(|g| g.ch).collect();
    let text = text.trim_end_matches(|c: char| no_line_start(c) && c != '%');
    UNITS.contains(&text)
}

/// A piece that is never broken, and whether spaces come before it.
struct Word<'a> {
    spaced: bool,
    glyphs: &'a [Glyph],
}

/// Splits a line (no `\n` in it) into the pieces between break opportunities.
fn words(line: &[Glyph]) -> Vec<Word<'_>> {
    // (spaced, start, end) of each piece, as indices into `line`.
    let mut pieces: Vec<(bool, usize, usize)> = Vec::new();
    let mut start = None::<usize>;
    let mut spaced = false;
    for (i, g) in line.iter().enumerate() {
        if is_space(g) {
            if let Some(s) = start.take() {
                pieces.push((spaced, s, i));
            }
            spaced = true;
            continue;
        }
        match start {
            None => start = Some(i),
            Some(s) if may_break_between(&line[i - 1], g) => {
                pieces.push((spaced, s, i));
                spaced = false;
                start = Some(i);
            }
            Some(_) => {}
        }
    }
    if let Some(s) = start {
        pieces.push((spaced, s, line.len()));
    }
    // A number is never left at the end of a line without its unit (`60 s`, `85 %`).
    let mut joined: Vec<(bool, usize, usize)> = Vec::with_capacity(pieces.len());
    for (spaced, s, e) in pieces {
        if let Some(last) = joined.last_mut()
            && spaced
            && line[last.2 - 1].ch.is_ascii_digit()
            && is_unit(&line[s..e])
        {
            last.2 = e;
            continue;
        }
        joined.push((spaced, s, e));
    }
    joined
        .into_iter()
        .map(|(spaced, s, e)| Word {
            spaced,
            glyphs: &line[s..e],
        })
        .collect()
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
        for word in words(hard_line) {
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

/// The display width of the widest piece of `text` that cannot be broken.
pub fn widest_word(text: &str) -> usize {
    let glyphs = message(text);
    glyphs
        .split(|g| g.ch == '\n')
        .flat_map(words)
        .map(|w| glyphs_width(w.glyphs))
        .max()
        .unwrap_or(0)
}

/// The width of stdout's terminal, or `None` when stdout is not a terminal (piped output is
/// never wrapped).
/// The width of the terminal stderr is on; `None` when stderr is not a terminal (never wrapped).
/// Messages printed beside piped results (`trail search > hits.txt`) are laid out by it.
pub fn stderr_columns() -> Option<usize> {
    use std::io::IsTerminal;
    if !std::io::stderr().is_terminal() {
        return None;
    }
    console::Term::stderr()
        .size_checked()
        .map(|(_, cols)| usize::from(cols))
}

pub fn terminal_columns() -> Option<usize> {
    use std::io::IsTerminal;
    if !std::io::stdout().is_terminal() {
        return None;
    }
    console::Term::stdout()
        .size_checked()
        .map(|(_, cols)| usize::from(cols))
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
    fn wraps_japanese_between_characters_by_display_width() {
        // 10 characters of 2 columns each: 5 fit in 10 columns.
        let lines = wrap_str("あいうえおかきくけこさし", 10);
        assert_eq!(lines, ["あいうえお", "かきくけこ", "さし"]);
        for line in &lines {
            assert!(width_of(line) <= 10);
        }
    }

    #[test]
    fn no_line_starts_with_closing_punctuation() {
        // A break before 。 would fit 4 characters; the rule moves か down with it.
        let lines = wrap_str("あいうか。きく", 8);
        assert_eq!(lines, ["あいう", "か。きく"]);
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
        assert_eq!(lines, ["これは", "IAMユー", "ザー"]);
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
