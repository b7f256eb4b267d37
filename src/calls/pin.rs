//! Pin and full screen, on every tile. A pinned tile shows large with the others in a strip
//! (the layout is the style's, keyed on the pressed pin button, so a pinned peer who leaves
//! simply takes the layout with them); full screen is the browser's, on the tile itself.
use crate::i18n::Words;
use leptos::prelude::*;

/// The pinned tile's id (a peer id, or `LOCAL`), given by the call stage.
#[derive(Clone, Copy)]
pub struct Pinned(pub RwSignal<Option<String>>);

#[component]
pub fn TileActions(
    /// The tile's id: a peer id, or `LOCAL`.
    id: String,
    /// Who the tile shows, for the buttons' labels.
    name: String,
    w: &'static Words,
) -> impl IntoView {
    let pinned = use_context::<Pinned>().map_or_else(|| RwSignal::new(None), |p| p.0);
    let is_pinned = {
        let id = id.clone();
        move || pinned.with(|p| p.as_deref() == Some(id.as_str()))
    };
    let pressed = is_pinned.clone();
    let label = {
        let (is_pinned, name) = (is_pinned.clone(), name.clone());
        move || {
            if is_pinned() {
                (w.unpin_tile)(&name)
            } else {
                (w.pin_tile)(&name)
            }
        }
    };
    let title = label.clone();
    let toggle = move |_| {
        let next = (!is_pinned()).then(|| id.clone());
        pinned.set(next);
    };
    let full = (w.full_screen_tile)(&name);
    let on_full = move |ev: leptos::ev::MouseEvent| {
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsCast;
            let tile = ev
                .current_target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                .and_then(|b| b.closest("figure.tile").ok().flatten());
            if let Some(t) = tile {
                let _ = t.request_fullscreen();
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = ev;
    };
    view! {
        <div class="tile-actions">
            <button type="button" class="icon pin" data-testid="pin" aria-pressed=move || pressed().to_string()
                aria-label=label title=title on:click=toggle>
                <svg viewBox="0 0 24 24" width="16" height="16" aria-hidden="true">
                    <path d="M9 4h6l-1 6 4 3v2H6v-2l4-3zM12 15v6" fill="none" stroke="currentColor"
                        stroke-width="2" stroke-linejoin="round" stroke-linecap="round"/>
                </svg>
            </button>
            <button type="button" class="icon fullscreen" data-testid="fullscreen" aria-label=full.clone()
                title=full on:click=on_full>
                <svg viewBox="0 0 24 24" width="16" height="16" aria-hidden="true">
                    <path d="M4 9V4h5M15 4h5v5M20 15v5h-5M9 20H4v-5" fill="none" stroke="currentColor"
                        stroke-width="2" stroke-linecap="round" stroke-linejoin="round"/>
                </svg>
            </button>
        </div>
    }
}
