//! The storage layer on both databases: schema parity, SQLite settings, tenant isolation by
//! row-level security on PostgreSQL, and the audit writer's transaction.

mod common;

use common::insert_tenant;

use common::TestDb;
use kouka_app::backend::audit::{self, Actor, AuditEntry, Outcome, RequestOrigin};
use kouka_app::backend::db::{Db, DbKind, UniqueKey};
use kouka_app::domain::audit::AuditAction;
use kouka_app::domain::ids::{TenantId, UserId};
use kouka_app::domain::time::Timestamp;
use sqlx::Row;
use std::collections::BTreeMap;

/// What the two migration sets must agree on, table by table, in one vocabulary.
#[derive(Debug, Default, PartialEq)]
struct Schema {
    /// table → column → (type, not null)
    columns: BTreeMap<String, BTreeMap<String, (String, bool)>>,
    /// table → primary key and UNIQUE constraints, normalised
    keys: BTreeMap<String, Vec<String>>,
    /// index name → its definition (table, uniqueness, columns or expressions, partial
    /// predicate), normalised; the indexes behind keys are under `keys`
    indexes: BTreeMap<String, String>,
    /// table → foreign keys with their ON DELETE action, normalised
    foreign_keys: BTreeMap<String, Vec<String>>,
    /// table → CHECK constraints, normalised
    checks: BTreeMap<String, Vec<String>>,
}

impl Schema {
    fn add(map: &mut BTreeMap<String, Vec<String>>, table: &str, definition: &str) {
        let list = map.entry(table.to_owned()).or_default();
        list.push(normalized_sql(definition));
        list.sort();
    }
}

/// One spelling for a constraint or index definition as either database writes it:
/// lower case, no schema prefix, no `USING btree`, no casts, `= ANY (ARRAY[…])` as `IN (…)`,
/// no parentheses or white space.
fn normalized_sql(sql: &str) -> String {
    let sql = sql
        .to_lowercase()
        .replace("if not exists ", "")
        .replace("public.", "")
        .replace(" using btree", "")
        .replace("= any (array[", "in (")
        .replace("])", ")");
    let mut out = String::new();
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        if c == ':' && chars.peek() == Some(&':') {
            // A cast such as ::text or ::character varying.
            chars.next();
            let mut type_name = String::new();
            while let Some(&next) = chars
                .peek()
                .filter(|c| c.is_ascii_alphabetic() || **c == '_')
            {
                type_name.push(next);
                chars.next();
            }
            if type_name == "character" {
                for expected in " varying".chars() {
                    if chars.peek() == Some(&expected) {
                        chars.next();
                    }
                }
            }
            continue;
        }
        if !c.is_whitespace() && c != '(' && c != ')' {
            out.push(c);
        }
    }
    out
}

/// The CHECK clauses in SQLite's text of a CREATE TABLE, each `CHECK (…)` with its
/// parentheses balanced.
fn sqlite_checks(create_table: &str) -> Vec<String> {
    let upper = create_table.to_uppercase();
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(at) = upper[from..].find("CHECK") {
        let start = from + at;
        let before = upper[..start].chars().next_back();
        from = start + "CHECK".len();
        if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_') {
            continue;
        }
        let Some(open) = upper[from..].find('(').map(|i| from + i) else {
            break;
        };
        let mut depth = 0;
        let mut end = open;
        for (i, c) in create_table[open..].char_indices() {
            match c {
                '(' => depth += 1,
                ')' => depth -= 1,
                _ => {}
            }
            if depth == 0 {
                end = open + i;
                break;
            }
        }
        found.push(create_table[start..=end].to_owned());
        from = end;
    }
    found
}

