//! Time as a dependency. Business logic never reads the system clock itself: the engine is
//! handed a [`Clock`], so tests run on a [`ManualClock`] and never sleep.

use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// A source of wall-clock time.
pub trait Clock: Send + Sync + std::fmt::Debug {
    /// The current time.
    fn now(&self) -> SystemTime;

    /// The current time as Unix milliseconds (0 for a clock set before 1970).
    fn now_unix_ms(&self) -> i64 {
        unix_ms(self.now())
    }
}

/// Converts a time to Unix milliseconds, saturating at the ends of `i64`.
pub fn unix_ms(t: SystemTime) -> i64 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_millis()).unwrap_or(i64::MAX),
        Err(e) => i64::try_from(e.duration().as_millis()).map_or(i64::MIN, |ms| -ms),
    }
}

/// The operating system's clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }
}

/// A clock that only moves when told to; for tests.
#[derive(Debug)]
pub struct ManualClock(Mutex<SystemTime>);

impl ManualClock {
    /// A clock showing `unix_ms` milliseconds after the epoch.
    pub fn at_unix_ms(unix_ms: u64) -> Self {
        Self(Mutex::new(UNIX_EPOCH + Duration::from_millis(unix_ms)))
    }

    /// Moves the clock forward (or, to test clock rollback, backward with [`ManualClock::set`]).
    pub fn advance(&self, by: Duration) {
        let mut t = self.0.lock().unwrap_or_else(|p| p.into_inner());
        *t += by;
    }

    /// Sets the clock to an exact time.
    pub fn set(&self, to: SystemTime) {
        *self.0.lock().unwrap_or_else(|p| p.into_inner()) = to;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> SystemTime {
        *self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manual_clock_moves_only_when_told() {
        let c = ManualClock::at_unix_ms(1_000);
        assert_eq!(c.now_unix_ms(), 1_000);
        c.advance(Duration::from_millis(500));
        assert_eq!(c.now_unix_ms(), 1_500);
    }

    #[test]
    fn times_before_the_epoch_are_negative() {
        assert_eq!(unix_ms(UNIX_EPOCH - Duration::from_millis(5)), -5);
    }
}
