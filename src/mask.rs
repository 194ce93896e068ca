//! Masking of what must not be published: reports go to GitHub. Account IDs keep their first four
//! digits as students mask them by hand (`5563********`); access key IDs (and the other IAM unique
//! IDs: `AIDA…`, `AROA…`) keep their four-letter prefix; IP addresses and e-mail addresses are
//! replaced. Applied to every text that leaves the workspace (report, assets, status output), never
//! to what is stored in `.lecture06/`.
//!
//! The detectors work on maximal runs of the characters an address can be made of (digits, dots,
//! hex digits and colons) rather than on delimited patterns, so that a neighbour (`1.2.3.4,5.6.7.8`,
//! a sentence's full stop, `_` in a bucket name) never hides an address. [`findings`] uses the very
//! same detectors, so "masked" and "nothing found" cannot disagree.

use regex::{Captures, Regex};
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
static EMAIL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"[A-Za-z0-9._%+\-]+@([A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?\.)+[A-Za-z]{2,}")
        .unwrap()
});
/// EC2 host names spell their address: `ip-172-31-0-5.…internal`, `ec2-203-0-113-5.…amazonaws.com`.
static ADDRESS_HOST: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(ip|ec2)-[0-9]{1,3}-[0-9]{1,3}-[0-9]{1,3}-[0-9]{1,3}([^0-9]|$)").unwrap()
});
/// Runs of digits and dots: IPv4 candidates.
static DOTTED: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"%[0-9A-Fa-f]{2}|[0-9.]+").unwrap());
/// Runs of hex digits, colons and dots that hold a colon: IPv6 candidates.
static IPV6_CANDIDATE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"[0-9A-Fa-f.]*:[0-9A-Fa-f:.]*").unwrap());

pub const MASKED_IP: &str = "x.x.x.x";
pub const MASKED_EMAIL: &str = "***@***";
pub const MASKED_IPV6: &str = "x:x:x:x";

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

fn is_account_id(run: &str) -> bool {
    run.len() == 12 && run.bytes().all(|b| b.is_ascii_digit())
}

/// Masks every account ID, access key ID, e-mail and IP address in `text`.
pub fn text(text: &str) -> String {
    let text = EMAIL.replace_all(text, MASKED_EMAIL);
    let text = ACCESS_KEY.replace_all(&text, |c: &Captures| {
        format!("{}{}", &c[1], "*".repeat(c[0].len() - c[1].len()))
    });
    let text = ADDRESS_HOST.replace_all(&text, "$1-x-x-x-x$2");
    // IPv6 before IPv4 so that `::ffff:192.0.2.1` goes as one address.
    let text = IPV6_CANDIDATE.replace_all(&text, |c: &Captures| mask_ipv6_run(&c[0]));
    let text = DOTTED.replace_all(&text, |c: &Captures| match ipv4_in_run(&c[0]) {
        _ if c[0].starts_with('%') => c[0].to_string(),
        Some((start, end)) => format!("{}{MASKED_IP}{}", &c[0][..start], &c[0][end..]),
        None => c[0].to_string(),
    });
    DIGITS
        .replace_all(&text, |c: &Captures| {
            let run = c.get(0).expect("whole match");
            if is_decimal_fraction(&text, run.start()) {
                run.as_str().to_string()
            } else {
                account_id(run.as_str())
            }
        })
        .into_owned()
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

fn mask_ipv6_run(run: &str) -> String {
    if run.len() > 200 {
        // Not an address: a hex dump. Checking every sub-run would be quadratic.
        return run.to_string();
    }
    let mut out = String::with_capacity(run.len());
    let mut last = 0;
    for (start, end) in ipv6_spans(run) {
        out.push_str(&run[last..start]);
        out.push_str(MASKED_IPV6);
        last = end;
    }
    out.push_str(&run[last..]);
    out
}

/// What still looks like a secret in `text` (for `report --check` and tests): each finding names
/// its kind.
pub fn findings(text: &str) -> Vec<(&'static str, String)> {
    let mut found = Vec::new();
    for m in ACCESS_KEY.find_iter(text) {
        found.push(("access key ID", m.as_str().to_string()));
    }
    for m in DIGITS.find_iter(text) {
        if is_account_id(m.as_str()) && !is_decimal_fraction(text, m.start()) {
            found.push(("account ID", m.as_str().to_string()));
        }
    }
    for m in EMAIL.find_iter(text) {
        found.push(("e-mail address", m.as_str().to_string()));
    }
    for m in IPV6_CANDIDATE.find_iter(text) {
        if m.as_str().len() <= 200 {
            for (start, end) in ipv6_spans(m.as_str()) {
                found.push(("IPv6 address", m.as_str()[start..end].to_string()));
            }
        }
    }
    for c in ADDRESS_HOST.captures_iter(text) {
        found.push(("IPv4 address (host name)", c[0].to_string()));
    }
    for m in DOTTED.find_iter(text) {
        if let Some((start, end)) = ipv4_in_run(m.as_str()) {
            found.push(("IPv4 address", m.as_str()[start..end].to_string()));
        }
    }
    found
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
