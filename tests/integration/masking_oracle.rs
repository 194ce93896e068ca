//! Masking checked against an oracle that knows nothing of `src/mask.rs`: a list of secrets as
//! students write them (`tests/data/known-bad.tsv`), put into the sentences they write them in,
//! must leave no trace in the masked text, in any normalised form (digits without separators,
//! full-width folded to ASCII, percent-decoded); look-alikes (`tests/data/known-good.txt`) must
//! pass unchanged. `report --check` must flag every known-bad form and none of the look-alikes,
//! through the real binary too. Issue 13, item 4; issue 22, item 1 (the surroundings: the end of
//! a sentence, Markdown emphasis, file names; `@` as an entity, `[at]`, spaced or a look-alike;
//! zero-width characters). The oracle's readings are its own code: it never calls the masker.

use crate::harness::Workspace;
use lecture06::i18n::Lang;
use lecture06::mask;
use lecture06::report::check;
use regex::Regex;

/// Where students paste such things: prose in both languages (also glued to Japanese, which has
/// no spaces), tables, lists, code spans, quotes, the start of a line, the end of a sentence,
/// Markdown emphasis, a file name.
const SENTENCES: &[&str] = &[
    "I checked the account {}.",
    "ID は {}。",
    "**{}**",
    "_{}_",
    "Screenshot: {}_console.png",
    "My account ID is {} (from the console's account menu).",
    "アカウント ID は {} です。",
    "アカウントIDは「{}」でした",
    "| 項目 | {} |",
    "- 送信元: `{}`",
    "{}",
    "Error: {} was denied, see the log.",
    "(\"{}\")",
    "CloudTrail に {} と記録されていました。",
];

struct Bad {
    class: String,
    secret: String,
    written: String,
}

