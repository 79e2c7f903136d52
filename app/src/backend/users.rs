//! User administration by system admins (WP 5, 6): the paged list, creation with an
//! invitation within the seat limit, edits, deactivation, deletion, roles, and signing a
//! user out everywhere. Every change writes its audit row in its own transaction; the last
//! active system admin can be neither demoted, deactivated nor deleted.

use crate::backend::account_mails;
use crate::backend::audit::{self, Actor, AuditEntry, Outcome, RequestOrigin};
use crate::backend::db::{Db, DbKind, UniqueKey, UserFilter};
use crate::backend::mail;
use crate::backend::sessions::{self, SessionUser};
use crate::backend::tenants;
use crate::backend::tokens::{self, Purpose};
use crate::backend::write::WriteContext;
use crate::domain::account_status::AccountStatus;
use crate::domain::audit::AuditAction;
use crate::domain::choice::Choice;
use crate::domain::codes::EmployeeCode;
use crate::domain::email::Email;
use crate::domain::form_field::FormField;
use crate::domain::ids::{TenantId, UserId};
use crate::domain::permissions::{SignInField, Subject, sign_in_change_refused};
use crate::domain::problem::Problem;
use crate::domain::roles::Role;
use crate::domain::time::Timestamp;
pub use crate::domain::users::{UserPage, UserSummary};
use crate::error::AppError;
use crate::i18n::Lang;
use sqlx::{Any, Transaction};
use std::collections::BTreeSet;

pub const PER_PAGE: i64 = 50;

/// The fields an admin edits.
#[derive(Clone, Debug)]
pub struct UserInput {
    pub email: String,
    pub display_name: String,
    pub employee_code: String,
    pub language: Lang,
}

/// The same, checked.
struct ValidUser {
    email: Email,
    display_name: String,
    employee_code: Option<String>,
    language: Lang,
}

fn validate(input: &UserInput) -> Result<ValidUser, AppError> {
    let email = Email::parse(&input.email).map_err(|e| AppError::invalid(FormField::Email, e))?;
    let display_name = crate::domain::employees::parse_name(&input.display_name)
        .map_err(|problem| AppError::invalid(FormField::DisplayName, problem))?;
    let employee_code = if input.employee_code.trim().is_empty() {
        None
    } else {
        let code = crate::domain::codes::EmployeeCode::parse(&input.employee_code)
            .map_err(|problem| AppError::invalid(FormField::EmployeeCode, problem))?;
        Some(code.as_str().to_owned())
    };
    Ok(ValidUser {
        email,
        display_name,
        employee_code,
        language: input.language,
    })
}

fn admin_entry<'a>(
    admin: &'a SessionUser,
    action: AuditAction,
    target: &'a UserId,
    before: Option<serde_json::Value>,
    after: Option<serde_json::Value>,
    origin: &RequestOrigin,
) -> AuditEntry<'a> {
    AuditEntry {
        tenant: &admin.subject.tenant,
        actor: Actor::User(admin.subject.user.clone()),
        action,
        target_type: Some("user"),
        target_id: Some(target.as_str()),
        before,
        after,
        outcome: Outcome::Success,
        origin: origin.clone(),
    }
}

