//! Warnings and data-quality checks (DESIGN §5.3). Each has a stable code, a severity,
//! a message in Chinese and English, and the facts it saw. They are shown to the clerk
//! on submit and, when configured, block it. (The analytics engine adds project-level
//! checks such as "not started when planned".)

use crate::money::Yuan;
use crate::report::ReportFigures;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Info,
    Warning,
    Serious,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Warning {
    pub code: &'static str,
    pub severity: Severity,
    pub zh: String,
    pub en: String,
    /// (name, value) pairs the check looked at.
    pub facts: Vec<(&'static str, String)>,
}

/// What a report's checks compare against.
#[derive(Debug, Clone, Default)]
pub struct ReportContext<'a> {
    /// The approved report of the previous period of the same year, if any.
    pub previous: Option<&'a ReportFigures>,
    pub annual_plan: Option<Yuan>,
    pub total_investment: Yuan,
}

/// The share of the annual plan above which a year-to-date figure is implausible.
const OVER_PLAN_PCT: i64 = 150;
/// Points by which the disbursed share may lead physical progress before a warning.
const FUNDS_AHEAD_POINTS: i64 = 30;

pub fn report_warnings(f: &ReportFigures, cx: &ReportContext) -> Vec<Warning> {
    let mut out = Vec::new();
    let mut w = |code, severity, zh: String, en: String, facts: Vec<(&'static str, String)>| {
        out.push(Warning {
            code,
            severity,
            zh,
            en,
            facts,
        })
    };
    if let Some(p) = cx.previous {
        if f.invest_since_start < p.invest_since_start {
            w(
                "cumulative_decreased",
                Severity::Serious,
                format!(
                    "开工至今累计完成投资（{}万元）比上期（{}万元）减少",
                    f.invest_since_start.wan(),
                    p.invest_since_start.wan()
                ),
                format!(
                    "investment since start ({} wan) is below last period's ({} wan)",
                    f.invest_since_start.wan(),
                    p.invest_since_start.wan()
                ),
                vec![
                    ("this", f.invest_since_start.wan()),
                    ("previous", p.invest_since_start.wan()),
                ],
            );
        }
        if f.progress_bp < p.progress_bp {
            w(
                "progress_decreased",
                Severity::Warning,
                "形象进度比上期倒退".into(),
                "physical progress is lower than last period's".into(),
                vec![
                    ("this_bp", f.progress_bp.to_string()),
                    ("previous_bp", p.progress_bp.to_string()),
                ],
            );
        }
        if f.invest_period == p.invest_period
            && f.progress_bp == p.progress_bp
            && f.progress_text == p.progress_text
            && f.issues == p.issues
            && f.next_steps == p.next_steps
        {
            w(
                "copied_forward",
                Severity::Warning,
                "本期填报内容与上期完全相同，请核实是否照抄上期".into(),
                "this report is identical to last period's; check it was not copied forward".into(),
                vec![("invest_period", f.invest_period.wan())],
            );
        }
    }
    if let Some(plan) = cx.annual_plan
        && plan > Yuan::ZERO
        && f.invest_ytd.get() as i128 * 100 > plan.get() as i128 * OVER_PLAN_PCT as i128
    {
        w(
            "ytd_far_above_plan",
            Severity::Warning,
            format!(
                "年度累计完成投资（{}万元）超过年度计划（{}万元）的{OVER_PLAN_PCT}%",
                f.invest_ytd.wan(),
                plan.wan()
            ),
            format!(
                "year-to-date investment ({} wan) is above {OVER_PLAN_PCT}% of the annual plan ({} wan)",
                f.invest_ytd.wan(),
                plan.wan()
            ),
            vec![("ytd", f.invest_ytd.wan()), ("annual_plan", plan.wan())],
        );
    }
    if cx.total_investment > Yuan::ZERO && f.invest_since_start > cx.total_investment {
        w(
            "above_total_investment",
            Severity::Serious,
            format!(
                "开工至今累计完成投资（{}万元）超过项目总投资（{}万元）",
                f.invest_since_start.wan(),
                cx.total_investment.wan()
            ),
            format!(
                "investment since start ({} wan) exceeds the total investment ({} wan)",
                f.invest_since_start.wan(),
                cx.total_investment.wan()
            ),
            vec![
                ("since_start", f.invest_since_start.wan()),
                ("total", cx.total_investment.wan()),
            ],
        );
    }
    if cx.total_investment > Yuan::ZERO {
        let paid_bp =
            (f.funds_disbursed.get() as i128 * 10_000 / cx.total_investment.get() as i128) as i64;
        if paid_bp - f.progress_bp > FUNDS_AHEAD_POINTS * 100 {
            w(
                "funds_ahead_of_progress",
                Severity::Warning,
                format!(
                    "资金拨付比例（{}%）明显高于形象进度（{}%），请核实是否超进度拨付",
                    paid_bp / 100,
                    f.progress_bp / 100
                ),
                format!(
                    "disbursed share ({}%) is far ahead of physical progress ({}%): money paid for work not done?",
                    paid_bp / 100,
                    f.progress_bp / 100
                ),
                vec![
                    ("disbursed_bp", paid_bp.to_string()),
                    ("progress_bp", f.progress_bp.to_string()),
                ],
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn figs(ytd: i64, since: i64, bp: i64) -> ReportFigures {
        ReportFigures {
            invest_period: Yuan::from_wan(10),
            invest_ytd: Yuan::from_wan(ytd),
            invest_since_start: Yuan::from_wan(since),
            progress_bp: bp,
            started: true,
            ..Default::default()
        }
    }

    fn codes(v: &[Warning]) -> Vec<&str> {
        v.iter().map(|w| w.code).collect()
    }

    #[test]
    fn each_check_fires_on_its_case_only() {
        let prev = figs(100, 500, 5000);
        let cx = ReportContext {
            previous: Some(&prev),
            annual_plan: Some(Yuan::from_wan(200)),
            total_investment: Yuan::from_wan(1000),
        };
        let mut good = figs(110, 510, 5100);
        good.progress_text = "主体施工".into();
        assert!(report_warnings(&good, &cx).is_empty());
        assert_eq!(
            codes(&report_warnings(&figs(110, 490, 4000), &cx)),
            ["cumulative_decreased", "progress_decreased"]
        );
        assert_eq!(
            codes(&report_warnings(&prev.clone(), &cx)),
            ["copied_forward"]
        );
        assert_eq!(
            codes(&report_warnings(&figs(301, 1001, 9000), &cx)),
            ["ytd_far_above_plan", "above_total_investment"]
        );
        let mut paid = good.clone();
        paid.funds_disbursed = Yuan::from_wan(900);
        assert_eq!(
            codes(&report_warnings(&paid, &cx)),
            ["funds_ahead_of_progress"]
        );
        let w = &report_warnings(&figs(110, 490, 5100), &cx)[0];
        assert_eq!(
            w.facts,
            vec![
                ("this", "490.00".to_string()),
                ("previous", "500.00".to_string())
            ]
        );
    }
}
