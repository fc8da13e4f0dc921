//! The columns of each import template: the one list that both the template writer
//! and the importer read, so a template duban hands out always imports.

use crate::codes::{
    Category, Level, Nature, ProblemCategory, ProblemSource, ProjectStatus, Role, UnitKind,
};
use crate::error::FieldError;

/// What a sheet holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// 项目库: the registry, keyed by project code.
    Projects,
    /// 年度计划: a project's plan of a year, with its monthly breakdown.
    Plans,
    /// 节点计划: the milestones of a project's plan of a year.
    Milestones,
    /// 进度填报: the progress reports of a period.
    Progress,
    /// 问题清单: problems and requests for coordination.
    Problems,
    /// 单位: the unit tree, keyed by unit code, parents before children.
    Units,
    /// 用户: accounts with one role each, keyed by user name.
    Users,
    /// 历史补录: approved progress of earlier months (this year's, last year's), loaded
    /// once by a supervisor; the same columns as progress.
    History,
}

impl Kind {
    pub const ALL: [Kind; 8] = [
        Kind::Projects,
        Kind::Plans,
        Kind::Milestones,
        Kind::Progress,
        Kind::Problems,
        Kind::Units,
        Kind::Users,
        Kind::History,
    ];
    pub const fn code(self) -> &'static str {
        match self {
            Kind::Projects => "projects",
            Kind::Plans => "plans",
            Kind::Milestones => "milestones",
            Kind::Progress => "progress",
            Kind::Problems => "problems",
            Kind::Units => "units",
            Kind::Users => "users",
            Kind::History => "history",
        }
    }
    /// The sheet name in duban's templates.
    pub const fn zh(self) -> &'static str {
        match self {
            Kind::Projects => "项目库",
            Kind::Plans => "年度计划",
            Kind::Milestones => "节点计划",
            Kind::Progress => "进度填报",
            Kind::Problems => "问题清单",
            Kind::Units => "单位",
            Kind::Users => "用户",
            Kind::History => "历史补录",
        }
    }
    pub const fn en(self) -> &'static str {
        match self {
            Kind::Projects => "Projects",
            Kind::Plans => "Annual plans",
            Kind::Milestones => "Milestones",
            Kind::Progress => "Progress",
            Kind::Problems => "Problems",
            Kind::Units => "Units",
            Kind::Users => "Users",
            Kind::History => "History",
        }
    }
    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL
            .into_iter()
            .find(|k| k.code() == s || k.zh() == s || k.en().eq_ignore_ascii_case(s))
    }
    pub fn columns(self) -> &'static [Column] {
        match self {
            Kind::Projects => PROJECTS,
            Kind::Plans => PLANS,
            Kind::Milestones => MILESTONES,
            Kind::Progress | Kind::History => PROGRESS,
            Kind::Problems => PROBLEMS,
            Kind::Units => UNITS,
            Kind::Users => USERS,
        }
    }
}

/// A coded vocabulary offered as a drop-down in templates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Vocab {
    Category,
    Nature,
    Level,
    Status,
    ProblemCategory,
    ProblemSource,
    UnitKind,
    Role,
    /// A user's data scope: 本单位, 本单位及以下, 全部 (the whole organisation).
    Scope,
}

/// The labels of data scopes in sheets, with their codes.
const SCOPES: [(&str, &str, &str); 3] = [
    ("本单位", "own", "own unit"),
    ("本单位及以下", "subtree", "own unit and below"),
    ("全部", "all", "the whole organisation"),
];

