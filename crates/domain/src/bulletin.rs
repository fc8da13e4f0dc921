//! The monthly bulletin (通报, DESIGN §6), composed from a frozen snapshot.
//!
//! A [`Snapshot`] holds, for one period and one issuing unit, every figure the bulletin
//! uses, as the approved data stood at the cut-off: the projects' contributions summed by
//! unit and kind ([`SnapGroup`]), the projects it names ([`SnapLagging`]), the overdue
//! problems and the reporting counts. It is folded one project at a time ([`Tally`]), so
//! gathering it holds no more than what it keeps. It is stored with the bulletin, and
//! [`compose`] is a pure function of it: the same snapshot gives the same document years
//! later, whatever was corrected since. The document is a list of [`Block`]s (numbered
//! headings, paragraphs, tables) that the renderers (text, HTML, docx, xlsx) lay out.

use crate::analytics::lights::Light;
use crate::analytics::measure::{
    Definitions, Figures, Measure, MissingBasis, OverdueBasis, StartBasis, TimeBasis,
};
use crate::analytics::rank::standings;
use crate::analytics::totals::{MonthEntry, Totals};
use crate::analytics::year::ProjectYear;
use crate::ids::ProjectId;
use crate::money::Yuan;
use crate::period::Period;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// A unit of the issuing unit's subtree (the root has no parent in the snapshot).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SnapUnit {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub name: String,
    /// The assessment series units are ranked in (师市, 部门 …).
    pub series: String,
}

/// One project at the period's month, as the analytics read model holds it: what a
/// [`Tally`] folds. (Snapshots stored before 2026-12 kept one of these per project.)
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SnapProject {
    pub id: ProjectId,
    pub code: String,
    pub name: String,
    pub unit_id: i64,
    /// `new`, `continuing` or `preparatory`.
    pub nature: String,
    pub leader: String,
    /// Planned to be completed (竣工) in the bulletin's year.
    pub completes_this_year: bool,
    /// Its figures and facts at the month: its contribution to every total.
    #[serde(flatten)]
    pub entry: MonthEntry,
}

/// What identifies a project in a bulletin besides its figures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectLabel {
    pub code: String,
    pub name: String,
    pub leader: String,
    pub end_year: i32,
}

impl SnapProject {
    /// A project's entry at month `m` of its year.
    pub fn of(y: &ProjectYear, m: u32, label: ProjectLabel) -> SnapProject {
        SnapProject {
            id: y.meta.id,
            code: label.code,
            name: label.name,
            unit_id: y.meta.unit_id,
            nature: y.meta.nature.code().to_string(),
            leader: label.leader,
            completes_this_year: label.end_year == y.year,
            entry: y.entry(m),
        }
    }

    /// The project's contribution to every total (the dashboards' `Totals::of`).
    pub fn totals(&self) -> Totals {
        Totals::of_entry(&self.entry)
    }

    /// Is the month's report missing under the definition?
    pub fn missing(&self, d: &Definitions) -> bool {
        d.missing
            .is_missing(self.entry.reported, self.entry.submitted)
    }
}

/// The projects of one unit, of one nature, completing this year or not: their
/// contributions summed. Every total, rate and count of a bulletin is a sum of groups.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SnapGroup {
    pub unit_id: i64,
    /// `new`, `continuing` or `preparatory`.
    pub nature: String,
    pub completes_this_year: bool,
    #[serde(flatten)]
    pub totals: Totals,
}

impl SnapGroup {
    /// The order groups are kept in: by unit, nature, then completion this year.
    pub fn key(&self) -> (i64, &str, bool) {
        (self.unit_id, &self.nature, self.completes_this_year)
    }
}

/// A project not green at the month: a row of the 滞后项目 list, with the figures its rates
/// are computed from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SnapLagging {
    pub id: ProjectId,
    pub name: String,
    pub unit_id: i64,
    pub leader: String,
    pub light: Light,
    pub annual_plan: i64,
    pub plan_to_date: i64,
    pub actual_ytd: i64,
}

