//! Who signals with whom: the pairs that hear `LEAVE` when one side goes.
//!
//! Ids are chosen by clients, so anyone could name millions of them. The service records a pair
//! only while its other side is connected or has messages waiting in the mailbox, and drops it
//! when either side leaves or the waiting messages expire; on top of that, each id and the whole
//! table are capped, so no stream of made-up ids can grow it without end. A pair that does not
//! fit is simply not recorded: messages still flow, only the courtesy `LEAVE` is lost.
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

/// Most peers one id is remembered to be signaling with.
pub const MAX_PER_ID: usize = 256;
/// Most pairs remembered in all.
pub const MAX_TOTAL: usize = 100_000;

pub struct Pairs {
    map: HashMap<Arc<str>, HashSet<Arc<str>>>,
    count: usize,
    per_id: usize,
    total: usize,
    /// Bumped whenever a pair is forgotten: a pair seen recorded since is recorded still.
    removals: u64,
}

/// The last pair a sender recorded, so its next message to the same id (every candidate
/// after an offer) skips the table while nothing was forgotten meanwhile.
#[derive(Debug, Default)]
pub struct LastLink {
    dst: String,
    removals: Option<u64>,
}

impl Default for Pairs {
    fn default() -> Self {
        Self::new(MAX_PER_ID, MAX_TOTAL)
    }
}

impl Pairs {
    pub fn new(per_id: usize, total: usize) -> Self {
        Self {
            map: HashMap::new(),
            count: 0,
            per_id,
            total,
            removals: 0,
        }
    }

    /// Records that `a` and `b` signal each other; `false` when a cap leaves it unrecorded.
    /// A peer signaling itself needs no `LEAVE` and is not recorded either.
    pub fn link(&mut self, a: &str, b: &str) -> bool {
        if a == b {
            return false;
        }
        // The common case (every candidate after an offer) finds the pair and allocates nothing.
        if self.contains(a, b) {
            return true;
        }
        if self.count >= self.total
            || self.degree(a) >= self.per_id
            || self.degree(b) >= self.per_id
        {
            return false;
        }
        let (a, b) = (self.key(a), self.key(b));
        self.map.entry(a.clone()).or_default().insert(b.clone());
        self.map.entry(b).or_default().insert(a);
        self.count += 1;
        true
    }

    /// [`Pairs::link`], skipped when `last` shows this pair recorded and nothing forgotten since.
    pub fn link_from(&mut self, last: &mut LastLink, a: &str, b: &str) -> bool {
        if last.removals == Some(self.removals) && last.dst == b {
            return true;
        }
        let linked = self.link(a, b);
        if linked {
            last.dst.clear();
            last.dst.push_str(b);
            last.removals = Some(self.removals);
        }
        linked
    }

    /// Forgets the pair `a`–`b`; returns whether it was recorded.
    pub fn unlink(&mut self, a: &str, b: &str) -> bool {
        let had = self.forget_half(a, b);
        if had {
            self.forget_half(b, a);
            self.count -= 1;
            self.removals += 1;
        }
        had
    }

    /// Forgets every pair of `id`; returns its partners.
    pub fn remove(&mut self, id: &str) -> Vec<Arc<str>> {
        let partners: Vec<Arc<str>> = self
            .map
            .remove(id)
            .unwrap_or_default()
            .into_iter()
            .collect();
        for p in &partners {
            self.forget_half(p, id);
        }
        self.count -= partners.len();
        self.removals += 1;
        partners
    }

    pub fn contains(&self, a: &str, b: &str) -> bool {
        self.map.get(a).is_some_and(|s| s.contains(b))
    }

    /// Pairs recorded.
    pub fn len(&self) -> usize {
        self.count
    }

    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// Ids with at least one pair.
    pub fn ids(&self) -> usize {
        self.map.len()
    }

    fn degree(&self, id: &str) -> usize {
        self.map.get(id).map_or(0, HashSet::len)
    }

    /// The id's existing key, shared rather than allocated again.
    fn key(&self, id: &str) -> Arc<str> {
        self.map
            .get_key_value(id)
            .map_or_else(|| id.into(), |(k, _)| k.clone())
    }

    fn forget_half(&mut self, from: &str, to: &str) -> bool {
        let Some(set) = self.map.get_mut(from) else {
            return false;
        };
        let had = set.remove(to);
        if set.is_empty() {
            self.map.remove(from);
        }
        had
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_unlink_remove_keep_both_directions_in_step() {
        let mut p = Pairs::default();
        assert!(p.link("a", "b") && p.link("b", "a") && p.link("a", "c"));
        assert!(!p.link("a", "a"), "no pair with oneself");
        assert_eq!((p.len(), p.ids()), (2, 3));
        assert!(p.contains("b", "a") && p.contains("c", "a"));
        assert!(p.unlink("b", "a"));
        assert!(!p.unlink("a", "b"), "already gone");
        assert_eq!((p.len(), p.ids()), (1, 2));
        p.link("b", "c");
        let mut gone = p.remove("c");
        gone.sort();
        assert_eq!(gone, [Arc::from("a"), Arc::from("b")]);
        assert!(p.is_empty() && p.ids() == 0, "no empty sets left behind");
    }

    #[test]
    fn a_remembered_link_is_trusted_only_while_nothing_was_forgotten() {
        let mut p = Pairs::default();
        let mut last = LastLink::default();
        assert!(p.link_from(&mut last, "a", "b"));
        assert!(p.link_from(&mut last, "a", "b"), "remembered");
        p.remove("b");
        assert!(!p.contains("a", "b"));
        assert!(p.link_from(&mut last, "a", "b"));
        assert!(p.contains("a", "b"), "recorded again after b's pairs went");
        p.link("c", "d");
        p.unlink("c", "d");
        p.unlink("a", "b");
        assert!(p.link_from(&mut last, "a", "b") && p.contains("b", "a"));
        assert!(p.link_from(&mut last, "a", "e") && p.contains("a", "e"));
        let mut full = Pairs::new(1, 10);
        let mut last = LastLink::default();
        assert!(full.link_from(&mut last, "a", "b"));
        assert!(!full.link_from(&mut last, "a", "c"), "a cap still refuses");
        assert!(
            !full.link_from(&mut last, "a", "c"),
            "and a refusal is not remembered"
        );
    }

    #[test]
    fn caps_per_id_and_in_total() {
        let mut p = Pairs::new(2, 3);
        assert!(p.link("a", "x") && p.link("a", "y"));
        assert!(!p.link("a", "z"), "a has its share");
        assert!(!p.link("z", "a"), "the cap holds from either side");
        assert!(p.link("a", "x"), "a recorded pair is still there");
        assert!(p.link("b", "c"));
        assert!(!p.link("d", "e"), "the table is full");
        assert_eq!(p.ids(), 5);
        p.remove("a");
        assert!(p.link("d", "e"), "room again once pairs go");
    }
}
