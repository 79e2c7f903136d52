//! What every server function starts from: the database, the settings, the request's
//! origin and the signed-in user — all from the server, never from the request body.

use crate::backend::audit::{self, Actor, AuditEntry, Outcome, RequestOrigin};
use crate::backend::db::Db;
use crate::backend::mail::MailHandle;
use crate::backend::org_events::{OrgChange, OrgEvents};
use crate::backend::org_import::{ImportJobs, JobServices};
use crate::backend::rate_limit::RateLimiter;
use crate::backend::sessions::{self, SessionUser};
use crate::backend::write::WriteContext;
use crate::domain::audit::AuditAction;
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

/// What the server provides to every request: server functions get it as Leptos context
/// (each part separately), the plain routes of `api::org_http` as axum state.
#[derive(Clone, Debug)]
pub struct Services {
    pub db: Db,
    pub settings: ServerSettings,
    pub mail: Option<MailHandle>,
    /// Required: a server without it would let every guess through.
    pub limiter: AuthRateLimiter,
    pub org_events: Option<OrgEvents>,
    pub imports: Option<ImportJobs>,
    pub pdf_jobs: Option<crate::backend::evaluation::pdf_jobs::PdfJobs>,
}

/// The session of the request being rendered or answered, resolved by the first
/// [`RequestContext::load`] and shared by the rest (a page's resources). Provided afresh
/// for every request by [`Services::provide`].
#[derive(Clone, Default)]
struct SessionOfRequest(Arc<tokio::sync::OnceCell<Option<SessionUser>>>);

impl Services {
    /// Makes each part available to server functions and pages; called once per request.
    pub fn provide(&self) {
        provide_context(SessionOfRequest::default());
        provide_context(self.db.clone());
        provide_context(self.settings.clone());
        if let Some(mail) = &self.mail {
            provide_context(mail.clone());
        }
        provide_context(self.limiter.clone());
        if let Some(events) = &self.org_events {
            provide_context(events.clone());
        }
        if let Some(imports) = &self.imports {
            provide_context(imports.clone());
        }
        if let Some(jobs) = &self.pdf_jobs {
            provide_context(jobs.clone());
        }
    }

    /// The parts, from the context [`provide`](Self::provide) filled.
    fn from_context() -> Result<Services, AppError> {
        Ok(Services {
            db: use_context::<Db>().ok_or_else(|| AppError::internal("context", "no Db"))?,
            settings: use_context::<ServerSettings>()
                .ok_or_else(|| AppError::internal("context", "no ServerSettings"))?,
            mail: use_context::<MailHandle>(),
            limiter: use_context::<AuthRateLimiter>()
                .ok_or_else(|| AppError::internal("context", "no AuthRateLimiter"))?,
            org_events: use_context::<OrgEvents>(),
            imports: use_context::<ImportJobs>(),
            pdf_jobs: use_context::<crate::backend::evaluation::pdf_jobs::PdfJobs>(),
        })
    }
}

/// One server function call's view of the request.
pub struct RequestContext {
    pub db: Db,
    pub settings: ServerSettings,
    pub origin: RequestOrigin,
    pub ip: Option<std::net::IpAddr>,
    pub user: Option<SessionUser>,
    pub now: Timestamp,
    /// The session cookie's secret, if any (a live stream re-checks it).
    pub session_secret: Option<crate::backend::secrets::ScopedSecret>,
    services: Services,
}

impl RequestContext {
    /// Reads the request and resolves its session cookie (inside a server function).
    pub async fn load() -> Result<RequestContext, AppError> {
        let services = Services::from_context()?;
        let parts = use_context::<http::request::Parts>()
            .ok_or_else(|| AppError::internal("context", "no request"))?;
        RequestContext::from_parts(&parts, services).await
    }

