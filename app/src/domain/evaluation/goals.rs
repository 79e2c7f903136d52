//! The rules a sheet's goals keep (目標設定): in each goals section of the template, between
//! its minimum and maximum number of goals, each with a title and a positive weight, the
//! weights totalling exactly 100, each due date inside the term evaluated. [`check_goals`]
//! is the one check: the sheet page shows its answer as one types, the server refuses a
//! submission with it.

use crate::domain::dates::CalendarDate;
use crate::domain::evaluation::sheet::{Goal, GoalLink};
use crate::domain::evaluation::template::{SectionKind, Template};
use crate::domain::ids::GoalId;
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
    /// The upper goal (上位目標) chosen is not one of the 1st evaluator's approved goals.
    UnknownUpperGoal,
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

/// Gives every goal without an id a fresh one (at approval); answers whether any was given.
/// Ids once given stay: the goals below point at them.
pub fn give_goal_ids(
    goals: &mut BTreeMap<usize, Vec<Goal>>,
    mut fresh: impl FnMut() -> GoalId,
) -> bool {
    let mut given = false;
    for goal in goals.values_mut().flatten() {
        if goal.id.is_none() {
            goal.id = Some(fresh());
            given = true;
        }
    }
    given
}

/// Goals as the employee saves them, made to keep the links' rules: an id is kept only if
/// `stored` gave it (and only once), so ids are the server's; a link to one of `upper` is
/// written with the upper goal's title and owner as they are now (`upper`: the approved
/// goals of the 1st evaluator's sheet, each as a link to it), a link already stored
/// kept as it was (the upper goal may have been revised since), and any other link is
/// refused with its place.
pub fn settle_goal_links(
    mut goals: BTreeMap<usize, Vec<Goal>>,
    stored: &BTreeMap<usize, Vec<Goal>>,
    upper: &[GoalLink],
) -> Result<BTreeMap<usize, Vec<Goal>>, GoalIssue> {
    let mut known: Vec<&GoalId> = stored
        .values()
        .flatten()
        .filter_map(|g| g.id.as_ref())
        .collect();
    let stored_links: Vec<&GoalLink> = stored
        .values()
        .flatten()
        .filter_map(|g| g.aligned_to.as_ref())
        .collect();
    for (section, list) in goals.iter_mut() {
        for (n, goal) in list.iter_mut().enumerate() {
            goal.id = goal.id.take().filter(|id| {
                let found = known.iter().position(|k| *k == id);
                found.map(|at| known.remove(at)).is_some()
            });
            let Some(link) = goal.aligned_to.take() else {
                continue;
            };
            let same = |other: &GoalLink| other.sheet == link.sheet && other.goal == link.goal;
            goal.aligned_to = if let Some(up) = upper.iter().find(|u| same(u)) {
                Some(up.clone())
            } else if let Some(kept) = stored_links.iter().find(|l| same(l)) {
                Some((*kept).clone())
            } else {
                return Err(GoalIssue {
                    at: GoalPlace::Goal {
                        section: *section,
                        goal: n,
                    },
                    problem: GoalProblem::UnknownUpperGoal,
                });
            };
        }
    }
    Ok(goals)
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
            id: None,
            aligned_to: None,
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

    fn id(n: u8) -> GoalId {
        GoalId::parse(&format!("01a23858-ddfc-7221-8894-4257928bb9{n:02x}")).unwrap()
    }

    fn link(goal: u8, title: &str) -> GoalLink {
        GoalLink {
            sheet: crate::domain::ids::SheetId::parse("01a23858-ddfc-7221-8894-4257928bb900")
                .unwrap(),
            goal: id(goal),
            title: title.into(),
            owner: "鈴木 一郎".into(),
        }
    }

    #[test]
    fn ids_are_given_once_at_approval_and_kept() {
        let mut goals =
            BTreeMap::from([(0, vec![goal("売上", "60", None), goal("新規", "40", None)])]);
        let mut next = 0;
        let mut fresh = || {
            next += 1;
            id(next)
        };
        assert!(give_goal_ids(&mut goals, &mut fresh));
        assert_eq!(goals[&0][1].id, Some(id(2)));
        // A revision adds a goal: only it gets a new id.
        goals.get_mut(&0).unwrap().push(goal("育成", "0", None));
        assert!(give_goal_ids(&mut goals, &mut fresh));
        assert_eq!(
            goals[&0].iter().map(|g| g.id.clone()).collect::<Vec<_>>(),
            vec![Some(id(1)), Some(id(2)), Some(id(3))]
        );
        assert!(!give_goal_ids(&mut goals, &mut fresh));
    }

    #[test]
    fn links_point_at_the_upper_goals_as_they_are_and_nothing_else() {
        let upper = vec![link(10, "部の売上 12億円")];
        let stored = BTreeMap::from([(
            0,
            vec![Goal {
                id: Some(id(1)),
                aligned_to: Some(link(11, "改定前の部の目標")),
                ..goal("売上", "60", None)
            }],
        )]);
        // The browser sends a stale title and an id of its own making: the server's win.
        let incoming = BTreeMap::from([(
            0,
            vec![
                Goal {
                    id: Some(id(1)),
                    aligned_to: Some(link(10, "書き換えた題名")),
                    ..goal("売上", "60", None)
                },
                Goal {
                    id: Some(id(1)),
                    aligned_to: Some(link(11, "")),
                    ..goal("新規", "40", None)
                },
            ],
        )]);
        let settled = settle_goal_links(incoming, &stored, &upper).unwrap();
        assert_eq!(settled[&0][0].aligned_to, Some(link(10, "部の売上 12億円")));
        assert_eq!(settled[&0][0].id, Some(id(1)));
        // The same id twice: only the first keeps it. A link stored before stays as stored.
        assert_eq!(settled[&0][1].id, None);
        assert_eq!(
            settled[&0][1].aligned_to,
            Some(link(11, "改定前の部の目標"))
        );
        // A goal of somebody else's sheet, or one never approved, is refused where it is.
        let stranger = BTreeMap::from([(
            0,
            vec![
                goal("売上", "100", None),
                Goal {
                    aligned_to: Some(link(12, "他部署の目標")),
                    ..goal("新規", "0", None)
                },
            ],
        )]);
        assert_eq!(
            settle_goal_links(stranger, &stored, &upper),
            Err(GoalIssue {
                at: GoalPlace::Goal {
                    section: 0,
                    goal: 1
                },
                problem: GoalProblem::UnknownUpperGoal
            })
        );
    }
}
