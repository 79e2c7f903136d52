//! The live org chart: after a change of a tenant's organization commits, every browser of
//! that tenant showing the chart learns what changed, within a second, without reloading.
//!
//! A change is published after its transaction commits, as an [`OrgChange`]: the tenant, the
//! new org revision and the ids of the departments that changed or went away.
//!
//! - On SQLite (one server process) it goes straight to this process's hub.
//! - On PostgreSQL it goes out with `NOTIFY kouka_org`, and every server process listening
//!   (this one included) hands it to its own hub. That is how several processes behind a
//!   load balancer all hear every change.
//!
//! The hub loads the changed departments once per process and broadcasts them; each live
//! stream ([`subscribe`](OrgEvents::subscribe)) passes on only its own tenant's events.
//! Whatever cannot be followed (a NOTIFY connection lost, a lagging stream, a change too big
//! for one event) becomes [`OrgEvent::Reload`], and the browser loads the chart again.

use crate::backend::db::{Db, DbKind};
use crate::backend::org;
use crate::domain::ids::{DepartmentId, TenantId};
use crate::domain::org_chart::OrgEvent;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use tokio::sync::broadcast;

/// The PostgreSQL channel the processes share.
const CHANNEL: &str = "kouka_org";

/// Above this many departments, an event says "reload" instead of listing them (a NOTIFY
/// payload holds under 8000 bytes, and the browser reloads quicker than it patches).
const MAX_LISTED: usize = 100;

/// What one committed transaction changed in a tenant's org chart.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgChange {
    pub tenant: Option<TenantId>,
    pub revision: i64,
    pub changed: Vec<DepartmentId>,
    pub removed: Vec<DepartmentId>,
    /// Too much to list (an import): every browser of the tenant reloads the chart.
    pub reload: bool,
}

impl OrgChange {
    pub fn new(tenant: &TenantId, revision: i64) -> OrgChange {
        OrgChange {
            tenant: Some(tenant.clone()),
            revision,
            ..OrgChange::default()
        }
    }

    pub fn changed(mut self, ids: impl IntoIterator<Item = DepartmentId>) -> OrgChange {
        for id in ids {
            if !self.changed.contains(&id) {
                self.changed.push(id);
            }
        }
        self
    }

    pub fn removed(mut self, id: DepartmentId) -> OrgChange {
        self.removed.push(id);
        self
    }

    pub fn reload(mut self) -> OrgChange {
        self.reload = true;
        self.changed.clear();
        self.removed.clear();
        self
    }

    fn too_big(&self) -> bool {
        self.changed.len() + self.removed.len() > MAX_LISTED
    }
}

/// One broadcast: the tenant it is for (`None`: every tenant, e.g. after a lost NOTIFY
/// connection) and the event.
pub type Broadcast = (Option<TenantId>, Arc<OrgEvent>);

/// The hub of this process.
#[derive(Clone, Debug)]
pub struct OrgEvents {
    db: Db,
    sender: broadcast::Sender<Broadcast>,
    /// Becomes `true` when the server shuts down: every live stream ends, so the graceful
    /// shutdown does not wait for browsers that never hang up.
    closing: tokio::sync::watch::Sender<bool>,
}

impl OrgEvents {
    /// The hub, and on PostgreSQL the task that listens for every process's changes (it
    /// reconnects by itself; abort it at shutdown).
    pub fn start(db: Db, database_url: &str) -> (OrgEvents, Option<tokio::task::JoinHandle<()>>) {
        let (sender, _) = broadcast::channel(256);
        let (closing, _) = tokio::sync::watch::channel(false);
        let events = OrgEvents {
            db,
            sender,
            closing,
        };
        let listener = (events.db.kind() == DbKind::Postgres).then(|| {
            let events = events.clone();
            let url = database_url.to_owned();
            tokio::spawn(async move { events.listen(url).await })
        });
        (events, listener)
    }

    /// A live stream of every tenant's events; filter by tenant before passing one on.
    pub fn subscribe(&self) -> broadcast::Receiver<Broadcast> {
        self.sender.subscribe()
    }

    /// Resolves when the server starts shutting down.
    pub fn closing(&self) -> tokio::sync::watch::Receiver<bool> {
        self.closing.subscribe()
    }

    /// Ends every live stream (at shutdown).
    pub fn close(&self) {
        self.closing.send_replace(true);
    }

    /// Announces a committed change. Never fails the request: a lost event makes browsers
    /// reload at the next one (they notice the revision gap).
    pub async fn publish(&self, change: OrgChange) {
        let change = if change.too_big() {
            change.reload()
        } else {
            change
        };
        match self.db.kind() {
            DbKind::Sqlite => self.deliver(change).await,
            DbKind::Postgres => {
                let payload = serde_json::to_string(&change).unwrap_or_default();
                let sent = sqlx::query("SELECT pg_notify($1, $2)")
                    .bind(CHANNEL)
                    .bind(payload)
                    .execute(self.db.pool())
                    .await;
                if let Err(error) = sent {
                    tracing::error!(%error, "could not announce an org change");
                }
            }
        }
    }

    /// Loads what changed and broadcasts it to this process's streams.
    async fn deliver(&self, change: OrgChange) {
        let Some(tenant) = change.tenant.clone() else {
            return;
        };
        let event = if change.reload {
            OrgEvent::Reload {
                revision: change.revision,
            }
        } else {
            match org::departments_by_id(&self.db, &tenant, &change.changed).await {
                Ok(departments) => OrgEvent::Changed {
                    revision: change.revision,
                    departments,
                    removed: change.removed,
                },
                Err(error) => {
                    tracing::error!(%error, "could not load changed departments");
                    OrgEvent::Reload {
                        revision: change.revision,
                    }
                }
            }
        };
        // No receivers is fine: nobody is looking at the chart right now.
        let _ = self.sender.send((Some(tenant), Arc::new(event)));
    }

    /// Tells every stream to reload (after missing notifications).
    fn everyone_reload(&self) {
        let _ = self
            .sender
            .send((None, Arc::new(OrgEvent::Reload { revision: 0 })));
    }

    /// PostgreSQL: hands every process's notifications to this hub, reconnecting when the
    /// connection drops (and telling every stream to reload, since some may be lost).
    async fn listen(self, url: String) {
        loop {
            match sqlx::postgres::PgListener::connect(&url).await {
                Ok(mut listener) => {
                    if let Err(error) = listener.listen(CHANNEL).await {
                        tracing::error!(%error, "cannot LISTEN for org changes");
                    } else {
                        loop {
                            match listener.try_recv().await {
                                Ok(Some(notification)) => {
                                    match serde_json::from_str::<OrgChange>(notification.payload())
                                    {
                                        Ok(change) => self.deliver(change).await,
                                        Err(error) => {
                                            tracing::error!(%error, "unreadable org change")
                                        }
                                    }
                                }
                                Ok(None) => {
                                    tracing::warn!("org change listener reconnecting");
                                    self.everyone_reload();
                                }
                                Err(error) => {
                                    tracing::error!(%error, "org change listener failed");
                                    break;
                                }
                            }
                        }
                    }
                }
                Err(error) => tracing::error!(%error, "cannot connect the org change listener"),
            }
            self.everyone_reload();
            tokio::time::sleep(std::time::Duration::from_secs(1)).await;
        }
    }
}
