//! What the cluster keeps in Redis, and the scripts that change it atomically. Every key
//! starts with `parley:`; see docs/cluster.md for the whole table.
use crate::signaling::hub::RemoteMember;
use crate::signaling::protocol::{Role, RoomSummary, PRIVATE_ROOM_PREFIX};
use redis::aio::MultiplexedConnection;
use redis::{RedisResult, Script};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::LazyLock;

/// An instance's liveness key: present while it refreshes it.
pub fn node_key(node: &str) -> String {
    format!("parley:node:{node}")
}
/// The set of instances that said they were alive (for finding dead ones).
pub const NODES: &str = "parley:nodes";
/// Claimed (SET NX) by the one instance that sweeps a dead one.
pub fn sweep_key(node: &str) -> String {
    format!("parley:sweep:{node}")
}
/// A room's members: field = peer id, value = [`Member`] as JSON.
pub fn room_key(room: &str) -> String {
    format!("parley:room:{room}")
}
/// The names of rooms that have (or recently had) members.
pub const ROOMS: &str = "parley:rooms";
/// Join order across the cluster.
pub const SEQ: &str = "parley:seq";
/// An instance's own channel: relays for its connections.
pub fn node_channel(node: &str) -> String {
    format!("parley:n:{node}")
}
/// A room's channel: joins, leaves and room-wide relays, for instances with members there.
pub fn room_channel(room: &str) -> String {
    format!("parley:r:{room}")
}
pub const ROOM_CHANNEL_PREFIX: &str = "parley:r:";
pub const NODE_CHANNEL_PREFIX: &str = "parley:n:";
/// An instance's user connections: field = connection id, value = `RemoteConn` as JSON.
pub fn conns_key(node: &str) -> String {
    format!("parley:conns:{node}")
}
/// Who holds a realm address (a PeerJS id): the instance's name.
pub fn addr_key(realm: &str, addr: &str) -> String {
    format!("parley:pj:{realm}:{addr}")
}
/// An instance's realm addresses, each as `realm` newline `address`.
pub fn addrs_key(node: &str) -> String {
    format!("parley:pjids:{node}")
}
/// Claims a realm address for this instance unless a live instance holds it.
/// KEYS: the address key. ARGV: node, ttl ms. Returns 2 (claimed now), 1 (held here
/// already) or 0 (held by another live instance).
pub const CLAIM_SRC: &str = r"local v = redis.call('GET', KEYS[1])
if v == ARGV[1] then return 1 end
if v and redis.call('EXISTS', 'parley:node:' .. v) == 1 then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 2";
/// Frees a realm address if this instance holds it. KEYS: the address key. ARGV: node.
pub const UNCLAIM_SRC: &str = r"if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 1";
/// Users' connections opening and closing, and accepted calls' private rooms, for everyone.
pub const USERS_CHANNEL: &str = "parley:users";
/// Tells every instance that the room list changed.
pub const ROOM_LIST_CHANNEL: &str = "parley:rooms";

/// A room member as stored.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Member {
    /// The instance it lives on.
    pub n: String,
    pub r: Role,
    /// Join order.
    pub s: u64,
    /// Display name.
    pub m: String,
}

/// Admits a member under the room's cap for its role, atomically across the cluster.
/// KEYS: room hash, room set, sequence. ARGV: id, node, role, name, cap, ttl ms, room.
/// Returns `{admitted (0/1), the hash's fields and values before}`.
static JOIN: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"local all = redis.call('HGETALL', KEYS[1])
local count = 0
for i = 1, #all, 2 do
  if all[i] ~= ARGV[1] and cjson.decode(all[i + 1]).r == ARGV[3] then count = count + 1 end
end
if count >= tonumber(ARGV[5]) then return {0, all} end
local old = redis.call('HGET', KEYS[1], ARGV[1])
local seq = old and cjson.decode(old).s or redis.call('INCR', KEYS[3])
redis.call('HSET', KEYS[1], ARGV[1], cjson.encode({n = ARGV[2], r = ARGV[3], s = seq, m = ARGV[4]}))
redis.call('PEXPIRE', KEYS[1], ARGV[6])
redis.call('SADD', KEYS[2], ARGV[7])
return {1, all}",
    )
});

