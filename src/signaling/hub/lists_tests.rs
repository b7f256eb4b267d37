//! The room and online lists: encoded once per change and shared by every watcher, right after
//! every join and leave, and sent once per subscription.
use super::{Hub, HubLimits, Inbox, Outbound, Role};

fn frames(rx: &mut Inbox) -> Vec<axum::extract::ws::Utf8Bytes> {
    std::iter::from_fn(|| rx.try_recv().ok())
        .map(|Outbound::Frame(f)| f)
        .collect()
}

fn texts(rx: &mut Inbox) -> Vec<String> {
    frames(rx).iter().map(|f| f.to_string()).collect()
}

#[test]
fn a_second_subscribe_sends_nothing_new() {
    let hub = Hub::new(HubLimits::default());
    let (a, mut ra) = hub.register_user("ann", "u-ann", false);
    hub.watch_rooms(&a);
    hub.watch_online(&a);
    assert_eq!(frames(&mut ra).len(), 2);
    hub.watch_rooms(&a);
    hub.watch_online(&a);
    assert!(frames(&mut ra).is_empty(), "already watching");
    // And it still hears changes, once each.
    hub.join(&a, "r", Role::Mesh).unwrap();
    assert_eq!(
        texts(&mut ra),
        [r#"{"type":"rooms","rooms":[{"name":"r","people":["ann"]}]}"#]
    );
}

#[test]
fn every_watcher_shares_one_encoded_list_per_change() {
    let hub = Hub::new(HubLimits::default());
    let (a, mut ra) = hub.register_user("ann", "u-ann", false);
    let (b, mut rb) = hub.register_user("bob", "u-bob", false);
    for id in [&a, &b] {
        hub.watch_rooms(id);
        hub.watch_online(id);
    }
    let (fa, fb) = (frames(&mut ra), frames(&mut rb));
    let same = |x: &axum::extract::ws::Utf8Bytes, y: &axum::extract::ws::Utf8Bytes| {
        x.as_str().as_ptr() == y.as_str().as_ptr()
    };
    assert!(same(&fa[0], &fb[0]), "one room list for both");
    assert!(same(&fa[1], &fb[1]), "one online list for both");

    hub.join(&a, "r", Role::Mesh).unwrap();
    let (ja, jb) = (frames(&mut ra), frames(&mut rb));
    assert!(
        same(&ja[0], &jb[0]) && !same(&ja[0], &fa[0]),
        "rebuilt once"
    );
    let (c, mut rc) = hub.register("carl");
    hub.watch_rooms(&c);
    assert!(same(&frames(&mut rc)[0], &ja[0]), "no change, no rebuild");

    let (_, _rd) = hub.register_user("dora", "u-dora", true);
    let (oa, ob) = (frames(&mut ra), frames(&mut rb));
    assert!(same(&oa[0], &ob[0]) && !same(&oa[0], &fa[1]));
}

#[test]
fn lists_follow_joins_leaves_and_departures() {
    let hub = Hub::new(HubLimits::default());
    let (w, mut rw) = hub.register_user("Watcher", "u-w", false);
    hub.watch_rooms(&w);
    hub.watch_online(&w);
    frames(&mut rw);
    let (a, _ra) = hub.register_user("ann", "u-ann", false);
    let (b, _rb) = hub.register_user("Bob", "u-bob", true);
    hub.join(&a, "r", Role::Mesh).unwrap();
    hub.join(&b, "r", Role::Mesh).unwrap();
    hub.join(&b, "s", Role::Talk).unwrap();
    hub.leave(&a);
    hub.unregister(&b);
    let got = texts(&mut rw);
    let rooms: Vec<&String> = got.iter().filter(|f| f.contains(r#""rooms""#)).collect();
    let online: Vec<&String> = got.iter().filter(|f| f.contains(r#""online""#)).collect();
    assert_eq!(
        rooms,
        [
            r#"{"type":"rooms","rooms":[{"name":"r","people":["ann"]}]}"#,
            r#"{"type":"rooms","rooms":[{"name":"r","people":["ann","Bob"]}]}"#,
            r#"{"type":"rooms","rooms":[{"name":"r","people":["ann"]},{"name":"s","people":["Bob"]}]}"#,
            r#"{"type":"rooms","rooms":[{"name":"s","people":["Bob"]}]}"#,
            r#"{"type":"rooms","rooms":[]}"#,
        ]
    );
    let names = |f: &str| -> Vec<String> {
        let v: serde_json::Value = serde_json::from_str(f).unwrap();
        v["users"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["name"].as_str().unwrap().to_owned())
            .collect()
    };
    let seen: Vec<Vec<String>> = online.iter().map(|f| names(f)).collect();
    assert_eq!(
        seen,
        [
            vec!["ann", "Watcher"],
            vec!["ann", "Bob", "Watcher"],
            vec!["ann", "Watcher"],
        ],
        "sorted by name whatever the case"
    );
    assert_eq!(hub.online().len(), 2);
    assert!(hub.check_invariants().is_ok());
}
