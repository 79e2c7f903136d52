//! Test harness: the real axum app on 127.0.0.1:0 over a fresh database, SQLite or
//! PostgreSQL. PostgreSQL tests use `KOUKA_TEST_POSTGRES_URL` (`make test` starts a
//! throwaway server and sets it); each test gets its own new database there.
#![allow(dead_code)]

use kouka_app::backend::accounts;
use kouka_app::backend::audit::{self, LoggedEntry, Outcome, RequestOrigin};
use kouka_app::backend::db::{Db, DbKind};
use kouka_app::backend::secrets::ScopedSecret;
use kouka_app::backend::sessions::SessionUser;
use kouka_app::backend::tenants::{self, NewTenantInput, SetupNotice, parse_new_tenant};
use kouka_app::backend::tokens::{self, Purpose};
use kouka_app::backend::write::WriteContext;
use kouka_app::domain::audit::AuditAction;
use kouka_app::domain::ids::{TenantId, UserId};
use kouka_app::domain::roles::Role;
use kouka_app::domain::time::Timestamp;
use kouka_server::config::{BaseUrl, Config};
use sqlx::Connection;
use std::net::SocketAddr;
use std::path::PathBuf;
use tokio::sync::oneshot;

/// A fresh, migrated database of one kind, removed by [`TestDb::drop_db`].
pub struct TestDb {
    pub db: Db,
    pub url: String,
    /// Taken by `drop_db`; what is left when a test panics before it is cleaned up on drop.
    cleanup: Option<Cleanup>,
}

enum Cleanup {
    SqliteDir(PathBuf),
    PostgresDatabase { admin_url: String, name: String },
}

/// `None` when the PostgreSQL tests cannot run here. Under `make test`
/// (`KOUKA_REQUIRE_POSTGRES=1`) that is a failure, not a skip.
pub fn postgres_admin_url() -> Option<String> {
    match std::env::var("KOUKA_TEST_POSTGRES_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            assert!(
                std::env::var("KOUKA_REQUIRE_POSTGRES").is_err(),
                "KOUKA_REQUIRE_POSTGRES is set but KOUKA_TEST_POSTGRES_URL is not"
            );
            eprintln!("PostgreSQL tests skipped: KOUKA_TEST_POSTGRES_URL is not set");
            None
        }
    }
}

impl TestDb {
    /// A new migrated database, or `None` when PostgreSQL is not available (see above).
    pub async fn new(kind: DbKind) -> Option<TestDb> {
        let name = format!("kouka_test_{}", uuid::Uuid::now_v7().simple());
        let (url, cleanup) = match kind {
            DbKind::Sqlite => {
                let dir = std::env::temp_dir().join(&name);
                std::fs::create_dir_all(&dir).expect("temp dir");
                (
                    format!("sqlite://{}/kouka.db", dir.display()),
                    Cleanup::SqliteDir(dir),
                )
            }
            DbKind::Postgres => {
                let admin_url = postgres_admin_url()?;
                let mut admin = sqlx::PgConnection::connect(&admin_url)
                    .await
                    .expect("connect to KOUKA_TEST_POSTGRES_URL");
                sqlx::query(&format!("CREATE DATABASE {name}"))
                    .execute(&mut admin)
                    .await
                    .expect("create test database");
                admin.close().await.ok();
                (
                    with_database_name(&admin_url, &name),
                    Cleanup::PostgresDatabase { admin_url, name },
                )
            }
        };
        let db = Db::connect_and_migrate(&url)
            .await
            .expect("migrate test db");
        Some(TestDb {
            db,
            url,
            cleanup: Some(cleanup),
        })
    }

    pub async fn drop_db(mut self) {
        self.db.close().await;
        if let Some(cleanup) = self.cleanup.take() {
            cleanup.run().await;
        }
    }
}

/// A test that fails never reaches `drop_db`: its database goes here instead, on a thread
/// of its own (the test's runtime may be unwinding).
impl Drop for TestDb {
    fn drop(&mut self) {
        let Some(cleanup) = self.cleanup.take() else {
            return;
        };
        let dropping = std::thread::spawn(move || {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime for the cleanup")
                .block_on(cleanup.run());
        });
        let _ = dropping.join();
    }
}

