//! Evaluation periods: planned as drafts, launched (one sheet per person, in one
//! transaction, with the evaluator chain and the template snapshot, a notice mail to each),
//! then run: late joiners added, people excluded with a reason, evaluators handed over,
//! deadlines extended, phases closed and opened, the period closed. Every change is checked
//! by the rules of `domain::evaluation::period` and audited in its own transaction.

use crate::backend::audit::AuditEntry;
use crate::backend::db::{Db, UniqueKey, Value, insert_many};
use crate::backend::evaluation::population::{PopulationFacts, load_facts};
use crate::backend::mail::{MailPriority, OutgoingMail, enqueue_many};
use crate::backend::write::WriteContext;
use crate::domain::account_status::AccountStatus;
use crate::domain::audit::AuditAction;
use crate::domain::choice::Choice;
use crate::domain::codes::EmployeeCode;
use crate::domain::csv_codec;
use crate::domain::dates::CalendarDate;
use crate::domain::email::Email;
use crate::domain::evaluation::Stage;
use crate::domain::evaluation::period::{
    Deadline, EVALUATOR_COLUMNS, EvaluatorFileReport, PeriodIssue, PeriodPlace, PeriodPlan,
    PeriodPreview, PeriodProblem, PeriodState, PeriodSummary, PersonWithEvaluators, SheetPage,
    SheetRow, StoredPeriod, chain_problem, is_late,
};
use crate::domain::evaluation::population::propose_chain;
use crate::domain::evaluation::template::Template;
use crate::domain::evaluation::workflow::{Phase, SheetState};
use crate::domain::form_field::FormField;
use crate::domain::ids::{DepartmentId, PeriodId, SheetId, TemplateId, TenantId, UserId};
use crate::domain::org_chart::PersonRef;
use crate::domain::problem::Problem;
use crate::domain::time::Timestamp;
use crate::error::AppError;
use sqlx::{Any, Transaction};
use std::collections::{HashMap, HashSet};

use crate::domain::evaluation::period::PREVIEW_SHOWN;
/// How many sheets a page of the period's list holds.
pub const SHEETS_PER_PAGE: i64 = 50;

type Tx = Transaction<'static, Any>;

fn refused(at: PeriodPlace, problem: PeriodProblem) -> AppError {
    AppError::invalid(FormField::Period, Problem::Period { at, problem })
}

fn first_refusal(issues: Vec<PeriodIssue>) -> Result<(), AppError> {
    match issues.into_iter().next() {
        None => Ok(()),
        Some(issue) => Err(refused(issue.at, issue.problem)),
    }
}

pub(super) fn wrong_state(state: PeriodState) -> AppError {
    refused(PeriodPlace::Period, PeriodProblem::WrongState { state })
}

fn json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("plain JSON")
}

// ---- rows --------------------------------------------------------------------------------

#[derive(sqlx::FromRow)]
struct PeriodRow {
    id: PeriodId,
    state: PeriodState,
    definition: String,
    template_snapshot: Option<String>,
    closed_phases: String,
    version: i64,
    launched_at: Option<i64>,
}

impl PeriodRow {
    const COLUMNS: &'static str = "id, state, definition, template_snapshot, closed_phases, \
                                   version, launched_at";

    fn plan(&self) -> Result<PeriodPlan, AppError> {
        serde_json::from_str(&self.definition)
            .map_err(|error| AppError::internal("stored period plan", error))
    }

    fn snapshot(&self) -> Result<Option<Template>, AppError> {
        self.template_snapshot
            .as_deref()
            .map(serde_json::from_str)
            .transpose()
            .map_err(|error| AppError::internal("stored template snapshot", error))
    }

    fn closed(&self) -> Result<Vec<Phase>, AppError> {
        serde_json::from_str(&self.closed_phases)
            .map_err(|error| AppError::internal("stored closed phases", error))
    }
}

async fn period_row(tx: &mut Tx, tenant: &TenantId, id: &PeriodId) -> Result<PeriodRow, AppError> {
    sqlx::query_as(&format!(
        "SELECT {} FROM evaluation_periods WHERE tenant_id = $1 AND id = $2",
        PeriodRow::COLUMNS
    ))
    .bind(tenant.as_str())
    .bind(id.as_str())
    .fetch_optional(&mut **tx)
    .await?
    .ok_or(AppError::NotFound)
}

#[derive(sqlx::FromRow)]
struct SheetDbRow {
    id: SheetId,
    employee_id: UserId,
    state: String,
    evaluator_1: Option<UserId>,
    evaluator_2: Option<UserId>,
    evaluator_3: Option<UserId>,
    excluded_reason: Option<String>,
    extended_deadlines: String,
    content: String,
}

impl SheetDbRow {
    const COLUMNS: &'static str = "id, employee_id, state, evaluator_1, evaluator_2, \
                                   evaluator_3, excluded_reason, extended_deadlines, content";

    fn state(&self) -> Result<SheetState, AppError> {
        SheetState::from_stored(&self.state).ok_or_else(|| {
            AppError::internal("stored sheet state", format!("unknown {:?}", self.state))
        })
    }

    fn chain(&self, stages: u8) -> Vec<Option<UserId>> {
        [&self.evaluator_1, &self.evaluator_2, &self.evaluator_3]
            .into_iter()
            .take(stages as usize)
            .cloned()
            .collect()
    }
}

/// Whether a sheet in `state` is still open (its people still have work on it).
fn is_open(state: SheetState) -> bool {
    !matches!(
        state,
        SheetState::Finalized
            | SheetState::Disclosed
            | SheetState::Acknowledged
            | SheetState::Excluded
    )
}

/// The three evaluator columns of a chain (later stages empty).
fn chain_columns(chain: &[Option<UserId>]) -> [Option<String>; 3] {
    let at = |i: usize| chain.get(i).cloned().flatten().map(|u| u.to_string());
    [at(0), at(1), at(2)]
}

// ---- people ------------------------------------------------------------------------------

#[derive(sqlx::FromRow)]
struct PersonRow {
    id: UserId,
    display_name: String,
    employee_code: Option<EmployeeCode>,
    status: AccountStatus,
    email: Email,
}

/// The people of the tenant with these ids or codes, in one statement each way.
struct People {
    by_id: HashMap<UserId, PersonRow>,
}

impl People {
    async fn with_ids(tx: &mut Tx, tenant: &TenantId, ids: &[UserId]) -> Result<People, AppError> {
        let mut by_id = HashMap::new();
        for chunk in ids.chunks(500) {
            if chunk.is_empty() {
                continue;
            }
            let marks: Vec<String> = (0..chunk.len()).map(|i| format!("${}", i + 2)).collect();
            let sql = format!(
                "SELECT id, display_name, employee_code, status, email FROM users \
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
        Ok(People { by_id })
    }

    /// Everyone of the tenant, in one statement.
    async fn of_tenant(tx: &mut Tx, tenant: &TenantId) -> Result<People, AppError> {
        let rows: Vec<PersonRow> = sqlx::query_as(
            "SELECT id, display_name, employee_code, status, email FROM users WHERE tenant_id = $1",
        )
        .bind(tenant.as_str())
        .fetch_all(&mut **tx)
        .await?;
        Ok(People {
            by_id: rows.into_iter().map(|row| (row.id.clone(), row)).collect(),
        })
    }

    fn person(&self, id: &UserId) -> PersonRef {
        match self.by_id.get(id) {
            Some(row) => PersonRef {
                id: row.id.clone(),
                name: row.display_name.clone(),
                employee_code: row.employee_code.clone(),
            },
            None => PersonRef {
                id: id.clone(),
                name: String::new(),
                employee_code: None,
            },
        }
    }
}

/// The employee of `code`, if the tenant has one.
async fn person_by_code(
    tx: &mut Tx,
    tenant: &TenantId,
    code: &str,
) -> Result<Option<PersonRow>, AppError> {
    let Ok(code) = EmployeeCode::parse(code) else {
        return Ok(None);
    };
    Ok(sqlx::query_as(
        "SELECT id, display_name, employee_code, status, email FROM users \
         WHERE tenant_id = $1 AND employee_code = $2",
    )
    .bind(tenant.as_str())
    .bind(code.as_str())
    .fetch_optional(&mut **tx)
    .await?)
}

/// Every employee code of the tenant → (id, deactivated).
async fn codes_of_tenant(
    tx: &mut Tx,
    tenant: &TenantId,
) -> Result<HashMap<String, (UserId, bool)>, AppError> {
    let rows: Vec<(String, UserId, AccountStatus)> = sqlx::query_as(
        "SELECT employee_code, id, status FROM users \
         WHERE tenant_id = $1 AND employee_code IS NOT NULL",
    )
    .bind(tenant.as_str())
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(code, id, status)| (code, (id, status == AccountStatus::Deactivated)))
        .collect())
}

