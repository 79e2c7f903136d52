//! The evaluation's setup: sheet templates (periods come next). System admins and
//! evaluation admins design them; business admins read them, for the periods and sheets of
//! their scope. A template travels as JSON (its serde form) in one form field, read
//! through `Template`'s own deserializer and then its check.

use crate::domain::evaluation::template::{StoredTemplate, TemplateSummary};
use crate::error::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::api::context::RequestContext;
#[cfg(feature = "ssr")]
use crate::domain::evaluation::template::Template;
#[cfg(feature = "ssr")]
use crate::domain::ids::TemplateId;
#[cfg(feature = "ssr")]
use crate::domain::permissions::Action;

/// A template sent as JSON; one that is not a template at all is refused as unreadable.
#[cfg(feature = "ssr")]
fn template_from(definition: &str) -> Result<Template, AppError> {
    serde_json::from_str(definition).map_err(|error| {
        AppError::invalid(
            crate::domain::form_field::FormField::Template,
            crate::domain::problem::Problem::Unreadable {
                detail: error.to_string(),
            },
        )
    })
}

/// The tenant's templates, by name.
#[server(endpoint = "evaluation/templates/list")]
pub async fn list_templates() -> Result<Vec<TemplateSummary>, AppError> {
    let ctx = RequestContext::load().await?;
    let user = ctx.authorize_on_tenant(Action::ViewEvaluationSetup).await?;
    crate::backend::evaluation::templates::list_templates(&ctx.db, &user.subject.tenant).await
}

/// One template with its version.
#[server(endpoint = "evaluation/templates/get")]
pub async fn get_template(id: String) -> Result<StoredTemplate, AppError> {
    let ctx = RequestContext::load().await?;
    let user = ctx.authorize_on_tenant(Action::ViewEvaluationSetup).await?;
    crate::backend::evaluation::templates::get_template(
        &ctx.db,
        &user.subject.tenant,
        &TemplateId::from_request(&id)?,
    )
    .await
}

/// Stores a new template (`definition`: its JSON); answers its id.
#[server(endpoint = "evaluation/templates/create")]
pub async fn create_template(definition: String) -> Result<String, AppError> {
    let ctx = RequestContext::load().await?;
    let admin = ctx
        .authorize_on_tenant(Action::ManageEvaluationSetup)
        .await?;
    let template = template_from(&definition)?;
    let id =
        crate::backend::evaluation::templates::create_template(&ctx.write_as(&admin), template)
            .await?;
    Ok(id.to_string())
}

/// Replaces a template; `version` is the one the edit is based on.
#[server(endpoint = "evaluation/templates/update")]
pub async fn update_template(id: String, version: i64, definition: String) -> Result<(), AppError> {
    let ctx = RequestContext::load().await?;
    let admin = ctx
        .authorize_on_tenant(Action::ManageEvaluationSetup)
        .await?;
    let id = TemplateId::from_request(&id)?;
    let template = template_from(&definition)?;
    crate::backend::evaluation::templates::update_template(
        &ctx.write_as(&admin),
        &id,
        version,
        template,
    )
    .await
}

/// Copies a template under a free "… のコピー" name; answers the copy's id.
#[server(endpoint = "evaluation/templates/copy")]
pub async fn copy_template(id: String) -> Result<String, AppError> {
    let ctx = RequestContext::load().await?;
    let admin = ctx
        .authorize_on_tenant(Action::ManageEvaluationSetup)
        .await?;
    let id = TemplateId::from_request(&id)?;
    let copy =
        crate::backend::evaluation::templates::copy_template(&ctx.write_as(&admin), &id).await?;
    Ok(copy.to_string())
}

/// Deletes a template (`version`: the one shown). Launched periods keep their copy.
#[server(endpoint = "evaluation/templates/delete")]
pub async fn delete_template(id: String, version: i64) -> Result<(), AppError> {
    let ctx = RequestContext::load().await?;
    let admin = ctx
        .authorize_on_tenant(Action::ManageEvaluationSetup)
        .await?;
    let id = TemplateId::from_request(&id)?;
    crate::backend::evaluation::templates::delete_template(&ctx.write_as(&admin), &id, version)
        .await
}

// ---- periods -----------------------------------------------------------------------------

use crate::domain::evaluation::period::{PeriodPreview, PeriodSummary, SheetPage, StoredPeriod};

