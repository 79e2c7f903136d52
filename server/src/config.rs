//! Configuration from the environment (and `.env`, loaded by `main`). Every variable is
//! listed in the README and in `kouka --help`; each has a safe default for a laptop.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

#[derive(Clone, Debug)]
pub struct Config {
    /// `DATABASE_URL`: `sqlite://…` (default `sqlite://data/kouka.db`) or `postgres://…`.
    pub database_url: String,
    /// `LEPTOS_SITE_ADDR`: where to listen (default `127.0.0.1:3000`).
    pub site_addr: SocketAddr,
    /// `LEPTOS_SITE_ROOT`: the built site, holding `pkg/` (default `target/site`).
    pub site_root: PathBuf,
    /// `KOUKA_BASE_URL`: the public URL; links in e-mails are built from it, never from the
    /// request's Host header, and its origin is the only one allowed to send non-GET
    /// requests. Default `http://{LEPTOS_SITE_ADDR}`.
    pub base_url: BaseUrl,
    /// `KOUKA_DATA_DIR`: the folder for local data (default `data`).
    pub data_dir: PathBuf,
    /// `KOUKA_MAIL_DIR`: where mails are written as `.eml` files when no SMTP server is set
    /// (default `{KOUKA_DATA_DIR}/mail`).
    pub mail_dir: PathBuf,
    /// `KOUKA_SMTP_URL`: e.g. `smtp://localhost:25` or `smtps://user:pass@host`; unset means
    /// mails go to `KOUKA_MAIL_DIR`.
    pub smtp_url: Option<String>,
    /// `KOUKA_MAIL_FROM`: the `From` of every mail (default `Kouka <no-reply@localhost>`).
    pub mail_from: String,
    /// `KOUKA_MAIL_CONCURRENCY`: deliveries under way at once (default 4).
    pub mail_concurrency: usize,
    /// `KOUKA_MAIL_PER_SECOND`: at most this many mails a second (default 0: no limit,
    /// as fast as the SMTP server accepts them).
    pub mail_per_second: Option<u32>,
    /// `KOUKA_LOG_FORMAT`: `text` (default) or `json`. Levels come from `RUST_LOG`.
    pub log_format: LogFormat,
    /// `KOUKA_REQUEST_TIMEOUT_SECS`: a request taking longer is answered 408 (default 30).
    pub request_timeout: Duration,
    /// `KOUKA_REMINDER_INTERVAL_SECS`: how often the periods' reminder schedule looks for
    /// mails due (default 300; 0 turns the schedule off in this process).
    pub reminder_interval: Option<Duration>,
    /// `KOUKA_BODY_LIMIT_BYTES`: the largest request body accepted (default 2 MiB).
    pub body_limit: usize,
    /// `KOUKA_IMPORT_LIMIT_BYTES`: the largest CSV file the organization import accepts
    /// (default 64 MiB; 100,000 employees take about 15 MiB).
    pub import_limit: usize,
    /// `KOUKA_AUTH_RATE_LIMIT`: login, setup and reset attempts allowed per IP address in
    /// 10 minutes (default 30).
    pub auth_rate_limit: usize,
    /// `KOUKA_TRUSTED_PROXIES`: comma-separated addresses or networks of reverse proxies
    /// whose `X-Forwarded-For` names the client (default none: the header is ignored).
    pub trusted_proxies: crate::client_addr::TrustedProxies,
    /// `LEPTOS_ENV` (`DEV`/`PROD`); default PROD in release builds, DEV in debug builds.
    pub production: bool,
    /// Set by `cargo leptos watch` (`LEPTOS_WATCH`): the page may connect to the
    /// live-reload server on `LEPTOS_RELOAD_PORT` (default 3001).
    pub live_reload_port: Option<u16>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

/// The public base URL, with the origin derived from it once.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BaseUrl {
    /// Without a trailing slash, e.g. `https://kouka.example.jp`.
    pub url: String,
    /// `scheme://host[:port]`, as browsers send it in the `Origin` header.
    pub origin: String,
    pub https: bool,
}

