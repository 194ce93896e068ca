//! The sandbox's settings, read once where the app is composed: the answers file's `[sandbox]`
//! table and two environment variables. Checked here, so a misspelt value is an error naming the
//! key and what it may be, not a silent default.
//!
//! - `[sandbox]`: `user` (default `student`), `seed` (default 6), `region`, `plan` (`legacy`,
//!   `credit` or `paid-credit`), `cost_explorer` (`enabled`, `disabled`, `denied`, `member`),
//!   `free_tier_api` (`ok`, `plan-denied`, `plan-error`, `usage-error`), `away_days` (default
//!   0: days since the student last used AWS beyond the usual one; past 90 their events are only
//!   in the trail's bucket), `describe_trails` (`allowed`, the default, or `denied`),
//!   `health_check` (`rails`, the default: the target group checks a path
//!   Rails answers; `static`: it checks `/index.html`, a file Nginx serves without Unicorn);
//! - `LECTURE06_SANDBOX_NOW`: the account's "now" at creation (RFC 3339; default: the wall clock),
//!   so tests and snapshots are repeatable;
//! - `LECTURE06_SANDBOX_SPEED`: how many simulated seconds pass per wall second while lecture06
//!   waits (default 120; 0 = no wall-clock wait at all).

use crate::i18n::Lang;
use crate::t;
use chrono::{DateTime, Utc};

/// The keys of the `[sandbox]` table (an answers file naming another is refused).
pub const KEYS: &[&str] = &[
    "user",
    "seed",
    "region",
    "plan",
    "cost_explorer",
    "away_days",
    "free_tier_api",
    "health_check",
    "describe_trails",
];

pub const DEFAULT_SEED: u64 = 6;
pub const DEFAULT_SPEED: f64 = 120.0;

#[derive(Clone, Debug, PartialEq)]
pub struct SandboxSettings {
    pub user: String,
    pub seed: u64,
    pub region: String,
    pub plan: Option<String>,
    pub cost_explorer: Option<String>,
    pub free_tier_api: Option<String>,
    pub now: DateTime<Utc>,
    pub speed: f64,
    pub away_days: u32,
    /// `[sandbox] health_check = "static"`: the health check cannot see Unicorn.
    pub static_health_check: bool,
    /// `[sandbox] describe_trails = "denied"`: the account's trails cannot be listed.
    pub describe_trails_denied: bool,
}

impl SandboxSettings {
    /// From the `[sandbox]` entries (`entry("seed")` …) and the environment; `region` is the
    /// `--region` flag's or the default one. An unusable value is an error that names it.
    pub fn read(
        entry: impl Fn(&str) -> Option<String>,
        env: impl Fn(&str) -> Option<String>,
        region: &str,
        lang: Lang,
    ) -> Result<SandboxSettings, String> {
        let one_of = |key: &str, allowed: &[&str]| -> Result<Option<String>, String> {
            match entry(key) {
                None => Ok(None),
                Some(value) if allowed.contains(&value.as_str()) => Ok(Some(value)),
                Some(value) => {
                    let allowed = allowed.join(", ");
                    Err(t!(
                        lang,
                        "[sandbox] {key} = \"{value}\" in the answers file: expected one of {allowed}.",
                        "回答ファイルの [sandbox] {key} = \"{value}\" は使えません。{allowed} のいずれかを指定してください。"
                    ))
                }
            }
        };
        let seed = match entry("seed") {
            None => DEFAULT_SEED,
            Some(text) => text.trim().parse().map_err(|_| {
                t!(
                    lang,
                    "[sandbox] seed = \"{text}\" in the answers file: expected a whole number such as 6.",
                    "回答ファイルの [sandbox] seed = \"{text}\" は使えません。6 のような整数を指定してください。"
                )
            })?,
        };
        let away_days = match entry("away_days") {
            None => 0,
            Some(text) => text
                .trim()
                .parse::<u32>()
                .ok()
                .filter(|d| *d <= 180)
                .ok_or_else(|| {
                    t!(
                        lang,
                        "[sandbox] away_days = \"{text}\" in the answers file: expected a whole number of days from 0 to 180.",
                        "回答ファイルの [sandbox] away_days = \"{text}\" は使えません。0 から 180 までの日数を指定してください。"
                    )
                })?,
        };
        let now = match env("LECTURE06_SANDBOX_NOW") {
            None => Utc::now(),
            Some(text) => crate::clock::parse_time(&text).ok_or_else(|| {
                t!(
                    lang,
                    "LECTURE06_SANDBOX_NOW={text}: expected an RFC 3339 time such as 2026-11-21T01:00:00Z.",
                    "LECTURE06_SANDBOX_NOW={text} は使えません。2026-11-21T01:00:00Z のような RFC 3339 形式で指定してください。"
                )
            })?,
        };
        let speed = match env("LECTURE06_SANDBOX_SPEED") {
            None => DEFAULT_SPEED,
            Some(text) => text
                .trim()
                .parse::<f64>()
                .ok()
                .filter(|s| s.is_finite() && *s >= 0.0)
                .ok_or_else(|| {
                    t!(
                        lang,
                        "LECTURE06_SANDBOX_SPEED={text}: expected a number of 0 or more (simulated seconds per wall second).",
                        "LECTURE06_SANDBOX_SPEED={text} は使えません。0 以上の数（実時間 1 秒あたりの模擬秒数）を指定してください。"
                    )
                })?,
        };
        let region = sandbox_region(entry("region"), region, lang)?;
        Ok(SandboxSettings {
            user: entry("user")
                .filter(|u| !u.trim().is_empty())
                .unwrap_or_else(|| "student".into()),
            seed,
            region,
            plan: one_of("plan", &["legacy", "credit", "paid-credit"])?,
            cost_explorer: one_of(
                "cost_explorer",
                &["enabled", "disabled", "denied", "member"],
            )?,
            free_tier_api: one_of(
                "free_tier_api",
                &["ok", "plan-denied", "plan-error", "usage-error"],
            )?,
            now,
            speed,
            away_days,
            static_health_check: one_of("health_check", &["rails", "static"])?.as_deref()
                == Some("static"),
            describe_trails_denied: one_of("describe_trails", &["allowed", "denied"])?.as_deref()
                == Some("denied"),
        })
    }
}

