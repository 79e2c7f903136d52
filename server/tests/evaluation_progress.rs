//! A running period's progress and its reminders, on the demo company: the counts per
//! phase and department add up to the sheets each reader may follow (everything for an
//! admin, the scope for a business admin, the people they evaluate for an evaluator); the
//! late people are reminded by hand (mails, history, audit); and the period's schedule
//! sends each reminder and escalation once — not again on the next pass, not again after
//! a restart, not twice with two server processes on one database, and not before 9:00.

mod common;

use common::{TestDb, audit_count, count, signed_in_user, writer};
use kouka_app::backend::db::{Db, DbKind};
use kouka_app::backend::demo::{DemoSize, create_demo};
use kouka_app::backend::evaluation::progress::{ProgressReader, progress_view};
use kouka_app::backend::evaluation::reminders::{
    remind_late, send_due_reminders, set_reminder_plan,
};
use kouka_app::backend::evaluation::results::{ResultsFile, results_file};
use kouka_app::backend::secrets::ScopedSecret;
use kouka_app::backend::sessions::{self, SessionUser};
use kouka_app::domain::audit::AuditAction;
use kouka_app::domain::csv_codec;
use kouka_app::domain::dates::CalendarDate;
use kouka_app::domain::evaluation::period::{PeriodPlan, deadline_for};
use kouka_app::domain::evaluation::reminders::{ReminderPlan, ReminderProblem};
use kouka_app::domain::evaluation::workflow::SheetState;
use kouka_app::domain::ids::{DepartmentId, PeriodId, SheetId, TenantId, UserId};
use kouka_app::domain::problem::Problem;
use kouka_app::domain::roles::Role;
use kouka_app::domain::time::Timestamp;
use kouka_app::error::AppError;
use rust_decimal::Decimal;
use std::collections::HashSet;

const ZONE: &str = "Asia/Tokyo";
const BASE: &str = "http://kouka.test";

async fn signed_in(db: &Db, tenant: &TenantId, roles: &[Role]) -> SessionUser {
    let cookie = signed_in_user(db, tenant, roles).await;
    let secret = ScopedSecret::parse(&cookie).expect("a session cookie");
    sessions::resolve(db, &secret, Timestamp::now())
        .await
        .expect("resolve")
        .expect("alive")
}

/// `hour`:00 in Tokyo on `day`.
fn tokyo(day: CalendarDate, hour: i64) -> Timestamp {
    Timestamp::end_of_day_in_zone(day, ZONE).plus_seconds(-(23 * 3600 + 59 * 60) + hour * 3600)
}

async fn demo(db: &Db, code: &str) -> (TenantId, PeriodId, PeriodPlan) {
    let size = DemoSize {
        employees: 60,
        departments: 8,
        period: true,
    };
    let tenant = create_demo(db, BASE, code, size, 11)
        .await
        .expect("demo")
        .tenant;
    let mut tx = db.begin_for_tenant(&tenant).await.expect("tx");
    let (period, definition): (PeriodId, String) = sqlx::query_as(
        "SELECT id, definition FROM evaluation_periods WHERE tenant_id = $1 AND state = 'running'",
    )
    .bind(tenant.as_str())
    .fetch_one(&mut *tx)
    .await
    .expect("the demo's running period");
    tx.commit().await.expect("commit");
    (tenant, period, serde_json::from_str(&definition).unwrap())
}

/// Every sheet of the period: id, employee, state, 1st and 2nd evaluator, extensions.
type SheetFacts = (
    SheetId,
    UserId,
    String,
    Option<UserId>,
    Option<UserId>,
    String,
);

async fn sheets_of(db: &Db, tenant: &TenantId) -> Vec<SheetFacts> {
    let mut tx = db.begin_for_tenant(tenant).await.expect("tx");
    let rows = sqlx::query_as(
        "SELECT id, employee_id, state, evaluator_1, evaluator_2, extended_deadlines \
         FROM evaluation_sheets WHERE tenant_id = $1 ORDER BY id",
    )
    .bind(tenant.as_str())
    .fetch_all(&mut *tx)
    .await
    .expect("sheets");
    tx.commit().await.expect("commit");
    rows
}

