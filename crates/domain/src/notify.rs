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
        ExtensionAsked = "extension_asked", "延期申请", "extension asked";
        ExtensionDecided = "extension_decided", "延期审批结果", "extension decided";
        ReportWaiting = "approval_waiting", "报告待审核", "reports waiting for approval";
        MilestoneDue = "milestone_due", "节点临期", "milestone due soon";
        MilestoneOverdue = "milestone_overdue", "节点逾期", "milestone overdue";
        ProjectRed = "project_red", "项目亮红灯", "project turned red";
        DispatchDigest = "dispatch_digest", "本周调度清单", "weekly dispatch list";
        BulletinDrafted = "bulletin_drafted", "通报待审核", "bulletin drafted";
        BulletinPublished = "bulletin_published", "通报发布", "bulletin published";
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
    /// A report waiting this many days for approval reminds its approvers, once a day
    /// (0: never).
    pub approval_waiting_days: u32,
    /// A milestone not done reminds its unit this many days before its planned date
    /// (yellow) and the working day after it (red); 0: never.
    pub milestone_due_days: u32,
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
            approval_waiting_days: 3,
            milestone_due_days: 3,
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

/// Whether a day is a working day (Monday to Friday).
pub fn working(d: NaiveDate) -> bool {
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
        ..*rules
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

/// An extension asked by a problem's lead unit, to the supervisors above it.
pub fn extension_asked_message(
    id: i64,
    description: &str,
    unit: &str,
    from: NaiveDate,
    to: NaiveDate,
    reason: &str,
) -> Message {
    Message {
        event: Event::ExtensionAsked,
        title_zh: format!("问题 #{id} 申请延期"),
        title_en: format!("Problem #{id}: more time asked"),
        body_zh: format!(
            "{unit}申请将问题“{description}”的整改期限由{}延至{}，理由：{reason}。请审批。",
            from.format("%-m月%-d日"),
            to.format("%-m月%-d日")
        ),
        body_en: format!(
            "{unit} asks to move the deadline of \"{description}\" from {from} to {to}: {reason}. Please decide."
        ),
        link: format!("/problems?id={id}"),
    }
}

/// A supervisor's decision on an extension, to the lead unit.
pub fn extension_decided_message(
    id: i64,
    description: &str,
    approved: bool,
    deadline: NaiveDate,
    note: &str,
) -> Message {
    let note_zh = if note.is_empty() {
        String::new()
    } else {
        format!("意见：{note}")
    };
    let note_en = if note.is_empty() {
        String::new()
    } else {
        format!(" Note: {note}")
    };
    let d = deadline.format("%Y年%-m月%-d日");
    Message {
        event: Event::ExtensionDecided,
        title_zh: format!(
            "问题 #{id} 延期申请{}",
            if approved { "已同意" } else { "未同意" }
        ),
        title_en: format!(
            "Problem #{id}: extension {}",
            if approved { "granted" } else { "refused" }
        ),
        body_zh: if approved {
            format!("问题“{description}”的整改期限已延至{d}。{note_zh}")
        } else {
            format!("问题“{description}”的延期申请未获同意，整改期限仍为{d}。{note_zh}")
        },
        body_en: if approved {
            format!("The deadline of \"{description}\" is now {deadline}.{note_en}")
        } else {
            format!(
                "More time for \"{description}\" was refused; the deadline stays {deadline}.{note_en}"
            )
        },
        link: format!("/problems?id={id}"),
    }
}

/// Reports waiting for an approver longer than the office allows (one message a day per
/// approver, however many reports).
pub fn waiting_message(count: usize, oldest_days: i64, after_days: u32) -> Message {
    Message {
        event: Event::ReportWaiting,
        title_zh: format!("{count}份进度报告待审核"),
        title_en: format!("{count} reports waiting for approval"),
        body_zh: format!(
            "有{count}份进度报告报送后超过{after_days}天仍待审核，最早的已等待{oldest_days}天，请及时审核。"
        ),
        body_en: format!(
            "{count} reports have waited more than {after_days} days for approval, the oldest {oldest_days} days."
        ),
        link: "/reports?tab=inbox".into(),
    }
}

/// A unit's milestones due soon or overdue (one message per person and day).
pub fn milestone_message(overdue: bool, items: &[(String, String, NaiveDate)]) -> Message {
    let list_zh: Vec<String> = items
        .iter()
        .take(5)
        .map(|(p, m, d)| format!("“{p}”{m}（{}）", d.format("%-m月%-d日")))
        .collect();
    let list_en: Vec<String> = items
        .iter()
        .take(5)
        .map(|(p, m, d)| format!("{p}: {m} ({d})"))
        .collect();
    let more_zh = if items.len() > 5 { "等" } else { "" };
    let more_en = if items.len() > 5 { " …" } else { "" };
    let n = items.len();
    Message {
        event: if overdue {
            Event::MilestoneOverdue
        } else {
            Event::MilestoneDue
        },
        title_zh: if overdue {
            format!("{n}个节点逾期未完成")
        } else {
            format!("{n}个节点即将到期")
        },
        title_en: if overdue {
            format!("{n} milestones overdue")
        } else {
            format!("{n} milestones due soon")
        },
        body_zh: format!(
            "{}{more_zh}{}。",
            list_zh.join("、"),
            if overdue {
                "已过计划完成日期，请尽快推进并在月报中说明"
            } else {
                "即将到达计划完成日期"
            }
        ),
        body_en: format!(
            "{}{more_en} {}.",
            list_en.join("; "),
            if overdue {
                "passed their planned dates"
            } else {
                "are due soon"
            }
        ),
        link: "/dispatch?reason=milestone_overdue".into(),
    }
}

/// A project whose light turned red, to its unit and its liaison leader.
pub fn red_message(project_id: i64, project: &str, unit: &str) -> Message {
    Message {
        event: Event::ProjectRed,
        title_zh: format!("项目亮红灯：{project}"),
        title_en: format!("Red light: {project}"),
        body_zh: format!("{unit}“{project}”的灯色变为红灯，请查明原因，采取措施。"),
        body_en: format!("\"{project}\" ({unit}) turned red; find out why and act."),
        link: format!("/projects/{project_id}"),
    }
}

/// The weekly dispatch list as a digest for supervisors.
pub fn digest_message(monday: NaiveDate, total: i64, by_reason: &[(String, i64)]) -> Message {
    let parts: Vec<String> = by_reason
        .iter()
        .filter(|(_, n)| *n > 0)
        .map(|(r, n)| format!("{r}{n}个"))
        .collect();
    let parts_en: Vec<String> = by_reason
        .iter()
        .filter(|(_, n)| *n > 0)
        .map(|(r, n)| format!("{r} {n}"))
        .collect();
    Message {
        event: Event::DispatchDigest,
        title_zh: format!("本周调度清单（{}）", monday.format("%-m月%-d日")),
        title_en: format!("This week's dispatch list ({monday})"),
        body_zh: if total == 0 {
            "本周没有需要调度的项目。".into()
        } else {
            format!("本周共有{total}个项目需要调度：{}。", parts.join("、"))
        },
        body_en: if total == 0 {
            "No project needs dispatching this week.".into()
        } else {
            format!(
                "{total} projects need dispatching this week: {}.",
                parts_en.join(", ")
            )
        },
        link: "/dispatch".into(),
    }
}

/// A bulletin drafted (to the issuing unit's supervisors, for review) or published (to the
/// units below it).
pub fn bulletin_message(published: bool, id: i64, period: Period, unit: &str) -> Message {
    let m = month_zh(period);
    Message {
        event: if published {
            Event::BulletinPublished
        } else {
            Event::BulletinDrafted
        },
        title_zh: if published {
            format!("{unit}发布{m}重点项目通报")
        } else {
            format!("{m}重点项目通报待审核")
        },
        title_en: if published {
            format!("{unit} published the bulletin for {period}")
        } else {
            format!("The bulletin for {period} awaits review")
        },
        body_zh: if published {
            format!("{unit}已发布{m}重点项目建设进展通报，请查阅并对照整改。")
        } else {
            format!("{unit}{m}重点项目通报已生成草稿，请审核（审核与发布须由不同人员进行）。")
        },
        body_en: if published {
            format!(
                "{unit} published the key projects bulletin for {period}: read it and act on it."
            )
        } else {
            format!(
                "A draft of {unit}'s bulletin for {period} is ready for review (review and publication by different people)."
            )
        },
        link: format!("/bulletins?id={id}"),
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
            let r = ReminderRules { due_soon_days: soon, on_the_day, missing, escalate_after_days: escalate, working_days_only: weekdays, problem_escalate_after_days: 3, ..Default::default() };
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
