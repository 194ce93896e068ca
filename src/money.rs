//! Exact decimal amounts of money. Cost Explorer answers with decimal strings such as
//! `"0.0000320624"`; a float would print the seed report's 0.000032 USD EC2 charge as 0.00 or
//! drift when lines are added up. An `Amount` keeps every digit it was given (an `i128` of units at
//! a decimal scale), adds exactly, and is stored in the state as the same decimal string.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::cmp::Ordering;
use std::fmt;

/// More decimal places than any billing figure has; keeps `i128` far from overflow.
const MAX_SCALE: u32 = 24;

#[derive(Clone, Copy, Debug, Default)]
pub struct Amount {
    units: i128,
    scale: u32,
}

impl Amount {
    pub const ZERO: Amount = Amount { units: 0, scale: 0 };

    /// Parses `"12"`, `"-0.0000320624"`, `"1.5E-7"`, `"+3."`. Anything else is `None`.
    pub fn parse(text: &str) -> Option<Amount> {
        let text = text.trim();
        let (mantissa, exponent) = match text.find(['e', 'E']) {
            Some(at) => (&text[..at], text[at + 1..].parse::<i32>().ok()?),
            None => (text, 0),
        };
        let (negative, digits) = match mantissa.as_bytes().first()? {
            b'-' => (true, &mantissa[1..]),
            b'+' => (false, &mantissa[1..]),
            _ => (false, mantissa),
        };
        let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
        if whole.is_empty() && fraction.is_empty() {
            return None;
        }
        if !whole
            .bytes()
            .chain(fraction.bytes())
            .all(|b| b.is_ascii_digit())
        {
            return None;
        }
        let mut units: i128 = 0;
        for b in whole.bytes().chain(fraction.bytes()) {
            units = units.checked_mul(10)?.checked_add(i128::from(b - b'0'))?;
        }
        let mut scale = fraction.len() as i64 - i64::from(exponent);
        while scale < 0 {
            units = units.checked_mul(10)?;
            scale += 1;
        }
        let mut amount = Amount {
            units: if negative { -units } else { units },
            scale: u32::try_from(scale).ok()?,
        };
        amount = amount.normalized();
        (amount.scale <= MAX_SCALE).then_some(amount)
    }

    /// From a float the SDK already holds (the Free Tier API's credits are `f64` in its model):
    /// Rust prints the shortest text that reads back as the same float, so nothing is invented.
    pub fn from_f64(value: f64) -> Option<Amount> {
        value
            .is_finite()
            .then(|| Amount::parse(&value.to_string()))?
    }

    fn normalized(mut self) -> Amount {
        while self.scale > 0 && self.units % 10 == 0 {
            self.units /= 10;
            self.scale -= 1;
        }
        self
    }

    fn at_scale(self, scale: u32) -> Option<i128> {
        self.units
            .checked_mul(10i128.checked_pow(scale - self.scale)?)
    }

    pub fn checked_add(self, other: Amount) -> Option<Amount> {
        let scale = self.scale.max(other.scale);
        let units = self.at_scale(scale)?.checked_add(other.at_scale(scale)?)?;
        Some(Amount { units, scale }.normalized())
    }

    /// Sums; saturates at zero change on (impossible in practice) overflow rather than panic.
    pub fn sum<'a>(amounts: impl IntoIterator<Item = &'a Amount>) -> Amount {
        amounts
            .into_iter()
            .fold(Amount::ZERO, |acc, a| acc.checked_add(*a).unwrap_or(acc))
    }

    /// A tenth, exactly (one more decimal place).
    pub fn divided_by_ten(self) -> Amount {
        Amount {
            units: self.units,
            scale: self.scale + 1,
        }
        .normalized()
    }

    pub fn negated(self) -> Amount {
        Amount {
            units: -self.units,
            scale: self.scale,
        }
    }

    pub fn is_zero(&self) -> bool {
        self.units == 0
    }

    pub fn is_negative(&self) -> bool {
        self.units < 0
    }

    pub fn abs(self) -> Amount {
        Amount {
            units: self.units.abs(),
            scale: self.scale,
        }
    }

    /// At least two decimals (`0.50`, `12.00`) and every significant digit after them
    /// (`0.000032`): the form people read in the billing console, never rounded.
    pub fn display(&self) -> String {
        let scale = self.scale.max(2);
        let units = self.at_scale(scale).unwrap_or(self.units);
        let digits = units.unsigned_abs().to_string();
        let scale = scale as usize;
        let padded = format!("{digits:0>width$}", width = scale + 1);
        let (whole, fraction) = padded.split_at(padded.len() - scale);
        let sign = if units < 0 { "-" } else { "" };
        format!("{sign}{whole}.{fraction}")
    }
}