/// One page of users whose name, e-mail or employee code contains `query`, by name.
///
/// Quick at 100,000 users: without a search the page walks the `users_by_name` index and
/// the count is an index count; roles and scopes come in one query each for the page.
/// With a search, the match is a case-insensitive substring match over the whole tenant.
#[tracing::instrument(skip_all)]
pub async fn list_users(
    db: &Db,
    tenant: &TenantId,
    query: &str,
    page: i64,
) -> Result<UserPage, AppError> {
    let page = page.max(1);
    let filter = UserFilter::new(query, &["display_name", "email", "employee_code"]);
    let pattern = &filter.pattern;
    let mut tx = db.begin_for_tenant(tenant).await?;
    // A search scans the tenant once: the total comes with the page (COUNT(*) OVER ()).
    // Browsing walks the name index, and its count is an index count.
    let (limit, offset, total_column) = if pattern.is_none() {
        ("$2", "$3", "")
    } else {
        ("$3", "$4", ", COUNT(*) OVER () AS total")
    };
    let select_sql = format!(
        "SELECT {}{total_column} \
         FROM users WHERE {} ORDER BY display_name, id LIMIT {limit} OFFSET {offset}",
        UserRow::COLUMNS,
        filter.sql
    );
    let mut select = sqlx::query_as::<_, ListedUserRow>(&select_sql).bind(tenant.as_str());
    if let Some(pattern) = pattern {
        select = select.bind(pattern);
    }
    let rows = select
        .bind(PER_PAGE)
        .bind((page - 1) * PER_PAGE)
        .fetch_all(&mut *tx)
        .await?;
    let total: i64 = match rows.first() {
        Some(row) if pattern.is_some() => row.total.unwrap_or_default(),
        None if pattern.is_some() && page == 1 => 0,
        // Browsing, or a page past the end of a search: count separately.
        _ => filter.count(&mut tx, tenant).await?,
    };
    let zone = tenant_zone(&mut tx, tenant).await?;
    let ids: Vec<String> = rows
        .iter()
        .map(|row| row.user.id.as_str().to_owned())
        .collect();
    let mut roles = roles_of_many(&mut tx, tenant, &ids).await?;
    let mut scopes = scopes_of_many(&mut tx, tenant, &ids).await?;
    let mut users = Vec::with_capacity(rows.len());
    for ListedUserRow { user: row, .. } in rows {
        let roles = roles.remove(row.id.as_str()).unwrap_or_default();
        let scope = scopes.remove(row.id.as_str()).unwrap_or_default();
        users.push(row.into_summary(roles, scope, &zone));
    }
    let seats_in_use = tenants::seats_taken(&mut tx, tenant).await?;
    let seat_limit = seat_limit(&mut tx, tenant, db.kind()).await?;
    tx.commit().await?;
    Ok(UserPage {
        users,
        total,
        page,
        per_page: PER_PAGE,
        seats_in_use,
        seat_limit,
    })
}

