//! Contract: the ELBv2 adapter (`DescribeLoadBalancers`, `DescribeTargetGroups`,
//! `DescribeTargetHealth`) against every real body of `tests/data/aws/elbv2/`. ELBv2 speaks
//! awsQuery (XML) and AWS publishes no XML body for these operations: the CLI / botocore files are
//! the parsed shape, rendered back to XML member by member following the botocore model's member
//! names (`contract::query_xml`; lists as `<member>`, `CreatedTime` stays ISO-8601 text, which is
//! the XML wire form).

use crate::contract::{REGION, json_of, query_xml, replay, respond, text};
use lecture06::cloud::elb::{HealthCheck, LoadBalancer, TargetGroup, TargetHealth};
use serde_json::Value;

const NAMESPACE: &str = "http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/";
const LB_ARN: &str = "arn:aws:elasticloadbalancing:us-west-2:123456789012:loadbalancer/app/my-load-balancer/50dc6c495c0c9188";
const TG_ARN: &str =
    "arn:aws:elasticloadbalancing:us-west-2:123456789012:targetgroup/my-targets/73e2d6bc24d8a067";

fn elb_cloud(operation: &'static str, body: Value) -> lecture06::cloud::Cloud {
    let xml = query_xml(operation, NAMESPACE, &body, &[]);
    replay(move |sent| {
        assert_eq!(sent.operation, operation);
        respond(200, "text/xml", xml.clone().into_bytes())
    })
    .0
}

#[test]
fn describe_load_balancers_examples_map_the_alb() {
    for file in [
        "DescribeLoadBalancers__awscli-example-alb.json",
        "DescribeLoadBalancers__botocore-example-alb.json",
    ] {
        let cloud = elb_cloud("DescribeLoadBalancers", json_of(&format!("elbv2/{file}")));
        assert_eq!(
            cloud.elb.load_balancers(REGION).unwrap(),
            [LoadBalancer {
                arn: LB_ARN.into(),
                name: "my-load-balancer".into(),
                dns_name: "my-load-balancer-424835706.us-west-2.elb.amazonaws.com".into(),
                kind: "application".into(),
                state: "active".into(),
                scheme: "internet-facing".into(),
                availability_zones: vec!["us-west-2a".into(), "us-west-2b".into()],
            }],
            "{file}"
        );
    }
}

#[test]
fn describe_target_groups_examples_map_the_group_and_its_health_check() {
    // Both examples use the default health-check settings (30 s, 5 s, 5, 2, "/"), so these
    // fields cannot tell a parsed value from the adapter's default; the name, ARN and protocol can.
    for file in [
        "DescribeTargetGroups__awscli-example-http-healthcheck.json",
        "DescribeTargetGroups__botocore-example.json",
    ] {
        let cloud = elb_cloud("DescribeTargetGroups", json_of(&format!("elbv2/{file}")));
        assert_eq!(
            cloud.elb.target_groups(REGION, LB_ARN).unwrap(),
            [TargetGroup {
                arn: TG_ARN.into(),
                name: "my-targets".into(),
                protocol: "HTTP".into(),
                port: 80,
                health_check: HealthCheck {
                    interval_seconds: 30,
                    timeout_seconds: 5,
                    healthy_threshold: 5,
                    unhealthy_threshold: 2,
                    path: "/".into(),
                    protocol: "HTTP".into(),
                    port: "traffic-port".into(),
                    matcher: "200".into(),
                },
            }],
            "{file}"
        );
    }
}

fn health(
    id: &str,
    port: Option<u32>,
    state: &str,
    reason: Option<&str>,
    description: Option<&str>,
) -> TargetHealth {
    TargetHealth {
        id: id.into(),
        port,
        state: state.into(),
        reason: reason.map(str::to_string),
        description: description.map(str::to_string),
    }
}

#[test]
fn describe_target_health_examples_give_each_state_and_reason() {
    let healthy = |id| health(id, Some(80), "healthy", None, None);
    let cases: Vec<(&str, Vec<TargetHealth>)> = vec![
        (
            "DescribeTargetHealth__awscli-example-initial-registration.json",
            vec![health(
                "i-0f76fade",
                Some(80),
                "initial",
                Some("Elb.RegistrationInProgress"),
                Some("Target registration is in progress"),
            )],
        ),
        (
            "DescribeTargetHealth__awscli-example-one-healthy.json",
            vec![healthy("i-0f76fade")],
        ),
        (
            "DescribeTargetHealth__awscli-example-two-healthy.json",
            vec![healthy("i-ceddcd4d"), healthy("i-0f76fade")],
        ),
        (
            "DescribeTargetHealth__awscli-example-unhealthy-timeout.json",
            vec![health(
                "i-0f76fade",
                Some(80),
                "unhealthy",
                Some("Target.Timeout"),
                Some("Connection to target timed out"),
            )],
        ),
        (
            "DescribeTargetHealth__awscli-example-unused-notinuse.json",
            vec![health(
                "i-0f76fade",
                Some(80),
                "unused",
                Some("Target.NotInUse"),
                Some("Target group is not configured to receive traffic from the load balancer"),
            )],
        ),
        (
            "DescribeTargetHealth__botocore-example-one-healthy.json",
            vec![healthy("i-0f76fade")],
        ),
        (
            "DescribeTargetHealth__botocore-example-unused-and-healthy.json",
            vec![
                health(
                    "i-0f76fade",
                    Some(80),
                    "unused",
                    Some("Target.NotInUse"),
                    Some("Given target group is not configured to receive traffic from ELB"),
                ),
                healthy("i-0f76fade"),
            ],
        ),
    ];
    for (file, expected) in cases {
        let cloud = elb_cloud("DescribeTargetHealth", json_of(&format!("elbv2/{file}")));
        assert_eq!(
            cloud.elb.target_health(REGION, TG_ARN).unwrap(),
            expected,
            "{file}"
        );
    }
}

#[test]
fn describe_target_health_lambda_example_has_no_port_and_is_unavailable() {
    // The aws-cli example is not valid JSON in its source (a doc bug): a trailing comma after
    // `"AvailabilityZone": "all"`. That one comma is removed here; nothing else is changed.
    let file = "elbv2/DescribeTargetHealth__awscli-example-lambda-unavailable.INVALID-JSON.txt";
    let raw = text(file);
    let fixed = raw.replacen(
        "\"AvailabilityZone\": \"all\",",
        "\"AvailabilityZone\": \"all\"",
        1,
    );
    assert_ne!(raw, fixed, "the known trailing comma is there");
    let cloud = elb_cloud(
        "DescribeTargetHealth",
        serde_json::from_str(&fixed).unwrap(),
    );
    assert_eq!(
        cloud.elb.target_health(REGION, TG_ARN).unwrap(),
        [health(
            "arn:aws:lambda:us-west-2:123456789012:function:my-function",
            None,
            "unavailable",
            Some("Target.HealthCheckDisabled"),
            Some("Health checks are not enabled for this target"),
        )]
    );
}
