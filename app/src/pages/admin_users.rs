//! User administration for system admins: the searchable, paged list with the creation
//! form, and one user's page with edits, roles and account actions. The server decides
//! who may do what; these pages only show what it answers.

use crate::api::users::{
    CreateUser, DeleteUser, ResendInvitation, SetBusinessScope, SetUserActive, SetUserRoles,
    SignOutUserEverywhere, UpdateUser, get_user, list_users,
};
use crate::components::browser::urlencode;
use crate::components::forms::{Field, FormError, LanguageField, confirm, reset_form};
use crate::components::gate::{Gate, Need};
use crate::components::mail_queue::MailQueueNote;
use crate::components::page_title::PageTitle;
use crate::components::pager::{PageTarget, Pager};
use crate::components::picker::{Picker, Search};
use crate::domain::account_status::AccountStatus;
use crate::domain::roles::Role;
use crate::domain::users::UserSummary;
use crate::i18n::{Lang, Texts, use_lang, use_texts};
use leptos::prelude::*;
use leptos_router::components::{A, Form};
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};
use std::sync::Arc;

fn role_name(role: Role, lang: Lang) -> &'static str {
    let (ja, en) = role.names();
    if lang == Lang::Ja { ja } else { en }
}

/// The role checkboxes, named as the server functions' arguments.
#[component]
fn RoleCheckboxes(#[prop(optional)] checked: Vec<Role>) -> impl IntoView {
    let lang = use_lang();
    Role::ALL
        .into_iter()
        .map(|role| {
            let id = format!("role-{}", role.as_str());
            let label_for = id.clone();
            let is_checked = checked.contains(&role);
            view! {
                <label class="checkbox" for=label_for>
                    <input type="checkbox" id=id name=role.as_str() value="on" checked=is_checked />
                    {move || role_name(role, lang.get())}
                </label>
            }
        })
        .collect_view()
}

/// Behind the gate: built only for a reader who may use it.
/// An action's outcome, as `ActionResult` shows it.
fn outcome<T: Clone + Send + Sync + 'static>(
    value: impl Get<Value = Option<Result<T, crate::error::AppError>>> + Send + Sync + 'static,
) -> Signal<Option<Result<(), crate::error::AppError>>> {
    Signal::derive(move || value.get().map(|result| result.map(drop)))
}

