//! The office's settings: business settings and the traffic-light rule set
//! (administrators).

use crate::AppState;
use crate::extract::{Allowed, Body};
use crate::openapi::{Api, doc};
use crate::respond::{Res, ok};
use axum::extract::State;
use axum::routing::{get, post, put};
use duban_app::access::ManageUsers;
use duban_app::{analytics, settings};
use duban_domain::analytics::lights::RuleSet;

pub fn routes(x: &mut Api) {
    x.op(
        "get",
        "/api/v1/settings",
        get(get_settings),
        doc("admin", "Business settings"),
    );
    let d = doc("admin", "Change business settings").body::<settings::Settings>(x);
    x.op("put", "/api/v1/settings", put(put_settings), d);
    x.op(
        "get",
        "/api/v1/settings/light-rules",
        get(light_rules),
        doc("admin", "The traffic-light rule set"),
    );
    let d = doc(
        "admin",
        "Change the traffic-light rule set (every year is recomputed)",
    )
    .body::<RuleSet>(x);
    x.op(
        "put",
        "/api/v1/settings/light-rules",
        put(put_light_rules),
        d,
    );
    let d = doc(
        "admin",
        "Preview a light rule set: today's lights under the rules in force and under these",
    )
    .body::<RuleSet>(x);
    x.op(
        "post",
        "/api/v1/settings/light-rules/preview",
        post(preview_light_rules),
        d,
    );
}

async fn get_settings(State(s): State<AppState>, _: Allowed<ManageUsers>) -> Res {
    ok(settings::get(&s.db).await?)
}
async fn put_settings(
    State(s): State<AppState>,
    Allowed(can): Allowed<ManageUsers>,
    Body(b): Body<settings::Settings>,
) -> Res {
    ok(settings::put(&s.db, &can, &b, s.sso.is_some()).await?)
}
async fn light_rules(State(s): State<AppState>, _: Allowed<ManageUsers>) -> Res {
    ok(analytics::rules(&s.db).await?)
}
async fn put_light_rules(
    State(s): State<AppState>,
    Allowed(can): Allowed<ManageUsers>,
    Body(b): Body<RuleSet>,
) -> Res {
    ok(analytics::put_rules(&s.db, &can, &b).await?)
}
async fn preview_light_rules(
    State(s): State<AppState>,
    Allowed(can): Allowed<ManageUsers>,
    Body(b): Body<RuleSet>,
) -> Res {
    ok(analytics::preview_rules(&s.db, &can, &b).await?)
}
