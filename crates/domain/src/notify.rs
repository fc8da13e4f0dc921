//! What the routine says and when (督 means to urge): the events people are told of, the
//! office's rules for when a monthly report's reminders go out, and the words of each
//! message in both languages. Pure: who receives a message and how it travels are the
//! application's; this decides *whether* today is a day to remind and *what* to say.
//!
//! Least noise by default: each stage of a report's reminders falls on one day only
//! (so the same reminder reaches the same person once), nothing is sent for what is done,
//! and escalation waits days the office chooses.

use crate::period::Period;
use chrono::{Datelike, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

crate::codes::coded!(
    /// What a person is told of.
    Event {
        ReportDueSoon = "report_due_soon", "报送提醒", "report due soon";
        ReportDueToday = "report_due_today", "今日截止", "report due today";
        ReportMissing = "report_missing", "逾期未报", "report missing";
        ReportEscalated = "report_escalated", "逾期未报（督办）", "report missing (escalated)";
        ReportReturned = "report_returned", "报告被退回", "report returned";
        ProblemAssigned = "problem_assigned", "问题交办", "problem assigned";
        ProblemDueSoon = "problem_due_soon", "问题临期（黄）", "problem due soon (yellow)";
        ProblemOverdue = "problem_overdue", "问题超期（红）", "problem overdue (red)";
        ProblemEscalated = "problem_escalated", "问题超期（督办）", "problem overdue (escalated)";
    }
);

/// The office's rules for a monthly report's reminders (all in days).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct ReminderRules {
    /// Remind the unit's clerks this many days before the deadline (0: no early reminder).
    pub due_soon_days: u32,
    /// Remind them on the deadline itself.
    pub on_the_day: bool,
    /// The day after the deadline, tell the clerks and approvers of units still missing.
    pub missing: bool,
    /// This many days after the deadline, tell the unit above and the projects' liaison
    /// leaders (0: never escalate).
    pub escalate_after_days: u32,
    /// Reminders go out on working days only (Monday to Friday); a stage falling on a
    /// weekend goes out on the next working day.
    pub working_days_only: bool,
    /// A problem still pending this many days after its deadline goes to the lead unit's
    /// unit above and the project's liaison leader (0: never). Its lead unit hears the
    /// office's "due soon" days before the deadline (yellow) and the day after (red).
    pub problem_escalate_after_days: u32,
}

impl Default for ReminderRules {
    fn default() -> Self {
        ReminderRules {
            due_soon_days: 2,
            on_the_day: true,
            missing: true,
            escalate_after_days: 3,
            working_days_only: true,
            problem_escalate_after_days: 3,
        }
    }
}

/// A stage of a monthly report's reminders.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    DueSoon,
    DueToday,
    Missing,
    Escalated,
}

impl Stage {
    pub fn event(self) -> Event {
        match self {
            Stage::DueSoon => Event::ReportDueSoon,
            Stage::DueToday => Event::ReportDueToday,
            Stage::Missing => Event::ReportMissing,
            Stage::Escalated => Event::ReportEscalated,
        }
    }
}

