//! The problem workflow (问题清单 → 整改 → 销号): supervisors create, assign, close and
//! reopen problems and decide extensions; the lead unit acknowledges, works, notes and
//! resolves with evidence. Every step is timestamped with its actor (problem_events)
//! and audited.

use crate::access::{Can, Cap, ReadRegistry, Supervise, WorkProblems};
use crate::unit_of_work::UnitOfWork;
use crate::{AppError, audit, settings};
use chrono::NaiveDate;
use duban_domain::problem::{
    self, DeadlineStatus, ExtensionRequest, Problem, ProblemAction, ProblemFacts, ProblemState,
};
use duban_domain::{FieldError, ProblemCategory, ProblemSource, ValidationErrors, text};
use duban_store::attachments;
use duban_store::problems::{self as store, Extension, ProblemEvent, ProblemFilter};
use duban_store::{Db, StoreError, now_ms, projects};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProblemInput {
    /// report | inspection | dispatch | leader
    #[schemars(with = "duban_domain::codes::ProblemSource")]
    pub source: String,
    /// land | energy | water | funding | approval | demolition | labour | quality | other
    #[schemars(with = "duban_domain::codes::ProblemCategory")]
    pub category: String,
    #[schemars(length(min = 1, max = 2000), regex(pattern = r"\S"))]
    pub description: String,
    #[serde(default)]
    pub project_id: Option<ProjectId>,
    /// When given with a deadline, the problem is assigned at once.
    #[serde(default)]
    #[schemars(range(min = 1))]
    pub lead_unit_id: Option<i64>,
    #[serde(default)]
    pub assisting_unit_ids: Vec<i64>,
    #[serde(default)]
    #[schemars(extend("format" = "date"))]
    pub deadline: Option<String>,
    #[serde(default)]
    pub responsible: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignInput {
    #[schemars(range(min = 1))]
    pub lead_unit_id: i64,
    #[serde(default)]
    pub assisting_unit_ids: Vec<i64>,
    #[schemars(extend("format" = "date"))]
    pub deadline: String,
    #[serde(default)]
    pub responsible: Option<String>,
}

/// A problem with its trail, extensions, evidence and deadline colour.
#[derive(Debug, Clone, Serialize)]
pub struct ProblemView {
    #[serde(flatten)]
    pub problem: Problem,
    pub deadline_status: DeadlineStatus,
    pub events: Vec<ProblemEvent>,
    pub extensions: Vec<Extension>,
    pub attachments: Vec<attachments::Attachment>,
}

use crate::clock::today;
use duban_domain::ids::ProblemId;
use duban_domain::ids::ProjectId;

async fn load<C: Cap>(db: &Db, can: &Can<C>, id: ProblemId) -> Result<Problem, AppError> {
    if !store::within(db, id, can.reach()).await? {
        return Err(AppError::NotFound { what: "problem" });
    }
    store::get(db, id)
        .await
        .map_err(|_| AppError::NotFound { what: "problem" })
}

async fn view(db: &Db, p: Problem) -> Result<ProblemView, AppError> {
    let due_soon = settings::get(db).await?.due_soon_days;
    Ok(ProblemView {
        deadline_status: problem::deadline_status(p.state, p.deadline, today(), due_soon),
        events: store::events(db, p.id).await?,
        extensions: store::extensions(db, p.id).await?,
        attachments: attachments::for_object(db, "problem", p.id.get()).await?,
        problem: p,
    })
}

pub async fn get(db: &Db, can: &Can<ReadRegistry>, id: ProblemId) -> Result<ProblemView, AppError> {
    let p = load(db, can, id).await?;
    view(db, p).await
}

fn parse_assignment<C: Cap>(
    can: &Can<C>,
    e: &mut ValidationErrors,
    lead: i64,
    assisting: &[i64],
    deadline: &str,
) -> Option<NaiveDate> {
    if let Err(AppError::Invalid(x)) = can.check_target("lead_unit_id", lead) {
        e.0.extend(x.0);
    }
    for u in assisting {
        if *u == lead || !can.caller().tree().contains(*u) {
            e.push(FieldError::new(
                "assisting_unit_ids",
                "unit",
                format!("协办单位 {u} 不存在或与牵头单位相同"),
                format!("assisting unit {u} does not exist or is the lead unit"),
            ));
        }
    }
    let d = e.take(text::date("deadline", deadline));
    if d.is_some_and(|d| d < today()) {
        e.push(FieldError::new(
            "deadline",
            "past",
            "整改期限不能早于今天",
            "the deadline cannot be in the past",
        ));
    }
    d
}

/// Record a problem (from a report, an inspection, a dispatch meeting or a leader).
pub async fn create(
    db: &Db,
    can: &Can<Supervise>,
    i: &ProblemInput,
) -> Result<ProblemView, AppError> {
    let mut w = can.write(db).await?;
    let id = create_in(&mut w, can, i).await?;
    w.commit().await?;
    view(db, store::get(db, ProblemId::new(id)).await?).await
}

/// The creation of a problem inside a caller's unit of work (inspections and imports use
/// it too).
pub(crate) async fn create_in(
    w: &mut UnitOfWork<'_>,
    can: &Can<Supervise>,
    i: &ProblemInput,
) -> Result<i64, AppError> {
    let mut e = ValidationErrors::default();
    let source = e.take(ProblemSource::parse("source", &i.source));
    let category = e.take(ProblemCategory::parse("category", &i.category));
    let description = e.take(text::field("description", &i.description, 2000, true));
    let responsible = e.take(text::field(
        "responsible",
        i.responsible.as_deref().unwrap_or(""),
        50,
        false,
    ));
    if let Some(p) = i.project_id {
        // Read in the transaction: an import creates projects and their problems in one.
        match projects::unit_of_in(w.tx(), ProjectId::new(p.get())).await? {
            Some(u) if can.reach().covers(u) => {}
            _ => e.push(FieldError::new(
                "project_id",
                "unknown",
                "项目不存在或不在您的数据范围内",
                "the project does not exist or is outside your data scope",
            )),
        }
    }
    let assignment = match (i.lead_unit_id, i.deadline.as_deref()) {
        (Some(lead), Some(d)) => {
            parse_assignment(can, &mut e, lead, &i.assisting_unit_ids, d).map(|d| (lead, d))
        }
        (None, None) if i.assisting_unit_ids.is_empty() => None,
        _ => {
            e.push(FieldError::new(
                "deadline",
                "assignment",
                "交办须同时指定牵头单位和整改期限",
                "assigning needs both a lead unit and a deadline",
            ));
            None
        }
    };
    e.into_result(|| ())?;
    let p = Problem {
        id: ProblemId::new(0),
        project_id: i.project_id,
        source: source.expect("checked"),
        category: category.expect("checked"),
        description: description.expect("checked"),
        lead_unit_id: None,
        assisting_unit_ids: vec![],
        responsible: responsible.unwrap_or_default(),
        deadline: None,
        state: ProblemState::Open,
        resolved_by: None,
        created_at: now_ms(),
    };
    let id = store::insert(w.tx(), &p, Some(can.actor().user_id)).await?;
    w.audit("problem.create", "problem", id, audit::NONE, Some(&p));
    w.problems_changed();
    if let Some((lead, deadline)) = assignment {
        assign_in(
            w,
            can,
            id,
            ProblemState::Open,
            lead,
            &i.assisting_unit_ids,
            deadline,
        )
        .await?;
    }
    Ok(id.get())
}

async fn assign_in(
    w: &mut UnitOfWork<'_>,
    can: &Can<Supervise>,
    id: ProblemId,
    from: ProblemState,
    lead: i64,
    assisting: &[i64],
    deadline: NaiveDate,
) -> Result<(), AppError> {
    let to = problem::transition(
        &ProblemFacts {
            state: from,
            resolved_by: None,
        },
        &ProblemAction::Assign {
            lead_unit: lead,
            deadline,
        },
    )?;
    store::assign(w.tx(), id, lead, deadline).await?;
    store::set_assisting(w.tx(), id, assisting).await?;
    store::set_state(
        w.tx(),
        id,
        from,
        to,
        Some(can.actor().user_id),
        "assign",
        &format!("lead {lead}, deadline {deadline}"),
    )
    .await
    .map_err(stale_problem)?;
    w.audit("problem.assign", "problem", id, Some(&from.code()), Some(&serde_json::json!({ "lead_unit_id": lead, "assisting_unit_ids": assisting, "deadline": deadline })));
    w.problems_changed();
    // The lead and assisting units' people hear of it with the assignment.
    let (description, project) = w
        .tx()
        .fetch_one(
            "SELECT q.description, COALESCE(p.name, '') AS pname FROM problems q \
             LEFT JOIN projects p ON p.id = q.project_id WHERE q.id = $1",
            &[id.into()],
            |r| Ok((r.str("description")?, r.str("pname")?)),
        )
        .await?;
    let m = duban_domain::notify::problem_message(
        duban_domain::notify::Event::ProblemAssigned,
        id.get(),
        &description,
        deadline,
        &project,
    );
    let mut to = std::collections::BTreeSet::new();
    for unit in std::iter::once(lead).chain(assisting.iter().copied()) {
        to.extend(w.people_of(unit, PROBLEM_PEOPLE).await?);
    }
    for user in to {
        w.notify(
            user,
            &m,
            format!("problem_assigned:{}:{user}:{deadline}", id.get()),
        );
    }
    Ok(())
}

/// Who works a unit's problems (and hears of them).
pub(crate) const PROBLEM_PEOPLE: &[duban_domain::Role] =
    &[duban_domain::Role::Reporter, duban_domain::Role::Approver];

fn stale_problem(e: StoreError) -> AppError {
    match e {
        StoreError::Stale => AppError::Conflict("the problem changed meanwhile; reload it".into()),
        e => e.into(),
    }
}

pub async fn assign(
    db: &Db,
    can: &Can<Supervise>,
    id: ProblemId,
    a: &AssignInput,
) -> Result<ProblemView, AppError> {
    let p = load(db, can, id).await?;
    let mut e = ValidationErrors::default();
    let deadline = parse_assignment(
        can,
        &mut e,
        a.lead_unit_id,
        &a.assisting_unit_ids,
        &a.deadline,
    );
    let responsible = e.take(text::field(
        "responsible",
        a.responsible.as_deref().unwrap_or(""),
        50,
        false,
    ));
    e.into_result(|| ())?;
    let mut w = can.write(db).await?;
    assign_in(
        &mut w,
        can,
        id,
        p.state,
        a.lead_unit_id,
        &a.assisting_unit_ids,
        deadline.expect("checked"),
    )
    .await?;
    if let Some(r) = responsible.filter(|r| !r.is_empty()) {
        store::set_responsible(w.tx(), id, &r).await?;
    }
    w.problems_changed();
    w.commit().await?;
    view(db, store::get(db, id).await?).await
}

/// The lead unit's steps. Only the lead unit acts; assisting units may add notes.
#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StepInput {
    #[serde(default)]
    pub note: String,
    /// Attachment ids already uploaded to this problem (for `resolve`).
    #[serde(default)]
    pub evidence: Vec<i64>,
}

