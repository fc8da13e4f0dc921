//! duban's projects in the Open Contracting for Infrastructure Data Standard (OC4IDS
//! 0.9, project level): status, budget with its sources, period, location, the annual
//! plans as forecasts, approved reports as metrics (financialProgress and
//! physicalProgress), milestones, and the payments reported (资金拨付) as transactions.
//! A pure mapping to JSON; the package is written around the projects as a stream.

use crate::codes::{Category, Nature, ProjectStatus};
use crate::plan::AnnualPlan;
use crate::project::Project;
use crate::report::Report;
use chrono::NaiveDate;
use serde_json::{Value, json};

/// The schema version the output follows.
pub const VERSION: &str = "0.9";
const CURRENCY: &str = "CNY";

/// One project and what duban knows of it.
pub struct Input<'a> {
    pub project: &'a Project,
    /// The responsible unit: (code, name).
    pub unit: (&'a str, &'a str),
    /// Its annual plans, any order.
    pub plans: &'a [AnnualPlan],
    /// Its approved reports (the latest revision of each period), any order.
    pub reports: &'a [Report],
    /// When the project was last changed (RFC 3339).
    pub updated: &'a str,
}

/// A calendar date as the schema's date-time, at midnight in China Standard Time.
fn datetime(d: NaiveDate) -> String {
    format!("{d}T00:00:00+08:00")
}

fn money(yuan: i64) -> Value {
    json!({ "amount": yuan, "currency": CURRENCY })
}

pub fn status(s: ProjectStatus) -> &'static str {
    match s {
        ProjectStatus::Planning | ProjectStatus::Reserve => "identification",
        ProjectStatus::Preliminary => "preparation",
        ProjectStatus::Construction | ProjectStatus::Suspended => "implementation",
        ProjectStatus::Completed => "completion",
        ProjectStatus::Operating => "maintenance",
        ProjectStatus::Cancelled => "cancelled",
    }
}

/// The sector codelist is open: categories without an equivalent keep duban's code.
fn sector(c: Category) -> String {
    match c {
        Category::Energy => "energy".into(),
        Category::Ecology => "naturalResources".into(),
        Category::Industry | Category::Agriculture => "economy".into(),
        other => format!("duban.{}", other.code()),
    }
}

fn project_type(n: Nature) -> &'static str {
    match n {
        Nature::New | Nature::Preparatory => "construction",
        Nature::Continuing => "construction",
    }
}

fn period_json(start: NaiveDate, end: NaiveDate) -> Value {
    json!({ "startDate": datetime(start), "endDate": datetime(end) })
}

