//! Evaluation periods (`/evaluation/periods`): the list with a form for a new one, and a
//! period's page (`/evaluation/periods/:id`). A draft's page plans it (name, term, stages,
//! people picked by department and by hand, a deadline per phase, the calibration
//! guideline, the disclosure), previews who it holds with their evaluators, fixes those
//! without one by hand or by CSV, and launches it. A running period's page shows its
//! phases (close, reopen) and its sheets (change evaluators, extend a deadline, exclude),
//! adds late joiners, hands an evaluator's sheets over, and ends the period. System and
//! evaluation admins change; business admins read (the server decides on every call).

use crate::api::evaluation::{
    add_sheet, choose_evaluators, close_period, create_period, delete_period, exclude_sheet,
    extend_sheet_deadline, get_period, hand_over, launch_period, list_periods, list_sheets,
    list_templates, preview_period, set_phase_closed, set_sheet_evaluators, update_period,
};
use crate::components::forms::{Notice, NoticeLine, confirm, failed};
use crate::components::gate::{Gate, Need};
use crate::components::page_title::PageTitle;
use crate::components::pager::{PageTarget, Pager};
use crate::components::picker::{Picker, Search, static_id};
use crate::domain::choice::{Choice, LIST_SEPARATOR};
use crate::domain::evaluation::Stage;
use crate::domain::evaluation::period::{
    EvaluatorFileReport, PeriodDraft, PeriodIssue, PeriodPreview, PeriodState,
    PersonWithEvaluators, SheetRow, StoredPeriod,
};
use crate::domain::evaluation::workflow::Phase;
use crate::domain::org_chart::PersonRef;
use crate::domain::problem::Problem;
use crate::i18n::periods::{sheet_state_name, state_name};
use crate::i18n::{Lang, in_lang, phase_name, use_lang, use_texts};
use crate::shell::use_signed_in_user;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_params_map};

/// Whether the reader may change periods (the server decides again on every call).
fn can_manage() -> Signal<bool> {
    let me = use_signed_in_user();
    Signal::derive(move || {
        me.get()
            .and_then(Result::ok)
            .flatten()
            .is_some_and(|user| user.can_manage_evaluation())
    })
}

fn issue_text(issue: &PeriodIssue, lang: Lang) -> String {
    Problem::Period {
        at: issue.at,
        problem: issue.problem.clone(),
    }
    .text(lang)
}

/// `E0001 山田 太郎`, or a dash for nobody.
fn person_text(person: &Option<PersonRef>, nobody: &str) -> String {
    match person {
        Some(p) => match &p.employee_code {
            Some(code) => format!("{code} {}", p.name),
            None => p.name.clone(),
        },
        None => nobody.to_owned(),
    }
}

fn codes_of(picked: &[Choice]) -> String {
    picked
        .iter()
        .map(|c| c.value.as_str())
        .collect::<Vec<_>>()
        .join(LIST_SEPARATOR)
}

fn choice_of(person: &PersonRef) -> Option<Choice> {
    person.employee_code.as_ref().map(|code| Choice {
        value: code.to_string(),
        label: person.name.clone(),
        detail: String::new(),
    })
}

// ---- the list ----------------------------------------------------------------------------

#[component]
pub fn PeriodsPage() -> impl IntoView {
    view! {
        <Gate need=Need::EvaluationReader>
            <PeriodsContent />
        </Gate>
    }
}

#[component]
fn PeriodsContent() -> impl IntoView {
    let t = use_texts();
    let lang = use_lang();
    let manage = can_manage();
    let periods = Resource::new(|| (), |_| list_periods());
    let rows = move |list: Vec<crate::domain::evaluation::period::PeriodSummary>| {
        let p = t().period;
        if list.is_empty() {
            return view! { <p>{p.none}</p> }.into_any();
        }
        let rows = list
            .into_iter()
            .map(|row| {
                let term = format!(
                    "{} 〜 {}",
                    row.term_start.map(|d| d.iso()).unwrap_or_default(),
                    row.term_end.map(|d| d.iso()).unwrap_or_default()
                );
                view! {
                    <tr>
                        <td><A href=format!("/evaluation/periods/{}", row.id)>{row.name}</A></td>
                        <td>{term}</td>
                        <td><span class=format!("badge badge--{}", row.state.as_str())>{state_name(row.state, lang.get_untracked())}</span></td>
                        <td class="num">{row.sheets}</td>
                        <td>{row.updated}</td>
                    </tr>
                }
            })
            .collect_view();
        view! {
            <div class="table-wrap" tabindex="0" role="region" aria-label=p.list_title>
                <table class="table">
                    <thead>
                        <tr>
                            <th scope="col">{p.col_name}</th>
                            <th scope="col">{p.col_term}</th>
                            <th scope="col">{p.col_state}</th>
                            <th scope="col">{p.col_sheets}</th>
                            <th scope="col">{p.col_updated}</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        }
        .into_any()
    };
    view! {
        <PageTitle pick=|t| t.period.list_title />
        <h1>{move || t().period.list_title}</h1>
        <p class="lead">{move || t().period.list_lead}</p>
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match periods.await {
                    Ok(list) => rows(list),
                    Err(error) => view! { <NoticeLine notice=Signal::derive(move || failed(error.clone())) /> }.into_any(),
                }
            })}
        </Transition>
        <Show when=move || manage.get()>
            <NewPeriod />
        </Show>
    }
}

