//! One sheet as the people on it work on it (PRODUCT §4): opened with what the reader may
//! see, goals saved as versioned drafts, steps taken. The facts come from storage; every
//! decision from `domain::evaluation`: who one is to the sheet
//! (`workflow::relations_to_sheet`), what one may write (`workflow::draft_of`), which step
//! one may take (`workflow::decide_for`), what one may see (`visibility::visible_parts`).
//! Every save and step writes its audit row in its transaction; a step also its entry in
//! the sheet's history (the customer's evaluation record, kept with the sheet) and a mail
//! to whoever's turn it now is, in their language.

use crate::backend::db::Db;
use crate::backend::mail::{MailPriority, OutgoingMail, enqueue_many};
use crate::backend::sessions::SessionUser;
use crate::backend::write::WriteContext;
use crate::domain::audit::AuditAction;
use crate::domain::email::Email;
use crate::domain::evaluation::Stage;
use crate::domain::evaluation::goals::{check_goals, give_goal_ids, settle_goal_links};
use crate::domain::evaluation::period::{Deadline, PeriodPlan, is_late, phases};
use crate::domain::evaluation::sheet::{Goal, GoalLink, SheetContent, Work, score_work};
use crate::domain::evaluation::sheet_view::{
    GoalBelow, GoalsSaved, SheetEvent, SheetLine, SheetStep, SheetView, WorkSaved,
};
use crate::domain::evaluation::template::Template;
use crate::domain::evaluation::visibility::visible_parts;
use crate::domain::evaluation::workflow::{
    Command, Draft, Notify, Phase, Relation, SheetFacts, SheetState, decide_for, draft_of,
    past_unheld_stages, relations_to_sheet, steps_open_to,
};
use crate::domain::form_field::FormField;
use crate::domain::ids::{PeriodId, SheetId, TenantId, UserId};
use crate::domain::org_chart::PersonRef;
use crate::domain::problem::Problem;
use crate::domain::roles::Role;
use crate::domain::time::Timestamp;
use crate::error::AppError;
use crate::i18n::Lang;
use crate::i18n::sheets as sheet_texts;
use sqlx::{Any, Transaction};
use std::collections::{BTreeMap, HashMap};

pub(super) type Tx = Transaction<'static, Any>;

// ---- the facts of one sheet --------------------------------------------------------------

#[derive(sqlx::FromRow)]
struct SheetRecordRow {
    id: SheetId,
    period_id: PeriodId,
    employee_id: UserId,
    state: String,
    evaluator_1: Option<UserId>,
    evaluator_2: Option<UserId>,
    evaluator_3: Option<UserId>,
    content: String,
    extended_deadlines: String,
    version: i64,
    period_name: String,
    period_state: String,
    definition: String,
    template_snapshot: Option<String>,
    closed_phases: String,
}

/// A sheet with its period, read in one statement.
pub(super) struct SheetRecord {
    pub(super) id: SheetId,
    pub(super) period_id: PeriodId,
    pub(super) period_name: String,
    pub(super) employee: UserId,
    pub(super) state: SheetState,
    pub(super) chain: Vec<Option<UserId>>,
    pub(super) content: SheetContent,
    pub(super) extended: Vec<Deadline>,
    pub(super) version: i64,
    pub(super) plan: PeriodPlan,
    pub(super) template: Template,
    /// The phases open now: none once the period is closed.
    pub(super) open: Vec<Phase>,
}

pub(super) fn stored<T: serde::de::DeserializeOwned>(
    what: &'static str,
    text: &str,
) -> Result<T, AppError> {
    serde_json::from_str(text).map_err(|error| AppError::internal(what, error))
}

pub(super) fn json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("plain JSON")
}

impl SheetRecord {
    fn from_row(row: SheetRecordRow) -> Result<SheetRecord, AppError> {
        let state = SheetState::from_stored(&row.state)
            .ok_or_else(|| AppError::internal("stored sheet state", row.state.clone()))?;
        let plan: PeriodPlan = stored("stored period plan", &row.definition)?;
        let template: Template = stored(
            "stored template snapshot",
            row.template_snapshot.as_deref().unwrap_or("null"),
        )?;
        let closed: Vec<Phase> = stored("stored closed phases", &row.closed_phases)?;
        let open = if row.period_state == "running" {
            phases(plan.stages)
                .into_iter()
                .filter(|phase| !closed.contains(phase))
                .collect()
        } else {
            Vec::new()
        };
        let mut chain = vec![row.evaluator_1, row.evaluator_2, row.evaluator_3];
        chain.truncate(usize::from(plan.stages));
        Ok(SheetRecord {
            id: row.id,
            period_id: row.period_id,
            period_name: row.period_name,
            employee: row.employee_id,
            state,
            chain,
            content: stored("stored sheet content", &row.content)?,
            extended: stored("stored sheet deadlines", &row.extended_deadlines)?,
            version: row.version,
            plan,
            template,
            open,
        })
    }

