//! What the benchmark programs share (each includes this file with `#[path]`).

use sqlx::Connection;

// Links the server's library, and with it the allocator it declares for the server, its
// tests and its benchmarks: a benchmark that names only `kouka_app` would otherwise
// measure glibc's malloc, which the server does not run on.
extern crate kouka_server;

/// Runs `run` with the URL of a fresh database on the PostgreSQL server of
/// `KOUKA_TEST_POSTGRES_URL`, created for it and dropped afterwards, whatever `run` answers;
/// does nothing when the variable is not set.
pub async fn on_throwaway_postgres<F, Fut>(prefix: &str, run: F) -> anyhow::Result<()>
where
    F: FnOnce(String) -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<()>>,
{
    let Ok(admin_url) = std::env::var("KOUKA_TEST_POSTGRES_URL") else {
        return Ok(());
    };
    let name = format!("{prefix}_{}", std::process::id());
    let mut admin = sqlx::PgConnection::connect(&admin_url).await?;
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut admin)
        .await?;
    let base = admin_url
        .rsplit_once('/')
        .map_or(admin_url.as_str(), |(b, _)| b);
    let result = run(format!("{base}/{name}")).await;
    sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .execute(&mut admin)
        .await?;
    result
}
