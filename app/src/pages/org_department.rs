//! The selected department beside the tree: its manager and members for everyone; for
//! system and organization admins also rename, add a sub-department, move under another
//! department by code, set the manager, and delete.

use crate::api::org::{
    create_department, delete_department, department_members, set_department_manager,
    update_department,
};
use crate::components::forms::{Notice, NoticeLine, confirm};
use crate::components::pager::{PageTarget, Pager};
use crate::components::picker::{Picker, Search};
use crate::domain::choice::Choice;
use crate::domain::form_field::FormField;
use crate::domain::ids::DepartmentId;
use crate::domain::org_chart::MemberPage;
use crate::i18n::{use_lang, use_texts};
use crate::pages::org_chart::{Editor, find_by_code};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;

#[component]
pub fn DepartmentPanel(editor: Editor) -> impl IntoView {
    let t = use_texts();
    move || match editor.selected.get() {
        None => view! { <p class="meta">{t().org_select_prompt}</p> }.into_any(),
        Some(id) => view! { <DepartmentDetails editor id /> }.into_any(),
    }
}

#[component]
fn DepartmentDetails(editor: Editor, id: DepartmentId) -> impl IntoView {
    let t = use_texts();
    let can_edit = editor.can_edit();
    let node = {
        let id = id.clone();
        Memo::new(move |_| editor.node(&id))
    };
    let parent = Memo::new(move |_| {
        node.with(|n| n.as_ref().and_then(|n| n.parent.clone()))
            .and_then(|p| editor.node(&p))
    });
    let notice = RwSignal::new(None::<Notice>);
    let members_id = id.clone();
    view! {
        <article class="card department" aria-labelledby="department-title">
            <h2 id="department-title">
                <span class="department__code">{move || node.with(|n| n.as_ref().map(|n| n.code.to_string()))}</span>
                " "
                {move || node.with(|n| n.as_ref().map(|n| n.name.clone()))}
            </h2>
            <dl class="facts">
                <dt>{move || t().org_parent}</dt>
                <dd>
                    {move || match parent.get() {
                        Some(parent) => {
                            let target = parent.id.clone();
                            view! {
                                <button type="button" class="link-button" on:click=move |_| editor.reveal(target.clone())>
                                    {format!("{} {}", parent.code, parent.name)}
                                </button>
                            }
                                .into_any()
                        }
                        None => view! { <span>{t().org_top_level}</span> }.into_any(),
                    }}
                </dd>
                <dt>{move || t().org_manager}</dt>
                <dd>
                    {move || match node.with(|n| n.as_ref().and_then(|n| n.manager.clone())) {
                        Some(manager) => view! {
                            <A href=format!("/org/employees/{}", manager.id)>{manager.name}</A>
                        }
                            .into_any(),
                        None => view! { <span>{t().org_no_manager}</span> }.into_any(),
                    }}
                </dd>
            </dl>
            <NoticeLine notice />
            <Show when=move || can_edit>
                <RenameForm editor id=id.clone() notice />
                <ManagerForm editor id=id.clone() notice />
                <MoveForm editor id=id.clone() notice />
                <AddDepartment editor parent=Some(id.clone()) />
                <DeleteButton editor id=id.clone() notice />
            </Show>
        </article>
        <Members editor id=members_id />
    }
}

/// Code and name. Filled from the department when shown; the save is based on that
/// version, so if someone else changed it meanwhile the save is refused, not applied over
/// their change.
#[component]
fn RenameForm(editor: Editor, id: DepartmentId, notice: RwSignal<Option<Notice>>) -> impl IntoView {
    let t = use_texts();
    let code = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let base_version = RwSignal::new(0_i64);
    let dirty = RwSignal::new(false);
    {
        let id = id.clone();
        Effect::new(move |_| {
            let Some(node) = editor.model.with(|m| m.get(&id).cloned()) else {
                return;
            };
            if !dirty.get_untracked() {
                code.set(node.code.into());
                name.set(node.name);
                base_version.set(node.version);
            }
        });
    }
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let id = id.to_string();
        spawn_local(async move {
            let result = update_department(
                id,
                base_version.get_untracked(),
                code.get_untracked(),
                name.get_untracked(),
            )
            .await;
            dirty.set(false);
            match result {
                Ok(()) => notice.set(Some(Notice::Done(editor.texts().org_saved.to_owned()))),
                Err(error) => {
                    editor.failed(error.clone());
                    notice.set(Some(Notice::Failed(error)));
                }
            }
        });
    };
    view! {
        <form class="form form--inline" on:submit=submit>
            <h3>{move || t().org_rename}</h3>
            <div class="field">
                <label for="rename-code">{move || t().field_department_code}</label>
                <input
                    id="rename-code"
                    required
                    prop:value=move || code.get()
                    on:input=move |ev| {
                        dirty.set(true);
                        code.set(event_target_value(&ev));
                    }
                />
            </div>
            <div class="field">
                <label for="rename-name">{move || t().field_department_name}</label>
                <input
                    id="rename-name"
                    required
                    prop:value=move || name.get()
                    on:input=move |ev| {
                        dirty.set(true);
                        name.set(event_target_value(&ev));
                    }
                />
            </div>
            <button class="button button--primary" type="submit">{move || t().org_save}</button>
        </form>
    }
}

