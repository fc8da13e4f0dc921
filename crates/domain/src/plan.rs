//! Annual plans (年度计划): planned investment, a cumulative monthly curve (分月计划),
//! milestones (节点) and, for new projects, the planned start month.

use crate::error::{FieldError, ValidationErrors};
use crate::money::Yuan;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// A cumulative monthly plan: 12 values, non-decreasing, non-negative, the last equal
/// to the annual plan. Only `parse` and `from_profile` make one, so every value held
/// in this type obeys those rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct MonthlyCurve([Yuan; 12]);

impl MonthlyCurve {
    pub fn parse(annual: Yuan, cumulative: &[Yuan]) -> Result<MonthlyCurve, ValidationErrors> {
        let mut e = ValidationErrors::default();
        if cumulative.len() != 12 {
            e.push(FieldError::new(
                "monthly",
                "length",
                format!("分月计划应有12个月的累计值，实际为{}个", cumulative.len()),
                format!(
                    "the monthly plan needs 12 cumulative values, got {}",
                    cumulative.len()
                ),
            ));
            return Err(e);
        }
        let mut prev = Yuan::ZERO;
        for (m, &v) in cumulative.iter().enumerate() {
            let field = format!("monthly[{}]", m + 1);
            if v.is_negative() {
                e.push(FieldError::new(
                    field,
                    "negative",
                    format!("{}月累计计划不能为负数", m + 1),
                    format!("month {} is negative", m + 1),
                ));
            } else if v < prev {
                e.push(FieldError::new(
                    field,
                    "decreasing",
                    format!(
                        "{}月累计计划（{}万元）小于上月（{}万元），累计值不能减少",
                        m + 1,
                        v.wan(),
                        prev.wan()
                    ),
                    format!(
                        "month {} cumulative plan ({} wan) is below the previous month ({} wan)",
                        m + 1,
                        v.wan(),
                        prev.wan()
                    ),
                ));
            }
            prev = prev.max(v);
        }
        if cumulative[11] != annual {
            e.push(FieldError::new(
                "monthly[12]",
                "end_mismatch",
                format!(
                    "12月累计计划（{}万元）应等于年度计划投资（{}万元）",
                    cumulative[11].wan(),
                    annual.wan()
                ),
                format!(
                    "the December cumulative plan ({} wan) must equal the annual plan ({} wan)",
                    cumulative[11].wan(),
                    annual.wan()
                ),
            ));
        }
        let mut a = [Yuan::ZERO; 12];
        a.copy_from_slice(cumulative);
        e.into_result(|| MonthlyCurve(a))
    }

    /// Spread `annual` over the months by the profile's weights, exactly (largest remainder).
    pub fn from_profile(annual: Yuan, profile: &SeasonalProfile) -> MonthlyCurve {
        let w = profile.weights();
        let total: i64 = w.iter().map(|&x| i64::from(x)).sum();
        let a = i128::from(annual.get().max(0));
        let mut cum = [Yuan::ZERO; 12];
        let mut acc_w: i64 = 0;
        for (m, &wm) in w.iter().enumerate() {
            acc_w += i64::from(wm);
            // floor of the exact cumulative share keeps the curve non-decreasing and ends at `annual`.
            cum[m] = Yuan::new((a * i128::from(acc_w) / i128::from(total)) as i64);
        }
        MonthlyCurve(cum)
    }

    pub fn cumulative(&self) -> &[Yuan; 12] {
        &self.0
    }
    /// Plan to date at the end of month `m` (1..=12); 0 before January.
    pub fn to_month(&self, m: u32) -> Yuan {
        if m == 0 {
            Yuan::ZERO
        } else {
            self.0[(m.min(12) - 1) as usize]
        }
    }
    pub fn annual(&self) -> Yuan {
        self.0[11]
    }
    /// The plan of month `m` alone.
    pub fn of_month(&self, m: u32) -> Yuan {
        self.to_month(m) - self.to_month(m - 1)
    }
}

/// Monthly weights of construction work; in the north little is built in winter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeasonalProfile(Vec<u32>);

impl SeasonalProfile {
    /// Northern China: frozen ground from December to February.
    pub fn northern() -> SeasonalProfile {
        SeasonalProfile(vec![1, 1, 4, 9, 12, 13, 13, 13, 12, 11, 7, 4])
    }
    pub fn even() -> SeasonalProfile {
        SeasonalProfile(vec![1; 12])
    }
    pub fn parse(weights: &[u32]) -> Result<SeasonalProfile, FieldError> {
        if weights.len() != 12
            || weights.iter().all(|&w| w == 0)
            || weights.iter().any(|&w| w > 1_000_000)
        {
            return Err(FieldError::new(
                "seasonal_profile",
                "profile",
                "季节性分布应为12个非负权重，且不能全为0",
                "a seasonal profile is 12 non-negative weights, not all zero",
            ));
        }
        Ok(SeasonalProfile(weights.to_vec()))
    }
    pub fn weights(&self) -> &[u32] {
        &self.0
    }
}