async fn schema_of(db: &Db) -> Schema {
    let mut schema = Schema::default();
    let columns = match db.kind() {
        DbKind::Sqlite => {
            sqlx::query(
                "SELECT m.name AS table_name, c.name AS column_name, c.type AS data_type, \
                 c.\"notnull\" + c.pk AS not_null \
                 FROM sqlite_master m JOIN pragma_table_info(m.name) c \
                 WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' \
                 AND m.name <> '_sqlx_migrations'",
            )
            .fetch_all(db.pool())
            .await
        }
        DbKind::Postgres => {
            sqlx::query(
                "SELECT table_name::text AS table_name, column_name::text AS column_name, \
                 upper(data_type::text) AS data_type, \
                 CAST(CASE WHEN is_nullable = 'NO' THEN 1 ELSE 0 END AS BIGINT) AS not_null \
                 FROM information_schema.columns \
                 WHERE table_schema = current_schema() AND table_name <> '_sqlx_migrations'",
            )
            .fetch_all(db.pool())
            .await
        }
    }
    .expect("read columns");
    for row in columns {
        let table: String = row.get("table_name");
        let column: String = row.get("column_name");
        let data_type: String = row.get("data_type");
        let not_null: i64 = row.get("not_null");
        // One vocabulary for both: PostgreSQL says CHARACTER VARYING/TEXT, SQLite TEXT.
        let data_type = match data_type.to_uppercase().as_str() {
            "TEXT" | "CHARACTER VARYING" => "TEXT".to_owned(),
            "BIGINT" | "INTEGER" => "BIGINT".to_owned(),
            other => other.to_owned(),
        };
        schema
            .columns
            .entry(table)
            .or_default()
            .insert(column, (data_type, not_null > 0));
    }
    match db.kind() {
        DbKind::Sqlite => sqlite_constraints(db, &mut schema).await,
        DbKind::Postgres => postgres_constraints(db, &mut schema).await,
    }
    schema
}

async fn sqlite_constraints(db: &Db, schema: &mut Schema) {
    let pool = db.pool();
    let tables: Vec<(String, String)> = sqlx::query_as(
        "SELECT name, sql FROM sqlite_master WHERE type = 'table' \
         AND name NOT LIKE 'sqlite_%' AND name <> '_sqlx_migrations'",
    )
    .fetch_all(pool)
    .await
    .expect("read tables");
    for (table, create_table) in tables {
        let key: Vec<String> =
            sqlx::query_scalar("SELECT name FROM pragma_table_info($1) WHERE pk > 0 ORDER BY pk")
                .bind(&table)
                .fetch_all(pool)
                .await
                .expect("read primary key");
        Schema::add(
            &mut schema.keys,
            &table,
            &format!("PRIMARY KEY ({})", key.join(", ")),
        );
        let uniques: Vec<String> =
            sqlx::query_scalar("SELECT name FROM pragma_index_list($1) WHERE origin = 'u'")
                .bind(&table)
                .fetch_all(pool)
                .await
                .expect("read unique constraints");
        for index in uniques {
            let columns: Vec<String> =
                sqlx::query_scalar("SELECT name FROM pragma_index_info($1) ORDER BY seqno")
                    .bind(&index)
                    .fetch_all(pool)
                    .await
                    .expect("read unique columns");
            Schema::add(
                &mut schema.keys,
                &table,
                &format!("UNIQUE ({})", columns.join(", ")),
            );
        }
        let created: Vec<(String, String)> = sqlx::query_as(
            "SELECT l.name, m.sql FROM pragma_index_list($1) l \
             JOIN sqlite_master m ON m.type = 'index' AND m.name = l.name \
             WHERE l.origin = 'c'",
        )
        .bind(&table)
        .fetch_all(pool)
        .await
        .expect("read indexes");
        for (name, sql) in created {
            schema.indexes.insert(name, normalized_sql(&sql));
        }
        let references: Vec<(i64, String, String, Option<String>, String)> = sqlx::query_as(
            "SELECT id, \"table\", \"from\", \"to\", on_delete \
             FROM pragma_foreign_key_list($1) ORDER BY id, seq",
        )
        .bind(&table)
        .fetch_all(pool)
        .await
        .expect("read foreign keys");
        let mut by_id: BTreeMap<i64, (String, Vec<String>, Vec<String>, String)> = BTreeMap::new();
        for (id, parent, from, to, on_delete) in references {
            let entry = by_id
                .entry(id)
                .or_insert_with(|| (parent, Vec::new(), Vec::new(), on_delete));
            entry.1.push(from);
            entry.2.push(to.unwrap_or_default());
        }
        for (parent, from, to, on_delete) in by_id.into_values() {
            let action = match on_delete.as_str() {
                "NO ACTION" => String::new(),
                other => format!(" ON DELETE {other}"),
            };
            Schema::add(
                &mut schema.foreign_keys,
                &table,
                &format!(
                    "FOREIGN KEY ({}) REFERENCES {parent}({}){action}",
                    from.join(", "),
                    to.join(", ")
                ),
            );
        }
        for check in sqlite_checks(&create_table) {
            Schema::add(&mut schema.checks, &table, &check);
        }
    }
}