fn working(d: NaiveDate) -> bool {
    !matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

/// The day a stage planned for `day` goes out: the next working day when the office
/// reminds on working days only.
fn sent_on(day: NaiveDate, rules: &ReminderRules) -> NaiveDate {
    let mut d = day;
    while rules.working_days_only && !working(d) {
        d = d.succ_opt().expect("a later day");
    }
    d
}

/// The stages of a report with this deadline that go out `today` (usually none, at
/// most a few when a weekend moved several to the same Monday).
pub fn report_stages(today: NaiveDate, deadline: NaiveDate, rules: &ReminderRules) -> Vec<Stage> {
    let days = |n: u32| chrono::Days::new(u64::from(n));
    let mut planned = Vec::new();
    if rules.due_soon_days > 0 {
        planned.push((Stage::DueSoon, deadline - days(rules.due_soon_days)));
    }
    if rules.on_the_day {
        planned.push((Stage::DueToday, deadline));
    }
    if rules.missing {
        planned.push((Stage::Missing, deadline + days(1)));
    }
    if rules.escalate_after_days > 0 {
        planned.push((Stage::Escalated, deadline + days(rules.escalate_after_days)));
    }
    // A stage a weekend moves onto a later stage's day is not sent: "due soon" on the
    // deadline (the day's own reminder says it), "due today" after it (the missing
    // reminder says what is true by then).
    planned
        .into_iter()
        .filter(|(s, d)| {
            let on = sent_on(*d, rules);
            let stale = match s {
                Stage::DueSoon => on >= deadline,
                Stage::DueToday => on > deadline,
                _ => false,
            };
            on == today && !stale
        })
        .map(|(s, _)| s)
        .collect()
}

/// The stages of a pending problem with this deadline that go out `today`: due soon
/// (`due_soon_days` before, yellow), overdue (the day after, red), escalated — each on one
/// day, moved to a working day like a report's.
pub fn problem_stages(
    today: NaiveDate,
    deadline: NaiveDate,
    due_soon_days: u32,
    rules: &ReminderRules,
) -> Vec<Event> {
    let as_report = ReminderRules {
        due_soon_days,
        on_the_day: false,
        missing: true,
        escalate_after_days: rules.problem_escalate_after_days,
        working_days_only: rules.working_days_only,
        problem_escalate_after_days: rules.problem_escalate_after_days,
    };
    report_stages(today, deadline, &as_report)
        .into_iter()
        .map(|s| match s {
            Stage::DueSoon | Stage::DueToday => Event::ProblemDueSoon,
            Stage::Missing => Event::ProblemOverdue,
            Stage::Escalated => Event::ProblemEscalated,
        })
        .collect()
}

/// A problem's message: assigned, due soon, overdue or escalated.
pub fn problem_message(
    event: Event,
    id: i64,
    description: &str,
    deadline: NaiveDate,
    project: &str,
) -> Message {
    let on = if project.is_empty() {
        String::new()
    } else {
        format!("（{project}）")
    };
    let on_en = if project.is_empty() {
        String::new()
    } else {
        format!(" ({project})")
    };
    let d = deadline.format("%Y年%-m月%-d日").to_string();
    let (title_zh, body_zh, title_en, body_en) = match event {
        Event::ProblemAssigned => (
            format!("交办问题 #{id}"),
            format!("问题“{description}”{on}已交办你单位牵头整改，整改期限{d}。"),
            format!("Problem #{id} assigned"),
            format!("\"{description}\"{on_en} is assigned to your unit; deadline {deadline}."),
        ),
        Event::ProblemDueSoon => (
            format!("问题 #{id} 整改临期"),
            format!("问题“{description}”{on}整改期限为{d}，即将到期，请抓紧整改并上传佐证材料。"),
            format!("Problem #{id} due soon"),
            format!("\"{description}\"{on_en} is due on {deadline}."),
        ),
        Event::ProblemOverdue => (
            format!("问题 #{id} 已超期"),
            format!("问题“{description}”{on}已超过整改期限（{d}），请尽快整改或申请延期。"),
            format!("Problem #{id} overdue"),
            format!(
                "\"{description}\"{on_en} passed its deadline ({deadline}); resolve it or ask for more time."
            ),
        ),
        _ => (
            format!("问题 #{id} 超期未整改（督办）"),
            format!("问题“{description}”{on}超过整改期限（{d}）仍未整改完成，请督促落实。"),
            format!("Problem #{id} overdue (escalated)"),
            format!(
                "\"{description}\"{on_en} is still not resolved after its deadline ({deadline}); please see that it is."
            ),
        ),
    };
    Message {
        event,
        title_zh,
        title_en,
        body_zh,
        body_en,
        link: format!("/problems?id={id}"),
    }
}

/// A message in both languages, with the page it opens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Message {
    pub event: Event,
    pub title_zh: String,
    pub title_en: String,
    pub body_zh: String,
    pub body_en: String,
    pub link: String,
}

fn month_zh(p: Period) -> String {
    format!("{}年{}月", p.year(), p.month())
}

