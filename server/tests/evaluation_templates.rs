//! Sheet templates as an evaluation admin keeps them: created, refused with the place and
//! the reason, changed on the version they were read at, copied under a free name,
//! deleted, each with its audit row; and over HTTP, a template that is not one is refused
//! as unreadable.

mod common;

use common::{TestDb, audit_log, signed_in_user, spawn_app, tenant_with_admin, writer};
use kouka_app::backend::db::{Db, DbKind};
use kouka_app::backend::evaluation::templates;
use kouka_app::backend::secrets::ScopedSecret;
use kouka_app::backend::sessions::{self, SessionUser};
use kouka_app::domain::audit::AuditAction;
use kouka_app::domain::evaluation::template::{
    SectionKind, Template, TemplatePlace, TemplateProblem,
};
use kouka_app::domain::form_field::FormField;
use kouka_app::domain::ids::TenantId;
use kouka_app::domain::problem::Problem;
use kouka_app::domain::roles::Role;
use kouka_app::domain::time::Timestamp;
use kouka_app::error::AppError;

async fn evaluation_admin(db: &Db, code: &str) -> (TenantId, SessionUser) {
    let (notice, _) = tenant_with_admin(db, code, 20, "春の小川はさらさら行くよ").await;
    let cookie = signed_in_user(db, &notice.tenant_id, &[Role::EvaluationAdmin]).await;
    let secret = ScopedSecret::parse(&cookie).expect("a session cookie");
    let admin = sessions::resolve(db, &secret, Timestamp::now())
        .await
        .expect("resolve")
        .expect("alive");
    (notice.tenant_id, admin)
}

fn refused_at(result: Result<impl std::fmt::Debug, AppError>) -> (TemplatePlace, TemplateProblem) {
    match result {
        Err(AppError::Invalid {
            field: FormField::Template,
            problem: Problem::Template { at, problem },
        }) => (at, problem),
        other => panic!("expected a refused template, got {other:?}"),
    }
}

