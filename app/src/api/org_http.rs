//! The plain HTTP routes, for what server functions do not fit: file uploads (the
//! organization's CSV, larger than the ordinary body limit, and a period's evaluators),
//! file downloads a link can point at, and the live event stream. Each loads the same [`RequestContext`] and asks the same
//! `authorize` as a server function; [`routes`] lists them for the authorization test.

use crate::api::context::{RequestContext, Services};
use crate::backend::org_import;
use crate::backend::sessions;
use crate::domain::csv_codec::Encoding;
use crate::domain::form_field::FormField;
use crate::domain::org_chart::OrgEvent;
use crate::domain::org_csv::CsvKind;
use crate::domain::permissions::Action;
use crate::error::AppError;
use crate::i18n::Lang;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::Method;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodFilter, MethodRouter, on};
use futures::StreamExt;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::broadcast::error::RecvError;

/// A plain route, declared once: the routers below are built from these declarations and
/// the authorization test calls every one of them ([`routes`]), so a route cannot escape it.
struct PlainRoute {
    method: Method,
    path: &'static str,
    handler: MethodRouter<Services>,
}

fn plain<H, T>(method: Method, path: &'static str, handler: H) -> PlainRoute
where
    H: axum::handler::Handler<T, Services>,
    T: 'static,
{
    let filter = MethodFilter::try_from(method.clone()).expect("a method axum routes");
    PlainRoute {
        method,
        path,
        handler: on(filter, handler),
    }
}

/// The upload, which gets its own body limit.
fn upload_routes() -> Vec<PlainRoute> {
    vec![
        plain(Method::POST, "/api/org/import", upload),
        plain(
            Method::POST,
            "/api/evaluation/periods/{id}/evaluators",
            evaluators_upload,
        ),
    ]
}

/// The downloads.
fn download_routes() -> Vec<PlainRoute> {
    vec![
        plain(
            Method::GET,
            "/api/org/import/{job}/problems.csv",
            problems_csv,
        ),
        plain(Method::GET, "/api/org/export", export),
        plain(Method::GET, "/api/org/template", template),
        plain(
            Method::GET,
            "/api/evaluation/periods/{id}/evaluators.csv",
            evaluators_download,
        ),
        plain(
            Method::GET,
            "/api/evaluation/periods/{id}/results.csv",
            results_download,
        ),
        plain(
            Method::GET,
            "/api/evaluation/periods/{id}/ratings.csv",
            ratings_download,
        ),
        plain(
            Method::GET,
            "/api/evaluation/sheets/{file}",
            sheet_pdf_download,
        ),
        plain(
            Method::GET,
            "/api/evaluation/pdf-jobs/{file}",
            pdf_job_download,
        ),
    ]
}

/// The live event stream, which must be left out of the request timeout.
fn events_routes() -> Vec<PlainRoute> {
    vec![plain(Method::GET, "/api/org/events", events)]
}

/// Every plain route here, as (method, path): what the authorization test calls.
pub fn routes() -> Vec<(Method, &'static str)> {
    [upload_routes(), download_routes(), events_routes()]
        .into_iter()
        .flatten()
        .map(|route| (route.method, route.path))
        .collect()
}

fn router_of<S: Clone + Send + Sync + 'static>(
    routes: Vec<PlainRoute>,
    services: Services,
) -> Router<S> {
    routes
        .into_iter()
        .fold(Router::new(), |router, route| {
            router.route(route.path, route.handler)
        })
        .with_state(services)
}

/// How often a live stream checks that its session is still alive.
const SESSION_CHECK: Duration = Duration::from_secs(20);

/// The upload route, which gets its own body limit.
pub fn upload_router<S: Clone + Send + Sync + 'static>(services: Services) -> Router<S> {
    router_of(upload_routes(), services)
}

/// The download routes.
pub fn download_router<S: Clone + Send + Sync + 'static>(services: Services) -> Router<S> {
    router_of(download_routes(), services)
}

/// The live event stream, which must be left out of the request timeout.
pub fn events_router<S: Clone + Send + Sync + 'static>(services: Services) -> Router<S> {
    router_of(events_routes(), services)
}

/// An error as the server functions answer it: its status, the serialized `AppError`.
fn error_response(error: AppError) -> Response {
    let status = StatusCode::from_u16(error.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, axum::Json(error)).into_response()
}

