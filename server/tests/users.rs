//! User administration on both databases: invitation within the seat limit, the last
//! system admin, deactivation and deletion, resending invitations.

mod common;

use common::{TestDb, tenant_with_admin, writer};
use kouka_app::backend::accounts::{self, LoginInput};
use kouka_app::backend::audit::RequestOrigin;
use kouka_app::backend::db::{Db, DbKind};
use kouka_app::backend::sessions::{self, SessionUser};
use kouka_app::backend::tokens::Purpose;
use kouka_app::backend::users::{self, UserInput};
use kouka_app::domain::audit::AuditAction;
use kouka_app::domain::form_field::FormField;
use kouka_app::domain::ids::{TenantId, UserId};
use kouka_app::domain::roles::Role;
use kouka_app::domain::time::Timestamp;
use kouka_app::error::AppError;
use std::collections::BTreeSet;

const ADMIN_PASSWORD: &str = "木漏れ日の中を歩いて帰る";

async fn setup(db: &Db, code: &str, seats: i64) -> (TenantId, SessionUser) {
    let (notice, session) = tenant_with_admin(db, code, seats, ADMIN_PASSWORD).await;
    let admin = sessions::resolve(db, &session, Timestamp::now())
        .await
        .expect("resolve")
        .expect("alive");
    (notice.tenant_id, admin)
}

fn person(n: u32) -> UserInput {
    UserInput {
        email: format!("Person{n}@Example.jp"),
        display_name: format!("社員 {n}"),
        employee_code: format!("E{n:04}"),
        language: kouka_app::i18n::Lang::Ja,
    }
}

async fn outbox_bodies(db: &Db, tenant: &TenantId) -> Vec<String> {
    let mut tx = db.begin_for_tenant(tenant).await.expect("tx");
    let bodies = sqlx::query_scalar(
        "SELECT body_text FROM mail_outbox WHERE tenant_id = $1 ORDER BY created_at, id",
    )
    .bind(tenant.as_str())
    .fetch_all(&mut *tx)
    .await
    .expect("outbox");
    tx.commit().await.expect("commit");
    bodies
}

fn invite_link(body: &str) -> String {
    body.split_whitespace()
        .find_map(|w| w.strip_prefix("http://kouka.test/invite/"))
        .expect("an invitation link")
        .to_owned()
}

async fn invitation_seat_limit_and_duplicates(kind: DbKind) {
    let Some(test_db) = TestDb::new(kind).await else {
        return;
    };
    let db = &test_db.db;
    let (tenant, admin) = setup(db, "SEATS", 3).await;
    let origin = RequestOrigin::default();
    let now = Timestamp::now();
    let first = users::create_user(
        &writer(db, &admin, now),
        person(1),
        BTreeSet::new(),
        "http://kouka.test",
    )
    .await
    .expect("first");
    let duplicate = users::create_user(
        &writer(db, &admin, now),
        person(1),
        BTreeSet::new(),
        "http://kouka.test",
    )
    .await;
    assert!(
        matches!(duplicate, Err(AppError::Invalid { field, .. }) if field == FormField::Email),
        "{duplicate:?}"
    );
    let mut same_code = person(9);
    same_code.employee_code = "E0001".into();
    let clash = users::create_user(
        &writer(db, &admin, now),
        same_code,
        BTreeSet::new(),
        "http://kouka.test",
    )
    .await;
    assert!(
        matches!(clash, Err(AppError::Invalid { field, .. }) if field == FormField::EmployeeCode),
        "{clash:?}"
    );
    users::create_user(
        &writer(db, &admin, now),
        person(2),
        BTreeSet::new(),
        "http://kouka.test",
    )
    .await
    .expect("second");
    // Admin + 2 = 3 seats: the fourth is refused with the limit named.
    let over = users::create_user(
        &writer(db, &admin, now),
        person(3),
        BTreeSet::new(),
        "http://kouka.test",
    )
    .await;
    assert_eq!(over.err(), Some(AppError::SeatLimit { limit: 3 }));
    let message = AppError::SeatLimit { limit: 3 }.message(kouka_app::i18n::Lang::Ja);
    assert!(message.contains("3席"), "{message}");

    // Deactivating frees a seat; reactivating needs one.
    users::set_active(&writer(db, &admin, now), &first, false)
        .await
        .expect("deactivate");
    users::create_user(
        &writer(db, &admin, now),
        person(3),
        BTreeSet::new(),
        "http://kouka.test",
    )
    .await
    .expect("the freed seat");
    assert_eq!(
        users::set_active(&writer(db, &admin, now), &first, true)
            .await
            .err(),
        Some(AppError::SeatLimit { limit: 3 })
    );

    // Each new user got an invitation mail with a working link; the invited user can log in after.
    let bodies = outbox_bodies(db, &tenant).await;
    assert_eq!(bodies.len(), 3);
    let link = invite_link(&bodies[2]);
    accounts::set_password_with_link(
        db,
        &link,
        Purpose::Invitation,
        "夏の終わりの花火大会を見に行く".into(),
        &origin,
        now,
    )
    .await
    .expect("invited user sets a password");
    accounts::login(
        db,
        LoginInput {
            company_code: "SEATS".into(),
            identifier: "E0003".into(),
            password: "夏の終わりの花火大会を見に行く".into(),
        },
        &origin,
        now,
    )
    .await
    .expect("login by employee code");
    test_db.drop_db().await;
}

