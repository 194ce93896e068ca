//! Contract: the CloudWatch adapter (`DescribeAlarms`, `DescribeAlarmHistory`, `GetMetricData`)
//! and the inventory's `GetMetricStatistics` against every real body of
//! `tests/data/aws/cloudwatch/`. The SDK speaks Smithy RPC v2 CBOR: each body is encoded as CBOR,
//! its timestamps as tag-1 epoch times (`wire_alarm::to_cbor_bytes`, the bridge of the moto tests).
//! LocalStack's snapshots were normalised by LocalStack (see SOURCES.md): their `"timestamp"`
//! placeholders are replaced here by the recording date, and the JSON-string members they parsed
//! into objects (`HistoryData`) are turned back into strings, as on the wire.

use crate::contract::{REGION, Sent, json_of, replay, replay_config, respond};
use crate::wire_alarm::{spec, to_cbor_bytes};
use chrono::{DateTime, Utc};
use serde_json::{Value, json};

fn at(text: &str) -> DateTime<Utc> {
    text.parse().unwrap()
}

/// `time` as the SDK hands it over: aws-smithy-cbor truncates a tag-1 float to the millisecond,
/// and the double nearest to e.g. `…06.442` lies just below it, so it arrives as `…06.441`. Real
/// CloudWatch answers go through the same decoder; the adapter cannot recover the lost unit.
fn near(time: Option<DateTime<Utc>>, text: &str) -> bool {
    time.is_some_and(|t| (t - at(text)).num_milliseconds().abs() <= 1)
}

/// Answers `operation` with the CBOR encoding of `body`.
fn cbor_cloud(
    operation: &'static str,
    body: Value,
) -> (lecture06::cloud::Cloud, crate::contract::Log) {
    replay(move |sent: &Sent| {
        assert_eq!(sent.operation, operation);
        respond(200, "application/cbor", to_cbor_bytes(&body))
    })
}

/// The recording date of the LocalStack snapshots (26-02-2026, 10:14:11) for their placeholders.
const RECORDED: &str = "2026-02-26T10:14:11Z";

/// LocalStack's normalisation undone where the wire needs it: placeholder times become
/// [`RECORDED`], parsed JSON-string members become strings again.
fn unnormalise(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, item) in map.iter_mut() {
                if key.ends_with("Timestamp") && item == "timestamp" {
                    *item = json!(RECORDED);
                } else if key == "HistoryData" && item.is_object() {
                    *item = json!(item.to_string());
                } else {
                    unnormalise(item);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(unnormalise),
        _ => {}
    }
}

#[test]
fn describe_alarms_cli_example_maps_the_whole_alarm() {
    let body = json_of("cloudwatch/DescribeAlarms__awscli-example-ec2-cpu.json");
    let (cloud, log) = cbor_cloud("DescribeAlarms", body);
    let info = cloud
        .alarms
        .describe_alarm(REGION, "myalarm")
        .unwrap()
        .expect("the alarm of that name");
    assert_eq!(
        log.lock().unwrap()[0].cbor()["AlarmNames"],
        json!(["myalarm"])
    );
    assert_eq!(
        info.arn,
        "arn:aws:cloudwatch:us-east-1:123456789012:alarm:myalarm"
    );
    let spec = &info.spec;
    assert_eq!(spec.name, "myalarm");
    assert_eq!(spec.description, "CPU usage exceeds 70 percent");
    assert_eq!(spec.namespace, "AWS/EC2");
    assert_eq!(spec.metric, "CPUUtilization");
    assert_eq!(spec.statistic, "Average");
    assert_eq!(
        spec.dimensions,
        [("InstanceId".into(), "i-0c986c72".into())]
    );
    assert_eq!(spec.period, 300);
    assert_eq!(spec.evaluation_periods, 2);
    // No DatapointsToAlarm member: CloudWatch then evaluates all EvaluationPeriods.
    assert_eq!(spec.datapoints_to_alarm, 2);
    assert_eq!(spec.threshold, 70.0);
    assert_eq!(spec.comparison, "GreaterThanThreshold");
    // No TreatMissingData member: the API's default, `missing`.
    assert_eq!(spec.treat_missing_data, "missing");
    assert_eq!(
        spec.alarm_actions,
        ["arn:aws:sns:us-east-1:123456789012:myHighCpuAlarm"]
    );
    assert!(spec.ok_actions.is_empty());
    assert!(info.actions_enabled);
    assert_eq!(info.state, "OK");
    assert!(
        info.state_reason
            .starts_with("Threshold Crossed: 2 datapoints were not greater")
    );
    assert!(
        near(info.state_updated, "2014-04-09T18:59:06.442Z"),
        "{info:?}"
    );
    assert!(
        near(info.configuration_updated, "2012-12-27T00:49:54.032Z"),
        "{info:?}"
    );
}

