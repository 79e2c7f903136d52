use crate::api::auth::RequestPasswordReset;
use crate::components::forms::{Field, FormError};
use crate::components::page_title::PageTitle;
use crate::i18n::use_texts;
use leptos::prelude::*;

/// Ask for a password reset link. The answer is the same whether or not the account exists.
#[component]
pub fn ForgotPasswordPage() -> impl IntoView {
    let t = use_texts();
    let request = ServerAction::<RequestPasswordReset>::new();
    let error = Signal::derive(move || request.value().get().and_then(Result::err));
    let sent = move || matches!(request.value().get(), Some(Ok(())));
    view! {
        <PageTitle pick=|t| t.forgot_title />
        <section class="card narrow" aria-labelledby="forgot-title">
            <h1 id="forgot-title">{move || t().forgot_title}</h1>
            <Show
                when=sent
                fallback=move || {
                    view! {
                        <p>{move || t().forgot_lead}</p>
                        <ActionForm action=request attr:class="form">
                            <Field
                                error=error
                                label=Signal::derive(move || t().field_company_code)
                                name="company_code"
                                autocomplete="organization"
                                autofocus=true
                            />
                            <Field
                                error=error
                                label=Signal::derive(move || t().field_email)
                                name="email"
                                kind="email"
                                autocomplete="email"
                            />
                            <FormError error=error />
                            <button class="button button--primary" type="submit" disabled=move || request.pending().get()>
                                {move || t().forgot_submit}
                            </button>
                        </ActionForm>
                    }
                }
            >
                <p class="form-success" role="status">{move || t().forgot_sent}</p>
            </Show>
        </section>
    }
}
