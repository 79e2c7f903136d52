//! The org chart (`/org`): a live ARIA tree of the tenant's departments that everyone
//! signed in may browse and that system and organization admins edit in place. Changes
//! are saved at once (no save button) and arrive from other admins through the live
//! stream (`/api/org/events`) without reloading.
//!
//! The tree shows only the rows scrolled into view (it is virtualized: 5,000 departments
//! cost no more than 40), keeps one row focusable (roving tabindex), and moves departments
//! by drag and drop or by keyboard (Alt+arrows), both planned by `domain::org_tree` and
//! checked again by the server.

use crate::api::org::{UpdateDepartment, get_org_chart, move_department};
use crate::components::forms::{Notice, NoticeLine};
use crate::components::gate::{Gate, Need};
use crate::components::page_title::PageTitle;
use crate::domain::ids::DepartmentId;
use crate::domain::org_chart::{
    Applied, ChartModel, DepartmentNode, OrgChart, OrgEvent, VisibleRow,
};
use crate::domain::org_tree::KeyMove;
use crate::error::AppError;
use crate::i18n::{Lang, use_lang, use_texts};
use crate::pages::org_department::DepartmentPanel;
use leptos::ev::{DragEvent, KeyboardEvent};
use leptos::prelude::*;
use leptos::tachys::view::add_attr::AddAnyAttr;
use leptos_router::components::A;
use std::collections::{HashMap, HashSet, VecDeque};

/// Every row is this tall (px); the CSS says the same (`.tree-row`).
pub const ROW_HEIGHT: f64 = 40.0;
/// Deeper departments are indented as deep as this (CSS classes `tree-row--depth-0…12`).
const MAX_INDENT: usize = 12;
/// Rows rendered beyond the visible ones, above and below.
const OVERSCAN: usize = 8;
/// The tree's height until it is measured in the browser (the CSS's `max-height`).
const DEFAULT_VIEWPORT: f64 = 640.0;

/// Where a dragged department would land relative to the row under the pointer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DropZone {
    Before,
    Inside,
    After,
}

/// The tree editor's state: all signals, so the whole thing is `Copy`.
#[derive(Clone, Copy)]
pub struct Editor {
    pub model: RwSignal<ChartModel>,
    pub expanded: RwSignal<HashSet<DepartmentId>>,
    pub selected: RwSignal<Option<DepartmentId>>,
    pub focused: RwSignal<Option<DepartmentId>>,
    /// The department being renamed in the tree, and the version the rename is based on.
    pub renaming: RwSignal<Option<(DepartmentId, i64)>>,
    pub notice: RwSignal<Option<Notice>>,
    pub scroll_top: RwSignal<f64>,
    /// A scroll position the tree element should take once its canvas has the height of
    /// the rows (set in the same effect, or the browser would clamp it to the old height).
    pub scroll_request: RwSignal<Option<f64>>,
    pub viewport: RwSignal<f64>,
    pub dragging: RwSignal<Option<DepartmentId>>,
    pub drop_target: RwSignal<Option<(DepartmentId, DropZone)>>,
    /// The live stream is down and reconnecting.
    pub live_lost: RwSignal<bool>,
    pub rows: Memo<Vec<VisibleRow>>,
    pub index: Memo<HashMap<DepartmentId, usize>>,
    pub tree_ref: NodeRef<leptos::html::Div>,
    /// The reader's language, for messages made outside the view (in event handlers).
    pub lang: RwSignal<Lang>,
    /// Moves shown but not yet sent, in order: they are sent one at a time, each based on
    /// the version the one before produced (quick Alt+arrows never conflict with themselves).
    pub moves: StoredValue<VecDeque<PendingMove>>,
    pub sending: RwSignal<bool>,
}

/// A move the user made, to be saved.
#[derive(Clone, Debug)]
pub struct PendingMove {
    id: DepartmentId,
    parent: Option<DepartmentId>,
    index: usize,
    name: String,
}

