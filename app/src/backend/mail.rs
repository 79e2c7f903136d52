//! The mail outbox and its delivery worker.
//!
//! [`enqueue`] writes a mail into `mail_outbox` inside the transaction of the change that
//! causes it, so the mail exists if and only if that change commits. [`deliver_due`] sends
//! what is due: over SMTP when `KOUKA_SMTP_URL` is set, otherwise as `.eml` files in
//! `KOUKA_MAIL_DIR`. A failed delivery is retried later with backoff (1, 2, 4 … 60 minutes)
//! and never dropped. Once sent, the body is blanked: it may hold a one-time link.
//!
//! [`spawn_mail_worker`] runs a pass every few seconds, and at once when woken through a
//! [`MailHandle`] (server functions call `wake()` after committing a mail).

use crate::backend::db::{Db, DbError, DbKind};
use crate::domain::ids::{MailId, TenantId};
use crate::domain::time::Timestamp;
use futures::StreamExt;
use lettre::message::Mailbox;
use lettre::message::header::ContentType;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use sqlx::{Any, Transaction};
use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};
use tokio::sync::{Notify, oneshot};
use tokio::task::JoinHandle;

/// Mails sent per tenant and pass; the rest wait for the next pass.
const BATCH_SIZE: i64 = 50;
/// The first retry waits this long; each further failure doubles it, up to the cap.
const FIRST_RETRY_MICROS: i64 = 60 * 1_000_000;
const LONGEST_RETRY_MICROS: i64 = 60 * 60 * 1_000_000;
/// How often the worker looks for due mail when nobody wakes it.
const POLL_INTERVAL: Duration = Duration::from_secs(5);
/// A hanging SMTP server must not hold the pass (and, on PostgreSQL, its row locks) long.
const SMTP_TIMEOUT: Duration = Duration::from_secs(20);
/// At shutdown, the pass in progress gets this long to finish before it is cut off.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);
/// `last_error` is a hint for the operator, not a log.
const MAX_ERROR_CHARS: usize = 300;

/// Which mails go first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum MailPriority {
    /// Account security, which a person is waiting for: password resets, lock notices,
    /// a changed sign-in address. Sent before anything else, of any tenant.
    Urgent,
    /// Everything else, bulk invitations of an import among them.
    Normal,
}

impl MailPriority {
    /// As stored in `mail_outbox.priority`: lower goes first.
    fn as_i64(self) -> i64 {
        match self {
            MailPriority::Urgent => 0,
            MailPriority::Normal => 1,
        }
    }
}

/// A mail to send. `body_text` holds the Japanese part followed by the English part.
#[derive(Clone, PartialEq, Eq)]
pub struct OutgoingMail {
    pub to: String,
    pub subject: String,
    pub body_text: String,
    pub priority: MailPriority,
}

// By hand: the body may hold a one-time link, which must not reach a log.
impl fmt::Debug for OutgoingMail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OutgoingMail")
            .field("to", &self.to)
            .field("subject", &self.subject)
            .finish_non_exhaustive()
    }
}

/// Adds `mail` to the outbox, due now. Call it in the transaction of the change that causes
/// the mail, then wake the worker ([`MailHandle::wake`]) after the commit.
#[tracing::instrument(skip_all)]
pub async fn enqueue(
    tx: &mut Transaction<'static, Any>,
    tenant: &TenantId,
    mail: OutgoingMail,
) -> Result<(), sqlx::Error> {
    enqueue_many(tx, tenant, vec![mail]).await
}

/// Adds several mails at once (an import's invitations), like [`enqueue`].
#[tracing::instrument(skip_all)]
pub async fn enqueue_many(
    tx: &mut Transaction<'static, Any>,
    tenant: &TenantId,
    mails: Vec<OutgoingMail>,
) -> Result<(), sqlx::Error> {
    use crate::backend::db::{Value, insert_many};
    let now = Timestamp::now().as_micros();
    let rows = mails
        .into_iter()
        .map(|mail| {
            vec![
                ("tenant_id", Value::from(tenant.as_str())),
                ("id", Value::from(MailId::generate().as_str())),
                ("to_address", Value::from(mail.to)),
                ("subject", Value::from(mail.subject)),
                ("body_text", Value::from(mail.body_text)),
                ("created_at", Value::from(now)),
                ("attempts", Value::from(0_i64)),
                ("next_attempt_at", Value::from(now)),
                ("priority", Value::from(mail.priority.as_i64())),
            ]
        })
        .collect();
    insert_many(tx, "mail_outbox", rows).await
}

