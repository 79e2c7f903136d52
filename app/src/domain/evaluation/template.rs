//! Sheet templates (評価シートのテンプレート): ordered sections of goals (MBO), fixed items
//! (competencies, behaviours) and comments, a rating scale, the final-score rule and the
//! grade thresholds. [`Template::check`] is the one judge of what a template may be; a
//! period copies the template it launches with, so editing one later changes no sheet.

use crate::domain::evaluation::Stage;
use crate::domain::evaluation::scale::{GradeThresholds, RatingScale};
use crate::domain::evaluation::scoring::FinalRule;
use crate::domain::ids::TemplateId;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

/// Names and titles: 1 to 100 characters; descriptions up to 2,000.
pub const TITLE_MAX: usize = 100;
pub const DESCRIPTION_MAX: usize = 2000;
/// The most goals a template may ask for, and the most sections and items.
pub const GOALS_MAX: u32 = 20;
pub const SECTIONS_MAX: usize = 10;
pub const ITEMS_MAX: usize = 50;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Template {
    pub name: String,
    pub description: String,
    pub sections: Vec<Section>,
    pub scale: RatingScale,
    pub final_rule: FinalRule,
    pub grades: GradeThresholds,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Section {
    pub title: String,
    pub description: String,
    pub kind: SectionKind,
    /// The section's weight among the scored sections (they total 100); none for comments.
    pub weight: Option<Decimal>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SectionKind {
    /// 目標 (MBO): the employee writes `min_goals` to `max_goals` goals whose weights total 100.
    Goals { min_goals: u32, max_goals: u32 },
    /// Fixed items written here, with weights totalling 100.
    Items { items: Vec<FixedItem> },
    /// Free text, no score (総合コメント).
    Comment,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FixedItem {
    pub title: String,
    pub description: String,
    pub weight: Decimal,
}

impl Section {
    pub fn is_scored(&self) -> bool {
        !matches!(self.kind, SectionKind::Comment)
    }
}

/// Where in a template a problem is (0-based positions; the page shows them 1-based).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum TemplatePlace {
    Name,
    Description,
    Sections,
    Section(usize),
    Item { section: usize, item: usize },
    ScaleLevel(usize),
    Scale,
    FinalRule,
    Grade(usize),
    Grades,
}

/// Why a template is refused: data only, translated in `i18n::problems`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum TemplateProblem {
    /// A name or title that is empty or over [`TITLE_MAX`] characters.
    TitleLength,
    DescriptionTooLong,
    /// No section that is scored.
    NoScoredSection,
    TooManySections,
    TooManyItems,
    /// A scored section without a weight, or a weight outside 0 < w ≤ 100.
    BadWeight,
    /// Weights that should total 100 but total `total`.
    WeightsTotal {
        total: Decimal,
    },
    /// Weights with more than two decimals.
    WeightPrecision,
    /// A comment section with a weight: comments are not scored.
    CommentWeighted,
    /// An items section without items.
    NoItems,
    /// Minimum goals above the maximum, a minimum of 0, or a maximum over [`GOALS_MAX`].
    GoalCounts,
    /// A scale of fewer than two levels.
    ScaleTooSmall,
    /// Two levels (or two grades) with the same label.
    DuplicateLabel {
        label: String,
    },
    /// Two levels with the same points, or levels not from highest to lowest.
    ScaleOrder,
    /// Points below 0 or with more than two decimals.
    BadPoints,
    /// Stage weights of a weighted final rule for more stages than three.
    TooManyStages,
    /// Grade thresholds not strictly falling from the first grade to the last.
    GradesOrder,
    /// The last grade must take every lower score (no threshold), and only the last.
    LastGradeOpen,
    /// Fewer than two grades.
    TooFewGrades,
    /// Another template of the tenant has this name.
    NameTaken,
    /// A field that should hold a number holds something else (or nothing).
    NotANumber,
}

/// A problem and where it is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateIssue {
    pub at: TemplatePlace,
    pub problem: TemplateProblem,
}

