//! Benchmark: a period's results (issue 13). Prints figures; judges nothing.
//!
//!     cargo run --release -p kouka-server --example bench_results
//!
//! 1. Sheet PDFs, on the demo company of 1,000 people whose period went through the real
//!    workflow (SQLite): one sheet's PDF as an admin takes it (median of 30 sheets, and the
//!    sizes), then every sheet of the period as one ZIP by the background job: the time, the
//!    file's size, and the process's peak memory before and after (VmHWM).
//! 2. The progress page's data at 10,000 sheets (`KOUKA_BENCH_PROGRESS`, default 10000): a
//!    period launched for that many people, a third of its sheets moved on to later states;
//!    `progress_view` for the whole period and for one department (median of 10), on SQLite
//!    and, with `KOUKA_TEST_POSTGRES_URL`, PostgreSQL.

#[path = "support/company.rs"]
mod company;
#[path = "support/mod.rs"]
mod support;

use kouka_app::backend::db::Db;
use kouka_app::backend::demo::{DemoSize, create_demo};
use kouka_app::backend::evaluation::pdf_jobs::{PdfJobs, PdfRequest};
use kouka_app::backend::evaluation::progress::{ProgressReader, followed_sheets, progress_view};
use kouka_app::backend::evaluation::sheet_pdf::sheet_pdf;
use kouka_app::backend::evaluation::{periods, sheets};
use kouka_app::backend::sessions;
use kouka_app::backend::write::WriteContext;
use kouka_app::domain::ids::{DepartmentId, PeriodId, UserId};
use kouka_app::domain::time::Timestamp;
use kouka_app::i18n::Lang;
use std::time::{Duration, Instant};

fn ms(duration: Duration) -> String {
    format!("{:.1} ms", duration.as_secs_f64() * 1000.0)
}

fn median(mut values: Vec<Duration>) -> Duration {
    values.sort();
    values[values.len() / 2]
}

/// The process's peak resident memory so far, in MiB (Linux).
fn peak_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