    /// Reads a request's parts and resolves its session cookie (a plain axum route).
    pub async fn from_parts(
        parts: &http::request::Parts,
        services: Services,
    ) -> Result<RequestContext, AppError> {
        let db = services.db.clone();
        let settings = services.settings.clone();
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
        let user = match &secret {
            Some(secret) => match use_context::<SessionOfRequest>() {
                // A page's resources each load a context: the session is read once.
                Some(cache) => cache
                    .0
                    .get_or_try_init(|| sessions::resolve(&db, secret, now))
                    .await
                    .cloned()
                    .map_err(|e| AppError::internal("session", e))?,
                None => sessions::resolve(&db, secret, now)
                    .await
                    .map_err(|e| AppError::internal("session", e))?,
            },
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
            session_secret: secret,
            services,
        })
    }

    /// The signed-in user's tenant, or `Unauthenticated`.
    pub fn tenant(&self) -> Result<&crate::domain::ids::TenantId, AppError> {
        self.user
            .as_ref()
            .map(|user| &user.subject.tenant)
            .ok_or(AppError::Unauthenticated)
    }

    /// [`authorize`](Self::authorize) for an action on the caller's own tenant as a whole:
    /// the signed-in user, or the refusal.
    pub async fn authorize_on_tenant(&self, action: Action) -> Result<SessionUser, AppError> {
        let tenant = self.tenant()?.clone();
        self.authorize(action, Target::Tenant(&tenant))
            .await
            .cloned()
    }

    /// Whether the one authorization function allows it, without recording a refusal: for
    /// deciding what optional content a page shows, not for guarding an action.
    pub fn allows(&self, action: Action, target: Target<'_>) -> bool {
        authorize(self.user.as_ref().map(|u| &u.subject), action, target).is_ok()
    }

    /// The frame of a change by `user` (authorized for it), from this request, now.
    pub fn write_as<'a>(&'a self, user: &'a SessionUser) -> WriteContext<'a> {
        WriteContext::new(&self.db, user, self.origin.clone(), self.now)
    }

    /// Announces a committed change of the org chart to every live browser of the tenant.
    pub async fn publish(&self, change: OrgChange) {
        if let Some(events) = &self.services.org_events {
            events.publish(change).await;
        }
    }

    /// The live org chart hub.
    pub fn org_events(&self) -> Option<&OrgEvents> {
        self.services.org_events.as_ref()
    }

    /// The bulk PDF jobs of this process.
    pub fn pdf_jobs(&self) -> Result<&crate::backend::evaluation::pdf_jobs::PdfJobs, AppError> {
        self.services
            .pdf_jobs
            .as_ref()
            .ok_or_else(|| AppError::internal("context", "no PdfJobs"))
    }

    /// The import jobs of this process.
    pub fn imports(&self) -> Result<&ImportJobs, AppError> {
        self.services
            .imports
            .as_ref()
            .ok_or_else(|| AppError::internal("context", "no ImportJobs"))
    }

    /// What an import job needs to write and announce.
    pub fn job_services(&self) -> JobServices {
        let mail = self.services.mail.clone();
        JobServices {
            db: self.db.clone(),
            events: self.services.org_events.clone(),
            wake_mailer: std::sync::Arc::new(move || {
                if let Some(mail) = &mail {
                    mail.wake();
                }
            }),
            base_url: self.settings.base_url.clone(),
        }
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
            let mut tx = self.db.begin_write_for_tenant(tenant).await?;
            let after = serde_json::json!({ "action": format!("{action:?}") });
            audit::record(
                &mut tx,
                AuditEntry {
                    tenant,
                    actor: Actor::User(user.subject.user.clone()),
                    action: AuditAction::AccessDenied,
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
        // A request whose address is unknown counts in one bucket shared by all such.
        let ip = self
            .ip
            .unwrap_or(std::net::IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED));
        if self.services.limiter.0.allow(ip) {
            Ok(())
        } else {
            Err(AppError::RateLimited)
        }
    }

    /// Lets the mail worker know there is mail to send now.
    pub fn wake_mailer(&self) {
        if let Some(mail) = &self.services.mail {
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
