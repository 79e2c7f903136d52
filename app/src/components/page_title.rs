//! The document title, in the user's language.
//!
//! Every title goes through here, never through a reactive `<Title text=move || …/>`:
//! on the server, leptos_meta evaluates a title's closure after the page's render, outside
//! the request's reactive arena. On a multi-threaded server that evaluation may run on a
//! thread whose current arena belongs to another request, or to none, and reading the
//! language signal there panics (the response is cut off) or reads the other request's
//! value. So on the server the dictionary is fixed while the page renders, and only the
//! browser keeps it reactive (the language switch retitles the page in place).

use crate::i18n::{Texts, texts, use_lang};
use leptos::prelude::*;
use leptos_meta::Title;

/// This page's title, picked from the current dictionary.
#[component]
pub fn PageTitle(
    pick: impl Fn(&'static Texts) -> &'static str + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let t = title_texts();
    view! { <Title text=move || pick(t()) /> }
}

/// The title template of every page ("<page> | 考課"), set once by the app shell.
#[component]
pub fn TitleTemplate() -> impl IntoView {
    let t = title_texts();
    view! {
        <Title formatter=move |page: String| {
            if page.is_empty() { t().app_name.to_string() } else { format!("{page} | {}", t().app_name) }
        } />
    }
}

/// The dictionary a title reads: on the server fixed now (no signal is read later), in
/// the browser following the language signal.
fn title_texts() -> impl Fn() -> &'static Texts + Copy + Send + Sync + 'static {
    let lang = use_lang();
    #[cfg(feature = "ssr")]
    {
        let fixed = texts(lang.get_untracked());
        move || fixed
    }
    #[cfg(not(feature = "ssr"))]
    {
        move || texts(lang.get())
    }
}
