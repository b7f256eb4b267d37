//! How good a link to a peer is, from its `getStats()` every couple of seconds: round-trip
//! time, packets lost and bitrate over the last interval, and the size of the picture. Pure,
//! so the grading is tested without a browser; `stats.rs` takes the readings.
use crate::i18n::Words;

/// Round trips up to this are good (about 150 ms each way, where talking over each other
/// starts).
pub const GOOD_RTT_MS: u32 = 300;
/// Round trips beyond this are poor: people talk over each other.
pub const FAIR_RTT_MS: u32 = 700;
/// Loss below this fraction is good: audio conceals it.
pub const GOOD_LOSS: f64 = 0.02;
/// Loss from this fraction on is poor: audio breaks up, video freezes.
pub const POOR_LOSS: f64 = 0.10;

/// One reading of a link's counters, cumulative as `getStats()` gives them.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Reading {
    pub at_ms: f64,
    /// Bytes received, over every inbound RTP stream.
    pub bytes: u64,
    pub packets: u64,
    /// Packets lost (can go down: a late packet counted lost arrives after all).
    pub lost: i64,
    /// The selected candidate pair's current round-trip time.
    pub rtt_ms: Option<f64>,
    /// The incoming picture's size.
    pub frame: Option<(u32, u32)>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Grade {
    /// Not enough measured yet.
    Unknown,
    Good,
    Fair,
    Poor,
}

impl Grade {
    pub fn class(self) -> &'static str {
        match self {
            Self::Unknown => "unknown",
            Self::Good => "good",
            Self::Fair => "fair",
            Self::Poor => "poor",
        }
    }

    pub fn label(self, w: &Words) -> &'static str {
        match self {
            Self::Unknown => w.quality_unknown,
            Self::Good => w.quality_good,
            Self::Fair => w.quality_fair,
            Self::Poor => w.quality_poor,
        }
    }
}

/// What one interval says about a link.
#[derive(Clone, Debug, PartialEq)]
pub struct Sample {
    pub rtt_ms: Option<u32>,
    /// Fraction of the interval's packets lost, 0–1; unknown on the first reading or when no
    /// packet was expected.
    pub loss: Option<f64>,
    pub kbps: Option<u32>,
    pub frame: Option<(u32, u32)>,
    /// Bytes received since the link began.
    pub received: u64,
    pub grade: Grade,
}

/// The interval from `prev` to `now` (cumulative counters).
pub fn sample(prev: Option<&Reading>, now: &Reading) -> Sample {
    let rtt_ms = now.rtt_ms.filter(|r| r.is_finite() && *r >= 0.0);
    let rtt_ms = rtt_ms.map(|r| r.round().min(f64::from(u32::MAX)) as u32);
    let mut loss = None;
    let mut kbps = None;
    let mut stalled = false;
    if let Some(p) = prev.filter(|p| now.at_ms > p.at_ms && now.bytes >= p.bytes) {
        let bytes = now.bytes - p.bytes;
        let secs = (now.at_ms - p.at_ms) / 1000.0;
        kbps = Some((bytes as f64 * 8.0 / 1000.0 / secs).round() as u32);
        let got = now.packets.saturating_sub(p.packets) as f64;
        let lost = (now.lost - p.lost).max(0) as f64;
        loss = (got + lost > 0.0).then(|| lost / (got + lost));
        // Media was arriving and stopped: whatever the round trip says, nothing gets through.
        stalled = p.bytes > 0 && bytes == 0;
    }
    Sample {
        rtt_ms,
        loss,
        kbps,
        frame: now.frame.filter(|(w, h)| *w > 0 && *h > 0),
        received: now.bytes,
        grade: grade(rtt_ms, loss, stalled),
    }
}

/// The worse of what the round trip and the loss say; poor when media stopped arriving.
pub fn grade(rtt_ms: Option<u32>, loss: Option<f64>, stalled: bool) -> Grade {
    if stalled {
        return Grade::Poor;
    }
    let by_rtt = rtt_ms.map(|r| match r {
        r if r <= GOOD_RTT_MS => Grade::Good,
        r if r <= FAIR_RTT_MS => Grade::Fair,
        _ => Grade::Poor,
    });
    let by_loss = loss.map(|l| match l {
        l if l < GOOD_LOSS => Grade::Good,
        l if l < POOR_LOSS => Grade::Fair,
        _ => Grade::Poor,
    });
    let rank = |g: Grade| match g {
        Grade::Unknown => 0,
        Grade::Good => 1,
        Grade::Fair => 2,
        Grade::Poor => 3,
    };
    [by_rtt, by_loss]
        .into_iter()
        .flatten()
        .max_by_key(|g| rank(*g))
        .unwrap_or(Grade::Unknown)
}

