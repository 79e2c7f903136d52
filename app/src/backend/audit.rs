//! The audit writer: one function, called inside the transaction of the change it records,
//! so a change and its audit row commit or roll back together.

use crate::backend::db::{Value, insert_many};
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
    let mut ids = record_many(tx, vec![entry]).await?;
    Ok(ids.remove(0))
}

const COLUMNS: [&str; 13] = [
    "tenant_id",
    "id",
    "occurred_at",
    "actor_kind",
    "actor_user_id",
    "action",
    "target_type",
    "target_id",
    "before_json",
    "after_json",
    "outcome",
    "ip",
    "user_agent",
];

/// Writes several entries at once (a bulk change writes one row per record it changes),
/// in the transaction of the change. Returns their ids in order.
pub async fn record_many(
    tx: &mut Transaction<'static, Any>,
    entries: Vec<AuditEntry<'_>>,
) -> Result<Vec<AuditId>, sqlx::Error> {
    let now = Timestamp::now().as_micros();
    let mut ids = Vec::with_capacity(entries.len());
    let rows = entries
        .into_iter()
        .map(|entry| {
            let id = AuditId::generate();
            let row = vec![
                Value::from(entry.tenant.as_str()),
                Value::from(id.as_str()),
                Value::from(now),
                Value::from(entry.actor.kind()),
                Value::Text(entry.actor.user_id().map(str::to_owned)),
                Value::from(entry.action),
                Value::Text(entry.target_type.map(str::to_owned)),
                Value::Text(entry.target_id.map(str::to_owned)),
                Value::Text(entry.before.map(|v| v.to_string())),
                Value::Text(entry.after.map(|v| v.to_string())),
                Value::from(entry.outcome.as_str()),
                Value::Text(entry.origin.ip),
                Value::Text(entry.origin.user_agent),
            ];
            ids.push(id);
            row
        })
        .collect();
    insert_many(tx, "audit_log", &COLUMNS, rows).await?;
    Ok(ids)
}
