//! Answers kept for a short while, per database: counts that cost a scan at a million
//! rows and are asked for on every page view. Each answer is kept with the change
//! counter it was computed at (`duban_store::changes`), which every write that may
//! change it bumps in its transaction: a write on any server is seen by the next read on
//! every server. A write through this process also clears its entries at once.

use duban_store::Db;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// An answer: when it was computed, at which change count, and the value.
type Entry<V> = (Instant, i64, V);

pub struct Memo<V> {
    ttl: Duration,
    /// Entries beyond this are dropped, oldest first (filters are many, memory is not).
    cap: usize,
    map: Mutex<HashMap<(u64, String), Entry<V>>>,
}

impl<V: Clone> Memo<V> {
    pub fn new(ttl: Duration, cap: usize) -> Memo<V> {
        Memo {
            ttl,
            cap,
            map: Mutex::new(HashMap::new()),
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

    /// The cached value computed at `version`, or `make`'s, which is then kept.
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
}
