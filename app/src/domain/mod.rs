//! Pure rules and types: no I/O, no Leptos. Most unit tests live here.

pub mod ids;
pub mod time;
