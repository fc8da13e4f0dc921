//! The office's unified identity platform (统一身份认证), spoken to as an OpenID Connect
//! relying party: the authorization code flow with PKCE (S256), the client authenticated
//! with its secret (`client_secret_basic`), and the ID token checked before anything in it
//! is believed — its signature against the platform's published keys, its issuer, its
//! audience, its expiry and the nonce this sign-in sent.
//!
//! The platform's metadata and keys are fetched from its discovery document and kept; the
//! keys are fetched again when a token names one not yet seen (the platform rotated them).

use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation, errors::ErrorKind};
use serde::Deserialize;
use std::time::{Duration, Instant};
use tokio::sync::RwLock;

/// Where the platform is and who duban is to it.
#[derive(Debug, Clone)]
pub struct OidcConfig {
    /// The issuer exactly as the platform names itself (`https://idp.example.gov.cn`).
    pub issuer: String,
    pub client_id: String,
    pub client_secret: String,
    /// duban's callback as registered at the platform
    /// (`https://duban.example.gov.cn/api/v1/auth/sso/callback`).
    pub redirect_url: String,
    /// The claim that names the duban account on first sign-in (`preferred_username`).
    pub username_claim: String,
    /// Scopes asked for, `openid` among them.
    pub scopes: String,
}

/// Who the platform says signed in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub issuer: String,
    /// The platform's stable identifier of the person (`sub`).
    pub subject: String,
    /// The value of the configured username claim, when the platform gave one.
    pub username: Option<String>,
}

/// Why a sign-in through the platform failed.
#[derive(Debug, thiserror::Error)]
pub enum OidcError {
    /// The platform could not be reached, or answered what is not OpenID Connect.
    #[error("the identity platform: {0}")]
    Unreachable(String),
    /// The platform refused the code (used already, expired, not ours).
    #[error("the identity platform refused the sign-in: {0}")]
    Refused(String),
    /// The ID token failed a check; the code says which (`issuer`, `audience`,
    /// `expired`, `signature`, `nonce`, `algorithm`, `malformed`).
    #[error("the ID token failed its {0} check: {1}")]
    Token(&'static str, String),
}

#[derive(Debug, Clone, Deserialize)]
struct Metadata {
    issuer: String,
    authorization_endpoint: String,
    token_endpoint: String,
    jwks_uri: String,
    #[serde(default)]
    userinfo_endpoint: Option<String>,
}

/// The signatures accepted: the asymmetric ones (a shared-secret HS256 token could be
/// made by anyone who holds the client secret; `none` is never accepted).
const ALGORITHMS: [Algorithm; 8] = [
    Algorithm::RS256,
    Algorithm::RS384,
    Algorithm::RS512,
    Algorithm::PS256,
    Algorithm::PS384,
    Algorithm::PS512,
    Algorithm::ES256,
    Algorithm::ES384,
];

/// The longest answer read from the platform.
const MAX_ANSWER: usize = 1 << 20;
/// How long the platform's keys are trusted before they are fetched again.
const KEYS_KEPT: Duration = Duration::from_secs(3600);
/// Clock difference tolerated between duban and the platform.
const LEEWAY_S: u64 = 60;

/// A relying party of one platform.
pub struct OidcClient {
    cfg: OidcConfig,
    http: reqwest::Client,
    metadata: RwLock<Option<Metadata>>,
    keys: RwLock<Option<(JwkSet, Instant)>>,
}

impl std::fmt::Debug for OidcClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OidcClient")
            .field("issuer", &self.cfg.issuer)
            .field("client_id", &self.cfg.client_id)
            .finish_non_exhaustive()
    }
}

fn unreachable(what: &str, e: impl std::fmt::Display) -> OidcError {
    OidcError::Unreachable(format!("{what}: {e}"))
}

/// `application/x-www-form-urlencoded` of one value.
fn form(v: &str) -> String {
    url::form_urlencoded::byte_serialize(v.as_bytes()).collect()
}

