//! Traffic lights (红黄绿灯) from a configurable rule set (DESIGN §5.2). The default is
//! the published Yinchuan rules; the other published variants are configurations of the
//! same rules, not code. Every light comes with the reasons that produced it: the rule,
//! its thresholds and the inputs it saw ("why").

use serde::{Deserialize, Serialize};

/// Ordered from best to worst: a worse light always wins.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default,
)]
#[serde(rename_all = "snake_case")]
pub enum Light {
    #[default]
    Green,
    Yellow,
    Orange,
    Red,
}

impl Light {
    pub const ALL: [Light; 4] = [Light::Green, Light::Yellow, Light::Orange, Light::Red];
    pub fn code(self) -> &'static str {
        match self {
            Light::Green => "green",
            Light::Yellow => "yellow",
            Light::Orange => "orange",
            Light::Red => "red",
        }
    }
    pub fn zh(self) -> &'static str {
        match self {
            Light::Green => "绿灯",
            Light::Yellow => "黄灯",
            Light::Orange => "橙灯",
            Light::Red => "红灯",
        }
    }
    pub fn en(self) -> &'static str {
        match self {
            Light::Green => "Green",
            Light::Yellow => "Yellow",
            Light::Orange => "Orange",
            Light::Red => "Red",
        }
    }
    pub fn from_code(s: &str) -> Option<Light> {
        Light::ALL.into_iter().find(|l| l.code() == s)
    }
    /// Small integer for storage (0 green … 3 red).
    pub fn index(self) -> usize {
        self as usize
    }
}

/// Progress against the plan: behind by `yellow_behind_bp` or more → yellow, by more than
/// `red_behind_bp` → red; behind by less than `yellow_behind_bp` stays green with a note.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProgressRule {
    /// Compare with the project's own plan curve (`plan`) or with calendar time (`calendar`).
    #[serde(default = "plan_basis")]
    #[schemars(extend("enum" = ["plan", "calendar"]))]
    pub basis: String,
    pub yellow_behind_bp: i64,
    pub red_behind_bp: i64,
}
fn plan_basis() -> String {
    "plan".into()
}

/// A new project not started in its planned month: yellow after `yellow_after_months`
/// months, red after `red_after_months`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StartRule {
    pub yellow_after_months: u32,
    pub red_after_months: u32,
}

/// Started but not entered in the statistics (入库纳统) after so many months.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StatsEntryRule {
    pub yellow_after_months: u32,
    pub red_after_months: u32,
}

/// Funds paid below what the work done requires: the disbursed share of total
/// investment trails physical progress by more than `red_behind_bp` → red.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FundsRule {
    pub red_behind_bp: i64,
}

/// Milestone slippage in days (a published variant): ≥ `yellow_days` yellow,
/// ≥ `orange_days` orange, ≥ `red_days` red.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SlippageRule {
    pub yellow_days: i64,
    pub orange_days: i64,
    pub red_days: i64,
}

/// Growth against the plan target and against the average of peers (a published
/// variant for units): both met green, one met yellow, neither red.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GrowthRule {
    pub target_bp: i64,
}

/// Deadline lights for problems (a published variant): days left ≤ `yellow_days_left`
/// yellow, overdue red.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DeadlineRule {
    pub yellow_days_left: i64,
}

/// A rule set: each rule is optional; the light is the worst any rule gives. Fields
/// left out of a configuration keep the Yinchuan default; `null` turns a rule off.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct RuleSet {
    pub name: String,
    pub progress: Option<ProgressRule>,
    pub start: Option<StartRule>,
    pub stats_entry: Option<StatsEntryRule>,
    pub funds: Option<FundsRule>,
    pub slippage: Option<SlippageRule>,
    /// This many consecutive yellow months make red (2 in the default); 0 = off.
    pub escalate_after_yellows: u32,
    pub growth: Option<GrowthRule>,
    pub deadline: Option<DeadlineRule>,
}

impl Default for RuleSet {
    fn default() -> Self {
        RuleSet::yinchuan()
    }
}

