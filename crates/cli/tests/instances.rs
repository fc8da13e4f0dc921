//! Several `duban serve` on one PostgreSQL behind a load balancer (HAProxy from
//! Debian's packages, on loopback): sessions, uploads and writes work whichever instance
//! answers; counts are coherent across instances; scheduled backups run on one instance
//! at a time; one instance is killed with SIGKILL during a write load and no
//! acknowledged write is lost, the clients seeing no more failures than the requests in
//! flight. Needs PostgreSQL (`DUBAN_TEST_PG_URL`); skipped without it unless required.

use duban_domain::Role;
use duban_domain::access::Scope;
use duban_testkit::Client;
use serde_json::json;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Problems acknowledged, with the digest of the file attached to each, if any.
type Acked = Arc<Mutex<Vec<(i64, Option<String>)>>>;

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

struct Killed(Vec<Child>);
impl Drop for Killed {
    fn drop(&mut self) {
        for c in &mut self.0 {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

async fn ready(addr: &str) {
    let t = Instant::now();
    while t.elapsed() < Duration::from_secs(30) {
        if let Some(r) = duban_testkit::try_exchange(addr, "GET", "/readyz", &[], &[]).await
            && r.status == 200
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{addr} did not become ready");
}

fn haproxy() -> Option<String> {
    ["/usr/sbin/haproxy", "/usr/bin/haproxy"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists())
        .map(String::from)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn three_instances_behind_haproxy() {
    let Ok(admin_url) = std::env::var("DUBAN_TEST_PG_URL") else {
        assert!(
            std::env::var("DUBAN_REQUIRE_PG").is_err(),
            "DUBAN_REQUIRE_PG is set but DUBAN_TEST_PG_URL is not"
        );
        return;
    };
    let haproxy = haproxy().expect("HAProxy is installed by `make test` (Debian's haproxy)");
    let url = duban_testkit::new_pg_database().await.unwrap();
    assert!(url.starts_with(&admin_url.rsplit_once('/').unwrap().0.to_string()));
    let dir = std::env::temp_dir().join(format!("duban-instances-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    {
        let db = duban_app::open(&url).await.unwrap();
        duban_app::load::generate(
            &duban_app::unit_of_work::Console::open(),
            &db,
            duban_gen::Params {
                projects: 60,
                seed: 4,
                as_of: duban_domain::Period::new(2025, 10).unwrap(),
            },
            |_| {},
        )
        .await
        .unwrap();
        duban_app::analytics::rebuild(&db, 2025, &mut |_| {})
            .await
            .unwrap();
        duban_testkit::user(&db, "sup", "XJBT", &[(Role::Supervisor, Scope::All)]).await;
        // The routine's jobs due from midnight, today's weekly digest among them: all three
        // servers tick at once when they start.
        let mut s = duban_app::settings::get(&db).await.unwrap();
        s.routine.reminders_at = "00:00".into();
        s.routine.digest_at = "00:00".into();
        s.routine.digest_weekday =
            chrono::Datelike::weekday(&duban_app::clock::today()).number_from_monday();
        let mut tx = db.write().await.unwrap();
        duban_store::settings::set(&mut tx, "business", &serde_json::to_string(&s).unwrap())
            .await
            .unwrap();
        tx.commit().await.unwrap();
        db.close().await;
    }

    // Three servers on one database and one data directory (shared storage), each
    // offering to take the daily backup.
    let ports: Vec<u16> = (0..3).map(|_| free_port()).collect();
    let mut procs = Killed(Vec::new());
    for p in &ports {
        procs.0.push(
            Command::new(env!("CARGO_BIN_EXE_duban"))
                .args([
                    "serve",
                    "--listen",
                    &format!("127.0.0.1:{p}"),
                    "--db",
                    &url,
                    "--data-dir",
                ])
                .arg(&dir)
                .arg("--backup-dir")
                .arg(dir.join("backups"))
                .env("DUBAN_LOG", "error")
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap(),
        );
    }
    for p in &ports {
        ready(&format!("127.0.0.1:{p}")).await;
    }
    let lb_port = free_port();
    let cfg = dir.join("haproxy.cfg");
    let servers: String = ports
        .iter()
        .enumerate()
        .map(|(i, p)| format!("  server s{i} 127.0.0.1:{p} check\n"))
        .collect();
    std::fs::write(
        &cfg,
        format!(
            "global\n  maxconn 512\n\
             defaults\n  mode http\n  timeout connect 1s\n  timeout client 20s\n  timeout server 20s\n  retries 3\n  option redispatch\n  retry-on conn-failure empty-response 503\n\
             frontend fe\n  bind 127.0.0.1:{lb_port}\n  default_backend be\n\
             backend be\n  balance roundrobin\n  option httpchk GET /readyz\n  http-check expect status 200\n  default-server inter 200ms fall 2 rise 2\n{servers}"
        ),
    )
    .unwrap();
    let lb = Killed(vec![
        Command::new(&haproxy)
            .args(["-db", "-f"])
            .arg(&cfg)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    ]);
    let lb_addr = format!("127.0.0.1:{lb_port}");
    ready(&lb_addr).await;

    // A session made through one instance works on the others (round robin).
    let sup = Client::login(&lb_addr, "sup").await;
    for _ in 0..6 {
        assert_eq!(sup.send("GET", "/api/v1/auth/me", None).await.status, 200);
    }
    // Counts stay coherent whichever instance answers the read after a write.
    let total = |v: serde_json::Value| v["total"].as_i64().unwrap();
    let before = total(sup.ok("/api/v1/problems?page_size=1").await);
    for n in 0..3 {
        sup.ok_post(
            "/api/v1/problems",
            json!({ "source": "dispatch", "category": "land", "description": format!("连贯{n}") }),
        )
        .await;
        for _ in 0..3 {
            assert_eq!(
                total(sup.ok("/api/v1/problems?page_size=1").await),
                before + n + 1
            );
        }
    }

    // An import previewed through one instance and committed through the next (round
    // robin): the upload is kept in the database, not on the instance.
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("问题清单").unwrap();
    for (c, h) in ["问题来源", "问题类别", "问题描述"].iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    for r in 1..=3u32 {
        ws.write_string(r, 0, "调度会").unwrap();
        ws.write_string(r, 1, "用地").unwrap();
        ws.write_string(r, 2, format!("导入的问题{r}")).unwrap();
    }
    let bytes = wb.save_to_buffer().unwrap();
    let r = sup
        .raw(
            "POST",
            "/api/v1/imports?filename=problems.xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            &bytes,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.json());
    let preview = r.json();
    assert_eq!(preview["counts"]["create"], 3, "{preview}");
    let (s, done) = sup
        .post(
            &format!("/api/v1/imports/{}/commit", preview["id"]),
            json!({}),
        )
        .await;
    assert_eq!(s, 200, "{done}");
    assert_eq!(
        total(sup.ok("/api/v1/problems?page_size=1").await),
        before + 6
    );

    // The write load: four clients create problems and attach files; one instance is
    // killed with SIGKILL a second in.
    let acked: Acked = Default::default();
    let failed = Arc::new(AtomicUsize::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let mut clients = Vec::new();
    for w in 0..4 {
        let (lb_addr, acked, failed, stop) =
            (lb_addr.clone(), acked.clone(), failed.clone(), stop.clone());
        clients.push(tokio::spawn(async move {
            let c = Client::login(&lb_addr, "sup").await;
            let mut n = 0;
            while !stop.load(Ordering::Relaxed) {
                n += 1;
                let body = json!({ "source": "dispatch", "category": "land", "description": format!("负载{w}-{n}") });
                let Some((s, p)) = c.try_post("/api/v1/problems", body).await else {
                    failed.fetch_add(1, Ordering::Relaxed);
                    continue;
                };
                if s != 200 {
                    failed.fetch_add(1, Ordering::Relaxed);
                    continue;
                }
                let id = p["id"].as_i64().unwrap();
                let mut sha = None;
                if n % 3 == 0 {
                    let bytes = format!("%PDF-1.4 site photo {w}-{n}").into_bytes();
                    let r = c
                        .try_raw(
                            "POST",
                            &format!("/api/v1/attachments?object_type=problem&object_id={id}&name=p{w}-{n}.pdf"),
                            "application/octet-stream",
                            &bytes,
                        )
                        .await;
                    match r {
                        Some(r) if r.status == 200 => {
                            sha = r.json()["sha256"].as_str().map(String::from);
                        }
                        _ => {
                            failed.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                }
                acked.lock().unwrap().push((id, sha));
            }
        }));
    }
    tokio::time::sleep(Duration::from_millis(1000)).await;
    let killed_at = acked.lock().unwrap().len();
    procs.0[1].kill().unwrap();
    procs.0[1].wait().unwrap();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    stop.store(true, Ordering::Relaxed);
    for c in clients {
        c.await.unwrap();
    }
    let acked = acked.lock().unwrap().clone();
    let failed = failed.load(Ordering::Relaxed);

    // Every acknowledged write is in the database, every acknowledged file on disk.
    let db = duban_app::open(&url).await.unwrap();
    let ids: std::collections::HashSet<i64> = db
        .fetch_all("SELECT id AS v FROM problems", &[], |r| r.i64("v"))
        .await
        .unwrap()
        .into_iter()
        .collect();
    for (id, sha) in &acked {
        assert!(ids.contains(id), "acknowledged problem {id} lost");
        if let Some(sha) = sha {
            assert!(
                duban_app::attachments::path_of(&dir, sha).exists(),
                "attachment {sha} lost"
            );
        }
    }
    // Clients saw at most the requests in flight at the kill fail (one per client).
    assert!(failed <= 4, "{failed} failed requests for 4 clients");
    assert!(
        acked.len() > killed_at + 10,
        "writes went on after the kill"
    );
    let v = duban_app::audit::verify(&db, &duban_app::unit_of_work::Console::open())
        .await
        .unwrap();
    assert!(v.broken.is_none());
    // One daily backup among the three instances (whichever took the lease).
    let runs = duban_store::jobs::recent(&db, 10).await.unwrap();
    let backups: Vec<_> = runs.iter().filter(|r| r.job == "backup").collect();
    assert_eq!(backups.len(), 1, "{runs:?}");
    assert_eq!(backups[0].outcome, "ok", "{runs:?}");
    let files = std::fs::read_dir(dir.join("backups")).unwrap().count();
    assert_eq!(files, 1);
    // Each of the routine's jobs ran once today among the three.
    let runs = duban_store::jobs::recent(&db, 100).await.unwrap();
    let today = duban_app::clock::today().to_string();
    for job in [
        "report_reminders",
        "problem_reminders",
        "approval_reminders",
        "milestone_reminders",
        "dispatch_digest",
    ] {
        let n: Vec<_> = runs
            .iter()
            .filter(|r| r.job == job && r.period_key == today)
            .collect();
        assert_eq!(n.len(), 1, "{job}: {runs:?}");
        assert_eq!(n[0].outcome, "ok", "{job}: {runs:?}");
    }
    // The supervisor's digest came once.
    let digests = db
        .scalar(
            "SELECT COUNT(*) AS v FROM notifications WHERE event = 'dispatch_digest'",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(digests, 1);
    eprintln!(
        "3 instances behind HAProxy on PostgreSQL: {} writes acknowledged ({killed_at} before one instance was killed), {failed} client-visible failures, none lost; one scheduled backup and each of the routine's jobs once among three instances",
        acked.len()
    );
    drop(lb);
    db.close().await;
    let _ = std::fs::remove_dir_all(&dir);
}
