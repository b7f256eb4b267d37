//! Relay throughput: `cargo bench --features ssr --bench hub` (see README, "Benchmarks").
//! 1. In process: frames decoded, stamped and relayed by the room dialect's `handle`.
//! 2. Over real WebSockets on loopback: many client pairs sending offers to each other.
#[path = "../tests/common/mod.rs"]
mod common;
use futures_util::{SinkExt, StreamExt};
use parley::signaling::hub::{Hub, HubLimits, Outbound};
use parley::signaling::protocol::Role;
use parley::signaling::ws::handle;
use std::time::Instant;
use tokio_tungstenite::tungstenite::Message;

const IN_PROCESS: usize = 1_000_000;
const PAIRS: usize = 50;
const PER_SENDER: usize = 4_000;

#[tokio::main]
async fn main() {
    in_process();
    over_websockets().await;
}

fn in_process() {
    let hub = Hub::new(HubLimits {
        queue: 1024,
        queue_bytes: 1 << 24,
        ..HubLimits::default()
    });
    let (a, mut rx_a) = hub.register("a");
    let (b, _rx_b) = hub.register("b");
    hub.join(&a, "bench", Role::Mesh).unwrap();
    hub.join(&b, "bench", Role::Mesh).unwrap();
    while rx_a.try_recv().is_ok() {}
    let frame = format!(
        r#"{{"type":"candidate","to":"{a}","payload":{{"candidate":"candidate:1 1 udp 2122260223 127.0.0.1 54321 typ host","sdpMid":"0","sdpMLineIndex":0}}}}"#
    );
    let start = Instant::now();
    let mut got = 0;
    for _ in 0..IN_PROCESS {
        assert!(handle(&hub, &b, &frame).is_none());
        if let Ok(Outbound::Frame(_)) = rx_a.try_recv() {
            got += 1;
        }
    }
    let secs = start.elapsed().as_secs_f64();
    assert_eq!(got, IN_PROCESS);
    println!(
        "in process: {IN_PROCESS} relays in {secs:.2} s = {:.0} msg/s",
        IN_PROCESS as f64 / secs
    );
}

async fn over_websockets() {
    let s = common::start(&[
        ("MSG_RATE", "10000000"),
        ("MSG_BURST", "10000000"),
        ("PEER_QUEUE", "4096"),
        ("ROOM_CAP", "2"),
    ])
    .await;
    let mut senders = Vec::new();
    let mut receivers = Vec::new();
    for i in 0..PAIRS {
        let (c1, c2) = (common::guest(&s).await, common::guest(&s).await);
        let room = format!("bench{i}");
        let (tx, _, _) = common::join(&s, &c1, &room, "mesh").await;
        let (rx, rx_id, _) = common::join(&s, &c2, &room, "mesh").await;
        senders.push((tx, rx_id));
        receivers.push(rx);
    }
    let start = Instant::now();
    let mut tasks = Vec::new();
    for (mut tx, to) in senders {
        tasks.push(tokio::spawn(async move {
            let frame = format!(r#"{{"type":"candidate","to":"{to}","payload":{{"candidate":"candidate:1 1 udp 2122260223 127.0.0.1 54321 typ host","sdpMid":"0","sdpMLineIndex":0}}}}"#);
            for _ in 0..PER_SENDER {
                tx.feed(Message::text(frame.clone())).await.unwrap();
            }
            tx.flush().await.unwrap();
            tx
        }));
    }
    for mut rx in receivers {
        tasks.push(tokio::spawn(async move {
            let mut n = 0;
            while n < PER_SENDER {
                match rx.next().await {
                    Some(Ok(Message::Text(t))) if t.contains("\"candidate\"") => n += 1,
                    Some(Ok(_)) => {}
                    other => panic!("receiver ended early: {other:?}"),
                }
            }
            rx
        }));
    }
    let _keep: Vec<_> = futures_util::future::join_all(tasks).await;
    let secs = start.elapsed().as_secs_f64();
    let total = PAIRS * PER_SENDER;
    println!(
        "websockets: {PAIRS} pairs, {total} relays in {secs:.2} s = {:.0} msg/s (dropped {}, evicted {})",
        total as f64 / secs,
        s.state.hub.metrics.dropped.load(std::sync::atomic::Ordering::Relaxed),
        s.state.hub.metrics.evicted.load(std::sync::atomic::Ordering::Relaxed)
    );
}
