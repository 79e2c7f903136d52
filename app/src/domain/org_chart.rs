//! The org chart as the pages see it, shared by server and browser: the departments with
//! their managers and member counts, the live events that keep a browser's copy current,
//! and the browser-side model that applies them, flattens the visible rows of the tree
//! (for the virtualized ARIA tree) and searches by code or name.

use crate::domain::account_status::AccountStatus;
use crate::domain::codes::normalize;
use crate::domain::codes::{DepartmentCode, EmployeeCode};
use crate::domain::ids::{DepartmentId, UserId};
use crate::domain::org_tree::{MovePlan, Node, OrgTree};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashSet};

/// A person named on a page: id for the link, name to read.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct PersonRef {
    pub id: UserId,
    #[cfg_attr(feature = "ssr", sqlx(rename = "display_name"))]
    pub name: String,
    pub employee_code: Option<EmployeeCode>,
}

impl PersonRef {
    /// What names the person in a message about a list of codes: the employee code, else
    /// the name.
    pub fn code_or_name(&self) -> String {
        match &self.employee_code {
            Some(code) => code.as_str().to_string(),
            None => self.name.clone(),
        }
    }
}

/// One department with what the tree shows of it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DepartmentNode {
    pub id: DepartmentId,
    pub code: DepartmentCode,
    pub name: String,
    pub parent: Option<DepartmentId>,
    pub sort_order: i64,
    /// Bumped by every change of this department; an edit based on an older one is refused.
    pub version: i64,
    pub manager: Option<PersonRef>,
    /// Primary and concurrent (兼務) posts in this department.
    pub members: i64,
}

/// The whole chart of a tenant at one revision.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgChart {
    pub departments: Vec<DepartmentNode>,
    /// The tenant's org revision this chart was read at.
    pub revision: i64,
    /// Whether the reader may edit (system or organization admin).
    pub can_edit: bool,
}

/// One member of a department, as its member list shows them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    pub person: PersonRef,
    pub kana: Option<String>,
    pub job_title: Option<String>,
    /// The primary post (主所属); otherwise a concurrent one (兼務).
    pub primary: bool,
    pub manager: bool,
    pub status: AccountStatus,
}

/// A page of a department's members: managers first, then primary, then concurrent posts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberPage {
    pub members: Vec<Member>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

/// What the live stream tells a browser after each committed change.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum OrgEvent {
    /// These departments are now as given; those in `removed` are gone.
    Changed {
        revision: i64,
        departments: Vec<DepartmentNode>,
        removed: Vec<DepartmentId>,
    },
    /// Too much changed at once (an import), or events were missed: load the chart again.
    Reload { revision: i64 },
    /// The first event of every stream: the chart's revision as the stream starts. A
    /// browser whose chart is older (a change committed between loading the chart and
    /// subscribing, or while reconnecting) loads it again.
    Current { revision: i64 },
}

impl OrgEvent {
    pub fn revision(&self) -> i64 {
        match self {
            OrgEvent::Changed { revision, .. }
            | OrgEvent::Reload { revision }
            | OrgEvent::Current { revision } => *revision,
        }
    }
}

/// One row of the tree as displayed: for `aria-level`, `aria-posinset`, `aria-setsize`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VisibleRow {
    pub id: DepartmentId,
    /// 0 for a root.
    pub depth: usize,
    /// 1-based position among its siblings.
    pub position: usize,
    pub set_size: usize,
    pub has_children: bool,
    pub expanded: bool,
}

/// Whether an event could be applied.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Applied {
    /// Applied, or already contained in this model.
    Current,
    /// The model cannot follow (a missed event, a reload request, inconsistent data):
    /// fetch the chart again.
    NeedsReload,
    /// Kept for later: this browser's own edits are being saved (see
    /// [`ChartModel::hold_events`]).
    Held,
}

/// A browser's copy of the chart.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChartModel {
    nodes: BTreeMap<DepartmentId, DepartmentNode>,
    tree: OrgTree,
    revision: i64,
    can_edit: bool,
    /// Events that came while this browser's own moves were being saved, in order.
    held: Option<Vec<OrgEvent>>,
}

