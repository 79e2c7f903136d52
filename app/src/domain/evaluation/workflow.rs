//! A sheet's workflow (PRODUCT §4), one sheet per employee per period:
//!
//! ```text
//! goal drafting → goals submitted → goals approved → self-evaluation → 1st … nth evaluation
//!   → calibration → finalized → disclosed → acknowledged
//! ```
//!
//! [`decide`] is the one function that says whether a person may take a step: who they are
//! to the sheet ([`Relation`]), the sheet's state, whether the step's phase is open, and
//! whether the next person has begun (a submission can be withdrawn until then). It answers
//! the new state, the event to audit and whom to tell, or why not. The backend looks the
//! facts up and writes the answer; nothing else decides.

use crate::domain::evaluation::Stage;
use serde::{Deserialize, Serialize};

/// Where a sheet is, and so whose turn it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SheetState {
    /// The employee writes their goals.
    GoalDrafting,
    /// The 1st evaluator approves the goals or sends them back.
    GoalsSubmitted,
    /// Goals agreed; the term runs until the self-evaluation opens.
    GoalsApproved,
    /// The employee rates themselves.
    SelfEvaluation,
    /// An evaluator stage rates the sheet.
    Evaluation(Stage),
    /// Evaluation admins compare grades across people and may adjust them.
    Calibration,
    /// The grade is final; not yet shown to the employee.
    Finalized,
    /// The employee sees the result as the period discloses it.
    Disclosed,
    /// The employee confirmed they saw it (確認).
    Acknowledged,
    /// Taken out of the period (a leaver, a long absence), with a reason.
    Excluded,
}

impl SheetState {
    /// Every state of a period with `stages` evaluator stages, in workflow order.
    pub fn all(stages: u8) -> Vec<SheetState> {
        let mut states = vec![
            SheetState::GoalDrafting,
            SheetState::GoalsSubmitted,
            SheetState::GoalsApproved,
            SheetState::SelfEvaluation,
        ];
        states.extend(Stage::all(stages).map(SheetState::Evaluation));
        states.extend([
            SheetState::Calibration,
            SheetState::Finalized,
            SheetState::Disclosed,
            SheetState::Acknowledged,
            SheetState::Excluded,
        ]);
        states
    }

    /// The phase whose deadline the sheet's next step is due by: goals by the goal-setting
    /// deadline, their approval by its own, and so on; `None` once nothing more is due
    /// (disclosed, acknowledged, excluded).
    pub fn due_phase(self) -> Option<Phase> {
        match self {
            SheetState::GoalDrafting => Some(Phase::GoalSetting),
            SheetState::GoalsSubmitted => Some(Phase::GoalApproval),
            SheetState::GoalsApproved | SheetState::SelfEvaluation => Some(Phase::SelfEvaluation),
            SheetState::Evaluation(stage) => Some(Phase::Evaluation(stage)),
            SheetState::Calibration => Some(Phase::Calibration),
            SheetState::Finalized => Some(Phase::Disclosure),
            SheetState::Disclosed | SheetState::Acknowledged | SheetState::Excluded => None,
        }
    }

    /// The name stored in the database: `goal_drafting`, `evaluation_2`, ….
    pub fn as_stored(self) -> String {
        match self {
            SheetState::GoalDrafting => "goal_drafting".into(),
            SheetState::GoalsSubmitted => "goals_submitted".into(),
            SheetState::GoalsApproved => "goals_approved".into(),
            SheetState::SelfEvaluation => "self_evaluation".into(),
            SheetState::Evaluation(stage) => format!("evaluation_{}", stage.number()),
            SheetState::Calibration => "calibration".into(),
            SheetState::Finalized => "finalized".into(),
            SheetState::Disclosed => "disclosed".into(),
            SheetState::Acknowledged => "acknowledged".into(),
            SheetState::Excluded => "excluded".into(),
        }
    }

    /// The state of a stored name; `None` for a name this build does not know.
    pub fn from_stored(stored: &str) -> Option<SheetState> {
        SheetState::all(Stage::MAX)
            .into_iter()
            .find(|state| state.as_stored() == stored)
    }
}

