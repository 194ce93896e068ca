//! The simulated ALB, SNS and CloudWatch of the sandbox, and the small model that ties them
//! together so the alarm and transitions steps teach what real AWS does:
//!
//! - the ALB `app/raisetech-alb/<16 hex>` routes to one target group with one EC2 target, where
//!   Unicorn runs (or not); while Unicorn is down, nginx on the instance answers 502;
//! - health checks run every `interval` seconds; the target turns unhealthy after
//!   `unhealthy_threshold` failures in a row and healthy after `healthy_threshold` successes;
//! - `HealthyHostCount` has one datapoint a minute (Minimum/Maximum/Average over the minute),
//!   published `PUBLISH_DELAY` after the minute ends;
//! - every alarm is evaluated at each minute boundary over its last `EvaluationPeriods` published
//!   periods (`DatapointsToAlarm`, `TreatMissingData`), and a state change publishes to the
//!   alarm's actions: a mail file per confirmed e-mail subscription, in SNS's alarm mail format,
//!   in `.lecture06/sandbox/mailbox/`.
//!
//! Time only moves when lecture06 sleeps (`Clock::sleep`), so the model is run up to the clock's
//! "now" before every call. With the defaults the delay from stopping Unicorn to ALARM is
//! 2–3 minutes, the range real AWS shows.