/// The language of a plain route's reader: the cookie's, else the browser's.
fn reader_language(parts: &http::request::Parts) -> Lang {
    let header_of = |name| {
        parts
            .headers
            .get(name)
            .and_then(|v: &HeaderValue| v.to_str().ok())
    };
    Lang::negotiate(
        header_of(header::COOKIE),
        header_of(header::ACCEPT_LANGUAGE),
    )
}

/// An error for a download link: plain text the reader can read, in their language.
fn download_error(error: AppError, parts: &http::request::Parts) -> Response {
    let status = StatusCode::from_u16(error.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let lang = reader_language(parts);
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        error.message(lang),
    )
        .into_response()
}

/// The request's context after `authorize` allowed `action` on the caller's tenant.
async fn authorized(
    parts: &http::request::Parts,
    services: Services,
    action: Action,
) -> Result<RequestContext, AppError> {
    let ctx = RequestContext::from_parts(parts, services).await?;
    ctx.authorize_on_tenant(action).await?;
    Ok(ctx)
}

/// `POST /api/org/import?kind=employees&invite=true&name=…` with the file as the body:
/// starts checking it and answers `{"job": "…"}`. The session and the permission are
/// checked, and a place among the uploads under way is taken, before a byte of the body is
/// read; the body goes to a file as it arrives.
async fn upload(
    State(services): State<Services>,
    Query(query): Query<HashMap<String, String>>,
    request: axum::extract::Request,
) -> Response {
    let (parts, body) = request.into_parts();
    let result = async {
        let ctx = authorized(&parts, services, Action::ImportOrganization).await?;
        let kind = query
            .get("kind")
            .and_then(|k| CsvKind::parse(k))
            .ok_or_else(|| {
                AppError::invalid(FormField::Kind, crate::domain::problem::Problem::NoFileKind)
            })?;
        let invite = query.get("invite").is_none_or(|v| v != "false");
        let name = query.get("name").map_or("", String::as_str);
        let actor = ctx
            .user
            .as_ref()
            .ok_or(AppError::Unauthenticated)?
            .subject
            .clone();
        let imports = ctx.imports()?;
        let slot = imports.reserve_upload(&actor.user)?;
        let file = match imports.receive(body.into_data_stream()).await {
            Ok(file) => file,
            Err(org_import::ReceiveError::TooLarge) => return Ok(Err(too_large(&parts))),
            // Nobody is left to read an answer; nothing was kept.
            Err(org_import::ReceiveError::Interrupted) => {
                return Ok(Err(StatusCode::BAD_REQUEST.into_response()));
            }
            Err(org_import::ReceiveError::Failed(error)) => {
                return Err(AppError::internal("import upload", error));
            }
        };
        let upload = org_import::Upload {
            kind,
            file_name: name.to_owned(),
            file,
            invite,
            slot,
        };
        let job = imports.start(ctx.job_services(), &actor, upload);
        Ok::<_, AppError>(Ok(job))
    }
    .await;
    match result {
        Ok(Ok(job)) => axum::Json(serde_json::json!({ "job": job })).into_response(),
        Ok(Err(response)) => response,
        Err(error) => error_response(error),
    }
}

/// The largest evaluators file: 100,000 rows of four codes fit well under it.
const EVALUATORS_LIMIT_BYTES: usize = 16 * 1024 * 1024;

/// `POST /api/evaluation/periods/{id}/evaluators?apply=true` with a CSV of evaluators as
/// the body: answers every problem with its row (`EvaluatorFileReport`); with `apply` and
/// no problem, the choices are written, all at once.
async fn evaluators_upload(
    State(services): State<Services>,
    Path(id): Path<String>,
    Query(query): Query<HashMap<String, String>>,
    request: axum::extract::Request,
) -> Response {
    let (parts, body) = request.into_parts();
    let result = async {
        let ctx = authorized(&parts, services, Action::ManageEvaluationSetup).await?;
        let admin = ctx.user.clone().ok_or(AppError::Unauthenticated)?;
        let period = crate::domain::ids::PeriodId::from_request(&id)?;
        let bytes = match axum::body::to_bytes(body, EVALUATORS_LIMIT_BYTES).await {
            Ok(bytes) => bytes,
            Err(_) => return Ok(Err(too_large(&parts))),
        };
        let apply = query.get("apply").is_some_and(|v| v == "true");
        let report = crate::backend::evaluation::periods::import_evaluators(
            &ctx.write_as(&admin),
            &period,
            &bytes,
            apply,
        )
        .await?;
        Ok::<_, AppError>(Ok(report))
    }
    .await;
    match result {
        Ok(Ok(report)) => axum::Json(report).into_response(),
        Ok(Err(response)) => response,
        Err(error) => error_response(error),
    }
}

