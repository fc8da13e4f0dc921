//! The registry's view as an OC4IDS project package.

use crate::AppError;
use crate::access::{Can, ReadRegistry};
use duban_domain::ids::ProjectId;
use duban_store::{Db, projects, units};
use std::collections::HashMap;

/// The registry's current view as an OC4IDS project package (JSON), written as a
/// stream: the package head, then the projects 500 at a time, then its end.
pub struct Oc4idsExport {
    ids: Vec<ProjectId>,
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
        let mut w = can.write(db).await?;
        w.audit("project.export",
            "project",
            "oc4ids",
            crate::audit::NONE,
            Some(&serde_json::json!({ "format": "oc4ids", "filter": format!("{:?}", q), "rows": total })));
        w.commit().await?;
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
        let list = duban_store::export::projects_with_funding(db, ids).await?;
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
            let (code, name) = self.units.get(&p.spec.unit_id).cloned().unwrap_or_default();
            let at = updated.get(&p.id).copied().unwrap_or_default();
            let at = chrono::DateTime::from_timestamp_millis(at)
                .unwrap_or_default()
                .with_timezone(&crate::clock::office_offset())
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, false);
            let v = duban_domain::oc4ids::project(
                &duban_domain::oc4ids::Input {
                    project: p,
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
