//! The routine's clock (督): jobs the server runs on their schedule in Beijing time, each
//! once per period whatever the number of servers (a lease and a recorded run per period,
//! `jobs`), and what they say to whom. The clock is an argument: the server passes the
//! time now, tests pass the days of a month one after another.
//!
//! The reminders of the monthly report: on the days the office's rules name
//! (`domain::notify::report_stages`), every unit with projects whose report of the period
//! is not yet submitted hears of it — its clerks before and on the deadline, its clerks and
//! approvers the day after, and once escalated the unit above and the projects' liaison
//! leaders. A person gets one message per unit and stage; nothing for what is done.

use crate::AppError;
use crate::unit_of_work::Console;
use chrono::{Datelike, NaiveDate, NaiveTime};
use duban_domain::notify::{ReminderRules, Stage, report_message, report_stages};
use duban_domain::{Period, Role};
use duban_store::Db;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// When the routine runs, in the office's time: the settings' `routine`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct RoutineSettings {
    /// The time of day the daily reminders go out (HH:MM, Beijing time).
    #[schemars(regex(pattern = r"^([01]\d|2[0-3]):[0-5]\d$"))]
    pub reminders_at: String,
    pub reminders: ReminderRules,
    /// The weekly dispatch digest to supervisors: the day (1 Monday … 7 Sunday; 0: none)
    /// and the time.
    #[schemars(range(max = 7))]
    pub digest_weekday: u32,
    #[schemars(regex(pattern = r"^([01]\d|2[0-3]):[0-5]\d$"))]
    pub digest_at: String,
}

impl Default for RoutineSettings {
    fn default() -> Self {
        RoutineSettings {
            reminders_at: "09:00".into(),
            reminders: ReminderRules::default(),
            digest_weekday: 1,
            digest_at: "08:30".into(),
        }
    }
}

impl RoutineSettings {
    pub fn validate(&self) -> Result<(), duban_domain::FieldError> {
        self.time()?;
        time_of("routine.digest_at", &self.digest_at)?;
        if self.digest_weekday > 7 {
            return Err(duban_domain::FieldError::new(
                "routine.digest_weekday",
                "range",
                "周调度清单的发送日应为 1（周一）到 7（周日），0 为不发送",
                "the digest's day is 1 (Monday) to 7 (Sunday), or 0 for none",
            ));
        }
        Ok(())
    }

    fn time(&self) -> Result<NaiveTime, duban_domain::FieldError> {
        time_of("routine.reminders_at", &self.reminders_at)
    }
}

fn time_of(field: &str, text: &str) -> Result<NaiveTime, duban_domain::FieldError> {
    NaiveTime::parse_from_str(text.trim(), "%H:%M").map_err(|_| {
        duban_domain::FieldError::new(
            field,
            "time",
            format!("“{text}”不是有效的时间，应为 09:00 这样的格式"),
            format!("'{text}' is not a time such as 09:00"),
        )
    })
}

impl RoutineSettings {}

/// The office's date and time of an instant.
fn office_now(now_ms: i64) -> chrono::NaiveDateTime {
    chrono::DateTime::from_timestamp_millis(now_ms)
        .expect("a valid instant")
        .with_timezone(&crate::clock::office_offset())
        .naive_local()
}

/// The daily jobs, in the order they run.
const JOBS: [&str; 4] = [
    "report_reminders",
    "problem_reminders",
    "approval_reminders",
    "milestone_reminders",
];

