//! The billing adapter through the real SDK clients.
//!
//! Cost Explorer runs against **moto** over the wire: results are queued through moto's
//! `/moto-api/static/ce/cost-and-usage-results`, and the SDK's requests pass through a small
//! forwarding HTTP client that keeps a copy of each request (moto answers from the request body
//! but does not tell what it received), so the period, granularity, metric and grouping the adapter
//! sends can be checked, as well as the parsing of moto's answer.
//!
//! The Free Tier API is not implemented by moto, so its tests put a replayed HTTP client under
//! the SDK that answers with awsJson1.0 bodies shaped like the service's (field names and types
//! from the API reference and the SDK model): the SDK's serializer, deserializer and our paging
//! are exercised, only the network is replaced.

use crate::harness::{moto_url, sdk_config};
use aws_smithy_types::body::SdkBody;
use chrono::NaiveDate;
use lecture06::aws::Aws;
use lecture06::cloud::CloudErrorKind;
use lecture06::cloud::billing::{CostQuery, PlanType};
use lecture06::steps::billing::{Period, Standing, judge_all, tally};
use serde_json::{Value, json};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::{Arc, Mutex};

/// One request as it left the SDK.
#[derive(Clone, Debug)]
struct Seen {
    target: String,
    authorization: String,
    body: Value,
}

fn seen_of(req: &http::Request<SdkBody>) -> Seen {
    let header = |name: &str| {
        req.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    };
    Seen {
        target: header("x-amz-target"),
        authorization: header("authorization"),
        body: serde_json::from_slice(req.body().bytes().unwrap_or(b"{}")).unwrap_or(Value::Null),
    }
}

/// `host:port` of moto.
fn moto_addr() -> String {
    moto_url()
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_string()
}

/// A plain HTTP/1.1 exchange with moto (`Connection: close`); returns status, headers, body.
fn exchange(
    method: &str,
    path: &str,
    headers: &[(String, String)],
    body: &[u8],
) -> (u16, Vec<(String, String)>, Vec<u8>) {
    let addr = moto_addr();
    let mut stream = TcpStream::connect(&addr)
        .unwrap_or_else(|e| panic!("moto is not listening on {addr} ({e}); start it with `.venv/bin/moto_server -p <port>` and set LECTURE06_MOTO_URL"));
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (name, value) in headers {
        let lower = name.to_ascii_lowercase();
        if lower == "host" || lower == "connection" || lower == "content-length" {
            continue;
        }
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(body).unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("an HTTP response");
    let head = String::from_utf8_lossy(&raw[..split]).to_string();
    let mut rest = raw[split + 4..].to_vec();
    let mut lines = head.lines();
    let status: u16 = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .expect("a status line");
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_string(), v.trim().to_string()))
        .collect();
    let chunked = headers.iter().any(|(n, v)| {
        n.eq_ignore_ascii_case("transfer-encoding") && v.eq_ignore_ascii_case("chunked")
    });
    if chunked {
        let mut body = Vec::new();
        loop {
            let at = rest.windows(2).position(|w| w == b"\r\n").unwrap();
            let size = usize::from_str_radix(
                String::from_utf8_lossy(&rest[..at])
                    .split(';')
                    .next()
                    .unwrap()
                    .trim(),
                16,
            )
            .unwrap();
            if size == 0 {
                break;
            }
            body.extend_from_slice(&rest[at + 2..at + 2 + size]);
            rest = rest[at + 2 + size + 2..].to_vec();
        }
        rest = body;
    }
    (status, headers, rest)
}

/// An HTTP client for the SDK that forwards every request to moto (as account `account`, moto's
/// `x-moto-account-id`) and keeps a copy of it.
fn forwarding_client(
    account: &'static str,
) -> (
    aws_smithy_runtime_api::client::http::SharedHttpClient,
    Arc<Mutex<Vec<Seen>>>,
) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    let client = aws_smithy_http_client::test_util::infallible_client_fn(
        move |req: http::Request<SdkBody>| {
            log.lock().unwrap().push(seen_of(&req));
            let mut headers: Vec<(String, String)> = req
                .headers()
                .iter()
                .map(|(n, v)| (n.to_string(), v.to_str().unwrap_or_default().to_string()))
                .collect();
            headers.push(("x-moto-account-id".into(), account.into()));
            let path = req
                .uri()
                .path_and_query()
                .map(|p| p.as_str().to_string())
                .unwrap_or_else(|| "/".into());
            let body = req.body().bytes().unwrap_or_default().to_vec();
            let (status, headers, body) = exchange(req.method().as_str(), &path, &headers, &body);
            let mut response = http::Response::builder().status(status);
            for (name, value) in headers {
                if !name.eq_ignore_ascii_case("transfer-encoding") {
                    response = response.header(name, value);
                }
            }
            response.body(SdkBody::from(body)).unwrap()
        },
    );
    (client, seen)
}