impl Vocab {
    /// The Chinese labels, as the drop-down offers them.
    pub fn labels(self) -> Vec<&'static str> {
        fn zh<T: Copy>(all: &[T], f: fn(T) -> &'static str) -> Vec<&'static str> {
            all.iter().map(|v| f(*v)).collect()
        }
        match self {
            Vocab::Category => zh(Category::ALL, Category::zh),
            Vocab::Nature => zh(Nature::ALL, Nature::zh),
            Vocab::Level => zh(Level::ALL, Level::zh),
            Vocab::Status => zh(ProjectStatus::ALL, ProjectStatus::zh),
            Vocab::ProblemCategory => zh(ProblemCategory::ALL, ProblemCategory::zh),
            Vocab::ProblemSource => zh(ProblemSource::ALL, ProblemSource::zh),
            Vocab::UnitKind => zh(UnitKind::ALL, UnitKind::zh),
            // Administrators and auditors are made one by one, not by the sheet.
            Vocab::Role => zh(
                &[
                    Role::Supervisor,
                    Role::Reporter,
                    Role::Approver,
                    Role::Leader,
                    Role::Reviewer,
                ],
                Role::zh,
            ),
            Vocab::Scope => SCOPES.iter().map(|s| s.0).collect(),
        }
    }
    /// The stable code of a label, code or English label.
    pub fn parse(self, field: &str, s: &str) -> Result<&'static str, FieldError> {
        Ok(match self {
            Vocab::Category => Category::parse(field, s)?.code(),
            Vocab::Nature => Nature::parse(field, s)?.code(),
            Vocab::Level => Level::parse(field, s)?.code(),
            Vocab::Status => ProjectStatus::parse(field, s)?.code(),
            Vocab::ProblemCategory => ProblemCategory::parse(field, s)?.code(),
            Vocab::ProblemSource => ProblemSource::parse(field, s)?.code(),
            Vocab::UnitKind => UnitKind::parse(field, s)?.code(),
            Vocab::Role => Role::parse(field, s)?.code(),
            Vocab::Scope => {
                let t = s.trim();
                SCOPES
                    .iter()
                    .find(|(zh, code, en)| *zh == t || *code == t || en.eq_ignore_ascii_case(t))
                    .map(|s| s.1)
                    .ok_or_else(|| {
                        FieldError::new(
                            field,
                            "unknown_code",
                            format!("“{t}”无效，可选：本单位、本单位及以下、全部"),
                            format!("'{t}' is not own unit, own unit and below, or the whole organisation"),
                        )
                    })?
            }
        })
    }
}

/// The type of a column's values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ty {
    /// Free text of at most this many characters.
    Text(usize),
    /// A project code.
    Code,
    /// Money, in 万元 unless the header, a unit row or the title says otherwise.
    Money,
    Date,
    /// A calendar month (填报年月).
    Month,
    Year,
    /// 建设起止年限: "2024-2026", "2024年—2026年", "2024.03-2026.12".
    Years,
    /// A month number 1..=12.
    MonthNumber,
    /// A percentage: "85%", 85 under a "（%）" header, or 0.85 from a percent cell.
    Percent,
    /// 是/否.
    Bool,
    Vocab(Vocab),
}

/// One column of a template.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    /// The field it fills.
    pub key: &'static str,
    pub zh: &'static str,
    pub en: &'static str,
    pub ty: Ty,
    pub required: bool,
    /// Other headers found in real sheets for the same column.
    pub aliases: &'static [&'static str],
    /// The instruction shown on the template's instructions sheet.
    pub note_zh: &'static str,
    pub note_en: &'static str,
}

macro_rules! col {
    ($key:literal, $zh:literal, $en:literal, $ty:expr, $req:literal, [$($a:literal),*], $nzh:literal, $nen:literal) => {
        Column { key: $key, zh: $zh, en: $en, ty: $ty, required: $req, aliases: &[$($a),*], note_zh: $nzh, note_en: $nen }
    };
}

const CODE: Column = col!(
    "code",
    "项目代码",
    "Project code",
    Ty::Code,
    true,
    [
        "项目编码",
        "项目编号",
        "统一项目代码",
        "全国投资项目在线审批监管平台代码",
        "投资项目代码",
        "代码"
    ],
    "全国投资项目在线审批监管平台24位代码或本地代码；同一代码再次导入即更新该项目",
    "the 24-character national code or a local code; importing the same code again updates the project"
);