/// One tick of the routine at `now_ms`: each job whose time of day has come runs once for
/// the day (a restart or a second server finds the day's run done). What each job did.
pub async fn tick(db: &Db, now_ms: i64) -> Result<Vec<(String, crate::jobs::Outcome)>, AppError> {
    let s = crate::settings::get(db).await?;
    let now = office_now(now_ms);
    let mut done = Vec::new();
    if now.time() >= s.routine.time()? {
        let today = now.date();
        for job in JOBS {
            let outcome =
                crate::jobs::run_once(db, job, &today.to_string(), 600_000, || async move {
                    let sent = match job {
                        "report_reminders" => report_reminders(db, today).await?,
                        "problem_reminders" => problem_reminders(db, today).await?,
                        "approval_reminders" => approval_reminders(db, today).await?,
                        _ => milestone_reminders(db, today).await?,
                    };
                    Ok(sent.summary())
                })
                .await?;
            done.push((job.to_string(), outcome));
        }
    }
    // The weekly dispatch digest, on its day at its time, once a week.
    let r = &s.routine;
    if r.digest_weekday >= 1
        && now.date().weekday().number_from_monday() == r.digest_weekday
        && now.time() >= time_of("routine.digest_at", &r.digest_at)?
    {
        let today = now.date();
        let outcome = crate::jobs::run_once(
            db,
            "dispatch_digest",
            &today.to_string(),
            600_000,
            || async move { Ok(dispatch_digest(db, today).await?.summary()) },
        )
        .await?;
        done.push(("dispatch_digest".to_string(), outcome));
    }
    Ok(done)
}

/// Reports waiting for approval longer than the office allows: each approver hears once
/// a day how many wait (the unit's approvers for a submitted report, the reviewing
/// office's for one checked at the first level).
pub async fn approval_reminders(db: &Db, today: NaiveDate) -> Result<Sent, AppError> {
    let s = crate::settings::get(db).await?;
    let after = s.routine.reminders.approval_waiting_days;
    let mut sent = Sent {
        period: "approvals".into(),
        ..Default::default()
    };
    if after == 0 || !duban_domain::notify::working(today) {
        return Ok(sent);
    }
    let start = crate::clock::day_start_ms(today);
    // Submitted on a day at least `after` days before today.
    let waiting = duban_store::notifications::waiting_reports(
        db,
        start + 86_400_000 - i64::from(after) * 86_400_000,
    )
    .await?;
    // Least noise: a report reminds on the day it has waited the office's days, then once
    // a week while it still waits (a day falling on a weekend moves to the next working
    // day); each approver hears once, of everything waiting.
    let mut last_working = today.pred_opt().expect("an earlier day");
    while !duban_domain::notify::working(last_working) {
        last_working = last_working.pred_opt().expect("an earlier day");
    }
    let day_of = |ms: i64| {
        chrono::DateTime::from_timestamp_millis(ms)
            .expect("a valid instant")
            .with_timezone(&crate::clock::office_offset())
            .date_naive()
    };
    let due_today = |submitted: i64| {
        let first = day_of(submitted) + chrono::Days::new(u64::from(after));
        let mut d = first;
        while d <= today {
            if d > last_working {
                return true;
            }
            d = d + chrono::Days::new(7);
        }
        false
    };
    let people = People::load(db).await?;
    // (approver) → (count, oldest submission, whether one of them reminds today)
    let mut per: BTreeMap<i64, (usize, i64, bool)> = BTreeMap::new();
    for (unit, state, at) in &waiting {
        let to = match (state.as_str(), s.second_approval_unit) {
            ("checked", Some(second)) => people.of_unit(second, &[Role::Approver]),
            _ => people.of_unit(*unit, &[Role::Approver]),
        };
        for user in to {
            let e = per.entry(user).or_insert((0, i64::MAX, false));
            e.0 += 1;
            e.1 = e.1.min(*at);
            e.2 |= due_today(*at);
        }
    }
    per.retain(|_, v| v.2);
    sent.units = waiting.len();
    sent.stages = vec!["approval_waiting".into()];
    let console = Console::open();
    let mut w = console.write(db).await?;
    for (user, (n, oldest, _)) in per {
        let days = (today - day_of(oldest)).num_days();
        let m = duban_domain::notify::waiting_message(n, days, after);
        w.notify(user, &m, format!("approval_waiting:{user}:{today}"));
        sent.messages += 1;
    }
    finish(w, "approval_reminders", today, sent).await
}

