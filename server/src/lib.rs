//! The `kouka` server: configuration, command line, the axum router and its layers.

pub mod bundle;
pub mod client_addr;
pub mod config;
pub mod operator;
pub mod security;
pub mod static_files;
pub mod telemetry;
mod web;

pub use web::{AppState, Background, build_router, serve};
