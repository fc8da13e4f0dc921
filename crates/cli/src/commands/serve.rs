//! `duban serve`: the API and the web UI.
use anyhow::Context;

pub async fn run(db: duban_app::Db, s: &crate::config::Settings) -> anyhow::Result<()> {
    let listener = duban_server::bind(&s.listen)
        .await
        .map_err(anyhow::Error::msg)?;
    let addr = listener.local_addr()?;
    println!("duban is serving at http://{addr}/  (Ctrl-C to stop)");
    let mut state = duban_server::AppState::new(db, s.data_dir.clone());
    state.secure_cookies = s.secure_cookies;
    duban_server::serve(listener, state)
        .await
        .context("server stopped")?;
    Ok(())
}
