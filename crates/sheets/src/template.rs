//! Import templates: one data sheet with Chinese headers (an English second header row
//! on request), drop-downs for coded columns, number formats, protected header rows,
//! an instructions sheet, and a hidden sheet holding the drop-down lists. The columns
//! are the domain's (`duban_domain::import::columns`), so what is written here imports.

use duban_domain::import::{Column, Kind, Ty};
use duban_domain::sheet::{Cell, column_name};
use rust_xlsxwriter::{
    DataValidation, DataValidationErrorStyle, Format, FormatAlign, FormatBorder, Formula,
    ProtectionOptions, Workbook, Worksheet, XlsxError,
};

/// What a template holds.
#[derive(Debug, Clone, Default)]
pub struct Template {
    /// The data sheets, each with the rows to pre-fill (aligned with its columns).
    pub sheets: Vec<(Kind, Vec<Vec<Cell>>)>,
    /// Add a row of English headers under the Chinese ones.
    pub english: bool,
    /// Lines for the top of the instructions sheet (the unit, the period …).
    pub notes: Vec<String>,
    /// Drop-down values of text columns, by column key (unit names, chain names).
    pub lists: Vec<(&'static str, Vec<String>)>,
}

/// Rows offered for entry below the pre-filled ones.
const BLANK_ROWS: u32 = 2000;

const LISTS_SHEET: &str = "代码表";
const INSTRUCTIONS_SHEET: &str = "填表说明";

fn num_format(ty: Ty) -> &'static str {
    match ty {
        Ty::Money => "#,##0.00##",
        Ty::Percent => "0.0",
        Ty::Date => "yyyy-mm-dd",
        Ty::Year | Ty::MonthNumber => "0",
        Ty::Code | Ty::Month | Ty::Text(_) | Ty::Years => "@",
        Ty::Bool | Ty::Vocab(_) => "General",
    }
}

/// The drop-down values of a column, if it has any.
fn choices(c: &Column, lists: &[(&'static str, Vec<String>)]) -> Option<Vec<String>> {
    match c.ty {
        Ty::Vocab(v) => Some(v.labels().into_iter().map(String::from).collect()),
        Ty::Bool => Some(vec!["是".into(), "否".into()]),
        _ => lists
            .iter()
            .find(|(k, _)| *k == c.key)
            .map(|(_, v)| v.clone())
            .filter(|v| !v.is_empty()),
    }
}

/// The cell formats of a data sheet.
struct Formats {
    head: Format,
    head_required: Format,
    head_en: Format,
}

/// Write the template workbook.
pub fn template(t: &Template) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let head = Format::new()
        .set_bold()
        .set_border(FormatBorder::Thin)
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter)
        .set_text_wrap()
        .set_background_color("#DDEBF7");
    let f = Formats {
        head_required: head.clone().set_font_color("#C00000"),
        head_en: Format::new()
            .set_italic()
            .set_font_color("#595959")
            .set_border(FormatBorder::Thin)
            .set_align(FormatAlign::Center)
            .set_background_color("#F2F2F2"),
        head,
    };
    // The instructions come first, so a person opening the file reads them first.
    let ins = wb.add_worksheet();
    ins.set_name(INSTRUCTIONS_SHEET)?;
    write_instructions(ins, t, &f.head)?;

    // Drop-down lists, gathered over all sheets: (sheet, column, list index).
    let mut lists: Vec<Vec<String>> = Vec::new();
    let mut uses: Vec<(Kind, u16, usize, u32)> = Vec::new();
    for (kind, rows) in &t.sheets {
        let ws = wb.add_worksheet();
        ws.set_name(kind.zh())?;
        let last = data_sheet(ws, *kind, rows, t.english, &f)?;
        for (i, c) in kind.columns().iter().enumerate() {
            if let Some(values) = choices(c, &t.lists) {
                let at = lists.iter().position(|l| *l == values).unwrap_or_else(|| {
                    lists.push(values);
                    lists.len() - 1
                });
                uses.push((*kind, i as u16, at, last));
            }
        }
    }
    // The lists live on a hidden sheet, so none is limited to Excel's 255 characters
    // of inline values.
    if !lists.is_empty() {
        let ls = wb.add_worksheet();
        ls.set_name(LISTS_SHEET)?;
        for (k, values) in lists.iter().enumerate() {
            for (r, v) in values.iter().enumerate() {
                ls.write_string(r as u32, k as u16, v)?;
            }
        }
        ls.set_hidden(true);
    }
    for (kind, col, at, last) in uses {
        let c = &kind.columns()[col as usize];
        let letter = column_name(at);
        let formula = format!("={LISTS_SHEET}!${letter}$1:${letter}${}", lists[at].len());
        let mut v = DataValidation::new()
            .allow_list_formula(Formula::new(formula))
            .set_input_title(c.zh)?
            .set_input_message("从下拉列表选择 / choose from the list")?;
        // Units and chains may also be written by code: warn, do not refuse.
        if !matches!(c.ty, Ty::Vocab(_) | Ty::Bool) {
            v = v.set_error_style(DataValidationErrorStyle::Warning);
        }
        let first = if t.english { 2 } else { 1 };
        wb.worksheet_from_name(kind.zh())?
            .add_data_validation(first, col, last, col, &v)?;
    }
    if let Some((k, _)) = t.sheets.first() {
        wb.worksheet_from_name(k.zh())?.set_active(true);
    }
    wb.save_to_buffer()
}