impl RuleSet {
    /// The default: Yinchuan's published rules and nothing more (the text is kept with its
    /// address in `fixtures/published.json`):
    /// - progress: "对完成序时进度项目亮绿灯，对低于序时进度10~30个百分点(含10~30个百分点)的项目亮黄灯，
    ///   对低于序时进度超过30个百分点项目亮红灯";
    /// - start: "计划当月开工但无正当理由未及时开工项目亮黄灯，对连续3个月无正当理由应开工未开工项目亮红灯"
    ///   (the planned month and the two after it: red in the third);
    /// - statistics: "开工后1个月但无正当理由未入库项目亮黄灯，开工超2个月但无正当理由未入库项目亮红灯";
    /// - funds: "对低于国家、自治区有关要求项目亮红灯" (no yellow).
    ///
    /// No escalation of yellows and no problem deadlines: those are other cities' variants.
    pub fn yinchuan() -> RuleSet {
        RuleSet {
            name: "yinchuan".into(),
            progress: Some(ProgressRule {
                basis: "plan".into(),
                yellow_behind_bp: 1000,
                red_behind_bp: 3000,
            }),
            start: Some(StartRule {
                yellow_after_months: 0,
                red_after_months: 2,
            }),
            stats_entry: Some(StatsEntryRule {
                yellow_after_months: 1,
                red_after_months: 2,
            }),
            funds: Some(FundsRule {
                red_behind_bp: 3000,
            }),
            slippage: None,
            escalate_after_yellows: 0,
            growth: None,
            deadline: None,
        }
    }

    /// Check the thresholds make sense; each error names the field.
    pub fn validate(&self) -> Result<(), crate::ValidationErrors> {
        use crate::FieldError;
        let mut e = crate::ValidationErrors::default();
        if let Some(p) = &self.progress {
            if !(0..=10_000).contains(&p.yellow_behind_bp) || p.red_behind_bp < p.yellow_behind_bp {
                e.push(FieldError::new(
                    "progress",
                    "order",
                    "进度规则须满足 0 ≤ 黄灯阈值 ≤ 红灯阈值",
                    "progress thresholds must satisfy 0 ≤ yellow ≤ red",
                ));
            }
            if p.basis != "plan" && p.basis != "calendar" {
                e.push(FieldError::new(
                    "progress.basis",
                    "unknown_code",
                    "进度基准应为 plan 或 calendar",
                    "basis must be plan or calendar",
                ));
            }
        }
        if let Some(s) = &self.start
            && s.red_after_months < s.yellow_after_months
        {
            e.push(FieldError::new(
                "start",
                "order",
                "开工规则的红灯月数不能小于黄灯月数",
                "start: red months cannot be fewer than yellow months",
            ));
        }
        if let Some(s) = &self.stats_entry
            && s.red_after_months < s.yellow_after_months
        {
            e.push(FieldError::new(
                "stats_entry",
                "order",
                "入库纳统规则的红灯月数不能小于黄灯月数",
                "stats entry: red months cannot be fewer than yellow months",
            ));
        }
        if let Some(s) = &self.slippage
            && !(0 <= s.yellow_days
                && s.yellow_days <= s.orange_days
                && s.orange_days <= s.red_days)
        {
            e.push(FieldError::new(
                "slippage",
                "order",
                "滞后天数须满足 黄 ≤ 橙 ≤ 红",
                "slippage days must satisfy yellow ≤ orange ≤ red",
            ));
        }
        e.into_result(|| ())
    }
}

/// Why a rule lit what it lit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reason {
    /// The rule: progress, start, stats_entry, funds, slippage, escalation, growth, deadline.
    pub rule: &'static str,
    pub light: Light,
    pub zh: String,
    pub en: String,
    /// (name, value) of the inputs and thresholds.
    pub facts: Vec<(&'static str, i64)>,
}

/// The facts of one project at the end of one month that the rules look at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MonthFacts {
    /// 1..=12
    pub month: u32,
    /// Completion of the annual plan so far, bp (None without a plan).
    pub completion_bp: Option<i64>,
    /// Where the plan (or the calendar) says it should be, bp.
    pub plan_bp: Option<i64>,
    pub calendar_bp: i64,
    /// Under construction with its plan begun: a continuing project, or a new one that
    /// has started, whose plan to date is above zero. Only then is progress judged
    /// against the plan (a preparatory project, or a new one not yet started, is judged
    /// by the start rule instead).
    pub in_construction: bool,
    /// For a new project: its planned start month.
    pub planned_start_month: Option<u32>,
    /// The month it started in (this year), or 0 when it started in an earlier year.
    pub started_month: Option<u32>,
    /// Whole months since it started (across years), when it has.
    pub months_since_start: Option<u32>,
    /// Entered in the statistics by any approved report of the year so far.
    pub stats_entered: bool,
    pub progress_bp: i64,
    /// Disbursed share of total investment, bp.
    pub disbursed_bp: Option<i64>,
    /// Worst milestone slippage in days (0 when none is late).
    pub slippage_days: i64,
}

