//! Benchmark: the user administration list at 100,000 users in one tenant.
//!
//!     cargo run --release -p kouka-server --example bench_user_list
//!     KOUKA_TEST_POSTGRES_URL=postgres://kouka@127.0.0.1:5432/postgres \
//!         cargo run --release -p kouka-server --example bench_user_list
//!
//! Fills a fresh SQLite database (and a fresh PostgreSQL database when
//! `KOUKA_TEST_POSTGRES_URL` is set) with one tenant of `KOUKA_BENCH_USERS` users (default
//! 100,000), then prints the median and worst time of each kind of list request. Prints
//! figures; judges nothing.

#[path = "support/mod.rs"]
mod support;

use kouka_app::backend::db::{Db, DbKind};
use kouka_app::backend::users::list_users;
use kouka_app::domain::ids::{TenantId, UserId};
use kouka_app::domain::time::Timestamp;
use std::time::{Duration, Instant};

const FAMILY: [&str; 10] = [
    "佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "山本", "中村", "小林", "加藤",
];
const GIVEN: [&str; 10] = [
    "太郎", "花子", "一郎", "美咲", "健太", "陽菜", "翔", "結衣", "大輔", "葵",
];

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let users: usize = std::env::var("KOUKA_BENCH_USERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let dir = std::env::temp_dir().join(format!("kouka-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let sqlite_url = format!("sqlite://{}/kouka.db", dir.display());
    run(DbKind::Sqlite, &sqlite_url, users).await?;
    support::on_throwaway_postgres("kouka_bench", |url| async move {
        run(DbKind::Postgres, &url, users).await
    })
    .await?;
    std::fs::remove_dir_all(dir)?;
    Ok(())
}

async fn run(kind: DbKind, url: &str, users: usize) -> anyhow::Result<()> {
    let db = Db::connect_and_migrate(url).await?;
    let tenant = TenantId::generate();
    let started = Instant::now();
    fill(&db, &tenant, users).await?;
    println!(
        "{}: {users} users inserted in {:.1} s",
        kind.name(),
        started.elapsed().as_secs_f64()
    );

    let last_page = (users as i64 + 49) / 50;
    let cases: [(&str, &str, i64); 5] = [
        ("first page, no search", "", 1),
        ("middle page, no search", "", last_page / 2),
        ("search a family name (many hits)", "佐藤", 1),
        (
            "search an employee code (one hit)",
            &format!("E{:06}", users / 2),
            1,
        ),
        ("search with no hit", "存在しない名前", 1),
    ];
    for (label, query, page) in cases {
        let mut times = Vec::new();
        for _ in 0..15 {
            let t = Instant::now();
            let result = list_users(&db, &tenant, query, page)
                .await
                .map_err(|e| anyhow::anyhow!("{e:?}"))?;
            times.push(t.elapsed());
            std::hint::black_box(result);
        }
        times.sort();
        println!(
            "{}: {label:<36} median {:>7.1} ms   worst {:>7.1} ms",
            kind.name(),
            ms(times[times.len() / 2]),
            ms(times[times.len() - 1])
        );
    }
    db.close().await;
    Ok(())
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

async fn fill(db: &Db, tenant: &TenantId, users: usize) -> anyhow::Result<()> {
    let now = Timestamp::now().as_micros();
    let mut tx = db.begin_for_tenant(tenant).await?;
    sqlx::query(
        "INSERT INTO tenants (id, code, name, seat_limit, contract_start, created_at, updated_at) \
         VALUES ($1, 'BENCH', 'ベンチマーク株式会社', 1000000, '2026-04-01', $2, $2)",
    )
    .bind(tenant.as_str())
    .bind(now)
    .execute(&mut *tx)
    .await?;
    // Multi-row inserts of 500 keep both databases' parameter limits.
    for chunk in (0..users).collect::<Vec<_>>().chunks(500) {
        let mut sql = String::from(
            "INSERT INTO users (tenant_id, id, email, display_name, employee_code, status, created_at, updated_at) VALUES ",
        );
        for (i, _) in chunk.iter().enumerate() {
            let b = i * 5;
            if i > 0 {
                sql.push(',');
            }
            sql.push_str(&format!(
                "($1, ${}, ${}, ${}, ${}, 'active', ${}, ${})",
                b + 2,
                b + 3,
                b + 4,
                b + 5,
                b + 6,
                b + 6
            ));
        }
        let mut query = sqlx::query(&sql).bind(tenant.as_str());
        for &n in chunk {
            query = query
                .bind(UserId::generate().to_string())
                .bind(format!("user{n}@bench.example"))
                .bind(format!("{} {}", FAMILY[n % 10], GIVEN[(n / 10) % 10]))
                .bind(format!("E{n:06}"))
                .bind(now);
        }
        query.execute(&mut *tx).await?;
    }
    tx.commit().await?;
    Ok(())
}
