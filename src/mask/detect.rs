//! The detectors behind `mask`: each finds one kind of secret in the forms students type it
//! (see the module above) as spans to replace. They look at maximal runs of the characters a
//! secret can be made of, never at delimited patterns, so a neighbour cannot hide one.

use super::{
    MASK_CHAR, MASKED_EMAIL, MASKED_GROUP, MASKED_IP, MASKED_IPV6, MASKED_SECRET_KEY,
    MASKED_SESSION_TOKEN, Span, account_id,
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
/// width (also `ー`, the long-vowel mark an IME gives for `-`), a space, a no-break space or an
/// ideographic space, a dot or `_`. A zero-width character between two digits does not end a
/// group (`5563\u{200B}1234…` is one run of digits to a reader).
static DIGIT_GROUPS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"[0-9０-９]+(?:[\u{200B}-\u{200D}\u{2060}\u{FEFF}]+[0-9０-９]+)*(?:[\-‐‑‒–—―−－ー \u{3000}\u{00A0}._][0-9０-９]+(?:[\u{200B}-\u{200D}\u{2060}\u{FEFF}]+[0-9０-９]+)*)*",
    )
    .unwrap()
});
/// An e-mail address: letters of any script, the `@` as typed (`@`, a look-alike `＠` `﹫`,
/// percent-encoded once `%40` or twice `%2540`, an HTML entity GitHub renders as `@`, `[at]`,
/// `(at)`, spaces around it), a domain of any script (dots full-width too, or `[dot]`) ending in
/// a Latin top-level domain (so Japanese text right after it, `…@example.comまで`, is not taken
/// for it). The local part does not begin with `_` or `.`: Markdown's `_…_` around an address
/// stays.
static EMAIL: LazyLock<Regex> = LazyLock::new(|| {
    let at = r"[ \u{3000}]*(?:@|＠|﹫|%40|%2540|&#0*64;|&#[xX]0*40;|&commat;|(?i:\[ *at *\]|\( *at *\)|［ *at *］|（ *at *）))[ \u{3000}]*";
    let dot = r"(?:[.．]|[ \u{3000}]*(?i:\[dot\]|\(dot\))[ \u{3000}]*)";
    Regex::new(&format!(
        r"[\p{{L}}\p{{N}}%+\-][\p{{L}}\p{{N}}._%+\-]*{at}(?:[\p{{L}}\p{{N}}](?:[\p{{L}}\p{{N}}\-]*[\p{{L}}\p{{N}}])?{dot})+[A-Za-zＡ-Ｚａ-ｚ]{{2,}}"
    ))
    .unwrap()
});
/// An IPv6 address written as a Windows UNC host name: colons as hyphens, a zone after `s`
/// (`2001-db8--1.ipv6-literal.net`, `fe80--1s4.ipv6-literal.net`).
static IPV6_LITERAL_HOST: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)([0-9a-f-]+)(s[0-9a-z]+)?\.ipv6-literal\.net").unwrap());
/// Numbers joined by hyphens: host names that spell an IPv4 address (`ip-172-31-0-5`,
/// `ec2-54-250-1-2.…amazonaws.com`, `p203-0-113-5.tokyo.ocn.ne.jp`, `FL1-60-34-56-78.…`).
static HYPHENATED: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"[0-9]+(?:-[0-9]+){3,}").unwrap());
/// Runs of digits and dots, ASCII or full-width: IPv4 candidates.
static DOTTED: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"%[0-9A-Fa-f]{2}|[0-9０-９.．]+").unwrap());
/// Runs of hex digits, colons and dots that hold a colon: IPv6 candidates.
static IPV6_CANDIDATE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"[0-9A-Fa-f.]*:[0-9A-Fa-f:.]*").unwrap());
/// Runs of base64 characters, `/` and `+` also percent-encoded: secret access key candidates
/// (exactly 40 of them once decoded).
static BASE64: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?:[A-Za-z0-9/+]|%2[FfBb])+").unwrap());
/// An access key ID with a `/` after it, as a secret key glued to its ID is written.
static KEY_ID_AND_SLASH: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(?:AKIA|ASIA)[A-Z0-9]{16}/").unwrap());
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

/// Exactly forty base64 characters of mixed case with a digit (`wJalrXUtnFEMI/K7MDENG/…`), also
/// percent-encoded (`…%2FK7MDENG%2F…`) or glued to its access key ID with `/`
/// (`AKIAIOSFODNN7EXAMPLE/wJalr…`, the ID is left to its own stage). A calculator share id or a
/// commit (40 hex digits, one case) is not one.
pub(super) fn secret_access_keys(text: &str) -> Vec<Span> {
    let mut spans = Vec::new();
    for m in BASE64.find_iter(text) {
        let (decoded, offsets) = percent_decoded(m.as_str());
        let key_start = KEY_ID_AND_SLASH
            .find(&decoded)
            .map_or(0, |id| id.end())
            .min(decoded.len());
        let key = &decoded[key_start..];
        if key.len() == 40 && has_mixed_classes(key) && !key.bytes().all(|b| b.is_ascii_hexdigit())
        {
            spans.push(Span::new(
                m.start() + offsets[key_start],
                m.end(),
                MASKED_SECRET_KEY,
            ));
        }
    }
    spans
}

