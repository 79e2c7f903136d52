//! From ratings to scores, in exact decimals, so that every score on a sheet can be worked
//! out again by hand from what the sheet shows:
//!
//! - an entry (a goal or an item) gets the points of its rating's level; an entry marked
//!   対象外 is left out, and the weights of the rest of its section are renormalised to
//!   total 100 ([`renormalise`]). An entry neither rated nor marked is a problem: nothing is
//!   ever silently counted as 0;
//! - a section's score is Σ weight × points / 100 over its entries, with the weights as
//!   shown (after renormalisation, two decimals), rounded to two decimals;
//! - a stage's score is Σ section weight × section score / 100 in the same way, a section
//!   whose every entry is 対象外 being left out like an entry;
//! - the final score is the last stage's, or a weighted combination of stages
//!   ([`FinalRule`]), and the grade comes from the thresholds.
//!
//! Each step rounds half away from zero to [`SCORE_DECIMALS`] places, and the next step
//! uses the rounded value: the breakdown "B (3.25) = 業績 60 % × 3.50 + 行動 40 % × 2.88"
//! adds up exactly as printed.

use crate::domain::evaluation::Stage;
use crate::domain::evaluation::scale::{GradeThresholds, RatingScale};
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};
use std::fmt::Write;

/// Scores and weights are shown, and computed further, with two decimals.
pub const SCORE_DECIMALS: u32 = 2;

fn hundred() -> Decimal {
    Decimal::from(100)
}

/// Half away from zero, to two decimals: 3.255 → 3.26, 3.254 → 3.25.
pub fn round(value: Decimal) -> Decimal {
    value.round_dp_with_strategy(SCORE_DECIMALS, RoundingStrategy::MidpointAwayFromZero)
}

/// What an evaluator (or the employee, in the self-evaluation) gave one entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Rating {
    /// A level of the scale, by its label.
    Level(String),
    /// 対象外, with the reason the evaluator gave: left out of the score.
    NotApplicable { reason: String },
}

/// One goal or item as it is scored: its title, its weight in its section (the weights of
/// a section total 100) and its rating, if any yet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EntryToScore<'a> {
    pub title: &'a str,
    pub weight: Decimal,
    pub rating: Option<&'a Rating>,
}

/// One scored section with its weight among the scored sections (they total 100).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SectionToScore<'a> {
    pub title: &'a str,
    pub weight: Decimal,
    pub entries: Vec<EntryToScore<'a>>,
}

/// Why a stage cannot be scored (and so not submitted) yet.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ScoreProblem {
    /// Neither rated nor marked 対象外 (0-based positions).
    Unrated { section: usize, entry: usize },
    /// A label the scale does not have (a damaged or foreign rating).
    UnknownLevel {
        section: usize,
        entry: usize,
        label: String,
    },
    /// 対象外 without a reason.
    NoReason { section: usize, entry: usize },
    /// Everything is 対象外: there is nothing to score.
    NothingToScore,
}

/// An entry's part in its section's score.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntryPart {
    pub title: String,
    /// The weight as the template or the goal gave it.
    pub weight: Decimal,
    /// The weight it counts with, after 対象外 entries were left out (0 for those).
    pub counted_weight: Decimal,
    /// `None`: 対象外.
    pub points: Option<Decimal>,
}

/// A section's score and how it came about.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SectionScore {
    pub title: String,
    pub weight: Decimal,
    pub counted_weight: Decimal,
    /// `None` when every entry is 対象外 (the section is then left out).
    pub score: Option<Decimal>,
    pub entries: Vec<EntryPart>,
}

/// One stage's score (the self-evaluation's or an evaluator's) and its sections.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StageScore {
    pub score: Decimal,
    pub sections: Vec<SectionScore>,
}

impl StageScore {
    /// "業績 60 % × 3.50 + 行動 40 % × 2.88": the sum that gives [`StageScore::score`].
    pub fn formula(&self) -> String {
        let parts: Vec<String> = self
            .sections
            .iter()
            .filter_map(|section| {
                let score = section.score?;
                Some(format!(
                    "{} {} % × {}",
                    section.title,
                    percent(section.counted_weight),
                    points(score)
                ))
            })
            .collect();
        parts.join(" + ")
    }
}