#[test]
fn describe_alarms_localstack_capture_keeps_treat_missing_data_and_ok_actions() {
    let mut body =
        json_of("cloudwatch/DescribeAlarms__localstack-snapshot-custom-metric-alarm.json");
    unnormalise(&mut body);
    let (cloud, _) = cbor_cloud("DescribeAlarms", body);
    let info = cloud
        .alarms
        .describe_alarm(REGION, "<alarm-name:1>")
        .unwrap()
        .expect("the alarm of that name");
    assert_eq!(info.state, "INSUFFICIENT_DATA");
    assert_eq!(info.state_reason, "Unchecked: Initial alarm creation");
    assert_eq!(info.spec.treat_missing_data, "ignore");
    assert_eq!(info.spec.metric, "my-metric1");
    assert_eq!(info.spec.period, 10);
    assert_eq!(info.spec.evaluation_periods, 1);
    assert_eq!(info.spec.threshold, 21.0);
    assert_eq!(
        info.spec.ok_actions,
        ["arn:<partition>:sns:<region>:111111111111:<topic_arn>"]
    );
    assert_eq!(info.spec.alarm_actions, info.spec.ok_actions);
    assert_eq!(info.state_updated, Some(at(RECORDED)));
    // Another name in the answer is not this alarm.
    assert_eq!(cloud.alarms.describe_alarm(REGION, "other").unwrap(), None);
}

#[test]
fn alarm_history_cli_example_is_sorted_oldest_first_with_both_states() {
    let body = json_of("cloudwatch/DescribeAlarmHistory__awscli-example-stateupdate.json");
    let (cloud, _) = cbor_cloud("DescribeAlarmHistory", body);
    let items = cloud
        .alarms
        .history(
            REGION,
            "myalarm",
            at("2014-04-09T00:00:00Z"),
            at("2014-04-10T00:00:00Z"),
        )
        .unwrap();
    // The file lists the newer item first; the adapter orders them oldest first.
    let seen: Vec<_> = items
        .iter()
        .map(|i| (i.kind.as_str(), i.summary.as_str(), i.states()))
        .collect();
    assert_eq!(
        seen,
        [
            (
                "StateUpdate",
                "Alarm updated from OK to ALARM",
                Some(("OK".to_string(), "ALARM".to_string()))
            ),
            (
                "StateUpdate",
                "Alarm updated from ALARM to OK",
                Some(("ALARM".to_string(), "OK".to_string()))
            ),
        ]
    );
    assert!(near(Some(items[0].timestamp), "2014-04-09T18:59:05.805Z"));
    assert!(near(Some(items[1].timestamp), "2014-04-09T18:59:06.442Z"));
}

#[test]
fn alarm_history_localstack_capture_reads_history_data_states() {
    let mut body = json_of("cloudwatch/DescribeAlarmHistory__localstack-snapshot-stateupdate.json");
    unnormalise(&mut body);
    let (cloud, _) = cbor_cloud("DescribeAlarmHistory", body);
    let items = cloud
        .alarms
        .history(
            REGION,
            "<alarm-name:1>",
            at("2026-02-26T00:00:00Z"),
            at("2026-02-27T00:00:00Z"),
        )
        .unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].kind, "StateUpdate");
    assert_eq!(
        items[0].summary,
        "Alarm updated from INSUFFICIENT_DATA to ALARM"
    );
    assert_eq!(
        items[0].states(),
        Some(("INSUFFICIENT_DATA".into(), "ALARM".into()))
    );
    assert_eq!(items[0].timestamp, at(RECORDED));
}

