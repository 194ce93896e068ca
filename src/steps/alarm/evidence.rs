//! What the alarm step leaves behind: the evidence saved in the state (ALB, topic, subscription,
//! the alarm as AWS holds it, the mail test), its summary lines and the facts its report section
//! renders.

use super::settings::settings_line;
use crate::clock::{jst, utc};
use crate::cloud::alarms::AlarmInfo;
use crate::cloud::elb::{LoadBalancer, TargetGroup};
use crate::cloud::notify::Topic;
use crate::i18n::Lang;
use crate::t;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AlarmEvidence {
    pub region: String,
    pub load_balancer: LoadBalancer,
    pub target_group: TargetGroup,
    pub topic: Topic,
    pub subscription: SubscriptionEvidence,
    /// The alarm as `DescribeAlarms` returned it after the step.
    pub alarm: AlarmInfo,
    pub test: Option<MailTest>,
    pub captured_at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SubscriptionEvidence {
    pub arn: String,
    pub endpoint: String,
    pub confirmed: bool,
    pub confirmed_at: Option<DateTime<Utc>>,
    /// How long the student took to click the link, in seconds.
    pub waited_seconds: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MailTest {
    pub alarm_set_at: DateTime<Utc>,
    pub ok_set_at: DateTime<Utc>,
    pub mail_arrived: bool,
    /// Only where lecture06 can read the mailbox: the mail files delivered for the alarm.
    pub mail_files: Vec<String>,
}

impl AlarmEvidence {
    /// The lines `status` and the end of the step show.
    pub fn summary(&self, lang: Lang) -> Vec<String> {
        let e = self;
        let mut lines = vec![
            t!(
                lang,
                "{} ({}): {} — {}",
                "{}（{}）: {} — {}",
                e.alarm.spec.name,
                e.region,
                settings_line(&e.alarm.spec, lang),
                e.alarm.state
            ),
            t!(
                lang,
                "Topic {} → {} ({})",
                "トピック {} → {}（{}）",
                e.topic.name,
                e.subscription.endpoint,
                if e.subscription.confirmed {
                    lang.pick("confirmed", "確認済み")
                } else {
                    lang.pick("not confirmed", "未確認")
                }
            ),
            format!("ALB {} / {}", e.load_balancer.name, e.target_group.name),
        ];
        if let Some(test) = &e.test {
            lines.push(t!(
                lang,
                "Test mail: ALARM set at {}, mail arrived: {}",
                "テストメール: {} に ALARM、到着: {}",
                jst(test.alarm_set_at),
                if test.mail_arrived {
                    lang.pick("yes", "はい")
                } else {
                    lang.pick("no", "いいえ")
                }
            ));
        }
        lines
    }

    /// The report section's facts (see `report-templates/<lang>/alarm.md`).
    pub fn report_context(&self, lang: Lang) -> Value {
        let e = self;
        let spec = &e.alarm.spec;
        let dims: Vec<String> = spec
            .dimensions
            .iter()
            .map(|(n, v)| format!("{n} = {v}"))
            .collect();
        let rows = vec![
            (lang.pick("Alarm name", "アラーム名"), spec.name.clone()),
            (lang.pick("Region", "リージョン"), e.region.clone()),
            (lang.pick("Namespace", "名前空間"), spec.namespace.clone()),
            (lang.pick("Metric", "メトリクス"), spec.metric.clone()),
            (lang.pick("Dimensions", "ディメンション"), dims.join(", ")),
            (lang.pick("Statistic", "統計"), spec.statistic.clone()),
            (
                lang.pick("Period", "期間"),
                t!(lang, "{} s", "{} 秒", spec.period),
            ),
            (
                lang.pick("Condition", "条件"),
                format!(
                    "{} {} {}",
                    spec.comparison,
                    spec.comparison_symbol(),
                    spec.threshold
                ),
            ),
            (
                lang.pick("Datapoints to alarm", "アラームを実行するデータポイント"),
                format!("{} / {}", spec.datapoints_to_alarm, spec.evaluation_periods),
            ),
            (
                lang.pick("Missing data", "欠落データの処理"),
                spec.treat_missing_data.clone(),
            ),
            (
                lang.pick("ALARM action", "ALARM アクション"),
                spec.alarm_actions.join(", "),
            ),
            (
                lang.pick("OK action", "OK アクション"),
                spec.ok_actions.join(", "),
            ),
            (lang.pick("State", "状態"), e.alarm.state.clone()),
        ];
        json!({
            "region": e.region,
            "load_balancer": e.load_balancer.name,
            "load_balancer_dns": e.load_balancer.dns_name,
            "target_group": e.target_group.name,
            "config": rows.iter().map(|(k, v)| json!({"name": k, "value": v})).collect::<Vec<_>>(),
            "alarm_name": spec.name,
            "alarm_arn": e.alarm.arn,
            "state": e.alarm.state,
            "state_reason": e.alarm.state_reason,
            "topic_name": e.topic.name,
            "topic_arn": e.topic.arn,
            "subscription_arn": e.subscription.arn,
            "endpoint": e.subscription.endpoint,
            "confirmed": e.subscription.confirmed,
            "confirmed_at_jst": e.subscription.confirmed_at.map(jst),
            "test": e.test.as_ref().map(|t| json!({
                "alarm_set_jst": jst(t.alarm_set_at),
                "alarm_set_utc": utc(t.alarm_set_at),
                "ok_set_jst": jst(t.ok_set_at),
                "mail_arrived": t.mail_arrived,
            })),
            "describe_json": serde_json::to_string_pretty(&describe_alarms_shape(&e.alarm)).unwrap_or_default(),
        })
    }
}

/// The alarm in the shape `DescribeAlarms` returns it (`MetricAlarms[0]`, the `MetricAlarm`
/// structure of the CloudWatch API, as `aws cloudwatch describe-alarms` prints it): PascalCase
/// names, dimensions as `{Name, Value}`. Only the members lecture06 keeps are shown; those it
/// does not keep (`InsufficientDataActions`, `StateReasonData`, …) are left out, not made up.
/// https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_MetricAlarm.html
pub fn describe_alarms_shape(alarm: &AlarmInfo) -> Value {
    let spec = &alarm.spec;
    let stamp = |t: Option<DateTime<Utc>>| {
        t.map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
    };
    let mut shape = json!({
        "AlarmName": spec.name,
        "AlarmArn": alarm.arn,
        "AlarmDescription": spec.description,
        "AlarmConfigurationUpdatedTimestamp": stamp(alarm.configuration_updated),
        "ActionsEnabled": alarm.actions_enabled,
        "OKActions": spec.ok_actions,
        "AlarmActions": spec.alarm_actions,
        "StateValue": alarm.state,
        "StateReason": alarm.state_reason,
        "StateUpdatedTimestamp": stamp(alarm.state_updated),
        "MetricName": spec.metric,
        "Namespace": spec.namespace,
        "Statistic": spec.statistic,
        "Dimensions": spec.dimensions.iter().map(|(name, value)| json!({"Name": name, "Value": value})).collect::<Vec<_>>(),
        "Period": spec.period,
        "EvaluationPeriods": spec.evaluation_periods,
        "DatapointsToAlarm": spec.datapoints_to_alarm,
        "Threshold": spec.threshold,
        "ComparisonOperator": spec.comparison,
        "TreatMissingData": spec.treat_missing_data,
    });
    if let Value::Object(members) = &mut shape {
        members.retain(|_, value| !value.is_null());
    }
    shape
}
