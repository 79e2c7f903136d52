#![recursion_limit = "256"]
//! The browser entry point: hydrates the server-rendered page into the live app.

use leptos::prelude::document;

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    // Asynchronous hydration: a page split into its own chunk is fetched before it hydrates.
    let _ = any_spawner::Executor::init_wasm_bindgen();
    leptos::task::spawn_local(async {
        let app =
            leptos::mount::hydrate_from_async(document().body().expect("a body"), kouka_app::App)
                .await;
        app.forget();
        mark_hydrated();
    });
}

/// Marks `<html data-hydrated="true">` once the whole page, its on-demand chunk included,
/// is live, so end-to-end tests (and curious developers) can tell server HTML from the app.
fn mark_hydrated() {
    if let Some(html) = document().document_element() {
        let _ = html.set_attribute("data-hydrated", "true");
    }
}
