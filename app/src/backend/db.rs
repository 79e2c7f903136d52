//! The one storage layer, over SQLite (embedded, the default) and PostgreSQL.
//!
//! Queries are written once against sqlx's `Any` driver: integers, text and bytes only,
//! `$1` placeholders (SQLite honours them by number), instants as integer microseconds UTC
//! ([`Timestamp`](crate::domain::time::Timestamp)). What only PostgreSQL has sits in small
//! branches on [`DbKind`].
//!
//! Tenant isolation has two locks. The first: every query of tenant data filters by the
//! tenant of the session. The second, on PostgreSQL: row-level security, enabled and forced
//! on every tenant table, reading the tenant from `app.tenant_id`, which
//! [`Db::begin_for_tenant`] sets for its transaction only. A query that forgets its tenant
//! filter therefore returns nothing there instead of another company's rows.

use crate::domain::ids::TenantId;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::migrate::Migrator;
use sqlx::{Any, AnyPool, Executor, Transaction};
use std::str::FromStr;
use std::time::Duration;

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("../migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("../migrations/postgres");

/// Which database a URL selects.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DbKind {
    Sqlite,
    Postgres,
}

impl DbKind {
    pub fn from_url(url: &str) -> Result<DbKind, DbError> {
        if url.starts_with("sqlite:") {
            Ok(DbKind::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(DbKind::Postgres)
        } else {
            Err(DbError::UnsupportedUrl)
        }
    }

    /// The name reported by `/healthz`.
    pub fn name(self) -> &'static str {
        match self {
            DbKind::Sqlite => "sqlite",
            DbKind::Postgres => "postgres",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error(
        "DATABASE_URL must start with sqlite: or postgres:// (データベースURLは sqlite: または postgres:// で始めてください)"
    )]
    UnsupportedUrl,
    #[error("cannot create the database folder {path}: {source}")]
    CreateDir {
        path: String,
        source: std::io::Error,
    },
    #[error(transparent)]
    Sqlx(#[from] sqlx::Error),
    #[error(transparent)]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

/// A pool of connections to the configured database.
#[derive(Clone, Debug)]
pub struct Db {
    pool: AnyPool,
    kind: DbKind,
}

impl Db {
    /// Connects, creating the SQLite file (and its folder) when missing. Does not migrate.
    pub async fn connect(url: &str) -> Result<Db, DbError> {
        sqlx::any::install_default_drivers();
        let kind = DbKind::from_url(url)?;
        let url = match kind {
            DbKind::Sqlite => prepare_sqlite_url(url)?,
            DbKind::Postgres => url.to_owned(),
        };
        let options = AnyConnectOptions::from_str(&url)?;
        let pool = AnyPoolOptions::new()
            // SQLite has one writer at a time; a few connections serve reads under WAL.
            .max_connections(match kind {
                DbKind::Sqlite => 8,
                DbKind::Postgres => 16,
            })
            .acquire_timeout(Duration::from_secs(10))
            // An embedded SQLite connection cannot be dropped by a server: checking it before
            // every use only costs a round trip to its thread. A PostgreSQL one can.
            .test_before_acquire(kind == DbKind::Postgres)
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    if kind == DbKind::Sqlite {
                        // Durability and integrity first: WAL for concurrent readers,
                        // every commit synced, foreign keys enforced, and a writer waits
                        // for the lock instead of failing at once — long enough to wait out
                        // a bulk import (100,000 employees write in about 6 s here).
                        conn.execute(
                            "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
                             PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 20000;",
                        )
                        .await?;
                    }
                    Ok(())
                })
            })
            .connect_with(options)
            .await?;
        Ok(Db { pool, kind })
    }

    /// Connects and applies pending migrations.
    pub async fn connect_and_migrate(url: &str) -> Result<Db, DbError> {
        let db = Db::connect(url).await?;
        db.migrate().await?;
        Ok(db)
    }

    /// Applies the migrations of this database kind that have not run yet.
    pub async fn migrate(&self) -> Result<(), DbError> {
        let migrator = match self.kind {
            DbKind::Sqlite => &SQLITE_MIGRATIONS,
            DbKind::Postgres => &POSTGRES_MIGRATIONS,
        };
        migrator.run(&self.pool).await?;
        Ok(())
    }

    pub fn kind(&self) -> DbKind {
        self.kind
    }

    /// The raw pool, for code that must not see tenant data: health checks, migrations,
    /// the operator's contract commands on the `tenants` table.
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// After a bulk write (an import, a launch), has the database look at the tables again.
    /// Until autovacuum gets to them, a PostgreSQL planner that believes a table of 10,000
    /// rows empty joins it row by row (a launch measured 8 s instead of 0.6 s); SQLite
    /// without statistics reads a tenant's 5,000 managers through the index of all its
    /// 100,000 posts (150–350 ms) instead of the managers' own (7 ms). `tables` are our own
    /// constant names.
    pub async fn refresh_statistics(&self, tables: &[&'static str]) -> Result<(), DbError> {
        for table in tables {
            sqlx::query(&format!("ANALYZE {table}"))
                .execute(&self.pool)
                .await?;
        }
        Ok(())
    }

    /// A real round trip to the database.
    pub async fn ping(&self) -> Result<(), DbError> {
        let one: i64 = sqlx::query_scalar("SELECT CAST(1 AS BIGINT)")
            .fetch_one(&self.pool)
            .await?;
        debug_assert_eq!(one, 1);
        Ok(())
    }

    /// Begins a transaction scoped to one tenant: on PostgreSQL, row-level security lets it
    /// see and write that tenant's rows only. Queries still filter by tenant themselves.
    /// For reading; a transaction that writes begins with [`Db::begin_write_for_tenant`].
    pub async fn begin_for_tenant(
        &self,
        tenant: &TenantId,
    ) -> Result<Transaction<'static, Any>, DbError> {
        let tx = self.pool.begin().await?;
        self.scope_to(tx, tenant).await
    }

    /// Like [`Db::begin_for_tenant`], for a transaction that will write. On SQLite it takes
    /// the database's one write lock at once (`BEGIN IMMEDIATE`, waiting its turn): a
    /// transaction that first read and only then asked for the lock would be refused if
    /// another writer committed in between ("database is locked"), where this one waits.
    pub async fn begin_write_for_tenant(
        &self,
        tenant: &TenantId,
    ) -> Result<Transaction<'static, Any>, DbError> {
        let tx = match self.kind {
            DbKind::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            DbKind::Postgres => self.pool.begin().await?,
        };
        self.scope_to(tx, tenant).await
    }

    /// On PostgreSQL, sets the transaction's tenant for row-level security.
    async fn scope_to(
        &self,
        mut tx: Transaction<'static, Any>,
        tenant: &TenantId,
    ) -> Result<Transaction<'static, Any>, DbError> {
        if self.kind == DbKind::Postgres {
            // `true`: local to this transaction, so a pooled connection never carries a
            // tenant into the next one.
            sqlx::query("SELECT set_config('app.tenant_id', $1, true)")
                .bind(tenant.as_str())
                .execute(&mut *tx)
                .await?;
        }
        Ok(tx)
    }

    /// Closes every connection (at shutdown, so SQLite checkpoints its WAL).
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// The unique keys a user's input can clash with, so that a clash is told as the field it
/// concerns. A key is known by its name on PostgreSQL and by its columns in SQLite's
/// message ("UNIQUE constraint failed: users.tenant_id, users.email"), both from the
/// migrations; `unique_keys_are_recognised` in `server/tests/storage.rs`
/// makes each clash on both.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UniqueKey {
    TenantCode,
    UserEmail,
    UserEmployeeCode,
    DepartmentCode,
    TemplateName,
    PeriodName,
}

