//! The authorization matrix: every registered server function, called over HTTP by
//! anonymous, each role, and a system admin of another tenant, against objects of the own
//! and of another tenant, compared with the table below. A server function missing from
//! the table fails the test, so a new one cannot ship without a declared rule.

mod common;

use common::{
    TestApp, audit_count, insert_user, signed_in_user, spawn_app_with, tenant_with_admin,
};
use kouka_app::backend::db::{Db, DbKind};
use kouka_app::backend::secrets::ScopedSecret;
use kouka_app::domain::audit::AuditAction;
use kouka_app::domain::ids::{TenantId, UserId};
use kouka_app::domain::roles::Role;
use kouka_app::domain::time::Timestamp;
use kouka_app::error::AppError;
use std::collections::{BTreeMap, BTreeSet};

/// Who calls.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Caller {
    Anonymous,
    SystemAdmin,
    OrganizationAdmin,
    EvaluationAdmin,
    AuditAdmin,
    BusinessAdmin,
    General,
    /// A system admin of another tenant.
    OtherTenantAdmin,
}

const CALLERS: [Caller; 8] = [
    Caller::Anonymous,
    Caller::SystemAdmin,
    Caller::OrganizationAdmin,
    Caller::EvaluationAdmin,
    Caller::AuditAdmin,
    Caller::BusinessAdmin,
    Caller::General,
    Caller::OtherTenantAdmin,
];

/// Who may call a server function on objects of their own tenant.
#[derive(Clone, Copy, Debug)]
enum Rule {
    /// Anyone, signed in or not (it guards itself: login, links, reset).
    Public,
    /// Any signed-in user, on their own account.
    SignedIn,
    /// System admins only.
    SystemAdmin,
    /// System admins and organization admins (the organization subsystem).
    OrganizationAdmin,
    /// System admins and evaluation admins (the evaluation subsystem).
    EvaluationAdmin,
    /// Evaluation admins and business admins, who read the evaluation's setup.
    EvaluationReader,
}

/// What a function acts on.
#[derive(Clone, Copy, Debug)]
enum Object {
    /// Nothing but the caller's own tenant or account.
    None,
    /// One user, given as `id`.
    User,
    /// One department (version 1), given as `id`.
    Department,
    /// One sheet template (version 1), given as `id`.
    Template,
    /// One draft evaluation period (version 1), given as `id`.
    Period,
    /// One sheet of a running period (version 1) whose employee and evaluator are other
    /// users, given as `id`: the callers here are at most admins to it. What its employee
    /// and evaluators may do is `sheet_steps_follow_who_one_is_to_the_sheet`'s.
    Sheet,
}

struct Case {
    path: &'static str,
    rule: Rule,
    object: Object,
    /// Form fields besides `id`; `{n}` is replaced by a fresh number.
    fields: &'static [(&'static str, &'static str)],
}

const EMPLOYEE_FIELDS: &[(&str, &str)] = &[
    ("employee_code", "EC{n}"),
    ("display_name", "社員 {n}"),
    ("email", "employee{n}@a.example"),
    ("kana", ""),
    ("job_title", ""),
    ("grade", ""),
    ("employment_type", ""),
    ("hire_date", ""),
    ("department_code", ""),
    ("concurrent_codes", ""),
    ("manages_codes", ""),
    ("language", "ja"),
];

/// A valid template's JSON, named `{n}` so that each call's is new.
const STARTER_TEMPLATE: &str = "<the starter template, named anew>";
/// A period plan's JSON (readable, though it names no template), named anew.
const STARTER_PLAN: &str = "<a period plan, named anew>";
/// A well-formed id that names no sheet.
const NO_SUCH_SHEET: &str = "0190a000-0000-7000-8000-000000000000";
const THREE_EVALUATORS: &[(&str, &str)] = &[
    ("employee", "NOPE"),
    ("evaluator_1", ""),
    ("evaluator_2", ""),
    ("evaluator_3", ""),
];

