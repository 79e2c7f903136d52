//! The evaluation sheets as the people on them see them: 自分の評価 (`/evaluation/me`),
//! 評価する (`/evaluation/reviews`) and one sheet (`/evaluation/sheets/{id}`), which shows
//! each reader what the server sent them — already cut to what they may see — and lets
//! them write what `workflow::draft_of` gives them and take the steps it allows.
//!
//! Nothing typed is lost: the goals save themselves a moment after each change, carrying
//! the sheet's version; until the server has them they are kept in this browser
//! (`localStorage`), retried when the network fails, and offered back after a reload; a
//! save based on an older version gets both texts back to choose from.

use crate::api::sheets::{get_sheet, my_sheets, save_goals, take_step};
use crate::components::browser::sleep;
use crate::components::forms::{Notice, NoticeLine};
use crate::components::gate::{Gate, Need};
use crate::components::page_title::PageTitle;
use crate::domain::dates::CalendarDate;
use crate::domain::evaluation::goals::{GoalIssue, check_goals, weight_total};
use crate::domain::evaluation::sheet::Goal;
use crate::domain::evaluation::sheet_view::{GoalsSaved, SheetLine, SheetStep, SheetView};
use crate::domain::evaluation::template::SectionKind;
use crate::domain::evaluation::workflow::{Command, Draft};
use crate::domain::problem::Problem;
use crate::error::AppError;
use crate::i18n::periods::sheet_state_name;
use crate::i18n::sheets::step_name;
use crate::i18n::{use_lang, use_texts};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;
use rust_decimal::Decimal;
use std::collections::BTreeMap;

fn failed(error: AppError) -> Option<Notice> {
    Some(Notice::Failed(error))
}

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
        // Cards rather than a table: one or two of one's own, a few dozen to evaluate, each
        // readable on a phone without scrolling sideways.
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
        view! { <ul class="sheet-lines">{cards}</ul> }.into_any()
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

/// Where the goals' autosave stands.
#[derive(Clone, Debug, PartialEq)]
enum SaveState {
    /// Everything typed is on the server (`at`: when it was last saved, if this visit).
    Saved(Option<String>),
    Unsaved,
    Saving,
    /// The server could not be reached; kept in the browser, retried.
    Offline,
    /// Someone saved first: their goals and the version they saved.
    Conflict(BTreeMap<usize, Vec<Goal>>, i64),
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
    let save_state = RwSignal::new(SaveState::Saved(None));
    let mine = sheet
        .relations
        .contains(&crate::domain::evaluation::workflow::Relation::Owner);
    let title = (t().sheet.sheet_title)(&sheet.period_name, &sheet.employee.name);
    let state = sheet.state;
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
    let editing_goals = sheet.draft == Some(Draft::Goals);
    let sections = sheet
        .template
        .sections
        .iter()
        .enumerate()
        .map(|(index, section)| {
            let title = section.title.clone();
            match &section.kind {
                SectionKind::Goals { .. } => {
                    let goals = sheet.goals.get(&index).cloned().unwrap_or_default();
                    if editing_goals {
                        ().into_any()
                    } else {
                        view! { <GoalsShown title goals /> }.into_any()
                    }
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
        .collect_view();
    let editor = editing_goals.then(|| {
        view! {
            <GoalsEditor sheet=sheet.clone() version save_state />
        }
    });
    let ratings = view! { <RatingsShown sheet=sheet.clone() /> };
    let steps = sheet.steps.clone();
    let id = sheet.id.to_string();
    let history = sheet.history.clone();
    view! {
        <p>
            <A href=if mine { "/evaluation/me" } else { "/evaluation/reviews" }>
                {move || if mine { t().sheet.back_mine } else { t().sheet.back_reviews }}
            </A>
        </p>
        <h1>{title}</h1>
        <p class="lead">
            {move || (t().sheet.state_line)(&sheet_state_name(state, lang.get()))}
            {late.then(|| view! { " "<span class="badge badge--late">{move || t().sheet.late}</span> })}
            {deadline.map(|d| view! { <br />{move || (t().sheet.deadline_line)(&d)} })}
            <br />
            {move || (t().sheet.evaluators_line)(&evaluators)}
        </p>
        <NoticeLine notice=notice />
        {editor}
        {sections}
        {ratings}
        <Steps id steps version save_state changed notice />
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

/// The ratings, comments and stage scores the reader may see (the server sent only those),
/// one column per rater: 本人 (the self-evaluation), then each evaluator stage.
#[component]
fn RatingsShown(sheet: SheetView) -> impl IntoView {
    use crate::domain::evaluation::scoring::Rating;
    use crate::domain::evaluation::sheet::{SheetContent, Work, score_work};
    let t = use_texts();
    let content = SheetContent {
        goals: sheet.goals.clone(),
        self_work: sheet.self_work.clone(),
        stage_work: Vec::new(),
    };
    let mut raters: Vec<(String, Work)> = Vec::new();
    if let Some(work) = &sheet.self_work {
        raters.push((t().sheet.self_rater.to_owned(), work.clone()));
    }
    for (n, work) in sheet.stage_work.iter().enumerate() {
        if let Some(work) = work {
            raters.push(((t().sheet.stage_name)(n as u8 + 1), work.clone()));
        }
    }
    let rated = raters
        .iter()
        .any(|(_, w)| !w.ratings.is_empty() || !w.comments.is_empty());
    if !rated {
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
            let comments: Vec<(String, String)> = raters
                .iter()
                .filter_map(|(who, work)| {
                    work.comments
                        .get(&index)
                        .filter(|c| !c.trim().is_empty())
                        .map(|c| (who.clone(), c.clone()))
                })
                .collect();
            if titles.is_empty() && comments.is_empty() {
                return None;
            }
            let rows = titles
                .iter()
                .enumerate()
                .map(|(entry, title)| {
                    let cells = raters
                        .iter()
                        .map(|(_, work)| {
                            let rating = work.ratings.get(&index).and_then(|r| r.get(entry)).and_then(Option::as_ref);
                            view! { <td>{cell(rating)}</td> }
                        })
                        .collect_view();
                    view! { <tr><th scope="row">{title.clone()}</th>{cells}</tr> }
                })
                .collect_view();
            let heads = raters.iter().map(|(who, _)| view! { <th scope="col">{who.clone()}</th> }).collect_view();
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

/// Goals as written, for everyone but the employee drafting them.
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
                            </li>
                        }).collect_view()}
                    </ol>
                }.into_any()
            }}
        </section>
    }
}

