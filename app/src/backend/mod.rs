//! Server-only code: storage, the audit writer, sessions, accounts and mail.

pub mod account_mails;
pub mod accounts;
pub mod audit;
pub mod db;
pub mod mail;
pub mod password;
pub mod rate_limit;
pub mod secrets;
pub mod sessions;
pub mod tenants;
pub mod tokens;
pub mod users;
