//! 評価調整 (calibration) in storage: a period's sheets side by side for the evaluation
//! admins ([`calibration_view`]), a final grade changed with its reason
//! ([`adjust_grade`], its history entry and audit row in the same transaction), and the
//! check a forced target distribution makes before a sheet is finalized
//! ([`refuse_over_target`]). The rules are `domain::evaluation::calibration`'s.

use crate::backend::db::Db;
use crate::backend::evaluation::population::load_facts;
use crate::backend::evaluation::sheets::{
    SheetRecord, Tx, record_event, sheet_record, step_refused, stored, write_content,
    writer_relations,
};
use crate::backend::write::WriteContext;
use crate::domain::audit::AuditAction;
use crate::domain::evaluation::calibration::{
    AdjustProblem, CalibrationRow, GradeBar, adjust, distribution, final_grade,
};
pub use crate::domain::evaluation::calibration::{CalibrationFilter, CalibrationView};
use crate::domain::evaluation::period::PeriodPlan;
use crate::domain::evaluation::population::PopulationRule;
use crate::domain::evaluation::sheet::{SheetContent, score_work, sheet_final};
use crate::domain::evaluation::sheet_view::SheetStep;
use crate::domain::evaluation::template::Template;
use crate::domain::evaluation::workflow::{Phase, Relation, SheetState, StepRefusal};
use crate::domain::form_field::FormField;
use crate::domain::ids::{DepartmentId, PeriodId, SheetId, TenantId, UserId};
use crate::domain::org_chart::PersonRef;
use crate::domain::problem::Problem;
use crate::error::AppError;
use std::collections::{HashMap, HashSet};

#[derive(sqlx::FromRow)]
struct PeriodSetup {
    name: String,
    definition: String,
    template_snapshot: Option<String>,
}

#[derive(sqlx::FromRow)]
struct SheetScores {
    id: SheetId,
    employee_id: UserId,
    state: String,
    evaluator_1: Option<UserId>,
    evaluator_2: Option<UserId>,
    evaluator_3: Option<UserId>,
    content: String,
    version: i64,
}

impl SheetScores {
    fn chain(&self, stages: u8) -> Vec<Option<UserId>> {
        [&self.evaluator_1, &self.evaluator_2, &self.evaluator_3]
            .into_iter()
            .take(usize::from(stages))
            .cloned()
            .collect()
    }
}

async fn period_setup(
    tx: &mut Tx,
    tenant: &TenantId,
    period: &PeriodId,
) -> Result<(String, PeriodPlan, Template), AppError> {
    let row: PeriodSetup = sqlx::query_as(
        "SELECT name, definition, template_snapshot FROM evaluation_periods \
         WHERE tenant_id = $1 AND id = $2",
    )
    .bind(tenant.as_str())
    .bind(period.as_str())
    .fetch_optional(&mut **tx)
    .await?
    .ok_or(AppError::NotFound)?;
    let plan: PeriodPlan = stored("stored period plan", &row.definition)?;
    // A draft has no snapshot yet: nothing to calibrate.
    let template: Template = match &row.template_snapshot {
        Some(snapshot) => stored("stored template snapshot", snapshot)?,
        None => {
            return Err(super::periods::wrong_state(
                crate::domain::evaluation::period::PeriodState::Draft,
            ));
        }
    };
    Ok((row.name, plan, template))
}

/// Every sheet of the period but those taken out of it.
async fn period_sheets(
    tx: &mut Tx,
    tenant: &TenantId,
    period: &PeriodId,
) -> Result<Vec<SheetScores>, AppError> {
    Ok(sqlx::query_as(
        "SELECT id, employee_id, state, evaluator_1, evaluator_2, evaluator_3, content, version \
         FROM evaluation_sheets WHERE tenant_id = $1 AND period_id = $2 AND state <> 'excluded'",
    )
    .bind(tenant.as_str())
    .bind(period.as_str())
    .fetch_all(&mut **tx)
    .await?)
}

