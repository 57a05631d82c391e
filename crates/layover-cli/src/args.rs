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
