//! Server-side sessions (WP 7): the cookie carries `{tenant_id}.{secret}`, the database the
//! secret's hash. A session ends after 30 minutes idle or 12 hours in all, and at once when
//! its user is deactivated, deleted, signed out everywhere, or changes their password.

use crate::backend::audit::RequestOrigin;
use crate::backend::db::{Db, DbError};
use crate::backend::secrets::ScopedSecret;
use crate::domain::account_status::AccountStatus;
use crate::domain::email::Email;
use crate::domain::ids::{TenantId, UserId};
use crate::domain::permissions::Subject;
use crate::domain::roles::Role;
use crate::domain::time::Timestamp;
use crate::i18n::Lang;
use sqlx::{Any, Transaction};

pub const IDLE_TIMEOUT_SECONDS: i64 = 30 * 60;
pub const ABSOLUTE_TIMEOUT_SECONDS: i64 = 12 * 3600;
/// `last_seen_at` is written at most this often, not on every request.
const TOUCH_INTERVAL_SECONDS: i64 = 60;

/// The cookie's name: with the `__Host-` prefix under HTTPS, which browsers accept only
/// from a secure origin, for the whole host, without a Domain attribute.
pub fn cookie_name(https: bool) -> &'static str {
    if https {
        "__Host-kouka_session"
    } else {
        "kouka_session"
    }
}

/// `Set-Cookie` for a new session. HttpOnly (no script reads it), SameSite=Lax, and Secure
/// under HTTPS (plain http is for localhost development only).
pub fn session_cookie(secret: &ScopedSecret, https: bool) -> String {
    let secure = if https { "; Secure" } else { "" };
    format!(
        "{}={}; Path=/; HttpOnly; SameSite=Lax; Max-Age={ABSOLUTE_TIMEOUT_SECONDS}{secure}",
        cookie_name(https),
        secret.encode()
    )
}

/// `Set-Cookie` that removes the session cookie.
pub fn clearing_cookie(https: bool) -> String {
    let secure = if https { "; Secure" } else { "" };
    format!(
        "{}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{secure}",
        cookie_name(https)
    )
}

/// The session secret from a `Cookie` header, if there is a well-formed one.
pub fn secret_from_cookie_header(header: &str, https: bool) -> Option<ScopedSecret> {
    let name = cookie_name(https);
    header.split(';').find_map(|pair| {
        let (key, value) = pair.trim().split_once('=')?;
        (key == name).then(|| ScopedSecret::parse(value)).flatten()
    })
}

/// Who a valid session belongs to.
#[derive(Clone, Debug)]
pub struct SessionUser {
    pub subject: Subject,
    pub display_name: String,
    pub email: Email,
    pub language: Lang,
    /// The hash identifying this session among the user's sessions.
    pub session_hash: String,
}

/// Starts a session for `user` (after a successful login or setup); returns the secret for
/// the cookie. Always a new id: a session id is never carried over from before login.
#[tracing::instrument(skip_all)]
pub async fn create(
    tx: &mut Transaction<'static, Any>,
    tenant: &TenantId,
    user: &UserId,
    origin: &RequestOrigin,
    now: Timestamp,
) -> Result<ScopedSecret, sqlx::Error> {
    let secret = ScopedSecret::generate(tenant);
    sqlx::query(
        "INSERT INTO sessions (tenant_id, token_hash, user_id, created_at, last_seen_at, \
         expires_at, ip, user_agent) VALUES ($1, $2, $3, $4, $4, $5, $6, $7)",
    )
    .bind(tenant.as_str())
    .bind(secret.hash())
    .bind(user.as_str())
    .bind(now.as_micros())
    .bind(now.plus_seconds(ABSOLUTE_TIMEOUT_SECONDS).as_micros())
    .bind(origin.ip.as_deref())
    .bind(origin.user_agent.as_deref())
    .execute(&mut **tx)
    .await?;
    Ok(secret)
}

/// The user of a live session, or `None` (unknown, expired, idle too long, user no longer
/// active). Refreshes the idle clock: the user did something.
#[tracing::instrument(skip_all)]
pub async fn resolve(
    db: &Db,
    secret: &ScopedSecret,
    now: Timestamp,
) -> Result<Option<SessionUser>, DbError> {
    resolve_session(db, secret, now, true).await
}

/// Like [`resolve`], but leaves the idle clock alone: for a long-lived connection (the live
/// org chart) that re-checks its session without the user doing anything.
#[tracing::instrument(skip_all)]
pub async fn check(
    db: &Db,
    secret: &ScopedSecret,
    now: Timestamp,
) -> Result<Option<SessionUser>, DbError> {
    resolve_session(db, secret, now, false).await
}