/// `GET /api/evaluation/periods/{id}/evaluators.csv?encoding=sjis|utf8`: a draft's people
/// with their evaluators, in the format the upload above reads back. For those who set
/// evaluation up (not business admins, who read the first people on the page): it lists
/// the whole population.
async fn evaluators_download(
    State(services): State<Services>,
    Path(id): Path<String>,
    Query(query): Query<HashMap<String, String>>,
    parts: http::request::Parts,
) -> Response {
    let result = async {
        let ctx = authorized(&parts, services, Action::ManageEvaluationSetup).await?;
        let period = crate::domain::ids::PeriodId::from_request(&id)?;
        let (encoding, suffix) = download_encoding(&query);
        let bytes = crate::backend::evaluation::periods::evaluators_csv(
            &ctx.db,
            ctx.tenant()?,
            &period,
            encoding,
        )
        .await?;
        let name = format!("evaluators-{}-{suffix}.csv", today(&ctx).await?);
        Ok::<_, AppError>((bytes, name))
    }
    .await;
    match result {
        Ok((bytes, name)) => csv_file(bytes, &name),
        Err(error) => download_error(error, &parts),
    }
}

/// `GET /api/evaluation/periods/{id}/results.csv?encoding=sjis|utf8`: one row per sheet.
async fn results_download(
    State(services): State<Services>,
    Path(id): Path<String>,
    Query(query): Query<HashMap<String, String>>,
    parts: http::request::Parts,
) -> Response {
    let file = crate::backend::evaluation::results::ResultsFile::Results;
    results_file_download(services, id, query, parts, file).await
}

/// `GET /api/evaluation/periods/{id}/ratings.csv?encoding=sjis|utf8`: one row per rating.
async fn ratings_download(
    State(services): State<Services>,
    Path(id): Path<String>,
    Query(query): Query<HashMap<String, String>>,
    parts: http::request::Parts,
) -> Response {
    let file = crate::backend::evaluation::results::ResultsFile::Ratings;
    results_file_download(services, id, query, parts, file).await
}

/// A period's results file for HR staff: evaluation admins get every sheet, business
/// admins the people of their scope.
async fn results_file_download(
    services: Services,
    id: String,
    query: HashMap<String, String>,
    parts: http::request::Parts,
    file: crate::backend::evaluation::results::ResultsFile,
) -> Response {
    let result = async {
        let ctx = authorized(&parts, services, Action::ExportResults).await?;
        let user = ctx.user.as_ref().ok_or(AppError::Unauthenticated)?;
        let tenant = &user.subject.tenant;
        let period = crate::domain::ids::PeriodId::from_request(&id)?;
        let everyone = ctx.allows(
            Action::ManageEvaluationSetup,
            crate::domain::permissions::Target::Tenant(tenant),
        );
        let scope = if everyone {
            None
        } else {
            Some(
                crate::backend::evaluation::periods::people_in_business_scope(
                    &ctx.db,
                    tenant,
                    &user.subject.user,
                )
                .await?,
            )
        };
        let (encoding, suffix) = download_encoding(&query);
        let bytes = crate::backend::evaluation::results::results_file(
            &ctx.write_as(user),
            &period,
            scope.as_ref(),
            file,
            encoding,
        )
        .await?;
        let name = format!("{}-{}-{suffix}.csv", file.name(), today(&ctx).await?);
        Ok::<_, AppError>((bytes, name))
    }
    .await;
    match result {
        Ok((bytes, name)) => csv_file(bytes, &name),
        Err(error) => download_error(error, &parts),
    }
}

/// `GET /api/evaluation/sheets/{id}.pdf`: the sheet as its reader may see it, on A4 with
/// Japanese fonts, in the reader's language. Whoever may open the sheet may take it.
async fn sheet_pdf_download(
    State(services): State<Services>,
    Path(file): Path<String>,
    parts: http::request::Parts,
) -> Response {
    let result = async {
        let id = file.strip_suffix(".pdf").ok_or(AppError::NotFound)?;
        let id = crate::domain::ids::SheetId::from_request(id)?;
        let ctx = RequestContext::from_parts(&parts, services).await?;
        let user = ctx.user.as_ref().ok_or(AppError::Unauthenticated)?;
        let relations =
            crate::backend::evaluation::sheets::relations_for(&ctx.db, user, &id).await?;
        let user = ctx
            .authorize(
                Action::ViewSheet,
                crate::domain::permissions::Target::Sheet {
                    tenant: &user.subject.tenant,
                    relations: &relations,
                },
            )
            .await?
            .clone();
        let bytes = crate::backend::evaluation::sheet_pdf::sheet_pdf(
            &ctx.write_as(&user),
            &id,
            relations,
            reader_language(&parts),
        )
        .await?;
        Ok::<_, AppError>((bytes, format!("sheet-{id}.pdf")))
    }
    .await;
    match result {
        Ok((bytes, name)) => (
            [
                (header::CONTENT_TYPE, "application/pdf".to_owned()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("inline; filename=\"{name}\""),
                ),
                (header::CACHE_CONTROL, "no-store".to_owned()),
            ],
            bytes,
        )
            .into_response(),
        Err(error) => download_error(error, &parts),
    }
}

