//! Masking of what must not be published: reports go to GitHub. Account IDs keep their first four
//! digits as students mask them by hand (`5563********`, `5563-****-****`); access key IDs (and the
//! other IAM unique IDs: `AIDA…`, `AROA…`) keep their four-letter prefix; secret access keys,
//! session tokens, IP and e-mail addresses are replaced. Applied to every text that leaves the
//! workspace (report, assets, status output), never to what is stored in `.lecture06/`.
//!
//! Students type these by hand, so each is looked for in the forms they write: an account ID as
//! the console's menu shows it (`5563-1234-5678`) or in full-width digits from a Japanese IME
//! (`５５６３１２３４５６７８`), an e-mail address percent-encoded (`taro%40example.com`), with a
//! full-width `＠` or non-ASCII letters (`山田@例え.jp`), an IPv4 address spelt inside a host name
//! (`p203-0-113-5.tokyo.ocn.ne.jp`, `ec2-54-250-1-2…`).
//!
//! The detectors work on maximal runs of the characters a secret can be made of (digits, dots,
//! hex digits and colons, base64) rather than on delimited patterns, so that a neighbour
//! (`1.2.3.4,5.6.7.8`, a sentence's full stop, `_` in a bucket name) never hides one. They run in
//! a fixed order, each on the previous one's output; [`findings`] runs the very same stages, so
//! "masked" and "nothing found" cannot disagree (the tests check both against an independent list
//! of known leaks instead).

use regex::Regex;
use std::net::Ipv6Addr;
use std::sync::LazyLock;

/// IAM unique-ID prefixes: access keys (`AKIA` long-term, `ASIA` temporary) and the principal IDs
/// CloudTrail records carry (`AIDA` user, `AROA` role, …). Sixteen more characters follow.
static ACCESS_KEY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(AKIA|ASIA|AIDA|AROA|AIPA|ANPA|ANVA|AGPA|APKA|ABIA|ACCA)[A-Z0-9]{12,}").unwrap()
});
/// Runs of digits. A percent-escape (`%22` in a URL-encoded policy) is matched on its own first,
/// so that its hex digits never join the run that follows (`%22123837392027%22`).
static DIGITS: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"%[0-9A-Fa-f]{2}|[0-9]+").unwrap());
/// Digits (ASCII or full-width) in groups joined by one separator each: a hyphen or a dash of any
/// width (also `ー`, the long-vowel mark an IME gives for `-`), a space or an ideographic space.
static DIGIT_GROUPS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"[0-9０-９]+(?:[\-‐‑‒–—―−－ー \u{3000}\u{00A0}][0-9０-９]+)*").unwrap()
});
/// An e-mail address: letters of any script, the `@` as typed (`@`, full-width `＠`, or
/// percent-encoded `%40`), a domain of any script (dots full-width too) ending in a Latin
/// top-level domain (so Japanese text right after it, `…@example.comまで`, is not taken for it).
static EMAIL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"[\p{L}\p{N}._%+\-]+(?:@|＠|%40)(?:[\p{L}\p{N}](?:[\p{L}\p{N}\-]*[\p{L}\p{N}])?[.．])+[A-Za-zＡ-Ｚａ-ｚ]{2,}",
    )
    .unwrap()
});
/// Numbers joined by hyphens: host names that spell an IPv4 address (`ip-172-31-0-5`,
/// `ec2-54-250-1-2.…amazonaws.com`, `p203-0-113-5.tokyo.ocn.ne.jp`, `FL1-60-34-56-78.…`).
static HYPHENATED: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"[0-9]+(?:-[0-9]+){3,}").unwrap());
/// Runs of digits and dots: IPv4 candidates.
static DOTTED: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"%[0-9A-Fa-f]{2}|[0-9.]+").unwrap());
/// Runs of hex digits, colons and dots that hold a colon: IPv6 candidates.
static IPV6_CANDIDATE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"[0-9A-Fa-f.]*:[0-9A-Fa-f:.]*").unwrap());
/// Runs of base64 characters: secret access key candidates (exactly 40 of them).
static BASE64: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"[A-Za-z0-9/+]+").unwrap());
/// Runs of base64 characters, percent-escapes (a token in a presigned URL) and padding: session
/// token candidates.
static TOKEN: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"[A-Za-z0-9/+%]+=*").unwrap());