async fn templates_are_kept_checked_and_audited(kind: DbKind) {
    let Some(test_db) = TestDb::new(kind).await else {
        return;
    };
    let db = &test_db.db;
    let (tenant, admin) = evaluation_admin(db, "TMPL").await;
    let w = writer(db, &admin, Timestamp::now());

    // Created, listed, read back as it was sent (names tidied).
    let mut starter = Template::starter();
    starter.name = "  標準評価シート ".into();
    let id = templates::create_template(&w, starter.clone())
        .await
        .expect("created");
    let listed = templates::list_templates(db, &tenant).await.expect("list");
    assert_eq!(listed.len(), 1);
    assert_eq!(
        (
            listed[0].name.as_str(),
            listed[0].sections,
            listed[0].levels
        ),
        ("標準評価シート", 3, 5)
    );
    assert!(
        listed[0].updated.contains("+09:00"),
        "{}",
        listed[0].updated
    );
    let stored = templates::get_template(db, &tenant, &id)
        .await
        .expect("get");
    assert_eq!(stored.version, 1);
    assert_eq!(stored.template.name, "標準評価シート");
    assert_eq!(stored.template.sections, starter.sections);

    // Refused with the place and the reason; nothing stored.
    let mut unbalanced = Template::starter();
    unbalanced.name = "別のシート".into();
    unbalanced.sections[0].weight = Some("50".parse().unwrap());
    assert_eq!(
        refused_at(templates::create_template(&w, unbalanced).await),
        (
            TemplatePlace::Sections,
            TemplateProblem::WeightsTotal {
                total: "90".parse().unwrap()
            }
        )
    );
    assert_eq!(
        refused_at(
            templates::create_template(&w, Template::starter().copy_named("標準評価シート".into()))
                .await
        ),
        (TemplatePlace::Name, TemplateProblem::NameTaken)
    );
    assert_eq!(
        templates::list_templates(db, &tenant).await.unwrap().len(),
        1
    );

    // Changed on the version read; an edit based on an older one is refused.
    let mut changed = stored.template.clone();
    if let SectionKind::Goals { max_goals, .. } = &mut changed.sections[0].kind {
        *max_goals = 7;
    }
    templates::update_template(&w, &id, 1, changed.clone())
        .await
        .expect("updated");
    assert_eq!(
        templates::update_template(&w, &id, 1, changed.clone()).await,
        Err(AppError::Conflict)
    );
    let stored = templates::get_template(db, &tenant, &id).await.unwrap();
    assert_eq!((stored.version, &stored.template), (2, &changed));

    // Copies take the first free name.
    let first = templates::copy_template(&w, &id).await.expect("copy");
    let second = templates::copy_template(&w, &id).await.expect("copy");
    let names: Vec<String> = templates::list_templates(db, &tenant)
        .await
        .unwrap()
        .into_iter()
        .map(|t| t.name)
        .collect();
    assert_eq!(
        names,
        [
            "標準評価シート",
            "標準評価シート のコピー",
            "標準評価シート のコピー (2)"
        ]
    );
    assert_eq!(
        templates::get_template(db, &tenant, &first)
            .await
            .unwrap()
            .template
            .sections,
        changed.sections
    );

    // Deleted on its version.
    assert_eq!(
        templates::delete_template(&w, &second, 2).await,
        Err(AppError::Conflict)
    );
    templates::delete_template(&w, &second, 1)
        .await
        .expect("deleted");
    assert_eq!(
        templates::get_template(db, &tenant, &second).await.err(),
        Some(AppError::NotFound)
    );

    // One audit row per change, with the template before and after.
    let log: Vec<_> = audit_log(db, &tenant)
        .await
        .into_iter()
        .filter(|e| e.target_type.as_deref() == Some("template"))
        .collect();
    let actions: Vec<AuditAction> = log.iter().map(|e| e.action).collect();
    assert_eq!(
        actions,
        [
            AuditAction::TemplateCreate,
            AuditAction::TemplateUpdate,
            AuditAction::TemplateCreate,
            AuditAction::TemplateCreate,
            AuditAction::TemplateDelete,
        ]
    );
    let update = &log[1];
    assert_eq!(update.target_id.as_deref(), Some(id.as_str()));
    let max_goals = |value: &Option<serde_json::Value>| {
        value.as_ref().unwrap()["sections"][0]["kind"]["Goals"]["max_goals"].clone()
    };
    assert_eq!(max_goals(&update.before), serde_json::json!(5));
    assert_eq!(max_goals(&update.after), serde_json::json!(7));
    assert!(log[4].after.is_none() && log[4].before.is_some());
    test_db.drop_db().await;
}

async fn a_template_that_is_not_one_is_refused_as_unreadable(kind: DbKind) {
    let Some(app) = spawn_app(kind).await else {
        return;
    };
    let (notice, _) = tenant_with_admin(&app.db, "TMPLHTTP", 20, "春の小川はさらさら行くよ").await;
    let cookie = signed_in_user(&app.db, &notice.tenant_id, &[Role::EvaluationAdmin]).await;
    let post = |definition: String| {
        app.client
            .post(app.url("/api/evaluation/templates/create"))
            .header("origin", app.base.clone())
            .header("cookie", format!("kouka_session={cookie}"))
            .form(&[("definition", definition)])
            .send()
    };
    let response = post("{\"name\": 3}".into()).await.expect("call");
    assert_eq!(response.status().as_u16(), 422);
    let error: AppError = response.json().await.expect("an AppError");
    assert!(
        matches!(
            error,
            AppError::Invalid {
                field: FormField::Template,
                problem: Problem::Unreadable { .. }
            }
        ),
        "{error:?}"
    );
    // A real one goes through, and answers its id.
    let starter = serde_json::to_string(&Template::starter()).unwrap();
    let response = post(starter).await.expect("call");
    assert!(response.status().is_success(), "{}", response.status());
    let id: String = response.json().await.expect("the id");
    assert!(
        kouka_app::domain::ids::TemplateId::parse(&id).is_some(),
        "{id}"
    );
    app.finish().await;
}

on_both_databases! {
    kept_checked_and_audited => super::templates_are_kept_checked_and_audited;
    not_a_template => super::a_template_that_is_not_one_is_refused_as_unreadable;
}
