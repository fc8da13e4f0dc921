//! The dashboards' queries, all within the caller's reach: the overview, breakdowns and
//! rankings with the red and black lists, the curve, the dispatch list, warnings and the
//! why of a light. The figures come from `duban_domain::analytics` (the catalogue of
//! measures); this module only gathers inputs.

use crate::AppError;
use crate::access::{Can, ReadRegistry};
use duban_domain::access::Reach;
use duban_domain::analytics::Dimension;
use duban_domain::analytics::checks::{CheckRules, project_checks};
use duban_domain::analytics::dispatch::{self, DispatchFacts, DispatchReason};
use duban_domain::analytics::forecast::{Forecast, forecast};
use duban_domain::analytics::lights::{Light, Reason, RuleSet};
use duban_domain::analytics::measure::{Definition, Definitions, Figures, Measure, RankBy};
use duban_domain::analytics::rank::{Ranked, SeriesLists, standings};
use duban_domain::analytics::totals::{Totals, roll_up_tree};
use duban_domain::analytics::year::{ProjectYear, YearInputs, project_year_explained};
use duban_domain::warning::Warning;
use duban_domain::{FieldError, Period};
use duban_store::Db;
use duban_store::analytics::{self as store};
use serde::Serialize;
use std::collections::HashMap;

use super::kept::Sums;
use super::upkeep::{compute, rules};
use duban_domain::ids::ChainId;
use duban_domain::ids::ProjectId;

/// An as-of month as the API receives it (`YYYY-MM`, default last month).
pub fn as_of(text: Option<&str>) -> Result<Period, AppError> {
    match text.map(str::trim).filter(|s| !s.is_empty()) {
        Some(t) => Ok(Period::parse("as_of", t)?),
        None => Ok(Period::of(crate::clock::today()).prev()),
    }
}

/// The office's definitions of the measures (口径), from the business settings.
pub async fn definitions(db: &Db) -> Result<Definitions, AppError> {
    Ok(crate::settings::get(db).await?.definitions)
}

/// Every measure with its 口径 under the definitions in force.
pub async fn catalogue(db: &Db) -> Result<Vec<Definition>, AppError> {
    let s = crate::settings::get(db).await?;
    Ok(Measure::ALL
        .iter()
        .map(|m| m.definition(&s.definitions, s.report_deadline_day))
        .collect())
}

/// Open and overdue problem counts added up.
fn add_counts<'a>(counts: impl Iterator<Item = &'a (i64, i64)>) -> (i64, i64) {
    counts.fold((0, 0), |a, b| (a.0 + b.0, a.1 + b.1))
}

/// The same month a year before.
fn year_before(p: Period) -> Period {
    Period::new(p.year() - 1, p.month()).expect("valid")
}

#[derive(Debug, Serialize)]
pub struct Overview {
    pub as_of: Period,
    #[serde(flatten)]
    pub figures: Figures,
    pub problems_open: i64,
    pub problems_overdue: i64,
}

pub async fn overview(
    db: &Db,
    can: &Can<ReadRegistry>,
    as_of_text: Option<&str>,
    unit: Option<i64>,
) -> Result<Overview, AppError> {
    let p = as_of(as_of_text)?;
    let d = definitions(db).await?;
    let reach = can.reach_within(unit);
    let sums = Sums::now(db).await?;
    let now = sums.sum(p, &reach).await?;
    let last = sums.sum(year_before(p), &reach).await?;
    let (open, overdue) = add_counts(problems_by_unit(db, &reach, &d).await?.values());
    Ok(Overview {
        as_of: p,
        figures: Figures::of(now, p.month(), Some(&last), &d).with_problems(open, overdue),
        problems_open: open,
        problems_overdue: overdue,
    })
}

/// One row of a breakdown.
#[derive(Debug, Serialize)]
pub struct Row {
    /// A unit id, chain id, category, nature or funding-source code.
    pub key: String,
    /// By unit: the row of the parent unit's own projects (本级), not ranked.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub own: bool,
    #[serde(flatten)]
    pub figures: Figures,
    /// By unit: problems still open, and those past their deadline (led by the unit or
    /// its sub-units).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problems_open: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problems_overdue: Option<i64>,
}

