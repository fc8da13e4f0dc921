//! Day one: an empty database becomes an office. `init` creates the root unit, the
//! business settings and the first administrator, once; it is reached from the console
//! (`duban init`) or from the first-run page, which needs the one-time code the server
//! printed on its console when it started on an empty database.

use crate::AppError;
use crate::accounts::{grant, hash_password, random_password};
use crate::unit_of_work::Console;
use duban_domain::access::Scope;
use duban_domain::unit::{NewUnit, UnitInput};
use duban_domain::{FieldError, Role};
use duban_store::{Db, StoreError, now_ms, settings, units, users};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Taken by the one `init` that succeeds.
const DONE: &str = "setup.done";
/// The first-run code's hash, expiry and failed attempts.
const CODE: &str = "setup.code";
/// Wrong codes before the code is burnt (a new one needs a restart or the console).
const MAX_TRIES: u32 = 5;
/// How long a first-run code is valid.
const CODE_TTL_MS: i64 = 24 * 3600 * 1000;

/// What an office says about itself on day one.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InitInput {
    /// Code of the root unit (letters, digits, '-', '_'), e.g. XJBT.
    pub unit_code: String,
    /// Name of the root unit, e.g. 新疆生产建设兵团.
    pub unit_name: String,
    /// Kind of the root unit (default: government).
    #[serde(default)]
    pub unit_kind: Option<String>,
    /// User name of the first administrator.
    pub admin_username: String,
    /// Display name of the first administrator (default: the user name).
    #[serde(default)]
    pub admin_name: Option<String>,
    /// The administrator's password; when absent a random one is made, to be changed
    /// at the first login.
    #[serde(default)]
    pub admin_password: Option<String>,
    /// A report for month M is late after this day of month M+1 (default 3).
    #[serde(default)]
    pub report_deadline_day: Option<u32>,
}

/// What `init` made.
#[derive(Debug, Clone, Serialize)]
pub struct Initialised {
    pub unit_id: i64,
    pub unit_code: String,
    pub admin_id: i64,
    pub admin_username: String,
    /// The random initial password, when none was given (shown once).
    pub initial_password: Option<String>,
}

/// Does the database still need its first unit and administrator?
pub async fn needed(db: &Db) -> Result<bool, AppError> {
    Ok(settings::get(db, DONE).await?.is_none()
        && units::list(db).await?.is_empty()
        && users::count(db).await? == 0)
}

fn field(e: FieldError) -> AppError {
    e.into()
}

/// Create the root unit, the business settings and the first administrator (with every
/// organisation in reach), as the console. Refused when the database is not empty or
/// was set up already (also when two servers try at once: one wins).
pub async fn init(console: &Console, db: &Db, i: &InitInput) -> Result<Initialised, AppError> {
    if !needed(db).await? {
        return Err(already());
    }
    let unit = NewUnit::parse(&UnitInput {
        version: None,
        parent_id: None,
        code: i.unit_code.clone(),
        name: i.unit_name.clone(),
        kind: i.unit_kind.clone().unwrap_or_else(|| "government".into()),
        series: None,
    })
    // Named as the form names them (the form's own `code` is the one-time code).
    .map_err(|e| {
        duban_domain::ValidationErrors(
            e.0.into_iter()
                .map(|f| FieldError {
                    field: format!("unit_{}", f.field),
                    ..f
                })
                .collect(),
        )
    })?;
    let username = duban_domain::text::field("admin_username", &i.admin_username, 64, true)?;
    if !username
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
    {
        return Err(field(FieldError::new(
            "admin_username",
            "invalid",
            "用户名只能由字母、数字、“.”“_”“-”组成",
            "a user name is letters, digits, '.', '_' or '-'",
        )));
    }
    let name = match i.admin_name.as_deref().map(str::trim) {
        Some(n) if !n.is_empty() => duban_domain::text::field("admin_name", n, 64, true)?,
        _ => username.clone(),
    };
    let (password, must_change, shown) = match &i.admin_password {
        Some(p) => {
            duban_domain::password::check_for("admin_password", p, &username, &name)?;
            if p.to_lowercase().contains(&username.to_lowercase()) {
                return Err(field(FieldError::new(
                    "admin_password",
                    "contains_username",
                    "密码不能包含用户名",
                    "the password must not contain the user name",
                )));
            }
            (p.clone(), false, None)
        }
        None => {
            let p = random_password();
            (p.clone(), true, Some(p))
        }
    };
    // The defaults, or what was set on the console before the first run.
    let mut s = crate::settings::get(db).await?;
    if let Some(d) = i.report_deadline_day {
        s.report_deadline_day = d;
    }
    let hash = hash_password(&password)?;
    let mut w = console.write(db).await?;
    settings::insert_once(w.tx(), DONE, &now_ms().to_string())
        .await
        .map_err(|e| match e {
            StoreError::Duplicate(_) => already(),
            e => e.into(),
        })?;
    crate::settings::write(&mut w, &s).await?;
    let unit_id = units::insert(w.tx(), &unit, 0).await?;
    let grants = [grant(Role::Admin, Scope::Global)];
    let admin_id = users::insert(
        w.tx(),
        &users::NewUser {
            username: &username,
            display_name: &name,
            unit_id,
            password_hash: &hash,
            must_change_password: must_change,
            grants: &grants,
        },
    )
    .await?;
    settings::delete(w.tx(), CODE).await?;
    w.audit(
        "system.init",
        "unit",
        unit_id,
        crate::audit::NONE,
        Some(&serde_json::json!({ "unit": unit, "admin": username, "settings": s })),
    );
    w.audit(
        "user.create",
        "user",
        admin_id,
        crate::audit::NONE,
        Some(&serde_json::json!({ "username": username, "display_name": name, "unit_id": unit_id, "roles": grants })),
    );
    w.projects_changed();
    w.commit().await?;
    Ok(Initialised {
        unit_id,
        unit_code: unit.code,
        admin_id,
        admin_username: username,
        initial_password: shown,
    })
}

