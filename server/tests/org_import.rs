//! The organization CSV import and export over HTTP, on both databases: the preview names
//! every bad row and writes nothing, the commit writes everything (rows, invitations, audit)
//! or nothing, the data is checked again at commit, and the export reads back unchanged.

mod common;

use common::{TestApp, admin_session, audit_count, count, spawn_app, spawn_app_with};
use kouka_app::backend::audit::RequestOrigin;
use kouka_app::backend::db::DbKind;
use kouka_app::backend::sessions;
use kouka_app::domain::audit::AuditAction;
use kouka_app::domain::org_csv::{ImportCounts, ImportState, ImportStatus};
use kouka_app::domain::time::Timestamp;
use std::time::Duration;

const DEPARTMENTS: &str = "部署コード,部署名,上位部署コード,表示順\r\n\
    HQ,本社,,10\r\n\
    SALES,営業部,HQ,10\r\n\
    DEV,開発部,HQ,20\r\n\
    S1,営業一課,SALES,\r\n";

const EMPLOYEES_HEADER: &str = "社員番号,氏名,フリガナ,メールアドレス,所属部署コード,兼務部署コード,責任者部署コード,役職,等級,雇用区分,入社日\r\n";

fn shift_jis(text: &str) -> Vec<u8> {
    let (bytes, _, unmappable) = encoding_rs::SHIFT_JIS.encode(text);
    assert!(!unmappable, "the test text fits Shift_JIS");
    bytes.into_owned()
}

async fn upload(app: &TestApp, cookie: &str, kind: &str, file: Vec<u8>, invite: bool) -> String {
    let response = app
        .client
        .post(app.url(&format!(
            "/api/org/import?kind={kind}&invite={invite}&name=test.csv"
        )))
        .header("origin", app.base.clone())
        .header("cookie", format!("kouka_session={cookie}"))
        .body(file)
        .send()
        .await
        .expect("upload");
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.expect("json");
    body["job"].as_str().expect("a job id").to_owned()
}

/// Polls until the job is no longer working.
async fn settled(app: &TestApp, cookie: &str, job: &str) -> ImportStatus {
    app.import_settled(cookie, job).await
}

async fn preview(
    app: &TestApp,
    cookie: &str,
    kind: &str,
    file: Vec<u8>,
    invite: bool,
) -> (String, ImportStatus) {
    let job = upload(app, cookie, kind, file, invite).await;
    let status = settled(app, cookie, &job).await;
    (job, status)
}

async fn commit(app: &TestApp, cookie: &str, job: &str) -> ImportState {
    let (status, body) = app
        .post_form("/api/org/import-commit", cookie, &[("job", job)])
        .await;
    assert_eq!(status, 200, "{body}");
    settled(app, cookie, job).await.state
}

/// Adds one employee through the admin form's server function.
async fn add_employee(
    app: &TestApp,
    cookie: &str,
    code: &str,
    name: &str,
    email: &str,
    department: &str,
) {
    let (status, body) = app
        .post_form(
            "/api/employees/create",
            cookie,
            &[
                ("employee_code", code),
                ("display_name", name),
                ("email", email),
                ("kana", ""),
                ("job_title", ""),
                ("grade", ""),
                ("employment_type", ""),
                ("hire_date", ""),
                ("department_code", department),
                ("concurrent_codes", ""),
                ("manages_codes", ""),
                ("language", "ja"),
            ],
        )
        .await;
    assert_eq!(status, 200, "{body}");
}

fn counts(state: &ImportState) -> ImportCounts {
    match state {
        ImportState::Previewed {
            counts,
            problem_count: 0,
            ..
        }
        | ImportState::Committed { counts } => *counts,
        other => panic!("expected a clean preview or a result, got {other:?}"),
    }
}

