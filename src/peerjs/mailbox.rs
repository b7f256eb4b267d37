//! Messages for ids that are not connected: held until the id connects or the message expires.
//! Bounded per receiver, per sender (so one sender cannot fill it for everyone), and in count
//! and bytes overall.
use axum::extract::ws::Utf8Bytes;
use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::Arc;
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Copy)]
pub struct MailboxLimits {
    /// Messages held for one receiver.
    pub per_id: usize,
    /// Messages held from one sender, for all receivers together.
    pub per_sender: usize,
    /// Bytes held from one sender.
    pub per_sender_bytes: usize,
    pub total: usize,
    pub total_bytes: usize,
    pub ttl: Duration,
}

/// Why a message was not held.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The receiver already has its share waiting.
    ForId,
    /// The sender already has its share waiting.
    FromSender,
    /// The mailbox as a whole is full.
    Full,
}

struct Held {
    src: Arc<str>,
    frame: Utf8Bytes,
    deadline: Instant,
}

#[derive(Default, Clone, Copy)]
struct Usage {
    count: usize,
    bytes: usize,
}

pub struct Mailbox {
    limits: MailboxLimits,
    by_dst: HashMap<Arc<str>, VecDeque<Held>>,
    by_src: HashMap<Arc<str>, Usage>,
    /// (sender → receiver → until): refusals already answered, so a burst of refused messages
    /// (an offer and its candidates) gets one answer.
    told: HashMap<Arc<str>, HashMap<Arc<str>, Instant>>,
    told_count: usize,
    count: usize,
    bytes: usize,
}

impl Mailbox {
    pub fn new(limits: MailboxLimits) -> Self {
        Self {
            limits,
            by_dst: HashMap::new(),
            by_src: HashMap::new(),
            told: HashMap::new(),
            told_count: 0,
            count: 0,
            bytes: 0,
        }
    }

    /// Holds `frame` from `src` for `dst`, unless a bound is reached (then nothing is held).
    pub fn hold(
        &mut self,
        dst: &str,
        src: &str,
        frame: Utf8Bytes,
        now: Instant,
    ) -> Result<(), Refusal> {
        let size = frame.len() + dst.len();
        if self.count >= self.limits.total || self.bytes + size > self.limits.total_bytes {
            return Err(Refusal::Full);
        }
        let mine = self.by_src.get(src).copied().unwrap_or_default();
        if mine.count >= self.limits.per_sender || mine.bytes + size > self.limits.per_sender_bytes
        {
            return Err(Refusal::FromSender);
        }
        if self
            .by_dst
            .get(dst)
            .is_some_and(|q| q.len() >= self.limits.per_id)
        {
            return Err(Refusal::ForId);
        }
        let src: Arc<str> = match self.by_src.get_key_value(src) {
            Some((k, _)) => k.clone(),
            None => src.into(),
        };
        let usage = self.by_src.entry(src.clone()).or_default();
        usage.count += 1;
        usage.bytes += size;
        let held = Held {
            src,
            frame,
            deadline: now + self.limits.ttl,
        };
        self.by_dst.entry(dst.into()).or_default().push_back(held);
        self.count += 1;
        self.bytes += size;
        Ok(())
    }

    /// Everything held for `dst`, oldest first, removed from the mailbox.
    pub fn take(&mut self, dst: &str) -> Vec<Utf8Bytes> {
        let Some(q) = self.by_dst.remove(dst) else {
            return Vec::new();
        };
        q.into_iter()
            .map(|h| {
                self.forget(&h, dst.len());
                h.frame
            })
            .collect()
    }

    /// Whether anything from `src` for `dst` is waiting.
    pub fn holds_pair(&self, src: &str, dst: &str) -> bool {
        self.by_dst
            .get(dst)
            .is_some_and(|q| q.iter().any(|h| &*h.src == src))
    }

    /// Whether `src` should be told now that its message for `dst` was refused: not while
    /// messages of the pair are held (their expiry tells it), and once per `ttl` otherwise.
    pub fn tell_refused(&mut self, src: &str, dst: &str, now: Instant) -> bool {
        if self.holds_pair(src, dst) {
            return false;
        }
        let until = self.told.get(src).and_then(|m| m.get(dst)).copied();
        if until.is_some_and(|u| u > now) {
            return false;
        }
        // When the record is full the sender is still told, only not deduplicated.
        if until.is_some() || self.told_count < self.limits.total {
            let inner = self.told.entry(src.into()).or_default();
            if inner.insert(dst.into(), now + self.limits.ttl).is_none() {
                self.told_count += 1;
            }
        }
        true
    }

    /// Drops what is past its deadline; returns each `(src, dst)` pair that lost a message,
    /// once, so every sender hears `EXPIRE` once per receiver.
    pub fn expire(&mut self, now: Instant) -> Vec<(Arc<str>, Arc<str>)> {
        let mut seen = HashSet::new();
        let mut gone = Vec::new();
        self.by_dst.retain(|dst, q| {
            // Every message gets the same time to live, so each queue is in deadline order.
            while q.front().is_some_and(|h| h.deadline <= now) {
                if let Some(h) = q.pop_front() {
                    gone.push((h, dst.clone()));
                }
            }
            !q.is_empty()
        });
        let mut out = Vec::new();
        for (h, dst) in gone {
            self.forget(&h, dst.len());
            if seen.insert((h.src.clone(), dst.clone())) {
                out.push((h.src, dst));
            }
        }
        let mut forgotten = 0;
        self.told.retain(|_, m| {
            let before = m.len();
            m.retain(|_, until| *until > now);
            forgotten += before - m.len();
            !m.is_empty()
        });
        self.told_count -= forgotten;
        out
    }

    /// Gives back the counts of a message that left the mailbox.
    fn forget(&mut self, h: &Held, dst_len: usize) {
        let size = h.frame.len() + dst_len;
        self.count -= 1;
        self.bytes -= size;
        if let Some(u) = self.by_src.get_mut(&h.src) {
            u.count -= 1;
            u.bytes -= size;
            if u.count == 0 {
                self.by_src.remove(&h.src);
            }
        }
    }

    pub fn len(&self) -> usize {
        self.count
    }

    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// Senders with something held.
    pub fn senders(&self) -> usize {
        self.by_src.len()
    }
}

#[cfg(test)]
mod tests;
