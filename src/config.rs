//! Configuration from environment variables, each also settable as a `--flag value`
//! (`--database-url x`, `--database_url x` or `--database_url=x` sets `DATABASE_URL`).
//! PeerJS options keep peerjs-server's flag names: `--key` and `--path` set `PEERJS_KEY` and
//! `PEERJS_PATH` (a bare `PATH` would be the shell's), and a flag with no value, like
//! `--allow_discovery`, means `true`.
use crate::ice::{IcePolicy, IceSettings};
use crate::peerjs::options::{normalize_path, valid_key};
use crate::peerjs::PeerJsOptions;
use crate::signaling::hub::HubLimits;
use crate::signaling::limits::ConnLimits;
use crate::throttle::ThrottleLimits;
use std::collections::HashMap;
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct Config {
    pub database_url: String,
    /// Connections the database pool opens at most.
    pub database_connections: u32,
    /// Origins allowed to open WebSockets besides the site's own.
    pub allowed_origins: Vec<String>,
    pub cookie_secure: bool,
    pub hub: HubLimits,
    pub conn: ConnLimits,
    pub peerjs: PeerJsOptions,
    /// How long a call by name rings before the caller hears "no answer".
    pub ring_timeout: Duration,
    /// STUN/TURN servers for browsers, as an `RTCIceServer[]` JSON array (default none: fine on
    /// one network; set STUN, and TURN for strict NATs, for calls across the internet).
    pub ice_servers: String,
    /// STUN, TURN (with minted credentials) and the transport policy.
    pub ice: IceSettings,
    /// Per-address and per-account limits.
    pub throttle: ThrottleLimits,
    /// How long a client may take to send a request's headers before it is disconnected.
    pub header_timeout: Duration,
    /// Bearer token `/metrics` asks for (open when unset).
    pub metrics_token: Option<String>,
    /// How often expired sessions are deleted.
    pub session_purge: Duration,
    /// How long a dropped room-dialect connection may be resumed.
    pub resume_grace: Duration,
    /// How long a drain waits for clients to reconnect elsewhere before closing their sockets.
    pub drain: Duration,
    /// Testing only: pages expose `window.__parley` and honour `?lowres=1`.
    pub test_hooks: bool,
    /// Cluster mode (`REDIS_URL`): several instances share rooms through Redis.
    pub cluster: Option<crate::cluster::ClusterConfig>,
}

/// Shortest duration any setting accepts.
const MIN_DURATION: Duration = Duration::from_millis(10);
const HOUR: Duration = Duration::from_secs(3600);
const DAY: Duration = Duration::from_secs(24 * 3600);

#[derive(Debug, thiserror::Error)]
#[error("{name}: {msg}")]
pub struct ConfigError {
    name: String,
    msg: String,
}

impl Config {
    /// Reads the process environment and command-line flags (flags win).
    pub fn load() -> Result<Self, ConfigError> {
        let mut vars: HashMap<String, String> = std::env::vars().collect();
        apply_flags(&mut vars, std::env::args().skip(1))?;
        // cargo-leptos and get_configuration read LEPTOS_SITE_ADDR from the environment.
        if let Some(addr) = vars.get("LEPTOS_SITE_ADDR") {
            std::env::set_var("LEPTOS_SITE_ADDR", addr);
        }
        Self::from_vars(&vars)
    }