/// Milestones not done: the unit's clerks and approvers hear of those due in the office's
/// days (yellow) and of those whose planned date passed (red, the working day after), one
/// message per person and day listing them.
pub async fn milestone_reminders(db: &Db, today: NaiveDate) -> Result<Sent, AppError> {
    use duban_domain::notify::{Event, problem_stages};
    let s = crate::settings::get(db).await?;
    let rules = s.routine.reminders;
    let mut sent = Sent {
        period: "milestones".into(),
        ..Default::default()
    };
    let soon = rules.milestone_due_days;
    if soon == 0 {
        return Ok(sent);
    }
    let due = duban_store::notifications::milestones_due_between(
        db,
        today - chrono::Days::new(7),
        today + chrono::Days::new(u64::from(soon) + 7),
    )
    .await?;
    // (unit, overdue) → the milestones of today's stage
    type Item = (String, String, NaiveDate);
    let mut by: BTreeMap<(i64, bool), Vec<Item>> = BTreeMap::new();
    for m in due {
        for e in problem_stages(today, m.planned, soon, &rules) {
            let overdue = match e {
                Event::ProblemDueSoon => false,
                Event::ProblemOverdue => true,
                _ => continue,
            };
            by.entry((m.unit_id, overdue)).or_default().push((
                m.project.clone(),
                m.name.clone(),
                m.planned,
            ));
        }
    }
    if by.is_empty() {
        return Ok(sent);
    }
    let people = People::load(db).await?;
    let console = Console::open();
    let mut w = console.write(db).await?;
    for ((unit, overdue), items) in &by {
        let m = duban_domain::notify::milestone_message(*overdue, items);
        let code = m.event.code();
        if !sent.stages.iter().any(|x| x == code) {
            sent.stages.push(code.to_string());
        }
        sent.units += items.len();
        for user in people.of_unit(*unit, &[Role::Reporter, Role::Approver]) {
            w.notify(user, &m, format!("{code}:{unit}:{user}:{today}"));
            sent.messages += 1;
        }
    }
    finish(w, "milestone_reminders", today, sent).await
}

/// The weekly dispatch list as a digest: each supervisor hears how many projects in their
/// scope need dispatching and why (the same figures as the 周调度 page).
pub async fn dispatch_digest(db: &Db, today: NaiveDate) -> Result<Sent, AppError> {
    let mut sent = Sent {
        period: format!("week of {today}"),
        stages: vec!["dispatch_digest".into()],
        ..Default::default()
    };
    let users: Vec<duban_store::users::User> = duban_store::users::list(db)
        .await?
        .into_iter()
        .filter(|u| !u.archived && u.grants.iter().any(|g| g.role == Role::Supervisor))
        .collect();
    if users.is_empty() {
        return Ok(sent);
    }
    let as_of = Period::of(today).prev().to_string();
    let labels: [(&str, &str); 5] = [
        ("light", "亮灯"),
        ("not_started", "未开工"),
        ("milestone_overdue", "节点逾期"),
        ("problems_overdue", "问题超期"),
        ("report_missing", "未报"),
    ];
    let console = Console::open();
    let mut w = console.write(db).await?;
    for u in users {
        let caller = crate::access::Caller::resolve(
            db,
            crate::access::Actor {
                user_id: duban_domain::ids::UserId::new(u.id),
                username: u.username.clone(),
                display_name: u.display_name.clone(),
                unit_id: u.unit_id,
                ip: "routine".into(),
                token_id: None,
            },
            u.grants.clone(),
        )
        .await?;
        let Ok(can) = caller.can::<crate::access::ReadRegistry>() else {
            continue;
        };
        let list =
            crate::analytics::dispatch_list(db, &can, Some(&as_of), None, None, 0, 1).await?;
        let by: Vec<(String, i64)> = labels
            .iter()
            .map(|(code, zh)| (zh.to_string(), list.counts.get(code).copied().unwrap_or(0)))
            .collect();
        let m = duban_domain::notify::digest_message(today, list.total, &by);
        w.notify(u.id, &m, format!("dispatch_digest:{}:{today}", u.id));
        sent.units += usize::try_from(list.total).unwrap_or(0);
        sent.messages += 1;
    }
    finish(w, "dispatch_digest", today, sent).await
}

