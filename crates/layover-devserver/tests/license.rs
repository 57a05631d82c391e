//! The development license server over real HTTP on loopback, driven through layover-drm's CDM
//! adapters exactly as the engine will drive it.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use layover_devserver::license::{
    CONTENT_KEY_IDENTIFIER_CLAIM, Clock, DEMO_AUDIO_KEY, DEMO_AUDIO_KID, DEMO_VIDEO_KEY,
    DEMO_VIDEO_KID, JwtConfig, LicenseServerConfig, mint_hs256, mint_rs256,
};
use layover_devserver::{Config, DevServer};
use layover_drm::Kid;
use layover_drm::cdm::{
    AesClearKeyCdm, Cdm, CdmError, ClearKeyCdm, HttpLicenseRequest, HttpMethod, RequestContext,
    TestIdentityPlayReady,
};
use layover_drm::challenge::wrm_header_xml;
use layover_drm::ecc::TestIdentity;
use layover_drm::policy::Limit;
use layover_drm::soap::PlayReadyFault;
use serde_json::json;

const T0: i64 = 1_800_000_000;
const KID: Kid = Kid::from_bytes([0x11; 16]);
const KEY: [u8; 16] = [0x5a; 16];
const OTHER_KID: Kid = Kid::from_bytes([0x22; 16]);
const OTHER_KEY: [u8; 16] = [0x6b; 16];
const SECRET: &[u8] = b"layover-test-secret-of-32-bytes!";
const ISS: &str = "https://issuer.layover.invalid";
const AUD: &str = "urn:layover:test";

/// A 2048-bit RSA key made with `openssl genpkey` for these tests only.
const RSA_PRIVATE: &str = include_str!("fixtures/rs256-test-private.pem");
const RSA_PUBLIC: &str = include_str!("fixtures/rs256-test-public.pem");

fn config() -> LicenseServerConfig {
    let mut c = LicenseServerConfig::empty()
        .with_key(KID, KEY)
        .with_key(OTHER_KID, OTHER_KEY);
    c.clock = Clock::fixed(T0);
    c
}

async fn start(license: LicenseServerConfig) -> (tempfile::TempDir, DevServer) {
    let root = tempfile::tempdir().expect("tempdir");
    let server = DevServer::start_with_license(Config::loopback(root.path()), license)
        .await
        .expect("starts");
    (root, server)
}

fn identity() -> TestIdentity {
    TestIdentity::from_secret_bytes(&[7; 32]).expect("valid scalar")
}

fn ctx(kids: &[Kid]) -> RequestContext {
    RequestContext {
        kids: kids.to_vec(),
        wrm_header: Some(wrm_header_xml(kids, None)),
        custom_data: None,
        persistent: true,
        nonce: [9; 16],
        now: T0,
        cdm_challenge: None,
    }
}

/// Sends what an adapter asked for; returns status and body.
async fn send(req: &HttpLicenseRequest, base: &str, bearer: Option<&str>) -> (u16, Vec<u8>) {
    let http = reqwest::Client::new();
    let url = req.url(base);
    let mut r = match req.method {
        HttpMethod::Get => http.get(&url),
        HttpMethod::Post => http.post(&url).body(req.body.clone()),
    };
    for (n, v) in &req.headers {
        r = r.header(n, v);
    }
    if let Some(t) = bearer {
        r = r.bearer_auth(t);
    }
    let resp = r.send().await.expect("request");
    let status = resp.status().as_u16();
    (status, resp.bytes().await.expect("body").to_vec())
}

async fn acquire(
    cdm: &dyn Cdm,
    ctx: &RequestContext,
    url: &str,
    bearer: Option<&str>,
) -> Result<layover_drm::cdm::GrantedLicense, CdmError> {
    let req = cdm.license_request(ctx).expect("request builds");
    let (status, body) = send(&req, url, bearer).await;
    cdm.process_response(ctx, status, &body)
}