/// The figures by unit (the children of `unit`, or the top units of the reach, each
/// with its sub-units), by chain, by category or by nature.
pub async fn breakdown(
    db: &Db,
    can: &Can<ReadRegistry>,
    as_of_text: Option<&str>,
    by: Dimension,
    unit: Option<i64>,
) -> Result<Vec<Row>, AppError> {
    let p = as_of(as_of_text)?;
    let d = definitions(db).await?;
    let reach = can.reach_within(unit);
    let ly = year_before(p);
    let rows = match by {
        Dimension::Unit => {
            let tree = can.caller().tree();
            let sums = Sums::now(db).await?;
            let own_now = sums.by_unit(p, &reach).await?;
            let own_last = sums.by_unit(ly, &reach).await?;
            let (now, last) = (roll_up_tree(&own_now, tree), roll_up_tree(&own_last, tree));
            let problems = problems_by_unit(db, &reach, &d).await?;
            let (parent, keys) = top_units(can, unit);
            let row = |u: i64, own: bool| {
                let units = if own { vec![u] } else { tree.subtree(u) };
                let (open, overdue) = add_counts(units.iter().filter_map(|x| problems.get(x)));
                let (t, l) = if own {
                    (own_now.get(&u), own_last.get(&u))
                } else {
                    (now.get(&u), last.get(&u))
                };
                Row {
                    key: u.to_string(),
                    own,
                    figures: Figures::of(t.copied().unwrap_or_default(), p.month(), l, &d)
                        .with_problems(open, overdue),
                    problems_open: Some(open),
                    problems_overdue: Some(overdue),
                }
            };
            let mut rows: Vec<Row> = keys.into_iter().map(|u| row(u, false)).collect();
            // The parent's own projects and problems (本级), so that the rows add up to the
            // overview.
            if let Some(pu) = parent {
                let r = row(pu, true);
                if r.figures.totals.projects > 0 || r.problems_open.unwrap_or(0) > 0 {
                    rows.push(r);
                }
            }
            rows
        }
        dim => {
            let sums = Sums::now(db).await?;
            let now = sums.by_key(p, dim.code(), &reach).await?;
            let before = sums.by_key(ly, dim.code(), &reach).await?;
            let last: HashMap<&str, &Totals> =
                before.iter().map(|(k, t)| (k.as_str(), t)).collect();
            let mut v: Vec<Row> = now
                .iter()
                .map(|(k, t)| Row {
                    figures: Figures::of(*t, p.month(), last.get(k.as_str()).copied(), &d),
                    key: k.clone(),
                    own: false,
                    problems_open: None,
                    problems_overdue: None,
                })
                .collect();
            v.sort_by(|a, b| {
                b.figures
                    .totals
                    .annual_plan
                    .cmp(&a.figures.totals.annual_plan)
                    .then(a.key.cmp(&b.key))
            });
            v
        }
    };
    Ok(rows)
}

/// Pending-problem counts per lead unit, kept per database at the problems' change count:
/// the count scans every pending problem (tens of milliseconds at a million projects) and
/// every dashboard asks for it. A problem written on any server counts itself; while one
/// request recounts, the others take the last count.
type Counts = std::sync::Arc<HashMap<i64, (i64, i64)>>;
static PROBLEM_COUNTS: std::sync::LazyLock<crate::cache::Memo<Counts>> =
    std::sync::LazyLock::new(|| crate::cache::Memo::new(std::time::Duration::from_secs(600), 64));

/// Forget the cached problem counts of a database (after a problem changed).
pub(crate) fn problems_changed(db: &Db) {
    PROBLEM_COUNTS.clear(db);
}

/// The problem states, as stored, that count as overdue past the deadline.
pub fn overdue_states(d: &Definitions) -> Vec<&'static str> {
    d.overdue_states().into_iter().map(|s| s.code()).collect()
}

