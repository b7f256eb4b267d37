//! Property tests (bounded fuzzing): any frame text is answered without panicking, and any
//! sequence of operations leaves the hub consistent with its caps respected.
#![cfg(feature = "ssr")]
use parley::signaling::hub::{Callee, Hub, HubLimits};
use parley::signaling::protocol::{ClientMessage, RelayKind, Role};
use parley::signaling::ws::handle;
use proptest::prelude::*;

fn hub() -> Hub {
    Hub::new(HubLimits {
        mesh_cap: 3,
        watch_cap: 2,
        queue: 8,
        queue_bytes: 1 << 20,
    })
}

/// Frames that look like ours, with fields missing, mistyped or out of range.
fn frame() -> impl Strategy<Value = String> {
    let kind = prop_oneof![
        3 => prop::sample::select(ClientMessage::KINDS).prop_map(str::to_owned),
        1 => "[a-z_]{0,12}",
    ];
    let value = prop_oneof![
        Just("null".to_owned()),
        Just("42".to_owned()),
        Just("{}".to_owned()),
        Just("[]".to_owned()),
        "\"[a-z0-9_./-]{0,20}\"",
        Just("\"p0\"".to_owned()),
        Just("\"p1\"".to_owned()),
    ];
    let role = prop::sample::select(&["\"mesh\"", "\"talk\"", "\"watch\"", "\"boss\"", "7"][..]);
    prop_oneof![
        4 => (kind, value.clone(), value.clone(), role, value.clone(), value).prop_map(|(k, to, room, role, payload, who)| {
            format!(r#"{{"type":"{k}","to":{to},"room":{room},"role":{role},"payload":{payload},"user":{who},"peer":{who},"call":{who},"from":"x"}}"#)
        }),
        1 => any::<String>(),
        1 => prop::collection::vec(any::<u8>(), 0..64).prop_map(|b| String::from_utf8_lossy(&b).into_owned()),
    ]
}

#[derive(Debug, Clone)]
enum Op {
    Register,
    Unregister(usize),
    Join(usize, u8, Role),
    Leave(usize),
    Relay(usize, Option<usize>),
    Watch(usize),
    Text(usize, String),
    /// A connection for user `u` (a guest when `bool`).
    RegisterUser(u8, bool),
    WatchOnline(usize),
    /// Connection `i` rings user `u`, by stable id or by name.
    Ring(usize, u8, bool),
    /// Connection `i` answers call `c`: accept, decline or hang up; an accepted call's room
    /// is joined by the connection.
    Answer(usize, usize, u8),
    ExpireRings,
    /// Connection `a` relays `kind` to `b` (or to its whole room).
    RelayKind(usize, Option<usize>, RelayKind),
    /// Connection `i` joins accepted call `c`'s private room.
    JoinCall(usize, usize),
}

/// The role rules: mesh peers talk to mesh peers, a talker to its watchers and back.
fn roles_may_talk(a: Role, b: Role) -> bool {
    matches!(
        (a, b),
        (Role::Mesh, Role::Mesh) | (Role::Talk, Role::Watch) | (Role::Watch, Role::Talk)
    )
}

fn op() -> impl Strategy<Value = Op> {
    let role = prop_oneof![Just(Role::Mesh), Just(Role::Talk), Just(Role::Watch)];
    prop_oneof![
        2 => Just(Op::Register),
        1 => (0..8usize).prop_map(Op::Unregister),
        3 => (0..8usize, 0..3u8, role).prop_map(|(p, r, role)| Op::Join(p, r, role)),
        1 => (0..8usize).prop_map(Op::Leave),
        3 => (0..8usize, prop::option::of(0..8usize)).prop_map(|(a, b)| Op::Relay(a, b)),
        1 => (0..8usize).prop_map(Op::Watch),
        2 => (0..8usize, frame()).prop_map(|(p, f)| Op::Text(p, f)),
        2 => (0..4u8, any::<bool>()).prop_map(|(u, g)| Op::RegisterUser(u, g)),
        1 => (0..8usize).prop_map(Op::WatchOnline),
        3 => (0..8usize, 0..4u8, any::<bool>()).prop_map(|(i, u, n)| Op::Ring(i, u, n)),
        3 => (0..8usize, 0..4usize, 0..3u8).prop_map(|(i, c, k)| Op::Answer(i, c, k)),
        1 => Just(Op::ExpireRings),
        3 => (0..8usize, prop::option::of(0..8usize), prop::sample::select(RelayKind::ALL))
            .prop_map(|(a, b, k)| Op::RelayKind(a, b, k)),
        2 => (0..8usize, 0..4usize).prop_map(|(i, c)| Op::JoinCall(i, c)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn any_frame_gets_an_answer_or_nothing_and_never_panics(frames in prop::collection::vec(frame(), 1..20)) {
        let hub = hub();
        let (id, _rx) = hub.register("fuzz");
        for f in &frames {
            if let Some(reply) = handle(&hub, &id, f) {
                let v: serde_json::Value = serde_json::from_str(reply.as_str()).expect("replies are JSON");
                prop_assert!(v["type"].is_string());
            }
        }
        prop_assert!(hub.check_invariants().is_ok());
    }

    #[test]
    fn hub_state_stays_consistent(ops in prop::collection::vec(op(), 1..80)) {
        let hub = hub();
        let mut ids: Vec<String> = Vec::new();
        let mut queues = Vec::new();
        let mut calls: Vec<String> = Vec::new();
        let mut call_rooms: Vec<String> = Vec::new();
        let pick = |ids: &Vec<String>, i: usize| ids.get(i % ids.len().max(1)).cloned();
        for op in ops {
            match op {
                Op::Register => {
                    let (id, rx) = hub.register("p");
                    ids.push(id.to_string());
                    queues.push(rx);
                }
                Op::Unregister(i) => if let Some(id) = pick(&ids, i) { hub.unregister(&id) },
                Op::Join(i, r, role) => if let Some(id) = pick(&ids, i) { let _ = hub.join(&id, &format!("r{r}"), role); },
                Op::Leave(i) => if let Some(id) = pick(&ids, i) { hub.leave(&id) },
                Op::Relay(a, b) => if let Some(from) = pick(&ids, a) {
                    let to = b.and_then(|b| pick(&ids, b));
                    let _ = hub.relay(&from, to.as_deref(), r#"{"type":"bye"}"#.into(), None);
                },
                Op::Watch(i) => if let Some(id) = pick(&ids, i) { hub.watch_rooms(&id) },
                Op::Text(i, f) => if let Some(id) = pick(&ids, i) { let _ = handle(&hub, &id, &f); },
                Op::RegisterUser(u, guest) => {
                    let (id, rx) = hub.register_user(&format!("user{u}"), &format!("u{u}"), guest);
                    ids.push(id.to_string());
                    queues.push(rx);
                }
                Op::WatchOnline(i) => if let Some(id) = pick(&ids, i) { hub.watch_online(&id) },
                Op::Ring(i, u, by_name) => if let Some(id) = pick(&ids, i) {
                    let (name, peer) = (format!("USER{u}"), format!("u{u}"));
                    let callee = if by_name { Callee::Name(&name) } else { Callee::Peer(&peer) };
                    if let Ok(started) = hub.ring(&id, callee) {
                        calls.push(started.call);
                    }
                },
                Op::Answer(i, c, kind) => if let (Some(id), Some(call)) = (pick(&ids, i), pick(&calls, c)) {
                    match kind {
                        0 => if let Ok(room) = hub.accept(&id, &call) {
                            call_rooms.push(room);
                        },
                        1 => { let _ = hub.decline(&id, &call); }
                        _ => { let _ = hub.hangup(&id, &call); }
                    }
                },
                Op::ExpireRings => { hub.expire_rings(); }
                Op::RelayKind(a, b, kind) => if let Some(from) = pick(&ids, a) {
                    let to = b.and_then(|b| pick(&ids, b));
                    let frame = format!(r#"{{"type":"{}"}}"#, kind.as_str());
                    let sent = hub.relay(&from, to.as_deref(), frame.into(), kind.sender_role());
                    if sent.is_ok() {
                        let (room, role) = hub.placement(&from).expect("a sender is in a room");
                        if let Some(only) = kind.sender_role() {
                            prop_assert_eq!(role, only, "{:?} sent by a {:?}", kind, role);
                        }
                        if let Some(to) = &to {
                            let (to_room, to_role) = hub.placement(to).expect("a receiver is in a room");
                            prop_assert_eq!(&room, &to_room);
                            prop_assert!(roles_may_talk(role, to_role), "{:?} reached {:?}", role, to_role);
                        }
                    }
                },
                Op::JoinCall(i, c) => if let (Some(id), Some(room)) = (pick(&ids, i), pick(&call_rooms, c)) {
                    let _ = hub.join(&id, &room, Role::Mesh);
                },
            }
            if let Err(e) = hub.check_invariants() {
                prop_assert!(false, "{}", e);
            }
            for room in hub.rooms() {
                prop_assert!(room.people.len() <= 3 + 2 + 1, "caps hold: {:?}", room);
            }
        }
    }
}