#[component]
fn NewPeriod() -> impl IntoView {
    let t = use_texts();
    let templates = Resource::new(|| (), |_| list_templates());
    let name = RwSignal::new(String::new());
    let start = RwSignal::new(String::new());
    let end = RwSignal::new(String::new());
    let template = RwSignal::new(String::new());
    let notice = RwSignal::new(None::<Notice>);
    let busy = RwSignal::new(false);
    let navigate = use_navigate();
    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        notice.set(None);
        busy.set(true);
        let navigate = navigate.clone();
        spawn_local(async move {
            let made = create_period(
                name.get_untracked(),
                start.get_untracked(),
                end.get_untracked(),
                template.get_untracked(),
            )
            .await;
            busy.set(false);
            match made {
                Ok(id) => navigate(&format!("/evaluation/periods/{id}"), Default::default()),
                Err(error) => notice.set(failed(error)),
            }
        });
    };
    view! {
        <section class="card" aria-labelledby="new-period">
            <h2 id="new-period">{move || t().period.new_heading}</h2>
            <form class="period-new" on:submit=create>
                <div class="field">
                    <label class="field__label" for="period-new-name">{move || t().period.name}</label>
                    <input id="period-new-name" type="text" required placeholder=move || t().period.name_hint
                        prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev)) />
                </div>
                <div class="field-row">
                    <div class="field">
                        <label class="field__label" for="period-new-start">{move || t().period.term_start}</label>
                        <input id="period-new-start" type="date" required prop:value=move || start.get()
                            on:input=move |ev| start.set(event_target_value(&ev)) />
                    </div>
                    <div class="field">
                        <label class="field__label" for="period-new-end">{move || t().period.term_end}</label>
                        <input id="period-new-end" type="date" required prop:value=move || end.get()
                            on:input=move |ev| end.set(event_target_value(&ev)) />
                    </div>
                </div>
                <div class="field">
                    <label class="field__label" for="period-new-template">{move || t().period.template}</label>
                    <Transition fallback=|| ()>
                        {move || Suspend::new(async move {
                            let list = templates.await.unwrap_or_default();
                            if list.is_empty() {
                                return view! { <p class="field__hint">{t().period.no_templates}</p> }.into_any();
                            }
                            view! {
                                <select id="period-new-template" required on:change=move |ev| template.set(event_target_value(&ev))>
                                    <option value="">{t().period.template_choose}</option>
                                    {list.into_iter().map(|tpl| view! { <option value=tpl.id.to_string()>{tpl.name}</option> }).collect_view()}
                                </select>
                            }.into_any()
                        })}
                    </Transition>
                </div>
                <NoticeLine notice=notice />
                <button type="submit" class="button button--primary" disabled=move || busy.get()>
                    {move || t().period.create}
                </button>
            </form>
        </section>
    }
}

// ---- one period --------------------------------------------------------------------------

#[component]
pub fn PeriodPage() -> impl IntoView {
    view! {
        <Gate need=Need::EvaluationReader>
            <PeriodContent />
        </Gate>
    }
}