async fn the_last_system_admin_stays(kind: DbKind) {
    let Some(test_db) = TestDb::new(kind).await else {
        return;
    };
    let db = &test_db.db;
    let (_tenant, admin) = setup(db, "LAST", 10).await;
    let now = Timestamp::now();
    let me = admin.subject.user.clone();
    assert_eq!(
        users::set_roles(&writer(db, &admin, now), &me, BTreeSet::new())
            .await
            .err(),
        Some(AppError::LastSystemAdmin)
    );
    assert_eq!(
        users::set_active(&writer(db, &admin, now), &me, false)
            .await
            .err(),
        Some(AppError::LastSystemAdmin)
    );
    assert_eq!(
        users::delete_user(&writer(db, &admin, Timestamp::now()), &me)
            .await
            .err(),
        Some(AppError::LastSystemAdmin)
    );
    // An invited second admin does not count: they are not active yet.
    let second = users::create_user(
        &writer(db, &admin, now),
        person(1),
        [Role::SystemAdmin].into(),
        "http://kouka.test",
    )
    .await
    .expect("second admin");
    assert_eq!(
        users::set_active(&writer(db, &admin, now), &me, false)
            .await
            .err(),
        Some(AppError::LastSystemAdmin)
    );
    // Roles can be changed freely for someone who is not the last admin.
    users::set_roles(
        &writer(db, &admin, now),
        &second,
        [Role::AuditAdmin, Role::BusinessAdmin].into(),
    )
    .await
    .expect("roles");
    let summary = users::get_user(db, &admin.subject.tenant, &second)
        .await
        .expect("get");
    assert_eq!(summary.roles, vec![Role::AuditAdmin, Role::BusinessAdmin]);
    test_db.drop_db().await;
}