async fn step(
    db: &Db,
    actor_can: StepBy<'_>,
    id: ProblemId,
    action: ProblemAction,
    name: &str,
    note: &str,
) -> Result<ProblemView, AppError> {
    let (p, actor) = match &actor_can {
        StepBy::Unit(can) => {
            let p = load(db, *can, id).await?;
            if !p.lead_unit_id.is_some_and(|u| can.reach().covers(u)) {
                return Err(AppError::Transition(duban_domain::TransitionError {
                    state: p.state.code(),
                    action: action.name(),
                    zh: "只有牵头单位可以办理此步骤".into(),
                    en: "only the lead unit takes this step".into(),
                }));
            }
            (p, can.actor())
        }
        StepBy::Supervisor(can) => (load(db, *can, id).await?, can.actor()),
    };
    let to = problem::transition(
        &ProblemFacts {
            state: p.state,
            resolved_by: p.resolved_by,
        },
        &action,
    )?;
    let mut w = match &actor_can {
        StepBy::Unit(can) => can.write(db).await?,
        StepBy::Supervisor(can) => can.write(db).await?,
    };
    store::set_state(w.tx(), id, p.state, to, Some(actor.user_id), name, note)
        .await
        .map_err(stale_problem)?;
    w.audit(
        format!("problem.{name}"),
        "problem",
        id,
        Some(&p.state.code()),
        Some(&serde_json::json!({ "state": to.code(), "note": note })),
    );
    w.problems_changed();
    w.commit().await?;
    view(db, store::get(db, id).await?).await
}

