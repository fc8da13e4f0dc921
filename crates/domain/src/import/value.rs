//! Reading one cell as the type of its column, accepting the forms Excel and people
//! produce: serial dates, 2025/3/1, 2025年3月, 2025.03, full-width digits, amounts in
//! 万元 or 亿元 (converted exactly), 是/否, 85% …

use super::columns::{Column, Ty};
use super::header::HeaderUnit;
use crate::error::FieldError;
use crate::money::{MoneyUnit, Yuan};
use crate::period::Period;
use crate::project::ProjectCode;
use crate::sheet::{Cell, number_text, serial_date};
use crate::text::{self, normalize};
use chrono::{Datelike, NaiveDate};

/// A cell read as its column's type.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(untagged)]
pub enum Value {
    Text(String),
    Code(ProjectCode),
    Money(Yuan),
    Date(NaiveDate),
    Month(Period),
    Year(i32),
    Years(i32, i32),
    MonthNumber(u32),
    /// Basis points: 10000 = 100%.
    Percent(i64),
    Bool(bool),
    /// The stable code of a coded vocabulary.
    Vocab(&'static str),
}

/// How a column's numbers are percentages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PercentScale {
    /// 85 means 85%.
    Points,
    /// 0.85 means 85% (cells formatted as percentages).
    Fraction,
}

/// What the header and the title say about a column's values.
#[derive(Debug, Clone, Copy)]
pub struct Context {
    pub unit: Option<HeaderUnit>,
    pub sheet_unit: Option<MoneyUnit>,
    pub percent: PercentScale,
}

/// The error values of spreadsheet formulas, as cached in a file.
const FORMULA_ERRORS: &[&str] = &[
    "#REF!", "#DIV/0!", "#VALUE!", "#N/A", "#NAME?", "#NUM!", "#NULL!", "#SPILL!", "#CALC!",
];

/// Placeholders people write for "nothing here".
fn is_blank(s: &str) -> bool {
    matches!(
        s,
        "" | "-" | "—" | "——" | "--" | "/" | "无" | "暂无" | "N/A" | "n/a"
    )
}

fn bad(field: &str, code: &'static str, zh: String, en: String) -> FieldError {
    FieldError::new(field, code, zh, en)
}

/// Read a cell; `Ok(None)` when it is empty (or a placeholder in a non-text column).
pub fn read(col: &Column, cell: &Cell, cx: Context) -> Result<Option<Value>, FieldError> {
    let f = col.key;
    let error_text = match cell {
        Cell::Error(e) => Some(e.as_str()),
        Cell::Text(t) if FORMULA_ERRORS.contains(&t.trim()) => Some(t.trim()),
        _ => None,
    };
    if let Some(e) = error_text {
        return Err(bad(
            f,
            "formula_error",
            format!("单元格是公式错误“{e}”，请改为数值"),
            format!("the cell holds the formula error '{e}'; enter a value instead"),
        ));
    }
    if cell.is_empty() {
        return Ok(None);
    }
    let shown = cell.display();
    let s = normalize(&shown);
    if !matches!(col.ty, Ty::Text(_)) && is_blank(&s) {
        return Ok(None);
    }
    Ok(Some(match col.ty {
        Ty::Text(max) => {
            let t = text::field(f, &shown, max, false)?;
            if t.is_empty() {
                return Ok(None);
            }
            Value::Text(t)
        }
        Ty::Code => Value::Code(ProjectCode::parse(f, &s)?),
        Ty::Money => Value::Money(money(f, cell, &s, cx)?),
        Ty::Date => Value::Date(date(f, cell, &s)?),
        Ty::Month => Value::Month(month(f, cell, &s)?),
        Ty::Year => Value::Year(year(f, &s)?),
        Ty::Years => {
            let (a, b) = years(f, &s)?;
            Value::Years(a, b)
        }
        Ty::MonthNumber => Value::MonthNumber(month_number(f, cell, &s)?),
        Ty::Percent => Value::Percent(percent(f, cell, &s, cx.percent)?),
        Ty::Bool => Value::Bool(boolean(f, &s)?),
        Ty::Vocab(v) => Value::Vocab(v.parse(f, &s)?),
    }))
}

