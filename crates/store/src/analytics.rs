//! The analytics read model: `project_years` (one row per project and year) and
//! `unit_totals` (additive totals per unit's own projects, month and dimension). The
//! app keeps both current inside the transaction of each change, by subtracting a
//! project's old contribution and adding its new one; [`rebuild`] writes them from
//! scratch. Queries read a few hundred or thousand total rows, never the reports.

use crate::bulk::insert_rows;
use crate::db::{Cols, Db, Tx, Val};
use crate::{StoreError, decode, parse_date};
use duban_domain::access::Reach;
use duban_domain::analytics::lights::Light;
use duban_domain::analytics::totals::Totals;
use duban_domain::analytics::year::{
    ApprovedMonth, ProjectMeta, ProjectYear, ReportedMonths, Submission,
};
use duban_domain::bulletin::{SnapGroup, SnapLagging, SnapReporting};
use duban_domain::ids::ProjectId;
use duban_domain::plan::{AnnualPlan, MonthlyCurve};
use duban_domain::{Category, FundingSource, Nature, Yuan};
use std::collections::HashMap;
use std::sync::LazyLock;

/// The dimensions totals are kept by, besides the unit.
pub const DIMS: [&str; 5] = ["all", "chain", "category", "nature", "funding"];

/// The cells a project-year falls in: (dim, key). A project counts fully under each
/// of its funding sources, so funding totals overlap; every other dimension partitions.
pub fn cells(y: &ProjectYear) -> Vec<(&'static str, String)> {
    let mut v = vec![
        ("all", String::new()),
        (
            "chain",
            y.meta.chain_id.map(|c| c.to_string()).unwrap_or_default(),
        ),
        ("category", y.meta.category.code().to_string()),
        ("nature", y.meta.nature.code().to_string()),
    ];
    v.extend(
        y.meta
            .funding
            .iter()
            .map(|f| ("funding", f.code().to_string())),
    );
    v
}

static YEAR_COLS: LazyLock<String> = LazyLock::new(|| year_cols(""));

/// The columns of `project_years`, each prefixed (`y.`) for joins.
fn year_cols(prefix: &str) -> String {
    let p: Vec<String> = (1..=12).map(|m| format!("p{m:02}")).collect();
    let a: Vec<String> = (1..=12).map(|m| format!("a{m:02}")).collect();
    format!(
        "project_id, year, unit_id, chain_id, category, nature, total_investment, annual_plan, {}, {}, reported, submitted, late, started, due, msover, new_planned, lights, funding",
        p.join(", "),
        a.join(", ")
    )
    .split(", ")
    .map(|c| format!("{prefix}{c}"))
    .collect::<Vec<_>>()
    .join(", ")
}
const YEAR_WIDTH: usize = 8 + 24 + 9;

fn bits(v: &[bool; 12]) -> i64 {
    v.iter()
        .enumerate()
        .fold(0, |acc, (i, b)| acc | (i64::from(*b) << i))
}
fn unbits(x: i64) -> [bool; 12] {
    std::array::from_fn(|i| x & (1 << i) != 0)
}
/// The light written as its code's first letter (`g`, `y`, `o`, `r`).
fn light_of_letter(c: &str) -> Option<Light> {
    let mut cs = c.chars();
    let first = cs.next().filter(|_| cs.next().is_none())?;
    Light::ALL.into_iter().find(|l| l.code().starts_with(first))
}
fn letters(l: &[Light; 12]) -> String {
    l.iter().map(|l| &l.code()[..1]).collect()
}

fn year_vals(y: &ProjectYear) -> Vec<Val> {
    let mut v: Vec<Val> = Vec::with_capacity(YEAR_WIDTH);
    v.extend([
        y.meta.id.into(),
        i64::from(y.year).into(),
        y.meta.unit_id.into(),
        y.meta.chain_id.into(),
        y.meta.category.code().into(),
        y.meta.nature.code().into(),
        y.meta.total_investment.get().into(),
        y.annual_plan.get().into(),
    ]);
    v.extend(y.plan.iter().map(|x| Val::I(x.get())));
    v.extend(y.actual.iter().map(|x| Val::I(x.get())));
    v.extend([
        bits(&y.reported).into(),
        bits(&y.submitted).into(),
        bits(&y.late).into(),
        bits(&y.started).into(),
        bits(&y.due_to_start).into(),
        bits(&y.milestone_overdue).into(),
        i64::from(y.new_planned).into(),
        letters(&y.lights).into(),
        y.meta
            .funding
            .iter()
            .map(|f| f.code())
            .collect::<Vec<_>>()
            .join(",")
            .into(),
    ]);
    v
}

