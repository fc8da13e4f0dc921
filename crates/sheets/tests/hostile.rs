//! Workbooks made to exhaust memory are refused before the parser sees them, with the
//! limit named: a cell text longer than Excel allows (a 613 KB file whose one shared
//! string inflated to 600 MiB drove the server past 8 GiB), a zip bomb, a part that
//! inflates beyond the limit.

use duban_sheets::{Limits, workbook};
use std::io::Write;

/// What writes one part's content.
type Part = Box<dyn Fn(&mut dyn Write)>;

/// A minimal .xlsx whose parts are given, deflated.
fn xlsx(parts: &[(&str, Part)]) -> Vec<u8> {
    let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, write) in parts {
        z.start_file(*name, opts).unwrap();
        write(&mut z);
    }
    z.finish().unwrap().into_inner()
}

fn text(s: &'static str) -> Part {
    Box::new(move |w| w.write_all(s.as_bytes()).unwrap())
}

fn skeleton(shared: Part) -> Vec<u8> {
    book(
        text(
            r#"<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData></worksheet>"#,
        ),
        shared,
    )
}

/// A worksheet whose rows `body` writes.
fn rows(body: impl Fn(&mut dyn Write) + 'static) -> Part {
    Box::new(move |w| {
        w.write_all(br#"<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#).unwrap();
        body(w);
        w.write_all(b"</sheetData></worksheet>").unwrap();
    })
}

fn book(sheet: Part, shared: Part) -> Vec<u8> {
    xlsx(&[
        (
            "[Content_Types].xml",
            text(
                r#"<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>"#,
            ),
        ),
        (
            "_rels/.rels",
            text(
                r#"<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#,
            ),
        ),
        (
            "xl/workbook.xml",
            text(
                r#"<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"#,
            ),
        ),
        (
            "xl/_rels/workbook.xml.rels",
            text(
                r#"<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>"#,
            ),
        ),
        ("xl/worksheets/sheet1.xml", sheet),
        ("xl/sharedStrings.xml", shared),
    ])
}

#[test]
fn an_ordinary_small_workbook_still_reads() {
    let ok = skeleton(text(
        r#"<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>项目代码</t></si></sst>"#,
    ));
    let g = workbook(&ok, Limits::default()).unwrap();
    assert_eq!(g.len(), 1);
}

#[test]
fn a_text_longer_than_any_cell_is_refused() {
    // One shared string of 8 MiB: the file is a few KB.
    let bomb = skeleton(Box::new(|w| {
        w.write_all(br#"<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>"#).unwrap();
        let chunk = vec![b'A'; 1 << 20];
        for _ in 0..8 {
            w.write_all(&chunk).unwrap();
        }
        w.write_all(b"</t></si></sst>").unwrap();
    }));
    assert!(bomb.len() < 100_000, "{} bytes", bomb.len());
    let e = workbook(
        &bomb,
        Limits {
            max_ratio: u64::MAX,
            ..Limits::default()
        },
    )
    .unwrap_err();
    assert_eq!(e.code(), "too_large");
    assert!(e.en().contains("32,767"), "{}", e.en());
}

#[test]
fn a_zip_bomb_is_refused() {
    // 64 MiB of zeros in a sheet: the ratio gives it away after the first MiB.
    let bomb = skeleton(Box::new(|w| {
        let zeros = vec![b'<'; 1 << 20];
        for _ in 0..64 {
            w.write_all(&zeros).unwrap();
        }
    }));
    assert!(bomb.len() < 1_000_000);
    let e = workbook(&bomb, Limits::default()).unwrap_err();
    assert_eq!(e.code(), "too_large");
    assert!(e.en().contains("zip bomb"), "{}", e.en());
}

#[test]
fn a_part_beyond_the_limit_is_refused() {
    // Text that compresses plausibly, inflating past a 4 MiB part limit.
    let big = skeleton(Box::new(|w| {
        w.write_all(br#"<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">"#).unwrap();
        let mut x: u64 = 7;
        for i in 0..200_000 {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            write!(w, "<si><t>项目{i}-{x:x}</t></si>").unwrap();
        }
        w.write_all(b"</sst>").unwrap();
    }));
    let e = workbook(
        &big,
        Limits {
            max_part_bytes: 4 << 20,
            ..Limits::default()
        },
    )
    .unwrap_err();
    assert_eq!(e.code(), "too_large");
    assert!(e.en().contains("inflates beyond 4 MiB"), "{}", e.en());
}

#[test]
fn a_part_named_otherwise_is_checked_too() {
    // The same long text in a part whose name is not lower-case ".xml".
    let bomb = xlsx(&[(
        "xl/sharedStrings.XML",
        Box::new(|w: &mut dyn Write| {
            w.write_all(b"<sst><si><t>").unwrap();
            w.write_all(&vec![b'A'; 200_000]).unwrap();
            w.write_all(b"</t></si></sst>").unwrap();
        }),
    )]);
    let e = workbook(
        &bomb,
        Limits {
            max_ratio: u64::MAX,
            ..Limits::default()
        },
    )
    .unwrap_err();
    assert_eq!(e.code(), "too_large", "{}", e.en());
}

/// A full-height sheet (Excel's 1,048,576 rows) cost the server about 2 GiB: a sheet is
/// refused at the first row past the limit, as it is read, naming the limit.
#[test]
fn a_sheet_past_the_row_limit_is_refused_as_it_is_read() {
    let limit = Limits::default().max_rows;
    let sheet = rows(move |w| {
        for r in 1..=1_048_576 {
            write!(w, r#"<row r="{r}"><c r="A{r}"><v>{r}</v></c></row>"#).unwrap();
        }
    });
    let shared = text(
        r#"<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="0" uniqueCount="0"></sst>"#,
    );
    let e = workbook(&book(sheet, shared), Limits::default()).unwrap_err();
    assert_eq!(e.code(), "too_large");
    assert!(e.en().contains(&format!("{}", limit + 1)), "{}", e.en());
    assert!(e.zh().contains(&format!("{limit}")), "{}", e.zh());
}

/// The cells of all sheets together are bounded too (a wide sheet within the rows).
#[test]
fn too_many_cells_are_refused() {
    let sheet = rows(|w| {
        for r in 1..=20 {
            write!(w, r#"<row r="{r}">"#).unwrap();
            for c in 0..10 {
                write!(w, r#"<c r="{}{r}"><v>1</v></c>"#, (b'A' + c) as char).unwrap();
            }
            w.write_all(b"</row>").unwrap();
        }
    });
    let shared = text(
        r#"<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="0" uniqueCount="0"></sst>"#,
    );
    let limits = Limits {
        max_cells: 150,
        ..Limits::default()
    };
    let e = workbook(&book(sheet, shared), limits).unwrap_err();
    assert_eq!(e.code(), "too_large");
    assert!(e.en().contains("150 cells"), "{}", e.en());
}

/// What a cell's position makes the reader hold is what it costs: cells far to the right
/// in many rows (20,000 of them at column XFD took 10 GB), or a row number beyond
/// Excel's sheet (A50000000 took 1.2 GB), are refused from a small file.
#[test]
fn far_away_cells_cost_what_they_hold() {
    let empty_sst = || {
        text(
            r#"<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="0" uniqueCount="0"></sst>"#,
        )
    };
    let wide = rows(|w| {
        for r in 1..=20_000 {
            write!(w, r#"<row r="{r}"><c r="XFD{r}"><v>1</v></c></row>"#).unwrap();
        }
    });
    let e = workbook(&book(wide, empty_sst()), Limits::default()).unwrap_err();
    assert_eq!(e.code(), "too_large", "{}", e.en());
    let deep: Part = Box::new(|w| {
        w.write_all(br#"<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="50000000"><c r="A50000000"><v>1</v></c></row></sheetData></worksheet>"#).unwrap();
    });
    let e = workbook(&book(deep, empty_sst()), Limits::default()).unwrap_err();
    assert!(e.en().contains("outside the sheet"), "{}", e.en());
}
