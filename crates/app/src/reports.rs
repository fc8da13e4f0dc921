//! The progress-report workflow: reporters of the responsible unit draft and submit,
//! approvers of that unit approve or return with a reason, everyone else sees approved
//! data. Approved reports are immutable; a correction is a new revision, approved again.

use crate::access::{ApproveReports, Can, Cap, DraftReports, ReadRegistry};
use crate::error::OrStale;
use crate::{AppError, audit, settings};
use duban_domain::Period;
use duban_domain::ids::{ProjectId, ReportId};
use duban_domain::report::{self, FieldChange, Report, ReportAction, ReportFigures, ReportState};
use duban_domain::warning::{ReportContext, Warning, report_warnings};
use duban_store::reports::{self as store, Missing, ReportFilter, ReportRow, TransitionStamp};
use duban_store::{Db, StoreError, now_ms, plans, projects};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NewReportInput {
    pub project_id: ProjectId,
    /// YYYY-MM
    #[schemars(regex(pattern = r"^(19\d\d|[2-9]\d{3})-(0?[1-9]|1[0-2])$"))]
    pub period: String,
    #[serde(default)]
    pub figures: ReportFigures,
}

/// A report with what the workflow computed about it, and what an approver reads beside
/// it: last month's approved figures, the plan to the report's month and its files.
#[derive(Debug, Clone, Serialize)]
pub struct ReportView {
    #[serde(flatten)]
    pub report: Report,
    pub warnings: Vec<Warning>,
    pub beside: Beside,
    pub attachments: Vec<duban_store::attachments::Attachment>,
}

/// The figures a report is read against.
#[derive(Debug, Clone, Serialize)]
pub struct Beside {
    /// The previous month (`YYYY-MM`) and its newest approved figures, if any.
    pub previous_period: Period,
    pub previous: Option<ReportFigures>,
    /// The year's annual plan and its cumulative curve to the report's month, in yuan.
    pub annual_plan: Option<i64>,
    pub planned_to_month: Option<i64>,
}

/// The unit of a report's project, or not found.
async fn load<C: Cap>(db: &Db, can: &Can<C>, id: ReportId) -> Result<(Report, i64), AppError> {
    let (r, p) = load_with_project(db, can, id).await?;
    Ok((r, p.spec.unit_id))
}

/// A report within the reach, and its project (read once for the checks that need it).
async fn load_with_project<C: Cap>(
    db: &Db,
    can: &Can<C>,
    id: ReportId,
) -> Result<(Report, duban_domain::project::Project), AppError> {
    let r = store::get(db, id)
        .await
        .map_err(|_| AppError::NotFound { what: "report" })?;
    let p = projects::get(db, r.project_id)
        .await
        .map_err(|_| AppError::NotFound { what: "report" })?;
    can.check(p.spec.unit_id, "report")?;
    Ok((r, p))
}

/// A report the caller may read: approved ones within the reach, others only for the
/// unit's own clerks.
pub async fn get(db: &Db, can: &Can<ReadRegistry>, id: ReportId) -> Result<ReportView, AppError> {
    let (r, project) = load_with_project(db, can, id).await?;
    if r.state != ReportState::Approved && !can.caller().sees_unapproved_at(project.spec.unit_id) {
        return Err(AppError::NotFound { what: "report" });
    }
    view(db, r, &project).await
}

async fn get_any(db: &Db, id: ReportId) -> Result<ReportView, AppError> {
    let r = store::get(db, id).await?;
    let p = projects::get(db, r.project_id).await?;
    view(db, r, &p).await
}

/// A report as returned: its warnings, what it is read against and its files.
async fn view(
    db: &Db,
    r: Report,
    p: &duban_domain::project::Project,
) -> Result<ReportView, AppError> {
    let (warnings, beside) = warnings_of(db, &r, p).await?;
    let attachments = duban_store::attachments::for_object(db, "report", r.id.get()).await?;
    Ok(ReportView {
        report: r,
        warnings,
        beside,
        attachments,
    })
}

