//! The dry run: every row of every sheet resolved against the database (units and
//! chains by name or code, projects by code), checked against the importer's scope,
//! and compared with what is stored. Sheets are planned registry first, so plans,
//! reports and problems may refer to projects created by the same file.

mod accounts;
mod plans;
mod problems;
mod progress;
mod projects;

use super::{Action, Change, ColumnView, Counts, Item, SheetView};
use crate::AppError;
pub use accounts::UnitRef;

use crate::access::{Caller, DraftReports, EditRegistry, ManageUnits, ManageUsers, Supervise};
use crate::problems::ProblemInput;
use duban_domain::access::Reach;
use duban_domain::ids::{ChainId, ProjectId, ReportId};
use duban_domain::import::{self, CellError, Kind, Row, SheetRead, Value};
use duban_domain::plan::{AnnualPlan, SeasonalProfile};
use duban_domain::project::{NewProject, Project};
use duban_domain::report::{ReportFigures, ReportState};
use duban_domain::sheet::{Grid, column_name};
use duban_domain::unit::{Chain, Unit};
use duban_domain::{FieldError, Period, Yuan};
use duban_store::Db;
use duban_store::imports::{self as store, Existing};
use std::collections::{HashMap, HashSet};

/// A project a row refers to: stored, or created earlier in the same file.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Target {
    Stored(ProjectId),
    New(String),
}

/// One write of the commit.
#[derive(Debug, Clone)]
pub enum Op {
    CreateProject(NewProject),
    UpdateProject {
        before: Box<Project>,
        after: NewProject,
    },
    PutPlan {
        project: Target,
        plan: AnnualPlan,
        version: Option<i64>,
        before: Option<AnnualPlan>,
    },
    CreateReport {
        project: Target,
        period: Period,
        figures: ReportFigures,
    },
    /// An approved report of an earlier month, loaded as history (补录).
    BackfillReport {
        project: Target,
        period: Period,
        figures: ReportFigures,
    },
    EditReport {
        id: ReportId,
        state: ReportState,
        before: ReportFigures,
        figures: ReportFigures,
    },
    CreateProblem {
        project: Option<Target>,
        input: ProblemInput,
    },
    CreateUnit {
        unit: duban_domain::unit::NewUnit,
        parent: UnitRef,
    },
    UpdateUnit {
        before: Box<Unit>,
        after: duban_domain::unit::NewUnit,
        /// None: the root stays a root.
        parent: Option<UnitRef>,
    },
    CreateUser {
        username: String,
        display_name: String,
        unit: UnitRef,
        grant: duban_domain::access::RoleGrant,
    },
}

/// The outcome of the dry run.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    pub sheets: Vec<SheetView>,
    pub items: Items,
    pub errors: Vec<CellError>,
    pub ops: Vec<Op>,
}

impl Plan {
    pub fn counts(&self) -> Counts {
        self.items.counts
    }
}

/// The plan's rows as the preview lists them: rejected rows first, then those that
/// change something, then those left as they are, at most [`SHOWN`](super::SHOWN) in
/// all. Every row is counted; of each outcome only the first `SHOWN` are kept, since
/// no more can be listed (100,000 rows' changes, described in both languages, were
/// most of a large dry run's time and memory).
#[derive(Debug, Clone, Default)]
pub struct Items {
    counts: Counts,
    rejected: Vec<Item>,
    changed: Vec<Item>,
    unchanged: Vec<Item>,
}

impl Items {
    fn class(&mut self, a: Action) -> &mut Vec<Item> {
        match a {
            Action::Rejected => &mut self.rejected,
            Action::Create | Action::Update => &mut self.changed,
            Action::Unchanged => &mut self.unchanged,
        }
    }

    /// Whether a row of this outcome would still be listed.
    pub fn keeps(&self, a: Action) -> bool {
        let listed = match a {
            Action::Rejected => self.rejected.len(),
            Action::Create | Action::Update => self.changed.len(),
            Action::Unchanged => self.unchanged.len(),
        };
        listed < super::SHOWN
    }

    /// Count a row that will not be listed.
    pub fn count(&mut self, a: Action) {
        let c = &mut self.counts;
        match a {
            Action::Create => c.create += 1,
            Action::Update => c.update += 1,
            Action::Unchanged => c.unchanged += 1,
            Action::Rejected => c.rejected += 1,
        }
    }

