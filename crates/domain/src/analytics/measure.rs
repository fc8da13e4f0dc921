//! The catalogue of measures (一个口径): every figure duban shows, defined once — its
//! formula, the projects it counts, its rounding and its 口径 text in Chinese and English.
//! The cockpit, the breakdowns, the rankings, the red and black lists, the dispatch
//! alerts, the 催报 list, the bulletin, the assessment inputs and the exports all take
//! their figures from [`Figures::of`] and their wording from [`Measure::definition`], so
//! two pages that show the same measure for the same scope and month show the same
//! number.
//!
//! Offices define a few measures differently; those choices are [`Definitions`], kept in
//! the settings, and every figure's 口径 says which one is in force.

use super::div_round;
use super::progress::{gap_sentence_en, gap_sentence_zh};
use super::totals::Totals;
use serde::{Deserialize, Serialize};

/// What 序时进度 (time progress) is measured against.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum TimeBasis {
    /// The elapsed share of the year in whole months (N/12), as most published
    /// bulletins measure it.
    #[default]
    Calendar,
    /// The group's monthly plan curves: plans to date over annual plans.
    Plan,
}

/// What counts as a missing report (未报).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum MissingBasis {
    /// No report submitted (submitted or approved) for the period: drafts and returned
    /// reports are missing, a report awaiting approval is not.
    #[default]
    NotSubmitted,
    /// No report approved for the period.
    NotApproved,
}

impl MissingBasis {
    /// Is a month's report missing, given whether one was approved and one submitted?
    pub fn is_missing(self, reported: bool, submitted: bool) -> bool {
        match self {
            MissingBasis::NotSubmitted => !submitted,
            MissingBasis::NotApproved => !reported,
        }
    }
    /// The read model's column whose bit says the report is there.
    pub fn column(self) -> &'static str {
        match self {
            MissingBasis::NotSubmitted => "submitted",
            MissingBasis::NotApproved => "reported",
        }
    }
}

/// What counts as an overdue problem (超期).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum OverdueBasis {
    /// Past its deadline and not yet rectified (resolved or closed).
    #[default]
    NotResolved,
    /// Past its deadline and not yet closed (销号) by a supervisor.
    NotClosed,
}

/// What 开工率 (start rate) divides by.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum StartBasis {
    /// New projects started ÷ every new project planned to start this year, as most
    /// published bulletins print it ("81个新建项目已开工52个，开工率64.20%").
    #[default]
    Year,
    /// New projects started of those due by the month ÷ those due by the month.
    ToDate,
}

/// The measure units are ranked by, and the red and black lists drawn from it.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum RankBy {
    /// Completion rate of the annual plan.
    #[default]
    Completion,
    /// Gap to time progress.
    Gap,
}

impl RankBy {
    pub const fn code(self) -> &'static str {
        match self {
            RankBy::Completion => "completion",
            RankBy::Gap => "gap",
        }
    }
    /// Parse the `measure` of a ranking request.
    pub fn parse(s: &str) -> Result<RankBy, crate::error::FieldError> {
        match s {
            "completion" => Ok(RankBy::Completion),
            "gap" => Ok(RankBy::Gap),
            other => Err(crate::error::FieldError::new(
                "measure",
                "unknown_code",
                format!("“{other}”无效，可选 completion、gap"),
                format!("'{other}' is not completion or gap"),
            )),
        }
    }
}

/// The red and black lists (红黑榜) of each ranking series.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct ListRule {
    pub rank_by: RankBy,
    /// At most this many units on the red list (the best), ties at the edge taken whole.
    pub red: usize,
    /// At most this many on the black list (the worst).
    pub black: usize,
    /// Only units at or ahead of time progress make the red list, and only units behind
    /// it the black list.
    pub against_time_progress: bool,
}

impl Default for ListRule {
    fn default() -> Self {
        // Mianyang's quarterly 红黑榜: the top 5 that beat their targets, the bottom 4
        // that missed them.
        ListRule {
            rank_by: RankBy::Completion,
            red: 5,
            black: 4,
            against_time_progress: true,
        }
    }
}

