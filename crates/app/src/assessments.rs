//! Assessment runs (考核): a scheme (configuration, checked) is run for a period over the
//! units directly under the issuing unit. Starting a run freezes the scheme and the
//! inputs duban computes (completion, start, on-time reporting and problem closure rates,
//! red lights); reviewers add their scores until a supervisor publishes. The result —
//! score, rank, grade and the explanation of every point — is computed by
//! `duban_domain::assessment::score` from what the run holds.

use crate::access::{Can, ReadRegistry, Review, Supervise};
use crate::{AppError, audit};
use duban_domain::FieldError;
use duban_domain::Period;
use duban_domain::access::Reach;
use duban_domain::assessment::{Input, Scheme, Scoring, UnitResult, score_with};
use duban_domain::bulletin::ranked_unit;
use duban_store::assessments::{self as store, EntryRow, ReviewRow, RunRow};
use duban_store::{Db, now_ms};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

type Inputs = BTreeMap<i64, BTreeMap<String, Input>>;

#[derive(Debug, Clone, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StartInput {
    /// The scheme (JSON): see the examples in `crates/domain/src/assessment/schemes/`.
    pub scheme: serde_json::Value,
    /// YYYY-MM, or YYYYQn for a quarter (its last month's year-to-date figures).
    pub period: String,
    #[serde(default)]
    pub unit_id: Option<i64>,
}

#[derive(Debug, Clone, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewInput {
    pub unit_id: i64,
    /// The code of a review indicator of the scheme.
    pub indicator: String,
    /// The reviewer's group, one of the indicator's groups.
    pub group: String,
    /// Out of the indicator's points.
    pub score: f64,
}

#[derive(Debug, Clone, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EntryInput {
    pub unit_id: i64,
    /// The code of an indicator whose source is `entered`.
    pub indicator: String,
    /// A measure (for proportional, banded and threshold scoring) …
    #[serde(default)]
    pub value: Option<f64>,
    /// … or a count (for deductions and bonuses).
    #[serde(default)]
    pub count: Option<f64>,
    /// What the figure rests on: the document, its number and date.
    pub evidence: String,
}

#[derive(Debug, Serialize)]
pub struct RunView {
    #[serde(flatten)]
    pub row: RunRow,
    pub scheme: Scheme,
    pub reviews: Vec<ReviewRow>,
    pub entries: Vec<EntryRow>,
    pub results: Vec<UnitResult>,
}

fn field(name: &str, code: &'static str, zh: String, en: String) -> AppError {
    FieldError::new(name, code, zh, en).into()
}

/// `2025Q3` → September 2025; `2025-10` as it is.
pub fn period_of(text: &str) -> Result<Period, AppError> {
    let t = text.trim();
    if let Some((y, q)) = t.split_once(['Q', 'q']) {
        let (Ok(y), Ok(q)) = (y.parse::<i32>(), q.parse::<u32>()) else {
            return Err(field(
                "period",
                "format",
                format!("“{t}”不是有效的季度，应如 2025Q3"),
                format!("'{t}' is not a quarter like 2025Q3"),
            ));
        };
        return Period::new(y, q * 3)
            .filter(|_| (1..=4).contains(&q))
            .ok_or_else(|| {
                field(
                    "period",
                    "format",
                    format!("“{t}”不是有效的季度，应如 2025Q3"),
                    format!("'{t}' is not a quarter like 2025Q3"),
                )
            });
    }
    Ok(Period::parse("period", t)?)
}

fn pct(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| part as f64 * 100.0 / whole as f64)
}

