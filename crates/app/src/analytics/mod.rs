//! The dashboards (领导驾驶舱 and every figure of the routine), as one concept across the
//! crates (`duban_domain::analytics` computes, `duban_store::analytics` keeps the read
//! model): `upkeep` keeps the read model current, `kept` keeps the sums the pages read in
//! memory at the totals' change count, `queries` answer the pages.

mod kept;
mod queries;
pub mod upkeep;

pub use queries::*;
pub use upkeep::{
    Rebuilt, RulesPreview, ensure_built, preview_rules, put_rules, rebuild, rules, rules_in,
    standing_catch_up,
};
pub(crate) use upkeep::{refresh_all_years, refresh_project, refresh_standing};
