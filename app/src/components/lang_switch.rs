//! Switches between Japanese and English.
//!
//! Each choice is a real link to `/lang/{code}`, which sets the cookie on the server and
//! comes back, so it works before (or without) WebAssembly. Once hydrated, a click switches
//! in place: it writes the same cookie and updates the language signal, no reload.

use crate::i18n::{LANG_COOKIE, Lang, use_lang, use_texts};
use leptos::ev::MouseEvent;
use leptos::prelude::*;

#[component]
pub fn LangSwitch() -> impl IntoView {
    let lang = use_lang();
    let t = use_texts();

    let choice = move |choice: Lang| {
        let on_click = move |ev: MouseEvent| {
            ev.prevent_default();
            remember_lang(choice);
            lang.set(choice);
        };
        view! {
            <li>
                <a
                    href=format!("/lang/{}", choice.code())
                    hreflang=choice.code()
                    lang=choice.code()
                    aria-current=move || (lang.get() == choice).then_some("true")
                    on:click=on_click
                >
                    {choice.native_name()}
                </a>
            </li>
        }
    };

    view! {
        <ul class="lang-switch" aria-label=move || t().language_label>
            {Lang::ALL.map(choice)}
        </ul>
    }
}

/// The cookie that carries the choice to the server on the next request (one year).
pub fn lang_cookie_value(lang: Lang, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!(
        "{LANG_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax{secure}",
        lang.code()
    )
}

#[cfg(feature = "hydrate")]
fn remember_lang(lang: Lang) {
    use wasm_bindgen::JsCast;
    let secure = window()
        .location()
        .protocol()
        .is_ok_and(|protocol| protocol == "https:");
    if let Ok(document) = document().dyn_into::<web_sys::HtmlDocument>() {
        // A failed write only means the choice is not remembered; the page still switches.
        let _ = document.set_cookie(&lang_cookie_value(lang, secure));
    }
}

#[cfg(not(feature = "hydrate"))]
fn remember_lang(_lang: Lang) {}