enum StepBy<'a> {
    Unit(&'a Can<WorkProblems>),
    Supervisor(&'a Can<Supervise>),
}

pub async fn acknowledge(
    db: &Db,
    can: &Can<WorkProblems>,
    id: ProblemId,
) -> Result<ProblemView, AppError> {
    step(
        db,
        StepBy::Unit(can),
        id,
        ProblemAction::Acknowledge,
        "acknowledge",
        "",
    )
    .await
}

pub async fn start(
    db: &Db,
    can: &Can<WorkProblems>,
    id: ProblemId,
) -> Result<ProblemView, AppError> {
    step(
        db,
        StepBy::Unit(can),
        id,
        ProblemAction::StartWork,
        "start_work",
        "",
    )
    .await
}

/// Resolve with evidence: attachments of this problem, and/or a note of what was done.
pub async fn resolve(
    db: &Db,
    can: &Can<WorkProblems>,
    id: ProblemId,
    s: &StepInput,
) -> Result<ProblemView, AppError> {
    let note = text::field("note", &s.note, 2000, false)?;
    let own = attachments::for_object(db, "problem", id.get()).await?;
    let mut evidence = Vec::new();
    for a in &s.evidence {
        match own.iter().find(|x| x.id == *a) {
            Some(x) => evidence.push(format!("attachment:{} sha256:{}", x.id, x.sha256)),
            None => {
                return Err(FieldError::new(
                    "evidence",
                    "unknown",
                    format!("附件 {a} 不属于该问题"),
                    format!("attachment {a} does not belong to this problem"),
                )
                .into());
            }
        }
    }
    let full_note = if evidence.is_empty() {
        note.clone()
    } else {
        format!("{note}\n{}", evidence.join("\n"))
    };
    step(
        db,
        StepBy::Unit(can),
        id,
        ProblemAction::Resolve { evidence, note },
        "resolve",
        full_note.trim(),
    )
    .await
}

/// 销号: by a supervisor other than the person who resolved it.
pub async fn close(
    db: &Db,
    can: &Can<Supervise>,
    id: ProblemId,
    n: &NoteInput,
) -> Result<ProblemView, AppError> {
    let s = &StepInput {
        note: n.note.clone(),
        ..Default::default()
    };
    supervisor_step(db, can, id, s, "close", |_| ProblemAction::Close {
        by: can.actor().user_id,
    })
    .await
}

pub async fn reopen(
    db: &Db,
    can: &Can<Supervise>,
    id: ProblemId,
    s: &StepInput,
) -> Result<ProblemView, AppError> {
    supervisor_step(db, can, id, s, "reopen", |note| ProblemAction::Reopen {
        reason: note.to_string(),
    })
    .await
}

/// A supervisor's step that takes the checked note as its text.
async fn supervisor_step(
    db: &Db,
    can: &Can<Supervise>,
    id: ProblemId,
    s: &StepInput,
    name: &str,
    action: impl FnOnce(&str) -> ProblemAction,
) -> Result<ProblemView, AppError> {
    // 销号 records what the supervisor checked: a note is required, as for a reopening.
    let note = text::field("note", &s.note, 2000, name == "close")?;
    step(db, StepBy::Supervisor(can), id, action(&note), name, &note).await
}

/// A progress note by the lead or an assisting unit (no state change).
pub async fn note<C: Cap>(
    db: &Db,
    can: &Can<C>,
    id: ProblemId,
    s: &NoteInput,
) -> Result<ProblemView, AppError> {
    let p = load(db, can, id).await?;
    let note = text::field("note", &s.note, 2000, true)?;
    let mut w = can.write(db).await?;
    store::log_event(
        w.tx(),
        id,
        Some(can.actor().user_id),
        "note",
        Some(p.state),
        p.state,
        &note,
    )
    .await?;
    w.audit("problem.note", "problem", id, audit::NONE, Some(&note));
    w.problems_changed();
    w.commit().await?;
    view(db, p).await
}

/// A note that must say something: a progress note, the reason a problem is closed (销号).
#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NoteInput {
    /// Required; a missing note is refused naming the field, as an empty one is.
    #[serde(default)]
    #[schemars(required, length(min = 1, max = 2000), regex(pattern = r"\S"))]
    pub note: String,
}

