//! Accounts: password hashing (argon2) and user creation.

use crate::AppError;
use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use duban_domain::Role;
use duban_domain::unit::UnitId;
use duban_store::Db;
use duban_store::users::{self, Grant, NewUser};
use rand::Rng;
use rand::rngs::OsRng;

pub fn hash_password(pw: &str) -> Result<String, AppError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(pw.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AppError::Internal(format!("argon2: {e}")))
}

pub fn verify_password(pw: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .is_ok_and(|h| Argon2::default().verify_password(pw.as_bytes(), &h).is_ok())
}

/// A random password that satisfies the policy: 14 characters from four classes,
/// without look-alike characters.
pub fn random_password() -> String {
    const SETS: [&[u8]; 4] = [
        b"abcdefghijkmnpqrstuvwxyz",
        b"ABCDEFGHJKLMNPQRSTUVWXYZ",
        b"23456789",
        b"!@#%+=?",
    ];
    let mut rng = OsRng;
    let mut chars: Vec<u8> = SETS.iter().map(|s| s[rng.gen_range(0..s.len())]).collect();
    let all: Vec<u8> = SETS.concat();
    while chars.len() < 14 {
        chars.push(all[rng.gen_range(0..all.len())]);
    }
    for i in (1..chars.len()).rev() {
        chars.swap(i, rng.gen_range(0..=i));
    }
    String::from_utf8(chars).expect("ascii")
}

/// Create a user with a password that must satisfy the policy.
pub async fn create_user(
    db: &Db,
    username: &str,
    display_name: &str,
    unit_id: UnitId,
    password: &str,
    must_change: bool,
    grants: &[Grant],
) -> Result<i64, AppError> {
    duban_domain::password::check("password", password)?;
    let hash = hash_password(password)?;
    let mut tx = db.write().await?;
    let id = users::insert(
        &mut tx,
        &NewUser {
            username,
            display_name,
            unit_id,
            password_hash: &hash,
            must_change_password: must_change,
            grants,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Set a new password (policy checked); returns false when the user does not exist.
pub async fn set_password(
    db: &Db,
    username: &str,
    password: &str,
    must_change: bool,
) -> Result<bool, AppError> {
    duban_domain::password::check("password", password)?;
    let Some(u) = users::by_username(db, username).await? else {
        return Ok(false);
    };
    let hash = hash_password(password)?;
    let mut tx = db.write().await?;
    users::set_password(&mut tx, u.id, &hash, must_change).await?;
    tx.commit().await?;
    Ok(true)
}

pub fn grant(role: Role, scope: &str) -> Grant {
    Grant {
        role,
        scope: scope.into(),
        scope_units: vec![],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn random_passwords_pass_the_policy_and_verify() {
        for _ in 0..50 {
            let p = random_password();
            assert!(duban_domain::password::check("p", &p).is_ok(), "{p}");
        }
        let p = random_password();
        let h = hash_password(&p).unwrap();
        assert!(verify_password(&p, &h));
        assert!(!verify_password("wrong", &h));
        assert_ne!(random_password(), random_password());
    }
}