/// The measures duban computes for each unit under the issuing one, by source name.
async fn measures(
    db: &Db,
    can: &Can<Supervise>,
    period: Period,
    unit: i64,
    now: i64,
) -> Result<BTreeMap<i64, BTreeMap<&'static str, f64>>, AppError> {
    let snap = crate::bulletins::snapshot(db, can, period, unit, now).await?;
    let parent: HashMap<i64, Option<i64>> =
        snap.units.iter().map(|u| (u.id, u.parent_id)).collect();
    let under = |u: i64| ranked_unit(&parent, unit, u);
    // The units' figures are the bulletin's (the catalogue of measures), so a score reads
    // the same completion and start rates as the bulletin and the cockpit.
    let figures = duban_domain::bulletin::unit_figures(&snap);
    #[derive(Default)]
    struct Acc {
        reports: i64,
        on_time: i64,
        closed: i64,
        problems: i64,
    }
    let mut acc: BTreeMap<i64, Acc> = snap
        .units
        .iter()
        .filter(|u| u.parent_id == Some(unit))
        .map(|u| (u.id, Acc::default()))
        .collect();
    for r in &snap.reporting {
        if let Some(a) = under(r.unit_id).and_then(|u| acc.get_mut(&u)) {
            a.reports += r.due;
            a.on_time += r.on_time();
        }
    }
    let reach = Reach::Units(can.caller().tree().subtree(unit).into_iter().collect());
    for (u, closed, total) in store::problem_closure(db, &reach, now).await? {
        if let Some(a) = under(u).and_then(|u| acc.get_mut(&u)) {
            a.closed += closed;
            a.problems += total;
        }
    }
    let pct_of = |bp: Option<i64>| bp.map(|b| b as f64 / 100.0);
    Ok(acc
        .into_iter()
        .map(|(u, a)| {
            let mut m = BTreeMap::new();
            let f = figures.get(&u);
            if let Some(v) = pct_of(f.and_then(|f| f.completion_bp)) {
                m.insert("completion_rate", v);
            }
            // Nothing due, nothing missed: full marks.
            m.insert(
                "start_rate",
                pct_of(f.and_then(|f| f.start_rate_bp)).unwrap_or(100.0),
            );
            m.insert("on_time_rate", pct(a.on_time, a.reports).unwrap_or(100.0));
            m.insert("closure_rate", pct(a.closed, a.problems).unwrap_or(100.0));
            m.insert("warnings", f.map_or(0, |f| f.totals.lights[3]) as f64);
            (u, m)
        })
        .collect())
}

fn parse_scheme(v: &serde_json::Value) -> Result<Scheme, AppError> {
    let s: Scheme = serde_json::from_value(v.clone()).map_err(|e| {
        field(
            "scheme",
            "format",
            format!("考核方案格式有误：{e}"),
            format!("the scheme does not parse: {e}"),
        )
    })?;
    s.validate().map_err(|e| {
        let msg = e.to_string();
        let (zh, en) = msg.split_once(" / ").unwrap_or((&msg, &msg));
        field("scheme", "invalid", zh.to_string(), en.to_string())
    })?;
    Ok(s)
}

/// Start a run: check the scheme, freeze it and the computed inputs.
pub async fn start(db: &Db, can: &Can<Supervise>, i: &StartInput) -> Result<RunView, AppError> {
    let scheme = parse_scheme(&i.scheme)?;
    let period = period_of(&i.period)?;
    let unit = can.issuing_unit(i.unit_id);
    let now = now_ms();
    let m = measures(db, can, period, unit, now).await?;
    let inputs: Inputs = m
        .iter()
        .map(|(u, ms)| {
            let per: BTreeMap<String, Input> = scheme
                .leaves()
                .into_iter()
                .filter_map(|l| {
                    let v = ms.get(l.source.as_deref()?)?;
                    let input = if l.source.as_deref() == Some("warnings") {
                        Input {
                            count: Some(*v),
                            ..Default::default()
                        }
                    } else {
                        Input {
                            value: Some(*v),
                            ..Default::default()
                        }
                    };
                    Some((l.code.clone(), input))
                })
                .collect();
            (*u, per)
        })
        .collect();
    let mut w = can.write(db).await?;
    let id = store::insert(
        w.tx(),
        &scheme.name,
        &serde_json::to_string(&scheme).expect("a scheme serialises"),
        &i.period.trim().to_uppercase(),
        unit,
        &serde_json::to_string(&inputs).expect("inputs serialise"),
        can.actor().user_id.get(),
        now,
    )
    .await?;
    w.audit("assessment.start", "assessment", id, audit::NONE, Some(&serde_json::json!({ "scheme": scheme.name, "period": i.period, "unit_id": unit, "units": inputs.len() })));
    w.commit().await?;
    get(db, &can.caller().can::<ReadRegistry>()?, id).await
}