#[cfg(feature = "ssr")]
use crate::backend::evaluation::periods;
#[cfg(feature = "ssr")]
use crate::domain::ids::{PeriodId, SheetId};

/// A date as typed on a period's form; one that is no date is refused where it is.
#[cfg(feature = "ssr")]
fn typed_date(
    input: &str,
    at: crate::domain::evaluation::period::PeriodPlace,
) -> Result<Option<crate::domain::dates::CalendarDate>, AppError> {
    crate::domain::dates::parse_date(input).map_err(|_| {
        AppError::invalid(
            crate::domain::form_field::FormField::Period,
            crate::domain::problem::Problem::Period {
                at,
                problem: crate::domain::evaluation::period::PeriodProblem::TermMissing,
            },
        )
    })
}

#[cfg(feature = "ssr")]
fn phase_from(input: &str) -> Result<crate::domain::evaluation::workflow::Phase, AppError> {
    crate::domain::evaluation::workflow::Phase::from_stored(input.trim()).ok_or(AppError::NotFound)
}

/// The tenant's periods, the newest first.
#[server(endpoint = "evaluation/periods/list")]
pub async fn list_periods() -> Result<Vec<PeriodSummary>, AppError> {
    let ctx = RequestContext::load().await?;
    let user = ctx.authorize_on_tenant(Action::ViewEvaluationSetup).await?;
    periods::list_periods(&ctx.db, &user.subject.tenant).await
}

/// One period with its plan.
#[server(endpoint = "evaluation/periods/get")]
pub async fn get_period(id: String) -> Result<StoredPeriod, AppError> {
    let ctx = RequestContext::load().await?;
    let user = ctx.authorize_on_tenant(Action::ViewEvaluationSetup).await?;
    periods::get_period(&ctx.db, &user.subject.tenant, &PeriodId::from_request(&id)?).await
}

/// A new draft period for a term and a template; answers its id.
#[server(endpoint = "evaluation/periods/create")]
pub async fn create_period(
    name: String,
    term_start: String,
    term_end: String,
    template: String,
) -> Result<String, AppError> {
    use crate::domain::evaluation::period::PeriodPlace;
    let ctx = RequestContext::load().await?;
    let admin = ctx
        .authorize_on_tenant(Action::ManageEvaluationSetup)
        .await?;
    let start = typed_date(&term_start, PeriodPlace::Term)?;
    let end = typed_date(&term_end, PeriodPlace::Term)?;
    let template = TemplateId::parse(template.trim());
    let id = periods::create_period(&ctx.write_as(&admin), name, start, end, template).await?;
    Ok(id.to_string())
}

/// Saves a period's plan (`definition`: its JSON; the population's departments and people
/// as the pickers' codes, `;`-separated); `version`: the one the edit is based on.
#[server(endpoint = "evaluation/periods/update")]
pub async fn update_period(
    id: String,
    version: i64,
    definition: String,
    departments: String,
    added: String,
    excluded: String,
) -> Result<(), AppError> {
    use crate::domain::codes::split_code_list;
    let ctx = RequestContext::load().await?;
    let admin = ctx
        .authorize_on_tenant(Action::ManageEvaluationSetup)
        .await?;
    let plan = serde_json::from_str(&definition).map_err(|error| {
        AppError::invalid(
            crate::domain::form_field::FormField::Period,
            crate::domain::problem::Problem::Unreadable {
                detail: error.to_string(),
            },
        )
    })?;
    let codes = periods::PopulationCodes {
        departments: split_code_list(&departments),
        added: split_code_list(&added),
        excluded: split_code_list(&excluded),
    };
    periods::update_period(
        &ctx.write_as(&admin),
        &PeriodId::from_request(&id)?,
        version,
        plan,
        codes,
    )
    .await
}

/// Deletes a draft period.
#[server(endpoint = "evaluation/periods/delete")]
pub async fn delete_period(id: String, version: i64) -> Result<(), AppError> {
    let ctx = RequestContext::load().await?;
    let admin = ctx
        .authorize_on_tenant(Action::ManageEvaluationSetup)
        .await?;
    periods::delete_period(
        &ctx.write_as(&admin),
        &PeriodId::from_request(&id)?,
        version,
    )
    .await
}

