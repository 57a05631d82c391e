//! The demo catalog: PIFF made from ffmpeg's CENC decrypts to the same samples, and the
//! server hands out the feed with absolute URLs and every file it names.

use std::path::{Path, PathBuf};

use layover_devserver::{Config, DevServer, piff};
use layover_media::boxes::{Mp4Box, parse_all};
use layover_media::decrypt::{ContentKey, KeyStore, decrypt_file};
use layover_media::{FourCc, Kid};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn fixtures() -> PathBuf {
    let dir = std::env::var_os("LAYOVER_FIXTURES")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join("target/fixtures/media"));
    assert!(
        dir.join(".stamp").is_file(),
        "fixture media missing in {}: run assets/media/make-fixtures.sh",
        dir.display()
    );
    dir
}

fn demo_dir() -> PathBuf {
    let dir = std::env::var_os("LAYOVER_DEMO_MEDIA")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join("target/demo"));
    assert!(
        dir.join(".stamp").is_file(),
        "demo media missing in {}: run assets/media/make-demo.sh",
        dir.display()
    );
    dir
}

fn key(name: &str) -> String {
    let env = std::fs::read_to_string(repo().join("assets/media/test-keys.env")).expect("keys");
    env.lines()
        .find_map(|l| l.strip_prefix(&format!("{name}=")))
        .expect("key in test-keys.env")
        .to_owned()
}

fn all_boxes<'a>(boxes: &'a [Mp4Box], out: &mut Vec<&'a Mp4Box>) {
    for b in boxes {
        out.push(b);
        all_boxes(b.children(), out);
    }
}

fn mdat_payloads(file: &[u8]) -> Vec<u8> {
    parse_all(file)
        .expect("parses")
        .iter()
        .filter(|b| b.box_type == FourCc::new(b"mdat"))
        .flat_map(|b| b.raw_payload().unwrap_or_default().to_vec())
        .collect()
}

#[test]
fn piff_from_ffmpeg_cenc_decrypts_to_the_same_samples() {
    let input = std::fs::read(fixtures().join("ffmpeg-cenc-frag.mp4")).expect("fixture");
    let kid: Kid = key("FFMPEG_KID").parse().expect("kid");
    let content_key = ContentKey::from_hex(&key("FFMPEG_KEY")).expect("key");
    let pro = piff::playready_object(kid, &content_key.0, Some("http://127.0.0.1:1/PlayReady/"));
    let converted = piff::cenc_to_piff(&input, Some(&pro)).expect("converts");

    let tree = parse_all(&converted).expect("the PIFF file parses");
    let mut flat = Vec::new();
    all_boxes(&tree, &mut flat);
    let uuid = |t: &[u8; 16]| {
        flat.iter()
            .filter(|b| b.user_type.as_ref() == Some(t))
            .count()
    };
    assert!(
        !flat
            .iter()
            .any(|b| matches!(&b.box_type.0, b"senc" | b"tenc" | b"saio"))
    );
    assert!(uuid(&piff::PIFF_TRACK_ENCRYPTION) >= 2, "one per track");
    assert!(uuid(&piff::PIFF_SAMPLE_ENCRYPTION) >= 2, "one per fragment");
    assert_eq!(uuid(&piff::PIFF_PROTECTION_HEADER), 1);

    let mut keys = KeyStore::new();
    keys.insert(kid, content_key);
    let clear_from_cenc = decrypt_file(&input, &keys).expect("cenc decrypts");
    let clear_from_piff = decrypt_file(&converted, &keys).expect("PIFF decrypts");
    let (a, b) = (
        mdat_payloads(&clear_from_cenc),
        mdat_payloads(&clear_from_piff),
    );
    assert!(!a.is_empty());
    assert!(a == b, "the decrypted samples differ");
    assert!(
        a != mdat_payloads(&converted),
        "the PIFF samples are encrypted"
    );
}

#[tokio::test]
async fn the_demo_catalog_is_served_with_absolute_urls() {
    let server = DevServer::start(Config::loopback(&fixtures()).with_demo(Some(demo_dir())))
        .await
        .expect("starts");
    let base = server.base_url();
    let client = reqwest::Client::new();
    let body = client
        .get(format!("{base}/catalog.json"))
        .send()
        .await
        .expect("feed")
        .bytes()
        .await
        .expect("body");
    let feed: serde_json::Value = serde_json::from_slice(&body).expect("JSON");
    assert_eq!(feed["catalog"], 1);
    let titles = feed["titles"].as_array().expect("titles");
    assert_eq!(titles.len(), 5, "one title per protection path");
    let kinds: Vec<&str> = titles.iter().filter_map(|t| t["kind"].as_str()).collect();
    for kind in ["dash", "smooth", "progressive"] {
        assert!(kinds.contains(&kind), "{kind} missing from {kinds:?}");
    }
    for t in titles {
        for field in ["poster", "manifest"] {
            let url = t[field].as_str().expect("url");
            assert!(url.starts_with(&base), "{url}");
            let r = client.get(url).send().await.expect("fetch");
            assert!(r.status().is_success(), "{url}: {}", r.status());
        }
        let license = &t["license"];
        let url = license["url"]
            .as_str()
            .or(license["la_url_override"].as_str())
            .expect("a license URL");
        assert!(url.starts_with(&base), "{url}");
    }
    let r = client
        .get(format!("{base}/demo/../Cargo.toml"))
        .send()
        .await
        .expect("fetch");
    assert!(!r.status().is_success());
    server.stop().await;
}

#[tokio::test]
async fn without_a_demo_folder_the_catalog_is_404() {
    let server = DevServer::start(Config::loopback(&fixtures()))
        .await
        .expect("starts");
    let r = reqwest::get(format!("{}/catalog.json", server.base_url()))
        .await
        .expect("fetch");
    assert_eq!(r.status(), 404);
    server.stop().await;
}

#[tokio::test]
async fn stop_within_ends_even_with_a_kept_alive_connection() {
    let server = DevServer::start(Config::loopback(&fixtures()))
        .await
        .expect("starts");
    let base = server.base_url();
    let client = reqwest::Client::new();
    let r = client
        .get(format!("{base}/_health"))
        .send()
        .await
        .expect("health");
    assert!(r.status().is_success());
    // The client keeps the connection open in its pool.
    let started = std::time::Instant::now();
    server
        .stop_within(std::time::Duration::from_millis(300))
        .await;
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
    let after = client.get(format!("{base}/_health")).send().await;
    assert!(after.map(|r| !r.status().is_success()).unwrap_or(true));
}
