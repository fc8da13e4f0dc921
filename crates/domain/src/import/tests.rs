use super::*;
use crate::money::Yuan;
use crate::period::Period;
use crate::sheet::{Cell, Grid, Merge};
use chrono::NaiveDate;

/// The Chinese header of a short progress sheet.
const PROGRESS_HEADER: &[&str] = &[
    "项目代码",
    "项目名称",
    "填报年月",
    "本月完成投资",
    "形象进度（%）",
    "是否开工",
    "实际开工时间",
];

fn text(s: &str) -> Cell {
    Cell::Text(s.into())
}

#[test]
fn a_messy_progress_sheet_reads_right() {
    // A title with the month and the unit, a two-row header with merged parents, a unit
    // row, a total line, a group heading, full-width digits, stray spaces, amounts as
    // numbers and as text, a trailing empty row.
    let mut g = Grid::of_text(
        "10月进度",
        &[
            &["2025年10月重点项目进展情况表"],
            &["", "", "", "", "", "", "单位：亿元"],
            &[
                "序号",
                "项目代码",
                "项目名称",
                "投资完成情况",
                "",
                "形象进度（%）",
                "资金到位",
                "是否开工",
                "实际开工时间",
            ],
            &[
                "",
                "",
                "",
                "10月完成投资",
                "1-10月累计完成投资",
                "",
                "累计",
                "",
                "",
            ],
            &["", "", "", "", "", "", "", "", ""],
            &["", "", "合计", "3.5", "12", "", "", "", ""],
            &["一、新建项目"],
            &[
                "1",
                " 2024-650000-48-01-000001 ",
                "Ａ项目",
                "１.２",
                "",
                "85",
                "2",
                "是",
                "",
            ],
            &["2", "XM-002", "B项目", "", "", "", "", "否", "2025年3月"],
            &["", "", "", "", "", "", "", "", ""],
        ],
    );
    g.merged = vec![
        Merge {
            first_row: 0,
            first_col: 0,
            last_row: 0,
            last_col: 8,
        },
        Merge {
            first_row: 2,
            first_col: 3,
            last_row: 2,
            last_col: 4,
        },
        Merge {
            first_row: 2,
            first_col: 0,
            last_row: 3,
            last_col: 0,
        },
        Merge {
            first_row: 2,
            first_col: 1,
            last_row: 3,
            last_col: 1,
        },
    ];
    // Numbers as Excel stores them.
    g.rows[7][4] = Cell::Number(10.5);
    g.rows[8][4] = Cell::Number(0.1 + 0.2);
    g.rows[8][8] = text("2025年3月");
    g.rows[7][8] = Cell::Date(45717.0);
    assert_eq!(detect(&g), Some(Kind::Progress));
    let s = read(Kind::Progress, &g).unwrap();
    assert!(s.errors.is_empty(), "{:?}", s.errors);
    assert_eq!(s.header.last_row, 3);
    assert_eq!(s.skipped.len(), 2, "{:?}", s.skipped);
    assert_eq!(s.rows.len(), 2);
    let a = &s.rows[0];
    assert_eq!(a.line, 8);
    assert!(a.errors.is_empty(), "{:?}", a.errors);
    assert_eq!(
        a.get("code"),
        Some(&Value::Code(crate::project::ProjectCode::from_trusted(
            "2024-650000-48-01-000001".into()
        )))
    );
    assert_eq!(
        a.get("period"),
        Some(&Value::Month(Period::new(2025, 10).unwrap()))
    );
    assert_eq!(
        a.get("invest_period"),
        Some(&Value::Money(Yuan::new(120_000_000)))
    );
    assert_eq!(
        a.get("invest_ytd"),
        Some(&Value::Money(Yuan::new(1_050_000_000)))
    );
    assert_eq!(a.get("progress_pct"), Some(&Value::Percent(8500)));
    assert_eq!(
        a.get("funds_received"),
        Some(&Value::Money(Yuan::new(200_000_000)))
    );
    assert_eq!(a.get("started"), Some(&Value::Bool(true)));
    assert_eq!(
        a.get("started_on"),
        Some(&Value::Date(NaiveDate::from_ymd_opt(2025, 3, 1).unwrap()))
    );
    let b = &s.rows[1];
    assert_eq!(
        b.get("invest_ytd"),
        Some(&Value::Money(Yuan::new(30_000_000))),
        "0.3 亿元, float noise rounded"
    );
    assert_eq!(b.get("started"), Some(&Value::Bool(false)));
    assert_eq!(show(b.get("started_on").unwrap()), "2025-03-01");
}