/// The sample in words, one measure after another, for the badge's details.
pub fn details(s: &Sample, w: &Words) -> String {
    let parts = [
        s.rtt_ms.map(w.round_trip),
        s.loss.map(|l| (w.packet_loss)((l * 1000.0).round() as u32)),
        s.kbps.map(w.bitrate),
        s.frame.map(|(fw, fh)| (w.resolution)(fw, fh)),
        Some((w.received_bytes)(&super::transfer::human_size(s.received))),
    ];
    parts.into_iter().flatten().collect::<Vec<_>>().join(" · ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reading(at_ms: f64, bytes: u64, packets: u64, lost: i64, rtt: f64) -> Reading {
        Reading {
            at_ms,
            bytes,
            packets,
            lost,
            rtt_ms: Some(rtt),
            frame: Some((640, 480)),
        }
    }

    #[test]
    fn the_grade_is_the_worse_of_round_trip_and_loss() {
        assert_eq!(grade(Some(40), Some(0.0), false), Grade::Good);
        assert_eq!(grade(Some(GOOD_RTT_MS), None, false), Grade::Good);
        assert_eq!(grade(Some(GOOD_RTT_MS + 1), Some(0.0), false), Grade::Fair);
        assert_eq!(grade(Some(FAIR_RTT_MS + 1), Some(0.0), false), Grade::Poor);
        assert_eq!(grade(Some(40), Some(0.05), false), Grade::Fair);
        assert_eq!(grade(Some(40), Some(POOR_LOSS), false), Grade::Poor);
        assert_eq!(grade(None, Some(0.01), false), Grade::Good);
        assert_eq!(grade(None, None, false), Grade::Unknown);
        assert_eq!(grade(Some(10), Some(0.0), true), Grade::Poor);
    }

    #[test]
    fn an_interval_gives_bitrate_and_loss() {
        let a = reading(1000.0, 10_000, 100, 0, 25.0);
        let b = reading(3000.0, 260_000, 290, 10, 31.4);
        let s = sample(Some(&a), &b);
        assert_eq!(s.kbps, Some(1000));
        assert_eq!(s.loss, Some(10.0 / 200.0));
        assert_eq!(s.rtt_ms, Some(31));
        assert_eq!((s.received, s.frame), (260_000, Some((640, 480))));
        assert_eq!(s.grade, Grade::Fair);
    }

    #[test]
    fn the_first_reading_grades_on_round_trip_alone() {
        let s = sample(None, &reading(0.0, 5, 1, 0, 12.0));
        assert_eq!((s.kbps, s.loss, s.grade), (None, None, Grade::Good));
        let none = Reading::default();
        assert_eq!(sample(None, &none).grade, Grade::Unknown);
    }

    #[test]
    fn media_that_stops_arriving_is_poor_but_silence_from_the_start_is_not() {
        let a = reading(0.0, 5000, 10, 0, 10.0);
        assert_eq!(
            sample(Some(&a), &reading(2000.0, 5000, 10, 0, 10.0)).grade,
            Grade::Poor
        );
        let quiet = reading(0.0, 0, 0, 0, 10.0);
        assert_eq!(
            sample(Some(&quiet), &reading(2000.0, 0, 0, 0, 10.0)).grade,
            Grade::Good
        );
    }

    #[test]
    fn odd_counters_do_not_make_nonsense() {
        // Counters that went back (a new stream), no time passed, lost counts that shrink,
        // and a round trip that is not a number.
        let a = reading(2000.0, 9000, 50, 5, 10.0);
        let back = reading(4000.0, 100, 1, 0, f64::NAN);
        assert_eq!(sample(Some(&a), &back).kbps, None);
        assert_eq!(sample(Some(&a), &back).rtt_ms, None);
        assert_eq!(sample(Some(&a), &a).kbps, None);
        let fewer_lost = reading(4000.0, 9500, 60, 2, 10.0);
        assert_eq!(sample(Some(&a), &fewer_lost).loss, Some(0.0));
    }

    #[test]
    fn details_name_each_measure_known() {
        let w = crate::i18n::Lang::En.words();
        let s = sample(
            Some(&reading(0.0, 0, 0, 0, 20.0)),
            &reading(2000.0, 250_000, 100, 0, 20.0),
        );
        let d = details(&s, w);
        for part in ["20 ms", "0.0 %", "1000 kbps", "640×480", "244 KB"] {
            assert!(d.contains(part), "{d} lacks {part}");
        }
    }
}
