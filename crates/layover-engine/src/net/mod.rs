//! Fetching from origins and license servers: retries with backoff, resumable and validated
//! file downloads, and file names that cannot escape a title's folder.

pub mod fetch;
pub mod retry;
pub mod safe_path;

pub use fetch::{
    FetchError, FetchRequest, Fetched, Fetcher, OnProgress, Sleep, TokioSleep, Validator,
};
pub use retry::RetryPolicy;
pub use safe_path::{UnsafePath, join_inside, sanitize_component};
