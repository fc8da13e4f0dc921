//! Exact money: integer yuan, never floating point. Displayed in 万元 or 亿元
//! with a fixed number of decimals, rounded half away from zero.

use crate::error::FieldError;
use crate::text::normalize;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::iter::Sum;
use std::ops::{Add, Neg, Sub};

/// An amount of money in whole yuan.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Default,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
#[serde(transparent)]
pub struct Yuan(i64);

/// Units in which amounts are written in forms and spreadsheets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MoneyUnit {
    Yuan,
    /// 万元 = 10^4 yuan
    Wan,
    /// 亿元 = 10^8 yuan
    Yi,
}

impl MoneyUnit {
    pub const fn factor(self) -> i64 {
        match self {
            MoneyUnit::Yuan => 1,
            MoneyUnit::Wan => 10_000,
            MoneyUnit::Yi => 100_000_000,
        }
    }
    const fn scale_digits(self) -> u32 {
        match self {
            MoneyUnit::Yuan => 0,
            MoneyUnit::Wan => 4,
            MoneyUnit::Yi => 8,
        }
    }
    pub const fn label_zh(self) -> &'static str {
        match self {
            MoneyUnit::Yuan => "元",
            MoneyUnit::Wan => "万元",
            MoneyUnit::Yi => "亿元",
        }
    }
}

impl Yuan {
    pub const ZERO: Yuan = Yuan(0);

    /// An amount of whole yuan.
    pub const fn new(yuan: i64) -> Yuan {
        Yuan(yuan)
    }

    pub const fn from_wan(wan: i64) -> Yuan {
        Yuan(wan * 10_000)
    }
    pub const fn from_yi(yi: i64) -> Yuan {
        Yuan(yi * 100_000_000)
    }
    pub const fn get(self) -> i64 {
        self.0
    }
    pub fn checked_add(self, o: Yuan) -> Option<Yuan> {
        self.0.checked_add(o.0).map(Yuan)
    }
    pub fn checked_sub(self, o: Yuan) -> Option<Yuan> {
        self.0.checked_sub(o.0).map(Yuan)
    }
    pub fn is_negative(self) -> bool {
        self.0 < 0
    }

    /// Parse a decimal amount written in `unit` ("1,234.5", "１２３．４", " 0.0001 ") exactly.
    /// Fractions finer than one yuan are refused rather than rounded.
    pub fn parse_in(field: &str, input: &str, unit: MoneyUnit) -> Result<Yuan, FieldError> {
        let s: String = normalize(input)
            .chars()
            .filter(|c| *c != ',' && *c != '，')
            .collect();
        let bad = |zh: String, en: String| FieldError::new(field, "money", zh, en);
        if s.is_empty() {
            return Err(FieldError::required(field));
        }
        let (neg, digits) = match s.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, s.strip_prefix('+').unwrap_or(&s)),
        };
        let (int_part, frac_part) = match digits.split_once('.') {
            Some((i, f)) => (i, f),
            None => (digits, ""),
        };
        let all_digits = |p: &str| p.chars().all(|c| c.is_ascii_digit());
        if (int_part.is_empty() && frac_part.is_empty())
            || !all_digits(int_part)
            || !all_digits(frac_part)
        {
            return Err(bad(
                format!("“{input}”不是有效的金额（{}）", unit.label_zh()),
                format!("'{input}' is not a valid amount in {}", unit.label_zh()),
            ));
        }
        let scale = unit.scale_digits() as usize;
        let frac_trimmed = frac_part.trim_end_matches('0');
        if frac_trimmed.len() > scale {
            return Err(bad(
                format!("“{input}”精度超过1元"),
                format!("'{input}' is more precise than one yuan"),
            ));
        }
        let overflow = || {
            bad(
                format!("“{input}”超出可表示的范围"),
                format!("'{input}' is out of range"),
            )
        };
        let int_val: i64 = if int_part.is_empty() {
            0
        } else {
            int_part.parse().map_err(|_| overflow())?
        };
        let mut frac_val: i64 = 0;
        for (i, c) in frac_trimmed.chars().enumerate() {
            frac_val += i64::from(c as u8 - b'0') * 10i64.pow((scale - 1 - i) as u32);
        }
        let v = int_val
            .checked_mul(unit.factor())
            .and_then(|v| v.checked_add(frac_val))
            .ok_or_else(overflow)?;
        Ok(Yuan(if neg { -v } else { v }))
    }

    /// The amount in `unit` rounded half away from zero to `decimals` places, as text.
    pub fn format_in(self, unit: MoneyUnit, decimals: u32) -> String {
        let scale = unit.scale_digits();
        let decimals = decimals.min(scale);
        let drop = 10i128.pow(scale - decimals);
        let v = i128::from(self.0);
        let q = (v.abs() + drop / 2) / drop;
        let sign = if v < 0 && q != 0 { "-" } else { "" };
        if decimals == 0 {
            return format!("{sign}{q}");
        }
        let p = 10i128.pow(decimals);
        format!(
            "{sign}{}.{:0width$}",
            q / p,
            q % p,
            width = decimals as usize
        )
    }

    /// 万元 with two decimals, the unit of progress templates.
    pub fn wan(self) -> String {
        self.format_in(MoneyUnit::Wan, 2)
    }
    /// 万元 exactly (to the yuan), without trailing zeros: "755.8234", "1200", for
    /// text that must read back to the same amount.
    pub fn wan_exact(self) -> String {
        let s = self.format_in(MoneyUnit::Wan, 4);
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
    /// 亿元 with two decimals, the unit of bulletins.
    pub fn yi(self) -> String {
        self.format_in(MoneyUnit::Yi, 2)
    }

    /// `self × num / den`, rounded half away from zero, exact in between (i128).
    pub fn mul_ratio(self, num: i64, den: i64) -> Yuan {
        assert!(den != 0, "mul_ratio by zero denominator");
        let p = i128::from(self.0) * i128::from(num);
        let d = i128::from(den);
        let q = (p.abs() + d.abs() / 2) / d.abs();
        let neg = (p < 0) != (d < 0);
        Yuan((if neg { -q } else { q }) as i64)
    }
}