async fn problems_by_unit(
    db: &Db,
    reach: &Reach,
    d: &Definitions,
) -> Result<HashMap<i64, (i64, i64)>, AppError> {
    // Keyed by the day ("overdue" changes at midnight) and the definition.
    let today = crate::clock::today().to_string();
    let states = overdue_states(d);
    let key = format!("{today} {}", states.join(","));
    let version = duban_store::changes::version(db, "problems").await?;
    let all = PROBLEM_COUNTS
        .get_or(db, key, version, async || {
            Ok::<_, AppError>(std::sync::Arc::new(
                count_problems(db, &today, &states).await?,
            ))
        })
        .await?;
    Ok(all
        .iter()
        .filter(|(u, _)| reach.covers(**u))
        .map(|(u, c)| (*u, *c))
        .collect())
}

/// Open and overdue problems per lead unit, counted from the `problems_pending` index
/// (state, lead unit, deadline) alone: open in the states the definition counts (so every
/// overdue problem is an open one), overdue those of them past their deadline. The `+`
/// keeps SQLite's planner off the lead-unit index, which it would otherwise pick for the
/// grouping and then read every problem's row (about 0.4 s at a million projects,
/// against 30 ms from the covering index).
async fn count_problems(
    db: &Db,
    today: &str,
    states: &[&str],
) -> Result<HashMap<i64, (i64, i64)>, AppError> {
    Ok(db
        .fetch_all(
            &format!(
                "SELECT q.lead_unit_id AS u, COUNT(*) AS o, \
                 CAST(COALESCE(SUM(CASE WHEN q.deadline < $1 THEN 1 ELSE 0 END), 0) AS BIGINT) AS d \
                 FROM problems q WHERE q.state IN ({}) AND +q.lead_unit_id IS NOT NULL GROUP BY q.lead_unit_id",
                duban_store::sql_list(states)
            ),
            &[today.into()],
            |r| Ok((r.i64("u")?, (r.i64("o")?, r.i64("d")?))),
        )
        .await?
        .into_iter()
        .collect())
}

/// The units a "by unit" view lists, and the unit they are the children of: the
/// children of `unit`; else the units directly under the top of the reach (the
/// organisation's divisions, departments …), as the bulletin of that top unit ranks them;
/// with several tops, the tops themselves.
fn top_units(can: &Can<ReadRegistry>, unit: Option<i64>) -> (Option<i64>, Vec<i64>) {
    let tree = can.caller().tree();
    let children_in_reach = |u: i64| -> Vec<i64> {
        tree.children(u)
            .iter()
            .copied()
            .filter(|c| can.reach().covers(*c))
            .collect()
    };
    if let Some(u) = unit {
        return (Some(u), children_in_reach(u));
    }
    let tops: Vec<i64> = match can.reach() {
        Reach::All => tree.roots(),
        Reach::Units(us) => us
            .iter()
            .copied()
            .filter(|u| tree.parent(*u).is_none_or(|p| !us.contains(&p)))
            .collect(),
    };
    match tops.as_slice() {
        [one] if !children_in_reach(*one).is_empty() => (Some(*one), children_in_reach(*one)),
        _ => (None, tops),
    }
}

/// The plan-versus-actual curve of a year: cumulative plan and actual by month.
#[derive(Debug, Serialize)]
pub struct CurvePoint {
    pub month: u32,
    pub plan_to_date: i64,
    pub actual_ytd: i64,
    pub annual_plan: i64,
    pub reported: i64,
    /// The calendar's share of the annual plan at the month's end (annual × month / 12),
    /// what time progress by the calendar measures against.
    pub calendar_to_date: i64,
}

pub async fn curve(
    db: &Db,
    can: &Can<ReadRegistry>,
    year: i32,
    unit: Option<i64>,
) -> Result<Vec<CurvePoint>, AppError> {
    let reach = can.reach_within(unit);
    Ok(Sums::now(db)
        .await?
        .monthly(year, &reach)
        .await?
        .iter()
        .map(|&(month, t)| CurvePoint {
            month,
            plan_to_date: t.plan_to_date,
            actual_ytd: t.actual_ytd,
            annual_plan: t.annual_plan,
            reported: t.reported,
            calendar_to_date: duban_domain::analytics::div_round(
                i128::from(t.annual_plan) * i128::from(month),
                12,
            ) as i64,
        })
        .collect())
}

#[derive(Debug, Serialize)]
pub struct Rankings {
    pub measure: String,
    pub items: Vec<Ranked>,
    /// Per series: its red and black lists.
    pub lists: Vec<SeriesLists>,
    /// How the lists were drawn.
    pub rule: duban_domain::analytics::measure::ListRule,
}

