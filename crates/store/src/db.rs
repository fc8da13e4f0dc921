//! The one place where SQLite and PostgreSQL differ at run time: connecting, pragmas,
//! transactions, binding values and reading columns. Repositories above this module
//! write one SQL text (the subset both engines accept, `$1` placeholders) and never
//! name an engine.

use crate::StoreError;
use duban_domain::ids::{ChainId, ProblemId, ProjectId, ReportId, UserId};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions, PgRow};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteRow, SqliteSynchronous,
};
use sqlx::{PgPool, Row, SqlitePool};
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

mod lite;
use lite::{Lite, LiteTx};

/// Which engine a URL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A parsed database URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DbUrl {
    Sqlite(PathBuf),
    Postgres(String),
}

impl DbUrl {
    /// `sqlite://PATH` (relative or absolute), `sqlite:PATH`, or `postgres://…` / `postgresql://…`.
    pub fn parse(url: &str) -> Result<DbUrl, StoreError> {
        let u = url.trim();
        if u.starts_with("postgres://") || u.starts_with("postgresql://") {
            return Ok(DbUrl::Postgres(u.to_string()));
        }
        if let Some(rest) = u
            .strip_prefix("sqlite://")
            .or_else(|| u.strip_prefix("sqlite:"))
        {
            let path = rest.split('?').next().unwrap_or_default();
            if path.is_empty() {
                return Err(StoreError::Config(format!(
                    "database URL '{url}' names no file: use sqlite://PATH"
                )));
            }
            return Ok(DbUrl::Sqlite(PathBuf::from(path)));
        }
        Err(StoreError::Config(format!(
            "database URL '{url}' is neither sqlite://PATH nor postgres://USER@HOST/DB"
        )))
    }
}

impl Backend {
    /// The engine's name, as reported by `/healthz`.
    pub const fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }

    /// An aggregate joining `expr` (text) of every row with `sep`, as one value.
    pub fn string_agg(self, expr: &str, sep: &str) -> String {
        match self {
            Backend::Sqlite => format!("group_concat({expr}, '{sep}')"),
            Backend::Postgres => format!("string_agg({expr}, '{sep}')"),
        }
    }

    /// A table reference that reads through the named index. SQLite's planner, with
    /// only averages to go on, reads a large filter's own index and sorts every match to
    /// return 20 rows; told to walk the order's index instead, it stops after the page.
    /// PostgreSQL plans from histograms and takes no hints: the table as it is.
    pub fn through_index(self, table: &str, index: &str) -> String {
        match self {
            Backend::Sqlite => format!("{table} INDEXED BY {index}"),
            Backend::Postgres => table.to_string(),
        }
    }

    /// The VALUES list of a multi-row insert: `($1, $2), ($3, $4)` on PostgreSQL,
    /// `(?, ?), (?, ?)` on SQLite, whose lookup of a named (`$N`) parameter walks a list,
    /// making a statement with thousands of them quadratic.
    pub fn values_list(self, rows: usize, cols: usize) -> String {
        match self {
            Backend::Postgres => crate::values_list(rows, cols),
            Backend::Sqlite => {
                let row = format!("({})", vec!["?"; cols].join(", "));
                vec![row; rows].join(", ")
            }
        }
    }
}

/// A bound value. Integers are 64-bit everywhere (BIGINT in the schema).
#[derive(Debug, Clone, PartialEq)]
pub enum Val {
    I(i64),
    OptI(Option<i64>),
    S(String),
    OptS(Option<String>),
    B(bool),
    OptB(Option<bool>),
    OptF(Option<f64>),
    Bytes(Vec<u8>),
}

impl From<i64> for Val {
    fn from(v: i64) -> Val {
        Val::I(v)
    }
}
impl From<Option<i64>> for Val {
    fn from(v: Option<i64>) -> Val {
        Val::OptI(v)
    }
}
impl From<&str> for Val {
    fn from(v: &str) -> Val {
        Val::S(v.to_string())
    }
}
impl From<String> for Val {
    fn from(v: String) -> Val {
        Val::S(v)
    }
}
impl From<Option<String>> for Val {
    fn from(v: Option<String>) -> Val {
        Val::OptS(v)
    }
}
impl From<bool> for Val {
    fn from(v: bool) -> Val {
        Val::B(v)
    }
}
impl From<Option<bool>> for Val {
    fn from(v: Option<bool>) -> Val {
        Val::OptB(v)
    }
}
impl From<Vec<u8>> for Val {
    fn from(v: Vec<u8>) -> Val {
        Val::Bytes(v)
    }
}