#[tokio::test]
async fn test_identity_gets_a_playready_license_shaped_by_cfg() {
    let (_root, server) = start(config()).await;
    let cdm = TestIdentityPlayReady::new(identity());
    let url = format!(
        "{}/PlayReady/?cfg=(persist:false,firstexp:60,relexp:3600,begin:{},grace:7,sl:3000)",
        server.base_url(),
        T0 - 10
    );
    let granted = acquire(&cdm, &ctx(&[KID]), &url, None)
        .await
        .expect("granted");
    // The key was ECC-unwrapped with the identity and the license CMAC verified on the way.
    assert_eq!(granted.key_for(KID), Some(KEY));
    let p = &granted.policy;
    assert!(!p.persistent);
    assert_eq!(p.expire_after_first_play, Some(60));
    assert_eq!(p.end, Limit::At(T0 + 3600));
    assert_eq!(p.begin, Some(T0 - 10));
    assert_eq!(p.issue_date, Some(T0));
    assert_eq!(p.grace_period, Some(7));
    assert_eq!(p.security_level, Some(3000));
    assert!(granted.server.transaction_id.is_some());

    // Defaults (no cfg): unlimited persistent SL2000.
    let url = format!("{}/PlayReady/", server.base_url());
    let granted = acquire(&cdm, &ctx(&[KID, OTHER_KID]), &url, None)
        .await
        .expect("granted");
    assert_eq!(granted.key_for(OTHER_KID), Some(OTHER_KEY));
    assert_eq!(granted.server.license_count, 2);
    assert!(granted.policy.persistent);
    assert_eq!(granted.policy.end, Limit::Unlimited);

    let stats = server.license().stats();
    assert_eq!(stats.kid(KID).playready, 2);
    assert_eq!(stats.kid(OTHER_KID).playready, 1);

    // A KID the server does not know: service-specific fault naming it.
    let err = acquire(&cdm, &ctx(&[Kid::from_bytes([3; 16])]), &url, None)
        .await
        .expect_err("unknown KID");
    assert!(
        matches!(
            err,
            CdmError::Fault {
                code: 0x8004_C604,
                ..
            }
        ),
        "{err}"
    );
    assert!(err.to_string().contains("service-specific"), "{err}");
    // Not a test identity challenge at all: invalid message.
    let http = reqwest::Client::new();
    let r = http.post(&url).body("<x/>").send().await.expect("post");
    assert_eq!(r.status(), 500);
    assert!(r.text().await.expect("body").contains("0x8004C601"));
    server.stop().await;
}

#[tokio::test]
async fn demo_config_serves_the_fixture_keys() {
    let (_root, server) = {
        let root = tempfile::tempdir().expect("tempdir");
        let s = DevServer::start(Config::loopback(root.path()))
            .await
            .expect("starts");
        (root, s)
    };
    let cdm = TestIdentityPlayReady::new(identity());
    let mut c = ctx(&[DEMO_VIDEO_KID, DEMO_AUDIO_KID]);
    c.now = 0;
    let url = format!("{}/PlayReady/", server.base_url());
    let g = acquire(&cdm, &c, &url, None).await.expect("granted");
    assert_eq!(g.key_for(DEMO_VIDEO_KID), Some(DEMO_VIDEO_KEY));
    assert_eq!(g.key_for(DEMO_AUDIO_KID), Some(DEMO_AUDIO_KEY));
    assert!(g.policy.persistent);
    assert_eq!(g.policy.expire_after_first_play, Some(48 * 3600));
    let (Some(issued), Limit::At(end)) = (g.policy.issue_date, g.policy.end) else {
        panic!("{:?}", g.policy);
    };
    assert_eq!(end - issued, 30 * 24 * 3600);
    server.stop().await;
}

