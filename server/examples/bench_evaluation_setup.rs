//! Benchmark: a period's population preview and evaluator proposal at 100,000 employees in
//! 5,000 departments (issue 11), on SQLite and, with `KOUKA_TEST_POSTGRES_URL`, PostgreSQL.
//!
//!     cargo run --release -p kouka-server --example bench_evaluation_setup
//!
//! Makes the company with the demo generator (`KOUKA_BENCH_EMPLOYEES`, default 100,000;
//! departments a twentieth) and a draft period for everyone, then times, three runs each,
//! the preview as the period page asks for it (`periods::preview_period`: the facts read,
//! the population chosen, every person's 1st and 2nd evaluators proposed, the people shown
//! read with their names), and reading the facts alone; and the same preview for two
//! 本部 subtrees. Prints figures; judges nothing.

#[path = "support/company.rs"]
mod company;
#[path = "support/mod.rs"]
mod support;

use kouka_app::backend::db::Db;
use kouka_app::backend::evaluation::{periods, population};
use std::time::{Duration, Instant};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let employees: usize = std::env::var("KOUKA_BENCH_EMPLOYEES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let dir = std::env::temp_dir().join(format!("kouka-bench-eval-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    run(
        "sqlite",
        &format!("sqlite://{}/kouka.db", dir.display()),
        employees,
    )
    .await?;
    support::on_throwaway_postgres("kouka_bench_eval", |url| async move {
        run("postgres", &url, employees).await
    })
    .await?;
    std::fs::remove_dir_all(dir)?;
    Ok(())
}

fn ms(duration: Duration) -> String {
    format!("{:.0} ms", duration.as_secs_f64() * 1000.0)
}

fn failed(error: impl std::fmt::Debug) -> anyhow::Error {
    anyhow::anyhow!("{error:?}")
}

async fn run(label: &str, url: &str, employees: usize) -> anyhow::Result<()> {
    let db = Db::connect_and_migrate(url).await?;
    let started = Instant::now();
    let company = company::demo_company(&db, employees).await?;
    println!(
        "{label}: generated {} employees in {} departments in {}",
        company.employees,
        company.departments,
        ms(started.elapsed())
    );
    let tenant = &company.tenant;
    let everyone = company::draft_for_everyone(&db, &company).await?;

    // The second draft: the first two 本部 under 本社.
    let mut tx = db.begin_for_tenant(tenant).await?;
    let divisions: Vec<String> = sqlx::query_scalar(
        "SELECT d.code FROM departments d JOIN departments top ON top.tenant_id = d.tenant_id \
         AND top.id = d.parent_id WHERE d.tenant_id = $1 AND top.code = 'HQ' \
         ORDER BY d.sort_order, d.id LIMIT 2",
    )
    .bind(tenant.as_str())
    .fetch_all(&mut *tx)
    .await?;
    tx.commit().await?;
    let w = company.writer(&db);
    let stored = periods::get_period(&db, tenant, &everyone)
        .await
        .map_err(failed)?;
    let two = periods::create_period(
        &w,
        "二本部".into(),
        stored.plan.term_start,
        stored.plan.term_end,
        stored.plan.template.clone(),
    )
    .await
    .map_err(failed)?;
    let draft = periods::get_period(&db, tenant, &two)
        .await
        .map_err(failed)?;
    periods::update_period(
        &w,
        &two,
        draft.version,
        draft.plan,
        periods::PopulationCodes {
            departments: divisions,
            ..Default::default()
        },
    )
    .await
    .map_err(failed)?;

    for attempt in 1..=3 {
        let started = Instant::now();
        let mut tx = db.begin_for_tenant(tenant).await?;
        population::load_facts(&mut tx, tenant)
            .await
            .map_err(failed)?;
        tx.commit().await?;
        let read = started.elapsed();
        let started = Instant::now();
        let all = periods::preview_period(&db, tenant, &everyone)
            .await
            .map_err(failed)?;
        let all_time = started.elapsed();
        let started = Instant::now();
        let part = periods::preview_period(&db, tenant, &two)
            .await
            .map_err(failed)?;
        let part_time = started.elapsed();
        println!(
            "{label} run {attempt}: preview of all {} people (1st and 2nd evaluators proposed, {} without one) {} · reading the facts alone (a run of its own) {} · two 本部 ({} people) {}",
            all.count,
            all.without_evaluator_count,
            ms(all_time),
            ms(read),
            part.count,
            ms(part_time),
        );
    }
    db.close().await;
    Ok(())
}
