//! Sockets by the browser session that opened them. When a session ends (log-out, or a guest
//! signing in) its sockets are closed at once, rather than staying open, signed in, on a
//! session that no longer exists.
//!
//! A socket task takes a [`SessionSocket`] before it starts and watches its token instead of
//! the server's shutdown token: the token ends when the server shuts down or the session ends.
use super::Hub;
use std::collections::HashMap;
use std::sync::Arc;
use tokio_util::sync::CancellationToken;

#[derive(Default)]
pub(super) struct Sessions {
    open: HashMap<Arc<str>, Vec<(u64, CancellationToken)>>,
    next: u64,
}

/// One socket's place in its session; dropping it (when the socket task ends) forgets it.
pub struct SessionSocket {
    hub: Arc<Hub>,
    session: Arc<str>,
    n: u64,
    token: CancellationToken,
}

impl Hub {
    /// Counts a socket as `session`'s. Its [`SessionSocket::token`] ends with `shutdown` or
    /// when [`Hub::close_session`] is called for the session.
    pub fn session_socket(
        self: &Arc<Self>,
        session: &str,
        shutdown: &CancellationToken,
    ) -> SessionSocket {
        let token = shutdown.child_token();
        let mut st = self.state.lock();
        let s = &mut st.sessions;
        s.next += 1;
        let n = s.next;
        let key: Arc<str> = match s.open.get_key_value(session) {
            Some((k, _)) => k.clone(),
            None => session.into(),
        };
        s.open
            .entry(key.clone())
            .or_default()
            .push((n, token.clone()));
        SessionSocket {
            hub: self.clone(),
            session: key,
            n,
            token,
        }
    }

    /// Ends every socket of `session`; returns how many there were.
    pub fn close_session(&self, session: &str) -> usize {
        let sockets = self.state.lock().sessions.open.remove(session);
        let sockets = sockets.unwrap_or_default();
        // Cancelled outside the lock: waking tasks need not wait for it.
        for (_, token) in &sockets {
            token.cancel();
        }
        self.end_parked(session);
        sockets.len()
    }

    /// Open sockets of `session`.
    pub fn session_sockets(&self, session: &str) -> usize {
        self.state
            .lock()
            .sessions
            .open
            .get(session)
            .map_or(0, Vec::len)
    }
}

impl SessionSocket {
    /// Cancelled when the socket must close: the session ended or the server is stopping.
    pub fn token(&self) -> CancellationToken {
        self.token.clone()
    }
}

impl Drop for SessionSocket {
    fn drop(&mut self) {
        let mut st = self.hub.state.lock();
        let open = &mut st.sessions.open;
        if let Some(list) = open.get_mut(&self.session) {
            list.retain(|(n, _)| *n != self.n);
            if list.is_empty() {
                open.remove(&self.session);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signaling::hub::HubLimits;

    #[test]
    fn closing_a_session_ends_its_sockets_only() {
        let hub = Arc::new(Hub::new(HubLimits::default()));
        let shutdown = CancellationToken::new();
        let a1 = hub.session_socket("a", &shutdown);
        let a2 = hub.session_socket("a", &shutdown);
        let b = hub.session_socket("b", &shutdown);
        assert_eq!(hub.session_sockets("a"), 2);
        drop(a2);
        assert_eq!(hub.session_sockets("a"), 1, "a closed socket is forgotten");

        assert_eq!(hub.close_session("a"), 1);
        assert!(a1.token().is_cancelled());
        assert!(!b.token().is_cancelled() && !shutdown.is_cancelled());
        assert_eq!(hub.close_session("a"), 0);
        drop(a1);

        shutdown.cancel();
        assert!(b.token().is_cancelled(), "shutdown still ends every socket");
        drop(b);
        assert!(hub.state.lock().sessions.open.is_empty());
    }
}
