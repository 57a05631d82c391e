//! Licenses over real HTTP against the development license server: acquire, keep, renew,
//! release (online and queued offline), tokens, every fault, and expiry across injected time.

mod common;

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use layover_devserver::license::{
    Clock as ServerClock, DEMO_AUDIO_KEY, DEMO_AUDIO_KID, DEMO_VIDEO_KEY, DEMO_VIDEO_KID,
    JwtConfig, LicenseServerConfig, mint_hs256,
};
use layover_devserver::{Config, DevServer};
use layover_drm::Kid;
use layover_engine::library::TitleState;
use layover_engine::licenses::{
    LicenseStatus, Operation, ProviderKind, ProviderProfile, ProviderSecrets,
};
use layover_engine::{ApiError, Clock, DataDir, DataDirSource, Engine, ErrorCode, ManualClock};
use serde_json::json;

/// 2026-11-25 00:00 UTC.
const T0_MS: u64 = 1_795_651_200_000;

use common::fixtures;

struct World {
    _data: tempfile::TempDir,
    data_path: std::path::PathBuf,
    clock: Arc<ManualClock>,
    server: DevServer,
    engine: Engine,
    title: i64,
}

/// An engine and a devserver sharing one manual clock, with the Shaka-packaged `cenc.mpd`
/// (video and audio under the demo keys, PlayReady header) added as a title.
async fn world(license: LicenseServerConfig) -> World {
    let clock = Arc::new(ManualClock::at_unix_ms(T0_MS));
    let server_clock = clock.clone();
    let mut license = license;
    license.clock = ServerClock::from_fn(move || server_clock.now_unix_ms().div_euclid(1000));
    let server = DevServer::start_with_license(Config::loopback(&fixtures()), license)
        .await
        .expect("server");
    let data = tempfile::tempdir().expect("tempdir");
    let data_path = data.path().to_owned();
    let engine =
        Engine::open_with_clock(DataDir::at(data.path(), DataDirSource::Flag), clock.clone())
            .await
            .expect("engine")
            .with_fetcher(common::instant_fetcher());
    let title = engine
        .add_link(&format!("{}/media/cenc.mpd", server.base_url()))
        .await
        .expect("added")
        .id;
    World {
        _data: data,
        data_path,
        clock,
        server,
        engine,
        title,
    }
}

fn profile(name: &str, kind: ProviderKind, url: String) -> ProviderProfile {
    serde_json::from_value(json!({"name": name, "kind": kind, "url": url})).expect("profile")
}

async fn use_provider(w: &World, p: ProviderProfile, token: Option<String>) {
    let p = w
        .engine
        .add_provider(
            p,
            ProviderSecrets {
                token,
                ..ProviderSecrets::default()
            },
        )
        .await
        .expect("provider");
    w.engine
        .set_default_provider(Some(p.id))
        .await
        .expect("default");
}

fn api(e: layover_engine::Error) -> ApiError {
    ApiError::from(e)
}

