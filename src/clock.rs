//! Time, injected. Real runs use the system clock; the sandbox uses a compressed virtual clock so
//! that a four-minute alarm delay passes in seconds yet reads as four minutes in the evidence, and
//! tests never sleep on wall time. Also the one place that formats times for people (JST and UTC).
//!
//! Waiting is where a Ctrl-C or SIGTERM is noticed: the signal handler only raises a flag
//! (`request_stop`), every wait (`wall_sleep`, hence each `Clock::sleep`) ends early when it is up,
//! and the code after the wait saves its progress, puts back what it changed for the moment (a
//! forced alarm state) and returns `Interrupted` (exit 130). At a prompt nothing is pending, so
//! the handler may end the process at once (`prompting`).

use chrono::{DateTime, FixedOffset, Utc};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

static STOP_REQUESTED: AtomicBool = AtomicBool::new(false);
static PROMPTS_OPEN: AtomicUsize = AtomicUsize::new(0);

/// Raises the stop flag (from the Ctrl-C/SIGTERM handler); true when it was already up.
pub fn request_stop() -> bool {
    STOP_REQUESTED.swap(true, Ordering::SeqCst)
}

/// Whether Ctrl-C or SIGTERM asked the program to stop.
pub fn stop_requested() -> bool {
    STOP_REQUESTED.load(Ordering::SeqCst)
}

/// Marks the time a person is being asked something (see `at_prompt`); ends when dropped.
pub struct Prompting(());

pub fn prompting() -> Prompting {
    PROMPTS_OPEN.fetch_add(1, Ordering::SeqCst);
    Prompting(())
}

impl Drop for Prompting {
    fn drop(&mut self) {
        PROMPTS_OPEN.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Whether the program is waiting for a person's answer (everything before it is saved).
pub fn at_prompt() -> bool {
    PROMPTS_OPEN.load(Ordering::SeqCst) > 0
}

/// Sleeps on the wall clock, ending early once a stop is requested.
pub fn wall_sleep(duration: Duration) {
    let until = Instant::now() + duration;
    while !stop_requested() {
        let left = until.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return;
        }
        std::thread::sleep(left.min(Duration::from_millis(50)));
    }
}

pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;
    /// Waits `duration` of this clock's time (the sandbox waits a fraction of it on the wall);
    /// returns early when a stop is requested (check `stop_requested` after it).
    fn sleep(&self, duration: Duration);
}

pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
    fn sleep(&self, duration: Duration) {
        wall_sleep(duration);
    }
}

fn jst_offset() -> FixedOffset {
    FixedOffset::east_opt(9 * 3600).expect("+09:00 is a valid offset")
}

/// `2023-07-09 22:53:52 JST`
pub fn jst(time: DateTime<Utc>) -> String {
    time.with_timezone(&jst_offset())
        .format("%Y-%m-%d %H:%M:%S JST")
        .to_string()
}

/// `2023-07-09 13:53:52 UTC`
pub fn utc(time: DateTime<Utc>) -> String {
    time.format("%Y-%m-%d %H:%M:%S UTC").to_string()
}

/// Parses the timestamps found in AWS records: RFC 3339 with any offset, with or without
/// fractional seconds, and the `2023-07-10T12:40:00Z`-without-seconds forms some tools write.
pub fn parse_time(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    if let Ok(time) = DateTime::parse_from_rfc3339(text) {
        return Some(time.with_timezone(&Utc));
    }
    for format in [
        "%Y-%m-%dT%H:%MZ",
        "%Y-%m-%dT%H:%M:%S%.fZ",
        "%Y-%m-%d %H:%M:%S",
    ] {
        if let Ok(naive) = chrono::NaiveDateTime::parse_from_str(text, format) {
            return Some(naive.and_utc());
        }
    }
    None
}

/// `3 min 20 s`, `45 s`, `1 h 02 min`: a duration as people read it in the evidence.
pub fn human_duration(seconds: i64) -> String {
    human_duration_in(seconds, crate::i18n::Lang::En)
}

/// A duration in a language's own units: `3 min 20 s` / `3 分 20 秒`, `1 h 02 min` / `1 時間 02 分`.
pub fn human_duration_in(seconds: i64, lang: crate::i18n::Lang) -> String {
    let (h, min, sec) = match lang {
        crate::i18n::Lang::En => ("h", "min", "s"),
        crate::i18n::Lang::Ja => ("時間", "分", "秒"),
    };
    let sign = if seconds < 0 { "-" } else { "" };
    let s = seconds.abs();
    if s >= 3600 {
        format!("{sign}{} {h} {:02} {min}", s / 3600, (s % 3600) / 60)
    } else if s >= 60 {
        format!("{sign}{} {min} {:02} {sec}", s / 60, s % 60)
    } else {
        format!("{sign}{s} {sec}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_use_the_language_units() {
        use crate::i18n::Lang;
        assert_eq!(human_duration_in(150, Lang::Ja), "2 分 30 秒");
        assert_eq!(human_duration_in(3720, Lang::Ja), "1 時間 02 分");
        assert_eq!(human_duration_in(45, Lang::En), "45 s");
    }

    #[test]
    fn formats_jst_nine_hours_ahead_of_utc() {
        let time = parse_time("2023-07-09T13:53:52Z").unwrap();
        assert_eq!(jst(time), "2023-07-09 22:53:52 JST");
        assert_eq!(utc(time), "2023-07-09 13:53:52 UTC");
    }

    #[test]
    fn parses_offsets_and_short_forms() {
        let with_offset = parse_time("2021-04-05T16:51:09-08:00").unwrap();
        assert_eq!(utc(with_offset), "2021-04-06 00:51:09 UTC");
        assert!(parse_time("2023-07-10T12:40Z").is_some());
        assert!(parse_time("Jul 10, 2023 12:40:00 PM").is_none());
    }

    #[test]
    fn human_durations() {
        assert_eq!(human_duration(200), "3 min 20 s");
        assert_eq!(human_duration(45), "45 s");
        assert_eq!(human_duration(3720), "1 h 02 min");
    }
}
