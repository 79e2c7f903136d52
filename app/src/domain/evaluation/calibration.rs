//! 評価調整 (calibration): the evaluation admins look at a period's sheets side by side —
//! each one's stage scores, the grade its score gives, the grade it ends with — against the
//! period's target distribution, change a final grade where the picture calls for it
//! (always with a reason, the computed grade staying in view) and finalize. Pure: the
//! backend reads the sheets and the page draws what these functions answer.

use crate::domain::evaluation::period::Calibration;
use crate::domain::evaluation::sheet::{SheetContent, sheet_final};
use crate::domain::evaluation::template::Template;
use crate::domain::evaluation::workflow::SheetState;
use crate::domain::ids::{DepartmentId, SheetId, UserId};
use crate::domain::org_chart::PersonRef;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// A final grade set in calibration instead of the computed one, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Adjustment {
    pub grade: String,
    pub reason: String,
}

/// Why a grade cannot be set.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum AdjustProblem {
    /// Not one of the template's grades.
    UnknownGrade(String),
    /// A grade other than the computed one needs a reason.
    NoReason,
    /// The sheet has no computed grade yet (a stage is unscored).
    NotScored,
}

/// What a sheet's final grade becomes when `grade` is chosen with `reason`: `None` when it
/// is the computed grade (the adjustment is taken back), else the adjustment.
pub fn adjust(
    template: &Template,
    content: &SheetContent,
    grade: &str,
    reason: &str,
) -> Result<Option<Adjustment>, AdjustProblem> {
    let computed = sheet_final(template, content).map_err(|_| AdjustProblem::NotScored)?;
    if !template.grades.grades.iter().any(|g| g.grade == grade) {
        return Err(AdjustProblem::UnknownGrade(grade.to_owned()));
    }
    if computed.grade == grade {
        return Ok(None);
    }
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(AdjustProblem::NoReason);
    }
    Ok(Some(Adjustment {
        grade: grade.to_owned(),
        reason: reason.to_owned(),
    }))
}

/// The grade a sheet ends with: the calibration's, else the computed one.
pub fn final_grade(template: &Template, content: &SheetContent) -> Option<String> {
    content
        .adjusted
        .as_ref()
        .map(|a| a.grade.clone())
        .or_else(|| sheet_final(template, content).ok().map(|f| f.grade))
}

/// One sheet as the calibration table shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalibrationRow {
    pub sheet: SheetId,
    /// The version an adjustment or a step is based on.
    pub version: i64,
    pub person: PersonRef,
    /// The person's primary department, by name ("" if none).
    pub department: String,
    pub grade_of_person: Option<String>,
    pub state: SheetState,
    /// Each evaluator stage's score, 1st first (`None`: not scored yet).
    pub stage_scores: Vec<Option<Decimal>>,
    /// The final score and the grade it gives, where every counted stage is scored.
    pub computed: Option<(Decimal, String)>,
    pub adjusted: Option<Adjustment>,
}

impl CalibrationRow {
    /// The grade the sheet ends with now.
    pub fn final_grade(&self) -> Option<&str> {
        self.adjusted
            .as_ref()
            .map(|a| a.grade.as_str())
            .or(self.computed.as_ref().map(|(_, grade)| grade.as_str()))
    }

    /// Whether its grade can still be changed: only while the sheet is in calibration.
    pub fn adjustable(&self) -> bool {
        self.state == SheetState::Calibration && self.computed.is_some()
    }
}

/// One grade's bar in the distribution chart.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GradeBar {
    pub grade: String,
    pub count: usize,
    /// Its share of the graded sheets, in percent to one decimal.
    pub percent: Decimal,
    /// The period's target share, if it names this grade.
    pub target: Option<Decimal>,
    /// The most sheets the target allows out of those graded (half rounds up).
    pub allowed: Option<usize>,
}

impl GradeBar {
    pub fn over_target(&self) -> bool {
        self.allowed.is_some_and(|allowed| self.count > allowed)
    }
}

/// The distribution of `finals` (each sheet's final grade, `None`: not graded yet) over
/// `grades` (the template's, best first) against `target`.
pub fn distribution(
    grades: &[String],
    finals: &[Option<&str>],
    target: &Calibration,
) -> Vec<GradeBar> {
    let graded = finals.iter().flatten().count();
    grades
        .iter()
        .map(|grade| {
            let count = finals.iter().flatten().filter(|g| **g == grade).count();
            let percent = if graded == 0 {
                Decimal::ZERO
            } else {
                (Decimal::from(count * 100) / Decimal::from(graded)).round_dp(1)
            };
            let target = target
                .distribution
                .iter()
                .find(|share| share.grade == *grade)
                .map(|share| share.percent);
            let allowed = target.map(|percent| {
                let exact = percent * Decimal::from(graded) / Decimal::ONE_HUNDRED;
                exact
                    .round_dp_with_strategy(0, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
                    .try_into()
                    .unwrap_or(usize::MAX)
            });
            GradeBar {
                grade: grade.clone(),
                count,
                percent,
                target,
                allowed,
            }
        })
        .collect()
}

/// Which of a period's sheets the table shows: the people of a department's subtree, of a
/// grade (等級), or of one evaluator (at any stage). Empty: all.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalibrationFilter {
    pub department: Option<DepartmentId>,
    pub person_grade: Option<String>,
    pub evaluator: Option<UserId>,
}

