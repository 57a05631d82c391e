//! The fetcher against Layover's own development origin and its fault knobs.

mod common;

use layover_devserver::{Config, DevServer, Fault, FaultPlan};
use layover_engine::net::FetchRequest;

#[tokio::test]
async fn every_fault_in_turn_still_ends_in_identical_bytes() {
    let media = tempfile::tempdir().expect("tempdir");
    let data: Vec<u8> = (0..3_000_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
        .collect();
    std::fs::write(media.path().join("title.mp4"), &data).expect("write");
    let server = DevServer::start(Config::loopback(media.path()))
        .await
        .expect("starts");
    for fault in [
        Fault::Drop {
            after_bytes: 1_000_000,
        },
        Fault::Status {
            code: 503,
            retry_after: Some(2),
        },
        Fault::Status {
            code: 500,
            retry_after: None,
        },
        Fault::Drop {
            after_bytes: 500_000, // of the resumed body
        },
        Fault::IgnoreRange,
    ] {
        server.faults().push(FaultPlan {
            fault,
            times: 1,
            path_prefix: "/media/".into(),
        });
    }

    let out = tempfile::tempdir().expect("tempdir");
    let dest = out.path().join("title.mp4");
    let url = format!("{}/media/title.mp4", server.base_url());
    let fetcher = common::instant_fetcher();
    let got = fetcher
        .fetch(&FetchRequest::new(&url, &dest))
        .await
        .expect("fetched through every fault");
    assert_eq!(std::fs::read(&dest).expect("read"), data);
    assert_eq!(
        got.requests, 5,
        "four failed requests, then a whole file from the server that ignored Range: {got:?}"
    );
    assert!(server.faults().pending().is_empty());
    server.stop().await;
}

#[tokio::test]
async fn a_file_larger_than_the_background_sync_step_arrives_whole_through_a_drop() {
    // 80 MB: flushed to disk in the background twice on the way, and cut once past the first.
    let media = tempfile::tempdir().expect("tempdir");
    let data: Vec<u8> = (0..80_000_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
        .collect();
    std::fs::write(media.path().join("big.mp4"), &data).expect("write");
    let server = DevServer::start(Config::loopback(media.path()))
        .await
        .expect("starts");
    server.faults().push(FaultPlan {
        fault: Fault::Drop {
            after_bytes: 40_000_000,
        },
        times: 1,
        path_prefix: "/media/".into(),
    });
    let out = tempfile::tempdir().expect("tempdir");
    let dest = out.path().join("big.mp4");
    let url = format!("{}/media/big.mp4", server.base_url());
    let got = common::instant_fetcher()
        .fetch(&FetchRequest::new(&url, &dest))
        .await
        .expect("fetched");
    assert_eq!(got.requests, 2, "{got:?}");
    assert!(
        std::fs::read(&dest).expect("read") == data,
        "identical bytes"
    );
    server.stop().await;
}
