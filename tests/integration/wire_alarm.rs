//! The alarm step's AWS adapters over the wire, through the real SDK clients.
//!
//! - ELBv2 and SNS: against moto.
//! - CloudWatch: aws-sdk-cloudwatch ≥ 1.100 speaks Smithy RPC v2 CBOR while moto serves CloudWatch
//!   over Query/JSON only. A small bridge sits under the SDK as its HTTP client
//!   (`infallible_client_fn`): it decodes the CBOR request, re-sends it to moto as awsJson1.0
//!   (`X-Amz-Target: GraniteServiceVersion20100801.<Op>`) and re-encodes moto's JSON answer as
//!   CBOR, `…Timestamp(s)` values as CBOR tag-1 epoch times. PutMetricAlarm, DescribeAlarms,
//!   SetAlarmState and DeleteAlarms go through it.
//! - moto does not implement DescribeAlarmHistory (and its GetMetricData has no ALB data): those
//!   are answered by a replayed client with AWS's own example bodies (`tests/data/aws/cloudwatch/`)
//!   sent as CBOR, so the SDK's CBOR deserializer and our mapping are still exercised.

use crate::harness::{moto_url, sdk_config};
use aws_smithy_types::body::SdkBody;
use ciborium::Value as Cbor;
use lecture06::aws::Aws;
use lecture06::cloud::alarms::AlarmSpec;
use lecture06::cloud::elb::dimension_value;
use serde_json::{Value, json};
use std::io::{Read, Write};

const REGION: &str = "ap-southeast-2";

fn moto_cloud() -> lecture06::cloud::Cloud {
    let config = sdk_config(REGION, Some(&moto_url()), None, "AKIAIOSFODNN7EXAMPLE");
    Aws::from_config(config).unwrap().connect()
}

pub(crate) fn unique(prefix: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    format!("{prefix}-{}-{nanos}", std::process::id())
}

// ---- ELBv2 -----------------------------------------------------------------------------------

#[test]
fn alb_target_group_and_target_health_from_moto() {
    let config = sdk_config(REGION, Some(&moto_url()), None, "AKIAIOSFODNN7EXAMPLE");
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let name = unique("alb");
    let name = &name[..name.len().min(32)];
    let (lb_arn, tg_arn, instance) = moto_alb(&config, &runtime, name, "/");
    let cloud = moto_cloud();
    let albs = cloud.elb.load_balancers(REGION).unwrap();
    let lb = albs
        .iter()
        .find(|lb| lb.arn == lb_arn)
        .expect("our ALB is listed");
    assert_eq!(lb.name, name);
    assert_eq!(lb.kind, "application");
    assert!(!lb.dns_name.is_empty());
    assert!(dimension_value(&lb.arn).starts_with(&format!("app/{name}/")));

    let groups = cloud.elb.target_groups(REGION, &lb_arn).unwrap();
    assert_eq!(groups.len(), 1);
    assert_eq!(groups[0].arn, tg_arn);
    assert_eq!(groups[0].health_check.interval_seconds, 30);
    assert_eq!(groups[0].health_check.unhealthy_threshold, 2);
    assert!(dimension_value(&tg_arn).starts_with("targetgroup/"));

    let health = cloud.elb.target_health(REGION, &tg_arn).unwrap();
    assert_eq!(health.len(), 1);
    assert_eq!(health[0].id, instance);
    assert!(!health[0].state.is_empty());

    // Another Region has none of it.
    assert!(
        cloud
            .elb
            .load_balancers("eu-north-1")
            .unwrap()
            .iter()
            .all(|lb| lb.arn != lb_arn)
    );
}