fn tree_of(nodes: &BTreeMap<DepartmentId, DepartmentNode>) -> Option<OrgTree> {
    OrgTree::new(
        nodes
            .values()
            .map(|node| Node {
                id: node.id.clone(),
                parent: node.parent.clone(),
                sort_order: node.sort_order,
            })
            .collect(),
    )
    .ok()
}

impl ChartModel {
    /// Builds the model; `None` only if the chart is inconsistent (never from the server).
    pub fn new(chart: OrgChart) -> Option<ChartModel> {
        let nodes: BTreeMap<_, _> = chart
            .departments
            .into_iter()
            .map(|node| (node.id.clone(), node))
            .collect();
        let tree = tree_of(&nodes)?;
        Some(ChartModel {
            nodes,
            tree,
            revision: chart.revision,
            can_edit: chart.can_edit,
            held: None,
        })
    }

    /// Keeps live events for later while this browser's moves are shown but not all saved.
    /// The event of the first of several quick moves would otherwise put the department
    /// back where that move left it, and the next key would be planned from there (a
    /// quick Alt+↓ ↑ ↓ lost its last ↓).
    pub fn hold_events(&mut self) {
        self.held.get_or_insert_with(Vec::new);
    }

    pub fn is_holding_events(&self) -> bool {
        self.held.is_some()
    }

    /// Applies the events kept since [`ChartModel::hold_events`], in order: once every move
    /// is saved they end where the moves did (or where someone else's change put them).
    pub fn release_events(&mut self) -> Applied {
        let mut outcome = Applied::Current;
        for event in self.held.take().unwrap_or_default() {
            if self.apply(&event) == Applied::NeedsReload {
                outcome = Applied::NeedsReload;
            }
        }
        outcome
    }

    pub fn revision(&self) -> i64 {
        self.revision
    }

    pub fn can_edit(&self) -> bool {
        self.can_edit
    }

    pub fn tree(&self) -> &OrgTree {
        &self.tree
    }

    pub fn get(&self, id: &DepartmentId) -> Option<&DepartmentNode> {
        self.nodes.get(id)
    }

    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// Applies a live event (or keeps it, see [`ChartModel::hold_events`]). A reload
    /// request always reloads; changes at or below this
    /// model's revision are already in it; the next revision applies; a gap means one was
    /// missed.
    pub fn apply(&mut self, event: &OrgEvent) -> Applied {
        if let Some(held) = &mut self.held {
            held.push(event.clone());
            return Applied::Held;
        }
        let (revision, departments, removed) = match event {
            OrgEvent::Changed {
                revision,
                departments,
                removed,
            } => (revision, departments, removed),
            OrgEvent::Current { revision } if *revision <= self.revision => {
                return Applied::Current;
            }
            OrgEvent::Current { .. } | OrgEvent::Reload { .. } => return Applied::NeedsReload,
        };
        let revision = *revision;
        if revision <= self.revision {
            return Applied::Current;
        }
        if revision != self.revision + 1 {
            return Applied::NeedsReload;
        }
        let mut nodes = self.nodes.clone();
        for id in removed {
            nodes.remove(id);
        }
        for node in departments {
            nodes.insert(node.id.clone(), node.clone());
        }
        match tree_of(&nodes) {
            Some(tree) => {
                self.nodes = nodes;
                self.tree = tree;
                self.revision = revision;
                Applied::Current
            }
            None => Applied::NeedsReload,
        }
    }

    /// Puts a department as the user just edited it (before the server's event arrives):
    /// the move or rename shows at once. The event that follows overwrites it.
    pub fn update_locally(&mut self, changed: Vec<DepartmentNode>) -> bool {
        let mut nodes = self.nodes.clone();
        for node in changed {
            nodes.insert(node.id.clone(), node);
        }
        match tree_of(&nodes) {
            Some(tree) => {
                self.nodes = nodes;
                self.tree = tree;
                true
            }
            None => false,
        }
    }