#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExtensionInput {
    #[schemars(extend("format" = "date"))]
    pub requested: String,
    pub reason: String,
}

/// 延期申请 by the lead unit.
pub async fn request_extension(
    db: &Db,
    can: &Can<WorkProblems>,
    id: ProblemId,
    x: &ExtensionInput,
) -> Result<ProblemView, AppError> {
    let p = load(db, can, id).await?;
    if !p.lead_unit_id.is_some_and(|u| can.reach().covers(u)) || !p.state.is_pending() {
        return Err(AppError::Transition(duban_domain::TransitionError {
            state: p.state.code(),
            action: "request_extension",
            zh: "只有牵头单位可以对未办结的问题申请延期".into(),
            en: "only the lead unit asks to extend a pending problem".into(),
        }));
    }
    let current = p.deadline.ok_or_else(|| {
        FieldError::new(
            "requested",
            "no_deadline",
            "该问题尚无整改期限",
            "the problem has no deadline yet",
        )
    })?;
    let requested = text::date("requested", &x.requested)?;
    let req = ExtensionRequest::parse(current, requested, &x.reason)?;
    let mut w = can.write(db).await?;
    let eid = store::request_extension(w.tx(), id, &req, can.actor().user_id)
        .await
        .map_err(|e| match e {
            StoreError::Duplicate(_) => {
                AppError::Conflict("an extension request is already pending".into())
            }
            e => e.into(),
        })?;
    store::log_event(
        w.tx(),
        id,
        Some(can.actor().user_id),
        "request_extension",
        Some(p.state),
        p.state,
        &format!("{requested}: {}", req.reason),
    )
    .await?;
    w.audit(
        "problem.request_extension",
        "problem_extension",
        eid,
        audit::NONE,
        Some(&serde_json::json!({ "problem": id, "requested": requested, "reason": req.reason })),
    );
    // The supervisors over the lead unit decide.
    if let Some(lead) = p.lead_unit_id {
        let unit = duban_store::units::get(db, lead)
            .await
            .map(|u| u.name)
            .unwrap_or_default();
        let m = duban_domain::notify::extension_asked_message(
            id.get(),
            &p.description,
            &unit,
            current,
            requested,
            &req.reason,
        );
        let me = can.actor().user_id.get();
        let to: std::collections::BTreeSet<i64> = w
            .people_over(lead, &[duban_domain::Role::Supervisor])
            .await?
            .into_iter()
            .filter(|u| *u != me)
            .collect();
        for user in to {
            w.notify(user, &m, format!("extension_asked:{eid}:{user}"));
        }
    }
    w.problems_changed();
    w.commit().await?;
    view(db, p).await
}

