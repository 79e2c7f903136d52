//! The mail outbox on both databases: mails committed with their transaction and only
//! then, `.eml` files and a real SMTP server, retries that never lose a mail, blanked
//! bodies, one tenant at a time, and the worker the server runs.

mod common;

use common::insert_tenant;

use common::{TestDb, spawn_app_with};
use kouka_app::backend::db::{Db, DbKind};
use kouka_app::backend::mail::{
    self, DeliveryReport, MailPriority, MailSettings, MailTransport, OutgoingMail,
    spawn_mail_worker,
};
use kouka_app::domain::ids::TenantId;
use kouka_app::domain::time::Timestamp;
use mail_parser::{MessageParser, MimeHeaders};
use sqlx::Row;
use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const FROM: &str = "Kouka <no-reply@example.jp>";
const JA_SUBJECT: &str = "【考課】招待のお知らせ / Invitation to Kouka";
const JA_BODY: &str = "山田 太郎 様\n\n\
    株式会社サンプルの人事考課システムに招待されました。\n\
    次のリンクからパスワードを設定してください（72時間有効）。\n\
    https://kouka.example.jp/invite/one-time-secret\n\n\
    ---\n\
    Dear Taro Yamada,\n\n\
    You have been invited to Kouka. Set your password within 72 hours:\n\
    https://kouka.example.jp/invite/one-time-secret\n";

fn japanese_mail() -> OutgoingMail {
    OutgoingMail {
        to: "山田 太郎 <taro@example.jp>".into(),
        subject: JA_SUBJECT.into(),
        body_text: JA_BODY.into(),
        priority: MailPriority::Normal,
    }
}

fn plain_mail(to: &str) -> OutgoingMail {
    OutgoingMail {
        to: to.into(),
        subject: "Password reset".into(),
        body_text: "Reset your password: https://kouka.example.jp/reset/x\n".into(),
        priority: MailPriority::Urgent,
    }
}

/// Enqueues `mails` for `tenant` in one transaction and commits it.
async fn enqueue_committed(db: &Db, tenant: &TenantId, mails: Vec<OutgoingMail>) {
    let mut tx = db.begin_for_tenant(tenant).await.expect("begin");
    for m in mails {
        mail::enqueue(&mut tx, tenant, m).await.expect("enqueue");
    }
    tx.commit().await.expect("commit");
}

/// A fresh folder for `.eml` files; the outbox creates it on first use.
fn mail_dir() -> PathBuf {
    std::env::temp_dir().join(format!("kouka-mail-{}", uuid::Uuid::now_v7().simple()))
}

fn to_folder(dir: &Path) -> MailSettings {
    MailSettings::new(MailTransport::Directory(dir.to_path_buf()), FROM.into())
}

fn over_smtp(port: u16) -> MailSettings {
    MailSettings::new(
        MailTransport::Smtp {
            url: format!("smtp://127.0.0.1:{port}"),
        },
        FROM.into(),
    )
}

/// The `.eml` files in `dir`, by name (and so by time), while no delivery is under way:
/// fails on a leftover temporary file.
fn eml_files(dir: &Path) -> Vec<PathBuf> {
    let files = files_in(dir);
    for path in &files {
        assert_eq!(
            path.extension().and_then(|e| e.to_str()),
            Some("eml"),
            "only finished .eml files in the mail folder: {path:?}"
        );
    }
    files
}

/// The finished `.eml` files in `dir` while a worker may be writing the next one (as
/// `.<name>.tmp`, renamed when complete); any other file fails the test.
fn finished_eml_files(dir: &Path) -> Vec<PathBuf> {
    files_in(dir)
        .into_iter()
        .filter(|path| {
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            let in_progress = name.starts_with('.') && name.ends_with(".eml.tmp");
            assert!(
                in_progress || name.ends_with(".eml"),
                "only .eml files and ones being written in the mail folder: {path:?}"
            );
            !in_progress
        })
        .collect()
}