/// A goal as typed: the fields as text, so that nothing typed is ever changed or lost.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
struct GoalText {
    title: String,
    description: String,
    measure: String,
    weight: String,
    due: String,
}

impl GoalText {
    fn of(goal: &Goal) -> GoalText {
        GoalText {
            title: goal.title.clone(),
            description: goal.description.clone(),
            measure: goal.measure.clone(),
            weight: goal.weight.normalize().to_string(),
            due: goal.due.map(|d| d.iso()).unwrap_or_default(),
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

/// What this browser keeps of a sheet's goals until the server has them.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
struct KeptGoals {
    based_on: i64,
    goals: GoalTexts,
}

fn kept_key(id: &str) -> String {
    format!("kouka.sheet.{id}.goals")
}

/// The employee's goals, editable, saved a moment after each change.
#[component]
fn GoalsEditor(
    sheet: SheetView,
    version: RwSignal<i64>,
    save_state: RwSignal<SaveState>,
) -> impl IntoView {
    let t = use_texts();
    let lang = use_lang();
    let id = sheet.id.to_string();
    let template = sheet.template.clone();
    let term = (sheet.term_start, sheet.term_end);
    let mut initial = texts_of(&sheet.goals);
    for (index, section) in template.sections.iter().enumerate() {
        if matches!(section.kind, SectionKind::Goals { .. }) {
            initial.entry(index).or_default();
        }
    }
    let goals = RwSignal::new(initial.clone());
    // Each change bumps it; a save whose change is no longer the latest leaves the state.
    let generation = StoredValue::new(0_u64);

    let keep = {
        let id = id.clone();
        move || {
            let kept = KeptGoals {
                based_on: version.get_untracked(),
                goals: goals.get_untracked(),
            };
            crate::components::browser::keep_local(
                &kept_key(&id),
                &serde_json::to_string(&kept).unwrap_or_default(),
            );
        }
    };
    // Saves what is typed now; on a network failure retries every few seconds until it
    // lands or something newer is typed.
    let save = {
        let id = id.clone();
        move || {
            let id = id.clone();
            let mine = generation.get_value();
            spawn_local(async move {
                loop {
                    if generation.get_value() != mine {
                        return;
                    }
                    save_state.set(SaveState::Saving);
                    let body = serde_json::to_string(&goals_of(&goals.get_untracked()))
                        .unwrap_or_default();
                    match save_goals(id.clone(), version.get_untracked(), body).await {
                        Ok(GoalsSaved::Saved { version: v, at }) => {
                            version.set(v);
                            if generation.get_value() == mine {
                                crate::components::browser::forget_local(&kept_key(&id));
                                save_state.set(SaveState::Saved(Some(at)));
                            }
                            return;
                        }
                        Ok(GoalsSaved::Conflict { version: v, theirs }) => {
                            save_state.set(SaveState::Conflict(theirs, v));
                            return;
                        }
                        Err(AppError::Network) => {
                            save_state.set(SaveState::Offline);
                            sleep(4000).await;
                        }
                        Err(_) => {
                            // Refused (a closed phase, the sheet moved on): kept in the
                            // browser, shown as unsaved.
                            save_state.set(SaveState::Unsaved);
                            return;
                        }
                    }
                }
            });
        }
    };
    let changed_now = {
        let keep = keep.clone();
        let save = save.clone();
        move || {
            generation.update_value(|g| *g += 1);
            let mine = generation.get_value();
            if !matches!(save_state.get_untracked(), SaveState::Conflict(..)) {
                save_state.set(SaveState::Unsaved);
            }
            keep();
            let save = save.clone();
            spawn_local(async move {
                sleep(1200).await;
                if generation.get_value() == mine
                    && !matches!(save_state.get_untracked(), SaveState::Conflict(..))
                {
                    save();
                }
            });
        }
    };

    // After a reload: what this browser kept and the server does not have yet.
    {
        let id = id.clone();
        let save = save.clone();
        let server_goals = sheet.goals.clone();
        Effect::new(move |_| {
            let Some(text) = crate::components::browser::read_local(&kept_key(&id)) else {
                return;
            };
            let Ok(kept) = serde_json::from_str::<KeptGoals>(&text) else {
                return;
            };
            if goals_of(&kept.goals) == server_goals {
                crate::components::browser::forget_local(&kept_key(&id));
                return;
            }
            goals.set(kept.goals);
            if kept.based_on == version.get_untracked() {
                generation.update_value(|g| *g += 1);
                save();
            } else {
                save_state.set(SaveState::Conflict(
                    server_goals.clone(),
                    version.get_untracked(),
                ));
            }
        });
    }
    crate::components::browser::warn_before_leaving(Signal::derive(move || {
        !matches!(save_state.get(), SaveState::Saved(_))
    }));

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
            let changed_now = changed_now.clone();
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
            let add = {
                let changed_now = changed_now.clone();
                move |_| {
                    goals.update(|g| g.entry(index).or_default().push(GoalText::default()));
                    changed_now();
                }
            };
            view! {
                <section class="card" aria-labelledby=format!("goals-{index}")>
                    <h2 id=format!("goals-{index}")>{move || (t().sheet.goals_heading)(&title)}</h2>
                    <p class="field__hint">{move || (t().sheet.goals_rule)(min, max)}</p>
                    {move || {
                        (0..count()).map(|n| {
                            let changed_now = changed_now.clone();
                            let hint = hint.clone();
                            view! { <GoalFields section=index n goals changed_now hint /> }
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
    let take_theirs = {
        let id = id.clone();
        move |_| {
            if let SaveState::Conflict(theirs, v) = save_state.get_untracked() {
                goals.set(texts_of(&theirs));
                version.set(v);
                crate::components::browser::forget_local(&kept_key(&id));
                save_state.set(SaveState::Saved(None));
            }
        }
    };
    let keep_mine = {
        let save = save.clone();
        move |_| {
            if let SaveState::Conflict(_, v) = save_state.get_untracked() {
                version.set(v);
                generation.update_value(|g| *g += 1);
                save();
            }
        }
    };
    view! {
        <div class="save-state" role="status" aria-live="polite">
            {move || match save_state.get() {
                SaveState::Saved(Some(at)) => (t().sheet.saved_at)(&at),
                SaveState::Saved(None) => String::new(),
                SaveState::Unsaved => t().sheet.unsaved.to_owned(),
                SaveState::Saving => t().sheet.saving.to_owned(),
                SaveState::Offline => t().sheet.offline.to_owned(),
                SaveState::Conflict(..) => t().sheet.conflict.to_owned(),
            }}
        </div>
        {move || match save_state.get() {
            SaveState::Conflict(theirs, _) => view! {
                <section class="card conflict" aria-labelledby="conflict-heading">
                    <h2 id="conflict-heading">{move || t().sheet.conflict_theirs}</h2>
                    {theirs.into_values().map(|list| view! {
                        <ol>{list.into_iter().map(|g| view! { <li>{g.title}" "{format!("{}%", g.weight.normalize())}</li> }).collect_view()}</ol>
                    }).collect_view()}
                    <div class="actions">
                        <button type="button" class="button button--primary" on:click=keep_mine.clone()>{move || t().sheet.conflict_keep_mine}</button>
                        <button type="button" class="button" on:click=take_theirs.clone()>{move || t().sheet.conflict_take_theirs}</button>
                    </div>
                </section>
            }.into_any(),
            _ => ().into_any(),
        }}
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
    goals: RwSignal<GoalTexts>,
    changed_now: impl Fn() + Clone + Send + Sync + 'static,
    hint: String,
) -> impl IntoView {
    let t = use_texts();
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
    let on = |put: fn(&mut GoalText, String)| {
        let changed_now = changed_now.clone();
        move |ev: leptos::ev::Event| {
            let value = event_target_value(&ev);
            goals.update(|g| {
                if let Some(goal) = g.get_mut(&section).and_then(|l| l.get_mut(n)) {
                    put(goal, value);
                }
            });
            changed_now();
        }
    };
    let remove = {
        let changed_now = changed_now.clone();
        move |_| {
            goals.update(|g| {
                if let Some(list) = g.get_mut(&section)
                    && n < list.len()
                {
                    list.remove(n);
                }
            });
            changed_now();
        }
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
            <button type="button" class="button button--small" on:click=remove>{move || (t().sheet.remove_goal)(n + 1)}</button>
        </fieldset>
    }
}

/// The steps the reader may take now, as the server listed them.
#[component]
fn Steps(
    id: String,
    steps: Vec<Command>,
    version: RwSignal<i64>,
    save_state: RwSignal<SaveState>,
    changed: RwSignal<u32>,
    notice: RwSignal<Option<Notice>>,
) -> impl IntoView {
    let t = use_texts();
    let lang = use_lang();
    let comment = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let needs_comment = steps
        .iter()
        .any(|c| matches!(c, Command::SendBack { .. } | Command::Acknowledge { .. }));
    let buttons = steps
        .into_iter()
        .map(|command| {
            let step = SheetStep::of(&command);
            let id = id.clone();
            let primary = !matches!(
                step,
                SheetStep::SendBack
                    | SheetStep::WithdrawGoals
                    | SheetStep::WithdrawSelfEvaluation
                    | SheetStep::WithdrawEvaluation
            );
            let run = move |_| {
                let id = id.clone();
                busy.set(true);
                spawn_local(async move {
                    let result = take_step(id, version.get_untracked(), step.as_stored().to_owned(), comment.get_untracked()).await;
                    busy.set(false);
                    match result {
                        Ok(_) => {
                            notice.set(Some(Notice::Done((t().sheet.step_done)(step_name(step, lang.get_untracked())))));
                            comment.set(String::new());
                            changed.update(|n| *n += 1);
                        }
                        Err(error) => notice.set(failed(error)),
                    }
                });
            };
            view! {
                <button type="button" class=if primary { "button button--primary" } else { "button" }
                    on:click=run
                    disabled=move || busy.get() || !matches!(save_state.get(), SaveState::Saved(_))>
                    {move || step_name(step, lang.get())}
                </button>
            }
        })
        .collect::<Vec<_>>();
    let none = buttons.is_empty();
    view! {
        <section class="card" aria-labelledby="sheet-steps">
            <h2 id="sheet-steps">{move || t().sheet.steps_heading}</h2>
            {none.then(|| view! { <p>{move || t().sheet.no_steps}</p> })}
            {needs_comment.then(|| view! {
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
