//! The link to Redis: connect, subscribe, re-assert this instance's state, then serve (the
//! subscription's messages, the hub's outgoing events, the heartbeat, the room list) until the
//! link breaks; then degrade, wait, and start over. It stops at shutdown, deleting its
//! liveness key so the others sweep its members at once.
use super::{inbound, publish, store, sweep, timed, Cluster};
use crate::signaling::hub::Outgoing;
use futures_util::StreamExt;
use redis::AsyncConnectionConfig;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

/// How soon the room list is read again after a change was announced: changes close together
/// are read once.
const LIST_DELAY: Duration = Duration::from_millis(20);

pub(super) async fn run(
    cluster: Arc<Cluster>,
    mut out: mpsc::Receiver<Outgoing>,
    shutdown: CancellationToken,
) {
    let first_wait = Duration::from_millis(50);
    let mut wait = first_wait;
    let mut fresh = true;
    loop {
        match session(&cluster, &mut out, &shutdown, &mut wait, &mut fresh).await {
            Ok(()) => return,
            Err(e) => tracing::warn!(node = cluster.node_id(), "cluster link to Redis lost: {e}"),
        }
        degrade(&cluster).await;
        // Events for other instances are dropped while Redis is away: the state they describe
        // is re-asserted when it is back.
        let until = tokio::time::sleep(wait);
        tokio::pin!(until);
        loop {
            tokio::select! {
                _ = shutdown.cancelled() => return,
                _ = &mut until => break,
                ev = out.recv() => if ev.is_none() { return },
            }
        }
        wait = (wait * 2).min(cluster.config.heartbeat).max(first_wait);
    }
}

async fn degrade(cluster: &Cluster) {
    cluster
        .up
        .store(false, std::sync::atomic::Ordering::Relaxed);
    *cluster.conn.lock() = None;
    *cluster.sink.lock().await = None;
    cluster.hub.set_room_list(None);
}

async fn session(
    cluster: &Arc<Cluster>,
    out: &mut mpsc::Receiver<Outgoing>,
    shutdown: &CancellationToken,
    wait: &mut Duration,
    fresh: &mut bool,
) -> redis::RedisResult<()> {
    let config = AsyncConnectionConfig::new()
        .set_connection_timeout(Some(super::REDIS_TIMEOUT))
        .set_response_timeout(Some(super::REDIS_TIMEOUT));
    let mut conn = timed(
        cluster
            .client
            .get_multiplexed_async_connection_with_config(&config),
    )
    .await?;
    let (mut sink, mut stream) = timed(cluster.client.get_async_pubsub()).await?.split();
    let me = cluster.node_id().to_owned();
    timed(sink.subscribe(&[
        store::node_channel(&me),
        store::ROOM_LIST_CHANNEL.to_owned(),
        store::USERS_CHANNEL.to_owned(),
    ]))
    .await?;
    let rooms: Vec<String> = {
        let mut subs = cluster.subs.lock();
        subs.rooms.extend(cluster.hub.prune_ghosts());
        subs.rooms.iter().cloned().collect()
    };
    for room in &rooms {
        timed(sink.subscribe(store::room_channel(room))).await?;
    }
    *cluster.sink.lock().await = Some(sink);
    *cluster.conn.lock() = Some(conn.clone());
    if *fresh {
        // A process that took over the name of one that died (the same NODE_ID) clears what
        // the dead one left before it says it is alive.
        sweep::sweep(&mut conn, &me).await?;
        *fresh = false;
    }
    sweep::reassert(cluster, &mut conn).await?;
    sweep::load_conns(cluster, &mut conn).await?;
    super::addrs::load(cluster, &mut conn).await?;
    cluster.up.store(true, std::sync::atomic::Ordering::Relaxed);
    *wait = Duration::ZERO;
    tracing::info!(node = %me, rooms = rooms.len(), "cluster link to Redis up");
    let mut tick = tokio::time::interval(cluster.config.heartbeat);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut list_due = Some(Instant::now());
    loop {
        tokio::select! {
            _ = shutdown.cancelled() => {
                let _ = timed(redis::cmd("DEL").arg(store::node_key(&me)).query_async::<()>(&mut conn)).await;
                return Ok(());
            }
            msg = stream.next() => match msg {
                Some(msg) => {
                    if inbound::handle(cluster, &msg) && list_due.is_none() {
                        list_due = Some(Instant::now() + LIST_DELAY);
                    }
                }
                None => return Err(super::broken("subscription closed")),
            },
            ev = out.recv() => match ev {
                Some(ev) => publish::batch(cluster, &mut conn, ev, out).await?,
                None => return Ok(()),
            },
            _ = tick.tick() => {
                sweep::heartbeat(cluster, &mut conn).await?;
                list_due.get_or_insert_with(Instant::now);
            }
            _ = sleep_until(list_due), if list_due.is_some() => {
                list_due = None;
                let list = timed(store::room_list(&mut conn)).await?;
                cluster.hub.set_room_list(Some(list));
            }
        }
    }
}

async fn sleep_until(at: Option<Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}
