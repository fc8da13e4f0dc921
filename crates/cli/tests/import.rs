//! `duban import` and `duban export oc4ids` on a generated data set: a dry run shows
//! what would change and writes nothing, the import writes it, the same file again
//! changes nothing, and a file that is not a workbook is refused with its reason.

mod common;

use common::duban;
use duban_domain::import::Kind;
use duban_domain::sheet::Cell;

#[test]
fn import_and_export_from_the_console() {
    let dir = std::env::temp_dir().join(format!("duban-import-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let (code, _, err) = duban(&dir, &["gen", "--projects", "40", "--as-of", "2025-10"]);
    assert_eq!(code, 0, "{err}");

    // The OC4IDS package names the projects; three of them get November's figures.
    let pkg = dir.join("oc4ids.json");
    let (code, _, err) = duban(&dir, &["export", "oc4ids", "--out", pkg.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("40 projects written"), "{err}");
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&pkg).unwrap()).unwrap();
    let codes: Vec<String> = v["projects"].as_array().unwrap()[..3]
        .iter()
        .map(|p| p["identifiers"][0]["id"].as_str().unwrap().to_string())
        .collect();
    let rows = codes
        .iter()
        .map(|code| {
            Kind::Progress
                .columns()
                .iter()
                .map(|c| match c.key {
                    "code" => Cell::Text(code.clone()),
                    "period" => Cell::Text("2025年11月".into()),
                    "invest_period" => Cell::Number(12.5),
                    "started" => Cell::Text("是".into()),
                    "started_on" => Cell::Text("2025/3/1".into()),
                    _ => Cell::Empty,
                })
                .collect()
        })
        .collect();
    let file = dir.join("progress.xlsx");
    let bytes = duban_sheets::template(&duban_sheets::Template {
        sheets: vec![(Kind::Progress, rows)],
        ..Default::default()
    })
    .unwrap();
    std::fs::write(&file, bytes).unwrap();
    let f = file.to_str().unwrap();

    let (code, out, err) = duban(&dir, &["import", f, "--dry-run"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("dry run: 3 to create, 0 to update, 0 unchanged, 0 rejected"),
        "{out}"
    );
    let (code, out, err) = duban(&dir, &["import", f]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("imported: 3 to create"), "{out}");
    let (code, out, _) = duban(&dir, &["import", f, "--dry-run"]);
    assert_eq!(code, 0);
    assert!(
        out.contains("0 to create, 0 to update, 3 unchanged"),
        "{out}"
    );

    // Not a workbook: the reason, and a failing exit status.
    let bad = dir.join("notes.xlsx");
    std::fs::write(&bad, "会议纪要，不是表格").unwrap();
    let (code, _, err) = duban(&dir, &["import", bad.to_str().unwrap()]);
    assert_ne!(code, 0);
    assert!(
        err.contains("不是Excel表格") || err.contains("not an Excel workbook"),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