#[tokio::test]
async fn test_identity_playready_license_is_acquired_kept_renewed_and_expires_by_the_clocks() {
    let w = world(LicenseServerConfig::demo()).await;
    use_provider(
        &w,
        profile("Demo key delivery", ProviderKind::Ams, w.server.base_url()),
        None,
    )
    .await;

    let got = w
        .engine
        .acquire_licenses(w.title, Operation::Acquire)
        .await
        .expect("acquired");
    assert_eq!(got.len(), 2, "video and audio KIDs: {got:?}");
    for l in &got {
        assert_eq!(l.status, LicenseStatus::Valid, "{l:?}");
        assert_eq!(l.system, "playready");
        assert!(l.persistent && l.has_key);
        assert_eq!(l.playback_window_secs, Some(48 * 3600));
        assert_eq!(
            l.license_end_ms,
            Some(i64::try_from(T0_MS).unwrap() + 30 * 24 * 3600 * 1000)
        );
    }
    // The keys came through the ECC wrap to the test identity and are stored sealed.
    for (kid, key) in [
        (DEMO_VIDEO_KID, DEMO_VIDEO_KEY),
        (DEMO_AUDIO_KID, DEMO_AUDIO_KEY),
    ] {
        let held = w
            .engine
            .content_key(w.title, Kid(kid.0))
            .await
            .expect("read")
            .expect("held");
        assert_eq!(held.expose().as_slice(), key);
    }
    let asked = |w: &World| w.server.license().stats().kid(DEMO_VIDEO_KID).playready;
    assert_eq!(asked(&w), 1);

    // Billing rule: a usable stored license is never requested again.
    w.engine
        .acquire_licenses(w.title, Operation::Acquire)
        .await
        .expect("stored");
    assert_eq!(asked(&w), 1);

    // Renewal asks again and records it.
    w.clock.advance(Duration::from_secs(3600));
    let renewed = w
        .engine
        .acquire_licenses(w.title, Operation::Renew)
        .await
        .expect("renewed");
    assert!(renewed.iter().all(|l| l.renewed_ms.is_some()));
    assert_eq!(asked(&w), 2);
    let details = w
        .engine
        .license_details(&w.title.to_string())
        .await
        .expect("details");
    // One request per PlayReady header (Shaka writes one per track, each naming its own key).
    assert_eq!(details.requests, 4);
    let ops: Vec<&str> = details
        .history
        .iter()
        .map(|h| h.operation.as_str())
        .collect();
    assert_eq!(ops, ["renew", "renew", "acquire", "acquire"]);
    assert!(details.history.iter().all(|h| h.http_status == Some(200)));

    // First play starts the 48 h playback window, which now decides.
    w.engine.record_first_play(w.title).await.expect("played");
    w.clock.advance(Duration::from_secs(47 * 3600));
    let l = &w.engine.title_licenses(w.title).await.expect("views")[0];
    assert_eq!(l.status, LicenseStatus::ExpiringSoon);
    assert_eq!(l.remaining_secs, Some(3600));
    w.clock.advance(Duration::from_secs(2 * 3600));
    let l = &w.engine.title_licenses(w.title).await.expect("views")[0];
    assert_eq!(l.status, LicenseStatus::Expired);

    // Setting the clock back a week does not bring it back.
    w.clock
        .set(SystemTime::UNIX_EPOCH + Duration::from_millis(T0_MS));
    let l = &w.engine.title_licenses(w.title).await.expect("views")[0];
    assert!(l.clock_rolled_back);
    assert_eq!(l.status, LicenseStatus::Expired);
}

#[tokio::test]
async fn clearkey_licenses_are_released_online_or_queued_until_the_server_is_back() {
    let w = world(LicenseServerConfig::demo()).await;
    use_provider(
        &w,
        profile(
            "Demo ClearKey",
            ProviderKind::Clearkey,
            format!("{}/clearkey", w.server.base_url()),
        ),
        None,
    )
    .await;
    let got = w
        .engine
        .acquire_licenses(w.title, Operation::Acquire)
        .await
        .expect("acquired");
    assert!(got.iter().all(|l| l.system == "clearkey" && l.has_key));

    // The server is offline: the release is queued and the keys are forgotten at once.
    w.server.license().set_offline(true);
    let released = w.engine.release_licenses(w.title).await.expect("release");
    assert!(
        released
            .iter()
            .all(|l| l.status == LicenseStatus::ReleasePending),
        "{released:?}"
    );
    assert!(
        w.engine
            .content_key(w.title, Kid(DEMO_VIDEO_KID.0))
            .await
            .expect("read")
            .is_none()
    );
    // Upkeep before the retry time does nothing; after it, the release goes out.
    w.server.license().set_offline(false);
    let early = w.engine.license_maintenance(0).await.expect("upkeep");
    assert_eq!(early.release_queued, 2);
    assert_eq!(w.server.license().stats().kid(DEMO_VIDEO_KID).released, 0);
    w.clock.advance(Duration::from_secs(120));
    w.engine.license_maintenance(0).await.expect("upkeep");
    assert_eq!(w.server.license().stats().kid(DEMO_VIDEO_KID).released, 1);
    let after = w.engine.title_licenses(w.title).await.expect("views");
    assert!(after.iter().all(|l| l.status == LicenseStatus::Released));
    let history = w
        .engine
        .license_details(&w.title.to_string())
        .await
        .expect("details")
        .history;
    assert!(history.iter().any(|h| h.outcome == "queued"));
    assert!(
        history
            .iter()
            .any(|h| h.operation == "release" && h.outcome == "ok")
    );
}

#[tokio::test]
async fn aes_clear_key_delivery_gets_each_key() {
    let w = world(LicenseServerConfig::demo()).await;
    let mut p = profile("Demo AES", ProviderKind::Ams, w.server.base_url());
    p.ams_delivery = layover_engine::licenses::AmsDelivery::AesKey;
    use_provider(&w, p, None).await;
    let got = w
        .engine
        .acquire_licenses(w.title, Operation::Acquire)
        .await
        .expect("acquired");
    assert!(got.iter().all(|l| l.system == "aes_key" && l.has_key));
    assert_eq!(w.server.license().stats().kid(DEMO_AUDIO_KID).aes, 1);
    assert_eq!(w.server.license().stats().kid(DEMO_VIDEO_KID).aes, 1);
}