    pub fn push(&mut self, item: Item) {
        self.count(item.action);
        if self.keeps(item.action) {
            self.class(item.action).push(item);
        }
    }

    /// Rows planned, listed or not.
    pub fn total(&self) -> usize {
        let c = self.counts;
        c.create + c.update + c.unchanged + c.rejected
    }

    /// The rows listed, in the preview's order.
    pub fn listed(self) -> Vec<Item> {
        let mut out = self.rejected;
        out.extend(self.changed);
        out.extend(self.unchanged);
        out.truncate(super::SHOWN);
        out
    }
}

fn field_error(
    field: &str,
    code: &'static str,
    zh: impl Into<String>,
    en: impl Into<String>,
) -> FieldError {
    FieldError::new(field, code, zh, en)
}

/// The planner's view of the database and of what the file has planned so far.
struct Planner<'a> {
    caller: &'a Caller,
    /// Where the caller may write registry, progress and problem rows (taken once: a
    /// reach may hold many units, and every row asks).
    reach_registry: Option<Reach>,
    reach_reports: Option<Reach>,
    reach_problems: Option<Reach>,
    reach_units: Option<Reach>,
    reach_users: Option<Reach>,
    units: Vec<Unit>,
    chains: Vec<Chain>,
    profile: SeasonalProfile,
    /// The stored projects the file names, by code.
    stored: HashMap<String, Existing>,
    /// The whole stored projects of the registry sheets' rows, by code.
    registry: HashMap<String, Project>,
    /// Projects the file creates or updates: code → (unit, name).
    in_file: HashMap<String, (i64, String)>,
    plan: Plan,
}

pub async fn plan(
    db: &Db,
    caller: &Caller,
    grids: &[Grid],
    forced: Option<Kind>,
) -> Result<Plan, AppError> {
    let started = std::time::Instant::now();
    let mut reads: Vec<SheetRead> = Vec::new();
    let mut p = Plan::default();
    for g in grids {
        let kind = forced.or_else(|| import::detect(g));
        match kind.and_then(|k| import::read(k, g)) {
            Some(s) => {
                p.sheets.push(view(&s));
                p.errors.extend(s.errors.iter().cloned());
                reads.push(s);
            }
            None => p.sheets.push(SheetView {
                sheet: g.name.clone(),
                kind: None,
                header_rows: (0, 0),
                data_row: 0,
                rows: 0,
                columns: vec![],
                ignored: vec![],
                skipped: vec![],
            }),
        }
    }
    if reads.is_empty() {
        p.errors.push(CellError {
            sheet: String::new(),
            row: 0,
            column: String::new(),
            header: String::new(),
            value: String::new(),
            field: String::new(),
            code: "no_data_sheet",
            zh: "文件中没有可识别的数据表：请使用系统下载的模板，或确认表头含“项目代码”“项目名称”等列".into(),
            en: "no sheet of the file is recognised: use a template from duban, or check that the header has columns such as 项目代码 (project code) and 项目名称 (name)".into(),
        });
        return Ok(p);
    }
    // Units and users first, then the registry, plans and milestones, reports, problems.
    reads.sort_by_key(|s| match s.kind {
        Kind::Units => 0,
        Kind::Users => 1,
        Kind::Projects => 2,
        Kind::Plans | Kind::Milestones => 3,
        Kind::Progress => 4,
        Kind::History => 4,
        Kind::Problems => 5,
    });
    let codes = codes_of(reads.iter());
    let registry_codes = codes_of(reads.iter().filter(|s| s.kind == Kind::Projects));
    tracing::debug!(
        ms = started.elapsed().as_millis() as u64,
        "import: sheets read"
    );
    let mut pl = Planner {
        caller,
        reach_registry: caller.can::<EditRegistry>().ok().map(|c| c.reach().clone()),
        reach_reports: caller.can::<DraftReports>().ok().map(|c| c.reach().clone()),
        reach_problems: caller.can::<Supervise>().ok().map(|c| c.reach().clone()),
        reach_units: caller.can::<ManageUnits>().ok().map(|c| c.reach().clone()),
        reach_users: caller.can::<ManageUsers>().ok().map(|c| c.reach().clone()),
        units: crate::registry::units_by_id(db)
            .await?
            .values()
            .cloned()
            .collect(),
        chains: duban_store::units::chains(db).await?,
        profile: crate::settings::get(db).await?.profile()?,
        stored: store::projects_by_code(db, &codes).await?,
        registry: if registry_codes.is_empty() {
            HashMap::new()
        } else {
            store::registry_by_code(db, &registry_codes).await?
        },
        in_file: HashMap::new(),
        plan: p,
    };
    // The stored reports the progress rows build on, of the stored projects they name.
    let reports = progress::stored_reports(db, progress::months(&reads, &pl.stored)).await?;
    tracing::debug!(
        ms = started.elapsed().as_millis() as u64,
        "import: stored projects loaded"
    );
    let mut new_units = HashMap::new();
    for s in reads.iter().filter(|s| s.kind == Kind::Units) {
        pl.units_sheet(s, &mut new_units);
    }
    if reads.iter().any(|s| s.kind == Kind::Users) {
        let existing: HashSet<String> = duban_store::users::list(db)
            .await?
            .into_iter()
            .map(|u| u.username.to_lowercase())
            .collect();
        for s in reads.iter().filter(|s| s.kind == Kind::Users) {
            pl.users_sheet(s, &existing, &new_units);
        }
    }
    for s in reads.iter().filter(|s| s.kind == Kind::Projects) {
        pl.projects(s);
    }
    let plans: Vec<&SheetRead> = reads.iter().filter(|s| s.kind == Kind::Plans).collect();
    let milestones: Vec<&SheetRead> = reads
        .iter()
        .filter(|s| s.kind == Kind::Milestones)
        .collect();
    if !plans.is_empty() || !milestones.is_empty() {
        pl.plans(db, &plans, &milestones).await?;
    }
    for s in reads
        .iter()
        .filter(|s| matches!(s.kind, Kind::Progress | Kind::History))
    {
        pl.progress(s, &reports);
    }
    for s in reads.iter().filter(|s| s.kind == Kind::Problems) {
        pl.problems(db, s).await?;
    }
    tracing::debug!(ms = started.elapsed().as_millis() as u64, "import: planned");
    Ok(pl.plan)
}

