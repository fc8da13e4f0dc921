//! Progress reports: one row per revision of a period.

use crate::db::{Cols, Db, Tx, Val};
use crate::{StoreError, decode, now_ms, parse_date};
use duban_domain::project::ProjectId;
use duban_domain::report::{Report, ReportFigures, ReportId, ReportState};
use duban_domain::{Period, Yuan};

pub(crate) const INSERT_COLS: &str = "project_id, year, month, revision, state, invest_period, invest_ytd, invest_since_start, \
     progress_bp, progress_text, funds_received, funds_disbursed, started, started_on, stats_entered, issues, next_steps, \
     returned_reason, late, submitted_at, approved_at, backfilled, correction_reason, created_at";
pub(crate) const INSERT_WIDTH: usize = 24;
pub(crate) const COLS: &str = "id, project_id, year, month, revision, state, invest_period, invest_ytd, invest_since_start, \
     progress_bp, progress_text, funds_received, funds_disbursed, started, started_on, stats_entered, issues, next_steps, \
     returned_reason, late, submitted_at, approved_at, backfilled, correction_reason, checked_by, checked_at";

fn figure_vals(f: &ReportFigures) -> [Val; 12] {
    [
        f.invest_period.get().into(),
        f.invest_ytd.get().into(),
        f.invest_since_start.get().into(),
        f.progress_bp.into(),
        f.progress_text.clone().into(),
        f.funds_received.get().into(),
        f.funds_disbursed.get().into(),
        f.started.into(),
        f.started_on.map(|d| d.to_string()).into(),
        f.stats_entered.into(),
        f.issues.clone().into(),
        f.next_steps.clone().into(),
    ]
}

/// Values of [`INSERT_COLS`].
pub(crate) fn report_vals(r: &Report, now: i64) -> Vec<Val> {
    let mut v: Vec<Val> = Vec::with_capacity(INSERT_WIDTH);
    v.extend([
        r.project_id.into(),
        i64::from(r.period.year()).into(),
        i64::from(r.period.month()).into(),
        r.revision.into(),
        r.state.code().into(),
    ]);
    v.extend(figure_vals(&r.figures));
    v.extend([
        r.returned_reason.clone().into(),
        r.late.into(),
        r.submitted_at.into(),
        r.approved_at.into(),
        r.backfilled.into(),
        r.correction_reason.clone().into(),
        now.into(),
    ]);
    v
}

pub(crate) fn row(r: &dyn Cols) -> Result<Report, StoreError> {
    let (y, m) = (r.i64("year")?, r.i64("month")?);
    Ok(Report {
        id: crate::db::id(r, "id")?,
        project_id: crate::db::id(r, "project_id")?,
        period: Period::new(y as i32, m as u32).ok_or(StoreError::Corrupt {
            column: "reports.month",
            value: format!("{y}-{m}"),
        })?,
        revision: r.i64("revision")?,
        state: decode("reports.state", r.str("state")?, ReportState::from_code)?,
        figures: ReportFigures {
            invest_period: Yuan::new(r.i64("invest_period")?),
            invest_ytd: Yuan::new(r.i64("invest_ytd")?),
            invest_since_start: Yuan::new(r.i64("invest_since_start")?),
            progress_bp: r.i64("progress_bp")?,
            progress_text: r.str("progress_text")?,
            funds_received: Yuan::new(r.i64("funds_received")?),
            funds_disbursed: Yuan::new(r.i64("funds_disbursed")?),
            started: r.bool("started")?,
            started_on: parse_date("reports.started_on", r.opt_str("started_on")?)?,
            stats_entered: r.bool("stats_entered")?,
            issues: r.str("issues")?,
            next_steps: r.str("next_steps")?,
        },
        returned_reason: r.opt_str("returned_reason")?,
        submitted_at: r.opt_i64("submitted_at")?,
        approved_at: r.opt_i64("approved_at")?,
        late: r.bool("late")?,
        backfilled: r.bool("backfilled")?,
        correction_reason: r.opt_str("correction_reason")?,
        checked_by: r.opt_i64("checked_by")?.map(duban_domain::ids::UserId::new),
        checked_at: r.opt_i64("checked_at")?,
    })
}

/// Insert a report revision (normally a draft); returns its id.
pub async fn insert(tx: &mut Tx, r: &Report) -> Result<ReportId, StoreError> {
    tx.scalar(
        &format!(
            "INSERT INTO reports ({INSERT_COLS}) VALUES {} RETURNING id AS v",
            crate::values_list(1, INSERT_WIDTH)
        ),
        &report_vals(r, now_ms()),
    )
    .await
    .map(ReportId::new)
}

