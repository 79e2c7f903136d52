//! An evaluation period as an evaluation admin runs it, on the demo company: planned for
//! two sections, refused where a choice is wrong, previewed with the evaluators the org
//! chart proposes, a person without evaluator fixed by hand and another by CSV, the whole
//! population downloaded as the evaluators file and read back unchanged, launched
//! (a sheet, the chain and a notice mail for everyone, the template's snapshot), unchanged
//! by a later edit of the template; then a hand-over, a late joiner, an exclusion, and a
//! deactivated person's sheet closed. Nothing of it is reachable from another tenant.

mod common;

use common::{TestDb, audit_count, count, signed_in_user, writer};
use kouka_app::backend::db::{Db, DbKind};
use kouka_app::backend::demo::{DemoSize, create_demo};
use kouka_app::backend::evaluation::periods::{self, PopulationCodes};
use kouka_app::backend::evaluation::templates;
use kouka_app::backend::secrets::ScopedSecret;
use kouka_app::backend::sessions::{self, SessionUser};
use kouka_app::domain::audit::AuditAction;
use kouka_app::domain::csv_codec::{self, Encoding};
use kouka_app::domain::dates::CalendarDate;
use kouka_app::domain::evaluation::period::{PeriodPlace, PeriodProblem, PeriodState};
use kouka_app::domain::evaluation::workflow::{Phase, SheetState};
use kouka_app::domain::form_field::FormField;
use kouka_app::domain::ids::{PeriodId, TenantId};
use kouka_app::domain::problem::Problem;
use kouka_app::domain::roles::Role;
use kouka_app::domain::time::Timestamp;
use kouka_app::error::AppError;

async fn session(db: &Db, tenant: &TenantId, roles: &[Role]) -> SessionUser {
    let cookie = signed_in_user(db, tenant, roles).await;
    let secret = ScopedSecret::parse(&cookie).expect("a session cookie");
    sessions::resolve(db, &secret, Timestamp::now())
        .await
        .expect("resolve")
        .expect("alive")
}

fn refused(result: Result<impl std::fmt::Debug, AppError>) -> (PeriodPlace, PeriodProblem) {
    match result {
        Err(AppError::Invalid {
            field: FormField::Period,
            problem: Problem::Period { at, problem },
        }) => (at, problem),
        other => panic!("expected a refused period, got {other:?}"),
    }
}

fn date(text: &str) -> Option<CalendarDate> {
    CalendarDate::from_iso(text)
}

/// (code, id) of `n` sections (departments without children) that have members.
async fn sections(db: &Db, tenant: &TenantId, n: usize) -> Vec<(String, String)> {
    let mut tx = db.begin_for_tenant(tenant).await.expect("tx");
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT d.code, d.id FROM departments d WHERE d.tenant_id = $1 AND NOT EXISTS \
         (SELECT 1 FROM departments c WHERE c.tenant_id = d.tenant_id AND c.parent_id = d.id) \
         AND EXISTS (SELECT 1 FROM posts p WHERE p.tenant_id = d.tenant_id \
         AND p.department_id = d.id AND p.is_manager = 0) ORDER BY d.code",
    )
    .bind(tenant.as_str())
    .fetch_all(&mut *tx)
    .await
    .expect("sections");
    tx.commit().await.expect("commit");
    rows.into_iter().take(n).collect()
}

/// The employee code of the manager of the department with no parent (the president).
async fn code_of_manager(db: &Db, tenant: &TenantId, department_sql: &str) -> String {
    let mut tx = db.begin_for_tenant(tenant).await.expect("tx");
    let code: String = sqlx::query_scalar(&format!(
        "SELECT u.employee_code FROM users u JOIN posts p ON p.tenant_id = u.tenant_id \
         AND p.user_id = u.id AND p.is_manager = 1 WHERE u.tenant_id = $1 \
         AND p.department_id = ({department_sql}) ORDER BY u.employee_code LIMIT 1"
    ))
    .bind(tenant.as_str())
    .fetch_one(&mut *tx)
    .await
    .expect("a manager");
    tx.commit().await.expect("commit");
    code
}