/// The calibration table of `period` for the sheets `filter` selects.
#[tracing::instrument(skip_all)]
pub async fn calibration_view(
    db: &Db,
    tenant: &TenantId,
    period: &PeriodId,
    filter: &CalibrationFilter,
) -> Result<CalibrationView, AppError> {
    let mut tx = db.begin_for_tenant(tenant).await?;
    let (period_name, plan, template) = period_setup(&mut tx, tenant, period).await?;
    let sheets = period_sheets(&mut tx, tenant, period).await?;
    let facts = load_facts(&mut tx, tenant).await?;
    let people: HashMap<UserId, PersonRef> = sqlx::query_as::<_, PersonRef>(
        "SELECT id, display_name, employee_code FROM users WHERE tenant_id = $1",
    )
    .bind(tenant.as_str())
    .fetch_all(&mut *tx)
    .await?
    .into_iter()
    .map(|p| (p.id.clone(), p))
    .collect();
    let department_names: HashMap<DepartmentId, String> =
        sqlx::query_as::<_, (DepartmentId, String)>(
            "SELECT id, name FROM departments WHERE tenant_id = $1 ORDER BY sort_order, name",
        )
        .bind(tenant.as_str())
        .fetch_all(&mut *tx)
        .await?
        .into_iter()
        .collect();
    tx.commit().await?;

    // The selection: the same rule a period's population uses, by department and grade.
    let rule = PopulationRule {
        departments: filter.department.iter().cloned().collect(),
        grades: filter.person_grade.iter().cloned().collect(),
        ..PopulationRule::default()
    };
    let selected: HashSet<&UserId> = rule
        .select(&facts.tree, &facts.people)
        .into_iter()
        .map(|c| &c.id)
        .collect();
    let person_grade: HashMap<&UserId, &String> = facts
        .people
        .iter()
        .filter_map(|c| c.grade.as_ref().map(|g| (&c.id, g)))
        .collect();
    let person = |id: &UserId| {
        people.get(id).cloned().unwrap_or_else(|| PersonRef {
            id: id.clone(),
            name: String::new(),
            employee_code: None,
        })
    };
    let mut evaluators: Vec<PersonRef> = Vec::new();
    let mut rows = Vec::new();
    for sheet in &sheets {
        let chain = sheet.chain(plan.stages);
        for e in chain.iter().flatten() {
            if !evaluators.iter().any(|p| &p.id == e) {
                evaluators.push(person(e));
            }
        }
        // Deactivated people stay in their period's calibration.
        let in_rule = filter.department.is_none() && filter.person_grade.is_none()
            || selected.contains(&sheet.employee_id);
        let of_evaluator = filter
            .evaluator
            .as_ref()
            .is_none_or(|e| chain.iter().flatten().any(|c| c == e));
        if !in_rule || !of_evaluator {
            continue;
        }
        let state = SheetState::from_stored(&sheet.state)
            .ok_or_else(|| AppError::internal("stored sheet state", sheet.state.clone()))?;
        let content: SheetContent = stored("stored sheet content", &sheet.content)?;
        let stage_scores = (0..usize::from(plan.stages))
            .map(|n| {
                content
                    .stage_work
                    .get(n)
                    .and_then(|work| score_work(&template, &content, work).ok())
                    .map(|s| s.score)
            })
            .collect();
        let computed = sheet_final(&template, &content)
            .ok()
            .map(|f| (f.score, f.grade));
        rows.push(CalibrationRow {
            sheet: sheet.id.clone(),
            version: sheet.version,
            person: person(&sheet.employee_id),
            department: facts
                .primary
                .get(&sheet.employee_id)
                .and_then(|d| department_names.get(d))
                .cloned()
                .unwrap_or_default(),
            grade_of_person: person_grade.get(&sheet.employee_id).map(|g| (*g).clone()),
            state,
            stage_scores,
            computed,
            adjusted: content.adjusted.clone(),
        });
    }
    rows.sort_by(|a, b| {
        a.department
            .cmp(&b.department)
            .then_with(|| a.person.employee_code.cmp(&b.person.employee_code))
    });
    let grades: Vec<String> = template
        .grades
        .grades
        .iter()
        .map(|g| g.grade.clone())
        .collect();
    let finals: Vec<Option<&str>> = rows.iter().map(CalibrationRow::final_grade).collect();
    let bars = distribution(&grades, &finals, &plan.calibration);
    evaluators.sort_by(|a, b| a.employee_code.cmp(&b.employee_code));
    let mut person_grades: Vec<String> = person_grade.values().map(|g| (*g).clone()).collect();
    person_grades.sort();
    person_grades.dedup();
    let mut departments: Vec<(DepartmentId, String)> = department_names.into_iter().collect();
    departments.sort_by(|a, b| a.1.cmp(&b.1));
    Ok(CalibrationView {
        period_name,
        stages: plan.stages,
        grades,
        target: plan.calibration,
        rows,
        bars,
        departments,
        person_grades,
        evaluators,
    })
}

