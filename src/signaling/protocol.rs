//! The room dialect of our signaling protocol (see `docs/protocol.md`).
//!
//! Every frame is one JSON object with a `type`. Clients never say who they are: the server
//! stamps `from` on everything it relays, using the id it assigned to the socket.
use crate::json::{Json, RawJson};
use serde::{Deserialize, Serialize};

mod client;
mod decode;
pub use client::{ClientMessage, Command, Relay, RelayKind};
#[cfg(feature = "ssr")]
mod parse;
#[cfg(feature = "ssr")]
pub use parse::Malformed;
#[cfg(all(test, feature = "ssr"))]
mod parse_tests;

/// Largest text frame the server accepts, in bytes.
pub const MAX_FRAME_BYTES: usize = 64 * 1024;
/// Largest payload of a room-wide relay, in bytes. They carry `call`, `talk_ready` and the
/// like, a few hundred bytes at most; large frames go to one peer at a time.
pub const MAX_BROADCAST_PAYLOAD: usize = 1024;
/// Longest room name.
pub const MAX_ROOM_NAME: usize = 48;

/// How a peer takes part in a room.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Sends and receives media with every other mesh peer.
    #[default]
    Mesh,
    /// The one broadcaster of a broadcast room: sends only.
    Talk,
    /// A viewer of a broadcast room: receives only.
    Watch,
}

impl Role {
    /// The role a wire name (`mesh`, `talk`, `watch`) names.
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "mesh" => Some(Self::Mesh),
            "talk" => Some(Self::Talk),
            "watch" => Some(Self::Watch),
            _ => None,
        }
    }

    pub fn from_json(v: &Json) -> Option<Self> {
        Self::from_name(v.as_str()?)
    }

    /// The wire name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Mesh => "mesh",
            Self::Talk => "talk",
            Self::Watch => "watch",
        }
    }
}

/// A peer as others see it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeerInfo {
    /// The socket's id, assigned by the server; the address for targeted messages.
    pub id: String,
    /// Display name: the username, or a guest name.
    pub name: String,
    pub role: Role,
}

impl PeerInfo {
    pub fn from_json(v: &Json) -> Option<Self> {
        Some(Self {
            id: v.string_at("id")?,
            name: v.string_at("name")?,
            role: Role::from_json(v.get("role")?)?,
        })
    }
}

/// A room and who is in it, as listed on the home page and `GET /api/rooms`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoomSummary {
    pub name: String,
    /// Display names of the peers present, in join order.
    pub people: Vec<String>,
}

impl RoomSummary {
    pub fn from_json(v: &Json) -> Option<Self> {
        Some(Self {
            name: v.string_at("name")?,
            people: v.list_at("people", |p| p.as_str().map(str::to_owned))?,
        })
    }
}

/// Someone with at least one signaling socket open.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OnlineUser {
    pub name: String,
    /// The user's stable peer id (an account's is the same on every tab and device).
    pub peer_id: String,
    pub guest: bool,
}

impl OnlineUser {
    pub fn from_json(v: &Json) -> Option<Self> {
        Some(Self {
            name: v.string_at("name")?,
            peer_id: v.string_at("peer_id")?,
            guest: v.bool_at("guest")?,
        })
    }
}

/// Rooms made for accepted 1:1 calls start with this; no one can open such a room by hand.
pub const PRIVATE_ROOM_PREFIX: &str = "call-";

/// Error codes sent in `{"type":"error","code":…}` frames.
pub mod code {
    pub const BAD_JSON: &str = "bad_json";
    pub const UNKNOWN_TYPE: &str = "unknown_type";
    pub const MISSING_FIELD: &str = "missing_field";
    pub const NOT_IN_ROOM: &str = "not_in_room";
    pub const UNKNOWN_PEER: &str = "unknown_peer";
    pub const BAD_ROOM: &str = "bad_room";
    pub const ROOM_FULL: &str = "room_full";
    pub const TOO_LARGE: &str = "too_large";
    pub const RATE_LIMITED: &str = "rate_limited";
    pub const CONGESTED: &str = "congested";
    pub const NOT_BROADCASTABLE: &str = "needs_target";
    pub const WRONG_ROLE: &str = "wrong_role";
    // Call by name (see `call_by_name`).
    pub const OFFLINE: &str = "offline";
    pub const BUSY: &str = "busy";
    pub const UNKNOWN_USER: &str = "unknown_user";
    pub const SELF_CALL: &str = "self_call";
    pub const UNKNOWN_CALL: &str = "unknown_call";
    pub const ALREADY_CALLING: &str = "already_calling";
    pub const RING_LIMITED: &str = "ring_limited";
    pub const NOT_A_USER: &str = "not_a_user";
    pub const PRIVATE_ROOM: &str = "private_room";
}