async fn a_bad_row_is_named_then_the_fixed_file_imports(kind: DbKind) {
    let Some(app) = spawn_app(kind).await else {
        return;
    };
    let db = app.db.clone();
    let (tenant, _, admin) = admin_session(&db, "IMPORT", 100).await;

    let (job, departments) = preview(
        &app,
        &admin,
        "departments",
        DEPARTMENTS.as_bytes().to_vec(),
        true,
    )
    .await;
    assert_eq!(counts(&departments.state).added, 4);
    assert_eq!(
        count(
            &db,
            &tenant,
            "SELECT COUNT(*) FROM departments WHERE tenant_id = $1"
        )
        .await,
        0,
        "a preview writes nothing"
    );
    assert_eq!(counts(&commit(&app, &admin, &job).await).added, 4);
    assert_eq!(
        count(
            &db,
            &tenant,
            "SELECT COUNT(*) FROM departments WHERE tenant_id = $1"
        )
        .await,
        4
    );

    // Shift_JIS as Excel saves it, with one bad e-mail address on line 3.
    let bad = format!(
        "{EMPLOYEES_HEADER}\
         E001,山田 太郎,ヤマダ タロウ,taro@import.example,SALES,,SALES,部長,M3,正社員,2010/4/1\r\n\
         E002,鈴木 花子,スズキ ハナコ,hanako(at)import.example,S1,DEV,,主任,S2,正社員,2015/4/1\r\n\
         E003,佐藤 次郎,サトウ ジロウ,jiro@import.example,DEV,,,,,契約社員,2024/4/1\r\n"
    );
    let (bad_job, checked) = preview(&app, &admin, "employees", shift_jis(&bad), true).await;
    let ImportState::Previewed {
        problems,
        problem_count,
        ..
    } = &checked.state
    else {
        panic!("{checked:?}");
    };
    assert_eq!(*problem_count, 1);
    assert_eq!(
        (problems[0].line, problems[0].column.as_deref()),
        (3, Some("email"))
    );
    assert_eq!(problems[0].value, "hanako(at)import.example");
    let users_before = count(
        &db,
        &tenant,
        "SELECT COUNT(*) FROM users WHERE tenant_id = $1",
    )
    .await;
    // It cannot be committed, and nothing was written.
    let (status, _) = app
        .post_form("/api/org/import-commit", &admin, &[("job", &bad_job)])
        .await;
    assert_eq!(status, 422);
    assert_eq!(
        count(
            &db,
            &tenant,
            "SELECT COUNT(*) FROM users WHERE tenant_id = $1"
        )
        .await,
        users_before
    );
    // The problems as CSV, in Shift_JIS like the upload.
    let response = app
        .get_as(&format!("/api/org/import/{bad_job}/problems.csv"), &admin)
        .await;
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("attachment")
    );
    let bytes = response.bytes().await.unwrap();
    let (text, _, _) = encoding_rs::SHIFT_JIS.decode(&bytes);
    assert!(
        text.starts_with("行,列,値,内容\r\n3,メールアドレス,hanako(at)import.example,"),
        "{text}"
    );

    // The fixed file imports; each new employee gets an invitation.
    let fixed = bad.replace("hanako(at)import.example", "hanako@import.example");
    let (job, checked) = preview(&app, &admin, "employees", shift_jis(&fixed), true).await;
    assert_eq!(counts(&checked.state).added, 3);
    let done = counts(&commit(&app, &admin, &job).await);
    assert_eq!((done.added, done.invitations), (3, 3));
    assert_eq!(
        count(
            &db,
            &tenant,
            "SELECT COUNT(*) FROM posts WHERE tenant_id = $1"
        )
        .await,
        4,
        "three primary posts and one concurrent"
    );
    assert_eq!(
        count(&db, &tenant, "SELECT COUNT(*) FROM mail_outbox WHERE tenant_id = $1 AND to_address LIKE '%@import.example'").await,
        3
    );
    assert_eq!(
        audit_count(&db, &tenant, AuditAction::EmployeeImport, None).await,
        3
    );
    assert_eq!(
        audit_count(&db, &tenant, AuditAction::OrgImport, None).await,
        2
    );
    let mut tx = db.begin_for_tenant(&tenant).await.unwrap();
    let (name, kana, hire): (String, String, String) = sqlx::query_as(
        "SELECT display_name, kana, hire_date FROM users WHERE tenant_id = $1 AND employee_code = 'E002'",
    )
    .bind(tenant.as_str())
    .fetch_one(&mut *tx)
    .await
    .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(
        (name.as_str(), kana.as_str(), hire.as_str()),
        ("鈴木 花子", "スズキ ハナコ", "2015-04-01")
    );

    // Importing the same file again changes nothing.
    let (_, again) = preview(&app, &admin, "employees", shift_jis(&fixed), true).await;
    assert_eq!(counts(&again.state).unchanged, 3);
    app.finish().await;
}