async fn resolve_session(
    db: &Db,
    secret: &ScopedSecret,
    now: Timestamp,
    touch: bool,
) -> Result<Option<SessionUser>, DbError> {
    let tenant = &secret.tenant;
    let hash = secret.hash();
    let mut tx = db.begin_for_tenant(tenant).await?;
    // One statement for the session, its user and their roles (a row per role, or one row
    // with no role): every request of every signed-in page starts here.
    let rows = sqlx::query_as::<_, SessionRow>(
        "SELECT s.user_id, s.last_seen_at, s.expires_at, u.display_name, u.email, u.language, \
         u.status, u.password_set_at, r.role FROM sessions s \
         JOIN users u ON u.tenant_id = s.tenant_id AND u.id = s.user_id \
         LEFT JOIN user_roles r ON r.tenant_id = s.tenant_id AND r.user_id = s.user_id \
         WHERE s.tenant_id = $1 AND s.token_hash = $2",
    )
    .bind(tenant.as_str())
    .bind(&hash)
    .fetch_all(&mut *tx)
    .await?;
    let Some(row) = rows.first() else {
        tx.commit().await?;
        return Ok(None);
    };
    let idle_limit = row.last_seen_at.plus_seconds(IDLE_TIMEOUT_SECONDS);
    if now >= row.expires_at || now >= idle_limit || row.status != AccountStatus::Active {
        tx.commit().await?;
        // Dead for good: remove it so it cannot come back (in a writing transaction of its
        // own: the same page's other requests may be deleting it at the same moment).
        let mut tx = db.begin_write_for_tenant(tenant).await?;
        sqlx::query("DELETE FROM sessions WHERE tenant_id = $1 AND token_hash = $2")
            .bind(tenant.as_str())
            .bind(&hash)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        return Ok(None);
    }
    let stale = touch && now >= row.last_seen_at.plus_seconds(TOUCH_INTERVAL_SECONDS);
    let roles = rows
        .iter()
        .filter_map(|row| row.role.as_deref())
        .filter_map(Role::parse)
        .collect();
    let row = rows
        .into_iter()
        .next()
        .expect("the first row was read above");
    let session_user = SessionUser {
        subject: Subject {
            tenant: tenant.clone(),
            user: row.user_id,
            roles,
            password_set: row.password_set_at.is_some(),
        },
        display_name: row.display_name,
        email: row.email,
        language: row.language,
        session_hash: hash,
    };
    tx.commit().await?;
    if stale {
        // A writing transaction of its own: on SQLite it waits for the write lock (a bulk
        // import may hold it a few seconds) instead of failing on a stale read.
        let mut tx = db.begin_write_for_tenant(tenant).await?;
        sqlx::query(
            "UPDATE sessions SET last_seen_at = $1 WHERE tenant_id = $2 AND token_hash = $3",
        )
        .bind(now.as_micros())
        .bind(tenant.as_str())
        .bind(&session_user.session_hash)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
    }
    Ok(Some(session_user))
}

/// A session with its user, one row per role of theirs (or one row with no role).
#[derive(sqlx::FromRow)]
struct SessionRow {
    user_id: UserId,
    last_seen_at: Timestamp,
    expires_at: Timestamp,
    display_name: String,
    email: Email,
    language: Lang,
    status: AccountStatus,
    password_set_at: Option<Timestamp>,
    role: Option<String>,
}

/// The roles a user holds.
#[tracing::instrument(skip_all)]
pub async fn roles_of(
    tx: &mut Transaction<'static, Any>,
    tenant: &TenantId,
    user: &UserId,
) -> Result<std::collections::BTreeSet<Role>, sqlx::Error> {
    let names: Vec<String> =
        sqlx::query_scalar("SELECT role FROM user_roles WHERE tenant_id = $1 AND user_id = $2")
            .bind(tenant.as_str())
            .bind(user.as_str())
            .fetch_all(&mut **tx)
            .await?;
    Ok(names.iter().filter_map(|name| Role::parse(name)).collect())
}

/// Ends one session (logout).
#[tracing::instrument(skip_all)]
pub async fn end(
    tx: &mut Transaction<'static, Any>,
    tenant: &TenantId,
    session_hash: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM sessions WHERE tenant_id = $1 AND token_hash = $2")
        .bind(tenant.as_str())
        .bind(session_hash)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Ends every session of `user`, but `keep` (the one changing its password, say).
#[tracing::instrument(skip_all)]
pub async fn end_all_of_user(
    tx: &mut Transaction<'static, Any>,
    tenant: &TenantId,
    user: &UserId,
    keep: Option<&str>,
) -> Result<u64, sqlx::Error> {
    let result = sqlx::query(
        "DELETE FROM sessions WHERE tenant_id = $1 AND user_id = $2 AND token_hash <> $3",
    )
    .bind(tenant.as_str())
    .bind(user.as_str())
    .bind(keep.unwrap_or(""))
    .execute(&mut **tx)
    .await?;
    Ok(result.rows_affected())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookie_is_http_only_lax_and_prefixed_under_https() {
        let secret = ScopedSecret::generate(&TenantId::generate());
        let https = session_cookie(&secret, true);
        assert!(https.starts_with("__Host-kouka_session="));
        assert!(
            https.contains("; Secure")
                && https.contains("; HttpOnly")
                && https.contains("SameSite=Lax")
        );
        assert!(https.contains("Path=/") && !https.contains("Domain"));
        let http = session_cookie(&secret, false);
        assert!(http.starts_with("kouka_session=") && !http.contains("Secure"));
        let header = format!("kouka_lang=ja; kouka_session={}", secret.encode());
        assert_eq!(
            secret_from_cookie_header(&header, false),
            Some(secret.clone())
        );
        assert_eq!(
            secret_from_cookie_header(&header, true),
            None,
            "the name differs under https"
        );
        assert_eq!(
            secret_from_cookie_header("kouka_session=garbage", false),
            None
        );
    }
}
