//! Finding the header of a real sheet: a title above it, one to three header rows with
//! merged cells, a unit row or an English row below it, and headers written in many
//! ways (总投资（万元）, 总投资(亿元), 1-10月累计完成投资, 10月完成投资 …).

use super::columns::{CONTEXT_HEADERS, Column, Kind, Ty};
use crate::money::MoneyUnit;
use crate::period::Period;
use crate::sheet::Grid;
use crate::text::normalize;

/// The unit a header, a unit row or a title gives to a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeaderUnit {
    Money(MoneyUnit),
    Percent,
}

/// A header reduced to what identifies it: full-width folded, spaces, stars and
/// bracketed notes removed, "1-10月" written "1-n月", a leading year dropped. The
/// unit found in brackets is returned beside it.
pub fn header_key(raw: &str) -> (String, Option<HeaderUnit>) {
    let s = normalize(raw);
    let mut key = String::new();
    let mut unit = None;
    let mut depth = 0usize;
    let mut inner = String::new();
    for c in s.chars() {
        match c {
            '(' | '（' | '[' | '【' => {
                depth += 1;
                inner.clear();
            }
            ')' | '）' | ']' | '】' if depth > 0 => {
                depth -= 1;
                unit = unit.or_else(|| unit_of(&inner));
            }
            _ if depth > 0 => inner.push(c),
            c if c.is_whitespace() || matches!(c, '*' | '＊' | '※' | ':' | '：' | '、') => {}
            c => key.extend(c.to_lowercase()),
        }
    }
    // A unit written after the name without brackets: 总投资万元, 总投资/亿元.
    for (suffix, u) in [
        ("亿元", MoneyUnit::Yi),
        ("万元", MoneyUnit::Wan),
        ("/元", MoneyUnit::Yuan),
    ] {
        if key.len() > suffix.len()
            && let Some(k) = key.strip_suffix(suffix)
        {
            key = k.trim_end_matches('/').to_string();
            unit = unit.or(Some(HeaderUnit::Money(u)));
        }
    }
    if let Some(k) = key.strip_suffix('%') {
        key = k.to_string();
        unit = unit.or(Some(HeaderUnit::Percent));
    }
    (months_generic(&drop_year(&key)), unit)
}

fn unit_of(s: &str) -> Option<HeaderUnit> {
    let s = normalize(s);
    if s.contains('%') || s.contains('％') {
        Some(HeaderUnit::Percent)
    } else if s.contains("亿元") {
        Some(HeaderUnit::Money(MoneyUnit::Yi))
    } else if s.contains("万元") {
        Some(HeaderUnit::Money(MoneyUnit::Wan))
    } else if s == "元" || s.ends_with(":元") || s.ends_with("：元") {
        Some(HeaderUnit::Money(MoneyUnit::Yuan))
    } else {
        None
    }
}

/// A cell that only states a unit ("万元", "单位：亿元", "%"): part of a unit row.
pub fn unit_cell(s: &str) -> Option<HeaderUnit> {
    let t = normalize(s).replace(['（', '）', '(', ')'], "");
    let t = t
        .strip_prefix("单位")
        .map(|r| r.trim_start_matches([':', '：']))
        .unwrap_or(&t);
    match t {
        "万元" => Some(HeaderUnit::Money(MoneyUnit::Wan)),
        "亿元" => Some(HeaderUnit::Money(MoneyUnit::Yi)),
        "元" => Some(HeaderUnit::Money(MoneyUnit::Yuan)),
        "%" | "％" | "百分比" => Some(HeaderUnit::Percent),
        _ => None,
    }
}

