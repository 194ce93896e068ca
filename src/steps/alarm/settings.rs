//! The alarm step's pure decisions: the editable settings with their defaults, reasons and
//! checks, the checks on the typed names and the e-mail address, and `PutMetricAlarm`'s
//! parameters as the API names them. Nothing here calls AWS or asks anything.

use super::TAG;
use crate::cloud::alarms::AlarmSpec;
use crate::i18n::Lang;
use crate::t;
use serde_json::{Value, json};

/// A message in English and Japanese.
type Words = (&'static str, &'static str);

/// One editable alarm setting: its answers-file key, its default and why.
pub(super) struct Setting {
    pub(super) key: &'static str,
    pub(super) label: Words,
    pub(super) default: &'static str,
    pub(super) reason: Words,
    pub(super) check: fn(&str) -> Result<(), Words>,
}

fn one_of(options: &'static [&'static str], v: &str, why: Words) -> Result<(), Words> {
    if options.contains(&v) {
        Ok(())
    } else {
        Err(why)
    }
}

fn whole_number_up_to_100(v: &str) -> Result<(), Words> {
    match v.parse::<u32>() {
        Ok(n) if (1..=100).contains(&n) => Ok(()),
        _ => Err((
            "give a whole number from 1 to 100",
            "1 から 100 までの整数を入力してください",
        )),
    }
}

const STATISTICS: &[&str] = &["Minimum", "Maximum", "Average", "Sum", "SampleCount"];
const COMPARISONS: &[&str] = &[
    "LessThanThreshold",
    "LessThanOrEqualToThreshold",
    "GreaterThanThreshold",
    "GreaterThanOrEqualToThreshold",
];
const MISSING: &[&str] = &["breaching", "notBreaching", "ignore", "missing"];

/// The metrics CloudWatch publishes for an Application Load Balancer's target group (the
/// `TargetGroup, LoadBalancer` dimensions this alarm uses), as "CloudWatch metrics for your
/// Application Load Balancer" in the Elastic Load Balancing user guide lists them
/// (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-cloudwatch-metrics.html).
pub const TARGET_GROUP_METRICS: &[&str] = &[
    "AnomalousHostCount",
    "HealthyHostCount",
    "HealthyStateDNS",
    "HealthyStateRouting",
    "HTTPCode_Target_2XX_Count",
    "HTTPCode_Target_3XX_Count",
    "HTTPCode_Target_4XX_Count",
    "HTTPCode_Target_5XX_Count",
    "MitigatedHostCount",
    "RequestCount",
    "RequestCountPerTarget",
    "TargetConnectionErrorCount",
    "TargetResponseTime",
    "TargetTLSNegotiationErrorCount",
    "UnhealthyRoutingRequestCount",
    "UnHealthyHostCount",
    "UnhealthyStateDNS",
    "UnhealthyStateRouting",
];

/// Every editable setting, in the order they are asked.
pub(super) fn settings() -> Vec<Setting> {
    let mut all = what_is_watched();
    all.extend(when_it_alarms());
    all
}

/// The metric, its statistic and period.
fn what_is_watched() -> Vec<Setting> {
    vec![
        Setting {
            key: "metric",
            label: ("Metric", "メトリクス"),
            default: "HealthyHostCount",
            reason: (
                "the number of targets passing health checks: 0 means nobody can be served",
                "ヘルスチェックに合格しているターゲット数。0 ならアプリに届くサーバーがない",
            ),
            check: |v| {
                one_of(
                    TARGET_GROUP_METRICS,
                    v,
                    (
                        "not a metric CloudWatch publishes for a target group: HealthyHostCount or UnHealthyHostCount, for example (names are case-sensitive)",
                        "ターゲットグループについて CloudWatch が発行するメトリクスではありません。例: HealthyHostCount、UnHealthyHostCount（大文字・小文字を区別します）",
                    ),
                )
            },
        },
        Setting {
            key: "statistic",
            label: ("Statistic", "統計"),
            default: "Minimum",
            reason: (
                "the lowest count in the period: one unhealthy moment is enough",
                "期間中の最小値。一瞬でも 0 になれば検知できる",
            ),
            check: |v| {
                one_of(
                    STATISTICS,
                    v,
                    (
                        "give Minimum, Maximum, Average, Sum or SampleCount",
                        "Minimum・Maximum・Average・Sum・SampleCount のいずれかを入力してください",
                    ),
                )
            },
        },
        Setting {
            key: "period",
            label: ("Period (seconds)", "期間（秒）"),
            default: "60",
            reason: (
                "ALB metrics come once a minute; a shorter period has no data",
                "ALB のメトリクスは 1 分ごと。これより短い期間にはデータがない",
            ),
            check: |v| match v.parse::<u32>() {
                Ok(n) if n > 0 && n % 60 == 0 => Ok(()),
                _ => Err((
                    "give a multiple of 60 (60, 120, 300…): ALB metrics are per minute",
                    "60 の倍数（60、120、300 など）を入力してください。ALB のメトリクスは 1 分ごとです。",
                )),
            },
        },
    ]
}

