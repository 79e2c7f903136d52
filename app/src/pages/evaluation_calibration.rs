//! 評価調整 (`/evaluation/periods/{id}/calibration`): a period's sheets side by side for the
//! evaluation admins — stage scores, the grade the score gives, the final grade — with the
//! selection's grade distribution drawn against the period's target; a grade changed with
//! its reason; the selection finalized or disclosed at once. The server decides each
//! change (`backend::evaluation::calibration`); this page shows what it answers.

use crate::api::calibration::{
    CalibrationView, SelectionDone, adjust_grade, get_calibration, step_selection,
};
use crate::components::charts::DistributionChart;
use crate::components::forms::{Notice, NoticeLine, confirm, failed};
use crate::components::gate::{Gate, Need};
use crate::components::page_title::PageTitle;
use crate::domain::evaluation::calibration::CalibrationRow;
use crate::domain::evaluation::scoring::points;
use crate::domain::evaluation::workflow::SheetState;
use crate::i18n::periods::sheet_state_name;
use crate::i18n::{use_lang, use_texts};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

#[component]
pub fn CalibrationPage() -> impl IntoView {
    view! {
        <Gate need=Need::EvaluationAdmin>
            <CalibrationContent />
        </Gate>
    }
}

/// The filter the table was read with: department id, 等級, evaluator id ("" for all).
#[derive(Clone, Debug, Default, PartialEq)]
struct Filter {
    department: String,
    person_grade: String,
    evaluator: String,
}