/// A title or note line that states the money unit of the whole sheet
/// ("单位：万元", "金额单位：亿元").
pub fn sheet_unit(s: &str) -> Option<MoneyUnit> {
    let t = normalize(s).replace(' ', "");
    let at = t.find("单位")?;
    let rest = &t[at + "单位".len()..];
    let rest = rest.trim_start_matches([':', '：']);
    if rest.starts_with("亿元") {
        Some(MoneyUnit::Yi)
    } else if rest.starts_with("万元") {
        Some(MoneyUnit::Wan)
    } else if rest.starts_with('元') {
        Some(MoneyUnit::Yuan)
    } else {
        None
    }
}

/// "2025年1-10月…" → "1-10月…", "2025年度计划投资" → "计划投资".
fn drop_year(k: &str) -> String {
    let b = k.as_bytes();
    if b.len() > 4 && b[..4].iter().all(u8::is_ascii_digit) {
        let rest = &k[4..];
        if let Some(r) = rest
            .strip_prefix("年度")
            .or_else(|| rest.strip_prefix("年"))
        {
            return r.to_string();
        }
    }
    k.to_string()
}

/// "1-10月", "1—10月", "1～10月", "1至10月" → "1-n月"; a leading "10月" → "本月".
fn months_generic(k: &str) -> String {
    let chars: Vec<char> = k.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == '1'
            && i + 1 < chars.len()
            && matches!(chars[i + 1], '-' | '—' | '－' | '~' | '～' | '至' | '–')
        {
            let mut j = i + 2;
            while j < chars.len() && chars[j].is_ascii_digit() {
                j += 1;
            }
            if j < chars.len() && chars[j] == '月' && j > i + 2 {
                out.push_str("1-n月");
                i = j + 1;
                continue;
            }
            if j + 1 < chars.len() && chars[j] == 'n' && chars[j + 1] == '月' {
                out.push_str("1-n月");
                i = j + 2;
                continue;
            }
        }
        out.push(chars[i]);
        i += 1;
    }
    // "10月完成投资" → "本月完成投资" (only a leading month; "1月" … "12月" alone stay,
    // they are the plan's month columns).
    let digits = out.chars().take_while(char::is_ascii_digit).count();
    if (1..=2).contains(&digits)
        && out[digits..].starts_with('月')
        && out.len() > digits + '月'.len_utf8()
    {
        return format!("本月{}", &out[digits + '月'.len_utf8()..]);
    }
    out
}

/// The column a header names in a kind, or a known context header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Match {
    Column(usize),
    Context,
}

/// Look a header up among a kind's columns (name, English name and aliases).
pub fn lookup(kind: Kind, raw: &str) -> Option<(Match, Option<HeaderUnit>)> {
    let (key, unit) = header_key(raw);
    if key.is_empty() {
        return None;
    }
    let cols = kind.columns();
    let names = |c: &Column| {
        let mut v = vec![header_key(c.zh).0, header_key(c.en).0];
        v.extend(c.aliases.iter().map(|a| header_key(a).0));
        v
    };
    let hits: Vec<usize> = cols
        .iter()
        .enumerate()
        .filter(|(_, c)| names(c).contains(&key))
        .map(|(i, _)| i)
        .collect();
    // 形象进度 and 形象进度（%）share a name: the unit decides.
    let pick = match hits.as_slice() {
        [] => None,
        [one] => Some(*one),
        many => many
            .iter()
            .copied()
            .find(|i| (cols[*i].ty == Ty::Percent) == (unit == Some(HeaderUnit::Percent)))
            .or(Some(many[0])),
    };
    if let Some(i) = pick {
        return Some((Match::Column(i), unit));
    }
    CONTEXT_HEADERS
        .iter()
        .any(|h| header_key(h).0 == key)
        .then_some((Match::Context, unit))
}