async fn the_export_reads_back_unchanged(kind: DbKind) {
    let Some(app) = spawn_app(kind).await else {
        return;
    };
    let db = app.db.clone();
    let (_, _, admin) = admin_session(&db, "EXPORT", 100).await;
    let (job, _) = preview(
        &app,
        &admin,
        "departments",
        DEPARTMENTS.as_bytes().to_vec(),
        false,
    )
    .await;
    commit(&app, &admin, &job).await;
    let employees = format!(
        "{EMPLOYEES_HEADER}\
         E1,=HYPERLINK(\"http://evil\"),,one@export.example,SALES,DEV;S1,SALES,\"課長, 兼務\",,,\r\n\
         E2,高橋 葵,タカハシ アオイ,two@export.example,DEV,,,-5,+81-3,@home,2021-10-01\r\n"
    );
    let (job, _) = preview(&app, &admin, "employees", employees.into_bytes(), false).await;
    let done = counts(&commit(&app, &admin, &job).await);
    assert_eq!(
        (done.added, done.invitations),
        (2, 0),
        "no invitations when asked not to"
    );

    for (kind, encoding) in [
        ("departments", "utf8"),
        ("employees", "utf8"),
        ("employees", "sjis"),
    ] {
        let response = app
            .get_as(
                &format!("/api/org/export?kind={kind}&encoding={encoding}"),
                &admin,
            )
            .await;
        assert_eq!(response.status(), 200);
        let disposition = response.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(
            disposition.contains(&format!("{kind}-")) && disposition.contains(encoding),
            "{disposition}"
        );
        let bytes = response.bytes().await.unwrap().to_vec();
        if encoding == "utf8" {
            assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "a BOM for Excel");
        }
        let text = if encoding == "sjis" {
            encoding_rs::SHIFT_JIS.decode(&bytes).0.into_owned()
        } else {
            String::from_utf8(bytes.clone()).unwrap()
        };
        if kind == "employees" {
            // A cell that would start a formula is neutralised.
            assert!(
                text.contains(",\"'=HYPERLINK(\"\"http://evil\"\")\","),
                "{text}"
            );
            assert!(text.contains("E1,"), "{text}");
            assert!(text.contains("DEV;S1"), "{text}");
            assert!(
                !text.contains("EXPORT"),
                "no employee without a code (the admin)"
            );
        } else {
            assert!(text.contains("S1,営業一課,SALES,10\r\n"), "{text}");
        }
        if kind == "departments" {
            let (_, again) = preview(&app, &admin, kind, bytes, false).await;
            assert_eq!(counts(&again.state).unchanged, 4);
        }
    }
    // The neutralised formula is what a re-import sees; other rows read back unchanged.
    let response = app
        .get_as("/api/org/export?kind=employees&encoding=sjis", &admin)
        .await;
    let (_, again) = preview(
        &app,
        &admin,
        "employees",
        response.bytes().await.unwrap().to_vec(),
        false,
    )
    .await;
    // Export, then import of the same file, changes nothing: the neutralising apostrophes
    // come off again.
    let again = counts(&again.state);
    assert_eq!((again.unchanged, again.changed), (2, 0));

    // Templates and a Shift_JIS export of what Shift_JIS cannot hold.
    let template = app.get_as("/api/org/template?kind=employees", &admin).await;
    let template = template.text().await.unwrap();
    assert!(
        template.starts_with("\u{feff}社員番号,氏名,フリガナ,"),
        "{template}"
    );
    add_employee(&app, &admin, "E3", "🍣 好き", "sushi@export.example", "DEV").await;
    let refused = app
        .get_as("/api/org/export?kind=employees&encoding=sjis", &admin)
        .await;
    assert_eq!(refused.status(), 422);
    let message = refused.text().await.unwrap();
    assert!(
        message.contains("Shift_JIS") && message.contains("🍣") && message.contains("E3"),
        "the record and the character are named: {message}"
    );
    // A character Shift_JIS would silently turn into another (¥ into \) is refused the
    // same way, never changed; the import's preview warned of it first.
    let yen = format!("{EMPLOYEES_HEADER}E3,寿司 好き,,sushi@export.example,DEV,,,,¥等級,,\r\n");
    let (job, checked) = preview(&app, &admin, "employees", yen.into_bytes(), false).await;
    let ImportState::Previewed {
        warnings,
        warning_count: 1,
        problem_count: 0,
        ..
    } = &checked.state
    else {
        panic!("one warning, no problem: {:?}", checked.state);
    };
    assert_eq!(warnings[0].column.as_deref(), Some("grade"));
    assert!(
        warnings[0]
            .reason(kouka_app::i18n::Lang::Ja)
            .contains("U+00A5"),
        "{warnings:?}"
    );
    commit(&app, &admin, &job).await;
    let refused = app
        .get_as("/api/org/export?kind=employees&encoding=sjis", &admin)
        .await;
    assert_eq!(refused.status(), 422);
    let message = refused.text().await.unwrap();
    assert!(
        message.contains("U+00A5") && message.contains("E3"),
        "{message}"
    );
    app.finish().await;
}

