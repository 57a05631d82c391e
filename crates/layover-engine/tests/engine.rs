//! The engine as front ends use it, on an injected clock.

use std::sync::Arc;
use std::time::Duration;

use layover_engine::{DataDir, DataDirSource, Engine, ManualClock};

const DAY: Duration = Duration::from_secs(86_400);

#[tokio::test]
async fn a_clock_set_back_is_detected_across_restarts_and_never_lowers_the_watermark() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = || DataDir::at(dir.path(), DataDirSource::Flag);
    let clock = Arc::new(ManualClock::at_unix_ms(1_800_000_000_000));

    let engine = Engine::open_with_clock(data(), clock.clone())
        .await
        .expect("opens");
    clock.advance(DAY);
    let s = engine.clock_status().await.expect("status");
    assert!(!s.rolled_back);
    assert_eq!(s.latest_seen_ms, 1_800_000_000_000 + 86_400_000);
    engine.close().await;

    // The user sets the clock back three days and starts Layover again.
    clock.set(std::time::UNIX_EPOCH + Duration::from_millis(1_800_000_000_000) - 2 * DAY);
    let engine = Engine::open_with_clock(data(), clock.clone())
        .await
        .expect("reopens");
    let s = engine.clock_status().await.expect("status");
    assert!(s.rolled_back);
    assert_eq!(s.behind_ms, 3 * 86_400_000);
    assert_eq!(s.effective_now_ms(), 1_800_000_000_000 + 86_400_000);

    // Putting the clock right clears it.
    clock.set(std::time::UNIX_EPOCH + Duration::from_millis(1_800_000_000_000) + 2 * DAY);
    let s = engine.clock_status().await.expect("status");
    assert!(!s.rolled_back);
    assert_eq!(s.latest_seen_ms, 1_800_000_000_000 + 2 * 86_400_000);
}
