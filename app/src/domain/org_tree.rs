//! The rules of a tenant's org tree (PRODUCT §3): departments form a forest (a tenant can
//! have several 本部), ordered among siblings by `sort_order`. Moves that would make a cycle
//! are refused, and a move renumbers the new siblings 10, 20, 30 … so that later inserts
//! and reorders never run out of room. Pure: the live tree editor and the server both call
//! it, the server before it writes.

use crate::domain::form_field::FormField;
use crate::domain::ids::DepartmentId;
use crate::domain::problem::Problem;
use crate::error::AppError;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// The gap between neighbours' sort orders after a move.
pub const SORT_STEP: i64 = 10;

/// One department as the tree sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct Node {
    pub id: DepartmentId,
    /// `None` for a root (本部).
    pub parent: Option<DepartmentId>,
    /// Position among siblings; ties are broken by id.
    pub sort_order: i64,
}

/// Why a tree cannot be built or a move cannot be made.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum TreeError {
    #[error("department {id} has an unknown parent {parent}")]
    UnknownParent {
        id: DepartmentId,
        parent: DepartmentId,
    },
    #[error("department {id} appears twice")]
    DuplicateId { id: DepartmentId },
    /// The parents given contain a cycle through `id`.
    #[error("the parents form a cycle through department {id}")]
    Cycle { id: DepartmentId },
    #[error("unknown department {id}")]
    UnknownDepartment { id: DepartmentId },
    #[error("a department cannot move under itself or its own sub-departments")]
    WouldCreateCycle,
}

impl From<TreeError> for AppError {
    fn from(error: TreeError) -> Self {
        // An id that vanished is most likely another admin's delete: the editor reloads.
        if matches!(error, TreeError::UnknownDepartment { .. }) {
            return AppError::NotFound;
        }
        AppError::invalid(FormField::ParentId, Problem::Tree(error))
    }
}

/// Why a department cannot be deleted (only an empty one can).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum DeleteRefusal {
    #[error("the department has {count} sub-departments")]
    HasChildren { count: usize },
    #[error("the department has {count} members")]
    HasMembers { count: usize },
    #[error("unknown department {id}")]
    UnknownDepartment { id: DepartmentId },
}

impl From<DeleteRefusal> for AppError {
    fn from(refusal: DeleteRefusal) -> Self {
        if matches!(refusal, DeleteRefusal::UnknownDepartment { .. }) {
            return AppError::NotFound;
        }
        AppError::invalid(FormField::Department, Problem::Delete(refusal))
    }
}

/// A move, checked against the tree: apply it here and store it on the server.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MovePlan {
    pub id: DepartmentId,
    pub new_parent: Option<DepartmentId>,
    /// Every sibling under `new_parent` (the moved one included) whose sort order changes,
    /// with its new value. Siblings already in place are left out, so fewer rows are written
    /// and fewer version conflicts arise between admins.
    pub sort_orders: Vec<(DepartmentId, i64)>,
}

/// The keys of the ARIA tree that move the focused department.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum KeyMove {
    /// One place earlier among its siblings.
    Up,
    /// One place later among its siblings.
    Down,
    /// Become the last child of the previous sibling.
    Indent,
    /// Become the next sibling of the parent.
    Outdent,
}

/// A valid forest of departments: every parent known, no id twice, no cycle.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrgTree {
    nodes: BTreeMap<DepartmentId, Node>,
    /// The roots, sorted by (sort_order, id).
    roots: Vec<(i64, DepartmentId)>,
    /// The children of each department that has some, sorted by (sort_order, id).
    children: BTreeMap<DepartmentId, Vec<(i64, DepartmentId)>>,
}

impl OrgTree {
    /// Checks the nodes and builds the tree. Storage never holds a cycle, but an import can
    /// propose one, so this is where it is refused.
    pub fn new(nodes: Vec<Node>) -> Result<OrgTree, TreeError> {
        let mut by_id = BTreeMap::new();
        for node in nodes {
            if by_id.contains_key(&node.id) {
                return Err(TreeError::DuplicateId { id: node.id });
            }
            by_id.insert(node.id.clone(), node);
        }
        for node in by_id.values() {
            if let Some(parent) = &node.parent
                && !by_id.contains_key(parent)
            {
                return Err(TreeError::UnknownParent {
                    id: node.id.clone(),
                    parent: parent.clone(),
                });
            }
        }
        find_cycle(&by_id)?;
        let mut tree = OrgTree {
            nodes: by_id,
            roots: Vec::new(),
            children: BTreeMap::new(),
        };
        tree.index_children();
        Ok(tree)
    }