/// When the alarm goes off: the comparison, the threshold, how many periods, missing data.
fn when_it_alarms() -> Vec<Setting> {
    vec![
        Setting {
            key: "comparison",
            label: ("Comparison", "比較演算子"),
            default: "LessThanThreshold",
            reason: (
                "alarm when fewer hosts than the threshold are healthy",
                "正常なホスト数がしきい値より少ないときにアラーム",
            ),
            check: |v| {
                one_of(
                    COMPARISONS,
                    v,
                    (
                        "give LessThanThreshold, LessThanOrEqualToThreshold, GreaterThanThreshold or GreaterThanOrEqualToThreshold",
                        "LessThanThreshold・LessThanOrEqualToThreshold・GreaterThanThreshold・GreaterThanOrEqualToThreshold のいずれかを入力してください",
                    ),
                )
            },
        },
        Setting {
            key: "threshold",
            label: ("Threshold", "しきい値"),
            default: "1",
            reason: (
                "< 1 means no healthy target at all, i.e. Unicorn is down",
                "< 1 は正常なターゲットが 1 台もない＝Unicorn が止まっている状態",
            ),
            check: |v| {
                v.parse::<f64>().map(|_| ()).map_err(|_| {
                    (
                        "give a number, such as 1",
                        "1 のような数値を入力してください",
                    )
                })
            },
        },
        Setting {
            key: "evaluation_periods",
            label: ("Evaluation periods", "評価期間数"),
            default: "1",
            reason: (
                "look at the last period only: the fastest reaction",
                "直近 1 期間だけを見る。最も早く反応する",
            ),
            check: whole_number_up_to_100,
        },
        Setting {
            key: "datapoints_to_alarm",
            label: ("Datapoints to alarm", "アラームを出すデータポイント数"),
            default: "1",
            reason: (
                "one breaching datapoint is enough (M of N, M ≤ evaluation periods)",
                "しきい値を超えたデータポイントが 1 つでアラーム（M/N の M。評価期間数以下）",
            ),
            check: whole_number_up_to_100,
        },
        Setting {
            key: "treat_missing_data",
            label: ("Missing data", "欠落データの扱い"),
            default: "breaching",
            reason: (
                "no data from the ALB is treated as trouble, not as fine",
                "ALB からデータが来ないことも異常として扱う",
            ),
            check: |v| {
                one_of(
                    MISSING,
                    v,
                    (
                        "give breaching, notBreaching, ignore or missing",
                        "breaching・notBreaching・ignore・missing のいずれかを入力してください",
                    ),
                )
            },
        },
    ]
}

