//! The simulated account's bill, shaped like the seed report's: last month EC2 0.000032 USD
//! (split between `Amazon Elastic Compute Cloud - Compute` and `EC2 - Other`), a few cents of S3
//! and CloudTrail, S3 over its Free Tier storage because CloudTrail data events fill the trail
//! bucket, and the EBS snapshot allowance at 87 % on the 21st (Free Tier usage accrues through the
//! month). Months are the calendar months (UTC) of the sandbox clock. The account is a legacy
//! 12-month Free Tier account unless `[sandbox] plan` = `credit` (the Free plan of an account made
//! since 2025-07-15) or `paid-credit` (such an account upgraded to the Paid plan, its credits kept)
//! was given when the workspace was made; `[sandbox] cost_explorer` = `disabled`, `denied` or
//! `member` makes Cost Explorer refuse the way a real account would, and `[sandbox] free_tier_api`
//! = `plan-denied`, `plan-error` or `usage-error` makes the Free Tier API fail.
//!
//! Every Cost Explorer request is counted in the world (`ce_calls`) so tests can prove that
//! `report` and re-runs use the cached answer; every billing call is also counted by its IAM
//! action like the sandbox's other calls, so `LECTURE06_SANDBOX_CRASH_AFTER` can stop the process
//! right after one.

use super::events::Rng;
use super::settings::SandboxSettings;
use super::{Sandbox, World};
use crate::cloud::billing::{
    AccountPlan, Billing, CostAnswer, CostLine, CostQuery, FreeTierOffer, FreeTierUsage, PlanType,
};
use crate::cloud::{CloudError, CloudErrorKind};
use crate::money::Amount;
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SandboxPlan {
    /// An account made before 2025-07-15: the 12-month Free Tier, a Paid plan in the API.
    #[default]
    Legacy,
    /// The credit-based Free plan of accounts made since 2025-07-15.
    Credit,
    /// An account made since 2025-07-15 that upgraded to the Paid plan: its credits still pay
    /// (https://docs.aws.amazon.com/awsaccountbilling/latest/aboutv2/free-tier-plans.html).
    PaidCredit,
}

impl SandboxPlan {
    /// The account has Free Tier credits that pay its usage.
    fn has_credits(self) -> bool {
        self != SandboxPlan::Legacy
    }
}