impl From<Option<f64>> for Val {
    fn from(v: Option<f64>) -> Val {
        Val::OptF(v)
    }
}

/// Record ids bind as the integers they are.
macro_rules! id_vals {
    ($($t:ty),*) => {$(
        impl From<$t> for Val {
            fn from(v: $t) -> Val {
                Val::I(v.get())
            }
        }
        impl From<Option<$t>> for Val {
            fn from(v: Option<$t>) -> Val {
                Val::OptI(v.map(<$t>::get))
            }
        }
    )*};
}
id_vals!(ProjectId, ReportId, ProblemId, UserId, ChainId);

/// A record id from an integer column.
pub fn id<I: duban_domain::ids::Id>(r: &dyn Cols, col: &str) -> Result<I, StoreError> {
    Ok(I::from_raw(r.i64(col)?))
}
/// A record id from a nullable integer column.
pub fn opt_id<I: duban_domain::ids::Id>(r: &dyn Cols, col: &str) -> Result<Option<I>, StoreError> {
    Ok(r.opt_i64(col)?.map(I::from_raw))
}

/// Read a column by name, the same on both engines.
pub trait Cols {
    fn i64(&self, col: &str) -> Result<i64, StoreError>;
    fn opt_i64(&self, col: &str) -> Result<Option<i64>, StoreError>;
    fn str(&self, col: &str) -> Result<String, StoreError>;
    fn opt_str(&self, col: &str) -> Result<Option<String>, StoreError>;
    fn bool(&self, col: &str) -> Result<bool, StoreError>;
    fn opt_f64(&self, col: &str) -> Result<Option<f64>, StoreError>;
    fn bytes(&self, col: &str) -> Result<Vec<u8>, StoreError>;
}

macro_rules! impl_cols {
    ($row:ty) => {
        impl Cols for $row {
            fn i64(&self, c: &str) -> Result<i64, StoreError> {
                Ok(self.try_get::<i64, _>(c)?)
            }
            fn opt_i64(&self, c: &str) -> Result<Option<i64>, StoreError> {
                Ok(self.try_get::<Option<i64>, _>(c)?)
            }
            fn str(&self, c: &str) -> Result<String, StoreError> {
                Ok(self.try_get::<String, _>(c)?)
            }
            fn opt_str(&self, c: &str) -> Result<Option<String>, StoreError> {
                Ok(self.try_get::<Option<String>, _>(c)?)
            }
            fn bool(&self, c: &str) -> Result<bool, StoreError> {
                Ok(self.try_get::<bool, _>(c)?)
            }
            fn opt_f64(&self, c: &str) -> Result<Option<f64>, StoreError> {
                Ok(self.try_get::<Option<f64>, _>(c)?)
            }
            fn bytes(&self, c: &str) -> Result<Vec<u8>, StoreError> {
                Ok(self.try_get::<Vec<u8>, _>(c)?)
            }
        }
    };
}
impl_cols!(SqliteRow);
impl_cols!(PgRow);

/// Bind a slice of values onto a query of either engine.
macro_rules! bind_all {
    ($q:expr, $params:expr) => {{
        let mut q = $q;
        for p in $params {
            q = match p {
                Val::I(v) => q.bind(*v),
                Val::OptI(v) => q.bind(*v),
                Val::S(v) => q.bind(v.as_str()),
                Val::OptS(v) => q.bind(v.as_deref()),
                Val::B(v) => q.bind(*v),
                Val::OptB(v) => q.bind(*v),
                Val::OptF(v) => q.bind(*v),
                Val::Bytes(v) => q.bind(v.as_slice()),
            };
        }
        q
    }};
}

