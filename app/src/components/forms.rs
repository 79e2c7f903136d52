//! Form pieces shared by every page: labelled fields and the error line.

use crate::domain::form_field::FormField;
use crate::error::AppError;
use crate::i18n::use_lang;
use leptos::prelude::*;

/// A labelled input. `name` is the server function's argument name. Given the form's last
/// `error`, a refusal of this field shows under it, marks it invalid and takes the focus,
/// so the reader finds what to fix where it is.
#[component]
pub fn Field(
    #[prop(into)] label: Signal<&'static str>,
    name: &'static str,
    #[prop(default = "text")] kind: &'static str,
    #[prop(optional)] autocomplete: &'static str,
    #[prop(optional, into)] hint: Option<Signal<&'static str>>,
    #[prop(optional)] autofocus: bool,
    /// The initial value (edit forms).
    #[prop(optional, into)]
    value: Option<String>,
    /// Optional fields may be left empty; they say so next to their label.
    #[prop(optional)]
    optional: bool,
    /// The form's last error: shown here when it is about this field.
    #[prop(optional, into)]
    error: Option<Signal<Option<AppError>>>,
    /// Values to suggest as the reader types (a `<datalist>`), e.g. the grades in use.
    #[prop(optional, into)]
    suggestions: Option<Signal<Vec<String>>>,
) -> impl IntoView {
    let hint_id = format!("{name}-hint");
    let list_id = format!("{name}-suggestions");
    let mine = field_error(error, name);
    let described = {
        let hint_id = hint_id.clone();
        let has_hint = hint.is_some();
        move || {
            let ids: Vec<String> = [
                has_hint.then(|| hint_id.clone()),
                mine().is_some().then(|| format!("{name}-error")),
            ]
            .into_iter()
            .flatten()
            .collect();
            (!ids.is_empty()).then(|| ids.join(" "))
        }
    };
    let input = NodeRef::<leptos::html::Input>::new();
    focus_on_error(input, mine);
    view! {
        <div class="field" class:field--invalid=move || mine().is_some()>
            <FieldLabel label for_id=name optional />
            <input
                node_ref=input
                id=name
                name=name
                type=kind
                autocomplete=(!autocomplete.is_empty()).then_some(autocomplete)
                list=suggestions.is_some().then(|| list_id.clone())
                aria-describedby=described
                aria-invalid=move || mine().is_some().then_some("true")
                autofocus=autofocus
                value=value
                required=!optional
            />
            {suggestions.map(|values| view! {
                <datalist id=list_id>
                    {move || values.get().into_iter().map(|v| view! { <option value=v></option> }).collect_view()}
                </datalist>
            })}
            {hint.map(|hint| view! { <p class="field__hint" id=hint_id>{hint}</p> })}
            {field_error_line(mine, format!("{name}-error"))}
        </div>
    }
}

/// A field's label with its 必須/任意 mark beside it. The mark is seen, not part of the
/// label's name: the input's `required` says it to screen readers.
#[component]
pub fn FieldLabel(
    #[prop(into)] label: Signal<&'static str>,
    for_id: &'static str,
    optional: bool,
) -> impl IntoView {
    let t = crate::i18n::use_texts();
    view! {
        <div class="field__label">
            <label for=for_id>{label}</label>
            <span class="field__need" aria-hidden="true">
                {move || if optional { t().field_optional } else { t().field_required }}
            </span>
        </div>
    }
}

/// The form's last error if it is about `field`.
pub fn field_error(
    error: Option<Signal<Option<AppError>>>,
    field: &'static str,
) -> impl Fn() -> Option<AppError> + Copy + Send + Sync + 'static {
    move || {
        error
            .and_then(|error| error.get())
            .filter(|error| error.field().map(FormField::as_str) == Some(field))
    }
}

/// Moves the focus to `input` when its field is refused, so the reader finds what to fix.
pub fn focus_on_error(
    input: NodeRef<leptos::html::Input>,
    mine: impl Fn() -> Option<AppError> + Send + Sync + 'static,
) {
    Effect::new(move |_| {
        if mine().is_some()
            && let Some(input) = input.get()
        {
            let _ = input.focus();
        }
    });
}

/// A field's refusal under it, in the reader's language.
pub fn field_error_line(
    mine: impl Fn() -> Option<AppError> + Send + Sync + 'static,
    id: String,
) -> impl IntoView {
    let lang = use_lang();
    move || {
        mine().map(|error| {
            view! { <p class="field__error" id=id.clone()>{error.message(lang.get())}</p> }
        })
    }
}

