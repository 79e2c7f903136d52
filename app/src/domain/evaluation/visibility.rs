//! Who sees what of a sheet (PRODUCT §4): the employee sees evaluators' ratings only after
//! disclosure, and only what the period discloses; an evaluator sees the self-evaluation and
//! the stages before theirs (and the rest once the grade is final); admins see what their
//! role and scope allow. [`visible_parts`] is the one function; the server asks it on every
//! call and sends nothing else.

use crate::domain::evaluation::Stage;
use crate::domain::evaluation::workflow::{Relation, SheetState};
use serde::{Deserialize, Serialize};

/// What a period shows its employees at disclosure.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Disclosure {
    pub final_grade: bool,
    pub final_score: bool,
    /// Each stage's ratings and scores.
    pub stage_ratings: bool,
    pub evaluator_comments: bool,
}

impl Default for Disclosure {
    /// The grade, the score and the evaluators' comments, not each stage's ratings.
    fn default() -> Self {
        Disclosure {
            final_grade: true,
            final_score: true,
            stage_ratings: false,
            evaluator_comments: true,
        }
    }
}

/// The parts of a sheet one person may see now.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Visible {
    /// The sheet at all: its goals, items and the state it is in.
    pub sheet: bool,
    pub self_evaluation: bool,
    /// The ratings and scores of these evaluator stages.
    pub stage_ratings: Vec<Stage>,
    /// The comments of these evaluator stages.
    pub stage_comments: Vec<Stage>,
    pub final_grade: bool,
    pub final_score: bool,
    /// The calibration's adjustment and its reason.
    pub calibration: bool,
}

impl Visible {
    /// What either lets one see: for a person who is two things to a sheet.
    pub fn union(&self, other: &Visible) -> Visible {
        let merged = |a: &[Stage], b: &[Stage]| {
            let mut all: Vec<Stage> = a.iter().chain(b).copied().collect();
            all.sort();
            all.dedup();
            all
        };
        Visible {
            sheet: self.sheet || other.sheet,
            self_evaluation: self.self_evaluation || other.self_evaluation,
            stage_ratings: merged(&self.stage_ratings, &other.stage_ratings),
            stage_comments: merged(&self.stage_comments, &other.stage_comments),
            final_grade: self.final_grade || other.final_grade,
            final_score: self.final_score || other.final_score,
            calibration: self.calibration || other.calibration,
        }
    }
}

/// How far a sheet has come: a stage's work can be seen only once it is submitted.
fn submitted_stages(state: SheetState, stages: u8) -> Vec<Stage> {
    let done = match state {
        SheetState::GoalDrafting
        | SheetState::GoalsSubmitted
        | SheetState::GoalsApproved
        | SheetState::SelfEvaluation
        | SheetState::Excluded => 0,
        SheetState::Evaluation(stage) => stage.number() - 1,
        SheetState::Calibration
        | SheetState::Finalized
        | SheetState::Disclosed
        | SheetState::Acknowledged => stages,
    };
    Stage::all(done).collect()
}

fn self_submitted(state: SheetState) -> bool {
    matches!(
        state,
        SheetState::Evaluation(_)
            | SheetState::Calibration
            | SheetState::Finalized
            | SheetState::Disclosed
            | SheetState::Acknowledged
    )
}

fn final_known(state: SheetState) -> bool {
    matches!(
        state,
        SheetState::Finalized | SheetState::Disclosed | SheetState::Acknowledged
    )
}

