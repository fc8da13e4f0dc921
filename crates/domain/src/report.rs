//! Periodic progress reports (进度填报) and their workflow:
//! `draft → submitted → approved | returned(reason) → submitted …`.
//! Approved reports are immutable; a correction is a new revision that needs approval.

use crate::error::{FieldError, TransitionError, ValidationErrors};
use crate::money::Yuan;
use crate::period::Period;
use crate::project::ProjectId;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

pub use crate::ids::ReportId;

crate::codes::coded!(
    /// The states of a progress report.
    ReportState {
        Draft = "draft", "草稿", "draft";
        Submitted = "submitted", "已报送", "submitted";
        Checked = "checked", "初审通过", "first approval given";
        Approved = "approved", "已审核", "approved";
        Returned = "returned", "已退回", "returned";
    }
);

/// What a user can do to a report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReportAction {
    /// Change the figures (reporter).
    Edit,
    Submit,
    /// The first of two approvals (where the office has two levels).
    Check,
    Approve,
    /// Send back to the unit with a reason (approver).
    Return {
        reason: String,
    },
}

impl ReportAction {
    pub const fn name(&self) -> &'static str {
        match self {
            ReportAction::Edit => "edit",
            ReportAction::Submit => "submit",
            ReportAction::Check => "check",
            ReportAction::Approve => "approve",
            ReportAction::Return { .. } => "return",
        }
    }
}

/// The report workflow as a pure function: the next state, or why not.
pub fn transition(
    state: ReportState,
    action: &ReportAction,
) -> Result<ReportState, TransitionError> {
    use ReportAction as A;
    use ReportState as S;
    match (state, action) {
        (S::Draft, A::Edit) => Ok(S::Draft),
        (S::Returned, A::Edit) => Ok(S::Draft),
        (S::Draft | S::Returned, A::Submit) => Ok(S::Submitted),
        (S::Submitted, A::Approve) => Ok(S::Approved),
        (S::Submitted, A::Check) => Ok(S::Checked),
        (S::Checked, A::Approve) => Ok(S::Approved),
        (S::Submitted | S::Checked, A::Return { reason }) if reason.trim().is_empty() => {
            Err(TransitionError {
                state: state.code(),
                action: action.name(),
                zh: "退回必须填写原因".into(),
                en: "a returned report needs a reason".into(),
            })
        }
        (S::Submitted | S::Checked, A::Return { .. }) => Ok(S::Returned),
        (S::Approved, _) => Err(TransitionError {
            state: state.code(),
            action: action.name(),
            zh: "已审核通过的报告不可修改，如需更正请发起更正修订".into(),
            en: "an approved report is immutable; open a correction (a new revision) instead"
                .into(),
        }),
        _ => Err(TransitionError::illegal(state.code(), action.name())),
    }
}

/// The figures of one report: what the clerk fills in. Amounts are integer yuan; a
/// draft may leave any field out (it then holds its default).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct ReportFigures {
    /// 本期完成投资
    pub invest_period: Yuan,
    /// 1—N月累计完成投资
    pub invest_ytd: Yuan,
    /// 开工至今累计完成投资
    pub invest_since_start: Yuan,
    /// 形象进度, in basis points (0..=10000 = 0..100%).
    pub progress_bp: i64,
    pub progress_text: String,
    /// 累计资金到位
    pub funds_received: Yuan,
    /// 累计资金拨付
    pub funds_disbursed: Yuan,
    pub started: bool,
    pub started_on: Option<NaiveDate>,
    /// 是否入库纳统
    pub stats_entered: bool,
    /// 存在问题及需协调事项
    pub issues: String,
    /// 下步计划
    pub next_steps: String,
}

