//! Work items of the 三本清单 (key / highlight / difficult work) and unit-level indicator
//! targets (DESIGN §3): created by supervisors, with periodic progress from the unit under
//! the same submit / approve / return workflow as reports (`report::transition`).

use crate::error::{FieldError, ValidationErrors};
use crate::period::Period;
use crate::text;
use crate::unit::UnitId;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

crate::codes::coded!(
    /// Which list a work item belongs to.
    WorkList {
        Key = "key", "重点工作", "key work";
        Highlight = "highlight", "亮点工作", "highlight work";
        Difficult = "difficult", "难点工作", "difficult work";
        Indicator = "indicator", "指标任务", "indicator target";
    }
);

/// A work item as submitted, before validation.
#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WorkItemInput {
    /// key | highlight | difficult | indicator (or the Chinese name)
    #[schemars(with = "WorkList")]
    pub list: String,
    #[schemars(range(min = 1))]
    pub unit_id: UnitId,
    #[schemars(range(min = 2000, max = 2100))]
    pub year: i32,
    #[schemars(length(min = 1, max = 200), regex(pattern = r"\S"))]
    pub title: String,
    /// The quantified target, as a sentence.
    #[schemars(length(min = 1, max = 2000), regex(pattern = r"\S"))]
    pub target: String,
    /// The unit of measure of `target_value` (e.g. 万元, 人, %).
    #[serde(default)]
    pub measure: String,
    #[serde(default)]
    #[schemars(range(min = 0))]
    pub target_value: Option<i64>,
    #[serde(default)]
    #[schemars(extend("format" = "date"))]
    pub due_on: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewWorkItem {
    pub list: WorkList,
    pub unit_id: UnitId,
    pub year: i32,
    pub title: String,
    pub target: String,
    pub measure: String,
    pub target_value: Option<i64>,
    pub due_on: Option<NaiveDate>,
}

impl NewWorkItem {
    pub fn parse(i: &WorkItemInput) -> Result<NewWorkItem, ValidationErrors> {
        let mut e = ValidationErrors::default();
        let list = e.take(WorkList::parse("list", &i.list));
        let title = e.take(text::field("title", &i.title, 200, true));
        let target = e.take(text::field("target", &i.target, 2000, true));
        let measure = e.take(text::field("measure", &i.measure, 20, false));
        if !(2000..=2100).contains(&i.year) {
            e.push(FieldError::new(
                "year",
                "range",
                "年度应在2000—2100之间",
                "the year must be between 2000 and 2100",
            ));
        }
        if i.target_value.is_some_and(|v| v < 0) {
            e.push(FieldError::new(
                "target_value",
                "negative",
                "目标值不能为负数",
                "the target value cannot be negative",
            ));
        }
        let due_on = match i.due_on.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            Some(d) => e.take(text::date("due_on", d)),
            None => None,
        };
        e.into_result(|| NewWorkItem {
            list: list.expect("checked"),
            unit_id: i.unit_id,
            year: i.year,
            title: title.expect("checked"),
            target: target.expect("checked"),
            measure: measure.unwrap_or_default(),
            target_value: i.target_value,
            due_on,
        })
    }
}

/// Progress of a work item for a period, as submitted.
#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProgressInput {
    /// YYYY-MM
    #[schemars(regex(pattern = r"^(19\d\d|[2-9]\d{3})-(0?[1-9]|1[0-2])$"))]
    pub period: String,
    /// The figure reached so far, in the item's measure.
    #[serde(default)]
    #[schemars(range(min = 0))]
    pub value: Option<i64>,
    /// What was done (required).
    #[schemars(length(min = 1, max = 2000), regex(pattern = r"\S"))]
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Progress {
    pub period: Period,
    pub value: Option<i64>,
    pub text: String,
}

impl Progress {
    pub fn parse(i: &ProgressInput) -> Result<Progress, ValidationErrors> {
        let mut e = ValidationErrors::default();
        let period = e.take(Period::parse("period", &i.period));
        let text = e.take(text::field("text", &i.text, 2000, true));
        if i.value.is_some_and(|v| v < 0) {
            e.push(FieldError::new(
                "value",
                "negative",
                "完成值不能为负数",
                "the value cannot be negative",
            ));
        }
        e.into_result(|| Progress {
            period: period.expect("checked"),
            value: i.value,
            text: text.expect("checked"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inputs_are_checked_field_by_field() {
        let ok = WorkItemInput {
            list: "重点工作".into(),
            unit_id: 3,
            year: 2025,
            title: " 招商引资 ".into(),
            target: "全年引进项目10个".into(),
            measure: "个".into(),
            target_value: Some(10),
            due_on: Some("2025/12/31".into()),
        };
        let w = NewWorkItem::parse(&ok).unwrap();
        assert_eq!((w.list, w.title.as_str()), (WorkList::Key, "招商引资"));
        let bad = WorkItemInput {
            list: "other".into(),
            title: String::new(),
            target: " ".into(),
            year: 1999,
            target_value: Some(-1),
            due_on: Some("2025-13-01".into()),
            ..ok
        };
        assert_eq!(
            NewWorkItem::parse(&bad).unwrap_err().fields(),
            vec!["list", "title", "target", "year", "target_value", "due_on"]
        );
        let p = ProgressInput {
            period: "2025年10月".into(),
            value: Some(4),
            text: "已签约4个".into(),
        };
        assert_eq!(Progress::parse(&p).unwrap().period.to_string(), "2025-10");
        assert_eq!(
            Progress::parse(&ProgressInput::default())
                .unwrap_err()
                .fields(),
            vec!["period", "text"]
        );
    }
}