async fn deleting_removes_personal_data_and_keeps_anonymous_audit(kind: DbKind) {
    let Some(test_db) = TestDb::new(kind).await else {
        return;
    };
    let db = &test_db.db;
    let (tenant, admin) = setup(db, "DELETE", 10).await;
    let now = Timestamp::now();
    let doomed = users::create_user(
        &writer(db, &admin, now),
        person(7),
        BTreeSet::new(),
        "http://kouka.test",
    )
    .await
    .expect("created");
    users::delete_user(&writer(db, &admin, Timestamp::now()), &doomed)
        .await
        .expect("deleted");
    assert_eq!(
        users::get_user(db, &tenant, &doomed).await.err(),
        Some(AppError::NotFound)
    );
    let rows: Vec<_> = common::audit_log(db, &tenant)
        .await
        .into_iter()
        .filter(|e| e.target_id.as_deref() == Some(doomed.as_str()))
        .collect();
    let mut tx = db.begin_for_tenant(&tenant).await.expect("tx");
    let mails: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM mail_outbox WHERE tenant_id = $1 AND to_address = 'person7@example.jp'")
        .bind(tenant.as_str())
        .fetch_one(&mut *tx)
        .await
        .expect("outbox");
    tx.commit().await.expect("commit");
    let actions: Vec<AuditAction> = rows.iter().map(|e| e.action).collect();
    assert_eq!(
        actions,
        [AuditAction::UserCreate, AuditAction::UserDelete],
        "the history stays, by id"
    );
    assert!(
        rows.iter().all(|e| e.after.is_none()),
        "no name or e-mail left in it: {rows:?}"
    );
    assert_eq!(mails, 0, "queued mail to them is gone");
    test_db.drop_db().await;
}

async fn resending_an_invitation_voids_the_old_link(kind: DbKind) {
    let Some(test_db) = TestDb::new(kind).await else {
        return;
    };
    let db = &test_db.db;
    let (tenant, admin) = setup(db, "RESEND", 10).await;
    let origin = RequestOrigin::default();
    let now = Timestamp::now();
    let invited: UserId = users::create_user(
        &writer(db, &admin, now),
        person(4),
        BTreeSet::new(),
        "http://kouka.test",
    )
    .await
    .expect("created");
    users::resend_invitation(&writer(db, &admin, now), &invited, "http://kouka.test")
        .await
        .expect("resent");
    let bodies = outbox_bodies(db, &tenant).await;
    let (old, new) = (invite_link(&bodies[0]), invite_link(&bodies[1]));
    assert_eq!(
        accounts::set_password_with_link(
            db,
            &old,
            Purpose::Invitation,
            "雨上がりの虹を見上げて歩こう".into(),
            &origin,
            now
        )
        .await
        .err(),
        Some(AppError::LinkInvalid)
    );
    accounts::set_password_with_link(
        db,
        &new,
        Purpose::Invitation,
        "雨上がりの虹を見上げて歩こう".into(),
        &origin,
        now,
    )
    .await
    .expect("the new link works");
    // Active now: no more invitations for them.
    assert!(matches!(
        users::resend_invitation(&writer(db, &admin, now), &invited, "http://kouka.test").await,
        Err(AppError::Invalid { .. })
    ));
    test_db.drop_db().await;
}

async fn the_list_is_paged_searchable_and_escapes_wildcards(kind: DbKind) {
    let Some(test_db) = TestDb::new(kind).await else {
        return;
    };
    let db = &test_db.db;
    let (tenant, admin) = setup(db, "LIST", 1000).await;
    let now = Timestamp::now();
    for n in 1..=60 {
        users::create_user(
            &writer(db, &admin, now),
            person(n),
            BTreeSet::new(),
            "http://kouka.test",
        )
        .await
        .expect("created");
    }
    let first = users::list_users(db, &tenant, "", 1).await.expect("page 1");
    assert_eq!(
        (first.total, first.users.len(), first.seats_in_use),
        (61, 50, 61)
    );
    let second = users::list_users(db, &tenant, "", 2).await.expect("page 2");
    assert_eq!(second.users.len(), 11);
    let by_code = users::list_users(db, &tenant, "e0042", 1)
        .await
        .expect("search");
    assert_eq!(
        by_code
            .users
            .iter()
            .map(|u| u.display_name.as_str())
            .collect::<Vec<_>>(),
        ["社員 42"]
    );
    let by_name = users::list_users(db, &tenant, "管理", 1)
        .await
        .expect("search");
    assert_eq!(by_name.total, 1);
    assert_eq!(
        users::list_users(db, &tenant, "%", 1)
            .await
            .expect("search")
            .total,
        0,
        "% is literal"
    );
    test_db.drop_db().await;
}

