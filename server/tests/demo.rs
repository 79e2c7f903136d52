//! The demo company (`kouka demo`): a realistic tree with a manager in every department,
//! people the population preview takes with their proposed evaluators, the starter
//! template, four accounts that sign in with the printed passwords, and a refusal to
//! make a second one under a code in use.

mod common;

use common::{TestDb, count, origin, writer};
use kouka_app::backend::accounts::{self, LoginInput};
use kouka_app::backend::db::DbKind;
use kouka_app::backend::evaluation::{periods, templates};
use kouka_app::backend::sessions;
use kouka_app::domain::dates::CalendarDate;
use kouka_app::domain::evaluation::period::PeriodState;
use kouka_app::domain::evaluation::sheet::{SheetContent, score_work, sheet_final};
use kouka_app::domain::evaluation::template::Template;
use kouka_app::domain::time::Timestamp;
use kouka_server::operator::{DemoArgs, run_demo};

async fn a_demo_company_is_ready_to_sign_in_to(kind: DbKind) {
    let Some(test_db) = TestDb::new(kind).await else {
        return;
    };
    let db = &test_db.db;
    let printed = run_demo(db, "http://kouka.test", DemoArgs::new("DEMO", 200, true))
        .await
        .expect("the demo is made");
    let demo: serde_json::Value = serde_json::from_str(&printed).expect("one JSON object");
    assert_eq!(demo["company_code"], "DEMO");
    let accounts = demo["accounts"].as_array().expect("accounts");
    let roles: Vec<&str> = accounts
        .iter()
        .map(|a| a["role"].as_str().unwrap())
        .collect();
    assert_eq!(
        roles,
        ["system_admin", "manager", "second_evaluator", "employee"]
    );

    // Each printed account signs in with its printed password.
    let mut secrets = Vec::new();
    for account in accounts {
        let secret = accounts::login(
            db,
            LoginInput {
                company_code: "DEMO".into(),
                identifier: account["email"].as_str().unwrap().into(),
                password: account["password"].as_str().unwrap().into(),
            },
            &origin(),
            Timestamp::now(),
        )
        .await
        .unwrap_or_else(|e| panic!("{} signs in: {e:?}", account["role"]));
        secrets.push(secret);
    }
    let admin = sessions::resolve(db, &secrets[0], Timestamp::now())
        .await
        .expect("resolve")
        .expect("the admin is signed in");

    let tenant: kouka_app::domain::ids::TenantId = {
        let id: String = sqlx::query_scalar("SELECT id FROM tenants WHERE code = 'DEMO'")
            .fetch_one(db.pool())
            .await
            .expect("tenant");
        kouka_app::domain::ids::TenantId::from_stored(id)
    };
    // About 200 people (and the admin) in 25 departments, each with one manager.
    assert_eq!(
        count(
            db,
            &tenant,
            "SELECT COUNT(*) FROM users WHERE tenant_id = $1"
        )
        .await,
        201
    );
    assert_eq!(
        count(
            db,
            &tenant,
            "SELECT COUNT(*) FROM departments WHERE tenant_id = $1"
        )
        .await,
        25
    );
    let mut tx = db.begin_for_tenant(&tenant).await.expect("tx");
    let managed: i64 = sqlx::query_scalar(
        "SELECT COUNT(DISTINCT department_id) FROM posts WHERE tenant_id = $1 AND is_manager = 1",
    )
    .bind(tenant.as_str())
    .fetch_one(&mut *tx)
    .await
    .expect("managers");
    assert_eq!(managed, 25);
    tx.commit().await.expect("commit");
    let listed = templates::list_templates(db, &tenant)
        .await
        .expect("templates");
    assert_eq!(listed.len(), 1);
    // Everyone of the company is in a whole-company period; only the top has nobody
    // above them (and the admin, who holds no post).
    let draft = periods::create_period(
        &writer(db, &admin, Timestamp::now()),
        "全社".into(),
        CalendarDate::new(2026, 4, 1),
        CalendarDate::new(2026, 9, 30),
        Some(listed[0].id.clone()),
    )
    .await
    .expect("a draft for everyone");
    let preview = periods::preview_period(db, &tenant, &draft)
        .await
        .expect("preview");
    assert_eq!(preview.count, 201);
    assert_eq!(preview.people.len(), 50.min(preview.count));
    let without: Vec<&str> = preview
        .without_evaluator
        .iter()
        .map(|p| p.person.name.as_str())
        .collect();
    assert!(without.contains(&"人事 花子"), "{without:?}");
    assert!(preview.without_evaluator_count <= 8, "{without:?}");
    assert_eq!(preview.without_evaluator_count, without.len());

    // A running period whose sheets are spread over the workflow (beside the draft above).
    let periods = periods::list_periods(db, &tenant).await.expect("periods");
    let states: Vec<PeriodState> = periods.iter().map(|p| p.state).collect();
    assert_eq!(states.len(), 2, "{states:?}");
    let running: Vec<_> = periods
        .iter()
        .filter(|p| p.state == PeriodState::Running)
        .collect();
    assert_eq!(running.len(), 1, "{states:?}");
    let sheets = running[0].sheets;
    assert!((180..=200).contains(&sheets), "{sheets} sheets");
    let mut tx = db.begin_for_tenant(&tenant).await.expect("tx");
    let states: Vec<(String, i64)> = sqlx::query_as(
        "SELECT state, COUNT(*) FROM evaluation_sheets WHERE tenant_id = $1 GROUP BY state",
    )
    .bind(tenant.as_str())
    .fetch_all(&mut *tx)
    .await
    .expect("states");
    assert_eq!(states.len(), 10, "{states:?}");
    assert!(states.iter().all(|(_, n)| *n >= 10), "{states:?}");
    // The sheets went through the real workflow: each kind of step is in their history,
    // a send-back and a calibration among them; none of those steps mailed anybody (they
    // tell of steps nobody took).
    let steps: Vec<String> = sqlx::query_scalar(
        "SELECT DISTINCT step FROM evaluation_sheet_events WHERE tenant_id = $1 ORDER BY step",
    )
    .bind(tenant.as_str())
    .fetch_all(&mut *tx)
    .await
    .expect("steps");
    assert_eq!(
        steps,
        [
            "acknowledge",
            "approve_goals",
            "calibrate",
            "disclose",
            "finalize",
            "interview",
            "send_back",
            "start_self_evaluation",
            "submit_evaluation",
            "submit_goals",
            "submit_self_evaluation"
        ]
    );
    let step_mails: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM mail_outbox WHERE tenant_id = $1 AND subject LIKE '%評価シートが%'",
    )
    .bind(tenant.as_str())
    .fetch_one(&mut *tx)
    .await
    .expect("mails");
    assert_eq!(step_mails, 0);

    // The member who signs in can check their score by hand: the 2nd evaluator's stage is
    // final; goals 50/30/20 rated A (4), B (3), S (5): 2.00 + 0.90 + 1.00 = 3.90;
    // items 主体性 B, 協調性 B, 専門性 A, 規律性 対象外: the other three count 33.34,
    // 33.33 and 33.33 %, so 3 × 0.3334 + 3 × 0.3333 + 4 × 0.3333 = 3.3333 → 3.33;
    // 60 % × 3.90 + 40 % × 3.33 = 2.34 + 1.332 = 3.672 → 3.67, grade A (3.5 ≤ 3.67 < 4.5).
    let member_email = accounts
        .iter()
        .find(|a| a["role"] == "employee")
        .and_then(|a| a["email"].as_str())
        .expect("the member");
    // Its 1st and 2nd evaluators are the two managers who sign in.
    let email_of = |role: &str| {
        accounts
            .iter()
            .find(|a| a["role"] == role)
            .and_then(|a| a["email"].as_str())
            .expect(role)
            .to_owned()
    };
    let (first, second): (String, String) = sqlx::query_as(
        "SELECT e1.email, e2.email FROM evaluation_sheets s \
         JOIN users u ON u.tenant_id = s.tenant_id AND u.id = s.employee_id \
         JOIN users e1 ON e1.tenant_id = s.tenant_id AND e1.id = s.evaluator_1 \
         JOIN users e2 ON e2.tenant_id = s.tenant_id AND e2.id = s.evaluator_2 \
         WHERE s.tenant_id = $1 AND u.email = $2",
    )
    .bind(tenant.as_str())
    .bind(member_email)
    .fetch_one(&mut *tx)
    .await
    .expect("the member's evaluators");
    assert_eq!(
        (first, second),
        (email_of("manager"), email_of("second_evaluator"))
    );
    let (state, content, snapshot): (String, String, String) = sqlx::query_as(
        "SELECT s.state, s.content, p.template_snapshot FROM evaluation_sheets s \
         JOIN users u ON u.tenant_id = s.tenant_id AND u.id = s.employee_id \
         JOIN evaluation_periods p ON p.tenant_id = s.tenant_id AND p.id = s.period_id \
         WHERE s.tenant_id = $1 AND u.email = $2",
    )
    .bind(tenant.as_str())
    .bind(member_email)
    .fetch_one(&mut *tx)
    .await
    .expect("the member's sheet");
    tx.commit().await.expect("commit");
    assert_eq!(state, "disclosed");
    let content: SheetContent = serde_json::from_str(&content).expect("content");
    // Approved goals carry their ids, and the member's first goal serves a goal of their
    // manager's own sheet (上位目標).
    assert!(content.goals.values().flatten().all(|g| g.id.is_some()));
    let link = content.goals[&0][0]
        .aligned_to
        .as_ref()
        .expect("the member's first goal is aligned upward");
    assert!(!link.title.is_empty() && !link.owner.is_empty(), "{link:?}");
    let template: Template = serde_json::from_str(&snapshot).expect("snapshot");
    let second = score_work(&template, &content, &content.stage_work[1]).expect("scored");
    let sections: Vec<String> = second
        .sections
        .iter()
        .map(|s| s.score.expect("scored").to_string())
        .collect();
    assert_eq!(sections, ["3.90", "3.33"]);
    assert_eq!(
        second.formula(),
        "業績目標 60 % × 3.90 + 行動評価 40 % × 3.33"
    );
    let last = sheet_final(&template, &content).expect("final");
    assert_eq!(last.headline(), "A (3.67)");

    // A second demo under the same code is refused by name.
    let again = run_demo(db, "http://kouka.test", DemoArgs::new("DEMO", 200, false)).await;
    assert!(
        again
            .as_ref()
            .is_err_and(|e| e.contains("DEMO") && e.contains("already taken")),
        "{again:?}"
    );
    test_db.drop_db().await;
}

on_both_databases! {
    ready_to_sign_in_to => super::a_demo_company_is_ready_to_sign_in_to;
}
