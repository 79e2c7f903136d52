//! The org chart on both databases: the tree editor's edits (versions, cycles, deletion of
//! empty departments only, concurrent moves), managers and members, employees and their
//! reporting line, and the live stream that tells other admins of the tenant — and only
//! them — what changed.

mod common;

use common::{TestDb, admin_session, audit_count, spawn_app, spawn_second_app, writer};
use kouka_app::backend::db::{Db, DbKind};
use kouka_app::backend::employees::{self, EmployeeInput};
use kouka_app::backend::org;
use kouka_app::backend::sessions::SessionUser;
use kouka_app::domain::audit::AuditAction;
use kouka_app::domain::form_field::FormField;
use kouka_app::domain::ids::{DepartmentId, TenantId, UserId};
use kouka_app::domain::org_chart::{DepartmentNode, OrgEvent};
use kouka_app::domain::org_tree::{Node, OrgTree};
use kouka_app::domain::time::Timestamp;
use kouka_app::error::AppError;
use std::time::Duration;

async fn add(
    db: &Db,
    admin: &SessionUser,
    parent: Option<&DepartmentId>,
    code: &str,
) -> DepartmentId {
    org::create_department(
        &writer(db, admin, Timestamp::now()),
        parent.cloned(),
        code,
        &format!("{code}部"),
    )
    .await
    .unwrap_or_else(|e| panic!("create {code}: {e:?}"))
    .0
}

async fn node(db: &Db, tenant: &TenantId, id: &DepartmentId) -> DepartmentNode {
    org::departments_by_id(db, tenant, std::slice::from_ref(id))
        .await
        .expect("load")
        .pop()
        .expect("exists")
}

/// The codes under `parent` (the top level for `None`), in display order.
async fn children(db: &Db, tenant: &TenantId, parent: Option<&DepartmentId>) -> Vec<String> {
    let chart = org::load_chart(db, tenant, true).await.expect("chart");
    let tree = OrgTree::new(
        chart
            .departments
            .iter()
            .map(|d| Node {
                id: d.id.clone(),
                parent: d.parent.clone(),
                sort_order: d.sort_order,
            })
            .collect(),
    )
    .expect("a valid tree");
    tree.children(parent)
        .into_iter()
        .map(|id| {
            chart
                .departments
                .iter()
                .find(|d| &d.id == id)
                .map(|d| d.code.to_string())
                .unwrap_or_default()
        })
        .collect()
}

fn employee(code: &str, department: &str) -> EmployeeInput {
    EmployeeInput {
        employee_code: code.into(),
        display_name: format!("社員 {code}"),
        email: format!("{}@example.jp", code.to_lowercase()),
        department_code: department.into(),
        ..EmployeeInput::default()
    }
}

async fn hire(db: &Db, admin: &SessionUser, input: EmployeeInput) -> Result<UserId, AppError> {
    employees::create_employee(
        &writer(db, admin, Timestamp::now()),
        &input,
        false,
        kouka_app::i18n::Lang::Ja,
        "http://kouka.test",
    )
    .await
    .map(|(id, _)| id)
}

