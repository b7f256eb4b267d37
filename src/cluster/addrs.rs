//! Realm addresses (PeerJS ids) in the store: each held one names its instance and lives as
//! long as that instance refreshes it; each instance also lists its own, so that a dead
//! instance's ids can be freed by the sweep. A client's id is claimed here before the PeerJS
//! service binds it (`SharedIds`).
use super::store::{addr_key, addrs_key, node_key, NODES, UNCLAIM_SRC};
use super::{publish, store, timed, Cluster};
use crate::peerjs::shared::{ClaimFuture, SharedClaim, SharedIds};
use redis::aio::MultiplexedConnection;
use redis::RedisResult;

/// `realm` newline `address`, as the instance's list holds them.
fn entry(realm: &str, addr: &str) -> String {
    format!("{realm}\n{addr}")
}

fn parse(entry: &str) -> Option<(String, String)> {
    let (realm, addr) = entry.split_once('\n')?;
    Some((realm.to_owned(), addr.to_owned()))
}

/// Writes this instance's addresses again, and tells the others.
pub(super) async fn reassert(
    cluster: &Cluster,
    conn: &mut MultiplexedConnection,
) -> RedisResult<()> {
    let me = cluster.node_id();
    let mut pipe = redis::pipe();
    pipe.cmd("DEL").arg(addrs_key(me)).ignore();
    for (realm, addr) in cluster.hub.local_addrs() {
        let key = addr_key(&realm, &addr);
        pipe.cmd("SET")
            .arg(key)
            .arg(me)
            .arg("PX")
            .arg(cluster.hold_ms())
            .ignore();
        pipe.cmd("SADD")
            .arg(addrs_key(me))
            .arg(entry(&realm, &addr))
            .ignore();
        publish::addr_changed(&mut pipe, me.to_owned(), &realm, &addr, true);
    }
    timed(pipe.query_async::<()>(conn)).await
}

/// Keeps this instance's addresses alive.
pub(super) fn refresh(cluster: &Cluster, pipe: &mut redis::Pipeline) {
    for (realm, addr) in cluster.hub.local_addrs() {
        pipe.cmd("PEXPIRE")
            .arg(addr_key(&realm, &addr))
            .arg(cluster.hold_ms())
            .ignore();
    }
    pipe.cmd("PEXPIRE")
        .arg(addrs_key(cluster.node_id()))
        .arg(cluster.hold_ms())
        .ignore();
}

/// Takes in the addresses of every live instance (see `sweep::load_conns`).
pub(super) async fn load(cluster: &Cluster, conn: &mut MultiplexedConnection) -> RedisResult<()> {
    let me = cluster.node_id();
    let nodes: Vec<String> = timed(redis::cmd("SMEMBERS").arg(NODES).query_async(conn)).await?;
    for node in nodes.iter().filter(|n| *n != me) {
        let live: bool = timed(redis::cmd("EXISTS").arg(node_key(node)).query_async(conn)).await?;
        if !live {
            continue;
        }
        let list: Vec<String> = timed(
            redis::cmd("SMEMBERS")
                .arg(addrs_key(node))
                .query_async(conn),
        )
        .await?;
        let addrs: Vec<(String, String)> = list.iter().filter_map(|e| parse(e)).collect();
        cluster.hub.sync_node_addrs(node, &addrs);
    }
    Ok(())
}

/// Frees the addresses dead instance `node` held.
pub(super) async fn sweep(conn: &mut MultiplexedConnection, node: &str) -> RedisResult<()> {
    let list: Vec<String> = timed(
        redis::cmd("SMEMBERS")
            .arg(addrs_key(node))
            .query_async(conn),
    )
    .await?;
    let mut pipe = redis::pipe();
    for (realm, addr) in list.iter().filter_map(|e| parse(e)) {
        pipe.cmd("EVAL")
            .arg(UNCLAIM_SRC)
            .arg(1)
            .arg(addr_key(&realm, &addr))
            .arg(node)
            .ignore();
    }
    pipe.cmd("DEL").arg(addrs_key(node)).ignore();
    timed(pipe.query_async::<()>(conn)).await
}

impl SharedIds for Cluster {
    fn claim<'a>(&'a self, realm: &'a str, id: &'a str) -> ClaimFuture<'a> {
        Box::pin(async move {
            let Some(mut conn) = self.conn() else {
                return SharedClaim::Unavailable;
            };
            let mut eval = redis::cmd("EVAL");
            eval.arg(store::CLAIM_SRC)
                .arg(1)
                .arg(store::addr_key(realm, id));
            eval.arg(self.node_id()).arg(self.hold_ms());
            match timed(eval.query_async::<i64>(&mut conn)).await {
                Ok(2) => SharedClaim::New,
                Ok(1) => SharedClaim::Held,
                Ok(_) => SharedClaim::Taken,
                Err(e) => {
                    tracing::warn!("cluster: PeerJS id claim without Redis: {e}");
                    SharedClaim::Unavailable
                }
            }
        })
    }

    fn unclaim(&self, realm: &str, id: &str) {
        let Some(mut conn) = self.conn() else {
            return;
        };
        let mut eval = redis::cmd("EVAL");
        eval.arg(store::UNCLAIM_SRC)
            .arg(1)
            .arg(store::addr_key(realm, id));
        eval.arg(self.node_id());
        tokio::spawn(async move {
            let _ = timed(eval.query_async::<i64>(&mut conn)).await;
        });
    }
}
