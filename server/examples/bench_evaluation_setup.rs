//! Benchmark: a period's population preview and evaluator proposal at 100,000 employees in
//! 5,000 departments (issue 11), on SQLite and, with `KOUKA_TEST_POSTGRES_URL`, PostgreSQL.
//!
//!     cargo run --release -p kouka-server --example bench_evaluation_setup
//!
//! Makes the company with the demo generator (`KOUKA_BENCH_EMPLOYEES`, default 100,000;
//! departments a twentieth), then times, three runs each: reading the facts (departments,
//! people with their primary posts, managers), and the preview (population and the 1st and
//! 2nd evaluators of every person) for the whole company and for two 本部 subtrees.
//! Prints figures; judges nothing.

#[path = "support/mod.rs"]
mod support;

use kouka_app::backend::db::Db;
use kouka_app::backend::demo::{DemoSize, create_demo};
use kouka_app::backend::evaluation::population;
use kouka_app::domain::evaluation::population::PopulationRule;
use std::time::{Duration, Instant};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let employees: usize = std::env::var("KOUKA_BENCH_EMPLOYEES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let size = DemoSize {
        employees,
        departments: (employees / 20).max(10),
        period: false,
    };
    let dir = std::env::temp_dir().join(format!("kouka-bench-eval-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    run(
        "sqlite",
        &format!("sqlite://{}/kouka.db", dir.display()),
        size,
    )
    .await?;
    support::on_throwaway_postgres("kouka_bench_eval", |url| async move {
        run("postgres", &url, size).await
    })
    .await?;
    std::fs::remove_dir_all(dir)?;
    Ok(())
}

fn ms(duration: Duration) -> String {
    format!("{:.0} ms", duration.as_secs_f64() * 1000.0)
}

async fn run(label: &str, url: &str, size: DemoSize) -> anyhow::Result<()> {
    let db = Db::connect_and_migrate(url).await?;
    let started = Instant::now();
    let demo = create_demo(&db, "http://bench.invalid", "BENCH", size, 11)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    println!(
        "{label}: generated {} employees in {} departments in {}",
        demo.employees,
        demo.departments,
        ms(started.elapsed())
    );
    let tenant = &demo.tenant;
    let mut tx = db.begin_for_tenant(tenant).await?;
    let facts = population::load_facts(&mut tx, tenant)
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    tx.commit().await?;
    let divisions: Vec<_> = facts
        .tree
        .children(None)
        .first()
        .map(|root| facts.tree.children(Some(root)))
        .unwrap_or_default()
        .into_iter()
        .take(2)
        .cloned()
        .collect();
    let whole = PopulationRule::default();
    let two = PopulationRule {
        departments: divisions,
        ..PopulationRule::default()
    };
    for attempt in 1..=3 {
        let started = Instant::now();
        let mut tx = db.begin_for_tenant(tenant).await?;
        let facts = population::load_facts(&mut tx, tenant)
            .await
            .map_err(|e| anyhow::anyhow!("{e:?}"))?;
        tx.commit().await?;
        let read = started.elapsed();
        let started = Instant::now();
        let all = facts.preview(&whole, 2, 50);
        let whole_time = started.elapsed();
        let started = Instant::now();
        let part = facts.preview(&two, 2, 50);
        let part_time = started.elapsed();
        println!(
            "{label} run {attempt}: read the facts {} · preview of all {} people (1st and 2nd evaluators, {} without one) {} · two 本部 ({} people) {} · read + preview of all {}",
            ms(read),
            all.count,
            all.without_evaluator.len(),
            ms(whole_time),
            part.count,
            ms(part_time),
            ms(read + whole_time)
        );
    }
    db.close().await;
    Ok(())
}