impl UniqueKey {
    pub const ALL: [UniqueKey; 6] = [
        UniqueKey::TenantCode,
        UniqueKey::UserEmail,
        UniqueKey::UserEmployeeCode,
        UniqueKey::DepartmentCode,
        UniqueKey::TemplateName,
        UniqueKey::PeriodName,
    ];

    /// (PostgreSQL constraint or index name, SQLite's column list)
    fn names(self) -> (&'static str, &'static str) {
        match self {
            UniqueKey::TenantCode => ("tenants_code_key", "tenants.code"),
            UniqueKey::UserEmail => ("users_tenant_id_email_key", "users.tenant_id, users.email"),
            UniqueKey::UserEmployeeCode => (
                "users_employee_code",
                "users.tenant_id, users.employee_code",
            ),
            UniqueKey::DepartmentCode => (
                "departments_tenant_id_code_key",
                "departments.tenant_id, departments.code",
            ),
            UniqueKey::TemplateName => (
                "evaluation_templates_tenant_id_name_key",
                "evaluation_templates.tenant_id, evaluation_templates.name",
            ),
            UniqueKey::PeriodName => (
                "evaluation_periods_tenant_id_name_key",
                "evaluation_periods.tenant_id, evaluation_periods.name",
            ),
        }
    }

    /// The key a failed statement clashed with; `None` for any other error, and for a
    /// unique key not listed here (a bug to be reported as such, not a field message).
    pub fn clashed(error: &sqlx::Error) -> Option<UniqueKey> {
        let error = error
            .as_database_error()
            .filter(|e| e.is_unique_violation())?;
        match error.constraint() {
            Some(name) => UniqueKey::ALL.into_iter().find(|k| k.names().0 == name),
            None => {
                let columns = error.message().strip_prefix("UNIQUE constraint failed: ")?;
                UniqueKey::ALL.into_iter().find(|k| k.names().1 == columns)
            }
        }
    }
}

