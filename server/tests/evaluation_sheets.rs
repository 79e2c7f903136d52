//! A sheet of the demo's running period as its people work on it: the employee writes
//! goals (saved as drafts, a stale save getting both texts back), submits goals that break
//! a rule and is told which, fixes them and submits; the 1st evaluator sends them back
//! without a comment (refused) and with one, then approves the revised goals. Each step is
//! in the sheet's history with who and the comment, in the audit log, and in a mail to the
//! person whose turn it now is; a stranger learns nothing of the sheet, a closed phase
//! refuses the step and names itself.

mod common;

use common::{TestDb, audit_count, count, signed_in_user, writer};
use kouka_app::backend::audit::RequestOrigin;
use kouka_app::backend::db::{Db, DbKind};
use kouka_app::backend::demo::{DemoSize, create_demo};
use kouka_app::backend::evaluation::{periods, sheets};
use kouka_app::backend::secrets::ScopedSecret;
use kouka_app::backend::sessions::{self, SessionUser};
use kouka_app::domain::audit::AuditAction;
use kouka_app::domain::evaluation::Stage;
use kouka_app::domain::evaluation::goals::{GoalPlace, GoalProblem};
use kouka_app::domain::evaluation::scoring::Rating;
use kouka_app::domain::evaluation::scoring::ScoreProblem;
use kouka_app::domain::evaluation::sheet::{Goal, Work};
use kouka_app::domain::evaluation::sheet_view::{GoalsSaved, SheetStep, WorkSaved};
use kouka_app::domain::evaluation::workflow::{
    Command, Draft, Phase, Relation, SheetState, StepRefusal,
};
use kouka_app::domain::form_field::FormField;
use kouka_app::domain::ids::{PeriodId, SheetId, TenantId, UserId};
use kouka_app::domain::problem::Problem;
use kouka_app::domain::roles::Role;
use kouka_app::domain::time::Timestamp;
use kouka_app::error::AppError;
use std::collections::BTreeMap;

/// A session of an existing user of the tenant, as a server function would see it.
async fn session_of(db: &Db, tenant: &TenantId, user: &UserId) -> SessionUser {
    let mut tx = db.begin_write_for_tenant(tenant).await.expect("tx");
    let secret = sessions::create(
        &mut tx,
        tenant,
        user,
        &RequestOrigin::default(),
        Timestamp::now(),
    )
    .await
    .expect("session");
    tx.commit().await.expect("commit");
    sessions::resolve(db, &secret, Timestamp::now())
        .await
        .expect("resolve")
        .expect("alive")
}

/// A new user of the tenant with `roles`, signed in.
async fn signed_in(db: &Db, tenant: &TenantId, roles: &[Role]) -> SessionUser {
    let cookie = signed_in_user(db, tenant, roles).await;
    let secret = ScopedSecret::parse(&cookie).expect("a session cookie");
    sessions::resolve(db, &secret, Timestamp::now())
        .await
        .expect("resolve")
        .expect("alive")
}

fn goal(title: &str, weight: i64) -> Goal {
    Goal {
        title: title.into(),
        description: "四半期ごとに進捗を確認する".into(),
        measure: "前年比 110 %".into(),
        weight: weight.into(),
        due: None,
        id: None,
        aligned_to: None,
    }
}

fn refused_step(result: Result<impl std::fmt::Debug, AppError>) -> StepRefusal {
    match result {
        Err(AppError::Invalid {
            field: FormField::Sheet,
            problem: Problem::Step(refusal),
        }) => refusal,
        other => panic!("expected a refused step, got {other:?}"),
    }
}

async fn mails_to(db: &Db, tenant: &TenantId, to: &UserId) -> Vec<(String, String)> {
    let mut tx = db.begin_for_tenant(tenant).await.expect("tx");
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT m.subject, m.body_text FROM mail_outbox m JOIN users u \
         ON u.tenant_id = m.tenant_id AND u.email = m.to_address \
         WHERE m.tenant_id = $1 AND u.id = $2 ORDER BY m.created_at",
    )
    .bind(tenant.as_str())
    .bind(to.as_str())
    .fetch_all(&mut *tx)
    .await
    .expect("mails");
    tx.commit().await.expect("commit");
    rows
}

/// The demo company at 40 people with its running period, under `code`.
async fn small_demo(db: &Db, code: &str, seed: u64) -> TenantId {
    let size = DemoSize {
        employees: 40,
        departments: 6,
        period: true,
    };
    create_demo(db, "http://kouka.test", code, size, seed)
        .await
        .expect("demo")
        .tenant
}

