//! Sheet templates (`/evaluation/templates`): the list, with copy and delete, and the
//! editor (`/evaluation/templates/new`, `/evaluation/templates/:id`) with its preview.
//! The editor holds a `TemplateDraft` (numbers as typed) and checks it on every keystroke
//! with the same `Template::check` the server runs before it saves: every problem shows
//! under its own field and, all together, above the save button. System and evaluation
//! admins edit; business admins read.

use crate::api::evaluation::{
    copy_template, create_template, delete_template, get_template, list_templates, update_template,
};
use crate::components::forms::{Notice, NoticeLine, confirm};
use crate::components::gate::{Gate, Need};
use crate::components::page_title::PageTitle;
use crate::domain::evaluation::scoring::percent;
use crate::domain::evaluation::template::{
    SectionKind, Template, TemplateIssue, TemplatePlace, TemplateSummary,
};
use crate::domain::evaluation::template_draft::{
    GradeDraft, ItemDraft, LevelDraft, SectionDraft, SectionKindChoice, TemplateDraft,
};
use crate::domain::problem::Problem;
use crate::i18n::evaluation::EvalTexts;
use crate::i18n::{Lang, use_lang, use_texts};
use crate::shell::use_signed_in_user;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_params_map};

/// Whether the reader may change templates (the server decides again on every call).
fn can_manage() -> Signal<bool> {
    let me = use_signed_in_user();
    Signal::derive(move || {
        me.get()
            .and_then(Result::ok)
            .flatten()
            .is_some_and(|user| user.can_manage_evaluation())
    })
}

/// A template problem in the reader's words, with where it is.
fn issue_text(issue: &TemplateIssue, lang: Lang) -> String {
    Problem::Template {
        at: issue.at,
        problem: issue.problem.clone(),
    }
    .text(lang)
}

// ---- the list ----------------------------------------------------------------------------

#[component]
pub fn TemplatesPage() -> impl IntoView {
    view! {
        <Gate need=Need::EvaluationReader>
            <TemplatesContent />
        </Gate>
    }
}

#[component]
fn TemplatesContent() -> impl IntoView {
    let t = use_texts();
    let manage = can_manage();
    let changed = RwSignal::new(0_u32);
    let templates = Resource::new(move || changed.get(), |_| list_templates());
    let notice = RwSignal::new(None::<Notice>);
    let rows = move |list: Vec<TemplateSummary>| {
        let e = t().eval;
        if list.is_empty() {
            return view! { <p>{e.templates_none}</p> }.into_any();
        }
        let rows = list
            .into_iter()
            .map(|row| {
                let id = row.id.to_string();
                let (copy_id, delete_id) = (id.clone(), id.clone());
                let name = row.name.clone();
                let version = row.version;
                let copy = move |_| {
                    let id = copy_id.clone();
                    spawn_local(async move {
                        match copy_template(id).await {
                            Ok(_) => {
                                notice.set(Some(Notice::Done(t().eval.template_copied.into())));
                                changed.update(|n| *n += 1);
                            }
                            Err(error) => notice.set(Some(Notice::Failed(error))),
                        }
                    });
                };
                let delete = move |_| {
                    if !confirm(&(t().eval.template_delete_confirm)(&name)) {
                        return;
                    }
                    let id = delete_id.clone();
                    spawn_local(async move {
                        match delete_template(id, version).await {
                            Ok(()) => {
                                notice.set(Some(Notice::Done(t().eval.template_deleted.into())));
                                changed.update(|n| *n += 1);
                            }
                            Err(error) => notice.set(Some(Notice::Failed(error))),
                        }
                    });
                };
                view! {
                    <tr>
                        <td><A href=format!("/evaluation/templates/{id}")>{row.name}</A></td>
                        <td class="num">{row.sections}</td>
                        <td class="num">{row.levels}</td>
                        <td>{row.updated}</td>
                        <td class="actions">
                            <Show when=move || manage.get()>
                                <button type="button" class="button button--small" on:click=copy.clone()>
                                    {e.template_copy}
                                </button>
                                <button type="button" class="button button--small button--danger" on:click=delete.clone()>
                                    {e.template_delete}
                                </button>
                            </Show>
                        </td>
                    </tr>
                }
            })
            .collect_view();
        view! {
            <div class="table-wrap" tabindex="0" role="region" aria-label=e.templates_title>
                <table class="table">
                    <thead>
                        <tr>
                            <th scope="col">{e.col_name}</th>
                            <th scope="col">{e.col_sections}</th>
                            <th scope="col">{e.col_levels}</th>
                            <th scope="col">{e.col_updated}</th>
                            <th scope="col">{e.col_actions}</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        }
        .into_any()
    };
    view! {
        <PageTitle pick=|t| t.eval.templates_title />
        <h1>{move || t().eval.templates_title}</h1>
        <p class="lead">{move || t().eval.templates_lead}</p>
        <Show when=move || manage.get()>
            <p>
                <A href="/evaluation/templates/new" attr:class="button button--primary">
                    {move || t().eval.template_new}
                </A>
            </p>
        </Show>
        <NoticeLine notice=notice />
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match templates.await {
                    Ok(list) => rows(list),
                    Err(error) => view! { <NoticeLine notice=Signal::derive(move || Some(Notice::Failed(error.clone()))) /> }.into_any(),
                }
            })}
        </Transition>
    }
}

