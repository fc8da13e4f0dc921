//! The route table: every endpoint, its handler and its documentation in one list.
//! Handlers only translate HTTP to use cases in `duban_app` and back.

mod accounts;
mod analytics;
mod assessments;
mod bulletins;
mod exports;
mod imports;
mod registry;
mod work;
mod workflows;

use crate::error::ApiError;
use crate::openapi::{Api, doc};
use crate::{AppState, assets};
use axum::Json;
use axum::extract::State;
use axum::http::{Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post, put};
use serde::Serialize;
use serde_json::{Value, json};
use std::sync::Arc;

pub type Res = Result<Response, ApiError>;

pub fn ok<T: Serialize>(v: T) -> Res {
    Ok(Json(v).into_response())
}

/// `Content-Disposition` for a download: the name percent-encoded as RFC 5987 says, so
/// Chinese file names arrive intact and the header stays ASCII; `fallback` is for
/// clients that read only the plain `filename`.
pub fn attachment(name: &str, fallback: &str) -> String {
    let encoded: String = name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    format!("attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}")
}

/// Build the router and the OpenAPI document from the same table.
pub fn build() -> (axum::Router<AppState>, Value) {
    use duban_app as a;
    let mut api = Api::default();
    let x = &mut api;
    x.op(
        "get",
        "/healthz",
        get(healthz),
        doc("system", "Liveness, database engine and schema version").public(),
    );

    // Sessions, passwords, second factor, API tokens.
    let d = doc(
        "auth",
        "Log in; sets the session cookie and returns the CSRF token",
    )
    .public()
    .body::<a::auth::LoginInput>(x);
    x.op("post", "/api/v1/auth/login", post(accounts::login), d);
    x.op(
        "post",
        "/api/v1/auth/logout",
        post(accounts::logout),
        doc("auth", "Log out (ends the session)"),
    );
    x.op(
        "get",
        "/api/v1/auth/me",
        get(accounts::me),
        doc("auth", "The signed-in user, roles, capabilities"),
    );
    let d = doc("auth", "Change one's own password").body::<a::auth::PasswordChange>(x);
    x.op("post", "/api/v1/auth/password", post(accounts::password), d);
    x.op(
        "post",
        "/api/v1/auth/totp/setup",
        post(accounts::totp_setup),
        doc("auth", "Start TOTP enrolment: a new secret"),
    );
    let d = doc("auth", "Confirm TOTP enrolment with a current code").body::<a::auth::TotpCode>(x);
    x.op(
        "post",
        "/api/v1/auth/totp/enable",
        post(accounts::totp_enable),
        d,
    );
    let d = doc("auth", "Turn TOTP off with a current code").body::<a::auth::TotpCode>(x);
    x.op(
        "post",
        "/api/v1/auth/totp/disable",
        post(accounts::totp_disable),
        d,
    );
    x.op(
        "get",
        "/api/v1/tokens",
        get(accounts::tokens),
        doc("auth", "API tokens of the caller (administrators: all)"),
    );
    let d = doc(
        "auth",
        "Issue an API token with some of the caller's roles (shown once)",
    )
    .body::<a::auth::TokenInput>(x);
    x.op("post", "/api/v1/tokens", post(accounts::create_token), d);
    x.op(
        "delete",
        "/api/v1/tokens/{id}",
        delete(accounts::revoke_token),
        doc("auth", "Revoke an API token"),
    );

    // Administration.
    x.op(
        "get",
        "/api/v1/users",
        get(accounts::users),
        doc("admin", "Users of the units the administrator manages"),
    );
    let d = doc(
        "admin",
        "Create a user; returns the initial password (must be changed)",
    )
    .body::<a::accounts::UserInput>(x);
    x.op("post", "/api/v1/users", post(accounts::create_user), d);
    let d = doc(
        "admin",
        "Change a user's name, unit, roles or archived flag",
    )
    .body::<a::accounts::UserInput>(x);
    x.op("put", "/api/v1/users/{id}", put(accounts::update_user), d);
    x.op(
        "post",
        "/api/v1/users/{id}/lock",
        post(accounts::lock),
        doc("admin", "Lock an account"),
    );
    x.op(
        "post",
        "/api/v1/users/{id}/unlock",
        post(accounts::unlock),
        doc("admin", "Unlock an account"),
    );
    x.op(
        "post",
        "/api/v1/users/{id}/reset-password",
        post(accounts::reset),
        doc(
            "admin",
            "Reset a password; returns the new initial password",
        ),
    );
    x.op(
        "get",
        "/api/v1/settings",
        get(accounts::settings),
        doc("admin", "Business settings"),
    );
    let d = doc("admin", "Change business settings").body::<a::settings::Settings>(x);
    x.op("put", "/api/v1/settings", put(accounts::put_settings), d);

    // Registry.
    x.op(
        "get",
        "/api/v1/units",
        get(registry::units),
        doc("registry", "The unit tree"),
    );
    let d = doc("registry", "Create a unit (admin, supervisor)")
        .body::<duban_domain::unit::UnitInput>(x);
    x.op("post", "/api/v1/units", post(registry::create_unit), d);
    let d = doc("registry", "Change a unit (with its version)")
        .body::<duban_domain::unit::UnitInput>(x);
    x.op("put", "/api/v1/units/{id}", put(registry::update_unit), d);
    let d = doc(
        "registry",
        "Archive a unit without projects, users or sub-units",
    )
    .body::<registry::VersionInput>(x);
    x.op(
        "post",
        "/api/v1/units/{id}/archive",
        post(registry::archive_unit),
        d,
    );
    x.op(
        "get",
        "/api/v1/chains",
        get(registry::chains),
        doc("registry", "Industry chains"),
    );
    let d = doc(
        "registry",
        "Projects in the caller's scope, filtered, sorted, paged",
    )
    .query::<a::registry::ProjectQuery>(x);
    x.op("get", "/api/v1/projects", get(registry::projects), d);
    let d = doc(
        "registry",
        "The current view of the registry (its filters and order, every page) as CSV for Excel",
    )
    .query::<a::registry::ProjectQuery>(x);
    x.op(
        "get",
        "/api/v1/projects/export.csv",
        get(registry::export),
        d,
    );
    let d = doc("registry", "Create a project (supervisor)")
        .body::<duban_domain::project::ProjectInput>(x);
    x.op(
        "post",
        "/api/v1/projects",
        post(registry::create_project),
        d,
    );
    x.op(
        "get",
        "/api/v1/projects/{id}",
        get(registry::project),
        doc("registry", "A project"),
    );
    x.op(
        "get",
        "/api/v1/projects/{id}/attachments",
        get(work::project_attachments),
        doc(
            "attachments",
            "The files of a project's reports, problems and inspections the caller may open",
        ),
    );
    let d = doc(
        "registry",
        "Change a project (with its version; 409 with the current one when stale)",
    )
    .body::<duban_domain::project::ProjectInput>(x);
    x.op(
        "put",
        "/api/v1/projects/{id}",
        put(registry::update_project),
        d,
    );
    let d = doc("registry", "Archive a project").body::<registry::VersionInput>(x);
    x.op(
        "post",
        "/api/v1/projects/{id}/archive",
        post(registry::archive_project),
        d,
    );
    x.op(
        "get",
        "/api/v1/projects/{id}/plans/{year}",
        get(registry::plan),
        doc(
            "registry",
            "A project's annual plan with its monthly curve and milestones",
        ),
    );
    let d = doc(
        "registry",
        "Create or replace an annual plan (with its version)",
    )
    .body::<a::registry::PlanInput>(x);
    x.op(
        "put",
        "/api/v1/projects/{id}/plans/{year}",
        put(registry::put_plan),
        d,
    );
    let d = doc("registry", "Archive (withdraw) an annual plan").body::<registry::VersionInput>(x);
    x.op(
        "post",
        "/api/v1/projects/{id}/plans/{year}/archive",
        post(registry::archive_plan),
        d,
    );

    // Progress reports.
    let d = doc(
        "reports",
        "Reports in scope (drafts only for the unit's clerks)",
    )
    .query::<a::reports::ReportQuery>(x);
    x.op("get", "/api/v1/reports", get(workflows::reports), d);
    let d = doc("reports", "Start the report of a period (draft)")
        .body::<a::reports::NewReportInput>(x);
    x.op("post", "/api/v1/reports", post(workflows::create_report), d);
    let d = doc(
        "reports",
        "Projects whose report of a period is missing (催报), by unit",
    )
    .query::<workflows::MissingQuery>(x);
    x.op("get", "/api/v1/reports/missing", get(workflows::missing), d);
    x.op(
        "get",
        "/api/v1/reports/{id}",
        get(workflows::report),
        doc("reports", "A report with its warnings"),
    );
    let d = doc("reports", "Save a draft or a returned report")
        .body::<duban_domain::report::ReportFigures>(x);
    x.op(
        "put",
        "/api/v1/reports/{id}",
        put(workflows::edit_report),
        d,
    );
    x.op(
        "post",
        "/api/v1/reports/{id}/submit",
        post(workflows::submit),
        doc("reports", "Submit (validated; warnings returned)"),
    );
    x.op(
        "post",
        "/api/v1/reports/{id}/approve",
        post(workflows::approve),
        doc("reports", "Approve (approver of the unit)"),
    );
    let d = doc("reports", "Return with a reason (approver of the unit)")
        .body::<a::reports::ReturnInput>(x);
    x.op(
        "post",
        "/api/v1/reports/{id}/return",
        post(workflows::return_report),
        d,
    );
    x.op(
        "post",
        "/api/v1/reports/{id}/correct",
        post(workflows::correct),
        doc(
            "reports",
            "Open a correction of an approved report (a new revision)",
        ),
    );
    x.op(
        "get",
        "/api/v1/reports/{id}/revisions",
        get(workflows::revisions),
        doc("reports", "Every revision of the period with diffs"),
    );

    // Problems.
    let d = doc("problems", "Problems in scope").query::<a::problems::ProblemQuery>(x);
    x.op("get", "/api/v1/problems", get(workflows::problems), d);
    let d = doc("problems", "Record a problem (supervisor)").body::<a::problems::ProblemInput>(x);
    x.op(
        "post",
        "/api/v1/problems",
        post(workflows::create_problem),
        d,
    );
    x.op(
        "get",
        "/api/v1/problems/{id}",
        get(workflows::problem),
        doc(
            "problems",
            "A problem with its trail, extensions and evidence",
        ),
    );
    let d = doc(
        "problems",
        "Assign to a lead unit with a deadline (supervisor)",
    )
    .body::<a::problems::AssignInput>(x);
    x.op(
        "post",
        "/api/v1/problems/{id}/assign",
        post(workflows::assign),
        d,
    );
    x.op(
        "post",
        "/api/v1/problems/{id}/acknowledge",
        post(workflows::acknowledge),
        doc("problems", "Acknowledge (lead unit)"),
    );
    x.op(
        "post",
        "/api/v1/problems/{id}/start",
        post(workflows::start),
        doc("problems", "Start rectification (lead unit)"),
    );
    let d = doc("problems", "Add a progress note").body::<a::problems::StepInput>(x);
    x.op(
        "post",
        "/api/v1/problems/{id}/notes",
        post(workflows::note),
        d,
    );
    let d = doc("problems", "Resolve with evidence (lead unit)").body::<a::problems::StepInput>(x);
    x.op(
        "post",
        "/api/v1/problems/{id}/resolve",
        post(workflows::resolve),
        d,
    );
    let d = doc(
        "problems",
        "Close (销号) by a supervisor other than the resolver",
    )
    .body::<a::problems::StepInput>(x);
    x.op(
        "post",
        "/api/v1/problems/{id}/close",
        post(workflows::close),
        d,
    );
    let d = doc("problems", "Reopen with a reason (supervisor)").body::<a::problems::StepInput>(x);
    x.op(
        "post",
        "/api/v1/problems/{id}/reopen",
        post(workflows::reopen),
        d,
    );
    let d = doc("problems", "Ask for a later deadline (lead unit)")
        .body::<a::problems::ExtensionInput>(x);
    x.op(
        "post",
        "/api/v1/problems/{id}/extensions",
        post(workflows::request_extension),
        d,
    );
    let d = doc("problems", "Approve or reject an extension (supervisor)")
        .body::<a::problems::DecisionInput>(x);
    x.op(
        "post",
        "/api/v1/problems/{id}/extensions/{ext}/decide",
        post(workflows::decide_extension),
        d,
    );

    // Inspections, work items, attachments.
    let d = doc("inspections", "Inspections in scope").query::<work::PageQuery>(x);
    x.op("get", "/api/v1/inspections", get(work::inspections), d);
    let d = doc("inspections", "Record an inspection (supervisor)")
        .body::<duban_domain::inspection::InspectionInput>(x);
    x.op(
        "post",
        "/api/v1/inspections",
        post(work::create_inspection),
        d,
    );
    x.op(
        "get",
        "/api/v1/inspections/{id}",
        get(work::inspection),
        doc("inspections", "An inspection with its findings"),
    );
    let d = doc(
        "inspections",
        "Add a finding; optionally make it a problem in the same step",
    )
    .body::<a::inspections::FindingInput>(x);
    x.op(
        "post",
        "/api/v1/inspections/{id}/findings",
        post(work::finding),
        d,
    );
    let d = doc("work", "Work items (三本清单, indicator targets) in scope")
        .query::<a::work::WorkQuery>(x);
    x.op("get", "/api/v1/work-items", get(work::items), d);
    let d =
        doc("work", "Create a work item (supervisor)").body::<duban_domain::work::WorkItemInput>(x);
    x.op("post", "/api/v1/work-items", post(work::create_item), d);
    x.op(
        "get",
        "/api/v1/work-items/{id}",
        get(work::item),
        doc("work", "A work item with its progress"),
    );
    let d = doc("work", "Change a work item (with its version)").body::<a::work::WorkItemUpdate>(x);
    x.op("put", "/api/v1/work-items/{id}", put(work::update_item), d);
    let d = doc(
        "work",
        "Save the progress of a period; ?submit=true submits it",
    )
    .body::<duban_domain::work::ProgressInput>(x)
    .query::<work::SubmitQuery>(x);
    x.op(
        "post",
        "/api/v1/work-items/{id}/progress",
        post(work::save_progress),
        d,
    );
    x.op(
        "post",
        "/api/v1/work-progress/{id}/approve",
        post(work::approve_progress),
        doc("work", "Approve progress (approver of the unit)"),
    );
    let d = doc("work", "Return progress with a reason").body::<a::reports::ReturnInput>(x);
    x.op(
        "post",
        "/api/v1/work-progress/{id}/return",
        post(work::return_progress),
        d,
    );
    let d = doc(
        "attachments",
        "Upload a file (raw body) to a report, problem or inspection",
    )
    .query::<work::UploadQuery>(x)
    .raw_body();
    x.op(
        "post",
        "/api/v1/attachments",
        post(work::upload).layer(axum::extract::DefaultBodyLimit::max(200 * 1024 * 1024)),
        d,
    );
    x.op(
        "get",
        "/api/v1/attachments/{id}",
        get(work::download),
        doc("attachments", "Download a file"),
    );

    let d = doc(
        "registry",
        "The registry's view (same query as the list) as an OC4IDS 0.9 project package",
    )
    .query::<a::registry::ProjectQuery>(x);
    x.op("get", "/api/v1/export/oc4ids", get(registry::oc4ids), d);

    let d = doc(
        "exports",
        "A list as a file with its own query (scope and filters as on screen): projects, reports, problems, dispatch, missing, audit, users, units",
    )
    .query::<exports::FileQuery>(x);
    x.op("get", "/api/v1/export/{list}", get(exports::export), d);

    // Spreadsheet import.
    let d = doc(
        "imports",
        "An import template (.xlsx), optionally pre-filled",
    )
    .query::<a::imports::TemplateQuery>(x);
    x.op("get", "/api/v1/imports/template", get(imports::template), d);
    let d = doc(
        "imports",
        "Upload a workbook (raw body) for a dry run: what would be created, updated or rejected",
    )
    .query::<imports::UploadQuery>(x)
    .raw_body();
    x.op(
        "post",
        "/api/v1/imports",
        post(imports::preview).layer(axum::extract::DefaultBodyLimit::max(200 * 1024 * 1024)),
        d,
    );
    x.op(
        "get",
        "/api/v1/imports",
        get(imports::list),
        doc("imports", "Imports, newest first"),
    );
    x.op(
        "post",
        "/api/v1/imports/{id}/commit",
        post(imports::commit),
        doc("imports", "Commit a previewed import: all rows or none"),
    );

    // Analytics.
    for (path, summary, handler) in [
        (
            "/api/v1/stats/overview",
            "Headline figures: totals, completion, gap to time progress, start rate, lights, problems",
            get(analytics::overview),
        ),
        (
            "/api/v1/stats/breakdown",
            "Figures by unit (children of `unit`), chain, category or nature",
            get(analytics::breakdown),
        ),
        (
            "/api/v1/stats/curve",
            "Cumulative plan and actual by month",
            get(analytics::curve),
        ),
        (
            "/api/v1/stats/rankings",
            "Units ranked by a measure in their series, with red and black lists",
            get(analytics::rankings),
        ),
        (
            "/api/v1/stats/dispatch",
            "The dispatch list: how many projects need action, per reason, and a page of them",
            get(analytics::dispatch),
        ),
        (
            "/api/v1/stats/warnings",
            "Warnings and data-quality checks of the projects in scope, with the facts seen",
            get(analytics::warnings),
        ),
    ] {
        let d = doc("stats", summary).query::<analytics::StatsQuery>(x);
        x.op("get", path, handler, d);
    }
    let d = doc(
        "stats",
        "Why a project has its light: rules, inputs, warnings, forecast",
    )
    .query::<analytics::StatsQuery>(x);
    x.op("get", "/api/v1/stats/why/{id}", get(analytics::why), d);
    x.op(
        "get",
        "/api/v1/stats/measures",
        get(analytics::measures),
        doc(
            "stats",
            "Every measure with its definition (口径) under the office's settings",
        ),
    );

    // Assessments (考核).
    x.op(
        "get",
        "/api/v1/assessments",
        get(assessments::list),
        doc("assessments", "Assessment runs of the caller's scope"),
    );
    x.op(
        "get",
        "/api/v1/assessments/schemes",
        get(assessments::examples),
        doc("assessments", "The example schemes shipped with duban"),
    );
    let d = doc(
        "assessments",
        "Start a run of a scheme for a period: the scheme and duban's inputs are frozen (supervisor)",
    )
    .body::<a::assessments::StartInput>(x);
    x.op("post", "/api/v1/assessments", post(assessments::start), d);
    x.op(
        "get",
        "/api/v1/assessments/{id}",
        get(assessments::get),
        doc(
            "assessments",
            "A run with scores, ranks, grades and the explanation of every point",
        ),
    );
    let d = doc(
        "assessments",
        "Enter one's review score for a unit (reviewer)",
    )
    .body::<a::assessments::ReviewInput>(x);
    x.op(
        "post",
        "/api/v1/assessments/{id}/reviews",
        post(assessments::review),
        d,
    );
    let d = doc(
        "assessments",
        "Enter a unit's figure for an entered indicator, with its evidence (supervisor)",
    )
    .body::<a::assessments::EntryInput>(x);
    x.op(
        "post",
        "/api/v1/assessments/{id}/entries",
        post(assessments::enter),
        d,
    );
    x.op(
        "get",
        "/api/v1/assessments/{id}/xlsx",
        get(assessments::xlsx),
        doc(
            "assessments",
            "The ranking and every point's explanation as a workbook",
        ),
    );
    x.op(
        "post",
        "/api/v1/assessments/{id}/publish",
        post(assessments::publish),
        doc(
            "assessments",
            "Publish a run; review scores are closed (supervisor)",
        ),
    );

    // Monthly bulletins (通报).
    x.op(
        "get",
        "/api/v1/bulletins",
        get(bulletins::list),
        doc(
            "bulletins",
            "Bulletins of the caller's scope (readers: published ones)",
        ),
    );
    let d = doc(
        "bulletins",
        "Generate a draft from a snapshot of approved data frozen now (supervisor)",
    )
    .body::<a::bulletins::GenerateInput>(x);
    x.op("post", "/api/v1/bulletins", post(bulletins::generate), d);
    x.op(
        "get",
        "/api/v1/bulletins/{id}",
        get(bulletins::get),
        doc(
            "bulletins",
            "A bulletin and its document, composed from its stored snapshot",
        ),
    );
    x.op(
        "get",
        "/api/v1/bulletins/{id}/html",
        get(bulletins::html),
        doc("bulletins", "The bulletin as an HTML page"),
    );
    x.op(
        "get",
        "/api/v1/bulletins/{id}/docx",
        get(bulletins::docx),
        doc(
            "bulletins",
            "The bulletin as a Word document in the official style",
        ),
    );
    x.op(
        "get",
        "/api/v1/bulletins/{id}/xlsx",
        get(bulletins::xlsx),
        doc(
            "bulletins",
            "Every table of the bulletin, in full, as a workbook (the annex)",
        ),
    );
    x.op(
        "post",
        "/api/v1/bulletins/{id}/review",
        post(bulletins::review),
        doc("bulletins", "Mark a draft reviewed (supervisor)"),
    );
    x.op(
        "post",
        "/api/v1/bulletins/{id}/publish",
        post(bulletins::publish),
        doc("bulletins", "Publish a reviewed bulletin (supervisor)"),
    );
    x.op(
        "get",
        "/api/v1/settings/light-rules",
        get(analytics::light_rules),
        doc("admin", "The traffic-light rule set"),
    );
    let d = doc(
        "admin",
        "Change the traffic-light rule set (every year is recomputed)",
    )
    .body::<duban_domain::analytics::lights::RuleSet>(x);
    x.op(
        "put",
        "/api/v1/settings/light-rules",
        put(analytics::put_light_rules),
        d,
    );

    // Audit (auditors only).
    let d = doc(
        "audit",
        "The audit log, newest first (login attempts: action=login)",
    )
    .query::<a::audit::AuditQuery>(x);
    x.op("get", "/api/v1/audit", get(accounts::audit), d);
    x.op(
        "get",
        "/api/v1/audit/verify",
        get(accounts::audit_verify),
        doc("audit", "Verify the SM3 hash chain of the audit log"),
    );

    let (router, document) = api.document();
    let shared = Arc::new(document.clone());
    let router = router
        .route(
            "/api/openapi.json",
            get(move || {
                let d = shared.clone();
                async move { Json((*d).clone()) }
            }),
        )
        .route(
            "/api/{*rest}",
            get(api_not_found)
                .post(api_not_found)
                .put(api_not_found)
                .delete(api_not_found),
        )
        .method_not_allowed_fallback(method_not_allowed)
        .fallback(assets::static_file);
    (router, document)
}

async fn healthz(State(s): State<AppState>) -> Res {
    let v = duban_app::schema::current_version(&s.db)
        .await
        .map_err(duban_app::AppError::from)?;
    ok(
        json!({ "status": "ok", "database": s.db.backend().name(), "schema_version": v, "version": env!("CARGO_PKG_VERSION") }),
    )
}

async fn method_not_allowed(method: axum::http::Method, uri: Uri) -> ApiError {
    ApiError::new(
        axum::http::StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        format!("{method} is not allowed on {}", uri.path()),
        format!("接口 {} 不支持 {method} 请求", uri.path()),
    )
}

/// The media type of `.xlsx` files.
pub(super) const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// A file download with a UTF-8 name.
pub(super) fn download(
    bytes: Vec<u8>,
    mime: &'static str,
    name: &str,
    fallback: &str,
) -> axum::response::Response {
    (
        [
            (header::CONTENT_TYPE, mime.to_string()),
            (header::CONTENT_DISPOSITION, attachment(name, fallback)),
        ],
        bytes,
    )
        .into_response()
}

async fn api_not_found(uri: Uri) -> ApiError {
    ApiError::not_found(uri.path())
}
