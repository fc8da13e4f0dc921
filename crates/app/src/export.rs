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

/// The registry's current view as an OC4IDS project package (JSON), written as a
/// stream: the package head, then the projects 500 at a time, then its end.
pub struct Oc4idsExport {
    ids: Vec<i64>,
    pub total: i64,
    units: HashMap<i64, (String, String)>,
    head: String,
    tail: String,
}

const OC4IDS_BATCH: usize = 500;

/// Project identifiers start with this prefix (OC4IDS asks for a registered prefix;
/// until an office registers one, duban's own).
pub const OC4IDS_PREFIX: &str = "oc4ids-duban-";

impl Oc4idsExport {
    pub async fn new(
        db: &Db,
        can: &Can<ReadRegistry>,
        q: &crate::registry::ProjectQuery,
    ) -> Result<Oc4idsExport, AppError> {
        let mut filter = q.parse()?;
        filter.reach = can.reach_within(filter.unit_subtree.take());
        let ids = projects::ids_in_order(db, &filter).await?;
        let total = ids.len() as i64;
        if ids.is_empty() {
            // A package holds at least one project (the schema's minItems).
            return Err(duban_domain::FieldError::new(
                "q",
                "empty",
                "没有符合条件的项目，OC4IDS数据包至少需要一个项目",
                "no project matches; an OC4IDS package needs at least one",
            )
            .into());
        }
        let all = units::list(db).await?;
        let issuing = can.issuing_unit(None);
        let publisher = all
            .iter()
            .find(|u| u.id == issuing)
            .map(|u| (u.code.clone(), u.name.clone()))
            .unwrap_or_else(|| ("duban".into(), "duban".into()));
        let now = chrono::Utc::now().with_timezone(&crate::clock::office_offset());
        let (head, tail) = duban_domain::oc4ids::package_ends(
            &format!(
                "urn:duban:oc4ids:{}:{}",
                publisher.0,
                now.format("%Y%m%dT%H%M%S")
            ),
            &now.to_rfc3339_opts(chrono::SecondsFormat::Secs, false),
            &publisher.1,
        );
        let units = all.into_iter().map(|u| (u.id, (u.code, u.name))).collect();
        let mut tx = db.write().await?;
        crate::audit::record(
            &mut tx,
            can.actor(),
            "project.export",
            "project",
            "oc4ids",
            crate::audit::NONE,
            Some(&serde_json::json!({ "format": "oc4ids", "filter": format!("{:?}", q), "rows": total })),
        )
        .await?;
        tx.commit().await?;
        Ok(Oc4idsExport {
            ids,
            total,
            units,
            head,
            tail,
        })
    }

    /// Batch `n` of the package text, or `None` once it is all out.
    pub async fn chunk(&self, db: &Db, n: usize) -> Result<Option<String>, AppError> {
        let batches = self.ids.len().div_ceil(OC4IDS_BATCH);
        if n > batches {
            return Ok(None);
        }
        if n == batches {
            return Ok(Some(if n == 0 {
                format!("{}{}", self.head, self.tail)
            } else {
                self.tail.clone()
            }));
        }
        let ids = &self.ids[n * OC4IDS_BATCH..((n + 1) * OC4IDS_BATCH).min(self.ids.len())];
        let list = projects::by_ids(db, ids).await?;
        let codes: Vec<String> = list
            .iter()
            .map(|p| p.spec.code.as_str().to_string())
            .collect();
        let mut full = duban_store::imports::projects_by_code(db, &codes).await?;
        let plans = duban_store::export::plans_of(db, ids).await?;
        let reports = duban_store::export::approved_of(db, ids).await?;
        let updated = duban_store::export::updated_of(db, ids).await?;
        let today = crate::clock::today();
        let mut out = if n == 0 {
            self.head.clone()
        } else {
            ",".to_string()
        };
        for (k, p) in list.iter().enumerate() {
            let p = full
                .remove(p.spec.code.as_str())
                .map(|e| e.project)
                .unwrap_or_else(|| p.clone());
            let (code, name) = self.units.get(&p.spec.unit_id).cloned().unwrap_or_default();
            let at = updated.get(&p.id).copied().unwrap_or_default();
            let at = chrono::DateTime::from_timestamp_millis(at)
                .unwrap_or_default()
                .with_timezone(&crate::clock::office_offset())
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, false);
            let v = duban_domain::oc4ids::project(
                &duban_domain::oc4ids::Input {
                    project: &p,
                    unit: (&code, &name),
                    plans: plans.get(&p.id).map(Vec::as_slice).unwrap_or_default(),
                    reports: reports.get(&p.id).map(Vec::as_slice).unwrap_or_default(),
                    updated: &at,
                },
                OC4IDS_PREFIX,
                today,
            );
            if k > 0 {
                out.push(',');
            }
            out.push_str(&v.to_string());
        }
        Ok(Some(out))
    }
}
