//! What the contract tests share: the real AWS bodies in `tests/data/aws/` (see its SOURCES.md)
//! and the real adapters on a replayed HTTP client that answers with them. Only the network is
//! replaced: the SDK's own serializers, deserializers and our mapping into `cloud::*` types run.
//!
//! The files are what AWS published, mostly in the AWS CLI's parsed form; each test turns them
//! into the bytes the SDK expects on the wire, and only in these documented ways:
//! - JSON 1.0/1.1 (CloudTrail, Cost Explorer, Free Tier): the CLI prints timestamps as ISO-8601
//!   text where the wire carries epoch seconds ([`epoch_seconds`]).
//! - Smithy RPC v2 CBOR (CloudWatch, the SDK's protocol since 1.100): the JSON is encoded as CBOR,
//!   timestamps as tag-1 epoch times (`wire_alarm::to_cbor_bytes`).
//! - awsQuery XML (ELBv2, SNS): the CLI's parsed shape is rendered back to XML member by member
//!   ([`query_xml`]); botocore's `.xml` fixtures already are wire bodies and go out unchanged.

use aws_smithy_types::body::SdkBody;
use lecture06::aws::Aws;
use lecture06::cloud::Cloud;
use serde_json::{Value, json};
use std::path::Path;
use std::sync::{Arc, Mutex};

pub(crate) const REGION: &str = "ap-northeast-1";

/// A file of `tests/data/aws/`, e.g. `sns/Subscribe__botocore-fixture-pending-confirmation.xml`.
pub(crate) fn text(path: &str) -> String {
    let full = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/aws")
        .join(path);
    std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{}: {e}", full.display()))
}

/// A JSON file of `tests/data/aws/`, without the `ResponseMetadata` boto3 adds to what it parsed
/// (LocalStack snapshots keep it; it is not part of any response body).
pub(crate) fn json_of(path: &str) -> Value {
    let mut value: Value = serde_json::from_str(&text(path)).unwrap();
    if let Some(map) = value.as_object_mut() {
        map.remove("ResponseMetadata");
    }
    value
}

/// One request as the SDK sent it.
#[derive(Clone, Debug)]
pub(crate) struct Sent {
    /// `X-Amz-Target` (JSON protocols), the last path segment (RPC v2 CBOR), or the form's
    /// `Action` (awsQuery).
    pub operation: String,
    pub host: String,
    pub body: Vec<u8>,
}

impl Sent {
    /// The JSON request body (JSON 1.0/1.1).
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(json!({}))
    }

    /// The CBOR request body as JSON (RPC v2 CBOR).
    pub fn cbor(&self) -> Value {
        crate::wire_alarm::cbor_to_json(&ciborium::from_reader(self.body.as_slice()).unwrap())
    }

    /// The form body (awsQuery).
    pub fn form(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

pub(crate) type Log = Arc<Mutex<Vec<Sent>>>;

/// An SDK configuration whose HTTP client answers every request with `answer`.
pub(crate) fn replay_config(
    answer: impl Fn(&Sent) -> http::Response<SdkBody> + Send + Sync + 'static,
) -> (aws_config::SdkConfig, Log) {
    let log: Log = Arc::new(Mutex::new(Vec::new()));
    let seen = log.clone();
    let client = aws_smithy_http_client::test_util::infallible_client_fn(
        move |req: http::Request<SdkBody>| {
            let body = req.body().bytes().unwrap_or_default().to_vec();
            let operation = match req.headers().get("x-amz-target") {
                Some(target) => target.to_str().unwrap().to_string(),
                None if req.uri().path().contains("/operation/") => {
                    req.uri().path().rsplit('/').next().unwrap().to_string()
                }
                None => String::from_utf8_lossy(&body)
                    .split('&')
                    .find_map(|pair| pair.strip_prefix("Action="))
                    .unwrap_or_default()
                    .to_string(),
            };
            let sent = Sent {
                operation,
                host: req.uri().host().unwrap_or_default().to_string(),
                body,
            };
            seen.lock().unwrap().push(sent.clone());
            answer(&sent)
        },
    );
    let config = crate::harness::sdk_config(REGION, None, Some(client), "AKIAIOSFODNN7EXAMPLE");
    (config, log)
}

/// The real adapters (`Aws::connect`) on a replayed HTTP client.
pub(crate) fn replay(
    answer: impl Fn(&Sent) -> http::Response<SdkBody> + Send + Sync + 'static,
) -> (Cloud, Log) {
    let (config, log) = replay_config(answer);
    (Aws::from_config(config).unwrap().connect(), log)
}

pub(crate) fn respond(status: u16, content_type: &str, body: Vec<u8>) -> http::Response<SdkBody> {
    let mut response = http::Response::builder()
        .status(status)
        .header("content-type", content_type);
    if content_type == "application/cbor" {
        response = response.header("smithy-protocol", "rpc-v2-cbor");
    }
    response.body(SdkBody::from(body)).unwrap()
}

/// The CLI prints JSON 1.0/1.1 timestamps as ISO-8601 text; on the wire they are epoch seconds
/// (the default `timestampFormat` of both protocols). Rewrites every member named in `members`.
pub(crate) fn epoch_seconds(value: &mut Value, members: &[&str]) {
    match value {
        Value::Object(map) => {
            for (key, item) in map.iter_mut() {
                if let (true, Some(iso)) = (members.contains(&key.as_str()), item.as_str()) {
                    let time = chrono::DateTime::parse_from_rfc3339(iso)
                        .unwrap_or_else(|e| panic!("{key}: {iso:?} is not ISO-8601: {e}"));
                    *item = json!(time.timestamp_millis() as f64 / 1000.0);
                } else {
                    epoch_seconds(item, members);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|i| epoch_seconds(i, members)),
        _ => {}
    }
}

/// An awsQuery response rendered from the CLI's parsed shape, following the botocore model's
/// member names (which the CLI prints unchanged): a structure member is an element of its name, a
/// list's items are `<member>`, a map (`maps` names them) is `<entry><key/><value/></entry>`, a
/// scalar is its text. `RequestId` is ours (no published body carries one we could reuse).
pub(crate) fn query_xml(operation: &str, namespace: &str, result: &Value, maps: &[&str]) -> String {
    fn escape(text: &str) -> String {
        text.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    }
    fn scalar(value: &Value) -> String {
        match value {
            Value::String(s) => escape(s),
            // A map value that boto3 parsed from a JSON string goes back to that string.
            other => escape(&other.to_string()),
        }
    }
    fn render(value: &Value, maps: &[&str], name: &str) -> String {
        match value {
            Value::Object(members) if maps.contains(&name) => members
                .iter()
                .map(|(k, v)| {
                    format!(
                        "<entry><key>{}</key><value>{}</value></entry>",
                        escape(k),
                        scalar(v)
                    )
                })
                .collect(),
            Value::Object(members) => members
                .iter()
                .map(|(k, v)| format!("<{k}>{}</{k}>", render(v, maps, k)))
                .collect(),
            Value::Array(items) => items
                .iter()
                .map(|item| format!("<member>{}</member>", render(item, maps, "")))
                .collect(),
            other => scalar(other),
        }
    }
    format!(
        "<{operation}Response xmlns=\"{namespace}\"><{operation}Result>{}</{operation}Result>\
         <ResponseMetadata><RequestId>contract-test</RequestId></ResponseMetadata></{operation}Response>",
        render(result, maps, "")
    )
}
