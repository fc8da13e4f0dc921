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
use chrono::{NaiveDate, NaiveTime};
use duban_domain::notify::{ReminderRules, Stage, report_message, report_stages};
use duban_domain::{Period, Role};
use duban_store::Db;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// When the routine runs, in the office's time: the settings' `routine`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct RoutineSettings {
    /// The time of day the report reminders go out (HH:MM, Beijing time).
    pub reminders_at: String,
    pub reminders: ReminderRules,
}

impl Default for RoutineSettings {
    fn default() -> Self {
        RoutineSettings {
            reminders_at: "09:00".into(),
            reminders: ReminderRules::default(),
        }
    }
}

impl RoutineSettings {
    pub fn validate(&self) -> Result<(), duban_domain::FieldError> {
        self.time().map(|_| ())
    }

    fn time(&self) -> Result<NaiveTime, duban_domain::FieldError> {
        NaiveTime::parse_from_str(self.reminders_at.trim(), "%H:%M").map_err(|_| {
            duban_domain::FieldError::new(
                "routine.reminders_at",
                "time",
                format!(
                    "“{}”不是有效的时间，应为 09:00 这样的格式",
                    self.reminders_at
                ),
                format!("'{}' is not a time such as 09:00", self.reminders_at),
            )
        })
    }
}

/// The office's date and time of an instant.
fn office_now(now_ms: i64) -> chrono::NaiveDateTime {
    chrono::DateTime::from_timestamp_millis(now_ms)
        .expect("a valid instant")
        .with_timezone(&crate::clock::office_offset())
        .naive_local()
}

/// The daily jobs, in the order they run.
const JOBS: [&str; 2] = ["report_reminders", "problem_reminders"];

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
                        _ => problem_reminders(db, today).await?,
                    };
                    Ok(sent.summary())
                })
                .await?;
            done.push((job.to_string(), outcome));
        }
    }
    Ok(done)
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
    let missing = duban_store::analytics::missing_reports(
        db,
        period.year(),
        period.month(),
        &reach,
        "submitted",
    )
    .await?;
    let mut by_unit: BTreeMap<i64, usize> = BTreeMap::new();
    for m in &missing {
        *by_unit.entry(m.unit_id).or_default() += 1;
    }
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
            (*unit, &name, *n),
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
