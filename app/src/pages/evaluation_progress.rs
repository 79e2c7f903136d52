//! 進捗 (`/evaluation/periods/{id}/progress`): how far a period's sheets have come, per
//! phase and per department (each with its subtree; a department opens to the ones below
//! it), who is late and at whose step, the final grades against the target, and the
//! reminders: sent by hand to the late people chosen, or by the period's schedule. The
//! page reads the server again every [`REFRESH_SECONDS`] seconds. What each reader sees is
//! the server's answer (`backend::evaluation::progress`): every sheet for admins, their
//! scope for business admins, the people they evaluate for anyone else.

use crate::api::progress::{
    RemindDone, get_progress, remind_late, set_reminders, sheet_pdfs_job, start_sheet_pdfs,
};
use crate::components::charts::{DistributionChart, PhaseChart};
use crate::components::forms::{Notice, NoticeLine, confirm, failed};
use crate::components::gate::{Gate, Need};
use crate::components::page_title::PageTitle;
use crate::domain::evaluation::progress::{
    DepartmentProgress, LateSheet, PdfJobView, ProgressView, Waiting,
};
use crate::domain::evaluation::reminders::{MAX_DAYS, ReminderKind, ReminderPlan};
use crate::domain::ids::SheetId;
use crate::i18n::periods::sheet_state_name;
use crate::i18n::reminder_mails::{self, Addressee, ReminderLine};
use crate::i18n::{Lang, in_lang, phase_name, stage_name, use_lang, use_texts};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;
use std::collections::BTreeSet;

/// How often the page reads the progress again.
pub const REFRESH_SECONDS: u64 = 20;

#[component]
pub fn ProgressPage() -> impl IntoView {
    view! {
        <Gate need=Need::SignedIn>
            <ProgressContent />
        </Gate>
    }
}

