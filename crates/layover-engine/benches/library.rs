//! The Library's queries on a generated library of 10,000 titles and 50,000 licenses (in a
//! temporary data folder): the titles list the window re-reads every 2 s, the per-title license
//! summary it re-reads every 30 s (one SQL query), and, for comparison, the full license list the
//! Library used to read instead. Measured, not asserted: `cargo bench -p layover-engine --bench
//! library` (`TITLES=` and `LICENSES_PER_TITLE=` change the size).

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use layover_engine::{DataDir, DataDirSource, Engine};

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn library(c: &mut Criterion) {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let dir = tempfile::tempdir().expect("tempdir");
    let titles = env_or("TITLES", 10_000);
    let per_title = env_or("LICENSES_PER_TITLE", 5);
    let engine = rt.block_on(async {
        let engine = Engine::open(DataDir::at(dir.path(), DataDirSource::Flag))
            .await
            .expect("engine");
        let started = Instant::now();
        let made = engine
            .fill_synthetic_library(titles, per_title)
            .await
            .expect("generated");
        eprintln!(
            "generated {} titles and {} licenses in {:.1} s",
            made.titles,
            made.licenses,
            started.elapsed().as_secs_f64()
        );
        engine
    });

    let mut group = c.benchmark_group("library");
    group
        .sample_size(20)
        .measurement_time(Duration::from_secs(8));
    group.bench_function("titles", |b| {
        b.iter(|| black_box(rt.block_on(engine.titles()).expect("titles").len()));
    });
    group.bench_function("license_summaries", |b| {
        b.iter(|| {
            black_box(
                rt.block_on(engine.license_summaries())
                    .expect("summaries")
                    .len(),
            )
        });
    });
    group.bench_function("licenses (every row, as before)", |b| {
        b.iter(|| black_box(rt.block_on(engine.licenses()).expect("licenses").len()));
    });
    group.finish();
    rt.block_on(engine.close());
}

criterion_group!(benches, library);
criterion_main!(benches);
