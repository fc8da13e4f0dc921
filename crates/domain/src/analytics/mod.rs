//! The analytics of DESIGN §5 as pure functions: time progress and completion
//! (`progress`), traffic lights from a configurable rule set (`lights`), the per-project
//! year that every rollup is built from (`year`), additive totals (`totals`), rankings
//! (`rank`), forecasts and earned value (`forecast`), data-quality checks (`checks`)
//! the weekly dispatch list (`dispatch`), and the catalogue of measures every page
//! prints them through (`measure`). Ratios are integer basis points
//! (1 bp = 0.01%), money is exact `Yuan`: the same inputs give the same figures on
//! every machine and engine.

pub mod checks;
pub mod dispatch;
pub mod forecast;
pub mod lights;
pub mod measure;
pub mod progress;
pub mod rank;
pub mod totals;
pub mod year;

use crate::error::FieldError;

/// What a breakdown groups projects by: the unit tree, or one of the project's
/// classifications (a project counts under each of its funding sources).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Dimension {
    Unit,
    Chain,
    Category,
    Nature,
    Funding,
}

impl Dimension {
    pub const ALL: [Dimension; 5] = [
        Dimension::Unit,
        Dimension::Chain,
        Dimension::Category,
        Dimension::Nature,
        Dimension::Funding,
    ];
    pub const fn code(self) -> &'static str {
        match self {
            Dimension::Unit => "unit",
            Dimension::Chain => "chain",
            Dimension::Category => "category",
            Dimension::Nature => "nature",
            Dimension::Funding => "funding",
        }
    }
    /// Parse the `by` of a request or a command line.
    pub fn parse(s: &str) -> Result<Dimension, FieldError> {
        Dimension::ALL
            .into_iter()
            .find(|d| d.code() == s)
            .ok_or_else(|| {
                FieldError::new(
                    "by",
                    "unknown_code",
                    format!("“{s}”无效，应为 unit、chain、category、nature 或 funding"),
                    format!("'{s}' is not unit, chain, category, nature or funding"),
                )
            })
    }
}

/// `n / d` rounded half away from zero, for `d > 0`.
pub fn div_round(n: i128, d: i128) -> i128 {
    debug_assert!(d > 0);
    if n >= 0 {
        (2 * n + d) / (2 * d)
    } else {
        -((-2 * n + d) / (2 * d))
    }
}

/// `part / whole` in basis points, rounded; `None` when `whole` is not positive.
pub fn ratio_bp(part: i64, whole: i64) -> Option<i64> {
    (whole > 0).then(|| div_round(part as i128 * 10_000, whole as i128) as i64)
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn rounding_is_half_away_from_zero() {
        assert_eq!(div_round(5, 10), 1);
        assert_eq!(div_round(4, 10), 0);
        assert_eq!(div_round(-5, 10), -1);
        assert_eq!(ratio_bp(1, 3), Some(3333));
        assert_eq!(ratio_bp(2, 3), Some(6667));
        assert_eq!(ratio_bp(1, 0), None);
    }
}
