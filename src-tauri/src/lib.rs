//! The Tauri shell: window, logging and command registration. All behaviour lives in
//! `layover-engine`; this crate only connects it to the web UI.

mod args;
mod commands;
mod demo;
mod eme_commands;
mod library_commands;
mod license_commands;
mod playback;
mod state;
mod support_commands;
mod taskbar;
mod updates;
mod upkeep;
mod window;

use std::ffi::OsString;
use std::process::ExitCode;
use std::time::Duration;

use layover_engine::{ApiError, DataDir, Engine, instance, logging};
use tauri::Manager as _;

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

    // One window per data folder: a second launch brings the first to the front and exits.
    let instance = match &data_dir {
        Ok(dir) => match instance::claim(dir.root(), Duration::from_secs(5)) {
            Ok(instance::Claim::First(held)) => Some(held),
            Ok(instance::Claim::Focused) => {
                tracing::info!("already running on this data folder: focused its window");
                return ExitCode::SUCCESS;
            }
            Err(e) => {
                tracing::error!(error = %e, "single-instance check failed");
                eprintln!("error: {e}");
                return ExitCode::FAILURE;
            }
        },
        Err(_) => None,
    };

    let keeper = window::Keeper::new(data_dir.as_ref().ok().map(|d| d.root().to_owned()));

    let engine = match data_dir {
        Ok(dir) => tauri::async_runtime::block_on(Engine::open(dir)).map_err(ApiError::from),
        Err(e) => Err(ApiError::from(e)),
    };
    if let Err(e) = &engine {
        // The window still opens and shows this; the log keeps it for support.
        tracing::error!(code = ?e.code, message = %e.message, "library could not be opened");
    }

    // Queued and interrupted downloads carry on when the app starts again: the queue runner
    // starts them, `parallel_downloads` at once, and its progress also drives the taskbar.
    let state = AppState::new(engine);
    let queue = state.queue().cloned();
    let player =
        playback::Playback(state.engine().ok().map(|e| {
            std::sync::Arc::new(layover_engine::playback::PlaybackServer::new(e.clone()))
        }));
    let engine_for_upkeep = state.engine().ok().cloned();
    let demo = demo::Demo::new(args.view.as_deref() == Some("catalog"));
    let demo_at_start = (!args.no_demo).then(|| (demo.clone(), state.engine().ok().cloned()));
    let result = tauri::Builder::default()
        .setup(move |app| {
            app.state::<window::Keeper>().restore(app.handle());
            if let Some(held) = instance {
                let handle = app.handle().clone();
                held.serve(move || window::bring_to_front(&handle));
            }
            if let Some((demo, engine)) = demo_at_start {
                tauri::async_runtime::spawn(async move {
                    if let Err(e) = demo.set_running(true, engine.as_ref()).await {
                        tracing::info!(reason = %e.message, "demo server not started");
                    }
                });
            }
            if let Some(engine) = engine_for_upkeep {
                if let Some(queue) = &queue {
                    let (app, engine) = (app.handle().clone(), engine.clone());
                    tauri::async_runtime::spawn(upkeep::watch_downloads(
                        app,
                        engine,
                        queue.clone(),
                    ));
                }
                tauri::async_runtime::spawn(upkeep::run(app.handle().clone(), engine));
            }
            if let Some(queue) = queue {
                let runner = queue.clone();
                tauri::async_runtime::spawn(async move { runner.run().await });
                let handle = app.handle().clone();
                tauri::async_runtime::spawn(taskbar::follow(handle, queue));
            }
            Ok(())
        })
        .plugin(tauri_plugin_notification::init())
        // Configured by `plugins.updater` in tauri.conf.json; used only from Rust (no window
        // permission), when the person asks.
        .plugin(tauri_plugin_updater::Builder::new().build())
        .on_window_event(|window, event| {
            if matches!(
                event,
                tauri::WindowEvent::Moved(_)
                    | tauri::WindowEvent::Resized(_)
                    | tauri::WindowEvent::CloseRequested { .. }
            ) {
                window.state::<window::Keeper>().record(window);
            }
        })
        .manage(keeper)
        .manage(state)
        .manage(player)
        .manage(demo)
        .register_asynchronous_uri_scheme_protocol(playback::SCHEME, |ctx, request, responder| {
            playback::handle(ctx.app_handle(), request, responder);
        })
        .invoke_handler(tauri::generate_handler![
            commands::add_link,
            commands::app_info,
            commands::clock_status,
            commands::download_title,
            commands::get_settings,
            commands::link_choices,
            commands::list_titles,
            commands::move_title,
            commands::pause_all,
            commands::pause_title,
            commands::remove_title,
            commands::resume_all,
            commands::resume_title,
            commands::update_settings,
            commands::watch_downloads,
            demo::add_catalog_entry,
            demo::catalog_poster,
            demo::demo_status,
            demo::read_catalog,
            demo::set_demo_server,
            library_commands::license_summaries,
            library_commands::title_details,
            library_commands::title_poster,
            license_commands::acquire_licenses,
            license_commands::add_provider,
            license_commands::export_providers,
            license_commands::import_providers,
            license_commands::license_details,
            license_commands::list_licenses,
            license_commands::license_cards,
            license_commands::plan_trip,
            license_commands::current_trip,
            license_commands::forget_trip,
            license_commands::list_providers,
            license_commands::release_licenses,
            license_commands::remove_provider,
            license_commands::renew_all_licenses,
            license_commands::renew_licenses,
            license_commands::secret_store,
            license_commands::set_default_provider,
            license_commands::sync_licenses,
            license_commands::update_provider,
            eme_commands::eme_license_request,
            eme_commands::eme_save_sessions,
            eme_commands::eme_setup,
            playback::playback_check,
            playback::playback_start,
            playback::playback_position,
            playback::playback_save_position,
            support_commands::diagnostics,
            support_commands::export_diagnostics,
            support_commands::verify_title,
            updates::check_for_updates,
            updates::install_update,
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
