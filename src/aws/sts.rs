//! `sts:GetCallerIdentity`: who and where the student is, shown before anything else runs.

use super::{Aws, classify};
use crate::cloud::{Caller, CloudError, Identity};

pub struct StsAdapter {
    aws: Aws,
    client: aws_sdk_sts::Client,
}

impl StsAdapter {
    pub fn new(aws: Aws) -> StsAdapter {
        let client = aws_sdk_sts::Client::new(&aws.config);
        StsAdapter { aws, client }
    }
}

impl Identity for StsAdapter {
    fn caller(&self) -> Result<Caller, CloudError> {
        let region = self.aws.region();
        let out = self
            .aws
            .block_on(self.client.get_caller_identity().send())
            .map_err(|e| classify(e, "sts:GetCallerIdentity").in_region(&region))?;
        Ok(Caller {
            account: out.account().unwrap_or_default().to_string(),
            arn: out.arn().unwrap_or_default().to_string(),
            user_id: out.user_id().unwrap_or_default().to_string(),
        })
    }
}
