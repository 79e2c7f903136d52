//! The router: Leptos pages and server functions, `/healthz`, `/lang/{code}`, `/pkg`, and
//! the layers every request passes (access log, security headers, cross-site guard, timeout,
//! body limit).

use crate::bundle;
use crate::config::Config;
use crate::security::{SecurityPolicy, cross_site_guard, security_headers};
use crate::static_files::{pkg_service, precompress_dir};
use axum::Router;
use axum::extract::{ConnectInfo, DefaultBodyLimit, FromRef, Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Json, Redirect, Response};
use axum::routing::get;
use axum::serve::ListenerExt;
use kouka_app::api::context::{AuthRateLimiter, ServerSettings, Services};
use kouka_app::api::org_http;
use kouka_app::backend::db::Db;
use kouka_app::backend::mail::{MailHandle, MailSettings, MailTransport, spawn_mail_worker};
use kouka_app::backend::org_events::OrgEvents;
use kouka_app::backend::org_import::ImportJobs;
use kouka_app::backend::rate_limit::RateLimiter;
use kouka_app::components::lang_switch::lang_cookie_value;
use kouka_app::error::AppError;
use kouka_app::i18n::Lang;
use kouka_app::{App, shell};
use leptos::config::{Env, LeptosOptions};
use leptos_axum::{AxumRouteListing, LeptosRoutes, generate_route_list};
use std::future::Future;
use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};
use tokio::net::TcpListener;
use tower_http::CompressionLevel;
use tower_http::compression::CompressionLayer;
use tower_http::compression::predicate::{NotForContentType, Predicate, SizeAbove};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};

/// How pages and answers made per request are compressed: gzip at level 4, and nothing
/// under 1 KiB. Brotli at the libraries' default quality (11) took about 80 ms of CPU for
/// a directory page a browser asked for, and even at quality 4 it sets up a window of
/// megabytes for every response (a third of the sign-in page's throughput); gzip level 4
/// costs a fraction of rendering and keeps most of the saving. The bundle under /pkg is
/// precompressed once with brotli 11 (static_files) and passes this layer untouched.
fn dynamic_compression() -> CompressionLayer<impl Predicate> {
    let worth_it = SizeAbove::new(1024)
        .and(NotForContentType::GRPC)
        .and(NotForContentType::IMAGES)
        .and(NotForContentType::SSE);
    CompressionLayer::new()
        .quality(CompressionLevel::Precise(4))
        .compress_when(worth_it)
}

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub db: Db,
    pub config: Arc<Config>,
    /// Wakes the mail worker after a transaction that enqueued mail commits.
    pub mail: MailHandle,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

/// Leptos' options, derived from our configuration rather than read separately, so one
/// set of variables configures the whole server; the bundle's names come from the site
/// folder itself ([`bundle`]).
fn leptos_options(config: &Config) -> LeptosOptions {
    let output_name = option_env!("LEPTOS_OUTPUT_NAME").unwrap_or("kouka");
    let found = bundle::find(&config.site_root.join("pkg"), output_name);
    let hash_file = found
        .as_ref()
        .and_then(|b| b.write_hash_file(&config.data_dir).ok())
        .flatten();
    LeptosOptions::builder()
        .output_name(output_name)
        .site_root(config.site_root.display().to_string())
        .site_pkg_dir("pkg")
        .site_addr(config.site_addr)
        .env(if config.production {
            Env::PROD
        } else {
            Env::DEV
        })
        .hash_files(hash_file.is_some())
        .hash_file(
            hash_file
                .map(|path| path.display().to_string())
                .unwrap_or_else(|| "hash.txt".into())
                .into(),
        )
        .reload_port(u32::from(config.live_reload_port.unwrap_or(3001)))
        .build()
}

/// The parts of the server that live as long as it does, besides the database.
#[derive(Clone)]
pub struct Background {
    /// Wakes the mail worker after a transaction that enqueued mail commits.
    pub mail: MailHandle,
    /// The live org chart hub.
    pub org_events: OrgEvents,
    /// The CSV import jobs.
    pub imports: ImportJobs,
    /// The bulk PDF jobs.
    pub pdf_jobs: kouka_app::backend::evaluation::pdf_jobs::PdfJobs,
}

