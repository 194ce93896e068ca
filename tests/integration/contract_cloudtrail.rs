//! Contract: the CloudTrail adapter (`cloudtrail:LookupEvents`, `cloudtrail:DescribeTrails`, JSON
//! 1.1) against every real body of `tests/data/aws/cloudtrail/`. The CLI prints `EventTime` as
//! ISO-8601 text with an offset; it goes on the wire as epoch seconds (`contract::epoch_seconds`).
//! The expected values are read off the files by hand.

use crate::contract::{REGION, Sent, epoch_seconds, json_of, replay, respond};
use chrono::{DateTime, Duration, Utc};
use lecture06::cloud::EventQuery;
use lecture06::cloud::events::TrailArchive;
use lecture06::trail::record::Record;

const JSON_1_1: &str = "application/x-amz-json-1.1";

fn query(user: &str, limit: usize) -> EventQuery {
    let end: DateTime<Utc> = "2026-11-21T00:00:00Z".parse().unwrap();
    EventQuery {
        user: user.into(),
        regions: vec![REGION.into()],
        start: end - Duration::days(90),
        end,
        limit,
    }
}

/// LookupEvents answered with `file`'s events, times as epoch seconds.
fn lookup(file: &str, user: &str, limit: usize) -> (lecture06::cloud::EventSearch, Vec<Sent>) {
    let mut body = json_of(&format!("cloudtrail/{file}"));
    epoch_seconds(&mut body, &["EventTime"]);
    let (cloud, log) = replay(move |sent| {
        assert_eq!(sent.operation, "CloudTrail_20131101.LookupEvents");
        respond(200, JSON_1_1, body.to_string().into_bytes())
    });
    let found = cloud.events.latest_events(&query(user, limit)).unwrap();
    let sent = log.lock().unwrap().clone();
    (found, sent)
}

#[test]
fn lookup_events_cli_example_console_login_maps_every_field() {
    let (found, _) = lookup(
        "LookupEvents__awscli-example-consolelogin.json",
        "my-session-name",
        10,
    );
    assert_eq!(found.events.len(), 1);
    let event = &found.events[0];
    assert_eq!(event.event_id, "654ccbc0-ba0d-486a-9076-dbf7274677a7");
    assert_eq!(event.event_name, "ConsoleLogin");
    // 09:41:02-08:00 is 17:41:02 UTC.
    assert_eq!(
        event.event_time,
        "2021-11-18T17:41:02Z".parse::<DateTime<Utc>>().unwrap()
    );
    assert_eq!(event.username.as_deref(), Some("my-session-name"));
    assert_eq!(event.region, REGION);
    assert!(event.resources.is_empty());
    // The example has no EventSource nor ReadOnly member: nothing is made up for them.
    assert_eq!(event.event_source, "");
    assert_eq!(event.read_only, None);
    let record = Record::parse(&event.record).expect("CloudTrailEvent is the record's JSON");
    assert_eq!(
        record.str("eventID"),
        Some("654ccbc0-ba0d-486a-9076-dbf7274677a7")
    );
    assert_eq!(record.str("eventSource"), Some("signin.amazonaws.com"));
}

#[test]
fn lookup_events_real_capture_carries_resources_read_only_and_stops_at_the_limit() {
    // The capture's NextToken is the AWS CLI's own --max-items token, not CloudTrail's; asking
    // for one event, the adapter must not follow it.
    let (found, sent) = lookup(
        "LookupEvents__aws-samples-real-capture-assumeroleforpodidentity.json",
        "i-064d652934ecf0bfc",
        1,
    );
    assert_eq!(
        sent.len(),
        1,
        "one event asked, one event got: no second page"
    );
    assert_eq!(sent[0].json()["MaxResults"], 1);
    assert_eq!(found.requests, vec![(REGION.to_string(), 1)]);
    let event = &found.events[0];
    assert_eq!(event.event_id, "e05b6d2e-4be6-45dd-8ad5-ba1e076002a5");
    assert_eq!(event.event_name, "AssumeRoleForPodIdentity");
    assert_eq!(event.event_source, "eks-auth.amazonaws.com");
    assert_eq!(
        event.event_time,
        "2023-12-13T01:14:20Z".parse::<DateTime<Utc>>().unwrap()
    );
    assert_eq!(event.username.as_deref(), Some("i-064d652934ecf0bfc"));
    assert_eq!(event.read_only, Some(true), "ReadOnly is the text \"true\"");
    assert_eq!(event.resources, ["AWS::EKS::Cluster:eksworkshop-eksctl"]);
    let record = Record::parse(&event.record).unwrap();
    assert_eq!(record.str("eventVersion"), Some("1.09"));
    assert_eq!(record.str("awsRegion"), Some("us-west-2"));
}

#[test]
fn describe_trails_gives_each_trails_bucket_and_log_prefix() {
    let body = json_of("cloudtrail/DescribeTrails__awscli-example-two-trails.json");
    let (cloud, _) = replay(move |sent| {
        assert_eq!(sent.operation, "CloudTrail_20131101.DescribeTrails");
        respond(200, JSON_1_1, body.to_string().into_bytes())
    });
    let archives = cloud.events.trail_archives().unwrap();
    let archive = |name: &str, bucket: &str, prefix: &str| TrailArchive {
        name: name.into(),
        bucket: bucket.into(),
        prefix: prefix.into(),
    };
    assert_eq!(
        archives,
        [
            // No S3KeyPrefix: the logs are under AWSLogs/ at the bucket's root.
            archive("Trail1", "amzn-s3-demo-bucket", "AWSLogs/"),
            archive("Trail2", "amzn-s3-demo-bucket2", "my-prefix/AWSLogs/"),
        ]
    );
}
