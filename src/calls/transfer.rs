//! What a receiving page accepts of a file sent over a chat channel. The sender is another
//! browser, so nothing it declares is trusted: the size must be a whole number within the cap,
//! the chunks must add up to exactly that size, the name is cleaned before it is shown or used
//! to save the file, and its declared type is never used (received files are always stored as
//! `application/octet-stream`, so a page opened from one cannot run in this site's origin).
use std::cell::Cell;
use std::rc::Rc;

/// Files larger than this are neither sent nor accepted.
pub const MAX_FILE_BYTES: u64 = 100 * 1024 * 1024;
/// Files a page receives at once, from all peers together; more are refused until one ends.
pub const MAX_INCOMING: usize = 3;
/// Longest file name kept, in characters.
const MAX_NAME_CHARS: usize = 120;

/// Why an offered file was not taken, or not all of it arrived.
#[derive(Debug, PartialEq, Eq)]
pub enum Refused {
    TooLarge,
    BadSize,
    TooMany,
    /// Another file was announced before this one was complete.
    CutShort,
    /// More bytes came than the header declared.
    Overrun,
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
        }
    }
}

/// The size a file header declares, if it is a whole number of bytes within the cap.
pub fn declared_size(size: &serde_json::Value) -> Result<u64, Refused> {
    match size.as_u64() {
        Some(n) if n <= MAX_FILE_BYTES => Ok(n),
        Some(_) => Err(Refused::TooLarge),
        None => Err(Refused::BadSize),
    }
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
pub fn human_size(bytes: f64) -> String {
    match bytes {
        b if b >= 1024.0 * 1024.0 => format!("{:.1} MB", b / 1024.0 / 1024.0),
        b if b >= 1024.0 => format!("{:.0} KB", b / 1024.0),
        b => format!("{b} bytes"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_declared_size_is_a_whole_number_within_the_cap() {
        assert_eq!(declared_size(&json!(0)), Ok(0));
        assert_eq!(declared_size(&json!(MAX_FILE_BYTES)), Ok(MAX_FILE_BYTES));
        assert_eq!(
            declared_size(&json!(MAX_FILE_BYTES + 1)),
            Err(Refused::TooLarge)
        );
        for bad in [json!(-1), json!(1.5), json!("10"), json!(null)] {
            assert_eq!(declared_size(&bad), Err(Refused::BadSize), "{bad}");
        }
    }

    #[test]
    fn chunks_must_add_up_to_the_declared_size_and_no_more() {
        let mut p = Progress::new(10);
        assert_eq!(p.add(4), Step::More);
        assert_eq!(p.add(7), Step::Overrun);
        assert!(!p.is_complete());
        assert_eq!(p.add(6), Step::Complete);
        assert_eq!(p.add(1), Step::Overrun);
        assert_eq!(Progress::new(3).add(u64::MAX), Step::Overrun);
        assert!(Progress::new(0).is_complete());
    }

    #[test]
    fn only_so_many_files_arrive_at_once() {
        let slots = Slots::default();
        let mut held: Vec<Slot> = (0..MAX_INCOMING).filter_map(|_| slots.take()).collect();
        assert_eq!(held.len(), MAX_INCOMING);
        assert!(slots.take().is_none());
        held.pop();
        assert!(slots.take().is_some(), "a finished file frees its place");
    }

    #[test]
    fn file_names_lose_paths_controls_and_disguises() {
        assert_eq!(safe_file_name("notes.pdf"), "notes.pdf");
        assert_eq!(safe_file_name("../../etc/passwd"), "passwd");
        assert_eq!(safe_file_name("C:\\Users\\a\\x.txt"), "x.txt");
        assert_eq!(safe_file_name("evil\u{202E}txt.exe"), "eviltxt.exe");
        assert_eq!(safe_file_name("a\nb\u{0}c.txt"), "abc.txt");
        assert_eq!(safe_file_name("what?<x>.html"), "what__x_.html");
        assert_eq!(safe_file_name(" .bashrc. "), "bashrc");
        assert_eq!(safe_file_name("..."), "file");
        assert_eq!(safe_file_name(""), "file");
        assert_eq!(
            safe_file_name(&"é".repeat(500)).chars().count(),
            MAX_NAME_CHARS
        );
    }

    #[test]
    fn sizes_read_as_people_say_them() {
        assert_eq!(human_size(512.0), "512 bytes");
        assert_eq!(human_size(300.0 * 1024.0), "300 KB");
        assert_eq!(human_size(5.0 * 1024.0 * 1024.0), "5.0 MB");
    }
}
