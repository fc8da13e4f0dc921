//! The registry: units, industry chains, projects and their annual plans, and the
//! registry's view as CSV and as an OC4IDS package.

use crate::AppState;
use crate::extract::{Allowed, Auth, Body, Ids, Q};
use crate::openapi::{Api, doc};
use crate::respond::{Res, done, ok, streamed};
use axum::extract::State;
use axum::routing::{get, post, put};
use duban_app::access::{EditRegistry, ManageUnits, ReadRegistry};
use duban_app::export::{Oc4idsExport, ProjectExport};
use duban_app::registry::{self, PlanInput, ProjectQuery};
use duban_domain::project::ProjectInput;
use duban_domain::unit::UnitInput;
use serde_json::json;

pub fn routes(x: &mut Api) {
    x.op(
        "get",
        "/api/v1/units",
        get(units),
        doc("registry", "The unit tree"),
    );
    let d = doc("registry", "Create a unit (admin, supervisor)").body::<UnitInput>(x);
    x.op("post", "/api/v1/units", post(create_unit), d);
    let d = doc("registry", "Change a unit (with its version)").body::<UnitInput>(x);
    x.op("put", "/api/v1/units/{id}", put(update_unit), d);
    let d = doc(
        "registry",
        "Archive a unit without projects, users or sub-units",
    )
    .body::<VersionInput>(x);
    x.op("post", "/api/v1/units/{id}/archive", post(archive_unit), d);
    x.op(
        "get",
        "/api/v1/chains",
        get(chains),
        doc("registry", "Industry chains"),
    );
    let d = doc(
        "registry",
        "Projects in the caller's scope, filtered, sorted, paged",
    )
    .query::<ProjectQuery>(x);
    x.op("get", "/api/v1/projects", get(projects), d);
    let d = doc(
        "registry",
        "The current view of the registry (its filters and order, every page) as CSV for Excel",
    )
    .query::<ProjectQuery>(x)
    .file(&["text/csv"]);
    x.op("get", "/api/v1/projects/export.csv", get(export), d);
    let d = doc("registry", "Create a project (supervisor)").body::<ProjectInput>(x);
    x.op("post", "/api/v1/projects", post(create_project), d);
    x.op(
        "get",
        "/api/v1/projects/{id}",
        get(project),
        doc("registry", "A project"),
    );
    let d = doc(
        "registry",
        "Change a project (with its version; 409 with the current one when stale)",
    )
    .body::<ProjectInput>(x);
    x.op("put", "/api/v1/projects/{id}", put(update_project), d);
    let d = doc("registry", "Archive a project").body::<VersionInput>(x);
    x.op(
        "post",
        "/api/v1/projects/{id}/archive",
        post(archive_project),
        d,
    );
    x.op(
        "get",
        "/api/v1/projects/{id}/plans/{year}",
        get(plan),
        doc(
            "registry",
            "A project's annual plan with its monthly curve and milestones",
        ),
    );
    let d = doc(
        "registry",
        "Create or replace an annual plan (with its version)",
    )
    .body::<PlanInput>(x);
    x.op(
        "put",
        "/api/v1/projects/{id}/plans/{year}",
        put(put_plan),
        d,
    );
    let d = doc("registry", "Archive (withdraw) an annual plan").body::<VersionInput>(x);
    x.op(
        "post",
        "/api/v1/projects/{id}/plans/{year}/archive",
        post(archive_plan),
        d,
    );
    let d = doc(
        "registry",
        "The registry's view (same query as the list) as an OC4IDS 0.9 project package",
    )
    .query::<ProjectQuery>(x);
    x.op("get", "/api/v1/export/oc4ids", get(oc4ids), d);
}

#[derive(Debug, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct VersionInput {
    /// The version the change is based on.
    pub version: i64,
}

