//! The evaluation sheets as the people on them see them: 自分の評価 (`/evaluation/me`),
//! 評価する (`/evaluation/reviews`) and one sheet (`/evaluation/sheets/{id}`), which shows
//! each reader what the server sent them — already cut to what they may see — and lets
//! them write what `workflow::draft_of` gives them and take the steps it allows.
//!
//! Nothing typed is lost: the goals save themselves a moment after each change, carrying
//! the sheet's version; until the server has them they are kept in this browser
//! (`localStorage`), retried when the network fails, and offered back after a reload; a
//! save based on an older version gets both texts back to choose from.

use crate::api::sheets::{
    get_sheet, my_sheets, record_interview, save_goals, save_work, take_step,
};
use crate::components::autosave::{Autosave, ConflictChoice, SaveStatus, Saved};
use crate::components::forms::{Notice, NoticeLine, failed};
use crate::components::gate::{Gate, Need};
use crate::components::page_title::PageTitle;
use crate::domain::dates::CalendarDate;
use crate::domain::evaluation::goals::{GoalIssue, check_goals, weight_total};
use crate::domain::evaluation::scale::ScaleLevel;
use crate::domain::evaluation::scoring::{Rating, ScoreProblem};
use crate::domain::evaluation::sheet::{Goal, GoalLink, SheetContent, Work, score_work};
use crate::domain::evaluation::sheet_view::{
    GoalBelow, GoalsSaved, SheetLine, SheetResult, SheetStep, SheetView, WorkSaved,
};
use crate::domain::evaluation::template::SectionKind;
use crate::domain::evaluation::workflow::{Command, Draft, Relation, SheetState};
use crate::domain::ids::GoalId;
use crate::domain::problem::Problem;
use crate::i18n::periods::sheet_state_name;
use crate::i18n::sheets::step_name;
use crate::i18n::{use_lang, use_texts};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;
use rust_decimal::Decimal;
use std::collections::BTreeMap;

// ---- the lists ---------------------------------------------------------------------------

#[component]
pub fn MySheetsPage() -> impl IntoView {
    view! {
        <Gate need=Need::SignedIn>
            <SheetList mine=true />
        </Gate>
    }
}

#[component]
pub fn ReviewsPage() -> impl IntoView {
    view! {
        <Gate need=Need::SignedIn>
            <SheetList mine=false />
        </Gate>
    }
}