fn two_decimals(value: Decimal) -> bool {
    value.normalize().scale() <= 2
}

fn title_ok(text: &str) -> bool {
    let length = text.trim().chars().count();
    (1..=TITLE_MAX).contains(&length)
}

impl Template {
    /// A sensible start: 業績目標 (60 %) and 行動評価 (40 %, four items), 総合コメント, the
    /// default scale and grades, the final score from the last stage.
    pub fn starter() -> Template {
        let item = |title: &str, description: &str| FixedItem {
            title: title.to_owned(),
            description: description.to_owned(),
            weight: Decimal::from(25),
        };
        Template {
            name: "標準評価シート".to_owned(),
            description: String::new(),
            sections: vec![
                Section {
                    title: "業績目標".to_owned(),
                    description: "期初に立てた目標の達成度".to_owned(),
                    kind: SectionKind::Goals {
                        min_goals: 1,
                        max_goals: 5,
                    },
                    weight: Some(Decimal::from(60)),
                },
                Section {
                    title: "行動評価".to_owned(),
                    description: "期間中の行動".to_owned(),
                    kind: SectionKind::Items {
                        items: vec![
                            item("主体性", "自ら課題を見つけ、行動に移した"),
                            item("協調性", "周囲と協力して成果を上げた"),
                            item("専門性", "職務に必要な知識・技能を高め、活かした"),
                            item("規律性", "ルールと約束を守った"),
                        ],
                    },
                    weight: Some(Decimal::from(40)),
                },
                Section {
                    title: "総合コメント".to_owned(),
                    description: String::new(),
                    kind: SectionKind::Comment,
                    weight: None,
                },
            ],
            scale: RatingScale::default(),
            final_rule: FinalRule::LastStage,
            grades: GradeThresholds::default(),
        }
    }