/// What a reminder run sent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Sent {
    /// The period reminded of and the stages of the day.
    pub period: String,
    pub stages: Vec<String>,
    /// Units with projects still to report, and messages written.
    pub units: usize,
    pub messages: usize,
}

impl Sent {
    fn summary(&self) -> String {
        if self.stages.is_empty() {
            format!("{}: no reminder due today", self.period)
        } else {
            format!(
                "{}: {} about {} units or problems, {} messages",
                self.period,
                self.stages.join("+"),
                self.units,
                self.messages
            )
        }
    }
}

/// The reminders of the monthly report due on `today` (the report of the month before).
pub async fn report_reminders(db: &Db, today: NaiveDate) -> Result<Sent, AppError> {
    let s = crate::settings::get(db).await?;
    let period = Period::of(today).prev();
    let deadline = s.deadline(period);
    let stages = report_stages(today, deadline, &s.routine.reminders);
    let mut sent = Sent {
        period: period.to_string(),
        stages: stages
            .iter()
            .map(|x| x.event().code().to_string())
            .collect(),
        ..Default::default()
    };
    if stages.is_empty() {
        return Ok(sent);
    }
    // Reminders are about getting reports in: a submitted one needs no reminder, whatever
    // the office counts as missing in its statistics.
    let missing = duban_store::analytics::missing_reports(
        db,
        period.year(),
        period.month(),
        &duban_domain::access::Reach::All,
        "submitted",
        None,
    )
    .await?;
    let mut by_unit: BTreeMap<i64, Vec<&duban_store::reports::Missing>> = BTreeMap::new();
    for m in &missing {
        by_unit.entry(m.unit_id).or_default().push(m);
    }
    sent.units = by_unit.len();
    let people = People::load(db).await?;
    let units = duban_store::units::list(db).await?;
    let name_of = |id: i64| {
        units
            .iter()
            .find(|u| u.id == id)
            .map_or(String::new(), |u| u.name.clone())
    };
    let parent_of = |id: i64| units.iter().find(|u| u.id == id).and_then(|u| u.parent_id);
    let holders = |unit: i64, roles: &[Role]| people.of_unit(unit, roles);
    let console = Console::open();
    let mut w = console.write(db).await?;
    for stage in &stages {
        // Each person once per stage: a unit's own people for their unit, and for an
        // escalation one message listing every unit they answer for.
        let mut escalations: BTreeMap<i64, Vec<(String, usize)>> = BTreeMap::new();
        for (unit, projects) in &by_unit {
            match stage {
                Stage::DueSoon | Stage::DueToday | Stage::Missing => {
                    sent.messages += tell_unit(
                        &mut w,
                        &people,
                        *stage,
                        (period, deadline),
                        (*unit, &name_of(*unit), projects.len()),
                        today,
                        "",
                    );
                }
                Stage::Escalated => {
                    let mut to: BTreeSet<i64> = BTreeSet::new();
                    if let Some(up) = parent_of(*unit) {
                        to.extend(holders(
                            up,
                            &[Role::Leader, Role::Supervisor, Role::Approver],
                        ));
                    }
                    // The projects' liaison leaders.
                    let leaders: BTreeSet<&str> =
                        projects.iter().map(|p| p.leader.as_str()).collect();
                    for l in leaders {
                        to.extend(people.leaders_named(l));
                    }
                    for user in to {
                        escalations
                            .entry(user)
                            .or_default()
                            .push((name_of(*unit), projects.len()));
                    }
                }
            }
        }
        for (user, units) in escalations {
            let m = duban_domain::notify::escalation_message(period, deadline, &units);
            w.notify(
                user,
                &m,
                format!("{}:{period}:{user}:{today}", m.event.code()),
            );
            sent.messages += 1;
        }
    }
    finish(w, "report_reminders", today, sent).await
}