#[tokio::test]
async fn tokens_are_sent_and_refusals_say_the_token_is_the_problem() {
    let secret = b"a test-only signing secret";
    let mut config = LicenseServerConfig::demo();
    let mut jwt = JwtConfig::hs256(secret, "layover-demo", "urn:layover");
    // One token for the title's two keys (video and audio), not one per key.
    jwt.kid_claim = None;
    jwt.required_claims.clear();
    config.jwt = Some(jwt);
    let w = world(config).await;
    let now = i64::try_from(T0_MS / 1000).unwrap();
    let claims = |exp: i64| json!({"iss": "layover-demo", "aud": "urn:layover", "exp": exp});

    // No token: 401 in words.
    use_provider(
        &w,
        profile("Tokened", ProviderKind::Ams, w.server.base_url()),
        None,
    )
    .await;
    let e = api(w
        .engine
        .acquire_licenses(w.title, Operation::Acquire)
        .await
        .unwrap_err());
    assert_eq!(e.code, ErrorCode::Unauthorized, "{e:?}");
    assert!(e.message.contains("token missing"), "{e:?}");

    // An expired token, then a good one.
    let provider = w.engine.provider("Tokened").await.expect("p");
    let set_token = |t: String| ProviderSecrets {
        token: Some(t),
        ..ProviderSecrets::default()
    };
    w.engine
        .update_provider(
            provider.id,
            provider.profile.clone(),
            set_token(mint_hs256(&claims(now - 10), secret)),
        )
        .await
        .expect("token");
    let e = api(w
        .engine
        .acquire_licenses(w.title, Operation::Acquire)
        .await
        .unwrap_err());
    assert!(e.message.contains("token expired"), "{e:?}");
    let good = mint_hs256(&claims(now + 3600), secret);
    w.engine
        .update_provider(
            provider.id,
            provider.profile.clone(),
            set_token(good.clone()),
        )
        .await
        .expect("token");
    let got = w
        .engine
        .acquire_licenses(w.title, Operation::Acquire)
        .await
        .expect("acquired");
    assert!(got.iter().all(|l| l.status == LicenseStatus::Valid));

    // The token is sealed: it is not in the database file in the clear, nor in an export.
    w.engine.close().await;
    let mut db = Vec::new();
    for entry in std::fs::read_dir(&w.data_path).expect("dir").flatten() {
        if entry
            .file_name()
            .to_string_lossy()
            .starts_with("layover.db")
        {
            db.extend(std::fs::read(entry.path()).expect("read"));
        }
    }
    assert!(!db.is_empty());
    let needle = good.as_bytes();
    assert!(!db.windows(needle.len()).any(|w| w == needle));
    assert!(!db.windows(16).any(|w| w == DEMO_VIDEO_KEY));
}

#[tokio::test]
async fn every_playready_fault_is_named_and_recorded_and_redirects_are_followed() {
    let w = world(LicenseServerConfig::demo()).await;
    let base = w.server.base_url();
    let mut id = None;
    for (code, words) in [
        ("C065", "revoked"),
        ("C600", "server internal error"),
        ("C601", "invalid message"),
        ("C602", "device limit reached"),
        ("C604", "service-specific"),
        ("C605", "domain required"),
        ("C606", "renew domain"),
        ("C60A", "not a domain member"),
        ("C60B", "protocol version mismatch"),
        ("C60C", "unknown account"),
    ] {
        let mut p = profile(
            &format!("fault {code}"),
            ProviderKind::Playready,
            String::new(),
        );
        p.url = None;
        p.la_url_override = Some(format!("{base}/PlayReady/?fault={code}"));
        let added = w
            .engine
            .add_provider(p, ProviderSecrets::default())
            .await
            .expect("provider");
        w.engine
            .set_default_provider(Some(added.id))
            .await
            .expect("default");
        let e = api(w
            .engine
            .acquire_licenses(w.title, Operation::Acquire)
            .await
            .unwrap_err());
        // The server's own failure is retried later; every other fault is a refusal.
        let want = if code == "C600" {
            ErrorCode::Offline
        } else {
            ErrorCode::LicenseRefused
        };
        assert_eq!(e.code, want, "{code}: {e:?}");
        assert!(
            e.message.to_lowercase().contains(words),
            "{code}: {}",
            e.message
        );
        let history = w
            .engine
            .license_details(&w.title.to_string())
            .await
            .expect("details")
            .history;
        let fault = history[0].fault_code.clone().expect("fault code");
        assert!(fault.ends_with(code), "{fault} for {code}");
        id = Some(added.id);
    }
    // A refusal is not retried on its own.
    let l = &w.engine.title_licenses(w.title).await.expect("views")[0];
    assert_eq!(l.status, LicenseStatus::Failed);
    w.clock.advance(Duration::from_secs(3 * 24 * 3600));
    let report = w.engine.license_maintenance(0).await.expect("upkeep");
    assert!(
        report.acquired.is_empty() && report.failed.is_empty(),
        "{report:?}"
    );

    // The redirect fault sends Layover to the server's real endpoint.
    let mut p = w
        .engine
        .provider(&id.expect("id").to_string())
        .await
        .expect("p")
        .profile;
    p.la_url_override = Some(format!(
        "{base}/PlayReady/?fault=C60D&redirect={base}/PlayReady/"
    ));
    w.engine
        .update_provider(id.expect("id"), p, ProviderSecrets::default())
        .await
        .expect("update");
    let got = w
        .engine
        .acquire_licenses(w.title, Operation::Acquire)
        .await
        .expect("redirected");
    assert!(got.iter().all(|l| l.status == LicenseStatus::Valid));
}