impl SnapLagging {
    /// Its completion and its gap to its own monthly plan (basis points): what its light
    /// was judged by.
    pub fn rates(&self, month: u32) -> (Option<i64>, Option<i64>) {
        let t = Totals {
            annual_plan: self.annual_plan,
            plan_to_date: self.plan_to_date,
            actual_ytd: self.actual_ytd,
            ..Totals::ZERO
        };
        let (c, _, g) = Figures::rates(&t, month, TimeBasis::Plan);
        (c, g)
    }
}

/// Folds projects, one at a time, into what a snapshot keeps of them.
#[derive(Debug)]
pub struct Tally<'a> {
    definitions: &'a Definitions,
    groups: HashMap<(i64, String, bool), Totals>,
    lagging: Vec<SnapLagging>,
    reporting: std::collections::BTreeMap<i64, SnapReporting>,
}

impl<'a> Tally<'a> {
    pub fn new(definitions: &'a Definitions) -> Tally<'a> {
        Tally {
            definitions,
            groups: HashMap::new(),
            lagging: Vec::new(),
            reporting: Default::default(),
        }
    }

    pub fn add(&mut self, p: SnapProject) {
        let r = self
            .reporting
            .entry(p.unit_id)
            .or_insert_with(|| SnapReporting::none(p.unit_id));
        let missing = p.missing(self.definitions);
        r.due += 1;
        r.missing += i64::from(missing);
        r.late += i64::from(p.entry.late);
        *r.on_time.get_or_insert(0) += i64::from(!missing && !p.entry.late);
        *self
            .groups
            .entry((p.unit_id, p.nature, p.completes_this_year))
            .or_default() += Totals::of_entry(&p.entry);
        if p.entry.light != Light::Green {
            self.lagging.push(SnapLagging {
                id: p.id,
                name: p.name,
                unit_id: p.unit_id,
                leader: p.leader,
                light: p.entry.light,
                annual_plan: p.entry.annual_plan,
                plan_to_date: p.entry.plan_to_date,
                actual_ytd: p.entry.actual_ytd,
            });
        }
    }

    /// The groups (in a stable order), the lagging projects and each unit's reporting.
    pub fn finish(self) -> (Vec<SnapGroup>, Vec<SnapLagging>, Vec<SnapReporting>) {
        let mut groups: Vec<SnapGroup> = self
            .groups
            .into_iter()
            .map(
                |((unit_id, nature, completes_this_year), totals)| SnapGroup {
                    unit_id,
                    nature,
                    completes_this_year,
                    totals,
                },
            )
            .collect();
        groups.sort_by(|a, b| a.key().cmp(&b.key()));
        (groups, self.lagging, self.reporting.into_values().collect())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SnapProblem {
    pub id: i64,
    pub description: String,
    pub project: Option<String>,
    pub lead_unit_id: Option<i64>,
    /// YYYY-MM-DD
    pub deadline: String,
    pub days_overdue: i64,
}

/// A unit's reports of the period: how many were due, missing and late.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SnapReporting {
    pub unit_id: i64,
    pub due: i64,
    pub missing: i64,
    pub late: i64,
    /// Reports there and not late (a report can be both missing and late: submitted late,
    /// then returned). Absent in snapshots stored before it was kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_time: Option<i64>,
}

impl SnapReporting {
    /// A unit with no report counted yet (on time counted from here on).
    pub fn none(unit_id: i64) -> SnapReporting {
        SnapReporting {
            unit_id,
            due: 0,
            missing: 0,
            late: 0,
            on_time: Some(0),
        }
    }

    /// Reports on time: kept, or (older snapshots) what the counts allow.
    pub fn on_time(&self) -> i64 {
        self.on_time
            .unwrap_or((self.due - self.missing - self.late).max(0))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snapshot {
    pub period: Period,
    /// The instant the data were frozen, as the office reads it ("2025-11-05 09:30").
    pub cutoff: String,
    pub root_unit_id: i64,
    pub units: Vec<SnapUnit>,
    /// The projects' contributions by unit, nature and completion this year.
    #[serde(default)]
    pub groups: Vec<SnapGroup>,
    /// The projects not green at the month.
    #[serde(default)]
    pub lagging: Vec<SnapLagging>,
    /// Every project: kept only by snapshots stored before the groups were, which
    /// [`Snapshot::compacted`] folds into groups and lagging projects.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub projects: Vec<SnapProject>,
    pub overdue_problems: Vec<SnapProblem>,
    pub reporting: Vec<SnapReporting>,
    /// The definitions the figures were computed under (snapshots made before they were
    /// settings read with those they were composed under then).
    #[serde(default = "Definitions::legacy")]
    pub definitions: Definitions,
}

impl Snapshot {
    /// The snapshot as groups and lagging projects: itself, or (a snapshot that kept every
    /// project) its projects folded, with the reporting counts it stored.
    pub fn compacted(&self) -> std::borrow::Cow<'_, Snapshot> {
        if self.projects.is_empty() {
            return std::borrow::Cow::Borrowed(self);
        }
        let mut tally = Tally::new(&self.definitions);
        for p in &self.projects {
            tally.add(p.clone());
        }
        let (mut groups, lagging, _) = tally.finish();
        groups.extend(self.groups.iter().cloned());
        let mut lag = self.lagging.clone();
        lag.extend(lagging);
        std::borrow::Cow::Owned(Snapshot {
            groups,
            lagging: lag,
            projects: Vec::new(),
            ..self.clone()
        })
    }

    /// Every project's contribution together.
    pub fn whole(&self) -> Totals {
        self.groups.iter().map(|g| g.totals).sum()
    }
}

/// Each unit's reports of the period under the definitions: due, missing and late.
pub fn reporting(projects: &[SnapProject], d: &Definitions) -> Vec<SnapReporting> {
    let mut tally = Tally::new(d);
    for p in projects {
        tally.add(p.clone());
    }
    tally.finish().2
}

/// Where a version of a bulletin is in its life: drafted from a frozen snapshot, reviewed,
/// then published to the units below the issuing one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    Draft,
    Reviewed,
    Published,
}

impl Stage {
    pub const fn code(self) -> &'static str {
        match self {
            Stage::Draft => "draft",
            Stage::Reviewed => "reviewed",
            Stage::Published => "published",
        }
    }
    pub fn from_code(s: &str) -> Option<Stage> {
        [Stage::Draft, Stage::Reviewed, Stage::Published]
            .into_iter()
            .find(|x| x.code() == s)
    }
    pub const fn zh(self) -> &'static str {
        match self {
            Stage::Draft => "草稿",
            Stage::Reviewed => "已审核",
            Stage::Published => "已发布",
        }
    }
}

