//! The employee directory (`/org/employees`) and one employee's page
//! (`/org/employees/:id`): everyone signed in reads them; system and organization admins
//! add employees and edit their fields and posts. HR fields show only to those the server
//! allows.

use crate::api::employees::{
    CreateEmployee, UpdateEmployee, employee_labels, get_employee, list_employees,
};
use crate::components::browser::urlencode;
use crate::components::forms::{DateField, Field, FormError, LanguageField, reset_form};
use crate::components::gate::{Gate, Need};
use crate::components::page_title::PageTitle;
use crate::components::pager::{PageTarget, Pager};
use crate::components::picker::{Picker, Search};
use crate::domain::choice::Choice;
use crate::domain::employees::{EmployeeList, EmployeeView, LabelsInUse, PostView};
use crate::error::AppError;
use crate::i18n::{Lang, use_lang, use_texts};
use crate::shell::use_signed_in_user;
use leptos::prelude::*;
use leptos_router::components::{A, Form};
use leptos_router::hooks::{use_params_map, use_query_map};
use std::sync::Arc;

/// The fields of an employee, empty for a new one or filled for an edit. Names match the
/// server functions' arguments.
#[component]
fn EmployeeFields(
    #[prop(optional)] employee: Option<EmployeeView>,
    /// The form's last error, shown at its field.
    #[prop(into)]
    error: Signal<Option<AppError>>,
) -> impl IntoView {
    let t = use_texts();
    let value =
        |f: fn(&EmployeeView) -> Option<String>| employee.as_ref().and_then(f).unwrap_or_default();
    let details = |f: fn(&crate::domain::employees::EmployeeDetails) -> Option<String>| {
        employee
            .as_ref()
            .and_then(|e| e.details.as_ref())
            .and_then(f)
            .unwrap_or_default()
    };
    // The departments of the employee's posts, as their pickers start.
    let posts = |keep: fn(&PostView) -> bool| {
        let choices: Vec<Choice> = employee
            .iter()
            .flat_map(|e| e.posts.iter())
            .filter(|p| keep(p))
            .map(|p| Choice {
                value: p.code.to_string(),
                label: p.name.clone(),
                detail: String::new(),
            })
            .collect();
        RwSignal::new(choices)
    };
    let primary = posts(|p| p.primary);
    let concurrent = posts(|p| !p.primary);
    let managed = posts(|p| p.manager);
    // Suggestions: the grades, employment types and job titles the tenant already uses.
    // Fetched by the browser once the form is on screen: suggestions must not hold up the
    // page (a resource read here would make the server wait for it).
    let labels = RwSignal::new(LabelsInUse::default());
    Effect::new(move |_| {
        leptos::task::spawn_local(async move {
            if let Ok(found) = employee_labels().await {
                labels.set(found);
            }
        });
    });
    let suggest =
        move |pick: fn(&LabelsInUse) -> Vec<String>| Signal::derive(move || labels.with(pick));
    view! {
        <Field error=error label=Signal::derive(move || t().col_employee_code) name="employee_code" value=value(|e| e.person.employee_code.as_ref().map(ToString::to_string)) />
        <Field error=error label=Signal::derive(move || t().field_display_name) name="display_name" value=value(|e| Some(e.person.name.clone())) />
        <Field error=error label=Signal::derive(move || t().field_kana) name="kana" value=value(|e| e.kana.clone()) optional=true />
        <Field error=error label=Signal::derive(move || t().field_email) name="email" kind="email" value=value(|e| Some(e.email.to_string())) />
        <Field error=error label=Signal::derive(move || t().field_job_title) name="job_title" value=value(|e| e.job_title.clone()) optional=true suggestions=suggest(|l| l.job_titles.clone()) />
        <Field error=error label=Signal::derive(move || t().field_grade) name="grade" value=details(|d| d.grade.clone()) optional=true suggestions=suggest(|l| l.grades.clone()) />
        <Field error=error label=Signal::derive(move || t().field_employment_type) name="employment_type" value=details(|d| d.employment_type.clone()) optional=true suggestions=suggest(|l| l.employment_types.clone()) />
        <DateField error=error label=Signal::derive(move || t().field_hire_date) name="hire_date" value=details(|d| d.hire_date.map(|date| date.iso())) optional=true />
        <Picker error=error label=Signal::derive(move || t().field_primary_department) id="department_code" name="department_code" search=Search::Departments picked=primary optional=true />
        <Picker error=error label=Signal::derive(move || t().field_concurrent_codes) id="concurrent_codes" name="concurrent_codes" search=Search::Departments picked=concurrent multiple=true optional=true />
        <Picker error=error label=Signal::derive(move || t().field_manages_codes) id="manages_codes" name="manages_codes" search=Search::Departments picked=managed multiple=true optional=true />
    }
}

/// Behind the gate: built only for a reader who may use it.
#[component]
pub fn EmployeesPage() -> impl IntoView {
    view! {
        <Gate need=Need::SignedIn>
            <EmployeesContent />
        </Gate>
    }
}