    /// Every problem of the template, in page order; empty when it may be saved and used.
    pub fn check(&self) -> Vec<TemplateIssue> {
        let mut issues = Vec::new();
        let mut refuse = |at: TemplatePlace, problem: TemplateProblem| {
            issues.push(TemplateIssue { at, problem });
        };
        if !title_ok(&self.name) {
            refuse(TemplatePlace::Name, TemplateProblem::TitleLength);
        }
        if self.description.chars().count() > DESCRIPTION_MAX {
            refuse(
                TemplatePlace::Description,
                TemplateProblem::DescriptionTooLong,
            );
        }

        // Sections and their weights.
        if self.sections.len() > SECTIONS_MAX {
            refuse(TemplatePlace::Sections, TemplateProblem::TooManySections);
        }
        if !self.sections.iter().any(Section::is_scored) {
            refuse(TemplatePlace::Sections, TemplateProblem::NoScoredSection);
        }
        let mut section_total = Decimal::ZERO;
        let mut weights_readable = true;
        for (index, section) in self.sections.iter().enumerate() {
            let here = TemplatePlace::Section(index);
            if !title_ok(&section.title) {
                refuse(here, TemplateProblem::TitleLength);
            }
            if section.description.chars().count() > DESCRIPTION_MAX {
                refuse(here, TemplateProblem::DescriptionTooLong);
            }
            match (section.is_scored(), section.weight) {
                (false, Some(_)) => refuse(here, TemplateProblem::CommentWeighted),
                (false, None) => {}
                (true, None) => {
                    weights_readable = false;
                    refuse(here, TemplateProblem::BadWeight);
                }
                (true, Some(weight)) => {
                    if weight <= Decimal::ZERO || weight > Decimal::from(100) {
                        weights_readable = false;
                        refuse(here, TemplateProblem::BadWeight);
                    } else if !two_decimals(weight) {
                        weights_readable = false;
                        refuse(here, TemplateProblem::WeightPrecision);
                    }
                    section_total += weight;
                }
            }
            match &section.kind {
                SectionKind::Goals {
                    min_goals,
                    max_goals,
                } => {
                    if *min_goals == 0 || min_goals > max_goals || *max_goals > GOALS_MAX {
                        refuse(here, TemplateProblem::GoalCounts);
                    }
                }
                SectionKind::Items { items } => {
                    if items.is_empty() {
                        refuse(here, TemplateProblem::NoItems);
                    }
                    if items.len() > ITEMS_MAX {
                        refuse(here, TemplateProblem::TooManyItems);
                    }
                    let mut item_total = Decimal::ZERO;
                    let mut items_readable = true;
                    for (item_index, item) in items.iter().enumerate() {
                        let at = TemplatePlace::Item {
                            section: index,
                            item: item_index,
                        };
                        if !title_ok(&item.title) {
                            refuse(at, TemplateProblem::TitleLength);
                        }
                        if item.description.chars().count() > DESCRIPTION_MAX {
                            refuse(at, TemplateProblem::DescriptionTooLong);
                        }
                        if item.weight <= Decimal::ZERO || item.weight > Decimal::from(100) {
                            items_readable = false;
                            refuse(at, TemplateProblem::BadWeight);
                        } else if !two_decimals(item.weight) {
                            items_readable = false;
                            refuse(at, TemplateProblem::WeightPrecision);
                        }
                        item_total += item.weight;
                    }
                    if items_readable && !items.is_empty() && item_total != Decimal::from(100) {
                        refuse(
                            here,
                            TemplateProblem::WeightsTotal {
                                total: item_total.normalize(),
                            },
                        );
                    }
                }
                SectionKind::Comment => {}
            }
        }
        let scored = self.sections.iter().filter(|s| s.is_scored()).count();
        if weights_readable && scored > 0 && section_total != Decimal::from(100) {
            refuse(
                TemplatePlace::Sections,
                TemplateProblem::WeightsTotal {
                    total: section_total.normalize(),
                },
            );
        }

        // The scale: at least two levels, distinct labels, points falling strictly.
        let levels = &self.scale.levels;
        if levels.len() < 2 {
            refuse(TemplatePlace::Scale, TemplateProblem::ScaleTooSmall);
        }
        let mut labels = HashSet::new();
        for (index, level) in levels.iter().enumerate() {
            let at = TemplatePlace::ScaleLevel(index);
            if !title_ok(&level.label) {
                refuse(at, TemplateProblem::TitleLength);
            } else if !labels.insert(level.label.trim()) {
                refuse(
                    at,
                    TemplateProblem::DuplicateLabel {
                        label: level.label.trim().to_owned(),
                    },
                );
            }
            if level.points < Decimal::ZERO || !two_decimals(level.points) {
                refuse(at, TemplateProblem::BadPoints);
            }
            if level.description.chars().count() > DESCRIPTION_MAX {
                refuse(at, TemplateProblem::DescriptionTooLong);
            }
            if index > 0 && level.points >= levels[index - 1].points {
                refuse(at, TemplateProblem::ScaleOrder);
            }
        }

        // The final-score rule.
        if let FinalRule::Weighted {
            self_weight,
            stage_weights,
        } = &self.final_rule
        {
            if stage_weights.len() > Stage::MAX as usize {
                refuse(TemplatePlace::FinalRule, TemplateProblem::TooManyStages);
            }
            let all = std::iter::once(self_weight).chain(stage_weights);
            if all.clone().any(|w| *w < Decimal::ZERO || !two_decimals(*w))
                || stage_weights.iter().all(|w| w.is_zero())
            {
                refuse(TemplatePlace::FinalRule, TemplateProblem::BadWeight);
            } else {
                let total: Decimal = all.sum();
                if total != Decimal::from(100) {
                    refuse(
                        TemplatePlace::FinalRule,
                        TemplateProblem::WeightsTotal {
                            total: total.normalize(),
                        },
                    );
                }
            }
        }

        // Grades: strictly falling thresholds, the last one open below.
        let grades = &self.grades.grades;
        if grades.len() < 2 {
            refuse(TemplatePlace::Grades, TemplateProblem::TooFewGrades);
        }
        let mut grade_labels = HashSet::new();
        for (index, grade) in grades.iter().enumerate() {
            let at = TemplatePlace::Grade(index);
            let last = index + 1 == grades.len();
            if !title_ok(&grade.grade) {
                refuse(at, TemplateProblem::TitleLength);
            } else if !grade_labels.insert(grade.grade.trim()) {
                refuse(
                    at,
                    TemplateProblem::DuplicateLabel {
                        label: grade.grade.trim().to_owned(),
                    },
                );
            }
            match (grade.from, last) {
                (None, true) => {}
                (Some(_), true) | (None, false) => refuse(at, TemplateProblem::LastGradeOpen),
                (Some(from), false) => {
                    if from < Decimal::ZERO || !two_decimals(from) {
                        refuse(at, TemplateProblem::BadPoints);
                    }
                    if let Some(previous) = index.checked_sub(1).and_then(|i| grades[i].from)
                        && from >= previous
                    {
                        refuse(at, TemplateProblem::GradesOrder);
                    }
                }
            }
        }
        issues
    }

