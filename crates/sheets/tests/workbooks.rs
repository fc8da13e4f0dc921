//! Workbooks through the reader: duban's own templates (filled), messy real-world
//! variants written here, and files that are not what they claim.

use duban_domain::import::{self, Kind, Value, show};
use duban_domain::sheet::Cell;
use duban_domain::{Period, Yuan};
use duban_sheets::{Limits, ReadError, Template, template, workbook};
use rust_xlsxwriter::{Format, Formula, Workbook};

fn text(s: &str) -> Cell {
    Cell::Text(s.into())
}

fn progress_row(code: &str, period: &str, invest: f64) -> Vec<Cell> {
    let mut row = vec![Cell::Empty; Kind::Progress.columns().len()];
    let at = |k: &str| {
        Kind::Progress
            .columns()
            .iter()
            .position(|c| c.key == k)
            .unwrap()
    };
    row[at("code")] = text(code);
    row[at("name")] = text("某项目");
    row[at("period")] = text(period);
    row[at("invest_period")] = Cell::Number(invest);
    row[at("invest_ytd")] = Cell::Number(invest * 3.0);
    row[at("started")] = text("是");
    row[at("started_on")] = Cell::Date(45717.0);
    row[at("progress_pct")] = Cell::Number(42.5);
    row
}

#[test]
fn a_filled_template_reads_back_with_every_value() {
    for english in [false, true] {
        let t = Template {
            sheets: vec![(
                Kind::Progress,
                vec![
                    progress_row("XM-001", "2025-10", 120.5),
                    progress_row("XM-002", "2025-10", 0.0001),
                ],
            )],
            english,
            notes: vec!["填报单位：第一师".into()],
            lists: vec![],
        };
        let bytes = template(&t).unwrap();
        let grids = workbook(&bytes, Limits::default()).unwrap();
        let names: Vec<&str> = grids.iter().map(|g| g.name.as_str()).collect();
        assert_eq!(names, ["填表说明", "进度填报", "代码表"]);
        let kinds: Vec<Option<Kind>> = grids.iter().map(import::detect).collect();
        assert_eq!(kinds, [None, Some(Kind::Progress), None]);
        let s = import::read(Kind::Progress, &grids[1]).unwrap();
        assert!(s.errors.is_empty(), "{:?}", s.errors);
        assert_eq!(s.rows.len(), 2, "english row {english}");
        let r = &s.rows[0];
        assert!(r.errors.is_empty(), "{:?}", r.errors);
        assert_eq!(r.line, if english { 3 } else { 2 });
        assert_eq!(
            r.get("period"),
            Some(&Value::Month(Period::new(2025, 10).unwrap()))
        );
        assert_eq!(
            r.get("invest_period"),
            Some(&Value::Money(Yuan::new(1_205_000)))
        );
        assert_eq!(
            r.get("invest_ytd"),
            Some(&Value::Money(Yuan::new(3_615_000)))
        );
        assert_eq!(r.get("progress_pct"), Some(&Value::Percent(4250)));
        assert_eq!(show(r.get("started_on").unwrap()), "2025-03-01");
        assert_eq!(
            s.rows[1].get("invest_period"),
            Some(&Value::Money(Yuan::new(1)))
        );
    }
}

#[test]
fn the_template_carries_drop_downs_protection_and_instructions() {
    let t = Template {
        sheets: vec![(Kind::Plans, vec![]), (Kind::Milestones, vec![])],
        english: false,
        notes: vec![],
        lists: vec![],
    };
    let bytes = template(&t).unwrap();
    let grids = workbook(&bytes, Limits::default()).unwrap();
    let names: Vec<&str> = grids.iter().map(|g| g.name.as_str()).collect();
    assert_eq!(names, ["填表说明", "年度计划", "节点计划"]);
    let plans = zip_entry(&bytes, "xl/worksheets/sheet2.xml");
    assert!(plans.contains("<sheetProtection"), "header rows protected");
    assert!(plans.contains("<dataValidation"), "range checks");
    let t = Template {
        sheets: vec![(Kind::Projects, vec![])],
        english: true,
        notes: vec![],
        lists: vec![("unit", vec!["第一师".into(), "第二师".into()])],
    };
    let bytes = template(&t).unwrap();
    let data = zip_entry(&bytes, "xl/worksheets/sheet2.xml");
    assert!(
        data.contains("代码表!$"),
        "drop-downs read the hidden list sheet: {}",
        &data[..400.min(data.len())]
    );
    let wb = zip_entry(&bytes, "xl/workbook.xml");
    assert!(wb.contains("state=\"hidden\""));
    let grids = workbook(&bytes, Limits::default()).unwrap();
    let ins = &grids[0];
    let all: String = ins.rows.iter().flatten().map(Cell::display).collect();
    for c in Kind::Projects.columns() {
        assert!(
            all.contains(c.zh) && all.contains(c.en),
            "{} explained",
            c.zh
        );
    }
    assert!(all.contains("产业、基础设施"), "choices listed");
}

