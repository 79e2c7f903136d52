//! The account flows on both databases: setup link, login, lockout, deactivation, password
//! change and reset — each with its audit rows and mails.

mod common;

use common::{
    LINK_BASE, TestDb, audit_count, count, create_tenant, origin, tenant_with_admin_at, writer,
};
use kouka_app::backend::accounts::{self, LoginInput};
use kouka_app::backend::audit::Outcome;
use kouka_app::backend::db::DbKind;
use kouka_app::backend::sessions;
use kouka_app::backend::tokens::Purpose;
use kouka_app::domain::audit::AuditAction;
use kouka_app::domain::form_field::FormField;
use kouka_app::domain::time::Timestamp;
use kouka_app::error::AppError;

const GOOD_PASSWORD: &str = "桜が咲く頃に会いましょう2026";

fn login_input(code: &str, identifier: &str, password: &str) -> LoginInput {
    LoginInput {
        company_code: code.into(),
        identifier: identifier.into(),
        password: password.into(),
    }
}

async fn setup_link_sets_the_password_once_and_signs_in(kind: DbKind) {
    let Some(test_db) = TestDb::new(kind).await else {
        return;
    };
    let db = &test_db.db;
    let notice = create_tenant(db, "SETUP", 5).await;
    let now = Timestamp::now();

    // Not before the password is chosen.
    let early = accounts::login(
        db,
        login_input("setup", "admin@setup.example", GOOD_PASSWORD),
        &origin(),
        now,
    )
    .await;
    assert_eq!(early.err(), Some(AppError::LoginFailed));

    let info = accounts::inspect_link(db, &notice.setup_code, Purpose::Setup, now)
        .await
        .expect("link");
    assert_eq!(info.display_name, "管理 太郎");
    // The policy applies (the company code is in this one).
    let weak = accounts::set_password_with_link(
        db,
        &notice.setup_code,
        Purpose::Setup,
        "setup-setup-setup".into(),
        &origin(),
        now,
    )
    .await;
    assert!(
        matches!(weak, Err(AppError::Invalid { field, .. }) if field == FormField::Password),
        "{weak:?}"
    );
    let session = accounts::set_password_with_link(
        db,
        &notice.setup_code,
        Purpose::Setup,
        GOOD_PASSWORD.into(),
        &origin(),
        now,
    )
    .await
    .expect("password set");
    let user = sessions::resolve(db, &session, now)
        .await
        .expect("resolve")
        .expect("signed in");
    assert!(user.subject.password_set);
    assert!(
        user.subject
            .has(kouka_app::domain::roles::Role::SystemAdmin)
    );

    // The link works once.
    let again = accounts::set_password_with_link(
        db,
        &notice.setup_code,
        Purpose::Setup,
        "another long passphrase 42".into(),
        &origin(),
        now,
    )
    .await;
    assert_eq!(again.err(), Some(AppError::LinkInvalid));

    // Login by e-mail (any case) with the company code in any case.
    let secret = accounts::login(
        db,
        login_input(" Setup ", "ADMIN@setup.example", GOOD_PASSWORD),
        &origin(),
        now,
    )
    .await
    .expect("login");
    assert_ne!(secret, session, "a new session id at every login");
    assert_eq!(
        audit_count(
            db,
            &notice.tenant_id,
            AuditAction::AuthLogin,
            Some(Outcome::Success)
        )
        .await,
        1
    );
    test_db.drop_db().await;
}

