//! The tiles' meters: every 2 s each link's statistics grade its connection; every quarter
//! second the audio levels say who is speaking. Both loops end with the engine.
use super::{later, Engine};
use crate::calls::model::LOCAL;
use crate::calls::quality::{self, Reading};
use crate::calls::speaking::{active_speaker, hold};
use crate::calls::stats;
use leptos::prelude::*;
use std::collections::HashMap;
use wasm_bindgen_futures::spawn_local;
use web_sys::RtcPeerConnection;

const QUALITY_MS: i32 = 2_000;
const LEVEL_MS: i32 = 250;

impl Engine {
    /// Starts the quality and speaking loops.
    pub fn watch_meters(&self) {
        later(self, QUALITY_MS, |e| e.quality_tick(HashMap::new()));
        later(self, LEVEL_MS, |e| e.level_tick());
    }

    /// The links, unless we left (which ends the loops).
    fn live_links(&self) -> Option<HashMap<String, RtcPeerConnection>> {
        let i = self.0.borrow();
        (!i.left).then(|| {
            i.links
                .iter()
                .map(|(id, l)| (id.clone(), l.pc.clone()))
                .collect()
        })
    }

    /// Grades every link against its reading of the last tick (`prev`).
    fn quality_tick(&self, prev: HashMap<String, Reading>) {
        let Some(pcs) = self.live_links() else {
            return;
        };
        let e = self.clone();
        spawn_local(async move {
            let mut next = HashMap::new();
            for (id, pc) in pcs {
                let Some(now) = stats::reading(&pc).await else {
                    continue;
                };
                let sample = quality::sample(prev.get(&id), &now);
                e.ui().tiles.with_untracked(|t| {
                    if let Some(t) = t.iter().find(|t| t.id == id) {
                        t.quality.set(Some(sample));
                    }
                });
                next.insert(id, now);
            }
            later(&e, QUALITY_MS, move |e| e.quality_tick(next));
        });
    }

    /// Reads every level, holds it on its tile and picks the active speaker.
    fn level_tick(&self) {
        let Some(pcs) = self.live_links() else {
            return;
        };
        let ui = self.ui();
        let mut levels: Vec<(String, f64)> = ui.tiles.with_untracked(|tiles| {
            tiles
                .iter()
                .map(|t| {
                    let now = pcs.get(&t.id).and_then(stats::remote_level).unwrap_or(0.0);
                    let held = hold(t.level.get_untracked(), now);
                    if held != t.level.get_untracked() {
                        t.level.set(held);
                    }
                    (t.id.clone(), held)
                })
                .collect()
        });
        let any_pc = pcs.into_values().next();
        let e = self.clone();
        spawn_local(async move {
            let mic_on = crate::calls::media::local_on().0;
            let now = match any_pc {
                Some(pc) if mic_on => stats::local_level(&pc).await.unwrap_or(0.0),
                _ => 0.0,
            };
            let held = hold(ui.local_level.get_untracked(), now);
            if held != ui.local_level.get_untracked() {
                ui.local_level.try_set(held);
            }
            levels.push((LOCAL.to_owned(), held));
            let keyed: Vec<(&str, f64)> = levels.iter().map(|(k, l)| (k.as_str(), *l)).collect();
            let current = ui.speaker.get_untracked();
            let next = active_speaker(&keyed, current.as_deref()).map(str::to_owned);
            if next != current {
                ui.speaker.try_set(next);
            }
            later(&e, LEVEL_MS, |e| e.level_tick());
        });
    }
}
