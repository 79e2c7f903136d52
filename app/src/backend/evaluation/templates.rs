//! Sheet templates: listed, read, created (from scratch or as a copy), changed and deleted
//! by evaluation admins. Each write checks the template with `Template::check` (the page
//! checks the same as one types), refuses an edit based on an older version, and writes
//! its audit row with the template as it was and as it is.

use crate::backend::audit::AuditEntry;
use crate::backend::db::{Db, UniqueKey};
use crate::backend::write::WriteContext;
use crate::domain::audit::AuditAction;
use crate::domain::evaluation::template::{
    StoredTemplate, Template, TemplatePlace, TemplateProblem, TemplateSummary,
};
use crate::domain::form_field::FormField;
use crate::domain::ids::{TemplateId, TenantId};
use crate::domain::problem::Problem;
use crate::domain::time::Timestamp;
use crate::error::AppError;
use sqlx::{Any, Transaction};

/// A template's row as stored.
#[derive(sqlx::FromRow)]
struct TemplateRow {
    id: TemplateId,
    name: String,
    definition: String,
    version: i64,
    updated_at: Timestamp,
}

impl TemplateRow {
    const COLUMNS: &'static str = "id, name, definition, version, updated_at";

    /// The stored document; one this build cannot read is a damaged row, not a template.
    fn template(&self) -> Result<Template, AppError> {
        serde_json::from_str(&self.definition)
            .map_err(|error| AppError::internal("stored evaluation template", error))
    }
}

/// The refusal of a template that does not pass its check: the first problem, where it is
/// (the page shows them all as one types).
fn checked(template: &Template) -> Result<(), AppError> {
    match template.check().into_iter().next() {
        None => Ok(()),
        Some(issue) => Err(AppError::invalid(
            FormField::Template,
            Problem::Template {
                at: issue.at,
                problem: issue.problem,
            },
        )),
    }
}

/// A name another template of the tenant has.
fn name_taken() -> AppError {
    AppError::invalid(
        FormField::Template,
        Problem::Template {
            at: TemplatePlace::Name,
            problem: TemplateProblem::NameTaken,
        },
    )
}

fn stored_as_json(template: &Template) -> String {
    serde_json::to_string(template).expect("a template is plain JSON")
}

fn entry<'a>(
    w: &WriteContext<'a>,
    action: AuditAction,
    id: &'a TemplateId,
    before: Option<&Template>,
    after: Option<&Template>,
) -> AuditEntry<'a> {
    let json = |t: Option<&Template>| t.map(|t| serde_json::to_value(t).expect("plain JSON"));
    w.audit_entry(action, "template", id.as_str(), json(before), json(after))
}

/// The tenant's templates by name.
#[tracing::instrument(skip_all)]
pub async fn list_templates(db: &Db, tenant: &TenantId) -> Result<Vec<TemplateSummary>, AppError> {
    let mut tx = db.begin_for_tenant(tenant).await?;
    let zone = crate::backend::users::tenant_zone(&mut tx, tenant).await?;
    let rows: Vec<TemplateRow> = sqlx::query_as(&format!(
        "SELECT {} FROM evaluation_templates WHERE tenant_id = $1 ORDER BY name, id",
        TemplateRow::COLUMNS
    ))
    .bind(tenant.as_str())
    .fetch_all(&mut *tx)
    .await?;
    tx.commit().await?;
    rows.into_iter()
        .map(|row| {
            let template = row.template()?;
            Ok(TemplateSummary {
                sections: template.sections.len(),
                levels: template.scale.levels.len(),
                id: row.id,
                name: row.name,
                version: row.version,
                updated: row.updated_at.format_in_zone(&zone),
            })
        })
        .collect()
}

async fn stored(
    tx: &mut Transaction<'static, Any>,
    tenant: &TenantId,
    id: &TemplateId,
) -> Result<TemplateRow, AppError> {
    sqlx::query_as(&format!(
        "SELECT {} FROM evaluation_templates WHERE tenant_id = $1 AND id = $2",
        TemplateRow::COLUMNS
    ))
    .bind(tenant.as_str())
    .bind(id.as_str())
    .fetch_optional(&mut **tx)
    .await?
    .ok_or(AppError::NotFound)
}

/// One template with its version (an edit names the version it is based on).
#[tracing::instrument(skip_all)]
pub async fn get_template(
    db: &Db,
    tenant: &TenantId,
    id: &TemplateId,
) -> Result<StoredTemplate, AppError> {
    let mut tx = db.begin_for_tenant(tenant).await?;
    let row = stored(&mut tx, tenant, id).await?;
    tx.commit().await?;
    Ok(StoredTemplate {
        template: row.template()?,
        id: row.id,
        version: row.version,
    })
}