async fn the_commit_checks_again_and_writes_all_or_nothing(kind: DbKind) {
    let Some(app) = spawn_app(kind).await else {
        return;
    };
    let db = app.db.clone();
    let (tenant, _, admin) = admin_session(&db, "RECHECK", 3).await;
    let (job, _) = preview(
        &app,
        &admin,
        "departments",
        DEPARTMENTS.as_bytes().to_vec(),
        false,
    )
    .await;
    commit(&app, &admin, &job).await;
    let file = format!(
        "{EMPLOYEES_HEADER}N1,新人 一,,n1@recheck.example,DEV,,,,,,\r\nN2,新人 二,,n2@recheck.example,DEV,,,,,,\r\n"
    );
    let (job, checked) = preview(&app, &admin, "employees", file.into_bytes(), true).await;
    assert_eq!(counts(&checked.state).added, 2, "two seats are free");
    // Meanwhile another admin takes a seat.
    add_employee(&app, &admin, "X1", "割り込み", "x1@recheck.example", "").await;
    let state = commit(&app, &admin, &job).await;
    let ImportState::Previewed { problems, .. } = &state else {
        panic!("the commit found a problem: {state:?}");
    };
    assert!(
        problems[0]
            .reason(kouka_app::i18n::Lang::Ja)
            .contains("契約席数（3席）"),
        "{problems:?}"
    );
    assert_eq!(
        count(
            &db,
            &tenant,
            "SELECT COUNT(*) FROM users WHERE tenant_id = $1 AND employee_code LIKE 'N%'"
        )
        .await,
        0,
        "nothing of the file was written"
    );
    app.finish().await;
}

async fn large_uploads_have_their_own_limit(kind: DbKind) {
    let Some(app) = spawn_app_with(kind, |c| {
        c.body_limit = 1024;
        c.import_limit = 64 * 1024;
    })
    .await
    else {
        return;
    };
    let db = app.db.clone();
    let (_, _, admin) = admin_session(&db, "LIMITS", 100).await;
    let rows: String = (0..1000).map(|n| format!("D{n},部署{n},,\r\n")).collect();
    let file = format!("部署コード,部署名,上位部署コード,表示順\r\n{rows}");
    assert!(file.len() > 1024 && file.len() < 64 * 1024);
    let (_, checked) = preview(&app, &admin, "departments", file.into_bytes(), false).await;
    assert_eq!(counts(&checked.state).added, 1000);
    let too_big = vec![b'a'; 65 * 1024];
    let response = app
        .client
        .post(app.url("/api/org/import?kind=departments"))
        .header("origin", app.base.clone())
        .header("cookie", format!("kouka_session={admin}"))
        .body(too_big)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 413);
    app.finish().await;
}