#[tokio::test]
async fn clearkey_acquire_and_release() {
    let (_root, server) = start(config()).await;
    let base = server.base_url();
    let cdm = ClearKeyCdm::default();
    let mut c = ctx(&[KID, Kid::from_bytes([4; 16])]);
    c.kids = vec![KID];
    let g = acquire(&cdm, &c, &format!("{base}/clearkey"), None)
        .await
        .expect("granted");
    assert_eq!(g.key_for(KID), Some(KEY));
    assert!(g.policy.persistent);
    // persist:false makes it temporary.
    let g = acquire(
        &cdm,
        &c,
        &format!("{base}/clearkey?cfg=(persist:false)"),
        None,
    )
    .await
    .expect("granted");
    assert!(!g.policy.persistent);
    // Only unknown KIDs: 404.
    c.kids = vec![Kid::from_bytes([4; 16])];
    assert!(matches!(
        acquire(&cdm, &c, &format!("{base}/clearkey"), None).await,
        Err(CdmError::Http { status: 404, .. })
    ));

    let release = cdm.release_request(&[KID]).expect("ClearKey releases");
    let (status, body) = send(&release, &format!("{base}/clearkey/release"), None).await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    let pr = TestIdentityPlayReady::new(identity())
        .release_request(&[KID])
        .expect("dev-server dialect");
    let (status, _) = send(&pr, &format!("{base}/PlayReady/release"), None).await;
    assert_eq!(status, 200);

    let stats = server.license().stats();
    assert_eq!(stats.kid(KID).clearkey, 2);
    assert_eq!(stats.kid(KID).released, 2);
    // The JSON view says the same.
    let text = reqwest::get(format!("{base}/_license/stats"))
        .await
        .expect("get")
        .text()
        .await
        .expect("body");
    let raw: serde_json::Value = serde_json::from_str(&text).expect("json");
    assert_eq!(raw["kids"][KID.to_hyphenated()]["clearkey"], 2);
    assert_eq!(raw["kids"][KID.to_hyphenated()]["released"], 2);
    server.stop().await;
}

#[tokio::test]
async fn aes_clear_key_in_every_kid_form() {
    let (_root, server) = start(config()).await;
    let base = server.base_url();
    for form in [
        "11111111111111111111111111111111".to_owned(),
        KID.to_hyphenated(),
        format!("nb:kid:UUID:{}", KID.to_hyphenated()),
    ] {
        let r = reqwest::get(format!("{base}/?kid={form}"))
            .await
            .expect("get");
        assert_eq!(r.status(), 200, "{form}");
        assert_eq!(r.bytes().await.expect("body").as_ref(), KEY, "{form}");
    }
    let g = acquire(
        &AesClearKeyCdm::default(),
        &ctx(&[OTHER_KID]),
        &format!("{base}/"),
        None,
    )
    .await
    .expect("granted");
    assert_eq!(g.key_for(OTHER_KID), Some(OTHER_KEY));
    let r = reqwest::get(format!("{base}/?kid={}", Kid::from_bytes([5; 16])))
        .await
        .expect("get");
    assert_eq!(r.status(), 404);
    assert_eq!(server.license().stats().kid(KID).aes, 3);
    server.stop().await;
}

fn claims(exp: i64, aud: &str, kid: Option<Kid>) -> serde_json::Value {
    let mut c = json!({"iss": ISS, "aud": aud, "exp": exp, "nbf": T0 - 60});
    if let Some(k) = kid {
        c[CONTENT_KEY_IDENTIFIER_CLAIM] = json!(k.to_hyphenated());
    }
    c
}

async fn refused(server: &DevServer, token: Option<&str>) -> String {
    let mut r = reqwest::Client::new().get(format!("{}/?kid={}", server.base_url(), KID));
    if let Some(t) = token {
        r = r.bearer_auth(t);
    }
    let resp = r.send().await.expect("get");
    assert_eq!(resp.status(), 401);
    resp.text().await.expect("body")
}