/// One value of a row for [`insert_many`]: the two types every column here has.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    Text(Option<String>),
    Int(Option<i64>),
}

impl From<&str> for Value {
    fn from(value: &str) -> Value {
        Value::Text(Some(value.to_owned()))
    }
}

impl From<String> for Value {
    fn from(value: String) -> Value {
        Value::Text(Some(value))
    }
}

impl From<Option<String>> for Value {
    fn from(value: Option<String>) -> Value {
        Value::Text(value)
    }
}

impl From<i64> for Value {
    fn from(value: i64) -> Value {
        Value::Int(Some(value))
    }
}

impl From<Option<i64>> for Value {
    fn from(value: Option<i64>) -> Value {
        Value::Int(value)
    }
}

/// Bound parameters per statement: under SQLite's limit (32766) and PostgreSQL's (65535).
const MAX_PARAMETERS: usize = 30_000;
/// Rows per statement: bigger statements stop paying off well before the parameter limit.
const MAX_ROWS_PER_STATEMENT: usize = 500;

/// One row for [`insert_many`]: each value beside the name of its column, so that a value
/// cannot drift to its neighbour's column.
pub type NamedRow = Vec<(&'static str, Value)>;

/// Inserts many rows with multi-row `INSERT … VALUES (…), (…)` statements: a bulk write
/// (an import of 100,000 employees) takes seconds, not minutes, and so holds SQLite's write
/// lock only briefly. Every row names the same columns in the same order (else nothing is
/// written and the error says which row differs).
pub async fn insert_many(
    tx: &mut Transaction<'static, Any>,
    table: &str,
    rows: Vec<NamedRow>,
) -> Result<(), sqlx::Error> {
    let Some(first) = rows.first() else {
        return Ok(());
    };
    let columns: Vec<&'static str> = first.iter().map(|(column, _)| *column).collect();
    if let Some(odd) = rows.iter().find(|row| {
        !row.iter()
            .map(|(column, _)| *column)
            .eq(columns.iter().copied())
    }) {
        let named: Vec<&str> = odd.iter().map(|(column, _)| *column).collect();
        return Err(sqlx::Error::Protocol(format!(
            "insert_many into {table}: a row names {named:?}, the first {columns:?}"
        )));
    }
    let per_statement = (MAX_PARAMETERS / columns.len().max(1)).clamp(1, MAX_ROWS_PER_STATEMENT);
    // SQLite reads `$1` as a *named* parameter and looks each name up while compiling: a
    // 500-row statement takes ten times longer than with plain `?` (measured). PostgreSQL
    // needs the numbers.
    let numbered = tx.backend_name() != "SQLite";
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let batch: Vec<NamedRow> = rows.by_ref().take(per_statement).collect();
        let mut sql = format!("INSERT INTO {table} ({}) VALUES ", columns.join(", "));
        let mut n = 0;
        for (i, row) in batch.iter().enumerate() {
            sql.push_str(if i == 0 { "(" } else { ", (" });
            for j in 0..row.len() {
                n += 1;
                if j > 0 {
                    sql.push_str(", ");
                }
                if numbered {
                    sql.push('$');
                    sql.push_str(&n.to_string());
                } else {
                    sql.push('?');
                }
            }
            sql.push(')');
        }
        let mut query = sqlx::query(&sql);
        for (_, value) in batch.into_iter().flatten() {
            query = match value {
                Value::Text(text) => query.bind(text),
                Value::Int(int) => query.bind(int),
            };
        }
        query.execute(&mut **tx).await?;
    }
    Ok(())
}