    /// A copy to edit under a new name ("… のコピー").
    pub fn copy_named(&self, name: String) -> Template {
        Template {
            name,
            ..self.clone()
        }
    }

    /// The first of "{name} のコピー", "{name} のコピー (2)", … that no template in
    /// `taken` has, cut to fit [`TITLE_MAX`].
    pub fn copy_name(name: &str, taken: &[String]) -> String {
        (1..)
            .map(|n| {
                let suffix = if n == 1 {
                    " のコピー".to_owned()
                } else {
                    format!(" のコピー ({n})")
                };
                let room = TITLE_MAX - suffix.chars().count();
                let stem: String = name.trim().chars().take(room).collect();
                format!("{stem}{suffix}")
            })
            .find(|candidate| !taken.iter().any(|t| t == candidate))
            .expect("some number is free")
    }

    /// The template with surrounding spaces taken off every name, title and label, as it
    /// is checked and stored.
    pub fn tidied(mut self) -> Template {
        self.name = self.name.trim().to_owned();
        self.description = self.description.trim().to_owned();
        for section in &mut self.sections {
            section.title = section.title.trim().to_owned();
            section.description = section.description.trim().to_owned();
            if let SectionKind::Items { items } = &mut section.kind {
                for item in items {
                    item.title = item.title.trim().to_owned();
                    item.description = item.description.trim().to_owned();
                }
            }
        }
        for level in &mut self.scale.levels {
            level.label = level.label.trim().to_owned();
            level.description = level.description.trim().to_owned();
        }
        for grade in &mut self.grades.grades {
            grade.grade = grade.grade.trim().to_owned();
        }
        self
    }
}

/// A template as stored: its id, its version (an edit names the one it is based on) and
/// the template itself.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredTemplate {
    pub id: TemplateId,
    pub version: i64,
    pub template: Template,
}

