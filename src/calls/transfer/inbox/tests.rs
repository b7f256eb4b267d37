use super::super::wire::Checksum;
use super::super::{Refused, Slots, MAX_FILE_BYTES, MAX_INCOMING};
use super::*;
use serde_json::{json, Value};

/// `v` as the page reads it off the channel (leaked: it lives as long as the test).
fn read(v: Value) -> Json<'static> {
    Json::parse(Box::leak(v.to_string().into_boxed_str())).unwrap()
}

fn header(id: u32, name: &str, size: u64) -> Json<'static> {
    read(json!({"t": "file", "id": id, "name": name, "size": size}))
}

fn sha(bytes: &[u8]) -> Json<'static> {
    let mut c = Checksum::default();
    c.update(bytes);
    read(c.hex().into())
}

/// Announces a file whose kept data is its clean name; returns the id or the refusal.
fn announce(inbox: &mut Inbox<String>, slots: &Slots, h: &Json) -> Result<u32, Refused> {
    let a = inbox.announce(h, slots, |name, _| name.to_owned());
    assert!(a.cut.is_none());
    a.outcome.map_err(|(_, _, why)| why)
}

fn taken<T>(c: Chunk<'_, T>) -> bool {
    matches!(c, Chunk::Taken(_))
}

#[test]
fn a_file_is_offered_once_whole_and_its_digest_matches() {
    let (mut inbox, slots) = (Inbox::default(), Slots::default());
    assert_eq!(
        announce(&mut inbox, &slots, &header(1, "../a.txt", 5)),
        Ok(1)
    );
    assert!(taken(inbox.chunk(1, b"hel")));
    assert!(taken(inbox.chunk(1, b"lo")));
    match inbox.end(1, &sha(b"hello")) {
        Ended::Verified(f, hex) => {
            assert_eq!((f.name.as_str(), f.data.as_str()), ("a.txt", "a.txt"));
            assert_eq!(read(hex.into()), sha(b"hello"));
        }
        _ => panic!("not verified"),
    }
    assert!(
        matches!(inbox.end(1, &sha(b"hello")), Ended::Unknown),
        "ended once"
    );
}

#[test]
fn a_digest_that_does_not_match_or_is_missing_refuses_the_file() {
    let (mut inbox, slots) = (Inbox::default(), Slots::default());
    for (id, digest) in [
        (1, sha(b"hellO")),
        (2, read(Value::Null)),
        (3, read(json!(12))),
    ] {
        announce(&mut inbox, &slots, &header(id, "a", 5)).unwrap();
        assert!(taken(inbox.chunk(id, b"hello")));
        assert!(matches!(
            inbox.end(id, &digest),
            Ended::Refused(_, Refused::Damaged)
        ));
    }
}

#[test]
fn an_end_before_every_byte_is_a_file_cut_short() {
    let (mut inbox, slots) = (Inbox::default(), Slots::default());
    announce(&mut inbox, &slots, &header(1, "a", 100)).unwrap();
    assert!(taken(inbox.chunk(1, &[0; 50])));
    assert!(matches!(
        inbox.end(1, &sha(&[0; 50])),
        Ended::Refused(_, Refused::CutShort)
    ));
}

#[test]
fn more_bytes_than_announced_drop_the_file_and_the_rest_is_ignored() {
    let (mut inbox, slots) = (Inbox::default(), Slots::default());
    announce(&mut inbox, &slots, &header(1, "a", 10)).unwrap();
    assert!(matches!(inbox.chunk(1, &[0; 20]), Chunk::Overrun(_)));
    assert!(matches!(inbox.chunk(1, &[0; 1]), Chunk::Unknown));
    assert!(matches!(inbox.end(1, &sha(&[0; 20])), Ended::Unknown));
    assert!(slots.take().is_some());
}

#[test]
fn several_files_arrive_interleaved_each_checked_on_its_own() {
    let (mut inbox, slots) = (Inbox::default(), Slots::default());
    announce(&mut inbox, &slots, &header(1, "one", 4)).unwrap();
    announce(&mut inbox, &slots, &header(2, "two", 4)).unwrap();
    for (id, part) in [(1, b"ab"), (2, b"wx"), (1, b"cd"), (2, b"yz")] {
        assert!(taken(inbox.chunk(id, part)));
    }
    assert!(matches!(inbox.end(2, &sha(b"wxyz")), Ended::Verified(..)));
    assert!(matches!(inbox.end(1, &sha(b"abcd")), Ended::Verified(..)));
}

#[test]
fn headers_that_break_the_rules_are_refused_with_the_reason() {
    let (mut inbox, slots) = (Inbox::default(), Slots::default());
    let big = header(1, "big", MAX_FILE_BYTES + 1);
    assert_eq!(announce(&mut inbox, &slots, &big), Err(Refused::TooLarge));
    let bad = read(json!({"t": "file", "id": 2, "name": "x", "size": 1.5}));
    assert_eq!(announce(&mut inbox, &slots, &bad), Err(Refused::BadSize));
    let no_id = read(json!({"t": "file", "name": "x/y", "size": 1}));
    let a = inbox.announce(&no_id, &slots, |n, _| n.to_owned());
    assert!(matches!(a.outcome, Err((n, None, Refused::Malformed)) if n == "y"));
    assert!(
        matches!(inbox.chunk(1, b"x"), Chunk::Unknown),
        "a refused file takes no bytes"
    );
}

#[test]
fn only_so_many_files_arrive_at_once_and_a_finished_one_frees_its_place() {
    let (mut inbox, slots) = (Inbox::default(), Slots::default());
    for id in 0..MAX_INCOMING as u32 {
        announce(&mut inbox, &slots, &header(id, "f", 1)).unwrap();
    }
    let extra = header(99, "f", 1);
    assert_eq!(announce(&mut inbox, &slots, &extra), Err(Refused::TooMany));
    assert!(inbox.remove(0).is_some(), "cancelled");
    assert_eq!(announce(&mut inbox, &slots, &extra), Ok(99));
    assert_eq!(inbox.drain().len(), MAX_INCOMING);
    assert!(slots.take().is_some());
}

#[test]
fn the_same_id_announced_again_cuts_the_first_short() {
    let (mut inbox, slots) = (Inbox::default(), Slots::default());
    announce(&mut inbox, &slots, &header(5, "first", 10)).unwrap();
    let again = inbox.announce(&header(5, "second", 3), &slots, |n, _| n.to_owned());
    assert_eq!(again.cut.map(|f| f.name), Some("first".to_owned()));
    assert!(matches!(again.outcome, Ok(5)));
    assert_eq!(inbox.find(|n| n == "second"), Some(5));
    assert_eq!(inbox.find(|n| n == "first"), None);
}