/// `$2, $3, …` for `count` values after one leading parameter.
fn placeholders(count: usize) -> String {
    (0..count)
        .map(|i| format!("${}", i + 2))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The roles of several users at once, by user id.
async fn roles_of_many(
    tx: &mut Transaction<'static, Any>,
    tenant: &TenantId,
    ids: &[String],
) -> Result<std::collections::HashMap<String, Vec<Role>>, sqlx::Error> {
    let mut map: std::collections::HashMap<String, Vec<Role>> = std::collections::HashMap::new();
    if ids.is_empty() {
        return Ok(map);
    }
    let sql = format!(
        "SELECT user_id, role FROM user_roles WHERE tenant_id = $1 AND user_id IN ({}) ORDER BY role",
        placeholders(ids.len())
    );
    let mut query = sqlx::query_as(&sql).bind(tenant.as_str());
    for id in ids {
        query = query.bind(id);
    }
    let rows: Vec<(String, String)> = query.fetch_all(&mut **tx).await?;
    for (user, role) in rows {
        if let Some(role) = Role::parse(&role) {
            map.entry(user).or_default().push(role);
        }
    }
    for roles in map.values_mut() {
        roles.sort();
    }
    Ok(map)
}

/// The roles of every user of the tenant that holds any.
#[tracing::instrument(skip_all)]
pub async fn roles_of_all(
    tx: &mut Transaction<'static, Any>,
    tenant: &TenantId,
) -> Result<std::collections::HashMap<UserId, BTreeSet<Role>>, sqlx::Error> {
    let mut map: std::collections::HashMap<UserId, BTreeSet<Role>> =
        std::collections::HashMap::new();
    let rows: Vec<(UserId, String)> =
        sqlx::query_as("SELECT user_id, role FROM user_roles WHERE tenant_id = $1")
            .bind(tenant.as_str())
            .fetch_all(&mut **tx)
            .await?;
    for (user, role) in rows {
        if let Some(role) = Role::parse(&role) {
            map.entry(user).or_default().insert(role);
        }
    }
    Ok(map)
}

/// The business-admin scopes (department codes) of several users at once, by user id.
async fn scopes_of_many(
    tx: &mut Transaction<'static, Any>,
    tenant: &TenantId,
    ids: &[String],
) -> Result<std::collections::HashMap<String, Vec<Choice>>, sqlx::Error> {
    let mut map: std::collections::HashMap<String, Vec<Choice>> = std::collections::HashMap::new();
    if ids.is_empty() {
        return Ok(map);
    }
    let sql = format!(
        "SELECT s.user_id, d.code AS value, d.name AS label, '' AS detail FROM business_admin_scopes s JOIN departments d \
         ON d.tenant_id = s.tenant_id AND d.id = s.department_id \
         WHERE s.tenant_id = $1 AND s.user_id IN ({}) ORDER BY d.code",
        placeholders(ids.len())
    );
    let mut query = sqlx::query_as::<_, ScopeRow>(&sql).bind(tenant.as_str());
    for id in ids {
        query = query.bind(id);
    }
    for ScopeRow {
        user_id,
        department,
    } in query.fetch_all(&mut **tx).await?
    {
        map.entry(user_id).or_default().push(department);
    }
    Ok(map)
}

/// A department of a user's business-admin scope, as a picker shows it.
#[derive(sqlx::FromRow)]
struct ScopeRow {
    user_id: String,
    #[sqlx(flatten)]
    department: Choice,
}

/// The contract's seat limit. On PostgreSQL the tenant row is locked for the rest of the
/// transaction, so two admins adding users at once cannot both take the last seat.
async fn seat_limit(
    tx: &mut Transaction<'static, Any>,
    tenant: &TenantId,
    kind: DbKind,
) -> Result<i64, sqlx::Error> {
    let lock = if kind == DbKind::Postgres {
        " FOR UPDATE"
    } else {
        ""
    };
    sqlx::query_scalar(&format!(
        "SELECT seat_limit FROM tenants WHERE id = $1{lock}"
    ))
    .bind(tenant.as_str())
    .fetch_one(&mut **tx)
    .await
}

#[tracing::instrument(skip_all)]
pub(crate) async fn ensure_seat(
    tx: &mut Transaction<'static, Any>,
    tenant: &TenantId,
    kind: DbKind,
) -> Result<(), AppError> {
    let limit = seat_limit(tx, tenant, kind).await?;
    if tenants::seats_taken(tx, tenant).await? >= limit {
        return Err(AppError::SeatLimit { limit });
    }
    Ok(())
}

/// Maps a unique-key clash to the field it concerns.
pub(crate) fn taken(error: sqlx::Error) -> AppError {
    match UniqueKey::clashed(&error) {
        Some(UniqueKey::UserEmployeeCode) => {
            AppError::invalid(FormField::EmployeeCode, Problem::UsedByAnotherUser)
        }
        Some(UniqueKey::UserEmail) => {
            AppError::invalid(FormField::Email, Problem::UsedByAnotherUser)
        }
        _ => error.into(),
    }
}

/// Names the field whose value another user of the tenant already has. The unique keys
/// remain the backstop against a race; this gives the clear message.
#[tracing::instrument(skip_all)]
pub(crate) async fn ensure_unique(
    tx: &mut Transaction<'static, Any>,
    tenant: &TenantId,
    email: &Email,
    employee_code: Option<&str>,
    except: Option<&UserId>,
) -> Result<(), AppError> {
    let except = except.map(UserId::as_str).unwrap_or("");
    let email_taken: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM users WHERE tenant_id = $1 AND email = $2 AND id <> $3",
    )
    .bind(tenant.as_str())
    .bind(email.as_str())
    .bind(except)
    .fetch_one(&mut **tx)
    .await?;
    if email_taken > 0 {
        return Err(AppError::invalid(
            FormField::Email,
            Problem::UsedByAnotherUser,
        ));
    }
    if let Some(code) = employee_code {
        let code_taken: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM users WHERE tenant_id = $1 AND employee_code = $2 AND id <> $3",
        )
        .bind(tenant.as_str())
        .bind(code)
        .bind(except)
        .fetch_one(&mut **tx)
        .await?;
        if code_taken > 0 {
            return Err(AppError::invalid(
                FormField::EmployeeCode,
                Problem::UsedByAnotherUser,
            ));
        }
    }
    Ok(())
}

struct InvitationContext {
    company: String,
    code: String,
    zone: String,
}

async fn invitation_context(
    tx: &mut Transaction<'static, Any>,
    tenant: &TenantId,
) -> Result<InvitationContext, sqlx::Error> {
    let (company, code, zone) =
        sqlx::query_as("SELECT name, code, time_zone FROM tenants WHERE id = $1")
            .bind(tenant.as_str())
            .fetch_one(&mut **tx)
            .await?;
    Ok(InvitationContext {
        company,
        code,
        zone,
    })
}

impl InvitationContext {
    /// The invitation mail for one user and their freshly issued token.
    fn mail(
        &self,
        email: &Email,
        name: &str,
        token: &tokens::IssuedToken,
        base_url: &str,
    ) -> mail::OutgoingMail {
        let link = Purpose::Invitation.link(base_url, &token.secret.encode());
        account_mails::invitation(
            email,
            name,
            &self.company,
            &self.code,
            &link,
            token.expires_at,
            &self.zone,
        )
    }
}