/// A step of a bulletin's life: each moves one stage to the next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Review,
    Publish,
}

impl Step {
    /// The stage a version must be in, and the one it goes to.
    pub const fn moves(self) -> (Stage, Stage) {
        match self {
            Step::Review => (Stage::Draft, Stage::Reviewed),
            Step::Publish => (Stage::Reviewed, Stage::Published),
        }
    }
    pub const fn zh(self) -> &'static str {
        match self {
            Step::Review => "审核",
            Step::Publish => "发布",
        }
    }
    pub const fn en(self) -> &'static str {
        match self {
            Step::Review => "reviewed",
            Step::Publish => "published",
        }
    }
    /// The audit action.
    pub const fn action(self) -> &'static str {
        match self {
            Step::Review => "bulletin.review",
            Step::Publish => "bulletin.publish",
        }
    }
}

/// A piece of the document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Block {
    /// Level 1 is numbered 一、, level 2 （一）.
    Heading {
        level: u8,
        text: String,
    },
    Paragraph {
        text: String,
    },
    Table(Table),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Table {
    pub title: String,
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
    /// Said under the table, e.g. that the annex lists the rest.
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Bulletin {
    pub title: String,
    pub subtitle: String,
    pub blocks: Vec<Block>,
    /// Every table in full, for the .xlsx annex. Not in the JSON view: at a million
    /// projects its list of lagging projects alone runs to tens of megabytes.
    #[serde(skip_serializing)]
    pub annex: Vec<Table>,
}

/// How long the lists in the body may be; the annex has them all.
const BODY_ROWS: usize = 30;

const NUMERALS: [&str; 10] = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"];

fn yi(yuan: i64) -> String {
    Yuan::new(yuan).yi()
}

fn totals<'a>(gs: impl Iterator<Item = &'a SnapGroup>) -> Totals {
    gs.map(|g| g.totals).sum()
}

