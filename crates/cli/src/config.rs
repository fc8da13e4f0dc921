//! Configuration: command-line flags, then `DUBAN_*` environment variables, then
//! `duban.toml`, then defaults — the first that sets a value wins.

use anyhow::{Context, bail};
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// The keys `duban.toml` may hold. Unknown keys are an error, so a typo is not silently ignored.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub database_url: Option<String>,
    pub data_dir: Option<PathBuf>,
    pub listen: Option<String>,
    pub log: Option<String>,
    /// text (default) or json
    pub log_format: Option<String>,
    /// When set, /metrics answers only a bearer of this token.
    pub metrics_token: Option<String>,
    /// Mark the session cookie `Secure` (set when duban is reached over HTTPS).
    pub secure_cookies: Option<bool>,
    /// The reverse proxies in front of duban: from them the client's address is read from
    /// X-Forwarded-For (default: 127.0.0.1 and ::1, a proxy on the same machine).
    pub trusted_proxies: Option<Vec<String>>,
    /// Scheduled backups: the folder, how often (30m, 6h, 1d), how many to keep.
    pub backup_dir: Option<PathBuf>,
    pub backup_every: Option<String>,
    pub backup_keep: Option<usize>,
    /// Sign-in through the office's identity platform (统一身份认证), OpenID Connect.
    pub oidc: Option<OidcFile>,
}

/// `[oidc]` in `duban.toml`. The client secret may come from `DUBAN_OIDC_CLIENT_SECRET`
/// instead, to keep it out of the file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OidcFile {
    /// The platform's issuer, exactly as its discovery document names it.
    pub issuer: String,
    pub client_id: String,
    pub client_secret: Option<String>,
    /// duban's callback as registered at the platform:
    /// `https://<duban's address>/api/v1/auth/sso/callback`.
    pub redirect_url: String,
    /// The claim holding the duban user name on first sign-in (default
    /// `preferred_username`).
    pub username_claim: Option<String>,
    /// Scopes asked for (default `openid profile`).
    pub scopes: Option<String>,
    /// The sign-in page's button (default 统一身份认证登录).
    pub label: Option<String>,
}

impl OidcFile {
    /// The relying party this configuration describes, checked.
    pub fn client(&self) -> anyhow::Result<duban_app::sso::Sso> {
        let secret = std::env::var("DUBAN_OIDC_CLIENT_SECRET")
            .ok()
            .or_else(|| self.client_secret.clone())
            .unwrap_or_default();
        let cfg = duban_outbound::oidc::OidcConfig {
            issuer: self.issuer.clone(),
            client_id: self.client_id.clone(),
            client_secret: secret,
            redirect_url: self.redirect_url.clone(),
            username_claim: self
                .username_claim
                .clone()
                .unwrap_or_else(|| "preferred_username".into()),
            scopes: self
                .scopes
                .clone()
                .unwrap_or_else(|| "openid profile".into()),
        };
        Ok(duban_app::sso::Sso {
            client: duban_outbound::oidc::OidcClient::new(cfg)
                .map_err(|e| anyhow::anyhow!("[oidc] in the configuration: {e}"))?,
            label: self
                .label
                .clone()
                .unwrap_or_else(|| "统一身份认证登录".into()),
        })
    }
}

/// The backup schedule, when a folder is set: every day and 14 kept unless told.
pub fn schedule(
    dir: Option<PathBuf>,
    every: Option<String>,
    keep: Option<usize>,
) -> anyhow::Result<Option<duban_app::backup::Schedule>> {
    let Some(dir) = dir else {
        if every.is_some() || keep.is_some() {
            bail!("backup_every and backup_keep need backup_dir: where should backups go?");
        }
        return Ok(None);
    };
    let every_ms = duban_app::backup::Schedule::every(every.as_deref().unwrap_or("1d"))
        .map_err(anyhow::Error::msg)?;
    let keep = keep.unwrap_or(14);
    if keep == 0 {
        bail!("backup_keep must be at least 1");
    }
    Ok(Some(duban_app::backup::Schedule {
        dir,
        every_ms,
        keep,
    }))
}