/// An evaluator named by code: someone of the tenant who can sign in.
async fn evaluator_by_code(tx: &mut Tx, tenant: &TenantId, code: &str) -> Result<UserId, AppError> {
    match person_by_code(tx, tenant, code).await? {
        Some(row) if row.status != AccountStatus::Deactivated => Ok(row.id),
        _ => Err(refused(
            PeriodPlace::Evaluators,
            PeriodProblem::EvaluatorUnavailable {
                code: code.trim().to_owned(),
            },
        )),
    }
}

/// A chain from codes, stage 1 first (an empty code: nobody at that stage).
async fn chain_from_codes(
    tx: &mut Tx,
    tenant: &TenantId,
    codes: &[String],
    stages: u8,
) -> Result<Vec<Option<UserId>>, AppError> {
    let mut chain = Vec::with_capacity(stages as usize);
    for stage in 0..stages as usize {
        let code = codes.get(stage).map(|c| c.trim()).unwrap_or_default();
        chain.push(if code.is_empty() {
            None
        } else {
            Some(evaluator_by_code(tx, tenant, code).await?)
        });
    }
    Ok(chain)
}

/// Departments (by code) of the pickers → ids; an unknown code is refused.
async fn departments_by_codes(
    tx: &mut Tx,
    tenant: &TenantId,
    codes: &[String],
) -> Result<Vec<DepartmentId>, AppError> {
    let mut ids = Vec::with_capacity(codes.len());
    for code in codes {
        let id: Option<DepartmentId> =
            sqlx::query_scalar("SELECT id FROM departments WHERE tenant_id = $1 AND code = $2")
                .bind(tenant.as_str())
                .bind(code.trim())
                .fetch_optional(&mut **tx)
                .await?;
        ids.push(id.ok_or_else(|| {
            AppError::invalid(
                FormField::DepartmentCode,
                Problem::UnknownDepartmentCodes {
                    codes: code.clone(),
                },
            )
        })?);
    }
    Ok(ids)
}

/// People (by employee code) of the pickers → ids; an unknown code is refused.
async fn people_by_codes(
    tx: &mut Tx,
    tenant: &TenantId,
    codes: &[String],
) -> Result<Vec<UserId>, AppError> {
    let mut ids = Vec::with_capacity(codes.len());
    for code in codes {
        match person_by_code(tx, tenant, code).await? {
            Some(row) => ids.push(row.id),
            None => {
                return Err(refused(
                    PeriodPlace::Population,
                    PeriodProblem::EvaluatorUnavailable { code: code.clone() },
                ));
            }
        }
    }
    Ok(ids)
}

/// The pickers' chips of stored ids.
async fn department_choices(
    tx: &mut Tx,
    tenant: &TenantId,
    ids: &[DepartmentId],
) -> Result<Vec<Choice>, AppError> {
    let mut choices = Vec::with_capacity(ids.len());
    for id in ids {
        let found: Option<Choice> = sqlx::query_as(
            "SELECT code AS value, name AS label, '' AS detail FROM departments \
             WHERE tenant_id = $1 AND id = $2",
        )
        .bind(tenant.as_str())
        .bind(id.as_str())
        .fetch_optional(&mut **tx)
        .await?;
        choices.extend(found);
    }
    Ok(choices)
}

async fn person_choices(
    tx: &mut Tx,
    tenant: &TenantId,
    ids: &[UserId],
) -> Result<Vec<Choice>, AppError> {
    let people = People::with_ids(tx, tenant, ids).await?;
    Ok(ids
        .iter()
        .filter_map(|id| people.by_id.get(id))
        .filter_map(|row| {
            row.employee_code.as_ref().map(|code| Choice {
                value: code.to_string(),
                label: row.display_name.clone(),
                detail: String::new(),
            })
        })
        .collect())
}

// ---- templates ---------------------------------------------------------------------------

async fn current_template(
    tx: &mut Tx,
    tenant: &TenantId,
    id: &TemplateId,
) -> Result<Option<Template>, AppError> {
    let definition: Option<String> = sqlx::query_scalar(
        "SELECT definition FROM evaluation_templates WHERE tenant_id = $1 AND id = $2",
    )
    .bind(tenant.as_str())
    .bind(id.as_str())
    .fetch_optional(&mut **tx)
    .await?;
    definition
        .map(|d| serde_json::from_str(&d))
        .transpose()
        .map_err(|error| AppError::internal("stored evaluation template", error))
}

/// The template a draft's plan names; refused when it is gone.
async fn plan_template(
    tx: &mut Tx,
    tenant: &TenantId,
    plan: &PeriodPlan,
) -> Result<Template, AppError> {
    let missing = || refused(PeriodPlace::Template, PeriodProblem::NoTemplate);
    let id = plan.template.as_ref().ok_or_else(missing)?;
    current_template(tx, tenant, id).await?.ok_or_else(missing)
}

// ---- list, read --------------------------------------------------------------------------

#[derive(sqlx::FromRow)]
struct SummaryRow {
    id: PeriodId,
    name: String,
    state: PeriodState,
    definition: String,
    updated_at: Timestamp,
    sheets: i64,
}

/// The tenant's periods, the newest term first.
#[tracing::instrument(skip_all)]
pub async fn list_periods(db: &Db, tenant: &TenantId) -> Result<Vec<PeriodSummary>, AppError> {
    let mut tx = db.begin_for_tenant(tenant).await?;
    let zone = crate::backend::users::tenant_zone(&mut tx, tenant).await?;
    let rows: Vec<SummaryRow> = sqlx::query_as(
        "SELECT p.id, p.name, p.state, p.definition, p.updated_at, \
         (SELECT COUNT(*) FROM evaluation_sheets s WHERE s.tenant_id = p.tenant_id \
          AND s.period_id = p.id) AS sheets \
         FROM evaluation_periods p WHERE p.tenant_id = $1 ORDER BY p.created_at DESC, p.id",
    )
    .bind(tenant.as_str())
    .fetch_all(&mut *tx)
    .await?;
    tx.commit().await?;
    rows.into_iter()
        .map(|row| {
            let plan: PeriodPlan = serde_json::from_str(&row.definition)
                .map_err(|error| AppError::internal("stored period plan", error))?;
            Ok(PeriodSummary {
                id: row.id,
                name: row.name,
                state: row.state,
                term_start: plan.term_start,
                term_end: plan.term_end,
                sheets: row.sheets,
                updated: row.updated_at.format_in_zone(&zone),
            })
        })
        .collect()
}

/// One period with what its page shows.
#[tracing::instrument(skip_all)]
pub async fn get_period(
    db: &Db,
    tenant: &TenantId,
    id: &PeriodId,
) -> Result<StoredPeriod, AppError> {
    let mut tx = db.begin_for_tenant(tenant).await?;
    let zone = crate::backend::users::tenant_zone(&mut tx, tenant).await?;
    let row = period_row(&mut tx, tenant, id).await?;
    let plan = row.plan()?;
    let template = match row.snapshot()? {
        Some(snapshot) => Some(snapshot),
        None => match &plan.template {
            Some(template) => current_template(&mut tx, tenant, template).await?,
            None => None,
        },
    };
    let departments = department_choices(&mut tx, tenant, &plan.population.departments).await?;
    let added = person_choices(&mut tx, tenant, &plan.population.added).await?;
    let excluded = person_choices(&mut tx, tenant, &plan.population.excluded).await?;
    let sheets: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM evaluation_sheets WHERE tenant_id = $1 AND period_id = $2",
    )
    .bind(tenant.as_str())
    .bind(id.as_str())
    .fetch_one(&mut *tx)
    .await?;
    tx.commit().await?;
    let deadlines_shown = plan
        .deadlines
        .iter()
        .map(|d| {
            d.date.map_or_else(String::new, |date| {
                Timestamp::end_of_day_in_zone(date, &zone).format_in_zone(&zone)
            })
        })
        .collect();
    Ok(StoredPeriod {
        id: row.id.clone(),
        version: row.version,
        state: row.state,
        template_name: template.as_ref().map(|t| t.name.clone()),
        grades: template
            .map(|t| t.grades.grades.into_iter().map(|g| g.grade).collect())
            .unwrap_or_default(),
        closed_phases: row.closed()?,
        launched: row
            .launched_at
            .map(|at| Timestamp::from_micros(at).format_in_zone(&zone)),
        departments,
        added,
        excluded,
        deadlines_shown,
        sheets,
        plan,
    })
}

