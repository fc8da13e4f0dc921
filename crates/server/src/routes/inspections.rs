//! Inspections (督查) and their findings (supervisors record; readers read).

use crate::AppState;
use crate::extract::{Allowed, Body, Ids, Q};
use crate::openapi::{Api, doc};
use crate::respond::{Res, ok};
use axum::extract::State;
use axum::routing::{get, post};
use duban_app::access::{ReadRegistry, Supervise};
use duban_app::inspections::{self, FindingInput};
use duban_domain::inspection::InspectionInput;

pub fn routes(x: &mut Api) {
    let d = doc("inspections", "Inspections in scope").query::<PageQuery>(x);
    x.op("get", "/api/v1/inspections", get(list), d);
    let d = doc("inspections", "Record an inspection (supervisor)").body::<InspectionInput>(x);
    x.op("post", "/api/v1/inspections", post(create), d);
    x.op(
        "get",
        "/api/v1/inspections/{id}",
        get(one),
        doc("inspections", "An inspection with its findings"),
    );
    let d = doc(
        "inspections",
        "Add a finding; optionally make it a problem in the same step",
    )
    .body::<FindingInput>(x);
    x.op(
        "post",
        "/api/v1/inspections/{id}/findings",
        post(finding),
        d,
    );
}

#[derive(Debug, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PageQuery {
    pub unit: Option<i64>,
    #[schemars(range(min = 1, max = 1_000_000))]
    pub page: Option<i64>,
    #[schemars(range(min = 1, max = duban_app::MAX_PAGE_SIZE))]
    pub page_size: Option<i64>,
}

async fn list(
    State(s): State<AppState>,
    Allowed(can): Allowed<ReadRegistry>,
    Q(q): Q<PageQuery>,
) -> Res {
    ok(inspections::list(&s.db, &can, q.unit, q.page, q.page_size).await?)
}
async fn create(
    State(s): State<AppState>,
    Allowed(can): Allowed<Supervise>,
    Body(b): Body<InspectionInput>,
) -> Res {
    ok(inspections::create(&s.db, &can, &b).await?)
}
async fn one(State(s): State<AppState>, Allowed(can): Allowed<ReadRegistry>, id: Ids) -> Res {
    ok(inspections::get(&s.db, &can, id.one()).await?)
}
async fn finding(
    State(s): State<AppState>,
    Allowed(can): Allowed<Supervise>,
    id: Ids,
    Body(b): Body<FindingInput>,
) -> Res {
    ok(inspections::add_finding(&s.db, &can, id.one(), &b).await?)
}
