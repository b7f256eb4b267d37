//! A PeerJS-wire load generator, run by `scripts/bench.sh` against Parley and peerjs-server
//! side by side (README, "Performance"):
//!
//! ```text
//! loadgen --target NAME=ws://HOST:PORT,PID[+ws://HOST:PORT] [--target …] [--pairs 100] [--windows 4,16]
//!         [--secs 5] [--warmup 1] [--idle 10000] [--rounds 1] [--hold DIR]
//! loadgen bare-relay --addr HOST:PORT
//! ```
//!
//! Relay: `pairs` pairs of clients bounce 200-byte `CANDIDATE`s through the server, `window`
//! of them in flight per pair; every message received is answered with a new one. Measured:
//! messages relayed per second and each message's latency. Idle: `idle` sockets opened (each
//! waits for `OPEN`) and left alone, or as many as the server takes (opening stops at the
//! first that fails or gets no `OPEN` in 5 s); measured: the server's RSS before, with them
//! open, and once they have all closed. Each target is compared with every target listed before it.
//! With `--rounds N`, every window's relay runs are repeated N times, the targets taking turns
//! in each round, so a machine whose speed drifts (a shared host) slows them alike; each target's
//! median run (by msgs/s) goes in the table, and every round is listed after it. A
//! target with a second address (`+ws://…`, another instance of a cluster) has each pair's
//! second client connect there, so every message crosses instances.
//! `--windows none` runs no relay. With `--hold DIR`, the idle sockets stay open once counted:
//! the generator writes how many to `DIR/<target>.ready` and closes them when `DIR/release`
//! appears (`bench.sh --spread` holds several generators' sockets open at once that way).
//! `bare-relay` serves the reference relay (`bare.rs`) the bench runs beside the others.
mod bare;
mod client;
mod stats;
mod tables;
mod wire;

use stats::Relay;
use std::path::Path;
use std::process::ExitCode;
use std::time::{Duration, Instant};

struct Target {
    name: String,
    base: String,
    pid: u32,
    /// Where the second client of each pair connects (another instance of a cluster).
    partner_base: Option<String>,
}

struct Args {
    targets: Vec<Target>,
    pairs: usize,
    windows: Vec<usize>,
    secs: u64,
    warmup: u64,
    idle: usize,
    rounds: usize,
    /// Hold the idle sockets open until `<hold>/release` exists.
    hold: Option<std::path::PathBuf>,
}

/// What the idle run saw, RSS in KiB.
struct Idle {
    /// Sockets open at once: all asked for, or as many as the server took.
    sockets: usize,
    asked: usize,
    /// Why opening stopped short of `asked`.
    stopped: Option<String>,
    /// The server's limit of open files (`/proc/<pid>/limits`).
    fd_limit: Option<u64>,
    before: u64,
    open: u64,
    closed: u64,
}

impl Idle {
    fn per_socket(&self) -> f64 {
        self.open.saturating_sub(self.before) as f64 * 1024.0 / self.sockets as f64
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let mut argv = std::env::args().skip(1).peekable();
    if argv.peek().map(String::as_str) == Some("bare-relay") {
        return match (argv.nth(1).as_deref(), argv.next()) {
            (Some("--addr"), Some(addr)) => match bare::run(&addr).await {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("loadgen bare-relay: {e}");
                    ExitCode::FAILURE
                }
            },
            _ => {
                eprintln!("{}", usage());
                ExitCode::from(2)
            }
        };
    }
    let args = match parse(argv) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("loadgen: {e}\n{}", usage());
            return ExitCode::from(2);
        }
    };
    match run(&args).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("loadgen: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(args: &Args) -> Result<(), String> {
    let mut idle = Vec::new();
    if args.idle > 0 {
        for t in &args.targets {
            eprintln!("loadgen: {}: {} idle sockets", t.name, args.idle);
            idle.push(run_idle(t, args.idle, args.hold.as_deref()).await?);
        }
    }
    // runs[window][round][target]: (relay, RSS per socket of the relay's own sockets)
    let mut runs = Vec::new();
    let mut run = 0;
    for &window in &args.windows {
        let mut rounds = Vec::new();
        for round in 0..args.rounds {
            let mut row = Vec::new();
            for t in &args.targets {
                eprintln!(
                    "loadgen: {}: {} pairs, window {window}, round {}",
                    t.name,
                    args.pairs,
                    round + 1
                );
                row.push(run_relay(t, args, window, run).await?);
                run += 1;
            }
            rounds.push(row);
        }
        runs.push(rounds);
    }
    let rows: Vec<Vec<(Relay, f64)>> = runs.iter().map(|r| medians(r)).collect();
    tables::print(args, &idle, &rows);
    if args.rounds > 1 {
        tables::print_rounds(args, &runs);
    }
    Ok(())
}

