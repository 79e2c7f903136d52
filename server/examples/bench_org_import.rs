//! Benchmark: the organization import at 5,000 departments and 100,000 employees, and the
//! org chart page at that size.
//!
//!     cargo run --release -p kouka-server --example bench_org_import
//!     KOUKA_TEST_POSTGRES_URL=postgres://kouka@127.0.0.1:5432/postgres \
//!         cargo run --release -p kouka-server --example bench_org_import
//!
//! Generates the two CSV files (`KOUKA_BENCH_EMPLOYEES`, default 100,000; departments are
//! a twentieth of that), starts the real server on a fresh database, uploads each file as
//! the import page does and follows the job, printing how long each phase (parse,
//! validate, write) took. For comparison it times `sqlite3 .import` loading the same
//! employees file into a bare table (no checks, no indexes, no invitations). Then it
//! times the org chart: the server-rendered `/org` page and the chart's server function.
//! Prints figures; judges nothing.

#[path = "support/mod.rs"]
mod support;

use kouka_app::backend::accounts;
use kouka_app::backend::audit::RequestOrigin;
use kouka_app::backend::db::Db;
use kouka_app::backend::tenants::{self, NewTenantInput, parse_new_tenant};
use kouka_app::backend::tokens::Purpose;
use kouka_app::domain::org_csv::{ImportPhase, ImportState, ImportStatus};
use kouka_app::domain::time::Timestamp;
use kouka_server::config::{BaseUrl, Config};
use std::fmt::Write as _;
use std::time::{Duration, Instant};

