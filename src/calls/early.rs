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
            "ws.onmessage=e=>{if(o.on&&o.on(e.data))return;queued.push(e.data);",
            "if(j&&queued.length===1){",
            "try{if(JSON.parse(e.data).type==='welcome'){ws.send(j);o.joined=true}}catch(x){}}};",
            "window.__parleySocket=o})();"
        )
    };
}

// A mesh newcomer's call, made here rather than once the wasm runs (which is 50-100 ms later on
// this machine, and busy hydrating when the peer answers): on the `joined` that answers our join,
// the script sends `call` and makes a connection to each peer already in the room, as
// `engine::negotiation` does (the welcome's ICE servers, the early certificate, audio and video
// lines for the camera still to come, the chat channel), and its offer. The offer and the
// connection's candidates are held until that peer's `response`, then sent; the peer's answer
// and candidates, when they come before the engine runs, are applied here too, and not kept
// for the engine. `o.ready` settles once every connection is up or has failed (or there is
// nothing to make, or the socket closed): the loader hydrates then (`loader.rs`), so the page's
// longest task runs once the call is up rather than while its offer, answer and candidates
// are on their way (the script handles each in a few milliseconds; hydrating made each wait for
// tens). The engine takes it all over on the `joined`
// it reads from the frames kept (`early::handoff`), and sends what the script's offers still
// send (`o.out`).
#[cfg(feature = "ssr")]
macro_rules! offers {
    () => {
        concat!(
            "(()=>{const o=window.__parleySocket,ws=o.ws;let ice,n=0;o.links={};",
            "o.ready=new Promise(r=>{o.go=r});ws.addEventListener('close',()=>o.go());",
            "const done=()=>{if(!--n)o.go()};",
            "o.out=(p,f)=>{const l=o.links[p];if(l&&l.held)l.held.push(f);else ws.send(f)};",
            "o.on=t=>{let m;try{m=JSON.parse(t)}catch(x){return}if(!m)return;",
            "const l=o.links[m.from];",
            "if(m.type==='welcome')ice=m.ice;else if(m.type==='error')o.go();",
            "else if(m.type==='joined'&&o.joined&&!o.announced){",
            "o.announced=true;if(m.role!=='mesh')return o.go();ws.send('",
            r#"{"type":"call"}"#,
            "');try{const c=ice||{},g={iceServers:Array.isArray(c.iceServers)?c.iceServers:[]};",
            "if(c.iceTransportPolicy==='relay')g.iceTransportPolicy='relay';",
            "if(window.__parleyCert)g.certificates=[window.__parleyCert];",
            "const later=o.later=new MediaStream();",
            "for(const q of m.peers||[]){if(q.role!=='mesh')continue;const p=q.id;",
            "try{const pc=new RTCPeerConnection(g),",
            "l=o.links[p]={pc,held:[],found:0,gathered:-1,pending:[],set:false};",
            "for(const k of['audio','video'])pc.addTransceiver(k,{direction:'sendrecv',streams:[later]});",
            "l.dc=pc.createDataChannel('chat');",
            "pc.ontrack=e=>{if(e.streams[0])l.stream=e.streams[0]};",
            "let up=0;const fin=l.fin=()=>{if(!up){up=1;done()}};",
            "pc.addEventListener('connectionstatechange',()=>{const s=pc.connectionState;if(s==='connected'||s==='failed')fin()});",
            "pc.onicecandidate=e=>{const x=e.candidate;if(!x){l.gathered=l.found;l.found=0;return}",
            "if(!x.candidate)return;l.found++;const f={candidate:x.candidate};",
            "if(x.sdpMid!=null)f.sdpMid=x.sdpMid;if(x.sdpMLineIndex!=null)f.sdpMLineIndex=x.sdpMLineIndex;",
            "o.out(p,JSON.stringify({type:'candidate',to:p,payload:f}))};",
            "pc.createOffer().then(d=>{pc.setLocalDescription(d).catch(fin);",
            "o.out(p,JSON.stringify({type:'offer',to:p,payload:{type:'offer',sdp:d.sdp}}))}).catch(fin);",
            "n++}catch(x){delete o.links[p]}}}catch(x){}if(n===0)o.go()}",
            "else if(!l)return;",
            "else if(m.type==='response'){if(l.held){const h=l.held;l.held=null;for(const f of h)ws.send(f)}return true}",
            "else if(m.type==='answer'&&!l.remote){",
            "const r=l.remote=l.pc.setRemoteDescription(m.payload);r.then(()=>{if(o.taken)return;l.set=true;",
            "for(const c of l.pending)l.pc.addIceCandidate(c).catch(()=>{});l.pending=[]},()=>l.fin());",
            "return true}",
            "else if(m.type==='candidate'){if(l.set)l.pc.addIceCandidate(m.payload).catch(()=>{});",
            "else l.pending.push(m.payload);return true}}})();"
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
    offers!(),
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

#[cfg(feature = "hydrate")]
pub mod handoff;

/// The socket the script opened.
#[cfg(feature = "hydrate")]
pub struct Early {
    pub ws: web_sys::WebSocket,
    /// What it received, in order.
    pub queued: Vec<String>,
    /// Whether it sent the `join` (answering the first of `queued`, the welcome).
    pub joined: bool,
    /// The script's state, with the connections it made ([`handoff`]).
    pub state: wasm_bindgen::JsValue,
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
        handoff::close(&early);
        return None;
    }
    let queued = get("queued")?
        .dyn_into::<js_sys::Array>()
        .ok()?
        .iter()
        .filter_map(|m| m.as_string())
        .collect();
    let joined = get("joined").and_then(|j| j.as_bool()).unwrap_or(false);
    Some(Early {
        ws,
        queued,
        joined,
        state: early,
    })
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
    fn a_mesh_newcomers_script_calls_and_offers_as_the_engine_would() {
        use crate::signaling::protocol::RelayKind;
        let s = SCRIPT;
        // The engine's own `call`, once, on the `joined` that answers our join, for a mesh.
        let call = format!("ws.send('{}')", RelayKind::Call.to_room().to_json());
        let parts = [
            call.as_str(),
            "m.type==='joined'&&o.joined&&!o.announced",
            "if(m.role!=='mesh')return o.go()",
            // Connections as `engine::negotiation` makes them: the certificate, audio and
            // video lines for the camera still to come, the chat channel the engine opens.
            "g.certificates=[window.__parleyCert]",
            "pc.addTransceiver(k,{direction:'sendrecv',streams:[later]})",
            "pc.createDataChannel('chat')",
            // Held until the peer's `response`, then sent in order.
            "if(l&&l.held)l.held.push(f);else ws.send(f)",
            "m.type==='response'){if(l.held){const h=l.held;l.held=null;for(const f of h)ws.send(f)}",
            // Frames of a peer it has no connection to are left for the engine.
            "else if(!l)return;",
            // The islands wait on `ready`, which settles on a close, on an error (a full
            // room), on no connection to make, and once every connection is up or has failed.
            "ws.addEventListener('close',()=>o.go())",
            "else if(m.type==='error')o.go();",
            "if(n===0)o.go()",
            "if(s==='connected'||s==='failed')fin()",
            "pc.setLocalDescription(d).catch(fin)",
            "}).catch(fin);",
            "()=>l.fin());",
            // What the engine takes over besides the connections (`early::handoff`).
            "o.later=new MediaStream()",
            "if(o.taken)return",
        ];
        for part in parts {
            assert!(s.contains(part), "{part}");
        }
        // The engine's names for what it takes over (`early::handoff`).
        for key in [
            "held", "found", "gathered", "pending", "set", "remote", "stream", "dc",
        ] {
            assert!(s.contains(&format!("l.{key}")), "{key}");
        }
        // A watcher's page makes no call.
        assert!(!SOCKET_SCRIPT.contains("RTCPeerConnection("));
        assert!(!s.contains("</"));
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
