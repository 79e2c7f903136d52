//! 評価調整 (calibration): a period's sheets side by side, a final grade changed with its
//! reason, and the selection finalized or disclosed at once. Evaluation and system admins
//! only (`Action::Calibrate`); each sheet's step is still `workflow::decide`'s answer.

use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use crate::api::context::RequestContext;
#[cfg(feature = "ssr")]
use crate::backend::evaluation::calibration::{self, CalibrationFilter};
#[cfg(feature = "ssr")]
use crate::domain::permissions::Action;

pub use crate::domain::evaluation::calibration::CalibrationView;

/// The filter as the page sends it: ids, "" for none.
#[cfg(feature = "ssr")]
fn filter_of(
    department: &str,
    person_grade: &str,
    evaluator: &str,
) -> Result<CalibrationFilter, AppError> {
    use crate::domain::ids::{DepartmentId, UserId};
    let some = |text: &str| Some(text.trim().to_owned()).filter(|t| !t.is_empty());
    Ok(CalibrationFilter {
        department: some(department)
            .map(|d| DepartmentId::from_request(&d))
            .transpose()?,
        person_grade: some(person_grade),
        evaluator: some(evaluator)
            .map(|e| UserId::from_request(&e))
            .transpose()?,
    })
}

/// The calibration table of period `id` for the selection.
#[server(endpoint = "evaluation/calibration/get")]
pub async fn get_calibration(
    id: String,
    department: String,
    person_grade: String,
    evaluator: String,
) -> Result<CalibrationView, AppError> {
    let ctx = RequestContext::load().await?;
    let user = ctx.authorize_on_tenant(Action::Calibrate).await?;
    let period = crate::domain::ids::PeriodId::from_request(&id)?;
    let filter = filter_of(&department, &person_grade, &evaluator)?;
    calibration::calibration_view(&ctx.db, &user.subject.tenant, &period, &filter).await
}

/// Sets a sheet's final grade (the computed grade takes an adjustment back); any other
/// grade needs `reason`. Answers the sheet's new version.
#[server(endpoint = "evaluation/calibration/adjust")]
pub async fn adjust_grade(
    id: String,
    version: i64,
    grade: String,
    reason: String,
) -> Result<i64, AppError> {
    let ctx = RequestContext::load().await?;
    let user = ctx.authorize_on_tenant(Action::Calibrate).await?;
    let id = crate::domain::ids::SheetId::from_request(&id)?;
    calibration::adjust_grade(&ctx.write_as(&user), &id, version, &grade, &reason).await
}

/// What a step over a whole selection did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SelectionDone {
    /// Sheets that took the step.
    pub done: usize,
    /// Sheets that could not, by employee name, with why.
    pub refused: Vec<(String, AppError)>,
}

/// Finalizes (`step` "finalize") or discloses ("disclose") every sheet of the selection
/// that can take that step now; the others are left as they are.
#[server(endpoint = "evaluation/calibration/selection-step")]
pub async fn step_selection(
    id: String,
    department: String,
    person_grade: String,
    evaluator: String,
    step: String,
) -> Result<SelectionDone, AppError> {
    use crate::domain::evaluation::workflow::{Command, SheetState};
    let ctx = RequestContext::load().await?;
    let user = ctx.authorize_on_tenant(Action::Calibrate).await?;
    let period = crate::domain::ids::PeriodId::from_request(&id)?;
    let filter = filter_of(&department, &person_grade, &evaluator)?;
    let (command, from) = match step.trim() {
        "finalize" => (Command::Finalize, SheetState::Calibration),
        "disclose" => (Command::Disclose, SheetState::Finalized),
        _ => return Err(AppError::NotFound),
    };
    let view =
        calibration::calibration_view(&ctx.db, &user.subject.tenant, &period, &filter).await?;
    let w = ctx.write_as(&user);
    let mut done = 0;
    let mut refused = Vec::new();
    for row in view.rows.iter().filter(|row| row.state == from) {
        match crate::backend::evaluation::sheets::take_step(
            &w,
            &row.sheet,
            row.version,
            command.clone(),
            &ctx.settings.base_url,
        )
        .await
        {
            Ok(_) => done += 1,
            Err(error) => refused.push((row.person.name.clone(), error)),
        }
    }
    ctx.wake_mailer();
    Ok(SelectionDone { done, refused })
}