/// The units of a breakdown, ranked in their series by the office's measure (or another
/// one asked for), with the red and black lists of the office's list rule: the same lists
/// as the bulletin's for the same scope and month.
pub async fn rankings(
    db: &Db,
    can: &Can<ReadRegistry>,
    as_of_text: Option<&str>,
    measure: Option<RankBy>,
    unit: Option<i64>,
) -> Result<Rankings, AppError> {
    let d = definitions(db).await?;
    let mut rule = d.lists.clone();
    if let Some(m) = measure {
        rule.rank_by = m;
    }
    let measure = rule.rank_by.code();
    let rows = breakdown(db, can, as_of_text, Dimension::Unit, unit).await?;
    let units = crate::registry::units_by_id(db).await?;
    let items: Vec<(i64, String, &Figures)> = rows
        .iter()
        .filter(|r| !r.own)
        .map(|r| {
            let id: i64 = r.key.parse().unwrap_or(0);
            let series = units.get(&id).map(|u| u.series.clone()).unwrap_or_default();
            (id, series, &r.figures)
        })
        .collect();
    let (ranked, lists) = standings(&items, &rule);
    Ok(Rankings {
        measure: measure.to_string(),
        items: ranked,
        lists,
        rule,
    })
}

/// One project on the dispatch list.
#[derive(Debug, Serialize)]
pub struct DispatchItem {
    pub project_id: ProjectId,
    pub code: String,
    pub name: String,
    pub unit_id: i64,
    pub chain_id: Option<ChainId>,
    pub leader: String,
    pub light: Light,
    pub reasons: Vec<DispatchReason>,
}

/// The dispatch list: how many projects need action in all and for each reason (the
/// cockpit's alerts are these counts), and a page of them.
#[derive(Debug, Serialize)]
pub struct DispatchList {
    pub as_of: Period,
    pub total: i64,
    /// Projects per reason code (a project may have several).
    pub counts: std::collections::BTreeMap<&'static str, i64>,
    pub items: Vec<DispatchItem>,
}

const CAUSES: [(&str, store::DispatchCause); 5] = [
    ("light", store::DispatchCause::Light),
    ("not_started", store::DispatchCause::NotStarted),
    ("milestone_overdue", store::DispatchCause::MilestoneOverdue),
    ("problems_overdue", store::DispatchCause::ProblemsOverdue),
    ("report_missing", store::DispatchCause::ReportMissing),
];

/// The weekly dispatch list as of a month: projects needing action, with reasons,
/// ordered by unit and project (the UI groups them). `reason` keeps one reason only.
/// The dispatch list's counts at the read model's and the problems' change counts: at a
/// million projects counting a division's list reads its 85,603 project-years and looks
/// up each one's problems (70 ms), and every supervisor's page view asks again. Kept
/// by the list's selection (which names the day), the callers waiting for the count of
/// the current changes, never an older one.
static DISPATCH_COUNTS: std::sync::LazyLock<crate::cache::Memo<i64>> =
    std::sync::LazyLock::new(|| {
        crate::cache::Memo::fresh_only(std::time::Duration::from_secs(600), 256)
    });

async fn dispatch_count(
    db: &Db,
    q: &store::DispatchQuery,
    (totals, problems): (i64, i64),
) -> Result<i64, AppError> {
    let key = format!("{} @problems {problems}", q.selection());
    DISPATCH_COUNTS
        .get_or(db, key, totals, async || {
            Ok::<i64, AppError>(store::dispatch_count(db, q).await?)
        })
        .await
}

