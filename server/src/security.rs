//! Security headers on every response, and the cross-site request guard.

use crate::config::BaseUrl;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::header::{self, HeaderName, HeaderValue};
use http::{Method, StatusCode};
use leptos::nonce::Nonce;
use std::sync::Arc;

/// What the headers depend on, fixed at start-up.
#[derive(Clone, Debug)]
pub struct SecurityPolicy {
    pub base_url: BaseUrl,
    /// The `ws://` address of cargo-leptos' live-reload server, allowed only under
    /// `cargo leptos watch`.
    pub live_reload: Option<String>,
}

/// Adds the security headers. Each response gets a fresh CSP nonce, put into the request
/// so that the Leptos shell stamps it on the hydration scripts: they are the only inline
/// scripts allowed to run.
pub async fn security_headers(
    State(policy): State<Arc<SecurityPolicy>>,
    mut request: Request,
    next: Next,
) -> Response {
    let nonce = Nonce::new();
    request.extensions_mut().insert(nonce.clone());
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    if let Ok(csp) = HeaderValue::from_str(&content_security_policy(&policy, &nonce)) {
        headers.insert(header::CONTENT_SECURITY_POLICY, csp);
    }
    let fixed: [(HeaderName, &str); 5] = [
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        // Evaluation data must not leak through the Referer of a link to elsewhere.
        (header::REFERRER_POLICY, "same-origin"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (
            HeaderName::from_static("cross-origin-opener-policy"),
            "same-origin",
        ),
        (
            HeaderName::from_static("permissions-policy"),
            "camera=(), microphone=(), geolocation=(), payment=()",
        ),
    ];
    for (name, value) in fixed {
        headers.insert(name, HeaderValue::from_static(value));
    }
    // Pages and answers carry people's data: no browser or proxy keeps a copy, unless the
    // response says otherwise (the content-hashed bundle under /pkg is cached for a year).
    if !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    if policy.base_url.https {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=63072000; includeSubDomains"),
        );
    }
    response
}

fn content_security_policy(policy: &SecurityPolicy, nonce: &Nonce) -> String {
    let connect = match &policy.live_reload {
        Some(ws) => format!("'self' {ws}"),
        None => "'self'".to_owned(),
    };
    format!(
        "default-src 'self'; \
         script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self'; \
         img-src 'self' data:; \
         font-src 'self'; \
         connect-src {connect}; \
         object-src 'none'; \
         base-uri 'none'; \
         frame-ancestors 'none'; \
         form-action 'self'"
    )
}

/// Refuses every state-changing request that a browser marks as coming from another site,
/// or whose `Origin` is not ours. Leptos server functions have no CSRF token of their own;
/// with `SameSite` cookies this closes the door. Requests without either header (scripts,
/// curl) carry no ambient browser credentials and pass.
pub async fn cross_site_guard(
    State(policy): State<Arc<SecurityPolicy>>,
    request: Request,
    next: Next,
) -> Response {
    if is_safe_method(request.method()) {
        return next.run(request).await;
    }
    let headers = request.headers();
    let fetch_site = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok());
    // `same-site` is refused too: a sibling subdomain is not us.
    if matches!(fetch_site, Some("cross-site" | "same-site")) {
        return forbidden_cross_site();
    }
    if let Some(origin) = headers.get(header::ORIGIN) {
        let allowed = origin
            .to_str()
            .is_ok_and(|origin| origin_allowed(&policy.base_url, origin));
        if !allowed {
            return forbidden_cross_site();
        }
    }
    next.run(request).await
}

fn is_safe_method(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Our origin, and when we serve on loopback, the other loopback spellings of it, so that
/// `http://localhost:3000` works as well as `http://127.0.0.1:3000` on a laptop.
fn origin_allowed(base: &BaseUrl, origin: &str) -> bool {
    if origin.eq_ignore_ascii_case(&base.origin) {
        return true;
    }
    const LOOPBACK: [&str; 3] = ["127.0.0.1", "localhost", "[::1]"];
    let host_port = |o: &str| -> Option<(String, String)> {
        let rest = o.strip_prefix("http://")?;
        let (host, port) = match rest.rsplit_once(':') {
            Some((h, p)) if !p.contains(']') => (h.to_owned(), p.to_owned()),
            _ => (rest.to_owned(), String::new()),
        };
        Some((host.to_ascii_lowercase(), port))
    };
    match (host_port(&base.origin), host_port(origin)) {
        (Some((base_host, base_port)), Some((host, port))) => {
            LOOPBACK.contains(&base_host.as_str())
                && LOOPBACK.contains(&host.as_str())
                && base_port == port
        }
        _ => false,
    }
}

fn forbidden_cross_site() -> Response {
    (
        StatusCode::FORBIDDEN,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        "他のサイトからの送信は受け付けません。 / Cross-site requests are refused.\n",
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_aliases_are_one_origin_only_on_loopback() {
        let local = BaseUrl::parse("http://127.0.0.1:3000").expect("valid");
        assert!(origin_allowed(&local, "http://localhost:3000"));
        assert!(origin_allowed(&local, "http://127.0.0.1:3000"));
        assert!(!origin_allowed(&local, "http://localhost:3001"));
        assert!(!origin_allowed(&local, "http://evil.example:3000"));
        let public = BaseUrl::parse("https://kouka.example.jp").expect("valid");
        assert!(origin_allowed(&public, "https://kouka.example.jp"));
        assert!(!origin_allowed(&public, "http://kouka.example.jp"));
        assert!(!origin_allowed(&public, "http://localhost"));
        assert!(!origin_allowed(&public, "null"));
    }

    #[test]
    fn csp_has_the_nonce_and_no_unsafe_inline() {
        let policy = SecurityPolicy {
            base_url: BaseUrl::parse("http://127.0.0.1:3000").expect("valid"),
            live_reload: None,
        };
        let nonce = Nonce::from_value("abc123");
        let csp = content_security_policy(&policy, &nonce);
        assert!(csp.contains("script-src 'self' 'nonce-abc123' 'wasm-unsafe-eval'"));
        assert!(csp.contains("object-src 'none'"));
        assert!(csp.contains("base-uri 'none'"));
        assert!(csp.contains("frame-ancestors 'none'"));
        assert!(!csp.contains("unsafe-inline"));
    }
}
