//! Words for a person when a call cannot connect, from what the browser reported: the error
//! codes of `icecandidateerror` events from TURN servers (STUN codes, plus 701 for a server the
//! browser could not reach), or nothing at all.
use crate::i18n::Words;

/// What went wrong with the relay (TURN) server, if anything was reported.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Relay {
    /// The server refused the credentials (401 Unauthorized, 403 Forbidden, 437 Allocation
    /// Mismatch, 441 Wrong Credentials).
    Refused,
    /// No answer from the server (701).
    Unreachable,
    /// Any other refusal, e.g. 486 (allocation quota) or 508 (no capacity).
    Other(u16),
}

impl Relay {
    /// The trouble an `icecandidateerror` with `code` from the server at `url` means, if the
    /// server is a relay. Errors from STUN servers do not matter to a call that still has
    /// other paths, and are not reported to the person.
    pub fn from_error(url: &str, code: u16) -> Option<Self> {
        if !(url.starts_with("turn:") || url.starts_with("turns:")) {
            return None;
        }
        Some(match code {
            401 | 403 | 437 | 441 => Self::Refused,
            701 => Self::Unreachable,
            other => Self::Other(other),
        })
    }

    /// Which of two reports to keep for a link: a credentials refusal says the most.
    pub fn worse(self, other: Self) -> Self {
        match (self, other) {
            (Self::Refused, _) | (_, Self::Refused) => Self::Refused,
            (Self::Other(c), _) | (_, Self::Other(c)) => Self::Other(c),
            _ => Self::Unreachable,
        }
    }
}

/// What the page says about the link to `peer` that is not connected: relay trouble when some
/// was reported, otherwise that no path was found (and whether it is still trying).
pub fn words(relay: Option<Relay>, peer: &str, retrying: bool, w: &Words) -> String {
    match relay {
        Some(Relay::Refused) => w.relay_refused.to_owned(),
        Some(Relay::Unreachable) => w.relay_unreachable.to_owned(),
        Some(Relay::Other(code)) => (w.relay_other)(code),
        None => (w.no_path)(peer, retrying),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;

    fn words(relay: Option<Relay>, peer: &str, retrying: bool) -> String {
        super::words(relay, peer, retrying, Lang::En.words())
    }

    #[test]
    fn only_relay_servers_count() {
        assert_eq!(Relay::from_error("stun:127.0.0.1:3478", 701), None);
        assert_eq!(
            Relay::from_error("turn:127.0.0.1:3478?transport=udp", 401),
            Some(Relay::Refused)
        );
        assert_eq!(
            Relay::from_error("turns:t.example.org:443", 701),
            Some(Relay::Unreachable)
        );
        assert_eq!(Relay::from_error("turn:t", 508), Some(Relay::Other(508)));
    }

    #[test]
    fn bad_credentials_name_the_setting() {
        for code in [401, 403, 437, 441] {
            let w = words(Relay::from_error("turn:t", code), "bob", true);
            assert!(
                w.contains("relay server") && w.contains("TURN_SECRET"),
                "{w}"
            );
        }
        let w = words(Some(Relay::Unreachable), "bob", true);
        assert!(w.contains("could not be reached"), "{w}");
    }

    #[test]
    fn a_refusal_outweighs_an_unreachable_server() {
        assert_eq!(Relay::Unreachable.worse(Relay::Refused), Relay::Refused);
        assert_eq!(Relay::Refused.worse(Relay::Unreachable), Relay::Refused);
        assert_eq!(
            Relay::Unreachable.worse(Relay::Other(486)),
            Relay::Other(486)
        );
    }

    #[test]
    fn without_relay_trouble_the_peer_is_named() {
        assert_eq!(
            words(None, "bob", true),
            "Could not connect to bob: no network path between you. Retrying…"
        );
        assert!(!words(None, "bob", false).contains("Retrying"));
        assert_eq!(
            super::words(None, "bob", true, Lang::Ja.words()),
            "bobさんに接続できませんでした: 通信経路が見つかりません。再試行中…"
        );
    }
}
