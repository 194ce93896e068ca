//! The watch: a plain loop over an `Observe` source and a `Clock`, so it is tested against
//! scripted states with a fake clock. It polls every `POLL` (two AWS calls: DescribeTargetHealth
//! and DescribeAlarms, plus one HTTP GET), doubles its interval while throttled and gives up after
//! a timeout computed from the settings; the exact transition times come from
//! `DescribeAlarmHistory` afterwards, including transitions that happened while lecture06 was not
//! running.

use crate::clock::Clock;
use crate::cloud::alarms::HistoryItem;
use crate::cloud::elb::HealthCheck;
use crate::cloud::{Cloud, CloudError, CloudErrorKind};
use chrono::{DateTime, Duration as Span, Utc};
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// Between two looks: 3 looks a minute, 2 AWS calls each (well under every API's limits).
pub const POLL: Duration = Duration::from_secs(20);
/// SNS/CloudWatch publication: how long after its minute a datapoint can be evaluated.
pub const PUBLICATION_SECONDS: i64 = 60;

/// One look at the three things watched.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Observation {
    pub at: DateTime<Utc>,
    pub http: Option<u16>,
    pub http_millis: u64,
    pub target: String,
    pub alarm: String,
    /// AWS's reason code and description for the target's state (`Target.ResponseCodeMismatch:
    /// Health checks failed with these codes: [502]`), when it gives one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_reason: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Change {
    pub at: DateTime<Utc>,
    /// `http`, `target` or `alarm`.
    pub what: String,
    pub from: String,
    pub to: String,
    /// For a target change: AWS's reason code and description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

pub trait Observe {
    fn observe(&mut self) -> Result<Observation, CloudError>;
}

#[derive(Clone, Debug, PartialEq)]
pub struct WatchResult {
    pub reached_at: Option<DateTime<Utc>>,
    pub changes: Vec<Change>,
    pub polls: u32,
    pub throttled: u32,
    pub last: Option<Observation>,
    /// `end_early` said there is no point waiting longer.
    pub ended_early: bool,
}

pub fn http_text(status: Option<u16>) -> String {
    status.map_or_else(|| "no answer".to_string(), |s| s.to_string())
}

/// Looks every `POLL` until the alarm is in one of `goals`, `end_early` says waiting is pointless, or
/// `timeout` has passed; reports each change to `on_change` as it is seen. Throttling doubles the
/// interval (up to 8×) instead of failing.
pub fn watch(
    source: &mut dyn Observe,
    clock: &dyn Clock,
    mut previous: Option<Observation>,
    goals: &[&str],
    timeout: Duration,
    end_early: &dyn Fn(&Observation) -> bool,
    on_change: &mut dyn FnMut(&Change, &Observation),
) -> Result<WatchResult, CloudError> {
    let started = clock.now();
    let poll = POLL;
    let mut delay = poll;
    let mut result = WatchResult {
        reached_at: None,
        changes: Vec::new(),
        polls: 0,
        throttled: 0,
        last: None,
        ended_early: false,
    };
    loop {
        result.polls += 1;
        match source.observe() {
            Ok(seen) => {
                delay = poll;
                if let Some(before) = &previous {
                    let pairs = [
                        ("http", http_text(before.http), http_text(seen.http)),
                        ("target", before.target.clone(), seen.target.clone()),
                        ("alarm", before.alarm.clone(), seen.alarm.clone()),
                    ];
                    for (what, from, to) in pairs {
                        if from != to {
                            let change = Change {
                                at: seen.at,
                                what: what.into(),
                                from,
                                to,
                                reason: (what == "target")
                                    .then(|| seen.target_reason.clone())
                                    .flatten(),
                            };
                            on_change(&change, &seen);
                            result.changes.push(change);
                        }
                    }
                }
                let reached = goals.contains(&seen.alarm.as_str());
                previous = Some(seen.clone());
                result.last = Some(seen.clone());
                if reached {
                    result.reached_at = Some(seen.at);
                    return Ok(result);
                }
                if end_early(&seen) {
                    result.ended_early = true;
                    return Ok(result);
                }
            }
            Err(err) if err.kind == CloudErrorKind::Throttled => {
                result.throttled += 1;
                delay = (delay * 2).min(poll * 8);
            }
            Err(err) => return Err(err),
        }
        if clock.now() - started >= Span::from_std(timeout).unwrap_or_default() {
            return Ok(result);
        }
        clock.sleep(delay);
        // Ctrl-C or SIGTERM: end with what was seen; the caller saves it.
        if crate::clock::stop_requested() {
            return Ok(result);
        }
    }
}

/// The exact time the alarm entered `state` after `after`, from its history.
pub fn transition_time(
    history: &[HistoryItem],
    state: &str,
    after: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    history
        .iter()
        .filter(|h| h.kind == "StateUpdate" && h.timestamp >= after)
        .find(|h| h.states().is_some_and(|(_, new)| new == state))
        .map(|h| h.timestamp)
}

