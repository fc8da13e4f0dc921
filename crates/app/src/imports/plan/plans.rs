//! Annual plan rows with their monthly breakdown, and milestone rows, which replace the
//! milestones of a plan (one in the file, or a stored one).

use super::{
    Action, Change, Kind, Op, Planner, Target, change, code_of, duplicate, field_error, forbidden,
    money, year_of,
};
use crate::AppError;
use crate::access::EditRegistry;
use duban_domain::Yuan;
use duban_domain::import::{SheetRead, Value, month_key};
use duban_domain::plan::{AnnualPlan, Milestone};
use duban_store::{Db, plans};
use std::collections::{BTreeMap, HashMap, HashSet};

/// The milestones the file gives for a project and year, with the sheet and row index
/// of each.
type GivenMilestones = BTreeMap<(String, i32), Vec<(usize, usize, Milestone)>>;

/// The monthly amounts of a plan row (万元 per month), cumulated; None when the row
/// gives no month.
fn months_of(r: &duban_domain::import::Row) -> Option<Vec<Yuan>> {
    let months: Vec<Option<Yuan>> = (1..=12).map(|m| money(r, month_key(m))).collect();
    if months.iter().all(Option::is_none) {
        return None;
    }
    let mut sum = Yuan::ZERO;
    Some(
        months
            .into_iter()
            .map(|m| {
                sum = sum + m.unwrap_or_default();
                sum
            })
            .collect(),
    )
}

fn plan_changes(a: Option<&AnnualPlan>, b: &AnnualPlan) -> Vec<Change> {
    let k = Kind::Plans;
    let ms = |p: &AnnualPlan| {
        p.milestones
            .iter()
            .map(|m| {
                format!(
                    "{} {}{}",
                    m.name,
                    m.planned,
                    m.actual
                        .map(|d| format!("（实际 {d}）"))
                        .unwrap_or_default()
                )
            })
            .collect::<Vec<_>>()
            .join("；")
    };
    let mut out: Vec<Change> = Vec::new();
    let before_planned = a.map(|p| p.planned().wan()).unwrap_or_default();
    out.extend(change(k, "planned", before_planned, b.planned().wan()));
    for m in 1..=12u32 {
        let before = a.map(|p| p.curve.of_month(m).wan()).unwrap_or_default();
        out.extend(change(
            k,
            month_key(m as usize),
            before,
            b.curve.of_month(m).wan(),
        ));
    }
    let sm = |p: Option<&AnnualPlan>| {
        p.and_then(|p| p.planned_start_month)
            .map(|m| m.to_string())
            .unwrap_or_default()
    };
    out.extend(change(k, "start_month", sm(a), sm(Some(b))));
    let before_ms = a.map(ms).unwrap_or_default();
    if before_ms != ms(b) {
        out.push(Change {
            field: "milestones".into(),
            zh: "形象进度节点".into(),
            en: "Milestones".into(),
            before: before_ms,
            after: ms(b),
        });
    }
    out
}

async fn stored_plan(
    db: &Db,
    t: &Target,
    year: i32,
) -> Result<(Option<AnnualPlan>, Option<i64>), AppError> {
    match t {
        Target::New(_) => Ok((None, None)),
        Target::Stored(id) => Ok((
            plans::get(db, *id, year).await?,
            plans::version(db, *id, year).await?,
        )),
    }
}