impl Cleanup {
    async fn run(self) {
        match self {
            Cleanup::SqliteDir(dir) => {
                let _ = std::fs::remove_dir_all(dir);
            }
            Cleanup::PostgresDatabase { admin_url, name } => {
                // FORCE: the failed test's pool may still hold connections.
                if let Ok(mut admin) = sqlx::PgConnection::connect(&admin_url).await {
                    let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                        .execute(&mut admin)
                        .await;
                }
            }
        }
    }
}

/// A request origin for calls made straight to the backend.
pub fn origin() -> RequestOrigin {
    RequestOrigin {
        ip: Some("192.0.2.10".into()),
        user_agent: Some("kouka-test".into()),
    }
}

/// The frame of a change by `by` at `now`, from [`origin`].
pub fn writer<'a>(db: &'a Db, by: &'a SessionUser, now: Timestamp) -> WriteContext<'a> {
    WriteContext::new(db, by, origin(), now)
}

/// The single number `sql` selects, with the tenant bound as `$1`.
pub async fn count(db: &Db, tenant: &TenantId, sql: &str) -> i64 {
    let mut tx = db.begin_for_tenant(tenant).await.expect("tx");
    let value = sqlx::query_scalar(sql)
        .bind(tenant.as_str())
        .fetch_one(&mut *tx)
        .await
        .expect(sql);
    tx.commit().await.expect("commit");
    value
}

/// The tenant's audit log, read as the product reads it.
pub async fn audit_log(db: &Db, tenant: &TenantId) -> Vec<LoggedEntry> {
    audit::read_log(db, tenant)
        .await
        .expect("read the audit log")
}

/// How many entries of `action` the log holds; with `outcome`, only those that ended so.
pub async fn audit_count(
    db: &Db,
    tenant: &TenantId,
    action: AuditAction,
    outcome: Option<Outcome>,
) -> usize {
    audit_log(db, tenant)
        .await
        .iter()
        .filter(|e| e.action == action && outcome.is_none_or(|o| e.outcome == o))
        .count()
}

/// Replaces the database name (the path) of a PostgreSQL URL, keeping its query.
fn with_database_name(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, format!("?{q}")),
        None => (url, String::new()),
    };
    let after_scheme = base.find("://").map_or(0, |i| i + 3);
    let prefix = match base[after_scheme..].find('/') {
        Some(slash) => &base[..after_scheme + slash],
        None => base,
    };
    format!("{prefix}/{name}{query}")
}

/// A bare tenant row (100 seats), for tests of storage below the account flows.
pub async fn insert_tenant(db: &Db, code: &str) -> TenantId {
    let id = TenantId::generate();
    let now = Timestamp::now().as_micros();
    sqlx::query(
        "INSERT INTO tenants (id, code, name, seat_limit, contract_start, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $6)",
    )
    .bind(id.as_str())
    .bind(code)
    .bind(format!("{code} 株式会社"))
    .bind(100_i64)
    .bind("2026-04-01")
    .bind(now)
    .execute(db.pool())
    .await
    .expect("insert tenant");
    id
}

/// The base URL the tenants of these helpers build their links from.
pub const LINK_BASE: &str = "http://kouka.test";

/// A tenant created as `kouka tenant create` does it, with its setup notice. Its admin is
/// 管理 太郎 <admin@{code lower-cased}.example>, not yet with a password.
pub async fn create_tenant(db: &Db, code: &str, seats: i64) -> SetupNotice {
    let input = NewTenantInput {
        code: code.into(),
        name: format!("{code} 株式会社"),
        seats,
        admin_email: format!("admin@{}.example", code.to_lowercase()),
        admin_name: "管理 太郎".into(),
        contract_start: None,
        contract_end: None,
        time_zone: "Asia/Tokyo".into(),
        contact_email: None,
    };
    let today = Timestamp::now().date_in_zone("Asia/Tokyo");
    tenants::create_tenant(
        db,
        LINK_BASE,
        parse_new_tenant(input, today).expect("valid"),
    )
    .await
    .expect("tenant")
}

