//! cloudtrail:LookupEvents through the real SDK client. moto does not implement LookupEvents, so
//! these tests put a replayed HTTP client under the SDK (aws-smithy-http-client's
//! `infallible_client_fn`) that answers with wire-format awsJson1.1 bodies built from the real
//! records in `shared/testdata/cloudtrail/`: the SDK's own serializer, deserializer, retry and
//! paging are exercised, only the network is replaced.

use crate::harness::{cloudtrail_testdata, sdk_config};
use aws_smithy_types::body::SdkBody;
use chrono::{DateTime, Duration, Utc};
use lecture06::aws::Aws;
use lecture06::cloud::{CloudErrorKind, EventQuery};
use lecture06::trail::record::Record;
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// One request as the fake service saw it.
#[derive(Clone, Debug)]
struct Seen {
    host: String,
    body: Value,
    at: Instant,
}

fn query(user: &str, regions: &[&str], limit: usize) -> EventQuery {
    let end: DateTime<Utc> = "2026-11-21T00:00:00Z".parse().unwrap();
    EventQuery {
        user: user.into(),
        regions: regions.iter().map(|r| r.to_string()).collect(),
        start: end - Duration::days(90),
        end,
        limit,
    }
}

/// A LookupEvents answer as it travels on the wire: `EventTime` as epoch seconds,
/// `CloudTrailEvent` as a JSON string.
fn wire_event(record: &Value) -> Value {
    let time = lecture06::clock::parse_time(record["eventTime"].as_str().unwrap_or_default())
        .unwrap_or_default();
    let username = Record(record.clone()).user_name();
    json!({
        "EventId": record["eventID"],
        "EventName": record["eventName"],
        "ReadOnly": record["readOnly"].as_bool().map(|b| b.to_string()),
        "AccessKeyId": record["userIdentity"]["accessKeyId"],
        "EventTime": time.timestamp(),
        "EventSource": record["eventSource"],
        "Username": username,
        "Resources": [],
        "CloudTrailEvent": record.to_string(),
    })
}

/// Every record of the Stratus Red Team detonation logs (real LookupEvents captures).
fn stratus_records() -> Vec<Value> {
    let dir = cloudtrail_testdata().join("lookup-style/stratus");
    let mut records = Vec::new();
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    for path in files {
        let items: Vec<Value> =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        records.extend(items);
    }
    assert!(
        records.len() > 300,
        "expected the 310 Stratus events, found {}",
        records.len()
    );
    records
}

fn response(status: u16, body: Value) -> http::Response<SdkBody> {
    http::Response::builder()
        .status(status)
        .header("content-type", "application/x-amz-json-1.1")
        .body(SdkBody::from(body.to_string()))
        .unwrap()
}

type Handler = dyn Fn(&Seen, usize) -> http::Response<SdkBody> + Send + Sync;

/// An adapter whose HTTP client is `handler`; returns it and the log of requests.
fn adapter(handler: Arc<Handler>) -> (lecture06::cloud::Cloud, Arc<Mutex<Vec<Seen>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    let client = aws_smithy_http_client::test_util::infallible_client_fn(
        move |req: http::Request<SdkBody>| {
            assert_eq!(
                req.headers().get("x-amz-target").unwrap(),
                "CloudTrail_20131101.LookupEvents"
            );
            let host = req.uri().host().unwrap_or_default().to_string();
            let body: Value = serde_json::from_slice(req.body().bytes().unwrap_or(b"{}")).unwrap();
            let request = Seen {
                host,
                body,
                at: Instant::now(),
            };
            let mut log = log.lock().unwrap();
            log.push(request.clone());
            let n = log.len();
            drop(log);
            handler(&request, n)
        },
    );
    let config = sdk_config("ap-northeast-1", None, Some(client), "AKIAIOSFODNN7EXAMPLE");
    (Aws::from_config(config).unwrap().connect(), seen)
}

#[test]
fn pages_only_as_far_as_needed_and_parses_real_records() {
    let records = stratus_records();
    let pages: Vec<Vec<Value>> = records
        .chunks(4)
        .map(|c| c.iter().map(wire_event).collect())
        .collect();
    let (cloud, seen) = adapter(Arc::new(move |req: &Seen, _| {
        let page: usize = req
            .body
            .get("NextToken")
            .and_then(Value::as_str)
            .map(|t| t.trim_start_matches("page-").parse().unwrap())
            .unwrap_or(0);
        response(
            200,
            json!({"Events": pages[page], "NextToken": format!("page-{}", page + 1)}),
        )
    }));
    let found = cloud
        .events
        .latest_events(&query("stratus-user", &["ap-northeast-1"], 10))
        .expect("lookup succeeds");
    let seen = seen.lock().unwrap();
    assert_eq!(
        seen.len(),
        3,
        "three pages of four hold ten events; a fourth is not asked for"
    );
    assert_eq!(found.requests, vec![("ap-northeast-1".to_string(), 3)]);
    assert_eq!(
        seen[0].body["LookupAttributes"],
        json!([{"AttributeKey": "Username", "AttributeValue": "stratus-user"}])
    );
    assert_eq!(seen[0].body["MaxResults"], 10);
    assert!(seen[0].body.get("NextToken").is_none());
    assert_eq!(seen[2].body["NextToken"], "page-2");
    // 2 requests per second per Region at most.
    for pair in seen.windows(2) {
        assert!(
            pair[1].at - pair[0].at >= std::time::Duration::from_millis(450),
            "requests too close: {:?}",
            pair[1].at - pair[0].at
        );
    }
    assert_eq!(found.events.len(), 10);
    assert!(
        found
            .events
            .windows(2)
            .all(|w| w[0].event_time >= w[1].event_time),
        "newest first"
    );
    for event in &found.events {
        let record = Record::parse(&event.record).expect("CloudTrailEvent parses");
        assert_eq!(record.str("eventID"), Some(event.event_id.as_str()));
        assert!(!record.pickable_fields().is_empty());
    }
}

