//! The step's evidence (`timeline.json`): the moments, the changes seen, the alarm's history and
//! datapoints, and what the status line, the report section and its chart make of them, with the
//! reason the delay is minutes and not the one-minute period, computed from the actual settings.

use super::watch::{Change, Observation, PUBLICATION_SECONDS};
use crate::clock::{duration, jst, utc};
use crate::cloud::alarm_mail::AlarmMail;
use crate::cloud::alarms::{Datapoint, HistoryItem};
use crate::cloud::elb::HealthCheck;
use crate::cloud::student::ServerProcess;
use crate::i18n::Lang;
use crate::t;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Moments {
    pub stopped_at: DateTime<Utc>,
    pub first_5xx_at: Option<DateTime<Utc>>,
    pub target_unhealthy_at: Option<DateTime<Utc>>,
    pub alarm_at: Option<DateTime<Utc>>,
    pub alarm_mail_at: Option<DateTime<Utc>>,
    pub started_at: Option<DateTime<Utc>>,
    pub target_healthy_at: Option<DateTime<Utc>>,
    pub ok_at: Option<DateTime<Utc>>,
    pub ok_mail_at: Option<DateTime<Utc>>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TransitionsEvidence {
    pub region: String,
    pub alarm_name: String,
    pub url: String,
    pub method: String,
    /// What was stopped and started (absent in evidence from before the choice: Unicorn).
    #[serde(default)]
    pub process: ServerProcess,
    pub before: Observation,
    pub moments: Moments,
    pub changes: Vec<Change>,
    pub history: Vec<HistoryItem>,
    pub datapoints: Vec<Datapoint>,
    pub health_check: HealthCheck,
    /// What the health-check preflight saw (absent in evidence from before it existed).
    #[serde(default)]
    pub preflight: Option<super::Preflight>,
    pub period: u32,
    pub evaluation_periods: u32,
    pub datapoints_to_alarm: u32,
    pub treat_missing_data: String,
    /// The ALARM and OK mails' key lines, and where they were read (`mailbox` or `history`).
    #[serde(default)]
    pub mails: Vec<AlarmMail>,
    #[serde(default)]
    pub mails_from: String,
    /// Looks made while watching (each: DescribeTargetHealth + DescribeAlarms + one HTTP GET).
    pub polls: u32,
    pub throttled: u32,
    pub captured_at: DateTime<Utc>,
}

pub fn delay(from: DateTime<Utc>, to: Option<DateTime<Utc>>) -> Option<i64> {
    to.map(|t| (t - from).num_seconds())
}

/// Why minutes: each part of the delay as a numbered line (`1. …`, an ordered list in the
/// report), from the actual settings, and last, unnumbered, what was expected and measured.
pub fn explanation(e: &TransitionsEvidence, lang: Lang) -> Vec<String> {
    let hc = &e.health_check;
    let checks = i64::from(hc.interval_seconds) * i64::from(hc.unhealthy_threshold);
    let heal = i64::from(hc.interval_seconds) * i64::from(hc.healthy_threshold);
    let period = i64::from(e.period);
    let m = e.datapoints_to_alarm;
    let n = e.evaluation_periods;
    let low = i64::from(hc.interval_seconds) * i64::from(hc.unhealthy_threshold.saturating_sub(1))
        + period * i64::from(m)
        + PUBLICATION_SECONDS;
    let high = checks + period * i64::from(m) + PUBLICATION_SECONDS + 60;
    let measured_seconds = delay(e.moments.stopped_at, e.moments.alarm_at);
    let measured = measured_seconds
        .map(|s| duration(lang, s))
        .unwrap_or_else(|| "-".into());
    let mut lines = vec![
        t!(
            lang,
            "1. Health checks: every {} s, unhealthy after {} failures → up to {} after the stop before the target is unhealthy.",
            "1. ヘルスチェック: {} 秒ごと、{} 回連続失敗で unhealthy → 停止からターゲットが unhealthy になるまで最大 {}。",
            hc.interval_seconds,
            hc.unhealthy_threshold,
            duration(lang, checks)
        ),
        t!(
            lang,
            "2. The datapoint: HealthyHostCount is one value per {period} s; the minute in which the target turned unhealthy must end ({m} of {n} breaching period(s) needed).",
            "2. データポイント: HealthyHostCount は {period} 秒ごとに 1 つ。unhealthy になった分が終わるまで値は確定しません（{n} 期間中 {m} 期間の超過が必要）。"
        ),
        t!(
            lang,
            "3. Publication and evaluation: the value arrives in CloudWatch about {PUBLICATION_SECONDS} s after its minute, and the alarm is evaluated once a minute.",
            "3. 発行と評価: 値が CloudWatch に届くのは約 {PUBLICATION_SECONDS} 秒後、アラームの評価は 1 分ごとです。"
        ),
        t!(
            lang,
            "Expected stop → ALARM: about {} to {}; measured: {measured}. Back to OK takes longer: {} healthy checks ({}) and then a whole healthy period.",
            "停止→ALARM の予想: 約 {}〜{}。実測: {measured}。OK に戻るのはさらに遅く、正常判定まで {} 回（{}）のチェックと、その後まるごと正常な 1 期間が必要です。",
            duration(lang, low),
            duration(lang, high),
            hc.healthy_threshold,
            duration(lang, heal)
        ),
    ];
    lines.extend(
        measured_seconds.and_then(|s| outside_the_prediction(s, low, high, e.period, lang)),
    );
    lines
}

/// Why a measured stop → ALARM delay fell outside the predicted range, when it did.
fn outside_the_prediction(
    measured: i64,
    low: i64,
    high: i64,
    period: u32,
    lang: Lang,
) -> Option<String> {
    if measured < low {
        Some(t!(
            lang,
            "Faster than predicted: the stop was probably recorded after it really happened (the moment is when you answered, or when the command returned), or the health check had already failed once before it: a check falls anywhere in its interval.",
            "予想より早く ALARM になりました。停止の時刻が実際より後に記録された（記録されるのは回答した時刻、またはコマンドが戻った時刻です）か、停止の前にヘルスチェックが一度失敗していた可能性があります。チェックは間隔の中のどの時点でも行われます。"
        ))
    } else if measured > high {
        Some(t!(
            lang,
            "Slower than predicted: ALB datapoints sometimes reach CloudWatch a minute or two late, and a {period} s period waits for its whole minute. If it happens every time, check that the stop really took effect at the recorded moment.",
            "予想より遅く ALARM になりました。ALB のデータポイントが CloudWatch に 1〜2 分遅れて届くことがあり、{period} 秒の期間はその分がまるごと終わるのを待ちます。毎回そうなるなら、記録した時刻に本当に停止したか確認してください。"
        ))
    } else {
        None
    }
}

/// The evidence as `status` shows it: a few key lines.
pub fn summary_lines(e: &TransitionsEvidence, lang: Lang) -> Vec<String> {
    let name = e.process.name(lang);
    let m = &e.moments;
    let d = |to: Option<DateTime<Utc>>, from: DateTime<Utc>| {
        delay(from, to)
            .map(|s| duration(lang, s))
            .unwrap_or_else(|| "-".into())
    };
    let mut lines = vec![t!(
        lang,
        "{name} stopped {} → ALARM {} ({})",
        "{name} 停止 {} → ALARM {}（{}）",
        jst(m.stopped_at),
        m.alarm_at.map(jst).unwrap_or_default(),
        d(m.alarm_at, m.stopped_at)
    )];
    if let Some(started) = m.started_at {
        lines.push(t!(
            lang,
            "{name} started {} → OK {} ({})",
            "{name} 起動 {} → OK {}（{}）",
            jst(started),
            m.ok_at.map(jst).unwrap_or_default(),
            d(m.ok_at, started)
        ));
    }
    lines.push(t!(
        lang,
        "{} looks ({} AWS calls), {} throttled",
        "確認 {} 回（AWS 呼び出し {} 回）、スロットリング {} 回",
        e.polls,
        e.polls * 2,
        e.throttled
    ));
    lines
}

/// The timeline rows: each moment with JST, UTC and the delay from its cause.
pub fn timeline(e: &TransitionsEvidence, lang: Lang) -> Vec<Value> {
    let m = &e.moments;
    let stop = m.stopped_at;
    let start = m.started_at;
    let mut rows = Vec::new();
    let mut push = |label: &str, at: Option<DateTime<Utc>>, from: Option<DateTime<Utc>>| {
        if let Some(at) = at {
            rows.push(json!({
                "event": label,
                "jst": jst(at),
                "utc": utc(at),
                "delay": from.map(|f| duration(lang, (at - f).num_seconds())).unwrap_or_default(),
            }));
        }
    };
    push(&stopped_label(e.process, lang), Some(stop), None);
    push(
        lang.pick("First 5xx through the ALB", "ALB 経由で最初の 5xx"),
        m.first_5xx_at,
        Some(stop),
    );
    push(
        lang.pick("Target unhealthy", "ターゲット unhealthy"),
        m.target_unhealthy_at,
        Some(stop),
    );
    push(
        lang.pick("Alarm → ALARM", "アラーム → ALARM"),
        m.alarm_at,
        Some(stop),
    );
    push(
        lang.pick("ALARM mail arrived", "ALARM メール到着"),
        m.alarm_mail_at,
        Some(stop),
    );
    push(&started_label(e.process, lang), start, None);
    push(
        lang.pick("Target healthy", "ターゲット healthy"),
        m.target_healthy_at,
        start,
    );
    push(lang.pick("Alarm → OK", "アラーム → OK"), m.ok_at, start);
    push(
        lang.pick("OK mail arrived", "OK メール到着"),
        m.ok_mail_at,
        start,
    );
    rows
}

/// The health-check preflight as the report tells it: the path checked, who answered, the change.
pub fn preflight_context(p: &super::Preflight, lang: Lang) -> Value {
    use super::health::Answerer;
    let hc = &p.health_check;
    let answered = match p.answered_by {
        Answerer::Rails => lang.pick(
            "Rails answered it (X-Request-Id), so stopping Unicorn fails the health check",
            "Rails が応答（X-Request-Id）。Unicorn を止めるとヘルスチェックは失敗します",
        ),
        Answerer::StaticFile => lang.pick(
            "Nginx served it as a file (no X-Request-Id): the health check cannot see Unicorn",
            "Nginx がファイルとして返しました（X-Request-Id なし）。ヘルスチェックから Unicorn は見えません",
        ),
        Answerer::Unknown => lang.pick("who answered could not be told", "誰が応答したか判断できませんでした"),
    };
    json!({
        "path": hc.path,
        "settings": t!(
            lang,
            "{} {} on port {}, success codes {}, every {} s, unhealthy after {} failures, healthy after {} successes",
            "{} {}（ポート {}）、成功コード {}、{} 秒ごと、{} 回失敗で unhealthy、{} 回成功で healthy",
            hc.protocol, hc.path, hc.port, hc.matcher, hc.interval_seconds, hc.unhealthy_threshold, hc.healthy_threshold
        ),
        "answered": answered,
        "status": p.status.map_or_else(|| "-".to_string(), |s| s.to_string()),
        "changed_from": p.changed_from,
    })
}

/// How the student stopped and started the server, as the report says it in the first person.
pub fn method_words(method: &str, lang: Lang) -> String {
    match method {
        "ssh" => lang.pick("over SSH", "SSH 経由").into(),
        "ssm" => lang
            .pick("through SSM Run Command", "SSM Run Command 経由")
            .into(),
        "manual" => lang
            .pick(
                "by hand, running the commands on the instance myself",
                "手動: インスタンスで自分でコマンドを実行",
            )
            .into(),
        other => other.to_string(),
    }
}

/// The chart's marks for the `SetAlarmState` mail test of the alarm step: its ALARM band comes
/// before anything was stopped and would otherwise read as an unexplained ALARM. Told from the
/// history by the reason lecture06 gives `SetAlarmState` (`steps::alarm::act`).
pub fn mail_test_marks(e: &TransitionsEvidence, lang: Lang) -> Vec<crate::timeline::Mark> {
    e.history
        .iter()
        .filter(|h| h.kind == "StateUpdate" && h.timestamp < e.moments.stopped_at)
        .filter(|h| {
            let data: Value = serde_json::from_str(&h.data).unwrap_or_default();
            data["newState"]["stateValue"] == "ALARM"
                && data["newState"]["stateReason"]
                    .as_str()
                    .is_some_and(|r| r.contains("SetAlarmState"))
        })
        .map(|h| crate::timeline::Mark {
            at: h.timestamp,
            label: lang
                .pick("mail test (SetAlarmState)", "テストメール（SetAlarmState）")
                .into(),
        })
        .collect()
}

/// "Unicorn stopped", "Nginx stopped", "The instance stopped" (timeline rows and chart marks).
pub fn stopped_label(process: ServerProcess, lang: Lang) -> String {
    let name = process.name(lang);
    t!(lang, "{name} stopped", "{name} 停止")
}

pub fn started_label(process: ServerProcess, lang: Lang) -> String {
    let name = process.name(lang);
    t!(lang, "{name} started", "{name} 起動")
}

/// The mails as the report quotes them, each beside the arrival time the student gave.
pub fn mails_context(e: &TransitionsEvidence, lang: Lang) -> Value {
    let arrived = |state: &str| match state {
        "ALARM" => e.moments.alarm_mail_at,
        "OK" => e.moments.ok_mail_at,
        _ => None,
    };
    json!({
        "from": match e.mails_from.as_str() {
            "mailbox" => lang.pick("read from the mails themselves", "受信したメールから読み取り"),
            _ => lang.pick("rebuilt from the alarm history (DescribeAlarmHistory)", "アラーム履歴（DescribeAlarmHistory）から再構成"),
        },
        "list": e.mails.iter().map(|m| json!({
            "subject": m.subject,
            "state_change": m.state_change,
            "reason": m.reason,
            "timestamp": m.timestamp,
            "arrived": arrived(&m.state).map(jst).unwrap_or_else(|| "-".into()),
        })).collect::<Vec<_>>(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_delay_outside_the_prediction_is_explained_and_one_inside_is_not() {
        assert!(outside_the_prediction(150, 120, 240, 60, Lang::En).is_none());
        let fast = outside_the_prediction(90, 120, 240, 60, Lang::Ja).unwrap();
        assert!(fast.starts_with("予想より早く"), "{fast}");
        let slow = outside_the_prediction(300, 120, 240, 60, Lang::En).unwrap();
        assert!(
            slow.starts_with("Slower than predicted") && slow.contains("60 s"),
            "{slow}"
        );
    }
}
