//! PeerJS wire messages: what clients send, and the frames the server writes.
//!
//! Every frame is one JSON object with a `type`. Relayed frames are built by hand around the
//! client's raw `payload` bytes, so the receiver sees exactly what the sender wrote.
use axum::extract::ws::Utf8Bytes;
use serde::{Deserialize, Deserializer};
use serde_json::value::RawValue;
use std::borrow::Cow;

/// The reference server's error texts, sent as `{"type":"ERROR","payload":{"msg":…}}`.
pub mod msg {
    pub const INVALID_KEY: &str = "Invalid key provided";
    pub const INVALID_WS_PARAMETERS: &str = "No id, token, or key supplied to websocket server";
    pub const CONNECTION_LIMIT_EXCEED: &str = "Server has reached its concurrent user limit";
    pub const ID_TAKEN: &str = "ID is taken";
    /// Ours: the reference accepts any length.
    pub const INVALID_ID: &str = "Invalid id or token (at most 256 bytes, no control characters)";
    /// Ours: the reference has no per-address limit.
    pub const TOO_MANY_FROM_ADDRESS: &str = "Too many connections from your address";
}

/// Longest id or token accepted.
pub const MAX_ID_BYTES: usize = 256;

/// Message types a client may send.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Offer,
    Answer,
    Candidate,
    Leave,
    Expire,
    Heartbeat,
}

impl Kind {
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "OFFER" => Self::Offer,
            "ANSWER" => Self::Answer,
            "CANDIDATE" => Self::Candidate,
            "LEAVE" => Self::Leave,
            "EXPIRE" => Self::Expire,
            "HEARTBEAT" => Self::Heartbeat,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Offer => "OFFER",
            Self::Answer => "ANSWER",
            Self::Candidate => "CANDIDATE",
            Self::Leave => "LEAVE",
            Self::Expire => "EXPIRE",
            Self::Heartbeat => "HEARTBEAT",
        }
    }

    /// Connection set-up messages: they pair two peers, who hear `LEAVE` when either goes.
    pub fn pairs(self) -> bool {
        matches!(self, Self::Offer | Self::Answer | Self::Candidate)
    }

    /// Whether a message for an absent id waits for it (the reference drops LEAVE and EXPIRE).
    pub fn waits(self) -> bool {
        matches!(self, Self::Offer | Self::Answer | Self::Candidate)
    }
}

/// A client frame. `src` is deliberately absent: whatever a client claims is ignored.
#[derive(Deserialize, Debug)]
pub struct Inbound<'a> {
    #[serde(rename = "type", borrow)]
    pub kind: Cow<'a, str>,
    #[serde(default, borrow)]
    pub dst: Option<Cow<'a, str>>,
    /// `Some("null")` for an explicit null, `None` when absent, as the reference keeps them.
    #[serde(default, borrow, deserialize_with = "present")]
    pub payload: Option<&'a RawValue>,
}

fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<&'de RawValue>, D::Error> {
    <&RawValue>::deserialize(d).map(Some)
}

pub fn parse(text: &str) -> Result<Inbound<'_>, serde_json::Error> {
    serde_json::from_str(text)
}

/// Ids and tokens: 1 to 256 bytes, no control characters.
pub fn valid_id(s: &str) -> bool {
    (1..=MAX_ID_BYTES).contains(&s.len()) && !s.chars().any(char::is_control)
}