// ---- the editor --------------------------------------------------------------------------

#[component]
pub fn TemplatePage() -> impl IntoView {
    view! {
        <Gate need=Need::EvaluationReader>
            <TemplateContent />
        </Gate>
    }
}

#[component]
fn TemplateContent() -> impl IntoView {
    let t = use_texts();
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    // Kept across the editors of this page: "saved" still shows once a new template's page
    // has become its own.
    let notice = RwSignal::new(None::<Notice>);
    let stored = Resource::new(id, |id| async move {
        if id == "new" {
            Ok(None)
        } else {
            get_template(id).await.map(Some)
        }
    });
    view! {
        <PageTitle pick=|t| t.eval.templates_title />
        <p><A href="/evaluation/templates">{move || t().eval.back_to_templates}</A></p>
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match stored.await {
                    Ok(Some(stored)) => view! {
                        <Editor
                            id=Some(stored.id.to_string())
                            version=stored.version
                            draft=TemplateDraft::of(&stored.template)
                            notice
                        />
                    }
                    .into_any(),
                    Ok(None) => view! {
                        <Editor id=None version=0 draft=TemplateDraft::of(&Template::starter()) notice />
                    }
                    .into_any(),
                    Err(error) => view! { <NoticeLine notice=Signal::derive(move || Some(Notice::Failed(error.clone()))) /> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// The problems of the draft, as the editor shows them.
#[derive(Clone, Copy)]
struct Checked {
    issues: Memo<Vec<TemplateIssue>>,
    template: Memo<Option<Template>>,
}

impl Checked {
    /// The problems at one place of the template, in the reader's words.
    fn at(
        self,
        place: impl Fn() -> Option<TemplatePlace> + Send + Sync + 'static,
    ) -> impl IntoView {
        let lang = use_lang();
        move || {
            let Some(place) = place() else {
                return Vec::new();
            };
            self.issues.with(|issues| {
                issues
                    .iter()
                    .filter(|issue| issue.at == place)
                    .map(|issue| {
                        let text = issue_text(issue, lang.get());
                        view! { <p class="field__error">{text}</p> }
                    })
                    .collect::<Vec<_>>()
            })
        }
    }

    fn any_at(self, place: TemplatePlace) -> bool {
        self.issues
            .with(|issues| issues.iter().any(|issue| issue.at == place))
    }
}

#[component]
fn Editor(
    id: Option<String>,
    version: i64,
    draft: TemplateDraft,
    notice: RwSignal<Option<Notice>>,
) -> impl IntoView {
    let t = use_texts();
    let lang = use_lang();
    let manage = can_manage();
    let draft = RwSignal::new(draft);
    let parsed = Memo::new(move |_| draft.with(TemplateDraft::parse));
    let checked = Checked {
        issues: Memo::new(move |_| parsed.with(|(_, issues)| issues.clone())),
        template: Memo::new(move |_| parsed.with(|(template, _)| template.clone())),
    };
    let id = RwSignal::new(id);
    let version = RwSignal::new(version);
    let saving = RwSignal::new(false);
    let preview = RwSignal::new(false);
    let navigate = use_navigate();
    let problems_heading = NodeRef::<leptos::html::H2>::new();
    let save = move |_| {
        notice.set(None);
        // Something to fix first: the reader is taken to the list of what.
        let template = checked
            .template
            .get_untracked()
            .filter(|_| checked.issues.with_untracked(Vec::is_empty));
        let Some(template) = template else {
            if let Some(heading) = problems_heading.get_untracked() {
                let _ = heading.focus();
            }
            return;
        };
        let definition = serde_json::to_string(&template).expect("a template is plain JSON");
        saving.set(true);
        let navigate = navigate.clone();
        spawn_local(async move {
            let result = match id.get_untracked() {
                Some(existing) => update_template(existing, version.get_untracked(), definition)
                    .await
                    .map(|()| None),
                None => create_template(definition).await.map(Some),
            };
            saving.set(false);
            match result {
                Ok(created) => {
                    notice.set(Some(Notice::Done(t().eval.saved.into())));
                    match created {
                        Some(new_id) => {
                            version.set(1);
                            id.set(Some(new_id.clone()));
                            navigate(
                                &format!("/evaluation/templates/{new_id}"),
                                Default::default(),
                            );
                        }
                        None => version.update(|v| *v += 1),
                    }
                }
                Err(error) => notice.set(Some(Notice::Failed(error))),
            }
        });
    };
    let title = move || {
        draft.with(|d| {
            if d.name.trim().is_empty() {
                t().eval.editor_title_new.to_owned()
            } else {
                d.name.clone()
            }
        })
    };
    view! {
        <h1>{title}</h1>
        // Those who only read are not told about checks as they type.
        <Show when=move || manage.get()>
            <p class="lead">{move || t().eval.editor_lead}</p>
        </Show>
        <fieldset class="template-editor" disabled=move || !manage.get()>
            <div class="card">
                <TextField
                    id="template-name".into()
                    label=Signal::derive(move || t().eval.template_name)
                    value=Signal::derive(move || draft.with(|d| d.name.clone()))
                    set=Callback::new(move |v| draft.update(|d| d.name = v))
                    invalid=Signal::derive(move || checked.any_at(TemplatePlace::Name))
                />
                {checked.at(|| Some(TemplatePlace::Name))}
                <TextArea
                    id="template-description".into()
                    label=Signal::derive(move || t().eval.template_description)
                    value=Signal::derive(move || draft.with(|d| d.description.clone()))
                    set=Callback::new(move |v| draft.update(|d| d.description = v))
                />
                {checked.at(|| Some(TemplatePlace::Description))}
            </div>

            <section class="card" aria-labelledby="template-sections">
                <h2 id="template-sections">{move || t().eval.sections_heading}</h2>
                {checked.at(|| Some(TemplatePlace::Sections))}
                <For
                    each=move || draft.with(|d| d.sections.iter().map(|s| s.key).collect::<Vec<_>>())
                    key=|key| *key
                    children=move |key| view! { <SectionEditor draft checked key /> }
                />
                <div class="button-row">
                    <button type="button" class="button" on:click=move |_| draft.update(|d| d.add_section(SectionKindChoice::Goals))>
                        {move || t().eval.add_goals_section}
                    </button>
                    <button type="button" class="button" on:click=move |_| draft.update(|d| d.add_section(SectionKindChoice::Items))>
                        {move || t().eval.add_items_section}
                    </button>
                    <button type="button" class="button" on:click=move |_| draft.update(|d| d.add_section(SectionKindChoice::Comment))>
                        {move || t().eval.add_comment_section}
                    </button>
                </div>
            </section>

            <ScaleEditor draft checked />
            <FinalRuleEditor draft checked />
            <GradesEditor draft checked />
        </fieldset>

        <section class="card template-summary" aria-labelledby="template-problems">
            <h2 id="template-problems" node_ref=problems_heading tabindex="-1">
                {move || {
                    let count = checked.issues.with(Vec::len);
                    if count == 0 { t().eval.no_problems.to_owned() } else { (t().eval.problems_heading)(count) }
                }}
            </h2>
            <ul class="problem-list">
                {move || checked.issues.get().into_iter().map(|issue| {
                    let text = issue_text(&issue, lang.get());
                    view! { <li>{text}</li> }
                }).collect_view()}
            </ul>
            <NoticeLine notice=notice />
            <div class="button-row">
                <Show when=move || manage.get()>
                    <button
                        type="button"
                        class="button button--primary"
                        on:click=save.clone()
                        disabled=move || saving.get()
                        aria-describedby="template-problems"
                    >
                        {move || if saving.get() { t().eval.saving } else { t().eval.save }}
                    </button>
                </Show>
                <button type="button" class="button" aria-expanded=move || preview.get().to_string() aria-controls="template-preview" on:click=move |_| preview.update(|p| *p = !*p)>
                    {move || if preview.get() { t().eval.preview_hide } else { t().eval.preview }}
                </button>
            </div>
            <Show when=move || !checked.issues.with(Vec::is_empty) && manage.get()>
                <p class="field__hint">{move || t().eval.fix_first}</p>
            </Show>
        </section>

        <Show when=move || preview.get()>
            <Preview template=checked.template />
        </Show>
    }
}

/// A one-line text input bound to a part of the draft.
#[component]
fn TextField(
    id: String,
    label: Signal<&'static str>,
    value: Signal<String>,
    set: Callback<String>,
    #[prop(optional, into)] invalid: Signal<bool>,
    #[prop(optional)] numeric: bool,
) -> impl IntoView {
    let label_for = id.clone();
    view! {
        <div class="field" class:field--invalid=move || invalid.get()>
            <label class="field__label" for=label_for>{label}</label>
            <input
                id=id
                type="text"
                inputmode=numeric.then_some("decimal")
                prop:value=move || value.get()
                aria-invalid=move || invalid.get().then_some("true")
                on:input=move |ev| set.run(event_target_value(&ev))
            />
        </div>
    }
}

#[component]
fn TextArea(
    id: String,
    label: Signal<&'static str>,
    value: Signal<String>,
    set: Callback<String>,
) -> impl IntoView {
    let label_for = id.clone();
    view! {
        <div class="field">
            <label class="field__label" for=label_for>{label}</label>
            <textarea id=id rows="2" prop:value=move || value.get() on:input=move |ev| set.run(event_target_value(&ev))></textarea>
        </div>
    }
}

/// Reads or changes the section with `key`, wherever it is now.
fn with_section<R>(
    draft: RwSignal<TemplateDraft>,
    key: u64,
    read: impl FnOnce(&SectionDraft) -> R,
) -> Option<R> {
    draft.with(|d| d.sections.iter().find(|s| s.key == key).map(read))
}

fn update_section(
    draft: RwSignal<TemplateDraft>,
    key: u64,
    change: impl FnOnce(&mut SectionDraft),
) {
    draft.update(|d| {
        if let Some(section) = d.sections.iter_mut().find(|s| s.key == key) {
            change(section);
        }
    });
}

#[component]
fn SectionEditor(draft: RwSignal<TemplateDraft>, checked: Checked, key: u64) -> impl IntoView {
    let t = use_texts();
    let index = move || draft.with(|d| d.sections.iter().position(|s| s.key == key));
    let place = move || index().map(TemplatePlace::Section);
    let kind = move || with_section(draft, key, |s| s.kind).unwrap_or(SectionKindChoice::Comment);
    let text = move |read: fn(&SectionDraft) -> &String| {
        Signal::derive(move || with_section(draft, key, |s| read(s).clone()).unwrap_or_default())
    };
    let field_id = move |part: &str| format!("section-{key}-{part}");
    let heading_id = field_id("heading");
    let labelled_by = heading_id.clone();
    let kind_id = field_id("kind");
    let move_by = move |step: isize| {
        draft.update(|d| {
            if let Some(at) = d.sections.iter().position(|s| s.key == key) {
                let to = at as isize + step;
                if (0..d.sections.len() as isize).contains(&to) {
                    d.sections.swap(at, to as usize);
                }
            }
        })
    };
    let invalid = Signal::derive(move || place().is_some_and(|p| checked.any_at(p)));
    view! {
        <article class="template-section" aria-labelledby=labelled_by>
            <h3 id=heading_id>{move || (t().eval.section_heading)(index().map_or(0, |i| i + 1))}</h3>
            <div class="form form--grid">
                <TextField
                    id=field_id("title")
                    label=Signal::derive(move || t().eval.section_title)
                    value=text(|s| &s.title)
                    set=Callback::new(move |v| update_section(draft, key, |s| s.title = v))
                    invalid
                />
                <div class="field">
                    <label class="field__label" for=kind_id.clone()>{move || t().eval.section_kind}</label>
                    <select
                        id=kind_id
                        prop:value=move || match kind() {
                            SectionKindChoice::Goals => "goals",
                            SectionKindChoice::Items => "items",
                            SectionKindChoice::Comment => "comment",
                        }
                        on:change=move |ev| {
                            let choice = match event_target_value(&ev).as_str() {
                                "goals" => SectionKindChoice::Goals,
                                "items" => SectionKindChoice::Items,
                                _ => SectionKindChoice::Comment,
                            };
                            draft.update(|d| {
                                let new_key = d.new_key();
                                if let Some(s) = d.sections.iter_mut().find(|s| s.key == key) {
                                    s.kind = choice;
                                    if choice == SectionKindChoice::Items && s.items.is_empty() {
                                        s.items.push(ItemDraft { key: new_key, title: String::new(), description: String::new(), weight: "100".into() });
                                    }
                                }
                            });
                        }
                    >
                        <option value="goals">{move || t().eval.kind_goals}</option>
                        <option value="items">{move || t().eval.kind_items}</option>
                        <option value="comment">{move || t().eval.kind_comment}</option>
                    </select>
                </div>
                <Show when=move || kind() != SectionKindChoice::Comment>
                    <TextField
                        id=field_id("weight")
                        label=Signal::derive(move || t().eval.section_weight)
                        value=text(|s| &s.weight)
                        set=Callback::new(move |v| update_section(draft, key, |s| s.weight = v))
                        invalid
                        numeric=true
                    />
                </Show>
                <Show when=move || kind() == SectionKindChoice::Goals>
                    <TextField
                        id=field_id("min")
                        label=Signal::derive(move || t().eval.goals_min)
                        value=text(|s| &s.min_goals)
                        set=Callback::new(move |v| update_section(draft, key, |s| s.min_goals = v))
                        invalid
                        numeric=true
                    />
                    <TextField
                        id=field_id("max")
                        label=Signal::derive(move || t().eval.goals_max)
                        value=text(|s| &s.max_goals)
                        set=Callback::new(move |v| update_section(draft, key, |s| s.max_goals = v))
                        invalid
                        numeric=true
                    />
                </Show>
            </div>
            <TextArea
                id=field_id("description")
                label=Signal::derive(move || t().eval.section_description)
                value=text(|s| &s.description)
                set=Callback::new(move |v| update_section(draft, key, |s| s.description = v))
            />
            {checked.at(place)}
            <Show when=move || kind() == SectionKindChoice::Items>
                <ItemsEditor draft checked section=key />
            </Show>
            <div class="button-row">
                <button type="button" class="button button--small" on:click=move |_| move_by(-1)>{move || t().eval.move_up}</button>
                <button type="button" class="button button--small" on:click=move |_| move_by(1)>{move || t().eval.move_down}</button>
                <button
                    type="button"
                    class="button button--small button--danger"
                    on:click=move |_| draft.update(|d| d.sections.retain(|s| s.key != key))
                >
                    {move || t().eval.section_remove}
                </button>
            </div>
        </article>
    }
}

#[component]
fn ItemsEditor(draft: RwSignal<TemplateDraft>, checked: Checked, section: u64) -> impl IntoView {
    let t = use_texts();
    let keys = move || {
        with_section(draft, section, |s| {
            s.items.iter().map(|i| i.key).collect::<Vec<_>>()
        })
        .unwrap_or_default()
    };
    let add = move |_| {
        draft.update(|d| {
            let key = d.new_key();
            if let Some(s) = d.sections.iter_mut().find(|s| s.key == section) {
                s.items.push(ItemDraft {
                    key,
                    title: String::new(),
                    description: String::new(),
                    weight: String::new(),
                });
            }
        })
    };
    view! {
        <div class="template-items">
            <For each=keys key=|key| *key children=move |key| view! { <ItemEditor draft checked section key /> } />
            <button type="button" class="button button--small" on:click=add>{move || t().eval.item_add}</button>
        </div>
    }
}

#[component]
fn ItemEditor(
    draft: RwSignal<TemplateDraft>,
    checked: Checked,
    section: u64,
    key: u64,
) -> impl IntoView {
    let t = use_texts();
    let place = move || {
        draft.with(|d| {
            let s = d.sections.iter().position(|s| s.key == section)?;
            let i = d.sections[s].items.iter().position(|i| i.key == key)?;
            Some(TemplatePlace::Item {
                section: s,
                item: i,
            })
        })
    };
    let item = move |read: fn(&ItemDraft) -> &String| {
        Signal::derive(move || {
            with_section(draft, section, |s| {
                s.items
                    .iter()
                    .find(|i| i.key == key)
                    .map(|i| read(i).clone())
            })
            .flatten()
            .unwrap_or_default()
        })
    };
    let change = move |apply: Box<dyn FnOnce(&mut ItemDraft)>| {
        update_section(draft, section, |s| {
            if let Some(item) = s.items.iter_mut().find(|i| i.key == key) {
                apply(item);
            }
        })
    };
    let invalid = Signal::derive(move || place().is_some_and(|p| checked.any_at(p)));
    let id = move |part: &str| format!("item-{key}-{part}");
    let item_title = item(|i| &i.title);
    view! {
        <div class="template-item template-row">
            <TextField id=id("title") label=Signal::derive(move || t().eval.item_title) value=item(|i| &i.title)
                set=Callback::new(move |v| change(Box::new(move |i| i.title = v))) invalid />
            <TextField id=id("weight") label=Signal::derive(move || t().eval.item_weight) value=item(|i| &i.weight)
                set=Callback::new(move |v| change(Box::new(move |i| i.weight = v))) invalid numeric=true />
            <TextField id=id("description") label=Signal::derive(move || t().eval.item_description) value=item(|i| &i.description)
                set=Callback::new(move |v| change(Box::new(move |i| i.description = v))) />
            <button
                type="button"
                class="button button--small button--danger"
                aria-label=move || format!("{} {}", t().eval.remove, item_title.get())
                on:click=move |_| update_section(draft, section, |s| s.items.retain(|i| i.key != key))
            >
                {move || t().eval.remove}
            </button>
            <div class="template-item__problems">{checked.at(place)}</div>
        </div>
    }
}

#[component]
fn ScaleEditor(draft: RwSignal<TemplateDraft>, checked: Checked) -> impl IntoView {
    let t = use_texts();
    let add = move |_| {
        draft.update(|d| {
            let key = d.new_key();
            d.levels.push(LevelDraft {
                key,
                label: String::new(),
                points: String::new(),
                description: String::new(),
            });
        })
    };
    view! {
        <section class="card" aria-labelledby="template-scale">
            <h2 id="template-scale">{move || t().eval.scale_heading}</h2>
            <p class="field__hint">{move || t().eval.scale_lead}</p>
            {checked.at(|| Some(TemplatePlace::Scale))}
            <For
                each=move || draft.with(|d| d.levels.iter().map(|l| l.key).collect::<Vec<_>>())
                key=|key| *key
                children=move |key| {
                    let place = move || draft.with(|d| d.levels.iter().position(|l| l.key == key)).map(TemplatePlace::ScaleLevel);
                    let level = move |read: fn(&LevelDraft) -> &String| Signal::derive(move || {
                        draft.with(|d| d.levels.iter().find(|l| l.key == key).map(|l| read(l).clone())).unwrap_or_default()
                    });
                    let change = move |apply: Box<dyn FnOnce(&mut LevelDraft)>| draft.update(|d| {
                        if let Some(level) = d.levels.iter_mut().find(|l| l.key == key) { apply(level) }
                    });
                    let level_label = level(|l| &l.label);
                    let invalid = Signal::derive(move || place().is_some_and(|p| checked.any_at(p)));
                    view! {
                        <div class="template-item template-row">
                            <TextField id=format!("level-{key}-label") label=Signal::derive(move || t().eval.level_label) value=level(|l| &l.label)
                                set=Callback::new(move |v| change(Box::new(move |l| l.label = v))) invalid />
                            <TextField id=format!("level-{key}-points") label=Signal::derive(move || t().eval.level_points) value=level(|l| &l.points)
                                set=Callback::new(move |v| change(Box::new(move |l| l.points = v))) invalid numeric=true />
                            <TextField id=format!("level-{key}-description") label=Signal::derive(move || t().eval.level_description) value=level(|l| &l.description)
                                set=Callback::new(move |v| change(Box::new(move |l| l.description = v))) />
                            <button
                                type="button"
                                class="button button--small button--danger"
                                aria-label=move || format!("{} {}", t().eval.remove, level_label.get())
                                on:click=move |_| draft.update(|d| d.levels.retain(|l| l.key != key))
                            >
                                {move || t().eval.remove}
                            </button>
                            <div class="template-item__problems">{checked.at(place)}</div>
                        </div>
                    }
                }
            />
            <button type="button" class="button button--small" on:click=add>{move || t().eval.level_add}</button>
        </section>
    }
}

#[component]
fn FinalRuleEditor(draft: RwSignal<TemplateDraft>, checked: Checked) -> impl IntoView {
    let t = use_texts();
    let weighted = move || draft.with(|d| d.weighted);
    let invalid = Signal::derive(move || checked.any_at(TemplatePlace::FinalRule));
    view! {
        <section class="card" aria-labelledby="template-final">
            <h2 id="template-final">{move || t().eval.final_heading}</h2>
            <div class="radio-group" role="radiogroup" aria-labelledby="template-final">
                <label class="checkbox">
                    <input type="radio" name="final-rule" prop:checked=move || !weighted() on:change=move |_| draft.update(|d| d.weighted = false) />
                    {move || t().eval.final_last}
                </label>
                <label class="checkbox">
                    <input type="radio" name="final-rule" prop:checked=weighted on:change=move |_| draft.update(|d| d.weighted = true) />
                    {move || t().eval.final_weighted}
                </label>
            </div>
            <Show when=weighted>
                <div class="form form--grid">
                    <TextField id="final-self".into() label=Signal::derive(move || t().eval.weight_self)
                        value=Signal::derive(move || draft.with(|d| d.self_weight.clone()))
                        set=Callback::new(move |v| draft.update(|d| d.self_weight = v)) invalid numeric=true />
                    {(0..3).map(|stage| view! {
                        <TextField id=format!("final-stage-{}", stage + 1)
                            label=Signal::derive(move || t().eval.weight_stages[stage])
                            value=Signal::derive(move || draft.with(|d| d.stage_weights[stage].clone()))
                            set=Callback::new(move |v| draft.update(|d| d.stage_weights[stage] = v)) invalid numeric=true />
                    }).collect_view()}
                </div>
            </Show>
            {checked.at(|| Some(TemplatePlace::FinalRule))}
        </section>
    }
}

#[component]
fn GradesEditor(draft: RwSignal<TemplateDraft>, checked: Checked) -> impl IntoView {
    let t = use_texts();
    let add = move |_| {
        draft.update(|d| {
            let key = d.new_key();
            // A new grade goes above the last one (which takes every lower score).
            let at = d.grades.len().saturating_sub(1);
            d.grades.insert(
                at,
                GradeDraft {
                    key,
                    grade: String::new(),
                    from: String::new(),
                },
            );
        })
    };
    view! {
        <section class="card" aria-labelledby="template-grades">
            <h2 id="template-grades">{move || t().eval.grades_heading}</h2>
            <p class="field__hint">{move || t().eval.grades_lead}</p>
            {checked.at(|| Some(TemplatePlace::Grades))}
            <For
                each=move || draft.with(|d| d.grades.iter().map(|g| g.key).collect::<Vec<_>>())
                key=|key| *key
                children=move |key| {
                    let index = move || draft.with(|d| d.grades.iter().position(|g| g.key == key));
                    let last = move || draft.with(|d| d.grades.last().map(|g| g.key) == Some(key));
                    let place = move || index().map(TemplatePlace::Grade);
                    let grade = move |read: fn(&GradeDraft) -> &String| Signal::derive(move || {
                        draft.with(|d| d.grades.iter().find(|g| g.key == key).map(|g| read(g).clone())).unwrap_or_default()
                    });
                    let change = move |apply: Box<dyn FnOnce(&mut GradeDraft)>| draft.update(|d| {
                        if let Some(grade) = d.grades.iter_mut().find(|g| g.key == key) { apply(grade) }
                    });
                    let grade_label = grade(|g| &g.grade);
                    let invalid = Signal::derive(move || place().is_some_and(|p| checked.any_at(p)));
                    view! {
                        <div class="template-item template-row template-row--grade">
                            <TextField id=format!("grade-{key}-label") label=Signal::derive(move || t().eval.grade_label) value=grade(|g| &g.grade)
                                set=Callback::new(move |v| change(Box::new(move |g| g.grade = v))) invalid />
                            <Show
                                when=move || !last()
                                fallback=move || view! { <p class="field">{move || t().eval.grade_rest}</p> }
                            >
                                <TextField id=format!("grade-{key}-from") label=Signal::derive(move || t().eval.grade_from) value=grade(|g| &g.from)
                                    set=Callback::new(move |v| change(Box::new(move |g| g.from = v))) invalid numeric=true />
                            </Show>
                            <button
                                type="button"
                                class="button button--small button--danger"
                                aria-label=move || format!("{} {}", t().eval.remove, grade_label.get())
                                on:click=move |_| draft.update(|d| d.grades.retain(|g| g.key != key))
                            >
                                {move || t().eval.remove}
                            </button>
                            <div class="template-item__problems">{checked.at(place)}</div>
                        </div>
                    }
                }
            />
            <button type="button" class="button button--small" on:click=add>{move || t().eval.grade_add}</button>
        </section>
    }
}

/// The sheet as the employee will see it, from the checked template.
#[component]
fn Preview(template: Memo<Option<Template>>) -> impl IntoView {
    let t = use_texts();
    let body = move || {
        let e: &'static EvalTexts = t().eval;
        let Some(template) = template.get() else {
            return view! { <p>{e.fix_first}</p> }.into_any();
        };
        let scale = template.scale.clone();
        let sections = template
            .sections
            .iter()
            .map(|section| {
                let weight = section.weight.map(|w| (e.preview_weight)(&percent(w)));
                let content = match &section.kind {
                    SectionKind::Goals { min_goals, max_goals } => {
                        let columns = e.preview_goal_columns.map(|c| view! { <th scope="col">{c}</th> });
                        let rows = (0..*min_goals)
                            .map(|_| view! { <tr><td>"—"</td><td>"—"</td><td>"—"</td><td>"—"</td><td>"—"</td></tr> })
                            .collect_view();
                        view! {
                            <p>{(e.preview_goals)(*min_goals, *max_goals)}</p>
                            <div class="table-wrap" tabindex="0" role="region" aria-label=section.title.clone()>
                                <table class="table"><thead><tr>{columns}</tr></thead><tbody>{rows}</tbody></table>
                            </div>
                            <RatingChoices scale=scale.clone() />
                        }
                        .into_any()
                    }
                    SectionKind::Items { items } => items
                        .iter()
                        .map(|item| {
                            view! {
                                <div class="preview-item">
                                    <h4>{item.title.clone()} " " <span class="meta">{(e.preview_weight)(&percent(item.weight))}</span></h4>
                                    <p class="field__hint">{item.description.clone()}</p>
                                    <RatingChoices scale=scale.clone() />
                                </div>
                            }
                        })
                        .collect_view()
                        .into_any(),
                    SectionKind::Comment => view! {
                        <textarea rows="3" disabled=true aria-label=section.title.clone() placeholder=e.preview_comment></textarea>
                    }
                    .into_any(),
                };
                view! {
                    <section class="preview-section">
                        <h3>{section.title.clone()} " " <span class="meta">{weight}</span></h3>
                        <p class="field__hint">{section.description.clone()}</p>
                        {content}
                    </section>
                }
            })
            .collect_view();
        let legend = template
            .scale
            .levels
            .iter()
            .map(|level| view! { <li><strong>{level.label.clone()}</strong> " (" {percent(level.points)} ") " {level.description.clone()}</li> })
            .collect_view();
        let grades = template
            .grades
            .grades
            .iter()
            .map(|grade| {
                let from = grade.from.map_or_else(
                    || e.grade_rest.to_owned(),
                    |from| format!("≥ {}", percent(from)),
                );
                view! { <li><strong>{grade.grade.clone()}</strong> " " {from}</li> }
            })
            .collect_view();
        view! {
            <h3>{template.name.clone()}</h3>
            <p>{template.description.clone()}</p>
            {sections}
            <h3>{e.scale_heading}</h3>
            <ul class="preview-legend">{legend}</ul>
            <h3>{e.grades_heading}</h3>
            <ul class="preview-legend">{grades}</ul>
        }
        .into_any()
    };
    view! {
        <section id="template-preview" class="card template-preview" aria-labelledby="template-preview-heading">
            <h2 id="template-preview-heading">{move || t().eval.preview_heading}</h2>
            <p class="field__hint">{move || t().eval.preview_lead}</p>
            {body}
        </section>
    }
}

/// The scale's levels as the evaluator will pick from them (shown, not usable here).
#[component]
fn RatingChoices(scale: crate::domain::evaluation::scale::RatingScale) -> impl IntoView {
    let t = use_texts();
    let levels = scale
        .levels
        .into_iter()
        .map(|level| view! { <span class="rating-choice">{level.label}</span> })
        .collect_view();
    view! {
        <p class="rating-choices" aria-label=move || t().eval.preview_rating>
            {levels}
            <span class="rating-choice rating-choice--na">{move || t().eval.preview_not_applicable}</span>
        </p>
    }
}
