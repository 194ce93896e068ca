//! Contract: the billing adapter (`ce:GetCostAndUsage`, JSON 1.1; `freetier:GetAccountPlanState`,
//! JSON 1.0) against every real body of `tests/data/aws/ce/` and `tests/data/aws/freetier/`.
//! Both files go out unchanged: Cost Explorer's dates are strings on the wire, and the Free Tier
//! model gives `accountPlanExpirationDate` `timestampFormat: date-time`, so on its JSON 1.0 wire
//! it is the same ISO text as in the model example (the SDK refuses epoch seconds there).

use crate::contract::{Sent, json_of, replay, respond};
use chrono::NaiveDate;
use lecture06::cloud::CloudErrorKind;
use lecture06::cloud::billing::{AccountPlan, CostQuery, PlanType};
use lecture06::money::Amount;
use serde_json::{Value, json};

fn ce_cloud(body: Value) -> (lecture06::cloud::Cloud, crate::contract::Log) {
    replay(move |sent: &Sent| {
        assert_eq!(sent.operation, "AWSInsightsIndexService.GetCostAndUsage");
        assert!(sent.host.contains("us-east-1"), "{}", sent.host);
        respond(
            200,
            "application/x-amz-json-1.1",
            body.to_string().into_bytes(),
        )
    })
}