#[component]
fn CalibrationContent() -> impl IntoView {
    let t = use_texts();
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let filter = RwSignal::new(Filter::default());
    // Bumped by every change, so that the table and the chart are read again.
    let changed = RwSignal::new(0_u32);
    let notice = RwSignal::new(None::<Notice>);
    let view_of = Resource::new(
        move || (id(), filter.get(), changed.get()),
        |(id, f, _)| get_calibration(id, f.department, f.person_grade, f.evaluator),
    );
    let back = move || format!("/evaluation/periods/{}", id());
    view! {
        <PageTitle pick=|t| t.calibration.title />
        <p><A href=back>{move || t().calibration.back}</A></p>
        <NoticeLine notice=notice />
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match view_of.await {
                    Ok(view) => view! { <Calibration view filter changed notice period=id() /> }.into_any(),
                    Err(error) => view! { <NoticeLine notice=Signal::derive(move || failed(error.clone())) /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Calibration(
    view: CalibrationView,
    filter: RwSignal<Filter>,
    changed: RwSignal<u32>,
    notice: RwSignal<Option<Notice>>,
    period: String,
) -> impl IntoView {
    let t = use_texts();
    let lang = use_lang();
    let in_calibration = view
        .rows
        .iter()
        .filter(|r| r.state == SheetState::Calibration)
        .count();
    let finalized = view
        .rows
        .iter()
        .filter(|r| r.state == SheetState::Finalized)
        .count();
    let busy = RwSignal::new(false);
    let run_selection = move |step: &'static str, question: String| {
        if !confirm(&question) {
            return;
        }
        let f = filter.get_untracked();
        let period = period.clone();
        busy.set(true);
        spawn_local(async move {
            let result = step_selection(
                period,
                f.department,
                f.person_grade,
                f.evaluator,
                step.to_owned(),
            )
            .await;
            busy.set(false);
            match result {
                Ok(SelectionDone { done, refused }) => {
                    let mut text = (t().calibration.selection_done)(done);
                    for (name, why) in refused {
                        text.push(' ');
                        text.push_str(&(t().calibration.selection_refused)(
                            &name,
                            &why.message(lang.get_untracked()),
                        ));
                    }
                    notice.set(Some(Notice::Done(text)));
                    changed.update(|n| *n += 1);
                }
                Err(error) => notice.set(failed(error)),
            }
        });
    };
    let finalize = {
        let run = run_selection.clone();
        move |_| {
            run(
                "finalize",
                (t().calibration.confirm_finalize)(in_calibration),
            )
        }
    };
    let disclose =
        move |_| run_selection("disclose", (t().calibration.confirm_disclose)(finalized));
    let forced = view.target.forced;
    let graded = view
        .rows
        .iter()
        .filter(|r| r.final_grade().is_some())
        .count();
    view! {
        <h1>{(t().calibration.heading)(&view.period_name)}</h1>
        <p class="lead">{move || t().calibration.lead}</p>
        <FilterForm view=view.clone() filter />
        <section class="card" aria-labelledby="distribution-heading">
            <h2 id="distribution-heading">{move || t().calibration.chart_heading}</h2>
            <p class="field__hint">{move || if forced { t().calibration.chart_forced } else { t().calibration.chart_guideline }}</p>
            <DistributionChart bars=view.bars.clone() graded />
        </section>
        <section class="card" aria-labelledby="calibration-sheets">
            <h2 id="calibration-sheets">{move || t().calibration.table_heading}</h2>
            <SheetTable view=view.clone() changed notice />
            <div class="actions">
                <button type="button" class="button button--primary" on:click=finalize
                    disabled=move || busy.get() || in_calibration == 0>
                    {move || (t().calibration.finalize_all)(in_calibration)}
                </button>
                <button type="button" class="button" on:click=disclose
                    disabled=move || busy.get() || finalized == 0>
                    {move || (t().calibration.disclose_all)(finalized)}
                </button>
            </div>
        </section>
    }
}

/// The selection: department (with its subtree), 等級, evaluator; applied with its button.
#[component]
fn FilterForm(view: CalibrationView, filter: RwSignal<Filter>) -> impl IntoView {
    let t = use_texts();
    let typed = RwSignal::new(filter.get_untracked());
    let option = |value: String, label: String, chosen: bool| {
        view! { <option value=value selected=chosen>{label}</option> }
    };
    let now = filter.get_untracked();
    let departments = view
        .departments
        .iter()
        .map(|(id, name)| option(id.to_string(), name.clone(), now.department == id.as_str()))
        .collect_view();
    let grades = view
        .person_grades
        .iter()
        .map(|g| option(g.clone(), g.clone(), now.person_grade == *g))
        .collect_view();
    let evaluators = view
        .evaluators
        .iter()
        .map(|p| {
            let label = match &p.employee_code {
                Some(code) => format!("{} ({code})", p.name),
                None => p.name.clone(),
            };
            option(p.id.to_string(), label, now.evaluator == p.id.as_str())
        })
        .collect_view();
    let apply = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        filter.set(typed.get_untracked());
    };
    view! {
        <form class="card filter-form" on:submit=apply aria-labelledby="filter-heading">
            <h2 id="filter-heading">{move || t().calibration.filter_heading}</h2>
            <div class="field-row">
                <div class="field">
                    <label class="field__label" for="filter-department">{move || t().calibration.department}</label>
                    <select id="filter-department" on:change=move |ev| typed.update(|f| f.department = event_target_value(&ev))>
                        <option value="">{move || t().calibration.everyone}</option>
                        {departments}
                    </select>
                </div>
                <div class="field">
                    <label class="field__label" for="filter-grade">{move || t().calibration.person_grade}</label>
                    <select id="filter-grade" on:change=move |ev| typed.update(|f| f.person_grade = event_target_value(&ev))>
                        <option value="">{move || t().calibration.everyone}</option>
                        {grades}
                    </select>
                </div>
                <div class="field">
                    <label class="field__label" for="filter-evaluator">{move || t().calibration.evaluator}</label>
                    <select id="filter-evaluator" on:change=move |ev| typed.update(|f| f.evaluator = event_target_value(&ev))>
                        <option value="">{move || t().calibration.everyone}</option>
                        {evaluators}
                    </select>
                </div>
            </div>
            <button type="submit" class="button">{move || t().calibration.apply}</button>
        </form>
    }
}

/// Every sheet of the selection, each with its grade to change while in calibration.
#[component]
fn SheetTable(
    view: CalibrationView,
    changed: RwSignal<u32>,
    notice: RwSignal<Option<Notice>>,
) -> impl IntoView {
    let t = use_texts();
    let lang = use_lang();
    if view.rows.is_empty() {
        return view! { <p>{move || t().calibration.none}</p> }.into_any();
    }
    let stage_heads = (1..=view.stages)
        .map(|n| view! { <th scope="col">{move || (t().sheet.stage_name)(n)}</th> })
        .collect_view();
    let grades = view.grades.clone();
    let rows = view
        .rows
        .into_iter()
        .map(|row| {
            let state = row.state;
            let scores = row
                .stage_scores
                .iter()
                .map(|s| view! { <td class="num">{s.map(points).unwrap_or_else(|| "—".into())}</td> })
                .collect_view();
            let href = format!("/evaluation/sheets/{}", row.sheet);
            let code = row.person.employee_code.as_ref().map(|c| c.to_string()).unwrap_or_default();
            let name = row.person.name.clone();
            let score = row.computed.as_ref().map(|(s, _)| points(*s)).unwrap_or_else(|| "—".into());
            let computed = row.computed.as_ref().map(|(_, g)| g.clone()).unwrap_or_else(|| "—".into());
            let grades = grades.clone();
            view! {
                <tr>
                    <td>{code}</td>
                    <th scope="row"><A href=href>{name}</A></th>
                    <td>{row.department.clone()}</td>
                    <td>{row.grade_of_person.clone().unwrap_or_default()}</td>
                    <td>{move || sheet_state_name(state, lang.get())}</td>
                    {scores}
                    <td class="num">{score}</td>
                    <td>{computed}</td>
                    <td><FinalGrade row grades changed notice /></td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-wrap" tabindex="0" role="region" aria-label=move || t().calibration.table_heading>
            <table class="table calibration-table">
                <thead>
                    <tr>
                        <th scope="col">{move || t().calibration.code}</th>
                        <th scope="col">{move || t().calibration.name}</th>
                        <th scope="col">{move || t().calibration.department_column}</th>
                        <th scope="col">{move || t().calibration.person_grade}</th>
                        <th scope="col">{move || t().calibration.state}</th>
                        {stage_heads}
                        <th scope="col">{move || t().calibration.score}</th>
                        <th scope="col">{move || t().calibration.computed}</th>
                        <th scope="col">{move || t().calibration.final_grade}</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
    .into_any()
}

/// One sheet's final grade: shown, or while in calibration chosen with the reason a
/// changed grade needs.
#[component]
fn FinalGrade(
    row: CalibrationRow,
    grades: Vec<String>,
    changed: RwSignal<u32>,
    notice: RwSignal<Option<Notice>>,
) -> impl IntoView {
    let t = use_texts();
    let shown = row.final_grade().unwrap_or("—").to_owned();
    let computed = row.computed.as_ref().map(|(_, g)| g.clone());
    let mark = row
        .adjusted
        .as_ref()
        .zip(computed.clone())
        .map(|(_, from)| view! { <br /><span class="field__hint">{(t().calibration.adjusted_mark)(&from)}</span> });
    if !row.adjustable() {
        return view! { <strong>{shown}</strong>{mark} }.into_any();
    }
    let chosen = RwSignal::new(shown.clone());
    let reason = RwSignal::new(
        row.adjusted
            .as_ref()
            .map(|a| a.reason.clone())
            .unwrap_or_default(),
    );
    let busy = RwSignal::new(false);
    let needs_reason = {
        let computed = computed.clone();
        move || computed.as_deref() != Some(chosen.get().as_str())
    };
    let key = row.sheet.to_string();
    let name = row.person.name.clone();
    let version = row.version;
    let save = {
        let key = key.clone();
        move |_| {
            let (id, name) = (key.clone(), name.clone());
            let grade = chosen.get_untracked();
            busy.set(true);
            spawn_local(async move {
                let result = adjust_grade(id, version, grade.clone(), reason.get_untracked()).await;
                busy.set(false);
                match result {
                    Ok(_) => {
                        notice.set(Some(Notice::Done((t().calibration.saved)(&name, &grade))));
                        changed.update(|n| *n += 1);
                    }
                    Err(error) => notice.set(failed(error)),
                }
            });
        }
    };
    let options = grades
        .into_iter()
        .map(|g| {
            let selected = g == shown;
            view! { <option value=g.clone() selected=selected>{g.clone()}</option> }
        })
        .collect_view();
    let select_id = format!("grade-{key}");
    let reason_id = format!("reason-{key}");
    let label = format!("{} — {}", row.person.name, t().calibration.final_grade);
    view! {
        <div class="final-grade">
            <select id=select_id aria-label=label prop:value=move || chosen.get()
                on:change=move |ev| chosen.set(event_target_value(&ev))>
                {options}
            </select>
            {move || needs_reason().then(|| {
                let reason_id = reason_id.clone();
                view! {
                    <label class="field__label" for=reason_id.clone()>{move || t().calibration.reason}</label>
                    <input id=reason_id type="text" prop:value=move || reason.get()
                        on:input=move |ev| reason.set(event_target_value(&ev)) />
                }
            })}
            <button type="button" class="button button--small" on:click=save disabled=move || busy.get()>
                {move || t().calibration.save}
            </button>
            {mark}
        </div>
    }
    .into_any()
}