/// Tell a unit's people of a report stage: its clerks, and its approvers too once the
/// report is missing; one message per person a day (`key` tells apart a supervisor's
/// 催报 from the routine's). How many messages.
fn tell_unit(
    w: &mut crate::unit_of_work::UnitOfWork<'_>,
    people: &People,
    stage: Stage,
    (period, deadline): (Period, NaiveDate),
    (unit, name, projects): (i64, &str, usize),
    today: NaiveDate,
    key: &str,
) -> usize {
    let roles: &[Role] = if stage == Stage::Missing {
        &[Role::Reporter, Role::Approver]
    } else {
        &[Role::Reporter]
    };
    let m = report_message(stage, period, deadline, name, projects);
    let to = people.of_unit(unit, roles);
    for &user in &to {
        w.notify(
            user,
            &m,
            format!("{key}{}:{period}:{unit}:{user}:{today}", m.event.code()),
        );
    }
    to.len()
}

/// 催报 from the supervisor's page: every unit within the supervisor's reach (or the unit
/// asked for) with projects whose report of `period` is not yet submitted hears of it now
/// — before the deadline as a reminder, after it as missing, to its clerks (and approvers
/// once missing). At most once a day for each unit and person, however often the button
/// is pressed. Audited as the supervisor's act.
pub async fn urge_missing(
    db: &Db,
    can: &crate::access::Can<crate::access::Supervise>,
    period: Period,
    unit: Option<duban_domain::unit::UnitId>,
    today: NaiveDate,
) -> Result<Sent, AppError> {
    let s = crate::settings::get(db).await?;
    let deadline = s.deadline(period);
    let stage = if today > deadline {
        Stage::Missing
    } else if today == deadline {
        Stage::DueToday
    } else {
        Stage::DueSoon
    };
    let reach = can.reach_within(unit);
    let by_unit: BTreeMap<i64, i64> = duban_store::analytics::missing_by_unit(
        db,
        period.year(),
        period.month(),
        &reach,
        "submitted",
    )
    .await?
    .into_iter()
    .collect();
    let people = People::load(db).await?;
    let units = duban_store::units::list(db).await?;
    let mut sent = Sent {
        period: period.to_string(),
        stages: vec![stage.event().code().to_string()],
        units: by_unit.len(),
        messages: 0,
    };
    let mut w = can.write(db).await?;
    for (unit, n) in &by_unit {
        let name = units
            .iter()
            .find(|u| u.id == *unit)
            .map_or(String::new(), |u| u.name.clone());
        sent.messages += tell_unit(
            &mut w,
            &people,
            stage,
            (period, deadline),
            (*unit, &name, usize::try_from(*n).unwrap_or(0)),
            today,
            "urge:",
        );
    }
    w.audit(
        "reports.urge",
        "period",
        period.to_string(),
        crate::audit::NONE,
        Some(&sent),
    );
    w.commit().await?;
    Ok(sent)
}

/// The reminders of pending problems due on `today`: the lead unit's people some days
/// before the deadline (yellow) and the day after (red); later, the unit above and the
/// project's liaison leader. `units` in the answer counts the problems reminded of.
pub async fn problem_reminders(db: &Db, today: NaiveDate) -> Result<Sent, AppError> {
    use duban_domain::notify::{Event, problem_message, problem_stages};
    let s = crate::settings::get(db).await?;
    let rules = s.routine.reminders;
    let soon = u32::try_from(s.due_soon_days).unwrap_or(0);
    // Deadlines that can have a stage today, weekends included.
    let back = u64::from(rules.problem_escalate_after_days) + 7;
    let ahead = u64::from(soon) + 7;
    let due = duban_store::problems::pending_due_between(
        db,
        today - chrono::Days::new(back),
        today + chrono::Days::new(ahead),
    )
    .await?;
    let mut sent = Sent {
        period: "problems".into(),
        ..Default::default()
    };
    let people = People::load(db).await?;
    let units = duban_store::units::list(db).await?;
    let parent_of = |id: i64| units.iter().find(|u| u.id == id).and_then(|u| u.parent_id);
    let console = Console::open();
    let mut w = console.write(db).await?;
    for p in &due {
        let events = problem_stages(today, p.deadline, soon, &rules);
        if !events.is_empty() {
            sent.units += 1;
        }
        for event in events {
            if !sent.stages.iter().any(|x| x == event.code()) {
                sent.stages.push(event.code().to_string());
            }
            let m = problem_message(event, p.id.get(), &p.description, p.deadline, &p.project);
            let mut to: BTreeSet<i64> = BTreeSet::new();
            if event == Event::ProblemEscalated {
                if let Some(up) = parent_of(p.lead_unit_id) {
                    to.extend(
                        people.of_unit(up, &[Role::Leader, Role::Supervisor, Role::Approver]),
                    );
                }
                to.extend(people.leaders_named(&p.leader));
            } else {
                to.extend(people.of_unit(p.lead_unit_id, crate::problems::PROBLEM_PEOPLE));
            }
            for user in to {
                w.notify(
                    user,
                    &m,
                    format!("{}:{}:{user}:{today}", m.event.code(), p.id.get()),
                );
                sent.messages += 1;
            }
        }
    }
    finish(w, "problem_reminders", today, sent).await
}

