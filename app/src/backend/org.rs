//! Departments (PRODUCT §3): the chart, and the live edits of the tree editor. Each edit is
//! one transaction that first bumps the tenant's org revision (which serializes the tenant's
//! org writers, so two moves can never combine into a cycle), checks the department's
//! version (a stale edit is refused, never applied over another admin's), applies the rule
//! from `domain::org_tree`, writes its audit row, and answers the [`OrgChange`] to publish
//! once committed.

use crate::backend::audit::AuditEntry;
use crate::backend::db::{Db, UniqueKey};
use crate::backend::org_events::OrgChange;
use crate::backend::write::WriteContext;
use crate::domain::account_status::AccountStatus;
use crate::domain::audit::AuditAction;
use crate::domain::choice::{CHOICES_SHOWN, Choice};
use crate::domain::codes::{DepartmentCode, EmployeeCode};
use crate::domain::employees::parse_name;
use crate::domain::form_field::FormField;
use crate::domain::ids::{DepartmentId, TenantId, UserId};
use crate::domain::org_chart::{DepartmentNode, Member, MemberPage, OrgChart, PersonRef};
use crate::domain::org_tree::{Node, OrgTree, SORT_STEP};
use crate::domain::problem::Problem;
use crate::error::AppError;
use sqlx::{Any, Transaction};

pub const MEMBERS_PER_PAGE: i64 = 50;

/// Bumps the tenant's org revision and returns the new one. Call it first in every
/// transaction that changes the org chart: it takes the tenant's org write lock (a row lock
/// on PostgreSQL; on SQLite the database write lock, taken before anything is read, so the
/// reads that follow cannot go stale).
#[tracing::instrument(skip_all)]
pub async fn bump_revision(
    tx: &mut Transaction<'static, Any>,
    tenant: &TenantId,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "UPDATE tenants SET org_revision = org_revision + 1 WHERE id = $1 RETURNING org_revision",
    )
    .bind(tenant.as_str())
    .fetch_one(&mut **tx)
    .await
}

const NODE_COLUMNS: &str = "SELECT d.id, d.code, d.name, d.parent_id, d.sort_order, d.version, \
     (SELECT COUNT(*) FROM posts p WHERE p.tenant_id = d.tenant_id AND p.department_id = d.id) AS members, \
     m.user_id AS manager_id, u.display_name AS manager_name, u.employee_code AS manager_code \
     FROM departments d \
     LEFT JOIN posts m ON m.tenant_id = d.tenant_id AND m.department_id = d.id AND m.is_manager = 1 \
     LEFT JOIN users u ON u.tenant_id = m.tenant_id AND u.id = m.user_id \
     WHERE d.tenant_id = $1";

/// A department as the chart shows it: a row of [`NODE_COLUMNS`].
#[derive(sqlx::FromRow)]
struct NodeRow {
    id: DepartmentId,
    code: DepartmentCode,
    name: String,
    parent_id: Option<DepartmentId>,
    sort_order: i64,
    version: i64,
    members: i64,
    manager_id: Option<UserId>,
    manager_name: Option<String>,
    manager_code: Option<EmployeeCode>,
}

impl From<NodeRow> for DepartmentNode {
    fn from(row: NodeRow) -> DepartmentNode {
        DepartmentNode {
            id: row.id,
            code: row.code,
            name: row.name,
            parent: row.parent_id,
            sort_order: row.sort_order,
            version: row.version,
            manager: row.manager_id.map(|id| PersonRef {
                id,
                name: row.manager_name.unwrap_or_default(),
                employee_code: row.manager_code,
            }),
            members: row.members,
        }
    }
}

/// The whole chart. The revision is read first: a change committed in between is then both
/// in the chart and announced after it, which the browser handles (never the reverse).
#[tracing::instrument(skip_all)]
pub async fn load_chart(db: &Db, tenant: &TenantId, can_edit: bool) -> Result<OrgChart, AppError> {
    let mut tx = db.begin_for_tenant(tenant).await?;
    let revision = revision_in(&mut tx, tenant).await?;
    let rows = sqlx::query_as::<_, NodeRow>(NODE_COLUMNS)
        .bind(tenant.as_str())
        .fetch_all(&mut *tx)
        .await?;
    tx.commit().await?;
    let departments = rows.into_iter().map(DepartmentNode::from).collect();
    Ok(OrgChart {
        departments,
        revision,
        can_edit,
    })
}