#[component]
fn EmployeesContent() -> impl IntoView {
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
    let me = use_signed_in_user();
    let create = ServerAction::<CreateEmployee>::new();
    let list = Resource::new(
        move || (q(), page(), create.version().get()),
        |(q, page, _)| list_employees(q, page),
    );
    let create_error = Signal::derive(move || create.value().get().and_then(Result::err));
    // After a creation the fields start afresh (pickers and dates hold their own state).
    let fresh_form = RwSignal::new(0_u32);
    Effect::new(move |_| {
        if let Some(Ok(_)) = create.value().get() {
            reset_form("new-employee-form");
            fresh_form.update(|n| *n += 1);
        }
    });
    let rows = move |list: EmployeeList| {
        let t = t();
        let link = move |p: i64| format!("/org/employees?q={}&page={p}", urlencode(&q()));
        let body = if list.items.is_empty() {
            view! { <p>{t.employees_none}</p> }.into_any()
        } else {
            view! {
                <div class="table-wrap" tabindex="0" role="region" aria-label=t.table_region>
                    <table class="table">
                        <thead>
                            <tr>
                                <th scope="col">{t.col_name}</th>
                                <th scope="col">{t.field_kana}</th>
                                <th scope="col">{t.col_employee_code}</th>
                                <th scope="col">{t.col_department}</th>
                                <th scope="col">{t.field_job_title}</th>
                                <th scope="col">{t.col_status}</th>
                            </tr>
                        </thead>
                        <tbody>
                            {list
                                .items
                                .into_iter()
                                .map(|item| view! {
                                    <tr>
                                        // A plain link (the router still navigates in place): a
                                        // router <A> per row costs reactive state for nothing.
                                        <td><a href=format!("/org/employees/{}", item.person.id)>{item.person.name}</a></td>
                                        <td>{item.kana.unwrap_or_default()}</td>
                                        <td>{item.person.employee_code.map(String::from)}</td>
                                        <td>{item.department.map(|(code, name)| format!("{name} ({code})")).unwrap_or_default()}</td>
                                        <td>{item.job_title.unwrap_or_default()}</td>
                                        <td><span class=format!("badge badge--{}", item.status)>{t.account_status(item.status)}</span></td>
                                    </tr>
                                })
                                .collect_view()}
                        </tbody>
                    </table>
                </div>
            }
                .into_any()
        };
        view! {
            <p class="meta">{crate::i18n::counted(t.users_count, list.total)}</p>
            {body}
            <Pager page=list.page total=list.total per_page=list.per_page label=t.employees_title target=PageTarget::Link(Arc::new(link)) />
        }
    };
    let can_edit = move || {
        me.get()
            .and_then(Result::ok)
            .flatten()
            .is_some_and(|user| user.can_edit_organization())
    };
    view! {
        <PageTitle pick=|t| t.employees_title />
        <div class="page-head">
            <h1>{move || t().employees_title}</h1>
            <nav class="page-head__links" aria-label=move || t().employees_title>
                <A href="/org">{move || t().nav_org}</A>
            </nav>
        </div>
        <Form method="GET" action="" attr:class="search" attr:role="search">
            <label for="q" class="visually-hidden">{move || t().employees_search}</label>
            <input id="q" type="search" name="q" value=q placeholder=move || t().employees_search />
            <button class="button" type="submit">{move || t().users_search_submit}</button>
        </Form>
        <Transition fallback=move || view! { <p>{move || t().working}</p> }>
            {move || Suspend::new(async move {
                match list.await {
                    Ok(list) => rows(list).into_any(),
                    Err(error) => view! { <p class="form-error" role="alert">{error.message(lang.get())}</p> }.into_any(),
                }
            })}
        </Transition>
        <Transition fallback=|| ()>
            <Show when=can_edit>
                <section class="card" aria-labelledby="new-employee">
                    <h2 id="new-employee">{move || t().employees_new}</h2>
                    <ActionForm action=create attr:class="form form--grid" attr:id="new-employee-form">
                        {move || {
                            fresh_form.track();
                            view! { <EmployeeFields error=create_error /> }
                        }}
                        <LanguageField selected=Lang::Ja />
                        <label class="checkbox" for="invite">
                            <input type="checkbox" id="invite" name="invite" value="on" checked=true />
                            {move || t().employees_invite}
                        </label>
                        <FormError error=create_error />
                        <Show when=move || matches!(create.value().get(), Some(Ok(_)))>
                            <p class="form-success" role="status">{move || t().employees_created}</p>
                        </Show>
                        <button class="button button--primary" type="submit" disabled=move || create.pending().get()>
                            {move || t().employees_create_submit}
                        </button>
                    </ActionForm>
                </section>
            </Show>
        </Transition>
    }
}

/// Behind the gate: built only for a reader who may use it.
#[component]
pub fn EmployeePage() -> impl IntoView {
    view! {
        <Gate need=Need::SignedIn>
            <EmployeeContent />
        </Gate>
    }
}

