//! What browsers need to find a path to each other: STUN and TURN servers, and whether to use
//! only relayed paths. TURN credentials follow coturn's REST scheme (`use-auth-secret`): the
//! username is `<expiry unix time>:<peer id>` and the password is
//! `base64(HMAC-SHA1(secret, username))`, so coturn checks them with the shared secret alone and
//! they stop working at the expiry. They are minted per session, handed only to signed-in users
//! or guests, and never logged.
pub mod handlers;

use base64::Engine;
use hmac::{Hmac, Mac};
use serde::Serialize;
use sha1::Sha1;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// `iceTransportPolicy` for every browser.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum IcePolicy {
    /// Direct, STUN-reflexive or relayed, whichever works.
    #[default]
    All,
    /// Relayed through TURN only: peers never learn each other's addresses.
    Relay,
}

/// The ICE settings, from the configuration.
#[derive(Debug, Clone, Default)]
pub struct IceSettings {
    /// `ICE_SERVERS`: a static `RTCIceServer[]`, handed out as it is.
    pub static_servers: Vec<serde_json::Value>,
    /// `STUN_URLS`.
    pub stun_urls: Vec<String>,
    /// `TURN_URLS`: get minted credentials.
    pub turn_urls: Vec<String>,
    /// `TURN_SECRET`: the first signs; the others are accepted by coturn during a rotation.
    pub turn_secrets: Vec<String>,
    /// `TURN_TTL`: how long minted credentials work.
    pub turn_ttl: Duration,
    pub policy: IcePolicy,
}

/// What one session's browser gets: `RTCConfiguration` fields, and when to ask again.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct IceConfig {
    pub ice_servers: Vec<serde_json::Value>,
    pub ice_transport_policy: IcePolicy,
    /// Unix seconds after which the TURN credentials stop working (absent without TURN).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<u64>,
}

/// coturn's REST password for `username`.
pub fn turn_password(secret: &str, username: &str) -> String {
    // HMAC takes keys of any length.
    let mut mac = Hmac::<Sha1>::new_from_slice(secret.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC accepts any key length"));
    mac.update(username.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

impl IceSettings {
    /// The configuration for the session whose peer id is `peer_id`, at `now`.
    pub fn for_peer(&self, peer_id: &str, now: SystemTime) -> IceConfig {
        let mut servers = self.static_servers.clone();
        if !self.stun_urls.is_empty() {
            servers.push(serde_json::json!({ "urls": self.stun_urls }));
        }
        let mut expires_at = None;
        if let (false, Some(secret)) = (self.turn_urls.is_empty(), self.turn_secrets.first()) {
            let now = now.duration_since(UNIX_EPOCH).unwrap_or_default();
            let expiry = now.saturating_add(self.turn_ttl).as_secs();
            let username = format!("{expiry}:{peer_id}");
            let credential = turn_password(secret, &username);
            servers.push(serde_json::json!({
                "urls": self.turn_urls,
                "username": username,
                "credential": credential,
            }));
            expires_at = Some(expiry);
        }
        IceConfig {
            ice_servers: servers,
            ice_transport_policy: self.policy,
            expires_at,
        }
    }

    /// True when minted TURN credentials are handed out.
    pub fn mints_turn(&self) -> bool {
        !self.turn_urls.is_empty() && !self.turn_secrets.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rest_password_matches_a_known_vector() {
        // HMAC-SHA1("secret", "1700000000:alice"), base64: computed independently with
        // `printf %s 1700000000:alice | openssl dgst -sha1 -hmac secret -binary | base64`.
        assert_eq!(
            turn_password("secret", "1700000000:alice"),
            "d8soP47RbdIKLDUOpnJPVQyq5Ts="
        );
        // RFC 2202 test case 2 for HMAC-SHA1: key "Jefe", data "what do ya want for nothing?",
        // digest effcdf6ae5eb2fa2d27416d5f184df9c259a7c79.
        assert_eq!(
            turn_password("Jefe", "what do ya want for nothing?"),
            "7/zfauXrL6LSdBbV8YTfnCWafHk="
        );
    }

    #[test]
    fn minted_credentials_name_the_peer_and_expiry() {
        let s = IceSettings {
            stun_urls: vec!["stun:stun.example.org:3478".into()],
            turn_urls: vec!["turn:turn.example.org:3478".into()],
            turn_secrets: vec!["s1".into(), "s0".into()],
            turn_ttl: Duration::from_secs(3600),
            policy: IcePolicy::Relay,
            ..IceSettings::default()
        };
        let now = UNIX_EPOCH + Duration::from_secs(1_000);
        let c = s.for_peer("peer-1", now);
        assert_eq!(c.expires_at, Some(4_600));
        assert_eq!(c.ice_servers.len(), 2);
        let turn = &c.ice_servers[1];
        assert_eq!(turn["username"], "4600:peer-1");
        assert_eq!(turn["credential"], turn_password("s1", "4600:peer-1"));
        let json = serde_json::to_value(&c).unwrap();
        assert_eq!(json["iceTransportPolicy"], "relay");
        assert_eq!(json["expiresAt"], 4600);
    }

    #[test]
    fn without_turn_nothing_is_minted() {
        let s = IceSettings {
            static_servers: vec![serde_json::json!({"urls": "stun:a"})],
            ..IceSettings::default()
        };
        let c = s.for_peer("p", SystemTime::now());
        assert_eq!(c.expires_at, None);
        assert_eq!(c.ice_servers, vec![serde_json::json!({"urls": "stun:a"})]);
        assert_eq!(
            serde_json::to_value(&c).unwrap()["iceTransportPolicy"],
            "all"
        );
    }
}
