//! The lists of the UI as files, with the same query, scope and order as on screen:
//! reports, problems, the dispatch list, missing reports (催报) and the audit log.

use crate::access::{Can, ReadAudit, ReadRegistry};
use crate::{AppError, MAX_PAGE_SIZE};
use duban_domain::problem::DeadlineStatus;
use duban_domain::table::{Fmt, Listing, Val, col};
use duban_store::{Db, units};
use std::collections::HashMap;

/// Rows at most in one file (Excel's last row, less the header).
pub const MAX_ROWS: usize = 1_048_575;

fn too_many(n: i64) -> AppError {
    duban_domain::FieldError::new(
        "page_size",
        "too_many",
        format!("共{n}行，超过Excel上限{MAX_ROWS}行，请先筛选"),
        format!("{n} rows, more than Excel's {MAX_ROWS}; filter the list first"),
    )
    .into()
}

async fn unit_names(db: &Db) -> Result<HashMap<i64, String>, AppError> {
    Ok(units::list(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u.name))
        .collect())
}

fn pick(english: bool, zh: &str, en: &str) -> Val {
    Val::from(if english { en } else { zh })
}

/// Every page of a paged list.
macro_rules! all_pages {
    ($q:expr, $v:ident => $fetch:expr) => {{
        let mut $v = $q.clone();
        $v.page_size = Some(MAX_PAGE_SIZE);
        let mut items = Vec::new();
        for page in 1.. {
            $v.page = Some(page);
            let p = $fetch.await?;
            if p.total as usize > MAX_ROWS {
                return Err(too_many(p.total));
            }
            let n = p.items.len();
            items.extend(p.items);
            if n < MAX_PAGE_SIZE as usize || items.len() as i64 >= p.total {
                break;
            }
        }
        items
    }};
}

pub async fn reports(
    db: &Db,
    can: &Can<ReadRegistry>,
    q: &crate::reports::ReportQuery,
    english: bool,
) -> Result<Listing, AppError> {
    let items = all_pages!(q, x => crate::reports::list(db, can, &x));
    let names = unit_names(db).await?;
    Ok(Listing {
        title_zh: "进度报告",
        title_en: "Progress reports",
        columns: vec![
            col("项目代码", "Code", Fmt::Text),
            col("项目名称", "Project", Fmt::Text),
            col("责任单位", "Unit", Fmt::Text),
            col("填报年月", "Period", Fmt::Text),
            col("修订", "Revision", Fmt::Int),
            col("状态", "State", Fmt::Text),
            col(
                "本月完成投资（万元）",
                "Invested this month (10k yuan)",
                Fmt::Wan,
            ),
            col(
                "1-N月累计完成投资（万元）",
                "Year to date (10k yuan)",
                Fmt::Wan,
            ),
            col(
                "开工至今累计完成投资（万元）",
                "Since start (10k yuan)",
                Fmt::Wan,
            ),
            col("形象进度", "Physical progress", Fmt::Percent),
            col(
                "累计资金到位（万元）",
                "Funds received (10k yuan)",
                Fmt::Wan,
            ),
            col("是否开工", "Started", Fmt::Text),
            col("是否逾期", "Late", Fmt::Text),
            col("报送时间", "Submitted", Fmt::Time),
        ],
        rows: items
            .iter()
            .map(|r| {
                let f = &r.report.figures;
                let yes = |b: bool| {
                    pick(
                        english,
                        if b { "是" } else { "否" },
                        if b { "yes" } else { "no" },
                    )
                };
                vec![
                    r.project_code.clone().into(),
                    r.project_name.clone().into(),
                    names.get(&r.unit_id).cloned().unwrap_or_default().into(),
                    r.report.period.to_string().into(),
                    Val::Int(r.report.revision),
                    pick(english, r.report.state.zh(), r.report.state.en()),
                    Val::Yuan(f.invest_period.get()),
                    Val::Yuan(f.invest_ytd.get()),
                    Val::Yuan(f.invest_since_start.get()),
                    Val::Bp(f.progress_bp),
                    Val::Yuan(f.funds_received.get()),
                    yes(f.started),
                    yes(r.report.late),
                    r.report.submitted_at.map(Val::Time).unwrap_or(Val::Empty),
                ]
            })
            .collect(),
    })
}

