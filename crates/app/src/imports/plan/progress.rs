//! Progress rows: drafts created or updated for a month, over the stored figures (or
//! last month's standing facts); submitted and approved reports are not changed.

use super::{
    Action, Change, Kind, Op, Planner, Target, code_of, duplicate, field_error, forbidden, label_of,
};
use crate::AppError;
use crate::access::DraftReports;
use duban_domain::ids::ProjectId;
use duban_domain::import::{Row, SheetRead, Value};
use duban_domain::report::{Report, ReportFigures, ReportState};
use duban_domain::{Period, Yuan};
use duban_store::Db;
use duban_store::imports::{self as store, Existing};
use std::collections::{BTreeMap, HashMap};

/// A report row's figures over `base` (cells left empty keep it).
fn figures_of(r: &Row, base: ReportFigures) -> ReportFigures {
    let mut f = base;
    for (k, v) in &r.values {
        match (*k, v) {
            ("invest_period", Value::Money(y)) => f.invest_period = *y,
            ("invest_ytd", Value::Money(y)) => f.invest_ytd = *y,
            ("invest_since_start", Value::Money(y)) => f.invest_since_start = *y,
            ("progress_pct", Value::Percent(bp)) => f.progress_bp = *bp,
            ("progress_text", Value::Text(t)) => f.progress_text = t.clone(),
            ("funds_received", Value::Money(y)) => f.funds_received = *y,
            ("funds_disbursed", Value::Money(y)) => f.funds_disbursed = *y,
            ("started", Value::Bool(b)) => f.started = *b,
            ("started_on", Value::Date(d)) => {
                f.started_on = Some(*d);
                if r.get("started").is_none() {
                    f.started = true;
                }
            }
            ("stats_entered", Value::Bool(b)) => f.stats_entered = *b,
            ("issues", Value::Text(t)) => f.issues = t.clone(),
            ("next_steps", Value::Text(t)) => f.next_steps = t.clone(),
            _ => {}
        }
    }
    f
}

/// What a new month's report starts from: last month's standing facts (started,
/// funds, progress, the cumulative figures); this month's own figures start at zero,
/// and the year's cumulative restarts in January.
fn carried(prev: &ReportFigures, period: Period) -> ReportFigures {
    ReportFigures {
        invest_period: Yuan::ZERO,
        invest_ytd: if period.month() == 1 {
            Yuan::ZERO
        } else {
            prev.invest_ytd
        },
        invest_since_start: prev.invest_since_start,
        progress_bp: prev.progress_bp,
        progress_text: prev.progress_text.clone(),
        funds_received: prev.funds_received,
        funds_disbursed: prev.funds_disbursed,
        started: prev.started,
        started_on: prev.started_on,
        stats_entered: prev.stats_entered,
        issues: String::new(),
        next_steps: String::new(),
    }
}

fn report_changes(a: &ReportFigures, b: &ReportFigures) -> Vec<Change> {
    fn key(f: &str) -> &str {
        match f {
            "progress_bp" => "progress_pct",
            f => f,
        }
    }
    a.diff(b)
        .into_iter()
        .map(|c| {
            let (zh, en) = label_of(Kind::Progress, key(c.field));
            Change {
                field: key(c.field).into(),
                zh: zh.into(),
                en: en.into(),
                before: c.before,
                after: c.after,
            }
        })
        .collect()
}

/// A progress row's key in the preview: "code 2025-10".
fn key_of(code: Option<&str>, period: Option<Period>) -> String {
    format!(
        "{} {}",
        code.unwrap_or_default(),
        period.map(|p| p.to_string()).unwrap_or_default()
    )
}

/// The newest stored report of each project for each month read.
#[derive(Default)]
pub(super) struct StoredReports(HashMap<Period, HashMap<ProjectId, Report>>);

impl StoredReports {
    fn get(&self, project: ProjectId, period: Period) -> Option<&Report> {
        self.0.get(&period)?.get(&project)
    }

    fn keep(&mut self, period: Period, reports: HashMap<ProjectId, Report>) {
        self.0.entry(period).or_default().extend(reports);
    }
}