/// Whether the tenant has any department yet (a new one's admins build the chart first).
#[tracing::instrument(skip_all)]
pub async fn has_departments(db: &Db, tenant: &TenantId) -> Result<bool, AppError> {
    let mut tx = db.begin_for_tenant(tenant).await?;
    let any: Option<String> =
        sqlx::query_scalar("SELECT id FROM departments WHERE tenant_id = $1 LIMIT 1")
            .bind(tenant.as_str())
            .fetch_optional(&mut *tx)
            .await?;
    tx.commit().await?;
    Ok(any.is_some())
}

/// The tenant's org revision now (a live stream starts with it).
#[tracing::instrument(skip_all)]
pub async fn current_revision(db: &Db, tenant: &TenantId) -> Result<i64, AppError> {
    let mut tx = db.begin_for_tenant(tenant).await?;
    let revision = revision_in(&mut tx, tenant).await?;
    tx.commit().await?;
    Ok(revision)
}

async fn revision_in(
    tx: &mut Transaction<'static, Any>,
    tenant: &TenantId,
) -> Result<i64, AppError> {
    Ok(
        sqlx::query_scalar("SELECT org_revision FROM tenants WHERE id = $1")
            .bind(tenant.as_str())
            .fetch_one(&mut **tx)
            .await?,
    )
}

/// Some departments as the chart shows them (for live events); unknown ids are skipped.
#[tracing::instrument(skip_all)]
pub async fn departments_by_id(
    db: &Db,
    tenant: &TenantId,
    ids: &[DepartmentId],
) -> Result<Vec<DepartmentNode>, crate::backend::db::DbError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let placeholders = (0..ids.len())
        .map(|i| format!("${}", i + 2))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!("{NODE_COLUMNS} AND d.id IN ({placeholders})");
    let mut tx = db.begin_for_tenant(tenant).await?;
    let mut query = sqlx::query_as::<_, NodeRow>(&sql).bind(tenant.as_str());
    for id in ids {
        query = query.bind(id.as_str());
    }
    let rows = query.fetch_all(&mut *tx).await?;
    tx.commit().await?;
    Ok(rows.into_iter().map(DepartmentNode::from).collect())
}

/// The tree of the tenant's departments, as stored.
#[tracing::instrument(skip_all)]
pub async fn tree(
    tx: &mut Transaction<'static, Any>,
    tenant: &TenantId,
) -> Result<OrgTree, AppError> {
    let nodes: Vec<Node> = sqlx::query_as(
        "SELECT id, parent_id AS parent, sort_order FROM departments WHERE tenant_id = $1",
    )
    .bind(tenant.as_str())
    .fetch_all(&mut **tx)
    .await?;
    OrgTree::new(nodes).map_err(|error| AppError::internal("stored org tree", error))
}

/// A department's row as the audit log records it.
async fn snapshot(
    tx: &mut Transaction<'static, Any>,
    tenant: &TenantId,
    id: &DepartmentId,
) -> Result<serde_json::Value, AppError> {
    let row = sqlx::query_as::<_, DepartmentSnapshot>(
        "SELECT d.code, d.name, d.sort_order, d.version, p.code AS parent_code, \
         u.employee_code AS manager_code, u.display_name AS manager_name \
         FROM departments d \
         LEFT JOIN departments p ON p.tenant_id = d.tenant_id AND p.id = d.parent_id \
         LEFT JOIN posts m ON m.tenant_id = d.tenant_id AND m.department_id = d.id AND m.is_manager = 1 \
         LEFT JOIN users u ON u.tenant_id = m.tenant_id AND u.id = m.user_id \
         WHERE d.tenant_id = $1 AND d.id = $2",
    )
    .bind(tenant.as_str())
    .bind(id.as_str())
    .fetch_optional(&mut **tx)
    .await?
    .ok_or(AppError::NotFound)?;
    Ok(serde_json::to_value(row).expect("a snapshot is plain JSON"))
}