/// The declared table: one row per server function.
const TABLE: &[Case] = &[
    Case {
        path: "/api/auth/me",
        rule: Rule::Public,
        object: Object::None,
        fields: &[],
    },
    Case {
        path: "/api/auth/login",
        rule: Rule::Public,
        object: Object::None,
        fields: &[
            ("company_code", "NOPE"),
            ("identifier", "x@example.jp"),
            ("password", "wrong password 1"),
        ],
    },
    Case {
        path: "/api/auth/link",
        rule: Rule::Public,
        object: Object::None,
        fields: &[("purpose", "Reset"), ("link", "not-a-link")],
    },
    Case {
        path: "/api/auth/set-password",
        rule: Rule::Public,
        object: Object::None,
        fields: &[
            ("purpose", "Reset"),
            ("link", "not-a-link"),
            ("password", "long enough passphrase"),
            ("password_confirm", "long enough passphrase"),
        ],
    },
    Case {
        path: "/api/auth/request-reset",
        rule: Rule::Public,
        object: Object::None,
        fields: &[("company_code", "NOPE"), ("email", "x@example.jp")],
    },
    Case {
        path: "/api/account/password",
        rule: Rule::SignedIn,
        object: Object::None,
        fields: &[
            ("current_password", "not the password"),
            ("new_password", "a new long passphrase"),
            ("new_password_confirm", "a new long passphrase"),
        ],
    },
    Case {
        path: "/api/account/update-profile",
        rule: Rule::SignedIn,
        object: Object::None,
        fields: &[("display_name", "名前 {n}"), ("language", "ja")],
    },
    Case {
        path: "/api/account/sessions",
        rule: Rule::SignedIn,
        object: Object::None,
        fields: &[],
    },
    Case {
        path: "/api/account/end-session",
        rule: Rule::SignedIn,
        object: Object::None,
        fields: &[("session", "no-such-session")],
    },
    Case {
        path: "/api/users/business-scope",
        rule: Rule::SystemAdmin,
        object: Object::User,
        fields: &[("department_codes", "")],
    },
    Case {
        path: "/api/users/list",
        rule: Rule::SystemAdmin,
        object: Object::None,
        fields: &[("query", ""), ("page", "1")],
    },
    Case {
        path: "/api/users/create",
        rule: Rule::SystemAdmin,
        object: Object::None,
        fields: &[
            ("email", "new{n}@a.example"),
            ("display_name", "新規 {n}"),
            ("employee_code", ""),
            ("language", "ja"),
        ],
    },
    Case {
        path: "/api/users/get",
        rule: Rule::SystemAdmin,
        object: Object::User,
        fields: &[],
    },
    Case {
        path: "/api/users/update",
        rule: Rule::SystemAdmin,
        object: Object::User,
        fields: &[
            ("email", "changed{n}@a.example"),
            ("display_name", "変更 {n}"),
            ("employee_code", ""),
            ("language", "en"),
        ],
    },
    Case {
        path: "/api/users/roles",
        rule: Rule::SystemAdmin,
        object: Object::User,
        fields: &[("audit_admin", "on")],
    },
    Case {
        path: "/api/users/active",
        rule: Rule::SystemAdmin,
        object: Object::User,
        fields: &[("active", "false")],
    },
    Case {
        path: "/api/users/delete",
        rule: Rule::SystemAdmin,
        object: Object::User,
        fields: &[],
    },
    Case {
        path: "/api/users/resend-invitation",
        rule: Rule::SystemAdmin,
        object: Object::User,
        fields: &[],
    },
    Case {
        path: "/api/users/sign-out-everywhere",
        rule: Rule::SystemAdmin,
        object: Object::User,
        fields: &[],
    },
    Case {
        path: "/api/org/chart",
        rule: Rule::SignedIn,
        object: Object::None,
        fields: &[],
    },
    Case {
        path: "/api/org/find",
        rule: Rule::SignedIn,
        object: Object::None,
        fields: &[("query", "D")],
    },
    Case {
        path: "/api/org/members",
        rule: Rule::SignedIn,
        object: Object::Department,
        fields: &[("page", "1")],
    },
    Case {
        path: "/api/org/create",
        rule: Rule::OrganizationAdmin,
        object: Object::None,
        fields: &[("parent_id", ""), ("code", "C{n}"), ("name", "新部署 {n}")],
    },
    Case {
        path: "/api/org/update",
        rule: Rule::OrganizationAdmin,
        object: Object::Department,
        fields: &[("version", "1"), ("code", "U{n}"), ("name", "改名 {n}")],
    },
    Case {
        path: "/api/org/move",
        rule: Rule::OrganizationAdmin,
        object: Object::Department,
        fields: &[("version", "1"), ("parent_id", ""), ("index", "0")],
    },
    Case {
        path: "/api/org/delete",
        rule: Rule::OrganizationAdmin,
        object: Object::Department,
        fields: &[("version", "1")],
    },
    Case {
        path: "/api/org/manager",
        rule: Rule::OrganizationAdmin,
        object: Object::Department,
        fields: &[("version", "1"), ("employee_code", "")],
    },
    Case {
        path: "/api/org/import-status",
        rule: Rule::OrganizationAdmin,
        object: Object::None,
        fields: &[("job", "no-such-job")],
    },
    Case {
        path: "/api/org/import-commit",
        rule: Rule::OrganizationAdmin,
        object: Object::None,
        fields: &[("job", "no-such-job")],
    },
    Case {
        path: "/api/employees/list",
        rule: Rule::SignedIn,
        object: Object::None,
        fields: &[("query", ""), ("page", "1")],
    },
    Case {
        path: "/api/employees/find",
        rule: Rule::SignedIn,
        object: Object::None,
        fields: &[("query", "E")],
    },
    Case {
        path: "/api/employees/labels",
        rule: Rule::OrganizationAdmin,
        object: Object::None,
        fields: &[],
    },
    Case {
        path: "/api/employees/get",
        rule: Rule::SignedIn,
        object: Object::User,
        fields: &[],
    },
    Case {
        path: "/api/employees/create",
        rule: Rule::OrganizationAdmin,
        object: Object::None,
        fields: EMPLOYEE_FIELDS,
    },
    Case {
        path: "/api/employees/update",
        rule: Rule::OrganizationAdmin,
        object: Object::User,
        fields: EMPLOYEE_FIELDS,
    },
    Case {
        path: "/api/mail/queue",
        rule: Rule::OrganizationAdmin,
        object: Object::None,
        fields: &[],
    },
    Case {
        path: "/api/evaluation/templates/list",
        rule: Rule::EvaluationReader,
        object: Object::None,
        fields: &[],
    },
    Case {
        path: "/api/evaluation/templates/get",
        rule: Rule::EvaluationReader,
        object: Object::Template,
        fields: &[],
    },
    Case {
        path: "/api/evaluation/templates/create",
        rule: Rule::EvaluationAdmin,
        object: Object::None,
        fields: &[("definition", STARTER_TEMPLATE)],
    },
    Case {
        path: "/api/evaluation/templates/update",
        rule: Rule::EvaluationAdmin,
        object: Object::Template,
        fields: &[("version", "1"), ("definition", STARTER_TEMPLATE)],
    },
    Case {
        path: "/api/evaluation/templates/copy",
        rule: Rule::EvaluationAdmin,
        object: Object::Template,
        fields: &[],
    },
    Case {
        path: "/api/evaluation/templates/delete",
        rule: Rule::EvaluationAdmin,
        object: Object::Template,
        fields: &[("version", "1")],
    },
    Case {
        path: "/api/evaluation/periods/list",
        rule: Rule::EvaluationReader,
        object: Object::None,
        fields: &[],
    },
    Case {
        path: "/api/evaluation/periods/get",
        rule: Rule::EvaluationReader,
        object: Object::Period,
        fields: &[],
    },
    Case {
        path: "/api/evaluation/periods/create",
        rule: Rule::EvaluationAdmin,
        object: Object::None,
        fields: &[
            ("name", "期間 {n}"),
            ("term_start", "2026-04-01"),
            ("term_end", "2026-09-30"),
            ("template", ""),
        ],
    },
    Case {
        path: "/api/evaluation/periods/update",
        rule: Rule::EvaluationAdmin,
        object: Object::Period,
        fields: &[
            ("version", "1"),
            ("definition", STARTER_PLAN),
            ("departments", ""),
            ("added", ""),
            ("excluded", ""),
        ],
    },
    Case {
        path: "/api/evaluation/periods/delete",
        rule: Rule::EvaluationAdmin,
        object: Object::Period,
        fields: &[("version", "1")],
    },
    Case {
        path: "/api/evaluation/periods/preview",
        rule: Rule::EvaluationReader,
        object: Object::Period,
        fields: &[],
    },
    Case {
        path: "/api/evaluation/periods/choose-evaluators",
        rule: Rule::EvaluationAdmin,
        object: Object::Period,
        fields: THREE_EVALUATORS,
    },
    Case {
        path: "/api/evaluation/periods/launch",
        rule: Rule::EvaluationAdmin,
        object: Object::Period,
        fields: &[],
    },
    Case {
        path: "/api/evaluation/periods/close",
        rule: Rule::EvaluationAdmin,
        object: Object::Period,
        fields: &[],
    },
    Case {
        path: "/api/evaluation/periods/phase",
        rule: Rule::EvaluationAdmin,
        object: Object::Period,
        fields: &[("phase", "goal_setting"), ("closed", "true")],
    },
    Case {
        path: "/api/evaluation/sheets/get",
        rule: Rule::EvaluationAdmin,
        object: Object::Sheet,
        fields: &[],
    },
    Case {
        path: "/api/evaluation/sheets/save-goals",
        rule: Rule::EvaluationAdmin,
        object: Object::Sheet,
        fields: &[("version", "1"), ("goals", "{}")],
    },
    Case {
        path: "/api/evaluation/sheets/save-work",
        rule: Rule::EvaluationAdmin,
        object: Object::Sheet,
        fields: &[("version", "1"), ("work", "{}")],
    },
    Case {
        path: "/api/evaluation/sheets/step",
        rule: Rule::EvaluationAdmin,
        object: Object::Sheet,
        fields: &[("version", "1"), ("step", "submit_goals"), ("comment", "")],
    },
    Case {
        path: "/api/evaluation/sheets/interview",
        rule: Rule::EvaluationAdmin,
        object: Object::Sheet,
        fields: &[("version", "1"), ("day", "2026-11-20")],
    },
    Case {
        path: "/api/evaluation/calibration/get",
        rule: Rule::EvaluationAdmin,
        object: Object::Period,
        fields: &[("department", ""), ("person_grade", ""), ("evaluator", "")],
    },
    Case {
        path: "/api/evaluation/calibration/adjust",
        rule: Rule::EvaluationAdmin,
        object: Object::Sheet,
        fields: &[("version", "1"), ("grade", "A"), ("reason", "理由")],
    },
    Case {
        path: "/api/evaluation/calibration/selection-step",
        rule: Rule::EvaluationAdmin,
        object: Object::Period,
        fields: &[
            ("department", ""),
            ("person_grade", ""),
            ("evaluator", ""),
            ("step", "finalize"),
        ],
    },
    Case {
        path: "/api/evaluation/progress/get",
        rule: Rule::SignedIn,
        object: Object::Period,
        fields: &[("department", "")],
    },
    Case {
        path: "/api/evaluation/progress/remind",
        rule: Rule::EvaluationReader,
        object: Object::Period,
        fields: &[("sheets", ""), ("copy_evaluators", "false")],
    },
    Case {
        path: "/api/evaluation/progress/reminders",
        rule: Rule::EvaluationAdmin,
        object: Object::Period,
        fields: &[
            ("version", "1"),
            ("days_before", "3"),
            ("on_the_day", "true"),
            ("escalate_after", "3"),
        ],
    },
    Case {
        path: "/api/evaluation/progress/pdfs",
        rule: Rule::EvaluationReader,
        object: Object::Period,
        fields: &[("department", "")],
    },
    Case {
        path: "/api/evaluation/progress/pdfs-job",
        rule: Rule::EvaluationReader,
        object: Object::Period,
        fields: &[],
    },
    Case {
        path: "/api/desk/needs",
        rule: Rule::SignedIn,
        object: Object::None,
        fields: &[],
    },
    Case {
        path: "/api/evaluation/sheets/mine",
        rule: Rule::SignedIn,
        object: Object::None,
        fields: &[],
    },
    Case {
        path: "/api/evaluation/periods/sheets",
        rule: Rule::EvaluationReader,
        object: Object::Period,
        fields: &[("query", ""), ("page", "0")],
    },
    Case {
        path: "/api/evaluation/periods/add-sheet",
        rule: Rule::EvaluationAdmin,
        object: Object::Period,
        fields: THREE_EVALUATORS,
    },
    Case {
        path: "/api/evaluation/periods/exclude",
        rule: Rule::EvaluationAdmin,
        object: Object::Period,
        fields: &[("sheet", NO_SUCH_SHEET), ("reason", "退職")],
    },
    Case {
        path: "/api/evaluation/periods/sheet-evaluators",
        rule: Rule::EvaluationAdmin,
        object: Object::Period,
        fields: &[
            ("sheet", NO_SUCH_SHEET),
            ("evaluator_1", ""),
            ("evaluator_2", ""),
            ("evaluator_3", ""),
        ],
    },
    Case {
        path: "/api/evaluation/periods/hand-over",
        rule: Rule::EvaluationAdmin,
        object: Object::Period,
        fields: &[("from", "NOPE"), ("to", "NOPE2")],
    },
    Case {
        path: "/api/evaluation/periods/extend",
        rule: Rule::EvaluationAdmin,
        object: Object::Period,
        fields: &[
            ("sheet", NO_SUCH_SHEET),
            ("phase", "goal_setting"),
            ("date", "2026-05-01"),
        ],
    },
    // Last: it ends the caller's session.
    Case {
        path: "/api/auth/logout",
        rule: Rule::Public,
        object: Object::None,
        fields: &[],
    },
];

