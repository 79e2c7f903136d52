//! The server as a browser or a script meets it: health, pages, languages, headers,
//! the cross-site guard, limits, static files and shutdown. Each runs on SQLite and
//! PostgreSQL.

mod common;

use common::{spawn_app, spawn_app_with};
use futures::StreamExt;
use kouka_app::backend::db::DbKind;
use kouka_app::domain::form_field::FormField;
use kouka_app::i18n::{Lang, Texts, texts};
use reqwest::StatusCode;
use reqwest::header::{ACCEPT_ENCODING, ACCEPT_LANGUAGE, COOKIE, ORIGIN};

on_both_databases! {
    healthz_reports_ok_and_the_database => super::healthz_reports_ok_and_the_database;
    home_page_is_japanese_by_default => super::home_page_is_japanese_by_default;
    language_follows_accept_language_and_cookie => super::language_follows_accept_language_and_cookie;
    concurrent_pages_keep_their_own_language => super::concurrent_pages_keep_their_own_language;
    lang_link_sets_cookie_and_returns => super::lang_link_sets_cookie_and_returns;
    unknown_path_is_a_404_page => super::unknown_path_is_a_404_page;
    security_headers_on_every_response => super::security_headers_on_every_response;
    cross_site_posts_are_refused => super::cross_site_posts_are_refused;
    oversized_bodies_are_refused => super::oversized_bodies_are_refused;
    hsts_only_over_https => super::hsts_only_over_https;
    pkg_is_served_precompressed_and_cached => super::pkg_is_served_precompressed_and_cached;
    pages_are_compressed_and_errors_keep_their_status => super::pages_are_compressed_and_errors_keep_their_status;
    a_dead_session_is_cleanly_refused_by_concurrent_requests => super::a_dead_session_is_cleanly_refused_by_concurrent_requests;
    shutdown_finishes_and_closes_the_port => super::shutdown_finishes_and_closes_the_port;
    personal_answers_are_never_cached => super::personal_answers_are_never_cached;
    a_language_travels_as_its_code => super::a_language_travels_as_its_code;
    clients_behind_a_trusted_proxy_have_their_own_rate_limit => super::clients_behind_a_trusted_proxy_have_their_own_rate_limit;
    kept_alive_connections_do_not_wait_for_delayed_acks => super::kept_alive_connections_do_not_wait_for_delayed_acks;
}

/// Pages and server-function answers carry people's data: `no-store` on each, signed in or
/// not, 404 included; the hashed bundle keeps its year-long caching (tested below).
async fn personal_answers_are_never_cached(kind: DbKind) {
    let Some(app) = spawn_app(kind).await else {
        return;
    };
    let (_, _, admin) = common::admin_session(&app.db, "NOSTORE", 10).await;
    for path in ["/", "/org/employees", "/admin/users", "/no/such/page"] {
        let response = app.get_as(path, &admin).await;
        assert_eq!(response.headers()["cache-control"], "no-store", "{path}");
        if path == "/no/such/page" {
            // A page that does not exist still knows who reads it.
            let html = response.text().await.expect("html");
            assert!(
                html.contains("管理 太郎"),
                "the signed-in user's name in the header"
            );
        }
    }
    let response = app
        .client
        .post(app.url("/api/employees/list"))
        .header(ORIGIN, app.base.clone())
        .header(COOKIE, format!("kouka_session={admin}"))
        .form(&[("query", ""), ("page", "1")])
        .send()
        .await
        .expect("call");
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["cache-control"], "no-store");
    app.finish().await;
}