impl BaseUrl {
    pub fn parse(value: &str) -> Result<BaseUrl, ConfigError> {
        let invalid = || ConfigError::Invalid {
            name: "KOUKA_BASE_URL",
            value: value.to_owned(),
            expected: "an absolute http:// or https:// URL",
        };
        let uri: http::Uri = value.parse().map_err(|_| invalid())?;
        let https = match uri.scheme_str() {
            Some("https") => true,
            Some("http") => false,
            _ => return Err(invalid()),
        };
        let authority = uri.authority().ok_or_else(invalid)?;
        let host = authority.host().to_ascii_lowercase();
        let port = match (authority.port_u16(), https) {
            (Some(443), true) | (Some(80), false) | (None, _) => String::new(),
            (Some(port), _) => format!(":{port}"),
        };
        let scheme = if https { "https" } else { "http" };
        let origin = format!("{scheme}://{host}{port}");
        let path = uri.path().trim_end_matches('/');
        Ok(BaseUrl {
            url: format!("{origin}{path}"),
            origin,
            https,
        })
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error(
        "{name}={value:?} is not valid: expected {expected} (設定値 {name} が正しくありません)"
    )]
    Invalid {
        name: &'static str,
        value: String,
        expected: &'static str,
    },
}

impl Config {
    /// Reads the process environment.
    pub fn from_env() -> Result<Config, ConfigError> {
        Config::from_lookup(|name| std::env::var(name).ok().filter(|v| !v.is_empty()))
    }

    /// Reads configuration through `lookup` (the environment, or a map in tests).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let site_addr: SocketAddr = parse(
            "LEPTOS_SITE_ADDR",
            lookup("LEPTOS_SITE_ADDR").as_deref(),
            "127.0.0.1:3000",
            "host:port, e.g. 127.0.0.1:3000",
        )?;
        let data_dir = PathBuf::from(lookup("KOUKA_DATA_DIR").unwrap_or_else(|| "data".into()));
        let base_url = BaseUrl::parse(
            &lookup("KOUKA_BASE_URL").unwrap_or_else(|| format!("http://{site_addr}")),
        )?;
        let log_format = match lookup("KOUKA_LOG_FORMAT").as_deref() {
            None | Some("text") => LogFormat::Text,
            Some("json") => LogFormat::Json,
            Some(other) => {
                return Err(ConfigError::Invalid {
                    name: "KOUKA_LOG_FORMAT",
                    value: other.to_owned(),
                    expected: "text or json",
                });
            }
        };
        let timeout_secs: u64 = parse(
            "KOUKA_REQUEST_TIMEOUT_SECS",
            lookup("KOUKA_REQUEST_TIMEOUT_SECS").as_deref(),
            "30",
            "a whole number of seconds",
        )?;
        Ok(Config {
            database_url: lookup("DATABASE_URL").unwrap_or_else(|| "sqlite://data/kouka.db".into()),
            site_addr,
            site_root: PathBuf::from(
                lookup("LEPTOS_SITE_ROOT").unwrap_or_else(|| "target/site".into()),
            ),
            base_url,
            mail_dir: lookup("KOUKA_MAIL_DIR")
                .map(PathBuf::from)
                .unwrap_or_else(|| data_dir.join("mail")),
            data_dir,
            smtp_url: lookup("KOUKA_SMTP_URL"),
            mail_from: lookup("KOUKA_MAIL_FROM")
                .unwrap_or_else(|| "Kouka <no-reply@localhost>".into()),
            mail_concurrency: parse(
                "KOUKA_MAIL_CONCURRENCY",
                lookup("KOUKA_MAIL_CONCURRENCY").as_deref(),
                "4",
                "a number of deliveries from 1 to 64",
            )
            .and_then(|n: usize| {
                if (1..=64).contains(&n) {
                    Ok(n)
                } else {
                    Err(ConfigError::Invalid {
                        name: "KOUKA_MAIL_CONCURRENCY",
                        value: n.to_string(),
                        expected: "a number of deliveries from 1 to 64",
                    })
                }
            })?,
            mail_per_second: Some(parse::<u32>(
                "KOUKA_MAIL_PER_SECOND",
                lookup("KOUKA_MAIL_PER_SECOND").as_deref(),
                "0",
                "a number of mails a second (0: no limit)",
            )?)
            .filter(|n| *n > 0),
            log_format,
            request_timeout: Duration::from_secs(timeout_secs),
            reminder_interval: Some(Duration::from_secs(parse::<u64>(
                "KOUKA_REMINDER_INTERVAL_SECS",
                lookup("KOUKA_REMINDER_INTERVAL_SECS").as_deref(),
                "300",
                "a whole number of seconds (0: off)",
            )?))
            .filter(|d| !d.is_zero()),
            body_limit: parse(
                "KOUKA_BODY_LIMIT_BYTES",
                lookup("KOUKA_BODY_LIMIT_BYTES").as_deref(),
                "2097152",
                "a number of bytes",
            )?,
            import_limit: parse(
                "KOUKA_IMPORT_LIMIT_BYTES",
                lookup("KOUKA_IMPORT_LIMIT_BYTES").as_deref(),
                "67108864",
                "a number of bytes",
            )?,
            auth_rate_limit: parse(
                "KOUKA_AUTH_RATE_LIMIT",
                lookup("KOUKA_AUTH_RATE_LIMIT").as_deref(),
                "30",
                "a number of attempts",
            )?,
            trusted_proxies: match lookup("KOUKA_TRUSTED_PROXIES") {
                None => crate::client_addr::TrustedProxies::default(),
                Some(list) => {
                    crate::client_addr::TrustedProxies::parse(&list).map_err(|entry| {
                        ConfigError::Invalid {
                            name: "KOUKA_TRUSTED_PROXIES",
                            value: entry,
                            expected: "IP addresses or networks, e.g. 10.0.0.0/8,::1",
                        }
                    })?
                }
            },
            production: match lookup("LEPTOS_ENV") {
                Some(value) => {
                    !matches!(value.to_ascii_lowercase().as_str(), "dev" | "development")
                }
                None => !cfg!(debug_assertions),
            },
            live_reload_port: match lookup("LEPTOS_WATCH") {
                Some(_) => Some(parse(
                    "LEPTOS_RELOAD_PORT",
                    lookup("LEPTOS_RELOAD_PORT").as_deref(),
                    "3001",
                    "a port number",
                )?),
                None => None,
            },
        })
    }
}