/// The months a year-to-date figure covers, as bulletins write them: "1月", "1—10月".
fn months_of(month: u32) -> String {
    match month {
        1 => "1月".to_string(),
        m => format!("1—{m}月"),
    }
}

/// The standard opening sentences for a group of projects ("今年安排重点项目N项…").
pub fn opening(lead: &str, period: Period, t: Totals, d: &Definitions) -> String {
    let f = Figures::of(t, period.month(), None, d);
    let t = &f.totals;
    let months = months_of(period.month());
    let mut s = format!(
        "{lead}{n}项，总投资{x}亿元，年度计划投资{y}亿元。{months}累计完成投资{z}亿元",
        n = t.projects,
        x = yi(t.total_investment),
        y = yi(t.annual_plan),
        z = yi(t.actual_ytd),
    );
    match (
        &f.text.get(&crate::analytics::measure::Measure::Completion),
        &f.gap_zh,
    ) {
        (Some(c), Some(g)) => s.push_str(&format!("，占年度计划{c}，{g}。")),
        _ => s.push('。'),
    }
    if f.start_planned > 0 {
        let early = f.value(Measure::StartedEarly).unwrap_or(0);
        let planned = match d.start_rate {
            StartBasis::Year => format!("计划新开工{}项", f.start_planned),
            StartBasis::ToDate => format!("截至{}月应开工{}项", period.month(), f.start_planned),
        };
        s.push_str(&format!("{planned}，已开工{}项", f.start_done));
        if d.start_rate == StartBasis::Year && early > 0 {
            s.push_str(&format!("（其中提前开工{early}项）"));
        }
        s.push_str(&format!(
            "，开工率{}",
            f.text[&crate::analytics::measure::Measure::StartRate]
        ));
        if f.not_started > 0 {
            s.push_str(&format!("；应开未开{}项", f.not_started));
        }
        s.push('。');
    }
    s
}

/// The unit under which a project is ranked: the child of the root on its way up.
pub fn ranked_unit(parent: &HashMap<i64, Option<i64>>, root: i64, unit: i64) -> Option<i64> {
    let mut u = unit;
    for _ in 0..64 {
        match parent.get(&u).copied().flatten() {
            Some(p) if p == root => return Some(u),
            Some(p) => u = p,
            None => return None,
        }
    }
    None
}

fn table(title: &str, header: &[&str], rows: Vec<Vec<String>>) -> Table {
    Table {
        title: title.into(),
        header: header.iter().map(|h| h.to_string()).collect(),
        rows,
        note: None,
    }
}

/// The body shows the first rows of a long table; the annex keeps it whole.
fn shortened(t: &Table, what: &str) -> Table {
    let mut short = t.clone();
    if t.rows.len() > BODY_ROWS {
        short.rows.truncate(BODY_ROWS);
        short.note = Some(format!(
            "以上列出前{BODY_ROWS}个，另有{}个{what}见附件。",
            t.rows.len() - BODY_ROWS
        ));
    }
    short
}

fn shown(f: &Figures, m: Measure) -> String {
    f.text_of(m).unwrap_or_else(|| "—".into())
}