/// One data sheet: headers, formats, range checks, pre-filled rows, protection.
/// Returns the last row offered for entry.
fn data_sheet(
    ws: &mut Worksheet,
    kind: Kind,
    rows: &[Vec<Cell>],
    english: bool,
    f: &Formats,
) -> Result<u32, XlsxError> {
    let first_data: u32 = if english { 2 } else { 1 };
    let last = first_data + rows.len() as u32 + BLANK_ROWS - 1;
    for (i, c) in kind.columns().iter().enumerate() {
        let col = i as u16;
        let (label, hf) = if c.required {
            (format!("*{}", c.zh), &f.head_required)
        } else {
            (c.zh.to_string(), &f.head)
        };
        ws.write_string_with_format(0, col, &label, hf)?;
        if english {
            ws.write_string_with_format(1, col, c.en, &f.head_en)?;
        }
        let width = match c.ty {
            Ty::Text(n) if n >= 500 => 36.0,
            Ty::Code => 27.0,
            _ => (c.zh.chars().count() as f64 * 2.2 + 2.0).clamp(9.0, 40.0),
        };
        ws.set_column_width(col, width)?;
        let cell = Format::new()
            .set_unlocked()
            .set_num_format(num_format(c.ty));
        ws.set_column_format(col, &cell)?;
        if let Some(v) = validation(c)? {
            ws.add_data_validation(first_data, col, last, col, &v)?;
        }
        for (r, row) in rows.iter().enumerate() {
            let r = first_data + r as u32;
            match row.get(i).unwrap_or(&Cell::Empty) {
                Cell::Empty => {}
                Cell::Text(s) | Cell::Error(s) => {
                    ws.write_string_with_format(r, col, s, &cell)?;
                }
                Cell::Number(n) | Cell::Date(n) => {
                    ws.write_number_with_format(r, col, *n, &cell)?;
                }
                Cell::Bool(b) => {
                    ws.write_string_with_format(r, col, if *b { "是" } else { "否" }, &cell)?;
                }
            }
        }
    }
    ws.set_row_height(0, 30)?;
    ws.set_freeze_panes(first_data, 2)?;
    ws.protect_with_options(&ProtectionOptions {
        format_columns: true,
        format_rows: true,
        insert_rows: true,
        delete_rows: true,
        sort: true,
        use_autofilter: true,
        ..ProtectionOptions::default()
    });
    Ok(last)
}

