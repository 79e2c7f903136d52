//! An evaluation period (評価期間, PRODUCT §4): what an admin plans before launching it
//! ([`PeriodPlan`]: the name, the term, the template, the evaluator stages, the people, a
//! deadline for every phase, the calibration guideline and what the employees see at
//! disclosure), the check every save runs ([`PeriodPlan::check`]), and the state the
//! period is in ([`PeriodState`]). Deadlines are days in the tenant's time zone: a phase
//! runs until the end of its day, and late work is flagged, not refused, until an admin
//! closes the phase.

use crate::domain::choice::Choice;
use crate::domain::dates::CalendarDate;
use crate::domain::evaluation::Stage;
use crate::domain::evaluation::population::PopulationRule;
use crate::domain::evaluation::scale::GradeThresholds;
use crate::domain::evaluation::visibility::Disclosure;
use crate::domain::evaluation::workflow::Phase;
use crate::domain::ids::{PeriodId, SheetId, TemplateId, UserId};
use crate::domain::org_chart::PersonRef;
use crate::domain::stored_names::stored_names;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// The longest period name.
pub const NAME_MAX: usize = 100;
/// How many people a period's preview lists by name.
pub const PREVIEW_SHOWN: usize = 50;

stored_names! {
    /// Stored in `evaluation_periods.state`.
    pub enum PeriodState {
        /// Being planned: nothing exists for the employees yet.
        Draft = "draft",
        /// Launched: every person of it has a sheet.
        Running = "running",
        /// Ended: its sheets are kept, and change no more.
        Closed = "closed",
    }
}

/// One phase's deadline: the last day of it, in the tenant's zone.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deadline {
    pub phase: Phase,
    pub date: Option<CalendarDate>,
}

/// The deadline a sheet in `state` works to: the phase its next step is due in, and that
/// phase's last day — this sheet's own extension where it has one. `None` once nothing is
/// due, or when the phase has no deadline.
pub fn deadline_for(
    plan: &PeriodPlan,
    state: crate::domain::evaluation::workflow::SheetState,
    extended: &[Deadline],
) -> Option<(Phase, CalendarDate)> {
    let phase = state.due_phase()?;
    let own = extended
        .iter()
        .find(|d| d.phase == phase)
        .and_then(|d| d.date);
    own.or_else(|| plan.deadline_of(phase))
        .map(|date| (phase, date))
}

/// Whether a sheet in `state` is late on `today` (the tenant's date): the deadline of the
/// phase its next step is due in has passed ([`deadline_for`]). Late work is flagged,
/// never refused; a phase without a deadline is never late.
pub fn is_late(
    plan: &PeriodPlan,
    state: crate::domain::evaluation::workflow::SheetState,
    extended: &[Deadline],
    today: CalendarDate,
) -> bool {
    deadline_for(plan, state, extended).is_some_and(|(_, deadline)| today > deadline)
}

/// One grade's share in the target distribution of the calibration.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GradeShare {
    pub grade: String,
    /// Percent of the people.
    pub percent: Decimal,
}

/// The calibration's target distribution: a guideline, or a rule when `forced`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Calibration {
    pub distribution: Vec<GradeShare>,
    pub forced: bool,
}

impl Calibration {
    /// S 5 %, A 20 %, B 50 %, C 20 %, D 5 % over the grades given, as a guideline; other
    /// grades get an even share.
    pub fn usual(grades: &GradeThresholds) -> Calibration {
        let usual = [("S", 5), ("A", 20), ("B", 50), ("C", 20), ("D", 5)];
        let names: Vec<&str> = grades.grades.iter().map(|g| g.grade.as_str()).collect();
        let distribution = if names.iter().copied().eq(usual.iter().map(|(g, _)| *g)) {
            usual
                .iter()
                .map(|(grade, percent)| GradeShare {
                    grade: (*grade).to_owned(),
                    percent: Decimal::from(*percent),
                })
                .collect()
        } else {
            let shares =
                crate::domain::evaluation::scoring::renormalise(&vec![Decimal::ONE; names.len()]);
            names
                .iter()
                .zip(shares)
                .map(|(grade, percent)| GradeShare {
                    grade: (*grade).to_owned(),
                    percent,
                })
                .collect()
        };
        Calibration {
            distribution,
            forced: false,
        }
    }
}