/// A report's warnings and the figures beside it, its project at hand. The warnings
/// compare with last month within the same year only (the year to date starts again in
/// January); the figures beside it show last month whatever the year.
async fn warnings_of(
    db: &Db,
    r: &Report,
    p: &duban_domain::project::Project,
) -> Result<(Vec<Warning>, Beside), AppError> {
    let plan = plans::get(db, r.project_id, r.period.year()).await?;
    let prev_period = r.period.prev();
    let previous = store::revisions(db, r.project_id, prev_period)
        .await?
        .into_iter()
        .rev()
        .find(|x| x.state == ReportState::Approved);
    let same_year = prev_period.year() == r.period.year();
    let warnings = report_warnings(
        &r.figures,
        &ReportContext {
            previous: previous.as_ref().filter(|_| same_year).map(|x| &x.figures),
            annual_plan: plan.as_ref().map(|p| p.planned()),
            total_investment: p.spec.total_investment,
        },
    );
    let beside = Beside {
        previous_period: prev_period,
        previous: previous.map(|x| x.figures),
        annual_plan: plan.as_ref().map(|p| p.planned().get()),
        planned_to_month: plan
            .as_ref()
            .map(|p| p.curve.to_month(r.period.month()).get()),
    };
    Ok((warnings, beside))
}

/// Start the report of a period (a draft).
pub async fn create(
    db: &Db,
    can: &Can<DraftReports>,
    i: &NewReportInput,
) -> Result<ReportView, AppError> {
    let period = Period::parse("period", &i.period)?;
    let today = Period::of(crate::clock::today());
    if period > today {
        return Err(duban_domain::FieldError::new(
            "period",
            "future",
            format!("不能填报未来月份（{period}）"),
            format!("cannot report a future month ({period})"),
        )
        .into());
    }
    // A project outside the caller's scope answers exactly as one that does not exist:
    // neither its existence nor its unit may leak.
    match projects::unit_of(db, i.project_id).await? {
        Some(unit) if can.reach().covers(unit) => {}
        _ => {
            return Err(duban_domain::FieldError::new(
                "project_id",
                "unknown",
                "项目不存在或不在您的数据范围内",
                "the project does not exist or is outside your data scope",
            )
            .into());
        }
    }
    if let Some(existing) = store::latest(db, i.project_id, period).await? {
        return Err(AppError::Conflict(format!(
            "the report of {period} already exists (id {}, {}); edit it or open a correction",
            existing.id,
            existing.state.code()
        )));
    }
    let r = Report {
        id: ReportId::new(0),
        project_id: i.project_id,
        period,
        revision: 1,
        state: ReportState::Draft,
        figures: i.figures.clone(),
        returned_reason: None,
        submitted_at: None,
        approved_at: None,
        late: false,
        backfilled: false,
        correction_reason: None,
        checked_by: None,
        checked_at: None,
    };
    let mut w = can.write(db).await?;
    let id = store::insert(w.tx(), &r).await.map_err(|e| match e {
        StoreError::Duplicate(_) => {
            AppError::Conflict(format!("the report of {period} already exists"))
        }
        e => e.into(),
    })?;
    w.audit("report.create", "report", id, audit::NONE, Some(&r.figures));
    w.commit().await?;
    get_any(db, id).await
}

/// Save a draft (or edit a returned report, which makes it a draft again).
pub async fn edit(
    db: &Db,
    can: &Can<DraftReports>,
    id: ReportId,
    f: &ReportFigures,
) -> Result<ReportView, AppError> {
    let (r, _) = load(db, can, id).await?;
    let to = report::transition(r.state, &ReportAction::Edit)?;
    let mut w = can.write(db).await?;
    store::update_figures(w.tx(), id, r.state, to, f)
        .await
        .or_stale(&r)?;
    let changes = r.figures.diff(f);
    w.audit(
        "report.edit",
        "report",
        id,
        Some(&r.figures),
        Some(&changes),
    );
    w.commit().await?;
    get_any(db, id).await
}

