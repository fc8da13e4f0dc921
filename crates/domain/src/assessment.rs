//! Assessment scoring (考核, DESIGN §5.6): a scheme is configuration — a tree of
//! indicators whose points add up to their parent's, each leaf with a scoring function —
//! and [`score`] turns each unit's inputs into points with the explanation of every point,
//! a rank and a grade under quotas. Pure: the run that freezes inputs and the review
//! scores entered by people live in the application.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// How a leaf indicator turns its input into points.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Scoring {
    /// points × min(value / target, cap)
    Proportional { target: f64, cap: f64 },
    /// Full points at `base`; `below` points off per unit below it, `above` points added
    /// per unit above it up to `above_until`; the penalty and the bonus each capped.
    Banded {
        base: f64,
        below: f64,
        above: f64,
        above_until: f64,
        penalty_cap: f64,
        bonus_cap: f64,
    },
    /// First place gets full points, each place lower `step` fewer (not below zero).
    Rank { step: f64, higher_is_better: bool },
    /// The points of the highest band whose `min` the value reaches (0 below them all).
    Thresholds { bands: Vec<Band> },
    /// points − per × count, the deduction at most `cap` (未报扣分, 通报批评 …); with 0
    /// points it is a pure penalty, down to −cap.
    Deduction { per: f64, cap: f64 },
    /// per × count, at most `cap`, added to the unit's total (表彰加分).
    Bonus { per: f64, cap: f64 },
    /// The reviewers' scores (each out of the indicator's points): the highest and the
    /// lowest of each group dropped when the group has more than two, then the groups'
    /// means weighted.
    Review { groups: BTreeMap<String, f64> },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Band {
    pub min: f64,
    pub points: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Indicator {
    pub code: String,
    pub name: String,
    /// The indicator's share of the scheme; a bonus indicator has 0 (it adds on top).
    pub points: f64,
    /// Where the input comes from: `completion_rate`, `start_rate`, `on_time_rate`,
    /// `closure_rate`, `warnings` (computed by duban), `entered`, `review`.
    #[serde(default)]
    pub source: Option<String>,
    #[serde(default)]
    pub scoring: Option<Scoring>,
    #[serde(default)]
    pub children: Vec<Indicator>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Grade {
    pub name: String,
    /// The lowest total for the grade.
    pub min_score: f64,
    /// At most this share of the units (e.g. 优秀 at most 0.3); those beyond it, by rank,
    /// fall to the next grade.
    #[serde(default)]
    pub max_share: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scheme {
    pub name: String,
    /// The scheme's full marks (the root's points).
    pub points: f64,
    pub indicators: Vec<Indicator>,
    pub grades: Vec<Grade>,
}

/// What is known of a unit for one leaf indicator.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Input {
    /// A measure (completion rate in %, …).
    pub value: Option<f64>,
    /// A count (reports missing, criticisms, awards …).
    pub count: Option<f64>,
    /// Review scores by reviewer group.
    pub reviews: Vec<(String, f64)>,
}

/// One leaf's points for a unit, with how they came about.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Line {
    pub code: String,
    pub name: String,
    pub points: f64,
    pub score: f64,
    /// The formula with the unit's inputs, in Chinese ("25 + (112.0 − 100) × 0.2 = 27.40").
    pub explanation: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UnitResult {
    pub unit_id: i64,
    pub total: f64,
    pub rank: usize,
    /// Empty until every unit's inputs are complete: a grade under quotas compares all
    /// units, so none is given on a provisional ranking.
    pub grade: String,
    pub lines: Vec<Line>,
    /// The leaves still waiting for people's input for this unit: a review group without
    /// scores, a figure to be entered not yet entered. Figures duban computes are never
    /// waited for (without data they score 0, explained), nor are deductions and bonuses
    /// (nothing entered counts nothing).
    pub missing: Vec<String>,
}

/// Whether a leaf has the input people owe it for a unit.
fn has_input(i: &Indicator, input: &Input) -> bool {
    match i.scoring.as_ref() {
        Some(Scoring::Review { groups }) => groups
            .keys()
            .all(|g| input.reviews.iter().any(|(x, _)| x == g)),
        Some(Scoring::Deduction { .. } | Scoring::Bonus { .. }) | None => true,
        Some(_) => i.source.as_deref() != Some("entered") || input.value.is_some(),
    }
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SchemeError {
    #[error(
        "指标“{code}”的下级分值合计{sum}，与其分值{points}不符 / the children of '{code}' add up to {sum}, not {points}"
    )]
    Weights { code: String, sum: f64, points: f64 },
    #[error("指标“{code}”没有计分方法 / the leaf '{code}' has no scoring")]
    NoScoring { code: String },
    #[error("指标“{code}”的参数无效：{why} / '{code}': {why}")]
    Bad { code: String, why: String },
    #[error("等级须按分数从高到低排列 / grades must go from the highest minimum down")]
    Grades,
}

/// The example schemes shipped with duban, as JSON: the annual sheet of DESIGN §5.6, the
/// Yan'an monthly scoring and a 三本清单 quarterly review.
pub const EXAMPLES: [&str; 3] = [
    include_str!("assessment/schemes/annual-targets.json"),
    include_str!("assessment/schemes/yanan-monthly.json"),
    include_str!("assessment/schemes/three-lists-quarterly.json"),
];

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

impl Scheme {
    /// Weights add up at every level; leaves have a scoring; parameters are sane.
    pub fn validate(&self) -> Result<(), SchemeError> {
        fn check(code: &str, points: f64, children: &[Indicator]) -> Result<(), SchemeError> {
            let sum: f64 = children.iter().map(|c| c.points).sum();
            if (sum - points).abs() > 1e-6 {
                return Err(SchemeError::Weights {
                    code: code.into(),
                    sum: round2(sum),
                    points,
                });
            }
            for c in children {
                if c.points < 0.0 || !c.points.is_finite() {
                    return Err(SchemeError::Bad {
                        code: c.code.clone(),
                        why: "分值须为非负数".into(),
                    });
                }
                if c.children.is_empty() {
                    let s = c.scoring.as_ref().ok_or(SchemeError::NoScoring {
                        code: c.code.clone(),
                    })?;
                    let bad = |why: &str| {
                        Err(SchemeError::Bad {
                            code: c.code.clone(),
                            why: why.into(),
                        })
                    };
                    match s {
                        Scoring::Proportional { target, cap } if *target <= 0.0 || *cap <= 0.0 => {
                            return bad("目标值和上限须为正数");
                        }
                        Scoring::Banded {
                            penalty_cap,
                            bonus_cap,
                            ..
                        } if *penalty_cap < 0.0 || *bonus_cap < 0.0 => {
                            return bad("封顶值不能为负");
                        }
                        Scoring::Review { groups }
                            if groups.is_empty()
                                || groups.values().any(|w| *w < 0.0)
                                || groups.values().sum::<f64>() <= 0.0 =>
                        {
                            return bad("评议组权重须为非负且合计为正");
                        }
                        Scoring::Deduction { cap, .. } | Scoring::Bonus { cap, .. }
                            if *cap < 0.0 =>
                        {
                            return bad("封顶值不能为负");
                        }
                        _ => {}
                    }
                } else {
                    check(&c.code, c.points, &c.children)?;
                }
            }
            Ok(())
        }
        check(&self.name, self.points, &self.indicators)?;
        if self
            .grades
            .windows(2)
            .any(|w| w[0].min_score < w[1].min_score)
        {
            return Err(SchemeError::Grades);
        }
        Ok(())
    }

    /// The leaves in order, with their code paths.
    pub fn leaves(&self) -> Vec<&Indicator> {
        fn walk<'a>(v: &'a [Indicator], out: &mut Vec<&'a Indicator>) {
            for i in v {
                if i.children.is_empty() {
                    out.push(i);
                } else {
                    walk(&i.children, out);
                }
            }
        }
        let mut out = Vec::new();
        walk(&self.indicators, &mut out);
        out
    }
}