/// Range checks Excel applies as the user types (the importer checks again).
fn validation(c: &Column) -> Result<Option<DataValidation>, XlsxError> {
    use rust_xlsxwriter::DataValidationRule as R;
    let v = match c.ty {
        Ty::Year => DataValidation::new().allow_whole_number(R::Between(1990, 2100)),
        Ty::MonthNumber => DataValidation::new().allow_whole_number(R::Between(1, 12)),
        Ty::Percent => DataValidation::new().allow_decimal_number(R::Between(0.0, 100.0)),
        _ => return Ok(None),
    };
    Ok(Some(v.set_error_title(c.zh)?.set_error_message(c.note_zh)?))
}

fn write_instructions(ws: &mut Worksheet, t: &Template, head: &Format) -> Result<(), XlsxError> {
    let title = Format::new().set_bold().set_font_size(16);
    let wrap = Format::new()
        .set_text_wrap()
        .set_align(FormatAlign::Top)
        .set_border(FormatBorder::Thin);
    let names: Vec<&str> = t.sheets.iter().map(|(k, _)| k.zh()).collect();
    ws.write_string_with_format(
        0,
        0,
        format!("{}导入模板 · 填表说明", names.join("、")),
        &title,
    )?;
    let mut lines: Vec<String> = t.notes.clone();
    lines.extend(
        [
            "1. 每行一个项目（或一条记录），从表头下方第一行开始填写；不要修改、删除或移动表头行（表头已保护）。",
            "2. 红色表头为必填列。带下拉箭头的列请从列表选择。",
            "3. 金额单位为万元，可保留至多4位小数；日期写作 2025-03-01（也可识别 2025/3/1、2025年3月1日）。",
            "4. 按“项目代码”识别项目：已存在的代码将更新该项目，不存在的将新建；同一文件重复导入不会产生重复数据。",
            "5. 导入前系统会先预检，列出将新建、更新、不变和有错误的行（含工作表、行、列、原值和原因），确认后才写入；有任何错误时不写入任何数据。",
            "Instructions: one record per row below the header; do not change the header rows (they are protected). Red headers are required. Amounts are in 万元 (10,000 yuan). Rows are matched by project code: an existing code is updated, a new one created; importing the same file twice changes nothing. Every import is checked first and written only when every row is valid.",
        ]
        .map(String::from),
    );
    let mut r = 2u32;
    for l in &lines {
        ws.write_string(r, 0, l)?;
        r += 1;
    }
    r += 1;
    for (kind, _) in &t.sheets {
        r += 1;
        ws.write_string_with_format(
            r,
            0,
            format!("工作表“{}” / sheet '{}'", kind.zh(), kind.en()),
            &title,
        )?;
        r += 1;
        for (c, h) in [
            "列",
            "字段",
            "Field",
            "必填",
            "说明 / Notes",
            "可选值 / Choices",
        ]
        .iter()
        .enumerate()
        {
            ws.write_string_with_format(r, c as u16, *h, head)?;
        }
        for (i, c) in kind.columns().iter().enumerate() {
            r += 1;
            let choices = match c.ty {
                Ty::Vocab(v) => v.labels().join("、"),
                Ty::Bool => "是、否".into(),
                _ => String::new(),
            };
            let note = if c.note_en.is_empty() {
                c.note_zh.to_string()
            } else {
                format!("{}\n{}", c.note_zh, c.note_en)
            };
            for (k, v) in [
                column_name(i),
                c.zh.to_string(),
                c.en.to_string(),
                if c.required { "是" } else { "" }.to_string(),
                note,
                choices,
            ]
            .iter()
            .enumerate()
            {
                ws.write_string_with_format(r, k as u16, v, &wrap)?;
            }
        }
        r += 1;
    }
    for (c, w) in [6.0, 22.0, 26.0, 6.0, 60.0, 40.0].iter().enumerate() {
        ws.set_column_width(c as u16, *w)?;
    }
    Ok(())
}
