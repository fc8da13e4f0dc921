//! `duban serve`: the API and the web UI.

use anyhow::Context;

pub async fn run(
    db: duban_app::Db,
    s: &crate::config::Settings,
    schedule: Option<duban_app::backup::Schedule>,
) -> anyhow::Result<()> {
    let listener = duban_server::bind(&s.listen)
        .await
        .map_err(anyhow::Error::msg)?;
    let addr = listener.local_addr()?;
    println!("duban is serving at http://{addr}/  (Ctrl-C to stop)");
    // An empty database: the first run is done from the browser with a code that only
    // whoever sees this console has (or with `duban init` here).
    if let Some(code) =
        duban_app::setup::issue_code(&duban_app::unit_of_work::Console::open(), &db).await?
    {
        println!(
            "first run: open http://{addr}/setup and enter the code {code} (valid 24 hours), or run `duban init` on this machine"
        );
    }
    if let Some(plan) = schedule {
        println!(
            "scheduled backups into {} every {} min, keeping {}",
            plan.dir.display(),
            plan.every_ms / 60_000,
            plan.keep
        );
        tokio::spawn(backups(db.clone(), s.db.clone(), s.data_dir.clone(), plan));
    }
    let mut state = duban_server::AppState::new(db, s.data_dir.clone());
    state.secure_cookies = s.secure_cookies;
    state.metrics_token = s.metrics_token.clone();
    state.trusted_proxies = s.trusted_proxies.clone();
    state.sso = s.sso.clone();
    duban_server::serve(listener, state)
        .await
        .context("server stopped")?;
    Ok(())
}

/// Take the scheduled backups: each minute, the period's backup when it has none yet and
/// no other server is taking it (a lease in the database).
async fn backups(
    db: duban_app::Db,
    url: String,
    data_dir: std::path::PathBuf,
    plan: duban_app::backup::Schedule,
) {
    use duban_app::backup::{Place, scheduled};
    let console = duban_app::unit_of_work::Console::open();
    loop {
        let from = Place {
            db: &db,
            url: &url,
            data_dir: &data_dir,
        };
        match scheduled(&console, from, &plan, duban_store::now_ms()).await {
            Ok(duban_app::jobs::Outcome::Ran(what)) => {
                tracing::info!(backup = %what, "scheduled backup written")
            }
            Ok(_) => {}
            Err(e) => tracing::error!(error = %e.chain(), "scheduled backup failed"),
        }
        tokio::time::sleep(std::time::Duration::from_secs(60)).await;
    }
}
