//! The audit writer: one function, called inside the transaction of the change it records,
//! so a change and its audit row commit or roll back together.

use crate::domain::ids::{AuditId, TenantId, UserId};
use crate::domain::time::Timestamp;
use sqlx::{Any, Transaction};

/// Who acted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Actor {
    /// A signed-in user of the tenant.
    User(UserId),
    /// The service operator, through the `kouka` command line.
    Operator,
    /// The system itself (background jobs).
    System,
    /// Nobody signed in (failed logins, refused requests).
    Anonymous,
}

impl Actor {
    fn kind(&self) -> &'static str {
        match self {
            Actor::User(_) => "user",
            Actor::Operator => "operator",
            Actor::System => "system",
            Actor::Anonymous => "anonymous",
        }
    }

    fn user_id(&self) -> Option<&str> {
        match self {
            Actor::User(id) => Some(id.as_str()),
            _ => None,
        }
    }
}

/// How the recorded attempt ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Success,
    Denied,
    Failure,
}

impl Outcome {
    fn as_str(self) -> &'static str {
        match self {
            Outcome::Success => "success",
            Outcome::Denied => "denied",
            Outcome::Failure => "failure",
        }
    }
}

/// Where the request came from.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RequestOrigin {
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

/// One audit row. `before` and `after` are JSON snapshots that must hold no secrets.
#[derive(Clone, Debug)]
pub struct AuditEntry<'a> {
    pub tenant: &'a TenantId,
    pub actor: Actor,
    pub action: &'a str,
    pub target_type: Option<&'a str>,
    pub target_id: Option<&'a str>,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
    pub outcome: Outcome,
    pub origin: RequestOrigin,
}

/// Writes the entry in `tx`. Call it in the same transaction as the change it records.
pub async fn record(
    tx: &mut Transaction<'static, Any>,
    entry: AuditEntry<'_>,
) -> Result<AuditId, sqlx::Error> {
    let id = AuditId::generate();
    sqlx::query(
        "INSERT INTO audit_log (tenant_id, id, occurred_at, actor_kind, actor_user_id, action, \
         target_type, target_id, before_json, after_json, outcome, ip, user_agent) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
    )
    .bind(entry.tenant.as_str())
    .bind(id.as_str())
    .bind(Timestamp::now().as_micros())
    .bind(entry.actor.kind())
    .bind(entry.actor.user_id())
    .bind(entry.action)
    .bind(entry.target_type)
    .bind(entry.target_id)
    .bind(entry.before.map(|v| v.to_string()))
    .bind(entry.after.map(|v| v.to_string()))
    .bind(entry.outcome.as_str())
    .bind(entry.origin.ip)
    .bind(entry.origin.user_agent)
    .execute(&mut **tx)
    .await?;
    Ok(id)
}