// ---- drafts ------------------------------------------------------------------------------

fn entry<'a>(
    w: &WriteContext<'a>,
    action: AuditAction,
    target_type: &'a str,
    id: &'a str,
    before: Option<serde_json::Value>,
    after: Option<serde_json::Value>,
) -> AuditEntry<'a> {
    w.audit_entry(action, target_type, id, before, after)
}

fn name_taken() -> AppError {
    refused(PeriodPlace::Name, PeriodProblem::NameTaken)
}

fn clash(error: sqlx::Error) -> AppError {
    match UniqueKey::clashed(&error) {
        Some(UniqueKey::PeriodName) => name_taken(),
        _ => error.into(),
    }
}

/// A new draft: the starter plan for this term and template. Answers its id.
#[tracing::instrument(skip_all)]
pub async fn create_period(
    w: &WriteContext<'_>,
    name: String,
    term_start: Option<CalendarDate>,
    term_end: Option<CalendarDate>,
    template: Option<TemplateId>,
) -> Result<PeriodId, AppError> {
    let mut tx = w.begin().await?;
    let (Some(start), Some(end)) = (term_start, term_end) else {
        return Err(refused(PeriodPlace::Term, PeriodProblem::TermMissing));
    };
    let chosen = match &template {
        Some(id) => current_template(&mut tx, w.tenant(), id).await?,
        None => None,
    };
    let Some(chosen) = chosen else {
        return Err(refused(PeriodPlace::Template, PeriodProblem::NoTemplate));
    };
    let plan = PeriodPlan::starter(name, start, end, template, &chosen.grades).tidied();
    first_refusal(plan.check(Some(&chosen.grades)))?;
    let id = PeriodId::generate();
    sqlx::query(
        "INSERT INTO evaluation_periods (tenant_id, id, name, state, definition, version, \
         created_at, updated_at) VALUES ($1, $2, $3, $4, $5, 1, $6, $6)",
    )
    .bind(w.tenant().as_str())
    .bind(id.as_str())
    .bind(plan.name.as_str())
    .bind(PeriodState::Draft.as_str())
    .bind(json(&plan))
    .bind(w.now.as_micros())
    .execute(&mut *tx)
    .await
    .map_err(clash)?;
    let after = serde_json::to_value(&plan).ok();
    w.audit_and_commit(
        tx,
        entry(
            w,
            AuditAction::PeriodCreate,
            "period",
            id.as_str(),
            None,
            after,
        ),
    )
    .await?;
    Ok(id)
}

/// The codes the period page's pickers send for the population.
#[derive(Clone, Debug, Default)]
pub struct PopulationCodes {
    pub departments: Vec<String>,
    pub added: Vec<String>,
    pub excluded: Vec<String>,
}

/// Saves a period's plan (`version`: the one the edit is based on). A draft changes in
/// full; a running period only its name, deadlines (extended for all), calibration and
/// disclosure: its people, template and stages are its sheets'.
#[tracing::instrument(skip_all)]
pub async fn update_period(
    w: &WriteContext<'_>,
    id: &PeriodId,
    version: i64,
    plan: PeriodPlan,
    codes: PopulationCodes,
) -> Result<(), AppError> {
    let tenant = w.tenant();
    let mut tx = w.begin().await?;
    let row = period_row(&mut tx, tenant, id).await?;
    if row.version != version {
        return Err(AppError::Conflict);
    }
    let before = row.plan()?;
    let mut plan = plan;
    plan.population.departments = departments_by_codes(&mut tx, tenant, &codes.departments).await?;
    plan.population.added = people_by_codes(&mut tx, tenant, &codes.added).await?;
    plan.population.excluded = people_by_codes(&mut tx, tenant, &codes.excluded).await?;
    let plan = plan.tidied();
    let grades = match row.state {
        PeriodState::Draft => plan_template(&mut tx, tenant, &plan).await?.grades,
        PeriodState::Running => {
            let fixed = plan.template == before.template
                && plan.stages == before.stages
                && plan.population == before.population
                && plan.term_start == before.term_start
                && plan.term_end == before.term_end;
            if !fixed {
                return Err(wrong_state(row.state));
            }
            row.snapshot()?
                .ok_or_else(|| AppError::internal("running period", "no template snapshot"))?
                .grades
        }
        PeriodState::Closed => return Err(wrong_state(row.state)),
    };
    first_refusal(plan.check(Some(&grades)))?;
    sqlx::query(
        "UPDATE evaluation_periods SET name = $1, definition = $2, version = version + 1, \
         updated_at = $3 WHERE tenant_id = $4 AND id = $5",
    )
    .bind(plan.name.as_str())
    .bind(json(&plan))
    .bind(w.now.as_micros())
    .bind(tenant.as_str())
    .bind(id.as_str())
    .execute(&mut *tx)
    .await
    .map_err(clash)?;
    w.audit_and_commit(
        tx,
        entry(
            w,
            AuditAction::PeriodUpdate,
            "period",
            id.as_str(),
            serde_json::to_value(&before).ok(),
            serde_json::to_value(&plan).ok(),
        ),
    )
    .await
}

/// Deletes a draft (a launched period keeps its sheets: close it instead).
#[tracing::instrument(skip_all)]
pub async fn delete_period(
    w: &WriteContext<'_>,
    id: &PeriodId,
    version: i64,
) -> Result<(), AppError> {
    let mut tx = w.begin().await?;
    let row = period_row(&mut tx, w.tenant(), id).await?;
    if row.version != version {
        return Err(AppError::Conflict);
    }
    if row.state != PeriodState::Draft {
        return Err(wrong_state(row.state));
    }
    sqlx::query("DELETE FROM evaluation_periods WHERE tenant_id = $1 AND id = $2")
        .bind(w.tenant().as_str())
        .bind(id.as_str())
        .execute(&mut *tx)
        .await?;
    w.audit_and_commit(
        tx,
        entry(
            w,
            AuditAction::PeriodDelete,
            "period",
            id.as_str(),
            serde_json::to_value(row.plan()?).ok(),
            None,
        ),
    )
    .await
}

// ---- who, and by whom --------------------------------------------------------------------

/// Evaluators chosen by hand for a draft's people.
async fn chosen_chains(
    tx: &mut Tx,
    tenant: &TenantId,
    period: &PeriodId,
) -> Result<HashMap<UserId, Vec<Option<UserId>>>, AppError> {
    /// A person and their evaluators chosen by hand, stage 1 first.
    type ChosenRow = (UserId, Option<UserId>, Option<UserId>, Option<UserId>);
    let rows: Vec<ChosenRow> = sqlx::query_as(
        "SELECT employee_id, evaluator_1, evaluator_2, evaluator_3 FROM evaluation_chain_choices \
         WHERE tenant_id = $1 AND period_id = $2",
    )
    .bind(tenant.as_str())
    .bind(period.as_str())
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(employee, a, b, c)| (employee, vec![a, b, c]))
        .collect())
}

/// The people of a plan with their chains: chosen by hand where an admin did, else as the
/// org chart proposes. (person, chain, chosen)
fn population_with_chains(
    facts: &PopulationFacts,
    plan: &PeriodPlan,
    chosen: &HashMap<UserId, Vec<Option<UserId>>>,
) -> Vec<(UserId, Vec<Option<UserId>>, bool)> {
    let stages = plan.stages.clamp(1, Stage::MAX);
    plan.population
        .select(&facts.tree, &facts.people)
        .into_iter()
        .map(|candidate| match chosen.get(&candidate.id) {
            Some(chain) => {
                let mut chain = chain.clone();
                chain.truncate(stages as usize);
                (candidate.id.clone(), chain, true)
            }
            None => (
                candidate.id.clone(),
                propose_chain(
                    &facts.tree,
                    &facts.managers,
                    &facts.primary,
                    &candidate.id,
                    stages,
                ),
                false,
            ),
        })
        .collect()
}

async fn with_people(
    tx: &mut Tx,
    tenant: &TenantId,
    rows: &[&(UserId, Vec<Option<UserId>>, bool)],
) -> Result<Vec<PersonWithEvaluators>, AppError> {
    let mut ids: Vec<UserId> = Vec::new();
    for (person, chain, _) in rows {
        ids.push(person.clone());
        ids.extend(chain.iter().flatten().cloned());
    }
    let people = People::with_ids(tx, tenant, &ids).await?;
    Ok(rows
        .iter()
        .map(|(person, chain, chosen)| PersonWithEvaluators {
            person: people.person(person),
            evaluators: chain
                .iter()
                .map(|e| e.as_ref().map(|e| people.person(e)))
                .collect(),
            chosen: *chosen,
        })
        .collect())
}