/// A line of the template list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateSummary {
    pub id: TemplateId,
    pub name: String,
    pub version: i64,
    pub sections: usize,
    pub levels: usize,
    /// When it was last saved, in the tenant's zone with the offset.
    pub updated: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::evaluation::scale::{GradeThreshold, ScaleLevel};

    fn d(text: &str) -> Decimal {
        text.parse().unwrap()
    }

    fn problems(template: &Template) -> Vec<(TemplatePlace, TemplateProblem)> {
        template
            .check()
            .into_iter()
            .map(|issue| (issue.at, issue.problem))
            .collect()
    }

    #[test]
    fn copies_take_the_first_free_name() {
        let taken = vec!["標準 のコピー".to_owned(), "標準 のコピー (2)".to_owned()];
        assert_eq!(Template::copy_name("標準", &[]), "標準 のコピー");
        assert_eq!(Template::copy_name(" 標準 ", &taken), "標準 のコピー (3)");
        let long = "評".repeat(TITLE_MAX);
        let copy = Template::copy_name(&long, &[]);
        assert_eq!(copy.chars().count(), TITLE_MAX);
        assert!(copy.ends_with(" のコピー"));
    }

    #[test]
    fn the_starter_template_is_valid() {
        assert_eq!(problems(&Template::starter()), []);
    }

    #[test]
    fn weights_must_total_one_hundred_where_they_are_summed() {
        let mut template = Template::starter();
        template.sections[0].weight = Some(d("50"));
        if let SectionKind::Items { items } = &mut template.sections[1].kind {
            items[0].weight = d("30");
        }
        assert_eq!(
            problems(&template),
            [
                (
                    TemplatePlace::Section(1),
                    TemplateProblem::WeightsTotal { total: d("105") }
                ),
                (
                    TemplatePlace::Sections,
                    TemplateProblem::WeightsTotal { total: d("90") }
                ),
            ]
        );
        template.sections[0].weight = Some(d("60.005"));
        assert!(
            problems(&template)
                .contains(&(TemplatePlace::Section(0), TemplateProblem::WeightPrecision))
        );
        template.sections[2].weight = Some(d("10"));
        assert!(
            problems(&template)
                .contains(&(TemplatePlace::Section(2), TemplateProblem::CommentWeighted))
        );
    }

    #[test]
    fn a_template_needs_something_to_score_and_sane_goal_counts() {
        let mut template = Template::starter();
        template.sections.truncate(0);
        template.sections.push(Section {
            title: "所感".into(),
            description: String::new(),
            kind: SectionKind::Comment,
            weight: None,
        });
        assert_eq!(
            problems(&template),
            [(TemplatePlace::Sections, TemplateProblem::NoScoredSection)]
        );
        let mut template = Template::starter();
        template.sections[0].kind = SectionKind::Goals {
            min_goals: 4,
            max_goals: 3,
        };
        template.sections[1].kind = SectionKind::Items { items: vec![] };
        assert_eq!(
            problems(&template),
            [
                (TemplatePlace::Section(0), TemplateProblem::GoalCounts),
                (TemplatePlace::Section(1), TemplateProblem::NoItems),
            ]
        );
    }

    #[test]
    fn the_scale_and_the_grades_are_checked_for_order_and_duplicates() {
        let mut template = Template::starter();
        template.scale.levels[2] = ScaleLevel {
            label: "A".into(),
            points: d("4.5"),
            description: String::new(),
        };
        template.grades.grades[2] = GradeThreshold {
            grade: "B".into(),
            from: Some(d("3.6")),
        };
        template.grades.grades[4].from = Some(d("0"));
        assert_eq!(
            problems(&template),
            [
                (
                    TemplatePlace::ScaleLevel(2),
                    TemplateProblem::DuplicateLabel { label: "A".into() }
                ),
                (TemplatePlace::ScaleLevel(2), TemplateProblem::ScaleOrder),
                (TemplatePlace::Grade(2), TemplateProblem::GradesOrder),
                (TemplatePlace::Grade(4), TemplateProblem::LastGradeOpen),
            ]
        );
        // A custom scale with decimals is fine.
        let mut template = Template::starter();
        template.scale.levels = ["4.5", "3.5", "2", "0.5"]
            .iter()
            .enumerate()
            .map(|(i, points)| ScaleLevel {
                label: format!("L{i}"),
                points: d(points),
                description: String::new(),
            })
            .collect();
        assert_eq!(problems(&template), []);
    }

    #[test]
    fn a_weighted_final_rule_totals_one_hundred() {
        let mut template = Template::starter();
        template.final_rule = FinalRule::Weighted {
            self_weight: d("0"),
            stage_weights: vec![d("40"), d("50")],
        };
        assert_eq!(
            problems(&template),
            [(
                TemplatePlace::FinalRule,
                TemplateProblem::WeightsTotal { total: d("90") }
            )]
        );
        template.final_rule = FinalRule::Weighted {
            self_weight: d("0"),
            stage_weights: vec![d("40"), d("60")],
        };
        assert_eq!(problems(&template), []);
        template.final_rule = FinalRule::Weighted {
            self_weight: d("100"),
            stage_weights: vec![d("0")],
        };
        assert_eq!(
            problems(&template),
            [(TemplatePlace::FinalRule, TemplateProblem::BadWeight)]
        );
    }
}