const NAME: Column = col!(
    "name",
    "项目名称",
    "Project name",
    Ty::Text(200),
    true,
    ["名称", "项目"],
    "不超过200字",
    "at most 200 characters"
);

const NAME_CONTEXT: Column = col!(
    "name",
    "项目名称",
    "Project name",
    Ty::Text(200),
    false,
    ["名称", "项目"],
    "仅供核对，不导入",
    "for reference only; not imported"
);

const YEAR: Column = col!(
    "year",
    "年度",
    "Year",
    Ty::Year,
    true,
    ["计划年度", "年份"],
    "如 2025",
    "like 2025"
);

pub const PROJECTS: &[Column] = &[
    CODE,
    NAME,
    col!(
        "unit",
        "责任单位",
        "Responsible unit",
        Ty::Text(100),
        true,
        [
            "责任单位（部门）",
            "牵头单位",
            "主管单位",
            "所属单位",
            "责任主体",
            "所属师市"
        ],
        "单位名称或单位代码，须在您的数据范围内",
        "the unit's name or code, within your data scope"
    ),
    col!(
        "builder",
        "建设单位",
        "Builder",
        Ty::Text(100),
        false,
        ["项目业主", "业主单位", "项目单位", "实施单位"],
        "",
        ""
    ),
    col!(
        "leader",
        "包联领导",
        "Liaison leader",
        Ty::Text(50),
        false,
        ["联系领导", "包抓领导", "责任领导", "包联领导及职务"],
        "",
        ""
    ),
    col!(
        "chain",
        "产业链",
        "Industry chain",
        Ty::Text(50),
        false,
        ["所属产业链", "所属链条", "产业链条"],
        "产业链名称，须为系统中已有的产业链",
        "the name of an industry chain known to duban"
    ),
    col!(
        "category",
        "项目类别",
        "Category",
        Ty::Vocab(Vocab::Category),
        true,
        ["类别", "项目类型", "行业类别"],
        "从下拉列表选择",
        "choose from the drop-down"
    ),
    col!(
        "nature",
        "建设性质",
        "Nature",
        Ty::Vocab(Vocab::Nature),
        true,
        ["性质", "项目性质"],
        "新建、续建或前期",
        "new, continuing or preparatory"
    ),
    col!(
        "level",
        "项目级别",
        "Level",
        Ty::Vocab(Vocab::Level),
        true,
        ["级别", "项目层级"],
        "",
        ""
    ),
    col!(
        "status",
        "项目状态",
        "Status",
        Ty::Vocab(Vocab::Status),
        true,
        ["状态", "当前状态", "项目阶段", "建设状态"],
        "",
        ""
    ),
    col!(
        "location",
        "建设地点",
        "Location",
        Ty::Text(200),
        false,
        ["项目地址", "地点", "建设地址", "项目所在地"],
        "",
        ""
    ),
    col!(
        "content",
        "建设内容及规模",
        "Scale and content",
        Ty::Text(2000),
        false,
        [
            "建设规模及内容",
            "主要建设内容",
            "建设内容",
            "主要建设内容及规模",
            "建设规模"
        ],
        "",
        ""
    ),
    col!(
        "years",
        "建设起止年限",
        "Construction years",
        Ty::Years,
        true,
        [
            "起止年限",
            "建设年限",
            "建设期限",
            "建设起止年份",
            "开竣工年限"
        ],
        "如 2024-2026",
        "like 2024-2026"
    ),
    col!(
        "total",
        "总投资",
        "Total investment",
        Ty::Money,
        true,
        ["计划总投资", "项目总投资", "总投资额", "估算总投资"],
        "万元，保留至多4位小数",
        "in 10,000 yuan (万元), at most 4 decimals"
    ),
    col!(
        "funding",
        "资金来源",
        "Funding sources",
        Ty::Text(500),
        false,
        ["资金渠道", "资金来源及构成"],
        "如“中央预算内 5000；专项债 3000”（万元），只写一种来源时视为全部总投资",
        "like '中央预算内 5000；专项债 3000' (万元); a single source without an amount takes the whole total"
    ),
];