/// Who a draft would hold if launched now, and whom the chart proposes nobody for.
#[tracing::instrument(skip_all)]
pub async fn preview_period(
    db: &Db,
    tenant: &TenantId,
    id: &PeriodId,
) -> Result<PeriodPreview, AppError> {
    let mut tx = db.begin_for_tenant(tenant).await?;
    let row = period_row(&mut tx, tenant, id).await?;
    let plan = row.plan()?;
    let facts = load_facts(&mut tx, tenant).await?;
    let chosen = chosen_chains(&mut tx, tenant, id).await?;
    let all = population_with_chains(&facts, &plan, &chosen);
    let shown: Vec<_> = all.iter().take(PREVIEW_SHOWN).collect();
    let missing: Vec<_> = all
        .iter()
        .filter(|(_, chain, _)| chain.iter().any(Option::is_none))
        .collect();
    let people = with_people(&mut tx, tenant, &shown).await?;
    let without_evaluator = with_people(
        &mut tx,
        tenant,
        &missing
            .iter()
            .take(PREVIEW_SHOWN)
            .copied()
            .collect::<Vec<_>>(),
    )
    .await?;
    tx.commit().await?;
    Ok(PeriodPreview {
        count: all.len(),
        people,
        without_evaluator,
        without_evaluator_count: missing.len(),
    })
}