impl Add for Yuan {
    type Output = Yuan;
    fn add(self, o: Yuan) -> Yuan {
        Yuan(self.0.checked_add(o.0).expect("money overflow"))
    }
}
impl Sub for Yuan {
    type Output = Yuan;
    fn sub(self, o: Yuan) -> Yuan {
        Yuan(self.0.checked_sub(o.0).expect("money overflow"))
    }
}
impl Neg for Yuan {
    type Output = Yuan;
    fn neg(self) -> Yuan {
        Yuan(-self.0)
    }
}
impl Sum for Yuan {
    fn sum<I: Iterator<Item = Yuan>>(iter: I) -> Yuan {
        iter.fold(Yuan::ZERO, |a, b| a + b)
    }
}
impl<'a> Sum<&'a Yuan> for Yuan {
    fn sum<I: Iterator<Item = &'a Yuan>>(iter: I) -> Yuan {
        iter.copied().sum()
    }
}

impl fmt::Display for Yuan {
    /// Shown in 万元 with two decimals, as in every progress template.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}万元", self.wan())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_the_forms_people_write() {
        let w = |s| Yuan::parse_in("total", s, MoneyUnit::Wan);
        assert_eq!(w("512").unwrap(), Yuan(5_120_000));
        assert_eq!(w("１２３．４５").unwrap(), Yuan(1_234_500));
        assert_eq!(w(" 1,382.0001 ").unwrap(), Yuan(13_820_001));
        assert_eq!(w("-3").unwrap(), Yuan(-30_000));
        assert_eq!(w(".5").unwrap(), Yuan(5_000));
        assert_eq!(
            Yuan::parse_in("t", "13.824", MoneyUnit::Yi).unwrap(),
            Yuan(1_382_400_000)
        );
        assert_eq!(w("0.00001").unwrap_err().code, "money");
        assert_eq!(w("abc").unwrap_err().field, "total");
        assert_eq!(w("").unwrap_err().code, "required");
        assert_eq!(w("1.2.3").unwrap_err().code, "money");
        assert_eq!(w("99999999999999999999").unwrap_err().code, "money");
    }

    #[test]
    fn formats_in_wan_and_yi() {
        assert_eq!(Yuan(342_000_000).yi(), "3.42");
        assert_eq!(Yuan(7_558_234).wan_exact(), "755.8234");
        assert_eq!(Yuan(12_000_000).wan_exact(), "1200");
        assert_eq!(Yuan(-5_000).wan_exact(), "-0.5");
        assert_eq!(Yuan(5_120_000).wan(), "512.00");
        assert_eq!(Yuan(12_345).wan(), "1.23");
        assert_eq!(Yuan(12_355).wan(), "1.24");
        assert_eq!(Yuan(-12_355).wan(), "-1.24");
        assert_eq!(Yuan(-40).wan(), "0.00");
        assert_eq!(Yuan(138_240_000_000).format_in(MoneyUnit::Yi, 2), "1382.40");
        assert_eq!(Yuan(7).format_in(MoneyUnit::Yuan, 2), "7");
        assert_eq!(Yuan(5_120_000).to_string(), "512.00万元");
    }

    #[test]
    fn ratio_rounds_half_away_from_zero() {
        assert_eq!(Yuan(10).mul_ratio(1, 4), Yuan(3));
        assert_eq!(Yuan(-10).mul_ratio(1, 4), Yuan(-3));
        assert_eq!(Yuan(100).mul_ratio(3, 3), Yuan(100));
    }

    proptest! {
        #[test]
        fn addition_is_exact_and_associative(a in -1_000_000_000_000i64..1_000_000_000_000, b in -1_000_000_000_000i64..1_000_000_000_000, c in -1_000_000_000_000i64..1_000_000_000_000) {
            let (a, b, c) = (Yuan(a), Yuan(b), Yuan(c));
            prop_assert_eq!((a + b) + c, a + (b + c));
            prop_assert_eq!((a + b) - b, a);
            prop_assert_eq!([a, b, c].iter().sum::<Yuan>().0, a.0 + b.0 + c.0);
        }

        #[test]
        fn wan_text_round_trips(v in -1_000_000_000_000_000i64..1_000_000_000_000_000) {
            let y = Yuan(v);
            let text = y.format_in(MoneyUnit::Wan, 4);
            prop_assert_eq!(Yuan::parse_in("x", &text, MoneyUnit::Wan).unwrap(), y);
            let yi = y.format_in(MoneyUnit::Yi, 8);
            prop_assert_eq!(Yuan::parse_in("x", &yi, MoneyUnit::Yi).unwrap(), y);
        }

        #[test]
        fn rounding_to_two_decimals_is_within_half_a_unit(v in -1_000_000_000_000i64..1_000_000_000_000) {
            let shown = Yuan::parse_in("x", &Yuan(v).wan(), MoneyUnit::Wan).unwrap();
            prop_assert!((shown.0 - v).abs() <= 50);
        }
    }
}
