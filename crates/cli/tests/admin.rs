//! The console commands of the first administrator and the auditor:
//! `duban user add|passwd|lock|unlock` and `duban audit verify`.

mod common;

use common::duban;

#[tokio::test]
async fn users_locks_and_the_audit_chain_from_the_console() {
    let dir = std::env::temp_dir().join(format!("duban-admin-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let (code, _, err) = duban(&dir, &["gen", "--projects", "5", "--as-of", "2025-10"]);
    assert_eq!(code, 0, "{err}");
    let (code, out, err) = duban(
        &dir,
        &[
            "user", "add", "root", "--role", "admin", "--unit", "XJBT", "--scope", "all",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("initial password"), "{out}");
    let (code, _, err) = duban(
        &dir,
        &[
            "user", "add", "x", "--role", "admin", "--unit", "XJBT", "--scope", "galaxy",
        ],
    );
    assert_eq!(code, 2);
    assert!(err.contains("scope"), "{err}");
    let (code, out, _) = duban(&dir, &["user", "lock", "root"]);
    assert_eq!((code, out.trim()), (0, "root locked"));
    let url = format!("sqlite://{}", dir.join("duban.sqlite").display());
    let db = duban_app::open(&url).await.unwrap();
    let u = duban_store::users::by_username(&db, "root")
        .await
        .unwrap()
        .unwrap();
    assert!(
        u.locked_until
            .is_some_and(|t| t > duban_store::now_ms() + 86_400_000)
    );
    let (code, out, _) = duban(&dir, &["user", "unlock", "root"]);
    assert_eq!((code, out.trim()), (0, "root unlocked"));
    let (code, _, err) = duban(&dir, &["user", "lock", "ghost"]);
    assert_eq!(code, 2);
    assert!(err.contains("ghost"));

    // The lock and unlock were audited; the chain verifies.
    let (code, out, err) = duban(&dir, &["audit", "verify"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("intact: 3 entries"), "{out}");
    // The head is anchored, signed, beside the data; the next check vouches from it.
    assert!(dir.join("audit-anchors.log").exists());
    let (_, out, _) = duban(&dir, &["audit", "verify"]);
    assert!(out.contains("matches 1 signed anchors"), "{out}");
    // An entry edited in the database is found, and the command fails.
    db.execute(
        "UPDATE audit_log SET actor = 'someone-else' WHERE seq = 1",
        &[],
    )
    .await
    .unwrap();
    let (code, _, err) = duban(&dir, &["audit", "verify"]);
    assert_eq!(code, 1);
    assert!(err.contains("entry 1 was altered"), "{err}");
    // Deleting the newest entry is found too.
    db.execute(
        "UPDATE audit_log SET actor = '(console)' WHERE seq = 1",
        &[],
    )
    .await
    .unwrap();
    assert_eq!(duban(&dir, &["audit", "verify"]).0, 0);
    db.execute("DELETE FROM audit_log WHERE seq = 3", &[])
        .await
        .unwrap();
    let (code, _, err) = duban(&dir, &["audit", "verify"]);
    assert_eq!(code, 1);
    assert!(err.contains("newest entries were deleted"), "{err}");
    db.close().await;
    let _ = std::fs::remove_dir_all(&dir);
}

/// `duban stats` prints the dashboard's tables, and refuses a bad dimension clearly.
#[test]
fn stats_prints_the_tables() {
    let dir = std::env::temp_dir().join(format!("duban-stats-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let (code, out, err) = duban(&dir, &["gen", "--projects", "300", "--as-of", "2025-10"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("analytics of 2025: 300 project-years"),
        "{out}"
    );
    let (code, out, err) = duban(&dir, &["stats", "--as-of", "2025-10", "--by", "unit"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("as of 2025-10: 300 projects"), "{out}");
    assert!(out.contains("第一师阿拉尔市"), "{out}");
    let (code, out, _) = duban(
        &dir,
        &[
            "stats",
            "--as-of",
            "2025-10",
            "--by",
            "funding",
            "--refresh",
        ],
    );
    assert_eq!(code, 0);
    assert!(
        out.contains("self_raised") || out.contains("central_budget"),
        "{out}"
    );
    let (code, _, err) = duban(&dir, &["stats", "--by", "county"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("county") && err.contains("unit, chain, category, nature or funding"),
        "{err}"
    );
    let (code, _, err) = duban(&dir, &["stats", "--unit", "NOPE"]);
    assert_eq!(code, 2);
    assert!(err.contains("NOPE"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}
