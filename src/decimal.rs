//! Exact decimal arithmetic for money and usage. Prices in the AWS Price List carry ten decimal
//! places (`"0.0152000000"`); floating point would turn 730 × 0.0152 into 11.095999999…, and a
//! report that does not add up is worse than none. A `Dec` is an integer count of 10⁻¹⁰ units
//! (i128: room for any bill), parsed from and printed to text exactly; multiplication and
//! division round half away from zero back to ten places.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::ops::{Add, AddAssign, Neg, Sub};

pub const SCALE: u32 = 10;
const ONE: i128 = 10_i128.pow(SCALE);

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Dec(i128);

impl Dec {
    pub const ZERO: Dec = Dec(0);

    pub fn from_int(n: i64) -> Dec {
        Dec(n as i128 * ONE)
    }

    /// Parses `12`, `-0.5`, `0.0152000000`, `1,234.5`, `1e3`-free plain decimals; more than ten
    /// decimal places are rounded.
    pub fn parse(text: &str) -> Option<Dec> {
        let text = text.trim().replace(',', "");
        let (negative, digits) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text.strip_prefix('+').unwrap_or(&text)),
        };
        let (whole, frac) = digits.split_once('.').unwrap_or((digits, ""));
        if (whole.is_empty() && frac.is_empty())
            || !whole.chars().all(|c| c.is_ascii_digit())
            || !frac.chars().all(|c| c.is_ascii_digit())
            || whole.len() > 25
        {
            return None;
        }
        let whole: i128 = if whole.is_empty() {
            0
        } else {
            whole.parse().ok()?
        };
        let mut units = whole.checked_mul(ONE)?;
        let mut scale = ONE;
        for (i, c) in frac.chars().enumerate() {
            let digit = c.to_digit(10)? as i128;
            if i < SCALE as usize {
                scale /= 10;
                units += digit * scale;
            } else {
                if i == SCALE as usize && digit >= 5 {
                    units += 1;
                }
                break;
            }
        }
        Some(Dec(if negative { -units } else { units }))
    }

    pub fn is_zero(self) -> bool {
        self.0 == 0
    }

    pub fn is_negative(self) -> bool {
        self.0 < 0
    }

    /// `self × other`, rounded half away from zero to ten places.
    pub fn times(self, other: Dec) -> Dec {
        Dec(div_round(self.0 * other.0, ONE))
    }

    /// `self ÷ other` (None for a zero divisor), rounded half away from zero to ten places.
    pub fn divided_by(self, other: Dec) -> Option<Dec> {
        if other.0 == 0 {
            return None;
        }
        Some(Dec(div_round(self.0 * ONE, other.0)))
    }

    /// Rounded half away from zero to `places` decimals (0–10).
    pub fn round(self, places: u32) -> Dec {
        let step = 10_i128.pow(SCALE - places.min(SCALE));
        Dec(div_round(self.0, step) * step)
    }

    /// Fixed `places` decimals, rounded: `fixed(2)` of 11.096 is `11.10`.
    pub fn fixed(self, places: u32) -> String {
        let places = places.min(SCALE);
        let rounded = self.round(places).0;
        let negative = rounded < 0;
        let abs = rounded.unsigned_abs();
        let whole = abs / ONE as u128;
        let frac = (abs % ONE as u128) / 10_u128.pow(SCALE - places);
        let sign = if negative { "-" } else { "" };
        if places == 0 {
            format!("{sign}{whole}")
        } else {
            format!("{sign}{whole}.{frac:0width$}", width = places as usize)
        }
    }

    /// Like `fixed`, with thousands separators in the whole part: `104,679`.
    pub fn grouped(self, places: u32) -> String {
        let text = self.fixed(places);
        let (sign, rest) = match text.strip_prefix('-') {
            Some(rest) => ("-", rest),
            None => ("", text.as_str()),
        };
        let (whole, frac) = match rest.split_once('.') {
            Some((w, f)) => (w, Some(f)),
            None => (rest, None),
        };
        let mut grouped = String::new();
        for (i, c) in whole.chars().enumerate() {
            if i > 0 && (whole.len() - i) % 3 == 0 {
                grouped.push(',');
            }
            grouped.push(c);
        }
        match frac {
            Some(f) => format!("{sign}{grouped}.{f}"),
            None => format!("{sign}{grouped}"),
        }
    }

    /// The shortest exact text: `0.0152`, `730`, `-3.5`.
    pub fn plain(self) -> String {
        let text = self.fixed(SCALE);
        let trimmed = text.trim_end_matches('0').trim_end_matches('.');
        if trimmed.is_empty() || trimmed == "-" {
            "0".into()
        } else {
            trimmed.to_string()
        }
    }
}

