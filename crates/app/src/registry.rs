//! Reading the registry: units, chains, projects with filters and paging.

use crate::AppError;
use duban_domain::project::Project;
use duban_domain::unit::{Chain, Unit};
use duban_domain::{Category, FieldError, Nature, ProjectStatus, ValidationErrors};
use duban_store::projects::{ProjectFilter, ProjectPage, SortKey};
use duban_store::{Db, projects, units};

pub async fn units(db: &Db) -> Result<Vec<Unit>, AppError> {
    Ok(units::list(db).await?)
}

pub async fn chains(db: &Db) -> Result<Vec<Chain>, AppError> {
    Ok(units::chains(db).await?)
}

pub async fn project(db: &Db, id: i64) -> Result<Project, AppError> {
    projects::get(db, id).await.map_err(|e| match e {
        duban_store::StoreError::NotFound => AppError::NotFound { what: "project" },
        e => e.into(),
    })
}

/// The project list's query as the API receives it: text, to be parsed here.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct ProjectQuery {
    pub unit: Option<i64>,
    pub chain: Option<i64>,
    pub status: Option<String>,
    pub nature: Option<String>,
    pub category: Option<String>,
    pub q: Option<String>,
    pub sort: Option<String>,
    pub desc: Option<bool>,
    pub page: Option<i64>,
    pub page_size: Option<i64>,
}

pub const MAX_PAGE_SIZE: i64 = 500;

impl ProjectQuery {
    /// Parse every field, naming each bad one.
    pub fn parse(&self) -> Result<ProjectFilter, ValidationErrors> {
        let mut e = ValidationErrors::default();
        let opt = |s: &Option<String>| {
            s.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(String::from)
        };
        let status = opt(&self.status).and_then(|s| e.take(ProjectStatus::parse("status", &s)));
        let nature = opt(&self.nature).and_then(|s| e.take(Nature::parse("nature", &s)));
        let category = opt(&self.category).and_then(|s| e.take(Category::parse("category", &s)));
        let sort = opt(&self.sort)
            .and_then(|s| e.take(SortKey::parse("sort", &s)))
            .unwrap_or_default();
        let page = self.page.unwrap_or(1);
        if page < 1 {
            e.push(FieldError::new(
                "page",
                "range",
                "页码从1开始",
                "pages start at 1",
            ));
        }
        let size = self.page_size.unwrap_or(20);
        if !(1..=MAX_PAGE_SIZE).contains(&size) {
            e.push(FieldError::new(
                "page_size",
                "range",
                format!("每页条数应在1—{MAX_PAGE_SIZE}之间"),
                format!("page_size must be between 1 and {MAX_PAGE_SIZE}"),
            ));
        }
        e.into_result(|| ProjectFilter {
            unit_subtree: self.unit,
            chain_id: self.chain,
            status,
            nature,
            category,
            text: opt(&self.q),
            sort,
            descending: self.desc.unwrap_or(false),
            offset: (page.max(1) - 1) * size,
            limit: size,
        })
    }
}

pub async fn list_projects(db: &Db, q: &ProjectQuery) -> Result<ProjectPage, AppError> {
    let f = q.parse()?;
    Ok(projects::list(db, &f).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_queries_name_every_field() {
        let q = ProjectQuery {
            status: Some("done".into()),
            sort: Some("id; DROP".into()),
            page: Some(0),
            page_size: Some(10_000),
            ..Default::default()
        };
        let e = q.parse().unwrap_err();
        assert_eq!(e.fields(), vec!["status", "sort", "page", "page_size"]);
        let ok = ProjectQuery {
            status: Some("在建".into()),
            page: Some(3),
            page_size: Some(50),
            ..Default::default()
        }
        .parse()
        .unwrap();
        assert_eq!(
            (ok.status, ok.offset, ok.limit),
            (Some(ProjectStatus::Construction), 100, 50)
        );
    }
}
