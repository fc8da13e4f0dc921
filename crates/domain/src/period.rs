//! Reporting periods (a calendar month) and calendar helpers.

use crate::error::FieldError;
use crate::text::normalize;
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use std::fmt;

/// A calendar month, the default reporting period ("2025-10").
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Period {
    year: i32,
    month: u32,
}

impl Period {
    pub fn new(year: i32, month: u32) -> Option<Period> {
        ((1..=12).contains(&month) && (1900..=9999).contains(&year))
            .then_some(Period { year, month })
    }
    pub fn year(self) -> i32 {
        self.year
    }
    pub fn month(self) -> u32 {
        self.month
    }
    /// Month index 0..=11, for the monthly curve.
    pub fn index(self) -> usize {
        (self.month - 1) as usize
    }
    pub fn of(date: NaiveDate) -> Period {
        Period {
            year: date.year(),
            month: date.month(),
        }
    }
    pub fn next(self) -> Period {
        if self.month == 12 {
            Period {
                year: self.year + 1,
                month: 1,
            }
        } else {
            Period {
                year: self.year,
                month: self.month + 1,
            }
        }
    }
    pub fn prev(self) -> Period {
        if self.month == 1 {
            Period {
                year: self.year - 1,
                month: 12,
            }
        } else {
            Period {
                year: self.year,
                month: self.month - 1,
            }
        }
    }
    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.month, 1).expect("valid period")
    }
    pub fn last_day(self) -> NaiveDate {
        self.next().first_day().pred_opt().expect("valid period")
    }
    /// The reporting deadline: the given day of the following month (e.g. the 3rd),
    /// clamped to that month's length.
    pub fn deadline(self, day_of_next_month: u32) -> NaiveDate {
        let n = self.next();
        let day = day_of_next_month.clamp(1, n.last_day().day());
        NaiveDate::from_ymd_opt(n.year, n.month, day).expect("clamped day")
    }
    /// Months from `self` to `other` (positive when `other` is later).
    pub fn months_until(self, other: Period) -> i32 {
        (other.year - self.year) * 12 + other.month as i32 - self.month as i32
    }

    /// Parse "2025-10", "2025-3", "2025/03", "2025.03", "2025年3月", "202503".
    pub fn parse(field: &str, input: &str) -> Result<Period, FieldError> {
        let s = normalize(input);
        let bad = || {
            FieldError::new(
                field,
                "period",
                format!("“{input}”不是有效的年月（应为 2025-10 这样的格式）"),
                format!("'{input}' is not a valid month (expected a form like 2025-10)"),
            )
        };
        if s.is_empty() {
            return Err(FieldError::required(field));
        }
        let parts: Vec<&str> = s
            .trim_end_matches('月')
            .split(['-', '/', '.', '年'])
            .map(str::trim)
            .collect();
        let (y, m) = match parts.as_slice() {
            [y, m] => (
                y.parse::<i32>().map_err(|_| bad())?,
                m.parse::<u32>().map_err(|_| bad())?,
            ),
            [ym] if ym.len() == 6 && ym.chars().all(|c| c.is_ascii_digit()) => (
                ym[..4].parse().map_err(|_| bad())?,
                ym[4..].parse().map_err(|_| bad())?,
            ),
            _ => return Err(bad()),
        };
        Period::new(y, m).ok_or_else(bad)
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}
impl From<Period> for String {
    fn from(p: Period) -> String {
        p.to_string()
    }
}
impl TryFrom<String> for Period {
    type Error = FieldError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Period::parse("period", &s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_common_forms() {
        for s in [
            "2025-10",
            "2025/10",
            "2025.10",
            "2025年10月",
            "202510",
            " ２０２５－１０ ",
        ] {
            assert_eq!(
                Period::parse("p", s).unwrap(),
                Period::new(2025, 10).unwrap(),
                "{s}"
            );
        }
        assert_eq!(Period::parse("p", "2025-3").unwrap().to_string(), "2025-03");
        for s in ["2025-13", "2025", "abc", "2025-00", "25-10"] {
            assert!(Period::parse("p", s).is_err(), "{s}");
        }
    }

    #[test]
    fn deadlines_and_arithmetic() {
        let p = Period::new(2025, 12).unwrap();
        assert_eq!(p.next(), Period::new(2026, 1).unwrap());
        assert_eq!(p.next().prev(), p);
        assert_eq!(p.deadline(3).to_string(), "2026-01-03");
        assert_eq!(
            Period::new(2025, 1).unwrap().deadline(31).to_string(),
            "2025-02-28"
        );
        assert_eq!(Period::new(2024, 11).unwrap().months_until(p), 13);
        assert_eq!(
            Period::new(2024, 2).unwrap().last_day().to_string(),
            "2024-02-29"
        );
    }
}