    /// Whether the person whose turn it is now has saved anything of their part: a
    /// submission can be withdrawn only until then.
    fn next_started(&self) -> bool {
        let stage_begun = |stage: Stage| {
            self.content
                .stage_work
                .get(usize::from(stage.number() - 1))
                .is_some_and(|work| !work.is_blank())
        };
        match self.state {
            SheetState::Evaluation(stage) => stage_begun(stage),
            _ => false,
        }
    }

    fn facts(&self) -> SheetFacts {
        SheetFacts {
            state: self.state,
            stages: self.plan.stages,
            open: self.open.clone(),
            next_started: self.next_started(),
        }
    }

    fn holds(&self, stage: Stage) -> bool {
        self.chain
            .get(usize::from(stage.number() - 1))
            .is_some_and(Option::is_some)
    }
}

pub(super) async fn sheet_record(
    tx: &mut Tx,
    tenant: &TenantId,
    id: &SheetId,
) -> Result<SheetRecord, AppError> {
    let row: SheetRecordRow = sqlx::query_as(
        "SELECT s.id, s.period_id, s.employee_id, s.state, s.evaluator_1, s.evaluator_2, \
         s.evaluator_3, s.content, s.extended_deadlines, s.version, p.name AS period_name, \
         p.state AS period_state, p.definition, p.template_snapshot, p.closed_phases \
         FROM evaluation_sheets s JOIN evaluation_periods p \
         ON p.tenant_id = s.tenant_id AND p.id = s.period_id \
         WHERE s.tenant_id = $1 AND s.id = $2",
    )
    .bind(tenant.as_str())
    .bind(id.as_str())
    .fetch_optional(&mut **tx)
    .await?
    .ok_or(AppError::NotFound)?;
    SheetRecord::from_row(row)
}

/// Who the signed-in `user` is to the sheet. A business admin's scope is looked up only for
/// a business admin.
async fn relations_of(
    db: &Db,
    user: &SessionUser,
    record: &SheetRecord,
) -> Result<Vec<Relation>, AppError> {
    let subject = &user.subject;
    let evaluation_admin = subject.has(Role::SystemAdmin) || subject.has(Role::EvaluationAdmin);
    let in_scope = subject.has(Role::BusinessAdmin)
        && crate::backend::employees::in_business_scope(
            db,
            &subject.tenant,
            &subject.user,
            &record.employee,
        )
        .await?;
    Ok(relations_to_sheet(
        &subject.user,
        &record.employee,
        &record.chain,
        evaluation_admin,
        in_scope,
    ))
}

/// Who the signed-in `user` is to sheet `id`: what `authorize` is asked with before any
/// other work on the sheet.
#[tracing::instrument(skip_all)]
pub async fn relations_for(
    db: &Db,
    user: &SessionUser,
    id: &SheetId,
) -> Result<Vec<Relation>, AppError> {
    let tenant = &user.subject.tenant;
    let mut tx = db.begin_for_tenant(tenant).await?;
    let record = sheet_record(&mut tx, tenant, id).await?;
    tx.commit().await?;
    relations_of(db, user, &record).await
}

/// Who the writer is to the sheet, inside the write: a business admin's scope is left out,
/// since a scope reader writes nothing.
pub(super) fn writer_relations(w: &WriteContext<'_>, record: &SheetRecord) -> Vec<Relation> {
    let subject = &w.by.subject;
    relations_to_sheet(
        &subject.user,
        &record.employee,
        &record.chain,
        subject.has(Role::SystemAdmin) || subject.has(Role::EvaluationAdmin),
        false,
    )
}

/// A stranger to the sheet learns nothing of it, not even that it exists.
fn refuse_strangers(relations: &[Relation]) -> Result<(), AppError> {
    if relations.iter().all(|r| *r == Relation::Stranger) {
        Err(AppError::NotFound)
    } else {
        Ok(())
    }
}

pub(super) fn step_refused(refusal: crate::domain::evaluation::workflow::StepRefusal) -> AppError {
    AppError::invalid(FormField::Sheet, Problem::Step(refusal))
}

// ---- people ------------------------------------------------------------------------------

#[derive(sqlx::FromRow)]
pub(super) struct PersonRow {
    pub id: UserId,
    pub display_name: String,
    pub employee_code: Option<crate::domain::codes::EmployeeCode>,
    pub email: Email,
    pub language: String,
    pub status: crate::domain::account_status::AccountStatus,
}

/// The people of `ids` by id, read in chunks of a few hundred (a long list stays within
/// the databases' limits on bound values).
pub(super) async fn people(
    tx: &mut Tx,
    tenant: &TenantId,
    ids: &[UserId],
) -> Result<HashMap<UserId, PersonRow>, AppError> {
    let mut by_id = HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(500) {
        let marks: Vec<String> = (0..chunk.len()).map(|i| format!("${}", i + 2)).collect();
        let sql = format!(
            "SELECT id, display_name, employee_code, email, language, status FROM users \
             WHERE tenant_id = $1 AND id IN ({})",
            marks.join(", ")
        );
        let mut query = sqlx::query_as::<_, PersonRow>(&sql).bind(tenant.as_str());
        for id in chunk {
            query = query.bind(id.as_str());
        }
        for row in query.fetch_all(&mut **tx).await? {
            by_id.insert(row.id.clone(), row);
        }
    }
    Ok(by_id)
}

