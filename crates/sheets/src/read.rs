//! Workbook bytes to the domain's grids. The format is told by the bytes, not by the
//! file name: an `.xls` renamed `.xlsx` is read as the `.xls` it is. Files that cannot
//! be read get an error that says why, in Chinese and English.

use calamine::{Data, DataRef, Dimensions, Ods, Range, Reader, Xls, Xlsb, Xlsx, XlsxError};
use duban_domain::sheet::{Cell, Grid, Merge, date_serial};
use std::io::Cursor;

/// Limits on what a workbook may unpack to, against zip bombs and runaway sheets. The
/// parts of an `.xlsx` or `.ods` are inflated once, streaming, and counted before the
/// parser sees them: nothing is held in memory to check them.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Cells in all sheets together.
    pub max_cells: usize,
    /// Rows in one sheet (in an .xlsx, rows that hold something).
    pub max_rows: usize,
    /// Bytes one part of the zip may inflate to.
    pub max_part_bytes: u64,
    /// Bytes all parts together may inflate to.
    pub max_inflated_bytes: u64,
    /// How many times larger than its compressed size a part may inflate (a part over
    /// 1 MiB): office files compress 5 to 20 times; bombs thousands.
    pub max_ratio: u64,
    /// Parts in the zip.
    pub max_parts: usize,
    /// Bytes of one text in the XML (Excel's limit is 32,767 characters a cell; in UTF-8
    /// at most four bytes each).
    pub max_text_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            // An office's largest sheet, a progress report of 100,000 projects in 16
            // columns, is 1.6 million cells; these bound what one import may cost (about
            // 200 MiB at the most).
            max_cells: 4_000_000,
            max_rows: 200_000,
            max_part_bytes: 256 << 20,
            max_inflated_bytes: 512 << 20,
            max_ratio: 200,
            max_parts: 10_000,
            max_text_bytes: 32_767 * 4,
        }
    }
}

/// Inflate every part of a zip-based workbook once, streaming, and refuse it when a part
/// or the whole inflates beyond the limits, inflates suspiciously far (a bomb), or holds
/// a text longer than any cell can be.
fn check_zip(bytes: &[u8], limits: Limits) -> Result<(), ReadError> {
    use std::io::Read;
    let mut z =
        zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| ReadError::Corrupt(e.to_string()))?;
    if z.len() > limits.max_parts {
        return Err(ReadError::TooLarge(format!(
            "压缩包内有{}个部件，超过上限{} / {} parts, over the limit of {}",
            z.len(),
            limits.max_parts,
            z.len(),
            limits.max_parts
        )));
    }
    let mib = |b: u64| b >> 20;
    let mut total = 0u64;
    let mut buf = vec![0u8; 64 * 1024];
    for i in 0..z.len() {
        let mut f = z
            .by_index(i)
            .map_err(|e| ReadError::Corrupt(e.to_string()))?;
        let name = f
            .name()
            .map(|n| n.to_string())
            .unwrap_or_else(|_| format!("#{i}"));
        let packed = f.compressed_size().max(1);
        // Every part but pictures is text the parser may read (parts are found whatever
        // their case or extension, through the relationships).
        let lower = name.to_lowercase();
        let xml = !(lower.contains("/media/")
            || [
                ".png", ".jpg", ".jpeg", ".gif", ".bmp", ".emf", ".wmf", ".tif", ".tiff",
            ]
            .iter()
            .any(|x| lower.ends_with(x)));
        let mut part = 0u64;
        let mut run = 0usize;
        loop {
            let n = f
                .read(&mut buf)
                .map_err(|e| ReadError::Corrupt(format!("{name}: {e}")))?;
            if n == 0 {
                break;
            }
            part += n as u64;
            total += n as u64;
            if part > limits.max_part_bytes {
                return Err(ReadError::TooLarge(format!(
                    "部件“{name}”解压后超过{} MB / part '{name}' inflates beyond {} MiB",
                    mib(limits.max_part_bytes),
                    mib(limits.max_part_bytes)
                )));
            }
            if total > limits.max_inflated_bytes {
                return Err(ReadError::TooLarge(format!(
                    "解压后超过{} MB / it inflates beyond {} MiB",
                    mib(limits.max_inflated_bytes),
                    mib(limits.max_inflated_bytes)
                )));
            }
            if part > (1 << 20) && part / packed > limits.max_ratio {
                return Err(ReadError::TooLarge(format!(
                    "部件“{name}”的压缩比超过{}:1，疑似压缩炸弹 / part '{name}' inflates more than {} times its size (a zip bomb?)",
                    limits.max_ratio, limits.max_ratio
                )));
            }
            if xml {
                for &b in &buf[..n] {
                    if b == b'<' || b == b'>' {
                        run = 0;
                    } else {
                        run += 1;
                        if run > limits.max_text_bytes {
                            return Err(ReadError::TooLarge(format!(
                                "“{name}”中有超过32767个字符的文字（Excel单元格的上限）/ '{name}' holds a text longer than the 32,767 characters of an Excel cell"
                            )));
                        }
                    }
                }
            }
        }
    }
    Ok(())
}

