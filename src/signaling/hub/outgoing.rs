//! What a hub and the rest of its cluster tell each other about (see `remote.rs`).
use super::{PeerInfo, Role};
use axum::extract::ws::Utf8Bytes;
use std::sync::Arc;

/// A room's member on another instance, as the cluster's store lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteMember {
    pub id: String,
    pub node: String,
    pub name: String,
    pub role: Role,
}

/// What this instance's hub sends the rest of the cluster.
#[derive(Debug)]
pub enum Outgoing {
    /// A relayed frame (its sender already stamped) for one peer on instance `node`.
    ToPeer {
        node: Arc<str>,
        to: String,
        frame: Utf8Bytes,
        /// For a ring's frames: the call, which rings from this instance.
        call: Option<Arc<str>>,
    },
    /// A room-wide relay for the room's members on other instances.
    ToRoom {
        room: Arc<str>,
        from: String,
        role: Role,
        frame: Utf8Bytes,
    },
    /// One of this instance's connections joined `room` (the store has already admitted it).
    Joined { room: Arc<str>, peer: PeerInfo },
    /// One of this instance's connections left `room`.
    Left {
        room: Arc<str>,
        id: String,
        name: String,
    },
    /// One of this instance's connections belongs to a user (who is online).
    ConnUp(RemoteConn),
    /// One of this instance's user connections closed.
    ConnDown { conn: String },
    /// A call rang here was accepted: its private room, for whichever instance the two join on.
    Private { room: String, allowed: [String; 2] },
    /// A connection here took address `addr` in `realm` (a PeerJS id).
    Bound { realm: Arc<str>, addr: Arc<str> },
    /// Address `addr` in `realm` is free again here.
    Unbound { realm: Arc<str>, addr: Arc<str> },
    /// A frame for address `addr` in `realm`, held on instance `node`.
    ToAddr {
        node: Arc<str>,
        realm: String,
        addr: String,
        frame: Utf8Bytes,
    },
    /// A user's connection here answers a call that rings from instance `node`.
    Answer {
        node: String,
        conn: String,
        call: String,
        answer: Answer,
    },
}

/// A user's connection on another instance (or this one's, as the others see it).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RemoteConn {
    pub conn: String,
    pub user: String,
    pub name: String,
    pub guest: bool,
}

/// How a callee answers a ring.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Answer {
    Accept,
    Decline,
    Hangup,
}