/// [`create_tenant`], then the admin chooses `password` through the setup link: returns the
/// notice and the admin's session secret.
pub async fn tenant_with_admin(
    db: &Db,
    code: &str,
    seats: i64,
    password: &str,
) -> (SetupNotice, ScopedSecret) {
    tenant_with_admin_at(db, code, seats, password, Timestamp::now()).await
}

/// [`tenant_with_admin`] with the setup link used at `now` (tests of time limits).
pub async fn tenant_with_admin_at(
    db: &Db,
    code: &str,
    seats: i64,
    password: &str,
    now: Timestamp,
) -> (SetupNotice, ScopedSecret) {
    let notice = create_tenant(db, code, seats).await;
    let session = accounts::set_password_with_link(
        db,
        &notice.setup_code,
        Purpose::Setup,
        password.into(),
        &origin(),
        now,
    )
    .await
    .expect("the admin's password");
    (notice, session)
}

/// [`tenant_with_admin`], with the admin's session resolved as server functions see it, and
/// the cookie value that carries it.
pub async fn admin_session(
    db: &Db,
    code: &str,
    seats: i64,
) -> (TenantId, kouka_app::backend::sessions::SessionUser, String) {
    let (notice, secret) =
        tenant_with_admin(db, code, seats, "夏の海と入道雲をのんびり眺めて").await;
    let admin = kouka_app::backend::sessions::resolve(db, &secret, Timestamp::now())
        .await
        .expect("resolve")
        .expect("alive");
    (notice.tenant_id, admin, secret.encode())
}

