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
    /// Those who read the evaluation's setup: system, evaluation and business admins.
    EvaluationReader,
    /// Those who run the evaluation: system and evaluation admins.
    EvaluationAdmin,
}

impl Need {
    fn met_by(self, user: &SignedInUser) -> bool {
        match self {
            Need::SignedIn => true,
            Need::SystemAdmin => user.is_system_admin(),
            Need::OrganizationAdmin => user.can_edit_organization(),
            Need::EvaluationReader => user.can_read_evaluation_setup(),
            Need::EvaluationAdmin => user.can_manage_evaluation(),
        }
    }

    /// The roles that open the page, as the reader reads them.
    fn roles(self, lang: Lang) -> String {
        let roles: &[Role] = match self {
            Need::SignedIn => &[],
            Need::SystemAdmin => &[Role::SystemAdmin],
            Need::OrganizationAdmin => &[Role::SystemAdmin, Role::OrganizationAdmin],
            Need::EvaluationReader => &[
                Role::SystemAdmin,
                Role::EvaluationAdmin,
                Role::BusinessAdmin,
            ],
            Need::EvaluationAdmin => &[Role::SystemAdmin, Role::EvaluationAdmin],
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

/// What the gate decided for a reader.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Access {
    Granted,
    Refused,
    SignInFirst,
}

impl Access {
    fn of(need: Need, reader: &Result<Option<SignedInUser>, crate::error::AppError>) -> Self {
        match reader {
            Ok(Some(user)) if need.met_by(user) => Access::Granted,
            Ok(Some(_)) => Access::Refused,
            _ => Access::SignInFirst,
        }
    }
}

/// Shows `children` to a reader who has what `need` asks, and otherwise says why not.
#[component]
pub fn Gate(need: Need, children: ChildrenFn) -> impl IntoView {
    let me = use_signed_in_user();
    let t = use_texts();
    let decided = StoredValue::new(None::<Access>);
    // The reader is loaded again at every navigation. Should the answer change under a page
    // already built (signed out or a role taken away elsewhere, then a click that keeps this
    // page), the browser loads it afresh and the server decides again.
    Effect::new(move |_| {
        let now = me.get().map(|reader| Access::of(need, &reader));
        if let (Some(now), Some(built)) = (now, decided.get_value())
            && now != built
        {
            #[cfg(feature = "hydrate")]
            let _ = window().location().reload();
        }
    });
    view! {
        <Transition fallback=move || view! { <p>{move || t().working}</p> }>
            // One future, not a closure: the server walks a Transition's children several
            // times before it renders them (Leptos' dry runs), and a closure would build the
            // page again on each walk, and with it its resources and their queries (the
            // directory ran its list query twice or three times per page). The page is
            // built once, for the reader it was opened by.
            {Suspend::new(async move {
                let access = Access::of(need, &me.await);
                decided.set_value(Some(access));
                match access {
                    // Untracked: what the page reads while it is built (its own resources,
                    // the query) must not rebuild it.
                    Access::Granted => untrack(|| children().into_any()),
                    Access::Refused => view! { <NoAccess need /> }.into_any(),
                    Access::SignInFirst => view! { <SignInFirst /> }.into_any(),
                }
            })}
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
