//! The PeerJS server protocol (see `docs/peerjs.md`), so stock PeerJS clients use our
//! server unchanged. A thin dialect over the one signaling hub: its peers live in a hub realm
//! named after the PeerJS key, share the hub's queues, limits and metrics, and can reach only
//! each other, never room-dialect peers.
pub mod http;
pub mod mailbox;
pub mod options;
pub mod pairs;
pub mod service;
pub mod shared;
pub mod socket;
pub mod wire;

pub use options::PeerJsOptions;
pub use service::{spawn_expiry, PeerJs};