/// Mean of a group's scores, the highest and the lowest dropped when there are more than two.
fn trimmed_mean(mut v: Vec<f64>) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let kept = if v.len() > 2 {
        &v[1..v.len() - 1]
    } else {
        &v[..]
    };
    Some(kept.iter().sum::<f64>() / kept.len() as f64)
}

/// One leaf's score for a unit; `place` is the unit's place on this leaf (for rank
/// scoring), computed across units by [`score`].
fn leaf(i: &Indicator, input: &Input, place: Option<usize>) -> (f64, String) {
    let p = i.points;
    let missing = |what: &str| (0.0, format!("无{what}，得0分"));
    match i.scoring.as_ref().expect("validated") {
        Scoring::Proportional { target, cap } => match input.value {
            None => missing("数据"),
            Some(v) => {
                let r = (v / target).clamp(0.0, *cap);
                let s = p * r;
                (
                    s,
                    format!("{p} × min({v:.2} ÷ {target}, {cap}) = {:.2}", round2(s)),
                )
            }
        },
        Scoring::Banded {
            base,
            below,
            above,
            above_until,
            penalty_cap,
            bonus_cap,
        } => match input.value {
            None => missing("数据"),
            Some(v) if v < *base => {
                let off = ((base - v) * below).min(*penalty_cap);
                (
                    p - off,
                    format!(
                        "{p} − min(({base} − {v:.2}) × {below}, {penalty_cap}) = {:.2}",
                        round2(p - off)
                    ),
                )
            }
            Some(v) => {
                let add = ((v.min(*above_until) - base) * above).min(*bonus_cap);
                (
                    p + add,
                    format!(
                        "{p} + min((min({v:.2}, {above_until}) − {base}) × {above}, {bonus_cap}) = {:.2}",
                        round2(p + add)
                    ),
                )
            }
        },
        Scoring::Rank { step, .. } => match place {
            None => missing("排名"),
            Some(n) => {
                let s = (p - step * (n as f64 - 1.0)).max(0.0);
                (
                    s,
                    format!("第{n}名：{p} − {step} × ({n} − 1) = {:.2}", round2(s)),
                )
            }
        },
        Scoring::Thresholds { bands } => match input.value {
            None => missing("数据"),
            Some(v) => {
                let hit = bands
                    .iter()
                    .filter(|b| v >= b.min)
                    .max_by(|a, b| a.min.total_cmp(&b.min));
                match hit {
                    Some(b) => (
                        b.points.min(p),
                        format!("{v:.2} ≥ {}，得{}分", b.min, b.points.min(p)),
                    ),
                    None => (0.0, format!("{v:.2} 未达任何档次，得0分")),
                }
            }
        },
        Scoring::Deduction { per, cap } => {
            let n = input.count.unwrap_or(0.0);
            let off = (per * n).min(*cap);
            (
                p - off,
                format!("{p} − min({per} × {n}, {cap}) = {:.2}", round2(p - off)),
            )
        }
        Scoring::Bonus { per, cap } => {
            let n = input.count.unwrap_or(0.0);
            let add = (per * n).min(*cap);
            (
                add,
                format!("min({per} × {n}, {cap}) = {:.2}（加分）", round2(add)),
            )
        }
        Scoring::Review { groups } => {
            let mut parts = Vec::new();
            let (mut sum, mut weights) = (0.0, 0.0);
            for (g, w) in groups {
                let scores: Vec<f64> = input
                    .reviews
                    .iter()
                    .filter(|(x, _)| x == g)
                    .map(|(_, s)| s.clamp(0.0, p))
                    .collect();
                let n = scores.len();
                if let Some(m) = trimmed_mean(scores) {
                    sum += m * w;
                    weights += w;
                    parts.push(format!("{g}{n}人均分{m:.2}×权重{w}"));
                }
            }
            if weights == 0.0 {
                return missing("评议分");
            }
            let s = sum / weights;
            (
                s,
                format!(
                    "{}（去掉最高、最低分）= {:.2}",
                    parts.join(" + "),
                    round2(s)
                ),
            )
        }
    }
}

