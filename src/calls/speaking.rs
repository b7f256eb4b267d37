//! Who is speaking: each tile's audio level (0–1, linear, as WebRTC's `audioLevel` gives it),
//! held a moment so a syllable does not flicker, and the one active speaker the stage
//! highlights. Pure, so it is tested without a browser; `engine/meters.rs` feeds it.

/// A level from this on counts as speaking: −46 dBov. Levels come after the sender's noise
/// suppression and gain control, which bring a voice to about −25 to −40 dBov and room hiss
/// below −60.
pub const SPEAKING: f64 = 0.005;
/// Each reading the held level falls to this fraction of the last, unless the new one is higher.
pub const RELEASE: f64 = 0.6;
/// Someone takes the highlight from a current speaker who is still speaking only when this
/// many times louder.
pub const TAKEOVER: f64 = 1.5;

/// The level to show after reading `now`, from `held`, the one shown: up at once, down slowly.
pub fn hold(held: f64, now: f64) -> f64 {
    let now = if now.is_finite() {
        now.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let next = now.max(held * RELEASE);
    if next < 0.001 {
        0.0
    } else {
        next
    }
}

pub fn is_speaking(level: f64) -> bool {
    level >= SPEAKING
}

/// The level as a meter shows it, 0–100: by its square root, so that speech, mostly well
/// under a tenth of full scale, moves the bars visibly.
pub fn meter(level: f64) -> u8 {
    (level.clamp(0.0, 1.0).sqrt() * 100.0).round() as u8
}

/// How many of a meter's three bars are lit: one from speaking on, two at a voice (−30 dBov),
/// three at a loud one (−20 dBov).
pub fn bars(level: f64) -> u8 {
    match level {
        l if l >= 0.1 => 3,
        l if l >= 0.03 => 2,
        l if is_speaking(l) => 1,
        _ => 0,
    }
}

/// The active speaker among `levels` (tile key, held level), given the `current` one: the
/// loudest of those speaking, except that a current speaker still speaking keeps it unless
/// someone is `TAKEOVER` times louder. Nobody while all are quiet.
pub fn active_speaker<'a>(levels: &[(&'a str, f64)], current: Option<&str>) -> Option<&'a str> {
    let loudest = levels
        .iter()
        .filter(|(_, l)| is_speaking(*l))
        .max_by(|a, b| a.1.total_cmp(&b.1))?;
    let kept = current.and_then(|c| levels.iter().find(|(k, l)| *k == c && is_speaking(*l)));
    match kept {
        Some(k) if loudest.1 < k.1 * TAKEOVER => Some(k.0),
        _ => Some(loudest.0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_level_rises_at_once_and_falls_slowly() {
        assert_eq!(hold(0.0, 0.5), 0.5);
        assert_eq!(hold(0.5, 0.1), 0.5 * RELEASE);
        assert_eq!(hold(0.5, 0.4), 0.4);
        let mut l = 0.8;
        for _ in 0..30 {
            l = hold(l, 0.0);
        }
        assert_eq!(l, 0.0, "silence reaches zero");
        assert_eq!(hold(0.0, f64::NAN), 0.0);
        assert_eq!(hold(0.0, 7.0), 1.0);
    }

    #[test]
    fn the_meter_moves_for_speech() {
        assert_eq!(meter(0.0), 0);
        assert_eq!(meter(0.04), 20);
        assert_eq!(meter(1.0), 100);
        assert_eq!(meter(3.0), 100);
        assert_eq!(bars(0.0), 0);
        assert_eq!(bars(SPEAKING / 2.0), 0);
        assert_eq!(bars(SPEAKING), 1);
        assert_eq!(bars(0.05), 2);
        assert_eq!(bars(0.5), 3);
    }

    #[test]
    fn the_loudest_speaker_is_active_and_nobody_in_silence() {
        let levels = [("a", 0.05), ("b", 0.2), ("c", 0.001)];
        assert_eq!(active_speaker(&levels, None), Some("b"));
        assert_eq!(active_speaker(&[("a", 0.004), ("b", 0.0)], Some("a")), None);
        assert_eq!(active_speaker(&[], Some("a")), None);
    }

    #[test]
    fn the_current_speaker_keeps_the_highlight_unless_clearly_outspoken() {
        let close = [("a", 0.10), ("b", 0.14)];
        assert_eq!(active_speaker(&close, Some("a")), Some("a"));
        let clear = [("a", 0.10), ("b", 0.16)];
        assert_eq!(active_speaker(&clear, Some("a")), Some("b"));
        let stopped = [("a", 0.001), ("b", 0.006)];
        assert_eq!(active_speaker(&stopped, Some("a")), Some("b"));
        assert_eq!(active_speaker(&close, Some("gone")), Some("b"));
    }
}