/// Submit: hard checks name each bad field; warnings are returned (and block only when
/// the settings say so); lateness is stamped from the period's deadline.
pub async fn submit(
    db: &Db,
    can: &Can<DraftReports>,
    id: ReportId,
) -> Result<ReportView, AppError> {
    // The project is read once and the warnings computed once: they are checked, stored
    // in the audit entry and returned.
    let (r, project) = load_with_project(db, can, id).await?;
    let to = report::transition(r.state, &ReportAction::Submit)?;
    r.figures.validate(r.period)?;
    let s = settings::get(db).await?;
    let (warnings, beside) = warnings_of(db, &r, &project).await?;
    let attachments = duban_store::attachments::for_object(db, "report", id.get()).await?;
    // Where the office wants a site photo with every report, a report without one is
    // not sent.
    if !attachments.iter().any(|a| a.mime.starts_with("image/"))
        && s.photos_required
            .applies(project.id.get(), project.spec.unit_id, can.caller().tree())
    {
        return Err(duban_domain::FieldError::new(
            "photos",
            "photo_required",
            "本项目每期报告须附现场照片：请先拍照或上传照片再报送",
            "this project's reports need a site photo: take or upload one before submitting",
        )
        .into());
    }
    if s.block_on_warnings && !warnings.is_empty() {
        return Err(AppError::Invalid(duban_domain::ValidationErrors(
            warnings
                .iter()
                .map(|w| {
                    duban_domain::FieldError::new("figures", w.code, w.zh.clone(), w.en.clone())
                })
                .collect(),
        )));
    }
    let now = now_ms();
    let late = crate::clock::today() > s.deadline(r.period);
    let mut w = can.write(db).await?;
    let stamp = TransitionStamp {
        submitted_at: Some(now),
        late: Some(late),
        ..Default::default()
    };
    let now_r = store::set_state(w.tx(), id, r.state, to, &stamp)
        .await
        .or_stale(&r)?;
    w.audit("report.submit", "report", id, Some(&r.state.code()), Some(&serde_json::json!({ "state": to.code(), "late": late, "warnings": warnings.iter().map(|w| w.code).collect::<Vec<_>>() })));
    // A submitted report is no longer missing: the counts move in the same transaction.
    w.refresh(r.project_id, r.period.year());
    w.commit().await?;
    Ok(ReportView {
        report: now_r,
        warnings,
        beside,
        attachments,
    })
}

#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReturnInput {
    pub reason: String,
}

/// Approve, or return with a reason. Where the office approves at two levels (a
/// unit named in the settings gives the last approval), the first approval makes the
/// report `checked`, and only an approver of that unit — not the one who gave the first
/// — approves it or returns it from there.
pub async fn decide(
    db: &Db,
    can: &Can<ApproveReports>,
    id: ReportId,
    reason: Option<&str>,
) -> Result<ReportView, AppError> {
    let (r, project) = load_with_project(db, can, id).await?;
    let second = settings::get(db).await?.second_approval_unit;
    let me = can.caller().actor.clone();
    if r.state == ReportState::Checked {
        // The reviewing office's approvers give the last approval; once the office has
        // gone back to one approval, any approver in reach finishes what is waiting.
        if second.is_some_and(|unit| unit != me.unit_id) {
            return Err(AppError::Invalid(duban_domain::ValidationErrors(vec![
                duban_domain::FieldError::new(
                    "state",
                    "second_approval",
                    "该报告已初审通过，须由复审单位的审核员复审",
                    "the first approval is given: an approver of the reviewing office gives the second",
                ),
            ])));
        }
        if r.checked_by == Some(me.user_id) {
            return Err(AppError::Invalid(duban_domain::ValidationErrors(vec![
                duban_domain::FieldError::new(
                    "state",
                    "four_eyes",
                    "初审和复审须由不同的人进行",
                    "the first and the second approval are given by different people",
                ),
            ])));
        }
    }
    let action = match reason {
        Some(reason) => ReportAction::Return {
            reason: duban_domain::text::field("reason", reason, 500, false)?,
        },
        None if second.is_some() && r.state == ReportState::Submitted => ReportAction::Check,
        None => ReportAction::Approve,
    };
    let to = report::transition(r.state, &action)?;
    let stamp = match &action {
        ReportAction::Return { reason } => TransitionStamp {
            returned_reason: Some(reason.clone()),
            ..Default::default()
        },
        ReportAction::Check => TransitionStamp {
            checked: Some((me.user_id.get(), now_ms())),
            ..Default::default()
        },
        _ => TransitionStamp {
            approved_at: Some(now_ms()),
            ..Default::default()
        },
    };
    let mut w = can.write(db).await?;
    let now_r = store::set_state(w.tx(), id, r.state, to, &stamp)
        .await
        .or_stale(&r)?;
    let verb = match action {
        ReportAction::Return { .. } => "report.return",
        ReportAction::Check => "report.check",
        _ => "report.approve",
    };
    w.audit(
        verb,
        "report",
        id,
        Some(&r.state.code()),
        Some(&serde_json::json!({ "state": to.code(), "reason": reason })),
    );
    // A returned report: its unit's clerks are told why, with the change.
    if let ReportAction::Return { reason } = &action {
        let m = duban_domain::notify::returned_message(&project.spec.name, r.period, reason);
        for user in w
            .people_of(project.spec.unit_id, &[duban_domain::Role::Reporter])
            .await?
        {
            w.notify(
                user,
                &m,
                format!("report_returned:{}:{}:{user}", r.id.get(), now_ms()),
            );
        }
    }
    // The dashboards' figures move with the approval (and a returned report is missing
    // again), in the same transaction.
    w.refresh(r.project_id, r.period.year());
    w.commit().await?;
    view(db, now_r, &project).await
}

