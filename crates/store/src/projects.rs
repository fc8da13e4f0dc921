//! Projects and their funding.

use crate::db::{Cols, Db, Tx, Val};
use crate::query::Where;
use crate::units::subtree_cte;
use crate::{StoreError, decode, now_ms};
use duban_domain::ids::ChainId;
use duban_domain::project::{Funding, NewProject, Project, ProjectCode, ProjectId};
use duban_domain::{Category, FundingSource, Level, Nature, ProjectStatus, Yuan};
use std::sync::LazyLock;

/// The columns of a project's specification, in table order and in the order of `spec_vals`.
/// Every column list of this module is derived from this one.
const SPEC_COLS: [&str; 18] = [
    "code",
    "name",
    "unit_id",
    "builder",
    "leader",
    "chain_id",
    "category",
    "nature",
    "level",
    "status",
    "location",
    "lon",
    "lat",
    "content",
    "start_year",
    "end_year",
    "total_investment",
    "parent_id",
];

/// The select list of a project row (table alias `p`).
pub(crate) static COLS: LazyLock<String> = LazyLock::new(|| {
    format!(
        "p.id, {}, p.version, p.light_rank, p.completion_bp, p.progress_bp",
        SPEC_COLS.map(|c| format!("p.{c}")).join(", ")
    )
});

/// Columns written by a bulk insert, in the order of [`project_vals`].
pub(crate) static INSERT_COLS: LazyLock<String> = LazyLock::new(|| {
    format!(
        "id, {}, version, created_at, updated_at",
        SPEC_COLS.join(", ")
    )
});
pub(crate) const INSERT_WIDTH: usize = SPEC_COLS.len() + 4;

/// Values of [`SPEC_COLS`].
fn spec_vals(s: &NewProject) -> Vec<Val> {
    vec![
        s.code.as_str().into(),
        s.name.clone().into(),
        s.unit_id.into(),
        s.builder.clone().into(),
        s.leader.clone().into(),
        s.chain_id.into(),
        s.category.code().into(),
        s.nature.code().into(),
        s.level.code().into(),
        s.status.code().into(),
        s.location.clone().into(),
        s.lon.into(),
        s.lat.into(),
        s.content.clone().into(),
        i64::from(s.start_year).into(),
        i64::from(s.end_year).into(),
        s.total_investment.get().into(),
        s.parent_id.into(),
    ]
}

/// Values of [`INSERT_COLS`].
pub(crate) fn project_vals(p: &Project, now: i64) -> Vec<Val> {
    let mut v = Vec::with_capacity(INSERT_WIDTH);
    v.push(p.id.into());
    v.extend(spec_vals(&p.spec));
    v.extend([p.version.into(), now.into(), now.into()]);
    v
}

pub(crate) fn row(r: &dyn Cols) -> Result<Project, StoreError> {
    Ok(Project {
        id: crate::db::id(r, "id")?,
        version: r.i64("version")?,
        spec: NewProject {
            code: ProjectCode::from_trusted(r.str("code")?),
            name: r.str("name")?,
            unit_id: r.i64("unit_id")?,
            builder: r.str("builder")?,
            leader: r.str("leader")?,
            chain_id: crate::db::opt_id(r, "chain_id")?,
            category: decode("projects.category", r.str("category")?, Category::from_code)?,
            nature: decode("projects.nature", r.str("nature")?, Nature::from_code)?,
            level: decode("projects.level", r.str("level")?, Level::from_code)?,
            status: decode(
                "projects.status",
                r.str("status")?,
                ProjectStatus::from_code,
            )?,
            location: r.str("location")?,
            lon: r.opt_f64("lon")?,
            lat: r.opt_f64("lat")?,
            content: r.str("content")?,
            start_year: r.i64("start_year")? as i32,
            end_year: r.i64("end_year")? as i32,
            total_investment: Yuan::new(r.i64("total_investment")?),
            funding: Vec::new(),
            parent_id: crate::db::opt_id(r, "parent_id")?,
        },
    })
}

/// Insert a validated project with its funding; returns its id.
pub async fn insert(tx: &mut Tx, p: &NewProject) -> Result<ProjectId, StoreError> {
    let now = now_ms();
    let mut vals = spec_vals(p);
    vals.extend([now.into(), now.into()]);
    let sql = format!(
        "INSERT INTO projects ({}, created_at, updated_at) VALUES {} RETURNING id AS v",
        SPEC_COLS.join(", "),
        crate::values_list(1, vals.len())
    );
    let id = ProjectId::new(tx.scalar(&sql, &vals).await?);
    replace_funding(tx, id, &p.funding).await?;
    Ok(id)
}

