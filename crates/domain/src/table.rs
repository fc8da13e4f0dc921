//! A list as the user sees it, on its way to a file: columns with their Chinese and
//! English headers and a format (万元 with two decimals, percentages, dates), and rows
//! of typed values. CSV is written here; Excel by `duban-render`.

use chrono::NaiveDate;

/// How a column's values are shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fmt {
    Text,
    /// Money, held in yuan, shown in 万元 with two decimals.
    Wan,
    /// Basis points, shown as a percentage with one decimal.
    Percent,
    Int,
    Date,
    /// A moment (ms since the epoch), shown in the office's time (UTC+8).
    Time,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    pub zh: &'static str,
    pub en: &'static str,
    pub fmt: Fmt,
}

pub const fn col(zh: &'static str, en: &'static str, fmt: Fmt) -> Column {
    Column { zh, en, fmt }
}

/// One value of a row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Val {
    Empty,
    Text(String),
    Yuan(i64),
    Bp(i64),
    Int(i64),
    Date(NaiveDate),
    Time(i64),
}

impl From<String> for Val {
    fn from(s: String) -> Val {
        Val::Text(s)
    }
}
impl From<&str> for Val {
    fn from(s: &str) -> Val {
        Val::Text(s.to_string())
    }
}

/// The office's offset from UTC, in milliseconds.
const OFFSET_MS: i64 = 8 * 3_600_000;

impl Val {
    /// The value as text, as the CSV carries it.
    pub fn text(&self) -> String {
        match self {
            Val::Empty => String::new(),
            Val::Text(s) => s.clone(),
            Val::Yuan(y) => crate::money::Yuan::new(*y).wan(),
            // Tenths of a percent, rounded half away from zero as every page rounds.
            Val::Bp(bp) => {
                let tenths = crate::analytics::div_round(i128::from(*bp), 10);
                let sign = if tenths < 0 { "-" } else { "" };
                format!("{sign}{}.{}%", tenths.abs() / 10, tenths.abs() % 10)
            }
            Val::Int(i) => i.to_string(),
            Val::Date(d) => d.to_string(),
            Val::Time(ms) => chrono::DateTime::from_timestamp_millis(ms + OFFSET_MS)
                .map(|t| t.format("%Y-%m-%d %H:%M").to_string())
                .unwrap_or_default(),
        }
    }
    /// A moment as a spreadsheet serial in the office's time.
    pub fn serial_time(ms: i64) -> f64 {
        (ms + OFFSET_MS) as f64 / 86_400_000.0 + 25_569.0
    }
}

/// A list: its title (the file and sheet name), columns and rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listing {
    pub title_zh: &'static str,
    pub title_en: &'static str,
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<Val>>,
}

impl Listing {
    pub fn title(&self, english: bool) -> &'static str {
        if english {
            self.title_en
        } else {
            self.title_zh
        }
    }
    pub fn headers(&self, english: bool) -> Vec<&'static str> {
        self.columns
            .iter()
            .map(|c| if english { c.en } else { c.zh })
            .collect()
    }
    /// The list as CSV for Excel and WPS (UTF-8 with a byte order mark, CRLF).
    pub fn csv(&self, english: bool) -> String {
        let mut out = String::from(BOM);
        out.push_str(&csv_line(&self.headers(english)));
        for r in &self.rows {
            let cells: Vec<String> = r.iter().map(Val::text).collect();
            out.push_str(&csv_line(&cells));
        }
        out
    }
}

/// Without it, Excel on a Chinese Windows reads UTF-8 as GBK and shows mojibake.
pub const BOM: &str = "\u{feff}";

/// One CSV line (CRLF-terminated, as Excel writes them): fields quoted when needed, and
/// cells a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab, CR first) made
/// plain text.
pub fn csv_line<S: AsRef<str>>(cells: &[S]) -> String {
    let mut out = String::new();
    for (i, c) in cells.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let c = c.as_ref();
        let c = if c.starts_with(['=', '+', '-', '@', '\t', '\r']) && c.parse::<f64>().is_err() {
            format!("'{c}")
        } else {
            c.to_string()
        };
        if c.contains([',', '"', '\n', '\r']) {
            out.push('"');
            out.push_str(&c.replace('"', "\"\""));
            out.push('"');
        } else {
            out.push_str(&c);
        }
    }
    out.push_str("\r\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_quoted_and_formulas_defused() {
        assert_eq!(csv_line(&["a", "b"]), "a,b\r\n");
        assert_eq!(
            csv_line(&["1,5", "say \"hi\""]),
            "\"1,5\",\"say \"\"hi\"\"\"\r\n"
        );
        assert_eq!(csv_line(&["two\nlines"]), "\"two\nlines\"\r\n");
        assert_eq!(
            csv_line(&["=HYPERLINK(\"x\")"]),
            "\"'=HYPERLINK(\"\"x\"\")\"\r\n"
        );
        assert_eq!(
            csv_line(&["@SUM(A1)", "+1+1", "-5", "-12.50"]),
            "'@SUM(A1),'+1+1,-5,-12.50\r\n"
        );
        assert_eq!(csv_line(&["光伏，治沙"]), "光伏，治沙\r\n");
        assert_eq!(csv_line::<&str>(&[]), "\r\n");
    }

    #[test]
    fn percentages_round_half_away_from_zero_like_every_page() {
        // 46.25% is exact in binary: a float format would round it to even (46.2%).
        assert_eq!(Val::Bp(4625).text(), "46.3%");
        assert_eq!(Val::Bp(4624).text(), "46.2%");
        assert_eq!(Val::Bp(-55).text(), "-0.6%");
        assert_eq!(Val::Bp(-4).text(), "0.0%");
        assert_eq!(Val::Bp(10_000).text(), "100.0%");
    }

    #[test]
    fn values_read_as_offices_write_them() {
        assert_eq!(Val::Yuan(12_345_678).text(), "1234.57");
        assert_eq!(Val::Bp(8_550).text(), "85.5%");
        assert_eq!(Val::Time(1_761_868_800_000).text(), "2025-10-31 08:00");
        assert!((Val::serial_time(1_761_868_800_000) - (45961.0 + 8.0 / 24.0)).abs() < 1e-9);
        let l = Listing {
            title_zh: "清单",
            title_en: "List",
            columns: vec![
                col("金额（万元）", "Amount (10k yuan)", Fmt::Wan),
                col("比例", "Share", Fmt::Percent),
            ],
            rows: vec![vec![Val::Yuan(10_000), Val::Bp(10_000)]],
        };
        assert_eq!(l.csv(false), "\u{feff}金额（万元）,比例\r\n1.00,100.0%\r\n");
        assert!(
            l.csv(true)
                .starts_with("\u{feff}Amount (10k yuan),Share\r\n")
        );
    }
}