/// Chooses a draft's evaluators for one person by hand (codes, stage 1 first; all empty:
/// back to what the org chart proposes).
#[tracing::instrument(skip_all)]
pub async fn choose_evaluators(
    w: &WriteContext<'_>,
    period: &PeriodId,
    employee_code: &str,
    codes: &[String],
) -> Result<(), AppError> {
    let tenant = w.tenant();
    let mut tx = w.begin().await?;
    let row = period_row(&mut tx, tenant, period).await?;
    if row.state != PeriodState::Draft {
        return Err(wrong_state(row.state));
    }
    let plan = row.plan()?;
    let employee = person_by_code(&mut tx, tenant, employee_code)
        .await?
        .ok_or_else(|| {
            refused(
                PeriodPlace::Population,
                PeriodProblem::EvaluatorUnavailable {
                    code: employee_code.to_owned(),
                },
            )
        })?
        .id;
    let chain = chain_from_codes(&mut tx, tenant, codes, plan.stages).await?;
    if let Some(problem) = chain_problem(&employee, &chain) {
        return Err(refused(PeriodPlace::Evaluators, problem));
    }
    sqlx::query(
        "DELETE FROM evaluation_chain_choices WHERE tenant_id = $1 AND period_id = $2 \
         AND employee_id = $3",
    )
    .bind(tenant.as_str())
    .bind(period.as_str())
    .bind(employee.as_str())
    .execute(&mut *tx)
    .await?;
    if chain.iter().any(Option::is_some) {
        let [a, b, c] = chain_columns(&chain);
        sqlx::query(
            "INSERT INTO evaluation_chain_choices (tenant_id, period_id, employee_id, \
             evaluator_1, evaluator_2, evaluator_3) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(tenant.as_str())
        .bind(period.as_str())
        .bind(employee.as_str())
        .bind(a)
        .bind(b)
        .bind(c)
        .execute(&mut *tx)
        .await?;
    }
    let after = serde_json::json!({ "employee": employee, "evaluators": chain });
    w.audit_and_commit(
        tx,
        entry(
            w,
            AuditAction::PeriodEvaluators,
            "period",
            period.as_str(),
            None,
            Some(after),
        ),
    )
    .await
}

fn evaluators_problem(problem: PeriodProblem) -> Problem {
    Problem::Period {
        at: PeriodPlace::Evaluators,
        problem,
    }
}

/// Reads a file of evaluators (社員番号, 一次評価者, 二次評価者, 三次評価者; UTF-8 or
/// Shift_JIS) for a draft and reports every problem with its row; with `apply` and no
/// problem, writes every row's choice at once (all or nothing).
#[tracing::instrument(skip_all)]
pub async fn import_evaluators(
    w: &WriteContext<'_>,
    period: &PeriodId,
    bytes: &[u8],
    apply: bool,
) -> Result<EvaluatorFileReport, AppError> {
    let tenant = w.tenant();
    let mut tx = w.begin().await?;
    let row = period_row(&mut tx, tenant, period).await?;
    if row.state != PeriodState::Draft {
        return Err(wrong_state(row.state));
    }
    let csv = |error| AppError::invalid(FormField::Evaluators, Problem::Csv(error));
    let (text, _) = csv_codec::decode(bytes).map_err(csv)?;
    let table = csv_codec::parse(&text).map_err(csv)?;
    let columns = csv_codec::map_columns(&table.headers, EVALUATOR_COLUMNS).map_err(csv)?;
    let plan = row.plan()?;
    let codes = codes_of_tenant(&mut tx, tenant).await?;
    let mut problems: Vec<(usize, Problem)> = Vec::new();
    let mut choices: Vec<(UserId, Vec<Option<UserId>>)> = Vec::new();
    let mut seen: HashMap<UserId, usize> = HashMap::new();
    let lookup = |code: &str| -> Option<&(UserId, bool)> {
        EmployeeCode::parse(code)
            .ok()
            .and_then(|code| codes.get(code.as_str()))
    };
    for record in &table.rows {
        let cell = |key: &str| columns.get(record, key).unwrap_or_default().trim();
        let employee_code = cell("employee");
        let Some((employee, _)) = lookup(employee_code) else {
            problems.push((
                record.line,
                Problem::Period {
                    at: PeriodPlace::Population,
                    problem: PeriodProblem::EvaluatorUnavailable {
                        code: employee_code.to_owned(),
                    },
                },
            ));
            continue;
        };
        if let Some(first) = seen.insert(employee.clone(), record.line) {
            problems.push((
                record.line,
                Problem::TwiceInFile {
                    value: crate::domain::problem::Repeated::EmployeeCode(employee_code.to_owned()),
                    first_line: first,
                },
            ));
            continue;
        }
        let mut chain = Vec::with_capacity(plan.stages as usize);
        let mut ok = true;
        for key in ["evaluator_1", "evaluator_2", "evaluator_3"]
            .into_iter()
            .take(plan.stages as usize)
        {
            let code = cell(key);
            if code.is_empty() {
                chain.push(None);
                continue;
            }
            match lookup(code) {
                Some((id, false)) => chain.push(Some(id.clone())),
                _ => {
                    ok = false;
                    problems.push((
                        record.line,
                        evaluators_problem(PeriodProblem::EvaluatorUnavailable {
                            code: code.to_owned(),
                        }),
                    ));
                }
            }
        }
        if !ok {
            continue;
        }
        if let Some(problem) = chain_problem(employee, &chain) {
            problems.push((record.line, evaluators_problem(problem)));
            continue;
        }
        choices.push((employee.clone(), chain));
    }
    let applied = apply && problems.is_empty() && !choices.is_empty();
    if applied {
        for chunk in choices.chunks(500) {
            let marks: Vec<String> = (0..chunk.len()).map(|i| format!("${}", i + 3)).collect();
            let sql = format!(
                "DELETE FROM evaluation_chain_choices WHERE tenant_id = $1 AND period_id = $2 \
                 AND employee_id IN ({})",
                marks.join(", ")
            );
            let mut query = sqlx::query(&sql)
                .bind(tenant.as_str())
                .bind(period.as_str());
            for (employee, _) in chunk {
                query = query.bind(employee.as_str());
            }
            query.execute(&mut *tx).await?;
        }
        let rows = choices
            .iter()
            .map(|(employee, chain)| {
                let [a, b, c] = chain_columns(chain);
                vec![
                    ("tenant_id", Value::from(tenant.as_str())),
                    ("period_id", Value::from(period.as_str())),
                    ("employee_id", Value::from(employee.as_str())),
                    ("evaluator_1", Value::from(a)),
                    ("evaluator_2", Value::from(b)),
                    ("evaluator_3", Value::from(c)),
                ]
            })
            .collect();
        insert_many(&mut tx, "evaluation_chain_choices", rows).await?;
        let after = serde_json::json!({ "file_rows": table.rows.len(), "chosen": choices.len() });
        w.audit_and_commit(
            tx,
            entry(
                w,
                AuditAction::PeriodEvaluators,
                "period",
                period.as_str(),
                None,
                Some(after),
            ),
        )
        .await?;
    } else {
        tx.rollback().await?;
    }
    Ok(EvaluatorFileReport {
        rows: table.rows.len(),
        problems,
        applied,
    })
}

/// A draft's whole population with its evaluators (chosen by hand, else as the org chart
/// proposes) as the evaluators file: codes with names beside them, one row per person in
/// employee-code order, a column pair per stage. Edited in a spreadsheet, it reads back
/// through [`import_evaluators`].
#[tracing::instrument(skip_all)]
pub async fn evaluators_csv(
    db: &Db,
    tenant: &TenantId,
    id: &PeriodId,
    encoding: csv_codec::Encoding,
) -> Result<Vec<u8>, AppError> {
    let mut tx = db.begin_for_tenant(tenant).await?;
    let row = period_row(&mut tx, tenant, id).await?;
    if row.state != PeriodState::Draft {
        return Err(wrong_state(row.state));
    }
    let plan = row.plan()?;
    let facts = load_facts(&mut tx, tenant).await?;
    let chosen = chosen_chains(&mut tx, tenant, id).await?;
    let all = population_with_chains(&facts, &plan, &chosen);
    let people = People::of_tenant(&mut tx, tenant).await?;
    tx.commit().await?;
    let stages = plan.stages.clamp(1, Stage::MAX) as usize;
    let headers: Vec<&str> = EVALUATOR_COLUMNS
        .iter()
        .take(2 + 2 * stages)
        .map(|c| c.ja)
        .collect();
    let code_and_name = |person: PersonRef| {
        [
            person
                .employee_code
                .map(|c| c.as_str().to_owned())
                .unwrap_or_default(),
            person.name,
        ]
    };
    let rows: Vec<Vec<String>> = all
        .iter()
        .map(|(person, chain, _)| {
            let mut cells = Vec::with_capacity(headers.len());
            cells.extend(code_and_name(people.person(person)));
            for evaluator in chain.iter().take(stages) {
                match evaluator {
                    Some(e) => cells.extend(code_and_name(people.person(e))),
                    None => cells.extend([String::new(), String::new()]),
                }
            }
            cells.resize(headers.len(), String::new());
            cells
        })
        .collect();
    csv_codec::write(&headers, &rows, encoding)
        .map_err(|error| AppError::invalid(FormField::Encoding, error))
}

// ---- launch ------------------------------------------------------------------------------

fn notice_mail(
    to: &Email,
    name: &str,
    period: &str,
    goal_deadline: &str,
    link: &str,
) -> OutgoingMail {
    OutgoingMail {
        to: to.to_string(),
        subject: format!("【考課】{period} の評価が始まりました / Your evaluation has begun"),
        body_text: format!(
            "{name} 様\n\n\
             評価期間「{period}」が始まりました。評価シートで目標を設定してください。\n\
             目標設定の締切: {goal_deadline}\n\n\
             {link}\n\n\
             ------------------------------------------------------------\n\n\
             Dear {name},\n\n\
             The evaluation period \"{period}\" has begun. Please set your goals on your sheet.\n\
             Goal setting closes: {goal_deadline}\n\n\
             {link}\n"
        ),
        priority: MailPriority::Normal,
    }
}

fn sheet_values(
    tenant: &TenantId,
    period: &PeriodId,
    id: &SheetId,
    employee: &UserId,
    chain: &[Option<UserId>],
    now: Timestamp,
) -> crate::backend::db::NamedRow {
    let [a, b, c] = chain_columns(chain);
    vec![
        ("tenant_id", Value::from(tenant.as_str())),
        ("id", Value::from(id.as_str())),
        ("period_id", Value::from(period.as_str())),
        ("employee_id", Value::from(employee.as_str())),
        ("state", Value::from(SheetState::GoalDrafting.as_stored())),
        ("evaluator_1", Value::from(a)),
        ("evaluator_2", Value::from(b)),
        ("evaluator_3", Value::from(c)),
        ("created_at", Value::from(now.as_micros())),
        ("updated_at", Value::from(now.as_micros())),
    ]
}

/// Where the notice sends people (`base_url`: `KOUKA_BASE_URL`, never the Host header):
/// the home page, where they sign in and find their sheet.
fn sheets_link(base_url: &str) -> String {
    format!("{}/", base_url.trim_end_matches('/'))
}

/// Launches a draft: one sheet per person with their evaluators and the template's
/// snapshot, a notice mail to each, the period running — all in one transaction, or
/// nothing when anyone lacks an evaluator. Answers how many sheets were made.
#[tracing::instrument(skip_all)]
pub async fn launch_period(
    w: &WriteContext<'_>,
    id: &PeriodId,
    base_url: &str,
) -> Result<usize, AppError> {
    let tenant = w.tenant();
    let mut tx = w.begin().await?;
    let row = period_row(&mut tx, tenant, id).await?;
    if row.state != PeriodState::Draft {
        return Err(wrong_state(row.state));
    }
    let plan = row.plan()?;
    let template = plan_template(&mut tx, tenant, &plan).await?;
    first_refusal(plan.check(Some(&template.grades)))?;
    let facts = load_facts(&mut tx, tenant).await?;
    let chosen = chosen_chains(&mut tx, tenant, id).await?;
    let all = population_with_chains(&facts, &plan, &chosen);
    if all.is_empty() {
        return Err(refused(
            PeriodPlace::Population,
            PeriodProblem::NobodySelected,
        ));
    }
    let missing: Vec<&UserId> = all
        .iter()
        .filter(|(_, chain, _)| chain.iter().any(Option::is_none))
        .map(|(person, _, _)| person)
        .collect();
    if let Some(&first) = missing.first() {
        let first = People::with_ids(&mut tx, tenant, std::slice::from_ref(first))
            .await?
            .person(first)
            .name;
        return Err(refused(
            PeriodPlace::Evaluators,
            PeriodProblem::WithoutEvaluator {
                count: missing.len(),
                first,
            },
        ));
    }
    // Evaluators chosen by hand may have been deactivated since.
    let active: HashSet<&UserId> = facts
        .people
        .iter()
        .filter(|p| !p.deactivated)
        .map(|p| &p.id)
        .collect();
    for (person, chain, _) in &all {
        if let Some(problem) = chain_problem(person, chain) {
            return Err(refused(PeriodPlace::Evaluators, problem));
        }
        if let Some(gone) = chain.iter().flatten().find(|e| !active.contains(e)) {
            let gone = People::with_ids(&mut tx, tenant, std::slice::from_ref(gone))
                .await?
                .person(gone);
            return Err(refused(
                PeriodPlace::Evaluators,
                PeriodProblem::EvaluatorUnavailable {
                    code: gone.code_or_name(),
                },
            ));
        }
    }
    let now = w.now;
    let rows = all
        .iter()
        .map(|(person, chain, _)| {
            sheet_values(tenant, id, &SheetId::generate(), person, chain, now)
        })
        .collect();
    insert_many(&mut tx, "evaluation_sheets", rows).await?;
    sqlx::query(
        "UPDATE evaluation_periods SET state = $1, template_snapshot = $2, launched_at = $3, \
         updated_at = $3, version = version + 1 WHERE tenant_id = $4 AND id = $5",
    )
    .bind(PeriodState::Running.as_str())
    .bind(json(&template))
    .bind(now.as_micros())
    .bind(tenant.as_str())
    .bind(id.as_str())
    .execute(&mut *tx)
    .await?;
    sqlx::query("DELETE FROM evaluation_chain_choices WHERE tenant_id = $1 AND period_id = $2")
        .bind(tenant.as_str())
        .bind(id.as_str())
        .execute(&mut *tx)
        .await?;
    let zone = crate::backend::users::tenant_zone(&mut tx, tenant).await?;
    let goal_deadline = plan
        .deadline_of(Phase::GoalSetting)
        .map(|date| Timestamp::end_of_day_in_zone(date, &zone).format_in_zone(&zone))
        .unwrap_or_default();
    let link = sheets_link(base_url);
    let ids: Vec<UserId> = all.iter().map(|(person, _, _)| person.clone()).collect();
    let people = People::with_ids(&mut tx, tenant, &ids).await?;
    let mails = ids
        .iter()
        .filter_map(|id| people.by_id.get(id))
        .map(|p| notice_mail(&p.email, &p.display_name, &plan.name, &goal_deadline, &link))
        .collect();
    enqueue_many(&mut tx, tenant, mails).await?;
    let after = serde_json::json!({
        "state": PeriodState::Running,
        "sheets": all.len(),
        "template": template,
    });
    w.audit_and_commit(
        tx,
        entry(
            w,
            AuditAction::PeriodLaunch,
            "period",
            id.as_str(),
            Some(serde_json::json!({ "state": PeriodState::Draft })),
            Some(after),
        ),
    )
    .await?;
    if let Err(error) =
        w.db.refresh_statistics(&["evaluation_sheets", "mail_outbox"])
            .await
    {
        tracing::warn!(%error, "statistics not refreshed after the launch");
    }
    Ok(all.len())
}

/// Closes a running period: its sheets are kept as they are.
#[tracing::instrument(skip_all)]
pub async fn close_period(w: &WriteContext<'_>, id: &PeriodId) -> Result<(), AppError> {
    let mut tx = w.begin().await?;
    let row = period_row(&mut tx, w.tenant(), id).await?;
    if row.state != PeriodState::Running {
        return Err(wrong_state(row.state));
    }
    sqlx::query(
        "UPDATE evaluation_periods SET state = $1, updated_at = $2, version = version + 1 \
         WHERE tenant_id = $3 AND id = $4",
    )
    .bind(PeriodState::Closed.as_str())
    .bind(w.now.as_micros())
    .bind(w.tenant().as_str())
    .bind(id.as_str())
    .execute(&mut *tx)
    .await?;
    w.audit_and_commit(
        tx,
        entry(
            w,
            AuditAction::PeriodClose,
            "period",
            id.as_str(),
            Some(serde_json::json!({ "state": row.state })),
            Some(serde_json::json!({ "state": PeriodState::Closed })),
        ),
    )
    .await
}

/// Closes a phase of a running period (a hard stop: its steps are refused) or opens it again.
#[tracing::instrument(skip_all)]
pub async fn set_phase_closed(
    w: &WriteContext<'_>,
    id: &PeriodId,
    phase: Phase,
    closed: bool,
) -> Result<(), AppError> {
    let mut tx = w.begin().await?;
    let row = period_row(&mut tx, w.tenant(), id).await?;
    if row.state != PeriodState::Running {
        return Err(wrong_state(row.state));
    }
    let mut phases = row.closed()?;
    let before = phases.clone();
    phases.retain(|p| *p != phase);
    if closed {
        phases.push(phase);
    }
    sqlx::query(
        "UPDATE evaluation_periods SET closed_phases = $1, updated_at = $2, \
         version = version + 1 WHERE tenant_id = $3 AND id = $4",
    )
    .bind(json(&phases))
    .bind(w.now.as_micros())
    .bind(w.tenant().as_str())
    .bind(id.as_str())
    .execute(&mut *tx)
    .await?;
    w.audit_and_commit(
        tx,
        entry(
            w,
            AuditAction::PeriodPhase,
            "period",
            id.as_str(),
            serde_json::to_value(&before).ok(),
            serde_json::to_value(&phases).ok(),
        ),
    )
    .await
}

// ---- what the admins' desk shows ---------------------------------------------------------

/// What the tenant's periods need next from their admins: each draft (with how many of
/// its people the chart proposes no evaluator for), and each running period's late sheets
/// and sheets waiting for calibration. The org chart's part is the caller's.
#[tracing::instrument(skip_all)]
pub async fn period_needs(
    db: &Db,
    tenant: &TenantId,
    now: Timestamp,
) -> Result<Vec<crate::domain::desk::TenantNeed>, AppError> {
    use crate::domain::desk::TenantNeed;
    let mut tx = db.begin_for_tenant(tenant).await?;
    let today = now.date_in_zone(&crate::backend::users::tenant_zone(&mut tx, tenant).await?);
    let periods: Vec<PeriodRow> = sqlx::query_as(&format!(
        "SELECT {} FROM evaluation_periods WHERE tenant_id = $1 AND state IN ('draft', 'running') \
         ORDER BY created_at",
        PeriodRow::COLUMNS
    ))
    .bind(tenant.as_str())
    .fetch_all(&mut *tx)
    .await?;
    let mut needs = Vec::new();
    let mut facts = None;
    for period in &periods {
        let plan = period.plan()?;
        let name = plan.name.clone();
        match period.state {
            PeriodState::Draft => {
                // The chart is read once, however many drafts there are.
                if facts.is_none() {
                    facts = Some(load_facts(&mut tx, tenant).await?);
                }
                let chosen = chosen_chains(&mut tx, tenant, &period.id).await?;
                let all = population_with_chains(facts.as_ref().expect("read"), &plan, &chosen);
                needs.push(TenantNeed::DraftPeriod {
                    id: period.id.clone(),
                    name,
                    without_evaluator: all
                        .iter()
                        .filter(|(_, chain, _)| chain.iter().any(Option::is_none))
                        .count(),
                });
            }
            PeriodState::Running => {
                let sheets: Vec<(String, String)> = sqlx::query_as(
                    "SELECT state, extended_deadlines FROM evaluation_sheets \
                     WHERE tenant_id = $1 AND period_id = $2",
                )
                .bind(tenant.as_str())
                .bind(period.id.as_str())
                .fetch_all(&mut *tx)
                .await?;
                let (mut late, mut waiting) = (0, 0);
                for (state, extended) in &sheets {
                    let Some(state) = SheetState::from_stored(state) else {
                        continue;
                    };
                    let extended: Vec<Deadline> = serde_json::from_str(extended)
                        .map_err(|error| AppError::internal("stored extensions", error))?;
                    if is_late(&plan, state, &extended, today) {
                        late += 1;
                    }
                    if state == SheetState::Calibration {
                        waiting += 1;
                    }
                }
                if late > 0 {
                    needs.push(TenantNeed::LateSheets {
                        id: period.id.clone(),
                        name: name.clone(),
                        late,
                    });
                }
                if waiting > 0 {
                    needs.push(TenantNeed::Calibration {
                        id: period.id.clone(),
                        name,
                        waiting,
                    });
                }
            }
            PeriodState::Closed => {}
        }
    }
    tx.commit().await?;
    Ok(needs)
}

// ---- a running period's sheets -----------------------------------------------------------

/// One page of a period's sheets by employee code, with a search by name or code;
/// `only`: the people a business admin's scope holds (None: everyone).
#[tracing::instrument(skip_all)]
pub async fn list_sheets(
    db: &Db,
    tenant: &TenantId,
    period: &PeriodId,
    query: &str,
    page: i64,
    only: Option<&HashSet<UserId>>,
    now: Timestamp,
) -> Result<SheetPage, AppError> {
    use crate::backend::db::TextSearch;
    let mut tx = db.begin_for_tenant(tenant).await?;
    let row = period_row(&mut tx, tenant, period).await?;
    let plan = row.plan()?;
    let today = now.date_in_zone(&crate::backend::users::tenant_zone(&mut tx, tenant).await?);
    // Which sheets, in employee-code order, searched in SQL: only a page's rows are read
    // in full, whatever the period's size.
    let search = TextSearch::parse(query);
    let matching = match &search {
        Some(_) => format!(
            " AND {}",
            TextSearch::condition(&["u.display_name", "u.kana", "u.employee_code"], 3)
        ),
        None => String::new(),
    };
    let sql = format!(
        "SELECT s.id, s.employee_id FROM evaluation_sheets s LEFT JOIN users u \
         ON u.tenant_id = s.tenant_id AND u.id = s.employee_id \
         WHERE s.tenant_id = $1 AND s.period_id = $2{matching} \
         ORDER BY COALESCE(u.employee_code, ''), s.id"
    );
    let mut listing = sqlx::query_as::<_, (SheetId, UserId)>(&sql)
        .bind(tenant.as_str())
        .bind(period.as_str());
    if let Some(search) = &search {
        listing = listing.bind(search.contains_pattern());
    }
    let order = listing.fetch_all(&mut *tx).await?;
    let order: Vec<SheetId> = order
        .into_iter()
        .filter(|(_, employee)| only.is_none_or(|only| only.contains(employee)))
        .map(|(sheet, _)| sheet)
        .collect();
    let total = order.len() as i64;
    let shown: Vec<SheetId> = order
        .into_iter()
        .skip((page.max(0) * SHEETS_PER_PAGE) as usize)
        .take(SHEETS_PER_PAGE as usize)
        .collect();
    let mut rows: Vec<SheetDbRow> = Vec::with_capacity(shown.len());
    if !shown.is_empty() {
        let marks: Vec<String> = (0..shown.len()).map(|i| format!("${}", i + 2)).collect();
        let sql = format!(
            "SELECT {} FROM evaluation_sheets WHERE tenant_id = $1 AND id IN ({})",
            SheetDbRow::COLUMNS,
            marks.join(", ")
        );
        let mut query = sqlx::query_as::<_, SheetDbRow>(&sql).bind(tenant.as_str());
        for id in &shown {
            query = query.bind(id.as_str());
        }
        rows = query.fetch_all(&mut *tx).await?;
        rows.sort_by_key(|r| shown.iter().position(|id| *id == r.id));
    }
    let mut ids: Vec<UserId> = Vec::new();
    for r in &rows {
        ids.push(r.employee_id.clone());
        ids.extend(r.chain(plan.stages).into_iter().flatten());
    }
    let people = People::with_ids(&mut tx, tenant, &ids).await?;
    tx.commit().await?;
    let rows = rows
        .into_iter()
        .map(|r| {
            let state = r.state()?;
            let extended: Vec<Deadline> = serde_json::from_str(&r.extended_deadlines)
                .map_err(|error| AppError::internal("stored extensions", error))?;
            Ok(SheetRow {
                id: r.id.clone(),
                person: people.person(&r.employee_id),
                state,
                evaluators: r
                    .chain(plan.stages)
                    .iter()
                    .map(|e| e.as_ref().map(|e| people.person(e)))
                    .collect(),
                excluded_reason: r.excluded_reason.clone(),
                interview: serde_json::from_str::<crate::domain::evaluation::sheet::SheetContent>(
                    &r.content,
                )
                .map_err(|error| AppError::internal("stored sheet content", error))?
                .interview,
                late: is_late(&plan, state, &extended, today),
                extended,
            })
        })
        .collect::<Result<_, AppError>>()?;
    Ok(SheetPage { total, rows })
}

async fn sheet_of_period(
    tx: &mut Tx,
    tenant: &TenantId,
    period: &PeriodId,
    sheet: &SheetId,
) -> Result<SheetDbRow, AppError> {
    sqlx::query_as(&format!(
        "SELECT {} FROM evaluation_sheets WHERE tenant_id = $1 AND period_id = $2 AND id = $3",
        SheetDbRow::COLUMNS
    ))
    .bind(tenant.as_str())
    .bind(period.as_str())
    .bind(sheet.as_str())
    .fetch_optional(&mut **tx)
    .await?
    .ok_or(AppError::NotFound)
}

async fn running(tx: &mut Tx, tenant: &TenantId, period: &PeriodId) -> Result<PeriodRow, AppError> {
    let row = period_row(tx, tenant, period).await?;
    if row.state != PeriodState::Running {
        return Err(wrong_state(row.state));
    }
    Ok(row)
}

/// Adds a late joiner to a running period, with the evaluators given (codes) or else the
/// ones the org chart proposes; every stage needs someone. Answers the new sheet.
#[tracing::instrument(skip_all)]
pub async fn add_sheet(
    w: &WriteContext<'_>,
    period: &PeriodId,
    employee_code: &str,
    codes: &[String],
    base_url: &str,
) -> Result<SheetId, AppError> {
    let tenant = w.tenant();
    let mut tx = w.begin().await?;
    let row = running(&mut tx, tenant, period).await?;
    let plan = row.plan()?;
    let employee = match person_by_code(&mut tx, tenant, employee_code).await? {
        Some(p) if p.status != AccountStatus::Deactivated => p,
        _ => {
            return Err(refused(
                PeriodPlace::Population,
                PeriodProblem::EvaluatorUnavailable {
                    code: employee_code.trim().to_owned(),
                },
            ));
        }
    };
    let taken: Option<String> = sqlx::query_scalar(
        "SELECT id FROM evaluation_sheets WHERE tenant_id = $1 AND period_id = $2 \
         AND employee_id = $3",
    )
    .bind(tenant.as_str())
    .bind(period.as_str())
    .bind(employee.id.as_str())
    .fetch_optional(&mut *tx)
    .await?;
    if taken.is_some() {
        return Err(refused(
            PeriodPlace::Population,
            PeriodProblem::AlreadyInPeriod,
        ));
    }
    let mut chain = chain_from_codes(&mut tx, tenant, codes, plan.stages).await?;
    if chain.iter().any(Option::is_none) {
        let facts = load_facts(&mut tx, tenant).await?;
        let proposed = propose_chain(
            &facts.tree,
            &facts.managers,
            &facts.primary,
            &employee.id,
            plan.stages,
        );
        for (given, proposed) in chain.iter_mut().zip(proposed) {
            if given.is_none() {
                *given = proposed;
            }
        }
    }
    if let Some(problem) = chain_problem(&employee.id, &chain) {
        return Err(refused(PeriodPlace::Evaluators, problem));
    }
    if chain.iter().any(Option::is_none) {
        return Err(refused(
            PeriodPlace::Evaluators,
            PeriodProblem::WithoutEvaluator {
                count: 1,
                first: employee.display_name.clone(),
            },
        ));
    }
    let id = SheetId::generate();
    insert_many(
        &mut tx,
        "evaluation_sheets",
        vec![sheet_values(
            tenant,
            period,
            &id,
            &employee.id,
            &chain,
            w.now,
        )],
    )
    .await?;
    let zone = crate::backend::users::tenant_zone(&mut tx, tenant).await?;
    let goal_deadline = plan
        .deadline_of(Phase::GoalSetting)
        .map(|date| Timestamp::end_of_day_in_zone(date, &zone).format_in_zone(&zone))
        .unwrap_or_default();
    crate::backend::mail::enqueue(
        &mut tx,
        tenant,
        notice_mail(
            &employee.email,
            &employee.display_name,
            &plan.name,
            &goal_deadline,
            &sheets_link(base_url),
        ),
    )
    .await?;
    let after =
        serde_json::json!({ "period": period, "employee": employee.id, "evaluators": chain });
    w.audit_and_commit(
        tx,
        entry(
            w,
            AuditAction::SheetAdd,
            "sheet",
            id.as_str(),
            None,
            Some(after),
        ),
    )
    .await?;
    Ok(id)
}

/// Takes an open sheet out of its period, with the reason.
#[tracing::instrument(skip_all)]
pub async fn exclude_sheet(
    w: &WriteContext<'_>,
    period: &PeriodId,
    sheet: &SheetId,
    reason: &str,
) -> Result<(), AppError> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(refused(
            PeriodPlace::Population,
            PeriodProblem::ReasonRequired,
        ));
    }
    let tenant = w.tenant();
    let mut tx = w.begin().await?;
    running(&mut tx, tenant, period).await?;
    let row = sheet_of_period(&mut tx, tenant, period, sheet).await?;
    let state = row.state()?;
    if !is_open(state) {
        return Err(refused(PeriodPlace::Population, PeriodProblem::SheetClosed));
    }
    set_excluded(&mut tx, tenant, sheet, reason, w.now).await?;
    w.audit_and_commit(
        tx,
        entry(
            w,
            AuditAction::SheetExclude,
            "sheet",
            sheet.as_str(),
            Some(serde_json::json!({ "state": state.as_stored() })),
            Some(
                serde_json::json!({ "state": SheetState::Excluded.as_stored(), "reason": reason }),
            ),
        ),
    )
    .await
}

