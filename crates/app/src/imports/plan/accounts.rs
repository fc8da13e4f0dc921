//! Unit and user rows: the unit tree keyed by unit code (parents before children, a
//! parent may be an earlier row), and accounts keyed by user name (new ones only; an
//! existing account is left as it is).

use super::{Action, Change, Op, Planner, field_error, forbidden};
use duban_domain::access::Scope;
use duban_domain::import::{Kind, Row, SheetRead, Value};
use duban_domain::unit::{NewUnit, UnitInput};
use duban_domain::{FieldError, Role};
use std::collections::{HashMap, HashSet};

/// A unit a row refers to: stored, or created earlier in the same file (by code).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UnitRef {
    Stored(i64),
    New(String),
}

fn vocab(r: &Row, key: &str) -> Option<&'static str> {
    match r.get(key) {
        Some(Value::Vocab(v)) => Some(v),
        _ => None,
    }
}

impl Planner<'_> {
    /// A unit by code or name: one created earlier in this file, else a stored one.
    fn unit_ref(
        &self,
        field: &str,
        text: &str,
        new: &HashMap<String, String>,
    ) -> Result<UnitRef, FieldError> {
        let t = duban_domain::text::clean_name(text);
        let upper = t.to_uppercase();
        if new.contains_key(&upper) {
            return Ok(UnitRef::New(upper));
        }
        if let Some((code, _)) = new.iter().find(|(_, name)| **name == t) {
            return Ok(UnitRef::New(code.clone()));
        }
        self.unit(field, &t).map(UnitRef::Stored)
    }

    pub(super) fn units_sheet(&mut self, s: &SheetRead, new: &mut HashMap<String, String>) {
        let Some(reach) = self.reach_units.clone() else {
            self.plan.errors.push(forbidden(s, "单位", "units"));
            return;
        };
        let tree = self.caller.tree();
        let by_code: HashMap<String, duban_domain::unit::Unit> = self
            .units
            .iter()
            .map(|u| (u.code.to_uppercase(), u.clone()))
            .collect();
        let mut seen: HashMap<String, usize> = HashMap::new();
        for r in &s.rows {
            let mut errors = r.errors.clone();
            let code = r
                .text("unit_code")
                .map(|c| duban_domain::text::normalize(c).to_uppercase())
                .unwrap_or_default();
            let name = r.text("unit_name").unwrap_or_default().to_string();
            let label = name.clone();
            if let Some(first) = seen.insert(code.clone(), r.line) {
                errors.push(s.error(
                    r,
                    super::duplicate("unit_code", first, "单位代码", "the unit code"),
                ));
            }
            // The parent: a named one, else the importer's own unit.
            let parent = match r.text("parent") {
                Some(p) => match self.unit_ref("parent", p, new) {
                    Ok(UnitRef::Stored(id)) if !reach.covers(id) => {
                        errors.push(s.error(r, super::unit_out_of_scope("parent", p)));
                        None
                    }
                    Ok(x) => Some(x),
                    Err(e) => {
                        errors.push(s.error(r, e));
                        None
                    }
                },
                None => Some(UnitRef::Stored(self.caller.actor.unit_id)),
            };
            let parsed = NewUnit::parse(&UnitInput {
                version: None,
                parent_id: None,
                code: code.clone(),
                name: name.clone(),
                kind: vocab(r, "unit_kind").unwrap_or_default().to_string(),
                series: r.text("series").map(str::to_string),
            });
            let unit = match parsed {
                Ok(u) => Some(u),
                Err(v) => {
                    if r.errors.is_empty() {
                        for f in v.0 {
                            let field = match f.field.as_str() {
                                "code" => "unit_code",
                                "name" => "unit_name",
                                "kind" => "unit_kind",
                                other => other,
                            }
                            .to_string();
                            errors.push(s.error(r, FieldError { field, ..f }));
                        }
                    }
                    None
                }
            };
            let (Some(unit), Some(parent), true) = (unit, parent, errors.is_empty()) else {
                self.reject(s, r, code, label, errors);
                continue;
            };
            match by_code.get(&code) {
                Some(before) => {
                    if !reach.covers(before.id) {
                        let e = s.error(r, super::unit_out_of_scope("unit_code", &code));
                        self.reject(s, r, code, label, vec![e]);
                        continue;
                    }
                    let parent_id = match &parent {
                        UnitRef::Stored(p) => Some(*p),
                        UnitRef::New(_) => None,
                    };
                    // The root stays a root; a unit may not move under itself.
                    let parent = if before.parent_id.is_none() {
                        None
                    } else {
                        if let Some(p) = parent_id
                            && let Err(e) = tree.check_move(before.id, Some(p))
                        {
                            let e = s.error(
                                r,
                                FieldError {
                                    field: "parent".into(),
                                    ..e
                                },
                            );
                            self.reject(s, r, code, label, vec![e]);
                            continue;
                        }
                        Some(parent)
                    };
                    let parent_name = |p: &Option<UnitRef>| match p {
                        None => String::new(),
                        Some(UnitRef::Stored(id)) => self.unit_name(*id),
                        Some(UnitRef::New(c)) => new.get(c).cloned().unwrap_or_default(),
                    };
                    let before_parent = before.parent_id.map(UnitRef::Stored);
                    let changes: Vec<Change> = [
                        super::change(
                            Kind::Units,
                            "unit_name",
                            before.name.clone(),
                            unit.name.clone(),
                        ),
                        super::change(
                            Kind::Units,
                            "unit_kind",
                            before.kind.zh().into(),
                            unit.kind.zh().into(),
                        ),
                        super::change(
                            Kind::Units,
                            "series",
                            before.series.clone(),
                            unit.series.clone(),
                        ),
                        super::change(
                            Kind::Units,
                            "parent",
                            parent_name(&before_parent),
                            parent_name(&parent),
                        ),
                    ]
                    .into_iter()
                    .flatten()
                    .collect();
                    if changes.is_empty() {
                        self.item(s, r, Action::Unchanged, code, label, vec![]);
                    } else {
                        self.item(s, r, Action::Update, code, label, changes);
                        self.plan.ops.push(Op::UpdateUnit {
                            before: Box::new(before.clone()),
                            after: unit,
                            parent,
                        });
                    }
                }
                None => {
                    new.insert(code.clone(), unit.name.clone());
                    self.item(s, r, Action::Create, code, label, vec![]);
                    self.plan.ops.push(Op::CreateUnit { unit, parent });
                }
            }
        }
    }

    pub(super) fn users_sheet(
        &mut self,
        s: &SheetRead,
        existing: &HashSet<String>,
        new_units: &HashMap<String, String>,
    ) {
        let Some(reach) = self.reach_users.clone() else {
            self.plan.errors.push(forbidden(s, "用户", "users"));
            return;
        };
        let mut seen: HashMap<String, usize> = HashMap::new();
        for r in &s.rows {
            let mut errors = r.errors.clone();
            let username = duban_domain::text::normalize(r.text("username").unwrap_or_default());
            let display = r
                .text("display_name")
                .unwrap_or_default()
                .trim()
                .to_string();
            let label = display.clone();
            if !username.is_empty() && !crate::accounts::valid_username(&username) {
                errors.push(s.error(
                    r,
                    field_error(
                        "username",
                        "username",
                        "用户名为2—32位字母、数字或“._-”",
                        "a user name is 2 to 32 letters, digits or '._-'",
                    ),
                ));
            }
            if let Some(first) = seen.insert(username.to_lowercase(), r.line) {
                errors.push(s.error(
                    r,
                    super::duplicate("username", first, "用户名", "the user name"),
                ));
            }
            let unit = match r.text("unit") {
                Some(t) => match self.unit_ref("unit", t, new_units) {
                    Ok(UnitRef::Stored(id)) if !reach.covers(id) => {
                        errors.push(s.error(r, super::unit_out_of_scope("unit", t)));
                        None
                    }
                    Ok(u) => Some(u),
                    Err(e) => {
                        errors.push(s.error(r, e));
                        None
                    }
                },
                None => None,
            };
            let role = vocab(r, "role").and_then(|c| Role::parse("role", c).ok());
            if matches!(role, Some(Role::Admin | Role::Auditor)) {
                errors.push(s.error(
                    r,
                    field_error(
                        "role",
                        "system_role",
                        "系统管理员、审计管理员请在“系统管理”中逐个创建",
                        "administrators and auditors are created one by one in Administration",
                    ),
                ));
            }
            let scope = match vocab(r, "scope") {
                None => Scope::Own,
                Some(c) => Scope::parse("scope", c, &[]).unwrap_or(Scope::Own),
            };
            let (Some(unit), Some(role), true) = (unit, role, errors.is_empty()) else {
                self.reject(s, r, username, label, errors);
                continue;
            };
            if existing.contains(&username.to_lowercase()) {
                self.skip(
                    s,
                    r.line,
                    "用户名已存在，未修改",
                    "the user name exists; left as it is",
                );
                self.item(s, r, Action::Unchanged, username, label, vec![]);
                continue;
            }
            self.item(s, r, Action::Create, username.clone(), label, vec![]);
            self.plan.ops.push(Op::CreateUser {
                username,
                display_name: display,
                unit,
                grant: duban_domain::access::RoleGrant { role, scope },
            });
        }
    }
}
