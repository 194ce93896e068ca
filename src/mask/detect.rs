//! The detectors behind `mask`: each finds one kind of secret in the forms students type it
//! (see the module above) as spans to replace. They look at maximal runs of the characters a
//! secret can be made of, never at delimited patterns, so a neighbour cannot hide one.

use super::{
    MASKED_EMAIL, MASKED_IP, MASKED_IPV6, MASKED_SECRET_KEY, MASKED_SESSION_TOKEN, Span, account_id,
};
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

/// Digits right after `<digit>.` are the fraction of an amount (Cost Explorer sends up to ten or
/// more decimals, `0.000032062412`), never an account ID.
pub(super) fn is_decimal_fraction(text: &str, start: usize) -> bool {
    let before = &text.as_bytes()[..start];
    before.len() >= 2
        && before[before.len() - 1] == b'.'
        && before[before.len() - 2].is_ascii_digit()
}

/// Digits inside a long hexadecimal word (a calculator.aws share id `estimate?id=<40 hex>`, a
/// commit or a hash) are part of that word, not an account ID.
pub(super) fn is_inside_hex_word(text: &str, start: usize, end: usize) -> bool {
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

pub(super) fn is_account_id(run: &str) -> bool {
    run.len() == 12 && run.bytes().all(|b| b.is_ascii_digit())
}

pub(super) fn session_tokens(text: &str) -> Vec<Span> {
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
pub(super) fn has_mixed_classes(run: &str) -> bool {
    run.bytes().any(|b| b.is_ascii_uppercase())
        && run.bytes().any(|b| b.is_ascii_lowercase())
        && run.bytes().any(|b| b.is_ascii_digit())
}

/// Exactly forty base64 characters of mixed case with a digit (`wJalrXUtnFEMI/K7MDENG/…`). A
/// calculator share id or a commit (40 hex digits, one case) is not one.
pub(super) fn secret_access_keys(text: &str) -> Vec<Span> {
    BASE64
        .find_iter(text)
        .filter(|m| {
            let run = m.as_str();
            run.len() == 40 && has_mixed_classes(run) && !run.bytes().all(|b| b.is_ascii_hexdigit())
        })
        .map(|m| Span::new(m.start(), m.end(), MASKED_SECRET_KEY))
        .collect()
}

pub(super) fn emails(text: &str) -> Vec<Span> {
    EMAIL
        .find_iter(text)
        .map(|m| Span::new(m.start(), m.end(), MASKED_EMAIL))
        .collect()
}

pub(super) fn access_key_ids(text: &str) -> Vec<Span> {
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
pub(super) fn hyphenated_ipv4(text: &str) -> Vec<Span> {
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

pub(super) fn ipv6_addresses(text: &str) -> Vec<Span> {
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

pub(super) fn dotted_ipv4(text: &str) -> Vec<Span> {
    DOTTED
        .find_iter(text)
        .filter_map(|m| {
            let (s, e) = ipv4_in_run(m.as_str())?;
            Some(Span::new(m.start() + s, m.start() + e, MASKED_IP))
        })
        .collect()
}

/// An ASCII or full-width digit.
pub(super) fn is_any_digit(c: char) -> bool {
    c.is_ascii_digit() || ('０'..='９').contains(&c)
}

/// Account IDs written as the console's account menu shows them (`5563-1234-5678`, also with
/// spaces or dashes of any width) or typed in full-width digits (`５５６３１２３４５６７８`). The
/// first four digits stay, as written.
pub(super) fn written_account_ids(text: &str) -> Vec<Span> {
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
pub(super) fn is_glued(c: Option<char>) -> bool {
    c.is_some_and(|c| {
        c.is_ascii_alphanumeric()
            || is_any_digit(c)
            || matches!(
                c,
                '*' | '_' | '.' | '-' | '‐' | '‑' | '‒' | '–' | '—' | '―' | '−' | '－' | 'ー'
            )
    })
}

pub(super) fn account_ids(text: &str) -> Vec<Span> {
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

pub(super) fn ipv4_in_run(run: &str) -> Option<(usize, usize)> {
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

pub(super) fn is_ipv4(candidate: &str) -> bool {
    let parts: Vec<&str> = candidate.split('.').collect();
    parts.len() == 4
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.len() <= 3 && p.parse::<u16>().is_ok_and(|n| n <= 255))
}

/// An IPv6 address with at least two written groups (so `::`, or a time such as `12:40:00`, is
/// not one).
pub(super) fn is_ipv6(candidate: &str) -> bool {
    let groups = candidate.split(':').filter(|g| !g.is_empty()).count();
    groups >= 2 && candidate.parse::<Ipv6Addr>().is_ok()
}

/// The IPv6 addresses inside a run of hex digits, colons and dots: the longest one starting at
/// each position, left to right. A run often holds more than the address, since hex words and
/// colons touch it (`arn` after it, `cafe:` before it, a ninth group).
pub(super) fn ipv6_spans(run: &str) -> Vec<(usize, usize)> {
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