/// How a call ended, as far as access goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Outcome {
    /// The function ran (success, or a refusal of the input itself).
    Ran,
    /// Unauthenticated or Forbidden.
    Refused,
    /// The object does not exist for this caller.
    NotFound,
}

struct World {
    app: TestApp,
    tenant_a: TenantId,
    tenant_b: TenantId,
    /// Session cookies by caller.
    cookies: BTreeMap<Caller, String>,
    /// A user of tenant B that nobody of tenant A may touch.
    victim: UserId,
    /// A department of tenant B that nobody of tenant A may touch.
    victim_department: String,
    /// A template of tenant B that nobody of tenant A may touch.
    victim_template: String,
    /// A draft period of tenant B that nobody of tenant A may touch.
    victim_period: String,
    /// A sheet of tenant B that nobody of tenant A may touch.
    victim_sheet: String,
    counter: std::cell::Cell<u32>,
}

async fn new_tenant(db: &Db, code: &str) -> (TenantId, ScopedSecret) {
    let (notice, session) = tenant_with_admin(db, code, 10_000, "青い空と白い雲の向こうへ").await;
    (notice.tenant_id, session)
}

/// Inserts a department (version 1); a fresh object for one call.
async fn insert_department(db: &Db, tenant: &TenantId, name: &str) -> String {
    let id = kouka_app::domain::ids::DepartmentId::generate();
    let now = Timestamp::now().as_micros();
    let mut tx = db.begin_for_tenant(tenant).await.expect("tx");
    sqlx::query(
        "INSERT INTO departments (tenant_id, id, code, name, sort_order, version, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, 10, 1, $5, $5)",
    )
    .bind(tenant.as_str())
    .bind(id.as_str())
    .bind(format!("D{}", &id.as_str()[24..]))
    .bind(name)
    .bind(now)
    .execute(&mut *tx)
    .await
    .expect("insert department");
    tx.commit().await.expect("commit");
    id.to_string()
}

