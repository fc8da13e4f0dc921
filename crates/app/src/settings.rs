//! Business settings kept in the database and edited by administrators: report
//! deadlines, whether warnings block a submission, problem due-soon days, session idle
//! timeout, the upload limit and the seasonal profile of annual plans.

use crate::AppError;
use crate::access::{Can, ManageUsers};
use duban_domain::FieldError;
use duban_store::{Db, settings};
use serde::{Deserialize, Serialize};

const KEY: &str = "business";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Settings {
    /// A report for month M is late after this day of month M+1 (1..=28).
    #[schemars(range(min = 1, max = 28))]
    pub report_deadline_day: u32,
    /// Refuse a submission that raises warnings (otherwise they are shown only).
    pub block_on_warnings: bool,
    /// A problem is "due soon" this many days before its deadline.
    #[schemars(range(min = 0, max = 30))]
    pub due_soon_days: i64,
    /// Sessions end after this many idle minutes (5..=30, MLPS level 3 asks for ≤ 30).
    #[schemars(range(min = 5, max = 30))]
    pub idle_minutes: i64,
    /// Largest attachment, in MiB (1..=200).
    #[schemars(range(min = 1, max = 200))]
    pub max_upload_mib: u64,
    /// Deadlines that differ from the rule for some periods (e.g. after the Spring
    /// Festival): period `YYYY-MM` → last day to submit, `YYYY-MM-DD`.
    pub deadline_overrides: std::collections::BTreeMap<String, String>,
    /// Twelve monthly weights of construction work, used to spread an annual plan over
    /// the months when no monthly curve is given (default: northern China, little built
    /// from December to February).
    #[schemars(length(min = 12, max = 12))]
    pub seasonal_profile: Vec<u32>,
    /// How the measures offices define differently are defined here (口径): time
    /// progress, missing reports, overdue problems, the start rate, the 红黑榜.
    pub definitions: duban_domain::analytics::measure::Definitions,
    /// Whose monthly reports must carry a site photo.
    #[serde(default)]
    pub photos_required: PhotoRule,
    /// Where reports are approved at two levels (unit → 主管部门 → 项目办): the unit
    /// whose approvers give the second, last approval. None: one approval.
    #[serde(default)]
    pub second_approval_unit: Option<i64>,
    /// The routine's clock and its reminders.
    #[serde(default)]
    pub routine: crate::routine::RoutineSettings,
    /// Messages beyond the bell: the public address, quiet hours, what people may choose,
    /// the templates.
    #[serde(default)]
    pub delivery: crate::delivery::DeliverySettings,
    /// How people sign in: local passwords, and the roles that must have a second factor.
    #[serde(default)]
    pub sign_in: SignIn,
}

/// How people sign in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct SignIn {
    /// Local passwords are accepted. Where the office signs in through its identity
    /// platform (统一身份认证), an administrator may switch them off; the console
    /// (`duban settings password-login on`) switches them back on.
    pub password_login: bool,
    /// Holders of these roles must sign in with a second factor (TOTP): until they set
    /// one up, they may do nothing else. By default the administrators and auditors.
    pub totp_roles: Vec<duban_domain::Role>,
}

impl Default for SignIn {
    fn default() -> Self {
        SignIn {
            password_login: true,
            totp_roles: vec![duban_domain::Role::Admin, duban_domain::Role::Auditor],
        }
    }
}

/// Where the office wants a site photo with every monthly report: all projects, or the
/// projects of some units (and their sub-units), or some projects by id.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PhotoRule {
    #[serde(default)]
    pub all: bool,
    #[serde(default)]
    pub units: Vec<i64>,
    #[serde(default)]
    pub projects: Vec<i64>,
}

impl PhotoRule {
    /// Whether a project (of a unit, in the unit tree) needs a photo: named itself, or
    /// of a named unit or of a unit below one.
    pub fn applies(&self, project: i64, unit: i64, tree: &duban_domain::unit::UnitTree) -> bool {
        self.all
            || self.projects.contains(&project)
            || self.units.iter().any(|u| tree.is_within(unit, *u))
    }
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            report_deadline_day: 3,
            block_on_warnings: false,
            due_soon_days: 3,
            idle_minutes: 30,
            max_upload_mib: 20,
            deadline_overrides: Default::default(),
            seasonal_profile: duban_domain::plan::SeasonalProfile::northern()
                .weights()
                .to_vec(),
            definitions: Default::default(),
            photos_required: Default::default(),
            second_approval_unit: None,
            routine: Default::default(),
            delivery: Default::default(),
            sign_in: Default::default(),
        }
    }
}

