//! SQLite's statements, run on the calling thread (rusqlite) rather than through sqlx.
//!
//! sqlx runs each SQLite connection on a worker thread and hands every statement and
//! every row across a channel: a wake-up of another thread each time. Measured at
//! 100,000 projects, an import's lookups spent about 30 µs a row that way, 4–5 times what
//! the same statements cost read in place, and each write request's dozen statements paid
//! two wake-ups apiece. Here:
//!
//! - reads outside a transaction go to connections of their own, opened `query_only`
//!   so that a statement that writes fails instead of going round the turn to write;
//! - write transactions, and single writes outside one, run on the one write connection,
//!   taken with the process's turn to write;
//! - read transactions take a reader for their duration.
//!
//! sqlx's pool stays for what is neither (schema changes, pragmas, `VACUUM INTO`).

use super::{Cols, Val};
use crate::StoreError;
use rusqlite::types::Value;
use rusqlite::{Connection, OpenFlags};
use std::cell::Cell;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::Mutex;
use std::time::Duration;

/// Readers at once. Each keeps its own page cache, so they are kept open, not opened
/// per request (16 clients on 8 kept readers reopened the rest with cold caches and
/// served a tenth as many requests).
const READERS: usize = 8;

/// Reads known to be heavy (see `db::Known::heavy`) that hold readers at once: half as
/// many as there are cores (at least one), so that a burst of heavy lists leaves readers,
/// and processors, to the reads of a few rows. With every seat open to them, 16 clients
/// of the dispatch and registry lists at a million projects held all eight readers, and a
/// dashboard's 0.1 ms read queued behind them for up to a second; with one of two cores
/// for them, the dashboards' p99 was 12-17 ms beside them (16-21 ms with both cores).
pub(super) fn heavy_readers() -> usize {
    (std::thread::available_parallelism().map_or(1, usize::from) / 2).clamp(1, READERS - 2)
}

/// How long a read waits for a reader before it fails (a read held up this long is a
/// fault to report, not a queue to join).
const SEAT_WAIT: Duration = Duration::from_secs(30);

/// How long the checkpointer lets writes gather after one commits before it copies
/// them from the log into the database file.
const CHECKPOINT_PAUSE: Duration = Duration::from_millis(100);

/// Pages of log past which the write connection copies them back itself, should the
/// checkpointer fall behind or be gone (SQLite's default is 1,000, at every commit
/// that passes it: a large import's commit then waited for a copy of everything it wrote).
const CHECKPOINT_FALLBACK_PAGES: u32 = 50_000;

#[derive(Debug)]
pub(super) struct Lite {
    path: PathBuf,
    /// Tells the checkpointer that a write has committed (see [`checkpointer`]).
    checkpoints: Mutex<Option<std::sync::mpsc::SyncSender<()>>>,
    idle: Mutex<Vec<Connection>>,
    /// The write connection, when no transaction holds it.
    writer: Mutex<Option<Connection>>,
    /// A seat per reader: a read waits for one (asynchronously) before taking a reader.
    seats: Arc<tokio::sync::Semaphore>,
    /// Taken before a seat by a read known to be long (at most [`heavy_readers`]).
    heavy_seats: Arc<tokio::sync::Semaphore>,
    /// Which value each parameter of a statement takes, by statement text. (SQLite finds
    /// a parameter's name by walking the list of names: asking for each of a long `IN`
    /// list's names on every run cost more than the lookups themselves.)
    slots: Mutex<HashMap<String, Arc<[usize]>>>,
}

/// A connection's page cache, in KiB (SQLite's negative `cache_size`).
const CACHE_KIB: i64 = 65_536;

/// A reader's page cache during a scan of whole tables (see [`Lite::scan`]).
const SCAN_CACHE_KIB: i64 = 2_048;

/// Statement texts whose parameters are remembered, at most.
const SLOTS: usize = 4096;

/// Whether a statement only reads (and may go to a reader).
pub(super) fn reads_only(sql: &str) -> bool {
    begins_with(sql, &["SELECT", "WITH"])
}

