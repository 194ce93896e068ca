//! The bill: "what did each service cost, month by month" (Cost Explorer) and "where do I stand
//! against the Free Tier" (the Free Tier API). Both services answer from us-east-1 only; the
//! implementations take care of that. Money is an exact `Amount`, never a float.

use super::CloudError;
use crate::money::Amount;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// One `GetCostAndUsage` question: MONTHLY, UnblendedCost, grouped by SERVICE and RECORD_TYPE,
/// `start` inclusive, `end` exclusive (both the first of a month).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CostQuery {
    pub start: NaiveDate,
    pub end: NaiveDate,
}

pub const METRIC: &str = "UnblendedCost";
pub const GROUP_BY: [&str; 2] = ["SERVICE", "RECORD_TYPE"];

/// One group of one month: a service's amount of one record type (`Usage`, `Credit`, `Refund`,
/// `Tax`, …).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CostLine {
    /// The month's first day (the period's `Start`).
    pub month: NaiveDate,
    pub service: String,
    pub record_type: String,
    pub amount: Amount,
    pub unit: String,
    /// Cost Explorer's `Estimated`: the month is not closed yet.
    pub estimated: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CostAnswer {
    pub lines: Vec<CostLine>,
    /// Paid requests this answer took (one per page).
    pub requests: usize,
}

/// One Free Tier offer with usage this month (`GetFreeTierUsage`). Usage figures are quantities
/// (GB-Mo, hours, requests), not money.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FreeTierOffer {
    pub service: String,
    pub usage_type: String,
    pub operation: String,
    pub region: String,
    pub actual: f64,
    pub forecast: f64,
    pub limit: f64,
    pub unit: String,
    pub description: String,
    /// `12 Months Free`, `Always Free`, `Free Trial`…
    pub free_tier_type: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum PlanType {
    Free,
    Paid,
}

/// `GetAccountPlanState`: the credit-based Free plan of accounts made since 2025-07-15, or Paid.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AccountPlan {
    pub plan_type: PlanType,
    /// `NOT_STARTED`, `ACTIVE`, `EXPIRED`.
    pub status: String,
    pub remaining_credits: Option<Amount>,
    pub credits_unit: Option<String>,
    pub expires: Option<DateTime<Utc>>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FreeTierUsage {
    pub offers: Vec<FreeTierOffer>,
    /// Requests made (pages).
    pub requests: usize,
}

pub trait Billing: Send + Sync {
    /// Cost and usage by service and record type, every page (each one a paid request).
    fn cost_and_usage(&self, query: &CostQuery) -> Result<CostAnswer, CloudError>;
    /// The Free Tier offers used this month, every page.
    fn free_tier_usage(&self) -> Result<FreeTierUsage, CloudError>;
    /// `None` when the account has no plan record (the API's ResourceNotFound).
    fn account_plan(&self) -> Result<Option<AccountPlan>, CloudError>;
}