fn div_round(n: i128, d: i128) -> i128 {
    let q = n / d;
    let r = n % d;
    if r.abs() * 2 >= d.abs() {
        q + if (n < 0) != (d < 0) { -1 } else { 1 }
    } else {
        q
    }
}

impl Add for Dec {
    type Output = Dec;
    fn add(self, other: Dec) -> Dec {
        Dec(self.0 + other.0)
    }
}

impl AddAssign for Dec {
    fn add_assign(&mut self, other: Dec) {
        self.0 += other.0;
    }
}

impl Sub for Dec {
    type Output = Dec;
    fn sub(self, other: Dec) -> Dec {
        Dec(self.0 - other.0)
    }
}

impl Neg for Dec {
    type Output = Dec;
    fn neg(self) -> Dec {
        Dec(-self.0)
    }
}

impl std::iter::Sum for Dec {
    fn sum<I: Iterator<Item = Dec>>(iter: I) -> Dec {
        iter.fold(Dec::ZERO, |a, b| a + b)
    }
}

impl fmt::Display for Dec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.plain())
    }
}

/// Stored as exact text (`"11.096"`), never as a JSON float.
impl Serialize for Dec {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.plain())
    }
}

impl<'de> Deserialize<'de> for Dec {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Dec, D::Error> {
        let value = serde_json::Value::deserialize(d)?;
        let text = match &value {
            serde_json::Value::String(s) => s.clone(),
            serde_json::Value::Number(n) => n.to_string(),
            other => return Err(serde::de::Error::custom(format!("not a decimal: {other}"))),
        };
        Dec::parse(&text).ok_or_else(|| serde::de::Error::custom(format!("not a decimal: {text}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> Dec {
        Dec::parse(text).unwrap()
    }

    #[test]
    fn parses_price_list_text_exactly() {
        assert_eq!(d("0.0152000000").plain(), "0.0152");
        assert_eq!(d("730").plain(), "730");
        assert_eq!(d("-3.50").plain(), "-3.5");
        assert_eq!(d(".5").plain(), "0.5");
        assert_eq!(d("1,234.5").plain(), "1234.5");
        assert_eq!(
            d("0.00000000004").plain(),
            "0",
            "the 11th place rounds down"
        );
        assert_eq!(d("0.00000000005").plain(), "0.0000000001", "…or up");
        for bad in ["", "abc", "1.2.3", "1e3", "--1", "."] {
            assert!(Dec::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn multiplies_without_float_error() {
        // 730 × 0.0152 = 11.096 exactly (as a float product it is 11.095999999999998).
        assert_eq!(d("730").times(d("0.0152")).plain(), "11.096");
        assert_eq!(d("730").times(d("0.0243")).plain(), "17.739");
        assert_eq!(d("58.155").times(d("12")).plain(), "697.86");
    }

    #[test]
    fn rounds_half_away_from_zero() {
        assert_eq!(d("11.095").fixed(2), "11.10");
        assert_eq!(d("11.094").fixed(2), "11.09");
        assert_eq!(d("-0.125").fixed(2), "-0.13");
        assert_eq!(d("8723.25").fixed(0), "8723");
        assert_eq!(d("8723.5").fixed(0), "8724");
        assert_eq!(d("104679").grouped(0), "104,679");
        assert_eq!(d("1234567.891").grouped(2), "1,234,567.89");
        assert_eq!(d("-999.5").grouped(0), "-1,000");
    }

    #[test]
    fn divides_and_refuses_zero() {
        assert_eq!(d("1").divided_by(d("3")).unwrap().plain(), "0.3333333333");
        assert_eq!(d("2").divided_by(d("3")).unwrap().plain(), "0.6666666667");
        assert!(d("1").divided_by(Dec::ZERO).is_none());
    }

    #[test]
    fn serialises_as_text() {
        let json = serde_json::to_string(&d("11.096")).unwrap();
        assert_eq!(json, "\"11.096\"");
        let back: Dec = serde_json::from_str(&json).unwrap();
        assert_eq!(back, d("11.096"));
        let from_number: Dec = serde_json::from_str("0.12").unwrap();
        assert_eq!(from_number, d("0.12"));
    }
}
