//! The analytics use cases: keeping the read model current (in the transaction of each
//! change), rebuilding it, and the dashboard queries, all within the caller's reach.
//! The figures come from `duban_domain::analytics`; this module only gathers inputs.

use crate::access::{Can, ManageUsers, ReadRegistry};
use crate::{AppError, audit};
use duban_domain::access::Reach;
use duban_domain::analytics::checks::{CheckRules, project_checks};
use duban_domain::analytics::dispatch::{self, DispatchFacts, DispatchReason};
use duban_domain::analytics::forecast::{Forecast, forecast};
use duban_domain::analytics::lights::{Light, Reason, RuleSet};
use duban_domain::analytics::rank::{Ranked, rank, red_black};
use duban_domain::analytics::totals::{Totals, roll_up_tree, yoy_bp};
use duban_domain::analytics::year::{
    ProjectYear, YearInputs, project_year, project_year_explained,
};
use duban_domain::warning::Warning;
use duban_domain::{FieldError, Period};
use duban_store::analytics::{self as store, Inputs};
use duban_store::{Db, Tx, settings};
use serde::Serialize;
use std::collections::HashMap;

const RULES_KEY: &str = "light_rules";

/// The light rule set in force (the Yinchuan default until an administrator sets one).
pub async fn rules(db: &Db) -> Result<RuleSet, AppError> {
    Ok(match settings::get(db, RULES_KEY).await? {
        Some(t) => serde_json::from_str(&t)
            .map_err(|e| AppError::Internal(format!("stored light rules do not parse: {e}")))?,
        None => RuleSet::yinchuan(),
    })
}

/// Change the rule set; every year with data is recomputed in the same transaction.
pub async fn put_rules(db: &Db, can: &Can<ManageUsers>, r: &RuleSet) -> Result<RuleSet, AppError> {
    r.validate()?;
    let before = rules(db).await?;
    let years: Vec<i64> = db
        .fetch_all(
            "SELECT DISTINCT year AS v FROM project_years ORDER BY year",
            &[],
            |r| r.i64("v"),
        )
        .await?;
    let mut tx = db.write().await?;
    settings::set(
        &mut tx,
        RULES_KEY,
        &serde_json::to_string(r).expect("rules serialise"),
    )
    .await?;
    for y in years {
        rebuild_in(&mut tx, y as i32, r, &mut |_| {}).await?;
    }
    audit::record(
        &mut tx,
        can.actor(),
        "settings.light_rules",
        "settings",
        RULES_KEY,
        Some(&before),
        Some(r),
    )
    .await?;
    tx.commit().await?;
    Ok(r.clone())
}

fn compute(i: &Inputs, year: i32, rules: &RuleSet) -> Option<ProjectYear> {
    // A project is in a year's figures when it has a plan or an approved report that year.
    if i.plan.is_none() && i.months.is_empty() {
        return None;
    }
    Some(project_year(&YearInputs {
        year,
        meta: i.meta.clone(),
        plan: i.plan.as_ref(),
        months: &i.months,
        rules,
    }))
}

/// Bring one project's year up to date inside the caller's transaction.
pub async fn refresh_project(
    tx: &mut Tx,
    project_id: i64,
    year: i32,
    rules: &RuleSet,
) -> Result<(), AppError> {
    let inputs = store::load_inputs(
        tx,
        year,
        project_id,
        project_id + 1,
        rules.slippage.is_some(),
    )
    .await?;
    let new = inputs.first().and_then(|i| compute(i, year, rules));
    let old = store::stored_year(tx, project_id, year).await?;
    if old != new {
        store::replace_year(tx, old.as_ref(), new.as_ref()).await?;
    }
    Ok(())
}

/// Bring every stored year of a project up to date (after a registry change).
pub async fn refresh_all_years(
    tx: &mut Tx,
    project_id: i64,
    rules: &RuleSet,
) -> Result<(), AppError> {
    let years = tx
        .fetch_all(
            "SELECT year AS v FROM project_years WHERE project_id = $1 UNION SELECT year AS v FROM annual_plans WHERE project_id = $1",
            &[project_id.into()],
            |r| r.i64("v"),
        )
        .await?;
    for y in years {
        refresh_project(tx, project_id, y as i32, rules).await?;
    }
    Ok(())
}

/// What a rebuild did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Rebuilt {
    pub year: i32,
    pub projects: u64,
    pub cells: u64,
}

const CHUNK: i64 = 20_000;

