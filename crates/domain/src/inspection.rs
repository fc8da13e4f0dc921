//! Inspections (督查): a site visit by named inspectors to some projects, with findings;
//! a finding becomes a problem in one step.

use crate::error::{FieldError, ValidationErrors};
use crate::project::ProjectId;
use crate::text;
use crate::unit::UnitId;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InspectionInput {
    /// The unit inspected.
    #[schemars(range(min = 1))]
    pub unit_id: UnitId,
    /// The date of the visit (YYYY-MM-DD).
    #[schemars(extend("format" = "date"))]
    pub visited_on: String,
    #[schemars(length(min = 1, max = 200), regex(pattern = r"\S"))]
    pub title: String,
    pub inspectors: Vec<String>,
    #[serde(default)]
    pub project_ids: Vec<ProjectId>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewInspection {
    pub unit_id: UnitId,
    pub visited_on: NaiveDate,
    pub title: String,
    pub inspectors: Vec<String>,
    pub project_ids: Vec<ProjectId>,
}

impl NewInspection {
    /// `today` bounds the date: an inspection is recorded after it happened.
    pub fn parse(i: &InspectionInput, today: NaiveDate) -> Result<NewInspection, ValidationErrors> {
        let mut e = ValidationErrors::default();
        let visited_on = e.take(text::date("visited_on", &i.visited_on));
        if visited_on.is_some_and(|d| d > today) {
            e.push(FieldError::new(
                "visited_on",
                "future",
                "督查日期不能晚于今天",
                "the visit date cannot be in the future",
            ));
        }
        let title = e.take(text::field("title", &i.title, 200, true));
        let inspectors: Vec<String> = i
            .inspectors
            .iter()
            .map(|s| text::clean_name(s))
            .filter(|s| !s.is_empty())
            .collect();
        if inspectors.is_empty() {
            e.push(FieldError::new(
                "inspectors",
                "required",
                "须至少填写一名督查人员",
                "name at least one inspector",
            ));
        } else if inspectors.len() > 50 || inspectors.iter().any(|s| s.chars().count() > 50) {
            e.push(FieldError::new(
                "inspectors",
                "too_long",
                "督查人员不超过50人，每个姓名不超过50字",
                "at most 50 inspectors of at most 50 characters each",
            ));
        }
        let mut project_ids = i.project_ids.clone();
        project_ids.sort_unstable();
        project_ids.dedup();
        if project_ids.len() > 500 {
            e.push(FieldError::new(
                "project_ids",
                "too_many",
                "一次督查最多关联500个项目",
                "an inspection lists at most 500 projects",
            ));
        }
        e.into_result(|| NewInspection {
            unit_id: i.unit_id,
            visited_on: visited_on.expect("checked"),
            title: title.expect("checked"),
            inspectors,
            project_ids,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn visits_are_checked() {
        let today = NaiveDate::from_ymd_opt(2025, 10, 20).unwrap();
        let ok = InspectionInput {
            unit_id: 2,
            visited_on: "2025年10月15日".into(),
            title: "第三督查组现场督查".into(),
            inspectors: vec![" 王  伟 ".into(), "".into()],
            project_ids: [5, 3, 5].map(ProjectId::new).to_vec(),
        };
        let i = NewInspection::parse(&ok, today).unwrap();
        assert_eq!(
            (i.inspectors, i.project_ids),
            (
                vec!["王 伟".to_string()],
                [3, 5].map(ProjectId::new).to_vec()
            )
        );
        let bad = InspectionInput {
            visited_on: "2025-10-21".into(),
            inspectors: vec![" ".into()],
            ..ok
        };
        assert_eq!(
            NewInspection::parse(&bad, today).unwrap_err().fields(),
            vec!["visited_on", "inspectors"]
        );
    }
}
