//! Time, injected. Real runs use the system clock; the sandbox uses a compressed virtual clock so
//! that a four-minute alarm delay passes in seconds yet reads as four minutes in the evidence, and
//! tests never sleep on wall time. Also the one place that formats times for people (JST and UTC).

use chrono::{DateTime, FixedOffset, Utc};
use std::time::Duration;

pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;
    /// Waits `duration` of this clock's time (the sandbox waits a fraction of it on the wall).
    fn sleep(&self, duration: Duration);
}

pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
    fn sleep(&self, duration: Duration) {
        std::thread::sleep(duration);
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
    let sign = if seconds < 0 { "-" } else { "" };
    let s = seconds.abs();
    if s >= 3600 {
        format!("{sign}{} h {:02} min", s / 3600, (s % 3600) / 60)
    } else if s >= 60 {
        format!("{sign}{} min {:02} s", s / 60, s % 60)
    } else {
        format!("{sign}{s} s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