#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionInput {
    pub approve: bool,
    #[serde(default)]
    pub note: String,
}

/// A supervisor approves (the deadline moves) or rejects an extension request.
pub async fn decide_extension(
    db: &Db,
    can: &Can<Supervise>,
    id: ProblemId,
    ext: i64,
    d: &DecisionInput,
) -> Result<ProblemView, AppError> {
    let p = load(db, can, id).await?;
    let x = store::extension(db, ext)
        .await
        .map_err(|_| AppError::NotFound { what: "extension" })?;
    if x.problem_id != id {
        return Err(AppError::NotFound { what: "extension" });
    }
    let note = text::field("note", &d.note, 500, false)?;
    let mut w = can.write(db).await?;
    store::decide_extension(w.tx(), ext, d.approve, can.actor().user_id)
        .await
        .map_err(|e| match e {
            StoreError::Stale => AppError::Conflict("the request was already decided".into()),
            e => e.into(),
        })?;
    if d.approve {
        let new = NaiveDate::parse_from_str(&x.requested, "%Y-%m-%d")
            .map_err(|e| AppError::internal("background task", e))?;
        store::set_deadline(w.tx(), id, new).await?;
    }
    let verdict = if d.approve {
        "approve_extension"
    } else {
        "reject_extension"
    };
    store::log_event(
        w.tx(),
        id,
        Some(can.actor().user_id),
        verdict,
        Some(p.state),
        p.state,
        &note,
    )
    .await?;
    w.audit(
        format!("problem.{verdict}"),
        "problem_extension",
        ext,
        Some(&x),
        Some(&note),
    );
    // The lead unit hears the answer.
    if let Some(lead) = p.lead_unit_id {
        let deadline = if d.approve {
            NaiveDate::parse_from_str(&x.requested, "%Y-%m-%d").ok()
        } else {
            p.deadline
        };
        if let Some(deadline) = deadline {
            let m = duban_domain::notify::extension_decided_message(
                id.get(),
                &p.description,
                d.approve,
                deadline,
                &note,
            );
            for user in w.people_of(lead, PROBLEM_PEOPLE).await? {
                w.notify(user, &m, format!("extension_decided:{ext}:{user}"));
            }
        }
    }
    w.problems_changed();
    w.commit().await?;
    view(db, store::get(db, id).await?).await
}