/// A department's row as the audit log records it, by codes rather than ids.
#[derive(sqlx::FromRow, serde::Serialize)]
struct DepartmentSnapshot {
    code: String,
    name: String,
    parent_code: Option<String>,
    sort_order: i64,
    version: i64,
    manager_code: Option<String>,
    manager_name: Option<String>,
}

/// The audit row of a change of department `id`.
fn entry<'a>(
    w: &WriteContext<'a>,
    action: AuditAction,
    id: &'a DepartmentId,
    before: Option<serde_json::Value>,
    after: Option<serde_json::Value>,
) -> AuditEntry<'a> {
    w.audit_entry(action, "department", id.as_str(), before, after)
}

/// Ends an edit of `id`: records it with its state before and now, and commits.
async fn commit_edit(
    w: &WriteContext<'_>,
    mut tx: Transaction<'static, Any>,
    action: AuditAction,
    id: &DepartmentId,
    before: serde_json::Value,
) -> Result<(), AppError> {
    let after = snapshot(&mut tx, w.tenant(), id).await?;
    w.audit_and_commit(tx, entry(w, action, id, Some(before), Some(after)))
        .await
}

/// Refuses an edit based on another version than the stored one.
async fn check_version(
    tx: &mut Transaction<'static, Any>,
    tenant: &TenantId,
    id: &DepartmentId,
    expected: i64,
) -> Result<(), AppError> {
    let current: Option<i64> =
        sqlx::query_scalar("SELECT version FROM departments WHERE tenant_id = $1 AND id = $2")
            .bind(tenant.as_str())
            .bind(id.as_str())
            .fetch_optional(&mut **tx)
            .await?;
    match current {
        None => Err(AppError::NotFound),
        Some(version) if version != expected => Err(AppError::Conflict),
        Some(_) => Ok(()),
    }
}

fn parse_department(code: &str, name: &str) -> Result<(DepartmentCode, String), AppError> {
    let code = DepartmentCode::parse(code)
        .map_err(|problem| AppError::invalid(FormField::DepartmentCode, problem))?;
    let name = parse_name(name)
        .map_err(|problem| AppError::invalid(FormField::DepartmentName, problem))?;
    Ok((code, name))
}

/// Maps the unique key on (tenant, code) to a clear message.
fn code_taken(error: sqlx::Error) -> AppError {
    if UniqueKey::clashed(&error) == Some(UniqueKey::DepartmentCode) {
        AppError::invalid(FormField::DepartmentCode, Problem::UsedByAnotherDepartment)
    } else {
        error.into()
    }
}

/// Adds a department as the last child of `parent` (a top-level one for `None`).
#[tracing::instrument(skip_all)]
pub async fn create_department(
    w: &WriteContext<'_>,
    parent: Option<DepartmentId>,
    code: &str,
    name: &str,
) -> Result<(DepartmentId, OrgChange), AppError> {
    let (code, name) = parse_department(code, name)?;
    let tenant = w.tenant();
    let mut tx = w.begin().await?;
    let revision = bump_revision(&mut tx, tenant).await?;
    let tree = tree(&mut tx, tenant).await?;
    if let Some(parent) = &parent
        && tree.get(parent).is_none()
    {
        return Err(AppError::NotFound);
    }
    let last = tree
        .children(parent.as_ref())
        .into_iter()
        .filter_map(|id| tree.get(id).map(|node| node.sort_order))
        .max()
        .unwrap_or(0);
    let id = DepartmentId::generate();
    sqlx::query(
        "INSERT INTO departments (tenant_id, id, code, name, parent_id, sort_order, version, \
         created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, 1, $7, $7)",
    )
    .bind(tenant.as_str())
    .bind(id.as_str())
    .bind(code.as_str())
    .bind(&name)
    .bind(parent.as_ref().map(DepartmentId::as_str))
    .bind(last.saturating_add(SORT_STEP))
    .bind(w.now.as_micros())
    .execute(&mut *tx)
    .await
    .map_err(code_taken)?;
    let after = snapshot(&mut tx, tenant, &id).await?;
    w.audit_and_commit(
        tx,
        entry(w, AuditAction::DepartmentCreate, &id, None, Some(after)),
    )
    .await?;
    let change = OrgChange::new(tenant, revision).changed([id.clone()]);
    Ok((id, change))
}