/// Insert many report revisions (new drafts) in multi-row statements; returns their ids,
/// in the order given.
pub async fn insert_many(tx: &mut Tx, rs: &[Report]) -> Result<Vec<ReportId>, StoreError> {
    const BATCH: usize = 440 / INSERT_WIDTH;
    let now = now_ms();
    let mut ids = Vec::with_capacity(rs.len());
    for chunk in rs.chunks(BATCH) {
        let vals: Vec<Val> = chunk.iter().flat_map(|r| report_vals(r, now)).collect();
        // Ids by key, not by the order RETURNING gives (neither engine promises one).
        let mut found: std::collections::HashMap<(ProjectId, i64, i64, i64), ReportId> = tx
            .fetch_all(
                &format!(
                    "INSERT INTO reports ({INSERT_COLS}) VALUES {} RETURNING id, project_id, year, month, revision",
                    crate::values_list(chunk.len(), INSERT_WIDTH)
                ),
                &vals,
                |r| {
                    Ok((
                        (
                            crate::db::id(r, "project_id")?,
                            r.i64("year")?,
                            r.i64("month")?,
                            r.i64("revision")?,
                        ),
                        crate::db::id(r, "id")?,
                    ))
                },
            )
            .await?
            .into_iter()
            .collect();
        for r in chunk {
            let key = (
                r.project_id,
                i64::from(r.period.year()),
                i64::from(r.period.month()),
                r.revision,
            );
            ids.push(found.remove(&key).ok_or(StoreError::Stale)?);
        }
    }
    Ok(ids)
}

/// Replace the figures of a report that is still in `expected_state`.
pub async fn update_figures(
    tx: &mut Tx,
    id: ReportId,
    expected_state: ReportState,
    new_state: ReportState,
    f: &ReportFigures,
) -> Result<(), StoreError> {
    let mut vals: Vec<Val> = figure_vals(f).into();
    vals.extend([
        new_state.code().into(),
        id.into(),
        expected_state.code().into(),
    ]);
    let n = tx
        .execute(
            "UPDATE reports SET invest_period = $1, invest_ytd = $2, invest_since_start = $3, progress_bp = $4, progress_text = $5, \
             funds_received = $6, funds_disbursed = $7, started = $8, started_on = $9, stats_entered = $10, issues = $11, \
             next_steps = $12, state = $13 WHERE id = $14 AND state = $15",
            &vals,
        )
        .await?;
    if n == 0 {
        Err(StoreError::Stale)
    } else {
        Ok(())
    }
}

/// What changes with a state transition besides the state.
#[derive(Debug, Clone, Default)]
pub struct TransitionStamp {
    pub returned_reason: Option<String>,
    pub submitted_at: Option<i64>,
    pub approved_at: Option<i64>,
    pub late: Option<bool>,
    /// The first of two approvals: by whom, when.
    pub checked: Option<(i64, i64)>,
}

/// Move a report from `from` to `to` if it is still in `from` (else `Stale`), and give it
/// back as it now is (no second read).
pub async fn set_state(
    tx: &mut Tx,
    id: ReportId,
    from: ReportState,
    to: ReportState,
    s: &TransitionStamp,
) -> Result<Report, StoreError> {
    tx.fetch_optional(
        &format!(
            "UPDATE reports SET state = $1, returned_reason = $2, submitted_at = COALESCE($3, submitted_at), \
             approved_at = COALESCE($4, approved_at), late = COALESCE($5, late), \
             checked_by = CASE WHEN $1 IN ('checked', 'approved') THEN COALESCE($8, checked_by) END, \
             checked_at = CASE WHEN $1 IN ('checked', 'approved') THEN COALESCE($9, checked_at) END \
             WHERE id = $6 AND state = $7 RETURNING {COLS}"
        ),
        &[
            to.code().into(),
            s.returned_reason.clone().into(),
            s.submitted_at.into(),
            s.approved_at.into(),
            s.late.into(),
            id.into(),
            from.code().into(),
            s.checked.map(|c| c.0).into(),
            s.checked.map(|c| c.1).into(),
        ],
        row,
    )
    .await?
    .ok_or(StoreError::Stale)
}