/// Whether a statement writes rows (and, outside a transaction, takes the turn to write).
pub(super) fn writes(sql: &str) -> bool {
    begins_with(sql, &["INSERT", "UPDATE", "DELETE"])
}

/// Whether a statement's first word is one of `verbs` (in any case).
fn begins_with(sql: &str, verbs: &[&str]) -> bool {
    let head = sql.trim_start();
    verbs.iter().any(|v| {
        head.get(..v.len())
            .is_some_and(|h| h.eq_ignore_ascii_case(v))
    })
}

fn err(e: rusqlite::Error) -> StoreError {
    if let rusqlite::Error::SqliteFailure(f, msg) = &e
        && matches!(
            f.extended_code,
            rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE | rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY
        )
    {
        return StoreError::Duplicate(msg.clone().unwrap_or_else(|| e.to_string()));
    }
    StoreError::Engine(e.to_string())
}

/// A read's place on a reader (and, for a long read, among the long ones), given back
/// when dropped.
#[derive(Debug)]
pub(super) struct Seat {
    _reader: tokio::sync::OwnedSemaphorePermit,
    _heavy: Option<tokio::sync::OwnedSemaphorePermit>,
}

impl Lite {
    pub(super) fn new(path: PathBuf) -> Lite {
        Lite {
            checkpoints: Mutex::new(checkpointer(path.clone())),
            path,
            idle: Mutex::new(Vec::new()),
            writer: Mutex::new(None),
            seats: Arc::new(tokio::sync::Semaphore::new(READERS)),
            heavy_seats: Arc::new(tokio::sync::Semaphore::new(heavy_readers())),
            slots: Mutex::new(HashMap::new()),
        }
    }

    fn open(&self, write: bool) -> Result<Connection, StoreError> {
        let c = connect(&self.path)?;
        if write {
            // As the pool's: a commit is on disk (in the log) before it is acknowledged.
            // Copying the log into the database file is the checkpointer's work.
            c.execute_batch(&format!(
                "PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL; PRAGMA cache_size = -{CACHE_KIB}; \
                 PRAGMA wal_autocheckpoint = {CHECKPOINT_FALLBACK_PAGES};"
            ))
        } else {
            c.execute_batch(&format!(
                "PRAGMA query_only = ON; PRAGMA cache_size = -{CACHE_KIB};"
            ))
        }
        .map_err(err)?;
        c.set_prepared_statement_cache_capacity(128);
        Ok(c)
    }

    /// Close the idle connections and stop the checkpointer (the pool is closing).
    pub(super) fn close(&self) {
        lock(&self.checkpoints).take();
        lock(&self.idle).clear();
        lock(&self.writer).take();
    }

    fn take(&self, write: bool) -> Result<Connection, StoreError> {
        let kept = if write {
            lock(&self.writer).take()
        } else {
            lock(&self.idle).pop()
        };
        match kept {
            Some(c) => Ok(c),
            None => self.open(write),
        }
    }

    fn give_back(&self, c: Connection, write: bool) {
        if write {
            *lock(&self.writer) = Some(c);
            // A write has ended: what it logged is for the checkpointer (a signal already
            // waiting covers this one too).
            if let Some(t) = lock(&self.checkpoints).as_ref() {
                let _ = t.try_send(());
            }
        } else {
            lock(&self.idle).push(c);
        }
    }

    /// A seat for a read: held while it uses a reader; a read known to be `long` first
    /// takes one of the seats for long reads (and holds both). A read that finds every
    /// seat taken for `SEAT_WAIT` fails rather than waiting on.
    pub(super) async fn seat(&self, heavy: bool) -> Result<Seat, StoreError> {
        let take = |seats: &Arc<tokio::sync::Semaphore>| {
            let seats = seats.clone();
            async move {
                tokio::time::timeout(SEAT_WAIT, seats.acquire_owned())
                    .await
                    .map_err(|_| {
                        StoreError::Engine(format!(
                            "every reader was busy for {} s",
                            SEAT_WAIT.as_secs()
                        ))
                    })?
                    .map_err(|_| StoreError::Engine("the database is closed".into()))
            }
        };
        let heavy = if heavy {
            Some(take(&self.heavy_seats).await?)
        } else {
            None
        };
        Ok(Seat {
            _reader: take(&self.seats).await?,
            _heavy: heavy,
        })
    }

