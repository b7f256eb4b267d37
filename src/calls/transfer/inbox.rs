//! The files one chat channel is receiving, by the sender's transfer id. Pure, so the rules
//! for what a sender may do are tested without a browser; `T` is what the page keeps with each
//! file (its chunks and its line in the chat).
use super::wire::{digest_matches, id_of, Checksum};
use super::{declared_size, safe_file_name, Progress, Refused, Slot, Slots, Step};
use crate::json::Json;
use std::collections::HashMap;

/// A file being received.
pub struct Incoming<T> {
    pub name: String,
    pub progress: Progress,
    checksum: Checksum,
    pub data: T,
    _slot: Slot,
}

/// What a file header did.
pub struct Announced<T> {
    /// A file still arriving under the same id, which this header cuts short.
    pub cut: Option<Incoming<T>>,
    /// The new file's id, or why it is refused (and its id, if it had a usable one, so the
    /// sender can be told to stop).
    pub outcome: Result<u32, (String, Option<u32>, Refused)>,
}

/// What a chunk did.
pub enum Chunk<'a, T> {
    /// No file is arriving under that id (the rest of a refused or cancelled one): ignored.
    Unknown,
    /// Counted: the caller keeps the bytes.
    Taken(&'a mut Incoming<T>),
    /// More bytes than announced: the file is dropped.
    Overrun(Incoming<T>),
}

/// What the sender's `end` did.
pub enum Ended<T> {
    Unknown,
    /// Every byte is there and the digest matched: ours, in hex.
    Verified(Incoming<T>, String),
    Refused(Incoming<T>, Refused),
}

pub struct Inbox<T> {
    files: HashMap<u32, Incoming<T>>,
}

impl<T> Default for Inbox<T> {
    fn default() -> Self {
        Self {
            files: HashMap::new(),
        }
    }
}

impl<T> Inbox<T> {
    /// A file header: the id must be usable, the size whole and within the cap, and a place
    /// free in `slots`; `data` makes what the page keeps with it (from its clean name and size).
    pub fn announce(
        &mut self,
        header: &Json,
        slots: &Slots,
        data: impl FnOnce(&str, u64) -> T,
    ) -> Announced<T> {
        let name = safe_file_name(header.str_at("name").unwrap_or_default());
        let Some(id) = id_of(header) else {
            return Announced {
                cut: None,
                outcome: Err((name, None, Refused::Malformed)),
            };
        };
        let cut = self.files.remove(&id);
        let size = header.get("size").unwrap_or(&Json::Null);
        let started = declared_size(size).and_then(|size| {
            let slot = slots.take().ok_or(Refused::TooMany)?;
            Ok(Incoming {
                data: data(&name, size),
                name: name.clone(),
                progress: Progress::new(size),
                checksum: Checksum::default(),
                _slot: slot,
            })
        });
        let outcome = match started {
            Ok(file) => {
                self.files.insert(id, file);
                Ok(id)
            }
            Err(why) => Err((name, Some(id), why)),
        };
        Announced { cut, outcome }
    }

    pub fn chunk(&mut self, id: u32, bytes: &[u8]) -> Chunk<'_, T> {
        let step = match self.files.get_mut(&id) {
            None => return Chunk::Unknown,
            Some(file) => {
                let step = file.progress.add(bytes.len() as u64);
                if step != Step::Overrun {
                    file.checksum.update(bytes);
                }
                step
            }
        };
        if step == Step::Overrun {
            return self
                .files
                .remove(&id)
                .map_or(Chunk::Unknown, Chunk::Overrun);
        }
        self.files.get_mut(&id).map_or(Chunk::Unknown, Chunk::Taken)
    }

    /// The sender says it sent everything, with `sha256`: the file must be complete and the
    /// digest ours.
    pub fn end(&mut self, id: u32, sha256: &Json) -> Ended<T> {
        let Some(mut file) = self.files.remove(&id) else {
            return Ended::Unknown;
        };
        if !file.progress.is_complete() {
            return Ended::Refused(file, Refused::CutShort);
        }
        let ours = std::mem::take(&mut file.checksum).hex();
        if digest_matches(sha256, &ours) {
            Ended::Verified(file, ours)
        } else {
            Ended::Refused(file, Refused::Damaged)
        }
    }

    pub fn get(&self, id: u32) -> Option<&Incoming<T>> {
        self.files.get(&id)
    }

    /// Drops file `id` (cancelled by either side), giving back its place.
    pub fn remove(&mut self, id: u32) -> Option<Incoming<T>> {
        self.files.remove(&id)
    }

    /// The id of the arriving file whose data satisfies `pred`.
    pub fn find(&self, pred: impl Fn(&T) -> bool) -> Option<u32> {
        self.files
            .iter()
            .find_map(|(id, f)| pred(&f.data).then_some(*id))
    }

    /// Every file still arriving (the channel closed).
    pub fn drain(&mut self) -> Vec<Incoming<T>> {
        self.files.drain().map(|(_, f)| f).collect()
    }
}

#[cfg(test)]
mod tests;
