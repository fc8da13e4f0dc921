//! Assessment runs: start, read with the explained result, review scores, publish.

use super::{Res, ok};
use crate::AppState;
use crate::extract::{Auth, Body, Ids};
use axum::extract::State;
use duban_app::access::{ReadRegistry, Review, Supervise};
use duban_app::assessments::{self, ReviewInput, StartInput};
use serde_json::json;

pub async fn list(State(s): State<AppState>, a: Auth) -> Res {
    ok(json!({ "items": assessments::list(&s.db, &a.caller.can::<ReadRegistry>()?).await? }))
}
pub async fn start(State(s): State<AppState>, a: Auth, Body(b): Body<StartInput>) -> Res {
    ok(assessments::start(&s.db, &a.caller.can::<Supervise>()?, &b).await?)
}
pub async fn get(State(s): State<AppState>, a: Auth, id: Ids) -> Res {
    ok(assessments::get(&s.db, &a.caller.can::<ReadRegistry>()?, id.one()).await?)
}
pub async fn review(
    State(s): State<AppState>,
    a: Auth,
    id: Ids,
    Body(b): Body<ReviewInput>,
) -> Res {
    ok(assessments::review(&s.db, &a.caller.can::<Review>()?, id.one(), &b).await?)
}
pub async fn publish(State(s): State<AppState>, a: Auth, id: Ids) -> Res {
    ok(assessments::publish(&s.db, &a.caller.can::<Supervise>()?, id.one()).await?)
}

/// The example schemes, to start from.
pub async fn examples(a: Auth) -> Res {
    a.caller.can::<ReadRegistry>()?;
    let items: Vec<serde_json::Value> = duban_domain::assessment::EXAMPLES
        .iter()
        .map(|j| serde_json::from_str(j).expect("examples are valid JSON"))
        .collect();
    ok(json!({ "items": items }))
}
