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
        <Desk />
        <section class="hero" aria-labelledby="hero-title">
            <h1 id="hero-title">{move || t().home_title}</h1>
            <p class="hero__lead">{move || t().home_lead}</p>
            <Transition fallback=|| ()>{sign_in}</Transition>
        </section>
        <ul class="features">{features}</ul>
    }
}

/// What waits for the signed-in person now: their own sheet's next step and its deadline,
/// and how many sheets wait for their evaluation or approval, the nearest deadline first.
/// Nothing for a visitor who is not signed in (the server refuses them the list).
#[component]
fn Desk() -> impl IntoView {
    use crate::api::sheets::my_sheets;
    use crate::i18n::periods::sheet_state_name;
    use crate::i18n::use_lang;
    let t = use_texts();
    let lang = use_lang();
    let lines = Resource::new(|| (), |_| my_sheets());
    let desk = move || {
        Suspend::new(async move {
            let lines = lines.await.ok()?;
            let s = t().sheet;
            let (mine, theirs): (Vec<_>, Vec<_>) =
                lines.into_iter().partition(|line| line.stage.is_none());
            let mut waiting: Vec<_> = theirs.into_iter().filter(|line| line.my_turn).collect();
            waiting.sort_by(|a, b| {
                a.deadline
                    .is_none()
                    .cmp(&b.deadline.is_none())
                    .then_with(|| a.deadline.cmp(&b.deadline))
            });
            let own = mine
                .into_iter()
                .filter(|line| line.my_turn || line.deadline.is_some())
                .map(|line| {
                    let href = format!("/evaluation/sheets/{}", line.id);
                    let state = sheet_state_name(line.state, lang.get_untracked());
                    view! {
                        <li>
                            <A href=href>{line.period_name.clone()}</A>
                            " · "{(s.state_line)(&state)}
                            {line.my_turn.then(|| view! { " "<span class="badge badge--turn">{s.your_turn}</span> })}
                            {line.late.then(|| view! { " "<span class="badge badge--late">{s.late}</span> })}
                            {line.deadline.clone().map(|d| view! { <br /><span class="field__hint">{(s.deadline_line)(&d)}</span> })}
                        </li>
                    }
                })
                .collect::<Vec<_>>();
            if own.is_empty() && waiting.is_empty() {
                return None;
            }
            let nearest = waiting.first().and_then(|line| line.deadline.clone());
            let count = waiting.len();
            Some(view! {
                <section class="card desk" aria-labelledby="desk-title">
                    <h2 id="desk-title">{s.desk_heading}</h2>
                    {(!own.is_empty()).then(|| view! { <ul class="desk__list">{own}</ul> })}
                    {(count > 0).then(|| view! {
                        <p>
                            <A href="/evaluation/reviews">{(s.desk_waiting)(count)}</A>
                            {nearest.map(|d| view! { <br /><span class="field__hint">{(s.desk_nearest)(&d)}</span> })}
                        </p>
                    })}
                </section>
            })
        })
    };
    view! {
        <Transition fallback=|| ()>{desk}</Transition>
        <AdminDesk />
    }
}

/// What the tenant needs next from the signed-in admin: the org chart to build, periods to
/// launch, late sheets, sheets waiting for calibration. Nothing for anyone else.
#[component]
fn AdminDesk() -> impl IntoView {
    use crate::api::evaluation::tenant_needs;
    use crate::domain::desk::TenantNeed;
    let t = use_texts();
    let needs = Resource::new(|| (), |_| tenant_needs());
    let shown = move || {
        Suspend::new(async move {
            let needs = needs.await.ok().filter(|n| !n.is_empty())?;
            let s = t().sheet;
            let items = needs
                .into_iter()
                .map(|need| match need {
                    TenantNeed::NoDepartments => view! {
                        <li>
                            {s.need_no_departments}<br />
                            <A href="/org">{s.need_org_chart}</A>" · "<A href="/org/import">{s.need_org_import}</A>
                        </li>
                    }
                    .into_any(),
                    TenantNeed::DraftPeriod { id, name, without_evaluator } => view! {
                        <li>
                            <A href=format!("/evaluation/periods/{id}")>{(s.need_draft)(&name)}</A>
                            {(without_evaluator > 0).then(|| view! {
                                <br /><span class="field__hint">{(s.need_without_evaluator)(without_evaluator)}</span>
                            })}
                        </li>
                    }
                    .into_any(),
                    TenantNeed::LateSheets { id, name, late } => view! {
                        <li><A href=format!("/evaluation/periods/{id}")>{(s.need_late)(&name, late)}</A></li>
                    }
                    .into_any(),
                    TenantNeed::Calibration { id, name, waiting } => view! {
                        <li><A href=format!("/evaluation/periods/{id}/calibration")>{(s.need_calibration)(&name, waiting)}</A></li>
                    }
                    .into_any(),
                })
                .collect_view();
            Some(view! {
                <section class="card desk" aria-labelledby="admin-desk-title">
                    <h2 id="admin-desk-title">{s.needs_heading}</h2>
                    <ul class="desk__list">{items}</ul>
                </section>
            })
        })
    };
    view! { <Transition fallback=|| ()>{shown}</Transition> }
}