impl ReportFigures {
    /// Hard checks run on submit. Softer plausibility checks are warnings (analytics).
    pub fn validate(&self, period: Period) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::default();
        for (field, v, zh) in [
            ("invest_period", self.invest_period, "本期完成投资"),
            ("invest_ytd", self.invest_ytd, "年度累计完成投资"),
            (
                "invest_since_start",
                self.invest_since_start,
                "开工至今累计完成投资",
            ),
            ("funds_received", self.funds_received, "累计资金到位"),
            ("funds_disbursed", self.funds_disbursed, "累计资金拨付"),
        ] {
            if v.is_negative() {
                e.push(FieldError::new(
                    field,
                    "negative",
                    format!("{zh}不能为负数"),
                    format!("{field} cannot be negative"),
                ));
            }
        }
        if self.invest_ytd < self.invest_period {
            e.push(FieldError::new(
                "invest_ytd",
                "ytd_below_period",
                format!(
                    "年度累计完成投资（{}万元）小于本期完成投资（{}万元）",
                    self.invest_ytd.wan(),
                    self.invest_period.wan()
                ),
                format!(
                    "year-to-date investment ({} wan) is below this period's ({} wan)",
                    self.invest_ytd.wan(),
                    self.invest_period.wan()
                ),
            ));
        }
        if self.invest_since_start < self.invest_ytd {
            e.push(FieldError::new(
                "invest_since_start",
                "total_below_ytd",
                format!(
                    "开工至今累计完成投资（{}万元）小于年度累计（{}万元）",
                    self.invest_since_start.wan(),
                    self.invest_ytd.wan()
                ),
                format!(
                    "investment since start ({} wan) is below the year-to-date figure ({} wan)",
                    self.invest_since_start.wan(),
                    self.invest_ytd.wan()
                ),
            ));
        }
        if !(0..=10_000).contains(&self.progress_bp) {
            e.push(FieldError::new(
                "progress_pct",
                "range",
                "形象进度应在0%—100%之间",
                "physical progress must be between 0% and 100%",
            ));
        }
        match (self.started, self.started_on) {
            (true, None) => e.push(FieldError::new(
                "started_on",
                "required",
                "已开工项目须填写实际开工时间",
                "a started project needs its start date",
            )),
            (true, Some(d)) if d > period.last_day() => e.push(FieldError::new(
                "started_on",
                "future",
                format!("实际开工时间（{d}）晚于填报期末（{}）", period.last_day()),
                format!(
                    "start date ({d}) is after the end of the period ({})",
                    period.last_day()
                ),
            )),
            (false, _)
                if !self.invest_since_start.is_negative()
                    && self.invest_since_start > Yuan::ZERO =>
            {
                e.push(FieldError::new(
                    "started",
                    "not_started_with_investment",
                    "未开工项目不应有完成投资",
                    "a project that has not started cannot have completed investment",
                ))
            }
            _ => {}
        }
        if self.issues.chars().count() > 2000
            || self.next_steps.chars().count() > 2000
            || self.progress_text.chars().count() > 2000
        {
            e.push(FieldError::new(
                "issues",
                "too_long",
                "文字说明不能超过2000字",
                "text fields are limited to 2000 characters",
            ));
        }
        e.into_result(|| ())
    }

    /// The fields that differ between two revisions, with their values before and after.
    pub fn diff(&self, after: &ReportFigures) -> Vec<FieldChange> {
        let mut out = Vec::new();
        let mut cmp = |field: &'static str, a: String, b: String| {
            if a != b {
                out.push(FieldChange {
                    field,
                    before: a,
                    after: b,
                });
            }
        };
        cmp(
            "invest_period",
            self.invest_period.wan(),
            after.invest_period.wan(),
        );
        cmp("invest_ytd", self.invest_ytd.wan(), after.invest_ytd.wan());
        cmp(
            "invest_since_start",
            self.invest_since_start.wan(),
            after.invest_since_start.wan(),
        );
        cmp(
            "progress_pct",
            pct(self.progress_bp),
            pct(after.progress_bp),
        );
        cmp(
            "progress_text",
            self.progress_text.clone(),
            after.progress_text.clone(),
        );
        cmp(
            "funds_received",
            self.funds_received.wan(),
            after.funds_received.wan(),
        );
        cmp(
            "funds_disbursed",
            self.funds_disbursed.wan(),
            after.funds_disbursed.wan(),
        );
        cmp(
            "started",
            self.started.to_string(),
            after.started.to_string(),
        );
        cmp(
            "started_on",
            opt_date(self.started_on),
            opt_date(after.started_on),
        );
        cmp(
            "stats_entered",
            self.stats_entered.to_string(),
            after.stats_entered.to_string(),
        );
        cmp("issues", self.issues.clone(), after.issues.clone());
        cmp(
            "next_steps",
            self.next_steps.clone(),
            after.next_steps.clone(),
        );
        out
    }
}

fn pct(bp: i64) -> String {
    format!("{}.{:02}%", bp / 100, (bp % 100).abs())
}
fn opt_date(d: Option<NaiveDate>) -> String {
    d.map(|d| d.to_string()).unwrap_or_default()
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldChange {
    pub field: &'static str,
    pub before: String,
    pub after: String,
}

/// A stored report revision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    pub id: ReportId,
    pub project_id: ProjectId,
    pub period: Period,
    /// 1 for the first report of a period; each correction adds one.
    pub revision: i64,
    pub state: ReportState,
    pub figures: ReportFigures,
    pub returned_reason: Option<String>,
    pub submitted_at: Option<i64>,
    pub approved_at: Option<i64>,
    pub late: bool,
    /// Loaded as history (补录) after its period: approved as it was, never late.
    #[serde(default)]
    pub backfilled: bool,
    /// For a correction (a revision after an approved one): why it was reopened.
    #[serde(default)]
    pub correction_reason: Option<String>,
    /// Where the office approves at two levels: who gave the first approval, and when.
    #[serde(default)]
    pub checked_by: Option<crate::ids::UserId>,
    #[serde(default)]
    pub checked_at: Option<i64>,
}

impl Report {
    /// Is a submission at `submitted_on` late for the period's deadline?
    pub fn is_late(period: Period, deadline_day: u32, submitted_on: NaiveDate) -> bool {
        submitted_on > period.deadline(deadline_day)
    }

