use crate::api::auth::{LinkPurpose, SetPassword, inspect_link};
use crate::components::forms::{Field, FormError, reload_to};
use crate::components::page_title::PageTitle;
use crate::i18n::{Texts, use_lang, use_texts};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

/// The page behind a setup, invitation or reset link: whose account it is, then the new
/// password twice. On success the user is signed in.
#[component]
pub fn SetPasswordPage(purpose: LinkPurpose) -> impl IntoView {
    let t = use_texts();
    let lang = use_lang();
    let params = use_params_map();
    let link = move || params.read().get("link").unwrap_or_default();
    let details = Resource::new(link, move |link| inspect_link(purpose, link));
    let action = ServerAction::<SetPassword>::new();
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    Effect::new(move |_| {
        if let Some(Ok(())) = action.value().get() {
            reload_to("/");
        }
    });
    let pick_title = move |t: &'static Texts| match purpose {
        LinkPurpose::Reset => t.reset_title,
        LinkPurpose::Setup | LinkPurpose::Invitation => t.setup_title,
    };
    let purpose_value = match purpose {
        LinkPurpose::Setup => "Setup",
        LinkPurpose::Invitation => "Invitation",
        LinkPurpose::Reset => "Reset",
    };

    view! {
        <PageTitle pick=pick_title />
        <section class="card narrow" aria-labelledby="setpw-title">
            <h1 id="setpw-title">{move || pick_title(t())}</h1>
            <Suspense fallback=move || view! { <p>{move || t().working}</p> }>
                {move || Suspend::new(async move {
                    match details.await {
                        Ok(details) => {
                            view! {
                                <p>{move || t().setup_for}</p>
                                <dl class="facts">
                                    <dt>{move || t().field_company}</dt>
                                    <dd>{details.company_name.clone()} " (" {details.company_code.to_string()} ")"</dd>
                                    <dt>{move || t().nav_account}</dt>
                                    <dd>{details.display_name.clone()} " <" {details.email.to_string()} ">"</dd>
                                </dl>
                                <ActionForm action=action attr:class="form">
                                    <input type="hidden" name="purpose" value=purpose_value />
                                    <input type="hidden" name="link" value=link />
                                    <Field
                                        error=error
                                        label=Signal::derive(move || t().field_new_password)
                                        name="password"
                                        kind="password"
                                        autocomplete="new-password"
                                        hint=Signal::derive(move || t().password_hint)
                                        autofocus=true
                                    />
                                    <Field
                                        error=error
                                        label=Signal::derive(move || t().field_password_confirm)
                                        name="password_confirm"
                                        kind="password"
                                        autocomplete="new-password"
                                    />
                                    <FormError error=error />
                                    <button class="button button--primary" type="submit" disabled=move || action.pending().get()>
                                        {move || if action.pending().get() { t().working } else { t().setup_submit }}
                                    </button>
                                </ActionForm>
                            }
                                .into_any()
                        }
                        // A replaced or used invitation cannot be mended by a password
                        // reset (the account has no password yet): the admin sends a new one.
                        Err(problem) if purpose == LinkPurpose::Invitation => {
                            view! {
                                <p class="form-error" role="alert">{move || problem.message(lang.get())}</p>
                                <p>{move || t().link_invalid_invitation}</p>
                            }
                                .into_any()
                        }
                        Err(problem) => {
                            view! {
                                <p class="form-error" role="alert">{move || problem.message(lang.get())}</p>
                                <p>
                                    <A href="/forgot">{move || t().login_forgot}</A>
                                </p>
                            }
                                .into_any()
                        }
                    }
                })}
            </Suspense>
        </section>
    }
}