/// Renames a department or changes its code.
#[tracing::instrument(skip_all)]
pub async fn update_department(
    w: &WriteContext<'_>,
    id: &DepartmentId,
    version: i64,
    code: &str,
    name: &str,
) -> Result<OrgChange, AppError> {
    let (code, name) = parse_department(code, name)?;
    let tenant = w.tenant();
    let mut tx = w.begin().await?;
    let revision = bump_revision(&mut tx, tenant).await?;
    check_version(&mut tx, tenant, id, version).await?;
    let before = snapshot(&mut tx, tenant, id).await?;
    sqlx::query(
        "UPDATE departments SET code = $1, name = $2, version = version + 1, updated_at = $3 \
         WHERE tenant_id = $4 AND id = $5",
    )
    .bind(code.as_str())
    .bind(&name)
    .bind(w.now.as_micros())
    .bind(tenant.as_str())
    .bind(id.as_str())
    .execute(&mut *tx)
    .await
    .map_err(code_taken)?;
    commit_edit(w, tx, AuditAction::DepartmentUpdate, id, before).await?;
    Ok(OrgChange::new(tenant, revision).changed([id.clone()]))
}

/// Moves a department under `new_parent` (top level for `None`) at `index` among its new
/// siblings; reordering is a move to the same parent. Refused if it would put the
/// department under itself or its own sub-departments. Answers the change and the
/// department's new version (the next move of the same department is based on it).
#[tracing::instrument(skip_all)]
pub async fn move_department(
    w: &WriteContext<'_>,
    id: &DepartmentId,
    version: i64,
    new_parent: Option<DepartmentId>,
    index: usize,
) -> Result<(OrgChange, i64), AppError> {
    let tenant = w.tenant();
    let mut tx = w.begin().await?;
    let revision = bump_revision(&mut tx, tenant).await?;
    check_version(&mut tx, tenant, id, version).await?;
    let tree = tree(&mut tx, tenant).await?;
    let plan = tree.plan_move(id, new_parent.as_ref(), index)?;
    let before = snapshot(&mut tx, tenant, id).await?;
    let moved_parent = tree.get(id).and_then(|node| node.parent.clone());
    if moved_parent != plan.new_parent {
        sqlx::query(
            "UPDATE departments SET parent_id = $1, updated_at = $2 WHERE tenant_id = $3 AND id = $4",
        )
        .bind(plan.new_parent.as_ref().map(DepartmentId::as_str))
        .bind(w.now.as_micros())
        .bind(tenant.as_str())
        .bind(id.as_str())
        .execute(&mut *tx)
        .await?;
    }
    // Only the moved department's version changes: renumbering its new siblings is no edit
    // of theirs, so an admin renaming one of them at the same time is not refused.
    sqlx::query("UPDATE departments SET version = version + 1 WHERE tenant_id = $1 AND id = $2")
        .bind(tenant.as_str())
        .bind(id.as_str())
        .execute(&mut *tx)
        .await?;
    for (sibling, order) in &plan.sort_orders {
        sqlx::query("UPDATE departments SET sort_order = $1 WHERE tenant_id = $2 AND id = $3")
            .bind(order)
            .bind(tenant.as_str())
            .bind(sibling.as_str())
            .execute(&mut *tx)
            .await?;
    }
    commit_edit(w, tx, AuditAction::DepartmentMove, id, before).await?;
    let renumbered = plan.sort_orders.into_iter().map(|(sibling, _)| sibling);
    let change = OrgChange::new(tenant, revision)
        .changed([id.clone()])
        .changed(renumbered);
    Ok((change, version + 1))
}

async fn member_count(
    tx: &mut Transaction<'static, Any>,
    tenant: &TenantId,
    id: &DepartmentId,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT COUNT(*) FROM posts WHERE tenant_id = $1 AND department_id = $2")
        .bind(tenant.as_str())
        .bind(id.as_str())
        .fetch_one(&mut **tx)
        .await
}

