//! The rules a sheet's goals keep (目標設定): in each goals section of the template, between
//! its minimum and maximum number of goals, each with a title and a positive weight, the
//! weights totalling exactly 100, each due date inside the term evaluated. [`check_goals`]
//! is the one check: the sheet page shows its answer as one types, the server refuses a
//! submission with it.

use crate::domain::dates::CalendarDate;
use crate::domain::evaluation::sheet::Goal;
use crate::domain::evaluation::template::{SectionKind, Template};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Where a goal problem is: a goals section as a whole, or one goal of it (0-based).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum GoalPlace {
    Section(usize),
    Goal { section: usize, goal: usize },
}

/// What is wrong with the goals.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum GoalProblem {
    TooFew {
        min: u32,
    },
    TooMany {
        max: u32,
    },
    TitleMissing,
    /// A weight of 0 or less, or over 100.
    WeightOutOfRange,
    /// The section's weights do not total 100 (`total`: what they total).
    WeightsTotal {
        total: Decimal,
    },
    /// A due date before the term's start or after its end.
    DueOutsideTerm,
    /// Goals for a section that is not a goals section of the template.
    NotAGoalsSection,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GoalIssue {
    pub at: GoalPlace,
    pub problem: GoalProblem,
}

/// The sum of the goals' weights: the running total the page shows.
pub fn weight_total(goals: &[Goal]) -> Decimal {
    goals.iter().map(|goal| goal.weight).sum()
}

/// Every problem of `goals` (by section index) against `template` and the term; empty when
/// they may be submitted.
pub fn check_goals(
    template: &Template,
    term: (Option<CalendarDate>, Option<CalendarDate>),
    goals: &BTreeMap<usize, Vec<Goal>>,
) -> Vec<GoalIssue> {
    let mut issues = Vec::new();
    let hundred = Decimal::from(100);
    for section in goals.keys() {
        let is_goals = template
            .sections
            .get(*section)
            .is_some_and(|s| matches!(s.kind, SectionKind::Goals { .. }));
        if !is_goals {
            issues.push(GoalIssue {
                at: GoalPlace::Section(*section),
                problem: GoalProblem::NotAGoalsSection,
            });
        }
    }
    for (s, section) in template.sections.iter().enumerate() {
        let SectionKind::Goals {
            min_goals,
            max_goals,
        } = section.kind
        else {
            continue;
        };
        let these = goals.get(&s).map(Vec::as_slice).unwrap_or_default();
        let count = these.len() as u32;
        let whole = |problem| GoalIssue {
            at: GoalPlace::Section(s),
            problem,
        };
        if count < min_goals {
            issues.push(whole(GoalProblem::TooFew { min: min_goals }));
        }
        if count > max_goals {
            issues.push(whole(GoalProblem::TooMany { max: max_goals }));
        }
        for (g, goal) in these.iter().enumerate() {
            let here = |problem| GoalIssue {
                at: GoalPlace::Goal {
                    section: s,
                    goal: g,
                },
                problem,
            };
            if goal.title.trim().is_empty() {
                issues.push(here(GoalProblem::TitleMissing));
            }
            if goal.weight <= Decimal::ZERO || goal.weight > hundred {
                issues.push(here(GoalProblem::WeightOutOfRange));
            }
            let before_start =
                matches!((goal.due, term.0), (Some(due), Some(start)) if due < start);
            let after_end = matches!((goal.due, term.1), (Some(due), Some(end)) if due > end);
            if before_start || after_end {
                issues.push(here(GoalProblem::DueOutsideTerm));
            }
        }
        let total = weight_total(these);
        if !these.is_empty() && total != hundred {
            issues.push(whole(GoalProblem::WeightsTotal {
                total: total.normalize(),
            }));
        }
    }
    issues
}

#[cfg(test)]
mod tests {
    use super::*;

    fn goal(title: &str, weight: &str, due: Option<&str>) -> Goal {
        Goal {
            title: title.into(),
            description: String::new(),
            measure: String::new(),
            weight: weight.parse().unwrap(),
            due: due.and_then(CalendarDate::from_iso),
        }
    }

    fn term() -> (Option<CalendarDate>, Option<CalendarDate>) {
        (
            CalendarDate::from_iso("2026-04-01"),
            CalendarDate::from_iso("2026-09-30"),
        )
    }

    /// The starter template: section 0 takes 1 to 5 goals.
    fn problems(goals: Vec<Goal>) -> Vec<GoalIssue> {
        check_goals(&Template::starter(), term(), &BTreeMap::from([(0, goals)]))
    }

    #[test]
    fn goals_that_keep_every_rule_pass() {
        let goals = vec![
            goal("売上 1.2 億円", "50", Some("2026-09-30")),
            goal("新規顧客 10 社", "30.5", None),
            goal("業務改善", "19.5", Some("2026-04-01")),
        ];
        assert_eq!(problems(goals), vec![]);
    }

    #[test]
    fn each_broken_rule_is_named_where_it_is() {
        assert_eq!(
            problems(vec![]),
            vec![GoalIssue {
                at: GoalPlace::Section(0),
                problem: GoalProblem::TooFew { min: 1 }
            }]
        );
        let six = (0..6)
            .map(|n| goal(&format!("目標{n}"), "10", None))
            .collect();
        let found = problems(six);
        assert!(found.contains(&GoalIssue {
            at: GoalPlace::Section(0),
            problem: GoalProblem::TooMany { max: 5 }
        }));
        assert!(found.contains(&GoalIssue {
            at: GoalPlace::Section(0),
            problem: GoalProblem::WeightsTotal {
                total: Decimal::from(60)
            }
        }));
        let found = problems(vec![
            goal(" ", "60", Some("2026-03-31")),
            goal("改善", "0", Some("2026-10-01")),
            goal("育成", "40", None),
        ]);
        let at = |goal| GoalPlace::Goal { section: 0, goal };
        assert_eq!(
            found,
            vec![
                GoalIssue {
                    at: at(0),
                    problem: GoalProblem::TitleMissing
                },
                GoalIssue {
                    at: at(0),
                    problem: GoalProblem::DueOutsideTerm
                },
                GoalIssue {
                    at: at(1),
                    problem: GoalProblem::WeightOutOfRange
                },
                GoalIssue {
                    at: at(1),
                    problem: GoalProblem::DueOutsideTerm
                },
            ]
        );
    }

    #[test]
    fn goals_for_an_items_section_are_refused() {
        let goals = BTreeMap::from([
            (0, vec![goal("売上", "100", None)]),
            (1, vec![goal("紛れ込んだ目標", "100", None)]),
        ]);
        assert_eq!(
            check_goals(&Template::starter(), term(), &goals),
            vec![GoalIssue {
                at: GoalPlace::Section(1),
                problem: GoalProblem::NotAGoalsSection
            }]
        );
    }

    #[test]
    fn the_running_total_is_exact() {
        let goals = vec![
            goal("a", "33.33", None),
            goal("b", "33.33", None),
            goal("c", "33.34", None),
        ];
        assert_eq!(weight_total(&goals), Decimal::from(100));
        assert_eq!(problems(goals), vec![]);
    }
}
