//! Rankings of units by any measure, with ties, in series, and the red and black lists
//! (红黑榜) of DESIGN §5.4.

use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Ranked {
    pub unit_id: i64,
    pub series: String,
    /// `None` when the measure is not defined for the unit (no plan): not ranked.
    pub value: Option<i64>,
    /// Competition ranking within the series: equal values share a rank, the next rank
    /// skips (1, 2, 2, 4).
    pub rank: Option<usize>,
}

/// Rank units by value within each series (higher first unless `ascending`).
/// Units without a value come last, unranked. Ties are broken for display by unit id.
pub fn rank(items: &[(i64, String, Option<i64>)], ascending: bool) -> Vec<Ranked> {
    let mut v: Vec<Ranked> = items
        .iter()
        .map(|(u, s, x)| Ranked {
            unit_id: *u,
            series: s.clone(),
            value: *x,
            rank: None,
        })
        .collect();
    let key = |x: Option<i64>| match x {
        Some(x) if ascending => (0, x),
        Some(x) => (0, -x),
        None => (1, 0),
    };
    v.sort_by(|a, b| {
        a.series
            .cmp(&b.series)
            .then(key(a.value).cmp(&key(b.value)))
            .then(a.unit_id.cmp(&b.unit_id))
    });
    let mut i = 0;
    while i < v.len() {
        let series = v[i].series.clone();
        let mut pos = 0;
        let mut prev: Option<(i64, usize)> = None;
        while i < v.len() && v[i].series == series {
            pos += 1;
            if let Some(x) = v[i].value {
                let r = match prev {
                    Some((p, r)) if p == x => r,
                    _ => pos,
                };
                v[i].rank = Some(r);
                prev = Some((x, r));
            }
            i += 1;
        }
    }
    v
}

/// The red list (best `n_red` of those `may_be_red` lets in) and the black list (worst
/// `n_black` of those `may_be_black` lets in) of one series. A tie at the edge takes
/// everyone tied; no unit is on both.
pub fn red_black(
    ranked: &[Ranked],
    n_red: usize,
    n_black: usize,
    may_be_red: impl Fn(&Ranked) -> bool,
    may_be_black: impl Fn(&Ranked) -> bool,
) -> (Vec<Ranked>, Vec<Ranked>) {
    let valued: Vec<&Ranked> = ranked.iter().filter(|r| r.rank.is_some()).collect();
    let edge = |n: usize| n.min(valued.len()).saturating_sub(1);
    let red_edge = valued.get(edge(n_red)).and_then(|r| r.rank);
    let red: Vec<Ranked> = valued
        .iter()
        .filter(|r| n_red > 0 && r.rank <= red_edge && may_be_red(r))
        .map(|r| (*r).clone())
        .collect();
    let worst_first: Vec<&Ranked> = valued.iter().rev().copied().collect();
    let black_edge = worst_first.get(edge(n_black)).and_then(|r| r.rank);
    let black: Vec<Ranked> = worst_first
        .iter()
        .filter(|r| n_black > 0 && r.rank >= black_edge && may_be_black(r))
        .filter(|r| !red.iter().any(|x| x.unit_id == r.unit_id))
        .map(|r| (*r).clone())
        .collect();
    (red, black)
}

/// One series' red and black lists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SeriesLists {
    pub series: String,
    pub red: Vec<Ranked>,
    pub black: Vec<Ranked>,
}