/// `$2, $3, …`: placeholders for `count` values after `skip` leading parameters.
pub fn placeholders(skip: usize, count: usize) -> String {
    (0..count)
        .map(|i| format!("${}", skip + i + 1))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `sqlite://data/kouka.db` → creates `data/` and asks sqlx to create the file.
fn prepare_sqlite_url(url: &str) -> Result<String, DbError> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .unwrap_or_default();
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    let in_memory = path.is_empty() || path == ":memory:";
    let parent = std::path::Path::new(path).parent();
    if let Some(parent) = parent.filter(|p| !in_memory && !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|source| DbError::CreateDir {
            path: parent.display().to_string(),
            source,
        })?;
    }
    if query.split('&').any(|pair| pair.starts_with("mode=")) {
        Ok(url.to_owned())
    } else if query.is_empty() {
        Ok(format!("{url}?mode=rwc"))
    } else {
        Ok(format!("{url}&mode=rwc"))
    }
}

/// The error for a stored value this build cannot read back (a damaged row, or a name a
/// newer build wrote): the row is refused, never guessed at.
pub fn unreadable_column(column: &str, problem: String) -> sqlx::Error {
    sqlx::Error::ColumnDecode {
        index: column.to_owned(),
        source: problem.into(),
    }
}

/// What a person typed into a search box, read the same way by every list and on both
/// databases: NFKC-folded (full-width "ＹＡＭＡ" is "YAMA") and lower-cased here, and each
/// column lower-cased in SQL, so that case and width never decide who is found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TextSearch {
    /// The folded query.
    folded: String,
}

impl TextSearch {
    /// `None` for a query with nothing in it but blanks: no filter at all.
    pub fn parse(query: &str) -> Option<TextSearch> {
        let folded = crate::domain::codes::normalize(query).to_lowercase();
        (!folded.is_empty()).then_some(TextSearch { folded })
    }

    /// The search that every row matches: a picker opened before anything is typed shows
    /// its first few choices.
    pub fn everything() -> TextSearch {
        TextSearch {
            folded: String::new(),
        }
    }

    /// The folded query itself, to compare a column with exactly (`LOWER(code) = $n`).
    pub fn folded(&self) -> &str {
        &self.folded
    }

    /// The LIKE pattern that finds the query anywhere, `%`, `_` and `\` escaped.
    pub fn contains_pattern(&self) -> String {
        format!("%{}%", escape_like(&self.folded))
    }

    /// The LIKE pattern that finds the query at the start.
    pub fn starts_pattern(&self) -> String {
        format!("{}%", escape_like(&self.folded))
    }