const MONTH_COLUMNS: [&str; 12] = [
    "m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8", "m9", "m10", "m11", "m12",
];

macro_rules! month_col {
    ($i:literal, $zh:literal, $en:literal) => {
        Column {
            key: MONTH_COLUMNS[$i],
            zh: $zh,
            en: $en,
            ty: Ty::Money,
            required: false,
            aliases: &[],
            note_zh: "当月计划投资（万元，非累计）；12个月之和须等于年度计划投资，全部留空则按季节系数分解",
            note_en: "the month's planned investment (万元, not cumulative); the twelve must add up to the annual plan; leave all empty to spread it by the seasonal profile",
        }
    };
}

pub const PLANS: &[Column] = &[
    CODE,
    NAME_CONTEXT,
    YEAR,
    col!(
        "planned",
        "年度计划投资",
        "Annual planned investment",
        Ty::Money,
        true,
        [
            "年度计划",
            "计划投资",
            "年计划投资",
            "本年计划投资",
            "年度投资计划"
        ],
        "万元",
        "万元"
    ),
    col!(
        "start_month",
        "计划开工月份",
        "Planned start month",
        Ty::MonthNumber,
        false,
        ["计划开工时间", "计划开工月"],
        "新开工项目填写，1—12",
        "for new projects, 1 to 12"
    ),
    month_col!(0, "1月", "Jan"),
    month_col!(1, "2月", "Feb"),
    month_col!(2, "3月", "Mar"),
    month_col!(3, "4月", "Apr"),
    month_col!(4, "5月", "May"),
    month_col!(5, "6月", "Jun"),
    month_col!(6, "7月", "Jul"),
    month_col!(7, "8月", "Aug"),
    month_col!(8, "9月", "Sep"),
    month_col!(9, "10月", "Oct"),
    month_col!(10, "11月", "Nov"),
    month_col!(11, "12月", "Dec"),
];

/// The key of month `m` (1..=12) in the plans sheet.
pub fn month_key(m: usize) -> &'static str {
    MONTH_COLUMNS[m - 1]
}

pub const MILESTONES: &[Column] = &[
    CODE,
    NAME_CONTEXT,
    YEAR,
    col!(
        "milestone",
        "节点名称",
        "Milestone",
        Ty::Text(50),
        true,
        ["节点", "关键节点", "形象进度节点", "里程碑"],
        "如 开工、主体完工、竣工、投产",
        "like 开工 (start), 主体完工, 竣工, 投产"
    ),
    col!(
        "planned_on",
        "计划完成时间",
        "Planned date",
        Ty::Date,
        true,
        ["计划时间", "计划完成日期", "计划节点时间"],
        "日期，如 2025-06-30",
        "a date like 2025-06-30"
    ),
    col!(
        "actual_on",
        "实际完成时间",
        "Actual date",
        Ty::Date,
        false,
        ["实际时间", "实际完成日期"],
        "已完成时填写",
        "when reached"
    ),
];