#[test]
fn the_aws_cli_documentation_response_decodes() {
    let raw: Value = serde_json::from_str(
        &std::fs::read_to_string(
            cloudtrail_testdata().join("lookup-style/aws-cli-example-lookup-events.json"),
        )
        .unwrap(),
    )
    .unwrap();
    // The CLI prints EventTime as text with an offset; on the wire it is epoch seconds.
    let mut events = raw["Events"].clone();
    for event in events.as_array_mut().unwrap() {
        let time = lecture06::clock::parse_time(event["EventTime"].as_str().unwrap()).unwrap();
        event["EventTime"] = json!(time.timestamp());
    }
    let (cloud, _) = adapter(Arc::new(move |_: &Seen, _| {
        response(200, json!({"Events": events}))
    }));
    let found = cloud
        .events
        .latest_events(&query("my-session-name", &["us-east-1"], 10))
        .unwrap();
    assert_eq!(found.events.len(), 1);
    let event = &found.events[0];
    assert_eq!(event.event_name, "ConsoleLogin");
    assert_eq!(event.username.as_deref(), Some("my-session-name"));
    assert_eq!(
        lecture06::clock::utc(event.event_time),
        "2021-11-18 17:41:02 UTC",
        "the -08:00 offset is honoured"
    );
    let record = Record::parse(&event.record).unwrap();
    assert_eq!(
        record.user_name().as_deref(),
        Some("my-session-name"),
        "assumed role: the session name"
    );
}

/// No captured CloudTrail throttling body exists: built from the JSON 1.1 error shape (`__type`,
/// `message`) with AWS's common throttling code (not in CloudTrail's own model; the SDK's retry
/// classifier knows it).
#[test]
fn throttling_is_retried_with_backoff() {
    let records = stratus_records();
    let page: Vec<Value> = records.iter().take(3).map(wire_event).collect();
    let (cloud, seen) = adapter(Arc::new(move |_: &Seen, n| {
        if n == 1 {
            response(
                400,
                json!({"__type": "ThrottlingException", "message": "Rate exceeded"}),
            )
        } else {
            response(200, json!({"Events": page}))
        }
    }));
    let found = cloud
        .events
        .latest_events(&query("u", &["ap-northeast-1"], 10))
        .expect("the retry succeeds");
    assert_eq!(found.events.len(), 3);
    assert_eq!(seen.lock().unwrap().len(), 2);
}

/// No captured body: the JSON 1.1 error shape (`__type`, `Message`) with IAM's usual message.
#[test]
fn access_denied_names_the_action() {
    let (cloud, _) = adapter(Arc::new(|_: &Seen, _| {
        response(
            400,
            json!({"__type": "AccessDeniedException", "Message": "User: arn:aws:iam::123456789012:user/student is not authorized to perform: cloudtrail:LookupEvents"}),
        )
    }));
    let err = cloud
        .events
        .latest_events(&query("student", &["ap-northeast-1"], 10))
        .unwrap_err();
    assert_eq!(err.kind, CloudErrorKind::AccessDenied);
    let text = err.explain(lecture06::i18n::Lang::En, Some("raisetech"));
    assert!(
        text.contains("cloudtrail:LookupEvents") && text.contains("policy"),
        "{text}"
    );
    assert!(text.contains("[ap-northeast-1]"), "{text}");
}

#[test]
fn both_regions_are_searched_and_merged_newest_first() {
    let records = stratus_records();
    let tokyo: Vec<Value> = records[0..5].iter().map(wire_event).collect();
    let virginia: Vec<Value> = records[100..105].iter().map(wire_event).collect();
    let (cloud, seen) = adapter(Arc::new(move |req: &Seen, _| {
        let events = if req.host.contains("us-east-1") {
            &virginia
        } else {
            &tokyo
        };
        response(200, json!({"Events": events}))
    }));
    let found = cloud
        .events
        .latest_events(&query("u", &["ap-northeast-1", "us-east-1"], 10))
        .unwrap();
    assert_eq!(found.events.len(), 10);
    let hosts: std::collections::BTreeSet<String> = seen
        .lock()
        .unwrap()
        .iter()
        .map(|s| s.host.clone())
        .collect();
    assert_eq!(hosts.len(), 2, "{hosts:?}");
    assert!(
        found
            .events
            .windows(2)
            .all(|w| w[0].event_time >= w[1].event_time)
    );
    assert!(
        found.events.iter().any(|e| e.region == "us-east-1")
            && found.events.iter().any(|e| e.region == "ap-northeast-1")
    );
}