#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProblemQuery {
    #[schemars(with = "Option<duban_domain::problem::ProblemState>")]
    pub state: Option<String>,
    pub project: Option<ProjectId>,
    pub lead_unit: Option<i64>,
    /// A unit: problems of it and its sub-units.
    pub unit: Option<i64>,
    /// Only problems led by a unit in scope (as the dashboards count them), not those a
    /// unit in scope assists or whose project it owns.
    pub led: Option<bool>,
    /// overdue | due_soon
    #[schemars(extend("enum" = ["overdue", "due_soon"]))]
    pub deadline: Option<String>,
    /// report | inspection | dispatch | leader
    #[schemars(with = "Option<duban_domain::codes::ProblemSource>")]
    pub source: Option<String>,
    /// YYYY-MM-DD: problems created on or after this day (e.g. this week's dispatch decisions).
    #[schemars(extend("format" = "date"))]
    pub created_from: Option<String>,
    /// Words in the description, the responsible person, or the project's code or name.
    pub q: Option<String>,
    #[schemars(range(min = 1, max = 1_000_000))]
    pub page: Option<i64>,
    #[schemars(range(min = 1, max = crate::MAX_PAGE_SIZE))]
    pub page_size: Option<i64>,
}

#[derive(Debug, Serialize)]
pub struct ProblemRow {
    #[serde(flatten)]
    pub problem: Problem,
    pub deadline_status: DeadlineStatus,
    /// The project the problem belongs to, when it has one.
    pub project_code: Option<String>,
    pub project_name: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct ProblemPage {
    pub total: i64,
    pub items: Vec<ProblemRow>,
}

pub async fn list(
    db: &Db,
    can: &Can<ReadRegistry>,
    q: &ProblemQuery,
) -> Result<ProblemPage, AppError> {
    let mut e = ValidationErrors::default();
    let state = q
        .state
        .as_deref()
        .and_then(|s| e.take(ProblemState::parse("state", s)));
    let due_soon = settings::get(db).await?.due_soon_days;
    let t = today();
    let (before, from) = match q.deadline.as_deref() {
        None | Some("") => (None, None),
        Some("overdue") => (Some(t), None),
        Some("due_soon") => (Some(t + chrono::Days::new(due_soon as u64 + 1)), Some(t)),
        Some(other) => {
            e.push(FieldError::new(
                "deadline",
                "unknown_code",
                format!("“{other}”无效，应为 overdue 或 due_soon"),
                format!("'{other}' is not overdue or due_soon"),
            ));
            (None, None)
        }
    };
    let source = q
        .source
        .as_deref()
        .and_then(|s| e.take(duban_domain::codes::ProblemSource::parse("source", s)));
    let created_from_ms = q
        .created_from
        .as_deref()
        .and_then(|d| e.take(duban_domain::text::date("created_from", d)))
        .map(crate::clock::day_start_ms);
    let (offset, limit) = crate::paging_in(&mut e, q.page, q.page_size);
    crate::positive_id_in(&mut e, "project", q.project.map(|p| p.get()));
    e.into_result(|| ())?;
    let (total, items) = store::list(
        db,
        &ProblemFilter {
            reach: can.reach_within(q.unit),
            led_only: q.led.unwrap_or(false),
            overdue_states: Some(crate::analytics::overdue_states(
                &crate::analytics::definitions(db).await?,
            )),
            state,
            project_id: q.project,
            lead_unit_id: q.lead_unit,
            source,
            created_from_ms,
            deadline_before: before,
            deadline_from: from,
            text: q
                .q
                .as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string),
            offset,
            limit,
        },
    )
    .await?;
    let ids: Vec<ProjectId> = items.iter().filter_map(|p| p.project_id).collect();
    let labels: std::collections::HashMap<ProjectId, (String, String)> =
        duban_store::projects::by_ids(db, &ids)
            .await?
            .into_iter()
            .map(|p| (p.id, (p.spec.code.as_str().to_string(), p.spec.name)))
            .collect();
    Ok(ProblemPage {
        total,
        items: items
            .into_iter()
            .map(|p| {
                let label = p.project_id.and_then(|id| labels.get(&id).cloned());
                ProblemRow {
                    deadline_status: problem::deadline_status(p.state, p.deadline, t, due_soon),
                    project_code: label.as_ref().map(|l| l.0.clone()),
                    project_name: label.map(|l| l.1),
                    problem: p,
                }
            })
            .collect(),
    })
}