pub fn open() -> Utf8Bytes {
    Utf8Bytes::from_static(r#"{"type":"OPEN"}"#)
}

pub fn error(msg: &str) -> Utf8Bytes {
    with_msg("ERROR", msg)
}

pub fn id_taken() -> Utf8Bytes {
    with_msg("ID-TAKEN", msg::ID_TAKEN)
}

/// `{"type":KIND,"payload":{"msg":MSG}}` in the reference's key order (a `json!` map would
/// sort `payload` first), for clients that compare frames as text.
fn with_msg(kind: &str, msg: &str) -> Utf8Bytes {
    let mut s = String::with_capacity(40 + kind.len() + msg.len());
    s.push_str("{\"type\":");
    push_json_str(&mut s, kind);
    s.push_str(",\"payload\":{\"msg\":");
    push_json_str(&mut s, msg);
    s.push_str("}}");
    s.into()
}

/// `{"type":KIND,"src":SRC,"dst":DST,"payload":RAW}`, the reference's field order, with the
/// payload bytes as the sender wrote them and no `payload` key when it sent none.
pub fn relay(kind: Kind, src: &str, dst: &str, payload: Option<&RawValue>) -> Utf8Bytes {
    let payload = payload.map(RawValue::get);
    let mut s = String::with_capacity(48 + src.len() + dst.len() + payload.map_or(0, str::len));
    s.push_str("{\"type\":\"");
    s.push_str(kind.as_str());
    s.push_str("\",\"src\":");
    push_json_str(&mut s, src);
    s.push_str(",\"dst\":");
    push_json_str(&mut s, dst);
    if let Some(p) = payload {
        s.push_str(",\"payload\":");
        s.push_str(p);
    }
    s.push('}');
    s.into()
}

/// A server notice (`LEAVE`, `EXPIRE`) with no payload.
pub fn notice(kind: Kind, src: &str, dst: &str) -> Utf8Bytes {
    relay(kind, src, dst, None)
}

/// Appends `s` as a JSON string. Ids seldom hold anything JSON escapes (`"`, `\`, control
/// characters): an id without any is copied as it is; the others go through serde_json.
fn push_json_str(out: &mut String, s: &str) {
    if !s.bytes().any(|b| b == b'"' || b == b'\\' || b < 0x20) {
        out.push('"');
        out.push_str(s);
        out.push('"');
        return;
    }
    // Serialising a &str cannot fail.
    out.push_str(&serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into()));
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn relay_keeps_payload_bytes_and_stamps_src() {
        let text = r#"{"type":"OFFER","src":"mallory","dst":"b\"q","payload":{ "sdp" : "v=0\r\n", "n":1.50 }}"#;
        let m = parse(text).unwrap();
        assert_eq!(m.kind, "OFFER");
        let f = relay(Kind::Offer, "alice", m.dst.as_deref().unwrap(), m.payload);
        assert_eq!(
            f.as_str(),
            r#"{"type":"OFFER","src":"alice","dst":"b\"q","payload":{ "sdp" : "v=0\r\n", "n":1.50 }}"#
        );
        let v: serde_json::Value = serde_json::from_str(f.as_str()).unwrap();
        assert_eq!(v["dst"], "b\"q");
    }

    #[test]
    fn null_and_missing_payloads_are_kept_apart() {
        let null = parse(r#"{"type":"LEAVE","dst":"x","payload":null}"#).unwrap();
        assert_eq!(null.payload.map(RawValue::get), Some("null"));
        let none = parse(r#"{"type":"LEAVE","dst":"x"}"#).unwrap();
        assert!(none.payload.is_none());
        assert_eq!(
            notice(Kind::Expire, "b", "a").as_str(),
            r#"{"type":"EXPIRE","src":"b","dst":"a"}"#
        );
    }

    #[test]
    fn server_frames_match_the_reference() {
        assert_eq!(
            error(msg::INVALID_KEY).as_str(),
            r#"{"type":"ERROR","payload":{"msg":"Invalid key provided"}}"#
        );
        let e: serde_json::Value = serde_json::from_str(error(msg::INVALID_KEY).as_str()).unwrap();
        assert_eq!(
            e,
            json!({"type": "ERROR", "payload": {"msg": "Invalid key provided"}})
        );
        let t: serde_json::Value = serde_json::from_str(id_taken().as_str()).unwrap();
        assert_eq!(
            t,
            json!({"type": "ID-TAKEN", "payload": {"msg": "ID is taken"}})
        );
        assert_eq!(open().as_str(), r#"{"type":"OPEN"}"#);
    }

    #[test]
    fn strings_are_escaped_as_serde_json_does() {
        for s in [
            "plain-id_1",
            "",
            "quo\"te",
            "back\\slash",
            "tab\tnl\n\u{1}",
            "ü ✓ \u{7f}",
        ] {
            let mut out = String::new();
            push_json_str(&mut out, s);
            assert_eq!(out, serde_json::to_string(s).unwrap(), "{s:?}");
        }
    }

    #[test]
    fn ids_and_kinds() {
        assert!(valid_id("eve816uhqazfflxr") && valid_id("a b-c_d"));
        assert!(!valid_id("") && !valid_id("a\nb") && !valid_id(&"x".repeat(257)));
        assert_eq!(Kind::parse("HEARTBEAT"), Some(Kind::Heartbeat));
        assert_eq!(
            Kind::parse("offer"),
            None,
            "types are case-sensitive, as in the reference"
        );
        assert!(parse(r#"{"dst":"x"}"#).is_err() && parse("nope").is_err());
    }
}