fn already() -> AppError {
    AppError::Conflict(
        "duban is set up already: sign in as its administrator / 系统已完成初始化，请以管理员身份登录"
            .into(),
    )
}

#[derive(Debug, Serialize, Deserialize)]
struct StoredCode {
    sha256: String,
    expires_at: i64,
    failures: u32,
}

fn digest(code: &str) -> String {
    let normal: String = code
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    data_encoding::HEXLOWER.encode(&Sha256::digest(normal.as_bytes()))
}

/// On an empty database, make a new first-run code (replacing any earlier one) and
/// return it for the console; `None` when the database is set up.
pub async fn issue_code(console: &Console, db: &Db) -> Result<Option<String>, AppError> {
    if !needed(db).await? {
        return Ok(None);
    }
    use rand::Rng;
    // No 0/O, 1/I/L: read aloud and typed from a console without mistakes.
    const ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";
    let mut rng = rand::thread_rng();
    let raw: String = (0..8)
        .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
        .collect();
    let code = format!("{}-{}", &raw[..4], &raw[4..]);
    let stored = StoredCode {
        sha256: digest(&code),
        expires_at: now_ms() + CODE_TTL_MS,
        failures: 0,
    };
    let mut w = console.write(db).await?;
    settings::set(w.tx(), CODE, &serde_json::to_string(&stored).expect("json")).await?;
    w.commit().await?;
    Ok(Some(code))
}

/// The first-run page's request: the one-time code and what `init` needs.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FirstRun {
    /// The code the server printed on its console when it started.
    pub code: String,
    #[serde(flatten)]
    pub init: InitInput,
}

/// Set up from the first-run page: the one-time code must match (five wrong codes burn
/// it), and then it is `init` as the console. The administrator chooses the password.
pub async fn first_run(db: &Db, r: &FirstRun, ip: &str) -> Result<Initialised, AppError> {
    if !needed(db).await? {
        return Err(already());
    }
    let wrong = || {
        AppError::auth(
            "setup_code",
            "the first-run code is wrong or has expired: use the code printed on the server's console, or run `duban init` there",
            "初始化验证码错误或已过期：请使用服务器控制台显示的验证码，或在服务器上运行 duban init",
        )
    };
    let console = Console::open_from(ip);
    let mut w = console.write(db).await?;
    let stored = match settings::get_in(w.tx(), CODE).await? {
        Some(text) => Some(
            serde_json::from_str::<StoredCode>(&text)
                .map_err(|e| AppError::internal("first-run code", e))?,
        ),
        None => None,
    };
    let matches = stored.as_ref().is_some_and(|c| {
        c.failures < MAX_TRIES
            && c.expires_at > now_ms()
            && constant_eq(c.sha256.as_bytes(), digest(&r.code).as_bytes())
    });
    if !matches {
        // Every refused attempt is on the record; a code is burnt after five.
        let outcome = match stored {
            Some(mut c) => {
                c.failures += 1;
                settings::set(w.tx(), CODE, &serde_json::to_string(&c).expect("json")).await?;
                serde_json::json!({ "outcome": "wrong_code", "failures": c.failures })
            }
            None => serde_json::json!({ "outcome": "no_code_issued" }),
        };
        w.audit(
            "system.first_run",
            "setup",
            "code",
            crate::audit::NONE,
            Some(&outcome),
        );
        w.commit().await?;
        return Err(wrong());
    }
    drop(w);
    if r.init.admin_password.is_none() {
        return Err(FieldError::required("admin_password").into());
    }
    init(&console, db, &r.init).await
}

fn constant_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