/// The ranking of units and the 红黑榜 of each series under the office's list rule: the
/// one function the cockpit, the rankings API and the bulletin all call, so the same
/// month names the same units everywhere.
pub fn standings(
    units: &[(i64, String, &super::measure::Figures)],
    rule: &super::measure::ListRule,
) -> (Vec<Ranked>, Vec<SeriesLists>) {
    use super::measure::RankBy;
    let value = |f: &super::measure::Figures| match rule.rank_by {
        RankBy::Completion => f.completion_bp,
        RankBy::Gap => f.gap_bp,
    };
    let items: Vec<(i64, String, Option<i64>)> = units
        .iter()
        .map(|(u, s, f)| (*u, s.clone(), value(f)))
        .collect();
    let gap: std::collections::HashMap<i64, Option<i64>> =
        units.iter().map(|(u, _, f)| (*u, f.gap_bp)).collect();
    let ranked = rank(&items, false);
    let mut series: Vec<String> = ranked.iter().map(|r| r.series.clone()).collect();
    series.dedup();
    let bar = rule.against_time_progress;
    let lists = series
        .into_iter()
        .map(|s| {
            let of: Vec<Ranked> = ranked.iter().filter(|r| r.series == s).cloned().collect();
            let (red, black) = red_black(
                &of,
                rule.red,
                rule.black,
                |r| {
                    !bar || gap
                        .get(&r.unit_id)
                        .copied()
                        .flatten()
                        .is_some_and(|g| g >= 0)
                },
                |r| {
                    !bar || gap
                        .get(&r.unit_id)
                        .copied()
                        .flatten()
                        .is_some_and(|g| g < 0)
                },
            );
            SeriesLists {
                series: s,
                red,
                black,
            }
        })
        .collect();
    (ranked, lists)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn items(v: &[(i64, &str, Option<i64>)]) -> Vec<(i64, String, Option<i64>)> {
        v.iter().map(|(u, s, x)| (*u, s.to_string(), *x)).collect()
    }

    #[test]
    fn ties_share_a_rank_and_series_rank_apart() {
        let r = rank(
            &items(&[
                (1, "县", Some(90)),
                (2, "县", Some(95)),
                (3, "县", Some(90)),
                (4, "县", Some(80)),
                (5, "部门", Some(10)),
                (6, "县", None),
            ]),
            false,
        );
        let got: Vec<(i64, Option<usize>)> = r.iter().map(|x| (x.unit_id, x.rank)).collect();
        assert_eq!(
            got,
            vec![
                (2, Some(1)),
                (1, Some(2)),
                (3, Some(2)),
                (4, Some(4)),
                (6, None),
                (5, Some(1))
            ]
        );
        let county: Vec<Ranked> = r.into_iter().filter(|x| x.series == "县").collect();
        let (red, black) = red_black(&county, 2, 1, |_| true, |_| true);
        assert_eq!(
            red.iter().map(|x| x.unit_id).collect::<Vec<_>>(),
            vec![2, 1, 3],
            "the tie at the edge is taken whole"
        );
        assert_eq!(black.iter().map(|x| x.unit_id).collect::<Vec<_>>(), vec![4]);
        // With a bar: only those who beat it are red, only those who miss it black.
        let beat = |r: &Ranked| r.value.unwrap_or(0) >= 91;
        let (red, black) = red_black(&county, 5, 5, beat, |r| !beat(r));
        assert_eq!(red.iter().map(|x| x.unit_id).collect::<Vec<_>>(), vec![2]);
        assert_eq!(
            black.iter().map(|x| x.unit_id).collect::<Vec<_>>(),
            vec![4, 3, 1]
        );
    }

    proptest! {
        /// A ranking is a permutation of its input; equal values share a rank; a higher
        /// value never ranks below a lower one.
        #[test]
        fn ranking_is_a_permutation_with_shared_ties(vals in proptest::collection::vec(proptest::option::of(0i64..6), 0..30)) {
            let input: Vec<(i64, String, Option<i64>)> = vals.iter().enumerate().map(|(i, v)| (i as i64, "s".to_string(), *v)).collect();
            let r = rank(&input, false);
            let mut ids: Vec<i64> = r.iter().map(|x| x.unit_id).collect();
            ids.sort();
            prop_assert_eq!(ids, (0..vals.len() as i64).collect::<Vec<_>>());
            for a in &r {
                for b in &r {
                    if let (Some(x), Some(y)) = (a.value, b.value) {
                        prop_assert_eq!(x == y, a.rank == b.rank);
                        if x > y { prop_assert!(a.rank < b.rank); }
                    }
                }
                prop_assert_eq!(a.value.is_some(), a.rank.is_some());
            }
        }
    }
}
