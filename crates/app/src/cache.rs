//! Answers kept per database: counts that cost a scan at a million rows and are asked
//! for on every page view. Each answer is kept with the change counter it was computed
//! at (`duban_store::changes`), which every write that may change it bumps in its
//! transaction: a write on any server is seen by the next read on every server. A write
//! through this process also clears its entries at once.
//!
//! One request computes a missing answer while the others wait for it (no stampede of
//! recounts). When another server's write made the kept answer old, the requests that
//! arrive while it is recomputed get the old one rather than waiting: it was right a
//! moment ago, and the next read has the new one.

use duban_store::Db;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// An answer: when it was computed, at which change count, and the value.
type Entry<V> = (Instant, i64, V);
/// A key: the database and the question.
type Key = (u64, String);
/// The turn to compute a key.
type Turn = Arc<tokio::sync::Mutex<()>>;

pub struct Memo<V> {
    ttl: Duration,
    /// Entries beyond this are dropped, oldest first (filters are many, memory is not).
    cap: usize,
    map: Mutex<HashMap<Key, Entry<V>>>,
    /// One computation at a time per key.
    flights: Mutex<HashMap<Key, Turn>>,
    /// Whether callers may take the last answer while a new one is computed (not for
    /// what decides access: the unit tree).
    serve_stale: bool,
}

impl<V: Clone> Memo<V> {
    pub fn new(ttl: Duration, cap: usize) -> Memo<V> {
        Memo {
            ttl,
            cap,
            map: Mutex::new(HashMap::new()),
            flights: Mutex::new(HashMap::new()),
            serve_stale: true,
        }
    }

    /// A memo whose callers always wait for the answer of the current change count.
    pub fn fresh_only(ttl: Duration, cap: usize) -> Memo<V> {
        Memo {
            serve_stale: false,
            ..Memo::new(ttl, cap)
        }
    }

    /// The entry of `key` computed at `version`, if it is still young.
    pub fn get(&self, db: &Db, key: &str, version: i64) -> Option<V> {
        let map = self.map.lock().expect("cache lock");
        map.get(&(db.id(), key.to_string()))
            .filter(|(at, v, _)| at.elapsed() < self.ttl && *v == version)
            .map(|(_, _, v)| v.clone())
    }

    pub fn put(&self, db: &Db, key: String, version: i64, v: V) {
        let mut map = self.map.lock().expect("cache lock");
        if map.len() >= self.cap {
            map.retain(|_, (at, _, _)| at.elapsed() < self.ttl);
            while map.len() >= self.cap {
                let oldest = map
                    .iter()
                    .min_by_key(|(_, (at, _, _))| *at)
                    .map(|(k, _)| k.clone())
                    .expect("not empty");
                map.remove(&oldest);
            }
        }
        map.insert((db.id(), key), (Instant::now(), version, v));
    }

    /// Forget every entry of a database.
    pub fn clear(&self, db: &Db) {
        self.map
            .lock()
            .expect("cache lock")
            .retain(|(id, _), _| *id != db.id());
    }

    /// The last answer of `key`, however old (another server wrote since, or it
    /// outlived its time): what waiting callers get while it is being recomputed.
    fn stale(&self, db: &Db, key: &str) -> Option<V> {
        let map = self.map.lock().expect("cache lock");
        map.get(&(db.id(), key.to_string()))
            .map(|(_, _, v)| v.clone())
    }

    fn flight(&self, db: &Db, key: &str) -> Turn {
        let mut f = self.flights.lock().expect("flight lock");
        if f.len() > self.cap * 2 {
            f.retain(|_, m| Arc::strong_count(m) > 1);
        }
        f.entry((db.id(), key.to_string())).or_default().clone()
    }