/// The text of one part of a workbook's zip package.
fn zip_entry(bytes: &[u8], name: &str) -> String {
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut f = z.by_name(name).unwrap();
    let mut s = String::new();
    std::io::Read::read_to_string(&mut f, &mut s).unwrap();
    s
}

/// A sheet as an office sends it: a merged title with the month, a unit note in 亿元,
/// a two-row header with merged parents, a unit row, a total line, formulas with
/// errors, full-width digits and stray spaces, and empty rows at the end.
fn messy() -> Vec<u8> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("10月").unwrap();
    let f = Format::new();
    ws.merge_range(0, 0, 0, 7, "2025年10月 重点项目进展情况表", &f)
        .unwrap();
    ws.write_string(1, 6, "单位：亿元").unwrap();
    ws.merge_range(2, 0, 3, 0, "序号", &f).unwrap();
    ws.merge_range(2, 1, 3, 1, "项目代码", &f).unwrap();
    ws.merge_range(2, 2, 3, 2, "项目名称", &f).unwrap();
    ws.merge_range(2, 3, 2, 4, "投资完成情况", &f).unwrap();
    ws.write_string(3, 3, "10月完成投资").unwrap();
    ws.write_string(3, 4, "1-10月累计完成投资").unwrap();
    ws.merge_range(2, 5, 3, 5, "形象进度（%）", &f).unwrap();
    ws.merge_range(2, 6, 3, 6, "是否开工", &f).unwrap();
    ws.merge_range(2, 7, 3, 7, "实际开工时间", &f).unwrap();
    ws.write_string(4, 2, "合计").unwrap();
    ws.write_formula(4, 4, Formula::new("=SUM(E6:E7)").set_result("2.6"))
        .unwrap();
    ws.write_number(5, 0, 1).unwrap();
    ws.write_string(5, 1, " ２０２４-650000-48-01-000001 ")
        .unwrap();
    ws.write_string(5, 2, "甲项目").unwrap();
    ws.write_string(5, 3, "０.３").unwrap();
    ws.write_number(5, 4, 1.2).unwrap();
    ws.write_number(5, 5, 0.85).unwrap();
    ws.write_string(5, 6, "是").unwrap();
    ws.write_string(5, 7, "2025/3/1").unwrap();
    ws.write_number(6, 0, 2).unwrap();
    ws.write_string(6, 1, "XM-002").unwrap();
    ws.write_string(6, 2, "乙项目").unwrap();
    ws.write_formula(6, 3, Formula::new("=1/0").set_result("#DIV/0!"))
        .unwrap();
    ws.write_number(6, 4, 1.4).unwrap();
    ws.write_number(6, 5, 0.5).unwrap();
    ws.write_string(6, 6, "否").unwrap();
    ws.write_string(9, 1, " ").unwrap();
    wb.save_to_buffer().unwrap()
}

#[test]
fn a_messy_real_sheet_reads_right() {
    let grids = workbook(&messy(), Limits::default()).unwrap();
    let g = &grids[0];
    assert_eq!(import::detect(g), Some(Kind::Progress));
    let s = import::read(Kind::Progress, g).unwrap();
    assert!(s.errors.is_empty(), "{:?}", s.errors);
    assert_eq!(s.skipped.len(), 1, "the total line");
    assert_eq!(s.rows.len(), 2);
    let a = &s.rows[0];
    assert!(a.errors.is_empty(), "{:?}", a.errors);
    assert_eq!(show(a.get("code").unwrap()), "2024-650000-48-01-000001");
    assert_eq!(
        a.get("invest_period"),
        Some(&Value::Money(Yuan::new(30_000_000)))
    );
    assert_eq!(
        a.get("invest_ytd"),
        Some(&Value::Money(Yuan::new(120_000_000)))
    );
    assert_eq!(
        a.get("progress_pct"),
        Some(&Value::Percent(8500)),
        "0.85 in a percent column"
    );
    assert_eq!(
        a.get("period"),
        Some(&Value::Month(Period::new(2025, 10).unwrap()))
    );
    let b = &s.rows[1];
    assert_eq!(b.errors.len(), 1);
    let e = &b.errors[0];
    assert_eq!(
        (e.sheet.as_str(), e.row, e.column.as_str()),
        ("10月", 7, "D")
    );
    assert_eq!(e.code, "formula_error");
    assert_eq!(e.value, "#DIV/0!");
}

