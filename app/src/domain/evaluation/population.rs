//! Who a period evaluates, and by whom (PRODUCT §4). [`PopulationRule::select`] picks the
//! people from the org chart by their primary department's subtree, grade, employment
//! type and hire date, then adds and removes people by hand; [`propose_chain`] proposes
//! each person's evaluators from the reporting line (1st: their manager; 2nd: the
//! manager's manager; 3rd: the next one up), never the person themself nor anyone twice.
//! Both are pure and fast: the backend loads the facts once (`Candidate`s, the tree and
//! the managers) and the preview and the launch ask these same functions.

use crate::domain::dates::CalendarDate;
use crate::domain::employees::{Managers, manager_of};
use crate::domain::evaluation::Stage;
use crate::domain::ids::{DepartmentId, UserId};
use crate::domain::org_tree::OrgTree;
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};

/// The people a period is for.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PopulationRule {
    /// Departments, each with everything under it; empty: every department.
    pub departments: Vec<DepartmentId>,
    /// 等級; empty: any grade.
    pub grades: Vec<String>,
    /// 雇用区分; empty: any.
    pub employment_types: Vec<String>,
    /// Only people hired on or before this day (a new joiner is evaluated next period).
    pub hired_on_or_before: Option<CalendarDate>,
    /// People added by hand whatever the criteria say.
    pub added: Vec<UserId>,
    /// People left out by hand whatever the criteria say.
    pub excluded: Vec<UserId>,
}

/// What the rule needs to know of one person.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Candidate {
    pub id: UserId,
    /// Deactivated accounts are never evaluated.
    pub deactivated: bool,
    pub primary: Option<DepartmentId>,
    pub grade: Option<String>,
    pub employment_type: Option<String>,
    pub hire_date: Option<CalendarDate>,
}

impl PopulationRule {
    /// Whether the criteria (not the hand-made changes) take `person`.
    fn matches(&self, person: &Candidate, departments: Option<&HashSet<&DepartmentId>>) -> bool {
        let in_departments = match departments {
            None => true,
            Some(set) => person.primary.as_ref().is_some_and(|d| set.contains(d)),
        };
        let listed = |wanted: &[String], value: &Option<String>| {
            wanted.is_empty() || value.as_ref().is_some_and(|v| wanted.contains(v))
        };
        let hired = match self.hired_on_or_before {
            None => true,
            Some(cutoff) => person.hire_date.is_some_and(|date| date <= cutoff),
        };
        in_departments
            && listed(&self.grades, &person.grade)
            && listed(&self.employment_types, &person.employment_type)
            && hired
    }

    /// The people of the period, in the order of `people`: those the criteria take, and
    /// those added by hand, less those excluded by hand; never a deactivated account.
    pub fn select<'a>(&self, tree: &OrgTree, people: &'a [Candidate]) -> Vec<&'a Candidate> {
        let subtrees: Option<HashSet<&DepartmentId>> = (!self.departments.is_empty()).then(|| {
            self.departments
                .iter()
                .flat_map(|top| std::iter::once(top).chain(tree.descendants(top)))
                .collect()
        });
        let added: HashSet<&UserId> = self.added.iter().collect();
        let excluded: HashSet<&UserId> = self.excluded.iter().collect();
        people
            .iter()
            .filter(|person| !person.deactivated && !excluded.contains(&person.id))
            .filter(|person| added.contains(&person.id) || self.matches(person, subtrees.as_ref()))
            .collect()
    }
}

