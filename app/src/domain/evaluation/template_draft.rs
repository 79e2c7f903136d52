//! A template as its editor holds it while someone types: numbers as the text in their
//! fields (so "6" on its way to "60", or a stray letter, is kept and named rather than lost
//! or turned into 0), and each section, item, level and grade with a key of its own, so the
//! page keeps every row's field while rows are added, moved and removed.
//! [`TemplateDraft::parse`] gives the [`Template`] and every problem, the check's included.

use crate::domain::evaluation::scale::{GradeThreshold, GradeThresholds, RatingScale, ScaleLevel};
use crate::domain::evaluation::scoring::FinalRule;
use crate::domain::evaluation::template::{
    FixedItem, Section, SectionKind, Template, TemplateIssue, TemplatePlace, TemplateProblem,
};
use crate::domain::text::fold_width;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// A number as people type it: "60", "62.5", full-width "６０", "60%". `None` for anything
/// else (an empty field included).
pub fn parse_number(text: &str) -> Option<Decimal> {
    let folded = fold_width(text);
    let trimmed = folded.trim().trim_end_matches('%').trim();
    if trimmed.is_empty()
        || !trimmed
            .chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == '-')
    {
        return None;
    }
    trimmed.parse().ok()
}

/// A whole number of goals as typed.
fn parse_count(text: &str) -> Option<u32> {
    fold_width(text).trim().parse().ok()
}

fn number_text(value: Decimal) -> String {
    value.normalize().to_string()
}