async fn edits_of_the_tree(kind: DbKind) {
    let Some(test_db) = TestDb::new(kind).await else {
        return;
    };
    let db = &test_db.db;
    let (tenant, admin, _) = admin_session(db, "TREE", 50).await;
    let now = Timestamp::now();
    let h = add(db, &admin, None, "H").await;
    let s = add(db, &admin, Some(&h), "S").await;
    let t = add(db, &admin, Some(&s), "T").await;
    let d = add(db, &admin, Some(&h), "D").await;
    assert_eq!(children(db, &tenant, Some(&h)).await, ["S", "D"]);
    let start = org::load_chart(db, &tenant, true).await.unwrap().revision;

    // Rename, then a second rename based on the old version is refused.
    let renamed = org::update_department(&writer(db, &admin, now), &s, 1, "S", "営業本部")
        .await
        .expect("rename");
    assert_eq!(renamed.revision, start + 1);
    assert_eq!(
        org::update_department(&writer(db, &admin, now), &s, 1, "S", "上書き").await,
        Err(AppError::Conflict)
    );
    let fresh = node(db, &tenant, &s).await;
    assert_eq!((fresh.name.as_str(), fresh.version), ("営業本部", 2));
    // A code another department has is refused by name.
    let taken = org::update_department(&writer(db, &admin, now), &s, 2, "D", "営業本部").await;
    assert!(
        matches!(taken, Err(AppError::Invalid { field, .. }) if field == FormField::DepartmentCode)
    );

    // Under its own descendant: refused, nothing changes.
    let cycle = org::move_department(&writer(db, &admin, now), &h, 1, Some(t.clone()), 0).await;
    assert!(
        matches!(cycle, Err(ref e @ AppError::Invalid { .. }) if e.message(kouka_app::i18n::Lang::En).contains("under itself")),
        "{cycle:?}"
    );
    assert_eq!(children(db, &tenant, None).await, ["H"]);

    // Reorder: D first. Move T to the top level, first.
    org::move_department(&writer(db, &admin, now), &d, 1, Some(h.clone()), 0)
        .await
        .expect("reorder");
    assert_eq!(children(db, &tenant, Some(&h)).await, ["D", "S"]);
    let (change, version) = org::move_department(&writer(db, &admin, now), &t, 1, None, 0)
        .await
        .expect("move");
    assert!(change.changed.contains(&t));
    assert_eq!(version, 2, "the next move of T is based on version 2");
    assert_eq!(children(db, &tenant, None).await, ["T", "H"]);
    assert!(children(db, &tenant, Some(&s)).await.is_empty());

    // Only an empty department can be deleted, and the refusal says why.
    hire(db, &admin, employee("E1", "S")).await.expect("hire");
    let version = node(db, &tenant, &s).await.version;
    let refused = org::delete_department(&writer(db, &admin, Timestamp::now()), &s, version).await;
    assert!(
        matches!(refused, Err(ref e @ AppError::Invalid { .. }) if e.message(kouka_app::i18n::Lang::Ja).contains("所属している社員が1名")),
        "{refused:?}"
    );
    let refused = org::delete_department(&writer(db, &admin, Timestamp::now()), &h, 1).await;
    assert!(
        matches!(refused, Err(ref e @ AppError::Invalid { .. }) if e.message(kouka_app::i18n::Lang::Ja).contains("配下に部署が2件")),
        "{refused:?}"
    );
    let removed = org::delete_department(&writer(db, &admin, Timestamp::now()), &t, 2)
        .await
        .expect("delete the empty one");
    assert_eq!(removed.removed, std::slice::from_ref(&t));
    assert_eq!(
        org::delete_department(&writer(db, &admin, Timestamp::now()), &t, 2).await,
        Err(AppError::NotFound)
    );

    // Every change left its audit row.
    assert_eq!(
        audit_count(db, &tenant, AuditAction::DepartmentCreate, None).await,
        4
    );
    assert_eq!(
        audit_count(db, &tenant, AuditAction::DepartmentUpdate, None).await,
        1
    );
    assert_eq!(
        audit_count(db, &tenant, AuditAction::DepartmentMove, None).await,
        2
    );
    assert_eq!(
        audit_count(db, &tenant, AuditAction::DepartmentDelete, None).await,
        1
    );
    test_db.drop_db().await;
}

