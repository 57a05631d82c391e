// Doc comments here are clap help text (`<HEIGHT>p`, `KID:KEY`), not HTML.
#![allow(rustdoc::invalid_html_tags)]

//! `layover`: the command line. Every command is a thin call into `layover-engine`; the app and
//! the CLI share one database, so anything done here shows in the app and the other way round.

mod args;
mod commands;
mod download;
mod format;
mod license;
mod licenses;
mod media;
mod title;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = args::Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: could not start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(commands::run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {}", chain(&e));
            ExitCode::FAILURE
        }
    }
}

/// The error and its causes, each once: engine errors already quote their source in their own
/// message, so a cause already contained in the text before it is skipped.
fn chain(e: &anyhow::Error) -> String {
    let mut out = String::new();
    for cause in e.chain() {
        let text = cause.to_string();
        if !out.contains(&text) {
            if !out.is_empty() {
                out.push_str(": ");
            }
            out.push_str(&text);
        }
    }
    out
}