/// Where mails go.
#[derive(Clone, PartialEq, Eq)]
pub enum MailTransport {
    /// `smtp://host:25` (plain), `smtp://host:587?tls=required` (STARTTLS) or
    /// `smtps://user:pass@host:465` (TLS), as lettre reads them.
    Smtp { url: String },
    /// `.eml` files in this folder, created when missing.
    Directory(PathBuf),
}

impl MailTransport {
    /// SMTP when a URL is configured, the mail folder otherwise.
    pub fn from_config(smtp_url: Option<String>, mail_dir: PathBuf) -> MailTransport {
        match smtp_url.filter(|url| !url.trim().is_empty()) {
            Some(url) => MailTransport::Smtp { url },
            None => MailTransport::Directory(mail_dir),
        }
    }
}

// By hand: the SMTP URL may carry a password.
impl fmt::Debug for MailTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MailTransport::Smtp { .. } => f.write_str("Smtp { .. }"),
            MailTransport::Directory(dir) => f.debug_tuple("Directory").field(dir).finish(),
        }
    }
}

/// How the worker sends.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MailSettings {
    pub transport: MailTransport,
    /// The `From` header, e.g. `Kouka <no-reply@example.jp>`.
    pub from: String,
    /// `KOUKA_MAIL_CONCURRENCY`: deliveries under way at once (SMTP connections are pooled).
    pub concurrency: usize,
    /// `KOUKA_MAIL_PER_SECOND`: at most this many mails a second, for an SMTP server that
    /// limits its clients; `None`: as fast as it accepts them.
    pub per_second: Option<u32>,
}

impl MailSettings {
    /// Four deliveries at once, no rate limit.
    pub fn new(transport: MailTransport, from: String) -> MailSettings {
        MailSettings {
            transport,
            from,
            concurrency: 4,
            per_second: None,
        }
    }
}

/// What one pass did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DeliveryReport {
    pub sent: usize,
    pub failed: usize,
    /// Some tenant had more due than one batch: the worker goes on at once.
    pub more_due: bool,
}

impl DeliveryReport {
    fn add(&mut self, other: DeliveryReport) {
        self.sent += other.sent;
        self.failed += other.failed;
        self.more_due |= other.more_due;
    }
}

/// One pass over every tenant: first the urgent mails of all of them, then a batch of
/// each tenant's others, each oldest first.
#[tracing::instrument(skip_all)]
pub async fn deliver_due(
    db: &Db,
    settings: &MailSettings,
    now: Timestamp,
) -> Result<DeliveryReport, DbError> {
    deliver_with(db, &Sender::new(settings), now).await
}

/// [`deliver_due`] with a sender the worker keeps (and with it the SMTP connection pool and
/// the pace) from pass to pass.
async fn deliver_with(db: &Db, sender: &Sender, now: Timestamp) -> Result<DeliveryReport, DbError> {
    // `tenants` has no row-level security: the raw pool may list it.
    let tenants: Vec<String> = sqlx::query_scalar("SELECT id FROM tenants ORDER BY id")
        .fetch_all(db.pool())
        .await?;
    let mut report = DeliveryReport::default();
    for only_urgent in [true, false] {
        for tenant in &tenants {
            let tenant = TenantId::from_stored(tenant.clone());
            report.add(deliver_for_tenant(db, sender, &tenant, now, only_urgent).await?);
        }
    }
    Ok(report)
}

/// Like [`deliver_due`], for one tenant only.
#[tracing::instrument(skip_all)]
pub async fn deliver_due_for_tenant(
    db: &Db,
    settings: &MailSettings,
    tenant: &TenantId,
    now: Timestamp,
) -> Result<DeliveryReport, DbError> {
    deliver_for_tenant(db, &Sender::new(settings), tenant, now, false).await
}