/// `[sandbox] region`, checked like `--region` (a city's name is refused with its code), else
/// `default` (the `--region` flag's or the default Region).
fn sandbox_region(given: Option<String>, default: &str, lang: Lang) -> Result<String, String> {
    let Some(text) = given else {
        return Ok(default.to_string());
    };
    crate::cloud::region::check_code(&text, lang).map_err(|why| {
        t!(
            lang,
            "[sandbox] region = \"{text}\" in the answers file: {why}.",
            "回答ファイルの [sandbox] region = \"{text}\" は使えません。{why}。"
        )
    })?;
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(entries: &[(&str, &str)], env: &[(&str, &str)]) -> Result<SandboxSettings, String> {
        SandboxSettings::read(
            |k| {
                entries
                    .iter()
                    .find(|(key, _)| *key == k)
                    .map(|(_, v)| v.to_string())
            },
            |k| {
                env.iter()
                    .find(|(key, _)| *key == k)
                    .map(|(_, v)| v.to_string())
            },
            "ap-northeast-1",
            Lang::En,
        )
    }

    #[test]
    fn defaults_and_given_values() {
        let s = read(&[], &[("LECTURE06_SANDBOX_NOW", "2026-11-21T01:00:00Z")]).unwrap();
        assert_eq!((s.user.as_str(), s.seed, s.speed), ("student", 6, 120.0));
        assert_eq!(s.region, "ap-northeast-1");
        assert_eq!(s.now.to_rfc3339(), "2026-11-21T01:00:00+00:00");
        let s = read(&[("seed", "9"), ("plan", "credit"), ("user", "kan")], &[]).unwrap();
        assert_eq!(
            (s.seed, s.plan.as_deref(), s.user.as_str()),
            (9, Some("credit"), "kan")
        );
    }

    #[test]
    fn bad_values_name_the_key_and_what_it_may_be() {
        let err = read(&[("plan", "free")], &[]).unwrap_err();
        assert!(
            err.contains("[sandbox] plan") && err.contains("legacy, credit, paid-credit"),
            "{err}"
        );
        let err = read(&[("cost_explorer", "off")], &[]).unwrap_err();
        assert!(
            err.contains("cost_explorer") && err.contains("disabled"),
            "{err}"
        );
        let err = read(&[("free_tier_api", "broken")], &[]).unwrap_err();
        assert!(
            err.contains("[sandbox] free_tier_api") && err.contains("plan-denied"),
            "{err}"
        );
        let err = read(&[("health_check", "nginx")], &[]).unwrap_err();
        assert!(
            err.contains("[sandbox] health_check") && err.contains("rails, static"),
            "{err}"
        );
        assert!(
            read(&[("health_check", "static")], &[])
                .unwrap()
                .static_health_check
        );
        assert!(!read(&[], &[]).unwrap().static_health_check);
        let err = read(&[("region", "tokyo")], &[]).unwrap_err();
        assert!(
            err.contains("[sandbox] region") && err.contains("ap-northeast-1"),
            "{err}"
        );
        assert_eq!(
            read(&[("region", "us-east-1")], &[]).unwrap().region,
            "us-east-1"
        );
        let err = read(&[("seed", "six")], &[]).unwrap_err();
        assert!(err.contains("[sandbox] seed"), "{err}");
        let err = read(&[], &[("LECTURE06_SANDBOX_SPEED", "fast")]).unwrap_err();
        assert!(err.contains("LECTURE06_SANDBOX_SPEED"), "{err}");
        let err = read(&[], &[("LECTURE06_SANDBOX_NOW", "yesterday")]).unwrap_err();
        assert!(err.contains("LECTURE06_SANDBOX_NOW"), "{err}");
    }
}