    /// Shows a planned move before the server has it: the new parent and every changed
    /// sort order, the moved department's included wherever the plan lists it.
    pub fn show_move(&mut self, plan: &MovePlan) -> bool {
        let Some(moved) = self.nodes.get(&plan.id) else {
            return false;
        };
        let mut changed = BTreeMap::new();
        changed.insert(
            plan.id.clone(),
            DepartmentNode {
                parent: plan.new_parent.clone(),
                ..moved.clone()
            },
        );
        for (id, sort_order) in &plan.sort_orders {
            let base = changed.get(id).or_else(|| self.nodes.get(id)).cloned();
            if let Some(base) = base {
                changed.insert(
                    id.clone(),
                    DepartmentNode {
                        sort_order: *sort_order,
                        ..base
                    },
                );
            }
        }
        self.update_locally(changed.into_values().collect())
    }

    /// Records the version the server gave a department after this browser's own edit
    /// (never going back, should its live event have come first).
    pub fn set_version(&mut self, id: &DepartmentId, version: i64) {
        if let Some(node) = self.nodes.get_mut(id) {
            node.version = node.version.max(version);
        }
    }

    /// The rows to display: the roots, and the children of every expanded department, in
    /// display order. Iterative, so a deep chart cannot overflow the stack.
    pub fn visible_rows(&self, expanded: &HashSet<DepartmentId>) -> Vec<VisibleRow> {
        let mut rows = Vec::new();
        let roots = self.tree.children(None);
        let mut stack: Vec<(&DepartmentId, usize, usize, usize)> = roots
            .iter()
            .enumerate()
            .rev()
            .map(|(i, id)| (*id, 0, i + 1, roots.len()))
            .collect();
        while let Some((id, depth, position, set_size)) = stack.pop() {
            let children = self.tree.children(Some(id));
            let is_expanded = !children.is_empty() && expanded.contains(id);
            rows.push(VisibleRow {
                id: id.clone(),
                depth,
                position,
                set_size,
                has_children: !children.is_empty(),
                expanded: is_expanded,
            });
            if is_expanded {
                let count = children.len();
                stack.extend(
                    children
                        .into_iter()
                        .enumerate()
                        .rev()
                        .map(|(i, child)| (child, depth + 1, i + 1, count)),
                );
            }
        }
        rows
    }

    /// Departments whose code or name contains `query` (NFKC, case-insensitive): an exact
    /// code first, then codes that start with it, then the rest by code. At most `limit`.
    pub fn search(&self, query: &str, limit: usize) -> Vec<DepartmentId> {
        let needle = normalize(query).to_lowercase();
        if needle.is_empty() {
            return Vec::new();
        }
        let mut found: Vec<(u8, &str, &DepartmentId)> = self
            .nodes
            .values()
            .filter_map(|node| {
                let code = node.code.as_str().to_lowercase();
                let rank = if code == needle {
                    0
                } else if code.starts_with(&needle) {
                    1
                } else if code.contains(&needle)
                    || normalize(&node.name).to_lowercase().contains(&needle)
                {
                    2
                } else {
                    return None;
                };
                Some((rank, node.code.as_str(), &node.id))
            })
            .collect();
        found.sort();
        found
            .into_iter()
            .take(limit)
            .map(|(_, _, id)| id.clone())
            .collect()
    }