/// Deletes a department that has no sub-departments and no members; otherwise says why.
#[tracing::instrument(skip_all)]
pub async fn delete_department(
    w: &WriteContext<'_>,
    id: &DepartmentId,
    version: i64,
) -> Result<OrgChange, AppError> {
    let tenant = w.tenant();
    let mut tx = w.begin().await?;
    let revision = bump_revision(&mut tx, tenant).await?;
    check_version(&mut tx, tenant, id, version).await?;
    let tree = tree(&mut tx, tenant).await?;
    let members = member_count(&mut tx, tenant, id).await?;
    tree.can_delete(id, usize::try_from(members).unwrap_or(usize::MAX))?;
    let before = snapshot(&mut tx, tenant, id).await?;
    // A business admin's scope naming it goes with it (ON DELETE CASCADE).
    sqlx::query("DELETE FROM departments WHERE tenant_id = $1 AND id = $2")
        .bind(tenant.as_str())
        .bind(id.as_str())
        .execute(&mut *tx)
        .await?;
    w.audit_and_commit(
        tx,
        entry(w, AuditAction::DepartmentDelete, id, Some(before), None),
    )
    .await?;
    Ok(OrgChange::new(tenant, revision).removed(id.clone()))
}

/// Makes the employee with `employee_code` the department's manager (empty: nobody). An
/// employee who holds no post there gets a concurrent one, since a manager belongs to the
/// department they manage.
#[tracing::instrument(skip_all)]
pub async fn set_manager(
    w: &WriteContext<'_>,
    id: &DepartmentId,
    version: i64,
    employee_code: &str,
) -> Result<OrgChange, AppError> {
    let tenant = w.tenant();
    let manager = if employee_code.trim().is_empty() {
        None
    } else {
        Some(
            EmployeeCode::parse(employee_code)
                .map_err(|problem| AppError::invalid(FormField::Manager, problem))?,
        )
    };
    let mut tx = w.begin().await?;
    let revision = bump_revision(&mut tx, tenant).await?;
    check_version(&mut tx, tenant, id, version).await?;
    let user: Option<UserId> = match &manager {
        None => None,
        Some(code) => {
            let found: Option<String> = sqlx::query_scalar(
                "SELECT id FROM users WHERE tenant_id = $1 AND employee_code = $2",
            )
            .bind(tenant.as_str())
            .bind(code.as_str())
            .fetch_optional(&mut *tx)
            .await?;
            Some(UserId::from_stored(found.ok_or_else(|| {
                AppError::invalid(
                    FormField::Manager,
                    Problem::UnknownEmployeeCode {
                        code: code.to_string(),
                    },
                )
            })?))
        }
    };
    let before = snapshot(&mut tx, tenant, id).await?;
    sqlx::query(
        "UPDATE posts SET is_manager = 0 WHERE tenant_id = $1 AND department_id = $2 AND is_manager = 1",
    )
    .bind(tenant.as_str())
    .bind(id.as_str())
    .execute(&mut *tx)
    .await?;
    if let Some(user) = &user {
        let updated = sqlx::query(
            "UPDATE posts SET is_manager = 1 WHERE tenant_id = $1 AND department_id = $2 AND user_id = $3",
        )
        .bind(tenant.as_str())
        .bind(id.as_str())
        .bind(user.as_str())
        .execute(&mut *tx)
        .await?;
        if updated.rows_affected() == 0 {
            sqlx::query(
                "INSERT INTO posts (tenant_id, user_id, department_id, is_primary, is_manager, created_at) \
                 VALUES ($1, $2, $3, 0, 1, $4)",
            )
            .bind(tenant.as_str())
            .bind(user.as_str())
            .bind(id.as_str())
            .bind(w.now.as_micros())
            .execute(&mut *tx)
            .await?;
        }
    }
    sqlx::query(
        "UPDATE departments SET version = version + 1, updated_at = $1 WHERE tenant_id = $2 AND id = $3",
    )
    .bind(w.now.as_micros())
    .bind(tenant.as_str())
    .bind(id.as_str())
    .execute(&mut *tx)
    .await?;
    commit_edit(w, tx, AuditAction::DepartmentManager, id, before).await?;
    Ok(OrgChange::new(tenant, revision).changed([id.clone()]))
}