/// The months the progress and history rows name, each with the stored projects named
/// for it (a project the file creates has no report yet).
pub(super) fn months(
    reads: &[SheetRead],
    stored: &HashMap<String, Existing>,
) -> BTreeMap<Period, Vec<ProjectId>> {
    let mut wanted: BTreeMap<Period, Vec<ProjectId>> = BTreeMap::new();
    for s in reads
        .iter()
        .filter(|s| matches!(s.kind, Kind::Progress | Kind::History))
    {
        for r in &s.rows {
            if let (Some(code), Some(Value::Month(p))) = (code_of(r), r.get("period"))
                && let Some(e) = stored.get(&code)
            {
                wanted.entry(*p).or_default().push(e.id);
            }
        }
    }
    wanted
}

/// The stored reports of those months, and of the month before each for the projects
/// that have none in it: what a row finds in place, and what a new month carries over.
pub(super) async fn stored_reports(
    db: &Db,
    months: BTreeMap<Period, Vec<ProjectId>>,
) -> Result<StoredReports, AppError> {
    let mut latest = StoredReports::default();
    for (p, ids) in months {
        let here = store::latest_reports(db, &ids, p).await?;
        let missing: Vec<ProjectId> = ids
            .into_iter()
            .filter(|id| !here.contains_key(id))
            .collect();
        latest.keep(p, here);
        if !missing.is_empty() {
            latest.keep(
                p.prev(),
                store::latest_reports(db, &missing, p.prev()).await?,
            );
        }
    }
    Ok(latest)
}