/// Inserts a valid sheet template (version 1); a fresh object for one call.
async fn insert_template(db: &Db, tenant: &TenantId, name: &str) -> String {
    let id = kouka_app::domain::ids::TemplateId::generate();
    let now = Timestamp::now().as_micros();
    let definition = starter_named(name);
    let mut tx = db.begin_for_tenant(tenant).await.expect("tx");
    sqlx::query(
        "INSERT INTO evaluation_templates (tenant_id, id, name, definition, version, created_at, \
         updated_at) VALUES ($1, $2, $3, $4, 1, $5, $5)",
    )
    .bind(tenant.as_str())
    .bind(id.as_str())
    .bind(name)
    .bind(definition)
    .bind(now)
    .execute(&mut *tx)
    .await
    .expect("insert template");
    tx.commit().await.expect("commit");
    id.to_string()
}

/// A period plan's JSON under `name`, without a template.
fn plan_named(name: &str) -> String {
    use kouka_app::domain::dates::CalendarDate;
    use kouka_app::domain::evaluation::period::PeriodPlan;
    use kouka_app::domain::evaluation::scale::GradeThresholds;
    let plan = PeriodPlan::starter(
        name.to_owned(),
        CalendarDate::new(2026, 4, 1).unwrap(),
        CalendarDate::new(2026, 9, 30).unwrap(),
        None,
        &GradeThresholds::default(),
    );
    serde_json::to_string(&plan).expect("json")
}

/// Inserts a draft period (version 1); a fresh object for one call.
async fn insert_period(db: &Db, tenant: &TenantId, name: &str) -> String {
    let id = kouka_app::domain::ids::PeriodId::generate();
    let now = Timestamp::now().as_micros();
    let mut tx = db.begin_for_tenant(tenant).await.expect("tx");
    sqlx::query(
        "INSERT INTO evaluation_periods (tenant_id, id, name, state, definition, version, \
         created_at, updated_at) VALUES ($1, $2, $3, 'draft', $4, 1, $5, $5)",
    )
    .bind(tenant.as_str())
    .bind(id.as_str())
    .bind(name)
    .bind(plan_named(name))
    .bind(now)
    .execute(&mut *tx)
    .await
    .expect("insert period");
    tx.commit().await.expect("commit");
    id.to_string()
}

/// Inserts a running period named `name` (with the starter template's snapshot) and one
/// sheet in goal drafting whose employee and 1st evaluator are new users; answers the
/// sheet's id.
async fn insert_sheet(db: &Db, tenant: &TenantId, name: &str) -> String {
    let period = insert_period(db, tenant, name).await;
    let employee = insert_user(db, tenant, &[]).await;
    let evaluator = insert_user(db, tenant, &[]).await;
    let id = kouka_app::domain::ids::SheetId::generate();
    let now = Timestamp::now().as_micros();
    let mut tx = db.begin_for_tenant(tenant).await.expect("tx");
    sqlx::query(
        "UPDATE evaluation_periods SET state = 'running', template_snapshot = $1,          launched_at = $2 WHERE tenant_id = $3 AND id = $4",
    )
    .bind(starter_named("標準"))
    .bind(now)
    .bind(tenant.as_str())
    .bind(&period)
    .execute(&mut *tx)
    .await
    .expect("run the period");
    sqlx::query(
        "INSERT INTO evaluation_sheets (tenant_id, id, period_id, employee_id, state,          evaluator_1, created_at, updated_at) VALUES ($1, $2, $3, $4, 'goal_drafting', $5, $6, $6)",
    )
    .bind(tenant.as_str())
    .bind(id.as_str())
    .bind(&period)
    .bind(employee.as_str())
    .bind(evaluator.as_str())
    .bind(now)
    .execute(&mut *tx)
    .await
    .expect("insert sheet");
    tx.commit().await.expect("commit");
    id.to_string()
}

/// The starter template's JSON under `name`.
fn starter_named(name: &str) -> String {
    use kouka_app::domain::evaluation::template::Template;
    let mut template = Template::starter();
    template.name = name.to_owned();
    serde_json::to_string(&template).expect("json")
}

