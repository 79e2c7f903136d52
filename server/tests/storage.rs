//! The storage layer on both databases: schema parity, SQLite settings, tenant isolation by
//! row-level security on PostgreSQL, and the audit writer's transaction.

mod common;

use common::insert_tenant;

use common::TestDb;
use kouka_app::backend::audit::{self, Actor, AuditEntry, Outcome, RequestOrigin};
use kouka_app::backend::db::{Db, DbKind};
use kouka_app::domain::ids::{TenantId, UserId};
use kouka_app::domain::time::Timestamp;
use sqlx::Row;
use std::collections::BTreeMap;

/// table → column → (type, not null)
type Schema = BTreeMap<String, BTreeMap<String, (String, bool)>>;

async fn schema_of(db: &Db) -> Schema {
    let rows = match db.kind() {
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
    .expect("read schema");
    let mut schema = Schema::new();
    for row in rows {
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
            .entry(table)
            .or_default()
            .insert(column, (data_type, not_null > 0));
    }
    schema
}

#[tokio::test]
async fn sqlite_and_postgres_schemas_match() {
    let Some(pg) = TestDb::new(DbKind::Postgres).await else {
        return;
    };
    let lite = TestDb::new(DbKind::Sqlite).await.expect("sqlite");
    let (lite_schema, pg_schema) = (schema_of(&lite.db).await, schema_of(&pg.db).await);
    for table in ["tenants", "users", "departments", "audit_log"] {
        assert!(lite_schema.contains_key(table), "sqlite lacks {table}");
    }
    assert_eq!(
        lite_schema, pg_schema,
        "migrations/sqlite and migrations/postgres must define the same tables and columns"
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
    let entry = |action: &'static str| AuditEntry {
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
    audit::record(&mut tx, entry("rolled.back"))
        .await
        .expect("record");
    tx.rollback().await.expect("rollback");

    let mut tx = db.begin_for_tenant(&tenant).await.expect("tx");
    audit::record(&mut tx, entry("committed"))
        .await
        .expect("record");
    tx.commit().await.expect("commit");

    let mut tx = db.begin_for_tenant(&tenant).await.expect("tx");
    let rows = sqlx::query(
        "SELECT action, actor_kind, after_json, outcome, ip FROM audit_log WHERE tenant_id = $1",
    )
    .bind(tenant.as_str())
    .fetch_all(&mut *tx)
    .await
    .expect("select");
    assert_eq!(
        rows.len(),
        1,
        "the rolled-back row is gone with its transaction"
    );
    let row = &rows[0];
    assert_eq!(row.get::<String, _>("action"), "committed");
    assert_eq!(row.get::<String, _>("actor_kind"), "operator");
    assert_eq!(row.get::<String, _>("outcome"), "success");
    assert_eq!(
        row.get::<Option<String>, _>("ip").as_deref(),
        Some("127.0.0.1")
    );
    let after: serde_json::Value =
        serde_json::from_str(&row.get::<String, _>("after_json")).expect("json");
    assert_eq!(after["name"], "監査 株式会社");
    tx.commit().await.expect("commit");
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

on_both_databases! {
    audit_row_commits_and_rolls_back => super::audit_row_commits_and_rolls_back_with_its_change;
    migrations_are_idempotent => super::migrations_are_idempotent;
    cross_tenant_parent_reference_is_impossible => super::cross_tenant_parent_reference_is_impossible;
}