#[tokio::test]
async fn a_server_error_is_retried_by_upkeep_after_the_backoff() {
    let w = world(LicenseServerConfig::demo()).await;
    let base = w.server.base_url();
    w.server.license().set_offline(true);
    use_provider(
        &w,
        profile("Demo key delivery", ProviderKind::Ams, base.clone()),
        None,
    )
    .await;
    let e = api(w
        .engine
        .acquire_licenses(w.title, Operation::Acquire)
        .await
        .unwrap_err());
    assert_eq!(e.code, ErrorCode::Offline, "{e:?}");
    w.server.license().set_offline(false);
    let report = w.engine.license_maintenance(0).await.expect("upkeep");
    assert!(report.acquired.is_empty(), "retried before the backoff");
    w.clock.advance(Duration::from_secs(61));
    let report = w.engine.license_maintenance(0).await.expect("upkeep");
    assert_eq!(report.acquired.len(), 1, "{report:?}");
    let l = &w.engine.title_licenses(w.title).await.expect("views")[0];
    assert_eq!(l.status, LicenseStatus::Valid);
}

#[tokio::test]
async fn upkeep_renews_persistent_licenses_inside_the_window_and_notices_once() {
    let w = world(LicenseServerConfig::demo()).await;
    let mut p = profile("Short", ProviderKind::Ams, w.server.base_url());
    p.query
        .insert("cfg".into(), "(persist:true,relexp:86400)".into());
    use_provider(&w, p, None).await;
    w.engine
        .acquire_licenses(w.title, Operation::Acquire)
        .await
        .expect("acquired");
    // One day left: inside the 48 h notice window, outside a 1 h renew window.
    let report = w.engine.license_maintenance(3600).await.expect("upkeep");
    assert!(report.renewed.is_empty());
    assert_eq!(report.expiring_soon.len(), 2);
    let again = w.engine.license_maintenance(3600).await.expect("upkeep");
    assert!(again.expiring_soon.is_empty(), "noticed once");
    // Inside the 3-day default window: renewed.
    let report = w
        .engine
        .license_maintenance(3 * 24 * 3600)
        .await
        .expect("upkeep");
    assert_eq!(report.renewed.len(), 1, "{report:?}");
    assert_eq!(w.server.license().stats().kid(DEMO_VIDEO_KID).playready, 2);
}

#[tokio::test]
async fn providers_export_without_secrets_and_import_back() {
    let w = world(LicenseServerConfig::demo()).await;
    let mut p = profile(
        "Contoso",
        ProviderKind::Ams,
        "https://contoso.keydelivery.westeurope.media.azure.net".into(),
    );
    p.headers.insert("X-Tenant".into(), "contoso".into());
    w.engine
        .add_provider(
            p,
            ProviderSecrets {
                token: Some("eyJhbGciOi.secret-token-value.sig".into()),
                ..ProviderSecrets::default()
            },
        )
        .await
        .expect("added");
    let export = w.engine.export_providers().await.expect("export");
    assert!(export.contains("Contoso") && export.contains("X-Tenant"));
    assert!(!export.contains("secret-token-value"));
    let listed = w.engine.providers().await.expect("list");
    assert!(listed[0].has_token);

    let other = tempfile::tempdir().expect("tempdir");
    let engine2 = Engine::open(DataDir::at(other.path(), DataDirSource::Flag))
        .await
        .expect("engine");
    assert_eq!(
        engine2.import_providers(&export).await.expect("import"),
        (1, 0)
    );
    assert_eq!(
        engine2.import_providers(&export).await.expect("import"),
        (0, 1)
    );
    let p = engine2.provider("contoso").await.expect("by name");
    assert!(!p.has_token);

    // Plain http to another machine is refused before anything is stored.
    let bad = profile(
        "Plain",
        ProviderKind::Clearkey,
        "http://licenses.example.com/ck".into(),
    );
    let e = api(engine2
        .add_provider(bad, ProviderSecrets::default())
        .await
        .unwrap_err());
    assert_eq!(e.code, ErrorCode::InvalidInput);
    assert!(e.message.contains("https"));
}

