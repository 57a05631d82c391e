//! The command-line grammar.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Layover takes protected video offline: downloads titles, keeps their licenses, tracks when
/// each stops being playable, and plays them with no network.
#[derive(Debug, Parser)]
#[command(name = "layover", version, propagate_version = true)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args)]
pub struct Global {
    /// Data folder holding the library database and logs [env: LAYOVER_DATA_DIR]
    /// [default: the OS data folder, e.g. ~/.local/share/layover or %APPDATA%\Layover]
    #[arg(long, global = true, value_name = "FOLDER")]
    pub data_dir: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Show this build's version and where it keeps its data
    Info(JsonFlag),
    /// Show or change settings (shared with the app)
    #[command(subcommand)]
    Settings(SettingsCommand),
    /// Look into licenses
    #[command(subcommand)]
    License(LicenseCommand),
    /// What a title is: tracks, codecs, bitrates, duration, segment counts, and each protection
    /// system with its KIDs (both byte orders), scheme, license URL and PlayReady header version
    Inspect {
        /// An MP4 file or init segment, a DASH/Smooth/HLS manifest, a folder holding one, or a
        /// manifest URL
        file: String,
        #[command(flatten)]
        flags: JsonFlag,
    },
    /// Decrypt an MP4 file (fragmented or not; cenc, cbcs, cens, cbc1, PIFF) with known keys,
    /// like Bento4's mp4decrypt, or every track of a DASH/HLS/Smooth folder
    Decrypt {
        /// KID:KEY in hex (repeat for several keys, e.g. audio and video)
        #[arg(long = "key", value_name = "KID:KEY", required = true)]
        keys: Vec<String>,
        /// The protected file, or a folder holding a manifest and the files it names
        input: PathBuf,
        /// Where the clear file goes (for a folder: a folder, one clear MP4 per track)
        output: PathBuf,
    },
    /// Download a title by link and wait until it is complete (exit 0 only then). Running it
    /// again on the same link resumes an interrupted download
    Download {
        /// The link: a DASH manifest (.mpd), an HLS playlist (.m3u8), a Smooth manifest
        /// (/Manifest) or a single MP4 file
        url: String,
        /// Video quality: best, worst, <HEIGHT>p (best up to that height) or <KBPS>k
        /// [default: the video_quality setting, 1080p]
        #[arg(long, value_name = "CHOICE")]
        video: Option<String>,
        /// Audio languages to keep, comma-separated (e.g. en,fr) [default: the audio_languages
        /// setting; every language when empty]
        #[arg(long, value_name = "LANGS")]
        audio: Option<String>,
        /// Subtitle languages to keep, comma-separated, or `none` [default: every language]
        #[arg(long, value_name = "LANGS")]
        subs: Option<String>,
    },
    /// List the titles in the library and their download state
    Downloads(JsonFlag),
    /// Pause a queued or downloading title (also one the app or another command is downloading)
    Pause {
        /// The title's number (from `layover downloads`) or a unique part of its name
        #[arg(required_unless_present = "all", conflicts_with = "all")]
        title: Option<String>,
        /// Pause every queued and downloading title
        #[arg(long)]
        all: bool,
    },
    /// Resume a paused or failed title and download it in the foreground
    Resume {
        /// The title's number or a unique part of its name
        #[arg(required_unless_present = "all", conflicts_with = "all")]
        title: Option<String>,
        /// Queue every paused title again and download the queue in the foreground,
        /// `parallel_downloads` titles at once
        #[arg(long)]
        all: bool,
    },
    /// Move a title in the download queue (the order titles start downloading in)
    Move {
        /// The title's number or a unique part of its name
        title: String,
        /// Where to: a place number (1 is first), top, bottom, up or down
        #[arg(long, value_name = "PLACE")]
        to: String,
    },
    /// Delete a title and its files (stopping its download if one is running)
    Remove {
        /// The title's number or a unique part of its name
        title: String,
    },
    /// Serve a folder of media on loopback with faults on demand (the development origin)
    Devserver {
        /// Port to listen on (0 picks a free one)
        #[arg(long, default_value_t = 8765)]
        port: u16,
        /// Folder served under /media/
        #[arg(long, value_name = "FOLDER")]
        media: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum LicenseCommand {
    /// What did the server grant? Reads a saved SOAP AcquireLicense response, base64 XMR or raw
    /// XMR and prints each license's policy and where it stands now
    Parse {
        /// The saved response or license
        file: PathBuf,
        /// Evaluate at this time instead of now: `2026-12-24`, `2026-12-24T18:00:00Z` or Unix
        /// seconds (what did this license allow on the day of the ticket?)
        #[arg(long, value_name = "TIME", value_parser = crate::format::parse_time)]
        at: Option<i64>,
        #[command(flatten)]
        flags: JsonFlag,
    },
}

#[derive(Debug, Args)]
pub struct JsonFlag {
    /// Print JSON for scripts instead of text
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum SettingsCommand {
    /// List every setting and its value
    List(JsonFlag),
    /// Print one setting's value
    Get {
        /// Setting name, e.g. `theme`
        key: String,
    },
    /// Change one setting, e.g. `layover settings set theme dark`
    Set {
        /// Setting name, e.g. `theme`
        key: String,
        /// New value, e.g. `dark`
        value: String,
    },
}