/// Inserts an invited user with `roles`; a fresh object for one call.
pub async fn insert_user(db: &Db, tenant: &TenantId, roles: &[Role]) -> UserId {
    let id = UserId::generate();
    let now = Timestamp::now().as_micros();
    let mut tx = db.begin_write_for_tenant(tenant).await.expect("tx");
    sqlx::query(
        "INSERT INTO users (tenant_id, id, email, display_name, status, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, 'invited', $5, $5)",
    )
    .bind(tenant.as_str())
    .bind(id.as_str())
    .bind(format!("{}@users.example", id.as_str()))
    .bind("対象 ユーザー")
    .bind(now)
    .execute(&mut *tx)
    .await
    .expect("insert user");
    for role in roles {
        sqlx::query(
            "INSERT INTO user_roles (tenant_id, user_id, role, created_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(tenant.as_str())
        .bind(id.as_str())
        .bind(role.as_str())
        .bind(now)
        .execute(&mut *tx)
        .await
        .expect("insert role");
    }
    tx.commit().await.expect("commit");
    id
}

/// A signed-in user of `tenant` with `roles`: the session cookie's value.
pub async fn signed_in_user(db: &Db, tenant: &TenantId, roles: &[Role]) -> String {
    let user = insert_user(db, tenant, roles).await;
    let mut tx = db.begin_write_for_tenant(tenant).await.expect("tx");
    let token = tokens::issue(
        &mut tx,
        tenant,
        &user,
        Purpose::Invitation,
        Timestamp::now(),
    )
    .await
    .expect("token");
    tx.commit().await.expect("commit");
    let session = accounts::set_password_with_link(
        db,
        &token.secret.encode(),
        Purpose::Invitation,
        "a user's long passphrase".into(),
        &RequestOrigin::default(),
        Timestamp::now(),
    )
    .await
    .expect("password");
    session.encode()
}

/// The running app.
pub struct TestApp {
    pub addr: SocketAddr,
    pub base: String,
    pub client: reqwest::Client,
    pub db: Db,
    pub config: Config,
    test_db: Option<TestDb>,
    shutdown: Option<oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
}

/// Starts the app on a fresh database of `kind`; `None` when that kind is unavailable.
pub async fn spawn_app(kind: DbKind) -> Option<TestApp> {
    spawn_app_with(kind, |_| {}).await
}

/// Like [`spawn_app`], letting the test adjust the configuration first.
pub async fn spawn_app_with(kind: DbKind, adjust: impl FnOnce(&mut Config)) -> Option<TestApp> {
    let test_db = TestDb::new(kind).await?;
    Some(
        start_server(
            test_db.url.clone(),
            test_db.db.clone(),
            Some(test_db),
            adjust,
        )
        .await,
    )
}

/// A second server process's worth of app on the database of `first` (its own pool, hub
/// and port), as behind a load balancer. Finishing it leaves the database to `first`.
pub async fn spawn_second_app(first: &TestApp) -> TestApp {
    let db = Db::connect(&first.config.database_url)
        .await
        .expect("second pool");
    start_server(first.config.database_url.clone(), db, None, |_| {}).await
}

async fn start_server(
    url: String,
    db: Db,
    test_db: Option<TestDb>,
    adjust: impl FnOnce(&mut Config),
) -> TestApp {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind port 0");
    let addr = listener.local_addr().expect("local addr");
    let base = format!("http://{addr}");
    let mut config = Config::from_lookup(|_| None).expect("default config");
    config.database_url = url;
    config.site_addr = addr;
    config.base_url = BaseUrl::parse(&base).expect("base url");
    config.data_dir = std::env::temp_dir().join(format!("kouka-data-{}", addr.port()));
    config.mail_dir = config.data_dir.join("mail");
    config.site_root = std::env::temp_dir().join(format!("kouka-site-{}", addr.port()));
    adjust(&mut config);

    let (tx, rx) = oneshot::channel::<()>();
    let server = tokio::spawn(kouka_server::serve(
        listener,
        config.clone(),
        db.clone(),
        async {
            let _ = rx.await;
        },
    ));
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("http client");
    TestApp {
        addr,
        base,
        client,
        db,
        config,
        test_db,
        shutdown: Some(tx),
        server: Some(server),
    }
}

impl TestApp {
    /// Polls an import job until it is no longer working (a minute at most).
    pub async fn import_settled(
        &self,
        cookie: &str,
        job: &str,
    ) -> kouka_app::domain::org_csv::ImportStatus {
        use kouka_app::domain::org_csv::{ImportState, ImportStatus};
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(60);
        loop {
            let (status, body) = self
                .post_form("/api/org/import-status", cookie, &[("job", job)])
                .await;
            assert_eq!(status, 200, "{body}");
            let job_status: ImportStatus = serde_json::from_str(&body).expect("status");
            if !matches!(job_status.state, ImportState::Working { .. }) {
                return job_status;
            }
            assert!(tokio::time::Instant::now() < deadline, "the job finishes");
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    }

    /// Commits an import job whose preview found no problem, and waits for it; a preview
    /// with problems is left as it is. Answers the job's last state.
    pub async fn commit_import_if_clean(
        &self,
        cookie: &str,
        job: &str,
    ) -> kouka_app::domain::org_csv::ImportState {
        use kouka_app::domain::org_csv::ImportState;
        let state = self.import_settled(cookie, job).await.state;
        if !matches!(
            state,
            ImportState::Previewed {
                problem_count: 0,
                ..
            }
        ) {
            return state;
        }
        let (status, body) = self
            .post_form("/api/org/import-commit", cookie, &[("job", job)])
            .await;
        assert_eq!(status, 200, "{body}");
        self.import_settled(cookie, job).await.state
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A plain GET of one of the app's paths.
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .unwrap_or_else(|e| panic!("GET {path}: {e}"))
    }

    /// A server function call (or any form POST) as the holder of `cookie`: status and body.
    pub async fn post_form(
        &self,
        path: &str,
        cookie: &str,
        fields: &[(&str, &str)],
    ) -> (reqwest::StatusCode, String) {
        let response = self
            .client
            .post(self.url(path))
            .header("origin", self.base.clone())
            .header("cookie", format!("kouka_session={cookie}"))
            .form(fields)
            .send()
            .await
            .unwrap_or_else(|e| panic!("POST {path}: {e}"));
        let status = response.status();
        (status, response.text().await.unwrap_or_default())
    }

    /// A GET as the holder of `cookie`.
    pub async fn get_as(&self, path: &str, cookie: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .header("cookie", format!("kouka_session={cookie}"))
            .send()
            .await
            .unwrap_or_else(|e| panic!("GET {path}: {e}"))
    }

    /// Opens the live org chart stream as the holder of `cookie`.
    pub async fn org_events(&self, cookie: &str) -> EventStream {
        let response = self.get_as("/api/org/events", cookie).await;
        assert_eq!(response.status(), 200, "the stream opens");
        EventStream {
            response,
            buffer: String::new(),
        }
    }

    /// Sends the shutdown signal and waits for the server to finish.
    pub async fn stop_server(&mut self) -> std::io::Result<()> {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        match self.server.take() {
            Some(handle) => tokio::time::timeout(std::time::Duration::from_secs(10), handle)
                .await
                .expect("server stops within 10 s")
                .expect("server task"),
            None => Ok(()),
        }
    }

    /// Stops the server and removes its database.
    pub async fn finish(mut self) {
        let _ = self.stop_server().await;
        let _ = std::fs::remove_dir_all(&self.config.data_dir);
        let _ = std::fs::remove_dir_all(&self.config.site_root);
        if let Some(db) = self.test_db.take() {
            db.drop_db().await;
        }
    }
}

/// A server-sent event stream being read.
pub struct EventStream {
    response: reqwest::Response,
    buffer: String,
}

impl EventStream {
    /// The data of the next event (comments and keep-alives skipped), or `None` if none
    /// arrives within `wait`.
    pub async fn next_within(&mut self, wait: std::time::Duration) -> Option<String> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                let data: Vec<&str> = block
                    .lines()
                    .filter_map(|line| line.strip_prefix("data:"))
                    .map(str::trim_start)
                    .collect();
                if !data.is_empty() {
                    return Some(data.join("\n"));
                }
                continue;
            }
            let chunk = tokio::time::timeout_at(deadline, self.response.chunk())
                .await
                .ok()?
                .expect("stream readable")?;
            self.buffer.push_str(&String::from_utf8_lossy(&chunk));
        }
    }
}

