//! How a room-dialect socket starts: as a fresh connection, or by taking over one whose socket
//! dropped (`GET /ws?resume=<token>`, see `hub/grace.rs`).
use super::call_by_name::Identity;
use super::hub::{GracePolicy, Hub, Inbox, PeerId, Resumed};
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// What the upgrade learned about a socket, for its task.
#[derive(Debug, Clone)]
pub struct Opening {
    /// The key of the session that opened the socket; without one nothing is resumable.
    pub session: Option<Arc<str>>,
    /// The token the client presented to get its connection back.
    pub resume: Option<String>,
    /// The session's ICE configuration, sent in `welcome`.
    pub ice: Option<crate::json::RawJson>,
    pub grace: GracePolicy,
    /// Cancelled when the server starts draining: the socket is then asked to reconnect.
    pub drain: Option<CancellationToken>,
    /// Who admits joins when it is not the hub alone (a cluster).
    pub admission: Option<Arc<dyn super::admission::Admission>>,
}

impl Default for Opening {
    fn default() -> Self {
        Self {
            session: None,
            resume: None,
            ice: None,
            grace: GracePolicy {
                grace: Duration::from_secs(30),
                per_session: 16,
            },
            drain: None,
            admission: None,
        }
    }
}

/// The connection a socket serves.
pub(super) struct Attached {
    pub id: PeerId,
    pub inbox: Inbox,
    /// The token for resuming it after this socket drops.
    pub token: Option<String>,
    pub resumed: bool,
}

/// Resumes the connection the opening's token names, or registers a fresh one. `stop` ends
/// this socket should a later one resume it; `wait` bounds how long a still-open old socket
/// may take to let go of the connection.
pub(super) async fn attach(
    hub: &Hub,
    who: &Identity,
    opening: &Opening,
    stop: &CancellationToken,
    wait: Duration,
) -> Attached {
    if let (Some(token), Some(session)) = (&opening.resume, &opening.session) {
        let resumed = match hub.resume(token, session, stop.clone()) {
            Some((Resumed::Ready(id, inbox), next)) => Some((id, inbox, next)),
            Some((Resumed::Pending(id, handover), next)) => {
                match tokio::time::timeout(wait, handover).await {
                    Ok(Ok(inbox)) => Some((id, inbox, next)),
                    // The old socket did not let go: it stays parked, and this one starts anew.
                    _ => None,
                }
            }
            None => None,
        };
        if let Some((id, inbox, next)) = resumed {
            return Attached {
                id,
                inbox,
                token: Some(next),
                resumed: true,
            };
        }
    }
    let (id, inbox) = match &who.user {
        Some(user) => hub.register_user(&who.name, user, who.guest),
        None => hub.register(&who.name),
    };
    let token = opening
        .session
        .as_ref()
        .and_then(|s| hub.issue_resume(&id, s, stop.clone()));
    Attached {
        id,
        inbox,
        token,
        resumed: false,
    }
}
