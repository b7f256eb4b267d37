//! What clients send in the room dialect: one typed value per frame, built by the browser and
//! read by the server (`ClientMessage::parse`), so both sides agree on every kind and field.
use super::Role;
use crate::json::Object;
use std::borrow::Cow;

/// A field-less enum of frame kinds with their wire names, each listed once.
macro_rules! kinds {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $wire:literal,)+ }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum $name {
            $($variant,)+
        }

        impl $name {
            /// Every kind, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];

            /// The wire name: the frame's `type`.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $wire,)+
                }
            }

            /// The kind a frame's `type` names, if it is one of these.
            pub fn from_name(name: &str) -> Option<Self> {
                match name {
                    $($wire => Some($name::$variant),)+
                    _ => None,
                }
            }
        }
    };
}

kinds! {
    /// Kinds the server acts on itself.
    Command {
        Join = "join",
        Leave = "leave",
        WatchRooms = "watch_rooms",
        Ping = "ping",
        WatchOnline = "watch_online",
        Ring = "ring",
        Accept = "accept",
        Decline = "decline",
        Hangup = "hangup",
    }
}

kinds! {
    /// Kinds the server relays between peers without reading their payload.
    RelayKind {
        Offer = "offer",
        Answer = "answer",
        Candidate = "candidate",
        Bye = "bye",
        Call = "call",
        Response = "response",
        TalkReady = "talk_ready",
        TalkRequest = "talk_request",
        EndTalk = "end_talk",
    }
}

impl RelayKind {
    /// This kind, without payload, for the peer `to`.
    pub fn to(self, to: &str) -> ClientMessage<'_> {
        ClientMessage::relay(self, Some(to), None)
    }

    /// This kind, without payload, for everyone else in the room.
    pub fn to_room(self) -> ClientMessage<'static> {
        ClientMessage::relay(self, None, None)
    }

    /// May this kind omit `to` and go to the whole room?
    pub const fn broadcastable(self) -> bool {
        matches!(
            self,
            Self::Bye | Self::Call | Self::TalkReady | Self::TalkRequest | Self::EndTalk
        )
    }

    /// The role this kind may only be sent from: the talker announces and ends its broadcast,
    /// and only watchers ask it for a stream.
    pub const fn sender_role(self) -> Option<Role> {
        match self {
            Self::TalkReady | Self::EndTalk => Some(Role::Talk),
            Self::TalkRequest => Some(Role::Watch),
            _ => None,
        }
    }
}

/// One frame a client sends. `from` is deliberately absent: the server stamps it on relays,
/// and whatever a client claims is ignored.
#[derive(Clone, Debug)]
pub enum ClientMessage<'a> {
    Join {
        room: Cow<'a, str>,
        role: Role,
    },
    Leave,
    WatchRooms,
    Ping,
    WatchOnline,
    /// Rings a user by name (`user`) or stable peer id (`peer`); a non-empty `user` wins.
    Ring {
        user: Option<Cow<'a, str>>,
        peer: Option<Cow<'a, str>>,
    },
    Accept {
        call: Cow<'a, str>,
    },
    Decline {
        call: Cow<'a, str>,
    },
    Hangup {
        call: Cow<'a, str>,
    },
    /// Its `type` is the relay's kind.
    Relay(Relay<'a>),
}

/// A message for one peer (`to`) or the whole room, passed on as `{type, from, payload}`.
#[derive(Clone, Debug)]
pub struct Relay<'a> {
    pub kind: RelayKind,
    pub to: Option<Cow<'a, str>>,
    /// Any JSON value, relayed as sent without being read.
    pub payload: Option<&'a str>,
}

/// Every name in `a`, then every name in `b`.
const fn names<const N: usize>(a: &[Command], b: &[RelayKind]) -> [&'static str; N] {
    let mut out = [""; N];
    let mut i = 0;
    while i < a.len() {
        out[i] = a[i].as_str();
        i += 1;
    }
    let mut j = 0;
    while j < b.len() {
        out[i + j] = b[j].as_str();
        j += 1;
    }
    out
}

impl<'a> ClientMessage<'a> {
    /// The `type` of every client message, the server's commands first.
    pub const KINDS: &'static [&'static str] =
        &names::<{ Command::ALL.len() + RelayKind::ALL.len() }>(Command::ALL, RelayKind::ALL);

    /// A relay of `kind` to `to`, or to the whole room without it.
    /// `payload` must be one JSON value.
    pub fn relay(kind: RelayKind, to: Option<&'a str>, payload: Option<&'a str>) -> Self {
        Self::Relay(Relay {
            kind,
            to: to.map(Cow::Borrowed),
            payload,
        })
    }

    /// This message's `type`.
    pub const fn kind(&self) -> &'static str {
        let command = match self {
            Self::Relay(r) => return r.kind.as_str(),
            Self::Join { .. } => Command::Join,
            Self::Leave => Command::Leave,
            Self::WatchRooms => Command::WatchRooms,
            Self::Ping => Command::Ping,
            Self::WatchOnline => Command::WatchOnline,
            Self::Ring { .. } => Command::Ring,
            Self::Accept { .. } => Command::Accept,
            Self::Decline { .. } => Command::Decline,
            Self::Hangup { .. } => Command::Hangup,
        };
        command.as_str()
    }

    /// The frame's text.
    pub fn to_json(&self) -> String {
        let frame = Object::new().str("type", self.kind());
        match self {
            Self::Join { room, role } => frame.str("room", room).str("role", role.as_str()),
            Self::Ring { user, peer } => frame
                .opt_str("user", user.as_deref())
                .opt_str("peer", peer.as_deref()),
            Self::Accept { call } | Self::Decline { call } | Self::Hangup { call } => {
                frame.str("call", call)
            }
            Self::Relay(Relay { to, payload, .. }) => {
                let frame = frame.opt_str("to", to.as_deref());
                match payload {
                    Some(p) => frame.raw("payload", p),
                    None => frame,
                }
            }
            Self::Leave | Self::WatchRooms | Self::Ping | Self::WatchOnline => frame,
        }
        .finish()
    }
}
