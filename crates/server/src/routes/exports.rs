//! Every list of the UI as a file (projects, reports, problems, dispatch, missing, audit,
//! users, units), with the list's own query (scope and filters as on
//! screen): `GET /api/v1/export/{list}?format=xlsx|csv&lang=zh|en&…`. The registry's
//! Excel file is written row by row on a blocking thread while its rows are read.

use crate::AppState;
use crate::extract::Auth;
use crate::openapi::{Api, doc};
use crate::respond::{Res, XLSX, download, streamed};
use axum::extract::{Path, Query, RawQuery, State};
use axum::http::Uri;
use axum::routing::get;
use duban_app::AppError;
use duban_app::access::{ReadAudit, ReadRegistry};
use duban_app::export::{ProjectExport, lists};
use duban_domain::table::Listing;
use serde::de::DeserializeOwned;

pub fn routes(x: &mut Api) {
    let d = doc(
        "exports",
        "A list as a file with its own query (scope and filters as on screen): projects, reports, problems, dispatch, missing, audit, users, units",
    )
    .query::<FileQuery>(x)
    .file(&[crate::respond::XLSX, "text/csv", "application/json"]);
    x.op("get", "/api/v1/export/{list}", get(export), d);
}

#[derive(Debug, serde::Deserialize, schemars::JsonSchema)]
pub struct FileQuery {
    /// xlsx (default) or csv
    #[schemars(extend("enum" = ["xlsx", "csv"]))]
    pub format: Option<String>,
    /// zh-CN (default) or en: the language of the headers and of coded values
    pub lang: Option<String>,
}

#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct AsOfQuery {
    as_of: Option<String>,
    unit: Option<i64>,
    reason: Option<String>,
}

#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct PeriodQuery {
    period: String,
    unit: Option<i64>,
}

fn bad(field: &str, zh: String, en: String) -> AppError {
    duban_domain::FieldError::new(field, "invalid", zh, en).into()
}

/// The list's own query: the request's, without `format` and `lang`.
fn list_query<T: DeserializeOwned>(raw: &Option<String>) -> Result<T, AppError> {
    let rest: Vec<&str> = raw
        .as_deref()
        .unwrap_or("")
        .split('&')
        .filter(|p| !p.is_empty() && !p.starts_with("format=") && !p.starts_with("lang="))
        .collect();
    let uri: Uri = format!("/?{}", rest.join("&")).parse().map_err(|_| {
        bad(
            "query",
            "查询参数无效".into(),
            "the query is not valid".into(),
        )
    })?;
    Query::<T>::try_from_uri(&uri).map(|q| q.0).map_err(|e| {
        bad(
            "query",
            format!("查询参数无效：{e}"),
            format!("the query is not valid: {e}"),
        )
    })
}

fn file(l: &Listing, csv: bool, english: bool) -> Res {
    let title = l.title(english);
    if csv {
        return Ok(download(
            l.csv(english).into_bytes(),
            "text/csv; charset=utf-8",
            &format!("{title}.csv"),
            "list.csv",
        ));
    }
    let bytes = duban_render::listing_xlsx(l, english)
        .map_err(|e| AppError::internal("cannot write the workbook", e))?;
    Ok(download(bytes, XLSX, &format!("{title}.xlsx"), "list.xlsx"))
}

/// Each list needs the capability its page needs (the audit log `ReadAudit`, users
/// `ManageUsers`, the rest `ReadRegistry`): the handler asks for it once it knows the list.
async fn export(
    State(s): State<AppState>,
    a: Auth,
    Path(list): Path<String>,
    Query(f): Query<FileQuery>,
    RawQuery(raw): RawQuery,
) -> Res {
    let csv = match f.format.as_deref().unwrap_or("xlsx") {
        "xlsx" => false,
        "csv" => true,
        other => {
            return Err(bad(
                "format",
                format!("“{other}”不是可选格式：xlsx、csv"),
                format!("'{other}' is not a format: xlsx or csv"),
            )
            .into());
        }
    };
    let english = f.lang.as_deref() == Some("en");
    let db = &s.db;
    let listing = match list.as_str() {
        "projects" => return projects(s.db.clone(), &a, list_query(&raw)?, csv, english).await,
        "reports" => {
            lists::reports(
                db,
                &a.caller.can::<ReadRegistry>()?,
                &list_query(&raw)?,
                english,
            )
            .await?
        }
        "problems" => {
            lists::problems(
                db,
                &a.caller.can::<ReadRegistry>()?,
                &list_query(&raw)?,
                english,
            )
            .await?
        }
        "audit" => {
            lists::audit(
                db,
                &a.caller.can::<ReadAudit>()?,
                &list_query(&raw)?,
                english,
            )
            .await?
        }
        "dispatch" => {
            let q: AsOfQuery = list_query(&raw)?;
            lists::dispatch(
                db,
                &a.caller.can::<ReadRegistry>()?,
                q.as_of.as_deref(),
                q.unit,
                q.reason.as_deref(),
                english,
            )
            .await?
        }
        "missing" => {
            let q: PeriodQuery = list_query(&raw)?;
            lists::missing(
                db,
                &a.caller.can::<ReadRegistry>()?,
                &q.period,
                q.unit,
                english,
            )
            .await?
        }
        "users" => {
            lists::users(
                db,
                &a.caller.can::<duban_app::access::ManageUsers>()?,
                english,
            )
            .await?
        }
        // The unit tree, as `GET /api/v1/units` gives it to any signed-in user.
        "units" => lists::units(db, &a.caller, english).await?,
        _ => return Err(AppError::NotFound { what: "list" }.into()),
    };
    file(&listing, csv, english)
}

/// The registry: CSV streamed, Excel written on a blocking thread as the rows arrive.
async fn projects(
    db: duban_app::Db,
    a: &Auth,
    q: duban_app::registry::ProjectQuery,
    csv: bool,
    english: bool,
) -> Res {
    let can = a.caller.can::<ReadRegistry>()?;
    let export = ProjectExport::new(&db, &can, &q, english).await?;
    let title = if english { "Projects" } else { "项目库" };
    if csv {
        return Ok(streamed(
            db,
            export,
            "text/csv; charset=utf-8",
            &format!("{title}.csv"),
            "projects.csv",
        ));
    }
    if export.total as usize > lists::MAX_ROWS {
        return Err(bad(
            "page_size",
            format!("共{}个项目，超过Excel上限，请先筛选或导出CSV", export.total),
            format!(
                "{} projects, more than Excel holds; filter first or export CSV",
                export.total
            ),
        )
        .into());
    }
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Vec<Vec<duban_domain::table::Val>>>(4);
    let writer = tokio::task::spawn_blocking(move || {
        let mut w = duban_render::ListingWriter::new(title, &ProjectExport::columns(), english)?;
        while let Some(rows) = rx.blocking_recv() {
            for r in rows {
                w.push(&r)?;
            }
        }
        w.finish()
    });
    let mut n = 0;
    while let Some(rows) = export.rows(&db, n).await? {
        if tx.send(rows).await.is_err() {
            break;
        }
        n += 1;
    }
    drop(tx);
    let bytes = writer
        .await
        .map_err(|e| AppError::internal("the workbook writer stopped", e))?
        .map_err(|e| AppError::internal("cannot write the workbook", e))?;
    Ok(download(
        bytes,
        XLSX,
        &format!("{title}.xlsx"),
        "projects.xlsx",
    ))
}
