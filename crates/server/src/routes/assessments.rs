//! Assessment runs: start, read with the explained result, review scores, publish.

use super::{Res, ok};
use crate::AppState;
use crate::extract::{Auth, Body, Ids};
use axum::extract::State;
use axum::response::IntoResponse;
use duban_app::access::{ReadRegistry, Review, Supervise};
use duban_app::assessments::{self, EntryInput, ReviewInput, StartInput};
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
pub async fn enter(State(s): State<AppState>, a: Auth, id: Ids, Body(b): Body<EntryInput>) -> Res {
    ok(assessments::enter(&s.db, &a.caller.can::<Supervise>()?, id.one(), &b).await?)
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

/// The run's ranking and every point's explanation as a workbook.
pub async fn xlsx(State(s): State<AppState>, a: Auth, id: Ids) -> Res {
    use duban_domain::bulletin::Table;
    let can = a.caller.can::<ReadRegistry>()?;
    let run = assessments::get(&s.db, &can, id.one()).await?;
    let names = duban_app::registry::units_by_id(&s.db).await?;
    let name = |u: i64| names.get(&u).map(|x| x.name.clone()).unwrap_or_default();
    let leaves: Vec<String> = run
        .results
        .first()
        .map(|r| {
            r.lines
                .iter()
                .map(|l| format!("{}（{}）", l.name, l.points))
                .collect()
        })
        .unwrap_or_default();
    let mut header = vec![
        "排名".to_string(),
        "单位".into(),
        "得分".into(),
        "等级".into(),
    ];
    header.extend(leaves);
    let ranking = Table {
        title: "考核结果".into(),
        header,
        rows: run
            .results
            .iter()
            .map(|r| {
                let mut row = vec![
                    r.rank.to_string(),
                    name(r.unit_id),
                    format!("{:.2}", r.total),
                    r.grade.clone(),
                ];
                row.extend(r.lines.iter().map(|l| format!("{:.2}", l.score)));
                row
            })
            .collect(),
        note: None,
    };
    let explained = Table {
        title: "得分说明".into(),
        header: vec![
            "单位".into(),
            "指标".into(),
            "分值".into(),
            "得分".into(),
            "计算".into(),
        ],
        rows: run
            .results
            .iter()
            .flat_map(|r| {
                r.lines.iter().map(|l| {
                    vec![
                        name(r.unit_id),
                        l.name.clone(),
                        l.points.to_string(),
                        format!("{:.2}", l.score),
                        l.explanation.clone(),
                    ]
                })
            })
            .collect(),
        note: None,
    };
    let bytes = duban_docs::tables_xlsx(&[ranking, explained])
        .map_err(|e| duban_app::AppError::Internal(format!("cannot write the workbook: {e}")))?;
    let file = format!("{}（{}）.xlsx", run.row.scheme_name, run.row.period);
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, super::XLSX.to_string()),
            (
                axum::http::header::CONTENT_DISPOSITION,
                super::attachment(&file, "assessment.xlsx"),
            ),
        ],
        bytes,
    )
        .into_response())
}