/// One project as OC4IDS. `today` decides whether an unmet milestone is overdue.
pub fn project(i: &Input, id_prefix: &str, today: NaiveDate) -> Value {
    let p = &i.project.spec;
    let mut plans: Vec<&AnnualPlan> = i.plans.iter().collect();
    plans.sort_by_key(|x| x.year);
    let mut reports: Vec<&Report> = i.reports.iter().collect();
    reports.sort_by_key(|r| r.period);
    let authority_id = format!("unit-{}", i.unit.0);
    let mut parties = vec![json!({
        "id": authority_id,
        "name": i.unit.1,
        "roles": ["publicAuthority"],
    })];
    if !p.builder.is_empty() {
        parties.push(json!({
            "id": "builder",
            "name": p.builder,
            "roles": ["administrativeEntity", "payee"],
        }));
    }
    let year_start = |y: i32| NaiveDate::from_ymd_opt(y, 1, 1).expect("valid year");
    let year_end = |y: i32| NaiveDate::from_ymd_opt(y, 12, 31).expect("valid year");
    let mut out = json!({
        "id": format!("{id_prefix}{}", p.code.as_str()),
        "updated": i.updated,
        "language": "zh",
        "identifiers": [{ "id": p.code.as_str(), "scheme": "CN-TZXM" }],
        "title": p.name,
        "status": status(p.status),
        "type": project_type(p.nature),
        "sector": [sector(p.category)],
        "publicAuthority": { "id": authority_id, "name": i.unit.1 },
        "parties": parties,
        "period": period_json(year_start(p.start_year), year_end(p.end_year)),
        "budget": {
            "amount": money(p.total_investment.get()),
            "budgetBreakdowns": p.funding.iter().map(|f| json!({
                "id": f.source.code(),
                "description": f.source.zh(),
                "amount": money(f.amount.get()),
            })).collect::<Vec<_>>(),
        },
    });
    let obj = out.as_object_mut().expect("an object");
    if !p.content.is_empty() {
        obj.insert("description".into(), json!(p.content));
    }
    if !p.location.is_empty() || p.lon.is_some() {
        let mut loc = json!({ "id": "1" });
        if !p.location.is_empty() {
            loc["description"] = json!(p.location);
        }
        if let (Some(lon), Some(lat)) = (p.lon, p.lat) {
            loc["geometry"] = json!({ "type": "Point", "coordinates": [lon, lat] });
        }
        obj.insert("locations".into(), json!([loc]));
    }
    // The plans: the cumulative planned investment at the end of each month.
    let planned: Vec<Value> = plans
        .iter()
        .flat_map(|plan| {
            (1..=12u32).map(move |m| {
                let end = crate::period::Period::new(plan.year, m).expect("valid month");
                json!({
                    "id": end.to_string(),
                    "period": period_json(year_start(plan.year), end.last_day()),
                    "value": money(plan.curve.to_month(m).get()),
                })
            })
        })
        .collect();
    if !planned.is_empty() {
        obj.insert(
            "forecasts".into(),
            json!([{
                "id": "financialProgress",
                "title": "计划完成投资（年度累计） / planned investment, year to date",
                "observations": planned,
            }]),
        );
    }
    if !reports.is_empty() {
        let span = |r: &Report| period_json(r.period.first_day(), r.period.last_day());
        let financial: Vec<Value> = reports
            .iter()
            .map(|r| {
                json!({
                    "id": r.period.to_string(),
                    "period": span(r),
                    "value": money(r.figures.invest_since_start.get()),
                    "notes": "开工至今累计完成投资 / invested since start",
                })
            })
            .collect();
        let physical: Vec<Value> = reports
            .iter()
            .map(|r| {
                json!({
                    "id": r.period.to_string(),
                    "period": span(r),
                    "measure": r.figures.progress_bp as f64 / 100.0,
                    "unit": { "name": "percent" },
                })
            })
            .collect();
        obj.insert(
            "metrics".into(),
            json!([
                { "id": "financialProgress", "title": "完成投资 / investment completed", "observations": financial },
                { "id": "physicalProgress", "title": "形象进度 / physical progress", "observations": physical },
            ]),
        );
        // Payments: each month's increase of the funds disbursed.
        let mut last = 0i64;
        let mut transactions = Vec::new();
        for r in &reports {
            let d = r.figures.funds_disbursed.get();
            if d > last {
                let mut t = json!({
                    "id": r.period.to_string(),
                    "date": datetime(r.period.last_day()),
                    "value": money(d - last),
                });
                if !p.builder.is_empty() {
                    t["payee"] = json!({ "id": "builder", "name": p.builder });
                }
                transactions.push(t);
            }
            last = last.max(d);
        }
        if !transactions.is_empty() {
            obj.insert("transactions".into(), json!(transactions));
        }
    }
    let milestones: Vec<Value> = plans
        .iter()
        .flat_map(|plan| {
            plan.milestones.iter().enumerate().map(move |(n, m)| {
                let status = match m.actual {
                    Some(_) => "met",
                    None if m.overdue_at(today) => "notMet",
                    None => "scheduled",
                };
                let mut v = json!({
                    "id": format!("{}-{}", plan.year, n + 1),
                    "title": m.name,
                    "type": "delivery",
                    "dueDate": datetime(m.planned),
                    "status": status,
                });
                if let Some(a) = m.actual {
                    v["dateMet"] = json!(datetime(a));
                }
                v
            })
        })
        .collect();
    if !milestones.is_empty() {
        obj.insert("milestones".into(), json!(milestones));
    }
    out
}

