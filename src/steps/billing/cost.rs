//! The bill's pure decisions: which months are asked about, how Cost Explorer's lines add up to
//! last month's EC2 charge and the by-service table (credits and refunds on their own lines), what
//! a typed amount may look like, and what to tell the student when Cost Explorer cannot answer.

use super::evidence::{Ec2Charge, ServiceRow};
use crate::cloud::billing::{CostAnswer, CostQuery};
use crate::cloud::{CloudError, CloudErrorKind};
use crate::i18n::Lang;
use crate::money::Amount;
use crate::t;
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

pub const EC2_COMPUTE: &str = "Amazon Elastic Compute Cloud - Compute";
pub const EC2_OTHER: &str = "EC2 - Other";

/// The period asked about, from the clock (UTC, Cost Explorer's billing days).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Period {
    pub last_month: NaiveDate,
    pub this_month: NaiveDate,
    /// Exclusive end of the query: the first of next month.
    pub end: NaiveDate,
}

impl Period {
    pub fn at(now: DateTime<Utc>) -> Period {
        let this_month = first_of_month(now.date_naive());
        Period {
            last_month: first_of_month(this_month - Duration::days(1)),
            this_month,
            end: first_of_month(this_month + Duration::days(32)),
        }
    }

    pub fn query(&self) -> CostQuery {
        CostQuery {
            start: self.last_month,
            end: self.end,
        }
    }

    /// The period a saved query asked about (its first month is "last month").
    pub fn of_query(query: &CostQuery) -> Period {
        Period {
            last_month: query.start,
            this_month: first_of_month(query.start + Duration::days(32)),
            end: query.end,
        }
    }

    pub(super) fn last_month_label(&self) -> String {
        self.last_month.format("%Y-%m").to_string()
    }
}

fn first_of_month(date: NaiveDate) -> NaiveDate {
    date.with_day(1).expect("day 1 exists")
}

/// Credits, refunds and other negative record types are shown as their own lines.
fn is_adjustment(record_type: &str) -> bool {
    !matches!(
        record_type,
        "Usage"
            | "DiscountedUsage"
            | "SavingsPlanCoveredUsage"
            | "Tax"
            | "Fee"
            | "RIFee"
            | "SavingsPlanRecurringFee"
            | "SavingsPlanUpfrontFee"
            | "Support"
    )
}

/// The EC2 charge of last month and the by-service table of both months.
pub fn tally(answer: &CostAnswer, period: &Period) -> (Ec2Charge, Vec<ServiceRow>, bool) {
    let last: Vec<_> = answer
        .lines
        .iter()
        .filter(|l| l.month == period.last_month)
        .collect();
    let sum = |service: &str, adjust: bool| {
        Amount::sum(
            last.iter()
                .filter(|l| l.service == service && is_adjustment(&l.record_type) == adjust)
                .map(|l| &l.amount),
        )
    };
    let compute = sum(EC2_COMPUTE, false);
    let other = sum(EC2_OTHER, false);
    let adjustments = Amount::sum(&[sum(EC2_COMPUTE, true), sum(EC2_OTHER, true)]);
    let unit = answer
        .lines
        .first()
        .map(|l| l.unit.clone())
        .unwrap_or_else(|| "USD".into());
    let ec2 = Ec2Charge {
        compute,
        other,
        total: Amount::sum(&[compute, other]),
        adjustments,
        unit,
    };

    let mut rows: Vec<ServiceRow> = Vec::new();
    for line in &answer.lines {
        let record_type = if is_adjustment(&line.record_type) {
            line.record_type.clone()
        } else {
            String::new()
        };
        let index = match rows
            .iter()
            .position(|r| r.service == line.service && r.record_type == record_type)
        {
            Some(i) => i,
            None => {
                rows.push(ServiceRow {
                    service: line.service.clone(),
                    record_type,
                    last_month: Amount::ZERO,
                    this_month: Amount::ZERO,
                });
                rows.len() - 1
            }
        };
        let row = &mut rows[index];
        if line.month == period.last_month {
            row.last_month = Amount::sum(&[row.last_month, line.amount]);
        } else if line.month == period.this_month {
            row.this_month = Amount::sum(&[row.this_month, line.amount]);
        }
    }
    rows.retain(|r| !(r.last_month.is_zero() && r.this_month.is_zero()));
    // Charges largest first (last month, then this month), then credits and refunds.
    rows.sort_by(|a, b| {
        (!a.record_type.is_empty())
            .cmp(&!b.record_type.is_empty())
            .then(b.last_month.abs().cmp(&a.last_month.abs()))
            .then(b.this_month.abs().cmp(&a.this_month.abs()))
            .then(a.service.cmp(&b.service))
    });
    let estimated = answer
        .lines
        .iter()
        .any(|l| l.month == period.this_month && l.estimated);
    (ec2, rows, estimated)
}

