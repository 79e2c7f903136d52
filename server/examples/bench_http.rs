//! Benchmark: requests a second and latency of the real server, and what a login storm does
//! to everyone else.
//!
//!     cargo run --release -p kouka-server --example bench_http
//!
//! Starts the server in this process (its own runtime) on a fresh SQLite database with one
//! tenant of 1,000 employees, then, from a second runtime:
//! - `/healthz`, the sign-in page and the signed-in directory page (`/org/employees`) as an
//!   employee with no role and as the admin (whose page adds the add-employee form), each
//!   for a few seconds on one kept-alive connection and on 32 at once: requests a second,
//!   p50 and p99, and the mean size of a response as sent (compressed);
//! - the directory page on one connection while 16 clients sign in continuously, against
//!   the same without them: the login storm's effect on other users.
//!
//! Uses the built site in `target/site` when there is one, so pages are as a browser gets
//! them. `KOUKA_BENCH_SECONDS` sets each phase's length (default 4); `KOUKA_BENCH_ONLY=
//! directory` or `=parts` runs one phase (for a profiler; `KOUKA_BENCH_CONNECTIONS` sets the
//! directory phase's connections, default 32); `RUST_LOG` turns the server's log on. Prints figures; judges nothing.

use kouka_app::backend::accounts;
use kouka_app::backend::audit::RequestOrigin;
use kouka_app::backend::db::Db;
use kouka_app::backend::tenants::{self, NewTenantInput, parse_new_tenant};
use kouka_app::backend::tokens::{self, Purpose};
use kouka_app::domain::ids::UserId;
use kouka_app::domain::time::Timestamp;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

#[path = "support/server.rs"]
mod server;

use server::{Run, base_of, connection, start_server};

const PASSWORD: &str = "ベンチマークの長い合言葉です";
const STORM_CLIENTS: usize = 16;

