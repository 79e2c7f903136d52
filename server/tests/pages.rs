//! What the server writes into a page besides its text: the links to the page's own code,
//! and the data the browser takes over, each once. Each runs on SQLite and PostgreSQL.
//!
//! The site here has a manifest of code chunks (as `cargo leptos build --split` writes it),
//! so pages opened on demand name their chunks in preload links. Leptos reads the manifest
//! once per process: every test in this file uses the same one.

mod common;

use common::{admin_session, signed_in_user, spawn_app_with};
use kouka_app::backend::db::DbKind;
use kouka_app::backend::demo::{DemoSize, create_demo};
use kouka_app::domain::roles::Role;
use std::time::Duration;

on_both_databases! {
    concurrent_pages_name_only_their_own_code => super::concurrent_pages_name_only_their_own_code;
    the_directory_sends_its_list_once => super::the_directory_sends_its_list_once;
    a_running_period_page_always_finishes => super::a_running_period_page_always_finishes;
}

/// The chunks of the pages, as the build's manifest lists them (names made up, shapes real).
const MANIFEST: &str = r#"{
    "employees_page": ["chunk_of_employees"],
    "users_page": ["chunk_of_users"],
    "org_chart_page": ["chunk_of_org_chart"]
}"#;

async fn app_with_split_code(kind: DbKind) -> Option<common::TestApp> {
    spawn_app_with(kind, |config| {
        let pkg = config.site_root.join("pkg");
        std::fs::create_dir_all(&pkg).expect("site pkg dir");
        std::fs::write(pkg.join("__wasm_split_manifest.json"), MANIFEST).expect("manifest");
    })
    .await
}

fn preload_links_to(body: &str, chunk: &str) -> usize {
    body.matches(&format!("/pkg/{chunk}.wasm")).count()
}

/// Many pages rendered at once each name their own code, once, and no other page's: Leptos
/// put one render's preload links into whichever page's render was current on the thread
/// (a directory page carried 811 links; the sign-in page others' chunks).
async fn concurrent_pages_name_only_their_own_code(kind: DbKind) {
    let Some(app) = app_with_split_code(kind).await else {
        return;
    };
    let (_, _, cookie) = admin_session(&app.db, "pages", 10).await;
    let directory = (0..24).map(|_| async {
        let response = app.get_as("/org/employees", &cookie).await;
        ("directory", response.text().await.expect("body"))
    });
    let users = (0..8).map(|_| async {
        let response = app.get_as("/admin/users", &cookie).await;
        ("users", response.text().await.expect("body"))
    });
    let sign_in = (0..24).map(|_| async {
        let response = app.get("/login").await;
        ("sign-in", response.text().await.expect("body"))
    });
    let mut pages: Vec<_> = Vec::new();
    let (a, b, c) = futures::join!(
        futures::future::join_all(directory),
        futures::future::join_all(users),
        futures::future::join_all(sign_in)
    );
    pages.extend(a);
    pages.extend(b);
    pages.extend(c);
    for (page, body) in &pages {
        let employees = preload_links_to(body, "chunk_of_employees");
        let users = preload_links_to(body, "chunk_of_users");
        let chart = preload_links_to(body, "chunk_of_org_chart");
        let expected = match *page {
            "directory" => (1, 0, 0),
            "users" => (0, 1, 0),
            _ => (0, 0, 0),
        };
        assert_eq!(
            (employees, users, chart),
            expected,
            "{page}: links to the employees, users and org chart code"
        );
    }
    app.finish().await;
}

/// The directory's list reaches the browser once per page: the page was built two or three
/// times while the server rendered it, each time with its own list (a query and the whole
/// list in the page again).
async fn the_directory_sends_its_list_once(kind: DbKind) {
    let Some(app) = app_with_split_code(kind).await else {
        return;
    };
    let (_, _, cookie) = admin_session(&app.db, "listonce", 10).await;
    for _ in 0..20 {
        let body = app
            .get_as("/org/employees", &cookie)
            .await
            .text()
            .await
            .expect("body");
        // The list travels as a resource's JSON, escaped inside a script.
        assert_eq!(
            body.matches(r#"{\"Ok\":{\"items\":"#).count(),
            1,
            "the directory's list in the page's data"
        );
    }
    app.finish().await;
}

/// A running period's page, opened again and again, always arrives whole with its sheet
/// list: its list was read in two places while the page was rendered (the count in the
/// heading and the table), and now and then two runtime threads locked each other inside
/// Leptos's reactive graph, so that the response never ended and the server stopped.
async fn a_running_period_page_always_finishes(kind: DbKind) {
    // The same site as every test here: Leptos reads its manifest once per process.
    let Some(app) = app_with_split_code(kind).await else {
        return;
    };
    let demo = create_demo(&app.db, &app.base, "STREAM", DemoSize::DEMO, 3)
        .await
        .expect("demo");
    let cookie = signed_in_user(&app.db, &demo.tenant, &[Role::SystemAdmin]).await;
    let period: String = {
        let mut tx = app.db.begin_for_tenant(&demo.tenant).await.expect("tx");
        let id = sqlx::query_scalar(
            "SELECT id FROM evaluation_periods WHERE tenant_id = $1 AND state = 'running'",
        )
        .bind(demo.tenant.as_str())
        .fetch_one(&mut *tx)
        .await
        .expect("the demo's running period");
        tx.commit().await.expect("commit");
        id
    };
    let path = format!("/evaluation/periods/{period}");
    let open = |_| async {
        let body = tokio::time::timeout(Duration::from_secs(20), async {
            app.get_as(&path, &cookie).await.text().await.expect("body")
        })
        .await
        .expect("the page ended within 20 s");
        assert!(body.contains("件のシート</p>"), "the sheet list's count");
        assert!(body.contains("</html>"), "the whole page");
    };
    // Up to 800 opens, 8 at a time; a slow machine (debug build, both databases at once
    // on two cores) stops after a minute, having made at least 80. A hang is caught by
    // each open's own time limit, not by the count.
    let enough = std::time::Instant::now() + Duration::from_secs(60);
    for round in 0..100 {
        if round >= 10 && std::time::Instant::now() > enough {
            break;
        }
        futures::future::join_all((0..8).map(open)).await;
    }
    app.finish().await;
}