/// Why a workbook could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReadError {
    #[error("the file is empty")]
    Empty,
    #[error("the file is not a spreadsheet ({0})")]
    NotSpreadsheet(&'static str),
    #[error("the workbook is password protected")]
    Password,
    #[error("the file is damaged or truncated: {0}")]
    Corrupt(String),
    #[error("the workbook is too large: {0}")]
    TooLarge(String),
}

impl ReadError {
    pub fn code(&self) -> &'static str {
        match self {
            ReadError::Empty => "empty_file",
            ReadError::NotSpreadsheet(_) => "not_spreadsheet",
            ReadError::Password => "password_protected",
            ReadError::Corrupt(_) => "corrupt_file",
            ReadError::TooLarge(_) => "too_large",
        }
    }
    pub fn zh(&self) -> String {
        match self {
            ReadError::Empty => "文件是空的".into(),
            ReadError::NotSpreadsheet(what) => format!(
                "文件不是Excel表格（看起来是{what}），请在Excel或WPS中另存为 .xlsx 后再导入"
            ),
            ReadError::Password => "工作簿设置了打开密码，请在Excel或WPS中取消密码后再导入".into(),
            ReadError::Corrupt(_) => {
                "文件已损坏或不完整（可能未下载完），请重新保存后再导入".into()
            }
            ReadError::TooLarge(what) => format!("工作簿过大：{what}"),
        }
    }
    pub fn en(&self) -> String {
        match self {
            ReadError::Empty => "the file is empty".into(),
            ReadError::NotSpreadsheet(what) => format!(
                "the file is not an Excel workbook (it looks like {what}); save it as .xlsx in Excel or WPS and import that"
            ),
            ReadError::Password => {
                "the workbook has an opening password; remove it in Excel or WPS and import again"
                    .into()
            }
            ReadError::Corrupt(e) => {
                format!("the file is damaged or truncated (perhaps an incomplete download): {e}")
            }
            ReadError::TooLarge(what) => format!("the workbook is too large: {what}"),
        }
    }
}

const ZIP: &[u8] = b"PK\x03\x04";
/// The size of an Excel sheet.
const EXCEL_ROWS: usize = 1_048_576;
const EXCEL_COLUMNS: usize = 16_384;
const CFB: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// What the first bytes of a file that is not a workbook say it is.
fn sniff_other(b: &[u8]) -> &'static str {
    let head = String::from_utf8_lossy(&b[..b.len().min(512)]).to_lowercase();
    if b.starts_with(b"%PDF") {
        "PDF"
    } else if head.contains("<html") || head.contains("<table") || head.contains("<!doctype") {
        "网页/HTML"
    } else if b.starts_with(b"\x89PNG") || b.starts_with(&[0xFF, 0xD8, 0xFF]) {
        "图片/image"
    } else if b.starts_with(b"Rar!") || b.starts_with(&[0x1F, 0x8B]) || b.starts_with(b"7z") {
        "压缩包/archive"
    } else if std::str::from_utf8(&b[..b.len().min(4096)]).is_ok()
        || b.starts_with(&[0xEF, 0xBB, 0xBF])
    {
        "文本或CSV/text or CSV"
    } else {
        "未知格式/unknown format"
    }
}

/// Read every sheet of a workbook (xlsx, xlsm, xls, xlsb or ods) into grids. A panic
/// inside the parser on a malformed file is reported as a damaged file, never passed
/// on to the caller.
pub fn workbook(bytes: &[u8], limits: Limits) -> Result<Vec<Grid>, ReadError> {
    std::panic::catch_unwind(|| read_workbook(bytes, limits)).unwrap_or_else(|_| {
        Err(ReadError::Corrupt(
            "the spreadsheet parser could not make sense of it".into(),
        ))
    })
}

