//! The facts a period's population and evaluator proposal stand on, loaded in three
//! statements (departments, people with their primary posts, managers), and the preview
//! an admin sees before launching: how many people, the first of them with the evaluators
//! the org chart proposes, and everyone the chart proposes nobody for.

use crate::backend::db::Db;
use crate::backend::org;
use crate::domain::dates::CalendarDate;
use crate::domain::employees::Managers;
use crate::domain::evaluation::Stage;
use crate::domain::evaluation::population::{Candidate, PopulationRule, propose_chain};
use crate::domain::ids::{DepartmentId, TenantId, UserId};
use crate::domain::org_tree::OrgTree;
use crate::error::AppError;
use serde::{Deserialize, Serialize};
use sqlx::{Any, Transaction};
use std::collections::HashMap;

/// Everything the population rule and the evaluator proposal read.
pub struct PopulationFacts {
    pub tree: OrgTree,
    pub managers: Managers,
    pub primary: HashMap<UserId, DepartmentId>,
    pub people: Vec<Candidate>,
    /// Names and codes, for the preview.
    names: HashMap<UserId, (String, Option<String>)>,
}

#[derive(sqlx::FromRow)]
struct CandidateRow {
    id: UserId,
    display_name: String,
    employee_code: Option<String>,
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
    let tree = org::tree(tx, tenant).await?;
    let rows: Vec<CandidateRow> = sqlx::query_as(
        "SELECT u.id, u.display_name, u.employee_code, u.status, u.grade, u.employment_type, \
         u.hire_date, p.department_id FROM users u \
         LEFT JOIN posts p ON p.tenant_id = u.tenant_id AND p.user_id = u.id AND p.is_primary = 1 \
         WHERE u.tenant_id = $1 ORDER BY COALESCE(u.employee_code, ''), u.id",
    )
    .bind(tenant.as_str())
    .fetch_all(&mut **tx)
    .await?;
    let managers: Managers = sqlx::query_as::<_, (DepartmentId, UserId)>(
        "SELECT department_id, user_id FROM posts WHERE tenant_id = $1 AND is_manager = 1",
    )
    .bind(tenant.as_str())
    .fetch_all(&mut **tx)
    .await?
    .into_iter()
    .collect();
    let mut primary = HashMap::with_capacity(rows.len());
    let mut names = HashMap::with_capacity(rows.len());
    let mut people = Vec::with_capacity(rows.len());
    for row in rows {
        if let Some(department) = &row.department_id {
            primary.insert(row.id.clone(), department.clone());
        }
        names.insert(row.id.clone(), (row.display_name, row.employee_code));
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
        names,
    })
}

/// A person of the preview with the evaluators proposed for them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProposedPerson {
    pub id: UserId,
    pub name: String,
    pub employee_code: Option<String>,
    /// Stage 1 first; `None` where the chart proposes nobody.
    pub evaluators: Vec<Option<(UserId, String)>>,
}

/// What a period would hold if launched now.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PopulationPreview {
    pub count: usize,
    /// The first `shown` people, in employee-code order.
    pub people: Vec<ProposedPerson>,
    /// Everyone with a stage the chart proposes nobody for (to fix before launch).
    pub without_evaluator: Vec<ProposedPerson>,
}

impl PopulationFacts {
    /// A person's name (empty for an id the tenant does not have).
    pub fn name_of(&self, id: &UserId) -> String {
        self.names
            .get(id)
            .map(|(n, _)| n.clone())
            .unwrap_or_default()
    }

    /// A person's employee code, else their name.
    pub fn code_of(&self, id: &UserId) -> String {
        match self.names.get(id) {
            Some((_, Some(code))) => code.clone(),
            Some((name, None)) => name.clone(),
            None => id.to_string(),
        }
    }

    fn person(&self, id: &UserId, chain: Vec<Option<UserId>>) -> ProposedPerson {
        let (name, code) = self.names.get(id).cloned().unwrap_or_default();
        ProposedPerson {
            id: id.clone(),
            name,
            employee_code: code,
            evaluators: chain
                .into_iter()
                .map(|evaluator| {
                    evaluator.map(|e| {
                        let name = self
                            .names
                            .get(&e)
                            .map(|(n, _)| n.clone())
                            .unwrap_or_default();
                        (e, name)
                    })
                })
                .collect(),
        }
    }

    /// The population of `rule` with its proposed evaluators at `stages` stages.
    pub fn preview(&self, rule: &PopulationRule, stages: u8, shown: usize) -> PopulationPreview {
        let stages = stages.clamp(1, Stage::MAX);
        let selected = rule.select(&self.tree, &self.people);
        let mut people = Vec::with_capacity(shown.min(selected.len()));
        let mut without_evaluator = Vec::new();
        for (index, candidate) in selected.iter().enumerate() {
            let chain = propose_chain(
                &self.tree,
                &self.managers,
                &self.primary,
                &candidate.id,
                stages,
            );
            let missing = chain.iter().any(Option::is_none);
            if index < shown || missing {
                let person = self.person(&candidate.id, chain);
                if missing {
                    without_evaluator.push(person.clone());
                }
                if index < shown {
                    people.push(person);
                }
            }
        }
        PopulationPreview {
            count: selected.len(),
            people,
            without_evaluator,
        }
    }
}

/// The preview of a population in one read of the tenant.
#[tracing::instrument(skip_all)]
pub async fn preview(
    db: &Db,
    tenant: &TenantId,
    rule: &PopulationRule,
    stages: u8,
    shown: usize,
) -> Result<PopulationPreview, AppError> {
    let mut tx = db.begin_for_tenant(tenant).await?;
    let facts = load_facts(&mut tx, tenant).await?;
    tx.commit().await?;
    Ok(facts.preview(rule, stages, shown))
}
