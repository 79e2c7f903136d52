//! The signed-in user's own account: profile and sessions.

#[cfg(feature = "ssr")]
use crate::api::context::RequestContext;
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// One of my sessions, as the account page lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MySession {
    pub id: String,
    /// In the tenant's time zone with its offset.
    pub created: String,
    pub last_seen: String,
    pub ip: String,
    pub user_agent: String,
    /// This browser's own session.
    pub current: bool,
}

/// The signed-in user, authorized for an action on their own account.
#[cfg(feature = "ssr")]
async fn own(
    ctx: &RequestContext,
    action: crate::domain::permissions::Action,
) -> Result<crate::backend::sessions::SessionUser, AppError> {
    use crate::domain::permissions::Target;
    let Some(user) = &ctx.user else {
        return Err(AppError::Unauthenticated);
    };
    let (tenant, me) = (user.subject.tenant.clone(), user.subject.user.clone());
    ctx.authorize(action, Target::User(&tenant, &me))
        .await
        .cloned()
}

/// Changes my name and language; the language also becomes this browser's choice.
#[server(endpoint = "account/update-profile")]
pub async fn update_profile(
    display_name: String,
    language: crate::i18n::Lang,
) -> Result<(), AppError> {
    use crate::components::lang_switch::lang_cookie_value;
    use crate::domain::permissions::Action;
    let ctx = RequestContext::load().await?;
    let me = own(&ctx, Action::EditOwnAccount).await?;
    crate::backend::accounts::update_profile(&ctx.write_as(&me), &display_name, language).await?;
    ctx.set_cookie(&lang_cookie_value(language, ctx.settings.https));
    Ok(())
}

/// My live sessions, this one marked.
#[server(endpoint = "account/sessions")]
pub async fn my_sessions() -> Result<Vec<MySession>, AppError> {
    use crate::domain::permissions::Action;
    let ctx = RequestContext::load().await?;
    let me = own(&ctx, Action::ViewOwnAccount).await?;
    let zone: String = {
        let mut tx = ctx.db.begin_for_tenant(&me.subject.tenant).await?;
        let zone = sqlx::query_scalar("SELECT time_zone FROM tenants WHERE id = $1")
            .bind(me.subject.tenant.as_str())
            .fetch_one(&mut *tx)
            .await?;
        tx.commit().await?;
        zone
    };
    let sessions = crate::backend::accounts::own_sessions(&ctx.db, &me, ctx.now).await?;
    Ok(sessions
        .into_iter()
        .map(|s| MySession {
            id: s.id,
            created: s.created_at.format_in_zone(&zone),
            last_seen: s.last_seen_at.format_in_zone(&zone),
            ip: s.ip.unwrap_or_default(),
            user_agent: s.user_agent.unwrap_or_default(),
            current: s.current,
        })
        .collect())
}

/// Ends one of my sessions (another browser of mine, say).
#[server(endpoint = "account/end-session")]
pub async fn end_my_session(session: String) -> Result<(), AppError> {
    use crate::domain::permissions::Action;
    let ctx = RequestContext::load().await?;
    let me = own(&ctx, Action::EditOwnAccount).await?;
    crate::backend::accounts::end_own_session(&ctx.write_as(&me), &session).await
}