/// Removes a member; a room left empty is forgotten. KEYS: room hash, room set. ARGV: id,
/// room, node (only that node's entry is removed: the peer may have been re-asserted).
pub const LEAVE_SRC: &str = r"local v = redis.call('HGET', KEYS[1], ARGV[1])
if v and cjson.decode(v).n == ARGV[3] then redis.call('HDEL', KEYS[1], ARGV[1]) end
if redis.call('HLEN', KEYS[1]) == 0 then redis.call('SREM', KEYS[2], ARGV[2]) end
return 1";
static LEAVE: LazyLock<Script> = LazyLock::new(|| Script::new(LEAVE_SRC));

/// The outcome of an atomic join.
pub struct Admission {
    pub admitted: bool,
    /// The room's members before the join (this peer excluded).
    pub members: Vec<(String, Member)>,
}

pub struct Joining<'a> {
    pub id: &'a str,
    pub node: &'a str,
    pub room: &'a str,
    pub role: Role,
    pub name: &'a str,
    pub cap: usize,
    pub ttl_ms: u64,
}

pub async fn join(conn: &mut MultiplexedConnection, j: &Joining<'_>) -> RedisResult<Admission> {
    let role = serde_json::to_value(j.role).ok();
    let role = role.as_ref().and_then(|r| r.as_str()).unwrap_or("mesh");
    let (ok, flat): (i64, Vec<String>) = JOIN
        .key(room_key(j.room))
        .key(ROOMS)
        .key(SEQ)
        .arg(j.id)
        .arg(j.node)
        .arg(role)
        .arg(j.name)
        .arg(j.cap)
        .arg(j.ttl_ms)
        .arg(j.room)
        .invoke_async(conn)
        .await?;
    let members = pairs(flat)
        .into_iter()
        .filter(|(id, _)| id != j.id)
        .collect();
    Ok(Admission {
        admitted: ok == 1,
        members,
    })
}

pub async fn leave(
    conn: &mut MultiplexedConnection,
    room: &str,
    id: &str,
    node: &str,
) -> RedisResult<()> {
    LEAVE
        .key(room_key(room))
        .key(ROOMS)
        .arg(id)
        .arg(room)
        .arg(node)
        .invoke_async::<i64>(conn)
        .await
        .map(drop)
}

/// A room's members as stored, in join order.
pub async fn members(
    conn: &mut MultiplexedConnection,
    room: &str,
) -> RedisResult<Vec<(String, Member)>> {
    let flat: Vec<String> = redis::cmd("HGETALL")
        .arg(room_key(room))
        .query_async(conn)
        .await?;
    Ok(pairs(flat))
}

/// Every listed room (private calls' rooms left out) and its people in join order, by name.
pub async fn room_list(conn: &mut MultiplexedConnection) -> RedisResult<Vec<RoomSummary>> {
    let names: Vec<String> = redis::cmd("SMEMBERS").arg(ROOMS).query_async(conn).await?;
    let names: Vec<String> = names
        .into_iter()
        .filter(|n| !n.starts_with(PRIVATE_ROOM_PREFIX))
        .collect();
    if names.is_empty() {
        return Ok(Vec::new());
    }
    let mut pipe = redis::pipe();
    for n in &names {
        pipe.cmd("HGETALL").arg(room_key(n));
    }
    let all: Vec<Vec<String>> = pipe.query_async(conn).await?;
    let mut rooms = BTreeMap::new();
    for (name, flat) in names.into_iter().zip(all) {
        let people: Vec<String> = pairs(flat).into_iter().map(|(_, m)| m.m).collect();
        if !people.is_empty() {
            rooms.insert(name.clone(), RoomSummary { name, people });
        }
    }
    Ok(rooms.into_values().collect())
}

/// Members elsewhere, as the hub takes them.
pub fn remote(members: &[(String, Member)], me: &str) -> Vec<RemoteMember> {
    members
        .iter()
        .filter(|(_, m)| m.n != me)
        .map(|(id, m)| RemoteMember {
            id: id.clone(),
            node: m.n.clone(),
            name: m.m.clone(),
            role: m.r,
        })
        .collect()
}

/// HGETALL's flat list as (peer id, member) in join order; fields that do not decode are skipped.
fn pairs(flat: Vec<String>) -> Vec<(String, Member)> {
    let mut out: Vec<(String, Member)> = flat
        .chunks_exact(2)
        .filter_map(|kv| Some((kv[0].clone(), serde_json::from_str(&kv[1]).ok()?)))
        .collect();
    out.sort_by_key(|(_, m)| m.s);
    out
}
