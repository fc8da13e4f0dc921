//! Secrets kept in the database sealed under a key that is not in it (`secret.key` beside
//! the data, or `DUBAN_SECRET_KEY`): channels' credentials and the second factor's
//! secrets. A copy of the database or of a backup does not give them away.

use crate::AppError;
use duban_outbound::Sealer;
use std::sync::OnceLock;

static SEALER: OnceLock<Sealer> = OnceLock::new();

/// The key, installed once when the server or a console command starts (a second install
/// keeps the first).
pub fn install_key(s: Sealer) {
    let _ = SEALER.set(s);
}

pub(crate) fn sealer() -> Result<&'static Sealer, AppError> {
    SEALER.get().ok_or_else(|| {
        AppError::Config(
            "no secret key is installed for sealed secrets (secret.key in the data directory or DUBAN_SECRET_KEY)".into(),
        )
    })
}

/// Seal a short text for storage.
pub(crate) fn seal_text(plain: &str) -> Result<String, AppError> {
    Ok(sealer()?.seal(plain.as_bytes()))
}

/// Open a stored text: sealed (`v1:…`) with the key; a value stored before sealing began
/// is returned as it is.
pub(crate) fn open_text(stored: &str) -> Option<String> {
    if stored.starts_with("v1:") {
        let plain = sealer().ok()?.open(stored).ok()?;
        String::from_utf8(plain).ok()
    } else {
        Some(stored.to_string())
    }
}

/// The key that signs the audit chain's anchors.
pub(crate) fn anchor_key() -> Result<Vec<u8>, AppError> {
    Ok(sealer()?.derive("duban audit anchor"))
}

/// A keyed digest (HMAC-SHA256 under a key derived for `label`): what is stored of a
/// one-time secret, so that a copy of the database cannot be searched for it offline.
pub(crate) fn keyed_digest(label: &str, data: &str) -> Result<String, AppError> {
    use hmac::{Hmac, Mac};
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(&sealer()?.derive(label))
        .expect("HMAC takes any key length");
    mac.update(data.as_bytes());
    Ok(data_encoding::HEXLOWER.encode(&mac.finalize().into_bytes()))
}