/// How many mails of a tenant wait to be sent: for the admins' pages.
#[tracing::instrument(skip_all)]
pub async fn queue_depth(db: &Db, tenant: &TenantId) -> Result<MailQueue, DbError> {
    let mut tx = db.begin_for_tenant(tenant).await?;
    let queue = sqlx::query_as(
        "SELECT COUNT(*) AS waiting, \
         COALESCE(SUM(CASE WHEN priority = 0 THEN 1 ELSE 0 END), 0) AS urgent, \
         COALESCE(SUM(CASE WHEN attempts > 0 THEN 1 ELSE 0 END), 0) AS retrying \
         FROM mail_outbox WHERE tenant_id = $1 AND sent_at IS NULL",
    )
    .bind(tenant.as_str())
    .fetch_one(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(queue)
}

pub use crate::domain::users::MailQueue;

/// A row of the outbox that is due.
#[derive(sqlx::FromRow)]
struct DueMail {
    id: MailId,
    #[sqlx(rename = "to_address")]
    to: String,
    subject: String,
    body_text: String,
    created_at: Timestamp,
    attempts: i64,
}

async fn deliver_for_tenant(
    db: &Db,
    sender: &Sender,
    tenant: &TenantId,
    now: Timestamp,
    only_urgent: bool,
) -> Result<DeliveryReport, DbError> {
    let mut report = DeliveryReport::default();
    let mut tx = db.begin_write_for_tenant(tenant).await?;
    let due = select_due(&mut tx, db.kind(), tenant, now, only_urgent).await?;
    if due.is_empty() {
        tx.commit().await?;
        return Ok(report);
    }
    report.more_due = due.len() as i64 == BATCH_SIZE;
    // PostgreSQL: keep the transaction, and with it the row locks, until the outcomes are
    // written, so other server processes skip these mails. SQLite: one process and one
    // worker, nobody to lock out; end the transaction now, because holding it across SMTP
    // would keep every other writer of the file waiting.
    let held = match db.kind() {
        DbKind::Postgres => Some(tx),
        DbKind::Sqlite => {
            tx.commit().await?;
            None
        }
    };
    // Several deliveries at once, each paced by the rate limit.
    let outcomes: Vec<(DueMail, Result<(), String>)> = futures::stream::iter(due)
        .map(|mail| async move {
            sender.pace().await;
            let outcome = sender.send(&mail).await;
            (mail, outcome)
        })
        .buffer_unordered(sender.concurrency)
        .collect()
        .await;
    for (mail, outcome) in &outcomes {
        match outcome {
            Ok(()) => report.sent += 1,
            Err(error) => {
                report.failed += 1;
                tracing::warn!(
                    tenant = %tenant,
                    mail = %mail.id,
                    attempts = mail.attempts + 1,
                    %error,
                    "mail not delivered; will retry"
                );
            }
        }
    }
    // One transaction for the batch's outcomes (on SQLite each commit is a disk sync). A
    // crash between sending and this commit sends the batch again, with the same
    // Message-IDs, which receivers recognise.
    let mut tx = match held {
        Some(tx) => tx,
        None => db.begin_write_for_tenant(tenant).await?,
    };
    for (mail, outcome) in &outcomes {
        record_outcome(&mut tx, tenant, mail, outcome, now).await?;
    }
    tx.commit().await?;
    Ok(report)
}

async fn select_due(
    tx: &mut Transaction<'static, Any>,
    kind: DbKind,
    tenant: &TenantId,
    now: Timestamp,
    only_urgent: bool,
) -> Result<Vec<DueMail>, sqlx::Error> {
    let urgent = if only_urgent { "AND priority = 0 " } else { "" };
    let select_due = format!(
        "SELECT id, to_address, subject, body_text, created_at, attempts \
         FROM mail_outbox \
         WHERE tenant_id = $1 AND sent_at IS NULL AND next_attempt_at <= $2 {urgent}\
         ORDER BY priority, created_at, id LIMIT $3"
    );
    let sql = match kind {
        DbKind::Sqlite => select_due,
        // Several server processes may share one PostgreSQL database: a row another one
        // is sending is locked, and skipped here rather than sent twice.
        DbKind::Postgres => format!("{select_due} FOR UPDATE SKIP LOCKED"),
    };
    sqlx::query_as(&sql)
        .bind(tenant.as_str())
        .bind(now.as_micros())
        .bind(BATCH_SIZE)
        .fetch_all(&mut **tx)
        .await
}

async fn record_outcome(
    tx: &mut Transaction<'static, Any>,
    tenant: &TenantId,
    mail: &DueMail,
    outcome: &Result<(), String>,
    now: Timestamp,
) -> Result<(), sqlx::Error> {
    match outcome {
        Ok(()) => {
            // The body is blanked: it may hold a one-time link, whose hash alone is kept.
            sqlx::query(
                "UPDATE mail_outbox SET sent_at = $3, attempts = attempts + 1, body_text = '', \
                 last_error = NULL WHERE tenant_id = $1 AND id = $2",
            )
            .bind(tenant.as_str())
            .bind(mail.id.as_str())
            .bind(now.as_micros())
            .execute(&mut **tx)
            .await?;
        }
        Err(error) => {
            let next_attempt = now
                .as_micros()
                .saturating_add(retry_delay_micros(mail.attempts + 1));
            sqlx::query(
                "UPDATE mail_outbox SET attempts = attempts + 1, last_error = $3, \
                 next_attempt_at = $4 WHERE tenant_id = $1 AND id = $2",
            )
            .bind(tenant.as_str())
            .bind(mail.id.as_str())
            .bind(error.as_str())
            .bind(next_attempt)
            .execute(&mut **tx)
            .await?;
        }
    }
    Ok(())
}

/// The wait after the `attempts`-th failure: 1 minute, then doubling, at most 1 hour.
fn retry_delay_micros(attempts: i64) -> i64 {
    // 2^6 minutes already passes the hour; clamping first keeps the shift small.
    let doublings = attempts.saturating_sub(1).clamp(0, 6);
    (FIRST_RETRY_MICROS << doublings).min(LONGEST_RETRY_MICROS)
}

/// The transport of one pass, built once. A configuration error does not stop the pass:
/// every mail fails with it, stays in the outbox, and the operator sees it in the log.
struct Sender {
    from: Result<Mailbox, String>,
    route: Result<Route, String>,
    concurrency: usize,
    /// One tick per mail when a rate is set.
    pacer: Option<tokio::sync::Mutex<tokio::time::Interval>>,
}

enum Route {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Directory(PathBuf),
}

impl Sender {
    fn new(settings: &MailSettings) -> Sender {
        let from = settings
            .from
            .parse::<Mailbox>()
            .map_err(|_| "KOUKA_MAIL_FROM is not a valid mail address".to_owned());
        let route = match &settings.transport {
            MailTransport::Smtp { url } => AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                .map(|builder| Route::Smtp(builder.timeout(Some(SMTP_TIMEOUT)).build()))
                // Not the URL itself in the message: it may carry a password.
                .map_err(|_| "KOUKA_SMTP_URL is not a valid SMTP URL".to_owned()),
            MailTransport::Directory(dir) => Ok(Route::Directory(dir.clone())),
        };
        let pacer = settings.per_second.filter(|n| *n > 0).map(|n| {
            let mut interval = tokio::time::interval(Duration::from_secs(1) / n);
            interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            tokio::sync::Mutex::new(interval)
        });
        Sender {
            from,
            route,
            concurrency: settings.concurrency.max(1),
            pacer,
        }
    }

    /// Waits for the next delivery's turn under `KOUKA_MAIL_PER_SECOND`.
    async fn pace(&self) {
        if let Some(pacer) = &self.pacer {
            pacer.lock().await.tick().await;
        }
    }

    /// Delivers one mail; the error is a short text for `last_error`.
    async fn send(&self, mail: &DueMail) -> Result<(), String> {
        let from = self.from.as_ref().map_err(Clone::clone)?;
        let route = self.route.as_ref().map_err(Clone::clone)?;
        let message = build_message(from, mail)?;
        match route {
            Route::Smtp(transport) => match transport.send(message).await {
                Ok(_) => Ok(()),
                Err(error) => Err(short(format!("SMTP: {error}"))),
            },
            Route::Directory(dir) => {
                let dir = dir.clone();
                let name = eml_file_name(mail);
                let bytes = message.formatted();
                match tokio::task::spawn_blocking(move || write_atomically(&dir, &name, &bytes))
                    .await
                {
                    Ok(Ok(())) => Ok(()),
                    Ok(Err(error)) => {
                        Err(short(format!("cannot write to the mail folder: {error}")))
                    }
                    Err(error) => Err(short(format!("mail folder writer stopped: {error}"))),
                }
            }
        }
    }
}

/// The message as sent. Its `Message-ID` comes from the outbox id, so a mail sent again
/// after a crash carries the same id and receivers can tell it is a duplicate.
fn build_message(from: &Mailbox, mail: &DueMail) -> Result<Message, String> {
    let to = mail
        .to
        .parse::<Mailbox>()
        .map_err(|_| "the recipient is not a valid mail address".to_owned())?;
    let created = u64::try_from(mail.created_at.as_micros()).unwrap_or(0);
    Message::builder()
        .from(from.clone())
        .to(to)
        // lettre encodes a non-ASCII subject as RFC 2047 and picks the body's transfer
        // encoding (base64 or quoted-printable for Japanese).
        .subject(mail.subject.as_str())
        .date(UNIX_EPOCH + Duration::from_micros(created))
        .message_id(Some(format!("<{}@{}>", mail.id, from.email.domain())))
        .header(ContentType::TEXT_PLAIN)
        .body(mail.body_text.clone())
        .map_err(|error| short(format!("cannot build the message: {error}")))
}

/// `<created micros, zero padded>-<mail id>.eml`: file names sort by time.
fn eml_file_name(mail: &DueMail) -> String {
    format!("{:016}-{}.eml", mail.created_at.as_micros(), mail.id)
}

/// Writes `name` in `dir` so that a reader never sees half a file: a hidden temporary file,
/// synced, then renamed. A file already there (a mail sent again after a crash) is replaced.
fn write_atomically(dir: &Path, name: &str, bytes: &[u8]) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let temporary = dir.join(format!(".{name}.tmp"));
    let mut file = std::fs::File::create(&temporary)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    drop(file);
    std::fs::rename(&temporary, dir.join(name))?;
    // Make the rename durable before the row says "sent"; not every platform can.
    if let Ok(folder) = std::fs::File::open(dir) {
        let _ = folder.sync_all();
    }
    Ok(())
}