/// Each target's median run of the rounds (by msgs/s; the upper one of an even count).
fn medians(rounds: &[Vec<(Relay, f64)>]) -> Vec<(Relay, f64)> {
    let targets = rounds.first().map_or(0, Vec::len);
    (0..targets)
        .map(|t| {
            let mut of_t: Vec<&(Relay, f64)> = rounds.iter().map(|r| &r[t]).collect();
            of_t.sort_by(|a, b| a.0.msgs_per_sec.total_cmp(&b.0.msgs_per_sec));
            of_t[of_t.len() / 2].clone()
        })
        .collect()
}

async fn run_idle(t: &Target, n: usize, hold: Option<&Path>) -> Result<Idle, String> {
    // Unique across generators too: instances of a cluster share one id space.
    let me = std::process::id();
    let ids: Vec<String> = (0..n).map(|i| format!("idle{me}x{i}")).collect();
    let rss = || stats::rss_kib(t.pid).ok_or(format!("{}: no process {}", t.name, t.pid));
    let before = stats::settled_rss_kib(t.pid).await.ok_or("no process")?;
    let (sockets, stopped) = client::open_until_refused(&t.base, &ids).await;
    if sockets.is_empty() {
        return Err(stopped.unwrap_or_else(|| "no socket opened".into()));
    }
    if let Some(why) = &stopped {
        eprintln!(
            "loadgen: {}: stopped at {} sockets: {why}",
            t.name,
            sockets.len()
        );
    }
    let open = rss()?;
    let opened = sockets.len();
    if let Some(dir) = hold {
        held(dir, &t.name, opened).await?;
    }
    for mut ws in sockets {
        let _ = ws.close(None).await;
    }
    let closed = stats::settled_rss_kib(t.pid).await.ok_or("no process")?;
    Ok(Idle {
        sockets: opened,
        asked: n,
        stopped,
        fd_limit: stats::open_files_limit(t.pid),
        before,
        open,
        closed,
    })
}

/// Says how many sockets `name` holds open (`<dir>/<name>.ready`) and waits for
/// `<dir>/release`.
async fn held(dir: &Path, name: &str, sockets: usize) -> Result<(), String> {
    let ready = dir.join(format!("{name}.ready"));
    std::fs::write(&ready, format!("{sockets}\n"))
        .map_err(|e| format!("{}: {e}", ready.display()))?;
    eprintln!(
        "loadgen: {name}: holding {sockets} sockets until {}/release",
        dir.display()
    );
    while !dir.join("release").exists() {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Ok(())
}

async fn run_relay(
    t: &Target,
    args: &Args,
    window: usize,
    run: usize,
) -> Result<(Relay, f64), String> {
    let ids: Vec<String> = (0..args.pairs)
        .flat_map(|p| [format!("r{run}p{p}a"), format!("r{run}p{p}b")])
        .collect();
    let before = stats::rss_kib(t.pid).unwrap_or(0);
    let (firsts, seconds): (Vec<String>, Vec<String>) =
        ids.chunks(2).map(|p| (p[0].clone(), p[1].clone())).unzip();
    let partner_base = t.partner_base.as_deref().unwrap_or(&t.base);
    let firsts = client::open_all(&t.base, &firsts).await?;
    let seconds = client::open_all(partner_base, &seconds).await?;
    let mut sockets = firsts.into_iter().zip(seconds).flat_map(|(a, b)| [a, b]);
    let after = stats::rss_kib(t.pid).unwrap_or(0);
    let per_socket = after.saturating_sub(before) as f64 * 1024.0 / ids.len() as f64;
    let clock = Instant::now();
    let from = clock + Duration::from_secs(args.warmup);
    let span = client::Span {
        clock,
        from,
        until: from + Duration::from_secs(args.secs),
    };
    let mut tasks = Vec::new();
    for pair in ids.chunks(2) {
        let (Some(a), Some(b)) = (sockets.next(), sockets.next()) else {
            break;
        };
        tasks.push(tokio::spawn(client::bounce(
            a,
            pair[1].clone(),
            window,
            span,
        )));
        tasks.push(tokio::spawn(client::bounce(b, pair[0].clone(), 0, span)));
    }
    // The server's CPU time over the measured span.
    let pid = t.pid;
    let cpu = tokio::spawn(async move {
        tokio::time::sleep_until(span.from.into()).await;
        let from = stats::cpu_secs(pid);
        tokio::time::sleep_until(span.until.into()).await;
        Some(stats::cpu_secs(pid)? - from?)
    });
    let mut latencies = Vec::new();
    for task in tasks {
        latencies.extend(task.await.map_err(|e| e.to_string())?);
    }
    let cpu = cpu.await.ok().flatten().unwrap_or(0.0);
    Ok((
        Relay::new(latencies, Duration::from_secs(args.secs), cpu),
        per_socket,
    ))
}

fn usage() -> &'static str {
    "usage: loadgen --target NAME=ws://HOST:PORT,PID[+ws://HOST:PORT] [--target …] [--pairs 100] \
     [--windows 4,16|none] [--secs 5] [--warmup 1] [--idle 10000] [--rounds 1] [--hold DIR]\n       \
     loadgen bare-relay --addr HOST:PORT"
}

