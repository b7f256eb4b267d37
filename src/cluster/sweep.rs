//! Liveness and its failures. Each heartbeat refreshes this instance's liveness key and its
//! rooms' expiry, drops subscriptions of rooms it has left, and looks for dead instances:
//! one whose key expired loses its members here at once (their rooms hear `peer_left`), and
//! the one instance that claims the sweep (SET NX) removes them from the store and tells the
//! rest. After a reconnect, or when the hub dropped an event, this instance re-asserts its
//! members in the store.
use super::store::{
    self, conns_key, node_key, room_channel, sweep_key, Joining, NODES, ROOMS, ROOM_LIST_CHANNEL,
    USERS_CHANNEL,
};
use super::wire::Envelope;
use super::{timed, Cluster};
use crate::signaling::hub::RemoteConn;
use redis::aio::MultiplexedConnection;
use redis::RedisResult;
use std::collections::HashSet;

pub(super) async fn heartbeat(
    cluster: &Cluster,
    conn: &mut MultiplexedConnection,
) -> RedisResult<()> {
    let me = cluster.node_id();
    let ttl = cluster.config.node_ttl.as_millis() as u64;
    let busy = cluster.hub.prune_ghosts();
    let mut pipe = redis::pipe();
    // GET: a key that was gone means the others took this instance for dead (it stalled, or
    // Redis lost its data) and swept its members: they are put back.
    pipe.cmd("SET")
        .arg(node_key(me))
        .arg(1)
        .arg("PX")
        .arg(ttl)
        .arg("GET");
    pipe.cmd("SADD").arg(NODES).arg(me).ignore();
    super::addrs::refresh(cluster, &mut pipe);
    pipe.cmd("PEXPIRE")
        .arg(conns_key(me))
        .arg(cluster.hold_ms())
        .ignore();
    for room in &busy {
        pipe.cmd("PEXPIRE")
            .arg(store::room_key(room))
            .arg(cluster.hold_ms())
            .ignore();
    }
    let (was,): (Option<String>,) = timed(pipe.query_async(conn)).await?;
    unsubscribe_idle(cluster, &busy).await?;
    if cluster.hub.take_lost() || was.is_none() {
        reassert(cluster, conn).await?;
    }
    cluster.forget_old_rings();
    let alive = find_dead(cluster, conn).await?;
    for room in &busy {
        let members = timed(store::members(conn, room)).await?;
        let present: HashSet<&str> = members.iter().map(|(id, _)| id.as_str()).collect();
        cluster.hub.drop_absent(room, |id, node| {
            !present.contains(id) && alive.contains(node)
        });
    }
    Ok(())
}

/// Stops listening on rooms this instance has nobody in (nor anyone joining).
async fn unsubscribe_idle(cluster: &Cluster, busy: &[String]) -> RedisResult<()> {
    let idle: Vec<String> = {
        let mut subs = cluster.subs.lock();
        let idle: Vec<String> = subs
            .rooms
            .iter()
            .filter(|r| !busy.contains(r) && !subs.joining.contains_key(*r))
            .cloned()
            .collect();
        for r in &idle {
            subs.rooms.remove(r);
        }
        idle
    };
    if idle.is_empty() {
        return Ok(());
    }
    let mut sink = cluster.sink.lock().await;
    if let Some(sink) = sink.as_mut() {
        let channels: Vec<String> = idle.iter().map(|r| room_channel(r)).collect();
        timed(sink.unsubscribe(channels)).await?;
    }
    Ok(())
}

/// Finds instances whose liveness key is gone, drops their members here, and sweeps the
/// store for each one this instance claims. Returns the instances alive.
async fn find_dead(
    cluster: &Cluster,
    conn: &mut MultiplexedConnection,
) -> RedisResult<HashSet<String>> {
    let me = cluster.node_id();
    let nodes: Vec<String> = timed(redis::cmd("SMEMBERS").arg(NODES).query_async(conn)).await?;
    let others: Vec<String> = nodes.into_iter().filter(|n| n != me).collect();
    let mut pipe = redis::pipe();
    for n in &others {
        pipe.cmd("EXISTS").arg(node_key(n));
    }
    let exists: Vec<bool> = if others.is_empty() {
        Vec::new()
    } else {
        timed(pipe.query_async(conn)).await?
    };
    let mut alive: HashSet<String> = HashSet::from([me.to_owned()]);
    for (node, live) in others.into_iter().zip(exists) {
        if live {
            alive.insert(node);
            continue;
        }
        let dropped = cluster.hub.forget_node(&node);
        let claim: Option<String> = timed(
            redis::cmd("SET")
                .arg(sweep_key(&node))
                .arg(me)
                .arg("NX")
                .arg("PX")
                .arg(cluster.hold_ms())
                .query_async(conn),
        )
        .await?;
        tracing::warn!(node = %node, dropped, sweeping = claim.is_some(), "cluster instance is dead");
        if claim.is_some() {
            sweep(conn, &node).await?;
        }
    }
    Ok(alive)
}