const FAMILY: [&str; 10] = [
    "佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "山本", "中村", "小林", "加藤",
];
const GIVEN: [&str; 10] = [
    "太郎", "花子", "一郎", "美咲", "健太", "陽菜", "翔", "結衣", "大輔", "葵",
];

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let employees: usize = std::env::var("KOUKA_BENCH_EMPLOYEES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let departments = (employees / 20).max(10);
    let dir = std::env::temp_dir().join(format!("kouka-bench-org-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let (department_csv, employee_csv) = generate(departments, employees);
    let employee_path = dir.join("employees.csv");
    std::fs::write(&employee_path, &employee_csv)?;
    println!(
        "files: {departments} departments ({:.1} MB), {employees} employees ({:.1} MB)",
        department_csv.len() as f64 / 1e6,
        employee_csv.len() as f64 / 1e6
    );
    sqlite3_import(&dir, &employee_path)?;

    let sqlite_url = format!("sqlite://{}/kouka.db", dir.display());
    run("sqlite", &sqlite_url, &dir, &department_csv, &employee_csv).await?;
    let (dir_ref, departments_ref, employees_ref) = (&dir, &department_csv, &employee_csv);
    support::on_throwaway_postgres("kouka_bench_org", |url| async move {
        run("postgres", &url, dir_ref, departments_ref, employees_ref).await
    })
    .await?;
    std::fs::remove_dir_all(dir)?;
    Ok(())
}

/// A chart of roots of ten 部 each holding 課, every department with a manager, and
/// every tenth employee holding a concurrent post.
fn generate(departments: usize, employees: usize) -> (String, String) {
    let mut department_csv = String::from("部署コード,部署名,上位部署コード,表示順\r\n");
    let roots = (departments / 100).max(1);
    for n in 0..departments {
        let parent = if n < roots {
            String::new()
        } else if n < roots * 11 {
            format!("D{:05}", n % roots)
        } else {
            format!("D{:05}", roots + n % (roots * 10))
        };
        let _ = write!(
            department_csv,
            "D{n:05},第{n}部署,{parent},{}\r\n",
            (n % 50) * 10
        );
    }
    let mut employee_csv = String::from(
        "社員番号,氏名,フリガナ,メールアドレス,所属部署コード,兼務部署コード,責任者部署コード,役職,等級,雇用区分,入社日\r\n",
    );
    for n in 0..employees {
        let department = n % departments;
        let manages = if n < departments {
            format!("D{department:05}")
        } else {
            String::new()
        };
        let concurrent = if n % 10 == 9 {
            format!("D{:05}", (department + 1) % departments)
        } else {
            String::new()
        };
        let _ = write!(
            employee_csv,
            "E{n:06},{} {},,e{n}@bench.example,D{department:05},{concurrent},{manages},{},G{},正社員,20{:02}/4/1\r\n",
            FAMILY[n % 10],
            GIVEN[(n / 10) % 10],
            if manages.is_empty() { "" } else { "課長" },
            n % 5,
            n % 25,
        );
    }
    (department_csv, employee_csv)
}

/// The same employees file loaded by `sqlite3 .import` into a bare table, for scale.
fn sqlite3_import(dir: &std::path::Path, file: &std::path::Path) -> anyhow::Result<()> {
    let db = dir.join("plain.db");
    let started = Instant::now();
    let status = std::process::Command::new("sqlite3")
        .arg(&db)
        .arg(".mode csv")
        .arg(format!(".import {} employees", file.display()))
        .status();
    match status {
        Ok(status) if status.success() => println!(
            "sqlite3 .import of the employees file: {:.2} s",
            started.elapsed().as_secs_f64()
        ),
        _ => println!("sqlite3 .import: sqlite3 is not installed here"),
    }
    Ok(())
}

async fn run(
    label: &str,
    url: &str,
    dir: &std::path::Path,
    department_csv: &str,
    employee_csv: &str,
) -> anyhow::Result<()> {
    let db = Db::connect_and_migrate(url).await?;
    let cookie = admin(&db).await?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let base = format!("http://{addr}");
    let mut config = Config::from_lookup(|_| None)?;
    config.database_url = url.to_owned();
    config.site_addr = addr;
    config.base_url = BaseUrl::parse(&base)?;
    config.data_dir = dir.join(format!("data-{label}"));
    config.mail_dir = config.data_dir.join("mail");
    config.site_root = dir.join("site");
    // No built site here: pages without the bundle (a release build would refuse them).
    config.production = false;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(kouka_server::serve(listener, config, db.clone(), async {
        let _ = stopped.await;
    }));
    let client = reqwest::Client::new();

    for (kind, file) in [("departments", department_csv), ("employees", employee_csv)] {
        let phases = import(&client, &base, &cookie, kind, file.as_bytes().to_vec()).await?;
        let total: f64 = phases.iter().map(|(_, s)| s).sum();
        let shown: Vec<String> = phases
            .iter()
            .map(|(phase, seconds)| format!("{phase} {seconds:.2} s"))
            .collect();
        println!(
            "{label}: import {kind}: {} — total {total:.2} s",
            shown.join(", ")
        );
    }

    // The chart at this size: the page as the server renders it, and the data alone.
    for (what, path, post) in [
        ("GET /org (server-rendered page)", "/org", false),
        ("org/chart server function", "/api/org/chart", true),
    ] {
        let mut times = Vec::new();
        let mut sizes = (0, 0);
        for round in 0..8 {
            // Every other request as a browser asks (gzip), to see the size sent.
            let gzip = round % 2 == 1;
            let started = Instant::now();
            let request = if post {
                client.post(format!("{base}{path}")).header("origin", &base)
            } else {
                client.get(format!("{base}{path}"))
            };
            let request = if gzip {
                request.header("accept-encoding", "gzip")
            } else {
                request
            };
            let body = request
                .header("cookie", format!("kouka_session={cookie}"))
                .send()
                .await?
                .bytes()
                .await?;
            if gzip {
                sizes.1 = body.len();
            } else {
                times.push(started.elapsed());
                sizes.0 = body.len();
            }
        }
        times.sort();
        println!(
            "{label}: {what}: median {:.0} ms, worst {:.0} ms, {:.0} KB ({:.0} KB gzipped)",
            times[times.len() / 2].as_secs_f64() * 1e3,
            times[times.len() - 1].as_secs_f64() * 1e3,
            sizes.0 as f64 / 1e3,
            sizes.1 as f64 / 1e3
        );
    }
    let _ = stop.send(());
    server.await??;
    Ok(())
}

/// A tenant with room for everyone, and its admin's session cookie.
async fn admin(db: &Db) -> anyhow::Result<String> {
    let input = NewTenantInput {
        code: "BENCH".into(),
        name: "ベンチ株式会社".into(),
        seats: 1_000_000,
        admin_email: "admin@bench.example".into(),
        admin_name: "管理 太郎".into(),
        contract_start: None,
        contract_end: None,
        time_zone: "Asia/Tokyo".into(),
        contact_email: None,
    };
    let today = Timestamp::now().date_in_zone("Asia/Tokyo");
    let parsed = parse_new_tenant(input, today).map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let notice = tenants::create_tenant(db, "http://bench.invalid", parsed)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let session = accounts::set_password_with_link(
        db,
        &notice.setup_code,
        Purpose::Setup,
        "ベンチマークのための長い合言葉".into(),
        &RequestOrigin::default(),
        Timestamp::now(),
    )
    .await
    .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    Ok(session.encode())
}

/// Uploads, previews, commits, and returns the seconds spent in each phase.
async fn import(
    client: &reqwest::Client,
    base: &str,
    cookie: &str,
    kind: &str,
    file: Vec<u8>,
) -> anyhow::Result<Vec<(String, f64)>> {
    let started = Instant::now();
    let answer: serde_json::Value = client
        .post(format!(
            "{base}/api/org/import?kind={kind}&invite=true&name=bench.csv"
        ))
        .header("origin", base)
        .header("cookie", format!("kouka_session={cookie}"))
        .body(file)
        .send()
        .await?
        .json()
        .await?;
    let job = answer["job"]
        .as_str()
        .ok_or_else(|| anyhow::anyhow!("no job: {answer}"))?
        .to_owned();
    let upload = started.elapsed();
    let mut phases = vec![("upload".to_owned(), upload.as_secs_f64())];
    follow(client, base, cookie, &job, "check", &mut phases).await?;
    let commit = client
        .post(format!("{base}/api/org/import-commit"))
        .header("origin", base)
        .header("cookie", format!("kouka_session={cookie}"))
        .form(&[("job", job.as_str())])
        .send()
        .await?;
    anyhow::ensure!(
        commit.status().is_success(),
        "commit refused: {}",
        commit.text().await?
    );
    follow(client, base, cookie, &job, "commit", &mut phases).await?;
    Ok(phases)
}

/// Polls the job every 20 ms, adding each phase's duration as it ends.
async fn follow(
    client: &reqwest::Client,
    base: &str,
    cookie: &str,
    job: &str,
    stage: &'static str,
    phases: &mut Vec<(String, f64)>,
) -> anyhow::Result<()> {
    let mut current: Option<(ImportPhase, Instant)> = None;
    loop {
        let status: ImportStatus = client
            .post(format!("{base}/api/org/import-status"))
            .header("origin", base)
            .header("cookie", format!("kouka_session={cookie}"))
            .form(&[("job", job)])
            .send()
            .await?
            .json()
            .await?;
        let now = Instant::now();
        let phase = match &status.state {
            ImportState::Working { phase, .. } => Some(*phase),
            ImportState::Previewed {
                problem_count,
                problems,
                ..
            } if *problem_count > 0 => {
                anyhow::bail!("the file has problems: {:?}", problems.first())
            }
            _ => None,
        };
        if current.map(|(p, _)| Some(p)) != Some(phase) {
            if let Some((ended, since)) = current {
                phases.push((
                    format!("{stage} {}", name(ended)),
                    (now - since).as_secs_f64(),
                ));
            }
            current = phase.map(|p| (p, now));
        }
        if phase.is_none() {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn name(phase: ImportPhase) -> &'static str {
    match phase {
        ImportPhase::Parse => "parse",
        ImportPhase::Validate => "validate",
        ImportPhase::Write => "write",
    }
}
