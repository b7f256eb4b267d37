//! One chat channel's files, both ways (the messages are in `transfer/wire.rs`). Arriving
//! files go through the channel's `Inbox`, which holds the receiving rules; each has a line in
//! the chat whose signals this module moves along. Files we send are in `files/outgoing.rs`.
use super::model::{FileState, Transfer};
use super::transfer::inbox::{Announced, Chunk, Ended, Inbox, Incoming};
use super::transfer::outbox::Leg;
use super::transfer::wire::{self, Text};
use super::transfer::{percent, Refused, Slots};
use js_sys::{Array, ArrayBuffer, Uint8Array};
use leptos::prelude::*;
use std::collections::HashMap;
use std::rc::Rc;
use web_sys::{Blob, BlobPropertyBag, RtcDataChannel, Url};

pub mod outgoing;
pub use outgoing::{send, Outgoing};

/// What the page keeps with a file arriving: its chunks, and its line.
pub struct Arriving {
    parts: Array,
    line: Transfer,
}

/// What the chat must show that has no line yet.
pub enum Report {
    /// A file started arriving: a new line, which moves by itself from now on.
    Started(Transfer),
    /// A file refused at its header, and why.
    Refused { name: String, why: Refused },
}

pub struct Files {
    dc: RtcDataChannel,
    inbox: Inbox<Arriving>,
    slots: Slots,
    /// Our files on their way over this channel, by the id we gave them, with their leg.
    outbox: HashMap<u32, (Rc<Outgoing>, usize)>,
    next_id: u32,
}

impl Files {
    /// Files over `dc`; arriving ones take places from `slots`, shared by the page.
    pub fn new(dc: RtcDataChannel, slots: Slots) -> Self {
        Self {
            dc,
            inbox: Inbox::default(),
            slots,
            outbox: HashMap::new(),
            next_id: 0,
        }
    }

    fn say(&self, text: &str) {
        let _ = self.dc.send_with_str(text);
    }

    /// A file-related text frame from the peer.
    pub fn on_text(&mut self, text: Text) -> Option<Report> {
        match text {
            Text::File(header) => return self.announce(&header),
            Text::End { id, sha256 } => match self.inbox.end(id, &sha256) {
                Ended::Unknown => {}
                Ended::Verified(f, hex) => {
                    if finish(f, hex) {
                        self.say(&wire::ok(id));
                    }
                }
                Ended::Refused(f, why) => self.refuse(id, f, why),
            },
            Text::Cancel(id) => {
                if let Some(f) = self.inbox.remove(id) {
                    f.data.line.state.set(FileState::Cancelled);
                }
            }
            Text::Stop { id, cancelled } => self.leg_ends(id, Leg::Stopped { cancelled }),
            Text::Ok(id) => self.leg_ends(id, Leg::Verified),
            _ => {}
        }
        None
    }

    fn announce(&mut self, header: &crate::json::Json) -> Option<Report> {
        let Announced { cut, outcome } =
            self.inbox
                .announce(header, &self.slots, |name, size| Arriving {
                    parts: Array::new(),
                    line: Transfer::new(name.to_owned(), size, false),
                });
        if let Some(f) = cut {
            f.data.line.state.set(FileState::Refused(Refused::CutShort));
        }
        match outcome {
            Ok(id) => {
                let line = self.inbox.get(id).map(|f| f.data.line.clone())?;
                Some(Report::Started(line))
            }
            Err((name, id, why)) => {
                if let Some(id) = id {
                    self.say(&wire::stop(id, false));
                }
                Some(Report::Refused { name, why })
            }
        }
    }

    /// A binary frame: a chunk of an arriving file.
    pub fn on_chunk(&mut self, buf: ArrayBuffer) {
        let frame = Uint8Array::new(&buf).to_vec();
        let Some((id, bytes)) = wire::split_chunk(&frame) else {
            return;
        };
        match self.inbox.chunk(id, bytes) {
            Chunk::Unknown => {}
            Chunk::Taken(f) => {
                f.data
                    .parts
                    .push(&Uint8Array::new_with_byte_offset(&buf, 4));
                let (got, size) = (f.progress.got(), f.progress.declared());
                let line = &f.data.line;
                if percent(got, size) != percent(line.done.get_untracked(), size) {
                    line.done.set(got);
                }
            }
            Chunk::Overrun(f) => self.refuse(id, f, Refused::Overrun),
        }
    }

    fn refuse(&self, id: u32, f: Incoming<Arriving>, why: Refused) {
        f.data.line.state.set(FileState::Refused(why));
        self.say(&wire::stop(id, false));
    }

    fn leg_ends(&mut self, id: u32, leg: Leg) {
        if let Some((out, i)) = self.outbox.remove(&id) {
            out.set_leg(i, leg);
        }
    }

    /// Makes this channel a leg of `out`: the file's id here, and the leg's number.
    pub fn register(&mut self, out: &Rc<Outgoing>) -> (u32, usize) {
        self.next_id = self.next_id.wrapping_add(1);
        let leg = out.add_leg(self.dc.clone(), self.next_id);
        self.outbox.insert(self.next_id, (out.clone(), leg));
        (self.next_id, leg)
    }

    /// The person cancelled the file on `line`: if it is arriving here, drop it and tell the
    /// sender; if we are sending it, stop every leg still sending and tell their receivers.
    pub fn cancel(&mut self, line: &Transfer) {
        if let Some((out, _)) = self.outbox.values().find(|(o, _)| o.line == *line) {
            out.cancel();
        }
        if let Some(id) = self.inbox.find(|a| a.line == *line) {
            self.inbox.remove(id);
            line.state.set(FileState::Cancelled);
            self.say(&wire::stop(id, true));
        }
    }

    /// The channel closed: what was arriving is cut short, what we were sending failed.
    pub fn close(&mut self) {
        for f in self.inbox.drain() {
            f.data.line.state.set(FileState::Refused(Refused::CutShort));
        }
        for (_, (out, i)) in self.outbox.drain() {
            out.set_leg(i, Leg::Failed);
        }
    }
}

/// Offers a file that arrived whole and verified, unless its line went meanwhile. Its declared
/// type is ignored: a blob typed `text/html` would run as a page of this site if opened.
fn finish(f: Incoming<Arriving>, sha256: String) -> bool {
    let line = f.data.line;
    if line.state.get_untracked() != FileState::Moving {
        return false;
    }
    let opts = BlobPropertyBag::new();
    opts.set_type("application/octet-stream");
    let url = Blob::new_with_buffer_source_sequence_and_options(&f.data.parts, &opts)
        .and_then(|blob| Url::create_object_url_with_blob(&blob));
    let Ok(url) = url else {
        line.state.set(FileState::Refused(Refused::CutShort));
        return false;
    };
    line.done.set(line.size);
    line.sha256.set(sha256);
    line.state.set(FileState::Verified { url: Some(url) });
    true
}