fn year_row(r: &dyn Cols) -> Result<ProjectYear, StoreError> {
    let arr = |prefix: char| -> Result<[Yuan; 12], StoreError> {
        let mut out = [Yuan::ZERO; 12];
        for (i, o) in out.iter_mut().enumerate() {
            *o = Yuan::new(r.i64(&format!("{prefix}{:02}", i + 1))?);
        }
        Ok(out)
    };
    let lights_text = r.str("lights")?;
    let lights: Vec<Light> = lights_text
        .chars()
        .map(|c| light_of_letter(c.encode_utf8(&mut [0; 4])))
        .collect::<Option<_>>()
        .filter(|v: &Vec<Light>| v.len() == 12)
        .ok_or(StoreError::Corrupt {
            column: "project_years.lights",
            value: lights_text.clone(),
        })?;
    Ok(ProjectYear {
        year: r.i64("year")? as i32,
        meta: ProjectMeta {
            id: crate::db::id(r, "project_id")?,
            unit_id: r.i64("unit_id")?,
            chain_id: crate::db::opt_id(r, "chain_id")?,
            category: decode(
                "project_years.category",
                r.str("category")?,
                Category::from_code,
            )?,
            nature: decode("project_years.nature", r.str("nature")?, Nature::from_code)?,
            total_investment: Yuan::new(r.i64("total_investment")?),
            funding: {
                let text = r.str("funding")?;
                text.split(',')
                    .filter(|s| !s.is_empty())
                    .map(|s| {
                        FundingSource::from_code(s).ok_or(StoreError::Corrupt {
                            column: "project_years.funding",
                            value: text.clone(),
                        })
                    })
                    .collect::<Result<_, _>>()?
            },
        },
        annual_plan: Yuan::new(r.i64("annual_plan")?),
        plan: arr('p')?,
        actual: arr('a')?,
        reported: unbits(r.i64("reported")?),
        submitted: unbits(r.i64("submitted")?),
        late: unbits(r.i64("late")?),
        milestone_overdue: unbits(r.i64("msover")?),
        new_planned: r.i64("new_planned")? != 0,
        started: unbits(r.i64("started")?),
        due_to_start: unbits(r.i64("due")?),
        lights: lights.try_into().expect("twelve"),
    })
}

/// The stored year of a project (inside a write transaction).
pub async fn stored_year(
    tx: &mut Tx,
    project_id: i64,
    year: i32,
) -> Result<Option<ProjectYear>, StoreError> {
    tx.fetch_optional(
        &format!(
            "SELECT {} FROM project_years WHERE project_id = $1 AND year = $2",
            YEAR_COLS.as_str()
        ),
        &[project_id.into(), i64::from(year).into()],
        year_row,
    )
    .await
}

/// The stored columns of a total row: every additive field of `Totals`, then the lights.
static MEASURES: LazyLock<Vec<&'static str>> = LazyLock::new(|| {
    let mut v = Totals::FIELDS.to_vec();
    v.extend(LIGHT_COLS);
    v
});
const LIGHT_COLS: [&str; 4] = ["green", "yellow", "orange", "red"];

/// `CAST(COALESCE(SUM(m), 0) AS BIGINT) AS m` for every measure (BIGINT on both engines).
static SUMS: LazyLock<String> = LazyLock::new(|| {
    MEASURES
        .iter()
        .map(|c| format!("CAST(COALESCE(SUM({c}), 0) AS BIGINT) AS {c}"))
        .collect::<Vec<_>>()
        .join(", ")
});

static TOTAL_COLS: LazyLock<String> = LazyLock::new(|| {
    format!(
        "dim, dim_key, unit_id, year, month, {}",
        MEASURES.join(", ")
    )
});
static TOTAL_WIDTH: LazyLock<usize> = LazyLock::new(|| 5 + MEASURES.len());

fn total_vals(dim: &str, key: &str, unit: i64, year: i32, month: u32, t: &Totals) -> Vec<Val> {
    let mut v: Vec<Val> = vec![
        dim.into(),
        key.into(),
        unit.into(),
        i64::from(year).into(),
        i64::from(month).into(),
    ];
    v.extend(t.values().into_iter().map(Val::I));
    v.extend(t.lights.map(Val::I));
    v
}

fn totals_row(r: &dyn Cols) -> Result<Totals, StoreError> {
    let mut v = Vec::with_capacity(Totals::FIELDS.len());
    for f in Totals::FIELDS {
        v.push(r.i64(f)?);
    }
    let mut lights = [0; 4];
    for (l, c) in lights.iter_mut().zip(LIGHT_COLS) {
        *l = r.i64(c)?;
    }
    Ok(Totals::from_values(&v, lights))
}