/// Score every unit: leaf points with their explanation, the total, a competition rank
/// (equal totals share a place) and a grade, quotas applied in rank order.
pub fn score(scheme: &Scheme, inputs: &BTreeMap<i64, BTreeMap<String, Input>>) -> Vec<UnitResult> {
    score_with(scheme, inputs, true)
}

/// [`score`], with grades held back while inputs are missing (`hold`) or given to what
/// is there (a run published before completeness was required keeps its grades).
pub fn score_with(
    scheme: &Scheme,
    inputs: &BTreeMap<i64, BTreeMap<String, Input>>,
    hold: bool,
) -> Vec<UnitResult> {
    let leaves = scheme.leaves();
    // Places on rank-scored leaves.
    let mut places: BTreeMap<&str, BTreeMap<i64, usize>> = BTreeMap::new();
    for l in &leaves {
        if let Some(Scoring::Rank {
            higher_is_better, ..
        }) = &l.scoring
        {
            let mut vals: Vec<(i64, f64)> = inputs
                .iter()
                .filter_map(|(u, m)| m.get(&l.code).and_then(|i| i.value).map(|v| (*u, v)))
                .collect();
            vals.sort_by(|a, b| {
                if *higher_is_better {
                    b.1.total_cmp(&a.1)
                } else {
                    a.1.total_cmp(&b.1)
                }
            });
            let mut m = BTreeMap::new();
            for (k, (u, v)) in vals.iter().enumerate() {
                let place = vals.iter().position(|(_, x)| x == v).unwrap_or(k) + 1;
                m.insert(*u, place);
            }
            places.insert(l.code.as_str(), m);
        }
    }
    let empty = BTreeMap::new();
    let mut out: Vec<UnitResult> = inputs
        .keys()
        .map(|u| {
            let mine = inputs.get(u).unwrap_or(&empty);
            let lines: Vec<Line> = leaves
                .iter()
                .map(|l| {
                    let input = mine.get(&l.code).cloned().unwrap_or_default();
                    let place = places.get(l.code.as_str()).and_then(|m| m.get(u)).copied();
                    let (s, why) = leaf(l, &input, place);
                    Line {
                        code: l.code.clone(),
                        name: l.name.clone(),
                        points: l.points,
                        score: round2(s),
                        explanation: why,
                    }
                })
                .collect();
            let total = round2(lines.iter().map(|l| l.score).sum());
            let missing = leaves
                .iter()
                .filter(|l| !has_input(l, mine.get(&l.code).unwrap_or(&Input::default())))
                .map(|l| l.code.clone())
                .collect();
            UnitResult {
                unit_id: *u,
                total,
                rank: 0,
                grade: String::new(),
                lines,
                missing,
            }
        })
        .collect();
    out.sort_by(|a, b| b.total.total_cmp(&a.total).then(a.unit_id.cmp(&b.unit_id)));
    for i in 0..out.len() {
        out[i].rank = if i > 0 && out[i].total == out[i - 1].total {
            out[i - 1].rank
        } else {
            i + 1
        };
    }
    // Grades by score, then quotas in rank order: beyond a grade's share, the next grade;
    // none while any unit's inputs are incomplete.
    if hold && out.iter().any(|r| !r.missing.is_empty()) {
        return out;
    }
    let n = out.len();
    let mut taken = vec![0usize; scheme.grades.len()];
    for r in out.iter_mut() {
        let mut g = scheme
            .grades
            .iter()
            .position(|g| r.total >= g.min_score)
            .unwrap_or(scheme.grades.len().saturating_sub(1));
        while g + 1 < scheme.grades.len() {
            let cap = scheme.grades[g]
                .max_share
                .map(|s| (s * n as f64 + 1e-9).floor() as usize);
            if cap.is_none_or(|c| taken[g] < c) {
                break;
            }
            g += 1;
        }
        if let Some(grade) = scheme.grades.get(g) {
            taken[g] += 1;
            r.grade = grade.name.clone();
        }
    }
    out
}

#[cfg(test)]
mod tests;
