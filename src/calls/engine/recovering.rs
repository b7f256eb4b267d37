//! Links that lose their network path: the per-link recovery machine (`calls::recovery`) fed
//! with the connection's events, its timers, ICE restarts, and the words shown when a link
//! cannot connect.
use super::{later, Engine};
use crate::calls::problems::{words, Relay};
use crate::calls::recovery::{Plan, Recovery, Seen};
use leptos::prelude::*;

impl Engine {
    /// The link's `connectionState` changed.
    pub(super) fn on_link_state(&self, peer: &str, raw: &'static str) {
        let seen = match raw {
            "connected" => Seen::Connected,
            "disconnected" => Seen::Disconnected,
            "failed" => Seen::Failed,
            _ => Seen::Other,
        };
        if seen == Seen::Connected {
            if let Some(l) = self.0.borrow_mut().links.get_mut(peer) {
                l.relay = None;
            }
        }
        self.step(peer, &|r| r.seen(seen, raw));
    }

    /// A gathering round ended. Without a single candidate (relay-only with every relay
    /// refusing or unreachable) this round can never connect: as good as `failed`.
    pub(super) fn on_gathered(&self, peer: &str, candidates: u32) {
        if candidates == 0 {
            self.step(peer, &|r| {
                let raw = if r.connected() { "failed" } else { "new" };
                r.seen(Seen::Failed, raw)
            });
        }
    }

    pub(super) fn on_ice_error(&self, peer: &str, url: &str, code: u16) {
        let Some(trouble) = Relay::from_error(url, code) else {
            return;
        };
        leptos::logging::log!("relay server {url} answered {code}");
        if let Some(l) = self.0.borrow_mut().links.get_mut(peer) {
            l.relay = Some(l.relay.map_or(trouble, |t| t.worse(trouble)));
        }
        self.show_problems();
    }

    /// The other side sent an offer on an existing link: an ICE restart is under way.
    pub(super) fn restart_offered(&self, peer: &str) {
        self.step(peer, &|r| r.offered());
    }

    /// The signaling socket came back with our peer id: restart what is down.
    pub(super) fn restart_broken_links(&self) {
        let peers: Vec<String> = self.0.borrow().links.keys().cloned().collect();
        for peer in peers {
            self.step(&peer, &|r| r.resumed());
        }
    }

    /// Runs one step of `peer`'s recovery machine and carries out its plan.
    fn step(&self, peer: &str, f: &dyn Fn(&mut Recovery) -> Plan) {
        let plan = {
            let mut i = self.0.borrow_mut();
            let Some(l) = i.links.get_mut(peer) else {
                return;
            };
            f(&mut l.recovery)
        };
        if let Some((ms, generation)) = plan.timer {
            let peer = peer.to_owned();
            later(self, ms as i32, move |e| {
                let up = e.0.borrow().socket_open();
                e.step(&peer, &|r| r.timer(generation, up));
            });
        }
        if plan.restart {
            self.restart_ice(peer);
        }
        self.show_link(peer);
    }

    /// Puts the link's state on its tile, and its trouble (if any) in words.
    fn show_link(&self, peer: &str) {
        let word = {
            let i = self.0.borrow();
            let Some(l) = i.links.get(peer) else { return };
            l.recovery.tile()
        };
        self.set_tile_state(peer, word);
        self.show_problems();
    }

    /// Words for every link that failed and is not connected again: relay trouble when the
    /// browser reported some, otherwise that no path was found.
    pub(super) fn show_problems(&self) {
        let (tiles, w) = (self.ui().tiles, self.ui().words);
        let mut said: Vec<String> = Vec::new();
        for (id, l) in self.0.borrow().links.iter() {
            if !l.recovery.troubled() {
                continue;
            }
            let name = tiles.with_untracked(|t| {
                t.iter()
                    .find(|t| &t.id == id)
                    .map_or_else(|| w.someone.to_owned(), |t| t.name.clone())
            });
            let text = words(l.relay, &name, !l.recovery.gave_up(), w);
            if !said.contains(&text) {
                said.push(text);
            }
        }
        self.ui().problem.try_set(said.join(" "));
    }
}
