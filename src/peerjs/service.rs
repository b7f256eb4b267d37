//! The PeerJS realm on top of the hub: who signals with whom, and the mailbox for absent ids.
//!
//! Lock order: this service's mutex, then (inside hub calls) the hub's. The hub never calls
//! back here, so the order cannot invert; neither lock is held across an `.await`. Holding ours
//! while checking the hub and holding or delivering keeps one sender's messages in order even
//! when the receiver connects in between.
use super::mailbox::{Mailbox, MailboxLimits};
use super::options::PeerJsOptions;
use super::pairs::{LastLink, Pairs};
use super::shared::{SharedClaim, SharedIds};
use super::wire::{self, Kind};
use crate::signaling::hub::{ClaimError, Claimed, DeliverError, Hub, PeerId, Undelivered};
use parking_lot::Mutex;
use serde_json::value::RawValue;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

/// Messages one sender may have waiting for absent ids, all receivers together.
pub const HELD_PER_SENDER: usize = 64;
/// Bytes one sender may have waiting.
pub const HELD_BYTES_PER_SENDER: usize = 256 * 1024;
/// Messages waiting in all.
pub const HELD_TOTAL: usize = 4_096;
/// Bytes waiting in all.
pub const HELD_BYTES_TOTAL: usize = 8 * 1024 * 1024;

/// PeerJS-only counters; delivery, drops and evictions count in the hub's `Metrics`.
#[derive(Debug, Default)]
pub struct PeerJsMetrics {
    pub held: AtomicU64,
    /// Messages for absent ids the mailbox had no room for (the sender got `EXPIRE`).
    pub held_dropped: AtomicU64,
    pub expired: AtomicU64,
    pub ignored: AtomicU64,
}

pub struct PeerJs {
    pub hub: Arc<Hub>,
    pub options: PeerJsOptions,
    pub metrics: PeerJsMetrics,
    realm: String,
    inner: Mutex<Inner>,
    /// The cluster's store of ids, when there is a cluster.
    shared: std::sync::OnceLock<Arc<dyn SharedIds>>,
}

struct Inner {
    mailbox: Mailbox,
    pairs: Pairs,
}

impl PeerJs {
    pub fn new(hub: Arc<Hub>, options: PeerJsOptions) -> Self {
        // Held frames go into the receiver's hub queue at connect: leave room for live ones.
        let per_id = (hub.limits().queue / 2).clamp(1, 128);
        let limits = MailboxLimits {
            per_id,
            per_sender: HELD_PER_SENDER,
            per_sender_bytes: HELD_BYTES_PER_SENDER,
            total: HELD_TOTAL,
            total_bytes: HELD_BYTES_TOTAL,
            ttl: options.expire_timeout,
        };
        let inner = Inner {
            mailbox: Mailbox::new(limits),
            pairs: Pairs::default(),
        };
        Self {
            hub,
            realm: options.realm(),
            options,
            metrics: PeerJsMetrics::default(),
            inner: Mutex::new(inner),
            shared: std::sync::OnceLock::new(),
        }
    }

    /// Makes ids unique across a cluster (see `shared.rs`).
    pub fn set_shared(&self, shared: Arc<dyn SharedIds>) {
        let _ = self.shared.set(shared);
    }

    /// Claims `id` in the cluster's store; without a cluster, `Unavailable` (decide here).
    pub async fn claim_shared(&self, id: &str) -> SharedClaim {
        match self.shared.get() {
            Some(s) => s.claim(&self.realm, id).await,
            None => SharedClaim::Unavailable,
        }
    }

    /// Gives back a claim [`PeerJs::claim_shared`] made for an id refused here.
    pub fn unclaim_shared(&self, id: &str) {
        if let Some(s) = self.shared.get() {
            s.unclaim(&self.realm, id);
        }
    }

    /// `id` is held on another instance now: what waits here for it goes there.
    pub fn held_elsewhere(&self, realm: &str, id: &str) {
        if realm != self.realm {
            return;
        }
        let mut inner = self.inner.lock();
        for frame in inner.mailbox.take(id) {
            let _ = self.hub.deliver(&self.realm, id, frame);
        }
    }

    /// Binds `id` to the hub connection `conn` and moves anything held for it into its queue.
    pub fn connect(&self, conn: &str, id: &str, token: &str) -> Result<Claimed, ClaimError> {
        let mut inner = self.inner.lock();
        let claimed =
            self.hub
                .claim(conn, &self.realm, id, token, self.options.concurrent_limit)?;
        for frame in inner.mailbox.take(id) {
            // Our own queue is fresh and larger than one id's share of the mailbox.
            let _ = self.hub.deliver(&self.realm, id, frame);
        }
        Ok(claimed)
    }

    /// Relays a client message from `src` to `dst`, holding it if `dst` is absent. The pair is
    /// recorded (for `LEAVE`) only once the message reached `dst` or waits for it, so made-up
    /// ids leave nothing behind. A message that cannot wait is answered with `EXPIRE`, which
    /// the stock client reports as `peer-unavailable` (an `ERROR` would destroy it).
    pub fn relay(&self, src: &str, kind: Kind, dst: &str, payload: Option<&RawValue>) {
        self.relay_from(&mut LastLink::default(), src, kind, dst, payload);
    }

