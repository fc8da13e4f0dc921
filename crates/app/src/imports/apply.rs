//! The commit: every write of the plan in one transaction, each audited like the same
//! change made in a form, then the import itself marked committed and audited. Any
//! failure rolls everything back; a row changed by someone since the preview fails the
//! whole commit as stale.

use super::plan::{Op, Plan, Target, UnitRef};
use crate::access::{Caller, ManageUnits, ManageUsers, ReadRegistry, Supervise};
use crate::{AppError, audit};
use duban_domain::ids::{ProjectId, ReportId};
use duban_domain::report::{Report, ReportState};
use duban_store::{Db, StoreError, imports as store, plans, projects, reports};
use std::collections::{BTreeSet, HashMap};

fn stale(what: &str) -> AppError {
    AppError::Conflict(format!(
        "{what} changed while the import was being written; preview the file again / 导入期间数据已被他人修改，请重新预检"
    ))
}

pub async fn apply(
    db: &Db,
    caller: &Caller,
    plan: &Plan,
    import_id: i64,
    filename: &str,
    counts: &super::Counts,
) -> Result<Vec<super::InitialPassword>, AppError> {
    let started = std::time::Instant::now();
    // The plan already checked each row against the capability it needs; the write
    // begins from the one the file needs first (units and users are the administrator's,
    // everything else reads the registry).
    let has = |f: fn(&Op) -> bool| plan.ops.iter().any(f);
    let mut w = if has(|o| matches!(o, Op::CreateUnit { .. } | Op::UpdateUnit { .. })) {
        caller.can::<ManageUnits>()?.write(db).await?
    } else if has(|o| matches!(o, Op::CreateUser { .. })) {
        caller.can::<ManageUsers>()?.write(db).await?
    } else {
        caller.can::<ReadRegistry>()?.write(db).await?
    };
    let mut passwords = Vec::new();
    let mut created_units: HashMap<String, i64> = HashMap::new();
    let unit_of = |r: &UnitRef, created: &HashMap<String, i64>| -> Result<i64, AppError> {
        match r {
            UnitRef::Stored(id) => Ok(*id),
            UnitRef::New(code) => created
                .get(code)
                .copied()
                .ok_or_else(|| AppError::bug(format!("import: unit {code} not created"))),
        }
    };
    // Problems are raised as a supervisor: the capability is taken once, when any is.
    let supervise = plan
        .ops
        .iter()
        .any(|o| matches!(o, Op::CreateProblem { .. }))
        .then(|| caller.can::<Supervise>())
        .transpose()?;
    let mut created: HashMap<String, ProjectId> = HashMap::new();
    let mut touched: BTreeSet<ProjectId> = BTreeSet::new();
    let mut plan_years: BTreeSet<(i64, i32)> = BTreeSet::new();
    let mut report_years: BTreeSet<(ProjectId, i32)> = BTreeSet::new();
    // Every write is audited like the same change made in a form; the entries are
    // appended together, in order, at the end of the transaction.
    let mut writes: Vec<audit::Write> = Vec::new();
    let mut new_reports: Vec<Report> = Vec::new();
    let id_of = |t: &Target, created: &HashMap<String, ProjectId>| -> Result<ProjectId, AppError> {
        match t {
            Target::Stored(id) => Ok(*id),
            Target::New(code) => created
                .get(code)
                .copied()
                .ok_or_else(|| AppError::bug(format!("import: project {code} not created"))),
        }
    };
    for op in &plan.ops {
        match op {
            Op::CreateProject(p) => {
                let id = projects::insert(w.tx(), p).await.map_err(|e| match e {
                    StoreError::Duplicate(_) => stale("a project code"),
                    e => e.into(),
                })?;
                writes.push(audit::Write::new(
                    "project.create",
                    "project",
                    id,
                    audit::NONE,
                    Some(p),
                ));
                created.insert(p.code.as_str().to_string(), id);
            }
            Op::UpdateProject { before, after } => {
                match projects::update(w.tx(), before.id, before.version, after).await {
                    Err(StoreError::Stale) => return Err(stale("a project")),
                    other => other?,
                };
                writes.push(audit::Write::new(
                    "project.update",
                    "project",
                    before.id,
                    Some(before.as_ref()),
                    Some(after),
                ));
                touched.insert(before.id);
            }
            Op::PutPlan {
                project,
                plan,
                version,
                before,
            } => {
                let pid = id_of(project, &created)?;
                match plans::upsert_checked(w.tx(), ProjectId::new(pid.get()), plan, *version).await
                {
                    Err(StoreError::Stale) => return Err(stale("an annual plan")),
                    other => other?,
                };
                writes.push(audit::Write::new(
                    "plan.put",
                    "plan",
                    format!("{pid}/{}", plan.year),
                    before.as_ref(),
                    Some(plan),
                ));
                plan_years.insert((pid.get(), plan.year));
            }
            Op::BackfillReport {
                project,
                period,
                figures,
            } => {
                let now = duban_store::now_ms();
                let project_id = id_of(project, &created)?;
                report_years.insert((project_id, period.year()));
                new_reports.push(Report {
                    id: ReportId::new(0),
                    project_id,
                    period: *period,
                    revision: 1,
                    state: ReportState::Approved,
                    figures: figures.clone(),
                    returned_reason: None,
                    submitted_at: Some(now),
                    approved_at: Some(now),
                    late: false,
                    backfilled: true,
                    correction_reason: None,
                    checked_by: None,
                    checked_at: None,
                });
            }
            Op::CreateReport {
                project,
                period,
                figures,
            } => {
                new_reports.push(Report {
                    id: ReportId::new(0),
                    project_id: id_of(project, &created)?,
                    period: *period,
                    revision: 1,
                    state: ReportState::Draft,
                    figures: figures.clone(),
                    returned_reason: None,
                    submitted_at: None,
                    approved_at: None,
                    late: false,
                    backfilled: false,
                    correction_reason: None,
                    checked_by: None,
                    checked_at: None,
                });
            }
            Op::EditReport {
                id,
                state,
                before,
                figures,
            } => {
                match reports::update_figures(w.tx(), *id, *state, ReportState::Draft, figures)
                    .await
                {
                    Err(StoreError::Stale) => return Err(stale("a report")),
                    other => other?,
                };
                writes.push(audit::Write::new(
                    "report.edit",
                    "report",
                    id,
                    Some(before),
                    Some(&before.diff(figures)),
                ));
            }
            Op::CreateUnit { unit, parent } => {
                let mut u = unit.clone();
                u.parent_id = Some(unit_of(parent, &created_units)?);
                let id = duban_store::units::insert(w.tx(), &u, 0)
                    .await
                    .map_err(|e| match e {
                        StoreError::Duplicate(_) => stale("a unit code"),
                        e => e.into(),
                    })?;
                writes.push(audit::Write::new(
                    "unit.create",
                    "unit",
                    id,
                    audit::NONE,
                    Some(&u),
                ));
                created_units.insert(u.code.clone(), id);
                w.projects_changed();
            }
            Op::UpdateUnit {
                before,
                after,
                parent,
            } => {
                let mut u = after.clone();
                u.parent_id = match parent {
                    None => before.parent_id,
                    Some(p) => Some(unit_of(p, &created_units)?),
                };
                match duban_store::units::update(w.tx(), before.id, before.version, &u).await {
                    Err(StoreError::Stale) => return Err(stale("a unit")),
                    other => other?,
                };
                writes.push(audit::Write::new(
                    "unit.update",
                    "unit",
                    before.id,
                    Some(before.as_ref()),
                    Some(&u),
                ));
                w.projects_changed();
            }
            Op::CreateUser {
                username,
                display_name,
                unit,
                grant,
            } => {
                let unit_id = unit_of(unit, &created_units)?;
                let (_, password) = crate::accounts::create_in(
                    &mut w,
                    username,
                    display_name,
                    unit_id,
                    std::slice::from_ref(grant),
                )
                .await
                .map_err(|e| match e {
                    AppError::Conflict(_) => stale("a user name"),
                    e => e,
                })?;
                passwords.push(super::InitialPassword {
                    username: username.clone(),
                    display_name: display_name.clone(),
                    password,
                });
            }
            Op::CreateProblem { project, input } => {
                let mut i = input.clone();
                i.project_id = project.as_ref().map(|t| id_of(t, &created)).transpose()?;
                let can = supervise
                    .as_ref()
                    .expect("taken when any problem is raised");
                crate::problems::create_in(&mut w, can, &i).await?;
            }
        }
    }
    // New drafts go in multi-row statements: a month's sheet of a large office is
    // 100,000 rows.
    let ids = reports::insert_many(w.tx(), &new_reports)
        .await
        .map_err(|e| match e {
            StoreError::Duplicate(_) | StoreError::Stale => stale("a report"),
            e => e.into(),
        })?;
    tracing::debug!(
        ms = started.elapsed().as_millis() as u64,
        "import: rows written"
    );
    for (id, r) in ids.iter().zip(&new_reports) {
        writes.push(audit::Write::new(
            if r.backfilled {
                "report.backfill"
            } else {
                "report.create"
            },
            "report",
            id,
            audit::NONE,
            Some(&r.figures),
        ));
    }
    w.audit_all(writes);
    // The dashboards' years of every project written, at commit.
    for id in created.values().chain(&touched) {
        w.refresh_all_years(*id);
    }
    for (pid, year) in plan_years {
        w.refresh(ProjectId::new(pid), year);
    }
    for (pid, year) in report_years {
        w.refresh(pid, year);
    }
    if import_id > 0 {
        let summary = serde_json::to_string(counts).expect("counts serialise");
        match store::mark_committed(w.tx(), import_id, &summary).await {
            Err(StoreError::Stale) => {
                return Err(AppError::Conflict(format!(
                    "import {import_id} was already committed / 该导入已提交"
                )));
            }
            other => other?,
        }
    }
    w.audit(
        "import.commit",
        "import",
        import_id,
        audit::NONE,
        Some(&serde_json::json!({ "file": filename, "counts": counts })),
    );
    w.projects_changed();
    w.commit().await?;
    tracing::debug!(
        ms = started.elapsed().as_millis() as u64,
        "import: committed"
    );
    Ok(passwords)
}
