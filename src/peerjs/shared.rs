//! PeerJS ids across a cluster: an id is held once in the whole cluster, so a second client
//! asking for it on another instance gets `ID-TAKEN` there too. The cluster (`crate::cluster`)
//! claims ids in Redis for the PeerJS service, which knows it only by this trait.
use std::future::Future;
use std::pin::Pin;

/// How a claim of an id in the shared store went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SharedClaim {
    /// Claimed for this instance now: undo it if the id is not taken here after all.
    New,
    /// This instance holds it already (a reconnect with the same token, say).
    Held,
    /// Another live instance holds it.
    Taken,
    /// The store is out of reach: this instance decides alone.
    Unavailable,
}

pub type ClaimFuture<'a> = Pin<Box<dyn Future<Output = SharedClaim> + Send + 'a>>;

/// The cluster's side of PeerJS ids.
pub trait SharedIds: Send + Sync {
    /// Claims `id` in `realm` for this instance.
    fn claim<'a>(&'a self, realm: &'a str, id: &'a str) -> ClaimFuture<'a>;
    /// Gives back a claim that turned out unused (the id was refused here).
    fn unclaim(&self, realm: &str, id: &str);
}
