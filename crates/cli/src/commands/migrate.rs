//! `duban migrate`: create or upgrade the schema, then exit.

pub async fn run(url: &str) -> anyhow::Result<()> {
    let db = duban_store::Db::connect(url).await?;
    let applied = duban_store::schema::migrate(&db).await?;
    println!(
        "schema at version {} (applied now: {:?})",
        duban_store::schema::latest_version(),
        applied
    );
    Ok(())
}