/// Sends `user` a new invitation; their older links stop working.
#[tracing::instrument(skip_all)]
pub(crate) async fn invite(
    tx: &mut Transaction<'static, Any>,
    tenant: &TenantId,
    user: &UserId,
    email: &Email,
    name: &str,
    base_url: &str,
    now: Timestamp,
) -> Result<(), AppError> {
    let token = tokens::issue(tx, tenant, user, Purpose::Invitation, now).await?;
    let context = invitation_context(tx, tenant).await?;
    mail::enqueue(tx, tenant, context.mail(email, name, &token, base_url)).await?;
    Ok(())
}

/// Invites users created in this transaction, all at once (an import): `(id, e-mail, name)`.
#[tracing::instrument(skip_all)]
pub(crate) async fn invite_new_users(
    tx: &mut Transaction<'static, Any>,
    tenant: &TenantId,
    users: &[(UserId, Email, String)],
    base_url: &str,
    now: Timestamp,
) -> Result<(), AppError> {
    if users.is_empty() {
        return Ok(());
    }
    let ids: Vec<UserId> = users.iter().map(|(id, ..)| id.clone()).collect();
    let issued = tokens::issue_for_new_users(tx, tenant, &ids, Purpose::Invitation, now).await?;
    let context = invitation_context(tx, tenant).await?;
    let mails = users
        .iter()
        .zip(&issued)
        .map(|((_, email, name), token)| context.mail(email, name, token, base_url))
        .collect();
    mail::enqueue_many(tx, tenant, mails).await?;
    Ok(())
}