async fn concurrent_moves_never_make_a_cycle(kind: DbKind) {
    let Some(test_db) = TestDb::new(kind).await else {
        return;
    };
    let db = &test_db.db;
    let (tenant, admin, _) = admin_session(db, "RACE", 50).await;
    for round in 0..5 {
        let a = add(db, &admin, None, &format!("A{round}")).await;
        let b = add(db, &admin, None, &format!("B{round}")).await;
        let now = Timestamp::now();
        let w = writer(db, &admin, now);
        let (first, second) = tokio::join!(
            org::move_department(&w, &a, 1, Some(b.clone()), 0),
            org::move_department(&w, &b, 1, Some(a.clone()), 0),
        );
        assert!(
            first.is_ok() != second.is_ok(),
            "exactly one move wins: {first:?} {second:?}"
        );
        // What is stored is still a tree.
        children(db, &tenant, None).await;
    }
    test_db.drop_db().await;
}

async fn managers_members_and_the_reporting_line(kind: DbKind) {
    let Some(test_db) = TestDb::new(kind).await else {
        return;
    };
    let db = &test_db.db;
    let (tenant, admin, _) = admin_session(db, "LINE", 50).await;
    let now = Timestamp::now();
    let hq = add(db, &admin, None, "HQ").await;
    let sales = add(db, &admin, Some(&hq), "SALES").await;
    let team = add(db, &admin, Some(&sales), "TEAM").await;
    let ceo = hire(db, &admin, employee("C1", "HQ")).await.unwrap();
    let vp = hire(db, &admin, employee("V1", "SALES")).await.unwrap();
    let member = hire(db, &admin, employee("M1", "TEAM")).await.unwrap();
    // A lead whose primary post is elsewhere manages TEAM concurrently.
    let lead = hire(
        db,
        &admin,
        EmployeeInput {
            concurrent_codes: "TEAM".into(),
            manages_codes: "TEAM".into(),
            ..employee("L1", "SALES")
        },
    )
    .await
    .unwrap();
    org::set_manager(&writer(db, &admin, now), &hq, 1, "C1")
        .await
        .expect("manager of HQ");
    org::set_manager(&writer(db, &admin, now), &sales, 1, "Ｖ１")
        .await
        .expect("full-width code typed");
    let unknown = org::set_manager(&writer(db, &admin, now), &sales, 2, "NOPE").await;
    assert!(matches!(unknown, Err(AppError::Invalid { field, .. }) if field == FormField::Manager));

    let view = employees::get_employee(db, &tenant, &member, false, false)
        .await
        .unwrap();
    let names =
        |p: &Option<kouka_app::domain::org_chart::PersonRef>| p.as_ref().map(|p| p.name.clone());
    assert_eq!(names(&view.manager).as_deref(), Some("社員 L1"));
    assert_eq!(names(&view.second_manager).as_deref(), Some("社員 V1"));
    assert!(view.details.is_none(), "HR fields only when allowed");
    let lead_view = employees::get_employee(db, &tenant, &lead, true, true)
        .await
        .unwrap();
    assert_eq!(names(&lead_view.manager).as_deref(), Some("社員 V1"));
    assert_eq!(names(&lead_view.second_manager).as_deref(), Some("社員 C1"));
    assert_eq!(lead_view.posts.len(), 2);
    assert!(lead_view.posts[0].primary && lead_view.posts[1].manager);
    let vp_view = employees::get_employee(db, &tenant, &vp, true, true)
        .await
        .unwrap();
    assert_eq!(names(&vp_view.manager).as_deref(), Some("社員 C1"));
    assert_eq!(vp_view.second_manager, None);
    assert_eq!(
        employees::get_employee(db, &tenant, &ceo, true, true)
            .await
            .unwrap()
            .manager,
        None
    );

    // TEAM's members: its manager first, then primary posts.
    let page = org::members(db, &tenant, &team, 1).await.unwrap();
    let listed: Vec<(&str, bool, bool)> = page
        .members
        .iter()
        .map(|m| (m.person.name.as_str(), m.primary, m.manager))
        .collect();
    assert_eq!(listed, [("社員 L1", false, true), ("社員 M1", true, false)]);
    let chart = org::load_chart(db, &tenant, false).await.unwrap();
    let team_node = chart.departments.iter().find(|d| d.id == team).unwrap();
    assert_eq!(team_node.members, 2);
    assert_eq!(
        team_node.manager.as_ref().map(|m| m.name.as_str()),
        Some("社員 L1")
    );

    // Making someone else manager of TEAM moves the role; a non-member gets a concurrent post.
    org::set_manager(&writer(db, &admin, now), &team, 1, "C1")
        .await
        .expect("new manager");
    let page = org::members(db, &tenant, &team, 1).await.unwrap();
    assert_eq!(page.total, 3);
    assert_eq!(page.members[0].person.name, "社員 C1");
    assert!(page.members[0].manager && !page.members[0].primary);
    assert!(!page.members.iter().skip(1).any(|m| m.manager));

    // Business-admin scope: the SALES subtree covers the member (and the CEO, who now holds
    // a post in TEAM), not someone only at HQ.
    let clerk = hire(db, &admin, employee("K1", "HQ")).await.unwrap();
    let mut tx = db.begin_for_tenant(&tenant).await.unwrap();
    sqlx::query(
        "INSERT INTO business_admin_scopes (tenant_id, user_id, department_id) VALUES ($1, $2, $3)",
    )
    .bind(tenant.as_str())
    .bind(vp.as_str())
    .bind(sales.as_str())
    .execute(&mut *tx)
    .await
    .unwrap();
    tx.commit().await.unwrap();
    assert!(
        employees::in_business_scope(db, &tenant, &vp, &member)
            .await
            .unwrap()
    );
    assert!(
        employees::in_business_scope(db, &tenant, &vp, &ceo)
            .await
            .unwrap()
    );
    assert!(
        !employees::in_business_scope(db, &tenant, &vp, &clerk)
            .await
            .unwrap()
    );
    assert!(
        !employees::in_business_scope(db, &tenant, &ceo, &member)
            .await
            .unwrap()
    );
    test_db.drop_db().await;
}

