//! The real server for the HTTP benchmarks (`bench_http`, `bench_sheets`), and what they
//! measure a run of requests with. Included with `#[path]`.
#![allow(dead_code)] // each benchmark uses its part

use kouka_app::backend::db::Db;
use kouka_server::config::{BaseUrl, Config};
use std::time::Duration;

pub type Server = tokio::task::JoinHandle<std::io::Result<()>>;

/// The server as `kouka serve` runs it, on `url`'s database (migrated), on a free port of
/// 127.0.0.1, with its data folder under `dir`; the built site when there is one. Answers
/// the database, the address, the stop switch and the server's task.
pub async fn start_server(
    url: &str,
    dir: &std::path::Path,
) -> anyhow::Result<(
    Db,
    std::net::SocketAddr,
    tokio::sync::oneshot::Sender<()>,
    Server,
)> {
    let db = Db::connect_and_migrate(url).await?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let mut config = Config::from_lookup(|_| None)?;
    config.database_url = url.to_owned();
    config.site_addr = addr;
    config.base_url = BaseUrl::parse(&format!("http://{addr}"))?;
    config.data_dir = dir.join("data");
    config.mail_dir = config.data_dir.join("mail");
    let site = std::path::PathBuf::from("target/site");
    if site.join("pkg").is_dir() {
        config.site_root = site;
    } else {
        // No built site: pages without the bundle (a release build would refuse them).
        config.site_root = dir.join("site");
        config.production = false;
    }
    // Thousands of sign-ins from one address.
    config.auth_rate_limit = 10_000_000;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(kouka_server::serve(listener, config, db.clone(), async {
        let _ = stopped.await;
    }));
    Ok((db, addr, stop, server))
}

#[derive(Default)]
pub struct Run {
    pub latencies: Vec<Duration>,
    pub errors: usize,
    /// Bytes of body received, as sent (compressed when the server compressed).
    pub body_bytes: usize,
}

impl Run {
    pub fn per_second(&self, phase: Duration) -> f64 {
        self.latencies.len() as f64 / phase.as_secs_f64()
    }

    /// In milliseconds.
    pub fn percentile(&self, p: f64) -> f64 {
        let mut sorted = self.latencies.clone();
        sorted.sort();
        if sorted.is_empty() {
            return f64::NAN;
        }
        let index = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
        sorted[index].as_secs_f64() * 1e3
    }

    pub fn merge(&mut self, other: Run) {
        self.latencies.extend(other.latencies);
        self.errors += other.errors;
        self.body_bytes += other.body_bytes;
    }

    /// The mean body size of a successful response, in KiB as sent.
    pub fn kib_per_response(&self) -> f64 {
        self.body_bytes as f64 / self.latencies.len().max(1) as f64 / 1024.0
    }
}

/// `http://host:port` of a URL.
pub fn base_of(url: &str) -> String {
    url.splitn(4, '/').take(3).collect::<Vec<_>>().join("/")
}

/// One client, one kept-alive connection.
pub fn connection() -> reqwest::Client {
    reqwest::Client::builder()
        .pool_max_idle_per_host(1)
        .build()
        .unwrap_or_default()
}