use super::World;
use crate::cloud::alarms::{AlarmInfo, AlarmSpec, Datapoint, HistoryItem};
use crate::cloud::elb::{HealthCheck, LoadBalancer, TargetGroup, TargetHealth};
use crate::cloud::notify::{PENDING, Subscription, Topic, TopicSettings};
use chrono::{DateTime, Duration, DurationRound, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::BTreeMap;

/// How long after a minute ends its datapoint can be evaluated.
pub const PUBLISH_DELAY_SECONDS: i64 = 60;
/// SNS e-mail delivery.
pub const MAIL_DELAY_SECONDS: i64 = 20;
pub const ALB_NAME: &str = "raisetech-alb";
pub const TARGET_GROUP_NAME: &str = "raisetech-tg";

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
    pub target_healthy: bool,
    /// Consecutive health-check results that disagree with the current health.
    pub streak: u32,
    pub next_check: DateTime<Utc>,
    /// `(from, healthy)`: the target's health over time.
    pub health_log: Vec<(DateTime<Utc>, bool)>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SimTopic {
    pub arn: String,
    pub name: String,
    pub tags: Vec<(String, String)>,
    pub settings: TopicSettings,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SimSubscription {
    pub arn: String,
    pub topic_arn: String,
    pub endpoint: String,
    pub confirmed: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SimAlarm {
    pub info: AlarmInfo,
    pub tags: Vec<(String, String)>,
    pub created_at: DateTime<Utc>,
    pub history: Vec<HistoryItem>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Mail {
    pub at: DateTime<Utc>,
    pub to: String,
    pub subject: String,
    pub body: String,
    pub kind: String,
}

fn hex(seed: u64, label: &str, len: usize) -> String {
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

pub fn region_name(region: &str) -> &'static str {
    match region {
        "ap-northeast-1" => "Asia Pacific (Tokyo)",
        "ap-northeast-3" => "Asia Pacific (Osaka)",
        "us-east-1" => "US East (N. Virginia)",
        "us-west-2" => "US West (Oregon)",
        "ap-southeast-1" => "Asia Pacific (Singapore)",
        "eu-west-1" => "Europe (Ireland)",
        _ => "the selected",
    }
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
                health_check: HealthCheck::default(),
                app_running: true,
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
        let alb = &mut self.alb;
        alb.next_check = at + Duration::seconds(alb.health_check.interval_seconds as i64);
        if alb.app_running == alb.target_healthy {
            alb.streak = 0;
            return;
        }
        alb.streak += 1;
        let needed = if alb.app_running {
            alb.health_check.healthy_threshold
        } else {
            alb.health_check.unhealthy_threshold
        };
        if alb.streak >= needed {
            alb.target_healthy = alb.app_running;
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
            points.push(Datapoint {
                timestamp: from,
                value: self.healthy_host_count(from, period, &spec.statistic),
            });
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

    pub fn target_health(&self) -> TargetHealth {
        let (state, reason) = if self.alb.target_healthy {
            ("healthy", None)
        } else {
            ("unhealthy", Some("Target.ResponseCodeMismatch".to_string()))
        };
        TargetHealth {
            id: self.alb.instance_id.clone(),
            port: Some(80),
            state: state.into(),
            reason,
        }
    }

    /// What a GET of the ALB's DNS name answers: nginx's 502 while Unicorn is down.
    pub fn http_status(&self) -> u16 {
        if self.alb.app_running { 200 } else { 502 }
    }

    // ---- SNS -------------------------------------------------------------------------------

    pub fn create_topic(
        &mut self,
        world: &WorldFacts,
        name: &str,
        tags: &[(String, String)],
    ) -> Topic {
        let arn = format!("arn:aws:sns:{}:{}:{name}", world.region, world.account);
        if !self.topics.iter().any(|t| t.arn == arn) {
            let policy = json!({"Version": "2008-10-17", "Id": "__default_policy_ID", "Statement": [{
                "Sid": "__default_statement_ID", "Effect": "Allow", "Principal": {"AWS": "*"},
                "Action": ["SNS:GetTopicAttributes", "SNS:SetTopicAttributes", "SNS:AddPermission",
                           "SNS:RemovePermission", "SNS:DeleteTopic", "SNS:Subscribe",
                           "SNS:ListSubscriptionsByTopic", "SNS:Publish"],
                "Resource": arn, "Condition": {"StringEquals": {"AWS:SourceOwner": world.account}}}]});
            self.topics.push(SimTopic {
                arn: arn.clone(),
                name: name.into(),
                tags: tags.to_vec(),
                settings: TopicSettings {
                    policy: Some(policy.to_string()),
                    kms_key: None,
                },
            });
        }
        Topic {
            arn,
            name: name.into(),
        }
    }

    pub fn subscriptions_of(&self, topic_arn: &str) -> Vec<Subscription> {
        self.subscriptions
            .iter()
            .filter(|s| s.topic_arn == topic_arn)
            .map(|s| Subscription {
                arn: if s.confirmed {
                    s.arn.clone()
                } else {
                    PENDING.into()
                },
                protocol: "email".into(),
                endpoint: s.endpoint.clone(),
            })
            .collect()
    }

    pub fn subscribe(&mut self, world: &WorldFacts, topic_arn: &str, email: &str) -> String {
        if let Some(existing) = self
            .subscriptions
            .iter()
            .find(|s| s.topic_arn == topic_arn && s.endpoint.eq_ignore_ascii_case(email))
        {
            return existing.arn.clone();
        }
        let serial = self.next_serial();
        let arn = format!(
            "{topic_arn}:{}-{}-{}-{}-{}",
            hex(world.seed + serial, "sub1", 8),
            hex(world.seed + serial, "sub2", 4),
            hex(world.seed + serial, "sub3", 4),
            hex(world.seed + serial, "sub4", 4),
            hex(world.seed + serial, "sub5", 12)
        );
        self.subscriptions.push(SimSubscription {
            arn: arn.clone(),
            topic_arn: topic_arn.into(),
            endpoint: email.into(),
            confirmed: false,
        });
        let topic_name = topic_arn.rsplit(':').next().unwrap_or(topic_arn);
        let token = hex(world.seed + serial, "token", 64);
        self.outbox.push(Mail {
            at: world.now + Duration::seconds(MAIL_DELAY_SECONDS),
            to: email.into(),
            subject: "AWS Notification - Subscription Confirmation".into(),
            body: format!(
                "You have chosen to subscribe to the topic: \n{topic_arn}\n\nTo confirm this subscription, click or visit the link below (If this was in error no action is necessary): \nConfirm subscription: https://sns.{region}.amazonaws.com/confirmation.html?TopicArn={topic_arn}&Token={token}&Endpoint={email}\n\nPlease do not reply directly to this email. If you wish to remove yourself from receiving all future SNS subscription confirmation requests please send an email to sns-opt-out\n",
                region = world.region
            ),
            kind: format!("confirmation-{topic_name}"),
        });
        arn
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

/// The mail SNS sends for an alarm's state change, as it looks in a mailbox.
fn alarm_mail(
    world: &WorldFacts,
    info: &AlarmInfo,
    old: &str,
    at: DateTime<Utc>,
    subscription: &SimSubscription,
) -> Mail {
    let spec = &info.spec;
    let region = &world.region;
    let place = region_name(region);
    let when = at.format("%A %d %B, %Y %H:%M:%S UTC");
    let name = &spec.name;
    let state = &info.state;
    let dims: Vec<String> = spec
        .dimensions
        .iter()
        .map(|(n, v)| format!("[{n} = {v}]"))
        .collect();
    let list = |arns: &[String]| arns.join(",");
    let body = format!(
        "You are receiving this email because your Amazon CloudWatch Alarm \"{name}\" in the {place} region has entered the {state} state, because \"{reason}\" at \"{when}\".\n\n\
View this alarm in the AWS Management Console:\nhttps://{region}.console.aws.amazon.com/cloudwatch/deeplink.js?region={region}#alarmsV2:alarm/{name}\n\n\
Alarm Details:\n\
- Name:                       {name}\n\
- Description:                {description}\n\
- State Change:               {old} -> {state}\n\
- Reason for State Change:    {reason}\n\
- Timestamp:                  {when}\n\
- AWS Account:                {account}\n\
- Alarm Arn:                  {arn}\n\n\
Threshold:\n\
- The alarm is in the ALARM state when the metric is {comparison} {threshold:.1} for at least {m} of the last {n} period(s) of {period} seconds.\n\n\
Monitored Metric:\n\
- MetricNamespace:                     {namespace}\n\
- MetricName:                          {metric}\n\
- Dimensions:                          {dims}\n\
- Period:                              {period} seconds\n\
- Statistic:                           {statistic}\n\
- Unit:                                not specified\n\
- TreatMissingData:                    {missing}\n\n\n\
State Change Actions:\n\
- OK: [{ok}]\n\
- ALARM: [{alarm}]\n\
- INSUFFICIENT_DATA:\n\n\n\
--\nIf you wish to stop receiving notifications from this topic, please click or visit the link below to unsubscribe:\nhttps://sns.{region}.amazonaws.com/unsubscribe.html?SubscriptionArn={sub}&Endpoint={to}\n\n\
Please do not reply directly to this email. If you have any questions or comments regarding this email, please contact us at https://aws.amazon.com/support\n",
        reason = info.state_reason,
        description = spec.description,
        account = world.account,
        arn = info.arn,
        comparison = spec.comparison,
        threshold = spec.threshold,
        m = spec.datapoints_to_alarm,
        n = spec.evaluation_periods,
        period = spec.period,
        namespace = spec.namespace,
        metric = spec.metric,
        dims = dims.join(" "),
        statistic = spec.statistic,
        missing = spec.treat_missing_data,
        ok = list(&spec.ok_actions),
        alarm = list(&spec.alarm_actions),
        sub = subscription.arn,
        to = subscription.endpoint,
    );
    Mail {
        at: at + Duration::seconds(MAIL_DELAY_SECONDS),
        to: subscription.endpoint.clone(),
        subject: format!("{state}: \"{name}\" in {place}"),
        body,
        kind: format!("{}-{name}", state.to_ascii_lowercase()),
    }
}

impl Mail {
    /// The file as a mail client would save it (`.eml`).
    pub fn render(&self) -> String {
        format!(
            "From: \"AWS Notifications\" <no-reply@sns.amazonaws.com>\nTo: {}\nDate: {}\nSubject: {}\nContent-Type: text/plain; charset=UTF-8\n\n{}",
            self.to,
            self.at.to_rfc2822(),
            self.subject,
            self.body
        )
    }

    pub fn file_name(&self) -> String {
        format!("{}-{}.eml", self.at.format("%Y%m%dT%H%M%SZ"), self.kind)
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
