//! Employees (PRODUCT §3): users with HR fields and posts. One writer,
//! [`write_employees`], stores employees for the admin form (one at a time) and for the CSV
//! import (100,000 at once) alike: users, posts, invitations and audit rows, in the caller's
//! transaction, in batches.

use crate::backend::audit;
use crate::backend::db::{Db, TextSearch, UserFilter, Value, insert_many, placeholders};
use crate::backend::org::{self, bump_revision};
use crate::backend::org_events::OrgChange;
use crate::backend::users;
use crate::backend::write::WriteContext;
use crate::domain::account_status::AccountStatus;
use crate::domain::audit::AuditAction;
use crate::domain::choice::{CHOICES_SHOWN, Choice};
use crate::domain::codes::{DepartmentCode, EmployeeCode, split_code_list};
use crate::domain::dates::CalendarDate;
use crate::domain::email::Email;
use crate::domain::employees::{
    EmployeeDetails, EmployeeList, EmployeeListItem, EmployeeView, LabelsInUse, Managers, PostView,
    parse_kana, parse_label, parse_name, reporting_line,
};
use crate::domain::form_field::FormField;
use crate::domain::ids::{DepartmentId, TenantId, UserId};
use crate::domain::org_chart::PersonRef;
use crate::domain::org_import::{EmployeeRecord, EmployeeWrite};
use crate::domain::posts::{Holder, ManagerSeats, PostSpec, posts_from};
use crate::domain::problem::Problem;
use crate::error::AppError;
use crate::i18n::Lang;
use sqlx::{Any, Transaction};
use std::collections::HashMap;

pub const PER_PAGE: i64 = 50;

/// Rows written per round; progress is reported after each.
const CHUNK: usize = 1000;

/// How a batch of employees is written.
pub struct WriteOptions<'a> {
    /// Invite new employees, with links under this base URL; `None`: do not invite (an admin
    /// can send the invitation later from the user's page).
    pub invite_base_url: Option<&'a str>,
    /// The language of new employees' accounts and mails.
    pub language: &'a str,
    /// The audit action of each row, e.g. `employee.create` or `employee.import`.
    pub action: AuditAction,
    /// Department codes, for readable audit rows.
    pub department_codes: &'a HashMap<DepartmentId, String>,
}

fn audit_snapshot(
    record: &EmployeeRecord,
    posts: &[PostSpec],
    codes: &HashMap<DepartmentId, String>,
) -> serde_json::Value {
    let posts: Vec<serde_json::Value> = posts
        .iter()
        .map(|post| {
            serde_json::json!({
                "department": codes.get(&post.department).cloned().unwrap_or_else(|| post.department.to_string()),
                "primary": post.primary,
                "manager": post.manager,
            })
        })
        .collect();
    serde_json::json!({
        "employee_code": record.employee_code,
        "display_name": record.display_name,
        "email": record.email,
        "kana": record.kana,
        "job_title": record.job_title,
        "grade": record.grade,
        "employment_type": record.employment_type,
        "hire_date": record.hire_date,
        "posts": posts,
    })
}