/// `GET /api/evaluation/pdf-jobs/{id}.zip`: a finished bulk PDF job's file, for the one
/// who started it, streamed from disk.
async fn pdf_job_download(
    State(services): State<Services>,
    Path(file): Path<String>,
    parts: http::request::Parts,
) -> Response {
    let result = async {
        let id = file
            .strip_suffix(".zip")
            .ok_or(AppError::NotFound)?
            .to_owned();
        let ctx = authorized(&parts, services, Action::ExportResults).await?;
        let user = ctx.user.as_ref().ok_or(AppError::Unauthenticated)?;
        let path = ctx
            .pdf_jobs()?
            .file(&user.subject.tenant, &user.subject.user, &id)
            .ok_or(AppError::NotFound)?;
        let file = tokio::fs::File::open(&path)
            .await
            .map_err(|_| AppError::NotFound)?;
        let name = format!("sheets-{}.zip", today(&ctx).await?);
        Ok::<_, AppError>((file, name))
    }
    .await;
    match result {
        Ok((file, name)) => (
            [
                (header::CONTENT_TYPE, "application/zip".to_owned()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{name}\""),
                ),
                (header::CACHE_CONTROL, "no-store".to_owned()),
            ],
            axum::body::Body::from_stream(tokio_util::io::ReaderStream::new(file)),
        )
            .into_response(),
        Err(error) => download_error(error, &parts),
    }
}

/// 413 for a file over `KOUKA_IMPORT_LIMIT_BYTES`, in the reader's language.
fn too_large(parts: &http::request::Parts) -> Response {
    let lang = reader_language(parts);
    (
        StatusCode::PAYLOAD_TOO_LARGE,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        crate::i18n::texts(lang).error_file_too_large,
    )
        .into_response()
}

/// A download's `encoding=sjis|utf8` (UTF-8 with BOM unless Shift_JIS is asked for), and
/// the file name's suffix for it.
fn download_encoding(query: &HashMap<String, String>) -> (Encoding, &'static str) {
    match query.get("encoding").map(String::as_str) {
        Some("sjis") => (Encoding::ShiftJis, "sjis"),
        _ => (Encoding::Utf8Bom, "utf8"),
    }
}

/// A CSV download with a name to save it under.
fn csv_file(bytes: Vec<u8>, file_name: &str) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/csv".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file_name}\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        bytes,
    )
        .into_response()
}

/// Today in the tenant's zone, for file names: `20261127`.
async fn today(ctx: &RequestContext) -> Result<String, AppError> {
    let tenant = ctx.tenant()?;
    let mut tx = ctx.db.begin_for_tenant(tenant).await?;
    let zone = crate::backend::users::tenant_zone(&mut tx, tenant).await?;
    tx.commit().await?;
    let shown = ctx.now.format_in_zone(&zone);
    Ok(shown.get(..10).unwrap_or_default().replace('-', ""))
}

/// `GET /api/org/import/{job}/problems.csv`: every problem of an import's check.
async fn problems_csv(
    State(services): State<Services>,
    Path(job): Path<String>,
    parts: http::request::Parts,
) -> Response {
    let result = async {
        let ctx = authorized(&parts, services, Action::ImportOrganization).await?;
        let lang = ctx.user.as_ref().map(|u| u.language).unwrap_or_default();
        let tenant = ctx.tenant()?;
        ctx.imports()?
            .problems_csv(tenant, &job, lang)
            .ok_or(AppError::NotFound)
    }
    .await;
    match result {
        Ok(bytes) => csv_file(bytes, "import-problems.csv"),
        Err(error) => download_error(error, &parts),
    }
}