impl Planner<'_> {
    /// What a row changes, described when the preview will list it.
    fn changes(&self, a: Action, before: &ReportFigures, after: &ReportFigures) -> Vec<Change> {
        if self.plan.items.keeps(a) {
            report_changes(before, after)
        } else {
            Vec::new()
        }
    }

    /// Progress rows become drafts (`Kind::Progress`), or, loaded as history
    /// (`Kind::History`), approved reports of their own earlier month.
    pub(super) fn progress(&mut self, s: &SheetRead, latest: &StoredReports) {
        let history = s.kind == Kind::History;
        if !history && self.caller.can::<DraftReports>().is_err() {
            self.plan
                .errors
                .push(forbidden(s, "进度填报", "progress reports"));
            return;
        }
        if history && self.caller.can::<crate::access::Supervise>().is_err() {
            self.plan.errors.push(forbidden(s, "历史补录", "history"));
            return;
        }
        let today = Period::of(crate::clock::today());
        // History months in order, so that each month follows the one before it in the
        // same file (a sheet of monthly figures gives the year-to-date sums).
        let mut rows: Vec<&Row> = s.rows.iter().collect();
        if history {
            rows.sort_by_key(|r| match r.get("period") {
                Some(Value::Month(p)) => (code_of(r), Some(*p)),
                _ => (code_of(r), None),
            });
        }
        // What the file plans for each project's month, for the month after it in the same
        // file (kept only when the sheet names more than one month).
        let several_months = {
            let mut months = s.rows.iter().filter_map(|r| match r.get("period") {
                Some(Value::Month(p)) => Some(*p),
                _ => None,
            });
            months
                .next()
                .is_some_and(|first| months.any(|p| p != first))
        };
        let mut planned: HashMap<(String, Period), ReportFigures> = HashMap::new();
        let mut seen: HashMap<(String, Period), usize> = HashMap::new();
        for r in rows {
            let code = code_of(r);
            let period = match r.get("period") {
                Some(Value::Month(p)) => Some(*p),
                _ => None,
            };
            let mut errors = r.errors.clone();
            let (Some(code), Some(period)) = (&code, period) else {
                self.reject(s, r, key_of(code.as_deref(), period), String::new(), errors);
                continue;
            };
            // Made only for a row the preview lists (100,000 rows list 1,000).
            let key = || key_of(Some(code), Some(period));
            if let Some(first) = seen.insert((code.clone(), period), r.line) {
                errors.push(s.error(
                    r,
                    duplicate(
                        "code",
                        first,
                        "同一项目同一月份",
                        "the same project and month",
                    ),
                ));
            }
            if history && period >= today {
                errors.push(s.error(
                    r,
                    field_error(
                        "period",
                        "not_history",
                        format!("补录只适用于本月以前的月份（{period}请正常填报）"),
                        format!(
                            "history is for months before this one ({period}: report it as usual)"
                        ),
                    ),
                ));
            } else if period > today {
                errors.push(s.error(
                    r,
                    field_error(
                        "period",
                        "future",
                        format!("不能填报未来月份（{period}）"),
                        format!("cannot report a future month ({period})"),
                    ),
                ));
            }
            let target = match self.target(s.kind, code) {
                Ok(t) => Some(t),
                Err(e) => {
                    errors.push(s.error(r, e));
                    None
                }
            };
            let label = target.as_ref().map(|t| t.2.clone()).unwrap_or_default();
            if !errors.is_empty() {
                self.reject(s, r, key(), label, errors);
                continue;
            }
            let (target, _, _) = target.expect("checked");
            // A pre-filled row left as it was: no figure typed, nothing to report.
            if r.values
                .iter()
                .all(|(k, _)| matches!(*k, "code" | "name" | "period"))
            {
                self.skip(s, r.line, "未填写进度数据", "no figures filled in");
                continue;
            }
            let (stored, previous) = match &target {
                Target::Stored(id) => (latest.get(*id, period), latest.get(*id, period.prev())),
                Target::New(_) => (None, None),
            };
            // The month before, as this file plans it, else as stored.
            let previous_figures = several_months
                .then(|| planned.get(&(code.clone(), period.prev())))
                .flatten()
                .or_else(|| previous.map(|p| &p.figures));
            let base = match (stored, previous_figures) {
                (Some(x), _) => x.figures.clone(),
                (None, Some(p)) => carried(p, period),
                (None, None) => ReportFigures::default(),
            };
            let (base_ytd, base_since_start) = (base.invest_ytd, base.invest_since_start);
            let mut figures = figures_of(r, base);
            // A new month's cumulative figures the sheet leaves out follow from last
            // month's and this month's.
            if stored.is_none() {
                if r.get("invest_ytd").is_none() {
                    figures.invest_ytd = base_ytd + figures.invest_period;
                }
                if r.get("invest_since_start").is_none() {
                    figures.invest_since_start =
                        (base_since_start + figures.invest_period).max(figures.invest_ytd);
                }
            }
            if history
                && let Some(x) =
                    stored.filter(|x| x.state != ReportState::Approved || x.figures != figures)
            {
                let e = field_error(
                    "period",
                    "report_exists",
                    format!(
                        "{period}已有{}的报告，补录不会覆盖；如需更正，请在系统中发起更正",
                        x.state.zh()
                    ),
                    format!(
                        "{period} has a report ({}); history does not overwrite it; open a correction in duban",
                        x.state.en()
                    ),
                );
                let ce = s.error(r, e);
                self.reject(s, r, key(), label, vec![ce]);
                continue;
            }
            if let Some(x) = stored.filter(|x| {
                x.figures != figures
                    && matches!(
                        x.state,
                        ReportState::Submitted | ReportState::Checked | ReportState::Approved
                    )
            }) {
                let e = field_error(
                    "period",
                    "report_locked",
                    format!(
                        "{period}的报告{}，不能通过导入修改；如需更正，请在系统中发起更正",
                        x.state.zh()
                    ),
                    format!(
                        "the report of {period} is {}; an import cannot change it; open a correction in duban",
                        x.state.en()
                    ),
                );
                let ce = s.error(r, e);
                self.reject(s, r, key(), label, vec![ce]);
                continue;
            }
            if let Err(e) = figures.validate(period) {
                let errs =
                    e.0.into_iter()
                        .map(|mut e| {
                            if e.field == "progress_bp" {
                                e.field = "progress_pct".into();
                            }
                            s.error(r, e)
                        })
                        .collect();
                self.reject(s, r, key(), label, errs);
                continue;
            }
            if several_months {
                planned.insert((code.clone(), period), figures.clone());
            }
            match stored {
                None if history => {
                    let changes = self.changes(Action::Create, &ReportFigures::default(), &figures);
                    self.item_made(s, r, Action::Create, key, label, changes);
                    self.plan.ops.push(Op::BackfillReport {
                        project: target,
                        period,
                        figures,
                    });
                }
                None => {
                    let changes = self.changes(Action::Create, &ReportFigures::default(), &figures);
                    self.item_made(s, r, Action::Create, key, label, changes);
                    self.plan.ops.push(Op::CreateReport {
                        project: target,
                        period,
                        figures,
                    });
                }
                Some(x) if x.figures == figures => {
                    self.item_made(s, r, Action::Unchanged, key, label, vec![])
                }
                Some(x) => {
                    let changes = self.changes(Action::Update, &x.figures, &figures);
                    self.item_made(s, r, Action::Update, key, label, changes);
                    self.plan.ops.push(Op::EditReport {
                        id: x.id,
                        state: x.state,
                        before: x.figures.clone(),
                        figures,
                    });
                }
            }
        }
    }
}
