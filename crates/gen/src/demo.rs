//! The demo data set's real part: projects and figures named in the seed reports
//! (`shared/seeds/`), placed in the synthetic Corps tree, plus a second tree for
//! Hinggan League. Where a report gives a figure it is used as given; where it gives
//! none (e.g. the total investment of a power plant), the figure is a plausible
//! estimate and marked `est` below.

use crate::names::{INDUSTRY, INFRA, LIVELIHOOD, SOCIAL, numeral};
use crate::{Batch, Behaviour, Params, Skeleton, rng_for, simulate};
use duban_domain::ids::{ChainId, ProjectId};
use duban_domain::plan::{AnnualPlan, SeasonalProfile};
use duban_domain::project::{Funding, NewProject, Project, ProjectCode};
use duban_domain::unit::Unit;
use duban_domain::*;
use rand::Rng;

/// Number of synthetic Corps projects in the demo, beside the named ones.
pub const DEMO_PROJECTS: u64 = 3_000;
pub const DEMO_SEED: u64 = 2024;

/// The seed reports' aggregates, reproduced exactly by the demo data.
pub const TAIZHOU_PROJECTS: usize = 49;
pub const TAIZHOU_TOTAL_WAN: i64 = 34_200; // 3.42亿元 of aid funds
pub const HINGGAN_PROJECTS: usize = 197;
pub const HINGGAN_TOTAL_WAN: i64 = 13_824_000; // 1382.4亿元
pub const HINGGAN_PLAN_WAN: i64 = 2_720_000; // 272亿元

/// Extra units and projects of the demo.
pub struct Extras {
    pub units: Vec<Unit>,
    pub batch: Batch,
}

struct Named<'a> {
    name: &'a str,
    unit: &'a str,
    category: Category,
    nature: Nature,
    chain: Option<&'a str>,
    total_wan: i64,
    plan_wan: i64,
    progress_hint: f64,
    content: &'a str,
    source: FundingSource,
}

/// Split `total` into `n` positive parts with random weights, exactly.
fn split(rng: &mut rand_chacha::ChaCha8Rng, total: i64, n: usize) -> Vec<i64> {
    let w: Vec<i64> = (0..n).map(|_| rng.gen_range(20..200)).collect();
    let sum: i64 = w.iter().sum();
    let mut parts: Vec<i64> = w.iter().map(|x| total * x / sum).collect();
    let short = total - parts.iter().sum::<i64>();
    parts[n - 1] += short;
    parts
}