    /// [`PeerJs::relay`] for a socket that keeps `last`, the pair it last recorded.
    pub fn relay_from(
        &self,
        last: &mut LastLink,
        src: &str,
        kind: Kind,
        dst: &str,
        payload: Option<&RawValue>,
    ) {
        if !wire::valid_id(dst) {
            // Nobody can connect with such an id: nothing to deliver or hold.
            self.metrics.ignored.fetch_add(1, Ordering::Relaxed);
            return;
        }
        let frame = wire::relay(kind, src, dst, payload);
        let mut inner = self.inner.lock();
        if kind == Kind::Leave {
            inner.pairs.unlink(src, dst);
        }
        let reached = match self.hub.deliver_or_return(&self.realm, dst, frame) {
            Ok(()) => true,
            Err(Undelivered {
                why: DeliverError::Absent,
                frame: Some(frame),
            }) if kind.waits() => {
                let now = Instant::now();
                match inner.mailbox.hold(dst, src, frame, now) {
                    Ok(()) => {
                        self.metrics.held.fetch_add(1, Ordering::Relaxed);
                        true
                    }
                    Err(why) => {
                        self.metrics.held_dropped.fetch_add(1, Ordering::Relaxed);
                        tracing::debug!(?why, "peerjs: no room to hold a message for an absent id");
                        if inner.mailbox.tell_refused(src, dst, now) {
                            let expire = wire::notice(Kind::Expire, dst, src);
                            let _ = self.hub.deliver(&self.realm, src, expire);
                        }
                        false
                    }
                }
            }
            // Nobody to give it to, or the receiver is being dropped (its own disconnect
            // tells its partners).
            Err(_) => false,
        };
        if reached && kind.pairs() && !inner.pairs.link_from(last, src, dst) && src != dst {
            tracing::debug!("peerjs: signaling pair not recorded (cap reached); no LEAVE for it");
        }
    }

    /// Called when `conn`'s socket ends. Unless a reconnect replaced it, frees the id (if the
    /// hub has not already, on dropping the connection) and tells everyone it was signaling
    /// with.
    pub fn disconnect(&self, conn: &str, id: &str) -> bool {
        let mut inner = self.inner.lock();
        if !self.hub.release(conn, &self.realm, id) {
            return false;
        }
        for p in inner.pairs.remove(id) {
            let _ = self
                .hub
                .deliver(&self.realm, &p, wire::notice(Kind::Leave, id, &p));
        }
        true
    }

    /// Whether another connection holds `id` now: a reconnect replaced `conn`.
    pub fn replaced(&self, conn: &str, id: &str) -> bool {
        self.hub
            .holder(&self.realm, id)
            .is_some_and(|c| &*c != conn)
    }

    /// Drops held messages past `expire_timeout` and sends their senders `EXPIRE`.
    pub fn expire(&self, now: Instant) {
        let mut inner = self.inner.lock();
        for (src, dst) in inner.mailbox.expire(now) {
            self.metrics.expired.fetch_add(1, Ordering::Relaxed);
            // The receiver never came: the pair stood only on what was waiting for it.
            if !inner.mailbox.holds_pair(&src, &dst) && self.hub.holder(&self.realm, &dst).is_none()
            {
                inner.pairs.unlink(&src, &dst);
            }
            let _ = self
                .hub
                .deliver(&self.realm, &src, wire::notice(Kind::Expire, &dst, &src));
        }
    }

    /// A random id nobody holds right now.
    pub fn fresh_id(&self) -> String {
        loop {
            let id = crate::signaling::hub::new_id();
            if self.hub.holder(&self.realm, &id).is_none() {
                return id;
            }
        }
    }

    /// Connected ids.
    pub fn peers(&self) -> Vec<String> {
        self.hub.addresses(&self.realm)
    }

    /// Recorded signaling pairs, and the ids in them.
    pub fn pair_count(&self) -> (usize, usize) {
        let inner = self.inner.lock();
        (inner.pairs.len(), inner.pairs.ids())
    }

    /// Messages waiting for absent ids, and how many senders they come from.
    pub fn held_count(&self) -> (usize, usize) {
        let inner = self.inner.lock();
        (inner.mailbox.len(), inner.mailbox.senders())
    }

    /// A new hub connection for a PeerJS socket.
    pub fn register(&self, id: &str) -> (PeerId, crate::signaling::hub::Inbox) {
        self.hub.register(id)
    }
}

/// Runs expiry until shutdown. Checks a few times per `expire_timeout` (at most once a second,
/// as often as every 10 ms for tiny test timeouts), so `EXPIRE` comes soon after the deadline.
pub fn spawn_expiry(svc: Arc<PeerJs>, shutdown: CancellationToken) {
    let every =
        (svc.options.expire_timeout / 5).clamp(Duration::from_millis(10), Duration::from_secs(1));
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = shutdown.cancelled() => break,
                _ = tick.tick() => svc.expire(Instant::now()),
            }
        }
    });
}

#[cfg(test)]
mod tests;
