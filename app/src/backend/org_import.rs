//! CSV import and export of departments and employees (PRODUCT §3), as jobs that report
//! their progress.
//!
//! An upload starts a job that parses and validates in the background (the CPU work on a
//! blocking thread, so other requests go on) and ends in a preview: what would be added,
//! changed and left alone, or every problem by line and column. Nothing is written while
//! a problem remains. Committing plans again inside the write transaction, against the
//! data as it is then, and writes everything or nothing: rows, invitations and audit rows.
//!
//! Jobs live in this process's memory for an hour (the browser polls the process it
//! uploaded to); the uploaded file is dropped once the import is written.

use crate::backend::audit::{self, Actor, AuditEntry, Outcome, RequestOrigin};
use crate::backend::db::{Db, Value, insert_many};
use crate::backend::employees::{self, WriteOptions};
use crate::backend::org::bump_revision;
use crate::backend::org_events::{OrgChange, OrgEvents};
use crate::backend::sessions::SessionUser;
use crate::backend::tenants;
use crate::backend::users;
use crate::backend::write::WriteContext;
use crate::domain::audit::AuditAction;
use crate::domain::csv_codec::{self, Encoding};
use crate::domain::dates::CalendarDate;
use crate::domain::form_field::FormField;
use crate::domain::ids::{DepartmentId, TenantId, UserId};
use crate::domain::org_csv::{
    CsvKind, ImportCounts, ImportPhase, ImportProblem, ImportState, ImportStatus, PROBLEMS_SHOWN,
};
use crate::domain::org_import::{
    self, DepartmentPlan, EmployeePlan, EmployeeRecord, EmployeeSnapshot, ExistingDepartment,
    ParsedFile, PostSpec,
};
use crate::domain::permissions::Subject;
use crate::domain::problem::Problem;
use crate::domain::time::Timestamp;
use crate::error::AppError;
use crate::i18n::Lang;
use sqlx::{Any, Transaction};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long a finished or abandoned job is kept.
const JOB_LIFETIME: Duration = Duration::from_secs(3600);
/// Jobs kept per tenant; starting another drops the oldest.
const JOBS_PER_TENANT: usize = 5;
/// Uploads received and checked at once in this process, and by one user: each holds a
/// parsed file in memory while it is checked, so together they bound the memory uploads
/// can take (a 64 MiB file parses to a few hundred MiB).
const UPLOADS_AT_ONCE: usize = 4;
const UPLOADS_PER_USER: usize = 1;

/// An uploaded file, kept on disk (not in memory) until it is written or its job dropped;
/// removed when the last holder lets go.
pub struct UploadedFile {
    path: tempfile::TempPath,
    size: usize,
}

impl UploadedFile {
    fn len(&self) -> usize {
        self.size
    }

    fn read(&self) -> std::io::Result<Vec<u8>> {
        std::fs::read(&self.path)
    }
}

/// A place among the uploads under way: taken before a byte of the body is read, given
/// back when the file has been received and checked (or the request failed).
pub struct UploadSlot {
    per_user: Arc<Mutex<HashMap<UserId, usize>>>,
    user: UserId,
    _total: tokio::sync::OwnedSemaphorePermit,
}

impl Drop for UploadSlot {
    fn drop(&mut self) {
        let mut per_user = self.per_user.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(count) = per_user.get_mut(&self.user) {
            *count -= 1;
            if *count == 0 {
                per_user.remove(&self.user);
            }
        }
    }
}

/// A received upload, ready to be checked.
pub struct Upload {
    pub kind: CsvKind,
    /// As the browser named it (for the page and the audit row).
    pub file_name: String,
    pub file: UploadedFile,
    /// Whether new employees are invited once it is written.
    pub invite: bool,
    /// Held until the check is done.
    pub slot: UploadSlot,
}

/// Why an upload's body could not be received.
#[derive(Debug)]
pub enum ReceiveError {
    /// Larger than `KOUKA_IMPORT_LIMIT_BYTES`.
    TooLarge,
    /// The body broke off: the client went away or its connection failed.
    Interrupted,
    /// The disk refused the file.
    Failed(String),
}

