//! Vocabulary of realistic Chinese names: the Corps' divisions and regiments,
//! departments, industry chains and the words project names are made from.

use duban_domain::ProblemCategory;

/// The 14 divisions (师市) of the Xinjiang Production and Construction Corps, with the
/// number of regiments each is given in the synthetic tree and the 6-digit region code used in project codes.
pub const DIVISIONS: &[(&str, &str, u32, u32)] = &[
    ("D01", "第一师阿拉尔市", 16, 660100),
    ("D02", "第二师铁门关市", 13, 660200),
    ("D03", "第三师图木舒克市", 15, 660300),
    ("D04", "第四师可克达拉市", 18, 660400),
    ("D05", "第五师双河市", 11, 660500),
    ("D06", "第六师五家渠市", 15, 660600),
    ("D07", "第七师胡杨河市", 11, 660700),
    ("D08", "第八师石河子市", 16, 660800),
    ("D09", "第九师白杨市", 10, 660900),
    ("D10", "第十师北屯市", 11, 661000),
    ("D11", "第十一师", 6, 661100),
    ("D12", "第十二师", 5, 661200),
    ("D13", "第十三师新星市", 9, 661300),
    ("D14", "第十四师昆玉市", 5, 661400),
];

/// Chinese numerals for regiment and company names (一 … 九十九).
pub fn numeral(n: u32) -> String {
    const D: [&str; 10] = ["", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    match n {
        0 => "零".into(),
        1..=9 => D[n as usize].into(),
        10 => "十".into(),
        11..=19 => format!("十{}", D[(n % 10) as usize]),
        _ => format!("{}十{}", D[(n / 10) as usize], D[(n % 10) as usize]),
    }
}

/// Departments directly under the headquarters.
pub const DEPARTMENTS: &[(&str, &str)] = &[
    ("DEP-FGW", "兵团发展改革委"),
    ("DEP-GXW", "兵团工业和信息化局"),
    ("DEP-JTJ", "兵团交通运输局"),
    ("DEP-SLJ", "兵团水利局"),
    ("DEP-ZJJ", "兵团住房城乡建设局"),
    ("DEP-NYJ", "兵团农业农村局"),
    ("DEP-JYJ", "兵团教育局"),
    ("DEP-WJW", "兵团卫生健康委"),
    ("DEP-SWJ", "兵团商务局"),
    ("DEP-WLJ", "兵团文化体育广电和旅游局"),
];

/// Industry chains (产业链) and their chain leaders (链长).
pub const CHAINS: &[(&str, &str, &str)] = &[
    ("C01", "粮油产业链", "李建国"),
    ("C02", "棉花和纺织服装产业链", "王振华"),
    ("C03", "番茄产业链", "刘志强"),
    ("C04", "乳业产业链", "陈卫东"),
    ("C05", "畜禽养殖加工产业链", "杨立新"),
    ("C06", "林果产业链", "赵永红"),
    ("C07", "煤电煤化工产业链", "孙国平"),
    ("C08", "新能源产业链", "周海涛"),
    ("C09", "硅基新材料产业链", "吴明亮"),
    ("C10", "有色金属产业链", "郑新民"),
    ("C11", "绿色化肥产业链", "冯建军"),
    ("C12", "现代物流产业链", "何文斌"),
    ("C13", "文化旅游产业链", "许丽萍"),
    ("C14", "装备制造产业链", "马晓东"),
];

/// A project name template: `{u}` is the place, `{n}` the size, derived from the total
/// investment and a plausible cost per unit of size, so that a name's size and its money
/// agree (a fitness centre of 40,000 m² costs about 2亿元, not 1 m²).
#[derive(Debug, Clone, Copy)]
pub struct Template {
    pub name: &'static str,
    /// The industry chain, by index into `CHAINS`.
    pub chain: Option<usize>,
    /// Yuan per unit of `{n}`.
    pub cost: f64,
    /// The usual total investment, in 万元.
    pub wan: (f64, f64),
    /// `{n}` may have one decimal (sizes in 万吨, 万亩 …); counts are whole.
    pub frac: bool,
}

const fn t(
    name: &'static str,
    chain: Option<usize>,
    cost: f64,
    wan: (f64, f64),
    frac: bool,
) -> Template {
    Template {
        name,
        chain,
        cost,
        wan,
        frac,
    }
}

impl Template {
    /// The name for a place and a total investment, with its size.
    pub fn fill(&self, place: &str, total_yuan: f64, noise: f64) -> String {
        let n = (total_yuan / self.cost * noise).max(if self.frac { 0.1 } else { 1.0 });
        self.name
            .replace("{u}", place)
            .replace("{n}", &size_text(n, self.frac))
    }
}

/// A size as it is written in project names: two significant figures, one decimal under
/// ten where a decimal makes sense.
fn size_text(n: f64, frac: bool) -> String {
    if frac && n < 10.0 {
        let v = (n * 10.0).round() / 10.0;
        return if v.fract() == 0.0 {
            format!("{}", v as i64)
        } else {
            format!("{v:.1}")
        };
    }
    let n = n.round().max(1.0) as i64;
    let digits = n.to_string().len() as u32;
    let step = if digits > 2 { 10i64.pow(digits - 2) } else { 1 };
    ((n + step / 2) / step * step).to_string()
}

/// Name templates by category, with the cost of a unit of size and the usual total.
pub const INDUSTRY: &[Template] = &[
    t(
        "{u}{n}万吨番茄制品深加工项目",
        Some(2),
        3.0e7,
        (5_000.0, 200_000.0),
        true,
    ),
    t(
        "{u}{n}万锭紧密纺纱项目",
        Some(1),
        5.0e7,
        (10_000.0, 300_000.0),
        true,
    ),
    t(
        "{u}{n}万吨玉米深加工项目",
        Some(0),
        1.5e7,
        (20_000.0, 300_000.0),
        true,
    ),
    t(
        "{u}{n}头奶牛标准化养殖场建设项目",
        Some(3),
        3.0e4,
        (3_000.0, 50_000.0),
        false,
    ),
    t(
        "{u}{n}万头生猪屠宰及肉制品加工项目",
        Some(4),
        3.0e7,
        (10_000.0, 100_000.0),
        true,
    ),
    t(
        "{u}{n}万吨红枣精深加工项目",
        Some(5),
        2.0e7,
        (5_000.0, 50_000.0),
        true,
    ),
    t(
        "{u}{n}万吨新型复合肥项目",
        Some(10),
        1.5e7,
        (10_000.0, 100_000.0),
        true,
    ),
    t(
        "{u}{n}万吨多晶硅配套材料项目",
        Some(8),
        5.0e8,
        (50_000.0, 500_000.0),
        true,
    ),
    t(
        "{u}{n}万吨电解铝节能改造项目",
        Some(9),
        5.0e6,
        (10_000.0, 100_000.0),
        true,
    ),
    t(
        "{u}农机装备制造产业园（{n}亩）",
        Some(13),
        5.0e5,
        (10_000.0, 100_000.0),
        false,
    ),
];
pub const ENERGY: &[Template] = &[
    t(
        "{u}{n}万千瓦光伏发电项目",
        Some(7),
        4.0e7,
        (20_000.0, 500_000.0),
        true,
    ),
    t(
        "{u}{n}万千瓦风电项目",
        Some(7),
        6.0e7,
        (30_000.0, 500_000.0),
        true,
    ),
    t(
        "{u}{n}万千瓦储能电站项目",
        Some(7),
        8.0e7,
        (20_000.0, 200_000.0),
        true,
    ),
    t(
        "{u}2×{n}万千瓦热电联产项目",
        Some(6),
        8.0e7,
        (100_000.0, 500_000.0),
        true,
    ),
];
pub const INFRA: &[Template] = &[
    t(
        "{u}{n}公里团场道路提升改造工程",
        None,
        3.0e6,
        (2_000.0, 50_000.0),
        false,
    ),
    t(
        "{u}工业园区供排水管网工程（{n}公里）",
        None,
        2.0e6,
        (1_000.0, 30_000.0),
        false,
    ),
    t(
        "{u}冷链物流园建设项目（{n}万平方米）",
        Some(11),
        3.0e7,
        (10_000.0, 100_000.0),
        true,
    ),
    t(
        "{u}城区集中供热管网改造工程（{n}公里）",
        None,
        4.0e6,
        (2_000.0, 50_000.0),
        false,
    ),
    t(
        "{u}污水处理厂提标改造项目（日处理{n}千吨）",
        None,
        2.0e6,
        (2_000.0, 30_000.0),
        false,
    ),
];
pub const LIVELIHOOD: &[Template] = &[
    t(
        "{u}职工保障性住房项目（{n}套）",
        None,
        2.5e5,
        (3_000.0, 100_000.0),
        false,
    ),
    t(
        "{u}老旧小区改造项目（{n}户）",
        None,
        5.0e4,
        (1_000.0, 30_000.0),
        false,
    ),
    t(
        "{u}连队人居环境整治项目（{n}个连队）",
        None,
        5.0e6,
        (1_000.0, 10_000.0),
        false,
    ),
    t(
        "{u}党群服务中心建设项目（{n}平方米）",
        None,
        4.0e3,
        (300.0, 5_000.0),
        false,
    ),
];
pub const SOCIAL: &[Template] = &[
    t(
        "{u}中学教学楼建设项目（{n}平方米）",
        None,
        4.0e3,
        (2_000.0, 20_000.0),
        false,
    ),
    t(
        "{u}医院门急诊综合楼项目（{n}张床位）",
        None,
        8.0e5,
        (5_000.0, 100_000.0),
        false,
    ),
    t(
        "{u}全民健身中心项目（{n}平方米）",
        None,
        5.0e3,
        (2_000.0, 30_000.0),
        false,
    ),
    t(
        "{u}红色教育基地提升项目",
        Some(12),
        1.0,
        (1_000.0, 20_000.0),
        false,
    ),
];
pub const AGRI: &[Template] = &[
    t(
        "{u}{n}万亩高标准农田建设项目",
        Some(0),
        2.0e7,
        (2_000.0, 50_000.0),
        true,
    ),
    t(
        "{u}{n}万亩节水灌溉改造项目",
        None,
        1.5e7,
        (1_000.0, 30_000.0),
        true,
    ),
    t(
        "{u}{n}万亩酿酒葡萄种植基地项目",
        Some(5),
        1.0e8,
        (5_000.0, 100_000.0),
        true,
    ),
];
pub const ECOLOGY: &[Template] = &[
    t(
        "{u}防护林建设项目（{n}万亩）",
        None,
        1.0e7,
        (1_000.0, 20_000.0),
        true,
    ),
    t(
        "{u}河道综合治理工程（{n}公里）",
        None,
        1.0e7,
        (5_000.0, 100_000.0),
        false,
    ),
];

pub const BUILDERS: &[&str] = &[
    "新疆北新路桥集团股份有限公司",
    "新疆兵团建工集团有限公司",
    "新疆生产建设兵团第一建筑安装工程有限责任公司",
    "天业集团有限公司",
    "新疆中泰（集团）有限责任公司",
    "中国电建集团西北勘测设计研究院有限公司",
    "新疆塔里木农业综合开发股份有限公司",
    "新疆天富集团有限责任公司",
];

pub const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "高", "林", "罗",
];
pub const GIVEN: &[&str] = &[
    "建华", "国强", "志明", "海燕", "文军", "晓峰", "红梅", "新疆", "卫国", "丽娟", "永胜", "春生",
    "立军", "玉兰", "振宇",
];

