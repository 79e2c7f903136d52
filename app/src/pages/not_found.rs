use crate::components::page_title::PageTitle;
use crate::i18n::use_texts;
use leptos::prelude::*;
use leptos_router::components::A;

/// Any path the router does not know; answers 404 on the server.
#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    let t = use_texts();
    view! {
        <PageTitle pick=|t| t.not_found_title />
        <section class="card narrow" aria-labelledby="nf-title">
            <h1 id="nf-title">{move || t().not_found_title}</h1>
            <p>{move || t().not_found_body}</p>
            <A href="/">{move || t().back_home}</A>
        </section>
    }
}
