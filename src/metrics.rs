//! `GET /metrics`: the Prometheus text exposition. Counters that handlers bump live here; the
//! hub's own counters and its current sizes are read at scrape time, so the hot path pays only
//! for atomic increments it already does.
use crate::signaling::hub::Hub;
use crate::signaling::protocol::Role;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeLabelSet, EncodeMetric, NoLabelSet};
use prometheus_client::metrics::counter::{ConstCounter, Counter};
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::ConstGauge;
use prometheus_client::metrics::MetricType;
use prometheus_client::registry::Registry;
use std::sync::atomic::Ordering;
use std::sync::Arc;

/// A `reason` label (refused upgrades, limited requests).
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct Reason {
    pub reason: &'static str,
}

/// A people count's `role`: mesh, talk or watch.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RoleLabel {
    pub role: &'static str,
}

/// A `dialect` label: `room` (our protocol) or `peerjs`.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct Dialect {
    pub dialect: &'static str,
}

/// A ring's `outcome`: accepted, declined, busy, no_answer, offline, cancelled, ring_limited.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct Outcome {
    pub outcome: &'static str,
}

/// Counters bumped outside the hub.
#[derive(Debug, Default)]
pub struct Counters {
    /// WebSocket upgrades refused, by reason (origin, session, too_many, draining).
    pub refused_upgrades: Family<Reason, Counter>,
    /// HTTP requests refused by a limit (login, signup, guest, hashing), by reason.
    pub limited_requests: Family<Reason, Counter>,
    /// TURN credentials minted.
    pub turn_credentials: Counter,
}

impl Counters {
    /// Counts a WebSocket upgrade refused for `reason`.
    pub fn refused_upgrade(&self, reason: &'static str) {
        self.refused_upgrades
            .get_or_create(&Reason { reason })
            .inc();
    }
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
        let by_dialect = |enc: &mut DescriptorEncoder, name, help, kind, room: u64, peerjs: u64| {
            let mut family = enc.encode_descriptor(name, help, None, kind)?;
            for (dialect, v) in [("room", room), ("peerjs", peerjs)] {
                let label = Dialect { dialect };
                let m = family.encode_family(&label)?;
                match kind {
                    MetricType::Counter => ConstCounter::new(v).encode(m)?,
                    _ => ConstGauge::new(v as i64).encode(m)?,
                }
            }
            Ok::<_, std::fmt::Error>(())
        };
        by_dialect(
            &mut enc,
            "rate_limited_messages",
            "Messages refused by a connection's rate limit (or that closed it for flooding)",
            MetricType::Counter,
            m.rate_limited_room.load(Ordering::Relaxed),
            m.rate_limited_peerjs.load(Ordering::Relaxed),
        )?;
        let (room, peerjs) = hub.connections_by_dialect();
        by_dialect(
            &mut enc,
            "connections",
            "Open signaling connections",
            MetricType::Gauge,
            room as u64,
            peerjs as u64,
        )?;

        let mut rings = enc.encode_descriptor(
            "rings",
            "Rings by outcome (or why they never started)",
            None,
            MetricType::Counter,
        )?;
        for (outcome, n) in hub.ring_outcomes() {
            let label = Outcome {
                outcome: outcome.label(),
            };
            ConstCounter::new(n).encode(rings.encode_family(&label)?)?;
        }

        let rooms = hub.rooms();
        let g = ConstGauge::new(rooms.len() as i64);
        g.encode(enc.encode_descriptor(
            "rooms",
            "Rooms with anyone in them",
            None,
            g.metric_type(),
        )?)?;
        let mut people = enc.encode_descriptor(
            "people_in_rooms",
            "People in rooms, by role",
            None,
            MetricType::Gauge,
        )?;
        for (role, n) in hub.people_by_role() {
            let role = match role {
                Role::Mesh => "mesh",
                Role::Talk => "talk",
                Role::Watch => "watch",
            };
            let label = RoleLabel { role };
            ConstGauge::new(n as i64).encode(people.encode_family(&label)?)?;
        }

        let holds = hub.lock_holds();
        enc.encode_descriptor(
            "hub_lock_hold_seconds",
            "How long uses of the hub's lock held it (one use in 8 on each thread is timed)",
            None,
            MetricType::Histogram,
        )?
        .encode_histogram::<NoLabelSet>(
            holds.sum_seconds,
            holds.count,
            &holds.buckets,
            None,
        )?;
        Ok(())
    }
}

/// `GET /metrics`, behind `Authorization: Bearer <METRICS_TOKEN>` when that is set.
pub async fn handler(
    State(metrics): State<Arc<Metrics>>,
    State(config): State<Arc<crate::config::Config>>,
    headers: HeaderMap,
) -> Response {
    if let Some(token) = config.metrics_token.as_deref() {
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
    match metrics.render() {
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
