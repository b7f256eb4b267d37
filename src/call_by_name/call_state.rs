//! The call state: calls by name in this browser (the ring I placed, the call
//! ringing for me, who is online). The socket that feeds it runs in the browser only
//! (`client.rs`); the overlay that shows it is `overlay.rs`.
use crate::signaling::protocol::{ClientMessage, OnlineUser};
use leptos::prelude::*;
use std::sync::Arc;

/// How the ring I placed stands. `as_str` is the `data-state` tests and styles read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dial {
    Ringing,
    Accepted,
    Declined,
    Busy,
    NoAnswer,
    Offline,
    UnknownUser,
    SelfCall,
    Failed,
}

impl Dial {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ringing => "ringing",
            Self::Accepted => "accepted",
            Self::Declined => "declined",
            Self::Busy => "busy",
            Self::NoAnswer => "no_answer",
            Self::Offline => "offline",
            Self::UnknownUser => "unknown_user",
            Self::SelfCall => "self_call",
            Self::Failed => "failed",
        }
    }

    /// The words shown for a call to `name`.
    pub fn label(self, name: &str, w: &crate::i18n::Words) -> String {
        match self {
            Self::Ringing => (w.ringing)(name),
            Self::Accepted => (w.answered)(name),
            Self::Declined => (w.declined)(name),
            Self::Busy => (w.busy)(name),
            Self::NoAnswer => w.no_answer.to_owned(),
            Self::Offline => (w.offline)(name),
            Self::UnknownUser => (w.unknown_user)(name),
            Self::SelfCall => w.self_call.to_owned(),
            Self::Failed => (w.call_failed)(name),
        }
    }

    /// The state for an error code the server answered a ring with.
    pub fn from_error(code: &str) -> Self {
        use crate::signaling::protocol::code;
        match code {
            code::OFFLINE => Self::Offline,
            code::BUSY => Self::Busy,
            code::UNKNOWN_USER => Self::UnknownUser,
            code::SELF_CALL => Self::SelfCall,
            _ => Self::Failed,
        }
    }
}

/// The ring I placed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outgoing {
    pub name: String,
    /// Known once the server says it is ringing.
    pub call: Option<String>,
    pub state: Dial,
}

/// A call ringing for me.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Incoming {
    pub call: String,
    pub from: String,
}

type Sender = Arc<dyn Fn(&str) + Send + Sync>;

/// Shared by the overlay, the online list and the browser socket: see `use_call_state`.
#[derive(Clone, Copy)]
pub struct CallState {
    /// The live online list once the socket has sent one (before that, pages show the list
    /// they were rendered with).
    pub online: RwSignal<Option<Vec<OnlineUser>>>,
    /// Some page wants the online list kept live.
    pub watching: RwSignal<bool>,
    pub outgoing: RwSignal<Option<Outgoing>>,
    pub incoming: RwSignal<Option<Incoming>>,
    send: StoredValue<Option<Sender>>,
}

/// The page's call state. On the server, the request's (provided by `App`). In the browser,
/// the overlay and the online list are separate islands, which share no context: they share
/// this one, made by the first to ask (the overlay, first in the page) and kept for the page's
/// life (islands are never unmounted; a new page is a new wasm instance).
pub fn use_call_state() -> CallState {
    #[cfg(feature = "hydrate")]
    {
        thread_local!(static SHARED: CallState = CallState::new());
        SHARED.with(|s| *s)
    }
    #[cfg(not(feature = "hydrate"))]
    expect_context::<CallState>()
}

impl Default for CallState {
    fn default() -> Self {
        Self::new()
    }
}

impl CallState {
    pub fn new() -> Self {
        Self {
            online: RwSignal::new(None),
            watching: RwSignal::new(false),
            outgoing: RwSignal::new(None),
            incoming: RwSignal::new(None),
            send: StoredValue::new(None),
        }
    }

    /// Where frames go (the browser socket sets this when it starts).
    pub fn set_sender(&self, send: Sender) {
        self.send.set_value(Some(send));
    }

    fn send(&self, msg: ClientMessage<'_>) {
        if let Some(f) = self.send.get_value() {
            f(&msg.to_json());
        }
    }

    /// Rings a user by stable peer id (exact even when two guests share a name); `name` is
    /// what the panel calls them.
    pub fn ring(&self, name: &str, peer_id: &str) {
        let busy = self.outgoing.with_untracked(|o| {
            o.as_ref()
                .is_some_and(|o| matches!(o.state, Dial::Ringing | Dial::Accepted))
        });
        if busy {
            return;
        }
        self.outgoing.set(Some(Outgoing {
            name: name.to_owned(),
            call: None,
            state: Dial::Ringing,
        }));
        self.send(ClientMessage::Ring {
            user: None,
            peer: Some(peer_id.into()),
        });
    }

    /// Cancels the ring I placed, or closes the panel once it ended.
    pub fn hangup(&self) {
        let call = self.outgoing.with_untracked(|o| {
            o.as_ref()
                .filter(|o| o.state == Dial::Ringing)
                .and_then(|o| o.call.clone())
        });
        if let Some(call) = call {
            self.send(ClientMessage::Hangup { call: call.into() });
        }
        self.outgoing.set(None);
    }

    pub fn accept(&self) {
        if let Some(i) = self.incoming.get_untracked() {
            self.send(ClientMessage::Accept {
                call: i.call.into(),
            });
        }
    }

    pub fn decline(&self) {
        if let Some(i) = self.incoming.get_untracked() {
            self.send(ClientMessage::Decline {
                call: i.call.into(),
            });
        }
        self.incoming.set(None);
    }
}
