//! Tenants and contracts: the operator's side (WP 1, 16). These functions are called by the
//! `kouka tenant …` commands only; they print contract data and never a tenant's people.

use crate::backend::audit::{self, Actor, AuditEntry, Outcome, RequestOrigin};
use crate::backend::db::{Db, DbError, UniqueKey};
use crate::backend::tokens::{self, Purpose};
use crate::domain::account_status::AccountStatus;
use crate::domain::audit::AuditAction;
use crate::domain::dates::CalendarDate;
use crate::domain::email::Email;
use crate::domain::ids::{TenantId, UserId};
use crate::domain::problem::Problem;
use crate::domain::roles::Role;
use crate::domain::tenant::CompanyCode;
use crate::domain::time::Timestamp;
use sqlx::{Any, Transaction};

/// What the operator gives to create a tenant, already parsed.
#[derive(Clone, Debug)]
pub struct NewTenant {
    pub code: CompanyCode,
    pub name: String,
    pub seat_limit: i64,
    pub contract_start: CalendarDate,
    pub contract_end: Option<CalendarDate>,
    pub time_zone: String,
    pub contact_email: Option<Email>,
    pub admin_email: Email,
    pub admin_name: String,
}

/// The 書面通知: what the operator hands to the customer's first admin.
#[derive(Clone, Debug)]
pub struct SetupNotice {
    pub tenant_id: TenantId,
    pub code: CompanyCode,
    pub name: String,
    pub admin_name: String,
    pub admin_email: Email,
    /// `{KOUKA_BASE_URL}/setup/{code}`
    pub setup_url: String,
    pub setup_code: String,
    pub expires_at: Timestamp,
    pub time_zone: String,
}

#[derive(Debug, thiserror::Error)]
pub enum TenantError {
    #[error("企業コード {0} は既に使われています / The company code {0} is already taken")]
    CodeTaken(CompanyCode),
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<sqlx::Error> for TenantError {
    fn from(error: sqlx::Error) -> Self {
        TenantError::Db(DbError::Sqlx(error))
    }
}

/// Contract data of a tenant, as `kouka tenant list/show` print it.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct TenantContract {
    pub id: TenantId,
    pub code: CompanyCode,
    pub name: String,
    pub time_zone: String,
    pub contact_email: Option<Email>,
    pub seat_limit: i64,
    pub contract_start: CalendarDate,
    pub contract_end: Option<CalendarDate>,
    pub created_at: Timestamp,
}

/// Creates the tenant, its first system admin (who has no password yet) and the setup
/// token, with audit rows, all in one transaction.
#[tracing::instrument(skip_all)]
pub async fn create_tenant(
    db: &Db,
    base_url: &str,
    new: NewTenant,
) -> Result<SetupNotice, TenantError> {
    if find_by_code(db, &new.code).await?.is_some() {
        return Err(TenantError::CodeTaken(new.code));
    }
    let tenant = TenantId::generate();
    let admin = UserId::generate();
    let now = Timestamp::now();
    let mut tx = db.begin_write_for_tenant(&tenant).await?;
    let inserted = sqlx::query(
        "INSERT INTO tenants (id, code, name, time_zone, contact_email, seat_limit, \
         contract_start, contract_end, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)",
    )
    .bind(tenant.as_str())
    .bind(new.code.as_str())
    .bind(&new.name)
    .bind(&new.time_zone)
    .bind(new.contact_email.as_ref().map(Email::as_str))
    .bind(new.seat_limit)
    .bind(new.contract_start.iso())
    .bind(new.contract_end.map(CalendarDate::iso))
    .bind(now.as_micros())
    .execute(&mut *tx)
    .await;
    if let Err(error) = inserted {
        // Another operator took the code between our check and the insert.
        return Err(
            if UniqueKey::clashed(&error) == Some(UniqueKey::TenantCode) {
                TenantError::CodeTaken(new.code)
            } else {
                error.into()
            },
        );
    }
    sqlx::query(
        "INSERT INTO users (tenant_id, id, email, display_name, status, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $6, $5, $5)",
    )
    .bind(tenant.as_str())
    .bind(admin.as_str())
    .bind(new.admin_email.as_str())
    .bind(&new.admin_name)
    .bind(now.as_micros())
    .bind(AccountStatus::Invited.as_str())
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "INSERT INTO user_roles (tenant_id, user_id, role, created_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(tenant.as_str())
    .bind(admin.as_str())
    .bind(Role::SystemAdmin.as_str())
    .bind(now.as_micros())
    .execute(&mut *tx)
    .await?;
    let token = tokens::issue(&mut tx, &tenant, &admin, Purpose::Setup, now).await?;
    audit::record(
        &mut tx,
        operator_entry(
            &tenant,
            AuditAction::TenantCreate,
            "tenant",
            tenant.as_str(),
            serde_json::json!({
                "code": new.code.as_str(),
                "name": new.name,
                "seat_limit": new.seat_limit,
                "contract_start": new.contract_start,
                "contract_end": new.contract_end,
                "time_zone": new.time_zone,
            }),
        ),
    )
    .await?;
    audit::record(
        &mut tx,
        operator_entry(
            &tenant,
            AuditAction::UserCreate,
            "user",
            admin.as_str(),
            serde_json::json!({ "roles": [Role::SystemAdmin.as_str()], "status": AccountStatus::Invited }),
        ),
    )
    .await?;
    tx.commit().await?;

    let setup_code = token.secret.encode();
    Ok(SetupNotice {
        tenant_id: tenant,
        code: new.code,
        name: new.name,
        admin_name: new.admin_name,
        admin_email: new.admin_email,
        setup_url: Purpose::Setup.link(base_url, &setup_code),
        setup_code,
        expires_at: token.expires_at,
        time_zone: new.time_zone,
    })
}

