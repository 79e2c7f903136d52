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
use crate::domain::ids::UserId;
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

    /// Whether the goals have been approved and stand (from 目標承認済み on; not for an
    /// excluded sheet): what others may align their goals to.
    pub fn goals_agreed(self) -> bool {
        !matches!(
            self,
            SheetState::GoalDrafting | SheetState::GoalsSubmitted | SheetState::Excluded
        )
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
    /// The employee reopens approved goals to revise them, saying why (期中の目標修正);
    /// the revision goes through the same approval as the first goals did.
    ReviseGoals {
        comment: String,
    },
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
    /// Reopening approved goals needs the reason for the revision.
    RevisionReasonRequired,
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
pub fn turn_of(state: SheetState) -> Vec<Notify> {
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
        // Approved goals are revised only until the self-evaluation begins: after that they
        // are being rated.
        (S::GoalsApproved, R::Owner, C::ReviseGoals { .. }) => {
            (Phase::GoalSetting, S::GoalDrafting, false)
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
        C::ReviseGoals { comment } => {
            let comment = comment.trim();
            if comment.is_empty() {
                return Err(StepRefusal::RevisionReasonRequired);
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

/// Who `user` is to a sheet about `owner` with evaluator `chain` (1st first), as the
/// backend found the facts: `evaluation_admin` (a system or evaluation admin) and
/// `in_scope` (a business admin whose scope holds the owner). The owner is only the owner:
/// nobody evaluates, calibrates or discloses their own sheet. Anyone else may be several
/// things at once (a 2nd evaluator who is also an evaluation admin); [`Relation::Stranger`]
/// alone when none holds.
pub fn relations_to_sheet(
    user: &UserId,
    owner: &UserId,
    chain: &[Option<UserId>],
    evaluation_admin: bool,
    in_scope: bool,
) -> Vec<Relation> {
    if user == owner {
        return vec![Relation::Owner];
    }
    let mut relations: Vec<Relation> = chain
        .iter()
        .enumerate()
        .filter(|(_, evaluator)| evaluator.as_ref() == Some(user))
        .filter_map(|(n, _)| Stage::new(n as u8 + 1).map(Relation::Evaluator))
        .collect();
    if evaluation_admin {
        relations.push(Relation::EvaluationAdmin);
    }
    if in_scope {
        relations.push(Relation::ScopeReader);
    }
    if relations.is_empty() {
        relations.push(Relation::Stranger);
    }
    relations
}

/// What one person writes on a sheet (saved as a draft until a step submits it).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Draft {
    /// The employee's goals, while they draft them.
    Goals,
    /// The employee's self-evaluation (its first save begins it).
    SelfWork,
    /// An evaluator's ratings and comments at their stage.
    StageWork(Stage),
}

impl Draft {
    /// The phase that must be open to write it.
    pub fn phase(self) -> Phase {
        match self {
            Draft::Goals => Phase::GoalSetting,
            Draft::SelfWork => Phase::SelfEvaluation,
            Draft::StageWork(stage) => Phase::Evaluation(stage),
        }
    }
}

/// Whether a person with `relations` may record the feedback interview (フィードバック面談)
/// on a sheet in `state`: one of its evaluators or an evaluation admin, once the result is
/// disclosed (the interview is where it is explained).
pub fn may_record_interview(state: SheetState, relations: &[Relation]) -> bool {
    matches!(state, SheetState::Disclosed | SheetState::Acknowledged)
        && relations
            .iter()
            .any(|r| matches!(r, Relation::Evaluator(_) | Relation::EvaluationAdmin))
}

/// What a person with `relations` may write on a sheet with these facts now, or why not:
/// the employee their goals while drafting them and their self-evaluation once the goals
/// are approved, each evaluator their own stage while it is the sheet's turn; only while
/// its phase is open.
pub fn draft_of(facts: &SheetFacts, relations: &[Relation]) -> Result<Draft, StepRefusal> {
    let draft = relations
        .iter()
        .find_map(|relation| match (facts.state, relation) {
            (SheetState::GoalDrafting, Relation::Owner) => Some(Draft::Goals),
            (SheetState::GoalsApproved | SheetState::SelfEvaluation, Relation::Owner) => {
                Some(Draft::SelfWork)
            }
            (SheetState::Evaluation(stage), Relation::Evaluator(by)) if stage == *by => {
                Some(Draft::StageWork(stage))
            }
            _ => None,
        });
    let draft = draft.ok_or(StepRefusal::NotYourStep)?;
    if !facts.open.contains(&draft.phase()) {
        return Err(StepRefusal::PhaseClosed(draft.phase()));
    }
    Ok(draft)
}

/// [`decide`] for a person who may be several things to the sheet: the first relation
/// that may take the step takes it; refused, the most telling reason (a closed phase or a
/// missing comment before "not your step").
pub fn decide_for(
    facts: &SheetFacts,
    relations: &[Relation],
    command: &Command,
) -> Result<(Relation, Transition), StepRefusal> {
    let mut refusal = StepRefusal::NotYourStep;
    for relation in relations {
        match decide(facts, *relation, command) {
            Ok(transition) => return Ok((*relation, transition)),
            Err(StepRefusal::NotYourStep) => {}
            Err(other) => refusal = other,
        }
    }
    Err(refusal)
}

/// The steps a person with `relations` may take now, each as [`decide_for`] would allow it
/// (send-back and acknowledgement shown here with a placeholder comment).
pub fn steps_open_to(facts: &SheetFacts, relations: &[Relation]) -> Vec<Command> {
    let placeholder = "…".to_owned();
    [
        Command::SubmitGoals,
        Command::WithdrawGoals,
        Command::ApproveGoals,
        Command::ReviseGoals {
            comment: placeholder.clone(),
        },
        Command::SendBack {
            comment: placeholder.clone(),
        },
        Command::StartSelfEvaluation,
        Command::SubmitSelfEvaluation,
        Command::WithdrawSelfEvaluation,
        Command::SubmitEvaluation,
        Command::WithdrawEvaluation,
        Command::Finalize,
        Command::Disclose,
        Command::Acknowledge {
            comment: placeholder,
        },
    ]
    .into_iter()
    .filter(|command| decide_for(facts, relations, command).is_ok())
    .collect()
}

/// Where a sheet goes when a step sends it to an evaluator stage that nobody holds
/// (`held(stage)` false): on, past every such stage, when the step moves forward; back to
/// the stage before (or the self-evaluation) when it sends back.
pub fn past_unheld_stages(
    from: SheetState,
    to: SheetState,
    stages: u8,
    held: impl Fn(Stage) -> bool,
) -> SheetState {
    let order = SheetState::all(stages);
    let rank = |state: SheetState| order.iter().position(|s| *s == state).unwrap_or(0);
    let forward = rank(to) > rank(from);
    let mut state = to;
    while let SheetState::Evaluation(stage) = state {
        if held(stage) {
            break;
        }
        state = if forward {
            after_stage(stage, stages)
        } else {
            stage
                .previous()
                .map_or(SheetState::SelfEvaluation, SheetState::Evaluation)
        };
    }
    state
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_interview_is_recorded_by_an_evaluator_once_disclosed() {
        let first = [Relation::Evaluator(Stage::FIRST)];
        assert!(may_record_interview(SheetState::Disclosed, &first));
        assert!(may_record_interview(SheetState::Acknowledged, &first));
        assert!(may_record_interview(
            SheetState::Disclosed,
            &[Relation::EvaluationAdmin]
        ));
        assert!(!may_record_interview(SheetState::Finalized, &first));
        assert!(!may_record_interview(
            SheetState::Disclosed,
            &[Relation::Owner]
        ));
        assert!(!may_record_interview(
            SheetState::Disclosed,
            &[Relation::ScopeReader]
        ));
    }

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
            Command::ReviseGoals {
                comment: "担当エリアの変更".into(),
            },
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
            Command::ReviseGoals { .. } => "revise goals",
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
            (GoalsApproved, Owner, "revise goals", GoalDrafting),
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
        assert_eq!(checked, 11 * 7 * 13);
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
    fn approved_goals_are_revised_with_a_reason_until_the_self_evaluation_begins() {
        let mut facts = SheetFacts {
            state: SheetState::GoalsApproved,
            stages: 2,
            open: every_phase(2),
            next_started: false,
        };
        let revise = |comment: &str| Command::ReviseGoals {
            comment: comment.into(),
        };
        assert_eq!(
            decide(&facts, Relation::Owner, &revise(" ")),
            Err(StepRefusal::RevisionReasonRequired)
        );
        let reopened = decide(&facts, Relation::Owner, &revise(" 担当エリアの変更 ")).unwrap();
        assert_eq!(reopened.to, SheetState::GoalDrafting);
        assert_eq!(reopened.comment.as_deref(), Some("担当エリアの変更"));
        // The revised goals go through the same approval as the first ones.
        let resubmitted = SheetFacts {
            state: reopened.to,
            ..facts.clone()
        };
        assert_eq!(
            decide(&resubmitted, Relation::Owner, &Command::SubmitGoals).map(|t| t.to),
            Ok(SheetState::GoalsSubmitted)
        );
        // Not the evaluator's to reopen, and not once the goals are being rated.
        assert_eq!(
            decide(&facts, Relation::Evaluator(stage(1)), &revise("変更")),
            Err(StepRefusal::NotYourStep)
        );
        facts.state = SheetState::SelfEvaluation;
        assert_eq!(
            decide(&facts, Relation::Owner, &revise("変更")),
            Err(StepRefusal::NotYourStep)
        );
        // Goal setting closed: the admin has to reopen it first.
        facts.state = SheetState::GoalsApproved;
        facts.open.retain(|phase| *phase != Phase::GoalSetting);
        assert_eq!(
            decide(&facts, Relation::Owner, &revise("変更")),
            Err(StepRefusal::PhaseClosed(Phase::GoalSetting))
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

    fn user(n: u8) -> UserId {
        UserId::from_request(&format!("0190a000-0000-7000-8000-00000000000{n}")).unwrap()
    }

    #[test]
    fn who_one_is_to_a_sheet() {
        let (owner, first, second, other) = (user(1), user(2), user(3), user(4));
        let chain = [Some(first.clone()), Some(second.clone())];
        assert_eq!(
            relations_to_sheet(&owner, &owner, &chain, true, true),
            vec![Relation::Owner]
        );
        assert_eq!(
            relations_to_sheet(&second, &owner, &chain, true, false),
            vec![Relation::Evaluator(stage(2)), Relation::EvaluationAdmin]
        );
        assert_eq!(
            relations_to_sheet(&other, &owner, &chain, false, true),
            vec![Relation::ScopeReader]
        );
        assert_eq!(
            relations_to_sheet(&other, &owner, &chain, false, false),
            vec![Relation::Stranger]
        );
    }

    #[test]
    fn each_writes_their_own_part_in_its_turn_and_phase() {
        let facts = |state| SheetFacts {
            state,
            stages: 2,
            open: every_phase(2),
            next_started: false,
        };
        use Relation::*;
        use SheetState::*;
        let cases = [
            (GoalDrafting, Owner, Ok(Draft::Goals)),
            (GoalsSubmitted, Owner, Err(StepRefusal::NotYourStep)),
            (GoalsApproved, Owner, Ok(Draft::SelfWork)),
            (SelfEvaluation, Owner, Ok(Draft::SelfWork)),
            (Evaluation(stage(1)), Owner, Err(StepRefusal::NotYourStep)),
            (
                Evaluation(stage(1)),
                Evaluator(stage(1)),
                Ok(Draft::StageWork(stage(1))),
            ),
            (
                Evaluation(stage(2)),
                Evaluator(stage(1)),
                Err(StepRefusal::NotYourStep),
            ),
            (GoalDrafting, EvaluationAdmin, Err(StepRefusal::NotYourStep)),
            (
                Calibration,
                Evaluator(stage(2)),
                Err(StepRefusal::NotYourStep),
            ),
        ];
        for (state, relation, expected) in cases {
            assert_eq!(
                draft_of(&facts(state), &[relation]),
                expected,
                "{state:?} {relation:?}"
            );
        }
        let mut closed = facts(GoalDrafting);
        closed.open.retain(|p| *p != Phase::GoalSetting);
        assert_eq!(
            draft_of(&closed, &[Owner]),
            Err(StepRefusal::PhaseClosed(Phase::GoalSetting))
        );
    }

    #[test]
    fn the_steps_shown_are_the_steps_allowed() {
        let facts = SheetFacts {
            state: SheetState::GoalsSubmitted,
            stages: 2,
            open: every_phase(2),
            next_started: false,
        };
        let first = [Relation::Evaluator(stage(1)), Relation::EvaluationAdmin];
        let names: Vec<_> = steps_open_to(&facts, &first).iter().map(name).collect();
        assert_eq!(names, ["approve goals", "send back"]);
        let names: Vec<_> = steps_open_to(&facts, &[Relation::Owner])
            .iter()
            .map(name)
            .collect();
        assert_eq!(names, ["withdraw goals"]);
        assert!(steps_open_to(&facts, &[Relation::ScopeReader]).is_empty());
    }

    #[test]
    fn stages_nobody_holds_are_passed() {
        use SheetState::*;
        let (one, two, three) = (stage(1), stage(2), stage(3));
        // Three stages, the 2nd empty: the 1st's submission goes to the 3rd; the 3rd's
        // send-back to the 1st; with the 2nd and 3rd empty, to calibration.
        let held = |s: Stage| s != two;
        assert_eq!(
            past_unheld_stages(Evaluation(one), Evaluation(two), 3, held),
            Evaluation(three)
        );
        assert_eq!(
            past_unheld_stages(Evaluation(three), Evaluation(two), 3, held),
            Evaluation(one)
        );
        let only_first = |s: Stage| s == one;
        assert_eq!(
            past_unheld_stages(Evaluation(one), Evaluation(two), 3, only_first),
            Calibration
        );
        // Nobody at the 1st stage: the self-evaluation goes straight on, and a send-back
        // from the 2nd returns to the employee.
        let not_first = |s: Stage| s != one;
        assert_eq!(
            past_unheld_stages(SelfEvaluation, Evaluation(one), 2, not_first),
            Evaluation(two)
        );
        assert_eq!(
            past_unheld_stages(Evaluation(two), Evaluation(one), 2, not_first),
            SelfEvaluation
        );
        assert_eq!(
            past_unheld_stages(GoalsSubmitted, GoalsApproved, 2, not_first),
            GoalsApproved
        );
    }
}