async fn every_login_failure_looks_the_same_and_five_lock_the_account(kind: DbKind) {
    let Some(test_db) = TestDb::new(kind).await else {
        return;
    };
    let db = &test_db.db;
    let t0 = Timestamp::now();
    let (notice, _session) = tenant_with_admin_at(db, "LOCK", 5, GOOD_PASSWORD, t0).await;

    for (code, who, password) in [
        ("NOPE", "admin@lock.example", GOOD_PASSWORD),
        ("LOCK", "nobody@lock.example", GOOD_PASSWORD),
        ("", "", ""),
    ] {
        let result = accounts::login(db, login_input(code, who, password), &origin(), t0).await;
        assert_eq!(result.err(), Some(AppError::LoginFailed), "{code}/{who}");
    }

    // Five wrong passwords, each after the growing wait has passed.
    let mut now = t0;
    for attempt in 1..=5 {
        now = now.plus_seconds(20);
        let result = accounts::login(
            db,
            login_input("LOCK", "admin@lock.example", "wrong password!!"),
            &origin(),
            now,
        )
        .await;
        assert_eq!(
            result.err(),
            Some(AppError::LoginFailed),
            "attempt {attempt}"
        );
    }
    // Locked: even the right password fails, with the same message, for 15 minutes.
    let locked = accounts::login(
        db,
        login_input("LOCK", "admin@lock.example", GOOD_PASSWORD),
        &origin(),
        now.plus_seconds(60),
    )
    .await;
    assert_eq!(locked.err(), Some(AppError::LoginFailed));
    assert_eq!(
        audit_count(db, &notice.tenant_id, AuditAction::AuthLock, None).await,
        1
    );
    assert_eq!(
        count(
            db,
            &notice.tenant_id,
            "SELECT COUNT(*) FROM mail_outbox WHERE tenant_id = $1 AND subject LIKE '%ロック%'"
        )
        .await,
        1,
        "the owner is told by mail"
    );
    // After the lock, the right password works and the count starts over.
    accounts::login(
        db,
        login_input("LOCK", "admin@lock.example", GOOD_PASSWORD),
        &origin(),
        now.plus_seconds(16 * 60),
    )
    .await
    .expect("login after the lock");
    assert!(
        audit_count(
            db,
            &notice.tenant_id,
            AuditAction::AuthLogin,
            Some(Outcome::Denied)
        )
        .await
            + audit_count(
                db,
                &notice.tenant_id,
                AuditAction::AuthLogin,
                Some(Outcome::Failure)
            )
            .await
            >= 7,
        "failed logins are audit events"
    );
    test_db.drop_db().await;
}

async fn deactivation_ends_sessions_and_refuses_login(kind: DbKind) {
    let Some(test_db) = TestDb::new(kind).await else {
        return;
    };
    let db = &test_db.db;
    let now = Timestamp::now();
    let (notice, session) = tenant_with_admin_at(db, "DEACT", 5, GOOD_PASSWORD, now).await;
    let mut tx = db.begin_for_tenant(&notice.tenant_id).await.expect("tx");
    sqlx::query("UPDATE users SET status = 'deactivated' WHERE tenant_id = $1")
        .bind(notice.tenant_id.as_str())
        .execute(&mut *tx)
        .await
        .expect("deactivate");
    tx.commit().await.expect("commit");
    assert!(
        sessions::resolve(db, &session, now)
            .await
            .expect("resolve")
            .is_none(),
        "the open session is dead"
    );
    let login = accounts::login(
        db,
        login_input("DEACT", "admin@deact.example", GOOD_PASSWORD),
        &origin(),
        now,
    )
    .await;
    assert_eq!(login.err(), Some(AppError::LoginFailed));
    test_db.drop_db().await;
}

async fn sessions_expire_idle_and_absolute(kind: DbKind) {
    let Some(test_db) = TestDb::new(kind).await else {
        return;
    };
    let db = &test_db.db;
    let t0 = Timestamp::now();
    let (_, session) = tenant_with_admin_at(db, "IDLE", 5, GOOD_PASSWORD, t0).await;
    // Active every 20 minutes: alive up to the 12-hour limit.
    let mut now = t0;
    for _ in 0..35 {
        now = now.plus_seconds(20 * 60);
        assert!(
            sessions::resolve(db, &session, now)
                .await
                .expect("resolve")
                .is_some(),
            "alive at {now:?}"
        );
    }
    now = t0.plus_seconds(12 * 3600);
    assert!(
        sessions::resolve(db, &session, now)
            .await
            .expect("resolve")
            .is_none(),
        "12 hours absolute"
    );

    let other = accounts::login(
        db,
        login_input("IDLE", "admin@idle.example", GOOD_PASSWORD),
        &origin(),
        t0,
    )
    .await
    .expect("login");
    assert!(
        sessions::resolve(db, &other, t0.plus_seconds(29 * 60))
            .await
            .expect("resolve")
            .is_some()
    );
    assert!(
        sessions::resolve(db, &other, t0.plus_seconds(29 * 60 + 30 * 60))
            .await
            .expect("resolve")
            .is_none(),
        "30 minutes idle"
    );
    test_db.drop_db().await;
}