/// `run` with its `%XX` escapes decoded (only `%2F` and `%2B` occur in a key candidate), and
/// where each decoded byte starts in `run`.
fn percent_decoded(run: &str) -> (String, Vec<usize>) {
    let mut decoded = String::with_capacity(run.len());
    let mut offsets = Vec::with_capacity(run.len());
    let mut at = 0;
    while at < run.len() {
        offsets.push(at);
        match run.get(at..at + 3).map(str::to_ascii_uppercase).as_deref() {
            Some("%2F") => {
                decoded.push('/');
                at += 3;
            }
            Some("%2B") => {
                decoded.push('+');
                at += 3;
            }
            _ => {
                decoded.push(char::from(run.as_bytes()[at]));
                at += 1;
            }
        }
    }
    (decoded, offsets)
}

/// An address in a Markdown autolink (`<taro@example.com>`, `<mailto:…>`) is masked with its
/// brackets: `<EMAIL-MASKED>` would be read as an HTML tag and vanish from the page.
pub(super) fn emails(text: &str) -> Vec<Span> {
    EMAIL
        .find_iter(text)
        .map(|m| {
            let before = &text[..m.start()];
            let opening = ["<", "<mailto:", "<MAILTO:"]
                .iter()
                .find(|o| before.ends_with(*o))
                .filter(|_| text[m.end()..].starts_with('>'));
            match opening {
                Some(o) => Span::new(m.start() - o.len(), m.end() + 1, MASKED_EMAIL),
                None => Span::new(m.start(), m.end(), MASKED_EMAIL),
            }
        })
        .collect()
}

pub(super) fn access_key_ids(text: &str) -> Vec<Span> {
    ACCESS_KEY
        .captures_iter(text)
        .map(|c| {
            let (whole, prefix) = (c.get(0).expect("match"), &c[1]);
            let masked = format!("{prefix}{}", MASK_CHAR.repeat(whole.len() - prefix.len()));
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

/// IPv6 addresses written as `…ipv6-literal.net` host names: the address (and its zone) goes,
/// the domain stays. Runs before the hyphenated IPv4 stage, which would take four of its groups.
pub(super) fn ipv6_literal_hosts(text: &str) -> Vec<Span> {
    IPV6_LITERAL_HOST
        .captures_iter(text)
        .filter_map(|c| {
            let address = c.get(1)?;
            let end = c.get(2).map_or(address.end(), |zone| zone.end());
            // Glued hex words before the address (`host-2001-db8--1`) are not part of it.
            let written = address.as_str();
            let start = (0..written.len())
                .filter(|&i| i == 0 || written.as_bytes()[i - 1] == b'-')
                .find(|&i| is_ipv6(&written[i..].replace('-', ":")))?;
            Some(Span::new(address.start() + start, end, "x-x-x-x"))
        })
        .collect()
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
            match (is_any_digit(c) || is_zero_width(c), start) {
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
        let digits =
            |&(s, e): &(usize, usize)| text[s..e].chars().filter(|&c| is_any_digit(c)).count();
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
                    let mut before = text[..m.start()].chars().rev();
                    !is_glued(before.next(), before.next())
                } else {
                    space_between(k - 1)
                }
                && if last == groups.len() - 1 {
                    let mut after = text[m.end()..].chars();
                    !is_glued(after.next(), after.next())
                } else {
                    space_between(last)
                };
            if apart {
                let (first, second, third) = (groups[k], groups[k + 1], groups[last]);
                let masked = format!(
                    "{}{}{MASKED_GROUP}{}{MASKED_GROUP}",
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
                let four: String = text[s..e]
                    .chars()
                    .filter(|&c| is_any_digit(c))
                    .take(4)
                    .collect();
                spans.push(Span::new(s, e, format!("{four}{}", MASK_CHAR.repeat(8))));
            }
            k += 1;
        }
    }
    spans
}

/// A zero-width character: invisible, so a reader sees the digits around it as one number.
pub(super) fn is_zero_width(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}')
}

/// Whether `c`, the character next to a number (with `beyond` the one past it), glues the number
/// to a longer word: a letter or digit, a hyphen or dash (the middle of a UUID), a dot between
/// two numbers (`1.2`). Not a dot ending a sentence or starting a file extension, not Markdown's
/// `*` or `_` around it, not `_` joining it to a file name.
pub(super) fn is_glued(c: Option<char>, beyond: Option<char>) -> bool {
    let word = |c: char| c.is_ascii_alphanumeric() || is_any_digit(c);
    c.is_some_and(|c| {
        word(c)
            || matches!(
                c,
                '-' | '‐' | '‑' | '‒' | '–' | '—' | '―' | '−' | '－' | 'ー'
            )
            || (c == '.' && beyond.is_some_and(is_any_digit))
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

/// Where the IPv4 address of a run of digits and dots is: the run without its leading and
/// trailing dots, when it is four numbers of at most 255 (leading zeros allowed: anonymised
/// records write `08.1.250.216`; full-width digits and dots as an IME types them). Longer runs
/// (`1.2.3.4.5`) are version numbers.
pub(super) fn ipv4_in_run(run: &str) -> Option<(usize, usize)> {
    if run.starts_with('%') {
        return None;
    }
    let is_dot = |c: char| c == '.' || c == '．';
    let start = run.len() - run.trim_start_matches(is_dot).len();
    let end = run.trim_end_matches(is_dot).len();
    if start >= end {
        return None;
    }
    let folded: String = run[start..end]
        .chars()
        .map(|c| match c {
            '．' => '.',
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
            c => c,
        })
        .collect();
    is_ipv4(&folded).then_some((start, end))
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