fn queue_cost_results(account: &str, results: Value) {
    let body = json!({"account_id": account, "results": results}).to_string();
    let (status, _, text) = exchange(
        "POST",
        "/moto-api/static/ce/cost-and-usage-results",
        &[("Content-Type".into(), "application/json".into())],
        body.as_bytes(),
    );
    assert_eq!(
        status,
        201,
        "moto refused the queued results: {}",
        String::from_utf8_lossy(&text)
    );
}

/// One `ResultsByTime[].Groups[]` item queued into moto. No real answer grouped by SERVICE and
/// RECORD_TYPE exists (the shared set's "Other things not found"): built from the model's `Group`
/// (Keys, Metrics.<name>.{Amount, Unit}); AWS's own examples are replayed in `contract_billing`.
fn group(service: &str, record_type: &str, amount: &str) -> Value {
    json!({"Keys": [service, record_type], "Metrics": {"UnblendedCost": {"Amount": amount, "Unit": "USD"}}})
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

#[test]
fn cost_explorer_against_moto_one_request_per_page_exact_amounts() {
    const ACCOUNT: &str = "000000006601";
    let group_definitions = json!([{"Type": "DIMENSION", "Key": "SERVICE"}, {"Type": "DIMENSION", "Key": "RECORD_TYPE"}]);
    // Two pages, as Cost Explorer sends them when the groups do not fit one answer.
    queue_cost_results(
        ACCOUNT,
        json!([
            {
                "GroupDefinitions": group_definitions,
                "ResultsByTime": [{
                    "TimePeriod": {"Start": "2026-10-01", "End": "2026-11-01"},
                    "Total": {},
                    "Groups": [
                        group("Amazon Elastic Compute Cloud - Compute", "Usage", "0.0000304"),
                        group("EC2 - Other", "Usage", "0.0000016000"),
                        group("Amazon Simple Storage Service", "Usage", "0.0129334518"),
                        group("Amazon Elastic Compute Cloud - Compute", "Credit", "-0.0000304"),
                    ],
                    "Estimated": false
                }],
                "NextPageToken": "page-2",
                "DimensionValueAttributes": []
            },
            {
                "GroupDefinitions": group_definitions,
                "ResultsByTime": [{
                    "TimePeriod": {"Start": "2026-11-01", "End": "2026-12-01"},
                    "Total": {},
                    "Groups": [
                        group("AWS CloudTrail", "Usage", "0.0169"),
                        group("Tax", "Tax", "0.0017"),
                    ],
                    "Estimated": true
                }],
                "DimensionValueAttributes": []
            }
        ]),
    );
    let (client, seen) = forwarding_client(ACCOUNT);
    // The working Region is Tokyo: the adapter must still ask us-east-1.
    let config = sdk_config(
        "ap-northeast-1",
        Some(&moto_url()),
        Some(client),
        "AKIAIOSFODNN7EXAMPLE",
    );
    let cloud = Aws::from_config(config).unwrap().connect();
    let period = Period::at("2026-11-21T01:00:00Z".parse().unwrap());
    let query = period.query();
    assert_eq!(
        query,
        CostQuery {
            start: date(2026, 10, 1),
            end: date(2026, 12, 1)
        }
    );

    let answer = cloud.billing.cost_and_usage(&query).expect("moto answers");

    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 2, "one request per page, no more: {seen:#?}");
    assert_eq!(
        answer.requests, 2,
        "both pages are counted as paid requests"
    );
    for request in &seen {
        assert_eq!(request.target, "AWSInsightsIndexService.GetCostAndUsage");
        assert!(
            request.authorization.contains("/us-east-1/ce/aws4_request"),
            "signed for us-east-1 whatever the working Region: {}",
            request.authorization
        );
        assert_eq!(
            request.body["TimePeriod"],
            json!({"Start": "2026-10-01", "End": "2026-12-01"})
        );
        assert_eq!(request.body["Granularity"], "MONTHLY");
        assert_eq!(request.body["Metrics"], json!(["UnblendedCost"]));
        assert_eq!(request.body["GroupBy"], group_definitions);
        assert!(
            request.body.get("Filter").is_none(),
            "one unfiltered request carries every service"
        );
    }
    assert!(seen[0].body.get("NextPageToken").is_none());
    assert_eq!(seen[1].body["NextPageToken"], "page-2");

    assert_eq!(answer.lines.len(), 6);
    let s3 = answer
        .lines
        .iter()
        .find(|l| l.service == "Amazon Simple Storage Service")
        .unwrap();
    assert_eq!(s3.amount.display(), "0.0129334518", "every digit kept");
    assert_eq!(s3.month, date(2026, 10, 1));
    assert!(!s3.estimated);
    let credit = answer
        .lines
        .iter()
        .find(|l| l.record_type == "Credit")
        .unwrap();
    assert_eq!(credit.amount.display(), "-0.0000304");
    assert!(
        answer
            .lines
            .iter()
            .any(|l| l.month == date(2026, 11, 1) && l.estimated)
    );

    let (ec2, rows, estimated) = tally(&answer, &period);
    assert_eq!(
        ec2.total.display(),
        "0.000032",
        "0.0000304 + 0.0000016000, never 0.00"
    );
    assert_eq!(ec2.adjustments.display(), "-0.0000304");
    assert!(estimated);
    assert_eq!(
        rows.last().unwrap().record_type,
        "Credit",
        "credits on their own line"
    );
}