pub(super) fn person_ref(people: &HashMap<UserId, PersonRow>, id: &UserId) -> PersonRef {
    match people.get(id) {
        Some(row) => PersonRef {
            id: row.id.clone(),
            name: row.display_name.clone(),
            employee_code: row.employee_code.clone(),
        },
        // A deleted person: the sheet outlives them.
        None => PersonRef {
            id: id.clone(),
            name: String::new(),
            employee_code: None,
        },
    }
}

// ---- reading -----------------------------------------------------------------------------

#[derive(sqlx::FromRow)]
struct EventRow {
    occurred_at: i64,
    actor_id: Option<UserId>,
    step: String,
    from_state: String,
    to_state: String,
    comment: Option<String>,
}

/// The deadline of the sheet's next step (its own extension first) as people read it, and
/// whether it has passed.
fn deadline_of(
    plan: &PeriodPlan,
    state: SheetState,
    extended: &[Deadline],
    now: Timestamp,
    zone: &str,
) -> (Option<String>, bool) {
    let due = state.due_phase().and_then(|phase| {
        extended
            .iter()
            .find(|d| d.phase == phase)
            .and_then(|d| d.date)
            .or_else(|| plan.deadline_of(phase))
    });
    let shown = due.map(|date| Timestamp::end_of_day_in_zone(date, zone).format_in_zone(zone));
    (
        shown,
        is_late(plan, state, extended, now.date_in_zone(zone)),
    )
}

/// The sheet as `user` may see it now; `NotFound` for anyone who is nothing to it.
#[tracing::instrument(skip_all)]
pub async fn open_sheet(
    db: &Db,
    user: &SessionUser,
    id: &SheetId,
    now: Timestamp,
) -> Result<SheetView, AppError> {
    let relations = relations_for(db, user, id).await?;
    open_sheet_as(db, user, id, relations, now).await
}

/// [`open_sheet`] for a caller who has looked up `relations` already (with
/// [`relations_for`], to authorize): the business scope is not looked up twice.
#[tracing::instrument(skip_all)]
pub async fn open_sheet_as(
    db: &Db,
    user: &SessionUser,
    id: &SheetId,
    relations: Vec<Relation>,
    now: Timestamp,
) -> Result<SheetView, AppError> {
    refuse_strangers(&relations)?;
    let tenant = &user.subject.tenant;
    let mut tx = db.begin_for_tenant(tenant).await?;
    let record = sheet_record(&mut tx, tenant, id).await?;

    let zone = crate::backend::users::tenant_zone(&mut tx, tenant).await?;
    let events: Vec<EventRow> = sqlx::query_as(
        "SELECT occurred_at, actor_id, step, from_state, to_state, comment \
         FROM evaluation_sheet_events WHERE tenant_id = $1 AND sheet_id = $2 \
         ORDER BY occurred_at, id",
    )
    .bind(tenant.as_str())
    .bind(id.as_str())
    .fetch_all(&mut *tx)
    .await?;
    let mut ids: Vec<UserId> = record.chain.iter().flatten().cloned().collect();
    ids.push(record.employee.clone());
    ids.extend(events.iter().filter_map(|e| e.actor_id.clone()));
    ids.sort();
    ids.dedup();
    let people = people(&mut tx, tenant, &ids).await?;
    let facts = record.facts();
    let draft = draft_of(&facts, &relations).ok();
    let upper_goals = if draft == Some(Draft::Goals) {
        upper_goals(&mut tx, tenant, &record).await?
    } else {
        Vec::new()
    };
    let goals_below = if relations.contains(&Relation::Owner) {
        goals_below(&mut tx, tenant, &record).await?
    } else {
        Vec::new()
    };
    tx.commit().await?;

    // Everything the reader's relations together let them see.
    let mut visible = crate::domain::evaluation::visibility::Visible::default();
    for relation in &relations {
        let part = visible_parts(
            *relation,
            record.state,
            record.plan.stages,
            record.plan.disclosure,
        );
        visible = visible.union(&part);
    }
    let steps = steps_open_to(&facts, &relations);
    let self_work = record
        .content
        .self_work
        .clone()
        .filter(|_| visible.self_evaluation || relations.contains(&Relation::Owner));
    let stage_work = Stage::all(record.plan.stages)
        .map(|stage| {
            let work = record
                .content
                .stage_work
                .get(usize::from(stage.number() - 1))
                .cloned()?;
            let own = draft == Some(Draft::StageWork(stage));
            let ratings = own || visible.stage_ratings.contains(&stage);
            let comments = own || visible.stage_comments.contains(&stage);
            match (ratings, comments) {
                (false, false) => None,
                (true, true) => Some(work),
                // The reasons given for each rating are comments too.
                (true, false) => Some(crate::domain::evaluation::sheet::Work {
                    comments: BTreeMap::new(),
                    entry_comments: BTreeMap::new(),
                    ..work
                }),
                (false, true) => Some(crate::domain::evaluation::sheet::Work {
                    ratings: BTreeMap::new(),
                    ..work
                }),
            }
        })
        .collect();
    let (deadline, late) = deadline_of(&record.plan, record.state, &record.extended, now, &zone);
    let result = sheet_result(&record, &visible);
    let may_record_interview =
        crate::domain::evaluation::workflow::may_record_interview(record.state, &relations);
    let history = events
        .into_iter()
        .filter_map(|event| {
            Some(SheetEvent {
                at: Timestamp::from_micros(event.occurred_at).format_in_zone(&zone),
                by: event
                    .actor_id
                    .map(|actor| person_ref(&people, &actor).name)
                    .unwrap_or_default(),
                step: SheetStep::from_stored(&event.step)?,
                from: SheetState::from_stored(&event.from_state)?,
                to: SheetState::from_stored(&event.to_state)?,
                comment: event.comment,
            })
        })
        .collect();
    Ok(SheetView {
        id: record.id.clone(),
        version: record.version,
        state: record.state,
        period_id: record.period_id.clone(),
        period_name: record.period_name.clone(),
        term_start: record.plan.term_start,
        term_end: record.plan.term_end,
        employee: person_ref(&people, &record.employee),
        evaluators: record
            .chain
            .iter()
            .map(|e| e.as_ref().map(|id| person_ref(&people, id)))
            .collect(),
        relations,
        draft,
        steps,
        goals: record.content.goals.clone(),
        self_work,
        stage_work,
        deadline,
        late,
        history,
        result,
        interview: record.content.interview,
        may_record_interview,
        visible,
        template: record.template,
        upper_goals,
        goals_below,
    })
}

