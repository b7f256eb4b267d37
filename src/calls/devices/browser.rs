//! The browser's side of device choice: the remembered choice in `localStorage`, the device
//! lists, opening one camera or microphone, the speaker of every remote tile, and the pre-join
//! step that holds the call's start until the user says Join.
use super::{named, pick, Choice, Device, Kind, Pick, STORAGE_KEY};
use crate::calls::model::Ui;
use crate::i18n::Words;
use js_sys::{Array, Function, Reflect};
use leptos::prelude::*;
use std::cell::{Cell, RefCell};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{MediaStream, MediaStreamConstraints, MediaStreamTrack};

thread_local! {
    /// The call's start, held while the pre-join screen shows.
    static HELD: RefCell<Option<Box<dyn FnOnce()>>> = RefCell::default();
    /// "Join with camera off" was pressed: the camera starts disabled.
    static CAMERA_OFF: Cell<bool> = const { Cell::new(false) };
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// The stored choice, as text (`None`: never chosen in this browser).
pub fn stored() -> Option<String> {
    storage()?.get_item(STORAGE_KEY).ok().flatten()
}

pub fn load() -> Choice {
    stored().and_then(|s| Choice::parse(&s)).unwrap_or_default()
}

pub fn save(choice: &Choice) {
    if let Some(s) = storage() {
        let _ = s.set_item(STORAGE_KEY, &choice.to_json());
    }
}

/// Runs `start` (the call's start) now, or holds it for the pre-join screen when this call
/// asks for devices first.
pub fn after_prejoin(watching: bool, start: impl FnOnce() + 'static) {
    CAMERA_OFF.set(false);
    if super::asks_first(stored().as_deref(), watching) {
        HELD.set(Some(Box::new(start)));
    } else {
        start();
    }
}

/// Whether a call start waits for the pre-join screen.
pub fn held() -> bool {
    HELD.with_borrow(Option::is_some)
}

/// The pre-join screen's Join: remembers `choice` and starts the call.
pub fn join(choice: &Choice, camera_off: bool) {
    save(choice);
    CAMERA_OFF.set(camera_off);
    if let Some(start) = HELD.take() {
        start();
    }
}

/// The call was left or closed: a held start never runs.
pub fn forget_held() {
    HELD.set(None);
}

fn media_devices() -> Option<web_sys::MediaDevices> {
    web_sys::window()?.navigator().media_devices().ok()
}

/// The cameras, microphones and speakers the browser lists, named.
pub async fn list(w: &Words) -> Vec<Device> {
    let Some(promise) = media_devices().and_then(|m| m.enumerate_devices().ok()) else {
        return Vec::new();
    };
    let Ok(found) = JsFuture::from(promise).await else {
        return Vec::new();
    };
    let text = |d: &JsValue, k: &str| {
        Reflect::get(d, &k.into())
            .ok()
            .and_then(|v| v.as_string())
            .unwrap_or_default()
    };
    let raw: Vec<_> = Array::from(&found)
        .iter()
        .map(|d| (text(&d, "kind"), text(&d, "deviceId"), text(&d, "label")))
        .collect();
    named(&raw, w)
}

/// Whether the browser can send sound to a chosen speaker (`HTMLMediaElement.setSinkId`).
pub fn speaker_supported() -> bool {
    web_sys::window()
        .and_then(|w| Reflect::get(&w, &"HTMLMediaElement".into()).ok())
        .and_then(|c| Reflect::get(&c, &"prototype".into()).ok())
        .is_some_and(|p| Reflect::has(&p, &"setSinkId".into()).unwrap_or(false))
}

/// The constraint for one kind: the picture size the call uses, and the device, `exact` (a
/// switch: that one or fail) or `ideal` (a start: that one if it is there).
fn constraint(kind: Kind, id: Option<&str>, exact: bool) -> JsValue {
    let c = js_sys::Object::new();
    if kind == Kind::Camera {
        let ideal = |n: u32| {
            let o = js_sys::Object::new();
            let _ = Reflect::set(&o, &"ideal".into(), &n.into());
            o
        };
        let _ = Reflect::set(&c, &"width".into(), &ideal(640));
        let _ = Reflect::set(&c, &"height".into(), &ideal(480));
    }
    if let Some(id) = id {
        let d = js_sys::Object::new();
        let how = if exact { "exact" } else { "ideal" };
        let _ = Reflect::set(&d, &how.into(), &id.into());
        let _ = Reflect::set(&c, &"deviceId".into(), &d);
    }
    c.into()
}

/// Asks for one track of `kind` from device `id` (`None`: the default).
pub async fn open(kind: Kind, id: Option<&str>) -> Result<MediaStreamTrack, JsValue> {
    let devices = media_devices().ok_or_else(|| JsValue::from_str("mediaDevices"))?;
    let c = MediaStreamConstraints::new();
    let want = constraint(kind, id, true);
    match kind {
        Kind::Camera => c.set_video(&want),
        _ => c.set_audio(&want),
    }
    let stream: MediaStream = JsFuture::from(devices.get_user_media_with_constraints(&c)?)
        .await?
        .dyn_into()?;
    stream
        .get_tracks()
        .get(0)
        .dyn_into::<MediaStreamTrack>()
        .map_err(|_| JsValue::from_str("no track"))
}

/// Adds the remembered camera and microphone to the call's first `getUserMedia` (as `ideal`,
/// so a device that is gone gives the default rather than no call).
pub fn prefer_chosen(c: &MediaStreamConstraints) {
    let choice = load();
    for (key, kind) in [("video", Kind::Camera), ("audio", Kind::Microphone)] {
        let Some(id) = choice.get(kind) else { continue };
        let Ok(current) = Reflect::get(c, &key.into()) else {
            continue;
        };
        if current.is_object() {
            let d = js_sys::Object::new();
            let _ = Reflect::set(&d, &"ideal".into(), &id.into());
            let _ = Reflect::set(&current, &"deviceId".into(), &d);
        } else if current.as_bool() == Some(true) {
            let _ = Reflect::set(c, &key.into(), &constraint(kind, Some(id), false));
        }
    }
}

/// The device a track comes from (`getSettings().deviceId`; empty if the browser does not say).
pub fn device_of(track: &MediaStreamTrack) -> String {
    Reflect::get(track, &"getSettings".into())
        .ok()
        .and_then(|f| f.dyn_into::<Function>().ok())
        .and_then(|f| f.call0(track).ok())
        .and_then(|s| Reflect::get(&s, &"deviceId".into()).ok())
        .and_then(|v| v.as_string())
        .unwrap_or_default()
}

/// The call's camera and microphone started: turn the camera off if the user joined that way,
/// say so if a remembered device was not there, and send sound to the remembered speaker.
pub fn started(stream: &MediaStream, ui: Ui) {
    let tracks: Vec<MediaStreamTrack> = stream
        .get_tracks()
        .iter()
        .filter_map(|t| t.dyn_into().ok())
        .collect();
    if CAMERA_OFF.get() {
        for t in tracks.iter().filter(|t| t.kind() == "video") {
            t.set_enabled(false);
        }
    }
    let choice = load();
    let w = ui.words;
    for kind in [Kind::Camera, Kind::Microphone] {
        let Some(wanted) = choice.get(kind) else {
            continue;
        };
        let using = tracks
            .iter()
            .find(|t| t.kind() == kind.track_kind())
            .map(device_of);
        if using.is_some_and(|u| !u.is_empty() && u != wanted) {
            ui.detail.try_set(kind.gone(w).to_owned());
        }
    }
    if let Some(id) = choice.speaker.clone() {
        wasm_bindgen_futures::spawn_local(async move {
            let list = list(w).await;
            match pick(Some(&id), Kind::Speaker, &list) {
                Pick::Chosen(id) => set_speaker(&id),
                _ => {
                    ui.detail.try_set(Kind::Speaker.gone(w).to_owned());
                }
            }
        });
    }
}

/// Sends every remote tile's sound to speaker `id` ("" for the default).
pub fn set_speaker(id: &str) {
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let Ok(videos) = doc.query_selector_all(".tile.remote video") else {
        return;
    };
    for i in 0..videos.length() {
        let Some(v) = videos.get(i) else { continue };
        let set = Reflect::get(&v, &"setSinkId".into())
            .ok()
            .and_then(|f| f.dyn_into::<Function>().ok());
        if let Some(f) = set {
            // A rejected promise (device gone meanwhile) leaves the tile on its old speaker.
            if let Ok(p) = f.call1(&v, &id.into()) {
                if let Ok(p) = p.dyn_into::<js_sys::Promise>() {
                    wasm_bindgen_futures::spawn_local(async move {
                        let _ = JsFuture::from(p).await;
                    });
                }
            }
        }
    }
}
