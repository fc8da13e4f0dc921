//! Day one over HTTP: an office set up from empty loads its unit tree and its users
//! from Excel (a template from duban, filled; preview; all-or-nothing commit; each new
//! user's initial password shown once), then signs its users in.

use common::{Client, spawn_app};
use duban_app::Db;
use duban_app::setup::{InitInput, init};
use duban_app::unit_of_work::Console;
use duban_testkit as common;
use rust_xlsxwriter::Workbook;
use serde_json::{Value, json};

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn units_and_users_from_excel_on_sqlite() {
    units_and_users(common::empty_database(false).await.unwrap()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn units_and_users_from_excel_on_postgres() {
    if let Some(db) = common::empty_database(true).await {
        units_and_users(db).await;
    }
}

fn sheet(name: &str, header: &[&str], rows: &[&[&str]]) -> Vec<u8> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name(name).unwrap();
    ws.write_string(0, 0, format!("某市重点项目督办系统{name}"))
        .unwrap();
    for (c, h) in header.iter().enumerate() {
        ws.write_string(1, c as u16, *h).unwrap();
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            if !v.is_empty() {
                ws.write_string(r as u32 + 2, c as u16, *v).unwrap();
            }
        }
    }
    wb.save_to_buffer().unwrap()
}

async fn preview(c: &Client, name: &str, bytes: &[u8]) -> Value {
    let r = c
        .raw(
            "POST",
            &format!("/api/v1/imports?filename={name}"),
            XLSX,
            bytes,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.json());
    r.json()
}

fn errors(p: &Value) -> Vec<String> {
    p["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            format!(
                "{}{} {}: {}",
                e["column"].as_str().unwrap(),
                e["row"],
                e["field"].as_str().unwrap(),
                e["zh"].as_str().unwrap()
            )
        })
        .collect()
}

/// The office of these tests, set up as on its first day.
async fn office(db: &Db) {
    init(
        &Console::open(),
        db,
        &InitInput {
            unit_code: "CITY".into(),
            unit_name: "某市发展和改革委员会".into(),
            unit_kind: None,
            admin_username: "chief".into(),
            admin_name: Some("李四".into()),
            admin_password: Some("Plan-office-2026".into()),
            report_deadline_day: None,
        },
    )
    .await
    .unwrap();
}