#[tokio::test]
async fn jwt_hs256_accepts_and_rejects_with_reasons() {
    let now = Arc::new(AtomicI64::new(T0));
    let mut c = config();
    let clock_now = now.clone();
    c.clock = Clock::from_fn(move || clock_now.load(Ordering::SeqCst));
    c.jwt = Some(JwtConfig::hs256(SECRET, ISS, AUD));
    let (_root, server) = start(c).await;
    let base = server.base_url();

    let good = mint_hs256(&claims(T0 + 60, AUD, Some(KID)), SECRET);
    let g = acquire(
        &AesClearKeyCdm::default(),
        &ctx(&[KID]),
        &format!("{base}/"),
        Some(&good),
    )
    .await
    .expect("granted");
    assert_eq!(g.key_for(KID), Some(KEY));
    // The same token over PlayReady: only the token's KID is licensed.
    let pr = TestIdentityPlayReady::new(identity());
    let g = acquire(
        &pr,
        &ctx(&[KID, OTHER_KID]),
        &format!("{base}/PlayReady/"),
        Some(&good),
    )
    .await;
    assert!(matches!(g, Err(CdmError::MissingKey { kid }) if kid == OTHER_KID));

    assert!(refused(&server, None).await.contains("token missing"));
    let wrong_aud = mint_hs256(&claims(T0 + 60, "urn:other", Some(KID)), SECRET);
    assert!(
        refused(&server, Some(&wrong_aud))
            .await
            .contains("wrong audience")
    );
    let no_claim = mint_hs256(&claims(T0 + 60, AUD, None), SECRET);
    let body = refused(&server, Some(&no_claim)).await;
    assert!(
        body.contains("missing claim") && body.contains(CONTENT_KEY_IDENTIFIER_CLAIM),
        "{body}"
    );
    let other = mint_hs256(&claims(T0 + 60, AUD, Some(OTHER_KID)), SECRET);
    assert!(refused(&server, Some(&other)).await.contains("is for KID"));
    let forged = mint_hs256(&claims(T0 + 60, AUD, Some(KID)), b"not the secret");
    assert!(
        refused(&server, Some(&forged))
            .await
            .contains("bad signature")
    );
    let mut wrong_iss = claims(T0 + 60, AUD, Some(KID));
    wrong_iss["iss"] = json!("https://elsewhere.invalid");
    assert!(
        refused(&server, Some(&mint_hs256(&wrong_iss, SECRET)))
            .await
            .contains("wrong issuer")
    );
    let rs = mint_rs256(&claims(T0 + 60, AUD, Some(KID)), RSA_PRIVATE).expect("mints");
    assert!(refused(&server, Some(&rs)).await.contains("algorithm"));

    // Time moves without sleeping: the good token expires.
    now.store(T0 + 61, Ordering::SeqCst);
    assert!(
        refused(&server, Some(&good))
            .await
            .contains("token expired")
    );
    assert!(server.license().stats().refused >= 8);
    server.stop().await;
}

#[tokio::test]
async fn jwt_rs256_accepts_and_rejects() {
    let mut c = config();
    c.jwt = Some(JwtConfig::rs256(RSA_PUBLIC, ISS, AUD));
    let (_root, server) = start(c).await;
    let base = server.base_url();
    let good = mint_rs256(&claims(T0 + 60, AUD, Some(KID)), RSA_PRIVATE).expect("mints");
    let g = acquire(
        &ClearKeyCdm::default(),
        &ctx(&[KID]),
        &format!("{base}/clearkey"),
        Some(&good),
    )
    .await
    .expect("granted");
    assert_eq!(g.key_for(KID), Some(KEY));
    // A payload changed after signing.
    let mut parts: Vec<String> = good.split('.').map(str::to_owned).collect();
    parts[1] = base64_url(&claims(T0 + 9999, AUD, Some(KID)).to_string());
    assert!(
        refused(&server, Some(&parts.join(".")))
            .await
            .contains("bad signature")
    );
    let expired = mint_rs256(&claims(T0 - 1, AUD, Some(KID)), RSA_PRIVATE).expect("mints");
    assert!(
        refused(&server, Some(&expired))
            .await
            .contains("token expired")
    );
    let hs = mint_hs256(&claims(T0 + 60, AUD, Some(KID)), SECRET);
    assert!(refused(&server, Some(&hs)).await.contains("algorithm"));
    server.stop().await;
}

