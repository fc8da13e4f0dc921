//! The console's caller: `duban` run on the server acts with the roles a command needs,
//! over every organisation or within one unit, and is audited as "(console)".

/// The console acting with these roles, and the unit named by a code: over every unit, or
/// (`narrow`) over that unit and the units below it.
pub async fn console_caller(
    db: &duban_app::Db,
    unit_code: Option<&str>,
    roles: &[duban_domain::Role],
    narrow: bool,
) -> anyhow::Result<(Option<i64>, duban_app::access::Caller)> {
    let unit_id = match unit_code {
        Some(code) => Some(
            duban_app::registry::units_by_id(db)
                .await?
                .values()
                .find(|u| u.code.eq_ignore_ascii_case(code))
                .map(|u| u.id)
                .ok_or_else(|| anyhow::anyhow!("no unit has the code '{code}'"))?,
        ),
        None => None,
    };
    let caller = duban_app::access::Caller::resolve(
        db,
        duban_app::accounts::console(unit_id.unwrap_or(0)),
        roles
            .iter()
            .map(|role| duban_domain::access::RoleGrant {
                role: *role,
                // An import for a unit acts within it; documents issued for a unit
                // read everything they need.
                scope: if narrow && unit_id.is_some() {
                    duban_domain::access::Scope::Subtree
                } else {
                    // The console acts over every organisation of the instance.
                    duban_domain::access::Scope::Global
                },
            })
            .collect(),
    )
    .await?;
    Ok((unit_id, caller))
}
