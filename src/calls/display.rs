//! The screen we share: asking the browser for it (`getDisplayMedia`) and holding it while it
//! is shared, with what to do when the browser's own "Stop sharing" ends it.
use super::screen::{refusal, Share};
use crate::i18n::Words;
use leptos::prelude::*;
use std::cell::RefCell;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Event, MediaStream, MediaStreamTrack};

struct Shared {
    track: MediaStreamTrack,
    /// The button's state, set back to `Off` when sharing ends.
    share: RwSignal<Share>,
    _on_ended: Closure<dyn FnMut(Event)>,
}

thread_local! {
    /// The screen being shared; one page has one call.
    static SHARED: RefCell<Option<Shared>> = const { RefCell::new(None) };
}

/// Whether this browser can share a screen (phones mostly cannot).
pub fn supported() -> bool {
    web_sys::window()
        .and_then(|w| w.navigator().media_devices().ok())
        .and_then(|d| js_sys::Reflect::get(&d, &"getDisplayMedia".into()).ok())
        .is_some_and(|f| f.is_function())
}

/// Opens the browser's picker; the chosen screen's picture, or why there is none in `w`'s
/// words.
pub async fn ask(w: &'static Words) -> Result<MediaStreamTrack, String> {
    let devices = web_sys::window()
        .and_then(|w| w.navigator().media_devices().ok())
        .ok_or_else(|| w.share_unsupported.to_owned())?;
    let promise = devices
        .get_display_media()
        .map_err(|e| refusal(&error_name(&e), w))?;
    let stream: MediaStream = JsFuture::from(promise)
        .await
        .map_err(|e| refusal(&error_name(&e), w))?
        .unchecked_into();
    let track = stream.get_video_tracks().get(0);
    let track = track
        .dyn_into::<MediaStreamTrack>()
        .map_err(|_| (w.share_failed)("no picture"))?;
    // Text and detail over smoothness: the browser keeps the resolution when it must save.
    let _ = js_sys::Reflect::set(&track, &"contentHint".into(), &"detail".into());
    Ok(track)
}

fn error_name(e: &JsValue) -> String {
    js_sys::Reflect::get(e, &"name".into())
        .ok()
        .and_then(|n| n.as_string())
        .unwrap_or_default()
}

/// Holds `track` as the shared screen; `ended` runs when the browser stops it (its own "Stop
/// sharing" button, or the screen went away).
pub fn keep(track: MediaStreamTrack, share: RwSignal<Share>, ended: impl FnOnce() + 'static) {
    let mut ended = Some(ended);
    let on_ended = Closure::<dyn FnMut(Event)>::new(move |_: Event| {
        if let Some(f) = ended.take() {
            // After this handler returns: stopping drops this very closure.
            wasm_bindgen_futures::spawn_local(async move { f() });
        }
    });
    track.set_onended(Some(on_ended.as_ref().unchecked_ref()));
    if let Some(root) = super::peer::test_hook() {
        // The tests end sharing as the browser's own button would.
        let _ = js_sys::Reflect::set(&root, &"screen".into(), &track);
    }
    let old = SHARED.with(|s| {
        s.borrow_mut().replace(Shared {
            track,
            share,
            _on_ended: on_ended,
        })
    });
    if let Some(old) = old {
        end(old);
    }
}

/// The screen being shared, if any.
pub fn track() -> Option<MediaStreamTrack> {
    SHARED.with(|s| s.borrow().as_ref().map(|s| s.track.clone()))
}

pub fn sharing() -> bool {
    SHARED.with(|s| s.borrow().is_some())
}

/// Stops sharing: the screen is released and the button goes back. Whether anything was
/// being shared.
pub fn stop() -> bool {
    let old = SHARED.with(|s| s.borrow_mut().take());
    let was = old.is_some();
    if let Some(old) = old {
        end(old);
    }
    was
}

fn end(shared: Shared) {
    shared.track.set_onended(None);
    shared.track.stop();
    shared
        .share
        .try_update(|s| *s = s.after(super::screen::Step::Stop));
    if let Some(root) = super::peer::test_hook() {
        let _ = js_sys::Reflect::delete_property(
            root.unchecked_ref::<js_sys::Object>(),
            &"screen".into(),
        );
    }
}
