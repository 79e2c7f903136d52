//! The rules of posts, for the employee form and the CSV import alike: an employee has at
//! most one primary department and any number of concurrent ones, manages only departments
//! they hold a post in, and a department has one manager.

use crate::domain::form_field::FormField;
use crate::domain::ids::{DepartmentId, UserId};
use std::collections::HashMap;

/// A post: the employee in a department, primary or concurrent, maybe as its manager.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PostSpec {
    pub department: DepartmentId,
    pub primary: bool,
    pub manager: bool,
}

/// What is wrong with the departments named for one employee.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum PostProblem {
    /// More than one primary department.
    SeveralPrimary,
    /// A department to manage that is neither the primary nor a concurrent one.
    ManagesWithoutPost(DepartmentId),
}

impl PostProblem {
    /// The field (and CSV column) the problem is about.
    pub fn field(&self) -> FormField {
        match self {
            PostProblem::SeveralPrimary => FormField::DepartmentCode,
            PostProblem::ManagesWithoutPost(_) => FormField::ManagesCodes,
        }
    }

    /// The department the problem names, if one.
    pub fn department(&self) -> Option<&DepartmentId> {
        match self {
            PostProblem::SeveralPrimary => None,
            PostProblem::ManagesWithoutPost(department) => Some(department),
        }
    }
}

/// The posts that the named departments make, sorted: the primary one, the concurrent ones
/// (the primary named again there is dropped, as are repeats), each marked as managed where
/// `managed` names it. `primary` holds every department given as primary, so that more
/// than one is a problem rather than silently the first.
pub fn posts_from(
    primary: &[DepartmentId],
    concurrent: &[DepartmentId],
    managed: &[DepartmentId],
) -> Result<Vec<PostSpec>, Vec<PostProblem>> {
    let mut problems = Vec::new();
    if primary.len() > 1 {
        problems.push(PostProblem::SeveralPrimary);
    }
    let primary = primary.first();
    let mut posts: Vec<PostSpec> = Vec::new();
    let departments = primary
        .map(|d| (d, true))
        .into_iter()
        .chain(concurrent.iter().map(|d| (d, false)));
    for (department, is_primary) in departments {
        if !posts.iter().any(|p| &p.department == department) {
            posts.push(PostSpec {
                department: department.clone(),
                primary: is_primary,
                manager: false,
            });
        }
    }
    for department in managed {
        match posts.iter_mut().find(|p| &p.department == department) {
            Some(post) => post.manager = true,
            None => {
                let problem = PostProblem::ManagesWithoutPost(department.clone());
                if !problems.contains(&problem) {
                    problems.push(problem);
                }
            }
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    posts.sort();
    Ok(posts)
}

/// Who manages each department while posts change: a department has one manager. Starts
/// from the stored managers whose posts are kept (the people being rewritten give theirs
/// up); each new claim is granted unless the department is taken.
#[derive(Clone, Debug)]
pub struct ManagerSeats<Claimant> {
    taken: HashMap<DepartmentId, Holder<Claimant>>,
}

/// Who holds a department's manager seat.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Holder<Claimant> {
    /// A stored manager whose posts are not being rewritten.
    Stored(UserId),
    /// An earlier claim in the same change (for the import: its line).
    Claimed(Claimant),
}

impl<Claimant: Clone> ManagerSeats<Claimant> {
    /// `stored` holds every stored manager post as (manager, department); those of users
    /// in `rewritten` do not count, since their posts are replaced.
    pub fn new<'a>(
        stored: impl IntoIterator<Item = (&'a UserId, &'a DepartmentId)>,
        rewritten: impl Fn(&UserId) -> bool,
    ) -> Self {
        let taken = stored
            .into_iter()
            .filter(|(user, _)| !rewritten(user))
            .map(|(user, department)| (department.clone(), Holder::Stored(user.clone())))
            .collect();
        ManagerSeats { taken }
    }

    /// Gives the department's manager seat to `claimant`, or says who holds it.
    pub fn claim(
        &mut self,
        department: &DepartmentId,
        claimant: Claimant,
    ) -> Result<(), Holder<Claimant>> {
        match self.taken.get(department) {
            Some(holder) => Err(holder.clone()),
            None => {
                self.taken
                    .insert(department.clone(), Holder::Claimed(claimant));
                Ok(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(id: &str) -> DepartmentId {
        DepartmentId::from_stored(id.to_owned())
    }

    fn post(id: &str, primary: bool, manager: bool) -> PostSpec {
        PostSpec {
            department: d(id),
            primary,
            manager,
        }
    }

    #[test]
    fn posts_from_the_named_departments() {
        assert_eq!(
            posts_from(&[d("a")], &[d("b"), d("a"), d("b")], &[d("b")]).unwrap(),
            vec![post("a", true, false), post("b", false, true)]
        );
        assert_eq!(posts_from(&[], &[], &[]).unwrap(), vec![]);
        assert_eq!(
            posts_from(&[], &[d("c")], &[d("c")]).unwrap(),
            vec![post("c", false, true)]
        );
    }

    #[test]
    fn one_primary_and_managing_only_within_ones_posts() {
        assert_eq!(
            posts_from(&[d("a"), d("b")], &[], &[]).unwrap_err(),
            vec![PostProblem::SeveralPrimary]
        );
        assert_eq!(
            posts_from(&[d("a")], &[], &[d("x"), d("x")]).unwrap_err(),
            vec![PostProblem::ManagesWithoutPost(d("x"))]
        );
        let problem = PostProblem::ManagesWithoutPost(d("x"));
        assert_eq!(problem.field(), FormField::ManagesCodes);
        let reason = crate::domain::problem::Problem::Post {
            problem,
            code: "S100".into(),
        };
        assert!(reason.reasons().0.contains("S100"));
    }

    #[test]
    fn a_department_has_one_manager() {
        let (alice, bob) = (
            UserId::from_stored("alice".into()),
            UserId::from_stored("bob".into()),
        );
        let (a, b) = (d("a"), d("b"));
        let stored = [(&alice, &a), (&bob, &b)];
        // Bob's posts are rewritten: b is free, a is Alice's.
        let mut seats = ManagerSeats::new(stored, |user| *user == bob);
        assert_eq!(seats.claim(&a, 3), Err(Holder::Stored(alice.clone())));
        assert_eq!(seats.claim(&b, 4), Ok(()));
        assert_eq!(seats.claim(&b, 7), Err(Holder::Claimed(4)));
    }
}
