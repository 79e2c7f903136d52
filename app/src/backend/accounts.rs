//! The account flows behind the server functions (WP 7): login with lockout, logout,
//! choosing a password through a setup/invitation/reset link, asking for a reset, and
//! changing one's password. Each change writes its audit row in its own transaction; each
//! mail is queued in that transaction too (wake the mail worker after these return).

use crate::backend::account_mails;
use crate::backend::audit::{self, Actor, AuditEntry, Outcome, RequestOrigin};
use crate::backend::db::Db;
use crate::backend::mail;
use crate::backend::password::{hash_password, verify_against_dummy, verify_password};
use crate::backend::secrets::ScopedSecret;
use crate::backend::sessions::{self, SessionUser};
use crate::backend::tenants::{self, TenantContract};
use crate::backend::tokens::{self, Purpose, TokenProblem};
use crate::backend::write::WriteContext;
use crate::domain::account_status::AccountStatus;
use crate::domain::audit::AuditAction;
use crate::domain::email::Email;
use crate::domain::form_field::FormField;
use crate::domain::ids::{TenantId, UserId};
use crate::domain::lockout::after_failure;
use crate::domain::password::check_password;
use crate::domain::tenant::CompanyCode;
use crate::domain::time::Timestamp;
use crate::error::AppError;

/// What a login form sends.
#[derive(Clone)]
pub struct LoginInput {
    pub company_code: String,
    /// E-mail address or employee code.
    pub identifier: String,
    pub password: String,
}

/// A user row as the account flows need it.
#[derive(sqlx::FromRow)]
struct Account {
    id: UserId,
    email: Email,
    display_name: String,
    status: AccountStatus,
    password_hash: Option<String>,
    failed_logins: i64,
    locked_until: Option<Timestamp>,
}

impl Account {
    /// The columns of `users` to select, in the order of the fields.
    const COLUMNS: &'static str =
        "id, email, display_name, status, password_hash, failed_logins, locked_until";

    /// Whether the account is locked after too many wrong passwords.
    fn locked_at(&self, now: Timestamp) -> bool {
        self.locked_until.is_some_and(|until| until > now)
    }
}

async fn tenant_by_code(db: &Db, code: &str) -> Result<Option<TenantContract>, AppError> {
    match CompanyCode::parse(code) {
        Ok(code) => tenants::find_by_code(db, &code)
            .await
            .map_err(|e| AppError::internal("tenant lookup", e)),
        Err(_) => Ok(None),
    }
}

async fn account_by_identifier(
    db: &Db,
    tenant: &TenantId,
    identifier: &str,
) -> Result<Option<Account>, AppError> {
    let identifier = identifier.trim();
    let mut tx = db.begin_for_tenant(tenant).await?;
    let account = sqlx::query_as(&format!(
        "SELECT {} FROM users WHERE tenant_id = $1 AND (email = $2 OR employee_code = $3)",
        Account::COLUMNS
    ))
    .bind(tenant.as_str())
    .bind(identifier.to_lowercase())
    .bind(identifier)
    .fetch_optional(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(account)
}

fn entry<'a>(
    tenant: &'a TenantId,
    actor: Actor,
    action: AuditAction,
    target: Option<&'a UserId>,
    after: Option<serde_json::Value>,
    outcome: Outcome,
    origin: &RequestOrigin,
) -> AuditEntry<'a> {
    AuditEntry {
        tenant,
        actor,
        action,
        target_type: target.map(|_| "user"),
        target_id: target.map(UserId::as_str),
        before: None,
        after,
        outcome,
        origin: origin.clone(),
    }
}

/// Records a refused login in `tx`, commits, and answers with the one message every
/// failure gets.
async fn refuse_login(
    mut tx: sqlx::Transaction<'static, sqlx::Any>,
    tenant: &TenantId,
    account: Option<&UserId>,
    outcome: Outcome,
    why: serde_json::Value,
    origin: &RequestOrigin,
) -> Result<ScopedSecret, AppError> {
    let refusal = entry(
        tenant,
        Actor::Anonymous,
        AuditAction::AuthLogin,
        account,
        Some(why),
        outcome,
        origin,
    );
    audit::record(&mut tx, refusal).await?;
    tx.commit().await?;
    Err(AppError::LoginFailed)
}