async fn outbox(db: &Db, tenant: &TenantId) -> Vec<(String, String, String)> {
    let mut tx = db.begin_for_tenant(tenant).await.expect("tx");
    let rows = sqlx::query_as(
        "SELECT to_address, subject, body_text FROM mail_outbox WHERE tenant_id = $1 \
         ORDER BY created_at",
    )
    .bind(tenant.as_str())
    .fetch_all(&mut *tx)
    .await
    .expect("mails");
    tx.commit().await.expect("commit");
    rows
}

async fn email_of(db: &Db, tenant: &TenantId, user: &UserId) -> String {
    let mut tx = db.begin_for_tenant(tenant).await.expect("tx");
    let email: String =
        sqlx::query_scalar("SELECT email FROM users WHERE tenant_id = $1 AND id = $2")
            .bind(tenant.as_str())
            .bind(user.as_str())
            .fetch_one(&mut *tx)
            .await
            .expect("email");
    tx.commit().await.expect("commit");
    email
}

async fn history_steps(
    db: &Db,
    tenant: &TenantId,
    sheet: &SheetId,
) -> Vec<(String, Option<String>)> {
    let mut tx = db.begin_for_tenant(tenant).await.expect("tx");
    let rows = sqlx::query_as(
        "SELECT step, comment FROM evaluation_sheet_events WHERE tenant_id = $1 AND sheet_id = $2 \
         ORDER BY occurred_at, id",
    )
    .bind(tenant.as_str())
    .bind(sheet.as_str())
    .fetch_all(&mut *tx)
    .await
    .expect("history");
    tx.commit().await.expect("commit");
    rows
}

/// A new business admin whose scope is `department` and its subtree, signed in.
async fn business_admin_of(db: &Db, tenant: &TenantId, department: &DepartmentId) -> SessionUser {
    let business = signed_in(db, tenant, &[Role::BusinessAdmin]).await;
    let mut tx = db.begin_write_for_tenant(tenant).await.unwrap();
    sqlx::query(
        "INSERT INTO business_admin_scopes (tenant_id, user_id, department_id) \
         VALUES ($1, $2, $3)",
    )
    .bind(tenant.as_str())
    .bind(business.subject.user.as_str())
    .bind(department.as_str())
    .execute(&mut *tx)
    .await
    .unwrap();
    tx.commit().await.unwrap();
    business
}

fn admin_reader(user: &SessionUser) -> ProgressReader {
    ProgressReader {
        user: user.subject.user.clone(),
        whole_period: true,
        scope: None,
        may_remind: true,
    }
}

