//! Keeps each page render's reactive owner current on the thread while its handler runs.
//!
//! Leptos (leptos_integration_utils 0.8.9, `from_app`) creates a request's root owner with
//! `Owner::new_root`, which makes it the thread's current owner, and then, after awaiting
//! the first render, looks up the page's lazy-route preload links through whatever owner is
//! current at that moment. When the render had to wait, another request's render has run on
//! the thread meanwhile and made *its* owner current: the links went into that other page's
//! `<head>`. Under load pages carried hundreds of other pages' preload links (811 on one
//! directory page, 116 KB of head) and lost their own.
//!
//! [`keep_request_owner`] wraps every request: the thread's current owner is cleared before
//! the handler first runs, the owner the handler makes current is remembered, and that owner
//! is current again whenever the handler resumes; afterwards the thread's previous owner is
//! put back. A request that makes no owner (the API, `/healthz`) runs with none current.

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use leptos::prelude::Owner;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// Middleware: runs the rest of the stack under [`OwnedByRequest`].
pub async fn keep_request_owner(request: Request, next: Next) -> Response {
    OwnedByRequest::new(next.run(request)).await
}

/// A future that always resumes with the reactive owner it made current itself.
pub struct OwnedByRequest<F> {
    inner: Pin<Box<F>>,
    /// The owner the inner future made current; `None` until it makes one.
    owner: Option<Owner>,
}

impl<F> OwnedByRequest<F> {
    pub fn new(inner: F) -> Self {
        Self {
            inner: Box::pin(inner),
            owner: None,
        }
    }
}

impl<F: Future> Future for OwnedByRequest<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        let previous = Owner::current();
        match &this.owner {
            Some(owner) => owner.set(),
            None => clear_current_owner(),
        }
        let result = this.inner.as_mut().poll(cx);
        if this.owner.is_none() {
            this.owner = Owner::current();
        }
        match previous {
            Some(owner) => owner.set(),
            None => clear_current_owner(),
        }
        result
    }
}

/// Leaves the thread with no current owner (the only public way: unset the current one).
fn clear_current_owner() {
    if let Some(owner) = Owner::current() {
        owner.unset();
    }
}