/// Where a statement runs: on SQLite's own connections (`lite`), or through sqlx.
enum Via<'a> {
    /// Outside a transaction: a reader, or the write connection.
    Lite(&'a Lite),
    /// Inside a transaction on SQLite.
    LiteTx(&'a LiteTx),
    SqlitePool(&'a SqlitePool),
    PgPool(&'a PgPool),
    PgTx(&'a mut sqlx::PgConnection),
}

/// The query methods, implemented once for pools and once for transactions.
macro_rules! query_methods {
    ($self:ident, [$($m:tt)*]) => {
        /// Run a statement; returns the number of rows it changed.
        pub async fn execute(&$($m)* $self, sql: &str, params: &[Val]) -> Result<u64, StoreError> {
            let _turn = $self.write_turn(sql).await?;
            match $self.via(sql) {
                Via::Lite(l) => l.execute(sql, params),
                Via::LiteTx(t) => t.execute(sql, params),
                Via::SqlitePool(p) => Ok(bind_all!(sqlx::query(sql), params).execute(p).await?.rows_affected()),
                Via::PgPool(p) => Ok(bind_all!(sqlx::query(sql), params).execute(p).await?.rows_affected()),
                Via::PgTx(c) => Ok(bind_all!(sqlx::query(sql), params).execute(c).await?.rows_affected()),
            }
        }
        /// Fetch every row, mapped by `f` as it arrives (the engine's rows are not held).
        pub async fn fetch_all<T>(&$($m)* $self, sql: &str, params: &[Val], f: impl Fn(&dyn Cols) -> Result<T, StoreError>) -> Result<Vec<T>, StoreError> {
            let mut out = Vec::new();
            $self.fetch_each(sql, params, |r| {
                out.push(f(r)?);
                Ok(())
            })
            .await?;
            Ok(out)
        }
        /// Visit every row in order, mapped by `f`, without holding them all (the reads
        /// that cover every project).
        pub async fn fetch_each(&$($m)* $self, sql: &str, params: &[Val], mut f: impl FnMut(&dyn Cols) -> Result<(), StoreError>) -> Result<(), StoreError> {
            use futures_util::TryStreamExt;
            let mut each = |row: &dyn Cols| f(row).map(|()| true);
            match $self.via(sql) {
                Via::Lite(l) => on_reader(l, sql, true, |l| l.each(sql, params, &mut each)).await?,
                Via::LiteTx(t) => read_rows(known(sql), || t.each(sql, params, &mut each)),
                Via::SqlitePool(p) => {
                    let mut rows = bind_all!(sqlx::query(sql), params).fetch(p);
                    while let Some(r) = rows.try_next().await? {
                        each(&r)?;
                    }
                    Ok(())
                }
                Via::PgPool(p) => {
                    let mut rows = bind_all!(sqlx::query(sql), params).fetch(p);
                    while let Some(r) = rows.try_next().await? {
                        each(&r)?;
                    }
                    Ok(())
                }
                Via::PgTx(c) => {
                    let mut rows = bind_all!(sqlx::query(sql), params).fetch(c);
                    while let Some(r) = rows.try_next().await? {
                        each(&r)?;
                    }
                    Ok(())
                }
            }
        }
        /// Fetch at most one row.
        pub async fn fetch_optional<T>(&$($m)* $self, sql: &str, params: &[Val], f: impl Fn(&dyn Cols) -> Result<T, StoreError>) -> Result<Option<T>, StoreError> {
            let mut first = None;
            let mut take = |row: &dyn Cols| {
                first = Some(f(row)?);
                Ok(false)
            };
            match $self.via(sql) {
                // Through `read_rows` like every read of rows: a count over a division's
                // projects (tens of milliseconds at a million) run on the worker's own
                // thread held up every task queued behind it there.
                Via::Lite(l) => on_reader(l, sql, true, |l| l.each(sql, params, &mut take)).await??,
                Via::LiteTx(t) => read_rows(known(sql), || t.each(sql, params, &mut take))?,
                Via::SqlitePool(p) => return bind_all!(sqlx::query(sql), params).fetch_optional(p).await?.as_ref().map(|r| f(r)).transpose(),
                Via::PgPool(p) => return bind_all!(sqlx::query(sql), params).fetch_optional(p).await?.as_ref().map(|r| f(r)).transpose(),
                Via::PgTx(c) => return bind_all!(sqlx::query(sql), params).fetch_optional(c).await?.as_ref().map(|r| f(r)).transpose(),
            }
            Ok(first)
        }
        /// Fetch exactly one row.
        pub async fn fetch_one<T>(&$($m)* $self, sql: &str, params: &[Val], f: impl Fn(&dyn Cols) -> Result<T, StoreError>) -> Result<T, StoreError> {
            $self.fetch_optional(sql, params, f).await?.ok_or(StoreError::NotFound)
        }
        /// A single BIGINT (COUNT(*), an id …).
        pub async fn scalar(&$($m)* $self, sql: &str, params: &[Val]) -> Result<i64, StoreError> {
            $self.fetch_one(sql, params, |r| r.i64("v")).await
        }
    };
}

/// A connection pool on either engine, with an identity that lets callers keep
/// per-database caches.
#[derive(Clone, Debug)]
pub struct Db {
    pool: Pool,
    id: u64,
    /// One writer at a time in this process, its turn taken before a connection is: a
    /// request waiting to write waits here without holding one of the pool's
    /// connections, so the writer that holds the lock can always get a connection for its
    /// reads. (Waiting on the database's lock instead, the waiting writers held every
    /// connection while the one holding the lock waited for one: on SQLite every write of
    /// a burst failed after the busy timeout, on PostgreSQL after the pool's. Every write
    /// updates the audit chain's head, so writes were one at a time anyway.)
    writers: Arc<tokio::sync::Semaphore>,
}

/// Run a long read on this thread, letting the runtime move its other tasks to another
/// thread meanwhile (a runtime of one thread, as in tests, simply waits).
fn in_place<T>(f: impl FnOnce() -> T) -> T {
    match tokio::runtime::Handle::try_current() {
        Ok(h) if h.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread => {
            tokio::task::block_in_place(f)
        }
        _ => f(),
    }
}

/// SQLite's virtual-machine steps past which a read is long: its next run is [`in_place`]
/// (about half a millisecond of work or more; a lookup by key takes 10 to 30 steps).
/// Counted work, not time: timed, a lookup that waited for the processor under load once
/// ran "long", and every lookup of a session, a user or a counter had come to hand its
/// worker's tasks to another thread (the six dashboard endpoints at 16 clients: 4,323
/// against 7,405 requests a second).
const LONG_STEPS: i64 = 10_000;

/// SQLite's virtual machine steps past which a read is heavy: it takes one of the seats
/// for heavy reads (see `lite::Lite::seat`). Counted work, not time: a read of a few rows
/// that waited for the processor under load is not heavy. (At a million projects, under
/// load: a session's or a user's lookup takes 16-20 steps; the dashboards' sums, when
/// they fill their cache, up to 121,000; a page of 50 of a division's 6,736 missing
/// reports 172,000; counting its dispatch list 1.1-2.6 million; the 25,000th page of
/// the registry a million.)
const HEAVY_STEPS: i64 = 150_000;

/// What a statement text's last run took.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Seen {
    /// [`LONG_STEPS`] or more: the next run is [`in_place`].
    long: bool,
    /// [`HEAVY_STEPS`] or more.
    heavy: bool,
}

/// What each statement text (by its hash) was seen to take. Bounded: forgotten all at
/// once past a few thousand texts (some carry a list of ids).
static READS: std::sync::LazyLock<std::sync::Mutex<std::collections::HashMap<u64, Seen>>> =
    std::sync::LazyLock::new(Default::default);

fn reads() -> std::sync::MutexGuard<'static, std::collections::HashMap<u64, Seen>> {
    let mut m = READS.lock().unwrap_or_else(|e| e.into_inner());
    if m.len() >= 4096 {
        m.clear();
    }
    m
}

/// The key of a statement's text in [`READS`].
fn text_key(sql: &str) -> u64 {
    use std::hash::{BuildHasher, BuildHasherDefault, DefaultHasher};
    BuildHasherDefault::<DefaultHasher>::default().hash_one(sql)
}

/// What is known of a statement's text before it runs.
#[derive(Debug, Clone, Copy)]
struct Known {
    key: u64,
    seen: Option<Seen>,
}

impl Known {
    /// Was its last run heavy?
    fn heavy(&self) -> bool {
        self.seen.is_some_and(|s| s.heavy)
    }
}

/// Look a statement's text up (one hash, one lock).
fn known(sql: &str) -> Known {
    let key = text_key(sql);
    Known {
        key,
        seen: reads().get(&key).copied(),
    }
}

thread_local! {
    /// The virtual-machine steps of the last statement this thread stepped through.
    static LAST_STEPS: std::cell::Cell<i64> = const { std::cell::Cell::new(0) };
}

/// A statement this thread just ran took `steps` of SQLite's virtual machine.
pub(super) fn note_steps(steps: i64) {
    LAST_STEPS.set(steps);
}

/// A read outside a transaction on one of SQLite's readers: it waits for a seat (and,
/// when its text is known heavy and `limit_heavy`, first for one of the seats for heavy
/// reads), then runs through [`read_rows`].
async fn on_reader<T>(
    l: &Lite,
    sql: &str,
    limit_heavy: bool,
    run: impl FnOnce(&Lite) -> T,
) -> Result<T, StoreError> {
    let k = known(sql);
    let _seat = l.seat(limit_heavy && k.heavy()).await?;
    Ok(read_rows(k, || run(l)))
}

/// Run a read of rows: in place ([`in_place`]) unless its text's last run was short.
/// Handing a worker's other tasks to another thread costs tens of microseconds and two
/// thread switches, more than a lookup by key takes; a write's dozen small reads paid it
/// each time. A text not seen before runs in place. What the run took is remembered (the
/// map written only when that changed).
fn read_rows<T>(k: Known, f: impl FnOnce() -> T) -> T {
    LAST_STEPS.set(0);
    let out = match k.seen {
        Some(s) if !s.long => f(),
        _ => in_place(f),
    };
    let steps = LAST_STEPS.get();
    let now = Seen {
        long: steps >= LONG_STEPS,
        heavy: steps >= HEAVY_STEPS,
    };
    if k.seen != Some(now) {
        reads().insert(k.key, now);
    }
    out
}

/// How long a write waits for its turn: SQLite's busy timeout.
const WRITE_WAIT: Duration = Duration::from_secs(10);

#[derive(Clone, Debug)]
enum Pool {
    /// sqlx's pool (schema changes, pragmas) and the connections that run the rows'
    /// reads and writes in place (`lite`).
    Sqlite(SqlitePool, Arc<Lite>),
    Postgres(PgPool),
}

static NEXT_DB: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

impl Db {
    fn new(pool: Pool) -> Db {
        Db {
            pool,
            id: NEXT_DB.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            writers: Arc::new(tokio::sync::Semaphore::new(1)),
        }
    }
    /// Unique to this pool within the process.
    pub fn id(&self) -> u64 {
        self.id
    }
    /// Connections open in the pool, and of those how many are idle.
    pub fn pool_state(&self) -> (u32, u32) {
        match &self.pool {
            Pool::Sqlite(p, _) => (p.size(), p.num_idle() as u32),
            Pool::Postgres(p) => (p.size(), p.num_idle() as u32),
        }
    }
}

impl Db {
    /// Connect, creating the SQLite file (and its folder) when missing.
    pub async fn connect(url: &str) -> Result<Db, StoreError> {
        match DbUrl::parse(url)? {
            DbUrl::Sqlite(path) => {
                if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                    std::fs::create_dir_all(dir).map_err(|e| {
                        StoreError::Config(format!(
                            "cannot create the data directory {}: {e}",
                            dir.display()
                        ))
                    })?;
                }
                let opts = SqliteConnectOptions::new()
                    .filename(&path)
                    .create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    // FULL: a commit is on disk before it is acknowledged, even on power loss.
                    .synchronous(SqliteSynchronous::Full)
                    .busy_timeout(Duration::from_secs(10))
                    .foreign_keys(true)
                    .pragma("cache_size", "-65536");
                let pool = SqlitePoolOptions::new()
                    .max_connections(8)
                    .acquire_timeout(Duration::from_secs(30))
                    .connect_with(opts)
                    .await
                    .map_err(|e| {
                        StoreError::Config(format!(
                            "cannot open SQLite database {}: {e}",
                            path.display()
                        ))
                    })?;
                Ok(Db::new(Pool::Sqlite(pool, Arc::new(Lite::new(path)))))
            }
            DbUrl::Postgres(u) => {
                let opts = PgConnectOptions::from_str(&u)
                    .map_err(|e| StoreError::Config(format!("bad PostgreSQL URL: {e}")))?;
                let pool = PgPoolOptions::new()
                    .max_connections(16)
                    .acquire_timeout(Duration::from_secs(10))
                    .connect_with(opts)
                    .await
                    .map_err(|e| {
                        StoreError::Config(format!(
                            "cannot connect to PostgreSQL ({}): {e}",
                            redact(&u)
                        ))
                    })?;
                Ok(Db::new(Pool::Postgres(pool)))
            }
        }
    }

    pub fn backend(&self) -> Backend {
        match &self.pool {
            Pool::Sqlite(..) => Backend::Sqlite,
            Pool::Postgres(_) => Backend::Postgres,
        }
    }

    query_methods!(self, []);

    /// One pass over many rows, split by ranges of `id` (from `lo` to `hi`) read on as
    /// many readers at once as the machine has cores (at most four): `sql` has `{part}`
    /// where the range's condition on `col` goes, its two values after `params`. Each
    /// part's rows go into an accumulator of its own (`add`); the accumulators come back
    /// in the order of the ranges.
    pub async fn in_parts<A: Default + Send + 'static>(
        &self,
        sql: &str,
        params: &[Val],
        col: &str,
        (lo, hi): (i64, i64),
        add: impl Fn(&mut A, &dyn Cols) -> Result<(), StoreError> + Send + Sync + 'static,
    ) -> Result<Vec<A>, StoreError> {
        let n = std::thread::available_parallelism().map_or(1, |n| n.get().min(4)) as i64;
        let step = ((hi - lo) / n + 1).max(1);
        let (from, to) = (params.len() + 1, params.len() + 2);
        let sql: Arc<str> = sql
            .replace("{part}", &format!("{col} >= ${from} AND {col} < ${to}"))
            .into();
        let add = Arc::new(add);
        let tasks: Vec<_> = (0..n)
            .map(|i| {
                let (db, sql, add) = (self.clone(), sql.clone(), add.clone());
                let mut vals = params.to_vec();
                vals.extend([(lo + i * step).into(), (lo + (i + 1) * step).into()]);
                tokio::spawn(async move {
                    let mut acc = A::default();
                    db.part_each(&sql, &vals, |r| add(&mut acc, r)).await?;
                    Ok::<A, StoreError>(acc)
                })
            })
            .collect();
        let mut out = Vec::with_capacity(tasks.len());
        for t in tasks {
            out.push(
                t.await
                    .map_err(|e| StoreError::Engine(format!("a part of a read: {e}")))??,
            );
        }
        Ok(out)
    }

    /// [`fetch_each`](Self::fetch_each) for one part of [`in_parts`](Self::in_parts): the
    /// parts of one read are meant to run side by side, one per core, so they take readers
    /// without the seats for heavy reads (with them, an import's parts ran one at a time).
    async fn part_each(
        &self,
        sql: &str,
        params: &[Val],
        mut f: impl FnMut(&dyn Cols) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        match self.via(sql) {
            Via::Lite(l) => {
                on_reader(l, sql, false, |l| {
                    l.each(sql, params, &mut |row| f(row).map(|()| true))
                })
                .await?
            }
            _ => self.fetch_each(sql, params, f).await,
        }
    }

    /// The lowest and highest `id` of the rows `sql` selects (as `lo` and `hi`), if any
    /// (the bounds of [`in_parts`](Self::in_parts)).
    pub async fn id_range(
        &self,
        sql: &str,
        params: &[Val],
    ) -> Result<Option<(i64, i64)>, StoreError> {
        self.fetch_one(sql, params, |r| Ok(r.opt_i64("lo")?.zip(r.opt_i64("hi")?)))
            .await
    }

    /// [`fetch_each`](Self::fetch_each) for a read of whole tables: on SQLite on a reader
    /// whose page cache is cut for the statement (pages read once gain nothing from it,
    /// and each reader's full cache is 64 MiB).
    pub async fn scan_each(
        &self,
        sql: &str,
        params: &[Val],
        mut f: impl FnMut(&dyn Cols) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        match self.via(sql) {
            Via::Lite(l) => {
                on_reader(l, sql, true, |l| {
                    l.scan(sql, params, &mut |row| f(row).map(|()| true))
                })
                .await?
            }
            _ => self.fetch_each(sql, params, f).await,
        }
    }

    /// Reads and writes of rows on SQLite run in place (`lite`); the rest (schema
    /// changes, pragmas, `VACUUM INTO`) on the pool.
    fn via(&self, sql: &str) -> Via<'_> {
        match &self.pool {
            Pool::Sqlite(_, l) if lite::reads_only(sql) || lite::writes(sql) => Via::Lite(l),
            Pool::Sqlite(p, _) => Via::SqlitePool(p),
            Pool::Postgres(p) => Via::PgPool(p),
        }
    }

    /// Start a write transaction. On SQLite it is `BEGIN IMMEDIATE`, so that a
    /// transaction which reads before it writes can never fail to upgrade its lock.
    pub async fn write(&self) -> Result<Tx, StoreError> {
        let turn = self.turn().await?;
        Ok(match &self.pool {
            Pool::Sqlite(_, l) => Tx::Sqlite(l.begin(true, None)?, Some(turn)),
            Pool::Postgres(p) => Tx::Postgres(p.begin().await?, Some(turn)),
        })
    }

    /// A read-only transaction: one consistent snapshot for several queries. On SQLite
    /// it is a deferred `BEGIN`, which takes no write lock.
    pub async fn read(&self) -> Result<Tx, StoreError> {
        Ok(match &self.pool {
            Pool::Sqlite(_, l) => Tx::Sqlite(l.begin(false, Some(l.seat(false).await?))?, None),
            Pool::Postgres(p) => Tx::Postgres(p.begin().await?, None),
        })
    }

    /// The turn to write, within SQLite's busy timeout.
    async fn turn(&self) -> Result<tokio::sync::OwnedSemaphorePermit, StoreError> {
        tokio::time::timeout(WRITE_WAIT, self.writers.clone().acquire_owned())
            .await
            .map_err(|_| StoreError::Db(sqlx::Error::PoolTimedOut))?
            .map_err(|_| StoreError::Db(sqlx::Error::PoolClosed))
    }

    /// A statement run on the pool that changes rows takes the turn to write for its
    /// duration (others, `VACUUM INTO` for a backup among them, do not).
    async fn write_turn(
        &self,
        sql: &str,
    ) -> Result<Option<tokio::sync::OwnedSemaphorePermit>, StoreError> {
        if lite::writes(sql) {
            Ok(Some(self.turn().await?))
        } else {
            Ok(None)
        }
    }

    pub async fn close(&self) {
        match &self.pool {
            Pool::Sqlite(p, l) => {
                l.close();
                p.close().await
            }
            Pool::Postgres(p) => p.close().await,
        }
    }
}