#[test]
fn files_that_are_not_workbooks_say_what_they_are() {
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("empty", vec![], "empty_file"),
        ("pdf", b"%PDF-1.7 ...".to_vec(), "not_spreadsheet"),
        (
            "csv",
            "项目代码,项目名称\nXM-1,甲\n".as_bytes().to_vec(),
            "not_spreadsheet",
        ),
        (
            "html",
            b"<html><table><tr><td>1</td></tr></table></html>".to_vec(),
            "not_spreadsheet",
        ),
        ("truncated", messy()[..1500].to_vec(), "corrupt_file"),
        (
            "zip of something else",
            {
                let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
                z.start_file("a.txt", zip::write::SimpleFileOptions::default())
                    .unwrap();
                std::io::Write::write_all(&mut z, b"hello").unwrap();
                z.finish().unwrap().into_inner()
            },
            "corrupt_file",
        ),
    ];
    for (what, bytes, code) in cases {
        let e = workbook(&bytes, Limits::default()).unwrap_err();
        assert_eq!(e.code(), code, "{what}: {e}");
        assert!(!e.zh().is_empty() && !e.en().is_empty());
    }
    let e = workbook(b"%PDF-1.4", Limits::default()).unwrap_err();
    assert!(e.zh().contains("PDF"), "{}", e.zh());
}

#[test]
fn fixtures_password_and_legacy_xls() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let enc = std::fs::read(dir.join("password.xlsx")).unwrap();
    assert_eq!(
        workbook(&enc, Limits::default()).unwrap_err(),
        ReadError::Password
    );
    // A real .xls saved under a .xlsx name: read as what it is.
    let xls = std::fs::read(dir.join("legacy-renamed.xlsx")).unwrap();
    let grids = workbook(&xls, Limits::default()).unwrap();
    let g = grids
        .iter()
        .find(|g| import::detect(g) == Some(Kind::Progress))
        .expect("progress sheet");
    let s = import::read(Kind::Progress, g).unwrap();
    assert_eq!(s.rows.len(), 2, "{:?}", s.rows);
    assert_eq!(
        s.rows[0].get("invest_period"),
        Some(&Value::Money(Yuan::new(1_205_000)))
    );
}

#[test]
fn limits_refuse_runaway_sheets_without_allocating_them() {
    // One value at A1 and one at XFD1048576: read cell by cell, not as a box.
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.write_string(0, 0, "项目代码").unwrap();
    ws.write_string(1_048_575, 16_383, "x").unwrap();
    let bytes = wb.save_to_buffer().unwrap();
    let g = workbook(&bytes, Limits::default()).unwrap();
    assert_eq!(g[0].rows.len(), 1_048_576);
    // Two rows hold something: a limit of one row refuses it.
    let e = workbook(
        &bytes,
        Limits {
            max_cells: 20_000_000,
            max_rows: 1,
            ..Limits::default()
        },
    )
    .unwrap_err();
    assert_eq!(e.code(), "too_large");
    let e = workbook(
        &bytes,
        Limits {
            max_cells: 1,
            max_rows: 2_000_000,
            ..Limits::default()
        },
    )
    .unwrap_err();
    assert_eq!(e.code(), "too_large");
}

#[test]
fn a_hundred_thousand_rows_read_whole() {
    let rows: Vec<Vec<Cell>> = (0..100_000)
        .map(|i| progress_row(&format!("XM-{i:06}"), "2025-10", (i % 1000) as f64 * 0.25))
        .collect();
    let bytes = template(&Template {
        sheets: vec![(Kind::Progress, rows)],
        ..Template::default()
    })
    .unwrap();
    let grids = workbook(&bytes, Limits::default()).unwrap();
    let s = import::read(Kind::Progress, &grids[1]).unwrap();
    assert_eq!(s.rows.len(), 100_000);
    assert!(s.rows.iter().all(|r| r.errors.is_empty()));
    assert_eq!(
        s.rows[99_999].get("invest_period"),
        Some(&Value::Money(Yuan::new(2_497_500)))
    );
}