impl Settings {
    fn validate(&self) -> Result<(), AppError> {
        let mut e = duban_domain::ValidationErrors::default();
        if !(1..=28).contains(&self.report_deadline_day) {
            e.push(FieldError::new(
                "report_deadline_day",
                "range",
                "报送截止日应在1—28日之间",
                "the deadline day must be 1 to 28",
            ));
        }
        if !(0..=30).contains(&self.due_soon_days) {
            e.push(FieldError::new(
                "due_soon_days",
                "range",
                "临期提醒天数应在0—30之间",
                "due-soon days must be 0 to 30",
            ));
        }
        if !(5..=30).contains(&self.idle_minutes) {
            e.push(FieldError::new(
                "idle_minutes",
                "range",
                "会话空闲超时应在5—30分钟之间",
                "the idle timeout must be 5 to 30 minutes",
            ));
        }
        if !(1..=200).contains(&self.max_upload_mib) {
            e.push(FieldError::new(
                "max_upload_mib",
                "range",
                "附件大小上限应在1—200 MB之间",
                "the upload limit must be 1 to 200 MiB",
            ));
        }
        for (p, d) in &self.deadline_overrides {
            let field = format!("deadline_overrides.{p}");
            let period = e.take(duban_domain::Period::parse(&field, p));
            let date = e.take(duban_domain::text::date(&field, d));
            if let (Some(period), Some(date)) = (period, date)
                && date <= period.last_day()
            {
                e.push(FieldError::new(
                    &field,
                    "before_period_end",
                    "截止日期应晚于该月月末",
                    "the deadline must be after the end of the month",
                ));
            }
        }
        e.take(self.profile());
        e.take(self.routine.validate());
        e.take(self.delivery.validate());
        if let Err(d) = self.definitions.validate() {
            for f in d.0 {
                e.push(FieldError {
                    field: format!("definitions.{}", f.field),
                    ..f
                });
            }
        }
        e.into_result(|| ()).map_err(AppError::from)
    }

    /// The seasonal profile that spreads annual plans over the months.
    pub fn profile(&self) -> Result<duban_domain::plan::SeasonalProfile, FieldError> {
        duban_domain::plan::SeasonalProfile::parse(&self.seasonal_profile)
    }

    /// The last day to submit the report of a period.
    pub fn deadline(&self, period: duban_domain::Period) -> chrono::NaiveDate {
        self.deadline_overrides
            .get(&period.to_string())
            .and_then(|d| duban_domain::text::date("deadline", d).ok())
            .unwrap_or_else(|| period.deadline(self.report_deadline_day))
    }
}

/// The settings, kept in memory at the settings' change count: every request reads them
/// (the session's timeout, the sign-in rules), and reads only the counter (settings
/// written on any server count themselves in their transaction).
static KEPT: std::sync::LazyLock<crate::cache::Memo<std::sync::Arc<Settings>>> =
    std::sync::LazyLock::new(|| {
        crate::cache::Memo::fresh_only(std::time::Duration::from_secs(600), 16)
    });

pub async fn get(db: &Db) -> Result<Settings, AppError> {
    let version = duban_store::changes::version(db, "settings").await?;
    let kept = KEPT
        .get_or(db, String::new(), version, async || {
            Ok::<_, AppError>(std::sync::Arc::new(match settings::get(db, KEY).await? {
                Some(t) => serde_json::from_str(&t)
                    .map_err(|e| AppError::internal("stored settings do not parse", e))?,
                None => Settings::default(),
            }))
        })
        .await?;
    Ok(Settings::clone(&kept))
}