fn read_workbook(bytes: &[u8], limits: Limits) -> Result<Vec<Grid>, ReadError> {
    if bytes.is_empty() {
        return Err(ReadError::Empty);
    }
    let corrupt = |e: &dyn std::fmt::Display| ReadError::Corrupt(e.to_string());
    let mut budget = limits.max_cells;
    if bytes.starts_with(ZIP) {
        check_zip(bytes, limits)?;
        let cur = Cursor::new(bytes);
        match calamine::open_workbook_from_rs::<Xlsx<_>, _>(cur.clone()) {
            Ok(mut x) => {
                let names = x.sheet_names();
                // A sheet lists its merged cells after its cells, so finding them parses
                // the sheet's XML a second time: that is done on a second reader of the
                // same bytes, on another thread, while this one reads the cells.
                std::thread::scope(|scope| {
                    let merged = scope.spawn(|| -> Result<Vec<Vec<Dimensions>>, XlsxError> {
                        let mut m =
                            calamine::open_workbook_from_rs::<Xlsx<_>, _>(Cursor::new(bytes))?;
                        names
                            .iter()
                            .map(|n| m.merge_cells_by_sheet_name(n))
                            .collect()
                    });
                    let mut sheets = Vec::new();
                    for n in &names {
                        // Cell by cell, straight into the rows: a sheet with one stray value
                        // at XFD1048576 costs its cells, not the area of its bounding box, and
                        // no second copy of the sheet is made on the way.
                        let mut rows: Vec<Vec<Cell>> = Vec::new();
                        let mut last_row = 0;
                        let mut filled = 0;
                        let mut reader = x.worksheet_cells_reader(n).map_err(|e| corrupt(&e))?;
                        while let Some(c) = reader.next_cell().map_err(|e| corrupt(&e))? {
                            let (r, col) = c.get_position();
                            let (r, col) = (r as usize, col as usize);
                            let v = cell_ref(c.get_value());
                            if v == Cell::Empty {
                                continue;
                            }
                            // Beyond Excel's grid no cell is real; inside it, what a cell's
                            // position makes us hold (the empty cells before it in its row)
                            // is charged to the budget, so a few cells far to the right
                            // cannot cost gigabytes.
                            if r >= EXCEL_ROWS || col >= EXCEL_COLUMNS {
                                return Err(ReadError::Corrupt(format!(
                                    "a cell lies outside the sheet's 1,048,576 rows and 16,384 columns (row {}, column {})",
                                    r + 1,
                                    col + 1
                                )));
                            }
                            let held = rows.get(r).map_or(0, Vec::len);
                            let cost = (col + 1).saturating_sub(held).max(1);
                            if budget < cost {
                                return Err(too_many(limits));
                            }
                            budget -= cost;
                            // A row is done when the next begins: give back what its growth
                            // reserved (cells come row by row). Rows that hold something are
                            // counted: a stray value at row 1,048,576 costs one row, a sheet
                            // full to the bottom is refused where it passes the limit.
                            if r != last_row || filled == 0 {
                                if let Some(done) = rows.get_mut(last_row) {
                                    done.shrink_to_fit();
                                }
                                last_row = r;
                                filled += 1;
                                if filled > limits.max_rows {
                                    return Err(too_long(n, filled, limits));
                                }
                            }
                            if rows.len() <= r {
                                rows.resize_with(r + 1, Vec::new);
                            }
                            let row = &mut rows[r];
                            if row.len() <= col {
                                row.resize(col + 1, Cell::Empty);
                            }
                            row[col] = v;
                        }
                        drop(reader);
                        rows.iter_mut().for_each(|r| r.shrink_to_fit());
                        rows.shrink_to_fit();
                        sheets.push(rows);
                    }
                    let merged = merged
                        .join()
                        .map_err(|_| {
                            ReadError::Corrupt("the merged cells could not be read".into())
                        })?
                        .map_err(|e| corrupt(&e))?;
                    Ok(names
                        .iter()
                        .zip(sheets)
                        .zip(merged)
                        .map(|((n, rows), merged)| Grid {
                            name: n.clone(),
                            rows,
                            merged: merges(&merged),
                        })
                        .collect())
                })
            }
            Err(XlsxError::Password) => Err(ReadError::Password),
            Err(xe) => match calamine::open_workbook_from_rs::<Ods<_>, _>(cur.clone()) {
                Ok(mut o) => read_all(&mut o, |_, _| vec![], limits, &mut budget),
                Err(_) => match calamine::open_workbook_from_rs::<Xlsb<_>, _>(cur) {
                    Ok(mut b) => read_all(&mut b, |_, _| vec![], limits, &mut budget),
                    Err(_) => Err(corrupt(&xe)),
                },
            },
        }
    } else if bytes.starts_with(CFB) {
        // An OLE container: a real .xls, or an encrypted .xlsx (Office stores those in
        // OLE with an EncryptedPackage stream).
        let cur = Cursor::new(bytes);
        if let Err(XlsxError::Password) = calamine::open_workbook_from_rs::<Xlsx<_>, _>(cur.clone())
        {
            return Err(ReadError::Password);
        }
        match calamine::open_workbook_from_rs::<Xls<_>, _>(cur) {
            Ok(mut x) => read_all(
                &mut x,
                |x: &Xls<_>, n| x.merge_cells_by_sheet_name(n).unwrap_or_default(),
                limits,
                &mut budget,
            ),
            Err(calamine::XlsError::Password) => Err(ReadError::Password),
            Err(e) => Err(corrupt(&e)),
        }
    } else {
        Err(ReadError::NotSpreadsheet(sniff_other(bytes)))
    }
}

