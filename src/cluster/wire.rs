//! What instances publish to each other. Every message names the instance that sent it, so
//! an instance skips its own on a room's channel. Relayed frames travel as the sender's
//! instance made them, its sender stamped there: only instances publish, never clients.
use crate::signaling::hub::{Answer, RemoteConn};
use crate::signaling::protocol::{PeerInfo, Role};
use serde::{Deserialize, Serialize};

#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "t", rename_all = "snake_case")]
pub enum Envelope {
    /// On an instance's channel: a relayed frame for its connection `to`; with `call`, a
    /// ring's frame (the call rings from `node`, where its answers go).
    To {
        node: String,
        to: String,
        frame: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        call: Option<String>,
    },
    /// On an instance's channel: its connection's answer to a call ringing there.
    Answer {
        conn: String,
        call: String,
        answer: Answer,
    },
    /// On the users' channel: a user's connection opened on `node`.
    ConnUp { node: String, conn: RemoteConn },
    /// On the users' channel: a user's connection on `node` closed.
    ConnDown { node: String, conn: String },
    /// On an instance's channel: a frame for realm address `addr` held there.
    ToAddr {
        realm: String,
        addr: String,
        frame: String,
    },
    /// On the users' channel: instance `node` holds (`bound`) or freed a realm address.
    Addr {
        node: String,
        realm: String,
        addr: String,
        bound: bool,
    },
    /// On the users' channel: an accepted call's private room.
    Private {
        node: String,
        room: String,
        allowed: [String; 2],
    },
    /// On a room's channel: a room-wide relay from `from`, for members whose roles take it.
    Relay {
        node: String,
        from: String,
        role: Role,
        frame: String,
    },
    /// On a room's channel: `peer` joined it on instance `node`.
    Joined { node: String, peer: PeerInfo },
    /// On a room's channel: peer `id` of instance `node` left it.
    Left { node: String, id: String },
}

impl Envelope {
    pub fn encode(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}