/// Stores `writes` in `tx`: new users (invited unless told not to), changed fields, replaced
/// posts, and one audit row each. Returns how many invitations were queued.
#[tracing::instrument(skip_all)]
pub async fn write_employees(
    w: &WriteContext<'_>,
    tx: &mut Transaction<'static, Any>,
    writes: &[EmployeeWrite],
    options: &WriteOptions<'_>,
    progress: &mut (dyn FnMut(usize) + Send),
) -> Result<usize, AppError> {
    let tenant = w.tenant();
    let now = w.now;
    let micros = now.as_micros();
    // All old posts go first: a department's manager may move from one row to another, and
    // the one-manager index must never see both.
    let replaced: Vec<&UserId> = writes
        .iter()
        .filter(|w| !w.is_new() && w.posts_changed())
        .map(|w| &w.id)
        .collect();
    for chunk in replaced.chunks(CHUNK) {
        let sql = format!(
            "DELETE FROM posts WHERE tenant_id = $1 AND user_id IN ({})",
            placeholders(1, chunk.len())
        );
        let mut query = sqlx::query(&sql).bind(tenant.as_str());
        for id in chunk {
            query = query.bind(id.as_str());
        }
        query.execute(&mut **tx).await?;
    }

    let mut invitations = 0;
    for (round, chunk) in writes.chunks(CHUNK).enumerate() {
        let new_users: Vec<crate::backend::db::NamedRow> = chunk
            .iter()
            .filter(|w| w.is_new())
            .map(|w| {
                let r = &w.record;
                vec![
                    ("tenant_id", Value::from(tenant.as_str())),
                    ("id", Value::from(w.id.as_str())),
                    ("email", Value::from(r.email.clone())),
                    ("display_name", Value::from(r.display_name.clone())),
                    ("language", Value::from(options.language)),
                    ("status", Value::from(AccountStatus::Invited.as_str())),
                    ("created_at", Value::from(micros)),
                    ("updated_at", Value::from(micros)),
                    ("employee_code", Value::from(r.employee_code.clone())),
                    ("kana", Value::from(r.kana.clone())),
                    ("job_title", Value::from(r.job_title.clone())),
                    ("grade", Value::from(r.grade.clone())),
                    ("employment_type", Value::from(r.employment_type.clone())),
                    ("hire_date", Value::from(r.hire_date.map(CalendarDate::iso))),
                ]
            })
            .collect();
        insert_many(tx, "users", new_users)
            .await
            .map_err(users::taken)?;
        for write in chunk.iter().filter(|w| !w.is_new() && w.record_changed()) {
            let r = &write.record;
            sqlx::query(
                "UPDATE users SET email = $1, display_name = $2, employee_code = $3, kana = $4, \
                 job_title = $5, grade = $6, employment_type = $7, hire_date = $8, updated_at = $9 \
                 WHERE tenant_id = $10 AND id = $11",
            )
            .bind(&r.email)
            .bind(&r.display_name)
            .bind(&r.employee_code)
            .bind(&r.kana)
            .bind(&r.job_title)
            .bind(&r.grade)
            .bind(&r.employment_type)
            .bind(r.hire_date.map(CalendarDate::iso))
            .bind(micros)
            .bind(tenant.as_str())
            .bind(write.id.as_str())
            .execute(&mut **tx)
            .await
            .map_err(users::taken)?;
        }
        let posts: Vec<crate::backend::db::NamedRow> = chunk
            .iter()
            .filter(|w| w.posts_changed())
            .flat_map(|w| {
                w.posts.iter().map(|post| {
                    vec![
                        ("tenant_id", Value::from(tenant.as_str())),
                        ("user_id", Value::from(w.id.as_str())),
                        ("department_id", Value::from(post.department.as_str())),
                        ("is_primary", Value::from(i64::from(post.primary))),
                        ("is_manager", Value::from(i64::from(post.manager))),
                        ("created_at", Value::from(micros)),
                    ]
                })
            })
            .collect();
        insert_many(tx, "posts", posts).await?;
        if let Some(base_url) = options.invite_base_url {
            let invited: Vec<(UserId, Email, String)> = chunk
                .iter()
                .filter(|w| w.is_new())
                .map(|w| {
                    (
                        w.id.clone(),
                        Email::from_stored(w.record.email.clone()),
                        w.record.display_name.clone(),
                    )
                })
                .collect();
            invitations += invited.len();
            users::invite_new_users(tx, tenant, &invited, base_url, now).await?;
        }
        let entries = chunk
            .iter()
            .map(|write| {
                w.audit_entry(
                    options.action,
                    "user",
                    write.id.as_str(),
                    write
                        .before
                        .as_ref()
                        .map(|(r, p)| audit_snapshot(r, p, options.department_codes)),
                    Some(audit_snapshot(
                        &write.record,
                        &write.posts,
                        options.department_codes,
                    )),
                )
            })
            .collect();
        let moved: Vec<(Email, Email, String)> = chunk
            .iter()
            .filter_map(|w| {
                let (before, _) = w.before.as_ref()?;
                (before.email != w.record.email).then(|| {
                    (
                        Email::from_stored(before.email.clone()),
                        Email::from_stored(w.record.email.clone()),
                        before.display_name.clone(),
                    )
                })
            })
            .collect();
        users::tell_old_addresses(tx, tenant, &moved, now).await?;
        audit::record_many(tx, entries).await?;
        progress((round * CHUNK + chunk.len()).min(writes.len()));
    }
    Ok(invitations)
}