fn day(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

fn amount(text: &str) -> Amount {
    Amount::parse(text).unwrap()
}

#[test]
fn cost_and_usage_cli_example_keeps_the_exact_unblended_amounts() {
    let (cloud, log) = ce_cloud(json_of(
        "ce/GetCostAndUsage__awscli-example-groupby-service-and-tag.json",
    ));
    let answer = cloud
        .billing
        .cost_and_usage(&CostQuery {
            start: day("2017-09-01"),
            end: day("2017-10-01"),
        })
        .unwrap();
    assert_eq!(answer.requests, 1);
    let lines: Vec<_> = answer
        .lines
        .iter()
        .map(|l| {
            (
                l.month,
                l.service.as_str(),
                l.record_type.as_str(),
                l.amount,
                l.unit.as_str(),
                l.estimated,
            )
        })
        .collect();
    // The example was grouped by SERVICE and a tag, so its second key is the tag's; the adapter
    // takes the second key as it comes. UnblendedCost, not BlendedCost (40.3527508453).
    assert_eq!(
        lines,
        [
            (
                day("2017-09-01"),
                "Amazon Simple Storage Service",
                "Environment$",
                amount("40.3543773134"),
                "USD",
                false
            ),
            (
                day("2017-09-01"),
                "Amazon Simple Storage Service",
                "Environment$Dev",
                amount("0.2682364644"),
                "USD",
                false
            ),
        ]
    );
    let request = log.lock().unwrap()[0].json();
    assert_eq!(request["Metrics"], json!(["UnblendedCost"]));
    assert_eq!(
        request["TimePeriod"],
        json!({"Start": "2017-09-01", "End": "2017-10-01"})
    );
}

#[test]
fn cost_and_usage_six_month_sample_gives_every_group_of_every_month() {
    let body =
        json_of("ce/GetCostAndUsage__cloudscape-sample-groupby-service-monthly-2023.derived.json");
    // The oracle, counted from the file itself: one line per group of each month.
    let groups: usize = body["ResultsByTime"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["Groups"].as_array().unwrap().len())
        .sum();
    let (cloud, _) = ce_cloud(body);
    let answer = cloud
        .billing
        .cost_and_usage(&CostQuery {
            start: day("2023-04-01"),
            end: day("2023-10-01"),
        })
        .unwrap();
    assert_eq!(answer.lines.len(), groups);
    let months: std::collections::BTreeSet<_> = answer.lines.iter().map(|l| l.month).collect();
    assert_eq!(months.len(), 6);
    assert_eq!(months.first(), Some(&day("2023-04-01")));
    let april_ec2_other = answer
        .lines
        .iter()
        .find(|l| l.month == day("2023-04-01") && l.service == "EC2 - Other")
        .expect("EC2 - Other in April");
    assert_eq!(april_ec2_other.amount, amount("7.895000056"));
    // Grouped by SERVICE only: no second key, the adapter's "Usage".
    assert_eq!(april_ec2_other.record_type, "Usage");
    let glacier = answer
        .lines
        .iter()
        .find(|l| l.month == day("2023-04-01") && l.service == "Amazon Glacier")
        .unwrap();
    assert_eq!(
        glacier.amount,
        amount("0.0000000282"),
        "ten decimals kept exactly"
    );
}

fn freetier_cloud(status: u16, body: Value) -> lecture06::cloud::Cloud {
    replay(move |sent: &Sent| {
        assert_eq!(sent.operation, "AWSFreeTierService.GetAccountPlanState");
        respond(
            status,
            "application/x-amz-json-1.0",
            body.to_string().into_bytes(),
        )
    })
    .0
}

#[test]
fn account_plan_model_example_is_a_free_plan_with_its_credits_and_end() {
    for (file, body) in [
        (
            "free-active",
            json_of("freetier/GetAccountPlanState__model-example-free-active.json"),
        ),
        (
            "examples-all[0]",
            json_of("freetier/GetAccountPlanState__model-examples-all.json")[0]["output"].clone(),
        ),
    ] {
        let plan = freetier_cloud(200, body).billing.account_plan().unwrap();
        assert_eq!(
            plan,
            Some(AccountPlan {
                plan_type: PlanType::Free,
                status: "ACTIVE".into(),
                remaining_credits: Some(amount("25")),
                credits_unit: Some("USD".into()),
                expires: Some("2025-06-30T23:59:59Z".parse().unwrap()),
            }),
            "{file}"
        );
    }
}

#[test]
fn account_plan_model_error_examples_are_classified() {
    // The error examples give the error's shape ID and message; the awsJson1_0 error body carries
    // them as `__type` and `message`. The HTTP statuses are the API reference's
    // (docs.aws.amazon.com/aws-cost-management/latest/APIReference/API_freetier_GetAccountPlanState.html,
    // "Errors"): 400 for AccessDeniedException, ResourceNotFoundException, ThrottlingException and
    // ValidationException, 500 for InternalServerException. The code, not the status, decides.
    let examples = json_of("freetier/GetAccountPlanState__model-examples-all.json");
    let mut errors = 0;
    for example in examples.as_array().unwrap() {
        let Some(error) = example.get("error") else {
            continue;
        };
        errors += 1;
        let shape = error["shapeId"].as_str().unwrap();
        let body = json!({"__type": shape, "message": error["content"]["message"]});
        let status = match shape.rsplit('#').next().unwrap() {
            "InternalServerException" => 500,
            _ => 400,
        };
        let result = freetier_cloud(status, body).billing.account_plan();
        match shape {
            // No plan record: not an error, the step falls back to asking.
            "com.amazonaws.freetier#ResourceNotFoundException" => {
                assert_eq!(result.expect("no plan is not an error"), None)
            }
            _ => {
                let err = result.expect_err(shape);
                let kind = match shape {
                    "com.amazonaws.freetier#AccessDeniedException" => CloudErrorKind::AccessDenied,
                    "com.amazonaws.freetier#ThrottlingException" => CloudErrorKind::Throttled,
                    // The service's own failure (issue 22): said as such, with advice.
                    "com.amazonaws.freetier#InternalServerException" => {
                        CloudErrorKind::ServerFailing
                    }
                    _ => CloudErrorKind::Other,
                };
                assert_eq!(err.kind, kind, "{shape}: {err:?}");
                assert_eq!(err.action, "freetier:GetAccountPlanState");
                assert_eq!(err.message, error["content"]["message"], "{shape}");
            }
        }
    }
    assert_eq!(errors, 4);
}
