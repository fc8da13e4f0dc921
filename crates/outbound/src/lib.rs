//! The edge where duban's messages leave for the outside world. One [`Channel`] trait with
//! an implementation per way of travelling: SMTP for email (`lettre`), and HTTP for the
//! 企业微信 and 钉钉 robots, the signed webhook and the SMS providers (`reqwest`), whose
//! requests and the meaning of whose answers are built in `duban_domain::channel`.
//! And the [`Sealer`] that keeps channels' credentials unreadable in the database and its
//! backups.
#![forbid(unsafe_code)]

pub mod oidc;

use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use duban_domain::channel::{
    ChannelConfig, Outgoing, SmtpSecurity, Verdict, http_request, verdict,
};
use std::future::Future;
use std::path::Path;
use std::pin::Pin;
use std::time::{Duration, Instant};

/// What went wrong with the seal.
#[derive(Debug, thiserror::Error)]
pub enum SealError {
    #[error(
        "the channel's credentials cannot be opened with this server's key: enter them again (密钥不符，请重新填写渠道凭据)"
    )]
    WrongKey,
    #[error("the secret key {0}: {1}")]
    Key(String, String),
}

/// Seals and opens credentials with ChaCha20-Poly1305 under a 32-byte key kept outside the
/// database (a file beside the data, or the environment), so that a copy of the database
/// or of a backup does not give the robots' keys and the SMS provider's secret away.
#[derive(Clone)]
pub struct Sealer {
    cipher: ChaCha20Poly1305,
    key: [u8; 32],
}

impl std::fmt::Debug for Sealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Sealer(…)")
    }
}

const SEALED_PREFIX: &str = "v1:";

impl Sealer {
    pub fn new(key: [u8; 32]) -> Sealer {
        Sealer {
            cipher: ChaCha20Poly1305::new(Key::from_slice(&key)),
            key,
        }
    }

    /// A key for another use, derived from this one (HMAC-SHA256 over its label), so that
    /// one secret outside the database serves every purpose without reuse.
    pub fn derive(&self, label: &str) -> Vec<u8> {
        use hmac::Mac;
        let mut m = <hmac::Hmac<sha2::Sha256> as Mac>::new_from_slice(&self.key)
            .expect("HMAC takes any key length");
        m.update(label.as_bytes());
        m.finalize().into_bytes().to_vec()
    }

    /// The key from `DUBAN_SECRET_KEY` (base64 of 32 bytes) when set, else from the file
    /// (base64), made with a fresh random key readable by its owner only when absent.
    /// Several servers on one database must share the key: give them the same file or
    /// variable.
    pub fn from_env_or_file(file: &Path) -> Result<Sealer, SealError> {
        let text = match std::env::var("DUBAN_SECRET_KEY") {
            Ok(v) if !v.trim().is_empty() => v,
            _ => {
                if !file.exists() {
                    let key: [u8; 32] = rand::random();
                    write_private(file, &data_encoding::BASE64.encode(&key))
                        .map_err(|e| SealError::Key(file.display().to_string(), e.to_string()))?;
                }
                std::fs::read_to_string(file)
                    .map_err(|e| SealError::Key(file.display().to_string(), e.to_string()))?
            }
        };
        let bytes = data_encoding::BASE64
            .decode(text.trim().as_bytes())
            .map_err(|e| SealError::Key("is not base64".into(), e.to_string()))?;
        let key: [u8; 32] = bytes
            .try_into()
            .map_err(|_| SealError::Key("length".into(), "must be 32 bytes".into()))?;
        Ok(Sealer::new(key))
    }

    pub fn seal(&self, plain: &[u8]) -> String {
        let nonce: [u8; 12] = rand::random();
        let sealed = self
            .cipher
            .encrypt(Nonce::from_slice(&nonce), plain)
            .expect("ChaCha20-Poly1305 seals any length we store");
        let mut all = nonce.to_vec();
        all.extend_from_slice(&sealed);
        format!("{SEALED_PREFIX}{}", data_encoding::BASE64.encode(&all))
    }

    pub fn open(&self, sealed: &str) -> Result<Vec<u8>, SealError> {
        let body = sealed
            .strip_prefix(SEALED_PREFIX)
            .ok_or(SealError::WrongKey)?;
        let all = data_encoding::BASE64
            .decode(body.as_bytes())
            .map_err(|_| SealError::WrongKey)?;
        if all.len() < 12 {
            return Err(SealError::WrongKey);
        }
        let (nonce, data) = all.split_at(12);
        self.cipher
            .decrypt(Nonce::from_slice(nonce), data)
            .map_err(|_| SealError::WrongKey)
    }
}

