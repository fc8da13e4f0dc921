//! Problems (问题清单 → 整改 → 销号) and supervision orders (督办单):
//! `open → assigned → acknowledged → in_progress → resolved(evidence) → closed`,
//! with `reopened` from resolved or closed, and deadline extensions.

use crate::error::TransitionError;
use crate::unit::UnitId;
use chrono::NaiveDate;
use serde::Serialize;

pub use crate::ids::ProblemId;
pub use crate::ids::UserId;

crate::codes::coded!(
    /// The states of a problem's rectification.
    ProblemState {
        Open = "open", "待交办", "open";
        Assigned = "assigned", "已交办", "assigned";
        Acknowledged = "acknowledged", "已签收", "acknowledged";
        InProgress = "in_progress", "整改中", "in progress";
        Resolved = "resolved", "已整改", "resolved";
        Closed = "closed", "已销号", "closed";
        Reopened = "reopened", "重新整改", "reopened";
    }
);

impl ProblemState {
    /// Still waiting for the responsible unit to act (counts for overdue).
    pub fn is_pending(self) -> bool {
        !matches!(self, ProblemState::Resolved | ProblemState::Closed)
    }
}

/// What an actor does to a problem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProblemAction {
    Assign {
        lead_unit: UnitId,
        deadline: NaiveDate,
    },
    Acknowledge,
    StartWork,
    Resolve {
        evidence: Vec<String>,
        note: String,
    },
    /// 销号: by a supervisor who is not the resolver.
    Close {
        by: UserId,
    },
    Reopen {
        reason: String,
    },
}

impl ProblemAction {
    pub const fn name(&self) -> &'static str {
        match self {
            ProblemAction::Assign { .. } => "assign",
            ProblemAction::Acknowledge => "acknowledge",
            ProblemAction::StartWork => "start_work",
            ProblemAction::Resolve { .. } => "resolve",
            ProblemAction::Close { .. } => "close",
            ProblemAction::Reopen { .. } => "reopen",
        }
    }
}

/// The facts of a problem the rules need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProblemFacts {
    pub state: ProblemState,
    pub resolved_by: Option<UserId>,
}

fn refuse(s: ProblemState, a: &ProblemAction, zh: &str, en: &str) -> TransitionError {
    TransitionError {
        state: s.code(),
        action: a.name(),
        zh: zh.into(),
        en: en.into(),
    }
}

/// The problem workflow as a pure function.
pub fn transition(
    p: &ProblemFacts,
    action: &ProblemAction,
) -> Result<ProblemState, TransitionError> {
    use ProblemAction as A;
    use ProblemState as S;
    let s = p.state;
    match (s, action) {
        (S::Open | S::Assigned | S::Acknowledged, A::Assign { .. }) => Ok(S::Assigned),
        (S::Assigned, A::Acknowledge) => Ok(S::Acknowledged),
        (S::Acknowledged | S::Reopened, A::StartWork) => Ok(S::InProgress),
        (S::Acknowledged | S::InProgress | S::Reopened, A::Resolve { evidence, note }) => {
            if evidence.is_empty() && note.trim().is_empty() {
                Err(refuse(
                    s,
                    action,
                    "整改完成须提供佐证材料或整改说明",
                    "resolving needs evidence or a note of what was done",
                ))
            } else {
                Ok(S::Resolved)
            }
        }
        (S::Resolved, A::Close { by }) => {
            if p.resolved_by == Some(*by) {
                Err(refuse(
                    s,
                    action,
                    "销号须由整改人以外的督办人员确认",
                    "a problem is closed by a supervisor other than the person who resolved it",
                ))
            } else {
                Ok(S::Closed)
            }
        }
        (S::Resolved | S::Closed, A::Reopen { reason }) => {
            if reason.trim().is_empty() {
                Err(refuse(
                    s,
                    action,
                    "重新整改须说明原因",
                    "reopening needs a reason",
                ))
            } else {
                Ok(S::Reopened)
            }
        }
        _ => Err(TransitionError::illegal(s.code(), action.name())),
    }
}

/// A stored problem.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    pub id: ProblemId,
    pub project_id: Option<crate::project::ProjectId>,
    pub source: crate::codes::ProblemSource,
    pub category: crate::codes::ProblemCategory,
    pub description: String,
    pub lead_unit_id: Option<UnitId>,
    pub assisting_unit_ids: Vec<UnitId>,
    pub responsible: String,
    pub deadline: Option<NaiveDate>,
    pub state: ProblemState,
    pub resolved_by: Option<UserId>,
    /// Unix milliseconds, UTC.
    pub created_at: i64,
}

/// Deadline colour of a problem (DESIGN §4: ≤3 days left yellow, overdue red).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DeadlineStatus {
    None,
    OnTrack,
    DueSoon,
    Overdue,
}

