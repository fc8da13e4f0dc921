//! `duban bulletin` and `duban assess` on a generated data set: the files are written,
//! the ranking printed, and a scheme whose points do not add up is refused by name.

mod common;

use common::duban;

#[test]
fn bulletin_and_assessment_from_the_console() {
    let dir = std::env::temp_dir().join(format!("duban-assess-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let (code, _, err) = duban(&dir, &["gen", "--projects", "60", "--as-of", "2025-10"]);
    assert_eq!(code, 0, "{err}");

    let out_dir = dir.join("out");
    let (code, out, err) = duban(
        &dir,
        &[
            "bulletin",
            "--period",
            "2025-10",
            "--out",
            out_dir.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("version 1"), "{out}");
    for f in [
        "bulletin-2025-10-v1.docx",
        "bulletin-2025-10-v1-annex.xlsx",
        "bulletin-2025-10-v1.html",
        "bulletin-2025-10-v1.snapshot.json",
    ] {
        assert!(out_dir.join(f).exists(), "{f} missing: {out}");
    }
    let text = std::fs::read_to_string(out_dir.join("bulletin-2025-10-v1.txt")).unwrap();
    assert!(
        text.starts_with("关于2025年10月重点项目推进情况的通报"),
        "{text}"
    );

    let scheme = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../domain/src/assessment/schemes/annual-targets.json"
    );
    let (code, out, err) = duban(&dir, &["assess", "--scheme", scheme, "--period", "2025Q3"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("年度重点项目目标考核（示例） — 2025Q3") && out.contains("   1  "),
        "{out}"
    );

    let bad = dir.join("bad.toml");
    std::fs::write(&bad, "name = \"x\"\npoints = 10\ngrades = []\n[[indicators]]\ncode = \"c\"\nname = \"c\"\npoints = 9\nscoring = { kind = \"proportional\", target = 100, cap = 1 }\n").unwrap();
    let (code, _, err) = duban(
        &dir,
        &[
            "assess",
            "--scheme",
            bad.to_str().unwrap(),
            "--period",
            "2025Q3",
        ],
    );
    assert_ne!(code, 0);
    assert!(
        err.contains("合计9") && err.contains("add up to 9"),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
