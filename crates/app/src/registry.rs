//! The registry: units, chains, projects and annual plans. Anyone signed in reads the
//! unit tree and the chains (they name no business data); projects and plans are read
//! within the caller's reach and written by supervisors; units by administrators and
//! supervisors.

use crate::access::{Caller, Can, EditRegistry, ManageUnits, ReadRegistry};
use crate::error::OrStale;
use crate::{AppError, audit};
use duban_domain::access::Capability;
use duban_domain::ids::ChainId;
use duban_domain::ids::ProjectId;
use duban_domain::plan::{AnnualPlan, Milestone, SeasonalProfile};
use duban_domain::project::{NewProject, Project, ProjectInput};
use duban_domain::unit::{Chain, NewUnit, Unit, UnitInput};
use duban_domain::{
    Category, FieldError, MoneyUnit, Nature, ProjectStatus, ValidationErrors, Yuan, text,
};
use duban_store::projects::{ProjectFilter, ProjectPage, SortKey};
use duban_store::{Db, StoreError, plans, projects, units};

/// The unit tree and the chains are master data every role works with, except the
/// auditor, who reads the logs and nothing else.
fn master_data(caller: &Caller) -> Result<(), AppError> {
    let caps = caller.capabilities();
    match caps.iter().find(|c| **c != Capability::ReadAudit) {
        Some(_) => Ok(()),
        None => Err(AppError::Forbidden {
            capability: Capability::ReadRegistry,
        }),
    }
}

pub async fn units(db: &Db, caller: &Caller) -> Result<Vec<Unit>, AppError> {
    master_data(caller)?;
    Ok(units::list(db).await?)
}

/// Every unit by id (for names and ranking series).
pub type UnitsById = std::collections::HashMap<i64, Unit>;

/// Every unit by id, kept in memory at the units' change count as the unit tree is: a
/// ranking or a page of names reads the counter, not the hundreds of units (every write
/// of a unit, on any server, counts itself in its transaction).
static UNITS_BY_ID: std::sync::LazyLock<crate::cache::Memo<std::sync::Arc<UnitsById>>> =
    std::sync::LazyLock::new(|| {
        crate::cache::Memo::fresh_only(std::time::Duration::from_secs(600), 16)
    });

pub async fn units_by_id(db: &Db) -> Result<std::sync::Arc<UnitsById>, AppError> {
    let version = duban_store::changes::version(db, "units").await?;
    UNITS_BY_ID
        .get_or(db, String::new(), version, async || {
            let list = units::list(db).await?;
            Ok(std::sync::Arc::new(
                list.into_iter().map(|u| (u.id, u)).collect(),
            ))
        })
        .await
}

pub async fn chains(db: &Db, caller: &Caller) -> Result<Vec<Chain>, AppError> {
    master_data(caller)?;
    Ok(units::chains(db).await?)
}

fn not_found(what: &'static str) -> impl Fn(StoreError) -> AppError {
    move |e| match e {
        StoreError::NotFound => AppError::NotFound { what },
        e => e.into(),
    }
}

/// A unique code that is already used is the caller's mistake, named on the field.
fn code_taken<'a>(zh: &'a str, en: &'a str, code: &'a str) -> impl Fn(StoreError) -> AppError + 'a {
    move |e| match e {
        StoreError::Duplicate(_) => FieldError::new(
            "code",
            "duplicate",
            format!("{zh} {code} 已存在"),
            format!("the {en} {code} is taken"),
        )
        .into(),
        e => e.into(),
    }
}

/// A project within the caller's reach (outside it: not found).
pub async fn project(db: &Db, can: &Can<ReadRegistry>, id: ProjectId) -> Result<Project, AppError> {
    let p = projects::get(db, id).await.map_err(not_found("project"))?;
    can.check(p.spec.unit_id, "project")?;
    Ok(p)
}

pub async fn create_unit(db: &Db, can: &Can<ManageUnits>, i: &UnitInput) -> Result<Unit, AppError> {
    let u = NewUnit::parse(i)?;
    match u.parent_id {
        Some(p) => can.check_target("parent_id", p)?,
        None if *can.reach() != duban_domain::access::Reach::All => {
            return Err(FieldError::new(
                "parent_id",
                "required",
                "须选择上级单位",
                "choose a parent unit",
            )
            .into());
        }
        None => {}
    }
    let mut w = can.write(db).await?;
    let id =
        units::insert(w.tx(), &u, 0)
            .await
            .map_err(code_taken("单位编码", "unit code", &u.code))?;
    w.audit("unit.create", "unit", id, audit::NONE, Some(&u));
    w.projects_changed();
    w.commit().await?;
    Ok(units::get(db, id).await?)
}