fn view(s: &SheetRead) -> SheetView {
    let cols = s.kind.columns();
    SheetView {
        sheet: s.sheet.clone(),
        kind: Some(s.kind),
        header_rows: (s.header.first_row + 1, s.header.last_row + 1),
        data_row: s.header.data_row + 1,
        rows: s.rows.len(),
        columns: s
            .header
            .columns
            .iter()
            .enumerate()
            .filter_map(|(i, c)| {
                c.as_ref().map(|(at, h)| ColumnView {
                    column: column_name(*at),
                    header: h.clone(),
                    field: cols[i].key.into(),
                    zh: cols[i].zh.into(),
                })
            })
            .collect(),
        ignored: s
            .header
            .ignored
            .iter()
            .map(|(at, h)| ColumnView {
                column: column_name(*at),
                header: h.clone(),
                field: String::new(),
                zh: String::new(),
            })
            .collect(),
        skipped: s.skipped.clone(),
    }
}

/// The project codes the rows of these sheets name, each once.
fn codes_of<'a>(sheets: impl Iterator<Item = &'a SheetRead>) -> Vec<String> {
    sheets
        .flat_map(|s| s.rows.iter())
        .filter_map(code_of)
        .collect::<HashSet<_>>()
        .into_iter()
        .collect()
}

fn code_of(r: &Row) -> Option<String> {
    match r.get("code") {
        Some(Value::Code(c)) => Some(c.as_str().to_string()),
        _ => None,
    }
}

fn year_of(r: &Row) -> Option<i32> {
    match r.get("year") {
        Some(Value::Year(y)) => Some(*y),
        _ => None,
    }
}

fn money(r: &Row, key: &str) -> Option<Yuan> {
    match r.get(key) {
        Some(Value::Money(y)) => Some(*y),
        _ => None,
    }
}

fn label_of(kind: Kind, key: &str) -> (&'static str, &'static str) {
    kind.columns()
        .iter()
        .find(|c| c.key == key)
        .map(|c| (c.zh, c.en))
        .unwrap_or(("", ""))
}

