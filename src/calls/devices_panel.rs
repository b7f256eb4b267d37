//! Choosing camera, microphone and speaker: the pickers (also on the pre-join screen) and,
//! during the call, the Devices button and its panel. A switch takes effect at once and is
//! remembered; when the device in use is unplugged the call falls back to the default.
use super::devices::{Choice, Device, Kind};
use super::model::Ui;
use crate::i18n::Words;
use crate::signaling::protocol::Role;
use leptos::prelude::*;

/// One labelled list per kind in `kinds`; `on_pick` gets the kind and the chosen id ("" for
/// the default).
#[component]
pub fn DevicePickers(
    devices: RwSignal<Vec<Device>>,
    choice: RwSignal<Choice>,
    kinds: Vec<Kind>,
    on_pick: Callback<(Kind, String)>,
    w: &'static Words,
) -> impl IntoView {
    kinds
        .into_iter()
        .map(|kind| {
            let id = format!("pick-{}", kind.key());
            let options = move || {
                devices.with(|d| {
                    d.iter()
                        .filter(|d| d.kind == kind)
                        .cloned()
                        .collect::<Vec<_>>()
                })
            };
            let chosen = move || choice.with(|c| c.get(kind).unwrap_or_default().to_owned());
            view! {
                <label class="picker" for=id.clone()>
                    <span>{kind.label(w)}</span>
                    <select id=id.clone() data-testid=format!("pick-{}", kind.key())
                        on:change=move |ev| on_pick.run((kind, event_target_value(&ev)))>
                        <option value="" prop:selected=move || chosen().is_empty()>{w.default_device}</option>
                        <For each=options key=|d| d.id.clone() let:d>
                            <option value=d.id.clone() prop:selected={
                                let id = d.id.clone();
                                move || chosen() == id
                            }>{d.label.clone()}</option>
                        </For>
                    </select>
                </label>
            }
        })
        .collect_view()
}

/// The Devices button and its panel, beside the call's other controls.
#[component]
pub fn DevicesPanel(role: Role, ui: Ui) -> impl IntoView {
    let w = ui.words;
    let open = RwSignal::new(false);
    let devices = RwSignal::new(Vec::<Device>::new());
    let choice = RwSignal::new(Choice::default());
    let speaker = RwSignal::new(false);
    let kinds = move || {
        let mut k = Vec::new();
        if role != Role::Watch {
            k.extend([Kind::Camera, Kind::Microphone]);
        }
        if speaker.get() {
            k.push(Kind::Speaker);
        }
        k
    };
    #[cfg(feature = "hydrate")]
    let on_pick = live::watch(ui, devices, choice, speaker);
    #[cfg(not(feature = "hydrate"))]
    let on_pick = Callback::new(|_: (Kind, String)| {});
    view! {
        <Show when=move || !kinds().is_empty()>
            <button type="button" class="toggle devices-toggle" aria-expanded=move || open.get().to_string()
                aria-controls="devices-panel" data-testid="devices-toggle"
                on:click=move |_| open.update(|o| *o = !*o)>
                <svg viewBox="0 0 24 24" width="16" height="16" aria-hidden="true">
                    <circle cx="12" cy="12" r="3" fill="none" stroke="currentColor" stroke-width="2"/>
                    <path d="M12 2v3M12 19v3M2 12h3M19 12h3M4.9 4.9l2.1 2.1M17 17l2.1 2.1M4.9 19.1 7 17M17 7l2.1-2.1"
                        fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round"/>
                </svg>
                {w.devices}
            </button>
        </Show>
        <Show when=move || open.get()>
            <div id="devices-panel" class="card devices-panel" role="group" aria-label=w.devices data-testid="devices-panel">
                {move || view! { <DevicePickers devices choice kinds=kinds() on_pick w/> }}
            </div>
        </Show>
    }
}

#[cfg(feature = "hydrate")]
mod live {
    use super::super::chat_panel::EngineContext;
    use super::super::devices::browser::{self, device_of, list, open, set_speaker};
    use super::super::devices::{still_there, Choice, Device, Kind};
    use super::Ui;
    use leptos::prelude::*;
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::JsCast;
    use wasm_bindgen_futures::spawn_local;

    /// Fills the lists now and on every `devicechange`, keeps the speaker on new tiles, and
    /// returns what a pick does.
    pub fn watch(
        ui: Ui,
        devices: RwSignal<Vec<Device>>,
        choice: RwSignal<Choice>,
        speaker: RwSignal<bool>,
    ) -> Callback<(Kind, String)> {
        let engine = use_context::<EngineContext>();
        choice.set(browser::load());
        // After hydration: the server's page has no speaker list, so the first render must not.
        Effect::new(move |_| speaker.set(browser::speaker_supported()));
        let w = ui.words;
        spawn_local(async move {
            devices.try_set(list(w).await);
        });
        let e = engine.clone();
        let changed = Closure::<dyn FnMut()>::new(move || {
            let e = e.clone();
            spawn_local(async move {
                let found = list(w).await;
                devices.try_set(found.clone());
                if let Some(e) = e {
                    fall_back(&e, ui, &found).await;
                }
                let wanted = choice.with_untracked(|c| c.speaker.clone());
                if wanted.is_some_and(|id| !still_there(&id, Kind::Speaker, &found)) {
                    set_speaker("");
                    ui.detail.try_set(Kind::Speaker.gone(w).to_owned());
                }
            });
        });
        if let Some(m) = web_sys::window().and_then(|w| w.navigator().media_devices().ok()) {
            let _ = m
                .add_event_listener_with_callback("devicechange", changed.as_ref().unchecked_ref());
            let m = send_wrapper::SendWrapper::new((m, changed));
            on_cleanup(move || {
                let (m, f) = &*m;
                let _ = m.remove_event_listener_with_callback(
                    "devicechange",
                    f.as_ref().unchecked_ref(),
                );
            });
        }
        // New tiles play on the chosen speaker too.
        Effect::new(move |_| {
            ui.tiles.track();
            if let Some(id) = choice.with_untracked(|c| c.speaker.clone()) {
                set_speaker(&id);
            }
        });
        Callback::new(move |(kind, id): (Kind, String)| {
            choice.update(|c| c.set(kind, &id));
            browser::save(&choice.get_untracked());
            if kind == Kind::Speaker {
                set_speaker(&id);
                return;
            }
            let Some(e) = engine.clone() else { return };
            spawn_local(async move {
                let id = (!id.is_empty()).then_some(id);
                match open(kind, id.as_deref()).await {
                    Ok(track) => {
                        e.use_track(track);
                    }
                    Err(err) => {
                        let why = js_sys::Reflect::get(&err, &"name".into())
                            .ok()
                            .and_then(|n| n.as_string())
                            .unwrap_or_default();
                        ui.detail.try_set((ui.words.device_failed)(&why));
                    }
                }
            });
        })
    }

    /// A camera or microphone in use that is no longer listed (or whose track ended) is
    /// replaced by the default one, and the user told.
    async fn fall_back(e: &EngineContext, ui: Ui, found: &[Device]) {
        for kind in [Kind::Camera, Kind::Microphone] {
            let Some(track) = e.local_track(kind.track_kind()) else {
                continue;
            };
            let ended = track.ready_state() == web_sys::MediaStreamTrackState::Ended;
            if !ended && still_there(&device_of(&track), kind, found) {
                continue;
            }
            ui.detail.try_set(kind.gone(ui.words).to_owned());
            if let Ok(t) = open(kind, None).await {
                e.use_track(t);
            }
        }
    }
}