/// The light of one month before escalation, with every reason that is not green.
pub fn evaluate(r: &RuleSet, f: &MonthFacts) -> (Light, Vec<Reason>) {
    evaluate_with(r, f, true)
}

/// A reason's words, written only when someone will read them: the full recomputation
/// of a million projects needs the lights, not twelve million sentences.
fn say(explain: bool, words: impl FnOnce() -> String) -> String {
    if explain { words() } else { String::new() }
}

/// [`evaluate`], with the reasons' words and facts (`explain`) or with their rules and
/// lights only.
pub fn evaluate_with(r: &RuleSet, f: &MonthFacts, explain: bool) -> (Light, Vec<Reason>) {
    let mut reasons = Vec::new();
    if let Some(p) = &r.progress {
        let should = if p.basis == "calendar" {
            Some(f.calendar_bp)
        } else {
            f.plan_bp
        };
        if let (true, Some(done), Some(should)) = (f.in_construction, f.completion_bp, should) {
            let behind = should - done;
            let light = if behind > p.red_behind_bp {
                Light::Red
            } else if behind >= p.yellow_behind_bp && behind > 0 {
                Light::Yellow
            } else {
                Light::Green
            };
            if behind > 0 {
                reasons.push(Reason {
                    rule: "progress",
                    light,
                    zh: say(explain, || {
                        format!(
                            "完成年度计划{}，应达{}，落后{}个百分点",
                            super::progress::pct1(done),
                            super::progress::pct1(should),
                            super::progress::points(behind)
                        )
                    }),
                    en: say(explain, || {
                        format!(
                            "{} of the annual plan done against {} due: {} points behind",
                            super::progress::pct1(done),
                            super::progress::pct1(should),
                            super::progress::points(behind)
                        )
                    }),
                    facts: if explain {
                        vec![
                            ("completion_bp", done),
                            ("due_bp", should),
                            ("yellow_behind_bp", p.yellow_behind_bp),
                            ("red_behind_bp", p.red_behind_bp),
                        ]
                    } else {
                        Vec::new()
                    },
                });
            }
        }
    }
    if let (Some(s), Some(planned)) = (&r.start, f.planned_start_month)
        && f.started_month.is_none_or(|m| m > f.month)
        && f.month >= planned
    {
        let late = f.month - planned;
        let light = if late >= s.red_after_months {
            Light::Red
        } else if late >= s.yellow_after_months {
            Light::Yellow
        } else {
            Light::Green
        };
        reasons.push(Reason {
            rule: "start",
            light,
            zh: say(explain, || {
                format!("计划{planned}月开工，至{}月仍未开工", f.month)
            }),
            en: say(explain, || {
                format!(
                    "planned to start in month {planned}, not started by month {}",
                    f.month
                )
            }),
            facts: if explain {
                vec![
                    ("planned_start_month", i64::from(planned)),
                    ("month", i64::from(f.month)),
                    ("red_after_months", i64::from(s.red_after_months)),
                ]
            } else {
                Vec::new()
            },
        });
    }
    if let (Some(s), Some(waited)) = (&r.stats_entry, f.months_since_start)
        && !f.stats_entered
        && f.started_month.is_some_and(|m| m <= f.month)
    {
        let light = if waited >= s.red_after_months {
            Light::Red
        } else if waited >= s.yellow_after_months {
            Light::Yellow
        } else {
            Light::Green
        };
        if light != Light::Green {
            reasons.push(Reason {
                rule: "stats_entry",
                light,
                zh: say(explain, || format!("开工{waited}个月仍未入库纳统")),
                en: say(explain, || {
                    format!("started {waited} months ago and not yet entered in the statistics")
                }),
                facts: if explain {
                    vec![("months_since_start", i64::from(waited))]
                } else {
                    Vec::new()
                },
            });
        }
    }
    if let (Some(fr), Some(paid)) = (&r.funds, f.disbursed_bp) {
        let behind = f.progress_bp - paid;
        if behind > fr.red_behind_bp {
            reasons.push(Reason {
                rule: "funds",
                light: Light::Red,
                zh: say(explain, || {
                    format!(
                        "资金拨付（{}）落后形象进度（{}）{}个百分点",
                        super::progress::pct1(paid),
                        super::progress::pct1(f.progress_bp),
                        super::progress::points(behind)
                    )
                }),
                en: say(explain, || {
                    format!(
                        "disbursed share ({}) trails physical progress ({}) by {} points",
                        super::progress::pct1(paid),
                        super::progress::pct1(f.progress_bp),
                        super::progress::points(behind)
                    )
                }),
                facts: if explain {
                    vec![
                        ("disbursed_bp", paid),
                        ("progress_bp", f.progress_bp),
                        ("red_behind_bp", fr.red_behind_bp),
                    ]
                } else {
                    Vec::new()
                },
            });
        }
    }
    if let Some(s) = &r.slippage
        && f.slippage_days > 0
    {
        let d = f.slippage_days;
        let light = if d >= s.red_days {
            Light::Red
        } else if d >= s.orange_days {
            Light::Orange
        } else if d >= s.yellow_days {
            Light::Yellow
        } else {
            Light::Green
        };
        reasons.push(Reason {
            rule: "slippage",
            light,
            zh: say(explain, || format!("节点滞后{d}天")),
            en: say(explain, || format!("a milestone is {d} days late")),
            facts: if explain {
                vec![("slippage_days", d)]
            } else {
                Vec::new()
            },
        });
    }
    let light = reasons
        .iter()
        .map(|r| r.light)
        .max()
        .unwrap_or(Light::Green);
    (light, reasons)
}

