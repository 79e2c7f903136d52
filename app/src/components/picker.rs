//! Pickers: a search box that picks departments (by code or name) or employees (by name,
//! kana or employee code) instead of making people type codes. One or several picks, shown
//! as chips that can be removed; the form receives the codes, joined by the one list
//! separator. Keyboard: arrows choose, Enter picks, Escape closes, Backspace in an empty
//! box removes the last pick (the ARIA combobox pattern).

use crate::components::forms::{FieldLabel, field_error, field_error_line, focus_on_error};
use crate::domain::choice::{Choice, LIST_SEPARATOR};
use crate::error::AppError;
use crate::i18n::{counted, use_lang, use_texts};
use leptos::prelude::*;

/// What a picker searches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Search {
    Departments,
    Employees,
}

impl Search {
    async fn find(self, query: String) -> Result<Vec<Choice>, AppError> {
        match self {
            Search::Departments => crate::api::org::find_departments(query).await,
            Search::Employees => crate::api::employees::find_employees(query).await,
        }
    }

    fn placeholder(self, t: &'static crate::i18n::Texts) -> &'static str {
        match self {
            Search::Departments => t.picker_search_departments,
            Search::Employees => t.picker_search_employees,
        }
    }
}

/// An element id made at run time, as a picker's `id` needs it: each distinct id is kept
/// once for the life of the process, so rows that come and go (a list's pickers) reuse
/// theirs. Only for ids from a small set (`fix-3-stage-2`), never from user data.
pub fn static_id(id: String) -> &'static str {
    use std::collections::HashSet;
    use std::sync::{Mutex, OnceLock};
    static IDS: OnceLock<Mutex<HashSet<&'static str>>> = OnceLock::new();
    let mut ids = IDS
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(known) = ids.get(id.as_str()) {
        return known;
    }
    let kept: &'static str = Box::leak(id.into_boxed_str());
    ids.insert(kept);
    kept
}

/// How a choice reads in the list and on its chip: `D100 営業部`.
fn shown(choice: &Choice) -> String {
    if choice.label.is_empty() {
        choice.value.clone()
    } else {
        format!("{} {}", choice.value, choice.label)
    }
}

/// A labelled picker. `picked` holds the picks (the parent reads it, or the form gets it
/// through the hidden input `name` when given). `multiple`: several picks, else one.
/// What Enter picks among `answers`: the highlighted one, or the only one, or the one whose
/// code was typed. Typed text alone never submits the form unnoticed.
fn chosen(answers: &[Choice], active: Option<usize>, typed: &str) -> Option<Choice> {
    active
        .and_then(|i| answers.get(i).cloned())
        .or_else(|| (answers.len() == 1).then(|| answers[0].clone()))
        .or_else(|| {
            let code = crate::domain::codes::normalize(typed).to_lowercase();
            answers
                .iter()
                .find(|a| a.value.to_lowercase() == code)
                .cloned()
        })
}

