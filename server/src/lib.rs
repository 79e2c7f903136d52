//! The `kouka` server: configuration, command line, the axum router and its layers.

pub mod bundle;
pub mod client_addr;
pub mod config;
pub mod operator;
mod request_owner;
pub mod security;
pub mod static_files;
pub mod telemetry;
mod web;

pub use web::{AppState, Background, build_router, serve};

/// mimalloc instead of glibc's allocator: rendering a page allocates many small strings and
/// reactive nodes across threads, and glibc's malloc and free took about a quarter of a
/// signed-in page's time (bench_http under perf). In the library, so the server, its tests
/// and its benchmarks all run on the same allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