/// A changed field for the preview; None when unchanged.
fn change(kind: Kind, key: &str, before: String, after: String) -> Option<Change> {
    (before != after).then(|| {
        let (zh, en) = label_of(kind, key);
        Change {
            field: key.into(),
            zh: zh.into(),
            en: en.into(),
            before,
            after,
        }
    })
}

fn out_of_scope(code: &str) -> FieldError {
    field_error(
        "code",
        "out_of_scope",
        format!("项目“{code}”不在您的数据范围内"),
        format!("the project '{code}' is outside your data scope"),
    )
}

fn unit_out_of_scope(field: &str, t: &str) -> FieldError {
    field_error(
        field,
        "out_of_scope",
        format!("单位“{t}”不在您的数据范围内"),
        format!("the unit '{t}' is outside your data scope"),
    )
}

fn duplicate(field: &str, first: usize, zh: &str, en: &str) -> FieldError {
    field_error(
        field,
        "duplicate",
        format!("{zh}与第{first}行重复"),
        format!("{en} repeats row {first}"),
    )
}

/// A whole sheet the caller may not import.
fn forbidden(s: &SheetRead, what_zh: &str, what_en: &str) -> CellError {
    CellError {
        sheet: s.sheet.clone(),
        row: 0,
        column: String::new(),
        header: String::new(),
        value: String::new(),
        field: String::new(),
        code: "forbidden",
        zh: format!("您没有导入{what_zh}的权限"),
        en: format!("you may not import {what_en}"),
    }
}