#[component]
fn EmployeeContent() -> impl IntoView {
    let t = use_texts();
    let lang = use_lang();
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let me = use_signed_in_user();
    let update = ServerAction::<UpdateEmployee>::new();
    let employee = Resource::new(
        move || (id(), update.version().get()),
        |(id, _)| get_employee(id),
    );
    let update_error = Signal::derive(move || update.value().get().and_then(Result::err));
    let is_system_admin = move || {
        me.get()
            .and_then(Result::ok)
            .flatten()
            .is_some_and(|user| user.is_system_admin())
    };
    let details = move |employee: EmployeeView| {
        let t = t();
        let person_link = |person: Option<crate::domain::org_chart::PersonRef>,
                           why_none: &'static str| match person {
            Some(person) => {
                view! { <A href=format!("/org/employees/{}", person.id)>{person.name}</A> }
                    .into_any()
            }
            None => {
                view! { <span>{t.employee_none}</span> " " <span class="meta">{why_none}</span> }
                    .into_any()
            }
        };
        // Why nobody is proposed, so that the admin knows what to change on the chart.
        let why_no_first = if employee.posts.is_empty() {
            t.employee_no_first_no_posts
        } else {
            t.employee_no_first_no_manager
        };
        let posts = if employee.posts.is_empty() {
            view! { <p class="meta">{t.employee_no_posts}</p> }.into_any()
        } else {
            view! {
                <ul class="posts">
                    {employee
                        .posts
                        .iter()
                        .map(|post| view! {
                            <li>
                                {format!("{} ({})", post.name, post.code)} " "
                                <span class="badge">{if post.primary { t.org_primary } else { t.org_concurrent }}</span>
                                {post.manager.then(|| view! { " " <span class="badge badge--active">{t.org_manager}</span> })}
                            </li>
                        })
                        .collect_view()}
                </ul>
            }
                .into_any()
        };
        let hr = employee.details.clone().map(|d| {
            view! {
                <dt>{t.field_grade}</dt>
                <dd>{d.grade.unwrap_or_else(|| "-".into())}</dd>
                <dt>{t.field_employment_type}</dt>
                <dd>{d.employment_type.unwrap_or_else(|| "-".into())}</dd>
                <dt>{t.field_hire_date}</dt>
                <dd>{d.hire_date.map_or_else(|| "-".into(), |date| date.iso())}</dd>
            }
        });
        let account = employee.person.id.clone();
        let edit = employee.can_edit.then(|| {
            let editing = employee.clone();
            let hidden_id = employee.person.id.clone();
            view! {
                <section class="card" aria-labelledby="edit-employee">
                    <h2 id="edit-employee">{t.employee_edit}</h2>
                    <ActionForm action=update attr:class="form form--grid">
                        <input type="hidden" name="id" value=hidden_id.to_string() />
                        <EmployeeFields employee=editing error=update_error />
                        <FormError error=update_error />
                        <Show when=move || matches!(update.value().get(), Some(Ok(())))>
                            <p class="form-success" role="status">{move || t.user_saved}</p>
                        </Show>
                        <button class="button button--primary" type="submit">{t.user_save}</button>
                    </ActionForm>
                </section>
            }
        });
        view! {
            <h1>{employee.person.name.clone()}</h1>
            <p class="meta">
                {employee.kana.clone().unwrap_or_default()} " · " {employee.person.employee_code.clone().map(String::from)} " · "
                <span class=format!("badge badge--{}", employee.status)>{t.account_status(employee.status)}</span>
            </p>
            <section class="card" aria-labelledby="employee-facts">
                <h2 id="employee-facts">{t.employee_title}</h2>
                <dl class="facts">
                    <dt>{t.field_email}</dt>
                    <dd>{employee.email.clone()}</dd>
                    <dt>{t.field_job_title}</dt>
                    <dd>{employee.job_title.clone().unwrap_or_else(|| "-".into())}</dd>
                    {hr}
                </dl>
                <h3>{t.employee_posts}</h3>
                {posts}
                <h3>{t.employee_reporting}</h3>
                <dl class="facts">
                    <dt>{t.employee_first_evaluator}</dt>
                    <dd>{person_link(employee.manager.clone(), why_no_first)}</dd>
                    <dt>{t.employee_second_evaluator}</dt>
                    <dd>{person_link(employee.second_manager.clone(), t.employee_no_second)}</dd>
                </dl>
                <Show when=is_system_admin>
                    <p><A href=format!("/admin/users/{account}")>{t.employee_account}</A></p>
                </Show>
            </section>
            {edit}
        }
    };
    view! {
        <PageTitle pick=|t| t.employee_title />
        <p>
            <A href="/org/employees">{move || t().back_to_employees}</A>
            " · "
            <A href="/org">{move || t().back_to_org}</A>
        </p>
        <Transition fallback=move || view! { <p>{move || t().working}</p> }>
            {move || Suspend::new(async move {
                match employee.await {
                    Ok(employee) => details(employee).into_any(),
                    Err(error) => view! { <p class="form-error" role="alert">{error.message(lang.get())}</p> }.into_any(),
                }
            })}
        </Transition>
    }
}