#[component]
fn ProgressContent() -> impl IntoView {
    let t = use_texts();
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    // The department looked at ("" for everything), and a tick that reads the page again.
    let department = RwSignal::new(String::new());
    let tick = RwSignal::new(0_u32);
    let notice = RwSignal::new(None::<Notice>);
    // Kept outside the part that is read again, so a refresh keeps what was chosen.
    let chosen = RwSignal::new(BTreeSet::<SheetId>::new());
    let copy_evaluators = RwSignal::new(false);
    let progress = Resource::new(
        move || (id(), department.get(), tick.get()),
        |(id, department, _)| get_progress(id, department),
    );
    Effect::new(move |_| {
        let handle = set_interval_with_handle(
            move || tick.update(|n| *n = n.wrapping_add(1)),
            std::time::Duration::from_secs(REFRESH_SECONDS),
        );
        on_cleanup(move || {
            if let Ok(handle) = handle {
                handle.clear();
            }
        });
    });
    view! {
        <PageTitle pick=|t| t.progress.title />
        <NoticeLine notice=notice />
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match progress.await {
                    Ok(view) => view! {
                        <Progress view department tick notice chosen copy_evaluators />
                    }.into_any(),
                    Err(error) => view! {
                        <p><A href="/evaluation/reviews">{move || t().progress.back_reviews}</A></p>
                        <NoticeLine notice=Signal::derive(move || failed(error.clone())) />
                    }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Progress(
    view: ProgressView,
    department: RwSignal<String>,
    tick: RwSignal<u32>,
    notice: RwSignal<Option<Notice>>,
    chosen: RwSignal<BTreeSet<SheetId>>,
    copy_evaluators: RwSignal<bool>,
) -> impl IntoView {
    let t = use_texts();
    let tally = view.tally.clone();
    let back = if view.whole_period || view.may_remind {
        (format!("/evaluation/periods/{}", view.period), true)
    } else {
        ("/evaluation/reviews".to_owned(), false)
    };
    let path = view.path.clone();
    let whole = view.whole_period;
    view! {
        <p>
            <A href=back.0>
                {move || if back.1 { t().progress.back_period } else { t().progress.back_reviews }}
            </A>
        </p>
        <h1>{(t().progress.heading)(&view.period_name)}</h1>
        <p class="lead">
            {move || if whole { t().progress.lead_all } else { t().progress.lead_part }}
            " "
            <span class="field__hint" aria-live="polite">
                {(t().progress.as_of)(&view.today.iso(), REFRESH_SECONDS)}
            </span>
        </p>
        <nav class="breadcrumbs" aria-label=move || t().progress.path_label>
            <button type="button" class="link-button" on:click=move |_| department.set(String::new())
                aria-current=move || path.is_empty().then_some("page")>
                {move || t().progress.everything}
            </button>
            {view.path.iter().map(|(id, name)| {
                let id = id.to_string();
                let current = view.department.as_ref().is_some_and(|d| d.as_str() == id);
                view! {
                    " › "
                    <button type="button" class="link-button" aria-current=current.then_some("page")
                        on:click=move |_| department.set(id.clone())>
                        {name.clone()}
                    </button>
                }
            }).collect_view()}
        </nav>
        <section class="card" aria-labelledby="progress-summary">
            <h2 id="progress-summary">{move || t().progress.summary_heading}</h2>
            <ul class="figures">
                <li><span class="figures__value">{tally.total}</span>" "{move || t().progress.sheets}</li>
                <li class:figures--late={tally.late > 0}>
                    <span class="figures__value">{tally.late}</span>" "{move || t().progress.late_sheets}
                </li>
                <li><span class="figures__value">{tally.excluded}</span>" "{move || t().progress.excluded}</li>
            </ul>
            <StateCounts tally=tally.clone() />
        </section>
        <section class="card" aria-labelledby="phase-heading">
            <h2 id="phase-heading">{move || t().progress.phase_heading}</h2>
            <PhaseChart tally=tally.clone() deadlines=view.deadlines.clone() />
        </section>
        <Departments below=view.below.clone() department />
        <LateList view=view.clone() chosen copy_evaluators notice tick />
        {(!view.grades.is_empty() && view.grades.iter().any(|b| b.count > 0)).then(|| {
            let graded = view.grades.iter().map(|b| b.count).sum::<usize>();
            view! {
                <section class="card" aria-labelledby="grades-heading">
                    <h2 id="grades-heading">{move || t().progress.grades_heading}</h2>
                    <DistributionChart bars=view.grades.clone() graded />
                </section>
            }
        })}
        {view.may_export.then(|| view! {
            <ResultFiles
                period=view.period.to_string()
                department=view.department.as_ref().map(|d| d.to_string()).unwrap_or_default()
                sheets=view.tally.total
            />
        })}
        {whole.then(|| view! { <AutoReminders view=view.clone() notice tick /> })}
        <SentList view=view.clone() />
    }
}

/// How many sheets are in each state, as a short list.
#[component]
fn StateCounts(tally: crate::domain::evaluation::progress::Tally) -> impl IntoView {
    let lang = use_lang();
    view! {
        <ul class="state-counts">
            {tally.states.into_iter().map(|(state, n)| view! {
                <li>{move || sheet_state_name(state, lang.get())}": "{n}</li>
            }).collect_view()}
        </ul>
    }
}

/// The departments one level down, each with its whole subtree's counts.
#[component]
fn Departments(below: Vec<DepartmentProgress>, department: RwSignal<String>) -> impl IntoView {
    let t = use_texts();
    let lang = use_lang();
    if below.is_empty() {
        return ().into_any();
    }
    let phases: Vec<_> = below[0].tally.phases.iter().map(|c| c.phase).collect();
    let heads = phases
        .iter()
        .map(|&phase| view! { <th scope="col" class="num">{move || in_lang(phase_name(phase), lang.get())}</th> })
        .collect_view();
    let rows = below
        .into_iter()
        .map(|row| {
            let name = if row.department.is_none() {
                t().progress.no_department.to_owned()
            } else {
                row.name.clone()
            };
            let cells = row
                .tally
                .phases
                .iter()
                .map(|c| {
                    let percent = row.tally.percent_done(c.phase);
                    view! { <td class="num">{format!("{}%", percent.normalize())}</td> }
                })
                .collect_view();
            let opener = match row.department.clone() {
                Some(id) => {
                    let id = id.to_string();
                    let label = name.clone();
                    view! {
                        <button type="button" class="link-button" on:click=move |_| department.set(id.clone())
                            aria-label=move || (t().progress.open_department)(&label)>
                            {name.clone()}
                        </button>
                        {row.has_below.then_some(" ›")}
                    }
                    .into_any()
                }
                None => view! { <span>{name}</span> }.into_any(),
            };
            view! {
                <tr class:row--over={row.tally.late > 0}>
                    <th scope="row">{opener}</th>
                    <td class="num">{row.tally.total}</td>
                    <td class="num">{row.tally.late}</td>
                    {cells}
                </tr>
            }
        })
        .collect_view();
    view! {
        <section class="card" aria-labelledby="departments-heading">
            <h2 id="departments-heading">{move || t().progress.departments_heading}</h2>
            <p class="field__hint">{move || t().progress.departments_hint}</p>
            <div class="table-wrap" tabindex="0" role="region" aria-labelledby="departments-heading">
                <table class="table">
                    <thead>
                        <tr>
                            <th scope="col">{move || t().progress.department}</th>
                            <th scope="col" class="num">{move || t().progress.sheets}</th>
                            <th scope="col" class="num">{move || t().progress.late}</th>
                            {heads}
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        </section>
    }
    .into_any()
}

/// Who is waited on, as the late list names them: `本人` or `一次評価者 山田 太郎`.
fn waiting_text(late: &LateSheet, lang: Lang) -> String {
    let t = crate::i18n::texts(lang);
    let name = late
        .late_person
        .as_ref()
        .map(|p| p.name.clone())
        .unwrap_or_default();
    match late.waiting {
        Waiting::Employee => t.progress.waiting_employee.to_owned(),
        Waiting::Evaluator(stage) => {
            format!(
                "{} {name}",
                (t.progress.waiting_evaluator)(&in_lang(stage_name(stage), lang))
            )
        }
        Waiting::Admins => t.progress.waiting_admins.to_owned(),
    }
}

/// The late sheets with the person each waits on; for HR staff, choosing some (or all)
/// and sending them a reminder after a preview.
#[component]
fn LateList(
    view: ProgressView,
    chosen: RwSignal<BTreeSet<SheetId>>,
    copy_evaluators: RwSignal<bool>,
    notice: RwSignal<Option<Notice>>,
    tick: RwSignal<u32>,
) -> impl IntoView {
    let t = use_texts();
    let lang = use_lang();
    let may_remind = view.may_remind;
    let late = view.late.clone();
    let shown: Vec<SheetId> = late.iter().map(|l| l.sheet.clone()).collect();
    // Only what is on the page now can be chosen (a refresh may have removed some).
    let chosen_now = {
        let shown = shown.clone();
        move || -> Vec<SheetId> {
            chosen
                .get()
                .into_iter()
                .filter(|s| shown.contains(s))
                .collect()
        }
    };
    let busy = RwSignal::new(false);
    let period = view.period.to_string();
    let send = {
        let chosen_now = chosen_now.clone();
        move |all: bool| {
            let sheets: Vec<SheetId> = if all { Vec::new() } else { chosen_now() };
            let count = if all { view.late_total } else { sheets.len() };
            if !confirm(&(t().progress.confirm_remind)(count)) {
                return;
            }
            let period = period.clone();
            let list = sheets
                .iter()
                .map(|s| s.to_string())
                .collect::<Vec<_>>()
                .join(",");
            busy.set(true);
            spawn_local(async move {
                let result = remind_late(period, list, copy_evaluators.get_untracked()).await;
                busy.set(false);
                match result {
                    Ok(RemindDone { sheets, mails }) => {
                        notice.set(Some(Notice::Done((t().progress.reminded)(sheets, mails))));
                        chosen.set(BTreeSet::new());
                        tick.update(|n| *n = n.wrapping_add(1));
                    }
                    Err(error) => notice.set(failed(error)),
                }
            });
        }
    };
    let send_chosen = {
        let send = send.clone();
        move |_| send(false)
    };
    let send_all = move |_| send(true);
    let all_chosen = {
        let shown = shown.clone();
        move || !shown.is_empty() && shown.iter().all(|s| chosen.get().contains(s))
    };
    let toggle_all = {
        let shown = shown.clone();
        move |ev: leptos::ev::Event| {
            let on = event_target_checked(&ev);
            chosen.update(|c| {
                for s in &shown {
                    if on {
                        c.insert(s.clone());
                    } else {
                        c.remove(s);
                    }
                }
            });
        }
    };
    // The preview: the mail the first chosen (else the first late) person would get.
    let preview_of = {
        let late = late.clone();
        let period_name = view.period_name.clone();
        move |lang: Lang| -> Option<(String, String)> {
            let picked = chosen.get();
            let first = late
                .iter()
                .find(|l| picked.contains(&l.sheet))
                .or_else(|| late.first())?;
            let recipient = first.late_person.as_ref()?;
            let lines: Vec<ReminderLine> = late
                .iter()
                .filter(|l| {
                    l.late_person.as_ref().map(|p| &p.id) == Some(&recipient.id)
                        && (picked.is_empty() || picked.contains(&l.sheet))
                })
                .map(|l| ReminderLine {
                    employee: l.employee.name.clone(),
                    state: l.state,
                    deadline: l.deadline,
                    link: format!("…/evaluation/sheets/{}", l.sheet),
                })
                .collect();
            Some((
                reminder_mails::subject(lang, &period_name, ReminderKind::Manual, Addressee::Due),
                reminder_mails::body(
                    lang,
                    &recipient.name,
                    &period_name,
                    ReminderKind::Manual,
                    Addressee::Due,
                    &lines,
                    Some(t().progress.preview_sender),
                ),
            ))
        }
    };
    let rows = late
        .clone()
        .into_iter()
        .map(|l| {
            let sheet = l.sheet.clone();
            let sheet_for_check = sheet.clone();
            let label = l.employee.name.clone();
            let l2 = l.clone();
            let l3 = l.clone();
            let name = l.employee.name.clone();
            let code = l.employee.employee_code.as_ref().map(|c| c.to_string()).unwrap_or_default();
            let days = l.days_late;
            let href = format!("/evaluation/sheets/{}", l.sheet);
            view! {
                <tr>
                    {may_remind.then(|| view! {
                        <td>
                            <input type="checkbox"
                                aria-label=move || (t().progress.choose)(&label)
                                prop:checked=move || chosen.get().contains(&sheet_for_check)
                                on:change=move |ev| {
                                    let on = event_target_checked(&ev);
                                    let sheet = sheet.clone();
                                    chosen.update(|c| { if on { c.insert(sheet); } else { c.remove(&sheet); } });
                                } />
                        </td>
                    })}
                    <th scope="row"><A href=href>{name}</A></th>
                    <td>{code}</td>
                    <td>{l.department.clone()}</td>
                    <td>{move || sheet_state_name(l2.state, lang.get())}</td>
                    <td>{move || waiting_text(&l3, lang.get())}</td>
                    <td>{l.deadline.iso()}</td>
                    <td class="num">{move || (t().progress.days_late)(days)}</td>
                </tr>
            }
        })
        .collect_view();
    let count_chosen = {
        let chosen_now = chosen_now.clone();
        move || chosen_now().len()
    };
    let count_chosen2 = count_chosen.clone();
    let late_total = view.late_total;
    let preview_ja = {
        let preview_of = preview_of.clone();
        move || preview_of(Lang::Ja)
    };
    let preview_en = move || preview_of(Lang::En);
    view! {
        <section class="card" aria-labelledby="late-heading">
            <h2 id="late-heading">{move || (t().progress.late_heading)(late_total)}</h2>
            {(late_total > view.late.len()).then(|| view! {
                <p class="field__hint">{(t().progress.late_more)(view.late.len(), late_total)}</p>
            })}
            {if view.late.is_empty() {
                view! { <p>{move || t().progress.nobody_late}</p> }.into_any()
            } else {
                view! {
                    <div class="table-wrap" tabindex="0" role="region" aria-labelledby="late-heading">
                        <table class="table">
                            <thead>
                                <tr>
                                    {may_remind.then(|| view! {
                                        <th scope="col">
                                            <input type="checkbox" aria-label=move || t().progress.choose_all
                                                prop:checked=all_chosen on:change=toggle_all />
                                        </th>
                                    })}
                                    <th scope="col">{move || t().progress.employee}</th>
                                    <th scope="col">{move || t().progress.code}</th>
                                    <th scope="col">{move || t().progress.department}</th>
                                    <th scope="col">{move || t().progress.state}</th>
                                    <th scope="col">{move || t().progress.waiting_on}</th>
                                    <th scope="col">{move || t().progress.deadline}</th>
                                    <th scope="col" class="num">{move || t().progress.overdue}</th>
                                </tr>
                            </thead>
                            <tbody>{rows}</tbody>
                        </table>
                    </div>
                }.into_any()
            }}
            {(may_remind && late_total > 0).then(|| view! {
                <div class="remind">
                    <h3>{move || t().progress.remind_heading}</h3>
                    <label class="check">
                        <input type="checkbox" prop:checked=move || copy_evaluators.get()
                            on:change=move |ev| copy_evaluators.set(event_target_checked(&ev)) />
                        " "{move || t().progress.copy_evaluators}
                    </label>
                    <details class="preview">
                        <summary>{move || t().progress.preview}</summary>
                        {move || preview_ja().map(|(subject, body)| view! {
                            <p class="preview__lang">"日本語"</p>
                            <p class="preview__subject">{subject}</p>
                            <pre class="preview__body">{body}</pre>
                        })}
                        {move || preview_en().map(|(subject, body)| view! {
                            <p class="preview__lang">"English"</p>
                            <p class="preview__subject">{subject}</p>
                            <pre class="preview__body">{body}</pre>
                        })}
                        <p class="field__hint">{move || t().progress.preview_hint}</p>
                    </details>
                    <div class="actions">
                        <button type="button" class="button button--primary" on:click=send_chosen
                            disabled=move || busy.get() || count_chosen() == 0>
                            {move || (t().progress.remind_chosen)(count_chosen2())}
                        </button>
                        <button type="button" class="button" on:click=send_all disabled=move || busy.get()>
                            {move || (t().progress.remind_all)(late_total)}
                        </button>
                    </div>
                </div>
            })}
        </section>
    }
}

/// The period's results as files, for HR staff (their scope's people for business admins).
#[component]
fn ResultFiles(period: String, department: String, sheets: usize) -> impl IntoView {
    let t = use_texts();
    let link = |file: &str, encoding: &str| {
        format!("/api/evaluation/periods/{period}/{file}.csv?encoding={encoding}")
    };
    let bulk = view! { <BulkPdfs period=period.clone() department sheets /> };
    view! {
        <section class="card" aria-labelledby="files-heading">
            <h2 id="files-heading">{move || t().progress.files_heading}</h2>
            <p class="field__hint">{move || t().progress.files_hint}</p>
            <ul class="links">
                <li>
                    {move || t().progress.results_file}": "
                    <a href=link("results", "sjis") download>"Shift_JIS"</a>" · "
                    <a href=link("results", "utf8") download>"UTF-8"</a>
                </li>
                <li>
                    {move || t().progress.ratings_file}": "
                    <a href=link("ratings", "sjis") download>"Shift_JIS"</a>" · "
                    <a href=link("ratings", "utf8") download>"UTF-8"</a>
                </li>
            </ul>
            {bulk}
        </section>
    }
}

/// The sheets shown, as PDFs in one ZIP made in the background: started here, followed
/// with its progress, and found again after a reload (the server keeps the job).
#[component]
fn BulkPdfs(period: String, department: String, sheets: usize) -> impl IntoView {
    let t = use_texts();
    let job = RwSignal::new(None::<PdfJobView>);
    let notice = RwSignal::new(None::<Notice>);
    let busy = RwSignal::new(false);
    // The job there may be already, then every two seconds while it runs.
    let poll = {
        let period = period.clone();
        move || {
            let period = period.clone();
            spawn_local(async move {
                if let Ok(found) = sheet_pdfs_job(period).await {
                    job.set(found);
                }
            });
        }
    };
    Effect::new({
        let poll = poll.clone();
        move |_| poll()
    });
    Effect::new({
        let poll = poll.clone();
        move |_| {
            let running = job.with(|j| j.as_ref().is_some_and(|j| !j.ready && !j.failed));
            if running {
                let poll = poll.clone();
                let handle = set_timeout_with_handle(poll, std::time::Duration::from_secs(2));
                on_cleanup(move || {
                    if let Ok(handle) = handle {
                        handle.clear();
                    }
                });
            }
        }
    });
    let start = move |_| {
        let (period, department) = (period.clone(), department.clone());
        busy.set(true);
        spawn_local(async move {
            let result = start_sheet_pdfs(period, department).await;
            busy.set(false);
            match result {
                Ok(started) => job.set(Some(started)),
                Err(error) => notice.set(failed(error)),
            }
        });
    };
    view! {
        <div class="bulk-pdfs">
            <h3>{move || t().progress.pdfs_heading}</h3>
            <p class="field__hint">{move || t().progress.pdfs_hint}</p>
            <NoticeLine notice=notice />
            <button type="button" class="button" on:click=start
                disabled=move || busy.get() || sheets == 0
                    || job.with(|j| j.as_ref().is_some_and(|j| !j.ready && !j.failed))>
                {move || (t().progress.pdfs_start)(sheets)}
            </button>
            {move || job.get().map(|j| {
                let href = format!("/api/evaluation/pdf-jobs/{}.zip", j.id);
                view! {
                    <p role="status" aria-live="polite">
                        <progress max=j.total.to_string() value=j.done.to_string()></progress>" "
                        {if j.failed {
                            t().progress.pdfs_failed.to_owned()
                        } else if j.ready {
                            (t().progress.pdfs_ready)(j.total, &format!("{:.1}", j.bytes as f64 / 1_048_576.0))
                        } else {
                            (t().progress.pdfs_running)(j.done, j.total)
                        }}
                        " "
                        {j.ready.then(|| view! { <a href=href download>{t().progress.pdfs_download}</a> })}
                    </p>
                }
            })}
        </div>
    }
}

/// The period's automatic reminders, for the evaluation admins.
#[component]
fn AutoReminders(
    view: ProgressView,
    notice: RwSignal<Option<Notice>>,
    tick: RwSignal<u32>,
) -> impl IntoView {
    let t = use_texts();
    let plan = view.reminders;
    let proposed = ReminderPlan::PROPOSED;
    let before_on = RwSignal::new(plan.days_before.is_some());
    let before = RwSignal::new(
        plan.days_before
            .or(proposed.days_before)
            .unwrap_or(3)
            .to_string(),
    );
    let on_day = RwSignal::new(plan.on_the_day);
    let escalate_on = RwSignal::new(plan.escalate_after.is_some());
    let escalate = RwSignal::new(
        plan.escalate_after
            .or(proposed.escalate_after)
            .unwrap_or(3)
            .to_string(),
    );
    let busy = RwSignal::new(false);
    let period = view.period.to_string();
    let version = view.version;
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        // A number out of range is sent as typed, and the server names the problem.
        let days = |on: bool, text: String| -> u8 {
            if on {
                text.trim().parse::<u8>().unwrap_or(u8::MAX)
            } else {
                0
            }
        };
        let before = days(before_on.get_untracked(), before.get_untracked());
        let escalate = days(escalate_on.get_untracked(), escalate.get_untracked());
        let period = period.clone();
        busy.set(true);
        spawn_local(async move {
            let result =
                set_reminders(period, version, before, on_day.get_untracked(), escalate).await;
            busy.set(false);
            match result {
                Ok(_) => {
                    notice.set(Some(Notice::Done(t().progress.reminders_saved.to_owned())));
                    tick.update(|n| *n = n.wrapping_add(1));
                }
                Err(error) => notice.set(failed(error)),
            }
        });
    };
    view! {
        <form class="card" on:submit=save aria-labelledby="auto-heading">
            <h2 id="auto-heading">{move || t().progress.auto_heading}</h2>
            <p class="field__hint">{move || t().progress.auto_hint}</p>
            <div class="field-row">
                <label class="check">
                    <input type="checkbox" prop:checked=move || before_on.get()
                        on:change=move |ev| before_on.set(event_target_checked(&ev)) />
                    " "{move || t().progress.before_label}
                </label>
                <input type="number" min="1" max=MAX_DAYS.to_string() class="input input--short"
                    aria-label=move || t().progress.before_days
                    prop:value=move || before.get() on:input=move |ev| before.set(event_target_value(&ev))
                    disabled=move || !before_on.get() />
            </div>
            <div class="field-row">
                <label class="check">
                    <input type="checkbox" prop:checked=move || on_day.get()
                        on:change=move |ev| on_day.set(event_target_checked(&ev)) />
                    " "{move || t().progress.on_day_label}
                </label>
            </div>
            <div class="field-row">
                <label class="check">
                    <input type="checkbox" prop:checked=move || escalate_on.get()
                        on:change=move |ev| escalate_on.set(event_target_checked(&ev)) />
                    " "{move || t().progress.escalate_label}
                </label>
                <input type="number" min="1" max=MAX_DAYS.to_string() class="input input--short"
                    aria-label=move || t().progress.escalate_days
                    prop:value=move || escalate.get() on:input=move |ev| escalate.set(event_target_value(&ev))
                    disabled=move || !escalate_on.get() />
            </div>
            <button type="submit" class="button" disabled=move || busy.get()>{move || t().progress.reminders_save}</button>
        </form>
    }
}

/// The reminders already sent for what is looked at.
#[component]
fn SentList(view: ProgressView) -> impl IntoView {
    let t = use_texts();
    let none_sent = view.sent.is_empty();
    let rows = view
        .sent
        .into_iter()
        .map(|s| {
            let kind = s.kind;
            let by = s.sent_by.map(|p| p.name);
            view! {
                <tr>
                    <td>{s.sent_at}</td>
                    <td>{move || (t().progress.kind_name)(kind)}</td>
                    <td>{s.recipient.name}</td>
                    <td>{s.employee.name}</td>
                    <td>{match by {
                        Some(name) => name.into_any(),
                        None => (move || t().progress.by_schedule).into_any(),
                    }}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section class="card" aria-labelledby="sent-heading">
            <h2 id="sent-heading">{move || t().progress.sent_heading}</h2>
            <div class="table-wrap" tabindex="0" role="region" aria-labelledby="sent-heading">
                <table class="table">
                    <thead>
                        <tr>
                            <th scope="col">{move || t().progress.sent_at}</th>
                            <th scope="col">{move || t().progress.kind}</th>
                            <th scope="col">{move || t().progress.recipient}</th>
                            <th scope="col">{move || t().progress.employee}</th>
                            <th scope="col">{move || t().progress.sent_by}</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
            {none_sent.then(|| view! { <p class="field__hint">{move || t().progress.none_sent}</p> })}
        </section>
    }
}
