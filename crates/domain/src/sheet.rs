//! A worksheet as the import rules see it: a grid of cells and its merged regions.
//! The file reader (crate `duban-sheets`) fills it; everything that interprets a
//! sheet works on this model, so it stays pure and testable without files.

use chrono::NaiveDate;

/// One cell's content, as a spreadsheet program stores it.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Cell {
    #[default]
    Empty,
    Text(String),
    Number(f64),
    Bool(bool),
    /// A cell formatted as a date or time: days since 1899-12-30 (the 1900 date system).
    Date(f64),
    /// A formula error such as `#REF!` or `#DIV/0!`.
    Error(String),
}

impl Cell {
    pub fn is_empty(&self) -> bool {
        match self {
            Cell::Empty => true,
            Cell::Text(s) => s.trim().is_empty(),
            _ => false,
        }
    }

    /// The cell as a person reads it, for error messages and header matching.
    pub fn display(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(s) => s.clone(),
            Cell::Number(n) => number_text(*n),
            Cell::Bool(b) => if *b { "TRUE" } else { "FALSE" }.into(),
            Cell::Date(d) => serial_date(*d)
                .map(|d| d.to_string())
                .unwrap_or_else(|| number_text(*d)),
            Cell::Error(e) => e.clone(),
        }
    }
}

/// A number as Excel shows it in a General cell: no trailing zeros, no exponent for
/// the magnitudes of money.
pub fn number_text(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        let s = format!("{n:.10}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// The calendar date of an Excel serial day number (1900 date system; serials before
/// 1900-03-01 are not used by real data and are refused).
pub fn serial_date(serial: f64) -> Option<NaiveDate> {
    if !(61.0..=2_958_465.0).contains(&serial) {
        return None;
    }
    let base = NaiveDate::from_ymd_opt(1899, 12, 30)?;
    base.checked_add_days(chrono::Days::new(serial.floor() as u64))
}

/// The serial day number of a date (the inverse of [`serial_date`]).
pub fn date_serial(d: NaiveDate) -> f64 {
    let base = NaiveDate::from_ymd_opt(1899, 12, 30).expect("valid base");
    (d - base).num_days() as f64
}

/// A merged region, inclusive, zero-based.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Merge {
    pub first_row: usize,
    pub first_col: usize,
    pub last_row: usize,
    pub last_col: usize,
}

/// One worksheet: its name, its cells row by row (zero-based; row 0 is Excel's row 1)
/// and its merged regions.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Grid {
    pub name: String,
    pub rows: Vec<Vec<Cell>>,
    pub merged: Vec<Merge>,
}

impl Grid {
    pub fn cell(&self, r: usize, c: usize) -> &Cell {
        static EMPTY: Cell = Cell::Empty;
        self.rows
            .get(r)
            .and_then(|row| row.get(c))
            .unwrap_or(&EMPTY)
    }
    pub fn width(&self) -> usize {
        self.rows.iter().map(Vec::len).max().unwrap_or(0)
    }
    /// A grid of text cells, for tests and examples.
    pub fn of_text(name: &str, rows: &[&[&str]]) -> Grid {
        Grid {
            name: name.into(),
            rows: rows
                .iter()
                .map(|r| {
                    r.iter()
                        .map(|s| {
                            if s.is_empty() {
                                Cell::Empty
                            } else {
                                Cell::Text((*s).into())
                            }
                        })
                        .collect()
                })
                .collect(),
            merged: vec![],
        }
    }
}

/// The spreadsheet name of a zero-based column: 0 → A, 25 → Z, 26 → AA.
pub fn column_name(mut c: usize) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'A' + (c % 26) as u8);
        if c < 26 {
            break;
        }
        c = c / 26 - 1;
    }
    s.reverse();
    String::from_utf8(s).expect("ascii")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_and_serials() {
        assert_eq!(column_name(0), "A");
        assert_eq!(column_name(25), "Z");
        assert_eq!(column_name(26), "AA");
        assert_eq!(column_name(27), "AB");
        assert_eq!(column_name(701), "ZZ");
        assert_eq!(column_name(702), "AAA");
        let d = NaiveDate::from_ymd_opt(2025, 3, 1).unwrap();
        assert_eq!(date_serial(d), 45717.0);
        assert_eq!(serial_date(45717.0), Some(d));
        assert_eq!(serial_date(45717.75), Some(d), "time of day ignored");
        assert_eq!(serial_date(-1.0), None);
        assert_eq!(number_text(1234.5), "1234.5");
        assert_eq!(number_text(0.1 + 0.2), "0.3");
        assert_eq!(number_text(3.0), "3");
    }
}
