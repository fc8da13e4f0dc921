//! The dashboard's figures: overview, breakdowns, the curve, rankings, the dispatch
//! list and the "why" of a project's light — all within the caller's scope.

use super::{Res, ok};
use crate::AppState;
use crate::extract::{Auth, Body, Ids, Q};
use axum::extract::State;
use duban_app::access::{ManageUsers, ReadRegistry};
use duban_app::analytics;
use duban_domain::analytics::lights::RuleSet;
use serde_json::json;

#[derive(Debug, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StatsQuery {
    /// YYYY-MM (default: last month)
    pub as_of: Option<String>,
    /// A unit: it and its sub-units.
    pub unit: Option<i64>,
    /// For breakdowns: unit | chain | category | nature
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

pub async fn overview(State(s): State<AppState>, a: Auth, Q(q): Q<StatsQuery>) -> Res {
    ok(analytics::overview(
        &s.db,
        &a.caller.can::<ReadRegistry>()?,
        q.as_of.as_deref(),
        q.unit,
    )
    .await?)
}
pub async fn breakdown(State(s): State<AppState>, a: Auth, Q(q): Q<StatsQuery>) -> Res {
    let items = analytics::breakdown(
        &s.db,
        &a.caller.can::<ReadRegistry>()?,
        q.as_of.as_deref(),
        q.by.as_deref().unwrap_or("unit"),
        q.unit,
    )
    .await?;
    ok(json!({ "total": items.len(), "items": items }))
}
pub async fn curve(State(s): State<AppState>, a: Auth, Q(q): Q<StatsQuery>) -> Res {
    let year = match q.year {
        Some(y) => y,
        None => analytics::as_of(q.as_of.as_deref())?.year(),
    };
    let items = analytics::curve(&s.db, &a.caller.can::<ReadRegistry>()?, year, q.unit).await?;
    ok(json!({ "year": year, "total": items.len(), "items": items }))
}
pub async fn rankings(State(s): State<AppState>, a: Auth, Q(q): Q<StatsQuery>) -> Res {
    ok(analytics::rankings(
        &s.db,
        &a.caller.can::<ReadRegistry>()?,
        q.as_of.as_deref(),
        q.measure.as_deref(),
        q.unit,
    )
    .await?)
}
pub async fn dispatch(State(s): State<AppState>, a: Auth, Q(q): Q<StatsQuery>) -> Res {
    ok(analytics::dispatch_list(
        &s.db,
        &a.caller.can::<ReadRegistry>()?,
        q.as_of.as_deref(),
        q.unit,
        q.reason.as_deref(),
        q.offset.unwrap_or(0).max(0),
        q.limit.unwrap_or(500).clamp(1, 5000),
    )
    .await?)
}
/// Every measure with its 口径 under the office's definitions.
pub async fn measures(State(s): State<AppState>, a: Auth) -> Res {
    a.caller.can::<ReadRegistry>()?;
    let items = analytics::catalogue(&s.db).await?;
    ok(
        json!({ "total": items.len(), "items": items, "definitions": analytics::definitions(&s.db).await? }),
    )
}
pub async fn warnings(State(s): State<AppState>, a: Auth, Q(q): Q<StatsQuery>) -> Res {
    let items = analytics::warnings(
        &s.db,
        &a.caller.can::<ReadRegistry>()?,
        q.as_of.as_deref(),
        q.unit,
        q.limit.unwrap_or(200).clamp(1, 2000),
    )
    .await?;
    ok(json!({ "total": items.len(), "items": items }))
}
pub async fn why(State(s): State<AppState>, a: Auth, id: Ids, Q(q): Q<StatsQuery>) -> Res {
    ok(analytics::why(
        &s.db,
        &a.caller.can::<ReadRegistry>()?,
        id.one(),
        q.as_of.as_deref(),
    )
    .await?)
}
pub async fn light_rules(State(s): State<AppState>, a: Auth) -> Res {
    a.caller.can::<ManageUsers>()?;
    ok(analytics::rules(&s.db).await?)
}
pub async fn put_light_rules(State(s): State<AppState>, a: Auth, Body(b): Body<RuleSet>) -> Res {
    ok(analytics::put_rules(&s.db, &a.caller.can::<ManageUsers>()?, &b).await?)
}
