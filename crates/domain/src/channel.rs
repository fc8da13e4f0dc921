//! Where a message travels besides the bell: the channels an office configures (email,
//! 企业微信 and 钉钉 group robots, a generic signed webhook, SMS through Aliyun or Tencent
//! Cloud), the words of each message per event and channel (templates with variables), and
//! the exact requests each provider documents, signatures included. Pure: the request is
//! built here from the configuration, the message and the instant; sending it is IO and
//! lives at the edge (`duban-outbound`). What a provider's answer means (delivered, try
//! again later, refused for good) is decided here too, so that the rules can be tested
//! without a network.

use crate::error::FieldError;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

crate::codes::coded!(
    /// How a message travels.
    ChannelKind {
        Email = "email", "电子邮件", "email";
        Wecom = "wecom", "企业微信群机器人", "WeCom group robot";
        Dingtalk = "dingtalk", "钉钉群机器人", "DingTalk group robot";
        Webhook = "webhook", "通用 Webhook", "webhook";
        Sms = "sms", "短信", "SMS";
    }
);

impl ChannelKind {
    /// Whether the channel reaches a group (a unit's work group) rather than one person.
    pub fn is_group(self) -> bool {
        matches!(self, ChannelKind::Wecom | ChannelKind::Dingtalk)
    }

    /// The provider's own limit of messages a minute (企业微信: 20 per robot; 钉钉: 20 per
    /// robot), or a prudent default.
    pub fn default_per_minute(self) -> u32 {
        match self {
            ChannelKind::Wecom | ChannelKind::Dingtalk => 20,
            ChannelKind::Sms => 60,
            ChannelKind::Email | ChannelKind::Webhook => 120,
        }
    }
}

/// How the SMTP connection is protected.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema, Default,
)]
#[serde(rename_all = "snake_case")]
pub enum SmtpSecurity {
    /// STARTTLS on the submission port (587).
    #[default]
    Starttls,
    /// TLS from the first byte (465).
    Tls,
    /// No encryption: only for a relay on the same machine or network.
    None,
}

/// Which SMS provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SmsProvider {
    /// Aliyun 短信服务 `SendSms` (RPC style, version 2017-05-25, HMAC-SHA1 signature).
    Aliyun,
    /// Tencent Cloud 短信 `SendSms` (API 3.0, version 2021-01-11, TC3-HMAC-SHA256).
    Tencent,
}

/// A channel's settings, credentials included. Credentials are stored sealed and never
/// shown again: `redacted` blanks them, and an update that leaves one blank keeps the old.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum ChannelConfig {
    Email {
        host: String,
        port: u16,
        #[serde(default)]
        security: SmtpSecurity,
        #[serde(default)]
        username: String,
        #[serde(default)]
        password: String,
        /// The sender, e.g. `督办系统 <duban@example.gov.cn>`.
        from: String,
    },
    Wecom {
        /// The robot's webhook address, key included (the key is the credential).
        url: String,
    },
    Dingtalk {
        /// The robot's webhook address with its access_token.
        url: String,
        /// The 加签 secret (starts with SEC).
        secret: String,
    },
    Webhook {
        url: String,
        /// The key of the HMAC-SHA256 signature sent in `X-Duban-Signature`.
        secret: String,
    },
    Sms {
        provider: SmsProvider,
        /// The provider's address; empty for the public one.
        #[serde(default)]
        endpoint: String,
        access_key_id: String,
        #[serde(default)]
        access_key_secret: String,
        /// The approved signature (签名), e.g. 某某市发展改革委.
        sign_name: String,
        /// The approved template's code (Aliyun `SMS_…`, Tencent a number).
        template_code: String,
        /// Tencent's SmsSdkAppId (unused for Aliyun).
        #[serde(default)]
        sdk_app_id: String,
        /// The approved template's parameters, in order, each named after one of the
        /// message's variables (see [`VARIABLES`]); Aliyun keys them by these names.
        #[serde(default = "default_sms_params")]
        params: Vec<String>,
        #[serde(default)]
        region: String,
    },
}

fn default_sms_params() -> Vec<String> {
    vec!["title".into()]
}

const HIDDEN: &str = "";

impl ChannelConfig {
    pub fn kind(&self) -> ChannelKind {
        match self {
            ChannelConfig::Email { .. } => ChannelKind::Email,
            ChannelConfig::Wecom { .. } => ChannelKind::Wecom,
            ChannelConfig::Dingtalk { .. } => ChannelKind::Dingtalk,
            ChannelConfig::Webhook { .. } => ChannelKind::Webhook,
            ChannelConfig::Sms { .. } => ChannelKind::Sms,
        }
    }

    /// The settings as an administrator may see them again: every credential blanked, and
    /// a robot's address cut before its key or token.
    pub fn redacted(&self) -> ChannelConfig {
        let mut c = self.clone();
        match &mut c {
            ChannelConfig::Email { password, .. } => *password = HIDDEN.into(),
            ChannelConfig::Wecom { url } => *url = cut_query(url),
            ChannelConfig::Dingtalk { url, secret } => {
                *url = cut_query(url);
                *secret = HIDDEN.into();
            }
            ChannelConfig::Webhook { secret, .. } => *secret = HIDDEN.into(),
            ChannelConfig::Sms {
                access_key_secret, ..
            } => *access_key_secret = HIDDEN.into(),
        }
        c
    }