/// A period's phases, each with its deadline; a step is open only while its phase is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Phase {
    GoalSetting,
    GoalApproval,
    SelfEvaluation,
    Evaluation(Stage),
    Calibration,
    Disclosure,
}

impl Phase {
    /// Its name in URLs and forms: `goal_setting`, `evaluation_2`, ….
    pub fn as_stored(self) -> String {
        match self {
            Phase::GoalSetting => "goal_setting".into(),
            Phase::GoalApproval => "goal_approval".into(),
            Phase::SelfEvaluation => "self_evaluation".into(),
            Phase::Evaluation(stage) => format!("evaluation_{}", stage.number()),
            Phase::Calibration => "calibration".into(),
            Phase::Disclosure => "disclosure".into(),
        }
    }

    /// The phase of a name; `None` for one this build does not know.
    pub fn from_stored(stored: &str) -> Option<Phase> {
        crate::domain::evaluation::period::phases(Stage::MAX)
            .into_iter()
            .find(|phase| phase.as_stored() == stored)
    }
}

/// Who the person taking a step is to the sheet, as the backend found it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Relation {
    /// The employee the sheet is about.
    Owner,
    /// The sheet's evaluator at this stage.
    Evaluator(Stage),
    /// A system admin or `evaluation` subsystem admin.
    EvaluationAdmin,
    /// A business admin whose scope holds the employee: reads, never acts.
    ScopeReader,
    /// Anyone else.
    Stranger,
}

/// A step someone takes on a sheet.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Command {
    SubmitGoals,
    /// Takes submitted goals back (the 1st evaluator has not begun).
    WithdrawGoals,
    ApproveGoals,
    /// Sends the sheet back one step, saying why (差し戻し).
    SendBack {
        comment: String,
    },
    /// The employee begins the self-evaluation (on their first save).
    StartSelfEvaluation,
    SubmitSelfEvaluation,
    WithdrawSelfEvaluation,
    /// An evaluator submits their stage.
    SubmitEvaluation,
    WithdrawEvaluation,
    /// An evaluation admin ends calibration for this sheet: the grade is final.
    Finalize,
    Disclose,
    /// The employee confirms they saw the result, with an optional comment.
    Acknowledge {
        comment: String,
    },
}

/// The facts [`decide`] needs beyond the sheet's state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SheetFacts {
    pub state: SheetState,
    /// Evaluator stages of the sheet (1 to 3).
    pub stages: u8,
    /// The phases open now.
    pub open: Vec<Phase>,
    /// Whether the person whose turn it is now has begun (saved anything): a submission
    /// can be withdrawn only until then.
    pub next_started: bool,
}

/// Whom a step concerns, to be told by mail.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Notify {
    Owner,
    Evaluator(Stage),
    EvaluationAdmins,
}

/// What a step does: the sheet's new state, whom to tell, and what the history records.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Transition {
    pub to: SheetState,
    pub notify: Vec<Notify>,
    /// The comment kept with the step in the sheet's history (send-back, acknowledgement).
    pub comment: Option<String>,
}

/// Why a step is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum StepRefusal {
    /// Not this person's step (or not one anybody takes in this state).
    NotYourStep,
    /// The step's phase is closed.
    PhaseClosed(Phase),
    /// A send-back needs a comment.
    CommentRequired,
    /// The next person has begun: the submission can no longer be withdrawn.
    AlreadyStarted,
}

/// The state a sheet enters after evaluator stage `stage` submits.
fn after_stage(stage: Stage, stages: u8) -> SheetState {
    stage
        .next(stages)
        .map_or(SheetState::Calibration, SheetState::Evaluation)
}

/// Whom to tell when a sheet enters `state`: the person whose turn it now is.
fn turn_of(state: SheetState) -> Vec<Notify> {
    match state {
        SheetState::GoalDrafting
        | SheetState::GoalsApproved
        | SheetState::SelfEvaluation
        | SheetState::Disclosed => vec![Notify::Owner],
        SheetState::GoalsSubmitted => vec![Notify::Evaluator(Stage::FIRST)],
        SheetState::Evaluation(stage) => vec![Notify::Evaluator(stage)],
        SheetState::Calibration => vec![Notify::EvaluationAdmins],
        SheetState::Finalized | SheetState::Acknowledged | SheetState::Excluded => vec![],
    }
}