async fn world(kind: DbKind) -> Option<World> {
    // Many public calls from one address: lift the per-IP limit for this test.
    let app = spawn_app_with(kind, |c| c.auth_rate_limit = 100_000).await?;
    let db = app.db.clone();
    let (tenant_a, admin_a) = new_tenant(&db, "MATRIXA").await;
    let (tenant_b, admin_b) = new_tenant(&db, "MATRIXB").await;
    let mut cookies = BTreeMap::new();
    cookies.insert(Caller::SystemAdmin, admin_a.encode());
    cookies.insert(Caller::OtherTenantAdmin, admin_b.encode());
    for (caller, role) in [
        (Caller::OrganizationAdmin, Some(Role::OrganizationAdmin)),
        (Caller::EvaluationAdmin, Some(Role::EvaluationAdmin)),
        (Caller::AuditAdmin, Some(Role::AuditAdmin)),
        (Caller::BusinessAdmin, Some(Role::BusinessAdmin)),
        (Caller::General, None),
    ] {
        let roles: Vec<Role> = role.into_iter().collect();
        cookies.insert(caller, signed_in_user(&db, &tenant_a, &roles).await);
    }
    let victim = insert_user(&db, &tenant_b, &[]).await;
    let victim_department = insert_department(&db, &tenant_b, "対象 部署").await;
    let victim_template = insert_template(&db, &tenant_b, "対象 テンプレート").await;
    let victim_period = insert_period(&db, &tenant_b, "対象 期間").await;
    let victim_sheet = insert_sheet(&db, &tenant_b, "対象 シートの期間").await;
    Some(World {
        app,
        tenant_a,
        tenant_b,
        cookies,
        victim,
        victim_department,
        victim_template,
        victim_period,
        victim_sheet,
        counter: std::cell::Cell::new(0),
    })
}

impl World {
    async fn call(&self, caller: Caller, case: &Case, object: Option<&str>) -> Outcome {
        let n = self.counter.get() + 1;
        self.counter.set(n);
        let mut form: Vec<(String, String)> = case
            .fields
            .iter()
            .map(|(k, v)| {
                let value = if *v == STARTER_TEMPLATE {
                    starter_named(&format!("テンプレート {n}"))
                } else if *v == STARTER_PLAN {
                    plan_named(&format!("期間 {n}"))
                } else {
                    v.replace("{n}", &n.to_string())
                };
                (k.to_string(), value)
            })
            .collect();
        if let Some(id) = object {
            form.push(("id".into(), id.to_string()));
        }
        let mut request = self
            .app
            .client
            .post(self.app.url(case.path))
            .header("origin", self.app.base.clone())
            .form(&form);
        if let Some(cookie) = self.cookies.get(&caller) {
            request = request.header("cookie", format!("kouka_session={cookie}"));
        }
        let response = request.send().await.expect("call");
        let status = response.status();
        let body = response.bytes().await.expect("body");
        if status.is_success() {
            return Outcome::Ran;
        }
        let error: AppError = serde_json::from_slice(&body).unwrap_or_else(|_| {
            panic!(
                "{} as {caller:?}: {status} {}",
                case.path,
                String::from_utf8_lossy(&body)
            )
        });
        assert_eq!(
            status.as_u16(),
            error.status(),
            "{}: the status matches the error",
            case.path
        );
        match error {
            AppError::Unauthenticated | AppError::Forbidden => Outcome::Refused,
            AppError::NotFound => Outcome::NotFound,
            AppError::Internal => panic!("{} as {caller:?}: internal error", case.path),
            _ => Outcome::Ran,
        }
    }
}

fn allowed(rule: Rule, caller: Caller) -> bool {
    match rule {
        Rule::Public => true,
        Rule::SignedIn => caller != Caller::Anonymous,
        Rule::SystemAdmin => matches!(caller, Caller::SystemAdmin | Caller::OtherTenantAdmin),
        Rule::OrganizationAdmin => matches!(
            caller,
            Caller::SystemAdmin | Caller::OrganizationAdmin | Caller::OtherTenantAdmin
        ),
        Rule::EvaluationAdmin => matches!(
            caller,
            Caller::SystemAdmin | Caller::EvaluationAdmin | Caller::OtherTenantAdmin
        ),
        Rule::EvaluationReader => matches!(
            caller,
            Caller::SystemAdmin
                | Caller::EvaluationAdmin
                | Caller::BusinessAdmin
                | Caller::OtherTenantAdmin
        ),
    }
}

