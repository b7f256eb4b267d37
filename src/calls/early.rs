//! The call's socket and camera, started as the page is parsed rather than once the wasm has loaded
//! and hydrated: a camera takes from tens of milliseconds (a test's fake one) to a second (a real
//! one warming up) to start, and the socket a round trip and the server's welcome; both now overlap
//! the page load. The call stage registers this inline script (with the page's CSP nonce) in the
//! page's `<head>`, ahead of the stylesheet, so it runs as soon as it is parsed: an inline script
//! after a stylesheet waits for it, and holds up the parser. When the welcome comes, the script
//! also sends the `join` the server wrote into it ([`script`]: a string literal that cannot end the
//! script), so the round trip to the room overlaps the wasm's loading too. It leaves the socket,
//! with the frames that arrived meanwhile and whether it joined, in `window.__parleySocket` and the
//! camera's promise in `window.__parleyCamera`; the engine takes both (`calls::socket`,
//! `calls::media`) instead of starting its own, and does not join a second time. The camera's
//! constraints are the engine's own, test mode included.

// The constraints as macros, so the script below is one literal (`concat!`).
macro_rules! video {
    () => {
        r#"{"width":{"ideal":640},"height":{"ideal":480}}"#
    };
}
macro_rules! video_lowres {
    () => {
        r#"{"width":160,"height":120,"frameRate":10}"#
    };
}

/// Camera and microphone for a call.
pub const VIDEO: &str = video!();
/// With test hooks on and `?lowres=1`: a small, silent, 10 fps picture (for tests with many
/// pages on few cores).
pub const VIDEO_LOWRES: &str = video_lowres!();
/// Where the script leaves the camera's promise.
pub const GLOBAL: &str = "__parleyCamera";
/// Where the script leaves the socket: `{ws, queued, joined}`: the frames received so far in
/// order, and whether it sent the `join` (it does once the welcome is in).
pub const SOCKET_GLOBAL: &str = "__parleySocket";
/// Where the script leaves the DTLS certificate it made for the page's peer connections: a
/// connection made without one makes its own first, and its offer waits for it (10-40 ms here).
pub const CERT_GLOBAL: &str = "__parleyCert";

// Makes the certificate every connection of the page uses ([`CERT_GLOBAL`]), the kind Chromium
// makes by itself (ECDSA P-256); a browser that cannot simply has none there.
#[cfg(feature = "ssr")]
macro_rules! cert {
    () => {
        concat!(
            "try{RTCPeerConnection.generateCertificate({name:'ECDSA',namedCurve:'P-256'})",
            ".then(c=>{window.__parleyCert=c},()=>{})}catch(e){}"
        )
    };
}

// Opens `/ws` on this site (what `calls::socket` opens first), keeps what arrives, and sends
// the `join` in `j` ([`script`] defines it) once the first frame, the welcome, is in.
#[cfg(feature = "ssr")]
macro_rules! socket {
    () => {
        concat!(
            "(()=>{const ws=new WebSocket((location.protocol==='https:'?'wss://':'ws://')",
            "+location.host+'/ws'),queued=[],o={ws,queued,joined:false};",
            "ws.onmessage=e=>{queued.push(e.data);if(j&&queued.length===1){",
            "try{if(JSON.parse(e.data).type==='welcome'){ws.send(j);o.joined=true}}catch(x){}}};",
            "window.__parleySocket=o})();"
        )
    };
}

/// The early script of a call page for `room` in `role`: [`SCRIPT`], or [`SOCKET_SCRIPT`] for a
/// watcher (who sends no media), in a block that gives it the `join` to send.
#[cfg(feature = "ssr")]
pub fn script(room: &str, role: crate::signaling::protocol::Role) -> String {
    let body = if role == crate::signaling::protocol::Role::Watch {
        SOCKET_SCRIPT
    } else {
        SCRIPT
    };
    format!("{{const j={};{body}}}", js_string(&join_frame(room, role)))
}

/// `text` as a JavaScript string literal that cannot end the `<script>` element it is in (no
/// `<` in it, so no `</script>` and no `<!--`).
#[cfg(feature = "ssr")]
fn js_string(text: &str) -> String {
    serde_json::to_string(text)
        .unwrap_or_default()
        .replace('<', "\\u003c")
}

/// The `join` the script sends for `room` and `role`.
#[cfg(feature = "ssr")]
pub fn join_frame(room: &str, role: crate::signaling::protocol::Role) -> String {
    crate::signaling::protocol::ClientMessage::Join {
        room: room.into(),
        role,
    }
    .to_json()
}

/// For a watcher, who sends no media: the socket alone.
#[cfg(feature = "ssr")]
pub const SOCKET_SCRIPT: &str = concat!(cert!(), socket!());

// The `localStorage` key of the remembered devices (`devices::STORAGE_KEY`).
#[cfg(feature = "ssr")]
macro_rules! storage_key {
    () => {
        "parley.devices"
    };
}

/// Where the script leaves the device choice it asked with (the stored text), so the engine
/// takes its camera only if the choice is still the same.
pub const CHOICE_GLOBAL: &str = "__parleyCameraChoice";