    /// Run a read outside a transaction (the caller holds a seat): give each row to `f`
    /// until it returns `false` or the rows end.
    pub(super) fn each(
        &self,
        sql: &str,
        params: &[Val],
        f: &mut dyn FnMut(&dyn Cols) -> Result<bool, StoreError>,
    ) -> Result<(), StoreError> {
        self.lend(false, |c| self.rows(c, sql, params, f))
    }

    /// A read of whole tables (a bulletin's sums and lists at a million projects): on a
    /// reader whose page cache is cut to [`SCAN_CACHE_KIB`] for the statement, which
    /// also frees the pages it held, and given back its full size after. Pages a scan
    /// reads once gain nothing from a cache; three such reads at once on readers with
    /// full caches took 190 MB more than one at a time.
    pub(super) fn scan(
        &self,
        sql: &str,
        params: &[Val],
        f: &mut dyn FnMut(&dyn Cols) -> Result<bool, StoreError>,
    ) -> Result<(), StoreError> {
        self.lend(false, |c| {
            let size = |kib: i64| {
                c.execute_batch(&format!("PRAGMA cache_size = -{kib}"))
                    .map_err(err)
            };
            size(SCAN_CACHE_KIB)?;
            let out = self.rows(c, sql, params, f);
            size(CACHE_KIB)?;
            out
        })
    }

    /// Run a write outside a transaction (the caller holds the turn to write).
    pub(super) fn execute(&self, sql: &str, params: &[Val]) -> Result<u64, StoreError> {
        self.lend(writes(sql), |c| self.exec(c, sql, params))
    }

    /// A reader, or the write connection, for one statement.
    fn lend<T>(
        &self,
        write: bool,
        f: impl FnOnce(&Connection) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let c = self.take(write)?;
        let out = f(&c);
        self.give_back(c, write);
        out
    }

    /// Begin a transaction: a write transaction (`BEGIN IMMEDIATE`, the caller holds the
    /// turn to write) on the write connection, or a read on a reader.
    /// A read transaction holds its `seat` to the end.
    pub(super) fn begin(
        self: &Arc<Self>,
        write: bool,
        seat: Option<Seat>,
    ) -> Result<LiteTx, StoreError> {
        let c = self.take(write)?;
        if let Err(e) = c.execute_batch(if write { "BEGIN IMMEDIATE" } else { "BEGIN" }) {
            self.give_back(c, write);
            return Err(err(e));
        }
        Ok(LiteTx {
            conn: Mutex::new(Some(c)),
            home: self.clone(),
            write,
            _seat: seat,
        })
    }

    /// `$n` names the n-th value wherever it stands, as on the pool (and `?` the next):
    /// the value of each parameter of the statement, in the statement's order.
    fn slots(&self, stmt: &rusqlite::Statement, sql: &str) -> Result<Arc<[usize]>, StoreError> {
        let mut slots = lock(&self.slots);
        if let Some(s) = slots.get(sql) {
            return Ok(s.clone());
        }
        let found = (1..=stmt.parameter_count())
            .map(|i| match stmt.parameter_name(i) {
                // `?`: the next value.
                None => Ok(i),
                Some(name) => name
                    .strip_prefix('$')
                    .or_else(|| name.strip_prefix('?'))
                    .and_then(|n| n.parse::<usize>().ok())
                    .filter(|&n| n >= 1)
                    .ok_or_else(|| {
                        StoreError::Engine(format!("parameter {name} is not $n: {sql}"))
                    }),
            })
            .collect::<Result<Arc<[usize]>, _>>()?;
        if slots.len() >= SLOTS {
            slots.clear();
        }
        slots.insert(sql.to_string(), found.clone());
        Ok(found)
    }