/// Behind a proxy, each client counts against its own per-IP limit, named by the proxy's
/// `X-Forwarded-For`; from anyone else the header is ignored.
async fn clients_behind_a_trusted_proxy_have_their_own_rate_limit(kind: DbKind) {
    for trusted in [true, false] {
        let Some(app) = spawn_app_with(kind, |c| {
            c.auth_rate_limit = 3;
            if trusted {
                c.trusted_proxies =
                    kouka_server::client_addr::TrustedProxies::parse("127.0.0.1").expect("list");
            }
        })
        .await
        else {
            return;
        };
        let login = |client_ip: &'static str| {
            app.client
                .post(app.url("/api/auth/login"))
                .header(ORIGIN, app.base.clone())
                .header("x-forwarded-for", client_ip)
                .form(&[
                    ("company_code", "NOPE"),
                    ("identifier", "x@example.jp"),
                    ("password", "wrong password 1"),
                ])
                .send()
        };
        for _ in 0..3 {
            assert_eq!(login("203.0.113.1").await.expect("login").status(), 401);
        }
        assert_eq!(login("203.0.113.1").await.expect("login").status(), 429);
        let other = login("203.0.113.2").await.expect("login").status();
        if trusted {
            assert_eq!(
                other, 401,
                "another client behind the proxy has its own limit"
            );
        } else {
            assert_eq!(other, 429, "an untrusted peer cannot choose its address");
        }
        app.finish().await;
    }
}

/// Pages are streamed in several writes; without TCP_NODELAY each request on a kept-alive
/// connection waited for the client's delayed ACK (40 ms or more on Linux: see
/// `bench_http` for the figures). Checked where it is decided, and without a clock: the
/// server's own socket of an accepted connection has TCP_NODELAY set.
async fn kept_alive_connections_do_not_wait_for_delayed_acks(kind: DbKind) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let Some(app) = spawn_app(kind).await else {
        return;
    };
    let mut stream = tokio::net::TcpStream::connect(app.addr)
        .await
        .expect("connect");
    let request = format!("GET /healthz HTTP/1.1\r\nHost: {}\r\n\r\n", app.addr);
    stream.write_all(request.as_bytes()).await.expect("send");
    let mut buffer = vec![0_u8; 4096];
    let n = stream.read(&mut buffer).await.expect("read");
    assert!(n > 0, "answered");
    // This test's process is the server's: find the server's end of our connection
    // among its sockets (bound to the app's port, connected to our client's port).
    let client_port = stream.local_addr().expect("client addr").port();
    let mut found = None;
    for entry in std::fs::read_dir("/proc/self/fd").expect("fds") {
        let Ok(fd) = entry
            .expect("fd")
            .file_name()
            .to_string_lossy()
            .parse::<i32>()
        else {
            continue;
        };
        if let Some(nodelay) = server_side_nodelay(fd, app.addr.port(), client_port) {
            found = Some(nodelay);
        }
    }
    assert_eq!(found, Some(true), "the accepted connection has TCP_NODELAY");
    app.finish().await;
}

/// For a TCP socket bound to `server_port` and connected to `client_port`: whether it has
/// TCP_NODELAY.
fn server_side_nodelay(fd: i32, server_port: u16, client_port: u16) -> Option<bool> {
    fn port(address: &libc::sockaddr_storage) -> Option<u16> {
        match i32::from(address.ss_family) {
            libc::AF_INET => {
                // SAFETY: the family says this storage holds a sockaddr_in.
                let v4 = unsafe { &*(address as *const _ as *const libc::sockaddr_in) };
                Some(u16::from_be(v4.sin_port))
            }
            libc::AF_INET6 => {
                // SAFETY: the family says this storage holds a sockaddr_in6.
                let v6 = unsafe { &*(address as *const _ as *const libc::sockaddr_in6) };
                Some(u16::from_be(v6.sin6_port))
            }
            _ => None,
        }
    }
    // SAFETY: plain queries of a descriptor of this process into buffers of the right size.
    unsafe {
        let mut local: libc::sockaddr_storage = std::mem::zeroed();
        let mut len = std::mem::size_of::<libc::sockaddr_storage>() as libc::socklen_t;
        if libc::getsockname(fd, &mut local as *mut _ as *mut libc::sockaddr, &mut len) != 0 {
            return None;
        }
        let mut peer: libc::sockaddr_storage = std::mem::zeroed();
        let mut len = std::mem::size_of::<libc::sockaddr_storage>() as libc::socklen_t;
        if libc::getpeername(fd, &mut peer as *mut _ as *mut libc::sockaddr, &mut len) != 0 {
            return None;
        }
        if port(&local)? != server_port || port(&peer)? != client_port {
            return None;
        }
        let mut value: libc::c_int = 0;
        let mut len = std::mem::size_of::<libc::c_int>() as libc::socklen_t;
        let ok = libc::getsockopt(
            fd,
            libc::IPPROTO_TCP,
            libc::TCP_NODELAY,
            &mut value as *mut _ as *mut libc::c_void,
            &mut len,
        ) == 0;
        ok.then_some(value != 0)
    }
}