/// An ALB in moto with a listener forwarding to one target group (2 failures / 5 successes,
/// every 30 s, checking `health_path`) and one registered instance: `(lb, tg, instance)`.
pub(crate) fn moto_alb(
    config: &aws_config::SdkConfig,
    runtime: &tokio::runtime::Runtime,
    name: &str,
    health_path: &str,
) -> (String, String, String) {
    let ec2 = aws_sdk_ec2::Client::new(config);
    let elb = aws_sdk_elasticloadbalancingv2::Client::new(config);
    runtime.block_on(async {
        let vpc = ec2
            .create_vpc()
            .cidr_block("10.0.0.0/16")
            .send()
            .await
            .unwrap();
        let vpc_id = vpc.vpc().unwrap().vpc_id().unwrap().to_string();
        let mut subnets = Vec::new();
        for (cidr, az) in [
            ("10.0.1.0/24", "ap-southeast-2a"),
            ("10.0.2.0/24", "ap-southeast-2b"),
        ] {
            let s = ec2
                .create_subnet()
                .vpc_id(&vpc_id)
                .cidr_block(cidr)
                .availability_zone(az)
                .send()
                .await
                .unwrap();
            subnets.push(s.subnet().unwrap().subnet_id().unwrap().to_string());
        }
        let lb = elb
            .create_load_balancer()
            .name(name)
            .set_subnets(Some(subnets.clone()))
            .send()
            .await
            .unwrap();
        let lb_arn = lb.load_balancers()[0]
            .load_balancer_arn()
            .unwrap()
            .to_string();
        let tg = elb
            .create_target_group()
            .name(&name[..name.len().min(28)])
            .protocol(aws_sdk_elasticloadbalancingv2::types::ProtocolEnum::Http)
            .port(80)
            .vpc_id(&vpc_id)
            .healthy_threshold_count(5)
            .unhealthy_threshold_count(2)
            .health_check_interval_seconds(30)
            .health_check_path(health_path)
            .send()
            .await
            .unwrap();
        let tg_arn = tg.target_groups()[0]
            .target_group_arn()
            .unwrap()
            .to_string();
        elb.create_listener()
            .load_balancer_arn(&lb_arn)
            .protocol(aws_sdk_elasticloadbalancingv2::types::ProtocolEnum::Http)
            .port(80)
            .default_actions(
                aws_sdk_elasticloadbalancingv2::types::Action::builder()
                    .r#type(aws_sdk_elasticloadbalancingv2::types::ActionTypeEnum::Forward)
                    .target_group_arn(&tg_arn)
                    .build(),
            )
            .send()
            .await
            .unwrap();
        let run = ec2
            .run_instances()
            .image_id("ami-12c6146b")
            .min_count(1)
            .max_count(1)
            .subnet_id(&subnets[0])
            .send()
            .await
            .unwrap();
        let instance = run.instances()[0].instance_id().unwrap().to_string();
        elb.register_targets()
            .target_group_arn(&tg_arn)
            .targets(
                aws_sdk_elasticloadbalancingv2::types::TargetDescription::builder()
                    .id(&instance)
                    .port(80)
                    .build(),
            )
            .send()
            .await
            .unwrap();
        (lb_arn, tg_arn, instance)
    })
}

// ---- SNS -------------------------------------------------------------------------------------

#[test]
fn topic_subscription_and_deletion_against_moto() {
    let cloud = moto_cloud();
    let name = unique("lecture06-topic");
    assert_eq!(cloud.sns.find_topic(REGION, &name).unwrap(), None);
    let tags = vec![("created-by".to_string(), "lecture06".to_string())];
    let topic = cloud.sns.create_topic(REGION, &name, &tags).unwrap();
    assert!(topic.arn.ends_with(&format!(":{name}")), "{}", topic.arn);
    // CreateTopic again returns the same topic: no second copy.
    assert_eq!(cloud.sns.create_topic(REGION, &name, &tags).unwrap(), topic);
    assert_eq!(
        cloud.sns.find_topic(REGION, &name).unwrap(),
        Some(topic.clone())
    );

    let settings = cloud.sns.topic_settings(REGION, &topic.arn).unwrap();
    let policy = settings.policy.expect("the default policy");
    assert!(
        !lecture06::cloud::notify::policy_blocks_cloudwatch(&policy),
        "{policy}"
    );
    assert_eq!(settings.kms_key, None);

    let arn = cloud
        .sns
        .subscribe_email(REGION, &topic.arn, "taro@example.com")
        .unwrap();
    assert!(arn.starts_with(&topic.arn), "{arn}");
    let listed = cloud.sns.subscriptions(REGION, &topic.arn).unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].endpoint, "taro@example.com");
    assert_eq!(listed[0].protocol, "email");
    assert!(
        cloud
            .sns
            .subscription_pending(REGION, &arn)
            .unwrap()
            .is_some()
    );

    cloud.sns.unsubscribe(REGION, &arn).unwrap();
    assert!(
        cloud
            .sns
            .subscriptions(REGION, &topic.arn)
            .unwrap()
            .is_empty()
    );
    cloud.sns.delete_topic(REGION, &topic.arn).unwrap();
    assert_eq!(cloud.sns.find_topic(REGION, &name).unwrap(), None);
}