/// Where a sheet's header is and what each column is.
#[derive(Debug, Clone, PartialEq)]
pub struct Header {
    /// First and last header rows (zero-based, inclusive).
    pub first_row: usize,
    pub last_row: usize,
    /// The first data row.
    pub data_row: usize,
    /// For each column of the kind: the sheet column it is read from and the header
    /// text found there.
    pub columns: Vec<Option<(usize, String)>>,
    /// The unit of each sheet column, where one was stated.
    pub units: Vec<Option<HeaderUnit>>,
    /// Sheet columns with a header that is not imported, with that header.
    pub ignored: Vec<(usize, String)>,
    /// The money unit the title states for the whole sheet.
    pub sheet_unit: Option<MoneyUnit>,
    /// A month the title states ("2025年10月重点项目进展表").
    pub title_period: Option<Period>,
    /// A year the title states ("2025年重点项目计划表").
    pub title_year: Option<i32>,
}

impl Header {
    pub fn matched(&self) -> usize {
        self.columns.iter().filter(|c| c.is_some()).count()
    }
}

/// How many rows from the top may hold the title and the header.
const SCAN_ROWS: usize = 15;

/// The grid's top rows as text, with each merged region's value copied into all of
/// its cells (a parent header spans its children).
fn filled_top(g: &Grid, rows: usize, width: usize) -> Vec<Vec<String>> {
    let mut t: Vec<Vec<String>> = (0..rows)
        .map(|r| (0..width).map(|c| g.cell(r, c).display()).collect())
        .collect();
    for m in &g.merged {
        if m.first_row >= rows {
            continue;
        }
        let v = g.cell(m.first_row, m.first_col).display();
        for row in t
            .iter_mut()
            .take(m.last_row.min(rows - 1) + 1)
            .skip(m.first_row)
        {
            for cell in row
                .iter_mut()
                .take(m.last_col.min(width - 1) + 1)
                .skip(m.first_col)
            {
                *cell = v.clone();
            }
        }
    }
    t
}

/// The candidate header texts of column `c` when row `r` is the last header row: the
/// cell itself, and its parents above joined to it.
fn candidates(t: &[Vec<String>], r: usize, c: usize) -> Vec<String> {
    let cell = |r: usize| t[r][c].trim().to_string();
    let mut v = Vec::new();
    let own = cell(r);
    if !own.is_empty() {
        v.push(own.clone());
    }
    if r >= 1 {
        let p = cell(r - 1);
        if !p.is_empty() && p != own {
            v.push(format!("{p}{own}"));
            v.push(format!("{own}{p}"));
            if own.is_empty() || unit_cell(&own).is_some() {
                v.push(p.clone());
            }
        }
        if r >= 2 {
            let g = cell(r - 2);
            if !g.is_empty() && g != p {
                v.push(format!("{g}{p}{own}"));
            }
        }
    }
    v
}