impl Editor {
    fn new(chart: OrgChart, lang: RwSignal<Lang>) -> Option<Editor> {
        let model = ChartModel::new(chart)?;
        // The top level opens by itself: most charts have one or a few roots.
        let expanded: HashSet<DepartmentId> =
            model.tree().children(None).into_iter().cloned().collect();
        let model = RwSignal::new(model);
        let expanded = RwSignal::new(expanded);
        let rows = Memo::new(move |_| expanded.with(|open| model.with(|m| m.visible_rows(open))));
        let index = Memo::new(move |_| {
            rows.with(|rows| {
                rows.iter()
                    .enumerate()
                    .map(|(i, row)| (row.id.clone(), i))
                    .collect()
            })
        });
        Some(Editor {
            model,
            expanded,
            selected: RwSignal::new(None),
            focused: RwSignal::new(None),
            renaming: RwSignal::new(None),
            notice: RwSignal::new(None),
            scroll_top: RwSignal::new(0.0),
            scroll_request: RwSignal::new(None),
            viewport: RwSignal::new(DEFAULT_VIEWPORT),
            dragging: RwSignal::new(None),
            drop_target: RwSignal::new(None),
            live_lost: RwSignal::new(false),
            rows,
            index,
            tree_ref: NodeRef::new(),
            lang,
            moves: StoredValue::new(VecDeque::new()),
            sending: RwSignal::new(false),
        })
    }

