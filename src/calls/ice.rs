//! The session's ICE configuration in the browser: turning the server's JSON into an
//! `RTCConfiguration`, applying fresh credentials to live connections, and fetching them.
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{RtcConfiguration, RtcIceTransportPolicy, RtcPeerConnection};

/// `RTCConfiguration` from the server's ICE JSON (`{iceServers, iceTransportPolicy}`); anything
/// unreadable means no servers, which still works on one network.
pub fn rtc_configuration(ice: &str) -> RtcConfiguration {
    let cfg = RtcConfiguration::new();
    let parsed = js_sys::JSON::parse(ice).unwrap_or(JsValue::NULL);
    let field =
        |name: &str| js_sys::Reflect::get(&parsed, &name.into()).unwrap_or(JsValue::UNDEFINED);
    let servers = field("iceServers");
    if js_sys::Array::is_array(&servers) {
        cfg.set_ice_servers(&servers);
    }
    if field("iceTransportPolicy").as_string().as_deref() == Some("relay") {
        cfg.set_ice_transport_policy(RtcIceTransportPolicy::Relay);
    }
    cfg
}

/// [`rtc_configuration`] for a new connection: with the certificate the page's early script
/// made, once it is there (`calls::early`). Only at construction: a live connection's
/// certificates cannot change.
pub fn new_connection_configuration(ice: &str) -> RtcConfiguration {
    let cfg = rtc_configuration(ice);
    let cert = web_sys::window()
        .and_then(|w| js_sys::Reflect::get(&w, &super::early::CERT_GLOBAL.into()).ok())
        .filter(JsValue::is_object);
    if let Some(cert) = cert {
        let _ = js_sys::Reflect::set(&cfg, &"certificates".into(), &js_sys::Array::of1(&cert));
    }
    cfg
}

/// `expiresAt` (Unix seconds) of the ICE JSON, if its credentials expire.
pub fn expires_at(ice: &str) -> Option<u64> {
    crate::json::Json::parse(ice)?.u64_at("expiresAt")
}

/// Gives a live connection the servers (and fresh credentials) of `ice`. The transport policy
/// and the certificates stay the ones the connection was made with (a configuration without
/// them would be refused as changing them).
pub fn apply(pc: &RtcPeerConnection, ice: &str) -> Result<(), JsValue> {
    let cfg = rtc_configuration(ice);
    let now = pc.get_configuration();
    for kept in ["iceTransportPolicy", "certificates"] {
        let value = js_sys::Reflect::get(&now, &kept.into())?;
        if !value.is_undefined() {
            js_sys::Reflect::set(&cfg, &kept.into(), &value)?;
        }
    }
    pc.set_configuration_with_configuration(&cfg)
}

/// `GET /api/ice` (same origin, so the session cookie goes along): the ICE JSON with fresh
/// credentials.
pub async fn fetch_fresh() -> Result<String, JsValue> {
    let window = web_sys::window().ok_or("no window")?;
    let response = JsFuture::from(window.fetch_with_str("/api/ice")).await?;
    let ok = js_sys::Reflect::get(&response, &"ok".into())?;
    if !ok.is_truthy() {
        let status = js_sys::Reflect::get(&response, &"status".into())?;
        return Err(JsValue::from_str(&format!("GET /api/ice: {status:?}")));
    }
    let text: js_sys::Function = js_sys::Reflect::get(&response, &"text".into())?.dyn_into()?;
    let body = JsFuture::from(js_sys::Promise::from(text.call0(&response)?)).await?;
    body.as_string()
        .ok_or_else(|| "GET /api/ice: no text".into())
}
