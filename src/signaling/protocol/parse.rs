//! Reading a client frame, type first: a frame that is not JSON, has no string `type`, names
//! an unknown kind, or lacks a field its kind needs is told so, in that order. Fields a kind
//! does not read are ignored, whatever they hold. Strings and payloads borrow from the frame.
use super::client::{ClientMessage, Command, Relay, RelayKind};
use super::{code, Role};
use serde::Deserialize;
use serde_json::value::RawValue;
use std::borrow::Cow;
use std::fmt;

/// Why a frame is not a client message.
#[derive(Debug)]
pub enum Malformed<'a> {
    /// Not JSON.
    NotJson(serde_json::Error),
    /// JSON, but not an object with a string `type` (or a field given twice).
    NoType(serde_json::Error),
    /// A `type` no client message has.
    UnknownType(Cow<'a, str>),
    /// A field the kind reads holds the wrong type, e.g. a `role` that is no role.
    BadField {
        kind: &'static str,
        error: serde_json::Error,
    },
    /// A field the kind needs is absent or null.
    Missing {
        kind: &'static str,
        needs: &'static str,
    },
}

impl Malformed<'_> {
    /// The `code` of the error frame that answers it.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotJson(_) => code::BAD_JSON,
            Self::UnknownType(_) => code::UNKNOWN_TYPE,
            Self::NoType(_) | Self::BadField { .. } | Self::Missing { .. } => code::MISSING_FIELD,
        }
    }
}

impl fmt::Display for Malformed<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotJson(e) => write!(f, "not valid JSON: {e}"),
            Self::NoType(e) => write!(f, "message needs a string \"type\": {e}"),
            Self::UnknownType(kind) => write!(f, "unknown message type {kind:?}"),
            Self::BadField { kind, error } => write!(f, "a field of {kind} is mistyped: {error}"),
            Self::Missing { kind, needs } => write!(f, "{kind} needs {needs}"),
        }
    }
}

/// Every field any kind reads, each kept as raw JSON until the kind says what it should be.
#[derive(Deserialize)]
struct Frame<'a> {
    #[serde(rename = "type", borrow)]
    kind: Cow<'a, str>,
    #[serde(default, borrow)]
    to: Option<&'a RawValue>,
    #[serde(default, borrow)]
    payload: Option<&'a RawValue>,
    #[serde(default, borrow)]
    room: Option<&'a RawValue>,
    #[serde(default, borrow)]
    role: Option<&'a RawValue>,
    #[serde(default, borrow)]
    user: Option<&'a RawValue>,
    #[serde(default, borrow)]
    peer: Option<&'a RawValue>,
    #[serde(default, borrow)]
    call: Option<&'a RawValue>,
}

/// A JSON string, borrowed unless it has escapes.
#[derive(Deserialize)]
struct Text<'a>(#[serde(borrow)] Cow<'a, str>);

/// Decodes a field the message of `kind` reads.
fn field<'a, T: Deserialize<'a>>(
    raw: Option<&'a RawValue>,
    kind: &'static str,
) -> Result<Option<T>, Malformed<'a>> {
    raw.map(|r| serde_json::from_str(r.get()))
        .transpose()
        .map_err(|error| Malformed::BadField { kind, error })
}

fn text<'a>(
    raw: Option<&'a RawValue>,
    kind: &'static str,
) -> Result<Option<Cow<'a, str>>, Malformed<'a>> {
    Ok(field::<Text>(raw, kind)?.map(|t| t.0))
}

fn required<'a>(
    raw: Option<&'a RawValue>,
    kind: &'static str,
    needs: &'static str,
) -> Result<Cow<'a, str>, Malformed<'a>> {
    text(raw, kind)?.ok_or(Malformed::Missing { kind, needs })
}

impl<'a> ClientMessage<'a> {
    /// Reads one text frame.
    pub fn parse(frame: &'a str) -> Result<Self, Malformed<'a>> {
        let f: Frame<'a> = serde_json::from_str(frame).map_err(|e| {
            if e.is_data() {
                Malformed::NoType(e)
            } else {
                Malformed::NotJson(e)
            }
        })?;
        if let Some(kind) = RelayKind::from_name(&f.kind) {
            return Ok(Self::Relay(Relay {
                kind,
                to: text(f.to, kind.as_str())?,
                payload: f.payload,
            }));
        }
        let Some(command) = Command::from_name(&f.kind) else {
            return Err(Malformed::UnknownType(f.kind));
        };
        let kind = command.as_str();
        const CALL: &str = "a \"call\" id";
        Ok(match command {
            Command::Join => Self::Join {
                room: required(f.room, kind, "a \"room\"")?,
                role: field::<Role>(f.role, kind)?.unwrap_or_default(),
            },
            Command::Leave => Self::Leave,
            Command::WatchRooms => Self::WatchRooms,
            Command::Ping => Self::Ping,
            Command::WatchOnline => Self::WatchOnline,
            Command::Ring => {
                let user = text(f.user, kind)?;
                let peer = text(f.peer, kind)?;
                if [&user, &peer]
                    .iter()
                    .all(|s| s.as_deref().is_none_or(str::is_empty))
                {
                    return Err(Malformed::Missing {
                        kind,
                        needs: "a \"user\" name or a \"peer\" id",
                    });
                }
                Self::Ring { user, peer }
            }
            Command::Accept => Self::Accept {
                call: required(f.call, kind, CALL)?,
            },
            Command::Decline => Self::Decline {
                call: required(f.call, kind, CALL)?,
            },
            Command::Hangup => Self::Hangup {
                call: required(f.call, kind, CALL)?,
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let payload = RawValue::from_string(r#"{"candidate":"c"}"#.into()).unwrap();
        let cases = [
            (
                ClientMessage::relay(RelayKind::Candidate, Some("p"), Some(&payload)),
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
        assert_eq!(r.payload.map(RawValue::get), Some(r#"{"a":[1,2]}"#));
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
}