    fn bind(
        &self,
        stmt: &mut rusqlite::CachedStatement<'_>,
        sql: &str,
        params: &[Val],
    ) -> Result<(), StoreError> {
        for (i, &n) in self.slots(stmt, sql)?.iter().enumerate() {
            let v = params.get(n - 1).ok_or_else(|| {
                StoreError::Engine(format!("${n} has no value ({} given): {sql}", params.len()))
            })?;
            stmt.raw_bind_parameter(i + 1, value(v)).map_err(err)?;
        }
        Ok(())
    }

    fn rows(
        &self,
        conn: &Connection,
        sql: &str,
        params: &[Val],
        f: &mut dyn FnMut(&dyn Cols) -> Result<bool, StoreError>,
    ) -> Result<(), StoreError> {
        let mut stmt = conn.prepare_cached(sql).map_err(err)?;
        self.bind(&mut stmt, sql, params)?;
        let names: Vec<String> = stmt.column_names().into_iter().map(String::from).collect();
        let mut rows = stmt.raw_query();
        while let Some(row) = rows.next().map_err(err)? {
            let row = Row {
                row,
                names: &names,
                next: Cell::new(0),
            };
            if !f(&row)? {
                break;
            }
        }
        drop(rows);
        let steps = i64::from(stmt.reset_status(rusqlite::StatementStatus::VmStep));
        super::note_steps(steps);
        Ok(())
    }

    fn exec(&self, conn: &Connection, sql: &str, params: &[Val]) -> Result<u64, StoreError> {
        if params.is_empty() {
            // Possibly several statements (a migration's).
            conn.execute_batch(sql).map_err(err)?;
            return Ok(conn.changes());
        }
        let mut stmt = conn.prepare_cached(sql).map_err(err)?;
        self.bind(&mut stmt, sql, params)?;
        Ok(stmt.raw_execute().map_err(err)? as u64)
    }
}

/// A transaction on one of [`Lite`]'s connections; dropped without `commit` it rolls
/// back. The connection goes home either way. (In a mutex only so that a transaction
/// can be shared by reference across threads: one task uses it at a time.)
pub struct LiteTx {
    conn: Mutex<Option<Connection>>,
    home: Arc<Lite>,
    write: bool,
    _seat: Option<Seat>,
}

impl std::fmt::Debug for LiteTx {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LiteTx")
            .field("write", &self.write)
            .finish()
    }
}

impl LiteTx {
    fn with<T>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        match lock(&self.conn).as_ref() {
            Some(c) => f(c),
            None => Err(StoreError::Engine("the transaction has ended".into())),
        }
    }

    pub(super) fn each(
        &self,
        sql: &str,
        params: &[Val],
        f: &mut dyn FnMut(&dyn Cols) -> Result<bool, StoreError>,
    ) -> Result<(), StoreError> {
        self.with(|c| self.home.rows(c, sql, params, f))
    }

    pub(super) fn execute(&self, sql: &str, params: &[Val]) -> Result<u64, StoreError> {
        self.with(|c| self.home.exec(c, sql, params))
    }

    pub(super) fn commit(self) -> Result<(), StoreError> {
        let Some(c) = lock(&self.conn).take() else {
            return Err(StoreError::Engine("the transaction has ended".into()));
        };
        let out = c.execute_batch("COMMIT").map_err(err);
        if out.is_err() {
            let _ = c.execute_batch("ROLLBACK");
        }
        self.home.give_back(c, self.write);
        out
    }
}

impl Drop for LiteTx {
    fn drop(&mut self) {
        if let Some(c) = lock(&self.conn).take() {
            if !c.is_autocommit() {
                let _ = c.execute_batch("ROLLBACK");
            }
            self.home.give_back(c, self.write);
        }
    }
}

fn connect(path: &std::path::Path) -> Result<Connection, StoreError> {
    let c = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(err)?;
    c.busy_timeout(Duration::from_secs(10)).map_err(err)?;
    Ok(c)
}

