//! User administration. Every function authorizes first: the tenant is the session's, the
//! target user is looked up inside it.
// Server functions take the form's fields one by one (the role checkboxes among them), so
// the forms work without JavaScript; the macro-generated client code inherits that count.
#![allow(clippy::too_many_arguments)]

#[cfg(feature = "ssr")]
use crate::api::context::RequestContext;
#[cfg(feature = "ssr")]
use crate::domain::roles::Role;
use crate::domain::users::{UserPage, UserSummary};
use crate::error::AppError;
use leptos::prelude::*;

/// The signed-in system admin, or the refusal, for an action on the tenant or one user.
#[cfg(feature = "ssr")]
async fn admin_for(
    ctx: &RequestContext,
    action: crate::domain::permissions::Action,
    target: Option<&crate::domain::ids::UserId>,
) -> Result<crate::backend::sessions::SessionUser, AppError> {
    use crate::domain::permissions::Target;
    let Some(user) = &ctx.user else {
        return Err(AppError::Unauthenticated);
    };
    let tenant = user.subject.tenant.clone();
    let target = match target {
        Some(id) => Target::User(&tenant, id),
        None => Target::Tenant(&tenant),
    };
    ctx.authorize(action, target).await.cloned()
}

/// Roles from the form's checkboxes (a box sends a value only when ticked).
#[cfg(feature = "ssr")]
fn roles_from_flags(flags: [(Role, &Option<String>); 5]) -> Vec<Role> {
    flags
        .into_iter()
        .filter(|(_, flag)| flag.is_some())
        .map(|(role, _)| role)
        .collect()
}

/// One page of the tenant's users matching `query` (name, e-mail or employee code).
#[server(endpoint = "users/list")]
pub async fn list_users(query: String, page: i64) -> Result<UserPage, AppError> {
    use crate::domain::permissions::Action;
    let ctx = RequestContext::load().await?;
    let admin = admin_for(&ctx, Action::ListUsers, None).await?;
    crate::backend::users::list_users(&ctx.db, &admin.subject.tenant, &query, page).await
}

/// One user of the tenant.
#[server(endpoint = "users/get")]
pub async fn get_user(id: String) -> Result<UserSummary, AppError> {
    use crate::domain::permissions::Action;
    let ctx = RequestContext::load().await?;
    let id = crate::domain::ids::UserId::from_request(&id)?;
    let admin = admin_for(&ctx, Action::ViewUser, Some(&id)).await?;
    crate::backend::users::get_user(&ctx.db, &admin.subject.tenant, &id).await
}

/// Creates a user and sends the invitation; refused beyond the seat limit.
#[server(endpoint = "users/create")]
pub async fn create_user(
    email: String,
    display_name: String,
    employee_code: String,
    language: crate::i18n::Lang,
    system_admin: Option<String>,
    organization_admin: Option<String>,
    evaluation_admin: Option<String>,
    audit_admin: Option<String>,
    business_admin: Option<String>,
) -> Result<String, AppError> {
    use crate::backend::users::{self, UserInput};
    use crate::domain::permissions::Action;
    let ctx = RequestContext::load().await?;
    let admin = admin_for(&ctx, Action::CreateUser, None).await?;
    let roles = roles_from_flags([
        (Role::SystemAdmin, &system_admin),
        (Role::OrganizationAdmin, &organization_admin),
        (Role::EvaluationAdmin, &evaluation_admin),
        (Role::AuditAdmin, &audit_admin),
        (Role::BusinessAdmin, &business_admin),
    ]);
    // Only system admins grant roles; `CreateUser` already requires one (WP 6).
    let input = UserInput {
        email,
        display_name,
        employee_code,
        language,
    };
    let id = users::create_user(
        &ctx.write_as(&admin),
        input,
        roles.into_iter().collect(),
        &ctx.settings.base_url,
    )
    .await?;
    ctx.wake_mailer();
    Ok(id.to_string())
}

/// Edits a user's name, e-mail, employee code and language.
#[server(endpoint = "users/update")]
pub async fn update_user(
    id: String,
    email: String,
    display_name: String,
    employee_code: String,
    language: crate::i18n::Lang,
) -> Result<(), AppError> {
    use crate::backend::users::{self, UserInput};
    use crate::domain::permissions::Action;
    let ctx = RequestContext::load().await?;
    let id = crate::domain::ids::UserId::from_request(&id)?;
    let admin = admin_for(&ctx, Action::EditUser, Some(&id)).await?;
    let input = UserInput {
        email,
        display_name,
        employee_code,
        language,
    };
    users::update_user(&ctx.write_as(&admin), &id, input).await?;
    // The name may show on the org chart (as a manager): live browsers reload it.
    ctx.publish(chart_reload(&admin)).await;
    // A changed login e-mail is told to the old address.
    ctx.wake_mailer();
    Ok(())
}