fn adjust_refused(problem: AdjustProblem) -> AppError {
    AppError::invalid(FormField::Sheet, Problem::Adjust(problem))
}

/// Sets a sheet's final grade in calibration (`grade` the computed one: the adjustment is
/// taken back); `reason` is required for any other grade. The sheet's history shows the
/// change, its audit row holds the grade before and after. Answers the new version.
#[tracing::instrument(skip_all)]
pub async fn adjust_grade(
    w: &WriteContext<'_>,
    id: &SheetId,
    based_on: i64,
    grade: &str,
    reason: &str,
) -> Result<i64, AppError> {
    let tenant = w.tenant();
    let mut tx = w.begin().await?;
    let mut record: SheetRecord = sheet_record(&mut tx, tenant, id).await?;
    if !writer_relations(w, &record).contains(&Relation::EvaluationAdmin) {
        return Err(AppError::NotFound);
    }
    if record.state != SheetState::Calibration {
        return Err(step_refused(StepRefusal::NotYourStep));
    }
    if !record.open.contains(&Phase::Calibration) {
        return Err(step_refused(StepRefusal::PhaseClosed(Phase::Calibration)));
    }
    if based_on != record.version {
        return Err(AppError::Conflict);
    }
    let adjusted =
        adjust(&record.template, &record.content, grade.trim(), reason).map_err(adjust_refused)?;
    let before = final_grade(&record.template, &record.content);
    let before_adjusted = record.content.adjusted.clone();
    if adjusted == before_adjusted {
        tx.commit().await?;
        return Ok(record.version);
    }
    record.content.adjusted = adjusted.clone();
    let after = final_grade(&record.template, &record.content);
    let version = write_content(&mut tx, w, &record).await?;
    let line = format!(
        "{} → {}{}",
        before.as_deref().unwrap_or("—"),
        after.as_deref().unwrap_or("—"),
        adjusted
            .as_ref()
            .map(|a| format!(": {}", a.reason))
            .unwrap_or_default()
    );
    record_event(
        &mut tx,
        w,
        id,
        SheetStep::Calibrate,
        record.state,
        record.state,
        Some(&line),
    )
    .await?;
    let entry = w.audit_entry(
        AuditAction::SheetCalibrate,
        "evaluation_sheet",
        id.as_str(),
        Some(serde_json::json!({ "grade": before, "adjusted": before_adjusted })),
        Some(serde_json::json!({ "grade": after, "adjusted": adjusted, "version": version })),
    );
    w.audit_and_commit(tx, entry).await?;
    Ok(version)
}

/// Where the period's target distribution is a rule, not a guideline: refuses to
/// finalize while any grade holds more of the period's graded sheets than it allows.
pub(super) async fn refuse_over_target(
    tx: &mut Tx,
    tenant: &TenantId,
    record: &SheetRecord,
) -> Result<(), AppError> {
    if !record.plan.calibration.forced {
        return Ok(());
    }
    let sheets = period_sheets(tx, tenant, &record.period_id).await?;
    let mut finals = Vec::with_capacity(sheets.len());
    for sheet in &sheets {
        let content: SheetContent = stored("stored sheet content", &sheet.content)?;
        finals.push(final_grade(&record.template, &content));
    }
    let finals: Vec<Option<&str>> = finals.iter().map(Option::as_deref).collect();
    let grades: Vec<String> = record
        .template
        .grades
        .grades
        .iter()
        .map(|g| g.grade.clone())
        .collect();
    if let Some(bar) = distribution(&grades, &finals, &record.plan.calibration)
        .into_iter()
        .find(GradeBar::over_target)
    {
        return Err(AppError::invalid(
            FormField::Sheet,
            Problem::OverTarget {
                grade: bar.grade,
                count: bar.count,
                allowed: bar.allowed.unwrap_or(0),
            },
        ));
    }
    Ok(())
}
