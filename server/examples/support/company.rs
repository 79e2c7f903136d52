//! The company the evaluation benchmarks run on: the demo generator's at a given size (a
//! twentieth as many departments as employees), signed in as its admin, with a draft period
//! for everyone under 本社 less the people the chart proposes nobody for (the president and
//! the division heads). Included with `#[path]` by the benchmarks that use it.

use kouka_app::backend::db::Db;
use kouka_app::backend::demo::{DemoSize, create_demo};
use kouka_app::backend::evaluation::{periods, templates};
use kouka_app::backend::sessions::{self, SessionUser};
use kouka_app::backend::write::WriteContext;
use kouka_app::domain::dates::CalendarDate;
use kouka_app::domain::ids::{PeriodId, TenantId, UserId};
use kouka_app::domain::time::Timestamp;

pub struct BenchCompany {
    pub tenant: TenantId,
    pub admin: SessionUser,
    pub employees: usize,
    pub departments: usize,
}

impl BenchCompany {
    pub fn writer<'a>(&'a self, db: &'a Db) -> WriteContext<'a> {
        WriteContext::new(db, &self.admin, Default::default(), Timestamp::now())
    }
}

fn failed(error: impl std::fmt::Debug) -> anyhow::Error {
    anyhow::anyhow!("{error:?}")
}

/// Makes the demo company of `employees` people and signs its admin in.
pub async fn demo_company(db: &Db, employees: usize) -> anyhow::Result<BenchCompany> {
    let size = DemoSize {
        employees,
        departments: (employees / 20).max(10),
        period: false,
    };
    let demo = create_demo(db, "http://bench.invalid", "BENCH", size, 11)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let tenant = demo.tenant.clone();
    let mut tx = db.begin_for_tenant(&tenant).await?;
    let admin_id: String = sqlx::query_scalar(
        "SELECT u.id FROM users u JOIN user_roles r ON r.tenant_id = u.tenant_id \
         AND r.user_id = u.id WHERE u.tenant_id = $1 AND r.role = 'system_admin'",
    )
    .bind(tenant.as_str())
    .fetch_one(&mut *tx)
    .await?;
    tx.commit().await?;
    let mut tx = db.begin_write_for_tenant(&tenant).await?;
    let secret = sessions::create(
        &mut tx,
        &tenant,
        &UserId::from_stored(admin_id),
        &Default::default(),
        Timestamp::now(),
    )
    .await?;
    tx.commit().await?;
    let admin = sessions::resolve(db, &secret, Timestamp::now())
        .await?
        .ok_or_else(|| anyhow::anyhow!("the admin's session"))?;
    Ok(BenchCompany {
        tenant,
        admin,
        employees: demo.employees,
        departments: demo.departments,
    })
}

/// A draft period for everyone under 本社 with evaluators the chart proposes: the people it
/// proposes nobody for are excluded, as an admin would before launching.
pub async fn draft_for_everyone(db: &Db, company: &BenchCompany) -> anyhow::Result<PeriodId> {
    let w = company.writer(db);
    let template = templates::list_templates(db, &company.tenant)
        .await
        .map_err(failed)?[0]
        .id
        .clone();
    let period = periods::create_period(
        &w,
        "ベンチマーク期".into(),
        CalendarDate::new(2026, 4, 1),
        CalendarDate::new(2026, 9, 30),
        Some(template),
    )
    .await
    .map_err(failed)?;
    let mut excluded: Vec<String> = Vec::new();
    loop {
        let stored = periods::get_period(db, &company.tenant, &period)
            .await
            .map_err(failed)?;
        periods::update_period(
            &w,
            &period,
            stored.version,
            stored.plan,
            periods::PopulationCodes {
                departments: vec!["HQ".into()],
                added: vec![],
                excluded: excluded.clone(),
            },
        )
        .await
        .map_err(failed)?;
        let preview = periods::preview_period(db, &company.tenant, &period)
            .await
            .map_err(failed)?;
        if preview.without_evaluator_count == 0 {
            return Ok(period);
        }
        excluded.extend(preview.without_evaluator.iter().map(|p| {
            p.person
                .employee_code
                .as_ref()
                .map(|c| c.as_str().to_string())
                .unwrap_or_default()
        }));
    }
}
