//! Cost Explorer (`ce:GetCostAndUsage`) and the Free Tier API (`freetier:GetFreeTierUsage`,
//! `freetier:GetAccountPlanState`), both always asked in us-east-1 whatever the working Region.
//! Cost Explorer's amounts stay the decimal strings it sent, parsed into exact `Amount`s; the
//! Free Tier API's numbers are floats in the SDK model (usage quantities, and credits that are
//! turned back into the shortest decimal that reads as the same float).

use super::{Aws, classify};
use crate::cloud::billing::{
    AccountPlan, Billing, CostAnswer, CostLine, CostQuery, FreeTierOffer, FreeTierUsage, GROUP_BY,
    METRIC, PlanType,
};
use crate::cloud::{CloudError, CloudErrorKind};
use crate::money::Amount;
use aws_config::Region;
use aws_sdk_costexplorer::types::{
    DateInterval, Granularity, GroupDefinition, GroupDefinitionType,
};
use chrono::{DateTime, NaiveDate, Utc};

pub const BILLING_REGION: &str = "us-east-1";
const CE_ACTION: &str = "ce:GetCostAndUsage";
const USAGE_ACTION: &str = "freetier:GetFreeTierUsage";
const PLAN_ACTION: &str = "freetier:GetAccountPlanState";
/// Pages are followed up to this many, a guard against a token that never ends (each costs $0.01).
const MAX_PAGES: usize = 20;

pub struct BillingAdapter {
    aws: Aws,
    ce: aws_sdk_costexplorer::Client,
    freetier: aws_sdk_freetier::Client,
}

impl BillingAdapter {
    pub fn new(aws: Aws) -> BillingAdapter {
        let region = Region::new(BILLING_REGION);
        let ce = aws_sdk_costexplorer::Client::from_conf(
            aws_sdk_costexplorer::config::Builder::from(&aws.config)
                .region(region.clone())
                .build(),
        );
        let freetier = aws_sdk_freetier::Client::from_conf(
            aws_sdk_freetier::config::Builder::from(&aws.config)
                .region(region)
                .build(),
        );
        BillingAdapter { aws, ce, freetier }
    }
}

/// A Cost Explorer that was never opened answers with an access-denied code and its own message
/// (aws-samples/aws-cost-explorer-report issue #15: "An error occurred (AccessDeniedException)
/// when calling the GetCostAndUsage operation: User not enabled for cost explorer access"; see
/// `../shared/testdata/aws/SOURCES.md`). Both must agree: a plain AccessDeniedException is IAM.
pub fn cost_explorer_error(mut err: CloudError) -> CloudError {
    let code = err.code.as_deref().unwrap_or_default();
    if code.ends_with("AccessDeniedException")
        && err
            .message
            .to_ascii_lowercase()
            .contains("not enabled for cost explorer")
    {
        err.kind = CloudErrorKind::CostExplorerNotEnabled;
    }
    err
}

fn day(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text.get(..10)?, "%Y-%m-%d").ok()
}

