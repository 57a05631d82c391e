//! What the shell holds: the engine, or the reason it could not be opened. A library that fails
//! to open still gets a window, which says why instead of vanishing.

use layover_engine::{ApiError, Engine};

#[derive(Debug)]
pub struct AppState {
    engine: Result<Engine, ApiError>,
}

impl AppState {
    pub fn new(engine: Result<Engine, ApiError>) -> Self {
        Self { engine }
    }

    pub fn engine(&self) -> Result<&Engine, ApiError> {
        self.engine.as_ref().map_err(Clone::clone)
    }
}
