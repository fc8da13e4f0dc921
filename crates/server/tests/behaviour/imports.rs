//! Spreadsheet import over HTTP on SQLite and PostgreSQL: a template downloaded and
//! filled as a unit fills it (with the messy variants of real sheets) previews right,
//! commits all or nothing, re-imports as unchanged, keeps to the importer's scope and
//! is audited; bad files get clear errors and write nothing.

use duban_testkit as common;

use common::{Client, spawn_app, unit_id, user};
use duban_app::Db;
use duban_domain::Role;
use duban_domain::access::Scope;
use duban_domain::import::Kind;
use duban_domain::sheet::Cell;
use rust_xlsxwriter::{Format, Formula, Workbook};
use serde_json::{Value, json};

duban_testkit::on_both!(120, progress_import, registry_import, bad_files);

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

async fn upload(c: &Client, name: &str, bytes: &[u8]) -> (u16, Value) {
    let r = c
        .raw(
            "POST",
            &format!("/api/v1/imports?filename={name}"),
            XLSX,
            bytes,
        )
        .await;
    (r.status, r.json())
}

async fn commit(c: &Client, p: &Value) -> (u16, Value) {
    c.post(&format!("/api/v1/imports/{}/commit", p["id"]), json!({}))
        .await
}

fn counts(p: &Value) -> (i64, i64, i64, i64) {
    let c = &p["counts"];
    (
        c["create"].as_i64().unwrap(),
        c["update"].as_i64().unwrap(),
        c["unchanged"].as_i64().unwrap(),
        c["rejected"].as_i64().unwrap(),
    )
}

async fn count(db: &Db, sql: &str) -> i64 {
    db.scalar(sql, &[]).await.unwrap()
}

