//! The audit log's entries and the rule that makes them tamper-evident: each entry's
//! hash is SM3 over the previous hash and the entry's canonical text, so editing,
//! deleting or reordering any entry breaks every hash after it.

use crate::security::{GENESIS, chain_hash};
use serde::Serialize;

/// One audited event (DESIGN §3 AuditEvent): who, when, from where, action, object,
/// before/after, outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditEntry {
    /// Position in the chain, from 1, without gaps.
    pub seq: i64,
    /// Unix milliseconds, UTC.
    pub at: i64,
    pub actor_id: Option<i64>,
    /// The login name (kept even if the user is later renamed or archived).
    pub actor: String,
    pub ip: String,
    /// e.g. `login`, `report.approve`, `project.update`.
    pub action: String,
    pub object_type: String,
    pub object_id: String,
    /// JSON text of the object before and after (empty when not applicable).
    pub before: String,
    pub after: String,
    /// `ok`, `failed`, `denied`, `locked`.
    pub outcome: String,
    pub hash: String,
}

impl AuditEntry {
    /// The canonical text the hash covers: every field but the hash, unambiguously
    /// separated (JSON-escaped strings, one per line).
    pub fn canonical(&self) -> String {
        let q = |s: &str| serde_json::to_string(s).unwrap_or_default();
        format!(
            "{}\n{}\n{}\n{}\n{}\n{}\n{}\n{}\n{}\n{}\n{}",
            self.seq,
            self.at,
            self.actor_id.map(|i| i.to_string()).unwrap_or_default(),
            q(&self.actor),
            q(&self.ip),
            q(&self.action),
            q(&self.object_type),
            q(&self.object_id),
            q(&self.before),
            q(&self.after),
            q(&self.outcome),
        )
    }

    /// Fill in the hash, chained to `prev`.
    pub fn seal(mut self, prev: &str) -> AuditEntry {
        self.hash = chain_hash(prev, &self.canonical());
        self
    }
}

/// What `audit verify` found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ChainBreak {
    /// An entry's hash does not match its content and predecessor: edited.
    Altered { seq: i64 },
    /// A number is missing: an entry was deleted (or the table reordered).
    Gap { expected: i64, found: i64 },
    /// The head says more entries were written than remain: the newest were deleted.
    Truncated { head: i64, last: i64 },
    /// The head's hash differs from the last entry's.
    HeadMismatch { seq: i64 },
    /// The entry an anchor vouched for is gone or has another hash: the chain was
    /// rewritten after the anchor (edited and its hashes recomputed, or cut short).
    AnchorMismatch { seq: i64, anchored_at: i64 },
    /// A line of the anchor file does not carry a valid signature.
    ForgedAnchor { line: usize },
}

/// The chain's head at an instant, signed with HMAC-SM3 under a key that is not in the
/// database, and kept somewhere the database's administrator cannot rewrite (an
/// append-only file, syslog): whoever rewrites the chain consistently in the database
/// still cannot make its hashes match the anchors.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Anchor {
    pub seq: i64,
    pub hash: String,
    pub at: i64,
}

fn anchor_mac(key: &[u8], a: &Anchor) -> String {
    use hmac::Mac;
    let mut m = hmac::Hmac::<sm3::Sm3>::new_from_slice(key).expect("HMAC takes any key length");
    m.update(format!("duban-audit-anchor\n{}\n{}\n{}", a.seq, a.hash, a.at).as_bytes());
    data_encoding::HEXLOWER.encode(&m.finalize().into_bytes())
}

impl Anchor {
    /// The anchor as one line: `at seq hash mac`.
    pub fn line(&self, key: &[u8]) -> String {
        format!(
            "{} {} {} {}",
            self.at,
            self.seq,
            self.hash,
            anchor_mac(key, self)
        )
    }

    /// Read a line back; `None` when it is not an anchor signed with this key.
    pub fn parse(line: &str, key: &[u8]) -> Option<Anchor> {
        let mut f = line.split_whitespace();
        let a = Anchor {
            at: f.next()?.parse().ok()?,
            seq: f.next()?.parse().ok()?,
            hash: f.next()?.to_string(),
        };
        let mac = f.next()?;
        (f.next().is_none() && anchor_mac(key, &a) == mac).then_some(a)
    }
}

