//! Masking of what must not be published: reports go to GitHub. Account IDs keep their first four
//! digits as students mask them by hand (`5563xxxxxxxx`, `5563-xxxx-xxxx`); access key IDs (and the
//! other IAM unique IDs: `AIDA…`, `AROA…`) keep their four-letter prefix; secret access keys,
//! session tokens, IP and e-mail addresses are replaced. Applied to every text that leaves the
//! workspace (report, assets, status output), never to what is stored in `.lecture06/`.
//!
//! A masked value is plain text in Markdown: no `*`, `_`, `[`, `<`, `&` or backquote, so it never
//! becomes emphasis, a link or an entity wherever it lands (prose, tables, code spans; `***@***`
//! rendered as bold-italic around `@`). Hence `x` for each hidden character.
//!
//! Students type these by hand, so each is looked for in the forms they write: an account ID as
//! the console's menu shows it (`5563-1234-5678`, also with dots, `_`, no-break or zero-width
//! spaces), in full-width digits from a Japanese IME (`５５６３１２３４５６７８`), at the end of a
//! sentence, inside Markdown emphasis or joined to a file name; an e-mail address percent-encoded
//! once or twice (`taro%40example.com`, `taro%2540…`), with a full-width `＠` or another look-alike,
//! an HTML entity (`&#64;`), `[at]`, spaces around `@`, or non-ASCII letters (`山田@例え.jp`); an
//! IPv4 address in full-width digits or spelt inside a host name (`p203-0-113-5.tokyo.ocn.ne.jp`,
//! `ec2-54-250-1-2…`), an IPv6 address as a `…ipv6-literal.net` host name; a secret access key
//! percent-encoded or glued to its access key ID with `/`.
//!
//! The detectors work on maximal runs of the characters a secret can be made of (digits, dots,
//! hex digits and colons, base64) rather than on delimited patterns, so that a neighbour
//! (`1.2.3.4,5.6.7.8`, a sentence's full stop, `_` in a bucket name) never hides one. They run in
//! a fixed order, each on the previous one's output; [`findings`] runs the very same stages, so
//! "masked" and "nothing found" cannot disagree (the tests check both against an independent list
//! of known leaks instead).

mod detect;

use detect::{
    access_key_ids, account_ids, dotted_ipv4, emails, hyphenated_ipv4, ipv6_addresses,
    ipv6_literal_hosts, is_account_id, secret_access_keys, session_tokens, written_account_ids,
};

/// What each hidden character of an account ID or access key ID becomes.
pub const MASK_CHAR: &str = "x";
/// A hidden group of four digits (`5563-xxxx-xxxx`).
pub const MASKED_GROUP: &str = "xxxx";
pub const MASKED_IP: &str = "x.x.x.x";
/// Words, like the keys': `xxx@xxx` would read as an address again beside a file extension
/// (`xxx@xxx.png`), `***@***` renders as emphasis.
pub const MASKED_EMAIL: &str = "EMAIL-MASKED";
pub const MASKED_IPV6: &str = "x:x:x:x";
/// Words, not asterisks: a line of asterisks alone would be a horizontal rule in Markdown.
pub const MASKED_SECRET_KEY: &str = "SECRET-KEY-MASKED";
pub const MASKED_SESSION_TOKEN: &str = "SESSION-TOKEN-MASKED";