async fn goals_are_written_sent_back_and_approved(kind: DbKind) {
    let Some(test_db) = TestDb::new(kind).await else {
        return;
    };
    let db = &test_db.db;
    let tenant = small_demo(db, "SHEETS", 5).await;
    // A sheet still in goal drafting, with two evaluators.
    let (sheet, period, owner, first, second): (SheetId, PeriodId, UserId, UserId, UserId) = {
        let mut tx = db.begin_for_tenant(&tenant).await.expect("tx");
        let row = sqlx::query_as(
            "SELECT id, period_id, employee_id, evaluator_1, evaluator_2 FROM evaluation_sheets \
             WHERE tenant_id = $1 AND state = 'goal_drafting' AND evaluator_1 IS NOT NULL \
             AND evaluator_2 IS NOT NULL ORDER BY id LIMIT 1",
        )
        .bind(tenant.as_str())
        .fetch_one(&mut *tx)
        .await
        .expect("a sheet in goal drafting");
        tx.commit().await.expect("commit");
        row
    };
    let employee = session_of(db, &tenant, &owner).await;
    let evaluator = session_of(db, &tenant, &first).await;
    let second_evaluator = session_of(db, &tenant, &second).await;
    let stranger = signed_in(db, &tenant, &[]).await;
    // The demo took its sheets through the workflow: its steps are audited already.
    let steps_before = audit_count(db, &tenant, AuditAction::SheetStep, None).await;
    let drafts_before = audit_count(db, &tenant, AuditAction::SheetDraft, None).await;
    let events_before = count(
        db,
        &tenant,
        "SELECT COUNT(*) FROM evaluation_sheet_events WHERE tenant_id = $1",
    )
    .await;
    let now = Timestamp::now();

    // Who is who, and what each finds.
    assert_eq!(
        sheets::relations_for(db, &employee, &sheet).await.unwrap(),
        vec![Relation::Owner]
    );
    assert_eq!(
        sheets::relations_for(db, &stranger, &sheet).await.unwrap(),
        vec![Relation::Stranger]
    );
    assert!(matches!(
        sheets::open_sheet(db, &stranger, &sheet, now).await,
        Err(AppError::NotFound)
    ));
    let mine = sheets::open_sheet(db, &employee, &sheet, now)
        .await
        .unwrap();
    assert_eq!(mine.draft, Some(Draft::Goals));
    assert_eq!(mine.steps, vec![Command::SubmitGoals]);
    assert!(
        mine.deadline
            .as_deref()
            .is_some_and(|d| d.contains("+09:00"))
    );
    let theirs = sheets::open_sheet(db, &evaluator, &sheet, now)
        .await
        .unwrap();
    assert_eq!((theirs.draft, theirs.steps.len()), (None, 0));

    // Drafts: saved with the version; a save on an older version gets both texts back.
    let w = writer(db, &employee, now);
    let draft = BTreeMap::from([(0, vec![goal("売上 1.2 億円", 60), goal("新規 10 社", 30)])]);
    let saved = sheets::save_goals(&w, &sheet, mine.version, draft.clone())
        .await
        .unwrap();
    let GoalsSaved::Saved { version, at } = saved else {
        panic!("saved: {saved:?}")
    };
    assert_eq!(version, mine.version + 1);
    assert!(at.contains("+09:00"), "{at}");
    let other_tab = BTreeMap::from([(0, vec![goal("別タブの目標", 100)])]);
    let stale = sheets::save_goals(&w, &sheet, mine.version, other_tab)
        .await
        .unwrap();
    assert_eq!(
        stale,
        GoalsSaved::Conflict {
            version,
            theirs: draft.clone()
        }
    );
    // Nobody else writes the employee's goals.
    let w1 = writer(db, &evaluator, now);
    assert_eq!(
        refused_step(sheets::save_goals(&w1, &sheet, version, draft.clone()).await),
        StepRefusal::NotYourStep
    );

    // Weights of 90 are refused where they are; fixed, the goals go to the 1st evaluator.
    let submitted = sheets::take_step(
        &w,
        &sheet,
        version,
        Command::SubmitGoals,
        "http://kouka.test",
    )
    .await;
    match submitted {
        Err(AppError::Invalid {
            field: FormField::Sheet,
            problem: Problem::Goals { at, problem },
        }) => assert_eq!(
            (at, problem),
            (
                GoalPlace::Section(0),
                GoalProblem::WeightsTotal { total: 90.into() }
            )
        ),
        other => panic!("expected the weights refused, got {other:?}"),
    }
    let fixed = BTreeMap::from([(0, vec![goal("売上 1.2 億円", 60), goal("新規 10 社", 40)])]);
    let GoalsSaved::Saved { version, .. } = sheets::save_goals(&w, &sheet, version, fixed.clone())
        .await
        .unwrap()
    else {
        panic!("saved")
    };
    assert!(matches!(
        sheets::take_step(
            &w,
            &sheet,
            version - 1,
            Command::SubmitGoals,
            "http://kouka.test"
        )
        .await,
        Err(AppError::Conflict)
    ));
    let mails_before = mails_to(db, &tenant, &first).await.len();
    let version = sheets::take_step(
        &w,
        &sheet,
        version,
        Command::SubmitGoals,
        "http://kouka.test",
    )
    .await
    .unwrap();
    let mails = mails_to(db, &tenant, &first).await;
    assert_eq!(mails.len(), mails_before + 1);
    let (subject, body) = mails.last().unwrap();
    assert!(
        subject.contains(&mine.employee.name) && subject.contains("目標承認待ち"),
        "{subject}"
    );
    assert!(
        body.contains(&format!("http://kouka.test/evaluation/sheets/{sheet}")),
        "{body}"
    );

    // The 1st evaluator sees the goals and may approve or send back; the 2nd may not.
    let theirs = sheets::open_sheet(db, &evaluator, &sheet, now)
        .await
        .unwrap();
    assert_eq!(theirs.goals, fixed);
    assert_eq!(theirs.steps.len(), 2, "{:?}", theirs.steps);
    let w2 = writer(db, &second_evaluator, now);
    assert_eq!(
        refused_step(
            sheets::take_step(
                &w2,
                &sheet,
                version,
                Command::ApproveGoals,
                "http://kouka.test"
            )
            .await
        ),
        StepRefusal::NotYourStep
    );
    let no_reason = Command::SendBack {
        comment: "  ".into(),
    };
    assert_eq!(
        refused_step(sheets::take_step(&w1, &sheet, version, no_reason, "http://kouka.test").await),
        StepRefusal::CommentRequired
    );
    let reason = "新規の件数の根拠を書いてください";
    let version = sheets::take_step(
        &w1,
        &sheet,
        version,
        Command::SendBack {
            comment: reason.into(),
        },
        "http://kouka.test",
    )
    .await
    .unwrap();
    let back = mails_to(db, &tenant, &owner).await;
    assert!(back.last().unwrap().1.contains(reason), "{back:?}");
    let mine = sheets::open_sheet(db, &employee, &sheet, now)
        .await
        .unwrap();
    assert_eq!(
        (mine.state, mine.draft),
        (SheetState::GoalDrafting, Some(Draft::Goals))
    );
    assert_eq!(mine.goals, fixed, "sending back keeps the goals");

    // Submitted again, approved while the phase is open; refused once it is closed.
    let version = sheets::take_step(
        &w,
        &sheet,
        version,
        Command::SubmitGoals,
        "http://kouka.test",
    )
    .await
    .unwrap();
    let admin = signed_in(db, &tenant, &[Role::EvaluationAdmin]).await;
    let wa = writer(db, &admin, now);
    periods::set_phase_closed(&wa, &period, Phase::GoalApproval, true)
        .await
        .unwrap();
    assert_eq!(
        refused_step(
            sheets::take_step(
                &w1,
                &sheet,
                version,
                Command::ApproveGoals,
                "http://kouka.test"
            )
            .await
        ),
        StepRefusal::PhaseClosed(Phase::GoalApproval)
    );
    periods::set_phase_closed(&wa, &period, Phase::GoalApproval, false)
        .await
        .unwrap();
    sheets::take_step(
        &w1,
        &sheet,
        version,
        Command::ApproveGoals,
        "http://kouka.test",
    )
    .await
    .unwrap();
    let mine = sheets::open_sheet(db, &employee, &sheet, now)
        .await
        .unwrap();
    assert_eq!(mine.state, SheetState::GoalsApproved);
    assert_eq!(mine.draft, Some(Draft::SelfWork));

    // The self-evaluation: its first save begins it; submitted only fully rated.
    let level = |l: &str| Some(Rating::Level(l.into()));
    let partial = Work {
        ratings: BTreeMap::from([(0, vec![level("A"), level("B")])]),
        entry_comments: BTreeMap::from([(0, vec!["計画比 102 %".to_owned()])]),
        comments: BTreeMap::from([(0, "売上は計画どおり".to_owned())]),
    };
    let WorkSaved::Saved {
        version,
        state,
        steps,
        ..
    } = sheets::save_work(&w, &sheet, mine.version, partial.clone())
        .await
        .unwrap()
    else {
        panic!("saved")
    };
    // The save answers what the page shows next: the sheet moved on, submitting is open.
    assert_eq!(state, SheetState::SelfEvaluation);
    assert!(steps.contains(&Command::SubmitSelfEvaluation), "{steps:?}");
    assert!(!steps.contains(&Command::StartSelfEvaluation), "{steps:?}");
    let mine = sheets::open_sheet(db, &employee, &sheet, now)
        .await
        .unwrap();
    assert_eq!(mine.state, SheetState::SelfEvaluation);
    // What was typed comes back as typed, the reason for each rating with it.
    assert_eq!(mine.self_work.as_ref(), Some(&partial));
    assert_eq!(
        mine.history.last().unwrap().step,
        SheetStep::StartSelfEvaluation
    );
    assert!(matches!(
        sheets::take_step(
            &w,
            &sheet,
            version,
            Command::SubmitSelfEvaluation,
            "http://kouka.test"
        )
        .await,
        Err(AppError::Invalid {
            problem: Problem::Score(ScoreProblem::Unrated { .. }),
            ..
        })
    ));
    let whole = Work {
        ratings: BTreeMap::from([
            (0, vec![level("A"), level("B")]),
            (
                1,
                vec![
                    level("B"),
                    level("A"),
                    level("B"),
                    Some(Rating::NotApplicable {
                        reason: "該当業務なし".into(),
                    }),
                ],
            ),
        ]),
        ..Work::default()
    };
    // The evaluator writes nothing of the employee's self-evaluation.
    assert_eq!(
        refused_step(sheets::save_work(&w1, &sheet, version, whole.clone()).await),
        StepRefusal::NotYourStep
    );
    let WorkSaved::Saved { version, .. } = sheets::save_work(&w, &sheet, version, whole.clone())
        .await
        .unwrap()
    else {
        panic!("saved")
    };
    sheets::take_step(
        &w,
        &sheet,
        version,
        Command::SubmitSelfEvaluation,
        "http://kouka.test",
    )
    .await
    .unwrap();
    let theirs = sheets::open_sheet(db, &evaluator, &sheet, now)
        .await
        .unwrap();
    assert_eq!(theirs.state, SheetState::Evaluation(Stage::FIRST));
    assert_eq!(theirs.self_work, Some(whole));
    assert_eq!(theirs.draft, Some(Draft::StageWork(Stage::FIRST)));
    let mine = sheets::open_sheet(db, &employee, &sheet, now)
        .await
        .unwrap();

    // The history: every step with who and the comment; the audit log has them too.
    let steps: Vec<_> = mine.history.iter().map(|e| e.step).collect();
    assert_eq!(
        steps,
        [
            SheetStep::SubmitGoals,
            SheetStep::SendBack,
            SheetStep::SubmitGoals,
            SheetStep::ApproveGoals,
            SheetStep::StartSelfEvaluation,
            SheetStep::SubmitSelfEvaluation,
        ]
    );
    assert_eq!(mine.history[1].by, evaluator.display_name);
    assert_eq!(mine.history[1].comment.as_deref(), Some(reason));
    assert_eq!(
        audit_count(db, &tenant, AuditAction::SheetStep, None).await,
        steps_before + 5
    );
    assert_eq!(
        audit_count(db, &tenant, AuditAction::SheetDraft, None).await,
        drafts_before + 4
    );
    assert_eq!(
        count(
            db,
            &tenant,
            "SELECT COUNT(*) FROM evaluation_sheet_events WHERE tenant_id = $1"
        )
        .await,
        events_before + 6
    );

    // An evaluator cannot submit a stage with entries neither rated nor 対象外.
    let (unrated, rater): (SheetId, UserId) = {
        let mut tx = db.begin_for_tenant(&tenant).await.expect("tx");
        let row = sqlx::query_as(
            "SELECT id, evaluator_1 FROM evaluation_sheets WHERE tenant_id = $1 \
             AND state = 'evaluation_1' AND evaluator_1 IS NOT NULL ORDER BY id LIMIT 1",
        )
        .bind(tenant.as_str())
        .fetch_one(&mut *tx)
        .await
        .expect("a sheet at the 1st evaluation");
        tx.commit().await.expect("commit");
        row
    };
    let rater = session_of(db, &tenant, &rater).await;
    let seen = sheets::open_sheet(db, &rater, &unrated, now).await.unwrap();
    assert!(seen.steps.contains(&Command::SubmitEvaluation));
    let submitted = sheets::take_step(
        &writer(db, &rater, now),
        &unrated,
        seen.version,
        Command::SubmitEvaluation,
        "http://kouka.test",
    )
    .await;
    assert!(
        matches!(
            submitted,
            Err(AppError::Invalid {
                problem: Problem::Score(ScoreProblem::Unrated { .. }),
                ..
            })
        ),
        "{submitted:?}"
    );
    let seen = sheets::open_sheet(db, &rater, &unrated, now).await.unwrap();
    assert_eq!(seen.state, SheetState::Evaluation(Stage::FIRST));
    test_db.drop_db().await;
}