async fn set_excluded(
    tx: &mut Tx,
    tenant: &TenantId,
    sheet: &SheetId,
    reason: &str,
    now: Timestamp,
) -> Result<(), AppError> {
    sqlx::query(
        "UPDATE evaluation_sheets SET state = $1, excluded_reason = $2, updated_at = $3, \
         version = version + 1 WHERE tenant_id = $4 AND id = $5",
    )
    .bind(SheetState::Excluded.as_stored())
    .bind(reason)
    .bind(now.as_micros())
    .bind(tenant.as_str())
    .bind(sheet.as_str())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The reason kept on a sheet closed because its person's account was deactivated.
pub const REASON_DEACTIVATED: &str = "アカウントが無効化されたため / The account was deactivated";
/// The reason kept on a sheet closed because its person was deleted.
pub const REASON_DELETED: &str = "利用者が削除されたため / The user was deleted";

/// Closes every open sheet of `user` (deactivated or deleted) as excluded, with `reason`,
/// in the transaction of that change: no sheet is left waiting for someone who is gone.
/// Answers how many.
pub async fn exclude_open_sheets_of(
    tx: &mut Tx,
    tenant: &TenantId,
    user: &UserId,
    reason: &str,
    now: Timestamp,
) -> Result<usize, AppError> {
    let rows: Vec<(SheetId, String)> = sqlx::query_as(
        "SELECT s.id, s.state FROM evaluation_sheets s JOIN evaluation_periods p \
         ON p.tenant_id = s.tenant_id AND p.id = s.period_id \
         WHERE s.tenant_id = $1 AND s.employee_id = $2 AND p.state = $3",
    )
    .bind(tenant.as_str())
    .bind(user.as_str())
    .bind(PeriodState::Running.as_str())
    .fetch_all(&mut **tx)
    .await?;
    let mut count = 0;
    for (sheet, state) in rows {
        if SheetState::from_stored(&state).is_some_and(is_open) {
            set_excluded(tx, tenant, &sheet, reason, now).await?;
            count += 1;
        }
    }
    Ok(count)
}

/// Replaces an open sheet's evaluators (codes, stage 1 first; every stage needs someone).
#[tracing::instrument(skip_all)]
pub async fn set_sheet_evaluators(
    w: &WriteContext<'_>,
    period: &PeriodId,
    sheet: &SheetId,
    codes: &[String],
) -> Result<(), AppError> {
    let tenant = w.tenant();
    let mut tx = w.begin().await?;
    let plan = running(&mut tx, tenant, period).await?.plan()?;
    let row = sheet_of_period(&mut tx, tenant, period, sheet).await?;
    if !is_open(row.state()?) {
        return Err(refused(PeriodPlace::Evaluators, PeriodProblem::SheetClosed));
    }
    let chain = chain_from_codes(&mut tx, tenant, codes, plan.stages).await?;
    if let Some(problem) = chain_problem(&row.employee_id, &chain) {
        return Err(refused(PeriodPlace::Evaluators, problem));
    }
    if chain.iter().any(Option::is_none) {
        let name = People::with_ids(&mut tx, tenant, std::slice::from_ref(&row.employee_id))
            .await?
            .person(&row.employee_id)
            .name;
        return Err(refused(
            PeriodPlace::Evaluators,
            PeriodProblem::WithoutEvaluator {
                count: 1,
                first: name,
            },
        ));
    }
    write_chain(&mut tx, tenant, sheet, &chain, w.now).await?;
    w.audit_and_commit(
        tx,
        entry(
            w,
            AuditAction::SheetEvaluators,
            "sheet",
            sheet.as_str(),
            serde_json::to_value(row.chain(plan.stages)).ok(),
            serde_json::to_value(&chain).ok(),
        ),
    )
    .await
}

async fn write_chain(
    tx: &mut Tx,
    tenant: &TenantId,
    sheet: &SheetId,
    chain: &[Option<UserId>],
    now: Timestamp,
) -> Result<(), AppError> {
    let [a, b, c] = chain_columns(chain);
    sqlx::query(
        "UPDATE evaluation_sheets SET evaluator_1 = $1, evaluator_2 = $2, evaluator_3 = $3, \
         updated_at = $4, version = version + 1 WHERE tenant_id = $5 AND id = $6",
    )
    .bind(a)
    .bind(b)
    .bind(c)
    .bind(now.as_micros())
    .bind(tenant.as_str())
    .bind(sheet.as_str())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Hands every open sheet of one evaluator in this period over to another, at whatever
/// stage they evaluate it: the new evaluator sees and does what the old one did. All or
/// nothing: refused when the new one is the person of a sheet or already evaluates it at
/// another stage. Answers how many sheets moved.
#[tracing::instrument(skip_all)]
pub async fn hand_over(
    w: &WriteContext<'_>,
    period: &PeriodId,
    from_code: &str,
    to_code: &str,
) -> Result<usize, AppError> {
    let tenant = w.tenant();
    let mut tx = w.begin().await?;
    let plan = running(&mut tx, tenant, period).await?.plan()?;
    let from = person_by_code(&mut tx, tenant, from_code)
        .await?
        .ok_or_else(|| {
            refused(
                PeriodPlace::Evaluators,
                PeriodProblem::EvaluatorUnavailable {
                    code: from_code.trim().to_owned(),
                },
            )
        })?
        .id;
    let to = evaluator_by_code(&mut tx, tenant, to_code).await?;
    let rows: Vec<SheetDbRow> = sqlx::query_as(&format!(
        "SELECT {} FROM evaluation_sheets WHERE tenant_id = $1 AND period_id = $2 \
         AND (evaluator_1 = $3 OR evaluator_2 = $3 OR evaluator_3 = $3)",
        SheetDbRow::COLUMNS
    ))
    .bind(tenant.as_str())
    .bind(period.as_str())
    .bind(from.as_str())
    .fetch_all(&mut *tx)
    .await?;
    let mut moved: Vec<(SheetId, Vec<Option<UserId>>)> = Vec::new();
    for row in &rows {
        if !is_open(row.state()?) {
            continue;
        }
        let chain: Vec<Option<UserId>> = row
            .chain(plan.stages)
            .into_iter()
            .map(|e| {
                if e.as_ref() == Some(&from) {
                    Some(to.clone())
                } else {
                    e
                }
            })
            .collect();
        if chain_problem(&row.employee_id, &chain).is_some() {
            let name = People::with_ids(&mut tx, tenant, std::slice::from_ref(&row.employee_id))
                .await?
                .person(&row.employee_id)
                .name;
            return Err(refused(
                PeriodPlace::Evaluators,
                PeriodProblem::HandOverClash { employee: name },
            ));
        }
        moved.push((row.id.clone(), chain));
    }
    if moved.is_empty() {
        return Err(refused(
            PeriodPlace::Evaluators,
            PeriodProblem::NothingToHandOver,
        ));
    }
    for (sheet, chain) in &moved {
        write_chain(&mut tx, tenant, sheet, chain, w.now).await?;
    }
    let after = serde_json::json!({
        "from": from,
        "to": to,
        "sheets": moved.iter().map(|(s, _)| s).collect::<Vec<_>>(),
    });
    w.audit_and_commit(
        tx,
        entry(
            w,
            AuditAction::PeriodHandOver,
            "period",
            period.as_str(),
            None,
            Some(after),
        ),
    )
    .await?;
    Ok(moved.len())
}

/// Extends one sheet's deadline of `phase` to `date` (a later day than the period's).
#[tracing::instrument(skip_all)]
pub async fn extend_sheet_deadline(
    w: &WriteContext<'_>,
    period: &PeriodId,
    sheet: &SheetId,
    phase: Phase,
    date: CalendarDate,
) -> Result<(), AppError> {
    let tenant = w.tenant();
    let mut tx = w.begin().await?;
    let plan = running(&mut tx, tenant, period).await?.plan()?;
    let row = sheet_of_period(&mut tx, tenant, period, sheet).await?;
    if !is_open(row.state()?) {
        return Err(refused(PeriodPlace::Period, PeriodProblem::SheetClosed));
    }
    if plan
        .deadline_of(phase)
        .is_none_or(|period_date| date < period_date)
    {
        return Err(refused(
            PeriodPlace::Deadline(phase),
            PeriodProblem::DeadlineOrder,
        ));
    }
    let mut extended: Vec<Deadline> = serde_json::from_str(&row.extended_deadlines)
        .map_err(|error| AppError::internal("stored extensions", error))?;
    let before = extended.clone();
    extended.retain(|d| d.phase != phase);
    extended.push(Deadline {
        phase,
        date: Some(date),
    });
    sqlx::query(
        "UPDATE evaluation_sheets SET extended_deadlines = $1, updated_at = $2, \
         version = version + 1 WHERE tenant_id = $3 AND id = $4",
    )
    .bind(json(&extended))
    .bind(w.now.as_micros())
    .bind(tenant.as_str())
    .bind(sheet.as_str())
    .execute(&mut *tx)
    .await?;
    w.audit_and_commit(
        tx,
        entry(
            w,
            AuditAction::SheetDeadline,
            "sheet",
            sheet.as_str(),
            serde_json::to_value(&before).ok(),
            serde_json::to_value(&extended).ok(),
        ),
    )
    .await
}

/// The people a business admin's scope holds: everyone with a post in one of its
/// departments' subtrees (what `ViewEmployeeDetails` allows them, person by person).
#[tracing::instrument(skip_all)]
pub async fn people_in_business_scope(
    db: &Db,
    tenant: &TenantId,
    admin: &UserId,
) -> Result<HashSet<UserId>, AppError> {
    let mut tx = db.begin_for_tenant(tenant).await?;
    let scope =
        crate::backend::employees::business_scope_departments(&mut tx, tenant, admin).await?;
    if scope.is_empty() {
        tx.commit().await?;
        return Ok(HashSet::new());
    }
    let tree = crate::backend::org::tree(&mut tx, tenant).await?;
    let posts: Vec<(UserId, DepartmentId)> =
        sqlx::query_as("SELECT user_id, department_id FROM posts WHERE tenant_id = $1")
            .bind(tenant.as_str())
            .fetch_all(&mut *tx)
            .await?;
    tx.commit().await?;
    let departments: HashSet<&DepartmentId> = scope
        .iter()
        .flat_map(|top| std::iter::once(top).chain(tree.descendants(top)))
        .collect();
    Ok(posts
        .into_iter()
        .filter(|(_, department)| departments.contains(department))
        .map(|(user, _)| user)
        .collect())
}