/// A weight as people write it: "60", "33.33".
pub fn percent(weight: Decimal) -> String {
    weight.normalize().to_string()
}

/// A score with its two decimals: "3.50".
pub fn points(score: Decimal) -> String {
    format!("{:.2}", round(score))
}

/// Weights scaled to total exactly 100, with two decimals: each in proportion to the
/// given ones, the last hundredths going to the largest remainders (ties: the earlier
/// entry). `[50, 30]` → `[62.5, 37.5]`; `[1, 1, 1]` → `[33.34, 33.33, 33.33]`. Weights that
/// are all zero (or none) give zeros.
pub fn renormalise(weights: &[Decimal]) -> Vec<Decimal> {
    let total: Decimal = weights.iter().sum();
    if total <= Decimal::ZERO {
        return vec![Decimal::ZERO; weights.len()];
    }
    let exact: Vec<Decimal> = weights.iter().map(|w| w * hundred() / total).collect();
    let mut rounded: Vec<Decimal> = exact
        .iter()
        .map(|w| w.round_dp_with_strategy(SCORE_DECIMALS, RoundingStrategy::ToZero))
        .collect();
    let step = Decimal::new(1, SCORE_DECIMALS);
    let missing = hundred() - rounded.iter().sum::<Decimal>();
    let mut order: Vec<usize> = (0..weights.len()).collect();
    order.sort_by(|&a, &b| {
        (exact[b] - rounded[b])
            .cmp(&(exact[a] - rounded[a]))
            .then(a.cmp(&b))
    });
    let steps = (missing / step).round().try_into().unwrap_or(0_usize);
    for &index in order.iter().cycle().take(steps) {
        rounded[index] += step;
    }
    rounded
}

/// Σ weight × score / 100 over the parts that count, rounded.
fn weighted(parts: impl Iterator<Item = (Decimal, Decimal)>) -> Decimal {
    round(parts.map(|(weight, score)| weight * score).sum::<Decimal>() / hundred())
}

/// One stage's score from its ratings, or every problem that stops it.
pub fn score_stage(
    scale: &RatingScale,
    sections: &[SectionToScore<'_>],
) -> Result<StageScore, Vec<ScoreProblem>> {
    let mut problems = Vec::new();
    let mut scored = Vec::with_capacity(sections.len());
    for (s, section) in sections.iter().enumerate() {
        let mut points = Vec::with_capacity(section.entries.len());
        for (e, entry) in section.entries.iter().enumerate() {
            points.push(match entry.rating {
                None => {
                    problems.push(ScoreProblem::Unrated {
                        section: s,
                        entry: e,
                    });
                    None
                }
                Some(Rating::NotApplicable { reason }) => {
                    if reason.trim().is_empty() {
                        problems.push(ScoreProblem::NoReason {
                            section: s,
                            entry: e,
                        });
                    }
                    None
                }
                Some(Rating::Level(label)) => {
                    let found = scale.points_of(label);
                    if found.is_none() {
                        problems.push(ScoreProblem::UnknownLevel {
                            section: s,
                            entry: e,
                            label: label.clone(),
                        });
                    }
                    found
                }
            });
        }
        let counted: Vec<Decimal> = section
            .entries
            .iter()
            .zip(&points)
            .map(|(entry, points)| points.map_or(Decimal::ZERO, |_| entry.weight))
            .collect();
        let counted = renormalise(&counted);
        let any = points.iter().any(Option::is_some);
        let score = any.then(|| {
            weighted(
                counted
                    .iter()
                    .zip(&points)
                    .filter_map(|(weight, points)| points.map(|p| (*weight, p))),
            )
        });
        scored.push(SectionScore {
            title: section.title.to_owned(),
            weight: section.weight,
            counted_weight: Decimal::ZERO,
            score,
            entries: section
                .entries
                .iter()
                .zip(counted.iter().zip(points))
                .map(|(entry, (counted, points))| EntryPart {
                    title: entry.title.to_owned(),
                    weight: entry.weight,
                    counted_weight: *counted,
                    points,
                })
                .collect(),
        });
    }
    let section_weights: Vec<Decimal> = scored
        .iter()
        .map(|s| s.score.map_or(Decimal::ZERO, |_| s.weight))
        .collect();
    for (section, weight) in scored.iter_mut().zip(renormalise(&section_weights)) {
        section.counted_weight = weight;
    }
    if scored.iter().all(|s| s.score.is_none()) && problems.is_empty() {
        problems.push(ScoreProblem::NothingToScore);
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let score = weighted(
        scored
            .iter()
            .filter_map(|s| s.score.map(|score| (s.counted_weight, score))),
    );
    Ok(StageScore {
        score,
        sections: scored,
    })
}

/// How a sheet's final score comes from its stages.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum FinalRule {
    /// The last evaluator stage's score (the default).
    LastStage,
    /// Weights of the self-evaluation (usually 0: shown, not counted) and of each evaluator
    /// stage, 1st first; they total 100.
    Weighted {
        self_weight: Decimal,
        stage_weights: Vec<Decimal>,
    },
}

/// What a part of the final score comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ScoreSource {
    SelfEvaluation,
    Stage(Stage),
}