    /// `(LOWER(COALESCE(a, '')) LIKE $n ESCAPE '\' OR …)`: any of `columns` holds the
    /// query, where `$n` is bound to [`contains_pattern`](Self::contains_pattern).
    pub fn condition(columns: &[&str], placeholder: usize) -> String {
        let tests: Vec<String> = columns
            .iter()
            .map(|column| format!("LOWER(COALESCE({column}, '')) LIKE ${placeholder} ESCAPE '\\'"))
            .collect();
        format!("({})", tests.join(" OR "))
    }
}

/// The users of one tenant that a search box matches (everyone for a blank one): the
/// `WHERE` clause of a list over `users`, with `$1` the tenant and `$2` the pattern.
pub struct UserFilter {
    pub sql: String,
    /// Bound as `$2` when there is a search.
    pub pattern: Option<String>,
}

impl UserFilter {
    /// `columns`: the columns of `users` the search looks in.
    pub fn new(query: &str, columns: &[&str]) -> UserFilter {
        match TextSearch::parse(query) {
            None => UserFilter {
                sql: "tenant_id = $1".to_owned(),
                pattern: None,
            },
            Some(search) => UserFilter {
                sql: format!("tenant_id = $1 AND {}", TextSearch::condition(columns, 2)),
                pattern: Some(search.contains_pattern()),
            },
        }
    }

    /// How many users of `tenant` match, counted on their own.
    pub async fn count(
        &self,
        tx: &mut Transaction<'static, Any>,
        tenant: &TenantId,
    ) -> Result<i64, sqlx::Error> {
        let sql = format!("SELECT COUNT(*) FROM users WHERE {}", self.sql);
        let mut count = sqlx::query_scalar(&sql).bind(tenant.as_str());
        if let Some(pattern) = &self.pattern {
            count = count.bind(pattern);
        }
        count.fetch_one(&mut **tx).await
    }
}

/// Escapes `%`, `_` and `\` so that a search for "50%" finds "50%", not everything.
fn escape_like(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_search_is_folded_and_escaped_once_for_every_list() {
        let wide = TextSearch::parse(" ＹａＭａ ").expect("a query");
        assert_eq!(wide, TextSearch::parse("yama").expect("a query"));
        assert_eq!(wide.contains_pattern(), "%yama%");
        assert_eq!(wide.starts_pattern(), "yama%");
        let percent = TextSearch::parse("50%_off\\").expect("a query");
        assert_eq!(percent.contains_pattern(), "%50\\%\\_off\\\\%");
        assert_eq!(TextSearch::parse(" 　 "), None, "blanks are no query");
        assert_eq!(TextSearch::everything().contains_pattern(), "%%");
        assert_eq!(
            TextSearch::condition(&["name", "code"], 2),
            "(LOWER(COALESCE(name, '')) LIKE $2 ESCAPE '\\' OR LOWER(COALESCE(code, '')) LIKE $2 ESCAPE '\\')"
        );
    }

    #[test]
    fn kind_from_url() {
        assert_eq!(
            DbKind::from_url("sqlite://data/kouka.db").ok(),
            Some(DbKind::Sqlite)
        );
        assert_eq!(
            DbKind::from_url("postgres://u@localhost/db").ok(),
            Some(DbKind::Postgres)
        );
        assert!(DbKind::from_url("mysql://x").is_err());
    }

    #[test]
    fn sqlite_url_gets_create_mode_once() {
        let dir = std::env::temp_dir().join(format!("kouka-url-{}", std::process::id()));
        let url = format!("sqlite://{}/x.db", dir.display());
        assert_eq!(
            prepare_sqlite_url(&url).ok(),
            Some(format!("{url}?mode=rwc"))
        );
        assert!(dir.is_dir(), "the folder of the database file is created");
        let with_mode = format!("{url}?mode=ro");
        assert_eq!(prepare_sqlite_url(&with_mode).ok(), Some(with_mode));
        let _ = std::fs::remove_dir_all(dir);
    }
}