pub async fn problems(
    db: &Db,
    can: &Can<ReadRegistry>,
    q: &crate::problems::ProblemQuery,
    english: bool,
) -> Result<Listing, AppError> {
    let items = all_pages!(q, x => crate::problems::list(db, can, &x));
    let names = unit_names(db).await?;
    Ok(Listing {
        title_zh: "问题清单",
        title_en: "Problems",
        columns: vec![
            col("编号", "No.", Fmt::Int),
            col("项目代码", "Project code", Fmt::Text),
            col("项目名称", "Project", Fmt::Text),
            col("来源", "Source", Fmt::Text),
            col("类别", "Category", Fmt::Text),
            col("问题描述", "Description", Fmt::Text),
            col("牵头单位", "Lead unit", Fmt::Text),
            col("责任人", "Responsible", Fmt::Text),
            col("整改时限", "Deadline", Fmt::Date),
            col("状态", "State", Fmt::Text),
            col("时限", "Deadline status", Fmt::Text),
            col("提出时间", "Raised", Fmt::Time),
        ],
        rows: items
            .iter()
            .map(|r| {
                let p = &r.problem;
                let (dz, de) = match r.deadline_status {
                    DeadlineStatus::None => ("", ""),
                    DeadlineStatus::OnTrack => ("正常", "on track"),
                    DeadlineStatus::DueSoon => ("临期", "due soon"),
                    DeadlineStatus::Overdue => ("逾期", "overdue"),
                };
                vec![
                    Val::Int(p.id.get()),
                    r.project_code.clone().unwrap_or_default().into(),
                    r.project_name.clone().unwrap_or_default().into(),
                    pick(english, p.source.zh(), p.source.en()),
                    pick(english, p.category.zh(), p.category.en()),
                    p.description.clone().into(),
                    p.lead_unit_id
                        .and_then(|u| names.get(&u).cloned())
                        .unwrap_or_default()
                        .into(),
                    p.responsible.clone().into(),
                    p.deadline.map(Val::Date).unwrap_or(Val::Empty),
                    pick(english, p.state.zh(), p.state.en()),
                    pick(english, dz, de),
                    Val::Time(p.created_at),
                ]
            })
            .collect(),
    })
}

pub async fn audit(
    db: &Db,
    can: &Can<ReadAudit>,
    q: &crate::audit::AuditQuery,
    _english: bool,
) -> Result<Listing, AppError> {
    let items = all_pages!(q, x => crate::audit::list(db, can, &x));
    Ok(Listing {
        title_zh: "审计日志",
        title_en: "Audit log",
        columns: vec![
            col("序号", "Seq", Fmt::Int),
            col("时间", "Time", Fmt::Time),
            col("操作人", "Actor", Fmt::Text),
            col("IP", "IP", Fmt::Text),
            col("操作", "Action", Fmt::Text),
            col("对象类型", "Object type", Fmt::Text),
            col("对象", "Object", Fmt::Text),
            col("结果", "Outcome", Fmt::Text),
            col("哈希", "Hash", Fmt::Text),
        ],
        rows: items
            .into_iter()
            .map(|e| {
                vec![
                    Val::Int(e.seq),
                    Val::Time(e.at),
                    e.actor.into(),
                    e.ip.into(),
                    e.action.into(),
                    e.object_type.into(),
                    e.object_id.into(),
                    e.outcome.into(),
                    e.hash.into(),
                ]
            })
            .collect(),
    })
}

pub async fn dispatch(
    db: &Db,
    can: &Can<ReadRegistry>,
    as_of: Option<&str>,
    unit: Option<i64>,
    reason: Option<&str>,
    english: bool,
) -> Result<Listing, AppError> {
    let items = crate::analytics::dispatch_list(db, can, as_of, unit, reason, 0, MAX_ROWS as i64)
        .await?
        .items;
    let names = unit_names(db).await?;
    Ok(Listing {
        title_zh: "调度清单",
        title_en: "Dispatch list",
        columns: vec![
            col("项目代码", "Code", Fmt::Text),
            col("项目名称", "Project", Fmt::Text),
            col("责任单位", "Unit", Fmt::Text),
            col("包联领导", "Liaison leader", Fmt::Text),
            col("灯色", "Light", Fmt::Text),
            col("调度原因", "Reasons", Fmt::Text),
        ],
        rows: items
            .into_iter()
            .map(|d| {
                let reasons: Vec<String> = d
                    .reasons
                    .iter()
                    .map(|r| if english { r.en.clone() } else { r.zh.clone() })
                    .collect();
                vec![
                    d.code.into(),
                    d.name.into(),
                    names.get(&d.unit_id).cloned().unwrap_or_default().into(),
                    d.leader.into(),
                    pick(english, d.light.zh(), d.light.code()),
                    reasons.join(if english { "; " } else { "；" }).into(),
                ]
            })
            .collect(),
    })
}

