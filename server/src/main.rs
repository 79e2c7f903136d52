//! `kouka`: the Kouka server and its operator commands.

use clap::{Parser, Subcommand};
use kouka_app::backend::db::Db;
use kouka_server::config::Config;
use kouka_server::operator::{self, DemoArgs, TenantCommand};
use kouka_server::{serve, telemetry};
use std::process::ExitCode;

const ENVIRONMENT_HELP: &str = "\
Configuration (environment variables, or a .env file in the working directory):
  DATABASE_URL                 sqlite://data/kouka.db (default) or postgres://user:pass@host/db
  LEPTOS_SITE_ADDR             address to listen on (default 127.0.0.1:3000)
  LEPTOS_SITE_ROOT             the built site with pkg/ (default target/site)
  KOUKA_BASE_URL               public URL for links in mails and the allowed Origin
                               (default http://{LEPTOS_SITE_ADDR})
  KOUKA_DATA_DIR               local data folder (default data)
  KOUKA_MAIL_DIR               .eml output when KOUKA_SMTP_URL is unset (default {KOUKA_DATA_DIR}/mail)
  KOUKA_SMTP_URL               SMTP server, e.g. smtp://localhost:25 (default: unset)
  KOUKA_MAIL_FROM              sender of every mail (default Kouka <no-reply@localhost>)
  KOUKA_LOG_FORMAT             text (default) or json
  KOUKA_REQUEST_TIMEOUT_SECS   request timeout (default 30)
  KOUKA_BODY_LIMIT_BYTES       largest request body (default 2097152)
  KOUKA_IMPORT_LIMIT_BYTES     largest organization CSV import (default 67108864)
  KOUKA_MAIL_CONCURRENCY       mail deliveries under way at once (default 4)
  KOUKA_MAIL_PER_SECOND        at most this many mails a second (default 0: no limit)
  KOUKA_REMINDER_INTERVAL_SECS how often the periods' reminders are looked for (default 300; 0: off)
  KOUKA_AUTH_RATE_LIMIT        login/setup/reset attempts per IP in 10 minutes (default 30)
  KOUKA_TRUSTED_PROXIES        reverse proxies whose X-Forwarded-For names the client,
                               e.g. 10.0.0.0/8,::1 (default none: the header is ignored)
  RUST_LOG                     log levels (default info)";

#[derive(Parser)]
#[command(
    name = "kouka",
    version,
    about = "Kouka (考課): personnel evaluation cloud",
    after_help = ENVIRONMENT_HELP
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Apply pending migrations, then serve the web app (the default).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Operator commands for tenants and contracts.
    #[command(subcommand)]
    Tenant(TenantCommand),
    /// Create a demo company with people, departments and a sheet template, and print
    /// how to sign in to it (for trying Kouka out; never reachable from the web).
    Demo(DemoArgs),
}

/// Stack of each runtime thread: rendering a page nests deeply (each component a few
/// frames), so leave room well beyond the 2 MiB default.
const THREAD_STACK: usize = 8 * 1024 * 1024;

fn main() -> ExitCode {
    match tokio::runtime::Builder::new_multi_thread()
        .thread_stack_size(THREAD_STACK)
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime.block_on(run()),
        Err(error) => {
            eprintln!("kouka: cannot start the runtime: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> ExitCode {
    let cli = Cli::parse();
    if let Err(error) = dotenvy::dotenv()
        && !error.not_found()
    {
        eprintln!("kouka: cannot read .env: {error}");
        return ExitCode::FAILURE;
    }
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(error) => {
            eprintln!("kouka: {error}");
            return ExitCode::FAILURE;
        }
    };
    telemetry::init(config.log_format);
    let result = match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => run_serve(config).await,
        Command::Migrate => run_migrate(config).await,
        Command::Tenant(command) => run_tenant(config, command).await,
        Command::Demo(args) => run_demo(config, args).await,
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!("{error:#}");
            eprintln!("kouka: {error:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run_migrate(config: Config) -> anyhow::Result<()> {
    let db = Db::connect_and_migrate(&config.database_url).await?;
    tracing::info!(database = db.kind().name(), "migrations applied");
    db.close().await;
    Ok(())
}

async fn run_tenant(config: Config, command: TenantCommand) -> anyhow::Result<()> {
    run_operator(config, |db, base_url| async move {
        operator::run(&db, &base_url, command).await
    })
    .await
}

async fn run_demo(config: Config, args: DemoArgs) -> anyhow::Result<()> {
    run_operator(config, |db, base_url| async move {
        operator::run_demo(&db, &base_url, args).await
    })
    .await
}

/// An operator command on the migrated database: prints what it answers, or fails with it.
async fn run_operator<F, Fut>(config: Config, command: F) -> anyhow::Result<()>
where
    F: FnOnce(Db, String) -> Fut,
    Fut: std::future::Future<Output = Result<String, String>>,
{
    let db = Db::connect_and_migrate(&config.database_url).await?;
    let result = command(db.clone(), config.base_url.url.clone()).await;
    db.close().await;
    match result {
        Ok(output) => {
            print!("{output}");
            Ok(())
        }
        Err(message) => Err(anyhow::anyhow!(message)),
    }
}

async fn run_serve(config: Config) -> anyhow::Result<()> {
    let db = Db::connect_and_migrate(&config.database_url).await?;
    let listener = tokio::net::TcpListener::bind(config.site_addr)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", config.site_addr))?;
    tracing::info!(
        database = db.kind().name(),
        "Kouka is serving at http://{}",
        listener.local_addr()?
    );
    serve(listener, config, db, shutdown_signal()).await?;
    tracing::info!("stopped");
    Ok(())
}

/// Ctrl-C or SIGTERM: stop taking connections, finish the requests in flight.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}