#[test]
fn units_from_the_header_and_a_unit_row() {
    let mut g = Grid::of_text(
        "Sheet1",
        &[
            &[
                "项目代码",
                "项目名称",
                "责任单位",
                "项目类别",
                "建设性质",
                "项目级别",
                "项目状态",
                "建设起止年限",
                "总投资",
                "总投资（亿元）",
            ],
            &["", "", "", "", "", "", "", "", "万元", ""],
            &[
                "XM-1",
                "甲",
                "一师",
                "产业",
                "新建",
                "市级",
                "在建",
                "2024—2026年",
                "",
                "",
            ],
        ],
    );
    g.rows[2][8] = Cell::Number(1234.5678);
    let s = read(Kind::Projects, &g).unwrap();
    assert_eq!(s.header.data_row, 2, "the unit row is not data");
    let r = &s.rows[0];
    assert!(r.errors.is_empty(), "{:?}", r.errors);
    assert_eq!(r.get("total"), Some(&Value::Money(Yuan::new(12_345_678))));
    assert_eq!(r.get("years"), Some(&Value::Years(2024, 2026)));
    assert_eq!(r.get("category"), Some(&Value::Vocab("industry")));
    // The second 总投资 column is not taken twice.
    assert!(s.header.ignored.iter().any(|(c, _)| *c == 9));

    let g = Grid::of_text(
        "Sheet1",
        &[
            &[
                "项目代码",
                "项目名称",
                "责任单位",
                "项目类别",
                "建设性质",
                "项目级别",
                "项目状态",
                "建设起止年限",
                "总投资(亿元)",
            ],
            &[
                "XM-1",
                "甲",
                "一师",
                "产业",
                "新建",
                "市级",
                "在建",
                "2024-2026",
                "1.23456789",
            ],
            &[
                "XM-2",
                "乙",
                "一师",
                "产业",
                "新建",
                "市级",
                "在建",
                "2024-2026",
                "1.234567891",
            ],
        ],
    );
    let s = read(Kind::Projects, &g).unwrap();
    assert_eq!(
        s.rows[0].get("total"),
        Some(&Value::Money(Yuan::new(123_456_789)))
    );
    let e = &s.rows[1].errors[0];
    assert_eq!(
        (e.row, e.column.as_str(), e.field.as_str()),
        (3, "I", "total")
    );
    assert_eq!(e.value, "1.234567891");
    assert!(e.zh.contains("精度"), "{}", e.zh);
}

#[test]
fn every_bad_cell_is_named() {
    let mut g = Grid::of_text(
        "进度填报",
        &[
            PROGRESS_HEADER,
            &[
                "Project code",
                "Project name",
                "Period",
                "Invested this month",
                "Physical progress (%)",
                "Started",
                "Started on",
            ],
            &["", "甲", "2025-10", "abc", "120", "也许", "昨天"],
        ],
    );
    g.rows[2][3] = Cell::Error("#REF!".into());
    g.rows[2][2] = Cell::Number(2025.1);
    let s = read(Kind::Progress, &g).unwrap();
    assert_eq!(s.header.data_row, 2, "the English header row is not data");
    let r = &s.rows[0];
    let got: Vec<(&str, &str, &str)> = r
        .errors
        .iter()
        .map(|e| (e.column.as_str(), e.field.as_str(), e.code))
        .collect();
    assert_eq!(
        got,
        [
            ("A", "code", "required"),
            ("C", "period", "ambiguous_month"),
            ("D", "invest_period", "formula_error"),
            ("E", "progress_pct", "percent_range"),
            ("F", "started", "bool"),
            ("G", "started_on", "date"),
        ]
    );
    for e in &r.errors {
        assert_eq!(e.row, 3);
        assert!(!e.zh.is_empty() && !e.en.is_empty());
        assert!(e.to_string().contains("进度填报!"), "{e}");
    }
    assert!(r.errors[1].zh.contains("2025年10月"), "{}", r.errors[1].zh);
}

#[test]
fn missing_columns_are_named_and_titles_fill_in() {
    let g = Grid::of_text(
        "x",
        &[
            &["项目代码", "本月完成投资", "1-9月累计完成投资"],
            &["XM-1", "1", "2"],
        ],
    );
    let s = read(Kind::Progress, &g).unwrap();
    assert_eq!(s.errors.len(), 1);
    assert_eq!(s.errors[0].code, "missing_column");
    assert!(s.errors[0].zh.contains("填报年月"));

    let g = Grid::of_text(
        "x",
        &[
            &["填报时间：2025年9月"],
            &["项目代码", "本月完成投资", "1-9月累计完成投资"],
            &["XM-1", "1", "2"],
        ],
    );
    let s = read(Kind::Progress, &g).unwrap();
    assert!(s.errors.is_empty(), "{:?}", s.errors);
    assert_eq!(
        s.rows[0].get("period"),
        Some(&Value::Month(Period::new(2025, 9).unwrap()))
    );
}