/// The evaluators proposed for `employee` at stages 1..=`stages`: each the manager of the
/// one before, as the reporting line goes up; `None` where the chart has nobody (else).
pub fn propose_chain(
    tree: &OrgTree,
    managers: &Managers,
    primary_department_of: &HashMap<UserId, DepartmentId>,
    employee: &UserId,
    stages: u8,
) -> Vec<Option<UserId>> {
    let mut chain: Vec<Option<UserId>> = Vec::with_capacity(stages as usize);
    let mut below = employee.clone();
    for _ in Stage::all(stages) {
        // Up from the one below, past anyone already in the chain (a manager of two
        // departments on the way) and past the employee.
        let mut next = manager_of(tree, managers, primary_department_of, &below);
        let mut guard = 0;
        while let Some(candidate) = &next {
            let taken = candidate == employee || chain.iter().flatten().any(|c| c == candidate);
            if !taken || guard > primary_department_of.len() {
                break;
            }
            guard += 1;
            next = manager_of(tree, managers, primary_department_of, candidate);
        }
        let next = next.filter(|c| c != employee && !chain.iter().flatten().any(|e| e == c));
        match next {
            Some(evaluator) => {
                below = evaluator.clone();
                chain.push(Some(evaluator));
            }
            None => {
                // Nobody further up: the later stages have nobody either.
                chain.resize(stages as usize, None);
                break;
            }
        }
    }
    chain
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::org_tree::Node;

    fn dept(n: &str) -> DepartmentId {
        DepartmentId::from_stored(format!("d-{n}"))
    }

    fn user(n: &str) -> UserId {
        UserId::from_stored(format!("u-{n}"))
    }

    /// 本社 ─ 営業本部 ─ 東京営業部 ─ 第一課, and 本社 ─ 開発部.
    fn tree() -> OrgTree {
        let node = |id: &str, parent: Option<&str>, order: i64| Node {
            id: dept(id),
            parent: parent.map(dept),
            sort_order: order,
        };
        OrgTree::new(vec![
            node("hq", None, 10),
            node("sales", Some("hq"), 10),
            node("tokyo", Some("sales"), 10),
            node("team1", Some("tokyo"), 10),
            node("dev", Some("hq"), 20),
        ])
        .unwrap()
    }

    fn person(id: &str, primary: &str, grade: &str, hired: &str) -> Candidate {
        Candidate {
            id: user(id),
            deactivated: false,
            primary: Some(dept(primary)),
            grade: Some(grade.into()),
            employment_type: Some("正社員".into()),
            hire_date: CalendarDate::from_iso(hired),
        }
    }

    fn ids(people: Vec<&Candidate>) -> Vec<&str> {
        people.iter().map(|p| p.id.as_str()).collect()
    }

    #[test]
    fn a_population_is_its_subtrees_grades_and_hire_dates_with_changes_by_hand() {
        let mut people = vec![
            person("a", "team1", "G3", "2020-04-01"),
            person("b", "tokyo", "G5", "2026-04-01"),
            person("c", "dev", "G3", "2019-04-01"),
            person("d", "sales", "G3", "2021-10-01"),
            person("e", "hq", "G1", "2010-04-01"),
        ];
        people[3].employment_type = Some("契約社員".into());
        let mut gone = person("f", "team1", "G3", "2018-04-01");
        gone.deactivated = true;
        people.push(gone);
        let tree = tree();
        let mut rule = PopulationRule {
            departments: vec![dept("sales")],
            ..PopulationRule::default()
        };
        assert_eq!(ids(rule.select(&tree, &people)), ["u-a", "u-b", "u-d"]);
        rule.grades = vec!["G3".into()];
        rule.hired_on_or_before = CalendarDate::from_iso("2026-03-31");
        assert_eq!(ids(rule.select(&tree, &people)), ["u-a", "u-d"]);
        rule.employment_types = vec!["正社員".into()];
        assert_eq!(ids(rule.select(&tree, &people)), ["u-a"]);
        // By hand: the newcomer in, the one on leave out; a deactivated account never.
        rule.added = vec![user("b"), user("f")];
        rule.excluded = vec![user("a")];
        assert_eq!(ids(rule.select(&tree, &people)), ["u-b"]);
        // No criteria: everyone active.
        assert_eq!(
            ids(PopulationRule::default().select(&tree, &people)),
            ["u-a", "u-b", "u-c", "u-d", "u-e"]
        );
    }

    #[test]
    fn evaluators_are_proposed_up_the_reporting_line() {
        let tree = tree();
        let managers: Managers = [
            (dept("team1"), user("chief")),
            (dept("tokyo"), user("tokyo-head")),
            (dept("sales"), user("tokyo-head")), // heads both: appears once
            (dept("hq"), user("ceo")),
        ]
        .into_iter()
        .collect();
        let primary: HashMap<UserId, DepartmentId> = [
            (user("a"), dept("team1")),
            (user("chief"), dept("team1")),
            (user("tokyo-head"), dept("tokyo")),
            (user("ceo"), dept("hq")),
            (user("dev1"), dept("dev")),
        ]
        .into_iter()
        .collect();
        let chain =
            |who: &str, stages| propose_chain(&tree, &managers, &primary, &user(who), stages);
        assert_eq!(
            chain("a", 3),
            [
                Some(user("chief")),
                Some(user("tokyo-head")),
                Some(user("ceo"))
            ]
        );
        assert_eq!(
            chain("a", 2),
            [Some(user("chief")), Some(user("tokyo-head"))]
        );
        // The chief's own manager is the head above, never the chief.
        assert_eq!(
            chain("chief", 2),
            [Some(user("tokyo-head")), Some(user("ceo"))]
        );
        // Nobody above the top: the stages stay empty and are listed as problems.
        assert_eq!(chain("ceo", 2), [None, None]);
        assert_eq!(chain("dev1", 2), [Some(user("ceo")), None]);
        // Someone without a primary department gets no proposal.
        assert_eq!(chain("nobody", 1), [None]);
    }
}
