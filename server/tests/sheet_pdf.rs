//! A sheet as a PDF, read back with `pdftotext` as a reader's search would: an evaluation
//! admin's copy of a finished sheet holds the employee's Japanese name, the goals, every
//! stage's ratings and the final grade; the employee's own copy before disclosure holds no
//! evaluator's rating or reason; every PDF names the tenant and the print time in JST, and
//! taking one is audited. Pages are A4 portrait.

mod common;

use common::{TestDb, audit_count, signed_in_user, writer};
use kouka_app::backend::db::{Db, DbKind};
use kouka_app::backend::demo::{DemoSize, create_demo};
use kouka_app::backend::evaluation::sheet_pdf::sheet_pdf;
use kouka_app::backend::evaluation::sheets;
use kouka_app::backend::secrets::ScopedSecret;
use kouka_app::backend::sessions::{self, SessionUser};
use kouka_app::domain::audit::AuditAction;
use kouka_app::domain::evaluation::calibration::final_grade;
use kouka_app::domain::evaluation::sheet::SheetContent;
use kouka_app::domain::evaluation::template::Template;
use kouka_app::domain::ids::{SheetId, TenantId, UserId};
use kouka_app::domain::roles::Role;
use kouka_app::domain::time::Timestamp;
use kouka_app::i18n::Lang;
use std::io::Write;
use std::process::{Command, Stdio};

async fn signed_in(db: &Db, tenant: &TenantId, roles: &[Role]) -> SessionUser {
    let cookie = signed_in_user(db, tenant, roles).await;
    let secret = ScopedSecret::parse(&cookie).expect("a session cookie");
    sessions::resolve(db, &secret, Timestamp::now())
        .await
        .expect("resolve")
        .expect("alive")
}

async fn session_of(db: &Db, tenant: &TenantId, user: &UserId) -> SessionUser {
    let mut tx = db.begin_write_for_tenant(tenant).await.expect("tx");
    let secret = sessions::create(
        &mut tx,
        tenant,
        user,
        &kouka_app::backend::audit::RequestOrigin::default(),
        Timestamp::now(),
    )
    .await
    .expect("session");
    tx.commit().await.expect("commit");
    sessions::resolve(db, &secret, Timestamp::now())
        .await
        .expect("resolve")
        .expect("alive")
}

