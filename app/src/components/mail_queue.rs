//! How many of the tenant's mails wait to be sent, for the admins who send them: after an
//! import, thousands of invitations take a while to leave.

use crate::api::users::mail_queue;
use crate::i18n::use_texts;
use leptos::prelude::*;

/// A line saying how many mails wait, when any do; nothing otherwise (nor for a reader the
/// server does not tell).
#[component]
pub fn MailQueueNote() -> impl IntoView {
    let t = use_texts();
    let queue = Resource::new(|| (), |_| mail_queue());
    view! {
        <Transition fallback=|| ()>
            {move || {
                queue
                    .get()
                    .and_then(Result::ok)
                    .filter(|q| q.waiting > 0)
                    .map(|q| {
                        view! {
                            <p class="meta mail-queue" role="status">
                                {move || {
                                    let mut line = crate::i18n::counted(t()
                                        .mail_queue_waiting, q.waiting);
                                    if q.retrying > 0 {
                                        line.push_str(
                                            &crate::i18n::counted(t().mail_queue_retrying, q.retrying),
                                        );
                                    }
                                    line
                                }}
                            </p>
                        }
                    })
            }}
        </Transition>
    }
}
