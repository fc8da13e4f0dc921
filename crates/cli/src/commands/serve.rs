//! `duban serve`: the API and the web UI.

use anyhow::Context;

pub async fn run(db: duban_app::Db, s: &crate::config::Settings) -> anyhow::Result<()> {
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
    let mut state = duban_server::AppState::new(db, s.data_dir.clone());
    state.secure_cookies = s.secure_cookies;
    state.metrics_token = s.metrics_token.clone();
    duban_server::serve(listener, state)
        .await
        .context("server stopped")?;
    Ok(())
}
