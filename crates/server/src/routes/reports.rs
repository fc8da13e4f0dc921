//! Monthly progress reports: drafted by a unit's clerks, approved or returned by its
//! approvers, corrected as new revisions; and the 催报 list of missing ones.

use crate::AppState;
use crate::extract::{Allowed, Body, Ids, Q};
use crate::openapi::{Api, doc};
use crate::respond::{Res, ok};
use axum::extract::State;
use axum::routing::{get, post, put};
use duban_app::access::{ApproveReports, DraftReports, ReadRegistry, Supervise};
use duban_app::reports::{self, CorrectInput, NewReportInput, ReportQuery, ReturnInput};
use duban_domain::report::ReportFigures;
use serde_json::json;

pub fn routes(x: &mut Api) {
    let d = doc(
        "reports",
        "Reports in scope (drafts only for the unit's clerks)",
    )
    .query::<ReportQuery>(x);
    x.op("get", "/api/v1/reports", get(list), d);
    let d = doc("reports", "Start the report of a period (draft)").body::<NewReportInput>(x);
    x.op("post", "/api/v1/reports", post(create), d);
    let d = doc(
        "reports",
        "催报: how many reports of a period are missing in each unit (its own projects), most first, with the first `list` of them by code",
    )
    .query::<MissingQuery>(x);
    x.op("get", "/api/v1/reports/missing", get(missing), d);
    let d = doc(
        "reports",
        "催报: a page of one unit's own projects whose report of a period is missing, by code",
    )
    .query::<MissingPageQuery>(x);
    x.op(
        "get",
        "/api/v1/reports/missing/projects",
        get(missing_page),
        d,
    );
    let d = doc(
        "reports",
        "催报: remind the units with missing reports of a period now (once a day per unit and person)",
    )
    .body::<UrgeInput>(x);
    x.op("post", "/api/v1/reports/urge", post(urge), d);
    x.op(
        "get",
        "/api/v1/reports/{id}",
        get(one),
        doc("reports", "A report with its warnings"),
    );
    let d = doc("reports", "Save a draft or a returned report").body::<ReportFigures>(x);
    x.op("put", "/api/v1/reports/{id}", put(edit), d);
    x.op(
        "post",
        "/api/v1/reports/{id}/submit",
        post(submit),
        doc("reports", "Submit (validated; warnings returned)"),
    );
    x.op(
        "post",
        "/api/v1/reports/{id}/approve",
        post(approve),
        doc("reports", "Approve (approver of the unit)"),
    );
    let d = doc("reports", "Return with a reason (approver of the unit)").body::<ReturnInput>(x);
    x.op("post", "/api/v1/reports/{id}/return", post(give_back), d);
    let d = doc(
        "reports",
        "Open a correction of an approved report (a new revision), with its reason",
    )
    .body::<CorrectInput>(x);
    x.op("post", "/api/v1/reports/{id}/correct", post(correct), d);
    let d = doc(
        "reports",
        "Raise the report's 存在问题及需协调事项 as a problem for the supervisors to assign (the unit's clerk)",
    )
    .body::<duban_app::problems::RaiseInput>(x);
    x.op(
        "post",
        "/api/v1/reports/{id}/raise-problem",
        post(raise_problem),
        d,
    );
    x.op(
        "get",
        "/api/v1/reports/{id}/revisions",
        get(revisions),
        doc("reports", "Every revision of the period with diffs"),
    );
}

