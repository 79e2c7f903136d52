use crate::components::page_title::PageTitle;
use crate::i18n::use_texts;
use crate::shell::use_signed_in_user;
use leptos::prelude::*;
use leptos_router::components::A;

/// The landing page: what Kouka is, and the way in.
#[component]
pub fn HomePage() -> impl IntoView {
    let t = use_texts();
    let features = move || {
        let t = t();
        [
            (t.home_feature_goals_title, t.home_feature_goals_body),
            (t.home_feature_eval_title, t.home_feature_eval_body),
            (t.home_feature_security_title, t.home_feature_security_body),
        ]
        .map(|(title, body)| {
            view! {
                <li class="feature">
                    <h2>{title}</h2>
                    <p>{body}</p>
                </li>
            }
        })
    };

    let me = use_signed_in_user();
    let welcome = move || {
        Suspend::new(async move {
            me.await.ok().flatten().map(|user| {
                view! {
                    <section class="card welcome" aria-labelledby="welcome-title">
                        <h2 id="welcome-title">
                            {move || (t().welcome)(&user.display_name)}
                        </h2>
                        <p>{move || t().welcome_lead}</p>
                    </section>
                }
            })
        })
    };

    // The way in, for those not signed in yet (the welcome greets the others).
    let sign_in = move || {
        Suspend::new(async move {
            me.await.ok().flatten().is_none().then(|| {
                view! {
                    <A href="/login" attr:class="button button--primary">
                        {move || t().home_login_cta}
                    </A>
                }
            })
        })
    };

    view! {
        <PageTitle pick=|_| "" />
        <Transition fallback=|| ()>{welcome}</Transition>
        <section class="hero" aria-labelledby="hero-title">
            <h1 id="hero-title">{move || t().home_title}</h1>
            <p class="hero__lead">{move || t().home_lead}</p>
            <Transition fallback=|| ()>{sign_in}</Transition>
        </section>
        <ul class="features">{features}</ul>
    }
}
