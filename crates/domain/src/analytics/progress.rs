//! Time progress (序时进度), completion rate and the gap between them (DESIGN §5.1).

use super::ratio_bp;
use crate::money::Yuan;
use crate::plan::MonthlyCurve;

/// The elapsed share of the year after `month` whole months, in bp (month/12).
pub fn calendar_time_progress_bp(month: u32) -> i64 {
    ratio_bp(i64::from(month.min(12)), 12).unwrap_or(0)
}

/// The elapsed share of the year after `month` whole months, exactly (month/12).
pub fn calendar_time_progress_exact(month: u32) -> super::measure::Rational {
    super::measure::Rational::new(i64::from(month.min(12)), 12)
}

/// A project's own time progress: its cumulative plan at `month` over its annual plan.
pub fn curve_time_progress_bp(curve: &MonthlyCurve, month: u32) -> Option<i64> {
    ratio_bp(curve.to_month(month).get(), curve.annual().get())
}

/// Completion rate: actual year-to-date over the annual plan, in bp.
pub fn completion_bp(actual_ytd: Yuan, annual_plan: Yuan) -> Option<i64> {
    ratio_bp(actual_ytd.get(), annual_plan.get())
}

/// Gap to time progress in bp: positive = ahead (超过), negative = behind (落后).
pub fn gap_bp(completion_bp: i64, time_progress_bp: i64) -> i64 {
    completion_bp - time_progress_bp
}

/// Basis points as percentage points with one decimal, rounded half away from zero,
/// signed: 1385 → "13.9", -1085 → "-10.9".
pub fn points(bp: i64) -> String {
    let tenths = super::div_round(i128::from(bp), 10) as i64;
    let sign = if tenths < 0 { "-" } else { "" };
    format!("{sign}{}.{}", tenths.abs() / 10, tenths.abs() % 10)
}

/// A gap in the words of a language: (ahead, behind, on time), `{n}` the points.
fn gap_words(gap_bp: i64, words: [&str; 3]) -> String {
    let n = points(gap_bp.abs());
    match gap_bp {
        _ if n == "0.0" => words[2].to_string(),
        g if g > 0 => words[0].replace("{n}", &n),
        _ => words[1].replace("{n}", &n),
    }
}

/// "超过/落后时间进度 X 个百分点" with one decimal, as bulletins write it.
pub fn gap_sentence_zh(gap_bp: i64) -> String {
    gap_words(
        gap_bp,
        [
            "超过时间进度{n}个百分点",
            "落后时间进度{n}个百分点",
            "与时间进度持平",
        ],
    )
}

/// The gap in English.
pub fn gap_sentence_en(gap_bp: i64) -> String {
    gap_words(
        gap_bp,
        [
            "{n} points ahead of time progress",
            "{n} points behind time progress",
            "on time progress",
        ],
    )
}

/// A basis-point ratio as a percentage with one decimal ("97.2%").
pub fn pct1(bp: i64) -> String {
    let tenths = super::div_round(i128::from(bp), 10) as i64;
    let sign = if tenths < 0 { "-" } else { "" };
    format!("{sign}{}.{}%", tenths.abs() / 10, tenths.abs() % 10)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::SeasonalProfile;

    #[test]
    fn worked_example_of_the_bulletin_sentence() {
        // 1—10月: time progress 10/12 = 83.33%; 272亿 planned, 264.4亿 done = 97.21%.
        let tp = calendar_time_progress_bp(10);
        assert_eq!(tp, 8333);
        let c = completion_bp(Yuan::from_wan(2_644_000), Yuan::from_wan(2_720_000)).unwrap();
        assert_eq!(c, 9721);
        assert_eq!(pct1(c), "97.2%");
        assert_eq!(gap_sentence_zh(gap_bp(c, tp)), "超过时间进度13.9个百分点");
        assert_eq!(gap_sentence_zh(-125), "落后时间进度1.3个百分点");
        assert_eq!(gap_sentence_zh(0), "与时间进度持平");
        assert_eq!(pct1(-55), "-0.6%");
    }

    #[test]
    fn a_project_curve_gives_its_own_time_progress() {
        let c = MonthlyCurve::from_profile(Yuan::from_wan(1200), &SeasonalProfile::even());
        assert_eq!(curve_time_progress_bp(&c, 6), Some(5000));
        assert_eq!(curve_time_progress_bp(&c, 12), Some(10_000));
        let zero = MonthlyCurve::from_profile(Yuan::ZERO, &SeasonalProfile::even());
        assert_eq!(curve_time_progress_bp(&zero, 6), None);
    }
}