async fn load(db: &Db, reach: &Reach, id: i64) -> Result<(RunRow, Scheme, Inputs), AppError> {
    let (row, scheme, inputs) = store::get(db, id)
        .await?
        .ok_or(AppError::NotFound { what: "assessment" })?;
    if !reach.covers(row.unit_id) {
        return Err(AppError::NotFound { what: "assessment" });
    }
    let bad = |e: serde_json::Error| {
        AppError::internal(format!("assessment {id}: stored data unreadable"), e)
    };
    Ok((
        row,
        serde_json::from_str(&scheme).map_err(bad)?,
        serde_json::from_str(&inputs).map_err(bad)?,
    ))
}

/// A run with its result as it stands (every review entered so far counted).
pub async fn get(db: &Db, can: &Can<ReadRegistry>, id: i64) -> Result<RunView, AppError> {
    view(db, can.reach(), id).await
}

/// A run with its inputs (computed, entered, reviewed) scored.
async fn view(db: &Db, reach: &duban_domain::access::Reach, id: i64) -> Result<RunView, AppError> {
    let (row, scheme, mut inputs) = load(db, reach, id).await?;
    let reviews = store::reviews(db, id).await?;
    for r in &reviews {
        if let Some(m) = inputs.get_mut(&r.unit_id) {
            m.entry(r.indicator.clone())
                .or_default()
                .reviews
                .push((r.group.clone(), r.score));
        }
    }
    let entries = store::entries(db, id).await?;
    for e in &entries {
        if let Some(m) = inputs.get_mut(&e.unit_id) {
            let i = m.entry(e.indicator.clone()).or_default();
            i.value = e.value;
            i.count = e.count;
        }
    }
    // Grades wait for every input while the run is open; a published run shows the
    // grades it was published with.
    let results = score_with(&scheme, &inputs, row.state == "open");
    Ok(RunView {
        row,
        scheme,
        reviews,
        entries,
        results,
    })
}

pub async fn list(db: &Db, can: &Can<ReadRegistry>) -> Result<Vec<RunRow>, AppError> {
    Ok(store::list(db, can.reach()).await?)
}

/// A run that still takes scores and entries, with its scheme and inputs.
async fn open_run(db: &Db, reach: &Reach, id: i64) -> Result<(Scheme, Inputs), AppError> {
    let (row, scheme, inputs) = load(db, reach, id).await?;
    if row.state != "open" {
        return Err(field(
            "state",
            "illegal_transition",
            "考核已发布，不能再评分或录入".into(),
            "the assessment is published; scores and entries are closed".into(),
        ));
    }
    Ok((scheme, inputs))
}

/// The unit is one of those the run assesses.
fn assessed(inputs: &Inputs, unit: i64) -> Result<(), AppError> {
    if inputs.contains_key(&unit) {
        return Ok(());
    }
    Err(field(
        "unit_id",
        "unknown",
        "该单位不在本次考核范围内".into(),
        "the unit is not assessed in this run".into(),
    ))
}

/// Record a change to a run in the audit log within its transaction, commit, and return
/// the run as it now stands.
async fn finish<C: crate::access::Cap, T: Serialize>(
    db: &Db,
    mut w: crate::unit_of_work::UnitOfWork<'_>,
    can: &Can<C>,
    id: i64,
    action: &'static str,
    what: &T,
) -> Result<RunView, AppError> {
    w.audit(action, "assessment", id, audit::NONE, Some(what));
    w.commit().await?;
    get(db, &can.caller().can::<ReadRegistry>()?, id).await
}

/// A reviewer's score for one unit on one review indicator, while the run is open.
pub async fn review(
    db: &Db,
    can: &Can<Review>,
    id: i64,
    i: &ReviewInput,
) -> Result<RunView, AppError> {
    let (scheme, inputs) = open_run(db, can.reach(), id).await?;
    let leaf = scheme.leaves().into_iter().find(|l| l.code == i.indicator);
    let Some(Scoring::Review { groups }) = leaf.and_then(|l| l.scoring.as_ref()) else {
        return Err(field(
            "indicator",
            "unknown",
            format!("“{}”不是本方案的评议指标", i.indicator),
            format!("'{}' is not a review indicator of the scheme", i.indicator),
        ));
    };
    if !groups.contains_key(&i.group) {
        let names: Vec<&str> = groups.keys().map(String::as_str).collect();
        return Err(field(
            "group",
            "unknown",
            format!("评议组应为：{}", names.join("、")),
            format!("the group must be one of: {}", names.join(", ")),
        ));
    }
    let points = leaf.map(|l| l.points).unwrap_or(0.0);
    if !i.score.is_finite() || i.score < 0.0 || i.score > points {
        return Err(field(
            "score",
            "range",
            format!("评分应在0—{points}之间"),
            format!("the score must be 0 to {points}"),
        ));
    }
    assessed(&inputs, i.unit_id)?;
    let r = ReviewRow {
        unit_id: i.unit_id,
        indicator: i.indicator.clone(),
        reviewer_id: can.actor().user_id.get(),
        group: i.group.clone(),
        score: i.score,
    };
    let mut w = can.write(db).await?;
    store::put_review(w.tx(), id, &r, now_ms()).await?;
    finish(db, w, can, id, "assessment.review", &r).await
}

