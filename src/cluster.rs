//! Cluster mode: several instances share rooms through Redis (`REDIS_URL`). Each instance
//! keeps its own sockets in its own hub; this layer sits behind the hub and carries what the
//! other instances must hear: relays to their connections (one channel per instance), room
//! events and room-wide relays (one channel per room, subscribed while this instance has
//! members there), and the shared state (liveness, membership under the caps, the room list).
//! See docs/cluster.md.
//!
//! The hub never waits for Redis: it hands events to one publisher task through a bounded
//! queue (`Hub::set_cluster`), which keeps each sender's messages in order. Only a `join`
//! waits, for the atomic capped admission, before it touches the hub.
use crate::peerjs::PeerJs;
use crate::signaling::admission::{Admission, JoinFuture};
use crate::signaling::hub::{Answer, Hub, JoinError, Outgoing};
use crate::signaling::protocol::{PeerInfo, Role};
use redis::aio::{MultiplexedConnection, PubSubSink};
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

pub mod addrs;
pub mod config;
mod inbound;
mod link;
mod publish;
pub mod store;
mod sweep;
pub mod wire;
pub use config::ClusterConfig;

/// How long one Redis request may take before the connection counts as broken.
const REDIS_TIMEOUT: Duration = Duration::from_secs(2);

/// How long this instance remembers where a call rang from (longer than any ring lasts).
const RINGS_REMEMBERED: Duration = Duration::from_secs(3600);

pub struct Cluster {
    config: ClusterConfig,
    hub: Arc<Hub>,
    client: redis::Client,
    /// The command connection while Redis is reachable.
    conn: parking_lot::Mutex<Option<MultiplexedConnection>>,
    /// The subscription connection's sending half while Redis is reachable.
    sink: tokio::sync::Mutex<Option<PubSubSink>>,
    subs: parking_lot::Mutex<Subscriptions>,
    up: AtomicBool,
    /// Calls ringing this instance's connections from elsewhere: where each rings from.
    rings_from: parking_lot::Mutex<HashMap<String, (String, Instant)>>,
    /// The publisher's queue, for answers to calls ringing elsewhere.
    out: mpsc::Sender<Outgoing>,
    /// The PeerJS service, whose held messages follow an id to the instance it connects to.
    peerjs: Option<Arc<PeerJs>>,
}

/// Room channels this instance listens on, and joins under way (a room with a join under way
/// keeps its subscription even before the joiner is in the hub).
#[derive(Default)]
struct Subscriptions {
    rooms: HashSet<String>,
    joining: HashMap<String, usize>,
}

impl std::fmt::Debug for Cluster {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cluster")
            .field("node", &self.config.node_id)
            .field("up", &self.is_up())
            .finish()
    }
}

impl Cluster {
    /// Connects `hub` to the cluster and starts the link to Redis (which retries until it
    /// reaches it; meanwhile the instance serves its own clients alone).
    pub fn start(
        config: ClusterConfig,
        hub: Arc<Hub>,
        peerjs: Option<Arc<PeerJs>>,
        shutdown: CancellationToken,
    ) -> Result<Arc<Self>, redis::RedisError> {
        let client = redis::Client::open(config.redis_url.as_str())?;
        let (tx, rx) = mpsc::channel(config.queue);
        hub.set_cluster(tx.clone());
        let cluster = Arc::new(Self {
            config,
            hub,
            client,
            conn: parking_lot::Mutex::new(None),
            sink: tokio::sync::Mutex::new(None),
            subs: parking_lot::Mutex::new(Subscriptions::default()),
            up: AtomicBool::new(false),
            rings_from: parking_lot::Mutex::new(HashMap::new()),
            out: tx,
            peerjs: peerjs.clone(),
        });
        if let Some(p) = peerjs {
            p.set_shared(cluster.clone());
        }
        tokio::spawn(link::run(cluster.clone(), rx, shutdown));
        Ok(cluster)
    }

    pub fn node_id(&self) -> &str {
        &self.config.node_id
    }

    /// Whether Redis is reachable and this instance's state is asserted there. While not,
    /// the instance serves its own clients alone (`/readyz` says "degraded").
    pub fn is_up(&self) -> bool {
        self.up.load(Ordering::Relaxed)
    }

    /// Call `call` rings here from instance `node`.
    fn ringing_from(&self, call: String, node: String) {
        self.rings_from.lock().insert(call, (node, Instant::now()));
    }