pub async fn update_unit(
    db: &Db,
    can: &Can<ManageUnits>,
    id: i64,
    i: &UnitInput,
) -> Result<Unit, AppError> {
    let before = units::get(db, id).await.map_err(not_found("unit"))?;
    can.check(id, "unit")?;
    let u = NewUnit::parse(i)?;
    if let Some(p) = u.parent_id {
        can.check_target("parent_id", p)?;
    }
    can.caller().tree().check_move(id, u.parent_id)?;
    let version = i.version.ok_or_else(|| FieldError::required("version"))?;
    let mut w = can.write(db).await?;
    units::update(w.tx(), id, version, &u)
        .await
        .or_stale(&before)?;
    w.audit("unit.update", "unit", id, Some(&before), Some(&u));
    w.projects_changed();
    w.commit().await?;
    Ok(units::get(db, id).await?)
}

pub async fn archive_unit(
    db: &Db,
    can: &Can<ManageUnits>,
    id: i64,
    version: i64,
) -> Result<(), AppError> {
    let before = units::get(db, id).await.map_err(not_found("unit"))?;
    can.check(id, "unit")?;
    let mut w = can.write(db).await?;
    units::archive(w.tx(), id, version)
        .await
        .or_stale(&before)?;
    w.audit("unit.archive", "unit", id, Some(&before), audit::NONE);
    w.projects_changed();
    w.commit().await?;
    Ok(())
}

pub async fn create_project(
    db: &Db,
    can: &Can<EditRegistry>,
    i: &ProjectInput,
) -> Result<Project, AppError> {
    let p = NewProject::parse(i)?;
    can.check_target("unit_id", p.unit_id)?;
    let mut w = can.write(db).await?;
    let id = projects::insert(w.tx(), &p).await.map_err(code_taken(
        "项目代码",
        "project code",
        p.code.as_str(),
    ))?;
    w.audit("project.create", "project", id, audit::NONE, Some(&p));
    w.projects_changed();
    w.commit().await?;
    Ok(projects::get(db, id).await?)
}

pub async fn update_project(
    db: &Db,
    can: &Can<EditRegistry>,
    id: ProjectId,
    i: &ProjectInput,
) -> Result<Project, AppError> {
    let before = projects::get(db, id).await.map_err(not_found("project"))?;
    can.check(before.spec.unit_id, "project")?;
    let p = NewProject::parse(i)?;
    can.check_target("unit_id", p.unit_id)?;
    let version = i.version.ok_or_else(|| FieldError::required("version"))?;
    let mut w = can.write(db).await?;
    match projects::update(w.tx(), id, version, &p).await {
        Err(StoreError::Stale) => return Err(AppError::stale(&before)),
        other => other.map_err(code_taken("项目代码", "project code", p.code.as_str()))?,
    };
    w.audit("project.update", "project", id, Some(&before), Some(&p));
    w.refresh_all_years(id);
    w.projects_changed();
    w.commit().await?;
    Ok(projects::get(db, id).await?)
}

pub async fn archive_project(
    db: &Db,
    can: &Can<EditRegistry>,
    id: ProjectId,
    version: i64,
) -> Result<(), AppError> {
    let before = projects::get(db, id).await.map_err(not_found("project"))?;
    can.check(before.spec.unit_id, "project")?;
    let mut w = can.write(db).await?;
    projects::archive(w.tx(), id, version)
        .await
        .or_stale(&before)?;
    w.audit("project.archive", "project", id, Some(&before), audit::NONE);
    w.refresh_all_years(id);
    w.projects_changed();
    w.commit().await?;
    Ok(())
}

/// An annual plan as submitted: amounts in 万元 as text, like every template.
#[derive(Debug, Clone, Default, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanInput {
    pub planned_wan: String,
    /// Twelve cumulative amounts (万元), ending at the annual plan; derived from the
    /// seasonal profile when absent.
    #[serde(default)]
    pub monthly_wan: Option<Vec<String>>,
    #[serde(default)]
    pub planned_start_month: Option<u32>,
    #[serde(default)]
    pub milestones: Vec<MilestoneInput>,
    /// The version the change is based on; absent for a new plan.
    #[serde(default)]
    pub version: Option<i64>,
}