/// Everything an admin sets for a period.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeriodPlan {
    pub name: String,
    /// The term evaluated (対象期間).
    pub term_start: Option<CalendarDate>,
    pub term_end: Option<CalendarDate>,
    pub template: Option<TemplateId>,
    /// Evaluator stages, 1 to 3.
    pub stages: u8,
    pub population: PopulationRule,
    /// One per phase of the period, in workflow order ([`phases`]).
    pub deadlines: Vec<Deadline>,
    pub calibration: Calibration,
    pub disclosure: Disclosure,
    /// The reminder mails sent around the deadlines (off in plans saved before they were).
    #[serde(default)]
    pub reminders: crate::domain::evaluation::reminders::ReminderPlan,
}

/// The phases of a period with `stages` evaluator stages, in workflow order.
pub fn phases(stages: u8) -> Vec<Phase> {
    let mut phases = vec![
        Phase::GoalSetting,
        Phase::GoalApproval,
        Phase::SelfEvaluation,
    ];
    phases.extend(Stage::all(stages).map(Phase::Evaluation));
    phases.extend([Phase::Calibration, Phase::Disclosure]);
    phases
}

/// Days after the term's start (goals) or end (the rest) that a phase's default deadline
/// falls on.
fn default_offset(phase: Phase) -> (bool, i64) {
    match phase {
        Phase::GoalSetting => (true, 14),
        Phase::GoalApproval => (true, 21),
        Phase::SelfEvaluation => (false, 7),
        Phase::Evaluation(stage) => (false, 7 + 7 * i64::from(stage.number())),
        Phase::Calibration => (false, 35),
        Phase::Disclosure => (false, 42),
    }
}

/// Where in a period a problem is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum PeriodPlace {
    Name,
    Term,
    Template,
    Stages,
    Deadline(Phase),
    Distribution,
    Population,
    Evaluators,
    /// The period as a whole (its state).
    Period,
}

/// Why a period (or a change to it) is refused: data only, translated in `i18n::problems`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum PeriodProblem {
    /// Empty, or over [`NAME_MAX`] characters.
    NameLength,
    NameTaken,
    /// A start or end date is missing.
    TermMissing,
    /// The term ends before it starts.
    TermOrder,
    NoTemplate,
    /// Stages outside 1 to 3.
    Stages,
    DeadlineMissing,
    /// A deadline before the one of the phase before it.
    DeadlineOrder,
    /// Shares that do not total 100.
    DistributionTotal {
        total: Decimal,
    },
    /// A share of a grade the template does not have, or a negative one.
    DistributionGrade {
        grade: String,
    },
    /// Nobody is in the population.
    NobodySelected,
    /// People with a stage that has no evaluator: the first of them by name.
    WithoutEvaluator {
        count: usize,
        first: String,
    },
    /// An evaluator who is the person themself.
    SelfEvaluator,
    /// The same evaluator at two stages of one person.
    EvaluatorTwice,
    /// An evaluator who cannot sign in (deactivated), or no employee of the tenant.
    EvaluatorUnavailable {
        code: String,
    },
    /// The change needs the period in another state (a draft for its plan, running for
    /// its sheets).
    WrongState {
        state: PeriodState,
    },
    /// The person has a sheet in this period already.
    AlreadyInPeriod,
    /// A sheet that is finished (or excluded) changes no more.
    SheetClosed,
    /// A hand-over to someone who is the person of a sheet, or already another stage's
    /// evaluator on it: the first such person.
    HandOverClash {
        employee: String,
    },
    /// The evaluator handed over from has no open sheet in this period.
    NothingToHandOver,
    /// An exclusion needs a reason.
    ReasonRequired,
    /// A date field that holds no date.
    NotADate,
    /// A percent field that holds no number.
    NotANumber,
}

