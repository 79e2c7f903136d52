//! One module per route.

pub mod account;
pub mod admin_users;
pub mod employees;
pub mod evaluation_calibration;
pub mod evaluation_periods;
pub mod evaluation_progress;
pub mod evaluation_sheets;
pub mod evaluation_templates;
pub mod forgot;
pub mod home;
pub mod login;
pub mod manual;
pub mod not_found;
pub mod org_chart;
pub mod org_department;
pub mod org_import;
pub mod set_password;