async fn postgres_constraints(db: &Db, schema: &mut Schema) {
    let pool = db.pool();
    let constraints: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT c.conrelid::regclass::text, c.contype::text, pg_get_constraintdef(c.oid) \
         FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace \
         WHERE n.nspname = current_schema() AND c.contype IN ('p', 'u', 'f', 'c') \
         AND c.conrelid::regclass::text <> '_sqlx_migrations'",
    )
    .fetch_all(pool)
    .await
    .expect("read constraints");
    for (table, kind, definition) in constraints {
        let map = match kind.as_str() {
            "p" | "u" => &mut schema.keys,
            "f" => &mut schema.foreign_keys,
            _ => &mut schema.checks,
        };
        Schema::add(map, &table, &definition);
    }
    let indexes: Vec<(String, String)> = sqlx::query_as(
        "SELECT indexname::text, indexdef FROM pg_indexes \
         WHERE schemaname = current_schema() AND tablename <> '_sqlx_migrations' \
         AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE contype IN ('p', 'u'))",
    )
    .fetch_all(pool)
    .await
    .expect("read indexes");
    for (name, definition) in indexes {
        schema.indexes.insert(name, normalized_sql(&definition));
    }
}

#[test]
fn constraint_spellings_of_both_databases_normalise_alike() {
    assert_eq!(
        normalized_sql("CHECK ((language = ANY (ARRAY['ja'::text, 'en'::text])))"),
        normalized_sql("CHECK (language IN ('ja', 'en'))")
    );
    assert_eq!(
        normalized_sql(
            "CREATE UNIQUE INDEX posts_one_primary ON public.posts USING btree (tenant_id, user_id) WHERE (is_primary = 1)"
        ),
        normalized_sql(
            "CREATE UNIQUE INDEX posts_one_primary ON posts (tenant_id, user_id) WHERE is_primary = 1"
        )
    );
    assert_eq!(
        normalized_sql("CHECK ((status)::text = 'a'::character varying)"),
        "check status='a'".replace(' ', "")
    );
    assert_eq!(
        normalized_sql("CHECK (((a)::text = 'x'::text) AND (b > 0))"),
        "checka='x'andb>0"
    );
    // What must stay different does.
    assert_ne!(
        normalized_sql("CHECK (seat_limit >= 0)"),
        normalized_sql("CHECK (seat_limit > 0)")
    );
    assert_eq!(
        sqlite_checks(
            "CREATE TABLE t (a BIGINT CHECK (a IN (0, 1)), rechecked TEXT, CHECK ((a) >= 0))"
        ),
        ["CHECK (a IN (0, 1))", "CHECK ((a) >= 0)"]
    );
}

