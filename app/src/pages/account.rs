use crate::api::auth::ChangePassword;
use crate::components::forms::{Field, FormError};
use crate::i18n::{Lang, use_lang, use_texts};
use crate::shell::use_signed_in_user;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

/// The signed-in user's own account: who they are, their roles, and a password change.
#[component]
pub fn AccountPage() -> impl IntoView {
    let t = use_texts();
    let lang = use_lang();
    let me = use_signed_in_user();
    let change = ServerAction::<ChangePassword>::new();
    let error = Signal::derive(move || change.value().get().and_then(Result::err));
    let done = move || matches!(change.value().get(), Some(Ok(())));

    view! {
        <Title text=move || t().account_title />
        <Transition fallback=move || view! { <p>{move || t().working}</p> }>
            {move || Suspend::new(async move {
                match me.await {
                    Ok(Some(user)) => {
                        let roles = if user.roles.is_empty() {
                            vec![t().account_no_roles.to_string()]
                        } else {
                            user.roles
                                .iter()
                                .map(|role| {
                                    let (ja, en) = role.names();
                                    if lang.get() == Lang::Ja { ja } else { en }.to_string()
                                })
                                .collect()
                        };
                        view! {
                            <section class="card narrow" aria-labelledby="account-title">
                                <h1 id="account-title">{move || t().account_title}</h1>
                                <dl class="facts">
                                    <dt>{move || t().nav_account}</dt>
                                    <dd>{user.display_name.clone()} " <" {user.email.clone()} ">"</dd>
                                    <dt>{move || t().account_roles}</dt>
                                    <dd>{roles.join("、")}</dd>
                                </dl>
                            </section>
                            <section class="card narrow" aria-labelledby="pw-title">
                                <h2 id="pw-title">{move || t().change_password_title}</h2>
                                <ActionForm action=change attr:class="form">
                                    <Field
                                        label=Signal::derive(move || t().field_current_password)
                                        name="current_password"
                                        kind="password"
                                        autocomplete="current-password"
                                    />
                                    <Field
                                        label=Signal::derive(move || t().field_new_password)
                                        name="new_password"
                                        kind="password"
                                        autocomplete="new-password"
                                        hint=Signal::derive(move || t().password_hint)
                                    />
                                    <Field
                                        label=Signal::derive(move || t().field_password_confirm)
                                        name="new_password_confirm"
                                        kind="password"
                                        autocomplete="new-password"
                                    />
                                    <FormError error=error />
                                    <Show when=done>
                                        <p class="form-success" role="status">{move || t().change_password_done}</p>
                                    </Show>
                                    <button class="button button--primary" type="submit" disabled=move || change.pending().get()>
                                        {move || t().change_password_submit}
                                    </button>
                                </ActionForm>
                            </section>
                        }
                            .into_any()
                    }
                    _ => {
                        view! {
                            <section class="card narrow">
                                <p role="alert">{move || t().error_unauthenticated}</p>
                                <A href="/login">{move || t().nav_login}</A>
                            </section>
                        }
                            .into_any()
                    }
                }
            })}
        </Transition>
    }
}
