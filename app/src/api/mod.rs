//! Server functions by area. Each one: authenticate → authorize → call the backend → map
//! errors. Thin on purpose; the rules live in `domain`, the work in `backend`.

pub mod account;
pub mod auth;
pub mod calibration;
#[cfg(feature = "ssr")]
pub mod context;
pub mod employees;
pub mod evaluation;
pub mod org;
#[cfg(feature = "ssr")]
pub mod org_http;
pub mod org_import;
pub mod progress;
pub mod sheets;
pub mod users;
