//! The app's few command-line options. Parsed by hand and tolerant of unknown arguments, because
//! launchers (WebDriver, desktop files, installers) may add their own.

use std::ffi::OsString;
use std::path::PathBuf;

/// What the command line asked for.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct AppArgs {
    /// `--data-dir FOLDER` / `--data-dir=FOLDER`.
    pub data_dir: Option<PathBuf>,
    /// `--version` / `-V`: print and exit.
    pub version: bool,
    /// `--help` / `-h`: print and exit.
    pub help: bool,
    /// `--no-demo`: do not start the demo server.
    pub no_demo: bool,
    /// `--view NAME`: the view to open on (`catalog`).
    pub view: Option<String>,
    /// Anything else, logged and otherwise ignored.
    pub ignored: Vec<OsString>,
}

pub const HELP: &str = "\
Layover - take protected video offline

Usage: layover-app [--data-dir FOLDER] [--no-demo] [--view catalog]

Options:
      --data-dir FOLDER  Data folder for the library database and logs
                         [env: LAYOVER_DATA_DIR] [default: the OS data folder]
      --no-demo          Do not start the demo server (its catalog and licenses)
      --view catalog     Open on the Catalog view
  -V, --version          Print version
  -h, --help             Print help

The command-line tool is `layover` (see `layover --help`).";

impl AppArgs {
    pub fn parse(args: Vec<OsString>) -> Self {
        let mut out = Self::default();
        let mut it = args.into_iter();
        while let Some(arg) = it.next() {
            match arg.to_str() {
                Some("--data-dir") => out.data_dir = it.next().map(PathBuf::from),
                Some(s) if s.starts_with("--data-dir=") => {
                    out.data_dir = Some(PathBuf::from(&s["--data-dir=".len()..]));
                }
                Some("--no-demo") => out.no_demo = true,
                Some("--view") => out.view = it.next().and_then(|v| v.into_string().ok()),
                Some("--version" | "-V") => out.version = true,
                Some("--help" | "-h") => out.help = true,
                _ => out.ignored.push(arg),
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> AppArgs {
        AppArgs::parse(args.iter().map(OsString::from).collect())
    }

    #[test]
    fn data_dir_in_both_forms() {
        assert_eq!(parse(&["--data-dir", "/a"]).data_dir, Some("/a".into()));
        assert_eq!(parse(&["--data-dir=/b"]).data_dir, Some("/b".into()));
    }

    #[test]
    fn unknown_arguments_are_kept_aside() {
        let a = parse(&["--automation", "--data-dir", "/a", "-V"]);
        assert_eq!(a.ignored, vec![OsString::from("--automation")]);
        assert!(a.version && !a.help);
    }

    #[test]
    fn demo_options() {
        let a = parse(&["--no-demo", "--view", "catalog"]);
        assert!(a.no_demo);
        assert_eq!(a.view.as_deref(), Some("catalog"));
        assert!(!parse(&[]).no_demo);
    }
}