    pub fn from_vars(vars: &HashMap<String, String>) -> Result<Self, ConfigError> {
        let get = |k: &str| vars.get(k).map(String::as_str).filter(|v| !v.is_empty());
        let num = |k: &str, d: u64| -> Result<u64, ConfigError> {
            get(k).map_or(Ok(d), |v| {
                v.parse().map_err(|_| ConfigError {
                    name: k.into(),
                    msg: format!("not a number: {v}"),
                })
            })
        };
        let flag = |k: &str| get(k).is_some_and(|v| matches!(v, "1" | "true" | "yes" | "on"));
        let conn_default = ConnLimits::default();
        let pj_default = PeerJsOptions::default();
        let th = ThrottleLimits::default();
        // Every duration is bounded: zero would make a ticking interval panic, and a huge one
        // would overflow `Instant` arithmetic in the loops that add it to "now".
        let ms = |k: &str, d: Duration, max: Duration| -> Result<Duration, ConfigError> {
            let v = num(k, d.as_millis() as u64)?;
            let range = MIN_DURATION.as_millis() as u64..=max.as_millis() as u64;
            if !range.contains(&v) {
                return Err(ConfigError {
                    name: k.into(),
                    msg: format!(
                        "{v} ms is out of range: use {} to {} milliseconds",
                        range.start(),
                        range.end()
                    ),
                });
            }
            Ok(Duration::from_millis(v))
        };
        let secs = |k: &str, d: u64, max: u64| -> Result<Duration, ConfigError> {
            match num(k, d)? {
                s if (1..=max).contains(&s) => Ok(Duration::from_secs(s)),
                s => Err(ConfigError {
                    name: k.into(),
                    msg: format!("{s}: use 1 to {max} seconds"),
                }),
            }
        };
        let key = get("PEERJS_KEY")
            .or_else(|| get("KEY"))
            .unwrap_or(&pj_default.key)
            .to_owned();
        if !valid_key(&key) {
            return Err(ConfigError {
                name: "PEERJS_KEY".into(),
                msg: "1-64 letters, digits, -, _ or .".into(),
            });
        }
        let path = get("PEERJS_PATH").unwrap_or(&pj_default.path);
        let path = normalize_path(path).ok_or_else(|| ConfigError {
            name: "PEERJS_PATH".into(),
            msg: format!("{path:?}: use /-separated segments of letters, digits, -, _ or ."),
        })?;
        let ice_servers = ice_servers(get("ICE_SERVERS").unwrap_or("[]"))?;
        let ice = ice_settings(&get, &ice_servers, num("TURN_TTL", 6 * 3600)?)?;
        Ok(Self {
            database_url: get("DATABASE_URL")
                .unwrap_or("sqlite://data/app.db")
                .to_owned(),
            database_connections: num(
                "DATABASE_MAX_CONNECTIONS",
                crate::db::DEFAULT_MAX_CONNECTIONS.into(),
            )?
            .clamp(1, 1000) as u32,
            allowed_origins: get("ALLOWED_ORIGINS")
                .map(|v| {
                    v.split(',')
                        .map(|s| s.trim().trim_end_matches('/').to_owned())
                        .collect()
                })
                .unwrap_or_default(),
            cookie_secure: flag("COOKIE_SECURE"),
            hub: HubLimits {
                mesh_cap: num("ROOM_CAP", 6)? as usize,
                watch_cap: num("WATCH_CAP", 50)? as usize,
                queue: num("PEER_QUEUE", 256)?.max(8) as usize,
                queue_bytes: num("PEER_QUEUE_BYTES", 1 << 20)?.max(64 * 1024) as usize,
            },
            conn: ConnLimits {
                rate: num("MSG_RATE", conn_default.rate as u64)? as f64,
                burst: num("MSG_BURST", conn_default.burst as u64)? as f64,
                strikes: conn_default.strikes,
                ping_every: ms("PING_MS", conn_default.ping_every, HOUR)?,
                dead_after: ms("DEAD_AFTER_MS", conn_default.dead_after, DAY)?,
            },
            peerjs: PeerJsOptions {
                key,
                path,
                expire_timeout: ms("EXPIRE_TIMEOUT", pj_default.expire_timeout, DAY)?,
                alive_timeout: ms("ALIVE_TIMEOUT", pj_default.alive_timeout, DAY)?,
                concurrent_limit: num("CONCURRENT_LIMIT", pj_default.concurrent_limit as u64)?
                    as usize,
                allow_discovery: flag("ALLOW_DISCOVERY"),
            },
            ring_timeout: ms("RING_TIMEOUT_MS", Duration::from_secs(30), HOUR)?,
            ice_servers,
            ice,
            throttle: ThrottleLimits {
                auth_per_min_ip: num("AUTH_PER_MIN", th.auth_per_min_ip.into())?.max(1) as u32,
                login_fails_per_min_user: num(
                    "LOGIN_FAILS_PER_MIN",
                    th.login_fails_per_min_user.into(),
                )?
                .max(1) as u32,
                guests_per_hour_ip: num("GUESTS_PER_HOUR", th.guests_per_hour_ip.into())?.max(1)
                    as u32,
                sockets_per_ip: num("SOCKETS_PER_IP", th.sockets_per_ip as u64)?.max(1) as usize,
                sockets_per_user: num("SOCKETS_PER_USER", th.sockets_per_user as u64)?.max(1)
                    as usize,
                hash_queue: num("HASH_QUEUE", th.hash_queue as u64)? as usize,
                trust_proxy: flag("TRUST_PROXY"),
            },
            header_timeout: ms("HEADER_TIMEOUT_MS", Duration::from_secs(10), HOUR)?,
            metrics_token: get("METRICS_TOKEN").map(str::to_owned),
            session_purge: secs("SESSION_PURGE_SECS", 300, 86_400)?,
            resume_grace: ms("RESUME_GRACE_MS", Duration::from_secs(30), HOUR)?,
            drain: secs("DRAIN_SECS", 10, 3600)?,
            test_hooks: flag("TEST_HOOKS"),
            cluster: crate::cluster::config::from_vars(vars)
                .map_err(|(name, msg)| ConfigError { name, msg })?,
        })
    }
}

