//! The wire error code of each room-dialect hub error, mapped in this one place.
use super::{AnswerError, JoinError, RelayError, RingError};
use crate::signaling::protocol::code;

impl JoinError {
    /// The `code` of the error frame that reports it.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Full(_) | Self::TalkerPresent | Self::OtherTab => code::ROOM_FULL,
            Self::Gone => code::NOT_IN_ROOM,
            Self::Private => code::PRIVATE_ROOM,
        }
    }
}

impl RelayError {
    /// The `code` of the error frame that reports it.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotInRoom => code::NOT_IN_ROOM,
            Self::UnknownPeer => code::UNKNOWN_PEER,
            Self::Congested => code::CONGESTED,
            Self::NotYourRole | Self::RolesDontMatch => code::WRONG_ROLE,
        }
    }
}

impl RingError {
    /// The `code` of the error frame that reports it.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotAUser => code::NOT_A_USER,
            Self::SelfCall => code::SELF_CALL,
            Self::Offline => code::OFFLINE,
            Self::Busy => code::BUSY,
            Self::AlreadyCalling => code::ALREADY_CALLING,
            Self::RingLimited => code::RING_LIMITED,
        }
    }
}

impl AnswerError {
    /// The `code` of the error frame that reports it.
    pub fn code(&self) -> &'static str {
        match self {
            Self::UnknownCall => code::UNKNOWN_CALL,
        }
    }
}