/// A problem and where it is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeriodIssue {
    pub at: PeriodPlace,
    pub problem: PeriodProblem,
}

fn issue(at: PeriodPlace, problem: PeriodProblem) -> PeriodIssue {
    PeriodIssue { at, problem }
}

impl PeriodPlan {
    /// A new plan: two evaluator stages, everybody, deadlines counted from the term, the
    /// usual distribution as a guideline, the default disclosure.
    pub fn starter(
        name: String,
        term_start: CalendarDate,
        term_end: CalendarDate,
        template: Option<TemplateId>,
        grades: &GradeThresholds,
    ) -> PeriodPlan {
        let mut plan = PeriodPlan {
            name,
            term_start: Some(term_start),
            term_end: Some(term_end),
            template,
            stages: 2,
            population: PopulationRule::default(),
            deadlines: Vec::new(),
            calibration: Calibration::usual(grades),
            disclosure: Disclosure::default(),
            reminders: Default::default(),
        };
        plan.fit_deadlines();
        plan
    }

    /// Makes `deadlines` hold exactly the phases of `stages`, keeping the dates set and
    /// giving a missing phase its default from the term.
    pub fn fit_deadlines(&mut self) {
        let stages = self.stages.clamp(1, Stage::MAX);
        let old = std::mem::take(&mut self.deadlines);
        self.deadlines = phases(stages)
            .into_iter()
            .map(|phase| {
                let kept = old.iter().find(|d| d.phase == phase).and_then(|d| d.date);
                let date = kept.or_else(|| {
                    let (from_start, days) = default_offset(phase);
                    let base = if from_start {
                        self.term_start
                    } else {
                        self.term_end
                    };
                    base.map(|base| base.plus_days(days))
                });
                Deadline { phase, date }
            })
            .collect();
    }

    /// The deadline of `phase`, if the plan has one.
    pub fn deadline_of(&self, phase: Phase) -> Option<CalendarDate> {
        self.deadlines
            .iter()
            .find(|d| d.phase == phase)
            .and_then(|d| d.date)
    }

    /// Every problem of the plan; `grades`: the chosen template's (for the distribution).
    pub fn check(&self, grades: Option<&GradeThresholds>) -> Vec<PeriodIssue> {
        let mut issues = Vec::new();
        let length = self.name.trim().chars().count();
        if !(1..=NAME_MAX).contains(&length) {
            issues.push(issue(PeriodPlace::Name, PeriodProblem::NameLength));
        }
        match (self.term_start, self.term_end) {
            (Some(start), Some(end)) if end < start => {
                issues.push(issue(PeriodPlace::Term, PeriodProblem::TermOrder))
            }
            (Some(_), Some(_)) => {}
            _ => issues.push(issue(PeriodPlace::Term, PeriodProblem::TermMissing)),
        }
        if self.template.is_none() {
            issues.push(issue(PeriodPlace::Template, PeriodProblem::NoTemplate));
        }
        if !(1..=Stage::MAX).contains(&self.stages) {
            issues.push(issue(PeriodPlace::Stages, PeriodProblem::Stages));
        }
        let mut previous: Option<CalendarDate> = None;
        for phase in phases(self.stages.clamp(1, Stage::MAX)) {
            match self.deadline_of(phase) {
                None => issues.push(issue(
                    PeriodPlace::Deadline(phase),
                    PeriodProblem::DeadlineMissing,
                )),
                Some(date) => {
                    if previous.is_some_and(|before| date < before) {
                        issues.push(issue(
                            PeriodPlace::Deadline(phase),
                            PeriodProblem::DeadlineOrder,
                        ));
                    }
                    previous = Some(date);
                }
            }
        }
        let total: Decimal = self
            .calibration
            .distribution
            .iter()
            .map(|s| s.percent)
            .sum();
        if total != Decimal::from(100) {
            issues.push(issue(
                PeriodPlace::Distribution,
                PeriodProblem::DistributionTotal { total },
            ));
        }
        for share in &self.calibration.distribution {
            let known = grades.is_none_or(|g| g.grades.iter().any(|t| t.grade == share.grade));
            if !known || share.percent < Decimal::ZERO {
                issues.push(issue(
                    PeriodPlace::Distribution,
                    PeriodProblem::DistributionGrade {
                        grade: share.grade.clone(),
                    },
                ));
            }
        }
        issues
    }

