//! Problem rows: created (and assigned at once when a lead unit and a deadline are
//! given), never twice for the same project and description.

use super::{
    Action, Kind, Op, Planner, Target, code_of, field_error, forbidden, unit_out_of_scope,
};
use crate::AppError;
use crate::access::Supervise;
use crate::problems::ProblemInput;
use duban_domain::ids::ProjectId;
use duban_domain::import::{self, SheetRead, Value};
use duban_store::Db;
use duban_store::imports as store;
use std::collections::{HashMap, HashSet};

impl Planner<'_> {
    pub(super) async fn problems(&mut self, db: &Db, s: &SheetRead) -> Result<(), AppError> {
        if self.caller.can::<Supervise>().is_err() {
            self.plan.errors.push(forbidden(s, "问题清单", "problems"));
            return Ok(());
        }
        let ids: Vec<ProjectId> = self.stored.values().map(|e| e.id).collect();
        let mut known: HashSet<(Option<ProjectId>, String)> = store::problem_keys(db, &ids)
            .await?
            .into_iter()
            .map(|(p, d)| (p, d.trim().to_string()))
            .collect();
        let mut in_file: HashMap<(Option<Target>, String), usize> = HashMap::new();
        let today = crate::clock::today();
        for r in &s.rows {
            let description = r.text("description").unwrap_or_default().trim().to_string();
            let code = code_of(r);
            let key = code.clone().unwrap_or_default();
            let label: String = description.chars().take(40).collect();
            let mut errors = r.errors.clone();
            let target = match &code {
                None => None,
                Some(c) => match self.target(Kind::Problems, c) {
                    Ok(t) => Some(t.0),
                    Err(e) => {
                        errors.push(s.error(r, e));
                        None
                    }
                },
            };
            let lead = match r.text("lead_unit") {
                None => None,
                Some(t) => match self.unit("lead_unit", t) {
                    Ok(u) if self.may(Kind::Problems, u) => Some(u),
                    Ok(_) => {
                        errors.push(s.error(r, unit_out_of_scope("lead_unit", t)));
                        None
                    }
                    Err(e) => {
                        errors.push(s.error(r, e));
                        None
                    }
                },
            };
            let deadline = match r.get("deadline") {
                Some(Value::Date(d)) => Some(*d),
                _ => None,
            };
            if r.text("lead_unit").is_some() != deadline.is_some() && r.errors.is_empty() {
                errors.push(s.error(
                    r,
                    field_error(
                        "deadline",
                        "assignment",
                        "交办须同时填写牵头单位和整改时限",
                        "assigning needs both a lead unit and a deadline",
                    ),
                ));
            }
            if let Some(d) = deadline
                && d < today
            {
                errors.push(s.error(
                    r,
                    field_error(
                        "deadline",
                        "past",
                        "整改时限不能早于今天",
                        "the deadline cannot be in the past",
                    ),
                ));
            }
            if !errors.is_empty() {
                self.reject(s, r, key, label, errors);
                continue;
            }
            if let Some(first) = in_file.insert((target.clone(), description.clone()), r.line) {
                let e = s.error(
                    r,
                    field_error(
                        "description",
                        "duplicate",
                        format!("与第{first}行是同一问题"),
                        format!("the same problem as row {first}"),
                    ),
                );
                self.reject(s, r, key, label, vec![e]);
                continue;
            }
            let stored_id = match &target {
                Some(Target::Stored(id)) => Some(*id),
                _ => None,
            };
            let is_known = !matches!(target, Some(Target::New(_)))
                && known.contains(&(stored_id, description.clone()));
            if is_known {
                self.item(s, r, Action::Unchanged, key, label, vec![]);
                continue;
            }
            known.insert((stored_id, description.clone()));
            let text = |k: &str| r.get(k).map(import::show).unwrap_or_default();
            self.item(s, r, Action::Create, key, label, vec![]);
            self.plan.ops.push(Op::CreateProblem {
                project: target,
                input: ProblemInput {
                    source: text("source"),
                    category: text("category"),
                    description,
                    project_id: None,
                    lead_unit_id: lead,
                    assisting_unit_ids: vec![],
                    deadline: deadline.map(|d| d.to_string()),
                    responsible: r.text("responsible").map(str::to_string),
                },
            });
        }
        Ok(())
    }
}