// ---- the employee page -------------------------------------------------------------------

async fn person(
    tx: &mut Transaction<'static, Any>,
    tenant: &TenantId,
    user: &UserId,
) -> Result<Option<PersonRef>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, display_name, employee_code FROM users WHERE tenant_id = $1 AND id = $2",
    )
    .bind(tenant.as_str())
    .bind(user.as_str())
    .fetch_optional(&mut **tx)
    .await
}

async fn posts_of(
    tx: &mut Transaction<'static, Any>,
    tenant: &TenantId,
    user: &UserId,
) -> Result<Vec<PostView>, sqlx::Error> {
    let rows = sqlx::query_as::<_, PostRow>(
        "SELECT p.department_id, d.code, d.name, p.is_primary, p.is_manager FROM posts p \
         JOIN departments d ON d.tenant_id = p.tenant_id AND d.id = p.department_id \
         WHERE p.tenant_id = $1 AND p.user_id = $2 ORDER BY p.is_primary DESC, d.code",
    )
    .bind(tenant.as_str())
    .bind(user.as_str())
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| PostView {
            department: row.department_id,
            code: row.code,
            name: row.name,
            primary: row.is_primary == 1,
            manager: row.is_manager == 1,
        })
        .collect())
}

/// A post with its department's code and name.
#[derive(sqlx::FromRow)]
struct PostRow {
    department_id: DepartmentId,
    code: DepartmentCode,
    name: String,
    // 0 or 1 on both databases.
    is_primary: i64,
    is_manager: i64,
}

async fn primary_of(
    tx: &mut Transaction<'static, Any>,
    tenant: &TenantId,
    user: &UserId,
) -> Result<Option<DepartmentId>, sqlx::Error> {
    let id: Option<String> = sqlx::query_scalar(
        "SELECT department_id FROM posts WHERE tenant_id = $1 AND user_id = $2 AND is_primary = 1",
    )
    .bind(tenant.as_str())
    .bind(user.as_str())
    .fetch_optional(&mut **tx)
    .await?;
    Ok(id.map(DepartmentId::from_stored))
}

/// The departments at the top of a business admin's scope (each covers its subtree).
pub async fn business_scope_departments(
    tx: &mut Transaction<'static, Any>,
    tenant: &TenantId,
    admin: &UserId,
) -> Result<Vec<DepartmentId>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT department_id FROM business_admin_scopes WHERE tenant_id = $1 AND user_id = $2",
    )
    .bind(tenant.as_str())
    .bind(admin.as_str())
    .fetch_all(&mut **tx)
    .await
}

/// Whether one of `employee`'s departments lies in a subtree of `admin`'s business-admin
/// scope: the fact `authorize` needs for `ViewEmployeeDetails`.
#[tracing::instrument(skip_all)]
pub async fn in_business_scope(
    db: &Db,
    tenant: &TenantId,
    admin: &UserId,
    employee: &UserId,
) -> Result<bool, AppError> {
    let mut tx = db.begin_for_tenant(tenant).await?;
    let scope = business_scope_departments(&mut tx, tenant, admin).await?;
    if scope.is_empty() {
        tx.commit().await?;
        return Ok(false);
    }
    let tree = org::tree(&mut tx, tenant).await?;
    let posts = posts_of(&mut tx, tenant, employee).await?;
    tx.commit().await?;
    Ok(posts.iter().any(|post| {
        scope
            .iter()
            .any(|top| post.department == *top || tree.is_descendant(&post.department, top))
    }))
}