// ---- CloudWatch through the CBOR bridge --------------------------------------------------------

pub(crate) fn cbor_to_json(value: &Cbor) -> Value {
    match value {
        Cbor::Integer(i) => json!(i128::from(*i) as i64),
        Cbor::Float(f) => json!(f),
        Cbor::Text(s) => json!(s),
        Cbor::Bool(b) => json!(b),
        Cbor::Null => Value::Null,
        Cbor::Tag(_, inner) => cbor_to_json(inner),
        Cbor::Array(items) => Value::Array(items.iter().map(cbor_to_json).collect()),
        Cbor::Map(entries) => Value::Object(
            entries
                .iter()
                .filter_map(|(k, v)| Some((k.as_text()?.to_string(), cbor_to_json(v))))
                .collect(),
        ),
        other => panic!("unexpected CBOR in a request: {other:?}"),
    }
}

/// `…Timestamp`, `…Timestamps`, `StartDate`/`EndDate` values become tag-1 epoch times.
fn json_to_cbor(value: &Value, key: &str) -> Cbor {
    let is_time =
        key.ends_with("Timestamp") || key.ends_with("Timestamps") || key.ends_with("Date");
    match value {
        Value::Number(n) if is_time => Cbor::Tag(1, Box::new(Cbor::Float(n.as_f64().unwrap()))),
        Value::String(s) if is_time => {
            let t = chrono::DateTime::parse_from_rfc3339(s).expect("a time");
            Cbor::Tag(
                1,
                Box::new(Cbor::Float(t.timestamp_millis() as f64 / 1000.0)),
            )
        }
        Value::Number(n) => match n.as_i64() {
            Some(i) => Cbor::Integer(i.into()),
            None => Cbor::Float(n.as_f64().unwrap()),
        },
        Value::String(s) => Cbor::Text(s.clone()),
        Value::Bool(b) => Cbor::Bool(*b),
        Value::Null => Cbor::Null,
        Value::Array(items) => Cbor::Array(items.iter().map(|v| json_to_cbor(v, key)).collect()),
        Value::Object(map) => Cbor::Map(
            map.iter()
                .map(|(k, v)| (Cbor::Text(k.clone()), json_to_cbor(v, k)))
                .collect(),
        ),
    }
}

pub(crate) fn to_cbor_bytes(value: &Value) -> Vec<u8> {
    let mut out = Vec::new();
    ciborium::into_writer(&json_to_cbor(value, ""), &mut out).unwrap();
    out
}