/// Who a draft would hold if launched now, with their evaluators.
#[server(endpoint = "evaluation/periods/preview")]
pub async fn preview_period(id: String) -> Result<PeriodPreview, AppError> {
    let ctx = RequestContext::load().await?;
    let user = ctx.authorize_on_tenant(Action::ViewEvaluationSetup).await?;
    periods::preview_period(&ctx.db, &user.subject.tenant, &PeriodId::from_request(&id)?).await
}

/// Chooses one person's evaluators by hand in a draft (employee codes; all empty: back to
/// the org chart's proposal).
#[server(endpoint = "evaluation/periods/choose-evaluators")]
pub async fn choose_evaluators(
    id: String,
    employee: String,
    evaluator_1: String,
    evaluator_2: String,
    evaluator_3: String,
) -> Result<(), AppError> {
    let ctx = RequestContext::load().await?;
    let admin = ctx
        .authorize_on_tenant(Action::ManageEvaluationSetup)
        .await?;
    periods::choose_evaluators(
        &ctx.write_as(&admin),
        &PeriodId::from_request(&id)?,
        &employee,
        &[evaluator_1, evaluator_2, evaluator_3],
    )
    .await
}

/// Launches a draft: a sheet for everyone, a notice mail to each. Answers how many.
#[server(endpoint = "evaluation/periods/launch")]
pub async fn launch_period(id: String) -> Result<usize, AppError> {
    let ctx = RequestContext::load().await?;
    let admin = ctx
        .authorize_on_tenant(Action::ManageEvaluationSetup)
        .await?;
    let count = periods::launch_period(
        &ctx.write_as(&admin),
        &PeriodId::from_request(&id)?,
        &ctx.settings.base_url,
    )
    .await?;
    ctx.wake_mailer();
    Ok(count)
}

/// Closes a running period.
#[server(endpoint = "evaluation/periods/close")]
pub async fn close_period(id: String) -> Result<(), AppError> {
    let ctx = RequestContext::load().await?;
    let admin = ctx
        .authorize_on_tenant(Action::ManageEvaluationSetup)
        .await?;
    periods::close_period(&ctx.write_as(&admin), &PeriodId::from_request(&id)?).await
}

/// Closes a phase of a running period (`phase`: `goal_setting`, `evaluation_1`, …) or opens
/// it again.
#[server(endpoint = "evaluation/periods/phase")]
pub async fn set_phase_closed(id: String, phase: String, closed: bool) -> Result<(), AppError> {
    let ctx = RequestContext::load().await?;
    let admin = ctx
        .authorize_on_tenant(Action::ManageEvaluationSetup)
        .await?;
    periods::set_phase_closed(
        &ctx.write_as(&admin),
        &PeriodId::from_request(&id)?,
        phase_from(&phase)?,
        closed,
    )
    .await
}

/// One page of a period's sheets; a business admin sees those of their scope.
#[server(endpoint = "evaluation/periods/sheets")]
pub async fn list_sheets(id: String, query: String, page: i64) -> Result<SheetPage, AppError> {
    let ctx = RequestContext::load().await?;
    let user = ctx.authorize_on_tenant(Action::ViewEvaluationSetup).await?;
    let tenant = &user.subject.tenant;
    let everyone = ctx.allows(
        Action::ManageEvaluationSetup,
        crate::domain::permissions::Target::Tenant(tenant),
    );
    let scope = if everyone {
        None
    } else {
        Some(periods::people_in_business_scope(&ctx.db, tenant, &user.subject.user).await?)
    };
    periods::list_sheets(
        &ctx.db,
        tenant,
        &PeriodId::from_request(&id)?,
        &query,
        page,
        scope.as_ref(),
        ctx.now,
    )
    .await
}

/// Adds a late joiner to a running period (evaluators: codes, empty = the org chart's).
#[server(endpoint = "evaluation/periods/add-sheet")]
pub async fn add_sheet(
    id: String,
    employee: String,
    evaluator_1: String,
    evaluator_2: String,
    evaluator_3: String,
) -> Result<String, AppError> {
    let ctx = RequestContext::load().await?;
    let admin = ctx
        .authorize_on_tenant(Action::ManageEvaluationSetup)
        .await?;
    let sheet = periods::add_sheet(
        &ctx.write_as(&admin),
        &PeriodId::from_request(&id)?,
        &employee,
        &[evaluator_1, evaluator_2, evaluator_3],
        &ctx.settings.base_url,
    )
    .await?;
    ctx.wake_mailer();
    Ok(sheet.to_string())
}