/// An exact decimal in `unit` to yuan. Numbers from cells may carry float noise or a
/// formula's long fraction: they are rounded to the yuan (half away from zero).
/// Typed text finer than a yuan is refused, as in forms.
fn money(f: &str, cell: &Cell, s: &str, cx: Context) -> Result<Yuan, FieldError> {
    let mut unit = match cx.unit {
        Some(HeaderUnit::Money(u)) => u,
        _ => cx.sheet_unit.unwrap_or(MoneyUnit::Wan),
    };
    match cell {
        Cell::Number(n) => {
            if !n.is_finite() || n.abs() >= 1e15 {
                return Err(bad(
                    f,
                    "money",
                    format!("金额“{}”超出可表示的范围", number_text(*n)),
                    format!("the amount '{}' is out of range", number_text(*n)),
                ));
            }
            rounded(f, &format!("{n}"), unit)
        }
        _ => {
            let mut t = s.replace([',', '，', ' '], "");
            for (suffix, u) in [
                ("亿元", MoneyUnit::Yi),
                ("万元", MoneyUnit::Wan),
                ("亿", MoneyUnit::Yi),
                ("万", MoneyUnit::Wan),
                ("元", MoneyUnit::Yuan),
            ] {
                if let Some(x) = t.strip_suffix(suffix) {
                    t = x.to_string();
                    unit = u;
                    break;
                }
            }
            // Errors name the cell as written ("一点五亿"), not what was left of it.
            Yuan::parse_in(f, &t, unit).map_err(|mut e| {
                if !t.is_empty() && t != s {
                    e.zh = e.zh.replacen(&t, s, 1);
                    e.en = e.en.replacen(&t, s, 1);
                }
                e
            })
        }
    }
}

/// Parse a plain decimal ("1234.56789", "-0.5") in `unit`, rounding to the yuan.
fn rounded(f: &str, s: &str, unit: MoneyUnit) -> Result<Yuan, FieldError> {
    let (neg, digits) = match s.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, s),
    };
    let (int_part, frac_part) = digits.split_once('.').unwrap_or((digits, ""));
    let scale = match unit {
        MoneyUnit::Yuan => 0,
        MoneyUnit::Wan => 4,
        MoneyUnit::Yi => 8,
    };
    let mut kept: String = frac_part.chars().take(scale).collect();
    while kept.len() < scale {
        kept.push('0');
    }
    let round_up = frac_part.chars().nth(scale).is_some_and(|c| c >= '5');
    let whole = format!("{int_part}{kept}");
    let mut v: i64 = whole.parse().map_err(|_| {
        bad(
            f,
            "money",
            format!("“{s}”不是有效的金额"),
            format!("'{s}' is not a valid amount"),
        )
    })?;
    if round_up {
        v += 1;
    }
    Ok(Yuan::new(if neg { -v } else { v }))
}

fn bad_date(f: &str, s: &str) -> FieldError {
    bad(
        f,
        "date",
        format!("“{s}”不是有效日期，请写作 2025-03-01"),
        format!("'{s}' is not a valid date; write it as 2025-03-01"),
    )
}

/// 2025.1 in a number cell: was it typed 2025.1 or 2025.10? Excel keeps no trace.
fn ambiguous_month(f: &str, n: f64) -> FieldError {
    let y = n.trunc() as i64;
    bad(
        f,
        "ambiguous_month",
        format!(
            "“{}”有歧义：可能是{y}年1月，也可能是{y}年10月（Excel把2025.10存成了2025.1）。请写作 {y}-01 或 {y}-10",
            number_text(n)
        ),
        format!(
            "'{}' is ambiguous: January or October {y} (Excel stores 2025.10 as 2025.1). Write {y}-01 or {y}-10",
            number_text(n)
        ),
    )
}