impl PartialEq for Amount {
    fn eq(&self, other: &Amount) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Amount {}

impl PartialOrd for Amount {
    fn partial_cmp(&self, other: &Amount) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Amount {
    fn cmp(&self, other: &Amount) -> Ordering {
        let scale = self.scale.max(other.scale);
        match (self.at_scale(scale), other.at_scale(scale)) {
            (Some(a), Some(b)) => a.cmp(&b),
            // Only huge amounts overflow; compare their whole parts.
            _ => {
                (self.units / 10i128.pow(self.scale)).cmp(&(other.units / 10i128.pow(other.scale)))
            }
        }
    }
}

impl fmt::Display for Amount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.display())
    }
}

impl Serialize for Amount {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.display())
    }
}

impl<'de> Deserialize<'de> for Amount {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Amount, D::Error> {
        let text = String::deserialize(deserializer)?;
        Amount::parse(&text)
            .ok_or_else(|| serde::de::Error::custom(format!("not a decimal amount: {text:?}")))
    }
}

/// Japan's consumption tax as AWS bills it to an account whose address is in Japan: 10 % on AWS
/// services, the standard rate since 2019-10-01. Sources: 国税庁「消費税の軽減税率制度」(the 10 %
/// standard rate from 令和元年10月1日),
/// https://www.nta.go.jp/taxes/shiraberu/zeimokubetsu/shohi/keigenzeiritsu/index.htm ; AWS's
/// Japanese consumption tax FAQ (AWS services are charged JCT for customers in Japan),
/// https://aws.amazon.com/jp/c-tax-faqs/ . A student reports the yen total with the tax included.
pub const JAPAN_CONSUMPTION_TAX: ConsumptionTax = ConsumptionTax {
    percent: 10,
    since: "2019-10-01",
};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConsumptionTax {
    pub percent: i64,
    /// The date the rate took effect (YYYY-MM-DD).
    pub since: &'static str,
}

impl ConsumptionTax {
    /// `pre_tax` with the tax added.
    pub fn included(self, pre_tax: crate::decimal::Dec) -> crate::decimal::Dec {
        use crate::decimal::Dec;
        let factor = Dec::from_int(100 + self.percent)
            .divided_by(Dec::from_int(100))
            .unwrap_or(Dec::from_int(1));
        pre_tax.times(factor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn consumption_tax_adds_ten_percent() {
        use crate::decimal::Dec;
        let yen = Dec::parse("36098.25").unwrap();
        assert_eq!(JAPAN_CONSUMPTION_TAX.included(yen).grouped(0), "39,708");
        assert_eq!(JAPAN_CONSUMPTION_TAX.since, "2019-10-01");
    }

    fn a(text: &str) -> Amount {
        Amount::parse(text).unwrap_or_else(|| panic!("{text} parses"))
    }

    #[test]
    fn keeps_every_digit_of_a_tiny_charge() {
        assert_eq!(a("0.0000320000").display(), "0.000032");
        assert_eq!(a("0.000032").to_string(), "0.000032");
        assert_eq!(a("0.0000320624").display(), "0.0000320624");
        assert_eq!(a("3.2E-5").display(), "0.000032");
        assert_eq!(a("1.5e2").display(), "150.00");
    }

    #[test]
    fn shows_at_least_two_decimals() {
        assert_eq!(a("12").display(), "12.00");
        assert_eq!(a("0.5").display(), "0.50");
        assert_eq!(a("0").display(), "0.00");
        assert_eq!(a("-0.04").display(), "-0.04");
        assert_eq!(a("-0.000001").display(), "-0.000001");
    }

    #[test]
    fn adds_exactly_where_floats_drift() {
        let sum = Amount::sum(&[a("0.1"), a("0.2")]);
        assert_eq!(sum, a("0.3"));
        assert_ne!(0.1f64 + 0.2, 0.3);
        let sum = Amount::sum(&[a("0.000032"), a("0.0123456789"), a("-0.01")]);
        assert_eq!(sum.display(), "0.0023776789");
    }

    #[test]
    fn orders_by_value() {
        assert!(a("0.000032") > a("0.00003199"));
        assert!(a("-1") < a("0"));
        assert_eq!(a("1.50"), a("1.5"));
    }

    #[test]
    fn rejects_what_is_not_a_number() {
        for bad in ["", "-", ".", "abc", "1.2.3", "1,000", "$5", "1e", "NaN"] {
            assert!(Amount::parse(bad).is_none(), "{bad:?} must not parse");
        }
    }

    #[test]
    fn serializes_as_a_decimal_string() {
        let json = serde_json::to_string(&a("0.000032")).unwrap();
        assert_eq!(json, "\"0.000032\"");
        let back: Amount = serde_json::from_str(&json).unwrap();
        assert_eq!(back, a("0.000032"));
    }

    #[test]
    fn from_float_credits() {
        assert_eq!(Amount::from_f64(187.53).unwrap().display(), "187.53");
        assert!(Amount::from_f64(f64::NAN).is_none());
    }
}