    /// The plan as saved: the name trimmed, the deadlines fitted to the stages, hand-made
    /// additions and exclusions without repeats.
    pub fn tidied(mut self) -> PeriodPlan {
        self.name = self.name.trim().to_owned();
        self.fit_deadlines();
        dedup(&mut self.population.added);
        dedup(&mut self.population.excluded);
        dedup(&mut self.population.departments);
        self
    }
}

fn dedup<T: PartialEq + Clone>(list: &mut Vec<T>) {
    let mut seen: Vec<T> = Vec::with_capacity(list.len());
    list.retain(|item| {
        if seen.contains(item) {
            false
        } else {
            seen.push(item.clone());
            true
        }
    });
}

/// Why an evaluator chain of `employee` cannot be used, if it cannot: nobody evaluates
/// themself, nobody twice. Missing stages are allowed here (listed before launch).
pub fn chain_problem(employee: &UserId, chain: &[Option<UserId>]) -> Option<PeriodProblem> {
    let named: Vec<&UserId> = chain.iter().flatten().collect();
    if named.contains(&employee) {
        return Some(PeriodProblem::SelfEvaluator);
    }
    for (i, a) in named.iter().enumerate() {
        if named[i + 1..].contains(a) {
            return Some(PeriodProblem::EvaluatorTwice);
        }
    }
    None
}

// ---- the page's draft --------------------------------------------------------------------

/// A plan as the period page edits it: dates and percents as typed, so that a half-typed
/// value is kept and named, not lost. [`PeriodDraft::parse`] gives the plan and every
/// problem, as the server's check would find them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PeriodDraft {
    pub name: String,
    pub term_start: String,
    pub term_end: String,
    pub stages: u8,
    pub grades: String,
    pub employment_types: String,
    pub hired_before: String,
    /// (phase, `YYYY-MM-DD`), in workflow order.
    pub deadlines: Vec<(Phase, String)>,
    /// (grade, percent as typed).
    pub distribution: Vec<(String, String)>,
    pub forced: bool,
    pub disclosure: Disclosure,
    /// The plan it started from: its template and its people (the pickers send those).
    pub base: PeriodPlan,
}

fn iso_or_empty(date: Option<CalendarDate>) -> String {
    date.map(CalendarDate::iso).unwrap_or_default()
}

fn list_of(text: &str) -> Vec<String> {
    text.split([',', '、', '，', ';'])
        .map(str::trim)
        .filter(|part| !part.is_empty())
        .map(str::to_owned)
        .collect()
}

impl PeriodDraft {
    pub fn of(plan: &PeriodPlan) -> PeriodDraft {
        PeriodDraft {
            name: plan.name.clone(),
            term_start: iso_or_empty(plan.term_start),
            term_end: iso_or_empty(plan.term_end),
            stages: plan.stages,
            grades: plan.population.grades.join(", "),
            employment_types: plan.population.employment_types.join(", "),
            hired_before: iso_or_empty(plan.population.hired_on_or_before),
            deadlines: plan
                .deadlines
                .iter()
                .map(|d| (d.phase, iso_or_empty(d.date)))
                .collect(),
            distribution: plan
                .calibration
                .distribution
                .iter()
                .map(|s| (s.grade.clone(), s.percent.normalize().to_string()))
                .collect(),
            forced: plan.calibration.forced,
            disclosure: plan.disclosure,
            base: plan.clone(),
        }
    }