impl OidcClient {
    pub fn new(cfg: OidcConfig) -> Result<OidcClient, String> {
        for (name, v) in [
            ("issuer", &cfg.issuer),
            ("client_id", &cfg.client_id),
            ("client_secret", &cfg.client_secret),
            ("redirect_url", &cfg.redirect_url),
        ] {
            if v.trim().is_empty() {
                return Err(format!("oidc.{name} is empty"));
            }
        }
        for (name, v) in [("issuer", &cfg.issuer), ("redirect_url", &cfg.redirect_url)] {
            let u = url::Url::parse(v).map_err(|e| format!("oidc.{name} '{v}': {e}"))?;
            if !matches!(u.scheme(), "https" | "http") {
                return Err(format!("oidc.{name} '{v}' is not an http(s) address"));
            }
        }
        if !cfg.scopes.split_whitespace().any(|s| s == "openid") {
            return Err("oidc.scopes must include openid".into());
        }
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| e.to_string())?;
        Ok(OidcClient {
            cfg,
            http,
            metadata: RwLock::new(None),
            keys: RwLock::new(None),
        })
    }

    pub fn config(&self) -> &OidcConfig {
        &self.cfg
    }

    async fn get_json<T: serde::de::DeserializeOwned>(
        &self,
        what: &str,
        req: reqwest::RequestBuilder,
    ) -> Result<T, OidcError> {
        let resp = req.send().await.map_err(|e| unreachable(what, e))?;
        let status = resp.status();
        let body = read_capped(resp).await.map_err(|e| unreachable(what, e))?;
        if status.is_client_error() && what == "token endpoint" {
            let v: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
            return Err(OidcError::Refused(format!(
                "{} {}",
                v["error"].as_str().unwrap_or("error"),
                v["error_description"].as_str().unwrap_or("")
            )));
        }
        if !status.is_success() {
            return Err(unreachable(what, format!("HTTP {status}")));
        }
        serde_json::from_slice(&body).map_err(|e| unreachable(what, e))
    }

    /// The platform's metadata, fetched once; its issuer must be the configured one
    /// (a document naming another issuer is not this platform's).
    async fn metadata(&self) -> Result<Metadata, OidcError> {
        if let Some(m) = self.metadata.read().await.clone() {
            return Ok(m);
        }
        let url = format!(
            "{}/.well-known/openid-configuration",
            self.cfg.issuer.trim_end_matches('/')
        );
        let m: Metadata = self
            .get_json("discovery document", self.http.get(&url))
            .await?;
        if m.issuer != self.cfg.issuer {
            return Err(OidcError::Token(
                "issuer",
                format!(
                    "the discovery document names issuer '{}', not '{}'",
                    m.issuer, self.cfg.issuer
                ),
            ));
        }
        *self.metadata.write().await = Some(m.clone());
        Ok(m)
    }

    /// The platform's keys; fetched again when `kid` is not among them (at most once a
    /// minute, so a token naming random keys cannot make duban hammer the platform).
    async fn key_for(&self, kid: Option<&str>) -> Result<DecodingKey, OidcError> {
        let find = |set: &JwkSet| match kid {
            Some(k) => set.find(k).cloned(),
            None if set.keys.len() == 1 => set.keys.first().cloned(),
            None => None,
        };
        let fresh = {
            let g = self.keys.read().await;
            match &*g {
                // Keys older than an hour are fetched again: a key the platform retired
                // (after a compromise, say) stops verifying within the hour.
                Some((set, at)) if find(set).is_some() && at.elapsed() < KEYS_KEPT => {
                    return DecodingKey::from_jwk(&find(set).expect("found"))
                        .map_err(|e| OidcError::Token("signature", e.to_string()));
                }
                Some((set, at)) => at.elapsed() > Duration::from_secs(60) || find(set).is_some(),
                None => true,
            }
        };
        if !fresh {
            return Err(OidcError::Token(
                "signature",
                format!("no key '{}' among the platform's keys", kid.unwrap_or("")),
            ));
        }
        let m = self.metadata().await?;
        let set: JwkSet = self.get_json("key set", self.http.get(&m.jwks_uri)).await?;
        let jwk = find(&set);
        *self.keys.write().await = Some((set, Instant::now()));
        let jwk = jwk.ok_or_else(|| {
            OidcError::Token(
                "signature",
                format!("no key '{}' among the platform's keys", kid.unwrap_or("")),
            )
        })?;
        DecodingKey::from_jwk(&jwk).map_err(|e| OidcError::Token("signature", e.to_string()))
    }

    /// Where to send the browser: the platform's authorization endpoint with this
    /// sign-in's state, nonce and PKCE challenge.
    pub async fn authorization_url(
        &self,
        state: &str,
        nonce: &str,
        challenge: &str,
    ) -> Result<String, OidcError> {
        let m = self.metadata().await?;
        let mut u = url::Url::parse(&m.authorization_endpoint)
            .map_err(|e| unreachable("authorization endpoint", e))?;
        u.query_pairs_mut()
            .append_pair("response_type", "code")
            .append_pair("client_id", &self.cfg.client_id)
            .append_pair("redirect_uri", &self.cfg.redirect_url)
            .append_pair("scope", &self.cfg.scopes)
            .append_pair("state", state)
            .append_pair("nonce", nonce)
            .append_pair("code_challenge", challenge)
            .append_pair("code_challenge_method", "S256");
        Ok(u.into())
    }

    /// Whether an `iss` given with the callback (RFC 9207) is this platform's.
    pub fn is_issuer(&self, iss: &str) -> bool {
        iss == self.cfg.issuer
    }

    /// Redeem the code (with the PKCE verifier) and check the ID token it brings.
    pub async fn redeem(
        &self,
        code: &str,
        verifier: &str,
        nonce: &str,
    ) -> Result<Identity, OidcError> {
        let m = self.metadata().await?;
        let basic = data_encoding::BASE64.encode(
            format!(
                "{}:{}",
                form(&self.cfg.client_id),
                form(&self.cfg.client_secret)
            )
            .as_bytes(),
        );
        let body = format!(
            "grant_type=authorization_code&code={}&redirect_uri={}&code_verifier={}",
            form(code),
            form(&self.cfg.redirect_url),
            form(verifier)
        );
        let req = self
            .http
            .post(&m.token_endpoint)
            .header("Authorization", format!("Basic {basic}"))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .header("Accept", "application/json")
            .body(body);
        let tokens: serde_json::Value = self.get_json("token endpoint", req).await?;
        let id_token = tokens["id_token"]
            .as_str()
            .ok_or_else(|| OidcError::Token("malformed", "no id_token in the answer".into()))?;
        let claims = self.check(id_token, nonce).await?;
        let subject = claims["sub"].as_str().unwrap_or_default().to_string();
        let mut username = claims[&self.cfg.username_claim]
            .as_str()
            .map(str::to_string);
        // Profile claims often come only from the userinfo endpoint; its `sub` must be
        // the token's.
        if username.is_none()
            && let (Some(ep), Some(access)) = (
                m.userinfo_endpoint.as_deref(),
                tokens["access_token"].as_str(),
            )
        {
            let info: serde_json::Value = self
                .get_json("userinfo endpoint", self.http.get(ep).bearer_auth(access))
                .await?;
            if info["sub"].as_str() != Some(subject.as_str()) {
                return Err(OidcError::Token(
                    "subject",
                    "userinfo names another subject than the ID token".into(),
                ));
            }
            username = info[&self.cfg.username_claim].as_str().map(str::to_string);
        }
        Ok(Identity {
            issuer: self.cfg.issuer.clone(),
            subject,
            username,
        })
    }

    /// The ID token's claims, once its signature, issuer, audience, times and nonce hold.
    async fn check(&self, token: &str, nonce: &str) -> Result<serde_json::Value, OidcError> {
        let header = jsonwebtoken::decode_header(token)
            .map_err(|e| OidcError::Token("algorithm", e.to_string()))?;
        if !ALGORITHMS.contains(&header.alg) {
            return Err(OidcError::Token(
                "algorithm",
                format!("{:?} is not accepted", header.alg),
            ));
        }
        let key = self.key_for(header.kid.as_deref()).await?;
        let mut v = Validation::new(header.alg);
        v.set_issuer(&[&self.cfg.issuer]);
        v.set_audience(&[&self.cfg.client_id]);
        v.set_required_spec_claims(&["exp", "iat", "iss", "aud", "sub"]);
        v.leeway = LEEWAY_S;
        v.validate_nbf = true;
        let data = jsonwebtoken::decode::<serde_json::Value>(token, &key, &v).map_err(|e| {
            let code = match e.kind() {
                ErrorKind::InvalidIssuer => "issuer",
                ErrorKind::InvalidAudience => "audience",
                ErrorKind::ExpiredSignature | ErrorKind::ImmatureSignature => "expired",
                ErrorKind::InvalidSignature => "signature",
                ErrorKind::InvalidAlgorithm => "algorithm",
                _ => "malformed",
            };
            OidcError::Token(code, e.to_string())
        })?;
        let c = data.claims;
        if c["nonce"].as_str() != Some(nonce) {
            return Err(OidcError::Token(
                "nonce",
                "the token was not made for this sign-in".into(),
            ));
        }
        // A token for several audiences must name duban as the party it was issued to.
        if c["aud"].as_array().is_some_and(|a| a.len() > 1)
            && c["azp"].as_str() != Some(self.cfg.client_id.as_str())
        {
            return Err(OidcError::Token(
                "audience",
                "azp is not this client".into(),
            ));
        }
        if c["sub"].as_str().is_none_or(str::is_empty) {
            return Err(OidcError::Token("malformed", "no subject".into()));
        }
        Ok(c)
    }
}