impl Planner<'_> {
    fn reject(
        &mut self,
        s: &SheetRead,
        r: &Row,
        key: String,
        label: String,
        errors: Vec<CellError>,
    ) {
        self.plan.errors.extend(errors);
        self.item(s, r, Action::Rejected, key, label, vec![]);
    }

    fn item(
        &mut self,
        s: &SheetRead,
        r: &Row,
        action: Action,
        key: String,
        label: String,
        changes: Vec<Change>,
    ) {
        if !self.plan.items.keeps(action) {
            self.plan.items.count(action);
            return;
        }
        self.plan.items.push(Item {
            sheet: s.sheet.clone(),
            row: r.line,
            kind: s.kind,
            action,
            key,
            label,
            changes,
        });
    }

    /// [`item`](Self::item) whose key is made only when the preview lists the row.
    fn item_made(
        &mut self,
        s: &SheetRead,
        r: &Row,
        action: Action,
        key: impl FnOnce() -> String,
        label: String,
        changes: Vec<Change>,
    ) {
        if !self.plan.items.keeps(action) {
            self.plan.items.count(action);
            return;
        }
        self.item(s, r, action, key(), label, changes);
    }

    /// Pass over a row, saying why, in its sheet's view.
    fn skip(&mut self, s: &SheetRead, row: usize, zh: &'static str, en: &'static str) {
        if let Some(v) = self.plan.sheets.iter_mut().find(|v| v.sheet == s.sheet) {
            v.skipped.push(import::Skipped { row, zh, en });
        }
    }

    /// A unit by code, or by name when the name is unique, among the caller's tree.
    fn unit(&self, field: &str, text: &str) -> Result<i64, FieldError> {
        let t = duban_domain::text::clean_name(text);
        let tree = self.caller.tree();
        let known: Vec<&Unit> = self.units.iter().filter(|u| tree.contains(u.id)).collect();
        if let Some(u) = known.iter().find(|u| u.code.eq_ignore_ascii_case(&t)) {
            return Ok(u.id);
        }
        let by_name: Vec<&&Unit> = known.iter().filter(|u| u.name == t).collect();
        match by_name.as_slice() {
            [u] => Ok(u.id),
            [] => Err(field_error(
                field,
                "unknown_unit",
                format!("没有名称或代码为“{t}”的单位（或不在您的数据范围内）"),
                format!("no unit is named or coded '{t}' (or it is outside your data scope)"),
            )),
            _ => Err(field_error(
                field,
                "ambiguous_unit",
                format!("有多个单位名为“{t}”，请填写单位代码"),
                format!("several units are named '{t}'; write the unit's code"),
            )),
        }
    }

    fn unit_name(&self, id: i64) -> String {
        self.units
            .iter()
            .find(|u| u.id == id)
            .map(|u| u.name.clone())
            .unwrap_or_else(|| id.to_string())
    }

    fn chain(&self, text: &str) -> Result<ChainId, FieldError> {
        let t = duban_domain::text::clean_name(text);
        self.chains
            .iter()
            .find(|c| c.name == t || c.code.eq_ignore_ascii_case(&t))
            .map(|c| c.id)
            .ok_or_else(|| {
                field_error(
                    "chain",
                    "unknown_chain",
                    format!("没有名为“{t}”的产业链"),
                    format!("no industry chain is named '{t}'"),
                )
            })
    }

    fn chain_name(&self, id: Option<ChainId>) -> String {
        id.and_then(|id| self.chains.iter().find(|c| c.id == id))
            .map(|c| c.name.clone())
            .unwrap_or_default()
    }

    /// Whether the caller may write this unit's data of `kind`.
    fn may(&self, kind: Kind, unit: i64) -> bool {
        let reach = match kind {
            Kind::Projects | Kind::Plans | Kind::Milestones => &self.reach_registry,
            Kind::Progress => &self.reach_reports,
            Kind::Problems | Kind::History => &self.reach_problems,
            Kind::Units => &self.reach_units,
            Kind::Users => &self.reach_users,
        };
        reach.as_ref().is_some_and(|r| r.covers(unit)) && self.caller.tree().contains(unit)
    }

    /// The project a row refers to: stored (and in scope for `kind`) or created by this
    /// file. Returns its target, unit and name.
    fn target(&self, kind: Kind, code: &str) -> Result<(Target, i64, String), FieldError> {
        if let Some((unit, name)) = self.in_file.get(code) {
            let t = match self.stored.get(code) {
                Some(e) => Target::Stored(e.id),
                None => Target::New(code.into()),
            };
            if !self.may(kind, *unit) {
                return Err(out_of_scope(code));
            }
            return Ok((t, *unit, name.clone()));
        }
        match self.stored.get(code) {
            Some(e) if e.archived => Err(field_error(
                "code",
                "archived",
                format!("项目“{code}”已归档"),
                format!("the project '{code}' is archived"),
            )),
            Some(e) if self.may(kind, e.unit_id) => {
                Ok((Target::Stored(e.id), e.unit_id, e.name.clone()))
            }
            Some(_) => Err(out_of_scope(code)),
            None => Err(field_error(
                "code",
                "unknown_project",
                format!("项目代码“{code}”不存在，请先导入项目库"),
                format!("no project has the code '{code}'; import it into the registry first"),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::imports::SHOWN;

    fn item(action: Action, row: usize) -> Item {
        Item {
            sheet: "进度".into(),
            row,
            kind: Kind::Progress,
            action,
            key: format!("P{row}"),
            label: String::new(),
            changes: Vec::new(),
        }
    }

    /// Every row is counted; the list is what sorting all of them (rejected, changed,
    /// unchanged, each in file order) and keeping the first `SHOWN` would give.
    #[test]
    fn the_preview_lists_what_a_full_sort_would() {
        let mut items = Items::default();
        let mut all = Vec::new();
        for row in 0..3 * SHOWN {
            let action = match row % 7 {
                0 => Action::Unchanged,
                3 if row > 2 * SHOWN => Action::Rejected,
                4 => Action::Update,
                _ => Action::Create,
            };
            if !items.keeps(action) {
                items.count(action);
            } else {
                items.push(item(action, row));
            }
            all.push(item(action, row));
        }
        assert_eq!(items.total(), 3 * SHOWN);
        let c = items.counts;
        assert_eq!(
            c.rejected,
            all.iter().filter(|i| i.action == Action::Rejected).count()
        );
        assert_eq!(c.create + c.update + c.unchanged + c.rejected, 3 * SHOWN);
        all.sort_by_key(|i| match i.action {
            Action::Rejected => 0,
            Action::Create | Action::Update => 1,
            Action::Unchanged => 2,
        });
        all.truncate(SHOWN);
        let rows = |v: &[Item]| v.iter().map(|i| (i.row, i.action)).collect::<Vec<_>>();
        assert_eq!(rows(&items.listed()), rows(&all));
    }
}
