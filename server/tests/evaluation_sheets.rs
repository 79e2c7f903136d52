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

async fn goals_are_written_sent_back_and_approved(kind: DbKind) {
    let Some(test_db) = TestDb::new(kind).await else {
        return;
    };
    let db = &test_db.db;
    let size = DemoSize {
        employees: 40,
        departments: 6,
        period: true,
    };
    let demo = create_demo(db, "http://kouka.test", "SHEETS", size, 5)
        .await
        .expect("demo");
    let tenant = demo.tenant.clone();
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
        comments: BTreeMap::from([(0, "売上は計画どおり".to_owned())]),
    };
    let WorkSaved::Saved { version, .. } = sheets::save_work(&w, &sheet, mine.version, partial)
        .await
        .unwrap()
    else {
        panic!("saved")
    };
    let mine = sheets::open_sheet(db, &employee, &sheet, now)
        .await
        .unwrap();
    assert_eq!(mine.state, SheetState::SelfEvaluation);
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
        comments: BTreeMap::new(),
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
        5
    );
    assert_eq!(
        audit_count(db, &tenant, AuditAction::SheetDraft, None).await,
        4
    );
    assert_eq!(
        count(
            db,
            &tenant,
            "SELECT COUNT(*) FROM evaluation_sheet_events WHERE tenant_id = $1"
        )
        .await,
        6
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

on_both_databases! {
    goals_written_sent_back_and_approved => super::goals_are_written_sent_back_and_approved;
}