/// Write what a run sent, audited, when it sent anything (a run with nothing to say leaves
/// only its record in `job_runs`).
async fn finish(
    mut w: crate::unit_of_work::UnitOfWork<'_>,
    job: &str,
    today: NaiveDate,
    sent: Sent,
) -> Result<Sent, AppError> {
    if sent.messages > 0 {
        w.audit(
            "routine.reminders",
            "routine",
            format!("{job}:{today}"),
            crate::audit::NONE,
            Some(&sent),
        );
        w.commit().await?;
    }
    Ok(sent)
}

/// Who is who, for addressing messages: the active users and their roles.
pub(crate) struct People(Vec<duban_store::users::User>);

impl People {
    pub(crate) async fn load(db: &Db) -> Result<People, AppError> {
        Ok(People(
            duban_store::users::list(db)
                .await?
                .into_iter()
                .filter(|u| !u.archived)
                .collect(),
        ))
    }

    /// The leaders whose name is a project's liaison leader (by the name the registry gives).
    pub(crate) fn leaders_named(&self, name: &str) -> Vec<i64> {
        let name = name.trim();
        if name.is_empty() {
            return Vec::new();
        }
        self.0
            .iter()
            .filter(|u| {
                u.display_name.trim() == name && u.grants.iter().any(|g| g.role == Role::Leader)
            })
            .map(|u| u.id)
            .collect()
    }

    /// The people of a unit holding one of the roles.
    pub(crate) fn of_unit(&self, unit: i64, roles: &[Role]) -> Vec<i64> {
        self.0
            .iter()
            .filter(|u| u.unit_id == unit && u.grants.iter().any(|g| roles.contains(&g.role)))
            .map(|u| u.id)
            .collect()
    }
}

/// A person's own messages.
#[derive(Debug, Clone, Serialize)]
pub struct Inbox {
    pub unread: i64,
    pub total: i64,
    pub items: Vec<duban_store::notifications::Notification>,
}

/// The signed-in person's messages, newest first (only their own: being signed in is the
/// capability).
pub async fn inbox(
    db: &Db,
    caller: &crate::access::Caller,
    unread_only: bool,
    page: Option<i64>,
    page_size: Option<i64>,
) -> Result<Inbox, AppError> {
    let (offset, limit) = crate::paging(page, page_size)?;
    let me = caller.actor.user_id.get();
    let (unread, total) = duban_store::notifications::counts(db, me).await?;
    Ok(Inbox {
        unread,
        total,
        items: duban_store::notifications::of_user(db, me, unread_only, offset, limit).await?,
    })
}

/// Mark one of the signed-in person's messages read, or all of them.
pub async fn mark_read(
    db: &Db,
    caller: &crate::access::Caller,
    id: Option<i64>,
) -> Result<u64, AppError> {
    let mut w = caller.write_own(db).await?;
    let n = duban_store::notifications::mark_read(
        w.tx(),
        caller.actor.user_id.get(),
        id,
        duban_store::now_ms(),
    )
    .await?;
    w.commit().await?;
    Ok(n)
}