/// Tells live org charts to load again after a change of users outside the org editor.
#[cfg(feature = "ssr")]
fn chart_reload(
    admin: &crate::backend::sessions::SessionUser,
) -> crate::backend::org_events::OrgChange {
    crate::backend::org_events::OrgChange::new(&admin.subject.tenant, 0).reload()
}

/// Sets a user's roles (system admins only).
#[server(endpoint = "users/roles")]
pub async fn set_user_roles(
    id: String,
    system_admin: Option<String>,
    organization_admin: Option<String>,
    evaluation_admin: Option<String>,
    audit_admin: Option<String>,
    business_admin: Option<String>,
) -> Result<(), AppError> {
    use crate::domain::permissions::Action;
    let ctx = RequestContext::load().await?;
    let id = crate::domain::ids::UserId::from_request(&id)?;
    let admin = admin_for(&ctx, Action::SetRoles, Some(&id)).await?;
    let roles = roles_from_flags([
        (Role::SystemAdmin, &system_admin),
        (Role::OrganizationAdmin, &organization_admin),
        (Role::EvaluationAdmin, &evaluation_admin),
        (Role::AuditAdmin, &audit_admin),
        (Role::BusinessAdmin, &business_admin),
    ]);
    crate::backend::users::set_roles(&ctx.write_as(&admin), &id, roles.into_iter().collect()).await
}

/// Deactivates a user (their sessions end at once) or, with `active`, reactivates them.
#[server(endpoint = "users/active")]
pub async fn set_user_active(id: String, active: bool) -> Result<(), AppError> {
    use crate::domain::permissions::Action;
    let ctx = RequestContext::load().await?;
    let id = crate::domain::ids::UserId::from_request(&id)?;
    let admin = admin_for(&ctx, Action::DeactivateUser, Some(&id)).await?;
    crate::backend::users::set_active(&ctx.write_as(&admin), &id, active).await
}

/// Deletes a user and their personal data.
#[server(endpoint = "users/delete")]
pub async fn delete_user(id: String) -> Result<(), AppError> {
    use crate::domain::permissions::Action;
    let ctx = RequestContext::load().await?;
    let id = crate::domain::ids::UserId::from_request(&id)?;
    let admin = admin_for(&ctx, Action::DeleteUser, Some(&id)).await?;
    crate::backend::users::delete_user(&ctx.write_as(&admin), &id).await?;
    // Their posts went with them: member counts and managers on the chart changed.
    ctx.publish(chart_reload(&admin)).await;
    Ok(())
}

/// Sends a new invitation to a user who has not chosen a password yet.
#[server(endpoint = "users/resend-invitation")]
pub async fn resend_invitation(id: String) -> Result<(), AppError> {
    use crate::domain::permissions::Action;
    let ctx = RequestContext::load().await?;
    let id = crate::domain::ids::UserId::from_request(&id)?;
    let admin = admin_for(&ctx, Action::ResendInvitation, Some(&id)).await?;
    crate::backend::users::resend_invitation(&ctx.write_as(&admin), &id, &ctx.settings.base_url)
        .await?;
    ctx.wake_mailer();
    Ok(())
}

/// Ends every session of a user.
#[server(endpoint = "users/sign-out-everywhere")]
pub async fn sign_out_user_everywhere(id: String) -> Result<u64, AppError> {
    use crate::domain::permissions::Action;
    let ctx = RequestContext::load().await?;
    let id = crate::domain::ids::UserId::from_request(&id)?;
    let admin = admin_for(&ctx, Action::SignOutUserEverywhere, Some(&id)).await?;
    crate::backend::users::sign_out_everywhere(&ctx.write_as(&admin), &id).await
}

/// Sets the departments (codes, comma-separated) whose subtrees a business admin covers.
#[server(endpoint = "users/business-scope")]
pub async fn set_business_scope(id: String, department_codes: String) -> Result<(), AppError> {
    use crate::domain::permissions::Action;
    let ctx = RequestContext::load().await?;
    let id = crate::domain::ids::UserId::from_request(&id)?;
    let admin = admin_for(&ctx, Action::SetRoles, Some(&id)).await?;
    crate::backend::users::set_business_scope(&ctx.write_as(&admin), &id, &department_codes).await
}

/// How many of the tenant's mails wait to be sent (the admins who send them see it).
#[server(endpoint = "mail/queue")]
pub async fn mail_queue() -> Result<crate::domain::users::MailQueue, AppError> {
    use crate::domain::permissions::Action;
    let ctx = RequestContext::load().await?;
    let user = ctx.authorize_on_tenant(Action::ViewMailQueue).await?;
    Ok(crate::backend::mail::queue_depth(&ctx.db, &user.subject.tenant).await?)
}
