//! Templates to download: the columns of the domain, the drop-down lists of the
//! caller's units and chains, and (on request, and by default for progress) the rows
//! the caller is expected to fill: the unit's projects for a month, pre-filled with
//! whatever is already entered, so a filled template re-imports as "unchanged".

use crate::AppError;
use crate::access::{Caller, DraftReports, EditRegistry, ReadRegistry, Supervise};
use duban_domain::Period;
use duban_domain::ids::ProjectId;
use duban_domain::import::{Kind, month_key};
use duban_domain::project::Project;
use duban_domain::report::ReportFigures;
use duban_domain::sheet::{Cell, date_serial};
use duban_sheets::Template;
use duban_store::{Db, imports as store, projects};
use std::collections::HashMap;

/// What the caller asks for.
#[derive(Debug, Clone, Default, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TemplateQuery {
    /// projects | plans | progress | problems
    #[schemars(extend("enum" = ["projects", "plans", "progress", "history", "problems", "units", "users"]))]
    pub kind: String,
    /// For progress: the month (default: last month).
    #[schemars(regex(pattern = r"^(19\d\d|[2-9]\d{3})-(0?[1-9]|1[0-2])$"))]
    pub period: Option<String>,
    /// For plans: the year (default: this year).
    pub year: Option<i32>,
    /// Only this unit and the units below it.
    pub unit: Option<i64>,
    /// Add the English header row.
    pub english: Option<bool>,
    /// Pre-fill the caller's projects (default: yes for progress, no otherwise).
    pub fill: Option<bool>,
}

/// At most this many projects are pre-filled into one template.
pub const MAX_FILLED: usize = 50_000;

fn text(s: &str) -> Cell {
    if s.is_empty() {
        Cell::Empty
    } else {
        Cell::Text(s.into())
    }
}

fn wan(y: duban_domain::Yuan) -> Cell {
    Cell::Number(y.get() as f64 / 10_000.0)
}

