//! Server-only code: storage, the audit writer, sessions, accounts, mail, and the
//! organization (departments, employees, live events, CSV import).

pub mod account_mails;
pub mod accounts;
pub mod audit;
pub mod columns;
pub mod db;
pub mod demo;
pub mod employees;
pub mod evaluation;
pub mod mail;
pub mod org;
pub mod org_events;
pub mod org_import;
pub mod password;
pub mod pdf;
pub mod rate_limit;
pub mod secrets;
pub mod sessions;
pub mod tenants;
pub mod tokens;
pub mod users;
pub mod write;
