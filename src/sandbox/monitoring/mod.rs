//! The simulated ALB, SNS and CloudWatch of the sandbox, and the small model that ties them
//! together so the alarm and transitions steps teach what real AWS does:
//!
//! - the ALB `app/raisetech-alb/<16 hex>` routes to one target group with one EC2 target, where
//!   Nginx passes requests to Unicorn; while Unicorn is down Nginx answers 502, while Nginx is
//!   down the connection is refused, while the instance is stopped the target is `unused`;
//! - Nginx serves `/index.html` itself (`STATIC_PAGE`): a health check on that path stays healthy
//!   with Unicorn stopped (`[sandbox] health_check = "static"`); every other path is Rails';
//! - health checks run every `interval` seconds; the target turns unhealthy after
//!   `unhealthy_threshold` failures in a row and healthy after `healthy_threshold` successes;
//! - `HealthyHostCount` has one datapoint a minute (Minimum/Maximum/Average over the minute),
//!   published `PUBLISH_DELAY` after the minute ends;
//! - every alarm is evaluated at each minute boundary over its last `EvaluationPeriods` published
//!   periods (`DatapointsToAlarm`, `TreatMissingData`), and a state change publishes to the
//!   alarm's actions: a mail file per confirmed e-mail subscription, in SNS's alarm mail format,
//!   in `.lecture06/sandbox/mailbox/`.
//!
//! This file is the ALB and CloudWatch half; `sns` holds the topics, subscriptions and mails.
//!
//! Time only moves when lecture06 sleeps (`Clock::sleep`), so the model is run up to the clock's
//! "now" before every call. With the defaults the delay from stopping Unicorn to ALARM is
//! 2–3 minutes, the range real AWS shows.

mod sns;

pub use sns::{Mail, SimSubscription, SimTopic};