pub async fn replace_funding(
    tx: &mut Tx,
    id: ProjectId,
    funding: &[Funding],
) -> Result<(), StoreError> {
    tx.execute(
        "DELETE FROM project_funding WHERE project_id = $1",
        &[id.into()],
    )
    .await?;
    for f in funding {
        tx.execute(
            "INSERT INTO project_funding (project_id, source, amount) VALUES ($1, $2, $3)",
            &[id.into(), f.source.code().into(), f.amount.get().into()],
        )
        .await?;
    }
    Ok(())
}

/// Update a project if nobody changed it since `expected_version` was read.
pub async fn update(
    tx: &mut Tx,
    id: ProjectId,
    expected_version: i64,
    p: &NewProject,
) -> Result<i64, StoreError> {
    let mut vals = spec_vals(p);
    vals.extend([now_ms().into(), id.into(), expected_version.into()]);
    let sets: Vec<String> = SPEC_COLS
        .iter()
        .enumerate()
        .map(|(i, c)| format!("{c} = ${}", i + 1))
        .collect();
    let k = SPEC_COLS.len();
    let sql = format!(
        "UPDATE projects SET {}, updated_at = ${}, version = version + 1 WHERE id = ${} AND version = ${}",
        sets.join(", "),
        k + 1,
        k + 2,
        k + 3
    );
    let n = tx.execute(&sql, &vals).await?;
    if n == 0 {
        let exists = tx
            .scalar(
                "SELECT COUNT(*) AS v FROM projects WHERE id = $1",
                &[id.into()],
            )
            .await?;
        return Err(if exists == 0 {
            StoreError::NotFound
        } else {
            StoreError::Stale
        });
    }
    replace_funding(tx, id, &p.funding).await?;
    Ok(expected_version + 1)
}

/// Archive a project (it leaves every list; its history stays).
pub async fn archive(tx: &mut Tx, id: ProjectId, expected_version: i64) -> Result<i64, StoreError> {
    let n = tx
        .execute(
            "UPDATE projects SET archived = TRUE, version = version + 1, updated_at = $1 WHERE id = $2 AND version = $3",
            &[now_ms().into(), id.into(), expected_version.into()],
        )
        .await?;
    if n == 0 {
        return Err(StoreError::Stale);
    }
    Ok(expected_version + 1)
}

/// The unit responsible for a project, archived or not (for scope checks).
pub async fn unit_of(db: &Db, id: ProjectId) -> Result<Option<i64>, StoreError> {
    db.fetch_optional(
        "SELECT unit_id AS v FROM projects WHERE id = $1",
        &[id.into()],
        |r| r.i64("v"),
    )
    .await
}

/// [`unit_of`], read inside a write transaction (it sees the transaction's own rows).
pub async fn unit_of_in(tx: &mut Tx, id: ProjectId) -> Result<Option<i64>, StoreError> {
    tx.fetch_optional(
        "SELECT unit_id AS v FROM projects WHERE id = $1",
        &[id.into()],
        |r| r.i64("v"),
    )
    .await
}

pub async fn get(db: &Db, id: ProjectId) -> Result<Project, StoreError> {
    let mut p = db
        .fetch_one(
            &format!("SELECT {} FROM projects p WHERE p.id = $1", COLS.as_str()),
            &[id.into()],
            row,
        )
        .await?;
    p.spec.funding = funding(db, id).await?;
    Ok(p)
}

pub async fn by_code(db: &Db, code: &str) -> Result<Option<Project>, StoreError> {
    db.fetch_optional(
        &format!("SELECT {} FROM projects p WHERE p.code = $1", COLS.as_str()),
        &[code.into()],
        row,
    )
    .await
}

pub async fn funding(db: &Db, id: ProjectId) -> Result<Vec<Funding>, StoreError> {
    db.fetch_all(
        "SELECT source, amount FROM project_funding WHERE project_id = $1 ORDER BY source",
        &[id.into()],
        |r| {
            Ok(Funding {
                source: decode(
                    "project_funding.source",
                    r.str("source")?,
                    FundingSource::from_code,
                )?,
                amount: Yuan::new(r.i64("amount")?),
            })
        },
    )
    .await
}