pub async fn dispatch_list(
    db: &Db,
    can: &Can<ReadRegistry>,
    as_of_text: Option<&str>,
    unit: Option<i64>,
    reason: Option<&str>,
    offset: i64,
    limit: i64,
) -> Result<DispatchList, AppError> {
    let p = as_of(as_of_text)?;
    let d = definitions(db).await?;
    let cause = match reason.map(str::trim).filter(|r| !r.is_empty()) {
        None => None,
        Some(r) => Some(
            CAUSES
                .iter()
                .find(|(c, _)| *c == r)
                .map(|(_, c)| *c)
                .ok_or_else(|| {
                    FieldError::new(
                        "reason",
                        "unknown_code",
                        format!("“{r}”无效，可选 light、not_started、milestone_overdue、problems_overdue、report_missing"),
                        format!("'{r}' is not light, not_started, milestone_overdue, problems_overdue or report_missing"),
                    )
                })?,
        ),
    };
    let reach = can.reach_within(unit);
    let i = p.index();
    let q = store::DispatchQuery {
        year: p.year(),
        month: p.month(),
        reach: reach.clone(),
        report_col: d.missing.column(),
        overdue_states: overdue_states(&d),
        today: crate::clock::today(),
        cause,
        offset,
        limit,
    };
    let versions = (
        duban_store::changes::version(db, "totals").await?,
        duban_store::changes::version(db, "problems").await?,
    );
    let total = dispatch_count(db, &q, versions).await?;
    let years = store::dispatch_page(db, &q).await?;
    // The counts of the reasons the read model keeps come from the totals (the same
    // figures as the cockpit's); projects with overdue problems are counted by query.
    let t = Sums::now(db).await?.sum(p, &reach).await?;
    let f = Figures::of(t, p.month(), None, &d);
    let mut counts = std::collections::BTreeMap::new();
    counts.insert("light", f.lit);
    counts.insert("not_started", f.not_started);
    counts.insert("milestone_overdue", t.milestones_overdue);
    counts.insert("report_missing", f.reports_missing);
    let problems_cause = store::DispatchQuery {
        cause: Some(store::DispatchCause::ProblemsOverdue),
        ..q.clone()
    };
    counts.insert(
        "problems_overdue",
        if cause == problems_cause.cause {
            total
        } else {
            dispatch_count(db, &problems_cause, versions).await?
        },
    );
    let ids: Vec<ProjectId> = years.iter().map(|y| y.meta.id).collect();
    let labels: HashMap<ProjectId, (String, String, String)> = if ids.is_empty() {
        HashMap::new()
    } else {
        let list: Vec<String> = ids.iter().map(ProjectId::to_string).collect();
        db.fetch_all(
            &format!(
                "SELECT id, code, name, leader FROM projects WHERE id IN ({})",
                list.join(",")
            ),
            &[],
            |r| {
                Ok((
                    duban_store::db::id(r, "id")?,
                    (r.str("code")?, r.str("name")?, r.str("leader")?),
                ))
            },
        )
        .await?
        .into_iter()
        .collect()
    };
    let problems = store::overdue_problems_of(db, &q, &ids).await?;
    let mut milestones = store::overdue_milestones_of(db, p, &ids).await?;
    let missing = |y: &ProjectYear| d.missing.is_missing(y.reported[i], y.submitted[i]);
    let items = years
        .into_iter()
        .map(|y| {
            let facts = DispatchFacts {
                light: y.lights[i],
                due_to_start_not_started: y.due_to_start[i] && !y.started[i],
                milestones_overdue: if y.milestone_overdue[i] {
                    milestones.remove(&y.meta.id).unwrap_or_default()
                } else {
                    Vec::new()
                },
                problems_overdue: problems.get(&y.meta.id).copied().unwrap_or(0),
                report_missing: missing(&y),
            };
            let (code, name, leader) = labels.get(&y.meta.id).cloned().unwrap_or_default();
            DispatchItem {
                project_id: y.meta.id,
                code,
                name,
                unit_id: y.meta.unit_id,
                chain_id: y.meta.chain_id,
                leader,
                light: y.lights[i],
                reasons: dispatch::reasons(&facts),
            }
        })
        .collect();
    Ok(DispatchList {
        as_of: p,
        total,
        counts,
        items,
    })
}

/// A project's data-quality warnings.
#[derive(Debug, Serialize)]
pub struct ProjectWarnings {
    pub project_id: ProjectId,
    pub unit_id: i64,
    pub warnings: Vec<Warning>,
}

