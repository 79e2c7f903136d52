use crate::i18n::use_texts;
use leptos::prelude::*;
use leptos_meta::Title;

/// The login route. The accounts issue fills it with the form; the route itself is here so
/// the shell's navigation is real.
#[component]
pub fn LoginPage() -> impl IntoView {
    let t = use_texts();
    view! {
        <Title text=move || t().login_title />
        <section class="card narrow" aria-labelledby="login-title">
            <h1 id="login-title">{move || t().login_title}</h1>
            <p>{move || t().login_coming}</p>
        </section>
    }
}