/// How STS session tokens begin (the base64 of their fixed leading bytes): `IQoJb3JpZ2lu…` today,
/// `FwoGZXIvYXdz…`/`FQoGZXIvYXdz…` and `AQoDYXdz…` in older ones. Even the bare prefix is masked:
/// a student who pastes a token cut off with `…` has pasted a token.
const TOKEN_PREFIXES: [&str; 4] = ["IQoJb3JpZ2lu", "FwoGZXIvYXdz", "FQoGZXIvYXdz", "AQoDYXdz"];
/// A base64 run this long with upper- and lower-case letters and digits is a token of some kind.
const LONG_TOKEN: usize = 100;

pub const MASKED_IP: &str = "x.x.x.x";
pub const MASKED_EMAIL: &str = "***@***";
pub const MASKED_IPV6: &str = "x:x:x:x";
/// Words, not asterisks: a line of asterisks alone would be a horizontal rule in Markdown.
pub const MASKED_SECRET_KEY: &str = "SECRET-KEY-MASKED";
pub const MASKED_SESSION_TOKEN: &str = "SESSION-TOKEN-MASKED";

/// `556312345678` → `5563********`.
pub fn account_id(id: &str) -> String {
    if is_account_id(id) {
        format!("{}********", &id[..4])
    } else {
        id.to_string()
    }
}

/// Digits right after `<digit>.` are the fraction of an amount (Cost Explorer sends up to ten or
/// more decimals, `0.000032062412`), never an account ID.
fn is_decimal_fraction(text: &str, start: usize) -> bool {
    let before = &text.as_bytes()[..start];
    before.len() >= 2
        && before[before.len() - 1] == b'.'
        && before[before.len() - 2].is_ascii_digit()
}

/// Digits inside a long hexadecimal word (a calculator.aws share id `estimate?id=<40 hex>`, a
/// commit or a hash) are part of that word, not an account ID.
fn is_inside_hex_word(text: &str, start: usize, end: usize) -> bool {
    let bytes = text.as_bytes();
    let is_hex = |b: &u8| b.is_ascii_hexdigit();
    let first = start
        - bytes[..start]
            .iter()
            .rev()
            .take_while(|b| is_hex(b))
            .count();
    let last = end + bytes[end..].iter().take_while(|b| is_hex(b)).count();
    let bounded = |b: Option<&u8>| b.is_none_or(|b| !b.is_ascii_alphanumeric());
    last - first >= 32
        && (first > start || last > end)
        && bounded(first.checked_sub(1).and_then(|i| bytes.get(i)))
        && bounded(bytes.get(last))
}

fn is_account_id(run: &str) -> bool {
    run.len() == 12 && run.bytes().all(|b| b.is_ascii_digit())
}

/// One thing to mask: where it is in the text a stage sees, and what replaces it.
struct Span {
    start: usize,
    end: usize,
    masked: String,
}

impl Span {
    fn new(start: usize, end: usize, masked: impl Into<String>) -> Span {
        Span {
            start,
            end,
            masked: masked.into(),
        }
    }
}

/// A detector: the spans to mask in the text it is given.
type Detect = fn(&str) -> Vec<Span>;

/// The detectors in the order they run, each with the kind of secret it names. Longer secrets
/// go first, so that the digits and key-like words inside a token are masked with it.
const STAGES: [(&str, Detect); 9] = [
    ("session token", session_tokens),
    ("secret access key", secret_access_keys),
    ("e-mail address", emails),
    ("access key ID", access_key_ids),
    ("IPv4 address (host name)", hyphenated_ipv4),
    // IPv6 before IPv4 so that `::ffff:192.0.2.1` goes as one address.
    ("IPv6 address", ipv6_addresses),
    ("IPv4 address", dotted_ipv4),
    ("account ID", written_account_ids),
    ("account ID", account_ids),
];