#[tokio::test]
async fn a_download_acquires_its_licenses_and_deleting_the_title_releases_them() {
    let w = world(LicenseServerConfig::demo()).await;
    use_provider(
        &w,
        profile(
            "Demo ClearKey",
            ProviderKind::Clearkey,
            format!("{}/clearkey", w.server.base_url()),
        ),
        None,
    )
    .await;
    let done = w
        .engine
        .download(w.title, &|_| {})
        .await
        .expect("downloaded");
    assert_eq!(done.state, layover_engine::TitleState::Completed);
    let licenses = w.engine.title_licenses(w.title).await.expect("views");
    assert_eq!(licenses.len(), 2);
    assert!(
        licenses.iter().all(|l| l.status == LicenseStatus::Valid),
        "{licenses:?}"
    );
    assert_eq!(w.server.license().stats().kid(DEMO_VIDEO_KID).clearkey, 1);

    w.engine.remove(w.title).await.expect("removed");
    assert_eq!(w.server.license().stats().kid(DEMO_VIDEO_KID).released, 1);
    // The rows outlive the title, released, with the request history.
    let all = w.engine.licenses().await.expect("list");
    assert!(
        all.iter()
            .all(|l| l.status == LicenseStatus::Released && l.title_id.is_none())
    );
    let details = w.engine.license_details("cenc").await;
    assert!(details.is_err(), "the title is gone; its KIDs still answer");
    let by_kid = w
        .engine
        .license_details("0a1b2c3d4e5f40718293a4b5c6d7e8f9")
        .await
        .expect("by KID");
    assert!(by_kid.history.iter().any(|h| h.operation == "release"));
}

#[tokio::test]
async fn without_a_provider_the_licenses_wait_and_say_why() {
    let w = world(LicenseServerConfig::demo()).await;
    let e = api(w
        .engine
        .acquire_licenses(w.title, Operation::Acquire)
        .await
        .unwrap_err());
    assert_eq!(e.code, ErrorCode::InvalidInput);
    let l = w.engine.title_licenses(w.title).await.expect("views");
    assert_eq!(l.len(), 2);
    assert!(l.iter().all(|l| l.status == LicenseStatus::Pending));
    assert!(
        l[0].status_reason
            .as_deref()
            .is_some_and(|r| r.contains("Settings > License providers")),
        "{l:?}"
    );
    assert_eq!(w.server.license().stats().requests, 0);
}

#[tokio::test]
async fn a_token_without_the_content_key_claim_is_refused_in_words() {
    let secret = b"a test-only signing secret";
    let mut config = LicenseServerConfig::demo();
    // AMS-style: the token must name the content key it is for.
    config.jwt = Some(JwtConfig::hs256(secret, "layover-demo", "urn:layover"));
    let w = world(config).await;
    let now = i64::try_from(T0_MS / 1000).unwrap();
    let token = mint_hs256(
        &json!({"iss": "layover-demo", "aud": "urn:layover", "exp": now + 3600}),
        secret,
    );
    use_provider(
        &w,
        profile("Tokened", ProviderKind::Ams, w.server.base_url()),
        Some(token),
    )
    .await;
    let e = api(w
        .engine
        .acquire_licenses(w.title, Operation::Acquire)
        .await
        .unwrap_err());
    assert_eq!(e.code, ErrorCode::Unauthorized, "{e:?}");
    assert!(e.message.contains("missing claim"), "{e:?}");
    assert!(
        !e.message
            .contains(secret.as_slice().escape_ascii().to_string().as_str()),
        "no secret in the message"
    );
}

