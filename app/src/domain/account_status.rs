//! The state of an account (WP 6): invited until its password is set, active, or
//! deactivated by an admin (kept, but unable to sign in).

use crate::domain::stored_names::stored_names;

stored_names! {
    /// Stored in `users.status`.
    pub enum AccountStatus {
        /// Created; the invitation or setup link has not been used yet.
        Invited = "invited",
        /// Can sign in.
        Active = "active",
        /// Kept with its history, but cannot sign in and takes no seat.
        Deactivated = "deactivated",
    }
}

impl AccountStatus {
    /// A stored status; a value the schema's CHECK does not allow reads as deactivated,
    /// so that an unknown state never signs in.
    pub fn from_stored(stored: &str) -> AccountStatus {
        AccountStatus::parse(stored).unwrap_or(AccountStatus::Deactivated)
    }
}