/// Adds `--name value`, `--name=value` and bare `--name` (meaning `true`) flags to `vars`.
pub fn apply_flags(
    vars: &mut HashMap<String, String>,
    args: impl Iterator<Item = String>,
) -> Result<(), ConfigError> {
    let mut args = args.peekable();
    while let Some(a) = args.next() {
        let Some(flag) = a.strip_prefix("--") else {
            return Err(ConfigError {
                name: a,
                msg: "expected --name value".into(),
            });
        };
        let (name, value) = match flag.split_once('=') {
            Some((n, v)) => (n.to_owned(), v.to_owned()),
            None => match args.next_if(|next| !next.starts_with("--")) {
                Some(v) => (flag.to_owned(), v),
                None => (flag.to_owned(), "true".to_owned()),
            },
        };
        let name = name.replace('-', "_").to_ascii_uppercase();
        let name = match name.as_str() {
            "KEY" | "PATH" => format!("PEERJS_{name}"),
            _ => name,
        };
        vars.insert(name, value);
    }
    Ok(())
}

/// Comma-separated values, trimmed, empty ones dropped.
fn list(v: Option<&str>) -> Vec<String> {
    v.unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// `STUN_URLS`, `TURN_URLS`, `TURN_SECRET`, `TURN_TTL` (seconds) and `ICE_POLICY`.
fn ice_settings<'a>(
    get: &impl Fn(&str) -> Option<&'a str>,
    static_servers: &str,
    ttl_secs: u64,
) -> Result<IceSettings, ConfigError> {
    let bad = |name: &str, msg: String| ConfigError {
        name: name.into(),
        msg,
    };
    let stun_urls = list(get("STUN_URLS"));
    if let Some(u) = stun_urls
        .iter()
        .find(|u| !(u.starts_with("stun:") || u.starts_with("stuns:")))
    {
        return Err(bad(
            "STUN_URLS",
            format!("{u:?} is not a stun: or stuns: URL"),
        ));
    }
    let turn_urls = list(get("TURN_URLS"));
    if let Some(u) = turn_urls
        .iter()
        .find(|u| !(u.starts_with("turn:") || u.starts_with("turns:")))
    {
        return Err(bad(
            "TURN_URLS",
            format!("{u:?} is not a turn: or turns: URL"),
        ));
    }
    let turn_secrets = list(get("TURN_SECRET"));
    if !turn_urls.is_empty() && turn_secrets.is_empty() {
        return Err(bad(
            "TURN_SECRET",
            "TURN_URLS is set: give coturn's static-auth-secret too".into(),
        ));
    }
    if !(60..=7 * 24 * 3600).contains(&ttl_secs) {
        return Err(bad(
            "TURN_TTL",
            "seconds, from 60 to 604800 (a week)".into(),
        ));
    }
    let policy = match get("ICE_POLICY").unwrap_or("all") {
        "all" => IcePolicy::All,
        "relay" => IcePolicy::Relay,
        other => return Err(bad("ICE_POLICY", format!("{other:?}: use all or relay"))),
    };
    let static_servers: Vec<serde_json::Value> =
        serde_json::from_str(static_servers).unwrap_or_default();
    if policy == IcePolicy::Relay && turn_urls.is_empty() && static_servers.is_empty() {
        return Err(bad(
            "ICE_POLICY",
            "relay needs a TURN server: set TURN_URLS and TURN_SECRET (or ICE_SERVERS)".into(),
        ));
    }
    Ok(IceSettings {
        static_servers,
        stun_urls,
        turn_urls,
        turn_secrets,
        turn_ttl: Duration::from_secs(ttl_secs),
        policy,
    })
}