use super::World;
use crate::cloud::alarms::{AlarmInfo, AlarmSpec, Datapoint, HistoryItem};
use crate::cloud::elb::{HealthCheck, LoadBalancer, TargetGroup, TargetHealth};
use crate::cloud::student::ServerProcess;
use chrono::{DateTime, Duration, DurationRound, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sns::alarm_mail;
use std::collections::BTreeMap;

/// How long after a minute ends its datapoint can be evaluated.
pub const PUBLISH_DELAY_SECONDS: i64 = 60;
/// SNS e-mail delivery.
pub const MAIL_DELAY_SECONDS: i64 = 20;
pub const ALB_NAME: &str = "raisetech-alb";
pub const TARGET_GROUP_NAME: &str = "raisetech-tg";
/// The file Nginx serves from the app's `public/` folder without asking Unicorn.
pub const STATIC_PAGE: &str = "/index.html";

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Monitoring {
    pub alb: SimAlb,
    pub topics: Vec<SimTopic>,
    pub subscriptions: Vec<SimSubscription>,
    pub alarms: Vec<SimAlarm>,
    /// API calls made, by IAM action: what a watch costs in requests.
    pub calls: BTreeMap<String, u64>,
    /// The model has been run up to here; the last minute boundary evaluated.
    pub simulated_to: DateTime<Utc>,
    pub evaluated_to: DateTime<Utc>,
    pub serial: u64,
    /// Mails produced and not yet written to the mailbox.
    #[serde(default)]
    pub outbox: Vec<Mail>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SimAlb {
    pub lb_arn: String,
    pub dns_name: String,
    pub tg_arn: String,
    pub instance_id: String,
    pub health_check: HealthCheck,
    pub app_running: bool,
    #[serde(default = "running")]
    pub nginx_running: bool,
    #[serde(default = "running")]
    pub instance_running: bool,
    /// `(from, running)`: when the instance was stopped and started (no datapoints while stopped).
    #[serde(default)]
    pub instance_log: Vec<(DateTime<Utc>, bool)>,
    pub target_healthy: bool,
    /// Consecutive health-check results that disagree with the current health.
    pub streak: u32,
    pub next_check: DateTime<Utc>,
    /// `(from, healthy)`: the target's health over time.
    pub health_log: Vec<(DateTime<Utc>, bool)>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SimAlarm {
    pub info: AlarmInfo,
    pub tags: Vec<(String, String)>,
    pub created_at: DateTime<Utc>,
    pub history: Vec<HistoryItem>,
}

fn running() -> bool {
    true
}

/// One answer of the simulated instance through the ALB, as `HttpProbe` reports it.
#[derive(Clone, Debug, PartialEq)]
pub struct Answer {
    pub status: Option<u16>,
    pub headers: Vec<(String, String)>,
}

pub(super) fn hex(seed: u64, label: &str, len: usize) -> String {
    let mut rng = super::events::Rng::new(
        seed ^ label
            .bytes()
            .fold(0x5151_u64, |h, b| h.rotate_left(7) ^ u64::from(b)),
    );
    (0..len)
        .map(|_| char::from_digit(rng.below(16) as u32, 16).unwrap_or('0'))
        .collect()
}

fn minute_floor(time: DateTime<Utc>) -> DateTime<Utc> {
    time.duration_trunc(Duration::minutes(1)).unwrap_or(time)
}

impl Monitoring {
    pub fn new(world: &World) -> Monitoring {
        let seed = world.seed;
        let (region, account) = (&world.region, &world.account);
        let lb_id = world.alb_id();
        let mut rng = super::events::Rng::new(seed ^ 0xa1b);
        let check_offset = rng.below(30) as i64;
        let start = world.epoch - Duration::days(30);
        Monitoring {
            alb: SimAlb {
                lb_arn: format!(
                    "arn:aws:elasticloadbalancing:{region}:{account}:loadbalancer/app/{ALB_NAME}/{lb_id}"
                ),
                dns_name: world.alb_dns_name(),
                tg_arn: format!(
                    "arn:aws:elasticloadbalancing:{region}:{account}:targetgroup/{TARGET_GROUP_NAME}/{}",
                    hex(seed, "tg", 16)
                ),
                instance_id: world.instance_id(),
                health_check: HealthCheck {
                    path: if world.static_health_check {
                        STATIC_PAGE.into()
                    } else {
                        "/".into()
                    },
                    ..HealthCheck::default()
                },
                app_running: true,
                nginx_running: true,
                instance_running: true,
                instance_log: Vec::new(),
                target_healthy: true,
                streak: 0,
                next_check: minute_floor(world.now) + Duration::seconds(check_offset),
                health_log: vec![(start, true)],
            },
            topics: Vec::new(),
            subscriptions: Vec::new(),
            alarms: Vec::new(),
            calls: BTreeMap::new(),
            simulated_to: world.now,
            evaluated_to: minute_floor(world.now),
            serial: 0,
            outbox: Vec::new(),
        }
    }

    pub fn count(&mut self, action: &str) {
        *self.calls.entry(action.to_string()).or_default() += 1;
    }

    fn next_serial(&mut self) -> u64 {
        self.serial += 1;
        self.serial
    }

    // ---- the model -------------------------------------------------------------------------

    /// Runs health checks and alarm evaluations up to `to`.
    pub fn advance(&mut self, world: &WorldFacts, to: DateTime<Utc>) {
        loop {
            let next_check = self.alb.next_check;
            let next_eval = self.evaluated_to + Duration::minutes(1);
            let next = next_check.min(next_eval);
            if next > to {
                break;
            }
            if next_check <= next_eval {
                self.health_check(next_check);
            } else {
                self.evaluated_to = next_eval;
                self.evaluate_alarms(world, next_eval);
            }
        }
        self.simulated_to = self.simulated_to.max(to);
    }

    fn health_check(&mut self, at: DateTime<Utc>) {
        let passes = self.check_passes();
        let alb = &mut self.alb;
        alb.next_check = at + Duration::seconds(alb.health_check.interval_seconds as i64);
        // An unused target (stopped instance) is not checked.
        if !alb.instance_running || passes == alb.target_healthy {
            alb.streak = 0;
            return;
        }
        alb.streak += 1;
        let needed = if passes {
            alb.health_check.healthy_threshold
        } else {
            alb.health_check.unhealthy_threshold
        };
        if alb.streak >= needed {
            alb.target_healthy = passes;
            alb.streak = 0;
            alb.health_log.push((at, alb.target_healthy));
        }
    }

    fn healthy_at(&self, at: DateTime<Utc>) -> bool {
        self.alb
            .health_log
            .iter()
            .rev()
            .find(|(from, _)| *from <= at)
            .map(|(_, healthy)| *healthy)
            .unwrap_or(true)
    }

    /// The HealthyHostCount statistic over `[from, from + seconds)`.
    pub fn healthy_host_count(&self, from: DateTime<Utc>, seconds: i64, statistic: &str) -> f64 {
        let to = from + Duration::seconds(seconds);
        // Time-weighted over the health changes inside the period.
        let mut edges = vec![from];
        edges.extend(
            self.alb
                .health_log
                .iter()
                .map(|(t, _)| *t)
                .filter(|t| *t > from && *t < to),
        );
        edges.push(to);
        let mut healthy_seconds = 0;
        let (mut any_healthy, mut any_unhealthy) = (false, false);
        for pair in edges.windows(2) {
            let healthy = self.healthy_at(pair[0]);
            let length = (pair[1] - pair[0]).num_seconds();
            if length == 0 {
                continue;
            }
            if healthy {
                healthy_seconds += length;
                any_healthy = true;
            } else {
                any_unhealthy = true;
            }
        }
        match statistic {
            "Minimum" => f64::from(u8::from(!any_unhealthy)),
            "Maximum" => f64::from(u8::from(any_healthy)),
            "Sum" | "SampleCount" => (healthy_seconds / 60) as f64,
            _ => healthy_seconds as f64 / seconds.max(1) as f64,
        }
    }

    /// The datapoints of an alarm's metric published by `at`, one per period, oldest first.
    pub fn datapoints(
        &self,
        spec: &AlarmSpec,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        at: DateTime<Utc>,
    ) -> Vec<Datapoint> {
        if spec.namespace != "AWS/ApplicationELB" || spec.metric != "HealthyHostCount" {
            return Vec::new();
        }
        let wants =
            |name: &str, value: &str| spec.dimensions.iter().any(|(n, v)| n == name && v == value);
        if !wants(
            "LoadBalancer",
            &crate::cloud::elb::dimension_value(&self.alb.lb_arn),
        ) || !wants(
            "TargetGroup",
            &crate::cloud::elb::dimension_value(&self.alb.tg_arn),
        ) {
            return Vec::new();
        }
        let period = i64::from(spec.period.max(60));
        let first = start.timestamp().div_euclid(period) * period;
        let mut points = Vec::new();
        let mut from = DateTime::from_timestamp(first, 0).unwrap_or(start);
        while from < end {
            let period_end = from + Duration::seconds(period);
            if period_end + Duration::seconds(PUBLISH_DELAY_SECONDS) > at {
                break;
            }
            if !self.instance_stopped_during(from, period_end) {
                points.push(Datapoint {
                    timestamp: from,
                    value: self.healthy_host_count(from, period, &spec.statistic),
                });
            }
            from = period_end;
        }
        points
    }

    fn evaluate_alarms(&mut self, world: &WorldFacts, at: DateTime<Utc>) {
        for index in 0..self.alarms.len() {
            let alarm = &self.alarms[index];
            if alarm.created_at >= at {
                continue;
            }
            let spec = alarm.info.spec.clone();
            let period = i64::from(spec.period.max(60));
            let span = Duration::seconds(period * i64::from(spec.evaluation_periods.max(1)));
            let window_end = DateTime::from_timestamp(
                (at.timestamp() - PUBLISH_DELAY_SECONDS).div_euclid(period) * period,
                0,
            )
            .unwrap_or(at);
            let points = self.datapoints(&spec, window_end - span, window_end, at);
            let Some((state, reason)) = evaluate(&spec, &points, spec.evaluation_periods) else {
                continue;
            };
            self.transition(world, index, &state, &reason, at);
        }
    }

    /// Moves an alarm to `state` (if it is not there): history, and the actions' mails.
    pub fn transition(
        &mut self,
        world: &WorldFacts,
        index: usize,
        state: &str,
        reason: &str,
        at: DateTime<Utc>,
    ) {
        let alarm = &mut self.alarms[index];
        let old = alarm.info.state.clone();
        if old == state {
            return;
        }
        alarm.info.state = state.to_string();
        alarm.info.state_reason = reason.to_string();
        alarm.info.state_updated = Some(at);
        let name = alarm.info.spec.name.clone();
        alarm.history.push(HistoryItem {
            timestamp: at,
            kind: "StateUpdate".into(),
            summary: format!("Alarm updated from {old} to {state}"),
            data: json!({
                "version": "1.0",
                "oldState": {"stateValue": old},
                "newState": {"stateValue": state, "stateReason": reason},
            })
            .to_string(),
        });
        let actions = match state {
            "ALARM" => alarm.info.spec.alarm_actions.clone(),
            "OK" => alarm.info.spec.ok_actions.clone(),
            _ => Vec::new(),
        };
        if !alarm.info.actions_enabled {
            return;
        }
        let info = alarm.info.clone();
        for topic_arn in actions {
            self.alarms[index].history.push(HistoryItem {
                timestamp: at,
                kind: "Action".into(),
                summary: format!("Successfully executed action {topic_arn}"),
                data: json!({"actionState": "Succeeded", "notificationResource": topic_arn})
                    .to_string(),
            });
            let subscriptions: Vec<SimSubscription> = self
                .subscriptions
                .iter()
                .filter(|s| s.topic_arn == topic_arn && s.confirmed)
                .cloned()
                .collect();
            for subscription in subscriptions {
                let mail = alarm_mail(world, &info, &old, at, &subscription);
                self.outbox.push(mail);
            }
        }
        let _ = name;
    }

    // ---- ELB -------------------------------------------------------------------------------

    pub fn load_balancer(&self) -> LoadBalancer {
        LoadBalancer {
            arn: self.alb.lb_arn.clone(),
            name: ALB_NAME.into(),
            dns_name: self.alb.dns_name.clone(),
            kind: "application".into(),
            state: "active".into(),
            scheme: "internet-facing".into(),
            availability_zones: super::inventory::alb_zones(
                self.alb.lb_arn.split(':').nth(3).unwrap_or_default(),
            ),
        }
    }

    pub fn target_group(&self) -> TargetGroup {
        TargetGroup {
            arn: self.alb.tg_arn.clone(),
            name: TARGET_GROUP_NAME.into(),
            protocol: "HTTP".into(),
            port: 80,
            health_check: self.alb.health_check.clone(),
        }
    }

    /// The student stopped or started `process` at `now`. A stopped instance's target is unused at
    /// once (not counted as healthy); started again, it needs `healthy_threshold` passing checks.
    pub fn set_running(&mut self, process: ServerProcess, running: bool, now: DateTime<Utc>) {
        let alb = &mut self.alb;
        match process {
            ServerProcess::Unicorn => alb.app_running = running,
            ServerProcess::Nginx => alb.nginx_running = running,
            ServerProcess::Instance => {
                alb.instance_running = running;
                alb.instance_log.push((now, running));
                alb.streak = 0;
                if !running && alb.target_healthy {
                    alb.target_healthy = false;
                    alb.health_log.push((now, false));
                }
            }
        }
    }

    /// Whether the instance was stopped at any moment of `[from, to)`: then the period has no
    /// HealthyHostCount datapoint.
    fn instance_stopped_during(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> bool {
        let log = &self.alb.instance_log;
        let at_start = log
            .iter()
            .rev()
            .find(|(t, _)| *t <= from)
            .is_some_and(|(_, running)| !running);
        at_start
            || log
                .iter()
                .any(|(t, running)| !running && *t > from && *t < to)
    }

    /// Whether a health check of the configured path passes now.
    fn check_passes(&self) -> bool {
        self.answer(&self.alb.health_check.path).status == Some(200)
    }

    /// The target as `DescribeTargetHealth` shows it, with AWS's reason code and description.
    pub fn target_health(&self) -> TargetHealth {
        let alb = &self.alb;
        let (state, reason, description) = if !alb.instance_running {
            (
                "unused",
                Some("Target.InvalidState"),
                Some("Target is in the stopped state"),
            )
        } else if alb.target_healthy {
            ("healthy", None, None)
        } else if !alb.nginx_running {
            (
                "unhealthy",
                Some("Target.FailedHealthChecks"),
                Some("Health checks failed"),
            )
        } else {
            (
                "unhealthy",
                Some("Target.ResponseCodeMismatch"),
                Some("Health checks failed with these codes: [502]"),
            )
        };
        TargetHealth {
            id: alb.instance_id.clone(),
            port: Some(80),
            state: state.into(),
            reason: reason.map(str::to_string),
            description: description.map(str::to_string),
        }
    }

    /// What the instance answers for `path`: Nginx serves `STATIC_PAGE` itself and passes the
    /// rest to Unicorn (502 while it is down); a stopped Nginx or instance answers nothing.
    pub fn answer(&self, path: &str) -> Answer {
        let alb = &self.alb;
        let nginx = |status: u16, more: &[(&str, &str)]| Answer {
            status: Some(status),
            headers: [("Server", "nginx/1.20.1"), ("Content-Type", "text/html")]
                .iter()
                .chain(more)
                .map(|(n, v)| (n.to_string(), v.to_string()))
                .collect(),
        };
        if !alb.instance_running || !alb.nginx_running {
            return Answer {
                status: None,
                headers: Vec::new(),
            };
        }
        if path == STATIC_PAGE {
            return nginx(
                200,
                &[("ETag", "\"65f1a2b3-2d4\""), ("Accept-Ranges", "bytes")],
            );
        }
        if !alb.app_running {
            return nginx(502, &[]);
        }
        nginx(
            200,
            &[
                ("Cache-Control", "max-age=0, private, must-revalidate"),
                ("X-Request-Id", "0f6c3d1e-8b2a-4f57-9c1d-5e7a2b9c4d10"),
            ],
        )
    }

    /// What a GET of `path` on the ALB's DNS name answers: the instance's answer, or the ALB's own
    /// 502 when nothing answers on the instance and 503 when no target is in use.
    pub fn http_answer(&self, path: &str) -> Answer {
        let answer = self.answer(path);
        if answer.status.is_some() {
            return answer;
        }
        let status = if self.alb.instance_running { 502 } else { 503 };
        Answer {
            status: Some(status),
            headers: vec![
                ("Server".into(), "awselb/2.0".into()),
                ("Content-Type".into(), "text/html".into()),
            ],
        }
    }
}

/// What the model needs of the world besides its own part.
pub struct WorldFacts {
    pub seed: u64,
    pub region: String,
    pub account: String,
    pub now: DateTime<Utc>,
}

impl WorldFacts {
    pub fn of(world: &World) -> WorldFacts {
        WorldFacts {
            seed: world.seed,
            region: world.region.clone(),
            account: world.account.clone(),
            now: world.now,
        }
    }
}

/// One evaluation: `None` when the data leaves the state as it is (`ignore`/`missing` with no
/// datapoint at all).
pub fn evaluate(spec: &AlarmSpec, points: &[Datapoint], periods: u32) -> Option<(String, String)> {
    let periods = periods.max(1) as usize;
    let recent: Vec<&Datapoint> = points.iter().rev().take(periods).collect();
    let missing = periods.saturating_sub(recent.len());
    let breaching_points = recent.iter().filter(|p| spec.breaches(p.value)).count();
    let breaching = breaching_points
        + match spec.treat_missing_data.as_str() {
            "breaching" => missing,
            _ => 0,
        };
    if recent.is_empty()
        && !matches!(
            spec.treat_missing_data.as_str(),
            "breaching" | "notBreaching"
        )
    {
        return Some((
            "INSUFFICIENT_DATA".into(),
            "Insufficient Data: no datapoints were received.".into(),
        ))
        .filter(|_| spec.treat_missing_data == "missing");
    }
    let shown: Vec<String> = recent
        .iter()
        .map(|p| {
            format!(
                "{:.1} ({})",
                p.value,
                p.timestamp.format("%d/%m/%y %H:%M:%S")
            )
        })
        .collect();
    let m = spec.datapoints_to_alarm.max(1) as usize;
    let threshold = spec.threshold;
    let comparison = match spec.comparison.as_str() {
        "LessThanThreshold" => "less than",
        "LessThanOrEqualToThreshold" => "less than or equal to",
        "GreaterThanThreshold" => "greater than",
        _ => "greater than or equal to",
    };
    if breaching >= m {
        Some((
            "ALARM".into(),
            format!(
                "Threshold Crossed: {breaching} out of the last {periods} datapoints [{}] was {comparison} the threshold ({threshold:.1}) (minimum {m} datapoint for OK -> ALARM transition).",
                shown.join(", ")
            ),
        ))
    } else {
        Some((
            "OK".into(),
            format!(
                "Threshold Crossed: {} out of the last {periods} datapoints [{}] was not {comparison} the threshold ({threshold:.1}) (minimum 1 datapoint for ALARM -> OK transition).",
                periods - breaching,
                shown.join(", ")
            ),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec() -> AlarmSpec {
        AlarmSpec {
            name: "a".into(),
            description: String::new(),
            namespace: "AWS/ApplicationELB".into(),
            metric: "HealthyHostCount".into(),
            statistic: "Minimum".into(),
            dimensions: vec![],
            period: 60,
            evaluation_periods: 1,
            datapoints_to_alarm: 1,
            threshold: 1.0,
            comparison: "LessThanThreshold".into(),
            treat_missing_data: "breaching".into(),
            alarm_actions: vec![],
            ok_actions: vec![],
        }
    }

    fn at(minute: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 / 60 * 60 + minute * 60, 0).unwrap()
    }

    #[test]
    fn evaluation_follows_threshold_and_missing_data() {
        let s = spec();
        let zero = [Datapoint {
            timestamp: at(0),
            value: 0.0,
        }];
        let one = [Datapoint {
            timestamp: at(0),
            value: 1.0,
        }];
        assert_eq!(evaluate(&s, &zero, 1).unwrap().0, "ALARM");
        assert_eq!(evaluate(&s, &one, 1).unwrap().0, "OK");
        assert_eq!(evaluate(&s, &[], 1).unwrap().0, "ALARM");
        let mut not_breaching = spec();
        not_breaching.treat_missing_data = "notBreaching".into();
        assert_eq!(evaluate(&not_breaching, &[], 1).unwrap().0, "OK");
        let mut two_of_three = spec();
        two_of_three.evaluation_periods = 3;
        two_of_three.datapoints_to_alarm = 2;
        let points: Vec<Datapoint> = [1.0, 0.0, 1.0]
            .iter()
            .enumerate()
            .map(|(i, v)| Datapoint {
                timestamp: at(i as i64),
                value: *v,
            })
            .collect();
        assert_eq!(evaluate(&two_of_three, &points, 3).unwrap().0, "OK");
    }
}