pub fn extras(sk: &Skeleton, as_of: Period) -> Extras {
    let mut units =
        crate::UnitList::starting_at(sk.units.iter().map(|u| u.id).max().unwrap_or(0) + 1);
    let unit_by_code = |units: &[Unit], code: &str| {
        sk.units
            .iter()
            .chain(units.iter())
            .find(|u| u.code == code)
            .map(|u| u.id)
            .expect("demo unit exists")
    };
    let d1 = unit_by_code(&units.units, "D01");
    units.add(
        Some(d1),
        "TZ-YJ",
        "台州市援疆指挥部",
        UnitKind::Command,
        "援疆",
    );
    let xam = units.add(None, "XAM", "兴安盟", UnitKind::Government, "盟");
    for (code, name, kind) in [
        ("XAM-WLHT", "乌兰浩特市", UnitKind::Government),
        ("XAM-AES", "阿尔山市", UnitKind::Government),
        ("XAM-KYQ", "科尔沁右翼前旗", UnitKind::Government),
        ("XAM-KYZ", "科尔沁右翼中旗", UnitKind::Government),
        ("XAM-ZLT", "扎赉特旗", UnitKind::Government),
        ("XAM-TQ", "突泉县", UnitKind::Government),
        ("XAM-KFQ", "兴安盟经济技术开发区", UnitKind::Park),
    ] {
        units.add(
            Some(xam),
            code,
            name,
            kind,
            if kind == UnitKind::Park {
                "园区"
            } else {
                "旗县市"
            },
        );
    }
    let chain_id = |name: &str| {
        sk.chains
            .iter()
            .find(|c| c.name == name)
            .map(|c| ChainId::new(c.id.get()))
    };

    let mut named: Vec<(Named, &str)> = vec![
        // Bingtuan report, 2024.
        (
            Named {
                name: "信发集团新疆公司2×60万千瓦煤电机组项目",
                unit: "D06",
                category: Category::Energy,
                nature: Nature::Continuing,
                chain: Some("煤电煤化工产业链"),
                total_wan: 480_000, /* est */
                plan_wan: 210_000,  /* est */
                progress_hint: 1.08,
                content: "建设2×60万千瓦超超临界燃煤发电机组；预计年底全容量并网，较常规建设周期提前5个月",
                source: FundingSource::SelfRaised,
            },
            "659004",
        ),
        (
            Named {
                name: "新疆塔里木农垦集团有限公司50万吨新型复合肥项目",
                unit: "D01",
                category: Category::Industry,
                nature: Nature::Continuing,
                chain: Some("绿色化肥产业链"),
                total_wan: 19_800, /* 近2亿元 */
                plan_wan: 12_000,  /* est */
                progress_hint: 1.0,
                content: "总建筑面积约6.5万平方米；一期项目来年春季投产",
                source: FundingSource::SelfRaised,
            },
            "659002",
        ),
        // Taizhou aid command, 2022: amounts of aid funds as reported.
        (
            Named {
                name: "第一师六团六连党群服务中心项目",
                unit: "TZ-YJ",
                category: Category::Livelihood,
                nature: Nature::New,
                chain: None,
                total_wan: 380, /* est */
                plan_wan: 380,
                progress_hint: 1.15,
                content: "建筑面积1010平方米，已投入使用",
                source: FundingSource::Aid,
            },
            "659002",
        ),
        (
            Named {
                name: "第一师十六团老一营红色教育基地修缮改造项目",
                unit: "TZ-YJ",
                category: Category::Social,
                nature: Nature::New,
                chain: Some("文化旅游产业链"),
                total_wan: 512,
                plan_wan: 512,
                progress_hint: 1.15,
                content: "投入援疆资金512万元修缮改造，已揭牌",
                source: FundingSource::Aid,
            },
            "659002",
        ),
        (
            Named {
                name: "第一师十三团“百村千厂”标准化厂房项目",
                unit: "TZ-YJ",
                category: Category::Industry,
                nature: Nature::New,
                chain: None,
                total_wan: 700,
                plan_wan: 700,
                progress_hint: 1.05,
                content: "安排援疆资金700万元，已进入收尾阶段",
                source: FundingSource::Aid,
            },
            "659002",
        ),
        (
            Named {
                name: "第一师六团二连乡村振兴项目",
                unit: "TZ-YJ",
                category: Category::Agriculture,
                nature: Nature::New,
                chain: None,
                total_wan: 440,
                plan_wan: 440,
                progress_hint: 0.9,
                content: "投入援疆资金440万元，进度达总工程量的83%",
                source: FundingSource::Aid,
            },
            "659002",
        ),
        // Hinggan League report, 2022.
        (
            Named {
                name: "内蒙古兴安伊利乳业有限责任公司面向液态奶行业“5G+工业互联网平台”应用智能制造新技术示范项目",
                unit: "XAM-KFQ",
                category: Category::Industry,
                nature: Nature::Continuing,
                chain: Some("乳业产业链"),
                total_wan: 120_000, /* est */
                plan_wan: 60_000,   /* est */
                progress_hint: 1.0,
                content: "一期总体工程完成过半；全部建成投产后可实现年产值15亿元、税金2000万元，带动就业500人",
                source: FundingSource::SelfRaised,
            },
            "152200",
        ),
        (
            Named {
                name: "蒙能科右中2×66万千瓦电厂项目",
                unit: "XAM-KYZ",
                category: Category::Energy,
                nature: Nature::Continuing,
                chain: Some("煤电煤化工产业链"),
                total_wan: 520_000, /* est */
                plan_wan: 150_000,  /* est */
                progress_hint: 1.05,
                content: "一号机组汽轮机冲车定速一次成功",
                source: FundingSource::SelfRaised,
            },
            "152200",
        ),
        (
            Named {
                name: "金风6万千瓦风电绿电微网项目",
                unit: "XAM-KFQ",
                category: Category::Energy,
                nature: Nature::New,
                chain: Some("新能源产业链"),
                total_wan: 40_000, /* est */
                plan_wan: 40_000,  /* est */
                progress_hint: 1.0,
                content: "6月30日开工，12月底建成投产，可实现开发区用电企业40%绿电替代",
                source: FundingSource::SelfRaised,
            },
            "152200",
        ),
        (
            Named {
                name: "科右前旗乌兰河至乌兰敖都民族风情草原观光旅游公路",
                unit: "XAM-KYQ",
                category: Category::Infrastructure,
                nature: Nature::Continuing,
                chain: Some("文化旅游产业链"),
                total_wan: 90_000, /* est */
                plan_wan: 30_000,  /* est */
                progress_hint: 0.95,
                content: "加速推进中",
                source: FundingSource::SpecialBond,
            },
            "152200",
        ),
    ];

    // Fill the Taizhou command to 49 aid projects and 3.42亿元, exactly.
    let mut rng = rng_for(DEMO_SEED, 9_000_000);
    let tz_named: i64 = named
        .iter()
        .filter(|(n, _)| n.unit == "TZ-YJ")
        .map(|(n, _)| n.total_wan)
        .sum();
    let tz_rest = TAIZHOU_PROJECTS - named.iter().filter(|(n, _)| n.unit == "TZ-YJ").count();
    let mut owned_names: Vec<String> = Vec::new();
    let tz_amounts = split(&mut rng, TAIZHOU_TOTAL_WAN - tz_named, tz_rest);
    for i in 0..tz_rest {
        let templates = if i % 2 == 0 { LIVELIHOOD } else { SOCIAL };
        let t = templates[i % templates.len()];
        let place = format!("第一师{}团", numeral(1 + (i as u32 * 7) % 16));
        let total = tz_amounts[i].max(1) as f64 * 1e4;
        owned_names.push(format!("{}（援疆）", t.fill(&place, total, 1.0)));
    }
    // Fill Hinggan League to 197 projects, 1382.4亿元 total and 272亿元 planned, exactly.
    let xam_named: Vec<&Named> = named
        .iter()
        .filter(|(n, _)| n.unit.starts_with("XAM"))
        .map(|(n, _)| n)
        .collect();
    let xam_rest = HINGGAN_PROJECTS - xam_named.len();
    let xam_totals = split(
        &mut rng,
        HINGGAN_TOTAL_WAN - xam_named.iter().map(|n| n.total_wan).sum::<i64>(),
        xam_rest,
    );
    let xam_plans = split(
        &mut rng,
        HINGGAN_PLAN_WAN - xam_named.iter().map(|n| n.plan_wan).sum::<i64>(),
        xam_rest,
    );
    let xam_units = [
        "XAM-WLHT", "XAM-AES", "XAM-KYQ", "XAM-KYZ", "XAM-ZLT", "XAM-TQ", "XAM-KFQ",
    ];
    let places = [
        "乌兰浩特市",
        "阿尔山市",
        "科右前旗",
        "科右中旗",
        "扎赉特旗",
        "突泉县",
        "兴安盟经济技术开发区",
    ];
    let mut xam_names = Vec::new();
    for i in 0..xam_rest {
        let templates = [INDUSTRY, INFRA, LIVELIHOOD, SOCIAL][i % 4];
        let t = templates[(i / 4) % templates.len()];
        let total = xam_totals[i].max(1) as f64 * 1e4;
        xam_names.push(t.fill(places[i % places.len()], total, 1.0));
    }
    for (i, name) in owned_names.iter().enumerate() {
        let a = tz_amounts[i].max(1);
        named.push((
            Named {
                name,
                unit: "TZ-YJ",
                category: if i % 2 == 0 {
                    Category::Livelihood
                } else {
                    Category::Social
                },
                nature: Nature::New,
                chain: None,
                total_wan: a,
                plan_wan: a,
                progress_hint: rng.gen_range(0.7..1.15),
                content: "台州市援疆项目",
                source: FundingSource::Aid,
            },
            "659002",
        ));
    }
    for (i, name) in xam_names.iter().enumerate() {
        // Plans never exceed the total: the larger parts of the plan go to the larger projects.
        let total = xam_totals[i].max(xam_plans[i]);
        named.push((
            Named {
                name,
                unit: xam_units[i % xam_units.len()],
                category: [
                    Category::Industry,
                    Category::Infrastructure,
                    Category::Livelihood,
                    Category::Social,
                ][i % 4],
                nature: if i % 3 == 0 {
                    Nature::New
                } else {
                    Nature::Continuing
                },
                chain: None,
                total_wan: total,
                plan_wan: xam_plans[i],
                progress_hint: rng.gen_range(0.6..1.2),
                content: "盟级重大项目",
                source: FundingSource::SelfRaised,
            },
            "152200",
        ));
    }

    let params = Params {
        projects: 0,
        seed: DEMO_SEED,
        as_of,
    };
    let mut batch = Batch::default();
    let first_id = DEMO_PROJECTS as i64 + 1;
    for (k, (n, region)) in named.iter().enumerate() {
        let id = first_id + k as i64;
        let mut rng = rng_for(DEMO_SEED, id as u64);
        let year = as_of.year();
        let start_year = if n.nature == Nature::Continuing {
            year - 1
        } else {
            year
        };
        let start_month = if n.nature == Nature::New {
            3 + (k as u32 % 4)
        } else {
            1
        };
        let mut weights = SeasonalProfile::northern().weights().to_vec();
        weights
            .iter_mut()
            .take(start_month as usize - 1)
            .for_each(|w| *w = 0);
        let profile = SeasonalProfile::parse(&weights).expect("positive weights");
        let plan = AnnualPlan::parse(
            year,
            Yuan::from_wan(n.plan_wan),
            None,
            &profile,
            (n.nature == Nature::New).then_some(start_month),
            vec![],
        )
        .expect("demo plans are valid");
        let unit_id = unit_by_code(&units.units, n.unit);
        let project = Project {
            id: ProjectId::new(id),
            version: 1,
            spec: NewProject {
                code: ProjectCode::parse(
                    "code",
                    &format!(
                        "{start_year}-{region}-{:02}-01-{:06}",
                        44 + k % 40,
                        900_000 + k
                    ),
                )
                .expect("valid demo code"),
                name: n.name.to_string(),
                unit_id,
                builder: String::new(),
                leader: ["王科", "李明", "张华", "刘强", "陈静"][k % 5].into(),
                chain_id: n.chain.and_then(chain_id),
                category: n.category,
                nature: n.nature,
                level: if n.unit.starts_with("XAM") {
                    Level::City
                } else {
                    Level::Provincial
                },
                status: ProjectStatus::Construction,
                location: units
                    .units
                    .iter()
                    .chain(sk.units.iter())
                    .find(|u| u.id == unit_id)
                    .map(|u| u.name.clone())
                    .unwrap_or_default(),
                lon: None,
                lat: None,
                content: n.content.into(),
                start_year,
                end_year: start_year + 2,
                total_investment: Yuan::from_wan(n.total_wan),
                funding: vec![Funding {
                    source: n.source,
                    amount: Yuan::from_wan(n.total_wan),
                }],
                parent_id: None,
            },
        };
        let bh = Behaviour {
            perf: n.progress_hint,
            never_starts: false,
            actual_start: start_month,
            before: if n.nature == Nature::Continuing {
                Yuan::from_wan(n.total_wan).mul_ratio(rng.gen_range(20..40), 100)
            } else {
                Yuan::ZERO
            },
            fund_ratio: 1.0,
            anomaly_month: None,
            copies: false,
            late_habit: k % 7 == 0,
        };
        simulate(&mut rng, &params, &project, &plan, &bh, &mut batch);
        batch.plans.push((ProjectId::new(id), plan));
        batch.projects.push(project);
    }
    Extras {
        units: units.units,
        batch,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seed_reports_figures_hold_exactly() {
        let sk = crate::skeleton();
        let ex = extras(&sk, Period::new(2025, 10).unwrap());
        let unit = |code: &str| ex.units.iter().find(|u| u.code == code).unwrap().id;
        let tz: Vec<_> = ex
            .batch
            .projects
            .iter()
            .filter(|p| p.spec.unit_id == unit("TZ-YJ"))
            .collect();
        assert_eq!(tz.len(), 49);
        assert_eq!(
            tz.iter()
                .map(|p| p.spec.total_investment)
                .sum::<Yuan>()
                .yi(),
            "3.42"
        );
        let xam: Vec<i64> = ex
            .units
            .iter()
            .filter(|u| u.code.starts_with("XAM-"))
            .map(|u| u.id)
            .collect();
        let hg: Vec<_> = ex
            .batch
            .projects
            .iter()
            .filter(|p| xam.contains(&p.spec.unit_id))
            .collect();
        assert_eq!(hg.len(), 197);
        assert_eq!(
            hg.iter().map(|p| p.spec.total_investment).sum::<Yuan>(),
            Yuan::from_wan(HINGGAN_TOTAL_WAN)
        );
        let ids: Vec<ProjectId> = hg.iter().map(|p| p.id).collect();
        let planned: Yuan = ex
            .batch
            .plans
            .iter()
            .filter(|(id, _)| ids.contains(id))
            .map(|(_, p)| p.planned())
            .sum();
        assert_eq!(planned.yi(), "272.00");
        assert!(
            ex.batch
                .projects
                .iter()
                .any(|p| p.spec.name == "信发集团新疆公司2×60万千瓦煤电机组项目")
        );
        assert!(
            ex.batch
                .projects
                .iter()
                .all(|p| p.spec.funding.iter().map(|f| f.amount).sum::<Yuan>()
                    <= p.spec.total_investment)
        );
        let mut codes: Vec<_> = ex
            .batch
            .projects
            .iter()
            .map(|p| p.spec.code.clone())
            .collect();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), ex.batch.projects.len());
        assert!(!ex.batch.reports.is_empty());
    }
}
