//! A period's progress (進捗) and its reminders: every user follows the sheets they may
//! (`Action::FollowProgress`, cut to the reader by `ProgressReader`); HR staff remind late
//! people (`Action::RemindLate`), evaluation admins set the period's automatic reminders
//! (`Action::ManageEvaluationSetup`).

use crate::domain::evaluation::progress::ProgressView;
use crate::error::AppError;
use leptos::prelude::*;

pub use crate::domain::evaluation::reminders::RemindDone;

#[cfg(feature = "ssr")]
use crate::api::context::RequestContext;
#[cfg(feature = "ssr")]
use crate::backend::evaluation::progress::ProgressReader;
#[cfg(feature = "ssr")]
use crate::domain::ids::PeriodId;
#[cfg(feature = "ssr")]
use crate::domain::permissions::{Action, Target};

/// Who the caller is as a reader of progress: admins see every sheet, business admins
/// their scope, everyone the sheets they evaluate.
#[cfg(feature = "ssr")]
async fn reader(
    ctx: &RequestContext,
    user: &crate::backend::sessions::SessionUser,
) -> Result<ProgressReader, AppError> {
    let tenant = &user.subject.tenant;
    let whole_period = ctx.allows(Action::ManageEvaluationSetup, Target::Tenant(tenant));
    let business_admin =
        !whole_period && user.subject.has(crate::domain::roles::Role::BusinessAdmin);
    let scope = if business_admin {
        Some(
            crate::backend::evaluation::periods::people_in_business_scope(
                &ctx.db,
                tenant,
                &user.subject.user,
            )
            .await?,
        )
    } else {
        None
    };
    Ok(ProgressReader {
        user: user.subject.user.clone(),
        whole_period,
        scope,
        may_remind: ctx.allows(Action::RemindLate, Target::Tenant(tenant)),
    })
}

/// The progress of period `id`, looking at `department` ("" for everything the caller
/// may follow) with its subtree.
#[server(endpoint = "evaluation/progress/get")]
pub async fn get_progress(id: String, department: String) -> Result<ProgressView, AppError> {
    let ctx = RequestContext::load().await?;
    let user = ctx.authorize_on_tenant(Action::FollowProgress).await?;
    let period = PeriodId::from_request(&id)?;
    let department = match department.trim() {
        "" => None,
        d => Some(crate::domain::ids::DepartmentId::from_request(d)?),
    };
    let reader = reader(&ctx, &user).await?;
    crate::backend::evaluation::progress::progress_view(
        &ctx.db,
        &user.subject.tenant,
        &period,
        &reader,
        department.as_ref(),
        ctx.now,
    )
    .await
}

/// Mails the people whose step is late on the sheets `sheets` (ids separated by commas;
/// "" for every late sheet the caller may remind of), with a copy to the sheets' other
/// evaluators when `copy_evaluators`.
#[server(endpoint = "evaluation/progress/remind")]
pub async fn remind_late(
    id: String,
    sheets: String,
    copy_evaluators: bool,
) -> Result<RemindDone, AppError> {
    let ctx = RequestContext::load().await?;
    let user = ctx.authorize_on_tenant(Action::RemindLate).await?;
    let period = PeriodId::from_request(&id)?;
    let chosen = sheets
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(crate::domain::ids::SheetId::from_request)
        .collect::<Result<Vec<_>, _>>()?;
    let reader = reader(&ctx, &user).await?;
    let done = crate::backend::evaluation::reminders::remind_late(
        &ctx.write_as(&user),
        &period,
        &reader,
        &chosen,
        copy_evaluators,
        &ctx.settings.base_url,
    )
    .await?;
    ctx.wake_mailer();
    Ok(done)
}

/// Sets period `id`'s automatic reminders (`days_before`, `escalate_after`: 0 for off);
/// `version`: the period's, as the page shows it. Answers the new version.
#[server(endpoint = "evaluation/progress/reminders")]
pub async fn set_reminders(
    id: String,
    version: i64,
    days_before: u8,
    on_the_day: bool,
    escalate_after: u8,
) -> Result<i64, AppError> {
    let ctx = RequestContext::load().await?;
    let user = ctx
        .authorize_on_tenant(Action::ManageEvaluationSetup)
        .await?;
    let period = PeriodId::from_request(&id)?;
    let some = |days: u8| (days > 0).then_some(days);
    let plan = crate::domain::evaluation::reminders::ReminderPlan {
        days_before: some(days_before),
        on_the_day,
        escalate_after: some(escalate_after),
    };
    crate::backend::evaluation::reminders::set_reminder_plan(
        &ctx.write_as(&user),
        &period,
        version,
        plan,
    )
    .await
}

/// Starts making the PDFs of every sheet the caller follows in `department` ("" for all)
/// as one ZIP; answers the job, which `sheet_pdfs_job` follows.
#[server(endpoint = "evaluation/progress/pdfs")]
pub async fn start_sheet_pdfs(
    id: String,
    department: String,
) -> Result<crate::domain::evaluation::progress::PdfJobView, AppError> {
    use crate::backend::evaluation::pdf_jobs::PdfRequest;
    let ctx = RequestContext::load().await?;
    let user = ctx.authorize_on_tenant(Action::ExportResults).await?;
    let tenant = user.subject.tenant.clone();
    let period = PeriodId::from_request(&id)?;
    let department = match department.trim() {
        "" => None,
        d => Some(crate::domain::ids::DepartmentId::from_request(d)?),
    };
    let reader = reader(&ctx, &user).await?;
    let sheets = crate::backend::evaluation::progress::followed_sheets(
        &ctx.db,
        &tenant,
        &period,
        &reader,
        department.as_ref(),
    )
    .await?;
    let (tenant_name, zone) =
        crate::backend::evaluation::sheet_pdf::tenant_name_and_zone(&ctx.db, &tenant).await?;
    let w = ctx.write_as(&user);
    let entry = w.audit_entry(
        crate::domain::audit::AuditAction::PeriodResultsExport,
        "evaluation_period",
        period.as_str(),
        None,
        Some(serde_json::json!({ "file": "sheet_pdfs", "sheets": sheets.len() })),
    );
    let tx = w.begin().await?;
    w.audit_and_commit(tx, entry).await?;
    ctx.pdf_jobs()?.start(PdfRequest {
        db: ctx.db.clone(),
        by: user.clone(),
        period,
        sheets,
        lang: crate::i18n::request_lang(),
        tenant_name,
        zone,
    })
}

/// The caller's latest bulk PDF job of period `id`, if any (the page finds it again after
/// a reload).
#[server(endpoint = "evaluation/progress/pdfs-job")]
pub async fn sheet_pdfs_job(
    id: String,
) -> Result<Option<crate::domain::evaluation::progress::PdfJobView>, AppError> {
    let ctx = RequestContext::load().await?;
    let user = ctx.authorize_on_tenant(Action::ExportResults).await?;
    let period = PeriodId::from_request(&id)?;
    crate::backend::evaluation::progress::period_exists(&ctx.db, &user.subject.tenant, &period)
        .await?;
    Ok(ctx
        .pdf_jobs()?
        .latest(&user.subject.tenant, &user.subject.user, &period))
}
