//! The simulated account's CloudTrail event history: 90 days of a student's study evenings
//! (console sign-in in us-east-1, work in ap-northeast-1 ending with `StopInstances`), a Lambda
//! function's assumed role stopping RDS every night, and AWS service events without a user —
//! records shaped like the real ones in `shared/testdata/cloudtrail/`.

use super::World;
use crate::cloud::{EventQuery, EventSearch, TrailEvent, events::merge_newest};
use chrono::{DateTime, Duration, Utc};
use serde_json::{Value, json};

/// splitmix64: small, fast, and the same on every machine.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

pub(super) fn hash(seed: u64, label: &str) -> u64 {
    label.bytes().fold(seed ^ 0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// A deterministic upper-case alphanumeric token (for IDs such as `AIDA…`).
pub fn token(seed: u64, label: &str, len: usize) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut rng = Rng::new(hash(seed, label));
    (0..len)
        .map(|_| ALPHABET[rng.below(32) as usize] as char)
        .collect()
}

fn uuid(seed: u64, label: &str) -> String {
    let mut rng = Rng::new(hash(seed, label));
    let (a, b) = (rng.next(), rng.next());
    format!(
        "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0x0fff,
        0x8000 | (b >> 48) & 0x3fff,
        b & 0xffff_ffff_ffff
    )
}

const TOKYO: &str = "ap-northeast-1";
const VIRGINIA: &str = "us-east-1";
const LAMBDA_NAME: &str = "EC2stopedAlsoRDS";

struct Draft {
    time: DateTime<Utc>,
    region: &'static str,
    source: &'static str,
    name: &'static str,
    read_only: bool,
    who: Who,
    request: Value,
    response: Value,
    resources: Vec<String>,
}

enum Who {
    Student,
    Lambda,
    Service(&'static str),
}

/// How far back event history reaches (LookupEvents: 90 days).
pub const EVENT_HISTORY_DAYS: i64 = 90;
/// How far back the trail's log files in the sandbox's bucket reach.
pub const ARCHIVE_DAYS: i64 = 200;

/// The event history (the last 90 days), newest first.
pub fn history(world: &World) -> Vec<TrailEvent> {
    events_within(world, EVENT_HISTORY_DAYS)
}

/// Everything the account's trail delivered to its bucket, newest first: the event history and
/// the months before it.
pub fn archive(world: &World) -> Vec<TrailEvent> {
    events_within(world, ARCHIVE_DAYS)
}

/// The events of the last `days` days, newest first.
fn events_within(world: &World, days: i64) -> Vec<TrailEvent> {
    let mut rng = Rng::new(world.seed);
    let days_ago = study_days(&mut rng, i64::from(world.away_days));
    let last = *days_ago.last().unwrap_or(&1);
    let mut drafts = Vec::new();
    for &day in &days_ago {
        study_evening(world, &mut rng, day, day == last, &mut drafts);
    }
    nightly_jobs(world, &mut rng, &mut drafts);
    older_months(world, last, &mut drafts);
    let mut events: Vec<TrailEvent> = drafts
        .into_iter()
        .enumerate()
        .filter(|(_, d)| d.time <= world.epoch && d.time > world.epoch - Duration::days(days))
        .map(|(i, d)| finish(world, i, d))
        .collect();
    events.sort_by_key(|e| std::cmp::Reverse(e.event_time));
    events
}

/// The database every evening starts and every night stops.
const DB: &str = "raisetech-db";

/// Study evenings, in days ago: the last one is the evening before "now" (JST), the others spread
/// back; a student who has been away moves every evening back by that many days.
fn study_days(rng: &mut Rng, away: i64) -> Vec<i64> {
    let mut days: Vec<i64> = vec![1];
    let mut day = 1;
    while day < 85 {
        day += 2 + rng.below(6) as i64;
        days.push(day);
    }
    days.iter().map(|d| d + away).collect()
}

/// Midnight in Japan `days_ago` days before the world's now, as UTC.
fn jst_midnight(world: &World, days_ago: i64) -> DateTime<Utc> {
    let jst_now = world.epoch + Duration::hours(9);
    let date = (jst_now - Duration::days(days_ago)).date_naive();
    date.and_hms_opt(0, 0, 0).expect("midnight").and_utc() - Duration::hours(9)
}

/// One evening of study: sign in, (the first evening) build the environment of lectures 1–5,
/// start the instance, look around, stop it.
fn study_evening(
    world: &World,
    rng: &mut Rng,
    days_ago: i64,
    first: bool,
    drafts: &mut Vec<Draft>,
) {
    let instance = world.instance_id();
    let mut t = jst_midnight(world, days_ago)
        + Duration::hours(20)
        + Duration::minutes(rng.below(90) as i64);
    let mut step = |rng: &mut Rng| {
        t += Duration::seconds(20 + rng.below(600) as i64);
        t
    };
    drafts.push(console_login(step(rng)));
    if first {
        for (source, name, request) in [
            (
                "ec2.amazonaws.com",
                "RunInstances",
                json!({"instanceType": "t2.micro", "minCount": 1, "maxCount": 1}),
            ),
            (
                "rds.amazonaws.com",
                "CreateDBInstance",
                json!({"dBInstanceIdentifier": DB, "dBInstanceClass": "db.t3.micro", "engine": "mysql", "allocatedStorage": 20}),
            ),
            (
                "elasticloadbalancing.amazonaws.com",
                "CreateLoadBalancer",
                json!({"name": "raisetech-alb", "type": "application"}),
            ),
            (
                "s3.amazonaws.com",
                "CreateBucket",
                json!({"bucketName": "raisetech-images", "Host": "raisetech-images.s3.ap-northeast-1.amazonaws.com"}),
            ),
        ] {
            drafts.push(student(
                step(rng),
                TOKYO,
                source,
                name,
                false,
                request,
                Value::Null,
            ));
        }
    }
    drafts.push(student(
        step(rng),
        TOKYO,
        "ec2.amazonaws.com",
        "StartInstances",
        false,
        json!({"instancesSet": {"items": [{"instanceId": instance}]}}),
        json!({"instancesSet": {"items": [{"instanceId": instance, "currentState": {"code": 0, "name": "pending"}, "previousState": {"code": 80, "name": "stopped"}}]}}),
    ));
    for name in [
        "DescribeInstances",
        "DescribeLoadBalancers",
        "DescribeTargetHealth",
    ] {
        let source = if name == "DescribeInstances" {
            "ec2.amazonaws.com"
        } else {
            "elasticloadbalancing.amazonaws.com"
        };
        drafts.push(student(
            step(rng),
            TOKYO,
            source,
            name,
            true,
            json!({}),
            Value::Null,
        ));
    }
    drafts.push(student(
        step(rng),
        TOKYO,
        "ec2.amazonaws.com",
        "StopInstances",
        false,
        json!({"instancesSet": {"items": [{"instanceId": instance}]}, "force": false}),
        json!({"instancesSet": {"items": [{"instanceId": instance, "currentState": {"code": 64, "name": "stopping"}, "previousState": {"code": 16, "name": "running"}}]}}),
    ));
}

/// Every night at 23:30 JST a Lambda function stops the database (as in the seed report); once a
/// week EC2 records a shared snapshot.
fn nightly_jobs(world: &World, rng: &mut Rng, drafts: &mut Vec<Draft>) {
    for days_ago in 1..90 {
        let time = jst_midnight(world, days_ago)
            + Duration::hours(23)
            + Duration::minutes(30)
            + Duration::seconds(rng.below(40) as i64);
        drafts.push(Draft {
            time,
            region: TOKYO,
            source: "rds.amazonaws.com",
            name: "StopDBInstance",
            read_only: false,
            who: Who::Lambda,
            request: json!({"dBInstanceIdentifier": DB}),
            response: json!({"dBInstanceIdentifier": DB, "dBInstanceStatus": "stopping"}),
            resources: vec![],
        });
        if days_ago % 7 == 3 {
            drafts.push(Draft {
                time: time + Duration::hours(2),
                region: TOKYO,
                source: "ec2.amazonaws.com",
                name: "SharedSnapshotVolumeCreated",
                read_only: false,
                who: Who::Service("ec2.amazonaws.com"),
                request: Value::Null,
                response: Value::Null,
                resources: vec![],
            });
        }
    }
}

/// The months before event history's reach: only the trail's log files have them. They come
/// last, with their own random stream, so the recent history is the same with or without them.
fn older_months(world: &World, last: i64, drafts: &mut Vec<Draft>) {
    let mut older = Rng::new(hash(world.seed, "archive"));
    let mut days_ago = EVENT_HISTORY_DAYS.max(last) + 1 + older.below(4) as i64;
    while days_ago < ARCHIVE_DAYS {
        let mut t = jst_midnight(world, days_ago)
            + Duration::hours(20)
            + Duration::minutes(older.below(120) as i64);
        let mut next = |rng: &mut Rng| {
            t += Duration::seconds(30 + rng.below(900) as i64);
            t
        };
        drafts.push(console_login(next(&mut older)));
        for (source, name, read_only) in [
            ("ec2.amazonaws.com", "DescribeInstances", true),
            ("ec2.amazonaws.com", "DescribeVpcs", true),
            ("ec2.amazonaws.com", "DescribeSecurityGroups", true),
        ] {
            drafts.push(student(
                next(&mut older),
                TOKYO,
                source,
                name,
                read_only,
                json!({}),
                Value::Null,
            ));
        }
        days_ago += 3 + older.below(8) as i64;
    }
}

/// The student signs in to the console (recorded in us-east-1, the global endpoint's Region).
fn console_login(time: DateTime<Utc>) -> Draft {
    Draft {
        time,
        region: VIRGINIA,
        source: "signin.amazonaws.com",
        name: "ConsoleLogin",
        read_only: false,
        who: Who::Student,
        request: Value::Null,
        response: json!({"ConsoleLogin": "Success"}),
        resources: vec![],
    }
}

fn student(
    time: DateTime<Utc>,
    region: &'static str,
    source: &'static str,
    name: &'static str,
    read_only: bool,
    request: Value,
    response: Value,
) -> Draft {
    Draft {
        time,
        region,
        source,
        name,
        read_only,
        who: Who::Student,
        request,
        response,
        resources: vec![],
    }
}

/// Who made the call, as the record says it: `(userIdentity, user name, source IP, user agent)`.
fn identity_of(world: &World, index: usize, d: &Draft) -> (Value, Option<String>, String, String) {
    let seed = world.seed;
    let account = &world.account;
    let ip = format!("203.0.113.{}", 10 + hash(seed, "ip") % 200);
    let time_text = d.time.format("%Y-%m-%dT%H:%M:%SZ").to_string();
    match d.who {
        Who::Student => {
            let key = if d.source == "signin.amazonaws.com" {
                Value::Null
            } else {
                json!(format!("ASIA{}", token(seed, &format!("key-{index}"), 16)))
            };
            let mut identity = json!({
                "type": "IAMUser",
                "principalId": format!("AIDA{}", token(seed, "user-id", 17)),
                "arn": format!("arn:aws:iam::{account}:user/{}", world.user),
                "accountId": account,
                "userName": world.user,
            });
            if !key.is_null() {
                identity["accessKeyId"] = key;
                identity["sessionContext"] = json!({"sessionIssuer": {}, "webIdFederationData": {}, "attributes": {"creationDate": time_text, "mfaAuthenticated": "true"}});
            }
            let agent = if d.source == "signin.amazonaws.com" {
                "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
            } else {
                "AWS Internal"
            };
            (
                identity,
                Some(world.user.clone()),
                ip.clone(),
                agent.to_string(),
            )
        }
        Who::Lambda => {
            let role = "EC2stopedAlsoRDS-role-k3x9";
            let identity = json!({
                "type": "AssumedRole",
                "principalId": format!("AROA{}:{LAMBDA_NAME}", token(seed, "role-id", 17)),
                "arn": format!("arn:aws:sts::{account}:assumed-role/{role}/{LAMBDA_NAME}"),
                "accountId": account,
                "accessKeyId": format!("ASIA{}", token(seed, &format!("lkey-{index}"), 16)),
                "sessionContext": {
                    "sessionIssuer": {"type": "Role", "principalId": format!("AROA{}", token(seed, "role-id", 17)),
                                      "arn": format!("arn:aws:iam::{account}:role/service-role/{role}"), "accountId": account, "userName": role},
                    "webIdFederationData": {},
                    "attributes": {"creationDate": time_text, "mfaAuthenticated": "false"}
                }
            });
            (identity, Some(LAMBDA_NAME.to_string()), "52.194.4.17".to_string(), "Boto3/1.34.145 md/Botocore#1.34.145 ua/2.0 os/linux#5.10.224 lang/python#3.12.5 exec-env/AWS_Lambda_python3.12".to_string())
        }
        Who::Service(service) => (
            json!({"accountId": account, "invokedBy": service}),
            None,
            service.to_string(),
            service.to_string(),
        ),
    }
}

fn finish(world: &World, index: usize, d: Draft) -> TrailEvent {
    let seed = world.seed;
    let account = &world.account;
    let event_id = uuid(seed, &format!("event-{index}"));
    let time_text = d.time.format("%Y-%m-%dT%H:%M:%SZ").to_string();
    let (identity, username, source_ip, agent) = identity_of(world, index, &d);
    let event_type = match (&d.who, d.source) {
        (_, "signin.amazonaws.com") => "AwsConsoleSignIn",
        (Who::Service(_), _) => "AwsServiceEvent",
        _ => "AwsApiCall",
    };
    let mut record = json!({
        "eventVersion": "1.09",
        "userIdentity": identity,
        "eventTime": time_text,
        "eventSource": d.source,
        "eventName": d.name,
        "awsRegion": d.region,
        "sourceIPAddress": source_ip,
        "userAgent": agent,
        "requestParameters": d.request,
        "responseElements": d.response,
        "requestID": uuid(seed, &format!("request-{index}")),
        "eventID": event_id,
        "readOnly": d.read_only,
        "eventType": event_type,
        "managementEvent": true,
        "recipientAccountId": account,
        "eventCategory": "Management",
    });
    if d.source == "signin.amazonaws.com" {
        record["additionalEventData"] = json!({"LoginTo": "https://console.aws.amazon.com/console/home?region=ap-northeast-1", "MobileVersion": "No", "MFAUsed": "Yes"});
        record.as_object_mut().expect("object").remove("requestID");
    } else if event_type == "AwsApiCall" {
        record["tlsDetails"] = json!({"tlsVersion": "TLSv1.3", "cipherSuite": "TLS_AES_128_GCM_SHA256", "clientProvidedHostHeader": format!("{}.{}.amazonaws.com", d.source.split('.').next().unwrap_or("ec2"), d.region)});
        record["sessionCredentialFromConsole"] = json!("true");
    }
    TrailEvent {
        event_id,
        event_name: d.name.into(),
        event_time: d.time,
        event_source: d.source.into(),
        username,
        region: d.region.into(),
        read_only: Some(d.read_only),
        resources: d.resources,
        record: record.to_string(),
    }
}

/// LookupEvents with one `Username` attribute, as the real API answers it: an exact,
/// case-sensitive match, per Region, newest first, 50 to a page.
pub fn lookup(world: &World, query: &EventQuery) -> EventSearch {
    let all = history(world);
    let mut per_region = Vec::new();
    let mut requests = Vec::new();
    for region in &query.regions {
        let matching: Vec<TrailEvent> = all
            .iter()
            .filter(|e| &e.region == region && e.username.as_deref() == Some(query.user.as_str()))
            .filter(|e| e.event_time >= query.start && e.event_time <= query.end)
            .take(query.limit)
            .cloned()
            .collect();
        requests.push((region.clone(), matching.len().div_ceil(50).max(1)));
        per_region.push(matching);
    }
    EventSearch {
        events: merge_newest(per_region, query.limit),
        requests,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn world() -> World {
        World::new(6, "2026-11-21T01:00:00Z".parse().unwrap(), "student", TOKYO)
    }

    fn query(user: &str) -> EventQuery {
        let w = world();
        EventQuery {
            user: user.into(),
            regions: vec![TOKYO.into(), VIRGINIA.into()],
            start: w.epoch - Duration::days(90),
            end: w.epoch,
            limit: 10,
        }
    }

    #[test]
    fn the_students_latest_event_is_stop_instances_in_tokyo_after_a_console_login() {
        let found = lookup(&world(), &query("student"));
        assert_eq!(found.events.len(), 10);
        assert_eq!(found.events[0].event_name, "StopInstances");
        assert_eq!(found.events[0].region, TOKYO);
        let login = found
            .events
            .iter()
            .find(|e| e.event_name == "ConsoleLogin")
            .expect("a console login");
        assert_eq!(login.region, VIRGINIA);
        assert!(
            found
                .events
                .windows(2)
                .all(|w| w[0].event_time >= w[1].event_time)
        );
    }

    #[test]
    fn other_principals_are_not_the_students() {
        let found = lookup(&world(), &query(LAMBDA_NAME));
        assert!(
            found
                .events
                .iter()
                .all(|e| e.event_name == "StopDBInstance")
        );
        assert!(
            lookup(&world(), &query("Student")).events.is_empty(),
            "the match is case-sensitive"
        );
        let all = history(&world());
        assert!(
            all.iter()
                .any(|e| e.username.is_none() && e.record.contains("AwsServiceEvent"))
        );
    }

    #[test]
    fn deterministic_and_within_ninety_days() {
        let (a, b) = (history(&world()), history(&world()));
        assert_eq!(a, b);
        let w = world();
        assert!(
            a.iter()
                .all(|e| e.event_time <= w.epoch && e.event_time > w.epoch - Duration::days(90))
        );
        let ids: std::collections::BTreeSet<_> = a.iter().map(|e| &e.event_id).collect();
        assert_eq!(ids.len(), a.len(), "event IDs are unique");
    }
}