/// Apply escalation over a year of monthly lights: `n` consecutive yellows make red.
pub fn escalate(r: &RuleSet, lights: &mut [Light], reasons: &mut [Vec<Reason>], explain: bool) {
    let n = r.escalate_after_yellows as usize;
    if n == 0 {
        return;
    }
    let base: Vec<Light> = lights.to_vec();
    for i in (n - 1)..base.len() {
        if base[i + 1 - n..=i].iter().all(|l| *l == Light::Yellow) {
            lights[i] = Light::Red;
            reasons[i].push(Reason {
                rule: "escalation",
                light: Light::Red,
                zh: say(explain, || format!("连续{n}个月黄灯，升为红灯")),
                en: say(explain, || format!("{n} yellow months in a row make red")),
                facts: if explain {
                    vec![("consecutive_yellows", n as i64)]
                } else {
                    Vec::new()
                },
            });
        }
    }
}

/// The growth variant, for units: both the target and the average met → green, one →
/// yellow, neither → red.
pub fn growth_light(rule: &GrowthRule, growth_bp: i64, average_bp: i64) -> (Light, Reason) {
    let met = usize::from(growth_bp >= rule.target_bp) + usize::from(growth_bp >= average_bp);
    let light = match met {
        2 => Light::Green,
        1 => Light::Yellow,
        _ => Light::Red,
    };
    (
        light,
        Reason {
            rule: "growth",
            light,
            zh: format!(
                "增速{}，目标{}，平均{}",
                super::progress::pct1(growth_bp),
                super::progress::pct1(rule.target_bp),
                super::progress::pct1(average_bp)
            ),
            en: format!(
                "growth {} against a target of {} and an average of {}",
                super::progress::pct1(growth_bp),
                super::progress::pct1(rule.target_bp),
                super::progress::pct1(average_bp)
            ),
            facts: vec![
                ("growth_bp", growth_bp),
                ("target_bp", rule.target_bp),
                ("average_bp", average_bp),
            ],
        },
    )
}