/// One reading of a search box for every list, the same on both databases: case and
/// width never decide who is found.
async fn searches_ignore_case_and_width_in_every_list(kind: DbKind) {
    let Some(test_db) = TestDb::new(kind).await else {
        return;
    };
    let db = &test_db.db;
    let (tenant, admin) = setup(db, "FOLD", 100).await;
    for (name, email, code) in [
        ("Yamada Taro", "taro@fold.example", "T100"),
        ("YAMADA Hanako", "hanako@fold.example", "H200"),
        ("Suzuki Ichiro", "ichiro@fold.example", "AB12"),
    ] {
        let input = UserInput {
            email: email.into(),
            display_name: name.into(),
            employee_code: code.into(),
            language: kouka_app::i18n::Lang::Ja,
        };
        users::create_user(
            &writer(db, &admin, Timestamp::now()),
            input,
            BTreeSet::new(),
            "http://kouka.test",
        )
        .await
        .expect("created");
    }
    let yamadas = ["YAMADA Hanako", "Yamada Taro"];
    for query in [
        "yamada",
        "YAMADA",
        "YaMaDa",
        "ＹＡＭＡＤＡ",
        "ｙａｍａｄａ",
        "Ｙａｍａｄａ",
    ] {
        let mut listed: Vec<String> = users::list_users(db, &tenant, query, 1)
            .await
            .expect("users")
            .users
            .into_iter()
            .map(|u| u.display_name)
            .collect();
        listed.sort();
        assert_eq!(listed, yamadas, "users, {query:?}");
        let mut directory: Vec<String> =
            kouka_app::backend::employees::list_employees(db, &tenant, query, 1)
                .await
                .expect("employees")
                .items
                .into_iter()
                .map(|e| e.person.name)
                .collect();
        directory.sort();
        assert_eq!(directory, yamadas, "employees, {query:?}");
    }
    for query in ["ab12", "ＡＢ１２", "Ab12"] {
        let found = users::list_users(db, &tenant, query, 1)
            .await
            .expect("users");
        assert_eq!(found.total, 1, "users by code, {query:?}");
        let found = kouka_app::backend::employees::list_employees(db, &tenant, query, 1)
            .await
            .expect("employees");
        assert_eq!(found.total, 1, "employees by code, {query:?}");
    }
    test_db.drop_db().await;
}

async fn business_scopes_name_unknown_codes_and_change_nothing(kind: DbKind) {
    let Some(test_db) = TestDb::new(kind).await else {
        return;
    };
    let db = &test_db.db;
    let (tenant, admin) = setup(db, "SCOPE", 10).await;
    let now = Timestamp::now();
    let mut tx = db.begin_for_tenant(&tenant).await.expect("tx");
    for code in ["SALES", "DEV"] {
        sqlx::query("INSERT INTO departments (tenant_id, id, code, name, created_at, updated_at) VALUES ($1, $2, $3, $3, $4, $4)")
            .bind(tenant.as_str())
            .bind(UserId::generate().as_str())
            .bind(code)
            .bind(now.as_micros())
            .execute(&mut *tx)
            .await
            .expect("department");
    }
    tx.commit().await.expect("commit");
    let manager = users::create_user(
        &writer(db, &admin, now),
        person(5),
        [Role::BusinessAdmin].into(),
        "http://kouka.test",
    )
    .await
    .expect("created");
    users::set_business_scope(
        &writer(db, &admin, Timestamp::now()),
        &manager,
        "SALES、 DEV",
    )
    .await
    .expect("scope");
    assert_eq!(
        users::get_user(db, &tenant, &manager)
            .await
            .expect("get")
            .business_scope
            .iter()
            .map(|d| d.value.as_str())
            .collect::<Vec<_>>(),
        ["DEV", "SALES"]
    );
    let unknown = users::set_business_scope(
        &writer(db, &admin, Timestamp::now()),
        &manager,
        "SALES, NOPE, GONE",
    )
    .await;
    assert!(
        matches!(&unknown, Err(e @ AppError::Invalid { field, .. }) if *field == FormField::DepartmentCodes && e.message(kouka_app::i18n::Lang::En).contains("GONE, NOPE")),
        "{unknown:?}"
    );
    assert_eq!(
        users::get_user(db, &tenant, &manager)
            .await
            .expect("get")
            .business_scope
            .iter()
            .map(|d| d.value.as_str())
            .collect::<Vec<_>>(),
        ["DEV", "SALES"],
        "unchanged"
    );
    test_db.drop_db().await;
}