    pub fn texts(self) -> &'static crate::i18n::Texts {
        crate::i18n::texts(self.lang.get_untracked())
    }

    pub fn can_edit(self) -> bool {
        self.model.with_untracked(|m| m.can_edit())
    }

    pub fn node(self, id: &DepartmentId) -> Option<DepartmentNode> {
        self.model.with(|m| m.get(id).cloned())
    }

    /// Loads the chart again (after a refused edit, a missed event, an import).
    pub async fn reload(self) {
        if let Ok(chart) = get_org_chart().await
            && let Some(model) = ChartModel::new(chart)
        {
            // Moves shown but not yet saved would vanish: load again once they are.
            if self.model.with_untracked(ChartModel::is_holding_events) {
                let revision = model.revision();
                self.model.update(|m| {
                    m.apply(&OrgEvent::Reload { revision });
                });
                return;
            }
            self.model.set(model);
            let gone = |id: &Option<DepartmentId>| {
                id.as_ref()
                    .is_some_and(|id| self.model.with_untracked(|m| m.get(id).is_none()))
            };
            if gone(&self.selected.get_untracked()) {
                self.selected.set(None);
            }
            if gone(&self.focused.get_untracked()) {
                self.focused.set(None);
            }
        }
    }

    pub fn reload_soon(self) {
        leptos::task::spawn_local(async move { self.reload().await });
    }

    /// Applies a live event, or reloads when it cannot be followed.
    pub fn apply(self, event: OrgEvent) {
        let applied = self.model.try_update(|m| m.apply(&event));
        if applied == Some(Applied::NeedsReload) {
            self.reload_soon();
        }
    }

    /// Shows an error; for a stale edit or a vanished department, also the fresh chart.
    pub fn failed(self, error: AppError) {
        if matches!(error, AppError::Conflict | AppError::NotFound) {
            self.reload_soon();
        }
        self.notice.set(Some(Notice::Failed(error)));
    }

    /// Keeps the row of `id` in view (and rendered), scrolling as little as possible.
    fn scroll_to(self, id: &DepartmentId) {
        let Some(i) = self.index.with_untracked(|ix| ix.get(id).copied()) else {
            return;
        };
        let top = i as f64 * ROW_HEIGHT;
        let (scroll, height) = (
            self.scroll_top.get_untracked(),
            self.viewport.get_untracked(),
        );
        let target = if top < scroll {
            top
        } else if top + ROW_HEIGHT > scroll + height {
            top + ROW_HEIGHT - height
        } else {
            return;
        };
        self.scroll(target);
    }

    /// Shows the rows from `top` (px) on: the window at once, the element's scroll after
    /// the next render.
    fn scroll(self, top: f64) {
        self.scroll_top.set(top);
        self.scroll_request.set(Some(top));
    }

    /// The row the tree's keys act on (reactive): the focused department while it is
    /// shown, else the first row. The tree names it in `aria-activedescendant`.
    pub fn active_row(self) -> Option<DepartmentId> {
        self.focused
            .get()
            .filter(|id| self.index.with(|ix| ix.contains_key(id)))
            .or_else(|| {
                self.rows
                    .with(|rows| rows.first().map(|row| row.id.clone()))
            })
    }

    /// Makes `id` the tree's active row (from the keyboard or a click).
    fn focus(self, id: DepartmentId) {
        self.focused.set(Some(id.clone()));
        self.scroll_to(&id);
    }

    /// Puts the keyboard focus on the tree (after a search, a rename, a deletion). The
    /// browser's focus stays on the tree element itself and `aria-activedescendant` names
    /// the active row: rows come and go and reorder as the chart changes, and a focused
    /// row moved in the page would lose the focus and the keys pressed meanwhile.
    pub fn focus_tree(self) {
        if let Some(tree) = self.tree_ref.get_untracked() {
            let _ = tree.focus();
        }
    }

    /// Opens the way to `id` and selects it (after a search or an addition).
    pub fn reveal(self, id: DepartmentId) {
        let path = self.model.with_untracked(|m| m.path_to(&id));
        self.expanded.update(|open| open.extend(path));
        self.selected.set(Some(id.clone()));
        self.focused.set(Some(id.clone()));
        // Centre it.
        if let Some(i) = self.index.with_untracked(|ix| ix.get(&id).copied()) {
            let height = self.viewport.get_untracked();
            self.scroll((i as f64 * ROW_HEIGHT - height / 2.0).max(0.0));
        }
    }

    fn toggle(self, id: &DepartmentId) {
        self.expanded.update(|open| {
            if !open.remove(id) {
                open.insert(id.clone());
            }
        });
    }

    /// Moves `id` under `parent` at `index` among its new siblings: shown at once, saved,
    /// and put right by a reload if the server refuses.
    pub fn move_to(self, id: DepartmentId, parent: Option<DepartmentId>, index: usize) {
        let Some(node) = self.model.with_untracked(|m| m.get(&id).cloned()) else {
            return;
        };
        let plan = match self
            .model
            .with_untracked(|m| m.tree().plan_move(&id, parent.as_ref(), index))
        {
            Ok(plan) => plan,
            Err(error) => {
                self.notice.set(Some(Notice::Failed(error.into())));
                return;
            }
        };
        self.model.update(|m| {
            m.show_move(&plan);
        });
        if let Some(parent) = &plan.new_parent {
            self.expanded.update(|open| {
                open.insert(parent.clone());
            });
        }
        self.scroll_to(&id);
        self.moves.update_value(|moves| {
            moves.push_back(PendingMove {
                id,
                parent: plan.new_parent,
                index,
                name: node.name,
            })
        });
        self.send_moves();
    }

    /// Sends the pending moves one after another (unless already doing so).
    fn send_moves(self) {
        if self.sending.get_untracked() {
            return;
        }
        self.sending.set(true);
        self.model.update(ChartModel::hold_events);
        leptos::task::spawn_local(async move {
            while let Some(next) = self.moves.try_update_value(VecDeque::pop_front).flatten() {
                let version = self
                    .model
                    .with_untracked(|m| m.get(&next.id).map(|n| n.version))
                    .unwrap_or_default();
                let result = move_department(
                    next.id.to_string(),
                    version,
                    next.parent.map(|p| p.to_string()).unwrap_or_default(),
                    i64::try_from(next.index).unwrap_or(i64::MAX),
                )
                .await;
                match result {
                    Ok(new_version) => {
                        self.model.update(|m| m.set_version(&next.id, new_version));
                        let message = (self.texts().org_moved)(&next.name);
                        self.notice.set(Some(Notice::Done(message)));
                    }
                    Err(error) => {
                        // Put right what was shown: the chart as stored; the moves still
                        // waiting were planned on what was wrong.
                        self.moves.update_value(VecDeque::clear);
                        self.failed(error);
                        self.reload_soon();
                    }
                }
            }
            self.sending.set(false);
            if self.model.try_update(ChartModel::release_events) == Some(Applied::NeedsReload) {
                self.reload_soon();
            }
        });
    }

    /// The key moves (Alt+arrows) of the focused department.
    fn key_move(self, id: DepartmentId, key: KeyMove) {
        let plan = self
            .model
            .with_untracked(|m| m.tree().plan_key_move(&id, key));
        let Ok(Some(plan)) = plan else { return };
        // The index among the new siblings after the move, as the server plans it.
        let mut preview = self.model.get_untracked().tree().clone();
        preview.apply(&plan);
        let index = preview
            .children(plan.new_parent.as_ref())
            .iter()
            .position(|sibling| **sibling == id)
            .unwrap_or(usize::MAX);
        self.move_to(id, plan.new_parent, index);
    }

    /// Where a drop on `target` in `zone` puts the dragged department.
    fn drop_on(self, dragged: DepartmentId, target: DepartmentId, zone: DropZone) {
        if dragged == target {
            return;
        }
        let placement = self.model.with_untracked(|m| {
            let node = m.get(&target)?;
            match zone {
                DropZone::Inside => Some((Some(target.clone()), usize::MAX)),
                DropZone::Before | DropZone::After => {
                    let siblings: Vec<&DepartmentId> = m
                        .tree()
                        .children(node.parent.as_ref())
                        .into_iter()
                        .filter(|id| **id != dragged)
                        .collect();
                    let at = siblings.iter().position(|id| **id == target)?;
                    let at = if zone == DropZone::After { at + 1 } else { at };
                    Some((node.parent.clone(), at))
                }
            }
        });
        if let Some((parent, index)) = placement {
            self.move_to(dragged, parent, index);
        }
    }
}

