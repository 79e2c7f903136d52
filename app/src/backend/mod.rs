//! Server-only code: storage, the audit writer, and later sessions, mail and jobs.

pub mod audit;
pub mod db;