fn session_tokens(text: &str) -> Vec<Span> {
    TOKEN
        .find_iter(text)
        .filter(|m| {
            let run = m.as_str();
            TOKEN_PREFIXES.iter().any(|p| run.starts_with(p))
                || (run.len() >= LONG_TOKEN && !run.contains('%') && has_mixed_classes(run))
        })
        .map(|m| Span::new(m.start(), m.end(), MASKED_SESSION_TOKEN))
        .collect()
}

/// Upper- and lower-case letters and digits: random base64, not a word, a path or a hex hash.
fn has_mixed_classes(run: &str) -> bool {
    run.bytes().any(|b| b.is_ascii_uppercase())
        && run.bytes().any(|b| b.is_ascii_lowercase())
        && run.bytes().any(|b| b.is_ascii_digit())
}

/// Exactly forty base64 characters of mixed case with a digit (`wJalrXUtnFEMI/K7MDENG/…`). A
/// calculator share id or a commit (40 hex digits, one case) is not one.
fn secret_access_keys(text: &str) -> Vec<Span> {
    BASE64
        .find_iter(text)
        .filter(|m| {
            let run = m.as_str();
            run.len() == 40 && has_mixed_classes(run) && !run.bytes().all(|b| b.is_ascii_hexdigit())
        })
        .map(|m| Span::new(m.start(), m.end(), MASKED_SECRET_KEY))
        .collect()
}

fn emails(text: &str) -> Vec<Span> {
    EMAIL
        .find_iter(text)
        .map(|m| Span::new(m.start(), m.end(), MASKED_EMAIL))
        .collect()
}

fn access_key_ids(text: &str) -> Vec<Span> {
    ACCESS_KEY
        .captures_iter(text)
        .map(|c| {
            let (whole, prefix) = (c.get(0).expect("match"), &c[1]);
            let masked = format!("{prefix}{}", "*".repeat(whole.len() - prefix.len()));
            Span::new(whole.start(), whole.end(), masked)
        })
        .collect()
}

/// In a run of hyphen-joined numbers, the last four that can be an address (each at most three
/// digits and 255) are one; so is any earlier four that does not overlap it. `ec2-54-250-1-2`
/// keeps the `2` of `ec2`, `FL1-60-34-56-78` its `1`.
fn hyphenated_ipv4(text: &str) -> Vec<Span> {
    let mut spans = Vec::new();
    for m in HYPHENATED.find_iter(text) {
        let mut groups = Vec::new();
        let mut at = m.start();
        for part in m.as_str().split('-') {
            groups.push((at, at + part.len()));
            at += part.len() + 1;
        }
        let octet = |&(s, e): &(usize, usize)| {
            e - s <= 3 && text[s..e].parse::<u16>().is_ok_and(|n| n <= 255)
        };
        let mut found = Vec::new();
        let mut end = groups.len();
        while end >= 4 {
            if groups[end - 4..end].iter().all(octet) {
                found.push(Span::new(groups[end - 4].0, groups[end - 1].1, "x-x-x-x"));
                end -= 4;
            } else {
                end -= 1;
            }
        }
        spans.extend(found.into_iter().rev());
    }
    spans
}

fn ipv6_addresses(text: &str) -> Vec<Span> {
    let mut spans = Vec::new();
    for m in IPV6_CANDIDATE.find_iter(text) {
        // Longer runs are not addresses but hex dumps; checking every sub-run would be quadratic.
        if m.as_str().len() <= 200 {
            spans.extend(
                ipv6_spans(m.as_str())
                    .into_iter()
                    .map(|(s, e)| Span::new(m.start() + s, m.start() + e, MASKED_IPV6)),
            );
        }
    }
    spans
}

fn dotted_ipv4(text: &str) -> Vec<Span> {
    DOTTED
        .find_iter(text)
        .filter_map(|m| {
            let (s, e) = ipv4_in_run(m.as_str())?;
            Some(Span::new(m.start() + s, m.start() + e, MASKED_IP))
        })
        .collect()
}