/// One employee's page. `show_details` and `can_edit` were decided by `authorize`.
#[tracing::instrument(skip_all)]
pub async fn get_employee(
    db: &Db,
    tenant: &TenantId,
    id: &UserId,
    show_details: bool,
    can_edit: bool,
) -> Result<EmployeeView, AppError> {
    let mut tx = db.begin_for_tenant(tenant).await?;
    let row = sqlx::query_as::<_, EmployeeRow>(
        "SELECT id, display_name, employee_code, kana, email, job_title, grade, employment_type, \
         hire_date, status FROM users WHERE tenant_id = $1 AND id = $2",
    )
    .bind(tenant.as_str())
    .bind(id.as_str())
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(AppError::NotFound)?;
    let posts = posts_of(&mut tx, tenant, id).await?;

    // The reporting line from the chart: the managers of all departments, and the primary
    // departments of the employee and of each manager found on the way.
    let tree = org::tree(&mut tx, tenant).await?;
    let managers: Managers = sqlx::query_as::<_, (DepartmentId, UserId)>(
        "SELECT department_id, user_id FROM posts WHERE tenant_id = $1 AND is_manager = 1",
    )
    .bind(tenant.as_str())
    .fetch_all(&mut *tx)
    .await?
    .into_iter()
    .collect();
    let mut primary = HashMap::new();
    if let Some(department) = primary_of(&mut tx, tenant, id).await? {
        primary.insert(id.clone(), department);
    }
    let (first, _) = reporting_line(&tree, &managers, &primary, id);
    if let Some(manager) = &first
        && let Some(department) = primary_of(&mut tx, tenant, manager).await?
    {
        primary.insert(manager.clone(), department);
    }
    let (first, second) = reporting_line(&tree, &managers, &primary, id);
    let manager = match &first {
        Some(user) => person(&mut tx, tenant, user).await?,
        None => None,
    };
    let second_manager = match &second {
        Some(user) => person(&mut tx, tenant, user).await?,
        None => None,
    };
    tx.commit().await?;

    Ok(EmployeeView {
        person: row.person,
        kana: row.kana,
        email: row.email,
        job_title: row.job_title,
        status: row.status,
        details: show_details.then_some(row.details),
        posts,
        manager,
        second_manager,
        can_edit,
    })
}

/// An employee's own row, for their page.
#[derive(sqlx::FromRow)]
struct EmployeeRow {
    #[sqlx(flatten)]
    person: PersonRef,
    kana: Option<String>,
    email: Email,
    job_title: Option<String>,
    status: AccountStatus,
    #[sqlx(flatten)]
    details: EmployeeDetails,
}