/// The final score, its grade, and the stages it was made of.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FinalScore {
    pub score: Decimal,
    pub grade: String,
    /// (source, weight %, that stage's score)
    pub parts: Vec<(ScoreSource, Decimal, Decimal)>,
}

impl FinalScore {
    /// "B (3.25)".
    pub fn headline(&self) -> String {
        format!("{} ({})", self.grade, points(self.score))
    }
}

/// Why a final score cannot be computed yet.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum FinalProblem {
    /// A stage the rule counts has no score yet.
    Missing(ScoreSource),
    /// The thresholds give no grade (only for a damaged template: validation forbids it).
    NoGrade,
}

/// The final score of a sheet by `rule` from the self-evaluation's and the evaluator
/// stages' scores (1st first; `None` where a stage is not scored yet).
pub fn final_score(
    rule: &FinalRule,
    grades: &GradeThresholds,
    self_score: Option<Decimal>,
    stage_scores: &[Option<Decimal>],
) -> Result<FinalScore, FinalProblem> {
    let stage_source = |index: usize| {
        ScoreSource::Stage(Stage::new(index as u8 + 1).expect("at most three stages"))
    };
    let parts: Vec<(ScoreSource, Decimal, Decimal)> = match rule {
        FinalRule::LastStage => {
            let last = stage_scores
                .len()
                .checked_sub(1)
                .ok_or(FinalProblem::Missing(ScoreSource::Stage(Stage::FIRST)))?;
            let score = stage_scores[last].ok_or(FinalProblem::Missing(stage_source(last)))?;
            vec![(stage_source(last), hundred(), score)]
        }
        FinalRule::Weighted {
            self_weight,
            stage_weights,
        } => {
            let mut parts = Vec::new();
            if !self_weight.is_zero() {
                let score = self_score.ok_or(FinalProblem::Missing(ScoreSource::SelfEvaluation))?;
                parts.push((ScoreSource::SelfEvaluation, *self_weight, score));
            }
            for (index, weight) in stage_weights.iter().enumerate() {
                if weight.is_zero() {
                    continue;
                }
                let score = stage_scores
                    .get(index)
                    .copied()
                    .flatten()
                    .ok_or(FinalProblem::Missing(stage_source(index)))?;
                parts.push((stage_source(index), *weight, score));
            }
            parts
        }
    };
    let score = weighted(parts.iter().map(|(_, weight, score)| (*weight, *score)));
    let grade = grades
        .grade_of(score)
        .ok_or(FinalProblem::NoGrade)?
        .to_owned();
    Ok(FinalScore {
        score,
        grade,
        parts,
    })
}

