//! User administration: the accounts of the units an administrator manages.

use crate::AppState;
use crate::extract::{Allowed, Body, Ids};
use crate::openapi::{Api, doc};
use crate::respond::{Res, ok};
use axum::extract::State;
use axum::routing::{get, post, put};
use duban_app::access::ManageUsers;
use duban_app::accounts::{self, UserAction, UserInput};
use serde_json::json;

pub fn routes(x: &mut Api) {
    x.op(
        "get",
        "/api/v1/users",
        get(users),
        doc("admin", "Users of the units the administrator manages"),
    );
    let d = doc(
        "admin",
        "Create a user; returns the initial password (must be changed)",
    )
    .body::<UserInput>(x);
    x.op("post", "/api/v1/users", post(create_user), d);
    let d = doc(
        "admin",
        "Change a user's name, unit, roles or archived flag",
    )
    .body::<UserInput>(x);
    x.op("put", "/api/v1/users/{id}", put(update_user), d);
    x.op(
        "post",
        "/api/v1/users/{id}/lock",
        post(lock),
        doc("admin", "Lock an account"),
    );
    x.op(
        "post",
        "/api/v1/users/{id}/unlock",
        post(unlock),
        doc("admin", "Unlock an account"),
    );
    x.op(
        "post",
        "/api/v1/users/{id}/reset-password",
        post(reset),
        doc(
            "admin",
            "Reset a password; returns the new initial password",
        ),
    );
}

async fn users(State(s): State<AppState>, Allowed(can): Allowed<ManageUsers>) -> Res {
    let items = accounts::admin_list(&s.db, &can).await?;
    ok(json!({ "total": items.len(), "items": items }))
}
async fn create_user(
    State(s): State<AppState>,
    Allowed(can): Allowed<ManageUsers>,
    Body(b): Body<UserInput>,
) -> Res {
    let (id, password) = accounts::admin_create(&s.db, &can, &b).await?;
    ok(json!({ "id": id, "initial_password": password }))
}
async fn update_user(
    State(s): State<AppState>,
    Allowed(can): Allowed<ManageUsers>,
    id: Ids,
    Body(b): Body<UserInput>,
) -> Res {
    ok(accounts::admin_update(&s.db, &can, id.one(), &b).await?)
}
async fn act(
    s: &AppState,
    can: &duban_app::access::Can<ManageUsers>,
    id: i64,
    a: UserAction,
) -> Res {
    let pw = accounts::admin_action(&s.db, can, id, a).await?;
    ok(json!({ "ok": true, "initial_password": pw }))
}
async fn lock(State(s): State<AppState>, Allowed(can): Allowed<ManageUsers>, id: Ids) -> Res {
    act(&s, &can, id.one(), UserAction::Lock).await
}
async fn unlock(State(s): State<AppState>, Allowed(can): Allowed<ManageUsers>, id: Ids) -> Res {
    act(&s, &can, id.one(), UserAction::Unlock).await
}
async fn reset(State(s): State<AppState>, Allowed(can): Allowed<ManageUsers>, id: Ids) -> Res {
    act(&s, &can, id.one(), UserAction::ResetPassword).await
}
