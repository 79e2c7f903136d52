//! "Previous · page 2 of 7 · next" under a paged list: links to other pages (when the page
//! number is in the URL) or buttons that change a page signal.

use crate::i18n::use_texts;
use leptos::prelude::*;
use leptos_router::components::A;
use std::sync::Arc;

/// Where the pager's controls lead.
#[derive(Clone)]
pub enum PageTarget {
    /// The URL of a page.
    Link(Arc<dyn Fn(i64) -> String + Send + Sync>),
    /// The page shown, as a signal.
    Signal(RwSignal<i64>),
}

/// The number of pages for `total` items, `per_page` a page (at least one).
pub fn page_count(total: i64, per_page: i64) -> i64 {
    ((total + per_page - 1) / per_page.max(1)).max(1)
}

#[component]
pub fn Pager(
    page: i64,
    total: i64,
    per_page: i64,
    /// What the list is, for screen readers.
    label: &'static str,
    target: PageTarget,
) -> impl IntoView {
    let t = use_texts();
    let pages = page_count(total, per_page);
    let control = move |to: i64, text: &'static str| match &target {
        PageTarget::Link(link) => view! { <A href=link(to)>{text}</A> }.into_any(),
        PageTarget::Signal(signal) => {
            let signal = *signal;
            view! {
                <button type="button" class="link-button" on:click=move |_| signal.set(to)>
                    {text}
                </button>
            }
            .into_any()
        }
    };
    let t = t();
    view! {
        <nav class="pager" aria-label=label>
            {(page > 1).then(|| control(page - 1, t.users_prev))}
            <span>
                {(t.users_page)(page, pages)}
            </span>
            {(page < pages).then(|| control(page + 1, t.users_next))}
        </nav>
    }
}