/// What the last run of one action did, right where it was asked for: its success (said
/// politely) or its refusal (said at once).
#[component]
fn ActionResult(
    outcome: Signal<Option<Result<(), crate::error::AppError>>>,
    done: impl Fn(&'static Texts) -> &'static str + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let t = use_texts();
    let lang = use_lang();
    move || match outcome.get() {
        Some(Ok(())) => {
            Some(view! { <p class="form-success" role="status">{done(t())}</p> }.into_any())
        }
        Some(Err(error)) => Some(
            view! { <p class="form-error" role="alert">{error.message(lang.get())}</p> }.into_any(),
        ),
        None => None,
    }
}

#[component]
pub fn UsersPage() -> impl IntoView {
    view! {
        <Gate need=Need::SystemAdmin>
            <UsersContent />
        </Gate>
    }
}

#[component]
fn UsersContent() -> impl IntoView {
    let t = use_texts();
    let lang = use_lang();
    let query = use_query_map();
    let q = move || query.read().get("q").unwrap_or_default();
    let page = move || {
        query
            .read()
            .get("page")
            .and_then(|p| p.parse::<i64>().ok())
            .unwrap_or(1)
    };
    let create = ServerAction::<CreateUser>::new();
    let users = Resource::new(
        move || (q(), page(), create.version().get()),
        |(q, page, _)| list_users(q, page),
    );
    let create_error = Signal::derive(move || create.value().get().and_then(Result::err));
    let created = move || matches!(create.value().get(), Some(Ok(_)));
    // Ready for the next person once one is added.
    Effect::new(move |_| {
        if let Some(Ok(_)) = create.value().get() {
            reset_form("new-user-form");
        }
    });

    let rows = move |page: crate::domain::users::UserPage| {
        let t = t();
        let link = move |p: i64| format!("/admin/users?q={}&page={p}", urlencode(&q()));
        let body = if page.users.is_empty() {
            view! { <p>{t.users_none}</p> }.into_any()
        } else {
            view! {
                <div class="table-wrap" tabindex="0" role="region" aria-label=t.table_region>
                    <table class="table">
                        <thead>
                            <tr>
                                <th scope="col">{t.col_name}</th>
                                <th scope="col">{t.field_email}</th>
                                <th scope="col">{t.col_employee_code}</th>
                                <th scope="col">{t.col_status}</th>
                                <th scope="col">{t.col_roles}</th>
                                <th scope="col">{t.col_last_login}</th>
                            </tr>
                        </thead>
                        <tbody>
                            {page
                                .users
                                .into_iter()
                                .map(|user| {
                                    let roles = user
                                        .roles
                                        .iter()
                                        .map(|r| role_name(*r, lang.get()))
                                        .collect::<Vec<_>>()
                                        .join(t.punct_list);
                                    view! {
                                        <tr>
                                            <td>
                                                <A href=format!("/admin/users/{}", user.id)>{user.display_name}</A>
                                            </td>
                                            <td>{user.email.to_string()}</td>
                                            <td>{user.employee_code.map(String::from)}</td>
                                            <td>
                                                <span class=format!("badge badge--{}", user.status)>
                                                    {t.account_status(user.status)}
                                                </span>
                                            </td>
                                            <td>{roles}</td>
                                            <td>{user.last_login.unwrap_or_else(|| "-".into())}</td>
                                        </tr>
                                    }
                                })
                                .collect_view()}
                        </tbody>
                    </table>
                </div>
            }
                .into_any()
        };
        view! {
            <p class="meta">
                {crate::i18n::counted(t.users_count, page.total)} " · "
                {(t.users_seats)(page.seats_in_use, page.seat_limit)}
            </p>
            {body}
            <Pager page=page.page total=page.total per_page=page.per_page label=t.users_title target=PageTarget::Link(Arc::new(link)) />
        }
    };

    view! {
        <PageTitle pick=|t| t.users_title />
        <h1>{move || t().users_title}</h1>
        <MailQueueNote />
        <Form method="GET" action="" attr:class="search" attr:role="search">
            <label for="q" class="visually-hidden">{move || t().users_search}</label>
            <input id="q" type="search" name="q" value=q placeholder=move || t().users_search />
            <button class="button" type="submit">{move || t().users_search_submit}</button>
        </Form>
        <Transition fallback=move || view! { <p>{move || t().working}</p> }>
            {move || Suspend::new(async move {
                match users.await {
                    Ok(page) => rows(page).into_any(),
                    Err(error) => view! { <p class="form-error" role="alert">{error.message(lang.get())}</p> }.into_any(),
                }
            })}
        </Transition>
        <section class="card" aria-labelledby="new-user">
            <h2 id="new-user">{move || t().users_new}</h2>
            <ActionForm action=create attr:class="form form--grid" attr:id="new-user-form">
                <Field error=create_error label=Signal::derive(move || t().field_display_name) name="display_name" />
                <Field error=create_error label=Signal::derive(move || t().field_email) name="email" kind="email" />
                <Field error=create_error label=Signal::derive(move || t().field_employee_code) name="employee_code" optional=true />
                <LanguageField selected=Lang::Ja />
                <fieldset class="roles">
                    <legend>{move || t().col_roles}</legend>
                    <RoleCheckboxes />
                </fieldset>
                <FormError error=create_error />
                <Show when=created>
                    <p class="form-success" role="status">{move || t().users_created}</p>
                </Show>
                <button class="button button--primary" type="submit" disabled=move || create.pending().get()>
                    {move || t().users_create_submit}
                </button>
            </ActionForm>
        </section>
    }
}

/// Behind the gate: built only for a reader who may use it.
#[component]
pub fn UserPage() -> impl IntoView {
    view! {
        <Gate need=Need::SystemAdmin>
            <UserContent />
        </Gate>
    }
}

#[component]
fn UserContent() -> impl IntoView {
    let t = use_texts();
    let lang = use_lang();
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let update = ServerAction::<UpdateUser>::new();
    let roles = ServerAction::<SetUserRoles>::new();
    let active = ServerAction::<SetUserActive>::new();
    let resend = ServerAction::<ResendInvitation>::new();
    let sign_out = ServerAction::<SignOutUserEverywhere>::new();
    let delete = ServerAction::<DeleteUser>::new();
    let scope = ServerAction::<SetBusinessScope>::new();
    let user = Resource::new(
        move || {
            (
                id(),
                update.version().get(),
                roles.version().get(),
                active.version().get(),
                scope.version().get(),
            )
        },
        |(id, ..)| get_user(id),
    );
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(())) = delete.value().get() {
            navigate("/admin/users", Default::default());
        }
    });
    // The last error or success of any action on this page.
    let error = Signal::derive(move || {
        [
            update.value().get().and_then(Result::err),
            roles.value().get().and_then(Result::err),
            active.value().get().and_then(Result::err),
            resend.value().get().and_then(Result::err),
            sign_out.value().get().and_then(|r| r.err()),
            delete.value().get().and_then(Result::err),
            scope.value().get().and_then(Result::err),
        ]
        .into_iter()
        .flatten()
        .next()
    });
    let confirm_delete = move |ev: leptos::ev::SubmitEvent| {
        if !confirm(t().user_delete_confirm) {
            ev.prevent_default();
        }
    };
    // Deactivating ends the user's sessions at once: asked first. Reactivating is not.
    let confirm_active = move |ev: leptos::ev::SubmitEvent| {
        let deactivating = user
            .get_untracked()
            .and_then(Result::ok)
            .is_some_and(|u| u.status != AccountStatus::Deactivated);
        if deactivating && !confirm(t().user_deactivate_confirm) {
            ev.prevent_default();
        }
    };

    let details = move |user: UserSummary| {
        // Copy, so every form's children can take the hidden id field.
        let uid = StoredValue::new(user.id.clone());
        let hidden =
            move || view! { <input type="hidden" name="id" value=uid.get_value().to_string() /> };
        let status = user.status;
        let is_deactivated = user.status == AccountStatus::Deactivated;
        let is_invited = user.status == AccountStatus::Invited;
        view! {
            <h1>{user.display_name.clone()}</h1>
            <p class="meta">
                <span class=format!("badge badge--{}", user.status)>{move || t().account_status(status)}</span>
                " · " {move || t().col_last_login} ": " {user.last_login.clone().unwrap_or_else(|| "-".into())}
            </p>
            <section class="card" aria-labelledby="edit-title">
                <h2 id="edit-title">{move || t().user_edit_title}</h2>
                <ActionForm action=update attr:class="form form--grid">
                    {hidden()}
                    <Field error=error label=Signal::derive(move || t().field_display_name) name="display_name" value=user.display_name.clone() />
                    <Field error=error label=Signal::derive(move || t().field_email) name="email" kind="email" value=user.email.to_string() />
                    <Field
                        error=error
                        label=Signal::derive(move || t().field_employee_code)
                        name="employee_code"
                        value=user.employee_code.as_ref().map(ToString::to_string).unwrap_or_default()
                        optional=true
                    />
                    <LanguageField selected=user.language />
                    <button class="button button--primary" type="submit">{move || t().user_save}</button>
                </ActionForm>
                <ActionResult outcome=outcome(update.value()) done=|t| t.user_saved />
            </section>
            <section class="card" aria-labelledby="roles-title">
                <h2 id="roles-title">{move || t().user_roles_title}</h2>
                <ActionForm action=roles attr:class="form">
                    {hidden()}
                    <fieldset class="roles">
                        <legend class="visually-hidden">{move || t().user_roles_title}</legend>
                        <RoleCheckboxes checked=user.roles.clone() />
                    </fieldset>
                    <button class="button button--primary" type="submit">{move || t().user_roles_save}</button>
                </ActionForm>
                <ActionResult outcome=outcome(roles.value()) done=|t| t.user_roles_saved />
            </section>
            <section class="card" aria-labelledby="scope-title">
                <h2 id="scope-title">{move || t().scope_title}</h2>
                <ActionForm action=scope attr:class="form">
                    {hidden()}
                    <Picker
                        error=error
                        label=Signal::derive(move || t().scope_label)
                        id="department_codes"
                        name="department_codes"
                        search=Search::Departments
                        picked=RwSignal::new(user.business_scope.clone())
                        multiple=true
                        optional=true
                    />
                    <button class="button button--primary" type="submit">{move || t().scope_save}</button>
                </ActionForm>
                <ActionResult outcome=outcome(scope.value()) done=|t| t.scope_saved />
            </section>
            <section class="card" aria-labelledby="actions-title">
                <h2 id="actions-title">{move || t().user_actions_title}</h2>
                <div class="actions">
                    <ActionForm action=active on:submit=confirm_active>
                        {hidden()}
                        <input type="hidden" name="active" value=is_deactivated.to_string() />
                        <button class="button" type="submit">
                            {move || if is_deactivated { t().user_reactivate } else { t().user_deactivate }}
                        </button>
                    </ActionForm>
                    {is_invited
                        .then(|| {
                            view! {
                                <ActionForm action=resend>
                                    {hidden()}
                                    <button class="button" type="submit">{move || t().user_resend}</button>
                                </ActionForm>
                            }
                        })}
                    <ActionForm action=sign_out>
                        {hidden()}
                        <button class="button" type="submit">{move || t().user_sign_out}</button>
                    </ActionForm>
                    <ActionForm action=delete on:submit=confirm_delete>
                        {hidden()}
                        <button class="button button--danger" type="submit">{move || t().user_delete}</button>
                    </ActionForm>
                </div>
                // Each account action says what it did, here beside the buttons.
                <ActionResult outcome=outcome(active.value()) done=move |t| if is_deactivated { t.user_deactivated } else { t.user_reactivated } />
                <ActionResult outcome=outcome(resend.value()) done=|t| t.user_resent />
                <ActionResult outcome=outcome(sign_out.value()) done=|t| t.user_signed_out />
                <ActionResult outcome=outcome(delete.value()) done=|t| t.user_done />
            </section>
        }
    };

    view! {
        <PageTitle pick=|t| t.user_edit_title />
        <p>
            <A href="/admin/users">{move || t().back_to_users}</A>
        </p>
        <Transition fallback=move || view! { <p>{move || t().working}</p> }>
            {move || Suspend::new(async move {
                match user.await {
                    Ok(user) => details(user).into_any(),
                    Err(error) => view! { <p class="form-error" role="alert">{error.message(lang.get())}</p> }.into_any(),
                }
            })}
        </Transition>
    }
}