/// A milestone (节点): 开工, 主体完工, 竣工, 投产 …
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Milestone {
    pub name: String,
    pub planned: NaiveDate,
    pub actual: Option<NaiveDate>,
}

impl Milestone {
    /// Past its planned date and not reached by `day` (the one test every page uses).
    pub fn overdue_at(&self, day: NaiveDate) -> bool {
        self.planned < day && self.actual.is_none_or(|a| a > day)
    }
}

/// A project's plan for one year.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AnnualPlan {
    pub year: i32,
    pub curve: MonthlyCurve,
    /// For new projects: the month construction should start (1..=12).
    pub planned_start_month: Option<u32>,
    pub milestones: Vec<Milestone>,
}

impl AnnualPlan {
    pub fn planned(&self) -> Yuan {
        self.curve.annual()
    }
    /// Validate a plan; the curve is derived from the profile when none is given.
    pub fn parse(
        year: i32,
        planned: Yuan,
        monthly: Option<&[Yuan]>,
        profile: &SeasonalProfile,
        planned_start_month: Option<u32>,
        milestones: Vec<Milestone>,
    ) -> Result<AnnualPlan, ValidationErrors> {
        let mut e = ValidationErrors::default();
        if !(1990..=2100).contains(&year) {
            e.push(FieldError::new(
                "year",
                "year",
                format!("年份 {year} 无效"),
                format!("year {year} is not valid"),
            ));
        }
        if planned.is_negative() {
            e.push(FieldError::new(
                "planned",
                "negative",
                "年度计划投资不能为负数",
                "annual planned investment cannot be negative",
            ));
        }
        if let Some(m) = planned_start_month
            && !(1..=12).contains(&m)
        {
            e.push(FieldError::new(
                "planned_start_month",
                "month",
                "计划开工月份应为1—12",
                "planned start month must be 1 to 12",
            ));
        }
        for (n, ms) in milestones.iter().enumerate() {
            if ms.name.trim().is_empty() {
                e.push(FieldError::required("name").within(&format!("milestones[{n}]")));
            }
        }
        let curve = match monthly {
            Some(c) => match MonthlyCurve::parse(planned, c) {
                Ok(c) => Some(c),
                Err(ce) => {
                    e.0.extend(ce.0);
                    None
                }
            },
            None => Some(MonthlyCurve::from_profile(planned.max(Yuan::ZERO), profile)),
        };
        e.into_result(|| AnnualPlan {
            year,
            curve: curve.expect("checked"),
            planned_start_month,
            milestones,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn northern_profile_is_light_in_winter() {
        let c = MonthlyCurve::from_profile(Yuan::from_wan(10_000), &SeasonalProfile::northern());
        assert_eq!(c.annual(), Yuan::from_wan(10_000));
        assert!(c.of_month(1).get() * 5 < c.of_month(6).get());
        assert_eq!(c.to_month(0), Yuan::ZERO);
    }

    #[test]
    fn curve_errors_point_at_the_month() {
        let v: Vec<Yuan> = [1, 2, 3, 2, 5, 6, 7, 8, 9, 10, 11, 13]
            .map(Yuan::from_wan)
            .to_vec();
        let e = MonthlyCurve::parse(Yuan::from_wan(12), &v).unwrap_err();
        assert_eq!(e.fields(), vec!["monthly[4]", "monthly[12]"]);
        assert!(MonthlyCurve::parse(Yuan::from_wan(12), &v[..11]).is_err());
    }

    proptest! {
        /// A derived curve is non-decreasing and ends exactly at the annual plan.
        #[test]
        fn derived_curves_are_valid(annual in 0i64..1_000_000_000_000, w in proptest::collection::vec(0u32..1000, 12)) {
            prop_assume!(w.iter().any(|&x| x > 0));
            let c = MonthlyCurve::from_profile(Yuan::new(annual), &SeasonalProfile::parse(&w).unwrap());
            let v = c.cumulative();
            prop_assert!(v.windows(2).all(|p| p[0] <= p[1]));
            prop_assert_eq!(v[11], Yuan::new(annual));
            prop_assert!(MonthlyCurve::parse(Yuan::new(annual), v).is_ok());
        }

        /// `parse` accepts exactly the non-decreasing, non-negative curves ending at the plan.
        #[test]
        fn parse_accepts_exactly_valid_curves(v in proptest::collection::vec(-5i64..100, 12), annual in -5i64..100) {
            let ys: Vec<Yuan> = v.iter().map(|&x| Yuan::new(x)).collect();
            let valid = v.iter().all(|&x| x >= 0) && v.windows(2).all(|p| p[0] <= p[1]) && v[11] == annual;
            prop_assert_eq!(MonthlyCurve::parse(Yuan::new(annual), &ys).is_ok(), valid);
        }
    }
}
