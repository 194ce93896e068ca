//! Masking of what must not be published: reports go to GitHub. Account IDs keep their first four
//! digits as students mask them by hand (`5563********`); access key IDs keep their `AKIA`/`ASIA`
//! prefix; IP addresses and e-mail addresses are replaced. Applied to every text that leaves the
//! workspace (report, assets, status output), never to what is stored in `.lecture06/`.

use regex::{Captures, Regex};
use std::sync::LazyLock;

static ACCESS_KEY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(AKIA|ASIA|AIDA|AROA|AIPA|ANPA|ANVA|AGPA)[A-Z0-9]{12,}\b").unwrap()
});
static ACCOUNT_ID: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(^|[^0-9])([0-9]{4})([0-9]{8})([^0-9]|$)").unwrap());
static EMAIL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"[A-Za-z0-9._%+\-]+@([A-Za-z0-9\-]+\.)+[A-Za-z]{2,}").unwrap());
static IPV4: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(^|[^0-9.])([0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3})([^0-9.]|$)").unwrap()
});
/// Runs of hex digits, colons and dots: IPv6 candidates, confirmed by parsing.
static IPV6_CANDIDATE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*").unwrap());

pub const MASKED_IP: &str = "x.x.x.x";
pub const MASKED_EMAIL: &str = "***@***";
pub const MASKED_IPV6: &str = "x:x:x:x";

/// `556312345678` → `5563********`.
pub fn account_id(id: &str) -> String {
    if id.len() == 12 && id.bytes().all(|b| b.is_ascii_digit()) {
        format!("{}********", &id[..4])
    } else {
        id.to_string()
    }
}

/// Masks every account ID, access key ID, e-mail and IP address in `text`.
pub fn text(text: &str) -> String {
    let text = EMAIL.replace_all(text, MASKED_EMAIL);
    let text = ACCESS_KEY.replace_all(&text, |c: &Captures| {
        format!("{}{}", &c[1], "*".repeat(c[0].len() - 4))
    });
    let text = replace_all_overlapping(&ACCOUNT_ID, &text, |c| {
        format!("{}{}********{}", &c[1], &c[2], &c[4])
    });
    let text = replace_all_overlapping(&IPV4, &text, |c| {
        if is_ipv4(&c[2]) {
            format!("{}{MASKED_IP}{}", &c[1], &c[3])
        } else {
            c[0].to_string()
        }
    });
    IPV6_CANDIDATE
        .replace_all(&text, |c: &Captures| {
            if is_ipv6(&c[0]) {
                MASKED_IPV6.to_string()
            } else {
                c[0].to_string()
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
        Value::Number(n) => {
            let digits = n.to_string();
            if digits.len() == 12 && digits.bytes().all(|b| b.is_ascii_digit()) {
                Value::String(account_id(&digits))
            } else {
                value.clone()
            }
        }
        other => other.clone(),
    }
}

/// An IPv6 address with at least two written groups (so `::` alone, or `12:40:00`, is not one).
fn is_ipv6(candidate: &str) -> bool {
    let trimmed = candidate.trim_end_matches(['.', ':']);
    let groups = trimmed.split(':').filter(|g| !g.is_empty()).count();
    groups >= 2
        && (trimmed.parse::<std::net::Ipv6Addr>().is_ok()
            || candidate.parse::<std::net::Ipv6Addr>().is_ok())
}

fn is_ipv4(candidate: &str) -> bool {
    candidate.parse::<std::net::Ipv4Addr>().is_ok()
        || candidate
            .split('.')
            .all(|part| part.parse::<u16>().is_ok_and(|n| n <= 255))
}

/// The patterns above consume one delimiter character on each side, so two matches separated by
/// a single character (`1.2.3.4,5.6.7.8`) need a second pass; repeat until nothing changes.
fn replace_all_overlapping(re: &Regex, text: &str, f: impl Fn(&Captures) -> String) -> String {
    let mut current = text.to_string();
    for _ in 0..4 {
        let next = re.replace_all(&current, |c: &Captures| f(c)).into_owned();
        if next == current {
            break;
        }
        current = next;
    }
    current
}

/// What still looks like a secret in `text` (for `report --check` and tests): each finding names
/// its kind.
pub fn findings(text: &str) -> Vec<(&'static str, String)> {
    let mut found = Vec::new();
    for c in ACCESS_KEY.captures_iter(text) {
        found.push(("access key ID", c[0].to_string()));
    }
    for c in ACCOUNT_ID.captures_iter(text) {
        found.push(("account ID", format!("{}{}", &c[2], &c[3])));
    }
    for m in EMAIL.find_iter(text) {
        found.push(("e-mail address", m.as_str().to_string()));
    }
    for c in IPV4.captures_iter(text) {
        if is_ipv4(&c[2]) {
            found.push(("IPv4 address", c[2].to_string()));
        }
    }
    for m in IPV6_CANDIDATE.find_iter(text) {
        if is_ipv6(m.as_str()) {
            found.push(("IPv6 address", m.as_str().to_string()));
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_account_ids_like_students_do() {
        assert_eq!(account_id("556312345678"), "5563********");
        assert_eq!(
            text("arn:aws:iam::556312345678:user/student"),
            "arn:aws:iam::5563********:user/student"
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
    fn leaves_times_versions_and_short_numbers_alone() {
        let plain = "2023-07-10T12:40:00Z version 1.08 took 12:30 and 1234567";
        assert_eq!(text(plain), plain);
    }

    #[test]
    fn findings_name_what_is_unmasked() {
        let found = findings("account 123456789012");
        assert_eq!(found, vec![("account ID", "123456789012".to_string())]);
    }
}
