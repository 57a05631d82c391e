//! Each command: open the engine, call it, print the answer.

use anyhow::{Context, Result};
use layover_engine::licenses::parse_license_file;
use layover_engine::{DataDir, Engine, ManualClock, SettingKey, SystemClock, logging};

use crate::args::{Cli, Command, LicenseCommand, SettingsCommand};

pub async fn run(cli: Cli) -> Result<()> {
    // Reading a saved license needs no library: support staff run it on any machine.
    match cli.command {
        Command::License(cmd @ LicenseCommand::Parse { .. }) => return license(cmd),
        Command::Inspect { file, flags } => return crate::media::inspect(&file, flags.json).await,
        Command::Decrypt {
            keys,
            input,
            output,
        } => return crate::media::decrypt(&input, &output, &keys),
        Command::Devserver { port, media } => return devserver(port, media).await,
        _ => {}
    }
    let data_dir = DataDir::resolve(cli.global.data_dir)?;
    let _log = logging::init(&data_dir, "cli", "warn").context("setting up logging")?;
    let engine = Engine::open(data_dir).await?;
    let result = dispatch(&engine, cli.command).await;
    engine.close().await;
    result
}

async fn dispatch(engine: &Engine, command: Command) -> Result<()> {
    match command {
        Command::Info(flags) => {
            let info = engine.app_info().await?;
            if flags.json {
                println!("{}", serde_json::to_string_pretty(&info)?);
            } else {
                println!("{} {}", info.name, info.version);
                println!(
                    "data folder:  {} (from {:?})",
                    info.data_dir, info.data_dir_source
                );
                println!(
                    "database:     {} (schema {})",
                    info.database_path, info.schema_version
                );
                println!("logs:         {}", info.logs_dir);
                println!("platform:     {}-{}", info.os, info.arch);
                let clock = engine.clock_status().await?;
                if clock.rolled_back {
                    println!(
                        "clock:        set back by {}: licenses count from {} (fix the system date)",
                        crate::format::duration(u64::try_from(clock.behind_ms / 1000).unwrap_or(0)),
                        crate::format::utc(clock.latest_seen_ms.div_euclid(1000))
                    );
                } else {
                    println!("clock:        ok");
                }
            }
        }
        Command::Settings(SettingsCommand::List(flags)) => {
            let settings = engine.settings().await?;
            if flags.json {
                println!("{}", serde_json::to_string_pretty(&settings)?);
            } else {
                for key in SettingKey::ALL {
                    println!("{} = {}", key.as_str(), settings.get_text(key));
                }
            }
        }
        Command::Settings(SettingsCommand::Get { key }) => {
            let key = SettingKey::parse(&key)?;
            println!("{}", engine.settings().await?.get_text(key));
        }
        Command::Settings(SettingsCommand::Set { key, value }) => {
            let settings = engine.set_setting_text(&key, &value).await?;
            let key = SettingKey::parse(&key)?;
            println!("{} = {}", key.as_str(), settings.get_text(key));
        }
        Command::License(LicenseCommand::Parse { file, at, flags }) => {
            license(LicenseCommand::Parse { file, at, flags })?;
        }
        Command::License(cmd) => crate::licenses::license(engine, cmd).await?,
        Command::Licenses {
            expiring,
            sync,
            flags,
        } => crate::licenses::list(engine, expiring, sync, flags.json).await?,
        Command::Providers(cmd) => crate::licenses::providers(engine, cmd).await?,
        Command::Trip {
            until,
            titles,
            dry_run,
            forget,
            flags,
        } => crate::licenses::trip(engine, until, &titles, dry_run, forget, flags.json).await?,
        Command::Title(crate::args::TitleCommand::Show { title, flags }) => {
            crate::title::show(engine, &title, flags.json).await?;
        }
        Command::Verify { title, flags } => {
            let t = engine.find_title(&title).await?;
            let report = engine.verify_title(t.id).await?;
            if flags.json {
                println!("{}", serde_json::to_string_pretty(&report)?);
            } else {
                for f in report.files.iter().filter(|f| f.detail.is_some()) {
                    println!("{}: {}", f.path, f.detail.as_deref().unwrap_or_default());
                }
                println!("\"{}\": {}", report.title_name, report.summary);
            }
            if report.bad > 0 {
                anyhow::bail!(
                    "{} damaged file(s) in \"{}\"",
                    report.bad,
                    report.title_name
                );
            }
        }
        Command::Diagnostics(crate::args::DiagnosticsCommand::Export { zip }) => {
            let path = engine.export_diagnostics(&zip).await?;
            println!(
                "Wrote {} (tokens, keys, URL query values and personal paths left out)",
                path.display()
            );
        }
        Command::Inspect { file, flags } => crate::media::inspect(&file, flags.json).await?,
        Command::Decrypt {
            keys,
            input,
            output,
        } => crate::media::decrypt(&input, &output, &keys)?,
        Command::Download {
            url,
            video,
            audio,
            subs,
        } => {
            let defaults = engine.default_track_choice().await?;
            let choice = crate::download::choice(
                defaults,
                video.as_deref(),
                audio.as_deref(),
                subs.as_deref(),
            )?;
            crate::download::run(engine, &url, &choice).await?;
        }
        Command::Downloads(flags) => crate::download::list(engine, flags.json).await?,
        Command::Pause { title, all } => crate::download::pause(engine, title, all).await?,
        Command::Resume { title, all } => crate::download::resume(engine, title, all).await?,
        Command::Move { title, to } => crate::download::move_title(engine, &title, &to).await?,
        Command::Remove { title } => {
            let t = engine.find_title(&title).await?;
            let freed = engine.remove(t.id).await?;
            println!(
                "Removed \"{}\", freeing {}",
                t.name,
                crate::download::size(freed as i64)
            );
        }
        Command::Devserver { port, media } => devserver(port, media).await?,
    }
    Ok(())
}

async fn devserver(port: u16, media: std::path::PathBuf) -> Result<()> {
    let config = layover_devserver::Config {
        media_root: media,
        addr: std::net::SocketAddr::from(([127, 0, 0, 1], port)),
        demo_root: layover_devserver::catalog::default_demo_dir(),
    };
    let server = layover_devserver::DevServer::start(config).await?;
    let base = server.base_url();
    println!(
        "serving on {base}/media/ (faults: {base}/_faults); licenses: {base}/PlayReady/, \
         {base}/clearkey, {base}/?kid=<KID> (stats: {base}/_license/stats); Ctrl-C stops"
    );
    match layover_devserver::catalog::default_demo_dir() {
        Some(dir) => println!("demo catalog: {base}/catalog.json (from {})", dir.display()),
        None => println!("no demo catalog (run assets/media/make-demo.sh to make one)"),
    }
    tokio::signal::ctrl_c()
        .await
        .context("waiting for Ctrl-C")?;
    server.stop().await;
    Ok(())
}

fn license(cmd: LicenseCommand) -> Result<()> {
    match cmd {
        LicenseCommand::Parse { file, at, flags } => {
            let report = match at {
                Some(t) => {
                    let ms = u64::try_from(t).unwrap_or(0).saturating_mul(1000);
                    parse_license_file(&file, &ManualClock::at_unix_ms(ms))?
                }
                None => parse_license_file(&file, &SystemClock)?,
            };
            crate::license::print_report(&report, flags.json)
        }
        _ => anyhow::bail!("this license command needs the library"),
    }
}
