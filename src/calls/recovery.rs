//! How one peer link gets back on its feet after network trouble, as a small state machine the
//! browser engine feeds with the link's `connectionState` and its timers. It is pure so it can
//! be tested without a browser.
//!
//! Only the side that made the link's first offer restarts ICE (a new offer with `iceRestart`
//! on the same RTCPeerConnection), so the two sides never offer at once. The answerer waits
//! for those restart offers and gives up when none brings the link back.
//!
//! - `disconnected` often recovers by itself: the offerer waits [`GRACE_MS`] first.
//! - `failed` (or a gathering that found no candidate at all): restart after a backoff.
//! - A restart that has not connected within [`RESTART_WATCH_MS`] counts as failed.
//! - After [`MAX_RESTARTS`] restarts the link is `failed` for good, until it connects again.

/// How long a `disconnected` link may recover by itself before the offerer restarts ICE.
pub const GRACE_MS: u32 = 2_000;
/// Restarts the offerer tries before it gives up.
pub const MAX_RESTARTS: u32 = 3;
/// How long one restart may take to connect before it counts as failed.
pub const RESTART_WATCH_MS: u32 = 15_000;
/// How long the answerer waits for a restart offer to bring a broken link back.
pub const ANSWER_WAIT_MS: u32 = 20_000;

/// What the link reported, from its `connectionState`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Seen {
    Connected,
    Disconnected,
    /// `failed`, or gathering ended without a single candidate (nothing can ever connect).
    Failed,
    /// `new`, `connecting`: nothing to decide.
    Other,
}

/// What the engine must do after an event.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Plan {
    /// Call [`Recovery::timer`] with this generation after this many milliseconds.
    pub timer: Option<(u32, u64)>,
    /// Send an ICE-restart offer now.
    pub restart: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Wait {
    /// `disconnected`, maybe recovering by itself.
    Grace,
    /// Between a failure and the next restart.
    Backoff,
    /// A restart is under way (offerer), or waiting for one (answerer).
    Watch,
}

#[derive(Debug)]
pub struct Recovery {
    offerer: bool,
    restarts: u32,
    connected: bool,
    connected_once: bool,
    gave_up: bool,
    /// Failed at least once since it last connected (a disconnect alone is no news yet).
    failed: bool,
    wait: Option<Wait>,
    /// Timers of an older generation are stale and ignored.
    generation: u64,
    raw: &'static str,
}

impl Recovery {
    pub fn new(offerer: bool) -> Self {
        Self {
            offerer,
            restarts: 0,
            connected: false,
            connected_once: false,
            gave_up: false,
            failed: false,
            wait: None,
            generation: 0,
            raw: "new",
        }
    }

    pub fn offerer(&self) -> bool {
        self.offerer
    }

    pub fn connected(&self) -> bool {
        self.connected
    }

    /// True once recovery stopped trying.
    pub fn gave_up(&self) -> bool {
        self.gave_up
    }

    /// Should the page say why this link is not connected?
    pub fn troubled(&self) -> bool {
        !self.connected && (self.failed || self.gave_up)
    }