    /// Changes the stages, keeping the deadlines typed and proposing the new ones.
    pub fn set_stages(&mut self, stages: u8) {
        let (mut plan, _) = self.parse(&[]);
        plan.stages = stages.clamp(1, Stage::MAX);
        plan.fit_deadlines();
        self.stages = plan.stages;
        let typed = std::mem::take(&mut self.deadlines);
        self.deadlines = plan
            .deadlines
            .iter()
            .map(|d| {
                let kept = typed
                    .iter()
                    .find(|(p, _)| *p == d.phase)
                    .map(|(_, t)| t.clone());
                (d.phase, kept.unwrap_or_else(|| iso_or_empty(d.date)))
            })
            .collect();
    }

    /// The plan, and every problem of it; `grades`: the template's.
    pub fn parse(&self, grades: &[String]) -> (PeriodPlan, Vec<PeriodIssue>) {
        let mut issues = Vec::new();
        let mut date = |text: &str, at: PeriodPlace| {
            let text = text.trim();
            if text.is_empty() {
                return None;
            }
            let parsed = CalendarDate::from_iso(text);
            if parsed.is_none() {
                issues.push(issue(at, PeriodProblem::NotADate));
            }
            parsed
        };
        let mut plan = self.base.clone();
        plan.name = self.name.clone();
        plan.term_start = date(&self.term_start, PeriodPlace::Term);
        plan.term_end = date(&self.term_end, PeriodPlace::Term);
        plan.stages = self.stages;
        plan.population.grades = list_of(&self.grades);
        plan.population.employment_types = list_of(&self.employment_types);
        plan.population.hired_on_or_before = date(&self.hired_before, PeriodPlace::Population);
        plan.deadlines = self
            .deadlines
            .iter()
            .map(|(phase, text)| Deadline {
                phase: *phase,
                date: date(text, PeriodPlace::Deadline(*phase)),
            })
            .collect();
        let mut shares = Vec::with_capacity(self.distribution.len());
        for (grade, percent) in &self.distribution {
            match percent.trim().parse::<Decimal>() {
                Ok(percent) => shares.push(GradeShare {
                    grade: grade.clone(),
                    percent,
                }),
                Err(_) => issues.push(issue(PeriodPlace::Distribution, PeriodProblem::NotANumber)),
            }
        }
        plan.calibration = Calibration {
            distribution: shares,
            forced: self.forced,
        };
        plan.disclosure = self.disclosure;
        let thresholds = GradeThresholds {
            grades: grades
                .iter()
                .map(|grade| crate::domain::evaluation::scale::GradeThreshold {
                    grade: grade.clone(),
                    from: None,
                })
                .collect(),
        };
        let known = (!grades.is_empty()).then_some(&thresholds);
        if issues.is_empty() {
            issues.extend(plan.check(known));
        } else {
            // A date or number not read: the rest is checked, but not the order or the
            // total, which would only repeat the problem.
            issues.extend(plan.check(known).into_iter().filter(|i| {
                !matches!(
                    i.problem,
                    PeriodProblem::DeadlineMissing
                        | PeriodProblem::TermMissing
                        | PeriodProblem::DistributionTotal { .. }
                )
            }));
        }
        (plan, issues)
    }
}

// ---- what the pages receive --------------------------------------------------------------

/// A period in the list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeriodSummary {
    pub id: PeriodId,
    pub name: String,
    pub state: PeriodState,
    pub term_start: Option<CalendarDate>,
    pub term_end: Option<CalendarDate>,
    /// Sheets (a draft has none yet).
    pub sheets: i64,
    pub updated: String,
}