async fn read_capped(mut resp: reqwest::Response) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    while let Some(chunk) = resp.chunk().await.map_err(|e| e.to_string())? {
        out.extend_from_slice(&chunk);
        if out.len() > MAX_ANSWER {
            return Err(format!("the answer passes {MAX_ANSWER} bytes"));
        }
    }
    Ok(out)
}

/// A new sign-in's secrets: the state, the nonce, the PKCE verifier and its S256
/// challenge.
pub struct Secrets {
    pub state: String,
    pub nonce: String,
    pub verifier: String,
    pub challenge: String,
}

impl Secrets {
    pub fn new() -> Secrets {
        use rand::RngCore;
        use sha2::Digest;
        let r = || {
            let mut b = [0u8; 32];
            rand::rngs::OsRng.fill_bytes(&mut b);
            data_encoding::BASE64URL_NOPAD.encode(&b)
        };
        let (state, nonce, verifier) = (r(), r(), r());
        let challenge =
            data_encoding::BASE64URL_NOPAD.encode(&sha2::Sha256::digest(verifier.as_bytes()));
        Secrets {
            state,
            nonce,
            verifier,
            challenge,
        }
    }
}

impl Default for Secrets {
    fn default() -> Self {
        Secrets::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_challenge_is_rfc_7636s() {
        // RFC 7636, appendix B.
        use sha2::Digest;
        let v = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        assert_eq!(
            data_encoding::BASE64URL_NOPAD.encode(&sha2::Sha256::digest(v.as_bytes())),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
        let s = Secrets::new();
        assert_eq!(s.verifier.len(), 43);
        assert_ne!(s.state, s.nonce);
    }

    #[test]
    fn a_config_without_openid_or_with_a_bad_address_is_refused() {
        let ok = OidcConfig {
            issuer: "https://idp.example.gov.cn".into(),
            client_id: "duban".into(),
            client_secret: "s".into(),
            redirect_url: "https://duban.example.gov.cn/api/v1/auth/sso/callback".into(),
            username_claim: "preferred_username".into(),
            scopes: "openid profile".into(),
        };
        assert!(OidcClient::new(ok.clone()).is_ok());
        let e = OidcClient::new(OidcConfig {
            scopes: "profile".into(),
            ..ok.clone()
        })
        .unwrap_err();
        assert!(e.contains("openid"), "{e}");
        let e = OidcClient::new(OidcConfig {
            issuer: "idp".into(),
            ..ok.clone()
        })
        .unwrap_err();
        assert!(e.contains("issuer"), "{e}");
        assert!(
            OidcClient::new(OidcConfig {
                client_secret: " ".into(),
                ..ok
            })
            .is_err()
        );
    }
}