/// Incremental verifier: feed entries in `seq` order, then `finish` with the head.
#[derive(Debug, Clone)]
pub struct Verifier {
    prev: String,
    next_seq: i64,
    pub checked: i64,
}

impl Default for Verifier {
    fn default() -> Self {
        Verifier {
            prev: GENESIS.to_string(),
            next_seq: 1,
            checked: 0,
        }
    }
}

impl Verifier {
    pub fn feed(&mut self, e: &AuditEntry) -> Result<(), ChainBreak> {
        if e.seq != self.next_seq {
            return Err(ChainBreak::Gap {
                expected: self.next_seq,
                found: e.seq,
            });
        }
        if chain_hash(&self.prev, &e.canonical()) != e.hash {
            return Err(ChainBreak::Altered { seq: e.seq });
        }
        self.prev = e.hash.clone();
        self.next_seq += 1;
        self.checked += 1;
        Ok(())
    }

    pub fn finish(&self, head_seq: i64, head_hash: &str) -> Result<(), ChainBreak> {
        let last = self.next_seq - 1;
        if head_seq != last {
            return Err(ChainBreak::Truncated {
                head: head_seq,
                last,
            });
        }
        if head_hash != self.prev {
            return Err(ChainBreak::HeadMismatch { seq: last });
        }
        Ok(())
    }
}

#[cfg(test)]
mod anchor_tests {
    use super::*;

    #[test]
    fn an_anchor_reads_back_only_with_its_key_and_unchanged() {
        let a = Anchor {
            seq: 42,
            hash: "ab".repeat(32),
            at: 1_700_000_000_000,
        };
        let line = a.line(b"key-1");
        assert_eq!(Anchor::parse(&line, b"key-1"), Some(a.clone()));
        assert_eq!(Anchor::parse(&line, b"key-2"), None);
        let moved = line.replacen(" 42 ", " 41 ", 1);
        assert_eq!(Anchor::parse(&moved, b"key-1"), None);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn entry(seq: i64, action: &str) -> AuditEntry {
        AuditEntry {
            seq,
            at: 1_700_000_000_000 + seq,
            actor_id: Some(1),
            actor: "张三".into(),
            ip: "127.0.0.1".into(),
            action: action.into(),
            object_type: "report".into(),
            object_id: seq.to_string(),
            before: String::new(),
            after: "{\"a\":1}".into(),
            outcome: "ok".into(),
            hash: String::new(),
        }
    }

    fn chain(n: i64) -> Vec<AuditEntry> {
        let mut prev = GENESIS.to_string();
        (1..=n)
            .map(|i| {
                let e = entry(i, "report.submit").seal(&prev);
                prev = e.hash.clone();
                e
            })
            .collect()
    }

    fn verify(es: &[AuditEntry], head: (i64, &str)) -> Result<i64, ChainBreak> {
        let mut v = Verifier::default();
        for e in es {
            v.feed(e)?;
        }
        v.finish(head.0, head.1)?;
        Ok(v.checked)
    }

    #[test]
    fn canonical_text_is_unambiguous() {
        let mut a = entry(1, "x");
        a.actor = "a\nb".into();
        let mut b = entry(1, "x");
        b.actor = "a".into();
        b.ip = "b".into();
        assert_ne!(a.canonical(), b.canonical());
    }

    proptest! {
        /// Any single edit, deletion or swap is detected; the untouched chain verifies.
        #[test]
        fn tampering_is_detected(n in 1i64..20, k in 0usize..20, how in 0u8..4) {
            let es = chain(n);
            let head = es.last().unwrap().hash.clone();
            prop_assert_eq!(verify(&es, (n, &head)), Ok(n));
            let k = k % es.len();
            let mut t = es.clone();
            match how {
                0 => t[k].after = "{\"a\":2}".into(),
                1 => { t.remove(k); }
                2 => t[k].at += 1,
                _ => {
                    if t.len() < 2 { t[k].outcome = "failed".into(); }
                    else { let j = (k + 1) % t.len(); t.swap(k, j); }
                }
            }
            prop_assert!(verify(&t, (n, &head)).is_err());
        }
    }
}