#[tokio::test]
async fn tokens_are_fetched_from_the_token_url_and_refreshed_when_they_expire() {
    use std::sync::atomic::{AtomicUsize, Ordering};

    let secret: &'static [u8] = b"a test-only signing secret";
    let mut config = LicenseServerConfig::demo();
    let mut jwt = JwtConfig::hs256(secret, "layover-demo", "urn:layover");
    jwt.kid_claim = None;
    config.jwt = Some(jwt);
    let w = world(config).await;

    // A token service: each call mints a token valid for one hour from the shared clock.
    let calls = Arc::new(AtomicUsize::new(0));
    let (c, clock) = (calls.clone(), w.clock.clone());
    let app = axum::Router::new().route(
        "/token",
        axum::routing::get(move || {
            let (c, clock) = (c.clone(), clock.clone());
            async move {
                c.fetch_add(1, Ordering::SeqCst);
                let exp = clock.now_unix_ms().div_euclid(1000) + 3600;
                axum::Json(json!({"access_token": mint_hs256(
                    &json!({"iss": "layover-demo", "aud": "urn:layover", "exp": exp}),
                    secret,
                )}))
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let token_url = format!("http://{}/token", listener.local_addr().expect("addr"));
    tokio::spawn(async move { axum::serve(listener, app).await });

    let mut p = profile("Token service", ProviderKind::Ams, w.server.base_url());
    p.token_url = Some(token_url);
    use_provider(&w, p, None).await;

    w.engine
        .acquire_licenses(w.title, Operation::Acquire)
        .await
        .expect("acquired with a fetched token");
    assert_eq!(
        calls.load(Ordering::SeqCst),
        1,
        "one token for both requests"
    );
    assert!(
        w.engine
            .provider("Token service")
            .await
            .expect("p")
            .has_token
    );

    w.clock.advance(Duration::from_secs(600));
    w.engine
        .acquire_licenses(w.title, Operation::Renew)
        .await
        .expect("renewed with the stored token");
    assert_eq!(calls.load(Ordering::SeqCst), 1);

    // Past its expiry the token is refreshed before the request, not after a refusal.
    w.clock.advance(Duration::from_secs(3600));
    w.engine
        .acquire_licenses(w.title, Operation::Renew)
        .await
        .expect("renewed with a fresh token");
    assert_eq!(calls.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_downloaded_progressive_file_with_its_moov_at_the_end_needs_no_request() {
    // ffmpeg's non-faststart file (ftyp, free, mdat, moov) with 5 MB of `free` before the moov,
    // so the moov lies beyond the 4 MB header probe: only reading the whole file finds it.
    let src = std::fs::read(fixtures().join("ffmpeg-cenc.mp4")).expect("fixture");
    let moov_at = src.windows(4).position(|w| w == b"moov").expect("moov") - 4;
    let mut big = src[..moov_at].to_vec();
    let pad = 5 << 20;
    big.extend_from_slice(&u32::try_from(pad + 8).unwrap().to_be_bytes());
    big.extend_from_slice(b"free");
    big.resize(big.len() + pad, 0);
    big.extend_from_slice(&src[moov_at..]);
    let media = tempfile::tempdir().expect("tempdir");
    std::fs::write(media.path().join("late_moov.mp4"), &big).expect("write");
    let server = DevServer::start(Config::loopback(media.path()))
        .await
        .expect("server");
    let data = tempfile::tempdir().expect("tempdir");
    let engine = Engine::open(DataDir::at(data.path(), DataDirSource::Flag))
        .await
        .expect("engine")
        .with_fetcher(common::instant_fetcher());
    let title = engine
        .add_link(&format!("{}/media/late_moov.mp4", server.base_url()))
        .await
        .expect("added");
    let done = engine.download(title.id, &|_| {}).await.expect("done");
    assert_eq!(done.state, layover_engine::TitleState::Completed);
    server.stop().await;
    let p = engine
        .title_protection(&done)
        .await
        .expect("read from disk");
    assert_eq!(
        p.kids,
        vec![Kid::parse_hex("b0b1b2b3b4b5b6b7b8b9babbbcbdbebf").expect("kid")]
    );
}

#[tokio::test]
async fn eme_challenges_are_carried_to_the_server_and_the_policy_kept_without_keys() {
    use layover_drm::challenge::{ChallengeParams, build_challenge};
    use layover_drm::ecc::TestIdentity;
    use layover_drm::soap::acquire_license_envelope;
    use rand_core::SeedableRng as _;

    let w = world(LicenseServerConfig::demo()).await;
    let mut p = profile("Real PlayReady", ProviderKind::Playready, String::new());
    p.url = None;
    p.la_url_override = Some(format!("{}/PlayReady/", w.server.base_url()));
    p.playready_client = layover_engine::licenses::PlayReadyClient::WebviewEme;
    use_provider(&w, p, None).await;

    // The player asks how to play: through the WebView's PlayReady CDM, persistent sessions.
    let setup = w
        .engine
        .eme_setup(w.title)
        .await
        .expect("setup")
        .expect("an EME title");
    assert_eq!(setup.key_system, "com.microsoft.playready.recommendation");
    assert!(setup.persistent && setup.session_ids.is_empty());
    // Layover does not ask for such a license itself: the CDM does.
    let e = api(w
        .engine
        .acquire_licenses(w.title, Operation::Acquire)
        .await
        .unwrap_err());
    assert!(e.message.contains("WebView"), "{e:?}");

    // Stand-in for WebView2's CDM: a challenge the development server accepts (our test
    // identity), as an EME message would carry it. Layover only carries it.
    let protection = w
        .engine
        .title_protection(&w.engine.title(w.title).await.expect("title"))
        .await
        .expect("protection");
    let cdm = TestIdentity::generate(&mut rand_chacha::ChaCha20Rng::seed_from_u64(7));
    let challenge = build_challenge(
        &cdm,
        &ChallengeParams {
            wrm_header: &protection.playready_headers[0].0,
            custom_data: None,
            nonce: [5; 16],
            client_time: i64::try_from(T0_MS / 1000).unwrap(),
        },
    )
    .expect("challenge");
    let envelope = acquire_license_envelope(&challenge).expect("envelope");
    let answer = w
        .engine
        .eme_license_request(w.title, envelope.into_bytes())
        .await
        .expect("carried");
    let answer = String::from_utf8(answer).expect("SOAP text");
    assert!(answer.contains("AcquireLicenseResponse"), "{answer}");

    // The policy is tracked like any other license, but no key is held.
    let licenses = w.engine.title_licenses(w.title).await.expect("views");
    let video = licenses
        .iter()
        .find(|l| l.kid == "0a1b2c3d-4e5f-4071-8293-a4b5c6d7e8f9")
        .expect("video key");
    assert_eq!(video.status, LicenseStatus::Valid);
    assert!(!video.has_key);
    assert_eq!(video.playback_window_secs, Some(48 * 3600));
    let history = w
        .engine
        .license_details(&w.title.to_string())
        .await
        .expect("details")
        .history;
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].http_status, Some(200));

    // Session ids come back on the next play.
    w.engine
        .eme_save_sessions(w.title, &["session-1".to_owned()])
        .await
        .expect("saved");
    let again = w
        .engine
        .eme_setup(w.title)
        .await
        .expect("setup")
        .expect("EME");
    assert_eq!(again.session_ids, ["session-1"]);
}

#[tokio::test]
async fn getting_ready_for_a_trip_renews_what_would_lapse_and_says_what_lasts() {
    let w = world(LicenseServerConfig::demo()).await;
    let mut p = profile("Short", ProviderKind::Ams, w.server.base_url());
    p.query
        .insert("cfg".into(), "(persist:true,relexp:86400)".into());
    use_provider(&w, p.clone(), None).await;
    let back = i64::try_from(T0_MS).unwrap() + 3 * 24 * 3600 * 1000;

    // Not downloaded yet: it cannot last, whatever its license.
    let report = w.engine.prepare_trip(back, false).await.expect("report");
    assert!(!report.titles[0].lasts);
    assert!(
        report.titles[0].note.contains("waiting to download"),
        "{report:?}"
    );
    assert_eq!(report.downloading, 1);

    w.engine
        .download(w.title, &|_| {})
        .await
        .expect("downloaded");
    let report = w.engine.prepare_trip(back, false).await.expect("report");
    let t = &report.titles[0];
    assert!(
        !t.lasts,
        "a one-day license does not last three days: {t:?}"
    );
    assert!(t.note.contains("ends before you are back"), "{t:?}");
    let asked = w.server.license().stats().requests;

    // The provider now grants 30 days: getting ready renews, and the title lasts.
    let provider = w.engine.provider("Short").await.expect("p");
    p.query
        .insert("cfg".into(), "(persist:true,relexp:2592000)".into());
    w.engine
        .update_provider(provider.id, p, ProviderSecrets::default())
        .await
        .expect("update");
    let report = w.engine.prepare_trip(back, true).await.expect("report");
    let t = &report.titles[0];
    assert!(t.lasts && t.renewed, "{t:?}");
    assert!(t.note.contains("renewed for the trip"), "{t:?}");
    assert!(t.note.contains("once started it plays for 48 h"), "{t:?}");
    assert_eq!(
        w.server.license().stats().requests,
        asked + 2,
        "one per header"
    );

    // Ready titles are not renewed again (billing).
    let again = w.engine.prepare_trip(back, true).await.expect("report");
    assert!(again.titles[0].lasts && !again.titles[0].renewed);
    assert_eq!(w.server.license().stats().requests, asked + 2);
}

#[tokio::test]
async fn a_trip_takes_the_picked_titles_queues_them_and_is_kept_until_forgotten() {
    let w = world(LicenseServerConfig::demo()).await;
    let mut p = profile("Month", ProviderKind::Ams, w.server.base_url());
    p.query
        .insert("cfg".into(), "(persist:true,relexp:2592000)".into());
    use_provider(&w, p, None).await;
    let now = i64::try_from(T0_MS).unwrap();
    let back = now + 3 * 24 * 3600 * 1000;
    let other = w
        .engine
        .add_link(&format!("{}/media/clear.mpd", w.server.base_url()))
        .await
        .expect("added")
        .id;

    // Nothing picked, or a return already past: said in words, nothing saved.
    let err = w.engine.plan_trip(back, &[], true).await.expect_err("none");
    assert!(err.to_string().contains("pick the titles"), "{err}");
    let err = w
        .engine
        .plan_trip(now - 1, &[w.title], true)
        .await
        .expect_err("past");
    assert!(err.to_string().contains("already passed"), "{err}");
    assert!(w.engine.current_trip().await.expect("read").is_none());

    // A paused title picked for the trip goes back in the queue; the other is not on the trip.
    w.engine.pause(w.title).await.expect("paused");
    let dry = w
        .engine
        .plan_trip(back, &[w.title], false)
        .await
        .expect("dry run");
    assert_eq!(
        dry.titles[0].state,
        TitleState::Paused,
        "a dry run changes nothing"
    );
    assert!(w.engine.current_trip().await.expect("read").is_none());
    let report = w
        .engine
        .plan_trip(back, &[w.title], true)
        .await
        .expect("planned");
    assert_eq!(report.titles.len(), 1, "{report:?}");
    let t = &report.titles[0];
    assert_eq!((t.title_id, t.state), (w.title, TitleState::Queued));
    assert!(!t.lasts && t.note.contains("waiting to download"), "{t:?}");
    assert_eq!(report.downloading, 1);
    assert_eq!(
        w.engine.title(other).await.expect("other").state,
        TitleState::Queued,
        "untouched"
    );

    // The saved trip follows the download: once on disk with a month's license, it lasts.
    w.engine
        .download(w.title, &|_| {})
        .await
        .expect("downloaded");
    let saved = w.engine.current_trip().await.expect("read").expect("saved");
    assert_eq!(saved.return_ms, back);
    assert_eq!(saved.downloading, 0);
    let t = &saved.titles[0];
    assert!(t.lasts && !t.renewed, "{t:?}");
    assert!(t.note.contains("lasts the whole trip"), "{t:?}");

    // A deleted title leaves the trip; forgetting it leaves the library alone.
    w.engine.remove(w.title).await.expect("removed");
    let saved = w.engine.current_trip().await.expect("read").expect("kept");
    assert!(saved.titles.is_empty(), "{saved:?}");
    w.engine.forget_trip().await.expect("forgot");
    assert!(w.engine.current_trip().await.expect("read").is_none());
    assert!(w.engine.title(other).await.is_ok());
}

#[tokio::test]
async fn the_licenses_view_gets_one_card_per_title_with_its_deciding_license() {
    let w = world(LicenseServerConfig::demo()).await;
    let p = profile("Demo", ProviderKind::Ams, w.server.base_url());
    use_provider(&w, p, None).await;
    w.engine
        .download(w.title, &|_| {})
        .await
        .expect("downloaded");
    let cards = w.engine.license_cards().await.expect("cards");
    assert_eq!(cards.len(), 1, "{cards:?}");
    assert_eq!(cards[0].keys, 2, "video and audio keys");
    assert_eq!(cards[0].license.title_id, Some(w.title));
    assert_eq!(cards[0].license.title_name, "cenc");
    assert_eq!(cards[0].license.status, LicenseStatus::Valid);
    let all = w.engine.licenses().await.expect("all");
    assert!(
        all.iter().any(|l| l.id == cards[0].license.id),
        "the card's license is one of the title's"
    );
    // The soonest to lapse decides.
    let soonest = all.iter().filter_map(|l| l.expires_ms).min();
    assert_eq!(cards[0].license.expires_ms, soonest);

    // Deleted, the title's licenses are kept (given back): a card each, not lost from view.
    w.engine.remove(w.title).await.expect("removed");
    let cards = w.engine.license_cards().await.expect("cards");
    assert_eq!(cards.len(), 2, "{cards:?}");
    assert!(
        cards
            .iter()
            .all(|c| c.keys == 1 && c.license.title_id.is_none()),
        "{cards:?}"
    );
}