/// (employee code, evaluator 1 code, evaluator 2 code, state) of every sheet of a period.
async fn sheets(
    db: &Db,
    tenant: &TenantId,
    period: &PeriodId,
) -> Vec<(String, String, String, String)> {
    let mut tx = db.begin_for_tenant(tenant).await.expect("tx");
    let rows = sqlx::query_as(
        "SELECT e.employee_code, a.employee_code, b.employee_code, s.state \
         FROM evaluation_sheets s \
         JOIN users e ON e.tenant_id = s.tenant_id AND e.id = s.employee_id \
         JOIN users a ON a.tenant_id = s.tenant_id AND a.id = s.evaluator_1 \
         JOIN users b ON b.tenant_id = s.tenant_id AND b.id = s.evaluator_2 \
         WHERE s.tenant_id = $1 AND s.period_id = $2 ORDER BY e.employee_code",
    )
    .bind(tenant.as_str())
    .bind(period.as_str())
    .fetch_all(&mut *tx)
    .await
    .expect("sheets");
    tx.commit().await.expect("commit");
    rows
}

async fn a_period_is_planned_launched_and_run(kind: DbKind) {
    let Some(test_db) = TestDb::new(kind).await else {
        return;
    };
    let db = &test_db.db;
    let size = DemoSize {
        employees: 80,
        departments: 10,
        period: true,
    };
    let demo = create_demo(db, "http://kouka.test", "PERIODS", size, 11)
        .await
        .expect("demo");
    let tenant = demo.tenant.clone();
    let admin = session(db, &tenant, &[Role::EvaluationAdmin]).await;
    let w = writer(db, &admin, Timestamp::now());
    let template = templates::list_templates(db, &tenant).await.expect("list")[0]
        .id
        .clone();

    // A term that ends before it starts, and no template, are refused where they are.
    let backwards = periods::create_period(
        &w,
        "2026年度下期".into(),
        date("2026-10-01"),
        date("2026-03-31"),
        Some(template.clone()),
    )
    .await;
    assert_eq!(
        refused(backwards),
        (PeriodPlace::Term, PeriodProblem::TermOrder)
    );
    let untemplated =
        periods::create_period(&w, "x".into(), date("2026-10-01"), date("2027-03-31"), None).await;
    assert_eq!(
        refused(untemplated),
        (PeriodPlace::Template, PeriodProblem::NoTemplate)
    );
    let period = periods::create_period(
        &w,
        "2026年度下期".into(),
        date("2026-10-01"),
        date("2027-03-31"),
        Some(template.clone()),
    )
    .await
    .expect("created");
    let taken = periods::create_period(
        &w,
        "2026年度下期".into(),
        date("2026-10-01"),
        date("2027-03-31"),
        Some(template.clone()),
    )
    .await;
    assert_eq!(
        refused(taken),
        (PeriodPlace::Name, PeriodProblem::NameTaken)
    );

    // Two sections, and two people the chart proposes nobody (or too few) for: the
    // president and a division head, added by hand.
    let two = sections(db, &tenant, 2).await;
    let president = code_of_manager(
        db,
        &tenant,
        "SELECT id FROM departments WHERE tenant_id = $1 AND parent_id IS NULL",
    )
    .await;
    let head = code_of_manager(
        db,
        &tenant,
        "SELECT d.id FROM departments d JOIN departments r ON r.tenant_id = d.tenant_id \
         AND r.id = d.parent_id WHERE d.tenant_id = $1 AND r.parent_id IS NULL \
         ORDER BY d.code LIMIT 1",
    )
    .await;
    let stored = periods::get_period(db, &tenant, &period)
        .await
        .expect("get");
    let codes = PopulationCodes {
        departments: two.iter().map(|(code, _)| code.clone()).collect(),
        added: vec![president.clone(), head.clone()],
        excluded: vec![],
    };
    let mut bad = stored.plan.clone();
    bad.deadlines[1].date = date("2026-09-01");
    let out_of_order =
        periods::update_period(&w, &period, stored.version, bad, codes.clone()).await;
    assert_eq!(
        refused(out_of_order),
        (
            PeriodPlace::Deadline(Phase::GoalApproval),
            PeriodProblem::DeadlineOrder
        )
    );
    periods::update_period(
        &w,
        &period,
        stored.version,
        stored.plan.clone(),
        codes.clone(),
    )
    .await
    .expect("saved");
    let stale =
        periods::update_period(&w, &period, stored.version, stored.plan.clone(), codes).await;
    assert!(matches!(stale, Err(AppError::Conflict)), "{stale:?}");
    let stored = periods::get_period(db, &tenant, &period)
        .await
        .expect("get");
    assert_eq!(stored.departments.len(), 2);
    assert_eq!(stored.added.len(), 2);
    assert!(
        stored.deadlines_shown[0].ends_with("23:59 (JST, +09:00)"),
        "{:?}",
        stored.deadlines_shown
    );

    let in_sections = {
        let ids: Vec<String> = two.iter().map(|(_, id)| format!("'{id}'")).collect();
        count(
            db,
            &tenant,
            &format!(
                "SELECT COUNT(*) FROM posts WHERE tenant_id = $1 AND is_primary = 1 \
                 AND department_id IN ({})",
                ids.join(", ")
            ),
        )
        .await as usize
    };
    let preview = periods::preview_period(db, &tenant, &period)
        .await
        .expect("preview");
    assert_eq!(preview.count, in_sections + 2);
    let mut without: Vec<String> = preview
        .without_evaluator
        .iter()
        .map(|p| p.person.employee_code.as_ref().unwrap().to_string())
        .collect();
    without.sort();
    let mut expected = vec![president.clone(), head.clone()];
    expected.sort();
    assert_eq!(without, expected);
    let launched_early = periods::launch_period(&w, &period, "http://kouka.test").await;
    assert!(matches!(
        refused(launched_early),
        (
            PeriodPlace::Evaluators,
            PeriodProblem::WithoutEvaluator { count: 2, .. }
        )
    ));

    // The president by hand: nobody evaluates themself, nobody twice.
    let members: Vec<String> = preview
        .people
        .iter()
        .map(|p| p.person.employee_code.clone().unwrap().to_string())
        .filter(|code| *code != president && *code != head)
        .collect();
    let (first, second) = (members[0].clone(), members[1].clone());
    let own =
        periods::choose_evaluators(&w, &period, &president, &[president.clone(), first.clone()])
            .await;
    assert_eq!(
        refused(own),
        (PeriodPlace::Evaluators, PeriodProblem::SelfEvaluator)
    );
    let twice =
        periods::choose_evaluators(&w, &period, &president, &[first.clone(), first.clone()]).await;
    assert_eq!(
        refused(twice),
        (PeriodPlace::Evaluators, PeriodProblem::EvaluatorTwice)
    );
    periods::choose_evaluators(&w, &period, &president, &[head.clone(), first.clone()])
        .await
        .expect("chosen");

    // The division head by CSV: a file with problems writes nothing and names each row.
    let bad_file = format!(
        "社員番号,一次評価者,二次評価者\r\n{head},{head},{first}\r\nNOBODY,{first},{second}\r\n"
    );
    let report = periods::import_evaluators(&w, &period, bad_file.as_bytes(), true)
        .await
        .expect("read");
    assert!(!report.applied);
    let lines: Vec<usize> = report.problems.iter().map(|(line, _)| *line).collect();
    assert_eq!(lines, [2, 3], "{:?}", report.problems);
    assert_eq!(
        periods::preview_period(db, &tenant, &period)
            .await
            .expect("preview")
            .without_evaluator_count,
        1
    );
    // Shift_JIS, as Excel saves it.
    let good_file = format!("社員番号,一次評価者,二次評価者\r\n{head},{president},{first}\r\n");
    let (shift_jis, _, _) = encoding_rs::SHIFT_JIS.encode(&good_file);
    let checked = periods::import_evaluators(&w, &period, &shift_jis, false)
        .await
        .expect("read");
    assert_eq!(
        (checked.rows, checked.problems.len(), checked.applied),
        (1, 0, false)
    );
    let applied = periods::import_evaluators(&w, &period, &shift_jis, true)
        .await
        .expect("read");
    assert!(applied.applied);
    let preview = periods::preview_period(db, &tenant, &period)
        .await
        .expect("preview");
    assert_eq!(preview.without_evaluator_count, 0);

    // The whole population downloads as the evaluators file, names beside the codes, and
    // reads back as it is, in either encoding.
    for encoding in [Encoding::Utf8Bom, Encoding::ShiftJis] {
        let file = periods::evaluators_csv(db, &tenant, &period, encoding)
            .await
            .expect("the evaluators file");
        let (text, _) = csv_codec::decode(&file).expect("decodes");
        let table = csv_codec::parse(&text).expect("parses");
        assert_eq!(
            table.headers,
            [
                "社員番号",
                "氏名",
                "一次評価者",
                "一次評価者氏名",
                "二次評価者",
                "二次評価者氏名"
            ]
        );
        assert_eq!(table.rows.len(), preview.count);
        let line = text
            .lines()
            .find(|line| line.starts_with(&format!("{head},")))
            .expect("the division head's row");
        assert!(
            line.contains(&format!(",{president},")) && line.contains(&format!(",{first},")),
            "{line}"
        );
        let read_back = periods::import_evaluators(&w, &period, &file, false)
            .await
            .expect("read");
        assert_eq!(
            (read_back.rows, read_back.problems.len()),
            (preview.count, 0),
            "{:?}",
            read_back.problems
        );
    }

    // Launch: a sheet for everyone with the chain the preview showed, a mail each.
    let mails_before = count(
        db,
        &tenant,
        "SELECT COUNT(*) FROM mail_outbox WHERE tenant_id = $1",
    )
    .await;
    let made = periods::launch_period(&w, &period, "http://kouka.test")
        .await
        .expect("launched");
    assert_eq!(made, in_sections + 2);
    let mails = count(
        db,
        &tenant,
        "SELECT COUNT(*) FROM mail_outbox WHERE tenant_id = $1",
    )
    .await;
    assert_eq!((mails - mails_before) as usize, made);
    let launched = sheets(db, &tenant, &period).await;
    assert_eq!(launched.len(), made);
    for shown in &preview.people {
        let code = shown.person.employee_code.as_ref().unwrap().to_string();
        let sheet = launched.iter().find(|s| s.0 == code).expect("a sheet");
        let chain: Vec<String> = shown
            .evaluators
            .iter()
            .map(|e| {
                e.as_ref()
                    .unwrap()
                    .employee_code
                    .as_ref()
                    .unwrap()
                    .to_string()
            })
            .collect();
        assert_eq!(vec![sheet.1.clone(), sheet.2.clone()], chain, "{code}");
        assert_eq!(sheet.3, "goal_drafting");
    }
    let head_sheet = launched.iter().find(|s| s.0 == head).expect("head");
    assert_eq!((&head_sheet.1, &head_sheet.2), (&president, &first));
    let stored = periods::get_period(db, &tenant, &period)
        .await
        .expect("get");
    assert_eq!(stored.state, PeriodState::Running);
    assert_eq!(stored.sheets as usize, made);
    assert_eq!(
        audit_count(db, &tenant, AuditAction::PeriodLaunch, None).await,
        2
    );
    let again = periods::launch_period(&w, &period, "http://kouka.test").await;
    assert!(matches!(
        refused(again),
        (PeriodPlace::Period, PeriodProblem::WrongState { .. })
    ));

    // The template edited afterwards: the period keeps its snapshot.
    let original = templates::get_template(db, &tenant, &template)
        .await
        .expect("template");
    let mut edited = original.template.clone();
    edited.name = "改訂版の評価シート".into();
    edited.sections[0].title = "改訂した目標".into();
    templates::update_template(&w, &template, original.version, edited)
        .await
        .expect("edited");
    let stored = periods::get_period(db, &tenant, &period)
        .await
        .expect("get");
    assert_eq!(
        stored.template_name.as_deref(),
        Some(original.template.name.as_str())
    );

    // Someone of another section, outside the period.
    let mut tx = db.begin_for_tenant(&tenant).await.expect("tx");
    let outsider: String = sqlx::query_scalar(
        "SELECT u.employee_code FROM users u WHERE u.tenant_id = $1 AND u.employee_code IS NOT NULL \
         AND NOT EXISTS (SELECT 1 FROM evaluation_sheets s WHERE s.tenant_id = u.tenant_id \
         AND s.employee_id = u.id AND s.period_id = $2) \
         AND EXISTS (SELECT 1 FROM posts p WHERE p.tenant_id = u.tenant_id AND p.user_id = u.id \
         AND p.is_manager = 0) ORDER BY u.employee_code LIMIT 1",
    )
    .bind(tenant.as_str())
    .bind(period.as_str())
    .fetch_one(&mut *tx)
    .await
    .expect("an outsider");
    tx.commit().await.expect("commit");
    // A hand-over: the 1st evaluator of a member's sheet gives every open sheet to
    // someone outside the period, who then evaluates them instead.
    let leaving = launched
        .iter()
        .find(|s| s.0 == members[0])
        .expect("a member's sheet")
        .1
        .clone();
    let leaving_sheets = launched
        .iter()
        .filter(|s| s.1 == leaving || s.2 == leaving)
        .count();
    let evaluated = launched
        .iter()
        .find(|s| s.1 == leaving)
        .expect("evaluated by them")
        .0
        .clone();
    let clash = periods::hand_over(&w, &period, &leaving, &evaluated).await;
    assert!(matches!(
        refused(clash),
        (PeriodPlace::Evaluators, PeriodProblem::HandOverClash { .. })
    ));
    let successor = outsider.clone();
    let moved = periods::hand_over(&w, &period, &leaving, &successor)
        .await
        .expect("handed over");
    assert_eq!(moved, leaving_sheets);
    let after = sheets(db, &tenant, &period).await;
    assert!(after.iter().all(|s| s.1 != leaving && s.2 != leaving));
    assert_eq!(
        after
            .iter()
            .filter(|s| s.1 == successor || s.2 == successor)
            .count(),
        leaving_sheets
    );
    let nothing = periods::hand_over(&w, &period, &leaving, &successor).await;
    assert_eq!(
        refused(nothing),
        (PeriodPlace::Evaluators, PeriodProblem::NothingToHandOver)
    );

    // The outsider joins late, with the chain the chart proposes.
    periods::add_sheet(&w, &period, &outsider, &[], "http://kouka.test")
        .await
        .expect("added");
    let twice = periods::add_sheet(&w, &period, &outsider, &[], "http://kouka.test").await;
    assert_eq!(
        refused(twice),
        (PeriodPlace::Population, PeriodProblem::AlreadyInPeriod)
    );
    let page = periods::list_sheets(db, &tenant, &period, &outsider, 0, None, Timestamp::now())
        .await
        .expect("list");
    assert_eq!(page.total, 1);
    let added = &page.rows[0];
    assert_eq!(added.state, SheetState::GoalDrafting);
    assert!(added.evaluators.iter().all(Option::is_some));

    // Excluded with a reason (none is refused); a deactivated person's sheet is closed.
    let no_reason = periods::exclude_sheet(&w, &period, &added.id, " ").await;
    assert_eq!(
        refused(no_reason),
        (PeriodPlace::Population, PeriodProblem::ReasonRequired)
    );
    periods::exclude_sheet(&w, &period, &added.id, "育児休業のため")
        .await
        .expect("excluded");
    let page = periods::list_sheets(db, &tenant, &period, &outsider, 0, None, Timestamp::now())
        .await
        .expect("list");
    assert_eq!(page.rows[0].state, SheetState::Excluded);
    assert_eq!(
        page.rows[0].excluded_reason.as_deref(),
        Some("育児休業のため")
    );
    let leaver = launched.last().unwrap().0.clone();
    let leaver_page =
        periods::list_sheets(db, &tenant, &period, &leaver, 0, None, Timestamp::now())
            .await
            .expect("list");
    let leaver_id = leaver_page.rows[0].person.id.clone();
    let system_admin = session(db, &tenant, &[Role::SystemAdmin]).await;
    kouka_app::backend::users::set_active(
        &writer(db, &system_admin, Timestamp::now()),
        &leaver_id,
        false,
    )
    .await
    .expect("deactivated");
    let leaver_page =
        periods::list_sheets(db, &tenant, &period, &leaver, 0, None, Timestamp::now())
            .await
            .expect("list");
    assert_eq!(leaver_page.rows[0].state, SheetState::Excluded);
    assert_eq!(
        leaver_page.rows[0].excluded_reason.as_deref(),
        Some(periods::REASON_DEACTIVATED)
    );

    // A deadline for one sheet, a phase closed, the period closed.
    let one = &after[1].0;
    let one_id = periods::list_sheets(db, &tenant, &period, one, 0, None, Timestamp::now())
        .await
        .expect("list")
        .rows[0]
        .id
        .clone();
    let earlier = periods::extend_sheet_deadline(
        &w,
        &period,
        &one_id,
        Phase::GoalSetting,
        date("2026-10-02").unwrap(),
    )
    .await;
    assert_eq!(
        refused(earlier),
        (
            PeriodPlace::Deadline(Phase::GoalSetting),
            PeriodProblem::DeadlineOrder
        )
    );
    periods::extend_sheet_deadline(
        &w,
        &period,
        &one_id,
        Phase::GoalSetting,
        date("2026-10-31").unwrap(),
    )
    .await
    .expect("extended");
    // Late is flagged from the day after a deadline (the company's day: JST), and not for
    // the sheet whose deadline was extended.
    let goal_deadline = periods::get_period(db, &tenant, &period)
        .await
        .expect("get")
        .plan
        .deadline_of(Phase::GoalSetting)
        .expect("a goal-setting deadline");
    assert!(goal_deadline < date("2026-10-31").unwrap());
    // 23:59 of the deadline, and a minute later: the next day.
    let last_moment = Timestamp::end_of_day_in_zone(goal_deadline, "Asia/Tokyo");
    let on_time = periods::list_sheets(db, &tenant, &period, "", 0, None, last_moment)
        .await
        .expect("list");
    assert!(on_time.rows.iter().all(|r| !r.late));
    let late = periods::list_sheets(
        db,
        &tenant,
        &period,
        "",
        0,
        None,
        last_moment.plus_seconds(60),
    )
    .await
    .expect("list");
    assert!(
        late.rows.iter().any(|r| r.late),
        "{goal_deadline:?} {:?}",
        late.rows
            .iter()
            .map(|r| (r.state, r.late, r.extended.clone()))
            .collect::<Vec<_>>()
    );
    for row in &late.rows {
        let due = row.state == SheetState::GoalDrafting && row.id != one_id;
        assert_eq!(row.late, due, "{:?} {:?}", row.person, row.state);
    }
    periods::set_phase_closed(&w, &period, Phase::GoalSetting, true)
        .await
        .expect("closed");
    let stored = periods::get_period(db, &tenant, &period)
        .await
        .expect("get");
    assert_eq!(stored.closed_phases, vec![Phase::GoalSetting]);
    for action in [
        AuditAction::PeriodCreate,
        AuditAction::PeriodUpdate,
        AuditAction::PeriodEvaluators,
        AuditAction::PeriodHandOver,
        AuditAction::SheetAdd,
        AuditAction::SheetExclude,
        AuditAction::SheetDeadline,
        AuditAction::PeriodPhase,
    ] {
        assert!(
            audit_count(db, &tenant, action, None).await >= 1,
            "{action:?}"
        );
    }

    // Nothing of it from another tenant, even reading without a filter (RLS on PostgreSQL).
    let other = create_demo(
        db,
        "http://kouka.test",
        "ELSEWHERE",
        DemoSize {
            employees: 20,
            departments: 4,
            period: true,
        },
        3,
    )
    .await
    .expect("another company");
    let outsider_admin = session(db, &other.tenant, &[Role::EvaluationAdmin]).await;
    let ow = writer(db, &outsider_admin, Timestamp::now());
    assert!(matches!(
        periods::get_period(db, &other.tenant, &period).await,
        Err(AppError::NotFound)
    ));
    assert!(matches!(
        periods::list_sheets(db, &other.tenant, &period, "", 0, None, Timestamp::now()).await,
        Err(AppError::NotFound)
    ));
    assert!(matches!(
        periods::evaluators_csv(db, &other.tenant, &period, Encoding::Utf8Bom).await,
        Err(AppError::NotFound)
    ));
    assert!(matches!(
        periods::hand_over(&ow, &period, &leaving, &successor).await,
        Err(AppError::NotFound)
    ));
    periods::close_period(&w, &period).await.expect("closed");
    if kind == DbKind::Postgres {
        let mut tx = db.begin_for_tenant(&other.tenant).await.expect("tx");
        for table in [
            "evaluation_periods",
            "evaluation_sheets",
            "evaluation_chain_choices",
        ] {
            let seen: i64 = sqlx::query_scalar(&format!(
                "SELECT COUNT(*) FROM {table} WHERE tenant_id = '{}'",
                tenant.as_str()
            ))
            .fetch_one(&mut *tx)
            .await
            .expect("count");
            assert_eq!(seen, 0, "{table} of another tenant");
        }
        tx.commit().await.expect("commit");
    }
    test_db.drop_db().await;
}

on_both_databases! {
    planned_launched_and_run => super::a_period_is_planned_launched_and_run;
}