/// The funding of many projects, by project.
pub(crate) async fn funding_of(
    db: &Db,
    ids: &[Val],
) -> Result<std::collections::HashMap<ProjectId, Vec<Funding>>, StoreError> {
    let list = (1..=ids.len())
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ");
    let rows = db
        .fetch_all(
            &format!("SELECT project_id, source, amount FROM project_funding WHERE project_id IN ({list}) ORDER BY project_id, source"),
            ids,
            |r| {
                Ok((
                    crate::db::id::<ProjectId>(r, "project_id")?,
                    Funding {
                        source: decode("project_funding.source", r.str("source")?, FundingSource::from_code)?,
                        amount: Yuan::new(r.i64("amount")?),
                    },
                ))
            },
        )
        .await?;
    let mut out: std::collections::HashMap<ProjectId, Vec<Funding>> = Default::default();
    for (id, f) in rows {
        out.entry(id).or_default().push(f);
    }
    Ok(out)
}

/// Sortable columns of the project list (whitelisted: never interpolate user text).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortKey {
    #[default]
    Code,
    Name,
    TotalInvestment,
    StartYear,
    /// The standing at the office's month (migration 17).
    Light,
    Completion,
    Progress,
}

impl SortKey {
    pub const ALL: [SortKey; 7] = [
        SortKey::Code,
        SortKey::Name,
        SortKey::TotalInvestment,
        SortKey::StartYear,
        SortKey::Light,
        SortKey::Completion,
        SortKey::Progress,
    ];

    /// The name a caller sorts by (`?sort=total_investment`).
    pub const fn code(self) -> &'static str {
        match self {
            SortKey::Code => "code",
            SortKey::Name => "name",
            SortKey::TotalInvestment => "total_investment",
            SortKey::StartYear => "start_year",
            SortKey::Light => "light",
            SortKey::Completion => "completion",
            SortKey::Progress => "progress",
        }
    }

    pub fn parse(field: &str, input: &str) -> Result<SortKey, duban_domain::FieldError> {
        SortKey::ALL
            .into_iter()
            .find(|k| k.code() == input.trim())
            .ok_or_else(|| {
                let names: Vec<&str> = SortKey::ALL.iter().map(|k| k.code()).collect();
                duban_domain::FieldError::new(
                    field,
                    "unknown_code",
                    format!("不能按“{input}”排序，可选：{}", names.join("、")),
                    format!("cannot sort by '{input}'; use one of: {}", names.join(", ")),
                )
            })
    }

    fn column(self) -> String {
        match self {
            SortKey::Light => "p.light_rank".into(),
            SortKey::Completion => "p.completion_bp".into(),
            SortKey::Progress => "p.progress_bp".into(),
            _ => format!("p.{}", self.code()),
        }
    }

    /// The index of live projects in this order (migrations 7 and 17).
    fn index(self) -> String {
        format!("projects_live_{}", self.code())
    }
}

/// Filters of the project list. All optional; combined with AND.
#[derive(Debug, Clone, Default)]
pub struct ProjectFilter {
    /// The units the caller may see (the default sees nothing).
    pub reach: duban_domain::access::Reach,
    /// The unit and every unit below it.
    pub unit_subtree: Option<i64>,
    pub chain_id: Option<ChainId>,
    pub status: Option<ProjectStatus>,
    pub nature: Option<Nature>,
    pub category: Option<Category>,
    /// The light at the office's month (the registry's standing).
    pub light: Option<duban_domain::analytics::lights::Light>,
    /// Substring of the name or code.
    pub text: Option<String>,
    pub sort: SortKey,
    pub descending: bool,
    pub offset: i64,
    pub limit: i64,
}

/// One page of projects and the total number matching the filter.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ProjectPage {
    pub total: i64,
    pub items: Vec<ProjectRow>,
    /// The month the rows' standing describes (`YYYY-MM`), when it has been written.
    pub standing_period: Option<String>,
}

/// A project of the registry's list, with its standing at the office's month.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ProjectRow {
    #[serde(flatten)]
    pub project: Project,
    #[serde(flatten)]
    pub standing: crate::standing::Standing,
}

fn where_clause(f: &ProjectFilter) -> (String, Where) {
    let mut w = Where::new([
        "p.archived = FALSE".to_string(),
        crate::reach_sql("p.unit_id", &f.reach),
    ]);
    let mut cte = String::new();
    if let Some(u) = f.unit_subtree {
        let n = w.bind(u.into());
        cte = subtree_cte(n[1..].parse().expect("a $N"));
        w.raw("p.unit_id IN (SELECT id FROM sub)".into());
    }
    w.opt("p.chain_id = ?", f.chain_id);
    w.opt("p.status = ?", f.status.map(|s| s.code()));
    w.opt("p.nature = ?", f.nature.map(|s| s.code()));
    w.opt("p.category = ?", f.category.map(|s| s.code()));
    w.opt("p.light_rank = ?", f.light.map(crate::standing::rank));
    if let Some(t) = f.text.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        let escaped = t
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        w.push(
            "(p.name LIKE ? ESCAPE '\\' OR p.code LIKE ? ESCAPE '\\')",
            format!("%{escaped}%").into(),
        );
    }
    (cte, w)
}