/// Find the header of `kind` in a grid: the row (with up to two parent rows) where most
/// of the kind's columns are named. None when fewer than two are.
pub fn find(kind: Kind, g: &Grid) -> Option<Header> {
    let width = g.width();
    let rows = g.rows.len().min(SCAN_ROWS);
    if width == 0 || rows == 0 {
        return None;
    }
    let t = filled_top(g, rows, width);
    let ncols = kind.columns().len();
    let mut best: Option<(usize, Header)> = None;
    for r in 0..rows {
        let mut columns: Vec<Option<(usize, String)>> = vec![None; ncols];
        let mut units = vec![None; width];
        let mut ignored = Vec::new();
        let mut score = 0;
        for c in 0..width {
            let mut found = None;
            for cand in candidates(&t, r, c) {
                if let Some(m) = lookup(kind, &cand) {
                    found = Some((cand, m));
                    break;
                }
            }
            // The unit may be on any header row of the column (a parent's "（万元）").
            for row in &t[r.saturating_sub(2)..=r] {
                units[c] = units[c].or_else(|| header_key(&row[c]).1);
            }
            match found {
                Some((text, (Match::Column(i), u))) if columns[i].is_none() => {
                    columns[i] = Some((c, text));
                    units[c] = u.or(units[c]);
                    score += 2;
                }
                Some((text, (Match::Context, _))) => {
                    ignored.push((c, text));
                    score += 1;
                }
                _ => {
                    let own = t[r][c].trim();
                    if !own.is_empty() {
                        ignored.push((c, own.to_string()));
                    }
                }
            }
        }
        let matched = columns.iter().filter(|x| x.is_some()).count();
        if matched < 2 {
            continue;
        }
        if best.as_ref().is_none_or(|(s, _)| score > *s) {
            // The header starts at the highest of up to three rows that hold text in
            // the columns it names (a title or a unit note beside them is not header).
            let named: Vec<usize> = columns.iter().flatten().map(|(c, _)| *c).collect();
            let first_row = (0..=r)
                .rev()
                .take_while(|k| {
                    *k + 2 >= r
                        && named.iter().any(|c| {
                            !t[*k][*c].trim().is_empty() && sheet_unit(&t[*k][*c]).is_none()
                        })
                })
                .last()
                .unwrap_or(r);
            best = Some((
                score,
                Header {
                    first_row,
                    last_row: r,
                    data_row: r + 1,
                    columns,
                    units,
                    ignored,
                    sheet_unit: None,
                    title_period: None,
                    title_year: None,
                },
            ));
        }
    }
    let (_, mut h) = best?;
    // Rows right below the header that are not data: a unit row, the English header
    // row of duban's templates, a column-number row (1, 2, 3 … or 甲, 乙 …).
    while h.data_row < g.rows.len() && is_sub_header(kind, g, h.data_row, &mut h.units) {
        h.data_row += 1;
    }
    // The title and notes above the header: the sheet's unit and period.
    for r in 0..h.data_row.min(g.rows.len()) {
        for c in 0..width {
            let s = g.cell(r, c).display();
            if s.is_empty() || lookup(kind, &s).is_some() {
                continue;
            }
            h.sheet_unit = h.sheet_unit.or_else(|| sheet_unit(&s));
            h.title_period = h.title_period.or_else(|| title_period(&s));
            h.title_year = h.title_year.or_else(|| title_year(&s));
        }
    }
    Some(h)
}

fn is_sub_header(kind: Kind, g: &Grid, r: usize, units: &mut [Option<HeaderUnit>]) -> bool {
    let cells: Vec<(usize, String)> = g.rows[r]
        .iter()
        .enumerate()
        .map(|(c, x)| (c, x.display().trim().to_string()))
        .filter(|(_, s)| !s.is_empty())
        .collect();
    if cells.is_empty() {
        return false;
    }
    if cells.iter().all(|(_, s)| unit_cell(s).is_some()) {
        for (c, s) in &cells {
            if let Some(u) = units.get_mut(*c) {
                *u = unit_cell(s);
            }
        }
        return true;
    }
    let english = cells
        .iter()
        .filter(|(_, s)| {
            s.is_ascii() && matches!(lookup(kind, s), Some((Match::Column(_), _)))
                || s.eq_ignore_ascii_case("No.")
        })
        .count();
    if english * 2 >= cells.len() && english >= 2 {
        return true;
    }
    let numbering = cells.iter().enumerate().all(|(i, (_, s))| {
        s == &(i + 1).to_string()
            || "甲乙丙丁戊己庚辛壬癸".contains(s.as_str()) && s.chars().count() == 1
    });
    numbering && cells.len() >= 3
}

/// The run of ASCII digits that ends `s` ("填报时间：2025" → "2025").
fn trailing_digits(s: &str) -> &str {
    let start = s
        .char_indices()
        .rev()
        .take_while(|(_, c)| c.is_ascii_digit())
        .last()
        .map_or(s.len(), |(i, _)| i);
    &s[start..]
}

/// The four-digit year written just before the first 年, and what follows 年.
fn year_and_rest(t: &str) -> Option<(i32, &str)> {
    let at = t.find('年')?;
    let digits = trailing_digits(&t[..at]);
    let y: i32 = (digits.len() == 4).then(|| digits.parse().ok())??;
    (1990..=2100)
        .contains(&y)
        .then_some((y, &t[at + '年'.len_utf8()..]))
}