/// The code and message are real: botocore printed them for a new account's Lambda
/// (intuit/costBuddy issue #5, 2020-03-26: "An error occurred (DataUnavailableException) when
/// calling the GetCostAndUsage operation: Data is not available. Please try to adjust the time
/// period. If just enabled Cost Explorer, data might not be ingested yet"). No wire body was
/// captured: they are put in the JSON 1.1 error shape (`__type`, `Message`) with status 400.
#[test]
fn cost_explorer_not_enabled_is_classified() {
    let client = aws_smithy_http_client::test_util::infallible_client_fn(|_req| {
        http::Response::builder()
            .status(400)
            .header("content-type", "application/x-amz-json-1.1")
            .body(SdkBody::from(
                json!({"__type": "DataUnavailableException", "Message": "Data is not available. Please try to adjust the time period. If just enabled Cost Explorer, data might not be ingested yet"}).to_string(),
            ))
            .unwrap()
    });
    let config = sdk_config("ap-northeast-1", None, Some(client), "AKIAEXAMPLE");
    let cloud = Aws::from_config(config).unwrap().connect();
    let err = cloud
        .billing
        .cost_and_usage(&CostQuery {
            start: date(2026, 10, 1),
            end: date(2026, 12, 1),
        })
        .unwrap_err();
    assert_eq!(err.kind, CloudErrorKind::NotEnabled, "{err:?}");
    assert_eq!(err.code.as_deref(), Some("DataUnavailableException"));
    assert_eq!(err.region.as_deref(), Some("us-east-1"));
}

/// A Cost Explorer never opened in the console. No captured wire body exists (see
/// `../shared/testdata/aws/SOURCES.md`, "Other things not found"); the code and message are the
/// ones botocore printed for a real account (aws-samples/aws-cost-explorer-report issue #15:
/// "An error occurred (AccessDeniedException) when calling the GetCostAndUsage operation: User
/// not enabled for cost explorer access"), put in the JSON 1.1 error shape (`__type`, `Message`)
/// of the service model, with the 400 status JSON 1.1 services use for client errors.
#[test]
fn cost_explorer_never_opened_is_its_own_kind_with_its_own_advice() {
    let replay = |body: Value| {
        let client = aws_smithy_http_client::test_util::infallible_client_fn(move |_req| {
            http::Response::builder()
                .status(400)
                .header("content-type", "application/x-amz-json-1.1")
                .body(SdkBody::from(body.to_string()))
                .unwrap()
        });
        let config = sdk_config("ap-northeast-1", None, Some(client), "AKIAEXAMPLE");
        Aws::from_config(config)
            .unwrap()
            .connect()
            .billing
            .cost_and_usage(&CostQuery {
                start: date(2026, 10, 1),
                end: date(2026, 12, 1),
            })
            .unwrap_err()
    };
    let err = replay(
        json!({"__type": "AccessDeniedException", "Message": "User not enabled for cost explorer access"}),
    );
    assert_eq!(err.kind, CloudErrorKind::CostExplorerNotEnabled, "{err:?}");
    assert_eq!(err.code.as_deref(), Some("AccessDeniedException"));
    let en = err.explain(lecture06::i18n::Lang::En, None);
    assert!(
        en.contains("Billing and Cost Management → Cost Explorer"),
        "{en}"
    );
    assert!(
        en.contains("24 hours") && en.contains("not an IAM problem"),
        "{en}"
    );
    assert!(!en.contains("policy"), "no IAM advice: {en}");
    let ja = err.explain(lecture06::i18n::Lang::Ja, None);
    assert!(
        ja.contains("請求とコスト管理 → Cost Explorer") && ja.contains("24 時間"),
        "{ja}"
    );
    // The same code with an IAM message stays an IAM problem.
    let iam = replay(
        json!({"__type": "AccessDeniedException", "Message": "User: arn:aws:iam::123456789012:user/student is not authorized to perform: ce:GetCostAndUsage"}),
    );
    assert_eq!(iam.kind, CloudErrorKind::AccessDenied);
}

