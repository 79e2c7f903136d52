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