/// The template's file name and bytes.
pub async fn template(
    db: &Db,
    caller: &Caller,
    q: &TemplateQuery,
) -> Result<(String, Vec<u8>), AppError> {
    let kind = Kind::parse(&q.kind)
        .filter(|k| *k != Kind::Milestones)
        .ok_or_else(|| {
            duban_domain::FieldError::new(
                "kind",
                "unknown_code",
                format!(
                    "“{}”不是可选的模板：projects、plans、progress、problems、units、users",
                    q.kind
                ),
                format!(
                    "'{}' is not a template: projects, plans, progress, problems, units or users",
                    q.kind
                ),
            )
        })?;
    if matches!(kind, Kind::Units | Kind::Users) {
        return accounts_template(db, caller, kind, q).await;
    }
    let read = caller.can::<ReadRegistry>()?;
    let fill = q
        .fill
        .unwrap_or(matches!(kind, Kind::Progress | Kind::History));
    let today = crate::clock::today();
    let period = match &q.period {
        Some(p) => Period::parse("period", p)?,
        None => Period::of(today).prev(),
    };
    let year = q.year.unwrap_or(chrono::Datelike::year(&today));
    // The projects to pre-fill: those the caller may write for this kind.
    let reach = match kind {
        Kind::Progress => caller.can::<DraftReports>()?.reach_within(q.unit),
        Kind::History => caller.can::<Supervise>()?.reach_within(q.unit),
        Kind::Problems => read.reach_within(q.unit),
        _ => caller.can::<EditRegistry>()?.reach_within(q.unit),
    };
    let mut list: Vec<Project> = Vec::new();
    if fill && kind != Kind::Problems {
        let filter = projects::ProjectFilter {
            reach,
            ..Default::default()
        };
        let ids = projects::ids_in_order(db, &filter).await?;
        for chunk in ids.chunks(1000).take(MAX_FILLED / 1000) {
            list.extend(projects::by_ids(db, chunk).await?);
        }
    }
    let units = crate::registry::units(db, caller).await?;
    let unit_name = |id: i64| {
        units
            .iter()
            .find(|u| u.id == id)
            .map(|u| u.name.clone())
            .unwrap_or_default()
    };
    let chains = crate::registry::chains(db, caller).await?;
    let mut notes = vec![format!(
        "填报人 / prepared by: {}（{}）",
        caller.actor.display_name,
        unit_name(caller.actor.unit_id)
    )];
    let sheets = match kind {
        Kind::Projects => {
            let ids: Vec<ProjectId> = list.iter().map(|p| p.id).collect();
            let mut rows = Vec::with_capacity(ids.len());
            for chunk in ids.chunks(1000) {
                for p in duban_store::export::projects_with_funding(db, chunk).await? {
                    rows.push(project_row(&p, &unit_name, &chains));
                }
            }
            vec![(Kind::Projects, rows)]
        }
        Kind::Plans => {
            notes.push(format!("计划年度 / year: {year}"));
            let mut plan_rows = Vec::new();
            let mut milestone_rows = Vec::new();
            let ids: Vec<ProjectId> = list.iter().map(|p| p.id).collect();
            let mut stored = HashMap::new();
            for chunk in ids.chunks(1000) {
                for (pid, ps) in duban_store::export::plans_of(db, chunk).await? {
                    if let Some(plan) = ps.into_iter().find(|x| x.year == year) {
                        stored.insert(pid, plan);
                    }
                }
            }
            for p in &list {
                let plan = stored.remove(&p.id);
                plan_rows.push(plan_row(p, year, plan.as_ref()));
                for m in plan.iter().flat_map(|x| &x.milestones) {
                    milestone_rows.push(columns(Kind::Milestones, |k| match k {
                        "code" => text(p.spec.code.as_str()),
                        "name" => text(&p.spec.name),
                        "year" => Cell::Number(year as f64),
                        "milestone" => text(&m.name),
                        "planned_on" => Cell::Date(date_serial(m.planned)),
                        "actual_on" => m
                            .actual
                            .map(|d| Cell::Date(date_serial(d)))
                            .unwrap_or_default(),
                        _ => Cell::Empty,
                    }));
                }
            }
            vec![(Kind::Plans, plan_rows), (Kind::Milestones, milestone_rows)]
        }
        Kind::Progress => {
            notes.push(format!("填报月份 / month: {period}"));
            let ids: Vec<ProjectId> = list.iter().map(|p| p.id).collect();
            let latest = store::latest_reports(db, &ids, period).await?;
            let rows = list
                .iter()
                .map(|p| {
                    let f = latest.get(&p.id).map(|r| r.figures.clone());
                    progress_row(p, period, f.as_ref())
                })
                .collect();
            vec![(Kind::Progress, rows)]
        }
        Kind::History => {
            // Every month of the year before this one, each row as stored (approved) or
            // empty to fill from the office's records.
            let last = Period::of(today).prev();
            let months: Vec<Period> = (1..=12)
                .filter_map(|m| Period::new(year, m))
                .filter(|p| *p <= last)
                .collect();
            notes.push(format!("补录年度 / year: {year}（{} 个月）", months.len()));
            let ids: Vec<ProjectId> = list.iter().map(|p| p.id).collect();
            let mut rows = Vec::with_capacity(list.len() * months.len());
            let mut stored = HashMap::new();
            for m in &months {
                for (pid, r) in store::latest_reports(db, &ids, *m).await? {
                    if r.state == duban_domain::report::ReportState::Approved {
                        stored.insert((pid, *m), r.figures);
                    }
                }
            }
            for p in &list {
                for m in &months {
                    rows.push(progress_row(p, *m, stored.get(&(p.id, *m))));
                }
            }
            vec![(Kind::History, rows)]
        }
        Kind::Problems | Kind::Milestones | Kind::Units | Kind::Users => {
            vec![(Kind::Problems, vec![])]
        }
    };
    let names: Vec<String> = units.iter().map(|u| u.name.clone()).collect();
    let t = Template {
        sheets,
        english: q.english.unwrap_or(false),
        notes,
        lists: vec![
            ("unit", names.clone()),
            ("lead_unit", names),
            ("chain", chains.iter().map(|c| c.name.clone()).collect()),
        ],
    };
    let bytes = tokio::task::spawn_blocking(move || duban_sheets::template(&t))
        .await
        .map_err(|e| AppError::internal("background task", e))?
        .map_err(|e| AppError::internal("cannot write the template", e))?;
    let name = match kind {
        Kind::Progress => format!("{}模板-{period}.xlsx", kind.zh()),
        Kind::Plans | Kind::History => format!("{}模板-{year}.xlsx", kind.zh()),
        _ => format!("{}模板.xlsx", kind.zh()),
    };
    Ok((name, bytes))
}