/// All files in `dir`, by name.
fn files_in(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .map(|entry| entry.expect("dir entry").path())
        .collect();
    files.sort();
    files
}

#[derive(Debug)]
struct OutboxRow {
    to_address: String,
    body_text: String,
    attempts: i64,
    next_attempt_at: i64,
    sent_at: Option<i64>,
    last_error: Option<String>,
}

/// The tenant's outbox, oldest first, read as the app reads it (under row-level security).
async fn outbox(db: &Db, tenant: &TenantId) -> Vec<OutboxRow> {
    let mut tx = db.begin_for_tenant(tenant).await.expect("begin");
    let rows = sqlx::query(
        "SELECT to_address, body_text, attempts, next_attempt_at, sent_at, last_error \
         FROM mail_outbox WHERE tenant_id = $1 ORDER BY created_at, id",
    )
    .bind(tenant.as_str())
    .fetch_all(&mut *tx)
    .await
    .expect("read outbox");
    tx.commit().await.expect("commit");
    rows.iter()
        .map(|row| OutboxRow {
            to_address: row.get("to_address"),
            body_text: row.get("body_text"),
            attempts: row.get("attempts"),
            next_attempt_at: row.get("next_attempt_at"),
            sent_at: row.get("sent_at"),
            last_error: row.get("last_error"),
        })
        .collect()
}

/// Checks a raw message carries the Japanese mail, properly encoded.
fn assert_is_the_japanese_mail(raw: &[u8]) {
    let text = std::str::from_utf8(raw).expect("a mail on the wire is 7-bit ASCII");
    let subject_line = text
        .lines()
        .find(|line| line.starts_with("Subject:"))
        .expect("Subject header");
    assert!(
        subject_line.is_ascii() && subject_line.to_ascii_lowercase().contains("=?utf-8?"),
        "the subject is RFC 2047 encoded: {subject_line}"
    );
    let message = MessageParser::default().parse(raw).expect("parse mail");
    assert_eq!(message.subject(), Some(JA_SUBJECT));
    let from = message.from().and_then(|a| a.first()).expect("From");
    assert_eq!(from.address(), Some("no-reply@example.jp"));
    let to = message.to().and_then(|a| a.first()).expect("To");
    assert_eq!(to.address(), Some("taro@example.jp"));
    assert_eq!(to.name(), Some("山田 太郎"));
    assert!(message.date().is_some(), "Date header");
    assert!(message.message_id().is_some(), "Message-ID header");
    let content_type = message.content_type().expect("Content-Type");
    assert_eq!(content_type.ctype(), "text");
    assert_eq!(content_type.subtype(), Some("plain"));
    assert_eq!(
        content_type
            .attribute("charset")
            .map(str::to_ascii_lowercase),
        Some("utf-8".into())
    );
    let body = message.body_text(0).expect("text body");
    assert!(body.contains("山田 太郎 様"), "Japanese part: {body}");
    assert!(
        body.contains("株式会社サンプルの人事考課システム"),
        "{body}"
    );
    assert!(body.contains("Dear Taro Yamada"), "English part: {body}");
    assert!(body.contains("https://kouka.example.jp/invite/one-time-secret"));
}