/// Write a new key file, readable by its owner only, atomically: several servers starting
/// at once on shared storage all end up reading the one key that won.
fn write_private(file: &Path, text: &str) -> std::io::Result<()> {
    if let Some(dir) = file.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let tmp = file.with_extension(format!(
        "tmp{}-{:x}",
        std::process::id(),
        rand::random::<u64>()
    ));
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600);
    }
    {
        use std::io::Write;
        let mut f = o.open(&tmp)?;
        f.write_all(text.as_bytes())?;
        f.sync_all()?;
    }
    // A hard link does not replace an existing file: the first server's key stays.
    let linked = std::fs::hard_link(&tmp, file);
    let _ = std::fs::remove_file(&tmp);
    match linked {
        Err(e) if e.kind() != std::io::ErrorKind::AlreadyExists => Err(e),
        _ => Ok(()),
    }
}

/// One attempt's result: what it means and what to write in the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempted {
    pub verdict: Verdict,
    pub detail: String,
    pub ms: i64,
}

pub type Sending<'a> = Pin<Box<dyn Future<Output = Attempted> + Send + 'a>>;

/// A way for a message to travel.
pub trait Channel: Send + Sync {
    /// Send once; never panics, never waits longer than its timeouts.
    fn send<'a>(&'a self, out: &'a Outgoing) -> Sending<'a>;
}

/// The channel for a configuration.
pub fn open(cfg: ChannelConfig) -> Box<dyn Channel> {
    match cfg {
        ChannelConfig::Email { .. } => Box::new(Email { cfg }),
        _ => Box::new(Http { cfg }),
    }
}

fn client() -> &'static reqwest::Client {
    static CLIENT: std::sync::OnceLock<reqwest::Client> = std::sync::OnceLock::new();
    CLIENT.get_or_init(|| {
        reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(15))
            // A robot's address does not move; following redirects would let a changed
            // answer send our signed messages elsewhere.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("duban/", env!("CARGO_PKG_VERSION")))
            .build()
            .expect("an HTTP client with TLS")
    })
}

fn elapsed(t: Instant) -> i64 {
    i64::try_from(t.elapsed().as_millis()).unwrap_or(i64::MAX)
}

struct Http {
    cfg: ChannelConfig,
}

impl Channel for Http {
    fn send<'a>(&'a self, out: &'a Outgoing) -> Sending<'a> {
        Box::pin(async move {
            let t = Instant::now();
            let now_ms = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(0));
            let nonce = data_encoding::HEXLOWER.encode(&rand::random::<[u8; 16]>());
            let Some(req) = http_request(&self.cfg, out, now_ms, &nonce) else {
                return Attempted {
                    verdict: Verdict::Refused {
                        reason: "not an HTTP channel".into(),
                    },
                    detail: String::new(),
                    ms: 0,
                };
            };
            let mut r = client().post(&req.url).body(req.body.clone());
            for (k, v) in &req.headers {
                r = r.header(k, v);
            }
            let provider = match &self.cfg {
                ChannelConfig::Sms { provider, .. } => Some(*provider),
                _ => None,
            };
            match r.send().await {
                Ok(resp) => {
                    let status = resp.status().as_u16();
                    let retry_after = resp
                        .headers()
                        .get("retry-after")
                        .and_then(|v| v.to_str().ok())
                        .and_then(|v| v.trim().parse::<u64>().ok());
                    let body = resp.bytes().await.unwrap_or_default();
                    let v = verdict(self.cfg.kind(), provider, status, retry_after, &body);
                    let shown: String = String::from_utf8_lossy(&body).chars().take(200).collect();
                    Attempted {
                        verdict: v,
                        detail: format!("HTTP {status} {shown}"),
                        ms: elapsed(t),
                    }
                }
                Err(e) => {
                    // Nothing reached the provider, or its answer was lost: try again.
                    let reason = without_secrets(&e.to_string());
                    Attempted {
                        verdict: Verdict::Retry {
                            after_s: None,
                            reason: reason.clone(),
                        },
                        detail: reason,
                        ms: elapsed(t),
                    }
                }
            }
        })
    }
}

/// An error's text without the query of any address in it (a robot's key is there).
fn without_secrets(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut in_query = false;
    for c in s.chars() {
        if c == '?' {
            in_query = true;
            out.push_str("?…");
            continue;
        }
        if in_query && (c == ' ' || c == ')' || c == ':') {
            in_query = false;
        }
        if !in_query {
            out.push(c);
        }
    }
    out
}

