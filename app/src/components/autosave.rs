//! A draft that saves itself (the sheet's goals, one's ratings and comments): each change
//! is kept in this browser at once (`localStorage`) and sent to the server a moment later
//! with the version it is based on; a network failure retries every few seconds; a save
//! based on an older version comes back with what was saved first, and the person chooses.
//! Nothing typed is lost by a reload, a dropped network or a second tab.

use crate::components::browser::{
    forget_local, keep_local, read_local, sleep, warn_before_leaving,
};
use crate::error::AppError;
use crate::i18n::use_texts;
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::future::Future;
use std::pin::Pin;

/// How long typing must pause before a save.
const SAVE_AFTER_MS: u32 = 1200;
/// How often an unreachable server is tried again.
const RETRY_EVERY_MS: u32 = 4000;

/// Where a draft's autosave stands.
#[derive(Clone, Debug, PartialEq)]
pub enum SaveState<T> {
    /// Everything typed is on the server (`at`: when it was last saved, if this visit).
    Saved(Option<String>),
    Unsaved,
    Saving,
    /// The server could not be reached; kept in the browser, retried.
    Offline,
    /// The server refused it (a closed phase, the sheet moved on): kept in the browser.
    Refused(AppError),
    /// Someone saved first: what they saved and the version it made.
    Conflict(T, i64),
}

/// What the server answered a save.
pub enum Saved<T> {
    Saved { version: i64, at: String },
    Conflict { version: i64, theirs: T },
}

/// The future a save returns (server functions' futures are not `Send` in the browser).
pub type SaveFuture<T> = Pin<Box<dyn Future<Output = Result<Saved<T>, AppError>>>>;

/// What this browser keeps of a draft until the server has it.
#[derive(Serialize, serde::Deserialize)]
struct Kept<T> {
    based_on: i64,
    value: T,
}

/// One self-saving draft of type `T` (the draft as typed), on a page whose record has
/// `version`. Copy: hand it to every field that edits the draft.
pub struct Autosave<T: Send + Sync + 'static> {
    /// The draft as typed.
    pub value: RwSignal<T>,
    pub state: RwSignal<SaveState<T>>,
    /// The record's version every save is based on (a step moves it on too).
    pub version: RwSignal<i64>,
    /// Bumped by each change: a save whose change is no longer the latest leaves the state.
    generation: StoredValue<u64>,
    key: StoredValue<String>,
    send: Callback<(i64, T), SaveFuture<T>>,
}

impl<T: Send + Sync + 'static> Clone for Autosave<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: Send + Sync + 'static> Copy for Autosave<T> {}