/// The checkpointer: a thread with a connection of its own that copies committed pages
/// from the write-ahead log into the database file, a moment after writes commit, so
/// that no write waits for that copy and its sync to disk (with SQLite's automatic
/// checkpoint, the commit that passes 1,000 pages of log does it before it returns).
/// A passive checkpoint takes no lock that writers or readers wait for. It stops when
/// the returned sender is dropped; without it the write connection still checkpoints
/// past [`CHECKPOINT_FALLBACK_PAGES`].
fn checkpointer(path: PathBuf) -> Option<std::sync::mpsc::SyncSender<()>> {
    let (tell, told) = std::sync::mpsc::sync_channel::<()>(1);
    std::thread::Builder::new()
        .name("duban-checkpoint".into())
        .spawn(move || {
            let mut conn: Option<Connection> = None;
            while told.recv().is_ok() {
                std::thread::sleep(CHECKPOINT_PAUSE);
                // The writes that committed during the pause are copied by this round.
                let _ = told.try_recv();
                if conn.is_none() {
                    conn = connect(&path).ok();
                }
                if let Some(c) = &conn
                    && let Err(e) =
                        c.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| r.get::<_, i64>(0))
                {
                    tracing::warn!(error = %e, "checkpoint of the write-ahead log failed");
                    conn = None;
                }
            }
        })
        .ok()
        .map(|_| tell)
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

fn value(v: &Val) -> Value {
    match v {
        Val::I(i) => Value::Integer(*i),
        Val::OptI(i) => i.map_or(Value::Null, Value::Integer),
        Val::S(s) => Value::Text(s.clone()),
        Val::OptS(s) => s.clone().map_or(Value::Null, Value::Text),
        Val::B(b) => Value::Integer(i64::from(*b)),
        Val::OptB(b) => b.map_or(Value::Null, |b| Value::Integer(i64::from(b))),
        Val::OptF(x) => x.map_or(Value::Null, Value::Real),
        Val::Bytes(b) => Value::Blob(b.clone()),
    }
}

/// A row, its columns found by name. Rows are mostly read in the order of their
/// columns, so the search starts after the column read last.
struct Row<'a> {
    row: &'a rusqlite::Row<'a>,
    names: &'a [String],
    next: Cell<usize>,
}

impl Row<'_> {
    fn get<T: rusqlite::types::FromSql>(&self, col: &str) -> Result<T, StoreError> {
        let n = self.names.len();
        let start = self.next.get();
        let i = (0..n)
            .map(|k| (start + k) % n)
            .find(|&i| self.names[i].eq_ignore_ascii_case(col))
            .ok_or_else(|| StoreError::Engine(format!("no column {col} in the result")))?;
        self.next.set(i + 1);
        self.row
            .get(i)
            .map_err(|e| StoreError::Engine(format!("column {col}: {e}")))
    }
}

