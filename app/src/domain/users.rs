//! What the user administration screens show: shared by the server and the browser.

use crate::domain::account_status::AccountStatus;
use crate::domain::codes::EmployeeCode;
use crate::domain::email::Email;
use crate::domain::ids::UserId;
use crate::domain::roles::Role;
use crate::i18n::Lang;
use serde::{Deserialize, Serialize};

/// One line of the user list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserSummary {
    pub id: UserId,
    pub email: Email,
    pub display_name: String,
    pub employee_code: Option<EmployeeCode>,
    pub language: Lang,
    pub status: AccountStatus,
    pub roles: Vec<Role>,
    /// The departments (code and name) whose subtrees a business admin covers.
    pub business_scope: Vec<crate::domain::choice::Choice>,
    /// Formatted in the tenant's time zone with its offset, e.g. `2026-11-27 09:00 (JST, +09:00)`.
    pub last_login: Option<String>,
}

/// A page of the user list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserPage {
    pub users: Vec<UserSummary>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
    pub seats_in_use: i64,
    pub seat_limit: i64,
}

/// The tenant's mails waiting to be sent, as admins see it (an import's invitations take
/// a while to leave).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct MailQueue {
    pub waiting: i64,
    /// Password resets, lock notices and the like, which go first.
    pub urgent: i64,
    /// Tried and failed at least once; retried with backoff.
    pub retrying: i64,
}