#[derive(sqlx::FromRow)]
struct GoalsRow {
    id: SheetId,
    state: String,
    content: String,
    display_name: String,
}

/// The rows whose goals stand (approved, the sheet not excluded), each with its content:
/// the only goals others may align to or be shown.
fn with_agreed_goals(rows: Vec<GoalsRow>) -> Result<Vec<(GoalsRow, SheetContent)>, AppError> {
    rows.into_iter()
        .filter(|row| SheetState::from_stored(&row.state).is_some_and(SheetState::goals_agreed))
        .map(|row| {
            let content = stored("stored sheet content", &row.content)?;
            Ok((row, content))
        })
        .collect()
}

/// The approved goals of the 1st evaluator's own sheet in the sheet's period, each as a
/// link an employee's goal may point at (上位目標); none while those goals are not
/// approved, or when the sheet has no 1st evaluator.
async fn upper_goals(
    tx: &mut Tx,
    tenant: &TenantId,
    record: &SheetRecord,
) -> Result<Vec<GoalLink>, AppError> {
    let Some(Some(first)) = record.chain.first() else {
        return Ok(Vec::new());
    };
    let rows: Vec<GoalsRow> = sqlx::query_as(
        "SELECT s.id, s.state, s.content, u.display_name FROM evaluation_sheets s \
         JOIN users u ON u.tenant_id = s.tenant_id AND u.id = s.employee_id \
         WHERE s.tenant_id = $1 AND s.period_id = $2 AND s.employee_id = $3",
    )
    .bind(tenant.as_str())
    .bind(record.period_id.as_str())
    .bind(first.as_str())
    .fetch_all(&mut **tx)
    .await?;
    let mut links = Vec::new();
    for (row, content) in with_agreed_goals(rows)? {
        links.extend(content.goals.into_values().flatten().filter_map(|goal| {
            Some(GoalLink {
                sheet: row.id.clone(),
                goal: goal.id?,
                title: goal.title,
                owner: row.display_name.clone(),
            })
        }));
    }
    Ok(links)
}

/// The approved goals of the sheets in the period whose 1st evaluator is this sheet's
/// employee that point at this sheet's goals (a draft is nobody's to read but its
/// writer's).
async fn goals_below(
    tx: &mut Tx,
    tenant: &TenantId,
    record: &SheetRecord,
) -> Result<Vec<GoalBelow>, AppError> {
    let rows: Vec<GoalsRow> = sqlx::query_as(
        "SELECT s.id, s.state, s.content, u.display_name FROM evaluation_sheets s \
         JOIN users u ON u.tenant_id = s.tenant_id AND u.id = s.employee_id \
         WHERE s.tenant_id = $1 AND s.evaluator_1 = $2 AND s.period_id = $3 \
         ORDER BY u.display_name, s.id",
    )
    .bind(tenant.as_str())
    .bind(record.employee.as_str())
    .bind(record.period_id.as_str())
    .fetch_all(&mut **tx)
    .await?;
    let mut below = Vec::new();
    for (row, content) in with_agreed_goals(rows)? {
        below.extend(content.goals.into_values().flatten().filter_map(|goal| {
            let link = goal.aligned_to.filter(|link| link.sheet == record.id)?;
            Some(GoalBelow {
                upper: link.goal,
                employee: row.display_name.clone(),
                title: goal.title,
            })
        }));
    }
    Ok(below)
}