struct Job {
    tenant: TenantId,
    /// Who uploaded: the planner asks `authorize` about changes of how users sign in.
    actor: Subject,
    kind: CsvKind,
    file_name: String,
    invite: bool,
    /// The uploaded file, until it is written.
    file: Option<Arc<UploadedFile>>,
    encoding: Encoding,
    state: ImportState,
    /// Every problem of the last check (the state shows the first ones).
    problems: Vec<ImportProblem>,
    started: Instant,
}

/// The import jobs of this process.
#[derive(Clone)]
pub struct ImportJobs {
    jobs: Arc<Mutex<HashMap<String, Job>>>,
    /// Where uploaded files are kept while their jobs need them.
    upload_dir: std::path::PathBuf,
    uploads: Arc<tokio::sync::Semaphore>,
    uploads_per_user: Arc<Mutex<HashMap<UserId, usize>>>,
}

impl std::fmt::Debug for ImportJobs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ImportJobs").finish_non_exhaustive()
    }
}

/// What a job needs from the server to write and announce.
#[derive(Clone)]
pub struct JobServices {
    pub db: Db,
    pub events: Option<OrgEvents>,
    /// Wakes the mail worker once the invitations are committed.
    pub wake_mailer: Arc<dyn Fn() + Send + Sync>,
    pub base_url: String,
}

impl ImportJobs {
    /// Jobs whose uploaded files are kept in `upload_dir` (created when needed).
    pub fn new(upload_dir: std::path::PathBuf) -> ImportJobs {
        ImportJobs {
            jobs: Arc::default(),
            upload_dir,
            uploads: Arc::new(tokio::sync::Semaphore::new(UPLOADS_AT_ONCE)),
            uploads_per_user: Arc::default(),
        }
    }

    /// Removes uploaded files that no job can still need: a process that stopped abruptly
    /// leaves its uploads behind, and no job keeps its file longer than [`JOB_LIFETIME`].
    /// Blocking; called once at start. Answers how many were removed.
    pub fn remove_leftover_uploads(&self) -> std::io::Result<usize> {
        let entries = match std::fs::read_dir(&self.upload_dir) {
            Ok(entries) => entries,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(0),
            Err(error) => return Err(error),
        };
        let mut removed = 0;
        // A file can vanish while this runs (another process's job letting go of it).
        let gone = |error: &std::io::Error| error.kind() == std::io::ErrorKind::NotFound;
        for entry in entries {
            let entry = entry?;
            let metadata = match entry.metadata() {
                Ok(metadata) => metadata,
                Err(error) if gone(&error) => continue,
                Err(error) => return Err(error),
            };
            let age = metadata.modified()?.elapsed().unwrap_or_default();
            if !metadata.is_file() || age < JOB_LIFETIME {
                continue;
            }
            match std::fs::remove_file(entry.path()) {
                Ok(()) => removed += 1,
                Err(error) if gone(&error) => {}
                Err(error) => return Err(error),
            }
        }
        Ok(removed)
    }

    /// Takes a place for `user`'s upload, or refuses at once (429, "try again shortly") when
    /// this user or the whole process already has as many under way as it takes.
    pub fn reserve_upload(&self, user: &UserId) -> Result<UploadSlot, AppError> {
        let total = self
            .uploads
            .clone()
            .try_acquire_owned()
            .map_err(|_| AppError::Busy)?;
        let mut per_user = self
            .uploads_per_user
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        let count = per_user.entry(user.clone()).or_default();
        if *count >= UPLOADS_PER_USER {
            return Err(AppError::Busy);
        }
        *count += 1;
        Ok(UploadSlot {
            per_user: self.uploads_per_user.clone(),
            user: user.clone(),
            _total: total,
        })
    }

    /// Writes an upload's body to a file of its own as it arrives, never holding more than
    /// one chunk in memory.
    pub async fn receive<S, E>(&self, mut body: S) -> Result<UploadedFile, ReceiveError>
    where
        S: futures::Stream<Item = Result<bytes::Bytes, E>> + Unpin,
        E: std::error::Error + 'static,
    {
        use futures::StreamExt;
        use tokio::io::AsyncWriteExt;
        let failed = |e: &dyn std::fmt::Display| ReceiveError::Failed(e.to_string());
        tokio::fs::create_dir_all(&self.upload_dir)
            .await
            .map_err(|e| failed(&e))?;
        let dir = self.upload_dir.clone();
        let temp = tokio::task::spawn_blocking(move || tempfile::NamedTempFile::new_in(dir))
            .await
            .map_err(|e| failed(&e))?
            .map_err(|e| failed(&e))?;
        let (file, path) = temp.into_parts();
        let mut file = tokio::fs::File::from_std(file);
        let mut size = 0;
        while let Some(chunk) = body.next().await {
            let chunk = chunk.map_err(|error| {
                if is_length_limit(&error) {
                    ReceiveError::TooLarge
                } else {
                    ReceiveError::Interrupted
                }
            })?;
            size += chunk.len();
            file.write_all(&chunk).await.map_err(|e| failed(&e))?;
        }
        file.flush().await.map_err(|e| failed(&e))?;
        Ok(UploadedFile { path, size })
    }

