//! The one way lists are filtered and paged: a [`Where`] collects conditions with their
//! bound values (`?` in a condition becomes the next `$N`), and [`page`] runs the count
//! and the page of one `FROM … WHERE …`.

use crate::StoreError;
use crate::db::{Cols, Db, Val};

#[derive(Debug, Default)]
pub struct Where {
    conds: Vec<String>,
    pub vals: Vec<Val>,
}

impl Where {
    /// Start with conditions that bind nothing (e.g. a reach).
    pub fn new(fixed: impl IntoIterator<Item = String>) -> Where {
        Where {
            conds: fixed.into_iter().collect(),
            vals: Vec::new(),
        }
    }

    /// Add a condition; each `?` in it is the value `v`.
    pub fn push(&mut self, cond: &str, v: Val) {
        self.vals.push(v);
        self.conds
            .push(cond.replace('?', &format!("${}", self.vals.len())));
    }

    /// Add a condition when the value is present.
    pub fn opt(&mut self, cond: &str, v: Option<impl Into<Val>>) {
        if let Some(v) = v {
            self.push(cond, v.into());
        }
    }

    /// Bind a value without a condition (e.g. the root of a CTE); returns its `$N`.
    pub fn bind(&mut self, v: Val) -> String {
        self.vals.push(v);
        format!("${}", self.vals.len())
    }

    pub fn raw(&mut self, cond: String) {
        self.conds.push(cond);
    }

    pub fn sql(&self) -> String {
        if self.conds.is_empty() {
            "1 = 1".into()
        } else {
            self.conds.join(" AND ")
        }
    }
}

/// The number of rows of `FROM … WHERE …`; `with` is an optional CTE prefix.
pub async fn count(db: &Db, with: &str, from: &str, w: &Where) -> Result<i64, StoreError> {
    db.scalar(
        &format!("{with} SELECT COUNT(*) AS v FROM {from} WHERE {}", w.sql()),
        &w.vals,
    )
    .await
}

/// The rows `offset..offset + limit` of `FROM … WHERE … ORDER BY order`.
#[allow(clippy::too_many_arguments)]
async fn items<T>(
    db: &Db,
    with: &str,
    cols: &str,
    from: &str,
    w: &Where,
    order: &str,
    offset: i64,
    limit: i64,
    f: impl Fn(&dyn Cols) -> Result<T, StoreError>,
) -> Result<Vec<T>, StoreError> {
    let mut vals = w.vals.clone();
    vals.push(limit.clamp(1, 1000).into());
    vals.push(offset.max(0).into());
    let n = vals.len();
    let sql = format!(
        "{with} SELECT {cols} FROM {from} WHERE {} ORDER BY {order} LIMIT ${} OFFSET ${n}",
        w.sql(),
        n - 1
    );
    db.fetch_all(&sql, &vals, f).await
}

/// One page of a list and the number of matching rows. `with` is an optional CTE
/// prefix, `from` names the tables (`FROM` excluded), `order` the `ORDER BY` list.
#[allow(clippy::too_many_arguments)]
pub async fn page<T>(
    db: &Db,
    with: &str,
    cols: &str,
    from: &str,
    w: Where,
    order: &str,
    offset: i64,
    limit: i64,
    f: impl Fn(&dyn Cols) -> Result<T, StoreError>,
) -> Result<(i64, Vec<T>), StoreError> {
    let total = count(db, with, from, &w).await?;
    let items = items(db, with, cols, from, &w, order, offset, limit, f).await?;
    Ok((total, items))
}