/// An ASCII or full-width digit.
fn is_any_digit(c: char) -> bool {
    c.is_ascii_digit() || ('０'..='９').contains(&c)
}

/// Account IDs written as the console's account menu shows them (`5563-1234-5678`, also with
/// spaces or dashes of any width) or typed in full-width digits (`５５６３１２３４５６７８`). The
/// first four digits stay, as written.
fn written_account_ids(text: &str) -> Vec<Span> {
    let mut spans = Vec::new();
    for m in DIGIT_GROUPS.find_iter(text) {
        // (start, end) of each group of digits.
        let mut groups = Vec::new();
        let mut start = None;
        for (i, c) in m.as_str().char_indices() {
            match (is_any_digit(c), start) {
                (true, None) => start = Some(i),
                (false, Some(s)) => {
                    groups.push((m.start() + s, m.start() + i));
                    start = None;
                }
                _ => {}
            }
        }
        if let Some(s) = start {
            groups.push((m.start() + s, m.end()));
        }
        let digits = |&(s, e): &(usize, usize)| text[s..e].chars().count();
        // Three groups of four stand apart when each side is a space (other numbers written
        // beside them: `ID 5563-1234-5678 2 回目`) or the end of the run, not glued to a word
        // (`…-4c6f-4280-9687-3565…`, the middle of a UUID, is not an account ID).
        let space_between = |k: usize| text[groups[k].1..groups[k + 1].0].trim().is_empty();
        let mut k = 0;
        while k < groups.len() {
            let last = k + 2;
            let apart = last < groups.len()
                && groups[k..=last].iter().all(|g| digits(g) == 4)
                && if k == 0 {
                    !is_glued(text[..m.start()].chars().next_back())
                } else {
                    space_between(k - 1)
                }
                && if last == groups.len() - 1 {
                    !is_glued(text[m.end()..].chars().next())
                } else {
                    space_between(last)
                };
            if apart {
                let (first, second, third) = (groups[k], groups[k + 1], groups[last]);
                let masked = format!(
                    "{}{}****{}****",
                    &text[first.0..first.1],
                    &text[first.1..second.0],
                    &text[second.1..third.0]
                );
                spans.push(Span::new(first.0, third.1, masked));
                k += 3;
                continue;
            }
            let (s, e) = groups[k];
            // All-ASCII runs are the plain detector's (with its exceptions for amounts).
            if digits(&groups[k]) == 12 && !text[s..e].is_ascii() {
                let four: String = text[s..e].chars().take(4).collect();
                spans.push(Span::new(s, e, format!("{four}********")));
            }
            k += 1;
        }
    }
    spans
}

/// A character that glues a number to what it touches: a letter or digit, a hyphen or dash, a
/// dot, `_`, or a mask's `*`.
fn is_glued(c: Option<char>) -> bool {
    c.is_some_and(|c| {
        c.is_ascii_alphanumeric()
            || is_any_digit(c)
            || matches!(
                c,
                '*' | '_' | '.' | '-' | '‐' | '‑' | '‒' | '–' | '—' | '―' | '−' | '－' | 'ー'
            )
    })
}

fn account_ids(text: &str) -> Vec<Span> {
    DIGITS
        .find_iter(text)
        .filter(|m| {
            is_account_id(m.as_str())
                && !is_decimal_fraction(text, m.start())
                && !is_inside_hex_word(text, m.start(), m.end())
        })
        .map(|m| Span::new(m.start(), m.end(), account_id(m.as_str())))
        .collect()
}

/// `text` with each span (in order, not overlapping) replaced.
fn splice(text: &str, spans: &[Span]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for span in spans {
        out.push_str(&text[last..span.start]);
        out.push_str(&span.masked);
        last = span.end;
    }
    out.push_str(&text[last..]);
    out
}