impl FileConfig {
    /// Read `path`; a missing file is fine only when it was not asked for explicitly.
    pub fn load(path: &Path, explicit: bool) -> anyhow::Result<FileConfig> {
        match std::fs::read_to_string(path) {
            Ok(text) => toml::from_str(&text)
                .with_context(|| format!("configuration file {} is not valid", path.display())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !explicit => {
                Ok(FileConfig::default())
            }
            Err(e) => bail!("cannot read configuration file {}: {e}", path.display()),
        }
    }
}

/// Settings after flags, environment, file and defaults are merged.
pub struct Settings {
    pub db: String,
    pub data_dir: PathBuf,
    pub listen: String,
    pub secure_cookies: bool,
    pub metrics_token: Option<String>,
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// The identity platform people sign in through, when configured.
    pub sso: Option<std::sync::Arc<duban_app::sso::Sso>>,
}

/// What the command line (flags and `DUBAN_*` variables) set.
pub struct Flags {
    pub db: Option<String>,
    pub data_dir: Option<PathBuf>,
    pub listen: Option<String>,
    pub secure_cookies: Option<bool>,
    pub metrics_token: Option<String>,
    pub trusted_proxies: Option<Vec<String>>,
    /// `duban demo` keeps its database apart from a real one.
    pub demo: bool,
}

impl Settings {
    /// The first of flags, the file and the defaults that sets each value.
    pub fn merge(flags: Flags, file: &FileConfig) -> anyhow::Result<Settings> {
        let data_dir = flags
            .data_dir
            .or_else(|| file.data_dir.clone())
            .unwrap_or_else(|| PathBuf::from("data"));
        let default_db = if flags.demo {
            "demo.sqlite"
        } else {
            "duban.sqlite"
        };
        let db = flags
            .db
            .or_else(|| file.database_url.clone())
            .unwrap_or_else(|| format!("sqlite://{}", data_dir.join(default_db).display()));
        let listen = flags
            .listen
            .or_else(|| file.listen.clone())
            .unwrap_or_else(|| "127.0.0.1:8080".into());
        let proxies = flags
            .trusted_proxies
            .or_else(|| file.trusted_proxies.clone())
            .unwrap_or_else(|| vec!["127.0.0.1".into(), "::1".into()]);
        let trusted_proxies = proxies
            .iter()
            .map(|p| p.trim())
            .filter(|p| !p.is_empty())
            .map(|p| {
                p.parse()
                    .with_context(|| format!("trusted_proxies: '{p}' is not an IP address"))
            })
            .collect::<anyhow::Result<Vec<std::net::IpAddr>>>()?;
        let sso = match &file.oidc {
            Some(o) => Some(std::sync::Arc::new(o.client()?)),
            None => None,
        };
        Ok(Settings {
            db,
            data_dir,
            listen,
            trusted_proxies,
            sso,
            secure_cookies: flags
                .secure_cookies
                .or(file.secure_cookies)
                .unwrap_or(false),
            metrics_token: flags
                .metrics_token
                .or_else(|| file.metrics_token.clone())
                .filter(|t| !t.is_empty()),
        })
    }
}

/// For commands that read an office's data: its SQLite database must exist.
pub fn database_exists(url: &str) -> anyhow::Result<()> {
    if let duban_store::DbUrl::Sqlite(path) = duban_store::DbUrl::parse(url)?
        && !path.exists()
    {
        bail!(
            "no database at {}: name it with --db (or --data-dir); the demo's is data/demo.sqlite, and `duban init` sets up a new one",
            path.display()
        );
    }
    Ok(())
}

/// The data directory: created when missing, and checked to be writable.
pub fn prepare_data_dir(dir: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir).with_context(|| {
        format!(
            "cannot create the data directory {}; choose another with --data-dir or DUBAN_DATA_DIR",
            dir.display()
        )
    })?;
    let probe = dir.join(".duban-write-test");
    std::fs::write(&probe, b"ok").with_context(|| format!("the data directory {} is not writable; choose another with --data-dir or DUBAN_DATA_DIR", dir.display()))?;
    let _ = std::fs::remove_file(probe);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn unknown_keys_are_errors() {
        let dir = std::env::temp_dir().join(format!("duban-cfg-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let f = dir.join("duban.toml");
        std::fs::write(&f, "listen = \"127.0.0.1:9000\"\ndatabse_url = \"x\"\n").unwrap();
        let e = FileConfig::load(&f, true).unwrap_err();
        assert!(format!("{e:#}").contains("databse_url"), "{e:#}");
        std::fs::write(&f, "listen = \"127.0.0.1:9000\"\n").unwrap();
        assert_eq!(
            FileConfig::load(&f, true).unwrap().listen.as_deref(),
            Some("127.0.0.1:9000")
        );
        assert!(FileConfig::load(&dir.join("missing.toml"), false).is_ok());
        assert!(FileConfig::load(&dir.join("missing.toml"), true).is_err());
    }
}