/// Open a correction of an approved report: a new draft revision with the same figures.
/// Why an approved report is reopened.
#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CorrectInput {
    /// The reason (at most 500 characters), kept with the new revision.
    #[serde(default)]
    pub reason: Option<String>,
}

pub async fn correct(
    db: &Db,
    can: &Can<DraftReports>,
    id: ReportId,
    i: &CorrectInput,
) -> Result<ReportView, AppError> {
    let reason = match i.reason.as_deref().map(str::trim).filter(|r| !r.is_empty()) {
        Some(r) => Some(duban_domain::text::field("reason", r, 500, true)?),
        None => None,
    };
    let (r, _) = load(db, can, id).await?;
    let latest = store::latest(db, r.project_id, r.period).await?;
    if latest.as_ref().is_some_and(|l| l.id != r.id) {
        return Err(AppError::Conflict(format!(
            "a newer revision of this report exists (id {})",
            latest.map_or(0, |l| l.id.get())
        )));
    }
    let c = r.open_correction()?;
    let new = Report {
        id: ReportId::new(0),
        project_id: c.project_id,
        period: c.period,
        revision: c.revision,
        state: ReportState::Draft,
        figures: c.figures,
        returned_reason: None,
        submitted_at: None,
        approved_at: None,
        late: false,
        backfilled: false,
        correction_reason: reason.clone(),
        checked_by: None,
        checked_at: None,
    };
    let mut w = can.write(db).await?;
    let nid = store::insert(w.tx(), &new).await.map_err(|e| match e {
        StoreError::Duplicate(_) => AppError::Conflict("a correction is already open".into()),
        e => e.into(),
    })?;
    w.audit(
        "report.correct",
        "report",
        nid,
        audit::NONE,
        Some(&serde_json::json!({ "corrects": id, "revision": c.revision, "reason": reason })),
    );
    w.commit().await?;
    get_any(db, nid).await
}

/// One revision and what changed from the one before.
#[derive(Debug, Clone, Serialize)]
pub struct Revision {
    #[serde(flatten)]
    pub report: Report,
    pub changes: Vec<FieldChange>,
}

/// Every revision of the report's period the caller may see, oldest first, with diffs.
pub async fn revisions(
    db: &Db,
    can: &Can<ReadRegistry>,
    id: ReportId,
) -> Result<Vec<Revision>, AppError> {
    let (r, unit) = load(db, can, id).await?;
    let all_states = can.caller().sees_unapproved_at(unit);
    if r.state != ReportState::Approved && !all_states {
        return Err(AppError::NotFound { what: "report" });
    }
    let mut out: Vec<Revision> = Vec::new();
    let mut prev: Option<ReportFigures> = None;
    for r in store::revisions(db, r.project_id, r.period).await? {
        if !all_states && r.state != ReportState::Approved {
            continue;
        }
        let changes = prev
            .as_ref()
            .map(|p| p.diff(&r.figures))
            .unwrap_or_default();
        prev = Some(r.figures.clone());
        out.push(Revision { report: r, changes });
    }
    Ok(out)
}

#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportQuery {
    pub project: Option<ProjectId>,
    /// YYYY-MM
    #[schemars(regex(pattern = r"^(19\d\d|[2-9]\d{3})-(0?[1-9]|1[0-2])$"))]
    pub period: Option<String>,
    /// draft | submitted | approved | returned
    #[schemars(with = "Option<duban_domain::report::ReportState>")]
    pub state: Option<String>,
    /// A unit: its projects and those of its sub-units.
    pub unit: Option<i64>,
    #[schemars(range(min = 1, max = 1_000_000))]
    pub page: Option<i64>,
    #[schemars(range(min = 1, max = crate::MAX_PAGE_SIZE))]
    pub page_size: Option<i64>,
}

#[derive(Debug, Serialize)]
pub struct ReportPage {
    pub total: i64,
    pub items: Vec<ReportRow>,
}