/// The text of a PDF, as `pdftotext` reads it.
fn text_of(pdf: &[u8]) -> String {
    let mut child = Command::new("pdftotext")
        .args(["-layout", "-", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("pdftotext (Debian's poppler-utils; scripts/setup.sh test installs it)");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(pdf)
        .expect("write the PDF");
    let out = child.wait_with_output().expect("pdftotext");
    assert!(out.status.success(), "pdftotext failed");
    String::from_utf8(out.stdout).expect("UTF-8 text")
}

/// The page sizes and the fonts, as `pdfinfo` and `pdffonts` report them.
fn info_of(tool: &str, pdf: &[u8]) -> String {
    let path = std::env::temp_dir().join(format!("kouka-{}.pdf", uuid::Uuid::now_v7()));
    std::fs::write(&path, pdf).unwrap();
    let out = Command::new(tool).arg(&path).output().expect(tool);
    std::fs::remove_file(&path).ok();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// pdftotext keeps the words of a line; a cell's text may wrap, so compare without
/// spaces and line breaks.
fn squeezed(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

type Row = (SheetId, UserId, String, String, String);

async fn sheet_in(db: &Db, tenant: &TenantId, states: &str) -> Row {
    let mut tx = db.begin_for_tenant(tenant).await.unwrap();
    let row = sqlx::query_as(&format!(
        "SELECT s.id, s.employee_id, s.content, u.display_name, p.template_snapshot \
         FROM evaluation_sheets s JOIN users u ON u.tenant_id = s.tenant_id AND u.id = s.employee_id \
         JOIN evaluation_periods p ON p.tenant_id = s.tenant_id AND p.id = s.period_id \
         WHERE s.tenant_id = $1 AND s.state IN ({states}) ORDER BY s.id LIMIT 1"
    ))
    .bind(tenant.as_str())
    .fetch_one(&mut *tx)
    .await
    .unwrap();
    tx.commit().await.unwrap();
    row
}

async fn a_sheet_pdf_holds_what_its_reader_may_see(kind: DbKind) {
    let Some(test_db) = TestDb::new(kind).await else {
        return;
    };
    let db = &test_db.db;
    let size = DemoSize {
        employees: 40,
        departments: 6,
        period: true,
    };
    let tenant = create_demo(db, "http://kouka.test", "PDF", size, 3)
        .await
        .unwrap()
        .tenant;
    let admin = signed_in(db, &tenant, &[Role::EvaluationAdmin]).await;

    // A finished sheet, as the evaluation admin takes it.
    let (sheet, _, content, name, template) =
        sheet_in(db, &tenant, "'disclosed', 'acknowledged'").await;
    let content: SheetContent = serde_json::from_str(&content).unwrap();
    let template: Template = serde_json::from_str(&template).unwrap();
    let grade = final_grade(&template, &content).expect("a finished sheet has its grade");
    let relations = sheets::relations_for(db, &admin, &sheet).await.unwrap();
    let before = audit_count(db, &tenant, AuditAction::SheetPdf, None).await;
    let pdf = sheet_pdf(
        &writer(db, &admin, Timestamp::now()),
        &sheet,
        relations,
        Lang::Ja,
    )
    .await
    .unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    // To look at it: KOUKA_PDF_OUT=/tmp/sheet.pdf, then pdftoppm -png.
    if let Ok(path) = std::env::var("KOUKA_PDF_OUT") {
        std::fs::write(path, &pdf).unwrap();
    }
    let text = squeezed(&text_of(&pdf));
    assert!(
        text.contains(&squeezed(&name)),
        "the employee's name in:\n{text}"
    );
    for goal in content.goals.values().flatten() {
        assert!(
            text.contains(&squeezed(&goal.title)),
            "goal {} in:\n{text}",
            goal.title
        );
    }
    assert!(
        text.contains(&format!("最終評語{grade}")),
        "grade {grade} in:\n{text}"
    );
    assert!(text.contains("一次評価") && text.contains("評価履歴"));
    assert!(text.contains("+09:00"), "the print time in JST");
    assert_eq!(
        audit_count(db, &tenant, AuditAction::SheetPdf, None).await,
        before + 1
    );
    // A4 portrait, the Japanese font embedded as a subset.
    let info = info_of("pdfinfo", &pdf);
    assert!(info.contains("595.28 x 841.89 pts (A4)"), "{info}");
    let fonts = info_of("pdffonts", &pdf);
    assert!(
        fonts.contains("NotoSansCJK") || fonts.contains("IPAex"),
        "{fonts}"
    );
    assert!(
        fonts.lines().skip(2).all(|line| line.contains(" yes yes ")),
        "embedded subsets:\n{fonts}"
    );

    // A sheet evaluated but not disclosed, as its employee takes it: their own ratings
    // only, no evaluator's rating or reason.
    let (sheet, employee, content, _, _) =
        sheet_in(db, &tenant, "'calibration', 'finalized'").await;
    let content: SheetContent = serde_json::from_str(&content).unwrap();
    let reasons: Vec<String> = content
        .stage_work
        .iter()
        .flat_map(|work| {
            work.entry_comments
                .values()
                .flatten()
                .chain(work.comments.values())
        })
        .filter(|reason| reason.chars().count() > 4)
        .cloned()
        .collect();
    assert!(!reasons.is_empty(), "the demo's evaluators write comments");
    let own = session_of(db, &tenant, &employee).await;
    let relations = sheets::relations_for(db, &own, &sheet).await.unwrap();
    let pdf = sheet_pdf(
        &writer(db, &own, Timestamp::now()),
        &sheet,
        relations,
        Lang::Ja,
    )
    .await
    .unwrap();
    let text = squeezed(&text_of(&pdf));
    // No evaluator stage's column or score (the evaluators' names stay: 一次評価者), no result.
    assert!(
        !text.replace("一次評価者", "").contains("一次評価"),
        "{text}"
    );
    assert!(!text.contains("最終評語"), "{text}");
    for reason in &reasons {
        assert!(
            !text.contains(&squeezed(reason)),
            "an evaluator's reason leaked: {reason}"
        );
    }
    // The same sheet in English for an English reader.
    let relations = sheets::relations_for(db, &own, &sheet).await.unwrap();
    let pdf = sheet_pdf(
        &writer(db, &own, Timestamp::now()),
        &sheet,
        relations,
        Lang::En,
    )
    .await
    .unwrap();
    assert!(text_of(&pdf).contains("Evaluation sheet"));
    test_db.drop_db().await;
}

/// The names in a ZIP, and the bytes of the first entry, read by Python's zipfile.
fn zip_entries(path: &std::path::Path) -> (Vec<String>, Vec<u8>) {
    let names = Command::new("python3")
        .args([
            "-c",
            "import sys, zipfile; print('\\n'.join(zipfile.ZipFile(sys.argv[1]).namelist()))",
        ])
        .arg(path)
        .output()
        .expect("python3");
    assert!(names.status.success(), "a readable ZIP");
    let names: Vec<String> = String::from_utf8(names.stdout)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect();
    let first = Command::new("python3")
        .args([
            "-c",
            "import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); sys.stdout.buffer.write(z.read(z.namelist()[0]))",
        ])
        .arg(path)
        .output()
        .expect("python3");
    (names, first.stdout)
}

async fn many_sheets_go_into_one_zip_in_the_background(kind: DbKind) {
    use kouka_app::backend::evaluation::pdf_jobs::{PdfJobs, PdfRequest};
    use kouka_app::backend::evaluation::progress::{ProgressReader, followed_sheets};
    let Some(test_db) = TestDb::new(kind).await else {
        return;
    };
    let db = &test_db.db;
    let size = DemoSize {
        employees: 30,
        departments: 5,
        period: true,
    };
    let tenant = create_demo(db, "http://kouka.test", "ZIP", size, 5)
        .await
        .unwrap()
        .tenant;
    let admin = signed_in(db, &tenant, &[Role::EvaluationAdmin]).await;
    let period: kouka_app::domain::ids::PeriodId = {
        let mut tx = db.begin_for_tenant(&tenant).await.unwrap();
        let id = sqlx::query_scalar("SELECT id FROM evaluation_periods WHERE tenant_id = $1")
            .bind(tenant.as_str())
            .fetch_one(&mut *tx)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        id
    };
    let reader = ProgressReader {
        user: admin.subject.user.clone(),
        whole_period: true,
        scope: None,
        may_remind: true,
    };
    let sheets = followed_sheets(db, &tenant, &period, &reader, None)
        .await
        .unwrap();
    assert!(sheets.len() > 10);
    // A handful is enough to see the job through; bench_results makes a thousand.
    let sheets: Vec<_> = sheets.into_iter().take(8).collect();
    let dir = std::env::temp_dir().join(format!("kouka-pdfs-{}", uuid::Uuid::now_v7()));
    let jobs = PdfJobs::new(dir.clone());
    let started = jobs
        .start(PdfRequest {
            db: db.clone(),
            by: admin.clone(),
            period: period.clone(),
            sheets: sheets.clone(),
            lang: Lang::Ja,
            tenant_name: "デモ商事株式会社".into(),
            zone: "Asia/Tokyo".into(),
        })
        .unwrap();
    assert_eq!((started.total, started.ready), (sheets.len(), false));
    // Followed until it is ready, as the page does (and as it does again after a reload).
    let ready = loop {
        let now = jobs
            .latest(&tenant, &admin.subject.user, &period)
            .expect("the requester's job");
        assert!(!now.failed);
        if now.ready {
            break now;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    };
    assert_eq!(ready.done, sheets.len());
    let path = jobs
        .file(&tenant, &admin.subject.user, &ready.id)
        .expect("the file, for its requester");
    let someone = signed_in(db, &tenant, &[Role::EvaluationAdmin]).await;
    assert!(
        jobs.file(&tenant, &someone.subject.user, &ready.id)
            .is_none()
    );
    assert!(
        jobs.latest(&tenant, &someone.subject.user, &period)
            .is_none()
    );
    let (names, first) = zip_entries(&path);
    assert_eq!(names.len(), sheets.len());
    assert!(
        names
            .iter()
            .all(|n| n.ends_with(".pdf") && n.starts_with('E')),
        "{names:?}"
    );
    let text = squeezed(&text_of(&first));
    let code = names[0].split('_').next().unwrap();
    assert!(text.contains(code), "{code} in the first PDF");
    std::fs::remove_dir_all(dir).ok();
    test_db.drop_db().await;
}

on_both_databases! {
    many_sheets_go_into_one_zip => super::many_sheets_go_into_one_zip_in_the_background;
    sheet_pdf_holds_what_its_reader_may_see => super::a_sheet_pdf_holds_what_its_reader_may_see;
}
