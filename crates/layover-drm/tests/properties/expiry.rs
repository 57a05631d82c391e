use layover_drm::expiry::{ExpirySettings, LicenseState, evaluate};
use layover_drm::policy::{LicensePolicy, Limit};
use proptest::prelude::*;

/// Times around "now" plus the extremes that broke other players.
fn time() -> impl Strategy<Value = i64> {
    prop_oneof![
        8 => -1_000_000_000_000i64..1_000_000_000_000,
        1 => Just(i64::MIN),
        1 => Just(i64::MAX),
        1 => Just(0i64),
    ]
}

fn limit() -> impl Strategy<Value = Limit> {
    prop_oneof![Just(Limit::Unlimited), time().prop_map(Limit::At)]
}

fn policy() -> impl Strategy<Value = LicensePolicy> {
    (
        prop::option::of(time()),
        limit(),
        prop::option::of(any::<u64>()),
        limit(),
    )
        .prop_map(|(begin, end, window, removal)| {
            let mut p = LicensePolicy::unlimited(Vec::new(), true);
            p.begin = begin;
            p.end = end;
            p.expire_after_first_play = window;
            p.removal_date = removal;
            p
        })
}

fn settings() -> impl Strategy<Value = ExpirySettings> {
    (any::<u64>(), 0u64..100_000).prop_map(|(w, t)| ExpirySettings {
        expiring_soon_window: w % 1_000_000,
        rollback_tolerance: t,
    })
}

/// Remaining time with `None` (unlimited) ordered above every number.
fn rank(r: Option<u64>) -> u128 {
    r.map_or(u128::MAX, u128::from)
}

proptest! {
    #[test]
    fn remaining_never_increases_as_now_increases(
        p in policy(), first in prop::option::of(time()), latest in prop::option::of(time()),
        a in time(), b in time(), s in settings(),
    ) {
        let (early, late) = (a.min(b), a.max(b));
        let e1 = evaluate(&p, first, latest, early, &s);
        let e2 = evaluate(&p, first, latest, late, &s);
        prop_assert!(rank(e2.remaining_secs) <= rank(e1.remaining_secs));
        if e1.state == LicenseState::Expired {
            prop_assert_eq!(e2.state, LicenseState::Expired);
        }
    }

    #[test]
    fn unlimited_never_expires(
        first in prop::option::of(time()), latest in prop::option::of(time()), now in time(),
        s in settings(), marker in prop_oneof![Just(0i64), Just(i64::from(u32::MAX)), Just(i64::MAX)],
    ) {
        let mut p = LicensePolicy::unlimited(Vec::new(), true);
        p.end = Limit::from_cdm_seconds(marker);
        let e = evaluate(&p, first, latest, now, &s);
        prop_assert_ne!(e.state, LicenseState::Expired);
        prop_assert_eq!(e.remaining_secs, None);
    }

    #[test]
    fn rolled_back_clock_never_extends(
        p in policy(), first in prop::option::of(time()), latest in time(), now in time(),
        s in settings(),
    ) {
        let with_memory = evaluate(&p, first, Some(latest), now, &s);
        let naive = evaluate(&p, first, None, now, &s);
        prop_assert!(rank(with_memory.remaining_secs) <= rank(naive.remaining_secs));
        prop_assert!(with_memory.effective_now >= now);
        let behind = i128::from(latest) - i128::from(now);
        prop_assert_eq!(with_memory.clock_rolled_back, behind > i128::from(s.rollback_tolerance));
        if naive.state == LicenseState::Expired {
            prop_assert_eq!(with_memory.state, LicenseState::Expired);
        }
    }

    #[test]
    fn remaining_is_the_min_of_both_clocks(
        end in time(), window in 0u64..10_000_000, first in time(), now in time(),
    ) {
        let mut p = LicensePolicy::unlimited(Vec::new(), true);
        p.end = Limit::At(end);
        p.expire_after_first_play = Some(window);
        let e = evaluate(&p, Some(first), None, now, &ExpirySettings::default());
        let license_left = (i128::from(end) - i128::from(now)).max(0);
        let playback_left = (i128::from(first) + i128::from(window) - i128::from(now)).max(0);
        let playback_left = playback_left.min(i128::from(i64::MAX) - i128::from(now));
        let expected = license_left.min(playback_left.max(0));
        prop_assert_eq!(e.remaining_secs.map(i128::from), Some(expected));
    }
}