/// How the figures were defined, said at the end of the document (口径说明).
fn definitions_note(d: &Definitions, month: u32) -> String {
    let tp = match d.time_progress {
        TimeBasis::Calendar => format!(
            "时间进度按日历计算（{}为{}）",
            months_of(month),
            crate::analytics::progress::pct1(
                crate::analytics::progress::calendar_time_progress_bp(month)
            )
        ),
        TimeBasis::Plan => "时间进度按各项目分月计划累计计算".to_string(),
    };
    let missing = match d.missing {
        MissingBasis::NotSubmitted => "未报指截至数据截止时点当期进度未报送的项目",
        MissingBasis::NotApproved => "未报指截至数据截止时点当期进度未经审核通过的项目",
    };
    let overdue = match d.overdue {
        OverdueBasis::NotResolved => "超期问题指超过整改时限仍未整改完成的问题",
        OverdueBasis::NotClosed => "超期问题指超过整改时限仍未销号的问题",
    };
    let start = match d.start_rate {
        StartBasis::Year => "开工率为已开工新建项目数占当年计划新开工项目数的比例",
        StartBasis::ToDate => "开工率为已开工项目数占截至当月应开工新建项目数的比例",
    };
    format!("说明：投资数据为已审核数据；{tp}；{start}；{missing}；{overdue}。")
}

/// The figures of each unit directly under the issuing one (its projects and those of
/// its sub-units) at the snapshot's month.
pub fn unit_figures(s: &Snapshot) -> HashMap<i64, Figures> {
    let s = &*s.compacted();
    let parent: HashMap<i64, Option<i64>> = s.units.iter().map(|u| (u.id, u.parent_id)).collect();
    let mut by_unit: HashMap<i64, Totals> = HashMap::new();
    for g in &s.groups {
        if g.unit_id == s.root_unit_id {
            continue;
        }
        if let Some(u) = ranked_unit(&parent, s.root_unit_id, g.unit_id) {
            *by_unit.entry(u).or_default() += g.totals;
        }
    }
    by_unit
        .into_iter()
        .map(|(u, t)| (u, Figures::of(t, s.period.month(), None, &s.definitions)))
        .collect()
}

/// The figures of every project of a snapshot together.
pub fn overall(s: &Snapshot) -> Figures {
    Figures::of(
        s.compacted().whole(),
        s.period.month(),
        None,
        &s.definitions,
    )
}

