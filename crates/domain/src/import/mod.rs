//! Spreadsheet import, the pure part: which template a sheet is, where its header is,
//! and each data row's values, with every bad cell named by sheet, row, column, value
//! and reason (zh/en). Resolving names against the database, the diff and the commit
//! are the application's (`duban_app::imports`).

pub mod columns;
pub mod header;
pub mod value;

#[cfg(test)]
mod tests;

pub use columns::{Column, Kind, Ty, Vocab, month_key};

/// Where an uploaded workbook is: previewed (its dry run kept for a commit), then
/// committed once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    Previewed,
    Committed,
}

impl Stage {
    pub const fn code(self) -> &'static str {
        match self {
            Stage::Previewed => "previewed",
            Stage::Committed => "committed",
        }
    }
    pub fn from_code(s: &str) -> Option<Stage> {
        [Stage::Previewed, Stage::Committed]
            .into_iter()
            .find(|x| x.code() == s)
    }
}
pub use header::{Header, HeaderUnit};
pub use value::{PercentScale, Value};

use crate::error::FieldError;
use crate::sheet::{Cell, Grid, column_name};

/// One rejected cell (or, with an empty column, one rejected row or sheet).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CellError {
    pub sheet: String,
    /// Excel's row number (1-based); 0 for the whole sheet.
    pub row: usize,
    /// Excel's column letters, empty for the whole row.
    pub column: String,
    /// The header of that column as written in the sheet.
    pub header: String,
    pub value: String,
    /// The field of duban's template.
    pub field: String,
    pub code: &'static str,
    pub zh: String,
    pub en: String,
}

impl std::fmt::Display for CellError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.sheet)?;
        if self.row > 0 {
            write!(f, "!{}{}", self.column, self.row)?;
        }
        if !self.header.is_empty() {
            write!(f, "［{}］", self.header)?;
        }
        if !self.value.is_empty() {
            write!(f, "“{}”", self.value)?;
        }
        write!(f, ": {} / {}", self.zh, self.en)
    }
}

/// One data row: its values by field and the errors of its cells.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// Excel's row number (1-based).
    pub line: usize,
    pub values: Vec<(&'static str, Value)>,
    pub errors: Vec<CellError>,
}

impl Row {
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.values.iter().find(|(k, _)| *k == key).map(|(_, v)| v)
    }
    pub fn text(&self, key: &str) -> Option<&str> {
        match self.get(key) {
            Some(Value::Text(s)) => Some(s),
            _ => None,
        }
    }
}

/// A row that was passed over, and why.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Skipped {
    pub row: usize,
    pub zh: &'static str,
    pub en: &'static str,
}

/// What was read from one sheet.
#[derive(Debug, Clone, PartialEq)]
pub struct SheetRead {
    pub kind: Kind,
    pub sheet: String,
    pub header: Header,
    pub rows: Vec<Row>,
    pub skipped: Vec<Skipped>,
    /// Errors of the sheet as a whole (a required column missing).
    pub errors: Vec<CellError>,
}

impl SheetRead {
    /// Where a field is read from: its column letters and the header found there.
    pub fn column_of(&self, key: &str) -> (String, String) {
        self.kind
            .columns()
            .iter()
            .position(|c| c.key == key)
            .and_then(|i| self.header.columns[i].clone())
            .map(|(c, h)| (column_name(c), h))
            .unwrap_or_default()
    }
    /// An error of a row's field found after reading (a unit that does not exist, a
    /// project outside the importer's scope …).
    pub fn error(&self, row: &Row, e: FieldError) -> CellError {
        let (column, header) = self.column_of(&e.field);
        let value = row.get(&e.field).map(show).unwrap_or_default();
        CellError {
            sheet: self.sheet.clone(),
            row: row.line,
            column,
            header,
            value,
            field: e.field,
            code: e.code,
            zh: e.zh,
            en: e.en,
        }
    }
}

/// A value as the preview shows it.
pub fn show(v: &Value) -> String {
    match v {
        Value::Text(s) => s.clone(),
        Value::Code(c) => c.as_str().into(),
        Value::Money(y) => y.wan(),
        Value::Date(d) => d.to_string(),
        Value::Month(p) => p.to_string(),
        Value::Year(y) => y.to_string(),
        Value::Years(a, b) => format!("{a}-{b}"),
        Value::MonthNumber(m) => m.to_string(),
        Value::Percent(bp) => format!("{}%", *bp as f64 / 100.0),
        Value::Bool(b) => if *b { "是" } else { "否" }.into(),
        Value::Vocab(c) => (*c).into(),
    }
}