/// The unit tree's template (pre-filled with the units the administrator manages, parents
/// first, so the sheet can be extended and imported back) and the users' (empty, with
/// the units as a list to choose from).
async fn accounts_template(
    db: &Db,
    caller: &Caller,
    kind: Kind,
    q: &TemplateQuery,
) -> Result<(String, Vec<u8>), AppError> {
    let reach = if kind == Kind::Units {
        caller.can::<crate::access::ManageUnits>()?.reach().clone()
    } else {
        caller.can::<crate::access::ManageUsers>()?.reach().clone()
    };
    let units = crate::registry::units(db, caller).await?;
    let managed: Vec<&duban_domain::unit::Unit> =
        units.iter().filter(|u| reach.covers(u.id)).collect();
    let code_of = |id: Option<i64>| {
        id.and_then(|i| units.iter().find(|u| u.id == i))
            .map(|u| u.code.clone())
            .unwrap_or_default()
    };
    let rows = if kind == Kind::Units && q.fill.unwrap_or(true) {
        // Parents before children: the order the importer reads them in.
        let tree = caller.tree();
        let mut ordered = managed.clone();
        ordered.sort_by_key(|u| (tree.depth(u.id), u.sort, u.id));
        ordered
            .iter()
            .map(|u| {
                columns(Kind::Units, |k| match k {
                    "unit_code" => text(&u.code),
                    "unit_name" => text(&u.name),
                    "parent" => text(&code_of(u.parent_id)),
                    "unit_kind" => text(u.kind.zh()),
                    "series" => text(&u.series),
                    _ => Cell::Empty,
                })
            })
            .collect()
    } else {
        vec![]
    };
    let names: Vec<String> = managed.iter().map(|u| u.name.clone()).collect();
    let t = Template {
        sheets: vec![(kind, rows)],
        english: q.english.unwrap_or(false),
        notes: vec![format!(
            "填报人 / prepared by: {}",
            caller.actor.display_name
        )],
        lists: vec![("unit", names.clone()), ("parent", names)],
    };
    let bytes = tokio::task::spawn_blocking(move || duban_sheets::template(&t))
        .await
        .map_err(|e| AppError::internal("background task", e))?
        .map_err(|e| AppError::internal("cannot write the template", e))?;
    Ok((format!("{}模板.xlsx", kind.zh()), bytes))
}

/// A row aligned with a kind's columns, each cell given by its key.
fn columns(kind: Kind, cell: impl Fn(&str) -> Cell) -> Vec<Cell> {
    kind.columns().iter().map(|c| cell(c.key)).collect()
}

fn project_row(
    p: &Project,
    unit_name: &dyn Fn(i64) -> String,
    chains: &[duban_domain::unit::Chain],
) -> Vec<Cell> {
    let s = &p.spec;
    columns(Kind::Projects, |k| match k {
        "code" => text(s.code.as_str()),
        "name" => text(&s.name),
        "unit" => text(&unit_name(s.unit_id)),
        "builder" => text(&s.builder),
        "leader" => text(&s.leader),
        "chain" => s
            .chain_id
            .and_then(|c| chains.iter().find(|x| x.id == c))
            .map(|c| text(&c.name))
            .unwrap_or_default(),
        "category" => text(s.category.zh()),
        "nature" => text(s.nature.zh()),
        "level" => text(s.level.zh()),
        "status" => text(s.status.zh()),
        "location" => text(&s.location),
        "content" => text(&s.content),
        "years" => text(&format!("{}-{}", s.start_year, s.end_year)),
        "total" => wan(s.total_investment),
        "funding" => text(
            &s.funding
                .iter()
                .map(|f| format!("{} {}", f.source.zh(), f.amount.wan_exact()))
                .collect::<Vec<_>>()
                .join("；"),
        ),
        _ => Cell::Empty,
    })
}

fn plan_row(p: &Project, year: i32, plan: Option<&duban_domain::plan::AnnualPlan>) -> Vec<Cell> {
    columns(Kind::Plans, |k| match k {
        "code" => text(p.spec.code.as_str()),
        "name" => text(&p.spec.name),
        "year" => Cell::Number(year as f64),
        "planned" => plan.map(|x| wan(x.planned())).unwrap_or_default(),
        "start_month" => plan
            .and_then(|x| x.planned_start_month)
            .map(|m| Cell::Number(m as f64))
            .unwrap_or_default(),
        k => match (plan, (1..=12).find(|m| month_key(*m) == k)) {
            (Some(x), Some(m)) => wan(x.curve.of_month(m as u32)),
            _ => Cell::Empty,
        },
    })
}

fn progress_row(p: &Project, period: Period, f: Option<&ReportFigures>) -> Vec<Cell> {
    columns(Kind::Progress, |k| match (k, f) {
        ("code", _) => text(p.spec.code.as_str()),
        ("name", _) => text(&p.spec.name),
        ("period", _) => text(&period.to_string()),
        (_, None) => Cell::Empty,
        ("invest_period", Some(f)) => wan(f.invest_period),
        ("invest_ytd", Some(f)) => wan(f.invest_ytd),
        ("invest_since_start", Some(f)) => wan(f.invest_since_start),
        ("progress_pct", Some(f)) => Cell::Number(f.progress_bp as f64 / 100.0),
        ("progress_text", Some(f)) => text(&f.progress_text),
        ("funds_received", Some(f)) => wan(f.funds_received),
        ("funds_disbursed", Some(f)) => wan(f.funds_disbursed),
        ("started", Some(f)) => text(if f.started { "是" } else { "否" }),
        ("started_on", Some(f)) => f
            .started_on
            .map(|d| Cell::Date(date_serial(d)))
            .unwrap_or_default(),
        ("stats_entered", Some(f)) => text(if f.stats_entered { "是" } else { "否" }),
        ("issues", Some(f)) => text(&f.issues),
        ("next_steps", Some(f)) => text(&f.next_steps),
        _ => Cell::Empty,
    })
}