/// Builds the whole application over an already connected and migrated database, with the
/// background parts [`serve`] runs.
pub fn build_router(config: Config, db: Db, background: Background) -> Router {
    let config = Arc::new(config);
    let trusted_proxies = Arc::new(config.trusted_proxies.clone());
    let leptos_options = leptos_options(&config);
    let policy = Arc::new(SecurityPolicy {
        base_url: config.base_url.clone(),
        live_reload: config
            .live_reload_port
            .map(|port| format!("ws://{}:{port}", config.site_addr.ip())),
    });
    let state = AppState {
        leptos_options: leptos_options.clone(),
        db: db.clone(),
        config: config.clone(),
        mail: background.mail.clone(),
    };
    let pkg_dir = config.site_root.join("pkg");
    let routes = route_list();
    let services = Services {
        db: db.clone(),
        settings: ServerSettings {
            base_url: config.base_url.url.clone(),
            https: config.base_url.https,
        },
        mail: Some(background.mail.clone()),
        limiter: AuthRateLimiter(Arc::new(RateLimiter::new(
            config.auth_rate_limit,
            std::time::Duration::from_secs(600),
        ))),
        org_events: Some(background.org_events.clone()),
        imports: Some(background.imports.clone()),
        pdf_jobs: Some(background.pdf_jobs.clone()),
    };

    // Pages, server functions and downloads: the ordinary body limit and timeout.
    let pages = Router::new()
        .route("/healthz", get(healthz))
        .route("/lang/{code}", get(switch_lang))
        .nest_service("/pkg", pkg_service(pkg_dir, leptos_options.hash_files))
        .merge(org_http::download_router(services.clone()))
        .leptos_routes_with_context(
            &state,
            routes,
            {
                let services = services.clone();
                move || services.provide()
            },
            {
                let options = leptos_options.clone();
                move || shell(options.clone())
            },
        )
        // A page that does not exist renders with the app's context like any other (the
        // signed-in user in the header; no "no Db" error logged for a plain 404).
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            AppState,
            _,
        >(
            {
                let services = services.clone();
                move || services.provide()
            },
            shell,
        ))
        .with_state(state)
        // Each page's render keeps its own reactive owner (request_owner: Leptos otherwise
        // put one page's preload links into another's head).
        .layer(axum::middleware::from_fn(
            crate::request_owner::keep_request_owner,
        ))
        .layer(DefaultBodyLimit::max(config.body_limit))
        .layer(RequestBodyLimitLayer::new(config.body_limit))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            config.request_timeout,
        ));
    // The CSV upload: a file far larger than any form, and time to send it.
    let upload = org_http::upload_router(services.clone())
        .layer(DefaultBodyLimit::max(config.import_limit))
        .layer(RequestBodyLimitLayer::new(config.import_limit))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            std::time::Duration::from_secs(300),
        ));
    // The live stream stays open as long as the page does: no timeout.
    let events = org_http::events_router(services)
        .layer(DefaultBodyLimit::max(config.body_limit))
        .layer(RequestBodyLimitLayer::new(config.body_limit));

    pages
        .merge(upload)
        .merge(events)
        // Innermost first: the error status, compression, then the guard, then headers on everything
        // (refusals included), then the access log around it all.
        .layer(axum::middleware::from_fn(server_fn_error_status))
        // Outside the error status (which reads error bodies as they are): pages and answers
        // compress well (the org chart of 5,000 departments is 1.6 MB of HTML); the bundle
        // under /pkg is precompressed and passes untouched, as do the live event streams.
        .layer(dynamic_compression())
        .layer(axum::middleware::from_fn_with_state(
            policy.clone(),
            cross_site_guard,
        ))
        .layer(axum::middleware::from_fn_with_state(
            policy,
            security_headers,
        ))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(access_log_span)
                .on_response(DefaultOnResponse::new().level(tracing::Level::INFO)),
        )
        // Outermost: every layer and handler inside sees the client's address.
        .layer(axum::middleware::from_fn_with_state(
            trusted_proxies,
            crate::client_addr::resolve_client,
        ))
}

/// The app's routes, worked out once per process. Leptos finds them by rendering the app
/// with every resource's loading suppressed by a process-wide flag; a resource that first
/// runs in another render meanwhile would wait forever (leptos-rs/leptos#4773). A second
/// server in the same process (the tests start many) must not render the app like that
/// again while the first serves pages.
fn route_list() -> Vec<AxumRouteListing> {
    static ROUTES: OnceLock<Vec<AxumRouteListing>> = OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

/// The access log (通信ログ): one line per request with IP, method, path, status, user agent
/// and latency. The query string is left out, and the secret of a one-time link's path is
/// replaced by `…`: whoever reads the log must not be able to redeem a link.
fn access_log_span(request: &http::Request<axum::body::Body>) -> tracing::Span {
    let ip = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|info| info.0.ip().to_string())
        .unwrap_or_default();
    let user_agent = request
        .headers()
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    tracing::info_span!(
        "request",
        method = %request.method(),
        path = %kouka_app::backend::tokens::loggable_path(request.uri().path()),
        ip,
        user_agent,
    )
}

