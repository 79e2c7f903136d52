//! What a page needs of its reader, decided before the page is built: nobody signed in goes
//! to the sign-in page (and back here afterwards); someone without the right sees what is
//! missing and whom to ask, not a form that would be refused. The server still checks
//! every call: this only spares people pages they cannot use.

use crate::api::auth::SignedInUser;
use crate::components::browser::urlencode;
use crate::components::page_title::PageTitle;
use crate::domain::roles::Role;
use crate::i18n::{Lang, use_lang, use_texts};
use crate::shell::use_signed_in_user;
use leptos::prelude::*;
use leptos_router::hooks::use_location;

/// Who may open a page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Need {
    SignedIn,
    SystemAdmin,
    /// System admins and organization admins.
    OrganizationAdmin,
}

impl Need {
    fn met_by(self, user: &SignedInUser) -> bool {
        match self {
            Need::SignedIn => true,
            Need::SystemAdmin => user.is_system_admin(),
            Need::OrganizationAdmin => user.can_edit_organization(),
        }
    }

    /// The roles that open the page, as the reader reads them.
    fn roles(self, lang: Lang) -> String {
        let roles: &[Role] = match self {
            Need::SignedIn => &[],
            Need::SystemAdmin => &[Role::SystemAdmin],
            Need::OrganizationAdmin => &[Role::SystemAdmin, Role::OrganizationAdmin],
        };
        let names: Vec<&str> = roles
            .iter()
            .map(|role| {
                let (ja, en) = role.names();
                if lang == Lang::Ja { ja } else { en }
            })
            .collect();
        names.join(if lang == Lang::Ja { "・" } else { " or " })
    }
}

/// Shows `children` to a reader who has what `need` asks, and otherwise says why not.
#[component]
pub fn Gate(need: Need, children: ChildrenFn) -> impl IntoView {
    let me = use_signed_in_user();
    let t = use_texts();
    view! {
        <Transition fallback=move || view! { <p>{move || t().working}</p> }>
            {
                let children = children.clone();
                move || {
                    let children = children.clone();
                    Suspend::new(async move {
                        match me.await {
                            // Untracked: only the reader decides again; what the page reads
                            // while it is built (its own resources, the query) must not
                            // rebuild it, and with it its resources and their queries.
                            Ok(Some(user)) if need.met_by(&user) => untrack(|| children().into_any()),
                            Ok(Some(_)) => view! { <NoAccess need /> }.into_any(),
                            _ => view! { <SignInFirst /> }.into_any(),
                        }
                    })
                }
            }
        </Transition>
    }
}

/// Signed in, but without the role the page needs.
#[component]
fn NoAccess(need: Need) -> impl IntoView {
    let t = use_texts();
    let lang = use_lang();
    view! {
        <PageTitle pick=|t| t.no_access_title />
        <section class="card narrow" aria-labelledby="no-access-title">
            <h1 id="no-access-title">{move || t().no_access_title}</h1>
            <p>{move || (t().no_access_need)(&need.roles(lang.get()))}</p>
            <p>
                <a href="/">{move || t().no_access_home}</a>
            </p>
        </section>
    }
}

/// Nobody signed in: to the sign-in page, which comes back here afterwards.
#[component]
fn SignInFirst() -> impl IntoView {
    let t = use_texts();
    let location = use_location();
    let login = move || {
        let here = format!("{}{}", location.pathname.get(), location.search.get());
        format!("/login?next={}", urlencode(&here))
    };
    // Sent away at once: by the server when it still can, else by the browser with a
    // full page load (the session is gone, so every part of the page must start afresh;
    // a router navigation from inside a route still loading can also be lost). The link
    // below serves whoever runs no script.
    #[cfg(feature = "ssr")]
    leptos_axum::redirect(&login());
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        {
            let _ = window().location().replace(&login());
        }
    });
    view! {
        <PageTitle pick=|t| t.login_title />
        <section class="card narrow">
            <p>{move || t().sign_in_needed}</p>
            <p>
                <a class="button button--primary" href=login>{move || t().login_submit}</a>
            </p>
        </section>
    }
}
