//! Accounts and sessions: sign-up, log-in, log-out, guests.
use crate::i18n::Words;
use serde::{Deserialize, Serialize};

pub mod api;
pub mod pages;
pub mod signed_in;

#[cfg(feature = "ssr")]
pub mod csrf;
#[cfg(feature = "ssr")]
pub mod expiry;
#[cfg(feature = "ssr")]
pub mod guests;
#[cfg(feature = "ssr")]
pub mod handlers;
#[cfg(feature = "ssr")]
pub mod password;
#[cfg(feature = "ssr")]
mod replies;
#[cfg(feature = "ssr")]
pub mod session;
#[cfg(feature = "ssr")]
pub mod store;

/// Who the browser is signed in as.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurrentUser {
    /// Display name: the username, or `guest-` and eight letters or digits.
    pub name: String,
    /// Stable for an account, fresh for each guest session.
    pub peer_id: String,
    pub guest: bool,
}

impl CurrentUser {
    pub fn from_json(v: &crate::json::Json) -> Option<Self> {
        Some(Self {
            name: v.string_at("name")?,
            peer_id: v.string_at("peer_id")?,
            guest: v.bool_at("guest")?,
        })
    }
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
    /// Too many log-in or sign-up attempts (from this address, or for this username).
    TooManyAttempts,
    /// Too many guest sessions from this address.
    TooManyGuests,
    /// Every core is busy checking passwords.
    Busy,
    /// The form was posted from another site's page.
    CrossSite,
}

const ALL_ERRORS: [FormError; 10] = [
    FormError::BadCredentials,
    FormError::NameTaken,
    FormError::BadName,
    FormError::ShortPassword,
    FormError::LongPassword,
    FormError::Server,
    FormError::TooManyAttempts,
    FormError::TooManyGuests,
    FormError::Busy,
    FormError::CrossSite,
];

impl FormError {
    pub fn code(self) -> &'static str {
        match self {
            Self::BadCredentials => "bad_credentials",
            Self::NameTaken => "name_taken",
            Self::BadName => "bad_name",
            Self::ShortPassword => "short_password",
            Self::LongPassword => "long_password",
            Self::Server => "server",
            Self::TooManyAttempts => "too_many_attempts",
            Self::TooManyGuests => "too_many_guests",
            Self::Busy => "busy",
            Self::CrossSite => "cross_site",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        ALL_ERRORS.into_iter().find(|e| e.code() == code)
    }

    /// The words for the user, in `w`'s language; `retry` is how many seconds to wait, when
    /// known.
    pub fn describe(self, retry: Option<u64>, w: &Words) -> String {
        match self {
            Self::BadCredentials => w.bad_credentials.to_owned(),
            Self::NameTaken => w.name_taken.to_owned(),
            Self::BadName => w.bad_name.to_owned(),
            Self::ShortPassword => w.short_password.to_owned(),
            Self::LongPassword => w.long_password.to_owned(),
            Self::Server => w.server_trouble.to_owned(),
            Self::TooManyAttempts => (w.too_many_attempts)(&(w.wait)(retry)),
            Self::TooManyGuests => (w.too_many_guests)(&(w.wait)(retry)),
            Self::Busy => w.busy_server.to_owned(),
            Self::CrossSite => w.cross_site.to_owned(),
        }
    }
}

/// A `next` target is followed only if it is a plain path on this site; anything else means `/`.
///
/// Plain means: one leading `/`, then only visible ASCII and no backslash, and the same for
/// every percent-decoded form. Browsers drop tabs and newlines from a `Location` and read `\`
/// as `/`, so `/%09/evil.example` or `/\evil.example` would otherwise lead to another site.
pub fn safe_next(next: Option<&str>) -> &str {
    match next {
        Some(n) if plain_path(n) => n,
        _ => "/",
    }
}

fn plain_path(s: &str) -> bool {
    let plain = |b: &[u8]| {
        b.first() == Some(&b'/')
            && !matches!(b.get(1), Some(b'/' | b'\\'))
            && b.iter().all(|c| c.is_ascii_graphic() && *c != b'\\')
    };
    let mut form = s.as_bytes().to_vec();
    // Doubly encoded forms are judged too; more rounds than any proxy or browser undoes.
    for _ in 0..4 {
        if !plain(&form) {
            return false;
        }
        let decoded = percent_decode(&form);
        if decoded == form {
            return true;
        }
        form = decoded;
    }
    false
}

fn percent_decode(b: &[u8]) -> Vec<u8> {
    let hex = |c: u8| (c as char).to_digit(16);
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let pair = b
            .get(i + 1)
            .copied()
            .and_then(hex)
            .zip(b.get(i + 2).copied().and_then(hex));
        match (b[i], pair) {
            (b'%', Some((hi, lo))) => {
                out.push((hi * 16 + lo) as u8);
                i += 3;
            }
            (c, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    out
}

/// Percent-encodes everything but unreserved characters and `/`, for query values.
pub fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;

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
    fn next_is_a_plain_local_path_only() {
        let kept = [
            "/",
            "/r/team",
            "/live/show-1/watch",
            "/r/a?x=1&y=2",
            "/r/a#top",
            "/r/a//b",
            "/%7Euser",
        ];
        for n in kept {
            assert_eq!(safe_next(Some(n)), n, "{n:?} is a plain path");
        }
        let refused = [
            "",
            "r/team",
            "//evil.example",
            "/\\evil.example",
            "\\/evil.example",
            "https://evil.example",
            "javascript:alert(1)",
            "/\t/evil.example",
            "/%09/evil.example",
            "/%0a/evil.example",
            "/%2F/evil.example",
            "/%2f%2fevil.example",
            "/%5Cevil.example",
            "/%5cevil.example",
            "/%252F/evil.example",
            "/%25252F/evil.example",
            "/\n/evil.example",
            "/ /evil.example",
            "/r/a b",
            "/r/a?y=%20",
            "/r/\u{7f}",
            "/r/caf\u{e9}",
            "/r/%00",
            "/r/%E2%80%A8",
        ];
        for n in refused {
            assert_eq!(safe_next(Some(n)), "/", "{n:?} must not be followed");
        }
        assert_eq!(safe_next(None), "/");
    }

    #[test]
    fn error_codes_round_trip() {
        for e in ALL_ERRORS {
            assert_eq!(FormError::from_code(e.code()), Some(e));
            for lang in Lang::ALL {
                assert!(!e.describe(None, lang.words()).is_empty());
            }
        }
        let en = Lang::En.words();
        assert_eq!(
            FormError::TooManyAttempts.describe(Some(42), en),
            "Too many attempts; try again in 42 seconds."
        );
        assert_eq!(
            FormError::TooManyGuests.describe(Some(1800), en),
            "Too many guest sessions from your network; try again in 30 minutes, or log in."
        );
        assert_eq!(
            FormError::TooManyAttempts.describe(Some(42), Lang::Ja.words()),
            "試行回数が多すぎます。42秒後にもう一度お試しください。"
        );
    }
}
