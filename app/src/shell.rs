//! The HTML document and the app's frame: routes inside a header, main and footer.

use crate::api::auth::{LinkPurpose, SignedInUser, current_user};
use crate::components::layout::{Footer, Header, SkipLink};
use crate::components::page_title::TitleTemplate;
use crate::error::AppError;
use crate::i18n::provide_lang;
use crate::on_demand::page_on_demand;
use crate::pages::{
    account::AccountPage,
    admin_users::{UserPage, UsersPage},
    employees::{EmployeePage, EmployeesPage},
    evaluation_calibration::CalibrationPage,
    evaluation_periods::{PeriodPage, PeriodsPage},
    evaluation_progress::ProgressPage,
    evaluation_sheets::{MySheetsPage, ReviewsPage, SheetPage},
    evaluation_templates::{TemplatePage, TemplatesPage},
    forgot::ForgotPasswordPage,
    home::HomePage,
    login::LoginPage,
    manual::AdminManualPage,
    not_found::NotFound,
    org_chart::OrgChartPage,
    org_import::OrgImportPage,
    set_password::SetPasswordPage,
};
use leptos::prelude::*;
use leptos_meta::{Html, provide_meta_context};
use leptos_router::{
    Lazy,
    components::{Route, Router, Routes},
    path,
};

/// The whole HTML document, rendered on the server only.
#[cfg(feature = "ssr")]
pub fn shell(options: LeptosOptions) -> impl IntoView {
    use leptos_meta::{HashedStylesheet, MetaTags};
    provide_request_nonce();
    view! {
        <!DOCTYPE html>
        <html>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="color-scheme" content="light" />
                <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                <AutoReload options=options.clone() />
                <HydrationScripts options=options.clone() />
                <HashedStylesheet options id="leptos" />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// The server's security-headers middleware puts a fresh [`Nonce`](leptos::nonce::Nonce)
/// into the request and sends it in the `Content-Security-Policy` header; the hydration
/// scripts rendered here carry the same nonce, so they are the only inline scripts that run.
#[cfg(feature = "ssr")]
fn provide_request_nonce() {
    use leptos::nonce::Nonce;
    if let Some(nonce) = use_context::<http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<Nonce>().cloned())
    {
        provide_context(nonce);
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    let lang = provide_lang();

    view! {
        <Html {..} lang=move || lang.get().code() />
        <TitleTemplate />
        <Router>
            <SessionFrame />
        </Router>
    }
}

/// Everything inside the router. The signed-in user is fetched again at every navigation,
/// so a session ended elsewhere (deactivation, sign-out everywhere, timeout) shows on the
/// very next click.
#[component]
fn SessionFrame() -> impl IntoView {
    let location = leptos_router::hooks::use_location();
    // Blocking: the page is sent once the reader is known, so that a page's gate decides
    // in the first pass (and can still answer with a redirect) instead of streaming a
    // placeholder and rendering the page in a second, costlier pass.
    provide_context(SignedInUserResource(Resource::new_blocking(
        move || location.pathname.get(),
        |_| current_user(),
    )));
    view! {
            <SkipLink />
            <Header />
            <main id="main" tabindex="-1">
                <Routes fallback=NotFound>
                    <Route path=path!("/") view=HomePage />
                    <Route path=path!("/login") view=LoginPage />
                    <Route path=path!("/forgot") view=ForgotPasswordPage />
                    <Route
                        path=path!("/setup/:link")
                        view=|| view! { <SetPasswordPage purpose=LinkPurpose::Setup /> }
                    />
                    <Route
                        path=path!("/invite/:link")
                        view=|| view! { <SetPasswordPage purpose=LinkPurpose::Invitation /> }
                    />
                    <Route
                        path=path!("/reset/:link")
                        view=|| view! { <SetPasswordPage purpose=LinkPurpose::Reset /> }
                    />
                    <Route path=path!("/account") view={Lazy::<AccountRoute>::new()} />
                    <Route path=path!("/admin/users") view={Lazy::<UsersRoute>::new()} />
                    <Route path=path!("/admin/users/:id") view={Lazy::<UserRoute>::new()} />
                    <Route path=path!("/org") view={Lazy::<OrgChartRoute>::new()} />
                    <Route path=path!("/org/employees") view={Lazy::<EmployeesRoute>::new()} />
                    <Route path=path!("/org/employees/:id") view={Lazy::<EmployeeRoute>::new()} />
                    <Route path=path!("/org/import") view={Lazy::<OrgImportRoute>::new()} />
                    <Route path=path!("/evaluation/templates") view={Lazy::<TemplatesRoute>::new()} />
                    <Route path=path!("/evaluation/templates/:id") view={Lazy::<TemplateRoute>::new()} />
                    <Route path=path!("/evaluation/periods") view={Lazy::<PeriodsRoute>::new()} />
                    <Route path=path!("/evaluation/periods/:id") view={Lazy::<PeriodRoute>::new()} />
                    <Route
                        path=path!("/evaluation/periods/:id/calibration")
                        view={Lazy::<CalibrationRoute>::new()}
                    />
                    <Route
                        path=path!("/evaluation/periods/:id/progress")
                        view={Lazy::<ProgressRoute>::new()}
                    />
                    <Route path=path!("/evaluation/me") view={Lazy::<MySheetsRoute>::new()} />
                    <Route path=path!("/evaluation/reviews") view={Lazy::<ReviewsRoute>::new()} />
                    <Route path=path!("/evaluation/sheets/:id") view={Lazy::<SheetRoute>::new()} />
                    <Route
                        path=path!("/manual/admin")
                        view={Lazy::<AdminManualRoute>::new()}
                    />
                </Routes>
            </main>
            <Footer />
    }
}

/// Who is signed in, loaded once per page and shared by the header and the pages.
#[derive(Clone, Copy)]
pub struct SignedInUserResource(pub Resource<Result<Option<SignedInUser>, AppError>>);

/// The signed-in user (`Ok(None)` for nobody); await it inside `Suspense`/`Transition`.
pub fn use_signed_in_user() -> Resource<Result<Option<SignedInUser>, AppError>> {
    expect_context::<SignedInUserResource>().0
}

// Pages everyone meets first (sign-in, home, password links) stay in the main bundle.
page_on_demand!(AccountRoute, account_page, AccountPage);
page_on_demand!(UsersRoute, users_page, UsersPage);
page_on_demand!(UserRoute, user_page, UserPage);
page_on_demand!(OrgChartRoute, org_chart_page, OrgChartPage);
page_on_demand!(EmployeesRoute, employees_page, EmployeesPage);
page_on_demand!(EmployeeRoute, employee_page, EmployeePage);
page_on_demand!(OrgImportRoute, org_import_page, OrgImportPage);
page_on_demand!(TemplatesRoute, templates_page, TemplatesPage);
page_on_demand!(TemplateRoute, template_page, TemplatePage);
page_on_demand!(PeriodsRoute, periods_page, PeriodsPage);
page_on_demand!(PeriodRoute, period_page, PeriodPage);
page_on_demand!(CalibrationRoute, calibration_page, CalibrationPage);
page_on_demand!(ProgressRoute, progress_page, ProgressPage);
page_on_demand!(MySheetsRoute, my_sheets_page, MySheetsPage);
page_on_demand!(ReviewsRoute, reviews_page, ReviewsPage);
page_on_demand!(SheetRoute, sheet_page, SheetPage);
page_on_demand!(AdminManualRoute, admin_manual_page, AdminManualPage);