    /// The cached value computed at `version`, or `make`'s, which is then kept. Only one
    /// caller computes a key at a time: the others wait for its answer, or take the
    /// previous answer when there is one (kept from before another server's write).
    pub async fn get_or<E>(
        &self,
        db: &Db,
        key: String,
        version: i64,
        make: impl AsyncFnOnce() -> Result<V, E>,
    ) -> Result<V, E> {
        if let Some(v) = self.get(db, &key, version) {
            return Ok(v);
        }
        let flight = self.flight(db, &key);
        let _turn = match flight.try_lock() {
            Ok(turn) => turn,
            Err(_) => {
                if self.serve_stale
                    && let Some(v) = self.stale(db, &key)
                {
                    return Ok(v);
                }
                let turn = flight.lock().await;
                if let Some(v) = self.get(db, &key, version) {
                    return Ok(v);
                }
                turn
            }
        };
        if let Some(v) = self.get(db, &key, version) {
            return Ok(v);
        }
        let v = make().await?;
        self.put(db, key, version, v.clone());
        Ok(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn entries_expire_are_capped_and_cleared_per_database() {
        let a = Db::connect("sqlite::memory:").await.unwrap();
        let b = Db::connect("sqlite::memory:").await.unwrap();
        let m: Memo<i64> = Memo::new(Duration::from_secs(60), 3);
        m.put(&a, "x".into(), 0, 1);
        m.put(&b, "x".into(), 0, 2);
        assert_eq!((m.get(&a, "x", 0), m.get(&b, "x", 0)), (Some(1), Some(2)));
        m.clear(&a);
        assert_eq!((m.get(&a, "x", 0), m.get(&b, "x", 0)), (None, Some(2)));
        for (i, k) in ["p", "q", "r", "s"].into_iter().enumerate() {
            m.put(&a, k.into(), 0, i as i64);
        }
        assert_eq!(m.map.lock().unwrap().len(), 3);
        assert_eq!(m.get(&a, "s", 0), Some(3));
        // Computed at another change count: not the answer any more.
        assert_eq!(m.get(&a, "s", 1), None);
        let calls = std::cell::Cell::new(0);
        let make = async || {
            calls.set(calls.get() + 1);
            Ok::<i64, ()>(9)
        };
        assert_eq!(m.get_or(&a, "n".into(), 0, make).await, Ok(9));
        assert_eq!(
            m.get_or(&a, "n".into(), 0, async || Ok::<i64, ()>(0)).await,
            Ok(9)
        );
        assert_eq!(calls.get(), 1);
        let short: Memo<i64> = Memo::new(Duration::ZERO, 3);
        short.put(&a, "x".into(), 0, 1);
        assert_eq!(short.get(&a, "x", 0), None);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn one_computes_while_the_others_wait_or_take_the_last_answer() {
        let db = Db::connect("sqlite::memory:").await.unwrap();
        let m: Arc<Memo<i64>> = Arc::new(Memo::new(Duration::from_secs(60), 8));
        let calls = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let ask = |version: i64, answer: i64| {
            let (m, db, calls) = (m.clone(), db.clone(), calls.clone());
            tokio::spawn(async move {
                m.get_or(&db, "k".into(), version, async || {
                    calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    Ok::<i64, ()>(answer)
                })
                .await
            })
        };
        // Twenty at once on an empty cache: one computes, all get its answer.
        let first: Vec<_> = (0..20).map(|_| ask(0, 7)).collect();
        for h in first {
            assert_eq!(h.await.unwrap(), Ok(7));
        }
        assert_eq!(calls.load(std::sync::atomic::Ordering::SeqCst), 1);
        // Another server wrote (version 1): one recomputes; the others, meanwhile, get
        // the last answer instead of waiting.
        let computing = ask(1, 8);
        tokio::time::sleep(Duration::from_millis(20)).await;
        let meanwhile: Vec<_> = (0..10).map(|_| ask(1, 9)).collect();
        for h in meanwhile {
            assert_eq!(h.await.unwrap(), Ok(7));
        }
        assert_eq!(computing.await.unwrap(), Ok(8));
        assert_eq!(ask(1, 9).await.unwrap(), Ok(8));
        assert_eq!(calls.load(std::sync::atomic::Ordering::SeqCst), 2);
    }
}
