//! The chat channel's messages between two browsers (`docs/protocol.md`, "Between browsers"):
//! JSON text frames, and binary frames that carry a file's bytes behind its 4-byte id, so
//! several files can be on their way at once. Reading is as strict as the receiving rules
//! need and no stricter: an unknown or unreadable frame is ignored.
use crate::json::{Json, Object};
use sha2::{Digest, Sha256};

/// File bytes in one binary frame: with the id in front, a frame is 16 KiB, which every
/// browser takes in one message.
pub const CHUNK_BYTES: u32 = 16 * 1024 - 4;

/// A text frame, read.
#[derive(Debug, PartialEq)]
pub enum Text<'a> {
    Message(String),
    /// A file announced: the whole header, which `Inbox::announce` checks field by field.
    File(Json<'a>),
    /// The sender has sent every byte of file `id`; `sha256` is its digest, unchecked.
    End {
        id: u32,
        sha256: Json<'a>,
    },
    /// The sender stopped sending file `id`.
    Cancel(u32),
    /// The receiver wants no more of our file `id`: the person cancelled it, or the page
    /// refused it.
    Stop {
        id: u32,
        cancelled: bool,
    },
    /// The receiver has our file `id` whole, and its digest matched.
    Ok(u32),
    /// The sender's microphone and camera are on (`true`) or off.
    Media {
        audio: bool,
        video: bool,
    },
    /// The sender is sharing its screen (`true`) in place of its camera, or not.
    Screen(bool),
    Unknown,
}

/// Reads a text frame.
pub fn read(text: &str) -> Text<'_> {
    let Some(v) = Json::parse(text) else {
        return Text::Unknown;
    };
    let id = id_of(&v);
    match (v.str_at("t"), id) {
        (Some("msg"), _) => Text::Message(v.string_at("text").unwrap_or_default()),
        (Some("file"), _) => Text::File(v),
        (Some("end"), Some(id)) => Text::End {
            id,
            sha256: v.get("sha256").cloned().unwrap_or(Json::Null),
        },
        (Some("cancel"), Some(id)) => Text::Cancel(id),
        (Some("stop"), Some(id)) => Text::Stop {
            id,
            cancelled: v.str_at("why") == Some("cancelled"),
        },
        (Some("ok"), Some(id)) => Text::Ok(id),
        (Some("media"), _) => Text::Media {
            audio: v.bool_at("audio").unwrap_or(true),
            video: v.bool_at("video").unwrap_or(true),
        },
        (Some("screen"), _) => Text::Screen(v.bool_at("on").unwrap_or(false)),
        _ => Text::Unknown,
    }
}

/// A transfer id: a whole number that fits in the 4 bytes in front of its chunks.
pub fn id_of(v: &Json) -> Option<u32> {
    v.u64_at("id").and_then(|n| u32::try_from(n).ok())
}

/// A message of kind `t`.
fn kind(t: &str) -> Object {
    Object::new().str("t", t)
}

pub fn message(text: &str) -> String {
    kind("msg").str("text", text).finish()
}

pub fn file(id: u32, name: &str, size: u64) -> String {
    kind("file")
        .num("id", id.into())
        .str("name", name)
        .num("size", size)
        .finish()
}

pub fn end(id: u32, sha256: &str) -> String {
    kind("end")
        .num("id", id.into())
        .str("sha256", sha256)
        .finish()
}

pub fn cancel(id: u32) -> String {
    kind("cancel").num("id", id.into()).finish()
}

pub fn stop(id: u32, cancelled: bool) -> String {
    let why = if cancelled { "cancelled" } else { "refused" };
    kind("stop").num("id", id.into()).str("why", why).finish()
}

pub fn ok(id: u32) -> String {
    kind("ok").num("id", id.into()).finish()
}

pub fn media(audio: bool, video: bool) -> String {
    kind("media")
        .bool("audio", audio)
        .bool("video", video)
        .finish()
}

pub fn screen(on: bool) -> String {
    kind("screen").bool("on", on).finish()
}

/// What goes in front of each chunk of file `id`.
pub fn chunk_prefix(id: u32) -> [u8; 4] {
    id.to_be_bytes()
}

/// A binary frame's file id and bytes; `None` for a frame too short to have an id.
pub fn split_chunk(frame: &[u8]) -> Option<(u32, &[u8])> {
    let (id, bytes) = frame.split_first_chunk::<4>()?;
    Some((u32::from_be_bytes(*id), bytes))
}

/// A SHA-256 computed as the bytes go by.
#[derive(Default, Clone)]
pub struct Checksum(Sha256);

impl Checksum {
    pub fn update(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }

    /// The digest, as 64 lower-case hex digits.
    pub fn hex(self) -> String {
        self.0
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

/// Whether the digest a sender declared is `hex` (ours): it must be 64 hex digits, in either
/// case; anything else (missing, a number, too short) never matches.
pub fn digest_matches(declared: &Json, hex: &str) -> bool {
    declared.as_str().is_some_and(|d| {
        d.len() == 64 && d.bytes().all(|b| b.is_ascii_hexdigit()) && d.eq_ignore_ascii_case(hex)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_message_reads_back_as_itself() {
        assert_eq!(read(&message("hi")), Text::Message("hi".into()));
        let header = file(7, "a.txt", 3);
        let Text::File(h) = read(&header) else {
            panic!("not a file header")
        };
        assert_eq!(
            (id_of(&h), h.str_at("name"), h.u64_at("size")),
            (Some(7), Some("a.txt"), Some(3))
        );
        assert_eq!(
            read(&end(7, "ab")),
            Text::End {
                id: 7,
                sha256: Json::Str("ab".into())
            }
        );
        assert_eq!(read(&cancel(7)), Text::Cancel(7));
        assert_eq!(
            read(&stop(7, true)),
            Text::Stop {
                id: 7,
                cancelled: true
            }
        );
        assert_eq!(
            read(&stop(7, false)),
            Text::Stop {
                id: 7,
                cancelled: false
            }
        );
        assert_eq!(read(&ok(u32::MAX)), Text::Ok(u32::MAX));
        assert_eq!(
            read(&media(false, true)),
            Text::Media {
                audio: false,
                video: true
            }
        );
    }

    #[test]
    fn the_screen_state_reads_back_and_defaults_to_off() {
        assert_eq!(read(&screen(true)), Text::Screen(true));
        assert_eq!(read(&screen(false)), Text::Screen(false));
        assert_eq!(read(r#"{"t":"screen"}"#), Text::Screen(false));
        assert_eq!(read(r#"{"t":"screen","on":"yes"}"#), Text::Screen(false));
    }

    #[test]
    fn frames_without_a_usable_id_or_kind_are_ignored() {
        for bad in [
            "not json",
            r#"{"t":"end","id":-1,"sha256":"x"}"#,
            r#"{"t":"cancel","id":4294967296}"#,
            r#"{"t":"stop","id":"1"}"#,
            r#"{"t":"ok"}"#,
            r#"{"t":"dance"}"#,
            r#"[1,2]"#,
        ] {
            assert_eq!(read(bad), Text::Unknown, "{bad}");
        }
    }

    #[test]
    fn chunks_carry_their_file_id_in_front() {
        let mut frame = chunk_prefix(0x0102_0304).to_vec();
        frame.extend_from_slice(b"abc");
        assert_eq!(split_chunk(&frame), Some((0x0102_0304, &b"abc"[..])));
        assert_eq!(split_chunk(&chunk_prefix(9)), Some((9, &b""[..])));
        assert_eq!(split_chunk(&[1, 2, 3]), None);
        assert_eq!(CHUNK_BYTES + 4, 16 * 1024);
    }

    #[test]
    fn the_checksum_is_sha256_in_hex_whatever_the_pieces() {
        let mut whole = Checksum::default();
        whole.update(b"abc");
        let expected = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
        assert_eq!(whole.hex(), expected);
        let mut pieces = Checksum::default();
        for piece in [&b"a"[..], b"", b"bc"] {
            pieces.update(piece);
        }
        assert_eq!(pieces.hex(), expected);
    }

    #[test]
    fn only_the_same_64_hex_digits_match() {
        let hex = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
        let s = |d: &str| Json::Str(d.to_owned().into());
        assert!(digest_matches(&s(hex), hex));
        assert!(digest_matches(&s(&hex.to_uppercase()), hex));
        assert!(!digest_matches(&s(&hex.replace('b', "c")), hex));
        assert!(!digest_matches(&s(&hex[..63]), &hex[..63]));
        assert!(!digest_matches(&s(""), ""));
        assert!(!digest_matches(&Json::Null, hex));
        let plus = format!("+{}", &hex[1..]);
        assert!(!digest_matches(&s(&plus), &plus));
    }

    #[test]
    fn messages_are_written_as_before() {
        assert_eq!(
            file(7, "a\"b", 3),
            r#"{"t":"file","id":7,"name":"a\"b","size":3}"#
        );
        assert_eq!(stop(1, true), r#"{"t":"stop","id":1,"why":"cancelled"}"#);
        assert_eq!(
            media(true, false),
            r#"{"t":"media","audio":true,"video":false}"#
        );
    }
}
