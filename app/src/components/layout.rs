//! The frame around every page: the header with the main navigation and the footer.

use crate::api::auth::Logout;
use crate::components::forms::reload_to;
use crate::components::lang_switch::LangSwitch;
use crate::i18n::use_texts;
use crate::shell::use_signed_in_user;
use leptos::ev::{KeyboardEvent, MouseEvent};
use leptos::prelude::*;
use leptos_router::components::A;

/// The first stop of the Tab key: jumps past the navigation to the page's content. The
/// router would treat `#main` as a navigation, so once hydrated the click moves the focus
/// itself; before hydration the browser does the same natively.
#[component]
pub fn SkipLink() -> impl IntoView {
    let t = use_texts();
    let skip = move |ev: MouseEvent| {
        ev.prevent_default();
        if let Some(main) = document().get_element_by_id("main") {
            focus_element(&main);
        }
    };
    view! {
        <a class="skip-link" href="#main" on:click=skip>
            {move || t().skip_to_content}
        </a>
    }
}

fn focus_element(element: &leptos::web_sys::Element) {
    use leptos::wasm_bindgen::JsCast;
    if let Some(element) = element.dyn_ref::<leptos::web_sys::HtmlElement>() {
        let _ = element.focus();
    }
}

#[component]
pub fn Header() -> impl IntoView {
    let t = use_texts();
    // On narrow screens the navigation folds behind a button.
    let menu_open = RwSignal::new(false);
    let toggle = NodeRef::<leptos::html::Button>::new();
    // Escape closes the open menu and gives the focus back to its button, not to <body>.
    let close_on_escape = move |ev: KeyboardEvent| {
        if ev.key() == "Escape" && menu_open.get_untracked() {
            menu_open.set(false);
            if let Some(button) = toggle.get_untracked() {
                let _ = button.focus();
            }
        }
    };

    view! {
        <header class="site-header" on:keydown=close_on_escape>
            <div class="site-header__inner">
                <A href="/" attr:class="brand">
                    <span class="brand__mark" aria-hidden="true">
                        "考"
                    </span>
                    <span class="brand__name">{move || t().app_name}</span>
                    <span class="brand__tagline">{move || t().app_tagline}</span>
                </A>
                <button
                    node_ref=toggle
                    type="button"
                    class="menu-toggle"
                    aria-controls="main-nav"
                    aria-expanded=move || menu_open.get().to_string()
                    aria-label=move || if menu_open.get() { t().menu_close } else { t().menu_open }
                    on:click=move |_| menu_open.update(|open| *open = !*open)
                >
                    <span class="menu-toggle__bar" aria-hidden="true"></span>
                    <span class="menu-toggle__bar" aria-hidden="true"></span>
                    <span class="menu-toggle__bar" aria-hidden="true"></span>
                </button>
                <nav
                    id="main-nav"
                    class="main-nav"
                    class:main-nav--open=move || menu_open.get()
                    aria-label=move || t().nav_label
                >
                    <ul class="main-nav__list" on:click=move |_| menu_open.set(false)>
                        <li>
                            <A href="/" exact=true>
                                {move || t().nav_home}
                            </A>
                        </li>
                        <UserMenu />
                    </ul>
                    <LangSwitch />
                </nav>
            </div>
        </header>
    }
}

/// The signed-in user's entries (account, admin pages, log out), or the way in.
#[component]
fn UserMenu() -> impl IntoView {
    let t = use_texts();
    let me = use_signed_in_user();
    let logout = ServerAction::<Logout>::new();
    Effect::new(move |_| {
        if let Some(Ok(())) = logout.value().get() {
            reload_to("/");
        }
    });
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match me.await {
                    Ok(Some(user)) => {
                        let admin = user.is_system_admin();
                        let org_admin = user.can_edit_organization();
                        let evaluation_reader = user.can_read_evaluation_setup();
                        view! {
                            <li>
                                // Exact: /org/employees and /org/import have entries of their own.
                                <A href="/org" exact=true>{move || t().nav_org}</A>
                            </li>
                            <li>
                                <A href="/org/employees">{move || t().nav_employees}</A>
                            </li>
                            <Show when=move || org_admin>
                                <li>
                                    <A href="/org/import">{move || t().nav_org_import}</A>
                                </li>
                            </Show>
                            <li>
                                <A href="/evaluation/me">{move || t().sheet.my_nav}</A>
                            </li>
                            <li>
                                <A href="/evaluation/reviews">{move || t().sheet.reviews_nav}</A>
                            </li>
                            <Show when=move || evaluation_reader>
                                <li>
                                    <A href="/evaluation/templates">{move || t().eval.nav_templates}</A>
                                </li>
                                <li>
                                    <A href="/evaluation/periods">{move || t().period.nav}</A>
                                </li>
                            </Show>
                            <Show when=move || admin>
                                <li>
                                    <A href="/admin/users">{move || t().nav_users}</A>
                                </li>
                            </Show>
                            <li>
                                <A href="/account">{move || t().nav_account}</A>
                            </li>
                            <li class="main-nav__user">
                                <span class="main-nav__name">{user.display_name.clone()}</span>
                                <ActionForm action=logout attr:class="inline-form">
                                    <button type="submit" class="link-button">
                                        {move || t().nav_logout}
                                    </button>
                                </ActionForm>
                            </li>
                        }
                            .into_any()
                    }
                    _ => {
                        view! {
                            <li>
                                <A href="/login">{move || t().nav_login}</A>
                            </li>
                        }
                            .into_any()
                    }
                }
            })}
        </Transition>
    }
}

#[component]
pub fn Footer() -> impl IntoView {
    let t = use_texts();
    view! {
        <footer class="site-footer">
            <p>
                "© 2026 " {move || t().footer_rights} " · v" {env!("CARGO_PKG_VERSION")}
            </p>
            <p class="site-footer__note">{move || t().footer_times_note}</p>
        </footer>
    }
}
