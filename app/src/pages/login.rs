use crate::api::auth::Login;
use crate::components::forms::{Field, FormError, reload_to};
use crate::components::page_title::PageTitle;
use crate::i18n::use_texts;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

/// Sign in with company code, e-mail or employee code, and password.
#[component]
pub fn LoginPage() -> impl IntoView {
    let t = use_texts();
    let login = ServerAction::<Login>::new();
    let error = Signal::derive(move || login.value().get().and_then(Result::err));
    let query = use_query_map();
    // Back to the page that asked for the sign-in, if it is one of ours.
    let next = move || local_path(query.read().get("next").as_deref()).unwrap_or("/".into());
    Effect::new(move |_| {
        if let Some(Ok(())) = login.value().get() {
            reload_to(&next());
        }
    });
    view! {
        <PageTitle pick=|t| t.login_title />
        <section class="card narrow" aria-labelledby="login-title">
            <h1 id="login-title">{move || t().login_title}</h1>
            // Sent here by a page that needs a sign-in: say so, and that it comes back.
            <Show when=move || query.read().get("next").is_some()>
                <p class="form-notice" role="status">{move || t().sign_in_needed}</p>
            </Show>
            <ActionForm action=login attr:class="form">
                <Field
                    error=error
                    label=Signal::derive(move || t().field_company_code)
                    name="company_code"
                    autocomplete="organization"
                    autofocus=true
                />
                <Field
                    error=error
                    label=Signal::derive(move || t().field_identifier)
                    name="identifier"
                    autocomplete="username"
                />
                <Field
                    error=error
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

/// `path` if it is a path of this site (`/org/import?x=1`), never another site's address
/// (`//evil.example`, `https://…`), which would make the sign-in page an open redirect.
pub fn local_path(path: Option<&str>) -> Option<String> {
    let path = path?;
    let ours = path.starts_with('/')
        && !path.starts_with("//")
        && !path.starts_with("/\\")
        && !path.chars().any(|c| c.is_control() || c == '\\');
    ours.then(|| path.to_owned())
}

#[cfg(test)]
mod tests {
    use super::local_path;

    #[test]
    fn only_our_own_paths_are_followed_after_signing_in() {
        assert_eq!(
            local_path(Some("/org/import")).as_deref(),
            Some("/org/import")
        );
        assert_eq!(local_path(Some("/org?q=1")).as_deref(), Some("/org?q=1"));
        for bad in [
            "//evil.example",
            "https://evil.example",
            "/\\evil.example",
            "evil",
            "/a\nb",
        ] {
            assert_eq!(local_path(Some(bad)), None, "{bad}");
        }
        assert_eq!(local_path(None), None);
    }
}