/// Removes dead instance `node`'s members from every room, telling the room's channel.
pub(super) async fn sweep(conn: &mut MultiplexedConnection, node: &str) -> RedisResult<()> {
    let rooms: Vec<String> = timed(redis::cmd("SMEMBERS").arg(ROOMS).query_async(conn)).await?;
    for room in rooms {
        let members = timed(store::members(conn, &room)).await?;
        for (id, _) in members.iter().filter(|(_, m)| m.n == node) {
            timed(store::leave(conn, &room, id, node)).await?;
            let env = Envelope::Left {
                node: node.to_owned(),
                id: id.clone(),
            };
            let mut publish = redis::cmd("PUBLISH");
            publish.arg(room_channel(&room)).arg(env.encode());
            timed(publish.query_async::<()>(conn)).await?;
        }
    }
    super::addrs::sweep(conn, node).await?;
    let mut pipe = redis::pipe();
    pipe.cmd("DEL").arg(conns_key(node)).ignore();
    pipe.cmd("SREM").arg(NODES).arg(node).ignore();
    pipe.cmd("PUBLISH")
        .arg(ROOM_LIST_CHANNEL)
        .arg("swept")
        .ignore();
    timed(pipe.query_async::<()>(conn)).await
}

/// Writes this instance's state into the store again (after Redis came back, or an event
/// was lost): its members (with no cap: they are already in), and then its liveness, so an
/// instance seen alive has its members listed. Other instances hear each member join again,
/// which they ignore for members they have.
pub(super) async fn reassert(
    cluster: &Cluster,
    conn: &mut MultiplexedConnection,
) -> RedisResult<()> {
    let me = cluster.node_id();
    for (room, peer) in cluster.hub.local_members() {
        let joining = Joining {
            id: &peer.id,
            node: me,
            room: &room,
            role: peer.role,
            name: &peer.name,
            cap: usize::MAX >> 11,
            ttl_ms: cluster.hold_ms(),
        };
        timed(store::join(conn, &joining)).await?;
        let env = Envelope::Joined {
            node: me.to_owned(),
            peer,
        };
        timed(
            redis::cmd("PUBLISH")
                .arg(room_channel(&room))
                .arg(env.encode())
                .query_async::<()>(conn),
        )
        .await?;
    }
    super::addrs::reassert(cluster, conn).await?;
    let ttl = cluster.config.node_ttl.as_millis() as u64;
    let mut pipe = redis::pipe();
    pipe.cmd("DEL").arg(conns_key(me)).ignore();
    for c in cluster.hub.local_user_conns() {
        let json = serde_json::to_string(&c).unwrap_or_default();
        pipe.cmd("HSET")
            .arg(conns_key(me))
            .arg(&c.conn)
            .arg(json)
            .ignore();
        let env = Envelope::ConnUp {
            node: me.to_owned(),
            conn: c,
        };
        pipe.cmd("PUBLISH")
            .arg(USERS_CHANNEL)
            .arg(env.encode())
            .ignore();
    }
    pipe.cmd("PEXPIRE")
        .arg(conns_key(me))
        .arg(cluster.hold_ms())
        .ignore();
    pipe.cmd("SET")
        .arg(node_key(me))
        .arg(1)
        .arg("PX")
        .arg(ttl)
        .ignore();
    pipe.cmd("SADD").arg(NODES).arg(me).ignore();
    pipe.cmd("PUBLISH")
        .arg(ROOM_LIST_CHANNEL)
        .arg("reasserted")
        .ignore();
    timed(pipe.query_async::<()>(conn)).await
}

/// Takes in the user connections of every live instance (after this one connected: what it
/// heard while away is lost). An instance not seen alive yet keeps what this one had: it
/// announces its connections when it re-asserts.
pub(super) async fn load_conns(
    cluster: &Cluster,
    conn: &mut MultiplexedConnection,
) -> RedisResult<()> {
    let me = cluster.node_id();
    let nodes: Vec<String> = timed(redis::cmd("SMEMBERS").arg(NODES).query_async(conn)).await?;
    for node in nodes.iter().filter(|n| *n != me) {
        let live: bool = timed(redis::cmd("EXISTS").arg(node_key(node)).query_async(conn)).await?;
        if !live {
            continue;
        }
        let flat: Vec<String> =
            timed(redis::cmd("HVALS").arg(conns_key(node)).query_async(conn)).await?;
        let conns: Vec<RemoteConn> = flat
            .iter()
            .filter_map(|v| serde_json::from_str(v).ok())
            .collect();
        cluster.hub.sync_node_conns(node, &conns);
    }
    Ok(())
}