impl<T> Autosave<T>
where
    T: Clone + PartialEq + Serialize + DeserializeOwned + Send + Sync + 'static,
{
    /// A draft that starts as `saved` (what the server has, at `version`), kept in this
    /// browser under `key`, saved by `send(version, draft)`. Offers back what this browser
    /// kept after a reload, and warns before the tab closes with anything unsaved.
    pub fn new(
        key: String,
        version: RwSignal<i64>,
        saved: T,
        send: impl Fn(i64, T) -> SaveFuture<T> + Send + Sync + 'static,
    ) -> Autosave<T> {
        let autosave = Autosave {
            value: RwSignal::new(saved.clone()),
            state: RwSignal::new(SaveState::Saved(None)),
            version,
            generation: StoredValue::new(0),
            key: StoredValue::new(key),
            send: Callback::new(move |(version, value)| send(version, value)),
        };
        // Only in the browser, after hydration: what this browser kept and the server
        // does not have yet.
        Effect::new(move |_| autosave.offer_kept(saved.clone()));
        warn_before_leaving(Signal::derive(move || !autosave.is_saved()));
        autosave
    }

    /// Whether everything typed is on the server (steps wait for it).
    pub fn is_saved(&self) -> bool {
        matches!(self.state.get(), SaveState::Saved(_))
    }

    /// Call after each change of [`Autosave::value`]: keeps it here, saves it soon.
    pub fn changed(&self) {
        let this = *self;
        self.generation.update_value(|g| *g += 1);
        let mine = self.generation.get_value();
        if !matches!(self.state.get_untracked(), SaveState::Conflict(..)) {
            self.state.set(SaveState::Unsaved);
        }
        self.keep();
        spawn_local(async move {
            sleep(SAVE_AFTER_MS).await;
            if this.generation.get_value() == mine
                && !matches!(this.state.get_untracked(), SaveState::Conflict(..))
            {
                this.save_now();
            }
        });
    }

    /// Changes the draft with `edit`, then as [`Autosave::changed`].
    pub fn edit(&self, edit: impl FnOnce(&mut T)) {
        self.value.update(edit);
        self.changed();
    }

    /// After a conflict: saves one's own draft over theirs.
    pub fn keep_mine(&self) {
        if let SaveState::Conflict(_, version) = self.state.get_untracked() {
            self.version.set(version);
            self.generation.update_value(|g| *g += 1);
            self.save_now();
        }
    }

    /// After a conflict: takes what was saved first, dropping one's own.
    pub fn take_theirs(&self) {
        if let SaveState::Conflict(theirs, version) = self.state.get_untracked() {
            self.value.set(theirs);
            self.version.set(version);
            forget_local(&self.key.get_value());
            self.state.set(SaveState::Saved(None));
        }
    }

    fn keep(&self) {
        let kept = Kept {
            based_on: self.version.get_untracked(),
            value: self.value.get_untracked(),
        };
        if let Ok(text) = serde_json::to_string(&kept) {
            keep_local(&self.key.get_value(), &text);
        }
    }

    fn offer_kept(&self, saved: T) {
        let key = self.key.get_value();
        let Some(kept) = read_local(&key).and_then(|t| serde_json::from_str::<Kept<T>>(&t).ok())
        else {
            return;
        };
        if kept.value == saved {
            forget_local(&key);
            return;
        }
        self.value.set(kept.value);
        if kept.based_on == self.version.get_untracked() {
            self.generation.update_value(|g| *g += 1);
            self.save_now();
        } else {
            self.state
                .set(SaveState::Conflict(saved, self.version.get_untracked()));
        }
    }

    /// Saves what is typed now; on a network failure retries until it lands or something
    /// newer is typed.
    fn save_now(&self) {
        let this = *self;
        let mine = self.generation.get_value();
        spawn_local(async move {
            loop {
                if this.generation.get_value() != mine {
                    return;
                }
                this.state.set(SaveState::Saving);
                let sent = this
                    .send
                    .run((this.version.get_untracked(), this.value.get_untracked()));
                match sent.await {
                    Ok(Saved::Saved { version, at }) => {
                        this.version.set(version);
                        if this.generation.get_value() == mine {
                            forget_local(&this.key.get_value());
                            this.state.set(SaveState::Saved(Some(at)));
                        }
                        return;
                    }
                    Ok(Saved::Conflict { version, theirs }) => {
                        this.state.set(SaveState::Conflict(theirs, version));
                        return;
                    }
                    Err(AppError::Network) => {
                        this.state.set(SaveState::Offline);
                        sleep(RETRY_EVERY_MS).await;
                    }
                    Err(error) => {
                        this.state.set(SaveState::Refused(error));
                        return;
                    }
                }
            }
        });
    }
}

/// The saved / unsaved line of a draft, read out by screen readers as it changes.
#[component]
pub fn SaveStatus<T: Clone + Send + Sync + 'static>(autosave: Autosave<T>) -> impl IntoView {
    let t = use_texts();
    let lang = crate::i18n::use_lang();
    view! {
        <div class="save-state" role="status" aria-live="polite">
            {move || match autosave.state.get() {
                SaveState::Saved(Some(at)) => (t().sheet.saved_at)(&at),
                SaveState::Saved(None) => String::new(),
                SaveState::Unsaved => t().sheet.unsaved.to_owned(),
                SaveState::Saving => t().sheet.saving.to_owned(),
                SaveState::Offline => t().sheet.offline.to_owned(),
                SaveState::Refused(error) => {
                    (t().sheet.save_refused)(&error.message(lang.get()))
                }
                SaveState::Conflict(..) => t().sheet.conflict.to_owned(),
            }}
        </div>
    }
}

/// After a conflict: what was saved first (`theirs` draws it) and the two ways out.
#[component]
pub fn ConflictChoice<T, V>(autosave: Autosave<T>, theirs: fn(T) -> V) -> impl IntoView
where
    T: Clone + PartialEq + Serialize + DeserializeOwned + Send + Sync + 'static,
    V: IntoView + 'static,
{
    let t = use_texts();
    move || {
        match autosave.state.get() {
        SaveState::Conflict(first, _) => view! {
            <section class="card conflict" aria-labelledby="conflict-heading">
                <h2 id="conflict-heading">{move || t().sheet.conflict_theirs}</h2>
                {theirs(first)}
                <div class="actions">
                    <button type="button" class="button button--primary" on:click=move |_| autosave.keep_mine()>
                        {move || t().sheet.conflict_keep_mine}
                    </button>
                    <button type="button" class="button" on:click=move |_| autosave.take_theirs()>
                        {move || t().sheet.conflict_take_theirs}
                    </button>
                </div>
            </section>
        }
        .into_any(),
        _ => ().into_any(),
    }
    }
}
