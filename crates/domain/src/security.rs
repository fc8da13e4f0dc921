//! The security baseline's rules (DESIGN §8) as pure functions: lockout after failed
//! logins, idle session expiry, password age, TOTP codes and the audit hash chain.

use crate::password::MAX_AGE_DAYS;
use hmac::{Hmac, Mac};
use sm3::{Digest, Sm3};

/// Failed logins in a row before the account locks.
pub const MAX_FAILURES: i64 = 5;
/// How long a lock lasts.
pub const LOCK_MS: i64 = 10 * 60 * 1000;
/// A session with no request for this long ends.
pub const IDLE_MS: i64 = 30 * 60 * 1000;
const DAY_MS: i64 = 24 * 60 * 60 * 1000;

/// The facts of an account a login decision needs (times in Unix ms).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AccountState {
    pub failed_logins: i64,
    pub locked_until: Option<i64>,
}

/// What happened to a login attempt, before the password is even checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gate {
    Open,
    /// Locked until this instant.
    Locked(i64),
}

pub fn gate(a: AccountState, now: i64) -> Gate {
    match a.locked_until {
        Some(t) if t > now => Gate::Locked(t),
        _ => Gate::Open,
    }
}

/// After a wrong password: the new failure count and, at the limit, the lock's end.
/// A lock that has expired starts a fresh count.
pub fn after_failure(a: AccountState, now: i64) -> AccountState {
    let prior = match a.locked_until {
        Some(t) if t <= now => 0,
        _ => a.failed_logins,
    };
    let n = prior + 1;
    AccountState {
        failed_logins: if n >= MAX_FAILURES { 0 } else { n },
        locked_until: if n >= MAX_FAILURES {
            Some(now + LOCK_MS)
        } else {
            None
        },
    }
}

/// Failed sign-ins from one source (an address) before the source is locked, whatever
/// accounts it tries (password spraying).
pub const SOURCE_MAX_FAILURES: i64 = 20;
/// The longest lock: each new lock under a key lasts twice the last, up to this.
pub const MAX_LOCK_MS: i64 = 24 * 60 * 60 * 1000;

/// Failed sign-ins are counted within this window: older ones are forgotten.
pub const FAILURE_WINDOW_MS: i64 = 15 * 60 * 1000;

/// How long the next lock under a key lasts after `strikes` locks: 10 minutes, doubling
/// with each lock, up to a day. (Strikes are forgotten after a day without attempts.)
pub fn lock_ms(strikes: i64) -> i64 {
    let shift = u32::try_from(strikes.clamp(0, 20)).unwrap_or(20);
    LOCK_MS.saturating_mul(1i64 << shift).min(MAX_LOCK_MS)
}

/// Has a session been idle too long?
pub fn idle_expired(last_seen: i64, now: i64, idle_ms: i64) -> bool {
    now - last_seen >= idle_ms
}

/// Must the password be changed (initial password, or older than 90 days)?
pub fn password_change_due(must_change: bool, changed_at: i64, now: i64) -> bool {
    must_change || now - changed_at >= MAX_AGE_DAYS * DAY_MS
}

/// The RFC 6238 TOTP code (HMAC-SHA1, 30-second steps, 6 digits) at a time step.
pub fn totp_at(secret: &[u8], step: u64) -> u32 {
    let mut mac = Hmac::<sha1::Sha1>::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(&step.to_be_bytes());
    let h = mac.finalize().into_bytes();
    let off = (h[19] & 0x0f) as usize;
    let bin = u32::from_be_bytes([h[off] & 0x7f, h[off + 1], h[off + 2], h[off + 3]]);
    bin % 1_000_000
}

/// Check a 6-digit code at Unix time `now_s`, accepting one step of clock drift either
/// way. Returns the step that matched, so a caller can refuse a code used twice.
pub fn totp_check(secret: &[u8], code: &str, now_s: u64) -> Option<u64> {
    let code = code.trim();
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let want: u32 = code.parse().ok()?;
    let step = now_s / 30;
    [step.saturating_sub(1), step, step + 1]
        .into_iter()
        .find(|&s| totp_at(secret, s) == want)
}

/// Base32 (RFC 4648, no padding), the form authenticator apps take a secret in.
pub fn base32(bytes: &[u8]) -> String {
    data_encoding::BASE32_NOPAD.encode(bytes)
}
pub fn from_base32(s: &str) -> Option<Vec<u8>> {
    data_encoding::BASE32_NOPAD
        .decode(s.trim().to_ascii_uppercase().as_bytes())
        .ok()
}

/// The hash of one audit entry, chained to the previous one: SM3(prev ‖ entry), in hex.
/// `entry` is the entry's canonical text (see the app's audit module).
pub fn chain_hash(prev_hex: &str, entry: &str) -> String {
    let mut h = Sm3::new();
    h.update(prev_hex.as_bytes());
    h.update(b"\n");
    h.update(entry.as_bytes());
    data_encoding::HEXLOWER.encode(&h.finalize())
}