/// Behind the gate: built only for a reader who may use it.
#[component]
pub fn OrgChartPage() -> impl IntoView {
    view! {
        <Gate need=Need::SignedIn>
            <OrgChartContent />
        </Gate>
    }
}

#[component]
fn OrgChartContent() -> impl IntoView {
    let t = use_texts();
    let lang = use_lang();
    let chart = Resource::new(|| (), |_| get_org_chart());
    view! {
        <PageTitle pick=|t| t.org_title />
        <div class="page-head">
            <h1>{move || t().org_title}</h1>
            <nav class="page-head__links" aria-label=move || t().org_title>
                <A href="/org/employees">{move || t().nav_employees}</A>
            </nav>
        </div>
        <Transition fallback=move || view! { <p>{move || t().working}</p> }>
            {move || Suspend::new(async move {
                match chart.await {
                    Ok(chart) => match Editor::new(chart, lang) {
                        Some(editor) => view! { <OrgEditor editor /> }.into_any(),
                        None => view! { <p class="form-error" role="alert">{move || t().error_internal}</p> }.into_any(),
                    },
                    Err(error) => view! { <p class="form-error" role="alert">{error.message(lang.get())}</p> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn OrgEditor(editor: Editor) -> impl IntoView {
    let t = use_texts();
    let can_edit = editor.can_edit();
    connect_live(editor);
    measure_viewport(editor);
    view! {
        <p class="lead">{move || if can_edit { t().org_lead_edit } else { t().org_lead_view }}</p>
        <div class="org-layout">
            <section class="org-tree-pane" aria-labelledby="org-tree-title">
                <h2 id="org-tree-title" class="visually-hidden">{move || t().org_tree_label}</h2>
                <SearchBox editor />
                <Show when=move || editor.live_lost.get()>
                    <p class="form-error" role="status">{move || t().org_live_lost}</p>
                </Show>
                <NoticeLine notice=editor.notice />
                <TreeView editor />
                <details class="keys-help">
                    <summary>{move || t().org_keys_title}</summary>
                    <p>{move || t().org_keys_view}</p>
                    <Show when=move || can_edit>
                        <p>{move || t().org_keys_edit}</p>
                    </Show>
                </details>
                <Show when=move || can_edit>
                    <crate::pages::org_department::AddDepartment editor parent=None />
                </Show>
            </section>
            <section class="org-detail-pane" id="org-detail">
                <DepartmentPanel editor />
            </section>
        </div>
    }
}

/// Finds departments by code or name and reveals the chosen one.
#[component]
fn SearchBox(editor: Editor) -> impl IntoView {
    let t = use_texts();
    let query = RwSignal::new(String::new());
    let results = Memo::new(move |_| {
        let q = query.get();
        editor.model.with(|m| m.search(&q, 20))
    });
    let choose = move |id: DepartmentId| {
        query.set(String::new());
        editor.reveal(id);
        editor.focus_tree();
    };
    view! {
        <div class="org-search" role="search">
            <label for="org-search" class="visually-hidden">{move || t().org_search}</label>
            <input
                id="org-search"
                type="search"
                autocomplete="off"
                placeholder=move || t().org_search
                prop:value=move || query.get()
                on:input=move |ev| query.set(event_target_value(&ev))
                on:keydown=move |ev: KeyboardEvent| {
                    if ev.key() == "Enter" {
                        ev.prevent_default();
                        if let Some(first) = results.with_untracked(|r| r.first().cloned()) {
                            choose(first);
                        }
                    }
                }
            />
            <Show when=move || !query.with(|q| q.trim().is_empty())>
                <ul class="org-search__results" aria-label=move || t().org_search_results>
                    {move || {
                        let found = results.get();
                        if found.is_empty() {
                            return view! { <li class="meta">{t().org_search_none}</li> }.into_any();
                        }
                        found
                            .into_iter()
                            .map(|id| {
                                let node = editor.model.with_untracked(|m| m.get(&id).cloned());
                                let label = node
                                    .map(|n| format!("{} {}", n.code, n.name))
                                    .unwrap_or_default();
                                let chosen = id.clone();
                                view! {
                                    <li>
                                        <button type="button" class="link-button" on:click=move |_| choose(chosen.clone())>
                                            {label}
                                        </button>
                                    </li>
                                }
                            })
                            .collect_view()
                            .into_any()
                    }}
                </ul>
            </Show>
        </div>
    }
}

/// The virtualized ARIA tree.
#[component]
fn TreeView(editor: Editor) -> impl IntoView {
    let t = use_texts();
    // The rows in and near the viewport.
    let window = Memo::new(move |_| {
        let height = editor.viewport.get();
        let top = editor.scroll_top.get();
        editor.rows.with(|rows| {
            let first = ((top / ROW_HEIGHT) as usize).saturating_sub(OVERSCAN);
            let count = (height / ROW_HEIGHT).ceil() as usize + 2 * OVERSCAN;
            rows.iter()
                .skip(first)
                .take(count)
                .map(|row| row.id.clone())
                .collect::<Vec<_>>()
        })
    });
    // Server-rendered HTML lists the first rows in plain flow (the content security policy
    // allows no style attributes); once hydrated, the tree places its rows itself through
    // the CSSOM, which the policy allows.
    let live = RwSignal::new(false);
    Effect::new(move |_| live.set(true));
    let canvas = NodeRef::<leptos::html::Div>::new();
    Effect::new(move |_| {
        let height = editor.rows.with(Vec::len) as f64 * ROW_HEIGHT;
        let request = editor.scroll_request.get();
        if let Some(canvas) = canvas.get() {
            set_style(&canvas, "height", &format!("{height}px"));
        }
        if let (Some(top), Some(tree)) = (request, editor.tree_ref.get_untracked()) {
            tree.set_scroll_top(top as i32);
            editor.scroll_request.set(None);
        }
    });
    let on_keydown = move |ev: KeyboardEvent| on_tree_key(editor, ev);
    let active_row = move || editor.active_row().map(|id| format!("dept-{id}"));
    view! {
        <Show
            when=move || !editor.model.with(ChartModel::is_empty)
            fallback=move || view! { <p class="meta">{move || t().org_empty}</p> }
        >
            <div
                class=move || if live.get() { "tree tree--live" } else { "tree" }
                role="tree"
                aria-label=move || t().org_tree_label
                node_ref=editor.tree_ref
                on:scroll=move |ev| {
                    use leptos::wasm_bindgen::JsCast;
                    if let Some(el) = ev.target().and_then(|t| t.dyn_into::<leptos::web_sys::Element>().ok()) {
                        editor.scroll_top.set(f64::from(el.scroll_top()));
                    }
                }
                tabindex="0"
                aria-activedescendant=active_row
                on:keydown=on_keydown
            >
                <div class="tree__canvas" node_ref=canvas>
                    <For each=move || window.get() key=|id| id.clone() let:id>
                        <TreeRow editor id />
                    </For>
                </div>
            </div>
        </Show>
    }
}

#[component]
fn TreeRow(editor: Editor, id: DepartmentId) -> impl IntoView {
    let t = use_texts();
    let row = {
        let id = id.clone();
        Memo::new(move |_| {
            let i = editor.index.with(|ix| ix.get(&id).copied())?;
            editor
                .rows
                .with(|rows| rows.get(i).cloned().map(|row| (i, row)))
        })
    };
    let node = {
        let id = id.clone();
        Memo::new(move |_| editor.model.with(|m| m.get(&id).cloned()))
    };
    let can_edit = editor.can_edit();
    let is = {
        let id = id.clone();
        move |signal: RwSignal<Option<DepartmentId>>| signal.with(|s| s.as_ref() == Some(&id))
    };
    let is_active = {
        let id = id.clone();
        move || editor.active_row().as_ref() == Some(&id)
    };
    let is_selected = {
        let is = is.clone();
        move || is(editor.selected)
    };
    let renaming = {
        let id = id.clone();
        move || {
            editor
                .renaming
                .with(|r| r.as_ref().is_some_and(|(r, _)| r == &id))
        }
    };
    let drop_class = {
        let id = id.clone();
        move || match editor.drop_target.get() {
            Some((target, zone)) if target == id => match zone {
                DropZone::Before => "tree-row--drop-before",
                DropZone::Inside => "tree-row--drop-inside",
                DropZone::After => "tree-row--drop-after",
            },
            _ => "",
        }
    };
    let click_id = id.clone();
    let toggle_id = id.clone();
    let dbl_id = id.clone();
    let drag_id = id.clone();
    let over_id = id.clone();
    let drop_id = id.clone();
    let dom_id = format!("dept-{id}");
    let row_ref = NodeRef::<leptos::html::Div>::new();
    // Its place in the virtual list, through the CSSOM (see `TreeView`).
    Effect::new(move |_| {
        let top = row.with(|r| r.as_ref().map_or(0, |(i, _)| *i)) as f64 * ROW_HEIGHT;
        if let Some(element) = row_ref.get() {
            set_style(&element, "top", &format!("{top}px"));
        }
    });
    let level = move || row.with(|r| r.as_ref().map_or(1, |(_, row)| row.depth + 1));
    view! {
        <div
            id=dom_id
            role="treeitem"
            node_ref=row_ref
            class={
                let is_selected = is_selected.clone();
                move || {
                let depth = row.with(|r| r.as_ref().map_or(0, |(_, row)| row.depth)).min(MAX_INDENT);
                let mut class = format!("tree-row tree-row--depth-{depth} ");
                class.push_str(drop_class());
                if is_selected() {
                    class.push_str(" tree-row--selected");
                }
                if is_active() {
                    class.push_str(" tree-row--active");
                }
                class
            }}
            aria-setsize=move || row.with(|r| r.as_ref().map_or(1, |(_, row)| row.set_size))
            aria-posinset=move || row.with(|r| r.as_ref().map_or(1, |(_, row)| row.position))
            aria-expanded=move || {
                row.with(|r| {
                    r.as_ref()
                        .filter(|(_, row)| row.has_children)
                        .map(|(_, row)| row.expanded.to_string())
                })
            }
            aria-selected=move || is_selected().to_string()
            draggable=if can_edit { "true" } else { "false" }
            on:click=move |_| {
                editor.focus(click_id.clone());
                editor.selected.set(Some(click_id.clone()));
                crate::components::browser::reveal_on_narrow_screen("org-detail");
            }
            on:dblclick=move |_| {
                if can_edit
                    && let Some(node) = editor.node(&dbl_id)
                {
                    editor.renaming.set(Some((dbl_id.clone(), node.version)));
                }
            }
            on:dragstart=move |ev: DragEvent| {
                if let Some(data) = ev.data_transfer() {
                    let _ = data.set_data("text/plain", drag_id.as_str());
                    data.set_effect_allowed("move");
                }
                editor.dragging.set(Some(drag_id.clone()));
            }
            on:dragend=move |_| {
                editor.dragging.set(None);
                editor.drop_target.set(None);
            }
            on:dragover=move |ev: DragEvent| {
                let Some(dragged) = editor.dragging.get_untracked() else { return };
                // Never onto itself or its own sub-departments.
                let inside_itself = dragged == over_id
                    || editor.model.with_untracked(|m| m.tree().is_descendant(&over_id, &dragged));
                if inside_itself {
                    editor.drop_target.set(None);
                    return;
                }
                ev.prevent_default();
                let y = pointer_offset_in_row(&ev);
                let zone = if y < ROW_HEIGHT * 0.25 {
                    DropZone::Before
                } else if y > ROW_HEIGHT * 0.75 {
                    DropZone::After
                } else {
                    DropZone::Inside
                };
                if editor.drop_target.get_untracked() != Some((over_id.clone(), zone)) {
                    editor.drop_target.set(Some((over_id.clone(), zone)));
                }
            }
            on:drop=move |ev: DragEvent| {
                ev.prevent_default();
                let target = editor.drop_target.get_untracked();
                editor.drop_target.set(None);
                if let (Some(dragged), Some((target, zone))) = (editor.dragging.get_untracked(), target)
                    && target == drop_id
                {
                    editor.dragging.set(None);
                    editor.drop_on(dragged, target, zone);
                }
            }
        >
            <span
                class="tree-row__toggle"
                aria-hidden="true"
                on:click=move |ev| {
                    ev.stop_propagation();
                    editor.toggle(&toggle_id);
                }
            >
                {move || match row.get() {
                    Some((_, row)) if row.has_children && row.expanded => "▾",
                    Some((_, row)) if row.has_children => "▸",
                    _ => "",
                }}
            </span>
            <span class="tree-row__code">{move || node.with(|n| n.as_ref().map(|n| n.code.to_string()))}</span>
            <Show
                when=renaming
                fallback=move || view! {
                    <span class="tree-row__name">{move || node.with(|n| n.as_ref().map(|n| n.name.clone()))}</span>
                }
            >
                <InlineRename editor />
            </Show>
            <span class="tree-row__meta">
                {move || {
                    node.with(|n| {
                        n.as_ref().map(|n| {
                            let t = t();
                            let count = crate::i18n::counted(t.org_members_count, n.members);
                            match &n.manager {
                                Some(manager) => format!("{count} · {} {}", t.org_manager, manager.name),
                                None => count,
                            }
                        })
                    })
                }}
            </span>
        </div>
    }
    // `aria-level` has no typed attribute in Leptos: added as a plain one.
    .add_any_attr(leptos::tachys::html::attribute::custom::custom_attribute(
        "aria-level",
        level,
    ))
}

/// The name field that replaces a row's name while it is renamed (F2 or double-click):
/// Enter saves, Escape gives up. The version is the one seen when renaming began.
#[component]
fn InlineRename(editor: Editor) -> impl IntoView {
    let t = use_texts();
    let Some((id, version)) = editor.renaming.get_untracked() else {
        return ().into_any();
    };
    let original = editor.node(&id);
    let code = original
        .as_ref()
        .map(|n| n.code.to_string())
        .unwrap_or_default();
    let name = RwSignal::new(original.map(|n| n.name).unwrap_or_default());
    let save = ServerAction::<UpdateDepartment>::new();
    let input_ref = NodeRef::<leptos::html::Input>::new();
    Effect::new(move |_| {
        if let Some(input) = input_ref.get() {
            let _ = input.focus();
            input.select();
        }
    });
    let finish = move || {
        editor.renaming.set(None);
        editor.focus_tree();
    };
    Effect::new(move |_| match save.value().get() {
        Some(Ok(())) => {
            editor
                .notice
                .set(Some(Notice::Done(t().org_saved.to_owned())));
            finish();
        }
        Some(Err(error)) => {
            editor.failed(error);
            finish();
        }
        None => {}
    });
    let label = move || t().field_department_name;
    view! {
        <input
            class="tree-row__rename"
            node_ref=input_ref
            aria-label=label
            prop:value=move || name.get()
            on:input=move |ev| name.set(event_target_value(&ev))
            on:click=|ev| ev.stop_propagation()
            on:keydown=move |ev: KeyboardEvent| {
                // The tree's keys stay out of the field.
                ev.stop_propagation();
                match ev.key().as_str() {
                    "Enter" => {
                        ev.prevent_default();
                        save.dispatch(UpdateDepartment {
                            id: id.to_string(),
                            version,
                            code: code.clone(),
                            name: name.get_untracked(),
                        });
                    }
                    "Escape" => {
                        ev.prevent_default();
                        finish();
                    }
                    _ => {}
                }
            }
        />
    }
    .into_any()
}

/// Sets one CSS property through the CSSOM (allowed by the content security policy,
/// unlike a `style` attribute).
fn set_style(element: &leptos::web_sys::HtmlElement, property: &str, value: &str) {
    let _ = leptos::web_sys::HtmlElement::style(element).set_property(property, value);
}

/// How far down the row under the pointer the pointer is, in px.
fn pointer_offset_in_row(ev: &DragEvent) -> f64 {
    use leptos::wasm_bindgen::JsCast;
    ev.current_target()
        .and_then(|target| target.dyn_into::<leptos::web_sys::Element>().ok())
        .map(|row| f64::from(ev.client_y()) - row.get_bounding_client_rect().top())
        .unwrap_or(ROW_HEIGHT / 2.0)
}

/// The tree's keyboard: arrows, Home/End, Enter, F2, and Alt+arrows to move.
fn on_tree_key(editor: Editor, ev: KeyboardEvent) {
    let rows = editor.rows.get_untracked();
    if rows.is_empty() {
        return;
    }
    let current = untrack(|| editor.active_row())
        .and_then(|id| editor.index.with_untracked(|ix| ix.get(&id).copied()))
        .unwrap_or(0);
    let row = &rows[current];
    let id = row.id.clone();
    let key = ev.key();
    if ev.alt_key() && editor.can_edit() {
        let key_move = match key.as_str() {
            "ArrowUp" => Some(KeyMove::Up),
            "ArrowDown" => Some(KeyMove::Down),
            "ArrowRight" => Some(KeyMove::Indent),
            "ArrowLeft" => Some(KeyMove::Outdent),
            _ => None,
        };
        if let Some(key_move) = key_move {
            ev.prevent_default();
            editor.focus(id.clone());
            editor.key_move(id, key_move);
        }
        return;
    }
    let target: Option<DepartmentId> = match key.as_str() {
        "ArrowDown" => rows.get(current + 1).map(|r| r.id.clone()),
        "ArrowUp" => current.checked_sub(1).map(|i| rows[i].id.clone()),
        "Home" => rows.first().map(|r| r.id.clone()),
        "End" => rows.last().map(|r| r.id.clone()),
        "ArrowRight" if row.has_children && !row.expanded => {
            editor.toggle(&id);
            None
        }
        "ArrowRight" if row.expanded => rows.get(current + 1).map(|r| r.id.clone()),
        "ArrowLeft" if row.expanded => {
            editor.toggle(&id);
            None
        }
        "ArrowLeft" => editor.node(&id).and_then(|n| n.parent),
        "Enter" | " " => {
            editor.selected.set(Some(id.clone()));
            None
        }
        "F2" if editor.can_edit() => {
            if let Some(node) = editor.node(&id) {
                editor.renaming.set(Some((id.clone(), node.version)));
            }
            None
        }
        _ => return,
    };
    ev.prevent_default();
    editor.focus(target.unwrap_or(id));
}

/// Measures how tall the tree can be (the CSS's `max-height: min(70vh, 40rem)`; it is
/// shorter while it has fewer rows) once mounted and when the window is resized.
fn measure_viewport(editor: Editor) {
    let measure = move || {
        let window_height = window()
            .inner_height()
            .ok()
            .and_then(|h| h.as_f64())
            .unwrap_or(DEFAULT_VIEWPORT);
        let mut height = (window_height * 0.7).min(DEFAULT_VIEWPORT);
        if let Some(tree) = editor.tree_ref.get_untracked() {
            height = height.max(f64::from(tree.client_height()));
        }
        editor.viewport.set(height);
    };
    Effect::new(move |_| {
        editor.tree_ref.track();
        measure();
    });
    let handle = window_event_listener(leptos::ev::resize, move |_| measure());
    on_cleanup(move || handle.remove());
}

/// Subscribes to the tenant's live events for as long as the page is open.
#[cfg(feature = "hydrate")]
fn connect_live(editor: Editor) {
    use leptos::wasm_bindgen::JsCast;
    use leptos::wasm_bindgen::closure::Closure;
    use leptos::web_sys::{EventSource, MessageEvent};
    let Ok(source) = EventSource::new("/api/org/events") else {
        editor.live_lost.set(true);
        return;
    };
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |message: MessageEvent| {
        let Some(data) = message.data().as_string() else {
            return;
        };
        match serde_json::from_str::<OrgEvent>(&data) {
            Ok(event) => editor.apply(event),
            Err(_) => editor.reload_soon(),
        }
    });
    let on_error = Closure::<dyn FnMut()>::new(move || editor.live_lost.set(true));
    // After a lost connection the browser reconnects by itself. Catching up needs nothing
    // here: every stream starts with the chart's revision (`OrgEvent::Current`), and a
    // chart behind it is loaded again.
    let on_open = Closure::<dyn FnMut()>::new(move || {
        if editor.live_lost.get_untracked() {
            editor.live_lost.set(false);
        }
    });
    // The session ended (signed out elsewhere, deactivated): show the page as it now is.
    let on_signed_out = Closure::<dyn FnMut()>::new(move || {
        let _ = window().location().reload();
    });
    source.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    source.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    source.set_onopen(Some(on_open.as_ref().unchecked_ref()));
    let _ = source
        .add_event_listener_with_callback("signed-out", on_signed_out.as_ref().unchecked_ref());
    let held = StoredValue::new_local(Some((source, on_message, on_error, on_open, on_signed_out)));
    on_cleanup(move || {
        if let Some(Some((source, ..))) = held.try_update_value(Option::take) {
            source.close();
        }
    });
}

#[cfg(not(feature = "hydrate"))]
fn connect_live(_editor: Editor) {}

/// For the department panel's move form.
pub fn find_by_code(editor: Editor, code: &str) -> Option<DepartmentId> {
    let code = crate::domain::codes::normalize(code);
    editor.model.with_untracked(|m| {
        m.search(&code, 1)
            .into_iter()
            .find(|id| m.get(id).is_some_and(|n| n.code.as_str() == code))
    })
}