#[tokio::test]
async fn sqlite_and_postgres_schemas_match() {
    let Some(pg) = TestDb::new(DbKind::Postgres).await else {
        return;
    };
    let lite = TestDb::new(DbKind::Sqlite).await.expect("sqlite");
    let (lite_schema, pg_schema) = (schema_of(&lite.db).await, schema_of(&pg.db).await);
    for table in ["tenants", "users", "departments", "audit_log"] {
        assert!(
            lite_schema.columns.contains_key(table),
            "sqlite lacks {table}"
        );
    }
    assert!(
        lite_schema.indexes.contains_key("posts_one_manager")
            && lite_schema.checks.contains_key("users")
            && lite_schema.foreign_keys.contains_key("posts"),
        "the schema reader sees indexes, CHECKs and foreign keys: {lite_schema:#?}"
    );
    let message = "migrations/sqlite and migrations/postgres must define the same";
    assert_eq!(
        lite_schema.columns, pg_schema.columns,
        "{message} tables and columns"
    );
    assert_eq!(
        lite_schema.keys, pg_schema.keys,
        "{message} primary keys and UNIQUE constraints"
    );
    assert_eq!(lite_schema.indexes, pg_schema.indexes, "{message} indexes");
    assert_eq!(
        lite_schema.foreign_keys, pg_schema.foreign_keys,
        "{message} foreign keys"
    );
    assert_eq!(
        lite_schema.checks, pg_schema.checks,
        "{message} CHECK constraints"
    );
    lite.drop_db().await;
    pg.drop_db().await;
}

#[tokio::test]
async fn sqlite_runs_with_wal_foreign_keys_and_full_sync() {
    let lite = TestDb::new(DbKind::Sqlite).await.expect("sqlite");
    let mut conn = lite.db.pool().acquire().await.expect("conn");
    let journal: String = sqlx::query_scalar("PRAGMA journal_mode")
        .fetch_one(&mut *conn)
        .await
        .expect("journal_mode");
    let foreign_keys: i64 = sqlx::query_scalar("PRAGMA foreign_keys")
        .fetch_one(&mut *conn)
        .await
        .expect("foreign_keys");
    let synchronous: i64 = sqlx::query_scalar("PRAGMA synchronous")
        .fetch_one(&mut *conn)
        .await
        .expect("synchronous");
    assert_eq!(journal.to_lowercase(), "wal");
    assert_eq!(foreign_keys, 1);
    assert_eq!(synchronous, 2, "FULL");
    drop(conn);
    lite.drop_db().await;
}

async fn insert_user(db: &Db, tenant: &TenantId, email: &str) -> Result<(), sqlx::Error> {
    let mut tx = db.begin_for_tenant(tenant).await.expect("tx");
    let now = Timestamp::now().as_micros();
    sqlx::query(
        "INSERT INTO users (tenant_id, id, email, display_name, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $5)",
    )
    .bind(tenant.as_str())
    .bind(UserId::generate().as_str())
    .bind(email)
    .bind("山田 太郎")
    .bind(now)
    .execute(&mut *tx)
    .await?;
    tx.commit().await
}

#[tokio::test]
async fn postgres_row_level_security_hides_other_tenants() {
    let Some(pg) = TestDb::new(DbKind::Postgres).await else {
        return;
    };
    let db = &pg.db;

    // The app's role must be bound by RLS, or the rest of this test proves nothing.
    let bypasses: bool = sqlx::query_scalar(
        "SELECT CAST(rolsuper OR rolbypassrls AS BOOLEAN) FROM pg_roles WHERE rolname = current_user",
    )
    .fetch_one(db.pool())
    .await
    .expect("role");
    assert!(
        !bypasses,
        "tests must connect as a role without SUPERUSER/BYPASSRLS"
    );

    let a = insert_tenant(db, "ACME").await;
    let b = insert_tenant(db, "BETA").await;
    insert_user(db, &a, "a1@acme.example").await.expect("a1");
    insert_user(db, &a, "a2@acme.example").await.expect("a2");
    insert_user(db, &b, "b1@beta.example").await.expect("b1");

    // Forgetting the tenant: no rows at all, not everybody's.
    let unscoped: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users")
        .fetch_one(db.pool())
        .await
        .expect("count");
    assert_eq!(unscoped, 0);

    // Scoped to A, even a query without a tenant filter sees only A.
    let mut tx = db.begin_for_tenant(&a).await.expect("tx");
    let emails: Vec<String> = sqlx::query_scalar("SELECT email FROM users ORDER BY email")
        .fetch_all(&mut *tx)
        .await
        .expect("select");
    assert_eq!(emails, ["a1@acme.example", "a2@acme.example"]);
    tx.commit().await.expect("commit");

    // The setting is local to its transaction: the pooled connection forgets it.
    let after: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users")
        .fetch_one(db.pool())
        .await
        .expect("count");
    assert_eq!(after, 0);

    // Writing a row of B while scoped to A is refused.
    let mut tx = db.begin_for_tenant(&a).await.expect("tx");
    let now = Timestamp::now().as_micros();
    let smuggled = sqlx::query(
        "INSERT INTO users (tenant_id, id, email, display_name, created_at, updated_at) \
         VALUES ($1, $2, 'x@beta.example', 'x', $3, $3)",
    )
    .bind(b.as_str())
    .bind(UserId::generate().as_str())
    .bind(now)
    .execute(&mut *tx)
    .await;
    assert!(
        smuggled.is_err(),
        "RLS WITH CHECK refuses another tenant's row"
    );
    drop(tx);
    pg.drop_db().await;
}