async fn directory_transport_writes_eml_files(kind: DbKind) {
    let Some(test_db) = TestDb::new(kind).await else {
        return;
    };
    let db = &test_db.db;
    let tenant = insert_tenant(db, "mail-dir").await;
    let dir = mail_dir();
    enqueue_committed(
        db,
        &tenant,
        vec![japanese_mail(), plain_mail("hr@example.jp")],
    )
    .await;

    let now = Timestamp::now();
    let report = mail::deliver_due(db, &to_folder(&dir), now)
        .await
        .expect("pass");
    assert_eq!(
        report,
        DeliveryReport {
            sent: 2,
            failed: 0,
            more_due: false
        }
    );

    let files = eml_files(&dir);
    assert_eq!(files.len(), 2, "{files:?}");
    // Names sort by time, so the first enqueued comes first.
    assert_is_the_japanese_mail(&std::fs::read(&files[0]).expect("read .eml"));
    let second = std::fs::read(&files[1]).expect("read .eml");
    let second = MessageParser::default().parse(&second).expect("parse");
    assert_eq!(second.subject(), Some("Password reset"));
    assert!(
        second
            .body_text(0)
            .is_some_and(|body| body.contains("/reset/x"))
    );

    let rows = outbox(db, &tenant).await;
    assert_eq!(rows.len(), 2);
    for row in &rows {
        assert_eq!(row.sent_at, Some(now.as_micros()), "{row:?}");
        assert_eq!(row.body_text, "", "a sent body is blanked: {row:?}");
        assert_eq!(row.attempts, 1);
        assert_eq!(row.last_error, None);
    }

    let again = mail::deliver_due(db, &to_folder(&dir), Timestamp::now())
        .await
        .expect("second pass");
    assert_eq!(again, DeliveryReport::default(), "nothing is sent twice");
    assert_eq!(eml_files(&dir).len(), 2);

    let _ = std::fs::remove_dir_all(&dir);
    test_db.drop_db().await;
}

async fn rolled_back_mail_is_never_delivered(kind: DbKind) {
    let Some(test_db) = TestDb::new(kind).await else {
        return;
    };
    let db = &test_db.db;
    let tenant = insert_tenant(db, "mail-rollback").await;
    let dir = mail_dir();
    let mut tx = db.begin_for_tenant(&tenant).await.expect("begin");
    mail::enqueue(&mut tx, &tenant, japanese_mail())
        .await
        .expect("enqueue");
    tx.rollback().await.expect("rollback");

    let report = mail::deliver_due(db, &to_folder(&dir), Timestamp::now())
        .await
        .expect("pass");
    assert_eq!(report, DeliveryReport::default());
    assert!(eml_files(&dir).is_empty());
    assert!(outbox(db, &tenant).await.is_empty());

    let _ = std::fs::remove_dir_all(&dir);
    test_db.drop_db().await;
}

/// A port on 127.0.0.1 where nothing listens (it was free a moment ago).
fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind port 0");
    listener.local_addr().expect("local addr").port()
}

async fn failed_delivery_is_retried_and_never_lost(kind: DbKind) {
    let Some(test_db) = TestDb::new(kind).await else {
        return;
    };
    let db = &test_db.db;
    let tenant = insert_tenant(db, "mail-retry").await;
    enqueue_committed(db, &tenant, vec![japanese_mail()]).await;

    let now = Timestamp::now();
    let report = mail::deliver_due(db, &over_smtp(closed_port()), now)
        .await
        .expect("a failed delivery is not a failed pass");
    assert_eq!(
        report,
        DeliveryReport {
            sent: 0,
            failed: 1,
            more_due: false
        }
    );
    let rows = outbox(db, &tenant).await;
    let row = &rows[0];
    assert_eq!(row.attempts, 1);
    assert_eq!(row.sent_at, None);
    assert_eq!(row.body_text, JA_BODY, "the body is kept until sent");
    let error = row.last_error.as_deref().expect("last_error");
    assert!(!error.is_empty() && error.chars().count() <= 301, "{error}");
    assert_eq!(
        row.next_attempt_at,
        now.as_micros() + 60_000_000,
        "the first retry waits a minute"
    );

    // Not due yet: even a working transport leaves it alone.
    let dir = mail_dir();
    let early = mail::deliver_due(db, &to_folder(&dir), now)
        .await
        .expect("pass");
    assert_eq!(early, DeliveryReport::default());

    let later = Timestamp::from_micros(now.as_micros() + 61_000_000);
    let report = mail::deliver_due(db, &to_folder(&dir), later)
        .await
        .expect("pass");
    assert_eq!(
        report,
        DeliveryReport {
            sent: 1,
            failed: 0,
            more_due: false
        }
    );
    let files = eml_files(&dir);
    assert_eq!(files.len(), 1);
    assert_is_the_japanese_mail(&std::fs::read(&files[0]).expect("read .eml"));
    let rows = outbox(db, &tenant).await;
    let row = &rows[0];
    assert_eq!(row.attempts, 2);
    assert_eq!(row.sent_at, Some(later.as_micros()));
    assert_eq!(row.last_error, None);
    assert_eq!(row.body_text, "");

    let _ = std::fs::remove_dir_all(&dir);
    test_db.drop_db().await;
}