/// A running period's population as its page sends it back unchanged.
fn codes_of(
    stored: &kouka_app::domain::evaluation::period::StoredPeriod,
) -> periods::PopulationCodes {
    let values = |choices: &[kouka_app::domain::choice::Choice]| {
        choices.iter().map(|c| c.value.clone()).collect()
    };
    periods::PopulationCodes {
        departments: values(&stored.departments),
        added: values(&stored.added),
        excluded: values(&stored.excluded),
    }
}

/// 評価調整 on the demo's period: the table holds each sheet's stage scores and computed
/// grade; a changed grade needs a reason, shows in the table, the distribution, the
/// sheet's history and the audit log, and the computed grade takes it back; a forced
/// target distribution refuses to finalize while a grade is over it; a finalized sheet's
/// grade no longer changes, and its employee sees the grade only once disclosed.
async fn calibration_changes_grades_with_reasons_and_finalizes(kind: DbKind) {
    use kouka_app::backend::evaluation::calibration::{
        CalibrationFilter, adjust_grade, calibration_view,
    };
    use kouka_app::domain::evaluation::calibration::AdjustProblem;
    let Some(test_db) = TestDb::new(kind).await else {
        return;
    };
    let db = &test_db.db;
    let tenant = small_demo(db, "CALIB", 5).await;
    let admin = signed_in(db, &tenant, &[Role::EvaluationAdmin]).await;
    let now = Timestamp::now();
    let wa = writer(db, &admin, now);
    let period: PeriodId = {
        let mut tx = db.begin_for_tenant(&tenant).await.expect("tx");
        let id = sqlx::query_scalar(
            "SELECT id FROM evaluation_periods WHERE tenant_id = $1 AND state = 'running'",
        )
        .bind(tenant.as_str())
        .fetch_one(&mut *tx)
        .await
        .expect("the running period");
        tx.commit().await.expect("commit");
        id
    };
    let all = CalibrationFilter::default();
    let view = calibration_view(db, &tenant, &period, &all).await.unwrap();
    // The admins' desk counts the sheets waiting for calibration.
    let in_calibration = view
        .rows
        .iter()
        .filter(|r| r.state == SheetState::Calibration)
        .count();
    let needs = periods::period_needs(db, &tenant, now).await.unwrap();
    assert!(
        needs.contains(&kouka_app::domain::desk::TenantNeed::Calibration {
            id: period.clone(),
            name: view.period_name.clone(),
            waiting: in_calibration,
        }),
        "{needs:?}"
    );
    let sheets_in_period = count(
        db,
        &tenant,
        "SELECT COUNT(*) FROM evaluation_sheets WHERE tenant_id = $1 AND state <> 'excluded'",
    )
    .await;
    assert_eq!(view.rows.len() as i64, sheets_in_period);
    assert_eq!(view.grades, ["S", "A", "B", "C", "D"]);
    let row = view
        .rows
        .iter()
        .find(|r| r.state == SheetState::Calibration)
        .expect("a sheet in calibration")
        .clone();
    // Both stages scored, the final score and its grade computed as the sheet computes them.
    assert!(row.stage_scores.iter().all(Option::is_some), "{row:?}");
    let (score, computed) = row.computed.clone().expect("computed");
    assert!(score > 0.into());
    assert!(row.adjustable());
    let other = if computed == "S" { "A" } else { "S" };
    let graded = |view: &kouka_app::domain::evaluation::calibration::CalibrationView, g: &str| {
        view.bars
            .iter()
            .find(|b| b.grade == g)
            .map_or(0, |b| b.count)
    };
    let before_other = graded(&view, other);

    // Another grade needs a reason; an unknown grade is refused.
    let refused = adjust_grade(&wa, &row.sheet, row.version, other, " ").await;
    assert!(
        matches!(
            refused,
            Err(AppError::Invalid {
                problem: Problem::Adjust(AdjustProblem::NoReason),
                ..
            })
        ),
        "{refused:?}"
    );
    assert!(matches!(
        adjust_grade(&wa, &row.sheet, row.version, "Z", "理由").await,
        Err(AppError::Invalid {
            problem: Problem::Adjust(AdjustProblem::UnknownGrade(_)),
            ..
        })
    ));
    // An older version is a conflict.
    assert!(matches!(
        adjust_grade(&wa, &row.sheet, row.version - 1, other, "理由").await,
        Err(AppError::Conflict)
    ));
    let reason = "全社表彰の案件を主導した";
    let calibrated_before = audit_count(db, &tenant, AuditAction::SheetCalibrate, None).await;
    let version = adjust_grade(&wa, &row.sheet, row.version, other, reason)
        .await
        .unwrap();
    assert_eq!(version, row.version + 1);
    let view = calibration_view(db, &tenant, &period, &all).await.unwrap();
    let changed = view.rows.iter().find(|r| r.sheet == row.sheet).unwrap();
    assert_eq!(changed.final_grade(), Some(other));
    assert_eq!(
        changed.computed.as_ref().map(|(_, g)| g.as_str()),
        Some(computed.as_str())
    );
    assert_eq!(changed.adjusted.as_ref().unwrap().reason, reason);
    assert_eq!(graded(&view, other), before_other + 1);
    assert_eq!(
        audit_count(db, &tenant, AuditAction::SheetCalibrate, None).await,
        calibrated_before + 1
    );
    let seen = sheets::open_sheet(db, &admin, &row.sheet, now)
        .await
        .unwrap();
    let event = seen.history.last().unwrap();
    assert_eq!(event.step, SheetStep::Calibrate);
    assert_eq!(
        event.comment.as_deref(),
        Some(format!("{computed} → {other}: {reason}").as_str())
    );
    let result = seen.result.clone().expect("the admin sees the result");
    assert_eq!(result.grade.as_deref(), Some(other));
    assert_eq!(result.computed.unwrap().grade, computed);
    assert_eq!(result.adjusted.unwrap().reason, reason);
    // The employee sees nothing of it before disclosure.
    let employee_id = seen.employee.id.clone();
    let employee = session_of(db, &tenant, &employee_id).await;
    let theirs = sheets::open_sheet(db, &employee, &row.sheet, now)
        .await
        .unwrap();
    assert_eq!(theirs.result, None);

    // A forced target that allows no S: with this sheet at S, finalizing is refused.
    let adjusted_to_s = adjust_grade(&wa, &row.sheet, version, "S", reason)
        .await
        .unwrap();
    let stored = periods::get_period(db, &tenant, &period).await.unwrap();
    let mut plan = stored.plan.clone();
    plan.calibration.forced = true;
    for share in &mut plan.calibration.distribution {
        let change: i64 = match share.grade.as_str() {
            "S" => -5,
            "B" => 5,
            _ => 0,
        };
        share.percent += rust_decimal::Decimal::from(change);
    }
    periods::update_period(&wa, &period, stored.version, plan, codes_of(&stored))
        .await
        .unwrap();
    let over = sheets::take_step(
        &wa,
        &row.sheet,
        adjusted_to_s,
        Command::Finalize,
        "http://kouka.test",
    )
    .await;
    assert!(
        matches!(
            &over,
            Err(AppError::Invalid {
                problem: Problem::OverTarget { grade, .. },
                ..
            }) if grade == "S"
        ),
        "{over:?}"
    );
    // Back to the computed grade: no reason needed, the adjustment is gone.
    let version = adjust_grade(&wa, &row.sheet, adjusted_to_s, &computed, "")
        .await
        .unwrap();
    let view = calibration_view(db, &tenant, &period, &all).await.unwrap();
    let back = view.rows.iter().find(|r| r.sheet == row.sheet).unwrap();
    assert_eq!(back.adjusted, None);
    assert_eq!(back.final_grade(), Some(computed.as_str()));
    let stored = periods::get_period(db, &tenant, &period).await.unwrap();
    let mut plan = stored.plan.clone();
    plan.calibration.forced = false;
    periods::update_period(&wa, &period, stored.version, plan, codes_of(&stored))
        .await
        .unwrap();
    let version = sheets::take_step(
        &wa,
        &row.sheet,
        version,
        Command::Finalize,
        "http://kouka.test",
    )
    .await
    .unwrap();
    // Finalized: read-only.
    assert_eq!(
        refused_step(adjust_grade(&wa, &row.sheet, version, other, reason).await),
        StepRefusal::NotYourStep
    );
    // Disclosed: the employee sees the grade, the score and its sum, not the calibration.
    let disclosed = sheets::take_step(
        &wa,
        &row.sheet,
        version,
        Command::Disclose,
        "http://kouka.test",
    )
    .await
    .unwrap();
    // The employee is told by mail.
    assert!(
        mails_to(db, &tenant, &employee_id)
            .await
            .iter()
            .any(|(subject, _)| subject.contains("開示済み")),
    );
    let theirs = sheets::open_sheet(db, &employee, &row.sheet, now)
        .await
        .unwrap();
    let result = theirs.result.clone().expect("disclosed");
    assert_eq!(result.grade.as_deref(), Some(computed.as_str()));
    assert_eq!(result.computed.unwrap().score, score);
    assert_eq!(result.adjusted, None);
    assert!(!theirs.may_record_interview);

    // The 1st evaluator records the feedback interview (the employee cannot), and the
    // employee acknowledges the result with a comment: both on the sheet.
    let day = kouka_app::domain::dates::CalendarDate::from_iso("2026-11-20").unwrap();
    let we = writer(db, &employee, now);
    assert_eq!(
        refused_step(sheets::record_interview(&we, &row.sheet, disclosed, day).await),
        StepRefusal::NotYourStep
    );
    let first_id = theirs.evaluators[0].clone().expect("a 1st evaluator").id;
    let first = session_of(db, &tenant, &first_id).await;
    assert!(
        sheets::open_sheet(db, &first, &row.sheet, now)
            .await
            .unwrap()
            .may_record_interview
    );
    let interviews_before = audit_count(db, &tenant, AuditAction::SheetInterview, None).await;
    let interviewed =
        sheets::record_interview(&writer(db, &first, now), &row.sheet, disclosed, day)
            .await
            .unwrap();
    assert_eq!(
        audit_count(db, &tenant, AuditAction::SheetInterview, None).await,
        interviews_before + 1
    );
    sheets::take_step(
        &we,
        &row.sheet,
        interviewed,
        Command::Acknowledge {
            comment: "面談で説明を受け、納得しました".into(),
        },
        "http://kouka.test",
    )
    .await
    .unwrap();
    let theirs = sheets::open_sheet(db, &employee, &row.sheet, now)
        .await
        .unwrap();
    assert_eq!(theirs.state, SheetState::Acknowledged);
    assert_eq!(theirs.interview, Some(day));
    let steps: Vec<(SheetStep, Option<String>)> = theirs
        .history
        .iter()
        .rev()
        .take(2)
        .map(|e| (e.step, e.comment.clone()))
        .collect();
    assert_eq!(
        steps,
        [
            (
                SheetStep::Acknowledge,
                Some("面談で説明を受け、納得しました".to_owned())
            ),
            (SheetStep::Interview, Some("2026-11-20".to_owned())),
        ]
    );
    // Someone other than an evaluation admin adjusts nothing (the server function's
    // authorization refuses first; the backend does not find the sheet for them).
    let stranger = signed_in(db, &tenant, &[]).await;
    assert!(matches!(
        adjust_grade(
            &writer(db, &stranger, now),
            &row.sheet,
            version,
            other,
            reason
        )
        .await,
        Err(AppError::NotFound)
    ));
    test_db.drop_db().await;
}