/// Compose the bulletin of a snapshot.
pub fn compose(s: &Snapshot) -> Bulletin {
    let s = &*s.compacted();
    let name: HashMap<i64, &str> = s.units.iter().map(|u| (u.id, u.name.as_str())).collect();
    let unit_name = |id: i64| name.get(&id).copied().unwrap_or("").to_string();
    let parent: HashMap<i64, Option<i64>> = s.units.iter().map(|u| (u.id, u.parent_id)).collect();
    let (y, m) = (s.period.year(), s.period.month());
    let mut blocks = Vec::new();
    let mut annex = Vec::new();
    let mut section = 0;
    let mut heading = |blocks: &mut Vec<Block>, text: &str| {
        blocks.push(Block::Heading {
            level: 1,
            text: format!("{}、{text}", NUMERALS[section % 10]),
        });
        section += 1;
    };

    let d = &s.definitions;
    // 一、总体情况: all projects, then the new, continuing and completing groups.
    heading(&mut blocks, "总体推进情况");
    let whole = s.whole();
    blocks.push(Block::Paragraph {
        text: opening(&format!("{y}年安排重点项目"), s.period, whole, d),
    });
    for (lead, pick) in [
        (
            "其中，新建项目",
            &(|g: &SnapGroup| g.nature == "new") as &dyn Fn(&SnapGroup) -> bool,
        ),
        ("续建项目", &|g: &SnapGroup| g.nature == "continuing"),
        ("计划竣工项目", &|g: &SnapGroup| g.completes_this_year),
    ] {
        let t = totals(s.groups.iter().filter(|g| pick(g)));
        if t.projects > 0 {
            blocks.push(Block::Paragraph {
                text: opening(lead, s.period, t, d),
            });
        }
    }
    // Preparatory projects: counted, not measured by investment (they invest once started).
    let t = totals(s.groups.iter().filter(|g| g.nature == "preparatory"));
    if t.projects > 0 {
        blocks.push(Block::Paragraph {
            text: format!(
                "前期项目{}项，总投资{}亿元，年度计划投资{}亿元，处于前期工作阶段。",
                t.projects,
                yi(t.total_investment),
                yi(t.annual_plan)
            ),
        });
    }
    blocks.push(Block::Paragraph {
        text: format!(
            "按红黄绿灯预警，绿灯{}项、黄灯{}项、橙灯{}项、红灯{}项。",
            whole.lights[0], whole.lights[1], whole.lights[2], whole.lights[3]
        ),
    });

    // 二、各单位推进情况: the units under the issuing unit, ranked in their series.
    heading(&mut blocks, "各单位推进情况");
    let by_unit = unit_figures(s);
    let items: Vec<(i64, String, &Figures)> = s
        .units
        .iter()
        .filter(|u| u.parent_id == Some(s.root_unit_id))
        .filter_map(|u| by_unit.get(&u.id).map(|f| (u.id, u.series.clone(), f)))
        .collect();
    let (ranked, lists) = standings(&items, &d.lists);
    for (i, sl) in lists.iter().enumerate() {
        let se = &sl.series;
        let rows = ranked
            .iter()
            .filter(|r| &r.series == se)
            .map(|r| {
                let f = &by_unit[&r.unit_id];
                vec![
                    r.rank.map(|x| x.to_string()).unwrap_or_else(|| "—".into()),
                    unit_name(r.unit_id),
                    f.totals.projects.to_string(),
                    yi(f.totals.annual_plan),
                    yi(f.totals.actual_ytd),
                    shown(f, Measure::Completion),
                    shown(f, Measure::Gap),
                    f.totals.lights[3].to_string(),
                ]
            })
            .collect();
        let t = table(
            &format!("表{}  {se}重点项目推进情况排名", i + 1),
            &[
                "排名",
                "单位",
                "项目数",
                "年度计划（亿元）",
                "累计完成（亿元）",
                "完成率",
                "与序时进度差（百分点）",
                "红灯",
            ],
            rows,
        );
        blocks.push(Block::Heading {
            level: 2,
            text: format!("（{}）{se}", NUMERALS[i % 10]),
        });
        blocks.push(Block::Table(t.clone()));
        annex.push(t);
    }

    // 三、红黑榜: the same lists as the cockpit's, under the office's list rule.
    heading(&mut blocks, "红黑榜");
    for sl in &lists {
        let names = |v: &[crate::analytics::rank::Ranked]| {
            if v.is_empty() {
                "无".to_string()
            } else {
                v.iter()
                    .map(|r| unit_name(r.unit_id))
                    .collect::<Vec<_>>()
                    .join("、")
            }
        };
        blocks.push(Block::Paragraph {
            text: format!(
                "{}：红榜 {}；黑榜 {}。",
                sl.series,
                names(&sl.red),
                names(&sl.black)
            ),
        });
    }

    // 四、滞后项目: red, then orange and yellow, the furthest behind first in each.
    heading(&mut blocks, "滞后项目");
    // Each project against its own monthly plan: what its light was judged by.
    let mut lagging: Vec<(&SnapLagging, Option<i64>, Option<i64>)> = s
        .lagging
        .iter()
        .filter(|p| p.light != Light::Green)
        .map(|p| {
            let (c, g) = p.rates(m);
            (p, c, g)
        })
        .collect();
    lagging.sort_by_key(|(p, _, g)| (std::cmp::Reverse(p.light), g.unwrap_or(0), p.id));
    let rows: Vec<Vec<String>> = lagging
        .iter()
        .enumerate()
        .map(|(i, (p, c, g))| {
            vec![
                (i + 1).to_string(),
                p.name.clone(),
                unit_name(p.unit_id),
                p.leader.clone(),
                light_zh(p.light).into(),
                c.map(crate::analytics::progress::pct1)
                    .unwrap_or_else(|| "—".into()),
                g.map(|g| {
                    crate::analytics::progress::gap_sentence_zh(g).replace("时间进度", "分月计划")
                })
                .unwrap_or_else(|| "—".into()),
            ]
        })
        .collect();
    let lag = table(
        "滞后项目清单",
        &[
            "序号",
            "项目名称",
            "责任单位",
            "包联领导",
            "灯色",
            "完成率",
            "与本项目分月计划",
        ],
        rows,
    );
    if lag.rows.is_empty() {
        blocks.push(Block::Paragraph {
            text: "本期无亮红灯、黄灯的项目。".into(),
        });
    } else {
        blocks.push(Block::Paragraph {
            text: format!(
                "本期亮红灯项目{}个、橙灯{}个、黄灯{}个，请责任单位和包联领导重点调度。",
                whole.lights[3], whole.lights[2], whole.lights[1]
            ),
        });
        blocks.push(Block::Table(shortened(&lag, "项目")));
    }
    annex.push(lag);

    // 五、超期未整改问题
    heading(&mut blocks, "超期未整改问题");
    let mut probs: Vec<&SnapProblem> = s.overdue_problems.iter().collect();
    probs.sort_by_key(|p| (std::cmp::Reverse(p.days_overdue), p.id));
    let rows: Vec<Vec<String>> = probs
        .iter()
        .enumerate()
        .map(|(i, p)| {
            vec![
                (i + 1).to_string(),
                p.description.clone(),
                p.project.clone().unwrap_or_default(),
                p.lead_unit_id.map(unit_name).unwrap_or_default(),
                p.deadline.clone(),
                p.days_overdue.to_string(),
            ]
        })
        .collect();
    let prob = table(
        "超期未整改问题清单",
        &["序号", "问题", "项目", "牵头单位", "整改期限", "超期天数"],
        rows,
    );
    if prob.rows.is_empty() {
        blocks.push(Block::Paragraph {
            text: "截至本期，无超期未整改问题。".into(),
        });
    } else {
        blocks.push(Block::Paragraph {
            text: format!("截至{}，超期未整改问题{}个。", s.cutoff, prob.rows.len()),
        });
        blocks.push(Block::Table(shortened(&prob, "问题")));
    }
    annex.push(prob);

    // 六、报送情况
    heading(&mut blocks, "进度报送情况");
    // By the units ranked above (each with its sub-units), as the cockpit's table counts
    // them; the issuing unit's own projects as 本级.
    let mut by_ranked: std::collections::BTreeMap<i64, SnapReporting> = Default::default();
    for r in &s.reporting {
        let u = if r.unit_id == s.root_unit_id {
            Some(s.root_unit_id)
        } else {
            ranked_unit(&parent, s.root_unit_id, r.unit_id)
        };
        if let Some(u) = u {
            let e = by_ranked.entry(u).or_insert(SnapReporting {
                unit_id: u,
                due: 0,
                missing: 0,
                late: 0,
                on_time: None,
            });
            e.due += r.due;
            e.missing += r.missing;
            e.late += r.late;
        }
    }
    let mut rep: Vec<&SnapReporting> = by_ranked
        .values()
        .filter(|r| r.missing > 0 || r.late > 0)
        .collect();
    rep.sort_by_key(|r| {
        (
            std::cmp::Reverse(r.missing),
            std::cmp::Reverse(r.late),
            r.unit_id,
        )
    });
    let rows: Vec<Vec<String>> = rep
        .iter()
        .map(|r| {
            let name = unit_name(r.unit_id);
            vec![
                if r.unit_id == s.root_unit_id {
                    format!("{name}（本级）")
                } else {
                    name
                },
                r.due.to_string(),
                r.missing.to_string(),
                r.late.to_string(),
            ]
        })
        .collect();
    let reporting = table(
        "各单位未报、迟报情况",
        &["单位", "应报项目", "未报", "迟报"],
        rows,
    );
    let (missing, late): (i64, i64) = s
        .reporting
        .iter()
        .fold((0, 0), |(a, b), r| (a + r.missing, b + r.late));
    if reporting.rows.is_empty() {
        blocks.push(Block::Paragraph {
            text: format!("{m}月进度均按时报送。"),
        });
    } else {
        blocks.push(Block::Paragraph {
            text: format!(
                "{m}月应报项目{}个，未报项目{missing}个、迟报项目{late}个，各单位情况如下。",
                whole.projects,
            ),
        });
        blocks.push(Block::Table(shortened(&reporting, "单位")));
    }
    annex.push(reporting);

    // 七、下步要求
    heading(&mut blocks, "下步工作要求");
    blocks.push(Block::Paragraph {
        text: "各单位要对照年度目标，紧盯滞后项目和超期问题，逐项明确责任人和完成时限，确保按序时进度完成投资任务；进度数据须按时、如实报送。".into(),
    });
    blocks.push(Block::Paragraph {
        text: definitions_note(d, m),
    });

    let root = unit_name(s.root_unit_id);
    Bulletin {
        title: format!("关于{y}年{m}月重点项目推进情况的通报"),
        subtitle: format!("{root}（数据截至{}）", s.cutoff),
        blocks,
        annex,
    }
}