async fn the_employee_form_keeps_the_rules(kind: DbKind) {
    let Some(test_db) = TestDb::new(kind).await else {
        return;
    };
    let db = &test_db.db;
    let (tenant, admin, _) = admin_session(db, "FORM", 4).await;
    let hq = add(db, &admin, None, "HQ").await;
    add(db, &admin, Some(&hq), "DEV").await;
    let field_of = |result: Result<UserId, AppError>| match result {
        Err(AppError::Invalid { field, .. }) => field.as_str(),
        other => panic!("expected a refused field, got {other:?}"),
    };
    assert_eq!(
        field_of(hire(db, &admin, employee("E1", "NOPE")).await),
        "department_code"
    );
    assert_eq!(
        field_of(
            hire(
                db,
                &admin,
                EmployeeInput {
                    manages_codes: "DEV".into(),
                    ..employee("E1", "HQ")
                }
            )
            .await
        ),
        "manages_codes"
    );
    assert_eq!(
        field_of(
            hire(
                db,
                &admin,
                EmployeeInput {
                    hire_date: "2024/2/30".into(),
                    ..employee("E1", "HQ")
                }
            )
            .await
        ),
        "hire_date"
    );
    let boss = hire(
        db,
        &admin,
        EmployeeInput {
            manages_codes: "HQ".into(),
            hire_date: "2020年4月1日".into(),
            kana: "ﾎﾞｽ".into(),
            ..employee("E1", "HQ")
        },
    )
    .await
    .expect("the boss");
    let same_code = EmployeeInput {
        email: "someone.else@example.jp".into(),
        ..employee("E1", "HQ")
    };
    assert_eq!(field_of(hire(db, &admin, same_code).await), "employee_code");
    assert_eq!(
        field_of(hire(db, &admin, employee("E1", "HQ")).await),
        "email",
        "checked first"
    );
    assert_eq!(
        field_of(
            hire(
                db,
                &admin,
                EmployeeInput {
                    manages_codes: "HQ".into(),
                    ..employee("E2", "HQ")
                }
            )
            .await
        ),
        "manages_codes",
        "HQ has its manager"
    );
    hire(db, &admin, employee("E2", "DEV"))
        .await
        .expect("second");
    // Seats: the admin and two employees of 4; the fourth seat is the last.
    hire(db, &admin, employee("E3", "DEV"))
        .await
        .expect("third");
    assert_eq!(
        hire(db, &admin, employee("E4", "DEV")).await,
        Err(AppError::SeatLimit { limit: 4 })
    );

    // Editing: fields, posts and a code change of one's own.
    let change = employees::update_employee(
        &writer(db, &admin, Timestamp::now()),
        &boss,
        &EmployeeInput {
            job_title: "本部長".into(),
            kana: "ボス".into(),
            hire_date: "2020-04-01".into(),
            concurrent_codes: "DEV".into(),
            manages_codes: "HQ;DEV".into(),
            ..employee("E1", "HQ")
        },
    )
    .await
    .expect("update");
    assert_eq!(
        change.changed.len(),
        2,
        "both departments' counts or managers changed"
    );
    let view = employees::get_employee(db, &tenant, &boss, true, true)
        .await
        .unwrap();
    assert_eq!(view.job_title.as_deref(), Some("本部長"));
    assert_eq!(view.kana.as_deref(), Some("ボス"));
    assert_eq!(
        view.details.unwrap().hire_date.map(|d| d.iso()).as_deref(),
        Some("2020-04-01")
    );
    assert!(view.posts.iter().all(|p| p.manager));
    assert_eq!(
        audit_count(db, &tenant, AuditAction::EmployeeCreate, None).await,
        3
    );
    assert_eq!(
        audit_count(db, &tenant, AuditAction::EmployeeUpdate, None).await,
        1
    );

    // Nobody was invited (the box was left empty): no mail.
    let mut tx = db.begin_for_tenant(&tenant).await.unwrap();
    let mails: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM mail_outbox WHERE tenant_id = $1 AND to_address LIKE 'e%'",
    )
    .bind(tenant.as_str())
    .fetch_one(&mut *tx)
    .await
    .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(mails, 0);

    // The directory finds people by kana and code.
    let found = employees::list_employees(db, &tenant, "ぼす", 1)
        .await
        .unwrap();
    assert_eq!(found.total, 0, "kana is stored in katakana");
    let found = employees::list_employees(db, &tenant, "ボス", 1)
        .await
        .unwrap();
    assert_eq!(found.items.len(), 1);
    assert_eq!(
        found.items[0].department.as_ref().map(|d| d.0.as_str()),
        Some("HQ")
    );
    let by_code = employees::list_employees(db, &tenant, "e2", 1)
        .await
        .unwrap();
    assert_eq!(by_code.total, 1);
    test_db.drop_db().await;
}