/// Replace a project's year: its row, and its contribution to every total cell (the
/// old one subtracted, the new one added). `new = None` removes it (archived project).
pub async fn replace_year(
    tx: &mut Tx,
    old: Option<&ProjectYear>,
    new: Option<&ProjectYear>,
) -> Result<(), StoreError> {
    let Some(any) = new.or(old) else {
        return Ok(());
    };
    let (id, year) = (any.meta.id, any.year);
    let mut deltas: HashMap<(&'static str, String, i64, u32), Totals> = HashMap::new();
    for (sign, y) in [(-1, old), (1, new)] {
        let Some(y) = y else { continue };
        for (dim, key) in cells(y) {
            for m in 1..=12 {
                let t = Totals::of(y, m);
                let e = deltas
                    .entry((dim, key.clone(), y.meta.unit_id, m))
                    .or_default();
                *e = if sign < 0 { *e - t } else { *e + t };
            }
        }
    }
    let upsert = format!(
        "INSERT INTO unit_totals ({}) VALUES {} ON CONFLICT (year, month, dim, dim_key, unit_id) DO UPDATE SET {}",
        TOTAL_COLS.as_str(),
        crate::values_list(1, *TOTAL_WIDTH),
        MEASURES
            .iter()
            .map(|c| format!("{c} = unit_totals.{c} + excluded.{c}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    for ((dim, key, unit, m), d) in &deltas {
        if *d != Totals::ZERO {
            tx.execute(&upsert, &total_vals(dim, key, *unit, year, *m, d))
                .await?;
        }
    }
    tx.execute(
        "DELETE FROM project_years WHERE project_id = $1 AND year = $2",
        &[id.into(), i64::from(year).into()],
    )
    .await?;
    if let Some(y) = new {
        tx.execute(
            &format!(
                "INSERT INTO project_years ({}) VALUES {}",
                YEAR_COLS.as_str(),
                crate::values_list(1, YEAR_WIDTH)
            ),
            &year_vals(y),
        )
        .await?;
    }
    Ok(())
}

/// Everything a project-year is computed from, for projects with ids in `[lo, hi)`.
pub struct Inputs {
    pub meta: ProjectMeta,
    pub plan: Option<AnnualPlan>,
    pub months: Vec<ApprovedMonth>,
    pub submissions: Vec<Submission>,
}

/// Load the inputs of the projects (not archived) with ids in `[lo, hi)` for a year.
/// (`+year`, `state || ''`: no-ops on both engines that keeps SQLite on the project-id
/// index instead of scanning every approved report of the year for each chunk.)
pub async fn load_inputs(
    tx: &mut Tx,
    year: i32,
    lo: i64,
    hi: i64,
) -> Result<Vec<Inputs>, StoreError> {
    let y = i64::from(year);
    let metas = tx
        .fetch_all(
            "SELECT id, unit_id, chain_id, category, nature, total_investment FROM projects WHERE id >= $1 AND id < $2 AND archived = FALSE ORDER BY id",
            &[lo.into(), hi.into()],
            |r| {
                Ok(ProjectMeta {
                    id: crate::db::id(r, "id")?,
                    unit_id: r.i64("unit_id")?,
                    chain_id: crate::db::opt_id(r, "chain_id")?,
                    category: decode("projects.category", r.str("category")?, Category::from_code)?,
                    nature: decode("projects.nature", r.str("nature")?, Nature::from_code)?,
                    total_investment: Yuan::new(r.i64("total_investment")?),
                    funding: Vec::new(),
                })
            },
        )
        .await?;
    let mut funding: HashMap<ProjectId, Vec<FundingSource>> = HashMap::new();
    for (pid, source) in tx
        .fetch_all(
            "SELECT project_id, source FROM project_funding WHERE project_id >= $1 AND project_id < $2",
            &[lo.into(), hi.into()],
            |r| Ok((crate::db::id::<ProjectId>(r, "project_id")?, decode("project_funding.source", r.str("source")?, FundingSource::from_code)?)),
        )
        .await?
    {
        funding.entry(pid).or_default().push(source);
    }
    let metas: Vec<ProjectMeta> = metas
        .into_iter()
        .map(|mut m| {
            let mut f = funding.remove(&m.id).unwrap_or_default();
            f.sort_unstable_by_key(|s| s.code());
            f.dedup();
            m.funding = f;
            m
        })
        .collect();
    let months_cols: Vec<String> = (1..=12).map(|m| format!("m{m:02}")).collect();
    let mut plans: HashMap<ProjectId, AnnualPlan> = tx
        .fetch_all(
            &format!(
                "SELECT project_id, planned, {}, planned_start_month FROM annual_plans WHERE year = $1 AND archived = FALSE AND project_id >= $2 AND project_id < $3",
                months_cols.join(", ")
            ),
            &[y.into(), lo.into(), hi.into()],
            |r| {
                let mut cum = Vec::with_capacity(12);
                for c in &months_cols {
                    cum.push(Yuan::new(r.i64(c)?));
                }
                let curve = MonthlyCurve::parse(Yuan::new(r.i64("planned")?), &cum)
                    .map_err(|e| StoreError::Corrupt { column: "annual_plans.m01..m12", value: e.to_string() })?;
                Ok((
                    crate::db::id::<ProjectId>(r, "project_id")?,
                    AnnualPlan { year, curve, planned_start_month: r.opt_i64("planned_start_month")?.map(|m| m as u32), milestones: vec![] },
                ))
            },
        )
        .await?
        .into_iter()
        .collect();
    {
        let rows = tx
            .fetch_all(
                "SELECT project_id, name, planned_date, actual_date FROM milestones WHERE year = $1 AND project_id >= $2 AND project_id < $3 ORDER BY planned_date, id",
                &[y.into(), lo.into(), hi.into()],
                |r| {
                    Ok((
                        crate::db::id::<ProjectId>(r, "project_id")?,
                        duban_domain::plan::Milestone {
                            name: r.str("name")?,
                            planned: parse_date("milestones.planned_date", Some(r.str("planned_date")?))?.unwrap_or_default(),
                            actual: parse_date("milestones.actual_date", r.opt_str("actual_date")?)?,
                        },
                    ))
                },
            )
            .await?;
        for (pid, m) in rows {
            if let Some(p) = plans.get_mut(&pid) {
                p.milestones.push(m);
            }
        }
    }
    // Every report of the year in one pass, folded as the domain folds a project's
    // reports (`ReportedMonths`): the newest approved revision of each month, and each
    // month's submission and lateness. `kind`: 2 approved, 1 submitted or checked, 0
    // else. (`+year` as above.)
    let rows = tx
        .fetch_all(
            "SELECT project_id, month, revision, \
                    CAST(CASE state WHEN 'approved' THEN 2 WHEN 'submitted' THEN 1 WHEN 'checked' THEN 1 ELSE 0 END AS BIGINT) AS kind, late, \
                    invest_ytd, invest_since_start, progress_bp, funds_disbursed, started, started_on, stats_entered \
             FROM reports WHERE +year = $1 AND project_id >= $2 AND project_id < $3",
            &[y.into(), lo.into(), hi.into()],
            |r| {
                let kind = r.i64("kind")?;
                let month = r.i64("month")? as u32;
                let revision = r.i64("revision")?;
                let approved = if kind == 2 {
                    Some(ApprovedMonth {
                        month,
                        ytd: Yuan::new(r.i64("invest_ytd")?),
                        since_start: Yuan::new(r.i64("invest_since_start")?),
                        progress_bp: r.i64("progress_bp")?,
                        disbursed: Yuan::new(r.i64("funds_disbursed")?),
                        started: r.bool("started")?,
                        started_on: parse_date("reports.started_on", r.opt_str("started_on")?)?,
                        stats_entered: r.bool("stats_entered")?,
                    })
                } else {
                    None
                };
                Ok((
                    crate::db::id::<ProjectId>(r, "project_id")?,
                    month,
                    revision,
                    kind > 0,
                    r.bool("late")?,
                    approved,
                ))
            },
        )
        .await?;
    let mut reported: HashMap<ProjectId, ReportedMonths> = HashMap::new();
    for (pid, month, revision, submitted, late, approved) in rows {
        reported
            .entry(pid)
            .or_default()
            .add(month, revision, submitted, late, approved);
    }
    Ok(metas
        .into_iter()
        .map(|meta| {
            let (months, submissions) = reported.remove(&meta.id).unwrap_or_default().finish();
            Inputs {
                plan: plans.get(&meta.id).cloned(),
                months,
                submissions,
                meta,
            }
        })
        .collect())
}

/// The highest project id (for chunked rebuilds).
pub async fn max_project_id(tx: &mut Tx) -> Result<i64, StoreError> {
    tx.scalar("SELECT COALESCE(MAX(id), 0) AS v FROM projects", &[])
        .await
}

/// Start a rebuild of a year: both tables emptied for it.
pub async fn clear_year(tx: &mut Tx, year: i32) -> Result<(), StoreError> {
    for t in ["unit_totals", "project_years"] {
        tx.execute(
            &format!("DELETE FROM {t} WHERE year = $1"),
            &[i64::from(year).into()],
        )
        .await?;
    }
    Ok(())
}

/// Write computed project-years in bulk (during a rebuild).
pub async fn insert_years(tx: &mut Tx, ys: &[ProjectYear]) -> Result<u64, StoreError> {
    insert_rows(
        tx,
        "project_years",
        YEAR_COLS.as_str(),
        YEAR_WIDTH,
        ys.iter().map(year_vals),
    )
    .await
}

/// Write the totals a rebuild accumulated.
pub async fn insert_totals(
    tx: &mut Tx,
    year: i32,
    cells: &HashMap<(&'static str, String, i64), [Totals; 12]>,
) -> Result<u64, StoreError> {
    let mut rows: Vec<Vec<Val>> = Vec::new();
    for ((d, k, u), months) in cells {
        for (i, t) in months.iter().enumerate() {
            if t.projects != 0 {
                rows.push(total_vals(d, k, *u, year, i as u32 + 1, t));
            }
        }
    }
    insert_rows(
        tx,
        "unit_totals",
        TOTAL_COLS.as_str(),
        *TOTAL_WIDTH,
        rows.into_iter(),
    )
    .await
}

/// Each unit's own totals at a month (dimension 'all'), within a reach.
pub async fn unit_totals(
    db: &Db,
    year: i32,
    month: u32,
    reach: &Reach,
) -> Result<HashMap<i64, Totals>, StoreError> {
    Ok(db
        .fetch_all(
            &format!(
                "SELECT unit_id, {} FROM unit_totals WHERE year = $1 AND month = $2 AND dim = 'all' AND {}",
                MEASURES.join(", "),
                crate::reach_sql("unit_id", reach)
            ),
            &[i64::from(year).into(), i64::from(month).into()],
            |r| Ok((r.i64("unit_id")?, totals_row(r)?)),
        )
        .await?
        .into_iter()
        .collect())
}

/// One dimension's totals at a month summed over a reach, by key (chain, category …).
pub async fn totals_by_key(
    db: &Db,
    year: i32,
    month: u32,
    dim: &str,
    reach: &Reach,
) -> Result<Vec<(String, Totals)>, StoreError> {
    db.fetch_all(
        &format!(
            "SELECT dim_key, {} FROM unit_totals WHERE year = $1 AND month = $2 AND dim = $3 AND {} GROUP BY dim_key",
            SUMS.as_str(),
            crate::reach_sql("unit_id", reach)
        ),
        &[i64::from(year).into(), i64::from(month).into(), dim.into()],
        |r| Ok((r.str("dim_key")?, totals_row(r)?)),
    )
    .await
}

/// The sum over a reach of one dimension's totals at a month, as one row.
pub async fn sum_totals(
    db: &Db,
    year: i32,
    month: u32,
    reach: &Reach,
) -> Result<Totals, StoreError> {
    db.fetch_one(
        &format!(
            "SELECT {} FROM unit_totals WHERE year = $1 AND month = $2 AND dim = 'all' AND {}",
            SUMS.as_str(),
            crate::reach_sql("unit_id", reach)
        ),
        &[i64::from(year).into(), i64::from(month).into()],
        totals_row,
    )
    .await
}

/// The sum over a reach of the overall totals, month by month (for the curve).
pub async fn monthly(db: &Db, year: i32, reach: &Reach) -> Result<Vec<(u32, Totals)>, StoreError> {
    db.fetch_all(
        &format!(
            // The months listed, so that the key (year, month, dim, …) is sought once per
            // month instead of reading every dimension's rows of the year (a tenth of the
            // time at a million projects).
            "SELECT month, {} FROM unit_totals WHERE year = $1 AND month IN (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12) \
             AND dim = 'all' AND {} GROUP BY month ORDER BY month",
            SUMS.as_str(),
            crate::reach_sql("unit_id", reach)
        ),
        &[i64::from(year).into()],
        |r| Ok((r.i64("month")? as u32, totals_row(r)?)),
    )
    .await
}

/// Why a project is on the dispatch list (the reasons the read model holds, and overdue
/// problems from the problems table).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DispatchCause {
    /// Lit yellow, orange or red.
    Light,
    /// A new project due to start and not started.
    NotStarted,
    MilestoneOverdue,
    ProblemsOverdue,
    ReportMissing,
}

/// What the dispatch list looks at.
#[derive(Debug, Clone)]
pub struct DispatchQuery {
    pub year: i32,
    pub month: u32,
    pub reach: Reach,
    /// The column whose bit says a report is there: `submitted` or `reported`.
    pub report_col: &'static str,
    /// Problem states that count as overdue, and the day they are overdue before.
    pub overdue_states: Vec<&'static str>,
    pub today: chrono::NaiveDate,
    /// Only the projects with this cause (all causes when `None`).
    pub cause: Option<DispatchCause>,
    pub offset: i64,
    pub limit: i64,
}

impl DispatchQuery {
    fn condition(&self, cause: DispatchCause) -> String {
        let pos = self.month.clamp(1, 12);
        let bit = 1i64 << (pos - 1);
        match cause {
            DispatchCause::Light => format!("SUBSTR(y.lights, {pos}, 1) IN ('y', 'o', 'r')"),
            DispatchCause::NotStarted => {
                format!("((y.due & {bit}) <> 0 AND (y.started & {bit}) = 0)")
            }
            DispatchCause::MilestoneOverdue => format!("(y.msover & {bit}) <> 0"),
            DispatchCause::ReportMissing => format!("(y.{} & {bit}) = 0", self.report_col),
            // Per project through `problems_project` (a list of every overdue problem's
            // project is much slower at a million projects).
            DispatchCause::ProblemsOverdue => format!(
                "EXISTS (SELECT 1 FROM problems q WHERE q.project_id = y.project_id AND q.state IN ({}) AND q.deadline < '{}')",
                self.states_sql(),
                self.today
            ),
        }
    }
    fn states_sql(&self) -> String {
        crate::sql_list(&self.overdue_states)
    }
    /// What the list's rows are chosen by (year, reach, causes, the day and the states
    /// that make a problem overdue): the same text, the same rows at the same data.
    pub fn selection(&self) -> String {
        self.where_sql()
    }
    fn where_sql(&self) -> String {
        let causes = match self.cause {
            Some(c) => self.condition(c),
            None => format!(
                "({})",
                [
                    DispatchCause::Light,
                    DispatchCause::NotStarted,
                    DispatchCause::MilestoneOverdue,
                    DispatchCause::ProblemsOverdue,
                    DispatchCause::ReportMissing,
                ]
                .map(|c| self.condition(c))
                .join(" OR ")
            ),
        };
        format!(
            "y.year = {} AND {} AND {causes}",
            self.year,
            crate::reach_sql("y.unit_id", &self.reach)
        )
    }
}

/// A page of the project-years on the dispatch list, by unit and project.
pub async fn dispatch_page(db: &Db, q: &DispatchQuery) -> Result<Vec<ProjectYear>, StoreError> {
    db.fetch_all(
        &format!(
            "SELECT {} FROM project_years y WHERE {} ORDER BY y.unit_id, y.project_id LIMIT $1 OFFSET $2",
            year_cols("y."),
            q.where_sql()
        ),
        &[q.limit.into(), q.offset.into()],
        year_row,
    )
    .await
}

/// How many project-years are on the dispatch list (for a cause, when given).
pub async fn dispatch_count(db: &Db, q: &DispatchQuery) -> Result<i64, StoreError> {
    db.scalar(
        &format!(
            "SELECT COUNT(*) AS v FROM project_years y WHERE {}",
            q.where_sql()
        ),
        &[],
    )
    .await
}

/// Overdue problems per project among `ids` (for the dispatch list's reasons).
pub async fn overdue_problems_of(
    db: &Db,
    q: &DispatchQuery,
    ids: &[ProjectId],
) -> Result<HashMap<ProjectId, i64>, StoreError> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let list: Vec<String> = ids.iter().map(ProjectId::to_string).collect();
    Ok(db
        .fetch_all(
            &format!(
                "SELECT project_id, COUNT(*) AS n FROM problems WHERE project_id IN ({}) AND state IN ({}) AND deadline < $1 GROUP BY project_id",
                list.join(","),
                q.states_sql()
            ),
            &[q.today.to_string().into()],
            |r| Ok((crate::db::id(r, "project_id")?, r.i64("n")?)),
        )
        .await?
        .into_iter()
        .collect())
}

/// The names of the milestones of `ids` past their planned date and not reached at the
/// end of the period (the same test as the read model's), by planned date.
pub async fn overdue_milestones_of(
    db: &Db,
    p: duban_domain::Period,
    ids: &[ProjectId],
) -> Result<HashMap<ProjectId, Vec<String>>, StoreError> {
    let mut out: HashMap<ProjectId, Vec<String>> = HashMap::new();
    if ids.is_empty() {
        return Ok(out);
    }
    let list: Vec<String> = ids.iter().map(ProjectId::to_string).collect();
    let end = p.last_day().to_string();
    for (pid, name) in db
        .fetch_all(
            &format!(
                "SELECT project_id, name FROM milestones WHERE project_id IN ({}) AND year = $1 AND planned_date < $2 \
                 AND (actual_date IS NULL OR actual_date > $2) ORDER BY planned_date, id",
                list.join(",")
            ),
            &[i64::from(p.year()).into(), end.into()],
            |r| Ok((crate::db::id(r, "project_id")?, r.str("name")?)),
        )
        .await?
    {
        out.entry(pid).or_default().push(name);
    }
    Ok(out)
}

/// What a bulletin keeps of the live projects of a reach at month `month` of `year`:
/// their contributions summed by unit, nature and completion this year (each project's
/// `Totals::of_entry` of its entry at the month, summed by the database), and each unit's
/// reporting, where `missing` is the column whose bit says the report is there
/// (`MissingBasis::column`). At a million projects the cost of a read is per value, so the
/// sums are made where the rows are.
pub async fn month_groups(
    db: &Db,
    year: i32,
    month: u32,
    reach: &Reach,
    missing: &'static str,
) -> Result<(Vec<SnapGroup>, Vec<SnapReporting>), StoreError> {
    let m = month.clamp(1, 12);
    let on = |col: &str| format!("(y.{col} & {}) <> 0", 1i64 << (m - 1));
    let count = |cond: String| format!("SUM(CASE WHEN {cond} THEN 1 ELSE 0 END)");
    let sums: Vec<String> = MEASURES
        .iter()
        .map(|f| {
            let sum = match *f {
                "projects" => "COUNT(*)".to_string(),
                "total_investment" | "annual_plan" => format!("SUM(y.{f})"),
                "plan_to_date" => format!("SUM(y.p{m:02})"),
                "actual_ytd" => format!("SUM(y.a{m:02})"),
                "reported" | "submitted" | "late" | "started" => count(on(f)),
                "due_to_start" => count(on("due")),
                "started_of_due" => count(format!("{} AND {}", on("due"), on("started"))),
                "new_planned" => count("y.new_planned <> 0".into()),
                "new_started" => count(format!("y.new_planned <> 0 AND {}", on("started"))),
                "milestones_overdue" => count(on("msover")),
                light => {
                    let l = Light::ALL[LIGHT_COLS
                        .iter()
                        .position(|c| c == &light)
                        .unwrap_or_else(|| panic!("month_groups: no SQL for the measure {light}"))];
                    count(format!("SUBSTR(y.lights, {m}, 1) = '{}'", &l.code()[..1]))
                }
            };
            format!("CAST({sum} AS BIGINT) AS {f}")
        })
        .collect();
    let here = on(missing);
    let mut groups = Vec::new();
    let mut reporting: std::collections::BTreeMap<i64, SnapReporting> = Default::default();
    db.scan_each(
        &format!(
            "SELECT y.unit_id, y.nature, CAST(CASE WHEN p.end_year = $1 THEN 1 ELSE 0 END AS BIGINT) AS completes, \
             {}, CAST({} AS BIGINT) AS missing, CAST({} AS BIGINT) AS on_time \
             FROM project_years y JOIN projects p ON p.id = y.project_id \
             WHERE {} = $1 AND p.archived = FALSE AND {} \
             GROUP BY y.unit_id, y.nature, CASE WHEN p.end_year = $1 THEN 1 ELSE 0 END",
            sums.join(", "),
            count(format!("NOT ({here})")),
            count(format!("({here}) AND NOT ({})", on("late"))),
            whole_year(reach),
            crate::reach_sql("y.unit_id", reach)
        ),
        &[i64::from(year).into()],
        |r| {
            let unit_id = r.i64("unit_id")?;
            let totals = totals_row(r)?;
            let nature = decode("project_years.nature", r.str("nature")?, Nature::from_code)?;
            let rep = reporting
                .entry(unit_id)
                .or_insert_with(|| SnapReporting::none(unit_id));
            rep.due += totals.projects;
            rep.missing += r.i64("missing")?;
            rep.late += totals.late;
            *rep.on_time.get_or_insert(0) += r.i64("on_time")?;
            groups.push(SnapGroup {
                unit_id,
                nature: nature.code().to_string(),
                completes_this_year: r.i64("completes")? != 0,
                totals,
            });
            Ok(())
        },
    )
    .await?;
    groups.sort_by(|a, b| a.key().cmp(&b.key()));
    Ok((groups, reporting.into_values().collect()))
}

/// `y.year` as a filter on every project of a year: for the whole tree, as a plain test
/// (`+y.year`) so that SQLite reads the years in their own order (3.2 s at a million)
/// rather than through the index by unit (6.8 s, every row a jump); and `CROSS JOIN`
/// keeps it reading the years first, then the projects it needs. A subtree still goes
/// through the index.
fn whole_year(reach: &Reach) -> &'static str {
    match reach {
        Reach::All => "+y.year",
        Reach::Units(_) => "y.year",
    }
}

/// The live projects of a reach not green at month `month` of `year` (a bulletin's
/// 滞后项目), with the figures their rates are computed from.
pub async fn month_lagging(
    db: &Db,
    year: i32,
    month: u32,
    reach: &Reach,
) -> Result<Vec<SnapLagging>, StoreError> {
    let m = month.clamp(1, 12);
    let mut out = Vec::new();
    db.scan_each(
        &format!(
            "SELECT y.project_id, y.unit_id, p.name, p.leader, SUBSTR(y.lights, {m}, 1) AS light, \
             y.annual_plan, y.p{m:02} AS plan, y.a{m:02} AS actual \
             FROM project_years y CROSS JOIN projects p \
             WHERE p.id = y.project_id AND {} = $1 AND p.archived = FALSE AND SUBSTR(y.lights, {m}, 1) <> 'g' AND {}",
            whole_year(reach),
            crate::reach_sql("y.unit_id", reach)
        ),
        &[i64::from(year).into()],
        |r| {
            out.push(SnapLagging {
                id: crate::db::id(r, "project_id")?,
                name: r.str("name")?,
                unit_id: r.i64("unit_id")?,
                leader: r.str("leader")?,
                light: decode("project_years.lights", r.str("light")?, light_of_letter)?,
                annual_plan: r.i64("annual_plan")?,
                plan_to_date: r.i64("plan")?,
                actual_ytd: r.i64("actual")?,
            });
            Ok(())
        },
    )
    .await?;
    Ok(out)
}

/// The projects of a reach whose report of a month is missing: the bit of `col`
/// (`submitted` or `reported`) clear in the read model, the same bit the counts count;
/// with the state of the month's newest revision, by unit and code (the 催报 list). With
/// `page` (offset, limit), only those rows of the list.
pub async fn missing_reports(
    db: &Db,
    year: i32,
    month: u32,
    reach: &Reach,
    col: &'static str,
    page: Option<(i64, i64)>,
) -> Result<Vec<crate::reports::Missing>, StoreError> {
    let m = month.clamp(1, 12);
    let bit = 1i64 << (m - 1);
    let mut params: Vec<Val> = vec![i64::from(year).into(), i64::from(m).into()];
    let tail = match page {
        Some((offset, limit)) => {
            params.extend([limit.max(0).into(), offset.max(0).into()]);
            " LIMIT $3 OFFSET $4"
        }
        None => "",
    };
    db.fetch_all(
        &format!(
            // The state is looked up for the rows listed only, after the page is cut
            // (inside, SQLite looked it up for every row it sorted: 37 ms against 8 ms for
            // a page of a unit with 6,736 missing at a million projects).
            "SELECT x.*, (SELECT r.state FROM reports r WHERE r.project_id = x.project_id AND r.year = $1 AND r.month = $2 \
             ORDER BY r.revision DESC LIMIT 1) AS state FROM (\
             SELECT y.project_id, y.unit_id, p.code, p.name, p.leader \
             FROM project_years y JOIN projects p ON p.id = y.project_id \
             WHERE y.year = $1 AND (y.{col} & {bit}) = 0 AND p.archived = FALSE AND {} ORDER BY y.unit_id, p.code{tail}) x \
             ORDER BY x.unit_id, x.code",
            crate::reach_sql("y.unit_id", reach)
        ),
        &params,
        |r| {
            Ok(crate::reports::Missing {
                project_id: crate::db::id(r, "project_id")?,
                code: r.str("code")?,
                name: r.str("name")?,
                unit_id: r.i64("unit_id")?,
                leader: r.str("leader")?,
                state: r.opt_str("state")?,
            })
        },
    )
    .await
}

/// How many reports of a month are missing in each unit of a reach (its own projects,
/// 本级), units with none left out: the live projects less those whose bit of `col` is
/// set, from the month's totals, the rows the cockpit's count of missing reports sums.
/// The same bits [`missing_reports`] lists, kept in the same transactions.
pub async fn missing_by_unit(
    db: &Db,
    year: i32,
    month: u32,
    reach: &Reach,
    col: &'static str,
) -> Result<Vec<(i64, i64)>, StoreError> {
    db.fetch_all(
        &format!(
            "SELECT unit_id, projects - {col} AS n FROM unit_totals \
             WHERE year = $1 AND month = $2 AND dim = 'all' AND dim_key = '' AND projects > {col} AND {} \
             ORDER BY unit_id",
            crate::reach_sql("unit_id", reach)
        ),
        &[i64::from(year).into(), i64::from(month.clamp(1, 12)).into()],
        |r| Ok((r.i64("unit_id")?, r.i64("n")?)),
    )
    .await
}

/// The ids of the project-years of a reach, by unit and project, at most `limit`.
pub async fn project_ids(
    db: &Db,
    year: i32,
    reach: &Reach,
    limit: i64,
) -> Result<Vec<ProjectId>, StoreError> {
    db.fetch_all(
        &format!(
            "SELECT project_id AS v FROM project_years WHERE year = $1 AND {} ORDER BY unit_id, project_id LIMIT $2",
            crate::reach_sql("unit_id", reach)
        ),
        &[i64::from(year).into(), limit.into()],
        |r| crate::db::id(r, "v"),
    )
    .await
}

/// Every total row of a year (for comparing incremental and full computations).
pub async fn all_totals(
    db: &Db,
    year: i32,
) -> Result<Vec<(String, String, i64, u32, Totals)>, StoreError> {
    db.fetch_all(
        &format!("SELECT dim, dim_key, unit_id, month, {} FROM unit_totals WHERE year = $1 ORDER BY dim, dim_key, unit_id, month", MEASURES.join(", ")),
        &[i64::from(year).into()],
        |r| Ok((r.str("dim")?, r.str("dim_key")?, r.i64("unit_id")?, r.i64("month")? as u32, totals_row(r)?)),
    )
    .await
}
