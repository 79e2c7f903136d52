//! Many sheets as PDFs in one ZIP (一括PDF), made in the background: each sheet rendered as
//! its requester may see it (the same `sheet_pdf::render` as one sheet) and written to a
//! file under the data folder as it is made, so that memory holds one sheet at a time
//! whatever the selection. The job lives in this process for an hour after it ends; the
//! page asks for the requester's latest job of the period, so a reload finds it again.
//! Only its requester may take the file.

use crate::backend::db::Db;
use crate::backend::evaluation::sheet_pdf::render;
use crate::backend::evaluation::sheets::{open_sheet_as, relations_for};
use crate::backend::sessions::SessionUser;
use crate::domain::evaluation::progress::PdfJobView;
use crate::domain::ids::{PeriodId, SheetId, TenantId, UserId};
use crate::domain::time::Timestamp;
use crate::error::AppError;
use crate::i18n::Lang;
use std::collections::HashMap;
use std::io::Write;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long a finished job and its file are kept.
const KEPT_FOR: Duration = Duration::from_secs(3600);

#[derive(Clone, Debug)]
struct Job {
    view: PdfJobView,
    tenant: TenantId,
    user: UserId,
    period: PeriodId,
    file: PathBuf,
    ended: Option<Instant>,
}

/// The bulk PDF jobs of this process.
#[derive(Clone)]
pub struct PdfJobs {
    jobs: Arc<Mutex<HashMap<String, Job>>>,
    dir: PathBuf,
}

impl std::fmt::Debug for PdfJobs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PdfJobs").finish_non_exhaustive()
    }
}

/// What a job needs to render each sheet as its requester sees it.
pub struct PdfRequest {
    pub db: Db,
    pub by: SessionUser,
    pub period: PeriodId,
    pub sheets: Vec<SheetId>,
    pub lang: Lang,
    pub tenant_name: String,
    pub zone: String,
}

impl PdfJobs {
    /// Jobs writing their files into `dir` (created when needed).
    pub fn new(dir: PathBuf) -> PdfJobs {
        PdfJobs {
            jobs: Arc::new(Mutex::new(HashMap::new())),
            dir,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Job>> {
        self.jobs
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Forgets jobs ended more than [`KEPT_FOR`] ago, and deletes their files.
    fn sweep(&self) {
        let mut jobs = self.lock();
        jobs.retain(|_, job| {
            let keep = job.ended.is_none_or(|ended| ended.elapsed() < KEPT_FOR);
            if !keep {
                let _ = std::fs::remove_file(&job.file);
            }
            keep
        });
    }

    /// Starts a job over `request.sheets`; answers it as the page shows it. A requester's
    /// job still running for the period is answered instead of a second one.
    pub fn start(&self, request: PdfRequest) -> Result<PdfJobView, AppError> {
        self.sweep();
        let tenant = request.by.subject.tenant.clone();
        let user = request.by.subject.user.clone();
        if let Some(running) = self.lock().values().find(|job| {
            job.tenant == tenant
                && job.user == user
                && job.period == request.period
                && job.ended.is_none()
        }) {
            return Ok(running.view.clone());
        }
        std::fs::create_dir_all(&self.dir)
            .map_err(|error| AppError::internal("PDF job folder", error))?;
        let id = uuid::Uuid::now_v7().simple().to_string();
        let file = self.dir.join(format!("{id}.zip"));
        let view = PdfJobView {
            id: id.clone(),
            total: request.sheets.len(),
            done: 0,
            ready: false,
            failed: false,
            bytes: 0,
        };
        self.lock().insert(
            id.clone(),
            Job {
                view: view.clone(),
                tenant,
                user,
                period: request.period.clone(),
                file: file.clone(),
                ended: None,
            },
        );
        let jobs = self.clone();
        let runtime = tokio::runtime::Handle::current();
        tokio::task::spawn_blocking(move || {
            let result = write_zip(&runtime, &request, &file, |done| {
                if let Some(job) = jobs.lock().get_mut(&id) {
                    job.view.done = done;
                }
            });
            let mut all = jobs.lock();
            if let Some(job) = all.get_mut(&id) {
                job.ended = Some(Instant::now());
                match result {
                    Ok(bytes) => {
                        job.view.ready = true;
                        job.view.bytes = bytes;
                    }
                    Err(error) => {
                        tracing::error!(%error, "bulk PDF job failed");
                        job.view.failed = true;
                        let _ = std::fs::remove_file(&job.file);
                    }
                }
            }
        });
        Ok(view)
    }

    /// The requester's latest job of `period`, if any.
    pub fn latest(
        &self,
        tenant: &TenantId,
        user: &UserId,
        period: &PeriodId,
    ) -> Option<PdfJobView> {
        self.sweep();
        self.lock()
            .values()
            .filter(|job| &job.tenant == tenant && &job.user == user && &job.period == period)
            .max_by(|a, b| a.view.id.cmp(&b.view.id))
            .map(|job| job.view.clone())
    }

    /// The finished file of job `id`, for its requester only.
    pub fn file(&self, tenant: &TenantId, user: &UserId, id: &str) -> Option<PathBuf> {
        self.lock()
            .get(id)
            .filter(|job| &job.tenant == tenant && &job.user == user && job.view.ready)
            .map(|job| job.file.clone())
    }
}

/// Renders each sheet and adds it to the ZIP at `path` as it goes; answers the file's size.
fn write_zip(
    runtime: &tokio::runtime::Handle,
    request: &PdfRequest,
    path: &std::path::Path,
    progress: impl Fn(usize),
) -> Result<u64, AppError> {
    let file = std::fs::File::create(path).map_err(|e| AppError::internal("PDF job file", e))?;
    let mut zip = zip::ZipWriter::new(std::io::BufWriter::new(file));
    // PDFs are compressed inside already: stored as they are.
    let options =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    let zip_error = |e: zip::result::ZipError| AppError::internal("PDF job ZIP", e);
    let mut names: HashMap<String, usize> = HashMap::new();
    for (n, sheet) in request.sheets.iter().enumerate() {
        let view = runtime.block_on(async {
            let relations = relations_for(&request.db, &request.by, sheet).await?;
            open_sheet_as(&request.db, &request.by, sheet, relations, Timestamp::now()).await
        })?;
        let printed = Timestamp::now().format_in_zone(&request.zone);
        let pdf = render(&view, &request.tenant_name, &printed, request.lang)
            .map_err(|e| AppError::internal("sheet PDF", e))?;
        // `E000123_山田太郎.pdf`; a name taken twice gets a number.
        let code = view
            .employee
            .employee_code
            .as_ref()
            .map(|c| c.as_str().to_owned())
            .unwrap_or_else(|| "-".into());
        let base: String = format!("{code}_{}", view.employee.name)
            .chars()
            .filter(|c| {
                !matches!(c, '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|')
                    && !c.is_control()
            })
            .collect();
        let seen = names.entry(base.clone()).or_insert(0);
        *seen += 1;
        let name = if *seen == 1 {
            format!("{base}.pdf")
        } else {
            format!("{base}_{seen}.pdf")
        };
        zip.start_file(name, options).map_err(zip_error)?;
        zip.write_all(&pdf)
            .map_err(|e| AppError::internal("PDF job ZIP", e))?;
        progress(n + 1);
    }
    let mut out = zip.finish().map_err(zip_error)?;
    out.flush()
        .map_err(|e| AppError::internal("PDF job ZIP", e))?;
    let bytes = std::fs::metadata(path)
        .map(|m| m.len())
        .map_err(|e| AppError::internal("PDF job file", e))?;
    Ok(bytes)
}
