//! `lecture06 iam-policy [--step STEP]`: the IAM policy that lets lecture06 do the assignment and
//! nothing else — every action it calls, one statement per part of the work, so a student
//! working as an IAM user with a hand-made policy can attach exactly this. Every AccessDenied
//! message points here. The table below is the one list of what lecture06 needs; a test checks
//! it against the actions the AWS adapters name.

use crate::error::AppResult;
use crate::step_id::StepId;
use serde_json::{Value, json};

/// Which part of the work needs an action.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part {
    /// Every command that talks to AWS: who am I.
    Always,
    Step(StepId),
    /// `trail search --s3` and the CloudTrail step's archive fallback.
    TrailS3,
    /// `trail search --athena`.
    TrailAthena,
    Cleanup,
}

/// `(part, actions)`: every action lecture06 calls, and those AWS checks on its behalf (tags given
/// at creation, Glue's catalog behind Athena's DDL, Athena writing its results to S3).
pub const PERMISSIONS: &[(Part, &[&str])] = &[
    (Part::Always, &["sts:GetCallerIdentity"]),
    (
        Part::Step(StepId::Cloudtrail),
        &["cloudtrail:LookupEvents", "cloudtrail:DescribeTrails"],
    ),
    (
        Part::Step(StepId::Alarm),
        &[
            "elasticloadbalancing:DescribeLoadBalancers",
            "elasticloadbalancing:DescribeTargetGroups",
            "sns:ListTopics",
            "sns:CreateTopic",
            "sns:TagResource",
            "sns:GetTopicAttributes",
            "sns:ListSubscriptionsByTopic",
            "sns:Subscribe",
            "sns:GetSubscriptionAttributes",
            "cloudwatch:PutMetricAlarm",
            "cloudwatch:TagResource",
            "cloudwatch:ListTagsForResource",
            "cloudwatch:DescribeAlarms",
            "cloudwatch:SetAlarmState",
            "sns:ListTagsForResource",
        ],
    ),
    (
        Part::Step(StepId::Transitions),
        &[
            "elasticloadbalancing:DescribeTargetGroups",
            "elasticloadbalancing:DescribeTargetHealth",
            "elasticloadbalancing:ModifyTargetGroup",
            "cloudwatch:DescribeAlarms",
            "cloudwatch:DescribeAlarmHistory",
            "cloudwatch:GetMetricData",
            "ssm:SendCommand",
            "ssm:GetCommandInvocation",
        ],
    ),
    (
        Part::Step(StepId::Estimate),
        &[
            "ec2:DescribeInstances",
            "ec2:DescribeVolumes",
            "ec2:DescribeAddresses",
            "ec2:DescribeNatGateways",
            "ec2:DescribeRegions",
            "rds:DescribeDBInstances",
            "elasticloadbalancing:DescribeLoadBalancers",
            "s3:ListAllMyBuckets",
            "s3:GetBucketLocation",
            "cloudwatch:GetMetricStatistics",
            "pricing:GetProducts",
        ],
    ),
    (
        Part::Step(StepId::Billing),
        &[
            "ce:GetCostAndUsage",
            "freetier:GetFreeTierUsage",
            "freetier:GetAccountPlanState",
            // The sweep of the other Regions for what still costs money (the estimate's): the
            // Regions, then in each what the estimate lists there.
            "ec2:DescribeRegions",
            "ec2:DescribeInstances",
            "ec2:DescribeVolumes",
            "ec2:DescribeAddresses",
            "ec2:DescribeNatGateways",
            "rds:DescribeDBInstances",
            "elasticloadbalancing:DescribeLoadBalancers",
        ],
    ),
    (
        Part::TrailS3,
        &["s3:ListBucket", "s3:GetObject", "s3:GetBucketLocation"],
    ),
    (
        Part::TrailAthena,
        &[
            "athena:StartQueryExecution",
            "athena:GetQueryExecution",
            "athena:GetQueryResults",
            "glue:CreateDatabase",
            "glue:GetDatabase",
            "glue:CreateTable",
            "glue:GetTable",
            "s3:PutObject",
        ],
    ),
    (
        Part::Cleanup,
        &[
            "cloudwatch:DeleteAlarms",
            "elasticloadbalancing:ModifyTargetGroup",
            // What `trail search --athena` made: dropped through Athena, results deleted.
            "athena:StartQueryExecution",
            "athena:GetQueryExecution",
            "glue:DeleteTable",
            "glue:DeleteDatabase",
            "glue:GetTable",
            "glue:GetDatabase",
            "s3:GetBucketLocation",
            "s3:ListBucket",
            "s3:PutObject",
            "s3:DeleteObject",
            "cloudwatch:ListTagsForResource",
            "sns:ListTagsForResource",
            "sns:Unsubscribe",
            "sns:DeleteTopic",
        ],
    ),
];

impl Part {
    fn sid(self) -> String {
        match self {
            Part::Always => "Lecture06Identity".into(),
            Part::Step(step) => {
                let id = step.id();
                let mut chars = id.chars();
                let first = chars.next().map(|c| c.to_ascii_uppercase());
                format!("Lecture06{}{}", first.unwrap_or_default(), chars.as_str())
            }
            Part::TrailS3 => "Lecture06TrailArchive".into(),
            Part::TrailAthena => "Lecture06TrailAthena".into(),
            Part::Cleanup => "Lecture06Cleanup".into(),
        }
    }

    /// Which parts a policy for `step` holds: the step itself, what it falls back on, and what
    /// every command needs.
    fn belongs_to(self, step: Option<StepId>) -> bool {
        match (step, self) {
            (None, _) | (_, Part::Always) => true,
            (Some(wanted), Part::Step(s)) => s == wanted,
            // The CloudTrail step reads the trail's bucket when event history has nothing.
            (Some(StepId::Cloudtrail), Part::TrailS3) => true,
            // The alarm step's resources are what cleanup deletes.
            (Some(StepId::Alarm), Part::Cleanup) => true,
            _ => false,
        }
    }
}

/// The policy document for the whole assignment, or for one step.
pub fn policy(step: Option<StepId>) -> Value {
    let statements: Vec<Value> = PERMISSIONS
        .iter()
        .filter(|(part, _)| part.belongs_to(step))
        .map(|(part, actions)| {
            json!({
                "Sid": part.sid(),
                "Effect": "Allow",
                "Action": actions,
                "Resource": "*",
            })
        })
        .collect();
    json!({ "Version": "2012-10-17", "Statement": statements })
}

pub fn iam_policy(step: Option<StepId>) -> AppResult<()> {
    let text = serde_json::to_string_pretty(&policy(step)).map_err(anyhow::Error::from)?;
    println!("{text}");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_step_policy_holds_that_step_and_the_identity_only() {
        let billing = policy(Some(StepId::Billing));
        let sids: Vec<&str> = billing["Statement"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["Sid"].as_str().unwrap())
            .collect();
        assert_eq!(sids, ["Lecture06Identity", "Lecture06Billing"]);
        let all = policy(None);
        assert_eq!(
            all["Statement"].as_array().unwrap().len(),
            PERMISSIONS.len()
        );
    }
}
