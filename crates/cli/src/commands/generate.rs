//! `duban gen`: a deterministic synthetic data set, then its dashboards' read model.

use duban_domain::Period;

pub async fn run(url: &str, projects: u64, seed: u64, as_of: Period) -> anyhow::Result<()> {
    let db = duban_app::open(url).await?;
    let params = duban_gen::Params {
        projects,
        seed,
        as_of,
    };
    eprintln!(
        "generating {projects} projects (seed {seed}, as of {as_of}) into {}",
        duban_store::db::redact(url)
    );
    let (_, st) = duban_app::load::generate(
        &duban_app::unit_of_work::Console::open(),
        &db,
        params,
        |t| {
            eprint!(
                "\r  {:>9} / {projects} projects  {:>10} reports  {:>5.1}s",
                t.projects,
                t.reports,
                t.elapsed.as_secs_f64()
            );
        },
    )
    .await?;
    eprintln!();
    let secs = st.elapsed.as_secs_f64();
    println!(
        "generated {} units, {} projects, {} plans, {} reports, {} problems: {} rows in {:.1} s ({:.0} rows/s)",
        st.units,
        st.projects,
        st.plans,
        st.reports,
        st.problems,
        st.rows(),
        secs,
        st.rows() as f64 / secs
    );
    let t = std::time::Instant::now();
    let r = duban_app::analytics::rebuild(&db, as_of.year(), &mut |n| {
        eprint!("\r  analytics: {n} project-years")
    })
    .await?;
    eprintln!();
    println!(
        "analytics of {}: {} project-years, {} total cells in {:.1} s",
        r.year,
        r.projects,
        r.cells,
        t.elapsed().as_secs_f64()
    );
    db.close().await;
    Ok(())
}