async fn healthz_reports_ok_and_the_database(kind: DbKind) {
    let Some(app) = spawn_app(kind).await else {
        return;
    };
    let response = app.get("/healthz").await;
    assert_eq!(response.status(), StatusCode::OK);
    let body: serde_json::Value = response.json().await.expect("json");
    assert_eq!(
        body,
        serde_json::json!({ "status": "ok", "database": kind.name() })
    );
    app.finish().await;
}

async fn get_text(
    app: &common::TestApp,
    path: &str,
    headers: &[(&str, &str)],
) -> (StatusCode, String) {
    let mut request = app.client.get(app.url(path));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await.expect("get");
    let status = response.status();
    (status, response.text().await.expect("body"))
}

async fn home_page_is_japanese_by_default(kind: DbKind) {
    let Some(app) = spawn_app(kind).await else {
        return;
    };
    let (status, html) = get_text(&app, "/", &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains(r#"<html lang="ja""#),
        "html lang: {}",
        &html[..200.min(html.len())]
    );
    assert!(html.contains("人事評価を、もっと確かに。"));
    assert!(html.contains("本文へスキップ"));
    assert!(html.contains("<title>考課</title>"), "title");
    app.finish().await;
}

async fn language_follows_accept_language_and_cookie(kind: DbKind) {
    let Some(app) = spawn_app(kind).await else {
        return;
    };
    let (_, english) = get_text(&app, "/", &[(ACCEPT_LANGUAGE.as_str(), "en-US,en;q=0.9")]).await;
    assert!(english.contains(r#"<html lang="en""#));
    assert!(english.contains("Personnel evaluation, done right."));
    assert!(!english.contains("人事評価を、もっと確かに。"));

    let (_, cookie_ja) = get_text(
        &app,
        "/",
        &[
            (ACCEPT_LANGUAGE.as_str(), "en"),
            (COOKIE.as_str(), "kouka_lang=ja"),
        ],
    )
    .await;
    assert!(cookie_ja.contains(r#"<html lang="ja""#), "the cookie wins");
    app.finish().await;
}

/// Many pages rendered at once, half in Japanese and half in English, on the server's
/// worker threads: each is complete and titled in its own reader's language. (Titles were
/// once evaluated outside the request's reactive arena: under load a response was cut off,
/// or could carry another request's language.)
async fn concurrent_pages_keep_their_own_language(kind: DbKind) {
    let Some(app) = spawn_app(kind).await else {
        return;
    };
    type PickTitle = fn(&'static Texts) -> &'static str;
    let pages: [(&str, StatusCode, PickTitle); 3] = [
        ("/login", StatusCode::OK, |t| t.login_title),
        ("/forgot", StatusCode::OK, |t| t.forgot_title),
        ("/no/such/page", StatusCode::NOT_FOUND, |t| {
            t.not_found_title
        }),
    ];
    let requests = (0..240).map(|i| {
        let (path, status, pick) = pages[i % pages.len()];
        let lang = if i % 2 == 0 { Lang::Ja } else { Lang::En };
        let app = &app;
        async move {
            let (got, html) = get_text(app, path, &[(ACCEPT_LANGUAGE.as_str(), lang.code())]).await;
            assert_eq!(got, status, "{path} in {lang:?}");
            let t = texts(lang);
            let title = format!("<title>{} | {}</title>", pick(t), t.app_name);
            assert!(
                html.contains(&title),
                "{path} in {lang:?} is titled {title}: {html}"
            );
            assert!(
                html.contains(&format!(r#"<html lang="{}""#, lang.code())),
                "{path} in {lang:?}"
            );
            assert!(html.contains("</html>"), "{path} complete");
        }
    });
    // 24 at a time: more than the server has threads, fewer than would queue for long.
    futures::stream::iter(requests)
        .buffer_unordered(24)
        .collect::<Vec<()>>()
        .await;
    app.finish().await;
}

async fn lang_link_sets_cookie_and_returns(kind: DbKind) {
    let Some(app) = spawn_app(kind).await else {
        return;
    };
    let response = app
        .client
        .get(app.url("/lang/en"))
        .header("referer", app.url("/login"))
        .send()
        .await
        .expect("get");
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(response.headers()["location"], "/login");
    let cookie = response.headers()["set-cookie"].to_str().expect("ascii");
    assert!(cookie.starts_with("kouka_lang=en;"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"));

    // A foreign referer never becomes the redirect target.
    let response = app
        .client
        .get(app.url("/lang/ja"))
        .header("referer", "https://evil.example/phish")
        .send()
        .await
        .expect("get");
    assert_eq!(response.headers()["location"], "/");
    let response = app.get("/lang/xx").await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    app.finish().await;
}

async fn unknown_path_is_a_404_page(kind: DbKind) {
    let Some(app) = spawn_app(kind).await else {
        return;
    };
    let (status, html) = get_text(&app, "/no/such/page", &[]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(html.contains("ページが見つかりません"));
    app.finish().await;
}

async fn security_headers_on_every_response(kind: DbKind) {
    let Some(app) = spawn_app(kind).await else {
        return;
    };
    let mut nonces = Vec::new();
    for path in ["/", "/healthz", "/no/such/page", "/pkg/missing.js"] {
        let response = app.get(path).await;
        let headers = response.headers().clone();
        let csp = headers["content-security-policy"]
            .to_str()
            .expect("csp")
            .to_owned();
        assert!(csp.contains("'wasm-unsafe-eval'"), "{path}: {csp}");
        assert!(csp.contains("object-src 'none'"), "{path}");
        assert!(csp.contains("base-uri 'none'"), "{path}");
        assert!(csp.contains("frame-ancestors 'none'"), "{path}");
        assert!(!csp.contains("unsafe-inline"), "{path}");
        assert_eq!(headers["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(headers["referrer-policy"], "same-origin", "{path}");
        assert!(
            headers.get("strict-transport-security").is_none(),
            "no HSTS over http"
        );
        let nonce = csp
            .split("'nonce-")
            .nth(1)
            .and_then(|rest| rest.split('\'').next())
            .expect("a nonce in script-src")
            .to_owned();
        if path == "/" {
            // The hydration script carries the very nonce of this response.
            let html = response.text().await.expect("body");
            assert!(
                html.contains(&format!(r#"<script type="module" nonce="{nonce}""#)),
                "hydration script with nonce {nonce}"
            );
            assert!(
                !html.contains("<script>") && !html.contains("<script type=\"module\">"),
                "no inline script without the nonce"
            );
        }
        nonces.push(nonce);
    }
    nonces.sort();
    nonces.dedup();
    assert_eq!(nonces.len(), 4, "a fresh nonce for every response");
    app.finish().await;
}

async fn cross_site_posts_are_refused(kind: DbKind) {
    let Some(app) = spawn_app(kind).await else {
        return;
    };
    let post = |headers: Vec<(&'static str, String)>| {
        let mut request = app.client.post(app.url("/api/anything")).body("x=1");
        for (name, value) in headers {
            request = request.header(name, value);
        }
        request.send()
    };
    let response = post(vec![(ORIGIN.as_str(), "https://evil.example".into())])
        .await
        .expect("post");
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let body = response.text().await.expect("body");
    assert!(body.contains("他のサイトからの送信は受け付けません"));
    assert!(body.contains("Cross-site requests are refused"));

    let response = post(vec![("sec-fetch-site", "cross-site".into())])
        .await
        .expect("post");
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let response = post(vec![("sec-fetch-site", "same-site".into())])
        .await
        .expect("post");
    assert_eq!(response.status(), StatusCode::FORBIDDEN);

    // Our own origin passes the guard (and then finds no such server function).
    let response = post(vec![
        (ORIGIN.as_str(), app.base.clone()),
        ("sec-fetch-site", "same-origin".into()),
    ])
    .await
    .expect("post");
    assert_ne!(response.status(), StatusCode::FORBIDDEN);
    // GET is never refused by the guard.
    let response = app
        .client
        .get(app.url("/healthz"))
        .header(ORIGIN, "https://evil.example")
        .send()
        .await
        .expect("get");
    assert_eq!(response.status(), StatusCode::OK);
    app.finish().await;
}

async fn oversized_bodies_are_refused(kind: DbKind) {
    let Some(app) = spawn_app_with(kind, |c| c.body_limit = 1024).await else {
        return;
    };
    let response = app
        .client
        .post(app.url("/api/anything"))
        .header(ORIGIN, app.base.clone())
        .body(vec![b'x'; 4096])
        .send()
        .await
        .expect("post");
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    app.finish().await;
}

async fn hsts_only_over_https(kind: DbKind) {
    let Some(app) = spawn_app_with(kind, |c| {
        c.base_url = kouka_server::config::BaseUrl::parse("https://kouka.example.jp").expect("url")
    })
    .await
    else {
        return;
    };
    let response = app.get("/healthz").await;
    let hsts = response.headers()["strict-transport-security"]
        .to_str()
        .expect("hsts");
    assert!(hsts.starts_with("max-age=63072000"), "{hsts}");
    app.finish().await;
}

async fn pkg_is_served_precompressed_and_cached(kind: DbKind) {
    // A site folder with a hashed bundle file, as cargo-leptos leaves it.
    let site = std::env::temp_dir().join(format!("kouka-pkg-{}", uuid::Uuid::now_v7().simple()));
    std::fs::create_dir_all(site.join("pkg")).expect("pkg dir");
    let js = "export function hydrate() { /* 考課 */ }\n".repeat(200);
    std::fs::write(site.join("pkg/kouka.abc123.js"), &js).expect("write js");
    std::fs::write(site.join("pkg/kouka.abc123.wasm"), b"\0asm").expect("write wasm");
    let Some(app) = spawn_app_with(kind, |c| {
        c.site_root = site.clone();
    })
    .await
    else {
        return;
    };
    // The names come from the folder itself: no hash.txt beside the binary is needed.
    let page = app.get("/login").await.text().await.expect("page");
    assert!(
        page.contains("/pkg/kouka.abc123.js"),
        "the page names the hashed bundle"
    );
    assert!(
        !page.contains("/pkg/kouka.js"),
        "never a file that does not exist"
    );
    // Precompression runs in the background at start-up.
    for _ in 0..100 {
        if site.join("pkg/kouka.abc123.js.gz").exists()
            && site.join("pkg/kouka.abc123.js.br").exists()
        {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    for encoding in ["br", "gzip"] {
        let response = app
            .client
            .get(app.url("/pkg/kouka.abc123.js"))
            .header(ACCEPT_ENCODING, encoding)
            .send()
            .await
            .expect("get");
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.headers()["content-encoding"], encoding);
        assert_eq!(
            response.headers()["cache-control"],
            "public, max-age=31536000, immutable"
        );
        let length: usize = response.bytes().await.expect("bytes").len();
        assert!(length < js.len() / 4, "{encoding}: {length} bytes");
    }
    let response = app.get("/pkg/nope.js").await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        response.headers()["cache-control"],
        "no-cache",
        "misses are never cached"
    );
    app.finish().await;
    let _ = std::fs::remove_dir_all(site);
}

async fn pages_are_compressed_and_errors_keep_their_status(kind: DbKind) {
    let Some(app) = spawn_app(kind).await else {
        return;
    };
    // A browser offers brotli too; a page made per request comes gzip-compressed (brotli
    // would cost more CPU than rendering it: see web::dynamic_compression).
    let page = app
        .client
        .get(app.url("/"))
        .header("accept-encoding", "gzip, deflate, br, zstd")
        .send()
        .await
        .expect("home");
    assert_eq!(page.status(), 200);
    assert_eq!(page.headers()["content-encoding"], "gzip");
    let bytes = page.bytes().await.expect("body");
    let mut html = String::new();
    std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&bytes[..]), &mut html)
        .expect("gzip");
    assert!(html.contains("考課"), "the page, decompressed");
    // A refused server function keeps its status and its readable error; an answer this
    // small is not worth compressing.
    let refused = app
        .client
        .post(app.url("/api/users/list"))
        .header("origin", app.base.clone())
        .header("accept-encoding", "gzip, deflate, br, zstd")
        .form(&[("query", ""), ("page", "not a number")])
        .send()
        .await
        .expect("call");
    assert_eq!(refused.status(), 422);
    assert!(refused.headers().get("content-encoding").is_none());
    let error: kouka_app::error::AppError =
        serde_json::from_slice(&refused.bytes().await.expect("body")).expect("an AppError");
    assert!(
        matches!(error, kouka_app::error::AppError::Invalid { field, .. } if field == FormField::Request),
        "{error:?}"
    );
    app.finish().await;
}

/// A page fires several requests at once; when its session has idled out, each of them
/// finds it dead and removes it. All must answer "not signed in", none fail.
async fn a_dead_session_is_cleanly_refused_by_concurrent_requests(kind: DbKind) {
    use kouka_app::backend::{audit::RequestOrigin, sessions};
    use kouka_app::domain::time::Timestamp;
    let Some(app) = spawn_app(kind).await else {
        return;
    };
    let (tenant, admin, _) = common::admin_session(&app.db, "IDLE", 10).await;
    // Last seen an hour ago: past the 30 minutes a session may idle.
    let an_hour_ago = Timestamp::from_micros(Timestamp::now().as_micros() - 3_600_000_000);
    for round in 0..5 {
        let mut tx = app.db.begin_for_tenant(&tenant).await.expect("tx");
        let secret = sessions::create(
            &mut tx,
            &tenant,
            &admin.subject.user,
            &RequestOrigin::default(),
            an_hour_ago,
        )
        .await
        .expect("session");
        tx.commit().await.expect("commit");
        let cookie = secret.encode();
        let calls = (0..8).map(|_| app.post_form("/api/auth/me", &cookie, &[]));
        for (status, body) in futures::future::join_all(calls).await {
            assert_eq!(
                (status.as_u16(), body.as_str()),
                (200, "null"),
                "round {round}"
            );
        }
    }
    app.finish().await;
}

async fn shutdown_finishes_and_closes_the_port(kind: DbKind) {
    let Some(mut app) = spawn_app(kind).await else {
        return;
    };
    let response = app.get("/healthz").await;
    assert_eq!(response.status(), StatusCode::OK);
    app.stop_server().await.expect("clean shutdown");
    let fresh = reqwest::Client::new();
    assert!(
        fresh.get(app.url("/healthz")).send().await.is_err(),
        "nothing listens after shutdown"
    );
    app.finish().await;
}

/// A form sends the account's language as its code; a code we do not offer is refused,
/// and nothing changes (it used to become Japanese without a word).
async fn a_language_travels_as_its_code(kind: DbKind) {
    let Some(app) = spawn_app(kind).await else {
        return;
    };
    let (tenant, admin, cookie) = common::admin_session(&app.db, "langcode", 5).await;
    let profile = |name: &'static str, language: &'static str| {
        let cookie = cookie.clone();
        let app = &app;
        async move {
            app.post_form(
                "/api/account/update-profile",
                &cookie,
                &[("display_name", name), ("language", language)],
            )
            .await
        }
    };
    let (status, body) = profile("管理 花子", "en").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, _) = profile("管理 次郎", "fr").await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a language we do not offer"
    );
    let user = kouka_app::backend::users::get_user(&app.db, &tenant, &admin.subject.user)
        .await
        .expect("user");
    assert_eq!(
        (user.display_name.as_str(), user.language),
        ("管理 花子", Lang::En),
        "the refused form changed nothing"
    );
    app.finish().await;
}
