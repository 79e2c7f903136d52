//! Reminder mails in storage (リマインド, PRODUCT §4): sent by hand from the progress page
//! to late people ([`remind_late`]), and by a period's schedule around its deadlines
//! ([`send_due_reminders`], run by [`spawn_reminder_worker`]). Each mail is a row of
//! `evaluation_reminders` per sheet and recipient, its mail in the outbox and an entry in
//! the sheet's history, all in one transaction. A scheduled row's occasion is unique per
//! sheet and recipient: a second server process, or the same one after a restart, finds
//! it taken (`ON CONFLICT DO NOTHING` waits for the other's commit on PostgreSQL, and
//! SQLite has one writer) and sends nothing.

use crate::backend::audit::{self, Actor, AuditEntry, Outcome, RequestOrigin};
use crate::backend::db::Db;
use crate::backend::evaluation::population::load_facts;
use crate::backend::evaluation::progress::{
    ProgressReader, ProgressRow, period_facts, progress_rows,
};
use crate::backend::evaluation::sheets::{PersonRow, Tx, json, people};
use crate::backend::mail::{MailHandle, MailPriority, OutgoingMail, enqueue_many};
use crate::backend::write::WriteContext;
use crate::domain::account_status::AccountStatus;
use crate::domain::audit::AuditAction;
use crate::domain::evaluation::period::{PeriodState, deadline_for};
use crate::domain::evaluation::population::propose_chain;
use crate::domain::evaluation::progress::Waiting;
use crate::domain::evaluation::reminders::{
    Occasion, RemindDone, ReminderKind, ReminderPlan, ReminderProblem, SEND_FROM_HOUR, due_occasion,
};
use crate::domain::evaluation::sheet_view::SheetStep;
use crate::domain::evaluation::workflow::SheetState;
use crate::domain::form_field::FormField;
use crate::domain::ids::{PeriodId, ReminderId, SheetEventId, SheetId, TenantId, UserId};
use crate::domain::problem::Problem;
use crate::domain::time::Timestamp;
use crate::error::AppError;
use crate::i18n::Lang;
use crate::i18n::reminder_mails::{self, Addressee, ReminderLine};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::Duration;

fn refused(problem: ReminderProblem) -> AppError {
    AppError::invalid(FormField::Reminders, Problem::Reminder(problem))
}

/// One mail of a reminder to write: to whom, in which role, about which sheets.
struct Mailing {
    recipient: UserId,
    kind: ReminderKind,
    /// The late person a copy or an escalation is about.
    about: Option<UserId>,
    sheets: Vec<SheetId>,
}

/// One sheet a reminder is about, as the mail lists it.
struct DueSheet<'a> {
    row: &'a ProgressRow,
    state: SheetState,
    deadline: crate::domain::dates::CalendarDate,
}

/// Writes one reminder row; `false` when the occasion was already sent to this person
/// (by this process before a restart, or by another one).
#[allow(clippy::too_many_arguments)]
async fn claim(
    tx: &mut Tx,
    tenant: &TenantId,
    period: &PeriodId,
    sheet: &SheetId,
    occasion: &str,
    kind: ReminderKind,
    recipient: &UserId,
    now: Timestamp,
    sent_by: Option<&UserId>,
) -> Result<bool, AppError> {
    let written = sqlx::query(
        "INSERT INTO evaluation_reminders \
         (tenant_id, id, period_id, sheet_id, occasion, kind, recipient_id, sent_at, sent_by) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
         ON CONFLICT (tenant_id, sheet_id, occasion, recipient_id) DO NOTHING",
    )
    .bind(tenant.as_str())
    .bind(ReminderId::generate().as_str())
    .bind(period.as_str())
    .bind(sheet.as_str())
    .bind(occasion)
    .bind(kind.as_str())
    .bind(recipient.as_str())
    .bind(now.as_micros())
    .bind(sent_by.map(UserId::as_str))
    .execute(&mut **tx)
    .await?;
    Ok(written.rows_affected() == 1)
}