/// The socket and the camera, with the remembered devices preferred. A browser that has never
/// chosen its devices starts neither: its call opens on the pre-join screen, and starts from
/// there. A refusal of the camera is caught here too, so it is never reported as unhandled
/// before the engine takes the promise (which sees the refusal and words it).
#[cfg(feature = "ssr")]
pub const SCRIPT: &str = concat!(
    cert!(),
    "(()=>{let s=null;try{s=localStorage.getItem('",
    storage_key!(),
    "')}catch(e){}if(s===null)return;",
    socket!(),
    "const m=navigator.mediaDevices;if(!m||!m.getUserMedia)return;",
    "let d={};try{d=JSON.parse(s)||{}}catch(e){}",
    "const low=!!document.querySelector('meta[name=parley-test-hooks]')",
    "&&location.search.includes('lowres=1');",
    "const v=low?",
    video_lowres!(),
    ":",
    video!(),
    ";if(d.camera)v.deviceId={ideal:d.camera};",
    "const a=low?false:d.microphone?{deviceId:{ideal:d.microphone}}:true;",
    "const p=m.getUserMedia({video:v,audio:a});p.catch(()=>{});",
    "window.__parleyCamera=p;window.__parleyCameraChoice=s})()"
);

/// The socket the script opened.
#[cfg(feature = "hydrate")]
pub struct Early {
    pub ws: web_sys::WebSocket,
    /// What it received, in order.
    pub queued: Vec<String>,
    /// Whether it sent the `join` (answering the first of `queued`, the welcome).
    pub joined: bool,
}

/// The socket the script opened, taken once; `None` if there is none or it is already closing
/// (the engine then opens its own).
#[cfg(feature = "hydrate")]
pub fn take_socket() -> Option<Early> {
    use wasm_bindgen::JsCast;
    let window = web_sys::window()?;
    let key = wasm_bindgen::JsValue::from_str(SOCKET_GLOBAL);
    let early = js_sys::Reflect::get(&window, &key).ok()?;
    let _ = js_sys::Reflect::delete_property(&window, &key);
    let get = |k: &str| js_sys::Reflect::get(&early, &k.into()).ok();
    let ws: web_sys::WebSocket = get("ws")?.dyn_into().ok()?;
    ws.set_onmessage(None);
    if ws.ready_state() > web_sys::WebSocket::OPEN {
        let _ = ws.close();
        return None;
    }
    let queued = get("queued")?
        .dyn_into::<js_sys::Array>()
        .ok()?
        .iter()
        .filter_map(|m| m.as_string())
        .collect();
    let joined = get("joined").and_then(|j| j.as_bool()).unwrap_or(false);
    Some(Early { ws, queued, joined })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_script_asks_with_the_engines_constraints_and_cannot_close_its_tag() {
        let s = SCRIPT;
        assert!(s.contains(r#"low?{"width":160,"height":120,"frameRate":10}:{"width":{"ideal":640},"height":{"ideal":480}}"#));
        assert!(s.contains("const a=low?false:"));
        let hooks = format!("meta[name={}]", crate::test_hooks::META_NAME);
        assert!(s.contains(&hooks));
        // Unquoted: a page without test hooks must not carry the marker's own text.
        let marker = format!("name=\"{}\"", crate::test_hooks::META_NAME);
        assert!(!s.contains(&marker));
        assert!(s.contains(&format!("window.{GLOBAL}=p;window.{CHOICE_GLOBAL}=s")));
        assert!(!s.contains("</"));
    }

    #[test]
    fn the_script_waits_for_the_pre_join_screen_and_prefers_the_chosen_devices() {
        let s = SCRIPT;
        let key = format!(
            "localStorage.getItem('{}')",
            crate::calls::devices::STORAGE_KEY
        );
        assert!(s.contains(&key));
        // Nothing early, not even the socket, before the user has chosen.
        let stop = s.find("if(s===null)return;").unwrap();
        assert!(stop < s.find("new WebSocket").unwrap());
        assert!(s.contains("if(d.camera)v.deviceId={ideal:d.camera}"));
        assert!(s.contains("d.microphone?{deviceId:{ideal:d.microphone}}"));
    }

    #[test]
    fn both_scripts_open_the_socket_the_engine_would() {
        for s in [SCRIPT, SOCKET_SCRIPT] {
            assert!(s.contains("+location.host+'/ws'"));
            assert!(s.contains("o={ws,queued,joined:false}"));
            assert!(s.contains(&format!("window.{SOCKET_GLOBAL}=o")));
            // The join goes once, answering the welcome.
            assert!(s.contains("if(j&&queued.length===1)"));
            assert!(s.contains("JSON.parse(e.data).type==='welcome'){ws.send(j);o.joined=true}"));
            assert!(!s.contains("</"));
        }
        assert!(!SOCKET_SCRIPT.contains("getUserMedia"));
        // The certificate is made whatever else the script does.
        for s in [SCRIPT, SOCKET_SCRIPT] {
            assert!(s.starts_with("try{RTCPeerConnection.generateCertificate("));
            assert!(s.contains(&format!("window.{CERT_GLOBAL}=c")));
        }
        assert_eq!(
            join_frame("a \"room\"", crate::signaling::protocol::Role::Watch),
            r#"{"type":"join","room":"a \"room\"","role":"watch"}"#
        );
        assert_eq!(crate::calls::resume::socket_path(None), "/ws");
    }

    #[test]
    fn a_room_name_cannot_end_the_script_and_reaches_the_join_intact() {
        use crate::signaling::protocol::Role;
        let room = "a\"</script><script>alert(1)</script><!--";
        let s = script(room, Role::Mesh);
        assert!(!s.contains('<'));
        assert!(s.starts_with("{const j=\"") && s.ends_with("}"));
        assert!(s.contains(SCRIPT));
        // The literal, read back as JSON (what the browser reads it as), is the join frame.
        // `{const j=<literal>;<SCRIPT>}`
        let literal = &s["{const j=".len()..s.len() - SCRIPT.len() - ";}".len()];
        let join: String = serde_json::from_str(literal).unwrap();
        assert_eq!(join, join_frame(room, Role::Mesh));
        assert!(script("r", Role::Watch).contains(SOCKET_SCRIPT));
        assert!(!script("r", Role::Watch).contains("getUserMedia"));
    }
}
