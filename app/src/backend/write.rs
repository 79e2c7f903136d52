//! The frame of every change a signed-in user makes: who makes it, from where and when
//! ([`WriteContext`]), and the tail each write ends with — its audit row in the same
//! transaction, then the commit ([`WriteContext::audit_and_commit`]). Publishing to live
//! browsers comes after the commit, in the server function (`RequestContext::publish`).

use crate::backend::audit::{self, Actor, AuditEntry, Outcome, RequestOrigin};
use crate::backend::db::{Db, DbError};
use crate::backend::sessions::SessionUser;
use crate::domain::audit::AuditAction;
use crate::domain::ids::TenantId;
use crate::domain::time::Timestamp;
use crate::error::AppError;
use sqlx::{Any, Transaction};

/// Who changes something, from where, and when: what a backend write needs besides its
/// own input. Server functions make one with `RequestContext::write_as`.
#[derive(Clone, Debug)]
pub struct WriteContext<'a> {
    pub db: &'a Db,
    /// The signed-in user making the change (already authorized for it).
    pub by: &'a SessionUser,
    pub origin: RequestOrigin,
    pub now: Timestamp,
    /// Whether the change mails whom it concerns (a sheet's next person). Always, but for
    /// the demo's made-up history, whose steps nobody took: [`WriteContext::telling_nobody`].
    pub tells: bool,
}

impl<'a> WriteContext<'a> {
    pub fn new(db: &'a Db, by: &'a SessionUser, origin: RequestOrigin, now: Timestamp) -> Self {
        WriteContext {
            db,
            by,
            origin,
            now,
            tells: true,
        }
    }

    /// The same write, mailing nobody: for the demo, whose steps tell of nothing real.
    pub fn telling_nobody(self) -> Self {
        WriteContext {
            tells: false,
            ..self
        }
    }

    /// The tenant every row of the change belongs to: the user's own.
    pub fn tenant(&self) -> &'a TenantId {
        &self.by.subject.tenant
    }

    /// A writing transaction in the user's tenant.
    pub async fn begin(&self) -> Result<Transaction<'static, Any>, DbError> {
        self.db.begin_write_for_tenant(self.tenant()).await
    }

    /// The audit row of a successful change of one record by this user.
    pub fn audit_entry(
        &self,
        action: AuditAction,
        target_type: &'a str,
        target_id: &'a str,
        before: Option<serde_json::Value>,
        after: Option<serde_json::Value>,
    ) -> AuditEntry<'a> {
        AuditEntry {
            tenant: self.tenant(),
            actor: Actor::User(self.by.subject.user.clone()),
            action,
            target_type: Some(target_type),
            target_id: Some(target_id),
            before,
            after,
            outcome: Outcome::Success,
            origin: self.origin.clone(),
        }
    }

    /// The end of a write: `entry` in the change's own transaction, then the commit, so
    /// that the change and its audit row land or vanish together.
    pub async fn audit_and_commit(
        &self,
        mut tx: Transaction<'static, Any>,
        entry: AuditEntry<'_>,
    ) -> Result<(), AppError> {
        audit::record(&mut tx, entry).await?;
        tx.commit().await?;
        Ok(())
    }
}
