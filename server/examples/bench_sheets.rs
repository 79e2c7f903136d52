//! Benchmark: evaluation sheets under the load of a deadline, and the sheet page's render.
//!
//!     cargo run --release -p kouka-server --example bench_sheets
//!     KOUKA_TEST_POSTGRES_URL=postgres://kouka@127.0.0.1:5432/postgres \
//!       cargo run --release -p kouka-server --example bench_sheets    # and PostgreSQL
//!
//! Starts the release server in this process (its own runtime) on a fresh database with the
//! demo company at 1,000 employees and its running period, then, from a second runtime:
//! - **the sheet page**: one sheet whose period's template has a goals section and an
//!   items section of 30 items, with 20 goals, rated by the employee and the 1st evaluator
//!   and drafted by the 2nd: `/evaluation/sheets/{id}` as the 2nd evaluator sees it, one
//!   request at a time, median and p90, beside the same person's home page (`/`);
//! - **the deadline storm**: 200 employees at once, each on their own connection and their
//!   own sheet, for `KOUKA_BENCH_SECONDS` (default 60): save the goals (a new text each
//!   time), and after every fifth save submit them and withdraw them again, as people do
//!   when a deadline nears. Requests a second, p50 and p99 of saves and of steps, errors
//!   (any answer but a success), and afterwards every sheet read back from the database:
//!   its goals must be those of the last save the server acknowledged (lost: any that are
//!   not).
//!
//! Uses the built site in `target/site` when there is one, so pages are as a browser gets
//! them. `KOUKA_BENCH_DEBUG=1` prints each refused call's status and answer. Prints
//! figures; judges nothing.

#[path = "support/mod.rs"]
mod support;

#[path = "support/server.rs"]
mod server;

use kouka_app::backend::audit::RequestOrigin;
use kouka_app::backend::db::Db;
use kouka_app::backend::demo::{DemoSize, create_demo};
use kouka_app::backend::sessions;
use kouka_app::domain::evaluation::scoring::Rating;
use kouka_app::domain::evaluation::sheet::{Goal, SheetContent, Work};
use kouka_app::domain::evaluation::template::{FixedItem, SectionKind, Template};
use kouka_app::domain::ids::{SheetId, TenantId, UserId};
use kouka_app::domain::time::Timestamp;
use rust_decimal::Decimal;
use server::{Run, connection, start_server};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// People saving and submitting at once.
const STORM_USERS: usize = 200;
/// Saves between two submissions of one person's goals.
const SAVES_PER_SUBMISSION: usize = 5;
/// Requests of each page for the render figures.
const RENDERS: usize = 200;