/// The reminder of a stage to the people of a unit with `count` projects still to report.
pub fn report_message(
    stage: Stage,
    period: Period,
    deadline: NaiveDate,
    unit: &str,
    count: usize,
) -> Message {
    let (m, d) = (month_zh(period), deadline.format("%-m月%-d日").to_string());
    let (p, dl) = (period, deadline);
    let (title_zh, body_zh, title_en, body_en) = match stage {
        Stage::DueSoon => (
            format!("{m}进度报送提醒"),
            format!("{unit}尚有{count}个项目未报送{m}进度，截止日期为{d}，请及时填报。"),
            format!("Progress reports for {p} due soon"),
            format!("{unit}: {count} projects have not reported for {p}; the deadline is {dl}."),
        ),
        Stage::DueToday => (
            format!("{m}进度今日截止"),
            format!("{unit}尚有{count}个项目未报送{m}进度，今日（{d}）截止，逾期将记为迟报。"),
            format!("Progress reports for {p} due today"),
            format!(
                "{unit}: {count} projects have not reported for {p}; today ({dl}) is the deadline, later reports count as late."
            ),
        ),
        Stage::Missing => (
            format!("{m}进度逾期未报"),
            format!("{unit}有{count}个项目{m}进度逾期未报送（截止{d}），请尽快补报并说明原因。"),
            format!("Progress reports for {p} missing"),
            format!(
                "{unit}: {count} projects did not report for {p} by {dl}; report now and say why."
            ),
        ),
        Stage::Escalated => {
            return escalation_message(period, deadline, &[(unit.to_string(), count)]);
        }
    };
    Message {
        event: stage.event(),
        title_zh,
        title_en,
        body_zh,
        body_en,
        link: format!("/reports?period={period}"),
    }
}

/// The escalation to one person of every unit they answer for that is still missing
/// reports (one message, however many units: the least noise that still works).
pub fn escalation_message(
    period: Period,
    deadline: NaiveDate,
    units: &[(String, usize)],
) -> Message {
    let m = month_zh(period);
    let d = deadline.format("%-m月%-d日").to_string();
    let total: usize = units.iter().map(|(_, n)| n).sum();
    let list_zh: Vec<String> = units.iter().map(|(u, n)| format!("{u}{n}个")).collect();
    let list_en: Vec<String> = units.iter().map(|(u, n)| format!("{u} {n}")).collect();
    Message {
        event: Event::ReportEscalated,
        title_zh: format!("{m}进度逾期未报（督办）"),
        title_en: format!("Progress reports for {period} missing (escalated)"),
        body_zh: format!(
            "{}个单位共{total}个项目{m}进度逾期未报送（截止{d}）：{}。请督促落实。",
            units.len(),
            list_zh.join("、")
        ),
        body_en: format!(
            "{} units, {total} projects did not report for {period} by {deadline}: {}. Please see that they do.",
            units.len(),
            list_en.join(", ")
        ),
        link: format!("/reports?period={period}&tab=missing"),
    }
}

