//! The Tauri shell: window, logging and command registration. All behaviour lives in
//! `layover-engine`; this crate only connects it to the web UI.

mod args;
mod commands;
mod state;

use std::ffi::OsString;
use std::process::ExitCode;

use layover_engine::{ApiError, DataDir, Engine, logging};

use crate::args::AppArgs;
use crate::state::AppState;

/// Runs the app with its command-line arguments (program name excluded).
pub fn run(raw_args: Vec<OsString>) -> ExitCode {
    let args = AppArgs::parse(raw_args);
    if args.version {
        println!("{} {}", layover_engine::APP_NAME, layover_engine::VERSION);
        return ExitCode::SUCCESS;
    }
    if args.help {
        println!("{}", args::HELP);
        return ExitCode::SUCCESS;
    }

    let data_dir = DataDir::resolve(args.data_dir.clone());
    let _log = match &data_dir {
        Ok(dir) => match logging::init(dir, "app", "info") {
            Ok(guard) => Some(guard),
            Err(e) => {
                eprintln!("warning: {e}; logging to stderr only");
                None
            }
        },
        Err(_) => None,
    };
    if !args.ignored.is_empty() {
        tracing::debug!(ignored = ?args.ignored, "ignoring unknown arguments");
    }

    let engine = match data_dir {
        Ok(dir) => tauri::async_runtime::block_on(Engine::open(dir)).map_err(ApiError::from),
        Err(e) => Err(ApiError::from(e)),
    };
    if let Err(e) = &engine {
        // The window still opens and shows this; the log keeps it for support.
        tracing::error!(code = ?e.code, message = %e.message, "library could not be opened");
    }

    // Queued and interrupted downloads carry on when the app starts again; the views see their
    // progress through the library (they re-read it while open).
    let resume = engine.as_ref().ok().cloned();
    let result = tauri::Builder::default()
        .setup(move |_app| {
            if let Some(engine) = resume {
                tauri::async_runtime::spawn(async move {
                    if let Err(e) = engine.resume_unfinished(&|_| {}).await {
                        tracing::error!(error = %e, "resuming downloads failed");
                    }
                });
            }
            Ok(())
        })
        .manage(AppState::new(engine))
        .invoke_handler(tauri::generate_handler![
            commands::add_link,
            commands::app_info,
            commands::clock_status,
            commands::download_title,
            commands::get_settings,
            commands::list_titles,
            commands::pause_title,
            commands::remove_title,
            commands::resume_title,
            commands::update_settings,
        ])
        .run(tauri::generate_context!());
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = %e, "the window could not be started");
            eprintln!("error: the Layover window could not be started: {e}");
            ExitCode::FAILURE
        }
    }
}
