//! A sheet as one person finds it on its page, and the lists of sheets that lead there: what
//! the server sends, already cut to what `visibility::visible_parts` lets the reader see.

use crate::domain::dates::CalendarDate;
use crate::domain::evaluation::sheet::{Goal, Work};
use crate::domain::evaluation::template::Template;
use crate::domain::evaluation::visibility::Visible;
use crate::domain::evaluation::workflow::{Command, Draft, Relation, SheetState};
use crate::domain::ids::{PeriodId, SheetId};
use crate::domain::org_chart::PersonRef;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One entry of a sheet's history (評価履歴): part of the customer's evaluation record,
/// kept as long as the sheet.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SheetEvent {
    /// `2026-10-01 09:30 (JST, +09:00)`.
    pub at: String,
    /// Who took the step (empty for a deleted user).
    pub by: String,
    pub step: SheetStep,
    pub from: SheetState,
    pub to: SheetState,
    pub comment: Option<String>,
}

/// What the history records: the workflow's commands, by name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SheetStep {
    SubmitGoals,
    WithdrawGoals,
    ApproveGoals,
    ReviseGoals,
    SendBack,
    StartSelfEvaluation,
    SubmitSelfEvaluation,
    WithdrawSelfEvaluation,
    SubmitEvaluation,
    WithdrawEvaluation,
    Finalize,
    Disclose,
    Acknowledge,
    /// A final grade changed in calibration (no workflow command: the state stays).
    Calibrate,
    /// The feedback interview recorded (no workflow command either).
    Interview,
    /// A reminder mailed by hand from the progress page; the comment names the recipients.
    Remind,
    /// A reminder the period's schedule mailed before or on a deadline.
    AutoRemind,
    /// A late evaluator's own manager told of the delay (the schedule's escalation).
    Escalate,
}

impl SheetStep {
    pub fn of(command: &Command) -> SheetStep {
        match command {
            Command::SubmitGoals => SheetStep::SubmitGoals,
            Command::WithdrawGoals => SheetStep::WithdrawGoals,
            Command::ApproveGoals => SheetStep::ApproveGoals,
            Command::ReviseGoals { .. } => SheetStep::ReviseGoals,
            Command::SendBack { .. } => SheetStep::SendBack,
            Command::StartSelfEvaluation => SheetStep::StartSelfEvaluation,
            Command::SubmitSelfEvaluation => SheetStep::SubmitSelfEvaluation,
            Command::WithdrawSelfEvaluation => SheetStep::WithdrawSelfEvaluation,
            Command::SubmitEvaluation => SheetStep::SubmitEvaluation,
            Command::WithdrawEvaluation => SheetStep::WithdrawEvaluation,
            Command::Finalize => SheetStep::Finalize,
            Command::Disclose => SheetStep::Disclose,
            Command::Acknowledge { .. } => SheetStep::Acknowledge,
        }
    }

    /// The command this step names (`None`: a calibration, which is no step of the
    /// workflow); `comment` for the steps that carry one.
    pub fn command(self, comment: String) -> Option<Command> {
        Some(match self {
            SheetStep::SubmitGoals => Command::SubmitGoals,
            SheetStep::WithdrawGoals => Command::WithdrawGoals,
            SheetStep::ApproveGoals => Command::ApproveGoals,
            SheetStep::ReviseGoals => Command::ReviseGoals { comment },
            SheetStep::SendBack => Command::SendBack { comment },
            SheetStep::StartSelfEvaluation => Command::StartSelfEvaluation,
            SheetStep::SubmitSelfEvaluation => Command::SubmitSelfEvaluation,
            SheetStep::WithdrawSelfEvaluation => Command::WithdrawSelfEvaluation,
            SheetStep::SubmitEvaluation => Command::SubmitEvaluation,
            SheetStep::WithdrawEvaluation => Command::WithdrawEvaluation,
            SheetStep::Finalize => Command::Finalize,
            SheetStep::Disclose => Command::Disclose,
            SheetStep::Acknowledge => Command::Acknowledge { comment },
            SheetStep::Calibrate
            | SheetStep::Interview
            | SheetStep::Remind
            | SheetStep::AutoRemind
            | SheetStep::Escalate => return None,
        })
    }

    /// The name stored in the history table: `submit_goals`, `send_back`, ….
    pub fn as_stored(self) -> &'static str {
        match self {
            SheetStep::SubmitGoals => "submit_goals",
            SheetStep::WithdrawGoals => "withdraw_goals",
            SheetStep::ApproveGoals => "approve_goals",
            SheetStep::ReviseGoals => "revise_goals",
            SheetStep::SendBack => "send_back",
            SheetStep::StartSelfEvaluation => "start_self_evaluation",
            SheetStep::SubmitSelfEvaluation => "submit_self_evaluation",
            SheetStep::WithdrawSelfEvaluation => "withdraw_self_evaluation",
            SheetStep::SubmitEvaluation => "submit_evaluation",
            SheetStep::WithdrawEvaluation => "withdraw_evaluation",
            SheetStep::Finalize => "finalize",
            SheetStep::Disclose => "disclose",
            SheetStep::Acknowledge => "acknowledge",
            SheetStep::Calibrate => "calibrate",
            SheetStep::Interview => "interview",
            SheetStep::Remind => "remind",
            SheetStep::AutoRemind => "auto_remind",
            SheetStep::Escalate => "escalate",
        }
    }

    pub fn from_stored(stored: &str) -> Option<SheetStep> {
        ALL_STEPS
            .iter()
            .copied()
            .find(|step| step.as_stored() == stored)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_step_names_its_command_and_back() {
        for step in ALL_STEPS {
            assert_eq!(SheetStep::from_stored(step.as_stored()), Some(step));
            match step.command("理由".into()) {
                Some(command) => assert_eq!(SheetStep::of(&command), step),
                None => assert!(matches!(
                    step,
                    SheetStep::Calibrate
                        | SheetStep::Interview
                        | SheetStep::Remind
                        | SheetStep::AutoRemind
                        | SheetStep::Escalate
                )),
            }
        }
        assert_eq!(SheetStep::from_stored("delete_everything"), None);
    }
}

