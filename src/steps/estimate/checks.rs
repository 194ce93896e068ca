//! The estimate's pure decisions: the checks on what the student types, which resources they
//! may leave out, and the Free Tier plan the billing step already found.

use super::costing::FreeTier;
use crate::cloud::inventory::Inventory;
use crate::decimal::Dec;
use crate::i18n::Lang;
use crate::t;
use chrono::{DateTime, FixedOffset, NaiveDate, Utc};

/// A number in `[min, max]` (`min` excluded when `exclusive`), with a message naming what is wrong.
pub(super) fn number_check(
    lang: Lang,
    min: &'static str,
    exclusive: bool,
    max: &'static str,
    what_en: &'static str,
    what_ja: &'static str,
) -> impl Fn(&str) -> Result<(), String> {
    move |value: &str| {
        // `1,50` is 1.50 in much of Europe and `1,500` is 1500 in Japan: refuse both rather
        // than guess.
        if value.contains(',') || value.contains('，') {
            return Err(t!(
                lang,
                "write {what_en} without a comma: a dot for decimals and no thousands separator (e.g. 1500 or 149.85)",
                "{what_ja}はカンマなしで入れてください。小数点はピリオド、桁区切りは不要です（例: 1500、149.85）"
            ));
        }
        let Some(n) = Dec::parse(value) else {
            return Err(t!(
                lang,
                "give a number (e.g. {max}) for {what_en}",
                "{what_ja}には数値を入れてください（例: {max}）"
            ));
        };
        let (lo, hi) = (
            Dec::parse(min).unwrap_or(Dec::ZERO),
            Dec::parse(max).unwrap_or(Dec::ZERO),
        );
        if n.is_negative() {
            return Err(t!(
                lang,
                "{what_en} cannot be negative",
                "{what_ja}は負にできません"
            ));
        }
        if (exclusive && n <= lo) || n < lo {
            return Err(if n.is_zero() {
                t!(lang, "{what_en} cannot be 0", "{what_ja}は 0 にできません")
            } else {
                t!(
                    lang,
                    "{what_en} must be more than {min}",
                    "{what_ja}は {min} より大きくしてください"
                )
            });
        }
        if n > hi {
            return Err(t!(
                lang,
                "{value} is not a plausible {what_en} (at most {max})",
                "{value} は{what_ja}としてありえない値です（最大 {max}）"
            ));
        }
        Ok(())
    }
}

/// Today's date in Japan, where the course and its exchange rates are.
pub(super) fn today_in_japan(now: DateTime<Utc>) -> NaiveDate {
    now.with_timezone(&FixedOffset::east_opt(9 * 3600).expect("JST"))
        .date_naive()
}

/// A rate's date: `YYYY-MM-DD`, not after `today` (a rate is looked up, not forecast).
pub(super) fn date_check(lang: Lang, today: NaiveDate) -> impl Fn(&str) -> Result<(), String> {
    move |value: &str| {
        let date = NaiveDate::parse_from_str(value.trim(), "%Y-%m-%d").map_err(|_| {
            t!(
                lang,
                "a date looks like 2026-11-21",
                "日付は 2026-11-21 の形式です"
            )
        })?;
        if date > today {
            return Err(t!(
                lang,
                "{date} is after today ({today}): give the date you looked the rate up",
                "{date} は今日（{today}）より後の日付です。レートを調べた日付を入れてください"
            ));
        }
        Ok(())
    }
}

pub(super) fn dec(text: &str) -> Dec {
    Dec::parse(text).unwrap_or(Dec::ZERO)
}

pub(super) fn split_list(text: &str) -> Vec<&str> {
    text.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect()
}

/// Every ID or name a student may leave out.
pub(super) fn resource_ids(inv: &Inventory) -> Vec<String> {
    let mut ids = Vec::new();
    for i in &inv.instances {
        ids.push(i.id.clone());
        ids.extend(i.name.clone());
        ids.extend(i.volumes.iter().map(|v| v.id.clone()));
        ids.extend(i.public_ipv4.iter().cloned());
    }
    ids.extend(inv.unattached_volumes.iter().map(|v| v.id.clone()));
    for e in &inv.elastic_ips {
        ids.push(e.public_ip.clone());
        ids.push(e.allocation_id.clone());
    }
    ids.extend(inv.nat_gateways.iter().map(|n| n.id.clone()));
    ids.extend(inv.databases.iter().map(|d| d.id.clone()));
    ids.extend(inv.load_balancers.iter().map(|l| l.name.clone()));
    ids.extend(inv.buckets.iter().map(|b| b.name.clone()));
    ids
}

