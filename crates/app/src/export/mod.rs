//! Files out of duban, with the caller's scope and the view's filters, each written to
//! the audit log: the registry as CSV (UTF-8 with a byte order mark, formula-like cells
//! made text) streamed in batches, or as rows for the Excel writer; every other list of
//! the UI (`lists`); the registry as an OC4IDS package (`oc4ids`).

use crate::AppError;
use crate::access::{Can, ReadRegistry};
use duban_domain::project::Project;
use duban_store::projects;
use duban_store::{Db, units};
use std::collections::HashMap;

pub mod lists;
mod oc4ids;
pub use oc4ids::{OC4IDS_PREFIX, Oc4idsExport};

use duban_domain::ids::{ChainId, ProjectId};
pub use duban_domain::table::{BOM, csv_line};
use duban_domain::table::{Column, Fmt, Val, col};

/// A file written in batches, so that a large one streams out: batch `n`, or `None`
/// once everything is out.
pub trait Chunked: Send + Sync + 'static {
    fn next_chunk<'a>(
        &'a self,
        db: &'a Db,
        n: usize,
    ) -> impl std::future::Future<Output = Result<Option<String>, AppError>> + Send + 'a;
}

impl Chunked for ProjectExport {
    fn next_chunk<'a>(
        &'a self,
        db: &'a Db,
        n: usize,
    ) -> impl std::future::Future<Output = Result<Option<String>, AppError>> + Send + 'a {
        self.chunk(db, n)
    }
}

impl Chunked for Oc4idsExport {
    fn next_chunk<'a>(
        &'a self,
        db: &'a Db,
        n: usize,
    ) -> impl std::future::Future<Output = Result<Option<String>, AppError>> + Send + 'a {
        self.chunk(db, n)
    }
}

/// The registry's current view (its filters and order, every page) as CSV: the ids of
/// the view are taken once, in order, then rows are read and written 1,000 at a time, so
/// that a million rows stream out without being held in memory.
pub struct ProjectExport {
    /// The view's projects, in its order, as they were when the export began.
    ids: Vec<ProjectId>,
    pub total: i64,
    english: bool,
    units: HashMap<i64, String>,
    chains: HashMap<ChainId, String>,
}

const BATCH: usize = 1000;

impl ProjectExport {
    pub async fn new(
        db: &Db,
        can: &Can<ReadRegistry>,
        q: &crate::registry::ProjectQuery,
        english: bool,
    ) -> Result<ProjectExport, AppError> {
        let mut filter = q.parse()?;
        filter.reach = can.reach_within(filter.unit_subtree.take());
        let ids = projects::ids_in_order(db, &filter).await?;
        let total = ids.len() as i64;
        let units = units::list(db)
            .await?
            .into_iter()
            .map(|u| (u.id, u.name))
            .collect();
        let chains = crate::registry::chains(db, can.caller())
            .await?
            .into_iter()
            .map(|c| (c.id, c.name))
            .collect();
        // Data leaving the system is on the record: who took which view, how many rows.
        let mut w = can.write(db).await?;
        w.audit(
            "project.export",
            "project",
            "view",
            crate::audit::NONE,
            Some(&serde_json::json!({ "filter": format!("{:?}", q), "rows": total })),
        );
        w.commit().await?;
        Ok(ProjectExport {
            ids,
            total,
            english,
            units,
            chains,
        })
    }

    /// The columns of the registry's files.
    pub fn columns() -> Vec<Column> {
        vec![
            col("项目代码", "Code", Fmt::Text),
            col("项目名称", "Name", Fmt::Text),
            col("责任单位", "Responsible unit", Fmt::Text),
            col("产业链", "Industry chain", Fmt::Text),
            col("项目类别", "Category", Fmt::Text),
            col("建设性质", "Nature", Fmt::Text),
            col("建设级别", "Level", Fmt::Text),
            col("建设状态", "Status", Fmt::Text),
            col("建设地点", "Location", Fmt::Text),
            col("开工年份", "Start year", Fmt::Int),
            col("完工年份", "End year", Fmt::Int),
            col("总投资（万元）", "Total investment (10k yuan)", Fmt::Wan),
            col("包联领导", "Liaison leader", Fmt::Text),
            col("建设单位", "Builder", Fmt::Text),
            col("灯色", "Light", Fmt::Text),
            col("年度完成率", "Completion of the annual plan", Fmt::Percent),
            col("形象进度", "Physical progress", Fmt::Percent),
        ]
    }

    /// A project as a row of [`ProjectExport::columns`].
    pub fn row(&self, p: &Project, st: &duban_store::standing::Standing) -> Vec<Val> {
        let s = &p.spec;
        let label =
            |zh: &'static str, en: &'static str| Val::from(if self.english { en } else { zh });
        vec![
            s.code.as_str().into(),
            s.name.clone().into(),
            self.units
                .get(&s.unit_id)
                .cloned()
                .unwrap_or_default()
                .into(),
            s.chain_id
                .and_then(|c| self.chains.get(&c).cloned())
                .unwrap_or_default()
                .into(),
            label(s.category.zh(), s.category.en()),
            label(s.nature.zh(), s.nature.en()),
            label(s.level.zh(), s.level.en()),
            label(s.status.zh(), s.status.en()),
            s.location.clone().into(),
            Val::Int(s.start_year.into()),
            Val::Int(s.end_year.into()),
            Val::Yuan(s.total_investment.get()),
            s.leader.clone().into(),
            s.builder.clone().into(),
            st.light
                .map(|l| label(l.zh(), l.en()))
                .unwrap_or(Val::Empty),
            st.completion_bp.map(Val::Bp).unwrap_or(Val::Empty),
            st.progress_bp.map(Val::Bp).unwrap_or(Val::Empty),
        ]
    }

    /// The rows of batch `n` (1,000 projects), or `None` past the end.
    pub async fn rows(&self, db: &Db, n: usize) -> Result<Option<Vec<Vec<Val>>>, AppError> {
        let from = n * BATCH;
        if from >= self.ids.len() {
            return Ok(None);
        }
        let ids = &self.ids[from..(from + BATCH).min(self.ids.len())];
        let standing = duban_store::standing::of(db, ids).await?;
        Ok(Some(
            projects::by_ids(db, ids)
                .await?
                .iter()
                .map(|p| self.row(p, &standing.get(&p.id).copied().unwrap_or_default()))
                .collect(),
        ))
    }

    /// Batch `n` of the CSV text (the header first), or `None` once every row is out.
    pub async fn chunk(&self, db: &Db, n: usize) -> Result<Option<String>, AppError> {
        let mut out = if n == 0 {
            let headers: Vec<&str> = Self::columns()
                .iter()
                .map(|c| if self.english { c.en } else { c.zh })
                .collect();
            format!("{BOM}{}", csv_line(&headers))
        } else {
            String::new()
        };
        match self.rows(db, n).await? {
            Some(rows) => {
                for r in rows {
                    let cells: Vec<String> = r.iter().map(Val::text).collect();
                    out.push_str(&csv_line(&cells));
                }
                Ok(Some(out))
            }
            None if n == 0 => Ok(Some(out)),
            None => Ok(None),
        }
    }
}