/// Stores a new template; answers its id.
#[tracing::instrument(skip_all)]
pub async fn create_template(
    w: &WriteContext<'_>,
    template: Template,
) -> Result<TemplateId, AppError> {
    let template = template.tidied();
    checked(&template)?;
    let id = TemplateId::generate();
    let mut tx = w.begin().await?;
    insert(&mut tx, w, &id, &template).await?;
    w.audit_and_commit(
        tx,
        entry(w, AuditAction::TemplateCreate, &id, None, Some(&template)),
    )
    .await?;
    Ok(id)
}

async fn insert(
    tx: &mut Transaction<'static, Any>,
    w: &WriteContext<'_>,
    id: &TemplateId,
    template: &Template,
) -> Result<(), AppError> {
    sqlx::query(
        "INSERT INTO evaluation_templates (tenant_id, id, name, definition, version, \
         created_at, updated_at) VALUES ($1, $2, $3, $4, 1, $5, $5)",
    )
    .bind(w.tenant().as_str())
    .bind(id.as_str())
    .bind(template.name.as_str())
    .bind(stored_as_json(template))
    .bind(w.now.as_micros())
    .execute(&mut **tx)
    .await
    .map_err(|error| match UniqueKey::clashed(&error) {
        Some(UniqueKey::TemplateName) => name_taken(),
        _ => error.into(),
    })?;
    Ok(())
}

/// Replaces a template; `version` is the one the edit is based on (another admin's later
/// save is never overwritten). Periods already launched keep their own copy.
#[tracing::instrument(skip_all)]
pub async fn update_template(
    w: &WriteContext<'_>,
    id: &TemplateId,
    version: i64,
    template: Template,
) -> Result<(), AppError> {
    let template = template.tidied();
    checked(&template)?;
    let mut tx = w.begin().await?;
    let before = stored(&mut tx, w.tenant(), id).await?;
    if before.version != version {
        return Err(AppError::Conflict);
    }
    sqlx::query(
        "UPDATE evaluation_templates SET name = $1, definition = $2, version = version + 1, \
         updated_at = $3 WHERE tenant_id = $4 AND id = $5",
    )
    .bind(template.name.as_str())
    .bind(stored_as_json(&template))
    .bind(w.now.as_micros())
    .bind(w.tenant().as_str())
    .bind(id.as_str())
    .execute(&mut *tx)
    .await
    .map_err(|error| match UniqueKey::clashed(&error) {
        Some(UniqueKey::TemplateName) => name_taken(),
        _ => error.into(),
    })?;
    let before = before.template()?;
    w.audit_and_commit(
        tx,
        entry(
            w,
            AuditAction::TemplateUpdate,
            id,
            Some(&before),
            Some(&template),
        ),
    )
    .await
}

/// A copy of a template under the first free name of "… のコピー", "… のコピー (2)", ….
#[tracing::instrument(skip_all)]
pub async fn copy_template(w: &WriteContext<'_>, id: &TemplateId) -> Result<TemplateId, AppError> {
    let mut tx = w.begin().await?;
    let original = stored(&mut tx, w.tenant(), id).await?.template()?;
    let names: Vec<String> =
        sqlx::query_scalar("SELECT name FROM evaluation_templates WHERE tenant_id = $1")
            .bind(w.tenant().as_str())
            .fetch_all(&mut *tx)
            .await?;
    let copy = original.copy_named(Template::copy_name(&original.name, &names));
    let new_id = TemplateId::generate();
    insert(&mut tx, w, &new_id, &copy).await?;
    w.audit_and_commit(
        tx,
        entry(w, AuditAction::TemplateCreate, &new_id, None, Some(&copy)),
    )
    .await?;
    Ok(new_id)
}

/// Deletes a template. Periods launched with it keep their copy.
#[tracing::instrument(skip_all)]
pub async fn delete_template(
    w: &WriteContext<'_>,
    id: &TemplateId,
    version: i64,
) -> Result<(), AppError> {
    let mut tx = w.begin().await?;
    let before = stored(&mut tx, w.tenant(), id).await?;
    if before.version != version {
        return Err(AppError::Conflict);
    }
    sqlx::query("DELETE FROM evaluation_templates WHERE tenant_id = $1 AND id = $2")
        .bind(w.tenant().as_str())
        .bind(id.as_str())
        .execute(&mut *tx)
        .await?;
    let before = before.template()?;
    w.audit_and_commit(
        tx,
        entry(w, AuditAction::TemplateDelete, id, Some(&before), None),
    )
    .await
}