/// The definitions an office chooses (口径设置).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Definitions {
    pub time_progress: TimeBasis,
    pub missing: MissingBasis,
    pub overdue: OverdueBasis,
    pub start_rate: StartBasis,
    pub lists: ListRule,
}

impl Definitions {
    /// The definitions the bulletins stored before they were settings were composed
    /// under (time progress by the plan curves, starts of those due, missing = not
    /// approved, three units on each list): such a bulletin reads as it did.
    pub fn legacy() -> Definitions {
        Definitions {
            time_progress: TimeBasis::Plan,
            missing: MissingBasis::NotApproved,
            overdue: OverdueBasis::NotResolved,
            start_rate: StartBasis::ToDate,
            lists: ListRule {
                rank_by: RankBy::Completion,
                red: 3,
                black: 3,
                against_time_progress: true,
            },
        }
    }

    /// Check the choices; each error names the field.
    pub fn validate(&self) -> Result<(), crate::ValidationErrors> {
        let mut e = crate::ValidationErrors::default();
        for (field, n) in [
            ("lists.red", self.lists.red),
            ("lists.black", self.lists.black),
        ] {
            if n > 50 {
                e.push(crate::FieldError::new(
                    field,
                    "range",
                    "红黑榜名额应在0—50之间",
                    "a red or black list holds 0 to 50 units",
                ));
            }
        }
        e.into_result(|| ())
    }

    /// Does a problem in this state count as overdue once its deadline has passed?
    pub fn overdue_counts(&self, state: crate::problem::ProblemState) -> bool {
        use crate::problem::ProblemState as S;
        match self.overdue {
            OverdueBasis::NotResolved => state.is_pending(),
            OverdueBasis::NotClosed => state != S::Closed,
        }
    }

    /// The states that count as overdue past the deadline (for queries).
    pub fn overdue_states(&self) -> Vec<crate::problem::ProblemState> {
        crate::problem::ProblemState::ALL
            .iter()
            .copied()
            .filter(|s| self.overdue_counts(*s))
            .collect()
    }
}

/// How a measure's value is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A number of projects, reports or problems.
    Count,
    /// Money, shown in 亿元 with two decimals.
    Money,
    /// A ratio, shown as a percentage with one decimal.
    Rate,
    /// A difference of two rates in percentage points, with one decimal.
    Points,
}

macro_rules! measures {
    ($($v:ident = $code:literal, $kind:ident, $zh:literal, $en:literal;)*) => {
        /// Every measure duban shows; written (in JSON, as a map key too) as its code.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Measure { $($v),* }
        impl Serialize for Measure {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.code())
            }
        }
        impl Measure {
            pub const ALL: &'static [Measure] = &[$(Measure::$v),*];
            pub fn code(self) -> &'static str { match self { $(Measure::$v => $code),* } }
            pub fn kind(self) -> Kind { match self { $(Measure::$v => Kind::$kind),* } }
            pub fn zh(self) -> &'static str { match self { $(Measure::$v => $zh),* } }
            pub fn en(self) -> &'static str { match self { $(Measure::$v => $en),* } }
            pub fn from_code(s: &str) -> Option<Measure> {
                Measure::ALL.iter().copied().find(|m| m.code() == s)
            }
        }
    };
}

