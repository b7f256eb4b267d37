//! What the call's parts share: where the call stands, the tiles, the chat lines, and the
//! signals the engine writes and the views read. Plain data, on both targets, so the engine,
//! the stage and the chat panel depend on it and not on each other.
use super::quality::Sample;
use super::transfer::Refused;
use crate::i18n::Words;
use leptos::prelude::*;

/// Where the call stands, shown to the user in words.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CallStatus {
    Connecting,
    Waiting,
    Live,
    Reconnecting,
    /// The server asked us to reconnect (it is restarting): not an error.
    Resuming,
    Failed,
    RoomFull,
    /// A call-by-name room, and I am not one of its two people.
    Private,
    Left,
    /// A talker whose camera is live.
    OnAir,
    /// A watcher in a room with nobody on air.
    NoBroadcast,
    /// The talker pressed End.
    Ended,
}

impl CallStatus {
    pub fn class(self) -> &'static str {
        match self {
            Self::Connecting => "connecting",
            Self::Waiting => "waiting",
            Self::Live => "live",
            Self::Reconnecting | Self::Resuming => "reconnecting",
            Self::Failed => "failed",
            Self::RoomFull => "full",
            Self::Private => "private",
            Self::Left => "left",
            Self::OnAir => "live",
            Self::NoBroadcast => "waiting",
            Self::Ended => "left",
        }
    }

    pub fn label(self, w: &Words) -> &'static str {
        match self {
            Self::Connecting => w.connecting,
            Self::Waiting => w.waiting,
            Self::Live => w.connected,
            Self::Reconnecting => w.reconnecting_lost,
            Self::Resuming => w.reconnecting,
            Self::Failed => w.failed,
            Self::RoomFull => w.room_full,
            Self::Private => w.private_room,
            Self::Left => w.left,
            Self::OnAir => w.on_air,
            Self::NoBroadcast => w.no_broadcast,
            Self::Ended => w.ended,
        }
    }
}

/// One remote peer's tile.
#[derive(Clone)]
pub struct Tile {
    pub id: String,
    pub name: String,
    /// The peer connection's `connectionState`, or `waiting` before one exists.
    pub state: ArcRwSignal<String>,
    /// How the link is doing, from its latest stats (none before the first).
    pub quality: ArcRwSignal<Option<Sample>>,
    /// The peer's audio level as received, 0–1, held a moment (`speaking::hold`).
    pub level: ArcRwSignal<f64>,
    /// The peer's microphone and camera are off, as the peer says (not guessed).
    pub muted: ArcRwSignal<bool>,
    pub camera_off: ArcRwSignal<bool>,
}

impl Tile {
    pub fn new(id: String, name: String) -> Self {
        Self {
            id,
            name,
            state: ArcRwSignal::new("waiting".to_owned()),
            quality: ArcRwSignal::new(None),
            level: ArcRwSignal::new(0.0),
            muted: ArcRwSignal::new(false),
            camera_off: ArcRwSignal::new(false),
        }
    }
}

/// The key of our own tile among the speakers.
pub const LOCAL: &str = "local";

/// The signals the engine writes and the view reads.
#[derive(Clone, Copy)]
pub struct Ui {
    pub status: RwSignal<CallStatus>,
    /// Extra words for the status line (camera trouble, server errors).
    pub detail: RwSignal<String>,
    /// Why a peer's link cannot connect, in words (empty while every link is fine).
    pub problem: RwSignal<String>,
    pub tiles: RwSignal<Vec<Tile>>,
    pub people: RwSignal<Vec<String>>,
    pub chat: RwSignal<Vec<ChatLine>>,
    /// Who joined and left the call, newest last, for screen readers.
    pub announcements: RwSignal<Vec<Announcement>>,
    /// The active speaker's tile: a peer id, or `LOCAL`.
    pub speaker: RwSignal<Option<String>>,
    /// Our own microphone's level as sent, 0–1, held a moment.
    pub local_level: RwSignal<f64>,
    /// The page's words, for what the engine says.
    pub words: &'static Words,
}

/// A line the screen-reader region reads out once.
#[derive(Clone, Debug, PartialEq)]
pub struct Announcement {
    pub seq: u64,
    pub text: String,
}

/// Announcements kept in the region; the oldest go.
pub const MAX_ANNOUNCEMENTS: usize = 5;

/// Adds `text` to `list` as the next announcement, keeping the latest `MAX_ANNOUNCEMENTS`.
pub fn announce(list: &mut Vec<Announcement>, text: String) {
    let seq = list.last().map_or(0, |a| a.seq + 1);
    list.push(Announcement { seq, text });
    let excess = list.len().saturating_sub(MAX_ANNOUNCEMENTS);
    list.drain(..excess);
}

