//! A chat line for a file on its way: how far it is (a bar, bytes and percent) with a Cancel
//! button while it moves; then a link to save it and "verified" once its SHA-256 matched, or
//! why it did not arrive, or that it was cancelled.
use super::model::{FileState, Transfer};
use super::transfer::{human_size, percent};
use crate::i18n::Words;
use leptos::prelude::*;

fn state_class(s: &FileState) -> &'static str {
    match s {
        FileState::Moving => "moving",
        FileState::Sent => "sent",
        FileState::Verified { .. } => "verified",
        FileState::Cancelled => "cancelled",
        FileState::Refused(_) => "refused",
        FileState::Failed => "failed",
    }
}

#[component]
pub fn FileLine(
    /// The line's key, which the engine finds the file by to cancel it.
    seq: u64,
    from: String,
    /// The line's words: "notes.pdf (2 MB)", or "shared notes.pdf (2 MB)".
    text: String,
    transfer: Transfer,
    w: &'static Words,
) -> impl IntoView {
    let Transfer {
        name,
        size,
        done,
        state,
        sha256,
        ..
    } = transfer;
    // Arena handles: `Copy`, so every closure below can have them.
    let (done, state, sha256) = (
        RwSignal::from(done),
        RwSignal::from(state),
        RwSignal::from(sha256),
    );
    let pct = move || percent(done.get(), size);
    let progress = move || {
        let d = done.get();
        (w.file_progress)(&human_size(d), &human_size(size), percent(d, size))
    };
    #[cfg(feature = "hydrate")]
    let engine = StoredValue::new_local(use_context::<super::chat_panel::EngineContext>());
    let cancel = move |_| {
        #[cfg(feature = "hydrate")]
        engine.with_value(|e| {
            if let Some(e) = e {
                e.cancel_file(seq);
            }
        });
        #[cfg(not(feature = "hydrate"))]
        let _ = seq;
    };
    let body_name = name.clone();
    let body = move || match state.get() {
        FileState::Refused(why) => {
            view! { <span class="text">{(w.not_received)(&body_name, why.reason(w))}</span> }
                .into_any()
        }
        FileState::Verified { url: Some(url) } => view! {
            <a href=url download=body_name.clone() data-file=body_name.clone()>{text.clone()}</a>
            " "
            <span class="badge ok" title=w.verified_hint>{w.file_verified}</span>
        }
        .into_any(),
        other => {
            let status = match other {
                FileState::Sent => w.file_sent.to_owned(),
                FileState::Verified { url: None } => w.file_delivered.to_owned(),
                FileState::Cancelled => w.file_cancelled.to_owned(),
                FileState::Failed => (w.file_not_delivered)(&body_name),
                _ => String::new(),
            };
            view! {
                <span class="text">{text.clone()}</span>
                " "
                <span class="file-status">{status}</span>
            }
            .into_any()
        }
    };
    let cancel_label = (w.cancel_file)(&name);
    view! {
        <li data-from=from class="file" class:notice=move || matches!(state.get(), FileState::Refused(_))
            data-file-name=name.clone() data-file-state=move || state_class(&state.get())
            data-percent=pct data-sha256=move || sha256.get()>
            <b>{from.clone()}</b>
            " "
            {body}
            <Show when=move || state.get() == FileState::Moving>
                <span class="progress">
                    <progress max=size.to_string() value=move || done.get().to_string()></progress>
                    <span class="pct">{progress}</span>
                    <button type="button" class="ghost small" aria-label=cancel_label.clone() on:click=cancel>{w.cancel}</button>
                </span>
            </Show>
        </li>
    }
}