/// How the Free Tier API answers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FreeTierApi {
    #[default]
    Ok,
    /// The IAM identity lacks freetier:GetAccountPlanState.
    PlanDenied,
    /// GetAccountPlanState answers HTTP 500 (InternalServerException).
    PlanError,
    /// GetFreeTierUsage answers HTTP 500 (InternalServerException).
    UsageError,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CostExplorerAccess {
    #[default]
    Enabled,
    /// Never opened in the console: AccessDeniedException "User not enabled for cost explorer
    /// access", as a real account answers (not an IAM problem; see `aws/billing.rs`).
    Disabled,
    /// The IAM identity lacks ce:GetCostAndUsage.
    Denied,
    /// An organization member account whose management account hides billing data.
    Member,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct BillingWorld {
    #[serde(default)]
    pub plan: SandboxPlan,
    #[serde(default)]
    pub cost_explorer: CostExplorerAccess,
    /// Cost Explorer requests made so far (each would cost $0.01).
    #[serde(default)]
    pub ce_calls: u32,
    #[serde(default)]
    pub freetier_calls: u32,
    #[serde(default)]
    pub free_tier_api: FreeTierApi,
}

impl BillingWorld {
    /// From the `[sandbox]` settings (already checked in settings.rs).
    pub fn from_settings(settings: &SandboxSettings) -> BillingWorld {
        BillingWorld {
            plan: match settings.plan.as_deref() {
                Some("credit") => SandboxPlan::Credit,
                Some("paid-credit") => SandboxPlan::PaidCredit,
                _ => SandboxPlan::Legacy,
            },
            free_tier_api: match settings.free_tier_api.as_deref() {
                Some("plan-denied") => FreeTierApi::PlanDenied,
                Some("plan-error") => FreeTierApi::PlanError,
                Some("usage-error") => FreeTierApi::UsageError,
                _ => FreeTierApi::Ok,
            },
            cost_explorer: match settings.cost_explorer.as_deref() {
                Some("disabled") => CostExplorerAccess::Disabled,
                Some("denied") => CostExplorerAccess::Denied,
                Some("member") => CostExplorerAccess::Member,
                _ => CostExplorerAccess::Enabled,
            },
            ..BillingWorld::default()
        }
    }
}

pub const EC2_COMPUTE: &str = "Amazon Elastic Compute Cloud - Compute";
pub const EC2_OTHER: &str = "EC2 - Other";
const S3: &str = "Amazon Simple Storage Service";
const CLOUDTRAIL: &str = "AWS CloudTrail";
const CLOUDWATCH: &str = "AmazonCloudWatch";
const TAX: &str = "Tax";

fn first_of_month(date: NaiveDate) -> NaiveDate {
    date.with_day(1).expect("day 1 exists")
}

fn next_month(date: NaiveDate) -> NaiveDate {
    first_of_month(first_of_month(date) + Duration::days(32))
}

fn amount(text: &str) -> Amount {
    Amount::parse(text).expect("sandbox amounts are decimals")
}

/// `base` plus a seeded number of hundred-thousandths of a dollar.
fn cents(rng: &mut Rng, base: &str) -> Amount {
    let extra = format!("0.{:05}", rng.below(400));
    amount(base)
        .checked_add(amount(&extra))
        .expect("small amounts add")
}

/// One month's lines: `closed` is last month (final), otherwise this month to date (estimated).
fn month_lines(world: &World, month: NaiveDate, closed: bool) -> Vec<(String, String, Amount)> {
    let mut rng = Rng::new(world.seed ^ u64::from(month.month()) << 8 ^ 0xb111);
    let credit = world.billing.plan.has_credits();
    let mut usage: Vec<(&str, Amount)> = if closed {
        vec![
            (EC2_COMPUTE, amount("0.0000304")),
            (EC2_OTHER, amount("0.0000016")),
            (S3, cents(&mut rng, "0.0123")),
            (CLOUDTRAIL, cents(&mut rng, "0.0241")),
            (CLOUDWATCH, amount("0")),
        ]
    } else {
        vec![
            (EC2_COMPUTE, amount("0.0000152")),
            (EC2_OTHER, amount("0.0000008")),
            (S3, cents(&mut rng, "0.0087")),
            (CLOUDTRAIL, cents(&mut rng, "0.0169")),
        ]
    };
    let mut lines: Vec<(String, String, Amount)> = Vec::new();
    for (service, value) in &usage {
        lines.push((service.to_string(), "Usage".into(), *value));
    }
    if credit {
        // The Free plan's credits pay for the usage, service by service.
        for (service, value) in usage.iter().filter(|(_, v)| !v.is_zero()) {
            lines.push((service.to_string(), "Credit".into(), value.negated()));
        }
    } else {
        // Japanese consumption tax: 10 % of the month's usage.
        usage.retain(|(_, v)| !v.is_zero());
        let tax = Amount::sum(usage.iter().map(|(_, v)| v)).divided_by_ten();
        lines.push((TAX.into(), "Tax".into(), tax));
    }
    lines
}

pub fn cost_and_usage(world: &mut World, query: &CostQuery) -> Result<CostAnswer, CloudError> {
    const ACTION: &str = CE_ACTION;
    world.billing.ce_calls += 1;
    let refused = |kind, code: &str, message: &str| {
        let mut err = CloudError::new(kind, ACTION, message).in_region("us-east-1");
        err.code = Some(code.into());
        Err(err)
    };
    match world.billing.cost_explorer {
        CostExplorerAccess::Enabled => {}
        CostExplorerAccess::Disabled => {
            return refused(
                CloudErrorKind::CostExplorerNotEnabled,
                "AccessDeniedException",
                "User not enabled for cost explorer access",
            );
        }
        CostExplorerAccess::Denied => {
            return refused(
                CloudErrorKind::AccessDenied,
                "AccessDeniedException",
                &format!(
                    "User: arn:aws:iam::{}:user/{} is not authorized to perform: ce:GetCostAndUsage on resource: arn:aws:ce:us-east-1:{}:/GetCostAndUsage",
                    world.account, world.user, world.account
                ),
            );
        }
        CostExplorerAccess::Member => {
            return refused(
                CloudErrorKind::AccessDenied,
                "AccessDeniedException",
                "Linked account doesn't have access to cost explorer. Please contact your management account to enable access.",
            );
        }
    }
    let this_month = first_of_month(world.now.date_naive());
    let mut lines = Vec::new();
    let mut month = first_of_month(query.start);
    while month < query.end && month <= this_month {
        let closed = month < this_month;
        for (service, record_type, value) in month_lines(world, month, closed) {
            lines.push(CostLine {
                month,
                service,
                record_type,
                amount: value,
                unit: "USD".into(),
                estimated: !closed,
            });
        }
        month = next_month(month);
    }
    Ok(CostAnswer { lines, requests: 1 })
}

fn offer(
    service: &str,
    usage_type: &str,
    operation: &str,
    (actual, forecast, limit): (f64, f64, f64),
    unit: &str,
    description: &str,
    free_tier_type: &str,
) -> FreeTierOffer {
    FreeTierOffer {
        service: service.into(),
        usage_type: usage_type.into(),
        operation: operation.into(),
        region: "global".into(),
        actual,
        forecast,
        limit,
        unit: unit.into(),
        description: description.into(),
        free_tier_type: free_tier_type.into(),
    }
}

/// The Free Tier API's HTTP 500: `InternalServerException` in its published model; no real body
/// of one has been published, so the message is the model's wording.
fn internal_error(action: &str) -> CloudError {
    let mut err = CloudError::new(
        CloudErrorKind::Other,
        action,
        "An unexpected error occurred during the processing of your request.",
    )
    .in_region("us-east-1");
    err.code = Some("InternalServerException".into());
    err
}

pub fn free_tier_usage(world: &mut World) -> Result<FreeTierUsage, CloudError> {
    world.billing.freetier_calls += 1;
    if let Some(err) = free_tier_refusal(world) {
        return Err(err);
    }
    let share = MonthShare::at(world.now);
    let offers = match world.billing.plan {
        SandboxPlan::Legacy => legacy_offers(&share),
        SandboxPlan::Credit | SandboxPlan::PaidCredit => credit_offers(&share),
    };
    Ok(FreeTierUsage {
        offers,
        requests: 1,
    })
}

/// Why GetFreeTierUsage is refused, when the settings say it is.
fn free_tier_refusal(world: &World) -> Option<CloudError> {
    if world.billing.free_tier_api == FreeTierApi::UsageError {
        return Some(internal_error(USAGE_ACTION));
    }
    if world.billing.cost_explorer == CostExplorerAccess::Member {
        // In an organization the Free Tier is the whole organization's, held by the management
        // account; the sandbox's member account is refused like its Cost Explorer.
        let mut err = CloudError::new(
            CloudErrorKind::AccessDenied,
            USAGE_ACTION,
            "Free Tier usage is only available to the management account of the organization",
        )
        .in_region("us-east-1");
        err.code = Some("AccessDeniedException".into());
        return Some(err);
    }
    None
}

/// Usage accrues through the month: each monthly figure is what a whole month of the simulated
/// account's use comes to, and the usage so far is its share for the days of the month begun
/// (the Free Tier page counts whole days: on the 1st, a 30 GB volume has used 1 GB-Mo of a
/// 30-day month). The forecast extends the usage so far to the month's end, as AWS's does.
struct MonthShare {
    days: f64,
    elapsed: f64,
}

impl MonthShare {
    fn at(now: DateTime<Utc>) -> MonthShare {
        let start = first_of_month(now.date_naive());
        let days = (next_month(start) - start).num_days() as f64;
        let elapsed = ((now.date_naive() - start).num_days() as f64 + 1.0).min(days);
        MonthShare { days, elapsed }
    }

    fn round(value: f64, decimals: i32) -> f64 {
        let scale = 10f64.powi(decimals);
        (value * scale).round() / scale
    }

    /// The month's end at the pace so far.
    fn forecast(&self, actual: f64) -> f64 {
        Self::round(actual / self.elapsed * self.days, 2)
    }

    /// `(usage so far, forecast, limit)` of `monthly`, shown with `decimals` decimals.
    fn of(&self, monthly: f64, decimals: i32, limit: f64) -> (f64, f64, f64) {
        let actual = Self::round(monthly * self.elapsed / self.days, decimals);
        (actual, self.forecast(actual), limit)
    }
}

const TWELVE_MONTHS: &str = "12 Months Free";
const ALWAYS: &str = "Always Free";

/// An account opened before 2025-07-15: the 12-month offers (S3 over its limit, filled by
/// CloudTrail's logs; snapshots over theirs) and the always-free alarms.
fn legacy_offers(share: &MonthShare) -> Vec<FreeTierOffer> {
    // Instances, the DB and the ALB run all day, every day.
    let hours = share.of(24.0 * share.days, 0, 750.0);
    let twelve = TWELVE_MONTHS;
    vec![
        offer(
            S3,
            "TimedStorage-ByteHrs",
            "",
            // CloudTrail logs fill the bucket: over the 5 GB-Mo after about two weeks.
            share.of(7.57, 2, 5.0),
            "GB-Mo",
            "5.0 GB-mo for free for 12 months as part of AWS Free Usage Tier (Global-TimedStorage-ByteHrs)",
            twelve,
        ),
        offer(
            S3,
            "Requests-Tier1",
            "PutObject",
            share.of(2629.0, 0, 2000.0),
            "Requests",
            "2,000 Put, Copy, Post or List Requests for free for 12 months as part of AWS Free Usage Tier (Global-Requests-Tier1)",
            twelve,
        ),
        offer(
            "Amazon Elastic Compute Cloud",
            "BoxUsage:freetier.micro",
            "RunInstances",
            hours,
            "Hrs",
            "750 hours of Amazon EC2 Linux t2.micro or t3.micro instance usage (t3.micro in regions where t2.micro is unavailable) for free for 12 months",
            twelve,
        ),
        offer(
            "Amazon Elastic Compute Cloud",
            "EBS:VolumeUsage",
            "",
            share.of(super::inventory::VOLUME_GB as f64, 2, 30.0),
            "GB-Mo",
            "30 GB-Mo of Amazon Elastic Block Storage in any combination of General Purpose (SSD) or Magnetic for free for 12 months",
            twelve,
        ),
        offer(
            "Amazon Elastic Compute Cloud",
            "EBS:SnapshotUsage",
            "",
            share.of(1.2429, 2, 1.0),
            "GB-Mo",
            "1 GB-mo of Amazon EBS snapshots for free for 12 months as part of AWS Free Usage Tier",
            twelve,
        ),
        offer(
            "Amazon Relational Database Service",
            "InstanceUsage:db.t3.micro",
            "CreateDBInstance:0002",
            hours,
            "Hrs",
            "750 hours of Amazon RDS Single-AZ db.t2.micro, db.t3.micro or db.t4g.micro Instance usage for free for 12 months",
            twelve,
        ),
        offer(
            "Elastic Load Balancing",
            "LoadBalancerUsage",
            "LoadBalancing:Application",
            hours,
            "Hrs",
            "750 hours of Elastic Load Balancing for free for 12 months as part of AWS Free Usage Tier",
            twelve,
        ),
        alarm_offer(),
    ]
}

/// The always-free CloudWatch alarms, on every plan: the step's one alarm of ten.
fn alarm_offer() -> FreeTierOffer {
    offer(
        CLOUDWATCH,
        "CW:AlarmMonitorUsage",
        "",
        (1.0, 1.0, 10.0),
        "Alarms",
        "10 alarms for free per month as part of AWS Free Usage Tier",
        ALWAYS,
    )
}

/// An account opened from 2025-07-15 (the credit plan): only the always-free offers count.
fn credit_offers(share: &MonthShare) -> Vec<FreeTierOffer> {
    vec![
        alarm_offer(),
        offer(
            "Amazon Simple Notification Service",
            "SMTP-Notifications",
            "Notification",
            (3.0, share.forecast(3.0), 1000.0),
            "Notifications",
            "1,000 Amazon SNS Email/Email-JSON Notifications for free per month",
            ALWAYS,
        ),
    ]
}

pub fn account_plan(world: &mut World) -> Result<Option<AccountPlan>, CloudError> {
    world.billing.freetier_calls += 1;
    match world.billing.free_tier_api {
        FreeTierApi::PlanDenied => {
            let mut err = CloudError::new(
                CloudErrorKind::AccessDenied,
                PLAN_ACTION,
                format!(
                    "User: arn:aws:iam::{}:user/{} is not authorized to perform: {PLAN_ACTION} because no identity-based policy allows the {PLAN_ACTION} action",
                    world.account, world.user
                ),
            )
            .in_region("us-east-1");
            err.code = Some("AccessDeniedException".into());
            return Err(err);
        }
        FreeTierApi::PlanError => return Err(internal_error(PLAN_ACTION)),
        FreeTierApi::Ok | FreeTierApi::UsageError => {}
    }
    Ok(Some(match world.billing.plan {
        SandboxPlan::Legacy => AccountPlan {
            plan_type: PlanType::Paid,
            status: "ACTIVE".into(),
            remaining_credits: None,
            credits_unit: None,
            expires: None,
        },
        SandboxPlan::Credit => AccountPlan {
            plan_type: PlanType::Free,
            status: "ACTIVE".into(),
            remaining_credits: Some(amount("187.53")),
            credits_unit: Some("USD".into()),
            // Six months after the account was made (two months before the sandbox's "now").
            expires: Some(world.epoch - Duration::days(61) + Duration::days(183)),
        },
        // Upgraded to the Paid plan: the credits left stay until they expire, 12 months after
        // the account was made.
        SandboxPlan::PaidCredit => AccountPlan {
            plan_type: PlanType::Paid,
            status: "ACTIVE".into(),
            remaining_credits: Some(amount("142.17")),
            credits_unit: Some("USD".into()),
            expires: Some(world.epoch - Duration::days(61) + Duration::days(365)),
        },
    }))
}

const CE_ACTION: &str = "ce:GetCostAndUsage";
const USAGE_ACTION: &str = "freetier:GetFreeTierUsage";
const PLAN_ACTION: &str = "freetier:GetAccountPlanState";

impl Sandbox {
    /// One billing call: `f` changes the world (and is saved), then the call is counted under its
    /// IAM action like every other sandbox call, where `LECTURE06_SANDBOX_CRASH_AFTER` may stop the
    /// process right after it took effect.
    fn billing_call<R>(
        &self,
        action: &str,
        f: impl FnOnce(&mut World) -> Result<R, CloudError>,
    ) -> Result<R, CloudError> {
        let result = self.change(f)?;
        self.monitor(Some(action), |_, _| ())?;
        result
    }
}

impl Billing for Sandbox {
    fn cost_and_usage(&self, query: &CostQuery) -> Result<CostAnswer, CloudError> {
        self.billing_call(CE_ACTION, |w| cost_and_usage(w, query))
    }

    fn free_tier_usage(&self) -> Result<FreeTierUsage, CloudError> {
        self.billing_call(USAGE_ACTION, free_tier_usage)
    }

    fn account_plan(&self) -> Result<Option<AccountPlan>, CloudError> {
        self.billing_call(PLAN_ACTION, account_plan)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn world(plan: SandboxPlan) -> World {
        let mut world = World::new(
            6,
            "2026-11-21T01:00:00Z".parse().unwrap(),
            "student",
            "ap-northeast-1",
        );
        world.billing.plan = plan;
        world
    }

    fn query() -> CostQuery {
        CostQuery {
            start: NaiveDate::from_ymd_opt(2026, 10, 1).unwrap(),
            end: NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(),
        }
    }

    #[test]
    fn last_month_ec2_is_the_seed_reports_charge() {
        let mut w = world(SandboxPlan::Legacy);
        let answer = cost_and_usage(&mut w, &query()).unwrap();
        let october = NaiveDate::from_ymd_opt(2026, 10, 1).unwrap();
        let ec2: Vec<&Amount> = answer
            .lines
            .iter()
            .filter(|l| l.month == october && (l.service == EC2_COMPUTE || l.service == EC2_OTHER))
            .map(|l| &l.amount)
            .collect();
        assert_eq!(Amount::sum(ec2).display(), "0.000032");
        assert!(
            answer
                .lines
                .iter()
                .any(|l| l.month.month() == 11 && l.estimated)
        );
        assert_eq!(w.billing.ce_calls, 1);
    }

    #[test]
    fn credit_plan_shows_credits() {
        let mut w = world(SandboxPlan::Credit);
        let answer = cost_and_usage(&mut w, &query()).unwrap();
        assert!(
            answer
                .lines
                .iter()
                .any(|l| l.record_type == "Credit" && l.amount.is_negative())
        );
        assert_eq!(
            account_plan(&mut w).unwrap().unwrap().plan_type,
            PlanType::Free
        );
    }

    #[test]
    fn refusals_are_counted_and_classified() {
        let mut w = world(SandboxPlan::Legacy);
        w.billing.cost_explorer = CostExplorerAccess::Disabled;
        let err = cost_and_usage(&mut w, &query()).unwrap_err();
        // A never-opened Cost Explorer answers as a real one does (see `aws/billing.rs`).
        assert_eq!(err.kind, CloudErrorKind::CostExplorerNotEnabled);
        assert_eq!(err.code.as_deref(), Some("AccessDeniedException"));
        assert_eq!(w.billing.ce_calls, 1);
    }
}