fn base64_url(s: &str) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s)
}

#[tokio::test]
async fn every_fault_code_reads_back_in_words() {
    let (_root, server) = start(config()).await;
    let base = server.base_url();
    let cdm = TestIdentityPlayReady::new(identity());
    for code in [
        "C065", "C600", "C601", "C602", "C604", "C605", "C606", "C60A", "C60B", "C60C",
    ] {
        let err = acquire(
            &cdm,
            &ctx(&[KID]),
            &format!("{base}/PlayReady/?fault={code}"),
            None,
        )
        .await
        .expect_err(code);
        let expected =
            PlayReadyFault::from_code(0x8004_0000 | u32::from_str_radix(code, 16).unwrap_or(0));
        match &err {
            CdmError::Fault {
                code: got,
                words,
                redirect_url,
                fault_string,
            } => {
                assert_eq!(*got, expected.code(), "{code}");
                assert_eq!(*words, expected.describe(), "{code}");
                assert!(!matches!(expected, PlayReadyFault::Other(_)), "{code}");
                assert_eq!(*redirect_url, None);
                assert_eq!(fault_string.as_deref(), Some(expected.describe()));
            }
            other => panic!("{code}: {other:?}"),
        }
    }
    let err = acquire(
        &cdm,
        &ctx(&[KID]),
        &format!("{base}/PlayReady/?fault=C60D&redirect=http://127.0.0.1:9/PlayReady/"),
        None,
    )
    .await
    .expect_err("redirect");
    assert!(
        matches!(&err, CdmError::Fault { code: 0x8004_C60D, redirect_url: Some(u), .. } if u == "http://127.0.0.1:9/PlayReady/"),
        "{err:?}"
    );
    // Redirect with no target names this server.
    let err = acquire(
        &cdm,
        &ctx(&[KID]),
        &format!("{base}/PlayReady/?fault=C60D"),
        None,
    )
    .await
    .expect_err("redirect");
    assert!(
        matches!(&err, CdmError::Fault { redirect_url: Some(u), .. } if u == &format!("{base}/PlayReady/"))
    );

    assert!(matches!(
        acquire(
            &cdm,
            &ctx(&[KID]),
            &format!("{base}/PlayReady/?fault=500"),
            None
        )
        .await,
        Err(CdmError::Http { status: 500, .. })
    ));
    assert!(matches!(
        acquire(
            &cdm,
            &ctx(&[KID]),
            &format!("{base}/PlayReady/?fault=malformed"),
            None
        )
        .await,
        Err(CdmError::Soap(_))
    ));
    assert!(matches!(
        acquire(
            &AesClearKeyCdm::default(),
            &ctx(&[KID]),
            &format!("{base}/?fault=malformed"),
            None
        )
        .await,
        Err(CdmError::ClearKey(_))
    ));
    let started = std::time::Instant::now();
    let g = acquire(
        &cdm,
        &ctx(&[KID]),
        &format!("{base}/PlayReady/?fault=slow:150"),
        None,
    )
    .await
    .expect("slow but granted");
    assert!(started.elapsed() >= std::time::Duration::from_millis(150));
    assert_eq!(g.key_for(KID), Some(KEY));
    // Nothing was counted as issued except the slow one.
    assert_eq!(server.license().stats().kid(KID).playready, 1);
    server.stop().await;
}

#[tokio::test]
async fn offline_switch_refuses_and_comes_back() {
    let (_root, server) = start(config()).await;
    let url = format!("{}/?kid={}", server.base_url(), KID);
    assert_eq!(reqwest::get(&url).await.expect("get").status(), 200);
    server.license().set_offline(true);
    // A fresh client opens a fresh connection, which is closed at once.
    assert!(reqwest::Client::new().get(&url).send().await.is_err());
    server.license().set_offline(false);
    assert_eq!(reqwest::get(&url).await.expect("get").status(), 200);
    assert_eq!(server.license().stats().kid(KID).aes, 2);
    server.stop().await;
}