/// Counts a wrong password against the account, in `tx`: at a login or when the current
/// password is asked for to change it. After enough failures the account is locked for a
/// while, which is an audit event and mailed to its owner.
async fn count_wrong_password(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    tenant: &TenantId,
    zone: &str,
    account: &Account,
    origin: &RequestOrigin,
    now: Timestamp,
) -> Result<crate::domain::lockout::AfterFailure, AppError> {
    let failure = after_failure(account.failed_logins, now);
    sqlx::query(
        "UPDATE users SET failed_logins = $1, locked_until = $2 WHERE tenant_id = $3 AND id = $4",
    )
    .bind(failure.failed_logins)
    .bind(failure.locked_until.as_micros())
    .bind(tenant.as_str())
    .bind(account.id.as_str())
    .execute(&mut **tx)
    .await?;
    if failure.lock_started {
        let after = serde_json::json!({ "locked_until": failure.locked_until.as_micros() });
        audit::record(
            tx,
            entry(
                tenant,
                Actor::System,
                AuditAction::AuthLock,
                Some(&account.id),
                Some(after),
                Outcome::Success,
                origin,
            ),
        )
        .await?;
        let notice = account_mails::account_locked(
            &account.email,
            &account.display_name,
            failure.locked_until,
            zone,
        );
        mail::enqueue(tx, tenant, notice).await?;
    }
    Ok(failure)
}

/// Signs in; the secret for the session cookie on success. Every failure is the same
/// [`AppError::LoginFailed`] after about the same work, so nothing reveals which accounts
/// exist (WP 7).
#[tracing::instrument(skip_all)]
pub async fn login(
    db: &Db,
    input: LoginInput,
    origin: &RequestOrigin,
    now: Timestamp,
) -> Result<ScopedSecret, AppError> {
    let Some(tenant) = tenant_by_code(db, &input.company_code).await? else {
        verify_against_dummy(input.password).await?;
        return Err(AppError::LoginFailed);
    };
    let Some(account) = account_by_identifier(db, &tenant.id, &input.identifier).await? else {
        verify_against_dummy(input.password).await?;
        let tx = db.begin_write_for_tenant(&tenant.id).await?;
        let after =
            serde_json::json!({ "identifier": input.identifier.trim(), "reason": "unknown user" });
        return refuse_login(tx, &tenant.id, None, Outcome::Failure, after, origin).await;
    };

    let throttled = account.locked_at(now);
    let password_ok = match (&account.password_hash, throttled) {
        (Some(hash), false) => verify_password(input.password, hash.clone()).await?,
        _ => {
            verify_against_dummy(input.password).await?;
            false
        }
    };

    let mut tx = db.begin_write_for_tenant(&tenant.id).await?;
    if throttled {
        let after = serde_json::json!({ "reason": "locked" });
        return refuse_login(
            tx,
            &tenant.id,
            Some(&account.id),
            Outcome::Denied,
            after,
            origin,
        )
        .await;
    }
    if !password_ok {
        let failure = count_wrong_password(
            &mut tx,
            &tenant.id,
            &tenant.time_zone,
            &account,
            origin,
            now,
        )
        .await?;
        let after = serde_json::json!({ "reason": "wrong password", "failed_logins": failure.failed_logins });
        return refuse_login(
            tx,
            &tenant.id,
            Some(&account.id),
            Outcome::Failure,
            after,
            origin,
        )
        .await;
    }
    if account.status != AccountStatus::Active {
        let after = serde_json::json!({ "reason": account.status });
        return refuse_login(
            tx,
            &tenant.id,
            Some(&account.id),
            Outcome::Denied,
            after,
            origin,
        )
        .await;
    }
    sqlx::query(
        "UPDATE users SET failed_logins = 0, locked_until = NULL, last_login_at = $1 \
         WHERE tenant_id = $2 AND id = $3",
    )
    .bind(now.as_micros())
    .bind(tenant.id.as_str())
    .bind(account.id.as_str())
    .execute(&mut *tx)
    .await?;
    let secret = sessions::create(&mut tx, &tenant.id, &account.id, origin, now).await?;
    audit::record(
        &mut tx,
        entry(
            &tenant.id,
            Actor::User(account.id.clone()),
            AuditAction::AuthLogin,
            Some(&account.id),
            None,
            Outcome::Success,
            origin,
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(secret)
}

/// Ends the current session.
#[tracing::instrument(skip_all)]
pub async fn logout(w: &WriteContext<'_>) -> Result<(), AppError> {
    let mut tx = w.begin().await?;
    sessions::end(&mut tx, w.tenant(), &w.by.session_hash).await?;
    w.audit_and_commit(tx, own_entry(w, AuditAction::AuthLogout, None, None))
        .await
}

/// The audit row of a change the signed-in user makes to their own account.
fn own_entry<'a>(
    w: &WriteContext<'a>,
    action: AuditAction,
    before: Option<serde_json::Value>,
    after: Option<serde_json::Value>,
) -> AuditEntry<'a> {
    w.audit_entry(action, "user", w.by.subject.user.as_str(), before, after)
}

