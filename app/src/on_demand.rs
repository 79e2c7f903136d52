//! Pages whose code the browser fetches only when someone opens them.
//!
//! The release build (`scripts/build.sh`, i.e. `cargo leptos build --split`) puts each page
//! declared with [`page_on_demand!`] into its own WebAssembly chunk, so the first page a
//! user opens does not download every page's code. Without `--split` (`cargo leptos watch`,
//! `cargo check`) the same routes are ordinary ones.
//!
//! Leptos' own `#[lazy_route]` aborts the whole app when a chunk cannot be fetched. That is
//! what a tab left open across a deployment meets: the old chunks are gone from the server.
//! Here a missing chunk is an ordinary value: the browser loads the page afresh from the
//! server (and with it the new version), once; if that does not help, the page says so.

use crate::components::page_title::PageTitle;
use crate::i18n::use_texts;
use leptos::prelude::*;

/// Declares `$route`, a [`leptos_router::LazyRoute`] showing `$page`, whose code goes into
/// the chunk `$chunk` (a name unique in the app; the build's manifest lists it).
// Unformatted: rustfmt indents the `cfg_attr` below further on every run.
#[rustfmt::skip]
macro_rules! page_on_demand {
    ($route:ident, $chunk:ident, $page:ident) => {
        pub struct $route;

        mod $chunk {
            use super::*;

            // In the browser build this function lives in the chunk, and calling it fetches
            // the chunk first; a failed fetch is an `Err`, not an abort.
            #[cfg_attr(
                feature = "hydrate",
                ::leptos::wasm_split::wasm_split(
                    $chunk,
                    wasm_split_path = ::leptos::wasm_split,
                    preload(fetch_code),
                    fallible
                )
            )]
            pub fn page() -> Result<AnyView, ::leptos::wasm_split::SplitLoaderError> {
                Ok(view! { <$page /> }.into_any())
            }
        }

        impl ::leptos_router::LazyRoute for $route {
            fn data() -> Self {
                $route
            }

            // The router awaits this before it shows (or hydrates) the page, so the page
            // itself is then at hand at once, as hydration needs.
            async fn preload() {
                #[cfg(feature = "hydrate")]
                if $chunk::fetch_code().await.is_err() {
                    $crate::on_demand::code_not_fetched();
                }
            }

            async fn view(_this: Self) -> AnyView {
                // The server names the chunk in the page's preload links (as Leptos' own
                // lazy routes do, through the same hidden function).
                #[cfg(feature = "ssr")]
                ::leptos::prefetch_lazy_fn_on_server(stringify!($chunk));
                #[cfg(feature = "hydrate")]
                let page = $chunk::page().await;
                #[cfg(not(feature = "hydrate"))]
                let page = $chunk::page();
                page.unwrap_or_else(|_| {
                    $crate::on_demand::code_missing($crate::on_demand::address_being_opened())
                })
            }
        }
    };
}
pub(crate) use page_on_demand;

/// The address (path and query) the router is opening: in a client-side navigation the
/// browser's address bar may still show the page being left.
pub fn address_being_opened() -> String {
    let url = leptos_router::hooks::use_url().get_untracked();
    if url.search().is_empty() {
        url.path().to_string()
    } else {
        format!("{}?{}", url.path(), url.search())
    }
}

/// What to show when a page's code could not be fetched: nothing while the browser loads
/// the page afresh, or the explanation when that was just tried.
pub fn code_missing(address: String) -> AnyView {
    if load_afresh_once(&address) {
        ().into_any()
    } else {
        view! { <PageCodeMissing address /> }.into_any()
    }
}

/// Called when the router could not fetch a page's code before showing it.
#[cfg(feature = "hydrate")]
pub fn code_not_fetched() {
    let address = address_being_opened();
    if load_afresh_once(&address) {
        return;
    }
    // A client-side navigation goes on to `view`, which tries once more and explains if
    // that fails too. Hydration cannot wait: it would fail on the server's HTML, which
    // would then stay on screen looking alive but dead. Put the explanation there instead.
    let hydrating = Owner::current_shared_context().is_some_and(|c| c.during_hydration());
    if hydrating {
        explain_in_main(&address);
    }
}

/// Replaces the content of `<main>` with [`PageCodeMissing`]'s text, without Leptos.
#[cfg(feature = "hydrate")]
fn explain_in_main(address: &str) {
    let t = use_texts()();
    let document = document();
    let Some(main) = document.get_element_by_id("main") else {
        return;
    };
    let element = |tag: &str, text: &str| {
        let element = document.create_element(tag).ok()?;
        element.set_text_content(Some(text));
        Some(element)
    };
    let (Some(section), Some(title), Some(body), Some(retry)) = (
        element("section", ""),
        element("h1", t.page_code_missing_title),
        element("p", t.page_code_missing_body),
        element("a", t.page_code_missing_retry),
    ) else {
        return;
    };
    section.set_class_name("card narrow");
    let _ = section.set_attribute("role", "alert");
    let _ = retry.set_attribute("href", address);
    // A full page load: the router, still alive, would otherwise keep the page as it is.
    let _ = retry.set_attribute("rel", "external");
    for child in [&title, &body, &retry] {
        let _ = section.append_child(child);
    }
    main.replace_children_with_node_1(&section);
    document.set_title(t.page_code_missing_title);
}

/// Loads `address` afresh from the server, unless that was just tried for it. Answers
/// whether the browser is now loading it.
#[cfg(feature = "hydrate")]
fn load_afresh_once(address: &str) -> bool {
    // How long a reload counts as "just tried": a reload that came back to the same
    // failure within this time will not help a second time.
    const RECENT_MS: f64 = 30_000.0;
    const KEY: &str = "kouka.reloaded-for-missing-code";
    let Some(window) = web_sys::window() else {
        return false;
    };
    let now = js_sys::Date::now();
    let storage = window.session_storage().ok().flatten();
    let last = storage
        .as_ref()
        .and_then(|s| s.get_item(KEY).ok().flatten());
    if let Some((at, last_address)) = last.as_deref().and_then(|l| l.split_once(' '))
        && last_address == address
        && at.parse::<f64>().is_ok_and(|at| now - at < RECENT_MS)
    {
        return false;
    }
    if let Some(storage) = storage {
        let _ = storage.set_item(KEY, &format!("{now} {address}"));
    }
    window.location().assign(address).is_ok()
}

#[cfg(not(feature = "hydrate"))]
fn load_afresh_once(_address: &str) -> bool {
    false
}

/// Said when a page's code cannot be fetched even after loading the page afresh: most
/// likely the network is down.
#[component]
fn PageCodeMissing(address: String) -> impl IntoView {
    let t = use_texts();
    view! {
        <PageTitle pick=|t| t.page_code_missing_title />
        <section class="card narrow" role="alert" aria-labelledby="pcm-title">
            <h1 id="pcm-title">{move || t().page_code_missing_title}</h1>
            <p>{move || t().page_code_missing_body}</p>
            <a href=address rel="external">{move || t().page_code_missing_retry}</a>
        </section>
    }
}