fn parse(mut it: impl Iterator<Item = String>) -> Result<Args, String> {
    let mut args = Args {
        targets: Vec::new(),
        pairs: 100,
        windows: vec![4, 16],
        secs: 5,
        warmup: 1,
        idle: 10_000,
        rounds: 1,
        hold: None,
    };
    while let Some(flag) = it.next() {
        let value = it.next().ok_or(format!("{flag} needs a value"))?;
        let num = |v: &str| {
            v.parse::<usize>()
                .map_err(|_| format!("{flag}: not a number: {v}"))
        };
        match flag.as_str() {
            "--target" => args.targets.push(target(&value)?),
            "--pairs" => args.pairs = num(&value)?.max(1),
            "--windows" if value == "none" => args.windows.clear(),
            "--windows" => {
                args.windows = value.split(',').map(num).collect::<Result<_, _>>()?;
            }
            "--secs" => args.secs = num(&value)?.max(1) as u64,
            "--warmup" => args.warmup = num(&value)? as u64,
            "--idle" => args.idle = num(&value)?,
            "--rounds" => args.rounds = num(&value)?.max(1),
            "--hold" => args.hold = Some(value.into()),
            _ => return Err(format!("unknown flag {flag}")),
        }
    }
    if args.targets.is_empty() {
        return Err("no --target".into());
    }
    Ok(args)
}

/// `parley=ws://127.0.0.1:3917,1234`, or with `+ws://HOST:PORT` after the pid, the address
/// the second client of each pair uses (another instance of a cluster).
fn target(s: &str) -> Result<Target, String> {
    let bad = || format!("--target {s}: use NAME=ws://HOST:PORT,PID[+ws://HOST:PORT]");
    let (name, rest) = s.split_once('=').ok_or_else(bad)?;
    let (rest, partner) = match rest.split_once('+') {
        Some((r, p)) => (r, Some(p.trim_end_matches('/').to_owned())),
        None => (rest, None),
    };
    let (base, pid) = rest.rsplit_once(',').ok_or_else(bad)?;
    Ok(Target {
        name: name.to_owned(),
        base: base.trim_end_matches('/').to_owned(),
        pid: pid.parse().map_err(|_| bad())?,
        partner_base: partner,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Result<Args, String> {
        parse(list.iter().map(|s| s.to_string()))
    }

    #[test]
    fn windows_none_runs_no_relay_and_hold_names_a_folder() {
        let a = args(&[
            "--target",
            "p=ws://127.0.0.1:1,2",
            "--windows",
            "none",
            "--hold",
            "/tmp/h",
        ])
        .unwrap();
        assert!(a.windows.is_empty());
        assert_eq!(a.hold.as_deref(), Some(Path::new("/tmp/h")));
        let a = args(&["--target", "p=ws://127.0.0.1:1,2"]).unwrap();
        assert_eq!((a.windows, a.hold), (vec![4, 16], None));
        assert!(args(&["--target", "p=ws://127.0.0.1:1,2", "--windows", "4,x"]).is_err());
    }

    #[tokio::test]
    async fn a_held_run_says_how_many_and_waits_for_release() {
        let dir = std::env::temp_dir().join(format!("loadgen-hold-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let waiting = tokio::spawn({
            let dir = dir.clone();
            async move { held(&dir, "p 1", 7).await }
        });
        let ready = dir.join("p 1.ready");
        while !ready.exists() {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        assert_eq!(std::fs::read_to_string(&ready).unwrap(), "7\n");
        assert!(!waiting.is_finished(), "it returned before the release");
        std::fs::write(dir.join("release"), "").unwrap();
        waiting.await.unwrap().unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
