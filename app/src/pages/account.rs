use crate::api::account::{EndMySession, UpdateProfile, my_sessions};
use crate::api::auth::ChangePassword;
use crate::components::forms::reload_to;
use crate::components::forms::{Field, FormError, LanguageField};
use crate::components::gate::{Gate, Need};
use crate::components::page_title::PageTitle;
use crate::i18n::{Lang, use_lang, use_texts};
use crate::shell::use_signed_in_user;
use leptos::prelude::*;
use leptos_router::components::A;

/// The signed-in user's own account: who they are, their roles, and a password change.
/// Behind the gate: built only for a reader who may use it.
#[component]
pub fn AccountPage() -> impl IntoView {
    view! {
        <Gate need=Need::SignedIn>
            <AccountContent />
        </Gate>
    }
}

#[component]
fn AccountContent() -> impl IntoView {
    let t = use_texts();
    let lang = use_lang();
    let me = use_signed_in_user();
    let change = ServerAction::<ChangePassword>::new();
    let error = Signal::derive(move || change.value().get().and_then(Result::err));
    let done = move || matches!(change.value().get(), Some(Ok(())));
    let profile = ServerAction::<UpdateProfile>::new();
    let profile_error = Signal::derive(move || profile.value().get().and_then(Result::err));
    // The language may have changed: reload so every part of the page follows.
    Effect::new(move |_| {
        if let Some(Ok(())) = profile.value().get() {
            reload_to("/account");
        }
    });
    let end_session = ServerAction::<EndMySession>::new();
    let sessions = Resource::new(move || end_session.version().get(), |_| my_sessions());

    view! {
        <PageTitle pick=|t| t.account_title />
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
                                    <dd>{roles.join(t().punct_list)}</dd>
                                </dl>
                            </section>
                            <section class="card narrow" aria-labelledby="profile-title">
                                <h2 id="profile-title">{move || t().profile_title}</h2>
                                <ActionForm action=profile attr:class="form">
                                    <Field
                                        error=profile_error
                                        label=Signal::derive(move || t().field_display_name)
                                        name="display_name"
                                        value=user.display_name.clone()
                                        autocomplete="name"
                                    />
                                    <LanguageField selected=lang />
                                    <FormError error=profile_error />
                                    <button class="button button--primary" type="submit">{move || t().profile_save}</button>
                                </ActionForm>
                            </section>
                            <section class="card narrow" aria-labelledby="pw-title">
                                <h2 id="pw-title">{move || t().change_password_title}</h2>
                                <ActionForm action=change attr:class="form">
                                    <Field
                                        error=error
                                        label=Signal::derive(move || t().field_current_password)
                                        name="current_password"
                                        kind="password"
                                        autocomplete="current-password"
                                    />
                                    <Field
                                        error=error
                                        label=Signal::derive(move || t().field_new_password)
                                        name="new_password"
                                        kind="password"
                                        autocomplete="new-password"
                                        hint=Signal::derive(move || t().password_hint)
                                    />
                                    <Field
                                        error=error
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
                            <section class="card narrow" aria-labelledby="sessions-title">
                                <h2 id="sessions-title">{move || t().sessions_title}</h2>
                                <Transition fallback=|| ()>
                                    {move || Suspend::new(async move {
                                        let list = sessions.await.unwrap_or_default();
                                        view! {
                                            <ul class="sessions">
                                                {list
                                                    .into_iter()
                                                    .map(|s| {
                                                        view! {
                                                            <li class="session">
                                                                <div>
                                                                    <strong>{s.user_agent.clone()}</strong>
                                                                    {s.current.then(|| view! { <span class="badge badge--active">{move || t().session_current}</span> })}
                                                                </div>
                                                                <div class="meta">
                                                                    {move || t().col_started} ": " {s.created.clone()} " · "
                                                                    {move || t().col_last_seen} ": " {s.last_seen.clone()} " · "
                                                                    {move || t().col_ip} ": " {s.ip.clone()}
                                                                </div>
                                                                {(!s.current).then(|| {
                                                                    view! {
                                                                        <ActionForm action=end_session>
                                                                            <input type="hidden" name="session" value=s.id.clone() />
                                                                            <button class="button" type="submit">{move || t().session_end}</button>
                                                                        </ActionForm>
                                                                    }
                                                                })}
                                                            </li>
                                                        }
                                                    })
                                                    .collect_view()}
                                            </ul>
                                        }
                                    })}
                                </Transition>
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
