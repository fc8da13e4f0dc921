//! Answers kept for a short while, per database: counts that cost a scan at a million
//! rows and are asked for on every page view. A write through this process clears what
//! it may have changed; other instances' writes are seen once the entry's time is up.

use duban_store::Db;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub struct Memo<V> {
    ttl: Duration,
    /// Entries beyond this are dropped, oldest first (filters are many, memory is not).
    cap: usize,
    map: Mutex<HashMap<(u64, String), (Instant, V)>>,
}

impl<V: Clone> Memo<V> {
    pub fn new(ttl: Duration, cap: usize) -> Memo<V> {
        Memo {
            ttl,
            cap,
            map: Mutex::new(HashMap::new()),
        }
    }

    pub fn get(&self, db: &Db, key: &str) -> Option<V> {
        let map = self.map.lock().expect("cache lock");
        map.get(&(db.id(), key.to_string()))
            .filter(|(at, _)| at.elapsed() < self.ttl)
            .map(|(_, v)| v.clone())
    }

    pub fn put(&self, db: &Db, key: String, v: V) {
        let mut map = self.map.lock().expect("cache lock");
        if map.len() >= self.cap {
            map.retain(|_, (at, _)| at.elapsed() < self.ttl);
            while map.len() >= self.cap {
                let oldest = map
                    .iter()
                    .min_by_key(|(_, (at, _))| *at)
                    .map(|(k, _)| k.clone())
                    .expect("not empty");
                map.remove(&oldest);
            }
        }
        map.insert((db.id(), key), (Instant::now(), v));
    }

    /// Forget every entry of a database.
    pub fn clear(&self, db: &Db) {
        self.map
            .lock()
            .expect("cache lock")
            .retain(|(id, _), _| *id != db.id());
    }

    /// The cached value, or `make`'s, which is then kept.
    pub async fn get_or<E>(
        &self,
        db: &Db,
        key: String,
        make: impl AsyncFnOnce() -> Result<V, E>,
    ) -> Result<V, E> {
        if let Some(v) = self.get(db, &key) {
            return Ok(v);
        }
        let v = make().await?;
        self.put(db, key, v.clone());
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
        m.put(&a, "x".into(), 1);
        m.put(&b, "x".into(), 2);
        assert_eq!((m.get(&a, "x"), m.get(&b, "x")), (Some(1), Some(2)));
        m.clear(&a);
        assert_eq!((m.get(&a, "x"), m.get(&b, "x")), (None, Some(2)));
        for (i, k) in ["p", "q", "r", "s"].into_iter().enumerate() {
            m.put(&a, k.into(), i as i64);
        }
        assert_eq!(m.map.lock().unwrap().len(), 3);
        assert_eq!(m.get(&a, "s"), Some(3));
        let calls = std::cell::Cell::new(0);
        let make = async || {
            calls.set(calls.get() + 1);
            Ok::<i64, ()>(9)
        };
        assert_eq!(m.get_or(&a, "n".into(), make).await, Ok(9));
        assert_eq!(
            m.get_or(&a, "n".into(), async || Ok::<i64, ()>(0)).await,
            Ok(9)
        );
        assert_eq!(calls.get(), 1);
        let short: Memo<i64> = Memo::new(Duration::ZERO, 3);
        short.put(&a, "x".into(), 1);
        assert_eq!(short.get(&a, "x"), None);
    }
}
