//! Day one on the console: an empty database set up with `duban init` (once), the unit
//! tree built with `duban unit add|move|archive`, the first users added to it, and a
//! server started on an empty database printing its one-time first-run code.

mod common;

use common::duban;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

#[test]
fn init_once_then_the_unit_tree_and_the_first_users() {
    let dir = std::env::temp_dir().join(format!("duban-day-one-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    // Before init there is no database to add a user to: the message says what to do,
    // and no empty database is left behind.
    let (code, _, err) = duban(
        &dir,
        &["user", "add", "boss", "--role", "admin", "--unit", "ROOT"],
    );
    assert_eq!(code, 2);
    assert!(
        err.contains("no database at") && err.contains("duban init"),
        "{err}"
    );
    assert!(!dir.join("duban.sqlite").exists());
    let (code, _, err) = duban(&dir, &["stats"]);
    assert_eq!(code, 2, "{err}");

    let init = [
        "init",
        "--unit-code",
        "hq",
        "--unit-name",
        "  某市发展和改革委员会 ",
        "--admin",
        "boss",
        "--admin-name",
        "张三",
        "--deadline-day",
        "5",
    ];
    let (code, out, err) = duban(&dir, &init);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("root unit HQ"), "{out}");
    let password = out
        .lines()
        .find_map(|l| l.split("(change at first login): ").nth(1))
        .expect("an initial password")
        .trim()
        .to_string();
    assert!(password.len() >= 12, "{out}");
    // Twice: refused, nothing changed.
    let (code, _, err) = duban(&dir, &init);
    assert_eq!(code, 2);
    assert!(err.contains("set up already"), "{err}");

    // The unit tree.
    for args in [
        &[
            "unit",
            "add",
            "D1",
            "--name",
            "一区",
            "--kind",
            "government",
            "--parent",
            "HQ",
        ][..],
        &[
            "unit",
            "add",
            "D2",
            "--name",
            "二区",
            "--kind",
            "government",
            "--parent",
            "HQ",
        ],
        &[
            "unit",
            "add",
            "T1",
            "--name",
            "一镇",
            "--kind",
            "enterprise",
            "--parent",
            "D1",
        ],
    ] {
        let (code, _, err) = duban(&dir, args);
        assert_eq!(code, 0, "{args:?}: {err}");
    }
    let (code, _, err) = duban(
        &dir,
        &[
            "unit", "add", "X", "--name", "某", "--kind", "planet", "--parent", "HQ",
        ],
    );
    assert_eq!(code, 2);
    assert!(err.contains("kind"), "{err}");
    let (code, _, err) = duban(
        &dir,
        &[
            "unit",
            "add",
            "D3",
            "--name",
            "三区",
            "--kind",
            "government",
            "--parent",
            "NOPE",
        ],
    );
    assert_eq!(code, 2);
    assert!(err.contains("no unit has the code 'NOPE'"), "{err}");
    let (code, _, err) = duban(&dir, &["unit", "move", "T1", "--parent", "D2"]);
    assert_eq!(code, 0, "{err}");
    // A unit cannot move under itself or its own sub-units.
    let (code, _, _) = duban(&dir, &["unit", "move", "D2", "--parent", "T1"]);
    assert_eq!(code, 2);
    let (code, _, err) = duban(&dir, &["unit", "archive", "D1"]);
    assert_eq!(code, 0, "{err}");
    // D2 still has T1 below it.
    let (code, _, _) = duban(&dir, &["unit", "archive", "D2"]);
    assert_eq!(code, 2);
    let (code, out, _) = duban(&dir, &["unit", "list"]);
    assert_eq!(code, 0);
    assert_eq!(
        out.lines().collect::<Vec<_>>(),
        [
            "HQ 某市发展和改革委员会 (政府)",
            "  D2 二区 (政府)",
            "    T1 一镇 (企业)"
        ]
    );
    let (code, out, err) = duban(
        &dir,
        &["user", "add", "clerk", "--role", "reporter", "--unit", "T1"],
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("一镇"), "{out}");

    // Every step is in an intact audit chain: init, the administrator, three units
    // added, one moved, one archived, one user.
    let (code, out, err) = duban(&dir, &["audit", "verify"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("audit log intact: 8 entries"), "{out}");

    // The deadline day chosen at init is the business setting.
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let db = duban_app::open(&format!("sqlite://{}", dir.join("duban.sqlite").display()))
            .await
            .unwrap();
        assert_eq!(
            duban_app::settings::get(&db)
                .await
                .unwrap()
                .report_deadline_day,
            5
        );
        let boss = duban_store::users::by_username(&db, "boss")
            .await
            .unwrap()
            .unwrap();
        assert!(boss.must_change_password);
        assert!(!duban_app::setup::needed(&db).await.unwrap());
    });
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_server_on_an_empty_database_prints_its_first_run_code() {
    let dir = std::env::temp_dir().join(format!("duban-first-run-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let mut child = Command::new(env!("CARGO_BIN_EXE_duban"))
        .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(&dir)
        .env_remove("DUBAN_DATABASE_URL")
        .env_remove("DUBAN_CONFIG")
        .env("DUBAN_LOG", "error")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    let second = lines.next().unwrap().unwrap();
    let _ = child.kill();
    let _ = child.wait();
    assert!(
        first.starts_with("duban is serving at http://127.0.0.1:"),
        "{first}"
    );
    assert!(
        second.contains("/setup") && second.contains("duban init"),
        "{second}"
    );
    let code = second
        .split("enter the code ")
        .nth(1)
        .and_then(|r| r.split_whitespace().next())
        .unwrap();
    assert!(
        code.len() == 9 && code.as_bytes()[4] == b'-',
        "a code like ABCD-EFGH: {code}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// `--log-format json`: every log line is one JSON object a collector can read.
#[test]
fn json_logs() {
    let dir = std::env::temp_dir().join(format!("duban-json-log-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let out = Command::new(env!("CARGO_BIN_EXE_duban"))
        .args([
            "--log-format",
            "json",
            "--log",
            "debug",
            "migrate",
            "--data-dir",
        ])
        .arg(&dir)
        .env_remove("DUBAN_DATABASE_URL")
        .env_remove("DUBAN_CONFIG")
        .output()
        .unwrap();
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<&str> = err.lines().collect();
    assert!(!lines.is_empty());
    for l in lines {
        let v: serde_json::Value = serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}"));
        assert!(v["level"].is_string() && v["timestamp"].is_string(), "{l}");
    }
    let (code, _, err) = duban(&dir, &["--log-format", "xml", "migrate"]);
    assert_eq!(code, 2);
    assert!(err.contains("text, json"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}