/// A number cell that holds a year and month written with a dot (2025.03).
fn dotted_month(f: &str, n: f64) -> Result<Option<Period>, FieldError> {
    if !(1990.0..2101.0).contains(&n) || n.fract() == 0.0 {
        return Ok(None);
    }
    let txt = number_text(n);
    let Some((y, m)) = txt.split_once('.') else {
        return Ok(None);
    };
    if m == "1" {
        return Err(ambiguous_month(f, n));
    }
    Ok(match (y.parse::<i32>(), m.parse::<u32>()) {
        (Ok(y), Ok(m)) if m.to_string().len() <= 2 => Period::new(y, m),
        _ => None,
    })
}

fn date(f: &str, cell: &Cell, s: &str) -> Result<NaiveDate, FieldError> {
    match cell {
        Cell::Date(d) => serial_date(*d).ok_or_else(|| bad_date(f, s)),
        Cell::Number(n) => {
            if let Some(p) = dotted_month(f, *n)? {
                return Ok(p.first_day());
            }
            if (20_000.0..80_000.0).contains(n) {
                return serial_date(*n).ok_or_else(|| bad_date(f, s));
            }
            compact_date(&number_text(*n)).ok_or_else(|| bad_date(f, s))
        }
        _ => text::date(f, s)
            .ok()
            .or_else(|| compact_date(s))
            .or_else(|| Period::parse(f, s).ok().map(Period::first_day))
            .ok_or_else(|| bad_date(f, s)),
    }
}

/// 20250301
fn compact_date(s: &str) -> Option<NaiveDate> {
    (s.len() == 8 && s.chars().all(|c| c.is_ascii_digit()))
        .then(|| NaiveDate::parse_from_str(s, "%Y%m%d").ok())
        .flatten()
        .filter(|d| (1990..=2100).contains(&d.year()))
}

fn month(f: &str, cell: &Cell, s: &str) -> Result<Period, FieldError> {
    let bad_month = || {
        bad(
            f,
            "period",
            format!("“{s}”不是有效的年月，请写作 2025-10"),
            format!("'{s}' is not a valid month; write it as 2025-10"),
        )
    };
    match cell {
        Cell::Date(d) => serial_date(*d).map(Period::of).ok_or_else(bad_month),
        Cell::Number(n) => {
            if let Some(p) = dotted_month(f, *n)? {
                return Ok(p);
            }
            if (20_000.0..80_000.0).contains(n) {
                return serial_date(*n).map(Period::of).ok_or_else(bad_month);
            }
            Period::parse(f, &number_text(*n)).map_err(|_| bad_month())
        }
        _ => Period::parse(f, s)
            .ok()
            .or_else(|| text::date(f, s).ok().map(Period::of))
            .ok_or_else(bad_month),
    }
}

fn year(f: &str, s: &str) -> Result<i32, FieldError> {
    let t = s.trim_end_matches("年度").trim_end_matches('年');
    t.parse::<i32>()
        .ok()
        .filter(|y| (1990..=2100).contains(y))
        .ok_or_else(|| {
            bad(
                f,
                "year",
                format!("“{s}”不是有效年份"),
                format!("'{s}' is not a valid year"),
            )
        })
}

