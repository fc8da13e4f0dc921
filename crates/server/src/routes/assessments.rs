//! Assessment runs (考核): start, read with the explained result, review scores,
//! entered figures, publish, and the result as a workbook.

use crate::AppState;
use crate::extract::{Allowed, Body, Ids};
use crate::openapi::{Api, doc};
use crate::respond::{Res, XLSX, download, ok};
use axum::extract::State;
use axum::routing::{get, post};
use duban_app::access::{ReadRegistry, Review, Supervise};
use duban_app::assessments::{self, EntryInput, ReviewInput, StartInput};
use serde_json::json;

pub fn routes(x: &mut Api) {
    x.op(
        "get",
        "/api/v1/assessments",
        get(list),
        doc("assessments", "Assessment runs of the caller's scope"),
    );
    x.op(
        "get",
        "/api/v1/assessments/schemes",
        get(examples),
        doc("assessments", "The example schemes shipped with duban"),
    );
    let d = doc(
        "assessments",
        "Start a run of a scheme for a period: the scheme and duban's inputs are frozen (supervisor)",
    )
    .body::<StartInput>(x);
    x.op("post", "/api/v1/assessments", post(start), d);
    x.op(
        "get",
        "/api/v1/assessments/{id}",
        get(one),
        doc(
            "assessments",
            "A run with scores, ranks, grades and the explanation of every point",
        ),
    );
    let d = doc(
        "assessments",
        "Enter one's review score for a unit (reviewer)",
    )
    .body::<ReviewInput>(x);
    x.op("post", "/api/v1/assessments/{id}/reviews", post(review), d);
    let d = doc(
        "assessments",
        "Enter a unit's figure for an entered indicator, with its evidence (supervisor)",
    )
    .body::<EntryInput>(x);
    x.op("post", "/api/v1/assessments/{id}/entries", post(enter), d);
    x.op(
        "get",
        "/api/v1/assessments/{id}/xlsx",
        get(xlsx),
        doc(
            "assessments",
            "The ranking and every point's explanation as a workbook",
        )
        .file(&[crate::respond::XLSX]),
    );
    x.op(
        "post",
        "/api/v1/assessments/{id}/publish",
        post(publish),
        doc(
            "assessments",
            "Publish a run; review scores are closed (supervisor)",
        ),
    );
}

async fn list(State(s): State<AppState>, Allowed(can): Allowed<ReadRegistry>) -> Res {
    ok(json!({ "items": assessments::list(&s.db, &can).await? }))
}
async fn start(
    State(s): State<AppState>,
    Allowed(can): Allowed<Supervise>,
    Body(b): Body<StartInput>,
) -> Res {
    ok(assessments::start(&s.db, &can, &b).await?)
}
async fn one(State(s): State<AppState>, Allowed(can): Allowed<ReadRegistry>, id: Ids) -> Res {
    ok(assessments::get(&s.db, &can, id.one()).await?)
}
async fn review(
    State(s): State<AppState>,
    Allowed(can): Allowed<Review>,
    id: Ids,
    Body(b): Body<ReviewInput>,
) -> Res {
    ok(assessments::review(&s.db, &can, id.one(), &b).await?)
}
async fn enter(
    State(s): State<AppState>,
    Allowed(can): Allowed<Supervise>,
    id: Ids,
    Body(b): Body<EntryInput>,
) -> Res {
    ok(assessments::enter(&s.db, &can, id.one(), &b).await?)
}
async fn publish(State(s): State<AppState>, Allowed(can): Allowed<Supervise>, id: Ids) -> Res {
    ok(assessments::publish(&s.db, &can, id.one()).await?)
}

/// The example schemes, to start from.
async fn examples(_: Allowed<ReadRegistry>) -> Res {
    let items: Vec<serde_json::Value> = duban_domain::assessment::EXAMPLES
        .iter()
        .map(|j| serde_json::from_str(j).expect("examples are valid JSON"))
        .collect();
    ok(json!({ "items": items }))
}

/// The run's ranking and every point's explanation as a workbook.
async fn xlsx(State(s): State<AppState>, Allowed(can): Allowed<ReadRegistry>, id: Ids) -> Res {
    use duban_domain::bulletin::Table;
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
    let bytes = duban_render::tables_xlsx(&[ranking, explained])
        .map_err(|e| duban_app::AppError::internal("cannot write the workbook", e))?;
    let file = format!("{}（{}）.xlsx", run.row.scheme_name, run.row.period);
    Ok(download(bytes, XLSX, &file, "assessment.xlsx"))
}