/// A write transaction; dropped without `commit` it rolls back.
pub enum Tx {
    /// With the turn to write, when it is a write transaction.
    Sqlite(LiteTx, Option<tokio::sync::OwnedSemaphorePermit>),
    Postgres(
        sqlx::Transaction<'static, sqlx::Postgres>,
        Option<tokio::sync::OwnedSemaphorePermit>,
    ),
}

impl Tx {
    fn via(&mut self, _sql: &str) -> Via<'_> {
        match self {
            Tx::Sqlite(t, _) => Via::LiteTx(t),
            Tx::Postgres(t, _) => Via::PgTx(t),
        }
    }

    query_methods!(self, [mut]);

    /// Inside a transaction the turn is already held (or not needed).
    async fn write_turn(&self, _sql: &str) -> Result<Option<()>, StoreError> {
        Ok(None)
    }

    pub fn backend(&self) -> Backend {
        match self {
            Tx::Sqlite(..) => Backend::Sqlite,
            Tx::Postgres(..) => Backend::Postgres,
        }
    }

    pub async fn commit(self) -> Result<(), StoreError> {
        match self {
            Tx::Sqlite(t, _turn) => t.commit()?,
            Tx::Postgres(t, _turn) => t.commit().await?,
        }
        Ok(())
    }
}

