//! A period's progress (進捗, PRODUCT §4): how far each sheet has come, whose turn it waits
//! on, and the counts per phase and per department that the progress page shows — each
//! department with its whole subtree. Pure: the backend reads the sheets, these functions
//! count them, and the page draws what they answer.

use crate::domain::dates::CalendarDate;
use crate::domain::evaluation::Stage;
use crate::domain::evaluation::calibration::GradeBar;
use crate::domain::evaluation::workflow::{Phase, SheetState};
use crate::domain::ids::{DepartmentId, PeriodId, SheetId};
use crate::domain::org_chart::PersonRef;
use crate::domain::org_tree::OrgTree;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Whose turn a sheet waits on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Waiting {
    /// The employee: goals, or the self-evaluation.
    Employee,
    /// The evaluator of this stage (the 1st also approves the goals).
    Evaluator(Stage),
    /// The evaluation admins: calibration, finalizing, disclosure.
    Admins,
}

/// Whose turn a sheet in `state` waits on; `None` once nothing more is due from anybody.
/// The same split as [`SheetState::due_phase`]: whoever's step is due by that deadline.
pub fn waiting_on(state: SheetState) -> Option<Waiting> {
    match state {
        SheetState::GoalDrafting | SheetState::GoalsApproved | SheetState::SelfEvaluation => {
            Some(Waiting::Employee)
        }
        SheetState::GoalsSubmitted => Some(Waiting::Evaluator(Stage::FIRST)),
        SheetState::Evaluation(stage) => Some(Waiting::Evaluator(stage)),
        SheetState::Calibration | SheetState::Finalized => Some(Waiting::Admins),
        SheetState::Disclosed | SheetState::Acknowledged | SheetState::Excluded => None,
    }
}

/// Whether a sheet in `state` is past `phase`: every step due by that phase's deadline
/// has been taken. `phases` are the period's, in workflow order.
pub fn is_past(state: SheetState, phase: Phase, phases: &[Phase]) -> bool {
    let Some(at) = phases.iter().position(|p| *p == phase) else {
        return false;
    };
    match state.due_phase() {
        // Disclosed or acknowledged: every phase is behind it.
        None => state != SheetState::Excluded,
        Some(due) => phases
            .iter()
            .position(|p| *p == due)
            .is_some_and(|now| now > at),
    }
}

/// One sheet as progress counts it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SheetProgress {
    pub state: SheetState,
    pub late: bool,
    /// The employee's primary department (`None`: none).
    pub department: Option<DepartmentId>,
    /// The final grade, once there is one (calibration and later).
    pub final_grade: Option<String>,
}

/// How many of a set of sheets have passed each phase.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhaseCount {
    pub phase: Phase,
    /// Sheets past it.
    pub done: usize,
    /// Sheets whose step of this phase is late now.
    pub late: usize,
}

/// The counts of a set of sheets (a department's subtree, or all the reader may see).
/// Excluded sheets count only in `excluded`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tally {
    /// Sheets in the period, excluded ones not counted.
    pub total: usize,
    pub late: usize,
    pub excluded: usize,
    /// Per phase, in workflow order.
    pub phases: Vec<PhaseCount>,
    /// How many sheets are in each state, in workflow order (states with none left out).
    pub states: Vec<(SheetState, usize)>,
}

impl Tally {
    fn empty(phases: &[Phase]) -> Tally {
        Tally {
            phases: phases
                .iter()
                .map(|&phase| PhaseCount {
                    phase,
                    done: 0,
                    late: 0,
                })
                .collect(),
            ..Tally::default()
        }
    }

    fn add(&mut self, sheet: &SheetProgress, phases: &[Phase]) {
        if let Some((_, n)) = self.states.iter_mut().find(|(s, _)| *s == sheet.state) {
            *n += 1;
        } else {
            self.states.push((sheet.state, 1));
        }
        if sheet.state == SheetState::Excluded {
            self.excluded += 1;
            return;
        }
        self.total += 1;
        if sheet.late {
            self.late += 1;
        }
        for count in &mut self.phases {
            if is_past(sheet.state, count.phase, phases) {
                count.done += 1;
            } else if sheet.late && sheet.state.due_phase() == Some(count.phase) {
                count.late += 1;
            }
        }
    }

    /// The states in workflow order, as the page lists them.
    fn order_states(&mut self, stages: u8) {
        let order = SheetState::all(stages);
        self.states
            .sort_by_key(|(s, _)| order.iter().position(|o| o == s).unwrap_or(usize::MAX));
    }

    /// Sheets past `phase`, in percent of the total (0 when there are none), to one decimal.
    pub fn percent_done(&self, phase: Phase) -> rust_decimal::Decimal {
        use rust_decimal::Decimal;
        let done = self
            .phases
            .iter()
            .find(|c| c.phase == phase)
            .map_or(0, |c| c.done);
        if self.total == 0 {
            return Decimal::ZERO;
        }
        (Decimal::from(done * 100) / Decimal::from(self.total)).round_dp(1)
    }
}

