//! Every list of the UI as .xlsx and .csv, with the list's query and the caller's scope,
//! money as numbers in 万元 and percentages as percentages; on SQLite and PostgreSQL.

use duban_testkit as common;

use common::{Client, spawn_app, unit_id, user};
use duban_app::Db;
use duban_domain::Role;
use duban_domain::access::Scope;
use duban_domain::sheet::Cell;
use serde_json::Value;
use std::io::Read;

duban_testkit::on_both!(120, lists_as_files);

fn part(bytes: &[u8], name: &str) -> String {
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut s = String::new();
    z.by_name(name).unwrap().read_to_string(&mut s).unwrap();
    s
}

/// The data rows of the first sheet.
fn sheet_rows(bytes: &[u8]) -> Vec<Vec<Cell>> {
    let g = duban_sheets::workbook(bytes, duban_sheets::Limits::default()).unwrap();
    g[0].rows.clone()
}

async fn lists_as_files(db: Db) {
    user(&db, "sup", "XJBT", &[(Role::Supervisor, Scope::All)]).await;
    user(&db, "clerk", "D01", &[(Role::Reporter, Scope::Own)]).await;
    user(&db, "aud", "XJBT", &[(Role::Auditor, Scope::All)]).await;
    user(&db, "adm", "XJBT", &[(Role::Admin, Scope::All)]).await;
    let addr = spawn_app(db.clone()).await;
    let sup = Client::login(&addr, "sup").await;
    let clerk = Client::login(&addr, "clerk").await;
    let aud = Client::login(&addr, "aud").await;
    let admin = Client::login(&addr, "adm").await;
    let d01 = unit_id(&db, "D01").await;

    // Each list, filtered as on screen: the file has exactly the list's rows.
    let cases: Vec<(&Client, String, String)> = vec![
        (
            &sup,
            "projects?status=construction".into(),
            "/api/v1/projects?status=construction&page_size=1".into(),
        ),
        (
            &sup,
            format!("reports?period=2025-10&unit={d01}"),
            format!("/api/v1/reports?period=2025-10&unit={d01}&page_size=1"),
        ),
        (
            &clerk,
            "reports?period=2025-09".into(),
            "/api/v1/reports?period=2025-09&page_size=1".into(),
        ),
        (
            &sup,
            "problems?state=open".into(),
            "/api/v1/problems?state=open&page_size=1".into(),
        ),
        (
            &sup,
            "dispatch?as_of=2025-10".into(),
            "/api/v1/stats/dispatch?as_of=2025-10".into(),
        ),
        (
            &sup,
            "missing?period=2025-10".into(),
            "/api/v1/reports/missing?period=2025-10".into(),
        ),
        (
            &aud,
            "audit?action=login".into(),
            "/api/v1/audit?action=login&page_size=1".into(),
        ),
        (&admin, "users".into(), "/api/v1/users".into()),
        (&clerk, "units".into(), "/api/v1/units".into()),
    ];
    for (who, path, api) in cases {
        let (_, page) = who.get(&api).await;
        let total = match &page["total"] {
            Value::Number(n) => n.as_i64().unwrap() as usize,
            _ => page["items"].as_array().unwrap().len(),
        };
        let sep = if path.contains('?') { '&' } else { '?' };
        let x = who
            .send("GET", &format!("/api/v1/export/{path}"), None)
            .await;
        assert_eq!(
            x.status,
            200,
            "{path}: {}",
            String::from_utf8_lossy(&x.body)
        );
        assert!(
            x.header("content-type").unwrap().contains("spreadsheetml"),
            "{path}"
        );
        assert_eq!(
            sheet_rows(&x.body).len(),
            total + 1,
            "{path}: rows of the xlsx"
        );
        let c = who
            .send(
                "GET",
                &format!("/api/v1/export/{path}{sep}format=csv&lang=en"),
                None,
            )
            .await;
        assert_eq!(c.status, 200, "{path}");
        let text = String::from_utf8(c.body.clone()).unwrap();
        assert!(text.starts_with('\u{feff}'), "{path}: BOM");
        // Quoted cells may hold line breaks: at least one line per row and the header.
        let lines = text.matches("\r\n").count();
        assert!(lines > total, "{path}: {lines} csv lines for {total}");
    }

    // The clerk's file holds the clerk's unit only.
    let x = clerk
        .send("GET", "/api/v1/export/reports?period=2025-09", None)
        .await;
    let rows = sheet_rows(&x.body);
    let units: std::collections::BTreeSet<String> =
        rows[1..].iter().map(|r| r[2].display()).collect();
    assert_eq!(units.len(), 1, "{units:?}");

    // Money is a number in 万元 with two decimals shown; percentages are percentages.
    let (_, page) = sup
        .get(&format!(
            "/api/v1/reports?period=2025-10&unit={d01}&page_size=500"
        ))
        .await;
    let first = &page["items"][0];
    let x = sup
        .send(
            "GET",
            &format!("/api/v1/export/reports?period=2025-10&unit={d01}"),
            None,
        )
        .await;
    let rows = sheet_rows(&x.body);
    let row = rows
        .iter()
        .find(|r| r[0].display() == first["project_code"].as_str().unwrap())
        .unwrap();
    assert_eq!(
        row[6],
        Cell::Number(first["figures"]["invest_period"].as_i64().unwrap() as f64 / 10_000.0)
    );
    assert_eq!(
        row[9],
        Cell::Number(first["figures"]["progress_bp"].as_i64().unwrap() as f64 / 10_000.0)
    );
    let styles = part(&x.body, "xl/styles.xml");
    assert!(
        styles.contains("#,##0.00") && styles.contains("0.0%"),
        "{styles}"
    );
    assert_eq!(rows[0][6].display(), "本月完成投资（万元）");
    let en = sup
        .send(
            "GET",
            &format!("/api/v1/export/reports?period=2025-10&unit={d01}&lang=en"),
            None,
        )
        .await;
    assert_eq!(
        sheet_rows(&en.body)[0][6].display(),
        "Invested this month (10k yuan)"
    );

    // The registry in Excel equals the CSV, row for row.
    let x = sup.send("GET", "/api/v1/export/projects", None).await;
    let xr = sheet_rows(&x.body);
    let c = String::from_utf8(
        sup.send("GET", "/api/v1/export/projects?format=csv", None)
            .await
            .body,
    )
    .unwrap();
    assert_eq!(xr.len(), 121);
    assert_eq!(c.lines().count(), 121);

    // Bad requests are named; lists outside the caller's rights are refused.
    let (s, e) = sup.get("/api/v1/export/reports?format=pdf").await;
    assert_eq!((s, common::fields(&e)), (400, vec!["format"]));
    let (s, e) = sup.get("/api/v1/export/reports?colour=red").await;
    assert_eq!((s, common::fields(&e)), (400, vec!["query"]));
    let (s, _) = sup.get("/api/v1/export/weather").await;
    assert_eq!(s, 404);
    let (s, _) = clerk.get("/api/v1/export/audit").await;
    assert_eq!(s, 403);
    let (s, _) = sup.get("/api/v1/export/users").await;
    assert_eq!(s, 403, "users are the administrator's");
}
