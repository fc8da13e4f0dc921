#![forbid(unsafe_code)]
//! duban's spreadsheets: workbooks read into the domain's grid model (`read`), and the
//! import templates written (`template`). What a sheet means is the domain's
//! (`duban_domain::import`); this crate only turns bytes into cells and back.

pub mod read;
pub mod template;

pub use read::{Limits, ReadError, workbook};
pub use template::{Template, template};