/// What `visible` lets the reader see of the sheet's result.
fn sheet_result(
    record: &SheetRecord,
    visible: &crate::domain::evaluation::visibility::Visible,
) -> Option<crate::domain::evaluation::sheet_view::SheetResult> {
    use crate::domain::evaluation::calibration::final_grade;
    let grade = final_grade(&record.template, &record.content).filter(|_| visible.final_grade);
    let computed = crate::domain::evaluation::sheet::sheet_final(&record.template, &record.content)
        .ok()
        .filter(|_| visible.final_score)
        .map(|mut score| {
            // The grade the score gives is part of the grade, not of the score.
            if !visible.final_grade {
                score.grade.clear();
            }
            score
        });
    let adjusted = record
        .content
        .adjusted
        .clone()
        .filter(|_| visible.calibration);
    (grade.is_some() || computed.is_some()).then_some(
        crate::domain::evaluation::sheet_view::SheetResult {
            grade,
            computed,
            adjusted,
        },
    )
}

// ---- writing -----------------------------------------------------------------------------

/// Saves the employee's goals as a draft. `based_on`: the version the page shows; when
/// someone saved since, nothing is written and their goals come back beside ours.
#[tracing::instrument(skip_all)]
pub async fn save_goals(
    w: &WriteContext<'_>,
    id: &SheetId,
    based_on: i64,
    goals: BTreeMap<usize, Vec<Goal>>,
) -> Result<GoalsSaved, AppError> {
    let tenant = w.tenant();
    let mut tx = w.begin().await?;
    let mut record = sheet_record(&mut tx, tenant, id).await?;
    let relations = writer_relations(w, &record);
    refuse_strangers(&relations)?;
    match draft_of(&record.facts(), &relations) {
        Ok(Draft::Goals) => {}
        Ok(_) => {
            return Err(step_refused(
                crate::domain::evaluation::workflow::StepRefusal::NotYourStep,
            ));
        }
        Err(refusal) => return Err(step_refused(refusal)),
    }
    if based_on != record.version {
        tx.commit().await?;
        return Ok(GoalsSaved::Conflict {
            version: record.version,
            theirs: record.content.goals,
        });
    }
    let linked = goals
        .values()
        .flatten()
        .any(|goal| goal.aligned_to.is_some());
    let upper = if linked {
        upper_goals(&mut tx, tenant, &record).await?
    } else {
        Vec::new()
    };
    record.content.goals =
        settle_goal_links(goals, &record.content.goals, &upper).map_err(|issue| {
            AppError::invalid(
                FormField::Sheet,
                Problem::Goals {
                    at: issue.at,
                    problem: issue.problem,
                },
            )
        })?;
    let (version, at) = write_draft(w, tx, &record, record.state, "goals").await?;
    Ok(GoalsSaved::Saved { version, at })
}

/// The end of every draft save: the sheet's content (and state, when the save began a
/// step) under the next version, its audit row, the commit; answers the version and when,
/// as people read it.
async fn write_draft(
    w: &WriteContext<'_>,
    mut tx: Tx,
    record: &SheetRecord,
    state: SheetState,
    part: &str,
) -> Result<(i64, String), AppError> {
    let tenant = w.tenant();
    let version = record.version + 1;
    sqlx::query(
        "UPDATE evaluation_sheets SET content = $1, state = $2, version = $3, updated_at = $4 \
         WHERE tenant_id = $5 AND id = $6",
    )
    .bind(json(&record.content))
    .bind(state.as_stored())
    .bind(version)
    .bind(w.now.as_micros())
    .bind(tenant.as_str())
    .bind(record.id.as_str())
    .execute(&mut *tx)
    .await?;
    let zone = crate::backend::users::tenant_zone(&mut tx, tenant).await?;
    let entry = w.audit_entry(
        AuditAction::SheetDraft,
        "evaluation_sheet",
        record.id.as_str(),
        None,
        Some(serde_json::json!({ "part": part, "version": version })),
    );
    w.audit_and_commit(tx, entry).await?;
    Ok((version, w.now.format_in_zone(&zone)))
}

