//! One bandwidth limit shared by every download in a process: a token bucket (in its GCRA
//! form) that bytes pass through as they are read from the network. The limit can change at any
//! moment and takes effect on the next chunk; 0 means unlimited.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::fetch::Sleep;

/// How much may arrive at once after a quiet spell (a quarter second's worth of the limit), so
/// bursts stay short and the average holds over any second.
const BURST: Duration = Duration::from_millis(250);

/// A shared bandwidth limit. Cheap to clone (clones share the bucket).
#[derive(Debug, Clone)]
pub struct Throttle {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    /// Bytes per second; 0: unlimited.
    rate: AtomicU64,
    /// When the bucket will have refilled completely ("theoretical arrival time").
    ready_at: Mutex<Option<Instant>>,
    sleep: Arc<dyn Sleep>,
}

impl Throttle {
    /// An unlimited throttle that waits with `sleep`.
    pub fn new(sleep: Arc<dyn Sleep>) -> Self {
        Self {
            inner: Arc::new(Inner {
                rate: AtomicU64::new(0),
                ready_at: Mutex::new(None),
                sleep,
            }),
        }
    }

    /// Sets the limit in bytes per second (0: unlimited). A change starts the bucket afresh.
    pub fn set_bytes_per_sec(&self, rate: u64) {
        if self.inner.rate.swap(rate, Ordering::Relaxed) != rate {
            *self
                .inner
                .ready_at
                .lock()
                .unwrap_or_else(|p| p.into_inner()) = None;
            tracing::info!(bytes_per_sec = rate, "bandwidth limit changed");
        }
    }

    /// Sets the limit from the `bandwidth_limit_kbps` setting (kbit/s; 0: unlimited).
    pub fn set_kbps(&self, kbps: u64) {
        self.set_bytes_per_sec(kbps.saturating_mul(125));
    }

    /// The limit in bytes per second (0: unlimited).
    pub fn bytes_per_sec(&self) -> u64 {
        self.inner.rate.load(Ordering::Relaxed)
    }

    /// Accounts for `n` bytes just read, waiting as long as the limit requires.
    pub async fn consume(&self, n: usize) {
        let wait = self.reserve(n as u64, self.inner.sleep.now());
        if !wait.is_zero() {
            self.inner.sleep.sleep(wait).await;
        }
    }

    /// Reserves `n` bytes at `now`; returns how long the caller must wait before going on.
    fn reserve(&self, n: u64, now: Instant) -> Duration {
        let rate = self.bytes_per_sec();
        if rate == 0 || n == 0 {
            return Duration::ZERO;
        }
        let mut ready_at = self
            .inner
            .ready_at
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        let start = ready_at.map_or(now, |t| t.max(now));
        let cost = Duration::from_secs_f64(n as f64 / rate as f64);
        let next = start + cost;
        *ready_at = Some(next);
        next.saturating_duration_since(now + BURST)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug)]
    struct Never;
    impl Sleep for Never {
        fn sleep(
            &self,
            _: Duration,
        ) -> std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>> {
            Box::pin(async {})
        }
    }

    #[test]
    fn unlimited_never_waits() {
        let t = Throttle::new(Arc::new(Never));
        assert_eq!(t.reserve(10_000_000, Instant::now()), Duration::ZERO);
    }

    #[test]
    fn the_wait_is_bytes_over_rate_less_one_burst() {
        let t = Throttle::new(Arc::new(Never));
        t.set_kbps(8_000); // 1 MB/s
        let now = Instant::now();
        // Time stands still: each wait is counted from `now`, so the last is the total.
        let mut waited = Duration::ZERO;
        for _ in 0..100 {
            waited = t.reserve(100_000, now);
        }
        // 10 MB at 1 MB/s is 10 s, of which the first quarter second is the burst.
        let secs = waited.as_secs_f64();
        assert!((9.7..=9.8).contains(&secs), "{secs}");
    }

    #[test]
    fn a_quiet_spell_refills_only_one_burst() {
        let t = Throttle::new(Arc::new(Never));
        t.set_bytes_per_sec(1_000);
        let now = Instant::now();
        assert_eq!(t.reserve(250, now), Duration::ZERO);
        let later = now + Duration::from_secs(60);
        assert_eq!(t.reserve(250, later), Duration::ZERO);
        assert_eq!(t.reserve(1_000, later), Duration::from_secs(1));
    }

    #[test]
    fn a_new_limit_starts_afresh() {
        let t = Throttle::new(Arc::new(Never));
        t.set_bytes_per_sec(10);
        let now = Instant::now();
        assert!(t.reserve(1_000, now) > Duration::from_secs(90));
        t.set_bytes_per_sec(1_000_000);
        assert_eq!(t.reserve(1_000, now), Duration::ZERO);
        t.set_bytes_per_sec(0);
        assert_eq!(t.reserve(u64::MAX / 2, now), Duration::ZERO);
    }
}