/// Server functions answer every error with 500; this gives each the status of its
/// [`AppError`] (401, 403, 404, 409, 422, 429…), so clients and the access log see what
/// happened. The body, the serialized error, is passed on unchanged.
async fn server_fn_error_status(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let response = next.run(request).await;
    if !response.headers().contains_key("serverfnerror") {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 64 * 1024).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    if let Ok(error) = serde_json::from_slice::<AppError>(&bytes) {
        parts.status =
            StatusCode::from_u16(error.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    }
    Response::from_parts(parts, axum::body::Body::from(bytes))
}

/// The body of `/healthz`, fields in this order: `{"status":"ok","database":"sqlite"}`.
#[derive(serde::Serialize)]
struct Health {
    status: &'static str,
    database: &'static str,
}

/// `GET /healthz`: 200 after a real query, 503 when the database does not answer.
async fn healthz(State(state): State<AppState>) -> Response {
    let database = state.db.kind().name();
    match state.db.ping().await {
        Ok(()) => Json(Health {
            status: "ok",
            database,
        })
        .into_response(),
        Err(error) => {
            tracing::error!(%error, "health check: database unreachable");
            let body = Health {
                status: "unavailable",
                database,
            };
            (StatusCode::SERVICE_UNAVAILABLE, Json(body)).into_response()
        }
    }
}

/// `GET /lang/{code}`: remembers the language in a cookie and goes back to the page the
/// reader came from (only if it is one of ours). The no-JavaScript path of the switcher.
async fn switch_lang(
    State(state): State<AppState>,
    Path(code): Path<String>,
    headers: HeaderMap,
) -> Response {
    let Some(lang) = Lang::from_tag(&code) else {
        return (StatusCode::NOT_FOUND, "unknown language / 未対応の言語です").into_response();
    };
    let back = headers
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(|referer| referer.strip_prefix(state.config.base_url.origin.as_str()))
        .filter(|path| path.starts_with('/') && !path.starts_with("//"))
        .unwrap_or("/")
        .to_owned();
    let cookie = lang_cookie_value(lang, state.config.base_url.https);
    ([(header::SET_COOKIE, cookie)], Redirect::to(&back)).into_response()
}

/// Serves until `shutdown` resolves, then finishes the requests in flight, stops the mail
/// worker and closes the database. Precompresses the browser bundle in the background on
/// the way up.
pub async fn serve(
    listener: TcpListener,
    config: Config,
    db: Db,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let pkg_dir = config.site_root.join("pkg");
    let output_name = option_env!("LEPTOS_OUTPUT_NAME").unwrap_or("kouka");
    match bundle::find(&pkg_dir, output_name) {
        Some(found) => tracing::info!(
            bundle = %found.describe(output_name),
            folder = %pkg_dir.display(),
            "serving the browser bundle"
        ),
        // Pages would reference files that do not exist: unstyled, never interactive.
        None if config.production => {
            return Err(std::io::Error::other(format!(
                "no browser bundle in {} ({output_name}.*.js and .wasm): build the site with                  scripts/build.sh or set LEPTOS_SITE_ROOT to the built site                  (ブラウザ用のファイルが見つかりません)",
                pkg_dir.display()
            )));
        }
        None => tracing::warn!(
            folder = %pkg_dir.display(),
            "no browser bundle: pages are served without styles and scripts"
        ),
    }
    tokio::task::spawn_blocking(move || match precompress_dir(&pkg_dir) {
        Ok(0) => {}
        Ok(n) => tracing::info!(files = n, "precompressed the browser bundle"),
        Err(error) => tracing::warn!(%error, "could not precompress the browser bundle"),
    });
    let mail_worker = spawn_mail_worker(
        db.clone(),
        MailSettings {
            transport: MailTransport::from_config(config.smtp_url.clone(), config.mail_dir.clone()),
            from: config.mail_from.clone(),
            concurrency: config.mail_concurrency,
            per_second: config.mail_per_second,
        },
    );
    let reminder_worker = config.reminder_interval.map(|interval| {
        kouka_app::backend::evaluation::reminders::spawn_reminder_worker(
            db.clone(),
            config.base_url.url.clone(),
            mail_worker.handle(),
            interval,
        )
    });
    let (org_events, org_listener) = OrgEvents::start(db.clone(), &config.database_url);
    let imports = ImportJobs::new(config.data_dir.join("uploads"));
    let sweeper = imports.clone();
    tokio::task::spawn_blocking(move || match sweeper.remove_leftover_uploads() {
        Ok(0) => {}
        Ok(n) => tracing::info!(files = n, "removed uploads left by an earlier run"),
        Err(error) => tracing::warn!(%error, "could not remove uploads left by an earlier run"),
    });
    let pdf_jobs =
        kouka_app::backend::evaluation::pdf_jobs::PdfJobs::new(config.data_dir.join("exports"));
    let background = Background {
        pdf_jobs,
        mail: mail_worker.handle(),
        org_events: org_events.clone(),
        imports,
    };
    // Live streams never end by themselves: close them when shutdown begins.
    let shutdown = async move {
        shutdown.await;
        org_events.close();
    };
    let app = build_router(config, db.clone(), background);
    // Pages are streamed in several writes: without TCP_NODELAY, Nagle's algorithm holds
    // the last one until the client's delayed ACK, up to 40 ms on every kept-alive request.
    let listener = listener.tap_io(|stream| {
        if let Err(error) = stream.set_nodelay(true) {
            tracing::debug!(%error, "could not set TCP_NODELAY");
        }
    });
    let result = axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await;
    // Before closing the database: the workers' passes in progress still need it.
    if let Some(worker) = reminder_worker {
        worker.shutdown().await;
    }
    mail_worker.shutdown().await;
    if let Some(listener) = org_listener {
        listener.abort();
    }
    db.close().await;
    result
}