pub async fn list(
    db: &Db,
    can: &Can<ReadRegistry>,
    q: &ReportQuery,
) -> Result<ReportPage, AppError> {
    let mut e = duban_domain::ValidationErrors::default();
    let period = q
        .period
        .as_deref()
        .and_then(|p| e.take(Period::parse("period", p)));
    let state = q
        .state
        .as_deref()
        .and_then(|s| e.take(ReportState::parse("state", s)));
    let (offset, limit) = crate::paging_in(&mut e, q.page, q.page_size);
    crate::positive_id_in(&mut e, "project", q.project.map(|p| p.get()));
    e.into_result(|| ())?;
    let reach = can.reach_within(q.unit);
    // Where the caller also sees drafts: the reach of their reporter/approver roles.
    let unapproved = reach.intersect(&can.caller().unapproved_reach());
    let (total, items) = store::list(
        db,
        &ReportFilter {
            reach_all_states: unapproved,
            reach_approved: reach,
            project_id: q.project,
            period,
            state,
            offset,
            limit,
        },
    )
    .await?;
    Ok(ReportPage { total, items })
}

/// The 催报 list: for each unit of the reach with reports of the period missing under the
/// office's definition, how many (its own projects, 本级) and the first `list` of them by
/// code; read from the same read model as every other count of missing reports (the
/// cockpit's, the dispatch list's, the bulletin's). Units with most missing first.
#[derive(Debug, Serialize)]
pub struct MissingByUnit {
    pub unit_id: i64,
    pub count: usize,
    pub projects: Vec<Missing>,
}

/// Projects listed for each unit of the 催报 list unless asked otherwise, and at most.
pub const MISSING_LISTED: usize = 20;
pub const MISSING_LISTED_MAX: usize = 500;

pub async fn missing(
    db: &Db,
    can: &Can<ReadRegistry>,
    period: &str,
    unit: Option<i64>,
    list: usize,
) -> Result<Vec<MissingByUnit>, AppError> {
    let period = Period::parse("period", period)?;
    let col = crate::analytics::definitions(db).await?.missing.column();
    let counts = duban_store::analytics::missing_by_unit(
        db,
        period.year(),
        period.month(),
        &can.reach_within(unit),
        col,
    )
    .await?;
    let list = list.min(MISSING_LISTED_MAX) as i64;
    let mut out = Vec::with_capacity(counts.len());
    for (unit_id, count) in counts {
        let projects = if list > 0 {
            missing_of_unit(db, period, unit_id, col, 0, list).await?
        } else {
            Vec::new()
        };
        out.push(MissingByUnit {
            unit_id,
            count: count as usize,
            projects,
        });
    }
    out.sort_by(|a, b| b.count.cmp(&a.count).then(a.unit_id.cmp(&b.unit_id)));
    Ok(out)
}

/// A page of one unit's own projects (本级) on the 催报 list, by code, with how many
/// there are: the unit must be within reach (otherwise not found).
pub async fn missing_page(
    db: &Db,
    can: &Can<ReadRegistry>,
    period: &str,
    unit: i64,
    page: i64,
    page_size: i64,
) -> Result<(i64, Vec<Missing>), AppError> {
    let period = Period::parse("period", period)?;
    can.check(unit, "unit")?;
    let col = crate::analytics::definitions(db).await?.missing.column();
    let own = duban_domain::access::Reach::Units([unit].into());
    let total =
        duban_store::analytics::missing_by_unit(db, period.year(), period.month(), &own, col)
            .await?
            .first()
            .map_or(0, |c| c.1);
    let size = page_size.clamp(1, MISSING_LISTED_MAX as i64);
    let items = if total > 0 {
        let offset = (page.max(1) - 1).saturating_mul(size);
        missing_of_unit(db, period, unit, col, offset, size).await?
    } else {
        Vec::new()
    };
    Ok((total, items))
}

/// Every project of the reach on the 催报 list, by unit and code (for the list's export).
pub async fn missing_all(
    db: &Db,
    can: &Can<ReadRegistry>,
    period: &str,
    unit: Option<i64>,
) -> Result<Vec<Missing>, AppError> {
    let period = Period::parse("period", period)?;
    let col = crate::analytics::definitions(db).await?.missing.column();
    Ok(duban_store::analytics::missing_reports(
        db,
        period.year(),
        period.month(),
        &can.reach_within(unit),
        col,
        None,
    )
    .await?)
}

async fn missing_of_unit(
    db: &Db,
    period: Period,
    unit: i64,
    col: &'static str,
    offset: i64,
    limit: i64,
) -> Result<Vec<Missing>, AppError> {
    Ok(duban_store::analytics::missing_reports(
        db,
        period.year(),
        period.month(),
        &duban_domain::access::Reach::Units([unit].into()),
        col,
        Some((offset, limit)),
    )
    .await?)
}
