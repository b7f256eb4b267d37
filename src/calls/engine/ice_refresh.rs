//! Keeping TURN credentials fresh: they expire (`expiresAt`), so the engine fetches new ones
//! before that and gives them to every live connection and to new ones.
use super::{later, Engine};
use crate::calls::ice;
use crate::calls::recovery::refresh_delay_ms;

/// Wait before asking again after a failed fetch.
const RETRY_MS: i32 = 30_000;

impl Engine {
    /// A newer ICE configuration (from `welcome` or `GET /api/ice`).
    pub(super) fn set_ice(&self, json: String) {
        let pcs: Vec<web_sys::RtcPeerConnection> = {
            let mut i = self.0.borrow_mut();
            if i.ice == json {
                return;
            }
            i.ice = json.clone();
            i.ice_generation += 1;
            i.pcs()
        };
        for pc in pcs {
            if let Err(err) = ice::apply(&pc, &json) {
                leptos::logging::warn!("could not update a connection's ICE servers: {err:?}");
            }
        }
        self.schedule_ice_refresh();
    }

    /// Fetches fresh credentials at 80% of the current ones' life, if they expire.
    pub(super) fn schedule_ice_refresh(&self) {
        let (generation, expiry) = {
            let i = self.0.borrow();
            (i.ice_generation, ice::expires_at(&i.ice))
        };
        let Some(expiry) = expiry else { return };
        let delay = refresh_delay_ms(js_sys::Date::now(), expiry);
        later(self, delay, move |e| e.refresh_ice(generation));
    }

    fn refresh_ice(&self, generation: u64) {
        {
            let i = self.0.borrow();
            if i.left || i.ice_generation != generation {
                return;
            }
        }
        let e = self.clone();
        wasm_bindgen_futures::spawn_local(async move {
            match ice::fetch_fresh().await {
                Ok(json) => e.set_ice(json),
                Err(err) => {
                    leptos::logging::warn!("could not refresh the ICE servers: {err:?}");
                    later(&e, RETRY_MS, move |e| e.refresh_ice(generation));
                }
            }
        });
    }
}