async fn own_profile_and_sessions(kind: DbKind) {
    let Some(test_db) = TestDb::new(kind).await else {
        return;
    };
    let db = &test_db.db;
    let (tenant, admin) = setup(db, "PROFILE", 10).await;
    let origin = RequestOrigin::default();
    let now = Timestamp::now();
    let other = accounts::login(
        db,
        LoginInput {
            company_code: "PROFILE".into(),
            identifier: "admin@profile.example".into(),
            password: ADMIN_PASSWORD.into(),
        },
        &origin,
        now,
    )
    .await
    .expect("second session");
    accounts::update_profile(
        &writer(db, &admin, now),
        " 管理 一郎（人事部） ",
        kouka_app::i18n::Lang::En,
    )
    .await
    .expect("profile");
    let summary = users::get_user(db, &tenant, &admin.subject.user)
        .await
        .expect("get");
    assert_eq!(
        (summary.display_name.as_str(), summary.language),
        ("管理 一郎（人事部）", kouka_app::i18n::Lang::En)
    );
    assert!(matches!(
        accounts::update_profile(&writer(db, &admin, now), "  ", kouka_app::i18n::Lang::Ja).await,
        Err(AppError::Invalid { .. })
    ));

    let mine = accounts::own_sessions(db, &admin, now)
        .await
        .expect("sessions");
    assert_eq!(mine.len(), 2);
    assert_eq!(mine.iter().filter(|s| s.current).count(), 1);
    let other_id = mine
        .iter()
        .find(|s| !s.current)
        .map(|s| s.id.clone())
        .expect("the other one");
    accounts::end_own_session(&writer(db, &admin, now), &other_id)
        .await
        .expect("ended");
    assert!(
        sessions::resolve(db, &other, now)
            .await
            .expect("resolve")
            .is_none(),
        "that browser is signed out"
    );
    assert_eq!(
        accounts::own_sessions(db, &admin, now)
            .await
            .expect("sessions")
            .len(),
        1
    );
    assert_eq!(
        accounts::end_own_session(&writer(db, &admin, now), "someone-elses")
            .await
            .err(),
        Some(AppError::NotFound)
    );
    test_db.drop_db().await;
}

on_both_databases! {
    business_scopes_name_unknown_codes_and_change_nothing => super::business_scopes_name_unknown_codes_and_change_nothing;
    own_profile_and_sessions => super::own_profile_and_sessions;
    invitation_seat_limit_and_duplicates => super::invitation_seat_limit_and_duplicates;
    the_last_system_admin_stays => super::the_last_system_admin_stays;
    deleting_removes_personal_data_and_keeps_anonymous_audit => super::deleting_removes_personal_data_and_keeps_anonymous_audit;
    resending_an_invitation_voids_the_old_link => super::resending_an_invitation_voids_the_old_link;
    the_list_is_paged_searchable_and_escapes_wildcards => super::the_list_is_paged_searchable_and_escapes_wildcards;
    searches_ignore_case_and_width_in_every_list => super::searches_ignore_case_and_width_in_every_list;
}
