//! Accounts and sessions: sign-up, log-in, log-out, guests.
use serde::{Deserialize, Serialize};

pub mod api;
pub mod pages;

#[cfg(feature = "ssr")]
pub mod handlers;
#[cfg(feature = "ssr")]
pub mod password;
#[cfg(feature = "ssr")]
pub mod session;
#[cfg(feature = "ssr")]
pub mod store;

/// Who the browser is signed in as.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurrentUser {
    /// Display name: the username, or `guest-xxxx`.
    pub name: String,
    /// Stable for an account, fresh for each guest session.
    pub peer_id: String,
    pub guest: bool,
}

/// Usernames: 3 to 32 letters, digits, `-`, `_` or `.`.
pub fn valid_username(name: &str) -> bool {
    (3..=32).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
        && !name.to_ascii_lowercase().starts_with("guest-")
}

pub const MIN_PASSWORD: usize = 8;
pub const MAX_PASSWORD: usize = 256;

/// What went wrong with a form, as a short code in the redirect and words on the page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FormError {
    BadCredentials,
    NameTaken,
    BadName,
    ShortPassword,
    LongPassword,
    Server,
}

impl FormError {
    pub fn code(self) -> &'static str {
        match self {
            Self::BadCredentials => "bad_credentials",
            Self::NameTaken => "name_taken",
            Self::BadName => "bad_name",
            Self::ShortPassword => "short_password",
            Self::LongPassword => "long_password",
            Self::Server => "server",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        [
            Self::BadCredentials,
            Self::NameTaken,
            Self::BadName,
            Self::ShortPassword,
            Self::LongPassword,
            Self::Server,
        ]
        .into_iter()
        .find(|e| e.code() == code)
    }

    pub fn message(self) -> &'static str {
        match self {
            Self::BadCredentials => "That username and password don't match. Check them and try again.",
            Self::NameTaken => "That username is taken. Pick another one.",
            Self::BadName => {
                "Usernames are 3–32 letters, digits, dots, dashes or underscores, and can't start with \"guest-\"."
            }
            Self::ShortPassword => "Passwords need at least 8 characters.",
            Self::LongPassword => "Passwords can be at most 256 characters.",
            Self::Server => "Something went wrong on our side. Please try again in a moment.",
        }
    }
}

/// A `next` target is followed only if it is a path on this site.
pub fn safe_next(next: Option<&str>) -> &str {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n,
        _ => "/",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames() {
        assert!(valid_username("alice"));
        assert!(valid_username("bob_2.x-y"));
        assert!(!valid_username("al"));
        assert!(!valid_username("a b c"));
        assert!(!valid_username("guest-1234"));
        assert!(!valid_username(&"a".repeat(33)));
    }

    #[test]
    fn next_is_local_only() {
        assert_eq!(safe_next(Some("/r/team")), "/r/team");
        assert_eq!(safe_next(Some("//evil.example")), "/");
        assert_eq!(safe_next(Some("https://evil.example")), "/");
        assert_eq!(safe_next(None), "/");
    }

    #[test]
    fn error_codes_round_trip() {
        for e in [
            FormError::BadCredentials,
            FormError::NameTaken,
            FormError::Server,
        ] {
            assert_eq!(FormError::from_code(e.code()), Some(e));
        }
    }
}
