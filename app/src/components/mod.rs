//! Reusable pieces of UI.

pub mod lang_switch;
pub mod layout;
