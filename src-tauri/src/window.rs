//! The main window's place on screen: brought to the front when the app is launched again,
//! and its size and position kept across restarts.

use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use layover_engine::window_place::{self, Area, WindowPlace};
use tauri::{AppHandle, Manager, PhysicalPosition, PhysicalSize, Window};

/// Un-minimises, shows, raises and focuses the main window (a second launch on the same data
/// folder asked for it). Runs on the UI thread, as the window calls must.
pub fn bring_to_front(app: &AppHandle) {
    let handle = app.clone();
    let run = app.run_on_main_thread(move || {
        let Some(w) = handle.get_webview_window("main") else {
            return;
        };
        for (what, result) in [
            ("unminimize", w.unminimize()),
            ("show", w.show()),
            ("focus", w.set_focus()),
        ] {
            if let Err(e) = result {
                tracing::info!(error = %e, what, "window not brought to the front");
            }
        }
    });
    if let Err(e) = run {
        tracing::warn!(error = %e, "window not brought to the front");
    }
}

/// Keeps the main window's size and place in the data folder: restored at start (fitted to the
/// monitors there are now), saved whenever it moves, resizes or closes.
#[derive(Debug)]
pub struct Keeper {
    root: Option<PathBuf>,
    /// Saving starts only after the saved place was applied, so the default place the window
    /// opens at never overwrites it.
    restored: AtomicBool,
    last: Mutex<Option<WindowPlace>>,
}

impl Keeper {
    pub fn new(root: Option<PathBuf>) -> Self {
        Self {
            root,
            restored: AtomicBool::new(false),
            last: Mutex::new(None),
        }
    }

    /// Puts the main window where it was last time.
    pub fn restore(&self, app: &AppHandle) {
        if let (Some(root), Some(w)) = (&self.root, app.get_webview_window("main"))
            && let Some(saved) = window_place::load(root)
        {
            let monitors: Vec<Area> = w
                .available_monitors()
                .unwrap_or_default()
                .iter()
                .map(|m| Area {
                    x: m.position().x,
                    y: m.position().y,
                    width: m.size().width,
                    height: m.size().height,
                })
                .collect();
            // The primary monitor first: a place on none of them is centred there.
            let primary = w.primary_monitor().ok().flatten().map(|m| *m.position());
            let mut monitors = monitors;
            if let Some(p) = primary {
                monitors.sort_by_key(|m| (m.x, m.y) != (p.x, p.y));
            }
            let min = w
                .scale_factor()
                .map(|s| (MIN_WIDTH * s, MIN_HEIGHT * s))
                .unwrap_or((MIN_WIDTH, MIN_HEIGHT));
            let place = window_place::fit(saved, &monitors, (min.0 as u32, min.1 as u32));
            tracing::debug!(?saved, ?place, "window place restored");
            let _ = w.set_size(PhysicalSize::new(place.width, place.height));
            let _ = w.set_position(PhysicalPosition::new(place.x, place.y));
            if place.maximized {
                let _ = w.maximize();
            }
            *self.last.lock().unwrap_or_else(|p| p.into_inner()) = Some(place);
        }
        self.restored.store(true, Ordering::SeqCst);
    }

    /// Saves the window's place after a move, resize or close.
    pub fn record(&self, window: &Window) {
        let Some(root) = &self.root else { return };
        if window.label() != "main" || !self.restored.load(Ordering::SeqCst) {
            return;
        }
        let (Ok(pos), Ok(size)) = (window.outer_position(), window.inner_size()) else {
            return;
        };
        let maximized = window.is_maximized().unwrap_or(false);
        let minimized = window.is_minimized().unwrap_or(false);
        let mut last = self.last.lock().unwrap_or_else(|p| p.into_inner());
        let place = match *last {
            // Maximised or minimised: keep the size and place it returns to.
            Some(prev) if maximized || minimized => WindowPlace { maximized, ..prev },
            _ if minimized || size.width == 0 || size.height == 0 => return,
            _ => WindowPlace {
                x: pos.x,
                y: pos.y,
                width: size.width,
                height: size.height,
                maximized,
            },
        };
        if *last == Some(place) {
            return;
        }
        *last = Some(place);
        if let Err(e) = window_place::save(root, &place) {
            tracing::info!(error = %e, "window place not saved");
        }
    }
}

/// The window's minimum content size in `tauri.conf.json` (logical pixels).
const MIN_WIDTH: f64 = 820.0;
const MIN_HEIGHT: f64 = 560.0;