#[component]
fn ManagerForm(
    editor: Editor,
    id: DepartmentId,
    notice: RwSignal<Option<Notice>>,
) -> impl IntoView {
    let t = use_texts();
    // Starts at the current manager; emptied, saving removes them.
    let current = editor
        .node(&id)
        .and_then(|node| node.manager)
        .and_then(|manager| {
            manager.employee_code.map(|code| Choice {
                value: code.into(),
                label: manager.name,
                detail: String::new(),
            })
        });
    let picked = RwSignal::new(current.into_iter().collect::<Vec<_>>());
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let code =
            picked.with_untracked(|p| p.first().map(|c| c.value.clone()).unwrap_or_default());
        set_manager(editor, id.clone(), code, notice);
    };
    view! {
        <form class="form form--inline" on:submit=submit>
            <h3>{move || t().org_set_manager}</h3>
            <Picker
                label=Signal::derive(move || t().org_manager_code)
                id="manager-code"
                search=Search::Employees
                picked
                optional=true
            />
            <button class="button" type="submit">{move || t().org_set_manager}</button>
        </form>
    }
}

fn set_manager(
    editor: Editor,
    id: DepartmentId,
    employee_code: String,
    notice: RwSignal<Option<Notice>>,
) {
    let Some(version) = editor.node(&id).map(|n| n.version) else {
        return;
    };
    spawn_local(async move {
        match set_department_manager(id.to_string(), version, employee_code).await {
            Ok(()) => notice.set(Some(Notice::Done(editor.texts().org_saved.to_owned()))),
            Err(error) => {
                editor.failed(error.clone());
                notice.set(Some(Notice::Failed(error)));
            }
        }
    });
}

/// Moving by typing the new parent's code: the way for anyone who neither drags nor
/// remembers the keys.
#[component]
fn MoveForm(editor: Editor, id: DepartmentId, notice: RwSignal<Option<Notice>>) -> impl IntoView {
    let t = use_texts();
    let picked = RwSignal::new(Vec::<Choice>::new());
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let wanted = picked.with_untracked(|p| p.first().map(|c| c.value.clone()));
        let parent = match wanted {
            None => None,
            Some(wanted) => match find_by_code(editor, &wanted) {
                Some(parent) => Some(parent),
                // Deleted by someone else since it was offered.
                None => {
                    notice.set(Some(Notice::Failed(crate::error::AppError::invalid(
                        FormField::ParentId,
                        crate::domain::problem::Problem::UnknownParentCode { code: wanted },
                    ))));
                    return;
                }
            },
        };
        picked.set(Vec::new());
        notice.set(None);
        editor.move_to(id.clone(), parent, usize::MAX);
    };
    view! {
        <form class="form form--inline" on:submit=submit>
            <h3>{move || t().org_move_to}</h3>
            <Picker
                label=Signal::derive(move || t().org_move_parent_code)
                id="move-parent"
                search=Search::Departments
                picked
                optional=true
            />
            <button class="button" type="submit">{move || t().org_move_submit}</button>
        </form>
    }
}

/// Adds a department under `parent` (at the top level for `None`) and shows it.
#[component]
pub fn AddDepartment(editor: Editor, parent: Option<DepartmentId>) -> impl IntoView {
    let t = use_texts();
    let code = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let notice = RwSignal::new(None::<Notice>);
    let prefix = if parent.is_some() { "child" } else { "root" };
    let (code_id, name_id) = (format!("{prefix}-code"), format!("{prefix}-name"));
    let title = if parent.is_some() {
        t().org_add_child
    } else {
        t().org_add_root
    };
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let parent_id = parent.as_ref().map(ToString::to_string).unwrap_or_default();
        spawn_local(async move {
            match create_department(parent_id, code.get_untracked(), name.get_untracked()).await {
                Ok(id) => {
                    code.set(String::new());
                    name.set(String::new());
                    notice.set(Some(Notice::Done(editor.texts().org_added.to_owned())));
                    editor.reload().await;
                    editor.reveal(DepartmentId::from_stored(id));
                }
                Err(error) => notice.set(Some(Notice::Failed(error))),
            }
        });
    };
    view! {
        <form class="form form--inline" on:submit=submit>
            <h3>{title}</h3>
            <div class="field">
                <label for=code_id.clone()>{move || t().field_department_code}</label>
                <input id=code_id required prop:value=move || code.get() on:input=move |ev| code.set(event_target_value(&ev)) />
            </div>
            <div class="field">
                <label for=name_id.clone()>{move || t().field_department_name}</label>
                <input id=name_id required prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev)) />
            </div>
            <NoticeLine notice />
            <button class="button button--primary" type="submit">{move || t().org_add_submit}</button>
        </form>
    }
}

