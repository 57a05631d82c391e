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
    /// Look into, get, renew and release licenses
    #[command(subcommand)]
    License(LicenseCommand),
    /// List licenses, soonest to expire first
    Licenses {
        /// Only those that stop being playable within this span (`7d`, `48h`, `90m`), expired
        /// ones included
        #[arg(long, value_name = "SPAN", value_parser = crate::format::parse_span)]
        expiring: Option<u64>,
        /// First renew what is due, retry failed requests and send queued releases, as the app
        /// does every few minutes
        #[arg(long)]
        sync: bool,
        #[command(flatten)]
        flags: JsonFlag,
    },
    /// License providers: who grants licenses and how to ask them
    #[command(subcommand)]
    Providers(ProvidersCommand),
    /// Get ready for a trip: which titles will still play until you are back. Saves the trip,
    /// queues its unfinished downloads and renews first every persistent license that would
    /// lapse before then. Without --until, shows the saved trip as it stands now
    Trip {
        /// The day you are back: `2026-12-24`, `2026-12-24T18:00:00Z` or Unix seconds
        #[arg(long, value_name = "TIME", value_parser = crate::format::parse_time)]
        until: Option<i64>,
        /// A title to take (number or name; repeat for several); default: every title
        #[arg(long = "title", value_name = "TITLE", requires = "until")]
        titles: Vec<String>,
        /// Only report; save, queue and renew nothing
        #[arg(long, requires = "until")]
        dry_run: bool,
        /// Forget the saved trip (its titles stay)
        #[arg(long, conflicts_with_all = ["until", "titles", "dry_run"])]
        forget: bool,
        #[command(flatten)]
        flags: JsonFlag,
    },
    /// A title's page: details, chosen tracks, license window and playback window, whether it
    /// plays now
    #[command(subcommand)]
    Title(TitleCommand),
    /// Re-check a title's files on disk against what was downloaded; damaged ones are queued
    /// to download again
    Verify {
        /// Title number or name
        title: String,
        #[command(flatten)]
        flags: JsonFlag,
    },
    /// For support: a zip of versions, settings, titles and their files, licenses and their
    /// history, providers and the latest logs, with tokens, keys and personal paths left out
    #[command(subcommand)]
    Diagnostics(DiagnosticsCommand),
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
    /// A title's licenses (or a KID's): state, both clocks, KIDs in both byte orders, provider,
    /// policy and every request made for it
    Show {
        /// Title number or name, or a KID (hex, with or without dashes)
        title: String,
        #[command(flatten)]
        flags: JsonFlag,
    },
    /// Get a title's licenses (no request is made while stored ones are usable)
    Acquire {
        /// Title number or name
        title: String,
        /// Use this provider (number or name) for the title from now on
        #[arg(long, value_name = "PROVIDER")]
        provider: Option<String>,
    },
    /// Ask the license server again for a title's licenses
    Renew {
        /// Title number or name
        title: String,
    },
    /// Give a title's licenses back (queued and sent later if the server cannot be reached)
    Release {
        /// Title number or name
        title: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum TitleCommand {
    /// Details, the tracks that were downloaded, both license clocks, and whether it plays now
    Show {
        /// Title number or name
        title: String,
        #[command(flatten)]
        flags: JsonFlag,
    },
}

#[derive(Debug, Subcommand)]
pub enum DiagnosticsCommand {
    /// Write the bundle
    Export {
        /// Where to write the zip, e.g. layover-diagnostics.zip
        zip: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum ProvidersCommand {
    /// List providers (secrets are never shown, only whether a token is stored)
    List(JsonFlag),
    /// Add a provider
    Add(Box<ProviderArgs>),
    /// Remove a provider and its stored secrets
    Remove {
        /// Provider number or name
        provider: String,
    },
    /// Use this provider for titles that name none
    Default {
        /// Provider number or name
        provider: String,
    },
    /// Store a bearer token for a provider, read from standard input (so it stays out of shell
    /// history): `layover providers set-token contoso < token.txt`
    SetToken {
        /// Provider number or name
        provider: String,
    },
    /// Write every provider as JSON (no secrets) to FILE, or to standard output
    Export {
        /// Where to write
        file: Option<PathBuf>,
    },
    /// Add or update providers from a JSON export (secrets are entered separately)
    Import {
        /// The export
        file: PathBuf,
    },
}

#[derive(Debug, Args)]
pub struct ProviderArgs {
    /// A name people recognise
    #[arg(long)]
    pub name: String,
    /// ams (Azure Media Services-style key delivery), playready, clearkey or aes_key
    #[arg(long)]
    pub kind: String,
    /// AMS: key delivery base URL; ClearKey: license URL; AES key: key URL (may hold `{kid}`)
    #[arg(long)]
    pub url: Option<String>,
    /// PlayReady: use this license URL instead of the content's LA_URL
    #[arg(long, value_name = "URL")]
    pub la_url: Option<String>,
    /// Where releases go (default: the license URL + /release)
    #[arg(long, value_name = "URL")]
    pub release_url: Option<String>,
    /// Where to fetch a fresh bearer token when the stored one expires
    #[arg(long, value_name = "URL")]
    pub token_url: Option<String>,
    /// Extra header, `Name=value` (repeatable)
    #[arg(long = "header", value_name = "NAME=VALUE")]
    pub headers: Vec<String>,
    /// Extra query parameter, `name=value` (repeatable)
    #[arg(long = "query", value_name = "NAME=VALUE")]
    pub query: Vec<String>,
    /// PlayReady custom data put in the challenge
    #[arg(long)]
    pub custom_data: Option<String>,
    /// AMS: `playready` (default) or `aes_key`
    #[arg(long, value_name = "DELIVERY")]
    pub ams_delivery: Option<String>,
    /// PlayReady client: `auto` (default), `test_identity` or `webview_eme`
    #[arg(long, value_name = "CLIENT")]
    pub client: Option<String>,
    /// ClearKey: ask for temporary licenses instead of persistent ones
    #[arg(long)]
    pub temporary: bool,
    /// Read a bearer token from standard input
    #[arg(long)]
    pub token_stdin: bool,
    /// Make it the default provider
    #[arg(long)]
    pub default: bool,
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