/// cargo-leptos writes `hash.txt` beside the binary when it hashes the bundle's names.
fn parse<T: std::str::FromStr>(
    name: &'static str,
    value: Option<&str>,
    default: &str,
    expected: &'static str,
) -> Result<T, ConfigError> {
    let value = value.unwrap_or(default);
    value.trim().parse().map_err(|_| ConfigError::Invalid {
        name,
        value: value.to_owned(),
        expected,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(|name| map.get(name).cloned())
    }

    #[test]
    fn defaults_suit_a_laptop() {
        let c = config(&[]).expect("defaults are valid");
        assert_eq!(c.database_url, "sqlite://data/kouka.db");
        assert_eq!(c.site_addr.to_string(), "127.0.0.1:3000");
        assert_eq!(c.base_url.origin, "http://127.0.0.1:3000");
        assert_eq!(c.mail_dir, PathBuf::from("data/mail"));
        assert_eq!(c.log_format, LogFormat::Text);
        assert!(!c.base_url.https);
    }

    #[test]
    fn mail_goes_to_the_folder_from_a_local_sender_by_default() {
        let c = config(&[]).expect("defaults are valid");
        assert_eq!(c.mail_from, "Kouka <no-reply@localhost>");
        assert_eq!(c.smtp_url, None);
        let c = config(&[("KOUKA_MAIL_FROM", "考課 <no-reply@example.jp>")]).expect("valid");
        assert_eq!(c.mail_from, "考課 <no-reply@example.jp>");
    }

    #[test]
    fn base_url_origin_drops_default_port_and_path() {
        let b = BaseUrl::parse("https://Kouka.Example.jp:443/app/").expect("valid");
        assert_eq!(b.origin, "https://kouka.example.jp");
        assert_eq!(b.url, "https://kouka.example.jp/app");
        assert!(b.https);
        assert!(BaseUrl::parse("ftp://x").is_err());
        assert!(BaseUrl::parse("/relative").is_err());
    }

    #[test]
    fn bad_values_name_the_variable() {
        let err = config(&[("KOUKA_LOG_FORMAT", "yaml")]).expect_err("refused");
        assert!(err.to_string().contains("KOUKA_LOG_FORMAT"));
        let err = config(&[("LEPTOS_SITE_ADDR", "nowhere")]).expect_err("refused");
        assert!(err.to_string().contains("LEPTOS_SITE_ADDR"));
    }
}