/// Puts a sheet back to goal drafting with nothing written (a story's starting point).
async fn back_to_goal_drafting(db: &Db, tenant: &TenantId, sheet: &SheetId) {
    let mut tx = db.begin_write_for_tenant(tenant).await.expect("tx");
    sqlx::query(
        "UPDATE evaluation_sheets SET state = 'goal_drafting', content = '{}' \
         WHERE tenant_id = $1 AND id = $2",
    )
    .bind(tenant.as_str())
    .bind(sheet.as_str())
    .execute(&mut *tx)
    .await
    .expect("reset");
    tx.commit().await.expect("commit");
}

/// The current version of a sheet, as its page would read it.
async fn version_of(db: &Db, who: &SessionUser, sheet: &SheetId) -> i64 {
    sheets::open_sheet(db, who, sheet, Timestamp::now())
        .await
        .expect("open")
        .version
}

async fn goals_are_aligned_upward_and_revised_through_approval(kind: DbKind) {
    let Some(test_db) = TestDb::new(kind).await else {
        return;
    };
    let db = &test_db.db;
    let tenant = small_demo(db, "ALIGN", 7).await;
    // A member's sheet and their 1st evaluator's own sheet, which has a 1st evaluator too.
    let (member_sheet, member, manager, manager_sheet, managers_manager): (
        SheetId,
        UserId,
        UserId,
        SheetId,
        UserId,
    ) = {
        let mut tx = db.begin_for_tenant(&tenant).await.expect("tx");
        let row = sqlx::query_as(
            "SELECT e.id, e.employee_id, e.evaluator_1, m.id, m.evaluator_1 \
             FROM evaluation_sheets e JOIN evaluation_sheets m \
             ON m.tenant_id = e.tenant_id AND m.period_id = e.period_id \
             AND m.employee_id = e.evaluator_1 \
             WHERE e.tenant_id = $1 AND m.evaluator_1 IS NOT NULL ORDER BY e.id LIMIT 1",
        )
        .bind(tenant.as_str())
        .fetch_one(&mut *tx)
        .await
        .expect("a member whose manager has a sheet");
        tx.commit().await.expect("commit");
        row
    };
    back_to_goal_drafting(db, &tenant, &member_sheet).await;
    back_to_goal_drafting(db, &tenant, &manager_sheet).await;
    let now = Timestamp::now();
    let member_session = session_of(db, &tenant, &member).await;
    let manager_session = session_of(db, &tenant, &manager).await;
    let above_session = session_of(db, &tenant, &managers_manager).await;
    let (wm, wmgr, wabove) = (
        writer(db, &member_session, now),
        writer(db, &manager_session, now),
        writer(db, &above_session, now),
    );
    let base = "http://kouka.test";

    // Nothing to align to while the manager's goals are not approved.
    let mine = sheets::open_sheet(db, &member_session, &member_sheet, now)
        .await
        .unwrap();
    assert_eq!(mine.upper_goals, vec![]);

    // The manager's goals, approved by the manager's own 1st evaluator: they get ids.
    let upper = BTreeMap::from([(
        0,
        vec![goal("部の売上 12億円", 70), goal("離職率 5 %以下", 30)],
    )]);
    let v = version_of(db, &manager_session, &manager_sheet).await;
    let GoalsSaved::Saved { version, .. } = sheets::save_goals(&wmgr, &manager_sheet, v, upper)
        .await
        .unwrap()
    else {
        panic!("saved")
    };
    let version = sheets::take_step(&wmgr, &manager_sheet, version, Command::SubmitGoals, base)
        .await
        .unwrap();
    sheets::take_step(
        &wabove,
        &manager_sheet,
        version,
        Command::ApproveGoals,
        base,
    )
    .await
    .unwrap();

    // The member is offered exactly those two, with the manager's name.
    let mine = sheets::open_sheet(db, &member_session, &member_sheet, now)
        .await
        .unwrap();
    let titles: Vec<(&str, &str)> = mine
        .upper_goals
        .iter()
        .map(|l| (l.title.as_str(), l.owner.as_str()))
        .collect();
    let manager_name = mine.evaluators[0].as_ref().unwrap().name.clone();
    assert_eq!(
        titles,
        vec![
            ("部の売上 12億円", manager_name.as_str()),
            ("離職率 5 %以下", manager_name.as_str())
        ]
    );
    assert!(mine.upper_goals.iter().all(|l| l.sheet == manager_sheet));

    // A link whose title the browser changed is stored with the true title; a link to a
    // goal that is not the manager's approved one is refused where it is.
    let mut sales_link = mine.upper_goals[0].clone();
    sales_link.title = "書き換えた題名".into();
    let mut forged = sales_link.clone();
    forged.sheet = member_sheet.clone();
    let with_forged = BTreeMap::from([(
        0,
        vec![
            goal("担当エリアの売上 1億円", 60),
            Goal {
                aligned_to: Some(forged),
                ..goal("新規 10 社", 40)
            },
        ],
    )]);
    match sheets::save_goals(&wm, &member_sheet, mine.version, with_forged).await {
        Err(AppError::Invalid {
            problem: Problem::Goals { at, problem },
            ..
        }) => assert_eq!(
            (at, problem),
            (
                GoalPlace::Goal {
                    section: 0,
                    goal: 1
                },
                GoalProblem::UnknownUpperGoal
            )
        ),
        other => panic!("expected the forged link refused, got {other:?}"),
    }
    let aligned = BTreeMap::from([(
        0,
        vec![
            Goal {
                aligned_to: Some(sales_link),
                ..goal("担当エリアの売上 1億円", 60)
            },
            goal("新規 10 社", 40),
        ],
    )]);
    let GoalsSaved::Saved { version, .. } =
        sheets::save_goals(&wm, &member_sheet, mine.version, aligned)
            .await
            .unwrap()
    else {
        panic!("saved")
    };
    let version = sheets::take_step(&wm, &member_sheet, version, Command::SubmitGoals, base)
        .await
        .unwrap();
    // Until the member's goals are approved, the manager's sheet lists none of them.
    let own = sheets::open_sheet(db, &manager_session, &manager_sheet, now)
        .await
        .unwrap();
    assert_eq!(own.goals_below, vec![]);
    sheets::take_step(&wmgr, &member_sheet, version, Command::ApproveGoals, base)
        .await
        .unwrap();

    // Both sides see the link: the member's goal names its upper goal, and the manager's
    // own sheet lists the member's goal under the goal it serves; nobody else is shown it.
    let theirs = sheets::open_sheet(db, &manager_session, &member_sheet, now)
        .await
        .unwrap();
    let link = theirs.goals[&0][0].aligned_to.clone().expect("linked");
    assert_eq!(
        (link.title.as_str(), link.owner.as_str()),
        ("部の売上 12億円", manager_name.as_str())
    );
    let own = sheets::open_sheet(db, &manager_session, &manager_sheet, now)
        .await
        .unwrap();
    assert_eq!(own.goals_below.len(), 1, "{:?}", own.goals_below);
    assert_eq!(own.goals_below[0].title, "担当エリアの売上 1億円");
    assert_eq!(own.goals_below[0].employee, theirs.employee.name);
    assert_eq!(
        Some(&own.goals_below[0].upper),
        own.goals[&0][0].id.as_ref()
    );
    let above = sheets::open_sheet(db, &above_session, &manager_sheet, now)
        .await
        .unwrap();
    assert_eq!(above.goals_below, vec![]);
    // 評価する names each person's department, for its filter.
    let lines = sheets::sheet_lines(db, &manager_session, now)
        .await
        .unwrap();
    let member_line = lines
        .iter()
        .find(|line| line.id == member_sheet)
        .expect("the member's sheet is listed");
    assert!(
        member_line
            .department
            .as_ref()
            .is_some_and(|d| !d.is_empty()),
        "{member_line:?}"
    );

    // Revising approved goals: only with a reason, back through the same approval, the
    // goals' ids and links kept.
    let approved = sheets::open_sheet(db, &member_session, &member_sheet, now)
        .await
        .unwrap();
    assert_eq!(approved.state, SheetState::GoalsApproved);
    assert!(
        approved
            .steps
            .iter()
            .any(|c| matches!(c, Command::ReviseGoals { .. })),
        "{:?}",
        approved.steps
    );
    let ids: Vec<_> = approved.goals[&0].iter().map(|g| g.id.clone()).collect();
    assert!(ids.iter().all(Option::is_some), "{ids:?}");
    let blank = Command::ReviseGoals {
        comment: " ".into(),
    };
    assert_eq!(
        refused_step(sheets::take_step(&wm, &member_sheet, approved.version, blank, base).await),
        StepRefusal::RevisionReasonRequired
    );
    let why = "4月の組織変更で担当エリアが変わったため";
    let revise = Command::ReviseGoals {
        comment: why.into(),
    };
    assert_eq!(
        refused_step(
            sheets::take_step(&wmgr, &member_sheet, approved.version, revise.clone(), base).await
        ),
        StepRefusal::NotYourStep
    );
    let audited = audit_count(db, &tenant, AuditAction::SheetStep, None).await;
    sheets::take_step(&wm, &member_sheet, approved.version, revise, base)
        .await
        .unwrap();
    assert_eq!(
        audit_count(db, &tenant, AuditAction::SheetStep, None).await,
        audited + 1
    );
    let reopened = sheets::open_sheet(db, &member_session, &member_sheet, now)
        .await
        .unwrap();
    assert_eq!(
        (reopened.state, reopened.draft),
        (SheetState::GoalDrafting, Some(Draft::Goals))
    );
    let last = reopened.history.last().unwrap();
    assert_eq!(
        (last.step, last.comment.as_deref()),
        (SheetStep::ReviseGoals, Some(why))
    );
    // The revision changes a weight and adds a goal; the ids the server gave stay.
    let mut revised = reopened.goals.clone();
    let list = revised.get_mut(&0).unwrap();
    list[0].weight = 50.into();
    list.push(goal("後輩の育成", 10));
    let GoalsSaved::Saved { version, .. } =
        sheets::save_goals(&wm, &member_sheet, reopened.version, revised)
            .await
            .unwrap()
    else {
        panic!("saved")
    };
    let mails_before = mails_to(db, &tenant, &manager).await.len();
    let version = sheets::take_step(&wm, &member_sheet, version, Command::SubmitGoals, base)
        .await
        .unwrap();
    assert_eq!(
        mails_to(db, &tenant, &manager).await.len(),
        mails_before + 1
    );
    sheets::take_step(&wmgr, &member_sheet, version, Command::ApproveGoals, base)
        .await
        .unwrap();
    let again = sheets::open_sheet(db, &member_session, &member_sheet, now)
        .await
        .unwrap();
    assert_eq!(again.state, SheetState::GoalsApproved);
    let now_ids: Vec<_> = again.goals[&0].iter().map(|g| g.id.clone()).collect();
    assert_eq!(&now_ids[..2], &ids[..]);
    assert!(now_ids[2].is_some() && now_ids[2] != now_ids[0] && now_ids[2] != now_ids[1]);
    assert_eq!(
        again.goals[&0][0].aligned_to.as_ref().map(|l| &l.goal),
        Some(&link.goal)
    );
    test_db.drop_db().await;
}

on_both_databases! {
    goals_aligned_upward_and_revised_through_approval => super::goals_are_aligned_upward_and_revised_through_approval;
    goals_written_sent_back_and_approved => super::goals_are_written_sent_back_and_approved;
    calibration_changes_grades_with_reasons_and_finalizes => super::calibration_changes_grades_with_reasons_and_finalizes;
}
