//! Where a line may break: the Japanese rules (JLREQ: what may not begin or end a line), a
//! number kept with its unit, code and identifiers kept whole, and Japanese broken between
//! phrases (BudouX's model) rather than between any two characters. `wrap` in `text_flow`
//! fills lines with the pieces found here.

use super::{Glyph, glyphs_width, is_cjk, width};

/// Characters a line must not start with: JLREQ's closing brackets (cl-02), hyphens (cl-03),
/// dividing punctuation (cl-04 `？！`), middle dots (cl-05 `・：；`), full stops (cl-06), commas
/// (cl-07), iteration marks and the prolonged sound mark (cl-09), small kana (cl-11) and the
/// inseparable `…‥` (cl-08), plus their ASCII counterparts.
pub(super) fn no_line_start(c: char) -> bool {
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

/// Units written after a number and a space (`60 s`, `85 %`, `2 min`, `30 GB-Mo`, `90 日`): the
/// space between them is not a break (unless the two are wider than a line).
fn is_unit(word: &[Glyph]) -> bool {
    const UNITS: [&str; 32] = [
        "%",
        "s",
        "min",
        "h",
        "ms",
        "GB",
        "GB-Mo",
        "MB",
        "KB",
        "TB",
        "Hrs",
        "USD",
        "JPY",
        "秒",
        "分",
        "円",
        "時間",
        "日",
        "日間",
        "か月",
        "年",
        "回",
        "件",
        "個",
        "台",
        "倍",
        "バイト",
        "文字",
        "つ",
        "人",
        "行",
        "番目",
    ];
    let text: String = word.iter().map(|g| g.ch).collect();
    let text = text.trim_end_matches(|c: char| no_line_start(c) && c != '%');
    UNITS.contains(&text)
}

/// A piece that is never broken, and whether spaces come before it.
pub(super) struct Word<'a> {
    pub spaced: bool,
    pub glyphs: &'a [Glyph],
}

/// Where each phrase of Japanese in `line` begins (BudouX's Japanese model: `これは` `テストです。`),
/// by glyph index. Japanese has no spaces between words; breaking only between phrases keeps a
/// word such as `英数字` or `ユーザー名` whole on its line.
fn phrase_starts(line: &[Glyph]) -> Vec<bool> {
    let mut starts = vec![false; line.len() + 1];
    if !line.iter().any(|g| is_cjk(g.ch)) {
        return starts;
    }
    let text: String = line.iter().map(|g| g.ch).collect();
    let mut at = 0;
    for phrase in budoux::parse(budoux::models::default_japanese_model(), &text) {
        starts[at] = true;
        at += phrase.chars().count();
    }
    starts
}

/// Splits a line (no `\n` in it) into the pieces between break opportunities, for lines
/// `columns` wide: between two Japanese characters only where a phrase begins, unless the
/// phrase is wider than a line (then between any two characters the rules allow).
pub(super) fn words(line: &[Glyph], columns: usize) -> Vec<Word<'_>> {
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
    // A number is never left at the end of a line without its unit (`60 s`, `85 %`, `90 日`):
    // the pieces after it that spell a unit (`時`+`間`) are joined to it.
    let mut joined: Vec<(bool, usize, usize)> = Vec::with_capacity(pieces.len());
    let mut i = 0;
    while let Some(&(spaced, s, e)) = pieces.get(i) {
        if let Some(last) = joined.last_mut()
            && spaced
            && line[last.2 - 1].ch.is_ascii_digit()
        {
            // This piece and up to three unspaced ones after it (`時`, `間`).
            let unit_end = (i..pieces.len())
                .take_while(|&j| j == i || !pieces[j].0)
                .take(4)
                .filter(|&j| is_unit(&line[s..pieces[j].2]))
                .last();
            if let Some(j) = unit_end {
                last.2 = pieces[j].2;
                i = j + 1;
                continue;
            }
        }
        joined.push((spaced, s, e));
        i += 1;
    }
    let starts = phrase_starts(line);
    let mut phrases: Vec<(bool, usize, usize)> = Vec::with_capacity(joined.len());
    for (spaced, s, e) in joined {
        if let Some(last) = phrases.last_mut()
            && !spaced
            && !starts[s]
            && is_cjk(line[s - 1].ch)
            && is_cjk(line[s].ch)
            && glyphs_width(&line[last.1..e]) <= columns
        {
            last.2 = e;
            continue;
        }
        phrases.push((spaced, s, e));
    }
    phrases
        .into_iter()
        .map(|(spaced, s, e)| Word {
            spaced,
            glyphs: &line[s..e],
        })
        .collect()
}
