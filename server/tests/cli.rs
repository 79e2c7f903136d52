//! The `kouka` binary itself: its commands, its configuration errors, a real SIGTERM.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn kouka() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_kouka"));
    // A clean environment: only what each test sets, plus PATH.
    command
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default());
    command
}

fn temp_dir(tag: &str) -> std::path::PathBuf {
    let dir =
        std::env::temp_dir().join(format!("kouka-cli-{tag}-{}", uuid::Uuid::now_v7().simple()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

#[test]
fn help_lists_commands_and_every_variable() {
    let output = kouka().arg("--help").output().expect("run kouka");
    assert!(output.status.success());
    let help = String::from_utf8_lossy(&output.stdout);
    for word in [
        "serve",
        "migrate",
        "DATABASE_URL",
        "LEPTOS_SITE_ADDR",
        "LEPTOS_SITE_ROOT",
        "KOUKA_BASE_URL",
        "KOUKA_DATA_DIR",
        "KOUKA_MAIL_DIR",
        "KOUKA_SMTP_URL",
        "KOUKA_LOG_FORMAT",
        "RUST_LOG",
    ] {
        assert!(help.contains(word), "--help mentions {word}");
    }
}

#[test]
fn migrate_creates_the_sqlite_database_and_its_folder() {
    let dir = temp_dir("migrate");
    let db_file = dir.join("nested/kouka.db");
    let output = kouka()
        .arg("migrate")
        .env("DATABASE_URL", format!("sqlite://{}", db_file.display()))
        .output()
        .expect("run kouka");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(db_file.is_file());
    // Running it again is harmless.
    let again = kouka()
        .arg("migrate")
        .env("DATABASE_URL", format!("sqlite://{}", db_file.display()))
        .output()
        .expect("run kouka");
    assert!(again.status.success());
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_bad_setting_is_named_and_fails() {
    let output = kouka()
        .arg("migrate")
        .env("KOUKA_LOG_FORMAT", "xml")
        .output()
        .expect("run kouka");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("KOUKA_LOG_FORMAT"), "{stderr}");

    let output = kouka()
        .arg("migrate")
        .env("DATABASE_URL", "mysql://nope")
        .output()
        .expect("run kouka");
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("DATABASE_URL"));
}

#[test]
fn serve_logs_json_answers_health_and_stops_cleanly_on_sigterm() {
    let dir = temp_dir("serve");
    let port = {
        let probe = std::net::TcpListener::bind("127.0.0.1:0").expect("probe port");
        probe.local_addr().expect("addr").port()
    };
    let mut child = kouka()
        .arg("serve")
        .env(
            "DATABASE_URL",
            format!("sqlite://{}/kouka.db", dir.display()),
        )
        .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
        .env("LEPTOS_SITE_ROOT", dir.join("site"))
        .env("KOUKA_DATA_DIR", &dir)
        .env("KOUKA_LOG_FORMAT", "json")
        .env("RUST_LOG", "info")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start kouka serve");

    let deadline = Instant::now() + Duration::from_secs(30);
    let health = loop {
        assert!(Instant::now() < deadline, "kouka serve did not come up");
        if let Ok(mut stream) = std::net::TcpStream::connect(("127.0.0.1", port)) {
            use std::io::{Read, Write};
            let _ =
                stream.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            let mut response = String::new();
            let _ = stream.read_to_string(&mut response);
            break response;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(health.starts_with("HTTP/1.1 200"), "{health}");
    assert!(
        health.contains(r#"{"status":"ok","database":"sqlite"}"#),
        "{health}"
    );
    // A one-time link opened (not used), and a page that does not exist.
    let secret = "SeCrEtLinkToken0123456789";
    for path in [
        format!("/invite/{secret}"),
        format!("/reset/{secret}"),
        format!("/setup/{secret}"),
        "/no-such-page".to_owned(),
    ] {
        let response = http_get(port, &path);
        assert!(response.starts_with("HTTP/1.1 "), "{path}: {response}");
    }
    let not_found = http_get(port, "/no-such-page");
    assert!(not_found.starts_with("HTTP/1.1 404"), "{not_found}");

    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill -TERM");
    assert!(status.success());
    let exit = child.wait().expect("wait");
    assert!(exit.success(), "exits 0 after SIGTERM: {exit:?}");

    // Every log line is a JSON object; the access log recorded the health check.
    let lines: Vec<String> = BufReader::new(child.stdout.take().expect("stdout"))
        .lines()
        .map_while(Result::ok)
        .collect();
    assert!(!lines.is_empty());
    for line in &lines {
        serde_json::from_str::<serde_json::Value>(line)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
    }
    assert!(
        lines
            .iter()
            .any(|l| l.contains("/healthz") && l.contains("200")),
        "access log has the request: {lines:?}"
    );
    // No secret of a link reaches the log; the request is there, redacted.
    assert!(
        lines.iter().all(|l| !l.contains(secret)),
        "a link's secret was logged: {lines:?}"
    );
    assert!(
        lines.iter().any(|l| l.contains("/invite/…")),
        "the link's request is logged, redacted: {lines:?}"
    );
    // A page that does not exist is no error of the server's.
    let errors: Vec<&String> = lines
        .iter()
        .filter(|l| l.contains(r#""level":"ERROR""#))
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    let _ = std::fs::remove_dir_all(dir);
}

/// A plain HTTP/1.1 GET on its own connection: the whole response as text.
fn http_get(port: u16, path: &str) -> String {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).expect("connect");
    let request = format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).expect("send");
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response);
    String::from_utf8_lossy(&response).into_owned()
}

#[test]
fn settings_are_read_from_a_dot_env_file() {
    let dir = temp_dir("dotenv");
    std::fs::write(
        dir.join(".env"),
        "DATABASE_URL=sqlite://from-dotenv/kouka.db\n",
    )
    .expect(".env");
    let output = kouka()
        .arg("migrate")
        .current_dir(&dir)
        .output()
        .expect("run kouka");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        dir.join("from-dotenv/kouka.db").is_file(),
        "DATABASE_URL came from .env"
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn tenant_create_prints_the_notice_and_a_second_with_the_same_code_fails() {
    let dir = temp_dir("tenant");
    let create = || {
        kouka()
            .args([
                "tenant",
                "create",
                "--code",
                "acme",
                "--name",
                "アクメ株式会社",
                "--seats",
                "10",
                "--admin-email",
                "admin@acme.example",
                "--admin-name",
                "山田 太郎",
                "--contract-end",
                "2027-03-31",
            ])
            .env(
                "DATABASE_URL",
                format!("sqlite://{}/kouka.db", dir.display()),
            )
            .env("KOUKA_BASE_URL", "https://kouka.example.jp")
            .output()
            .expect("run kouka")
    };
    let first = create();
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let notice = String::from_utf8_lossy(&first.stdout);
    assert!(
        notice.contains("https://kouka.example.jp/setup/"),
        "{notice}"
    );
    assert!(
        notice.contains("ACME") && notice.contains("(JST, +09:00)"),
        "{notice}"
    );

    let second = create();
    assert!(!second.status.success());
    let stderr = String::from_utf8_lossy(&second.stderr);
    assert!(
        stderr.contains("ACME") && stderr.contains("already taken"),
        "{stderr}"
    );

    let list = kouka()
        .args(["tenant", "list"])
        .env(
            "DATABASE_URL",
            format!("sqlite://{}/kouka.db", dir.display()),
        )
        .output()
        .expect("run kouka");
    let listed = String::from_utf8_lossy(&list.stdout);
    assert!(
        listed.contains("ACME") && !listed.contains("admin@acme.example"),
        "{listed}"
    );
    let _ = std::fs::remove_dir_all(dir);
}
