//! The hub on one worker thread against two: `cargo bench --features ssr --bench hub_scaling`
//! (README, "Performance"). No sockets and no load generator competing for the cores: pairs of
//! connections registered in the real hub bounce `candidate` frames through the room dialect's
//! `handle` (decode, stamp, relay, queue), each connection a tokio task woken by its queue as a
//! socket task is. `window` frames are in flight per pair; every frame received is answered
//! with a new one. Run on a tokio runtime with 1 worker, then 2; the rates are relays per
//! second counted after a warm-up.
//!
//! `--hubs 2` splits the pairs over two independent hubs (one mutex each): the rate the same
//! work reaches when nothing is shared, which tells how much the hub's lock costs.
use parley::signaling::hub::{Hub, HubLimits, Inbox, Outbound, PeerId};
use parley::signaling::protocol::Role;
use parley::signaling::ws::handle;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

struct Opts {
    pairs: usize,
    window: usize,
    secs: f64,
    warmup: f64,
    hubs: usize,
}

fn main() {
    let mut o = Opts {
        pairs: 100,
        window: 16,
        secs: 3.0,
        warmup: 1.0,
        hubs: 1,
    };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let mut value = || args.next().and_then(|v| v.parse::<f64>().ok());
        match flag.as_str() {
            "--pairs" => o.pairs = value().unwrap_or(100.0) as usize,
            "--window" => o.window = value().unwrap_or(16.0) as usize,
            "--secs" => o.secs = value().unwrap_or(3.0),
            "--warmup" => o.warmup = value().unwrap_or(1.0),
            "--hubs" => o.hubs = value().unwrap_or(1.0).max(1.0) as usize,
            // `cargo bench` passes `--bench`.
            _ => {}
        }
    }
    println!(
        "hub scaling: {} pairs, window {}, {} hub(s), {} s after {} s warm-up",
        o.pairs, o.window, o.hubs, o.secs, o.warmup
    );
    let one = run(1, &o);
    println!("1 worker:  {one:>10.0} relays/s");
    let two = run(2, &o);
    println!("2 workers: {two:>10.0} relays/s  ({:.2}x)", two / one);
}

/// Relays per second with `workers` runtime threads.
fn run(workers: usize, o: &Opts) -> f64 {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(workers)
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let hubs: Vec<Arc<Hub>> = (0..o.hubs)
            .map(|_| {
                Arc::new(Hub::new(HubLimits {
                    queue: 1024,
                    queue_bytes: 1 << 24,
                    ..HubLimits::default()
                }))
            })
            .collect();
        let stop = Arc::new(AtomicBool::new(false));
        let mut counters = Vec::new();
        let mut tasks = Vec::new();
        for p in 0..o.pairs {
            let hub = hubs[p % hubs.len()].clone();
            let (a, mut rx_a) = hub.register("a");
            let (b, rx_b) = hub.register("b");
            let room = format!("pair{p}");
            hub.join(&a, &room, Role::Mesh).expect("join");
            hub.join(&b, &room, Role::Mesh).expect("join");
            while rx_a.try_recv().is_ok() {}
            for (me, inbox, to, initial) in
                [(a.clone(), rx_a, b.clone(), o.window), (b, rx_b, a, 0)]
            {
                let count = Arc::new(AtomicU64::new(0));
                counters.push(count.clone());
                let (hub, stop) = (hub.clone(), stop.clone());
                tasks.push(tokio::spawn(bounce(
                    hub, me, inbox, to, initial, count, stop,
                )));
            }
        }
        let total = || {
            counters
                .iter()
                .map(|c| c.load(Ordering::Relaxed))
                .sum::<u64>()
        };
        tokio::time::sleep(Duration::from_secs_f64(o.warmup)).await;
        let (start, from) = (Instant::now(), total());
        tokio::time::sleep(Duration::from_secs_f64(o.secs)).await;
        let (secs, got) = (start.elapsed().as_secs_f64(), total() - from);
        stop.store(true, Ordering::Relaxed);
        let dropped: u64 = hubs
            .iter()
            .map(|h| h.metrics.dropped.load(Ordering::Relaxed))
            .sum();
        assert_eq!(dropped, 0, "no relay may be dropped");
        for t in tasks {
            t.abort();
        }
        got as f64 / secs
    })
}

/// One connection: sends `initial` frames to `to`, then answers each frame it receives.
async fn bounce(
    hub: Arc<Hub>,
    me: PeerId,
    mut inbox: Inbox,
    to: PeerId,
    initial: usize,
    count: Arc<AtomicU64>,
    stop: Arc<AtomicBool>,
) {
    let frame = format!(
        r#"{{"type":"candidate","to":"{to}","payload":{{"candidate":"candidate:1 1 udp 2122260223 127.0.0.1 54321 typ host","sdpMid":"0","sdpMLineIndex":0}}}}"#
    );
    for _ in 0..initial {
        assert!(handle(&hub, &me, &frame).is_none());
    }
    while let Some(Outbound::Frame(_)) = inbox.recv().await {
        count.fetch_add(1, Ordering::Relaxed);
        if stop.load(Ordering::Relaxed) {
            return;
        }
        assert!(handle(&hub, &me, &frame).is_none());
    }
}
