//! The local camera and microphone.
use crate::i18n::Words;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{MediaStream, MediaStreamConstraints, MediaStreamTrack};

/// Camera and microphone: the request the page's inline script made as it loaded (see
/// `calls::early`), or else one made now (the future only waits for the answer). With test
/// hooks on, `?lowres=1` in the page URL asks for a small, silent, 10 fps picture (for tests
/// with many pages on few cores). A failure comes in `w`'s words.
pub fn camera(w: &'static Words) -> impl std::future::Future<Output = Result<MediaStream, String>> {
    let asked = asked_early().map_or_else(|| ask_camera(w), Ok);
    async move {
        let stream = JsFuture::from(asked?).await.map_err(|e| describe(e, w))?;
        stream
            .dyn_into::<MediaStream>()
            .map_err(|_| (w.camera_other)("no stream"))
    }
}

/// The inline script's request, taken once (a later call stage on this page asks anew). Used
/// only if the device choice it asked with is still the one stored (the Devices panel of an
/// earlier call on this page may have changed it); otherwise its camera is stopped.
fn asked_early() -> Option<js_sys::Promise> {
    let window = web_sys::window()?;
    let take = |name: &str| {
        let key = wasm_bindgen::JsValue::from_str(name);
        let value = js_sys::Reflect::get(&window, &key).ok();
        let _ = js_sys::Reflect::delete_property(&window, &key);
        value
    };
    let seen = take(super::early::CHOICE_GLOBAL).and_then(|v| v.as_string());
    let promise = take(super::early::GLOBAL)?
        .dyn_into::<js_sys::Promise>()
        .ok()?;
    if seen == super::devices::browser::stored() {
        return Some(promise);
    }
    wasm_bindgen_futures::spawn_local(async move {
        if let Ok(stream) = JsFuture::from(promise).await {
            if let Ok(stream) = stream.dyn_into::<MediaStream>() {
                stop(&stream);
            }
        }
    });
    None
}

/// Calls `getUserMedia`; its promise.
fn ask_camera(w: &'static Words) -> Result<js_sys::Promise, String> {
    let window = web_sys::window().ok_or(w.camera_no_access)?;
    let lowres = crate::test_hooks::enabled()
        && window
            .location()
            .search()
            .unwrap_or_default()
            .contains("lowres=1");
    let devices = window
        .navigator()
        .media_devices()
        .map_err(|_| w.camera_no_access)?;
    let c = MediaStreamConstraints::new();
    let constraints = |v: &str| js_sys::JSON::parse(v).map_err(|_| (w.camera_other)("constraints"));
    if lowres {
        c.set_video(&constraints(super::early::VIDEO_LOWRES)?);
        c.set_audio(&false.into());
    } else {
        c.set_video(&constraints(super::early::VIDEO)?);
        c.set_audio(&true.into());
    }
    super::devices::browser::prefer_chosen(&c);
    devices
        .get_user_media_with_constraints(&c)
        .map_err(|e| describe(e, w))
}

pub fn stop(stream: &MediaStream) {
    for t in stream.get_tracks().iter() {
        if let Ok(t) = t.dyn_into::<MediaStreamTrack>() {
            t.stop();
        }
    }
}

/// A getUserMedia failure in words a person understands.
fn describe(e: wasm_bindgen::JsValue, w: &Words) -> String {
    let name = js_sys::Reflect::get(&e, &"name".into())
        .ok()
        .and_then(|n| n.as_string())
        .unwrap_or_default();
    match name.as_str() {
        "NotAllowedError" => w.camera_blocked.into(),
        "NotFoundError" => w.camera_missing.into(),
        "NotReadableError" => w.camera_busy.into(),
        _ => (w.camera_other)(&name),
    }
}

/// The local tracks, as shown in `#local-video` (none before the camera starts or without one).
fn local_tracks() -> Vec<MediaStreamTrack> {
    let stream = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("local-video"))
        .and_then(|e| e.dyn_into::<web_sys::HtmlVideoElement>().ok())
        .and_then(|v| v.src_object());
    let Some(stream) = stream else {
        return Vec::new();
    };
    stream
        .get_tracks()
        .iter()
        .filter_map(|t| t.dyn_into::<MediaStreamTrack>().ok())
        .collect()
}

/// Enables or disables the local `kind` ("audio" or "video") tracks.
pub fn set_local_enabled(kind: &str, enabled: bool) {
    for t in local_tracks().iter().filter(|t| t.kind() == kind) {
        t.set_enabled(enabled);
    }
}

/// Whether we send sound and picture: a live, enabled microphone and camera.
pub fn local_on() -> (bool, bool) {
    let tracks = local_tracks();
    let on = |kind: &str| {
        tracks.iter().any(|t| {
            t.kind() == kind
                && t.enabled()
                && t.ready_state() == web_sys::MediaStreamTrackState::Live
        })
    };
    (on("audio"), on("video"))
}

/// Shows our own camera in the stage's local preview (muted, so we do not hear ourselves).
pub fn attach_local(stream: &MediaStream) {
    let video = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("local-video"))
        .and_then(|e| e.dyn_into::<web_sys::HtmlVideoElement>().ok());
    if let Some(v) = video {
        v.set_muted(true);
        v.set_src_object(Some(stream));
        play(&v);
    }
}

/// Starts `video` playing, ignoring a refusal (see [`played`]).
pub fn play(video: &web_sys::HtmlVideoElement) {
    let video = video.clone();
    wasm_bindgen_futures::spawn_local(async move {
        played(&video).await;
    });
}

/// Starts `video` playing and returns whether it did. A refusal (autoplay rules, or the
/// element leaving the page while it loads, as happens when tiles re-render) is an answer,
/// not an error: it must not surface as an unhandled rejection.
pub async fn played(video: &web_sys::HtmlVideoElement) -> bool {
    match video.play() {
        Ok(p) => JsFuture::from(p).await.is_ok(),
        Err(_) => false,
    }
}