    /// The word the tile shows (`data-state`).
    pub fn tile(&self) -> &'static str {
        if self.connected {
            "connected"
        } else if self.gave_up {
            "failed"
        } else if self.connected_once {
            "reconnecting"
        } else if self.wait.is_some() || self.restarts > 0 {
            "connecting"
        } else {
            self.raw
        }
    }

    /// The link's state changed; `raw` is the `connectionState` word.
    pub fn seen(&mut self, seen: Seen, raw: &'static str) -> Plan {
        self.raw = raw;
        match seen {
            Seen::Connected => {
                self.connected = true;
                self.connected_once = true;
                self.gave_up = false;
                self.failed = false;
                self.restarts = 0;
                self.wait = None;
                self.generation += 1;
                Plan::default()
            }
            Seen::Other => {
                self.connected = false;
                Plan::default()
            }
            Seen::Disconnected => {
                self.connected = false;
                if self.wait.is_some() || self.gave_up {
                    return Plan::default();
                }
                if self.offerer {
                    self.wait_for(Wait::Grace, GRACE_MS)
                } else {
                    self.wait_for(Wait::Watch, ANSWER_WAIT_MS)
                }
            }
            Seen::Failed => {
                self.connected = false;
                self.failed = true;
                if self.gave_up {
                    Plan::default()
                } else if self.offerer {
                    if self.wait == Some(Wait::Backoff) {
                        return Plan::default();
                    }
                    self.attempt_failed()
                } else if self.wait == Some(Wait::Watch) {
                    Plan::default()
                } else {
                    self.wait_for(Wait::Watch, ANSWER_WAIT_MS)
                }
            }
        }
    }

    /// A timer of generation `generation` went off; `signaling_up` says whether an offer can
    /// reach the other side now.
    pub fn timer(&mut self, generation: u64, signaling_up: bool) -> Plan {
        if generation != self.generation || self.connected {
            return Plan::default();
        }
        match (self.wait, self.offerer) {
            (Some(Wait::Grace | Wait::Backoff), true) => self.restart(signaling_up),
            (Some(Wait::Watch), true) => self.attempt_failed(),
            (Some(_), false) => self.give_up(),
            (None, _) => Plan::default(),
        }
    }

    /// The answerer received an offer on this link: a restart is under way, wait for it anew.
    pub fn offered(&mut self) -> Plan {
        if self.offerer || self.connected || !self.connected_once && !self.gave_up {
            return Plan::default();
        }
        self.gave_up = false;
        self.wait_for(Wait::Watch, ANSWER_WAIT_MS)
    }

    /// The signaling socket is back with the same peer id: a link that is not connected gets a
    /// fresh round of restarts.
    pub fn resumed(&mut self) -> Plan {
        if !self.offerer || self.connected {
            return Plan::default();
        }
        self.gave_up = false;
        self.restarts = 0;
        self.restart(true)
    }

    fn restart(&mut self, signaling_up: bool) -> Plan {
        if self.restarts >= MAX_RESTARTS {
            return self.give_up();
        }
        if !signaling_up {
            // The offer would be lost: the socket's return (`resumed`) restarts instead.
            self.wait = None;
            self.generation += 1;
            return Plan::default();
        }
        self.restarts += 1;
        let mut plan = self.wait_for(Wait::Watch, RESTART_WATCH_MS);
        plan.restart = true;
        plan
    }

    fn attempt_failed(&mut self) -> Plan {
        if self.restarts >= MAX_RESTARTS {
            return self.give_up();
        }
        self.wait_for(Wait::Backoff, backoff_ms(self.restarts))
    }

    fn give_up(&mut self) -> Plan {
        self.gave_up = true;
        self.failed = true;
        self.wait = None;
        self.generation += 1;
        Plan::default()
    }

    fn wait_for(&mut self, wait: Wait, ms: u32) -> Plan {
        self.wait = Some(wait);
        self.generation += 1;
        Plan {
            timer: Some((ms, self.generation)),
            restart: false,
        }
    }
}

/// The pause before restart number `done + 1`: 1 s, 2 s, 4 s…
pub fn backoff_ms(done: u32) -> u32 {
    1_000 << done.min(5)
}

/// When to fetch fresh ICE credentials: at 80% of the time left until `expires_at` (Unix
/// seconds), but not sooner than 10 s, so a clock far off from the server's cannot make the
/// page ask in a loop; never later than `setTimeout` can wait.
pub fn refresh_delay_ms(now_ms: f64, expires_at: u64) -> i32 {
    let left = expires_at as f64 * 1000.0 - now_ms;
    (left * 0.8).clamp(10_000.0, i32::MAX as f64) as i32
}

#[cfg(test)]
mod tests;
