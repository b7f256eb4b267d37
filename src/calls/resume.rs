//! What the browser reads from `welcome` and `reconnect` to keep a call across a dropped
//! signaling socket: the resume token to come back with, whether the server kept our peer id,
//! and the session's ICE configuration. Read from the frame apart from `ServerEvent`, so an
//! older server without these fields still works.
use crate::json::Json;

/// Longest pause a `reconnect` may ask for; a larger one is cut to it.
pub const MAX_RECONNECT_AFTER_MS: u64 = 30_000;

/// The fields of `welcome` that matter across reconnections.
#[derive(Debug, PartialEq)]
pub struct Welcome {
    pub id: String,
    /// Token for `GET /ws?resume=…` after a drop.
    pub resume: Option<String>,
    pub resumed: bool,
    /// `{"iceServers":[…],"iceTransportPolicy":…,"expiresAt":…}`, as JSON text.
    pub ice: Option<String>,
}

impl Welcome {
    /// The `welcome` in this frame; `None` for any other frame.
    pub fn parse(text: &str) -> Option<Self> {
        let v = Json::parse(text)?;
        (v.str_at("type")? == "welcome").then_some(())?;
        Some(Self {
            id: v.string_at("id")?,
            resume: v.string_at("resume"),
            resumed: v.bool_at("resumed").unwrap_or(false),
            ice: v
                .get("ice")
                .filter(|i| **i != Json::Null)
                .map(Json::to_text),
        })
    }

    /// Did the server re-attach this socket to the peer id `before` (with its room and role)?
    pub fn continues(&self, before: Option<&str>) -> bool {
        self.resumed && before == Some(self.id.as_str())
    }
}

/// The `type` of a frame that is a JSON object with a string `type`.
pub fn kind_of(text: &str) -> Option<String> {
    Json::parse(text)?.string_at("type")
}

/// `{"type":"reconnect","after_ms":N}`: how long to wait before reconnecting.
pub fn reconnect_after_ms(text: &str) -> u64 {
    Json::parse(text)
        .and_then(|v| v.u64_at("after_ms"))
        .map_or(0, |ms| ms.min(MAX_RECONNECT_AFTER_MS))
}

/// The socket path, with the token to resume with if we have one.
pub fn socket_path(token: Option<&str>) -> String {
    match token {
        Some(t) => format!("/ws?resume={}", encode(t)),
        None => "/ws".to_owned(),
    }
}

/// Percent-encodes everything but unreserved characters: the token is opaque.
fn encode(token: &str) -> String {
    let mut out = String::with_capacity(token.len());
    for b in token.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_older_welcome_still_reads() {
        let w = Welcome::parse(r#"{"type":"welcome","id":"p1","name":"ann"}"#).unwrap();
        assert_eq!(w.resume, None);
        assert!(!w.resumed && w.ice.is_none());
        assert!(!w.continues(Some("p1")));
        assert_eq!(
            Welcome::parse(r#"{"type":"joined","id":"p1","peers":[]}"#),
            None
        );
    }

    #[test]
    fn a_resumed_welcome_continues_only_the_same_id() {
        let text = r#"{"type":"welcome","id":"p1","name":"ann","resume":"tok","resumed":true,
            "ice":{"iceServers":[],"iceTransportPolicy":"all"}}"#;
        let w = Welcome::parse(text).unwrap();
        assert_eq!(w.resume.as_deref(), Some("tok"));
        assert!(w.continues(Some("p1")));
        assert!(!w.continues(Some("p0")));
        assert!(!w.continues(None));
        assert_eq!(
            w.ice.as_deref(),
            Some(r#"{"iceServers":[],"iceTransportPolicy":"all"}"#)
        );
    }

    #[test]
    fn reconnect_pauses_are_bounded() {
        assert_eq!(
            reconnect_after_ms(r#"{"type":"reconnect","after_ms":1500}"#),
            1500
        );
        assert_eq!(
            reconnect_after_ms(r#"{"type":"reconnect","after_ms":9e12}"#),
            0
        );
        assert_eq!(
            reconnect_after_ms(r#"{"type":"reconnect","after_ms":99999999}"#),
            MAX_RECONNECT_AFTER_MS
        );
        assert_eq!(reconnect_after_ms(r#"{"type":"reconnect"}"#), 0);
        assert_eq!(
            kind_of(r#"{"type":"reconnect","after_ms":5}"#).as_deref(),
            Some("reconnect")
        );
        assert_eq!(
            kind_of(r#"{"type":"offer","from":"p","payload":{"type":"reconnect"}}"#).as_deref(),
            Some("offer")
        );
    }

    #[test]
    fn the_token_is_sent_encoded() {
        assert_eq!(socket_path(None), "/ws");
        assert_eq!(socket_path(Some("aZ09-_")), "/ws?resume=aZ09-_");
        assert_eq!(socket_path(Some("a+b/c=&")), "/ws?resume=a%2Bb%2Fc%3D%26");
    }
}