pub(super) fn valid_amount(lang: Lang) -> impl Fn(&str) -> Result<(), String> {
    move |value: &str| match Amount::parse(value.trim().trim_start_matches('$')) {
        Some(a) if !a.is_negative() => Ok(()),
        _ => Err(t!(
            lang,
            "a USD amount as the console shows it, e.g. 0.000032 or 1.23",
            "コンソールに表示された USD の金額（例: 0.000032、1.23）"
        )),
    }
}

/// Why Cost Explorer cannot answer, and what to do, for the situations the student can fix.
pub(super) fn cost_explorer_unavailable(err: &CloudError, lang: Lang) -> Option<String> {
    let text = format!(
        "{} {}",
        err.code.as_deref().unwrap_or_default(),
        err.message
    )
    .to_ascii_lowercase();
    let member = text.contains("linked account")
        || text.contains("management account")
        || text.contains("payer account")
        || text.contains("member account");
    if member {
        return Some(t!(
            lang,
            "This account is a member of an AWS Organization whose management account does not let member accounts see Cost Explorer. Ask the organization's administrator to allow it (Billing and Cost Management → Cost Management preferences → \"Linked account access\"), or read last month's EC2 charge in the billing console (Bills → Charges by service → Elastic Compute Cloud) and type it below.",
            "このアカウントは AWS Organizations のメンバーアカウントで、管理アカウントがメンバーに Cost Explorer を見せない設定です。組織の管理者に許可を依頼するか（請求とコスト管理 → Cost Management の設定 →「リンクされたアカウントのアクセス」）、請求コンソール（請求書 → サービス別料金 → Elastic Compute Cloud）で先月の EC2 の料金を確認して下に入力してください。"
        ));
    }
    match err.kind {
        CloudErrorKind::CostExplorerNotEnabled => Some(t!(
            lang,
            "Cost Explorer has never been opened for this account; this is not an IAM problem. Open it once in the console (Billing and Cost Management → Cost Explorer) and wait up to 24 hours, then run `lecture06 run --step billing` again; or read last month's EC2 charge in the billing console (Bills → Charges by service) and type it below.",
            "このアカウントではまだ Cost Explorer が一度も開かれていません（IAM の問題ではありません）。コンソールで一度開き（請求とコスト管理 → Cost Explorer）、最大 24 時間待ってから `lecture06 run --step billing` を再実行してください。または請求コンソール（請求書 → サービス別料金）で先月の EC2 の料金を確認して下に入力してください。"
        )),
        CloudErrorKind::NotEnabled => Some(t!(
            lang,
            "Cost Explorer is not enabled for this account yet. Open Billing and Cost Management → Cost Explorer once in the console to enable it (its data appears within about 24 hours), then run `lecture06 run --step billing` again; or read last month's EC2 charge in the billing console (Bills → Charges by service) and type it below.",
            "このアカウントではまだ Cost Explorer が有効になっていません。コンソールで「請求とコスト管理 → Cost Explorer」を一度開くと有効になり（データが表示されるまで最大 24 時間程度）、その後 `lecture06 run --step billing` を再実行してください。または請求コンソール（請求書 → サービス別料金）で先月の EC2 の料金を確認して下に入力してください。"
        )),
        CloudErrorKind::AccessDenied => Some(t!(
            lang,
            "Your IAM identity may not read Cost Explorer. Add ce:GetCostAndUsage to its policy, and if you sign in as an IAM user, the root user must also turn on \"IAM user and role access to Billing information\" (Account settings); then run `lecture06 run --step billing` again. Or read last month's EC2 charge in the billing console (Bills → Charges by service) and type it below.",
            "この IAM ユーザー／ロールには Cost Explorer を読む権限がありません。ポリシーに ce:GetCostAndUsage を追加し、IAM ユーザーの場合はルートユーザーが「IAM ユーザーおよびロールによる請求情報へのアクセス」（アカウント設定）を有効にしてから `lecture06 run --step billing` を再実行してください。または請求コンソール（請求書 → サービス別料金）で先月の EC2 の料金を確認して下に入力してください。"
        )),
        _ => None,
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn a_never_opened_cost_explorer_gets_console_advice_not_iam_advice() {
        let err = CloudError {
            kind: CloudErrorKind::CostExplorerNotEnabled,
            action: "ce:GetCostAndUsage".into(),
            code: Some("AccessDeniedException".into()),
            message: "User not enabled for cost explorer access".into(),
            region: Some("us-east-1".into()),
        };
        let en = cost_explorer_unavailable(&err, Lang::En).expect("typed-by-hand fallback");
        assert!(
            en.contains("Billing and Cost Management → Cost Explorer"),
            "{en}"
        );
        assert!(
            en.contains("24 hours") && en.contains("type it below"),
            "{en}"
        );
        assert!(!en.contains("ce:GetCostAndUsage to its policy"), "{en}");
        let ja = cost_explorer_unavailable(&err, Lang::Ja).unwrap();
        assert!(ja.contains("24 時間") && ja.contains("下に入力"), "{ja}");
    }

    use super::*;
    use crate::cloud::billing::CostLine;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn period_is_last_calendar_month_to_next_month_in_utc() {
        let p = Period::at("2026-11-21T01:00:00Z".parse().unwrap());
        assert_eq!(
            (p.last_month, p.this_month, p.end),
            (date(2026, 10, 1), date(2026, 11, 1), date(2026, 12, 1))
        );
        // 08:00 JST on 1 January is still 31 December in UTC, Cost Explorer's day.
        let p = Period::at("2026-12-31T23:30:00Z".parse().unwrap());
        assert_eq!((p.last_month, p.end), (date(2026, 11, 1), date(2027, 1, 1)));
        assert_eq!(Period::of_query(&p.query()), p);
        let p = Period::at("2027-01-01T00:00:00Z".parse().unwrap());
        assert_eq!(Period::of_query(&p.query()), p);
        assert_eq!(
            (p.last_month, p.this_month, p.end),
            (date(2026, 12, 1), date(2027, 1, 1), date(2027, 2, 1))
        );
    }

    fn line(month: NaiveDate, service: &str, record_type: &str, amount: &str) -> CostLine {
        CostLine {
            month,
            service: service.into(),
            record_type: record_type.into(),
            amount: Amount::parse(amount).unwrap(),
            unit: "USD".into(),
            estimated: month.month() == 11,
        }
    }

    #[test]
    fn tally_splits_ec2_keeps_precision_and_shows_credits_apart() {
        let (oct, nov) = (date(2026, 10, 1), date(2026, 11, 1));
        let answer = CostAnswer {
            lines: vec![
                line(oct, EC2_COMPUTE, "Usage", "0.0000304"),
                line(oct, EC2_OTHER, "Usage", "0.0000016"),
                line(oct, EC2_COMPUTE, "Credit", "-0.0000304"),
                line(oct, "Amazon Simple Storage Service", "Usage", "0.0123"),
                line(oct, "AmazonCloudWatch", "Usage", "0"),
                line(nov, "AWS CloudTrail", "Usage", "0.0169"),
                line(nov, "Amazon Simple Storage Service", "Refund", "-0.01"),
            ],
            requests: 1,
        };
        let period = Period::at("2026-11-21T01:00:00Z".parse().unwrap());
        let (ec2, rows, estimated) = tally(&answer, &period);
        assert_eq!(ec2.total.display(), "0.000032");
        assert_eq!(ec2.adjustments.display(), "-0.0000304");
        assert!(estimated);
        let names: Vec<(&str, &str)> = rows
            .iter()
            .map(|r| (r.service.as_str(), r.record_type.as_str()))
            .collect();
        assert_eq!(
            names,
            vec![
                ("Amazon Simple Storage Service", ""),
                (EC2_COMPUTE, ""),
                (EC2_OTHER, ""),
                ("AWS CloudTrail", ""),
                (EC2_COMPUTE, "Credit"),
                ("Amazon Simple Storage Service", "Refund"),
            ],
            "charges largest first, zero rows dropped, credits and refunds last on their own lines"
        );
    }
}
