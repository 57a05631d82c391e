//! A point in time that may be "unlimited", and the rules for reading the markers CDMs and
//! licenses use for "unlimited".
//!
//! ANCHORS request 4: CDMs report "unlimited" as 0 or as the largest 64-bit value (ExoPlayer
//! #3112, #3150, #3770); XMR writes 0xFFFFFFFF (DRM-NOTES). Reading any of them as a date makes a
//! license look expired in 1970 or valid until the year 292 billion; both are wrong, so each is
//! mapped to [`Limit::Unlimited`] here, in one place.

use serde::Serialize;

/// An end of validity: never, or at a Unix time in seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case", tag = "kind", content = "at")]
pub enum Limit {
    /// Never ends.
    Unlimited,
    /// Ends at this Unix time (seconds).
    At(i64),
}

impl Limit {
    /// XMR u32 date used as an end: 0 and 0xFFFFFFFF mean unlimited.
    pub fn from_xmr_end(v: u32) -> Self {
        if v == 0 || v == u32::MAX {
            Self::Unlimited
        } else {
            Self::At(i64::from(v))
        }
    }

    /// An end reported by a CDM or API as signed seconds (e.g. EME `expiration`, WinRT
    /// `ExpirationDate`): 0, 0xFFFFFFFF and `i64::MAX` mean unlimited.
    pub fn from_cdm_seconds(v: i64) -> Self {
        if v == 0 || v == i64::from(u32::MAX) || v == i64::MAX {
            Self::Unlimited
        } else {
            Self::At(v)
        }
    }

    /// The earlier of two limits.
    pub fn min(self, other: Limit) -> Limit {
        match (self, other) {
            (Limit::Unlimited, x) | (x, Limit::Unlimited) => x,
            (Limit::At(a), Limit::At(b)) => Limit::At(a.min(b)),
        }
    }

    /// The time, if limited.
    pub fn at(self) -> Option<i64> {
        match self {
            Limit::Unlimited => None,
            Limit::At(t) => Some(t),
        }
    }
}

/// A duration field where 0 and 0xFFFFFFFF mean "no limit" (XMR expire-after-first-play).
/// A zero-second playback window would make a title unplayable the moment it starts, which no
/// server means; reading it as unlimited follows the same rule as the dates.
pub fn window_from_xmr(seconds: u32) -> Option<u64> {
    if seconds == 0 || seconds == u32::MAX {
        None
    } else {
        Some(u64::from(seconds))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unlimited_markers() {
        assert_eq!(Limit::from_xmr_end(0), Limit::Unlimited);
        assert_eq!(Limit::from_xmr_end(u32::MAX), Limit::Unlimited);
        assert_eq!(Limit::from_xmr_end(5), Limit::At(5));
        for v in [0, i64::from(u32::MAX), i64::MAX] {
            assert_eq!(Limit::from_cdm_seconds(v), Limit::Unlimited);
        }
        assert_eq!(
            Limit::from_cdm_seconds(1_700_000_000),
            Limit::At(1_700_000_000)
        );
        assert_eq!(window_from_xmr(0), None);
        assert_eq!(window_from_xmr(u32::MAX), None);
        assert_eq!(window_from_xmr(60), Some(60));
        assert_eq!(Limit::At(3).min(Limit::Unlimited), Limit::At(3));
        assert_eq!(Limit::At(3).min(Limit::At(2)), Limit::At(2));
    }
}