measures! {
    Projects = "projects", Count, "项目数", "Projects";
    TotalInvestment = "total_investment", Money, "总投资", "Total investment";
    AnnualPlan = "annual_plan", Money, "年度计划投资", "Annual planned investment";
    PlanToDate = "plan_to_date", Money, "分月计划累计", "Planned to date";
    Completed = "actual_ytd", Money, "累计完成投资", "Completed to date";
    Completion = "completion", Rate, "完成率", "Completion rate";
    TimeProgress = "time_progress", Rate, "序时进度", "Time progress";
    Gap = "gap", Points, "与序时进度差", "Gap to time progress";
    NewPlanned = "new_planned", Count, "计划新开工", "New projects planned to start";
    NewStarted = "new_started", Count, "已开工", "New projects started";
    StartedEarly = "started_early", Count, "提前开工", "Started ahead of plan";
    StartRate = "start_rate", Rate, "开工率", "Start rate";
    NotStarted = "not_started", Count, "应开未开", "Not started when due";
    Green = "green", Count, "绿灯", "Green";
    Yellow = "yellow", Count, "黄灯", "Yellow";
    Orange = "orange", Count, "橙灯", "Orange";
    Red = "red", Count, "红灯", "Red";
    Lit = "lit", Count, "亮灯项目", "Projects lit yellow, orange or red";
    Lights = "lights", Count, "红黄绿灯", "Traffic lights";
    ReportsDue = "reports_due", Count, "应报项目", "Reports due";
    ReportsMissing = "reports_missing", Count, "未报项目", "Reports missing";
    ReportsLate = "reports_late", Count, "迟报项目", "Reports late";
    MilestonesOverdue = "milestones_overdue", Count, "节点逾期项目", "Projects with overdue milestones";
    ProblemsOpen = "problems_open", Count, "未办结问题", "Open problems";
    ProblemsOverdue = "problems_overdue", Count, "超期问题", "Overdue problems";
    ProjectsWithOverdueProblems = "projects_with_overdue_problems", Count, "问题超期项目", "Projects with overdue problems";
    Yoy = "yoy", Rate, "同比增长", "Year-on-year growth";
}

/// The 口径 of a measure under the office's definitions: (zh, en).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Definition {
    pub code: &'static str,
    pub kind: Kind,
    pub name_zh: &'static str,
    pub name_en: &'static str,
    pub zh: String,
    pub en: String,
}

/// The projects every project measure counts, said once.
pub const POPULATION_ZH: &str =
    "统计范围：当年有年度计划或有已审核进度的在库项目（不含已归档项目），按项目责任单位归属";
pub const POPULATION_EN: &str = "Population: projects of the registry (not archived) with an annual plan or an approved report in the year, counted under their responsible unit";