/// One page of a department's members: its manager first, then primary posts, then
/// concurrent ones, each by employee code.
#[tracing::instrument(skip_all)]
pub async fn members(
    db: &Db,
    tenant: &TenantId,
    id: &DepartmentId,
    page: i64,
) -> Result<MemberPage, AppError> {
    let page = page.max(1);
    let mut tx = db.begin_for_tenant(tenant).await?;
    let exists: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM departments WHERE tenant_id = $1 AND id = $2")
            .bind(tenant.as_str())
            .bind(id.as_str())
            .fetch_one(&mut *tx)
            .await?;
    if exists == 0 {
        return Err(AppError::NotFound);
    }
    let total = member_count(&mut tx, tenant, id).await?;
    // COALESCE: SQLite and PostgreSQL sort NULLs at opposite ends.
    let rows = sqlx::query_as::<_, MemberRow>(
        "SELECT u.id, u.display_name, u.employee_code, u.kana, u.job_title, u.status, \
         p.is_primary, p.is_manager FROM posts p \
         JOIN users u ON u.tenant_id = p.tenant_id AND u.id = p.user_id \
         WHERE p.tenant_id = $1 AND p.department_id = $2 \
         ORDER BY p.is_manager DESC, p.is_primary DESC, COALESCE(u.employee_code, ''), u.display_name, u.id \
         LIMIT $3 OFFSET $4",
    )
    .bind(tenant.as_str())
    .bind(id.as_str())
    .bind(MEMBERS_PER_PAGE)
    .bind((page - 1) * MEMBERS_PER_PAGE)
    .fetch_all(&mut *tx)
    .await?;
    tx.commit().await?;
    let members = rows
        .into_iter()
        .map(|row| Member {
            person: row.person,
            kana: row.kana,
            job_title: row.job_title,
            primary: row.is_primary == 1,
            manager: row.is_manager == 1,
            status: row.status,
        })
        .collect();
    Ok(MemberPage {
        members,
        total,
        page,
        per_page: MEMBERS_PER_PAGE,
    })
}

/// A member of a department with their post there.
#[derive(sqlx::FromRow)]
struct MemberRow {
    #[sqlx(flatten)]
    person: PersonRef,
    kana: Option<String>,
    job_title: Option<String>,
    status: AccountStatus,
    // 0 or 1 on both databases.
    is_primary: i64,
    is_manager: i64,
}

/// Departments whose code or name holds `query`, for a picker: exact code first, then codes
/// that start with it, then the rest by code; each with its parent's name to tell alike
/// names apart.
#[tracing::instrument(skip_all)]
pub async fn find_departments(
    db: &Db,
    tenant: &TenantId,
    query: &str,
) -> Result<Vec<Choice>, AppError> {
    let search = crate::backend::db::TextSearch::parse(query)
        .unwrap_or_else(crate::backend::db::TextSearch::everything);
    let sql = format!(
        "SELECT d.code AS value, d.name AS label, COALESCE(p.name, '') AS detail FROM departments d \
         LEFT JOIN departments p ON p.tenant_id = d.tenant_id AND p.id = d.parent_id \
         WHERE d.tenant_id = $1 AND {} \
         ORDER BY CASE WHEN LOWER(d.code) = $3 THEN 0 WHEN LOWER(d.code) LIKE $4 ESCAPE '\\' THEN 1 ELSE 2 END, \
         d.code LIMIT $5",
        crate::backend::db::TextSearch::condition(&["d.code", "d.name"], 2)
    );
    let mut tx = db.begin_for_tenant(tenant).await?;
    let choices = sqlx::query_as(&sql)
        .bind(tenant.as_str())
        .bind(search.contains_pattern())
        .bind(search.folded())
        .bind(search.starts_pattern())
        .bind(CHOICES_SHOWN)
        .fetch_all(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(choices)
}