fn main() -> anyhow::Result<()> {
    let seconds: u64 = std::env::var("KOUKA_BENCH_SECONDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(4);
    let phase = Duration::from_secs(seconds);
    // Quiet unless asked: `RUST_LOG=sqlx=debug` shows each statement a page runs.
    if std::env::var_os("RUST_LOG").is_some() {
        kouka_server::telemetry::init(kouka_server::config::LogFormat::Text);
    }
    let dir = std::env::temp_dir().join(format!("kouka-bench-http-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let url = format!("sqlite://{}/kouka.db", dir.display());

    // The server's runtime, as `kouka serve` builds it: a worker per core.
    let server_runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let (db, addr, stop, server) = server_runtime.block_on(start_server(&url, &dir))?;
    // The load's own runtime, on its own threads.
    let load = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let base = format!("http://{addr}");
    let seeded = server_runtime.block_on(seed(&db, &base))?;
    let (cookie, logins) = (seeded.employee.clone(), seeded.logins.clone());
    load.block_on(async {
        println!("each phase {seconds} s; p50 / p99 in ms");
        // `KOUKA_BENCH_ONLY=directory`: only that phase (for a profiler).
        if std::env::var("KOUKA_BENCH_ONLY").as_deref() == Ok("directory") {
            let connections = std::env::var("KOUKA_BENCH_CONNECTIONS")
                .ok()
                .and_then(|v| v.parse().ok())
                .unwrap_or(32);
            let run = hammer(&base, "/org/employees", Some(&cookie), connections, phase).await;
            println!(
                "directory {connections} conn: {:.0} req/s, {:.1} KiB each",
                run.per_second(phase),
                run.kib_per_response()
            );
            return;
        }
        // `KOUKA_BENCH_ONLY=once`: one directory page (with `RUST_LOG=sqlx=debug`, its
        // statements).
        if std::env::var("KOUKA_BENCH_ONLY").as_deref() == Ok("once") {
            let run = hammer(&base, "/org/employees", Some(&cookie), 1, Duration::ZERO).await;
            println!("one directory page: {} ms", run.percentile(50.0));
            return;
        }
        // `KOUKA_BENCH_ONLY=parts`: the server functions a directory page calls, alone.
        if std::env::var("KOUKA_BENCH_ONLY").as_deref() == Ok("parts") {
            for path in ["/api/auth/me", "/api/employees/list?query=&page=1"] {
                let run = hammer(&base, path, Some(&cookie), 32, phase).await;
                println!("{path} 32 conn: {:.0} req/s ({} errors)", run.per_second(phase), run.errors);
            }
            return;
        }
        for (what, path, cookie) in [
            ("/healthz", "/healthz", None),
            ("sign-in page /login", "/login", None),
            ("directory /org/employees, employee", "/org/employees", Some(seeded.employee.as_str())),
            ("directory /org/employees, admin", "/org/employees", Some(seeded.admin.as_str())),
        ] {
            for connections in [1, 32] {
                let result = hammer(&base, path, cookie, connections, phase).await;
                println!(
                    "{what:<36} {connections:>2} conn: {:>7.0} req/s  p50 {:>6.2}  p99 {:>6.2}  {:>5.1} KiB  ({} errors)",
                    result.per_second(phase),
                    result.percentile(50.0),
                    result.percentile(99.0),
                    result.kib_per_response(),
                    result.errors
                );
            }
        }
        let idle = hammer(&base, "/org/employees", Some(&cookie), 1, phase).await;
        let storm = login_storm(&base, &logins, &cookie, phase).await;
        println!(
            "directory, 1 conn, idle:                 {:>7.0} req/s  p50 {:>6.2}  p99 {:>6.2}",
            idle.per_second(phase),
            idle.percentile(50.0),
            idle.percentile(99.0)
        );
        println!(
            "directory, 1 conn, {STORM_CLIENTS} clients signing in: {:>7.0} req/s  p50 {:>6.2}  p99 {:>6.2}  \
             ({:.0} logins/s, {} told busy)",
            storm.others.per_second(phase),
            storm.others.percentile(50.0),
            storm.others.percentile(99.0),
            storm.logins as f64 / phase.as_secs_f64(),
            storm.busy
        );
    });
    let _ = stop.send(());
    server_runtime.block_on(server)??;
    std::fs::remove_dir_all(dir)?;
    Ok(())
}

/// Who the benchmark is, once the tenant is seeded.
struct Seeded {
    /// The session cookie of the tenant's system admin (whose directory page includes the
    /// add-employee form).
    admin: String,
    /// The session cookie of an employee with no role: the directory as most people see it.
    employee: String,
    /// Sign-in names of the storm's users.
    logins: Vec<String>,
}

/// A tenant with 1,000 employees in 10 departments (imported through the server), and who
/// signs in to it.
async fn seed(db: &Db, base: &str) -> anyhow::Result<Seeded> {
    let input = NewTenantInput {
        code: "BENCH".into(),
        name: "ベンチ株式会社".into(),
        seats: 10_000,
        admin_email: "admin@bench.example".into(),
        admin_name: "管理 太郎".into(),
        contract_start: None,
        contract_end: None,
        time_zone: "Asia/Tokyo".into(),
        contact_email: None,
    };
    let new = parse_new_tenant(input, Timestamp::now().date_in_zone("Asia/Tokyo"))
        .map_err(|problems| anyhow::anyhow!("{problems:?}"))?;
    let notice = tenants::create_tenant(db, base, new).await?;
    let admin = accounts::set_password_with_link(
        db,
        &notice.setup_code,
        Purpose::Setup,
        PASSWORD.into(),
        &RequestOrigin::default(),
        Timestamp::now(),
    )
    .await?
    .encode();
    let client = reqwest::Client::new();
    let departments: String = (0..10).map(|d| format!("D{d},部署{d},,\r\n")).collect();
    import(
        &client,
        base,
        &admin,
        "departments",
        format!("部署コード,部署名,上位部署コード,表示順\r\n{departments}"),
    )
    .await?;
    let employees: String = (0..1000)
        .map(|n| {
            format!(
                "E{n:04},社員 {n},シャイン,e{n}@bench.example,D{},,,,,,\r\n",
                n % 10
            )
        })
        .collect();
    import(
        &client,
        base,
        &admin,
        "employees",
        format!("社員番号,氏名,フリガナ,メールアドレス,所属部署コード,兼務部署コード,責任者部署コード,役職,等級,雇用区分,入社日\r\n{employees}"),
    )
    .await?;
    // Employees who chose their passwords.
    let mut logins = Vec::new();
    let mut sessions = Vec::new();
    // E0000 is the reader of the directory; E0001… are the storm's.
    for n in 0..=STORM_CLIENTS {
        let id: String = sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
            .bind(format!("e{n}@bench.example"))
            .fetch_one(db.pool())
            .await?;
        let mut tx = db.begin_write_for_tenant(&notice.tenant_id).await?;
        let token = tokens::issue(
            &mut tx,
            &notice.tenant_id,
            &UserId::from_stored(id),
            Purpose::Invitation,
            Timestamp::now(),
        )
        .await?;
        tx.commit().await?;
        let session = accounts::set_password_with_link(
            db,
            &token.secret.encode(),
            Purpose::Invitation,
            PASSWORD.into(),
            &RequestOrigin::default(),
            Timestamp::now(),
        )
        .await?
        .encode();
        sessions.push(session);
        if n > 0 {
            logins.push(format!("E{n:04}"));
        }
    }
    Ok(Seeded {
        admin,
        employee: sessions.swap_remove(0),
        logins,
    })
}

async fn import(
    client: &reqwest::Client,
    base: &str,
    cookie: &str,
    kind: &str,
    file: String,
) -> anyhow::Result<()> {
    let cookie = format!("kouka_session={cookie}");
    let job: serde_json::Value = client
        .post(format!("{base}/api/org/import?kind={kind}&invite=false"))
        .header("origin", base)
        .header("cookie", &cookie)
        .body(file)
        .send()
        .await?
        .json()
        .await?;
    let job = job["job"].as_str().unwrap_or_default().to_owned();
    let mut committed = false;
    loop {
        let status: serde_json::Value = client
            .post(format!("{base}/api/org/import-status"))
            .header("origin", base)
            .header("cookie", &cookie)
            .form(&[("job", job.as_str())])
            .send()
            .await?
            .json()
            .await?;
        let state = &status["state"];
        if let Some(done) = state.get("Committed") {
            println!("imported {kind}: {done}");
            return Ok(());
        }
        if let Some(preview) = state.get("Previewed") {
            anyhow::ensure!(preview["problem_count"] == 0, "import problems: {preview}");
            if !committed {
                client
                    .post(format!("{base}/api/org/import-commit"))
                    .header("origin", base)
                    .header("cookie", &cookie)
                    .form(&[("job", job.as_str())])
                    .send()
                    .await?;
                committed = true;
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// `GET path` over `connections` kept-alive connections at once, each sending its next
/// request when the last is answered, for `phase`.
async fn hammer(
    base: &str,
    path: &str,
    cookie: Option<&str>,
    connections: usize,
    phase: Duration,
) -> Run {
    let url = format!("{base}{path}");
    let cookie = cookie.map(|c| format!("kouka_session={c}"));
    let tasks: Vec<_> = (0..connections)
        .map(|_| {
            let url = url.clone();
            let cookie = cookie.clone();
            tokio::spawn(async move {
                let client = connection();
                let mut run = Run::default();
                let end = Instant::now() + phase;
                // At least one request, however short the phase.
                loop {
                    let started = Instant::now();
                    // Server functions are POSTs of a form; pages are GETs.
                    let mut request = match url.split_once("/api/") {
                        Some(_) => {
                            let (endpoint, form) = url.split_once('?').unwrap_or((&url, ""));
                            client
                                .post(endpoint)
                                .header("origin", base_of(endpoint))
                                .header("content-type", "application/x-www-form-urlencoded")
                                .body(form.to_owned())
                        }
                        None => client.get(&url),
                    };
                    if let Some(cookie) = &cookie {
                        request = request.header("cookie", cookie);
                    }
                    // As a browser asks: the server compresses what it sends (the body is
                    // counted, not decoded).
                    request = request.header("accept-encoding", "gzip, deflate, br, zstd");
                    let ok = match request.send().await {
                        Ok(response) if response.status().is_success() => {
                            match response.bytes().await {
                                Ok(body) => {
                                    run.body_bytes += body.len();
                                    true
                                }
                                Err(_) => false,
                            }
                        }
                        _ => false,
                    };
                    if ok {
                        run.latencies.push(started.elapsed());
                    } else {
                        run.errors += 1;
                    }
                    if Instant::now() >= end {
                        break;
                    }
                }
                run
            })
        })
        .collect();
    let mut total = Run::default();
    for task in tasks {
        if let Ok(run) = task.await {
            total.merge(run);
        }
    }
    total
}

struct Storm {
    others: Run,
    logins: usize,
    busy: usize,
}

/// The directory page on one connection while the storm's users sign in continuously.
async fn login_storm(base: &str, logins: &[String], cookie: &str, phase: Duration) -> Storm {
    let done = Arc::new(AtomicBool::new(false));
    let signed_in = Arc::new(AtomicUsize::new(0));
    let busy = Arc::new(AtomicUsize::new(0));
    let storm: Vec<_> = logins
        .iter()
        .map(|identifier| {
            let (done, signed_in, busy) = (done.clone(), signed_in.clone(), busy.clone());
            let (base, identifier) = (base.to_owned(), identifier.clone());
            tokio::spawn(async move {
                let client = connection();
                while !done.load(Ordering::Relaxed) {
                    let response = client
                        .post(format!("{base}/api/auth/login"))
                        .header("origin", &base)
                        .form(&[
                            ("company_code", "BENCH"),
                            ("identifier", identifier.as_str()),
                            ("password", PASSWORD),
                        ])
                        .send()
                        .await;
                    match response.map(|r| r.status().as_u16()) {
                        Ok(200) => signed_in.fetch_add(1, Ordering::Relaxed),
                        Ok(503) => busy.fetch_add(1, Ordering::Relaxed),
                        _ => 0,
                    };
                }
            })
        })
        .collect();
    // Let the storm build up first.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let before = signed_in.load(Ordering::Relaxed);
    let others = hammer(base, "/org/employees", Some(cookie), 1, phase).await;
    let logins = signed_in.load(Ordering::Relaxed) - before;
    done.store(true, Ordering::Relaxed);
    for task in storm {
        let _ = task.await;
    }
    Storm {
        others,
        logins,
        busy: busy.load(Ordering::Relaxed),
    }
}