/// "B (3.25) = 業績 60 % × 3.50 + 行動 40 % × 2.88": a stage's grade and score, explained.
pub fn explain_stage(grades: &GradeThresholds, stage: &StageScore) -> String {
    let mut text = String::new();
    if let Some(grade) = grades.grade_of(stage.score) {
        let _ = write!(text, "{grade} ");
    }
    let _ = write!(text, "({}) = {}", points(stage.score), stage.formula());
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(text: &str) -> Decimal {
        text.parse().unwrap()
    }

    fn level(label: &str) -> Rating {
        Rating::Level(label.to_owned())
    }

    fn na() -> Rating {
        Rating::NotApplicable {
            reason: "今期は担当なし".to_owned(),
        }
    }

    fn section<'a>(
        title: &'a str,
        weight: &str,
        entries: &[(&'a str, &str, Option<&'a Rating>)],
    ) -> SectionToScore<'a> {
        SectionToScore {
            title,
            weight: d(weight),
            entries: entries
                .iter()
                .map(|(title, weight, rating)| EntryToScore {
                    title,
                    weight: d(weight),
                    rating: *rating,
                })
                .collect(),
        }
    }

    #[test]
    fn a_stage_adds_up_as_its_breakdown_says() {
        // 業績: A (4) 50 %, B (3) 50 % → 3.50. 行動: A, B, C, B at 25 % each → 3.00;
        // with the third item 対象外: A, B, B at 33.34/33.33/33.33 → 3.33.
        let (a, b, x) = (level("A"), level("B"), na());
        let sections = [
            section(
                "業績",
                "60",
                &[("売上", "50", Some(&a)), ("新規顧客", "50", Some(&b))],
            ),
            section(
                "行動",
                "40",
                &[
                    ("主体性", "25", Some(&a)),
                    ("協調性", "25", Some(&b)),
                    ("育成", "25", Some(&x)),
                    ("規律", "25", Some(&b)),
                ],
            ),
        ];
        let scale = RatingScale::default();
        let stage = score_stage(&scale, &sections).unwrap();
        assert_eq!(stage.sections[0].score, Some(d("3.50")));
        let behaviour = &stage.sections[1];
        assert_eq!(
            behaviour
                .entries
                .iter()
                .map(|e| e.counted_weight)
                .collect::<Vec<_>>(),
            [d("33.34"), d("33.33"), d("0"), d("33.33")]
        );
        // (33.34 × 4 + 33.33 × 3 + 33.33 × 3) / 100 = 3.3334 → 3.33
        assert_eq!(behaviour.score, Some(d("3.33")));
        // 60 × 3.50 + 40 × 3.33 = 343.2 → 3.432 → 3.43
        assert_eq!(stage.score, d("3.43"));
        assert_eq!(
            explain_stage(&GradeThresholds::default(), &stage),
            "B (3.43) = 業績 60 % × 3.50 + 行動 40 % × 3.33"
        );
    }

    #[test]
    fn the_example_of_the_product_adds_up() {
        // B (3.25) = 業績 60 % × 3.50 + 行動 40 % × 2.88:
        // 行動 = (88 × 3 + 12 × 2) / 100 = 2.88; 60 × 3.50 + 40 × 2.88 = 325.2 → 3.25.
        let (a, b, c) = (level("A"), level("B"), level("C"));
        let sections = [
            section(
                "業績",
                "60",
                &[("売上", "50", Some(&a)), ("粗利", "50", Some(&b))],
            ),
            section(
                "行動",
                "40",
                &[("主体性", "88", Some(&b)), ("協調性", "12", Some(&c))],
            ),
        ];
        let stage = score_stage(&RatingScale::default(), &sections).unwrap();
        assert_eq!(stage.sections[1].score, Some(d("2.88")));
        assert_eq!(stage.score, d("3.25"));
        assert_eq!(
            explain_stage(&GradeThresholds::default(), &stage),
            "B (3.25) = 業績 60 % × 3.50 + 行動 40 % × 2.88"
        );
        // Half away from zero: (50 × 3 + 50 × 2.75) …; a section of 2.875 shows as 2.88.
        assert_eq!(round(d("2.875")), d("2.88"));
        assert_eq!(round(d("2.874")), d("2.87"));
    }

    #[test]
    fn nothing_is_counted_as_zero_silently() {
        let a = level("A");
        let no_reason = Rating::NotApplicable {
            reason: " ".to_owned(),
        };
        let odd = level("Z");
        let sections = [section(
            "業績",
            "100",
            &[
                ("売上", "25", Some(&a)),
                ("粗利", "25", None),
                ("新規", "25", Some(&no_reason)),
                ("継続", "25", Some(&odd)),
            ],
        )];
        assert_eq!(
            score_stage(&RatingScale::default(), &sections),
            Err(vec![
                ScoreProblem::Unrated {
                    section: 0,
                    entry: 1
                },
                ScoreProblem::NoReason {
                    section: 0,
                    entry: 2
                },
                ScoreProblem::UnknownLevel {
                    section: 0,
                    entry: 3,
                    label: "Z".into()
                },
            ])
        );
        let x = na();
        let all_out = [section("業績", "100", &[("売上", "100", Some(&x))])];
        assert_eq!(
            score_stage(&RatingScale::default(), &all_out),
            Err(vec![ScoreProblem::NothingToScore])
        );
    }

    #[test]
    fn a_section_wholly_not_applicable_is_left_out_like_an_entry() {
        let (a, x) = (level("A"), na());
        let sections = [
            section("業績", "70", &[("売上", "100", Some(&x))]),
            section("行動", "30", &[("主体性", "100", Some(&a))]),
        ];
        let stage = score_stage(&RatingScale::default(), &sections).unwrap();
        assert_eq!(stage.sections[0].score, None);
        assert_eq!(stage.sections[0].counted_weight, d("0"));
        assert_eq!(stage.sections[1].counted_weight, d("100"));
        assert_eq!(stage.score, d("4.00"));
        assert_eq!(stage.formula(), "行動 100 % × 4.00");
    }

    #[test]
    fn weights_renormalise_to_exactly_one_hundred() {
        assert_eq!(renormalise(&[d("50"), d("30")]), [d("62.5"), d("37.5")]);
        assert_eq!(
            renormalise(&[d("1"), d("1"), d("1")]),
            [d("33.34"), d("33.33"), d("33.33")]
        );
        assert_eq!(renormalise(&[d("0"), d("0")]), [d("0"), d("0")]);
        assert_eq!(renormalise(&[d("60"), d("40")]), [d("60"), d("40")]);
    }

    #[test]
    fn final_scores_follow_their_rule() {
        let grades = GradeThresholds::default();
        let last = final_score(
            &FinalRule::LastStage,
            &grades,
            Some(d("5")),
            &[Some(d("3.00")), Some(d("3.60"))],
        )
        .unwrap();
        assert_eq!((last.score, last.grade.as_str()), (d("3.60"), "A"));
        assert_eq!(last.headline(), "A (3.60)");
        // 1st 40 %, 2nd 60 %: 0.4 × 3.00 + 0.6 × 3.60 = 3.36 → B; self shown, not counted.
        let weighted = FinalRule::Weighted {
            self_weight: d("0"),
            stage_weights: vec![d("40"), d("60")],
        };
        let score = final_score(
            &weighted,
            &grades,
            None,
            &[Some(d("3.00")), Some(d("3.60"))],
        )
        .unwrap();
        assert_eq!((score.score, score.grade.as_str()), (d("3.36"), "B"));
        assert_eq!(score.parts.len(), 2);
        assert_eq!(
            final_score(&weighted, &grades, None, &[Some(d("3.00")), None]),
            Err(FinalProblem::Missing(ScoreSource::Stage(
                Stage::new(2).unwrap()
            )))
        );
        let with_self = FinalRule::Weighted {
            self_weight: d("10"),
            stage_weights: vec![d("90")],
        };
        assert_eq!(
            final_score(&with_self, &grades, None, &[Some(d("3"))]),
            Err(FinalProblem::Missing(ScoreSource::SelfEvaluation))
        );
        // 0.1 × 5 + 0.9 × 3 = 3.2
        assert_eq!(
            final_score(&with_self, &grades, Some(d("5")), &[Some(d("3"))])
                .unwrap()
                .score,
            d("3.20")
        );
    }

    // ---- properties -----------------------------------------------------------------

    const LABELS: [&str; 5] = ["S", "A", "B", "C", "D"];

    /// A section: 1–6 entries with weights 1–100 (renormalised to 100 like a template's),
    /// each rated on the default scale (index 0–4) or 対象外 (5).
    fn sections() -> impl Strategy<Value = Vec<(u32, Vec<(u32, usize)>)>> {
        prop::collection::vec(
            (
                1u32..=100,
                prop::collection::vec((1u32..=100, 0usize..=5), 1..=6),
            ),
            1..=4,
        )
    }

    fn ratings_of(levels: &[(u32, Vec<(u32, usize)>)]) -> Vec<Vec<Rating>> {
        levels
            .iter()
            .map(|(_, entries)| {
                entries
                    .iter()
                    .map(|(_, level)| match LABELS.get(*level) {
                        Some(label) => Rating::Level((*label).to_owned()),
                        None => na(),
                    })
                    .collect()
            })
            .collect()
    }

    fn to_score<'a>(
        shape: &[(u32, Vec<(u32, usize)>)],
        ratings: &'a [Vec<Rating>],
    ) -> Vec<SectionToScore<'a>> {
        let section_weights = renormalise(
            &shape
                .iter()
                .map(|(w, _)| Decimal::from(*w))
                .collect::<Vec<_>>(),
        );
        shape
            .iter()
            .zip(ratings)
            .zip(section_weights)
            .map(|(((_, entries), ratings), weight)| {
                let weights = renormalise(
                    &entries
                        .iter()
                        .map(|(w, _)| Decimal::from(*w))
                        .collect::<Vec<_>>(),
                );
                SectionToScore {
                    title: "s",
                    weight,
                    entries: weights
                        .into_iter()
                        .zip(ratings)
                        .map(|(weight, rating)| EntryToScore {
                            title: "e",
                            weight,
                            rating: Some(rating),
                        })
                        .collect(),
                }
            })
            .collect()
    }

    proptest! {
        #[test]
        fn renormalised_weights_total_one_hundred(weights in prop::collection::vec(0u32..=1000, 1..=12)) {
            let weights: Vec<Decimal> = weights.into_iter().map(Decimal::from).collect();
            let total: Decimal = renormalise(&weights).iter().sum();
            if weights.iter().all(|w| w.is_zero()) {
                prop_assert_eq!(total, Decimal::ZERO);
            } else {
                prop_assert_eq!(total, Decimal::from(100));
            }
        }

        #[test]
        fn scores_stay_within_the_scale(shape in sections()) {
            let ratings = ratings_of(&shape);
            if let Ok(stage) = score_stage(&RatingScale::default(), &to_score(&shape, &ratings)) {
                prop_assert!(stage.score >= Decimal::ONE && stage.score <= Decimal::from(5), "{}", stage.score);
                let counted: Decimal = stage.sections.iter().map(|s| s.counted_weight).sum();
                prop_assert_eq!(counted, Decimal::from(100));
                for section in &stage.sections {
                    if section.score.is_some() {
                        let total: Decimal = section.entries.iter().map(|e| e.counted_weight).sum();
                        prop_assert_eq!(total, Decimal::from(100));
                    }
                }
            }
        }

        #[test]
        fn a_higher_rating_never_lowers_a_score(shape in sections(), pick in any::<prop::sample::Index>()) {
            let ratings = ratings_of(&shape);
            let positions: Vec<(usize, usize)> = shape
                .iter()
                .enumerate()
                .flat_map(|(s, (_, entries))| {
                    entries.iter().enumerate().filter(|(_, (_, level))| (1..=4).contains(level)).map(move |(e, _)| (s, e))
                })
                .collect();
            prop_assume!(!positions.is_empty());
            let (s, e) = positions[pick.index(positions.len())];
            let mut better = shape.clone();
            better[s].1[e].1 -= 1; // one level up: D → C, …, A → S
            let better_ratings = ratings_of(&better);
            let scale = RatingScale::default();
            let before = score_stage(&scale, &to_score(&shape, &ratings)).unwrap();
            let after = score_stage(&scale, &to_score(&better, &better_ratings)).unwrap();
            prop_assert!(after.score >= before.score, "{} < {}", after.score, before.score);
        }
    }
}
