//! The documents open in an office suite: LibreOffice (headless) converts the bulletin's
//! .docx and the annex's .xlsx to PDF, poppler renders the first page to PNG and reads the
//! text back. `make test` installs both and sets DUBAN_REQUIRE_SOFFICE, so there the test
//! cannot pass by skipping.

use duban_domain::bulletin::{Block, Bulletin, Table};
use duban_render::{bulletin_docx, tables_xlsx};
use std::path::Path;
use std::process::Command;

fn tool(name: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {name}")])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
}

fn to_pdf(file: &Path, dir: &Path) -> std::path::PathBuf {
    let profile = format!("-env:UserInstallation=file://{}/lo-profile", dir.display());
    let out = Command::new("soffice")
        .args([&profile, "--headless", "--convert-to", "pdf", "--outdir"])
        .arg(dir)
        .arg(file)
        .output()
        .expect("soffice runs");
    assert!(
        out.status.success(),
        "soffice: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let pdf = file.with_extension("pdf");
    assert!(
        pdf.exists(),
        "no PDF from {}: {}",
        file.display(),
        String::from_utf8_lossy(&out.stdout)
    );
    pdf
}

fn bulletin() -> Bulletin {
    let table = Table {
        title: "表1  师市重点项目推进情况排名".into(),
        header: vec!["排名".into(), "单位".into(), "完成率".into()],
        rows: vec![
            vec!["1".into(), "第一师阿拉尔市".into(), "90.0%".into()],
            vec!["2".into(), "第二师铁门关市".into(), "40.0%".into()],
        ],
        note: None,
    };
    Bulletin {
        title: "关于2025年10月重点项目推进情况的通报".into(),
        subtitle: "新疆生产建设兵团（数据截至2025-11-05 09:30）".into(),
        blocks: vec![
            Block::Heading {
                level: 1,
                text: "一、总体推进情况".into(),
            },
            Block::Paragraph {
                text: "2025年安排重点项目4项，总投资2.00亿元，年度计划投资0.45亿元。".into(),
            },
            Block::Heading {
                level: 1,
                text: "二、各单位推进情况".into(),
            },
            Block::Heading {
                level: 2,
                text: "（一）师市".into(),
            },
            Block::Table(table.clone()),
        ],
        annex: vec![table],
    }
}

#[test]
fn the_bulletin_and_its_annex_open_in_libreoffice() {
    if !tool("soffice") || !tool("pdftoppm") || !tool("pdftotext") {
        assert!(
            std::env::var("DUBAN_REQUIRE_SOFFICE").is_err(),
            "DUBAN_REQUIRE_SOFFICE is set but LibreOffice or poppler-utils is missing"
        );
        eprintln!("skipped: LibreOffice or poppler-utils is not installed");
        return;
    }
    let dir = std::env::temp_dir().join(format!("duban-render-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let b = bulletin();
    let docx = dir.join("bulletin.docx");
    std::fs::write(&docx, bulletin_docx(&b)).unwrap();
    let pdf = to_pdf(&docx, &dir);
    // The first page as an image, and the words on it.
    let png = dir.join("page");
    let st = Command::new("pdftoppm")
        .args(["-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile"])
        .arg(&pdf)
        .arg(&png)
        .status()
        .unwrap();
    assert!(st.success());
    let png = png.with_extension("png");
    assert!(
        std::fs::metadata(&png).unwrap().len() > 2_000,
        "a blank page?"
    );
    let text = Command::new("pdftotext")
        .arg(&pdf)
        .arg("-")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&text.stdout).replace([' ', '\n'], "");
    for want in [
        "关于2025年10月重点项目推进情况的通报",
        "一、总体推进情况",
        "第一师阿拉尔市",
        "90.0%",
    ] {
        assert!(text.contains(want), "{want} not in the PDF: {text}");
    }
    // The annex workbook opens too.
    let xlsx = dir.join("annex.xlsx");
    std::fs::write(&xlsx, tables_xlsx(&b.annex).unwrap()).unwrap();
    let pdf = to_pdf(&xlsx, &dir);
    let text = Command::new("pdftotext")
        .arg(&pdf)
        .arg("-")
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&text.stdout).contains("第二师铁门关市"));
    std::fs::remove_dir_all(&dir).ok();
}
