//! The local camera and microphone.
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{MediaStream, MediaStreamConstraints, MediaStreamTrack};

/// Camera and microphone: the request the page's inline script made as it loaded (see
/// `calls::early`), or else one made now (the future only waits for the answer). With test
/// hooks on, `?lowres=1` in the page URL asks for a small, silent, 10 fps picture (for tests
/// with many pages on few cores).
pub fn camera() -> impl std::future::Future<Output = Result<MediaStream, String>> {
    let asked = asked_early().map_or_else(ask_camera, Ok);
    async move {
        let stream = JsFuture::from(asked?).await.map_err(describe)?;
        stream
            .dyn_into::<MediaStream>()
            .map_err(|_| "camera gave no stream".to_owned())
    }
}

/// The inline script's request, taken once (a later call stage on this page asks anew).
fn asked_early() -> Option<js_sys::Promise> {
    let window = web_sys::window()?;
    let key = wasm_bindgen::JsValue::from_str(super::early::GLOBAL);
    let promise = js_sys::Reflect::get(&window, &key)
        .ok()?
        .dyn_into::<js_sys::Promise>()
        .ok()?;
    let _ = js_sys::Reflect::delete_property(&window, &key);
    Some(promise)
}

/// Calls `getUserMedia`; its promise.
fn ask_camera() -> Result<js_sys::Promise, String> {
    let window = web_sys::window().ok_or("no window")?;
    let lowres = crate::test_hooks::enabled()
        && window
            .location()
            .search()
            .unwrap_or_default()
            .contains("lowres=1");
    let devices = window
        .navigator()
        .media_devices()
        .map_err(|_| "this browser has no camera access (is the page on https?)")?;
    let c = MediaStreamConstraints::new();
    if lowres {
        let v = js_sys::JSON::parse(super::early::VIDEO_LOWRES).map_err(|_| "constraints")?;
        c.set_video(&v);
        c.set_audio(&false.into());
    } else {
        let v = js_sys::JSON::parse(super::early::VIDEO).map_err(|_| "constraints")?;
        c.set_video(&v);
        c.set_audio(&true.into());
    }
    devices
        .get_user_media_with_constraints(&c)
        .map_err(describe)
}

pub fn stop(stream: &MediaStream) {
    for t in stream.get_tracks().iter() {
        if let Ok(t) = t.dyn_into::<MediaStreamTrack>() {
            t.stop();
        }
    }
}

/// A getUserMedia failure in words a person understands.
fn describe(e: wasm_bindgen::JsValue) -> String {
    let name = js_sys::Reflect::get(&e, &"name".into())
        .ok()
        .and_then(|n| n.as_string())
        .unwrap_or_default();
    match name.as_str() {
        "NotAllowedError" => {
            "Camera and microphone are blocked. Allow them in the browser and reload.".into()
        }
        "NotFoundError" => "No camera or microphone was found.".into(),
        "NotReadableError" => "The camera is in use by another program.".into(),
        _ => format!("Couldn't start the camera ({name})."),
    }
}

/// Enables or disables the local `kind` ("audio" or "video") tracks shown in `#local-video`.
pub fn set_local_enabled(kind: &str, enabled: bool) {
    let stream = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("local-video"))
        .and_then(|e| e.dyn_into::<web_sys::HtmlVideoElement>().ok())
        .and_then(|v| v.src_object());
    let Some(stream) = stream else { return };
    for t in stream.get_tracks().iter() {
        if let Ok(t) = t.dyn_into::<MediaStreamTrack>() {
            if t.kind() == kind {
                t.set_enabled(enabled);
            }
        }
    }
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
        let _ = v.play();
    }
}