fn read_all<R, RS>(
    r: &mut R,
    merges: impl Fn(&R, &str) -> Vec<Dimensions>,
    limits: Limits,
    budget: &mut usize,
) -> Result<Vec<Grid>, ReadError>
where
    RS: std::io::Read + std::io::Seek,
    R: Reader<RS>,
    R::Error: std::fmt::Display,
{
    let mut out = Vec::new();
    for n in r.sheet_names() {
        let range = r
            .worksheet_range(&n)
            .map_err(|e| ReadError::Corrupt(e.to_string()))?;
        let m = merges(r, &n);
        out.push(grid(n, &range, &m, limits, budget)?);
    }
    Ok(out)
}

fn too_many(limits: Limits) -> ReadError {
    ReadError::TooLarge(format!(
        "单元格总数超过{} / more than {} cells in all",
        limits.max_cells, limits.max_cells
    ))
}

fn too_long(name: &str, rows: usize, limits: Limits) -> ReadError {
    ReadError::TooLarge(format!(
        "“{name}”有{rows}行，超过上限{} / sheet '{name}' has {rows} rows, over the limit of {}",
        limits.max_rows, limits.max_rows
    ))
}

fn merges(merged: &[Dimensions]) -> Vec<Merge> {
    merged
        .iter()
        .map(|d| Merge {
            first_row: d.start.0 as usize,
            first_col: d.start.1 as usize,
            last_row: d.end.0 as usize,
            last_col: d.end.1 as usize,
        })
        .collect()
}

/// One sheet's range to a grid anchored at A1 (calamine's range starts at the first
/// used cell).
fn grid(
    name: String,
    range: &Range<Data>,
    merged: &[Dimensions],
    limits: Limits,
    budget: &mut usize,
) -> Result<Grid, ReadError> {
    let Some((r0, c0)) = range.start() else {
        return Ok(Grid {
            name,
            rows: vec![],
            merged: vec![],
        });
    };
    let (r0, c0) = (r0 as usize, c0 as usize);
    let (h, w) = range.get_size();
    if r0 + h > limits.max_rows {
        return Err(too_long(&name, r0 + h, limits));
    }
    let cells = h.saturating_mul(w + c0);
    if cells > *budget {
        return Err(too_many(limits));
    }
    *budget -= cells;
    let mut rows: Vec<Vec<Cell>> = vec![Vec::new(); r0];
    rows.reserve(h);
    for row in range.rows() {
        let mut out = vec![Cell::Empty; c0];
        out.extend(row.iter().map(cell));
        while out.last().is_some_and(|c| *c == Cell::Empty) {
            out.pop();
        }
        rows.push(out);
    }
    while rows.last().is_some_and(Vec::is_empty) {
        rows.pop();
    }
    Ok(Grid {
        name,
        rows,
        merged: merges(merged),
    })
}

/// A date cell as a serial of the 1900 system (workbooks saved in the 1904 system
/// count from another day; calamine's conversion knows which).
fn date(d: &calamine::ExcelDateTime) -> Cell {
    match d.as_datetime() {
        Some(t) if d.is_datetime() => Cell::Date(date_serial(t.date())),
        _ => Cell::Number(d.as_f64()),
    }
}

fn cell(d: &Data) -> Cell {
    match d {
        Data::Empty => Cell::Empty,
        Data::Int(i) => Cell::Number(*i as f64),
        Data::Float(f) => Cell::Number(*f),
        Data::String(s) => Cell::Text(s.clone()),
        Data::Bool(b) => Cell::Bool(*b),
        Data::DateTime(d) => date(d),
        Data::DateTimeIso(s) | Data::DurationIso(s) => Cell::Text(s.clone()),
        Data::Error(e) => Cell::Error(e.to_string()),
    }
}

fn cell_ref(d: &DataRef<'_>) -> Cell {
    match d {
        DataRef::Empty => Cell::Empty,
        DataRef::Int(i) => Cell::Number(*i as f64),
        DataRef::Float(f) => Cell::Number(*f),
        DataRef::String(s) => Cell::Text(s.clone()),
        DataRef::SharedString(s) => Cell::Text((*s).to_string()),
        DataRef::Bool(b) => Cell::Bool(*b),
        DataRef::DateTime(d) => date(d),
        DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => Cell::Text(s.clone()),
        DataRef::Error(e) => Cell::Error(e.to_string()),
    }
}
