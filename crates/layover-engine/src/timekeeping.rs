//! Clock rollback detection. Every time the engine looks at the clock it also records the
//! latest time seen; a clock now behind that watermark by more than a tolerance is "rolled back",
//! shown to the user, and never used to extend a license (expiry rules use the watermark).

use serde::Serialize;
use ts_rs::TS;

/// Clock corrections smaller than this (NTP steps, DST confusion on badly set machines) are not
/// treated as a rollback. Matches layover-drm's `ExpirySettings::rollback_tolerance`.
pub const ROLLBACK_TOLERANCE_MS: i64 = 5 * 60 * 1000;

/// What the clock says and what Layover has seen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct ClockStatus {
    /// The system clock now (Unix ms).
    #[ts(type = "number")]
    pub now_ms: i64,
    /// The latest time Layover has seen (Unix ms); never behind `now_ms` unless rolled back.
    #[ts(type = "number")]
    pub latest_seen_ms: i64,
    /// How far the clock is behind the latest time seen (0 when it is not).
    #[ts(type = "number")]
    pub behind_ms: i64,
    /// The clock is behind by more than the tolerance: licenses are evaluated at
    /// `latest_seen_ms`, and the UI says so.
    pub rolled_back: bool,
}

impl ClockStatus {
    /// The status given the clock and the watermark *after* recording the clock.
    pub fn new(now_ms: i64, latest_seen_ms: i64) -> Self {
        let behind_ms = latest_seen_ms.saturating_sub(now_ms).max(0);
        Self {
            now_ms,
            latest_seen_ms,
            behind_ms,
            rolled_back: behind_ms > ROLLBACK_TOLERANCE_MS,
        }
    }

    /// The time rules should use: never earlier than anything seen before.
    pub fn effective_now_ms(&self) -> i64 {
        self.now_ms.max(self.latest_seen_ms)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_corrections_are_not_rollbacks() {
        let s = ClockStatus::new(1_000_000, 1_000_000 + ROLLBACK_TOLERANCE_MS);
        assert!(!s.rolled_back);
        assert_eq!(s.behind_ms, ROLLBACK_TOLERANCE_MS);
        let s = ClockStatus::new(1_000_000, 1_000_001 + ROLLBACK_TOLERANCE_MS);
        assert!(s.rolled_back);
        assert_eq!(s.effective_now_ms(), 1_000_001 + ROLLBACK_TOLERANCE_MS);
    }

    #[test]
    fn a_clock_ahead_is_fine() {
        let s = ClockStatus::new(2_000, 1_000);
        assert_eq!(
            (s.behind_ms, s.rolled_back, s.effective_now_ms()),
            (0, false, 2_000)
        );
    }
}
