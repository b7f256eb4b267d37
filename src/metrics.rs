//! `GET /metrics`: the Prometheus text exposition. Counters that handlers bump live here; the
//! hub's own counters and its current sizes are read at scrape time, so the hot path pays only
//! for atomic increments it already does.
use crate::signaling::hub::Hub;
use crate::state::AppState;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeLabelSet, EncodeMetric};
use prometheus_client::metrics::counter::{ConstCounter, Counter};
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::ConstGauge;
use prometheus_client::registry::Registry;
use std::sync::atomic::Ordering;
use std::sync::Arc;

/// A `reason` label (refused upgrades, limited requests).
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct Reason {
    pub reason: &'static str,
}

/// A `dialect` label: `room` (our protocol) or `peerjs`.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct Dialect {
    pub dialect: &'static str,
}

/// A ring's `outcome`: accepted, declined, busy, no_answer, offline, cancelled, limited.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct Outcome {
    pub outcome: &'static str,
}

/// Counters bumped outside the hub.
#[derive(Debug, Default)]
pub struct Counters {
    /// WebSocket upgrades refused, by reason (origin, session, too_many).
    pub refused_upgrades: Family<Reason, Counter>,
    /// Messages dropped by a connection's rate limiter, by dialect.
    pub rate_limited: Family<Dialect, Counter>,
    /// HTTP requests refused by a limit (login, signup, guest, hashing), by reason.
    pub limited_requests: Family<Reason, Counter>,
    /// TURN credentials minted.
    pub turn_credentials: Counter,
}

/// Everything `/metrics` shows.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    pub counters: Arc<Counters>,
}

impl Metrics {
    pub fn new(hub: Arc<Hub>) -> Self {
        let counters = Arc::new(Counters::default());
        let mut registry = Registry::with_prefix("parley");
        registry.register(
            "ws_upgrades_refused",
            "WebSocket upgrades refused, by reason",
            counters.refused_upgrades.clone(),
        );
        registry.register(
            "rate_limited_messages",
            "Messages dropped by a connection's rate limit",
            counters.rate_limited.clone(),
        );
        registry.register(
            "limited_requests",
            "HTTP requests refused by a rate or capacity limit",
            counters.limited_requests.clone(),
        );
        registry.register(
            "turn_credentials_issued",
            "TURN credentials minted for sessions",
            counters.turn_credentials.clone(),
        );
        registry.register_collector(Box::new(HubCollector(hub)));
        Self { registry, counters }
    }

    /// The exposition text.
    pub fn render(&self) -> Result<String, std::fmt::Error> {
        let mut out = String::with_capacity(4096);
        prometheus_client::encoding::text::encode(&mut out, &self.registry)?;
        Ok(out)
    }
}

/// Reads the hub at scrape time.
struct HubCollector(Arc<Hub>);

impl std::fmt::Debug for HubCollector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("HubCollector")
    }
}

impl Collector for HubCollector {
    fn encode(&self, mut enc: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let hub = &self.0;
        let counter = |enc: &mut DescriptorEncoder, name, help, v: u64| {
            let c = ConstCounter::new(v);
            c.encode(enc.encode_descriptor(name, help, None, c.metric_type())?)
        };
        let m = &hub.metrics;
        counter(
            &mut enc,
            "relayed_messages",
            "Messages relayed between peers",
            m.relayed.load(Ordering::Relaxed),
        )?;
        counter(
            &mut enc,
            "dropped_messages",
            "Relayed messages dropped because the receiver was not keeping up",
            m.dropped.load(Ordering::Relaxed),
        )?;
        counter(
            &mut enc,
            "evicted_connections",
            "Connections dropped for not keeping up with events they must not miss",
            m.evicted.load(Ordering::Relaxed),
        )?;
        let rooms = hub.rooms();
        let gauge = |enc: &mut DescriptorEncoder, name, help, v: i64| {
            let g = ConstGauge::new(v);
            g.encode(enc.encode_descriptor(name, help, None, g.metric_type())?)
        };
        gauge(
            &mut enc,
            "connections",
            "Open signaling connections",
            hub.connections() as i64,
        )?;
        gauge(
            &mut enc,
            "rooms",
            "Rooms with anyone in them",
            rooms.len() as i64,
        )?;
        let people: usize = rooms.iter().map(|r| r.people.len()).sum();
        gauge(
            &mut enc,
            "people_in_rooms",
            "People in rooms",
            people as i64,
        )?;
        Ok(())
    }
}

/// `GET /metrics`, behind `Authorization: Bearer <METRICS_TOKEN>` when that is set.
pub async fn handler(State(st): State<AppState>, headers: HeaderMap) -> Response {
    if let Some(token) = st.config.metrics_token.as_deref() {
        let given = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .unwrap_or("");
        if !constant_time_eq(given.as_bytes(), token.as_bytes()) {
            return (
                StatusCode::UNAUTHORIZED,
                [(header::WWW_AUTHENTICATE, "Bearer")],
                "metrics need the bearer token",
            )
                .into_response();
        }
    }
    match st.metrics.render() {
        Ok(text) => (
            [(
                header::CONTENT_TYPE,
                "application/openmetrics-text; version=1.0.0; charset=utf-8",
            )],
            text,
        )
            .into_response(),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

/// Compares without stopping at the first difference, so timing says nothing about the token.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
