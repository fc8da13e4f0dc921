//! `duban unit`: the unit tree on the console (add, move, archive, list), as an
//! administrator over every organisation; each change is audited as "(console)".

use clap::Subcommand;
use duban_app::access::{Can, ManageUnits};
use duban_domain::Role;
use duban_domain::unit::{Unit, UnitInput};

#[derive(Subcommand, Debug)]
pub enum UnitAction {
    /// Add a unit under a parent (or a new root with no --parent).
    Add {
        /// Code of the new unit (letters, digits, '-', '_')
        code: String,
        #[arg(long)]
        name: String,
        /// government, division, regiment, company, department, enterprise, park or command
        #[arg(long)]
        kind: String,
        /// Code of the parent unit
        #[arg(long)]
        parent: Option<String>,
        /// Ranking series (default: the kind's name, e.g. 师市)
        #[arg(long)]
        series: Option<String>,
    },
    /// Move a unit (with everything below it) under another parent.
    Move {
        code: String,
        /// Code of the new parent
        #[arg(long)]
        parent: String,
    },
    /// Archive a unit that has no projects, users or sub-units left.
    Archive { code: String },
    /// Print the unit tree.
    List,
}

async fn handle(db: &duban_app::Db) -> anyhow::Result<Can<ManageUnits>> {
    let (_, caller) = super::console::console_caller(db, None, &[Role::Admin], false).await?;
    Ok(caller.can::<ManageUnits>()?)
}

async fn by_code(db: &duban_app::Db, code: &str) -> anyhow::Result<Unit> {
    duban_store::units::by_code(db, code)
        .await?
        .ok_or_else(|| anyhow::anyhow!("no unit has the code '{code}'"))
}

pub async fn run(db: &duban_app::Db, action: &UnitAction) -> anyhow::Result<()> {
    use duban_app::registry;
    match action {
        UnitAction::Add {
            code,
            name,
            kind,
            parent,
            series,
        } => {
            let parent_id = match parent {
                Some(p) => Some(by_code(db, p).await?.id),
                None => None,
            };
            let u = registry::create_unit(
                db,
                &handle(db).await?,
                &UnitInput {
                    version: None,
                    parent_id,
                    code: code.clone(),
                    name: name.clone(),
                    kind: kind.clone(),
                    series: series.clone(),
                },
            )
            .await?;
            println!("unit {} {} added (id {})", u.code, u.name, u.id);
        }
        UnitAction::Move { code, parent } => {
            let u = by_code(db, code).await?;
            let p = by_code(db, parent).await?;
            let moved = registry::update_unit(
                db,
                &handle(db).await?,
                u.id,
                &UnitInput {
                    version: Some(u.version),
                    parent_id: Some(p.id),
                    code: u.code.clone(),
                    name: u.name.clone(),
                    kind: u.kind.code().to_string(),
                    series: Some(u.series.clone()),
                },
            )
            .await?;
            println!("unit {} now under {} {}", moved.code, p.code, p.name);
        }
        UnitAction::Archive { code } => {
            let u = by_code(db, code).await?;
            registry::archive_unit(db, &handle(db).await?, u.id, u.version).await?;
            println!("unit {} {} archived", u.code, u.name);
        }
        UnitAction::List => {
            let units = duban_store::units::list(db).await?;
            fn walk(units: &[Unit], parent: Option<i64>, depth: usize) {
                for u in units.iter().filter(|u| u.parent_id == parent) {
                    println!(
                        "{}{} {} ({})",
                        "  ".repeat(depth),
                        u.code,
                        u.name,
                        u.kind.zh()
                    );
                    walk(units, Some(u.id), depth + 1);
                }
            }
            walk(&units, None, 0);
        }
    }
    Ok(())
}