fn event(data: &str) -> OrgEvent {
    serde_json::from_str(data).unwrap_or_else(|e| panic!("an OrgEvent: {e}: {data}"))
}

async fn live_events_reach_the_tenant_only(kind: DbKind) {
    let Some(app) = spawn_app(kind).await else {
        return;
    };
    let db = app.db.clone();
    let (tenant, _, first_admin) = admin_session(&db, "LIVEA", 50).await;
    let (_, _, other_tenant_admin) = admin_session(&db, "LIVEB", 50).await;
    let anonymous = app.get("/api/org/events").await;
    assert_eq!(anonymous.status(), 401);

    let mut watching = app.org_events(&first_admin).await;
    let mut elsewhere = app.org_events(&other_tenant_admin).await;
    // Every stream starts with the chart's revision, for a browser to check its chart by.
    for stream in [&mut watching, &mut elsewhere] {
        let first = stream.next_within(Duration::from_secs(1)).await;
        assert_eq!(
            first.as_deref().map(event),
            Some(OrgEvent::Current { revision: 0 }),
            "a new tenant's chart is at revision 0"
        );
    }
    let (status, body) = app
        .post_form(
            "/api/org/create",
            &first_admin,
            &[("parent_id", ""), ("code", "NEW"), ("name", "新設部")],
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let id = DepartmentId::from_stored(serde_json::from_str::<String>(&body).unwrap());
    let data = watching
        .next_within(Duration::from_secs(1))
        .await
        .expect("an event within a second");
    let created_at = match event(&data) {
        OrgEvent::Changed {
            departments,
            revision,
            ..
        } => {
            assert_eq!(departments.len(), 1);
            assert_eq!(
                (departments[0].code.as_str(), departments[0].name.as_str()),
                ("NEW", "新設部")
            );
            revision
        }
        other => panic!("{other:?}"),
    };
    assert!(created_at > 0);
    // A page that loaded the chart before this change but subscribes only now learns
    // from the stream's first event that its chart is behind.
    let mut late = app.org_events(&first_admin).await;
    let first = late.next_within(Duration::from_secs(1)).await;
    assert_eq!(
        first.as_deref().map(event),
        Some(OrgEvent::Current {
            revision: created_at
        })
    );
    // A stale edit over HTTP: 409 with the error the page translates.
    let (status, _) = app
        .post_form(
            "/api/org/update",
            &first_admin,
            &[
                ("id", id.as_str()),
                ("version", "1"),
                ("code", "NEW"),
                ("name", "改名"),
            ],
        )
        .await;
    assert_eq!(status, 200);
    let (status, body) = app
        .post_form(
            "/api/org/update",
            &first_admin,
            &[
                ("id", id.as_str()),
                ("version", "1"),
                ("code", "NEW"),
                ("name", "古い版から"),
            ],
        )
        .await;
    assert_eq!(status, 409);
    assert_eq!(
        serde_json::from_str::<AppError>(&body).unwrap(),
        AppError::Conflict
    );
    // An id that is not one (hand-made, cut short) names nothing: not found.
    for bad in ["../x", &id.as_str()[..35]] {
        let (status, body) = app
            .post_form(
                "/api/org/update",
                &first_admin,
                &[
                    ("id", bad),
                    ("version", "2"),
                    ("code", "NEW"),
                    ("name", "x"),
                ],
            )
            .await;
        assert_eq!(status, 404, "{bad}: {body}");
        assert_eq!(
            serde_json::from_str::<AppError>(&body).unwrap(),
            AppError::NotFound
        );
    }
    let renamed = event(
        &watching
            .next_within(Duration::from_secs(1))
            .await
            .expect("rename"),
    );
    assert!(
        matches!(renamed, OrgEvent::Changed { ref departments, .. } if departments[0].name == "改名")
    );
    assert!(
        elsewhere
            .next_within(Duration::from_millis(1500))
            .await
            .is_none(),
        "another tenant hears nothing"
    );
    assert_eq!(node(&db, &tenant, &id).await.name, "改名");
    // The same id in capitals (as some tools copy it) is the same department.
    let shouted = id.as_str().to_uppercase();
    let (status, body) = app
        .post_form(
            "/api/org/update",
            &first_admin,
            &[
                ("id", &shouted),
                ("version", "2"),
                ("code", "NEW"),
                ("name", "大文字から"),
            ],
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(node(&db, &tenant, &id).await.name, "大文字から");
    app.finish().await;
}

/// Several server processes on one PostgreSQL database: a change made through one is
/// heard by browsers connected to another.
async fn events_cross_server_processes(kind: DbKind) {
    if kind != DbKind::Postgres {
        return;
    }
    let Some(first) = spawn_app(kind).await else {
        return;
    };
    let mut second = spawn_second_app(&first).await;
    let (_, _, admin) = admin_session(&first.db, "PROCS", 50).await;
    let mut on_second = second.org_events(&admin).await;
    let start = on_second.next_within(Duration::from_secs(1)).await;
    assert!(
        start.is_some_and(|data| data.contains("Current")),
        "the revision first"
    );
    // The second process's listener needs a moment to LISTEN after starting.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let (status, body) = first
        .post_form(
            "/api/org/create",
            &admin,
            &[("parent_id", ""), ("code", "X1"), ("name", "別プロセス")],
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let data = on_second
        .next_within(Duration::from_secs(1))
        .await
        .expect("the other process hears it within a second");
    assert!(data.contains("別プロセス"), "{data}");
    let _ = second.stop_server().await;
    first.finish().await;
}

/// The pickers' searches: departments by code or name (exact code first, a parent's name to
/// tell alike ones apart), employees by name, kana or code (only those with a code, which
/// is what the forms send); another tenant's are never offered.
async fn pickers_find_by_code_or_name(kind: DbKind) {
    let Some(test_db) = TestDb::new(kind).await else {
        return;
    };
    let db = &test_db.db;
    let (tenant, admin, _) = admin_session(db, "FIND", 50).await;
    let hq = add(db, &admin, None, "HQ").await;
    let d1 = add(db, &admin, Some(&hq), "D1").await;
    add(db, &admin, Some(&hq), "D10").await;
    add(db, &admin, Some(&d1), "XD1").await;
    let (_, other_admin, _) = admin_session(db, "FINDX", 50).await;
    add(db, &other_admin, None, "D1OTHER").await;

    let codes = |found: Vec<kouka_app::domain::choice::Choice>| {
        found.into_iter().map(|c| c.value).collect::<Vec<_>>()
    };
    // The exact code first, then those starting with it, then the rest.
    assert_eq!(
        codes(
            org::find_departments(db, &tenant, "d1")
                .await
                .expect("find")
        ),
        ["D1", "D10", "XD1"]
    );
    // By name, full-width typing included; the parent's name comes along.
    let by_name = org::find_departments(db, &tenant, "Ｄ１０部")
        .await
        .expect("find");
    assert_eq!(codes(by_name.clone()), ["D10"]);
    assert_eq!(by_name[0].label, "D10部");
    assert_eq!(by_name[0].detail, "HQ部");
    // A LIKE wildcard is a character, not "anything".
    assert!(
        org::find_departments(db, &tenant, "%")
            .await
            .expect("find")
            .is_empty()
    );
    // Nothing typed: a first page to browse.
    assert_eq!(
        org::find_departments(db, &tenant, "")
            .await
            .expect("find")
            .len(),
        4
    );

    hire(
        db,
        &admin,
        EmployeeInput {
            kana: "ヤマダ イチロウ".into(),
            ..employee("E1", "D1")
        },
    )
    .await
    .expect("hire");
    hire(db, &admin, employee("E10", "D1")).await.expect("hire");
    let found = employees::find_employees(db, &tenant, "e1")
        .await
        .expect("find");
    assert_eq!(codes(found), ["E1", "E10"]);
    assert_eq!(
        codes(
            employees::find_employees(db, &tenant, "やまだ")
                .await
                .expect("find")
        ),
        Vec::<String>::new(),
        "kana is searched as stored (katakana)"
    );
    assert_eq!(
        codes(
            employees::find_employees(db, &tenant, "ヤマダ")
                .await
                .expect("find")
        ),
        ["E1"]
    );
    // The admin of the setup has no employee code: not offered as a manager.
    let all = employees::find_employees(db, &tenant, "")
        .await
        .expect("find");
    // In kana order (the name where kana is missing).
    assert_eq!(codes(all), ["E1", "E10"]);
    test_db.drop_db().await;
}

on_both_databases! {
    edits_of_the_tree => super::edits_of_the_tree;
    concurrent_moves => super::concurrent_moves_never_make_a_cycle;
    managers_and_reporting_line => super::managers_members_and_the_reporting_line;
    employee_form => super::the_employee_form_keeps_the_rules;
    live_events => super::live_events_reach_the_tenant_only;
    cross_process_events => super::events_cross_server_processes;
    pickers => super::pickers_find_by_code_or_name;
}
