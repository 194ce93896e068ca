//! The key lines of the mail CloudWatch sends through SNS when an alarm changes state — subject
//! `ALARM: "<name>" in <Region name>`, "State Change", "Reason for State Change", "Timestamp" —
//! in one place: the sandbox writes its mails with them, and the transitions step rebuilds them
//! for the report from the alarm history (`DescribeAlarmHistory`) or reads them from a mail file.

use super::alarms::HistoryItem;
use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};

/// What the report quotes of one alarm mail.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AlarmMail {
    pub subject: String,
    /// `OK -> ALARM`.
    pub state_change: String,
    pub reason: String,
    /// As the mail prints it: `Saturday 21 November, 2026 01:02:00 UTC`.
    pub timestamp: String,
    pub at: DateTime<Utc>,
    /// The new state (`ALARM` or `OK`).
    pub state: String,
}

/// The Region's name as CloudWatch's mails write it ("in the Asia Pacific (Tokyo) region").
pub fn region_name(region: &str) -> &'static str {
    match region {
        "ap-northeast-1" => "Asia Pacific (Tokyo)",
        "ap-northeast-3" => "Asia Pacific (Osaka)",
        "us-east-1" => "US East (N. Virginia)",
        "us-west-2" => "US West (Oregon)",
        "ap-southeast-1" => "Asia Pacific (Singapore)",
        "ap-southeast-2" => "Asia Pacific (Sydney)",
        "eu-west-1" => "Europe (Ireland)",
        _ => "the selected",
    }
}

const TIMESTAMP: &str = "%A %d %B, %Y %H:%M:%S UTC";

impl AlarmMail {
    pub fn new(
        alarm: &str,
        region: &str,
        old: &str,
        new: &str,
        reason: &str,
        at: DateTime<Utc>,
    ) -> AlarmMail {
        AlarmMail {
            subject: format!("{new}: \"{alarm}\" in {}", region_name(region)),
            state_change: format!("{old} -> {new}"),
            reason: reason.to_string(),
            timestamp: at.format(TIMESTAMP).to_string(),
            at,
            state: new.to_string(),
        }
    }

    /// The mail a `StateUpdate` into ALARM or OK sent (`None` for other items and states: no
    /// mail goes out for INSUFFICIENT_DATA unless it has actions, which the course's alarm has not).
    pub fn from_history(item: &HistoryItem, alarm: &str, region: &str) -> Option<AlarmMail> {
        if item.kind != "StateUpdate" {
            return None;
        }
        let data: serde_json::Value = serde_json::from_str(&item.data).ok()?;
        let old = data["oldState"]["stateValue"].as_str()?;
        let new = data["newState"]["stateValue"].as_str()?;
        if !matches!(new, "ALARM" | "OK") {
            return None;
        }
        let reason = data["newState"]["stateReason"].as_str().unwrap_or_default();
        // The mail's timestamp has whole seconds.
        let at = DateTime::from_timestamp(item.timestamp.timestamp(), 0)?;
        Some(AlarmMail::new(alarm, region, old, new, reason, at))
    }

    /// The lines read back from a mail as a mail client saves it.
    pub fn from_mail_text(text: &str) -> Option<AlarmMail> {
        let field = |prefix: &str| {
            text.lines()
                .find_map(|l| l.trim_start().strip_prefix(prefix))
                .map(|v| v.trim().to_string())
        };
        let subject = field("Subject:")?;
        let state_change = field("- State Change:")?;
        let reason = field("- Reason for State Change:")?;
        let timestamp = field("- Timestamp:")?;
        let at = NaiveDateTime::parse_from_str(&timestamp, TIMESTAMP)
            .ok()?
            .and_utc();
        let state = state_change.rsplit("->").next()?.trim().to_string();
        Some(AlarmMail {
            subject,
            state_change,
            reason,
            timestamp,
            at,
            state,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The aws-cli documentation's DescribeAlarmHistory output (tests/data/SOURCES.md).
    const AWSCLI_HISTORY: &str = include_str!(
        "../../tests/data/aws/cloudwatch/DescribeAlarmHistory__awscli-example-stateupdate.json"
    );

    fn items() -> Vec<HistoryItem> {
        let body: serde_json::Value = serde_json::from_str(AWSCLI_HISTORY).unwrap();
        body["AlarmHistoryItems"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| HistoryItem {
                timestamp: crate::clock::parse_time(i["Timestamp"].as_str().unwrap()).unwrap(),
                kind: i["HistoryItemType"].as_str().unwrap().into(),
                summary: i["HistorySummary"].as_str().unwrap().into(),
                data: i["HistoryData"].as_str().unwrap().into(),
            })
            .collect()
    }

    #[test]
    fn the_mail_lines_are_rebuilt_from_a_real_history() {
        let mails: Vec<AlarmMail> = items()
            .iter()
            .filter_map(|i| AlarmMail::from_history(i, "myalarm", "ap-northeast-1"))
            .collect();
        assert_eq!(mails.len(), 2);
        // Newest first, as DescribeAlarmHistory answers: ALARM -> OK at 18:59:06.442Z.
        let ok = &mails[0];
        assert_eq!(ok.subject, "OK: \"myalarm\" in Asia Pacific (Tokyo)");
        assert_eq!(ok.state_change, "ALARM -> OK");
        assert_eq!(
            ok.reason,
            "Threshold Crossed: 2 datapoints were not greater than the threshold (70.0). The most recent datapoints: [38.958, 40.292]."
        );
        assert_eq!(ok.timestamp, "Wednesday 09 April, 2014 18:59:06 UTC");
        let alarm = &mails[1];
        assert_eq!(alarm.subject, "ALARM: \"myalarm\" in Asia Pacific (Tokyo)");
        assert_eq!(alarm.state_change, "OK -> ALARM");
        assert_eq!(alarm.reason, "testing purposes");
        assert_eq!(alarm.timestamp, "Wednesday 09 April, 2014 18:59:05 UTC");
    }

    #[test]
    fn the_lines_read_back_from_a_mail_file() {
        let text = "From: \"AWS Notifications\" <no-reply@sns.amazonaws.com>\nSubject: ALARM: \"web-unhealthy\" in Asia Pacific (Tokyo)\n\nAlarm Details:\n- Name:                       web-unhealthy\n- State Change:               OK -> ALARM\n- Reason for State Change:    Threshold Crossed: 1 out of the last 1 datapoints [0.0 (21/11/26 01:01:00)] was less than the threshold (1.0).\n- Timestamp:                  Saturday 21 November, 2026 01:03:00 UTC\n";
        let mail = AlarmMail::from_mail_text(text).unwrap();
        assert_eq!(
            mail.subject,
            "ALARM: \"web-unhealthy\" in Asia Pacific (Tokyo)"
        );
        assert_eq!(mail.state, "ALARM");
        assert_eq!(
            mail.at,
            crate::clock::parse_time("2026-11-21T01:03:00Z").unwrap()
        );
        assert!(mail.reason.starts_with("Threshold Crossed: 1 out of"));
        assert_eq!(AlarmMail::from_mail_text("Subject: hello\n"), None);
    }
}