/// A returned report, to its unit's clerks, with the approver's reason.
pub fn returned_message(project: &str, period: Period, reason: &str) -> Message {
    Message {
        event: Event::ReportReturned,
        title_zh: format!("{}进度报告被退回", month_zh(period)),
        title_en: format!("Progress report for {period} returned"),
        body_zh: format!("“{project}”{}的进度报告被退回：{reason}", month_zh(period)),
        body_en: format!("The report of \"{project}\" for {period} was returned: {reason}"),
        link: format!("/reports?period={period}&tab=sent"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn a_month_of_reminders_with_the_default_rules() {
        // November's reports are due on Wednesday 3 December 2025.
        let deadline = d(2025, 12, 3);
        let r = ReminderRules::default();
        let got: Vec<(u32, Vec<Stage>)> = (1..=31)
            .map(|day| (day, report_stages(d(2025, 12, day), deadline, &r)))
            .filter(|(_, s)| !s.is_empty())
            .collect();
        assert_eq!(
            got,
            vec![
                (1, vec![Stage::DueSoon]),
                (3, vec![Stage::DueToday]),
                (4, vec![Stage::Missing]),
                (8, vec![Stage::Escalated]), // the 6th is a Saturday: Monday the 8th
            ]
        );
    }

    #[test]
    fn a_weekend_deadline_moves_the_reminders_to_monday_without_saying_due_soon_late() {
        // Deadline Saturday 3 January 2026; due soon on Thursday the 1st.
        let deadline = d(2026, 1, 3);
        let r = ReminderRules::default();
        assert_eq!(
            report_stages(d(2026, 1, 1), deadline, &r),
            vec![Stage::DueSoon]
        );
        // "Due today" would fall on Saturday: on Monday it is missing, said once.
        assert_eq!(
            report_stages(d(2026, 1, 5), deadline, &r),
            vec![Stage::Missing]
        );
        assert!(report_stages(d(2026, 1, 3), deadline, &r).is_empty());
    }

    #[test]
    fn the_words_of_a_reminder() {
        let m = report_message(
            Stage::DueSoon,
            Period::new(2025, 11).unwrap(),
            d(2025, 12, 3),
            "第一师",
            5,
        );
        assert_eq!(
            m.body_zh,
            "第一师尚有5个项目未报送2025年11月进度，截止日期为12月3日，请及时填报。"
        );
        assert_eq!(m.link, "/reports?period=2025-11");
        assert_eq!(m.event.code(), "report_due_soon");
        let e = escalation_message(
            Period::new(2025, 11).unwrap(),
            d(2025, 12, 3),
            &[("第一团".into(), 3), ("第二团".into(), 1)],
        );
        assert_eq!(
            e.body_zh,
            "2个单位共4个项目2025年11月进度逾期未报送（截止12月3日）：第一团3个、第二团1个。请督促落实。"
        );
    }

    #[test]
    fn a_problem_due_on_friday() {
        // Deadline Friday 12 December 2025; due soon 3 days before: Tuesday the 9th.
        let r = ReminderRules::default();
        let got: Vec<(u32, Vec<Event>)> = (1..=31)
            .map(|day| {
                (
                    day,
                    problem_stages(d(2025, 12, day), d(2025, 12, 12), 3, &r),
                )
            })
            .filter(|(_, s)| !s.is_empty())
            .collect();
        assert_eq!(
            got,
            vec![
                (9, vec![Event::ProblemDueSoon]),
                // The 13th is a Saturday: overdue and, three days after the deadline,
                // escalated — both on Monday, to different people.
                (15, vec![Event::ProblemOverdue, Event::ProblemEscalated]),
            ]
        );
        let m = problem_message(
            Event::ProblemOverdue,
            7,
            "用地指标未落实",
            d(2025, 12, 12),
            "阿拉尔市冷链物流园",
        );
        assert_eq!(
            m.body_zh,
            "问题“用地指标未落实”（阿拉尔市冷链物流园）已超过整改期限（2025年12月12日），请尽快整改或申请延期。"
        );
        assert_eq!(m.link, "/problems?id=7");
    }

    proptest! {
        /// Whatever the rules and the deadline, each enabled stage goes out on exactly
        /// one day (never twice), in order, and nothing before the early reminder.
        #[test]
        fn each_stage_once_and_in_order(
            soon in 0u32..6, escalate in 0u32..10, on_the_day: bool, missing: bool, weekdays: bool,
            offset in 0i64..400,
        ) {
            let deadline = d(2025, 1, 1) + chrono::Days::new(offset as u64);
            let r = ReminderRules { due_soon_days: soon, on_the_day, missing, escalate_after_days: escalate, working_days_only: weekdays, problem_escalate_after_days: 3 };
            let mut seen: Vec<(NaiveDate, Stage)> = Vec::new();
            let mut day = deadline - chrono::Days::new(10);
            while day <= deadline + chrono::Days::new(20) {
                for s in report_stages(day, deadline, &r) {
                    prop_assert!(!seen.iter().any(|(_, x)| *x == s), "{s:?} twice");
                    if weekdays { prop_assert!(working(day)); }
                    seen.push((day, s));
                }
                day = day.succ_opt().unwrap();
            }
            let order = |s: Stage| s as u8;
            prop_assert!(seen.windows(2).all(|w| w[0].0 <= w[1].0 && order(w[0].1) < order(w[1].1)));
            if missing { prop_assert!(seen.iter().any(|(_, s)| *s == Stage::Missing)); }
            if escalate > 1 { prop_assert!(seen.iter().any(|(_, s)| *s == Stage::Escalated)); }
        }
    }
}
