//! When a page's signaling socket tries again after a drop, and when it stops trying. One
//! policy for every socket a page opens (the call's, the call-by-name one, the live room
//! list), decided here in plain Rust so it is tested without a browser.
//!
//! The n-th failure in a row waits 500 ms × 2ⁿ (1 s, 2 s, 4 s, 8 s, then 16 s each time);
//! after [`MAX_RETRIES`] failures in a row the page gives up. A `welcome` from the server
//! starts the count over.

/// Failures in a row after which a page stops trying (about two minutes of backoff).
pub const MAX_RETRIES: u32 = 8;
/// The first pause is twice this.
const BASE_MS: u32 = 500;
/// The pause stops doubling after this many failures.
const MAX_DOUBLINGS: u32 = 5;

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Backoff {
    failures: u32,
}

impl Backoff {
    pub fn new() -> Self {
        Self::default()
    }

    /// The socket dropped, or could not open: how long to wait before the next try, or `None`
    /// when the page should give up.
    pub fn failed(&mut self) -> Option<u32> {
        self.failures = self.failures.saturating_add(1);
        (self.failures <= MAX_RETRIES).then(|| BASE_MS << self.failures.min(MAX_DOUBLINGS))
    }

    /// The server greeted us: the next drop starts over from the shortest pause.
    pub fn reset(&mut self) {
        self.failures = 0;
    }

    /// Failures since the last `welcome`.
    pub fn failures(&self) -> u32 {
        self.failures
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pauses_double_then_level_off_then_the_page_gives_up() {
        let mut b = Backoff::new();
        let pauses: Vec<Option<u32>> = (0..MAX_RETRIES + 2).map(|_| b.failed()).collect();
        assert_eq!(
            pauses,
            vec![
                Some(1_000),
                Some(2_000),
                Some(4_000),
                Some(8_000),
                Some(16_000),
                Some(16_000),
                Some(16_000),
                Some(16_000),
                None,
                None
            ]
        );
        assert_eq!(b.failures(), MAX_RETRIES + 2);
    }

    #[test]
    fn a_welcome_starts_the_count_over() {
        let mut b = Backoff::new();
        for _ in 0..MAX_RETRIES {
            assert!(b.failed().is_some());
        }
        b.reset();
        assert_eq!(b.failures(), 0);
        assert_eq!(b.failed(), Some(1_000));
    }

    #[test]
    fn counting_never_overflows() {
        let mut b = Backoff {
            failures: u32::MAX - 1,
        };
        assert_eq!(b.failed(), None);
        assert_eq!(b.failed(), None);
        assert_eq!(b.failures(), u32::MAX);
    }
}
