//! Key projects (重点项目): the registry's central record.

use crate::codes::{Category, FundingSource, Level, Nature, ProjectStatus};
use crate::error::{FieldError, ValidationErrors};
use crate::money::{MoneyUnit, Yuan};
use crate::text::{clean_name, normalize};
use crate::unit::UnitId;
use serde::{Deserialize, Serialize};

pub use crate::ids::ChainId;
pub use crate::ids::ProjectId;

/// A project code: the 24-character national code of the investment project online
/// approval platform (`2020-650000-44-01-012345`) or a local code.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ProjectCode(String);

impl ProjectCode {
    pub fn parse(field: &str, input: &str) -> Result<ProjectCode, FieldError> {
        let s: String = normalize(input)
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_uppercase();
        if s.is_empty() {
            return Err(FieldError::required(field));
        }
        let looks_national = s.len() == 24 && s.matches('-').count() == 4;
        if looks_national && !Self::is_national(&s) {
            return Err(FieldError::new(
                field,
                "project_code",
                format!("“{input}”不是有效的24位全国项目代码（格式如 2020-650000-44-01-012345）"),
                format!(
                    "'{input}' is not a valid 24-character national project code (like 2020-650000-44-01-012345)"
                ),
            ));
        }
        if s.len() > 40
            || !s
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return Err(FieldError::new(
                field,
                "project_code",
                format!("“{input}”不是有效的项目代码：只能包含字母、数字、“-”“_”，不超过40位"),
                format!(
                    "'{input}' is not a valid project code: letters, digits, '-' or '_', at most 40"
                ),
            ));
        }
        Ok(ProjectCode(s))
    }

    /// YYYY-AAAAAA-II-TT-NNNNNN: year, region code, industry, approval type, serial.
    pub fn is_national(s: &str) -> bool {
        let parts: Vec<&str> = s.split('-').collect();
        let lens = [4, 6, 2, 2, 6];
        parts.len() == 5
            && parts
                .iter()
                .zip(lens)
                .all(|(p, n)| p.len() == n && p.chars().all(|c| c.is_ascii_digit()))
            && parts[0]
                .parse::<u32>()
                .is_ok_and(|y| (1990..=2100).contains(&y))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
    /// For values read back from the store, which only holds parsed codes.
    pub fn from_trusted(s: String) -> ProjectCode {
        ProjectCode(s)
    }
}

/// A project's funding by source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Funding {
    pub source: FundingSource,
    pub amount: Yuan,
}

/// Raw input for a project, as it comes from a form, the API or a spreadsheet row.
/// Amounts are decimal text in 万元 (the unit of every template).
#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProjectInput {
    /// On update: the version the change is based on (optimistic concurrency).
    #[serde(default)]
    pub version: Option<i64>,
    #[schemars(length(min = 1, max = 40), regex(pattern = r"^\s*[A-Za-z0-9_-]+\s*$"))]
    pub code: String,
    #[schemars(length(min = 1, max = 200), regex(pattern = r"\S"))]
    pub name: String,
    pub unit_id: Option<UnitId>,
    pub builder: Option<String>,
    pub leader: Option<String>,
    pub chain_id: Option<ChainId>,
    #[schemars(with = "crate::codes::Category")]
    pub category: String,
    #[schemars(with = "crate::codes::Nature")]
    pub nature: String,
    #[schemars(with = "crate::codes::Level")]
    pub level: String,
    #[schemars(with = "crate::codes::ProjectStatus")]
    pub status: String,
    pub location: Option<String>,
    pub lon: Option<f64>,
    pub lat: Option<f64>,
    pub content: Option<String>,
    #[schemars(range(min = 1990, max = 2100))]
    pub start_year: Option<i32>,
    #[schemars(range(min = 1990, max = 2100))]
    pub end_year: Option<i32>,
    pub total_investment_wan: String,
    #[serde(default)]
    pub funding: Vec<(String, String)>,
    pub parent_id: Option<ProjectId>,
}

/// A validated project, ready to be stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewProject {
    pub code: ProjectCode,
    pub name: String,
    pub unit_id: UnitId,
    pub builder: String,
    pub leader: String,
    pub chain_id: Option<ChainId>,
    pub category: Category,
    pub nature: Nature,
    pub level: Level,
    pub status: ProjectStatus,
    pub location: String,
    pub lon: Option<f64>,
    pub lat: Option<f64>,
    pub content: String,
    pub start_year: i32,
    pub end_year: i32,
    pub total_investment: Yuan,
    pub funding: Vec<Funding>,
    pub parent_id: Option<ProjectId>,
}

/// A stored project.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Project {
    pub id: ProjectId,
    #[serde(flatten)]
    pub spec: NewProject,
    pub version: i64,
}