/// Every signed-in user reads the unit tree and the chains (forms and filters need them).
async fn units(State(s): State<AppState>, a: Auth) -> Res {
    let items = registry::units(&s.db, &a.caller).await?;
    ok(json!({ "total": items.len(), "items": items }))
}
async fn chains(State(s): State<AppState>, a: Auth) -> Res {
    let items = registry::chains(&s.db, &a.caller).await?;
    ok(json!({ "total": items.len(), "items": items }))
}
async fn create_unit(
    State(s): State<AppState>,
    Allowed(can): Allowed<ManageUnits>,
    Body(b): Body<UnitInput>,
) -> Res {
    ok(registry::create_unit(&s.db, &can, &b).await?)
}
async fn update_unit(
    State(s): State<AppState>,
    Allowed(can): Allowed<ManageUnits>,
    id: Ids,
    Body(b): Body<UnitInput>,
) -> Res {
    ok(registry::update_unit(&s.db, &can, id.one(), &b).await?)
}
async fn archive_unit(
    State(s): State<AppState>,
    Allowed(can): Allowed<ManageUnits>,
    id: Ids,
    Body(b): Body<VersionInput>,
) -> Res {
    registry::archive_unit(&s.db, &can, id.one(), b.version).await?;
    done()
}
async fn projects(
    State(s): State<AppState>,
    Allowed(can): Allowed<ReadRegistry>,
    Q(q): Q<ProjectQuery>,
) -> Res {
    let page = registry::list_projects(&s.db, &can, &q).await?;
    ok(page)
}
async fn project(State(s): State<AppState>, Allowed(can): Allowed<ReadRegistry>, id: Ids) -> Res {
    ok(registry::project(&s.db, &can, id.one()).await?)
}
async fn create_project(
    State(s): State<AppState>,
    Allowed(can): Allowed<EditRegistry>,
    Body(b): Body<ProjectInput>,
) -> Res {
    ok(registry::create_project(&s.db, &can, &b).await?)
}
async fn update_project(
    State(s): State<AppState>,
    Allowed(can): Allowed<EditRegistry>,
    id: Ids,
    Body(b): Body<ProjectInput>,
) -> Res {
    ok(registry::update_project(&s.db, &can, id.one(), &b).await?)
}
async fn archive_project(
    State(s): State<AppState>,
    Allowed(can): Allowed<EditRegistry>,
    id: Ids,
    Body(b): Body<VersionInput>,
) -> Res {
    registry::archive_project(&s.db, &can, id.one(), b.version).await?;
    done()
}
fn year(v: i64) -> Result<i32, crate::ApiError> {
    i32::try_from(v)
        .ok()
        .filter(|y| (1990..=2100).contains(y))
        .ok_or_else(|| {
            duban_app::AppError::from(duban_domain::FieldError::new(
                "year",
                "range",
                "年份应在1990—2100之间",
                "the year must be 1990 to 2100",
            ))
            .into()
        })
}
async fn plan(State(s): State<AppState>, Allowed(can): Allowed<ReadRegistry>, ids: Ids) -> Res {
    let (id, y) = ids.two();
    ok(registry::plan(&s.db, &can, id, year(y)?).await?)
}
async fn archive_plan(
    State(s): State<AppState>,
    Allowed(can): Allowed<EditRegistry>,
    ids: Ids,
    Body(b): Body<VersionInput>,
) -> Res {
    let (id, y) = ids.two();
    registry::archive_plan(&s.db, &can, id, year(y)?, b.version).await?;
    done()
}
async fn put_plan(
    State(s): State<AppState>,
    Allowed(can): Allowed<EditRegistry>,
    ids: Ids,
    Body(b): Body<PlanInput>,
) -> Res {
    let (id, y) = ids.two();
    ok(registry::put_plan(&s.db, &can, id, year(y)?, &b).await?)
}

/// The registry's view as CSV; the audit log records who took which view out.
async fn export(
    State(s): State<AppState>,
    Allowed(can): Allowed<ReadRegistry>,
    Q(query): Q<ProjectQuery>,
) -> Res {
    let english = query.lang.as_deref() == Some("en");
    let export = ProjectExport::new(&s.db, &can, &query, english).await?;
    let name = if english {
        "projects.csv"
    } else {
        "项目库.csv"
    };
    Ok(streamed(
        s.db.clone(),
        export,
        "text/csv; charset=utf-8",
        name,
        "projects.csv",
    ))
}

/// The registry's view as an OC4IDS project package.
async fn oc4ids(
    State(s): State<AppState>,
    Allowed(can): Allowed<ReadRegistry>,
    Q(query): Q<ProjectQuery>,
) -> Res {
    let export = Oc4idsExport::new(&s.db, &can, &query).await?;
    Ok(streamed(
        s.db.clone(),
        export,
        "application/json",
        "oc4ids-projects.json",
        "oc4ids-projects.json",
    ))
}
