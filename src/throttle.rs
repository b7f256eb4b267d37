//! Limits keyed by a client's address or an account: how often it may try something (a token
//! bucket per key, which answers with how long to wait), how many connections it may hold at
//! once, and how many password hashes run at the same time. Every map is bounded: a flood of
//! new keys cannot grow memory without end.
use axum::extract::{ConnectInfo, FromRef, FromRequestParts};
use axum::http::request::Parts;
use axum::http::StatusCode;
use parking_lot::Mutex;
use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

mod hashing;
pub use hashing::{Busy, HashGate, HashPermit, HASH_WAIT};

/// A token bucket per key: `burst` tries at once, refilled at `per_sec`.
#[derive(Debug)]
pub struct KeyedRate {
    per_sec: f64,
    burst: f64,
    max_keys: usize,
    buckets: Mutex<HashMap<String, (f64, Instant)>>,
}

impl KeyedRate {
    pub fn new(per_sec: f64, burst: f64, max_keys: usize) -> Self {
        Self {
            per_sec: per_sec.max(f64::MIN_POSITIVE),
            burst: burst.max(1.0),
            max_keys: max_keys.max(1),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes one try for `key`; `Err(wait)` when none is left, with how long until one is.
    pub fn check(&self, key: &str) -> Result<(), Duration> {
        self.check_at(key, Instant::now())
    }

    pub fn check_at(&self, key: &str, now: Instant) -> Result<(), Duration> {
        let mut map = self.buckets.lock();
        if !map.contains_key(key) && map.len() >= self.max_keys {
            // Keys whose bucket has refilled hold nothing worth keeping.
            let (per_sec, burst) = (self.per_sec, self.burst);
            map.retain(|_, (tokens, at)| {
                *tokens + now.saturating_duration_since(*at).as_secs_f64() * per_sec < burst
            });
            if map.len() >= self.max_keys {
                return Err(Duration::from_secs(1));
            }
        }
        let (tokens, at) = map.entry(key.to_owned()).or_insert((self.burst, now));
        *tokens = (*tokens + now.saturating_duration_since(*at).as_secs_f64() * self.per_sec)
            .min(self.burst);
        *at = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64((1.0 - *tokens) / self.per_sec))
        }
    }

    /// Gives back one try taken from `key` (e.g. the attempt never happened because the server
    /// was busy).
    pub fn refund(&self, key: &str) {
        if let Some((tokens, _)) = self.buckets.lock().get_mut(key) {
            *tokens = (*tokens + 1.0).min(self.burst);
        }
    }

    /// Forgets `key` (e.g. after a successful log-in clears its failures).
    pub fn reset(&self, key: &str) {
        self.buckets.lock().remove(key);
    }
}

/// Counts open connections per key. A slot is given back when its [`ConnSlot`] drops.
#[derive(Debug, Clone, Default)]
pub struct ConnCounter {
    open: Arc<Mutex<HashMap<String, usize>>>,
}

/// One counted connection; dropping it releases the count.
#[derive(Debug)]
pub struct ConnSlot {
    open: Arc<Mutex<HashMap<String, usize>>>,
    key: String,
}

impl ConnCounter {
    /// A slot for `key` if it holds fewer than `limit`.
    pub fn try_acquire(&self, key: &str, limit: usize) -> Option<ConnSlot> {
        let mut map = self.open.lock();
        let n = map.entry(key.to_owned()).or_insert(0);
        if *n >= limit {
            if *n == 0 {
                map.remove(key);
            }
            return None;
        }
        *n += 1;
        Some(ConnSlot {
            open: self.open.clone(),
            key: key.to_owned(),
        })
    }

    pub fn count(&self, key: &str) -> usize {
        self.open.lock().get(key).copied().unwrap_or(0)
    }
}

impl Drop for ConnSlot {
    fn drop(&mut self) {
        let mut map = self.open.lock();
        if let Some(n) = map.get_mut(&self.key) {
            *n -= 1;
            if *n == 0 {
                map.remove(&self.key);
            }
        }
    }
}

/// The numbers behind [`Throttles`], from the configuration.
#[derive(Debug, Clone, Copy)]
pub struct ThrottleLimits {
    /// Log-in and sign-up attempts per minute from one address (burst the same).
    pub auth_per_min_ip: u32,
    /// Failed log-ins per minute for one username (burst the same).
    pub login_fails_per_min_user: u32,
    /// Guest sessions per hour from one address (burst the same).
    pub guests_per_hour_ip: u32,
    /// WebSockets (both dialects) open at once from one address.
    pub sockets_per_ip: usize,
    /// Room-dialect WebSockets open at once for one account or guest session.
    pub sockets_per_user: usize,
    /// Password hashes waiting for a free core before the server answers 503.
    pub hash_queue: usize,
    /// Use the last `X-Forwarded-For` address as the client's (behind a trusted proxy only).
    pub trust_proxy: bool,
}

impl Default for ThrottleLimits {
    fn default() -> Self {
        Self {
            auth_per_min_ip: 30,
            login_fails_per_min_user: 5,
            guests_per_hour_ip: 60,
            sockets_per_ip: 64,
            sockets_per_user: 16,
            hash_queue: 32,
            trust_proxy: false,
        }
    }
}

