#![forbid(unsafe_code)]
//! Documents out of duban: the bulletin as `.docx` in the official document style
//! (GB/T 9704 as offices apply it: A4; title in 方正小标宋 二号; first-level headings in
//! 黑体, second-level in 楷体, body in 仿宋_GB2312 三号 with a two-character first-line
//! indent and a fixed line pitch), and any set of tables as an `.xlsx` workbook.
//! Pure functions from the domain's document model to bytes; no IO.

use docx_rs::{
    AlignmentType, Docx, LineSpacing, LineSpacingType, PageMargin, Paragraph, Run, RunFonts,
    SpecialIndentType, Table as DocxTable, TableCell, TableRow,
};
mod listing;
pub use listing::{ListingWriter, MAX_ROWS, listing_xlsx};

use duban_domain::bulletin::{Block, Bulletin, Table};
use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook, XlsxError};

/// Font sizes in half-points, as Word stores them: 二号 22 pt, 三号 16 pt, 小四 12 pt.
const ERHAO: usize = 44;
const SANHAO: usize = 32;
const XIAOSI: usize = 24;

const TITLE_FONT: &str = "方正小标宋简体";
const HEADING_FONT: &str = "黑体";
const SUBHEADING_FONT: &str = "楷体_GB2312";
const BODY_FONT: &str = "仿宋_GB2312";

fn run(text: &str, font: &str, size: usize) -> Run {
    Run::new()
        .add_text(text)
        .size(size)
        .fonts(RunFonts::new().east_asia(font).ascii(font).hi_ansi(font))
}

/// Body lines at a fixed 28.95 pt pitch (579 twentieths of a point), 22 lines a page.
fn pitch() -> LineSpacing {
    LineSpacing::new()
        .line_rule(LineSpacingType::Exact)
        .line(579)
}

fn body(text: &str) -> Paragraph {
    Paragraph::new()
        .add_run(run(text, BODY_FONT, SANHAO))
        .line_spacing(pitch())
        // Two characters of 三号 (16 pt = 320 twips each).
        .indent(None, Some(SpecialIndentType::FirstLine(640)), None, None)
        .align(AlignmentType::Justified)
}

fn cell(text: &str, header: bool) -> TableCell {
    let r = run(text, if header { HEADING_FONT } else { BODY_FONT }, XIAOSI);
    TableCell::new().add_paragraph(Paragraph::new().add_run(r).align(AlignmentType::Center))
}

fn table(t: &Table) -> DocxTable {
    let mut rows = vec![TableRow::new(
        t.header.iter().map(|h| cell(h, true)).collect(),
    )];
    rows.extend(
        t.rows
            .iter()
            .map(|r| TableRow::new(r.iter().map(|c| cell(c, false)).collect())),
    );
    DocxTable::new(rows)
}

/// The bulletin as a Word document.
pub fn bulletin_docx(b: &Bulletin) -> Vec<u8> {
    // A4, margins 37 / 35 / 28 / 26 mm (top, bottom, left, right) in twips.
    let mut d = Docx::new().page_size(11906, 16838).page_margin(
        PageMargin::new()
            .top(2098)
            .bottom(1984)
            .left(1587)
            .right(1474),
    );
    d = d.add_paragraph(
        Paragraph::new()
            .add_run(run(&b.title, TITLE_FONT, ERHAO))
            .align(AlignmentType::Center)
            .line_spacing(LineSpacing::new().after(240)),
    );
    d = d.add_paragraph(
        Paragraph::new()
            .add_run(run(&b.subtitle, BODY_FONT, SANHAO))
            .align(AlignmentType::Center)
            .line_spacing(pitch()),
    );
    for block in &b.blocks {
        d = match block {
            Block::Heading { level, text } => d.add_paragraph(
                Paragraph::new()
                    .add_run(run(
                        text,
                        if *level == 1 {
                            HEADING_FONT
                        } else {
                            SUBHEADING_FONT
                        },
                        SANHAO,
                    ))
                    .line_spacing(pitch())
                    .indent(None, Some(SpecialIndentType::FirstLine(640)), None, None),
            ),
            Block::Paragraph { text } => d.add_paragraph(body(text)),
            Block::Table(t) => {
                let mut d = d
                    .add_paragraph(
                        Paragraph::new()
                            .add_run(run(&t.title, HEADING_FONT, XIAOSI))
                            .align(AlignmentType::Center),
                    )
                    .add_table(table(t));
                if let Some(n) = &t.note {
                    d = d.add_paragraph(Paragraph::new().add_run(run(n, BODY_FONT, XIAOSI)));
                }
                d
            }
        };
    }
    let mut out = std::io::Cursor::new(Vec::new());
    d.build()
        .pack(&mut out)
        .expect("writing a zip into memory cannot fail");
    out.into_inner()
}