async fn other_users_keep_working_while_an_import_writes(kind: DbKind) {
    let Some(app) = spawn_app(kind).await else {
        return;
    };
    let db = app.db.clone();
    let (tenant, admin_user, admin) = admin_session(&db, "BUSY", 100_000).await;
    let (job, _) = preview(
        &app,
        &admin,
        "departments",
        DEPARTMENTS.as_bytes().to_vec(),
        false,
    )
    .await;
    commit(&app, &admin, &job).await;
    let rows: String = (0..5000)
        .map(|n| format!("B{n:05},社員 {n},,b{n}@busy.example,DEV,,,,,,\r\n"))
        .collect();
    let (job, checked) = preview(
        &app,
        &admin,
        "employees",
        format!("{EMPLOYEES_HEADER}{rows}").into_bytes(),
        true,
    )
    .await;
    assert_eq!(counts(&checked.state).added, 5000);

    // Sessions last seen two minutes ago: the next request of each refreshes its idle clock
    // (a write), and these requests come while the import writes.
    let two_minutes_ago = Timestamp::from_micros(Timestamp::now().as_micros() - 120_000_000);
    let mut tx = db.begin_for_tenant(&tenant).await.expect("tx");
    let mut stale = Vec::new();
    for _ in 0..200 {
        let secret = sessions::create(
            &mut tx,
            &tenant,
            &admin_user.subject.user,
            &RequestOrigin::default(),
            two_minutes_ago,
        )
        .await
        .expect("session");
        stale.push(secret.encode());
    }
    tx.commit().await.expect("commit");

    let (status, body) = app
        .post_form("/api/org/import-commit", &admin, &[("job", job.as_str())])
        .await;
    assert_eq!(status, 200, "{body}");
    // Each round asks how the import goes, then makes a request on one of the stale
    // sessions, until the import is done. (Once all have been used, they are fresh; by
    // then the import has long been writing.)
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(60);
    let mut during_import = 0;
    for cookie in stale.iter().cycle() {
        let (_, body) = app
            .post_form("/api/org/import-status", &admin, &[("job", job.as_str())])
            .await;
        let status: ImportStatus = serde_json::from_str(&body).expect("status");
        // From its first statement the commit holds the write lock (re-checking, then
        // writing).
        if let ImportState::Working { .. } = status.state {
            during_import += 1;
        }
        let (code, body) = app.post_form("/api/org/chart", cookie, &[]).await;
        assert_eq!(code, 200, "a request during the import: {body}");
        if let ImportState::Committed { counts } = status.state {
            assert_eq!(counts.added, 5000);
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the import finished within a minute"
        );
    }
    assert!(
        during_import > 0,
        "some requests came while the import wrote"
    );
    app.finish().await;
}

/// Starts an upload that announces `length` bytes but sends only its headers and a first
/// chunk, as a slow or hostile client would; answers the open connection.
async fn open_upload(app: &TestApp, cookie: Option<&str>, length: usize) -> tokio::net::TcpStream {
    use tokio::io::AsyncWriteExt;
    let mut stream = tokio::net::TcpStream::connect(app.addr)
        .await
        .expect("connect");
    let cookie = cookie
        .map(|c| format!("Cookie: kouka_session={c}\r\n"))
        .unwrap_or_default();
    let head = format!(
        "POST /api/org/import?kind=departments&invite=false HTTP/1.1\r\nHost: {}\r\n\
         Origin: {}\r\n{cookie}Content-Type: text/csv\r\nContent-Length: {length}\r\n\r\n",
        app.addr, app.base
    );
    stream.write_all(head.as_bytes()).await.expect("headers");
    stream
        .write_all("部署コード,部署名\r\n".as_bytes())
        .await
        .expect("first chunk");
    stream
}