async fn rebuild_in(
    tx: &mut Tx,
    year: i32,
    rules: &RuleSet,
    progress: &mut (dyn FnMut(u64) + Send),
) -> Result<Rebuilt, AppError> {
    store::clear_year(tx, year).await?;
    let max = store::max_project_id(tx).await?;
    // One entry per (dimension cell, unit), holding the twelve months.
    let mut cells: HashMap<(&'static str, String, i64), [Totals; 12]> = HashMap::new();
    let mut done = 0u64;
    let mut lo = 1;
    while lo <= max {
        let inputs = store::load_inputs(tx, year, lo, lo + CHUNK, rules.slippage.is_some()).await?;
        let years: Vec<ProjectYear> = inputs
            .iter()
            .filter_map(|i| compute(i, year, rules))
            .collect();
        for y in &years {
            let months: [Totals; 12] = std::array::from_fn(|i| Totals::of(y, i as u32 + 1));
            for (dim, key) in store::cells(y) {
                let e = cells
                    .entry((dim, key, y.meta.unit_id))
                    .or_insert([Totals::ZERO; 12]);
                for (a, b) in e.iter_mut().zip(months.iter()) {
                    *a += *b;
                }
            }
        }
        done += store::insert_years(tx, &years).await?;
        progress(done);
        lo += CHUNK;
    }
    let n = store::insert_totals(tx, year, &cells).await?;
    Ok(Rebuilt {
        year,
        projects: done,
        cells: n,
    })
}

/// Recompute a year's read model from the reports, all or nothing.
pub async fn rebuild(
    db: &Db,
    year: i32,
    progress: &mut (dyn FnMut(u64) + Send),
) -> Result<Rebuilt, AppError> {
    let rules = rules(db).await?;
    let mut tx = db.write().await?;
    let r = rebuild_in(&mut tx, year, &rules, progress).await?;
    tx.commit().await?;
    Ok(r)
}

/// An as-of month as the API receives it (`YYYY-MM`, default last month).
pub fn as_of(text: Option<&str>) -> Result<Period, AppError> {
    match text.map(str::trim).filter(|s| !s.is_empty()) {
        Some(t) => Ok(Period::parse("as_of", t)?),
        None => Ok(Period::of(crate::clock::today()).prev()),
    }
}

/// The figures of a group at a month, with the rates derived from them.
#[derive(Debug, Clone, Serialize)]
pub struct Figures {
    #[serde(flatten)]
    pub totals: Totals,
    pub completion_bp: Option<i64>,
    pub time_progress_bp: Option<i64>,
    pub gap_bp: Option<i64>,
    pub start_rate_bp: Option<i64>,
    /// Year-on-year growth of actual investment (same month last year).
    pub yoy_bp: Option<i64>,
    /// "超过/落后时间进度 X 个百分点"
    pub gap_zh: Option<String>,
}

impl Figures {
    fn of(t: Totals, last_year: Option<&Totals>) -> Figures {
        Figures {
            completion_bp: t.completion_bp(),
            time_progress_bp: t.time_progress_bp(),
            gap_bp: t.gap_bp(),
            start_rate_bp: t.start_rate_bp(),
            yoy_bp: last_year
                .filter(|l| l.projects > 0)
                .and_then(|l| yoy_bp(t.actual_ytd, l.actual_ytd)),
            gap_zh: t
                .gap_bp()
                .map(duban_domain::analytics::progress::gap_sentence_zh),
            totals: t,
        }
    }
}

async fn sum(db: &Db, p: Period, reach: &Reach) -> Result<Totals, AppError> {
    Ok(store::sum_totals(db, p.year(), p.month(), reach).await?)
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
    let reach = can.reach_within(unit);
    let now = sum(db, p, &reach).await?;
    let last = sum(
        db,
        Period::new(p.year() - 1, p.month()).expect("valid"),
        &reach,
    )
    .await?;
    let (open, overdue) = problems_by_unit(db, &reach)
        .await?
        .values()
        .fold((0, 0), |a, b| (a.0 + b.0, a.1 + b.1));
    Ok(Overview {
        as_of: p,
        figures: Figures::of(now, Some(&last)),
        problems_open: open,
        problems_overdue: overdue,
    })
}

/// One row of a breakdown.
#[derive(Debug, Serialize)]
pub struct Row {
    /// A unit id, chain id, category, nature or funding-source code.
    pub key: String,
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
    by: &str,
    unit: Option<i64>,
) -> Result<Vec<Row>, AppError> {
    let p = as_of(as_of_text)?;
    let reach = can.reach_within(unit);
    let ly = Period::new(p.year() - 1, p.month()).expect("valid");
    let rows = match by {
        "unit" => {
            let tree = can.caller().tree();
            let own_now = store::unit_totals(db, p.year(), p.month(), &reach).await?;
            let own_last = store::unit_totals(db, ly.year(), ly.month(), &reach).await?;
            let (now, last) = (roll_up_tree(&own_now, tree), roll_up_tree(&own_last, tree));
            let problems = problems_by_unit(db, &reach).await?;
            let keys = top_units(can, unit);
            keys.into_iter()
                .map(|u| {
                    let (open, overdue) = tree
                        .subtree(u)
                        .iter()
                        .filter_map(|x| problems.get(x))
                        .fold((0, 0), |a, b| (a.0 + b.0, a.1 + b.1));
                    Row {
                        key: u.to_string(),
                        figures: Figures::of(
                            now.get(&u).copied().unwrap_or_default(),
                            last.get(&u),
                        ),
                        problems_open: Some(open),
                        problems_overdue: Some(overdue),
                    }
                })
                .collect()
        }
        dim if store::DIMS[1..].contains(&dim) => {
            let now: HashMap<String, Totals> =
                store::totals_by_key(db, p.year(), p.month(), by, &reach)
                    .await?
                    .into_iter()
                    .collect();
            let last: HashMap<String, Totals> =
                store::totals_by_key(db, ly.year(), ly.month(), by, &reach)
                    .await?
                    .into_iter()
                    .collect();
            let mut v: Vec<Row> = now
                .into_iter()
                .map(|(k, t)| Row {
                    figures: Figures::of(t, last.get(&k)),
                    key: k,
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
        other => {
            return Err(FieldError::new(
                "by",
                "unknown_code",
                format!("“{other}”无效，应为 unit、chain、category、nature 或 funding"),
                format!("'{other}' is not unit, chain, category, nature or funding"),
            )
            .into());
        }
    };
    Ok(rows)
}

/// Open and overdue problems per lead unit within a reach.
/// Pending-problem counts per lead unit, cached per database for a few seconds: the
/// count scans every pending problem (tens of milliseconds at a million projects) and
/// every dashboard asks for it. Problem writes through this process clear the cache;
/// other instances see a change within 15 seconds.
type Counts = std::sync::Arc<HashMap<i64, (i64, i64)>>;
static PROBLEM_COUNTS: std::sync::LazyLock<crate::cache::Memo<Counts>> =
    std::sync::LazyLock::new(|| crate::cache::Memo::new(std::time::Duration::from_secs(15), 64));

/// Forget the cached problem counts of a database (after a problem changed).
pub fn problems_changed(db: &Db) {
    PROBLEM_COUNTS.clear(db);
}

async fn problems_by_unit(db: &Db, reach: &Reach) -> Result<HashMap<i64, (i64, i64)>, AppError> {
    // Keyed by the day: "overdue" changes at midnight.
    let today = crate::clock::today().to_string();
    let all = PROBLEM_COUNTS
        .get_or(db, today.clone(), async || {
            Ok::<_, AppError>(std::sync::Arc::new(count_problems(db, &today).await?))
        })
        .await?;
    Ok(all
        .iter()
        .filter(|(u, _)| reach.covers(**u))
        .map(|(u, c)| (*u, *c))
        .collect())
}

/// Open and overdue problems per lead unit, counted from the `problems_pending` index.
async fn count_problems(db: &Db, today: &str) -> Result<HashMap<i64, (i64, i64)>, AppError> {
    let pending: Vec<String> = duban_domain::problem::ProblemState::ALL
        .iter()
        .filter(|s| s.is_pending())
        .map(|s| format!("'{}'", s.code()))
        .collect();
    Ok(db
        .fetch_all(
            &format!(
                "SELECT q.lead_unit_id AS u, COUNT(*) AS o, CAST(COALESCE(SUM(CASE WHEN q.deadline < $1 THEN 1 ELSE 0 END), 0) AS BIGINT) AS d \
                 FROM problems q WHERE q.state IN ({}) AND q.lead_unit_id IS NOT NULL GROUP BY q.lead_unit_id",
                pending.join(", ")
            ),
            &[today.into()],
            |r| Ok((r.i64("u")?, (r.i64("o")?, r.i64("d")?))),
        )
        .await?
        .into_iter()
        .collect())
}

/// The units a "by unit" view lists: the children of `unit`, or the highest units
/// the caller reaches (within the reach, each once).
fn top_units(can: &Can<ReadRegistry>, unit: Option<i64>) -> Vec<i64> {
    let tree = can.caller().tree();
    match (unit, can.reach()) {
        (Some(u), _) => tree
            .children(u)
            .iter()
            .copied()
            .filter(|c| can.reach().covers(*c))
            .collect(),
        (None, Reach::All) => tree
            .roots()
            .iter()
            .flat_map(|r| tree.children(*r).to_vec())
            .collect(),
        (None, Reach::Units(us)) => us
            .iter()
            .copied()
            .filter(|u| tree.parent(*u).is_none_or(|p| !us.contains(&p)))
            .collect(),
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
}

pub async fn curve(
    db: &Db,
    can: &Can<ReadRegistry>,
    year: i32,
    unit: Option<i64>,
) -> Result<Vec<CurvePoint>, AppError> {
    let reach = can.reach_within(unit);
    Ok(store::monthly(db, year, &reach)
        .await?
        .into_iter()
        .map(|(month, t)| CurvePoint {
            month,
            plan_to_date: t.plan_to_date,
            actual_ytd: t.actual_ytd,
            annual_plan: t.annual_plan,
            reported: t.reported,
        })
        .collect())
}

#[derive(Debug, Serialize)]
pub struct Rankings {
    pub measure: String,
    pub items: Vec<Ranked>,
    /// Per series: (series, red list, black list).
    pub lists: Vec<(String, Vec<Ranked>, Vec<Ranked>)>,
}

/// Rank the units of a breakdown by a measure, in their series, with red and black lists.
pub async fn rankings(
    db: &Db,
    can: &Can<ReadRegistry>,
    as_of_text: Option<&str>,
    measure: &str,
    unit: Option<i64>,
    n_red: usize,
    n_black: usize,
) -> Result<Rankings, AppError> {
    let rows = breakdown(db, can, as_of_text, "unit", unit).await?;
    let pick = |f: &Figures| -> Result<Option<i64>, AppError> {
        Ok(match measure {
            "completion" => f.completion_bp,
            "gap" => f.gap_bp,
            "start_rate" => f.start_rate_bp,
            "actual" => Some(f.totals.actual_ytd),
            "yoy" => f.yoy_bp,
            other => {
                return Err(FieldError::new(
                    "measure",
                    "unknown_code",
                    format!("“{other}”无效，可选 completion、gap、start_rate、actual、yoy"),
                    format!("'{other}' is not completion, gap, start_rate, actual or yoy"),
                )
                .into());
            }
        })
    };
    let units = crate::registry::units_by_id(db).await?;
    let mut items = Vec::new();
    for r in &rows {
        let id: i64 = r.key.parse().unwrap_or(0);
        let series = units.get(&id).map(|u| u.series.clone()).unwrap_or_default();
        items.push((id, series, pick(&r.figures)?));
    }
    let ranked = rank(&items, false);
    let mut series: Vec<String> = ranked.iter().map(|r| r.series.clone()).collect();
    series.dedup();
    let lists = series
        .into_iter()
        .map(|s| {
            let of: Vec<Ranked> = ranked.iter().filter(|r| r.series == s).cloned().collect();
            let (red, black) = red_black(&of, n_red, n_black, None);
            (s, red, black)
        })
        .collect();
    Ok(Rankings {
        measure: measure.to_string(),
        items: ranked,
        lists,
    })
}

/// One project on the dispatch list.
#[derive(Debug, Serialize)]
pub struct DispatchItem {
    pub project_id: i64,
    pub code: String,
    pub name: String,
    pub unit_id: i64,
    pub chain_id: Option<i64>,
    pub leader: String,
    pub light: Light,
    pub reasons: Vec<DispatchReason>,
}

/// The weekly dispatch list as of a month: projects needing action, with reasons,
/// ordered by unit and chain (the UI groups them).
pub async fn dispatch_list(
    db: &Db,
    can: &Can<ReadRegistry>,
    as_of_text: Option<&str>,
    unit: Option<i64>,
    limit: i64,
) -> Result<Vec<DispatchItem>, AppError> {
    let p = as_of(as_of_text)?;
    let reach = can.reach_within(unit);
    let i = p.index();
    let mut flagged = store::flagged_years(db, p.year(), p.month(), &reach, limit).await?;
    flagged.sort_by_key(|y| (y.meta.unit_id, y.meta.chain_id, y.meta.id));
    if flagged.is_empty() {
        return Ok(Vec::new());
    }
    // Three queries for the whole page: names, overdue problems, overdue milestones.
    let ids: Vec<String> = flagged.iter().map(|y| y.meta.id.to_string()).collect();
    let ids = ids.join(",");
    let today = crate::clock::today();
    let names: HashMap<i64, (String, String, String)> = db
        .fetch_all(
            &format!("SELECT id, code, name, leader FROM projects WHERE id IN ({ids})"),
            &[],
            |r| {
                Ok((
                    r.i64("id")?,
                    (r.str("code")?, r.str("name")?, r.str("leader")?),
                ))
            },
        )
        .await?
        .into_iter()
        .collect();
    let problems: HashMap<i64, i64> = db
        .fetch_all(
            &format!("SELECT project_id, COUNT(*) AS n FROM problems WHERE project_id IN ({ids}) AND state NOT IN ('resolved', 'closed') AND deadline < $1 GROUP BY project_id"),
            &[today.to_string().into()],
            |r| Ok((r.i64("project_id")?, r.i64("n")?)),
        )
        .await?
        .into_iter()
        .collect();
    let mut milestones: HashMap<i64, Vec<String>> = HashMap::new();
    for (pid, name) in db
        .fetch_all(
            &format!("SELECT project_id, name FROM milestones WHERE project_id IN ({ids}) AND year = $1 AND actual_date IS NULL AND planned_date < $2 ORDER BY planned_date"),
            &[i64::from(p.year()).into(), p.last_day().min(today).to_string().into()],
            |r| Ok((r.i64("project_id")?, r.str("name")?)),
        )
        .await?
    {
        milestones.entry(pid).or_default().push(name);
    }
    let mut out = Vec::new();
    for y in flagged {
        let facts = DispatchFacts {
            light: y.lights[i],
            due_to_start_not_started: y.due_to_start[i] && !y.started[i],
            milestones_overdue: milestones.remove(&y.meta.id).unwrap_or_default(),
            problems_overdue: problems.get(&y.meta.id).copied().unwrap_or(0),
            report_missing: !y.reported[i],
        };
        let reasons = dispatch::reasons(&facts);
        let (code, name, leader) = names.get(&y.meta.id).cloned().unwrap_or_default();
        if !reasons.is_empty() {
            out.push(DispatchItem {
                project_id: y.meta.id,
                code,
                name,
                unit_id: y.meta.unit_id,
                chain_id: y.meta.chain_id,
                leader,
                light: y.lights[i],
                reasons,
            });
        }
    }
    Ok(out)
}

/// A project's data-quality warnings.
#[derive(Debug, Serialize)]
pub struct ProjectWarnings {
    pub project_id: i64,
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
    let ids = store::project_ids(db, p.year(), &reach, limit).await?;
    let mut tx = db.read().await?;
    let mut out = Vec::new();
    for id in ids {
        for i in store::load_inputs(&mut tx, p.year(), id, id + 1, true).await? {
            let Some(y) = compute(&i, p.year(), &rules) else {
                continue;
            };
            let w = project_checks(
                &y,
                i.plan.as_ref(),
                &i.months,
                p.month(),
                &CheckRules::default(),
            );
            if !w.is_empty() {
                out.push(ProjectWarnings {
                    project_id: id,
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
    pub project_id: i64,
    pub as_of: Period,
    pub light: Light,
    pub reasons: Vec<Reason>,
    pub rules: RuleSet,
    pub time_progress_bp: Option<i64>,
    pub completion_bp: Option<i64>,
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
    project_id: i64,
    as_of_text: Option<&str>,
) -> Result<Why, AppError> {
    let p = as_of(as_of_text)?;
    let project = crate::registry::project(db, can, project_id).await?;
    let rules = rules(db).await?;
    let mut tx = db.read().await?;
    let inputs = store::load_inputs(&mut tx, p.year(), project.id, project.id + 1, true).await?;
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
        rules: &rules,
    });
    let k = p.index();
    Ok(Why {
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
        ),
        forecast: forecast(&y, p.month()),
        lights: y.lights.to_vec(),
        plan: y.plan.iter().map(|v| v.get()).collect(),
        actual: y.actual.iter().map(|v| v.get()).collect(),
        rules,
    })
}