/// Checks `ICE_SERVERS`: a JSON array of objects, each with `urls` (a string or strings).
fn ice_servers(v: &str) -> Result<String, ConfigError> {
    let bad = |msg: &str| ConfigError {
        name: "ICE_SERVERS".into(),
        msg: msg.into(),
    };
    let parsed: serde_json::Value =
        serde_json::from_str(v).map_err(|e| bad(&format!("not JSON: {e}")))?;
    let list = parsed
        .as_array()
        .ok_or_else(|| bad("must be a JSON array of RTCIceServer objects"))?;
    for s in list {
        let urls_ok = match s.get("urls") {
            Some(serde_json::Value::String(_)) => true,
            Some(serde_json::Value::Array(a)) => a.iter().all(serde_json::Value::is_string),
            _ => false,
        };
        if !urls_ok {
            return Err(bad(
                "each server needs \"urls\": a string or a list of strings",
            ));
        }
    }
    Ok(parsed.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ice_servers_are_checked() {
        assert_eq!(ice_servers("[]").unwrap(), "[]");
        let ok = r#"[{"urls":"stun:stun.example.org:3478"},{"urls":["turn:t.example.org"],"username":"u","credential":"p"}]"#;
        assert!(ice_servers(ok).is_ok());
        assert!(ice_servers("{}").is_err());
        assert!(ice_servers(r#"[{"url":"stun:x"}]"#).is_err());
        assert!(ice_servers("stun:x").is_err());
    }

    #[test]
    fn turn_settings_are_checked() {
        let vars = |pairs: &[(&str, &str)]| -> HashMap<String, String> {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        let c = Config::from_vars(&vars(&[
            (
                "TURN_URLS",
                "turn:t.example.org:3478, turns:t.example.org:5349",
            ),
            ("TURN_SECRET", "new,old"),
            ("STUN_URLS", "stun:s.example.org"),
            ("ICE_POLICY", "relay"),
        ]))
        .unwrap();
        assert_eq!(c.ice.turn_urls.len(), 2);
        assert_eq!(c.ice.turn_secrets, ["new", "old"]);
        assert_eq!(c.ice.turn_ttl, Duration::from_secs(6 * 3600));
        assert_eq!(c.ice.policy, IcePolicy::Relay);
        assert!(Config::from_vars(&vars(&[("TURN_URLS", "turn:x")])).is_err());
        assert!(
            Config::from_vars(&vars(&[("TURN_URLS", "http://x"), ("TURN_SECRET", "s")])).is_err()
        );
        assert!(Config::from_vars(&vars(&[("STUN_URLS", "turn:x")])).is_err());
        assert!(Config::from_vars(&vars(&[("ICE_POLICY", "relay")])).is_err());
        assert!(Config::from_vars(&vars(&[("ICE_POLICY", "direct")])).is_err());
        assert!(Config::from_vars(&vars(&[("TURN_TTL", "5")])).is_err());
    }

    #[test]
    fn defaults_and_overrides() {
        let c = Config::from_vars(&HashMap::new()).unwrap();
        assert_eq!(c.database_url, "sqlite://data/app.db");
        assert_eq!(c.database_connections, 8);
        let vars = HashMap::from([("DATABASE_MAX_CONNECTIONS".to_owned(), "20".to_owned())]);
        assert_eq!(Config::from_vars(&vars).unwrap().database_connections, 20);
        assert_eq!(c.hub.mesh_cap, 6);
        let vars = HashMap::from([("ROOM_CAP".to_owned(), "3".to_owned())]);
        assert_eq!(Config::from_vars(&vars).unwrap().hub.mesh_cap, 3);
        let bad = HashMap::from([("ROOM_CAP".to_owned(), "many".to_owned())]);
        assert!(Config::from_vars(&bad).is_err());
        assert_eq!(c.session_purge, Duration::from_secs(300));
        for bad in ["0", "86401", "soon"] {
            let vars = HashMap::from([("SESSION_PURGE_SECS".to_owned(), bad.to_owned())]);
            let err = Config::from_vars(&vars).unwrap_err().to_string();
            assert!(err.starts_with("SESSION_PURGE_SECS"), "{err}");
        }
        assert_eq!(c.resume_grace, Duration::from_secs(30));
        assert_eq!(c.drain, Duration::from_secs(10));
        for bad in ["0", "3601", "soon"] {
            let vars = HashMap::from([("DRAIN_SECS".to_owned(), bad.to_owned())]);
            let err = Config::from_vars(&vars).unwrap_err().to_string();
            assert!(err.starts_with("DRAIN_SECS"), "{err}");
        }
        let vars = HashMap::from([("DRAIN_SECS".to_owned(), "0".to_owned())]);
        let err = Config::from_vars(&vars).unwrap_err().to_string();
        assert!(err.contains("use 1 to 3600 seconds"), "{err}");
    }

    #[test]
    fn durations_are_checked_and_the_error_names_the_setting() {
        let err = |k: &str, v: &str| {
            let vars = HashMap::from([(k.to_owned(), v.to_owned())]);
            Config::from_vars(&vars)
                .map(|_| ())
                .unwrap_err()
                .to_string()
        };
        for k in [
            "PING_MS",
            "DEAD_AFTER_MS",
            "RING_TIMEOUT_MS",
            "EXPIRE_TIMEOUT",
            "ALIVE_TIMEOUT",
            "HEADER_TIMEOUT_MS",
            "RESUME_GRACE_MS",
        ] {
            for v in ["0", "18446744073709551615", "999999999999"] {
                let e = err(k, v);
                assert!(e.starts_with(k) && e.contains("out of range"), "{e}");
                assert!(e.contains("10 to"), "{e} says the range");
            }
        }
        let ok = HashMap::from([
            ("PING_MS".to_owned(), "10".to_owned()),
            ("DEAD_AFTER_MS".to_owned(), "86400000".to_owned()),
        ]);
        let c = Config::from_vars(&ok).unwrap().conn;
        assert_eq!(c.ping_every, Duration::from_millis(10));
        assert_eq!(c.dead_after, DAY);
    }

    #[test]
    fn peerjs_options_from_flags_and_env() {
        let c = Config::from_vars(&HashMap::new()).unwrap().peerjs;
        assert_eq!(c, PeerJsOptions::default());
        assert_eq!(
            (c.expire_timeout, c.alive_timeout),
            (Duration::from_secs(5), Duration::from_secs(60))
        );
        assert_eq!((c.concurrent_limit, c.allow_discovery), (5000, false));

        let mut vars = HashMap::from([("PATH".to_owned(), "/usr/bin:/bin".to_owned())]);
        let args = [
            "--key",
            "k2",
            "--path=signal",
            "--expire_timeout",
            "250",
            "--allow_discovery",
            "--alive-timeout=900",
        ];
        apply_flags(&mut vars, args.iter().map(|s| s.to_string())).unwrap();
        let c = Config::from_vars(&vars).unwrap().peerjs;
        assert_eq!(
            (c.key.as_str(), c.path.as_str()),
            ("k2", "/signal/"),
            "the shell's PATH is never read"
        );
        assert_eq!(
            (c.expire_timeout, c.alive_timeout),
            (Duration::from_millis(250), Duration::from_millis(900))
        );
        assert!(c.allow_discovery);

        let env = HashMap::from([
            ("KEY".to_owned(), "k3".to_owned()),
            ("CONCURRENT_LIMIT".to_owned(), "7".to_owned()),
        ]);
        let c = Config::from_vars(&env).unwrap().peerjs;
        assert_eq!((c.key.as_str(), c.concurrent_limit), ("k3", 7));
        let env = HashMap::from([("PEERJS_KEY".to_owned(), "a/b".to_owned())]);
        assert!(Config::from_vars(&env).is_err());
        let env = HashMap::from([("PEERJS_PATH".to_owned(), "/{x}".to_owned())]);
        assert!(Config::from_vars(&env).is_err());
    }
}