async fn every_server_function_obeys_the_table(kind: DbKind) {
    // Every registered server function has a row, and every row a function.
    let registered: BTreeSet<String> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _)| path.to_owned())
        .collect();
    let declared: BTreeSet<String> = TABLE.iter().map(|c| c.path.to_owned()).collect();
    let missing: Vec<_> = registered.difference(&declared).collect();
    assert!(
        missing.is_empty(),
        "server functions without a row in the authorization table: {missing:?}"
    );
    let stale: Vec<_> = declared.difference(&registered).collect();
    assert!(
        stale.is_empty(),
        "rows for server functions that do not exist: {stale:?}"
    );

    let Some(world) = world(kind).await else {
        return;
    };
    let db = world.app.db.clone();
    let mut refusals_by_signed_in_users_of_a = 0;
    for case in TABLE {
        for caller in CALLERS {
            // Own tenant: a fresh user of tenant A for each call (some calls delete it).
            let own = match case.object {
                Object::User => Some(insert_user(&db, &world.tenant_a, &[]).await.to_string()),
                Object::Department => {
                    Some(insert_department(&db, &world.tenant_a, "自社 部署").await)
                }
                Object::Template => {
                    let n = world.counter.get();
                    Some(
                        insert_template(&db, &world.tenant_a, &format!("自社 テンプレート {n}"))
                            .await,
                    )
                }
                Object::Period => {
                    let n = world.counter.get();
                    Some(insert_period(&db, &world.tenant_a, &format!("自社 期間 {n}")).await)
                }
                Object::Sheet => {
                    let n = world.counter.get();
                    Some(insert_sheet(&db, &world.tenant_a, &format!("自社 シート {n}")).await)
                }
                Object::None => None,
            };
            let outcome = world.call(caller, case, own.as_deref()).await;
            match (allowed(case.rule, caller), caller, case.object) {
                // Another tenant's admin asking for an object of A: it does not exist for them.
                (
                    true,
                    Caller::OtherTenantAdmin,
                    Object::User
                    | Object::Department
                    | Object::Template
                    | Object::Period
                    | Object::Sheet,
                ) => {
                    assert_eq!(outcome, Outcome::NotFound, "{} as {caller:?}", case.path)
                }
                (
                    true,
                    _,
                    Object::User
                    | Object::Department
                    | Object::Template
                    | Object::Period
                    | Object::Sheet,
                ) => {
                    assert_eq!(outcome, Outcome::Ran, "{} as {caller:?}", case.path)
                }
                // Allowed, on one's own things: it runs (an unknown session id is simply not found).
                (true, _, Object::None) => {
                    assert_ne!(outcome, Outcome::Refused, "{} as {caller:?}", case.path)
                }
                (false, ..) => assert_eq!(outcome, Outcome::Refused, "{} as {caller:?}", case.path),
            }
            if outcome == Outcome::Refused
                && caller != Caller::Anonymous
                && caller != Caller::OtherTenantAdmin
            {
                refusals_by_signed_in_users_of_a += 1;
            }

            // Another tenant's object: never runs, whoever asks.
            let victim = match case.object {
                Object::User => Some(world.victim.to_string()),
                Object::Department => Some(world.victim_department.clone()),
                Object::Template => Some(world.victim_template.clone()),
                Object::Period => Some(world.victim_period.clone()),
                Object::Sheet => Some(world.victim_sheet.clone()),
                Object::None => None,
            };
            if let (Some(victim), true) = (victim, caller != Caller::OtherTenantAdmin) {
                let outcome = world.call(caller, case, Some(&victim)).await;
                assert_ne!(
                    outcome,
                    Outcome::Ran,
                    "{} as {caller:?} on another tenant's user",
                    case.path
                );
                if outcome == Outcome::Refused && caller != Caller::Anonymous {
                    refusals_by_signed_in_users_of_a += 1;
                }
            }
        }
    }

    // The victim in tenant B is untouched.
    let mut tx = db.begin_for_tenant(&world.tenant_b).await.expect("tx");
    let (status, name): (String, String) =
        sqlx::query_as("SELECT status, display_name FROM users WHERE tenant_id = $1 AND id = $2")
            .bind(world.tenant_b.as_str())
            .bind(world.victim.as_str())
            .fetch_one(&mut *tx)
            .await
            .expect("victim still exists");
    assert_eq!(
        (status.as_str(), name.as_str()),
        ("invited", "対象 ユーザー")
    );
    let roles: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM user_roles WHERE tenant_id = $1 AND user_id = $2")
            .bind(world.tenant_b.as_str())
            .bind(world.victim.as_str())
            .fetch_one(&mut *tx)
            .await
            .expect("roles");
    assert_eq!(roles, 0);
    let (name, version): (String, i64) =
        sqlx::query_as("SELECT name, version FROM departments WHERE tenant_id = $1 AND id = $2")
            .bind(world.tenant_b.as_str())
            .bind(&world.victim_department)
            .fetch_one(&mut *tx)
            .await
            .expect("the victim department still exists");
    assert_eq!((name.as_str(), version), ("対象 部署", 1));
    let (name, version): (String, i64) = sqlx::query_as(
        "SELECT name, version FROM evaluation_templates WHERE tenant_id = $1 AND id = $2",
    )
    .bind(world.tenant_b.as_str())
    .bind(&world.victim_template)
    .fetch_one(&mut *tx)
    .await
    .expect("the victim template still exists");
    assert_eq!((name.as_str(), version), ("対象 テンプレート", 1));
    let (name, state, version): (String, String, i64) = sqlx::query_as(
        "SELECT name, state, version FROM evaluation_periods WHERE tenant_id = $1 AND id = $2",
    )
    .bind(world.tenant_b.as_str())
    .bind(&world.victim_period)
    .fetch_one(&mut *tx)
    .await
    .expect("the victim period still exists");
    assert_eq!(
        (name.as_str(), state.as_str(), version),
        ("対象 期間", "draft", 1)
    );
    let (state, version, content): (String, i64, String) = sqlx::query_as(
        "SELECT state, version, content FROM evaluation_sheets WHERE tenant_id = $1 AND id = $2",
    )
    .bind(world.tenant_b.as_str())
    .bind(&world.victim_sheet)
    .fetch_one(&mut *tx)
    .await
    .expect("the victim sheet still exists");
    assert_eq!(
        (state.as_str(), version, content.as_str()),
        ("goal_drafting", 1, "{}")
    );
    tx.commit().await.expect("commit");

    // Refusals are audit events.
    let denied = audit_count(&db, &world.tenant_a, AuditAction::AccessDenied, None).await;
    assert_eq!(
        denied, refusals_by_signed_in_users_of_a,
        "one audit row per refusal"
    );
    assert!(denied > 0);
    world.app.finish().await;
}

/// The organization's plain routes (upload, downloads, live stream): who may call each.
fn route_rule(path: &str) -> Rule {
    match path {
        "/api/org/events" => Rule::SignedIn,
        "/api/org/import"
        | "/api/org/import/{job}/problems.csv"
        | "/api/org/export"
        | "/api/org/template" => Rule::OrganizationAdmin,
        "/api/evaluation/periods/{id}/evaluators"
        | "/api/evaluation/periods/{id}/evaluators.csv" => Rule::EvaluationAdmin,
        "/api/evaluation/periods/{id}/results.csv"
        | "/api/evaluation/periods/{id}/ratings.csv"
        | "/api/evaluation/pdf-jobs/{file}" => Rule::EvaluationReader,
        // Whoever may open the sheet; a sheet nobody is anything to is not found.
        "/api/evaluation/sheets/{file}" => Rule::SignedIn,
        other => panic!("no rule declared for the route {other}: add it here"),
    }
}