    fn with_job<T>(&self, id: &str, f: impl FnOnce(&mut Job) -> T) -> Option<T> {
        let mut jobs = self
            .jobs
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        jobs.get_mut(id).map(f)
    }

    fn set_state(&self, id: &str, state: ImportState) {
        self.with_job(id, |job| job.state = state);
    }

    fn working(&self, id: &str, phase: ImportPhase, done: usize, total: usize) {
        self.set_state(id, ImportState::Working { phase, done, total });
    }

    fn previewed(&self, id: &str, counts: ImportCounts, problems: Vec<ImportProblem>) {
        self.previewed_with_warnings(id, counts, problems, Vec::new());
    }

    fn previewed_with_warnings(
        &self,
        id: &str,
        counts: ImportCounts,
        problems: Vec<ImportProblem>,
        warnings: Vec<ImportProblem>,
    ) {
        self.with_job(id, |job| {
            job.state = ImportState::Previewed {
                counts,
                problems: problems.iter().take(PROBLEMS_SHOWN).cloned().collect(),
                problem_count: problems.len(),
                warning_count: warnings.len(),
                warnings: warnings.into_iter().take(PROBLEMS_SHOWN).collect(),
            };
            job.problems = problems;
        });
    }

    /// Starts checking an uploaded file; answers the job's id at once.
    pub fn start(&self, services: JobServices, actor: &Subject, upload: Upload) -> String {
        let Upload {
            kind,
            file_name,
            file,
            invite,
            slot,
        } = upload;
        let tenant = &actor.tenant;
        let id = uuid::Uuid::now_v7().to_string();
        {
            let mut jobs = self.jobs.lock().unwrap_or_else(|p| p.into_inner());
            jobs.retain(|_, job| job.started.elapsed() < JOB_LIFETIME);
            let mut mine: Vec<(Instant, String)> = jobs
                .iter()
                .filter(|(_, job)| &job.tenant == tenant)
                .map(|(id, job)| (job.started, id.clone()))
                .collect();
            mine.sort();
            for (_, old) in mine.iter().rev().skip(JOBS_PER_TENANT - 1) {
                jobs.remove(old);
            }
            jobs.insert(
                id.clone(),
                Job {
                    tenant: tenant.clone(),
                    actor: actor.clone(),
                    kind,
                    file_name: file_name.chars().take(200).collect(),
                    invite,
                    file: Some(Arc::new(file)),
                    encoding: Encoding::Utf8Bom,
                    state: ImportState::Working {
                        phase: ImportPhase::Parse,
                        done: 0,
                        total: 0,
                    },
                    problems: Vec::new(),
                    started: Instant::now(),
                },
            );
        }
        let jobs = self.clone();
        let job = id.clone();
        let tenant = tenant.clone();
        tokio::spawn(async move {
            if let Err(error) = jobs.preview(&services.db, &tenant, &job).await {
                jobs.failed(&job, error);
            }
            // The check is done: the next upload may start.
            drop(slot);
        });
        id
    }

    /// An unexpected failure: shown as one problem, logged in full by `AppError::internal`.
    fn failed(&self, id: &str, error: AppError) {
        self.previewed(
            id,
            ImportCounts::default(),
            vec![ImportProblem {
                line: 0,
                column: None,
                value: String::new(),
                problem: Problem::Failed(Box::new(error)),
            }],
        );
    }

    /// The job as the page polls it; `None` for an unknown job or another tenant's.
    pub fn status(&self, tenant: &TenantId, id: &str) -> Option<ImportStatus> {
        self.with_job(id, |job| {
            (&job.tenant == tenant).then(|| ImportStatus {
                job: id.to_owned(),
                kind: job.kind,
                file_name: job.file_name.clone(),
                state: job.state.clone(),
            })
        })
        .flatten()
    }