/// A month named in a title: "2025年10月", "2025年1-10月" (the last month).
pub fn title_period(s: &str) -> Option<Period> {
    let t = normalize(s).replace(' ', "");
    let (year, rest) = year_and_rest(&t)?;
    let months = &rest[..rest.find('月')?];
    let last = trailing_digits(months);
    if last.is_empty() || months.len() > 6 {
        return None;
    }
    Period::new(year, last.parse().ok()?)
}

/// A year named in a title: "2025年度…", "2025年重点项目…".
pub fn title_year(s: &str) -> Option<i32> {
    year_and_rest(&normalize(s)).map(|(y, _)| y)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_fold_the_ways_headers_are_written() {
        assert_eq!(
            header_key("总投资（万元）"),
            ("总投资".into(), Some(HeaderUnit::Money(MoneyUnit::Wan)))
        );
        assert_eq!(
            header_key("总投资(亿元)"),
            ("总投资".into(), Some(HeaderUnit::Money(MoneyUnit::Yi)))
        );
        assert_eq!(header_key(" 总 投 资 ").0, "总投资");
        assert_eq!(header_key("*项目代码").0, "项目代码");
        assert_eq!(header_key("1-10月累计完成投资").0, "1-n月累计完成投资");
        assert_eq!(header_key("1—9月累计完成投资").0, "1-n月累计完成投资");
        assert_eq!(
            header_key("2025年1-10月累计完成投资").0,
            "1-n月累计完成投资"
        );
        assert_eq!(header_key("1-N月累计完成投资").0, "1-n月累计完成投资");
        assert_eq!(header_key("10月完成投资").0, "本月完成投资");
        assert_eq!(header_key("10月").0, "10月");
        assert_eq!(header_key("2025年度计划投资").0, "计划投资");
        assert_eq!(
            header_key("形象进度（%）"),
            ("形象进度".into(), Some(HeaderUnit::Percent))
        );
        assert_eq!(header_key("Project code").0, "projectcode");
        assert_eq!(
            header_key("总投资万元"),
            ("总投资".into(), Some(HeaderUnit::Money(MoneyUnit::Wan)))
        );
    }

    #[test]
    fn lookup_uses_the_unit_to_choose() {
        let p = Kind::Progress.columns();
        let key = |h: &str| match lookup(Kind::Progress, h) {
            Some((Match::Column(i), _)) => p[i].key,
            Some((Match::Context, _)) => "context",
            None => "none",
        };
        assert_eq!(key("形象进度（%）"), "progress_pct");
        assert_eq!(key("形象进度"), "progress_text");
        assert_eq!(key("序号"), "context");
        assert_eq!(key("天气"), "none");
        assert_eq!(key("1-9月累计完成投资（万元）"), "invest_ytd");
    }

    #[test]
    fn titles_give_the_period_and_the_unit() {
        assert_eq!(
            title_period("2025年10月重点项目进展情况表"),
            Period::new(2025, 10)
        );
        assert_eq!(title_period("2025年1-10月重点项目"), Period::new(2025, 10));
        assert_eq!(
            title_period("填报时间：２０２５年３月"),
            Period::new(2025, 3)
        );
        assert_eq!(title_period("重点项目进展表"), None);
        assert_eq!(title_year("2025年度重点项目计划表"), Some(2025));
        assert_eq!(sheet_unit("单位：亿元"), Some(MoneyUnit::Yi));
        assert_eq!(sheet_unit("金额单位: 万元"), Some(MoneyUnit::Wan));
        assert_eq!(sheet_unit("填报单位：某某局"), None);
        assert_eq!(
            unit_cell("（万元）"),
            Some(HeaderUnit::Money(MoneyUnit::Wan))
        );
        assert_eq!(
            unit_cell("单位：亿元"),
            Some(HeaderUnit::Money(MoneyUnit::Yi))
        );
    }
}