    /// Forgets where calls rang from once they can no longer be answered.
    fn forget_old_rings(&self) {
        self.rings_from
            .lock()
            .retain(|_, (_, at)| at.elapsed() < RINGS_REMEMBERED);
    }

    fn conn(&self) -> Option<MultiplexedConnection> {
        self.conn.lock().clone()
    }

    fn hold_ms(&self) -> u64 {
        (self.config.node_ttl * 3).as_millis() as u64
    }

    /// Listens on `room`'s channel unless it already does.
    async fn subscribe(&self, room: &str) -> redis::RedisResult<()> {
        if self.subs.lock().rooms.contains(room) {
            return Ok(());
        }
        let mut sink = self.sink.lock().await;
        let Some(sink) = sink.as_mut() else {
            return Err(broken("not connected"));
        };
        timed(sink.subscribe(store::room_channel(room))).await?;
        self.subs.lock().rooms.insert(room.to_owned());
        Ok(())
    }

    /// The atomic capped join; `Err` only when Redis failed (the caller joins locally).
    async fn join_shared(
        &self,
        id: &str,
        room: &str,
        role: Role,
    ) -> redis::RedisResult<Result<Vec<PeerInfo>, JoinError>> {
        let mut conn = self.conn().ok_or_else(|| broken("not connected"))?;
        let Some(name) = self.hub.name_of(id) else {
            return Ok(Err(JoinError::Gone));
        };
        self.subscribe(room).await?;
        let limits = self.hub.limits();
        let cap = match role {
            Role::Mesh => limits.mesh_cap,
            Role::Watch => limits.watch_cap,
            Role::Talk => 1,
        };
        let me = self.node_id();
        let joining = store::Joining {
            id,
            node: me,
            room,
            role,
            name: &name,
            cap,
            ttl_ms: self.hold_ms(),
        };
        let admission = timed(store::join(&mut conn, &joining)).await?;
        if !admission.admitted {
            return Ok(Err(match role {
                Role::Talk => JoinError::TalkerPresent,
                _ => JoinError::Full(cap),
            }));
        }
        let members = store::remote(&admission.members, me);
        let joined = self.hub.join_admitted(id, room, role, &members);
        if joined.is_err() {
            timed(store::leave(&mut conn, room, id, me)).await?;
        }
        Ok(joined)
    }
}

impl Admission for Cluster {
    fn answer(&self, id: &str, call: &str, answer: Answer) -> bool {
        let Some(node) = self.rings_from.lock().get(call).map(|(n, _)| n.clone()) else {
            return false;
        };
        let ev = Outgoing::Answer {
            node,
            conn: id.to_owned(),
            call: call.to_owned(),
            answer,
        };
        // A full queue: the answer is lost like any event while Redis is slow; the ring ends
        // by its timeout.
        let _ = self.out.try_send(ev);
        true
    }

    fn join<'a>(&'a self, id: &'a str, room: &'a str, role: Role) -> JoinFuture<'a> {
        Box::pin(async move {
            let _joining = Joining::new(self, room);
            match self.join_shared(id, room, role).await {
                Ok(result) => result,
                Err(e) => {
                    // Redis is gone: this instance admits alone until it is back, then
                    // re-asserts its members.
                    tracing::warn!("cluster join of {room} without Redis: {e}");
                    self.hub.join(id, room, role)
                }
            }
        })
    }
}

/// A join under way in a room, for as long as this lives.
struct Joining<'a> {
    cluster: &'a Cluster,
    room: &'a str,
}

impl<'a> Joining<'a> {
    fn new(cluster: &'a Cluster, room: &'a str) -> Self {
        *cluster
            .subs
            .lock()
            .joining
            .entry(room.to_owned())
            .or_default() += 1;
        Self { cluster, room }
    }
}

impl Drop for Joining<'_> {
    fn drop(&mut self) {
        let mut subs = self.cluster.subs.lock();
        if let Some(n) = subs.joining.get_mut(self.room) {
            *n -= 1;
            if *n == 0 {
                subs.joining.remove(self.room);
            }
        }
    }
}

fn broken(why: &'static str) -> redis::RedisError {
    redis::RedisError::from((redis::ErrorKind::Io, why))
}

/// A Redis request that takes longer than [`REDIS_TIMEOUT`] fails as if the link broke.
async fn timed<T>(
    f: impl std::future::Future<Output = redis::RedisResult<T>>,
) -> redis::RedisResult<T> {
    tokio::time::timeout(REDIS_TIMEOUT, f)
        .await
        .unwrap_or_else(|_| Err(broken("Redis did not answer in time")))
}
