//! Form pieces shared by every page: labelled fields and the error line.

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
) -> impl IntoView {
    let lang = use_lang();
    let t = crate::i18n::use_texts();
    let hint_id = format!("{name}-hint");
    let error_id = format!("{name}-error");
    let mine = move || {
        error
            .and_then(|error| error.get())
            .filter(|error| error.field() == Some(name))
    };
    let described = {
        let (hint_id, error_id) = (hint_id.clone(), error_id.clone());
        let has_hint = hint.is_some();
        move || {
            let ids: Vec<&str> = [
                has_hint.then_some(hint_id.as_str()),
                mine().is_some().then_some(error_id.as_str()),
            ]
            .into_iter()
            .flatten()
            .collect();
            (!ids.is_empty()).then(|| ids.join(" "))
        }
    };
    let input = NodeRef::<leptos::html::Input>::new();
    Effect::new(move |_| {
        if mine().is_some()
            && let Some(input) = input.get()
        {
            let _ = input.focus();
        }
    });
    view! {
        <div class="field" class:field--invalid=move || mine().is_some()>
            <div class="field__label">
                <label for=name>{label}</label>
                // Seen, not part of the label's name: the input's `required` says it to
                // screen readers.
                <span class="field__need" aria-hidden="true">
                    {move || if optional { t().field_optional } else { t().field_required }}
                </span>
            </div>
            <input
                node_ref=input
                id=name
                name=name
                type=kind
                autocomplete=(!autocomplete.is_empty()).then_some(autocomplete)
                aria-describedby=described
                aria-invalid=move || mine().is_some().then_some("true")
                autofocus=autofocus
                value=value
                required=!optional
            />
            {hint.map(|hint| view! { <p class="field__hint" id=hint_id>{hint}</p> })}
            {move || mine().map(|error| {
                view! { <p class="field__error" id=error_id.clone()>{error.message(lang.get())}</p> }
            })}
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
