//! [`ServerEvent::from_json`], the browser's reading of server events, with the small reader of
//! `crate::json` rather than serde (see there why). The server keeps writing events with the
//! derive; the tests check both agree on every variant.
use super::{OnlineUser, PeerInfo, Role, RoomSummary, ServerEvent};
use crate::json::{Json, RawJson};

impl ServerEvent {
    /// Reads a server event; `None` for a relayed message, an unknown `type`, or an event
    /// without a field it needs (as the derived `Deserialize` would refuse it).
    pub fn from_json(text: &str) -> Option<Self> {
        Self::read(&Json::parse(text)?)
    }

    /// [`ServerEvent::from_json`] of a frame already parsed.
    pub fn read(f: &Json) -> Option<Self> {
        let s = |key: &str| f.string_at(key);
        Some(match f.str_at("type")? {
            "welcome" => Self::Welcome {
                id: s("id")?,
                name: s("name")?,
                resume: s("resume"),
                ice: f
                    .get("ice")
                    .filter(|v| **v != Json::Null)
                    .map(RawJson::from),
                resumed: f.bool_at("resumed").unwrap_or(false),
            },
            "joined" => Self::Joined {
                room: s("room")?,
                role: Role::from_json(f.get("role")?)?,
                peers: f.list_at("peers", PeerInfo::from_json)?,
            },
            "peer_joined" => Self::PeerJoined {
                room: s("room")?,
                peer: PeerInfo::from_json(f.get("peer")?)?,
            },
            "peer_left" => Self::PeerLeft {
                room: s("room")?,
                id: s("id")?,
                name: s("name")?,
            },
            "rooms" => Self::Rooms {
                rooms: f.list_at("rooms", RoomSummary::from_json)?,
            },
            "online" => Self::Online {
                users: f.list_at("users", OnlineUser::from_json)?,
            },
            "ringing" => Self::Ringing {
                call: s("call")?,
                name: s("name")?,
                peer_id: s("peer_id")?,
            },
            "incoming" => Self::Incoming {
                call: s("call")?,
                from_name: s("from_name")?,
                from_peer: s("from_peer")?,
            },
            "call_accepted" => Self::CallAccepted {
                call: s("call")?,
                room: s("room")?,
            },
            "call_declined" => Self::CallDeclined { call: s("call")? },
            "call_missed" => Self::CallMissed { call: s("call")? },
            "call_cancelled" => Self::CallCancelled {
                call: s("call")?,
                reason: s("reason")?,
            },
            "error" => Self::Error {
                code: s("code")?,
                message: s("message")?,
            },
            "pong" => Self::Pong,
            "reconnect" => Self::Reconnect {
                after_ms: f.u64_at("after_ms")?,
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
                // Keys in order: the derive reads `ice` through a `Value`, which sorts them.
                ice: RawJson::new(r#"{"expiresAt":5,"iceServers":[]}"#.into()),
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