/// The deadline variant, for problems: days left ≤ the rule's → yellow, overdue → red.
pub fn deadline_light(rule: &DeadlineRule, days_left: i64) -> Light {
    if days_left < 0 {
        Light::Red
    } else if days_left <= rule.yellow_days_left {
        Light::Yellow
    } else {
        Light::Green
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn facts(completion: i64, plan: i64) -> MonthFacts {
        MonthFacts {
            month: 6,
            completion_bp: Some(completion),
            plan_bp: Some(plan),
            calendar_bp: 5000,
            progress_bp: 5000,
            stats_entered: true,
            in_construction: true,
            started_month: Some(1),
            months_since_start: Some(5),
            ..Default::default()
        }
    }

    #[test]
    fn yinchuan_progress_bands() {
        let r = RuleSet::yinchuan();
        assert_eq!(evaluate(&r, &facts(5000, 5000)).0, Light::Green);
        let (l, why) = evaluate(&r, &facts(4500, 5000));
        assert_eq!(
            l,
            Light::Green,
            "behind by less than 10 points: green with a note"
        );
        assert_eq!(why[0].rule, "progress");
        assert_eq!(evaluate(&r, &facts(4000, 5000)).0, Light::Yellow);
        assert_eq!(
            evaluate(&r, &facts(2000, 5000)).0,
            Light::Yellow,
            "30 points is still yellow"
        );
        assert_eq!(evaluate(&r, &facts(1999, 5000)).0, Light::Red);
    }

    #[test]
    fn start_stats_and_funds_rules() {
        let r = RuleSet::yinchuan();
        let mut f = facts(5000, 5000);
        f.started_month = None;
        f.months_since_start = None;
        f.in_construction = false;
        f.planned_start_month = Some(4);
        f.month = 3;
        assert_eq!(evaluate(&r, &f).0, Light::Green, "not yet due");
        // "连续3个月…应开工未开工项目亮红灯": April and May yellow, June (the third) red.
        for (month, light) in [
            (4, Light::Yellow),
            (5, Light::Yellow),
            (6, Light::Red),
            (7, Light::Red),
        ] {
            f.month = month;
            assert_eq!(evaluate(&r, &f).0, light, "month {month}");
        }
        // Started in March, never entered: one month after, yellow; after two, red.
        let mut g = facts(5000, 5000);
        g.started_month = Some(3);
        g.stats_entered = false;
        for (month, light) in [(3, Light::Green), (4, Light::Yellow), (5, Light::Red)] {
            g.month = month;
            g.months_since_start = Some(month - 3);
            assert_eq!(evaluate(&r, &g).0, light, "month {month}");
        }
        g.stats_entered = true;
        assert_eq!(evaluate(&r, &g).0, Light::Green, "entered: no light");
        let mut h = facts(5000, 5000);
        h.progress_bp = 8000;
        h.disbursed_bp = Some(4000);
        let (l, why) = evaluate(&r, &h);
        assert_eq!((l, why[0].rule), (Light::Red, "funds"));
    }

    #[test]
    fn progress_is_judged_only_under_construction() {
        let r = RuleSet::yinchuan();
        // 0% of a plan due at 96%: red under construction, nothing before.
        let mut f = facts(0, 9600);
        assert_eq!(evaluate(&r, &f).0, Light::Red);
        f.in_construction = false;
        assert_eq!(evaluate(&r, &f), (Light::Green, vec![]));
    }

    #[test]
    fn the_default_is_the_published_rule_set_and_nothing_more() {
        let r = RuleSet::yinchuan();
        assert_eq!(r.escalate_after_yellows, 0);
        assert!(r.deadline.is_none() && r.slippage.is_none() && r.growth.is_none());
        let v: serde_json::Value =
            serde_json::from_str(include_str!("fixtures/published.json")).unwrap();
        let text = v["lights"]["progress"].as_str().unwrap();
        assert!(text.contains("10~30个百分点") && text.contains("超过30个百分点"));
        let p = r.progress.unwrap();
        assert_eq!((p.yellow_behind_bp, p.red_behind_bp), (1000, 3000));
        assert!(v["lights"]["start"].as_str().unwrap().contains("连续3个月"));
        assert_eq!(r.start.unwrap().red_after_months + 1, 3);
    }

    #[test]
    fn two_yellows_make_red() {
        let r = RuleSet {
            escalate_after_yellows: 2,
            ..RuleSet::yinchuan()
        };
        let mut l = vec![
            Light::Green,
            Light::Yellow,
            Light::Yellow,
            Light::Green,
            Light::Yellow,
        ];
        let mut why = vec![Vec::new(); 5];
        escalate(&r, &mut l, &mut why, true);
        assert_eq!(
            l,
            vec![
                Light::Green,
                Light::Yellow,
                Light::Red,
                Light::Green,
                Light::Yellow
            ]
        );
        assert_eq!(why[2][0].rule, "escalation");
    }

    /// Each published variant is a configuration of the same rules.
    #[test]
    fn published_variants_are_configurations() {
        // Calendar-based progress instead of the project's own curve.
        let cal: RuleSet = serde_json::from_str(r#"{ "name": "calendar", "progress": { "basis": "calendar", "yellow_behind_bp": 500, "red_behind_bp": 1500 } }"#).unwrap();
        cal.validate().unwrap();
        let mut f = facts(4000, 3000);
        f.calendar_bp = 5000;
        assert_eq!(evaluate(&cal, &f).0, Light::Yellow);
        // Schedule slippage in days: ≤7 yellow, 7–15 orange, ≥15 red.
        let slip: RuleSet = serde_json::from_str(r#"{ "name": "slippage", "slippage": { "yellow_days": 1, "orange_days": 8, "red_days": 15 } }"#).unwrap();
        slip.validate().unwrap();
        for (days, light) in [
            (0, Light::Green),
            (3, Light::Yellow),
            (10, Light::Orange),
            (15, Light::Red),
        ] {
            let mut f = facts(5000, 5000);
            f.slippage_days = days;
            assert_eq!(evaluate(&slip, &f).0, light, "{days} days");
        }
        // Growth against target and average; problem deadlines.
        let g = GrowthRule { target_bp: 800 };
        assert_eq!(growth_light(&g, 900, 700).0, Light::Green);
        assert_eq!(growth_light(&g, 750, 700).0, Light::Yellow);
        assert_eq!(growth_light(&g, 500, 700).0, Light::Red);
        let d = DeadlineRule {
            yellow_days_left: 3,
        };
        assert_eq!(
            (
                deadline_light(&d, 4),
                deadline_light(&d, 3),
                deadline_light(&d, -1)
            ),
            (Light::Green, Light::Yellow, Light::Red)
        );
        // Escalation off.
        let off: RuleSet = serde_json::from_str(r#"{ "escalate_after_yellows": 0, "progress": { "yellow_behind_bp": 1000, "red_behind_bp": 3000 } }"#).unwrap();
        let mut l = vec![Light::Yellow; 3];
        escalate(&off, &mut l, &mut vec![Vec::new(); 3], true);
        assert_eq!(l, vec![Light::Yellow; 3]);
        // Nonsense thresholds are refused with the field named.
        let bad: RuleSet = serde_json::from_str(
            r#"{ "progress": { "yellow_behind_bp": 3000, "red_behind_bp": 1000 } }"#,
        )
        .unwrap();
        assert_eq!(bad.validate().unwrap_err().fields(), vec!["progress"]);
        assert!(
            serde_json::from_str::<RuleSet>(r#"{ "progres": {} }"#).is_err(),
            "typos are errors"
        );
    }

    proptest! {
        /// More progress never makes a light worse.
        #[test]
        fn lights_are_monotone_in_progress(plan in 0i64..10_000, a in 0i64..12_000, b in 0i64..12_000, month in 1u32..13) {
            let r = RuleSet::yinchuan();
            let (lo, hi) = (a.min(b), a.max(b));
            let mut f = facts(lo, plan);
            f.month = month;
            let worse = evaluate(&r, &f).0;
            f.completion_bp = Some(hi);
            prop_assert!(evaluate(&r, &f).0 <= worse);
        }
    }

    proptest::proptest! {
        /// The lights are the same whether the reasons are written out or not: the
        /// full recomputation skips the words, the project page shows them.
        #[test]
        fn the_words_do_not_change_the_light(
            month in 1u32..=12,
            completion in proptest::option::of(0i64..=12_000),
            plan in proptest::option::of(0i64..=10_000),
            calendar in 0i64..=10_000,
            in_construction: bool,
            planned_start in proptest::option::of(1u32..=12),
            started in proptest::option::of(0u32..=12),
            since in proptest::option::of(0u32..=60),
            entered: bool,
            progress in 0i64..=10_000,
            disbursed in proptest::option::of(0i64..=10_000),
            slippage in 0i64..=400,
        ) {
            let f = MonthFacts {
                month,
                completion_bp: completion,
                plan_bp: plan,
                calendar_bp: calendar,
                in_construction,
                planned_start_month: planned_start,
                started_month: started,
                months_since_start: since,
                stats_entered: entered,
                progress_bp: progress,
                disbursed_bp: disbursed,
                slippage_days: slippage,
            };
            let r = RuleSet::yinchuan();
            let (l1, why) = evaluate_with(&r, &f, true);
            let (l2, bare) = evaluate_with(&r, &f, false);
            proptest::prop_assert_eq!(l1, l2);
            let rules = |v: &[Reason]| v.iter().map(|x| (x.rule, x.light)).collect::<Vec<_>>();
            proptest::prop_assert_eq!(rules(&why), rules(&bare));
            proptest::prop_assert!(why.iter().all(|x| !x.zh.is_empty() && !x.en.is_empty()));
            proptest::prop_assert!(bare.iter().all(|x| x.zh.is_empty() && x.facts.is_empty()));
        }
    }
}
