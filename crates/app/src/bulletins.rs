//! Monthly bulletins (通报): generated from a snapshot frozen at the cut-off, stored with
//! it, reviewed and published. The document is composed by `duban_domain::bulletin` from
//! the stored snapshot every time it is read, so a bulletin looks the same years later.

use crate::access::{Can, ReadRegistry, Supervise};
use crate::{AppError, audit};
use chrono::Duration;
use duban_domain::access::Reach;
use duban_domain::bulletin::{self, Bulletin, SnapUnit, Snapshot, Stage, Step};
use duban_domain::{Period, Role};
use duban_store::bulletins::{self as store, BulletinRow};
use duban_store::{Db, now_ms, units};
use serde::Serialize;

/// A bulletin version with its document.
#[derive(Debug, Serialize)]
pub struct BulletinView {
    #[serde(flatten)]
    pub row: BulletinRow,
    pub document: Bulletin,
}

#[derive(Debug, Clone, Default, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GenerateInput {
    /// YYYY-MM
    #[schemars(regex(pattern = r"^(19\d\d|[2-9]\d{3})-(0?[1-9]|1[0-2])$"))]
    pub period: String,
    /// The issuing unit (default: the top of the caller's scope).
    #[serde(default)]
    pub unit_id: Option<i64>,
}

/// Gather the snapshot of a period for a unit's subtree as the approved data stand now.
pub async fn snapshot(
    db: &Db,
    can: &Can<Supervise>,
    period: Period,
    unit: i64,
    cutoff_ms: i64,
) -> Result<Snapshot, AppError> {
    can.check(unit, "unit")?;
    let tree = can.caller().tree();
    let reach = can.reach().within(tree, unit);
    let (year, month) = (period.year(), period.month());
    let d = crate::analytics::definitions(db).await?;
    let cutoff =
        chrono::DateTime::from_timestamp_millis(cutoff_ms).unwrap_or_default() + Duration::hours(8);
    // The lagging projects and the overdue problems are read on readers of their own
    // while this one sums the groups (at a million projects each is seconds of reading
    // on one core). Each read is its own snapshot, as when they ran one after the other.
    let lagging = tokio::spawn({
        let (db, reach) = (db.clone(), reach.clone());
        async move { duban_store::analytics::month_lagging(&db, year, month, &reach).await }
    });
    let overdue = tokio::spawn({
        let (db, reach, day) = (db.clone(), reach.clone(), cutoff.date_naive());
        let states = crate::analytics::overdue_states(&d);
        async move { store::overdue_problems(&db, day, &reach, &states).await }
    });
    // Every project's entry from the analytics read model (the dashboards' own figures).
    let (groups, reporting) =
        duban_store::analytics::month_groups(db, year, month, &reach, d.missing.column()).await?;
    let background = |e| AppError::internal("a bulletin's read", e);
    let lagging = lagging.await.map_err(background)??;
    let overdue = overdue.await.map_err(background)??;
    let units = units::list(db)
        .await?
        .into_iter()
        .filter(|u| reach.covers(u.id))
        .map(|u| SnapUnit {
            id: u.id,
            parent_id: if u.id == unit { None } else { u.parent_id },
            name: u.name,
            series: u.series,
        })
        .collect();
    Ok(Snapshot {
        period,
        cutoff: cutoff.format("%Y-%m-%d %H:%M").to_string(),
        root_unit_id: unit,
        units,
        groups,
        lagging,
        projects: Vec::new(),
        reporting,
        overdue_problems: overdue,
        definitions: d,
    })
}

/// Generate a new draft version of a period's bulletin; with the snapshot it stored.
pub async fn generate(
    db: &Db,
    can: &Can<Supervise>,
    i: &GenerateInput,
) -> Result<(BulletinView, Snapshot), AppError> {
    let period = Period::parse("period", &i.period)?;
    let unit = can.issuing_unit(i.unit_id);
    let cutoff = now_ms();
    let snap = std::sync::Arc::new(snapshot(db, can, period, unit, cutoff).await?);
    // The document is composed and the snapshot packed on cores of their own, before the
    // turn to write is taken (at a million projects, half a second and a second).
    let document = tokio::task::spawn_blocking({
        let snap = snap.clone();
        move || bulletin::compose(&snap)
    });
    let packed = tokio::task::spawn_blocking({
        let snap = snap.clone();
        move || store::Packed::of(&*snap)
    });
    let background = |e| AppError::internal("composing a bulletin", e);
    let document = document.await.map_err(background)?;
    let packed = packed.await.map_err(background)?;
    let snap = std::sync::Arc::try_unwrap(snap)
        .map_err(|_| AppError::bug("a bulletin's snapshot still shared"))?;
    let mut w = can.write(db).await?;
    let row = store::insert(
        w.tx(),
        &period.to_string(),
        unit,
        cutoff,
        packed,
        can.actor().user_id.get(),
    )
    .await?;
    let id = row.id;
    w.audit(
        "bulletin.generate",
        "bulletin",
        id,
        audit::NONE,
        Some(&serde_json::json!({
            "period": period.to_string(), "unit_id": unit, "version": row.version,
            "projects": snap.whole().projects, "cutoff_at": cutoff
        })),
    );
    // The issuing unit's other supervisors review it.
    let name = duban_store::units::get(db, unit)
        .await
        .map(|u| u.name)
        .unwrap_or_default();
    let m = duban_domain::notify::bulletin_message(false, id, period, &name);
    let me = can.actor().user_id.get();
    for user in w.people_of(unit, &[Role::Supervisor]).await? {
        if user != me {
            w.notify(user, &m, format!("bulletin_drafted:{id}:{user}"));
        }
    }
    w.commit().await?;
    Ok((BulletinView { row, document }, snap))
}