#[test]
fn dates_in_every_form() {
    let col = &Kind::Milestones.columns()[4];
    assert_eq!(col.key, "planned_on");
    let cx = value::Context {
        unit: None,
        sheet_unit: None,
        percent: PercentScale::Points,
    };
    let d = |c: Cell| value::read(col, &c, cx).map(|v| v.map(|v| show(&v)));
    for (c, want) in [
        (Cell::Date(45717.0), "2025-03-01"),
        (Cell::Number(45717.0), "2025-03-01"),
        (text("2025/3/1"), "2025-03-01"),
        (text("2025年3月1日"), "2025-03-01"),
        (text("2025.03.01"), "2025-03-01"),
        (text("2025年3月"), "2025-03-01"),
        (text("2025.03"), "2025-03-01"),
        (Cell::Number(2025.03), "2025-03-01"),
        (Cell::Number(2025.12), "2025-12-01"),
        (text("20250301"), "2025-03-01"),
        (text("２０２５－０３－０１"), "2025-03-01"),
    ] {
        assert_eq!(d(c.clone()).unwrap().as_deref(), Some(want), "{c:?}");
    }
    assert_eq!(d(text("—")).unwrap(), None, "a dash is empty");
    assert!(d(text("2025-02-30")).is_err());
    assert_eq!(d(Cell::Number(2025.1)).unwrap_err().code, "ambiguous_month");
}

#[test]
fn template_sheet_names_decide_the_kind() {
    for k in Kind::ALL {
        let g = Grid::of_text(k.zh(), &[&["项目代码"]]);
        assert_eq!(detect(&g), Some(k));
    }
    let g = Grid::of_text("填表说明", &[&["说明"], &["请按模板填写"]]);
    assert_eq!(detect(&g), None);
}

#[test]
fn a_wrong_file_stops_at_a_thousand_errors() {
    // 5,000 rows of which every one has six bad cells: the first rows' errors are kept
    // and one more says the rest was not checked.
    let bad = ["", "甲", "2025-13", "abc", "120", "也许", "昨天"];
    let mut rows: Vec<&[&str]> = vec![PROGRESS_HEADER];
    rows.extend(std::iter::repeat_n(&bad[..], 5_000));
    let g = Grid::of_text("进度填报", &rows);
    let s = read(Kind::Progress, &g).unwrap();
    let row_errors: usize = s.rows.iter().map(|r| r.errors.len()).sum();
    assert!(
        (MAX_ERRORS..MAX_ERRORS + 7).contains(&row_errors),
        "{row_errors}"
    );
    assert!(s.rows.len() < 200, "{} rows read", s.rows.len());
    let last = s.errors.last().unwrap();
    assert_eq!(last.code, "too_many_errors");
    assert!(
        last.zh.contains("1000") && last.en.contains("1000"),
        "{}",
        last.zh
    );
}

#[test]
fn a_sheet_read_in_two_halves_reads_as_in_one() {
    // Good rows, rows with bad cells, empty rows, total lines and group headings, in a
    // pattern that does not repeat with the halves; then the same sheet wrong enough to
    // stop at the error limit in its first half, at the middle, and in its second half.
    let good = ["G1", "项目", "2025-10", "12.5", "40", "是", "2025-03-01"];
    let bad = ["G2", "项目", "2025-13", "abc", "120", "也许", "昨天"];
    let total = ["", "合计", "", "1200", "", "", ""];
    let heading = ["", "一、产业项目", "", "", "", "", ""];
    let empty = [""; 7];
    let lines: [&[&str]; 7] = [&good, &good, &bad, &empty, &total, &heading, &good];
    // Which rows are made bad: none, every third, every one, every one in the last
    // quarter (the limit is then reached in the second half).
    type IsBad = fn(usize, usize) -> bool;
    let patterns: [(&str, IsBad); 4] = [
        ("none", |_, _| false),
        ("every third", |i, _| i % 3 == 0),
        ("every one", |_, _| true),
        ("the last quarter", |i, n| i >= n * 3 / 4),
    ];
    for (what, is_bad) in patterns {
        for n in [1, 2, 3, 999, 1_000, 1_001, 2_999, 3_000] {
            let mut rows: Vec<&[&str]> = vec![PROGRESS_HEADER];
            rows.extend((0..n).map(|i| {
                if is_bad(i, n) {
                    &bad[..]
                } else {
                    lines[i % lines.len()]
                }
            }));
            let g = Grid::of_text("进度填报", &rows);
            let whole = read_split(Kind::Progress, &g, usize::MAX).unwrap();
            let halves = read_split(Kind::Progress, &g, 1).unwrap();
            assert_eq!(halves, whole, "{n} rows, bad: {what}");
            // Stopped at the limit, the sheet says from which row on it was not read:
            // the one after the row that reached the limit.
            if let Some(e) = whole.errors.iter().find(|e| e.code == "too_many_errors") {
                let next = whole.rows.last().unwrap().line + 1;
                assert!(e.zh.contains(&format!("第{next}行")), "{}", e.zh);
            }
        }
    }
}