struct Email {
    cfg: ChannelConfig,
}

impl Channel for Email {
    fn send<'a>(&'a self, out: &'a Outgoing) -> Sending<'a> {
        Box::pin(async move {
            let t = Instant::now();
            let result = send_mail(&self.cfg, out).await;
            match result {
                Ok(detail) => Attempted {
                    verdict: Verdict::Delivered,
                    detail,
                    ms: elapsed(t),
                },
                Err((permanent, reason)) => Attempted {
                    verdict: if permanent {
                        Verdict::Refused {
                            reason: reason.clone(),
                        }
                    } else {
                        Verdict::Retry {
                            after_s: None,
                            reason: reason.clone(),
                        }
                    },
                    detail: reason,
                    ms: elapsed(t),
                },
            }
        })
    }
}

async fn send_mail(cfg: &ChannelConfig, out: &Outgoing) -> Result<String, (bool, String)> {
    use lettre::message::{Mailbox, header::ContentType};
    use lettre::transport::smtp::authentication::Credentials;
    use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
    let ChannelConfig::Email {
        host,
        port,
        security,
        username,
        password,
        from,
    } = cfg
    else {
        return Err((true, "not an email channel".into()));
    };
    let from: Mailbox = from
        .parse()
        .map_err(|e| (true, format!("sender '{from}': {e}")))?;
    let mut b = Message::builder()
        .from(from)
        .subject(out.title.clone())
        // The same message id on every attempt: receivers that keep ids drop a repeat.
        .message_id(Some(format!(
            "<{}@duban>",
            out.key.replace(['<', '>', '@'], "-")
        )));
    if out.to.is_empty() {
        return Err((true, "no address".into()));
    }
    for to in &out.to {
        let mb: Mailbox = to
            .parse()
            .map_err(|e| (true, format!("address '{to}': {e}")))?;
        b = b.to(mb);
    }
    let msg = b
        .header(ContentType::TEXT_PLAIN)
        .body(out.text.clone())
        .map_err(|e| (true, e.to_string()))?;
    let builder = match security {
        SmtpSecurity::None => {
            AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host.as_str())
        }
        SmtpSecurity::Tls => {
            AsyncSmtpTransport::<Tokio1Executor>::relay(host).map_err(|e| (true, e.to_string()))?
        }
        SmtpSecurity::Starttls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(host)
            .map_err(|e| (true, e.to_string()))?,
    };
    let mut builder = builder.port(*port).timeout(Some(Duration::from_secs(15)));
    if !username.is_empty() {
        builder = builder.credentials(Credentials::new(username.clone(), password.clone()));
    }
    let transport = builder.build();
    match transport.send(msg).await {
        Ok(r) => Ok(format!(
            "SMTP {} {}",
            r.code(),
            r.message().collect::<Vec<_>>().join(" ")
        )),
        Err(e) => Err((e.is_permanent(), format!("SMTP {e}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_seal_opens_with_its_key_only() {
        let a = Sealer::new([7; 32]);
        let s = a.seal(b"SECsecret");
        assert!(!s.contains("SECsecret"));
        assert_eq!(a.open(&s).unwrap(), b"SECsecret");
        assert!(Sealer::new([8; 32]).open(&s).is_err());
        // Two seals of the same text differ (a fresh nonce each time).
        assert_ne!(a.seal(b"x"), a.seal(b"x"));
    }

    #[test]
    fn servers_starting_together_share_one_key() {
        let dir = std::env::temp_dir().join(format!("duban-key-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let file = dir.join("secret.key");
        let sealed: Vec<String> = std::thread::scope(|s| {
            let hs: Vec<_> = (0..4)
                .map(|_| s.spawn(|| Sealer::from_env_or_file(&file).unwrap().seal(b"x")))
                .collect();
            hs.into_iter().map(|h| h.join().unwrap()).collect()
        });
        let one = Sealer::from_env_or_file(&file).unwrap();
        assert!(sealed.iter().all(|x| one.open(x).unwrap() == b"x"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&file).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn errors_do_not_show_a_robots_key() {
        assert_eq!(
            without_secrets(
                "error sending request for url (https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc): timed out"
            ),
            "error sending request for url (https://qyapi.weixin.qq.com/cgi-bin/webhook/send?…): timed out"
        );
    }
}