type Handler = dyn Fn(&Seen) -> (u16, Value) + Send + Sync;
/// `(host, request)` of every request the fake Free Tier service saw.
type Log = Arc<Mutex<Vec<(String, Seen)>>>;

/// A Free Tier client whose network is `handler` (the fake service); returns the log too.
/// No real `GetFreeTierUsage` body exists (no AWS example, no capture: `tests/data/aws/SOURCES.md`
/// via the shared set's "Other things not found"), so the usage bodies below are built from the
/// Free Tier API's published model, member by member (`freeTierUsages[]`: service, operation,
/// usageType, region, actualUsageAmount, forecastedUsageAmount, limit, unit, description,
/// freeTierType; `nextToken`). `GetAccountPlanState`'s real model examples are replayed in
/// `contract_billing`; the plan bodies here vary them (other credits, a PAID plan).
fn free_tier(handler: Arc<Handler>) -> (lecture06::cloud::Cloud, Log) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    let client = aws_smithy_http_client::test_util::infallible_client_fn(
        move |req: http::Request<SdkBody>| {
            let host = req.uri().host().unwrap_or_default().to_string();
            let request = seen_of(&req);
            log.lock().unwrap().push((host, request.clone()));
            let (status, body) = handler(&request);
            http::Response::builder()
                .status(status)
                .header("content-type", "application/x-amz-json-1.0")
                .body(SdkBody::from(body.to_string()))
                .unwrap()
        },
    );
    let config = sdk_config("ap-northeast-1", None, Some(client), "AKIAIOSFODNN7EXAMPLE");
    (Aws::from_config(config).unwrap().connect(), seen)
}

fn usage(
    service: &str,
    usage_type: &str,
    actual: f64,
    forecast: f64,
    limit: f64,
    unit: &str,
) -> Value {
    json!({
        "service": service, "operation": "", "usageType": usage_type, "region": "global",
        "actualUsageAmount": actual, "forecastedUsageAmount": forecast, "limit": limit,
        "unit": unit, "description": format!("{limit} {unit} for free for 12 months as part of AWS Free Usage Tier ({usage_type})"),
        "freeTierType": "12 Months Free"
    })
}