/// What a clerk may say when raising a report's 存在问题及需协调事项 as a problem.
#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RaiseInput {
    /// The category (default: other).
    #[serde(default)]
    #[schemars(with = "Option<duban_domain::codes::ProblemCategory>")]
    pub category: Option<String>,
}

/// A clerk raises the 存在问题及需协调事项 of one of their unit's reports as a problem on
/// the report's project: open (待交办), for a supervisor to assign a lead unit and a
/// deadline. Raising the same text of the same project again returns the problem
/// already raised.
pub async fn raise_from_report(
    db: &Db,
    can: &Can<crate::access::DraftReports>,
    report_id: duban_domain::ids::ReportId,
    i: &RaiseInput,
) -> Result<ProblemView, AppError> {
    let r = duban_store::reports::get(db, report_id)
        .await
        .map_err(|_| AppError::NotFound { what: "report" })?;
    let unit = projects::unit_of(db, r.project_id)
        .await?
        .ok_or(AppError::NotFound { what: "report" })?;
    can.check(unit, "report")?;
    if matches!(
        r.state,
        duban_domain::report::ReportState::Draft | duban_domain::report::ReportState::Returned
    ) {
        return Err(FieldError::new(
            "state",
            "not_sent",
            "报告报送后方可提请督办",
            "a report is raised with the supervisors once it is submitted",
        )
        .into());
    }
    let mut e = ValidationErrors::default();
    let description = e.take(text::field("issues", &r.figures.issues, 2000, true));
    let category = e.take(ProblemCategory::parse(
        "category",
        i.category.as_deref().unwrap_or("other"),
    ));
    e.into_result(|| ())?;
    let description = description.expect("checked");
    if let Some(id) = store::raised(db, r.project_id, &description).await? {
        return view(db, store::get(db, id).await?).await;
    }
    let p = Problem {
        id: ProblemId::new(0),
        project_id: Some(r.project_id),
        source: ProblemSource::Report,
        category: category.expect("checked"),
        description,
        lead_unit_id: None,
        assisting_unit_ids: vec![],
        responsible: String::new(),
        deadline: None,
        state: ProblemState::Open,
        resolved_by: None,
        created_at: now_ms(),
    };
    let mut w = can.write(db).await?;
    let id = store::insert(w.tx(), &p, Some(can.actor().user_id)).await?;
    store::log_event(
        w.tx(),
        id,
        Some(can.actor().user_id),
        "notes",
        Some(ProblemState::Open),
        ProblemState::Open,
        &format!(
            "来自{}进度报告（#{}）的存在问题及需协调事项",
            r.period,
            r.id.get()
        ),
    )
    .await?;
    w.audit(
        "problem.raise",
        "problem",
        id,
        audit::NONE,
        Some(&serde_json::json!({ "report": r.id, "problem": &p })),
    );
    w.problems_changed();
    w.commit().await?;
    view(db, store::get(db, id).await?).await
}