async fn progress_is_counted_per_reader_and_the_late_are_reminded(kind: DbKind) {
    let Some(test_db) = TestDb::new(kind).await else {
        return;
    };
    let db = &test_db.db;
    let (tenant, period, plan) = demo(db, "PROGRESS").await;
    let admin = signed_in(db, &tenant, &[Role::EvaluationAdmin]).await;
    // Long after every deadline: whatever is not disclosed yet is late.
    let last = plan.deadlines.iter().filter_map(|d| d.date).max().unwrap();
    let later = tokyo(last.plus_days(5), 10);
    let sheets = sheets_of(db, &tenant).await;
    let open = sheets.iter().filter(|s| s.2 != "excluded").count();

    let whole = progress_view(db, &tenant, &period, &admin_reader(&admin), None, later)
        .await
        .unwrap();
    assert_eq!(whole.tally.total, open);
    // The departments at the top, with those of no department, hold every sheet once.
    assert_eq!(
        whole.below.iter().map(|d| d.tally.total).sum::<usize>(),
        whole.tally.total
    );
    let expected_late = sheets
        .iter()
        .filter(|s| {
            let state = SheetState::from_stored(&s.2).unwrap();
            let extended: Vec<kouka_app::domain::evaluation::period::Deadline> =
                serde_json::from_str(&s.5).unwrap();
            deadline_for(&plan, state, &extended).is_some_and(|(_, d)| d < last.plus_days(5))
        })
        .count();
    assert!(expected_late > 0, "the demo has open sheets");
    assert_eq!(
        (whole.tally.late, whole.late_total),
        (expected_late, expected_late)
    );
    // Every phase counts each sheet as done or not, the late among the not done.
    for phase in &whole.tally.phases {
        assert!(phase.done + phase.late <= whole.tally.total, "{phase:?}");
    }

    // One department: its subtree's counts and only its people in the late list.
    let top = whole
        .below
        .iter()
        .find(|d| d.has_below && d.tally.late > 0)
        .expect("a department with departments below and late sheets");
    let department: DepartmentId = top.department.clone().unwrap();
    let inside = progress_view(
        db,
        &tenant,
        &period,
        &admin_reader(&admin),
        Some(&department),
        later,
    )
    .await
    .unwrap();
    assert_eq!(inside.tally, top.tally);
    assert_eq!(inside.path.last().map(|(d, _)| d), Some(&department));
    assert!(inside.below.iter().map(|d| d.tally.total).sum::<usize>() <= inside.tally.total);
    assert_eq!(inside.late_total, top.tally.late);

    // A business admin of that department sees its people only.
    let business = business_admin_of(db, &tenant, &department).await;
    let scope = kouka_app::backend::evaluation::periods::people_in_business_scope(
        db,
        &tenant,
        &business.subject.user,
    )
    .await
    .unwrap();
    let business_reader = ProgressReader {
        user: business.subject.user.clone(),
        whole_period: false,
        scope: Some(scope.clone()),
        may_remind: true,
    };
    let theirs = progress_view(db, &tenant, &period, &business_reader, None, later)
        .await
        .unwrap();
    assert_eq!(theirs.tally.total, top.tally.total);
    assert!(!theirs.whole_period);
    assert!(theirs.late.iter().all(|l| scope.contains(&l.employee.id)));

    // An evaluator follows the people they evaluate, and nobody else.
    let evaluator = sheets
        .iter()
        .filter_map(|s| s.3.clone())
        .max_by_key(|e| sheets.iter().filter(|s| s.3.as_ref() == Some(e)).count())
        .unwrap();
    let evaluated: HashSet<&SheetId> = sheets
        .iter()
        .filter(|s| s.2 != "excluded")
        .filter(|s| s.3.as_ref() == Some(&evaluator) || s.4.as_ref() == Some(&evaluator))
        .map(|s| &s.0)
        .collect();
    let evaluator_reader = ProgressReader {
        user: evaluator.clone(),
        whole_period: false,
        scope: None,
        may_remind: false,
    };
    let own = progress_view(db, &tenant, &period, &evaluator_reader, None, later)
        .await
        .unwrap();
    assert_eq!(own.tally.total, evaluated.len());
    assert!(own.late.iter().all(|l| evaluated.contains(&l.sheet)));
    assert!(!own.may_remind);

    // Reminding two late sheets by hand, with a copy to the evaluators.
    let chosen: Vec<SheetId> = whole.late.iter().take(2).map(|l| l.sheet.clone()).collect();
    let waited_on: Vec<UserId> = whole
        .late
        .iter()
        .take(2)
        .filter_map(|l| l.late_person.as_ref().map(|p| p.id.clone()))
        .collect();
    let mails_before = outbox(db, &tenant).await.len();
    let reminds_before = audit_count(db, &tenant, AuditAction::PeriodRemind, None).await;
    let done = remind_late(
        &writer(db, &admin, later),
        &period,
        &admin_reader(&admin),
        &chosen,
        true,
        BASE,
    )
    .await
    .unwrap();
    assert_eq!(done.sheets, 2);
    let mails = outbox(db, &tenant).await;
    assert_eq!(mails.len() - mails_before, done.mails);
    for person in &waited_on {
        let to = email_of(db, &tenant, person).await;
        let theirs: Vec<_> = mails[mails_before..]
            .iter()
            .filter(|m| m.0.contains(&to))
            .collect();
        assert!(!theirs.is_empty(), "a reminder to {to}");
        assert!(
            theirs
                .iter()
                .any(|m| m.1.contains("締切を過ぎています") || m.1.contains("past its deadline")),
            "{theirs:?}"
        );
    }
    for sheet in &chosen {
        let link = format!("{BASE}/evaluation/sheets/{sheet}");
        assert!(mails[mails_before..].iter().any(|m| m.2.contains(&link)));
        let steps = history_steps(db, &tenant, sheet).await;
        assert!(
            steps.iter().any(|(step, comment)| step == "remind"
                && comment.as_deref().is_some_and(|c| !c.is_empty())),
            "{steps:?}"
        );
    }
    assert_eq!(
        audit_count(db, &tenant, AuditAction::PeriodRemind, None).await,
        reminds_before + 1
    );
    let after = progress_view(db, &tenant, &period, &admin_reader(&admin), None, later)
        .await
        .unwrap();
    assert!(after.sent.iter().any(|s| chosen.contains(&s.sheet)));

    // Nobody late among those chosen: refused, nothing sent. A business admin cannot
    // remind anyone outside their scope.
    let disclosed: Vec<SheetId> = sheets
        .iter()
        .filter(|s| s.2 == "disclosed" || s.2 == "acknowledged")
        .map(|s| s.0.clone())
        .take(1)
        .collect();
    let outside: Vec<SheetId> = whole
        .late
        .iter()
        .filter(|l| !scope.contains(&l.employee.id))
        .map(|l| l.sheet.clone())
        .take(1)
        .collect();
    for (chosen, reader, by) in [
        (&disclosed, admin_reader(&admin), &admin),
        (&outside, business_reader.clone(), &business),
    ] {
        if chosen.is_empty() {
            continue;
        }
        let refused = remind_late(
            &writer(db, by, later),
            &period,
            &reader,
            chosen,
            false,
            BASE,
        )
        .await;
        assert!(
            matches!(
                refused,
                Err(AppError::Invalid {
                    problem: Problem::Reminder(ReminderProblem::NobodyLate),
                    ..
                })
            ),
            "{refused:?}"
        );
    }
    test_db.drop_db().await;
}