/// One page of the directory in kana order (五十音順; by name where kana is missing):
/// everyone whose name, kana, e-mail or employee code
/// contains `query` (case-insensitive).
#[tracing::instrument(skip_all)]
pub async fn list_employees(
    db: &Db,
    tenant: &TenantId,
    query: &str,
    page: i64,
) -> Result<EmployeeList, AppError> {
    let page = page.max(1);
    let filter = UserFilter::new(query, &["display_name", "kana", "email", "employee_code"]);
    let pattern = &filter.pattern;
    let (limit, offset) = if pattern.is_none() {
        ("$2", "$3")
    } else {
        ("$3", "$4")
    };
    // One statement for the page, its primary departments and the total (an uncorrelated
    // subquery, counted once): each statement is a round trip to the database.
    let filter_sql = &filter.sql;
    let sql = format!(
        "SELECT u.id, u.display_name, u.employee_code, u.kana, u.job_title, u.status, \
         d.code AS department_code, d.name AS department_name, \
         (SELECT COUNT(*) FROM users WHERE {filter_sql}) AS total \
         FROM (SELECT tenant_id, id, display_name, employee_code, kana, job_title, status, \
           COALESCE(kana, display_name) AS sort_key FROM users WHERE {filter_sql} \
           ORDER BY COALESCE(kana, display_name), id LIMIT {limit} OFFSET {offset}) u \
         LEFT JOIN posts p ON p.tenant_id = u.tenant_id AND p.user_id = u.id AND p.is_primary = 1 \
         LEFT JOIN departments d ON d.tenant_id = p.tenant_id AND d.id = p.department_id \
         ORDER BY u.sort_key, u.id"
    );
    let mut select = sqlx::query_as::<_, ListedEmployeeRow>(&sql).bind(tenant.as_str());
    if let Some(pattern) = pattern {
        select = select.bind(pattern);
    }
    let mut tx = db.begin_for_tenant(tenant).await?;
    let rows = select
        .bind(PER_PAGE)
        .bind((page - 1) * PER_PAGE)
        .fetch_all(&mut *tx)
        .await?;
    let total: i64 = match rows.first() {
        Some(row) => row.total,
        // A page past the end: count on its own.
        None => filter.count(&mut tx, tenant).await?,
    };
    tx.commit().await?;
    let items = rows
        .into_iter()
        .map(|row| EmployeeListItem {
            department: row.department_code.zip(row.department_name),
            person: row.person,
            kana: row.kana,
            job_title: row.job_title,
            status: row.status,
        })
        .collect();
    Ok(EmployeeList {
        items,
        total,
        page,
        per_page: PER_PAGE,
    })
}

/// An employee in a page of the directory, with their primary department and the
/// directory's total.
#[derive(sqlx::FromRow)]
struct ListedEmployeeRow {
    #[sqlx(flatten)]
    person: PersonRef,
    kana: Option<String>,
    job_title: Option<String>,
    status: AccountStatus,
    department_code: Option<String>,
    department_name: Option<String>,
    total: i64,
}

// ---- the admin form ----------------------------------------------------------------------

/// The employee form's fields, as typed.
#[derive(Clone, Debug, Default)]
pub struct EmployeeInput {
    pub employee_code: String,
    pub display_name: String,
    pub email: String,
    pub kana: String,
    pub job_title: String,
    pub grade: String,
    pub employment_type: String,
    pub hire_date: String,
    pub department_code: String,
    pub concurrent_codes: String,
    pub manages_codes: String,
}

fn field<T>(name: FormField, parsed: Result<T, Problem>) -> Result<T, AppError> {
    parsed.map_err(|problem| AppError::invalid(name, problem))
}

fn parse_record(input: &EmployeeInput) -> Result<EmployeeRecord, AppError> {
    let code = field(
        FormField::EmployeeCode,
        EmployeeCode::parse(&input.employee_code),
    )?;
    let email = Email::parse(&input.email).map_err(|e| AppError::invalid(FormField::Email, e))?;
    Ok(EmployeeRecord {
        employee_code: Some(code.as_str().to_owned()),
        display_name: field(FormField::DisplayName, parse_name(&input.display_name))?,
        email: email.as_str().to_owned(),
        kana: field(FormField::Kana, parse_kana(&input.kana))?,
        job_title: field(FormField::JobTitle, parse_label(&input.job_title))?,
        grade: field(FormField::Grade, parse_label(&input.grade))?,
        employment_type: field(
            FormField::EmploymentType,
            parse_label(&input.employment_type),
        )?,
        hire_date: field(
            FormField::HireDate,
            crate::domain::dates::parse_date(&input.hire_date),
        )?,
    })
}

