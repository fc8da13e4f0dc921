//! The unit of work on both engines: dropped without commit it writes nothing (no row,
//! no audit entry); committed, its writes, its audit entries (chained) and its read-model
//! refresh land together.

use duban_testkit as common;

use common::unit_id;
use duban_app::Db;
use duban_app::access::{Caller, ReadRegistry};
use duban_domain::Role;
use duban_domain::access::{RoleGrant, Scope};
use duban_domain::ids::ProjectId;

duban_testkit::on_both!(20, a_write_lands_whole_or_not_at_all);

/// A unit of work that has written a setting and noted it for the audit log.
async fn noted<'a>(
    db: &'a Db,
    can: &duban_app::access::Can<ReadRegistry>,
    value: &'static str,
) -> duban_app::unit_of_work::UnitOfWork<'a> {
    let mut w = can.write(db).await.unwrap();
    duban_store::settings::set(w.tx(), "uow_test", value)
        .await
        .unwrap();
    w.audit(
        "test.write",
        "settings",
        "uow_test",
        duban_app::audit::NONE,
        Some(&value),
    );
    w
}

async fn a_write_lands_whole_or_not_at_all(db: Db) {
    let root = unit_id(&db, "XJBT").await;
    let caller = Caller::resolve(
        &db,
        duban_app::accounts::console(root),
        vec![RoleGrant {
            role: Role::Supervisor,
            scope: Scope::All,
        }],
    )
    .await
    .unwrap();
    let can = caller.can::<ReadRegistry>().unwrap();
    let before = duban_app::audit::verify(&db, &duban_app::unit_of_work::Console::open())
        .await
        .unwrap();

    // Dropped: nothing.
    drop(noted(&db, &can, "dropped").await);
    assert_eq!(
        duban_store::settings::get(&db, "uow_test").await.unwrap(),
        None
    );
    assert_eq!(
        duban_app::audit::verify(&db, &duban_app::unit_of_work::Console::open())
            .await
            .unwrap()
            .entries,
        before.entries
    );

    // Committed: the row, its entry at the head of an intact chain, and a refreshed year.
    let project: i64 = db
        .scalar(
            "SELECT MIN(project_id) AS v FROM project_years WHERE year = 2025",
            &[],
        )
        .await
        .unwrap();
    db.execute(
        "DELETE FROM project_years WHERE project_id = $1 AND year = 2025",
        &[project.into()],
    )
    .await
    .unwrap();
    let mut w = noted(&db, &can, "kept").await;
    w.refresh(ProjectId::new(project), 2025);
    w.commit().await.unwrap();
    assert_eq!(
        duban_store::settings::get(&db, "uow_test")
            .await
            .unwrap()
            .as_deref(),
        Some("kept")
    );
    let after = duban_app::audit::verify(&db, &duban_app::unit_of_work::Console::open())
        .await
        .unwrap();
    assert_eq!((after.entries, after.broken), (before.entries + 1, None));
    let rows: i64 = db
        .scalar(
            "SELECT COUNT(*) AS v FROM project_years WHERE project_id = $1 AND year = 2025",
            &[project.into()],
        )
        .await
        .unwrap();
    assert_eq!(rows, 1, "the project's year is back in the read model");
}