pub async fn get(db: &Db, id: ReportId) -> Result<Report, StoreError> {
    db.fetch_one(
        &format!("SELECT {COLS} FROM reports WHERE id = $1"),
        &[id.into()],
        row,
    )
    .await
}

/// Every revision of a project's report for a period, oldest first.
pub async fn revisions(
    db: &Db,
    project_id: ProjectId,
    period: Period,
) -> Result<Vec<Report>, StoreError> {
    db.fetch_all(
        &format!("SELECT {COLS} FROM reports WHERE project_id = $1 AND year = $2 AND month = $3 ORDER BY revision"),
        &[project_id.into(), i64::from(period.year()).into(), i64::from(period.month()).into()],
        row,
    )
    .await
}

/// The latest approved revision of each period of a project's year.
pub async fn approved_for_year(
    db: &Db,
    project_id: ProjectId,
    year: i32,
) -> Result<Vec<Report>, StoreError> {
    db.fetch_all(
        &format!(
            "SELECT {COLS} FROM reports r WHERE project_id = $1 AND year = $2 AND state = 'approved' \
             AND revision = (SELECT MAX(revision) FROM reports x WHERE x.project_id = r.project_id AND x.year = r.year \
             AND x.month = r.month AND x.state = 'approved') ORDER BY month"
        ),
        &[project_id.into(), i64::from(year).into()],
        row,
    )
    .await
}

pub async fn count(db: &Db) -> Result<i64, StoreError> {
    db.scalar("SELECT COUNT(*) AS v FROM reports", &[]).await
}

/// The newest revision of a project's report for a period, if any.
pub async fn latest(
    db: &Db,
    project_id: ProjectId,
    period: Period,
) -> Result<Option<Report>, StoreError> {
    db.fetch_optional(
        &format!("SELECT {COLS} FROM reports WHERE project_id = $1 AND year = $2 AND month = $3 ORDER BY revision DESC LIMIT 1"),
        &[project_id.into(), i64::from(period.year()).into(), i64::from(period.month()).into()],
        row,
    )
    .await
}

/// Filters of the report list.
#[derive(Debug, Clone, Default)]
pub struct ReportFilter {
    /// Units whose projects' reports the caller sees in any state.
    pub reach_all_states: duban_domain::access::Reach,
    /// Units whose projects' approved reports the caller sees.
    pub reach_approved: duban_domain::access::Reach,
    pub project_id: Option<ProjectId>,
    pub period: Option<Period>,
    pub state: Option<ReportState>,
    pub offset: i64,
    pub limit: i64,
}

/// A report with the project it belongs to, for lists.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ReportRow {
    #[serde(flatten)]
    pub report: Report,
    pub project_code: String,
    pub project_name: String,
    pub unit_id: i64,
}

pub async fn list(db: &Db, f: &ReportFilter) -> Result<(i64, Vec<ReportRow>), StoreError> {
    let mut w = crate::query::Where::new([format!(
        "(({}) OR (r.state = 'approved' AND {}))",
        crate::reach_sql("p.unit_id", &f.reach_all_states),
        crate::reach_sql("p.unit_id", &f.reach_approved)
    )]);
    w.opt("r.project_id = ?", f.project_id);
    if let Some(p) = f.period {
        w.push("r.year = ?", i64::from(p.year()).into());
        w.push("r.month = ?", i64::from(p.month()).into());
    }
    w.opt("r.state = ?", f.state.map(|s| s.code()));
    let cols = COLS
        .split(", ")
        .map(|c| format!("r.{c}"))
        .collect::<Vec<_>>()
        .join(", ");
    let cols =
        format!("{cols}, p.code AS project_code, p.name AS project_name, p.unit_id AS unit_id");
    let order = "r.year DESC, r.month DESC, p.code, r.revision DESC";
    crate::query::page(
        db,
        "",
        &cols,
        "reports r JOIN projects p ON p.id = r.project_id",
        w,
        order,
        f.offset,
        f.limit,
        |r| {
            Ok(ReportRow {
                report: row(r)?,
                project_code: r.str("project_code")?,
                project_name: r.str("project_name")?,
                unit_id: r.i64("unit_id")?,
            })
        },
    )
    .await
}

/// A project whose report for a period has not been submitted (催报).
#[derive(Debug, Clone, serde::Serialize)]
pub struct Missing {
    pub project_id: ProjectId,
    pub code: String,
    pub name: String,
    pub unit_id: i64,
    pub leader: String,
    /// The state of the newest revision, when a draft or returned report exists.
    pub state: Option<String>,
}