/// Creates a user who chooses their own password through the invitation mail (WP 7).
#[tracing::instrument(skip_all)]
pub async fn create_user(
    w: &WriteContext<'_>,
    input: UserInput,
    roles: BTreeSet<Role>,
    base_url: &str,
) -> Result<UserId, AppError> {
    let (db, admin, origin) = (w.db, w.by, &w.origin);
    let now = w.now;
    let valid = validate(&input)?;
    let tenant = &admin.subject.tenant;
    let id = UserId::generate();
    let mut tx = db.begin_write_for_tenant(tenant).await?;
    ensure_seat(&mut tx, tenant, db.kind()).await?;
    ensure_unique(
        &mut tx,
        tenant,
        &valid.email,
        valid.employee_code.as_deref(),
        None,
    )
    .await?;
    sqlx::query(
        "INSERT INTO users (tenant_id, id, email, display_name, employee_code, language, status, \
         created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $8, $7, $7)",
    )
    .bind(tenant.as_str())
    .bind(id.as_str())
    .bind(valid.email.as_str())
    .bind(&valid.display_name)
    .bind(valid.employee_code.as_deref())
    .bind(valid.language.code())
    .bind(now.as_micros())
    .bind(AccountStatus::Invited.as_str())
    .execute(&mut *tx)
    .await
    .map_err(taken)?;
    write_roles(&mut tx, tenant, &id, &roles, now).await?;
    invite(
        &mut tx,
        tenant,
        &id,
        &valid.email,
        &valid.display_name,
        base_url,
        now,
    )
    .await?;
    let after = serde_json::json!({
        "email": valid.email.as_str(),
        "display_name": valid.display_name,
        "employee_code": valid.employee_code,
        "roles": roles.iter().map(|r| r.as_str()).collect::<Vec<_>>(),
        "status": AccountStatus::Invited,
    });
    audit::record(
        &mut tx,
        admin_entry(
            admin,
            AuditAction::UserCreate,
            &id,
            None,
            Some(after),
            origin,
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

async fn write_roles(
    tx: &mut Transaction<'static, Any>,
    tenant: &TenantId,
    user: &UserId,
    roles: &BTreeSet<Role>,
    now: Timestamp,
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM user_roles WHERE tenant_id = $1 AND user_id = $2")
        .bind(tenant.as_str())
        .bind(user.as_str())
        .execute(&mut **tx)
        .await?;
    for role in roles {
        sqlx::query(
            "INSERT INTO user_roles (tenant_id, user_id, role, created_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(tenant.as_str())
        .bind(user.as_str())
        .bind(role.as_str())
        .bind(now.as_micros())
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// A user's row as the admin screens need it; `NotFound` for no such user in this tenant.
async fn load(
    tx: &mut Transaction<'static, Any>,
    tenant: &TenantId,
    user: &UserId,
) -> Result<UserSummary, AppError> {
    let row = sqlx::query_as::<_, UserRow>(&format!(
        "SELECT {} FROM users WHERE tenant_id = $1 AND id = $2",
        UserRow::COLUMNS
    ))
    .bind(tenant.as_str())
    .bind(user.as_str())
    .fetch_optional(&mut **tx)
    .await?
    .ok_or(AppError::NotFound)?;
    let roles = sessions::roles_of(tx, tenant, user).await?;
    let zone = tenant_zone(tx, tenant).await?;
    let scope = business_scope(tx, tenant, user).await?;
    Ok(row.into_summary(roles.into_iter().collect(), scope, &zone))
}

/// A user's row as stored: what [`UserSummary`] is read from.
#[derive(sqlx::FromRow)]
struct UserRow {
    id: UserId,
    email: Email,
    display_name: String,
    employee_code: Option<EmployeeCode>,
    language: Lang,
    status: AccountStatus,
    last_login_at: Option<Timestamp>,
}

/// A user's row in a page of the list; a search's page counts its matches too.
#[derive(sqlx::FromRow)]
struct ListedUserRow {
    #[sqlx(flatten)]
    user: UserRow,
    #[sqlx(default)]
    total: Option<i64>,
}

impl UserRow {
    /// The columns to select, in the order of the fields.
    const COLUMNS: &'static str =
        "id, email, display_name, employee_code, language, status, last_login_at";

    fn into_summary(
        self,
        roles: Vec<Role>,
        business_scope: Vec<Choice>,
        zone: &str,
    ) -> UserSummary {
        UserSummary {
            id: self.id,
            email: self.email,
            display_name: self.display_name,
            employee_code: self.employee_code,
            language: self.language,
            status: self.status,
            roles,
            business_scope,
            last_login: self.last_login_at.map(|at| at.format_in_zone(zone)),
        }
    }
}

/// The departments of a business admin's scope.
async fn business_scope(
    tx: &mut Transaction<'static, Any>,
    tenant: &TenantId,
    user: &UserId,
) -> Result<Vec<Choice>, sqlx::Error> {
    sqlx::query_as(
        "SELECT d.code AS value, d.name AS label, '' AS detail FROM business_admin_scopes s JOIN departments d \
         ON d.tenant_id = s.tenant_id AND d.id = s.department_id \
         WHERE s.tenant_id = $1 AND s.user_id = $2 ORDER BY d.code",
    )
    .bind(tenant.as_str())
    .bind(user.as_str())
    .fetch_all(&mut **tx)
    .await
}

/// Sets the departments (by code; each covers its subtree) a business admin works for.
/// Unknown codes are named and nothing changes.
#[tracing::instrument(skip_all)]
pub async fn set_business_scope(
    w: &WriteContext<'_>,
    target: &UserId,
    department_codes: &str,
) -> Result<(), AppError> {
    let (db, admin, origin) = (w.db, w.by, &w.origin);
    let tenant = &admin.subject.tenant;
    // The one reader of a list of department codes (`;` as the CSV writes it, full-width
    // input folded), as the employee form and the import read theirs.
    let mut codes: BTreeSet<String> = BTreeSet::new();
    for piece in crate::domain::codes::split_code_list(department_codes) {
        let code = crate::domain::codes::DepartmentCode::parse(&piece)
            .map_err(|problem| AppError::invalid(FormField::DepartmentCodes, problem))?;
        codes.insert(code.as_str().to_owned());
    }
    let mut tx = db.begin_write_for_tenant(tenant).await?;
    let before = load(&mut tx, tenant, target).await?;
    let mut ids = Vec::with_capacity(codes.len());
    let mut unknown = Vec::new();
    for code in &codes {
        let id: Option<String> =
            sqlx::query_scalar("SELECT id FROM departments WHERE tenant_id = $1 AND code = $2")
                .bind(tenant.as_str())
                .bind(code)
                .fetch_optional(&mut *tx)
                .await?;
        match id {
            Some(id) => ids.push(id),
            None => unknown.push(code.as_str()),
        }
    }
    if !unknown.is_empty() {
        let list = unknown.join(", ");
        return Err(AppError::invalid(
            FormField::DepartmentCodes,
            Problem::UnknownDepartmentCodes { codes: list },
        ));
    }
    sqlx::query("DELETE FROM business_admin_scopes WHERE tenant_id = $1 AND user_id = $2")
        .bind(tenant.as_str())
        .bind(target.as_str())
        .execute(&mut *tx)
        .await?;
    for id in &ids {
        sqlx::query("INSERT INTO business_admin_scopes (tenant_id, user_id, department_id) VALUES ($1, $2, $3)")
            .bind(tenant.as_str())
            .bind(target.as_str())
            .bind(id)
            .execute(&mut *tx)
            .await?;
    }
    commit_change(
        tx,
        admin,
        AuditAction::UserBusinessScope,
        target,
        &before,
        origin,
    )
    .await
}

#[tracing::instrument(skip_all)]
pub(crate) async fn tenant_zone(
    tx: &mut Transaction<'static, Any>,
    tenant: &TenantId,
) -> Result<String, sqlx::Error> {
    sqlx::query_scalar("SELECT time_zone FROM tenants WHERE id = $1")
        .bind(tenant.as_str())
        .fetch_one(&mut **tx)
        .await
}

/// One user, for the edit screen.
#[tracing::instrument(skip_all)]
pub async fn get_user(db: &Db, tenant: &TenantId, user: &UserId) -> Result<UserSummary, AppError> {
    let mut tx = db.begin_for_tenant(tenant).await?;
    let summary = load(&mut tx, tenant, user).await?;
    tx.commit().await?;
    Ok(summary)
}

fn snapshot(user: &UserSummary) -> serde_json::Value {
    serde_json::json!({
        "email": user.email,
        "display_name": user.display_name,
        "employee_code": user.employee_code,
        "language": user.language,
        "status": user.status,
        "roles": user.roles.iter().map(|r| r.as_str()).collect::<Vec<_>>(),
        "business_scope": user.business_scope.iter().map(|d| d.value.as_str()).collect::<Vec<_>>(),
    })
}

/// Reads `target` back, records the change from `before` with both snapshots, and commits.
async fn commit_change(
    mut tx: Transaction<'static, Any>,
    admin: &SessionUser,
    action: AuditAction,
    target: &UserId,
    before: &UserSummary,
    origin: &RequestOrigin,
) -> Result<(), AppError> {
    let after = load(&mut tx, &admin.subject.tenant, target).await?;
    let entry = admin_entry(
        admin,
        action,
        target,
        Some(snapshot(before)),
        Some(snapshot(&after)),
        origin,
    );
    audit::record(&mut tx, entry).await?;
    tx.commit().await?;
    Ok(())
}

/// Refuses a change after which no active system admin would remain.
async fn keep_a_system_admin(
    tx: &mut Transaction<'static, Any>,
    tenant: &TenantId,
    losing: &UserId,
) -> Result<(), AppError> {
    let others: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM users u JOIN user_roles r ON r.tenant_id = u.tenant_id AND r.user_id = u.id \
         WHERE u.tenant_id = $1 AND u.id <> $2 AND u.status = $3 AND r.role = $4",
    )
    .bind(tenant.as_str())
    .bind(losing.as_str())
    .bind(AccountStatus::Active.as_str())
    .bind(Role::SystemAdmin.as_str())
    .fetch_one(&mut **tx)
    .await?;
    if others == 0 {
        return Err(AppError::LastSystemAdmin);
    }
    Ok(())
}

fn is_active_system_admin(user: &UserSummary) -> bool {
    user.status == AccountStatus::Active && user.roles.contains(&Role::SystemAdmin)
}

/// Refuses a change of what `user` signs in with (e-mail, employee code: each as before and
/// after) that `actor` may not make, naming the field; the rule is
/// `permissions::sign_in_change_refused`.
pub fn check_sign_in_changes(
    actor: &Subject,
    user: &UserId,
    roles: &BTreeSet<Role>,
    email: (Option<&str>, Option<&str>),
    employee_code: (Option<&str>, Option<&str>),
) -> Result<(), AppError> {
    for (field, (before, after)) in [
        (SignInField::Email, email),
        (SignInField::EmployeeCode, employee_code),
    ] {
        if let Some(problem) =
            sign_in_change_refused(Some(actor), user, roles, field, before, after)
        {
            return Err(AppError::invalid(field.field(), problem));
        }
    }
    Ok(())
}

/// Queues the notice of a changed login e-mail to each old address, in the change's
/// transaction: `(old, new, name)` per user.
#[tracing::instrument(skip_all)]
pub async fn tell_old_addresses(
    tx: &mut Transaction<'static, Any>,
    tenant: &TenantId,
    changes: &[(Email, Email, String)],
    now: Timestamp,
) -> Result<(), sqlx::Error> {
    if changes.is_empty() {
        return Ok(());
    }
    let zone = tenant_zone(tx, tenant).await?;
    let mails = changes
        .iter()
        .map(|(old, new, name)| account_mails::login_email_changed(old, name, new, now, &zone))
        .collect();
    mail::enqueue_many(tx, tenant, mails).await
}

/// Edits name, e-mail, employee code and language.
#[tracing::instrument(skip_all)]
pub async fn update_user(
    w: &WriteContext<'_>,
    target: &UserId,
    input: UserInput,
) -> Result<(), AppError> {
    let (db, admin, origin) = (w.db, w.by, &w.origin);
    let now = w.now;
    let valid = validate(&input)?;
    let tenant = &admin.subject.tenant;
    let mut tx = db.begin_write_for_tenant(tenant).await?;
    let before = load(&mut tx, tenant, target).await?;
    let roles: BTreeSet<Role> = before.roles.iter().copied().collect();
    check_sign_in_changes(
        &admin.subject,
        target,
        &roles,
        (Some(before.email.as_str()), Some(valid.email.as_str())),
        (
            before.employee_code.as_ref().map(EmployeeCode::as_str),
            valid.employee_code.as_deref(),
        ),
    )?;
    ensure_unique(
        &mut tx,
        tenant,
        &valid.email,
        valid.employee_code.as_deref(),
        Some(target),
    )
    .await?;
    sqlx::query(
        "UPDATE users SET email = $1, display_name = $2, employee_code = $3, language = $4, updated_at = $5 \
         WHERE tenant_id = $6 AND id = $7",
    )
    .bind(valid.email.as_str())
    .bind(&valid.display_name)
    .bind(valid.employee_code.as_deref())
    .bind(valid.language.code())
    .bind(now.as_micros())
    .bind(tenant.as_str())
    .bind(target.as_str())
    .execute(&mut *tx)
    .await
    .map_err(taken)?;
    if before.email != valid.email {
        let change = (
            before.email.clone(),
            valid.email.clone(),
            before.display_name.clone(),
        );
        tell_old_addresses(&mut tx, tenant, &[change], now).await?;
    }
    commit_change(tx, admin, AuditAction::UserUpdate, target, &before, origin).await
}

/// Sets the user's roles; only system admins call this (checked by `authorize`).
#[tracing::instrument(skip_all)]
pub async fn set_roles(
    w: &WriteContext<'_>,
    target: &UserId,
    roles: BTreeSet<Role>,
) -> Result<(), AppError> {
    let (db, admin, origin) = (w.db, w.by, &w.origin);
    let now = w.now;
    let tenant = &admin.subject.tenant;
    let mut tx = db.begin_write_for_tenant(tenant).await?;
    let before = load(&mut tx, tenant, target).await?;
    if is_active_system_admin(&before) && !roles.contains(&Role::SystemAdmin) {
        keep_a_system_admin(&mut tx, tenant, target).await?;
    }
    write_roles(&mut tx, tenant, target, &roles, now).await?;
    commit_change(tx, admin, AuditAction::UserRoles, target, &before, origin).await
}

/// Deactivates (their sessions end at once) or reactivates a user.
#[tracing::instrument(skip_all)]
pub async fn set_active(
    w: &WriteContext<'_>,
    target: &UserId,
    active: bool,
) -> Result<(), AppError> {
    let (db, admin, origin) = (w.db, w.by, &w.origin);
    let now = w.now;
    let tenant = &admin.subject.tenant;
    let mut tx = db.begin_write_for_tenant(tenant).await?;
    let before = load(&mut tx, tenant, target).await?;
    let status = if active {
        if before.status != AccountStatus::Deactivated {
            return Ok(());
        }
        ensure_seat(&mut tx, tenant, db.kind()).await?;
        let password_set: Option<i64> = sqlx::query_scalar(
            "SELECT password_set_at FROM users WHERE tenant_id = $1 AND id = $2",
        )
        .bind(tenant.as_str())
        .bind(target.as_str())
        .fetch_one(&mut *tx)
        .await?;
        if password_set.is_some() {
            AccountStatus::Active
        } else {
            AccountStatus::Invited
        }
    } else {
        if is_active_system_admin(&before) {
            keep_a_system_admin(&mut tx, tenant, target).await?;
        }
        sessions::end_all_of_user(&mut tx, tenant, target, None).await?;
        crate::backend::evaluation::periods::exclude_open_sheets_of(
            &mut tx,
            tenant,
            target,
            crate::backend::evaluation::periods::REASON_DEACTIVATED,
            now,
        )
        .await?;
        AccountStatus::Deactivated
    };
    sqlx::query("UPDATE users SET status = $1, updated_at = $2 WHERE tenant_id = $3 AND id = $4")
        .bind(status.as_str())
        .bind(now.as_micros())
        .bind(tenant.as_str())
        .bind(target.as_str())
        .execute(&mut *tx)
        .await?;
    let action = if active {
        AuditAction::UserReactivate
    } else {
        AuditAction::UserDeactivate
    };
    let after = serde_json::json!({ "status": status });
    audit::record(
        &mut tx,
        admin_entry(
            admin,
            action,
            target,
            Some(serde_json::json!({ "status": before.status })),
            Some(after),
            origin,
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Deletes a user and their personal data. Audit rows stay, with the id as an anonymous
/// reference: the snapshots in them are redacted, and queued mail to them is dropped.
#[tracing::instrument(skip_all)]
pub async fn delete_user(w: &WriteContext<'_>, target: &UserId) -> Result<(), AppError> {
    let (db, admin, origin) = (w.db, w.by, &w.origin);
    let tenant = &admin.subject.tenant;
    let mut tx = db.begin_write_for_tenant(tenant).await?;
    let before = load(&mut tx, tenant, target).await?;
    if is_active_system_admin(&before) {
        keep_a_system_admin(&mut tx, tenant, target).await?;
    }
    crate::backend::evaluation::periods::exclude_open_sheets_of(
        &mut tx,
        tenant,
        target,
        crate::backend::evaluation::periods::REASON_DELETED,
        w.now,
    )
    .await?;
    sqlx::query("DELETE FROM users WHERE tenant_id = $1 AND id = $2")
        .bind(tenant.as_str())
        .bind(target.as_str())
        .execute(&mut *tx)
        .await?;
    sqlx::query("DELETE FROM mail_outbox WHERE tenant_id = $1 AND to_address = $2")
        .bind(tenant.as_str())
        .bind(before.email.as_str())
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "UPDATE audit_log SET before_json = NULL, after_json = NULL \
         WHERE tenant_id = $1 AND target_type = 'user' AND target_id = $2",
    )
    .bind(tenant.as_str())
    .bind(target.as_str())
    .execute(&mut *tx)
    .await?;
    audit::record(
        &mut tx,
        admin_entry(admin, AuditAction::UserDelete, target, None, None, origin),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Sends a fresh invitation (the older link stops working). Only for users who have not
/// chosen a password yet.
#[tracing::instrument(skip_all)]
pub async fn resend_invitation(
    w: &WriteContext<'_>,
    target: &UserId,
    base_url: &str,
) -> Result<(), AppError> {
    let (db, admin, origin) = (w.db, w.by, &w.origin);
    let now = w.now;
    let tenant = &admin.subject.tenant;
    let mut tx = db.begin_write_for_tenant(tenant).await?;
    let user = load(&mut tx, tenant, target).await?;
    if user.status != AccountStatus::Invited {
        return Err(AppError::invalid(FormField::Status, Problem::NotInvited));
    }
    invite(
        &mut tx,
        tenant,
        target,
        &user.email,
        &user.display_name,
        base_url,
        now,
    )
    .await?;
    audit::record(
        &mut tx,
        admin_entry(
            admin,
            AuditAction::UserInvitationResent,
            target,
            None,
            None,
            origin,
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Ends every session of a user at once.
#[tracing::instrument(skip_all)]
pub async fn sign_out_everywhere(w: &WriteContext<'_>, target: &UserId) -> Result<u64, AppError> {
    let (db, admin, origin) = (w.db, w.by, &w.origin);
    let tenant = &admin.subject.tenant;
    let mut tx = db.begin_write_for_tenant(tenant).await?;
    load(&mut tx, tenant, target).await?;
    let ended = sessions::end_all_of_user(&mut tx, tenant, target, None).await?;
    let after = serde_json::json!({ "sessions_ended": ended });
    audit::record(
        &mut tx,
        admin_entry(
            admin,
            AuditAction::UserSignedOutEverywhere,
            target,
            None,
            Some(after),
            origin,
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(ended)
}
