use super::*;

const H: i64 = 3600;

fn policy(begin: Option<i64>, end: Limit, window: Option<u64>) -> LicensePolicy {
    let mut p = LicensePolicy::unlimited(Vec::new(), true);
    p.begin = begin;
    p.end = end;
    p.expire_after_first_play = window;
    p
}

fn eval(p: &LicensePolicy, first: Option<i64>, latest: Option<i64>, now: i64) -> Evaluation {
    evaluate(p, first, latest, now, &ExpirySettings::default())
}

#[test]
fn license_window_states() {
    let p = policy(Some(100 * H), Limit::At(200 * H), None);
    let e = eval(&p, None, None, 50 * H);
    assert_eq!(e.state, LicenseState::NotYetValid);
    assert_eq!(e.starts_in_secs, Some(50 * 3600));
    assert_eq!(eval(&p, None, None, 100 * H).state, LicenseState::Valid);
    let e = eval(&p, None, None, 160 * H);
    assert_eq!(e.state, LicenseState::ExpiringSoon);
    assert_eq!(e.remaining_secs, Some(40 * 3600));
    assert_eq!(e.deciding_clock, Some(DecidingClock::LicenseWindow));
    let e = eval(&p, None, None, 200 * H);
    assert_eq!(e.state, LicenseState::Expired);
    assert_eq!(e.remaining_secs, Some(0));
    assert!(!e.playable());
}

/// ANCHORS request 3: after first play the shorter clock decides.
#[test]
fn playback_window_after_first_play_decides() {
    let p = policy(None, Limit::At(1000 * H), Some(48 * 3600));
    let before = eval(&p, None, None, 10 * H);
    assert_eq!(before.remaining_secs, Some(990 * 3600));
    assert_eq!(before.remaining_if_played_now_secs, Some(48 * 3600));
    assert_eq!(before.deciding_clock, Some(DecidingClock::LicenseWindow));
    let after = eval(&p, Some(10 * H), None, 20 * H);
    assert_eq!(after.remaining_secs, Some(38 * 3600));
    assert_eq!(after.deciding_clock, Some(DecidingClock::PlaybackWindow));
    assert_eq!(after.state, LicenseState::ExpiringSoon);
    assert_eq!(
        eval(&p, Some(10 * H), None, 58 * H).state,
        LicenseState::Expired
    );
    // Near the end of the license window the license window decides even after play.
    let late = eval(&p, Some(990 * H), None, 995 * H);
    assert_eq!(late.deciding_clock, Some(DecidingClock::LicenseWindow));
    assert_eq!(late.remaining_secs, Some(5 * 3600));
}

/// ANCHORS request 4.
#[test]
fn unlimited_is_never_expired() {
    let p = policy(None, Limit::from_cdm_seconds(i64::MAX), None);
    for now in [i64::MIN, -1, 0, 1, 1_700_000_000, i64::MAX] {
        let e = eval(&p, Some(0), Some(now), now);
        assert_eq!(e.state, LicenseState::Valid);
        assert_eq!(e.remaining_secs, None);
        assert_eq!(e.deciding_clock, None);
    }
}

/// ANCHORS request 7.
#[test]
fn rolled_back_clock_is_detected_and_never_extends() {
    let p = policy(None, Limit::At(100 * H), None);
    let honest = eval(&p, None, None, 99 * H);
    let rolled = eval(&p, None, Some(99 * H), 10 * H);
    assert!(rolled.clock_rolled_back);
    assert_eq!(rolled.remaining_secs, honest.remaining_secs);
    assert_eq!(rolled.effective_now, 99 * H);
    // Within the tolerance it is not called a rollback.
    assert!(!eval(&p, None, Some(99 * H + 60), 99 * H).clock_rolled_back);
    // Expired stays expired when the clock is set back.
    assert_eq!(
        eval(&p, None, Some(101 * H), 1).state,
        LicenseState::Expired
    );
    assert_eq!(next_latest_seen(Some(5), 3), 5);
    assert_eq!(next_latest_seen(Some(5), 8), 8);
    assert_eq!(next_latest_seen(None, 8), 8);
}

#[test]
fn removal_date_ends_the_license_window() {
    let mut p = policy(None, Limit::Unlimited, None);
    p.removal_date = Limit::At(10 * H);
    let e = eval(&p, None, None, 9 * H);
    assert_eq!(e.expires_at, Limit::At(10 * H));
    assert_eq!(e.state, LicenseState::ExpiringSoon);
}