fn failed(error: impl std::fmt::Debug) -> anyhow::Error {
    anyhow::anyhow!("{error:?}")
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new(
            std::env::var("RUST_LOG").unwrap_or_else(|_| "sqlx=warn".into()),
        ))
        .init();
    pdfs().await?;
    let sheets: usize = std::env::var("KOUKA_BENCH_PROGRESS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(10_000);
    let dir = std::env::temp_dir().join(format!("kouka-bench-progress-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    progress(
        "sqlite",
        &format!("sqlite://{}/kouka.db", dir.display()),
        sheets,
    )
    .await?;
    std::fs::remove_dir_all(dir)?;
    support::on_throwaway_postgres("kouka_bench_progress", |url| async move {
        progress("postgres", &url, sheets).await
    })
    .await?;
    Ok(())
}

async fn pdfs() -> anyhow::Result<()> {
    let dir = std::env::temp_dir().join(format!("kouka-bench-pdf-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let db = Db::connect_and_migrate(&format!("sqlite://{}/kouka.db", dir.display())).await?;
    let started = Instant::now();
    let size = DemoSize {
        employees: 1000,
        departments: 50,
        period: true,
    };
    let demo = create_demo(&db, "http://bench.invalid", "PDF", size, 11)
        .await
        .map_err(failed)?;
    let tenant = demo.tenant.clone();
    println!(
        "demo company of {} people with its period walked through: {}",
        demo.employees,
        ms(started.elapsed())
    );
    let mut tx = db.begin_for_tenant(&tenant).await?;
    let admin_id: String = sqlx::query_scalar(
        "SELECT u.id FROM users u JOIN user_roles r ON r.tenant_id = u.tenant_id \
         AND r.user_id = u.id WHERE u.tenant_id = $1 AND r.role = 'system_admin'",
    )
    .bind(tenant.as_str())
    .fetch_one(&mut *tx)
    .await?;
    let period: PeriodId =
        sqlx::query_scalar("SELECT id FROM evaluation_periods WHERE tenant_id = $1")
            .bind(tenant.as_str())
            .fetch_one(&mut *tx)
            .await?;
    tx.commit().await?;
    let mut tx = db.begin_write_for_tenant(&tenant).await?;
    let secret = sessions::create(
        &mut tx,
        &tenant,
        &UserId::from_stored(admin_id),
        &Default::default(),
        Timestamp::now(),
    )
    .await?;
    tx.commit().await?;
    let admin = sessions::resolve(&db, &secret, Timestamp::now())
        .await?
        .ok_or_else(|| anyhow::anyhow!("the admin's session"))?;
    let reader = ProgressReader {
        user: admin.subject.user.clone(),
        whole_period: true,
        scope: None,
        may_remind: true,
    };
    let all = followed_sheets(&db, &tenant, &period, &reader, None)
        .await
        .map_err(failed)?;

    // One sheet's PDF, as the admin takes it (the audit row included).
    let mut times = Vec::new();
    let mut sizes = Vec::new();
    // The first takes the font from disk: not counted.
    for (n, sheet) in all.iter().step_by(all.len() / 31).take(31).enumerate() {
        let relations = sheets::relations_for(&db, &admin, sheet)
            .await
            .map_err(failed)?;
        let w = WriteContext::new(&db, &admin, Default::default(), Timestamp::now());
        let started = Instant::now();
        let pdf = sheet_pdf(&w, sheet, relations, Lang::Ja)
            .await
            .map_err(failed)?;
        if n > 0 {
            times.push(started.elapsed());
            sizes.push(pdf.len());
        }
    }
    sizes.sort();
    println!(
        "one sheet's PDF: median {} over {} sheets; sizes {:.0}–{:.0} KiB (median {:.0} KiB)",
        ms(median(times.clone())),
        times.len(),
        sizes[0] as f64 / 1024.0,
        sizes[sizes.len() - 1] as f64 / 1024.0,
        sizes[sizes.len() / 2] as f64 / 1024.0
    );

    // Every sheet in one ZIP, by the background job.
    let before = peak_mib();
    let jobs = PdfJobs::new(dir.join("exports"));
    let started = Instant::now();
    let job = jobs
        .start(PdfRequest {
            db: db.clone(),
            by: admin.clone(),
            period: period.clone(),
            sheets: all.clone(),
            lang: Lang::Ja,
            tenant_name: "デモ商事株式会社".into(),
            zone: "Asia/Tokyo".into(),
        })
        .map_err(failed)?;
    let ready = loop {
        let now = jobs
            .latest(&tenant, &admin.subject.user, &period)
            .ok_or_else(|| anyhow::anyhow!("the job"))?;
        if now.ready || now.failed {
            break now;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    anyhow::ensure!(ready.ready, "the bulk job failed");
    println!(
        "bulk PDF of {} sheets in one ZIP: {} ({:.1} ms a sheet), {:.1} MiB; peak memory {:.0} MiB before, {:.0} MiB after",
        job.total,
        ms(started.elapsed()),
        started.elapsed().as_secs_f64() * 1000.0 / job.total as f64,
        ready.bytes as f64 / 1_048_576.0,
        before,
        peak_mib()
    );
    db.close().await;
    std::fs::remove_dir_all(dir)?;
    Ok(())
}

async fn progress(label: &str, url: &str, people: usize) -> anyhow::Result<()> {
    let db = Db::connect_and_migrate(url).await?;
    let company = company::demo_company(&db, people).await?;
    let tenant = company.tenant.clone();
    let period = company::draft_for_everyone(&db, &company).await?;
    let w = company.writer(&db);
    let made = periods::launch_period(&w, &period, "http://bench.invalid")
        .await
        .map_err(failed)?;
    // A third of the sheets further on, so that every phase has some done and some late.
    let mut tx = db.begin_write_for_tenant(&tenant).await?;
    for (n, state) in [
        (3, "goals_submitted"),
        (5, "self_evaluation"),
        (7, "evaluation_1"),
    ] {
        sqlx::query(&format!(
            "UPDATE evaluation_sheets SET state = '{state}' WHERE tenant_id = $1 \
             AND period_id = $2 AND CAST(SUBSTR(id, 36, 1) AS TEXT) IN ('{}')",
            [
                "0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "a", "b", "c", "d", "e", "f"
            ][n..n + 2]
                .join("', '")
        ))
        .bind(tenant.as_str())
        .bind(period.as_str())
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    let reader = ProgressReader {
        user: company.admin.subject.user.clone(),
        whole_period: true,
        scope: None,
        may_remind: true,
    };
    // Long after the self-evaluation's deadline: many are late.
    let later = Timestamp::now().plus_seconds(400 * 86_400);
    let mut whole = Vec::new();
    let mut shown = None;
    for _ in 0..11 {
        let started = Instant::now();
        let view = progress_view(&db, &tenant, &period, &reader, None, later)
            .await
            .map_err(failed)?;
        whole.push(started.elapsed());
        shown = Some(view);
    }
    let view = shown.expect("a view");
    let department: Option<DepartmentId> = view.below.iter().find_map(|d| d.department.clone());
    let mut part = Vec::new();
    for _ in 0..11 {
        let started = Instant::now();
        progress_view(&db, &tenant, &period, &reader, department.as_ref(), later)
            .await
            .map_err(failed)?;
        part.push(started.elapsed());
    }
    println!(
        "{label}: progress of {made} sheets ({} people, {} departments, {} late): whole period median {}, one department median {}",
        company.employees,
        company.departments,
        view.late_total,
        ms(median(whole[1..].to_vec())),
        ms(median(part[1..].to_vec()))
    );
    db.close().await;
    Ok(())
}
