//! `ClientMessage::parse` and its serialization: every kind round-trips, and errors come in
//! the documented order with the documented codes.
use super::{code, ClientMessage, Command, RelayKind, Role};
use std::borrow::Cow;

/// A frame of `kind` with every field any kind reads.
fn full(kind: &str) -> String {
    format!(
        r#"{{"type":"{kind}","to":"p1","payload":{{"sdp":"v=0"}},"room":"r","role":"watch","user":"ann","peer":"q","call":"c"}}"#
    )
}

#[test]
fn every_kind_round_trips() {
    let mut seen = std::collections::HashSet::new();
    for kind in ClientMessage::KINDS {
        assert!(seen.insert(*kind), "{kind} listed twice");
        let frame = full(kind);
        let msg = ClientMessage::parse(&frame).unwrap_or_else(|e| panic!("{kind}: {e}"));
        assert_eq!(msg.kind(), *kind);
        let json = msg.to_json();
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(v["type"], *kind, "{json}");
        let again = ClientMessage::parse(&json).unwrap_or_else(|e| panic!("{json}: {e}"));
        assert_eq!(again.to_json(), json);
    }
    assert_eq!(seen.len(), Command::ALL.len() + RelayKind::ALL.len());
}

#[test]
fn the_protocol_doc_lists_every_kind() {
    let doc = include_str!("../../../docs/protocol.md");
    let table = doc
        .split("## Messages the client sends")
        .nth(1)
        .and_then(|rest| rest.split("\n#").next())
        .expect("docs/protocol.md has the client's table");
    for kind in ClientMessage::KINDS {
        assert!(
            table.contains(&format!("`{kind}`")),
            "docs/protocol.md does not list {kind}"
        );
    }
}

#[test]
fn fields_keep_their_shape_on_the_wire() {
    let payload = r#"{"candidate":"c"}"#;
    let cases = [
        (
            ClientMessage::relay(RelayKind::Candidate, Some("p"), Some(payload)),
            r#"{"type":"candidate","to":"p","payload":{"candidate":"c"}}"#,
        ),
        (RelayKind::Call.to_room(), r#"{"type":"call"}"#),
        (
            RelayKind::TalkRequest.to("p"),
            r#"{"type":"talk_request","to":"p"}"#,
        ),
        (ClientMessage::Leave, r#"{"type":"leave"}"#),
        (
            ClientMessage::Join {
                room: "r".into(),
                role: Role::Talk,
            },
            r#"{"type":"join","room":"r","role":"talk"}"#,
        ),
        (
            ClientMessage::Ring {
                user: None,
                peer: Some("q".into()),
            },
            r#"{"type":"ring","peer":"q"}"#,
        ),
        (
            ClientMessage::Hangup { call: "c".into() },
            r#"{"type":"hangup","call":"c"}"#,
        ),
        (ClientMessage::WatchRooms, r#"{"type":"watch_rooms"}"#),
    ];
    for (msg, wire) in cases {
        assert_eq!(msg.to_json(), wire);
    }
}

#[test]
fn strings_and_payloads_borrow_from_the_frame() {
    let frame = r#"{"payload":{"a":[1,2]},"to":"p1","type":"offer","from":"spoof"}"#;
    let Ok(ClientMessage::Relay(r)) = ClientMessage::parse(frame) else {
        panic!("an offer");
    };
    assert_eq!(r.kind, RelayKind::Offer);
    assert!(matches!(r.to, Some(Cow::Borrowed("p1"))));
    assert_eq!(r.payload, Some(r#"{"a":[1,2]}"#));
    let escaped = ClientMessage::parse(r#"{"type":"join","room":"a\u0062"}"#).unwrap();
    assert!(matches!(escaped, ClientMessage::Join { room, role: Role::Mesh } if room == "ab"));
}

#[test]
fn errors_come_type_first() {
    let cases = [
        ("{not json", code::BAD_JSON),
        (r#"{"type":"ping"} x"#, code::BAD_JSON),
        ("[1,2,3]", code::MISSING_FIELD),
        ("42", code::MISSING_FIELD),
        (r#"{"to":"x"}"#, code::MISSING_FIELD),
        (r#"{"type":42}"#, code::MISSING_FIELD),
        (r#"{"type":"ping","type":"ping"}"#, code::MISSING_FIELD),
        (r#"{"type":"teleport","role":"king"}"#, code::UNKNOWN_TYPE),
        (r#"{"type":"join"}"#, code::MISSING_FIELD),
        (r#"{"type":"join","room":null}"#, code::MISSING_FIELD),
        (r#"{"type":"join","room":7}"#, code::MISSING_FIELD),
        (
            r#"{"type":"join","room":"r","role":"king"}"#,
            code::MISSING_FIELD,
        ),
        (r#"{"type":"offer","to":42}"#, code::MISSING_FIELD),
        (r#"{"type":"ring"}"#, code::MISSING_FIELD),
        (
            r#"{"type":"ring","user":"","peer":""}"#,
            code::MISSING_FIELD,
        ),
        (r#"{"type":"ring","user":1}"#, code::MISSING_FIELD),
        (r#"{"type":"accept"}"#, code::MISSING_FIELD),
        (r#"{"type":"hangup","call":[]}"#, code::MISSING_FIELD),
    ];
    for (frame, want) in cases {
        let e = ClientMessage::parse(frame).expect_err(frame);
        assert_eq!(e.code(), want, "{frame}: {e}");
        assert!(!e.to_string().is_empty());
    }
    // Fields a kind does not read do not matter.
    assert!(matches!(
        ClientMessage::parse(r#"{"type":"ping","role":"king","to":1}"#),
        Ok(ClientMessage::Ping)
    ));
    assert!(matches!(
        ClientMessage::parse(r#"{"type":"ring","user":"","peer":"q","call":5}"#),
        Ok(ClientMessage::Ring { peer: Some(p), .. }) if p == "q"
    ));
}
