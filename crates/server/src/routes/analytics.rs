//! The dashboards' figures (served under `/api/v1/stats`): overview, breakdowns, the
//! curve, rankings, the dispatch list, warnings, the "why" of a project's light and the
//! catalogue of measures — all within the caller's scope.

use crate::AppState;
use crate::extract::{Allowed, Ids, Q};
use crate::openapi::{Api, doc};
use crate::respond::{Res, ok};
use axum::extract::State;
use axum::routing::get;
use duban_app::access::ReadRegistry;
use duban_app::analytics;
use duban_domain::analytics::Dimension;
use duban_domain::analytics::measure::RankBy;
use serde_json::json;

pub fn routes(x: &mut Api) {
    for (path, summary, handler) in [
        (
            "/api/v1/stats/overview",
            "Headline figures: totals, completion, gap to time progress, start rate, lights, problems",
            get(overview),
        ),
        (
            "/api/v1/stats/breakdown",
            "Figures by unit (children of `unit`), chain, category or nature",
            get(breakdown),
        ),
        (
            "/api/v1/stats/curve",
            "Cumulative plan and actual by month",
            get(curve),
        ),
        (
            "/api/v1/stats/rankings",
            "Units ranked by a measure in their series, with red and black lists",
            get(rankings),
        ),
        (
            "/api/v1/stats/dispatch",
            "The dispatch list: how many projects need action, per reason, and a page of them",
            get(dispatch),
        ),
        (
            "/api/v1/stats/warnings",
            "Warnings and data-quality checks of the projects in scope, with the facts seen",
            get(warnings),
        ),
    ] {
        let d = doc("stats", summary).query::<StatsQuery>(x);
        x.op("get", path, handler, d);
    }
    let d = doc(
        "stats",
        "Why a project has its light: rules, inputs, warnings, forecast",
    )
    .query::<StatsQuery>(x);
    x.op("get", "/api/v1/stats/why/{id}", get(why), d);
    x.op(
        "get",
        "/api/v1/stats/measures",
        get(measures),
        doc(
            "stats",
            "Every measure with its definition (口径) under the office's settings",
        ),
    );
}

#[derive(Debug, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StatsQuery {
    /// YYYY-MM (default: last month)
    #[schemars(regex(pattern = r"^(19\d\d|[2-9]\d{3})-(0?[1-9]|1[0-2])$"))]
    pub as_of: Option<String>,
    /// A unit: it and its sub-units.
    pub unit: Option<i64>,
    /// For breakdowns: unit | chain | category | nature | funding
    #[schemars(extend("enum" = ["unit", "chain", "category", "nature", "funding"]))]
    pub by: Option<String>,
    /// For rankings: completion | gap (default: the office's list rule)
    pub measure: Option<String>,
    /// For the curve: the year (default: the year of as_of).
    pub year: Option<i32>,
    /// For the dispatch list: only the projects with this reason (light, not_started,
    /// milestone_overdue, problems_overdue, report_missing).
    pub reason: Option<String>,
    /// For the dispatch list: skip this many projects (default 0).
    pub offset: Option<i64>,
    /// For the dispatch list: at most this many projects (default 500, at most 5000).
    pub limit: Option<i64>,
}

type Read = Allowed<ReadRegistry>;

async fn overview(State(s): State<AppState>, Allowed(can): Read, Q(q): Q<StatsQuery>) -> Res {
    ok(analytics::overview(&s.db, &can, q.as_of.as_deref(), q.unit).await?)
}
async fn breakdown(State(s): State<AppState>, Allowed(can): Read, Q(q): Q<StatsQuery>) -> Res {
    let by =
        Dimension::parse(q.by.as_deref().unwrap_or("unit")).map_err(duban_app::AppError::from)?;
    let items = analytics::breakdown(&s.db, &can, q.as_of.as_deref(), by, q.unit).await?;
    ok(json!({ "total": items.len(), "items": items }))
}
async fn curve(State(s): State<AppState>, Allowed(can): Read, Q(q): Q<StatsQuery>) -> Res {
    let year = match q.year {
        Some(y) => y,
        None => analytics::as_of(q.as_of.as_deref())?.year(),
    };
    let items = analytics::curve(&s.db, &can, year, q.unit).await?;
    ok(json!({ "year": year, "total": items.len(), "items": items }))
}
async fn rankings(State(s): State<AppState>, Allowed(can): Read, Q(q): Q<StatsQuery>) -> Res {
    let measure = q
        .measure
        .as_deref()
        .map(str::trim)
        .filter(|m| !m.is_empty())
        .map(RankBy::parse)
        .transpose()
        .map_err(duban_app::AppError::from)?;
    ok(analytics::rankings(&s.db, &can, q.as_of.as_deref(), measure, q.unit).await?)
}
async fn dispatch(State(s): State<AppState>, Allowed(can): Read, Q(q): Q<StatsQuery>) -> Res {
    ok(analytics::dispatch_list(
        &s.db,
        &can,
        q.as_of.as_deref(),
        q.unit,
        q.reason.as_deref(),
        q.offset.unwrap_or(0).max(0),
        q.limit.unwrap_or(500).clamp(1, 5000),
    )
    .await?)
}
/// Every measure with its 口径 under the office's definitions.
async fn measures(State(s): State<AppState>, _: Read) -> Res {
    let items = analytics::catalogue(&s.db).await?;
    ok(
        json!({ "total": items.len(), "items": items, "definitions": analytics::definitions(&s.db).await? }),
    )
}
async fn warnings(State(s): State<AppState>, Allowed(can): Read, Q(q): Q<StatsQuery>) -> Res {
    let limit = q.limit.unwrap_or(200).clamp(1, 2000);
    let items = analytics::warnings(&s.db, &can, q.as_of.as_deref(), q.unit, limit).await?;
    ok(json!({ "total": items.len(), "items": items }))
}
async fn why(State(s): State<AppState>, Allowed(can): Read, id: Ids, Q(q): Q<StatsQuery>) -> Res {
    ok(analytics::why(&s.db, &can, id.one(), q.as_of.as_deref()).await?)
}