    /// Parses the file and plans against the stored data: the preview.
    async fn preview(&self, db: &Db, tenant: &TenantId, id: &str) -> Result<(), AppError> {
        let Some((file, kind, invite, actor)) = self.with_job(id, |job| {
            (job.file.clone(), job.kind, job.invite, job.actor.clone())
        }) else {
            return Ok(());
        };
        let Some(file) = file else { return Ok(()) };
        let size = file.len();
        self.working(id, ImportPhase::Parse, 0, size);
        let parsed = tokio::task::spawn_blocking(move || {
            let bytes = file.read()?;
            Ok::<_, std::io::Error>(org_import::read_file(&bytes, kind))
        })
        .await
        .map_err(|e| AppError::internal("import parse", e))?
        .map_err(|e| AppError::internal("import read upload", e))?;
        let parsed = match parsed {
            Ok(parsed) => Arc::new(parsed),
            Err(problem) => {
                self.previewed(id, ImportCounts::default(), vec![problem]);
                return Ok(());
            }
        };
        self.with_job(id, |job| job.encoding = parsed.encoding);
        let rows = parsed.table.rows.len();
        self.working(id, ImportPhase::Validate, 0, rows);
        let mut tx = db.begin_for_tenant(tenant).await?;
        let snapshot = Snapshot::load(&mut tx, &actor, kind).await?;
        tx.commit().await?;
        let outcome = self.plan(id, parsed, snapshot).await?;
        match outcome {
            Ok(plan) => {
                let mut counts = plan.counts();
                // Said before writing: every new employee would be invited.
                if kind == CsvKind::Employees && invite {
                    counts.invitations = counts.added;
                }
                let warnings = plan.warnings();
                self.previewed_with_warnings(id, counts, Vec::new(), warnings)
            }
            Err(problems) => self.previewed(id, ImportCounts::default(), problems),
        }
        Ok(())
    }

    /// Runs the planner on a blocking thread, reporting progress as it goes.
    async fn plan(
        &self,
        id: &str,
        parsed: Arc<ParsedFile>,
        snapshot: Snapshot,
    ) -> Result<Result<Plan, Vec<ImportProblem>>, AppError> {
        let jobs = self.clone();
        let job = id.to_owned();
        let rows = parsed.table.rows.len();
        tokio::task::spawn_blocking(move || {
            let mut progress = |done: usize| jobs.working(&job, ImportPhase::Validate, done, rows);
            match snapshot {
                Snapshot::Departments(existing) => org_import::plan_departments(
                    &parsed,
                    &existing,
                    &mut DepartmentId::generate,
                    &mut progress,
                )
                .map(Plan::Departments),
                Snapshot::Employees(snapshot) => org_import::plan_employees(
                    &parsed,
                    &snapshot,
                    &mut UserId::generate,
                    &mut progress,
                )
                .map(Plan::Employees),
            }
        })
        .await
        .map_err(|e| AppError::internal("import plan", e))
    }

    /// Writes a previewed import without problems, in the background; the page follows it
    /// with [`status`](Self::status).
    pub fn commit(
        &self,
        services: JobServices,
        admin: &SessionUser,
        id: &str,
        origin: RequestOrigin,
    ) -> Result<(), AppError> {
        let tenant = &admin.subject.tenant;
        let ready = self
            .with_job(id, |job| {
                if &job.tenant != tenant {
                    return Err(AppError::NotFound);
                }
                match (&job.state, &job.file) {
                    (
                        ImportState::Previewed {
                            problem_count: 0, ..
                        },
                        Some(_),
                    ) => {
                        job.state = ImportState::Working {
                            phase: ImportPhase::Validate,
                            done: 0,
                            total: 0,
                        };
                        Ok(())
                    }
                    _ => Err(AppError::invalid(
                        FormField::Import,
                        crate::domain::problem::Problem::ImportNotWritable,
                    )),
                }
            })
            .unwrap_or(Err(AppError::NotFound));
        ready?;
        let jobs = self.clone();
        let job = id.to_owned();
        let admin = admin.clone();
        tokio::spawn(async move {
            match jobs.write(&services, &admin, &job, &origin).await {
                Ok(Some((counts, change))) => {
                    jobs.with_job(&job, |job| {
                        job.state = ImportState::Committed { counts };
                        job.file = None;
                    });
                    if let Some(events) = &services.events {
                        events.publish(change).await;
                    }
                    (services.wake_mailer)();
                }
                Ok(None) => {}
                Err(error) => jobs.failed(&job, error),
            }
        });
        Ok(())
    }

