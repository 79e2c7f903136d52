//! One-time tokens for the setup notice, invitations and password resets (WP 7): 256 random
//! bits, stored as SHA-256 only, single use, and a new one voids the older ones of the same
//! purpose for the same user.

use crate::backend::secrets::ScopedSecret;
use crate::domain::ids::{TenantId, UserId};
use crate::domain::time::Timestamp;
use sqlx::{Any, Transaction};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    /// The first system admin's link from the operator's setup notice.
    Setup,
    /// A user created by an admin.
    Invitation,
    /// Forgotten password.
    Reset,
}

impl Purpose {
    pub const ALL: [Purpose; 3] = [Purpose::Setup, Purpose::Invitation, Purpose::Reset];

    /// The page a link of this purpose opens; the secret follows it in the path.
    pub fn page(self) -> &'static str {
        match self {
            Purpose::Setup => "/setup/",
            Purpose::Invitation => "/invite/",
            Purpose::Reset => "/reset/",
        }
    }

    /// The link to mail or print: `{base_url}/invite/{secret}`.
    pub fn link(self, base_url: &str, secret: &str) -> String {
        format!("{}{}{secret}", base_url.trim_end_matches('/'), self.page())
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::Setup => "setup",
            Purpose::Invitation => "invitation",
            Purpose::Reset => "reset",
        }
    }

    /// How long a link stays valid: 72 hours, reset 1 hour.
    pub fn lifetime_seconds(self) -> i64 {
        match self {
            Purpose::Setup | Purpose::Invitation => 72 * 3600,
            Purpose::Reset => 3600,
        }
    }
}

/// `path` as it may be written to a log or stored: the secret of a setup, invitation or
/// reset link is replaced by `…` (`/invite/…`), since whoever reads it could redeem a link
/// that was opened but not used. Every other path is kept as it is.
pub fn loggable_path(path: &str) -> std::borrow::Cow<'_, str> {
    for purpose in Purpose::ALL {
        if let Some(rest) = path.strip_prefix(purpose.page())
            && !rest.is_empty()
        {
            // Anything after the secret (there is nothing today) stays out too.
            return format!("{}…", purpose.page()).into();
        }
    }
    path.into()
}

/// An issued token: the secret to put in the link, and when it expires.
#[derive(Clone, Debug)]
pub struct IssuedToken {
    pub secret: ScopedSecret,
    pub expires_at: Timestamp,
}

/// Issues a token for `user`, voiding the unused older ones of the same purpose.
#[tracing::instrument(skip_all)]
pub async fn issue(
    tx: &mut Transaction<'static, Any>,
    tenant: &TenantId,
    user: &UserId,
    purpose: Purpose,
    now: Timestamp,
) -> Result<IssuedToken, sqlx::Error> {
    sqlx::query(
        "UPDATE one_time_tokens SET used_at = $1 \
         WHERE tenant_id = $2 AND user_id = $3 AND purpose = $4 AND used_at IS NULL",
    )
    .bind(now.as_micros())
    .bind(tenant.as_str())
    .bind(user.as_str())
    .bind(purpose.as_str())
    .execute(&mut **tx)
    .await?;
    let secret = ScopedSecret::generate(tenant);
    let expires_at = now.plus_seconds(purpose.lifetime_seconds());
    sqlx::query(
        "INSERT INTO one_time_tokens (tenant_id, token_hash, user_id, purpose, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(tenant.as_str())
    .bind(secret.hash())
    .bind(user.as_str())
    .bind(purpose.as_str())
    .bind(now.as_micros())
    .bind(expires_at.as_micros())
    .execute(&mut **tx)
    .await?;
    Ok(IssuedToken { secret, expires_at })
}

/// Issues one token each for users who have none yet (just created): nothing to void, so
/// a bulk creation writes them all at once.
#[tracing::instrument(skip_all)]
pub async fn issue_for_new_users(
    tx: &mut Transaction<'static, Any>,
    tenant: &TenantId,
    users: &[UserId],
    purpose: Purpose,
    now: Timestamp,
) -> Result<Vec<IssuedToken>, sqlx::Error> {
    use crate::backend::db::{Value, insert_many};
    let expires_at = now.plus_seconds(purpose.lifetime_seconds());
    let mut issued = Vec::with_capacity(users.len());
    let mut rows = Vec::with_capacity(users.len());
    for user in users {
        let secret = ScopedSecret::generate(tenant);
        rows.push(vec![
            ("tenant_id", Value::from(tenant.as_str())),
            ("token_hash", Value::from(secret.hash())),
            ("user_id", Value::from(user.as_str())),
            ("purpose", Value::from(purpose.as_str())),
            ("created_at", Value::from(now.as_micros())),
            ("expires_at", Value::from(expires_at.as_micros())),
        ]);
        issued.push(IssuedToken { secret, expires_at });
    }
    insert_many(tx, "one_time_tokens", rows).await?;
    Ok(issued)
}

/// Why a link does not work. The user is told plainly, without revealing whose it was.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenProblem {
    /// Unknown, malformed, of another purpose, or already used.
    Invalid,
    Expired,
}