#[derive(Debug, Clone, Default, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MilestoneInput {
    pub name: String,
    pub planned: String,
    #[serde(default)]
    pub actual: Option<String>,
}

/// A plan with its version, as returned.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PlanView {
    #[serde(flatten)]
    pub plan: AnnualPlan,
    pub version: i64,
}

fn parse_plan(
    year: i32,
    i: &PlanInput,
    profile: &SeasonalProfile,
) -> Result<AnnualPlan, ValidationErrors> {
    let mut e = ValidationErrors::default();
    let planned = e.take(Yuan::parse_in(
        "planned_wan",
        &i.planned_wan,
        MoneyUnit::Wan,
    ));
    let monthly: Option<Vec<Yuan>> = i.monthly_wan.as_ref().map(|m| {
        m.iter()
            .enumerate()
            .filter_map(|(k, v)| {
                e.take(Yuan::parse_in(
                    &format!("monthly_wan[{}]", k + 1),
                    v,
                    MoneyUnit::Wan,
                ))
            })
            .collect()
    });
    let mut milestones = Vec::new();
    for (k, m) in i.milestones.iter().enumerate() {
        let f = format!("milestones[{k}]");
        let name = e.take(text::field(&format!("{f}.name"), &m.name, 50, true));
        let planned = e.take(text::date(&format!("{f}.planned"), &m.planned));
        let actual = match m.actual.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            Some(a) => e.take(text::date(&format!("{f}.actual"), a)).map(Some),
            None => Some(None),
        };
        if let (Some(name), Some(planned), Some(actual)) = (name, planned, actual) {
            milestones.push(Milestone {
                name,
                planned,
                actual,
            });
        }
    }
    if !e.is_empty() {
        return Err(e);
    }
    AnnualPlan::parse(
        year,
        planned.expect("checked"),
        monthly.as_deref(),
        profile,
        i.planned_start_month,
        milestones,
    )
}

pub async fn plan(
    db: &Db,
    can: &Can<ReadRegistry>,
    project_id: ProjectId,
    year: i32,
) -> Result<PlanView, AppError> {
    project(db, can, project_id).await?;
    let p = plans::get(db, project_id, year)
        .await?
        .ok_or(AppError::NotFound { what: "plan" })?;
    let version = plans::version(db, project_id, year).await?.unwrap_or(1);
    Ok(PlanView { plan: p, version })
}

/// Archive (withdraw) a project's plan for a year.
pub async fn archive_plan(
    db: &Db,
    can: &Can<EditRegistry>,
    project_id: ProjectId,
    year: i32,
    version: i64,
) -> Result<(), AppError> {
    let p = projects::get(db, project_id)
        .await
        .map_err(not_found("project"))?;
    can.check(p.spec.unit_id, "project")?;
    let before = plans::get(db, project_id, year)
        .await?
        .ok_or(AppError::NotFound { what: "plan" })?;
    let mut w = can.write(db).await?;
    plans::archive(w.tx(), project_id, year, version)
        .await
        .or_stale(&serde_json::json!({ "plan": before, "version": plans::version(db, project_id, year).await? }))?;
    w.audit(
        "plan.archive",
        "plan",
        format!("{project_id}/{year}"),
        Some(&before),
        audit::NONE,
    );
    w.refresh(project_id, year);
    w.commit().await?;
    Ok(())
}

/// Create or replace a project's plan for a year, checking the version it was based on.
pub async fn put_plan(
    db: &Db,
    can: &Can<EditRegistry>,
    project_id: ProjectId,
    year: i32,
    i: &PlanInput,
) -> Result<PlanView, AppError> {
    let p = projects::get(db, project_id)
        .await
        .map_err(not_found("project"))?;
    can.check(p.spec.unit_id, "project")?;
    let profile = crate::settings::get(db).await?.profile()?;
    let plan = parse_plan(year, i, &profile)?;
    let before = plans::get(db, project_id, year).await?;
    let current = plans::version(db, project_id, year).await?;
    if current != i.version {
        return Err(AppError::Stale {
            current: serde_json::json!({ "plan": before, "version": current }),
        });
    }
    let mut w = can.write(db).await?;
    match plans::upsert_checked(w.tx(), project_id, &plan, i.version).await {
        Err(StoreError::Stale) => {
            return Err(AppError::Stale {
                current: serde_json::json!({ "plan": before, "version": current }),
            });
        }
        other => other?,
    };
    w.audit(
        "plan.put",
        "plan",
        format!("{project_id}/{year}"),
        before.as_ref(),
        Some(&plan),
    );
    w.refresh(project_id, year);
    w.commit().await?;
    let version = plans::version(db, project_id, year).await?.unwrap_or(1);
    Ok(PlanView { plan, version })
}

