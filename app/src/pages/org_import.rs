//! Importing and exporting departments and employees as CSV (`/org/import`), for system
//! and organization admins. The upload is checked first (progress shown phase by phase),
//! every problem is listed by line and column and offered as a CSV, and only a clean file
//! can be written — all of it, in one transaction.

use crate::api::org_import::{commit_import, get_import_status};
use crate::components::browser::sleep;
use crate::components::forms::{Notice, NoticeLine};
use crate::components::gate::{Gate, Need};
use crate::components::mail_queue::MailQueueNote;
use crate::components::page_title::PageTitle;
#[cfg(feature = "hydrate")]
use crate::domain::form_field::FormField;
use crate::domain::org_csv::{
    CsvKind, ImportCounts, ImportPhase, ImportProblem, ImportState, ImportStatus,
};
use crate::i18n::{Lang, Texts, use_lang, use_texts};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;

fn kind_name(kind: CsvKind, t: &'static Texts) -> &'static str {
    match kind {
        CsvKind::Departments => t.kind_departments,
        CsvKind::Employees => t.kind_employees,
    }
}

fn phase_name(phase: ImportPhase, t: &'static Texts) -> &'static str {
    match phase {
        ImportPhase::Parse => t.phase_parse,
        ImportPhase::Validate => t.phase_validate,
        ImportPhase::Write => t.phase_write,
    }
}

/// Where the page stands.
#[derive(Clone, Debug, PartialEq)]
enum Stage {
    Choosing,
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    Uploading,
    Job(ImportStatus),
}

/// Polls a job until it stops working.
async fn follow(job: String, stage: RwSignal<Stage>, notice: RwSignal<Option<Notice>>) {
    loop {
        match get_import_status(job.clone()).await {
            Ok(status) => {
                let working = matches!(status.state, ImportState::Working { .. });
                stage.set(Stage::Job(status));
                if !working {
                    return;
                }
            }
            Err(error) => {
                notice.set(Some(Notice::Failed(error)));
                stage.set(Stage::Choosing);
                return;
            }
        }
        sleep(250).await;
    }
}

/// Behind the gate: built only for a reader who may use it.
#[component]
pub fn OrgImportPage() -> impl IntoView {
    view! {
        <Gate need=Need::OrganizationAdmin>
            <OrgImportContent />
        </Gate>
    }
}

#[component]
fn OrgImportContent() -> impl IntoView {
    let t = use_texts();
    let stage = RwSignal::new(Stage::Choosing);
    let notice = RwSignal::new(None::<Notice>);
    let kind = RwSignal::new(CsvKind::Departments);
    let invite = RwSignal::new(true);
    let file_ref = NodeRef::<leptos::html::Input>::new();

    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        notice.set(None);
        start_upload(
            file_ref,
            kind.get_untracked(),
            invite.get_untracked(),
            stage,
            notice,
        );
    };
    let commit = move |job: String| {
        notice.set(None);
        spawn_local(async move {
            match commit_import(job.clone()).await {
                Ok(()) => follow(job, stage, notice).await,
                Err(error) => notice.set(Some(Notice::Failed(error))),
            }
        });
    };

    view! {
        <PageTitle pick=|t| t.import_title />
        <div class="page-head">
            <h1>{move || t().import_title}</h1>
            <nav class="page-head__links" aria-label=move || t().import_title>
                <A href="/org">{move || t().nav_org}</A>
                <A href="/manual/admin#csv">{move || t().nav_manual}</A>
            </nav>
        </div>
        <p class="lead">{move || t().import_lead}</p>
        <section class="card" aria-labelledby="import-title">
            <h2 id="import-title">{move || t().nav_org_import}</h2>
            <form class="form" on:submit=submit>
                <fieldset class="choices">
                    <legend>{move || t().import_kind}</legend>
                    {CsvKind::ALL
                        .into_iter()
                        .map(|k| {
                            let id = format!("kind-{}", k.as_str());
                            let label_for = id.clone();
                            view! {
                                <label class="checkbox" for=label_for>
                                    <input
                                        type="radio"
                                        id=id
                                        name="kind"
                                        prop:checked=move || kind.get() == k
                                        on:change=move |_| kind.set(k)
                                    />
                                    {move || kind_name(k, t())}
                                </label>
                            }
                        })
                        .collect_view()}
                </fieldset>
                <div class="field">
                    <label for="import-file">{move || t().import_file}</label>
                    <input id="import-file" type="file" accept=".csv,text/csv" node_ref=file_ref required />
                </div>
                <Show when=move || kind.get() == CsvKind::Employees>
                    <label class="checkbox" for="import-invite">
                        <input
                            type="checkbox"
                            id="import-invite"
                            prop:checked=move || invite.get()
                            on:change=move |ev| invite.set(event_target_checked(&ev))
                        />
                        {move || t().import_invite}
                    </label>
                </Show>
                <button
                    class="button button--primary"
                    type="submit"
                    disabled=move || matches!(stage.get(), Stage::Uploading | Stage::Job(ImportStatus { state: ImportState::Working { .. }, .. }))
                >
                    {move || t().import_check}
                </button>
            </form>
            <NoticeLine notice />
            {move || match stage.get() {
                Stage::Choosing => ().into_any(),
                Stage::Uploading => view! { <p role="status">{t().import_uploading}</p> }.into_any(),
                Stage::Job(status) => view! { <JobView status commit /> }.into_any(),
            }}
        </section>
        <ExportCard />
    }
}

/// Sends the chosen file and follows the job it starts.
fn start_upload(
    file_ref: NodeRef<leptos::html::Input>,
    kind: CsvKind,
    invite: bool,
    stage: RwSignal<Stage>,
    notice: RwSignal<Option<Notice>>,
) {
    #[cfg(feature = "hydrate")]
    {
        use crate::components::browser::{post_file, urlencode};
        use crate::error::AppError;
        let file = file_ref
            .get_untracked()
            .and_then(|input| input.files())
            .and_then(|files| files.get(0));
        let Some(file) = file else {
            notice.set(Some(Notice::Failed(AppError::invalid(
                FormField::Import,
                crate::domain::problem::Problem::NoFileChosen,
            ))));
            return;
        };
        stage.set(Stage::Uploading);
        let url = format!(
            "/api/org/import?kind={}&invite={invite}&name={}",
            kind.as_str(),
            urlencode(&file.name())
        );
        spawn_local(async move {
            match post_file(&url, &file).await {
                Ok(answer) => match answer["job"].as_str() {
                    Some(job) => follow(job.to_owned(), stage, notice).await,
                    None => {
                        notice.set(Some(Notice::Failed(AppError::Internal)));
                        stage.set(Stage::Choosing);
                    }
                },
                Err(error) => {
                    notice.set(Some(Notice::Failed(error)));
                    stage.set(Stage::Choosing);
                }
            }
        });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (file_ref, kind, invite, stage, notice);
}

#[component]
fn JobView(
    status: ImportStatus,
    commit: impl Fn(String) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let t = use_texts();
    let job = status.job.clone();
    let heading = move || {
        format!(
            "{}{}{}",
            kind_name(status.kind, t()),
            t().punct_colon,
            status.file_name
        )
    };
    let body = match status.state {
        ImportState::Working { phase, done, total } => {
            let steps = [
                ImportPhase::Parse,
                ImportPhase::Validate,
                ImportPhase::Write,
            ];
            view! {
                <ol class="phases">
                    {steps
                        .into_iter()
                        .map(|step| {
                            let state = if step == phase {
                                "current"
                            } else if (step as u8) < (phase as u8) {
                                "done"
                            } else {
                                "todo"
                            };
                            view! {
                                <li class=format!("phases__step phases__step--{state}") aria-current=(state == "current").then_some("step")>
                                    {move || phase_name(step, t())}
                                </li>
                            }
                        })
                        .collect_view()}
                </ol>
                <div role="status">
                    <label for="import-progress">{move || phase_name(phase, t())}</label>
                    <progress id="import-progress" max=total.max(1) value=done></progress>
                    <span class="meta">
                        {move || (t().import_progress)(done, total)}
                    </span>
                </div>
            }
                .into_any()
        }
        ImportState::Previewed {
            problems,
            problem_count,
            ..
        } if problem_count > 0 => {
            let more = problem_count.saturating_sub(problems.len());
            view! {
                <p class="form-error" role="alert">
                    {move || crate::i18n::counted(t().import_problems, problem_count as i64)}
                </p>
                <p>
                    <a class="button" href=format!("/api/org/import/{job}/problems.csv") download="import-problems.csv">
                        {move || t().import_problems_download}
                    </a>
                </p>
                <ProblemTable kind=status.kind problems />
                {(more > 0).then(|| view! { <p class="meta">{move || crate::i18n::counted(t().import_problems_more, more as i64)}</p> })}
            }
                .into_any()
        }
        ImportState::Previewed {
            counts,
            warnings,
            warning_count,
            ..
        } => {
            let job = job.clone();
            let more = warning_count.saturating_sub(warnings.len());
            let warnings = (warning_count > 0).then(|| {
                view! {
                    <p class="form-warning" role="status">
                        {move || crate::i18n::counted(t().import_warnings, warning_count as i64)}
                    </p>
                    <ProblemTable kind=status.kind problems=warnings />
                    {(more > 0).then(|| view! { <p class="meta">{move || crate::i18n::counted(t().import_warnings_more, more as i64)}</p> })}
                }
            });
            view! {
                <p role="status">{move || t().import_ready}</p>
                {warnings}
                <Counts counts />
                <button type="button" class="button button--primary" on:click=move |_| commit(job.clone())>
                    {move || t().import_commit}
                </button>
            }
                .into_any()
        }
        ImportState::Committed { counts } => view! {
            <p class="form-success" role="status">{move || t().import_done}</p>
            <Counts counts />
            <MailQueueNote />
            <p><A href="/org">{move || t().nav_org}</A></p>
        }
        .into_any(),
    };
    view! {
        <div class="import-job">
            <h3>{heading}</h3>
            {body}
        </div>
    }
}

/// Problems or warnings of a check, by row, column, value and reason.
#[component]
fn ProblemTable(kind: CsvKind, problems: Vec<ImportProblem>) -> impl IntoView {
    let t = use_texts();
    let lang = use_lang();
    let rows = problems
        .into_iter()
        .map(|p| {
            let column = p.column.clone();
            let column_name = move || {
                column
                    .as_deref()
                    .and_then(|key| kind.column(key))
                    .map(|c| if lang.get() == Lang::Ja { c.ja } else { c.en })
                    .unwrap_or("-")
            };
            let problem = p.problem.clone();
            view! {
                <tr>
                    <td>{if p.line == 0 { "-".to_owned() } else { p.line.to_string() }}</td>
                    <td>{column_name}</td>
                    <td class="cell-value">{p.value.clone()}</td>
                    <td>{move || problem.text(lang.get())}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-wrap" tabindex="0" role="region" aria-label=move || t().table_region>
            <table class="table table--prose problems">
                <thead>
                    <tr>
                        <th scope="col">{move || t().col_line}</th>
                        <th scope="col">{move || t().col_column}</th>
                        <th scope="col">{move || t().col_value}</th>
                        <th scope="col">{move || t().col_reason}</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}

#[component]
fn Counts(counts: ImportCounts) -> impl IntoView {
    let t = use_texts();
    let line = move |text: fn(&Texts) -> &'static str, n: usize| {
        move || crate::i18n::counted(text(t()), n as i64)
    };
    view! {
        <ul class="counts">
            <li>{line(|t| t.import_added, counts.added)}</li>
            <li>{line(|t| t.import_changed, counts.changed)}</li>
            <li>{line(|t| t.import_unchanged, counts.unchanged)}</li>
            <li>{line(|t| t.import_not_in_file, counts.not_in_file)}</li>
            {(counts.invitations > 0).then(|| view! { <li>{line(|t| t.import_invitations, counts.invitations)}</li> })}
        </ul>
    }
}

/// Export links and the templates: plain downloads.
#[component]
fn ExportCard() -> impl IntoView {
    let t = use_texts();
    let encoding = RwSignal::new("sjis");
    view! {
        <section class="card" aria-labelledby="export-title">
            <h2 id="export-title">{move || t().export_title}</h2>
            <p>{move || t().export_lead}</p>
            <fieldset class="choices">
                <legend>{move || t().export_encoding}</legend>
                {[("sjis", 0), ("utf8", 1)]
                    .into_iter()
                    .map(|(value, _)| {
                        let id = format!("encoding-{value}");
                        let label_for = id.clone();
                        view! {
                            <label class="checkbox" for=label_for>
                                <input
                                    type="radio"
                                    id=id
                                    name="encoding"
                                    prop:checked=move || encoding.get() == value
                                    on:change=move |_| encoding.set(value)
                                />
                                {move || if value == "sjis" { t().encoding_sjis } else { t().encoding_utf8 }}
                            </label>
                        }
                    })
                    .collect_view()}
            </fieldset>
            <p class="actions">
                {CsvKind::ALL
                    .into_iter()
                    .map(|kind| view! {
                        <a
                            class="button"
                            href=move || format!("/api/org/export?kind={}&encoding={}", kind.as_str(), encoding.get())
                            download=""
                        >
                            {move || format!("{}{}{}{}", t().export_submit, t().punct_open, kind_name(kind, t()), t().punct_close)}
                        </a>
                    })
                    .collect_view()}
            </p>
            <h3>{move || t().templates_title}</h3>
            <p class="meta">{move || t().templates_lead}</p>
            <p class="actions">
                {CsvKind::ALL
                    .into_iter()
                    .map(|kind| view! {
                        <a class="button" href=format!("/api/org/template?kind={}", kind.as_str()) download="">
                            {move || (t().template_of)(kind_name(kind, t()))}
                        </a>
                    })
                    .collect_view()}
            </p>
        </section>
    }
}
