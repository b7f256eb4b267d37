//! Who is in the room, as the server announced them (`joined`, `peer_joined`, `peer_left`), and
//! which relayed messages this page acts on from whom. The server stamps every sender and
//! enforces roles too, but the page does not rely on it: a message from a peer the page does
//! not expect to hear from is ignored, so nobody can make it answer with camera and microphone
//! or hang up a broadcast it is not part of.
//!
//! Who may send what follows the flows in `docs/protocol.md`:
//!
//! | this page | sender | accepted |
//! |---|---|---|
//! | mesh | a mesh peer that joined after us | `call`, `offer`, `candidate`, `bye` |
//! | mesh | a mesh peer that was there before us | `response`, `answer`, `candidate`, `bye` |
//! | talker | a watcher | `talk_request`, `answer`, `candidate`, `bye` |
//! | watcher | the talker | `talk_ready`, `offer`, `end_talk`, `candidate`, `bye` |
//!
//! Anyone else, and any other message, is ignored.
use crate::signaling::protocol::{PeerInfo, Role};

struct Member {
    id: String,
    role: Role,
    /// In the room before us (listed in our `joined`).
    older: bool,
}

/// The peers of one room visit, in join order. Rooms are small (a mesh is capped at a handful
/// of peers, a broadcast at its watcher cap), so a list is enough.
pub struct Roster {
    me: Role,
    peers: Vec<Member>,
}

impl Roster {
    pub fn new(me: Role) -> Self {
        Self {
            me,
            peers: Vec::new(),
        }
    }

    /// Starts over with the peers our `joined` listed: everyone there before us.
    pub fn joined(&mut self, peers: &[PeerInfo]) {
        self.peers = peers
            .iter()
            .map(|p| Member {
                id: p.id.clone(),
                role: p.role,
                older: true,
            })
            .collect();
    }

    /// Someone joined after us (`peer_joined`).
    pub fn arrived(&mut self, peer: &PeerInfo) {
        if self.peers.iter().any(|m| m.id == peer.id) {
            return;
        }
        self.peers.push(Member {
            id: peer.id.clone(),
            role: peer.role,
            older: false,
        });
    }

    /// Someone left (`peer_left`).
    pub fn left(&mut self, id: &str) {
        self.peers.retain(|m| m.id != id);
    }

    /// We lost the server: nobody is known until the next `joined`.
    pub fn clear(&mut self) {
        self.peers.clear();
    }

    /// The mesh peers that were in the room before us, in join order: the ones a mesh page
    /// offers to.
    pub fn older_mesh_peers(&self) -> Vec<String> {
        if self.me != Role::Mesh {
            return Vec::new();
        }
        self.peers
            .iter()
            .filter(|m| m.older && m.role == Role::Mesh)
            .map(|m| m.id.clone())
            .collect()
    }

    /// The broadcaster a watcher listens to: the earliest talker still in the room.
    fn talker(&self) -> Option<&Member> {
        self.peers.iter().find(|m| m.role == Role::Talk)
    }

