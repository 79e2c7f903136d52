//! What every server function starts from: the database, the settings, the request's
//! origin and the signed-in user — all from the server, never from the request body.

use crate::backend::audit::{self, Actor, AuditEntry, Outcome, RequestOrigin};
use crate::backend::db::Db;
use crate::backend::mail::MailHandle;
use crate::backend::rate_limit::RateLimiter;
use crate::backend::sessions::{self, SessionUser};
use crate::domain::permissions::{Action, Denial, Target, authorize};
use crate::domain::time::Timestamp;
use crate::error::AppError;
use leptos::prelude::*;
use std::net::SocketAddr;
use std::sync::Arc;

/// Settings the server provides to server functions.
#[derive(Clone, Debug)]
pub struct ServerSettings {
    /// `KOUKA_BASE_URL` without a trailing slash: links in mails are built from it.
    pub base_url: String,
    /// Served over HTTPS: cookies get `Secure` and the `__Host-` prefix.
    pub https: bool,
}

/// The per-IP limiter of the login, setup and reset endpoints.
#[derive(Clone, Debug)]
pub struct AuthRateLimiter(pub Arc<RateLimiter>);

/// One server function call's view of the request.
pub struct RequestContext {
    pub db: Db,
    pub settings: ServerSettings,
    pub origin: RequestOrigin,
    pub ip: Option<std::net::IpAddr>,
    pub user: Option<SessionUser>,
    pub now: Timestamp,
    mail: Option<MailHandle>,
    limiter: Option<AuthRateLimiter>,
}

impl RequestContext {
    /// Reads the request and resolves its session cookie.
    pub async fn load() -> Result<RequestContext, AppError> {
        let db = use_context::<Db>().ok_or_else(|| AppError::internal("context", "no Db"))?;
        let settings = use_context::<ServerSettings>()
            .ok_or_else(|| AppError::internal("context", "no ServerSettings"))?;
        let parts = use_context::<http::request::Parts>()
            .ok_or_else(|| AppError::internal("context", "no request"))?;
        let ip = parts
            .extensions
            .get::<axum::extract::ConnectInfo<SocketAddr>>()
            .map(|info| info.0.ip());
        let user_agent = parts
            .headers
            .get(http::header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(|ua| ua.chars().take(400).collect());
        let now = Timestamp::now();
        let secret = parts
            .headers
            .get_all(http::header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find_map(|header| sessions::secret_from_cookie_header(header, settings.https));
        let user = match secret {
            Some(secret) => sessions::resolve(&db, &secret, now)
                .await
                .map_err(|e| AppError::internal("session", e))?,
            None => None,
        };
        Ok(RequestContext {
            db,
            settings,
            origin: RequestOrigin {
                ip: ip.map(|ip| ip.to_string()),
                user_agent,
            },
            ip,
            user,
            now,
            mail: use_context::<MailHandle>(),
            limiter: use_context::<AuthRateLimiter>(),
        })
    }

    /// Asks the one authorization function; a refusal is answered and, for a signed-in
    /// user, recorded in the audit log.
    pub async fn authorize(
        &self,
        action: Action,
        target: Target<'_>,
    ) -> Result<&SessionUser, AppError> {
        let subject = self.user.as_ref().map(|u| &u.subject);
        match authorize(subject, action, target) {
            Ok(()) => self.user.as_ref().ok_or(AppError::Unauthenticated),
            Err(denial) => {
                if let Some(user) = &self.user {
                    self.record_denial(user, action).await;
                }
                Err(match denial {
                    Denial::Unauthenticated => AppError::Unauthenticated,
                    Denial::PasswordNotSet | Denial::Forbidden => AppError::Forbidden,
                })
            }
        }
    }

    async fn record_denial(&self, user: &SessionUser, action: Action) {
        let tenant = &user.subject.tenant;
        let result = async {
            let mut tx = self.db.begin_for_tenant(tenant).await?;
            let after = serde_json::json!({ "action": format!("{action:?}") });
            audit::record(
                &mut tx,
                AuditEntry {
                    tenant,
                    actor: Actor::User(user.subject.user.clone()),
                    action: "access.denied",
                    target_type: None,
                    target_id: None,
                    before: None,
                    after: Some(after),
                    outcome: Outcome::Denied,
                    origin: self.origin.clone(),
                },
            )
            .await?;
            tx.commit().await?;
            Ok::<(), AppError>(())
        }
        .await;
        if let Err(error) = result {
            tracing::error!(?error, "could not record a refused access");
        }
    }

    /// Counts an attempt at a secret-guessing endpoint from this address.
    pub fn check_rate_limit(&self) -> Result<(), AppError> {
        match (&self.limiter, self.ip) {
            (Some(limiter), Some(ip)) if !limiter.0.allow(ip) => Err(AppError::RateLimited),
            _ => Ok(()),
        }
    }

    /// Lets the mail worker know there is mail to send now.
    pub fn wake_mailer(&self) {
        if let Some(mail) = &self.mail {
            mail.wake();
        }
    }

    /// Adds a `Set-Cookie` header to the response.
    pub fn set_cookie(&self, cookie: &str) {
        if let (Some(response), Ok(value)) = (
            use_context::<leptos_axum::ResponseOptions>(),
            http::HeaderValue::from_str(cookie),
        ) {
            response.append_header(http::header::SET_COOKIE, value);
        }
    }
}