impl Measure {
    /// The measure's 口径 text, naming the definition in force where offices differ.
    pub fn definition(self, d: &Definitions, deadline_day: u32) -> Definition {
        use Measure as M;
        let (zh, en): (String, String) = match self {
            M::Projects => (POPULATION_ZH.into(), POPULATION_EN.into()),
            M::TotalInvestment => (
                "纳入统计项目的总投资之和".into(),
                "the sum of the projects' total investment".into(),
            ),
            M::AnnualPlan => (
                "纳入统计项目当年年度计划投资之和".into(),
                "the sum of the projects' planned investment for the year".into(),
            ),
            M::PlanToDate => (
                "各项目分月计划截至当月末的累计之和".into(),
                "the sum of the projects' monthly plan curves to the end of the month".into(),
            ),
            M::Completed => (
                "各项目截至当月已审核的本年累计完成投资之和（当月未报的沿用最近一次已审核数）"
                    .into(),
                "the sum of the projects' approved year-to-date investment (a month not reported carries the latest approved figure forward)".into(),
            ),
            M::Completion => (
                "累计完成投资 ÷ 年度计划投资，保留一位小数".into(),
                "completed to date ÷ annual plan, one decimal".into(),
            ),
            M::TimeProgress => match d.time_progress {
                TimeBasis::Calendar => (
                    "按日历计：已过月数 ÷ 12（如1—11月为91.7%）".into(),
                    "by the calendar: months elapsed ÷ 12 (January–November: 91.7%)".into(),
                ),
                TimeBasis::Plan => (
                    "按分月计划计：分月计划累计 ÷ 年度计划投资".into(),
                    "by the plan curves: planned to date ÷ annual plan".into(),
                ),
            },
            M::Gap => (
                "完成率 − 序时进度，正数为超过、负数为落后，单位：百分点，保留一位小数。按公开通报的算法，由未经四舍五入的两率相减后再取一位小数，故可能与两个已取整的百分数之差相差0.1（如97.16% − 83.33% = 13.8）".into(),
                "completion rate − time progress in percentage points, one decimal; positive is ahead. As published bulletins do, the unrounded rates are subtracted and the difference rounded once, so it may differ by 0.1 from the difference of the two rounded rates (97.16% − 83.33% = 13.8)".into(),
            ),
            M::NewPlanned => match d.start_rate {
                StartBasis::Year => (
                    "当年计划开工的新建项目数（全年）".into(),
                    "new projects planned to start this year (the whole year)".into(),
                ),
                StartBasis::ToDate => (
                    "计划开工月份不晚于当月的新建项目数".into(),
                    "new projects whose planned start month is this month or earlier".into(),
                ),
            },
            M::NewStarted => match d.start_rate {
                StartBasis::Year => (
                    "计划新开工项目中，截至当月已审核进度显示已开工的项目数（含提前开工）".into(),
                    "of the new projects planned this year, those whose approved report says started (early starts included)".into(),
                ),
                StartBasis::ToDate => (
                    "截至当月应开工的新建项目中已开工的项目数".into(),
                    "of the new projects due to start by the month, those started".into(),
                ),
            },
            M::StartedEarly => (
                "计划开工月份晚于当月、但已开工的新建项目数".into(),
                "new projects started before their planned start month".into(),
            ),
            M::StartRate => (
                "已开工 ÷ 计划新开工，保留一位小数".into(),
                "started ÷ planned to start, one decimal".into(),
            ),
            M::NotStarted => (
                "计划开工月份已到（不晚于当月）而尚未开工的新建项目数".into(),
                "new projects due to start by the month and not started".into(),
            ),
            M::Green | M::Yellow | M::Orange | M::Red => (
                "按当前红黄绿灯规则评定的当月灯色".into(),
                "the month's light under the light rules in force".into(),
            ),
            M::Lights => (
                "每个项目每月按现行灯色规则评定一种灯色，取各规则中最差者。默认规则为银川市公布的规则：投资进度落后本项目分月计划进度10—30个百分点（含）黄灯、超过30个百分点红灯；计划当月未开工黄灯、连续3个月未开工红灯；开工1个月未入库纳统黄灯、超过2个月红灯；资金拨付低于要求红灯。前期项目和尚未开工的新建项目不按投资进度评灯".into(),
                "each project gets one light a month under the rules in force, the worst any rule gives. The default is Yinchuan's published rules: 10–30 points behind the project's own monthly plan yellow, more red; not started in the planned month yellow, three months red; not in the statistics one month after the start yellow, more than two red; funds paid below requirement red. Preparatory projects and new ones not yet started are not judged by investment progress".into(),
            ),
            M::Lit => (
                "当月亮黄灯、橙灯或红灯的项目数".into(),
                "projects lit yellow, orange or red in the month".into(),
            ),
            M::ReportsDue => (
                "纳入统计的项目每月各报一次进度".into(),
                "every project in the population reports once a month".into(),
            ),
            M::ReportsMissing => match d.missing {
                MissingBasis::NotSubmitted => (
                    "截至统计时点，当期进度未报送的项目（草稿、被退回的计为未报，待审核的不计）"
                        .into(),
                    "projects whose report for the period has not been submitted at the time of counting (drafts and returned reports are missing; reports awaiting approval are not)".into(),
                ),
                MissingBasis::NotApproved => (
                    "截至统计时点，当期进度未经审核通过的项目".into(),
                    "projects whose report for the period has not been approved at the time of counting".into(),
                ),
            },
            M::ReportsLate => (
                format!("当期进度首次报送晚于次月{deadline_day}日（报送截止日）的项目"),
                format!("projects whose report was first submitted after day {deadline_day} of the next month (the deadline)"),
            ),
            M::MilestonesOverdue => (
                "截至当月末，有计划日期已过而未完成的节点的项目数".into(),
                "projects with a milestone past its planned date and not reached by the end of the month".into(),
            ),
            M::ProblemsOpen => match d.overdue {
                OverdueBasis::NotResolved => (
                    "牵头单位在范围内、尚未整改完成（未解决、未销号）的问题数".into(),
                    "problems led by a unit in scope, not yet resolved or closed".into(),
                ),
                OverdueBasis::NotClosed => (
                    "牵头单位在范围内、尚未销号的问题数（含已整改待销号）".into(),
                    "problems led by a unit in scope, not yet closed (resolved ones awaiting closure included)".into(),
                ),
            },
            M::ProblemsOverdue => match d.overdue {
                OverdueBasis::NotResolved => (
                    "牵头单位在范围内、超过整改时限仍未整改完成的问题数".into(),
                    "problems led by a unit in scope, past their deadline and not resolved".into(),
                ),
                OverdueBasis::NotClosed => (
                    "牵头单位在范围内、超过整改时限仍未销号的问题数".into(),
                    "problems led by a unit in scope, past their deadline and not closed".into(),
                ),
            },
            M::ProjectsWithOverdueProblems => (
                "有超期问题（按上述超期口径）的项目数；一个项目可有多个超期问题，未关联项目的问题不计".into(),
                "projects with at least one overdue problem (as defined above); a project may have several, and problems without a project are not counted".into(),
            ),
            M::Yoy => (
                "（本年累计完成投资 − 上年同期累计完成投资）÷ 上年同期累计完成投资".into(),
                "(completed to date − the same months of last year) ÷ the same months of last year"
                    .into(),
            ),
        };
        Definition {
            code: self.code(),
            kind: self.kind(),
            name_zh: self.zh(),
            name_en: self.en(),
            zh,
            en,
        }
    }
}