/// Which of the three kinds a section is, as its select shows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SectionKindChoice {
    Goals,
    Items,
    Comment,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemDraft {
    pub key: u64,
    pub title: String,
    pub description: String,
    pub weight: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SectionDraft {
    pub key: u64,
    pub title: String,
    pub description: String,
    pub kind: SectionKindChoice,
    pub weight: String,
    pub min_goals: String,
    pub max_goals: String,
    pub items: Vec<ItemDraft>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LevelDraft {
    pub key: u64,
    pub label: String,
    pub points: String,
    pub description: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GradeDraft {
    pub key: u64,
    pub grade: String,
    /// Empty for the last grade (every lower score).
    pub from: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateDraft {
    pub name: String,
    pub description: String,
    pub sections: Vec<SectionDraft>,
    pub levels: Vec<LevelDraft>,
    /// `false`: the last stage's score; `true`: the weights below.
    pub weighted: bool,
    pub self_weight: String,
    pub stage_weights: [String; 3],
    pub grades: Vec<GradeDraft>,
    /// The next key to hand out.
    pub next_key: u64,
}

impl TemplateDraft {
    /// The draft of a stored (or starter) template.
    pub fn of(template: &Template) -> TemplateDraft {
        let mut next_key = 0;
        let mut key = || {
            next_key += 1;
            next_key
        };
        let sections = template
            .sections
            .iter()
            .map(|section| {
                let (kind, min, max, items) = match &section.kind {
                    SectionKind::Goals {
                        min_goals,
                        max_goals,
                    } => (
                        SectionKindChoice::Goals,
                        min_goals.to_string(),
                        max_goals.to_string(),
                        vec![],
                    ),
                    SectionKind::Items { items } => (
                        SectionKindChoice::Items,
                        "1".to_owned(),
                        "5".to_owned(),
                        items.clone(),
                    ),
                    SectionKind::Comment => (
                        SectionKindChoice::Comment,
                        "1".to_owned(),
                        "5".to_owned(),
                        vec![],
                    ),
                };
                SectionDraft {
                    key: key(),
                    title: section.title.clone(),
                    description: section.description.clone(),
                    kind,
                    weight: section.weight.map(number_text).unwrap_or_default(),
                    min_goals: min,
                    max_goals: max,
                    items: items
                        .into_iter()
                        .map(|item| ItemDraft {
                            key: key(),
                            title: item.title,
                            description: item.description,
                            weight: number_text(item.weight),
                        })
                        .collect(),
                }
            })
            .collect();
        let levels = template
            .scale
            .levels
            .iter()
            .map(|level| LevelDraft {
                key: key(),
                label: level.label.clone(),
                points: number_text(level.points),
                description: level.description.clone(),
            })
            .collect();
        let grades = template
            .grades
            .grades
            .iter()
            .map(|grade| GradeDraft {
                key: key(),
                grade: grade.grade.clone(),
                from: grade.from.map(number_text).unwrap_or_default(),
            })
            .collect();
        let (weighted, self_weight, stage_weights) = match &template.final_rule {
            FinalRule::LastStage => (
                false,
                "0".to_owned(),
                ["40".into(), "60".into(), String::new()],
            ),
            FinalRule::Weighted {
                self_weight,
                stage_weights,
            } => {
                let stage = |i: usize| {
                    stage_weights
                        .get(i)
                        .map(|w| number_text(*w))
                        .unwrap_or_default()
                };
                (
                    true,
                    number_text(*self_weight),
                    [stage(0), stage(1), stage(2)],
                )
            }
        };
        TemplateDraft {
            name: template.name.clone(),
            description: template.description.clone(),
            sections,
            levels,
            weighted,
            self_weight,
            stage_weights,
            grades,
            next_key: key(),
        }
    }

    /// A key no row of this draft has yet.
    pub fn new_key(&mut self) -> u64 {
        self.next_key += 1;
        self.next_key
    }

    /// A new section of `kind` at the end.
    pub fn add_section(&mut self, kind: SectionKindChoice) {
        let key = self.new_key();
        let mut section = SectionDraft {
            key,
            title: String::new(),
            description: String::new(),
            kind,
            weight: String::new(),
            min_goals: "1".into(),
            max_goals: "5".into(),
            items: vec![],
        };
        if kind == SectionKindChoice::Items {
            let key = self.new_key();
            section.items.push(ItemDraft {
                key,
                title: String::new(),
                description: String::new(),
                weight: "100".into(),
            });
        }
        self.sections.push(section);
    }

    /// The template the draft says, and every problem with it: numbers that are not
    /// numbers first (the template is then `None`), else [`Template::check`]'s.
    pub fn parse(&self) -> (Option<Template>, Vec<TemplateIssue>) {
        let mut issues = Vec::new();
        // A number field's value, or its problem noted.
        fn number(
            issues: &mut Vec<TemplateIssue>,
            text: &str,
            at: TemplatePlace,
        ) -> Option<Decimal> {
            let value = parse_number(text);
            if value.is_none() {
                issues.push(TemplateIssue {
                    at,
                    problem: TemplateProblem::NotANumber,
                });
            }
            value
        }
        let mut sections = Vec::with_capacity(self.sections.len());
        let mut readable = true;
        for (s, draft) in self.sections.iter().enumerate() {
            let here = TemplatePlace::Section(s);
            let weight = match draft.kind {
                SectionKindChoice::Comment => None,
                _ => {
                    let weight = number(&mut issues, &draft.weight, here);
                    readable &= weight.is_some();
                    weight
                }
            };
            let kind = match draft.kind {
                SectionKindChoice::Goals => {
                    let (min, max) = (parse_count(&draft.min_goals), parse_count(&draft.max_goals));
                    match (min, max) {
                        (Some(min_goals), Some(max_goals)) => SectionKind::Goals {
                            min_goals,
                            max_goals,
                        },
                        _ => {
                            readable = false;
                            issues.push(TemplateIssue {
                                at: here,
                                problem: TemplateProblem::GoalCounts,
                            });
                            SectionKind::Goals {
                                min_goals: 1,
                                max_goals: 1,
                            }
                        }
                    }
                }
                SectionKindChoice::Items => {
                    let mut items = Vec::with_capacity(draft.items.len());
                    for (i, item) in draft.items.iter().enumerate() {
                        let at = TemplatePlace::Item {
                            section: s,
                            item: i,
                        };
                        let weight = number(&mut issues, &item.weight, at);
                        readable &= weight.is_some();
                        items.push(FixedItem {
                            title: item.title.clone(),
                            description: item.description.clone(),
                            weight: weight.unwrap_or_default(),
                        });
                    }
                    SectionKind::Items { items }
                }
                SectionKindChoice::Comment => SectionKind::Comment,
            };
            sections.push(Section {
                title: draft.title.clone(),
                description: draft.description.clone(),
                kind,
                weight: weight.or(match draft.kind {
                    SectionKindChoice::Comment => None,
                    _ => Some(Decimal::ZERO),
                }),
            });
        }
        let mut levels = Vec::with_capacity(self.levels.len());
        for (l, level) in self.levels.iter().enumerate() {
            let points = number(&mut issues, &level.points, TemplatePlace::ScaleLevel(l));
            readable &= points.is_some();
            levels.push(ScaleLevel {
                label: level.label.clone(),
                points: points.unwrap_or_default(),
                description: level.description.clone(),
            });
        }
        let final_rule = if self.weighted {
            let self_weight = if self.self_weight.trim().is_empty() {
                Some(Decimal::ZERO)
            } else {
                number(&mut issues, &self.self_weight, TemplatePlace::FinalRule)
            };
            let mut stage_weights = Vec::new();
            for text in &self.stage_weights {
                if text.trim().is_empty() {
                    continue;
                }
                let weight = number(&mut issues, text, TemplatePlace::FinalRule);
                readable &= weight.is_some();
                stage_weights.push(weight.unwrap_or_default());
            }
            readable &= self_weight.is_some();
            FinalRule::Weighted {
                self_weight: self_weight.unwrap_or_default(),
                stage_weights,
            }
        } else {
            FinalRule::LastStage
        };
        let mut grades = Vec::with_capacity(self.grades.len());
        let last = self.grades.len().saturating_sub(1);
        for (g, grade) in self.grades.iter().enumerate() {
            let from = if g == last && grade.from.trim().is_empty() {
                None
            } else {
                let from = number(&mut issues, &grade.from, TemplatePlace::Grade(g));
                readable &= from.is_some();
                from
            };
            grades.push(GradeThreshold {
                grade: grade.grade.clone(),
                from,
            });
        }
        if !readable {
            return (None, issues);
        }
        let template = Template {
            name: self.name.clone(),
            description: self.description.clone(),
            sections,
            scale: RatingScale { levels },
            final_rule,
            grades: GradeThresholds { grades },
        }
        .tidied();
        let issues = template.check();
        (Some(template), issues)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> Decimal {
        text.parse().unwrap()
    }

    #[test]
    fn numbers_are_read_as_people_type_them() {
        assert_eq!(parse_number("60"), Some(d("60")));
        assert_eq!(parse_number(" ６２．５ "), Some(d("62.5")));
        assert_eq!(parse_number("40%"), Some(d("40")));
        assert_eq!(parse_number(""), None);
        assert_eq!(parse_number("6O"), None);
        assert_eq!(parse_number("1e2"), None);
    }

    #[test]
    fn a_template_round_trips_through_its_draft() {
        let template = Template::starter();
        let (parsed, issues) = TemplateDraft::of(&template).parse();
        assert_eq!(issues, []);
        assert_eq!(parsed, Some(template));
    }

    #[test]
    fn a_number_that_is_not_one_is_named_not_lost() {
        let mut draft = TemplateDraft::of(&Template::starter());
        draft.sections[1].items[2].weight = "２５ｋ".into();
        draft.levels[0].points = String::new();
        let (parsed, issues) = draft.parse();
        assert_eq!(parsed, None);
        assert_eq!(
            issues,
            [
                TemplateIssue {
                    at: TemplatePlace::Item {
                        section: 1,
                        item: 2
                    },
                    problem: TemplateProblem::NotANumber
                },
                TemplateIssue {
                    at: TemplatePlace::ScaleLevel(0),
                    problem: TemplateProblem::NotANumber
                },
            ]
        );
        // What was typed stays in the draft.
        assert_eq!(draft.sections[1].items[2].weight, "２５ｋ");
    }

    #[test]
    fn new_rows_get_keys_of_their_own() {
        let mut draft = TemplateDraft::of(&Template::starter());
        let before: Vec<u64> = draft.sections.iter().map(|s| s.key).collect();
        draft.add_section(SectionKindChoice::Items);
        let added = draft.sections.last().unwrap();
        assert!(!before.contains(&added.key));
        assert_ne!(added.items[0].key, added.key);
        // The new section has no weight yet: only that is said, until it is a number.
        let (parsed, issues) = draft.parse();
        assert_eq!(parsed, None);
        assert_eq!(
            issues,
            [TemplateIssue {
                at: TemplatePlace::Section(3),
                problem: TemplateProblem::NotANumber
            }]
        );
        // Then the template's own check: no title, and the weights no longer add up.
        draft.sections[3].weight = "10".into();
        let (parsed, issues) = draft.parse();
        assert!(parsed.is_some());
        assert_eq!(
            issues,
            [
                TemplateIssue {
                    at: TemplatePlace::Section(3),
                    problem: TemplateProblem::TitleLength
                },
                TemplateIssue {
                    at: TemplatePlace::Item {
                        section: 3,
                        item: 0
                    },
                    problem: TemplateProblem::TitleLength
                },
                TemplateIssue {
                    at: TemplatePlace::Sections,
                    problem: TemplateProblem::WeightsTotal { total: d("110") }
                },
            ]
        );
    }
}
