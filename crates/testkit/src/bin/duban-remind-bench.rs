//! The routine's cost at scale, for `make bench`: on a generated database (any size), one
//! clerk, one approver and one leader per unit with projects and a 企业微信 robot per
//! unit, then the time of each daily job on the days of December 2025 that send the most
//! (due soon, due today, missing, escalated), and of delivering the outbox to a loopback
//! robot. Prints one line per measure.
//!
//! duban-remind-bench --db sqlite:///tmp/b100k.sqlite

use duban_app::unit_of_work::Console;
use duban_domain::Role;
use duban_domain::access::{RoleGrant, Scope};
use std::time::Instant;

/// The server's allocator (see the `duban` binary), since the work measured runs here.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .cloned()
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let url = arg(&args, "--db").expect("--db URL");
    let db = duban_app::open(&url).await.expect("the database");
    duban_testkit::install_test_key();
    let projects = db
        .scalar("SELECT COUNT(*) AS v FROM projects", &[])
        .await
        .unwrap();
    // People: a clerk, an approver and a leader in every unit with projects (once).
    let units: Vec<i64> = db
        .fetch_all(
            "SELECT DISTINCT unit_id FROM projects ORDER BY unit_id",
            &[],
            |r| r.i64("unit_id"),
        )
        .await
        .unwrap();
    let have = db
        .scalar(
            "SELECT COUNT(*) AS v FROM users WHERE username LIKE 'bench-%'",
            &[],
        )
        .await
        .unwrap();
    if have == 0 {
        let hash = duban_app::accounts::hash_password(duban_testkit::PASSWORD).unwrap();
        let mut tx = db.write().await.unwrap();
        for u in &units {
            for (role, scope) in [
                (Role::Reporter, Scope::Own),
                (Role::Approver, Scope::Own),
                (Role::Leader, Scope::Subtree),
            ] {
                let name = format!("bench-{}-{u}", role.code());
                duban_store::users::insert(
                    &mut tx,
                    &duban_store::users::NewUser {
                        username: &name,
                        display_name: &name,
                        unit_id: *u,
                        password_hash: &hash,
                        must_change_password: false,
                        grants: &[RoleGrant { role, scope }],
                    },
                )
                .await
                .unwrap();
            }
        }
        tx.commit().await.unwrap();
    }
    // A robot for every unit's work group, on loopback.
    let out = duban_testkit::Outside::start();
    let chans = duban_store::deliveries::channels(&db).await.unwrap().len();
    if chans == 0 {
        let sealer = duban_outbound::Sealer::new([42; 32]);
        let mut tx = db.write().await.unwrap();
        for u in &units {
            // Each unit's own robot (20 messages a minute each).
            let cfg = duban_domain::channel::ChannelConfig::Wecom {
                url: out.url(&format!("/wecom/send?key=WK-test-{u}")),
            };
            duban_store::deliveries::insert_channel(
                &mut tx,
                &duban_store::deliveries::Channel {
                    id: 0,
                    kind: "wecom".into(),
                    name: format!("robot {u}"),
                    unit_id: Some(*u),
                    sealed: sealer.seal(&serde_json::to_vec(&cfg).unwrap()),
                    per_minute: 20,
                    enabled: true,
                    events: vec![],
                    created_at: 0,
                    updated_at: 0,
                },
            )
            .await
            .unwrap();
        }
        tx.commit().await.unwrap();
    }
    println!(
        "{projects} projects, {} units with projects, {} people, {} robots",
        units.len(),
        units.len() * 3,
        units.len()
    );
    let _ = Console::open();
    for day in [1u32, 3, 4, 8] {
        let d = chrono::NaiveDate::from_ymd_opt(2025, 12, day).unwrap();
        let t = Instant::now();
        let s = duban_app::routine::report_reminders(&db, d).await.unwrap();
        let report_ms = t.elapsed().as_millis();
        let t = Instant::now();
        let p = duban_app::routine::problem_reminders(&db, d).await.unwrap();
        let a = duban_app::routine::approval_reminders(&db, d)
            .await
            .unwrap();
        let m = duban_app::routine::milestone_reminders(&db, d)
            .await
            .unwrap();
        let rest_ms = t.elapsed().as_millis();
        let queued = db
            .scalar(
                "SELECT COUNT(*) AS v FROM deliveries WHERE status = 'pending'",
                &[],
            )
            .await
            .unwrap();
        let t = Instant::now();
        let mut sent = 0;
        loop {
            let now = duban_store::now_ms() + 3_600_000;
            let r = duban_app::delivery::deliver_due(&db, now, 5_000)
                .await
                .unwrap();
            sent += r.sent;
            if r.is_empty() {
                break;
            }
        }
        let deliver_ms = t.elapsed().as_millis();
        println!(
            "2025-12-{day:02}: report reminders {report_ms} ms ({} stages {:?}, {} units, {} messages); problems+approvals+milestones {rest_ms} ms ({} messages); outbox {queued} robot messages delivered in {deliver_ms} ms ({sent} sent)",
            s.stages.len(),
            s.stages,
            s.units,
            s.messages,
            p.messages + a.messages + m.messages
        );
    }
}