    /// Plans again in the write transaction and writes. `None` when the data changed since
    /// the preview so that problems appeared: the job shows them, nothing is written.
    async fn write(
        &self,
        services: &JobServices,
        admin: &SessionUser,
        id: &str,
        origin: &RequestOrigin,
    ) -> Result<Option<(ImportCounts, OrgChange)>, AppError> {
        let tenant = &admin.subject.tenant;
        let Some((file, kind, invite, file_name)) = self.with_job(id, |job| {
            (
                job.file.clone(),
                job.kind,
                job.invite,
                job.file_name.clone(),
            )
        }) else {
            return Ok(None);
        };
        let Some(file) = file else { return Ok(None) };
        let parsed = tokio::task::spawn_blocking(move || {
            let bytes = file.read()?;
            Ok::<_, std::io::Error>(org_import::read_file(&bytes, kind))
        })
        .await
        .map_err(|e| AppError::internal("import parse", e))?
        .map_err(|e| AppError::internal("import read upload", e))?
        .map_err(|problem| AppError::internal("import re-read", problem.reason(Lang::En)))?;
        let parsed = Arc::new(parsed);
        let db = &services.db;
        let mut tx = db.begin_write_for_tenant(tenant).await?;
        let revision = bump_revision(&mut tx, tenant).await?;
        let snapshot = Snapshot::load(&mut tx, &admin.subject, kind).await?;
        let codes = snapshot.department_codes();
        let plan = match self.plan(id, parsed, snapshot).await? {
            Ok(plan) => plan,
            Err(problems) => {
                tx.rollback().await?;
                self.previewed(id, ImportCounts::default(), problems);
                return Ok(None);
            }
        };
        let mut counts = plan.counts();
        let total = plan.len();
        let jobs = self.clone();
        let job = id.to_owned();
        let mut progress = move |done: usize| jobs.working(&job, ImportPhase::Write, done, total);
        progress(0);
        let w = WriteContext::new(db, admin, origin.clone(), Timestamp::now());
        match &plan {
            Plan::Departments(plan) => {
                write_departments(&w, &mut tx, plan, &mut progress).await?;
            }
            Plan::Employees(plan) => {
                let options = WriteOptions {
                    invite_base_url: invite.then_some(services.base_url.as_str()),
                    language: "ja",
                    action: AuditAction::EmployeeImport,
                    department_codes: &codes,
                };
                counts.invitations =
                    employees::write_employees(&w, &mut tx, &plan.writes, &options, &mut progress)
                        .await?;
            }
        }
        let summary = serde_json::json!({
            "file_name": file_name,
            "kind": kind.as_str(),
            "added": counts.added,
            "changed": counts.changed,
            "unchanged": counts.unchanged,
            "not_in_file": counts.not_in_file,
            "invitations": counts.invitations,
        });
        audit::record(
            &mut tx,
            AuditEntry {
                tenant,
                actor: Actor::User(admin.subject.user.clone()),
                action: AuditAction::OrgImport,
                target_type: Some("organization"),
                target_id: None,
                before: None,
                after: Some(summary),
                outcome: Outcome::Success,
                origin: origin.clone(),
            },
        )
        .await?;
        tx.commit().await?;
        // A failed refresh leaves the statistics to autovacuum; the import itself is done.
        if let Err(error) = db
            .refresh_statistics(&["departments", "users", "posts"])
            .await
        {
            tracing::warn!(%error, "statistics not refreshed after the import");
        }
        Ok(Some((counts, OrgChange::new(tenant, revision).reload())))
    }