const ALL_STEPS: [SheetStep; 18] = [
    SheetStep::SubmitGoals,
    SheetStep::WithdrawGoals,
    SheetStep::ApproveGoals,
    SheetStep::ReviseGoals,
    SheetStep::SendBack,
    SheetStep::StartSelfEvaluation,
    SheetStep::SubmitSelfEvaluation,
    SheetStep::WithdrawSelfEvaluation,
    SheetStep::SubmitEvaluation,
    SheetStep::WithdrawEvaluation,
    SheetStep::Finalize,
    SheetStep::Disclose,
    SheetStep::Acknowledge,
    SheetStep::Calibrate,
    SheetStep::Interview,
    SheetStep::Remind,
    SheetStep::AutoRemind,
    SheetStep::Escalate,
];

/// A sheet as its reader may see it now.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SheetView {
    pub id: SheetId,
    /// The version every save and step is based on.
    pub version: i64,
    pub state: SheetState,
    pub period_id: PeriodId,
    pub period_name: String,
    pub term_start: Option<CalendarDate>,
    pub term_end: Option<CalendarDate>,
    pub employee: PersonRef,
    /// Stage 1 first; `None`: nobody at that stage.
    pub evaluators: Vec<Option<PersonRef>>,
    /// The template as the period took it at launch.
    pub template: Template,
    /// Who the reader is to the sheet.
    pub relations: Vec<Relation>,
    pub visible: Visible,
    /// What the reader may write now, if anything.
    pub draft: Option<Draft>,
    /// The steps the reader may take now.
    pub steps: Vec<Command>,
    /// The goals of each goals section, by section index.
    pub goals: BTreeMap<usize, Vec<Goal>>,
    /// The self-evaluation, where visible.
    pub self_work: Option<Work>,
    /// Each evaluator stage's work, 1st first, where visible.
    pub stage_work: Vec<Option<Work>>,
    /// The deadline of the next step as people read it (JST with the offset), if any.
    pub deadline: Option<String>,
    pub late: bool,
    pub history: Vec<SheetEvent>,
    /// The result, as far as the reader may see it (`None`: nothing of it yet).
    pub result: Option<SheetResult>,
    /// The day of the feedback interview (フィードバック面談), once recorded.
    pub interview: Option<CalendarDate>,
    /// Whether the reader may record it (`workflow::may_record_interview`).
    pub may_record_interview: bool,
    /// The 1st evaluator's approved goals the employee may align a goal to (上位目標);
    /// filled only while the reader writes their goals.
    pub upper_goals: Vec<crate::domain::evaluation::sheet::GoalLink>,
    /// The goals of the people whose 1st evaluator the employee is that point at the
    /// employee's goals; shown to the employee only.
    pub goals_below: Vec<GoalBelow>,
}

/// A goal of someone below that serves one of this sheet's goals.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GoalBelow {
    /// The goal of this sheet it serves.
    pub upper: crate::domain::ids::GoalId,
    pub employee: String,
    pub title: String,
}

/// A sheet's result as one reader may see it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SheetResult {
    /// The grade the sheet ends with (the calibration's, where it changed it).
    pub grade: Option<String>,
    /// The computed final score and the stages it was summed from.
    pub computed: Option<crate::domain::evaluation::scoring::FinalScore>,
    /// The calibration's change and its reason.
    pub adjusted: Option<crate::domain::evaluation::calibration::Adjustment>,
}

/// What saving a draft answers: saved (the new version), or someone saved first and these
/// are their goals — the page shows both texts and saves nothing over them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum GoalsSaved {
    Saved {
        version: i64,
        /// When, as people read it.
        at: String,
    },
    Conflict {
        version: i64,
        theirs: BTreeMap<usize, Vec<Goal>>,
    },
}

/// What saving one's ratings and comments answers, as [`GoalsSaved`] does for goals.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum WorkSaved {
    Saved {
        version: i64,
        at: String,
        /// The sheet's state after the save (the first save of a self-evaluation begins
        /// it) and the steps open to the saver now.
        state: SheetState,
        steps: Vec<Command>,
    },
    Conflict {
        version: i64,
        theirs: Work,
    },
}

/// One line of 自分の評価 or 評価する: a sheet, whose it is, where it stands.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SheetLine {
    pub id: SheetId,
    pub period: PeriodId,
    pub period_name: String,
    pub employee: PersonRef,
    /// The employee's primary department now, by name (`None`: none).
    pub department: Option<String>,
    pub state: SheetState,
    /// The reader's own part in it: their stage as an evaluator (`None`: their own sheet).
    pub stage: Option<crate::domain::evaluation::Stage>,
    /// Whether the next step is the reader's.
    pub my_turn: bool,
    pub deadline: Option<String>,
    pub late: bool,
}
