//! Fills a data folder with a generated library, to open the app on it and measure:
//!
//! ```sh
//! cargo run -p layover-engine --example big-library -- /tmp/big 10000 5
//! cargo run -p layover-app -- --data-dir /tmp/big --no-demo
//! ```
//!
//! Arguments: the data folder (created; it must not be your real one), the number of titles
//! (10,000) and licenses per title (5).

use layover_engine::{DataDir, DataDirSource, Engine};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let folder = args
        .next()
        .ok_or("usage: big-library <DATA_DIR> [TITLES] [LICENSES_PER_TITLE]")?;
    let titles = args.next().map_or(Ok(10_000), |v| v.parse())?;
    let per_title = args.next().map_or(Ok(5), |v| v.parse())?;
    let engine = Engine::open(DataDir::at(
        std::path::Path::new(&folder),
        DataDirSource::Flag,
    ))
    .await?;
    let made = engine.fill_synthetic_library(titles, per_title).await?;
    engine.close().await;
    println!(
        "{folder}: {} titles and {} licenses added",
        made.titles, made.licenses
    );
    Ok(())
}