/// Hide the password of a URL in messages.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..s + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seen_long(sql: &str) -> Option<bool> {
        reads().get(&text_key(sql)).map(|s| s.long)
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_read_runs_in_place_while_its_last_run_was_long() {
        let (short, long) = ("SELECT 'short read'", "SELECT 'long read'");
        assert_eq!(seen_long(short), None);
        assert_eq!(read_rows(known(short), || 7), 7);
        assert_eq!(seen_long(short), Some(false));
        read_rows(known(long), || note_steps(LONG_STEPS));
        assert_eq!(seen_long(long), Some(true));
        // Slow but little work (it waited for the processor): still short.
        read_rows(known(short), || {
            std::thread::sleep(Duration::from_millis(5));
            note_steps(20)
        });
        assert_eq!(seen_long(short), Some(false));
        read_rows(known(long), || note_steps(LONG_STEPS - 1));
        assert_eq!(seen_long(long), Some(false), "its last run was short");
    }

    /// The parts of a read in parts run side by side even when every seat for heavy
    /// reads is taken and their text is known to be heavy.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_parts_of_a_read_do_not_wait_for_heavy_seats() {
        let path = std::env::temp_dir().join(format!("duban_parts_{}.sqlite", std::process::id()));
        let _ = std::fs::remove_file(&path);
        let db = Db::connect(&format!("sqlite://{}", path.display()))
            .await
            .unwrap();
        db.execute(
            "CREATE TABLE t (id INTEGER PRIMARY KEY, v BIGINT NOT NULL)",
            &[],
        )
        .await
        .unwrap();
        for i in 1..=100i64 {
            db.execute(
                "INSERT INTO t (id, v) VALUES ($1, $2)",
                &[i.into(), (i * 2).into()],
            )
            .await
            .unwrap();
        }
        let Pool::Sqlite(_, l) = &db.pool else {
            unreachable!()
        };
        let mut held = Vec::new();
        for _ in 0..lite::heavy_readers() {
            held.push(l.seat(true).await.unwrap());
        }
        let sum = async || {
            let parts = tokio::time::timeout(
                Duration::from_secs(5),
                db.in_parts(
                    "SELECT v FROM t WHERE {part}",
                    &[],
                    "id",
                    (1, 101),
                    |acc: &mut i64, r| {
                        *acc += r.i64("v")?;
                        Ok(())
                    },
                ),
            )
            .await
            .expect("the parts did not wait for the heavy seats")
            .unwrap();
            parts.iter().sum::<i64>()
        };
        assert_eq!(sum().await, 10_100);
        // Known heavy now: still not held up.
        let part = "SELECT v FROM t WHERE id >= $1 AND id < $2";
        assert!(
            known(part).seen.is_some(),
            "the parts' text as in_parts writes it"
        );
        reads().insert(
            text_key(part),
            Seen {
                long: true,
                heavy: true,
            },
        );
        assert_eq!(sum().await, 10_100, "known heavy");
        drop(held);
        let _ = std::fs::remove_file(&path);
    }

    /// A read is heavy while its last run took `HEAVY_STEPS` or more, however long it
    /// waited: the steps its statement took decide, not the clock.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_read_is_heavy_by_its_last_run_steps() {
        let sql = "SELECT 'a count over a division'";
        assert!(!known(sql).heavy(), "not seen yet");
        read_rows(known(sql), || note_steps(HEAVY_STEPS));
        assert!(known(sql).heavy());
        read_rows(known(sql), || note_steps(HEAVY_STEPS - 1));
        assert!(!known(sql).heavy(), "its last run was light");
        let slow = || {
            std::thread::sleep(Duration::from_millis(5));
            note_steps(20)
        };
        read_rows(known(sql), slow);
        assert!(!known(sql).heavy(), "slow is not heavy");
    }
    #[test]
    fn urls() {
        assert_eq!(
            DbUrl::parse("sqlite://data/demo.sqlite").unwrap(),
            DbUrl::Sqlite("data/demo.sqlite".into())
        );
        assert_eq!(
            DbUrl::parse("sqlite:///tmp/x.db").unwrap(),
            DbUrl::Sqlite("/tmp/x.db".into())
        );
        assert!(matches!(
            DbUrl::parse("postgresql://u@h/db").unwrap(),
            DbUrl::Postgres(_)
        ));
        assert!(DbUrl::parse("mysql://x").is_err());
        assert!(DbUrl::parse("sqlite://").is_err());
        assert_eq!(
            redact("postgres://duban:secret@127.0.0.1:5432/x"),
            "postgres://duban:***@127.0.0.1:5432/x"
        );
    }
}