    /// All departments, in id order (e.g. to store or rebuild the tree).
    pub fn nodes(&self) -> impl Iterator<Item = &Node> {
        self.nodes.values()
    }

    pub fn get(&self, id: &DepartmentId) -> Option<&Node> {
        self.nodes.get(id)
    }

    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// The children of `parent` (the roots for `None`) in display order.
    pub fn children(&self, parent: Option<&DepartmentId>) -> Vec<&DepartmentId> {
        self.sorted_children(parent)
            .iter()
            .map(|(_, id)| id)
            .collect()
    }

    /// The parent first, up to the root; empty for a root or an unknown id.
    pub fn ancestors(&self, id: &DepartmentId) -> Vec<&DepartmentId> {
        let mut found = Vec::new();
        let mut current = self.nodes.get(id).and_then(|node| node.parent.as_ref());
        while let Some(parent) = current {
            // The tree is acyclic by construction; the bound only guards against a bug.
            if found.len() >= self.nodes.len() {
                break;
            }
            found.push(parent);
            current = self.nodes.get(parent).and_then(|node| node.parent.as_ref());
        }
        found
    }

    /// Everything under `id`, depth-first in display order; empty for an unknown id.
    pub fn descendants(&self, id: &DepartmentId) -> Vec<&DepartmentId> {
        let mut found = Vec::new();
        // An explicit stack: a deep chart must not overflow the (small, in wasm) call stack.
        let mut stack: Vec<&DepartmentId> = self.children(Some(id)).into_iter().rev().collect();
        while let Some(next) = stack.pop() {
            found.push(next);
            stack.extend(self.children(Some(next)).into_iter().rev());
        }
        found
    }

    /// Whether `candidate` is strictly under `of` (a department is not its own descendant).
    pub fn is_descendant(&self, candidate: &DepartmentId, of: &DepartmentId) -> bool {
        self.ancestors(candidate).contains(&of)
    }

    /// 0 for a root; `None` for an unknown id.
    pub fn depth(&self, id: &DepartmentId) -> Option<usize> {
        self.nodes.get(id).map(|_| self.ancestors(id).len())
    }

    /// Plans moving `id` under `new_parent` (a root for `None`) at `index` among its new
    /// siblings, counted after the move and clamped to the end. Reordering is a move to the
    /// same parent.
    pub fn plan_move(
        &self,
        id: &DepartmentId,
        new_parent: Option<&DepartmentId>,
        index: usize,
    ) -> Result<MovePlan, TreeError> {
        let moved = self
            .nodes
            .get(id)
            .ok_or_else(|| TreeError::UnknownDepartment { id: id.clone() })?;
        if let Some(parent) = new_parent {
            if !self.nodes.contains_key(parent) {
                return Err(TreeError::UnknownDepartment { id: parent.clone() });
            }
            if parent == id || self.is_descendant(parent, id) {
                return Err(TreeError::WouldCreateCycle);
            }
        }

        let mut siblings: Vec<(&DepartmentId, i64)> = self
            .sorted_children(new_parent)
            .iter()
            .filter(|(_, sibling)| sibling != id)
            .map(|(order, sibling)| (sibling, *order))
            .collect();
        siblings.insert(index.min(siblings.len()), (&moved.id, moved.sort_order));

        let mut sort_orders = Vec::new();
        let mut wanted = 0_i64;
        for (sibling, current) in siblings {
            wanted = wanted.saturating_add(SORT_STEP);
            if current != wanted {
                sort_orders.push((sibling.clone(), wanted));
            }
        }
        Ok(MovePlan {
            id: id.clone(),
            new_parent: new_parent.cloned(),
            sort_orders,
        })
    }