/// A date: typed as people write dates (`2024/4/1`, `2024年4月1日`, `令和6年4月1日`) or
/// picked from the browser's calendar; the line under it says which day was understood.
#[component]
pub fn DateField(
    #[prop(into)] label: Signal<&'static str>,
    name: &'static str,
    /// The stored value, `YYYY-MM-DD`.
    #[prop(optional, into)]
    value: Option<String>,
    #[prop(optional)] optional: bool,
    #[prop(optional, into)] error: Option<Signal<Option<AppError>>>,
) -> impl IntoView {
    use crate::domain::dates::parse_date;
    use crate::i18n::Lang;
    let t = crate::i18n::use_texts();
    let lang = use_lang();
    let text = RwSignal::new(value.unwrap_or_default());
    let mine = field_error(error, name);
    let input = NodeRef::<leptos::html::Input>::new();
    focus_on_error(input, mine);
    let hint_id = format!("{name}-hint");
    let understood_id = format!("{name}-understood");
    let understood = move || match parse_date(&text.get()) {
        Ok(Some(date)) => {
            let day = if lang.get() == Lang::Ja {
                date.long_ja()
            } else {
                date.long_en()
            };
            Some((t().date_understood)(&day))
        }
        // None, not "": an empty text node would not survive hydration.
        Ok(None) => None,
        Err(problem) => Some(problem.text(lang.get())),
    };
    let iso = move || {
        parse_date(&text.get())
            .ok()
            .flatten()
            .map(|date| date.iso())
            .unwrap_or_default()
    };
    let described = {
        let ids = format!("{hint_id} {understood_id}");
        move || {
            if mine().is_some() {
                format!("{ids} {name}-error")
            } else {
                ids.clone()
            }
        }
    };
    view! {
        <div class="field date-field" class:field--invalid=move || mine().is_some()>
            <FieldLabel label for_id=name optional />
            <div class="date-field__inputs">
                <input
                    node_ref=input
                    id=name
                    name=name
                    type="text"
                    inputmode="text"
                    autocomplete="off"
                    aria-describedby=described
                    aria-invalid=move || mine().is_some().then_some("true")
                    required=!optional
                    prop:value=move || text.get()
                    on:input=move |ev| text.set(event_target_value(&ev))
                />
                <input
                    type="date"
                    class="date-field__calendar"
                    aria-label=move || t().date_pick
                    title=move || t().date_pick
                    prop:value=iso
                    on:change=move |ev| text.set(event_target_value(&ev))
                />
            </div>
            <p class="field__hint" id=hint_id>{move || t().date_hint}</p>
            <p class="field__hint date-field__understood" id=understood_id aria-live="polite">{understood}</p>
            {field_error_line(mine, format!("{name}-error"))}
        </div>
    }
}

/// The error of the last submission, in the reader's language, announced to screen readers.
#[component]
pub fn FormError(#[prop(into)] error: Signal<Option<AppError>>) -> impl IntoView {
    let lang = use_lang();
    move || {
        error.get().map(
            |error| view! { <p class="form-error" role="alert">{error.message(lang.get())}</p> },
        )
    }
}

/// Navigates with a full page load: after signing in or out, every part of the page must
/// see the new session.
pub fn reload_to(path: &str) {
    #[cfg(feature = "hydrate")]
    {
        let _ = window().location().set_href(path);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = path;
}

/// Empties a form's fields.
pub fn reset_form(id: &str) {
    use leptos::wasm_bindgen::JsCast;
    if let Some(form) = document()
        .get_element_by_id(id)
        .and_then(|element| element.dyn_into::<leptos::web_sys::HtmlFormElement>().ok())
    {
        form.reset();
    }
}

/// A yes/no question before something that cannot be undone.
pub fn confirm(question: &str) -> bool {
    #[cfg(feature = "hydrate")]
    {
        window().confirm_with_message(question).unwrap_or(false)
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = question;
        true
    }
}

/// The notice above a form or tree: a success (announced politely) or an error (announced
/// at once), in the reader's language.
#[derive(Clone, Debug, PartialEq)]
pub enum Notice {
    Done(String),
    Failed(AppError),
}

/// The notice for a failed call, as the pages set it.
pub fn failed(error: crate::error::AppError) -> Option<Notice> {
    Some(Notice::Failed(error))
}

#[component]
pub fn NoticeLine(#[prop(into)] notice: Signal<Option<Notice>>) -> impl IntoView {
    let lang = use_lang();
    move || match notice.get() {
        Some(Notice::Done(text)) => {
            view! { <p class="form-success" role="status">{text}</p> }.into_any()
        }
        Some(Notice::Failed(error)) => {
            view! { <p class="form-error" role="alert">{error.message(lang.get())}</p> }.into_any()
        }
        None => ().into_any(),
    }
}

/// The language of an account (its screens and mails): one option per language we offer,
/// each named in its own language, sent as its code (`ja`, `en`).
#[component]
pub fn LanguageField(#[prop(into)] selected: Signal<crate::i18n::Lang>) -> impl IntoView {
    let t = crate::i18n::use_texts();
    view! {
        <div class="field">
            <label for="language">{move || t().field_language}</label>
            <select id="language" name="language">
                {crate::i18n::Lang::ALL
                    .into_iter()
                    .map(|lang| view! {
                        <option value=lang.code() lang=lang.code() selected=move || selected.get() == lang>
                            {lang.native_name()}
                        </option>
                    })
                    .collect_view()}
            </select>
        </div>
    }
}
