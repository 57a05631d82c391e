//! What the shell holds: the engine, or the reason it could not be opened, and this process's
//! download queue runner. A library that fails to open still gets a window, which says why
//! instead of vanishing.

use layover_engine::library::queue::DownloadQueue;
use layover_engine::{ApiError, Engine};

#[derive(Debug)]
pub struct AppState {
    engine: Result<Engine, ApiError>,
    queue: Option<DownloadQueue>,
}

impl AppState {
    pub fn new(engine: Result<Engine, ApiError>) -> Self {
        let queue = engine.as_ref().ok().cloned().map(DownloadQueue::new);
        Self { engine, queue }
    }

    pub fn engine(&self) -> Result<&Engine, ApiError> {
        self.engine.as_ref().map_err(Clone::clone)
    }

    /// The download queue runner (none when the library could not be opened).
    pub fn queue(&self) -> Option<&DownloadQueue> {
        self.queue.as_ref()
    }

    /// Tells the queue to look again (a title was added, resumed or moved, or Settings changed).
    pub fn wake_queue(&self) {
        if let Some(q) = &self.queue {
            q.wake();
        }
    }
}