async fn password_change_needs_the_current_one_and_ends_other_sessions(kind: DbKind) {
    let Some(test_db) = TestDb::new(kind).await else {
        return;
    };
    let db = &test_db.db;
    let now = Timestamp::now();
    let (_, first) = tenant_with_admin_at(db, "CHANGE", 5, GOOD_PASSWORD, now).await;
    let second = accounts::login(
        db,
        login_input("CHANGE", "admin@change.example", GOOD_PASSWORD),
        &origin(),
        now,
    )
    .await
    .expect("login");
    let me = sessions::resolve(db, &second, now)
        .await
        .expect("resolve")
        .expect("alive");

    let wrong = accounts::change_password(
        &writer(db, &me, now),
        "not my password".into(),
        "a brand new passphrase".into(),
    )
    .await;
    assert!(
        matches!(wrong, Err(AppError::Invalid { field, .. }) if field == FormField::CurrentPassword)
    );
    // A wrong current password counts like a failed login: the next try waits a second.
    let too_soon = accounts::change_password(
        &writer(db, &me, now),
        GOOD_PASSWORD.into(),
        "a brand new passphrase".into(),
    )
    .await;
    assert_eq!(too_soon, Err(AppError::RateLimited));
    let later = Timestamp::from_micros(now.as_micros() + 2_000_000);
    accounts::change_password(
        &writer(db, &me, later),
        GOOD_PASSWORD.into(),
        "a brand new passphrase".into(),
    )
    .await
    .expect("changed");
    assert!(
        sessions::resolve(db, &first, now)
            .await
            .expect("resolve")
            .is_none(),
        "other sessions end"
    );
    assert!(
        sessions::resolve(db, &second, now)
            .await
            .expect("resolve")
            .is_some(),
        "this one stays"
    );
    accounts::login(
        db,
        login_input("CHANGE", "admin@change.example", "a brand new passphrase"),
        &origin(),
        now,
    )
    .await
    .expect("the new password works");
    test_db.drop_db().await;
}

async fn reset_sends_a_link_only_to_real_active_accounts(kind: DbKind) {
    let Some(test_db) = TestDb::new(kind).await else {
        return;
    };
    let db = &test_db.db;
    let now = Timestamp::now();
    let (notice, _session) = tenant_with_admin_at(db, "RESET", 5, GOOD_PASSWORD, now).await;
    for (code, email) in [
        ("RESET", "ghost@reset.example"),
        ("NOPE", "admin@reset.example"),
        ("RESET", "not an address"),
    ] {
        let answer =
            accounts::request_password_reset(db, LINK_BASE, code, email, &origin(), now).await;
        assert_eq!(answer.ok(), Some(None), "{code} {email}");
    }
    let sent = accounts::request_password_reset(
        db,
        LINK_BASE,
        "reset",
        "Admin@Reset.example",
        &origin(),
        now,
    )
    .await
    .expect("reset");
    assert_eq!(sent, Some(notice.tenant_id.clone()));
    // The mail holds the link; take it from the outbox as the mail would carry it.
    let mut tx = db.begin_for_tenant(&notice.tenant_id).await.expect("tx");
    let body: String = sqlx::query_scalar("SELECT body_text FROM mail_outbox WHERE tenant_id = $1 AND subject LIKE '%Password reset%'")
        .bind(notice.tenant_id.as_str())
        .fetch_one(&mut *tx)
        .await
        .expect("mail");
    tx.commit().await.expect("commit");
    let link = body
        .split_whitespace()
        .find_map(|word| word.strip_prefix("http://kouka.test/reset/"))
        .expect("a reset link in the mail")
        .to_owned();
    accounts::set_password_with_link(
        db,
        &link,
        Purpose::Reset,
        "a fresh passphrase 2027".into(),
        &origin(),
        now,
    )
    .await
    .expect("reset");
    let expired = accounts::set_password_with_link(
        db,
        &link,
        Purpose::Reset,
        "and again another one".into(),
        &origin(),
        now,
    )
    .await;
    assert_eq!(expired.err(), Some(AppError::LinkInvalid));
    accounts::login(
        db,
        login_input("RESET", "admin@reset.example", "a fresh passphrase 2027"),
        &origin(),
        now,
    )
    .await
    .expect("the new password works");
    test_db.drop_db().await;
}