/// Messages the server sends that are not relays, decoded on the browser side.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerEvent {
    Welcome {
        id: String,
        name: String,
        /// Presented as `GET /ws?resume=…` by this session after a drop, to get this `id` back.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        resume: Option<String>,
        /// The session's ICE configuration, the same object as `GET /api/ice`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        ice: Option<RawJson>,
        /// True when this socket took over a dropped connection's id, room and role.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        resumed: bool,
    },
    Joined {
        room: String,
        role: Role,
        /// Peers already present, in join order.
        peers: Vec<PeerInfo>,
    },
    PeerJoined {
        room: String,
        peer: PeerInfo,
    },
    PeerLeft {
        room: String,
        id: String,
        name: String,
    },
    Rooms {
        rooms: Vec<RoomSummary>,
    },
    /// Everyone with a socket open, sorted by name (`watch_online`).
    Online {
        users: Vec<OnlineUser>,
    },
    /// To the caller: the callee's sockets are ringing.
    Ringing {
        call: String,
        name: String,
        peer_id: String,
    },
    /// To each of the callee's sockets.
    Incoming {
        call: String,
        from_name: String,
        from_peer: String,
    },
    /// To the caller and the socket that accepted: go to `room`, a private room for the two.
    CallAccepted {
        call: String,
        room: String,
    },
    /// To the caller.
    CallDeclined {
        call: String,
    },
    /// To the caller: nobody answered in time, or the callee went offline.
    CallMissed {
        call: String,
    },
    /// The ring is over: withdraw it. `reason` is `hangup`, `missed`, `declined` or
    /// `answered_elsewhere`.
    CallCancelled {
        call: String,
        reason: String,
    },
    Error {
        code: String,
        message: String,
    },
    Pong,
    /// The server is about to stop: close this socket after `after_ms` and reconnect (with the
    /// resume token) as after any drop.
    Reconnect {
        after_ms: u64,
    },
}

/// A relayed message as the receiver sees it.
#[derive(Clone, Debug, PartialEq)]
pub struct Relayed<'a> {
    pub kind: String,
    pub from: String,
    /// `null` when the frame has none.
    pub payload: Json<'a>,
}

impl<'a> Relayed<'a> {
    /// The relay in this (parsed) frame: one with a relay kind's `type` and a `from`.
    pub fn read(mut v: Json<'a>) -> Option<Self> {
        let kind = v
            .string_at("type")
            .filter(|k| RelayKind::from_name(k).is_some())?;
        let from = v.string_at("from")?;
        let payload = match &mut v {
            Json::Obj(members) => members
                .iter()
                .rposition(|(k, _)| k == "payload")
                .map(|at| members.swap_remove(at).1),
            _ => None,
        };
        Some(Self {
            kind,
            from,
            payload: payload.unwrap_or(Json::Null),
        })
    }
}

/// Is `name` acceptable as a room name? Letters, digits, `-` and `_`, 1 to 48 characters.
pub fn valid_room_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= MAX_ROOM_NAME
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn room_names() {
        assert!(valid_room_name("_defaultroom"));
        assert!(valid_room_name("team-42"));
        assert!(!valid_room_name(""));
        assert!(!valid_room_name("a b"));
        assert!(!valid_room_name("../etc"));
        assert!(!valid_room_name(&"x".repeat(49)));
    }

    #[test]
    fn server_event_shape() {
        let ev = ServerEvent::PeerLeft {
            room: "r".into(),
            id: "p1".into(),
            name: "ann".into(),
        };
        let s = serde_json::to_string(&ev).unwrap();
        assert_eq!(
            s,
            r#"{"type":"peer_left","room":"r","id":"p1","name":"ann"}"#
        );
        let back: ServerEvent = serde_json::from_str(&s).unwrap();
        assert_eq!(back, ev);
    }

    #[test]
    fn a_fresh_welcome_leaves_resumed_out() {
        let ev = ServerEvent::Welcome {
            id: "p".into(),
            name: "ann".into(),
            resume: Some("t".into()),
            ice: None,
            resumed: false,
        };
        let s = serde_json::to_string(&ev).unwrap();
        assert_eq!(
            s,
            r#"{"type":"welcome","id":"p","name":"ann","resume":"t"}"#
        );
        let back: ServerEvent =
            serde_json::from_str(r#"{"type":"welcome","id":"p","name":"a"}"#).unwrap();
        assert!(matches!(back, ServerEvent::Welcome { resumed: false, .. }));
    }
}