/// 自分の評価 (`mine`) or 評価する: the reader's sheets of that kind, their turn first.
#[component]
fn SheetList(mine: bool) -> impl IntoView {
    let t = use_texts();
    let lang = use_lang();
    let lines = Resource::new(|| (), |_| my_sheets());
    let state_filter = RwSignal::new(String::new());
    let department_filter = RwSignal::new(String::new());
    let turn_only = RwSignal::new(false);
    let table = move |lines: Vec<SheetLine>| {
        let s = t().sheet;
        let mut lines: Vec<SheetLine> = lines
            .into_iter()
            .filter(|line| line.stage.is_none() == mine)
            .collect();
        // What waits for the reader first, the nearest deadline first; then the rest.
        // (A deadline reads `2026-12-12 23:59 (JST, +09:00)`: as text it sorts by time.)
        lines.sort_by(|a, b| {
            b.my_turn
                .cmp(&a.my_turn)
                .then_with(|| a.deadline.is_none().cmp(&b.deadline.is_none()))
                .then_with(|| a.deadline.cmp(&b.deadline))
        });
        if lines.is_empty() {
            return view! { <p>{if mine { s.my_none } else { s.reviews_none }}</p> }.into_any();
        }
        // 評価する: by state and by whose turn it is, chosen here; the cards by period.
        // The states present, in the workflow's order.
        let states: Vec<SheetState> = SheetState::all(crate::domain::evaluation::Stage::MAX)
            .into_iter()
            .filter(|state| lines.iter().any(|line| line.state == *state))
            .collect();
        // The departments of the people listed, by name.
        let mut departments: Vec<String> = lines
            .iter()
            .filter_map(|line| line.department.clone())
            .collect();
        departments.sort();
        departments.dedup();
        let filters = (!mine).then(|| {
            let department_options = departments
                .into_iter()
                .map(|name| view! { <option value=name.clone()>{name.clone()}</option> })
                .collect_view();
            let options = states
                .iter()
                .map(|state| {
                    let name = sheet_state_name(*state, lang.get_untracked());
                    view! { <option value=state.as_stored()>{name}</option> }
                })
                .collect_view();
            view! {
                <div class="field-row sheet-filters">
                    <div class="field">
                        <label class="field__label" for="filter-state">{s.filter_state}</label>
                        <select id="filter-state" on:change=move |ev| state_filter.set(event_target_value(&ev))>
                            <option value="">{s.filter_all}</option>
                            {options}
                        </select>
                    </div>
                    <div class="field">
                        <label class="field__label" for="filter-department">{s.filter_department}</label>
                        <select id="filter-department" on:change=move |ev| department_filter.set(event_target_value(&ev))>
                            <option value="">{s.filter_all}</option>
                            {department_options}
                        </select>
                    </div>
                    <label class="checkbox">
                        <input type="checkbox" on:change=move |ev| turn_only.set(event_target_checked(&ev)) />
                        " "{s.filter_my_turn}
                    </label>
                </div>
            }
        });
        let cards = move || {
            let wanted = state_filter.get();
            let shown: Vec<&SheetLine> = lines
                .iter()
                .filter(|line| wanted.is_empty() || line.state.as_stored() == wanted)
                .filter(|line| {
                    department_filter.with(|d| d.is_empty() || line.department.as_ref() == Some(d))
                })
                .filter(|line| !turn_only.get() || line.my_turn)
                .collect();
            if shown.is_empty() {
                return view! { <p>{s.filter_none}</p> }.into_any();
            }
            // Grouped by period, in the order their first sheet comes.
            let mut periods: Vec<&str> = Vec::new();
            for line in &shown {
                if !periods.contains(&line.period_name.as_str()) {
                    periods.push(&line.period_name);
                }
            }
            let grouped = periods.len() > 1 && !mine;
            periods
                .into_iter()
                .map(|period| {
                    let of_period: Vec<SheetLine> = shown
                        .iter()
                        .filter(|line| line.period_name == period)
                        .map(|line| (*line).clone())
                        .collect();
                    // Evaluators follow their people's progress in the period.
                    let progress = of_period.first().filter(|_| !mine).map(|line| {
                        let href = format!("/evaluation/periods/{}/progress", line.period);
                        view! { <p><A href=href>{move || t().progress.link}</A></p> }
                    });
                    view! {
                        {grouped.then(|| view! { <h2 class="sheet-period">{period.to_owned()}</h2> })}
                        {progress}
                        {sheet_cards(of_period, mine)}
                    }
                })
                .collect_view()
                .into_any()
        };
        view! { {filters}{cards} }.into_any()
    };
    view! {
        <PageTitle pick=move |t| if mine { t.sheet.my_title } else { t.sheet.reviews_title } />
        <h1>{move || if mine { t().sheet.my_title } else { t().sheet.reviews_title }}</h1>
        <p class="lead">{move || if mine { t().sheet.my_lead } else { t().sheet.reviews_lead }}</p>
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match lines.await {
                    Ok(lines) => table(lines).into_any(),
                    Err(error) => view! { <NoticeLine notice=Signal::derive(move || failed(error.clone())) /> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// Cards rather than a table: one or two of one's own, a few dozen to evaluate, each
/// readable on a phone without scrolling sideways.
fn sheet_cards(lines: Vec<SheetLine>, mine: bool) -> impl IntoView {
    let t = use_texts();
    let lang = use_lang();
    let s = t().sheet;
    let cards = lines
            .into_iter()
            .map(|line| {
                let name = line.employee.name.clone();
                let href = format!("/evaluation/sheets/{}", line.id);
                let state = sheet_state_name(line.state, lang.get_untracked());
                let heading = if mine {
                    line.period_name.clone()
                } else {
                    format!("{} — {}", line.period_name, name)
                };
                view! {
                    <li class="card sheet-line">
                        <h2 class="sheet-line__title"><A href=href>{heading}</A></h2>
                        {(!mine).then(|| line.department.clone().map(|d| view! { <p class="field__hint">{d}</p> }))}
                        <p>
                            {line.stage.map(|st| view! { {(s.stage_name)(st.number())}" · " })}
                            {(s.state_line)(&state)}
                            {line.my_turn.then(|| view! { " "<span class="badge badge--turn">{s.your_turn}</span> })}
                            {line.late.then(|| view! { " "<span class="badge badge--late">{s.late}</span> })}
                        </p>
                        {line.deadline.clone().map(|d| view! { <p class="field__hint">{(s.deadline_line)(&d)}</p> })}
                    </li>
                }
            })
            .collect_view();
    view! { <ul class="sheet-lines">{cards}</ul> }
}

// ---- one sheet ---------------------------------------------------------------------------

#[component]
pub fn SheetPage() -> impl IntoView {
    view! {
        <Gate need=Need::SignedIn>
            <SheetContent />
        </Gate>
    }
}

#[component]
fn SheetContent() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    // Bumped by every step, so that the page reads the sheet again.
    let changed = RwSignal::new(0_u32);
    let notice = RwSignal::new(None::<Notice>);
    let sheet = Resource::new(move || (id(), changed.get()), |(id, _)| get_sheet(id));
    view! {
        <PageTitle pick=|t| t.sheet.my_title />
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match sheet.await {
                    Ok(sheet) => view! { <Sheet sheet changed notice /> }.into_any(),
                    Err(error) => view! { <NoticeLine notice=Signal::derive(move || failed(error.clone())) /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Sheet(
    sheet: SheetView,
    changed: RwSignal<u32>,
    notice: RwSignal<Option<Notice>>,
) -> impl IntoView {
    let t = use_texts();
    let lang = use_lang();
    let version = RwSignal::new(sheet.version);
    // A save can move the sheet on (the first save of a self-evaluation begins it).
    let state = RwSignal::new(sheet.state);
    let steps = RwSignal::new(sheet.steps.clone());
    let mine = sheet.relations.contains(&Relation::Owner);
    let title = (t().sheet.sheet_title)(&sheet.period_name, &sheet.employee.name);
    let evaluators = sheet
        .evaluators
        .iter()
        .map(|e| {
            e.as_ref()
                .map_or_else(|| t().sheet.nobody.to_owned(), |p| p.name.clone())
        })
        .collect::<Vec<_>>()
        .join(" → ");
    let deadline = sheet.deadline.clone();
    let late = sheet.late;
    // The one draft the reader writes now, if any, and whether all of it is on the server.
    let (editor, saved): (AnyView, Signal<bool>) = match sheet.draft {
        Some(Draft::Goals) => {
            let autosave = goals_autosave(&sheet, version);
            (
                view! { <GoalsEditor sheet=sheet.clone() autosave /> }.into_any(),
                Signal::derive(move || autosave.is_saved()),
            )
        }
        Some(draft) => {
            let autosave = work_autosave(&sheet, draft, version, state, steps);
            (
                view! { <WorkEditor sheet=sheet.clone() draft autosave /> }.into_any(),
                Signal::derive(move || autosave.is_saved()),
            )
        }
        None => (().into_any(), Signal::derive(|| true)),
    };
    // The sheet as written, where no editor shows it already.
    let sections = if sheet.draft.is_some() {
        ().into_any()
    } else {
        sheet_as_written(&sheet).into_any()
    };
    let ratings = view! { <RatingsShown sheet=sheet.clone() /> };
    let below = view! { <GoalsBelow goals=sheet.goals.clone() below=sheet.goals_below.clone() /> };
    let result = sheet
        .result
        .clone()
        .map(|result| view! { <ResultShown result /> });
    let interview = (sheet.interview.is_some() || sheet.may_record_interview).then(|| {
        view! {
            <Interview id=sheet.id.to_string() version day=sheet.interview may=sheet.may_record_interview changed notice />
        }
    });
    let id = sheet.id.to_string();
    let pdf = format!("/api/evaluation/sheets/{id}.pdf");
    let history = sheet.history.clone();
    view! {
        <p class="actions">
            <A href=if mine { "/evaluation/me" } else { "/evaluation/reviews" }>
                {move || if mine { t().sheet.back_mine } else { t().sheet.back_reviews }}
            </A>
            <a href=pdf target="_blank" rel="noopener">{move || t().sheet.pdf_link}</a>
        </p>
        <h1>{title}</h1>
        <p class="lead">
            {move || (t().sheet.state_line)(&sheet_state_name(state.get(), lang.get()))}
            {late.then(|| view! { " "<span class="badge badge--late">{move || t().sheet.late}</span> })}
            {deadline.map(|d| view! { <br />{move || (t().sheet.deadline_line)(&d)} })}
            <br />
            {move || (t().sheet.evaluators_line)(&evaluators)}
        </p>
        <NoticeLine notice=notice />
        {result}
        {interview}
        {editor}
        {sections}
        {below}
        {ratings}
        <Steps id steps version saved changed notice />
        <section class="card" aria-labelledby="sheet-history">
            <h2 id="sheet-history">{move || t().sheet.history_heading}</h2>
            {if history.is_empty() {
                view! { <p>{move || t().sheet.history_empty}</p> }.into_any()
            } else {
                view! {
                    <ol class="sheet-history">
                        {history.into_iter().map(|event| {
                            let line = move || (t().sheet.history_line)(
                                &event.at,
                                &event.by,
                                step_name(event.step, lang.get()),
                                &sheet_state_name(event.to, lang.get()),
                            );
                            let comment = event.comment.clone();
                            view! { <li>{line}{comment.map(|c| view! { <blockquote>{c}</blockquote> })}</li> }
                        }).collect_view()}
                    </ol>
                }.into_any()
            }}
        </section>
    }
}

/// The template's sections as the sheet has them: the goals written, the items, the
/// comment sections' titles (the ratings and comments follow in [`RatingsShown`]).
fn sheet_as_written(sheet: &SheetView) -> impl IntoView + use<> {
    let t = use_texts();
    sheet
        .template
        .sections
        .iter()
        .enumerate()
        .map(|(index, section)| {
            let title = section.title.clone();
            match &section.kind {
                SectionKind::Goals { .. } => {
                    let goals = sheet.goals.get(&index).cloned().unwrap_or_default();
                    view! { <GoalsShown title goals /> }.into_any()
                }
                SectionKind::Items { items } => {
                    let items = items.clone();
                    view! {
                        <section class="card">
                            <h2>{move || (t().sheet.items_heading)(&title)}</h2>
                            <ul class="sheet-items">
                                {items.into_iter().map(|item| view! {
                                    <li><strong>{item.title}</strong>" "<span class="field__hint">{format!("{}%", item.weight.normalize())}</span><br />{item.description}</li>
                                }).collect_view()}
                            </ul>
                        </section>
                    }
                    .into_any()
                }
                SectionKind::Comment => view! {
                    <section class="card"><h2>{move || (t().sheet.comment_section)(&title)}</h2></section>
                }
                .into_any(),
            }
        })
        .collect_view()
}

/// The ratings, comments and stage scores the reader may see (the server sent only those),
/// one column per rater: 本人 (the self-evaluation), then each evaluator stage.
#[component]
fn RatingsShown(sheet: SheetView) -> impl IntoView {
    let t = use_texts();
    let content = SheetContent {
        goals: sheet.goals.clone(),
        self_work: sheet.self_work.clone(),
        ..SheetContent::default()
    };
    // The reader's own draft is in their editor, not here.
    let raters: Vec<(String, Work)> = other_raters(&sheet, sheet.draft)
        .into_iter()
        .map(|(who, work)| (who, work.clone()))
        .collect();
    if raters.iter().all(|(_, work)| work.is_blank()) {
        return ().into_any();
    }
    let cell = |rating: Option<&Rating>| match rating {
        Some(Rating::Level(label)) => label.clone(),
        Some(Rating::NotApplicable { reason }) => (t().sheet.not_applicable)(reason),
        None => "—".to_owned(),
    };
    let sections = sheet
        .template
        .sections
        .iter()
        .enumerate()
        .filter_map(|(index, section)| {
            let titles: Vec<String> = match &section.kind {
                SectionKind::Goals { .. } => sheet
                    .goals
                    .get(&index)
                    .map(|goals| goals.iter().map(|g| g.title.clone()).collect())
                    .unwrap_or_default(),
                SectionKind::Items { items } => items.iter().map(|i| i.title.clone()).collect(),
                SectionKind::Comment => Vec::new(),
            };
            // A column for each rater whose ratings the reader may see; where only the
            // comments are disclosed, the reasons go with the comments below.
            let rating_raters: Vec<&(String, Work)> = raters
                .iter()
                .filter(|(_, work)| work.ratings.values().flatten().any(Option::is_some))
                .collect();
            let mut comments: Vec<(String, String)> = raters
                .iter()
                .filter_map(|(who, work)| {
                    work.comments
                        .get(&index)
                        .filter(|c| !c.trim().is_empty())
                        .map(|c| (who.clone(), c.clone()))
                })
                .collect();
            for (who, work) in raters.iter().filter(|r| !rating_raters.contains(r)) {
                for (entry, title) in titles.iter().enumerate() {
                    let reason = work.entry_comment(index, entry);
                    if !reason.trim().is_empty() {
                        comments.push((format!("{who} — {title}"), reason.to_owned()));
                    }
                }
            }
            let titles = if rating_raters.is_empty() { Vec::new() } else { titles };
            if titles.is_empty() && comments.is_empty() {
                return None;
            }
            let rows = titles
                .iter()
                .enumerate()
                .map(|(entry, title)| {
                    let cells = rating_raters
                        .iter()
                        .map(|(_, work)| {
                            let comment = work.entry_comment(index, entry).to_owned();
                            view! {
                                <td>
                                    {cell(work.rating(index, entry))}
                                    {(!comment.trim().is_empty()).then(|| view! { <p class="rating-comment">{comment}</p> })}
                                </td>
                            }
                        })
                        .collect_view();
                    view! { <tr><th scope="row">{title.clone()}</th>{cells}</tr> }
                })
                .collect_view();
            let heads = rating_raters.iter().map(|(who, _)| view! { <th scope="col">{who.clone()}</th> }).collect_view();
            let title = section.title.clone();
            let has_rows = !titles.is_empty();
            Some(view! {
                <h3>{title.clone()}</h3>
                {has_rows.then(|| view! {
                    <div class="table-wrap" tabindex="0" role="region" aria-label=title.clone()>
                        <table class="table">
                            <thead><tr><th scope="col">{move || t().sheet.entry}</th>{heads}</tr></thead>
                            <tbody>{rows}</tbody>
                        </table>
                    </div>
                })}
                {comments.into_iter().map(|(who, c)| view! { <p><strong>{who}": "</strong>{c}</p> }).collect_view()}
            })
        })
        .collect_view();
    // Each rater's score, computed as the server computes it, with its sum.
    let scores = raters
        .iter()
        .filter_map(|(who, work)| {
            let score = score_work(&sheet.template, &content, work).ok()?;
            Some(view! { <li><strong>{format!("{who}: {}", score.score)}</strong>" = "{score.formula()}</li> })
        })
        .collect_view();
    view! {
        <section class="card" aria-labelledby="sheet-ratings">
            <h2 id="sheet-ratings">{move || t().sheet.ratings_heading}</h2>
            {sections}
            <ul class="sheet-scores">{scores}</ul>
        </section>
    }
    .into_any()
}

/// The sheet's result as far as the reader may see it: the final grade, the final score
/// with the sum that makes it, and a calibration's change with its reason.
#[component]
fn ResultShown(result: SheetResult) -> impl IntoView {
    use crate::domain::evaluation::scoring::{ScoreSource, percent, points};
    let t = use_texts();
    let grade = result.grade.clone();
    let score = result.computed.clone().map(|score| {
        let formula = score
            .parts
            .iter()
            .map(|(source, weight, part)| {
                let who = match source {
                    ScoreSource::SelfEvaluation => t().sheet.self_rater.to_owned(),
                    ScoreSource::Stage(stage) => (t().sheet.stage_name)(stage.number()),
                };
                format!("{who} {} % × {}", percent(*weight), points(*part))
            })
            .collect::<Vec<_>>()
            .join(" + ");
        (points(score.score), formula, score.grade)
    });
    let adjusted = result.adjusted.clone().map(|a| {
        let from = score.as_ref().map(|(_, _, g)| g.clone()).unwrap_or_default();
        view! { <p class="field__hint">{move || (t().calibration.result_adjusted)(&from, &a.reason)}</p> }
    });
    view! {
        <section class="card result-card" aria-labelledby="sheet-result">
            <h2 id="sheet-result">{move || t().calibration.result_heading}</h2>
            {grade.map(|g| view! { <p class="result-grade">{move || (t().calibration.result_grade)(&g)}</p> })}
            {score.map(|(s, f, _)| view! { <p>{move || (t().calibration.result_score)(&s, &f)}</p> })}
            {adjusted}
        </section>
    }
}

/// The feedback interview (フィードバック面談): the day it was held, recorded by an
/// evaluator once the result is disclosed.
#[component]
fn Interview(
    id: String,
    version: RwSignal<i64>,
    day: Option<CalendarDate>,
    may: bool,
    changed: RwSignal<u32>,
    notice: RwSignal<Option<Notice>>,
) -> impl IntoView {
    let t = use_texts();
    let typed = RwSignal::new(day.map(|d| d.iso()).unwrap_or_default());
    let busy = RwSignal::new(false);
    let record = move |_| {
        let (id, text) = (id.clone(), typed.get_untracked());
        busy.set(true);
        spawn_local(async move {
            let result = record_interview(id, version.get_untracked(), text.clone()).await;
            busy.set(false);
            match result {
                Ok(_) => {
                    notice.set(Some(Notice::Done((t().sheet.interview_done)(&text))));
                    changed.update(|n| *n += 1);
                }
                Err(error) => notice.set(failed(error)),
            }
        });
    };
    view! {
        <section class="card" aria-labelledby="sheet-interview">
            <h2 id="sheet-interview">{move || t().sheet.interview_heading}</h2>
            <p>{move || match day {
                Some(d) => (t().sheet.interview_on)(&d.iso()),
                None => t().sheet.interview_none.to_owned(),
            }}</p>
            {may.then(|| view! {
                <div class="field-row">
                    <div class="field">
                        <label class="field__label" for="interview-day">{move || t().sheet.interview_day}</label>
                        <input id="interview-day" type="date" prop:value=move || typed.get()
                            on:input=move |ev| typed.set(event_target_value(&ev)) />
                    </div>
                </div>
                <button type="button" class="button" on:click=record.clone() disabled=move || busy.get()>
                    {move || t().sheet.interview_record}
                </button>
            })}
        </section>
    }
}

/// The raters whose work the reader sees besides their own draft (`editing`): 本人 (the
/// self-evaluation), then each evaluator stage, by the name the page gives them.
fn other_raters(sheet: &SheetView, editing: Option<Draft>) -> Vec<(String, &Work)> {
    let t = use_texts();
    let mut raters = Vec::new();
    if let Some(work) = &sheet.self_work
        && editing != Some(Draft::SelfWork)
    {
        raters.push((t().sheet.self_rater.to_owned(), work));
    }
    for (n, work) in sheet.stage_work.iter().enumerate() {
        let number = n as u8 + 1;
        let editing_this =
            matches!(editing, Some(Draft::StageWork(stage)) if stage.number() == number);
        if let Some(work) = work
            && !editing_this
        {
            raters.push(((t().sheet.stage_name)(number), work));
        }
    }
    raters
}

/// Goals as written, for everyone but the employee drafting them, each with the upper goal
/// it serves.
#[component]
fn GoalsShown(title: String, goals: Vec<Goal>) -> impl IntoView {
    let t = use_texts();
    view! {
        <section class="card">
            <h2>{move || (t().sheet.goals_heading)(&title)}</h2>
            {if goals.is_empty() {
                view! { <p>{move || t().sheet.no_goals}</p> }.into_any()
            } else {
                view! {
                    <ol class="sheet-goals">
                        {goals.into_iter().map(|goal| view! {
                            <li>
                                <strong>{goal.title}</strong>" "
                                <span class="field__hint">{format!("{}%", goal.weight.normalize())}{goal.due.map(|d| format!(" · {}", d.iso()))}</span>
                                {(!goal.description.is_empty()).then(|| view! { <p>{goal.description.clone()}</p> })}
                                {(!goal.measure.is_empty()).then(|| view! { <p>{move || t().sheet.goal_measure}": "{goal.measure.clone()}</p> })}
                                {goal.aligned_to.map(|link| view! {
                                    <p class="goal-link">{move || (t().sheet.upper_goal_shown)(&link.title, &link.owner)}</p>
                                })}
                            </li>
                        }).collect_view()}
                    </ol>
                }.into_any()
            }}
        </section>
    }
}

/// The goals of the people the employee evaluates first that serve the employee's goals
/// (上位目標 seen from above), under the goal each serves. The server sends them to the
/// employee only.
#[component]
fn GoalsBelow(goals: BTreeMap<usize, Vec<Goal>>, below: Vec<GoalBelow>) -> impl IntoView {
    let t = use_texts();
    let served: Vec<(String, Vec<GoalBelow>)> = goals
        .into_values()
        .flatten()
        .filter_map(|goal| {
            let id = goal.id?;
            let these: Vec<GoalBelow> = below.iter().filter(|b| b.upper == id).cloned().collect();
            (!these.is_empty()).then_some((goal.title, these))
        })
        .collect();
    (!served.is_empty()).then(|| {
        view! {
            <section class="card goals-below" aria-labelledby="goals-below">
                <h2 id="goals-below">{move || t().sheet.goals_below}</h2>
                {served.into_iter().map(|(title, these)| view! {
                    <h3>{title}</h3>
                    <ul>{these.into_iter().map(|b| view! { <li>{b.employee}": "{b.title}</li> }).collect_view()}</ul>
                }).collect_view()}
            </section>
        }
    })
}

/// A goal as typed: the fields as text, so that nothing typed is ever changed or lost; the
/// goal's id and upper goal ride along as the server gave them.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
struct GoalText {
    title: String,
    description: String,
    measure: String,
    weight: String,
    due: String,
    id: Option<GoalId>,
    aligned_to: Option<GoalLink>,
}

impl GoalText {
    fn of(goal: &Goal) -> GoalText {
        GoalText {
            title: goal.title.clone(),
            description: goal.description.clone(),
            measure: goal.measure.clone(),
            weight: goal.weight.normalize().to_string(),
            due: goal.due.map(|d| d.iso()).unwrap_or_default(),
            id: goal.id.clone(),
            aligned_to: goal.aligned_to.clone(),
        }
    }

    /// The goal as the server keeps it: a weight that is no number counts as 0 (and the
    /// check says so), a date typed half-way as none.
    fn goal(&self) -> Goal {
        Goal {
            title: self.title.clone(),
            description: self.description.clone(),
            measure: self.measure.clone(),
            weight: parse_weight(&self.weight).unwrap_or(Decimal::ZERO),
            due: CalendarDate::from_iso(self.due.trim()),
            id: self.id.clone(),
            aligned_to: self.aligned_to.clone(),
        }
    }
}

/// A weight as typed, full-width digits (an IME's) and `%` allowed.
fn parse_weight(text: &str) -> Option<Decimal> {
    let plain: String = text
        .trim()
        .trim_end_matches(['%', '％'])
        .chars()
        .map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
            '．' => '.',
            other => other,
        })
        .collect();
    plain.trim().parse().ok()
}

type GoalTexts = BTreeMap<usize, Vec<GoalText>>;

fn goals_of(texts: &GoalTexts) -> BTreeMap<usize, Vec<Goal>> {
    texts
        .iter()
        .map(|(section, goals)| (*section, goals.iter().map(GoalText::goal).collect()))
        .collect()
}

fn texts_of(goals: &BTreeMap<usize, Vec<Goal>>) -> GoalTexts {
    goals
        .iter()
        .map(|(section, goals)| (*section, goals.iter().map(GoalText::of).collect()))
        .collect()
}

/// The employee's goals as typed, saved by `save_goals`.
fn goals_autosave(sheet: &SheetView, version: RwSignal<i64>) -> Autosave<GoalTexts> {
    let id = sheet.id.to_string();
    let mut saved = texts_of(&sheet.goals);
    for (index, section) in sheet.template.sections.iter().enumerate() {
        if matches!(section.kind, SectionKind::Goals { .. }) {
            saved.entry(index).or_default();
        }
    }
    let key = format!("kouka.sheet.{id}.goals");
    Autosave::new(key, version, saved, move |based_on, texts: GoalTexts| {
        let id = id.clone();
        Box::pin(async move {
            let body = serde_json::to_string(&goals_of(&texts)).unwrap_or_default();
            Ok(match save_goals(id, based_on, body).await? {
                GoalsSaved::Saved { version, at } => Saved::Saved { version, at },
                GoalsSaved::Conflict { version, theirs } => Saved::Conflict {
                    version,
                    theirs: texts_of(&theirs),
                },
            })
        })
    })
}

/// The goals someone saved first, beside one's own.
fn goals_saved_first(goals: GoalTexts) -> impl IntoView {
    goals
        .into_values()
        .map(|list| {
            view! {
                <ol>{list.into_iter().map(|g| view! { <li>{g.title}" "{g.weight}"%"</li> }).collect_view()}</ol>
            }
        })
        .collect_view()
}

/// The employee's goals, editable, saved a moment after each change.
#[component]
fn GoalsEditor(sheet: SheetView, autosave: Autosave<GoalTexts>) -> impl IntoView {
    let t = use_texts();
    let lang = use_lang();
    let template = sheet.template.clone();
    let term = (sheet.term_start, sheet.term_end);
    let upper = StoredValue::new(sheet.upper_goals.clone());
    let goals = autosave.value;
    let issues = Memo::new(move |_| check_goals(&template, term, &goals_of(&goals.get())));
    let issue_text = move |issue: &GoalIssue| {
        Problem::Goals {
            at: issue.at,
            problem: issue.problem.clone(),
        }
        .text(lang.get())
    };
    let hint = match term {
        (Some(start), Some(end)) => (t().sheet.goal_due_hint)(&start.iso(), &end.iso()),
        _ => String::new(),
    };
    let sections = sheet
        .template
        .sections
        .iter()
        .enumerate()
        .filter_map(|(index, section)| match section.kind {
            SectionKind::Goals {
                min_goals,
                max_goals,
            } => Some((index, section.title.clone(), min_goals, max_goals)),
            _ => None,
        })
        .map(|(index, title, min, max)| {
            let hint = hint.clone();
            let total = move || {
                let total = goals.with(|g| {
                    weight_total(
                        &g.get(&index)
                            .map(|list| list.iter().map(GoalText::goal).collect::<Vec<_>>())
                            .unwrap_or_default(),
                    )
                });
                (t().sheet.weight_total)(&total.normalize().to_string())
            };
            let count = move || goals.with(|g| g.get(&index).map_or(0, Vec::len));
            let at_max = move || count() >= max as usize;
            let add =
                move |_| autosave.edit(|g| g.entry(index).or_default().push(GoalText::default()));
            view! {
                <section class="card" aria-labelledby=format!("goals-{index}")>
                    <h2 id=format!("goals-{index}")>{move || (t().sheet.goals_heading)(&title)}</h2>
                    <p class="field__hint">{move || (t().sheet.goals_rule)(min, max)}</p>
                    {move || {
                        (0..count()).map(|n| {
                            let hint = hint.clone();
                            view! { <GoalFields section=index n autosave hint upper /> }
                        }).collect_view()
                    }}
                    <p class="weight-total" aria-live="polite">{total}</p>
                    <button type="button" class="button" on:click=add disabled=at_max>
                        {move || t().sheet.add_goal}
                    </button>
                </section>
            }
        })
        .collect_view();
    view! {
        <SaveStatus autosave />
        <ConflictChoice autosave theirs=goals_saved_first />
        {sections}
        <ul class="problem-list" aria-live="polite">
            {move || issues.get().iter().map(|issue| view! { <li>{issue_text(issue)}</li> }).collect_view()}
        </ul>
    }
}

/// One goal's fields.
#[component]
fn GoalFields(
    section: usize,
    n: usize,
    autosave: Autosave<GoalTexts>,
    hint: String,
    /// The upper goals this goal may serve (上位目標).
    upper: StoredValue<Vec<GoalLink>>,
) -> impl IntoView {
    let t = use_texts();
    let goals = autosave.value;
    let field = move |pick: fn(&GoalText) -> String| {
        move || {
            goals.with(|g| {
                g.get(&section)
                    .and_then(|l| l.get(n))
                    .map(pick)
                    .unwrap_or_default()
            })
        }
    };
    let prefix = format!("goal-{section}-{n}");
    // Writes one field of this goal as typed, then starts the autosave's wait.
    let on = move |put: fn(&mut GoalText, String)| {
        move |ev: leptos::ev::Event| {
            let value = event_target_value(&ev);
            autosave.edit(|g| {
                if let Some(goal) = g.get_mut(&section).and_then(|l| l.get_mut(n)) {
                    put(goal, value);
                }
            });
        }
    };
    let remove = move |_| {
        autosave.edit(|g| {
            if let Some(list) = g.get_mut(&section)
                && n < list.len()
            {
                list.remove(n);
            }
        })
    };
    view! {
        <fieldset class="goal">
            <legend>{move || (t().sheet.goal_n)(n + 1)}</legend>
            <div class="field">
                <label class="field__label" for=format!("{prefix}-title")>{move || t().sheet.goal_title}</label>
                <input id=format!("{prefix}-title") type="text" prop:value=field(|g| g.title.clone()) on:input=on(|g, v| g.title = v) />
            </div>
            <div class="field">
                <label class="field__label" for=format!("{prefix}-description")>{move || t().sheet.goal_description}</label>
                <textarea id=format!("{prefix}-description") rows="2" prop:value=field(|g| g.description.clone()) on:input=on(|g, v| g.description = v)></textarea>
            </div>
            <div class="field">
                <label class="field__label" for=format!("{prefix}-measure")>{move || t().sheet.goal_measure}</label>
                <textarea id=format!("{prefix}-measure") rows="2" prop:value=field(|g| g.measure.clone()) on:input=on(|g, v| g.measure = v)></textarea>
            </div>
            <div class="field-row">
                <div class="field">
                    <label class="field__label" for=format!("{prefix}-weight")>{move || t().sheet.goal_weight}</label>
                    <input id=format!("{prefix}-weight") type="text" inputmode="decimal" size="6" prop:value=field(|g| g.weight.clone()) on:input=on(|g, v| g.weight = v) />
                </div>
                <div class="field">
                    <label class="field__label" for=format!("{prefix}-due")>{move || t().sheet.goal_due}</label>
                    <input id=format!("{prefix}-due") type="date" prop:value=field(|g| g.due.clone()) on:input=on(|g, v| g.due = v) />
                    <p class="field__hint">{hint}</p>
                </div>
            </div>
            <UpperGoalField section n autosave upper />
            <button type="button" class="button button--small" on:click=remove>{move || (t().sheet.remove_goal)(n + 1)}</button>
        </fieldset>
    }
}

/// The choice of the upper goal (上位目標) one goal serves: one of the 1st evaluator's
/// approved goals, or none. A link kept from before (the upper goal revised since) stays a
/// choice of its own. Not shown when there is nothing to choose.
#[component]
fn UpperGoalField(
    section: usize,
    n: usize,
    autosave: Autosave<GoalTexts>,
    upper: StoredValue<Vec<GoalLink>>,
) -> impl IntoView {
    let t = use_texts();
    let goals = autosave.value;
    let current = move || {
        goals.with(|g| {
            g.get(&section)
                .and_then(|l| l.get(n))
                .and_then(|goal| goal.aligned_to.clone())
        })
    };
    let choices = move || {
        let mut choices = upper.get_value();
        if let Some(link) = current()
            && !choices.iter().any(|c| c.goal == link.goal)
        {
            choices.push(link);
        }
        choices
    };
    let pick = move |ev: leptos::ev::Event| {
        let value = event_target_value(&ev);
        let link = choices().into_iter().find(|c| c.goal.as_str() == value);
        autosave.edit(|g| {
            if let Some(goal) = g.get_mut(&section).and_then(|l| l.get_mut(n)) {
                goal.aligned_to = link;
            }
        });
    };
    let id = format!("goal-{section}-{n}-upper");
    move || {
        let choices = choices();
        (!choices.is_empty()).then(|| {
            let chosen = current().map(|link| link.goal.to_string()).unwrap_or_default();
            view! {
                <div class="field">
                    <label class="field__label" for=id.clone()>{move || t().sheet.upper_goal}</label>
                    <select id=id.clone() on:change=pick prop:value=chosen.clone()>
                        <option value="" selected=chosen.is_empty()>{move || t().sheet.upper_goal_none}</option>
                        {choices.into_iter().map(|c| {
                            let value = c.goal.to_string();
                            let selected = value == chosen;
                            view! { <option value=value selected=selected>{format!("{}（{}）", c.title, c.owner)}</option> }
                        }).collect_view()}
                    </select>
                    <p class="field__hint">{move || t().sheet.upper_goal_hint}</p>
                </div>
            }
        })
    }
}

/// The steps the reader may take now, as the server listed them (a save can change them).
#[component]
fn Steps(
    id: String,
    steps: RwSignal<Vec<Command>>,
    version: RwSignal<i64>,
    /// Whether the reader's draft is all on the server: no step before it is.
    saved: Signal<bool>,
    changed: RwSignal<u32>,
    notice: RwSignal<Option<Notice>>,
) -> impl IntoView {
    let t = use_texts();
    let lang = use_lang();
    let comment = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let needs_comment = move || {
        steps.with(|steps| {
            steps.iter().any(|c| {
                matches!(
                    c,
                    Command::SendBack { .. }
                        | Command::ReviseGoals { .. }
                        | Command::Acknowledge { .. }
                )
            })
        })
    };
    let run = move |step: SheetStep, id: String| {
        busy.set(true);
        spawn_local(async move {
            let result = take_step(
                id,
                version.get_untracked(),
                step.as_stored().to_owned(),
                comment.get_untracked(),
            )
            .await;
            busy.set(false);
            match result {
                Ok(_) => {
                    notice.set(Some(Notice::Done((t().sheet.step_done)(step_name(
                        step,
                        lang.get_untracked(),
                    )))));
                    comment.set(String::new());
                    changed.update(|n| *n += 1);
                }
                Err(error) => notice.set(failed(error)),
            }
        });
    };
    let buttons = move || {
        steps
            .get()
            .iter()
            .map(|command| {
                let step = SheetStep::of(command);
                let id = id.clone();
                let primary = !matches!(
                    step,
                    SheetStep::SendBack
                        | SheetStep::ReviseGoals
                        | SheetStep::WithdrawGoals
                        | SheetStep::WithdrawSelfEvaluation
                        | SheetStep::WithdrawEvaluation
                );
                view! {
                    <button type="button" class=if primary { "button button--primary" } else { "button" }
                        on:click=move |_| run(step, id.clone())
                        disabled=move || busy.get() || !saved.get()>
                        {move || step_name(step, lang.get())}
                    </button>
                }
            })
            .collect_view()
    };
    view! {
        <section class="card" aria-labelledby="sheet-steps">
            <h2 id="sheet-steps">{move || t().sheet.steps_heading}</h2>
            {move || steps.with(Vec::is_empty).then(|| view! { <p>{move || t().sheet.no_steps}</p> })}
            {move || needs_comment().then(|| view! {
                <div class="field">
                    <label class="field__label" for="step-comment">{move || t().sheet.comment}</label>
                    <textarea id="step-comment" rows="3" prop:value=move || comment.get() on:input=move |ev| comment.set(event_target_value(&ev))></textarea>
                    <p class="field__hint">{move || t().sheet.comment_required_hint}</p>
                </div>
            })}
            <div class="actions">{buttons}</div>
        </section>
    }
}

// ---- one's ratings and comments ----------------------------------------------------------

/// The reader's own work (their self-evaluation or their stage), saved by `save_work`; each
/// save also brings the sheet's state and the steps open now.
fn work_autosave(
    sheet: &SheetView,
    draft: Draft,
    version: RwSignal<i64>,
    state: RwSignal<SheetState>,
    steps: RwSignal<Vec<Command>>,
) -> Autosave<Work> {
    let id = sheet.id.to_string();
    let saved = match draft {
        Draft::StageWork(stage) => sheet
            .stage_work
            .get(usize::from(stage.number() - 1))
            .cloned()
            .flatten(),
        Draft::SelfWork | Draft::Goals => sheet.self_work.clone(),
    }
    .unwrap_or_default();
    let key = format!("kouka.sheet.{id}.work");
    Autosave::new(key, version, saved, move |based_on, work: Work| {
        let id = id.clone();
        Box::pin(async move {
            let body = serde_json::to_string(&work).unwrap_or_default();
            Ok(match save_work(id, based_on, body).await? {
                WorkSaved::Saved {
                    version,
                    at,
                    state: now,
                    steps: open,
                } => {
                    state.set(now);
                    steps.set(open);
                    Saved::Saved { version, at }
                }
                WorkSaved::Conflict { version, theirs } => Saved::Conflict { version, theirs },
            })
        })
    })
}

/// Ratings someone saved first, beside one's own: each section's labels in order.
fn work_saved_first(work: Work) -> impl IntoView {
    let t = use_texts();
    work.ratings
        .into_values()
        .map(|ratings| {
            let labels: Vec<String> = ratings
                .iter()
                .map(|rating| match rating {
                    Some(Rating::Level(label)) => label.clone(),
                    Some(Rating::NotApplicable { .. }) => {
                        t().sheet.rating_not_applicable.to_owned()
                    }
                    None => "—".to_owned(),
                })
                .collect();
            view! { <p>{labels.join(" · ")}</p> }
        })
        .collect_view()
}

/// One goal or item to rate: what it is, and what the earlier raters gave it.
#[derive(Clone)]
struct ToRate {
    section: usize,
    entry: usize,
    title: String,
    weight: String,
    detail: Vec<String>,
    earlier: String,
}

/// The reader's ratings, reasons and comments at their part of the sheet, with the score
/// they make as the server will compute it.
#[component]
fn WorkEditor(sheet: SheetView, draft: Draft, autosave: Autosave<Work>) -> impl IntoView {
    let t = use_texts();
    let lang = use_lang();
    let heading = match draft {
        Draft::StageWork(stage) => (t().sheet.stage_name)(stage.number()),
        Draft::SelfWork | Draft::Goals => t().sheet.work_heading_self.to_owned(),
    };
    let levels = sheet.template.scale.levels.clone();
    let others = other_raters(&sheet, Some(draft));
    let earlier = |section: usize, entry: usize| {
        let given: Vec<String> = others
            .iter()
            .filter_map(|(who, work)| {
                let label = match work.rating(section, entry)? {
                    Rating::Level(label) => label.clone(),
                    Rating::NotApplicable { .. } => t().sheet.rating_not_applicable.to_owned(),
                };
                Some(format!("{who} {label}"))
            })
            .collect();
        if given.is_empty() {
            String::new()
        } else {
            (t().sheet.earlier_ratings)(&given.join(" / "))
        }
    };
    let sections = sheet
        .template
        .sections
        .iter()
        .enumerate()
        .map(|(index, section)| {
            let entries: Vec<ToRate> = match &section.kind {
                SectionKind::Goals { .. } => sheet
                    .goals
                    .get(&index)
                    .map(|goals| {
                        goals
                            .iter()
                            .enumerate()
                            .map(|(entry, goal)| ToRate {
                                section: index,
                                entry,
                                title: goal.title.clone(),
                                weight: goal.weight.normalize().to_string(),
                                detail: [goal.description.clone(), goal.measure.clone()]
                                    .into_iter()
                                    .filter(|text| !text.trim().is_empty())
                                    .collect(),
                                earlier: earlier(index, entry),
                            })
                            .collect()
                    })
                    .unwrap_or_default(),
                SectionKind::Items { items } => items
                    .iter()
                    .enumerate()
                    .map(|(entry, item)| ToRate {
                        section: index,
                        entry,
                        title: item.title.clone(),
                        weight: item.weight.normalize().to_string(),
                        detail: vec![item.description.clone()],
                        earlier: earlier(index, entry),
                    })
                    .collect(),
                SectionKind::Comment => Vec::new(),
            };
            let title = section.title.clone();
            let levels = levels.clone();
            let comment_id = format!("section-comment-{index}");
            let comment = move || autosave.value.with(|w| w.comments.get(&index).cloned().unwrap_or_default());
            let on_comment = move |ev: leptos::ev::Event| {
                let text = event_target_value(&ev);
                autosave.edit(|w| {
                    w.comments.insert(index, text);
                });
            };
            view! {
                <section class="card" aria-labelledby=format!("work-{index}")>
                    <h2 id=format!("work-{index}")>{title}</h2>
                    {entries.into_iter().map(|entry| {
                        let levels = levels.clone();
                        view! { <RateEntry entry levels autosave /> }
                    }).collect_view()}
                    <div class="field">
                        <label class="field__label" for=comment_id.clone()>{move || t().sheet.section_comment}</label>
                        <textarea id=comment_id rows="3" prop:value=comment on:input=on_comment></textarea>
                    </div>
                </section>
            }
        })
        .collect_view();
    let template = sheet.template.clone();
    let content = SheetContent {
        goals: sheet.goals.clone(),
        ..SheetContent::default()
    };
    let score = Memo::new(move |_| {
        autosave
            .value
            .with(|work| score_work(&template, &content, work))
    });
    let score_line = move || {
        match score.get() {
        Ok(score) => view! {
            <p class="score-now"><strong>{(t().sheet.score_now)(&score.score.to_string(), &score.formula())}</strong></p>
        }
        .into_any(),
        Err(problems) => {
            let unrated = problems.iter().filter(|p| matches!(p, ScoreProblem::Unrated { .. })).count();
            let others: Vec<String> = problems
                .iter()
                .filter(|p| !matches!(p, ScoreProblem::Unrated { .. }))
                .map(|p| Problem::Score(p.clone()).text(lang.get()))
                .collect();
            view! {
                {(unrated > 0).then(|| view! { <p class="score-now">{(t().sheet.score_missing)(unrated)}</p> })}
                <ul class="problem-list">{others.into_iter().map(|p| view! { <li>{p}</li> }).collect_view()}</ul>
            }
            .into_any()
        }
    }
    };
    view! {
        <h2 class="work-heading">{heading}</h2>
        <p class="field__hint">{move || t().sheet.work_lead}</p>
        <SaveStatus autosave />
        <ConflictChoice autosave theirs=work_saved_first />
        {sections}
        <section class="card score-card" aria-live="polite">{score_line}</section>
    }
}

/// One goal or item: the rating (a level of the scale, or 対象外 with its reason) and the
/// reason for it.
#[component]
fn RateEntry(entry: ToRate, levels: Vec<ScaleLevel>, autosave: Autosave<Work>) -> impl IntoView {
    let t = use_texts();
    let ToRate {
        section,
        entry: n,
        title,
        weight,
        detail,
        earlier,
    } = entry;
    let prefix = format!("rate-{section}-{n}");
    let current = move || autosave.value.with(|w| w.rating(section, n).cloned());
    // The select's value: a level by its place on the scale, `na` for 対象外, "" for none.
    let choice = {
        let levels = levels.clone();
        move || match current() {
            Some(Rating::Level(label)) => levels
                .iter()
                .position(|level| level.label == label)
                .map(|i| i.to_string())
                .unwrap_or_default(),
            Some(Rating::NotApplicable { .. }) => "na".to_owned(),
            None => String::new(),
        }
    };
    let initial = choice.clone()();
    let on_choice = {
        let levels = levels.clone();
        move |ev: leptos::ev::Event| {
            let value = event_target_value(&ev);
            let rating = match value.as_str() {
                "na" => Some(Rating::NotApplicable {
                    reason: match current() {
                        Some(Rating::NotApplicable { reason }) => reason,
                        _ => String::new(),
                    },
                }),
                other => other
                    .parse::<usize>()
                    .ok()
                    .and_then(|i| levels.get(i))
                    .map(|level| Rating::Level(level.label.clone())),
            };
            autosave.edit(|w| w.set_rating(section, n, rating));
        }
    };
    let reason = move || match current() {
        Some(Rating::NotApplicable { reason }) => Some(reason),
        _ => None,
    };
    let on_reason = move |ev: leptos::ev::Event| {
        let reason = event_target_value(&ev);
        autosave.edit(|w| w.set_rating(section, n, Some(Rating::NotApplicable { reason })));
    };
    let comment = move || {
        autosave
            .value
            .with(|w| w.entry_comment(section, n).to_owned())
    };
    let on_comment = move |ev: leptos::ev::Event| {
        let text = event_target_value(&ev);
        autosave.edit(|w| w.set_entry_comment(section, n, text));
    };
    let unrated = move || current().is_none();
    let options = levels
        .iter()
        .enumerate()
        .map(|(i, level)| {
            let value = i.to_string();
            let selected = initial == value;
            let text = if level.description.is_empty() {
                format!("{} ({})", level.label, level.points.normalize())
            } else {
                format!(
                    "{} ({}) — {}",
                    level.label,
                    level.points.normalize(),
                    level.description
                )
            };
            view! { <option value=value selected=selected>{text}</option> }
        })
        .collect_view();
    let reason_id = format!("{prefix}-reason");
    view! {
        <fieldset class="rate" class:rate--unrated=unrated>
            <legend><strong>{title}</strong>" "<span class="field__hint">{weight}"%"</span></legend>
            {detail.into_iter().map(|text| view! { <p class="rate__detail">{text}</p> }).collect_view()}
            {(!earlier.is_empty()).then(|| view! { <p class="field__hint">{earlier}</p> })}
            <div class="field-row">
                <div class="field">
                    <label class="field__label" for=format!("{prefix}-rating")>{move || t().sheet.rating}</label>
                    <select id=format!("{prefix}-rating") prop:value=choice on:change=on_choice
                        aria-invalid=move || if unrated() { "true" } else { "false" }>
                        <option value="" selected=initial.is_empty()>{move || t().sheet.rating_none}</option>
                        {options}
                        <option value="na" selected=initial == "na">{move || t().sheet.rating_not_applicable}</option>
                    </select>
                </div>
                {move || reason().map(|text| {
                    let reason_id = reason_id.clone();
                    view! {
                        <div class="field field--grow">
                            <label class="field__label" for=reason_id.clone()>{move || t().sheet.not_applicable_reason}</label>
                            <input id=reason_id type="text" prop:value=text on:input=on_reason />
                        </div>
                    }
                })}
            </div>
            <div class="field">
                <label class="field__label" for=format!("{prefix}-comment")>{move || t().sheet.entry_comment}</label>
                <textarea id=format!("{prefix}-comment") rows="2" prop:value=comment on:input=on_comment></textarea>
            </div>
        </fieldset>
    }
}