/// A period with everything its page shows of the plan.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredPeriod {
    pub id: PeriodId,
    pub version: i64,
    pub state: PeriodState,
    pub plan: PeriodPlan,
    /// The template's name: the snapshot's once launched.
    pub template_name: Option<String>,
    /// The template's grades (for the distribution), the snapshot's once launched.
    pub grades: Vec<String>,
    pub closed_phases: Vec<Phase>,
    pub launched: Option<String>,
    /// The pickers' chips for the population's departments and people.
    pub departments: Vec<Choice>,
    pub added: Vec<Choice>,
    pub excluded: Vec<Choice>,
    /// Each deadline as people read it: `2026-10-31 23:59 (JST, +09:00)`, in plan order.
    pub deadlines_shown: Vec<String>,
    pub sheets: i64,
}

/// A person of a period with their evaluators, stage 1 first (`None`: nobody yet).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonWithEvaluators {
    pub person: PersonRef,
    pub evaluators: Vec<Option<PersonRef>>,
    /// Chosen by hand (the page or a CSV) rather than proposed by the org chart.
    pub chosen: bool,
}

/// Who a draft period would hold if launched now.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeriodPreview {
    pub count: usize,
    /// The first people, in employee-code order.
    pub people: Vec<PersonWithEvaluators>,
    /// People with a stage that has nobody (to fix before launch): the first of them.
    pub without_evaluator: Vec<PersonWithEvaluators>,
    pub without_evaluator_count: usize,
}

/// One sheet of a running period, as the period page lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SheetRow {
    pub id: SheetId,
    /// A deleted person's name is empty.
    pub person: PersonRef,
    pub state: crate::domain::evaluation::workflow::SheetState,
    pub evaluators: Vec<Option<PersonRef>>,
    pub excluded_reason: Option<String>,
    /// The day of its feedback interview, once held.
    pub interview: Option<CalendarDate>,
    /// Deadlines extended for this sheet alone.
    pub extended: Vec<Deadline>,
    /// Its next step's deadline has passed ([`is_late`]).
    pub late: bool,
}

/// One page of a period's sheets.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SheetPage {
    pub total: i64,
    pub rows: Vec<SheetRow>,
}

/// What a file of evaluators holds, or would change: every problem with its row.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvaluatorFileReport {
    pub rows: usize,
    pub problems: Vec<(usize, crate::domain::problem::Problem)>,
    /// Whether the choices were written (only when asked and nothing is wrong).
    pub applied: bool,
}

/// The columns of the evaluators file, in the order the download writes them. The names
/// are there for the person editing the file in a spreadsheet; reading it, only the codes
/// count.
pub const EVALUATOR_COLUMNS: &[crate::domain::org_csv::Column] = &[
    crate::domain::org_csv::Column {
        key: "employee",
        ja: "社員番号",
        en: "Employee code",
        required: true,
        help_ja: "評価される人の社員番号。",
        help_en: "The employee code of the person evaluated.",
        example: "E0001",
    },
    name_column("employee_name", "氏名", "Name"),
    crate::domain::org_csv::Column {
        key: "evaluator_1",
        ja: "一次評価者",
        en: "1st evaluator",
        required: true,
        help_ja: "一次評価者の社員番号。",
        help_en: "The 1st evaluator's employee code.",
        example: "E0100",
    },
    name_column("evaluator_1_name", "一次評価者氏名", "1st evaluator's name"),
    crate::domain::org_csv::Column {
        key: "evaluator_2",
        ja: "二次評価者",
        en: "2nd evaluator",
        required: false,
        help_ja: "二次評価者の社員番号。",
        help_en: "The 2nd evaluator's employee code.",
        example: "E0200",
    },
    name_column("evaluator_2_name", "二次評価者氏名", "2nd evaluator's name"),
    crate::domain::org_csv::Column {
        key: "evaluator_3",
        ja: "三次評価者",
        en: "3rd evaluator",
        required: false,
        help_ja: "三次評価者の社員番号。",
        help_en: "The 3rd evaluator's employee code.",
        example: "",
    },
    name_column("evaluator_3_name", "三次評価者氏名", "3rd evaluator's name"),
];