    /// The departments to expand so that `id` is visible: its ancestors.
    pub fn path_to(&self, id: &DepartmentId) -> Vec<DepartmentId> {
        self.tree.ancestors(id).into_iter().cloned().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(name: &str) -> DepartmentId {
        DepartmentId::from_stored(name.into())
    }

    fn node(name: &str, code: &str, parent: Option<&str>, sort_order: i64) -> DepartmentNode {
        DepartmentNode {
            id: id(name),
            code: crate::domain::codes::DepartmentCode::parse(code).unwrap(),
            name: format!("{name}部"),
            parent: parent.map(id),
            sort_order,
            version: 1,
            manager: None,
            members: 0,
        }
    }

    fn model() -> ChartModel {
        ChartModel::new(OrgChart {
            departments: vec![
                node("hq", "H1", None, 10),
                node("sales", "S10", Some("hq"), 10),
                node("dev", "D20", Some("hq"), 20),
                node("team", "S11", Some("sales"), 10),
                node("other", "O1", None, 20),
            ],
            revision: 5,
            can_edit: true,
        })
        .unwrap()
    }

    fn ids(rows: &[VisibleRow]) -> Vec<&str> {
        rows.iter().map(|row| row.id.as_str()).collect()
    }

    #[test]
    fn only_children_of_expanded_departments_are_visible() {
        let model = model();
        let collapsed = model.visible_rows(&HashSet::new());
        assert_eq!(ids(&collapsed), ["hq", "other"]);
        assert!(collapsed[0].has_children && !collapsed[0].expanded);
        assert_eq!((collapsed[1].position, collapsed[1].set_size), (2, 2));

        let expanded: HashSet<_> = [id("hq"), id("sales")].into_iter().collect();
        let rows = model.visible_rows(&expanded);
        assert_eq!(ids(&rows), ["hq", "sales", "team", "dev", "other"]);
        let team = &rows[2];
        assert_eq!((team.depth, team.position, team.set_size), (2, 1, 1));
        assert!(!team.has_children && !team.expanded);
        // Expanding a leaf changes nothing.
        let leaf: HashSet<_> = [id("team")].into_iter().collect();
        assert_eq!(ids(&model.visible_rows(&leaf)), ["hq", "other"]);
    }

    #[test]
    fn events_apply_in_order_and_gaps_ask_for_a_reload() {
        let mut model = model();
        let renamed = DepartmentNode {
            name: "営業本部".into(),
            version: 2,
            ..node("sales", "S10", Some("hq"), 10)
        };
        let next = OrgEvent::Changed {
            revision: 6,
            departments: vec![renamed.clone()],
            removed: vec![id("team")],
        };
        assert_eq!(model.apply(&next), Applied::Current);
        assert_eq!(model.get(&id("sales")), Some(&renamed));
        assert_eq!(model.get(&id("team")), None);
        assert_eq!(model.revision(), 6);
        // Already seen: nothing happens.
        assert_eq!(model.apply(&next), Applied::Current);
        // A gap, or an explicit reload.
        let later = OrgEvent::Changed {
            revision: 8,
            departments: vec![],
            removed: vec![],
        };
        assert_eq!(model.apply(&later), Applied::NeedsReload);
        assert_eq!(
            model.apply(&OrgEvent::Reload { revision: 7 }),
            Applied::NeedsReload
        );
        // An event that would orphan a department cannot be followed.
        let orphaning = OrgEvent::Changed {
            revision: 7,
            departments: vec![],
            removed: vec![id("hq")],
        };
        assert_eq!(model.apply(&orphaning), Applied::NeedsReload);
        assert!(
            model.get(&id("hq")).is_some(),
            "the model is left as it was"
        );
    }

    #[test]
    fn a_stream_starting_past_the_chart_reloads_it() {
        let mut model = model();
        let at = model.revision();
        assert_eq!(
            model.apply(&OrgEvent::Current { revision: at }),
            Applied::Current
        );
        assert_eq!(
            model.apply(&OrgEvent::Current { revision: at - 1 }),
            Applied::Current,
            "a chart newer than the stream's start already has what it missed"
        );
        assert_eq!(
            model.apply(&OrgEvent::Current { revision: at + 1 }),
            Applied::NeedsReload,
            "a change committed before the stream started was missed"
        );
        assert_eq!(model.revision(), at);
    }

    fn sales_at(model: &ChartModel, sort_order: i64, version: i64) -> DepartmentNode {
        DepartmentNode {
            sort_order,
            version,
            ..model.get(&id("sales")).unwrap().clone()
        }
    }

    #[test]
    fn events_of_moves_still_being_saved_wait_until_all_are() {
        let mut model = model();
        // Sales (10) is before dev (20) under hq. Quick keys: down, up, down, shown at once.
        let after = |m: &ChartModel, order, version| OrgEvent::Changed {
            revision: m.revision() + 1,
            departments: vec![sales_at(m, order, version)],
            removed: vec![],
        };
        model.hold_events();
        model.update_locally(vec![sales_at(&model, 30, 1)]);
        model.update_locally(vec![sales_at(&model, 5, 1)]);
        model.update_locally(vec![sales_at(&model, 30, 1)]);
        // The server's events for the first two arrive while the third is being saved.
        let down = after(&model, 30, 2);
        assert_eq!(model.apply(&down), Applied::Held);
        let up = OrgEvent::Changed {
            revision: 7,
            departments: vec![sales_at(&model, 5, 3)],
            removed: vec![],
        };
        assert_eq!(model.apply(&up), Applied::Held);
        assert_eq!(
            model.tree().children(Some(&id("hq"))),
            [&id("dev"), &id("sales")],
            "what the user did stays on screen"
        );
        assert_eq!(model.revision(), 5);
        let last = OrgEvent::Changed {
            revision: 8,
            departments: vec![sales_at(&model, 30, 4)],
            removed: vec![],
        };
        assert_eq!(model.apply(&last), Applied::Held);
        assert_eq!(model.release_events(), Applied::Current);
        assert!(!model.is_holding_events());
        assert_eq!(model.revision(), 8);
        assert_eq!(model.get(&id("sales")).map(|n| n.version), Some(4));
        assert_eq!(
            model.tree().children(Some(&id("hq"))),
            [&id("dev"), &id("sales")]
        );
        // Events apply at once again; a gap among the kept ones asks for a reload.
        assert_eq!(model.apply(&after(&model, 5, 5)), Applied::Current);
        model.hold_events();
        let gap = OrgEvent::Changed {
            revision: 11,
            departments: vec![],
            removed: vec![],
        };
        assert_eq!(model.apply(&gap), Applied::Held);
        assert_eq!(model.release_events(), Applied::NeedsReload);
    }

    #[test]
    fn a_move_shows_at_once_wherever_the_plan_lists_the_moved_department() {
        use crate::domain::org_tree::KeyMove;
        let mut model = model();
        let under_hq = |m: &ChartModel| -> Vec<DepartmentId> {
            m.tree()
                .children(Some(&id("hq")))
                .into_iter()
                .cloned()
                .collect()
        };
        // Down: the sibling's new order comes first in the plan, the moved one's second.
        for (key, expected) in [
            (KeyMove::Down, [id("dev"), id("sales")]),
            (KeyMove::Up, [id("sales"), id("dev")]),
            (KeyMove::Down, [id("dev"), id("sales")]),
        ] {
            let plan = model
                .tree()
                .plan_key_move(&id("sales"), key)
                .unwrap()
                .unwrap();
            assert!(model.show_move(&plan));
            assert_eq!(under_hq(&model), expected, "after {key:?}");
        }
        // Out from under hq: a root after it.
        let plan = model
            .tree()
            .plan_key_move(&id("sales"), KeyMove::Outdent)
            .unwrap()
            .unwrap();
        assert!(model.show_move(&plan));
        assert_eq!(under_hq(&model), [id("dev")]);
        assert_eq!(
            model.tree().children(None),
            [&id("hq"), &id("sales"), &id("other")]
        );
    }

    #[test]
    fn search_by_code_or_name_exact_code_first() {
        let model = model();
        assert_eq!(model.search("s1", 10), [id("sales"), id("team")]);
        assert_eq!(model.search("Ｓ１１", 10), [id("team")], "full-width input");
        assert_eq!(model.search("dev部", 10), [id("dev")]);
        assert_eq!(model.search("S10", 10)[0], id("sales"));
        assert!(model.search("  ", 10).is_empty());
        assert_eq!(model.search("部", 2).len(), 2);
        assert_eq!(model.path_to(&id("team")), [id("sales"), id("hq")]);
    }

    #[test]
    fn local_updates_refuse_what_would_break_the_tree() {
        let mut model = model();
        let cycle = node("hq", "H1", Some("team"), 10);
        assert!(!model.update_locally(vec![cycle]));
        assert_eq!(model.get(&id("hq")).and_then(|n| n.parent.clone()), None);
        let moved = node("dev", "D20", Some("other"), 10);
        assert!(model.update_locally(vec![moved]));
        assert_eq!(model.tree().children(Some(&id("other"))), [&id("dev")]);
    }
}
