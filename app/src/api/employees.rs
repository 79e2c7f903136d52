//! Employees: the directory and the employee page for everyone signed in (HR fields only
//! for those `authorize` allows), creation and edits for system and organization admins.
// The form's fields arrive one by one, so it works without JavaScript too.
#![allow(clippy::too_many_arguments)]

use crate::domain::choice::Choice;
use crate::domain::employees::{EmployeeList, EmployeeView, LabelsInUse};
use crate::error::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::api::context::RequestContext;
#[cfg(feature = "ssr")]
use crate::backend::employees::EmployeeInput;
#[cfg(feature = "ssr")]
use crate::domain::ids::UserId;
#[cfg(feature = "ssr")]
use crate::domain::permissions::{Action, Target};

/// One page of the directory, searched by name, kana, e-mail or employee code.
#[server(endpoint = "employees/list")]
pub async fn list_employees(query: String, page: i64) -> Result<EmployeeList, AppError> {
    let ctx = RequestContext::load().await?;
    let user = ctx.authorize_on_tenant(Action::ViewOrgChart).await?;
    crate::backend::employees::list_employees(&ctx.db, &user.subject.tenant, &query, page).await
}

/// Employees with an employee code, by name, kana or code: the manager picker's answers.
#[server(endpoint = "employees/find")]
pub async fn find_employees(query: String) -> Result<Vec<Choice>, AppError> {
    let ctx = RequestContext::load().await?;
    let user = ctx.authorize_on_tenant(Action::ViewOrgChart).await?;
    crate::backend::employees::find_employees(&ctx.db, &user.subject.tenant, &query).await
}

/// The grades, employment types and job titles in use: suggestions for the forms of those
/// who edit employees (grades are HR fields, not for every reader).
#[server(endpoint = "employees/labels")]
pub async fn employee_labels() -> Result<LabelsInUse, AppError> {
    let ctx = RequestContext::load().await?;
    let admin = ctx.authorize_on_tenant(Action::EditEmployees).await?;
    crate::backend::employees::labels_in_use(&ctx.db, &admin.subject.tenant).await
}

/// One employee's page.
#[server(endpoint = "employees/get")]
pub async fn get_employee(id: String) -> Result<EmployeeView, AppError> {
    let ctx = RequestContext::load().await?;
    let user = ctx.authorize_on_tenant(Action::ViewOrgChart).await?;
    let tenant = &user.subject.tenant;
    let id = UserId::from_request(&id)?;
    let in_business_scope = user.subject.has(crate::domain::roles::Role::BusinessAdmin)
        && crate::backend::employees::in_business_scope(&ctx.db, tenant, &user.subject.user, &id)
            .await?;
    let employee = Target::Employee {
        tenant,
        user: &id,
        in_business_scope,
    };
    let show_details = ctx.allows(Action::ViewEmployeeDetails, employee);
    let can_edit = ctx.allows(Action::EditEmployees, employee);
    crate::backend::employees::get_employee(&ctx.db, tenant, &id, show_details, can_edit).await
}

/// Creates an employee; `invite` (a ticked box) sends the invitation mail.
#[server(endpoint = "employees/create")]
pub async fn create_employee(
    employee_code: String,
    display_name: String,
    email: String,
    kana: String,
    job_title: String,
    grade: String,
    employment_type: String,
    hire_date: String,
    department_code: String,
    concurrent_codes: String,
    manages_codes: String,
    language: crate::i18n::Lang,
    invite: Option<String>,
) -> Result<String, AppError> {
    let ctx = RequestContext::load().await?;
    let admin = ctx.authorize_on_tenant(Action::EditEmployees).await?;
    let input = EmployeeInput {
        employee_code,
        display_name,
        email,
        kana,
        job_title,
        grade,
        employment_type,
        hire_date,
        department_code,
        concurrent_codes,
        manages_codes,
    };
    let (id, change) = crate::backend::employees::create_employee(
        &ctx.write_as(&admin),
        &input,
        invite.is_some(),
        language,
        &ctx.settings.base_url,
    )
    .await?;
    ctx.publish(change).await;
    ctx.wake_mailer();
    Ok(id.to_string())
}

/// Changes an employee's fields and posts.
#[server(endpoint = "employees/update")]
pub async fn update_employee(
    id: String,
    employee_code: String,
    display_name: String,
    email: String,
    kana: String,
    job_title: String,
    grade: String,
    employment_type: String,
    hire_date: String,
    department_code: String,
    concurrent_codes: String,
    manages_codes: String,
) -> Result<(), AppError> {
    let ctx = RequestContext::load().await?;
    let admin = ctx.authorize_on_tenant(Action::EditEmployees).await?;
    let input = EmployeeInput {
        employee_code,
        display_name,
        email,
        kana,
        job_title,
        grade,
        employment_type,
        hire_date,
        department_code,
        concurrent_codes,
        manages_codes,
    };
    let id = UserId::from_request(&id)?;
    let change =
        crate::backend::employees::update_employee(&ctx.write_as(&admin), &id, &input).await?;
    ctx.publish(change).await;
    // A changed login e-mail is told to the old address.
    ctx.wake_mailer();
    Ok(())
}