/// The hash before the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

#[cfg(test)]
mod throttle_tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn locks_double_from_ten_minutes_to_a_day() {
        assert_eq!(lock_ms(0), LOCK_MS);
        assert_eq!(lock_ms(1), 2 * LOCK_MS);
        assert_eq!(lock_ms(2), 4 * LOCK_MS);
        assert_eq!(lock_ms(40), MAX_LOCK_MS);
    }

    proptest! {
        #[test]
        fn locks_grow_and_are_bounded(strikes in 0i64..60) {
            let len = lock_ms(strikes);
            prop_assert!((LOCK_MS..=MAX_LOCK_MS).contains(&len));
            prop_assert!(lock_ms(strikes + 1) >= len);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn rfc6238_vectors() {
        // RFC 6238 appendix B, SHA-1, secret "12345678901234567890" (8 digits there; we keep 6).
        let s = b"12345678901234567890";
        assert_eq!(totp_at(s, 59 / 30), 287_082);
        assert_eq!(totp_at(s, 1_111_111_109 / 30), 81_804);
        assert_eq!(totp_at(s, 1_234_567_890 / 30), 5_924);
        assert_eq!(totp_at(s, 2_000_000_000 / 30), 279_037);
        assert_eq!(totp_check(s, "287082", 59), Some(1));
        assert_eq!(
            totp_check(s, "287082", 59 + 30),
            Some(1),
            "one step of drift"
        );
        assert_eq!(totp_check(s, "287082", 59 + 90), None);
        assert_eq!(totp_check(s, "28708", 59), None);
        assert_eq!(totp_check(s, "28708a", 59), None);
    }

    #[test]
    fn sm3_matches_the_standard_example() {
        // GB/T 32905-2016 example 1: SM3("abc").
        let mut h = Sm3::new();
        h.update(b"abc");
        assert_eq!(
            data_encoding::HEXLOWER.encode(&h.finalize()),
            "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
        );
        assert_ne!(chain_hash(GENESIS, "a"), chain_hash(GENESIS, "b"));
        assert_ne!(
            chain_hash(GENESIS, "a"),
            chain_hash(&chain_hash(GENESIS, "x"), "a")
        );
    }

    #[test]
    fn base32_round_trip() {
        let b = [1u8, 2, 3, 250, 99, 0, 7, 8, 9, 10];
        assert_eq!(from_base32(&base32(&b).to_lowercase()).unwrap(), b);
        assert!(from_base32("not base32!").is_none());
    }

    #[test]
    fn lock_after_five_failures_for_ten_minutes() {
        let mut a = AccountState {
            failed_logins: 0,
            locked_until: None,
        };
        for i in 1..MAX_FAILURES {
            a = after_failure(a, 1000);
            assert_eq!((a.failed_logins, gate(a, 1000)), (i, Gate::Open));
        }
        a = after_failure(a, 1000);
        assert_eq!(gate(a, 1000), Gate::Locked(1000 + LOCK_MS));
        assert_eq!(gate(a, 1000 + LOCK_MS - 1), Gate::Locked(1000 + LOCK_MS));
        assert_eq!(gate(a, 1000 + LOCK_MS), Gate::Open);
        // a failure after the lock expired starts counting again from one
        assert_eq!(after_failure(a, 1000 + LOCK_MS).failed_logins, 1);
    }

    #[test]
    fn idle_and_password_age() {
        assert!(!idle_expired(0, IDLE_MS - 1, IDLE_MS));
        assert!(idle_expired(0, IDLE_MS, IDLE_MS));
        assert!(password_change_due(true, 0, 0));
        assert!(!password_change_due(false, 0, 89 * DAY_MS));
        assert!(password_change_due(false, 0, 90 * DAY_MS));
    }

    proptest! {
        /// Whatever the history, an account is never locked for more than ten minutes
        /// from the last failure, and a lock always follows five failures in a row.
        #[test]
        fn lock_is_bounded(gaps in proptest::collection::vec(0i64..(20 * 60 * 1000), 1..30)) {
            let mut a = AccountState { failed_logins: 0, locked_until: None };
            let mut now = 0;
            let mut streak = 0;
            for g in gaps {
                now += g;
                if let Gate::Locked(_) = gate(a, now) { continue; }
                if a.locked_until.is_some_and(|t| t <= now) { streak = 0; }
                a = after_failure(a, now);
                streak += 1;
                if let Some(t) = a.locked_until {
                    prop_assert!(t <= now + LOCK_MS);
                }
                prop_assert_eq!(streak % MAX_FAILURES == 0, a.locked_until == Some(now + LOCK_MS));
            }
        }
    }
}