#[component]
pub fn Picker(
    #[prop(into)] label: Signal<&'static str>,
    /// The element id of the search box (and the prefix of its parts).
    id: &'static str,
    search: Search,
    picked: RwSignal<Vec<Choice>>,
    /// The form field that receives the codes; none for forms that read `picked`.
    #[prop(optional)]
    name: Option<&'static str>,
    #[prop(optional)] multiple: bool,
    #[prop(optional)] optional: bool,
    /// The form's last error: shown here when it is about `name`.
    #[prop(optional, into)]
    error: Option<Signal<Option<AppError>>>,
) -> impl IntoView {
    let t = use_texts();
    let lang = use_lang();
    let text = RwSignal::new(String::new());
    let answers = RwSignal::new(Vec::<Choice>::new());
    let open = RwSignal::new(false);
    let active = RwSignal::new(None::<usize>);
    let failed = RwSignal::new(None::<AppError>);
    // Answers of an older keystroke that arrive late are dropped.
    let asked = StoredValue::new(0_u64);
    // The text the answers shown are for, and whether Enter was pressed before they came.
    let answered_for = StoredValue::new(String::new());
    let enter_waiting = StoredValue::new(false);
    let list_id = format!("{id}-list");
    let status_id = format!("{id}-status");
    let error_id = format!("{id}-error");
    let input = NodeRef::<leptos::html::Input>::new();
    let mine = field_error(error, name.unwrap_or(id));
    focus_on_error(input, mine);

    let pick = move |choice: Choice| {
        picked.update(|picks| {
            if !multiple {
                picks.clear();
            }
            if !picks.iter().any(|p| p.value == choice.value) {
                picks.push(choice);
            }
        });
        text.set(String::new());
        open.set(false);
        active.set(None);
        if let Some(input) = input.get_untracked() {
            let _ = input.focus();
        }
    };
    let ask = move |query: String| {
        asked.update_value(|n| *n += 1);
        let this = asked.get_value();
        enter_waiting.set_value(false);
        leptos::task::spawn_local(async move {
            let found = search.find(query.clone()).await;
            if asked.get_value() == this {
                // A failed search says why (signed out, busy) instead of "nothing matches".
                let (found, error) = match found {
                    Ok(found) => (found, None),
                    Err(error) => (Vec::new(), Some(error)),
                };
                failed.set(error);
                answered_for.set_value(query.clone());
                let waiting = enter_waiting.get_value() && text.get_untracked() == query;
                enter_waiting.set_value(false);
                if waiting && let Some(choice) = chosen(&found, None, &query) {
                    answers.set(found);
                    pick(choice);
                    return;
                }
                answers.set(found);
                active.set(None);
                open.set(true);
            }
        });
    };
    let remove = move |value: String| {
        picked.update(|picks| picks.retain(|p| p.value != value));
        if let Some(input) = input.get_untracked() {
            let _ = input.focus();
        }
    };
    let on_keydown = move |ev: leptos::ev::KeyboardEvent| {
        let count = answers.with_untracked(Vec::len);
        match ev.key().as_str() {
            "ArrowDown" | "ArrowUp" => {
                ev.prevent_default();
                if !open.get_untracked() {
                    ask(text.get_untracked());
                    return;
                }
                if count == 0 {
                    return;
                }
                let down = ev.key() == "ArrowDown";
                active.update(|active| {
                    *active = Some(match (*active, down) {
                        (None, true) => 0,
                        (None, false) => count - 1,
                        (Some(i), true) => (i + 1) % count,
                        (Some(i), false) => (i + count - 1) % count,
                    });
                });
            }
            "Enter" => {
                let typed = text.get_untracked();
                if typed.trim().is_empty() && active.get_untracked().is_none() {
                    return;
                }
                ev.prevent_default();
                if answered_for.get_value() != typed {
                    // Enter came before the answers to what is typed: pick when they arrive.
                    enter_waiting.set_value(true);
                    return;
                }
                if let Some(choice) = answers
                    .with_untracked(|answers| chosen(answers, active.get_untracked(), &typed))
                {
                    pick(choice);
                }
            }
            "Escape" if open.get_untracked() => {
                ev.prevent_default();
                open.set(false);
                active.set(None);
            }
            "Backspace" if multiple && text.get_untracked().is_empty() => {
                picked.update(|picks| {
                    picks.pop();
                });
            }
            _ => {}
        }
    };
    let option_id = move |i: usize| format!("{id}-option-{i}");
    let unpicked = move || {
        let typed = text.get();
        (!typed.trim().is_empty() && !open.get()).then(|| (t().picker_unpicked)(typed.trim()))
    };
    let described = {
        let (status_id, error_id) = (status_id.clone(), error_id.clone());
        move || {
            if mine().is_some() {
                format!("{status_id} {error_id}")
            } else {
                status_id.clone()
            }
        }
    };

    view! {
        <div class="field picker" class:field--invalid=move || mine().is_some()>
            <FieldLabel label for_id=id optional />
            {name.map(|name| view! {
                <input
                    type="hidden"
                    name=name
                    prop:value=move || {
                        picked.with(|picks| {
                            picks.iter().map(|p| p.value.as_str()).collect::<Vec<_>>().join(LIST_SEPARATOR)
                        })
                    }
                />
            })}
            <ul class="picker__chosen" aria-label=move || t().picker_chosen>
                <For each=move || picked.get() key=|choice| choice.value.clone() let:choice>
                    {
                        let value = choice.value.clone();
                        let remove_label = (t().picker_remove)(&shown(&choice));
                        view! {
                            <li class="chip">
                                <span>{shown(&choice)}</span>
                                <button
                                    type="button"
                                    class="chip__remove"
                                    aria-label=remove_label.clone()
                                    title=remove_label
                                    on:click=move |_| remove(value.clone())
                                >
                                    "×"
                                </button>
                            </li>
                        }
                    }
                </For>
            </ul>
            <div class="picker__box">
                <input
                    node_ref=input
                    id=id
                    type="text"
                    role="combobox"
                    autocomplete="off"
                    aria-autocomplete="list"
                    aria-controls=list_id.clone()
                    aria-expanded=move || if open.get() { "true" } else { "false" }
                    aria-activedescendant=move || active.get().map(option_id)
                    aria-describedby=described
                    aria-invalid=move || mine().is_some().then_some("true")
                    placeholder=move || search.placeholder(t())
                    prop:value=move || text.get()
                    on:input=move |ev| {
                        let typed = event_target_value(&ev);
                        text.set(typed.clone());
                        ask(typed);
                    }
                    on:focus=move |_| {
                        if !open.get_untracked() {
                            ask(text.get_untracked());
                        }
                    }
                    // Closing on blur waits for a click on an answer to land first.
                    on:blur=move |_| {
                        set_timeout(move || open.set(false), std::time::Duration::from_millis(150));
                    }
                    on:keydown=on_keydown
                />
                <ul id=list_id class="picker__list" role="listbox" aria-label=label hidden=move || !open.get() || answers.with(Vec::is_empty)>
                    {move || {
                        answers
                            .get()
                            .into_iter()
                            .enumerate()
                            .map(|(i, choice)| {
                                let chosen = choice.clone();
                                view! {
                                    <li
                                        id=option_id(i)
                                        role="option"
                                        class="picker__option"
                                        aria-selected=move || if active.get() == Some(i) { "true" } else { "false" }
                                        // mousedown, not click: the box keeps its focus.
                                        on:mousedown=move |ev| {
                                            ev.prevent_default();
                                            pick(chosen.clone());
                                        }
                                    >
                                        <span class="picker__code">{choice.value.clone()}</span>
                                        " "
                                        <span>{choice.label.clone()}</span>
                                        {(!choice.detail.is_empty()).then(|| view! {
                                            <span class="picker__detail">{choice.detail.clone()}</span>
                                        })}
                                    </li>
                                }
                            })
                            .collect_view()
                    }}
                </ul>
            </div>
            <p class="picker__status" id=status_id role="status">
                // None, not "": an empty text node would not survive hydration.
                {move || {
                    if let Some(warning) = unpicked() {
                        Some(warning)
                    } else if let Some(error) = failed.get() {
                        Some(error.message(lang.get()))
                    } else if !open.get() {
                        None
                    } else if answers.with(Vec::is_empty) {
                        Some(t().picker_none.to_owned())
                    } else {
                        Some(counted(t().picker_found, answers.with(Vec::len) as i64))
                    }
                }}
            </p>
            {field_error_line(mine, error_id)}
        </div>
    }
}