/// The project list's query as the API receives it: text, to be parsed here.
#[derive(Debug, Clone, Default, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProjectQuery {
    pub unit: Option<i64>,
    pub chain: Option<ChainId>,
    pub status: Option<String>,
    pub nature: Option<String>,
    pub category: Option<String>,
    /// The light at the office's month: green, yellow, orange or red.
    pub light: Option<String>,
    pub q: Option<String>,
    pub sort: Option<String>,
    pub desc: Option<bool>,
    #[schemars(range(min = 1, max = 1_000_000))]
    pub page: Option<i64>,
    #[schemars(range(min = 1, max = crate::MAX_PAGE_SIZE))]
    pub page_size: Option<i64>,
    /// For the CSV export: zh-CN (default) or en, the language of the header and of the
    /// coded columns.
    pub lang: Option<String>,
}

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
        let light = opt(&self.light).and_then(|s| {
            use duban_domain::analytics::lights::Light;
            let found = Light::from_code(&s);
            if found.is_none() {
                e.push(duban_domain::FieldError::new(
                    "light",
                    "unknown_code",
                    format!("没有“{s}”这种灯色，可选：green、yellow、orange、red"),
                    format!("no light '{s}'; use green, yellow, orange or red"),
                ));
            }
            found
        });
        let sort = opt(&self.sort)
            .and_then(|s| e.take(SortKey::parse("sort", &s)))
            .unwrap_or_default();
        let (offset, limit) = crate::paging_in(&mut e, self.page, self.page_size);
        crate::positive_id_in(&mut e, "chain", self.chain.map(|c| c.get()));
        e.into_result(|| ProjectFilter {
            reach: Default::default(),
            unit_subtree: self.unit,
            chain_id: self.chain,
            status,
            nature,
            category,
            light,
            text: opt(&self.q),
            sort,
            descending: self.desc.unwrap_or(false),
            offset,
            limit,
        })
    }
}

/// Projects within the caller's reach (narrowed to `unit` and its sub-units when given).
pub async fn list_projects(
    db: &Db,
    can: &Can<ReadRegistry>,
    q: &ProjectQuery,
) -> Result<ProjectPage, AppError> {
    let mut f = q.parse()?;
    f.reach = can.reach_within(f.unit_subtree.take());
    // The count of a filter is kept a minute: paging through a million projects then
    // costs one page read per click, not a count of everything that matches.
    let key = format!(
        "{:?}",
        ProjectFilter {
            offset: 0,
            limit: 0,
            sort: Default::default(),
            descending: false,
            ..f.clone()
        }
    );
    let version = duban_store::changes::version(db, "projects").await?;
    let total = PROJECT_COUNTS
        .get_or(db, key, version, async || {
            projects::count_matching(db, &f).await
        })
        .await?;
    // Walk the order's index when at least one live project in 50 matches: the page is
    // then found within a few thousand index entries.
    let all = PROJECT_COUNTS
        .get_or(db, "all".into(), version, async || {
            projects::count(db).await
        })
        .await?;
    let items = projects::page_of(db, &f, total, total * 50 >= all).await?;
    Ok(ProjectPage {
        total,
        items,
        standing_period: duban_store::settings::get(db, duban_store::standing::PERIOD_KEY).await?,
    })
}

static PROJECT_COUNTS: std::sync::LazyLock<crate::cache::Memo<i64>> =
    std::sync::LazyLock::new(|| crate::cache::Memo::new(std::time::Duration::from_secs(60), 1024));

/// Forget the cached project counts of a database (after a project or unit changed).
pub(crate) fn projects_changed(db: &Db) {
    PROJECT_COUNTS.clear(db);
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
