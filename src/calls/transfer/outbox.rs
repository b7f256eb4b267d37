//! Where a file we send stands: one leg per receiver (each peer's channel), and what the
//! file's line says from all of them. Pure, so it is tested without a browser.

/// One receiver's copy of a file we send.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Leg {
    /// This many bytes handed to the channel so far.
    Sending(u64),
    /// Every byte and the digest sent; the receiver has not said yet.
    Sent,
    /// The receiver has it whole and its digest matched.
    Verified,
    /// The receiver wants no more: its person cancelled, or its page refused the file.
    Stopped { cancelled: bool },
    /// We cancelled it.
    Cancelled,
    /// The channel closed first.
    Failed,
}

/// The file's state over all its legs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Overall {
    Moving,
    Sent,
    Verified,
    Cancelled,
    Failed,
}

/// While any leg is sending, the file is moving. After that, the receivers still in it
/// decide: every one verified, or some still to say. With none left, it was cancelled if
/// anyone cancelled it, else it failed.
pub fn overall(legs: &[Leg]) -> Overall {
    if legs.iter().any(|l| matches!(l, Leg::Sending(_))) {
        return Overall::Moving;
    }
    let still: Vec<&Leg> = legs
        .iter()
        .filter(|l| matches!(l, Leg::Sent | Leg::Verified))
        .collect();
    if still.is_empty() {
        let cancelled = legs
            .iter()
            .any(|l| matches!(l, Leg::Cancelled | Leg::Stopped { cancelled: true }));
        return if cancelled {
            Overall::Cancelled
        } else {
            Overall::Failed
        };
    }
    if still.iter().all(|l| **l == Leg::Verified) {
        Overall::Verified
    } else {
        Overall::Sent
    }
}

/// Bytes sent of a file of `size`, as the line shows it: the average over the legs still in
/// it; `None` when none is.
pub fn done(legs: &[Leg], size: u64) -> Option<u64> {
    let going: Vec<u64> = legs
        .iter()
        .filter_map(|l| match l {
            Leg::Sending(n) => Some(*n),
            Leg::Sent | Leg::Verified => Some(size),
            _ => None,
        })
        .collect();
    let n = going.len() as u64;
    (n > 0).then(|| going.iter().sum::<u64>() / n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_moves_until_every_leg_is_through_then_waits_for_the_checks() {
        assert_eq!(overall(&[Leg::Sending(5), Leg::Sent]), Overall::Moving);
        assert_eq!(overall(&[Leg::Sent, Leg::Verified]), Overall::Sent);
        assert_eq!(overall(&[Leg::Verified, Leg::Verified]), Overall::Verified);
        assert_eq!(overall(&[Leg::Verified, Leg::Failed]), Overall::Verified);
    }

    #[test]
    fn with_nobody_left_it_is_cancelled_if_anyone_cancelled_else_failed() {
        assert_eq!(overall(&[Leg::Cancelled]), Overall::Cancelled);
        assert_eq!(
            overall(&[Leg::Stopped { cancelled: true }]),
            Overall::Cancelled
        );
        assert_eq!(
            overall(&[Leg::Stopped { cancelled: false }, Leg::Failed]),
            Overall::Failed
        );
        assert_eq!(
            overall(&[Leg::Failed, Leg::Stopped { cancelled: true }]),
            Overall::Cancelled
        );
        assert_eq!(overall(&[]), Overall::Failed);
    }

    #[test]
    fn progress_is_the_average_of_the_legs_still_going() {
        assert_eq!(done(&[Leg::Sending(10), Leg::Sending(30)], 100), Some(20));
        assert_eq!(done(&[Leg::Sending(50), Leg::Sent], 100), Some(75));
        assert_eq!(done(&[Leg::Sending(50), Leg::Failed], 100), Some(50));
        assert_eq!(done(&[Leg::Cancelled], 100), None);
    }
}