/// `556312345678` → `5563xxxxxxxx`.
pub fn account_id(id: &str) -> String {
    if is_account_id(id) {
        format!("{}{}", &id[..4], MASK_CHAR.repeat(8))
    } else {
        id.to_string()
    }
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
const STAGES: [(&str, Detect); 10] = [
    ("session token", session_tokens),
    ("secret access key", secret_access_keys),
    ("e-mail address", emails),
    ("access key ID", access_key_ids),
    ("IPv6 address (host name)", ipv6_literal_hosts),
    ("IPv4 address (host name)", hyphenated_ipv4),
    // IPv6 before IPv4 so that `::ffff:192.0.2.1` goes as one address.
    ("IPv6 address", ipv6_addresses),
    ("IPv4 address", dotted_ipv4),
    ("account ID", written_account_ids),
    ("account ID", account_ids),
];

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
    use std::net::Ipv6Addr;

    use std::net::Ipv4Addr;

    #[test]
    fn amounts_with_twelve_decimals_are_not_account_ids() {
        assert_eq!(text("0.000032062412 USD"), "0.000032062412 USD");
        assert_eq!(text("account 556312345678."), "account 5563xxxxxxxx.");
    }

    #[test]
    fn masks_account_ids_like_students_do() {
        assert_eq!(account_id("556312345678"), "5563xxxxxxxx");
        assert_eq!(
            text("arn:aws:iam::556312345678:user/student"),
            "arn:aws:iam::5563xxxxxxxx:user/student"
        );
        assert_eq!(
            text("aws-cloudtrail-logs-556312345678_x"),
            "aws-cloudtrail-logs-5563xxxxxxxx_x"
        );
    }

    #[test]
    fn masks_keys_ips_and_emails() {
        let masked = text("key AKIAIOSFODNN7EXAMPLE from 203.0.113.5 by taro@example.com");
        assert_eq!(
            masked,
            "key AKIAxxxxxxxxxxxxxxxx from x.x.x.x by EMAIL-MASKED"
        );
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
        assert_eq!(text("key_AKIAIOSFODNN7EXAMPLE"), "key_AKIAxxxxxxxxxxxxxxxx");
        assert_eq!(text("at 08.1.250.216"), "at x.x.x.x");
        assert_eq!(
            text("%7B%22AWS%22%3A%22123837392027%22%7D %22203.0.113.5%22"),
            "%7B%22AWS%22%3A%221238xxxxxxxx%22%7D %22x.x.x.x%22"
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
        assert_eq!(text("ID: 5563-1234-5678"), "ID: 5563-xxxx-xxxx");
        assert_eq!(text("ID 5563 1234 5678 です"), "ID 5563 xxxx xxxx です");
        assert_eq!(
            text("ID 5563-1234-5678 2026-11-21"),
            "ID 5563-xxxx-xxxx 2026-11-21"
        );
        assert_eq!(text("No. 10 5563 1234 5678"), "No. 10 5563 xxxx xxxx");
        // The middle of a UUID is not one.
        let uuid = "531857df-4c6f-4280-9687-3565-ab";
        assert_eq!(text(uuid), uuid);
        assert_eq!(text("５５６３１２３４５６７８"), "５５６３xxxxxxxx");
        assert_eq!(text("５５６３－１２３４－５６７８"), "５５６３－xxxx－xxxx");
        assert_eq!(text("taro%40example.com"), MASKED_EMAIL);
        assert_eq!(text("宛先：山田@例え.jpまで"), "宛先：EMAIL-MASKEDまで");
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
    fn masks_account_ids_by_their_surroundings() {
        assert_eq!(text("ID は 5563-1234-5678."), "ID は 5563-xxxx-xxxx.");
        assert_eq!(text("**5563-1234-5678**"), "**5563-xxxx-xxxx**");
        assert_eq!(text("_5563 1234 5678_"), "_5563 xxxx xxxx_");
        assert_eq!(
            text("billing_5563-1234-5678.png"),
            "billing_5563-xxxx-xxxx.png"
        );
        assert_eq!(text("5563.1234.5678"), "5563.xxxx.xxxx");
        assert_eq!(text("5563_1234_5678"), "5563_xxxx_xxxx");
        assert_eq!(text("5563\u{200B}1234\u{200B}5678"), "5563xxxxxxxx");
        assert_eq!(text("55631\u{2060}2345678"), "5563xxxxxxxx");
        // A dot between numbers still glues: a version, not an account ID.
        let version = "v1.5563-1234-5678";
        assert_eq!(text(version), version);
    }

    /// Issue 22 item 7: the no-break space (what a copy from a web page gives) separates groups.
    #[test]
    fn a_no_break_space_separates_account_id_groups() {
        assert_eq!(
            text("ID 5563\u{00A0}1234\u{00A0}5678"),
            "ID 5563\u{00A0}xxxx\u{00A0}xxxx"
        );
    }

    /// Issue 22 item 7: each session-token prefix alone, cut short, is a token.
    #[test]
    fn every_session_token_prefix_alone_is_masked() {
        for token in [
            "IQoJb3JpZ2luX2VjEJr",
            "FwoGZXIvYXdzEBYaDH2t",
            "FQoGZXIvYXdzEBcaDO4z",
            "AQoDYXdzEPT",
        ] {
            assert_eq!(
                text(&format!("t={token}…")),
                "t=SESSION-TOKEN-MASKED…",
                "{token}"
            );
        }
    }

    #[test]
    fn masks_the_new_forms_of_emails_ips_and_keys() {
        for written in [
            "taro&#64;example.com",
            "taro&#064;example.com",
            "taro&commat;example.com",
            "taro&#x40;example.com",
            "taro[at]example.com",
            "taro [at] example [dot] com",
            "taro(at)example.com",
            "taro @ example.com",
            "taro﹫example.com",
            "taro%2540example.com",
        ] {
            assert_eq!(
                text(&format!("mail {written}.")),
                "mail EMAIL-MASKED.",
                "{written}"
            );
        }
        assert_eq!(text("IP ２０３．０．１１３．５ です"), "IP x.x.x.x です");
        assert_eq!(text("IP ２０３.０.１１３.５"), "IP x.x.x.x");
        assert_eq!(
            text("k=wJalrXUtnFEMI%2FK7MDENG%2FbPxRfiCYEXAMPLEKEY&x"),
            "k=SECRET-KEY-MASKED&x"
        );
        assert_eq!(
            text("AKIAIOSFODNN7EXAMPLE/wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
            "AKIAxxxxxxxxxxxxxxxx/SECRET-KEY-MASKED"
        );
        assert_eq!(
            text("\\\\2001-db8--1.ipv6-literal.net\\share"),
            "\\\\x-x-x-x.ipv6-literal.net\\share"
        );
        assert_eq!(
            text("fe80--1s4.ipv6-literal.net"),
            "x-x-x-x.ipv6-literal.net"
        );
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
            serde_json::json!({"accountId": "5563xxxxxxxx", "n": 3, "s": "x.x.x.x"})
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