/// A blocking HTTP/1.1 POST (Connection: close): the bridge runs inside the SDK's HTTP call.
pub(crate) fn post(url: &str, headers: &[(&str, String)], body: &[u8]) -> (u16, Vec<u8>) {
    let authority = url.trim_start_matches("http://").trim_end_matches('/');
    let mut stream = std::net::TcpStream::connect(authority).expect("moto is reachable");
    let mut request = format!(
        "POST / HTTP/1.1\r\nHost: {authority}\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes()).unwrap();
    stream.write_all(body).unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let head = String::from_utf8_lossy(&raw[..split]).to_string();
    let status: u16 = head.split_whitespace().nth(1).unwrap().parse().unwrap();
    (status, raw[split + 4..].to_vec())
}

/// The SDK's HTTP client: RPC v2 CBOR in, awsJson1.0 to moto, CBOR back.
pub(crate) fn cbor_bridge() -> aws_smithy_runtime_api::client::http::SharedHttpClient {
    crate::wire_alarm_ownership::moto_bridge(false)
}

pub(crate) fn spec(name: &str) -> AlarmSpec {
    let topic = format!("arn:aws:sns:{REGION}:123456789012:lecture06-alb-alarm");
    AlarmSpec {
        name: name.into(),
        description: "lecture06 test".into(),
        namespace: "AWS/ApplicationELB".into(),
        metric: "HealthyHostCount".into(),
        statistic: "Minimum".into(),
        dimensions: vec![
            (
                "TargetGroup".into(),
                "targetgroup/raisetech-tg/73e2d6bc24d8a067".into(),
            ),
            (
                "LoadBalancer".into(),
                "app/raisetech-alb/50dc6c495c0c9188".into(),
            ),
        ],
        period: 60,
        evaluation_periods: 1,
        datapoints_to_alarm: 1,
        threshold: 1.0,
        comparison: "LessThanThreshold".into(),
        treat_missing_data: "breaching".into(),
        alarm_actions: vec![topic.clone()],
        ok_actions: vec![topic],
    }
}

#[test]
fn alarm_put_describe_set_state_delete_through_the_cbor_bridge() {
    let config = sdk_config(REGION, None, Some(cbor_bridge()), "AKIAIOSFODNN7EXAMPLE");
    let cloud = Aws::from_config(config).unwrap().connect();
    let name = unique("lecture06-alb-unhealthy");
    let spec = spec(&name);
    let tags = vec![("created-by".to_string(), "lecture06".to_string())];
    assert_eq!(cloud.alarms.describe_alarm(REGION, &name).unwrap(), None);
    cloud.alarms.put_alarm(REGION, &spec, &tags).unwrap();
    // PutMetricAlarm again overwrites: still one alarm.
    cloud.alarms.put_alarm(REGION, &spec, &tags).unwrap();

    let info = cloud
        .alarms
        .describe_alarm(REGION, &name)
        .unwrap()
        .expect("the alarm is listed");
    assert_eq!(info.spec, spec, "AWS holds what was put");
    assert!(
        info.arn.ends_with(&format!(":alarm:{name}")),
        "{}",
        info.arn
    );
    assert!(
        info.state_updated.is_some(),
        "timestamps decode from CBOR tag 1"
    );

    cloud
        .alarms
        .set_alarm_state(REGION, &name, "ALARM", "lecture06 mail test")
        .unwrap();
    let info = cloud.alarms.describe_alarm(REGION, &name).unwrap().unwrap();
    assert_eq!(info.state, "ALARM");
    assert_eq!(info.state_reason, "lecture06 mail test");

    cloud.alarms.delete_alarm(REGION, &name).unwrap();
    assert_eq!(cloud.alarms.describe_alarm(REGION, &name).unwrap(), None);
}

// ---- DescribeAlarmHistory and GetMetricData, replayed ---------------------------------------------

/// A client answering each operation with a fixed JSON body, sent as CBOR.
fn replayed(answers: fn(&str, &Value) -> Value) -> lecture06::cloud::Cloud {
    let client = aws_smithy_http_client::test_util::infallible_client_fn(
        move |req: http::Request<SdkBody>| {
            let op = req.uri().path().rsplit('/').next().unwrap().to_string();
            let input = cbor_to_json(
                &ciborium::from_reader::<Cbor, _>(req.body().bytes().unwrap()).unwrap(),
            );
            http::Response::builder()
                .status(200)
                .header("smithy-protocol", "rpc-v2-cbor")
                .header("content-type", "application/cbor")
                .body(SdkBody::from(to_cbor_bytes(&answers(&op, &input))))
                .unwrap()
        },
    );
    let config = sdk_config("ap-northeast-1", None, Some(client), "AKIAIOSFODNN7EXAMPLE");
    Aws::from_config(config).unwrap().connect()
}

/// The bodies are real (the aws-cli examples in `tests/data/aws/cloudwatch/`, see SOURCES.md),
/// replayed over CBOR; only the paging is ours: the first page gets a `NextToken` ("page-2") and
/// the second page is the example's older item, so both pages must be read and merged.
#[test]
fn alarm_history_and_metric_data_decode_from_cbor() {
    let cloud = replayed(|op, input| match op {
        "DescribeAlarmHistory" => {
            assert_eq!(input["ScanBy"], "TimestampAscending");
            assert_eq!(input["AlarmName"], "myalarm");
            let example = crate::contract::json_of(
                "cloudwatch/DescribeAlarmHistory__awscli-example-stateupdate.json",
            );
            let items = example["AlarmHistoryItems"].as_array().unwrap().clone();
            if input.get("NextToken").is_none() {
                json!({"AlarmHistoryItems": [items[0]], "NextToken": "page-2"})
            } else {
                assert_eq!(input["NextToken"], "page-2");
                json!({"AlarmHistoryItems": [items[1]]})
            }
        }
        "GetMetricData" => {
            let query = &input["MetricDataQueries"][0]["MetricStat"];
            assert_eq!(query["Metric"]["MetricName"], "HealthyHostCount");
            assert_eq!(query["Stat"], "Minimum");
            assert_eq!(query["Period"], 60);
            crate::contract::json_of(
                "cloudwatch/GetMetricData__awscli-example-billing-estimatedcharges.json",
            )
        }
        other => panic!("unexpected {other}"),
    });
    let start = chrono::DateTime::from_timestamp(1_397_001_600, 0).unwrap();
    let end = chrono::DateTime::from_timestamp(1_397_088_000, 0).unwrap();
    let items = cloud
        .alarms
        .history("ap-northeast-1", "myalarm", start, end)
        .unwrap();
    assert_eq!(items.len(), 2, "both pages are read");
    assert_eq!(items[0].kind, "StateUpdate");
    assert_eq!(
        items[0].states(),
        Some(("OK".into(), "ALARM".into())),
        "oldest first"
    );
    assert_eq!(items[1].states(), Some(("ALARM".into(), "OK".into())));
    assert_eq!(items[0].timestamp.timestamp(), 1_397_069_945);

    let points = cloud
        .alarms
        .metric_data(
            "ap-northeast-1",
            &spec("lecture06-alb-unhealthy"),
            start,
            end,
        )
        .unwrap();
    let values: Vec<f64> = points.iter().map(|p| p.value).collect();
    assert_eq!(values, [542.38]);
    assert_eq!(points[0].timestamp.timestamp(), 1_727_352_000);
}

// ---- SSM Run Command (the transitions step's third way) --------------------------------------------

#[test]
fn ssm_run_command_against_moto() {
    let cloud = moto_cloud();
    let result = cloud
        .remote
        .run_shell(REGION, "i-0123456789abcdef0", "sudo systemctl stop unicorn")
        .expect("moto runs the command");
    assert_eq!(result.status, "Success");
    assert!(!result.command_id.is_empty());
}

/// No captured CloudWatch error body exists (see `tests/data/aws/SOURCES.md`): built from the
/// published model, whose RPC v2 CBOR errors carry `__type` and `message`, with IAM's message for
/// a missing permission and HTTP 403.
#[test]
fn access_denied_names_the_missing_action() {
    let client = aws_smithy_http_client::test_util::infallible_client_fn(
        |_req: http::Request<SdkBody>| {
            let body = json!({"__type": "AccessDenied", "message": "User: arn:aws:iam::123456789012:user/student is not authorized to perform: cloudwatch:PutMetricAlarm"});
            http::Response::builder()
                .status(403)
                .header("smithy-protocol", "rpc-v2-cbor")
                .header("content-type", "application/cbor")
                .body(SdkBody::from(to_cbor_bytes(&body)))
                .unwrap()
        },
    );
    let config = sdk_config("ap-northeast-1", None, Some(client), "AKIAIOSFODNN7EXAMPLE");
    let cloud = Aws::from_config(config).unwrap().connect();
    let err = cloud
        .alarms
        .put_alarm("ap-northeast-1", &spec("a"), &[])
        .unwrap_err();
    assert_eq!(
        err.kind,
        lecture06::cloud::CloudErrorKind::AccessDenied,
        "{err:?}"
    );
    let text = err.explain(lecture06::i18n::Lang::En, None);
    assert!(
        text.contains("not allowed to call cloudwatch:PutMetricAlarm"),
        "{text}"
    );
}