fn main() -> anyhow::Result<()> {
    let seconds: u64 = std::env::var("KOUKA_BENCH_SECONDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(60);
    let storm = Duration::from_secs(seconds);
    let dir = std::env::temp_dir().join(format!("kouka-bench-sheets-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let sqlite = format!("sqlite://{}/kouka.db", dir.display());
    println!("== SQLite");
    run_on(&sqlite, &dir.join("sqlite"), storm)?;
    let pg_dir = dir.join("postgres");
    tokio::runtime::Runtime::new()?.block_on(support::on_throwaway_postgres(
        "kouka_bench_sheets",
        |url| async move {
            println!("== PostgreSQL");
            // The benchmark starts runtimes of its own: off this one's threads.
            tokio::task::spawn_blocking(move || run_on(&url, &pg_dir, storm)).await?
        },
    ))?;
    std::fs::remove_dir_all(dir)?;
    Ok(())
}

fn run_on(url: &str, dir: &std::path::Path, storm: Duration) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir)?;
    // The server's runtime, as `kouka serve` builds it: a worker per core.
    let server_runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let (db, addr, stop, server) = server_runtime.block_on(start_server(url, dir))?;
    let base = format!("http://{addr}");
    let seeded = server_runtime.block_on(seed(&db, &base))?;
    // The load's own runtime, on its own threads.
    let load = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let result = load.block_on(async {
        let sheet_path = format!("/evaluation/sheets/{}", seeded.big_sheet);
        let page = one_at_a_time(&base, &sheet_path, &seeded.reader, RENDERS).await;
        let home = one_at_a_time(&base, "/", &seeded.reader, RENDERS).await;
        println!("one request at a time, {RENDERS} each; ms");
        for (what, run) in [
            ("sheet page (20 goals, 30 items)", &page),
            ("home page, same person", &home),
        ] {
            println!(
                "{what:<34} median {:>6.2}  p90 {:>6.2}  {:>5.1} KiB  ({} errors)",
                run.percentile(50.0),
                run.percentile(90.0),
                run.kib_per_response(),
                run.errors
            );
        }
        deadline_storm(&base, &seeded.storm, storm).await
    });
    println!(
        "deadline storm, {STORM_USERS} users, {} s: {:.0} req/s; saves {} p50 {:.1} p99 {:.1}; \
         steps {} p50 {:.1} p99 {:.1}; errors {}",
        storm.as_secs(),
        (result.saves.latencies.len() + result.steps.latencies.len()) as f64 / storm.as_secs_f64(),
        result.saves.latencies.len(),
        result.saves.percentile(50.0),
        result.saves.percentile(99.0),
        result.steps.latencies.len(),
        result.steps.percentile(50.0),
        result.steps.percentile(99.0),
        result.saves.errors + result.steps.errors,
    );
    let lost = server_runtime.block_on(lost_saves(&db, &seeded.tenant, &result.acknowledged));
    println!(
        "afterwards: {} sheets read back, acknowledged saves lost: {lost}",
        result.acknowledged.len()
    );
    let _ = stop.send(());
    server_runtime.block_on(server)??;
    Ok(())
}

/// Who does what, once the company is seeded.
struct Seeded {
    tenant: TenantId,
    /// The sheet of 20 goals and 30 items.
    big_sheet: SheetId,
    /// The session cookie of that sheet's 2nd evaluator.
    reader: String,
    /// Each storm user's session cookie and own sheet, in goal drafting.
    storm: Vec<(String, SheetId)>,
}

/// A template of a goals section (up to 20 goals) and 30 items (10 weighing 3.34 and 20
/// weighing 3.33: 100), on the starter's scale and grades.
fn big_template() -> Template {
    let mut template = Template::starter();
    template.sections.retain(|s| s.is_scored());
    for section in &mut template.sections {
        match &mut section.kind {
            SectionKind::Goals { max_goals, .. } => *max_goals = 20,
            SectionKind::Items { items } => {
                *items = (0..30)
                    .map(|n| FixedItem {
                        title: format!("行動項目 {}", n + 1),
                        description: "日々の業務で期待される行動が見られたか".into(),
                        weight: if n < 10 {
                            Decimal::new(334, 2)
                        } else {
                            Decimal::new(333, 2)
                        },
                    })
                    .collect()
            }
            SectionKind::Comment => {}
        }
    }
    template
}

/// One rater's work on every entry of the big sheet.
fn rated_work(goals: usize) -> Work {
    let level = |n: usize| Some(Rating::Level(["S", "A", "B", "C"][n % 4].into()));
    Work {
        ratings: BTreeMap::from([
            (0, (0..goals).map(level).collect()),
            (1, (0..30).map(level).collect()),
        ]),
        entry_comments: BTreeMap::from([(0, vec!["計画どおりに進めた".to_owned(); goals])]),
        comments: BTreeMap::from([(0, "期を通じて安定した成果だった".to_owned())]),
    }
}

async fn session_cookie(db: &Db, tenant: &TenantId, user: &UserId) -> anyhow::Result<String> {
    let mut tx = db.begin_write_for_tenant(tenant).await?;
    let secret = sessions::create(
        &mut tx,
        tenant,
        user,
        &RequestOrigin::default(),
        Timestamp::now(),
    )
    .await?;
    tx.commit().await?;
    Ok(secret.encode())
}

/// The demo company at 1,000 employees with its running period; one sheet made big (its
/// period's template snapshot given 30 items, the sheet 20 goals, rated by the employee and
/// the 1st evaluator), and 200 sheets put back to goal drafting for the storm.
async fn seed(db: &Db, base: &str) -> anyhow::Result<Seeded> {
    let size = DemoSize {
        employees: 1000,
        departments: 50,
        period: true,
    };
    let demo = create_demo(db, base, "BENCH", size, 11)
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let tenant = demo.tenant.clone();
    let mut tx = db.begin_write_for_tenant(&tenant).await?;
    let sheets: Vec<(SheetId, UserId, Option<UserId>)> = sqlx::query_as(
        "SELECT id, employee_id, evaluator_2 FROM evaluation_sheets WHERE tenant_id = $1 \
         ORDER BY id",
    )
    .bind(tenant.as_str())
    .fetch_all(&mut *tx)
    .await?;
    let (big_sheet, _, second) = sheets
        .iter()
        .find(|(_, _, second)| second.is_some())
        .cloned()
        .ok_or_else(|| anyhow::anyhow!("no sheet with a 2nd evaluator"))?;
    let second = second.expect("found with one");
    let goals: Vec<Goal> = (0..20)
        .map(|n| Goal {
            title: format!("目標 {}: 担当顧客の売上を前年比 110 %にする", n + 1),
            description: "四半期ごとに進捗を確認し、遅れは翌月に取り戻す".into(),
            measure: "前年比 110 %".into(),
            weight: Decimal::from(5),
            due: None,
            id: None,
            aligned_to: None,
        })
        .collect();
    let content = SheetContent {
        goals: BTreeMap::from([(0, goals)]),
        self_work: Some(rated_work(20)),
        stage_work: vec![rated_work(20), rated_work(20)],
        adjusted: None,
        interview: None,
    };
    sqlx::query(
        "UPDATE evaluation_periods SET template_snapshot = $1 WHERE tenant_id = $2 \
         AND state = 'running'",
    )
    .bind(serde_json::to_string(&big_template())?)
    .bind(tenant.as_str())
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "UPDATE evaluation_sheets SET state = 'evaluation_2', content = $1 \
         WHERE tenant_id = $2 AND id = $3",
    )
    .bind(serde_json::to_string(&content)?)
    .bind(tenant.as_str())
    .bind(big_sheet.as_str())
    .execute(&mut *tx)
    .await?;
    // Everybody has chosen a password (a session of one who has not may do nothing else).
    sqlx::query("UPDATE users SET password_set_at = $1 WHERE tenant_id = $2")
        .bind(Timestamp::now().as_micros())
        .bind(tenant.as_str())
        .execute(&mut *tx)
        .await?;
    // The storm's people: owners of other sheets, each sheet back to goal drafting.
    let storm_sheets: Vec<(SheetId, UserId)> = sheets
        .iter()
        .filter(|(id, owner, _)| *id != big_sheet && *owner != second)
        .take(STORM_USERS)
        .map(|(id, owner, _)| (id.clone(), owner.clone()))
        .collect();
    for (id, _) in &storm_sheets {
        sqlx::query(
            "UPDATE evaluation_sheets SET state = 'goal_drafting', content = '{}' \
             WHERE tenant_id = $1 AND id = $2",
        )
        .bind(tenant.as_str())
        .bind(id.as_str())
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    let reader = session_cookie(db, &tenant, &second).await?;
    let mut storm = Vec::with_capacity(storm_sheets.len());
    for (id, owner) in storm_sheets {
        storm.push((session_cookie(db, &tenant, &owner).await?, id));
    }
    Ok(Seeded {
        tenant,
        big_sheet,
        reader,
        storm,
    })
}

/// `GET path` `count` times, one after another, on one kept-alive connection.
async fn one_at_a_time(base: &str, path: &str, cookie: &str, count: usize) -> Run {
    let client = connection();
    let mut run = Run::default();
    for _ in 0..count {
        let started = Instant::now();
        let response = client
            .get(format!("{base}{path}"))
            .header("cookie", format!("kouka_session={cookie}"))
            .header("accept-encoding", "gzip, deflate, br, zstd")
            .send()
            .await;
        match response {
            // A page of the sheet as its reader gets it, not a redirect elsewhere.
            Ok(response) if response.status().is_success() && response.url().path() == path => {
                match response.bytes().await {
                    Ok(body) => {
                        run.body_bytes += body.len();
                        run.latencies.push(started.elapsed());
                    }
                    Err(_) => run.errors += 1,
                }
            }
            _ => run.errors += 1,
        }
    }
    run
}

struct StormResult {
    saves: Run,
    steps: Run,
    /// Each sheet with the goals of the last save the server acknowledged.
    acknowledged: Vec<(SheetId, BTreeMap<usize, Vec<Goal>>)>,
}

/// The goals one person saves on their `n`th save: three goals of 50/30/20, the first
/// titled with the save's number so every save differs.
fn goals_of_save(n: usize) -> BTreeMap<usize, Vec<Goal>> {
    let goal = |title: String, weight: i64| Goal {
        title,
        description: "締切前の見直し".into(),
        measure: "前年比 105 %".into(),
        weight: Decimal::from(weight),
        due: None,
        id: None,
        aligned_to: None,
    };
    BTreeMap::from([(
        0,
        vec![
            goal(format!("担当エリアの売上（見直し {n} 回目）"), 50),
            goal("新規顧客の開拓".into(), 30),
            goal("業務手順書の整備".into(), 20),
        ],
    )])
}

/// One server function call as the page makes it: a POST of a form; answers the JSON.
async fn call(
    client: &reqwest::Client,
    base: &str,
    cookie: &str,
    endpoint: &str,
    form: &[(&str, &str)],
) -> Option<serde_json::Value> {
    let response = client
        .post(format!("{base}/api/{endpoint}"))
        .header("origin", base)
        .header("cookie", format!("kouka_session={cookie}"))
        .form(form)
        .send()
        .await
        .ok()?;
    if !response.status().is_success() {
        if std::env::var_os("KOUKA_BENCH_DEBUG").is_some() {
            eprintln!(
                "{endpoint}: {} {}",
                response.status(),
                response.text().await.unwrap_or_default()
            );
        }
        return None;
    }
    response.json().await.ok()
}

/// Every storm user at once, each on their own sheet and connection, until `phase` ends.
async fn deadline_storm(base: &str, users: &[(String, SheetId)], phase: Duration) -> StormResult {
    let end = Instant::now() + phase;
    let tasks: Vec<_> = users
        .iter()
        .cloned()
        .map(|(cookie, sheet)| {
            let base = base.to_owned();
            tokio::spawn(async move {
                let client = connection();
                let (mut saves, mut steps) = (Run::default(), Run::default());
                let mut acknowledged = BTreeMap::new();
                // The sheet was reset to version 0 or more: read it as the page does.
                let id = sheet.to_string();
                let mut version = call(
                    &client,
                    &base,
                    &cookie,
                    "evaluation/sheets/get",
                    &[("id", &id)],
                )
                .await
                .and_then(|view| view["version"].as_i64())
                .unwrap_or(0);
                let mut n = 0;
                while Instant::now() < end {
                    n += 1;
                    let goals = goals_of_save(n);
                    let body = serde_json::to_string(&goals).expect("plain JSON");
                    let started = Instant::now();
                    let saved = call(
                        &client,
                        &base,
                        &cookie,
                        "evaluation/sheets/save-goals",
                        &[
                            ("id", &id),
                            ("version", &version.to_string()),
                            ("goals", &body),
                        ],
                    )
                    .await
                    .and_then(|answer| answer["Saved"]["version"].as_i64());
                    match saved {
                        Some(next) => {
                            saves.latencies.push(started.elapsed());
                            version = next;
                            acknowledged = goals;
                        }
                        None => saves.errors += 1,
                    }
                    if n % SAVES_PER_SUBMISSION != 0 {
                        continue;
                    }
                    for step in ["submit_goals", "withdraw_goals"] {
                        let started = Instant::now();
                        let taken = call(
                            &client,
                            &base,
                            &cookie,
                            "evaluation/sheets/step",
                            &[
                                ("id", &id),
                                ("version", &version.to_string()),
                                ("step", step),
                                ("comment", ""),
                            ],
                        )
                        .await
                        .and_then(|answer| answer.as_i64());
                        match taken {
                            Some(next) => {
                                steps.latencies.push(started.elapsed());
                                version = next;
                            }
                            None => steps.errors += 1,
                        }
                    }
                }
                (saves, steps, (sheet, acknowledged))
            })
        })
        .collect();
    let mut result = StormResult {
        saves: Run::default(),
        steps: Run::default(),
        acknowledged: Vec::new(),
    };
    for task in tasks {
        if let Ok((saves, steps, last)) = task.await {
            result.saves.merge(saves);
            result.steps.merge(steps);
            result.acknowledged.push(last);
        }
    }
    result
}

/// How many sheets do not hold the goals of their last acknowledged save.
async fn lost_saves(
    db: &Db,
    tenant: &TenantId,
    acknowledged: &[(SheetId, BTreeMap<usize, Vec<Goal>>)],
) -> usize {
    let mut lost = 0;
    for (sheet, goals) in acknowledged {
        let Ok(mut tx) = db.begin_for_tenant(tenant).await else {
            return acknowledged.len();
        };
        let stored: Option<String> = sqlx::query_scalar(
            "SELECT content FROM evaluation_sheets WHERE tenant_id = $1 AND id = $2",
        )
        .bind(tenant.as_str())
        .bind(sheet.as_str())
        .fetch_optional(&mut *tx)
        .await
        .ok()
        .flatten();
        let _ = tx.commit().await;
        let held = stored
            .and_then(|text| serde_json::from_str::<SheetContent>(&text).ok())
            .map(|content| content.goals);
        if held.as_ref() != Some(goals) {
            lost += 1;
        }
    }
    lost
}
