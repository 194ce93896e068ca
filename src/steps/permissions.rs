//! The IAM statements that are not one step's own: who-am-I (every command), reading a trail's
//! archive (`trail search`, and the CloudTrail step's fallback) and deleting what lecture06 made
//! (`cleanup`). Each step names its own actions next to its code (`Step::IAM_ACTIONS`) and the
//! shared statements it also needs (`Step::ALSO_NEEDS`); `iam-policy` puts them together.

/// A statement shared between commands, with its actions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SharedPermissions {
    /// Every command that talks to AWS: who am I.
    Identity,
    /// `trail search --s3` and the CloudTrail step's archive fallback.
    TrailArchive,
    /// `trail search --athena`.
    TrailAthena,
    /// `cleanup`.
    Cleanup,
}

impl SharedPermissions {
    pub const ALL: [SharedPermissions; 4] = [
        SharedPermissions::Identity,
        SharedPermissions::TrailArchive,
        SharedPermissions::TrailAthena,
        SharedPermissions::Cleanup,
    ];

    /// The statement's `Sid`.
    pub fn sid(self) -> &'static str {
        match self {
            SharedPermissions::Identity => "Lecture06Identity",
            SharedPermissions::TrailArchive => "Lecture06TrailArchive",
            SharedPermissions::TrailAthena => "Lecture06TrailAthena",
            SharedPermissions::Cleanup => "Lecture06Cleanup",
        }
    }

    /// Every action of the statement, including those AWS checks on lecture06's behalf (Glue's
    /// catalog behind Athena's DDL, Athena writing its results to S3).
    pub fn actions(self) -> &'static [&'static str] {
        match self {
            SharedPermissions::Identity => &["sts:GetCallerIdentity"],
            SharedPermissions::TrailArchive => {
                &["s3:ListBucket", "s3:GetObject", "s3:GetBucketLocation"]
            }
            SharedPermissions::TrailAthena => &[
                "athena:StartQueryExecution",
                "athena:GetQueryExecution",
                "athena:GetQueryResults",
                "glue:CreateDatabase",
                "glue:GetDatabase",
                "glue:CreateTable",
                "glue:GetTable",
                "s3:PutObject",
            ],
            SharedPermissions::Cleanup => &[
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
        }
    }
}