/// The first sheet in `state` that has its waiting person, with its deadline.
fn sheet_in<'a>(
    sheets: &'a [SheetFacts],
    plan: &PeriodPlan,
    state: SheetState,
) -> Option<(&'a SheetFacts, CalendarDate)> {
    sheets.iter().find_map(|s| {
        (SheetState::from_stored(&s.2) == Some(state) && s.3.is_some())
            .then(|| {
                let extended: Vec<kouka_app::domain::evaluation::period::Deadline> =
                    serde_json::from_str(&s.5).unwrap();
                deadline_for(plan, state, &extended).map(|(_, d)| (s, d))
            })
            .flatten()
    })
}

async fn scheduled_reminders_go_out_once(kind: DbKind) {
    let Some(test_db) = TestDb::new(kind).await else {
        return;
    };
    let db = &test_db.db;
    let (tenant, period, plan) = demo(db, "SCHEDULE").await;
    let admin = signed_in(db, &tenant, &[Role::EvaluationAdmin]).await;
    let sheets = sheets_of(db, &tenant).await;
    let events = |step: &'static str| {
        format!(
            "SELECT COUNT(*) FROM evaluation_sheet_events WHERE tenant_id = $1 AND step = '{step}'"
        )
    };

    // Off: nothing is ever sent.
    let (employee_sheet, due) = [
        SheetState::SelfEvaluation,
        SheetState::GoalsApproved,
        SheetState::GoalDrafting,
    ]
    .into_iter()
    .find_map(|state| sheet_in(&sheets, &plan, state))
    .expect("a sheet waiting on its employee");
    assert_eq!(
        send_due_reminders(db, tokyo(due, 10), BASE).await.unwrap(),
        0
    );

    // On: 3 days before, on the day, and the manager 3 days after.
    let version: i64 = count(
        db,
        &tenant,
        "SELECT version FROM evaluation_periods WHERE tenant_id = $1 AND state = 'running'",
    )
    .await;
    set_reminder_plan(
        &writer(db, &admin, Timestamp::now()),
        &period,
        version,
        ReminderPlan::PROPOSED,
    )
    .await
    .unwrap();
    assert!(matches!(
        set_reminder_plan(
            &writer(db, &admin, Timestamp::now()),
            &period,
            version,
            ReminderPlan::PROPOSED
        )
        .await,
        Err(AppError::Conflict)
    ));
    assert_eq!(
        audit_count(db, &tenant, AuditAction::PeriodReminders, None).await,
        1
    );

    // Before 9:00 in Tokyo nothing goes out, even on the day.
    assert_eq!(
        send_due_reminders(db, tokyo(due, 8), BASE).await.unwrap(),
        0
    );

    // On the day: the employee is told, once.
    let mails_before = outbox(db, &tenant).await.len();
    let sent = send_due_reminders(db, tokyo(due, 10), BASE).await.unwrap();
    assert!(sent >= 1);
    let mails = outbox(db, &tenant).await;
    assert_eq!(mails.len() - mails_before, sent);
    let to = email_of(db, &tenant, &employee_sheet.1).await;
    let link = format!("{BASE}/evaluation/sheets/{}", employee_sheet.0);
    let theirs: Vec<_> = mails[mails_before..]
        .iter()
        .filter(|m| m.0.contains(&to) && m.2.contains(&link))
        .collect();
    assert_eq!(theirs.len(), 1, "{theirs:?}");
    assert!(theirs[0].1.contains("本日") || theirs[0].1.contains("due today"));
    assert!(theirs[0].2.contains(&link));
    assert!(
        history_steps(db, &tenant, &employee_sheet.0)
            .await
            .iter()
            .any(|(step, _)| step == "auto_remind")
    );
    let rows = |occasion: &str| {
        format!(
            "SELECT COUNT(*) FROM evaluation_reminders WHERE tenant_id = $1 AND occasion LIKE '{occasion}%'"
        )
    };
    let on_day_rows = count(db, &tenant, &rows("on_the_day:")).await;
    assert!(on_day_rows >= 1);

    // The next pass, and a restarted process, send nothing more for it.
    assert_eq!(
        send_due_reminders(db, tokyo(due, 11), BASE).await.unwrap(),
        0
    );
    let restarted = Db::connect(&test_db.url).await.unwrap();
    assert_eq!(
        send_due_reminders(&restarted, tokyo(due, 12), BASE)
            .await
            .unwrap(),
        0
    );
    assert_eq!(count(db, &tenant, &rows("on_the_day:")).await, on_day_rows);

    // Two processes at once, two days before the deadline: each sheet's reminder is
    // queued by one of them only.
    let before = due.plus_days(-2);
    let mails_before = outbox(db, &tenant).await.len();
    let before_rows_earlier = count(db, &tenant, &rows("before:")).await as usize;
    let (a, b) = tokio::join!(
        send_due_reminders(db, tokyo(before, 10), BASE),
        send_due_reminders(&restarted, tokyo(before, 10), BASE)
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    assert!(a + b >= 1, "someone waits on a sheet due in two days");
    let mails = outbox(db, &tenant).await;
    assert_eq!(mails.len() - mails_before, a + b);
    let before_rows: Vec<(SheetId, UserId)> = {
        let mut tx = db.begin_for_tenant(&tenant).await.unwrap();
        let rows = sqlx::query_as(
            "SELECT sheet_id, recipient_id FROM evaluation_reminders \
             WHERE tenant_id = $1 AND kind = 'before' ORDER BY id",
        )
        .bind(tenant.as_str())
        .fetch_all(&mut *tx)
        .await
        .unwrap();
        tx.commit().await.unwrap();
        rows
    };
    for (sheet, _) in &before_rows[before_rows_earlier..] {
        let link = format!("{BASE}/evaluation/sheets/{sheet}");
        let listing = mails[mails_before..]
            .iter()
            .filter(|m| m.2.contains(&link))
            .count();
        assert_eq!(listing, 1, "one reminder lists {sheet}");
    }
    restarted.close().await;

    // An evaluator late by three days: their own manager hears of it.
    let with_second: Vec<SheetFacts> = sheets.iter().filter(|s| s.4.is_some()).cloned().collect();
    if let Some((evaluating, due)) = sheet_in(
        &with_second,
        &plan,
        SheetState::Evaluation(kouka_app::domain::evaluation::Stage::FIRST),
    ) {
        let escalations = count(db, &tenant, &events("escalate")).await;
        let mails_before = outbox(db, &tenant).await.len();
        let sent = send_due_reminders(db, tokyo(due.plus_days(3), 10), BASE)
            .await
            .unwrap();
        assert!(sent >= 1);
        assert!(count(db, &tenant, &events("escalate")).await > escalations);
        let evaluator = evaluating.3.clone().unwrap();
        let evaluator_name: String = {
            let mut tx = db.begin_for_tenant(&tenant).await.unwrap();
            let name = sqlx::query_scalar(
                "SELECT display_name FROM users WHERE tenant_id = $1 AND id = $2",
            )
            .bind(tenant.as_str())
            .bind(evaluator.as_str())
            .fetch_one(&mut *tx)
            .await
            .unwrap();
            tx.commit().await.unwrap();
            name
        };
        let mails = outbox(db, &tenant).await;
        let evaluator_mail = email_of(db, &tenant, &evaluator).await;
        let escalated: Vec<_> = mails[mails_before..]
            .iter()
            .filter(|m| m.1.contains(&evaluator_name) && !m.0.contains(&evaluator_mail))
            .collect();
        assert!(
            !escalated.is_empty(),
            "the manager of {evaluator_name} is told"
        );
        // The next day's pass escalates that sheet no more (other deadlines may come due).
        let escalated_rows = format!(
            "SELECT COUNT(*) FROM evaluation_reminders WHERE tenant_id = $1 \
             AND kind = 'escalation' AND sheet_id = '{}'",
            evaluating.0
        );
        let once = count(db, &tenant, &escalated_rows).await;
        assert_eq!(once, 1);
        send_due_reminders(db, tokyo(due.plus_days(4), 10), BASE)
            .await
            .unwrap();
        assert_eq!(count(db, &tenant, &escalated_rows).await, once);
    }
    test_db.drop_db().await;
}