/// Resolves the form's department codes to posts, by the rules the import follows too
/// ([`posts_from`], [`ManagerSeats`]): known departments, one primary, managed ones among
/// the posts, and no department's manager taken from someone else.
async fn resolve_posts(
    tx: &mut Transaction<'static, Any>,
    tenant: &TenantId,
    user: Option<&UserId>,
    input: &EmployeeInput,
) -> Result<(Vec<PostSpec>, HashMap<DepartmentId, String>), AppError> {
    let mut codes: HashMap<DepartmentId, String> = HashMap::new();
    let mut lookup = async |field_name: FormField, raw: &str| {
        let mut found = Vec::new();
        for piece in split_code_list(raw) {
            let code = DepartmentCode::parse(&piece)
                .map_err(|problem| AppError::invalid(field_name, problem))?;
            // A department named in two lists (a primary one also managed) is looked up once.
            if let Some(id) = codes
                .iter()
                .find(|(_, c)| *c == code.as_str())
                .map(|(id, _)| id)
            {
                found.push(id.clone());
                continue;
            }
            let id: Option<String> =
                sqlx::query_scalar("SELECT id FROM departments WHERE tenant_id = $1 AND code = $2")
                    .bind(tenant.as_str())
                    .bind(code.as_str())
                    .fetch_optional(&mut **tx)
                    .await?;
            let Some(id) = id else {
                return Err(AppError::invalid(
                    field_name,
                    Problem::UnknownDepartmentCodes {
                        codes: code.as_str().to_owned(),
                    },
                ));
            };
            let id = DepartmentId::from_stored(id);
            codes.insert(id.clone(), code.as_str().to_owned());
            found.push(id);
        }
        Ok::<_, AppError>(found)
    };
    let primary = lookup(FormField::DepartmentCode, &input.department_code).await?;
    let concurrent = lookup(FormField::ConcurrentCodes, &input.concurrent_codes).await?;
    let managed = lookup(FormField::ManagesCodes, &input.manages_codes).await?;
    let posts = posts_from(&primary, &concurrent, &managed).map_err(|found| {
        let first = &found[0];
        let code = first
            .department()
            .and_then(|d| codes.get(d))
            .cloned()
            .unwrap_or_default();
        let problem = Problem::Post {
            problem: first.clone(),
            code,
        };
        AppError::invalid(first.field(), problem)
    })?;
    // The stored managers of the departments to manage, with their names for the message.
    let mut stored: Vec<(UserId, DepartmentId, String)> = Vec::new();
    for post in posts.iter().filter(|p| p.manager) {
        let holders: Vec<(String, String)> = sqlx::query_as(
            "SELECT p.user_id, u.display_name FROM posts p \
             JOIN users u ON u.tenant_id = p.tenant_id AND u.id = p.user_id \
             WHERE p.tenant_id = $1 AND p.department_id = $2 AND p.is_manager = 1",
        )
        .bind(tenant.as_str())
        .bind(post.department.as_str())
        .fetch_all(&mut **tx)
        .await?;
        stored.extend(
            holders
                .into_iter()
                .map(|(holder, name)| (UserId::from_stored(holder), post.department.clone(), name)),
        );
    }
    let mut seats: ManagerSeats<()> = ManagerSeats::new(
        stored
            .iter()
            .map(|(holder, department, _)| (holder, department)),
        |holder| Some(holder) == user,
    );
    for post in posts.iter().filter(|p| p.manager) {
        if let Err(Holder::Stored(holder)) = seats.claim(&post.department, ()) {
            let code = codes.get(&post.department).cloned().unwrap_or_default();
            let name = stored
                .iter()
                .find(|(h, _, _)| *h == holder)
                .map(|(_, _, name)| name.as_str())
                .unwrap_or_default();
            return Err(AppError::invalid(
                FormField::ManagesCodes,
                Problem::HasManager {
                    code,
                    who: name.to_owned(),
                },
            ));
        }
    }
    Ok((posts, codes))
}