/// Runs every stage, each on the previous one's output; `seen` gets each stage's finds in the
/// text that stage saw.
fn run_stages(text: &str, mut seen: impl FnMut(&'static str, &str, &[Span])) -> String {
    let mut current = std::borrow::Cow::Borrowed(text);
    for (kind, detect) in STAGES {
        let spans = detect(&current);
        if spans.is_empty() {
            continue;
        }
        seen(kind, &current, &spans);
        current = std::borrow::Cow::Owned(splice(&current, &spans));
    }
    current.into_owned()
}

/// Masks every account ID, access key, session token, e-mail and IP address in `text`.
pub fn text(text: &str) -> String {
    run_stages(text, |_, _, _| {})
}

/// Masks every string inside a JSON value (keys are left alone).
pub fn json(value: &serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match value {
        Value::String(s) => Value::String(text(s)),
        Value::Array(items) => Value::Array(items.iter().map(json).collect()),
        Value::Object(map) => {
            Value::Object(map.iter().map(|(k, v)| (k.clone(), json(v))).collect())
        }
        Value::Number(n) if is_account_id(&n.to_string()) => {
            Value::String(account_id(&n.to_string()))
        }
        other => other.clone(),
    }
}

/// Where the IPv4 address of a run of digits and dots is: the run without its leading and
/// trailing dots, when it is four numbers of at most 255 (leading zeros allowed: anonymised
/// records write `08.1.250.216`). Longer runs (`1.2.3.4.5`) are version numbers.
fn ipv4_in_run(run: &str) -> Option<(usize, usize)> {
    if run.starts_with('%') {
        return None;
    }
    let start = run.len() - run.trim_start_matches('.').len();
    let end = run.trim_end_matches('.').len();
    if start >= end {
        return None;
    }
    is_ipv4(&run[start..end]).then_some((start, end))
}

fn is_ipv4(candidate: &str) -> bool {
    let parts: Vec<&str> = candidate.split('.').collect();
    parts.len() == 4
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.len() <= 3 && p.parse::<u16>().is_ok_and(|n| n <= 255))
}

/// An IPv6 address with at least two written groups (so `::`, or a time such as `12:40:00`, is
/// not one).
fn is_ipv6(candidate: &str) -> bool {
    let groups = candidate.split(':').filter(|g| !g.is_empty()).count();
    groups >= 2 && candidate.parse::<Ipv6Addr>().is_ok()
}

/// The IPv6 addresses inside a run of hex digits, colons and dots: the longest one starting at
/// each position, left to right. A run often holds more than the address, since hex words and
/// colons touch it (`arn` after it, `cafe:` before it, a ninth group).
fn ipv6_spans(run: &str) -> Vec<(usize, usize)> {
    // The longest IPv6 text: eight groups, or six and an IPv4 tail (45 characters).
    const LONGEST: usize = 45;
    let mut spans = Vec::new();
    let mut start = 0;
    while start < run.len() {
        let last = run.len().min(start + LONGEST);
        // The longest end first, so `2001:db8::1` is not cut to `2001:db8`.
        match (start + 2..=last)
            .rev()
            .find(|&end| is_ipv6(&run[start..end]))
        {
            Some(end) => {
                spans.push((start, end));
                start = end;
            }
            None => start += 1,
        }
    }
    spans
}

/// Something that still looks like a secret: its kind, the text as found, and its line (1-based).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    pub kind: &'static str,
    pub found: String,
    pub line: usize,
}

/// What still looks like a secret in `text` (for `report --check` and tests), in the order of the
/// lines, each with its line. Linear in the text's length: masking never adds or removes a line
/// break, so a line counted in a stage's text is the line in `text`.
pub fn findings_with_lines(text: &str) -> Vec<Finding> {
    let mut found = Vec::new();
    run_stages(text, |kind, seen, spans| {
        let mut line = 1;
        let mut counted = 0;
        for span in spans {
            line += memchr::memchr_iter(b'\n', &seen.as_bytes()[counted..span.start]).count();
            counted = span.start;
            found.push(Finding {
                kind,
                found: seen[span.start..span.end].to_string(),
                line,
            });
        }
    });
    found.sort_by_key(|f| f.line);
    found
}

