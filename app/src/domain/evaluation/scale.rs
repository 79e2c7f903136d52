//! The rating scale an evaluator picks from (評価尺度: S/A/B/C/D = 5..1 by default), and
//! the grade thresholds that turn a final score into a grade (S ≥ 4.5 …). Points are exact
//! decimals: "3.5" is three and a half, never 3.4999….

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// One level of a rating scale.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScaleLevel {
    /// What the evaluator picks and the sheet shows: "S", "A", "期待を大きく上回る".
    pub label: String,
    pub points: Decimal,
    /// What the level means, shown beside it.
    pub description: String,
}

/// The levels of a template's scale, highest first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RatingScale {
    pub levels: Vec<ScaleLevel>,
}

impl Default for RatingScale {
    /// S/A/B/C/D = 5/4/3/2/1.
    fn default() -> Self {
        let level = |label: &str, points: i64, description: &str| ScaleLevel {
            label: label.to_owned(),
            points: Decimal::from(points),
            description: description.to_owned(),
        };
        RatingScale {
            levels: vec![
                level("S", 5, "期待を大きく上回った"),
                level("A", 4, "期待を上回った"),
                level("B", 3, "期待どおり"),
                level("C", 2, "期待をやや下回った"),
                level("D", 1, "期待を大きく下回った"),
            ],
        }
    }
}

impl RatingScale {
    /// The points of the level labelled `label`.
    pub fn points_of(&self, label: &str) -> Option<Decimal> {
        self.levels
            .iter()
            .find(|level| level.label == label)
            .map(|level| level.points)
    }

    /// The lowest and highest points of the scale.
    pub fn range(&self) -> Option<(Decimal, Decimal)> {
        let points = self.levels.iter().map(|level| level.points);
        Some((points.clone().min()?, points.max()?))
    }
}

/// A grade and the lowest final score that reaches it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GradeThreshold {
    pub grade: String,
    /// The final score from which this grade is given; the last grade has none (all the rest).
    pub from: Option<Decimal>,
}

/// Final score → grade, highest grade first; the last grade takes every lower score.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GradeThresholds {
    pub grades: Vec<GradeThreshold>,
}

impl Default for GradeThresholds {
    /// S ≥ 4.5, A ≥ 3.5, B ≥ 2.5, C ≥ 1.5, else D.
    fn default() -> Self {
        let grade = |grade: &str, from: Option<Decimal>| GradeThreshold {
            grade: grade.to_owned(),
            from,
        };
        GradeThresholds {
            grades: vec![
                grade("S", Some(Decimal::new(45, 1))),
                grade("A", Some(Decimal::new(35, 1))),
                grade("B", Some(Decimal::new(25, 1))),
                grade("C", Some(Decimal::new(15, 1))),
                grade("D", None),
            ],
        }
    }
}

impl GradeThresholds {
    /// The grade of a final score: the first whose threshold the score reaches.
    pub fn grade_of(&self, score: Decimal) -> Option<&str> {
        self.grades
            .iter()
            .find(|grade| grade.from.is_none_or(|from| score >= from))
            .map(|grade| grade.grade.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> Decimal {
        text.parse().unwrap()
    }

    #[test]
    fn the_default_scale_and_grades_are_the_usual_ones() {
        let scale = RatingScale::default();
        assert_eq!(scale.points_of("S"), Some(d("5")));
        assert_eq!(scale.points_of("D"), Some(d("1")));
        assert_eq!(scale.points_of("E"), None);
        assert_eq!(scale.range(), Some((d("1"), d("5"))));
        let grades = GradeThresholds::default();
        for (score, grade) in [
            ("5", "S"),
            ("4.5", "S"),
            ("4.49", "A"),
            ("3.5", "A"),
            ("3.25", "B"),
            ("2.5", "B"),
            ("1.5", "C"),
            ("1.49", "D"),
            ("1", "D"),
        ] {
            assert_eq!(grades.grade_of(d(score)), Some(grade), "{score}");
        }
    }
}