async fn units_and_users(db: Db) {
    office(&db).await;
    let addr = spawn_app(db.clone()).await;
    let admin = Client::login_with(&addr, "chief", "Plan-office-2026")
        .await
        .unwrap();

    // The template is the tree as it stands (one row: the root), parents first.
    let r = admin
        .raw("GET", "/api/v1/imports/template?kind=units", "", &[])
        .await;
    assert_eq!(r.status, 200);
    let grids = duban_sheets::workbook(&r.body, Default::default()).unwrap();
    let units_sheet = grids
        .iter()
        .find(|g| g.name == "单位")
        .expect("a 单位 sheet");
    let text = format!("{:?}", units_sheet);
    assert!(
        text.contains("CITY") && text.contains("某市发展和改革委员会"),
        "{text}"
    );

    // A unit sheet as an office has it, parents by name or code; a row with an unknown
    // parent, a bad kind and a repeated code.
    let header = ["单位代码", "单位名称", "上级单位", "单位类型", "考核序列"];
    let bad = sheet(
        "单位",
        &header,
        &[
            &["D1", "一区", "", "政府", "区县"],
            &["D1", "一区（重复）", "", "政府", ""],
            &["T1", "一镇", "不存在的单位", "政府", ""],
            &["T2", "二镇", "一区", "星球", ""],
        ],
    );
    let p = preview(&admin, "units.xlsx", &bad).await;
    let e = errors(&p);
    assert_eq!(p["committable"], false);
    assert!(
        e.iter()
            .any(|x| x.contains("unit_code") && x.contains("重复")),
        "{e:?}"
    );
    assert!(
        e.iter()
            .any(|x| x.contains("parent") && x.contains("不存在的单位")),
        "{e:?}"
    );
    assert!(e.iter().any(|x| x.contains("unit_kind")), "{e:?}");
    let (s, _) = admin
        .post(&format!("/api/v1/imports/{}/commit", p["id"]), json!({}))
        .await;
    assert_eq!(s, 400, "a file with errors commits nothing");

    let good = sheet(
        "单位",
        &header,
        &[
            &["D1", "一区", "", "政府", "区县"],
            &["D2", "二区", "CITY", "政府", "区县"],
            &["JT", "交通运输局", "", "部门", "部门"],
            &["T1", "一镇", "一区", "政府", "乡镇"],
            &["T2", "二镇", "D2", "政府", "乡镇"],
        ],
    );
    let p = preview(&admin, "units.xlsx", &good).await;
    assert_eq!(p["counts"]["create"], 5, "{p}");
    let (s, done) = admin
        .post(&format!("/api/v1/imports/{}/commit", p["id"]), json!({}))
        .await;
    assert_eq!(s, 200, "{done}");
    let units = admin.ok("/api/v1/units").await["items"].clone();
    let find = |code: &str| {
        units
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["code"] == code)
            .cloned()
            .unwrap()
    };
    assert_eq!(find("T1")["parent_id"], find("D1")["id"]);
    assert_eq!(find("T2")["parent_id"], find("D2")["id"]);
    assert_eq!(find("D1")["parent_id"], find("CITY")["id"]);
    assert_eq!(find("JT")["series"], "部门");
    // Again: unchanged. A renamed unit: one update.
    let p = preview(&admin, "units.xlsx", &good).await;
    assert_eq!(
        (
            p["counts"]["unchanged"].as_i64(),
            p["counts"]["create"].as_i64()
        ),
        (Some(5), Some(0))
    );
    let renamed = sheet(
        "单位",
        &header,
        &[&["JT", "交通运输局（港航）", "", "部门", "部门"]],
    );
    let p = preview(&admin, "units.xlsx", &renamed).await;
    assert_eq!(p["counts"]["update"], 1);
    assert_eq!(p["items"][0]["changes"][0]["after"], "交通运输局（港航）");

    // Users: by unit name or code, a role and a scope; administrators are refused here.
    let uh = ["用户名", "姓名", "所在单位", "角色", "数据范围"];
    let users = sheet(
        "用户",
        &uh,
        &[
            &["zhang.san", "张三", "一镇", "填报员", ""],
            &["li.si", "李思", "T1", "审核员", "本单位"],
            &["wang.wu", "王五", "CITY", "督办人员", "全部"],
            &["zhao.liu", "赵六", "D1", "领导", "本单位及以下"],
            &["boss2", "某某", "CITY", "系统管理员", ""],
            &["x", "短名", "CITY", "填报员", ""],
        ],
    );
    let p = preview(&admin, "users.xlsx", &users).await;
    let e = errors(&p);
    assert!(
        e.iter()
            .any(|x| x.contains("role") && x.contains("逐个创建")),
        "{e:?}"
    );
    assert!(e.iter().any(|x| x.contains("username")), "{e:?}");
    let users = sheet(
        "用户",
        &uh,
        &[
            &["zhang.san", "张三", "一镇", "填报员", ""],
            &["li.si", "李思", "T1", "审核员", "本单位"],
            &["wang.wu", "王五", "CITY", "督办人员", "全部"],
            &["zhao.liu", "赵六", "D1", "领导", "本单位及以下"],
            &["chief", "李四", "CITY", "督办人员", ""],
        ],
    );
    let p = preview(&admin, "users.xlsx", &users).await;
    assert_eq!(
        (
            p["counts"]["create"].as_i64(),
            p["counts"]["unchanged"].as_i64()
        ),
        (Some(4), Some(1)),
        "{p}"
    );
    let (s, done) = admin
        .post(&format!("/api/v1/imports/{}/commit", p["id"]), json!({}))
        .await;
    assert_eq!(s, 200, "{done}");
    let passwords = done["passwords"].as_array().unwrap();
    assert_eq!(passwords.len(), 4);
    // Each signs in with the initial password, which must then be changed.
    for pw in passwords {
        let u = pw["username"].as_str().unwrap();
        let c = Client::login_with(&addr, u, pw["password"].as_str().unwrap())
            .await
            .unwrap();
        let me = c.ok("/api/v1/auth/me").await;
        assert_eq!(me["password_change_required"], true, "{me}");
    }
    // The passwords are shown once: the import's record does not keep them.
    let list = admin.ok("/api/v1/imports").await;
    assert!(
        !list
            .to_string()
            .contains(passwords[0]["password"].as_str().unwrap())
    );
    let wang = duban_store::users::by_username(&db, "wang.wu")
        .await
        .unwrap()
        .unwrap();
    let grants = duban_store::users::grants(&db, wang.id).await.unwrap();
    assert_eq!(grants[0].scope, duban_domain::access::Scope::All);
    // Audited like the forms: five unit.create and four user.create besides the setup.
    let n: i64 = db
        .scalar(
            "SELECT COUNT(*) AS v FROM audit_log WHERE action IN ('unit.create', 'user.create')",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(n, 5 + 4 + 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn history_from_excel_on_sqlite() {
    history(common::empty_database(false).await.unwrap()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn history_from_excel_on_postgres() {
    if let Some(db) = common::empty_database(true).await {
        history(db).await;
    }
}

/// 补录: last year's and this year's past months loaded as approved history, so that the
/// cockpit shows year-on-year growth from the first day; never late or missing; marked
/// as back-filled; never over an existing report; not for this month.
async fn history(db: Db) {
    use duban_domain::Period;
    office(&db).await;
    common::user(
        &db,
        "sup",
        "CITY",
        &[(
            duban_domain::Role::Supervisor,
            duban_domain::access::Scope::All,
        )],
    )
    .await;
    let addr = spawn_app(db.clone()).await;
    let sup = Client::login(&addr, "sup").await;
    let now = Period::of(duban_app::clock::today());
    let (this, last) = (now.year(), now.year() - 1);
    let last_month = now.prev();

    let projects = sheet(
        "项目库",
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
        ],
        &[
            &[
                "CITY-001",
                "城东污水处理厂",
                "CITY",
                "基础设施",
                "续建",
                "市级",
                "在建",
                &format!("{last}-{this}"),
                "80000",
            ],
            &[
                "CITY-002",
                "第一中学改扩建",
                "CITY",
                "社会事业",
                "续建",
                "市级",
                "在建",
                &format!("{last}-{this}"),
                "20000",
            ],
        ],
    );
    let p = preview(&sup, "projects.xlsx", &projects).await;
    assert_eq!(p["counts"]["create"], 2, "{p}");
    assert_eq!(
        sup.post(&format!("/api/v1/imports/{}/commit", p["id"]), json!({}))
            .await
            .0,
        200
    );
    let plans = sheet(
        "年度计划",
        &["项目代码", "年度", "年度计划投资"],
        &[
            &["CITY-001", &last.to_string(), "24000"],
            &["CITY-002", &last.to_string(), "6000"],
            &["CITY-001", &this.to_string(), "30000"],
            &["CITY-002", &this.to_string(), "8000"],
        ],
    );
    let p = preview(&sup, "plans.xlsx", &plans).await;
    assert_eq!(p["counts"]["create"], 4, "{p}");
    assert_eq!(
        sup.post(&format!("/api/v1/imports/{}/commit", p["id"]), json!({}))
            .await
            .0,
        200
    );

    // Monthly figures only, as offices keep them: the year-to-date follows.
    let header = [
        "项目代码",
        "填报年月",
        "本月完成投资",
        "形象进度（%）",
        "是否开工",
        "实际开工时间",
    ];
    let began = format!("{last}-01-15");
    let mut rows: Vec<Vec<String>> = Vec::new();
    for m in 1..=12 {
        rows.push(vec![
            "CITY-001".into(),
            format!("{last}-{m:02}"),
            "1500".into(),
            format!("{}", m * 5),
            "是".into(),
            began.clone(),
        ]);
        rows.push(vec![
            "CITY-002".into(),
            format!("{last}-{m:02}"),
            "400".into(),
            format!("{}", m * 4),
            "是".into(),
            began.clone(),
        ]);
    }
    let mut p = Period::new(this, 1).unwrap();
    while p <= last_month {
        rows.push(vec![
            "CITY-001".into(),
            p.to_string(),
            "2000".into(),
            "70".into(),
            "是".into(),
            began.clone(),
        ]);
        rows.push(vec![
            "CITY-002".into(),
            p.to_string(),
            "500".into(),
            "60".into(),
            "是".into(),
            began.clone(),
        ]);
        p = p.next();
    }
    // This month is not history.
    rows.push(vec![
        "CITY-001".into(),
        now.to_string(),
        "2000".into(),
        "75".into(),
        "是".into(),
        began.clone(),
    ]);
    let refs: Vec<Vec<&str>> = rows
        .iter()
        .map(|r| r.iter().map(String::as_str).collect())
        .collect();
    let slices: Vec<&[&str]> = refs.iter().map(|r| r.as_slice()).collect();
    let bytes = sheet("历史补录", &header, &slices);
    let p = preview(&sup, "history.xlsx", &bytes).await;
    let e = errors(&p);
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(
        e[0].contains("period") && e[0].contains("本月以前"),
        "{e:?}"
    );
    // Without that row: every month created, as approved history.
    let bytes = sheet("历史补录", &header, &slices[..slices.len() - 1]);
    let p = preview(&sup, "history.xlsx", &bytes).await;
    let months = 12 + last_month.month() as i64 * i64::from(last_month.year() == this);
    assert_eq!(p["counts"]["create"], 2 * months, "{p}");
    assert_eq!(
        sup.post(&format!("/api/v1/imports/{}/commit", p["id"]), json!({}))
            .await
            .0,
        200
    );

    // The reports: approved, back-filled, never late; the year-to-date summed.
    let dec: (String, bool, bool, i64) = db
        .fetch_one(
            "SELECT state, backfilled, late, invest_ytd FROM reports WHERE year = $1 AND month = 12 AND project_id = (SELECT id FROM projects WHERE code = 'CITY-001')",
            &[i64::from(last).into()],
            |r| Ok((r.str("state")?, r.bool("backfilled")?, r.bool("late")?, r.i64("invest_ytd")?)),
        )
        .await
        .unwrap();
    assert_eq!(dec, ("approved".into(), true, false, 12 * 1500 * 10_000));
    // The cockpit: growth over last year's same months, nothing missing, nothing late.
    let o = sup
        .ok(&format!("/api/v1/stats/overview?as_of={last_month}"))
        .await;
    let f = &o;
    assert_eq!(f["reports_missing"], 0, "{o}");
    assert_eq!(f["reports_late"], 0, "{o}");
    // (2000+500) a month this year against (1500+400) last year: +31.6%.
    if last_month.year() == this {
        assert_eq!(f["text"]["yoy"], "31.6%", "{o}");
    }
    // The audit log says back-filled.
    let n: i64 = db
        .scalar(
            "SELECT COUNT(*) AS v FROM audit_log WHERE action = 'report.backfill'",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(n, 2 * months);
    // Again: unchanged. A different figure for a loaded month: refused, pointing to a
    // correction.
    let p = preview(&sup, "history.xlsx", &bytes).await;
    assert_eq!(p["counts"]["unchanged"], 2 * months, "{p}");
    let changed = sheet(
        "历史补录",
        &header,
        &[&[
            "CITY-001",
            &format!("{last}-03"),
            "9999",
            "15",
            "是",
            &began,
        ]],
    );
    let p = preview(&sup, "history.xlsx", &changed).await;
    let e = errors(&p);
    assert!(e.iter().any(|x| x.contains("更正")), "{e:?}");
    // A clerk may not load history.
    common::user(
        &db,
        "clerk",
        "CITY",
        &[(
            duban_domain::Role::Reporter,
            duban_domain::access::Scope::Own,
        )],
    )
    .await;
    let clerk = Client::login(&addr, "clerk").await;
    let p = preview(&clerk, "history.xlsx", &bytes).await;
    assert!(errors(&p).iter().any(|x| x.contains("历史补录")), "{p}");
}