    /// Plans the move a key asks for; `None` when it cannot move that way (Up on the first
    /// child, Down on the last, Indent without a previous sibling, Outdent of a root).
    pub fn plan_key_move(
        &self,
        id: &DepartmentId,
        key: KeyMove,
    ) -> Result<Option<MovePlan>, TreeError> {
        let node = self
            .nodes
            .get(id)
            .ok_or_else(|| TreeError::UnknownDepartment { id: id.clone() })?;
        let parent = node.parent.as_ref();
        let siblings = self.children(parent);
        // Present by construction; the fallback only keeps this free of panics.
        let Some(position) = siblings.iter().position(|sibling| *sibling == id) else {
            return Ok(None);
        };
        let plan = match key {
            KeyMove::Up if position > 0 => Some(self.plan_move(id, parent, position - 1)?),
            KeyMove::Down if position + 1 < siblings.len() => {
                Some(self.plan_move(id, parent, position + 1)?)
            }
            KeyMove::Indent if position > 0 => {
                Some(self.plan_move(id, Some(siblings[position - 1]), usize::MAX)?)
            }
            KeyMove::Outdent => match parent.and_then(|parent| self.nodes.get(parent)) {
                Some(parent_node) => {
                    let grandparent = parent_node.parent.as_ref();
                    let parent_position = self
                        .children(grandparent)
                        .iter()
                        .position(|uncle| *uncle == &parent_node.id)
                        .unwrap_or(usize::MAX);
                    Some(self.plan_move(id, grandparent, parent_position.saturating_add(1))?)
                }
                None => None,
            },
            KeyMove::Up | KeyMove::Down | KeyMove::Indent => None,
        };
        Ok(plan)
    }

    /// Applies a plan made by [`OrgTree::plan_move`] on this tree. A plan that no longer
    /// fits (made before another change, e.g. another admin's move) is ignored and the tree
    /// stays valid; use [`OrgTree::try_apply`] to learn about it.
    pub fn apply(&mut self, plan: &MovePlan) {
        // Ignoring is safe: the tree is unchanged, and the server refuses the same plan.
        let _ = self.try_apply(plan);
    }

    /// Applies a plan after checking it still keeps the tree valid.
    pub fn try_apply(&mut self, plan: &MovePlan) -> Result<(), TreeError> {
        if !self.nodes.contains_key(&plan.id) {
            return Err(TreeError::UnknownDepartment {
                id: plan.id.clone(),
            });
        }
        if let Some(parent) = &plan.new_parent {
            if !self.nodes.contains_key(parent) {
                return Err(TreeError::UnknownDepartment { id: parent.clone() });
            }
            if *parent == plan.id || self.is_descendant(parent, &plan.id) {
                return Err(TreeError::WouldCreateCycle);
            }
        }
        if let Some((unknown, _)) = plan
            .sort_orders
            .iter()
            .find(|(id, _)| !self.nodes.contains_key(id))
        {
            return Err(TreeError::UnknownDepartment {
                id: unknown.clone(),
            });
        }

        if let Some(node) = self.nodes.get_mut(&plan.id) {
            node.parent = plan.new_parent.clone();
        }
        for (id, order) in &plan.sort_orders {
            if let Some(node) = self.nodes.get_mut(id) {
                node.sort_order = *order;
            }
        }
        self.index_children();
        Ok(())
    }

    /// Only an empty department can be deleted: no sub-departments, no members.
    /// `member_count` counts primary and concurrent (兼務) members; the caller knows them.
    pub fn can_delete(&self, id: &DepartmentId, member_count: usize) -> Result<(), DeleteRefusal> {
        if !self.nodes.contains_key(id) {
            return Err(DeleteRefusal::UnknownDepartment { id: id.clone() });
        }
        let children = self.sorted_children(Some(id)).len();
        if children > 0 {
            return Err(DeleteRefusal::HasChildren { count: children });
        }
        if member_count > 0 {
            return Err(DeleteRefusal::HasMembers {
                count: member_count,
            });
        }
        Ok(())
    }

    fn sorted_children(&self, parent: Option<&DepartmentId>) -> &[(i64, DepartmentId)] {
        match parent {
            None => &self.roots,
            Some(parent) => self.children.get(parent).map_or(&[], Vec::as_slice),
        }
    }