/// The status of the answer on `stream`, if one comes within a few seconds.
async fn answer_status(stream: &mut tokio::net::TcpStream) -> Option<u16> {
    use tokio::io::AsyncReadExt;
    let mut buffer = vec![0; 1024];
    let read = tokio::time::timeout(Duration::from_secs(5), stream.read(&mut buffer))
        .await
        .ok()?
        .ok()?;
    let head = String::from_utf8_lossy(&buffer[..read]);
    head.split(' ').nth(1)?.parse().ok()
}

/// Files in the folder uploads are kept in.
fn uploads_kept(app: &TestApp) -> usize {
    std::fs::read_dir(app.config.data_dir.join("uploads"))
        .map(|dir| dir.count())
        .unwrap_or(0)
}

async fn wait_for_uploads_kept(app: &TestApp, files: usize) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while uploads_kept(app) < files {
        assert!(
            tokio::time::Instant::now() < deadline,
            "{files} uploads go to files"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn uploads_are_checked_before_their_body_and_capped(kind: DbKind) {
    let Some(app) = spawn_app(kind).await else {
        return;
    };
    let db = app.db.clone();
    let big = 60 * 1024 * 1024;
    // Anonymous, and a user without the right: refused before the body is read, while the
    // client is still "sending" 60 MiB.
    let mut anonymous = open_upload(&app, None, big).await;
    assert_eq!(answer_status(&mut anonymous).await, Some(401));
    let (tenant, _, _) = admin_session(&db, "UPLOADS", 100).await;
    let general = common::signed_in_user(&db, &tenant, &[]).await;
    let mut no_right = open_upload(&app, Some(&general), big).await;
    assert_eq!(answer_status(&mut no_right).await, Some(403));

    // One upload at a time per user: the second is told to try again at once.
    let mut admins = Vec::new();
    for n in 0..5 {
        let (_, _, admin) = admin_session(&db, &format!("UPLOAD{n}"), 100).await;
        admins.push(admin);
    }
    let mut first = open_upload(&app, Some(&admins[0]), big).await;
    // The body under way goes to a file, not to memory.
    wait_for_uploads_kept(&app, 1).await;
    let mut again = open_upload(&app, Some(&admins[0]), big).await;
    assert_eq!(answer_status(&mut again).await, Some(503));
    // Four at once in all: the fifth user waits too.
    let mut others = Vec::new();
    for admin in &admins[1..4] {
        others.push(open_upload(&app, Some(admin), big).await);
    }
    wait_for_uploads_kept(&app, 4).await;
    let mut fifth = open_upload(&app, Some(&admins[4]), big).await;
    assert_eq!(answer_status(&mut fifth).await, Some(503));
    assert_eq!(answer_status(&mut first).await, None, "still receiving");

    // Clients that go away give their places back, and their files are removed.
    drop(first);
    drop(others);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let file = "部署コード,部署名\r\nU1,部署\r\n".as_bytes().to_vec();
        let response = app
            .client
            .post(app.url("/api/org/import?kind=departments&invite=false"))
            .header("origin", app.base.clone())
            .header("cookie", format!("kouka_session={}", admins[0]))
            .body(file)
            .send()
            .await
            .expect("upload");
        if response.status() == 200 {
            break;
        }
        assert_eq!(response.status(), 503);
        assert!(
            tokio::time::Instant::now() < deadline,
            "the place is given back"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while uploads_kept(&app) > 1 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "broken uploads leave no file"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    app.finish().await;
}

on_both_databases! {
    uploads_checked_first => super::uploads_are_checked_before_their_body_and_capped;
    others_keep_working => super::other_users_keep_working_while_an_import_writes;
    bad_row_then_fixed_file => super::a_bad_row_is_named_then_the_fixed_file_imports;
    export_reads_back => super::the_export_reads_back_unchanged;
    commit_checks_again => super::the_commit_checks_again_and_writes_all_or_nothing;
    upload_limit => super::large_uploads_have_their_own_limit;
}