/// Looks a token up without using it (to show the page behind a link).
#[tracing::instrument(skip_all)]
pub async fn peek(
    tx: &mut Transaction<'static, Any>,
    secret: &ScopedSecret,
    purpose: Purpose,
    now: Timestamp,
) -> Result<Result<UserId, TokenProblem>, sqlx::Error> {
    let row: Option<(UserId, Timestamp, Option<Timestamp>)> = sqlx::query_as(
        "SELECT user_id, expires_at, used_at FROM one_time_tokens \
         WHERE tenant_id = $1 AND token_hash = $2 AND purpose = $3",
    )
    .bind(secret.tenant.as_str())
    .bind(secret.hash())
    .bind(purpose.as_str())
    .fetch_optional(&mut **tx)
    .await?;
    Ok(match row {
        None | Some((_, _, Some(_))) => Err(TokenProblem::Invalid),
        Some((_, expires_at, None)) if expires_at <= now => Err(TokenProblem::Expired),
        Some((user, _, None)) => Ok(user),
    })
}

/// Uses a token: valid once. Marks it used in `tx`, so it stays unused if `tx` rolls back.
#[tracing::instrument(skip_all)]
pub async fn redeem(
    tx: &mut Transaction<'static, Any>,
    secret: &ScopedSecret,
    purpose: Purpose,
    now: Timestamp,
) -> Result<Result<UserId, TokenProblem>, sqlx::Error> {
    let user = match peek(tx, secret, purpose, now).await? {
        Ok(user) => user,
        Err(problem) => return Ok(Err(problem)),
    };
    // The `used_at IS NULL` guard makes a concurrent second redemption update nothing.
    let updated = sqlx::query(
        "UPDATE one_time_tokens SET used_at = $1 \
         WHERE tenant_id = $2 AND token_hash = $3 AND used_at IS NULL",
    )
    .bind(now.as_micros())
    .bind(secret.tenant.as_str())
    .bind(secret.hash())
    .execute(&mut **tx)
    .await?;
    if updated.rows_affected() == 1 {
        Ok(Ok(user))
    } else {
        Ok(Err(TokenProblem::Invalid))
    }
}

#[cfg(test)]
mod loggable_path_tests {
    use super::loggable_path;

    #[test]
    fn link_secrets_never_reach_a_log() {
        assert_eq!(loggable_path("/invite/abc.def"), "/invite/…");
        assert_eq!(loggable_path("/setup/abc"), "/setup/…");
        assert_eq!(loggable_path("/reset/abc/extra"), "/reset/…");
        assert_eq!(loggable_path("/org/employees/123"), "/org/employees/123");
        assert_eq!(loggable_path("/reset/"), "/reset/");
        assert_eq!(loggable_path("/resetting"), "/resetting");
    }
}