/// What the page behind a setup/invitation/reset link shows before the form is sent.
#[derive(Clone, Debug)]
pub struct LinkInfo {
    pub display_name: String,
    pub email: Email,
    pub company_name: String,
    pub company_code: CompanyCode,
}

fn link_problem(problem: TokenProblem) -> AppError {
    match problem {
        TokenProblem::Invalid => AppError::LinkInvalid,
        TokenProblem::Expired => AppError::LinkExpired,
    }
}

/// Who a link is for, without using it up.
#[tracing::instrument(skip_all)]
pub async fn inspect_link(
    db: &Db,
    link: &str,
    purpose: Purpose,
    now: Timestamp,
) -> Result<LinkInfo, AppError> {
    let secret = ScopedSecret::parse(link).ok_or(AppError::LinkInvalid)?;
    let mut tx = db.begin_for_tenant(&secret.tenant).await?;
    let user = tokens::peek(&mut tx, &secret, purpose, now)
        .await?
        .map_err(link_problem)?;
    let (display_name, email, company_name, company_code) = sqlx::query_as(
        "SELECT u.display_name, u.email, t.name, t.code FROM users u JOIN tenants t ON t.id = u.tenant_id \
         WHERE u.tenant_id = $1 AND u.id = $2",
    )
    .bind(secret.tenant.as_str())
    .bind(user.as_str())
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(AppError::LinkInvalid)?;
    tx.commit().await?;
    Ok(LinkInfo {
        display_name,
        email,
        company_name,
        company_code,
    })
}