/// Sheet names: at most 31 characters, none of `[]:*?/\`, unique.
pub(crate) fn sheet_name(title: &str, used: &mut Vec<String>) -> String {
    let clean: String = title
        .chars()
        .filter(|c| !"[]:*?/\\".contains(*c))
        .take(28)
        .collect();
    let mut name = if clean.trim().is_empty() {
        "表".to_string()
    } else {
        clean.trim().to_string()
    };
    let mut n = 2;
    while used.contains(&name) {
        name = format!("{}{n}", clean.chars().take(26).collect::<String>());
        n += 1;
    }
    used.push(name.clone());
    name
}

/// Every table as a sheet: a bold bordered header, the rows as text (figures keep the
/// exact rounding of the document), columns sized to their content.
pub fn tables_xlsx(tables: &[Table]) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let head = Format::new()
        .set_bold()
        .set_border(FormatBorder::Thin)
        .set_align(FormatAlign::Center)
        .set_background_color("DDEBF7");
    let cellf = Format::new().set_border(FormatBorder::Thin);
    let mut used = Vec::new();
    for t in tables {
        // Row by row in constant memory: an annex of a million projects lists some
        // 190,000 lagging projects. The widths go first, before any row is written out.
        let ws = wb.add_worksheet_with_constant_memory()?;
        ws.set_name(sheet_name(&t.title, &mut used))?;
        for c in 0..t.header.len() {
            let widest = std::iter::once(&t.header[c])
                .chain(t.rows.iter().filter_map(|r| r.get(c)))
                .map(|s| {
                    s.chars()
                        .map(|ch| if ch.is_ascii() { 1.0 } else { 2.0 })
                        .sum::<f64>()
                })
                .fold(4.0, f64::max);
            ws.set_column_width(c as u16, widest.min(60.0) + 2.0)?;
        }
        ws.set_freeze_panes(2, 0)?;
        ws.write_string(0, 0, &t.title)?;
        for (c, h) in t.header.iter().enumerate() {
            ws.write_string_with_format(1, c as u16, h, &head)?;
        }
        for (r, row) in t.rows.iter().enumerate() {
            let r = r as u32 + 2;
            for (c, v) in row.iter().enumerate() {
                ws.write_string(r, c as u16, v)?;
            }
            // The border once per row, not per cell: the writer looks a format up by
            // hashing it whole, which was most of the time of an annex of 186,000 rows.
            if !row.is_empty() {
                ws.set_range_format(r, 0, r, row.len() as u16 - 1, &cellf)?;
            }
        }
    }
    if tables.is_empty() {
        wb.add_worksheet().write_string(0, 0, "（无）")?;
    }
    // Deflate at level 3 rather than the default 6: an annex of 186,000 lagging projects
    // and 115,000 problems was written 0.7 s sooner, in a file of 14.5 MB instead of 12.7.
    wb.set_zip_compression_level(3);
    wb.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(title: &str, rows: usize) -> Table {
        Table {
            title: title.into(),
            header: vec!["单位".into(), "完成率".into()],
            rows: (0..rows)
                .map(|i| vec![format!("第{i}师"), "90.0%".into()])
                .collect(),
            note: None,
        }
    }

    #[test]
    fn sheet_names_are_legal_and_unique() {
        let mut used = Vec::new();
        assert_eq!(
            sheet_name("表1  师市重点项目推进情况排名", &mut used),
            "表1  师市重点项目推进情况排名"
        );
        assert_eq!(sheet_name("a/b:c", &mut used), "abc");
        assert_eq!(sheet_name("abc", &mut used), "abc2");
        assert_eq!(sheet_name("[]", &mut used), "表");
        let long = "很".repeat(40);
        assert!(sheet_name(&long, &mut used).chars().count() <= 31);
    }

    fn part(xlsx: &[u8], name: &str) -> String {
        use std::io::Read;
        let mut z = zip::ZipArchive::new(std::io::Cursor::new(xlsx)).unwrap();
        let mut out = String::new();
        z.by_name(name).unwrap().read_to_string(&mut out).unwrap();
        out
    }

    /// The value of `attr` in the first tag that begins with `head`.
    fn attr<'a>(xml: &'a str, head: &str, attr: &str) -> Option<&'a str> {
        let tag = &xml[xml.find(head)?..];
        let tag = &tag[..tag.find('>')?];
        let v = &tag[tag.find(&format!(" {attr}=\""))? + attr.len() + 3..];
        Some(&v[..v.find('"')?])
    }

    #[test]
    fn every_cell_of_an_annex_table_is_bordered_the_title_not() {
        let mut table = t("表1", 3);
        table.rows[1][1] = String::new();
        let xlsx = tables_xlsx(&[table]).unwrap();
        let sheet = part(&xlsx, "xl/worksheets/sheet1.xml");
        let styles = part(&xlsx, "xl/styles.xml");
        let cellxfs = &styles[styles.find("<cellXfs").unwrap()..];
        let border_of = |s: &str| {
            let n: usize = s.parse().unwrap();
            let xf = cellxfs.split("<xf ").nth(n + 1).unwrap();
            attr(&format!("<xf {xf}"), "<xf", "borderId")
                .unwrap()
                .to_string()
        };
        // Rows 3 to 5 are the table's rows, B4 the empty cell.
        for r in 3..=5 {
            for c in ["A", "B"] {
                let s = attr(&sheet, &format!("<c r=\"{c}{r}\""), "s")
                    .unwrap_or_else(|| panic!("{c}{r} has no format"));
                assert_ne!(border_of(s), "0", "{c}{r} is not bordered");
            }
        }
        assert!(sheet.contains("第1师") && sheet.contains("第2师"));
        assert_eq!(
            attr(&sheet, "<c r=\"A1\"", "s"),
            None,
            "the title has no border"
        );
    }

    #[test]
    fn documents_are_zip_packages_with_their_parts() {
        let b = Bulletin {
            title: "关于2025年10月重点项目推进情况的通报".into(),
            subtitle: "兵团".into(),
            blocks: vec![
                Block::Heading {
                    level: 1,
                    text: "一、总体推进情况".into(),
                },
                Block::Paragraph {
                    text: "2025年安排重点项目4项。".into(),
                },
                Block::Table(t("表1", 3)),
            ],
            annex: vec![t("表1", 3), t("表1", 2)],
        };
        let docx = bulletin_docx(&b);
        assert_eq!(&docx[..2], b"PK");
        let text = String::from_utf8_lossy(&docx);
        assert!(text.contains("word/document.xml"));
        let xlsx = tables_xlsx(&b.annex).unwrap();
        assert_eq!(&xlsx[..2], b"PK");
        assert!(String::from_utf8_lossy(&xlsx).contains("xl/worksheets/sheet2.xml"));
    }
}
