use super::*;
use crate::json::Json;

#[test]
fn a_declared_size_is_a_whole_number_within_the_cap() {
    let size = |text: &str| declared_size(&Json::parse(text).unwrap());
    assert_eq!(size("0"), Ok(0));
    assert_eq!(size(&MAX_FILE_BYTES.to_string()), Ok(MAX_FILE_BYTES));
    assert_eq!(
        size(&(MAX_FILE_BYTES + 1).to_string()),
        Err(Refused::TooLarge)
    );
    for bad in ["-1", "1.5", "1e3", r#""10""#, "null"] {
        assert_eq!(size(bad), Err(Refused::BadSize), "{bad}");
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
    assert_eq!(human_size(512), "512 bytes");
    assert_eq!(human_size(300 * 1024), "300 KB");
    assert_eq!(human_size(1536), "2 KB");
    assert_eq!(human_size(5 * 1024 * 1024), "5.0 MB");
    assert_eq!(human_size(5 * 1024 * 1024 + 1024 * 1024 / 10), "5.1 MB");
    assert_eq!(human_size(5 * 1024 * 1024 + 1024 * 1024 / 20 + 1), "5.1 MB");
    assert_eq!(human_size(u64::MAX), "17592186044416.0 MB");
}

#[test]
fn percent_is_whole_and_100_only_when_every_byte_is_there() {
    assert_eq!(percent(0, 10), 0);
    assert_eq!(percent(5, 10), 50);
    assert_eq!(percent(999, 1000), 99);
    assert_eq!(percent(1000, 1000), 100);
    assert_eq!(percent(0, 0), 100);
    assert_eq!(percent(u64::MAX - 1, u64::MAX), 99);
}