/// The calibration table of a period for the selection, and what its filters offer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalibrationView {
    pub period_name: String,
    pub stages: u8,
    /// The template's grades, best first.
    pub grades: Vec<String>,
    pub target: Calibration,
    pub rows: Vec<CalibrationRow>,
    /// The selection's final grades against the target.
    pub bars: Vec<GradeBar>,
    pub departments: Vec<(DepartmentId, String)>,
    pub person_grades: Vec<String>,
    pub evaluators: Vec<PersonRef>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::evaluation::period::GradeShare;
    use crate::domain::evaluation::scoring::Rating;
    use crate::domain::evaluation::sheet::{Goal, Work};
    use std::collections::BTreeMap;

    fn usual() -> Calibration {
        Calibration::usual(&Template::starter().grades)
    }

    fn grades() -> Vec<String> {
        ["S", "A", "B", "C", "D"].map(String::from).to_vec()
    }

    #[test]
    fn the_distribution_counts_each_final_grade_against_the_target() {
        let finals = [Some("A"), Some("B"), Some("B"), Some("B"), None, Some("S")];
        let bars = distribution(&grades(), &finals, &usual());
        let of = |g: &str| bars.iter().find(|b| b.grade == g).unwrap().clone();
        // Five graded: B is 3 of 5 = 60 %, the target 50 % allows 2.5 → 3.
        assert_eq!(of("B").count, 3);
        assert_eq!(of("B").percent, Decimal::from(60));
        assert_eq!(of("B").allowed, Some(3));
        assert!(!of("B").over_target());
        // S: 1 of 5 = 20 % against 5 % (0.25 → 0 allowed).
        assert_eq!(of("S").allowed, Some(0));
        assert!(of("S").over_target());
        assert_eq!(of("D").count, 0);
        assert_eq!(of("D").percent, Decimal::ZERO);
        // Nothing graded: every share 0, nothing over.
        let none = distribution(&grades(), &[None, None], &usual());
        assert!(none.iter().all(|b| b.count == 0 && !b.over_target()));
    }

    #[test]
    fn a_grade_the_target_does_not_name_has_no_limit() {
        let target = Calibration {
            distribution: vec![GradeShare {
                grade: "S".into(),
                percent: Decimal::from(10),
            }],
            forced: true,
        };
        let bars = distribution(&grades(), &[Some("A"), Some("A")], &target);
        assert_eq!(bars[1].target, None);
        assert!(!bars[1].over_target());
    }

    fn scored_content() -> SheetContent {
        let level = |l: &str| Some(Rating::Level(l.into()));
        let goal = Goal {
            title: "売上".into(),
            description: String::new(),
            measure: String::new(),
            weight: Decimal::from(100),
            due: None,
            id: None,
            aligned_to: None,
        };
        let work = Work {
            ratings: BTreeMap::from([
                (0, vec![level("B")]),
                (1, vec![level("B"), level("B"), level("B"), level("B")]),
            ]),
            ..Work::default()
        };
        SheetContent {
            goals: BTreeMap::from([(0, vec![goal])]),
            self_work: Some(work.clone()),
            stage_work: vec![work.clone(), work],
            adjusted: None,
            interview: None,
        }
    }

    #[test]
    fn a_changed_grade_needs_a_reason_and_the_computed_one_takes_it_back() {
        let template = Template::starter();
        let content = scored_content();
        assert_eq!(final_grade(&template, &content).as_deref(), Some("B"));
        assert_eq!(
            adjust(&template, &content, "A", "  "),
            Err(AdjustProblem::NoReason)
        );
        assert_eq!(
            adjust(&template, &content, "Z", "理由"),
            Err(AdjustProblem::UnknownGrade("Z".into()))
        );
        let adjusted = adjust(&template, &content, "A", " 全社表彰の案件を主導 ").unwrap();
        assert_eq!(
            adjusted,
            Some(Adjustment {
                grade: "A".into(),
                reason: "全社表彰の案件を主導".into()
            })
        );
        let content = SheetContent {
            adjusted,
            ..content
        };
        assert_eq!(final_grade(&template, &content).as_deref(), Some("A"));
        // Back to the computed grade: no reason needed, the adjustment goes.
        assert_eq!(adjust(&template, &content, "B", ""), Ok(None));
    }

    #[test]
    fn an_unscored_sheet_cannot_be_graded() {
        let template = Template::starter();
        let content = SheetContent::default();
        assert_eq!(
            adjust(&template, &content, "A", "理由"),
            Err(AdjustProblem::NotScored)
        );
        assert_eq!(final_grade(&template, &content), None);
    }
}