fn data(name: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn lines(text: &str) -> impl Iterator<Item = &str> {
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
}

fn known_bad() -> Vec<Bad> {
    let text = data("known-bad.tsv");
    let bad: Vec<Bad> = lines(&text)
        .map(|line| {
            let cols: Vec<&str> = line.split('\t').collect();
            assert_eq!(cols.len(), 3, "class, secret, written form: {line:?}");
            Bad {
                class: cols[0].into(),
                secret: cols[1].into(),
                written: cols[2].into(),
            }
        })
        .collect();
    assert!(bad.len() >= 80, "the whole list is read: {}", bad.len());
    bad
}

fn known_good() -> Vec<String> {
    let text = data("known-good.txt");
    let good: Vec<String> = lines(&text).map(str::to_string).collect();
    assert!(good.len() >= 40, "the whole list is read: {}", good.len());
    good
}

/// Full-width ASCII (`５`, `＠`, `ｔ`, `．`) folded to ASCII, the ideographic space to a space.
fn fold_width(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap(),
            '\u{3000}' => ' ',
            c => c,
        })
        .collect()
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(hex) = text.get(i + 1..i + 3)
            && let Ok(byte) = u8::from_str_radix(hex, 16)
        {
            out.push(byte);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Numeric character references (`&#64;`, `&#x40;`) and the few named ones a student may type
/// for `@` and `.` decoded, as GitHub renders them.
fn entity_decode(text: &str) -> String {
    let entity = Regex::new(r"&(#[0-9]+|#[xX][0-9A-Fa-f]+|[A-Za-z]+);").unwrap();
    entity
        .replace_all(text, |c: &regex::Captures| {
            let name = &c[1];
            let code = if let Some(hex) = name.strip_prefix("#x").or(name.strip_prefix("#X")) {
                u32::from_str_radix(hex, 16).ok()
            } else if let Some(dec) = name.strip_prefix('#') {
                dec.parse().ok()
            } else {
                match name {
                    "commat" => Some(0x40),
                    "period" => Some(0x2e),
                    "amp" => Some(0x26),
                    _ => None,
                }
            };
            code.and_then(char::from_u32)
                .map_or_else(|| c[0].to_string(), String::from)
        })
        .into_owned()
}

/// How people hide `@` and `.` from address harvesters, read back: `[at]`, `(at)`, spaces
/// around `@`, the look-alikes `＠` `﹫`, `[dot]`.
fn unobfuscate(text: &str) -> String {
    let at =
        Regex::new(r"(?i)\s*(?:\[\s*at\s*\]|\(\s*at\s*\)|［\s*at\s*］|（\s*at\s*）|@|＠|﹫)\s*")
            .unwrap();
    let dot = Regex::new(r"(?i)\s*(?:\[\s*dot\s*\]|\(\s*dot\s*\))\s*").unwrap();
    dot.replace_all(&at.replace_all(text, "@"), ".")
        .into_owned()
}

/// Characters that show nothing: a reader sees the digits around them as one number.
fn without_invisible(text: &str) -> String {
    text.chars()
        .filter(|c| {
            !matches!(
                c,
                '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}' | '\u{00AD}'
            )
        })
        .collect()
}

/// Every way the oracle looks at a text: as it is, width-folded, without invisible characters,
/// percent-decoded (twice, for `%2540`), entity-decoded, with `[at]`-style hiding undone,
/// lower-cased.
fn readings(text: &str) -> Vec<String> {
    let folded = without_invisible(&fold_width(text));
    let decoded = percent_decode(&folded);
    let twice = percent_decode(&decoded);
    let rendered = unobfuscate(&entity_decode(&twice));
    vec![
        text.to_string(),
        folded.clone(),
        decoded.clone(),
        decoded.to_lowercase(),
        twice.clone(),
        rendered.clone(),
        rendered.to_lowercase(),
    ]
}

/// What of `bad.secret` is left in `masked`, by the class's own reading; `None` when nothing.
fn leak(bad: &Bad, masked: &str) -> Option<String> {
    let readings = readings(masked);
    match bad.class.as_str() {
        "account" => {
            // Separators of any kind removed: `5563-1234-5678`, `5563 1234 5678`, ARNs' colons.
            for reading in &readings {
                let joined: String = reading
                    .chars()
                    .filter(|c| !(c.is_whitespace() || "-‐‑‒–—―−ー.,:/_".contains(*c)))
                    .collect();
                if joined.contains(&bad.secret) {
                    return Some(format!("the digits {} (in {joined:?})", bad.secret));
                }
            }
            None
        }
        "email" => {
            let secret = bad.secret.to_lowercase();
            let (local, domain) = secret.split_once('@').expect("an e-mail has an @");
            readings.iter().find_map(|r| {
                let r = r.to_lowercase();
                (r.contains(&format!("{local}@")) || r.contains(&format!("@{domain}")))
                    .then(|| format!("{local}@ or @{domain}"))
            })
        }
        "secret-key" | "session-token" | "access-key" => {
            // No piece of it: any 12 characters in a row (of the part after an access key's
            // four-letter prefix, which is public).
            let secret = if bad.class == "access-key" {
                &bad.secret[4..]
            } else {
                &bad.secret[..]
            };
            let window = 12.min(secret.len());
            (0..=secret.len() - window)
                .map(|i| &secret[i..i + window])
                .find(|piece| readings.iter().any(|r| r.contains(piece)))
                .map(|piece| format!("the piece {piece:?}"))
        }
        "ipv4" => {
            let octets: Vec<u8> = bad.secret.split('.').map(|o| o.parse().unwrap()).collect();
            let pattern = |o: &[u8]| {
                format!(
                    r"(?:^|[^0-9])0*{}[^0-9]{{1,3}}0*{}[^0-9]{{1,3}}0*{}[^0-9]{{1,3}}0*{}(?:[^0-9]|$)",
                    o[0], o[1], o[2], o[3]
                )
            };
            let reversed: Vec<u8> = octets.iter().rev().copied().collect();
            let padded: String = octets.iter().map(|o| format!("{o:03}")).collect();
            let spelled = [
                Regex::new(&pattern(&octets)).unwrap(),
                Regex::new(&pattern(&reversed)).unwrap(),
            ];
            readings.iter().find_map(|r| {
                if r.contains(&padded) {
                    return Some(format!("the padded digits {padded}"));
                }
                spelled.iter().find_map(|re| {
                    re.find(r)
                        .map(|m| format!("the octets in {:?}", m.as_str()))
                })
            })
        }
        "ipv6" => {
            let address: std::net::Ipv6Addr = bad.secret.parse().unwrap();
            let colons = [
                bad.secret.to_lowercase(),
                address.to_string(),
                address
                    .segments()
                    .iter()
                    .map(|s| format!("{s:x}"))
                    .collect::<Vec<_>>()
                    .join(":"),
            ];
            // Also as a host name spells it (`2001-db8--1.ipv6-literal.net`).
            let forms: Vec<String> = colons
                .iter()
                .flat_map(|f| [f.clone(), f.replace(':', "-")])
                .collect();
            readings.iter().find_map(|r| {
                let r = r.to_lowercase();
                forms.iter().find(|f| r.contains(f.as_str())).cloned()
            })
        }
        other => panic!("unknown class {other} in known-bad.tsv"),
    }
}

#[test]
fn the_oracle_sees_every_known_bad_string_unmasked() {
    // The oracle itself must be able to fail: each secret is seen in its own written form.
    for bad in known_bad() {
        for sentence in SENTENCES {
            let plain = sentence.replace("{}", &bad.written);
            assert!(
                leak(&bad, &plain).is_some(),
                "the oracle misses {} in {plain:?}",
                bad.secret
            );
        }
    }
}

#[test]
fn no_known_bad_string_survives_masking_in_any_form() {
    let mut failures = Vec::new();
    for bad in known_bad() {
        for sentence in SENTENCES {
            let plain = sentence.replace("{}", &bad.written);
            let masked = mask::text(&plain);
            if let Some(left) = leak(&bad, &masked) {
                failures.push(format!(
                    "{} {:?} in {plain:?} → {masked:?}: {left}",
                    bad.class, bad.written
                ));
            }
            assert_eq!(mask::text(&masked), masked, "masking is idempotent");
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn look_alikes_pass_masking_unchanged() {
    for good in known_good() {
        for sentence in SENTENCES {
            let plain = sentence.replace("{}", &good);
            assert_eq!(mask::text(&plain), plain, "{good:?} was changed");
        }
    }
}

#[test]
fn check_flags_every_known_bad_form_and_no_look_alike() {
    let dir = tempfile::tempdir().unwrap();
    for bad in known_bad() {
        for sentence in SENTENCES {
            let text = format!("# R\n\n{}\n", sentence.replace("{}", &bad.written));
            let problems = check::problems_in(&text, dir.path(), Lang::En);
            assert!(
                problems
                    .iter()
                    .any(|p| p.starts_with("line 3: an unmasked")),
                "report --check misses {:?} in {text:?}: {problems:?}",
                bad.written
            );
        }
    }
    for good in known_good() {
        for sentence in SENTENCES {
            let text = format!("# R\n\n{}\n", sentence.replace("{}", &good));
            let problems = check::problems_in(&text, dir.path(), Lang::En);
            assert!(problems.is_empty(), "{good:?}: {problems:?}");
        }
    }
}

/// The same through the real binary: one file with every known-bad form on a line of its own
/// (each line named in the output), one with every look-alike (exit 0).
#[test]
fn report_check_binary_names_the_line_of_every_known_bad_form() {
    let ws = Workspace::new();
    let bad = known_bad();
    let mut text = String::from("# Submission\n\n");
    let mut lines = Vec::new();
    for (i, b) in bad.iter().enumerate() {
        let sentence = SENTENCES[i % SENTENCES.len()];
        lines.push(text.lines().count() + 1);
        text.push_str(&sentence.replace("{}", &b.written));
        text.push_str("\n\n");
    }
    let path = ws.write("bad.md", &text);
    let ran = ws.run_sandbox(&["report", "--check", "--out", path.to_str().unwrap()]);
    assert_eq!(ran.code, 1, "{}", ran.all());
    for (line, b) in lines.iter().zip(&bad) {
        assert!(
            ran.all().contains(&format!("line {line}: an unmasked")),
            "line {line} ({:?}) is not flagged:\n{}",
            b.written,
            ran.all()
        );
    }

    let good: String = known_good()
        .iter()
        .enumerate()
        .map(|(i, g)| format!("{}\n\n", SENTENCES[i % SENTENCES.len()].replace("{}", g)))
        .collect();
    let path = ws.write("good.md", &format!("# Submission\n\n{good}"));
    let ran = ws.run_sandbox(&["report", "--check", "--out", path.to_str().unwrap()]);
    assert_eq!(ran.code, 0, "{}", ran.all());
}

/// The Markdown structure of `markdown` as GitHub reads it (pulldown-cmark with the GFM
/// options): every start and end of a block or inline element, raw HTML and entity-free text
/// aside. Two texts with the same shape differ only in their words.
fn shape(markdown: &str) -> Vec<String> {
    use pulldown_cmark::{Event, Options, Parser};
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_GFM;
    Parser::new_ext(markdown, options)
        .filter_map(|event| match event {
            Event::Text(_) | Event::Code(_) | Event::SoftBreak => None,
            other => Some(format!("{other:?}")),
        })
        .collect()
}

/// Issue 23 item 3: a masked value renders as the plain word it stands for. Each known-bad
/// form, masked, in each sentence (and two in one line, where `*` runs of two masked values
/// could pair up as emphasis, and in a table) must give the same Markdown structure as the
/// sentence with a plain word in its place: no emphasis, link, strikethrough or HTML comes from
/// a masked value, and the emphasis around it (`**…**`, `_…_`) is kept. The masked text itself
/// must contain no `&` entity or backslash escape that GitHub would render differently.
#[test]
fn masked_values_render_as_plain_words() {
    let table = "| key | value |\n|---|---|\n| ID | {} |";
    let two = "{} と {} でした";
    let mut sentences: Vec<&str> = SENTENCES.to_vec();
    sentences.extend([table, two]);
    let escape = Regex::new(r"&#?[0-9A-Za-z]+;|\\[*_]").unwrap();
    let mut failures = Vec::new();
    for bad in known_bad() {
        for sentence in &sentences {
            let masked = mask::text(&sentence.replace("{}", &bad.written));
            // The written form's own Markdown (`**5563-1234-5678**`, `[2001:db8::1]:443`, a
            // link reference definition at the start of a line) stays around the word.
            let word = if bad.written.contains(&bad.secret) {
                bad.written.replace(&bad.secret, "word")
            } else {
                let inner = bad.written.trim_start_matches(['*', '_']);
                let wrapper = &bad.written[..bad.written.len() - inner.len()];
                format!("{wrapper}word{wrapper}")
            };
            // An autolink's brackets go with the address (`<EMAIL-MASKED>` would be an HTML tag).
            let word = word
                .strip_prefix('<')
                .and_then(|w| w.strip_suffix('>'))
                .unwrap_or(&word);
            let plain = sentence.replace("{}", word);
            if shape(&masked) != shape(&plain) {
                failures.push(format!(
                    "{:?} in {sentence:?}: {masked:?} renders as {:?}, a plain word as {:?}",
                    bad.written,
                    shape(&masked),
                    shape(&plain)
                ));
            }
            if let Some(entity) = escape.find(&masked) {
                failures.push(format!(
                    "{:?}: {masked:?} holds {:?}",
                    bad.written,
                    entity.as_str()
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The oracle of the test above can fail: the old mask forms render as emphasis.
#[test]
fn the_render_oracle_sees_emphasis_from_asterisk_masks() {
    assert_ne!(
        shape("メール ***@*** です"),
        shape("メール word です"),
        "***@*** is bold-italic on GitHub"
    );
    assert_ne!(
        shape("5563********と1234********でした"),
        shape("wordとwordでした")
    );
}