    /// Should this page act on relayed message `kind` from peer `from`?
    pub fn admits(&self, from: &str, kind: &str) -> bool {
        let sender = match self.me {
            Role::Watch => self.talker().filter(|t| t.id == from),
            _ => self.peers.iter().find(|m| m.id == from),
        };
        let Some(sender) = sender else {
            return false;
        };
        match (self.me, sender.role) {
            (Role::Mesh, Role::Mesh) if sender.older => {
                matches!(kind, "response" | "answer" | "candidate" | "bye")
            }
            (Role::Mesh, Role::Mesh) => matches!(kind, "call" | "offer" | "candidate" | "bye"),
            (Role::Talk, Role::Watch) => {
                matches!(kind, "talk_request" | "answer" | "candidate" | "bye")
            }
            (Role::Watch, Role::Talk) => {
                matches!(
                    kind,
                    "talk_ready" | "offer" | "end_talk" | "candidate" | "bye"
                )
            }
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn peer(id: &str, role: Role) -> PeerInfo {
        PeerInfo {
            id: id.to_owned(),
            name: format!("user-{id}"),
            role,
        }
    }

    const ALL: &[&str] = &[
        "offer",
        "answer",
        "candidate",
        "bye",
        "call",
        "response",
        "talk_ready",
        "talk_request",
        "end_talk",
    ];

    fn accepted(r: &Roster, from: &str) -> Vec<&'static str> {
        ALL.iter().copied().filter(|k| r.admits(from, k)).collect()
    }

    #[test]
    fn mesh_takes_offers_and_calls_only_from_mesh_peers_that_came_after_it() {
        let mut r = Roster::new(Role::Mesh);
        r.joined(&[peer("old", Role::Mesh)]);
        r.arrived(&peer("new", Role::Mesh));
        assert_eq!(accepted(&r, "new"), ["offer", "candidate", "bye", "call"]);
        assert_eq!(
            accepted(&r, "old"),
            ["answer", "candidate", "bye", "response"]
        );
    }

    #[test]
    fn a_mesh_page_offers_to_the_older_mesh_peers_only() {
        let mut r = Roster::new(Role::Mesh);
        r.joined(&[
            peer("a", Role::Mesh),
            peer("w", Role::Watch),
            peer("b", Role::Mesh),
        ]);
        r.arrived(&peer("late", Role::Mesh));
        assert_eq!(r.older_mesh_peers(), ["a", "b"]);
        r.left("a");
        assert_eq!(r.older_mesh_peers(), ["b"]);
        let mut talker = Roster::new(Role::Talk);
        talker.joined(&[peer("a", Role::Mesh)]);
        assert!(talker.older_mesh_peers().is_empty());
    }

    #[test]
    fn mesh_ignores_watchers_talkers_and_strangers() {
        let mut r = Roster::new(Role::Mesh);
        r.joined(&[peer("spy", Role::Watch)]);
        r.arrived(&peer("late-spy", Role::Watch));
        r.arrived(&peer("talker", Role::Talk));
        for from in ["spy", "late-spy", "talker", "stranger"] {
            assert!(accepted(&r, from).is_empty(), "{from} was admitted");
        }
    }

    #[test]
    fn a_peer_that_left_is_a_stranger_again() {
        let mut r = Roster::new(Role::Mesh);
        r.arrived(&peer("b", Role::Mesh));
        r.left("b");
        assert!(!r.admits("b", "offer"));
        r.arrived(&peer("c", Role::Mesh));
        r.clear();
        assert!(!r.admits("c", "call"));
    }

    #[test]
    fn a_repeated_arrival_keeps_its_place_in_the_join_order() {
        let mut r = Roster::new(Role::Mesh);
        r.joined(&[peer("a", Role::Mesh)]);
        r.arrived(&peer("a", Role::Mesh));
        assert!(r.admits("a", "response"));
        assert!(!r.admits("a", "offer"));
    }

    #[test]
    fn watcher_hears_only_the_talker() {
        let mut r = Roster::new(Role::Watch);
        r.joined(&[peer("w1", Role::Watch), peer("t", Role::Talk)]);
        r.arrived(&peer("w2", Role::Watch));
        r.arrived(&peer("m", Role::Mesh));
        assert_eq!(
            accepted(&r, "t"),
            ["offer", "candidate", "bye", "talk_ready", "end_talk"]
        );
        for from in ["w1", "w2", "m", "stranger"] {
            assert!(accepted(&r, from).is_empty(), "{from} was admitted");
        }
    }

    #[test]
    fn watcher_follows_the_first_talker_until_it_leaves() {
        let mut r = Roster::new(Role::Watch);
        r.arrived(&peer("t1", Role::Talk));
        r.arrived(&peer("t2", Role::Talk));
        assert!(r.admits("t1", "end_talk"));
        assert!(!r.admits("t2", "end_talk"));
        r.left("t1");
        assert!(r.admits("t2", "talk_ready"));
    }

    #[test]
    fn talker_hears_only_watchers_asking_and_answering() {
        let mut r = Roster::new(Role::Talk);
        r.joined(&[peer("w1", Role::Watch), peer("m", Role::Mesh)]);
        r.arrived(&peer("w2", Role::Watch));
        r.arrived(&peer("t2", Role::Talk));
        for w in ["w1", "w2"] {
            assert_eq!(
                accepted(&r, w),
                ["answer", "candidate", "bye", "talk_request"]
            );
        }
        for from in ["m", "t2", "stranger"] {
            assert!(accepted(&r, from).is_empty(), "{from} was admitted");
        }
    }
}