/// A supervisor enters a unit's figure for an `entered` indicator, citing its evidence.
pub async fn enter(
    db: &Db,
    can: &Can<Supervise>,
    id: i64,
    i: &EntryInput,
) -> Result<RunView, AppError> {
    let (scheme, inputs) = open_run(db, can.reach(), id).await?;
    if !scheme
        .leaves()
        .iter()
        .any(|l| l.code == i.indicator && l.source.as_deref() == Some("entered"))
    {
        return Err(field(
            "indicator",
            "unknown",
            format!("“{}”不是本方案中需录入的指标", i.indicator),
            format!(
                "'{}' is not an entered indicator of the scheme",
                i.indicator
            ),
        ));
    }
    assessed(&inputs, i.unit_id)?;
    let bad = |x: Option<f64>| x.is_some_and(|v| !v.is_finite() || v < 0.0);
    if (i.value.is_none() && i.count.is_none()) || bad(i.value) || bad(i.count) {
        return Err(field(
            "value",
            "range",
            "请填写非负的数值或次数".into(),
            "give a non-negative value or count".into(),
        ));
    }
    let evidence = duban_domain::text::field("evidence", &i.evidence, 500, true)?;
    let e = EntryRow {
        unit_id: i.unit_id,
        indicator: i.indicator.clone(),
        value: i.value,
        count: i.count,
        evidence,
        entered_by: can.actor().user_id.get(),
    };
    let mut w = can.write(db).await?;
    store::put_entry(w.tx(), id, &e, now_ms()).await?;
    finish(db, w, can, id, "assessment.enter", &e).await
}

/// Publish a run: only once every unit's inputs are in (the grades compare all units).
pub async fn publish(db: &Db, can: &Can<Supervise>, id: i64) -> Result<RunView, AppError> {
    let v = view(db, can.reach(), id).await?;
    let waiting: Vec<&duban_domain::assessment::UnitResult> =
        v.results.iter().filter(|r| !r.missing.is_empty()).collect();
    if let Some(first) = waiting.first() {
        let names = duban_store::units::get(db, first.unit_id)
            .await
            .map(|u| u.name)
            .unwrap_or_else(|_| first.unit_id.to_string());
        let leaves = v.scheme.leaves();
        let what = first
            .missing
            .iter()
            .map(|c| {
                leaves
                    .iter()
                    .find(|l| &l.code == c)
                    .map_or(c.clone(), |l| l.name.clone())
            })
            .collect::<Vec<_>>()
            .join("、");
        return Err(field(
            "results",
            "incomplete",
            format!(
                "尚有{}个单位的评分未录入完整（如{names}：{what}），录入完整后方可发布",
                waiting.len()
            ),
            format!(
                "{} units still miss scores (e.g. {names}: {what}); publish once every input is in",
                waiting.len()
            ),
        ));
    }
    let mut w = can.write(db).await?;
    if store::publish(w.tx(), id, can.actor().user_id.get(), now_ms()).await? == 0 {
        return Err(field(
            "state",
            "illegal_transition",
            "考核已发布".into(),
            "the assessment is published already".into(),
        ));
    }
    finish(db, w, can, id, "assessment.publish", &"published").await
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn quarters_and_months() {
        assert_eq!(period_of("2025Q3").unwrap().to_string(), "2025-09");
        assert_eq!(period_of("2025q4").unwrap().to_string(), "2025-12");
        assert_eq!(period_of("2025-10").unwrap().to_string(), "2025-10");
        assert!(period_of("2025Q5").is_err());
        assert!(period_of("2025Q").is_err());
    }
}