    /// Every problem of a job's last check as CSV, in the reader's language and in the
    /// uploaded file's encoding (Shift_JIS stays Shift_JIS for Excel).
    pub fn problems_csv(&self, tenant: &TenantId, id: &str, lang: Lang) -> Option<Vec<u8>> {
        let (problems, encoding, kind) = self
            .with_job(id, |job| {
                (&job.tenant == tenant).then(|| (job.problems.clone(), job.encoding, job.kind))
            })
            .flatten()?;
        let headers: [&str; 4] = match lang {
            Lang::Ja => ["行", "列", "値", "内容"],
            Lang::En => ["Line", "Column", "Value", "Problem"],
        };
        let rows: Vec<Vec<String>> = problems
            .iter()
            .map(|p| {
                let column = p
                    .column
                    .as_deref()
                    .and_then(|key| kind.column(key))
                    .map(|c| if lang == Lang::Ja { c.ja } else { c.en })
                    .unwrap_or_default();
                let reason = p.reason(lang);
                vec![
                    p.line.to_string(),
                    column.to_owned(),
                    p.value.clone(),
                    reason,
                ]
            })
            .collect();
        let encoding = if encoding == Encoding::ShiftJis {
            Encoding::ShiftJis
        } else {
            Encoding::Utf8Bom
        };
        csv_codec::write(&headers, &rows, encoding)
            .or_else(|_| csv_codec::write(&headers, &rows, Encoding::Utf8Bom))
            .ok()
    }
}

/// The stored data an import is checked against.
enum Snapshot {
    Departments(Vec<ExistingDepartment>),
    Employees(EmployeeSnapshot),
}

enum Plan {
    Departments(DepartmentPlan),
    Employees(EmployeePlan),
}

impl Plan {
    fn counts(&self) -> ImportCounts {
        match self {
            Plan::Departments(plan) => plan.counts,
            Plan::Employees(plan) => plan.counts,
        }
    }

    fn len(&self) -> usize {
        match self {
            Plan::Departments(plan) => plan.writes.len(),
            Plan::Employees(plan) => plan.writes.len(),
        }
    }

    fn warnings(&self) -> Vec<ImportProblem> {
        match self {
            Plan::Departments(plan) => org_import::department_warnings(plan),
            Plan::Employees(plan) => org_import::employee_warnings(plan),
        }
    }
}

/// Whether a body error is the body limit's (`KOUKA_IMPORT_LIMIT_BYTES`), anywhere in its
/// chain of sources.
fn is_length_limit(error: &(dyn std::error::Error + 'static)) -> bool {
    let mut current = Some(error);
    while let Some(error) = current {
        if error.is::<http_body_util::LengthLimitError>() {
            return true;
        }
        current = error.source();
    }
    false
}

impl Snapshot {
    async fn load(
        tx: &mut Transaction<'static, Any>,
        actor: &Subject,
        kind: CsvKind,
    ) -> Result<Snapshot, AppError> {
        let tenant = &actor.tenant;
        Ok(match kind {
            CsvKind::Departments => Snapshot::Departments(stored_departments(tx, tenant).await?),
            CsvKind::Employees => Snapshot::Employees(EmployeeSnapshot {
                actor: Some(actor.clone()),
                ..stored_employees(tx, tenant).await?
            }),
        })
    }

    fn department_codes(&self) -> HashMap<DepartmentId, String> {
        match self {
            Snapshot::Departments(existing) => existing
                .iter()
                .map(|d| (d.id.clone(), d.code.clone()))
                .collect(),
            Snapshot::Employees(snapshot) => snapshot.departments.iter().cloned().collect(),
        }
    }
}

async fn stored_departments(
    tx: &mut Transaction<'static, Any>,
    tenant: &TenantId,
) -> Result<Vec<ExistingDepartment>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, code, name, parent_id AS parent, sort_order FROM departments WHERE tenant_id = $1",
    )
    .bind(tenant.as_str())
    .fetch_all(&mut **tx)
    .await
}