async fn list(
    State(s): State<AppState>,
    Allowed(can): Allowed<ReadRegistry>,
    Q(q): Q<ReportQuery>,
) -> Res {
    ok(reports::list(&s.db, &can, &q).await?)
}
async fn create(
    State(s): State<AppState>,
    Allowed(can): Allowed<DraftReports>,
    Body(b): Body<NewReportInput>,
) -> Res {
    ok(reports::create(&s.db, &can, &b).await?)
}
async fn one(State(s): State<AppState>, Allowed(can): Allowed<ReadRegistry>, id: Ids) -> Res {
    ok(reports::get(&s.db, &can, id.one()).await?)
}
async fn edit(
    State(s): State<AppState>,
    Allowed(can): Allowed<DraftReports>,
    id: Ids,
    Body(b): Body<ReportFigures>,
) -> Res {
    ok(reports::edit(&s.db, &can, id.one(), &b).await?)
}
async fn submit(State(s): State<AppState>, Allowed(can): Allowed<DraftReports>, id: Ids) -> Res {
    ok(reports::submit(&s.db, &can, id.one()).await?)
}
async fn approve(State(s): State<AppState>, Allowed(can): Allowed<ApproveReports>, id: Ids) -> Res {
    ok(reports::decide(&s.db, &can, id.one(), None).await?)
}
async fn give_back(
    State(s): State<AppState>,
    Allowed(can): Allowed<ApproveReports>,
    id: Ids,
    Body(b): Body<ReturnInput>,
) -> Res {
    ok(reports::decide(&s.db, &can, id.one(), Some(&b.reason)).await?)
}
async fn correct(
    State(s): State<AppState>,
    Allowed(can): Allowed<DraftReports>,
    id: Ids,
    Body(b): Body<CorrectInput>,
) -> Res {
    ok(reports::correct(&s.db, &can, id.one(), &b).await?)
}
async fn raise_problem(
    State(s): State<AppState>,
    Allowed(can): Allowed<DraftReports>,
    id: Ids,
    Body(b): Body<duban_app::problems::RaiseInput>,
) -> Res {
    ok(duban_app::problems::raise_from_report(&s.db, &can, id.one(), &b).await?)
}
async fn revisions(State(s): State<AppState>, Allowed(can): Allowed<ReadRegistry>, id: Ids) -> Res {
    ok(json!({ "items": reports::revisions(&s.db, &can, id.one()).await? }))
}

#[derive(Debug, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MissingQuery {
    /// YYYY-MM
    #[schemars(regex(pattern = r"^(19\d\d|[2-9]\d{3})-(0?[1-9]|1[0-2])$"))]
    pub period: String,
    /// The unit and those under it (the whole reach when absent).
    #[schemars(range(min = 1))]
    pub unit: Option<i64>,
    /// How many of each unit's projects to list, by code (default 20, at most 500; 0 for
    /// the counts only). The rest are paged from `/api/v1/reports/missing/projects`.
    #[schemars(range(min = 0, max = 500))]
    pub list: Option<usize>,
}

async fn missing(
    State(s): State<AppState>,
    Allowed(can): Allowed<ReadRegistry>,
    Q(q): Q<MissingQuery>,
) -> Res {
    let list = q.list.unwrap_or(reports::MISSING_LISTED);
    let items = reports::missing(&s.db, &can, &q.period, q.unit, list).await?;
    let total: usize = items.iter().map(|g| g.count).sum();
    ok(json!({ "total": total, "items": items }))
}

#[derive(Debug, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MissingPageQuery {
    /// YYYY-MM
    #[schemars(regex(pattern = r"^(19\d\d|[2-9]\d{3})-(0?[1-9]|1[0-2])$"))]
    pub period: String,
    /// The unit whose own projects (本级) are listed.
    #[schemars(range(min = 1))]
    pub unit: i64,
    #[schemars(range(min = 1))]
    pub page: Option<i64>,
    #[schemars(range(min = 1, max = 500))]
    pub page_size: Option<i64>,
}

async fn missing_page(
    State(s): State<AppState>,
    Allowed(can): Allowed<ReadRegistry>,
    Q(q): Q<MissingPageQuery>,
) -> Res {
    let (total, items) = reports::missing_page(
        &s.db,
        &can,
        &q.period,
        q.unit,
        q.page.unwrap_or(1),
        q.page_size.unwrap_or(50),
    )
    .await?;
    ok(json!({ "total": total, "items": items }))
}

#[derive(Debug, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UrgeInput {
    /// YYYY-MM
    #[schemars(regex(pattern = r"^(19\d\d|[2-9]\d{3})-(0?[1-9]|1[0-2])$"))]
    pub period: String,
    /// The unit and those under it (the whole reach when absent).
    #[schemars(range(min = 1))]
    pub unit: Option<i64>,
}

async fn urge(
    State(s): State<AppState>,
    Allowed(can): Allowed<Supervise>,
    Body(q): Body<UrgeInput>,
) -> Res {
    let period =
        duban_domain::Period::parse("period", &q.period).map_err(duban_app::AppError::from)?;
    let today = duban_app::clock::today();
    ok(duban_app::routine::urge_missing(&s.db, &can, period, q.unit, today).await?)
}