/// Whether `relation` may take `command` on a sheet with these facts, and what it does.
pub fn decide(
    facts: &SheetFacts,
    relation: Relation,
    command: &Command,
) -> Result<Transition, StepRefusal> {
    use Command as C;
    use Relation as R;
    use SheetState as S;
    // (phase that must be open, new state, whether it withdraws, whether it sends back)
    let (phase, to, withdraws) = match (facts.state, relation, command) {
        (S::GoalDrafting, R::Owner, C::SubmitGoals) => {
            (Phase::GoalSetting, S::GoalsSubmitted, false)
        }
        (S::GoalsSubmitted, R::Owner, C::WithdrawGoals) => {
            (Phase::GoalSetting, S::GoalDrafting, true)
        }
        (S::GoalsSubmitted, R::Evaluator(stage), C::ApproveGoals) if stage == Stage::FIRST => {
            (Phase::GoalApproval, S::GoalsApproved, false)
        }
        (S::GoalsSubmitted, R::Evaluator(stage), C::SendBack { .. }) if stage == Stage::FIRST => {
            (Phase::GoalApproval, S::GoalDrafting, false)
        }
        (S::GoalsApproved, R::Owner, C::StartSelfEvaluation) => {
            (Phase::SelfEvaluation, S::SelfEvaluation, false)
        }
        (S::SelfEvaluation, R::Owner, C::SubmitSelfEvaluation) => {
            (Phase::SelfEvaluation, S::Evaluation(Stage::FIRST), false)
        }
        (S::Evaluation(stage), R::Owner, C::WithdrawSelfEvaluation) if stage == Stage::FIRST => {
            (Phase::SelfEvaluation, S::SelfEvaluation, true)
        }
        (S::Evaluation(stage), R::Evaluator(by), C::SubmitEvaluation) if stage == by => (
            Phase::Evaluation(stage),
            after_stage(stage, facts.stages),
            false,
        ),
        (S::Evaluation(stage), R::Evaluator(by), C::SendBack { .. }) if stage == by => (
            Phase::Evaluation(stage),
            stage
                .previous()
                .map_or(S::SelfEvaluation, SheetState::Evaluation),
            false,
        ),
        // An evaluator withdraws their submission while the next stage (or calibration)
        // has not begun.
        (state, R::Evaluator(by), C::WithdrawEvaluation)
            if state == after_stage(by, facts.stages) && by.number() <= facts.stages =>
        {
            (Phase::Evaluation(by), S::Evaluation(by), true)
        }
        (S::Calibration, R::EvaluationAdmin, C::Finalize) => {
            (Phase::Calibration, S::Finalized, false)
        }
        (S::Calibration, R::EvaluationAdmin, C::SendBack { .. }) => (
            Phase::Calibration,
            S::Evaluation(Stage::new(facts.stages).unwrap_or(Stage::FIRST)),
            false,
        ),
        (S::Finalized, R::EvaluationAdmin, C::Disclose) => (Phase::Disclosure, S::Disclosed, false),
        (S::Disclosed, R::Owner, C::Acknowledge { .. }) => {
            (Phase::Disclosure, S::Acknowledged, false)
        }
        _ => return Err(StepRefusal::NotYourStep),
    };
    if !facts.open.contains(&phase) {
        return Err(StepRefusal::PhaseClosed(phase));
    }
    if withdraws && facts.next_started {
        return Err(StepRefusal::AlreadyStarted);
    }
    let comment = match command {
        C::SendBack { comment } => {
            let comment = comment.trim();
            if comment.is_empty() {
                return Err(StepRefusal::CommentRequired);
            }
            Some(comment.to_owned())
        }
        C::Acknowledge { comment } => Some(comment.trim().to_owned()).filter(|c| !c.is_empty()),
        _ => None,
    };
    Ok(Transition {
        to,
        notify: turn_of(to),
        comment,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stage(n: u8) -> Stage {
        Stage::new(n).unwrap()
    }

    fn every_phase(stages: u8) -> Vec<Phase> {
        let mut phases = vec![
            Phase::GoalSetting,
            Phase::GoalApproval,
            Phase::SelfEvaluation,
        ];
        phases.extend(Stage::all(stages).map(Phase::Evaluation));
        phases.extend([Phase::Calibration, Phase::Disclosure]);
        phases
    }

    fn relations() -> Vec<Relation> {
        let mut relations = vec![Relation::Owner];
        relations.extend(Stage::all(Stage::MAX).map(Relation::Evaluator));
        relations.extend([
            Relation::EvaluationAdmin,
            Relation::ScopeReader,
            Relation::Stranger,
        ]);
        relations
    }

    fn commands() -> Vec<Command> {
        vec![
            Command::SubmitGoals,
            Command::WithdrawGoals,
            Command::ApproveGoals,
            Command::SendBack {
                comment: "目標の測定方法を具体的に".into(),
            },
            Command::StartSelfEvaluation,
            Command::SubmitSelfEvaluation,
            Command::WithdrawSelfEvaluation,
            Command::SubmitEvaluation,
            Command::WithdrawEvaluation,
            Command::Finalize,
            Command::Disclose,
            Command::Acknowledge {
                comment: String::new(),
            },
        ]
    }

    fn name(command: &Command) -> &'static str {
        match command {
            Command::SubmitGoals => "submit goals",
            Command::WithdrawGoals => "withdraw goals",
            Command::ApproveGoals => "approve goals",
            Command::SendBack { .. } => "send back",
            Command::StartSelfEvaluation => "start self",
            Command::SubmitSelfEvaluation => "submit self",
            Command::WithdrawSelfEvaluation => "withdraw self",
            Command::SubmitEvaluation => "submit evaluation",
            Command::WithdrawEvaluation => "withdraw evaluation",
            Command::Finalize => "finalize",
            Command::Disclose => "disclose",
            Command::Acknowledge { .. } => "acknowledge",
        }
    }

    /// Every step anybody may take in a two-stage period, written out by hand: (state,
    /// who, command, new state). Everything else must be refused.
    fn allowed_with_two_stages() -> Vec<(SheetState, Relation, &'static str, SheetState)> {
        use Relation::*;
        use SheetState::*;
        let (first, second) = (stage(1), stage(2));
        vec![
            (GoalDrafting, Owner, "submit goals", GoalsSubmitted),
            (GoalsSubmitted, Owner, "withdraw goals", GoalDrafting),
            (
                GoalsSubmitted,
                Evaluator(first),
                "approve goals",
                GoalsApproved,
            ),
            (GoalsSubmitted, Evaluator(first), "send back", GoalDrafting),
            (GoalsApproved, Owner, "start self", SelfEvaluation),
            (SelfEvaluation, Owner, "submit self", Evaluation(first)),
            (Evaluation(first), Owner, "withdraw self", SelfEvaluation),
            (
                Evaluation(first),
                Evaluator(first),
                "submit evaluation",
                Evaluation(second),
            ),
            (
                Evaluation(first),
                Evaluator(first),
                "send back",
                SelfEvaluation,
            ),
            (
                Evaluation(second),
                Evaluator(first),
                "withdraw evaluation",
                Evaluation(first),
            ),
            (
                Evaluation(second),
                Evaluator(second),
                "submit evaluation",
                Calibration,
            ),
            (
                Evaluation(second),
                Evaluator(second),
                "send back",
                Evaluation(first),
            ),
            (
                Calibration,
                Evaluator(second),
                "withdraw evaluation",
                Evaluation(second),
            ),
            (Calibration, EvaluationAdmin, "finalize", Finalized),
            (
                Calibration,
                EvaluationAdmin,
                "send back",
                Evaluation(second),
            ),
            (Finalized, EvaluationAdmin, "disclose", Disclosed),
            (Disclosed, Owner, "acknowledge", Acknowledged),
        ]
    }

    #[test]
    fn every_actor_state_and_command_of_a_two_stage_sheet() {
        let allowed = allowed_with_two_stages();
        let mut checked = 0;
        for state in SheetState::all(2) {
            for relation in relations() {
                for command in commands() {
                    let facts = SheetFacts {
                        state,
                        stages: 2,
                        open: every_phase(2),
                        next_started: false,
                    };
                    let expected = allowed
                        .iter()
                        .find(|(s, r, c, _)| *s == state && *r == relation && *c == name(&command))
                        .map(|(_, _, _, to)| *to);
                    let got = decide(&facts, relation, &command).map(|t| t.to);
                    match expected {
                        Some(to) => {
                            assert_eq!(got, Ok(to), "{state:?} {relation:?} {}", name(&command))
                        }
                        None => assert_eq!(
                            got,
                            Err(StepRefusal::NotYourStep),
                            "{state:?} {relation:?} {}",
                            name(&command)
                        ),
                    }
                    checked += 1;
                }
            }
        }
        assert_eq!(checked, 11 * 7 * 12);
    }

    #[test]
    fn one_and_three_stage_sheets_go_straight_on_and_through_every_stage() {
        let facts = |state, stages| SheetFacts {
            state,
            stages,
            open: every_phase(stages),
            next_started: false,
        };
        let submit = |state, stages, by| {
            decide(
                &facts(state, stages),
                Relation::Evaluator(stage(by)),
                &Command::SubmitEvaluation,
            )
            .map(|t| t.to)
        };
        assert_eq!(
            submit(SheetState::Evaluation(stage(1)), 1, 1),
            Ok(SheetState::Calibration)
        );
        assert_eq!(
            submit(SheetState::Evaluation(stage(2)), 3, 2),
            Ok(SheetState::Evaluation(stage(3)))
        );
        assert_eq!(
            submit(SheetState::Evaluation(stage(3)), 3, 3),
            Ok(SheetState::Calibration)
        );
        // A 3rd evaluator of a two-stage sheet has no step.
        assert_eq!(
            submit(SheetState::Evaluation(stage(2)), 2, 3),
            Err(StepRefusal::NotYourStep)
        );
        // Calibration sends a one-stage sheet back to the 1st evaluator.
        assert_eq!(
            decide(
                &facts(SheetState::Calibration, 1),
                Relation::EvaluationAdmin,
                &Command::SendBack {
                    comment: "分布を確認".into()
                }
            )
            .map(|t| t.to),
            Ok(SheetState::Evaluation(stage(1)))
        );
    }

    #[test]
    fn steps_wait_for_their_phase_and_withdrawals_for_nobody() {
        let mut facts = SheetFacts {
            state: SheetState::GoalsSubmitted,
            stages: 2,
            open: vec![Phase::GoalSetting],
            next_started: false,
        };
        assert_eq!(
            decide(
                &facts,
                Relation::Evaluator(stage(1)),
                &Command::ApproveGoals
            ),
            Err(StepRefusal::PhaseClosed(Phase::GoalApproval))
        );
        assert!(decide(&facts, Relation::Owner, &Command::WithdrawGoals).is_ok());
        facts.next_started = true;
        assert_eq!(
            decide(&facts, Relation::Owner, &Command::WithdrawGoals),
            Err(StepRefusal::AlreadyStarted)
        );
    }

    #[test]
    fn a_send_back_says_why_and_tells_whose_turn_it_is() {
        let facts = SheetFacts {
            state: SheetState::Evaluation(stage(2)),
            stages: 2,
            open: every_phase(2),
            next_started: false,
        };
        let blank = Command::SendBack {
            comment: "  ".into(),
        };
        assert_eq!(
            decide(&facts, Relation::Evaluator(stage(2)), &blank),
            Err(StepRefusal::CommentRequired)
        );
        let back = decide(
            &facts,
            Relation::Evaluator(stage(2)),
            &Command::SendBack {
                comment: " 根拠を追記してください ".into(),
            },
        )
        .unwrap();
        assert_eq!(back.to, SheetState::Evaluation(stage(1)));
        assert_eq!(back.notify, [Notify::Evaluator(stage(1))]);
        assert_eq!(back.comment.as_deref(), Some("根拠を追記してください"));
        let submitted = decide(
            &facts,
            Relation::Evaluator(stage(2)),
            &Command::SubmitEvaluation,
        )
        .unwrap();
        assert_eq!(submitted.notify, [Notify::EvaluationAdmins]);
    }

    #[test]
    fn states_round_trip_through_their_stored_names() {
        for state in SheetState::all(Stage::MAX) {
            assert_eq!(SheetState::from_stored(&state.as_stored()), Some(state));
        }
        assert_eq!(SheetState::from_stored("evaluation_4"), None);
    }
}
