//! What a sheet holds (one per person per period): the goals the employee wrote in each
//! goals section, and the work of each rater (the self-evaluation, then the evaluator
//! stages): a rating per goal or item and a comment per section. [`score_work`] turns one
//! rater's work into a stage score with the template the period took a snapshot of, and
//! [`sheet_final`] gives the final score and grade the same way for everybody: the sheet
//! page, the results, the demo and the tests.

use crate::domain::dates::CalendarDate;
use crate::domain::evaluation::scoring::{
    EntryToScore, FinalProblem, FinalScore, Rating, ScoreProblem, SectionToScore, StageScore,
    final_score, score_stage,
};
use crate::domain::evaluation::template::{SectionKind, Template};
use crate::domain::ids::{GoalId, SheetId};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One goal the employee set (目標).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Goal {
    pub title: String,
    pub description: String,
    /// 達成基準.
    pub measure: String,
    /// Weight within its section; a section's goals total 100.
    pub weight: Decimal,
    pub due: Option<CalendarDate>,
    /// Given at the goals' first approval (`goals::give_goal_ids`); `None` before.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<GoalId>,
    /// The 1st evaluator's approved goal this one serves (上位目標), if the employee chose one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aligned_to: Option<GoalLink>,
}

/// A goal's link to one of its 1st evaluator's approved goals of the same period (上位目標).
/// The title and owner are copied by the server when the link is saved, so the sheet reads
/// as it was agreed even if the upper goal is revised later.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GoalLink {
    pub sheet: SheetId,
    pub goal: GoalId,
    pub title: String,
    /// The upper goal's owner, by name.
    pub owner: String,
}

/// One rater's work on a sheet: ratings and the reason for each by section and entry
/// (0-based), a comment per section.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Work {
    pub ratings: BTreeMap<usize, Vec<Option<Rating>>>,
    /// Why each goal or item got its rating (評価の理由); may be empty.
    pub entry_comments: BTreeMap<usize, Vec<String>>,
    pub comments: BTreeMap<usize, String>,
}

impl Work {
    /// Nothing written yet: no rating, no comment (what a rater cleared counts as unwritten).
    pub fn is_blank(&self) -> bool {
        self.ratings.values().flatten().all(Option::is_none)
            && self
                .entry_comments
                .values()
                .flatten()
                .chain(self.comments.values())
                .all(|comment| comment.trim().is_empty())
    }

    /// The rating of entry `entry` of section `section`, if any yet.
    pub fn rating(&self, section: usize, entry: usize) -> Option<&Rating> {
        self.ratings
            .get(&section)
            .and_then(|ratings| ratings.get(entry))
            .and_then(Option::as_ref)
    }

    /// The comment on entry `entry` of section `section` ("" when none).
    pub fn entry_comment(&self, section: usize, entry: usize) -> &str {
        self.entry_comments
            .get(&section)
            .and_then(|comments| comments.get(entry))
            .map_or("", String::as_str)
    }

    /// Rates entry `entry` of section `section` (`None`: not yet).
    pub fn set_rating(&mut self, section: usize, entry: usize, rating: Option<Rating>) {
        let ratings = self.ratings.entry(section).or_default();
        if ratings.len() <= entry {
            ratings.resize(entry + 1, None);
        }
        ratings[entry] = rating;
    }

    /// Writes the comment on entry `entry` of section `section`.
    pub fn set_entry_comment(&mut self, section: usize, entry: usize, comment: String) {
        let comments = self.entry_comments.entry(section).or_default();
        if comments.len() <= entry {
            comments.resize(entry + 1, String::new());
        }
        comments[entry] = comment;
    }
}

/// Everything written on a sheet so far. A new sheet's is `{}`: every part may be missing.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SheetContent {
    /// The goals of each goals section, by section index.
    pub goals: BTreeMap<usize, Vec<Goal>>,
    pub self_work: Option<Work>,
    /// The evaluator stages' work, 1st first.
    pub stage_work: Vec<Work>,
    /// The final grade set in calibration instead of the computed one, if any.
    pub adjusted: Option<crate::domain::evaluation::calibration::Adjustment>,
    /// The day of the feedback interview (フィードバック面談), once held.
    pub interview: Option<CalendarDate>,
}