/// `GET /api/org/export?kind=employees&encoding=sjis|utf8`: the tenant's data in the
/// import's format.
async fn export(
    State(services): State<Services>,
    Query(query): Query<HashMap<String, String>>,
    parts: http::request::Parts,
) -> Response {
    let result = async {
        let ctx = authorized(&parts, services, Action::ExportOrganization).await?;
        let kind = query
            .get("kind")
            .and_then(|k| CsvKind::parse(k))
            .ok_or(AppError::NotFound)?;
        let (encoding, suffix) = download_encoding(&query);
        let bytes = org_import::export_csv(&ctx.db, ctx.tenant()?, kind, encoding).await?;
        let name = format!("{}-{}-{suffix}.csv", kind.as_str(), today(&ctx).await?);
        Ok::<_, AppError>((bytes, name))
    }
    .await;
    match result {
        Ok((bytes, name)) => csv_file(bytes, &name),
        Err(error) => download_error(error, &parts),
    }
}

/// `GET /api/org/template?kind=departments`: the header row to fill in.
async fn template(
    State(services): State<Services>,
    Query(query): Query<HashMap<String, String>>,
    parts: http::request::Parts,
) -> Response {
    let result = async {
        authorized(&parts, services, Action::ImportOrganization).await?;
        query
            .get("kind")
            .and_then(|k| CsvKind::parse(k))
            .ok_or(AppError::NotFound)
    }
    .await;
    match result {
        Ok(kind) => csv_file(
            org_import::template_csv(kind),
            &format!("{}-template.csv", kind.as_str()),
        ),
        Err(error) => download_error(error, &parts),
    }
}

/// `GET /api/org/events`: server-sent events of the caller's tenant's org chart, each an
/// [`OrgEvent`] as JSON. Ends when the session does.
async fn events(State(services): State<Services>, parts: http::request::Parts) -> Response {
    let ctx = match authorized(&parts, services, Action::ViewOrgChart).await {
        Ok(ctx) => ctx,
        Err(error) => return error_response(error),
    };
    let (Some(hub), Some(secret), Ok(tenant)) = (
        ctx.org_events().cloned(),
        ctx.session_secret.clone(),
        ctx.tenant().cloned(),
    ) else {
        return error_response(AppError::internal("org events", "no hub"));
    };
    let db = ctx.db.clone();
    // Subscribed before the revision is read: a change committed in between is both
    // counted in it and delivered after it, never neither.
    let receiver = hub.subscribe();
    let revision = match crate::backend::org::current_revision(&db, &tenant).await {
        Ok(revision) => revision,
        Err(error) => return error_response(error),
    };
    let closing = hub.closing();
    let mut check = tokio::time::interval(SESSION_CHECK);
    check.reset();
    let state = (receiver, check, db, secret, tenant, closing, false);
    let changes = futures::stream::unfold(state, |mut state| async move {
        let (receiver, check, db, secret, tenant, closing, ended) = &mut state;
        if *ended || *closing.borrow() {
            return None;
        }
        loop {
            tokio::select! {
                // The server is shutting down: end the stream (the browser reconnects to
                // whichever server answers next).
                _ = closing.changed() => return None,
                received = receiver.recv() => {
                    let event = match received {
                        Ok((for_tenant, event)) => {
                            if for_tenant.as_ref().is_some_and(|t| t != tenant) {
                                continue;
                            }
                            event
                        }
                        // Missed some: the browser reloads the chart.
                        Err(RecvError::Lagged(_)) => Arc::new(OrgEvent::Reload { revision: 0 }),
                        Err(RecvError::Closed) => return None,
                    };
                    let sse = Event::default()
                        .json_data(&*event)
                        .unwrap_or_else(|_| Event::default().comment("unserializable"));
                    return Some((Ok::<_, std::convert::Infallible>(sse), state));
                }
                _ = check.tick() => {
                    let alive = matches!(
                        sessions::check(db, secret, crate::domain::time::Timestamp::now()).await,
                        Ok(Some(_))
                    );
                    if !alive {
                        // Tell the page, then end the stream.
                        *ended = true;
                        let bye = Event::default().event("signed-out").data("");
                        return Some((Ok(bye), state));
                    }
                }
            }
        }
    });
    let first = Event::default()
        .json_data(OrgEvent::Current { revision })
        .unwrap_or_else(|_| Event::default().comment("unserializable"));
    let stream = futures::stream::once(async move { Ok(first) }).chain(changes);
    let mut response = Sse::new(stream)
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
        .into_response();
    // Proxies must not buffer the stream.
    response
        .headers_mut()
        .insert("x-accel-buffering", HeaderValue::from_static("no"));
    response
}