fn short(mut text: String) -> String {
    if let Some((cut, _)) = text.char_indices().nth(MAX_ERROR_CHARS) {
        text.truncate(cut);
        text.push('…');
    }
    text
}

/// Wakes the mail worker, so mail committed just now goes out without waiting for the next
/// poll. Cheap to clone; server functions get it with `use_context::<MailHandle>()`.
#[derive(Clone, Debug, Default)]
pub struct MailHandle {
    wake: Arc<Notify>,
}

impl MailHandle {
    /// Asks for a pass now. A wake during a pass brings another pass right after it.
    pub fn wake(&self) {
        self.wake.notify_one();
    }
}

/// The running worker. [`MailWorker::shutdown`] stops it; dropping it stops it too (after
/// the pass in progress).
pub struct MailWorker {
    handle: MailHandle,
    stop: oneshot::Sender<()>,
    task: JoinHandle<()>,
}

impl MailWorker {
    /// A handle to wake this worker.
    pub fn handle(&self) -> MailHandle {
        self.handle.clone()
    }

    pub fn wake(&self) {
        self.handle.wake();
    }

    /// Stops the worker: the pass in progress may finish within a few seconds, else it is
    /// cut off (its mails stay due and go out on the next start).
    pub async fn shutdown(self) {
        let MailWorker { stop, mut task, .. } = self;
        let _ = stop.send(());
        if tokio::time::timeout(SHUTDOWN_GRACE, &mut task)
            .await
            .is_err()
        {
            tracing::warn!("mail worker did not stop in time; cut off");
            task.abort();
        }
    }
}

