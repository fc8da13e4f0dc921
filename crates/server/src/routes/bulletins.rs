//! Monthly bulletins: generate, read (JSON document, HTML), review, publish.

use super::{Res, XLSX, download, ok};
use crate::AppState;
use crate::extract::{Auth, Body, Ids};
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use duban_app::access::{ReadRegistry, Supervise};
use duban_app::bulletins::{self, GenerateInput};
use serde_json::json;

pub async fn list(State(s): State<AppState>, a: Auth) -> Res {
    ok(json!({ "items": bulletins::list(&s.db, &a.caller.can::<ReadRegistry>()?).await? }))
}
pub async fn generate(State(s): State<AppState>, a: Auth, Body(b): Body<GenerateInput>) -> Res {
    ok(bulletins::generate(&s.db, &a.caller.can::<Supervise>()?, &b).await?)
}
pub async fn get(State(s): State<AppState>, a: Auth, id: Ids) -> Res {
    ok(bulletins::get(&s.db, &a.caller.can::<ReadRegistry>()?, id.one()).await?)
}
pub async fn html(State(s): State<AppState>, a: Auth, id: Ids) -> Res {
    let b = bulletins::get(&s.db, &a.caller.can::<ReadRegistry>()?, id.one()).await?;
    Ok((
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        duban_domain::bulletin::render_html(&b.document),
    )
        .into_response())
}
pub async fn review(State(s): State<AppState>, a: Auth, id: Ids) -> Res {
    ok(bulletins::advance(&s.db, &a.caller.can::<Supervise>()?, id.one(), "review").await?)
}
pub async fn publish(State(s): State<AppState>, a: Auth, id: Ids) -> Res {
    ok(bulletins::advance(&s.db, &a.caller.can::<Supervise>()?, id.one(), "publish").await?)
}

pub async fn docx(State(s): State<AppState>, a: Auth, id: Ids) -> Res {
    let b = bulletins::get(&s.db, &a.caller.can::<ReadRegistry>()?, id.one()).await?;
    let name = format!("{}.docx", b.document.title);
    Ok(download(
        duban_docs::bulletin_docx(&b.document),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        &name,
        "bulletin.docx",
    ))
}

pub async fn xlsx(State(s): State<AppState>, a: Auth, id: Ids) -> Res {
    let b = bulletins::get(&s.db, &a.caller.can::<ReadRegistry>()?, id.one()).await?;
    let bytes = duban_docs::tables_xlsx(&b.document.annex)
        .map_err(|e| duban_app::AppError::Internal(format!("cannot write the annex: {e}")))?;
    let name = format!("{}（附件）.xlsx", b.document.title);
    Ok(download(bytes, XLSX, &name, "bulletin-annex.xlsx"))
}
