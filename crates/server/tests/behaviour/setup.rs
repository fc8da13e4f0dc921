//! Day one over HTTP: an empty database says it needs setting up; the first-run page
//! needs the code the console was given (five wrong codes burn it); the administrator it
//! creates signs in; afterwards setup is refused. And readiness: `/readyz` says ready
//! only when the database answers with the current schema.

use common::{Client, spawn_app};
use duban_app::Db;
use duban_app::unit_of_work::Console;
use duban_testkit as common;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn first_run_on_sqlite() {
    first_run(common::empty_database(false).await.unwrap()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn first_run_on_postgres() {
    if let Some(db) = common::empty_database(true).await {
        first_run(db).await;
    }
}

fn body(code: &str, password: &str) -> serde_json::Value {
    json!({
        "code": code,
        "unit_code": "city",
        "unit_name": "某市发展和改革委员会",
        "admin_username": "chief",
        "admin_name": "李四",
        "admin_password": password,
    })
}

async fn first_run(db: Db) {
    let addr = spawn_app(db.clone()).await;
    let anon = Client::anonymous(&addr);
    assert_eq!(
        anon.get("/api/v1/setup").await,
        (200, json!({ "needed": true }))
    );
    let (s, r) = anon.get("/readyz").await;
    assert_eq!((s, r["status"].as_str()), (200, Some("ready")), "{r}");

    // No code issued yet: refused like a wrong code.
    let (s, e) = anon
        .post("/api/v1/setup", body("ABCD-EFGH", "Plan-office-2026"))
        .await;
    assert_eq!((s, e["code"].as_str()), (401, Some("setup_code")), "{e}");

    let code = duban_app::setup::issue_code(&Console::open(), &db)
        .await
        .unwrap()
        .expect("an empty database gets a code");
    // Wrong codes are counted; the right one in lower case without the dash works…
    for _ in 0..2 {
        let (s, _) = anon
            .post("/api/v1/setup", body("WXYZ-2345", "Plan-office-2026"))
            .await;
        assert_eq!(s, 401);
    }
    // …and a weak password is refused by the policy, naming the field (the code is not
    // spent by it).
    let typed = code.replace('-', "").to_lowercase();
    let (s, e) = anon.post("/api/v1/setup", body(&typed, "short")).await;
    assert_eq!(s, 400, "{e}");
    assert!(common::fields(&e).contains(&"admin_password"), "{e}");
    let (s, r) = anon
        .post("/api/v1/setup", body(&typed, "Plan-office-2026"))
        .await;
    assert_eq!(
        (s, r["admin_username"].as_str()),
        (200, Some("chief")),
        "{r}"
    );
    assert_eq!(
        anon.get("/api/v1/setup").await,
        (200, json!({ "needed": false }))
    );

    // The administrator chose the password, so signs in without a forced change, and
    // manages the office's units.
    let chief = Client::login_with(&addr, "chief", "Plan-office-2026")
        .await
        .unwrap();
    let me = chief.ok("/api/v1/auth/me").await;
    assert!(me["roles"].to_string().contains("admin"), "{me}");
    let units = chief.ok("/api/v1/units").await;
    assert_eq!(units["items"][0]["code"], "CITY");
    let (s, u) = chief
        .post(
            "/api/v1/units",
            json!({ "parent_id": units["items"][0]["id"], "code": "D1", "name": "一区", "kind": "government" }),
        )
        .await;
    assert_eq!(s, 200, "{u}");

    // Once done, never again: the same code, a new one, or the console.
    let (s, e) = anon
        .post("/api/v1/setup", body(&code, "Plan-office-2026"))
        .await;
    assert_eq!((s, e["code"].as_str()), (409, Some("conflict")), "{e}");
    assert!(
        duban_app::setup::issue_code(&Console::open(), &db)
            .await
            .unwrap()
            .is_none()
    );

    // The audit log names the first run and its wrong codes (after the test database's
    // own setting of the second factor's roles).
    let actions: Vec<String> = db
        .fetch_all("SELECT action AS v FROM audit_log ORDER BY seq", &[], |r| {
            r.str("v")
        })
        .await
        .unwrap()
        .into_iter()
        .skip_while(|a| a == "settings.update")
        .collect();
    assert_eq!(
        actions,
        [
            "system.first_run",
            "system.first_run",
            "system.first_run",
            "system.init",
            "user.create",
            "login",
            "unit.create"
        ]
    );
}

/// Five wrong codes burn the code: the right one no longer works until the console
/// issues a new one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_codes_burn_the_first_run_code() {
    let db = common::empty_database(false).await.unwrap();
    let addr = spawn_app(db.clone()).await;
    let anon = Client::anonymous(&addr);
    let code = duban_app::setup::issue_code(&Console::open(), &db)
        .await
        .unwrap()
        .unwrap();
    for _ in 0..5 {
        assert_eq!(
            anon.post("/api/v1/setup", body("WXYZ-2345", "Plan-office-2026"))
                .await
                .0,
            401
        );
    }
    assert_eq!(
        anon.post("/api/v1/setup", body(&code, "Plan-office-2026"))
            .await
            .0,
        401
    );
    let fresh = duban_app::setup::issue_code(&Console::open(), &db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        anon.post("/api/v1/setup", body(&fresh, "Plan-office-2026"))
            .await
            .0,
        200
    );
}

/// Not ready while the schema is behind the build (an upgrade half done).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn not_ready_with_an_old_schema() {
    let db = common::empty_database(false).await.unwrap();
    db.execute(
        "DELETE FROM schema_migrations WHERE version = (SELECT MAX(version) FROM schema_migrations)",
        &[],
    )
    .await
    .unwrap();
    let addr = spawn_app(db).await;
    let (s, r) = Client::anonymous(&addr).get("/readyz").await;
    assert_eq!((s, r["status"].as_str()), (503, Some("not_ready")), "{r}");
    assert!(
        r["reason"].as_str().unwrap().contains("duban migrate"),
        "{r}"
    );
}
