//! The chat channel's messages between two browsers (`docs/protocol.md`, "Between browsers"):
//! JSON text frames, and binary frames that carry a file's bytes behind its 4-byte id, so
//! several files can be on their way at once. Reading is as strict as the receiving rules
//! need and no stricter: an unknown or unreadable frame is ignored.
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

/// File bytes in one binary frame: with the id in front, a frame is 16 KiB, which every
/// browser takes in one message.
pub const CHUNK_BYTES: u32 = 16 * 1024 - 4;

/// A text frame, read.
#[derive(Debug, PartialEq)]
pub enum Text {
    Message(String),
    /// A file announced: the whole header, which `Inbox::announce` checks field by field.
    File(Value),
    /// The sender has sent every byte of file `id`; `sha256` is its digest, unchecked.
    End {
        id: u32,
        sha256: Value,
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
    Unknown,
}

/// Reads a text frame.
pub fn read(text: &str) -> Text {
    let Ok(v) = serde_json::from_str::<Value>(text) else {
        return Text::Unknown;
    };
    let id = id_of(&v);
    match (v["t"].as_str(), id) {
        (Some("msg"), _) => Text::Message(v["text"].as_str().unwrap_or_default().to_owned()),
        (Some("file"), _) => Text::File(v),
        (Some("end"), Some(id)) => Text::End {
            id,
            sha256: v["sha256"].clone(),
        },
        (Some("cancel"), Some(id)) => Text::Cancel(id),
        (Some("stop"), Some(id)) => Text::Stop {
            id,
            cancelled: v["why"] == "cancelled",
        },
        (Some("ok"), Some(id)) => Text::Ok(id),
        (Some("media"), _) => Text::Media {
            audio: v["audio"].as_bool().unwrap_or(true),
            video: v["video"].as_bool().unwrap_or(true),
        },
        _ => Text::Unknown,
    }
}

/// A transfer id: a whole number that fits in the 4 bytes in front of its chunks.
pub fn id_of(v: &Value) -> Option<u32> {
    v["id"].as_u64().and_then(|n| u32::try_from(n).ok())
}

pub fn message(text: &str) -> String {
    json!({"t": "msg", "text": text}).to_string()
}

pub fn file(id: u32, name: &str, size: u64) -> String {
    json!({"t": "file", "id": id, "name": name, "size": size}).to_string()
}

pub fn end(id: u32, sha256: &str) -> String {
    json!({"t": "end", "id": id, "sha256": sha256}).to_string()
}

pub fn cancel(id: u32) -> String {
    json!({"t": "cancel", "id": id}).to_string()
}

pub fn stop(id: u32, cancelled: bool) -> String {
    let why = if cancelled { "cancelled" } else { "refused" };
    json!({"t": "stop", "id": id, "why": why}).to_string()
}

pub fn ok(id: u32) -> String {
    json!({"t": "ok", "id": id}).to_string()
}

pub fn media(audio: bool, video: bool) -> String {
    json!({"t": "media", "audio": audio, "video": video}).to_string()
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
pub fn digest_matches(declared: &Value, hex: &str) -> bool {
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
        let Text::File(h) = read(&file(7, "a.txt", 3)) else {
            panic!("not a file header")
        };
        assert_eq!(
            (id_of(&h), h["name"].as_str(), h["size"].as_u64()),
            (Some(7), Some("a.txt"), Some(3))
        );
        assert_eq!(
            read(&end(7, "ab")),
            Text::End {
                id: 7,
                sha256: "ab".into()
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
        assert!(digest_matches(&hex.into(), hex));
        assert!(digest_matches(&hex.to_uppercase().into(), hex));
        assert!(!digest_matches(&hex.replace('b', "c").into(), hex));
        assert!(!digest_matches(&hex[..63].into(), &hex[..63]));
        assert!(!digest_matches(&"".into(), ""));
        assert!(!digest_matches(&Value::Null, hex));
        let plus = format!("+{}", &hex[1..]);
        assert!(!digest_matches(&plus.clone().into(), &plus));
    }
}
