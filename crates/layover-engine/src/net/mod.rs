//! Fetching from origins and license servers: retries with backoff, resumable and validated
//! file downloads, one bandwidth limit for them all, and file names that cannot escape a title's
//! folder.

pub mod fetch;
pub mod retry;
pub mod safe_path;
pub mod throttle;

pub use fetch::{
    FetchError, FetchRequest, Fetched, Fetcher, OnProgress, Sleep, TokioSleep, Validator,
};
pub use retry::RetryPolicy;
pub use safe_path::{UnsafePath, join_inside, sanitize_component};
pub use throttle::Throttle;
