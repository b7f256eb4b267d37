//! The PeerJS server options, named as peerjs-server names them, and the routes they give.
use std::time::Duration;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeerJsOptions {
    /// The API key clients must present (`?key=` on the socket, `{path}{key}/id`).
    pub key: String,
    /// Mount point; always starts and ends with `/`.
    pub path: String,
    /// How long a message for an absent id waits before its sender gets `EXPIRE`.
    pub expire_timeout: Duration,
    /// Silence after which a client counts as gone.
    pub alive_timeout: Duration,
    /// Most ids connected at once.
    pub concurrent_limit: usize,
    /// Whether `GET {path}{key}/peers` lists connected ids.
    pub allow_discovery: bool,
}

impl Default for PeerJsOptions {
    fn default() -> Self {
        Self {
            key: "peerjs".into(),
            path: "/".into(),
            expire_timeout: Duration::from_millis(5_000),
            alive_timeout: Duration::from_millis(60_000),
            concurrent_limit: 5_000,
            allow_discovery: false,
        }
    }
}

impl PeerJsOptions {
    /// `GET` here answers a fresh id.
    pub fn id_route(&self) -> String {
        format!("{}{}/id", self.path, self.key)
    }

    /// `GET` here lists connected ids (with `allow_discovery`).
    pub fn peers_route(&self) -> String {
        format!("{}{}/peers", self.path, self.key)
    }

    /// The WebSocket. PeerJS clients always put `peerjs` after the path, whatever the key.
    pub fn socket_route(&self) -> String {
        format!("{}peerjs", self.path)
    }

    /// The hub realm of this key: PeerJS peers reach only peers that used the same key.
    pub fn realm(&self) -> String {
        format!("peerjs:{}", self.key)
    }
}

/// Keys become a path segment: 1-64 of letters, digits, `-`, `_`, `.`.
pub fn valid_key(key: &str) -> bool {
    (1..=64).contains(&key.len()) && key.bytes().all(safe_byte) && key != "." && key != ".."
}

/// `/`, `/signal`, `signal/` and `/a/b/` all work, as in the PeerJS client, which adds the
/// missing slashes. Segments follow the key's rules, so no route syntax can sneak in.
pub fn normalize_path(path: &str) -> Option<String> {
    let inner = path.trim_matches('/');
    if inner.is_empty() {
        return Some("/".into());
    }
    if path.len() > 200 || !inner.split('/').all(valid_key) {
        return None;
    }
    Some(format!("/{inner}/"))
}

fn safe_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_routes_match_a_stock_client_with_path_slash() {
        let o = PeerJsOptions::default();
        assert_eq!(o.id_route(), "/peerjs/id");
        assert_eq!(o.peers_route(), "/peerjs/peers");
        assert_eq!(o.socket_route(), "/peerjs");
    }

    #[test]
    fn custom_path_and_key() {
        let o = PeerJsOptions {
            key: "k1".into(),
            path: normalize_path("signal").unwrap(),
            ..Default::default()
        };
        assert_eq!(o.id_route(), "/signal/k1/id");
        assert_eq!(o.socket_route(), "/signal/peerjs");
        assert_eq!(normalize_path("/a/b/").as_deref(), Some("/a/b/"));
        assert_eq!(normalize_path("").as_deref(), Some("/"));
        assert_eq!(normalize_path("/a//b"), None);
        assert_eq!(normalize_path("/{id}"), None);
        assert_eq!(normalize_path("/../x"), None);
        assert!(valid_key("peerjs") && !valid_key("") && !valid_key("a/b") && !valid_key("*x"));
    }
}