pub const PROGRESS_TEXT: &[&str] = &[
    "正在开展前期手续办理",
    "场地平整完成，正在进行基础施工",
    "主体结构施工中",
    "主体结构封顶，正在进行二次结构及安装",
    "设备安装调试中",
    "室外配套工程施工中",
    "已完成竣工验收准备",
];

pub const ISSUES: &[(ProblemCategory, &str)] = &[
    (ProblemCategory::Land, "项目用地指标尚未落实，影响开工"),
    (
        ProblemCategory::Funding,
        "专项债资金到位滞后，施工单位资金紧张",
    ),
    (ProblemCategory::Approval, "环评批复尚未取得"),
    (ProblemCategory::Energy, "施工用电接入工程未完成"),
    (ProblemCategory::Water, "取水许可尚在办理"),
    (ProblemCategory::Demolition, "部分地上附着物征迁补偿未完成"),
    (ProblemCategory::Labour, "农忙季节施工人员不足"),
    (ProblemCategory::Quality, "督查发现混凝土养护不到位"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_agree_with_the_money() {
        // A fitness centre of 2亿元 at 5,000 元/m² is 40,000 m².
        let gym = SOCIAL[2];
        assert_eq!(
            gym.fill("第一师", 2.0e8, 1.0),
            "第一师全民健身中心项目（40000平方米）"
        );
        assert_eq!(size_text(3.46, true), "3.5");
        assert_eq!(size_text(3.46, false), "3");
        assert_eq!(size_text(12_345.0, false), "12000");
        assert_eq!(size_text(0.2, false), "1");
        // Every template's usual total gives a size of at least one.
        for tpl in [INDUSTRY, ENERGY, INFRA, LIVELIHOOD, SOCIAL, AGRI, ECOLOGY].concat() {
            let n = tpl.wan.0 * 1e4 / tpl.cost;
            let least = if tpl.frac { 0.5 } else { 1.0 };
            assert!(n >= least || !tpl.name.contains("{n}"), "{}", tpl.name);
            assert!(tpl.wan.0 < tpl.wan.1, "{}", tpl.name);
        }
    }
}
