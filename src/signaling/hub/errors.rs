//! Why the hub refused a join or a relay (their wire codes are `codes.rs`).

/// Why a join was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum JoinError {
    #[error("room is full ({0} people is the limit)")]
    Full(usize),
    #[error("this broadcast already has someone on air")]
    TalkerPresent,
    #[error("unknown connection")]
    Gone,
    #[error("this is a private call; only its two people can join")]
    Private,
    #[error("you are already in this call on another tab or device")]
    OtherTab,
}

/// Why a relay was not delivered.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum RelayError {
    #[error("join a room first")]
    NotInRoom,
    #[error("no such peer in your room")]
    UnknownPeer,
    #[error("the receiver is not keeping up; message dropped")]
    Congested,
    #[error("your role in this room may not send that")]
    NotYourRole,
    #[error("that peer's role does not take messages from yours (mesh talks to mesh, a talker to its watchers)")]
    RolesDontMatch,
}
