//! An upgrade from the previous release: a database written by duban at schema v12 (the
//! release before this one: 40 generated projects, an administrator, its audit chain)
//! is migrated forward by this build, and every figure the console printed then is
//! printed the same now; the audit chain still verifies. Migrations are forward-only: a
//! database newer than the binary is refused, with what to do.

mod common;

use common::duban;
use std::io::Read;

#[test]
fn upgrade_from_the_previous_release_keeps_every_figure() {
    let dir = std::env::temp_dir().join(format!("duban-upgrade-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut bytes = Vec::new();
    flate2::read::GzDecoder::new(
        std::fs::File::open(fixtures.join("schema-v12.sqlite.gz")).unwrap(),
    )
    .read_to_end(&mut bytes)
    .unwrap();
    let file = dir.join("v12.sqlite");
    std::fs::write(&file, bytes).unwrap();
    let url = format!("sqlite://{}", file.display());

    let (code, out, err) = duban(&dir, &["migrate", "--db", &url]);
    assert_eq!(code, 0, "{err}");
    // Every migration after the fixture's version 12, in order.
    let after: Vec<String> = (13..=duban_store::schema::latest_version())
        .map(|v| v.to_string())
        .collect();
    assert!(
        out.contains(&format!("applied now: [{}]", after.join(", "))),
        "{out}"
    );
    // The same figures, line for line, as the previous release printed them.
    let (code, out, err) = duban(&dir, &["stats", "--as-of", "2025-10", "--db", &url]);
    assert_eq!(code, 0, "{err}");
    let before = std::fs::read_to_string(fixtures.join("schema-v12.stats.txt")).unwrap();
    assert_eq!(out.trim_end(), before.trim_end());
    let (code, out, _) = duban(&dir, &["audit", "verify", "--db", &url]);
    assert_eq!(code, 0);
    assert!(out.contains("audit log intact"), "{out}");
    // Migrating again changes nothing.
    let (_, out, _) = duban(&dir, &["migrate", "--db", &url]);
    assert!(out.contains("applied now: []"), "{out}");

    // A database from a newer duban: refused, saying what to do.
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let db = duban_store::Db::connect(&url).await.unwrap();
        db.execute(
            "INSERT INTO schema_migrations (version, name, applied_at) VALUES (99, 'future', 0)",
            &[],
        )
        .await
        .unwrap();
        db.close().await;
    });
    let (code, _, err) = duban(&dir, &["stats", "--as-of", "2025-10", "--db", &url]);
    assert_eq!(code, 2);
    assert!(err.contains("version 99") && err.contains("newer"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}
