//! Registry rows: projects created or changed by code, with the names of units and
//! chains resolved and every validation error pinned to its cell. A cell left empty
//! keeps what is stored.

use super::{
    Action, Change, Kind, Op, Planner, change, code_of, duplicate, field_error, forbidden, money,
    unit_out_of_scope,
};
use crate::access::EditRegistry;
use duban_domain::ids::ChainId;
use duban_domain::import::{CellError, Row, SheetRead, Value};
use duban_domain::money::MoneyUnit;
use duban_domain::project::{Funding, NewProject, Project, ProjectInput};
use duban_domain::{FieldError, FundingSource, Yuan};
use std::collections::HashMap;

/// 资金来源 as written: "中央预算内 5000；专项债 3000" (万元), or one source alone,
/// which then funds the whole total. Returns (source code, amount in 万元) pairs.
fn funding(text: &str, total: Yuan) -> Result<Vec<(String, String)>, FieldError> {
    let parts: Vec<&str> = text
        .split(['；', ';', '，', ',', '、', '\n'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    let bad = |p: &str| {
        let known: Vec<&str> = FundingSource::ALL.iter().map(|f| f.zh()).collect();
        field_error(
            "funding",
            "funding",
            format!(
                "无法识别资金来源“{p}”（可选：{}），请写作“中央预算内 5000；专项债 3000”",
                known.join("、")
            ),
            format!(
                "cannot read the funding source '{p}' (one of {}); write it like '中央预算内 5000；专项债 3000'",
                known.join(", ")
            ),
        )
    };
    let mut out = Vec::new();
    for p in &parts {
        let norm = duban_domain::text::normalize(p);
        let split = norm
            .find(|c: char| c.is_ascii_digit())
            .unwrap_or(norm.len());
        let (name, amount) = norm.split_at(split);
        let name = name.trim().trim_end_matches([':', '：']).trim();
        let source = FundingSource::from_phrase(name).ok_or_else(|| bad(p))?;
        let amount = amount.trim().trim_end_matches("万元").trim();
        out.push((source.code().to_string(), amount.to_string()));
    }
    match out.as_mut_slice() {
        [(_, a)] if a.is_empty() => *a = total.format_in(MoneyUnit::Wan, 4),
        many if many.iter().any(|(_, a)| a.is_empty()) => {
            return Err(field_error(
                "funding",
                "funding",
                "多个资金来源时每个来源都要写金额（万元）",
                "with several funding sources, each needs its amount (万元)",
            ));
        }
        _ => {}
    }
    Ok(out)
}

fn funding_text(f: &[Funding]) -> String {
    let mut v: Vec<String> = f
        .iter()
        .map(|f| format!("{} {}", f.source.zh(), f.amount.wan()))
        .collect();
    v.sort();
    v.join("；")
}

/// A stored project as the input a form would send.
fn input_of(p: &Project) -> ProjectInput {
    let s = &p.spec;
    ProjectInput {
        version: Some(p.version),
        code: s.code.as_str().into(),
        name: s.name.clone(),
        unit_id: Some(s.unit_id),
        builder: Some(s.builder.clone()),
        leader: Some(s.leader.clone()),
        chain_id: s.chain_id,
        category: s.category.code().into(),
        nature: s.nature.code().into(),
        level: s.level.code().into(),
        status: s.status.code().into(),
        location: Some(s.location.clone()),
        lon: s.lon,
        lat: s.lat,
        content: Some(s.content.clone()),
        start_year: Some(s.start_year),
        end_year: Some(s.end_year),
        total_investment_wan: s.total_investment.format_in(MoneyUnit::Wan, 4),
        funding: s
            .funding
            .iter()
            .map(|f| {
                (
                    f.source.code().into(),
                    f.amount.format_in(MoneyUnit::Wan, 4),
                )
            })
            .collect(),
        parent_id: s.parent_id,
    }
}

/// The import field a project validation error belongs to.
fn project_field(f: &str) -> &str {
    match f {
        "unit_id" => "unit",
        "total_investment" => "total",
        "start_year" | "end_year" => "years",
        "chain_id" => "chain",
        f if f.starts_with("funding") => "funding",
        f => f,
    }
}

impl Planner<'_> {
    pub(super) fn projects(&mut self, s: &SheetRead) {
        if self.caller.can::<EditRegistry>().is_err() {
            self.plan
                .errors
                .push(forbidden(s, "项目库", "the registry"));
            return;
        }
        let mut seen: HashMap<String, usize> = HashMap::new();
        for r in &s.rows {
            let code = code_of(r);
            let label = r.text("name").unwrap_or_default().to_string();
            let key = code.clone().unwrap_or_default();
            let stored_here = code.as_ref().is_some_and(|c| self.stored.contains_key(c));
            // For a stored project an empty required cell keeps the stored value.
            let mut errors: Vec<CellError> = r
                .errors
                .iter()
                .filter(|e| !(stored_here && e.code == "required" && e.field != "code"))
                .cloned()
                .collect();
            if let Some(c) = &code
                && let Some(first) = seen.insert(c.clone(), r.line)
            {
                errors.push(s.error(r, duplicate("code", first, "项目代码", "the project code")));
            }
            if !errors.is_empty() {
                self.reject(s, r, key, label, errors);
                continue;
            }
            let code = code.expect("required and checked");
            if let Some(e) = self.stored.get(&code) {
                let err = if e.archived {
                    Some(field_error(
                        "code",
                        "archived",
                        format!("项目“{code}”已归档，不能通过导入修改"),
                        format!(
                            "the project '{code}' is archived and cannot be changed by an import"
                        ),
                    ))
                } else if !self.may(Kind::Projects, e.unit_id) {
                    Some(field_error(
                        "code",
                        "out_of_scope",
                        format!("项目代码“{code}”已被您数据范围以外的项目使用"),
                        format!(
                            "the project code '{code}' belongs to a project outside your data scope"
                        ),
                    ))
                } else {
                    None
                };
                if let Some(e) = err {
                    let ce = s.error(r, e);
                    self.reject(s, r, key, label, vec![ce]);
                    continue;
                }
            }
            let stored = self.registry.get(&code).cloned();
            match self.project_row(r, stored.as_ref()) {
                Err(errs) => {
                    let errs = errs.into_iter().map(|e| s.error(r, e)).collect();
                    self.reject(s, r, key, label, errs);
                }
                Ok(p) => {
                    self.in_file
                        .insert(code.clone(), (p.unit_id, p.name.clone()));
                    let label = p.name.clone();
                    match stored {
                        None => {
                            self.item(s, r, Action::Create, key, label, vec![]);
                            self.plan.ops.push(Op::CreateProject(p));
                        }
                        Some(e) => {
                            let changes = self.project_changes(&e.spec, &p);
                            if changes.is_empty() {
                                self.item(s, r, Action::Unchanged, key, label, vec![]);
                            } else {
                                self.item(s, r, Action::Update, key, label, changes);
                                self.plan.ops.push(Op::UpdateProject {
                                    before: Box::new(e),
                                    after: p,
                                });
                            }
                        }
                    }
                }
            }
        }
    }

    /// A row over the stored project (cells left empty keep what is stored).
    fn project_row(
        &self,
        r: &Row,
        stored: Option<&Project>,
    ) -> Result<NewProject, Vec<FieldError>> {
        let mut i = stored.map(input_of).unwrap_or_default();
        let mut errors = Vec::new();
        for (k, v) in &r.values {
            match (*k, v) {
                ("code", Value::Code(c)) => i.code = c.as_str().into(),
                ("name", Value::Text(t)) => i.name = t.clone(),
                ("unit", Value::Text(t)) => match self.unit("unit", t) {
                    Ok(u) if self.may(Kind::Projects, u) => i.unit_id = Some(u),
                    Ok(_) => errors.push(unit_out_of_scope("unit", t)),
                    Err(e) => errors.push(e),
                },
                ("builder", Value::Text(t)) => i.builder = Some(t.clone()),
                ("leader", Value::Text(t)) => i.leader = Some(t.clone()),
                ("chain", Value::Text(t)) => match self.chain(t) {
                    Ok(c) => i.chain_id = Some(ChainId::new(c.get())),
                    Err(e) => errors.push(e),
                },
                ("category", Value::Vocab(c)) => i.category = (*c).into(),
                ("nature", Value::Vocab(c)) => i.nature = (*c).into(),
                ("level", Value::Vocab(c)) => i.level = (*c).into(),
                ("status", Value::Vocab(c)) => i.status = (*c).into(),
                ("location", Value::Text(t)) => i.location = Some(t.clone()),
                ("content", Value::Text(t)) => i.content = Some(t.clone()),
                ("years", Value::Years(a, b)) => {
                    i.start_year = Some(*a);
                    i.end_year = Some(*b);
                }
                ("total", Value::Money(y)) => {
                    i.total_investment_wan = y.format_in(MoneyUnit::Wan, 4)
                }
                _ => {}
            }
        }
        if let Some(t) = r.text("funding") {
            let total = money(r, "total")
                .or(stored.map(|p| p.spec.total_investment))
                .unwrap_or_default();
            match funding(t, total) {
                Ok(f) => i.funding = f,
                Err(e) => errors.push(e),
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let mut p = NewProject::parse(&i).map_err(|e| {
            e.0.into_iter()
                .map(|mut e| {
                    e.field = project_field(&e.field).to_string();
                    e
                })
                .collect::<Vec<_>>()
        })?;
        p.funding.sort_by_key(|f| f.source.code());
        Ok(p)
    }

    fn project_changes(&self, a: &NewProject, b: &NewProject) -> Vec<Change> {
        let k = Kind::Projects;
        let years = |p: &NewProject| format!("{}-{}", p.start_year, p.end_year);
        [
            change(k, "name", a.name.clone(), b.name.clone()),
            change(
                k,
                "unit",
                self.unit_name(a.unit_id),
                self.unit_name(b.unit_id),
            ),
            change(k, "builder", a.builder.clone(), b.builder.clone()),
            change(k, "leader", a.leader.clone(), b.leader.clone()),
            change(
                k,
                "chain",
                self.chain_name(a.chain_id),
                self.chain_name(b.chain_id),
            ),
            change(
                k,
                "category",
                a.category.zh().into(),
                b.category.zh().into(),
            ),
            change(k, "nature", a.nature.zh().into(), b.nature.zh().into()),
            change(k, "level", a.level.zh().into(), b.level.zh().into()),
            change(k, "status", a.status.zh().into(), b.status.zh().into()),
            change(k, "location", a.location.clone(), b.location.clone()),
            change(k, "content", a.content.clone(), b.content.clone()),
            change(k, "years", years(a), years(b)),
            change(
                k,
                "total",
                a.total_investment.wan(),
                b.total_investment.wan(),
            ),
            change(
                k,
                "funding",
                funding_text(&a.funding),
                funding_text(&b.funding),
            ),
        ]
        .into_iter()
        .flatten()
        .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn funding_as_offices_write_it() {
        let total = Yuan::from_wan(12_345);
        assert_eq!(
            funding("专项债 5000；企业自筹 7345", total).unwrap(),
            [
                ("special_bond".to_string(), "5000".to_string()),
                ("self_raised".to_string(), "7345".to_string())
            ]
        );
        assert_eq!(
            funding("银行贷款", total).unwrap(),
            [("loan".to_string(), "12345.0000".to_string())],
            "one source funds the whole total"
        );
        assert_eq!(
            funding("中央预算内投资：３０００万元，市级财政 200", total).unwrap()[0],
            ("central_budget".to_string(), "3000".to_string())
        );
        assert_eq!(
            funding("专项债 5000；自筹", total).unwrap_err().code,
            "funding"
        );
        assert_eq!(funding("天上掉的 5000", total).unwrap_err().code, "funding");
    }
}
