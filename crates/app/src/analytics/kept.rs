//! The read model's sums the dashboards read, kept in memory at the totals' change count.
//!
//! A month's breakdown by chain adds up a few thousand rows of totals at a million
//! projects, and every page view of every leader asks for it again. The sums change only
//! when a write changes the totals, and every such write counts itself (`totals`) in its
//! transaction (the unit of work's refresh, a rebuild): a request reads the counter and,
//! when nothing was written since, takes the sums computed before. A write on any server
//! is seen by the next read on every server; callers always wait for the sums of the
//! current count (never an older answer), so that a month gives the same figure on every
//! page.

use crate::AppError;
use crate::cache::Memo;
use duban_domain::Period;
use duban_domain::access::Reach;
use duban_domain::analytics::totals::Totals;
use duban_store::Db;
use duban_store::analytics as store;
use std::collections::HashMap;
use std::sync::{Arc, LazyLock};
use std::time::Duration;

/// Entries per kind of sum: the reaches of the people looking, times the months and
/// dimensions they look at.
const CAP: usize = 512;

fn memo<V: Clone>() -> Memo<V> {
    Memo::fresh_only(Duration::from_secs(600), CAP)
}

/// Each unit's own totals.
type ByUnit = Arc<HashMap<i64, Totals>>;
/// Totals by a dimension's key (a chain, a category …).
type ByKey = Arc<Vec<(String, Totals)>>;
/// Totals by month.
type Monthly = Arc<Vec<(u32, Totals)>>;

static SUMS: LazyLock<Memo<Totals>> = LazyLock::new(memo);
static BY_UNIT: LazyLock<Memo<ByUnit>> = LazyLock::new(memo);
static BY_KEY: LazyLock<Memo<ByKey>> = LazyLock::new(memo);
static MONTHLY: LazyLock<Memo<Monthly>> = LazyLock::new(memo);

/// A reach as part of a key: every unit it covers, in order.
fn reach_key(reach: &Reach) -> String {
    match reach {
        Reach::All => "*".into(),
        Reach::Units(us) => {
            let mut ids: Vec<i64> = us.iter().copied().collect();
            ids.sort_unstable();
            ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
        }
    }
}

/// The kept sums as of the totals' change count read once: every sum a request asks for
/// comes from the same count (one read of the counter per request, not one per sum).
pub(crate) struct Sums<'a> {
    db: &'a Db,
    version: i64,
}

impl<'a> Sums<'a> {
    pub(crate) async fn now(db: &'a Db) -> Result<Sums<'a>, AppError> {
        let version = duban_store::changes::version(db, "totals").await?;
        Ok(Sums { db, version })
    }

    async fn kept<V: Clone>(
        &self,
        memo: &Memo<V>,
        key: String,
        make: impl AsyncFnOnce() -> Result<V, duban_store::StoreError>,
    ) -> Result<V, AppError> {
        memo.get_or(self.db, key, self.version, async || {
            Ok::<V, AppError>(make().await?)
        })
        .await
    }

    /// The overall totals of a month summed over a reach.
    pub(crate) async fn sum(&self, p: Period, reach: &Reach) -> Result<Totals, AppError> {
        let key = format!("{p} {}", reach_key(reach));
        self.kept(&SUMS, key, async || {
            store::sum_totals(self.db, p.year(), p.month(), reach).await
        })
        .await
    }

    /// Each unit's own totals at a month, within a reach.
    pub(crate) async fn by_unit(&self, p: Period, reach: &Reach) -> Result<ByUnit, AppError> {
        let key = format!("{p} {}", reach_key(reach));
        self.kept(&BY_UNIT, key, async || {
            Ok(Arc::new(
                store::unit_totals(self.db, p.year(), p.month(), reach).await?,
            ))
        })
        .await
    }

    /// One dimension's totals at a month summed over a reach, by key (chain, category …).
    pub(crate) async fn by_key(
        &self,
        p: Period,
        dim: &str,
        reach: &Reach,
    ) -> Result<ByKey, AppError> {
        let key = format!("{p} {dim} {}", reach_key(reach));
        self.kept(&BY_KEY, key, async || {
            Ok(Arc::new(
                store::totals_by_key(self.db, p.year(), p.month(), dim, reach).await?,
            ))
        })
        .await
    }

    /// The overall totals of a reach, month by month, for a year.
    pub(crate) async fn monthly(&self, year: i32, reach: &Reach) -> Result<Monthly, AppError> {
        let key = format!("{year} {}", reach_key(reach));
        self.kept(&MONTHLY, key, async || {
            Ok(Arc::new(store::monthly(self.db, year, reach).await?))
        })
        .await
    }
}