/// Store new settings. `sso_configured`: whether this server signs people in through an
/// identity platform (local passwords may be switched off only then, or nobody could
/// sign in).
pub async fn put(
    db: &Db,
    can: &Can<ManageUsers>,
    s: &Settings,
    sso_configured: bool,
) -> Result<Settings, AppError> {
    s.validate()?;
    if !s.sign_in.password_login && !sso_configured {
        return Err(FieldError::new(
            "sign_in.password_login",
            "no_sso",
            "未配置统一身份认证（OIDC），不能关闭密码登录，否则无人能够登录",
            "no identity platform (OIDC) is configured: switching passwords off would leave nobody able to sign in",
        )
        .into());
    }
    if let Some(u) = s.second_approval_unit
        && duban_store::units::get(db, u).await.is_err()
    {
        return Err(FieldError::new(
            "second_approval_unit",
            "unknown",
            "复审单位不存在",
            "the reviewing office does not exist",
        )
        .into());
    }
    let before = get(db).await?;
    let mut w = can.write(db).await?;
    write(&mut w, s).await?;
    w.audit("settings.update", "settings", KEY, Some(&before), Some(s));
    w.commit().await?;
    Ok(s.clone())
}

/// Store validated settings in a write (the caller audits).
pub(crate) async fn write(
    w: &mut crate::unit_of_work::UnitOfWork<'_>,
    s: &Settings,
) -> Result<(), AppError> {
    s.validate()?;
    settings::set(
        w.tx(),
        KEY,
        &serde_json::to_string(s).expect("settings serialise"),
    )
    .await?;
    Ok(())
}

/// Change settings from the server's console, audited as the console's.
async fn change_on_console(
    console: &crate::unit_of_work::Console,
    db: &Db,
    change: impl FnOnce(&mut Settings),
) -> Result<(), AppError> {
    let before = get(db).await?;
    let mut s = before.clone();
    change(&mut s);
    let mut w = console.write(db).await?;
    write(&mut w, &s).await?;
    w.audit("settings.update", "settings", KEY, Some(&before), Some(&s));
    w.commit().await?;
    Ok(())
}

/// Set the roles that must sign in with a second factor, from the server's console.
pub async fn set_totp_roles(
    console: &crate::unit_of_work::Console,
    db: &Db,
    roles: &[duban_domain::Role],
) -> Result<(), AppError> {
    change_on_console(console, db, |s| s.sign_in.totp_roles = roles.to_vec()).await
}

/// Switch local passwords on or off from the server's console (the way back when the
/// identity platform is down, or a mistake locked everyone out of the web page).
pub async fn set_password_login(
    console: &crate::unit_of_work::Console,
    db: &Db,
    on: bool,
    sso_configured: bool,
) -> Result<(), AppError> {
    if !on && !sso_configured {
        return Err(AppError::Config(
            "no [oidc] identity platform is configured: switching passwords off would leave nobody able to sign in".into(),
        ));
    }
    change_on_console(console, db, |s| s.sign_in.password_login = on).await
}

#[cfg(test)]
mod tests {
    use super::PhotoRule;
    use duban_domain::unit::UnitTree;

    #[test]
    fn a_photo_is_wanted_for_named_projects_and_units_and_below_them() {
        // 1 ─ 2 ─ 3, and 4 beside them.
        let tree = UnitTree::build([(1, None), (2, Some(1)), (3, Some(2)), (4, None)]).unwrap();
        let by_unit = PhotoRule {
            units: vec![2],
            ..Default::default()
        };
        assert!(by_unit.applies(10, 2, &tree));
        assert!(by_unit.applies(10, 3, &tree));
        assert!(!by_unit.applies(10, 1, &tree));
        assert!(!by_unit.applies(10, 4, &tree));
        // A unit the tree does not know: only the unit itself.
        assert!(!by_unit.applies(10, 99, &tree));
        let by_project = PhotoRule {
            projects: vec![10],
            ..Default::default()
        };
        assert!(by_project.applies(10, 4, &tree));
        assert!(!by_project.applies(11, 4, &tree));
        assert!(
            PhotoRule {
                all: true,
                ..Default::default()
            }
            .applies(11, 4, &tree)
        );
        assert!(!PhotoRule::default().applies(10, 3, &tree));
    }
}
