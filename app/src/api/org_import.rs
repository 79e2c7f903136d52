//! Following and committing a CSV import (the upload itself, a file of any size, is the
//! plain route `POST /api/org/import` in `api::org_http`).

use crate::domain::org_csv::ImportStatus;
use crate::error::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::api::context::RequestContext;
#[cfg(feature = "ssr")]
use crate::domain::permissions::Action;

/// Where an import job stands: its phase and progress, then its preview or result.
#[server(endpoint = "org/import-status")]
pub async fn get_import_status(job: String) -> Result<ImportStatus, AppError> {
    let ctx = RequestContext::load().await?;
    let tenant = ctx
        .authorize_on_tenant(Action::ImportOrganization)
        .await?
        .subject
        .tenant;
    ctx.imports()?
        .status(&tenant, job.trim())
        .ok_or(AppError::NotFound)
}

/// Writes a previewed import that has no problems, all or nothing.
#[server(endpoint = "org/import-commit")]
pub async fn commit_import(job: String) -> Result<(), AppError> {
    let ctx = RequestContext::load().await?;
    let admin = ctx.authorize_on_tenant(Action::ImportOrganization).await?;
    ctx.imports()?
        .commit(ctx.job_services(), &admin, job.trim(), ctx.origin.clone())
}
