//! Where messages travel besides the bell (administrators): the channels with their
//! credentials sealed, the delivery log with every attempt, the routine's runs, and the
//! preview of a message template.

use crate::AppState;
use crate::extract::{Allowed, Body, Ids, Q};
use crate::openapi::{Api, doc};
use crate::respond::{Res, ok};
use axum::extract::State;
use axum::routing::{get, post, put};
use duban_app::access::ManageUsers;
use duban_app::delivery::{self, ChannelForm};
use duban_domain::channel::{Lang, Template};
use serde_json::json;

#[derive(Debug, Default, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LogQuery {
    pub channel: Option<i64>,
    /// pending | sent | failed
    pub status: Option<String>,
    #[schemars(range(min = 1, max = 1_000_000))]
    pub page: Option<i64>,
    #[schemars(range(min = 1, max = duban_app::MAX_PAGE_SIZE))]
    pub page_size: Option<i64>,
}

#[derive(Debug, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TestInput {
    /// An address (email) or a mobile number (SMS); unused for robots and webhooks.
    #[serde(default)]
    pub to: Option<String>,
}

#[derive(Debug, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PreviewInput {
    pub template: Template,
    #[serde(default)]
    pub lang: Lang,
}

pub fn routes(x: &mut Api) {
    x.op(
        "get",
        "/api/v1/channels",
        get(list),
        doc(
            "admin",
            "The channels, credentials blanked, with their message counts",
        ),
    );
    let d = doc(
        "admin",
        "Add a channel (SMTP, 企业微信/钉钉 robot, webhook, SMS)",
    )
    .body::<ChannelForm>(x);
    x.op("post", "/api/v1/channels", post(create), d);
    let d = doc(
        "admin",
        "Change a channel (a credential left blank is kept)",
    )
    .body::<ChannelForm>(x);
    x.op("put", "/api/v1/channels/{id}", put(update), d);
    let d = doc("admin", "Send a test message through a channel").body::<TestInput>(x);
    x.op("post", "/api/v1/channels/{id}/test", post(test), d);
    let d = doc(
        "admin",
        "The delivery log, newest first, with every attempt",
    )
    .query::<LogQuery>(x);
    x.op("get", "/api/v1/deliveries", get(log), d);
    x.op(
        "get",
        "/api/v1/jobs/runs",
        get(runs),
        doc(
            "admin",
            "The routine's recent runs (started, finished, outcome, what it did)",
        ),
    );
    let d = doc("admin", "A message template filled with an example").body::<PreviewInput>(x);
    x.op(
        "post",
        "/api/v1/settings/templates/preview",
        post(preview),
        d,
    );
}

async fn list(State(s): State<AppState>, Allowed(can): Allowed<ManageUsers>) -> Res {
    ok(json!({ "items": delivery::channels(&s.db, &can).await? }))
}
async fn create(
    State(s): State<AppState>,
    Allowed(can): Allowed<ManageUsers>,
    Body(f): Body<ChannelForm>,
) -> Res {
    let id = delivery::create_channel(&s.db, &can, f).await?;
    ok(json!({ "id": id }))
}
async fn update(
    State(s): State<AppState>,
    Allowed(can): Allowed<ManageUsers>,
    id: Ids,
    Body(f): Body<ChannelForm>,
) -> Res {
    let id = id.one::<i64>();
    delivery::update_channel(&s.db, &can, id, f).await?;
    ok(json!({ "id": id }))
}
async fn test(
    State(s): State<AppState>,
    Allowed(can): Allowed<ManageUsers>,
    id: Ids,
    Body(b): Body<TestInput>,
) -> Res {
    let id = delivery::test_channel(&s.db, &can, id.one::<i64>(), b.to).await?;
    ok(json!({ "queued": id }))
}
async fn log(
    State(s): State<AppState>,
    Allowed(can): Allowed<ManageUsers>,
    Q(q): Q<LogQuery>,
) -> Res {
    ok(delivery::log(&s.db, &can, q.channel, q.status, q.page, q.page_size).await?)
}
async fn runs(State(s): State<AppState>, Allowed(can): Allowed<ManageUsers>) -> Res {
    ok(json!({ "items": duban_app::jobs::runs(&s.db, &can, 100).await? }))
}
async fn preview(
    State(s): State<AppState>,
    Allowed(_can): Allowed<ManageUsers>,
    Body(b): Body<PreviewInput>,
) -> Res {
    let settings = duban_app::settings::get(&s.db).await?.delivery;
    ok(json!({ "text": delivery::preview(&b.template, b.lang, &settings)? }))
}