/// Which template a sheet is: by its name when it is one of duban's, otherwise by the
/// columns its header names. None for sheets that are none (instructions, charts …).
pub fn detect(g: &Grid) -> Option<Kind> {
    let name = g.name.trim();
    if let Some(k) = Kind::parse(name) {
        return Some(k);
    }
    // 补录, 历史数据补录, 2025年补录 …: history, read with the progress columns.
    if name.contains("补录") {
        return Some(Kind::History);
    }
    let has = |kind: Kind, keys: &[&str]| -> usize {
        header::find(kind, g).map_or(0, |h| {
            keys.iter()
                .filter(|k| {
                    let i = kind.columns().iter().position(|c| c.key == **k);
                    i.is_some_and(|i| h.columns[i].is_some())
                })
                .count()
        })
    };
    let figures = has(
        Kind::Progress,
        &[
            "invest_period",
            "invest_ytd",
            "invest_since_start",
            "progress_pct",
            "funds_received",
        ],
    );
    if figures >= 2 || figures == 1 && has(Kind::Progress, &["period"]) == 1 {
        return Some(Kind::Progress);
    }
    if has(Kind::Milestones, &["milestone", "planned_on"]) == 2 {
        return Some(Kind::Milestones);
    }
    if has(Kind::Problems, &["description", "source", "category"]) >= 2
        && has(Kind::Projects, &["total"]) == 0
    {
        return Some(Kind::Problems);
    }
    if has(Kind::Plans, &["planned", "m1", "m6", "m12", "start_month"]) >= 2
        && has(Kind::Projects, &["status", "category"]) == 0
    {
        return Some(Kind::Plans);
    }
    if has(Kind::Users, &["username", "display_name", "role"]) >= 2 {
        return Some(Kind::Users);
    }
    if has(
        Kind::Units,
        &["unit_code", "unit_name", "unit_kind", "parent"],
    ) >= 3
        && has(Kind::Projects, &["total"]) == 0
    {
        return Some(Kind::Units);
    }
    (has(Kind::Projects, &["code", "name", "total", "unit"]) >= 3).then_some(Kind::Projects)
}

/// Whether a row is a total line (合计, 小计, 总计) rather than a project.
fn is_total(texts: &[String]) -> bool {
    texts.iter().any(|t| {
        let t: String = t.chars().filter(|c| !c.is_whitespace()).collect();
        ["合计", "小计", "总计"]
            .iter()
            .any(|w| t == *w || t.ends_with(&format!("{w}:")) || t.starts_with(w) && t.len() <= 12)
    })
}

/// Errors of one sheet kept at most: past them the sheet is not read further (a wrong
/// file of 200,000 rows would otherwise give a million messages), and one more error
/// says so.
pub const MAX_ERRORS: usize = 1_000;

/// What one row of a sheet turned out to be.
enum Line {
    Empty,
    Skipped(Skipped),
    Read(Row),
}

/// Rows from which a sheet is read in two halves at once.
const PARALLEL_ROWS: usize = 2_000;

/// Read a sheet as `kind`. None when its header cannot be found.
pub fn read(kind: Kind, g: &Grid) -> Option<SheetRead> {
    read_split(kind, g, PARALLEL_ROWS)
}

