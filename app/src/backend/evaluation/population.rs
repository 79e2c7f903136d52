//! The facts a period's population and evaluator proposal stand on, loaded in two
//! statements (departments with their managers, people with their primary posts). Names
//! are not among them: only the few people a page shows need theirs, read by id.

use crate::domain::dates::CalendarDate;
use crate::domain::employees::Managers;
use crate::domain::evaluation::population::Candidate;
use crate::domain::ids::{DepartmentId, TenantId, UserId};
use crate::domain::org_tree::{Node, OrgTree};
use crate::error::AppError;
use sqlx::{Any, Transaction};
use std::collections::HashMap;

/// Everything the population rule and the evaluator proposal read.
pub struct PopulationFacts {
    pub tree: OrgTree,
    pub managers: Managers,
    pub primary: HashMap<UserId, DepartmentId>,
    /// In employee-code order (people without a code first), the order pages list them in.
    pub people: Vec<Candidate>,
}

#[derive(sqlx::FromRow)]
struct DepartmentRow {
    id: DepartmentId,
    parent: Option<DepartmentId>,
    sort_order: i64,
    manager: Option<UserId>,
}

#[derive(sqlx::FromRow)]
struct CandidateRow {
    id: UserId,
    status: crate::domain::account_status::AccountStatus,
    grade: Option<String>,
    employment_type: Option<String>,
    hire_date: Option<CalendarDate>,
    department_id: Option<DepartmentId>,
}

/// Loads the facts of the whole tenant in one read transaction.
#[tracing::instrument(skip_all)]
pub async fn load_facts(
    tx: &mut Transaction<'static, Any>,
    tenant: &TenantId,
) -> Result<PopulationFacts, AppError> {
    // The managers by each department's own partial index, one lookup per department.
    let departments: Vec<DepartmentRow> = sqlx::query_as(
        "SELECT d.id, d.parent_id AS parent, d.sort_order, m.user_id AS manager \
         FROM departments d LEFT JOIN posts m ON m.tenant_id = d.tenant_id \
         AND m.department_id = d.id AND m.is_manager = 1 WHERE d.tenant_id = $1",
    )
    .bind(tenant.as_str())
    .fetch_all(&mut **tx)
    .await?;
    let mut managers = Managers::with_capacity(departments.len());
    let mut nodes = Vec::with_capacity(departments.len());
    for row in departments {
        if let Some(manager) = row.manager {
            managers.insert(row.id.clone(), manager);
        }
        nodes.push(Node {
            id: row.id,
            parent: row.parent,
            sort_order: row.sort_order,
        });
    }
    let tree = OrgTree::new(nodes).map_err(|error| AppError::internal("stored org tree", error))?;
    // From the index `users_population` alone, in its order.
    let rows: Vec<CandidateRow> = sqlx::query_as(
        "SELECT u.id, u.status, u.grade, u.employment_type, \
         u.hire_date, p.department_id FROM users u \
         LEFT JOIN posts p ON p.tenant_id = u.tenant_id AND p.user_id = u.id AND p.is_primary = 1 \
         WHERE u.tenant_id = $1 ORDER BY u.employee_code NULLS FIRST, u.id",
    )
    .bind(tenant.as_str())
    .fetch_all(&mut **tx)
    .await?;
    let mut primary = HashMap::with_capacity(rows.len());
    let mut people = Vec::with_capacity(rows.len());
    for row in rows {
        if let Some(department) = &row.department_id {
            primary.insert(row.id.clone(), department.clone());
        }
        people.push(Candidate {
            deactivated: row.status == crate::domain::account_status::AccountStatus::Deactivated,
            primary: row.department_id,
            grade: row.grade,
            employment_type: row.employment_type,
            hire_date: row.hire_date,
            id: row.id,
        });
    }
    Ok(PopulationFacts {
        tree,
        managers,
        primary,
        people,
    })
}
