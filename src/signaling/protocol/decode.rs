//! [`ServerEvent::from_json`], the browser's reading of server events. Serde's derive for an
//! internally tagged enum buffers every frame into an intermediate tree and then reads each
//! variant from it: in the wasm that came to the largest single function (about 42 KB) and
//! some 15 KB of helpers. One flat struct of every field any event has, read in one pass and
//! then sorted by `type`, does the same job in a fraction of the code. The server keeps
//! writing events with the derive; the tests check both agree on every variant.
use super::{OnlineUser, PeerInfo, Role, RoomSummary, ServerEvent};
use serde::Deserialize;

/// Every field of every event; which ones an event needs depends on `type`.
#[derive(Default, Deserialize)]
#[serde(default)]
struct Fields {
    #[serde(rename = "type")]
    kind: String,
    id: Option<String>,
    name: Option<String>,
    resume: Option<String>,
    ice: Option<serde_json::Value>,
    resumed: bool,
    room: Option<String>,
    role: Option<Role>,
    peers: Option<Vec<PeerInfo>>,
    peer: Option<PeerInfo>,
    rooms: Option<Vec<RoomSummary>>,
    users: Option<Vec<OnlineUser>>,
    call: Option<String>,
    peer_id: Option<String>,
    from_name: Option<String>,
    from_peer: Option<String>,
    reason: Option<String>,
    code: Option<String>,
    message: Option<String>,
    after_ms: Option<u64>,
}

impl ServerEvent {
    /// Reads a server event; `None` for a relayed message, an unknown `type`, or an event
    /// without a field it needs (as the derived `Deserialize` would refuse it).
    pub fn from_json(text: &str) -> Option<Self> {
        let f: Fields = serde_json::from_str(text).ok()?;
        Some(match f.kind.as_str() {
            "welcome" => Self::Welcome {
                id: f.id?,
                name: f.name?,
                resume: f.resume,
                ice: f.ice,
                resumed: f.resumed,
            },
            "joined" => Self::Joined {
                room: f.room?,
                role: f.role?,
                peers: f.peers?,
            },
            "peer_joined" => Self::PeerJoined {
                room: f.room?,
                peer: f.peer?,
            },
            "peer_left" => Self::PeerLeft {
                room: f.room?,
                id: f.id?,
                name: f.name?,
            },
            "rooms" => Self::Rooms { rooms: f.rooms? },
            "online" => Self::Online { users: f.users? },
            "ringing" => Self::Ringing {
                call: f.call?,
                name: f.name?,
                peer_id: f.peer_id?,
            },
            "incoming" => Self::Incoming {
                call: f.call?,
                from_name: f.from_name?,
                from_peer: f.from_peer?,
            },
            "call_accepted" => Self::CallAccepted {
                call: f.call?,
                room: f.room?,
            },
            "call_declined" => Self::CallDeclined { call: f.call? },
            "call_missed" => Self::CallMissed { call: f.call? },
            "call_cancelled" => Self::CallCancelled {
                call: f.call?,
                reason: f.reason?,
            },
            "error" => Self::Error {
                code: f.code?,
                message: f.message?,
            },
            "pong" => Self::Pong,
            "reconnect" => Self::Reconnect {
                after_ms: f.after_ms?,
            },
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn peer(id: &str) -> PeerInfo {
        PeerInfo {
            id: id.into(),
            name: format!("user-{id}"),
            role: Role::Watch,
        }
    }

    /// One of each variant, with optional fields both set and left out.
    fn every_event() -> Vec<ServerEvent> {
        let s = |v: &str| v.to_owned();
        vec![
            ServerEvent::Welcome {
                id: s("p"),
                name: s("ann"),
                resume: Some(s("t")),
                ice: Some(serde_json::json!({"iceServers": [], "expiresAt": 5})),
                resumed: true,
            },
            ServerEvent::Welcome {
                id: s("p"),
                name: s("ann"),
                resume: None,
                ice: None,
                resumed: false,
            },
            ServerEvent::Joined {
                room: s("r"),
                role: Role::Talk,
                peers: vec![peer("a"), peer("b")],
            },
            ServerEvent::PeerJoined {
                room: s("r"),
                peer: peer("c"),
            },
            ServerEvent::PeerLeft {
                room: s("r"),
                id: s("c"),
                name: s("cy"),
            },
            ServerEvent::Rooms {
                rooms: vec![RoomSummary {
                    name: s("r"),
                    people: vec![s("ann"), s("bo")],
                }],
            },
            ServerEvent::Online {
                users: vec![OnlineUser {
                    name: s("ann"),
                    peer_id: s("u1"),
                    guest: true,
                }],
            },
            ServerEvent::Ringing {
                call: s("c1"),
                name: s("bo"),
                peer_id: s("u2"),
            },
            ServerEvent::Incoming {
                call: s("c1"),
                from_name: s("ann"),
                from_peer: s("u1"),
            },
            ServerEvent::CallAccepted {
                call: s("c1"),
                room: s("call-x"),
            },
            ServerEvent::CallDeclined { call: s("c1") },
            ServerEvent::CallMissed { call: s("c1") },
            ServerEvent::CallCancelled {
                call: s("c1"),
                reason: s("hangup"),
            },
            ServerEvent::Error {
                code: s("room_full"),
                message: s("full"),
            },
            ServerEvent::Pong,
            ServerEvent::Reconnect { after_ms: 250 },
        ]
    }

    #[test]
    fn reads_every_event_the_server_writes_as_the_derive_does() {
        for ev in every_event() {
            let text = serde_json::to_string(&ev).unwrap();
            assert_eq!(ServerEvent::from_json(&text).as_ref(), Some(&ev), "{text}");
            let derived: ServerEvent = serde_json::from_str(&text).unwrap();
            assert_eq!(derived, ev, "{text}");
        }
    }

    #[test]
    fn refuses_what_the_derive_refuses() {
        for text in [
            r#"{"type":"offer","from":"p","payload":{}}"#,
            r#"{"type":"peer_left","room":"r","id":"p"}"#,
            r#"{"type":"joined","room":"r","role":"mesh"}"#,
            r#"{"type":"joined","room":"r","role":"boss","peers":[]}"#,
            r#"{"room":"r"}"#,
            "not json",
        ] {
            assert_eq!(ServerEvent::from_json(text), None, "{text}");
            assert!(serde_json::from_str::<ServerEvent>(text).is_err(), "{text}");
        }
    }
}
