//! Where the app's window was: its size and position, kept per data folder in
//! `<data>/window.json` and fitted to the monitors there are now, so a window last seen on a
//! monitor that has since been unplugged still opens where it can be seen.
//!
//! All numbers are physical pixels in the desktop's coordinates, as the window system gives them.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// The file, in the data folder.
pub const FILE: &str = "window.json";

/// The window's size and place, and whether it was maximised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct WindowPlace {
    /// Left edge of the window's frame.
    pub x: i32,
    /// Top edge of the window's frame.
    pub y: i32,
    /// Width of the window's content.
    pub width: u32,
    /// Height of the window's content.
    pub height: u32,
    /// Maximised when it was closed (the size and place are what it returns to).
    #[serde(default)]
    pub maximized: bool,
}

/// A rectangle of the desktop: a monitor's area.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Area {
    /// Left edge.
    pub x: i32,
    /// Top edge.
    pub y: i32,
    /// Width.
    pub width: u32,
    /// Height.
    pub height: u32,
}

impl Area {
    fn overlap(&self, p: &WindowPlace) -> u64 {
        let left = i64::from(self.x).max(i64::from(p.x));
        let right =
            (i64::from(self.x) + i64::from(self.width)).min(i64::from(p.x) + i64::from(p.width));
        let top = i64::from(self.y).max(i64::from(p.y));
        let bottom =
            (i64::from(self.y) + i64::from(self.height)).min(i64::from(p.y) + i64::from(p.height));
        u64::try_from((right - left).max(0) * (bottom - top).max(0)).unwrap_or(0)
    }
}

/// The saved place, or `None` when there is none or it cannot be read (the window then opens
/// at its default size, centred).
pub fn load(data_root: &Path) -> Option<WindowPlace> {
    let text = std::fs::read_to_string(data_root.join(FILE)).ok()?;
    match serde_json::from_str(&text) {
        Ok(p) => Some(p),
        Err(e) => {
            tracing::info!(error = %e, "window place unreadable; using the default");
            None
        }
    }
}

/// Saves the place (whole, then renamed, so a crash never leaves half a file).
pub fn save(data_root: &Path, place: &WindowPlace) -> Result<()> {
    let path = data_root.join(FILE);
    let part = data_root.join(format!("{FILE}.part"));
    let text =
        serde_json::to_string(place).map_err(|e| Error::Internal(format!("window place: {e}")))?;
    std::fs::write(&part, text).map_err(|source| Error::WriteFile {
        path: part.clone(),
        source,
    })?;
    std::fs::rename(&part, &path).map_err(|source| Error::WriteFile { path, source })
}

/// Fits a saved place to the monitors there are now (the first is the primary): kept on the
/// monitor it overlaps most, or centred on the primary when it overlaps none; never larger than
/// that monitor nor smaller than `min`, and moved so that all of it is on that monitor.
/// With no monitors known, the place is kept as it was.
pub fn fit(saved: WindowPlace, monitors: &[Area], min: (u32, u32)) -> WindowPlace {
    let Some(primary) = monitors.first() else {
        return saved;
    };
    let (best, overlap) = monitors
        .iter()
        .map(|m| (m, m.overlap(&saved)))
        .max_by_key(|(_, o)| *o)
        .unwrap_or((primary, 0));
    let screen = if overlap == 0 { primary } else { best };
    let width = saved.width.max(min.0).min(screen.width);
    let height = saved.height.max(min.1).min(screen.height);
    let span = |start: i32, len: u32, want: i32, size: u32| -> i32 {
        let room = i64::from(len) - i64::from(size);
        let at = i64::from(want).clamp(i64::from(start), i64::from(start) + room.max(0));
        i32::try_from(at).unwrap_or(start)
    };
    let (x, y) = if overlap == 0 {
        let centre = |start: i32, len: u32, size: u32| {
            i32::try_from(i64::from(start) + (i64::from(len) - i64::from(size)) / 2)
                .unwrap_or(start)
        };
        (
            centre(screen.x, screen.width, width),
            centre(screen.y, screen.height, height),
        )
    } else {
        (
            span(screen.x, screen.width, saved.x, width),
            span(screen.y, screen.height, saved.y, height),
        )
    };
    WindowPlace {
        x,
        y,
        width,
        height,
        maximized: saved.maximized,
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    const MIN: (u32, u32) = (820, 560);
    const LAPTOP: Area = Area {
        x: 0,
        y: 0,
        width: 1920,
        height: 1080,
    };
    const RIGHT: Area = Area {
        x: 1920,
        y: 0,
        width: 2560,
        height: 1440,
    };

    fn place(x: i32, y: i32, width: u32, height: u32) -> WindowPlace {
        WindowPlace {
            x,
            y,
            width,
            height,
            maximized: false,
        }
    }

    #[test]
    fn a_window_that_fits_stays_where_it_was() {
        let p = place(2100, 200, 1400, 900);
        assert_eq!(fit(p, &[LAPTOP, RIGHT], MIN), p);
        assert_eq!(fit(p, &[], MIN), p);
    }

    #[test]
    fn a_window_on_an_unplugged_monitor_is_centred_on_the_primary() {
        let on_right = place(2100, 200, 1400, 900);
        assert_eq!(
            fit(on_right, &[LAPTOP], MIN),
            place(260, 90, 1400, 900),
            "centred on the laptop's screen"
        );
    }

    #[test]
    fn too_large_shrinks_and_half_off_screen_comes_back() {
        assert_eq!(
            fit(place(-300, 500, 2500, 1300), &[LAPTOP], MIN),
            place(0, 0, 1920, 1080)
        );
        assert_eq!(
            fit(place(1500, 900, 1000, 700), &[LAPTOP], MIN),
            place(920, 380, 1000, 700)
        );
        assert_eq!(
            fit(place(10, 10, 100, 100), &[LAPTOP], MIN),
            place(10, 10, 820, 560),
            "never below the window's minimum"
        );
    }

    #[test]
    fn saved_and_loaded_per_folder() {
        let a = tempfile::tempdir().unwrap();
        let b = tempfile::tempdir().unwrap();
        assert_eq!(load(a.path()), None);
        let p = WindowPlace {
            maximized: true,
            ..place(5, 6, 900, 700)
        };
        save(a.path(), &p).unwrap();
        assert_eq!(load(a.path()), Some(p));
        assert_eq!(load(b.path()), None);
        std::fs::write(a.path().join(FILE), "{not json").unwrap();
        assert_eq!(load(a.path()), None, "a damaged file means the default");
    }

    proptest! {
        #[test]
        fn the_result_is_always_on_a_monitor(
            x in any::<i32>(), y in any::<i32>(),
            w in 0u32..100_000, h in 0u32..100_000,
            mx in -5000i32..5000, my in -5000i32..5000,
            mw in 820u32..8000, mh in 560u32..8000,
        ) {
            let m = Area { x: mx, y: my, width: mw, height: mh };
            let f = fit(place(x, y, w, h), &[LAPTOP, m], MIN);
            let inside = |a: &Area| f.x >= a.x && f.y >= a.y
                && i64::from(f.x) + i64::from(f.width) <= i64::from(a.x) + i64::from(a.width)
                && i64::from(f.y) + i64::from(f.height) <= i64::from(a.y) + i64::from(a.height);
            prop_assert!(inside(&LAPTOP) || inside(&m), "{f:?}");
        }
    }
}
