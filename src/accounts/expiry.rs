//! Expired sessions are deleted while the server runs, not only at start-up, so guest sessions
//! cannot pile up in the database between restarts.
use super::store;
use crate::db::Db;
use std::time::Duration;
use tokio::time::MissedTickBehavior;
use tokio_util::sync::CancellationToken;

/// Deletes expired sessions every `every` until `shutdown`.
pub fn spawn_purge(db: Db, every: Duration, shutdown: CancellationToken) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(MissedTickBehavior::Delay);
        // The first tick is immediate, and start-up has just purged.
        tick.tick().await;
        loop {
            tokio::select! {
                _ = shutdown.cancelled() => break,
                _ = tick.tick() => match store::purge_expired(&db).await {
                    Ok(0) => {}
                    Ok(n) => tracing::info!(expired_sessions_removed = n, "expired sessions purged"),
                    Err(e) => tracing::warn!("purging expired sessions failed: {e}"),
                },
            }
        }
    });
}