/// What `relation` sees of a sheet in `state` with `stages` evaluator stages. An evaluator
/// always sees their own stage's work (they are writing it); what others wrote shows once
/// submitted.
pub fn visible_parts(
    relation: Relation,
    state: SheetState,
    stages: u8,
    disclosure: Disclosure,
) -> Visible {
    let submitted = submitted_stages(state, stages);
    match relation {
        Relation::Stranger => Visible::default(),
        Relation::Owner => {
            let disclosed = matches!(state, SheetState::Disclosed | SheetState::Acknowledged);
            let shown = |flag: bool| {
                if disclosed && flag {
                    submitted.clone()
                } else {
                    vec![]
                }
            };
            Visible {
                sheet: true,
                self_evaluation: true,
                stage_ratings: shown(disclosure.stage_ratings),
                stage_comments: shown(disclosure.evaluator_comments),
                final_grade: disclosed && disclosure.final_grade,
                final_score: disclosed && disclosure.final_score,
                calibration: false,
            }
        }
        Relation::Evaluator(mine) => {
            if mine.number() > stages {
                return Visible::default();
            }
            let finished = final_known(state);
            let seen: Vec<Stage> = Stage::all(stages)
                .filter(|stage| {
                    *stage == mine || (submitted.contains(stage) && (*stage < mine || finished))
                })
                .collect();
            Visible {
                sheet: true,
                self_evaluation: self_submitted(state),
                stage_ratings: seen.clone(),
                stage_comments: seen,
                final_grade: finished,
                final_score: finished,
                calibration: finished,
            }
        }
        Relation::EvaluationAdmin | Relation::ScopeReader => Visible {
            sheet: true,
            self_evaluation: self_submitted(state),
            stage_ratings: submitted.clone(),
            stage_comments: submitted,
            final_grade: matches!(state, SheetState::Calibration) || final_known(state),
            final_score: matches!(state, SheetState::Calibration) || final_known(state),
            calibration: matches!(state, SheetState::Calibration) || final_known(state),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(n: u8) -> Stage {
        Stage::new(n).unwrap()
    }

    /// One row: what `relation` sees in `state` of a two-stage sheet with the default
    /// disclosure, as (self, stage ratings, stage comments, final grade, final score).
    type Row = (
        Relation,
        SheetState,
        bool,
        Vec<Stage>,
        Vec<Stage>,
        bool,
        bool,
    );

    #[test]
    fn who_sees_what_of_a_two_stage_sheet() {
        use Relation::*;
        use SheetState::*;
        let rows: Vec<Row> = vec![
            // The employee: their own self-evaluation always; the rest only once disclosed,
            // and then what the period discloses (comments, grade, score; not ratings).
            (Owner, SelfEvaluation, true, vec![], vec![], false, false),
            (Owner, Evaluation(s(2)), true, vec![], vec![], false, false),
            (Owner, Calibration, true, vec![], vec![], false, false),
            (Owner, Finalized, true, vec![], vec![], false, false),
            (Owner, Disclosed, true, vec![], vec![s(1), s(2)], true, true),
            (
                Owner,
                Acknowledged,
                true,
                vec![],
                vec![s(1), s(2)],
                true,
                true,
            ),
            // The 1st evaluator: their own stage; the 2nd's once the grade is final.
            (
                Evaluator(s(1)),
                SelfEvaluation,
                false,
                vec![s(1)],
                vec![s(1)],
                false,
                false,
            ),
            (
                Evaluator(s(1)),
                Evaluation(s(1)),
                true,
                vec![s(1)],
                vec![s(1)],
                false,
                false,
            ),
            (
                Evaluator(s(1)),
                Calibration,
                true,
                vec![s(1)],
                vec![s(1)],
                false,
                false,
            ),
            (
                Evaluator(s(1)),
                Finalized,
                true,
                vec![s(1), s(2)],
                vec![s(1), s(2)],
                true,
                true,
            ),
            // The 2nd evaluator: self and 1st once submitted, and their own.
            (
                Evaluator(s(2)),
                Evaluation(s(1)),
                true,
                vec![s(2)],
                vec![s(2)],
                false,
                false,
            ),
            (
                Evaluator(s(2)),
                Evaluation(s(2)),
                true,
                vec![s(1), s(2)],
                vec![s(1), s(2)],
                false,
                false,
            ),
            // A 3rd evaluator of a two-stage sheet is nobody to it.
            (
                Evaluator(s(3)),
                Evaluation(s(2)),
                false,
                vec![],
                vec![],
                false,
                false,
            ),
            // Admins and scope readers: whatever is submitted; the grade from calibration on.
            (
                EvaluationAdmin,
                Evaluation(s(2)),
                true,
                vec![s(1)],
                vec![s(1)],
                false,
                false,
            ),
            (
                EvaluationAdmin,
                Calibration,
                true,
                vec![s(1), s(2)],
                vec![s(1), s(2)],
                true,
                true,
            ),
            (
                ScopeReader,
                Finalized,
                true,
                vec![s(1), s(2)],
                vec![s(1), s(2)],
                true,
                true,
            ),
            (Stranger, Disclosed, false, vec![], vec![], false, false),
        ];
        for (relation, state, self_evaluation, ratings, comments, grade, score) in rows {
            let seen = visible_parts(relation, state, 2, Disclosure::default());
            assert_eq!(
                (
                    seen.self_evaluation,
                    seen.stage_ratings,
                    seen.stage_comments,
                    seen.final_grade,
                    seen.final_score
                ),
                (self_evaluation, ratings, comments, grade, score),
                "{relation:?} in {state:?}"
            );
        }
    }

    #[test]
    fn the_employee_sees_exactly_what_the_period_discloses() {
        let everything = Disclosure {
            final_grade: true,
            final_score: false,
            stage_ratings: true,
            evaluator_comments: false,
        };
        let seen = visible_parts(Relation::Owner, SheetState::Disclosed, 2, everything);
        assert_eq!(seen.stage_ratings, [s(1), s(2)]);
        assert!(seen.stage_comments.is_empty());
        assert!(seen.final_grade && !seen.final_score && !seen.calibration);
    }

    #[test]
    fn nobody_but_the_sheet_s_people_sees_it() {
        for state in SheetState::all(3) {
            assert_eq!(
                visible_parts(Relation::Stranger, state, 3, Disclosure::default()),
                Visible::default()
            );
        }
    }
}
