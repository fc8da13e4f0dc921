//! Lists leaving duban as files a clerk opens in Excel or WPS: CSV in UTF-8 with a byte
//! order mark (without it, Excel on a Chinese Windows reads the text as GBK and shows
//! mojibake), fields quoted when needed, and cells that a spreadsheet would run as a
//! formula (`=`, `+`, `-`, `@`, tab, carriage return first) made plain text.

use crate::AppError;
use crate::access::{Can, ReadRegistry};
use duban_domain::project::Project;
use duban_store::projects;
use duban_store::{Db, units};
use std::collections::HashMap;

mod oc4ids;
pub use oc4ids::{OC4IDS_PREFIX, Oc4idsExport};

pub const BOM: &str = "\u{feff}";

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

/// One CSV line (CRLF-terminated, as Excel writes them).
pub fn csv_line<S: AsRef<str>>(cells: &[S]) -> String {
    let mut out = String::new();
    for (i, c) in cells.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let c = c.as_ref();
        let c = if c.starts_with(['=', '+', '-', '@', '\t', '\r']) && c.parse::<f64>().is_err() {
            format!("'{c}")
        } else {
            c.to_string()
        };
        if c.contains([',', '"', '\n', '\r']) {
            out.push('"');
            out.push_str(&c.replace('"', "\"\""));
            out.push('"');
        } else {
            out.push_str(&c);
        }
    }
    out.push_str("\r\n");
    out
}

/// The registry's current view (its filters and order, every page) as CSV: the ids of
/// the view are taken once, in order, then rows are read and written 1,000 at a time, so
/// that a million rows stream out without being held in memory.
pub struct ProjectExport {
    /// The view's projects, in its order, as they were when the export began.
    ids: Vec<i64>,
    pub total: i64,
    english: bool,
    units: HashMap<i64, String>,
    chains: HashMap<i64, String>,
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
        let mut tx = db.write().await?;
        crate::audit::record(
            &mut tx,
            can.actor(),
            "project.export",
            "project",
            "view",
            crate::audit::NONE,
            Some(&serde_json::json!({ "filter": format!("{:?}", q), "rows": total })),
        )
        .await?;
        tx.commit().await?;
        Ok(ProjectExport {
            ids,
            total,
            english,
            units,
            chains,
        })
    }

    fn header(&self) -> String {
        let zh = [
            "项目代码",
            "项目名称",
            "责任单位",
            "产业链",
            "项目类别",
            "建设性质",
            "建设级别",
            "建设状态",
            "建设地点",
            "开工年份",
            "完工年份",
            "总投资（万元）",
            "包联领导",
            "建设单位",
        ];
        let en = [
            "Code",
            "Name",
            "Responsible unit",
            "Industry chain",
            "Category",
            "Nature",
            "Level",
            "Status",
            "Location",
            "Start year",
            "End year",
            "Total investment (10k yuan)",
            "Liaison leader",
            "Builder",
        ];
        format!("{BOM}{}", csv_line(if self.english { &en } else { &zh }))
    }

    fn line(&self, p: &Project) -> String {
        let s = &p.spec;
        let label = |zh: &'static str, en: &'static str| if self.english { en } else { zh };
        csv_line(&[
            s.code.as_str().to_string(),
            s.name.clone(),
            self.units.get(&s.unit_id).cloned().unwrap_or_default(),
            s.chain_id
                .and_then(|c| self.chains.get(&c).cloned())
                .unwrap_or_default(),
            label(s.category.zh(), s.category.en()).into(),
            label(s.nature.zh(), s.nature.en()).into(),
            label(s.level.zh(), s.level.en()).into(),
            label(s.status.zh(), s.status.en()).into(),
            s.location.clone(),
            s.start_year.to_string(),
            s.end_year.to_string(),
            s.total_investment.wan(),
            s.leader.clone(),
            s.builder.clone(),
        ])
    }

    /// Batch `n` of the text (the header first), or `None` once every row is out.
    pub async fn chunk(&self, db: &Db, n: usize) -> Result<Option<String>, AppError> {
        let from = n * BATCH;
        if from > self.ids.len() || (from == self.ids.len() && n > 0) {
            return Ok(None);
        }
        let ids = &self.ids[from..(from + BATCH).min(self.ids.len())];
        let mut out = if n == 0 { self.header() } else { String::new() };
        for p in projects::by_ids(db, ids).await? {
            out.push_str(&self.line(&p));
        }
        Ok(Some(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn cells_are_quoted_and_formulas_defused() {
        assert_eq!(csv_line(&["a", "b"]), "a,b\r\n");
        assert_eq!(
            csv_line(&["1,5", "say \"hi\""]),
            "\"1,5\",\"say \"\"hi\"\"\"\r\n"
        );
        assert_eq!(csv_line(&["two\nlines"]), "\"two\nlines\"\r\n");
        assert_eq!(
            csv_line(&["=HYPERLINK(\"x\")"]),
            "\"'=HYPERLINK(\"\"x\"\")\"\r\n"
        );
        assert_eq!(
            csv_line(&["@SUM(A1)", "+1+1", "-5", "-12.50"]),
            "'@SUM(A1),'+1+1,-5,-12.50\r\n"
        );
        assert_eq!(csv_line(&["光伏，治沙"]), "光伏，治沙\r\n");
        assert_eq!(csv_line::<&str>(&[]), "\r\n");
    }
}
