//! The operator's tenant commands and the one-time tokens behind the setup notice, on both
//! databases.

mod common;

use common::TestDb;
use kouka_app::backend::db::{Db, DbKind};
use kouka_app::backend::secrets::ScopedSecret;
use kouka_app::backend::tenants::{self, NewTenantInput, TenantError, parse_new_tenant};
use kouka_app::backend::tokens::{self, Purpose, TokenProblem};
use kouka_app::domain::audit::AuditAction;
use kouka_app::domain::ids::UserId;
use kouka_app::domain::time::Timestamp;
use kouka_server::operator::{self, TenantCommand};
use sqlx::Row;

fn input(code: &str) -> NewTenantInput {
    NewTenantInput {
        code: code.into(),
        name: "株式会社サンプル".into(),
        seats: 50,
        admin_email: "Admin@Sample.co.jp".into(),
        admin_name: "管理 花子".into(),
        contract_start: Some("2026-04-01".into()),
        contract_end: Some("2027-03-31".into()),
        time_zone: "Asia/Tokyo".into(),
        contact_email: Some("it@sample.co.jp".into()),
    }
}

fn today() -> kouka_app::domain::dates::CalendarDate {
    kouka_app::domain::dates::CalendarDate::new(2026, 11, 27).expect("date")
}

#[test]
fn every_bad_field_is_named() {
    let problems = parse_new_tenant(
        NewTenantInput {
            code: "x".into(),
            name: " ".into(),
            seats: 0,
            admin_email: "nope".into(),
            admin_name: "".into(),
            contract_start: Some("2026/04/01".into()),
            contract_end: Some("soon".into()),
            time_zone: "Mars/Olympus".into(),
            contact_email: Some("bad".into()),
        },
        today(),
    )
    .expect_err("refused");
    for field in [
        "--code",
        "--name",
        "--seats",
        "--admin-email",
        "--admin-name",
        "--timezone",
        "--contract-start",
        "--contract-end",
        "--contact-email",
    ] {
        assert!(
            problems.iter().any(|p| p.starts_with(field)),
            "{field} in {problems:?}"
        );
    }
    let mut reversed = input("REV");
    reversed.contract_end = Some("2026-01-01".into());
    assert!(
        parse_new_tenant(reversed, today()).is_err(),
        "end before start"
    );
    let mut defaulted = input("DEF");
    defaulted.contract_start = None;
    let parsed = parse_new_tenant(defaulted, today()).expect("valid");
    assert_eq!(parsed.contract_start.iso(), "2026-11-27");
}

async fn create_prints_a_setup_notice_and_refuses_a_taken_code(kind: DbKind) {
    let Some(test_db) = TestDb::new(kind).await else {
        return;
    };
    let db = &test_db.db;
    let notice = tenants::create_tenant(
        db,
        "https://kouka.example.jp/",
        parse_new_tenant(input("sample"), today()).expect("valid"),
    )
    .await
    .expect("created");
    assert_eq!(notice.code.as_str(), "SAMPLE");
    assert!(
        notice
            .setup_url
            .starts_with("https://kouka.example.jp/setup/")
    );
    assert!(notice.setup_url.ends_with(&notice.setup_code));
    let hours = (notice.expires_at.as_micros() - Timestamp::now().as_micros()) / 3_600_000_000;
    assert!((71..=72).contains(&hours), "valid 72 hours, got {hours}");

    // The admin exists, invited, system admin, without a password; audit rows were written.
    let mut tx = db.begin_for_tenant(&notice.tenant_id).await.expect("tx");
    let row = sqlx::query(
        "SELECT u.email, u.status, u.password_hash, r.role FROM users u \
         JOIN user_roles r ON r.tenant_id = u.tenant_id AND r.user_id = u.id \
         WHERE u.tenant_id = $1",
    )
    .bind(notice.tenant_id.as_str())
    .fetch_one(&mut *tx)
    .await
    .expect("admin");
    assert_eq!(row.get::<String, _>("email"), "admin@sample.co.jp");
    assert_eq!(row.get::<String, _>("status"), "invited");
    assert_eq!(row.get::<Option<String>, _>("password_hash"), None);
    assert_eq!(row.get::<String, _>("role"), "system_admin");
    let actions: Vec<AuditAction> = common::audit_log(db, &notice.tenant_id)
        .await
        .iter()
        .map(|e| e.action)
        .collect();
    assert_eq!(
        actions,
        [AuditAction::TenantCreate, AuditAction::UserCreate]
    );
    // Only the hash of the setup secret is stored.
    let stored: Vec<String> =
        sqlx::query_scalar("SELECT token_hash FROM one_time_tokens WHERE tenant_id = $1")
            .bind(notice.tenant_id.as_str())
            .fetch_all(&mut *tx)
            .await
            .expect("tokens");
    let secret = ScopedSecret::parse(&notice.setup_code).expect("setup code parses");
    assert_eq!(stored, [secret.hash()]);
    tx.commit().await.expect("commit");

    let again = tenants::create_tenant(
        db,
        "https://kouka.example.jp",
        parse_new_tenant(input("Sample"), today()).expect("valid"),
    )
    .await;
    assert!(matches!(again, Err(TenantError::CodeTaken(_))), "{again:?}");
    let message = again.err().map(|e| e.to_string()).unwrap_or_default();
    assert!(message.contains("既に使われています") && message.contains("already taken"));
    test_db.drop_db().await;
}