/// How long to wait for ALARM before saying what to check: every part of the delay at its worst,
/// twice, plus five minutes.
pub fn give_up_after(
    health: &HealthCheck,
    period: u32,
    datapoints: u32,
    evaluation: u32,
) -> Duration {
    let worst = i64::from(health.interval_seconds) * i64::from(health.unhealthy_threshold.max(1))
        + i64::from(period) * i64::from(datapoints.max(evaluation).max(1))
        + PUBLICATION_SECONDS
        + 60;
    Duration::from_secs((2 * worst + 300) as u64)
}

pub struct CloudObserver<'a> {
    pub cloud: &'a Cloud,
    pub region: String,
    pub tg_arn: String,
    pub alarm: String,
    pub url: String,
}

impl Observe for CloudObserver<'_> {
    fn observe(&mut self) -> Result<Observation, CloudError> {
        let probe = self.cloud.http.get(&self.url);
        let targets = self.cloud.elb.target_health(&self.region, &self.tg_arn)?;
        let target_reason = targets.iter().find_map(|t| {
            t.reason.as_ref().map(|code| match &t.description {
                Some(d) => format!("{code}: {d}"),
                None => code.clone(),
            })
        });
        let target = if targets.is_empty() {
            "no target".to_string()
        } else {
            let mut states: Vec<String> = targets.iter().map(|t| t.state.clone()).collect();
            states.dedup();
            states.join("/")
        };
        let alarm = self
            .cloud
            .alarms
            .describe_alarm(&self.region, &self.alarm)?
            .map(|a| a.state)
            .unwrap_or_else(|| "(deleted)".into());
        Ok(Observation {
            at: self.cloud.clock.now(),
            http: probe.status,
            http_millis: probe.millis,
            target,
            alarm,
            target_reason,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::RefCell;
    use std::collections::VecDeque;
    use std::sync::Mutex;

    /// A clock that only moves when slept on.
    struct FakeClock(Mutex<DateTime<Utc>>);

    impl Clock for FakeClock {
        fn now(&self) -> DateTime<Utc> {
            *self.0.lock().unwrap()
        }
        fn sleep(&self, d: Duration) {
            *self.0.lock().unwrap() += Span::from_std(d).unwrap();
        }
    }

    fn clock() -> FakeClock {
        FakeClock(Mutex::new(
            crate::clock::parse_time("2026-11-21T01:00:00Z").unwrap(),
        ))
    }

    /// One scripted look: `(http, target, alarm)`, or `None` for a throttling error.
    type Look = Option<(u16, &'static str, &'static str)>;

    /// Answers from a script, one entry per look.
    struct Scripted<'a> {
        clock: &'a FakeClock,
        script: RefCell<VecDeque<Look>>,
    }

    impl Observe for Scripted<'_> {
        fn observe(&mut self) -> Result<Observation, CloudError> {
            let next = self
                .script
                .borrow_mut()
                .pop_front()
                .expect("script long enough");
            match next {
                None => Err(CloudError::new(
                    CloudErrorKind::Throttled,
                    "cloudwatch:DescribeAlarms",
                    "Rate exceeded",
                )),
                Some((http, target, alarm)) => Ok(Observation {
                    at: self.clock.now(),
                    http: Some(http),
                    http_millis: 5,
                    target: target.into(),
                    alarm: alarm.into(),
                    target_reason: None,
                }),
            }
        }
    }

    fn scripted<'a>(clock: &'a FakeClock, steps: &[Look]) -> Scripted<'a> {
        Scripted {
            clock,
            script: RefCell::new(steps.iter().cloned().collect()),
        }
    }

    #[test]
    fn records_each_change_and_stops_at_the_goal() {
        let clock = clock();
        let mut source = scripted(
            &clock,
            &[
                Some((200, "healthy", "OK")),
                Some((502, "healthy", "OK")),
                Some((502, "unhealthy", "OK")),
                Some((502, "unhealthy", "OK")),
                Some((502, "unhealthy", "ALARM")),
            ],
        );
        let mut seen = Vec::new();
        let result = watch(
            &mut source,
            &clock,
            None,
            &["ALARM"],
            Duration::from_secs(600),
            &|_| false,
            &mut |c, _| seen.push(format!("{}:{}->{}", c.what, c.from, c.to)),
        )
        .unwrap();
        assert_eq!(
            seen,
            [
                "http:200->502",
                "target:healthy->unhealthy",
                "alarm:OK->ALARM"
            ]
        );
        assert_eq!(result.polls, 5);
        // Four sleeps of 20 s: the clock, not the wall, moved.
        assert_eq!(
            result.reached_at.unwrap(),
            crate::clock::parse_time("2026-11-21T01:01:20Z").unwrap()
        );
    }

    #[test]
    fn throttling_backs_off_instead_of_failing() {
        let clock = clock();
        let mut source = scripted(
            &clock,
            &[
                Some((502, "unhealthy", "OK")),
                None,
                None,
                Some((502, "unhealthy", "ALARM")),
            ],
        );
        let result = watch(
            &mut source,
            &clock,
            None,
            &["ALARM"],
            Duration::from_secs(600),
            &|_| false,
            &mut |_, _| {},
        )
        .unwrap();
        assert_eq!(result.throttled, 2);
        // 20 s, then 40 s and 80 s after the two throttled looks.
        assert_eq!(
            result.reached_at.unwrap() - crate::clock::parse_time("2026-11-21T01:00:00Z").unwrap(),
            Span::seconds(140)
        );
    }

    #[test]
    fn gives_up_after_the_timeout() {
        let clock = clock();
        let steps: Vec<_> = (0..20).map(|_| Some((502, "unhealthy", "OK"))).collect();
        let mut source = scripted(&clock, &steps);
        let result = watch(
            &mut source,
            &clock,
            None,
            &["ALARM"],
            Duration::from_secs(100),
            &|_| false,
            &mut |_, _| {},
        )
        .unwrap();
        assert_eq!(result.reached_at, None);
        assert_eq!(result.polls, 6, "looks at 0, 20, …, 100 s");
    }

    #[test]
    fn a_transition_missed_while_not_running_comes_from_the_history() {
        // lecture06 was stopped (Ctrl-C) and resumed: the first look already sees ALARM.
        let clock = clock();
        let before = Observation {
            at: clock.now() - Span::minutes(10),
            http: Some(502),
            http_millis: 3,
            target: "unhealthy".into(),
            alarm: "OK".into(),
            target_reason: None,
        };
        let mut source = scripted(&clock, &[Some((502, "unhealthy", "ALARM"))]);
        let result = watch(
            &mut source,
            &clock,
            Some(before),
            &["ALARM"],
            Duration::from_secs(600),
            &|_| false,
            &mut |_, _| {},
        )
        .unwrap();
        assert_eq!(result.polls, 1);
        let stopped = clock.now() - Span::minutes(9);
        let history = vec![
            HistoryItem {
                timestamp: stopped - Span::minutes(30),
                kind: "StateUpdate".into(),
                summary: "Alarm updated from INSUFFICIENT_DATA to OK".into(),
                data: r#"{"oldState":{"stateValue":"INSUFFICIENT_DATA"},"newState":{"stateValue":"OK"}}"#.into(),
            },
            HistoryItem {
                timestamp: stopped + Span::seconds(170),
                kind: "StateUpdate".into(),
                summary: "Alarm updated from OK to ALARM".into(),
                data: r#"{"oldState":{"stateValue":"OK"},"newState":{"stateValue":"ALARM"}}"#.into(),
            },
        ];
        assert_eq!(
            transition_time(&history, "ALARM", stopped),
            Some(stopped + Span::seconds(170)),
            "the exact time, not the time lecture06 looked"
        );
        assert_eq!(transition_time(&history, "OK", stopped), None);
    }

    /// An alarm that flaps (ALARM, back to OK, ALARM again) entered ALARM at the first of them:
    /// that is the moment the stop took effect, and the delay the report explains.
    #[test]
    fn a_flapping_alarm_entered_its_state_at_the_first_transition() {
        let stopped = chrono::TimeZone::with_ymd_and_hms(&Utc, 2026, 5, 1, 3, 0, 0).unwrap();
        let update = |seconds: i64, from: &str, to: &str| HistoryItem {
            timestamp: stopped + Span::seconds(seconds),
            kind: "StateUpdate".into(),
            summary: format!("Alarm updated from {from} to {to}"),
            data: format!(
                r#"{{"oldState":{{"stateValue":"{from}"}},"newState":{{"stateValue":"{to}"}}}}"#
            ),
        };
        let history = vec![
            update(-600, "INSUFFICIENT_DATA", "OK"),
            update(170, "OK", "ALARM"),
            update(230, "ALARM", "OK"),
            update(290, "OK", "ALARM"),
            update(350, "ALARM", "OK"),
        ];
        assert_eq!(
            transition_time(&history, "ALARM", stopped),
            Some(stopped + Span::seconds(170))
        );
        assert_eq!(
            transition_time(&history, "OK", stopped),
            Some(stopped + Span::seconds(230)),
            "the OK before the stop does not count, the first one after it does"
        );
    }

    #[test]
    fn give_up_time_follows_the_settings() {
        let default = give_up_after(&HealthCheck::default(), 60, 1, 1);
        assert_eq!(default, Duration::from_secs(2 * (60 + 60 + 60 + 60) + 300));
        assert!(give_up_after(&HealthCheck::default(), 300, 3, 3) > default);
    }

    #[test]
    fn a_watch_ends_early_when_told() {
        let clock = clock();
        let steps: Vec<_> = (0..20).map(|_| Some((200, "healthy", "OK"))).collect();
        let mut source = scripted(&clock, &steps);
        let start = clock.now();
        let result = watch(
            &mut source,
            &clock,
            None,
            &["ALARM"],
            Duration::from_secs(1200),
            &|seen| (seen.at - start).num_seconds() > 180,
            &mut |_, _| {},
        )
        .unwrap();
        assert!(result.ended_early);
        assert_eq!(result.reached_at, None);
        assert_eq!(
            result.polls, 11,
            "looks at 0, 20, …, 200 s: the first past 180 s ends it"
        );
    }
}