pub fn light_zh(l: Light) -> &'static str {
    match l {
        Light::Green => "绿灯",
        Light::Yellow => "黄灯",
        Light::Orange => "橙灯",
        Light::Red => "红灯",
    }
}

/// The bulletin as plain text (the CLI's preview, and what snapshot tests compare).
pub fn render_text(b: &Bulletin) -> String {
    let mut out = format!("{}\n{}\n", b.title, b.subtitle);
    for block in &b.blocks {
        match block {
            Block::Heading { text, .. } => out.push_str(&format!("\n{text}\n")),
            Block::Paragraph { text } => out.push_str(&format!("    {text}\n")),
            Block::Table(t) => {
                out.push_str(&format!("{}\n", t.title));
                out.push_str(&format!("| {} |\n", t.header.join(" | ")));
                for r in &t.rows {
                    out.push_str(&format!("| {} |\n", r.join(" | ")));
                }
                if let Some(n) = &t.note {
                    out.push_str(&format!("{n}\n"));
                }
            }
        }
    }
    out
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The bulletin as a standalone HTML page (the web view and the e-mail body).
pub fn render_html(b: &Bulletin) -> String {
    let mut out = format!(
        "<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>{t}</title>\
         <style>body{{font-family:'FangSong','仿宋_GB2312','STFangsong',serif;font-size:16pt;max-width:210mm;margin:2em auto;line-height:1.75}}\
         h1{{font-family:'方正小标宋简体','SimHei','黑体',sans-serif;font-size:22pt;text-align:center;font-weight:normal}}\
         h2{{font-family:'SimHei','黑体',sans-serif;font-size:16pt;font-weight:normal;margin:1em 0 .3em}}\
         h3{{font-family:'KaiTi','楷体',serif;font-size:16pt;font-weight:normal;margin:.6em 0 .2em}}\
         p{{text-indent:2em;margin:.2em 0}}table{{border-collapse:collapse;width:100%;font-size:11pt;margin:.4em 0}}\
         th,td{{border:1px solid #000;padding:2px 4px;text-align:center}}caption{{font-family:'SimHei','黑体',sans-serif;font-size:12pt}}\
         .sub{{text-align:center}}.note{{font-size:11pt;text-indent:0}}</style></head><body>\
         <h1>{t}</h1><p class=\"sub\">{s}</p>",
        t = esc(&b.title),
        s = esc(&b.subtitle)
    );
    for block in &b.blocks {
        match block {
            Block::Heading { level: 1, text } => out.push_str(&format!("<h2>{}</h2>", esc(text))),
            Block::Heading { text, .. } => out.push_str(&format!("<h3>{}</h3>", esc(text))),
            Block::Paragraph { text } => out.push_str(&format!("<p>{}</p>", esc(text))),
            Block::Table(t) => {
                out.push_str(&format!("<table><caption>{}</caption><tr>", esc(&t.title)));
                for h in &t.header {
                    out.push_str(&format!("<th>{}</th>", esc(h)));
                }
                out.push_str("</tr>");
                for r in &t.rows {
                    out.push_str("<tr>");
                    for c in r {
                        out.push_str(&format!("<td>{}</td>", esc(c)));
                    }
                    out.push_str("</tr>");
                }
                out.push_str("</table>");
                if let Some(n) = &t.note {
                    out.push_str(&format!("<p class=\"note\">{}</p>", esc(n)));
                }
            }
        }
    }
    out.push_str("</body></html>\n");
    out
}

#[cfg(test)]
mod tests;