impl Planner<'_> {
    pub(super) async fn plans(
        &mut self,
        db: &Db,
        sheets: &[&SheetRead],
        milestone_sheets: &[&SheetRead],
    ) -> Result<(), AppError> {
        if self.caller.can::<EditRegistry>().is_err() {
            for s in sheets.iter().chain(milestone_sheets) {
                self.plan
                    .errors
                    .push(forbidden(s, "年度计划", "annual plans"));
            }
            return Ok(());
        }
        // Milestones by (code, year), from the milestone sheets; rows with errors are
        // rejected, and so is the plan they belong to.
        let mut given: GivenMilestones = BTreeMap::new();
        let mut bad_milestones: HashSet<(String, i32)> = HashSet::new();
        let mut bad_rows: Vec<(usize, usize)> = Vec::new();
        for (si, s) in milestone_sheets.iter().enumerate() {
            for (ri, r) in s.rows.iter().enumerate() {
                let (code, year) = (code_of(r), year_of(r));
                match (code, year, r.get("milestone"), r.get("planned_on")) {
                    (Some(code), Some(y), Some(Value::Text(name)), Some(Value::Date(planned)))
                        if r.errors.is_empty() =>
                    {
                        let actual = match r.get("actual_on") {
                            Some(Value::Date(d)) => Some(*d),
                            _ => None,
                        };
                        given.entry((code, y)).or_default().push((
                            si,
                            ri,
                            Milestone {
                                name: name.clone(),
                                planned: *planned,
                                actual,
                            },
                        ));
                    }
                    (code, year, _, _) => {
                        if let (Some(c), Some(y)) = (code, year) {
                            bad_milestones.insert((c, y));
                        }
                        bad_rows.push((si, ri));
                    }
                }
            }
        }
        let mut planned_keys: HashMap<(String, i32), Action> = HashMap::new();
        for s in sheets {
            let mut seen: HashMap<(String, i32), usize> = HashMap::new();
            for r in &s.rows {
                let (code, year) = (code_of(r), year_of(r));
                let key = format!(
                    "{} {}",
                    code.clone().unwrap_or_default(),
                    year.map(|y| y.to_string()).unwrap_or_default()
                );
                // A pre-filled row left as it was: no plan typed, nothing to write.
                if r.values
                    .iter()
                    .all(|(k, _)| matches!(*k, "code" | "name" | "year"))
                    && r.errors.iter().all(|e| e.code == "required")
                {
                    self.skip(s, r.line, "未填写计划数据", "no plan filled in");
                    continue;
                }
                let mut errors = r.errors.clone();
                let (Some(code), Some(year)) = (code, year) else {
                    self.reject(s, r, key, String::new(), errors);
                    continue;
                };
                if let Some(first) = seen.insert((code.clone(), year), r.line) {
                    errors.push(s.error(
                        r,
                        duplicate(
                            "code",
                            first,
                            "同一项目同一年度的计划",
                            "the same project and year",
                        ),
                    ));
                }
                let target = match self.target(Kind::Plans, &code) {
                    Ok(t) => Some(t),
                    Err(e) => {
                        errors.push(s.error(r, e));
                        None
                    }
                };
                let label = target.as_ref().map(|t| t.2.clone()).unwrap_or_default();
                if bad_milestones.contains(&(code.clone(), year)) && errors.is_empty() {
                    errors.push(s.error(
                        r,
                        field_error(
                            "code",
                            "milestone_rejected",
                            "该项目该年度的节点计划有错误",
                            "the milestones of this project and year have errors",
                        ),
                    ));
                }
                if !errors.is_empty() {
                    self.reject(s, r, key, label, errors);
                    planned_keys.insert((code, year), Action::Rejected);
                    continue;
                }
                let (target, _, _) = target.expect("checked");
                let (before, version) = stored_plan(db, &target, year).await?;
                let planned = money(r, "planned").expect("required and checked");
                let start = match r.get("start_month") {
                    Some(Value::MonthNumber(m)) => Some(*m),
                    _ => before.as_ref().and_then(|p| p.planned_start_month),
                };
                let months = months_of(r);
                if let Some(m) = &months
                    && m[11] != planned
                {
                    let e = field_error(
                        "planned",
                        "months_sum",
                        format!(
                            "12个月计划之和{}万元不等于年度计划投资{}万元",
                            m[11].wan(),
                            planned.wan()
                        ),
                        format!(
                            "the twelve months add up to {} wan, not the annual plan of {} wan",
                            m[11].wan(),
                            planned.wan()
                        ),
                    );
                    let ce = s.error(r, e);
                    self.reject(s, r, key, label, vec![ce]);
                    planned_keys.insert((code, year), Action::Rejected);
                    continue;
                }
                // Without months, an unchanged annual figure keeps its stored curve.
                let curve: Option<Vec<Yuan>> = months.or_else(|| {
                    before
                        .as_ref()
                        .filter(|b| b.planned() == planned)
                        .map(|b| b.curve.cumulative().to_vec())
                });
                let milestones = match given.get(&(code.clone(), year)) {
                    Some(v) => v.iter().map(|(_, _, m)| m.clone()).collect(),
                    None => before
                        .as_ref()
                        .map(|b| b.milestones.clone())
                        .unwrap_or_default(),
                };
                match AnnualPlan::parse(
                    year,
                    planned,
                    curve.as_deref(),
                    &self.profile,
                    start,
                    milestones,
                ) {
                    Err(e) => {
                        let errs = e.0.into_iter().map(|e| s.error(r, e)).collect();
                        self.reject(s, r, key, label, errs);
                        planned_keys.insert((code, year), Action::Rejected);
                    }
                    Ok(plan) => {
                        let changes = plan_changes(before.as_ref(), &plan);
                        let action = self.put_plan(target, plan, before, version);
                        let changes = if action == Action::Unchanged {
                            vec![]
                        } else {
                            changes
                        };
                        self.item(s, r, action, key, label, changes);
                        planned_keys.insert((code, year), action);
                    }
                }
            }
        }
        // Milestones of plans the file does not list go to the stored plan.
        for ((code, year), ms) in &given {
            let action = match planned_keys.get(&(code.clone(), *year)) {
                Some(a) => Some(*a),
                None => match self.target(Kind::Milestones, code) {
                    Err(_) => None,
                    Ok((target, _, _)) => match stored_plan(db, &target, *year).await? {
                        (None, _) => None,
                        (Some(b), version) => {
                            let mut plan = b.clone();
                            plan.milestones = ms.iter().map(|(_, _, m)| m.clone()).collect();
                            Some(self.put_plan(target, plan, Some(b), version))
                        }
                    },
                },
            };
            for (si, ri, _) in ms {
                let s = milestone_sheets[*si];
                let r = &s.rows[*ri];
                let key = format!("{code} {year}");
                let name = r.text("milestone").unwrap_or_default().to_string();
                match action {
                    Some(Action::Rejected) | None => {
                        let e = match self.target(Kind::Milestones, code) {
                            Err(e) => e,
                            Ok(_) if action.is_none() => field_error(
                                "year",
                                "no_plan",
                                format!(
                                    "项目“{code}”没有{year}年度计划，请在“年度计划”表中一并导入"
                                ),
                                format!(
                                    "the project '{code}' has no plan for {year}; import it in the plans sheet too"
                                ),
                            ),
                            Ok(_) => field_error(
                                "code",
                                "plan_rejected",
                                "该项目该年度的计划行有错误",
                                "the plan row of this project and year has errors",
                            ),
                        };
                        let ce = s.error(r, e);
                        self.reject(s, r, key, name, vec![ce]);
                    }
                    Some(a) => self.item(s, r, a, key, name, vec![]),
                }
            }
        }
        for (si, ri) in bad_rows {
            let s = milestone_sheets[si];
            let r = &s.rows[ri];
            let key = code_of(r).unwrap_or_default();
            let name = r.text("milestone").unwrap_or_default().to_string();
            self.reject(s, r, key, name, r.errors.clone());
        }
        Ok(())
    }

    /// Plan a plan's write, unless it equals the stored one.
    fn put_plan(
        &mut self,
        project: Target,
        plan: AnnualPlan,
        before: Option<AnnualPlan>,
        version: Option<i64>,
    ) -> Action {
        let action = match &before {
            None => Action::Create,
            Some(b) if *b == plan => Action::Unchanged,
            Some(_) => Action::Update,
        };
        if action != Action::Unchanged {
            self.plan.ops.push(Op::PutPlan {
                project,
                plan,
                version,
                before,
            });
        }
        action
    }
}
