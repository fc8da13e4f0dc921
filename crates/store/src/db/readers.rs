//! Reads on SQLite outside a transaction, on connections of their own that answer on the
//! calling thread.
//!
//! sqlx runs each SQLite connection on a worker thread and hands every row across a
//! channel: a wake-up of the other thread per row. Measured at 100,000 projects, the
//! lookups of an import's rows spent about 30 µs a row that way, 4–5 times what the same
//! statements cost read in place (most of it the kernel waking threads and the per-row
//! copies). These connections read the rows where they are, with the same statements.
//!
//! They only read: each is opened with `query_only`, so a statement that writes fails
//! instead of bypassing the turn to write. Writes, and reads inside a transaction (which
//! must see its own writes), stay on the pool.

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

/// Idle connections kept for the next read; more are opened under load and closed after.
const KEEP: usize = 8;

#[derive(Debug)]
pub(super) struct Readers {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
    /// Which value each parameter of a statement takes, by statement text. (SQLite finds
    /// a parameter's name by walking the list of names: asking for each of a long `IN`
    /// list's names on every run cost more than the lookups themselves.)
    slots: Mutex<HashMap<String, Arc<[usize]>>>,
}

/// Statement texts whose parameters are remembered, at most.
const SLOTS: usize = 4096;

/// Whether a statement only reads (and may go to a reader).
pub(super) fn reads_only(sql: &str) -> bool {
    let head = sql.trim_start();
    ["SELECT", "WITH"].iter().any(|v| {
        head.get(..v.len())
            .is_some_and(|h| h.eq_ignore_ascii_case(v))
    })
}

fn err(e: rusqlite::Error) -> StoreError {
    StoreError::Read(e.to_string())
}

impl Readers {
    pub(super) fn new(path: PathBuf) -> Readers {
        Readers {
            path,
            idle: Mutex::new(Vec::new()),
            slots: Mutex::new(HashMap::new()),
        }
    }

    fn open(&self) -> Result<Connection, StoreError> {
        let c = Connection::open_with_flags(
            &self.path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(err)?;
        c.busy_timeout(Duration::from_secs(10)).map_err(err)?;
        c.execute_batch("PRAGMA query_only = ON; PRAGMA cache_size = -65536;")
            .map_err(err)?;
        c.set_prepared_statement_cache_capacity(64);
        Ok(c)
    }

    /// Close the idle connections (the pool is closing).
    pub(super) fn close(&self) {
        self.idle.lock().unwrap_or_else(|p| p.into_inner()).clear();
    }

    /// Run `sql` and give each row to `f` until it returns `false` or the rows end.
    pub(super) fn each(
        &self,
        sql: &str,
        params: &[Val],
        f: &mut dyn FnMut(&dyn Cols) -> Result<bool, StoreError>,
    ) -> Result<(), StoreError> {
        let idle = self.idle.lock().unwrap_or_else(|p| p.into_inner()).pop();
        let conn = match idle {
            Some(c) => c,
            None => self.open()?,
        };
        let out = self.run(&conn, sql, params, f);
        let mut idle = self.idle.lock().unwrap_or_else(|p| p.into_inner());
        if idle.len() < KEEP {
            idle.push(conn);
        }
        out
    }

    /// `$n` names the n-th value wherever it stands, as on the pool: the value of each
    /// parameter of the statement, in the statement's order.
    fn slots(&self, stmt: &rusqlite::Statement, sql: &str) -> Result<Arc<[usize]>, StoreError> {
        let mut slots = self.slots.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(s) = slots.get(sql) {
            return Ok(s.clone());
        }
        let found = (1..=stmt.parameter_count())
            .map(|i| {
                stmt.parameter_name(i)
                    .and_then(|name| name.strip_prefix('$'))
                    .and_then(|n| n.parse::<usize>().ok())
                    .filter(|&n| n >= 1)
                    .ok_or_else(|| StoreError::Read(format!("parameter {i} is not $n: {sql}")))
            })
            .collect::<Result<Arc<[usize]>, _>>()?;
        if slots.len() >= SLOTS {
            slots.clear();
        }
        slots.insert(sql.to_string(), found.clone());
        Ok(found)
    }

    fn run(
        &self,
        conn: &Connection,
        sql: &str,
        params: &[Val],
        f: &mut dyn FnMut(&dyn Cols) -> Result<bool, StoreError>,
    ) -> Result<(), StoreError> {
        let mut stmt = conn.prepare_cached(sql).map_err(err)?;
        for (i, &n) in self.slots(&stmt, sql)?.iter().enumerate() {
            let v = params.get(n - 1).ok_or_else(|| {
                StoreError::Read(format!("${n} has no value ({} given): {sql}", params.len()))
            })?;
            stmt.raw_bind_parameter(i + 1, value(v)).map_err(err)?;
        }
        rows(stmt, f)
    }
}

fn rows(
    mut stmt: rusqlite::CachedStatement<'_>,
    f: &mut dyn FnMut(&dyn Cols) -> Result<bool, StoreError>,
) -> Result<(), StoreError> {
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
    Ok(())
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
            .ok_or_else(|| StoreError::Read(format!("no column {col} in the result")))?;
        self.next.set(i + 1);
        self.row
            .get(i)
            .map_err(|e| StoreError::Read(format!("column {col}: {e}")))
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
    fn a_reader_refuses_to_write() {
        let path =
            std::env::temp_dir().join(format!("duban_readers_{}.sqlite", std::process::id()));
        let _ = std::fs::remove_file(&path);
        let c = Connection::open(&path).unwrap();
        c.execute_batch(
            "PRAGMA journal_mode = WAL; CREATE TABLE t (a INTEGER); INSERT INTO t VALUES (1);",
        )
        .unwrap();
        let r = Readers::new(path.clone());
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
}