#[tokio::test]
async fn postgres_every_tenant_table_has_forced_row_level_security() {
    let Some(pg) = TestDb::new(DbKind::Postgres).await else {
        return;
    };
    let rows = sqlx::query(
        "SELECT c.relname::text AS name, \
         CAST(CASE WHEN c.relrowsecurity THEN 1 ELSE 0 END AS BIGINT) AS enabled, \
         CAST(CASE WHEN c.relforcerowsecurity THEN 1 ELSE 0 END AS BIGINT) AS forced, \
         (SELECT COUNT(*) FROM pg_policy p WHERE p.polrelid = c.oid) AS policies \
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
         WHERE n.nspname = current_schema() AND c.relkind = 'r' AND EXISTS ( \
           SELECT 1 FROM information_schema.columns col \
           WHERE col.table_schema = n.nspname AND col.table_name = c.relname \
             AND col.column_name = 'tenant_id')",
    )
    .fetch_all(pg.db.pool())
    .await
    .expect("pg_class");
    assert!(rows.len() >= 3, "users, departments, audit_log at least");
    for row in rows {
        let name: String = row.get("name");
        let (enabled, forced, policies): (i64, i64, i64) =
            (row.get("enabled"), row.get("forced"), row.get("policies"));
        assert_eq!((enabled, forced), (1, 1), "{name}: RLS enabled and forced");
        assert!(policies >= 1, "{name}: has a tenant policy");
    }
    pg.drop_db().await;
}

async fn audit_row_commits_and_rolls_back_with_its_change(kind: DbKind) {
    let Some(test_db) = TestDb::new(kind).await else {
        return;
    };
    let db = &test_db.db;
    let tenant = insert_tenant(db, "AUDIT").await;
    let entry = |action: AuditAction| AuditEntry {
        tenant: &tenant,
        actor: Actor::Operator,
        action,
        target_type: Some("tenant"),
        target_id: Some(tenant.as_str()),
        before: None,
        after: Some(serde_json::json!({ "name": "監査 株式会社" })),
        outcome: Outcome::Success,
        origin: RequestOrigin {
            ip: Some("127.0.0.1".into()),
            user_agent: Some("test".into()),
        },
    };

    let mut tx = db.begin_for_tenant(&tenant).await.expect("tx");
    audit::record(&mut tx, entry(AuditAction::TenantCreate))
        .await
        .expect("record");
    tx.rollback().await.expect("rollback");

    let mut tx = db.begin_for_tenant(&tenant).await.expect("tx");
    audit::record(&mut tx, entry(AuditAction::UserCreate))
        .await
        .expect("record");
    tx.commit().await.expect("commit");

    let log = audit::read_log(db, &tenant).await.expect("read the log");
    assert_eq!(
        log.len(),
        1,
        "the rolled-back row is gone with its transaction"
    );
    let logged = &log[0];
    assert_eq!(logged.action, AuditAction::UserCreate);
    assert_eq!(logged.actor, Actor::Operator);
    assert_eq!(logged.outcome, Outcome::Success);
    assert_eq!(logged.origin.ip.as_deref(), Some("127.0.0.1"));
    assert_eq!(logged.after.as_ref().unwrap()["name"], "監査 株式会社");
    test_db.drop_db().await;
}

