//! The PeerJS frames the generator sends, and what it reads back out of relayed ones.
//!
//! Every message is a `CANDIDATE` padded to [`FRAME_BYTES`], with the time it was sent (ns on
//! the generator's clock) in its payload, so the receiver, in the same process, knows how long
//! the relay took. Reading is a scan rather than a JSON parse: the generator has one core and
//! must not be the bottleneck.

/// Size of every frame the generator sends: a small ICE candidate's.
pub const FRAME_BYTES: usize = 200;

/// The socket URL for `id` (the token is derived from the id; the key is the default one).
pub fn socket_url(base: &str, id: &str) -> String {
    format!("{base}/peerjs?key=peerjs&id={id}&token=t{id}")
}

/// A `CANDIDATE` for `dst` stamped `sent_ns`, padded to exactly [`FRAME_BYTES`] when the id
/// allows (longer ids make a longer frame).
pub fn candidate(dst: &str, sent_ns: u64) -> String {
    let head = format!(r#"{{"type":"CANDIDATE","dst":"{dst}","payload":{{"t":{sent_ns},"pad":""#);
    let tail = r#""}}"#;
    let pad = FRAME_BYTES.saturating_sub(head.len() + tail.len());
    let mut frame = String::with_capacity(FRAME_BYTES.max(head.len() + tail.len()));
    frame.push_str(&head);
    frame.extend(std::iter::repeat_n('x', pad));
    frame.push_str(tail);
    frame
}

/// The send time stamped in a relayed frame; `None` for frames without one (`LEAVE`, `EXPIRE`,
/// `ERROR`…). Works on our relay (payload byte for byte) and on peerjs-server's (re-serialised
/// by `JSON.stringify`, which writes no spaces).
pub fn stamp(frame: &str) -> Option<u64> {
    const KEY: &str = r#""t":"#;
    let at = frame.find(KEY)? + KEY.len();
    let rest = frame[at..].trim_start();
    let end = rest
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(rest.len());
    rest[..end].parse().ok()
}

/// A server frame's `type`, e.g. `OPEN` or `ERROR`.
pub fn kind(frame: &str) -> Option<&str> {
    const KEY: &str = r#""type":""#;
    let at = frame.find(KEY)? + KEY.len();
    frame[at..].split('"').next()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_candidate_is_padded_json_carrying_its_stamp() {
        let frame = candidate("w4p17b", 123_456_789_012);
        assert_eq!(frame.len(), FRAME_BYTES);
        let v: serde_json::Value = serde_json::from_str(&frame).unwrap();
        assert_eq!(v["type"], "CANDIDATE");
        assert_eq!(v["dst"], "w4p17b");
        assert_eq!(v["payload"]["t"], 123_456_789_012u64);
        assert_eq!(stamp(&frame), Some(123_456_789_012));
    }

    #[test]
    fn stamps_are_read_from_both_servers_relays() {
        // Ours: the payload as sent, `src` added before it.
        let ours = r#"{"type":"CANDIDATE","src":"a","dst":"b","payload":{"t":42,"pad":"xx"}}"#;
        // peerjs-server's: JSON.stringify of {type, src, dst, payload}.
        let theirs = r#"{"type":"CANDIDATE","src":"a","dst":"b","payload":{"t":7,"pad":"x"}}"#;
        assert_eq!(stamp(ours), Some(42));
        assert_eq!(stamp(theirs), Some(7));
        assert_eq!(stamp(r#"{"type":"CANDIDATE","payload":{"t": 9}}"#), Some(9));
    }

    #[test]
    fn frames_without_a_stamp_have_none() {
        assert_eq!(stamp(r#"{"type":"LEAVE","src":"a","dst":"b"}"#), None);
        assert_eq!(stamp(r#"{"type":"OPEN"}"#), None);
        assert_eq!(stamp(r#"{"payload":{"t":"x"}}"#), None);
    }

    #[test]
    fn kinds() {
        assert_eq!(kind(r#"{"type":"OPEN"}"#), Some("OPEN"));
        let taken = r#"{"type":"ID-TAKEN","payload":{"msg":"ID is taken"}}"#;
        assert_eq!(kind(taken), Some("ID-TAKEN"));
        assert_eq!(kind("not json"), None);
    }

    #[test]
    fn urls() {
        assert_eq!(
            socket_url("ws://127.0.0.1:9000", "a1"),
            "ws://127.0.0.1:9000/peerjs?key=peerjs&id=a1&token=ta1"
        );
    }
}