/// Every keyed limit the server keeps, shared through the server state.
#[derive(Debug)]
pub struct Throttles {
    pub limits: ThrottleLimits,
    pub auth_ip: KeyedRate,
    pub login_fails_user: KeyedRate,
    pub guest_ip: KeyedRate,
    pub sockets_ip: ConnCounter,
    pub sockets_user: ConnCounter,
    /// One permit per core: at most that many argon2 hashes run at once, `hash_queue` wait.
    pub hashing: HashGate,
}

/// Most distinct keys a rate map remembers.
const MAX_KEYS: usize = 100_000;

impl Throttles {
    pub fn new(limits: ThrottleLimits) -> Self {
        let per_min = |n: u32| KeyedRate::new(f64::from(n) / 60.0, f64::from(n), MAX_KEYS);
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Self {
            limits,
            auth_ip: per_min(limits.auth_per_min_ip),
            login_fails_user: per_min(limits.login_fails_per_min_user),
            guest_ip: KeyedRate::new(
                f64::from(limits.guests_per_hour_ip) / 3600.0,
                f64::from(limits.guests_per_hour_ip),
                MAX_KEYS,
            ),
            sockets_ip: ConnCounter::default(),
            sockets_user: ConnCounter::default(),
            hashing: HashGate::new(cores, limits.hash_queue, HASH_WAIT),
        }
    }
}

/// The client's address: the TCP peer, or with `TRUST_PROXY` the last `X-Forwarded-For` entry
/// (the one the trusted proxy added). Unknown (e.g. in-process calls) is `0.0.0.0`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientIp(pub IpAddr);

impl ClientIp {
    pub fn from_parts(parts: &Parts, trust_proxy: bool) -> Self {
        if trust_proxy {
            let forwarded = parts
                .headers
                .get_all("x-forwarded-for")
                .iter()
                .filter_map(|v| v.to_str().ok())
                .flat_map(|v| v.split(','))
                .filter_map(|s| s.trim().parse::<IpAddr>().ok())
                .next_back();
            if let Some(ip) = forwarded {
                return Self(ip);
            }
        }
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |c| c.0.ip());
        Self(peer)
    }

    /// The key for per-address limits: IPv6 clients are grouped by their /64.
    pub fn key(&self) -> String {
        match self.0 {
            IpAddr::V4(v4) => v4.to_string(),
            IpAddr::V6(v6) => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        }
    }
}

impl<S> FromRequestParts<S> for ClientIp
where
    Arc<Throttles>: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = StatusCode;

    async fn from_request_parts(parts: &mut Parts, st: &S) -> Result<Self, StatusCode> {
        let throttles = Arc::<Throttles>::from_ref(st);
        Ok(Self::from_parts(parts, throttles.limits.trust_proxy))
    }
}

/// Whole seconds for a `Retry-After` header, at least 1.
pub fn retry_after_secs(wait: Duration) -> u64 {
    wait.as_secs_f64().ceil().max(1.0) as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_allows_burst_then_says_how_long_to_wait() {
        let r = KeyedRate::new(1.0, 3.0, 10);
        let t = Instant::now();
        for _ in 0..3 {
            assert!(r.check_at("a", t).is_ok());
        }
        let wait = r.check_at("a", t).unwrap_err();
        assert!(wait > Duration::ZERO && wait <= Duration::from_secs(1));
        assert!(r.check_at("b", t).is_ok(), "keys are independent");
        assert!(r.check_at("a", t + Duration::from_secs(1)).is_ok());
        r.refund("a");
        assert!(
            r.check_at("a", t + Duration::from_secs(1)).is_ok(),
            "refunded"
        );
        r.reset("a");
        assert!(r.check_at("a", t + Duration::from_secs(1)).is_ok());
    }

    #[test]
    fn key_map_is_bounded() {
        let r = KeyedRate::new(0.001, 1.0, 2);
        let t = Instant::now();
        assert!(r.check_at("a", t).is_ok());
        assert!(r.check_at("b", t).is_ok());
        assert!(r.check_at("c", t).is_err(), "full of live keys: refuse");
        // Once the old buckets refill they are pruned and new keys fit.
        assert!(r.check_at("c", t + Duration::from_secs(2000)).is_ok());
    }

    #[test]
    fn slots_are_counted_and_released() {
        let c = ConnCounter::default();
        let a = c.try_acquire("ip", 2).unwrap();
        let _b = c.try_acquire("ip", 2).unwrap();
        assert!(c.try_acquire("ip", 2).is_none());
        drop(a);
        assert_eq!(c.count("ip"), 1);
        assert!(c.try_acquire("ip", 2).is_some());
        assert!(c.try_acquire("other", 0).is_none());
        assert!(
            c.open.lock().get("other").is_none(),
            "no empty entries left"
        );
    }

    #[test]
    fn client_ip_from_peer_or_trusted_proxy() {
        let req = axum::http::Request::builder()
            .header("x-forwarded-for", "203.0.113.9, 198.51.100.7")
            .body(())
            .unwrap();
        let (mut parts, _) = req.into_parts();
        parts
            .extensions
            .insert(ConnectInfo(SocketAddr::from(([127, 0, 0, 1], 5000))));
        assert_eq!(
            ClientIp::from_parts(&parts, false).0.to_string(),
            "127.0.0.1"
        );
        assert_eq!(
            ClientIp::from_parts(&parts, true).0.to_string(),
            "198.51.100.7"
        );
        let v6 = ClientIp("2001:db8:1:2:3:4:5:6".parse().unwrap());
        assert_eq!(v6.key(), "2001:db8:1:2::/64");
    }
}