/// The figures of a group at a month: the additive totals, and every rate derived from
/// them. Rates are exact basis points (1 bp = 0.01%); they are printed with one decimal,
/// rounded half away from zero, and the gap is computed from the unrounded rates and
/// rounded once, as published bulletins do ("占年度投资计划的97.2%，超过时间进度13.8个百分点":
/// 629.0 ÷ 647.4 = 97.16%, − 83.33% = 13.83).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Figures {
    #[serde(flatten)]
    pub totals: Totals,
    pub time_basis: TimeBasis,
    pub missing_basis: MissingBasis,
    pub start_basis: StartBasis,
    pub completion_bp: Option<i64>,
    pub time_progress_bp: Option<i64>,
    pub gap_bp: Option<i64>,
    pub start_rate_bp: Option<i64>,
    pub yoy_bp: Option<i64>,
    /// 计划新开工 and 已开工 under the start-rate definition (their ratio is the rate).
    pub start_planned: i64,
    pub start_done: i64,
    pub not_started: i64,
    pub lit: i64,
    pub reports_due: i64,
    pub reports_missing: i64,
    pub reports_late: i64,
    /// "超过/落后时间进度 X 个百分点"
    pub gap_zh: Option<String>,
    pub gap_en: Option<String>,
    /// Every measure with a value as printed (亿元 with two decimals, rates with one), by code.
    pub text: std::collections::BTreeMap<Measure, String>,
}

impl Figures {
    /// The figures of `t` at month `month` (1..=12), with `last_year` the same group's
    /// totals at the same month a year before (for growth).
    pub fn of(t: Totals, month: u32, last_year: Option<&Totals>, d: &Definitions) -> Figures {
        use super::ratio_bp;
        let (completion, time_progress, gap) = Figures::rates(&t, month, d.time_progress);
        let (start_planned, start_done) = match d.start_rate {
            StartBasis::Year => (t.new_planned, t.new_started),
            StartBasis::ToDate => (t.due_to_start, t.started_of_due),
        };
        let yoy = last_year
            .filter(|l| l.projects > 0 && l.actual_ytd > 0)
            .and_then(|l| ratio_bp(t.actual_ytd - l.actual_ytd, l.actual_ytd));
        // Missing = due − present, where "present" is what the definition asks for.
        let missing = match d.missing {
            MissingBasis::NotSubmitted => t.projects - t.submitted,
            MissingBasis::NotApproved => t.projects - t.reported,
        };
        let mut f = Figures {
            totals: t,
            time_basis: d.time_progress,
            missing_basis: d.missing,
            start_basis: d.start_rate,
            completion_bp: completion,
            time_progress_bp: time_progress,
            gap_bp: gap,
            start_rate_bp: ratio_bp(start_done, start_planned),
            yoy_bp: yoy,
            start_planned,
            start_done,
            not_started: t.due_to_start - t.started_of_due,
            lit: t.lights[1] + t.lights[2] + t.lights[3],
            reports_due: t.projects,
            reports_missing: missing,
            reports_late: t.late,
            gap_zh: gap.map(gap_sentence_zh),
            gap_en: gap.map(gap_sentence_en),
            text: Default::default(),
        };
        for m in Measure::ALL {
            if let Some(s) = f.text_of(*m) {
                f.text.insert(*m, s);
            }
        }
        f
    }