pub async fn missing(
    db: &Db,
    can: &Can<ReadRegistry>,
    period: &str,
    unit: Option<i64>,
    english: bool,
) -> Result<Listing, AppError> {
    let mut missing = crate::reports::missing_all(db, can, period, unit).await?;
    // In the screen's order: units with most missing first, each by code.
    let mut counts: HashMap<i64, usize> = HashMap::new();
    for p in &missing {
        *counts.entry(p.unit_id).or_default() += 1;
    }
    missing.sort_by_key(|p| (std::cmp::Reverse(counts[&p.unit_id]), p.unit_id));
    let names = unit_names(db).await?;
    let mut rows = Vec::new();
    for p in missing {
        let state = match p.state.as_deref() {
            Some("draft") => pick(english, "草稿未报送", "draft not submitted"),
            Some("returned") => pick(english, "退回未重报", "returned, not resubmitted"),
            Some("submitted") => pick(english, "已报送待审核", "submitted, awaiting approval"),
            Some("checked") => pick(
                english,
                "初审通过待复审",
                "first approval given, awaiting the second",
            ),
            _ => pick(english, "未填报", "not started"),
        };
        rows.push(vec![
            names.get(&p.unit_id).cloned().unwrap_or_default().into(),
            p.code.into(),
            p.name.into(),
            p.leader.into(),
            state,
        ]);
    }
    Ok(Listing {
        title_zh: "未报清单",
        title_en: "Missing reports",
        columns: vec![
            col("责任单位", "Unit", Fmt::Text),
            col("项目代码", "Code", Fmt::Text),
            col("项目名称", "Project", Fmt::Text),
            col("包联领导", "Liaison leader", Fmt::Text),
            col("情况", "Situation", Fmt::Text),
        ],
        rows,
    })
}

pub async fn users(
    db: &Db,
    can: &Can<crate::access::ManageUsers>,
    english: bool,
) -> Result<Listing, AppError> {
    let names = unit_names(db).await?;
    let list = crate::accounts::admin_list(db, can).await?;
    Ok(Listing {
        title_zh: "用户",
        title_en: "Users",
        columns: vec![
            col("用户名", "Username", Fmt::Text),
            col("姓名", "Name", Fmt::Text),
            col("单位", "Unit", Fmt::Text),
            col("角色与范围", "Roles and scopes", Fmt::Text),
            col("动态口令", "TOTP", Fmt::Text),
            col("状态", "State", Fmt::Text),
            col("密码修改时间", "Password changed", Fmt::Time),
        ],
        rows: list
            .into_iter()
            .map(|u| {
                let roles: Vec<String> = u
                    .grants
                    .iter()
                    .map(|g| {
                        let role = if english { g.role.en() } else { g.role.zh() };
                        format!("{role}({})", g.scope.code())
                    })
                    .collect();
                let state = if u.archived {
                    pick(english, "已停用", "archived")
                } else if u.locked_until.is_some() {
                    pick(english, "已锁定", "locked")
                } else {
                    pick(english, "正常", "active")
                };
                vec![
                    u.username.into(),
                    u.display_name.into(),
                    names.get(&u.unit_id).cloned().unwrap_or_default().into(),
                    roles.join(if english { "; " } else { "；" }).into(),
                    pick(
                        english,
                        if u.totp_enabled {
                            "已启用"
                        } else {
                            "未启用"
                        },
                        if u.totp_enabled { "on" } else { "off" },
                    ),
                    state,
                    Val::Time(u.password_changed_at),
                ]
            })
            .collect(),
    })
}

pub async fn units(
    db: &Db,
    caller: &crate::access::Caller,
    english: bool,
) -> Result<Listing, AppError> {
    let list = crate::registry::units(db, caller).await?;
    let names: HashMap<i64, String> = list.iter().map(|u| (u.id, u.name.clone())).collect();
    Ok(Listing {
        title_zh: "单位",
        title_en: "Units",
        columns: vec![
            col("单位代码", "Code", Fmt::Text),
            col("单位名称", "Name", Fmt::Text),
            col("类型", "Kind", Fmt::Text),
            col("上级单位", "Parent", Fmt::Text),
            col("排名序列", "Ranking series", Fmt::Text),
        ],
        rows: list
            .into_iter()
            .map(|u| {
                vec![
                    u.code.into(),
                    u.name.into(),
                    pick(english, u.kind.zh(), u.kind.en()),
                    u.parent_id
                        .and_then(|p| names.get(&p).cloned())
                        .unwrap_or_default()
                        .into(),
                    u.series.into(),
                ]
            })
            .collect(),
    })
}
