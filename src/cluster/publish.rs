//! The one publisher: the hub's outgoing events, in the order the hub made them, sent in
//! batches (one pipeline per batch, so a burst of candidates costs one round trip). Redis
//! delivers one connection's publishes in order, and each instance reads one subscription,
//! so the frames of one sender reach each receiver in the order they were sent.
use super::store::{
    self, conns_key, room_channel, room_key, ROOMS, ROOM_LIST_CHANNEL, USERS_CHANNEL,
};
use super::wire::Envelope;
use super::{timed, Cluster};
use crate::signaling::hub::Outgoing;
use crate::signaling::protocol::PRIVATE_ROOM_PREFIX;
use redis::aio::MultiplexedConnection;
use tokio::sync::mpsc;

/// Most events sent in one pipeline.
const BATCH: usize = 256;

pub(super) async fn batch(
    cluster: &Cluster,
    conn: &mut MultiplexedConnection,
    first: Outgoing,
    rest: &mut mpsc::Receiver<Outgoing>,
) -> redis::RedisResult<()> {
    let me = cluster.node_id();
    let hold_ms = cluster.hold_ms();
    let mut pipe = redis::pipe();
    add(&mut pipe, me, hold_ms, first);
    for _ in 1..BATCH {
        match rest.try_recv() {
            Ok(ev) => add(&mut pipe, me, hold_ms, ev),
            Err(_) => break,
        }
    }
    timed(pipe.query_async::<()>(conn)).await
}

fn add(pipe: &mut redis::Pipeline, me: &str, hold_ms: u64, ev: Outgoing) {
    let node = me.to_owned();
    match ev {
        Outgoing::ToPeer {
            node: to_node,
            to,
            frame,
            call,
        } => {
            let env = Envelope::To {
                node,
                to,
                frame: frame.to_string(),
                call: call.map(|c| c.to_string()),
            };
            pipe.cmd("PUBLISH")
                .arg(store::node_channel(&to_node))
                .arg(env.encode())
                .ignore();
        }
        Outgoing::ToRoom {
            room,
            from,
            role,
            frame,
        } => {
            let env = Envelope::Relay {
                node,
                from,
                role,
                frame: frame.to_string(),
            };
            pipe.cmd("PUBLISH")
                .arg(room_channel(&room))
                .arg(env.encode())
                .ignore();
        }
        Outgoing::Joined { room, peer } => {
            // The store already holds the member (the join was admitted there, or, joined
            // while Redis was away, it is re-asserted on reconnect).
            let env = Envelope::Joined { node, peer };
            pipe.cmd("PUBLISH")
                .arg(room_channel(&room))
                .arg(env.encode())
                .ignore();
            list_changed(pipe, &room);
        }
        Outgoing::Left { room, id, name: _ } => {
            pipe.cmd("EVAL")
                .arg(store::LEAVE_SRC)
                .arg(2)
                .arg(room_key(&room))
                .arg(ROOMS)
                .arg(&id)
                .arg(&*room)
                .arg(me)
                .ignore();
            let env = Envelope::Left { node, id };
            pipe.cmd("PUBLISH")
                .arg(room_channel(&room))
                .arg(env.encode())
                .ignore();
            list_changed(pipe, &room);
        }
        Outgoing::ConnUp(conn) => {
            let json = serde_json::to_string(&conn).unwrap_or_default();
            pipe.cmd("HSET")
                .arg(conns_key(me))
                .arg(&conn.conn)
                .arg(json)
                .ignore();
            let env = Envelope::ConnUp { node, conn };
            pipe.cmd("PUBLISH")
                .arg(USERS_CHANNEL)
                .arg(env.encode())
                .ignore();
        }
        Outgoing::ConnDown { conn } => {
            pipe.cmd("HDEL").arg(conns_key(me)).arg(&conn).ignore();
            let env = Envelope::ConnDown { node, conn };
            pipe.cmd("PUBLISH")
                .arg(USERS_CHANNEL)
                .arg(env.encode())
                .ignore();
        }
        Outgoing::Private { room, allowed } => {
            let env = Envelope::Private {
                node,
                room,
                allowed,
            };
            pipe.cmd("PUBLISH")
                .arg(USERS_CHANNEL)
                .arg(env.encode())
                .ignore();
        }
        Outgoing::Answer {
            node: owner,
            conn,
            call,
            answer,
        } => {
            let env = Envelope::Answer { conn, call, answer };
            pipe.cmd("PUBLISH")
                .arg(store::node_channel(&owner))
                .arg(env.encode())
                .ignore();
        }
        Outgoing::Bound { realm, addr } => {
            let key = store::addr_key(&realm, &addr);
            pipe.cmd("SET")
                .arg(key)
                .arg(me)
                .arg("PX")
                .arg(hold_ms)
                .ignore();
            pipe.cmd("SADD")
                .arg(store::addrs_key(me))
                .arg(format!("{realm}\n{addr}"))
                .ignore();
            addr_changed(pipe, node, &realm, &addr, true);
        }
        Outgoing::Unbound { realm, addr } => {
            let key = store::addr_key(&realm, &addr);
            pipe.cmd("EVAL")
                .arg(store::UNCLAIM_SRC)
                .arg(1)
                .arg(key)
                .arg(me)
                .ignore();
            pipe.cmd("SREM")
                .arg(store::addrs_key(me))
                .arg(format!("{realm}\n{addr}"))
                .ignore();
            addr_changed(pipe, node, &realm, &addr, false);
        }
        Outgoing::ToAddr {
            node: to_node,
            realm,
            addr,
            frame,
        } => {
            let env = Envelope::ToAddr {
                realm,
                addr,
                frame: frame.to_string(),
            };
            pipe.cmd("PUBLISH")
                .arg(store::node_channel(&to_node))
                .arg(env.encode())
                .ignore();
        }
    }
}

/// Tells every instance to read the room list again (private calls' rooms are never listed).
pub(super) fn list_changed(pipe: &mut redis::Pipeline, room: &str) {
    if !room.starts_with(PRIVATE_ROOM_PREFIX) {
        pipe.cmd("PUBLISH")
            .arg(ROOM_LIST_CHANNEL)
            .arg("changed")
            .ignore();
    }
}

/// Tells every instance that `node` holds (or freed) a realm address.
pub(super) fn addr_changed(
    pipe: &mut redis::Pipeline,
    node: String,
    realm: &str,
    addr: &str,
    bound: bool,
) {
    let (realm, addr) = (realm.to_owned(), addr.to_owned());
    let env = Envelope::Addr {
        node,
        realm,
        addr,
        bound,
    };
    pipe.cmd("PUBLISH")
        .arg(USERS_CHANNEL)
        .arg(env.encode())
        .ignore();
}