async fn stored_employees(
    tx: &mut Transaction<'static, Any>,
    tenant: &TenantId,
) -> Result<EmployeeSnapshot, AppError> {
    let departments = stored_departments(tx, tenant)
        .await?
        .into_iter()
        .map(|d| (d.id, d.code))
        .collect();
    let employees = sqlx::query_as::<_, StoredEmployeeRow>(
        "SELECT id, employee_code, display_name, email, kana, job_title, grade, employment_type, \
         hire_date FROM users WHERE tenant_id = $1",
    )
    .bind(tenant.as_str())
    .fetch_all(&mut **tx)
    .await?
    .into_iter()
    .map(|row| (row.id, row.record))
    .collect();
    let posts = sqlx::query_as::<_, (UserId, DepartmentId, i64, i64)>(
        "SELECT user_id, department_id, is_primary, is_manager FROM posts WHERE tenant_id = $1",
    )
    .bind(tenant.as_str())
    .fetch_all(&mut **tx)
    .await?
    .into_iter()
    .map(|(user, department, is_primary, is_manager)| {
        let post = PostSpec {
            department,
            primary: is_primary == 1,
            manager: is_manager == 1,
        };
        (user, post)
    })
    .collect();
    let seats_in_use = tenants::seats_taken(tx, tenant).await?;
    let seat_limit: i64 = sqlx::query_scalar("SELECT seat_limit FROM tenants WHERE id = $1")
        .bind(tenant.as_str())
        .fetch_one(&mut **tx)
        .await?;
    let roles = users::roles_of_all(tx, tenant).await?;
    Ok(EmployeeSnapshot {
        departments,
        employees,
        posts,
        roles,
        seats_in_use,
        seat_limit,
        actor: None,
    })
}

/// A stored user with the fields the employee CSV holds.
#[derive(sqlx::FromRow)]
struct StoredEmployeeRow {
    id: UserId,
    #[sqlx(flatten)]
    record: EmployeeRecord,
}

fn department_audit(code: &str, name: &str, parent: Option<&str>, order: i64) -> serde_json::Value {
    serde_json::json!({ "code": code, "name": name, "parent_id": parent, "sort_order": order })
}

/// Writes a department plan: new ones in multi-row inserts, changed ones one by one, in
/// the plan's order (parents first), with one audit row each.
async fn write_departments(
    w: &WriteContext<'_>,
    tx: &mut Transaction<'static, Any>,
    plan: &DepartmentPlan,
    progress: &mut (dyn FnMut(usize) + Send),
) -> Result<(), AppError> {
    let tenant = w.tenant();
    let micros = w.now.as_micros();
    let mut pending: Vec<crate::backend::db::NamedRow> = Vec::new();
    for (done, write) in plan.writes.iter().enumerate() {
        let parent = write.parent.as_ref().map(|p| p.as_str().to_owned());
        match &write.before {
            None => pending.push(vec![
                ("tenant_id", Value::from(tenant.as_str())),
                ("id", Value::from(write.id.as_str())),
                ("code", Value::from(write.code.clone())),
                ("name", Value::from(write.name.clone())),
                ("parent_id", Value::from(parent)),
                ("sort_order", Value::from(write.sort_order)),
                ("version", Value::from(1_i64)),
                ("created_at", Value::from(micros)),
                ("updated_at", Value::from(micros)),
            ]),
            Some(_) => {
                // Its new parent may be among the pending new ones.
                insert_many(tx, "departments", std::mem::take(&mut pending)).await?;
                sqlx::query(
                    "UPDATE departments SET name = $1, parent_id = $2, sort_order = $3, \
                     version = version + 1, updated_at = $4 WHERE tenant_id = $5 AND id = $6",
                )
                .bind(&write.name)
                .bind(parent)
                .bind(write.sort_order)
                .bind(micros)
                .bind(tenant.as_str())
                .bind(write.id.as_str())
                .execute(&mut **tx)
                .await?;
            }
        }
        if done % 500 == 0 {
            progress(done);
        }
    }
    insert_many(tx, "departments", pending).await?;
    let entries = plan
        .writes
        .iter()
        .map(|write| {
            w.audit_entry(
                AuditAction::DepartmentImport,
                "department",
                write.id.as_str(),
                write.before.as_ref().map(|b| {
                    department_audit(
                        &b.code,
                        &b.name,
                        b.parent.as_ref().map(DepartmentId::as_str),
                        b.sort_order,
                    )
                }),
                Some(department_audit(
                    &write.code,
                    &write.name,
                    write.parent.as_ref().map(DepartmentId::as_str),
                    write.sort_order,
                )),
            )
        })
        .collect();
    audit::record_many(tx, entries).await?;
    progress(plan.writes.len());
    Ok(())
}

// ---- export ------------------------------------------------------------------------------

