//! The org chart and the live tree editor's edits. Everyone signed in may browse the
//! chart; system and organization admins edit it. Each edit is announced to every live
//! browser of the tenant once committed.

use crate::domain::choice::Choice;
use crate::domain::org_chart::{MemberPage, OrgChart};
use crate::error::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::api::context::RequestContext;
#[cfg(feature = "ssr")]
use crate::domain::ids::DepartmentId;
#[cfg(feature = "ssr")]
use crate::domain::permissions::{Action, Target};

/// `""` means the top level.
#[cfg(feature = "ssr")]
fn parent(id: &str) -> Result<Option<DepartmentId>, AppError> {
    if id.trim().is_empty() {
        return Ok(None);
    }
    DepartmentId::from_request(id).map(Some)
}

/// The whole chart of the tenant, and whether the reader may edit it.
#[server(endpoint = "org/chart")]
pub async fn get_org_chart() -> Result<OrgChart, AppError> {
    let ctx = RequestContext::load().await?;
    let user = ctx.authorize_on_tenant(Action::ViewOrgChart).await?;
    let tenant = &user.subject.tenant;
    let can_edit = ctx.allows(Action::EditDepartments, Target::Tenant(tenant));
    crate::backend::org::load_chart(&ctx.db, tenant, can_edit).await
}

/// Departments by code or name: the department pickers' answers.
#[server(endpoint = "org/find")]
pub async fn find_departments(query: String) -> Result<Vec<Choice>, AppError> {
    let ctx = RequestContext::load().await?;
    let user = ctx.authorize_on_tenant(Action::ViewOrgChart).await?;
    crate::backend::org::find_departments(&ctx.db, &user.subject.tenant, &query).await
}

/// One page of a department's members.
#[server(endpoint = "org/members")]
pub async fn department_members(id: String, page: i64) -> Result<MemberPage, AppError> {
    let ctx = RequestContext::load().await?;
    let user = ctx.authorize_on_tenant(Action::ViewOrgChart).await?;
    crate::backend::org::members(
        &ctx.db,
        &user.subject.tenant,
        &DepartmentId::from_request(&id)?,
        page,
    )
    .await
}

/// Adds a department as the last child of `parent_id` (`""`: top level); answers its id.
#[server(endpoint = "org/create")]
pub async fn create_department(
    parent_id: String,
    code: String,
    name: String,
) -> Result<String, AppError> {
    let ctx = RequestContext::load().await?;
    let admin = ctx.authorize_on_tenant(Action::EditDepartments).await?;
    let (id, change) = crate::backend::org::create_department(
        &ctx.write_as(&admin),
        parent(&parent_id)?,
        &code,
        &name,
    )
    .await?;
    ctx.publish(change).await;
    Ok(id.to_string())
}

/// Renames a department or changes its code; `version` is the one the edit is based on.
#[server(endpoint = "org/update")]
pub async fn update_department(
    id: String,
    version: i64,
    code: String,
    name: String,
) -> Result<(), AppError> {
    let ctx = RequestContext::load().await?;
    let admin = ctx.authorize_on_tenant(Action::EditDepartments).await?;
    let change = crate::backend::org::update_department(
        &ctx.write_as(&admin),
        &DepartmentId::from_request(&id)?,
        version,
        &code,
        &name,
    )
    .await?;
    ctx.publish(change).await;
    Ok(())
}

/// Moves a department under `parent_id` (`""`: top level) at `index` among its siblings;
/// answers its new version.
#[server(endpoint = "org/move")]
pub async fn move_department(
    id: String,
    version: i64,
    parent_id: String,
    index: i64,
) -> Result<i64, AppError> {
    let ctx = RequestContext::load().await?;
    let admin = ctx.authorize_on_tenant(Action::EditDepartments).await?;
    let (change, new_version) = crate::backend::org::move_department(
        &ctx.write_as(&admin),
        &DepartmentId::from_request(&id)?,
        version,
        parent(&parent_id)?,
        usize::try_from(index.max(0)).unwrap_or(usize::MAX),
    )
    .await?;
    ctx.publish(change).await;
    Ok(new_version)
}

/// Deletes an empty department.
#[server(endpoint = "org/delete")]
pub async fn delete_department(id: String, version: i64) -> Result<(), AppError> {
    let ctx = RequestContext::load().await?;
    let admin = ctx.authorize_on_tenant(Action::EditDepartments).await?;
    let change = crate::backend::org::delete_department(
        &ctx.write_as(&admin),
        &DepartmentId::from_request(&id)?,
        version,
    )
    .await?;
    ctx.publish(change).await;
    Ok(())
}

/// Makes the employee with `employee_code` the department's manager (`""`: nobody).
#[server(endpoint = "org/manager")]
pub async fn set_department_manager(
    id: String,
    version: i64,
    employee_code: String,
) -> Result<(), AppError> {
    let ctx = RequestContext::load().await?;
    let admin = ctx.authorize_on_tenant(Action::EditDepartments).await?;
    let change = crate::backend::org::set_manager(
        &ctx.write_as(&admin),
        &DepartmentId::from_request(&id)?,
        version,
        &employee_code,
    )
    .await?;
    ctx.publish(change).await;
    Ok(())
}