/// The stored record and posts of an employee, for comparing and auditing.
async fn stored(
    tx: &mut Transaction<'static, Any>,
    tenant: &TenantId,
    id: &UserId,
) -> Result<(EmployeeRecord, Vec<PostSpec>, HashMap<DepartmentId, String>), AppError> {
    let record: EmployeeRecord = sqlx::query_as(
        "SELECT employee_code, display_name, email, kana, job_title, grade, employment_type, hire_date \
         FROM users WHERE tenant_id = $1 AND id = $2",
    )
    .bind(tenant.as_str())
    .bind(id.as_str())
    .fetch_optional(&mut **tx)
    .await?
    .ok_or(AppError::NotFound)?;
    let views = posts_of(tx, tenant, id).await?;
    let codes = views
        .iter()
        .map(|p| (p.department.clone(), p.code.to_string()))
        .collect();
    let mut posts: Vec<PostSpec> = views
        .into_iter()
        .map(|p| PostSpec {
            department: p.department,
            primary: p.primary,
            manager: p.manager,
        })
        .collect();
    posts.sort();
    Ok((record, posts, codes))
}

/// The departments whose member counts or manager a change of posts touches.
fn touched(before: &[PostSpec], after: &[PostSpec]) -> Vec<DepartmentId> {
    let mut ids: Vec<DepartmentId> = before
        .iter()
        .chain(after)
        .map(|p| p.department.clone())
        .collect();
    ids.sort();
    ids.dedup();
    ids
}

/// What the form saves on top of the employee's record and posts.
struct Saving<'a> {
    id: UserId,
    before: Option<(EmployeeRecord, Vec<PostSpec>)>,
    /// Codes of the departments of `before`, for the audit row.
    before_codes: HashMap<DepartmentId, String>,
    invite_base_url: Option<&'a str>,
    language: &'a str,
    action: AuditAction,
}

/// The form's last steps, for a new employee and an edit alike: the e-mail address and
/// employee code are the employee's own, the posts keep the rules, and all is written,
/// audited and committed. Answers what changed on the chart.
async fn save_employee(
    w: &WriteContext<'_>,
    mut tx: Transaction<'static, Any>,
    revision: i64,
    record: EmployeeRecord,
    input: &EmployeeInput,
    saving: Saving<'_>,
) -> Result<OrgChange, AppError> {
    let tenant = w.tenant();
    let existing = saving.before.as_ref().map(|_| &saving.id);
    users::ensure_unique(
        &mut tx,
        tenant,
        &Email::from_stored(record.email.clone()),
        record.employee_code.as_deref(),
        existing,
    )
    .await?;
    let (posts, mut codes) = resolve_posts(&mut tx, tenant, existing, input).await?;
    let before_posts: Vec<PostSpec> = saving
        .before
        .as_ref()
        .map(|(_, posts)| posts.clone())
        .unwrap_or_default();
    codes.extend(saving.before_codes);
    let write = EmployeeWrite {
        line: 0,
        id: saving.id,
        record,
        posts,
        before: saving.before,
    };
    let options = WriteOptions {
        invite_base_url: saving.invite_base_url,
        language: saving.language,
        action: saving.action,
        department_codes: &codes,
    };
    write_employees(
        w,
        &mut tx,
        std::slice::from_ref(&write),
        &options,
        &mut |_| {},
    )
    .await?;
    tx.commit().await?;
    Ok(OrgChange::new(tenant, revision).changed(touched(&before_posts, &write.posts)))
}

/// Creates an employee (a user without roles), inviting them when `invite` is set.
#[tracing::instrument(skip_all)]
pub async fn create_employee(
    w: &WriteContext<'_>,
    input: &EmployeeInput,
    invite: bool,
    language: Lang,
    base_url: &str,
) -> Result<(UserId, OrgChange), AppError> {
    let record = parse_record(input)?;
    let tenant = w.tenant();
    let mut tx = w.begin().await?;
    let revision = bump_revision(&mut tx, tenant).await?;
    users::ensure_seat(&mut tx, tenant, w.db.kind()).await?;
    let id = UserId::generate();
    let saving = Saving {
        id: id.clone(),
        before: None,
        before_codes: HashMap::new(),
        invite_base_url: invite.then_some(base_url),
        language: language.code(),
        action: AuditAction::EmployeeCreate,
    };
    let change = save_employee(w, tx, revision, record, input, saving).await?;
    Ok((id, change))
}