/// The tenant's departments or employees as CSV in the import's format, Japanese headers,
/// formula-safe. Employees without an employee code (e.g. an admin account) are not
/// employees of the file and are left out.
#[tracing::instrument(skip_all)]
pub async fn export_csv(
    db: &Db,
    tenant: &TenantId,
    kind: CsvKind,
    encoding: Encoding,
) -> Result<Vec<u8>, AppError> {
    let mut tx = db.begin_for_tenant(tenant).await?;
    let departments = stored_departments(&mut tx, tenant).await?;
    let code_of: HashMap<&DepartmentId, &str> = departments
        .iter()
        .map(|d| (&d.id, d.code.as_str()))
        .collect();
    let rows: Vec<Vec<String>> = match kind {
        CsvKind::Departments => {
            let mut sorted: Vec<&ExistingDepartment> = departments.iter().collect();
            sorted.sort_by(|a, b| a.code.cmp(&b.code));
            sorted
                .into_iter()
                .map(|d| {
                    vec![
                        d.code.clone(),
                        d.name.clone(),
                        d.parent
                            .as_ref()
                            .and_then(|p| code_of.get(p))
                            .map(|c| (*c).to_owned())
                            .unwrap_or_default(),
                        d.sort_order.to_string(),
                    ]
                })
                .collect()
        }
        CsvKind::Employees => {
            let snapshot = stored_employees(&mut tx, tenant).await?;
            let mut posts: HashMap<&UserId, Vec<&PostSpec>> = HashMap::new();
            for (user, post) in &snapshot.posts {
                posts.entry(user).or_default().push(post);
            }
            let codes = |list: Vec<&PostSpec>, pick: fn(&PostSpec) -> bool| -> String {
                let mut found: Vec<&str> = list
                    .into_iter()
                    .filter(|p| pick(p))
                    .filter_map(|p| code_of.get(&p.department).copied())
                    .collect();
                found.sort();
                found.join(crate::domain::choice::LIST_SEPARATOR)
            };
            let mut employees: Vec<&(UserId, EmployeeRecord)> = snapshot
                .employees
                .iter()
                .filter(|(_, r)| r.employee_code.is_some())
                .collect();
            employees.sort_by(|a, b| a.1.employee_code.cmp(&b.1.employee_code));
            employees
                .into_iter()
                .map(|(id, r)| {
                    let mine = posts.get(id).cloned().unwrap_or_default();
                    vec![
                        r.employee_code.clone().unwrap_or_default(),
                        r.display_name.clone(),
                        r.kana.clone().unwrap_or_default(),
                        r.email.clone(),
                        codes(mine.clone(), |p| p.primary),
                        codes(mine.clone(), |p| !p.primary),
                        codes(mine, |p| p.manager),
                        r.job_title.clone().unwrap_or_default(),
                        r.grade.clone().unwrap_or_default(),
                        r.employment_type.clone().unwrap_or_default(),
                        r.hire_date.map(CalendarDate::iso).unwrap_or_default(),
                    ]
                })
                .collect()
        }
    };
    tx.commit().await?;
    let headers: Vec<&str> = kind.columns().iter().map(|c| c.ja).collect();
    csv_codec::write(&headers, &rows, encoding)
        .map_err(|error| AppError::invalid(FormField::Encoding, error))
}

/// An empty file with the header row, for filling in.
pub fn template_csv(kind: CsvKind) -> Vec<u8> {
    let headers: Vec<&str> = kind.columns().iter().map(|c| c.ja).collect();
    csv_codec::write(&headers, &[], Encoding::Utf8Bom).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leftover_uploads_older_than_a_job_are_removed_at_start() {
        let dir = tempfile::tempdir().unwrap();
        let old = dir.path().join(".tmpOLD");
        let recent = dir.path().join(".tmpNEW");
        std::fs::write(&old, b"an upload of a process that stopped").unwrap();
        std::fs::write(&recent, b"an upload of a job still running").unwrap();
        let long_ago = std::time::SystemTime::now() - JOB_LIFETIME - Duration::from_secs(60);
        std::fs::File::options()
            .write(true)
            .open(&old)
            .unwrap()
            .set_modified(long_ago)
            .unwrap();
        let jobs = ImportJobs::new(dir.path().to_path_buf());
        assert_eq!(jobs.remove_leftover_uploads().unwrap(), 1);
        assert!(!old.exists());
        assert!(recent.exists());
        // No upload folder yet: nothing to do.
        let none = ImportJobs::new(dir.path().join("missing"));
        assert_eq!(none.remove_leftover_uploads().unwrap(), 0);
    }
}