pub const PROGRESS: &[Column] = &[
    CODE,
    NAME_CONTEXT,
    col!(
        "period",
        "填报年月",
        "Period",
        Ty::Month,
        true,
        ["填报月份", "报告期", "统计月份", "填报时间", "年月"],
        "如 2025-10；整表同一月份时也可写在标题中",
        "like 2025-10; may be given once in the title when the whole sheet is one month"
    ),
    col!(
        "invest_period",
        "本月完成投资",
        "Invested this month",
        Ty::Money,
        false,
        ["当月完成投资", "本期完成投资", "月度完成投资"],
        "万元",
        "万元"
    ),
    col!(
        "invest_ytd",
        "1-N月累计完成投资",
        "Invested year to date",
        Ty::Money,
        false,
        [
            "本年累计完成投资",
            "年度累计完成投资",
            "累计完成投资",
            "1-n月完成投资",
            "本年完成投资",
            "1-n月累计完成"
        ],
        "万元，本年1月至本月",
        "万元, January to this month"
    ),
    col!(
        "invest_since_start",
        "开工至今累计完成投资",
        "Invested since start",
        Ty::Money,
        false,
        [
            "开工以来累计完成投资",
            "自开工累计完成投资",
            "累计完成投资（开工至今）"
        ],
        "万元",
        "万元"
    ),
    col!(
        "progress_pct",
        "形象进度（%）",
        "Physical progress (%)",
        Ty::Percent,
        false,
        ["形象进度百分比", "工程进度", "完成比例", "形象进度比例"],
        "0—100",
        "0 to 100"
    ),
    col!(
        "progress_text",
        "形象进度",
        "Physical progress",
        Ty::Text(500),
        false,
        [
            "形象进度描述",
            "工程形象进度",
            "目前形象进度",
            "项目进展情况",
            "进展情况"
        ],
        "",
        ""
    ),
    col!(
        "started",
        "是否开工",
        "Started",
        Ty::Bool,
        false,
        ["开工情况", "是否已开工"],
        "是/否",
        "是 (yes) or 否 (no)"
    ),
    col!(
        "started_on",
        "实际开工时间",
        "Started on",
        Ty::Date,
        false,
        ["开工时间", "开工日期", "实际开工日期"],
        "日期，如 2025-03-01",
        "a date like 2025-03-01"
    ),
    col!(
        "funds_received",
        "累计资金到位",
        "Funds received (cumulative)",
        Ty::Money,
        false,
        [
            "资金到位累计",
            "累计到位资金",
            "资金到位情况累计",
            "累计到位",
            "到位资金累计"
        ],
        "万元",
        "万元"
    ),
    col!(
        "funds_disbursed",
        "累计资金拨付",
        "Funds disbursed (cumulative)",
        Ty::Money,
        false,
        [
            "资金拨付累计",
            "累计拨付资金",
            "累计支付资金",
            "资金拨付情况累计"
        ],
        "万元",
        "万元"
    ),
    col!(
        "stats_entered",
        "是否入库纳统",
        "In the statistics",
        Ty::Bool,
        false,
        ["是否纳统", "是否入库", "入库纳统"],
        "是/否",
        "是 (yes) or 否 (no)"
    ),
    col!(
        "issues",
        "存在问题及需协调事项",
        "Issues and requests",
        Ty::Text(2000),
        false,
        [
            "存在问题",
            "存在的问题",
            "存在问题及需协调解决事项",
            "需协调解决的问题",
            "存在的困难和问题"
        ],
        "",
        ""
    ),
    col!(
        "next_steps",
        "下步计划",
        "Next steps",
        Ty::Text(2000),
        false,
        [
            "下一步工作计划",
            "下步工作打算",
            "下一步计划",
            "下步工作计划"
        ],
        "",
        ""
    ),
];

pub const PROBLEMS: &[Column] = &[
    col!(
        "code",
        "项目代码",
        "Project code",
        Ty::Code,
        false,
        ["项目编码", "项目编号"],
        "问题所属项目；不属于具体项目时留空",
        "the project; empty when the problem is not about one project"
    ),
    NAME_CONTEXT,
    col!(
        "source",
        "问题来源",
        "Source",
        Ty::Vocab(Vocab::ProblemSource),
        true,
        ["来源"],
        "",
        ""
    ),
    col!(
        "category",
        "问题类别",
        "Category",
        Ty::Vocab(Vocab::ProblemCategory),
        true,
        ["类别", "问题类型", "要素保障类别"],
        "",
        ""
    ),
    col!(
        "description",
        "问题描述",
        "Description",
        Ty::Text(2000),
        true,
        ["存在问题", "问题内容", "具体问题", "存在问题及需协调事项"],
        "同一项目下描述相同的问题再次导入不会重复创建",
        "the same description under the same project is not created twice"
    ),
    col!(
        "lead_unit",
        "牵头单位",
        "Lead unit",
        Ty::Text(100),
        false,
        ["责任单位", "牵头责任单位", "承办单位"],
        "填写后须同时填写整改时限，问题即交办",
        "with a deadline, the problem is assigned at once"
    ),
    col!(
        "responsible",
        "责任人",
        "Responsible person",
        Ty::Text(50),
        false,
        ["具体责任人", "联系人"],
        "",
        ""
    ),
    col!(
        "deadline",
        "整改时限",
        "Deadline",
        Ty::Date,
        false,
        ["完成时限", "整改期限", "办结时限"],
        "日期，不早于今天",
        "a date, not in the past"
    ),
];