    /// Rebuilds the sibling lists from the nodes (after building or a move).
    fn index_children(&mut self) {
        let mut roots = Vec::new();
        let mut children: BTreeMap<DepartmentId, Vec<(i64, DepartmentId)>> = BTreeMap::new();
        for node in self.nodes.values() {
            let entry = (node.sort_order, node.id.clone());
            match &node.parent {
                None => roots.push(entry),
                Some(parent) => children.entry(parent.clone()).or_default().push(entry),
            }
        }
        // (sort_order, id): equal sort orders (old data, imports) still give a stable order.
        roots.sort();
        for list in children.values_mut() {
            list.sort();
        }
        self.roots = roots;
        self.children = children;
    }
}

/// Refuses parents that loop. Every parent is known at this point.
fn find_cycle(nodes: &BTreeMap<DepartmentId, Node>) -> Result<(), TreeError> {
    // Departments already known to lead up to a root: each is walked over once in all.
    let mut rooted: BTreeSet<&DepartmentId> = BTreeSet::new();
    for start in nodes.keys() {
        let mut path: BTreeSet<&DepartmentId> = BTreeSet::new();
        let mut current = Some(start);
        while let Some(id) = current {
            if rooted.contains(id) {
                break;
            }
            if !path.insert(id) {
                return Err(TreeError::Cycle { id: id.clone() });
            }
            current = nodes.get(id).and_then(|node| node.parent.as_ref());
        }
        rooted.extend(path);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(name: &str) -> DepartmentId {
        DepartmentId::from_stored(name.to_owned())
    }

    fn node(name: &str, parent: Option<&str>, sort_order: i64) -> Node {
        Node {
            id: id(name),
            parent: parent.map(id),
            sort_order,
        }
    }

    fn names(ids: Vec<&DepartmentId>) -> Vec<&str> {
        ids.into_iter().map(DepartmentId::as_str).collect()
    }

    /// 本部A (a) ─ a1, a2 (─ a21, a22), a3; 本部B (b) ─ b1.
    fn sample() -> OrgTree {
        let built = OrgTree::new(vec![
            node("a", None, 10),
            node("b", None, 20),
            node("a1", Some("a"), 10),
            node("a2", Some("a"), 20),
            node("a3", Some("a"), 30),
            node("a21", Some("a2"), 10),
            node("a22", Some("a2"), 20),
            node("b1", Some("b"), 10),
        ]);
        match built {
            Ok(tree) => tree,
            Err(error) => panic!("sample tree: {error}"),
        }
    }

    fn moved(tree: &OrgTree, name: &str, parent: Option<&str>, index: usize) -> OrgTree {
        let mut after = tree.clone();
        let plan = tree
            .plan_move(&id(name), parent.map(id).as_ref(), index)
            .expect("move allowed");
        after.try_apply(&plan).expect("plan applies");
        after
    }

    fn orders(plan: &MovePlan) -> Vec<(&str, i64)> {
        plan.sort_orders
            .iter()
            .map(|(id, order)| (id.as_str(), *order))
            .collect()
    }

    #[test]
    fn building_refuses_unknown_parents_duplicates_and_cycles() {
        assert_eq!(
            OrgTree::new(vec![node("a", None, 0), node("b", Some("x"), 0)]),
            Err(TreeError::UnknownParent {
                id: id("b"),
                parent: id("x"),
            })
        );
        assert_eq!(
            OrgTree::new(vec![node("a", None, 0), node("a", None, 1)]),
            Err(TreeError::DuplicateId { id: id("a") })
        );
        assert!(matches!(
            OrgTree::new(vec![node("a", Some("a"), 0)]),
            Err(TreeError::Cycle { .. })
        ));
        assert!(matches!(
            OrgTree::new(vec![
                node("r", None, 0),
                node("a", Some("c"), 0),
                node("b", Some("a"), 0),
                node("c", Some("b"), 0),
                node("d", Some("c"), 0),
            ]),
            Err(TreeError::Cycle { .. })
        ));
        assert!(OrgTree::new(Vec::new()).is_ok_and(|tree| tree.is_empty()));
        assert_eq!(sample().len(), 8);
    }

    #[test]
    fn children_come_in_sort_order_with_ties_broken_by_id() {
        let tree = OrgTree::new(vec![
            node("p", None, 0),
            node("c", Some("p"), 5),
            node("b", Some("p"), 5),
            node("a", Some("p"), 9),
            node("d", Some("p"), -1),
            node("q", None, 0),
        ])
        .expect("valid");
        assert_eq!(names(tree.children(Some(&id("p")))), ["d", "b", "c", "a"]);
        assert_eq!(names(tree.children(None)), ["p", "q"]);
        assert!(tree.children(Some(&id("d"))).is_empty());
        assert!(tree.children(Some(&id("unknown"))).is_empty());
    }

    #[test]
    fn ancestors_descendants_and_depth() {
        let tree = sample();
        assert_eq!(names(tree.ancestors(&id("a21"))), ["a2", "a"]);
        assert!(tree.ancestors(&id("a")).is_empty());
        assert_eq!(
            names(tree.descendants(&id("a"))),
            ["a1", "a2", "a21", "a22", "a3"]
        );
        assert!(tree.descendants(&id("a3")).is_empty());
        assert!(tree.is_descendant(&id("a22"), &id("a")));
        assert!(tree.is_descendant(&id("a22"), &id("a2")));
        assert!(!tree.is_descendant(&id("a"), &id("a")));
        assert!(!tree.is_descendant(&id("a"), &id("a22")));
        assert!(!tree.is_descendant(&id("b1"), &id("a")));
        assert_eq!(tree.depth(&id("a")), Some(0));
        assert_eq!(tree.depth(&id("a2")), Some(1));
        assert_eq!(tree.depth(&id("a22")), Some(2));
        assert_eq!(tree.depth(&id("unknown")), None);
    }

    #[test]
    fn moving_under_itself_or_its_descendants_is_refused() {
        let tree = sample();
        for target in ["a", "a2", "a21"] {
            assert_eq!(
                tree.plan_move(&id("a"), Some(&id(target)), 0),
                Err(TreeError::WouldCreateCycle),
                "a under {target}"
            );
        }
        assert_eq!(
            tree.plan_move(&id("zz"), None, 0),
            Err(TreeError::UnknownDepartment { id: id("zz") })
        );
        assert_eq!(
            tree.plan_move(&id("a1"), Some(&id("zz")), 0),
            Err(TreeError::UnknownDepartment { id: id("zz") })
        );
    }

    #[test]
    fn a_root_moves_under_another_root_with_its_subtree() {
        let tree = sample();
        let plan = tree
            .plan_move(&id("b"), Some(&id("a")), 1)
            .expect("allowed");
        assert_eq!(plan.new_parent, Some(id("a")));
        // New order a1, b, a2, a3: a1 keeps 10 and b happens to have 20 already.
        assert_eq!(orders(&plan), [("a2", 30), ("a3", 40)]);
        let after = moved(&tree, "b", Some("a"), 1);
        assert_eq!(names(after.children(None)), ["a"]);
        assert_eq!(
            names(after.children(Some(&id("a")))),
            ["a1", "b", "a2", "a3"]
        );
        assert_eq!(names(after.ancestors(&id("b1"))), ["b", "a"]);
        // And back out to be a root again, first.
        let back = moved(&after, "b", None, 0);
        assert_eq!(names(back.children(None)), ["b", "a"]);
        assert_eq!(names(back.children(Some(&id("a")))), ["a1", "a2", "a3"]);
    }

    #[test]
    fn reordering_within_a_parent_renumbers_only_what_changes() {
        let tree = sample();
        // To the front.
        let plan = tree.plan_move(&id("a3"), Some(&id("a")), 0).expect("ok");
        assert_eq!(orders(&plan), [("a3", 10), ("a1", 20), ("a2", 30)]);
        // Into the middle.
        let plan = tree.plan_move(&id("a1"), Some(&id("a")), 1).expect("ok");
        assert_eq!(orders(&plan), [("a2", 10), ("a1", 20)]);
        assert_eq!(
            names(moved(&tree, "a1", Some("a"), 1).children(Some(&id("a")))),
            ["a2", "a1", "a3"]
        );
        // Past the end: clamped to last.
        let plan = tree.plan_move(&id("a1"), Some(&id("a")), 99).expect("ok");
        assert_eq!(orders(&plan), [("a2", 10), ("a3", 20), ("a1", 30)]);
        assert_eq!(
            names(moved(&tree, "a1", Some("a"), 99).children(Some(&id("a")))),
            ["a2", "a3", "a1"]
        );
        // Where it already is: nothing to write.
        let plan = tree.plan_move(&id("a2"), Some(&id("a")), 1).expect("ok");
        assert!(plan.sort_orders.is_empty());
    }

    #[test]
    fn sort_orders_become_10_20_30_from_any_numbering() {
        let tree = OrgTree::new(vec![
            node("p", None, 0),
            node("x", Some("p"), 10),
            node("y", Some("p"), 20),
            node("z", Some("p"), 25),
            node("w", Some("p"), 40),
        ])
        .expect("valid");
        // x, y, w, z: x and y already have 10 and 20, so they are left out.
        let plan = tree.plan_move(&id("z"), Some(&id("p")), 3).expect("ok");
        assert_eq!(orders(&plan), [("w", 30), ("z", 40)]);

        // Ties (old data, imports) are ordered by id, then spread out.
        let tied = OrgTree::new(vec![
            node("p", None, 0),
            node("y", Some("p"), 3),
            node("x", Some("p"), 3),
            node("z", Some("p"), 3),
        ])
        .expect("valid");
        let plan = tied.plan_move(&id("z"), Some(&id("p")), 0).expect("ok");
        assert_eq!(orders(&plan), [("z", 10), ("x", 20), ("y", 30)]);
        let after = moved(&tied, "z", Some("p"), 0);
        let numbers: Vec<i64> = after
            .children(Some(&id("p")))
            .into_iter()
            .filter_map(|child| after.get(child).map(|node| node.sort_order))
            .collect();
        assert_eq!(numbers, [10, 20, 30]);
    }

    #[test]
    fn key_moves() {
        let tree = sample();
        let key = |name: &str, key: KeyMove| tree.plan_key_move(&id(name), key).expect("known");

        // Up / Down among siblings.
        let up = key("a2", KeyMove::Up).expect("possible");
        assert_eq!(
            (up.new_parent.clone(), orders(&up)),
            (Some(id("a")), vec![("a2", 10), ("a1", 20)])
        );
        assert_eq!(key("a1", KeyMove::Up), None);
        let down = key("a2", KeyMove::Down).expect("possible");
        assert_eq!(orders(&down), [("a3", 20), ("a2", 30)]);
        assert_eq!(key("a3", KeyMove::Down), None);
        assert_eq!(key("b", KeyMove::Down), None);
        assert!(key("a", KeyMove::Down).is_some(), "roots reorder too");

        // Indent: last child of the previous sibling.
        let indent = key("a3", KeyMove::Indent).expect("possible");
        assert_eq!(indent.new_parent, Some(id("a2")));
        // Third child of a2, and its 30 is already right: only the parent changes.
        assert!(indent.sort_orders.is_empty());
        let mut after = tree.clone();
        after.apply(&indent);
        assert_eq!(names(after.children(Some(&id("a2")))), ["a21", "a22", "a3"]);
        assert_eq!(key("a1", KeyMove::Indent), None);
        assert_eq!(key("a", KeyMove::Indent), None);
        let root_indent = key("b", KeyMove::Indent).expect("possible");
        assert_eq!(root_indent.new_parent, Some(id("a")));

        // Outdent: next sibling of the parent.
        let outdent = key("a21", KeyMove::Outdent).expect("possible");
        assert_eq!(outdent.new_parent, Some(id("a")));
        let mut after = tree.clone();
        after.apply(&outdent);
        assert_eq!(
            names(after.children(Some(&id("a")))),
            ["a1", "a2", "a21", "a3"]
        );
        let to_root = key("a1", KeyMove::Outdent).expect("possible");
        let mut after = tree.clone();
        after.apply(&to_root);
        assert_eq!(names(after.children(None)), ["a", "a1", "b"]);
        assert_eq!(key("a", KeyMove::Outdent), None);
        assert_eq!(key("b", KeyMove::Outdent), None);

        assert_eq!(
            tree.plan_key_move(&id("zz"), KeyMove::Up),
            Err(TreeError::UnknownDepartment { id: id("zz") })
        );
    }

    #[test]
    fn a_stale_plan_is_refused_and_leaves_the_tree_alone() {
        let tree = sample();
        // E.g. planned before another admin's move made a21 a descendant of a.
        let stale = MovePlan {
            id: id("a"),
            new_parent: Some(id("a21")),
            sort_orders: vec![(id("a"), 10)],
        };
        let mut after = tree.clone();
        assert_eq!(after.try_apply(&stale), Err(TreeError::WouldCreateCycle));
        after.apply(&stale);
        assert_eq!(after, tree);
    }

    #[test]
    fn only_empty_departments_can_be_deleted() {
        let tree = sample();
        assert_eq!(
            tree.can_delete(&id("a2"), 0),
            Err(DeleteRefusal::HasChildren { count: 2 })
        );
        assert_eq!(
            tree.can_delete(&id("a2"), 5),
            Err(DeleteRefusal::HasChildren { count: 2 })
        );
        assert_eq!(
            tree.can_delete(&id("a1"), 3),
            Err(DeleteRefusal::HasMembers { count: 3 })
        );
        assert_eq!(tree.can_delete(&id("a1"), 0), Ok(()));
        assert_eq!(
            tree.can_delete(&id("zz"), 0),
            Err(DeleteRefusal::UnknownDepartment { id: id("zz") })
        );
    }

    #[test]
    fn every_reason_is_given_in_both_languages() {
        let errors = [
            TreeError::UnknownParent {
                id: id("a"),
                parent: id("b"),
            },
            TreeError::DuplicateId { id: id("a") },
            TreeError::Cycle { id: id("a") },
            TreeError::UnknownDepartment { id: id("a") },
            TreeError::WouldCreateCycle,
        ];
        for error in errors {
            let (ja, en) = Problem::Tree(error.clone()).reasons();
            assert!(!ja.is_empty() && !en.is_empty(), "{error:?}");
        }
        let (ja, en) = Problem::Delete(DeleteRefusal::HasChildren { count: 3 }).reasons();
        assert!(
            ja.contains("3件") && en.contains("3 sub-departments"),
            "{ja} / {en}"
        );
        let (ja, en) = Problem::Delete(DeleteRefusal::HasMembers { count: 1 }).reasons();
        assert!(
            ja.contains("1名") && en.contains("1 employee belongs"),
            "{ja} / {en}"
        );
        assert_eq!(
            AppError::from(TreeError::UnknownDepartment { id: id("a") }),
            AppError::NotFound
        );
        assert!(matches!(
            AppError::from(TreeError::WouldCreateCycle),
            AppError::Invalid { .. }
        ));
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        /// A random forest: node i's parent is an earlier node or none, so it is valid by
        /// construction; sort orders are small so that ties are common.
        fn forest() -> impl Strategy<Value = Vec<Node>> {
            prop::collection::vec((prop::option::of(any::<usize>()), 0_i64..4), 1..=40).prop_map(
                |seeds| {
                    seeds
                        .into_iter()
                        .enumerate()
                        .map(|(i, (parent, sort_order))| Node {
                            id: id(&format!("d{i:02}")),
                            parent: parent
                                .filter(|_| i > 0)
                                .map(|p| id(&format!("d{:02}", p % i))),
                            sort_order,
                        })
                        .collect()
                },
            )
        }

        /// (node, new parent or none, index), as seeds reduced modulo the node count.
        fn moves() -> impl Strategy<Value = Vec<(usize, Option<usize>, usize)>> {
            prop::collection::vec(
                (
                    any::<usize>(),
                    prop::option::of(any::<usize>()),
                    0_usize..45,
                ),
                0..30,
            )
        }

        /// Whether `candidate` is `of` or under it, by walking parents (independent of
        /// the tree's own `is_descendant`).
        fn naive_at_or_under(tree: &OrgTree, candidate: &DepartmentId, of: &DepartmentId) -> bool {
            let mut current = Some(candidate.clone());
            let mut steps = 0;
            while let Some(here) = current {
                if here == *of {
                    return true;
                }
                steps += 1;
                assert!(steps <= tree.len(), "parent chain longer than the tree");
                current = tree.get(&here).and_then(|node| node.parent.clone());
            }
            false
        }

        proptest! {
            #[test]
            fn moves_keep_the_forest_valid(nodes in forest(), moves in moves()) {
                let count = nodes.len();
                let ids: Vec<DepartmentId> = nodes.iter().map(|node| node.id.clone()).collect();
                let mut tree = OrgTree::new(nodes).expect("generated forest is valid");
                // Sibling groups a move renumbered: those stay strictly increasing.
                let mut renumbered: BTreeSet<Option<DepartmentId>> = BTreeSet::new();

                for (node_seed, parent_seed, index) in moves {
                    let moving = &ids[node_seed % count];
                    let parent = parent_seed.map(|seed| ids[seed % count].clone());
                    let old_parent = tree.get(moving).and_then(|node| node.parent.clone());
                    let old_siblings: Vec<DepartmentId> = tree
                        .children(old_parent.as_ref())
                        .into_iter()
                        .filter(|sibling| *sibling != moving)
                        .cloned()
                        .collect();
                    let cycle = parent
                        .as_ref()
                        .is_some_and(|parent| naive_at_or_under(&tree, parent, moving));

                    match tree.plan_move(moving, parent.as_ref(), index) {
                        Err(error) => {
                            prop_assert!(cycle, "refused without a cycle: {error:?}");
                            prop_assert_eq!(error, TreeError::WouldCreateCycle);
                            continue;
                        }
                        Ok(plan) => {
                            prop_assert!(!cycle, "a cycle was allowed");
                            prop_assert_eq!(tree.try_apply(&plan), Ok(()));
                        }
                    }
                    renumbered.insert(parent.clone());

                    // Rebuilding from the nodes succeeds: no cycle, no unknown parent.
                    let rebuilt = OrgTree::new(tree.nodes().cloned().collect());
                    prop_assert!(rebuilt.is_ok(), "{:?}", rebuilt);
                    prop_assert_eq!(tree.len(), count);
                    // Every node reachable from a root.
                    let reachable: usize = tree
                        .children(None)
                        .into_iter()
                        .map(|root| 1 + tree.descendants(root).len())
                        .sum();
                    prop_assert_eq!(reachable, count);

                    // The moved node sits where asked, among siblings numbered 10, 20, 30 …
                    let siblings = tree.children(parent.as_ref());
                    let at = siblings.iter().position(|sibling| *sibling == moving);
                    prop_assert_eq!(at, Some(index.min(siblings.len() - 1)));
                    let numbers: Vec<i64> = siblings
                        .iter()
                        .filter_map(|sibling| tree.get(sibling).map(|node| node.sort_order))
                        .collect();
                    let expected: Vec<i64> = (1..=siblings.len() as i64).map(|i| i * 10).collect();
                    prop_assert_eq!(numbers, expected);

                    // The siblings left behind keep their relative order.
                    if old_parent != parent {
                        let left: Vec<DepartmentId> =
                            tree.children(old_parent.as_ref()).into_iter().cloned().collect();
                        prop_assert_eq!(left, old_siblings);
                    }

                    for group in &renumbered {
                        let numbers: Vec<i64> = tree
                            .children(group.as_ref())
                            .into_iter()
                            .filter_map(|sibling| tree.get(sibling).map(|node| node.sort_order))
                            .collect();
                        prop_assert!(
                            numbers.windows(2).all(|pair| pair[0] < pair[1]),
                            "siblings of {:?} not strictly increasing: {:?}", group, numbers
                        );
                    }
                }
            }

            #[test]
            fn key_moves_keep_the_forest_valid(
                nodes in forest(),
                keys in prop::collection::vec((any::<usize>(), 0_usize..4), 0..30),
            ) {
                let count = nodes.len();
                let ids: Vec<DepartmentId> = nodes.iter().map(|node| node.id.clone()).collect();
                let mut tree = OrgTree::new(nodes).expect("generated forest is valid");
                for (node_seed, key_seed) in keys {
                    let key = [KeyMove::Up, KeyMove::Down, KeyMove::Indent, KeyMove::Outdent][key_seed];
                    let plan = tree.plan_key_move(&ids[node_seed % count], key);
                    prop_assert!(plan.is_ok(), "{:?}", plan);
                    if let Ok(Some(plan)) = plan {
                        prop_assert_eq!(tree.try_apply(&plan), Ok(()));
                    }
                    let rebuilt = OrgTree::new(tree.nodes().cloned().collect());
                    prop_assert!(rebuilt.is_ok(), "{:?}", rebuilt);
                    prop_assert_eq!(tree.len(), count);
                }
            }
        }
    }
}