/// What still looks like a secret in `text`: each finding names its kind.
pub fn findings(text: &str) -> Vec<(&'static str, String)> {
    findings_with_lines(text)
        .into_iter()
        .map(|f| (f.kind, f.found))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    use std::net::Ipv4Addr;

    #[test]
    fn amounts_with_twelve_decimals_are_not_account_ids() {
        assert_eq!(text("0.000032062412 USD"), "0.000032062412 USD");
        assert_eq!(text("account 556312345678."), "account 5563********.");
    }

    #[test]
    fn masks_account_ids_like_students_do() {
        assert_eq!(account_id("556312345678"), "5563********");
        assert_eq!(
            text("arn:aws:iam::556312345678:user/student"),
            "arn:aws:iam::5563********:user/student"
        );
        assert_eq!(
            text("aws-cloudtrail-logs-556312345678_x"),
            "aws-cloudtrail-logs-5563********_x"
        );
    }

    #[test]
    fn masks_keys_ips_and_emails() {
        let masked = text("key AKIAIOSFODNN7EXAMPLE from 203.0.113.5 by taro@example.com");
        assert_eq!(masked, "key AKIA**************** from x.x.x.x by ***@***");
        assert!(findings(&masked).is_empty(), "{:?}", findings(&masked));
    }

    #[test]
    fn masks_adjacent_addresses_and_ipv6() {
        let masked = text("1.2.3.4,5.6.7.8 and 2001:db8::1 and fe80::a:b:c:d");
        assert!(findings(&masked).is_empty(), "{masked}");
        assert!(!masked.contains("2001"));
    }

    #[test]
    fn masks_addresses_at_the_end_of_a_sentence_and_inside_words() {
        assert_eq!(text("from 203.0.113.5."), "from x.x.x.x.");
        assert_eq!(text("key_AKIAIOSFODNN7EXAMPLE"), "key_AKIA****************");
        assert_eq!(text("at 08.1.250.216"), "at x.x.x.x");
        assert_eq!(
            text("%7B%22AWS%22%3A%22123837392027%22%7D %22203.0.113.5%22"),
            "%7B%22AWS%22%3A%221238********%22%7D %22x.x.x.x%22"
        );
        assert_eq!(
            text("ip-172-31-0-5.ap-northeast-1.compute.internal"),
            "ip-x-x-x-x.ap-northeast-1.compute.internal"
        );
        assert_eq!(text("[2001:db8::1]:443"), "[x:x:x:x]:443");
        assert_eq!(text("::ffff:192.0.2.1"), "x:x:x:x");
        // Nine groups: the first eight are an address.
        assert_eq!(text("id cafe:beef:2001:db8:1:2:3:4:5"), "id x:x:x:x:5");
        assert_eq!(text(".C278:9272:6767:BF8:35B9:AA:C610:B458"), ".x:x:x:x");
        let masked = text("abc:def:0:1:2:3:4:5:6:7");
        assert!(findings(&masked).is_empty(), "{masked}");
    }

    #[test]
    fn leaves_times_versions_and_short_numbers_alone() {
        let plain = "2023-07-10T12:40:00Z version 1.08 took 12:30 and 1234567, aws-cli/2.13.0 Python/3.11.4 Linux/5.10.184-175.731.amzn2.x86_64 ec2:StopInstances 1.2.3.4.5";
        assert_eq!(text(plain), plain);
        assert!(findings(plain).is_empty(), "{:?}", findings(plain));
    }

    #[test]
    fn masks_the_forms_students_type() {
        assert_eq!(text("ID: 5563-1234-5678"), "ID: 5563-****-****");
        assert_eq!(text("ID 5563 1234 5678 です"), "ID 5563 **** **** です");
        assert_eq!(
            text("ID 5563-1234-5678 2026-11-21"),
            "ID 5563-****-**** 2026-11-21"
        );
        assert_eq!(text("No. 10 5563 1234 5678"), "No. 10 5563 **** ****");
        // The middle of a UUID is not one.
        let uuid = "531857df-4c6f-4280-9687-3565-ab";
        assert_eq!(text(uuid), uuid);
        assert_eq!(text("５５６３１２３４５６７８"), "５５６３********");
        assert_eq!(text("５５６３－１２３４－５６７８"), "５５６３－****－****");
        assert_eq!(text("taro%40example.com"), MASKED_EMAIL);
        assert_eq!(text("宛先：山田@例え.jpまで"), "宛先：***@***まで");
        assert_eq!(text("tarō@example.com"), MASKED_EMAIL);
        assert_eq!(
            text("key wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY."),
            "key SECRET-KEY-MASKED."
        );
        assert_eq!(
            text("token=IQoJb3JpZ2luX2VjEJr//////////wEaDmFwLW5vcnRoZWFzdC0x…"),
            "token=SESSION-TOKEN-MASKED…"
        );
        assert_eq!(
            text("p203-0-113-5.tokyo.ocn.ne.jp"),
            "px-x-x-x.tokyo.ocn.ne.jp"
        );
        assert_eq!(
            text("ec2-54-250-1-2.ap-northeast-1.compute.amazonaws.com"),
            "ec2-x-x-x-x.ap-northeast-1.compute.amazonaws.com"
        );
        assert_eq!(text("FL1-60-34-56-78.tky"), "FL1-x-x-x-x.tky");
    }

    #[test]
    fn share_ids_and_hashes_are_not_secrets() {
        // A 40-hex id holding a run of exactly twelve digits.
        let url = "https://calculator.aws/#/estimate?id=ab123456789012cdef0123456789abcdef012345";
        assert_eq!(text(url), url);
        let commit = "commit 9fceb02d0ae598e95dc970b74767f19372d61af8";
        assert_eq!(text(commit), commit);
    }

    #[test]
    fn findings_carry_their_line() {
        let found = findings_with_lines("a\nb 5563-1234-5678\n\nIP 203.0.113.5\n");
        let lines: Vec<_> = found.iter().map(|f| (f.kind, f.line)).collect();
        assert_eq!(lines, [("account ID", 2), ("IPv4 address", 4)]);
    }

    #[test]
    fn findings_name_what_is_unmasked() {
        let found = findings("account 123456789012");
        assert_eq!(found, vec![("account ID", "123456789012".to_string())]);
    }

    #[test]
    fn json_numbers_that_are_account_ids_are_masked() {
        let value = serde_json::json!({"accountId": 556312345678u64, "n": 3, "s": "10.0.0.1"});
        assert_eq!(
            json(&value),
            serde_json::json!({"accountId": "5563********", "n": 3, "s": "x.x.x.x"})
        );
    }

    /// A small deterministic generator (xorshift): the property tests below try thousands of
    /// secrets in thousands of surroundings without a dependency.
    struct Gen(u64);

    impl Gen {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
        fn below(&mut self, n: u64) -> u64 {
            self.next() % n
        }
        fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
            items[self.below(items.len() as u64) as usize]
        }
        fn chars(&mut self, alphabet: &str, len: usize) -> String {
            let chars: Vec<char> = alphabet.chars().collect();
            (0..len)
                .map(|_| chars[self.below(chars.len() as u64) as usize])
                .collect()
        }
        fn account(&mut self) -> String {
            self.chars("0123456789", 12)
        }
        fn key(&mut self) -> String {
            let prefix = self.pick(&["AKIA", "ASIA", "AIDA", "AROA"]);
            format!(
                "{prefix}{}",
                self.chars("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16)
            )
        }
        fn ipv4(&mut self) -> String {
            Ipv4Addr::from(self.next() as u32).to_string()
        }
        fn ipv6(&mut self) -> String {
            let high = u128::from(self.next()) << 64;
            // Some addresses with runs of zero groups, written with `::`.
            let low = match self.below(3) {
                0 => 0,
                1 => self.below(0xffff) as u128,
                _ => u128::from(self.next()),
            };
            let address = Ipv6Addr::from(high | low).to_string();
            if self.below(2) == 0 {
                address.to_uppercase()
            } else {
                address
            }
        }
        fn email(&mut self) -> String {
            let local_len = 1 + self.below(12) as usize;
            let local = self.chars("abcdefghijklmnopqrstuvwxyz0123456789._+-", local_len);
            let host_len = 1 + self.below(10) as usize;
            let host = self.chars("abcdefghijklmnopqrstuvwxyz0123456789", host_len);
            let tld = self.pick(&["com", "jp", "co.jp", "io", "example"]);
            format!("{local}{}@{host}.{tld}", self.chars("abc", 1))
        }
        /// The kind of text found around secrets in records, ARNs, tables and prose.
        fn surrounding(&mut self) -> String {
            let pieces = [
                " ",
                "\"",
                ":",
                "::",
                "/",
                ",",
                ".",
                "_",
                "-",
                "|",
                "`",
                "(",
                ")",
                "[",
                "]",
                "=",
                "\n",
                "x",
                "arn:aws:iam::",
                ":user/",
                "id ",
                "。",
                "、",
                "日本語",
                "{\"a\":\"",
                "\"}",
                "<",
                ">",
                "@",
                "#",
            ];
            (0..self.below(3))
                .map(|_| self.pick(&pieces).to_string())
                .collect()
        }
    }

    #[test]
    fn property_every_generated_secret_is_masked_in_any_surrounding() {
        let mut generator = Gen(0x5eed_1234_abcd_ef01);
        for round in 0..4000 {
            let secret = match round % 5 {
                0 => generator.account(),
                1 => generator.key(),
                2 => generator.ipv4(),
                3 => generator.ipv6(),
                _ => generator.email(),
            };
            let input = format!(
                "{}{}{}",
                generator.surrounding(),
                secret,
                generator.surrounding()
            );
            let masked = text(&input);
            assert!(
                findings(&masked).is_empty(),
                "round {round}: {input:?} → {masked:?}: {:?}",
                findings(&masked)
            );
            if round % 5 != 2 || secret.len() > 8 {
                // (A short IPv4 such as `0.0.0.1` may reappear in `x.x.x.x`-free text by chance;
                // longer secrets must not.)
                assert!(
                    !masked.contains(&secret),
                    "round {round}: {secret} left in {masked:?}"
                );
            }
            assert!(
                !findings(&input).is_empty(),
                "round {round}: findings misses {secret} in {input:?}"
            );
            assert_eq!(text(&masked), masked, "masking is idempotent: {input:?}");
        }
    }

    #[test]
    fn property_secrets_side_by_side_are_all_masked() {
        let mut generator = Gen(0xfeed_beef_0042_1337);
        for round in 0..1000 {
            let secrets = [
                generator.account(),
                generator.ipv4(),
                generator.key(),
                generator.ipv6(),
                generator.email(),
            ];
            let separator = generator.pick(&[",", " ", ";", "|", "/", "\t", "\n", "、"]);
            let input = secrets.join(separator);
            let masked = text(&input);
            assert!(
                findings(&masked).is_empty(),
                "round {round}: {input:?} → {masked:?}"
            );
        }
    }

    #[test]
    fn property_ordinary_text_is_left_alone() {
        let mut generator = Gen(0x0bad_cafe_0000_0001);
        for round in 0..2000 {
            let plain = match round % 4 {
                0 => format!(
                    "2026-{:02}-{:02}T{:02}:{:02}:{:02}Z",
                    1 + generator.below(12),
                    1 + generator.below(28),
                    generator.below(24),
                    generator.below(60),
                    generator.below(60)
                ),
                1 => format!(
                    "v{}.{}.{}",
                    generator.below(30),
                    generator.below(300),
                    generator.below(3000)
                ),
                2 => format!("{} USD", generator.below(10_000_000_000)),
                _ => format!(
                    "{}:{}",
                    generator.pick(&["ec2", "sns", "cloudwatch", "elasticloadbalancing"]),
                    generator.pick(&["StopInstances", "Publish", "PutMetricAlarm"])
                ),
            };
            assert_eq!(text(&plain), plain, "round {round}");
        }
    }
}
