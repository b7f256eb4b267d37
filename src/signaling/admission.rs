//! Who admits a `join` and takes an answer to a ring: the hub alone, or a cluster
//! (`crate::cluster`) that first asks the shared store, so room caps hold across instances,
//! and sends answers to the instance a call rings from.
use super::hub::{Answer, JoinError};
use super::protocol::{PeerInfo, Role};
use std::future::Future;
use std::pin::Pin;

pub type JoinFuture<'a> =
    Pin<Box<dyn Future<Output = Result<Vec<PeerInfo>, JoinError>> + Send + 'a>>;

/// Admits joins for a socket's connection. Without one the hub admits them itself.
pub trait Admission: Send + Sync + std::fmt::Debug {
    /// Puts connection `id` in `room` with `role` (see [`super::hub::Hub::join`]).
    fn join<'a>(&'a self, id: &'a str, room: &'a str, role: Role) -> JoinFuture<'a>;
    /// Sends connection `id`'s answer to a call that rings from elsewhere; false when the
    /// call is not known to ring from elsewhere (the hub answers it here).
    fn answer(&self, id: &str, call: &str, answer: Answer) -> bool;
}