/// Changes an employee's fields and posts (their account, roles and status are the user
/// administration's).
#[tracing::instrument(skip_all)]
pub async fn update_employee(
    w: &WriteContext<'_>,
    id: &UserId,
    input: &EmployeeInput,
) -> Result<OrgChange, AppError> {
    let record = parse_record(input)?;
    let tenant = w.tenant();
    let mut tx = w.begin().await?;
    let revision = bump_revision(&mut tx, tenant).await?;
    let (before_record, before_posts, before_codes) = stored(&mut tx, tenant, id).await?;
    let roles = crate::backend::sessions::roles_of(&mut tx, tenant, id).await?;
    users::check_sign_in_changes(
        &w.by.subject,
        id,
        &roles,
        (
            Some(before_record.email.as_str()),
            Some(record.email.as_str()),
        ),
        (
            before_record.employee_code.as_deref(),
            record.employee_code.as_deref(),
        ),
    )?;
    let saving = Saving {
        id: id.clone(),
        before: Some((before_record, before_posts)),
        before_codes,
        invite_base_url: None,
        language: "ja",
        action: AuditAction::EmployeeUpdate,
    };
    save_employee(w, tx, revision, record, input, saving).await
}

/// Employees with an employee code whose name, kana or code holds `query`, for a picker:
/// the exact code first, then in kana order; each with their job title.
#[tracing::instrument(skip_all)]
pub async fn find_employees(
    db: &Db,
    tenant: &TenantId,
    query: &str,
) -> Result<Vec<Choice>, AppError> {
    let search = TextSearch::parse(query).unwrap_or_else(TextSearch::everything);
    let sql = format!(
        "SELECT employee_code AS value, display_name AS label, COALESCE(job_title, '') AS detail FROM users \
         WHERE tenant_id = $1 AND employee_code IS NOT NULL AND {} \
         ORDER BY CASE WHEN LOWER(employee_code) = $3 THEN 0 ELSE 1 END, COALESCE(kana, display_name), id \
         LIMIT $4",
        TextSearch::condition(&["display_name", "kana", "employee_code"], 2)
    );
    let mut tx = db.begin_for_tenant(tenant).await?;
    let choices = sqlx::query_as(&sql)
        .bind(tenant.as_str())
        .bind(search.contains_pattern())
        .bind(search.folded())
        .bind(CHOICES_SHOWN)
        .fetch_all(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(choices)
}

/// The grades, employment types and job titles already in use, offered as suggestions so
/// that one grade is not typed three ways.
#[tracing::instrument(skip_all)]
pub async fn labels_in_use(db: &Db, tenant: &TenantId) -> Result<LabelsInUse, AppError> {
    let mut tx = db.begin_for_tenant(tenant).await?;
    let mut lists = Vec::new();
    for column in ["grade", "employment_type", "job_title"] {
        let sql = format!(
            "SELECT DISTINCT {column} FROM users WHERE tenant_id = $1 AND {column} IS NOT NULL \
             ORDER BY {column} LIMIT 200"
        );
        let values: Vec<String> = sqlx::query_scalar(&sql)
            .bind(tenant.as_str())
            .fetch_all(&mut *tx)
            .await?;
        lists.push(values);
    }
    tx.commit().await?;
    let [grades, employment_types, job_titles] =
        <[Vec<String>; 3]>::try_from(lists).expect("three columns were read");
    Ok(LabelsInUse {
        grades,
        employment_types,
        job_titles,
    })
}