/// Takes a sheet out of its period, with the reason.
#[server(endpoint = "evaluation/periods/exclude")]
pub async fn exclude_sheet(id: String, sheet: String, reason: String) -> Result<(), AppError> {
    let ctx = RequestContext::load().await?;
    let admin = ctx
        .authorize_on_tenant(Action::ManageEvaluationSetup)
        .await?;
    periods::exclude_sheet(
        &ctx.write_as(&admin),
        &PeriodId::from_request(&id)?,
        &SheetId::from_request(&sheet)?,
        &reason,
    )
    .await
}

/// Replaces an open sheet's evaluators (employee codes, stage 1 first).
#[server(endpoint = "evaluation/periods/sheet-evaluators")]
pub async fn set_sheet_evaluators(
    id: String,
    sheet: String,
    evaluator_1: String,
    evaluator_2: String,
    evaluator_3: String,
) -> Result<(), AppError> {
    let ctx = RequestContext::load().await?;
    let admin = ctx
        .authorize_on_tenant(Action::ManageEvaluationSetup)
        .await?;
    periods::set_sheet_evaluators(
        &ctx.write_as(&admin),
        &PeriodId::from_request(&id)?,
        &SheetId::from_request(&sheet)?,
        &[evaluator_1, evaluator_2, evaluator_3],
    )
    .await
}

/// Hands every open sheet of one evaluator over to another; answers how many moved.
#[server(endpoint = "evaluation/periods/hand-over")]
pub async fn hand_over(id: String, from: String, to: String) -> Result<usize, AppError> {
    let ctx = RequestContext::load().await?;
    let admin = ctx
        .authorize_on_tenant(Action::ManageEvaluationSetup)
        .await?;
    periods::hand_over(
        &ctx.write_as(&admin),
        &PeriodId::from_request(&id)?,
        &from,
        &to,
    )
    .await
}

/// Extends one sheet's deadline of a phase.
#[server(endpoint = "evaluation/periods/extend")]
pub async fn extend_sheet_deadline(
    id: String,
    sheet: String,
    phase: String,
    date: String,
) -> Result<(), AppError> {
    use crate::domain::evaluation::period::{PeriodPlace, PeriodProblem};
    let ctx = RequestContext::load().await?;
    let admin = ctx
        .authorize_on_tenant(Action::ManageEvaluationSetup)
        .await?;
    let phase = phase_from(&phase)?;
    let date = typed_date(&date, PeriodPlace::Deadline(phase))?.ok_or_else(|| {
        AppError::invalid(
            crate::domain::form_field::FormField::Period,
            crate::domain::problem::Problem::Period {
                at: PeriodPlace::Deadline(phase),
                problem: PeriodProblem::DeadlineMissing,
            },
        )
    })?;
    periods::extend_sheet_deadline(
        &ctx.write_as(&admin),
        &PeriodId::from_request(&id)?,
        &SheetId::from_request(&sheet)?,
        phase,
        date,
    )
    .await
}

/// What the tenant needs next from the caller, for their desk on the home page: an org
/// chart to build (organization admins), periods to launch, late sheets and sheets waiting
/// for calibration (evaluation admins). Empty for everyone else.
#[server(endpoint = "desk/needs")]
pub async fn tenant_needs() -> Result<Vec<crate::domain::desk::TenantNeed>, AppError> {
    use crate::domain::desk::TenantNeed;
    use crate::domain::permissions::Target;
    let ctx = RequestContext::load().await?;
    let user = ctx.authorize_on_tenant(Action::ViewOwnSheets).await?;
    let tenant = &user.subject.tenant;
    let mut needs = Vec::new();
    if ctx.allows(Action::EditDepartments, Target::Tenant(tenant))
        && !crate::backend::org::has_departments(&ctx.db, tenant).await?
    {
        needs.push(TenantNeed::NoDepartments);
    }
    if ctx.allows(Action::ManageEvaluationSetup, Target::Tenant(tenant)) {
        needs.extend(
            crate::backend::evaluation::periods::period_needs(&ctx.db, tenant, ctx.now).await?,
        );
    }
    Ok(needs)
}