/// The sheet's history entry of a reminder: `by` the admin (`None`: the schedule), the
/// comment naming whom it went to.
#[allow(clippy::too_many_arguments)]
async fn history_entry(
    tx: &mut Tx,
    tenant: &TenantId,
    sheet: &SheetId,
    state: SheetState,
    now: Timestamp,
    by: Option<&UserId>,
    step: SheetStep,
    recipients: &str,
) -> Result<(), AppError> {
    sqlx::query(
        "INSERT INTO evaluation_sheet_events \
         (tenant_id, id, sheet_id, occurred_at, actor_id, step, from_state, to_state, comment) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(tenant.as_str())
    .bind(SheetEventId::generate().as_str())
    .bind(sheet.as_str())
    .bind(now.as_micros())
    .bind(by.map(UserId::as_str))
    .bind(step.as_stored())
    .bind(state.as_stored())
    .bind(state.as_stored())
    .bind(recipients)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The mails of `mailings` in each recipient's language; people deleted or deactivated
/// since get none.
#[allow(clippy::too_many_arguments)]
fn compose(
    mailings: &[Mailing],
    due: &HashMap<&SheetId, DueSheet<'_>>,
    people: &HashMap<UserId, PersonRow>,
    period_name: &str,
    sent_by: Option<&str>,
    base_url: &str,
) -> Vec<OutgoingMail> {
    let name = |id: &UserId| {
        people
            .get(id)
            .map(|p| p.display_name.clone())
            .unwrap_or_default()
    };
    mailings
        .iter()
        .filter_map(|m| {
            let to = people.get(&m.recipient)?;
            if to.status == AccountStatus::Deactivated {
                return None;
            }
            let lang = Lang::from_tag(&to.language).unwrap_or(Lang::Ja);
            let about = m.about.as_ref().map(name).unwrap_or_default();
            let addressee = match (m.kind, &m.about) {
                (ReminderKind::Escalation, _) => Addressee::Manager { late: &about },
                (_, Some(_)) => Addressee::Copy { late: &about },
                (_, None) => Addressee::Due,
            };
            let lines: Vec<ReminderLine> = m
                .sheets
                .iter()
                .filter_map(|id| due.get(id))
                .map(|d| ReminderLine {
                    employee: name(&d.row.employee_id),
                    state: d.state,
                    deadline: d.deadline,
                    link: format!(
                        "{}/evaluation/sheets/{}",
                        base_url.trim_end_matches('/'),
                        d.row.id
                    ),
                })
                .collect();
            Some(OutgoingMail {
                to: to.email.to_string(),
                subject: reminder_mails::subject(lang, period_name, m.kind, addressee),
                body_text: reminder_mails::body(
                    lang,
                    &to.display_name,
                    period_name,
                    m.kind,
                    addressee,
                    &lines,
                    sent_by,
                ),
                priority: MailPriority::Normal,
            })
        })
        .collect()
}

/// Who each sheet's reminder went to, by name, for its history: `山田 太郎、佐藤 花子（写し）`.
fn recipients_by_sheet(
    mailings: &[Mailing],
    people: &HashMap<UserId, PersonRow>,
    lang_copy: &str,
) -> BTreeMap<SheetId, Vec<String>> {
    let mut by_sheet: BTreeMap<SheetId, Vec<String>> = BTreeMap::new();
    for m in mailings {
        let Some(person) = people.get(&m.recipient) else {
            continue;
        };
        if person.status == AccountStatus::Deactivated {
            continue;
        }
        let name = match (&m.about, m.kind) {
            (Some(_), ReminderKind::Manual) => format!("{}{lang_copy}", person.display_name),
            _ => person.display_name.clone(),
        };
        for sheet in &m.sheets {
            let names = by_sheet.entry(sheet.clone()).or_default();
            if !names.contains(&name) {
                names.push(name.clone());
            }
        }
    }
    by_sheet
}

/// Mails the people whose step is late on the chosen sheets (`chosen` empty: every late
/// sheet the reader may remind of), one mail per person listing their sheets, and with
/// `copy_evaluators` a copy to each sheet's other evaluators. Each sheet's history names
/// whom it went to.
#[tracing::instrument(skip_all)]
pub async fn remind_late(
    w: &WriteContext<'_>,
    period: &PeriodId,
    reader: &ProgressReader,
    chosen: &[SheetId],
    copy_evaluators: bool,
    base_url: &str,
) -> Result<RemindDone, AppError> {
    let tenant = w.tenant();
    let mut tx = w.begin().await?;
    let facts = period_facts(&mut tx, tenant, period).await?;
    if facts.state != PeriodState::Running {
        return Err(super::periods::wrong_state(facts.state));
    }
    let zone = crate::backend::users::tenant_zone(&mut tx, tenant).await?;
    let today = w.now.date_in_zone(&zone);
    let rows = progress_rows(&mut tx, tenant, period).await?;
    let chosen: HashSet<&SheetId> = chosen.iter().collect();
    let stages = facts.plan.stages;
    let mut due: HashMap<&SheetId, DueSheet> = HashMap::new();
    let mut to_person: BTreeMap<UserId, Vec<SheetId>> = BTreeMap::new();
    let mut copies: BTreeMap<(UserId, UserId), Vec<SheetId>> = BTreeMap::new();
    for row in &rows {
        if !(chosen.is_empty() || chosen.contains(&row.id))
            || !reader.may_remind_of(&row.employee_id)
        {
            continue;
        }
        let state = row.state()?;
        let Some((phase, deadline)) = deadline_for(&facts.plan, state, &row.extended()?) else {
            continue;
        };
        if today <= deadline || !facts.is_open(phase) {
            continue;
        }
        let Some((_, late)) = row.waiting_person(state, stages) else {
            continue;
        };
        due.insert(
            &row.id,
            DueSheet {
                row,
                state,
                deadline,
            },
        );
        to_person
            .entry(late.clone())
            .or_default()
            .push(row.id.clone());
        if copy_evaluators {
            for evaluator in row.chain(stages).into_iter().flatten() {
                if evaluator != late {
                    copies
                        .entry((evaluator, late.clone()))
                        .or_default()
                        .push(row.id.clone());
                }
            }
        }
    }
    if due.is_empty() {
        return Err(refused(ReminderProblem::NobodyLate));
    }
    let mut mailings: Vec<Mailing> = to_person
        .into_iter()
        .map(|(recipient, sheets)| Mailing {
            recipient,
            kind: ReminderKind::Manual,
            about: None,
            sheets,
        })
        .collect();
    mailings.extend(
        copies
            .into_iter()
            .map(|((recipient, late), sheets)| Mailing {
                recipient,
                kind: ReminderKind::Manual,
                about: Some(late),
                sheets,
            }),
    );
    let mut ids: Vec<UserId> = mailings
        .iter()
        .flat_map(|m| std::iter::once(m.recipient.clone()).chain(m.about.clone()))
        .collect();
    ids.extend(due.values().map(|d| d.row.employee_id.clone()));
    ids.sort();
    ids.dedup();
    let people = people(&mut tx, tenant, &ids).await?;

    let occasion = format!("manual:{}", ReminderId::generate());
    for m in &mailings {
        if people
            .get(&m.recipient)
            .is_none_or(|p| p.status == AccountStatus::Deactivated)
        {
            continue;
        }
        for sheet in &m.sheets {
            claim(
                &mut tx,
                tenant,
                period,
                sheet,
                &occasion,
                ReminderKind::Manual,
                &m.recipient,
                w.now,
                Some(&w.by.subject.user),
            )
            .await?;
        }
    }
    for (sheet, names) in recipients_by_sheet(&mailings, &people, "（cc）") {
        let Some(d) = due.get(&sheet) else { continue };
        history_entry(
            &mut tx,
            tenant,
            &sheet,
            d.state,
            w.now,
            Some(&w.by.subject.user),
            SheetStep::Remind,
            &names.join("、"),
        )
        .await?;
    }
    let mails = compose(
        &mailings,
        &due,
        &people,
        &facts.name,
        Some(&w.by.display_name),
        base_url,
    );
    let sent = mails.len();
    enqueue_many(&mut tx, tenant, mails).await?;
    let entry = w.audit_entry(
        AuditAction::PeriodRemind,
        "evaluation_period",
        period.as_str(),
        None,
        Some(serde_json::json!({
            "sheets": due.len(),
            "mails": sent,
            "copy_evaluators": copy_evaluators,
        })),
    );
    w.audit_and_commit(tx, entry).await?;
    Ok(RemindDone {
        sheets: due.len(),
        mails: sent,
    })
}

/// Turns a period's automatic reminders on, off or changes them (`based_on`: the period's
/// version the page shows). Answers the new version.
#[tracing::instrument(skip_all)]
pub async fn set_reminder_plan(
    w: &WriteContext<'_>,
    period: &PeriodId,
    based_on: i64,
    plan: ReminderPlan,
) -> Result<i64, AppError> {
    if let Some(problem) = plan.problem() {
        return Err(refused(problem));
    }
    let tenant = w.tenant();
    let mut tx = w.begin().await?;
    let facts = period_facts(&mut tx, tenant, period).await?;
    if facts.state == PeriodState::Closed {
        return Err(super::periods::wrong_state(facts.state));
    }
    if facts.version != based_on {
        return Err(AppError::Conflict);
    }
    let before = facts.plan.reminders;
    let mut definition = facts.plan.clone();
    definition.reminders = plan;
    let version = facts.version + 1;
    sqlx::query(
        "UPDATE evaluation_periods SET definition = $1, version = $2, updated_at = $3 \
         WHERE tenant_id = $4 AND id = $5",
    )
    .bind(json(&definition))
    .bind(version)
    .bind(w.now.as_micros())
    .bind(tenant.as_str())
    .bind(period.as_str())
    .execute(&mut *tx)
    .await?;
    let entry = w.audit_entry(
        AuditAction::PeriodReminders,
        "evaluation_period",
        period.as_str(),
        serde_json::to_value(before).ok(),
        serde_json::to_value(plan).ok(),
    );
    w.audit_and_commit(tx, entry).await?;
    Ok(version)
}

// ---- the schedule ------------------------------------------------------------------------

/// One scheduled mail due: a sheet's occasion for one recipient.
struct Due<'a> {
    sheet: DueSheet<'a>,
    occasion: Occasion,
    recipient: UserId,
    /// For an escalation, the late evaluator it is about.
    about: Option<UserId>,
}

/// Sends every scheduled reminder and escalation due at `now` in every tenant, each once.
/// Answers how many mails were queued. Tenants whose day has not reached
/// [`SEND_FROM_HOUR`] wait for it.
#[tracing::instrument(skip_all)]
pub async fn send_due_reminders(
    db: &Db,
    now: Timestamp,
    base_url: &str,
) -> Result<usize, AppError> {
    // The tenants table has no row-level security: the operator's view of who exists.
    let tenants: Vec<(TenantId, String)> =
        sqlx::query_as("SELECT id, time_zone FROM tenants ORDER BY id")
            .fetch_all(db.pool())
            .await?;
    let mut mails = 0;
    for (tenant, zone) in tenants {
        if now.hour_in_zone(&zone) < SEND_FROM_HOUR {
            continue;
        }
        let mut tx = db.begin_for_tenant(&tenant).await?;
        let periods: Vec<PeriodId> = sqlx::query_scalar(
            "SELECT id FROM evaluation_periods WHERE tenant_id = $1 AND state = 'running' \
             ORDER BY id",
        )
        .bind(tenant.as_str())
        .fetch_all(&mut *tx)
        .await?;
        tx.commit().await?;
        for period in periods {
            mails += send_period_reminders(db, &tenant, &period, now, &zone, base_url).await?;
        }
    }
    Ok(mails)
}

/// The scheduled mails of one period due now that nobody has sent yet.
async fn send_period_reminders(
    db: &Db,
    tenant: &TenantId,
    period: &PeriodId,
    now: Timestamp,
    zone: &str,
    base_url: &str,
) -> Result<usize, AppError> {
    let today = now.date_in_zone(zone);
    // Read first: most passes find nothing due, and take no write lock for it.
    let mut tx = db.begin_for_tenant(tenant).await?;
    let facts = period_facts(&mut tx, tenant, period).await?;
    if facts.state != PeriodState::Running || !facts.plan.reminders.is_on() {
        tx.commit().await?;
        return Ok(0);
    }
    let rows = progress_rows(&mut tx, tenant, period).await?;
    let sent: HashSet<(SheetId, String, UserId)> = sqlx::query_as(
        "SELECT sheet_id, occasion, recipient_id FROM evaluation_reminders \
         WHERE tenant_id = $1 AND period_id = $2 AND kind <> 'manual'",
    )
    .bind(tenant.as_str())
    .bind(period.as_str())
    .fetch_all(&mut *tx)
    .await?
    .into_iter()
    .collect();
    let org = if facts.plan.reminders.escalate_after.is_some() {
        Some(load_facts(&mut tx, tenant).await?)
    } else {
        None
    };
    tx.commit().await?;

    let stages = facts.plan.stages;
    let mut due: Vec<Due> = Vec::new();
    for row in &rows {
        let state = row.state()?;
        let deadline = deadline_for(&facts.plan, state, &row.extended()?);
        let open = deadline.is_some_and(|(phase, _)| facts.is_open(phase));
        let Some(occasion) = due_occasion(&facts.plan.reminders, state, deadline, open, today)
        else {
            continue;
        };
        let Some((waiting, late)) = row.waiting_person(state, stages) else {
            continue;
        };
        let (recipient, about) = if occasion.kind == ReminderKind::Escalation {
            // The late evaluator's own manager, as the org chart has them now.
            let Some(org) = &org else { continue };
            let Some(Some(manager)) =
                propose_chain(&org.tree, &org.managers, &org.primary, &late, 1)
                    .into_iter()
                    .next()
            else {
                continue;
            };
            debug_assert!(matches!(waiting, Waiting::Evaluator(_)));
            (manager, Some(late))
        } else {
            (late, None)
        };
        if sent.contains(&(row.id.clone(), occasion.key(), recipient.clone())) {
            continue;
        }
        due.push(Due {
            sheet: DueSheet {
                row,
                state,
                deadline: occasion.deadline,
            },
            occasion,
            recipient,
            about,
        });
    }
    if due.is_empty() {
        return Ok(0);
    }

    let mut tx = db.begin_write_for_tenant(tenant).await?;
    // A sheet that moved on since the read above is reminded of nothing.
    let states: HashMap<SheetId, String> = sqlx::query_as(
        "SELECT id, state FROM evaluation_sheets WHERE tenant_id = $1 AND period_id = $2",
    )
    .bind(tenant.as_str())
    .bind(period.as_str())
    .fetch_all(&mut *tx)
    .await?
    .into_iter()
    .collect();
    let mut claimed: Vec<&Due> = Vec::new();
    for d in &due {
        if states.get(&d.sheet.row.id).map(String::as_str) != Some(&d.sheet.state.as_stored()) {
            continue;
        }
        if claim(
            &mut tx,
            tenant,
            period,
            &d.sheet.row.id,
            &d.occasion.key(),
            d.occasion.kind,
            &d.recipient,
            now,
            None,
        )
        .await?
        {
            claimed.push(d);
        }
    }
    if claimed.is_empty() {
        tx.commit().await?;
        return Ok(0);
    }
    // One mail per recipient, kind and late evaluator, listing its sheets.
    let mut grouped: BTreeMap<(UserId, ReminderKind, Option<UserId>), Vec<SheetId>> =
        BTreeMap::new();
    for d in &claimed {
        grouped
            .entry((d.recipient.clone(), d.occasion.kind, d.about.clone()))
            .or_default()
            .push(d.sheet.row.id.clone());
    }
    let mailings: Vec<Mailing> = grouped
        .into_iter()
        .map(|((recipient, kind, about), sheets)| Mailing {
            recipient,
            kind,
            about,
            sheets,
        })
        .collect();
    let by_sheet: HashMap<&SheetId, DueSheet> = claimed
        .iter()
        .map(|d| {
            (
                &d.sheet.row.id,
                DueSheet {
                    row: d.sheet.row,
                    state: d.sheet.state,
                    deadline: d.sheet.deadline,
                },
            )
        })
        .collect();
    let mut ids: Vec<UserId> = mailings
        .iter()
        .flat_map(|m| std::iter::once(m.recipient.clone()).chain(m.about.clone()))
        .collect();
    ids.extend(claimed.iter().map(|d| d.sheet.row.employee_id.clone()));
    ids.sort();
    ids.dedup();
    let people = people(&mut tx, tenant, &ids).await?;
    for (sheet, names) in recipients_by_sheet(&mailings, &people, "") {
        let Some(d) = by_sheet.get(&sheet) else {
            continue;
        };
        let escalated = claimed
            .iter()
            .any(|c| c.sheet.row.id == sheet && c.occasion.kind == ReminderKind::Escalation);
        let step = if escalated {
            SheetStep::Escalate
        } else {
            SheetStep::AutoRemind
        };
        history_entry(
            &mut tx,
            tenant,
            &sheet,
            d.state,
            now,
            None,
            step,
            &names.join("、"),
        )
        .await?;
    }
    let mails = compose(&mailings, &by_sheet, &people, &facts.name, None, base_url);
    let queued = mails.len();
    enqueue_many(&mut tx, tenant, mails).await?;
    audit::record(
        &mut tx,
        AuditEntry {
            tenant,
            actor: Actor::System,
            action: AuditAction::PeriodAutoRemind,
            target_type: Some("evaluation_period"),
            target_id: Some(period.as_str()),
            before: None,
            after: Some(serde_json::json!({ "sheets": claimed.len(), "mails": queued })),
            outcome: Outcome::Success,
            origin: RequestOrigin::default(),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(queued)
}

/// How often the schedule looks for reminders due (`KOUKA_REMINDER_INTERVAL_SECONDS`).
pub const DEFAULT_REMINDER_INTERVAL: Duration = Duration::from_secs(300);

/// The running schedule; dropping it stops it after the pass in progress.
pub struct ReminderWorker {
    stop: tokio::sync::oneshot::Sender<()>,
    task: tokio::task::JoinHandle<()>,
}

impl ReminderWorker {
    /// Stops the schedule; a pass in progress finishes (its transaction is short) or is
    /// cut off, and what it had not committed is sent by the next start.
    pub async fn shutdown(self) {
        let ReminderWorker { stop, mut task } = self;
        let _ = stop.send(());
        if tokio::time::timeout(Duration::from_secs(5), &mut task)
            .await
            .is_err()
        {
            task.abort();
        }
    }
}

/// Starts the schedule: a pass at once (whatever came due while the server was down),
/// then one every `interval`; each pass wakes the mail worker when it queued mail.
pub fn spawn_reminder_worker(
    db: Db,
    base_url: String,
    mail: MailHandle,
    interval: Duration,
) -> ReminderWorker {
    let (stop, mut stopped) = tokio::sync::oneshot::channel();
    let task = tokio::spawn(async move {
        loop {
            match send_due_reminders(&db, Timestamp::now(), &base_url).await {
                Ok(0) => {}
                Ok(mails) => {
                    tracing::info!(mails, "scheduled reminders queued");
                    mail.wake();
                }
                // Never fatal: the database may be back by the next pass.
                Err(error) => tracing::error!(%error, "reminder pass failed"),
            }
            tokio::select! {
                _ = &mut stopped => break,
                () = tokio::time::sleep(interval) => {}
            }
        }
    });
    ReminderWorker { stop, task }
}