/// The scored sections of `template` for this sheet as `work` rated them.
pub fn sections_to_score<'a>(
    template: &'a Template,
    content: &'a SheetContent,
    work: &'a Work,
) -> Vec<SectionToScore<'a>> {
    template
        .sections
        .iter()
        .enumerate()
        .filter_map(|(s, section)| {
            let weight = section.weight?;
            let entries: Vec<EntryToScore<'a>> = match &section.kind {
                SectionKind::Comment => return None,
                SectionKind::Goals { .. } => content
                    .goals
                    .get(&s)
                    .map(|goals| {
                        goals
                            .iter()
                            .enumerate()
                            .map(|(e, goal)| EntryToScore {
                                title: &goal.title,
                                weight: goal.weight,
                                rating: work.rating(s, e),
                            })
                            .collect()
                    })
                    .unwrap_or_default(),
                SectionKind::Items { items } => items
                    .iter()
                    .enumerate()
                    .map(|(e, item)| EntryToScore {
                        title: &item.title,
                        weight: item.weight,
                        rating: work.rating(s, e),
                    })
                    .collect(),
            };
            Some(SectionToScore {
                title: &section.title,
                weight,
                entries,
            })
        })
        .collect()
}

/// One rater's stage score, or every problem that stops it.
pub fn score_work(
    template: &Template,
    content: &SheetContent,
    work: &Work,
) -> Result<StageScore, Vec<ScoreProblem>> {
    score_stage(&template.scale, &sections_to_score(template, content, work))
}

/// The sheet's final score and grade from the stages written so far.
pub fn sheet_final(
    template: &Template,
    content: &SheetContent,
) -> Result<FinalScore, FinalProblem> {
    let score = |work: &Work| score_work(template, content, work).ok().map(|s| s.score);
    let self_score = content.self_work.as_ref().and_then(score);
    let stages: Vec<Option<Decimal>> = content.stage_work.iter().map(score).collect();
    final_score(&template.final_rule, &template.grades, self_score, &stages)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn level(label: &str) -> Option<Rating> {
        Some(Rating::Level(label.into()))
    }

    fn goal(title: &str, weight: i64) -> Goal {
        Goal {
            title: title.into(),
            description: String::new(),
            measure: String::new(),
            weight: Decimal::from(weight),
            due: None,
            id: None,
            aligned_to: None,
        }
    }

    #[test]
    fn the_starter_sheet_scores_by_hand() {
        // 業績目標 60 %: goals 50/30/20 rated A(4), B(3), S(5) → 2.00 + 0.90 + 1.00 = 3.90.
        // 行動評価 40 %: four items of 25 rated B, B, A, 対象外 → 3 × 33.34/33.33/33.33
        // weights renormalised: 3 × 0.3334 + 3 × 0.3333 + 4 × 0.3333 = 3.3335 → 3.33.
        // Stage: 0.6 × 3.90 + 0.4 × 3.33 = 2.34 + 1.332 = 3.672 → 3.67, grade A.
        let template = Template::starter();
        let content = SheetContent {
            goals: BTreeMap::from([(
                0,
                vec![goal("売上", 50), goal("新規", 30), goal("改善", 20)],
            )]),
            self_work: None,
            adjusted: None,
            interview: None,
            stage_work: vec![Work {
                ratings: BTreeMap::from([
                    (0, vec![level("A"), level("B"), level("S")]),
                    (
                        1,
                        vec![
                            level("B"),
                            level("B"),
                            level("A"),
                            Some(Rating::NotApplicable {
                                reason: "該当業務なし".into(),
                            }),
                        ],
                    ),
                ]),
                ..Work::default()
            }],
        };
        let stage = score_work(&template, &content, &content.stage_work[0]).unwrap();
        assert_eq!(stage.score.to_string(), "3.67");
        assert_eq!(stage.sections[0].score.unwrap().to_string(), "3.90");
        assert_eq!(stage.sections[1].score.unwrap().to_string(), "3.33");
        let last = sheet_final(&template, &content).unwrap();
        assert_eq!(last.headline(), "A (3.67)");
    }

    #[test]
    fn an_unrated_entry_is_a_problem_not_a_zero() {
        let template = Template::starter();
        let content = SheetContent {
            goals: BTreeMap::from([(0, vec![goal("売上", 100)])]),
            ..SheetContent::default()
        };
        let work = Work::default();
        let problems = score_work(&template, &content, &work).unwrap_err();
        assert!(problems.len() >= 5, "{problems:?}");
        assert!(sheet_final(&template, &content).is_err());
    }

    #[test]
    fn a_rating_may_be_given_in_any_order_and_cleared() {
        let mut work = Work::default();
        assert!(work.is_blank());
        work.set_rating(1, 2, Some(Rating::Level("A".into())));
        assert_eq!(work.rating(1, 2), Some(&Rating::Level("A".into())));
        assert_eq!(work.rating(1, 0), None);
        assert!(!work.is_blank());
        work.set_rating(1, 2, None);
        work.set_entry_comment(0, 1, "  ".into());
        // A rating taken back and a comment of spaces leave nothing written.
        assert!(work.is_blank());
        work.set_entry_comment(0, 1, "計画比 102 %".into());
        assert_eq!(work.entry_comment(0, 1), "計画比 102 %");
        assert_eq!(work.entry_comment(0, 0), "");
        assert!(!work.is_blank());
    }
}