/// How long one database test may take before it fails as hung. Tests take seconds; a
/// hang must fail the run with its name, not stall it until CI's time limit.
pub const TEST_TIME_LIMIT: std::time::Duration = std::time::Duration::from_secs(120);

/// Awaits a test body, failing the test if it outlives [`TEST_TIME_LIMIT`].
pub async fn within_time_limit(body: impl std::future::Future<Output = ()>) {
    if tokio::time::timeout(TEST_TIME_LIMIT, body).await.is_err() {
        panic!("the test did not finish within {TEST_TIME_LIMIT:?}");
    }
}

/// Stack of each runtime thread in the tests: rendering a page nests deeply, and debug
/// builds (the tests') take several times the stack of the release build.
pub const TEST_THREAD_STACK: usize = 16 * 1024 * 1024;

/// Runs `body` within the time limit on a multi-threaded runtime like the server's own.
pub fn run_test(body: impl std::future::Future<Output = ()>) {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_stack_size(TEST_THREAD_STACK)
        .enable_all()
        .build()
        .expect("test runtime")
        .block_on(within_time_limit(body));
}

/// Runs an async test body once on SQLite and once on PostgreSQL, as two tests, each on a
/// multi-threaded runtime like the server's own.
#[macro_export]
macro_rules! on_both_databases {
    ($($name:ident => $body:path;)*) => {
        $(
            mod $name {
                #[test]
                fn sqlite() {
                    $crate::common::run_test($body(kouka_app::backend::db::DbKind::Sqlite));
                }
                #[test]
                fn postgres() {
                    $crate::common::run_test($body(kouka_app::backend::db::DbKind::Postgres));
                }
            }
        )*
    };
}
