//! A file we send: one leg per receiver, each sent in chunks behind the file's id on that
//! peer's channel, paced by the channel's buffered amount so a large file never floods the
//! connection, with its SHA-256 computed on the way and sent at the end.
use crate::calls::model::{FileState, Transfer};
use crate::calls::transfer::outbox::{done, overall, Leg, Overall};
use crate::calls::transfer::percent;
use crate::calls::transfer::wire::{self, Checksum, CHUNK_BYTES};
use js_sys::{Function, Promise, Uint8Array};
use leptos::prelude::*;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen_futures::JsFuture;
use web_sys::{AddEventListenerOptions, RtcDataChannel, RtcDataChannelState};

/// Bytes a channel may have waiting before we wait for it to drain.
pub const HIGH_WATER: u32 = 1024 * 1024;

pub struct Outgoing {
    pub line: Transfer,
    /// Each receiver's channel, our id for the file there, and where that copy stands.
    legs: RefCell<Vec<(RtcDataChannel, u32, Leg)>>,
}

impl Outgoing {
    pub fn new(line: Transfer) -> Rc<Self> {
        Rc::new(Self {
            line,
            legs: RefCell::default(),
        })
    }

    pub fn add_leg(&self, dc: RtcDataChannel, id: u32) -> usize {
        let mut legs = self.legs.borrow_mut();
        legs.push((dc, id, Leg::Sending(0)));
        legs.len() - 1
    }

    fn is_sending(&self, leg: usize) -> bool {
        matches!(self.legs.borrow().get(leg), Some((_, _, Leg::Sending(_))))
    }

    /// Moves leg `leg` on; a leg that ended (verified, stopped, cancelled, failed) stays so.
    pub fn set_leg(&self, leg: usize, to: Leg) {
        {
            let mut legs = self.legs.borrow_mut();
            let Some((_, _, at)) = legs.get_mut(leg) else {
                return;
            };
            let open = match at {
                Leg::Sending(_) => true,
                Leg::Sent => !matches!(to, Leg::Sending(_)),
                _ => false,
            };
            if !open {
                return;
            }
            *at = to;
        }
        self.refresh();
    }

    /// The line from the legs: its state, and its bytes when the percent moved.
    fn refresh(&self) {
        let legs: Vec<Leg> = self.legs.borrow().iter().map(|(_, _, l)| *l).collect();
        let line = &self.line;
        if let Some(n) = done(&legs, line.size) {
            if percent(n, line.size) != percent(line.done.get_untracked(), line.size) {
                line.done.set(n);
            }
        }
        let state = match overall(&legs) {
            Overall::Moving => FileState::Moving,
            Overall::Sent => FileState::Sent,
            Overall::Verified => FileState::Verified { url: None },
            Overall::Cancelled => FileState::Cancelled,
            Overall::Failed => FileState::Failed,
        };
        if line.state.get_untracked() != state {
            line.state.set(state);
        }
    }

    /// The person cancelled it: every receiver still getting bytes is told, and gets no more.
    pub fn cancel(&self) {
        let sending: Vec<usize> = {
            let legs = self.legs.borrow();
            (0..legs.len())
                .filter(|i| matches!(legs[*i].2, Leg::Sending(_)))
                .collect()
        };
        for i in sending {
            if let Some((dc, id, _)) = self.legs.borrow().get(i) {
                let _ = dc.send_with_str(&wire::cancel(*id));
            }
            self.set_leg(i, Leg::Cancelled);
        }
    }
}

/// Sends `bytes` as file `id` of `out` on `dc` (leg `leg`), until done, cancelled or the
/// channel closes.
pub async fn send(dc: RtcDataChannel, id: u32, out: Rc<Outgoing>, leg: usize, bytes: Uint8Array) {
    let header = wire::file(id, &out.line.name, out.line.size);
    if dc.send_with_str(&header).is_err() {
        return out.set_leg(leg, Leg::Failed);
    }
    let mut sum = Checksum::default();
    let len = bytes.length();
    let mut at = 0;
    while at < len {
        if dc.buffered_amount() > HIGH_WATER && !drained(&dc).await {
            return out.set_leg(leg, Leg::Failed);
        }
        if !out.is_sending(leg) {
            return;
        }
        let end = (at + CHUNK_BYTES).min(len);
        let chunk = bytes.subarray(at, end).to_vec();
        sum.update(&chunk);
        let mut frame = Vec::with_capacity(4 + chunk.len());
        frame.extend_from_slice(&wire::chunk_prefix(id));
        frame.extend_from_slice(&chunk);
        if dc.send_with_u8_array(&frame).is_err() {
            return out.set_leg(leg, Leg::Failed);
        }
        at = end;
        out.set_leg(leg, Leg::Sending(u64::from(at)));
    }
    if !out.is_sending(leg) {
        return;
    }
    let hex = sum.hex();
    if dc.send_with_str(&wire::end(id, &hex)).is_err() {
        return out.set_leg(leg, Leg::Failed);
    }
    out.line.sha256.set(hex);
    out.set_leg(leg, Leg::Sent);
}

/// Waits until `dc`'s buffer drains below its low threshold, or it closes; whether it is
/// still open. Several sends may wait on one channel at once: each has its own listeners.
async fn drained(dc: &RtcDataChannel) -> bool {
    let mut wake: Option<Function> = None;
    let woken = Promise::new(&mut |resolve, _| {
        let once = AddEventListenerOptions::new();
        once.set_once(true);
        for event in ["bufferedamountlow", "close"] {
            let _ = dc.add_event_listener_with_callback_and_add_event_listener_options(
                event, &resolve, &once,
            );
        }
        wake = Some(resolve);
    });
    let _ = JsFuture::from(woken).await;
    if let Some(f) = wake {
        for event in ["bufferedamountlow", "close"] {
            let _ = dc.remove_event_listener_with_callback(event, &f);
        }
    }
    dc.ready_state() == RtcDataChannelState::Open
}
