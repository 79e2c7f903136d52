//! Small bridges to browser APIs that Leptos does not wrap: waiting, and sending a file.
//! On the server they do nothing (they only ever run after hydration).

/// Waits `ms` milliseconds (in the browser; at once on the server).
pub async fn sleep(ms: u32) {
    #[cfg(feature = "hydrate")]
    {
        let promise = js_sys::Promise::new(&mut |resolve, _| {
            let _ = leptos::prelude::window()
                .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms as i32);
        });
        let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = ms;
}

/// POSTs `file` as the request body to `url` and reads back the JSON answer, or the
/// `AppError` the server sent with its error status.
#[cfg(feature = "hydrate")]
pub async fn post_file(
    url: &str,
    file: &leptos::web_sys::File,
) -> Result<serde_json::Value, crate::error::AppError> {
    use crate::domain::form_field::FormField;
    use crate::error::AppError;
    use leptos::wasm_bindgen::JsCast;
    use leptos::web_sys::{RequestInit, Response};
    let init = RequestInit::new();
    init.set_method("POST");
    init.set_body(file);
    let response = wasm_bindgen_futures::JsFuture::from(
        leptos::prelude::window().fetch_with_str_and_init(url, &init),
    )
    .await
    .map_err(|_| AppError::Network)?;
    let response: Response = response.dyn_into().map_err(|_| AppError::Network)?;
    let text = match response.text() {
        Ok(promise) => wasm_bindgen_futures::JsFuture::from(promise)
            .await
            .ok()
            .and_then(|value| value.as_string())
            .unwrap_or_default(),
        Err(_) => String::new(),
    };
    if response.ok() {
        serde_json::from_str(&text).map_err(|_| AppError::Internal)
    } else if response.status() == 413 {
        Err(AppError::invalid(
            FormField::Import,
            crate::domain::problem::Problem::FileTooLarge,
        ))
    } else {
        Err(serde_json::from_str(&text).unwrap_or(AppError::Internal))
    }
}

/// Keeps `value` under `key` in this browser (`localStorage`) until [`forget_local`]:
/// what a person typed survives a failed save, a closed tab and a reload.
pub fn keep_local(key: &str, value: &str) {
    #[cfg(feature = "hydrate")]
    if let Ok(Some(storage)) = leptos::prelude::window().local_storage() {
        let _ = storage.set_item(key, value);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (key, value);
}

/// What [`keep_local`] kept under `key`, if anything.
pub fn read_local(key: &str) -> Option<String> {
    #[cfg(feature = "hydrate")]
    {
        let storage = leptos::prelude::window().local_storage().ok().flatten()?;
        storage.get_item(key).ok().flatten()
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = key;
        None
    }
}

pub fn forget_local(key: &str) {
    #[cfg(feature = "hydrate")]
    if let Ok(Some(storage)) = leptos::prelude::window().local_storage() {
        let _ = storage.remove_item(key);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = key;
}

/// Asks the browser to warn before the page is left while `unsaved` holds (closing the
/// tab, reloading, following a link out of the app).
pub fn warn_before_leaving(unsaved: leptos::prelude::Signal<bool>) {
    #[cfg(feature = "hydrate")]
    {
        use leptos::prelude::*;
        let handle = window_event_listener(leptos::ev::beforeunload, move |event| {
            if unsaved.get_untracked() {
                event.prevent_default();
                event.set_return_value("unsaved");
            }
        });
        on_cleanup(move || handle.remove());
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = unsaved;
}

/// Moves the keyboard focus to the element with this id, if it is on the page.
pub fn focus_id(id: &str) {
    use leptos::wasm_bindgen::JsCast;
    if let Some(element) = leptos::prelude::document()
        .get_element_by_id(id)
        .and_then(|e| e.dyn_into::<leptos::web_sys::HtmlElement>().ok())
    {
        let _ = element.focus();
    }
}

/// On a screen where the layout is one column (under 64rem), scrolls the element with
/// this id into view: what a tap opened below the fold would otherwise seem not to happen.
pub fn reveal_on_narrow_screen(id: &str) {
    #[cfg(feature = "hydrate")]
    {
        let window = leptos::prelude::window();
        let narrow = window
            .inner_width()
            .ok()
            .and_then(|w| w.as_f64())
            .is_some_and(|w| w < 1024.0);
        if narrow && let Some(element) = leptos::prelude::document().get_element_by_id(id) {
            element.scroll_into_view();
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = id;
}

/// Percent-encodes a value for a URL's query.
pub fn urlencode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