/// A column of names beside a column of codes: written for people, not read.
const fn name_column(
    key: &'static str,
    ja: &'static str,
    en: &'static str,
) -> crate::domain::org_csv::Column {
    crate::domain::org_csv::Column {
        key,
        ja,
        en,
        required: false,
        help_ja: "確認用の氏名。読み込みでは使いません。",
        help_en: "A name to check by; not read back.",
        example: "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sheet_is_late_after_its_next_steps_deadline_unless_extended() {
        use crate::domain::evaluation::workflow::SheetState as S;
        let mut plan = plan();
        plan.deadlines = vec![
            Deadline {
                phase: Phase::GoalSetting,
                date: Some(date("2026-04-30")),
            },
            Deadline {
                phase: Phase::Evaluation(Stage::FIRST),
                date: Some(date("2026-10-15")),
            },
        ];
        let may = date("2026-05-01");
        // The deadline's own day is still on time; the day after is late.
        assert!(!is_late(&plan, S::GoalDrafting, &[], date("2026-04-30")));
        assert!(is_late(&plan, S::GoalDrafting, &[], may));
        // Submitted goals wait for approval, which has no deadline here.
        assert!(!is_late(&plan, S::GoalsSubmitted, &[], may));
        // This sheet's own extension counts instead of the period's deadline.
        let extended = [Deadline {
            phase: Phase::GoalSetting,
            date: Some(date("2026-05-07")),
        }];
        assert!(!is_late(&plan, S::GoalDrafting, &extended, may));
        assert!(is_late(
            &plan,
            S::GoalDrafting,
            &extended,
            date("2026-05-08")
        ));
        // An extension of another phase changes nothing.
        let other = [Deadline {
            phase: Phase::Calibration,
            date: Some(date("2026-12-31")),
        }];
        assert!(is_late(&plan, S::GoalDrafting, &other, may));
        // Each evaluator stage has its own deadline.
        let evaluation = S::Evaluation(Stage::FIRST);
        assert!(!is_late(&plan, evaluation, &[], date("2026-10-15")));
        assert!(is_late(&plan, evaluation, &[], date("2026-10-16")));
        // Nothing is due of a finished or excluded sheet.
        for done in [S::Disclosed, S::Acknowledged, S::Excluded] {
            assert!(!is_late(&plan, done, &[], date("2039-01-01")));
        }
    }

    fn date(text: &str) -> CalendarDate {
        CalendarDate::from_iso(text).unwrap()
    }

    fn plan() -> PeriodPlan {
        PeriodPlan::starter(
            "2026年度上期".into(),
            date("2026-04-01"),
            date("2026-09-30"),
            Some(TemplateId::from_stored("t".into())),
            &GradeThresholds::default(),
        )
    }

    #[test]
    fn a_starter_plan_is_valid_with_deadlines_in_order() {
        let plan = plan();
        assert_eq!(plan.check(Some(&GradeThresholds::default())), vec![]);
        assert_eq!(plan.deadlines.len(), 3 + 2 + 2);
        assert_eq!(
            plan.deadline_of(Phase::GoalSetting),
            Some(date("2026-04-15"))
        );
        assert_eq!(
            plan.deadline_of(Phase::Disclosure),
            Some(date("2026-11-11"))
        );
        let total: Decimal = plan
            .calibration
            .distribution
            .iter()
            .map(|s| s.percent)
            .sum();
        assert_eq!(total, Decimal::from(100));
    }

    #[test]
    fn each_bad_choice_is_refused_where_it_is() {
        let mut bad = plan();
        bad.name = " ".into();
        bad.term_end = Some(date("2026-03-01"));
        bad.template = None;
        bad.deadlines[1].date = Some(date("2026-04-01"));
        bad.deadlines[4].date = None;
        bad.calibration.distribution[0].percent = Decimal::from(10);
        bad.calibration.distribution.push(GradeShare {
            grade: "Z".into(),
            percent: Decimal::ZERO,
        });
        let places: Vec<(PeriodPlace, PeriodProblem)> = bad
            .check(Some(&GradeThresholds::default()))
            .into_iter()
            .map(|i| (i.at, i.problem))
            .collect();
        assert_eq!(
            places,
            vec![
                (PeriodPlace::Name, PeriodProblem::NameLength),
                (PeriodPlace::Term, PeriodProblem::TermOrder),
                (PeriodPlace::Template, PeriodProblem::NoTemplate),
                (
                    PeriodPlace::Deadline(Phase::GoalApproval),
                    PeriodProblem::DeadlineOrder
                ),
                (
                    PeriodPlace::Deadline(Phase::Evaluation(Stage::new(2).unwrap())),
                    PeriodProblem::DeadlineMissing
                ),
                (
                    PeriodPlace::Distribution,
                    PeriodProblem::DistributionTotal {
                        total: Decimal::from(105)
                    }
                ),
                (
                    PeriodPlace::Distribution,
                    PeriodProblem::DistributionGrade { grade: "Z".into() }
                ),
            ]
        );
    }

    #[test]
    fn changing_the_stages_keeps_the_dates_set_and_adds_defaults() {
        let mut plan = plan();
        let approval = date("2026-04-30");
        plan.deadlines[1].date = Some(approval);
        plan.stages = 3;
        plan.fit_deadlines();
        assert_eq!(plan.deadlines.len(), 3 + 3 + 2);
        assert_eq!(plan.deadline_of(Phase::GoalApproval), Some(approval));
        assert_eq!(
            plan.deadline_of(Phase::Evaluation(Stage::new(3).unwrap())),
            Some(date("2026-10-28"))
        );
        plan.stages = 1;
        plan.fit_deadlines();
        assert_eq!(plan.deadlines.len(), 3 + 1 + 2);
    }

    #[test]
    fn a_chain_never_has_the_person_nor_anyone_twice() {
        let id = |s: &str| UserId::from_stored(s.into());
        let me = id("me");
        assert_eq!(chain_problem(&me, &[Some(id("a")), None]), None);
        assert_eq!(
            chain_problem(&me, &[Some(id("a")), Some(me.clone())]),
            Some(PeriodProblem::SelfEvaluator)
        );
        assert_eq!(
            chain_problem(&me, &[Some(id("a")), Some(id("a"))]),
            Some(PeriodProblem::EvaluatorTwice)
        );
    }

    #[test]
    fn other_grades_share_the_distribution_evenly() {
        let mut grades = GradeThresholds::default();
        grades.grades.truncate(3);
        grades.grades[2].from = None;
        let shares = Calibration::usual(&grades).distribution;
        let total: Decimal = shares.iter().map(|s| s.percent).sum();
        assert_eq!(shares.len(), 3);
        assert_eq!(total, Decimal::from(100));
    }
    #[test]
    fn a_draft_reads_back_as_its_plan_and_names_what_is_not_a_date_or_number() {
        let plan = plan();
        let grades: Vec<String> = ["S", "A", "B", "C", "D"].map(String::from).to_vec();
        let draft = PeriodDraft::of(&plan);
        assert_eq!(draft.parse(&grades), (plan.clone(), vec![]));
        let mut typed = draft.clone();
        typed.grades = "G3、G4".into();
        typed.deadlines[0].1 = "4月15日".into();
        typed.distribution[0].1 = "五".into();
        let (read, issues) = typed.parse(&grades);
        assert_eq!(read.population.grades, ["G3", "G4"]);
        assert_eq!(
            issues,
            vec![
                issue(
                    PeriodPlace::Deadline(Phase::GoalSetting),
                    PeriodProblem::NotADate
                ),
                issue(PeriodPlace::Distribution, PeriodProblem::NotANumber),
            ]
        );
        let mut three = draft;
        three.deadlines[1].1 = "2026-04-30".into();
        three.set_stages(3);
        assert_eq!(three.deadlines.len(), 8);
        assert_eq!(three.deadlines[1].1, "2026-04-30");
        assert_eq!(three.parse(&grades).1, vec![]);
    }
}