impl NewProject {
    /// Validate every field, collecting all errors.
    pub fn parse(i: &ProjectInput) -> Result<NewProject, ValidationErrors> {
        let mut e = ValidationErrors::default();
        let code = e.take(ProjectCode::parse("code", &i.code));
        let name = clean_name(&i.name);
        if name.is_empty() {
            e.push(FieldError::required("name"));
        } else if name.chars().count() > 200 {
            e.push(FieldError::new(
                "name",
                "too_long",
                "项目名称不能超过200个字",
                "name is longer than 200 characters",
            ));
        }
        if i.unit_id.is_none() {
            e.push(FieldError::new(
                "unit_id",
                "required",
                "必须选择责任单位",
                "a responsible unit is required",
            ));
        }
        let category = e.take(Category::parse("category", &i.category));
        let nature = e.take(Nature::parse("nature", &i.nature));
        let level = e.take(Level::parse("level", &i.level));
        let status = e.take(ProjectStatus::parse("status", &i.status));
        let total = e.take(Yuan::parse_in(
            "total_investment",
            &i.total_investment_wan,
            MoneyUnit::Wan,
        ));
        if let Some(t) = total
            && t.is_negative()
        {
            e.push(FieldError::new(
                "total_investment",
                "negative",
                "总投资不能为负数",
                "total investment cannot be negative",
            ));
        }
        let year_ok = |y: i32| (1990..=2100).contains(&y);
        match (i.start_year, i.end_year) {
            (Some(s), Some(t)) if year_ok(s) && year_ok(t) && s <= t => {}
            (Some(s), Some(t)) if year_ok(s) && year_ok(t) => e.push(FieldError::new(
                "end_year",
                "year_order",
                format!("建设止年（{t}）早于起年（{s}）"),
                format!("end year ({t}) is before start year ({s})"),
            )),
            (s, t) => {
                for (f, v) in [("start_year", s), ("end_year", t)] {
                    match v {
                        None => e.push(FieldError::required(f)),
                        Some(y) if !year_ok(y) => e.push(FieldError::new(
                            f,
                            "year",
                            format!("年份 {y} 不在 1990—2100 之间"),
                            format!("year {y} is not between 1990 and 2100"),
                        )),
                        _ => {}
                    }
                }
            }
        }
        if let (Some(lon), Some(lat)) = (i.lon, i.lat)
            && !((-180.0..=180.0).contains(&lon) && (-90.0..=90.0).contains(&lat))
        {
            e.push(FieldError::new(
                "lon",
                "coordinates",
                "经纬度超出范围",
                "longitude or latitude out of range",
            ));
        }
        let mut funding: Vec<Funding> = Vec::new();
        for (n, (src, amt)) in i.funding.iter().enumerate() {
            let prefix = format!("funding[{n}]");
            let s = e.take(FundingSource::parse("source", src).map_err(|x| x.within(&prefix)));
            let a = e
                .take(Yuan::parse_in("amount", amt, MoneyUnit::Wan).map_err(|x| x.within(&prefix)));
            if let (Some(source), Some(amount)) = (s, a) {
                if amount.is_negative() {
                    e.push(FieldError::new(
                        format!("{prefix}.amount"),
                        "negative",
                        "资金不能为负数",
                        "amount cannot be negative",
                    ));
                } else if funding.iter().any(|f| f.source == source) {
                    e.push(FieldError::new(
                        format!("{prefix}.source"),
                        "duplicate",
                        "资金来源重复",
                        "funding source listed twice",
                    ));
                } else {
                    funding.push(Funding { source, amount });
                }
            }
        }
        if let Some(t) = total {
            let sum: Yuan = funding.iter().map(|f| f.amount).sum();
            if sum > t {
                e.push(FieldError::new(
                    "funding",
                    "funding_exceeds_total",
                    format!("各资金来源合计{}万元超过总投资{}万元", sum.wan(), t.wan()),
                    format!("funding sources add up to {} wan, more than the total investment of {} wan", sum.wan(), t.wan()),
                ));
            }
        }
        let opt = |s: &Option<String>| s.as_deref().map(clean_name).unwrap_or_default();
        e.into_result(|| NewProject {
            code: code.expect("checked"),
            name,
            unit_id: i.unit_id.expect("checked"),
            builder: opt(&i.builder),
            leader: opt(&i.leader),
            chain_id: i.chain_id,
            category: category.expect("checked"),
            nature: nature.expect("checked"),
            level: level.expect("checked"),
            status: status.expect("checked"),
            location: opt(&i.location),
            lon: i.lon,
            lat: i.lat,
            content: i.content.as_deref().map(normalize).unwrap_or_default(),
            start_year: i.start_year.expect("checked"),
            end_year: i.end_year.expect("checked"),
            total_investment: total.expect("checked"),
            funding,
            parent_id: i.parent_id,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> ProjectInput {
        ProjectInput {
            code: "2023-660000-44-01-000123".into(),
            name: "信发集团新疆公司2×60万千瓦煤电机组项目".into(),
            unit_id: Some(1),
            category: "能源".into(),
            nature: "续建".into(),
            level: "省级".into(),
            status: "在建".into(),
            start_year: Some(2023),
            end_year: Some(2024),
            total_investment_wan: "480000".into(),
            funding: vec![
                ("自筹".into(), "380000".into()),
                ("贷款".into(), "100000".into()),
            ],
            ..Default::default()
        }
    }

    #[test]
    fn a_good_project_parses() {
        let p = NewProject::parse(&input()).unwrap();
        assert_eq!(p.total_investment, Yuan::from_yi(48));
        assert_eq!(p.nature, Nature::Continuing);
        assert_eq!(p.funding.len(), 2);
    }

    #[test]
    fn every_bad_field_is_named() {
        let mut i = input();
        i.code = "2023-66000-44-01-0001234".into();
        i.name = "  ".into();
        i.unit_id = None;
        i.nature = "改扩建".into();
        i.start_year = Some(2025);
        i.end_year = Some(2023);
        i.total_investment_wan = "-1".into();
        i.funding.push(("自筹".into(), "1".into()));
        let e = NewProject::parse(&i).unwrap_err();
        assert_eq!(
            e.fields(),
            vec![
                "code",
                "name",
                "unit_id",
                "nature",
                "total_investment",
                "end_year",
                "funding[2].source",
                "funding"
            ]
        );
        assert!(e.0[0].zh.contains("24位"));
    }

    #[test]
    fn local_codes_are_allowed() {
        assert_eq!(
            ProjectCode::parse("code", " xj-2025-001 ")
                .unwrap()
                .as_str(),
            "XJ-2025-001"
        );
        assert!(ProjectCode::parse("code", "项目一").is_err());
        assert!(ProjectCode::is_national("2020-650000-44-01-012345"));
    }
}
