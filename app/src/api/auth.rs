//! Sign-in, sign-out, the links that set a password, and the own account's password.
//! The public ones (anyone may call them) guard themselves with the per-IP limit and give
//! nothing away; the rest go through `authorize`.

#[cfg(feature = "ssr")]
use crate::domain::form_field::FormField;
use crate::domain::roles::Role;
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use crate::api::context::RequestContext;

/// Which kind of one-time link a page was opened with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum LinkPurpose {
    Setup,
    Invitation,
    Reset,
}

#[cfg(feature = "ssr")]
impl LinkPurpose {
    fn backend(self) -> crate::backend::tokens::Purpose {
        use crate::backend::tokens::Purpose;
        match self {
            LinkPurpose::Setup => Purpose::Setup,
            LinkPurpose::Invitation => Purpose::Invitation,
            LinkPurpose::Reset => Purpose::Reset,
        }
    }
}

/// The signed-in user, as the UI shows them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedInUser {
    pub display_name: String,
    pub email: crate::domain::email::Email,
    pub roles: Vec<Role>,
}

impl SignedInUser {
    pub fn is_system_admin(&self) -> bool {
        self.roles.contains(&Role::SystemAdmin)
    }

    /// System and organization admins edit the org chart and import its CSV (the server
    /// decides; this only chooses what the menu shows).
    pub fn can_edit_organization(&self) -> bool {
        self.is_system_admin() || self.roles.contains(&Role::OrganizationAdmin)
    }

    /// System and evaluation admins design templates and run periods (as the server
    /// decides; this only chooses what the page offers).
    pub fn can_manage_evaluation(&self) -> bool {
        self.is_system_admin() || self.roles.contains(&Role::EvaluationAdmin)
    }

    /// They, and business admins, read the evaluation's setup.
    pub fn can_read_evaluation_setup(&self) -> bool {
        self.can_manage_evaluation() || self.roles.contains(&Role::BusinessAdmin)
    }
}

/// Whose link this is, for the page that sets the password.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkDetails {
    pub display_name: String,
    pub email: crate::domain::email::Email,
    pub company_name: String,
    pub company_code: crate::domain::tenant::CompanyCode,
}

/// Who is signed in; `None` for nobody. Public: it reveals only the caller's own account.
#[server(endpoint = "auth/me")]
pub async fn current_user() -> Result<Option<SignedInUser>, AppError> {
    let ctx = RequestContext::load().await?;
    Ok(ctx.user.map(|user| SignedInUser {
        display_name: user.display_name,
        email: user.email.clone(),
        roles: user.subject.roles.into_iter().collect(),
    }))
}

/// Signs in with company code, e-mail or employee code, and password.
#[server(endpoint = "auth/login")]
pub async fn login(
    company_code: String,
    identifier: String,
    password: String,
) -> Result<(), AppError> {
    use crate::backend::{accounts, sessions};
    let ctx = RequestContext::load().await?;
    ctx.check_rate_limit()?;
    let input = accounts::LoginInput {
        company_code,
        identifier,
        password,
    };
    let result = accounts::login(&ctx.db, input, &ctx.origin, ctx.now).await;
    ctx.wake_mailer(); // a lock notice may be waiting
    let secret = result?;
    ctx.set_cookie(&sessions::session_cookie(&secret, ctx.settings.https));
    // The language saved with the account wins over the browser's from now on.
    if let Ok(Some(user)) = sessions::check(&ctx.db, &secret, ctx.now).await {
        ctx.set_cookie(&crate::components::lang_switch::lang_cookie_value(
            user.language,
            ctx.settings.https,
        ));
    }
    Ok(())
}

/// Signs out of this browser. Public: without a session there is nothing to end.
#[server(endpoint = "auth/logout")]
pub async fn logout() -> Result<(), AppError> {
    use crate::backend::{accounts, sessions};
    let ctx = RequestContext::load().await?;
    if let Some(user) = &ctx.user {
        accounts::logout(&ctx.write_as(user)).await?;
    }
    ctx.set_cookie(&sessions::clearing_cookie(ctx.settings.https));
    Ok(())
}

/// Whose setup, invitation or reset link this is (without using it up).
#[server(endpoint = "auth/link")]
pub async fn inspect_link(purpose: LinkPurpose, link: String) -> Result<LinkDetails, AppError> {
    let ctx = RequestContext::load().await?;
    ctx.check_rate_limit()?;
    let info =
        crate::backend::accounts::inspect_link(&ctx.db, &link, purpose.backend(), ctx.now).await?;
    Ok(LinkDetails {
        display_name: info.display_name,
        email: info.email,
        company_name: info.company_name,
        company_code: info.company_code,
    })
}

/// Chooses one's own password through a one-time link, and signs in (WP 7).
#[server(endpoint = "auth/set-password")]
pub async fn set_password(
    purpose: LinkPurpose,
    link: String,
    password: String,
    password_confirm: String,
) -> Result<(), AppError> {
    use crate::backend::{accounts, sessions};
    let ctx = RequestContext::load().await?;
    ctx.check_rate_limit()?;
    confirm_matches(&password, &password_confirm, FormField::PasswordConfirm)?;
    let secret = accounts::set_password_with_link(
        &ctx.db,
        &link,
        purpose.backend(),
        password,
        &ctx.origin,
        ctx.now,
    )
    .await?;
    ctx.set_cookie(&sessions::session_cookie(&secret, ctx.settings.https));
    Ok(())
}

/// Asks for a reset link by mail. Answers the same whether or not the account exists, and
/// at once: the work happens after the answer.
#[server(endpoint = "auth/request-reset")]
pub async fn request_password_reset(company_code: String, email: String) -> Result<(), AppError> {
    let ctx = RequestContext::load().await?;
    ctx.check_rate_limit()?;
    tokio::spawn(async move {
        let result = crate::backend::accounts::request_password_reset(
            &ctx.db,
            &ctx.settings.base_url,
            &company_code,
            &email,
            &ctx.origin,
            ctx.now,
        )
        .await;
        match result {
            Ok(Some(_)) => ctx.wake_mailer(),
            Ok(None) => {}
            Err(error) => tracing::error!(?error, "password reset request failed"),
        }
    });
    Ok(())
}

/// Changes the signed-in user's own password; their other sessions end.
#[server(endpoint = "account/password")]
pub async fn change_password(
    current_password: String,
    new_password: String,
    new_password_confirm: String,
) -> Result<(), AppError> {
    use crate::domain::permissions::{Action, Target};
    let ctx = RequestContext::load().await?;
    let (tenant, me) = match &ctx.user {
        Some(user) => (user.subject.tenant.clone(), user.subject.user.clone()),
        None => return Err(AppError::Unauthenticated),
    };
    let user = ctx
        .authorize(Action::ChangeOwnPassword, Target::User(&tenant, &me))
        .await?;
    confirm_matches(
        &new_password,
        &new_password_confirm,
        FormField::NewPasswordConfirm,
    )?;
    crate::backend::accounts::change_password(&ctx.write_as(user), current_password, new_password)
        .await
}

/// The password typed twice must be the same: checked on the server too, so the form works
/// without JavaScript.
#[cfg(feature = "ssr")]
fn confirm_matches(password: &str, confirm: &str, field: FormField) -> Result<(), AppError> {
    if password == confirm {
        Ok(())
    } else {
        Err(AppError::invalid(
            field,
            crate::domain::problem::Problem::PasswordsDiffer,
        ))
    }
}
