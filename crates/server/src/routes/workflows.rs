//! Progress reports and problems.

use super::{Res, ok};
use crate::AppState;
use crate::extract::{Auth, Body, Ids, Q};
use axum::extract::State;
use duban_app::access::{ApproveReports, DraftReports, ReadRegistry, Supervise, WorkProblems};
use duban_app::{problems, reports};
use duban_domain::report::ReportFigures;
use serde_json::json;

pub async fn reports(State(s): State<AppState>, a: Auth, Q(q): Q<reports::ReportQuery>) -> Res {
    ok(reports::list(&s.db, &a.caller.can::<ReadRegistry>()?, &q).await?)
}
pub async fn create_report(
    State(s): State<AppState>,
    a: Auth,
    Body(b): Body<reports::NewReportInput>,
) -> Res {
    ok(reports::create(&s.db, &a.caller.can::<DraftReports>()?, &b).await?)
}
pub async fn report(State(s): State<AppState>, a: Auth, id: Ids) -> Res {
    ok(reports::get(&s.db, &a.caller.can::<ReadRegistry>()?, id.one()).await?)
}
pub async fn edit_report(
    State(s): State<AppState>,
    a: Auth,
    id: Ids,
    Body(b): Body<ReportFigures>,
) -> Res {
    ok(reports::edit(&s.db, &a.caller.can::<DraftReports>()?, id.one(), &b).await?)
}
pub async fn submit(State(s): State<AppState>, a: Auth, id: Ids) -> Res {
    ok(reports::submit(&s.db, &a.caller.can::<DraftReports>()?, id.one()).await?)
}
pub async fn approve(State(s): State<AppState>, a: Auth, id: Ids) -> Res {
    ok(reports::decide(&s.db, &a.caller.can::<ApproveReports>()?, id.one(), None).await?)
}
pub async fn return_report(
    State(s): State<AppState>,
    a: Auth,
    id: Ids,
    Body(b): Body<reports::ReturnInput>,
) -> Res {
    ok(reports::decide(
        &s.db,
        &a.caller.can::<ApproveReports>()?,
        id.one(),
        Some(&b.reason),
    )
    .await?)
}
pub async fn correct(State(s): State<AppState>, a: Auth, id: Ids) -> Res {
    ok(reports::correct(&s.db, &a.caller.can::<DraftReports>()?, id.one()).await?)
}
pub async fn revisions(State(s): State<AppState>, a: Auth, id: Ids) -> Res {
    ok(
        json!({ "items": reports::revisions(&s.db, &a.caller.can::<ReadRegistry>()?, id.one()).await? }),
    )
}

#[derive(Debug, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MissingQuery {
    /// YYYY-MM
    pub period: String,
    pub unit: Option<i64>,
}

pub async fn missing(State(s): State<AppState>, a: Auth, Q(q): Q<MissingQuery>) -> Res {
    let items =
        reports::missing(&s.db, &a.caller.can::<ReadRegistry>()?, &q.period, q.unit).await?;
    let total: usize = items.iter().map(|g| g.count).sum();
    ok(json!({ "total": total, "items": items }))
}

pub async fn problems(State(s): State<AppState>, a: Auth, Q(q): Q<problems::ProblemQuery>) -> Res {
    ok(problems::list(&s.db, &a.caller.can::<ReadRegistry>()?, &q).await?)
}
pub async fn create_problem(
    State(s): State<AppState>,
    a: Auth,
    Body(b): Body<problems::ProblemInput>,
) -> Res {
    ok(problems::create(&s.db, &a.caller.can::<Supervise>()?, &b).await?)
}
pub async fn problem(State(s): State<AppState>, a: Auth, id: Ids) -> Res {
    ok(problems::get(&s.db, &a.caller.can::<ReadRegistry>()?, id.one()).await?)
}
pub async fn assign(
    State(s): State<AppState>,
    a: Auth,
    id: Ids,
    Body(b): Body<problems::AssignInput>,
) -> Res {
    ok(problems::assign(&s.db, &a.caller.can::<Supervise>()?, id.one(), &b).await?)
}
pub async fn acknowledge(State(s): State<AppState>, a: Auth, id: Ids) -> Res {
    ok(problems::acknowledge(&s.db, &a.caller.can::<WorkProblems>()?, id.one()).await?)
}
pub async fn start(State(s): State<AppState>, a: Auth, id: Ids) -> Res {
    ok(problems::start(&s.db, &a.caller.can::<WorkProblems>()?, id.one()).await?)
}
/// Notes come from the units working on the problem or from supervisors.
pub async fn note(
    State(s): State<AppState>,
    a: Auth,
    id: Ids,
    Body(b): Body<problems::StepInput>,
) -> Res {
    match a.caller.can::<WorkProblems>() {
        Ok(can) => ok(problems::note(&s.db, &can, id.one(), &b).await?),
        Err(_) => ok(problems::note(&s.db, &a.caller.can::<Supervise>()?, id.one(), &b).await?),
    }
}
pub async fn resolve(
    State(s): State<AppState>,
    a: Auth,
    id: Ids,
    Body(b): Body<problems::StepInput>,
) -> Res {
    ok(problems::resolve(&s.db, &a.caller.can::<WorkProblems>()?, id.one(), &b).await?)
}
pub async fn close(
    State(s): State<AppState>,
    a: Auth,
    id: Ids,
    Body(b): Body<problems::StepInput>,
) -> Res {
    ok(problems::close(&s.db, &a.caller.can::<Supervise>()?, id.one(), &b).await?)
}
pub async fn reopen(
    State(s): State<AppState>,
    a: Auth,
    id: Ids,
    Body(b): Body<problems::StepInput>,
) -> Res {
    ok(problems::reopen(&s.db, &a.caller.can::<Supervise>()?, id.one(), &b).await?)
}
pub async fn request_extension(
    State(s): State<AppState>,
    a: Auth,
    id: Ids,
    Body(b): Body<problems::ExtensionInput>,
) -> Res {
    ok(problems::request_extension(&s.db, &a.caller.can::<WorkProblems>()?, id.one(), &b).await?)
}
pub async fn decide_extension(
    State(s): State<AppState>,
    a: Auth,
    ids: Ids,
    Body(b): Body<problems::DecisionInput>,
) -> Res {
    let (id, ext) = ids.two();
    ok(problems::decide_extension(&s.db, &a.caller.can::<Supervise>()?, id, ext, &b).await?)
}