/// The clerk's projects: the codes of the first `n` in the registry.
async fn codes(c: &Client, n: usize) -> Vec<(i64, String)> {
    let page = c.ok("/api/v1/projects?page_size=50&sort=code").await;
    page["items"].as_array().unwrap()[..n]
        .iter()
        .map(|p| {
            (
                p["id"].as_i64().unwrap(),
                p["code"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// A progress sheet as an office sends it: a title naming the month, amounts in 亿元,
/// a two-row header with merged parents, a total line, full-width digits, a date typed
/// as text and one as a date cell, trailing blank rows.
fn messy_progress(rows: &[(&str, &str, f64, f64)]) -> Vec<u8> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("11月进度").unwrap();
    let f = Format::new();
    ws.merge_range(0, 0, 0, 7, "2025年11月重点项目推进情况表", &f)
        .unwrap();
    ws.write_string(1, 7, "单位：亿元").unwrap();
    ws.merge_range(2, 0, 3, 0, "序号", &f).unwrap();
    ws.merge_range(2, 1, 3, 1, "项目编码", &f).unwrap();
    ws.merge_range(2, 2, 3, 2, "项目名称", &f).unwrap();
    ws.merge_range(2, 3, 2, 4, "完成投资", &f).unwrap();
    ws.write_string(3, 3, "11月完成投资").unwrap();
    ws.write_string(3, 4, "1—11月累计完成投资").unwrap();
    ws.merge_range(2, 5, 3, 5, "形象进度（%）", &f).unwrap();
    ws.merge_range(2, 6, 3, 6, "实际开工时间", &f).unwrap();
    ws.merge_range(2, 7, 3, 7, "备注", &f).unwrap();
    ws.write_string(4, 2, "合  计").unwrap();
    ws.write_formula(4, 3, Formula::new("=SUM(D6:D9)").set_result("1"))
        .unwrap();
    for (i, (code, month, ytd, pct)) in rows.iter().enumerate() {
        let r = 5 + i as u32;
        ws.write_number(r, 0, (i + 1) as f64).unwrap();
        ws.write_string(r, 1, format!(" {code} ")).unwrap();
        ws.write_string(r, 2, "项目").unwrap();
        ws.write_string(r, 3, *month).unwrap();
        ws.write_number(r, 4, *ytd).unwrap();
        ws.write_number(r, 5, *pct).unwrap();
        if i == 0 {
            ws.write_string(r, 6, "2025年3月").unwrap();
        }
    }
    wb.save_to_buffer().unwrap()
}

async fn progress_import(db: Db) {
    user(&db, "clerk", "D01", &[(Role::Reporter, Scope::Subtree)]).await;
    user(&db, "sup", "XJBT", &[(Role::Supervisor, Scope::All)]).await;
    let addr = spawn_app(db.clone()).await;
    let clerk = Client::login(&addr, "clerk").await;
    let sup = Client::login(&addr, "sup").await;

    // The template, pre-filled with the clerk's projects for the month.
    let t = clerk
        .send(
            "GET",
            "/api/v1/imports/template?kind=progress&period=2025-11&english=true",
            None,
        )
        .await;
    assert_eq!(t.status, 200);
    assert!(t.header("content-disposition").unwrap().contains(".xlsx"));
    let grids = duban_sheets::workbook(&t.body, duban_sheets::Limits::default()).unwrap();
    let sheet = grids.iter().find(|g| g.name == "进度填报").unwrap();
    let mine = clerk.ok("/api/v1/projects?page_size=1").await["total"]
        .as_i64()
        .unwrap();
    assert_eq!(
        sheet.rows.len() as i64,
        mine + 2,
        "one row per project under two header rows"
    );
    // Uploaded untouched: every row is passed over (nothing typed), nothing to write.
    let (s, p) = upload(&clerk, "template.xlsx", &t.body).await;
    assert_eq!(s, 200, "{p}");
    assert_eq!(counts(&p), (0, 0, 0, 0));
    assert_eq!(
        p["sheets"][1]["skipped"].as_array().unwrap().len() as i64,
        mine
    );
    assert_eq!(p["committable"], false);

    // Filled as a unit would, in the shape of a real office sheet.
    let mine = codes(&clerk, 3).await;
    let rows = [
        (mine[0].1.as_str(), "０.０１２３", 0.5, 35.0),
        (mine[1].1.as_str(), "0.02", 0.75, 40.5),
    ];
    let file = messy_progress(&rows);
    let (s, p) = upload(&clerk, "11月进度.xlsx", &file).await;
    assert_eq!(s, 200, "{p}");
    assert_eq!(p["errors"], json!([]), "{p:#}");
    assert_eq!(counts(&p), (2, 0, 0, 0));
    assert_eq!(p["committable"], true);
    let sheet = &p["sheets"][0];
    assert_eq!(sheet["kind"], "progress");
    assert_eq!(sheet["header_rows"], json!([3, 4]));
    assert_eq!(sheet["skipped"][0]["zh"], "合计行");
    let first = p["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["row"] == 6)
        .unwrap();
    let change = |f: &str| {
        first["changes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["field"] == f)
            .map(|c| c["after"].as_str().unwrap().to_string())
    };
    // 0.0123 亿元 = 123 万元; 0.5 亿元 = 5,000 万元; 35 → 35%.
    assert_eq!(change("invest_period").as_deref(), Some("123.00"));
    assert_eq!(change("invest_ytd").as_deref(), Some("5000.00"));
    assert_eq!(change("started_on").as_deref(), Some("2025-03-01"));
    let before = count(&db, "SELECT COUNT(*) AS v FROM reports").await;
    let (s, done) = commit(&clerk, &p).await;
    assert_eq!(s, 200, "{done}");
    assert_eq!(done["state"], "committed");
    assert_eq!(
        count(&db, "SELECT COUNT(*) AS v FROM reports").await,
        before + 2
    );
    let r = clerk
        .ok(&format!(
            "/api/v1/reports?project={}&period=2025-11",
            mine[0].0
        ))
        .await;
    let r = &r["items"][0];
    assert_eq!(r["state"], "draft");
    assert_eq!(r["figures"]["invest_period"], 1_230_000);
    assert_eq!(r["figures"]["invest_ytd"], 50_000_000);
    assert_eq!(r["figures"]["progress_bp"], 3500);
    assert_eq!(r["figures"]["started"], true);
    // Each new draft is audited under its own id, and the chain stays whole.
    let after: String = db
        .fetch_one(
            "SELECT after AS v FROM audit_log WHERE action = 'report.create' AND object_id = $1",
            &[r["id"].as_i64().unwrap().to_string().into()],
            |row| row.str("v"),
        )
        .await
        .unwrap();
    let after: Value = serde_json::from_str(&after).unwrap();
    assert_eq!(after["invest_period"], 1_230_000);
    let v = duban_app::audit::verify(&db, &duban_app::unit_of_work::Console::open())
        .await
        .unwrap();
    assert!(v.broken.is_none(), "{:?}", v.broken);
    // A committed import is not committed twice.
    let (s, _) = commit(&clerk, &p).await;
    assert_eq!(s, 409);

    // The same file again changes nothing.
    let audit = count(&db, "SELECT COUNT(*) AS v FROM audit_log").await;
    let (_, again) = upload(&clerk, "11月进度.xlsx", &file).await;
    assert_eq!(counts(&again), (0, 0, 2, 0), "{again:#}");
    let (s, _) = commit(&clerk, &again).await;
    assert_eq!(s, 200);
    assert_eq!(
        count(&db, "SELECT COUNT(*) AS v FROM reports").await,
        before + 2
    );
    assert_eq!(
        count(&db, "SELECT COUNT(*) AS v FROM audit_log").await,
        audit + 1,
        "only the import itself is recorded"
    );

    // A changed figure updates the draft, and the preview shows before and after.
    let rows2 = [(mine[0].1.as_str(), "0.0124", 0.5, 35.0), rows[1]];
    let (_, p) = upload(&clerk, "11月进度-改.xlsx", &messy_progress(&rows2)).await;
    assert_eq!(counts(&p), (0, 1, 1, 0));
    let upd = p["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["action"] == "update")
        .unwrap();
    assert_eq!(upd["changes"][0]["before"], "123.00");
    assert_eq!(upd["changes"][0]["after"], "124.00");

    // All or nothing: one bad row (another unit's project, a formula error) and the
    // commit writes none of the good ones.
    let d02 = unit_id(&db, "D02").await;
    let other = sup
        .ok(&format!("/api/v1/projects?page_size=1&unit={d02}"))
        .await["items"][0]["code"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(!mine.iter().any(|(_, c)| *c == other));
    let rows3 = [
        (mine[2].1.as_str(), "0.01", 0.3, 10.0),
        (other.as_str(), "0.01", 0.3, 10.0),
    ];
    let mut bad = messy_progress(&rows3);
    let (s, p) = upload(&clerk, "bad.xlsx", &bad).await;
    assert_eq!(s, 200);
    assert_eq!(counts(&p), (1, 0, 0, 1));
    let e = &p["errors"][0];
    assert_eq!(
        (e["sheet"].as_str(), e["row"].as_i64(), e["column"].as_str()),
        (Some("11月进度"), Some(7), Some("B"))
    );
    assert_eq!(e["code"], "out_of_scope");
    assert!(e["zh"].as_str().unwrap().contains("数据范围"), "{e}");
    assert_eq!(p["committable"], false);
    let n = count(&db, "SELECT COUNT(*) AS v FROM reports").await;
    let (s, err) = commit(&clerk, &p).await;
    assert_eq!(s, 400, "{err}");
    assert!(
        err["details"][0]["field"]
            .as_str()
            .unwrap()
            .starts_with("11月进度!B7"),
        "{err}"
    );
    assert_eq!(
        count(&db, "SELECT COUNT(*) AS v FROM reports").await,
        n,
        "nothing written"
    );

    // Approved reports are not changed by an import.
    let approved = sup
        .ok(&format!(
            "/api/v1/reports?period=2025-10&state=approved&unit={}",
            unit_id(&db, "D01").await
        ))
        .await;
    let code = approved["items"][0]["project_code"]
        .as_str()
        .unwrap()
        .to_string();
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in ["项目代码", "填报年月", "本月完成投资"].iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    ws.write_string(1, 0, &code).unwrap();
    ws.write_string(1, 1, "2025.10").unwrap();
    ws.write_number(1, 2, 99999.0).unwrap();
    bad = wb.save_to_buffer().unwrap();
    let (_, p) = upload(&clerk, "approved.xlsx", &bad).await;
    assert_eq!(counts(&p).3, 1, "{p:#}");
    assert_eq!(p["errors"][0]["code"], "report_locked");

    // The imports are listed, and their history stays.
    let list = clerk.ok("/api/v1/imports").await;
    assert!(list["items"].as_array().unwrap().len() >= 5);
    assert_eq!(
        count(
            &db,
            "SELECT COUNT(*) AS v FROM audit_log WHERE action = 'import.commit'"
        )
        .await,
        2
    );
}

async fn registry_import(db: Db) {
    user(&db, "sup", "XJBT", &[(Role::Supervisor, Scope::All)]).await;
    user(&db, "sup1", "D01", &[(Role::Supervisor, Scope::Subtree)]).await;
    let addr = spawn_app(db.clone()).await;
    let sup = Client::login(&addr, "sup").await;
    let sup1 = Client::login(&addr, "sup1").await;
    let units = sup.ok("/api/v1/units").await;
    let d01_name = units["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["code"] == "D01")
        .unwrap()["name"]
        .as_str()
        .unwrap()
        .to_string();
    let existing = sup1.ok("/api/v1/projects?page_size=1&sort=code").await["items"][0].clone();
    let code = existing["code"].as_str().unwrap().to_string();

    // The registry template with an English row, filled: one new project, one change.
    let t = sup1
        .send(
            "GET",
            "/api/v1/imports/template?kind=projects&english=true&fill=true",
            None,
        )
        .await;
    assert_eq!(t.status, 200);
    let grids = duban_sheets::workbook(&t.body, duban_sheets::Limits::default()).unwrap();
    let g = grids.iter().find(|g| g.name == "项目库").unwrap();
    assert_eq!(g.rows[1][0], Cell::Text("Project code".into()));
    // Unchanged, the filled template imports as unchanged.
    let (s, p) = upload(&sup1, "projects.xlsx", &t.body).await;
    assert_eq!(s, 200, "{p}");
    let (c, u, n, r) = counts(&p);
    assert_eq!((c, u, r), (0, 0, 0), "{:#}{:#}", p["errors"], p["items"]);
    assert_eq!(n as usize, g.rows.len() - 2);

    let cols = Kind::Projects.columns();
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("重点项目").unwrap();
    let headers: Vec<String> = cols
        .iter()
        .map(|c| match c.key {
            "total" => "总投资(亿元)".to_string(),
            "years" => "建设起止年限".to_string(),
            k => {
                c.zh.replace("项目代码", if k == "code" { "项目编码" } else { c.zh })
            }
        })
        .collect();
    for (i, h) in headers.iter().enumerate() {
        ws.write_string(0, i as u16, h).unwrap();
    }
    let row = |ws: &mut rust_xlsxwriter::Worksheet, r: u32, vals: &[(&str, &str)]| {
        for (k, v) in vals {
            let i = cols.iter().position(|c| c.key == *k).unwrap() as u16;
            ws.write_string(r, i, *v).unwrap();
        }
    };
    row(
        ws,
        1,
        &[
            ("code", "XM-IMPORT-001"),
            ("name", "导入测试 新建项目"),
            ("unit", &d01_name),
            ("category", "产业"),
            ("nature", "新建"),
            ("level", "市级"),
            ("status", "前期"),
            ("years", "2026年—2027年"),
            ("total", "1.2345"),
            ("funding", "专项债 5000；企业自筹 7345"),
            ("leader", "王某"),
        ],
    );
    let e = &existing;
    row(
        ws,
        2,
        &[
            ("code", &code),
            ("name", e["name"].as_str().unwrap()),
            ("unit", &d01_name),
            ("category", "产业"),
            ("nature", "续建"),
            ("level", "省级"),
            ("status", "在建"),
            ("years", "2024-2026"),
            ("leader", "李某（新）"),
        ],
    );
    let file = wb.save_to_buffer().unwrap();
    let (_, p) = upload(&sup1, "registry.xlsx", &file).await;
    let got = counts(&p);
    assert_eq!((got.0, got.3), (1, 0), "{:#}", p["errors"]);
    let upd = p["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["key"] == code.as_str())
        .unwrap();
    assert_eq!(upd["action"], "update");
    let changed: Vec<&str> = upd["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["field"].as_str().unwrap())
        .collect();
    assert!(changed.contains(&"leader"), "{changed:?}");
    assert!(
        !changed.contains(&"total"),
        "an absent cell keeps the stored value"
    );
    let (s, done) = commit(&sup1, &p).await;
    assert_eq!(s, 200, "{done}");
    let found = sup1.ok("/api/v1/projects?q=XM-IMPORT-001").await;
    let np = &found["items"][0];
    assert_eq!(np["total_investment"], 123_450_000, "1.2345 亿元 exactly");
    assert_eq!(np["start_year"], 2026);
    assert_eq!(np["leader"], "王某");
    let full = sup1.ok(&format!("/api/v1/projects/{}", np["id"])).await;
    assert_eq!(full["funding"].as_array().unwrap().len(), 2, "{full}");
    let (_, again) = upload(&sup1, "registry.xlsx", &file).await;
    assert_eq!(counts(&again), (0, 0, 2, 0), "{again:#}");

    // Plans with the monthly breakdown and milestones, for the new project.
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("年度计划").unwrap();
    let pcols = Kind::Plans.columns();
    for (i, c) in pcols.iter().enumerate() {
        ws.write_string(0, i as u16, c.zh).unwrap();
    }
    ws.write_string(1, 0, "XM-IMPORT-001").unwrap();
    ws.write_number(1, 2, 2026.0).unwrap();
    ws.write_number(1, 3, 1200.0).unwrap();
    for m in 0..12 {
        ws.write_number(1, 5 + m, 100.0).unwrap();
    }
    let ws = wb.add_worksheet();
    ws.set_name("节点计划").unwrap();
    for (i, c) in Kind::Milestones.columns().iter().enumerate() {
        ws.write_string(0, i as u16, c.zh).unwrap();
    }
    ws.write_string(1, 0, "XM-IMPORT-001").unwrap();
    ws.write_string(1, 2, "2026").unwrap();
    ws.write_string(1, 3, "开工").unwrap();
    ws.write_string(1, 4, "2026/4/1").unwrap();
    let file = wb.save_to_buffer().unwrap();
    let (_, p) = upload(&sup1, "plans.xlsx", &file).await;
    assert_eq!(counts(&p), (2, 0, 0, 0), "{p:#}");
    let (s, _) = commit(&sup1, &p).await;
    assert_eq!(s, 200);
    let plan = sup1
        .ok(&format!("/api/v1/projects/{}/plans/2026", np["id"]))
        .await;
    assert_eq!(plan["curve"][5], 6_000_000, "{plan}");
    assert_eq!(plan["milestones"][0]["name"], "开工");
    let (_, again) = upload(&sup1, "plans.xlsx", &file).await;
    assert_eq!(counts(&again), (0, 0, 2, 0), "{again:#}");
    // The plans template, pre-filled for 2026, holds that plan and imports as unchanged.
    let t = sup1
        .send(
            "GET",
            "/api/v1/imports/template?kind=plans&year=2026&fill=true",
            None,
        )
        .await;
    assert_eq!(t.status, 200);
    let (_, p) = upload(&sup1, "plans-template.xlsx", &t.body).await;
    let (c, u, _, r) = counts(&p);
    assert_eq!((c, u, r), (0, 0, 0), "{:#}", p["errors"]);
    assert!(
        p["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["key"] == "XM-IMPORT-001 2026"),
        "{p:#}"
    );

    // Problems: assigned at once, not created twice.
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    for (i, h) in [
        "项目代码",
        "问题来源",
        "问题类别",
        "问题描述",
        "牵头单位",
        "整改时限",
    ]
    .iter()
    .enumerate()
    {
        ws.write_string(0, i as u16, *h).unwrap();
    }
    for (i, v) in [
        "XM-IMPORT-001",
        "调度会",
        "用地",
        "用地指标未落实",
        &d01_name,
        "2030-12-31",
    ]
    .iter()
    .enumerate()
    {
        ws.write_string(1, i as u16, *v).unwrap();
    }
    let file = wb.save_to_buffer().unwrap();
    let (_, p) = upload(&sup1, "problems.xlsx", &file).await;
    assert_eq!(counts(&p), (1, 0, 0, 0), "{p:#}");
    assert_eq!(commit(&sup1, &p).await.0, 200);
    let (_, again) = upload(&sup1, "problems.xlsx", &file).await;
    assert_eq!(counts(&again), (0, 0, 1, 0));
    let probs = sup1
        .ok(&format!("/api/v1/problems?project={}", np["id"]))
        .await;
    assert_eq!(probs["items"][0]["state"], "assigned", "{probs}");

    // Outside the scope: a project of another division cannot be changed by its code.
    let d02 = unit_id(&db, "D02").await;
    let far = sup
        .ok(&format!("/api/v1/projects?page_size=1&unit={d02}"))
        .await["items"][0]
        .clone();
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    let hs = [
        "项目代码",
        "项目名称",
        "责任单位",
        "项目类别",
        "建设性质",
        "项目级别",
        "项目状态",
        "建设起止年限",
        "总投资",
    ];
    for (i, h) in hs.iter().enumerate() {
        ws.write_string(0, i as u16, *h).unwrap();
    }
    let vals = [
        far["code"].as_str().unwrap(),
        "改名",
        &d01_name,
        "产业",
        "新建",
        "市级",
        "在建",
        "2025-2026",
        "100",
    ];
    for (i, v) in vals.iter().enumerate() {
        ws.write_string(1, i as u16, *v).unwrap();
    }
    let (_, p) = upload(&sup1, "far.xlsx", &wb.save_to_buffer().unwrap()).await;
    assert_eq!(p["errors"][0]["code"], "out_of_scope", "{p:#}");
}

async fn bad_files(db: Db) {
    user(&db, "sup", "XJBT", &[(Role::Supervisor, Scope::All)]).await;
    let addr = spawn_app(db.clone()).await;
    let sup = Client::login(&addr, "sup").await;
    let before = count(&db, "SELECT COUNT(*) AS v FROM projects").await;
    let good = {
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        ws.write_string(0, 0, "项目代码").unwrap();
        ws.write_string(0, 1, "项目名称").unwrap();
        ws.write_string(1, 0, "X").unwrap();
        wb.save_to_buffer().unwrap()
    };
    for (what, bytes, code) in [
        ("empty", vec![], "empty_file"),
        ("pdf", b"%PDF-1.7".to_vec(), "not_spreadsheet"),
        ("truncated", good[..good.len() / 2].to_vec(), "corrupt_file"),
    ] {
        let (s, e) = upload(&sup, "x.xlsx", &bytes).await;
        assert_eq!(s, 400, "{what}: {e}");
        assert_eq!(e["details"][0]["code"], code, "{what}: {e}");
        assert!(!e["details"][0]["zh"].as_str().unwrap().is_empty());
    }
    let (s, e) = upload(&sup, "big.xlsx", &vec![b'P'; 21 * 1024 * 1024]).await;
    assert_eq!(s, 413, "{e}");
    // A workbook with no recognisable sheet.
    let mut wb = Workbook::new();
    wb.add_worksheet().write_string(0, 0, "会议纪要").unwrap();
    let (s, p) = upload(&sup, "notes.xlsx", &wb.save_to_buffer().unwrap()).await;
    assert_eq!(s, 200);
    assert_eq!(p["errors"][0]["code"], "no_data_sheet");
    assert_eq!(
        count(&db, "SELECT COUNT(*) AS v FROM projects").await,
        before
    );
    // Another user's import cannot be committed.
    user(&db, "sup2", "XJBT", &[(Role::Supervisor, Scope::All)]).await;
    let sup2 = Client::login(&addr, "sup2").await;
    let (_, p) = upload(&sup, "notes.xlsx", &good).await;
    let (s, _) = commit(&sup2, &p).await;
    assert_eq!(s, 404);
}