/// Guessing the current password from a session left open is limited like guessing it at
/// the login: waits, then a lock after five failures, told to the owner; the login is
/// locked too.
async fn guessing_the_current_password_locks_like_failed_logins(kind: DbKind) {
    let Some(test_db) = TestDb::new(kind).await else {
        return;
    };
    let db = &test_db.db;
    let mut now = Timestamp::now();
    let (notice, session) = tenant_with_admin_at(db, "GUESS", 5, GOOD_PASSWORD, now).await;
    let me = sessions::resolve(db, &session, now)
        .await
        .expect("resolve")
        .expect("alive");
    for attempt in 1..=5 {
        let wrong = accounts::change_password(
            &writer(db, &me, now),
            format!("guess number {attempt}"),
            "a brand new passphrase".into(),
        )
        .await;
        assert!(
            matches!(wrong, Err(AppError::Invalid { .. })),
            "attempt {attempt}: {wrong:?}"
        );
        // Past the wait (1, 2, 4, 8 s) before the next guess.
        now = Timestamp::from_micros(now.as_micros() + 9_000_000);
    }
    // Locked: even the right password is refused for now, here and at the login.
    let locked = accounts::change_password(
        &writer(db, &me, now),
        GOOD_PASSWORD.into(),
        "a brand new passphrase".into(),
    )
    .await;
    assert_eq!(locked, Err(AppError::RateLimited));
    let login = accounts::login(
        db,
        login_input("GUESS", "admin@guess.example", GOOD_PASSWORD),
        &origin(),
        now,
    )
    .await;
    assert_eq!(login, Err(AppError::LoginFailed));
    let tenant = &notice.tenant_id;
    assert_eq!(
        audit_count(db, tenant, AuditAction::AuthLock, None).await,
        1
    );
    assert_eq!(
        audit_count(
            db,
            tenant,
            AuditAction::UserPasswordChanged,
            Some(Outcome::Failure)
        )
        .await,
        5
    );
    assert_eq!(
        count(
            db,
            tenant,
            "SELECT COUNT(*) FROM mail_outbox WHERE tenant_id = $1 AND subject LIKE '%ロック%'"
        )
        .await,
        1,
        "the owner is told of the lock"
    );
    test_db.drop_db().await;
}

on_both_databases! {
    guessing_the_current_password_locks => super::guessing_the_current_password_locks_like_failed_logins;
    setup_link_sets_the_password_once_and_signs_in => super::setup_link_sets_the_password_once_and_signs_in;
    every_login_failure_looks_the_same_and_five_lock_the_account => super::every_login_failure_looks_the_same_and_five_lock_the_account;
    deactivation_ends_sessions_and_refuses_login => super::deactivation_ends_sessions_and_refuses_login;
    sessions_expire_idle_and_absolute => super::sessions_expire_idle_and_absolute;
    password_change_needs_the_current_one_and_ends_other_sessions => super::password_change_needs_the_current_one_and_ends_other_sessions;
    reset_sends_a_link_only_to_real_active_accounts => super::reset_sends_a_link_only_to_real_active_accounts;
}
