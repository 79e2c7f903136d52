//! Benchmark: launching an evaluation period for 10,000 and for 100,000 employees (issue
//! 11), on SQLite and, with `KOUKA_TEST_POSTGRES_URL`, PostgreSQL; beside each, the time
//! for the same number of plain inserts of a sheet row in one transaction.
//!
//!     cargo run --release -p kouka-server --example bench_period_launch
//!
//! For each size (`KOUKA_BENCH_SIZES`, default `10000,100000`) a fresh company from the demo
//! generator (departments a twentieth), a period for the whole company less the people the
//! chart proposes nobody for (the president and the division heads), then the launch as an
//! admin runs it: the facts read, every chain proposed, the checks, one sheet per person,
//! the period's snapshot, a notice mail per person and the audit row, in one transaction.
//! Prints figures; judges nothing.

#[path = "support/company.rs"]
mod company;
#[path = "support/mod.rs"]
mod support;

use kouka_app::backend::db::{Db, Value, insert_many};
use kouka_app::backend::evaluation::periods;
use kouka_app::domain::ids::{PeriodId, SheetId};
use kouka_app::domain::time::Timestamp;
use std::time::{Duration, Instant};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    // Statements slower than a second are named (sqlx warns of them), e.g. a plan chosen
    // without statistics.
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new(
            std::env::var("RUST_LOG").unwrap_or_else(|_| "sqlx=warn".into()),
        ))
        .init();
    let sizes: Vec<usize> = std::env::var("KOUKA_BENCH_SIZES")
        .unwrap_or_else(|_| "10000,100000".into())
        .split(',')
        .filter_map(|n| n.trim().parse().ok())
        .collect();
    for &employees in &sizes {
        let dir = std::env::temp_dir().join(format!(
            "kouka-bench-launch-{}-{employees}",
            std::process::id()
        ));
        std::fs::create_dir_all(&dir)?;
        run(
            "sqlite",
            &format!("sqlite://{}/kouka.db", dir.display()),
            employees,
        )
        .await?;
        std::fs::remove_dir_all(dir)?;
        support::on_throwaway_postgres("kouka_bench_launch", |url| async move {
            run("postgres", &url, employees).await
        })
        .await?;
    }
    Ok(())
}

fn ms(duration: Duration) -> String {
    format!("{:.0} ms", duration.as_secs_f64() * 1000.0)
}

async fn run(label: &str, url: &str, employees: usize) -> anyhow::Result<()> {
    let db = Db::connect_and_migrate(url).await?;
    let company = company::demo_company(&db, employees).await?;
    let tenant = company.tenant.clone();
    let period = company::draft_for_everyone(&db, &company).await?;
    let w = company.writer(&db);

    if std::env::var("KOUKA_BENCH_ANALYZE").is_ok_and(|v| v == "1") && label == "postgres" {
        sqlx::query("ANALYZE").execute(db.pool()).await?;
    }
    let started = Instant::now();
    let made = periods::launch_period(&w, &period, "http://bench.invalid")
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let launch = started.elapsed();

    // The same number of bare sheet rows, in one transaction, into a draft of their own.
    let bare = PeriodId::generate();
    let now = Timestamp::now().as_micros();
    let mut tx = db.begin_write_for_tenant(&tenant).await?;
    sqlx::query(
        "INSERT INTO evaluation_periods (tenant_id, id, name, state, definition, created_at, \
         updated_at) VALUES ($1, $2, 'bare', 'draft', '{}', $3, $3)",
    )
    .bind(tenant.as_str())
    .bind(bare.as_str())
    .bind(now)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    let people: Vec<String> = {
        let mut tx = db.begin_for_tenant(&tenant).await?;
        let ids = sqlx::query_scalar(
            "SELECT employee_id FROM evaluation_sheets WHERE tenant_id = $1 AND period_id = $2",
        )
        .bind(tenant.as_str())
        .bind(period.as_str())
        .fetch_all(&mut *tx)
        .await?;
        tx.commit().await?;
        ids
    };
    let started = Instant::now();
    let mut tx = db.begin_write_for_tenant(&tenant).await?;
    let rows = people
        .iter()
        .map(|employee| {
            vec![
                ("tenant_id", Value::from(tenant.as_str())),
                ("id", Value::from(SheetId::generate().as_str())),
                ("period_id", Value::from(bare.as_str())),
                ("employee_id", Value::from(employee.as_str())),
                ("state", Value::from("goal_drafting")),
                ("created_at", Value::from(now)),
                ("updated_at", Value::from(now)),
            ]
        })
        .collect();
    insert_many(&mut tx, "evaluation_sheets", rows).await?;
    tx.commit().await?;
    let plain = started.elapsed();
    println!(
        "{label}: {} employees in {} departments, {made} sheets: launch {} · plain inserts of {} sheet rows {} · ratio {:.1}",
        company.employees,
        company.departments,
        ms(launch),
        people.len(),
        ms(plain),
        launch.as_secs_f64() / plain.as_secs_f64().max(1e-9)
    );
    db.close().await;
    Ok(())
}