/// Saves the reader's own ratings and comments as a draft: the employee's self-evaluation
/// (its first save begins it: the sheet goes from 目標承認済み to 自己評価中, recorded in the
/// history), or an evaluator's work at their stage. `based_on` as for [`save_goals`]; on a
/// conflict, the work someone saved first comes back.
#[tracing::instrument(skip_all)]
pub async fn save_work(
    w: &WriteContext<'_>,
    id: &SheetId,
    based_on: i64,
    work: Work,
) -> Result<WorkSaved, AppError> {
    let tenant = w.tenant();
    let mut tx = w.begin().await?;
    let mut record = sheet_record(&mut tx, tenant, id).await?;
    let relations = writer_relations(w, &record);
    refuse_strangers(&relations)?;
    let draft = draft_of(&record.facts(), &relations).map_err(step_refused)?;
    let stored = |content: &SheetContent| match draft {
        Draft::SelfWork => content.self_work.clone().unwrap_or_default(),
        Draft::StageWork(stage) => content
            .stage_work
            .get(usize::from(stage.number() - 1))
            .cloned()
            .unwrap_or_default(),
        Draft::Goals => Work::default(),
    };
    if draft == Draft::Goals {
        return Err(step_refused(
            crate::domain::evaluation::workflow::StepRefusal::NotYourStep,
        ));
    }
    if based_on != record.version {
        tx.commit().await?;
        return Ok(WorkSaved::Conflict {
            version: record.version,
            theirs: stored(&record.content),
        });
    }
    match draft {
        Draft::SelfWork => record.content.self_work = Some(work),
        Draft::StageWork(stage) => {
            let at = usize::from(stage.number() - 1);
            if record.content.stage_work.len() <= at {
                record.content.stage_work.resize(at + 1, Work::default());
            }
            record.content.stage_work[at] = work;
        }
        Draft::Goals => {}
    }
    // The first save of the self-evaluation begins it, as the workflow's own step.
    let begins = record.state == SheetState::GoalsApproved && draft == Draft::SelfWork;
    let state = if begins {
        let (_, transition) =
            decide_for(&record.facts(), &relations, &Command::StartSelfEvaluation)
                .map_err(step_refused)?;
        transition.to
    } else {
        record.state
    };
    if begins {
        record_event(
            &mut tx,
            w,
            id,
            SheetStep::StartSelfEvaluation,
            record.state,
            state,
            None,
        )
        .await?;
    }
    let part = match draft {
        Draft::StageWork(stage) => format!("stage_{}", stage.number()),
        Draft::SelfWork | Draft::Goals => "self".to_owned(),
    };
    let (version, at) = write_draft(w, tx, &record, state, &part).await?;
    // The first save moved the sheet on: the page's steps change with it.
    record.state = state;
    let steps = steps_open_to(&record.facts(), &relations);
    Ok(WorkSaved::Saved {
        version,
        at,
        state,
        steps,
    })
}

/// Records the day of the feedback interview (フィードバック面談) on a disclosed sheet: one
/// of its evaluators or an evaluation admin (`workflow::may_record_interview`). In the
/// sheet's history and the audit log. Answers the sheet's new version.
#[tracing::instrument(skip_all)]
pub async fn record_interview(
    w: &WriteContext<'_>,
    id: &SheetId,
    based_on: i64,
    day: crate::domain::dates::CalendarDate,
) -> Result<i64, AppError> {
    let tenant = w.tenant();
    let mut tx = w.begin().await?;
    let mut record = sheet_record(&mut tx, tenant, id).await?;
    let relations = writer_relations(w, &record);
    refuse_strangers(&relations)?;
    if !crate::domain::evaluation::workflow::may_record_interview(record.state, &relations) {
        return Err(step_refused(
            crate::domain::evaluation::workflow::StepRefusal::NotYourStep,
        ));
    }
    if based_on != record.version {
        return Err(AppError::Conflict);
    }
    let before = record.content.interview;
    record.content.interview = Some(day);
    let version = write_content(&mut tx, w, &record).await?;
    record_event(
        &mut tx,
        w,
        id,
        SheetStep::Interview,
        record.state,
        record.state,
        Some(&day.iso()),
    )
    .await?;
    let entry = w.audit_entry(
        AuditAction::SheetInterview,
        "evaluation_sheet",
        id.as_str(),
        Some(serde_json::json!({ "interview": before.map(|d| d.iso()) })),
        Some(serde_json::json!({ "interview": day.iso(), "version": version })),
    );
    w.audit_and_commit(tx, entry).await?;
    Ok(version)
}

/// Writes a sheet's content as `record` now holds it, its state unchanged, as the next
/// version (answered).
pub(super) async fn write_content(
    tx: &mut Tx,
    w: &WriteContext<'_>,
    record: &SheetRecord,
) -> Result<i64, AppError> {
    let version = record.version + 1;
    sqlx::query(
        "UPDATE evaluation_sheets SET content = $1, version = $2, updated_at = $3 \
         WHERE tenant_id = $4 AND id = $5",
    )
    .bind(json(&record.content))
    .bind(version)
    .bind(w.now.as_micros())
    .bind(w.tenant().as_str())
    .bind(record.id.as_str())
    .execute(&mut **tx)
    .await?;
    Ok(version)
}