/// Starts the worker on the current tokio runtime: a pass at once (mail left over from
/// before a restart), then every few seconds and whenever woken.
pub fn spawn_mail_worker(db: Db, settings: MailSettings) -> MailWorker {
    if let Err(error) = &Sender::new(&settings).from {
        tracing::error!("{error}: mails cannot be sent until it is fixed");
    }
    let handle = MailHandle::default();
    let (stop, stopped) = oneshot::channel();
    let task = tokio::spawn(run_worker(db, settings, handle.wake.clone(), stopped));
    MailWorker { handle, stop, task }
}

async fn run_worker(
    db: Db,
    settings: MailSettings,
    wake: Arc<Notify>,
    mut stopped: oneshot::Receiver<()>,
) {
    let sender = Sender::new(&settings);
    loop {
        let mut more_due = false;
        match deliver_with(&db, &sender, Timestamp::now()).await {
            Ok(report) if report != DeliveryReport::default() => {
                tracing::info!(
                    sent = report.sent,
                    failed = report.failed,
                    "mail delivery pass"
                );
                // Only while mails go out: a failing server is retried with backoff.
                more_due = report.more_due && report.sent > 0;
            }
            Ok(_) => {}
            // Never fatal: the database may be back by the next pass.
            Err(error) => tracing::error!(%error, "mail delivery pass failed"),
        }
        if more_due {
            // A full batch went out and more is due (an import's invitations): go on at
            // once instead of waiting for the next poll.
            if stopped.try_recv() != Err(oneshot::error::TryRecvError::Empty) {
                break;
            }
            continue;
        }
        tokio::select! {
            // A stop signal, or the worker handle dropped without one.
            _ = &mut stopped => break,
            () = wake.notified() => {}
            () = tokio::time::sleep(POLL_INTERVAL) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn due_mail(subject: &str, body: &str) -> DueMail {
        DueMail {
            id: MailId::from_stored("0190b6e0-0000-7000-8000-000000000001".into()),
            to: "山田 <taro@example.jp>".into(),
            subject: subject.into(),
            body_text: body.into(),
            created_at: Timestamp::from_micros(1_780_000_000_000_000),
            attempts: 0,
        }
    }

    #[test]
    fn retries_back_off_to_one_hour() {
        let minutes: Vec<i64> = (1..=9)
            .map(|n| retry_delay_micros(n) / 60_000_000)
            .collect();
        assert_eq!(minutes, [1, 2, 4, 8, 16, 32, 60, 60, 60]);
        assert_eq!(retry_delay_micros(i64::MAX), LONGEST_RETRY_MICROS);
    }

    #[test]
    fn transport_follows_the_configuration() {
        let dir = PathBuf::from("data/mail");
        assert_eq!(
            MailTransport::from_config(None, dir.clone()),
            MailTransport::Directory(dir.clone())
        );
        assert_eq!(
            MailTransport::from_config(Some("smtp://localhost:25".into()), dir),
            MailTransport::Smtp {
                url: "smtp://localhost:25".into()
            }
        );
        let secret = MailTransport::Smtp {
            url: "smtps://u:hunter2@host".into(),
        };
        assert!(!format!("{secret:?}").contains("hunter2"));
    }

    #[test]
    fn message_has_the_headers_of_a_proper_mail() {
        let from: Mailbox = "Kouka <no-reply@example.jp>".parse().expect("from");
        let message =
            build_message(&from, &due_mail("パスワードの再設定", "本文\n\nBody")).expect("message");
        let text = String::from_utf8(message.formatted()).expect("ascii");
        for header in [
            "From: Kouka <no-reply@example.jp>\r\n",
            "Subject: =?utf-8?",
            "Date: ",
            "Message-ID: <0190b6e0-0000-7000-8000-000000000001@example.jp>\r\n",
            "Content-Type: text/plain; charset=utf-8\r\n",
        ] {
            assert!(text.contains(header), "{header:?} missing in:\n{text}");
        }
        assert!(text.contains("To: "));
    }

    #[test]
    fn bad_addresses_fail_the_mail_not_the_pass() {
        let from: Mailbox = "Kouka <no-reply@example.jp>".parse().expect("from");
        let mut mail = due_mail("件名", "本文");
        mail.to = "not an address\r\nBcc: x@example.jp".into();
        assert!(build_message(&from, &mail).is_err());
        let sender = Sender::new(&MailSettings::new(
            MailTransport::Smtp {
                url: "nonsense".into(),
            },
            "no address".into(),
        ));
        assert!(sender.from.is_err());
        assert!(sender.route.is_err());
        // The default of KOUKA_MAIL_FROM must be a sender lettre accepts.
        assert!("Kouka <no-reply@localhost>".parse::<Mailbox>().is_ok());
    }

    #[test]
    fn file_names_sort_by_time_and_errors_stay_short() {
        let mut early = due_mail("a", "b");
        early.created_at = Timestamp::from_micros(999_999_999_999_999);
        let late = due_mail("a", "b");
        assert!(eml_file_name(&early) < eml_file_name(&late));
        assert!(eml_file_name(&late).ends_with("-0190b6e0-0000-7000-8000-000000000001.eml"));
        let long = short("エ".repeat(1000));
        assert_eq!(long.chars().count(), MAX_ERROR_CHARS + 1);
    }
}
