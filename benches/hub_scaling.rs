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
//!
//! On a machine busy with other work the second worker may find no free core, so each run
//! also reports the CPU time it used: relays per CPU-second compare the two runs whatever
//! else is running (a lower figure with two workers is the cost of sharing the hub).
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
    println!("1 worker:  {}", one.line());
    let two = run(2, &o);
    println!("2 workers: {}", two.line());
    println!(
        "2 workers against 1: {:.2}x the relays per second, {:.2}x the relays per CPU-second",
        two.rate / one.rate,
        two.per_cpu() / one.per_cpu()
    );
}

/// CPU time this process has used (user and system, all threads), in seconds.
fn cpu_seconds() -> f64 {
    // Fields 14 and 15 of /proc/self/stat, in clock ticks (100 per second on Linux).
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after_name = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let ticks: Vec<f64> = after_name
        .split_whitespace()
        .skip(11)
        .take(2)
        .filter_map(|t| t.parse().ok())
        .collect();
    ticks.iter().sum::<f64>() / 100.0
}

/// What one run measured.
struct Run {
    /// Relays per second.
    rate: f64,
    /// Share of the measured time some thread held a hub's lock (summed over the hubs).
    held: f64,
    /// Mean time one lock was held, in nanoseconds.
    mean_hold_ns: f64,
    /// CPU time used per second of the run: how many cores it kept busy.
    cores: f64,
}

impl Run {
    /// Relays per CPU-second: what the work costs whatever else the machine is running.
    fn per_cpu(&self) -> f64 {
        self.rate / self.cores.max(1e-9)
    }

    fn line(&self) -> String {
        format!(
            "{:>9.0} relays/s on {:.2} cores ({:>9.0} per CPU-second); \
             a hub lock held {:>4.1}% of the time, {:.0} ns per hold",
            self.rate,
            self.cores,
            self.per_cpu(),
            self.held * 100.0,
            self.mean_hold_ns
        )
    }
}

/// One run with `workers` runtime threads.
fn run(workers: usize, o: &Opts) -> Run {
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
        // (seconds held, locks taken) over all hubs.
        let holds = || {
            hubs.iter()
                .map(|h| h.lock_holds())
                .fold((0.0, 0), |(s, n), h| (s + h.sum_seconds, n + h.count))
        };
        tokio::time::sleep(Duration::from_secs_f64(o.warmup)).await;
        let (start, from, held_from, cpu_from) = (Instant::now(), total(), holds(), cpu_seconds());
        tokio::time::sleep(Duration::from_secs_f64(o.secs)).await;
        let (secs, got, held_to) = (start.elapsed().as_secs_f64(), total() - from, holds());
        let cpu = cpu_seconds() - cpu_from;
        stop.store(true, Ordering::Relaxed);
        let dropped: u64 = hubs
            .iter()
            .map(|h| h.metrics.dropped.load(Ordering::Relaxed))
            .sum();
        assert_eq!(dropped, 0, "no relay may be dropped");
        for t in tasks {
            t.abort();
        }
        let (held, locks) = (held_to.0 - held_from.0, held_to.1 - held_from.1);
        Run {
            rate: got as f64 / secs,
            held: held / secs,
            mean_hold_ns: held * 1e9 / locks.max(1) as f64,
            cores: cpu / secs,
        }
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
    // Refused relays fail the run, except once it is over (the partner may be gone by then).
    let relay = || {
        let refused = handle(&hub, &me, &frame);
        assert!(
            refused.is_none() || stop.load(Ordering::Relaxed),
            "{refused:?}"
        );
    };
    for _ in 0..initial {
        relay();
    }
    while let Some(Outbound::Frame(_)) = inbox.recv().await {
        count.fetch_add(1, Ordering::Relaxed);
        if stop.load(Ordering::Relaxed) {
            return;
        }
        relay();
    }
}
