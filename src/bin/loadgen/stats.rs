//! Latency percentiles, the servers' resident memory, and how figures are printed.
use std::time::Duration;

/// What one run measured.
#[derive(Clone)]
pub struct Relay {
    pub msgs_per_sec: f64,
    pub p50_us: u32,
    pub p99_us: u32,
    pub p999_us: u32,
    /// CPU time the server used per second of the measured span: how many cores it kept busy.
    pub server_cores: f64,
}

impl Relay {
    pub fn new(mut latencies_us: Vec<u32>, measured: Duration, server_cpu_secs: f64) -> Self {
        latencies_us.sort_unstable();
        let at = |q: f64| percentile(&latencies_us, q);
        Relay {
            msgs_per_sec: latencies_us.len() as f64 / measured.as_secs_f64(),
            p50_us: at(0.50),
            p99_us: at(0.99),
            p999_us: at(0.999),
            server_cores: server_cpu_secs / measured.as_secs_f64(),
        }
    }

    /// Messages relayed per second of the server's CPU time: the server's cost per message,
    /// whatever else (the generator) shares the machine.
    pub fn per_server_cpu_sec(&self) -> f64 {
        self.msgs_per_sec / self.server_cores.max(1e-9)
    }
}

/// CPU time (user and system, all threads) process `pid` has used, in seconds.
pub fn cpu_secs(pid: u32) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields 14 and 15 (utime, stime), counted after the parenthesised name, in clock ticks
    // (100 per second on Linux).
    let (_, rest) = stat.rsplit_once(')')?;
    let mut f = rest.split_whitespace().skip(11);
    let (user, system): (f64, f64) = (f.next()?.parse().ok()?, f.next()?.parse().ok()?);
    Some((user + system) / 100.0)
}

/// The `q` quantile of sorted values (nearest rank); 0 for none.
pub fn percentile(sorted: &[u32], q: f64) -> u32 {
    if sorted.is_empty() {
        return 0;
    }
    let rank = (q * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// Resident memory of process `pid` in KiB (`VmRSS` in `/proc/<pid>/status`).
pub fn rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// The soft limit of open files of process `pid` (`Max open files` in `/proc/<pid>/limits`).
pub fn open_files_limit(pid: u32) -> Option<u64> {
    let limits = std::fs::read_to_string(format!("/proc/{pid}/limits")).ok()?;
    let line = limits.lines().find(|l| l.starts_with("Max open files"))?;
    line.split_whitespace().nth(3)?.parse().ok()
}

/// Waits until `pid`'s RSS has not changed for a second (at most 10 s), and returns it: what a
/// server keeps once it has cleaned up after closed sockets.
pub async fn settled_rss_kib(pid: u32) -> Option<u64> {
    let mut last = rss_kib(pid)?;
    let mut still = 0;
    for _ in 0..40 {
        tokio::time::sleep(Duration::from_millis(250)).await;
        let now = rss_kib(pid)?;
        still = if now == last { still + 1 } else { 0 };
        last = now;
        if still >= 4 {
            break;
        }
    }
    Some(last)
}

/// `1234567.0` → `1,234,567`.
pub fn thousands(n: f64) -> String {
    let digits = format!("{:.0}", n.max(0.0));
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Microseconds as milliseconds, e.g. `1.25 ms`.
pub fn ms(us: u32) -> String {
    format!("{:.2} ms", f64::from(us) / 1000.0)
}

/// KiB as `12.3 MB` (10^6 bytes), for RSS totals.
pub fn mb(kib: u64) -> String {
    format!("{:.1} MB", kib as f64 * 1024.0 / 1e6)
}

/// Bytes as `9.8 KB` (10^3 bytes), for per-socket figures.
pub fn kb(bytes: f64) -> String {
    format!("{:.1} KB", bytes / 1e3)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_by_nearest_rank() {
        let v: Vec<u32> = (1..=1000).collect();
        assert_eq!(percentile(&v, 0.5), 500);
        assert_eq!(percentile(&v, 0.99), 990);
        assert_eq!(percentile(&v, 0.999), 999);
        assert_eq!(percentile(&[7], 0.999), 7);
        assert_eq!(percentile(&[], 0.5), 0);
    }

    #[test]
    fn figures() {
        assert_eq!(thousands(1_234_567.4), "1,234,567");
        assert_eq!(thousands(999.0), "999");
        assert_eq!(ms(1250), "1.25 ms");
        assert_eq!(kb(9_800.0), "9.8 KB");
    }
}