/// The warnings and data-quality checks of the projects in reach (at most `limit`
/// projects examined, by unit and project), those with at least one warning.
pub async fn warnings(
    db: &Db,
    can: &Can<ReadRegistry>,
    as_of_text: Option<&str>,
    unit: Option<i64>,
    limit: i64,
) -> Result<Vec<ProjectWarnings>, AppError> {
    let p = as_of(as_of_text)?;
    let reach = can.reach_within(unit);
    let rules = rules(db).await?;
    let d = definitions(db).await?;
    let ids = store::project_ids(db, p.year(), &reach, limit).await?;
    let mut tx = db.read().await?;
    let mut out = Vec::new();
    for id in ids {
        for i in store::load_inputs(&mut tx, p.year(), id.get(), id.get() + 1).await? {
            let Some(y) = compute(&i, p.year(), &rules) else {
                continue;
            };
            let w = project_checks(
                &y,
                i.plan.as_ref(),
                &i.months,
                p.month(),
                &CheckRules::default(),
                d.missing,
            );
            if !w.is_empty() {
                out.push(ProjectWarnings {
                    project_id: ProjectId::new(id.get()),
                    unit_id: i.meta.unit_id,
                    warnings: w,
                });
            }
        }
    }
    Ok(out)
}

/// Why a project has its light, warnings and forecast at a month.
#[derive(Debug, Serialize)]
pub struct Why {
    pub project_id: ProjectId,
    pub as_of: Period,
    pub light: Light,
    pub reasons: Vec<Reason>,
    pub rules: RuleSet,
    /// The project's own time progress: its plan curve to date over its annual plan (what
    /// its progress light is judged against).
    pub time_progress_bp: Option<i64>,
    pub completion_bp: Option<i64>,
    /// Completion minus the project's own time progress, from the exact ratios, and the
    /// sentence in both languages.
    pub gap_bp: Option<i64>,
    pub gap_zh: Option<String>,
    pub gap_en: Option<String>,
    pub warnings: Vec<Warning>,
    pub forecast: Forecast,
    /// The month-by-month lights of the year.
    pub lights: Vec<Light>,
    /// Cumulative plan and actual (year to date, carried forward) at each month's end, in yuan.
    pub plan: Vec<i64>,
    pub actual: Vec<i64>,
}

pub async fn why(
    db: &Db,
    can: &Can<ReadRegistry>,
    project_id: ProjectId,
    as_of_text: Option<&str>,
) -> Result<Why, AppError> {
    let p = as_of(as_of_text)?;
    let project = crate::registry::project(db, can, project_id).await?;
    let rules = rules(db).await?;
    let mut tx = db.read().await?;
    let inputs =
        store::load_inputs(&mut tx, p.year(), project.id.get(), project.id.get() + 1).await?;
    drop(tx);
    let i = inputs
        .into_iter()
        .next()
        .ok_or(AppError::NotFound { what: "project" })?;
    let (y, reasons) = project_year_explained(&YearInputs {
        year: p.year(),
        meta: i.meta.clone(),
        plan: i.plan.as_ref(),
        months: &i.months,
        submissions: &i.submissions,
        rules: &rules,
    });
    let k = p.index();
    let gap = (y.annual_plan.get() > 0).then(|| {
        use duban_domain::analytics::measure::Rational;
        let plan = y.annual_plan.get();
        Rational::new(y.actual[k].get(), plan).minus_in_bp(Rational::new(y.plan[k].get(), plan))
    });
    Ok(Why {
        gap_bp: gap,
        gap_zh: gap.map(duban_domain::analytics::progress::gap_sentence_zh),
        gap_en: gap.map(duban_domain::analytics::progress::gap_sentence_en),
        project_id,
        as_of: p,
        light: y.lights[k],
        reasons: reasons[k].clone(),
        time_progress_bp: duban_domain::analytics::ratio_bp(y.plan[k].get(), y.annual_plan.get()),
        completion_bp: duban_domain::analytics::ratio_bp(y.actual[k].get(), y.annual_plan.get()),
        warnings: project_checks(
            &y,
            i.plan.as_ref(),
            &i.months,
            p.month(),
            &CheckRules::default(),
            definitions(db).await?.missing,
        ),
        forecast: forecast(&y, p.month()),
        lights: y.lights.to_vec(),
        plan: y.plan.iter().map(|v| v.get()).collect(),
        actual: y.actual.iter().map(|v| v.get()).collect(),
        rules,
    })
}