    /// The same figures with the problem counts of the group printed beside them (they
    /// come from the problems, not from the totals).
    pub fn with_problems(mut self, open: i64, overdue: i64) -> Figures {
        self.text.insert(Measure::ProblemsOpen, open.to_string());
        self.text
            .insert(Measure::ProblemsOverdue, overdue.to_string());
        self
    }

    /// Completion, time progress and the gap between them, in basis points; the gap from
    /// the exact rates, rounded once. `None` without an annual plan.
    pub fn rates(
        t: &Totals,
        month: u32,
        basis: TimeBasis,
    ) -> (Option<i64>, Option<i64>, Option<i64>) {
        if t.annual_plan <= 0 {
            return (None, None, None);
        }
        let tp = match basis {
            TimeBasis::Calendar => super::progress::calendar_time_progress_exact(month),
            TimeBasis::Plan => Rational::new(t.plan_to_date, t.annual_plan),
        };
        let c = Rational::new(t.actual_ytd, t.annual_plan);
        (Some(c.bp()), Some(tp.bp()), Some(c.minus_in_bp(tp)))
    }

    /// The value of a measure: a count or yuan, or basis points for rates and points
    /// (`None` when a rate has no denominator). Problem counts are not in the totals.
    pub fn value(&self, m: Measure) -> Option<i64> {
        use Measure as M;
        let t = &self.totals;
        Some(match m {
            M::Projects => t.projects,
            M::TotalInvestment => t.total_investment,
            M::AnnualPlan => t.annual_plan,
            M::PlanToDate => t.plan_to_date,
            M::Completed => t.actual_ytd,
            M::Completion => return self.completion_bp,
            M::TimeProgress => return self.time_progress_bp,
            M::Gap => return self.gap_bp,
            M::NewPlanned => self.start_planned,
            M::NewStarted => self.start_done,
            M::StartedEarly => t.new_started - t.started_of_due,
            M::StartRate => return self.start_rate_bp,
            M::NotStarted => self.not_started,
            M::Green => t.lights[0],
            M::Yellow => t.lights[1],
            M::Orange => t.lights[2],
            M::Red => t.lights[3],
            M::Lit => self.lit,
            M::ReportsDue => self.reports_due,
            M::ReportsMissing => self.reports_missing,
            M::ReportsLate => self.reports_late,
            M::MilestonesOverdue => t.milestones_overdue,
            M::Yoy => return self.yoy_bp,
            M::Lights => t.projects,
            M::ProblemsOpen | M::ProblemsOverdue | M::ProjectsWithOverdueProblems => return None,
        })
    }

    /// A measure as printed, or `None` when it has no value.
    pub fn text_of(&self, m: Measure) -> Option<String> {
        let v = self.value(m)?;
        Some(print(m.kind(), v))
    }
}

/// An exact ratio, so that differences of rates are rounded once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rational {
    num: i128,
    den: i128,
}

impl Rational {
    /// `num / den` for `den > 0`.
    pub fn new(num: i64, den: i64) -> Rational {
        debug_assert!(den > 0);
        Rational {
            num: i128::from(num),
            den: i128::from(den.max(1)),
        }
    }
    /// In basis points, rounded.
    pub fn bp(self) -> i64 {
        div_round(self.num * 10_000, self.den) as i64
    }
    /// `self − other` in basis points, rounded once.
    pub fn minus_in_bp(self, other: Rational) -> i64 {
        div_round(
            (self.num * other.den - other.num * self.den) * 10_000,
            self.den * other.den,
        ) as i64
    }
}

