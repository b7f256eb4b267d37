//! What a receiving page accepts of a file sent over a chat channel. The sender is another
//! browser, so nothing it declares is trusted: the size must be a whole number within the cap,
//! the chunks must add up to exactly that size, the name is cleaned before it is shown or used
//! to save the file, and its declared type is never used (received files are always stored as
//! `application/octet-stream`, so a page opened from one cannot run in this site's origin), and
//! a file is only offered once its SHA-256 matches the digest the sender gives at the end.
//! `wire.rs` holds the channel's messages, `inbox.rs` the files one channel is receiving.
use std::cell::Cell;
use std::rc::Rc;

pub mod inbox;
pub mod outbox;
pub mod wire;

/// Files larger than this are neither sent nor accepted.
pub const MAX_FILE_BYTES: u64 = 100 * 1024 * 1024;
/// Files a page receives at once, from all peers together; more are refused until one ends.
pub const MAX_INCOMING: usize = 3;
/// Longest file name kept, in characters.
const MAX_NAME_CHARS: usize = 120;

/// Why an offered file was not taken, or not all of it arrived.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refused {
    TooLarge,
    BadSize,
    TooMany,
    /// Another file was announced before this one was complete.
    CutShort,
    /// More bytes came than the header declared.
    Overrun,
    /// Its SHA-256 did not match the sender's digest (or the sender gave none).
    Damaged,
    /// The header was not one this page understands (no transfer id).
    Malformed,
}

impl Refused {
    /// Words for the person, after "notes.pdf was not received: ".
    pub fn reason(&self, w: &crate::i18n::Words) -> &'static str {
        match self {
            Self::TooLarge => w.refused_too_large,
            Self::BadSize => w.refused_bad_size,
            Self::TooMany => w.refused_too_many,
            Self::CutShort => w.refused_cut_short,
            Self::Overrun => w.refused_overrun,
            Self::Damaged => w.refused_damaged,
            Self::Malformed => w.refused_malformed,
        }
    }
}

/// The size a file header declares, if it is a whole number of bytes within the cap.
pub fn declared_size(size: &crate::json::Json) -> Result<u64, Refused> {
    match size.as_u64() {
        Some(n) if n <= MAX_FILE_BYTES => Ok(n),
        Some(_) => Err(Refused::TooLarge),
        None => Err(Refused::BadSize),
    }
}

/// How much of `size` bytes `done` is, in whole percent: 100 only when every byte is there.
pub fn percent(done: u64, size: u64) -> u8 {
    if size == 0 || done >= size {
        return 100;
    }
    (u128::from(done) * 100 / u128::from(size)) as u8
}

/// The page's count of files being received, shared by every peer's channel.
#[derive(Clone, Default)]
pub struct Slots(Rc<Cell<usize>>);

/// One file being received; its place is given back when it is dropped.
pub struct Slot(Rc<Cell<usize>>);

impl Slots {
    /// A place for one more incoming file, unless `MAX_INCOMING` are arriving already.
    pub fn take(&self) -> Option<Slot> {
        let n = self.0.get();
        (n < MAX_INCOMING).then(|| {
            self.0.set(n + 1);
            Slot(self.0.clone())
        })
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.0.set(self.0.get().saturating_sub(1));
    }
}

/// Where a transfer stands after a chunk.
#[derive(Debug, PartialEq, Eq)]
pub enum Step {
    More,
    Complete,
    /// The chunk would go past the declared size: the transfer is dropped.
    Overrun,
}

/// Bytes received of a file against its declared size.
#[derive(Debug)]
pub struct Progress {
    declared: u64,
    got: u64,
}

impl Progress {
    pub fn new(declared: u64) -> Self {
        Self { declared, got: 0 }
    }

    pub fn declared(&self) -> u64 {
        self.declared
    }

    pub fn got(&self) -> u64 {
        self.got
    }

    pub fn is_complete(&self) -> bool {
        self.got == self.declared
    }

    /// Counts a chunk of `len` bytes; a chunk past the declared size is not counted.
    pub fn add(&mut self, len: u64) -> Step {
        match self.got.checked_add(len) {
            Some(got) if got <= self.declared => {
                self.got = got;
                if self.is_complete() {
                    Step::Complete
                } else {
                    Step::More
                }
            }
            _ => Step::Overrun,
        }
    }
}

/// A file name safe to show and to save under: the last path component, without control or
/// bidirectional-override characters (which can disguise `evil.exe` as `exe.txt`), without
/// characters file systems refuse, without leading or trailing dots and spaces, and at most
/// `MAX_NAME_CHARS` long; `file` if nothing is left.
pub fn safe_file_name(raw: &str) -> String {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    let kept: String = base
        .chars()
        .filter(|c| !c.is_control() && !is_bidi_control(*c))
        .map(|c| match c {
            '<' | '>' | ':' | '"' | '|' | '?' | '*' => '_',
            c => c,
        })
        .take(MAX_NAME_CHARS)
        .collect();
    let trimmed = kept.trim_matches(|c: char| c == '.' || c.is_whitespace());
    if trimmed.is_empty() {
        "file".to_owned()
    } else {
        trimmed.to_owned()
    }
}

fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// A size for people: bytes, KB or MB.
/// Whole numbers only: formatting a float would bring the float printer into the wasm.
pub fn human_size(bytes: u64) -> String {
    const KB: u64 = 1024;
    const MB: u64 = 1024 * 1024;
    match bytes {
        b if b >= MB => {
            let tenths = (u128::from(b) * 10 + u128::from(MB / 2)) / u128::from(MB);
            format!("{}.{} MB", tenths / 10, tenths % 10)
        }
        b if b >= KB => format!("{} KB", (b + KB / 2) / KB),
        b => format!("{b} bytes"),
    }
}

#[cfg(test)]
mod tests;
