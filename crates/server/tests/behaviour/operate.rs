//! What an operator reads: `/metrics` in the Prometheus text format (requests by route
//! template and status, latency, the pool, background jobs), behind a token when one is
//! configured; readiness is in `setup`.

use common::{Client, exchange, user};
use duban_app::Db;
use duban_domain::Role;
use duban_domain::access::Scope;
use duban_testkit as common;

duban_testkit::on_both!(20, metrics);

async fn metrics(db: Db) {
    user(&db, "sup", "XJBT", &[(Role::Supervisor, Scope::All)]).await;
    let addr = common::spawn_app(db.clone()).await;
    let sup = Client::login(&addr, "sup").await;
    for _ in 0..3 {
        sup.ok("/api/v1/projects?page_size=5").await;
    }
    let (s, _) = sup.get("/api/v1/projects/999999").await;
    assert_eq!(s, 404);
    // A job that ran once.
    let ran = duban_app::jobs::run_once(&db, "metrics-test", "2026-12-01", 60_000, || async {
        Ok("nothing to do".to_string())
    })
    .await
    .unwrap();
    assert_eq!(ran, duban_app::jobs::Outcome::Ran("nothing to do".into()));

    let r = exchange(&addr, "GET", "/metrics", &[], &[]).await;
    assert_eq!(r.status, 200);
    let text = String::from_utf8(r.body.clone()).unwrap();
    let line = |prefix: &str| {
        text.lines()
            .find(|l| l.starts_with(prefix))
            .unwrap_or_else(|| panic!("no line {prefix} in\n{text}"))
            .to_string()
    };
    // Routes are templates, never ids; each status counted apart.
    assert!(
        line(r#"duban_http_requests_total{route="/api/v1/projects",method="GET",status="200"}"#)
            .ends_with(" 3"),
        "{text}"
    );
    assert!(
        line(
            r#"duban_http_requests_total{route="/api/v1/projects/{id}",method="GET",status="404"}"#
        )
        .ends_with(" 1")
    );
    // No label carries the id (a latency sum may contain the digits, so look at labels).
    assert!(!text.contains("/999999"), "{text}");
    assert!(
        line(r#"duban_http_request_duration_seconds_count{route="/api/v1/projects",method="GET"}"#)
            .ends_with(" 3")
    );
    assert!(text.contains(r#"duban_http_request_duration_seconds_bucket{le="0.001",route="/api/v1/projects",method="GET"}"#), "{text}");
    line(r#"duban_db_pool_connections{state="idle"}"#);
    line(r#"duban_job_runs{job="metrics-test",outcome="ok"}"#);
    // The same period does not run twice.
    let again = duban_app::jobs::run_once(&db, "metrics-test", "2026-12-01", 60_000, || async {
        Ok("twice".to_string())
    })
    .await
    .unwrap();
    assert_eq!(again, duban_app::jobs::Outcome::Done);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_behind_a_token() {
    let db = common::empty_database(false).await.unwrap();
    let listener = duban_server::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let mut state = duban_server::AppState::new(db, std::env::temp_dir());
    state.metrics_token = Some("s3cret-metrics".into());
    tokio::spawn(duban_server::serve(listener, state));
    assert_eq!(
        exchange(&addr, "GET", "/metrics", &[], &[]).await.status,
        401
    );
    let wrong = [("Authorization", "Bearer nope".to_string())];
    assert_eq!(
        exchange(&addr, "GET", "/metrics", &wrong, &[]).await.status,
        401
    );
    let right = [("Authorization", "Bearer s3cret-metrics".to_string())];
    assert_eq!(
        exchange(&addr, "GET", "/metrics", &right, &[]).await.status,
        200
    );
}