async fn every_plain_route_obeys_its_rule(kind: DbKind) {
    let Some(world) = world(kind).await else {
        return;
    };
    for (method, path) in kouka_app::api::org_http::routes() {
        let url = match path {
            "/api/org/import" => "/api/org/import?kind=departments&invite=false".to_owned(),
            "/api/org/import/{job}/problems.csv" => {
                "/api/org/import/no-such-job/problems.csv".to_owned()
            }
            "/api/org/export" => "/api/org/export?kind=employees&encoding=utf8".to_owned(),
            "/api/org/template" => "/api/org/template?kind=departments".to_owned(),
            // A period of nobody's: allowed callers learn only that it does not exist.
            "/api/evaluation/periods/{id}/evaluators" => {
                format!("/api/evaluation/periods/{NO_SUCH_SHEET}/evaluators")
            }
            "/api/evaluation/periods/{id}/evaluators.csv" => {
                format!("/api/evaluation/periods/{NO_SUCH_SHEET}/evaluators.csv")
            }
            "/api/evaluation/periods/{id}/results.csv" => {
                format!("/api/evaluation/periods/{NO_SUCH_SHEET}/results.csv")
            }
            "/api/evaluation/periods/{id}/ratings.csv" => {
                format!("/api/evaluation/periods/{NO_SUCH_SHEET}/ratings.csv")
            }
            "/api/evaluation/sheets/{file}" => {
                format!("/api/evaluation/sheets/{NO_SUCH_SHEET}.pdf")
            }
            "/api/evaluation/pdf-jobs/{file}" => "/api/evaluation/pdf-jobs/nothing.zip".to_owned(),
            other => other.to_owned(),
        };
        for caller in CALLERS {
            let mut request = match method {
                http::Method::POST => world
                    .app
                    .client
                    .post(world.app.url(&url))
                    .header("origin", world.app.base.clone())
                    .body("部署コード,部署名\r\nX1,部署\r\n"),
                _ => world.app.client.get(world.app.url(&url)),
            };
            if let Some(cookie) = world.cookies.get(&caller) {
                request = request.header("cookie", format!("kouka_session={cookie}"));
            }
            let response = request.send().await.expect("call");
            let status = response.status().as_u16();
            let expected: &[u16] = match (allowed(route_rule(path), caller), caller) {
                (false, Caller::Anonymous) => &[401],
                (false, _) => &[403],
                // An unknown job is simply not found, as a plain text message.
                (true, _)
                    if path.contains("{job}")
                        || path.contains("{id}")
                        || path.contains("{file}") =>
                {
                    &[404]
                }
                (true, _) => &[200],
            };
            assert!(
                expected.contains(&status),
                "{method} {path} as {caller:?}: {status}, expected {expected:?}"
            );
            if path.contains("{job}") && status == 404 {
                let content_type = response.headers()["content-type"]
                    .to_str()
                    .unwrap_or_default()
                    .to_owned();
                assert!(
                    content_type.starts_with("text/plain"),
                    "the route exists: {content_type}"
                );
            }
        }
    }
    world.app.finish().await;
}

/// The roles a caller of tenant A holds.
fn roles_of(caller: Caller) -> &'static [Role] {
    match caller {
        Caller::SystemAdmin => &[Role::SystemAdmin],
        Caller::OrganizationAdmin => &[Role::OrganizationAdmin],
        Caller::EvaluationAdmin => &[Role::EvaluationAdmin],
        Caller::AuditAdmin => &[Role::AuditAdmin],
        Caller::BusinessAdmin => &[Role::BusinessAdmin],
        Caller::General | Caller::Anonymous | Caller::OtherTenantAdmin => &[],
    }
}

/// The login e-mail (where password resets go) changed by each role of tenant A, against a
/// user holding each role, through every path that writes it: the user form, the employee
/// form and the employees CSV import. Only a system admin changes it, and only for a user
/// holding no role the admin lacks; the old address is told.
async fn login_emails_change_only_by_system_admins_and_never_upwards(kind: DbKind) {
    let Some(world) = world(kind).await else {
        return;
    };
    let db = world.app.db.clone();
    let targets: Vec<Vec<Role>> = std::iter::once(Vec::new())
        .chain(Role::ALL.into_iter().map(|role| vec![role]))
        .collect();
    let actors = [
        Caller::SystemAdmin,
        Caller::OrganizationAdmin,
        Caller::EvaluationAdmin,
        Caller::AuditAdmin,
        Caller::BusinessAdmin,
        Caller::General,
    ];
    for path in ["users/update", "employees/update", "import"] {
        for actor in actors {
            for target_roles in &targets {
                let target = insert_user(&db, &world.tenant_a, target_roles).await;
                let old = format!("{}@users.example", target.as_str());
                let n = world.counter.get() + 1;
                world.counter.set(n);
                let code = format!("EM{n}");
                let new = format!("moved{n}@elsewhere.example");
                let cookie = format!("kouka_session={}", world.cookies[&actor]);
                let request = match path {
                    "import" => {
                        // The account first gets its employee code (no change of sign-in),
                        // then a row with that code moves it to another address.
                        set_employee_code(&db, &world.tenant_a, &target, &code).await;
                        world
                            .app
                            .client
                            .post(world.app.url("/api/org/import?kind=employees&invite=false"))
                            .body(format!(
                                "社員番号,氏名,メールアドレス\r\n{code},対象 ユーザー,{new}\r\n"
                            ))
                    }
                    _ => {
                        let mut form: Vec<(&str, String)> = vec![
                            ("id", target.to_string()),
                            ("email", new.clone()),
                            ("display_name", "対象 ユーザー".into()),
                            ("employee_code", code.clone()),
                            ("language", "ja".into()),
                        ];
                        if path == "employees/update" {
                            for field in [
                                "kana",
                                "job_title",
                                "grade",
                                "employment_type",
                                "hire_date",
                                "department_code",
                                "concurrent_codes",
                                "manages_codes",
                            ] {
                                form.push((field, String::new()));
                            }
                        }
                        world
                            .app
                            .client
                            .post(world.app.url(&format!("/api/{path}")))
                            .form(&form)
                    }
                };
                let response = request
                    .header("origin", world.app.base.clone())
                    .header("cookie", cookie.clone())
                    .send()
                    .await
                    .expect("call");
                assert!(
                    !response.status().is_server_error(),
                    "{path} by {actor:?}: {}",
                    response.status()
                );
                if path == "import" && response.status().is_success() {
                    let job: serde_json::Value = response.json().await.expect("job");
                    let job = job["job"].as_str().expect("job id").to_owned();
                    world
                        .app
                        .commit_import_if_clean(&world.cookies[&actor], &job)
                        .await;
                }
                let may = actor == Caller::SystemAdmin
                    && target_roles.iter().all(|r| roles_of(actor).contains(r));
                let mut tx = db.begin_for_tenant(&world.tenant_a).await.expect("tx");
                let email: String =
                    sqlx::query_scalar("SELECT email FROM users WHERE tenant_id = $1 AND id = $2")
                        .bind(world.tenant_a.as_str())
                        .bind(target.as_str())
                        .fetch_one(&mut *tx)
                        .await
                        .expect("target");
                let told: i64 = sqlx::query_scalar(
                    "SELECT COUNT(*) FROM mail_outbox WHERE tenant_id = $1 AND to_address = $2 \
                     AND subject LIKE $3",
                )
                .bind(world.tenant_a.as_str())
                .bind(&old)
                .bind("%ログイン用メールアドレスの変更%")
                .fetch_one(&mut *tx)
                .await
                .expect("mail");
                tx.commit().await.expect("commit");
                let expected = if may { &new } else { &old };
                assert_eq!(
                    &email, expected,
                    "{path} by {actor:?} on a user with {target_roles:?}"
                );
                assert_eq!(
                    told,
                    i64::from(may),
                    "{path} by {actor:?}: the old address is told"
                );
            }
        }
    }
    world.app.finish().await;
}