pub fn deadline_status(
    state: ProblemState,
    deadline: Option<NaiveDate>,
    today: NaiveDate,
    due_soon_days: i64,
) -> DeadlineStatus {
    match deadline {
        _ if !state.is_pending() => DeadlineStatus::None,
        None => DeadlineStatus::None,
        Some(d) if today > d => DeadlineStatus::Overdue,
        Some(d) if (d - today).num_days() <= due_soon_days => DeadlineStatus::DueSoon,
        Some(_) => DeadlineStatus::OnTrack,
    }
}

/// A request to move a deadline (延期申请), decided by a supervisor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtensionRequest {
    pub current: NaiveDate,
    pub requested: NaiveDate,
    pub reason: String,
}

impl ExtensionRequest {
    pub fn parse(
        current: NaiveDate,
        requested: NaiveDate,
        reason: &str,
    ) -> Result<ExtensionRequest, crate::error::FieldError> {
        use crate::error::FieldError;
        if requested <= current {
            return Err(FieldError::new(
                "requested",
                "not_later",
                format!("申请的期限（{requested}）应晚于现期限（{current}）"),
                format!(
                    "the requested deadline ({requested}) must be later than the current one ({current})"
                ),
            ));
        }
        if reason.trim().is_empty() {
            return Err(FieldError::new(
                "reason",
                "required",
                "延期申请须说明理由",
                "an extension request needs a reason",
            ));
        }
        Ok(ExtensionRequest {
            current,
            requested,
            reason: reason.trim().to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2025, m, day).unwrap()
    }

    fn action() -> impl Strategy<Value = ProblemAction> {
        prop_oneof![
            Just(ProblemAction::Assign {
                lead_unit: 3,
                deadline: d(6, 30)
            }),
            Just(ProblemAction::Acknowledge),
            Just(ProblemAction::StartWork),
            Just(ProblemAction::Resolve {
                evidence: vec!["sha256:ab".into()],
                note: String::new()
            }),
            Just(ProblemAction::Resolve {
                evidence: vec![],
                note: " ".into()
            }),
            (1i64..4).prop_map(|by| ProblemAction::Close {
                by: UserId::new(by)
            }),
            Just(ProblemAction::Reopen {
                reason: "复查未通过".into()
            }),
            Just(ProblemAction::Reopen { reason: "".into() }),
        ]
    }

    fn legal(p: &ProblemFacts, a: &ProblemAction) -> Option<ProblemState> {
        use ProblemAction as A;
        use ProblemState as S;
        Some(match (p.state, a) {
            (S::Open | S::Assigned | S::Acknowledged, A::Assign { .. }) => S::Assigned,
            (S::Assigned, A::Acknowledge) => S::Acknowledged,
            (S::Acknowledged | S::Reopened, A::StartWork) => S::InProgress,
            (S::Acknowledged | S::InProgress | S::Reopened, A::Resolve { evidence, note })
                if !evidence.is_empty() || !note.trim().is_empty() =>
            {
                S::Resolved
            }
            (S::Resolved, A::Close { by }) if p.resolved_by != Some(*by) => S::Closed,
            (S::Resolved | S::Closed, A::Reopen { reason }) if !reason.is_empty() => S::Reopened,
            _ => return None,
        })
    }

    proptest! {
        /// Random walks: every accepted move is in the table, every refused one is not;
        /// the resolver is always user 1, so closing by user 1 must always be refused.
        #[test]
        fn only_legal_transitions(actions in proptest::collection::vec(action(), 0..40)) {
            let mut p = ProblemFacts { state: ProblemState::Open, resolved_by: None };
            for a in &actions {
                let got = transition(&p, a);
                prop_assert_eq!(got.as_ref().ok().copied(), legal(&p, a));
                if let Ok(n) = got {
                    if n == ProblemState::Resolved { p.resolved_by = Some(UserId::new(1)); }
                    if n == ProblemState::Closed {
                        let closed_by_resolver = matches!(a, ProblemAction::Close { by } if by.get() == 1);
                        prop_assert!(!closed_by_resolver);
                    }
                    p.state = n;
                }
            }
        }
    }

    #[test]
    fn deadline_colours() {
        use DeadlineStatus::*;
        let s = ProblemState::InProgress;
        assert_eq!(deadline_status(s, Some(d(6, 30)), d(6, 1), 3), OnTrack);
        assert_eq!(deadline_status(s, Some(d(6, 30)), d(6, 27), 3), DueSoon);
        assert_eq!(deadline_status(s, Some(d(6, 30)), d(6, 30), 3), DueSoon);
        assert_eq!(deadline_status(s, Some(d(6, 30)), d(7, 1), 3), Overdue);
        assert_eq!(
            deadline_status(ProblemState::Closed, Some(d(6, 30)), d(7, 1), 3),
            None
        );
    }

    #[test]
    fn extensions_must_move_later_with_a_reason() {
        assert!(ExtensionRequest::parse(d(6, 30), d(7, 31), "冬季停工").is_ok());
        assert_eq!(
            ExtensionRequest::parse(d(6, 30), d(6, 1), "x")
                .unwrap_err()
                .field,
            "requested"
        );
        assert_eq!(
            ExtensionRequest::parse(d(6, 30), d(7, 1), " ")
                .unwrap_err()
                .field,
            "reason"
        );
    }
}