async fn migrations_are_idempotent(kind: DbKind) {
    let Some(test_db) = TestDb::new(kind).await else {
        return;
    };
    test_db
        .db
        .migrate()
        .await
        .expect("second run applies nothing and succeeds");
    let again = Db::connect_and_migrate(&test_db.url)
        .await
        .expect("reconnect");
    again.close().await;
    test_db.drop_db().await;
}

async fn cross_tenant_parent_reference_is_impossible(kind: DbKind) {
    let Some(test_db) = TestDb::new(kind).await else {
        return;
    };
    let db = &test_db.db;
    let a = insert_tenant(db, "TREEA").await;
    let b = insert_tenant(db, "TREEB").await;
    let now = Timestamp::now().as_micros();
    let insert = |tenant: TenantId, id: &'static str, parent: Option<&'static str>| async move {
        let mut tx = db.begin_for_tenant(&tenant).await.expect("tx");
        sqlx::query(
            "INSERT INTO departments (tenant_id, id, code, name, parent_id, created_at, updated_at) \
             VALUES ($1, $2, $2, $2, $3, $4, $4)",
        )
        .bind(tenant.as_str())
        .bind(id)
        .bind(parent)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await
    };
    insert(a.clone(), "A-ROOT", None).await.expect("root of A");
    insert(a.clone(), "A-CHILD", Some("A-ROOT"))
        .await
        .expect("child in A");
    assert!(
        insert(b.clone(), "B-CHILD", Some("A-ROOT")).await.is_err(),
        "B cannot hang a department under A's"
    );
    test_db.drop_db().await;
}

/// Each `UniqueKey` is recognised from the error its clash gives on this database, so a
/// renamed constraint or a changed message is a test failure rather than a raw error
/// shown to a user.
async fn unique_keys_are_recognised(kind: DbKind) {
    let Some(test_db) = TestDb::new(kind).await else {
        return;
    };
    let db = &test_db.db;
    let tenant = insert_tenant(db, "UNIQ").await;
    let now = Timestamp::now().as_micros();
    let in_tenant = |sql: &'static str, values: [&'static str; 3]| {
        let tenant = tenant.clone();
        async move {
            let mut tx = db.begin_write_for_tenant(&tenant).await.expect("tx");
            let mut query = sqlx::query(sql).bind(tenant.as_str());
            for value in values {
                query = query.bind(value);
            }
            query.bind(now).execute(&mut *tx).await?;
            tx.commit().await
        }
    };
    let user = "INSERT INTO users (tenant_id, id, email, employee_code, display_name, \
                created_at, updated_at) VALUES ($1, $2, $3, $4, '一意 太郎', $5, $5)";
    let department = "INSERT INTO departments (tenant_id, id, code, name, created_at, \
                      updated_at) VALUES ($1, $2, $3, $4, $5, $5)";
    in_tenant(user, ["u1", "a@example.jp", "E1"])
        .await
        .expect("first user");
    in_tenant(department, ["d1", "S100", "営業部"])
        .await
        .expect("first department");
    let template = "INSERT INTO evaluation_templates (tenant_id, id, name, definition, \
                    created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5)";
    in_tenant(template, ["tp1", "標準評価シート", "{}"])
        .await
        .expect("first template");
    let period = "INSERT INTO evaluation_periods (tenant_id, id, name, state, definition, \
                  created_at, updated_at) VALUES ($1, $2, $3, 'draft', $4, $5, $5)";
    in_tenant(period, ["pd1", "2026年度上期", "{}"])
        .await
        .expect("first period");
    let clashes = [
        (
            UniqueKey::PeriodName,
            in_tenant(period, ["pd2", "2026年度上期", "{}"]).await,
        ),
        (
            UniqueKey::UserEmail,
            in_tenant(user, ["u2", "a@example.jp", "E2"]).await,
        ),
        (
            UniqueKey::UserEmployeeCode,
            in_tenant(user, ["u3", "b@example.jp", "E1"]).await,
        ),
        (
            UniqueKey::DepartmentCode,
            in_tenant(department, ["d2", "S100", "別の部"]).await,
        ),
        (
            UniqueKey::TemplateName,
            in_tenant(template, ["tp2", "標準評価シート", "{}"]).await,
        ),
        (
            UniqueKey::TenantCode,
            sqlx::query(
                "INSERT INTO tenants (id, code, name, seat_limit, contract_start, created_at, \
                 updated_at) VALUES ('t2', 'UNIQ', '別 株式会社', 1, '2026-04-01', $1, $1)",
            )
            .bind(now)
            .execute(db.pool())
            .await
            .map(|_| ()),
        ),
    ];
    for (key, result) in clashes {
        let error = result.expect_err("the second row clashes");
        assert_eq!(UniqueKey::clashed(&error), Some(key), "{error}");
    }
    test_db.drop_db().await;
}

