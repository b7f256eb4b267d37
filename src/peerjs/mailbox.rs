//! Messages for ids that are not connected: held (bounded per id, in count and bytes overall)
//! until the id connects or the message expires.
use axum::extract::ws::Utf8Bytes;
use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::Arc;
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Copy)]
pub struct MailboxLimits {
    pub per_id: usize,
    pub total: usize,
    pub total_bytes: usize,
    pub ttl: Duration,
}

struct Held {
    src: Arc<str>,
    frame: Utf8Bytes,
    deadline: Instant,
}

pub struct Mailbox {
    limits: MailboxLimits,
    by_dst: HashMap<Arc<str>, VecDeque<Held>>,
    count: usize,
    bytes: usize,
}

impl Mailbox {
    pub fn new(limits: MailboxLimits) -> Self {
        Self {
            limits,
            by_dst: HashMap::new(),
            count: 0,
            bytes: 0,
        }
    }

    /// Holds `frame` from `src` for `dst`; `false` (and nothing held) when a bound is reached.
    pub fn hold(&mut self, dst: &str, src: &str, frame: Utf8Bytes, now: Instant) -> bool {
        let size = frame.len() + dst.len();
        if self.count >= self.limits.total || self.bytes + size > self.limits.total_bytes {
            return false;
        }
        if self
            .by_dst
            .get(dst)
            .is_some_and(|q| q.len() >= self.limits.per_id)
        {
            return false;
        }
        let held = Held {
            src: src.into(),
            frame,
            deadline: now + self.limits.ttl,
        };
        self.by_dst.entry(dst.into()).or_default().push_back(held);
        self.count += 1;
        self.bytes += size;
        true
    }

    /// Everything held for `dst`, oldest first, removed from the mailbox.
    pub fn take(&mut self, dst: &str) -> Vec<Utf8Bytes> {
        let Some(q) = self.by_dst.remove(dst) else {
            return Vec::new();
        };
        self.count -= q.len();
        q.into_iter()
            .map(|h| {
                self.bytes -= h.frame.len() + dst.len();
                h.frame
            })
            .collect()
    }

    /// Drops what is past its deadline; returns each `(src, dst)` pair that lost a message,
    /// once, so every sender hears `EXPIRE` once per receiver.
    pub fn expire(&mut self, now: Instant) -> Vec<(Arc<str>, Arc<str>)> {
        let mut seen = HashSet::new();
        let mut out = Vec::new();
        let (mut count, mut bytes) = (0, 0);
        self.by_dst.retain(|dst, q| {
            // Every message gets the same time to live, so each queue is in deadline order.
            while q.front().is_some_and(|h| h.deadline <= now) {
                if let Some(h) = q.pop_front() {
                    count += 1;
                    bytes += h.frame.len() + dst.len();
                    if seen.insert((h.src.clone(), dst.clone())) {
                        out.push((h.src, dst.clone()));
                    }
                }
            }
            !q.is_empty()
        });
        self.count -= count;
        self.bytes -= bytes;
        out
    }

    pub fn len(&self) -> usize {
        self.count
    }

    pub fn is_empty(&self) -> bool {
        self.count == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mb(per_id: usize, total: usize, total_bytes: usize) -> Mailbox {
        Mailbox::new(MailboxLimits {
            per_id,
            total,
            total_bytes,
            ttl: Duration::from_secs(5),
        })
    }

    #[test]
    fn take_returns_in_order_and_empties() {
        let mut m = mb(10, 100, 10_000);
        let t = Instant::now();
        assert!(m.hold("b", "a", "1".into(), t));
        assert!(m.hold("b", "a", "2".into(), t));
        assert!(m.hold("c", "a", "3".into(), t));
        let got: Vec<String> = m.take("b").iter().map(|f| f.to_string()).collect();
        assert_eq!(got, ["1", "2"]);
        assert!(m.take("b").is_empty());
        assert_eq!(m.len(), 1);
    }

    #[test]
    fn bounds_per_id_total_and_bytes() {
        let mut m = mb(2, 3, 10_000);
        let t = Instant::now();
        assert!(m.hold("b", "a", "x".into(), t) && m.hold("b", "a", "x".into(), t));
        assert!(!m.hold("b", "a", "x".into(), t), "per id");
        assert!(m.hold("c", "a", "x".into(), t));
        assert!(!m.hold("d", "a", "x".into(), t), "total");
        let mut small = mb(10, 10, 10);
        assert!(small.hold("b", "a", "12345678".into(), t));
        assert!(!small.hold("b", "a", "1".into(), t), "bytes");
        small.take("b");
        assert!(
            small.hold("b", "a", "12345678".into(), t),
            "taking frees the bytes"
        );
    }

    #[test]
    fn expiry_reports_each_pair_once_after_the_ttl() {
        let mut m = mb(10, 100, 10_000);
        let t = Instant::now();
        m.hold("b", "a", "1".into(), t);
        m.hold("b", "a", "2".into(), t);
        m.hold("b", "c", "3".into(), t + Duration::from_secs(1));
        assert!(m.expire(t + Duration::from_millis(4_999)).is_empty());
        let gone = m.expire(t + Duration::from_secs(5));
        assert_eq!(gone, vec![(Arc::from("a"), Arc::from("b"))]);
        assert_eq!(m.len(), 1);
        assert_eq!(m.expire(t + Duration::from_secs(6)).len(), 1);
        assert!(m.is_empty());
        assert!(
            m.hold("b", "a", "x".repeat(9_990).into(), t),
            "all bytes were freed"
        );
    }
}