/// The package around the projects: what comes before the first project and after
/// the last, so that a large package is written as a stream.
pub fn package_ends(uri: &str, published: &str, publisher: &str) -> (String, String) {
    let head = json!({
        "uri": uri,
        "publishedDate": published,
        "publisher": { "name": publisher },
        "version": VERSION,
    })
    .to_string();
    let head = format!("{},\"projects\":[", head.trim_end_matches('}'));
    (head, "]}".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codes::{FundingSource, Level};
    use crate::money::Yuan;
    use crate::period::Period;
    use crate::plan::{Milestone, SeasonalProfile};
    use crate::project::{Funding, NewProject, ProjectCode};
    use crate::report::{ReportFigures, ReportState};

    fn sample() -> (Project, Vec<AnnualPlan>, Vec<Report>) {
        let project = Project {
            id: crate::ids::ProjectId::new(7),
            version: 1,
            spec: NewProject {
                code: ProjectCode::from_trusted("2024-650000-48-01-000001".into()),
                name: "冷链物流园（一期）".into(),
                unit_id: 1,
                builder: "某某建设公司".into(),
                leader: String::new(),
                chain_id: None,
                category: Category::Energy,
                nature: Nature::New,
                level: Level::City,
                status: ProjectStatus::Construction,
                location: "阿拉尔市".into(),
                lon: Some(81.28),
                lat: Some(40.55),
                content: "冷库2万平方米".into(),
                start_year: 2024,
                end_year: 2026,
                total_investment: Yuan::from_wan(10_000),
                funding: vec![Funding {
                    source: FundingSource::SpecialBond,
                    amount: Yuan::from_wan(4_000),
                }],
                parent_id: None,
            },
        };
        let plan = AnnualPlan::parse(
            2025,
            Yuan::from_wan(1_200),
            None,
            &SeasonalProfile::even(),
            None,
            vec![
                Milestone {
                    name: "开工".into(),
                    planned: NaiveDate::from_ymd_opt(2025, 3, 1).unwrap(),
                    actual: NaiveDate::from_ymd_opt(2025, 3, 5),
                },
                Milestone {
                    name: "主体完工".into(),
                    planned: NaiveDate::from_ymd_opt(2025, 9, 30).unwrap(),
                    actual: None,
                },
            ],
        )
        .unwrap();
        let report = |m: u32, disbursed: i64| Report {
            id: crate::ids::ReportId::new(m as i64),
            project_id: crate::ids::ProjectId::new(7),
            period: Period::new(2025, m).unwrap(),
            revision: 1,
            state: ReportState::Approved,
            figures: ReportFigures {
                invest_since_start: Yuan::from_wan(100 * m as i64),
                progress_bp: 1000 * m as i64,
                funds_disbursed: Yuan::from_wan(disbursed),
                ..Default::default()
            },
            returned_reason: None,
            submitted_at: None,
            approved_at: None,
            late: false,
            backfilled: false,
            correction_reason: None,
            checked_by: None,
            checked_at: None,
        };
        (
            project,
            vec![plan],
            vec![report(5, 300), report(4, 100), report(6, 300)],
        )
    }

    #[test]
    fn a_project_in_oc4ids() {
        let (p, plans, reports) = sample();
        let v = project(
            &Input {
                project: &p,
                unit: ("D01", "第一师"),
                plans: &plans,
                reports: &reports,
                updated: "2025-10-31T00:00:00+08:00",
            },
            "oc4ids-duban-",
            NaiveDate::from_ymd_opt(2025, 10, 15).unwrap(),
        );
        assert_eq!(v["id"], "oc4ids-duban-2024-650000-48-01-000001");
        assert_eq!(v["status"], "implementation");
        assert_eq!(v["sector"][0], "energy");
        assert_eq!(v["budget"]["amount"]["amount"], 100_000_000);
        assert_eq!(
            v["budget"]["budgetBreakdowns"][0]["amount"]["amount"],
            40_000_000
        );
        assert_eq!(v["period"]["endDate"], "2026-12-31T00:00:00+08:00");
        assert_eq!(v["locations"][0]["geometry"]["coordinates"][0], 81.28);
        let f = &v["forecasts"][0]["observations"];
        assert_eq!(f.as_array().unwrap().len(), 12);
        assert_eq!(
            f[11]["value"]["amount"], 12_000_000,
            "the year's plan at December"
        );
        // Reports in period order, whatever order they came in.
        let m = &v["metrics"];
        assert_eq!(m[0]["id"], "financialProgress");
        assert_eq!(m[0]["observations"][0]["id"], "2025-04");
        assert_eq!(m[1]["observations"][2]["measure"], 60.0);
        // Payments: the increases of funds disbursed only.
        let t = v["transactions"].as_array().unwrap();
        assert_eq!(t.len(), 2);
        assert_eq!(
            (
                t[0]["value"]["amount"].as_i64(),
                t[1]["value"]["amount"].as_i64()
            ),
            (Some(1_000_000), Some(2_000_000))
        );
        assert_eq!(v["milestones"][0]["status"], "met");
        assert_eq!(
            v["milestones"][1]["status"], "notMet",
            "overdue on 2025-10-15"
        );
        let (head, tail) = package_ends("urn:x", "2025-10-31T00:00:00+08:00", "督办室");
        let pkg: Value = serde_json::from_str(&format!("{head}{v}{tail}")).unwrap();
        assert_eq!(pkg["projects"][0]["title"], "冷链物流园（一期）");
        assert_eq!(pkg["version"], "0.9");
    }
}