/// The counts of every department's whole subtree (`None`: the people with no department),
/// and of all the sheets together under the key `None` of the second map.
pub struct Rollup {
    pub by_department: HashMap<Option<DepartmentId>, Tally>,
    pub all: Tally,
}

/// Counts `sheets` per phase, adding each to its department and every department above it.
pub fn roll_up(tree: &OrgTree, sheets: &[SheetProgress], stages: u8) -> Rollup {
    let phases = crate::domain::evaluation::period::phases(stages);
    let mut by_department: HashMap<Option<DepartmentId>, Tally> = HashMap::new();
    let mut all = Tally::empty(&phases);
    // Each department's chain up to its root, worked out once per department.
    let mut chains: HashMap<Option<&DepartmentId>, Vec<Option<DepartmentId>>> = HashMap::new();
    for sheet in sheets {
        all.add(sheet, &phases);
        let chain = chains.entry(sheet.department.as_ref()).or_insert_with(|| {
            match &sheet.department {
                Some(d) if tree.get(d).is_some() => std::iter::once(Some(d.clone()))
                    .chain(tree.ancestors(d).into_iter().cloned().map(Some))
                    .collect(),
                // A department deleted since: counted with those without one.
                _ => vec![None],
            }
        });
        for department in chain.iter() {
            by_department
                .entry(department.clone())
                .or_insert_with(|| Tally::empty(&phases))
                .add(sheet, &phases);
        }
    }
    all.order_states(stages);
    for tally in by_department.values_mut() {
        tally.order_states(stages);
    }
    Rollup { by_department, all }
}

// ---- what the page receives ---------------------------------------------------------------

/// One department's row: its subtree's counts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DepartmentProgress {
    /// `None`: the people with no department.
    pub department: Option<DepartmentId>,
    pub name: String,
    /// Whether it has departments below with sheets (to drill down into).
    pub has_below: bool,
    pub tally: Tally,
}

/// A sheet whose step is late, with the person it waits on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LateSheet {
    pub sheet: SheetId,
    pub employee: PersonRef,
    pub department: String,
    pub state: SheetState,
    pub waiting: Waiting,
    /// The person whose step it is (`None` for the admins, or a stage nobody holds).
    pub late_person: Option<PersonRef>,
    /// The deadline that passed (this sheet's own extension counting).
    pub deadline: CalendarDate,
    pub days_late: i64,
}

/// A reminder or escalation mail that was sent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SentReminder {
    /// When, as people read it: `2026-12-01 09:00 +09:00`.
    pub sent_at: String,
    pub sheet: SheetId,
    pub employee: PersonRef,
    pub recipient: PersonRef,
    pub kind: crate::domain::evaluation::reminders::ReminderKind,
    /// Who sent it by hand (`None`: the schedule).
    pub sent_by: Option<PersonRef>,
}

/// The progress page of one period, for one reader and one department (with its subtree).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProgressView {
    pub period: PeriodId,
    pub period_name: String,
    pub period_state: crate::domain::evaluation::period::PeriodState,
    /// The period's version, which a change of its reminders is based on.
    pub version: i64,
    pub stages: u8,
    /// The tenant's date today, the day lateness is counted on.
    pub today: CalendarDate,
    /// Each phase's deadline, in workflow order.
    pub deadlines: Vec<crate::domain::evaluation::period::Deadline>,
    /// The department looked at (`None`: everything the reader may see), and the way down
    /// to it from the top, for going back up.
    pub department: Option<DepartmentId>,
    pub path: Vec<(DepartmentId, String)>,
    /// The counts of what is looked at.
    pub tally: Tally,
    /// The departments one level down, each with its subtree's counts.
    pub below: Vec<DepartmentProgress>,
    /// The final grades of what is looked at, against the period's target.
    pub grades: Vec<GradeBar>,
    /// The late sheets of what is looked at, longest late first (at most [`LATE_SHOWN`]),
    /// and how many there are in all.
    pub late: Vec<LateSheet>,
    pub late_total: usize,
    /// Whether the reader may send reminders (HR staff; evaluators only follow).
    pub may_remind: bool,
    /// Whether the reader may take the results files (HR staff).
    pub may_export: bool,
    /// The automatic reminders the period sends.
    pub reminders: crate::domain::evaluation::reminders::ReminderPlan,
    /// The latest reminders sent for the sheets looked at, newest first.
    pub sent: Vec<SentReminder>,
    /// Whether the reader sees every sheet (admins) or a part (their scope, their people).
    pub whole_period: bool,
}

/// A bulk PDF job (一括PDF) as the page follows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PdfJobView {
    pub id: String,
    /// Sheets in it, and how many are written so far.
    pub total: usize,
    pub done: usize,
    /// The ZIP is ready to take.
    pub ready: bool,
    pub failed: bool,
    /// The ZIP's size once ready.
    pub bytes: u64,
}

