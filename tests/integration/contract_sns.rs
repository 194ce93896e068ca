//! Contract: the SNS adapter (`Subscribe`, `ListSubscriptionsByTopic`,
//! `GetSubscriptionAttributes`, awsQuery XML) against every real body of `tests/data/aws/sns/`.
//! botocore's `.xml` fixtures are the SNS API reference's sample wire bodies and are replayed
//! byte for byte; the CLI / LocalStack JSON files are the parsed shape, rendered back to XML
//! (`contract::query_xml`: `Subscriptions` items as `<member>`, the `Attributes` map as
//! `<entry><key/><value/></entry>`, and the `DeliveryPolicy` objects LocalStack parsed back into
//! the JSON strings they are on the wire).

use crate::contract::{REGION, json_of, query_xml, replay, respond, text};
use lecture06::cloud::CloudErrorKind;
use lecture06::cloud::notify::Subscription;
use serde_json::{Map, Value};

const NAMESPACE: &str = "http://sns.amazonaws.com/doc/2010-03-31/";
const TOPIC: &str = "arn:aws:sns:us-east-1:123456789012:My-Topic";

/// A cloud whose SNS answers `operation` with `xml`.
fn sns_cloud(
    operation: &'static str,
    xml: String,
) -> (lecture06::cloud::Cloud, crate::contract::Log) {
    replay(move |sent| {
        assert_eq!(sent.operation, operation);
        respond(200, "text/xml", xml.clone().into_bytes())
    })
}

fn rendered(operation: &str, file: &str) -> String {
    query_xml(
        operation,
        NAMESPACE,
        &json_of(&format!("sns/{file}")),
        &["Attributes"],
    )
}

#[test]
fn subscribe_answering_pending_confirmation_is_not_taken_for_an_arn() {
    // Every published Subscribe example answers a request without ReturnSubscriptionArn: the
    // literal "pending confirmation". lecture06 sends ReturnSubscriptionArn=true and records the
    // answer as the subscription's ARN (to check and to clean up later), so such an answer must
    // be an error that says what to do, never a recorded "ARN".
    for (file, xml) in [
        (
            "Subscribe__botocore-fixture-pending-confirmation.xml",
            text("sns/Subscribe__botocore-fixture-pending-confirmation.xml"),
        ),
        (
            "Subscribe__awscli-example-email-pending.json",
            rendered("Subscribe", "Subscribe__awscli-example-email-pending.json"),
        ),
        (
            "Subscribe__localstack-snapshot-http-pending-confirmation.json",
            rendered(
                "Subscribe",
                "Subscribe__localstack-snapshot-http-pending-confirmation.json",
            ),
        ),
    ] {
        let (cloud, log) = sns_cloud("Subscribe", xml);
        let err = cloud
            .sns
            .subscribe_email(REGION, TOPIC, "student@example.com")
            .expect_err(file);
        assert_eq!(err.kind, CloudErrorKind::Other, "{file}");
        assert_eq!(err.action, "sns:Subscribe");
        assert!(
            err.message.contains("pending confirmation"),
            "{file}: {}",
            err.message
        );
        assert!(err.message.contains("Confirm"), "{file}: {}", err.message);
        let form = log.lock().unwrap()[0].form();
        assert!(form.contains("ReturnSubscriptionArn=true"), "{form}");
        assert!(form.contains("Protocol=email"), "{form}");
    }
}

#[test]
fn list_subscriptions_by_topic_examples_map_confirmed_subscriptions() {
    for (xml, arn, endpoint) in [
        (
            text("sns/ListSubscriptionsByTopic__botocore-fixture-email.xml"),
            "arn:aws:sns:us-east-1:123456789012:My-Topic:80289ba6-0fd4-4079-afb4-ce8c8260f0ca",
            "example@amazon.com",
        ),
        (
            rendered(
                "ListSubscriptionsByTopic",
                "ListSubscriptionsByTopic__awscli-example-confirmed-email.json",
            ),
            "arn:aws:sns:us-west-2:123456789012:my-topic:8a21d249-4329-4871-acc6-7be709c6ea7f",
            "my-email@example.com",
        ),
    ] {
        let (cloud, _) = sns_cloud("ListSubscriptionsByTopic", xml);
        let listed = cloud.sns.subscriptions(REGION, TOPIC).unwrap();
        assert_eq!(
            listed,
            [Subscription {
                arn: arn.into(),
                protocol: "email".into(),
                endpoint: endpoint.into(),
            }]
        );
        assert!(listed[0].confirmed());
    }
}

#[test]
fn list_subscriptions_by_topic_captured_pending_row_is_not_confirmed() {
    // An AWS doc writer's console.log of the JS SDK's parsed answer (a JS object literal in
    // comments, not a body): its subscription's members are read off the `//   Key: 'value'`
    // lines and rendered to XML like the CLI files.
    let capture =
        text("sns/ListSubscriptionsByTopic__awsdocs-js-console-capture-pendingconfirmation.js.txt");
    let mut member = Map::new();
    for line in capture.lines() {
        let line = line.trim_start().trim_start_matches("//").trim();
        let Some((key, value)) = line.split_once(": '") else {
            continue;
        };
        if [
            "SubscriptionArn",
            "Owner",
            "Protocol",
            "Endpoint",
            "TopicArn",
        ]
        .contains(&key)
        {
            let value = value.trim_end_matches(',').trim_end_matches('\'');
            member.insert(key.into(), Value::String(value.into()));
        }
    }
    assert_eq!(member.len(), 5, "{member:?}");
    let body = serde_json::json!({ "Subscriptions": [member] });
    let (cloud, _) = sns_cloud(
        "ListSubscriptionsByTopic",
        query_xml("ListSubscriptionsByTopic", NAMESPACE, &body, &[]),
    );
    let listed = cloud.sns.subscriptions(REGION, TOPIC).unwrap();
    assert_eq!(
        listed,
        [Subscription {
            arn: "PendingConfirmation".into(),
            protocol: "email".into(),
            endpoint: "corepyle@amazon.com".into(),
        }]
    );
    assert!(!listed[0].confirmed());
}

#[test]
fn get_subscription_attributes_examples_say_whether_confirmation_is_pending() {
    const ARN: &str =
        "arn:aws:sns:us-east-1:123456789012:My-Topic:80289ba6-0fd4-4079-afb4-ce8c8260f0ca";
    for (file, xml, pending) in [
        // Old samples without the PendingConfirmation key, both of confirmed subscriptions.
        (
            "botocore fixture",
            text("sns/GetSubscriptionAttributes__botocore-fixture.xml"),
            false,
        ),
        (
            "aws-cli example",
            rendered(
                "GetSubscriptionAttributes",
                "GetSubscriptionAttributes__awscli-example-email.json",
            ),
            false,
        ),
        (
            "LocalStack capture",
            rendered(
                "GetSubscriptionAttributes",
                "GetSubscriptionAttributes__localstack-snapshot-http-pendingconfirmation-true.json",
            ),
            true,
        ),
    ] {
        let (cloud, log) = sns_cloud("GetSubscriptionAttributes", xml);
        assert_eq!(
            cloud.sns.subscription_pending(REGION, ARN).unwrap(),
            Some(pending),
            "{file}"
        );
        assert!(
            log.lock().unwrap()[0]
                .form()
                .contains("SubscriptionArn=arn%3Aaws%3Asns")
        );
    }
}
