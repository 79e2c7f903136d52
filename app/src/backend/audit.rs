//! The audit writer: one function, called inside the transaction of the change it records,
//! so a change and its audit row commit or roll back together.

use crate::backend::db::{Db, DbError, Value, insert_many, unreadable_column};
use crate::domain::audit::AuditAction;
use crate::domain::ids::{AuditId, TenantId, UserId};
use crate::domain::stored_names::stored_names;
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

stored_names! {
    /// What kind of actor an entry records, stored in `audit_log.actor_kind`.
    pub enum ActorKind {
        User = "user",
        Operator = "operator",
        System = "system",
        Anonymous = "anonymous",
    }
}

impl Actor {
    fn kind(&self) -> ActorKind {
        match self {
            Actor::User(_) => ActorKind::User,
            Actor::Operator => ActorKind::Operator,
            Actor::System => ActorKind::System,
            Actor::Anonymous => ActorKind::Anonymous,
        }
    }

    fn user_id(&self) -> Option<&str> {
        match self {
            Actor::User(id) => Some(id.as_str()),
            _ => None,
        }
    }

    /// The actor of a stored row; `None` for a kind this build does not know, or a user
    /// row without its user.
    fn from_stored(kind: &str, user: Option<String>) -> Option<Actor> {
        match (ActorKind::parse(kind)?, user) {
            (ActorKind::User, Some(id)) => Some(Actor::User(UserId::from_stored(id))),
            (ActorKind::User, None) => None,
            (ActorKind::Operator, _) => Some(Actor::Operator),
            (ActorKind::System, _) => Some(Actor::System),
            (ActorKind::Anonymous, _) => Some(Actor::Anonymous),
        }
    }
}

stored_names! {
    /// How the recorded attempt ended, stored in `audit_log.outcome`.
    pub enum Outcome {
        Success = "success",
        /// Refused by a rule (no role, out of scope, wrong password).
        Denied = "denied",
        Failure = "failure",
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
    pub action: AuditAction,
    pub target_type: Option<&'a str>,
    pub target_id: Option<&'a str>,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
    pub outcome: Outcome,
    pub origin: RequestOrigin,
}

/// Writes the entry in `tx`. Call it in the same transaction as the change it records.
#[tracing::instrument(skip_all)]
pub async fn record(
    tx: &mut Transaction<'static, Any>,
    entry: AuditEntry<'_>,
) -> Result<AuditId, sqlx::Error> {
    let mut ids = record_many(tx, vec![entry]).await?;
    Ok(ids.remove(0))
}

/// Writes several entries at once (a bulk change writes one row per record it changes),
/// in the transaction of the change. Returns their ids in order.
#[tracing::instrument(skip_all)]
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
                ("tenant_id", Value::from(entry.tenant.as_str())),
                ("id", Value::from(id.as_str())),
                ("occurred_at", Value::from(now)),
                ("actor_kind", Value::from(entry.actor.kind().as_str())),
                (
                    "actor_user_id",
                    Value::Text(entry.actor.user_id().map(str::to_owned)),
                ),
                ("action", Value::from(entry.action.as_str())),
                (
                    "target_type",
                    Value::Text(entry.target_type.map(str::to_owned)),
                ),
                ("target_id", Value::Text(entry.target_id.map(str::to_owned))),
                (
                    "before_json",
                    Value::Text(entry.before.map(|v| v.to_string())),
                ),
                (
                    "after_json",
                    Value::Text(entry.after.map(|v| v.to_string())),
                ),
                ("outcome", Value::from(entry.outcome.as_str())),
                ("ip", Value::Text(entry.origin.ip)),
                ("user_agent", Value::Text(entry.origin.user_agent)),
            ];
            ids.push(id);
            row
        })
        .collect();
    insert_many(tx, "audit_log", rows).await?;
    Ok(ids)
}

/// One row of the audit log as it reads back.
#[derive(Clone, Debug, PartialEq)]
pub struct LoggedEntry {
    pub id: AuditId,
    pub occurred_at: Timestamp,
    pub actor: Actor,
    pub action: AuditAction,
    pub target_type: Option<String>,
    pub target_id: Option<String>,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
    pub outcome: Outcome,
    pub origin: RequestOrigin,
}

/// The tenant's audit log, oldest first. A row this build cannot read (an action or actor
/// it does not know) is an error rather than a row left out: the log is evidence.
#[tracing::instrument(skip_all)]
pub async fn read_log(db: &Db, tenant: &TenantId) -> Result<Vec<LoggedEntry>, DbError> {
    let mut tx = db.begin_for_tenant(tenant).await?;
    let rows = sqlx::query_as::<_, AuditRow>(
        "SELECT id, occurred_at, actor_kind, actor_user_id, action, target_type, target_id, \
         before_json, after_json, outcome, ip, user_agent FROM audit_log \
         WHERE tenant_id = $1 ORDER BY occurred_at, id",
    )
    .bind(tenant.as_str())
    .fetch_all(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(rows
        .into_iter()
        .map(AuditRow::into_entry)
        .collect::<Result<_, _>>()?)
}

/// A row of `audit_log` as stored.
#[derive(sqlx::FromRow)]
struct AuditRow {
    id: AuditId,
    occurred_at: Timestamp,
    actor_kind: String,
    actor_user_id: Option<String>,
    action: AuditAction,
    target_type: Option<String>,
    target_id: Option<String>,
    before_json: Option<String>,
    after_json: Option<String>,
    outcome: Outcome,
    ip: Option<String>,
    user_agent: Option<String>,
}

impl AuditRow {
    fn into_entry(self) -> Result<LoggedEntry, sqlx::Error> {
        let json = |column: &str, text: Option<String>| {
            text.map(|text| {
                serde_json::from_str(&text).map_err(|e| unreadable_column(column, e.to_string()))
            })
            .transpose()
        };
        let actor = Actor::from_stored(&self.actor_kind, self.actor_user_id).ok_or_else(|| {
            unreadable_column("actor_kind", format!("unknown value {:?}", self.actor_kind))
        })?;
        Ok(LoggedEntry {
            id: self.id,
            occurred_at: self.occurred_at,
            actor,
            action: self.action,
            target_type: self.target_type,
            target_id: self.target_id,
            before: json("before_json", self.before_json)?,
            after: json("after_json", self.after_json)?,
            outcome: self.outcome,
            origin: RequestOrigin {
                ip: self.ip,
                user_agent: self.user_agent,
            },
        })
    }
}
