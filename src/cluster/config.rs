//! The cluster's settings: `REDIS_URL` turns cluster mode on; `NODE_ID` names this instance;
//! the timers decide how soon a dead instance is noticed.
use std::collections::HashMap;
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct ClusterConfig {
    /// `redis://host:port/db` (or `rediss://`, `unix://`).
    pub redis_url: String,
    /// This instance's name in the cluster: its channel and liveness key.
    pub node_id: String,
    /// How often this instance refreshes its liveness key and looks for dead instances.
    pub heartbeat: Duration,
    /// How long the liveness key lives without a refresh: an instance silent this long is
    /// dead, and its members are swept out of rooms and presence.
    pub node_ttl: Duration,
    /// Events for other instances waiting to be published before the hub counts them lost.
    pub queue: usize,
}

/// Longest `NODE_ID`: it is part of keys and channel names.
const MAX_NODE_ID: usize = 64;

/// Reads the cluster's settings; `Ok(None)` without `REDIS_URL` (one instance, no Redis).
pub fn from_vars(
    vars: &HashMap<String, String>,
) -> Result<Option<ClusterConfig>, (String, String)> {
    let get = |k: &str| vars.get(k).map(String::as_str).filter(|v| !v.is_empty());
    let Some(url) = get("REDIS_URL") else {
        return Ok(None);
    };
    let ms = |k: &str, d: u64| -> Result<Duration, (String, String)> {
        let v = get(k).map_or(Ok(d), |v| {
            v.parse::<u64>()
                .map_err(|_| (k.to_owned(), format!("not a number: {v}")))
        })?;
        if !(10..=3_600_000).contains(&v) {
            return Err((
                k.to_owned(),
                format!("{v} ms: use 10 to 3600000 milliseconds"),
            ));
        }
        Ok(Duration::from_millis(v))
    };
    let node_id = match get("NODE_ID") {
        Some(id) if valid_node_id(id) => id.to_owned(),
        Some(id) => {
            return Err((
                "NODE_ID".into(),
                format!("{id:?}: 1-{MAX_NODE_ID} letters, digits, - or _"),
            ))
        }
        None => format!("node-{}", crate::ids::new_id()),
    };
    let heartbeat = ms("CLUSTER_HEARTBEAT_MS", 3_000)?;
    let node_ttl = ms("CLUSTER_NODE_TTL_MS", 10_000)?;
    if node_ttl < heartbeat * 2 {
        return Err((
            "CLUSTER_NODE_TTL_MS".into(),
            "must be at least twice CLUSTER_HEARTBEAT_MS, or a live instance could look dead"
                .into(),
        ));
    }
    if redis::Client::open(url).is_err() {
        return Err(("REDIS_URL".into(), format!("{url:?} is not a Redis URL")));
    }
    Ok(Some(ClusterConfig {
        redis_url: url.to_owned(),
        node_id,
        heartbeat,
        node_ttl,
        queue: 8192,
    }))
}

fn valid_node_id(id: &str) -> bool {
    (1..=MAX_NODE_ID).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn off_without_redis_url_and_checked_with_it() {
        assert!(from_vars(&vars(&[("NODE_ID", "a")])).unwrap().is_none());
        let c = from_vars(&vars(&[("REDIS_URL", "redis://127.0.0.1:6379")]))
            .unwrap()
            .unwrap();
        assert!(c.node_id.starts_with("node-"));
        assert_eq!(c.node_ttl, Duration::from_secs(10));
        let bad_id = vars(&[("REDIS_URL", "redis://x"), ("NODE_ID", "a:b")]);
        assert_eq!(from_vars(&bad_id).unwrap_err().0, "NODE_ID");
        let ttl = vars(&[("REDIS_URL", "redis://x"), ("CLUSTER_NODE_TTL_MS", "4000")]);
        assert_eq!(from_vars(&ttl).unwrap_err().0, "CLUSTER_NODE_TTL_MS");
        assert_eq!(
            from_vars(&vars(&[("REDIS_URL", "http://x")]))
                .unwrap_err()
                .0,
            "REDIS_URL"
        );
    }
}