/// The most late sheets the page lists at once.
pub const LATE_SHOWN: usize = 300;
/// The most sent reminders the page lists.
pub const SENT_SHOWN: usize = 50;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::org_tree::Node;

    fn dept(n: &str) -> DepartmentId {
        DepartmentId::from_stored(format!("d-{n}"))
    }

    /// 本社 ─ 営業部 ─ 第一課, and 本社 ─ 開発部.
    fn tree() -> OrgTree {
        let node = |id: &str, parent: Option<&str>| Node {
            id: dept(id),
            parent: parent.map(dept),
            sort_order: 0,
        };
        OrgTree::new(vec![
            node("hq", None),
            node("sales", Some("hq")),
            node("sales1", Some("sales")),
            node("dev", Some("hq")),
        ])
        .unwrap()
    }

    fn sheet(state: SheetState, late: bool, department: Option<&str>) -> SheetProgress {
        SheetProgress {
            state,
            late,
            department: department.map(dept),
            final_grade: None,
        }
    }

    #[test]
    fn a_phase_is_done_for_the_sheets_past_it_and_late_for_those_still_due_in_it() {
        let phases = crate::domain::evaluation::period::phases(2);
        let stage = |n| SheetState::Evaluation(Stage::new(n).unwrap());
        assert!(!is_past(
            SheetState::GoalDrafting,
            Phase::GoalSetting,
            &phases
        ));
        assert!(is_past(
            SheetState::GoalsSubmitted,
            Phase::GoalSetting,
            &phases
        ));
        assert!(!is_past(
            SheetState::GoalsSubmitted,
            Phase::GoalApproval,
            &phases
        ));
        // Approved goals wait for the self-evaluation: past approval, not past the self.
        assert!(is_past(
            SheetState::GoalsApproved,
            Phase::GoalApproval,
            &phases
        ));
        assert!(!is_past(
            SheetState::GoalsApproved,
            Phase::SelfEvaluation,
            &phases
        ));
        assert!(is_past(stage(2), Phase::Evaluation(Stage::FIRST), &phases));
        assert!(!is_past(
            stage(2),
            Phase::Evaluation(Stage::new(2).unwrap()),
            &phases
        ));
        assert!(is_past(SheetState::Finalized, Phase::Calibration, &phases));
        assert!(!is_past(SheetState::Finalized, Phase::Disclosure, &phases));
        for phase in &phases {
            assert!(is_past(SheetState::Acknowledged, *phase, &phases));
            assert!(!is_past(SheetState::Excluded, *phase, &phases));
        }
    }

    #[test]
    fn whose_turn_follows_the_state() {
        assert_eq!(
            waiting_on(SheetState::GoalDrafting),
            Some(Waiting::Employee)
        );
        assert_eq!(
            waiting_on(SheetState::GoalsSubmitted),
            Some(Waiting::Evaluator(Stage::FIRST))
        );
        assert_eq!(waiting_on(SheetState::Finalized), Some(Waiting::Admins));
        assert_eq!(waiting_on(SheetState::Acknowledged), None);
    }

    #[test]
    fn each_department_counts_its_whole_subtree() {
        let sheets = vec![
            sheet(SheetState::GoalDrafting, true, Some("sales1")),
            sheet(SheetState::GoalsSubmitted, false, Some("sales1")),
            sheet(SheetState::SelfEvaluation, false, Some("sales")),
            sheet(SheetState::GoalDrafting, false, Some("dev")),
            sheet(SheetState::Excluded, false, Some("dev")),
            sheet(SheetState::GoalDrafting, true, None),
        ];
        let rollup = roll_up(&tree(), &sheets, 1);
        let of = |d: Option<&str>| &rollup.by_department[&d.map(dept)];
        assert_eq!(of(Some("sales1")).total, 2);
        assert_eq!(of(Some("sales")).total, 3);
        assert_eq!(of(Some("hq")).total, 4);
        assert_eq!(of(Some("hq")).excluded, 1);
        assert_eq!(of(Some("hq")).late, 1);
        assert_eq!(of(None).total, 1);
        assert_eq!(rollup.all.total, 5);
        assert_eq!(rollup.all.late, 2);
        let goal_setting = &rollup.all.phases[0];
        assert_eq!(goal_setting.phase, Phase::GoalSetting);
        assert_eq!((goal_setting.done, goal_setting.late), (2, 2));
        assert_eq!(
            rollup.all.percent_done(Phase::GoalSetting),
            rust_decimal::Decimal::from(40)
        );
        // The states in workflow order, excluded counted apart from the total.
        assert_eq!(
            of(Some("hq")).states,
            vec![
                (SheetState::GoalDrafting, 2),
                (SheetState::GoalsSubmitted, 1),
                (SheetState::SelfEvaluation, 1),
                (SheetState::Excluded, 1),
            ]
        );
    }
}