async fn list_and_show_print_contracts_never_people(kind: DbKind) {
    let Some(test_db) = TestDb::new(kind).await else {
        return;
    };
    let db = &test_db.db;
    tenants::create_tenant(
        db,
        "http://x",
        parse_new_tenant(input("ALPHA"), today()).expect("valid"),
    )
    .await
    .expect("created");
    let list = operator::run(db, "http://x", TenantCommand::List)
        .await
        .expect("list");
    let show = operator::run(
        db,
        "http://x",
        TenantCommand::Show {
            code: "alpha".into(),
        },
    )
    .await
    .expect("show");
    for output in [&list, &show] {
        assert!(output.contains("ALPHA") && output.contains("株式会社サンプル"));
        assert!(
            !output.contains("admin@sample.co.jp"),
            "no user's e-mail: {output}"
        );
        assert!(!output.contains("管理 花子"), "no user's name: {output}");
    }
    assert!(show.contains("1 in use / 50 contracted"), "{show}");
    assert!(show.contains("2027-03-31"));
    let missing = operator::run(
        db,
        "http://x",
        TenantCommand::Show {
            code: "NONE".into(),
        },
    )
    .await;
    assert!(missing.is_err_and(|m| m.contains("NONE")));
    test_db.drop_db().await;
}

async fn one_time_tokens_work_once_expire_and_void_older_ones(kind: DbKind) {
    let Some(test_db) = TestDb::new(kind).await else {
        return;
    };
    let db: &Db = &test_db.db;
    let notice = tenants::create_tenant(
        db,
        "http://x",
        parse_new_tenant(input("TOK"), today()).expect("valid"),
    )
    .await
    .expect("created");
    let tenant = notice.tenant_id.clone();
    let setup = ScopedSecret::parse(&notice.setup_code).expect("parses");
    let now = Timestamp::now();

    // Wrong purpose: not a setup token for a reset page.
    let mut tx = db.begin_for_tenant(&tenant).await.expect("tx");
    assert_eq!(
        tokens::peek(&mut tx, &setup, Purpose::Reset, now)
            .await
            .expect("peek"),
        Err(TokenProblem::Invalid)
    );
    // Expired after 72 hours.
    assert_eq!(
        tokens::peek(
            &mut tx,
            &setup,
            Purpose::Setup,
            now.plus_seconds(72 * 3600 + 1)
        )
        .await
        .expect("peek"),
        Err(TokenProblem::Expired)
    );
    // Redeemed once, then never again.
    let user: UserId = tokens::redeem(&mut tx, &setup, Purpose::Setup, now)
        .await
        .expect("redeem")
        .expect("valid");
    assert_eq!(
        tokens::redeem(&mut tx, &setup, Purpose::Setup, now)
            .await
            .expect("redeem"),
        Err(TokenProblem::Invalid)
    );
    tx.commit().await.expect("commit");

    // A redemption rolled back leaves the token usable; a new token voids the old one.
    let mut tx = db.begin_for_tenant(&tenant).await.expect("tx");
    let first = tokens::issue(&mut tx, &tenant, &user, Purpose::Reset, now)
        .await
        .expect("issue");
    tx.commit().await.expect("commit");
    let mut tx = db.begin_for_tenant(&tenant).await.expect("tx");
    assert!(
        tokens::redeem(&mut tx, &first.secret, Purpose::Reset, now)
            .await
            .expect("redeem")
            .is_ok()
    );
    tx.rollback().await.expect("rollback");
    let mut tx = db.begin_for_tenant(&tenant).await.expect("tx");
    assert!(
        tokens::peek(&mut tx, &first.secret, Purpose::Reset, now)
            .await
            .expect("peek")
            .is_ok()
    );
    let second = tokens::issue(&mut tx, &tenant, &user, Purpose::Reset, now)
        .await
        .expect("issue");
    assert_eq!(
        tokens::peek(&mut tx, &first.secret, Purpose::Reset, now)
            .await
            .expect("peek"),
        Err(TokenProblem::Invalid),
        "the older link is void"
    );
    assert_eq!(
        (second.expires_at.as_micros() - now.as_micros()) / 1_000_000,
        3600,
        "reset links live one hour"
    );
    // A token of another tenant's id with the same secret finds nothing.
    let forged = ScopedSecret::parse(&format!(
        "{}.{}",
        kouka_app::domain::ids::TenantId::generate(),
        second
            .secret
            .encode()
            .split_once('.')
            .map(|(_, s)| s)
            .unwrap_or_default()
    ))
    .expect("parses");
    assert_eq!(
        tokens::peek(&mut tx, &forged, Purpose::Reset, now)
            .await
            .expect("peek"),
        Err(TokenProblem::Invalid)
    );
    tx.commit().await.expect("commit");
    test_db.drop_db().await;
}

on_both_databases! {
    create_prints_a_setup_notice_and_refuses_a_taken_code => super::create_prints_a_setup_notice_and_refuses_a_taken_code;
    list_and_show_print_contracts_never_people => super::list_and_show_print_contracts_never_people;
    one_time_tokens_work_once_expire_and_void_older_ones => super::one_time_tokens_work_once_expire_and_void_older_ones;
}