/// A value of a kind as printed.
pub fn print(kind: Kind, v: i64) -> String {
    match kind {
        Kind::Count => v.to_string(),
        Kind::Money => crate::money::Yuan::new(v).yi(),
        Kind::Rate => super::progress::pct1(v),
        Kind::Points => super::progress::points(v),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn group(annual: i64, plan: i64, actual: i64) -> Totals {
        Totals {
            projects: 3,
            annual_plan: annual,
            plan_to_date: plan,
            actual_ytd: actual,
            ..Totals::ZERO
        }
    }

    /// Basis points rounded to tenths of a percent (the printed precision).
    fn tenths(bp: i64) -> i64 {
        div_round(i128::from(bp), 10) as i64
    }

    fn yi(text: &str) -> i64 {
        crate::money::Yuan::parse_in("yi", text, crate::money::MoneyUnit::Yi)
            .unwrap()
            .get()
    }

    /// Published bulletins, reproduced from their own figures (fixtures/published.json).
    #[test]
    fn published_sentences_are_reproduced() {
        let v: serde_json::Value =
            serde_json::from_str(include_str!("fixtures/published.json")).unwrap();
        let d = Definitions::default();
        for b in v["time_progress"].as_array().unwrap() {
            let (annual, done) = (
                yi(b["annual_yi"].as_str().unwrap()),
                yi(b["completed_yi"].as_str().unwrap()),
            );
            let month = b["month"].as_u64().unwrap() as u32;
            let f = Figures::of(group(annual, 0, done), month, None, &d);
            let at = b["address"].as_str().unwrap();
            assert_eq!(
                f.text[&Measure::Completion],
                b["completion"].as_str().unwrap(),
                "{at}"
            );
            assert_eq!(f.text[&Measure::Gap], b["gap"].as_str().unwrap(), "{at}");
            assert_eq!(f.gap_zh.as_deref(), b["sentence"].as_str(), "{at}");
        }
        for b in v["start_rate"].as_array().unwrap() {
            let t = Totals {
                new_planned: b["planned"].as_i64().unwrap(),
                new_started: b["started"].as_i64().unwrap(),
                ..Totals::ZERO
            };
            let f = Figures::of(t, 10, None, &d);
            assert_eq!(
                f.text[&Measure::StartRate],
                b["rate"].as_str().unwrap(),
                "{}",
                b["address"]
            );
            assert_eq!(f.text[&Measure::NewPlanned], b["planned"].to_string());
        }
    }

    #[test]
    fn time_progress_by_calendar_or_by_plan() {
        // 1—11月 by the plan curves 95.4%; by the calendar 11/12 = 91.7%.
        let plan = Definitions {
            time_progress: TimeBasis::Plan,
            ..Default::default()
        };
        let g = Figures::of(group(1000, 954, 866), 11, None, &plan);
        assert_eq!(g.text[&Measure::TimeProgress], "95.4%");
        assert_eq!(g.text[&Measure::Gap], "-8.8");
        let c = Figures::of(group(1000, 954, 866), 11, None, &Definitions::default());
        assert_eq!(c.text[&Measure::TimeProgress], "91.7%");
        assert_eq!(c.text[&Measure::Gap], "-5.1");
        assert_eq!(c.gap_en.as_deref(), Some("5.1 points behind time progress"));
        assert_eq!(c.time_basis, TimeBasis::Calendar);
        // No plan, no rates.
        let none = Figures::of(group(0, 0, 5), 11, None, &Definitions::default());
        assert_eq!(
            (none.completion_bp, none.time_progress_bp, none.gap_bp),
            (None, None, None)
        );
        assert!(!none.text.contains_key(&Measure::Gap));
    }

    #[test]
    fn rounding_is_half_away_from_zero_on_every_page() {
        // -10.85 points prints as -10.9, never -10.8.
        assert_eq!(print(Kind::Points, -1085), "-10.9");
        assert_eq!(print(Kind::Rate, 9725), "97.3%");
        assert_eq!(print(Kind::Rate, -55), "-0.6%");
        assert_eq!(print(Kind::Money, 2_165_535_000_000), "21655.35");
        assert_eq!(gap_sentence_zh(-4), "与时间进度持平");
    }

    #[test]
    fn missing_and_starts_follow_the_definitions() {
        let t = Totals {
            projects: 10,
            submitted: 7,
            reported: 5,
            late: 2,
            new_planned: 8,
            new_started: 5,
            due_to_start: 6,
            started_of_due: 4,
            ..Totals::ZERO
        };
        let f = Figures::of(t, 5, None, &Definitions::default());
        assert_eq!(
            (f.reports_due, f.reports_missing, f.reports_late),
            (10, 3, 2)
        );
        assert_eq!(
            (
                f.start_planned,
                f.start_done,
                f.text[&Measure::StartRate].as_str()
            ),
            (8, 5, "62.5%")
        );
        assert_eq!(
            (f.not_started, f.value(Measure::StartedEarly)),
            (2, Some(1))
        );
        let d = Definitions {
            missing: MissingBasis::NotApproved,
            start_rate: StartBasis::ToDate,
            ..Default::default()
        };
        let g = Figures::of(t, 5, None, &d);
        assert_eq!(g.reports_missing, 5);
        assert_eq!(
            (
                g.start_planned,
                g.start_done,
                g.text[&Measure::StartRate].as_str()
            ),
            (6, 4, "66.7%")
        );
    }

    #[test]
    fn every_measure_has_its_words() {
        let d = Definitions::default();
        for m in Measure::ALL {
            let def = m.definition(&d, 3);
            assert!(!def.zh.is_empty() && !def.en.is_empty(), "{m:?}");
            assert_eq!(Measure::from_code(m.code()), Some(*m));
        }
        assert!(Measure::ReportsLate.definition(&d, 5).zh.contains("5日"));
        assert!(Measure::TimeProgress.definition(&d, 3).zh.contains("日历"));
        let overdue = Definitions {
            overdue: OverdueBasis::NotClosed,
            ..Default::default()
        };
        use crate::problem::ProblemState as S;
        assert!(!d.overdue_counts(S::Resolved) && overdue.overdue_counts(S::Resolved));
        assert!(!overdue.overdue_counts(S::Closed));
        let bad = Definitions {
            lists: ListRule {
                red: 99,
                ..Default::default()
            },
            ..Default::default()
        };
        assert_eq!(bad.validate().unwrap_err().fields(), vec!["lists.red"]);
    }

    proptest! {
        /// What is printed can be checked on the page: the printed gap is within a tenth
        /// of the printed completion minus the printed time progress, and the printed
        /// start rate is the printed numerator over the printed denominator.
        #[test]
        fn printed_figures_add_up(annual in 1i64..1_000_000_000_000, done in 0i64..1_500_000_000_000, month in 1u32..13, planned in 0i64..500, started in 0i64..500) {
            let t = Totals { projects: 1, annual_plan: annual, actual_ytd: done, new_planned: planned, new_started: started.min(planned), ..Totals::ZERO };
            let f = Figures::of(t, month, None, &Definitions::default());
            let num = |s: &str| (s.trim_end_matches('%').parse::<f64>().unwrap() * 10.0).round() as i64;
            let diff = num(&f.text[&Measure::Completion]) - num(&f.text[&Measure::TimeProgress]);
            prop_assert!((num(&f.text[&Measure::Gap]) - diff).abs() <= 1);
            if planned > 0 {
                let n: i64 = f.text[&Measure::NewStarted].parse().unwrap();
                let d: i64 = f.text[&Measure::NewPlanned].parse().unwrap();
                prop_assert_eq!(num(&f.text[&Measure::StartRate]), tenths(super::super::ratio_bp(n, d).unwrap()));
            } else {
                prop_assert!(!f.text.contains_key(&Measure::StartRate));
            }
        }
    }
}