    /// An update from the form: a credential left blank (or a robot's address left as it
    /// was shown, without its key) keeps the stored one — but only while the channel still
    /// goes to the same place: one pointed elsewhere needs its credential typed again, so
    /// that nobody can send the stored one to a server of their own.
    // Each arm states its own condition: folded into guards, the arms would bind the
    // fields twice over.
    #[allow(clippy::collapsible_match)]
    pub fn keep_secrets_of(mut self, old: &ChannelConfig) -> ChannelConfig {
        match (&mut self, old) {
            (
                ChannelConfig::Email {
                    host,
                    port,
                    security,
                    username,
                    password,
                    ..
                },
                ChannelConfig::Email {
                    host: oh,
                    port: op,
                    security: os,
                    username: ou,
                    password: o,
                    ..
                },
            ) => {
                if host == oh && port == op && security == os && username == ou {
                    keep(password, o)
                }
            }
            (ChannelConfig::Wecom { url }, ChannelConfig::Wecom { url: o }) => keep_url(url, o),
            (
                ChannelConfig::Dingtalk { url, secret },
                ChannelConfig::Dingtalk {
                    url: ou,
                    secret: os,
                },
            ) => {
                keep_url(url, ou);
                if url == ou {
                    keep(secret, os);
                }
            }
            (
                ChannelConfig::Webhook { url, secret },
                ChannelConfig::Webhook {
                    url: ou,
                    secret: os,
                },
            ) => {
                if url == ou {
                    keep(secret, os)
                }
            }
            (
                ChannelConfig::Sms {
                    provider,
                    endpoint,
                    access_key_id,
                    access_key_secret,
                    ..
                },
                ChannelConfig::Sms {
                    provider: op,
                    endpoint: oe,
                    access_key_id: oi,
                    access_key_secret: o,
                    ..
                },
            ) => {
                if provider == op && endpoint == oe && access_key_id == oi {
                    keep(access_key_secret, o)
                }
            }
            _ => {}
        }
        self
    }

    /// Check the settings before they are stored; every problem named by its field.
    pub fn validate(&self) -> Result<(), FieldError> {
        let required = |field: &'static str, v: &str| {
            if v.trim().is_empty() {
                Err(FieldError::required(field))
            } else {
                Ok(())
            }
        };
        match self {
            ChannelConfig::Email { host, from, .. } => {
                required("host", host)?;
                required("from", from)?;
                if !from.contains('@') {
                    return Err(FieldError::new(
                        "from",
                        "email",
                        format!("“{from}”不是邮件地址"),
                        format!("'{from}' is not an email address"),
                    ));
                }
                Ok(())
            }
            ChannelConfig::Wecom { url } => robot_address(
                url,
                "key=",
                "企业微信机器人地址应含 key=…（在群机器人的“Webhook 地址”中复制）",
                "a WeCom robot address carries key=… (copy its webhook address)",
            ),
            ChannelConfig::Dingtalk { url, secret } => {
                robot_address(
                    url,
                    "access_token=",
                    "钉钉机器人地址应含 access_token=…",
                    "a DingTalk robot address carries access_token=…",
                )?;
                required("secret", secret)
            }
            ChannelConfig::Webhook { url, secret } => {
                web_address("url", url)?;
                required("secret", secret)
            }
            ChannelConfig::Sms {
                endpoint,
                access_key_id,
                access_key_secret,
                sign_name,
                template_code,
                sdk_app_id,
                params,
                provider,
                ..
            } => {
                if !endpoint.is_empty() {
                    web_address("endpoint", endpoint)?;
                }
                required("access_key_id", access_key_id)?;
                required("access_key_secret", access_key_secret)?;
                required("sign_name", sign_name)?;
                required("template_code", template_code)?;
                if *provider == SmsProvider::Tencent {
                    required("sdk_app_id", sdk_app_id)?;
                }
                for p in params {
                    if !VARIABLES.contains(&p.as_str()) {
                        return Err(unknown_variable("params", p));
                    }
                }
                Ok(())
            }
        }
    }
}

fn keep(new: &mut String, old: &str) {
    if new.is_empty() {
        *new = old.to_string();
    }
}

/// A robot's address shown without its key and sent back as shown keeps the stored one.
fn keep_url(new: &mut String, old: &str) {
    if new.is_empty() || *new == cut_query(old) {
        *new = old.to_string();
    }
}

fn cut_query(url: &str) -> String {
    url.split('?').next().unwrap_or_default().to_string()
}

/// A robot's webhook address: a web address that carries its credential (`param`).
fn robot_address(url: &str, param: &str, zh: &str, en: &str) -> Result<(), FieldError> {
    web_address("url", url)?;
    if url.contains(param) {
        Ok(())
    } else {
        Err(FieldError::new("url", "robot_key", zh, en))
    }
}

