//! Pure rules and types: no I/O, no Leptos. Most unit tests live here.

pub mod account_status;
pub mod audit;
pub mod choice;
pub mod codes;
#[cfg(feature = "ssr")]
pub mod csv_codec;
pub mod dates;
pub mod email;
pub mod employees;
pub mod form_field;
pub mod ids;
pub mod lockout;
pub mod org_chart;
pub mod org_csv;
#[cfg(feature = "ssr")]
pub mod org_import;
pub mod org_tree;
pub mod password;
pub mod permissions;
pub mod posts;
pub mod roles;
pub(crate) mod stored_names;
pub mod tenant;
pub mod text;
pub mod time;
pub mod users;