#[component]
fn DeleteButton(
    editor: Editor,
    id: DepartmentId,
    notice: RwSignal<Option<Notice>>,
) -> impl IntoView {
    let t = use_texts();
    let delete = move |_| {
        let Some(node) = editor.node(&id) else { return };
        if !confirm(&(editor.texts().org_delete_confirm)(&node.name)) {
            return;
        }
        spawn_local(async move {
            match delete_department(node.id.to_string(), node.version).await {
                Ok(()) => {
                    editor.selected.set(None);
                    editor
                        .notice
                        .set(Some(Notice::Done(editor.texts().org_deleted.to_owned())));
                    // The focus goes to where the department was (its parent, else the
                    // search box), not to <body>.
                    match node.parent.clone() {
                        Some(parent) => {
                            editor.reveal(parent);
                            editor.focus_tree();
                        }
                        None => crate::components::browser::focus_id("org-search"),
                    }
                }
                Err(error) => {
                    editor.failed(error.clone());
                    notice.set(Some(Notice::Failed(error)));
                }
            }
        });
    };
    view! {
        <div class="actions danger-zone">
            <button type="button" class="button button--danger" on:click=delete>{move || t().org_delete}</button>
        </div>
    }
}

/// The department's members, fifty a page.
#[component]
fn Members(editor: Editor, id: DepartmentId) -> impl IntoView {
    let t = use_texts();
    let lang = use_lang();
    let page = RwSignal::new(1_i64);
    let can_edit = editor.can_edit();
    let notice = RwSignal::new(None::<Notice>);
    // Reload when the department's count or manager changes (an edit, a live event).
    let shape = {
        let id = id.clone();
        Memo::new(move |_| {
            editor
                .node(&id)
                .map(|n| (n.members, n.manager.map(|m| m.id)))
        })
    };
    let members = {
        let id = id.clone();
        Resource::new(
            move || (id.to_string(), page.get(), shape.get()),
            |(id, page, _)| department_members(id, page),
        )
    };
    let list = move |members: MemberPage| {
        let t = t();
        if members.members.is_empty() {
            return view! { <p class="meta">{t.org_no_members}</p> }.into_any();
        }
        let rows = members
            .members
            .into_iter()
            .map(|member| {
                let code = member.person.employee_code.clone().map(String::from);
                let make_manager = (can_edit && !member.manager && code.is_some()).then(|| {
                    let id = id.clone();
                    let code = code.clone().unwrap_or_default();
                    view! {
                        <button type="button" class="link-button" on:click=move |_| set_manager(editor, id.clone(), code.clone(), notice)>
                            {t.org_make_manager}
                        </button>
                    }
                });
                view! {
                    <tr>
                        <td><A href=format!("/org/employees/{}", member.person.id)>{member.person.name}</A></td>
                        <td>{code.unwrap_or_default()}</td>
                        <td>{member.job_title.unwrap_or_default()}</td>
                        <td>
                            <span class="badge">{if member.primary { t.org_primary } else { t.org_concurrent }}</span>
                            {member.manager.then(|| view! { " " <span class="badge badge--active">{t.org_manager}</span> })}
                        </td>
                        <td>{make_manager}</td>
                    </tr>
                }
            })
            .collect_view();
        view! {
            <div class="table-wrap" tabindex="0" role="region" aria-label=t.table_region>
                <table class="table">
                    <thead>
                        <tr>
                            <th scope="col">{t.col_name}</th>
                            <th scope="col">{t.col_employee_code}</th>
                            <th scope="col">{t.field_job_title}</th>
                            <th scope="col">{t.col_department}</th>
                            <th scope="col"><span class="visually-hidden">{t.user_actions_title}</span></th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
            <Pager page=members.page total=members.total per_page=members.per_page label=t.org_members target=PageTarget::Signal(page) />
        }
            .into_any()
    };
    view! {
        <section class="card" aria-labelledby="members-title">
            <h2 id="members-title">{move || t().org_members}</h2>
            <NoticeLine notice />
            <Transition fallback=move || view! { <p>{move || t().working}</p> }>
                {move || {
                    let list = list.clone();
                    Suspend::new(async move {
                    match members.await {
                        Ok(page) => list(page),
                        Err(error) => view! { <p class="form-error" role="alert">{error.message(lang.get())}</p> }.into_any(),
                    }
                })}}
            </Transition>
        </section>
    }
}