/// How many projects match the filter (offset, limit and sort do not matter).
pub async fn count_matching(db: &Db, f: &ProjectFilter) -> Result<i64, StoreError> {
    let (cte, w) = where_clause(f);
    crate::query::count(db, &cte, "projects p", &w).await
}

/// The page `f.offset..f.offset + f.limit` of the matching projects, given how many
/// match. A page past the middle is read from the far end in the opposite order, so
/// that the database skips at most half of the rows (OFFSET costs what it skips).
/// `in_order`: walk the order's index (right when a good share of projects match; a
/// narrow filter is better served by its own index and a small sort).
pub async fn page_of(
    db: &Db,
    f: &ProjectFilter,
    total: i64,
    in_order: bool,
) -> Result<Vec<ProjectRow>, StoreError> {
    let (offset, limit) = (f.offset.max(0), f.limit.clamp(1, 1000));
    if offset >= total {
        return Ok(Vec::new());
    }
    let from_end = offset > total / 2;
    let forward = !f.descending;
    let dir = |asc: bool| if asc { "ASC" } else { "DESC" };
    let (cte, w) = where_clause(f);
    let (order_asc, skip, take) = if from_end {
        let take = limit.min(total - offset);
        (!forward, total - offset - take, take)
    } else {
        (forward, offset, limit)
    };
    let order = format!("{} {d}, p.id {d}", f.sort.column(), d = dir(order_asc));
    // The page's ids come from the index of the order alone (a deferred join), then
    // only those rows are read.
    let mut vals = w.vals.clone();
    vals.push(take.into());
    vals.push(skip.into());
    let n = vals.len();
    let sql = format!(
        "{cte} SELECT {cols} FROM projects p WHERE p.id IN \
         (SELECT p.id FROM {from} WHERE {cond} ORDER BY {order} LIMIT ${} OFFSET ${n}) \
         ORDER BY {order}",
        n - 1,
        cols = COLS.as_str(),
        cond = w.sql(),
        from = if in_order {
            db.backend().through_index("projects p", &f.sort.index())
        } else {
            "projects p".to_string()
        },
    );
    let mut items = db
        .fetch_all(&sql, &vals, |r| {
            Ok(ProjectRow {
                project: row(r)?,
                standing: crate::standing::row(r)?,
            })
        })
        .await?;
    if from_end {
        items.reverse();
    }
    Ok(items)
}

/// Every matching project's id, in the filter's order: one ordered scan, then the rows
/// can be read by id in batches (an export walks a million rows this way without the
/// database re-sorting the matches for every batch).
pub async fn ids_in_order(db: &Db, f: &ProjectFilter) -> Result<Vec<ProjectId>, StoreError> {
    let (cte, w) = where_clause(f);
    let dir = if f.descending { "DESC" } else { "ASC" };
    let sql = format!(
        "{cte} SELECT p.id AS v FROM projects p WHERE {} ORDER BY {} {dir}, p.id {dir}",
        w.sql(),
        f.sort.column()
    );
    db.fetch_all(&sql, &w.vals, |r| crate::db::id(r, "v")).await
}

/// The projects with these ids, in the order of `ids` (missing ones left out).
pub async fn by_ids(db: &Db, ids: &[ProjectId]) -> Result<Vec<Project>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let list = ids
        .iter()
        .map(ProjectId::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    let rows = db
        .fetch_all(
            &format!(
                "SELECT {} FROM projects p WHERE p.id IN ({list})",
                COLS.as_str()
            ),
            &[],
            row,
        )
        .await?;
    let mut by_id: std::collections::HashMap<ProjectId, Project> =
        rows.into_iter().map(|p| (p.id, p)).collect();
    Ok(ids.iter().filter_map(|i| by_id.remove(i)).collect())
}

pub async fn list(db: &Db, f: &ProjectFilter) -> Result<ProjectPage, StoreError> {
    let total = count_matching(db, f).await?;
    let items = page_of(db, f, total, false).await?;
    Ok(ProjectPage {
        total,
        items,
        standing_period: crate::settings::get(db, crate::standing::PERIOD_KEY).await?,
    })
}

pub async fn count(db: &Db) -> Result<i64, StoreError> {
    db.scalar("SELECT COUNT(*) AS v FROM projects", &[]).await
}
