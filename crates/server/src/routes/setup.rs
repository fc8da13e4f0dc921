//! The first run: on an empty database, the office's root unit and first administrator
//! are created from a page that needs the one-time code the server printed on its
//! console (or with `duban init` on the console itself).

use crate::AppState;
use crate::extract::{Body, Ip};
use crate::openapi::{Api, doc};
use crate::respond::{Res, ok};
use axum::extract::State;
use axum::routing::get;
use duban_app::setup;
use serde_json::json;

pub fn routes(x: &mut Api) {
    x.op(
        "get",
        "/api/v1/setup",
        get(status),
        doc(
            "system",
            "Whether the database still needs its first unit and administrator",
        )
        .public(),
    );
    let d = doc(
        "system",
        "Set up an empty database with the one-time code printed on the server's console",
    )
    .public()
    .body::<setup::FirstRun>(x);
    x.op("post", "/api/v1/setup", axum::routing::post(first_run), d);
}

async fn status(State(s): State<AppState>) -> Res {
    ok(json!({ "needed": setup::needed(&s.db).await? }))
}

async fn first_run(State(s): State<AppState>, Ip(ip): Ip, Body(b): Body<setup::FirstRun>) -> Res {
    let done = setup::first_run(&s.db, &b, &ip).await?;
    ok(json!({ "ok": true, "unit_id": done.unit_id, "admin_username": done.admin_username }))
}