    /// Open a correction of an approved report: a new draft revision with the same figures.
    pub fn open_correction(&self) -> Result<CorrectionDraft, TransitionError> {
        if self.state != ReportState::Approved {
            return Err(TransitionError {
                state: self.state.code(),
                action: "correct",
                zh: "只有已审核通过的报告才需要更正，未通过的报告可直接修改".into(),
                en: "only an approved report is corrected; edit the report directly instead".into(),
            });
        }
        Ok(CorrectionDraft {
            project_id: self.project_id,
            period: self.period,
            revision: self.revision + 1,
            figures: self.figures.clone(),
        })
    }
}

/// The new revision a correction starts from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CorrectionDraft {
    pub project_id: ProjectId,
    pub period: Period,
    pub revision: i64,
    pub figures: ReportFigures,
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn action() -> impl Strategy<Value = ReportAction> {
        prop_oneof![
            Just(ReportAction::Edit),
            Just(ReportAction::Submit),
            Just(ReportAction::Check),
            Just(ReportAction::Approve),
            Just(ReportAction::Return {
                reason: "数据有误".into()
            }),
            Just(ReportAction::Return { reason: " ".into() }),
        ]
    }

    /// The complete table of legal moves; everything else must be refused.
    fn legal(s: ReportState, a: &ReportAction) -> Option<ReportState> {
        use ReportAction as A;
        use ReportState as S;
        match (s, a) {
            (S::Draft, A::Edit) | (S::Returned, A::Edit) => Some(S::Draft),
            (S::Draft, A::Submit) | (S::Returned, A::Submit) => Some(S::Submitted),
            (S::Submitted, A::Approve) | (S::Checked, A::Approve) => Some(S::Approved),
            (S::Submitted, A::Check) => Some(S::Checked),
            (S::Submitted | S::Checked, A::Return { reason }) if !reason.trim().is_empty() => {
                Some(S::Returned)
            }
            _ => None,
        }
    }

    proptest! {
        #[test]
        fn only_legal_transitions_are_accepted(actions in proptest::collection::vec(action(), 0..30)) {
            let mut s = ReportState::Draft;
            for a in &actions {
                let got = transition(s, a);
                prop_assert_eq!(got.as_ref().ok().copied(), legal(s, a));
                if let Ok(n) = got { s = n; }
            }
        }

        #[test]
        fn approved_is_final(a in action()) {
            prop_assert!(transition(ReportState::Approved, &a).is_err());
        }
    }

    fn good() -> ReportFigures {
        ReportFigures {
            invest_period: Yuan::from_wan(100),
            invest_ytd: Yuan::from_wan(500),
            invest_since_start: Yuan::from_wan(900),
            progress_bp: 4500,
            started: true,
            started_on: NaiveDate::from_ymd_opt(2024, 4, 1),
            ..Default::default()
        }
    }

    #[test]
    fn submit_checks_name_the_fields() {
        let p = Period::new(2025, 5).unwrap();
        assert!(good().validate(p).is_ok());
        let mut f = good();
        f.invest_ytd = Yuan::from_wan(50);
        f.progress_bp = 12_000;
        f.started_on = None;
        let e = f.validate(p).unwrap_err();
        assert_eq!(e.fields(), vec!["invest_ytd", "progress_pct", "started_on"]);
        let mut g = good();
        g.started = false;
        assert_eq!(g.validate(p).unwrap_err().fields(), vec!["started"]);
    }

    #[test]
    fn corrections_and_diffs() {
        let r = Report {
            id: ReportId::new(1),
            project_id: ProjectId::new(7),
            period: Period::new(2025, 5).unwrap(),
            revision: 1,
            state: ReportState::Approved,
            figures: good(),
            returned_reason: None,
            submitted_at: None,
            approved_at: None,
            late: false,
            backfilled: false,
            correction_reason: None,
            checked_by: None,
            checked_at: None,
        };
        let c = r.open_correction().unwrap();
        assert_eq!(c.revision, 2);
        let mut after = c.figures.clone();
        after.invest_ytd = Yuan::from_wan(520);
        after.progress_bp = 4650;
        let d = r.figures.diff(&after);
        assert_eq!(d.len(), 2);
        assert_eq!(
            (d[0].field, d[0].before.as_str(), d[0].after.as_str()),
            ("invest_ytd", "500.00", "520.00")
        );
        assert_eq!(d[1].after, "46.50%");
        assert!(
            Report {
                state: ReportState::Draft,
                ..r
            }
            .open_correction()
            .is_err()
        );
    }

    #[test]
    fn lateness_uses_the_deadline() {
        let p = Period::new(2025, 10).unwrap();
        assert!(!Report::is_late(
            p,
            3,
            NaiveDate::from_ymd_opt(2025, 11, 3).unwrap()
        ));
        assert!(Report::is_late(
            p,
            3,
            NaiveDate::from_ymd_opt(2025, 11, 4).unwrap()
        ));
    }
}
