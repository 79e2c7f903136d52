use crate::api::auth::Login;
use crate::components::forms::{Field, FormError, reload_to};
use crate::components::page_title::PageTitle;
use crate::i18n::use_texts;
use leptos::prelude::*;
use leptos_router::components::A;

/// Sign in with company code, e-mail or employee code, and password.
#[component]
pub fn LoginPage() -> impl IntoView {
    let t = use_texts();
    let login = ServerAction::<Login>::new();
    let error = Signal::derive(move || login.value().get().and_then(Result::err));
    Effect::new(move |_| {
        if let Some(Ok(())) = login.value().get() {
            reload_to("/");
        }
    });
    view! {
        <PageTitle pick=|t| t.login_title />
        <section class="card narrow" aria-labelledby="login-title">
            <h1 id="login-title">{move || t().login_title}</h1>
            <ActionForm action=login attr:class="form">
                <Field
                    label=Signal::derive(move || t().field_company_code)
                    name="company_code"
                    autocomplete="organization"
                    autofocus=true
                />
                <Field
                    label=Signal::derive(move || t().field_identifier)
                    name="identifier"
                    autocomplete="username"
                />
                <Field
                    label=Signal::derive(move || t().field_password)
                    name="password"
                    kind="password"
                    autocomplete="current-password"
                />
                <FormError error=error />
                <button class="button button--primary" type="submit" disabled=move || login.pending().get()>
                    {move || if login.pending().get() { t().working } else { t().login_submit }}
                </button>
            </ActionForm>
            <p class="form-aside">
                <A href="/forgot">{move || t().login_forgot}</A>
            </p>
        </section>
    }
}