/// [`read`], in two halves at once when the sheet has at least `halves_from` data rows.
fn read_split(kind: Kind, g: &Grid, halves_from: usize) -> Option<SheetRead> {
    let header = header::find(kind, g)?;
    let cols = kind.columns();
    let mut errors = Vec::new();
    let sheet_error = |code: &'static str, field: &str, zh: String, en: String| CellError {
        sheet: g.name.clone(),
        row: 0,
        column: String::new(),
        header: String::new(),
        value: String::new(),
        field: field.into(),
        code,
        zh,
        en,
    };
    // A field given once for the whole sheet, in its title.
    let default_of = |key: &str| -> Option<Value> {
        match key {
            "period" => header.title_period.map(Value::Month),
            "year" => header
                .title_year
                .or(header.title_period.map(|p| p.year()))
                .map(Value::Year),
            _ => None,
        }
    };
    for (i, c) in cols.iter().enumerate() {
        if c.required && header.columns[i].is_none() && default_of(c.key).is_none() {
            errors.push(sheet_error(
                "missing_column",
                c.key,
                format!("缺少必填列“{}”", c.zh),
                format!("the required column '{}' ({}) is missing", c.en, c.zh),
            ));
        }
    }
    let percent = |c: usize| {
        value::percent_scale(
            g.rows
                .iter()
                .skip(header.data_row)
                .map(|r| r.get(c).unwrap_or(&Cell::Empty)),
        )
    };
    let scales: Vec<PercentScale> = cols
        .iter()
        .zip(&header.columns)
        .map(|(c, at)| match (c.ty, at) {
            (Ty::Percent, Some((col, _))) => percent(*col),
            _ => PercentScale::Points,
        })
        .collect();
    let code_at = cols
        .iter()
        .position(|c| c.key == "code")
        .and_then(|i| header.columns[i].as_ref().map(|(c, _)| *c));
    let read_line = |r: usize, cells: &[Cell]| -> Line {
        let line = r + 1;
        if cells.iter().all(Cell::is_empty) {
            return Line::Empty;
        }
        let code_empty = code_at.is_none_or(|c| g.cell(r, c).is_empty());
        // The texts of a row are looked at only when it may be a total line (no code):
        // a sheet of 100,000 projects would otherwise make a string of every cell.
        let filled = || -> Vec<String> {
            cells
                .iter()
                .filter(|c| !c.is_empty())
                .map(Cell::display)
                .collect()
        };
        if code_empty && is_total(&filled()) {
            return Line::Skipped(Skipped {
                row: line,
                zh: "合计行",
                en: "a total line",
            });
        }
        let mapped_filled = || {
            header
                .columns
                .iter()
                .flatten()
                .filter(|(c, _)| !g.cell(r, *c).is_empty())
                .count()
        };
        if code_empty && kind != Kind::Problems && mapped_filled() <= 1 {
            return Line::Skipped(Skipped {
                row: line,
                zh: "分组标题行",
                en: "a group heading",
            });
        }
        let mut row = Row {
            line,
            values: Vec::new(),
            errors: Vec::new(),
        };
        for (i, c) in cols.iter().enumerate() {
            let Some((at, head)) = &header.columns[i] else {
                if let Some(v) = default_of(c.key) {
                    row.values.push((c.key, v));
                }
                continue;
            };
            let cell = g.cell(r, *at);
            let cx = value::Context {
                unit: header.units.get(*at).copied().flatten(),
                sheet_unit: header.sheet_unit,
                percent: scales[i],
            };
            let err = |e: FieldError| CellError {
                sheet: g.name.clone(),
                row: line,
                column: column_name(*at),
                header: head.clone(),
                value: cell.display(),
                field: c.key.into(),
                code: e.code,
                zh: e.zh,
                en: e.en,
            };
            match value::read(c, cell, cx) {
                Ok(Some(v)) => row.values.push((c.key, v)),
                Ok(None) => match default_of(c.key) {
                    Some(v) => row.values.push((c.key, v)),
                    None if c.required => row.errors.push(err(FieldError::new(
                        c.key,
                        "required",
                        format!("“{}”必填", c.zh),
                        format!("'{}' is required", c.en),
                    ))),
                    None => {}
                },
                Err(e) => row.errors.push(err(e)),
            }
        }
        Line::Read(row)
    };
    // Rows from..to in order, up to the one that brings their errors to the limit.
    let read_part = |from: usize, to: usize| -> Vec<(usize, Line)> {
        let mut out = Vec::new();
        let mut row_errors = 0;
        for r in from..to {
            let l = read_line(r, &g.rows[r]);
            if let Line::Read(row) = &l {
                row_errors += row.errors.len();
            }
            out.push((r, l));
            if row_errors >= MAX_ERRORS {
                break;
            }
        }
        out
    };
    // A large sheet is read in two halves at once, one on another thread: what a row
    // says does not depend on the others.
    let (from, to) = (header.data_row.min(g.rows.len()), g.rows.len());
    let lines = if to - from >= halves_from {
        let mid = from + (to - from) / 2;
        std::thread::scope(|scope| {
            let second = scope.spawn(|| read_part(mid, to));
            let mut lines = read_part(from, mid);
            lines.extend(
                second
                    .join()
                    .unwrap_or_else(|e| std::panic::resume_unwind(e)),
            );
            lines
        })
    } else {
        read_part(from, to)
    };
    let mut rows = Vec::new();
    let mut skipped = Vec::new();
    let mut row_errors = 0;
    for (r, l) in lines {
        match l {
            Line::Empty => {}
            Line::Skipped(s) => skipped.push(s),
            Line::Read(row) => {
                row_errors += row.errors.len();
                rows.push(row);
            }
        }
        // Past the limit the rest of the sheet is not looked at.
        if row_errors >= MAX_ERRORS {
            if r + 1 < to {
                let line = r + 2;
                errors.push(sheet_error(
                    "too_many_errors",
                    "",
                    format!("错误超过{MAX_ERRORS}处，第{line}行起未再检查：请先改正以上错误或确认选对了文件"),
                    format!(
                        "more than {MAX_ERRORS} errors: rows from {line} on were not checked; fix those above, or check that this is the right file"
                    ),
                ));
            }
            break;
        }
    }
    Some(SheetRead {
        kind,
        sheet: g.name.clone(),
        header,
        rows,
        skipped,
        errors,
    })
}