/// The first and last four-digit years in the text.
fn years(f: &str, s: &str) -> Result<(i32, i32), FieldError> {
    let mut found = Vec::new();
    let mut run = String::new();
    for c in s.chars().chain(std::iter::once(' ')) {
        if c.is_ascii_digit() {
            run.push(c);
        } else {
            if run.len() == 4
                && let Ok(y) = run.parse::<i32>()
            {
                found.push(y);
            }
            run.clear();
        }
    }
    let ok = |y: &i32| (1990..=2100).contains(y);
    match (found.first(), found.last()) {
        (Some(a), Some(b)) if ok(a) && ok(b) && a <= b && found.len() <= 2 => Ok((*a, *b)),
        (Some(a), Some(b)) if ok(a) && ok(b) && a > b => Err(bad(
            f,
            "year_order",
            format!("建设止年（{b}）早于起年（{a}）"),
            format!("the end year ({b}) is before the start year ({a})"),
        )),
        _ => Err(bad(
            f,
            "years",
            format!("“{s}”不是有效的起止年限，请写作 2024-2026"),
            format!("'{s}' is not a valid span of years; write it as 2024-2026"),
        )),
    }
}

fn month_number(f: &str, cell: &Cell, s: &str) -> Result<u32, FieldError> {
    if let Cell::Date(d) = cell
        && let Some(d) = serial_date(*d)
    {
        return Ok(d.month());
    }
    let t = s.trim_end_matches('月');
    t.parse::<u32>()
        .ok()
        .filter(|m| (1..=12).contains(m))
        .or_else(|| Period::parse(f, s).ok().map(Period::month))
        .or_else(|| text::date(f, s).ok().map(|d| d.month()))
        .ok_or_else(|| {
            bad(
                f,
                "month",
                format!("“{s}”不是有效月份（1—12）"),
                format!("'{s}' is not a month (1 to 12)"),
            )
        })
}

fn percent(f: &str, cell: &Cell, s: &str, scale: PercentScale) -> Result<i64, FieldError> {
    let bad_pct = || {
        bad(
            f,
            "percent",
            format!("“{s}”不是有效的百分比"),
            format!("'{s}' is not a valid percentage"),
        )
    };
    let (value, points) = match cell {
        Cell::Number(n) => (*n, scale == PercentScale::Points),
        _ => match s.strip_suffix(['%', '％']) {
            Some(t) => (t.trim().parse::<f64>().map_err(|_| bad_pct())?, true),
            None => (
                s.parse::<f64>().map_err(|_| bad_pct())?,
                scale == PercentScale::Points,
            ),
        },
    };
    if !value.is_finite() {
        return Err(bad_pct());
    }
    let bp = if points {
        value * 100.0
    } else {
        value * 10_000.0
    };
    if !(0.0..=10_000.0).contains(&bp.round()) {
        return Err(bad(
            f,
            "percent_range",
            format!("“{s}”超出0—100%"),
            format!("'{s}' is outside 0 to 100%"),
        ));
    }
    Ok(bp.round() as i64)
}

fn boolean(f: &str, s: &str) -> Result<bool, FieldError> {
    let t = s.to_lowercase();
    match t.as_str() {
        "是" | "已" | "已开工" | "开工" | "已入库" | "已纳统" | "√" | "✓" | "y" | "yes"
        | "true" | "1" | "有" => Ok(true),
        "否" | "未" | "未开工" | "未入库" | "未纳统" | "×" | "✗" | "n" | "no" | "false" | "0" => {
            Ok(false)
        }
        _ => Err(bad(
            f,
            "bool",
            format!("“{s}”应为“是”或“否”"),
            format!("'{s}' should be 是 (yes) or 否 (no)"),
        )),
    }
}

/// How the numbers of a percent column are meant: as fractions when every number lies
/// in 0..=1 and one of them has a fraction (cells formatted as percentages), otherwise
/// as points.
pub fn percent_scale<'a>(cells: impl Iterator<Item = &'a Cell>) -> PercentScale {
    let mut any_fraction = false;
    for c in cells {
        if let Cell::Number(n) = c {
            if !(0.0..=1.0).contains(n) {
                return PercentScale::Points;
            }
            any_fraction |= n.fract() != 0.0;
        }
    }
    if any_fraction {
        PercentScale::Fraction
    } else {
        PercentScale::Points
    }
}