/// One line of the chat: a message, or a file someone shared.
#[derive(Clone, Debug, PartialEq)]
pub struct ChatLine {
    pub seq: u64,
    pub from: String,
    pub text: String,
    /// A file on its way to or from `from`; its key is the line's `seq`.
    pub transfer: Option<Transfer>,
    /// Said by the page about `from` (a file that did not arrive), not by `from`.
    pub notice: bool,
}

/// A file being sent or received, as its chat line shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct Transfer {
    pub name: String,
    pub size: u64,
    pub outgoing: bool,
    /// Bytes sent (handed to the channels, over every receiver) or received so far.
    pub done: ArcRwSignal<u64>,
    pub state: ArcRwSignal<FileState>,
    /// Its SHA-256 in hex once known: as we sent it, or as we received it.
    pub sha256: ArcRwSignal<String>,
}

impl Transfer {
    pub fn new(name: String, size: u64, outgoing: bool) -> Self {
        Self {
            name,
            size,
            outgoing,
            done: ArcRwSignal::new(0),
            state: ArcRwSignal::new(FileState::Moving),
            sha256: ArcRwSignal::new(String::new()),
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum FileState {
    Moving,
    /// Sent whole; waiting for the receivers to check it.
    Sent,
    /// Received whole with the digest the sender gave (`url`, to save it from); or, sending,
    /// every receiver said so.
    Verified {
        url: Option<String>,
    },
    /// Cancelled by either side.
    Cancelled,
    /// Not received, and why.
    Refused(Refused),
    /// Not delivered: every receiver left or refused it.
    Failed,
}

/// Lines the chat keeps; older ones go (and their files with them).
pub const MAX_CHAT_LINES: usize = 200;
/// Longest message, in characters: the input's limit, also applied to what arrives.
pub const MAX_MESSAGE_CHARS: usize = 2000;

/// Appends `line`, dropping the oldest beyond `MAX_CHAT_LINES`; returns the dropped lines,
/// whose file URLs the caller revokes.
pub fn push_capped(lines: &mut Vec<ChatLine>, line: ChatLine) -> Vec<ChatLine> {
    lines.push(line);
    let excess = lines.len().saturating_sub(MAX_CHAT_LINES);
    lines.drain(..excess).collect()
}

/// A received message cut to `MAX_MESSAGE_CHARS`.
pub fn clip_message(text: &str) -> String {
    text.chars().take(MAX_MESSAGE_CHARS).collect()
}

/// Frees the memory behind received files' object URLs; a file still arriving on a line that
/// goes is given up when it ends (its state is no longer `Moving`).
#[cfg(feature = "hydrate")]
pub fn revoke_files<'a>(lines: impl IntoIterator<Item = &'a ChatLine>) {
    for t in lines.into_iter().filter_map(|l| l.transfer.as_ref()) {
        match t.state.get_untracked() {
            FileState::Verified { url: Some(url) } => {
                let _ = web_sys::Url::revoke_object_url(&url);
            }
            FileState::Moving => t.state.set(FileState::Cancelled),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(seq: u64) -> ChatLine {
        ChatLine {
            seq,
            from: "ann".into(),
            text: format!("message {seq}"),
            transfer: None,
            notice: false,
        }
    }

    #[test]
    fn the_chat_keeps_the_latest_lines_and_hands_back_the_oldest() {
        let mut lines = Vec::new();
        for seq in 1..=MAX_CHAT_LINES as u64 {
            assert!(push_capped(&mut lines, line(seq)).is_empty());
        }
        let dropped = push_capped(&mut lines, line(MAX_CHAT_LINES as u64 + 1));
        assert_eq!(dropped, vec![line(1)]);
        assert_eq!(lines.len(), MAX_CHAT_LINES);
        assert_eq!(lines[0].seq, 2);
    }

    #[test]
    fn announcements_keep_the_latest_with_fresh_keys() {
        let mut list = Vec::new();
        for i in 0..7 {
            announce(&mut list, format!("ann {i}"));
        }
        assert_eq!(list.len(), MAX_ANNOUNCEMENTS);
        assert_eq!(list[0].text, "ann 2");
        assert_eq!(list.last().map(|a| a.seq), Some(6));
    }

    #[test]
    fn a_received_message_is_cut_to_the_input_limit() {
        assert_eq!(clip_message("hi"), "hi");
        let long = "é".repeat(MAX_MESSAGE_CHARS + 10);
        assert_eq!(clip_message(&long).chars().count(), MAX_MESSAGE_CHARS);
    }
}
