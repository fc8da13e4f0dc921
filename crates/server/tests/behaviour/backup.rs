//! A backup taken while clients write, restored into an empty place: every write and
//! every attachment acknowledged before the backup began is there, every attachment the
//! restored data names is there with its checksum, the audit chain verifies; a damaged
//! backup and a non-empty target are refused, with nothing placed.

use common::{Client, user};
use duban_app::Db;
use duban_app::backup::{self, Place};
use duban_app::unit_of_work::Console;
use duban_domain::Role;
use duban_domain::access::Scope;
use duban_testkit as common;
use serde_json::json;
use sha2::{Digest, Sha256};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

duban_testkit::on_both!(30, backup_during_writes);

/// What a writer saw acknowledged: (problem id, attachment sha256, when).
type Acked = Arc<Mutex<Vec<(i64, Option<String>, Instant)>>>;

async fn backup_during_writes(db: Db) {
    let pg = db.backend() == duban_app::Backend::Postgres;
    let url = common::url_of(&db).expect("the test database's URL");
    user(&db, "sup", "XJBT", &[(Role::Supervisor, Scope::All)]).await;
    let data =
        std::env::temp_dir().join(format!("duban-bk-src-{}-{}", std::process::id(), db.id()));
    let _ = std::fs::remove_dir_all(&data);
    let listener = duban_server::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    tokio::spawn(duban_server::serve(
        listener,
        duban_server::AppState::new(db.clone(), data.clone()),
    ));

    // Four clients create problems and attach a file to every other one, for 1.5 s.
    let acked: Acked = Default::default();
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut writers = Vec::new();
    for w in 0..4 {
        let (addr, acked, stop) = (addr.clone(), acked.clone(), stop.clone());
        writers.push(tokio::spawn(async move {
            let c = Client::login(&addr, "sup").await;
            let mut n = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                n += 1;
                let (s, p) = c
                    .post(
                        "/api/v1/problems",
                        json!({ "source": "dispatch", "category": "land", "description": format!("写入{w}-{n}") }),
                    )
                    .await;
                assert_eq!(s, 200, "{p}");
                let id = p["id"].as_i64().unwrap();
                let mut sha = None;
                if n % 2 == 0 {
                    let body = format!("%PDF-1.4 photo of {w}-{n}").into_bytes();
                    let r = c
                        .raw(
                            "POST",
                            &format!("/api/v1/attachments?object_type=problem&object_id={id}&name=p{w}-{n}.pdf"),
                            "application/octet-stream",
                            &body,
                        )
                        .await;
                    if r.status == 200 {
                        sha = Some(data_encoding::HEXLOWER.encode(&Sha256::digest(&body)));
                    }
                }
                acked.lock().unwrap().push((id, sha, Instant::now()));
            }
        }));
    }
    // Writes acknowledged before the backup begins (however slow the machine).
    let waiting = Instant::now();
    while acked.lock().unwrap().len() < 10 {
        assert!(
            waiting.elapsed() < Duration::from_secs(60),
            "the writers wrote nothing for 60 s"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let began = Instant::now();
    let file =
        std::env::temp_dir().join(format!("duban-bk-{}-{}.tar", std::process::id(), db.id()));
    let m = backup::backup(
        &Console::open(),
        Place {
            db: &db,
            url: &url,
            data_dir: &data,
        },
        &file,
    )
    .await
    .unwrap();
    let took = began.elapsed();
    tokio::time::sleep(Duration::from_millis(500)).await;
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    for w in writers {
        w.await.unwrap();
    }
    let acked = acked.lock().unwrap().clone();
    let before: Vec<&(i64, Option<String>, Instant)> =
        acked.iter().filter(|(_, _, at)| *at < began).collect();
    assert!(
        before.len() >= 10,
        "too few writes before the backup: {}",
        before.len()
    );
    assert!(
        acked.len() > before.len(),
        "writes went on during and after the backup"
    );

    // Restore into an empty place.
    let target_dir =
        std::env::temp_dir().join(format!("duban-bk-dst-{}-{}", std::process::id(), db.id()));
    let _ = std::fs::remove_dir_all(&target_dir);
    std::fs::create_dir_all(&target_dir).unwrap();
    let target_url = if pg {
        common::new_pg_database().await.unwrap()
    } else {
        format!("sqlite://{}", target_dir.join("restored.sqlite").display())
    };
    let r = backup::restore(&Console::open(), &file, &target_url, &target_dir)
        .await
        .unwrap();
    let restored = duban_app::open(&target_url).await.unwrap();
    let ids: std::collections::HashSet<i64> = restored
        .fetch_all("SELECT id AS v FROM problems", &[], |r| r.i64("v"))
        .await
        .unwrap()
        .into_iter()
        .collect();
    for (id, sha, _) in &before {
        assert!(
            ids.contains(id),
            "problem {id} was acknowledged before the backup and is lost"
        );
        if let Some(sha) = sha {
            let path = duban_app::attachments::path_of(&target_dir, sha);
            let bytes = std::fs::read(&path).unwrap_or_else(|_| panic!("attachment {sha} lost"));
            assert_eq!(
                &data_encoding::HEXLOWER.encode(&Sha256::digest(&bytes)),
                sha
            );
        }
    }
    // Every attachment the restored data names is there, with its checksum.
    let named: Vec<String> = restored
        .fetch_all("SELECT sha256 AS v FROM attachments", &[], |r| r.str("v"))
        .await
        .unwrap();
    for sha in &named {
        let bytes = std::fs::read(duban_app::attachments::path_of(&target_dir, sha)).unwrap();
        assert_eq!(
            &data_encoding::HEXLOWER.encode(&Sha256::digest(&bytes)),
            sha
        );
    }
    assert!(r.audit_entries > before.len() as i64);
    eprintln!(
        "backup on {}: {} writes acknowledged ({} before the backup began), backup in {:.0} ms ({} files), restore in {:.0} ms: {} problems, {} attachments, {} audit entries",
        if pg { "PostgreSQL" } else { "SQLite" },
        acked.len(),
        before.len(),
        took.as_secs_f64() * 1000.0,
        m.files.len(),
        r.seconds * 1000.0,
        ids.len(),
        named.len(),
        r.audit_entries
    );

    // Into a place that is not empty: refused, nothing changed.
    let e = backup::restore(&Console::open(), &file, &target_url, &target_dir)
        .await
        .unwrap_err();
    assert!(
        e.to_string().contains("already") || e.to_string().contains("exists"),
        "{e}"
    );

    // A damaged backup: one byte of an attachment flipped. Refused before anything is
    // placed.
    let mut bytes = std::fs::read(&file).unwrap();
    let at = bytes
        .windows(9)
        .position(|w| w == b"%PDF-1.4 ")
        .expect("an attachment in the archive");
    bytes[at + 12] ^= 1;
    let damaged = file.with_extension("damaged.tar");
    std::fs::write(&damaged, &bytes).unwrap();
    let fresh =
        std::env::temp_dir().join(format!("duban-bk-dmg-{}-{}", std::process::id(), db.id()));
    let _ = std::fs::remove_dir_all(&fresh);
    std::fs::create_dir_all(&fresh).unwrap();
    let fresh_url = format!("sqlite://{}", fresh.join("x.sqlite").display());
    let e = backup::restore(&Console::open(), &damaged, &fresh_url, &fresh)
        .await
        .unwrap_err();
    assert!(
        e.to_string().contains("checksum") || e.to_string().contains("kind"),
        "{e}"
    );
    assert!(!fresh.join("x.sqlite").exists());
    assert!(!fresh.join("attachments").exists());
    for d in [&data, &target_dir, &fresh] {
        let _ = std::fs::remove_dir_all(d);
    }
    let _ = std::fs::remove_file(&file);
    let _ = std::fs::remove_file(&damaged);
}

/// Scheduled backups with a clock the test advances: one per period whoever ticks, the
/// newest kept, a live holder of the lease respected and a dead one's lease taken over.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scheduled_backups_once_per_period() {
    use duban_app::backup::{Schedule, scheduled};
    use duban_app::jobs::Outcome;
    let db = common::database(false, 5).await.unwrap();
    let url = common::url_of(&db).unwrap();
    let base = std::env::temp_dir().join(format!("duban-sched-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&base);
    let plan = Schedule {
        dir: base.join("backups"),
        every_ms: Schedule::every("6h").unwrap(),
        keep: 2,
    };
    let console = Console::open();
    let tick = |now: i64| {
        let (db, url, base, plan, console) = (&db, &url, &base, &plan, &console);
        async move {
            scheduled(
                console,
                Place {
                    db,
                    url,
                    data_dir: base,
                },
                plan,
                now,
            )
            .await
            .unwrap()
        }
    };
    let six_h = 6 * 3_600_000;
    let t0 = 1_764_547_200_000; // 2025-12-01 08:00 (UTC+8)
    assert!(matches!(tick(t0).await, Outcome::Ran(_)));
    // The same period again (a restart, or a second server): nothing.
    assert_eq!(tick(t0 + 60_000).await, Outcome::Done);
    // Another live server holds the lease: this one waits.
    duban_store::jobs::acquire(&db, "job:backup", "other-host:7", 600_000)
        .await
        .unwrap();
    assert_eq!(tick(t0 + six_h).await, Outcome::Busy);
    // That server died: its lease expires and the next tick takes the job over.
    db.execute(
        "UPDATE leases SET expires_at = 0 WHERE name = 'job:backup'",
        &[],
    )
    .await
    .unwrap();
    assert!(matches!(tick(t0 + six_h).await, Outcome::Ran(_)));
    assert!(matches!(tick(t0 + 2 * six_h).await, Outcome::Ran(_)));
    let mut names: Vec<String> = std::fs::read_dir(&plan.dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "duban-backup-20251201-140000.tar",
            "duban-backup-20251201-200000.tar"
        ],
        "the newest two kept"
    );
    // Each run is on record.
    let runs = duban_store::jobs::recent(&db, 10).await.unwrap();
    assert_eq!(
        runs.iter()
            .filter(|r| r.job == "backup" && r.outcome == "ok")
            .count(),
        3
    );
    // And each kept backup restores.
    let dst = base.join("restored");
    std::fs::create_dir_all(&dst).unwrap();
    let r = backup::restore(
        &console,
        &plan.dir.join(&names[1]),
        &format!("sqlite://{}", dst.join("r.sqlite").display()),
        &dst,
    )
    .await
    .unwrap();
    assert_eq!(r.manifest.engine, "sqlite");
    let _ = std::fs::remove_dir_all(&base);
}