#[test]
fn free_tier_usage_pages_and_verdicts() {
    let (cloud, seen) = free_tier(Arc::new(|req: &Seen| {
        assert_eq!(req.target, "AWSFreeTierService.GetFreeTierUsage");
        match req.body.get("nextToken").and_then(Value::as_str) {
            None => (
                200,
                json!({
                    "freeTierUsages": [
                        usage("Amazon Simple Storage Service", "Global-TimedStorage-ByteHrs", 5.3, 7.9, 5.0, "GB-Mo"),
                        usage("Amazon Elastic Compute Cloud", "EBS:SnapshotUsage", 0.87, 0.95, 1.0, "GB-Mo"),
                    ],
                    "nextToken": "eyJwYWdlIjoyfQ=="
                }),
            ),
            Some("eyJwYWdlIjoyfQ==") => (
                200,
                json!({
                    "freeTierUsages": [usage("Amazon Elastic Compute Cloud", "BoxUsage:freetier.micro", 504.0, 720.0, 750.0, "Hrs")]
                }),
            ),
            Some(other) => panic!("unexpected token {other}"),
        }
    }));
    let found = cloud.billing.free_tier_usage().expect("answers");
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 2);
    assert_eq!(found.requests, 2);
    assert!(
        seen.iter().all(|(host, _)| host.contains("us-east-1")),
        "{seen:?}"
    );
    assert_eq!(seen[0].1.body["maxResults"], 100);
    assert_eq!(seen[1].1.body["nextToken"], "eyJwYWdlIjoyfQ==");
    assert_eq!(found.offers.len(), 3);
    assert_eq!(found.offers[0].actual, 5.3);

    let verdicts = judge_all(&found.offers, found.requests);
    assert_eq!(verdicts.overall, Standing::Over);
    assert!(
        verdicts
            .overall_en
            .starts_with("over: S3 TimedStorage 5.3 GB-Mo of 5 GB-Mo — likely cause: CloudTrail"),
        "{}",
        verdicts.overall_en
    );
    assert_eq!(
        verdicts.offers[1].standing,
        Standing::Near,
        "87 % is flagged before it goes over"
    );
    assert_eq!(verdicts.offers[2].standing, Standing::Inside);
}

#[test]
fn free_tier_usage_empty_list() {
    let (cloud, _) = free_tier(Arc::new(|_req: &Seen| (200, json!({"freeTierUsages": []}))));
    let found = cloud.billing.free_tier_usage().expect("answers");
    assert!(found.offers.is_empty());
    assert_eq!(found.requests, 1);
    let verdicts = judge_all(&found.offers, found.requests);
    assert_eq!(verdicts.overall, Standing::Inside);
    assert!(
        verdicts.overall_en.contains("no Free Tier offer has usage"),
        "{}",
        verdicts.overall_en
    );
}

#[test]
fn credit_plan_account() {
    let (cloud, seen) = free_tier(Arc::new(|req: &Seen| {
        assert_eq!(req.target, "AWSFreeTierService.GetAccountPlanState");
        (
            200,
            json!({
                "accountId": "556312345678",
                "accountPlanType": "FREE",
                "accountPlanStatus": "ACTIVE",
                "accountPlanRemainingCredits": {"amount": 187.53, "unit": "USD"},
                "accountPlanExpirationDate": "2027-03-20T00:00:00Z"
            }),
        )
    }));
    let plan = cloud
        .billing
        .account_plan()
        .expect("answers")
        .expect("a plan");
    assert_eq!(plan.plan_type, PlanType::Free);
    assert_eq!(plan.status, "ACTIVE");
    assert_eq!(plan.remaining_credits.unwrap().display(), "187.53");
    assert_eq!(plan.credits_unit.as_deref(), Some("USD"));
    assert_eq!(
        plan.expires.unwrap().to_rfc3339(),
        "2027-03-20T00:00:00+00:00"
    );
    assert!(seen.lock().unwrap()[0].0.contains("us-east-1"));
}

#[test]
fn paid_plan_and_no_plan_record() {
    let (cloud, _) = free_tier(Arc::new(|_req: &Seen| {
        (
            200,
            json!({"accountId": "556312345678", "accountPlanType": "PAID", "accountPlanStatus": "ACTIVE"}),
        )
    }));
    let plan = cloud.billing.account_plan().unwrap().unwrap();
    assert_eq!(plan.plan_type, PlanType::Paid);
    assert!(plan.remaining_credits.is_none());

    let (cloud, _) = free_tier(Arc::new(|_req: &Seen| {
        (
            400,
            json!({"__type": "ResourceNotFoundException", "message": "Account plan state could not be found"}),
        )
    }));
    assert_eq!(cloud.billing.account_plan().unwrap(), None);
}

/// Built from the model: the model's AccessDeniedException example says only "Access denied";
/// the message here is IAM's usual wording for the missing action.
#[test]
fn free_tier_access_denied_is_classified() {
    let (cloud, _) = free_tier(Arc::new(|_req: &Seen| {
        (
            400,
            json!({"__type": "AccessDeniedException", "message": "User: arn:aws:iam::556312345678:user/student is not authorized to perform: freetier:GetFreeTierUsage"}),
        )
    }));
    let err = cloud.billing.free_tier_usage().unwrap_err();
    assert_eq!(err.kind, CloudErrorKind::AccessDenied, "{err:?}");
    assert_eq!(err.action, "freetier:GetFreeTierUsage");
}