/// An audit entry for a change the operator made from the command line.
fn operator_entry<'a>(
    tenant: &'a TenantId,
    action: AuditAction,
    target_type: &'a str,
    target_id: &'a str,
    after: serde_json::Value,
) -> AuditEntry<'a> {
    AuditEntry {
        tenant,
        actor: Actor::Operator,
        action,
        target_type: Some(target_type),
        target_id: Some(target_id),
        before: None,
        after: Some(after),
        outcome: Outcome::Success,
        origin: RequestOrigin::default(),
    }
}

const CONTRACT_COLUMNS: &str = "id, code, name, time_zone, contact_email, seat_limit, \
     contract_start, contract_end, created_at";

/// Every tenant's contract data, by company code.
#[tracing::instrument(skip_all)]
pub async fn list_tenants(db: &Db) -> Result<Vec<TenantContract>, DbError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {CONTRACT_COLUMNS} FROM tenants ORDER BY code"
    ))
    .fetch_all(db.pool())
    .await?)
}

/// One tenant's contract data; `None` for an unknown code.
#[tracing::instrument(skip_all)]
pub async fn find_by_code(db: &Db, code: &CompanyCode) -> Result<Option<TenantContract>, DbError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {CONTRACT_COLUMNS} FROM tenants WHERE code = $1"
    ))
    .bind(code.as_str())
    .fetch_optional(db.pool())
    .await?)
}

/// How many seats are taken: users that are not deactivated. A count, not people.
#[tracing::instrument(skip_all)]
pub async fn seats_in_use(db: &Db, tenant: &TenantId) -> Result<i64, DbError> {
    let mut tx = db.begin_for_tenant(tenant).await?;
    let count = seats_taken(&mut tx, tenant).await?;
    tx.commit().await?;
    Ok(count)
}

/// The seat rule (WP 3): every account that is not deactivated takes a seat, invited ones
/// included. Read in the transaction that adds or reactivates accounts.
#[tracing::instrument(skip_all)]
pub async fn seats_taken(
    tx: &mut Transaction<'static, Any>,
    tenant: &TenantId,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE tenant_id = $1 AND status <> $2")
        .bind(tenant.as_str())
        .bind(AccountStatus::Deactivated.as_str())
        .fetch_one(&mut **tx)
        .await
}

/// The operator's raw input for a new tenant, as typed on the command line.
#[derive(Clone, Debug, Default)]
pub struct NewTenantInput {
    pub code: String,
    pub name: String,
    pub seats: i64,
    pub admin_email: String,
    pub admin_name: String,
    pub contract_start: Option<String>,
    pub contract_end: Option<String>,
    pub time_zone: String,
    pub contact_email: Option<String>,
}

/// Checks every field and names each bad one; the contract starts today (in the tenant's
/// zone) unless given.
pub fn parse_new_tenant(
    input: NewTenantInput,
    today: CalendarDate,
) -> Result<NewTenant, Vec<String>> {
    let mut problems = Vec::new();
    let mut problem = |field: &str, problem: Problem| {
        let (ja, en) = problem.reasons();
        problems.push(format!("{field}: {ja} / {en}"));
    };
    let code = CompanyCode::parse(&input.code)
        .map_err(|e| problem("--code", e.into()))
        .ok();
    let name = input.name.trim().to_owned();
    if name.is_empty() {
        problem("--name", Problem::Empty);
    } else if name.chars().count() > 200 {
        problem("--name", Problem::TooLong { max: 200 });
    } else if let Err(reasons) = crate::domain::text::refuse_forbidden(&name) {
        // The company name goes into every mail's subject.
        problem("--name", reasons);
    }
    if !(1..=1_000_000).contains(&input.seats) {
        problem("--seats", Problem::SeatCount);
    }
    let admin_email = Email::parse(&input.admin_email)
        .map_err(|e| problem("--admin-email", e.into()))
        .ok();
    let admin_name = match crate::domain::employees::parse_name(&input.admin_name) {
        Ok(name) => name,
        Err(reasons) => {
            problem("--admin-name", reasons);
            String::new()
        }
    };
    if input.time_zone.parse::<chrono_tz::Tz>().is_err() {
        problem("--timezone", Problem::UnknownTimeZone);
    }
    let date = |value: &str| CalendarDate::from_iso(value.trim());
    let start = match &input.contract_start {
        Some(value) => date(value).or_else(|| {
            problem("--contract-start", Problem::NotAnIsoDate);
            None
        }),
        None => Some(today),
    };
    let end = match &input.contract_end {
        Some(value) => match date(value) {
            Some(end) if start.is_some_and(|s| end < s) => {
                problem("--contract-end", Problem::EndBeforeStart);
                None
            }
            Some(end) => Some(end),
            None => {
                problem("--contract-end", Problem::NotAnIsoDate);
                None
            }
        },
        None => None,
    };
    let contact_email = match &input.contact_email {
        Some(value) => Email::parse(value)
            .map_err(|e| problem("--contact-email", e.into()))
            .ok(),
        None => None,
    };
    match (code, admin_email, start) {
        (Some(code), Some(admin_email), Some(start)) if problems.is_empty() => Ok(NewTenant {
            code,
            name,
            seat_limit: input.seats,
            contract_start: start,
            contract_end: end,
            time_zone: input.time_zone,
            contact_email,
            admin_email,
            admin_name,
        }),
        _ => Err(problems),
    }
}