/// Sets the user's own password through a one-time link, activates an invited account,
/// ends any other session of theirs, and signs them in. Returns the new session's secret.
#[tracing::instrument(skip_all)]
pub async fn set_password_with_link(
    db: &Db,
    link: &str,
    purpose: Purpose,
    new_password: String,
    origin: &RequestOrigin,
    now: Timestamp,
) -> Result<ScopedSecret, AppError> {
    let info = inspect_link(db, link, purpose, now).await?;
    check_password(
        &new_password,
        info.company_code.as_str(),
        info.email.as_str(),
    )?;
    let hash = hash_password(new_password).await?;

    let secret = ScopedSecret::parse(link).ok_or(AppError::LinkInvalid)?;
    let tenant = &secret.tenant;
    let mut tx = db.begin_write_for_tenant(tenant).await?;
    // Redeeming inside the transaction that sets the password: used exactly once, or not at all.
    let user = tokens::redeem(&mut tx, &secret, purpose, now)
        .await?
        .map_err(link_problem)?;
    // Invited accounts become active; a reset keeps an active account active; a deactivated
    // account stays shut whatever link it holds.
    let updated = sqlx::query(
        "UPDATE users SET password_hash = $1, password_set_at = $2, status = $5, \
         failed_logins = 0, locked_until = NULL, updated_at = $2 \
         WHERE tenant_id = $3 AND id = $4 AND status <> $6",
    )
    .bind(&hash)
    .bind(now.as_micros())
    .bind(tenant.as_str())
    .bind(user.as_str())
    .bind(AccountStatus::Active.as_str())
    .bind(AccountStatus::Deactivated.as_str())
    .execute(&mut *tx)
    .await?;
    if updated.rows_affected() != 1 {
        return Err(AppError::LinkInvalid);
    }
    sessions::end_all_of_user(&mut tx, tenant, &user, None).await?;
    let session = sessions::create(&mut tx, tenant, &user, origin, now).await?;
    let after = serde_json::json!({ "via": purpose.as_str() });
    audit::record(
        &mut tx,
        entry(
            tenant,
            Actor::User(user.clone()),
            AuditAction::UserPasswordSet,
            Some(&user),
            Some(after),
            Outcome::Success,
            origin,
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(session)
}

/// Sends a reset link to an active account with that company code and address. Answers
/// the same whether or not there is one; the work runs after the answer, so its duration
/// tells nothing either.
#[tracing::instrument(skip_all)]
pub async fn request_password_reset(
    db: &Db,
    base_url: &str,
    company_code: &str,
    email: &str,
    origin: &RequestOrigin,
    now: Timestamp,
) -> Result<Option<TenantId>, AppError> {
    let Some(tenant) = tenant_by_code(db, company_code).await? else {
        return Ok(None);
    };
    let Ok(email) = Email::parse(email) else {
        return Ok(None);
    };
    let Some(account) = account_by_identifier(db, &tenant.id, email.as_str()).await? else {
        return Ok(None);
    };
    if account.status != AccountStatus::Active || account.email != email {
        return Ok(None);
    }
    let mut tx = db.begin_write_for_tenant(&tenant.id).await?;
    let token = tokens::issue(&mut tx, &tenant.id, &account.id, Purpose::Reset, now).await?;
    let link = Purpose::Reset.link(base_url, &token.secret.encode());
    let mail = account_mails::password_reset(
        &account.email,
        &account.display_name,
        &link,
        token.expires_at,
        &tenant.time_zone,
    );
    mail::enqueue(&mut tx, &tenant.id, mail).await?;
    audit::record(
        &mut tx,
        entry(
            &tenant.id,
            Actor::Anonymous,
            AuditAction::AuthResetRequested,
            Some(&account.id),
            None,
            Outcome::Success,
            origin,
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(Some(tenant.id))
}

/// Changes the signed-in user's password: the current one is required; every other
/// session of theirs ends.
#[tracing::instrument(skip_all)]
pub async fn change_password(
    w: &WriteContext<'_>,
    current: String,
    new_password: String,
) -> Result<(), AppError> {
    let (tenant, me, now) = (w.tenant(), &w.by.subject.user, w.now);
    let mut tx = w.db.begin_for_tenant(tenant).await?;
    let columns = Account::COLUMNS
        .split(", ")
        .map(|column| format!("u.{column}"))
        .collect::<Vec<_>>()
        .join(", ");
    let AccountOfTenant {
        account,
        code,
        time_zone,
    } = sqlx::query_as(&format!(
        "SELECT {columns}, t.code, t.time_zone FROM users u JOIN tenants t ON t.id = u.tenant_id \
         WHERE u.tenant_id = $1 AND u.id = $2"
    ))
    .bind(tenant.as_str())
    .bind(me.as_str())
    .fetch_one(&mut *tx)
    .await?;
    tx.commit().await?;
    // Guessing the current password from a session left open counts like guessing it at
    // the login: the same waits and the same lock.
    if account.locked_at(now) {
        verify_against_dummy(current).await?;
        return Err(AppError::RateLimited);
    }
    let changed = |after: serde_json::Value| {
        own_entry(w, AuditAction::UserPasswordChanged, None, Some(after))
    };
    let current_ok = match &account.password_hash {
        Some(hash) => verify_password(current, hash.clone()).await?,
        None => false,
    };
    if !current_ok {
        let mut tx = w.begin().await?;
        let failure =
            count_wrong_password(&mut tx, tenant, &time_zone, &account, &w.origin, now).await?;
        let after = serde_json::json!({ "reason": "wrong current password", "failed_logins": failure.failed_logins });
        let mut refused = changed(after);
        refused.outcome = Outcome::Failure;
        w.audit_and_commit(tx, refused).await?;
        return Err(AppError::invalid(
            FormField::CurrentPassword,
            crate::domain::problem::Problem::WrongCurrentPassword,
        ));
    }
    check_password(&new_password, &code, w.by.email.as_str())?;
    let hash = hash_password(new_password).await?;
    let mut tx = w.begin().await?;
    sqlx::query(
        "UPDATE users SET password_hash = $1, password_set_at = $2, updated_at = $2, \
                 failed_logins = 0, locked_until = NULL WHERE tenant_id = $3 AND id = $4",
    )
    .bind(&hash)
    .bind(now.as_micros())
    .bind(tenant.as_str())
    .bind(me.as_str())
    .execute(&mut *tx)
    .await?;
    let ended = sessions::end_all_of_user(&mut tx, tenant, me, Some(&w.by.session_hash)).await?;
    let after = serde_json::json!({ "other_sessions_ended": ended });
    w.audit_and_commit(tx, changed(after)).await
}

/// An account with its tenant's company code and time zone.
#[derive(sqlx::FromRow)]
struct AccountOfTenant {
    #[sqlx(flatten)]
    account: Account,
    code: String,
    time_zone: String,
}

/// The signed-in user's own name and language.
#[tracing::instrument(skip_all)]
pub async fn update_profile(
    w: &WriteContext<'_>,
    display_name: &str,
    language: crate::i18n::Lang,
) -> Result<(), AppError> {
    let display_name = crate::domain::employees::parse_name(display_name)
        .map_err(|problem| AppError::invalid(FormField::DisplayName, problem))?;
    let display_name = display_name.as_str();
    let mut tx = w.begin().await?;
    sqlx::query("UPDATE users SET display_name = $1, language = $2, updated_at = $3 WHERE tenant_id = $4 AND id = $5")
        .bind(display_name)
        .bind(language.code())
        .bind(w.now.as_micros())
        .bind(w.tenant().as_str())
        .bind(w.by.subject.user.as_str())
        .execute(&mut *tx)
        .await?;
    let before =
        serde_json::json!({ "display_name": w.by.display_name, "language": w.by.language.code() });
    let after = serde_json::json!({ "display_name": display_name, "language": language.code() });
    let entry = own_entry(w, AuditAction::UserProfile, Some(before), Some(after));
    w.audit_and_commit(tx, entry).await
}

/// One of the signed-in user's sessions, for "my active sessions".
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct OwnSession {
    /// The stored hash: identifies the session, opens nothing.
    #[sqlx(rename = "token_hash")]
    pub id: String,
    pub created_at: Timestamp,
    pub last_seen_at: Timestamp,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    /// The session of this request.
    #[sqlx(skip)]
    pub current: bool,
}

/// The signed-in user's live sessions, most recently used first.
#[tracing::instrument(skip_all)]
pub async fn own_sessions(
    db: &Db,
    user: &SessionUser,
    now: Timestamp,
) -> Result<Vec<OwnSession>, AppError> {
    let tenant = &user.subject.tenant;
    let mut tx = db.begin_for_tenant(tenant).await?;
    let idle_cutoff = now
        .plus_seconds(-sessions::IDLE_TIMEOUT_SECONDS)
        .as_micros();
    let sessions: Vec<OwnSession> = sqlx::query_as(
        "SELECT token_hash, created_at, last_seen_at, ip, user_agent FROM sessions \
         WHERE tenant_id = $1 AND user_id = $2 AND expires_at > $3 AND last_seen_at > $4 \
         ORDER BY last_seen_at DESC",
    )
    .bind(tenant.as_str())
    .bind(user.subject.user.as_str())
    .bind(now.as_micros())
    .bind(idle_cutoff)
    .fetch_all(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(sessions
        .into_iter()
        .map(|session| OwnSession {
            current: session.id == user.session_hash,
            ..session
        })
        .collect())
}

/// Ends one of the signed-in user's own sessions (never anyone else's).
#[tracing::instrument(skip_all)]
pub async fn end_own_session(w: &WriteContext<'_>, session_id: &str) -> Result<(), AppError> {
    let mut tx = w.begin().await?;
    let ended = sqlx::query(
        "DELETE FROM sessions WHERE tenant_id = $1 AND user_id = $2 AND token_hash = $3",
    )
    .bind(w.tenant().as_str())
    .bind(w.by.subject.user.as_str())
    .bind(session_id)
    .execute(&mut *tx)
    .await?;
    if ended.rows_affected() == 0 {
        return Err(AppError::NotFound);
    }
    w.audit_and_commit(tx, own_entry(w, AuditAction::AuthSessionEnded, None, None))
        .await
}
