//! When to try again: exponential backoff with jitter, `Retry-After` honoured, a ceiling on both.
//! Pure: the random draw and the current time are passed in.

use std::time::{Duration, SystemTime};

/// How failures are retried.
#[derive(Debug, Clone, PartialEq)]
pub struct RetryPolicy {
    /// Consecutive failures (without any byte of progress between them) before giving up.
    pub max_failures: u32,
    /// Delay after the first failure; doubled after each further one.
    pub base_delay: Duration,
    /// No computed delay is longer than this.
    pub max_delay: Duration,
    /// Each delay is scaled by a random factor in `[1 - jitter, 1 + jitter)`, so many clients
    /// failing together do not retry together.
    pub jitter: f64,
    /// A server's `Retry-After` is honoured up to this long; beyond it the request fails rather
    /// than waiting for hours.
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    /// 6 failures, 1 s doubling to 30 s, +-50 % jitter, Retry-After up to 10 min (Shaka uses
    /// 1 s x2 with 0.5 fuzz; Media3 retries at least 5 times).
    fn default() -> Self {
        Self {
            max_failures: 6,
            base_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(30),
            jitter: 0.5,
            max_retry_after: Duration::from_secs(600),
        }
    }
}

impl RetryPolicy {
    /// The wait before the next try after `failures` consecutive failures (1 = first failure).
    /// `unit_random` is a draw from `[0, 1)`. A `Retry-After` from the server replaces the
    /// computed delay (never shortened by jitter: the server asked for at least that long).
    pub fn delay(
        &self,
        failures: u32,
        retry_after: Option<Duration>,
        unit_random: f64,
    ) -> Duration {
        if let Some(after) = retry_after {
            return after.min(self.max_retry_after);
        }
        let exp = failures.saturating_sub(1).min(30);
        let raw = self
            .base_delay
            .saturating_mul(1u32 << exp)
            .min(self.max_delay);
        let factor = 1.0 + self.jitter.clamp(0.0, 1.0) * (2.0 * unit_random.clamp(0.0, 1.0) - 1.0);
        raw.mul_f64(factor.max(0.0)).min(self.max_delay)
    }

    /// Whether another try is allowed after `failures` consecutive failures.
    pub fn allows(&self, failures: u32) -> bool {
        failures < self.max_failures
    }
}

/// Reads a `Retry-After` value: delay seconds or an HTTP date (RFC 9110 §10.2.3).
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_up_to_the_ceiling_without_jitter() {
        let p = RetryPolicy {
            jitter: 0.0,
            ..RetryPolicy::default()
        };
        let delays: Vec<u64> = (1..=7).map(|n| p.delay(n, None, 0.7).as_secs()).collect();
        assert_eq!(delays, vec![1, 2, 4, 8, 16, 30, 30]);
        assert!(p.allows(5) && !p.allows(6));
    }

    #[test]
    fn retry_after_wins_but_is_capped() {
        let p = RetryPolicy::default();
        assert_eq!(
            p.delay(1, Some(Duration::from_secs(7)), 0.0),
            Duration::from_secs(7)
        );
        assert_eq!(
            p.delay(1, Some(Duration::from_secs(86_400)), 0.0),
            Duration::from_secs(600)
        );
    }

    #[test]
    fn retry_after_in_both_forms() {
        let now = httpdate::parse_http_date("Tue, 24 Nov 2026 10:00:00 GMT").expect("date");
        assert_eq!(
            parse_retry_after("120", now),
            Some(Duration::from_secs(120))
        );
        assert_eq!(
            parse_retry_after("Tue, 24 Nov 2026 10:00:30 GMT", now),
            Some(Duration::from_secs(30))
        );
        assert_eq!(
            parse_retry_after("Tue, 24 Nov 2026 09:00:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon", now), None);
    }

    proptest::proptest! {
        #[test]
        fn jittered_delays_stay_in_bounds(failures in 1u32..100, r in 0.0f64..1.0) {
            let p = RetryPolicy::default();
            let d = p.delay(failures, None, r);
            let exp = failures.saturating_sub(1).min(30);
            let raw = p.base_delay.saturating_mul(1u32 << exp).min(p.max_delay);
            proptest::prop_assert!(d <= p.max_delay);
            proptest::prop_assert!(d >= raw.mul_f64(0.5));
        }
    }
}
