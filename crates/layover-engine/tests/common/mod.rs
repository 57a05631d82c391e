//! Helpers shared by the engine's integration tests.

use std::sync::Arc;
use std::time::Duration;

use layover_engine::net::{Fetcher, RetryPolicy, Sleep};

/// Backoff waits are asked for but not slept.
#[derive(Debug, Default)]
pub struct NoWait;

impl Sleep for NoWait {
    fn sleep(
        &self,
        _: Duration,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>> {
        Box::pin(async {})
    }
}

/// A fetcher with the default retry policy whose waits return at once.
pub fn instant_fetcher() -> Fetcher {
    Fetcher::new(RetryPolicy::default(), Arc::new(NoWait)).expect("client")
}

/// The fixture media made by `assets/media/make-fixtures.sh` (`make fixtures`), or
/// `LAYOVER_FIXTURES`.
#[allow(dead_code)] // not every test binary uses the fixtures
pub fn fixtures() -> std::path::PathBuf {
    let dir = std::env::var_os("LAYOVER_FIXTURES")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| {
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/fixtures/media")
        });
    assert!(
        dir.join(".stamp").is_file(),
        "fixture media missing in {}: run assets/media/make-fixtures.sh",
        dir.display()
    );
    dir
}

/// The demo media made by `assets/media/make-demo.sh` (`make demo`), or `LAYOVER_DEMO_MEDIA`.
#[allow(dead_code)] // not every test binary uses the demo media
pub fn demo() -> std::path::PathBuf {
    let dir = std::env::var_os("LAYOVER_DEMO_MEDIA")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| {
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/demo")
        });
    assert!(
        dir.join(".stamp").is_file(),
        "demo media missing in {}: run assets/media/make-demo.sh",
        dir.display()
    );
    dir
}

/// A key from `assets/media/test-keys.env` (`VIDEO_KID`, `VIDEO_KEY`, ...), as hex.
#[allow(dead_code)]
pub fn test_key(name: &str) -> String {
    let env = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets/media/test-keys.env"),
    )
    .expect("keys");
    env.lines()
        .find_map(|l| l.strip_prefix(&format!("{name}=")))
        .unwrap_or_else(|| panic!("{name} in test-keys.env"))
        .trim()
        .to_owned()
}
