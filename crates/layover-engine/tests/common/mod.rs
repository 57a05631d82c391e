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
