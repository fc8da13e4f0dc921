//! Monthly bulletins (通报): generate from a frozen snapshot, read (JSON document, HTML,
//! Word, the annex workbook), review, publish.

use crate::AppState;
use crate::extract::{Allowed, Body, Ids};
use crate::openapi::{Api, doc};
use crate::respond::{Res, XLSX, download, ok};
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use duban_app::access::{ReadRegistry, Supervise};
use duban_app::bulletins::{self, GenerateInput};
use duban_domain::bulletin::Step;
use serde_json::json;

pub fn routes(x: &mut Api) {
    x.op(
        "get",
        "/api/v1/bulletins",
        get(list),
        doc(
            "bulletins",
            "Bulletins of the caller's scope (readers: published ones)",
        ),
    );
    let d = doc(
        "bulletins",
        "Generate a draft from a snapshot of approved data frozen now (supervisor)",
    )
    .body::<GenerateInput>(x);
    x.op("post", "/api/v1/bulletins", post(generate), d);
    x.op(
        "get",
        "/api/v1/bulletins/{id}",
        get(one),
        doc(
            "bulletins",
            "A bulletin and its document, composed from its stored snapshot",
        ),
    );
    x.op(
        "get",
        "/api/v1/bulletins/{id}/html",
        get(html),
        doc("bulletins", "The bulletin as an HTML page").file(&["text/html"]),
    );
    x.op(
        "get",
        "/api/v1/bulletins/{id}/docx",
        get(docx),
        doc(
            "bulletins",
            "The bulletin as a Word document in the official style",
        )
        .file(&[crate::respond::DOCX]),
    );
    x.op(
        "get",
        "/api/v1/bulletins/{id}/xlsx",
        get(xlsx),
        doc(
            "bulletins",
            "Every table of the bulletin, in full, as a workbook (the annex)",
        )
        .file(&[crate::respond::XLSX]),
    );
    x.op(
        "post",
        "/api/v1/bulletins/{id}/review",
        post(review),
        doc("bulletins", "Mark a draft reviewed (supervisor)"),
    );
    x.op(
        "post",
        "/api/v1/bulletins/{id}/publish",
        post(publish),
        doc("bulletins", "Publish a reviewed bulletin (supervisor)"),
    );
}

type Read = Allowed<ReadRegistry>;

async fn list(State(s): State<AppState>, Allowed(can): Read) -> Res {
    ok(json!({ "items": bulletins::list(&s.db, &can).await? }))
}
async fn generate(
    State(s): State<AppState>,
    Allowed(can): Allowed<Supervise>,
    Body(b): Body<GenerateInput>,
) -> Res {
    ok(bulletins::generate(&s.db, &can, &b).await?.0)
}
async fn one(State(s): State<AppState>, Allowed(can): Read, id: Ids) -> Res {
    ok(bulletins::get(&s.db, &can, id.one()).await?)
}
async fn html(State(s): State<AppState>, Allowed(can): Read, id: Ids) -> Res {
    let b = bulletins::get(&s.db, &can, id.one()).await?;
    Ok((
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        duban_domain::bulletin::render_html(&b.document),
    )
        .into_response())
}
async fn review(State(s): State<AppState>, Allowed(can): Allowed<Supervise>, id: Ids) -> Res {
    ok(bulletins::advance(&s.db, &can, id.one(), Step::Review).await?)
}
async fn publish(State(s): State<AppState>, Allowed(can): Allowed<Supervise>, id: Ids) -> Res {
    ok(bulletins::advance(&s.db, &can, id.one(), Step::Publish).await?)
}
async fn docx(State(s): State<AppState>, Allowed(can): Read, id: Ids) -> Res {
    let b = bulletins::get(&s.db, &can, id.one()).await?;
    let name = format!("{}.docx", b.document.title);
    Ok(download(
        duban_render::bulletin_docx(&b.document),
        crate::respond::DOCX,
        &name,
        "bulletin.docx",
    ))
}
async fn xlsx(State(s): State<AppState>, Allowed(can): Read, id: Ids) -> Res {
    let b = bulletins::get(&s.db, &can, id.one()).await?;
    let bytes = duban_render::tables_xlsx(&b.document.annex)
        .map_err(|e| duban_app::AppError::internal("cannot write the annex", e))?;
    let name = format!("{}（附件）.xlsx", b.document.title);
    Ok(download(bytes, XLSX, &name, "bulletin-annex.xlsx"))
}
