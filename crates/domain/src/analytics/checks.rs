//! Project-level warnings and data-quality checks (DESIGN §5.3) over a year of approved
//! reports. Report-level checks on submit live in `crate::warning`; both produce the
//! same `Warning` (code, severity, zh/en message, facts).

use super::year::{ApprovedMonth, ProjectYear};
use crate::warning::{Severity, Warning};

/// Thresholds of the checks.
#[derive(
    Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(deny_unknown_fields, default)]
pub struct CheckRules {
    /// Disbursed share ahead of physical progress by more than this: paid for work not done.
    pub funds_ahead_bp: i64,
    /// Disbursed share behind physical progress by more than this: unpaid contractors.
    pub funds_behind_bp: i64,
    /// A month's increment more than this many times the project's median increment.
    pub jump_factor: i64,
}

impl Default for CheckRules {
    fn default() -> Self {
        CheckRules {
            funds_ahead_bp: 3000,
            funds_behind_bp: 3000,
            jump_factor: 5,
        }
    }
}

fn w(
    code: &'static str,
    severity: Severity,
    zh: String,
    en: String,
    facts: Vec<(&'static str, String)>,
) -> Warning {
    Warning {
        code,
        severity,
        zh,
        en,
        facts,
    }
}

/// Checks of one project as of month `m`.
pub fn project_checks(
    y: &ProjectYear,
    plan: Option<&crate::plan::AnnualPlan>,
    months: &[ApprovedMonth],
    m: u32,
    rules: &CheckRules,
    missing: super::measure::MissingBasis,
) -> Vec<Warning> {
    let mut out = Vec::new();
    let i = (m.clamp(1, 12) - 1) as usize;
    let mut ms: Vec<&ApprovedMonth> = months.iter().filter(|x| x.month <= m).collect();
    ms.sort_by_key(|x| x.month);
    if y.due_to_start[i] && !y.started[i] {
        out.push(w(
            "not_started",
            Severity::Warning,
            "应开未开：计划已开工但未开工".into(),
            "not started although planned".into(),
            vec![("month", m.to_string())],
        ));
    }
    if let Some(p) = plan {
        let end = crate::period::Period::new(y.year, m).map(|p| p.last_day());
        for ms in &p.milestones {
            if end.is_some_and(|end| ms.overdue_at(end)) {
                out.push(w(
                    "milestone_overdue",
                    Severity::Warning,
                    format!("节点“{}”计划{}完成，尚未完成", ms.name, ms.planned),
                    format!(
                        "milestone '{}' was due on {} and is not reached",
                        ms.name, ms.planned
                    ),
                    vec![
                        ("milestone", ms.name.clone()),
                        ("planned", ms.planned.to_string()),
                    ],
                ));
            }
        }
    }
    if missing.is_missing(y.reported[i], y.submitted[i]) {
        out.push(w(
            "report_missing",
            Severity::Warning,
            if y.submitted[i] {
                format!("{m}月进度未审核通过")
            } else {
                format!("{m}月进度未报送")
            },
            if y.submitted[i] {
                format!("the report of month {m} is not approved")
            } else {
                format!("the report of month {m} has not been submitted")
            },
            vec![("month", m.to_string())],
        ));
    } else if !y.reported[i] {
        out.push(w(
            "report_pending",
            Severity::Info,
            format!("{m}月进度已报送，待审核"),
            format!("the report of month {m} awaits approval"),
            vec![("month", m.to_string())],
        ));
    }
    // 入库纳统 happens once: a later report that says "not entered" contradicts an
    // earlier one (the light keeps the entry; the data want correcting).
    if let Some(first) = ms.iter().find(|x| x.stats_entered)
        && let Some(later) = ms
            .iter()
            .find(|x| x.month > first.month && !x.stats_entered)
    {
        out.push(w(
            "stats_entry_reverted",
            Severity::Warning,
            format!(
                "{}月报称已入库纳统，{}月报为未入库，请核实",
                first.month, later.month
            ),
            format!(
                "month {} says entered in the statistics, month {} says not",
                first.month, later.month
            ),
            vec![
                ("entered_in", first.month.to_string()),
                ("not_entered_in", later.month.to_string()),
            ],
        ));
    }
    for pair in ms.windows(2) {
        let (a, b) = (pair[0], pair[1]);
        if b.since_start < a.since_start {
            out.push(w(
                "cumulative_decreased",
                Severity::Serious,
                format!("{}月开工累计投资比{}月减少", b.month, a.month),
                format!(
                    "investment since start fell from month {} to {}",
                    a.month, b.month
                ),
                vec![
                    ("before", a.since_start.wan()),
                    ("after", b.since_start.wan()),
                ],
            ));
        }
        if b.progress_bp < a.progress_bp {
            out.push(w(
                "progress_decreased",
                Severity::Warning,
                format!("{}月形象进度比{}月倒退", b.month, a.month),
                format!(
                    "physical progress fell from month {} to {}",
                    a.month, b.month
                ),
                vec![
                    ("before_bp", a.progress_bp.to_string()),
                    ("after_bp", b.progress_bp.to_string()),
                ],
            ));
        }
        if b.ytd == a.ytd && b.progress_bp == a.progress_bp && b.ytd.get() > 0 {
            out.push(w(
                "copied_forward",
                Severity::Info,
                format!("{}月数据与上月完全相同", b.month),
                format!("month {} repeats month {}", b.month, a.month),
                vec![("ytd", b.ytd.wan())],
            ));
        }
    }
    // A jump far outside the project's own history.
    let incs: Vec<i64> = ms
        .windows(2)
        .map(|p| p[1].ytd.get() - p[0].ytd.get())
        .filter(|d| *d > 0)
        .collect();
    if incs.len() >= 3 {
        let mut sorted = incs.clone();
        sorted.sort_unstable();
        let median = sorted[sorted.len() / 2];
        if let Some(&last) = incs.last()
            && median > 0
            && last > median * rules.jump_factor
        {
            out.push(w(
                "jump",
                Severity::Warning,
                "本月完成投资远超该项目以往水平".into(),
                "this month's investment is far outside the project's history".into(),
                vec![
                    ("increment", last.to_string()),
                    ("median", median.to_string()),
                ],
            ));
        }
    }
    if let Some(last) = ms.last() {
        if last.progress_bp > 10_000 || last.progress_bp < 0 {
            out.push(w(
                "progress_out_of_range",
                Severity::Serious,
                "形象进度超出0—100%".into(),
                "physical progress outside 0–100%".into(),
                vec![("progress_bp", last.progress_bp.to_string())],
            ));
        }
        if y.meta.total_investment.get() > 0 && last.since_start > y.meta.total_investment {
            out.push(w(
                "above_total_investment",
                Severity::Serious,
                "开工累计投资超过总投资".into(),
                "investment since start exceeds the total".into(),
                vec![
                    ("since_start", last.since_start.wan()),
                    ("total", y.meta.total_investment.wan()),
                ],
            ));
        }
        if y.annual_plan.get() > 0 && last.ytd.get() as i128 * 2 > y.annual_plan.get() as i128 * 3 {
            out.push(w(
                "ytd_far_above_plan",
                Severity::Warning,
                "年度累计超过年度计划的150%".into(),
                "year-to-date above 150% of the annual plan".into(),
                vec![("ytd", last.ytd.wan()), ("plan", y.annual_plan.wan())],
            ));
        }
        if let Some(paid) = super::ratio_bp(last.disbursed.get(), y.meta.total_investment.get()) {
            let lead = paid - last.progress_bp;
            if lead > rules.funds_ahead_bp {
                out.push(w(
                    "funds_ahead_of_progress",
                    Severity::Warning,
                    "资金拨付明显快于形象进度（可能超进度拨付）".into(),
                    "funds paid far ahead of physical progress".into(),
                    vec![
                        ("disbursed_bp", paid.to_string()),
                        ("progress_bp", last.progress_bp.to_string()),
                    ],
                ));
            }
            if -lead > rules.funds_behind_bp {
                out.push(w(
                    "funds_behind_progress",
                    Severity::Warning,
                    "资金拨付明显慢于形象进度（可能拖欠工程款、工资）".into(),
                    "funds paid far behind physical progress (unpaid contractors or wages?)".into(),
                    vec![
                        ("disbursed_bp", paid.to_string()),
                        ("progress_bp", last.progress_bp.to_string()),
                    ],
                ));
            }
        }
    }
    out
}

/// A unit whose reports are all round numbers (multiples of 100 万元) — a sign of
/// estimates rather than ledgers. Needs at least `min_reports` non-zero figures.
pub fn all_round(increments: &[i64], min_reports: usize) -> Option<Warning> {
    let nz: Vec<i64> = increments.iter().copied().filter(|x| *x != 0).collect();
    (nz.len() >= min_reports && nz.iter().all(|x| x % 1_000_000 == 0)).then(|| {
        w(
            "all_round_numbers",
            Severity::Info,
            "该单位填报数据均为整百万元，请核实是否为估算".into(),
            "all of the unit's figures are round millions: estimates?".into(),
            vec![("reports", nz.len().to_string())],
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analytics::lights::RuleSet;
    use crate::analytics::year::{ProjectMeta, YearInputs, project_year};
    use crate::codes::{Category, Nature};
    use crate::money::Yuan;
    use crate::plan::{AnnualPlan, MonthlyCurve, SeasonalProfile};

    fn m(month: u32, ytd: i64, since: i64, bp: i64, paid: i64) -> ApprovedMonth {
        ApprovedMonth {
            month,
            ytd: Yuan::from_wan(ytd),
            since_start: Yuan::from_wan(since),
            progress_bp: bp,
            disbursed: Yuan::from_wan(paid),
            started: true,
            started_on: None,
            stats_entered: true,
        }
    }

    fn codes(months: &[ApprovedMonth], at: u32) -> Vec<&'static str> {
        let plan = AnnualPlan {
            year: 2025,
            curve: MonthlyCurve::from_profile(Yuan::from_wan(1000), &SeasonalProfile::even()),
            planned_start_month: None,
            milestones: vec![],
        };
        let meta = ProjectMeta {
            id: crate::ids::ProjectId::new(1),
            unit_id: 1,
            chain_id: None,
            category: Category::Industry,
            nature: Nature::Continuing,
            total_investment: Yuan::from_wan(5000),
            funding: vec![],
        };
        let y = project_year(&YearInputs {
            year: 2025,
            meta,
            plan: Some(&plan),
            months,
            submissions: &[],
            rules: &RuleSet::yinchuan(),
        });
        project_checks(
            &y,
            Some(&plan),
            months,
            at,
            &CheckRules::default(),
            super::super::measure::MissingBasis::NotSubmitted,
        )
        .iter()
        .map(|w| w.code)
        .collect()
    }

    #[test]
    fn each_check_on_its_case() {
        let ok = [
            m(1, 80, 1080, 2000, 1000),
            m(2, 160, 1160, 2400, 1100),
            m(3, 250, 1250, 2800, 1300),
        ];
        assert!(codes(&ok, 3).is_empty(), "{:?}", codes(&ok, 3));
        assert_eq!(codes(&ok, 4), vec!["report_missing"]);
        let down = [m(1, 80, 1080, 2000, 1000), m(2, 160, 1000, 1500, 1100)];
        assert_eq!(
            codes(&down, 2),
            vec!["cumulative_decreased", "progress_decreased"]
        );
        let same = [m(1, 80, 1080, 2000, 1000), m(2, 80, 1080, 2000, 1000)];
        assert_eq!(codes(&same, 2), vec!["copied_forward"]);
        let jump = [
            m(1, 10, 10, 100, 0),
            m(2, 20, 20, 200, 0),
            m(3, 30, 30, 300, 0),
            m(4, 40, 40, 400, 0),
            m(5, 400, 400, 2000, 100),
        ];
        assert!(codes(&jump, 5).contains(&"jump"));
        assert_eq!(
            codes(&[m(1, 2000, 6000, 12_000, 4000)], 1),
            vec![
                "progress_out_of_range",
                "above_total_investment",
                "ytd_far_above_plan",
                "funds_behind_progress"
            ]
        );
        assert_eq!(
            codes(&[m(1, 80, 1080, 1000, 4000)], 1),
            vec!["funds_ahead_of_progress"]
        );
        assert_eq!(
            codes(&[m(1, 80, 1080, 9000, 100)], 1),
            vec!["funds_behind_progress"]
        );
        // Entered in the statistics in February, "not entered" in March: the data contradict.
        let mut flip = ok.clone();
        flip[0].stats_entered = false;
        flip[2].stats_entered = false;
        assert_eq!(codes(&flip, 3), vec!["stats_entry_reverted"]);
        assert!(all_round(&[1_000_000, 2_000_000, 3_000_000], 3).is_some());
        assert!(all_round(&[1_000_000, 2_000_001, 3_000_000], 3).is_none());
    }
}