async fn set_employee_code(db: &Db, tenant: &TenantId, user: &UserId, code: &str) {
    let mut tx = db.begin_write_for_tenant(tenant).await.expect("tx");
    sqlx::query("UPDATE users SET employee_code = $1 WHERE tenant_id = $2 AND id = $3")
        .bind(code)
        .bind(tenant.as_str())
        .bind(user.as_str())
        .execute(&mut *tx)
        .await
        .expect("code");
    tx.commit().await.expect("commit");
}

on_both_databases! {
    login_emails_change_only_by_system_admins_and_never_upwards => super::login_emails_change_only_by_system_admins_and_never_upwards;
    every_server_function_obeys_the_table => super::every_server_function_obeys_the_table;
    every_plain_route_obeys_its_rule => super::every_plain_route_obeys_its_rule;
    sheet_steps_follow_who_one_is_to_the_sheet => super::sheet_steps_follow_who_one_is_to_the_sheet;
}

/// The sheet functions for each relation to one sheet — its employee, its 1st and 2nd
/// evaluators, a colleague who is nothing to it, another tenant's admin, nobody signed
/// in — by the HTTP status each call gets: the employee saves and submits goals, the
/// evaluators may read but not write them now (422: not their step), the colleague is
/// refused (403), the other tenant does not find the sheet (404); none but an evaluation
/// admin changes its grade in calibration.
async fn sheet_steps_follow_who_one_is_to_the_sheet(kind: DbKind) {
    let Some(app) = spawn_app_with(kind, |c| c.auth_rate_limit = 100_000).await else {
        return;
    };
    let db = app.db.clone();
    let (tenant, _) = new_tenant(&db, "RELATION").await;
    let (_, other_admin) = new_tenant(&db, "ELSEWHERE").await;
    let mut cookies = BTreeMap::new();
    let mut ids = BTreeMap::new();
    for who in ["owner", "first", "second", "colleague"] {
        let cookie = signed_in_user(&db, &tenant, &[]).await;
        let secret = ScopedSecret::parse(&cookie).expect("cookie");
        let user = kouka_app::backend::sessions::resolve(&db, &secret, Timestamp::now())
            .await
            .expect("resolve")
            .expect("alive");
        ids.insert(who, user.subject.user.clone());
        cookies.insert(who, cookie);
    }
    cookies.insert("other tenant", other_admin.encode());
    let sheet = insert_sheet(&db, &tenant, "関係の期間").await;
    {
        let mut tx = db.begin_for_tenant(&tenant).await.expect("tx");
        sqlx::query(
            "UPDATE evaluation_sheets SET employee_id = $1, evaluator_1 = $2, evaluator_2 = $3 \
             WHERE tenant_id = $4 AND id = $5",
        )
        .bind(ids["owner"].as_str())
        .bind(ids["first"].as_str())
        .bind(ids["second"].as_str())
        .bind(tenant.as_str())
        .bind(&sheet)
        .execute(&mut *tx)
        .await
        .expect("the sheet's people");
        tx.commit().await.expect("commit");
    }
    let call = |who: &'static str, path: &'static str, fields: Vec<(&'static str, String)>| {
        let mut form = fields;
        form.push(("id", sheet.clone()));
        let mut request = app
            .client
            .post(app.url(path))
            .header("origin", app.base.clone())
            .form(&form);
        if let Some(cookie) = cookies.get(who) {
            request = request.header("cookie", format!("kouka_session={cookie}"));
        }
        async move { request.send().await.expect("call").status().as_u16() }
    };
    let goals =
        r#"{"0":[{"title":"売上","description":"","measure":"","weight":"100","due":null}]}"#;
    let save = || vec![("version", "1".to_owned()), ("goals", goals.to_owned())];
    let submit = || {
        vec![
            ("version", "2".to_owned()),
            ("step", "submit_goals".to_owned()),
            ("comment", String::new()),
        ]
    };
    for (who, get, save_goals, submit_goals) in [
        ("nobody", 401, 401, 401),
        ("other tenant", 404, 404, 404),
        ("colleague", 403, 403, 403),
        ("first", 200, 422, 422),
        ("second", 200, 422, 422),
        ("owner", 200, 200, 200),
    ] {
        assert_eq!(
            call(who, "/api/evaluation/sheets/get", vec![]).await,
            get,
            "{who}: get"
        );
        assert_eq!(
            call(who, "/api/evaluation/sheets/save-goals", save()).await,
            save_goals,
            "{who}: save goals"
        );
        assert_eq!(
            call(who, "/api/evaluation/sheets/step", submit()).await,
            submit_goals,
            "{who}: submit goals"
        );
        // Calibration is the evaluation admins' alone, whoever one is to the sheet (the
        // other tenant's admin is one of theirs, and does not find this sheet).
        let adjust = vec![
            ("version", "1".to_owned()),
            ("grade", "S".to_owned()),
            ("reason", "理由".to_owned()),
        ];
        let refused = match who {
            "nobody" => 401,
            "other tenant" => 404,
            _ => 403,
        };
        assert_eq!(
            call(who, "/api/evaluation/calibration/adjust", adjust).await,
            refused,
            "{who}: adjust the grade"
        );
    }
    app.finish().await;
}