/// Who reads a version: its drafts are for supervisors of the issuing unit; once
/// published, a bulletin is addressed to every unit below the issuing one, so anyone whose
/// scope reaches one of them reads it.
fn readable(can: &Can<ReadRegistry>, row: &BulletinRow) -> bool {
    let tree = can.caller().tree();
    match can.reach() {
        _ if row.state != Stage::Published => {
            can.caller().can::<Supervise>().is_ok() && can.reach().covers(row.unit_id)
        }
        Reach::All => true,
        Reach::Units(us) => us.iter().any(|u| tree.is_within(*u, row.unit_id)),
    }
}

async fn load(db: &Db, reach: &Reach, id: i64) -> Result<(BulletinRow, Snapshot), AppError> {
    let missing = AppError::NotFound { what: "bulletin" };
    let (row, json) = store::get(db, id).await?.ok_or(missing)?;
    if !reach.covers(row.unit_id) {
        return Err(AppError::NotFound { what: "bulletin" });
    }
    parse(row, &json)
}

fn parse(row: BulletinRow, json: &str) -> Result<(BulletinRow, Snapshot), AppError> {
    let id = row.id;
    let snap: Snapshot = serde_json::from_str(json)
        .map_err(|e| AppError::internal(format!("bulletin {id}: stored snapshot unreadable"), e))?;
    Ok((row, snap))
}

/// A bulletin and its document, composed from its stored snapshot, if the caller reads it.
pub async fn get(db: &Db, can: &Can<ReadRegistry>, id: i64) -> Result<BulletinView, AppError> {
    let (row, json) = store::get(db, id)
        .await?
        .ok_or(AppError::NotFound { what: "bulletin" })?;
    if !readable(can, &row) {
        return Err(AppError::NotFound { what: "bulletin" });
    }
    let (row, snap) = parse(row, &json)?;
    Ok(BulletinView {
        row,
        document: bulletin::compose(&snap),
    })
}

pub async fn list(db: &Db, can: &Can<ReadRegistry>) -> Result<Vec<BulletinRow>, AppError> {
    Ok(store::list(db, &Reach::All)
        .await?
        .into_iter()
        .filter(|b| readable(can, b))
        .collect())
}

/// draft → reviewed → published; each step audited.
pub async fn advance(
    db: &Db,
    can: &Can<Supervise>,
    id: i64,
    step: Step,
) -> Result<BulletinView, AppError> {
    let (row, _) = load(db, can.reach(), id).await?;
    let (from, to) = step.moves();
    if row.state != from {
        return Err(duban_domain::FieldError::new(
            "state",
            "illegal_transition",
            format!("该通报当前为“{}”，不能{}", row.state.zh(), step.zh()),
            format!(
                "the bulletin is {}; it cannot be {}",
                row.state.code(),
                step.en()
            ),
        )
        .into());
    }
    // Four eyes: the one who reviewed a bulletin does not publish it.
    if step == Step::Publish && row.reviewed_by == Some(can.actor().user_id.get()) {
        return Err(duban_domain::FieldError::new(
            "state",
            "four_eyes",
            "审核人不能发布同一份通报：请由另一位督办人员发布",
            "whoever reviewed a bulletin cannot publish it: another supervisor publishes",
        )
        .into());
    }
    let mut w = can.write(db).await?;
    if store::set_state(w.tx(), id, from, to, can.actor().user_id.get(), now_ms()).await? == 0 {
        return Err(AppError::Conflict(
            "the bulletin changed meanwhile; reload it".into(),
        ));
    }
    w.audit(step.action(), "bulletin", id, Some(&from), Some(&to));
    if step == Step::Publish {
        // Addressed to every unit below the issuing one: their leaders, supervisors and
        // approvers hear of it.
        let units = duban_store::units::list(db).await?;
        let tree = can.caller().tree();
        let name = units
            .iter()
            .find(|u| u.id == row.unit_id)
            .map_or(String::new(), |u| u.name.clone());
        let period = Period::parse("period", &row.period)?;
        let m = duban_domain::notify::bulletin_message(true, id, period, &name);
        for u in units
            .iter()
            .filter(|u| u.id != row.unit_id && tree.is_within(u.id, row.unit_id))
        {
            for user in w
                .people_of(u.id, &[Role::Leader, Role::Supervisor, Role::Approver])
                .await?
            {
                w.notify(user, &m, format!("bulletin_published:{id}:{user}"));
            }
        }
    }
    w.commit().await?;
    get(db, &can.caller().can::<ReadRegistry>()?, id).await
}