/// A real SMTP server (Python's aiosmtpd, `tests/support/smtp_sink.py`) writing what it
/// receives into a folder. Stopped and removed on drop.
struct SmtpSink {
    child: Child,
    port: u16,
    folder: PathBuf,
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.folder);
    }
}

/// Starts the sink; `None` (with a notice) when aiosmtpd is missing, except in a full run
/// (`KOUKA_REQUIRE_POSTGRES` set), where that is a failure.
fn start_smtp_sink() -> Option<SmtpSink> {
    let available = Command::new("python3")
        .args(["-c", "import aiosmtpd"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success());
    if !available {
        assert!(
            std::env::var("KOUKA_REQUIRE_POSTGRES").is_err(),
            "a full run needs python3 with aiosmtpd (scripts/setup.sh test installs it)"
        );
        eprintln!("real SMTP test skipped: python3 cannot import aiosmtpd (pip install aiosmtpd)");
        return None;
    }
    let folder = std::env::temp_dir().join(format!("kouka-smtp-{}", uuid::Uuid::now_v7().simple()));
    std::fs::create_dir_all(&folder).expect("sink folder");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/smtp_sink.py");
    let child = Command::new("python3")
        .arg(script)
        .arg(&folder)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("start the SMTP sink");
    let mut sink = SmtpSink {
        child,
        port: 0,
        folder,
    };
    let stdout = sink.child.stdout.take().expect("sink stdout");
    let mut line = String::new();
    std::io::BufReader::new(stdout)
        .read_line(&mut line)
        .expect("read the sink's port");
    sink.port = line
        .trim()
        .parse()
        .unwrap_or_else(|_| panic!("the sink printed {line:?} instead of its port"));
    Some(sink)
}

async fn real_smtp_server_receives_the_mail(kind: DbKind) {
    let Some(sink) = start_smtp_sink() else {
        return;
    };
    let Some(test_db) = TestDb::new(kind).await else {
        return;
    };
    let db = &test_db.db;
    let tenant = insert_tenant(db, "mail-smtp").await;
    enqueue_committed(db, &tenant, vec![japanese_mail()]).await;

    let report = mail::deliver_due(db, &over_smtp(sink.port), Timestamp::now())
        .await
        .expect("pass");
    assert_eq!(
        report,
        DeliveryReport {
            sent: 1,
            failed: 0,
            more_due: false
        }
    );

    // The sink writes the message before it answers 250, so it is there now.
    let received = std::fs::read_to_string(sink.folder.join("1.json")).expect("received mail");
    let received: serde_json::Value = serde_json::from_str(&received).expect("sink json");
    assert_eq!(received["mail_from"], "no-reply@example.jp");
    assert_eq!(received["rcpt_tos"], serde_json::json!(["taro@example.jp"]));
    let data = received["data"].as_str().expect("data");
    assert_is_the_japanese_mail(data.as_bytes());

    let rows = outbox(db, &tenant).await;
    assert!(rows[0].sent_at.is_some());
    assert_eq!(rows[0].body_text, "");
    assert!(!sink.folder.join("2.json").exists(), "delivered once");

    test_db.drop_db().await;
    drop(sink);
}

async fn each_tenant_is_delivered_in_its_own_turn(kind: DbKind) {
    let Some(test_db) = TestDb::new(kind).await else {
        return;
    };
    let db = &test_db.db;
    let a = insert_tenant(db, "mail-a").await;
    let b = insert_tenant(db, "mail-b").await;
    enqueue_committed(db, &a, vec![plain_mail("a@example.jp")]).await;
    enqueue_committed(db, &b, vec![plain_mail("b@example.jp")]).await;
    let dir = mail_dir();
    let settings = to_folder(&dir);

    let report = mail::deliver_due_for_tenant(db, &settings, &a, Timestamp::now())
        .await
        .expect("pass for A");
    assert_eq!(
        report,
        DeliveryReport {
            sent: 1,
            failed: 0,
            more_due: false
        }
    );
    let files = eml_files(&dir);
    assert_eq!(files.len(), 1);
    let raw = std::fs::read(&files[0]).expect("read .eml");
    let message = MessageParser::default().parse(&raw).expect("parse");
    assert_eq!(
        message
            .to()
            .and_then(|to| to.first())
            .and_then(|to| to.address()),
        Some("a@example.jp")
    );
    let a_rows = outbox(db, &a).await;
    assert_eq!(a_rows.len(), 1, "A sees its own mail only");
    assert!(a_rows[0].sent_at.is_some());
    let b_rows = outbox(db, &b).await;
    assert_eq!(b_rows.len(), 1);
    assert_eq!(b_rows[0].to_address, "b@example.jp");
    assert_eq!(b_rows[0].sent_at, None, "B waits for its own turn");
    assert_eq!(b_rows[0].attempts, 0);

    let report = mail::deliver_due(db, &settings, Timestamp::now())
        .await
        .expect("pass over all tenants");
    assert_eq!(
        report,
        DeliveryReport {
            sent: 1,
            failed: 0,
            more_due: false
        },
        "only B was left"
    );
    assert_eq!(eml_files(&dir).len(), 2);

    let _ = std::fs::remove_dir_all(&dir);
    test_db.drop_db().await;
}

#[tokio::test]
async fn postgres_skips_mails_another_process_is_sending() {
    let Some(pg) = TestDb::new(DbKind::Postgres).await else {
        return;
    };
    let db = &pg.db;
    let tenant = insert_tenant(db, "mail-locked").await;
    enqueue_committed(db, &tenant, vec![plain_mail("hr@example.jp")]).await;
    let dir = mail_dir();

    // Another server process in the middle of sending it holds the row lock.
    let mut other = db.begin_for_tenant(&tenant).await.expect("begin");
    sqlx::query("SELECT id FROM mail_outbox WHERE tenant_id = $1 FOR UPDATE")
        .bind(tenant.as_str())
        .fetch_all(&mut *other)
        .await
        .expect("lock the row");
    let report = tokio::time::timeout(
        Duration::from_secs(10),
        mail::deliver_due(db, &to_folder(&dir), Timestamp::now()),
    )
    .await
    .expect("a locked row is skipped, not waited for")
    .expect("pass");
    assert_eq!(report, DeliveryReport::default());
    assert!(eml_files(&dir).is_empty());

    other.rollback().await.expect("rollback");
    let report = mail::deliver_due(db, &to_folder(&dir), Timestamp::now())
        .await
        .expect("pass");
    assert_eq!(
        report,
        DeliveryReport {
            sent: 1,
            failed: 0,
            more_due: false
        }
    );

    let _ = std::fs::remove_dir_all(&dir);
    pg.drop_db().await;
}

/// Waits up to `limit` for `count` `.eml` files in `dir`.
async fn wait_for_eml_files(dir: &Path, count: usize, limit: Duration) -> Vec<PathBuf> {
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        let files = finished_eml_files(dir);
        if files.len() >= count || tokio::time::Instant::now() > deadline {
            return files;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn worker_delivers_when_woken_and_stops(kind: DbKind) {
    let Some(test_db) = TestDb::new(kind).await else {
        return;
    };
    let db = &test_db.db;
    let tenant = insert_tenant(db, "mail-worker").await;
    let dir = mail_dir();
    let worker = spawn_mail_worker(db.clone(), to_folder(&dir));
    enqueue_committed(db, &tenant, vec![japanese_mail()]).await;
    worker.handle().wake();
    // Well under the 5-second poll: the wake did it.
    let files = wait_for_eml_files(&dir, 1, Duration::from_secs(3)).await;
    assert_eq!(files.len(), 1, "delivered after wake()");
    tokio::time::timeout(Duration::from_secs(10), worker.shutdown())
        .await
        .expect("the worker stops");

    let _ = std::fs::remove_dir_all(&dir);
    test_db.drop_db().await;
}

async fn server_runs_the_worker_into_the_mail_folder(kind: DbKind) {
    let Some(app) = spawn_app_with(kind, |config| {
        config.mail_from = FROM.into();
    })
    .await
    else {
        return;
    };
    assert_eq!(app.config.smtp_url, None);
    let tenant = insert_tenant(&app.db, "mail-serve").await;
    enqueue_committed(&app.db, &tenant, vec![japanese_mail()]).await;
    // Nobody wakes it here: the next poll (every 5 s) picks the mail up.
    let files = wait_for_eml_files(&app.config.mail_dir, 1, Duration::from_secs(15)).await;
    assert_eq!(files.len(), 1, "the server's worker wrote the mail");
    assert_is_the_japanese_mail(&std::fs::read(&files[0]).expect("read .eml"));
    app.finish().await;
}

/// A password reset asked for while an import's invitations are queued goes first, in its
/// own tenant and in any other; the bulk goes on at once, batch after batch.
async fn urgent_mail_goes_before_bulk_mail(kind: DbKind) {
    let Some(test_db) = TestDb::new(kind).await else {
        return;
    };
    let db = &test_db.db;
    let a = insert_tenant(db, "bulk-a").await;
    let b = insert_tenant(db, "bulk-b").await;
    let invitations = (0..120)
        .map(|n| OutgoingMail {
            priority: MailPriority::Normal,
            ..plain_mail(&format!("new{n}@example.jp"))
        })
        .collect();
    enqueue_committed(db, &a, invitations).await;
    enqueue_committed(db, &a, vec![plain_mail("reset-a@example.jp")]).await;
    enqueue_committed(db, &b, vec![plain_mail("reset-b@example.jp")]).await;
    let queued = mail::queue_depth(db, &a).await.expect("depth");
    assert_eq!((queued.waiting, queued.urgent), (121, 1));

    let dir = mail_dir();
    let report = mail::deliver_due(db, &to_folder(&dir), Timestamp::now())
        .await
        .expect("one pass");
    assert_eq!(
        report,
        DeliveryReport {
            sent: 52,
            failed: 0,
            more_due: true
        },
        "both resets, then one batch of invitations; more is due"
    );
    let sent_to = |rows: Vec<OutboxRow>, to: &str| {
        rows.iter()
            .any(|r| r.to_address == to && r.sent_at.is_some())
    };
    assert!(
        sent_to(outbox(db, &a).await, "reset-a@example.jp"),
        "the reset behind 120 invitations went first"
    );
    assert!(sent_to(outbox(db, &b).await, "reset-b@example.jp"));
    let queued = mail::queue_depth(db, &a).await.expect("depth");
    assert_eq!((queued.waiting, queued.urgent, queued.retrying), (70, 0, 0));
    let _ = std::fs::remove_dir_all(&dir);
    test_db.drop_db().await;
}

on_both_databases! {
    urgent_first => super::urgent_mail_goes_before_bulk_mail;
    directory_transport => super::directory_transport_writes_eml_files;
    rolled_back => super::rolled_back_mail_is_never_delivered;
    retry => super::failed_delivery_is_retried_and_never_lost;
    real_smtp => super::real_smtp_server_receives_the_mail;
    tenant_turns => super::each_tenant_is_delivered_in_its_own_turn;
    worker => super::worker_delivers_when_woken_and_stops;
    server_worker => super::server_runs_the_worker_into_the_mail_folder;
}
