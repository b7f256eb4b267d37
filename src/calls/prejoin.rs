//! The pre-join screen: the first call in a browser shows our camera and the device lists,
//! with Join and Join with camera off. Until then the call has not started (nobody in the
//! room sees us). Once chosen, the choice is remembered and later calls start at once; the
//! Devices button changes it during a call.
use super::devices::{Choice, Device, Kind};
use super::devices_panel::DevicePickers;
use crate::i18n::Words;
use leptos::prelude::*;

#[component]
pub fn PreJoin(
    /// The stage's camera-off switch: "Join with camera off" turns it on.
    camera_off: RwSignal<bool>,
    w: &'static Words,
) -> impl IntoView {
    // Shown only once the browser has looked (after hydration), so the server's page and the
    // browser's first render agree.
    let asking = RwSignal::new(false);
    let devices = RwSignal::new(Vec::<Device>::new());
    let choice = RwSignal::new(Choice::default());
    let no_preview = RwSignal::new(false);
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        if super::devices::browser::held() {
            choice.set(super::devices::browser::load());
            asking.set(true);
            preview::start(devices, choice, no_preview, w);
        }
    });
    #[cfg(feature = "hydrate")]
    let speaker = super::devices::browser::speaker_supported();
    #[cfg(not(feature = "hydrate"))]
    let speaker = false;
    let kinds = move || {
        let mut k = vec![Kind::Camera, Kind::Microphone];
        if speaker {
            k.push(Kind::Speaker);
        }
        k
    };
    let on_pick = Callback::new(move |(kind, id): (Kind, String)| {
        choice.update(|c| c.set(kind, &id));
        #[cfg(feature = "hydrate")]
        preview::switch(kind, id);
    });
    let join = move |off: bool| {
        asking.set(false);
        camera_off.set(off);
        #[cfg(feature = "hydrate")]
        {
            preview::stop();
            super::devices::browser::join(&choice.get_untracked(), off);
        }
    };
    view! {
        <Show when=move || asking.get()>
            <section class="card prejoin" aria-labelledby="prejoin-title" data-testid="prejoin">
                <h2 id="prejoin-title">{w.ready_to_join}</h2>
                <p class="muted">{w.check_devices}</p>
                <div class="prejoin-body">
                    <figure class="tile preview">
                        <video id="prejoin-video" autoplay=true playsinline=true muted=true></video>
                        <Show when=move || no_preview.get()>
                            <p class="cover-text">{w.preview_unavailable}</p>
                        </Show>
                    </figure>
                    <div class="prejoin-side">
                        <DevicePickers devices choice kinds=kinds() on_pick w/>
                        <div class="row">
                            <button type="button" class="primary" data-testid="join" on:click=move |_| join(false)>{w.join}</button>
                            <button type="button" data-testid="join-camera-off" on:click=move |_| join(true)>{w.join_camera_off}</button>
                        </div>
                    </div>
                </div>
            </section>
        </Show>
    }
}

#[cfg(feature = "hydrate")]
mod preview {
    use super::super::devices::browser::{list, open};
    use super::super::devices::{Choice, Device, Kind};
    use crate::i18n::Words;
    use leptos::prelude::*;
    use std::cell::RefCell;
    use wasm_bindgen::JsCast;
    use wasm_bindgen_futures::spawn_local;
    use web_sys::{MediaStream, MediaStreamTrack};

    thread_local! {
        static STREAM: RefCell<Option<MediaStream>> = RefCell::default();
    }

    fn video() -> Option<web_sys::HtmlVideoElement> {
        web_sys::window()?
            .document()?
            .get_element_by_id("prejoin-video")?
            .dyn_into()
            .ok()
    }

    /// Opens the chosen (or default) camera and microphone into the preview, then lists the
    /// devices (their names come with the permission).
    pub fn start(
        devices: RwSignal<Vec<Device>>,
        choice: RwSignal<Choice>,
        no_preview: RwSignal<bool>,
        w: &'static Words,
    ) {
        let chosen = choice.get_untracked();
        spawn_local(async move {
            let stream = MediaStream::new().ok();
            for kind in [Kind::Camera, Kind::Microphone] {
                let wanted = chosen.get(kind);
                let track = match open(kind, wanted).await {
                    Err(_) if wanted.is_some() => open(kind, None).await,
                    t => t,
                };
                match (track, &stream) {
                    (Ok(t), Some(s)) => s.add_track(&t),
                    (Err(_), _) if kind == Kind::Camera => no_preview.set(true),
                    _ => {}
                }
            }
            if let (Some(s), Some(v)) = (&stream, video()) {
                v.set_src_object(Some(s));
                crate::calls::media::play(&v);
            }
            STREAM.set(stream);
            devices.try_set(list(w).await);
        });
    }

    /// Puts device `id` of `kind` in the preview in place of the old one.
    pub fn switch(kind: Kind, id: String) {
        if kind == Kind::Speaker {
            return;
        }
        spawn_local(async move {
            let id = (!id.is_empty()).then_some(id);
            let Ok(track) = open(kind, id.as_deref()).await else {
                return;
            };
            let Some(stream) = STREAM.with_borrow(Clone::clone) else {
                track.stop();
                return;
            };
            for old in stream.get_tracks().iter() {
                let old: MediaStreamTrack = old.unchecked_into();
                if old.kind() == track.kind() {
                    stream.remove_track(&old);
                    old.stop();
                }
            }
            stream.add_track(&track);
        });
    }

    /// Releases the preview's camera and microphone (the call opens its own).
    pub fn stop() {
        if let Some(s) = STREAM.take() {
            crate::calls::media::stop(&s);
        }
        if let Some(v) = video() {
            v.set_src_object(None);
        }
    }
}