impl Cols for Row<'_> {
    fn i64(&self, c: &str) -> Result<i64, StoreError> {
        self.get(c)
    }
    fn opt_i64(&self, c: &str) -> Result<Option<i64>, StoreError> {
        self.get(c)
    }
    fn str(&self, c: &str) -> Result<String, StoreError> {
        self.get(c)
    }
    fn opt_str(&self, c: &str) -> Result<Option<String>, StoreError> {
        self.get(c)
    }
    fn bool(&self, c: &str) -> Result<bool, StoreError> {
        self.get(c)
    }
    fn opt_f64(&self, c: &str) -> Result<Option<f64>, StoreError> {
        self.get(c)
    }
    fn bytes(&self, c: &str) -> Result<Vec<u8>, StoreError> {
        self.get(c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_reads_go_to_the_readers() {
        for sql in [
            "SELECT 1",
            "  select x FROM t",
            "\nWITH a AS (SELECT 1) SELECT * FROM a",
        ] {
            assert!(reads_only(sql), "{sql}");
        }
        for sql in [
            "INSERT INTO t VALUES (1)",
            "UPDATE t SET a = 1",
            "PRAGMA x",
            "SEL",
            "",
        ] {
            assert!(!reads_only(sql), "{sql}");
        }
    }

    /// A statement that writes, sent to a reader, fails: it cannot go round the turn to
    /// write.
    #[test]
    fn the_log_is_copied_back_soon_after_a_write_not_by_it() {
        // 4 MiB written in one transaction: past SQLite's automatic checkpoint (1,000
        // pages), below the write connection's own fallback. The commit returns with the
        // pages in the log; the checkpointer copies them into the database file.
        let path =
            std::env::temp_dir().join(format!("duban_checkpoint_{}.sqlite", std::process::id()));
        for f in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{f}", path.display()));
        }
        let c = Connection::open(&path).unwrap();
        c.execute_batch("PRAGMA journal_mode = WAL; CREATE TABLE t (a BLOB);")
            .unwrap();
        let l = Arc::new(Lite::new(path.clone()));
        let size = || std::fs::metadata(&path).unwrap().len();
        let before = size();
        let tx = l.begin(true, None).unwrap();
        for _ in 0..1024 {
            tx.execute("INSERT INTO t VALUES (zeroblob($1))", &[Val::I(4096)])
                .unwrap();
        }
        tx.commit().unwrap();
        assert!(
            size() < before + (1 << 20),
            "the commit copied its pages itself"
        );
        let waited = std::time::Instant::now();
        while size() < before + (4 << 20) {
            assert!(
                waited.elapsed() < Duration::from_secs(10),
                "nothing was copied back into the database file"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        drop(c);
        l.close();
        for f in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{f}", path.display()));
        }
    }

    #[test]
    fn a_reader_refuses_to_write() {
        let path =
            std::env::temp_dir().join(format!("duban_readers_{}.sqlite", std::process::id()));
        let _ = std::fs::remove_file(&path);
        let c = Connection::open(&path).unwrap();
        c.execute_batch(
            "PRAGMA journal_mode = WAL; CREATE TABLE t (a INTEGER); INSERT INTO t VALUES (1);",
        )
        .unwrap();
        let r = Lite::new(path.clone());
        let mut n = 0;
        r.each("SELECT a FROM t", &[], &mut |row| {
            n += row.i64("a")?;
            Ok(true)
        })
        .unwrap();
        assert_eq!(n, 1);
        let err = r
            .each(
                "WITH x AS (SELECT 2) INSERT INTO t SELECT * FROM x RETURNING a",
                &[],
                &mut |_| Ok(true),
            )
            .unwrap_err();
        assert!(err.to_string().contains("readonly"), "{err}");
        let left: i64 = c
            .query_row("SELECT COUNT(*) FROM t", [], |r| r.get(0))
            .unwrap();
        assert_eq!(left, 1);
        drop(c);
        r.close();
        let _ = std::fs::remove_file(&path);
    }

    /// A read that finds every reader taken fails after `SEAT_WAIT` instead of hanging,
    /// and a seat given back is taken again.
    #[tokio::test(start_paused = true)]
    async fn a_read_waits_for_a_seat_but_not_forever() {
        let r = Lite::new(std::env::temp_dir().join("duban_seats_unused.sqlite"));
        let mut held = Vec::new();
        for _ in 0..READERS {
            held.push(r.seat(false).await.unwrap());
        }
        let started = tokio::time::Instant::now();
        let err = r.seat(false).await.unwrap_err();
        assert!(err.to_string().contains("every reader was busy"), "{err}");
        assert_eq!(started.elapsed(), SEAT_WAIT);
        held.pop();
        assert!(r.seat(false).await.is_ok());
    }

    /// Long reads take at most `heavy_readers()` readers: the next long one waits while a
    /// short one still finds a seat; a long seat given back is taken again.
    #[tokio::test(start_paused = true)]
    async fn heavy_reads_leave_readers_to_short_ones() {
        let r = Lite::new(std::env::temp_dir().join("duban_seats_unused.sqlite"));
        let mut long = Vec::new();
        for _ in 0..heavy_readers() {
            long.push(r.seat(true).await.unwrap());
        }
        assert!(heavy_readers() < READERS);
        let waiting = tokio::time::timeout(Duration::from_secs(1), r.seat(true)).await;
        assert!(waiting.is_err(), "a long read past the limit waits");
        let short = tokio::time::timeout(Duration::from_millis(1), r.seat(false)).await;
        assert!(matches!(short, Ok(Ok(_))), "a short read is seated at once");
        long.pop();
        let again = tokio::time::timeout(Duration::from_millis(1), r.seat(true)).await;
        assert!(matches!(again, Ok(Ok(_))));
    }
}
