//! The evaluation sheets as the people on them work: open one, save its goals, take a step,
//! list one's own and those one evaluates. `authorize` lets in whoever is something to the
//! sheet (`Target::Sheet` with the caller's relations, looked up first); the workflow and
//! visibility rules then decide, in the backend, every step and every part shown.

use crate::domain::evaluation::sheet_view::{GoalsSaved, SheetLine, SheetView, WorkSaved};
use crate::error::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::api::context::RequestContext;
#[cfg(feature = "ssr")]
use crate::backend::evaluation::sheets;
#[cfg(feature = "ssr")]
use crate::domain::ids::SheetId;
#[cfg(feature = "ssr")]
use crate::domain::permissions::{Action, Target};

/// The caller, authorized for `action` on sheet `id` by their relations to it.
#[cfg(feature = "ssr")]
async fn authorized_on_sheet(
    ctx: &RequestContext,
    action: Action,
    id: &SheetId,
) -> Result<
    (
        crate::backend::sessions::SessionUser,
        Vec<crate::domain::evaluation::workflow::Relation>,
    ),
    AppError,
> {
    let user = ctx.user.as_ref().ok_or(AppError::Unauthenticated)?;
    let relations = sheets::relations_for(&ctx.db, user, id).await?;
    let user = ctx
        .authorize(
            action,
            Target::Sheet {
                tenant: &user.subject.tenant,
                relations: &relations,
            },
        )
        .await?
        .clone();
    Ok((user, relations))
}

/// One sheet as the caller may see it now.
#[server(endpoint = "evaluation/sheets/get")]
pub async fn get_sheet(id: String) -> Result<SheetView, AppError> {
    let ctx = RequestContext::load().await?;
    let id = SheetId::from_request(&id)?;
    let (user, relations) = authorized_on_sheet(&ctx, Action::ViewSheet, &id).await?;
    sheets::open_sheet_as(&ctx.db, &user, &id, relations, ctx.now).await
}

/// Saves the employee's goals as a draft (`goals`: the JSON of the goals by section);
/// `version`: the one the page shows.
#[server(endpoint = "evaluation/sheets/save-goals")]
pub async fn save_goals(id: String, version: i64, goals: String) -> Result<GoalsSaved, AppError> {
    let ctx = RequestContext::load().await?;
    let id = SheetId::from_request(&id)?;
    let (user, _) = authorized_on_sheet(&ctx, Action::WorkOnSheet, &id).await?;
    let goals = serde_json::from_str(&goals).map_err(|error| {
        AppError::invalid(
            crate::domain::form_field::FormField::Sheet,
            crate::domain::problem::Problem::Unreadable {
                detail: error.to_string(),
            },
        )
    })?;
    sheets::save_goals(&ctx.write_as(&user), &id, version, goals).await
}

/// Saves the caller's own ratings and comments on the sheet as a draft (`work`: its JSON):
/// the employee's self-evaluation or an evaluator's stage; `version`: the one the page shows.
#[server(endpoint = "evaluation/sheets/save-work")]
pub async fn save_work(id: String, version: i64, work: String) -> Result<WorkSaved, AppError> {
    let ctx = RequestContext::load().await?;
    let id = SheetId::from_request(&id)?;
    let (user, _) = authorized_on_sheet(&ctx, Action::WorkOnSheet, &id).await?;
    let work = serde_json::from_str(&work).map_err(|error| {
        AppError::invalid(
            crate::domain::form_field::FormField::Sheet,
            crate::domain::problem::Problem::Unreadable {
                detail: error.to_string(),
            },
        )
    })?;
    sheets::save_work(&ctx.write_as(&user), &id, version, work).await
}

/// Takes a step on the sheet (`step`: its stored name, e.g. `submit_goals`; `comment` for a
/// send-back or an acknowledgement); answers the sheet's new version.
#[server(endpoint = "evaluation/sheets/step")]
pub async fn take_step(
    id: String,
    version: i64,
    step: String,
    comment: String,
) -> Result<i64, AppError> {
    use crate::domain::evaluation::sheet_view::SheetStep;
    let ctx = RequestContext::load().await?;
    let id = SheetId::from_request(&id)?;
    let (user, _) = authorized_on_sheet(&ctx, Action::WorkOnSheet, &id).await?;
    let command = SheetStep::from_stored(step.trim())
        .and_then(|step| step.command(comment))
        .ok_or(AppError::NotFound)?;
    let version = sheets::take_step(
        &ctx.write_as(&user),
        &id,
        version,
        command,
        &ctx.settings.base_url,
    )
    .await?;
    ctx.wake_mailer();
    Ok(version)
}

/// Records the day of the feedback interview (`day`: YYYY-MM-DD) on a disclosed sheet:
/// its evaluators and evaluation admins. Answers the sheet's new version.
#[server(endpoint = "evaluation/sheets/interview")]
pub async fn record_interview(id: String, version: i64, day: String) -> Result<i64, AppError> {
    use crate::domain::dates::CalendarDate;
    use crate::domain::form_field::FormField;
    use crate::domain::problem::Problem;
    let ctx = RequestContext::load().await?;
    let id = SheetId::from_request(&id)?;
    let (user, _) = authorized_on_sheet(&ctx, Action::WorkOnSheet, &id).await?;
    let day = CalendarDate::from_iso(day.trim())
        .ok_or_else(|| AppError::invalid(FormField::Sheet, Problem::NotAnIsoDate))?;
    sheets::record_interview(&ctx.write_as(&user), &id, version, day).await
}

/// The sheets of the caller: their own and those they evaluate.
#[server(endpoint = "evaluation/sheets/mine")]
pub async fn my_sheets() -> Result<Vec<SheetLine>, AppError> {
    let ctx = RequestContext::load().await?;
    let user = ctx.authorize_on_tenant(Action::ViewOwnSheets).await?;
    sheets::sheet_lines(&ctx.db, &user, ctx.now).await
}