/// A typo in the address would send the confirmation nowhere: catch what can be caught.
pub fn check_email(value: &str) -> Result<(), (&'static str, &'static str)> {
    const BAD: (&str, &str) = (
        "an e-mail address looks like name@example.com",
        "メールアドレスは name@example.com のような形式です",
    );
    if value.chars().any(char::is_whitespace) || value.matches('@').count() != 1 {
        return Err(BAD);
    }
    let (local, domain) = value.split_once('@').ok_or(BAD)?;
    let labels: Vec<&str> = domain.split('.').collect();
    let ok = !local.is_empty()
        && local.len() <= 64
        && labels.len() >= 2
        && labels.iter().all(|l| {
            !l.is_empty()
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
        && labels
            .last()
            .is_some_and(|tld| tld.len() >= 2 && tld.chars().all(|c| c.is_ascii_alphabetic()));
    if !ok {
        return Err(BAD);
    }
    let typos = [
        "gmial.com",
        "gmai.com",
        "gmail.co",
        "gmail.con",
        "gmail.cm",
        "gmal.com",
        "gamil.com",
        "yahooo.co.jp",
        "yahoo.co.jo",
        "hotmial.com",
        "icloud.co",
        "outlok.com",
    ];
    if typos.contains(&domain.to_ascii_lowercase().as_str()) {
        return Err((
            "the domain looks like a typo (gmail.com, yahoo.co.jp, …?)",
            "ドメインが打ち間違いのようです（gmail.com、yahoo.co.jp など？）",
        ));
    }
    Ok(())
}

pub(super) fn valid_email(lang: Lang) -> impl Fn(&str) -> Result<(), String> {
    move |v| check_email(v).map_err(|(en, ja)| lang.pick(en, ja).to_string())
}

pub(super) fn valid_topic(lang: Lang) -> impl Fn(&str) -> Result<(), String> {
    move |v: &str| {
        if !v.is_empty()
            && v.len() <= 256
            && v.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            Ok(())
        } else {
            Err(t!(
                lang,
                "1–256 letters, digits, - or _",
                "1〜256 文字の英数字、- または _"
            ))
        }
    }
}

pub(super) fn valid_alarm_name(lang: Lang) -> impl Fn(&str) -> Result<(), String> {
    move |v: &str| {
        if !v.is_empty() && v.len() <= 255 && v.trim() == v && !v.chars().any(char::is_control) {
            Ok(())
        } else {
            Err(t!(
                lang,
                "1–255 characters, no spaces around it",
                "1〜255 文字（前後に空白なし）"
            ))
        }
    }
}

/// `PutMetricAlarm`'s parameters as the API names them.
pub fn put_params(spec: &AlarmSpec) -> Value {
    json!({
        "AlarmName": spec.name,
        "AlarmDescription": spec.description,
        "Namespace": spec.namespace,
        "MetricName": spec.metric,
        "Statistic": spec.statistic,
        "Dimensions": spec.dimensions.iter().map(|(n, v)| json!({"Name": n, "Value": v})).collect::<Vec<_>>(),
        "Period": spec.period,
        "EvaluationPeriods": spec.evaluation_periods,
        "DatapointsToAlarm": spec.datapoints_to_alarm,
        "Threshold": spec.threshold,
        "ComparisonOperator": spec.comparison,
        "TreatMissingData": spec.treat_missing_data,
        "ActionsEnabled": true,
        "AlarmActions": spec.alarm_actions,
        "OKActions": spec.ok_actions,
        "Tags": [{"Key": TAG.0, "Value": TAG.1}],
    })
}

/// The alarm's condition on one line, in the language's words and units.
pub(super) fn settings_line(spec: &AlarmSpec, lang: crate::i18n::Lang) -> String {
    crate::t!(
        lang,
        "{} {} {} {} — {}/{} × {} s, missing = {}",
        "{} {} {} {} — {}/{} × {} 秒、欠落データ = {}",
        spec.metric,
        spec.statistic,
        spec.comparison_symbol(),
        spec.threshold,
        spec.datapoints_to_alarm,
        spec.evaluation_periods,
        spec.period,
        spec.treat_missing_data
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_checked_before_any_call() {
        assert!(check_email("taro@example.com").is_ok());
        assert!(check_email("taro.yamada+aws@mail.example.co.jp").is_ok());
        assert!(check_email("taro@example").is_err());
        assert!(check_email("taro@@example.com").is_err());
        assert!(check_email("taro example@example.com").is_err());
        assert!(check_email("@example.com").is_err());
        assert!(check_email("taro@gmial.com").is_err());
        assert!(check_email("taro@example.c0m").is_err());
    }

    #[test]
    fn settings_validate() {
        let all = settings();
        let find = |key: &str| all.iter().find(|s| s.key == key).unwrap().check;
        assert!(find("period")("60").is_ok());
        assert!(find("period")("30").is_err());
        assert!(find("statistic")("Minimum").is_ok());
        assert!(find("statistic")("min").is_err());
        assert!(find("treat_missing_data")("breaching").is_ok());
        assert!(find("threshold")("0.5").is_ok());
        for s in &all {
            assert!((s.check)(s.default).is_ok(), "{} default", s.key);
        }
    }

    #[test]
    fn a_mistyped_metric_is_refused_in_both_languages() {
        let all = settings();
        let metric = all.iter().find(|s| s.key == "metric").unwrap().check;
        let (en, ja) = metric("HealthyHost").unwrap_err();
        assert!(en.contains("UnHealthyHostCount") && !en.starts_with("error"));
        assert!(ja.contains("大文字・小文字"));
        assert!(
            metric("healthyhostcount").is_err(),
            "names are case-sensitive"
        );
        assert!(metric("UnHealthyHostCount").is_ok());
        assert!(metric("TargetResponseTime").is_ok());
    }
}