#[component]
fn PeriodContent() -> impl IntoView {
    let t = use_texts();
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    // Bumped by every change, so that the page reads the period again.
    let changed = RwSignal::new(0_u32);
    let notice = RwSignal::new(None::<Notice>);
    let stored = Resource::new(move || (id(), changed.get()), |(id, _)| get_period(id));
    view! {
        <PageTitle pick=|t| t.period.list_title />
        <p><A href="/evaluation/periods">{move || t().period.back}</A></p>
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match stored.await {
                    Ok(period) => view! { <Period period changed notice /> }.into_any(),
                    Err(error) => view! { <NoticeLine notice=Signal::derive(move || failed(error.clone())) /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Period(
    period: StoredPeriod,
    changed: RwSignal<u32>,
    notice: RwSignal<Option<Notice>>,
) -> impl IntoView {
    let t = use_texts();
    let lang = use_lang();
    let manage = can_manage();
    let state = period.state;
    let id = period.id.to_string();
    let heading = period.plan.name.clone();
    let facts = [
        period.template_name.clone().unwrap_or_default(),
        format!(
            "{} 〜 {}",
            period.plan.term_start.map(|d| d.iso()).unwrap_or_default(),
            period.plan.term_end.map(|d| d.iso()).unwrap_or_default()
        ),
        period
            .launched
            .clone()
            .map(|at| (t().period.launched_at)(&at))
            .unwrap_or_default(),
    ]
    .into_iter()
    .filter(|part| !part.is_empty())
    .collect::<Vec<_>>()
    .join(" · ");
    let draft = state == PeriodState::Draft;
    let running = state == PeriodState::Running;
    let (id2, id3, id4, id5, id6) = (id.clone(), id.clone(), id.clone(), id.clone(), id.clone());
    let name_for_close = heading.clone();
    let period_for_phases = period.clone();
    view! {
        <h1>
            {heading.clone()}
            " "
            <span class=format!("badge badge--{}", state.as_str())>{move || state_name(state, lang.get())}</span>
        </h1>
        <p class="lead">{facts}</p>
        {(!draft).then(|| {
            let href = format!("/evaluation/periods/{id}/calibration");
            let progress = format!("/evaluation/periods/{id}/progress");
            view! {
                <p class="actions">
                    <A href=progress attr:class="button">{move || t().progress.link}</A>
                    <Show when=move || manage.get()>
                        <A href=href.clone() attr:class="button">{move || t().calibration.link}</A>
                    </Show>
                </p>
            }
        })}
        <Show when=move || !manage.get()>
            <p class="field__hint">{move || t().period.read_only}</p>
        </Show>
        <NoticeLine notice=notice />
        <PlanEditor period=period.clone() changed notice />
        {running.then(|| view! { <Phases period=period_for_phases.clone() changed notice /> })}
        {draft.then(|| view! { <PreviewSection id=id2.clone() changed notice /> })}
        {draft.then(|| view! { <Show when=move || manage.get()><EvaluatorFile id=id3.clone() changed notice /></Show> })}
        {draft.then(|| view! { <Show when=move || manage.get()><Launch id=id4.clone() name=heading.clone() changed notice /></Show> })}
        {(!draft).then(|| view! { <Sheets id=id5.clone() stages=period.plan.stages deadlines=period.plan.deadlines.clone() changed notice /> })}
        {running.then(|| view! {
            <Show when=move || manage.get()>
                <LateJoiner id=id6.clone() changed notice />
                <HandOver id=id6.clone() changed notice />
                <ClosePeriod id=id6.clone() name=name_for_close.clone() changed notice />
            </Show>
        })}
    }
}

/// The plan: everything of a draft; once running, its name, deadlines, calibration and
/// disclosure.
#[component]
fn PlanEditor(
    period: StoredPeriod,
    changed: RwSignal<u32>,
    notice: RwSignal<Option<Notice>>,
) -> impl IntoView {
    let t = use_texts();
    let lang = use_lang();
    let manage = can_manage();
    let locked = period.state != PeriodState::Draft;
    let closed = period.state == PeriodState::Closed;
    let draft = RwSignal::new(PeriodDraft::of(&period.plan));
    let departments = RwSignal::new(period.departments.clone());
    let added = RwSignal::new(period.added.clone());
    let excluded = RwSignal::new(period.excluded.clone());
    let grades = period.grades.clone();
    let checked = Memo::new(move |_| draft.with(|d| d.parse(&grades).1));
    let shown_deadlines = period.deadlines_shown.clone();
    let id = period.id.to_string();
    let version = period.version;
    let name = period.plan.name.clone();
    let busy = RwSignal::new(false);
    let navigate = use_navigate();
    let grades_for_save = period.grades.clone();
    let save = {
        let id = id.clone();
        move |_| {
            notice.set(None);
            let (plan, issues) = draft.with_untracked(|d| d.parse(&grades_for_save));
            if !issues.is_empty() {
                let _ = document()
                    .get_element_by_id("period-problems")
                    .map(|e| leptos::wasm_bindgen::JsCast::unchecked_into::<leptos::web_sys::HtmlElement>(e).focus());
                return;
            }
            let definition = serde_json::to_string(&plan).expect("plain JSON");
            let id = id.clone();
            busy.set(true);
            spawn_local(async move {
                let result = update_period(
                    id,
                    version,
                    definition,
                    codes_of(&departments.get_untracked()),
                    codes_of(&added.get_untracked()),
                    codes_of(&excluded.get_untracked()),
                )
                .await;
                busy.set(false);
                match result {
                    Ok(()) => {
                        notice.set(Some(Notice::Done(t().period.saved.into())));
                        changed.update(|n| *n += 1);
                    }
                    Err(error) => notice.set(failed(error)),
                }
            });
        }
    };
    let delete = {
        let id = id.clone();
        move |_| {
            if !confirm(&(t().period.delete_confirm)(&name)) {
                return;
            }
            let id = id.clone();
            let navigate = navigate.clone();
            spawn_local(async move {
                match delete_period(id, version).await {
                    Ok(()) => navigate("/evaluation/periods", Default::default()),
                    Err(error) => notice.set(failed(error)),
                }
            });
        }
    };
    let text_field = move |key: &'static str,
                           label: fn(&'static crate::i18n::Texts) -> &'static str,
                           get: fn(&PeriodDraft) -> String,
                           set: fn(&mut PeriodDraft, String),
                           kind: &'static str,
                           lock: bool| {
        view! {
            <div class="field">
                <label class="field__label" for=key>{move || label(t())}</label>
                <input id=key type=kind disabled=lock
                    prop:value=move || draft.with(get)
                    on:input=move |ev| { let v = event_target_value(&ev); draft.update(|d| set(d, v)) } />
            </div>
        }
    };
    let stages_select = move || {
        view! {
            <div class="field">
                <label class="field__label" for="period-stages">{move || t().period.stages}</label>
                <select id="period-stages" disabled=locked
                    on:change=move |ev| {
                        let n: u8 = event_target_value(&ev).parse().unwrap_or(2);
                        draft.update(|d| d.set_stages(n));
                    }>
                    {(1..=Stage::MAX).map(|n| view! {
                        <option value=n.to_string() selected=move || draft.with(|d| d.stages == n)>{move || (t().period.stages_option)(n)}</option>
                    }).collect_view()}
                </select>
            </div>
        }
    };
    let deadline_rows = move || {
        draft.with(|d| d.deadlines.clone()).into_iter().enumerate().map(|(index, (phase, _))| {
            let field_id = format!("deadline-{}", phase.as_stored());
            let label_for = field_id.clone();
            let shown = shown_deadlines.get(index).cloned().unwrap_or_default();
            view! {
                <div class="field deadline-row">
                    <label class="field__label" for=label_for>{move || in_lang(phase_name(phase), lang.get())}</label>
                    <input id=field_id type="date"
                        prop:value=move || draft.with(|d| d.deadlines.get(index).map(|(_, v)| v.clone()).unwrap_or_default())
                        on:input=move |ev| { let v = event_target_value(&ev); draft.update(|d| if let Some(slot) = d.deadlines.get_mut(index) { slot.1 = v }) } />
                    <span class="field__hint">{shown}</span>
                </div>
            }
        }).collect_view()
    };
    let distribution_rows = move || {
        draft.with(|d| d.distribution.clone()).into_iter().enumerate().map(|(index, (grade, _))| {
            let field_id = format!("share-{index}");
            let label_for = field_id.clone();
            view! {
                <div class="field share">
                    <label class="field__label" for=label_for>{grade}</label>
                    <input id=field_id type="text" inputmode="decimal" class="share__input"
                        prop:value=move || draft.with(|d| d.distribution.get(index).map(|(_, v)| v.clone()).unwrap_or_default())
                        on:input=move |ev| { let v = event_target_value(&ev); draft.update(|d| if let Some(slot) = d.distribution.get_mut(index) { slot.1 = v }) } />
                    <span aria-hidden="true">"%"</span>
                </div>
            }
        }).collect_view()
    };
    let total = move || {
        let sum: rust_decimal::Decimal = draft.with(|d| {
            d.distribution
                .iter()
                .filter_map(|(_, v)| v.trim().parse::<rust_decimal::Decimal>().ok())
                .sum()
        });
        (t().period.distribution_total)(&crate::domain::evaluation::scoring::percent(sum))
    };
    let check_box = move |key: &'static str,
                          label: fn(&'static crate::i18n::Texts) -> &'static str,
                          get: fn(&PeriodDraft) -> bool,
                          set: fn(&mut PeriodDraft, bool)| {
        view! {
            <label class="checkbox" for=key>
                <input id=key type="checkbox" prop:checked=move || draft.with(get)
                    on:change=move |ev| { let v = event_target_checked(&ev); draft.update(|d| set(d, v)) } />
                {move || label(t())}
            </label>
        }
    };
    view! {
        <section class="card" aria-labelledby="period-plan">
            // Once launched, the plan is folded away: the sheets are what an admin works on.
            <details class="plan-details" open=!locked>
            <summary><h2 id="period-plan" class="inline-heading">{move || t().period.plan_heading}</h2></summary>
            {locked.then(|| view! { <p class="field__hint">{move || t().period.plan_locked}</p> })}
            <fieldset class="period-plan" disabled=move || !manage.get() || closed>
                {text_field("period-name", |t| t.period.name, |d| d.name.clone(), |d, v| d.name = v, "text", false)}
                <div class="field-row">
                    {text_field("period-start", |t| t.period.term_start, |d| d.term_start.clone(), |d, v| d.term_start = v, "date", locked)}
                    {text_field("period-end", |t| t.period.term_end, |d| d.term_end.clone(), |d, v| d.term_end = v, "date", locked)}
                </div>
                {stages_select}

                <h3>{move || t().period.population_heading}</h3>
                <p class="field__hint">{move || t().period.population_lead}</p>
                <fieldset class="plain" disabled=locked>
                    <Picker label=Signal::derive(move || t().period.departments) id="period-departments" search=Search::Departments picked=departments multiple=true optional=true />
                    <div class="field-row">
                        {text_field("period-grades", |t| t.period.grades, |d| d.grades.clone(), |d, v| d.grades = v, "text", locked)}
                        {text_field("period-types", |t| t.period.employment_types, |d| d.employment_types.clone(), |d, v| d.employment_types = v, "text", locked)}
                        {text_field("period-hired", |t| t.period.hired_before, |d| d.hired_before.clone(), |d, v| d.hired_before = v, "date", locked)}
                    </div>
                    <p class="field__hint">{move || t().period.list_hint}</p>
                    <Picker label=Signal::derive(move || t().period.added) id="period-added" search=Search::Employees picked=added multiple=true optional=true />
                    <Picker label=Signal::derive(move || t().period.excluded) id="period-excluded" search=Search::Employees picked=excluded multiple=true optional=true />
                </fieldset>

                <h3>{move || t().period.deadlines_heading}</h3>
                <p class="field__hint">{move || t().period.deadlines_lead}</p>
                <div class="deadlines">{deadline_rows}</div>

                <h3>{move || t().period.calibration_heading}</h3>
                <div class="shares">{distribution_rows}</div>
                <p class="field__hint" aria-live="polite">{total}</p>
                {check_box("period-forced", |t| t.period.forced, |d| d.forced, |d, v| d.forced = v)}

                <h3>{move || t().period.disclosure_heading}</h3>
                <div class="checks">
                    {check_box("disclose-grade", |t| t.period.disclose_grade, |d| d.disclosure.final_grade, |d, v| d.disclosure.final_grade = v)}
                    {check_box("disclose-score", |t| t.period.disclose_score, |d| d.disclosure.final_score, |d, v| d.disclosure.final_score = v)}
                    {check_box("disclose-ratings", |t| t.period.disclose_ratings, |d| d.disclosure.stage_ratings, |d, v| d.disclosure.stage_ratings = v)}
                    {check_box("disclose-comments", |t| t.period.disclose_comments, |d| d.disclosure.evaluator_comments, |d, v| d.disclosure.evaluator_comments = v)}
                </div>
            </fieldset>
            <Show when=move || !checked.with(Vec::is_empty)>
                <div id="period-problems" tabindex="-1" class="problems" role="region" aria-label=move || t().period.problems_heading>
                    <h3>{move || t().period.problems_heading}</h3>
                    <ul class="problem-list">
                        {move || checked.get().iter().map(|issue| view! { <li>{issue_text(issue, lang.get())}</li> }).collect_view()}
                    </ul>
                </div>
            </Show>
            <Show when=move || manage.get() && !closed>
                <div class="button-row">
                    <button type="button" class="button button--primary" on:click=save.clone() disabled=move || busy.get()>
                        {move || t().period.save}
                    </button>
                    {(!locked).then(|| view! {
                        <button type="button" class="button button--danger" on:click=delete.clone()>{move || t().period.delete}</button>
                    })}
                </div>
            </Show>
            </details>
        </section>
    }
}

/// Who the draft holds, with their evaluators; those without one, each with a fix.
#[component]
fn PreviewSection(
    id: String,
    changed: RwSignal<u32>,
    notice: RwSignal<Option<Notice>>,
) -> impl IntoView {
    let t = use_texts();
    let manage = can_manage();
    let preview = {
        let id = id.clone();
        Resource::new(move || changed.get(), move |_| preview_period(id.clone()))
    };
    let show = move |preview: PeriodPreview| {
        let p = t().period;
        let stages = preview
            .people
            .first()
            .map(|p| p.evaluators.len())
            .unwrap_or(0) as u8;
        let without = preview.without_evaluator.clone();
        let count = preview.without_evaluator_count;
        let id = id.clone();
        view! {
            <p>{(p.preview_count)(preview.count)}</p>
            <h3 id="without-heading">{(p.without_heading)(count)}</h3>
            {if without.is_empty() {
                view! { <p>{p.without_none}</p> }.into_any()
            } else {
                let id = id.clone();
                view! {
                    <ul class="without-list" aria-labelledby="without-heading">
                        {without.into_iter().enumerate().map(|(row, person)| view! { <FixEvaluators id=id.clone() row person changed notice manage /> }).collect_view()}
                    </ul>
                }.into_any()
            }}
            <PeopleTable people=preview.people caption=(p.preview_first)(crate::domain::evaluation::period::PREVIEW_SHOWN) stages />
        }
    };
    view! {
        <section class="card" aria-labelledby="period-preview">
            <h2 id="period-preview">{move || t().period.preview_heading}</h2>
            <Transition fallback=|| ()>
                {move || {
                    let show = show.clone();
                    Suspend::new(async move {
                        match preview.await {
                            Ok(preview) => show(preview).into_any(),
                            Err(error) => view! { <NoticeLine notice=Signal::derive(move || failed(error.clone())) /> }.into_any(),
                        }
                    })
                }}
            </Transition>
        </section>
    }
}

#[component]
fn PeopleTable(people: Vec<PersonWithEvaluators>, caption: String, stages: u8) -> impl IntoView {
    let t = use_texts();
    let p = t().period;
    let rows = people
        .into_iter()
        .map(|person| {
            let code = person.person.employee_code.as_ref().map(|c| c.to_string()).unwrap_or_default();
            let mark = if person.chosen { p.chosen_mark } else { "" };
            view! {
                <tr>
                    <td>{code}</td>
                    <td>{person.person.name.clone()}{mark}</td>
                    {person.evaluators.iter().map(|e| view! { <td>{person_text(e, p.nobody)}</td> }).collect_view()}
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-wrap" tabindex="0" role="region" aria-label=caption.clone()>
            <table class="table">
                <caption>{caption.clone()}</caption>
                <thead>
                    <tr>
                        <th scope="col">{p.col_code}</th>
                        <th scope="col">{p.col_person}</th>
                        {(1..=stages).map(|n| view! { <th scope="col">{(p.col_evaluator)(n)}</th> }).collect_view()}
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}

/// Evaluator pickers for one person, a stage each; `prefix` tells the rows of a page apart.
fn stage_pickers(prefix: String, picks: Vec<RwSignal<Vec<Choice>>>) -> impl IntoView {
    let t = use_texts();
    picks
        .into_iter()
        .enumerate()
        .map(|(i, picked)| {
            let id = static_id(format!("{prefix}-stage-{}", i + 1));
            view! {
                <Picker label=Signal::derive(move || t().period.evaluator_names[i]) id=id search=Search::Employees picked=picked />
            }
        })
        .collect_view()
}

fn picked_code(picked: &RwSignal<Vec<Choice>>) -> String {
    picked
        .get_untracked()
        .first()
        .map(|c| c.value.clone())
        .unwrap_or_default()
}

/// One person without an evaluator, with pickers to choose them.
#[component]
fn FixEvaluators(
    id: String,
    /// Its place in the list, for element ids.
    row: usize,
    person: PersonWithEvaluators,
    changed: RwSignal<u32>,
    notice: RwSignal<Option<Notice>>,
    manage: Signal<bool>,
) -> impl IntoView {
    let t = use_texts();
    let code = person
        .person
        .employee_code
        .as_ref()
        .map(|c| c.to_string())
        .unwrap_or_default();
    let picks: Vec<RwSignal<Vec<Choice>>> = person
        .evaluators
        .iter()
        .map(|e| RwSignal::new(e.as_ref().and_then(choice_of).into_iter().collect()))
        .collect();
    let name = person.person.name.clone();
    let label = person_text(&Some(person.person.clone()), "");
    let group_label = label.clone();
    let save = {
        let picks = picks.clone();
        let code = code.clone();
        move |_| {
            let codes: Vec<String> = picks.iter().map(picked_code).collect();
            let at = |i: usize| codes.get(i).cloned().unwrap_or_default();
            let (a, b, c) = (at(0), at(1), at(2));
            let (id, code, name) = (id.clone(), code.clone(), name.clone());
            spawn_local(async move {
                match choose_evaluators(id, code, a, b, c).await {
                    Ok(()) => {
                        notice.set(Some(Notice::Done((t().period.fix_saved)(&name))));
                        changed.update(|n| *n += 1);
                    }
                    Err(error) => notice.set(failed(error)),
                }
            });
        }
    };
    view! {
        <li class="fix card card--inner" role="group" aria-label=group_label>
            <p class="fix__who"><strong>{label}</strong></p>
            <Show when=move || manage.get()>
                <div class="field-row">{stage_pickers(format!("fix-{row}"), picks.clone())}</div>
                <button type="button" class="button" on:click=save.clone()>{move || t().period.fix_save}</button>
            </Show>
        </li>
    }
}

/// The evaluators file: checked first, then imported all at once.
#[component]
fn EvaluatorFile(
    id: String,
    changed: RwSignal<u32>,
    notice: RwSignal<Option<Notice>>,
) -> impl IntoView {
    let t = use_texts();
    let lang = use_lang();
    let file_ref = NodeRef::<leptos::html::Input>::new();
    let report = RwSignal::new(None::<EvaluatorFileReport>);
    let download_id = id.clone();
    let send = move |apply: bool| {
        #[cfg(feature = "hydrate")]
        {
            use crate::components::browser::post_file;
            let file = file_ref
                .get_untracked()
                .and_then(|input| input.files())
                .and_then(|files| files.get(0));
            let Some(file) = file else {
                notice.set(failed(crate::error::AppError::invalid(
                    crate::domain::form_field::FormField::Evaluators,
                    Problem::NoFileChosen,
                )));
                return;
            };
            let url = format!("/api/evaluation/periods/{}/evaluators?apply={apply}", id);
            spawn_local(async move {
                match post_file(&url, &file).await {
                    Ok(answer) => match serde_json::from_value::<EvaluatorFileReport>(answer) {
                        Ok(answer) => {
                            if answer.applied {
                                notice
                                    .set(Some(Notice::Done((t().period.csv_applied)(answer.rows))));
                                changed.update(|n| *n += 1);
                            }
                            report.set(Some(answer));
                        }
                        Err(_) => notice.set(failed(crate::error::AppError::Internal)),
                    },
                    Err(error) => notice.set(failed(error)),
                }
            });
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (apply, &id, file_ref, notice, changed);
    };
    let send2 = send.clone();
    let shown = move || {
        report.get().map(|r| {
            let p = t().period;
            let lines = r.problems.iter().map(|(line, problem)| {
                view! { <li>{(p.csv_line)(*line)}": "{problem.text(lang.get())}</li> }
            }).collect_view();
            view! {
                <div class="csv-report" role="status">
                    <p>{(p.csv_rows)(r.rows)}</p>
                    {if r.problems.is_empty() && !r.applied { Some(view! { <p>{p.csv_clean}</p> }) } else { None }}
                    <ul class="problem-list">{lines}</ul>
                </div>
            }
        })
    };
    view! {
        <section class="card" aria-labelledby="period-csv">
            <h2 id="period-csv">{move || t().period.csv_heading}</h2>
            <p class="field__hint">{move || t().period.csv_lead}</p>
            <p class="field__hint">{move || t().period.csv_download_lead}</p>
            <p class="actions">
                {[("sjis", true), ("utf8", false)]
                    .into_iter()
                    .map(|(encoding, sjis)| view! {
                        <a class="button" href=format!("/api/evaluation/periods/{download_id}/evaluators.csv?encoding={encoding}") download="">
                            {move || (t().period.csv_download)(if sjis { t().encoding_sjis } else { t().encoding_utf8 })}
                        </a>
                    })
                    .collect_view()}
            </p>
            <div class="field">
                <label class="field__label" for="evaluators-file">{move || t().period.csv_file}</label>
                <input id="evaluators-file" type="file" accept=".csv,text/csv" node_ref=file_ref on:change=move |_| report.set(None) />
            </div>
            <div class="button-row">
                <button type="button" class="button" on:click=move |_| send(false)>{move || t().period.csv_check}</button>
                <button type="button" class="button button--primary" on:click=move |_| send2(true)>{move || t().period.csv_apply}</button>
            </div>
            {shown}
        </section>
    }
}

#[component]
fn Launch(
    id: String,
    name: String,
    changed: RwSignal<u32>,
    notice: RwSignal<Option<Notice>>,
) -> impl IntoView {
    let t = use_texts();
    let busy = RwSignal::new(false);
    let launch = move |_| {
        let (id, name) = (id.clone(), name.clone());
        spawn_local(async move {
            let count = preview_period(id.clone())
                .await
                .map(|p| p.count)
                .unwrap_or(0);
            if !confirm(&(t().period.launch_confirm)(&name, count)) {
                return;
            }
            busy.set(true);
            let result = launch_period(id).await;
            busy.set(false);
            match result {
                Ok(made) => {
                    notice.set(Some(Notice::Done((t().period.launched)(made))));
                    changed.update(|n| *n += 1);
                }
                Err(error) => notice.set(failed(error)),
            }
        });
    };
    view! {
        <section class="card" aria-labelledby="period-launch">
            <h2 id="period-launch">{move || t().period.launch_heading}</h2>
            <p class="field__hint">{move || t().period.launch_lead}</p>
            <button type="button" class="button button--primary" on:click=launch disabled=move || busy.get()>
                {move || t().period.launch}
            </button>
        </section>
    }
}

/// A running period's phases with their deadlines, each closable and reopenable.
#[component]
fn Phases(
    period: StoredPeriod,
    changed: RwSignal<u32>,
    notice: RwSignal<Option<Notice>>,
) -> impl IntoView {
    let t = use_texts();
    let lang = use_lang();
    let manage = can_manage();
    let id = period.id.to_string();
    let rows = period
        .plan
        .deadlines
        .iter()
        .enumerate()
        .map(|(index, deadline)| {
            let phase = deadline.phase;
            let closed = period.closed_phases.contains(&phase);
            let shown = period.deadlines_shown.get(index).cloned().unwrap_or_default();
            let id = id.clone();
            let toggle = move |_| {
                let id = id.clone();
                spawn_local(async move {
                    match set_phase_closed(id, phase.as_stored(), !closed).await {
                        Ok(()) => changed.update(|n| *n += 1),
                        Err(error) => notice.set(failed(error)),
                    }
                });
            };
            view! {
                <tr>
                    <th scope="row">{move || in_lang(phase_name(phase), lang.get())}</th>
                    <td>{shown}</td>
                    <td>{move || if closed { t().period.phase_closed } else { t().period.phase_open }}</td>
                    <td>
                        <Show when=move || manage.get()>
                            <button type="button" class="button button--small" on:click=toggle.clone()>
                                {move || if closed { t().period.phase_reopen } else { t().period.phase_close }}
                            </button>
                        </Show>
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section class="card" aria-labelledby="period-phases">
            <h2 id="period-phases">{move || t().period.phases_heading}</h2>
            <div class="table-wrap">
                <table class="table"><tbody>{rows}</tbody></table>
            </div>
        </section>
    }
}

/// The sheets of a running or closed period, searchable, a page at a time.
#[component]
fn Sheets(
    id: String,
    stages: u8,
    deadlines: Vec<crate::domain::evaluation::period::Deadline>,
    changed: RwSignal<u32>,
    notice: RwSignal<Option<Notice>>,
) -> impl IntoView {
    let t = use_texts();
    let lang = use_lang();
    let manage = can_manage();
    let query = RwSignal::new(String::new());
    let page = RwSignal::new(1_i64);
    let selected = RwSignal::new(None::<SheetRow>);
    let sheets = {
        let id = id.clone();
        Resource::new(
            move || (query.get(), page.get(), changed.get()),
            move |(query, page, _)| list_sheets(id.clone(), query, page - 1),
        )
    };
    let table = move |list: crate::domain::evaluation::period::SheetPage| {
        let p = t().period;
        let rows = list
            .rows
            .into_iter()
            .map(|row| {
                let code = row.person.employee_code.as_ref().map(|c| c.to_string()).unwrap_or_default();
                let name = row.person.name.clone();
                let state = sheet_state_name(row.state, lang.get_untracked());
                let state = match &row.excluded_reason {
                    Some(reason) => format!("{state}（{reason}）"),
                    None => state,
                };
                let edit_label = (p.edit_sheet)(&name);
                let chosen = row.clone();
                let href = format!("/evaluation/sheets/{}", row.id);
                view! {
                    <tr>
                        <td>{code}</td>
                        <td><A href=href>{name}</A></td>
                        <td>
                            {state}
                            {row.late.then(|| view! { " "<span class="badge badge--late">{p.late}</span> })}
                            {row.interview.map(|day| view! { <br /><span class="field__hint">{(p.interview_mark)(&day.iso())}</span> })}
                        </td>
                        {row.evaluators.iter().map(|e| view! { <td>{person_text(e, p.nobody)}</td> }).collect_view()}
                        <td>
                            <Show when=move || manage.get()>
                                <button type="button" class="button button--small" aria-label=edit_label.clone()
                                    on:click={ let chosen = chosen.clone(); move |_| selected.set(Some(chosen.clone())) }>
                                    {p.col_actions}
                                </button>
                            </Show>
                        </td>
                    </tr>
                }
            })
            .collect_view();
        view! {
            <p>{(p.sheets_count)(list.total)}</p>
            <div class="table-wrap" tabindex="0" role="region" aria-label=(p.sheets_heading)(list.total)>
                <table class="table">
                    <thead>
                        <tr>
                            <th scope="col">{p.col_code}</th>
                            <th scope="col">{p.col_person}</th>
                            <th scope="col">{p.col_sheet_state}</th>
                            {(1..=stages).map(|n| view! { <th scope="col">{(p.col_evaluator)(n)}</th> }).collect_view()}
                            <th scope="col">{p.col_actions}</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
            <Pager page=page.get_untracked() total=list.total per_page=50 label=p.list_title target=PageTarget::Signal(page) />
        }
    };
    // The sheets are read only inside their Transition: a second read of the resource
    // outside it (the count in the heading) let the period's own Transition and this list
    // lock each other while the page was rendered on two threads (a response never ended).
    view! {
        <section class="card" aria-labelledby="period-sheets">
            <h2 id="period-sheets">{move || t().period.sheets_title}</h2>
            <div class="field">
                <label class="field__label" for="sheet-search">{move || t().period.search}</label>
                <input id="sheet-search" type="search" prop:value=move || query.get()
                    on:input=move |ev| { query.set(event_target_value(&ev)); page.set(1); } />
                <p class="field__hint">{move || t().period.search_hint}</p>
            </div>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    match sheets.await {
                        Ok(list) => table(list).into_any(),
                        Err(error) => view! { <NoticeLine notice=Signal::derive(move || failed(error.clone())) /> }.into_any(),
                    }
                })}
            </Transition>
            {move || selected.get().map(|row| view! { <SheetPanel id=id.clone() row deadlines=deadlines.clone() selected changed notice /> })}
        </section>
    }
}

/// What an admin changes on one sheet: its evaluators, a deadline, its exclusion.
#[component]
fn SheetPanel(
    id: String,
    row: SheetRow,
    deadlines: Vec<crate::domain::evaluation::period::Deadline>,
    selected: RwSignal<Option<SheetRow>>,
    changed: RwSignal<u32>,
    notice: RwSignal<Option<Notice>>,
) -> impl IntoView {
    let t = use_texts();
    let lang = use_lang();
    let sheet = row.id.to_string();
    let name = row.person.name.clone();
    let picks: Vec<RwSignal<Vec<Choice>>> = row
        .evaluators
        .iter()
        .map(|e| RwSignal::new(e.as_ref().and_then(choice_of).into_iter().collect()))
        .collect();
    let phase = RwSignal::new(
        deadlines
            .first()
            .map(|d| d.phase)
            .unwrap_or(Phase::GoalSetting),
    );
    let date = RwSignal::new(String::new());
    let reason = RwSignal::new(String::new());
    let done = move |text: &'static str| {
        notice.set(Some(Notice::Done(text.into())));
        selected.set(None);
        changed.update(|n| *n += 1);
    };
    let save_evaluators = {
        let (id, sheet, picks) = (id.clone(), sheet.clone(), picks.clone());
        move |_| {
            let codes: Vec<String> = picks.iter().map(picked_code).collect();
            let at = |i: usize| codes.get(i).cloned().unwrap_or_default();
            let (a, b, c) = (at(0), at(1), at(2));
            let (id, sheet) = (id.clone(), sheet.clone());
            spawn_local(async move {
                match set_sheet_evaluators(id, sheet, a, b, c).await {
                    Ok(()) => done(t().period.sheet_evaluators_saved),
                    Err(error) => notice.set(failed(error)),
                }
            });
        }
    };
    let extend = {
        let (id, sheet) = (id.clone(), sheet.clone());
        move |_| {
            let (id, sheet) = (id.clone(), sheet.clone());
            spawn_local(async move {
                match extend_sheet_deadline(
                    id,
                    sheet,
                    phase.get_untracked().as_stored(),
                    date.get_untracked(),
                )
                .await
                {
                    Ok(()) => done(t().period.extended),
                    Err(error) => notice.set(failed(error)),
                }
            });
        }
    };
    let exclude = {
        let (id, sheet) = (id.clone(), sheet.clone());
        move |_| {
            let (id, sheet) = (id.clone(), sheet.clone());
            spawn_local(async move {
                match exclude_sheet(id, sheet, reason.get_untracked()).await {
                    Ok(()) => done(t().period.excluded_done),
                    Err(error) => notice.set(failed(error)),
                }
            });
        }
    };
    let extended = row
        .extended
        .iter()
        .map(|d| {
            format!(
                "{} {}",
                in_lang(phase_name(d.phase), lang.get_untracked()),
                d.date.map(|d| d.iso()).unwrap_or_default()
            )
        })
        .collect::<Vec<_>>()
        .join("、");
    view! {
        <div class="card card--inner sheet-panel" role="region" aria-label=(t().period.sheet_heading)(&name)>
            <h3>{(t().period.sheet_heading)(&name)}</h3>
            {(!extended.is_empty()).then(|| view! { <p class="field__hint">{(t().period.extended_until)(&extended)}</p> })}
            <h4>{move || t().period.sheet_evaluators}</h4>
            <div class="field-row">{stage_pickers("sheet".to_owned(), picks)}</div>
            <button type="button" class="button" on:click=save_evaluators>{move || t().period.sheet_evaluators_save}</button>

            <h4>{move || t().period.extend_heading}</h4>
            <div class="field-row">
                <div class="field">
                    <label class="field__label" for="extend-phase">{move || t().period.extend_phase}</label>
                    <select id="extend-phase" on:change=move |ev| if let Some(p) = Phase::from_stored(&event_target_value(&ev)) { phase.set(p) }>
                        {deadlines.iter().map(|d| {
                            let p = d.phase;
                            view! { <option value=p.as_stored()>{move || in_lang(phase_name(p), lang.get())}</option> }
                        }).collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label class="field__label" for="extend-date">{move || t().period.extend_date}</label>
                    <input id="extend-date" type="date" prop:value=move || date.get() on:input=move |ev| date.set(event_target_value(&ev)) />
                </div>
            </div>
            <button type="button" class="button" on:click=extend>{move || t().period.extend}</button>

            <h4>{move || t().period.exclude_heading}</h4>
            <div class="field">
                <label class="field__label" for="exclude-reason">{move || t().period.exclude_reason}</label>
                <input id="exclude-reason" type="text" prop:value=move || reason.get() on:input=move |ev| reason.set(event_target_value(&ev)) />
            </div>
            <div class="button-row">
                <button type="button" class="button button--danger" on:click=exclude>{move || t().period.exclude}</button>
                <button type="button" class="button" on:click=move |_| selected.set(None)>{move || t().period.close_panel}</button>
            </div>
        </div>
    }
}

#[component]
fn LateJoiner(
    id: String,
    changed: RwSignal<u32>,
    notice: RwSignal<Option<Notice>>,
) -> impl IntoView {
    let t = use_texts();
    let person = RwSignal::new(Vec::<Choice>::new());
    let add = move |_| {
        let id = id.clone();
        let code = picked_code(&person);
        spawn_local(async move {
            match add_sheet(id, code, String::new(), String::new(), String::new()).await {
                Ok(_) => {
                    notice.set(Some(Notice::Done(t().period.joiner_added.into())));
                    person.set(Vec::new());
                    changed.update(|n| *n += 1);
                }
                Err(error) => notice.set(failed(error)),
            }
        });
    };
    view! {
        <section class="card" aria-labelledby="period-joiner">
            <h2 id="period-joiner">{move || t().period.joiner_heading}</h2>
            <p class="field__hint">{move || t().period.joiner_lead}</p>
            <Picker label=Signal::derive(move || t().period.joiner_person) id="joiner" search=Search::Employees picked=person />
            <button type="button" class="button" on:click=add>{move || t().period.joiner_add}</button>
        </section>
    }
}

#[component]
fn HandOver(id: String, changed: RwSignal<u32>, notice: RwSignal<Option<Notice>>) -> impl IntoView {
    let t = use_texts();
    let from = RwSignal::new(Vec::<Choice>::new());
    let to = RwSignal::new(Vec::<Choice>::new());
    let go = move |_| {
        if !confirm(t().period.handover_confirm) {
            return;
        }
        let id = id.clone();
        let (from_code, to_code) = (picked_code(&from), picked_code(&to));
        spawn_local(async move {
            match hand_over(id, from_code, to_code).await {
                Ok(moved) => {
                    notice.set(Some(Notice::Done((t().period.handed_over)(moved))));
                    from.set(Vec::new());
                    to.set(Vec::new());
                    changed.update(|n| *n += 1);
                }
                Err(error) => notice.set(failed(error)),
            }
        });
    };
    view! {
        <section class="card" aria-labelledby="period-handover">
            <h2 id="period-handover">{move || t().period.handover_heading}</h2>
            <p class="field__hint">{move || t().period.handover_lead}</p>
            <div class="field-row">
                <Picker label=Signal::derive(move || t().period.handover_from) id="handover-from" search=Search::Employees picked=from />
                <Picker label=Signal::derive(move || t().period.handover_to) id="handover-to" search=Search::Employees picked=to />
            </div>
            <button type="button" class="button" on:click=go>{move || t().period.handover}</button>
        </section>
    }
}

#[component]
fn ClosePeriod(
    id: String,
    name: String,
    changed: RwSignal<u32>,
    notice: RwSignal<Option<Notice>>,
) -> impl IntoView {
    let t = use_texts();
    let close = move |_| {
        if !confirm(&(t().period.close_confirm)(&name)) {
            return;
        }
        let id = id.clone();
        spawn_local(async move {
            match close_period(id).await {
                Ok(()) => {
                    notice.set(Some(Notice::Done(t().period.closed_done.into())));
                    changed.update(|n| *n += 1);
                }
                Err(error) => notice.set(failed(error)),
            }
        });
    };
    view! {
        <section class="card" aria-labelledby="period-close">
            <h2 id="period-close">{move || t().period.close_heading}</h2>
            <button type="button" class="button button--danger" on:click=close>{move || t().period.close}</button>
        </section>
    }
}
