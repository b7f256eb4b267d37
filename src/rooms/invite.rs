//! "Copy invite link": the room's address on the clipboard with a visible "Copied", or, where
//! the browser keeps the clipboard closed, the address shown and selected for copying by hand.
use crate::i18n::use_words;
use leptos::prelude::*;

/// How long "Copied" stays.
#[cfg(feature = "hydrate")]
const COPIED_FOR: std::time::Duration = std::time::Duration::from_secs(4);

#[component]
pub fn CopyInvite(
    /// The path others open to join, e.g. `/r/team`.
    path: String,
) -> impl IntoView {
    let w = use_words();
    let copied = RwSignal::new(false);
    // The whole address, once the clipboard refused it.
    let by_hand = RwSignal::new(None::<String>);
    let field = NodeRef::<leptos::html::Input>::new();
    // Shown for copying by hand: the whole address selected, ready for Ctrl+C.
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        if let (Some(input), Some(url)) = (field.get(), by_hand.get()) {
            input.set_value(&url);
            let _ = input.focus();
            input.select();
        }
    });
    let on_click = move |_| {
        #[cfg(feature = "hydrate")]
        copy(&path, copied, by_hand);
        #[cfg(not(feature = "hydrate"))]
        let _ = &path;
    };
    view! {
        <div class="invite">
            <button type="button" data-testid="copy-invite" on:click=on_click>{w.copy_invite}</button>
            <span class="copied" role="status" data-testid="copied">
                {move || copied.get().then_some(w.copied)}
            </span>
            <Show when=move || by_hand.with(Option::is_some)>
                <label class="invite-link">
                    {w.copy_by_hand}
                    <input node_ref=field readonly=true data-testid="invite-link"
                        prop:value=move || by_hand.get().unwrap_or_default()
                        on:focus=move |ev| {
                            #[cfg(feature = "hydrate")]
                            {
                                use wasm_bindgen::JsCast;
                                if let Some(i) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) {
                                    i.select();
                                }
                            }
                            #[cfg(not(feature = "hydrate"))]
                            let _ = ev;
                        }/>
                </label>
            </Show>
        </div>
    }
}

/// Writes this site's `path` to the clipboard; says "Copied", or shows the address to copy.
#[cfg(feature = "hydrate")]
fn copy(path: &str, copied: RwSignal<bool>, by_hand: RwSignal<Option<String>>) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let url = format!("{}{path}", window.location().origin().unwrap_or_default());
    // No clipboard outside secure contexts (plain http on another host than localhost).
    let clipboard = window.navigator().clipboard();
    if clipboard.is_undefined() {
        by_hand.set(Some(url));
        return;
    }
    let written = wasm_bindgen_futures::JsFuture::from(clipboard.write_text(&url));
    wasm_bindgen_futures::spawn_local(async move {
        if written.await.is_ok() {
            by_hand.try_set(None);
            copied.try_set(true);
            set_timeout(move || _ = copied.try_set(false), COPIED_FOR);
        } else {
            by_hand.try_set(Some(url));
        }
    });
}