/// Headers of real sheets that duban knows and does not import (computed or context
/// columns). They are listed in the preview as read but not used.
pub const CONTEXT_HEADERS: &[&str] = &[
    "序号",
    "备注",
    "联系人及电话",
    "联系人",
    "联系电话",
    "本月计划投资",
    "本月计划形象进度",
    "年度投资完成率",
    "与序时进度差",
    "序时进度",
    "计划节点数",
    "实际节点数",
    "滞后节点数",
    "本月资金到位",
    "级别/类别",
];

pub const UNITS: &[Column] = &[
    col!(
        "unit_code",
        "单位代码",
        "Unit code",
        Ty::Text(32),
        true,
        ["单位编码", "代码", "编码", "机构代码"],
        "字母、数字、“-”“_”，不超过32位；同一代码再次导入即更新该单位",
        "letters, digits, '-' or '_', at most 32; importing the same code again updates the unit"
    ),
    col!(
        "unit_name",
        "单位名称",
        "Unit name",
        Ty::Text(100),
        true,
        ["名称", "单位", "机构名称", "部门名称"],
        "",
        ""
    ),
    col!(
        "parent",
        "上级单位",
        "Parent unit",
        Ty::Text(100),
        false,
        ["上级单位代码", "上级", "所属单位", "上级部门"],
        "上级单位的代码或名称（可以是本表前面的行）；留空为本单位的直属下级",
        "the parent's code or name (may be an earlier row of this sheet); empty: directly below your own unit"
    ),
    col!(
        "unit_kind",
        "单位类型",
        "Kind",
        Ty::Vocab(Vocab::UnitKind),
        true,
        ["类型", "单位性质"],
        "从下拉列表选择",
        "choose from the drop-down"
    ),
    col!(
        "series",
        "考核序列",
        "Assessment series",
        Ty::Text(50),
        false,
        ["排名序列", "序列"],
        "同一序列的单位一起排名，留空按单位类型",
        "units of one series are ranked together; empty: by kind"
    ),
];

pub const USERS: &[Column] = &[
    col!(
        "username",
        "用户名",
        "User name",
        Ty::Text(64),
        true,
        ["账号", "登录名", "帐号"],
        "字母、数字、“.”“_”“-”；已有的用户名不会被修改",
        "letters, digits, '.', '_' or '-'; existing user names are left as they are"
    ),
    col!(
        "display_name",
        "姓名",
        "Full name",
        Ty::Text(64),
        true,
        ["名字", "用户姓名"],
        "",
        ""
    ),
    col!(
        "unit",
        "所在单位",
        "Unit",
        Ty::Text(100),
        true,
        ["单位", "所属单位", "工作单位", "单位代码"],
        "单位代码或名称，须在您管理的范围内",
        "the unit's code or name, within what you manage"
    ),
    col!(
        "role",
        "角色",
        "Role",
        Ty::Vocab(Vocab::Role),
        true,
        ["用户角色", "岗位"],
        "督办人员、填报员、审核员、领导或评议人",
        "supervisor, reporter, approver, leader or reviewer"
    ),
    col!(
        "scope",
        "数据范围",
        "Data scope",
        Ty::Vocab(Vocab::Scope),
        false,
        ["范围", "权限范围"],
        "本单位（默认）、本单位及以下、全部",
        "own unit (default), own unit and below, the whole organisation"
    ),
];
