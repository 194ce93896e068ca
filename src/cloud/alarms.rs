//! CloudWatch alarms as the alarm and transitions steps need them: put (create or overwrite) an
//! alarm, read it back as AWS holds it, force its state to test the mail path, read its history
//! (exact transition times) and the metric behind it.

use super::CloudError;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// An alarm's configuration, in `PutMetricAlarm`'s terms.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AlarmSpec {
    pub name: String,
    pub description: String,
    pub namespace: String,
    pub metric: String,
    pub statistic: String,
    /// `(name, value)`, e.g. `("LoadBalancer", "app/raisetech-alb/…")`.
    pub dimensions: Vec<(String, String)>,
    pub period: u32,
    pub evaluation_periods: u32,
    pub datapoints_to_alarm: u32,
    pub threshold: f64,
    /// `LessThanThreshold`, `GreaterThanOrEqualToThreshold`, …
    pub comparison: String,
    /// `breaching`, `notBreaching`, `ignore`, `missing`.
    pub treat_missing_data: String,
    pub alarm_actions: Vec<String>,
    pub ok_actions: Vec<String>,
}

impl AlarmSpec {
    /// Whether `value` is on the alarming side of the threshold.
    pub fn breaches(&self, value: f64) -> bool {
        match self.comparison.as_str() {
            "LessThanThreshold" => value < self.threshold,
            "LessThanOrEqualToThreshold" => value <= self.threshold,
            "GreaterThanThreshold" => value > self.threshold,
            _ => value >= self.threshold,
        }
    }

    pub fn comparison_symbol(&self) -> &'static str {
        match self.comparison.as_str() {
            "LessThanThreshold" => "<",
            "LessThanOrEqualToThreshold" => "<=",
            "GreaterThanThreshold" => ">",
            _ => ">=",
        }
    }
}

/// An alarm as `DescribeAlarms` returns it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AlarmInfo {
    pub arn: String,
    pub spec: AlarmSpec,
    pub actions_enabled: bool,
    /// `OK`, `ALARM`, `INSUFFICIENT_DATA`.
    pub state: String,
    pub state_reason: String,
    pub state_updated: Option<DateTime<Utc>>,
    pub configuration_updated: Option<DateTime<Utc>>,
}

/// One `DescribeAlarmHistory` item.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HistoryItem {
    pub timestamp: DateTime<Utc>,
    /// `StateUpdate`, `ConfigurationUpdate`, `Action`.
    pub kind: String,
    pub summary: String,
    /// `HistoryData`, a JSON text.
    pub data: String,
}

impl HistoryItem {
    /// `(old, new)` state of a `StateUpdate` item.
    pub fn states(&self) -> Option<(String, String)> {
        let data: serde_json::Value = serde_json::from_str(&self.data).ok()?;
        Some((
            data["oldState"]["stateValue"].as_str()?.to_string(),
            data["newState"]["stateValue"].as_str()?.to_string(),
        ))
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Datapoint {
    pub timestamp: DateTime<Utc>,
    pub value: f64,
}

pub trait Alarms: Send + Sync {
    /// `PutMetricAlarm` (creates, or overwrites the alarm of that name), tagged.
    fn put_alarm(
        &self,
        region: &str,
        spec: &AlarmSpec,
        tags: &[(String, String)],
    ) -> Result<(), CloudError>;
    /// `DescribeAlarms` for one name.
    fn describe_alarm(&self, region: &str, name: &str) -> Result<Option<AlarmInfo>, CloudError>;
    /// `ListTagsForResource` for an alarm's ARN: how lecture06 tells an alarm it made (tagged
    /// `created-by = lecture06`) from someone else's.
    fn alarm_tags(&self, region: &str, arn: &str) -> Result<Vec<(String, String)>, CloudError>;
    /// `SetAlarmState`.
    fn set_alarm_state(
        &self,
        region: &str,
        name: &str,
        state: &str,
        reason: &str,
    ) -> Result<(), CloudError>;
    /// `DeleteAlarms` for one name.
    fn delete_alarm(&self, region: &str, name: &str) -> Result<(), CloudError>;
    /// The names of the Region's metric alarms that carry the tag `(key, value)`
    /// (`DescribeAlarms`, then `ListTagsForResource` for each): how `cleanup` finds what lecture06
    /// made when its list is lost.
    fn alarms_tagged(&self, region: &str, tag: (&str, &str)) -> Result<Vec<String>, CloudError>;
    /// `DescribeAlarmHistory`, oldest first, between `start` and `end`.
    fn history(
        &self,
        region: &str,
        name: &str,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> Result<Vec<HistoryItem>, CloudError>;
    /// `GetMetricData` for the alarm's metric, statistic and period, oldest first.
    fn metric_data(
        &self,
        region: &str,
        spec: &AlarmSpec,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> Result<Vec<Datapoint>, CloudError>;
}