/// The cells of a results file by column name, row by row.
fn table(
    bytes: &[u8],
    expected: csv_codec::Encoding,
) -> Vec<std::collections::HashMap<String, String>> {
    let (text, encoding) = csv_codec::decode(bytes).expect("a readable file");
    assert_eq!(encoding, expected);
    let table = csv_codec::parse(&text).expect("a CSV file");
    table
        .rows
        .iter()
        .map(|row| {
            table
                .headers
                .iter()
                .cloned()
                .zip(row.cells.iter().cloned())
                .collect()
        })
        .collect()
}

fn decimal(text: &str) -> Decimal {
    text.parse()
        .unwrap_or_else(|_| panic!("a number: {text:?}"))
}

fn round2(value: Decimal) -> Decimal {
    value.round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
}

async fn results_files_hold_every_score_and_recompute(kind: DbKind) {
    let Some(test_db) = TestDb::new(kind).await else {
        return;
    };
    let db = &test_db.db;
    let (tenant, period, plan) = demo(db, "RESULTS").await;
    let admin = signed_in(db, &tenant, &[Role::EvaluationAdmin]).await;
    let w = writer(db, &admin, Timestamp::now());
    let exports_before = audit_count(db, &tenant, AuditAction::PeriodResultsExport, None).await;
    let results = results_file(
        &w,
        &period,
        None,
        ResultsFile::Results,
        csv_codec::Encoding::ShiftJis,
    )
    .await
    .unwrap();
    let results = table(&results, csv_codec::Encoding::ShiftJis);
    let sheets = sheets_of(db, &tenant).await;
    assert_eq!(results.len(), sheets.len());
    let first = &results[0];
    for column in [
        "社員番号",
        "氏名",
        "部署",
        "等級",
        "状態",
        "一次評価者",
        "本人評価の点数",
        "一次評価の点数",
        "最終点数",
        "計算上の評語",
        "最終評語",
        "調整の理由",
        "本人確認",
    ] {
        assert!(first.contains_key(column), "column {column}");
    }
    assert_eq!(plan.stages, 2);
    // Finished sheets have their grade; a calibrated one its reason.
    let graded: Vec<_> = results
        .iter()
        .filter(|r| !r["最終評語"].is_empty())
        .collect();
    assert!(!graded.is_empty());
    assert!(
        results
            .iter()
            .any(|r| r["状態"] == "本人確認済み" && r["本人確認"] == "済")
    );
    assert!(
        results
            .iter()
            .any(|r| !r["調整の理由"].is_empty() && r["最終評語"] != r["計算上の評語"])
    );

    // The ratings file recomputes every stage score of the results file: each section's
    // score is the counted weights times the points over 100, to two decimals; the stage's
    // is the sections' the same way.
    let ratings = results_file(
        &w,
        &period,
        None,
        ResultsFile::Ratings,
        csv_codec::Encoding::Utf8Bom,
    )
    .await
    .unwrap();
    let ratings = table(&ratings, csv_codec::Encoding::Utf8Bom);
    assert!(!ratings.is_empty());
    let mut stages: std::collections::BTreeMap<
        (String, String),
        Vec<&std::collections::HashMap<String, String>>,
    > = Default::default();
    for row in &ratings {
        stages
            .entry((row["社員番号"].clone(), row["評価段階"].clone()))
            .or_default()
            .push(row);
    }
    let column_of = |stage: &str| match stage {
        "本人" => "本人評価の点数".to_owned(),
        other => format!("{other}の点数"),
    };
    let mut checked = 0;
    for ((code, stage), rows) in &stages {
        let mut sections: Vec<(String, Decimal, Decimal)> = Vec::new();
        for row in rows {
            let contribution = if row["対象外"].is_empty() {
                decimal(&row["算入ウェイト"]) * decimal(&row["点数"])
            } else {
                Decimal::ZERO
            };
            match sections
                .iter_mut()
                .find(|(title, _, _)| *title == row["セクション"])
            {
                Some(section) => section.2 += contribution,
                None => sections.push((
                    row["セクション"].clone(),
                    decimal(&row["セクションのウェイト"]),
                    contribution,
                )),
            }
        }
        let stage_score = round2(
            sections
                .iter()
                .map(|(_, weight, sum)| *weight * round2(*sum / Decimal::from(100)))
                .sum::<Decimal>()
                / Decimal::from(100),
        );
        let result = results
            .iter()
            .find(|r| &r["社員番号"] == code)
            .expect("the sheet's row");
        assert_eq!(
            decimal(&result[column_of(stage).as_str()]),
            stage_score,
            "{code} {stage}"
        );
        assert_eq!(decimal(&rows[0]["段階の点数"]), stage_score);
        checked += 1;
    }
    assert!(checked > 10, "{checked} stage scores recomputed");
    assert_eq!(
        audit_count(db, &tenant, AuditAction::PeriodResultsExport, None).await,
        exports_before + 2
    );

    // A business admin's files hold their scope's people only.
    let top: DepartmentId = {
        let mut tx = db.begin_for_tenant(&tenant).await.unwrap();
        let id = sqlx::query_scalar(
            "SELECT id FROM departments WHERE tenant_id = $1 AND parent_id IS NOT NULL ORDER BY id LIMIT 1",
        )
        .bind(tenant.as_str())
        .fetch_one(&mut *tx)
        .await
        .unwrap();
        tx.commit().await.unwrap();
        id
    };
    let business = business_admin_of(db, &tenant, &top).await;
    let scope = kouka_app::backend::evaluation::periods::people_in_business_scope(
        db,
        &tenant,
        &business.subject.user,
    )
    .await
    .unwrap();
    let theirs = results_file(
        &writer(db, &business, Timestamp::now()),
        &period,
        Some(&scope),
        ResultsFile::Results,
        csv_codec::Encoding::Utf8Bom,
    )
    .await
    .unwrap();
    let theirs = table(&theirs, csv_codec::Encoding::Utf8Bom);
    let in_scope = sheets.iter().filter(|s| scope.contains(&s.1)).count();
    assert_eq!(theirs.len(), in_scope);
    assert!(theirs.len() < results.len());
    test_db.drop_db().await;
}

on_both_databases! {
    results_files_recompute => super::results_files_hold_every_score_and_recompute;
    progress_counted_per_reader_and_late_reminded => super::progress_is_counted_per_reader_and_the_late_are_reminded;
    scheduled_reminders_once => super::scheduled_reminders_go_out_once;
}
