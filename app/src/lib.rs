#![recursion_limit = "256"]
//! Kouka's Leptos application, shared by the server (feature `ssr`) and the browser
//! (feature `hydrate`).
//!
//! - [`domain`]: pure rules and types, no I/O.
//! - [`i18n`]: the typed Japanese/English dictionary and language negotiation.
//! - [`components`] and [`pages`]: the UI.
//! - [`backend`] (server only): storage, audit writer.

pub mod api;
pub mod components;
pub mod domain;
pub mod error;
pub mod i18n;
pub mod on_demand;
pub mod pages;
pub mod shell;

#[cfg(feature = "ssr")]
pub mod backend;

pub use shell::App;
#[cfg(feature = "ssr")]
pub use shell::shell;
