//! Reusable pieces of UI.

pub mod autosave;
pub mod browser;
pub mod charts;
pub mod forms;
pub mod gate;
pub mod lang_switch;
pub mod layout;
pub mod mail_queue;
pub mod page_title;
pub mod pager;
pub mod picker;
pub mod record_text;