fn web_address(field: &'static str, url: &str) -> Result<(), FieldError> {
    let u = url.trim();
    if (u.starts_with("https://") || u.starts_with("http://")) && u.len() > 8 && !u.contains(' ') {
        Ok(())
    } else {
        Err(FieldError::new(
            field,
            "url",
            format!("“{url}”不是 http(s):// 开头的地址"),
            format!("'{url}' is not an http(s):// address"),
        ))
    }
}

/// The variables a template may use.
pub const VARIABLES: &[&str] = &["title", "body", "url", "event", "recipient", "office"];

fn unknown_variable(field: &'static str, name: &str) -> FieldError {
    FieldError::new(
        field,
        "variable",
        format!("没有名为“{name}”的变量，可用：{}", VARIABLES.join("、")),
        format!(
            "there is no variable '{name}'; use one of {}",
            VARIABLES.join(", ")
        ),
    )
}

/// The words of a message on one channel, in both languages, with `{variable}`s.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Template {
    pub zh: String,
    pub en: String,
}

impl Template {
    /// The template each channel uses unless the office writes its own.
    pub fn default_for(kind: ChannelKind) -> Template {
        match kind {
            ChannelKind::Email => Template {
                zh: "{recipient}：\n\n{body}\n\n请登录督办系统处理：{url}\n\n（{office}督办系统自动发送，请勿回复）".into(),
                en: "{recipient},\n\n{body}\n\nOpen it in duban: {url}\n\n(Sent by the {office} supervision system; do not reply.)".into(),
            },
            ChannelKind::Sms => Template {
                zh: "{title}".into(),
                en: "{title}".into(),
            },
            _ => Template {
                zh: "【督办】{title}\n{body}\n{url}".into(),
                en: "[duban] {title}\n{body}\n{url}".into(),
            },
        }
    }

    /// Check that every `{…}` names a variable and that braces close.
    pub fn validate(&self) -> Result<(), FieldError> {
        for (field, text) in [("zh", &self.zh), ("en", &self.en)] {
            if text.trim().is_empty() {
                return Err(FieldError::required(field));
            }
            placeholders(field, text)?;
        }
        Ok(())
    }

    pub fn text(&self, lang: Lang) -> &str {
        match lang {
            Lang::Zh => &self.zh,
            Lang::En => &self.en,
        }
    }
}

/// The names a text uses, in order, or what is wrong with its braces.
fn placeholders(field: &'static str, text: &str) -> Result<Vec<String>, FieldError> {
    let mut names = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let close = after.find('}').ok_or_else(|| {
            FieldError::new(
                field,
                "brace",
                "模板中的“{”没有对应的“}”",
                "a '{' in the template is not closed",
            )
        })?;
        let name = after[..close].trim();
        if !VARIABLES.contains(&name) {
            return Err(unknown_variable(field, name));
        }
        names.push(name.to_string());
        rest = &after[close + 1..];
    }
    Ok(names)
}

/// A message's language.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema, Default,
)]
#[serde(rename_all = "snake_case")]
pub enum Lang {
    #[default]
    Zh,
    En,
}

/// The values of a message's variables.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Vars {
    pub title: String,
    pub body: String,
    /// The absolute address of the object (the server's public address and the link).
    pub url: String,
    /// The event's name in the message's language.
    pub event: String,
    pub recipient: String,
    pub office: String,
}

impl Vars {
    pub fn get(&self, name: &str) -> &str {
        match name {
            "title" => &self.title,
            "body" => &self.body,
            "url" => &self.url,
            "event" => &self.event,
            "recipient" => &self.recipient,
            "office" => &self.office,
            _ => "",
        }
    }
}