impl Billing for BillingAdapter {
    fn cost_and_usage(&self, query: &CostQuery) -> Result<CostAnswer, CloudError> {
        let invalid = |e: &dyn std::fmt::Display| {
            CloudError::new(CloudErrorKind::InvalidInput, CE_ACTION, e.to_string())
                .in_region(BILLING_REGION)
        };
        let period = DateInterval::builder()
            .start(query.start.format("%Y-%m-%d").to_string())
            .end(query.end.format("%Y-%m-%d").to_string())
            .build()
            .map_err(|e| invalid(&e))?;
        let mut lines = Vec::new();
        let mut requests = 0;
        let mut token: Option<String> = None;
        loop {
            let mut request = self
                .ce
                .get_cost_and_usage()
                .time_period(period.clone())
                .granularity(Granularity::Monthly)
                .metrics(METRIC);
            for key in GROUP_BY {
                request = request.group_by(
                    GroupDefinition::builder()
                        .r#type(GroupDefinitionType::Dimension)
                        .key(key)
                        .build(),
                );
            }
            if let Some(token) = &token {
                request = request.next_page_token(token);
            }
            requests += 1;
            let out = self.aws.block_on(request.send()).map_err(|e| {
                cost_explorer_error(classify(e, CE_ACTION)).in_region(BILLING_REGION)
            })?;
            for result in out.results_by_time() {
                let Some(month) = result.time_period().and_then(|p| day(p.start())) else {
                    continue;
                };
                for group in result.groups() {
                    let keys = group.keys();
                    let Some(value) = group.metrics().and_then(|m| m.get(METRIC)) else {
                        continue;
                    };
                    let text = value.amount().unwrap_or("0");
                    let amount = Amount::parse(text).ok_or_else(|| {
                        CloudError::new(
                            CloudErrorKind::Other,
                            CE_ACTION,
                            format!("Cost Explorer sent an amount that is not a decimal: {text:?}"),
                        )
                    })?;
                    lines.push(CostLine {
                        month,
                        service: keys.first().cloned().unwrap_or_default(),
                        record_type: keys.get(1).cloned().unwrap_or_else(|| "Usage".into()),
                        amount,
                        unit: value.unit().unwrap_or("USD").to_string(),
                        estimated: result.estimated(),
                    });
                }
            }
            token = out
                .next_page_token()
                .filter(|t| !t.is_empty())
                .map(str::to_string);
            if token.is_none() || requests >= MAX_PAGES {
                break;
            }
        }
        Ok(CostAnswer { lines, requests })
    }

    fn free_tier_usage(&self) -> Result<FreeTierUsage, CloudError> {
        let mut offers = Vec::new();
        let mut requests = 0;
        let mut token: Option<String> = None;
        loop {
            let mut request = self.freetier.get_free_tier_usage().max_results(100);
            if let Some(token) = &token {
                request = request.next_token(token);
            }
            requests += 1;
            let out = self
                .aws
                .block_on(request.send())
                .map_err(|e| classify(e, USAGE_ACTION).in_region(BILLING_REGION))?;
            for usage in out.free_tier_usages() {
                offers.push(FreeTierOffer {
                    service: usage.service().unwrap_or_default().to_string(),
                    usage_type: usage.usage_type().unwrap_or_default().to_string(),
                    operation: usage.operation().unwrap_or_default().to_string(),
                    region: usage.region().unwrap_or_default().to_string(),
                    actual: usage.actual_usage_amount(),
                    forecast: usage.forecasted_usage_amount(),
                    limit: usage.limit(),
                    unit: usage.unit().unwrap_or_default().to_string(),
                    description: usage.description().unwrap_or_default().to_string(),
                    free_tier_type: usage.free_tier_type().unwrap_or_default().to_string(),
                });
            }
            token = out
                .next_token()
                .filter(|t| !t.is_empty())
                .map(str::to_string);
            if token.is_none() || requests >= MAX_PAGES {
                break;
            }
        }
        Ok(FreeTierUsage { offers, requests })
    }

    fn account_plan(&self) -> Result<Option<AccountPlan>, CloudError> {
        let out = match self
            .aws
            .block_on(self.freetier.get_account_plan_state().send())
        {
            Ok(out) => out,
            Err(err) => {
                let err = classify(err, PLAN_ACTION).in_region(BILLING_REGION);
                return if err.kind == CloudErrorKind::NotFound {
                    Ok(None)
                } else {
                    Err(err)
                };
            }
        };
        let plan_type = match out.account_plan_type().as_str() {
            "FREE" => PlanType::Free,
            _ => PlanType::Paid,
        };
        let credits = out.account_plan_remaining_credits();
        Ok(Some(AccountPlan {
            plan_type,
            status: out.account_plan_status().as_str().to_string(),
            remaining_credits: credits.and_then(|c| Amount::from_f64(c.amount())),
            credits_unit: credits.map(|c| c.unit().as_str().to_string()),
            expires: out
                .account_plan_expiration_date()
                .and_then(|d| DateTime::<Utc>::from_timestamp(d.secs(), d.subsec_nanos())),
        }))
    }
}
