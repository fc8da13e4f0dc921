//! Any list as an `.xlsx` worksheet: the header row bold, frozen and filterable, money
//! as numbers in 万元 with two decimals (so that Excel sums them), percentages as
//! percentages, dates and times as dates. Written row by row in constant memory, so a
//! registry of a million projects fits in a few megabytes of buffers.

use duban_domain::table::{Column, Fmt, Listing, Val};
use rust_xlsxwriter::{Format, FormatAlign, Workbook, XlsxError};

/// Excel's last row.
pub const MAX_ROWS: u32 = 1_048_576;

pub struct ListingWriter {
    wb: Workbook,
    formats: Vec<Format>,
    row: u32,
}

fn format(f: Fmt) -> Format {
    match f {
        Fmt::Text => Format::new(),
        Fmt::Wan => Format::new().set_num_format("#,##0.00"),
        Fmt::Percent => Format::new().set_num_format("0.0%"),
        Fmt::Int => Format::new().set_num_format("0"),
        Fmt::Date => Format::new().set_num_format("yyyy-mm-dd"),
        Fmt::Time => Format::new().set_num_format("yyyy-mm-dd hh:mm"),
    }
}

impl ListingWriter {
    pub fn new(title: &str, columns: &[Column], english: bool) -> Result<Self, XlsxError> {
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet_with_constant_memory()?;
        ws.set_name(crate::sheet_name(title, &mut Vec::new()))?;
        let head = Format::new()
            .set_bold()
            .set_background_color("#DDEBF7")
            .set_align(FormatAlign::Center);
        for (i, c) in columns.iter().enumerate() {
            let label = if english { c.en } else { c.zh };
            ws.write_string_with_format(0, i as u16, label, &head)?;
            let width = match c.fmt {
                Fmt::Text => (label.chars().count() as f64 * 2.2).clamp(10.0, 36.0),
                Fmt::Time => 17.0,
                _ => (label.chars().count() as f64 * 2.0).clamp(10.0, 20.0),
            };
            ws.set_column_width(i as u16, width)?;
        }
        ws.set_freeze_panes(1, 0)?;
        if !columns.is_empty() {
            ws.autofilter(0, 0, 0, columns.len() as u16 - 1)?;
        }
        Ok(ListingWriter {
            wb,
            formats: columns.iter().map(|c| format(c.fmt)).collect(),
            row: 1,
        })
    }

    /// Append a row; an error past Excel's last row (use CSV for more).
    pub fn push(&mut self, row: &[Val]) -> Result<(), XlsxError> {
        if self.row >= MAX_ROWS {
            return Err(XlsxError::RowColumnLimitError);
        }
        let ws = self.wb.worksheet_from_index(0)?;
        for (i, v) in row.iter().enumerate() {
            let (c, f) = (i as u16, &self.formats[i.min(self.formats.len() - 1)]);
            match v {
                Val::Empty => {}
                Val::Text(s) => {
                    ws.write_string(self.row, c, s)?;
                }
                Val::Yuan(y) => {
                    ws.write_number_with_format(self.row, c, *y as f64 / 10_000.0, f)?;
                }
                Val::Bp(bp) => {
                    ws.write_number_with_format(self.row, c, *bp as f64 / 10_000.0, f)?;
                }
                Val::Int(n) => {
                    ws.write_number_with_format(self.row, c, *n as f64, f)?;
                }
                Val::Date(d) => {
                    ws.write_number_with_format(
                        self.row,
                        c,
                        duban_domain::sheet::date_serial(*d),
                        f,
                    )?;
                }
                Val::Time(ms) => {
                    ws.write_number_with_format(self.row, c, Val::serial_time(*ms), f)?;
                }
            }
        }
        self.row += 1;
        Ok(())
    }

    pub fn finish(mut self) -> Result<Vec<u8>, XlsxError> {
        self.wb.save_to_buffer()
    }
}

/// A whole list as a workbook.
pub fn listing_xlsx(l: &Listing, english: bool) -> Result<Vec<u8>, XlsxError> {
    let mut w = ListingWriter::new(l.title(english), &l.columns, english)?;
    for r in &l.rows {
        w.push(r)?;
    }
    w.finish()
}
