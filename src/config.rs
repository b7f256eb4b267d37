//! Configuration from environment variables, each also settable as a `--flag value`
//! (`--database-url x` or `--database_url x` sets `DATABASE_URL`).
use crate::signaling::hub::HubLimits;
use crate::signaling::limits::ConnLimits;
use std::collections::HashMap;
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct Config {
    pub database_url: String,
    /// Origins allowed to open WebSockets besides the site's own.
    pub allowed_origins: Vec<String>,
    pub cookie_secure: bool,
    pub hub: HubLimits,
    pub conn: ConnLimits,
    /// How long a call by name rings before the caller hears "no answer".
    pub ring_timeout: Duration,
}

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
        let mut args = std::env::args().skip(1);
        while let Some(a) = args.next() {
            let Some(flag) = a.strip_prefix("--") else {
                return Err(ConfigError {
                    name: a,
                    msg: "expected --name value".into(),
                });
            };
            let (name, value) = match flag.split_once('=') {
                Some((n, v)) => (n.to_owned(), v.to_owned()),
                None => {
                    let v = args.next().ok_or_else(|| ConfigError {
                        name: a.clone(),
                        msg: "missing value".into(),
                    })?;
                    (flag.to_owned(), v)
                }
            };
            vars.insert(name.replace('-', "_").to_ascii_uppercase(), value);
        }
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
        Ok(Self {
            database_url: get("DATABASE_URL")
                .unwrap_or("sqlite://data/app.db")
                .to_owned(),
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
            },
            conn: ConnLimits {
                rate: num("MSG_RATE", conn_default.rate as u64)? as f64,
                burst: num("MSG_BURST", conn_default.burst as u64)? as f64,
                strikes: conn_default.strikes,
                ping_every: Duration::from_millis(num("PING_MS", 10_000)?),
                dead_after: Duration::from_millis(num("DEAD_AFTER_MS", 30_000)?),
            },
            ring_timeout: Duration::from_millis(num("RING_TIMEOUT_MS", 30_000)?.max(1)),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_overrides() {
        let c = Config::from_vars(&HashMap::new()).unwrap();
        assert_eq!(c.database_url, "sqlite://data/app.db");
        assert_eq!(c.hub.mesh_cap, 6);
        let vars = HashMap::from([("ROOM_CAP".to_owned(), "3".to_owned())]);
        assert_eq!(Config::from_vars(&vars).unwrap().hub.mesh_cap, 3);
        let bad = HashMap::from([("ROOM_CAP".to_owned(), "many".to_owned())]);
        assert!(Config::from_vars(&bad).is_err());
    }
}