/// Writes one entry of the sheet's history, in the step's transaction.
pub(super) async fn record_event(
    tx: &mut Tx,
    w: &WriteContext<'_>,
    id: &SheetId,
    step: SheetStep,
    from: SheetState,
    to: SheetState,
    comment: Option<&str>,
) -> Result<(), AppError> {
    sqlx::query(
        "INSERT INTO evaluation_sheet_events \
         (tenant_id, id, sheet_id, occurred_at, actor_id, step, from_state, to_state, comment) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(w.tenant().as_str())
    .bind(crate::domain::ids::SheetEventId::generate().as_str())
    .bind(id.as_str())
    .bind(w.now.as_micros())
    .bind(w.by.subject.user.as_str())
    .bind(step.as_stored())
    .bind(from.as_stored())
    .bind(to.as_stored())
    .bind(comment)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Takes one step on the sheet (`based_on`: the version the page shows; an older one is
/// refused as a conflict). Answers the sheet's new version.
#[tracing::instrument(skip_all)]
pub async fn take_step(
    w: &WriteContext<'_>,
    id: &SheetId,
    based_on: i64,
    command: Command,
    base_url: &str,
) -> Result<i64, AppError> {
    let tenant = w.tenant();
    let mut tx = w.begin().await?;
    let record = sheet_record(&mut tx, tenant, id).await?;
    let subject = &w.by.subject;
    let relations = writer_relations(w, &record);
    refuse_strangers(&relations)?;
    // Whether it is this person's step at all first; then whether they saw the sheet as
    // it is now.
    let (_, transition) =
        decide_for(&record.facts(), &relations, &command).map_err(step_refused)?;
    if based_on != record.version {
        return Err(AppError::Conflict);
    }
    if command == Command::Finalize {
        super::calibration::refuse_over_target(&mut tx, tenant, &record).await?;
    }
    if command == Command::SubmitGoals
        && let Some(issue) = check_goals(
            &record.template,
            (record.plan.term_start, record.plan.term_end),
            &record.content.goals,
        )
        .into_iter()
        .next()
    {
        return Err(AppError::invalid(
            FormField::Sheet,
            Problem::Goals {
                at: issue.at,
                problem: issue.problem,
            },
        ));
    }
    // A stage is submitted only fully rated: no entry silently counted as 0.
    let rated = match &command {
        Command::SubmitSelfEvaluation => Some(record.content.self_work.clone().unwrap_or_default()),
        Command::SubmitEvaluation => Some(match record.state {
            SheetState::Evaluation(stage) => record
                .content
                .stage_work
                .get(usize::from(stage.number() - 1))
                .cloned()
                .unwrap_or_default(),
            _ => Default::default(),
        }),
        _ => None,
    };
    if let Some(work) = rated
        && let Err(problems) = score_work(&record.template, &record.content, &work)
        && let Some(problem) = problems.into_iter().next()
    {
        return Err(AppError::invalid(FormField::Sheet, Problem::Score(problem)));
    }
    let to = past_unheld_stages(record.state, transition.to, record.plan.stages, |stage| {
        record.holds(stage)
    });
    // Approved goals get their ids, for the goals below to point at.
    let mut content = record.content.clone();
    if command == Command::ApproveGoals {
        give_goal_ids(&mut content.goals, crate::domain::ids::GoalId::generate);
    }
    let version = record.version + 1;
    sqlx::query(
        "UPDATE evaluation_sheets SET state = $1, version = $2, updated_at = $3, content = $6 \
         WHERE tenant_id = $4 AND id = $5",
    )
    .bind(to.as_stored())
    .bind(version)
    .bind(w.now.as_micros())
    .bind(tenant.as_str())
    .bind(id.as_str())
    .bind(json(&content))
    .execute(&mut *tx)
    .await?;
    let step = SheetStep::of(&command);
    record_event(
        &mut tx,
        w,
        id,
        step,
        record.state,
        to,
        transition.comment.as_deref(),
    )
    .await?;

    // The mail to whoever's turn it now is (past any stage nobody holds).
    let told: Vec<UserId> = crate::domain::evaluation::workflow::turn_of(to)
        .into_iter()
        .filter_map(|notify| match notify {
            Notify::Owner => Some(record.employee.clone()),
            Notify::Evaluator(stage) => record
                .chain
                .get(usize::from(stage.number() - 1))
                .cloned()
                .flatten(),
            // Calibration is the evaluation admins' desk, not one mail per sheet.
            Notify::EvaluationAdmins => None,
        })
        .filter(|person| *person != subject.user)
        .collect();
    if w.tells && !told.is_empty() {
        // The recipients and the employee the mail is about, in one statement.
        let mut ids = told.clone();
        ids.push(record.employee.clone());
        let people = people(&mut tx, tenant, &ids).await?;
        let link = format!(
            "{}/evaluation/sheets/{}",
            base_url.trim_end_matches('/'),
            id
        );
        let employee_name = person_ref(&people, &record.employee).name;
        let mails = told
            .iter()
            .filter_map(|person| people.get(person))
            .map(|person| {
                step_mail(
                    person,
                    &employee_name,
                    &record.period_name,
                    step,
                    to,
                    transition.comment.as_deref(),
                    &w.by.display_name,
                    &link,
                )
            })
            .collect();
        enqueue_many(&mut tx, tenant, mails).await?;
    }
    let entry = w.audit_entry(
        AuditAction::SheetStep,
        "evaluation_sheet",
        id.as_str(),
        Some(serde_json::json!({ "state": record.state.as_stored() })),
        Some(serde_json::json!({
            "state": to.as_stored(),
            "step": step.as_stored(),
            "comment": transition.comment,
        })),
    );
    w.audit_and_commit(tx, entry).await?;
    Ok(version)
}

/// The mail a step sends to the person whose turn it now is, in their language.
#[allow(clippy::too_many_arguments)]
fn step_mail(
    to: &PersonRow,
    employee: &str,
    period: &str,
    step: SheetStep,
    state: SheetState,
    comment: Option<&str>,
    by: &str,
    link: &str,
) -> OutgoingMail {
    let lang = Lang::from_tag(&to.language).unwrap_or(Lang::Ja);
    OutgoingMail {
        to: to.email.to_string(),
        subject: sheet_texts::mail_subject(lang, period, employee, state),
        body_text: sheet_texts::mail_body(
            lang,
            &to.display_name,
            period,
            employee,
            step,
            state,
            by,
            comment,
            link,
        ),
        priority: MailPriority::Normal,
    }
}

// ---- lists -------------------------------------------------------------------------------

#[derive(sqlx::FromRow)]
struct LineRow {
    id: SheetId,
    employee_id: UserId,
    state: String,
    evaluator_1: Option<UserId>,
    evaluator_2: Option<UserId>,
    evaluator_3: Option<UserId>,
    extended_deadlines: String,
    period_id: PeriodId,
    period_name: String,
    definition: String,
    department_name: Option<String>,
}

/// The sheets of running and closed periods that `user` owns or evaluates, newest period
/// first: 自分の評価 (`own`: the user's own) and 評価する (the others).
#[tracing::instrument(skip_all)]
pub async fn sheet_lines(
    db: &Db,
    user: &SessionUser,
    now: Timestamp,
) -> Result<Vec<SheetLine>, AppError> {
    let tenant = &user.subject.tenant;
    let me = &user.subject.user;
    let mut tx = db.begin_for_tenant(tenant).await?;
    let zone = crate::backend::users::tenant_zone(&mut tx, tenant).await?;
    let rows: Vec<LineRow> = sqlx::query_as(
        "SELECT s.id, s.employee_id, s.state, s.evaluator_1, s.evaluator_2, s.evaluator_3, \
         s.extended_deadlines, s.period_id, p.name AS period_name, p.definition, \
         d.name AS department_name \
         FROM evaluation_sheets s JOIN evaluation_periods p \
         ON p.tenant_id = s.tenant_id AND p.id = s.period_id \
         LEFT JOIN posts po ON po.tenant_id = s.tenant_id AND po.user_id = s.employee_id \
         AND po.is_primary = 1 \
         LEFT JOIN departments d ON d.tenant_id = po.tenant_id AND d.id = po.department_id \
         WHERE s.tenant_id = $1 AND p.state <> 'draft' \
         AND (s.employee_id = $2 OR s.evaluator_1 = $2 OR s.evaluator_2 = $2 OR s.evaluator_3 = $2) \
         ORDER BY p.launched_at DESC, p.id, s.id",
    )
    .bind(tenant.as_str())
    .bind(me.as_str())
    .fetch_all(&mut *tx)
    .await?;
    let mut ids: Vec<UserId> = rows.iter().map(|r| r.employee_id.clone()).collect();
    ids.sort();
    ids.dedup();
    let mut people_by_id = HashMap::new();
    for chunk in ids.chunks(500) {
        people_by_id.extend(people(&mut tx, tenant, chunk).await?);
    }
    tx.commit().await?;
    let mut plans: HashMap<String, PeriodPlan> = HashMap::new();
    let mut lines = Vec::with_capacity(rows.len());
    for row in rows {
        let Some(state) = SheetState::from_stored(&row.state) else {
            continue;
        };
        if !plans.contains_key(&row.definition) {
            let plan: PeriodPlan = stored("stored period plan", &row.definition)?;
            plans.insert(row.definition.clone(), plan);
        }
        let plan = &plans[&row.definition];
        let chain = [row.evaluator_1, row.evaluator_2, row.evaluator_3];
        let stage = chain
            .iter()
            .position(|e| e.as_ref() == Some(me))
            .filter(|_| row.employee_id != *me)
            .and_then(|n| Stage::new(n as u8 + 1));
        let my_turn = match stage {
            None => matches!(
                state,
                SheetState::GoalDrafting
                    | SheetState::GoalsApproved
                    | SheetState::SelfEvaluation
                    | SheetState::Disclosed
            ),
            Some(stage) => {
                state == SheetState::Evaluation(stage)
                    || (stage == Stage::FIRST && state == SheetState::GoalsSubmitted)
            }
        };
        let extended: Vec<Deadline> = stored("stored sheet deadlines", &row.extended_deadlines)?;
        let (deadline, late) = deadline_of(plan, state, &extended, now, &zone);
        lines.push(SheetLine {
            id: row.id,
            period: row.period_id,
            period_name: row.period_name,
            employee: person_ref(&people_by_id, &row.employee_id),
            department: row.department_name,
            state,
            stage,
            my_turn,
            deadline,
            late,
        });
    }
    Ok(lines)
}