pub(super) fn without(inv: &Inventory, excluded: &[String]) -> Inventory {
    let out = |id: &str| excluded.iter().any(|e| e == id);
    let mut kept = inv.clone();
    kept.instances
        .retain(|i| !out(&i.id) && !i.name.as_deref().is_some_and(out));
    for i in &mut kept.instances {
        i.volumes.retain(|v| !out(&v.id));
        i.public_ipv4.retain(|ip| !out(ip));
    }
    kept.unattached_volumes.retain(|v| !out(&v.id));
    kept.elastic_ips
        .retain(|e| !out(&e.public_ip) && !out(&e.allocation_id));
    kept.nat_gateways.retain(|n| !out(&n.id));
    kept.databases.retain(|d| !out(&d.id));
    kept.load_balancers.retain(|l| !out(&l.name));
    kept.buckets.retain(|b| !out(&b.name));
    kept
}

/// The plan the billing step found, if it ran first: `plan.plan_type` = `FREE` (GetAccountPlanState)
/// is the credit plan; an explicit `free_tier_plan` (legacy|credit|none) wins. A paid plan alone
/// cannot tell the legacy 12 months from none, so it is asked.
pub(super) fn plan_from_billing(
    explicit: Option<&str>,
    plan: Option<&crate::cloud::billing::AccountPlan>,
) -> Option<FreeTier> {
    if let Some(plan) = explicit {
        return FreeTier::parse(plan);
    }
    (plan?.plan_type == crate::cloud::billing::PlanType::Free).then_some(FreeTier::Credit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_billing_steps_plan_is_read_when_it_tells() {
        use crate::cloud::billing::{AccountPlan, PlanType};
        let plan = |plan_type| AccountPlan {
            plan_type,
            status: "ACTIVE".into(),
            remaining_credits: None,
            credits_unit: None,
            expires: None,
        };
        let free = plan(PlanType::Free);
        assert_eq!(plan_from_billing(None, Some(&free)), Some(FreeTier::Credit));
        let paid = plan(PlanType::Paid);
        assert_eq!(
            plan_from_billing(None, Some(&paid)),
            None,
            "legacy or none: ask"
        );
        assert_eq!(
            plan_from_billing(Some("legacy"), None),
            Some(FreeTier::Legacy)
        );
    }

    #[test]
    fn usage_figures_are_checked() {
        let hours = number_check(Lang::En, "0", true, "744", "hours a month", "時間");
        assert!(hours("730").is_ok());
        assert!(hours("0").unwrap_err().contains("cannot be 0"));
        assert!(hours("-1").unwrap_err().contains("negative"));
        assert!(hours("800").unwrap_err().contains("not a plausible"));
        assert!(hours("lots").unwrap_err().contains("give a number"));
        let rate = number_check(Lang::En, "0", true, "1000", "JPY per USD", "為替レート");
        assert!(rate("0").unwrap_err().contains("cannot be 0"));
        assert!(rate("149.85").is_ok());
        let gb = number_check(Lang::En, "0", false, "100000", "GB", "GB");
        assert!(gb("0").is_ok(), "zero GB is a real answer");
    }

    #[test]
    fn a_rate_date_is_not_in_the_future() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        let check = date_check(Lang::En, today);
        assert!(check("2026-11-21").is_ok());
        assert!(check("2026-12-01").is_ok(), "today is fine");
        assert!(check("21/11/2026").unwrap_err().contains("looks like"));
        let err = check("2030-01-01").unwrap_err();
        assert!(err.contains("after today (2026-12-01)"), "{err}");
        let ja = date_check(Lang::Ja, today)("2026-12-02").unwrap_err();
        assert!(ja.contains("今日（2026-12-01）より後"), "{ja}");
        // 2026-11-30 at 20:00 UTC is already 1 December in Japan.
        let evening = "2026-11-30T20:00:00Z".parse().unwrap();
        assert_eq!(today_in_japan(evening), today);
    }

    #[test]
    fn a_comma_is_refused_not_guessed() {
        let rate = number_check(Lang::En, "0", true, "1000", "JPY per USD", "為替レート");
        let err = rate("1,50").unwrap_err();
        assert!(err.contains("without a comma"), "{err}");
        assert!(rate("1,500").unwrap_err().contains("without a comma"));
        assert!(rate("149,85").is_err());
        assert!(rate("149.85").is_ok());
        let ja = number_check(Lang::Ja, "0", false, "100000", "GB", "S3 の GB")("1,5").unwrap_err();
        assert!(ja.contains("カンマなし"), "{ja}");
    }
}