/// Fill a template (validated when it was saved; an unknown name renders empty).
pub fn render(template: &str, vars: &Vars) -> String {
    let mut out = String::with_capacity(template.len() + 64);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close) => {
                out.push_str(vars.get(after[..close].trim()));
                rest = &after[close + 1..];
            }
            None => {
                out.push_str(&rest[open..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// One message to send on one channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outgoing {
    /// The idempotency key: the same for every attempt of the same delivery.
    pub key: String,
    pub event: String,
    /// The subject (email) and the message's title.
    pub title: String,
    /// The rendered text.
    pub text: String,
    pub vars: Vars,
    /// Email addresses (email) or mobile numbers (SMS; robots mention them).
    pub to: Vec<String>,
}

/// An HTTP request exactly as the provider documents it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpRequest {
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl HttpRequest {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

type HmacSha256 = Hmac<Sha256>;

fn hmac_sha256(key: &[u8], data: &[u8]) -> Vec<u8> {
    let mut m = HmacSha256::new_from_slice(key).expect("HMAC takes any key length");
    m.update(data);
    m.finalize().into_bytes().to_vec()
}

fn hex(bytes: &[u8]) -> String {
    data_encoding::HEXLOWER.encode(bytes)
}

/// Percent-encoding as RFC 3986 has it (unreserved characters kept, everything else
/// %XX in upper case, space as %20): what Aliyun's signature and 钉钉's `sign` expect.
pub fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `k=v&k=v`, each name and value percent-encoded (RFC 3986).
fn query_string(params: &[(String, String)]) -> String {
    params
        .iter()
        .map(|(k, v)| format!("{}={}", percent_encode(k), percent_encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// 钉钉's signature of a robot request: HMAC-SHA256 keyed by the secret over
/// `timestamp + "\n" + secret`, in base64, URL-encoded.
pub fn dingtalk_sign(secret: &str, timestamp_ms: i64) -> String {
    let mac = hmac_sha256(
        secret.as_bytes(),
        format!("{timestamp_ms}\n{secret}").as_bytes(),
    );
    percent_encode(&data_encoding::BASE64.encode(&mac))
}

/// The generic webhook's signature: `sha256=` and the hex HMAC-SHA256 keyed by the secret
/// over `timestamp + "." + body` (the timestamp in seconds, also sent in a header).
pub fn webhook_signature(secret: &str, timestamp_s: i64, body: &[u8]) -> String {
    let mut data = format!("{timestamp_s}.").into_bytes();
    data.extend_from_slice(body);
    format!("sha256={}", hex(&hmac_sha256(secret.as_bytes(), &data)))
}

/// Aliyun's RPC signature: HMAC-SHA1 keyed by `secret + "&"` over
/// `METHOD&%2F&percent(sorted, percent-encoded query)`, in base64.
pub fn aliyun_signature(secret: &str, method: &str, params: &[(String, String)]) -> String {
    let mut sorted: Vec<(String, String)> = params.to_vec();
    sorted.sort_by(|a, b| a.0.cmp(&b.0));
    let query = query_string(&sorted);
    let to_sign = format!(
        "{method}&{}&{}",
        percent_encode("/"),
        percent_encode(&query)
    );
    let mut m = Hmac::<sha1::Sha1>::new_from_slice(format!("{secret}&").as_bytes())
        .expect("HMAC takes any key length");
    m.update(to_sign.as_bytes());
    data_encoding::BASE64.encode(&m.finalize().into_bytes())
}

/// Tencent Cloud's TC3-HMAC-SHA256 `Authorization` header for a JSON POST to `host`.
pub fn tencent_authorization(
    secret_id: &str,
    secret_key: &str,
    host: &str,
    service: &str,
    timestamp_s: i64,
    payload: &[u8],
) -> String {
    let date = chrono::DateTime::from_timestamp(timestamp_s, 0)
        .expect("a valid instant")
        .format("%Y-%m-%d")
        .to_string();
    let canonical = format!(
        "POST\n/\n\ncontent-type:application/json; charset=utf-8\nhost:{host}\n\ncontent-type;host\n{}",
        hex(&Sha256::digest(payload))
    );
    let scope = format!("{date}/{service}/tc3_request");
    let to_sign = format!(
        "TC3-HMAC-SHA256\n{timestamp_s}\n{scope}\n{}",
        hex(&Sha256::digest(canonical.as_bytes()))
    );
    let k_date = hmac_sha256(format!("TC3{secret_key}").as_bytes(), date.as_bytes());
    let k_service = hmac_sha256(&k_date, service.as_bytes());
    let k_signing = hmac_sha256(&k_service, b"tc3_request");
    let signature = hex(&hmac_sha256(&k_signing, to_sign.as_bytes()));
    format!(
        "TC3-HMAC-SHA256 Credential={secret_id}/{scope}, SignedHeaders=content-type;host, Signature={signature}"
    )
}

fn host_of(url: &str) -> String {
    url.split("://")
        .nth(1)
        .unwrap_or(url)
        .split(['/', '?'])
        .next()
        .unwrap_or_default()
        .to_string()
}

/// An SMS parameter's value: Aliyun and Tencent limit a variable's length (35 characters
/// for most templates), so a longer one is cut with an ellipsis.
fn sms_value(v: &str) -> String {
    const MAX: usize = 35;
    if v.chars().count() <= MAX {
        v.to_string()
    } else {
        let mut s: String = v.chars().take(MAX - 1).collect();
        s.push('…');
        s
    }
}

fn json_body(v: &serde_json::Value) -> Vec<u8> {
    serde_json::to_vec(v).expect("JSON serialises")
}

/// The request for an HTTP channel (None for email, which speaks SMTP). `now_ms` signs it;
/// `nonce` is Aliyun's SignatureNonce (unique per attempt).
pub fn http_request(
    cfg: &ChannelConfig,
    out: &Outgoing,
    now_ms: i64,
    nonce: &str,
) -> Option<HttpRequest> {
    let json = ("Content-Type".to_string(), "application/json".to_string());
    match cfg {
        ChannelConfig::Email { .. } => None,
        ChannelConfig::Wecom { url } => Some(HttpRequest {
            url: url.clone(),
            headers: vec![json],
            body: json_body(&serde_json::json!({
                "msgtype": "text",
                "text": { "content": out.text, "mentioned_mobile_list": out.to },
            })),
        }),
        ChannelConfig::Dingtalk { url, secret } => {
            // A mention shows only when the number also appears in the text.
            let mut content = out.text.clone();
            for m in &out.to {
                content.push_str(&format!(" @{m}"));
            }
            let sep = if url.contains('?') { '&' } else { '?' };
            Some(HttpRequest {
                url: format!(
                    "{url}{sep}timestamp={now_ms}&sign={}",
                    dingtalk_sign(secret, now_ms)
                ),
                headers: vec![json],
                body: json_body(&serde_json::json!({
                    "msgtype": "text",
                    "text": { "content": content },
                    "at": { "atMobiles": out.to, "isAtAll": false },
                })),
            })
        }
        ChannelConfig::Webhook { url, secret } => {
            let body = json_body(&serde_json::json!({
                "id": out.key,
                "event": out.event,
                "title": out.title,
                "text": out.text,
                "body": out.vars.body,
                "url": out.vars.url,
                "recipient": out.vars.recipient,
                "to": out.to,
                "sent_at": now_ms,
            }));
            let ts = now_ms / 1000;
            Some(HttpRequest {
                url: url.clone(),
                headers: vec![
                    json,
                    ("Idempotency-Key".into(), out.key.clone()),
                    ("X-Duban-Event".into(), out.event.clone()),
                    ("X-Duban-Timestamp".into(), ts.to_string()),
                    (
                        "X-Duban-Signature".into(),
                        webhook_signature(secret, ts, &body),
                    ),
                ],
                body,
            })
        }
        ChannelConfig::Sms {
            provider: SmsProvider::Aliyun,
            endpoint,
            access_key_id,
            access_key_secret,
            sign_name,
            template_code,
            params,
            region,
            ..
        } => {
            let template_param: serde_json::Map<String, serde_json::Value> = params
                .iter()
                .map(|p| (p.clone(), sms_value(out.vars.get(p)).into()))
                .collect();
            let timestamp = chrono::DateTime::from_timestamp_millis(now_ms)
                .expect("a valid instant")
                .format("%Y-%m-%dT%H:%M:%SZ")
                .to_string();
            let mut q: Vec<(String, String)> = [
                ("AccessKeyId", access_key_id.as_str()),
                ("Action", "SendSms"),
                ("Format", "JSON"),
                ("OutId", out.key.as_str()),
                ("PhoneNumbers", &out.to.join(",")),
                (
                    "RegionId",
                    if region.is_empty() {
                        "cn-hangzhou"
                    } else {
                        region
                    },
                ),
                ("SignName", sign_name),
                ("SignatureMethod", "HMAC-SHA1"),
                ("SignatureNonce", nonce),
                ("SignatureVersion", "1.0"),
                ("TemplateCode", template_code),
                (
                    "TemplateParam",
                    &serde_json::Value::Object(template_param).to_string(),
                ),
                ("Timestamp", &timestamp),
                ("Version", "2017-05-25"),
            ]
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
            let sig = aliyun_signature(access_key_secret, "POST", &q);
            q.push(("Signature".into(), sig));
            let body = query_string(&q);
            Some(HttpRequest {
                url: if endpoint.is_empty() {
                    "https://dysmsapi.aliyuncs.com/".into()
                } else {
                    endpoint.clone()
                },
                headers: vec![(
                    "Content-Type".into(),
                    "application/x-www-form-urlencoded".into(),
                )],
                body: body.into_bytes(),
            })
        }
        ChannelConfig::Sms {
            provider: SmsProvider::Tencent,
            endpoint,
            access_key_id,
            access_key_secret,
            sign_name,
            template_code,
            sdk_app_id,
            params,
            region,
        } => {
            let url = if endpoint.is_empty() {
                "https://sms.tencentcloudapi.com/".to_string()
            } else {
                endpoint.clone()
            };
            let host = host_of(&url);
            let phones: Vec<String> = out
                .to
                .iter()
                .map(|m| {
                    if m.starts_with('+') {
                        m.clone()
                    } else {
                        format!("+86{m}")
                    }
                })
                .collect();
            let values: Vec<String> = params.iter().map(|p| sms_value(out.vars.get(p))).collect();
            let body = json_body(&serde_json::json!({
                "PhoneNumberSet": phones,
                "SmsSdkAppId": sdk_app_id,
                "SignName": sign_name,
                "TemplateId": template_code,
                "TemplateParamSet": values,
                "SessionContext": out.key,
            }));
            let ts = now_ms / 1000;
            Some(HttpRequest {
                url,
                headers: vec![
                    (
                        "Content-Type".into(),
                        "application/json; charset=utf-8".into(),
                    ),
                    (
                        "Authorization".into(),
                        tencent_authorization(
                            access_key_id,
                            access_key_secret,
                            &host,
                            "sms",
                            ts,
                            &body,
                        ),
                    ),
                    ("X-TC-Action".into(), "SendSms".into()),
                    ("X-TC-Timestamp".into(), ts.to_string()),
                    ("X-TC-Version".into(), "2021-01-11".into()),
                    (
                        "X-TC-Region".into(),
                        if region.is_empty() {
                            "ap-guangzhou".into()
                        } else {
                            region.clone()
                        },
                    ),
                ],
                body,
            })
        }
    }
}

/// What an answer means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Delivered,
    /// Try again later (after so many seconds when the provider says).
    Retry {
        after_s: Option<u64>,
        reason: String,
    },
    /// Refused for good (a wrong key, a template not approved): retrying will not help.
    Refused {
        reason: String,
    },
}

fn excerpt(body: &[u8]) -> String {
    String::from_utf8_lossy(body).chars().take(300).collect()
}

/// What a provider's answer to an HTTP channel's request means.
pub fn verdict(
    kind: ChannelKind,
    provider: Option<SmsProvider>,
    status: u16,
    retry_after_s: Option<u64>,
    body: &[u8],
) -> Verdict {
    let retry = |reason: String| Verdict::Retry {
        after_s: retry_after_s,
        reason,
    };
    if status == 429 || status >= 500 || status == 408 {
        return retry(format!("HTTP {status}: {}", excerpt(body)));
    }
    if kind == ChannelKind::Webhook {
        // A 409 is the receiver saying it has this delivery already (idempotency).
        return if (200..300).contains(&status) || status == 409 {
            Verdict::Delivered
        } else {
            Verdict::Refused {
                reason: format!("HTTP {status}: {}", excerpt(body)),
            }
        };
    }
    if !(200..300).contains(&status) {
        return Verdict::Refused {
            reason: format!("HTTP {status}: {}", excerpt(body)),
        };
    }
    let v: serde_json::Value = match serde_json::from_slice(body) {
        Ok(v) => v,
        Err(_) => return retry(format!("not JSON: {}", excerpt(body))),
    };
    match (kind, provider) {
        (ChannelKind::Wecom | ChannelKind::Dingtalk, _) => {
            let code = v.get("errcode").and_then(|c| c.as_i64()).unwrap_or(-1);
            let msg = v.get("errmsg").and_then(|c| c.as_str()).unwrap_or_default();
            match code {
                0 => Verdict::Delivered,
                // 企业微信 45009 and 钉钉 130101: too many messages a minute.
                45009 | 130101 => Verdict::Retry {
                    after_s: Some(retry_after_s.unwrap_or(60)),
                    reason: format!("{code} {msg}"),
                },
                -1 => retry(format!("{code} {msg}")),
                _ => Verdict::Refused {
                    reason: format!("{code} {msg}"),
                },
            }
        }
        (ChannelKind::Sms, Some(SmsProvider::Aliyun)) => {
            let code = v.get("Code").and_then(|c| c.as_str()).unwrap_or_default();
            let msg = v
                .get("Message")
                .and_then(|c| c.as_str())
                .unwrap_or_default();
            match code {
                "OK" => Verdict::Delivered,
                "isv.BUSINESS_LIMIT_CONTROL" | "Throttling.User" | "ServiceUnavailable" => {
                    Verdict::Retry {
                        after_s: Some(retry_after_s.unwrap_or(60)),
                        reason: format!("{code} {msg}"),
                    }
                }
                _ => Verdict::Refused {
                    reason: format!("{code} {msg}"),
                },
            }
        }
        (ChannelKind::Sms, _) => {
            let r = &v["Response"];
            if let Some(e) = r.get("Error") {
                let code = e["Code"].as_str().unwrap_or_default();
                let reason = format!("{code} {}", e["Message"].as_str().unwrap_or_default());
                return if code.starts_with("RequestLimitExceeded")
                    || code.starts_with("InternalError")
                {
                    Verdict::Retry {
                        after_s: Some(retry_after_s.unwrap_or(60)),
                        reason,
                    }
                } else {
                    Verdict::Refused { reason }
                };
            }
            let set = r["SendStatusSet"].as_array().cloned().unwrap_or_default();
            match set
                .iter()
                .find(|s| s["Code"].as_str() != Some("Ok"))
                .map(|s| {
                    (
                        s["Code"].as_str().unwrap_or_default().to_string(),
                        s["Message"].as_str().unwrap_or_default().to_string(),
                    )
                }) {
                None if !set.is_empty() => Verdict::Delivered,
                None => retry("no SendStatusSet".into()),
                Some((code, msg)) if code.starts_with("LimitExceeded") => Verdict::Retry {
                    after_s: Some(retry_after_s.unwrap_or(60)),
                    reason: format!("{code} {msg}"),
                },
                Some((code, msg)) => Verdict::Refused {
                    reason: format!("{code} {msg}"),
                },
            }
        }
        _ => Verdict::Delivered,
    }
}

/// The wait before the next attempt after `attempts` failed ones: 30 s doubling to an
/// hour at most, or what the provider asked for when longer.
pub fn backoff_ms(attempts: u32, asked_s: Option<u64>) -> i64 {
    let base = 30_000i64.saturating_mul(1i64 << attempts.saturating_sub(1).min(10));
    let ours = base.min(3_600_000);
    let asked = asked_s.map_or(0, |s| {
        i64::try_from(s.saturating_mul(1000)).unwrap_or(i64::MAX)
    });
    ours.max(asked.min(6 * 3_600_000))
}

/// After this many failed attempts a delivery is given up and the administrators warned.
pub const MAX_ATTEMPTS: u32 = 8;

/// Whether `minute` (of the day, office time) falls in quiet hours `from..to` (which may
/// pass midnight: 22:00–07:00). Equal ends mean no quiet hours.
pub fn in_quiet_hours(minute: u32, from: u32, to: u32) -> bool {
    match from.cmp(&to) {
        std::cmp::Ordering::Equal => false,
        std::cmp::Ordering::Less => minute >= from && minute < to,
        std::cmp::Ordering::Greater => minute >= from || minute < to,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn out(to: &[&str]) -> Outgoing {
        Outgoing {
            key: "d-1".into(),
            event: "report_missing".into(),
            title: "2025年11月月报逾期未报".into(),
            text: "【督办】2025年11月月报逾期未报".into(),
            vars: Vars {
                title: "2025年11月月报逾期未报".into(),
                body: "第一师有 3 个项目未报".into(),
                url: "https://duban.example/reports?period=2025-11".into(),
                event: "逾期未报".into(),
                recipient: "张三".into(),
                office: "某市发改委".into(),
            },
            to: to.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn dingtalk_sign_is_hmac_sha256_of_timestamp_and_secret_base64_then_urlencoded() {
        // Computed independently (Python: hmac.new(b'SECtest', b'1700000000000\nSECtest',
        // hashlib.sha256), base64, urllib.parse.quote_plus).
        let s = dingtalk_sign("SECtest", 1_700_000_000_000);
        let raw = hmac_sha256(b"SECtest", b"1700000000000\nSECtest");
        assert_eq!(s, percent_encode(&data_encoding::BASE64.encode(&raw)));
        assert!(!s.contains('+') && !s.contains('/') && !s.contains('='));
    }

    #[test]
    fn percent_encoding_follows_rfc3986() {
        assert_eq!(percent_encode("a b*~/+中"), "a%20b%2A~%2F%2B%E4%B8%AD");
    }

    #[test]
    fn aliyun_signature_of_the_documented_example() {
        // Aliyun's worked example of its RPC signature (AccessKeySecret "testsecret",
        // DescribeRegions), https://developer.aliyun.com/ask/210168: the signature is
        // "CT9X0VtwR86fNWSnsc6v8YGOjuE=".
        let params: Vec<(String, String)> = [
            ("TimeStamp", "2016-02-23T12:46:24Z"),
            ("Format", "XML"),
            ("AccessKeyId", "testid"),
            ("Action", "DescribeRegions"),
            ("SignatureMethod", "HMAC-SHA1"),
            ("SignatureNonce", "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf"),
            ("Version", "2014-05-26"),
            ("SignatureVersion", "1.0"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        assert_eq!(
            aliyun_signature("testsecret", "GET", &params),
            "CT9X0VtwR86fNWSnsc6v8YGOjuE="
        );
    }

    #[test]
    fn tencent_signature_of_the_documented_example() {
        // Tencent Cloud's worked example of TC3-HMAC-SHA256 (CVM DescribeInstances,
        // https://cloud.tencent.com/document/product/215/36792): its Authorization header
        // ends in Signature=72e494ea80….
        let payload = br#"{"Limit": 1, "Filters": [{"Values": ["\u672a\u547d\u540d"], "Name": "instance-name"}]}"#;
        assert_eq!(
            tencent_authorization(
                "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE",
                "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE",
                "cvm.tencentcloudapi.com",
                "cvm",
                1_551_113_065,
                payload
            ),
            "TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE/2019-02-25/cvm/tc3_request, \
             SignedHeaders=content-type;host, \
             Signature=72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168"
        );
    }

    #[test]
    fn requests_have_the_documented_shapes() {
        let o = out(&["13800000001"]);
        let w = http_request(
            &ChannelConfig::Wecom {
                url: "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=K".into(),
            },
            &o,
            1_700_000_000_000,
            "n",
        )
        .unwrap();
        let v: serde_json::Value = serde_json::from_slice(&w.body).unwrap();
        assert_eq!(v["msgtype"], "text");
        assert_eq!(v["text"]["mentioned_mobile_list"][0], "13800000001");

        let d = http_request(
            &ChannelConfig::Dingtalk {
                url: "https://oapi.dingtalk.com/robot/send?access_token=T".into(),
                secret: "SECx".into(),
            },
            &o,
            1_700_000_000_000,
            "n",
        )
        .unwrap();
        assert!(
            d.url.contains("&timestamp=1700000000000&sign="),
            "{}",
            d.url
        );
        let v: serde_json::Value = serde_json::from_slice(&d.body).unwrap();
        assert_eq!(v["at"]["atMobiles"][0], "13800000001");
        assert!(
            v["text"]["content"]
                .as_str()
                .unwrap()
                .ends_with("@13800000001")
        );

        let h = http_request(
            &ChannelConfig::Webhook {
                url: "http://127.0.0.1:1/hook".into(),
                secret: "s".into(),
            },
            &o,
            1_700_000_000_000,
            "n",
        )
        .unwrap();
        assert_eq!(h.header("Idempotency-Key"), Some("d-1"));
        assert_eq!(
            h.header("X-Duban-Signature").unwrap(),
            webhook_signature("s", 1_700_000_000, &h.body)
        );

        let t = http_request(
            &ChannelConfig::Sms {
                provider: SmsProvider::Tencent,
                endpoint: String::new(),
                access_key_id: "AKID".into(),
                access_key_secret: "KEY".into(),
                sign_name: "某市发改委".into(),
                template_code: "1234567".into(),
                sdk_app_id: "1400000000".into(),
                params: vec!["title".into()],
                region: String::new(),
            },
            &o,
            1_700_000_000_000,
            "n",
        )
        .unwrap();
        let auth = t.header("Authorization").unwrap();
        assert!(
            auth.starts_with("TC3-HMAC-SHA256 Credential=AKID/2023-11-14/sms/tc3_request, SignedHeaders=content-type;host, Signature="),
            "{auth}"
        );
        let v: serde_json::Value = serde_json::from_slice(&t.body).unwrap();
        assert_eq!(v["PhoneNumberSet"][0], "+8613800000001");
        assert_eq!(v["SessionContext"], "d-1");
    }

    #[test]
    fn answers_mean_what_the_providers_say() {
        use ChannelKind::*;
        assert_eq!(
            verdict(Wecom, None, 200, None, br#"{"errcode":0,"errmsg":"ok"}"#),
            Verdict::Delivered
        );
        assert!(matches!(
            verdict(
                Wecom,
                None,
                200,
                None,
                br#"{"errcode":45009,"errmsg":"api freq out of limit"}"#
            ),
            Verdict::Retry {
                after_s: Some(60),
                ..
            }
        ));
        assert!(matches!(
            verdict(
                Dingtalk,
                None,
                200,
                None,
                br#"{"errcode":310000,"errmsg":"sign not match"}"#
            ),
            Verdict::Refused { .. }
        ));
        assert!(matches!(
            verdict(Webhook, None, 503, Some(5), b""),
            Verdict::Retry {
                after_s: Some(5),
                ..
            }
        ));
        assert_eq!(verdict(Webhook, None, 409, None, b""), Verdict::Delivered);
        assert_eq!(
            verdict(
                Sms,
                Some(SmsProvider::Aliyun),
                200,
                None,
                br#"{"Code":"OK","Message":"OK"}"#
            ),
            Verdict::Delivered
        );
        assert!(matches!(
            verdict(
                Sms,
                Some(SmsProvider::Tencent),
                200,
                None,
                br#"{"Response":{"Error":{"Code":"AuthFailure.SignatureFailure","Message":"x"}}}"#
            ),
            Verdict::Refused { .. }
        ));
        assert_eq!(
            verdict(
                Sms,
                Some(SmsProvider::Tencent),
                200,
                None,
                br#"{"Response":{"SendStatusSet":[{"Code":"Ok","Message":"send success"}]}}"#
            ),
            Verdict::Delivered
        );
    }

    #[test]
    fn templates_name_only_known_variables() {
        let t = Template {
            zh: "{title}：{nope}".into(),
            en: "x".into(),
        };
        assert!(t.validate().unwrap_err().en.contains("nope"));
        let t = Template {
            zh: "{title".into(),
            en: "x".into(),
        };
        assert_eq!(t.validate().unwrap_err().code, "brace");
        let v = out(&[]).vars;
        assert_eq!(
            render(&Template::default_for(ChannelKind::Wecom).zh, &v),
            "【督办】2025年11月月报逾期未报\n第一师有 3 个项目未报\nhttps://duban.example/reports?period=2025-11"
        );
    }

    #[test]
    fn secrets_are_never_shown_and_kept_when_left_blank() {
        let c = ChannelConfig::Dingtalk {
            url: "https://oapi.dingtalk.com/robot/send?access_token=T".into(),
            secret: "SECx".into(),
        };
        let shown = c.redacted();
        assert_eq!(
            shown,
            ChannelConfig::Dingtalk {
                url: "https://oapi.dingtalk.com/robot/send".into(),
                secret: String::new()
            }
        );
        assert_eq!(shown.keep_secrets_of(&c), c);
        // Pointed elsewhere, the stored credential is not carried along.
        let mail = ChannelConfig::Email {
            host: "smtp.gov.cn".into(),
            port: 587,
            security: SmtpSecurity::Starttls,
            username: "duban".into(),
            password: "p".into(),
            from: "a@b.cn".into(),
        };
        let elsewhere = ChannelConfig::Email {
            host: "evil.example".into(),
            port: 587,
            security: SmtpSecurity::Starttls,
            username: "duban".into(),
            password: String::new(),
            from: "a@b.cn".into(),
        };
        assert!(matches!(
            elsewhere.keep_secrets_of(&mail),
            ChannelConfig::Email { password, .. } if password.is_empty()
        ));
    }

    #[test]
    fn quiet_hours_pass_midnight() {
        let (f, t) = (22 * 60, 7 * 60);
        assert!(in_quiet_hours(23 * 60, f, t));
        assert!(in_quiet_hours(60, f, t));
        assert!(!in_quiet_hours(9 * 60, f, t));
        assert!(!in_quiet_hours(9 * 60, 0, 0));
    }

    proptest! {
        #[test]
        fn backoff_grows_and_is_bounded(a in 1u32..40, asked in proptest::option::of(0u64..100_000)) {
            let b = backoff_ms(a, asked);
            prop_assert!(b >= 30_000);
            prop_assert!(b <= 6 * 3_600_000);
            prop_assert!(backoff_ms(a + 1, None) >= backoff_ms(a, None));
        }

        #[test]
        fn render_substitutes_every_variable(title in "[^{}]{0,20}", text in "[^{}]{0,20}") {
            let v = Vars { title: title.clone(), ..Default::default() };
            prop_assert_eq!(render(&format!("{text}{{title}}{text}"), &v), format!("{text}{title}{text}"));
        }
    }
}