#[test]
fn metric_data_cli_examples_give_each_timestamp_and_value() {
    for (file, time, value) in [
        (
            "GetMetricData__awscli-example-billing-estimatedcharges.json",
            "2024-09-26T12:00:00Z",
            542.38,
        ),
        (
            "GetMetricData__awscli-example-metric-math-iops.json",
            "2024-09-29T22:10:00Z",
            96.85,
        ),
    ] {
        let body = json_of(&format!("cloudwatch/{file}"));
        let (cloud, _) = cbor_cloud("GetMetricData", body);
        let points = cloud
            .alarms
            .metric_data(
                REGION,
                &spec("a"),
                at("2024-09-01T00:00:00Z"),
                at("2024-10-01T00:00:00Z"),
            )
            .unwrap();
        let points: Vec<_> = points.iter().map(|p| (p.timestamp, p.value)).collect();
        assert_eq!(points, [(at(time), value)], "{file}");
    }
}

#[test]
fn bucket_size_reads_only_the_average_so_a_maximum_only_answer_is_unknown() {
    // The only real GetMetricStatistics body (EC2 CPUUtilization) answers a request for
    // `Maximum`; the inventory asks for `Average`, so it must find none here rather than take a
    // Maximum (or 0) for the bucket's size.
    let body = json_of("cloudwatch/GetMetricStatistics__awscli-example-ec2-cpu-maximum.json");
    assert_eq!(body["Datapoints"].as_array().unwrap().len(), 23);
    let (config, log) = replay_config(move |sent: &Sent| {
        assert_eq!(sent.operation, "GetMetricStatistics");
        respond(200, "application/cbor", to_cbor_bytes(&body))
    });
    let client = aws_sdk_cloudwatch::Client::new(&config);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let size = runtime
        .block_on(lecture06::aws::bucket_size_from_metrics(
            &client,
            "amzn-s3-demo-bucket",
            at("2014-04-10T00:00:00Z"),
        ))
        .unwrap();
    assert_eq!(size, None);
    let request = log.lock().unwrap()[0].cbor();
    assert_eq!(request["Statistics"], json!(["Average"]));
    assert_eq!(request["MetricName"], "BucketSizeBytes");
}

/// The report's "DescribeAlarms returned" block (issue 23): the adapter's alarm, put back in the
/// shape DescribeAlarms returns, gives AWS's own example member for member (names, PascalCase,
/// `Dimensions` as `{Name, Value}`, timestamps in the same form). The two members the example lacks
/// (`DatapointsToAlarm`, `TreatMissingData`: the API's defaults) are the only ones not in it.
#[test]
fn the_reports_describe_alarms_block_is_the_real_shape() {
    let body = json_of("cloudwatch/DescribeAlarms__awscli-example-ec2-cpu.json");
    let real = body["MetricAlarms"][0].clone();
    let (cloud, _log) = cbor_cloud("DescribeAlarms", body);
    let info = cloud
        .alarms
        .describe_alarm(REGION, "myalarm")
        .unwrap()
        .expect("the alarm of that name");
    let shape = lecture06::steps::alarm::describe_alarms_shape(&info);
    let mut compared = 0;
    for (member, value) in shape.as_object().unwrap() {
        match real.get(member) {
            // Times to the millisecond: CloudWatch's CBOR protocol carries them as epoch
            // seconds in a double, and the SDK decodes 18:59:06.442 as .441.
            Some(expected) if member.ends_with("Timestamp") => {
                let at = |v: &Value| {
                    DateTime::parse_from_rfc3339(v.as_str().unwrap())
                        .unwrap()
                        .with_timezone(&Utc)
                };
                let apart = (at(value) - at(expected)).num_milliseconds().abs();
                assert!(apart <= 1, "{member}: {value} vs {expected}");
                compared += 1;
            }
            Some(expected) => {
                assert_eq!(value, expected, "{member}");
                compared += 1;
            }
            None => assert!(
                ["DatapointsToAlarm", "TreatMissingData"].contains(&member.as_str()),
                "{member} is not a DescribeAlarms member of the example"
            ),
        }
    }
    assert!(compared >= 17, "{compared} members compared");
}
