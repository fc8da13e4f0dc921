//! One's own notifications (the routine's messages): any signed-in user, reading and
//! marking only their own.

use crate::AppState;
use crate::extract::Body;
use crate::extract::{Auth, Ids, Q};
use crate::openapi::{Api, doc};
use crate::respond::{Res, ok};
use axum::extract::State;
use axum::routing::{get, post, put};
use duban_app::routine;
use serde_json::json;

#[derive(Debug, Default, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InboxQuery {
    /// Only the unread ones.
    pub unread: Option<bool>,
    #[schemars(range(min = 1, max = 1_000_000))]
    pub page: Option<i64>,
    #[schemars(range(min = 1, max = duban_app::MAX_PAGE_SIZE))]
    pub page_size: Option<i64>,
}

pub fn routes(x: &mut Api) {
    let d = doc(
        "notifications",
        "My notifications, newest first, with the unread count",
    )
    .query::<InboxQuery>(x);
    x.op("get", "/api/v1/notifications", get(inbox), d);
    x.op(
        "post",
        "/api/v1/notifications/{id}/read",
        post(read_one),
        doc("notifications", "Mark one of my notifications read"),
    );
    x.op(
        "post",
        "/api/v1/notifications/read-all",
        post(read_all),
        doc("notifications", "Mark all my notifications read"),
    );
    x.op(
        "get",
        "/api/v1/me/notify-prefs",
        get(prefs),
        doc(
            "notifications",
            "Where I want my messages besides the bell, my quiet hours, and what the office offers",
        ),
    );
    let d = doc("notifications", "Change where I want my messages")
        .body::<duban_app::delivery::PrefsForm>(x);
    x.op("put", "/api/v1/me/notify-prefs", put(set_prefs), d);
}

// Being signed in is the capability: each person reads and marks their own messages.
async fn inbox(State(s): State<AppState>, a: Auth, Q(q): Q<InboxQuery>) -> Res {
    ok(routine::inbox(
        &s.db,
        &a.caller,
        q.unread.unwrap_or(false),
        q.page,
        q.page_size,
    )
    .await?)
}
async fn read_one(State(s): State<AppState>, a: Auth, id: Ids) -> Res {
    let n = routine::mark_read(&s.db, &a.caller, Some(id.one::<i64>())).await?;
    ok(json!({ "marked": n }))
}
async fn read_all(State(s): State<AppState>, a: Auth) -> Res {
    let n = routine::mark_read(&s.db, &a.caller, None).await?;
    ok(json!({ "marked": n }))
}
async fn prefs(State(s): State<AppState>, a: Auth) -> Res {
    ok(duban_app::delivery::my_prefs(&s.db, &a.caller).await?)
}
async fn set_prefs(
    State(s): State<AppState>,
    a: Auth,
    Body(f): Body<duban_app::delivery::PrefsForm>,
) -> Res {
    ok(duban_app::delivery::set_my_prefs(&s.db, &a.caller, f).await?)
}