/// Log lines written while a test runs, for asserting what an operator would read.
#[derive(Clone, Default)]
struct CapturedLog(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for CapturedLog {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for CapturedLog {
    type Writer = CapturedLog;
    fn make_writer(&'a self) -> CapturedLog {
        self.clone()
    }
}

/// An operator reading the log of a failed request learns which operation failed: the
/// database error is logged inside the backend function's span.
#[tokio::test]
async fn a_database_error_is_logged_with_its_operation() {
    let test_db = TestDb::new(DbKind::Sqlite).await.expect("sqlite");
    let (_tenant, admin, _) = common::admin_session(&test_db.db, "SPAN", 5).await;
    test_db.db.close().await;
    let log = CapturedLog::default();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(log.clone())
        .with_ansi(false)
        .finish();
    let result = {
        let _guard = tracing::subscriber::set_default(subscriber);
        kouka_app::backend::org::create_department(
            &common::writer(&test_db.db, &admin, Timestamp::now()),
            None,
            "S100",
            "営業部",
        )
        .await
    };
    assert_eq!(result.err(), Some(kouka_app::error::AppError::Internal));
    let text = String::from_utf8(log.0.lock().unwrap().clone()).unwrap();
    assert!(
        text.contains("create_department") && text.contains("database error"),
        "the log names the operation: {text}"
    );
    test_db.drop_db().await;
}

on_both_databases! {
    audit_row_commits_and_rolls_back => super::audit_row_commits_and_rolls_back_with_its_change;
    migrations_are_idempotent => super::migrations_are_idempotent;
    cross_tenant_parent_reference_is_impossible => super::cross_tenant_parent_reference_is_impossible;
    unique_keys_are_recognised => super::unique_keys_are_recognised;
}

/// Bulk rows name their columns: rows that name different ones are refused before any is
/// written; rows that agree are written.
#[tokio::test]
async fn insert_many_refuses_rows_that_name_other_columns() {
    use kouka_app::backend::db::{Value, insert_many};
    let lite = TestDb::new(DbKind::Sqlite).await.expect("sqlite");
    let tenant = insert_tenant(&lite.db, "BULK").await;
    let row = |id: &str, code: &str, second: &'static str| {
        vec![
            ("tenant_id", Value::from(tenant.as_str())),
            ("id", Value::from(id)),
            (second, Value::from(code)),
            ("name", Value::from("部署")),
            ("sort_order", Value::from(10_i64)),
            ("version", Value::from(1_i64)),
            ("created_at", Value::from(1_i64)),
            ("updated_at", Value::from(1_i64)),
        ]
    };
    let count = |db: &Db| {
        let db = db.clone();
        async move {
            sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM departments")
                .fetch_one(db.pool())
                .await
                .expect("count")
        }
    };
    let mut tx = lite.db.begin_write_for_tenant(&tenant).await.expect("tx");
    let mixed = vec![row("d1", "A", "code"), row("d2", "B", "name_kana")];
    let error = insert_many(&mut tx, "departments", mixed)
        .await
        .expect_err("mixed rows");
    assert!(error.to_string().contains("name_kana"), "{error}");
    let agreeing = vec![row("d1", "A", "code"), row("d2", "B", "code")];
    insert_many(&mut tx, "departments", agreeing)
        .await
        .expect("agreeing rows");
    tx.commit().await.expect("commit");
    assert_eq!(count(&lite.db).await, 2);
    lite.drop_db().await;
}
