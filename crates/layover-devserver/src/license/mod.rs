//! Layover's development license server: AMS-style key delivery beside the demo origin, on the
//! same listener, for the test identity, ClearKey and AES clear key. It never talks to, and is
//! never accepted by, a real PlayReady client: its PlayReady licenses are for Layover's own test
//! identity (DRM-NOTES "The honest boundary").
//!
//! # Routes
//!
//! | route | what |
//! |---|---|
//! | `POST /PlayReady/` | SOAP AcquireLicense carrying a test identity challenge ([`layover_drm::challenge`]). Answers one XMR license per KID of the WRMHEADER that the server knows, each content key ECC-256 encrypted to the challenge's device key and the license signed with AES-CMAC under the integrity key; the challenge's nonce is echoed and a `TransactionID` given. Unknown KIDs only: fault 0x8004C604; unreadable challenge or refused certificate/signature: fault 0x8004C601. |
//! | `POST /PlayReady/release` | `{"kids":[...]}` (ClearKey form). **Not PlayReady**: real PlayReady servers have no release call and Layover only marks such licenses released locally; this route exists so release queues can be tested against the test identity. |
//! | `GET /?kid=<KID>` | AES clear key: the 16 raw key bytes (`application/octet-stream`). KID as 32 hex digits, hyphenated GUID (braces allowed) or `nb:kid:UUID:<guid>`. 404 when unknown. |
//! | `POST /clearkey` | W3C ClearKey license request JSON; answers the keys it knows of those asked for, with the session type asked for (`persist:false` forces `temporary`). 404 when it knows none. |
//! | `POST /clearkey/release` | ClearKey release message; answers `{"kids":[...]}` with the KIDs released. |
//! | `GET /_license/stats` | per-KID request counters as JSON (see [`LicenseStats`]); `DELETE` resets them. |
//! | `POST /_license/offline?on=true` | the whole server goes offline: new connections are closed at once and requests on open ones answer 503 `Connection: close` (`on=false` comes back). Tests may instead just stop the server. |
//!
//! # Knobs (query string, in the style of Microsoft's test server)
//!
//! - `cfg=(persist:true,firstexp:60,relexp:3600,begin:<unix>,end:<unix>,grace:N,sl:2000)`: override
//!   the KID's template for this request ([`TemplateConfig::with_overrides`]).
//! - `fault=C065|C600|C601|C602|C604|C605|C606|C60A|C60B|C60C` (or `0x8004C602`): HTTP 500 with a
//!   SOAP fault carrying that status code (PlayReady route; other routes answer 500 JSON).
//! - `fault=C60D&redirect=<url>`: protocol redirect fault with `RedirectUrl` (default: this
//!   server's `/PlayReady/`).
//! - `fault=500`: plain HTTP 500; `fault=slow:<ms>`: answer normally after a delay;
//!   `fault=malformed`: HTTP 200 with a garbage body.
//!
//! # Tokens
//!
//! With [`LicenseServerConfig::jwt`] set, every acquisition needs `Authorization: Bearer <JWT>`
//! (HS256 and/or RS256, issuer, audience, `exp`/`nbf`, required claims, and
//! `urn:microsoft:azure:mediaservices:contentkeyidentifier` naming a requested KID; only that
//! KID is then licensed). Refusals are 401 with a body naming the reason: `token missing`,
//! `token expired`, `token bad signature`, `token wrong issuer`, `token wrong audience`,
//! `token missing claim`, `token claim ... is for KID ...`. [`mint_hs256`] and [`mint_rs256`]
//! make test tokens. Releases need no token.
//!
//! Time comes from [`LicenseServerConfig::clock`], so tests set it instead of sleeping.

mod config;
mod jwt;

pub use config::{
    Clock, DEMO_AUDIO_KEY, DEMO_AUDIO_KID, DEMO_VIDEO_KEY, DEMO_VIDEO_KID, LicenseServerConfig,
    TemplateConfig,
};
pub use jwt::{
    CONTENT_KEY_IDENTIFIER_CLAIM, JwtConfig, TokenError, mint_hs256, mint_rs256,
    verify as verify_token,
};

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use layover_drm::Kid;
use layover_drm::challenge::parse_challenge;
use layover_drm::clearkey::{
    ClearKey, LicenseRequest, LicenseResponse, ReleaseMessage, SessionType,
};
use layover_drm::ecc::encrypt_content_key;
use layover_drm::soap::{
    CONTENT_TYPE, LicenseResponseParts, PlayReadyFault, acquire_license_response_xml, fault_xml,
    parse_status_code, redirect_fault_xml,
};
use layover_drm::xmr::{CipherType, ContentKey, KeyType, LicenseTemplate};
use rand_core::{OsRng, RngCore};
use serde::Serialize;

/// Requests per KID.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct KidStats {
    /// PlayReady licenses issued.
    pub playready: u64,
    /// ClearKey licenses issued.
    pub clearkey: u64,
    /// AES clear keys served.
    pub aes: u64,
    /// Releases received (either release route).
    pub released: u64,
}

impl KidStats {
    /// Licenses and keys issued, all systems.
    pub fn acquired(&self) -> u64 {
        self.playready + self.clearkey + self.aes
    }
}

/// Counters, as `GET /_license/stats` shows them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct LicenseStats {
    /// By KID (hyphenated).
    pub kids: BTreeMap<String, KidStats>,
    /// Requests refused (token, fault, unknown KID, bad message).
    pub refused: u64,
    /// Every request to a license route.
    pub requests: u64,
}

impl LicenseStats {
    /// The counters of `kid` (zero when never asked for).
    pub fn kid(&self, kid: Kid) -> KidStats {
        self.kids
            .get(&kid.to_hyphenated())
            .copied()
            .unwrap_or_default()
    }
}

/// The running license server's state: configuration, counters and the offline switch. Cheap
/// to clone (shared).
#[derive(Debug, Clone)]
pub struct LicenseServer {
    config: Arc<LicenseServerConfig>,
    stats: Arc<Mutex<LicenseStats>>,
    offline: Arc<AtomicBool>,
}

impl LicenseServer {
    /// A server for `config`.
    pub fn new(config: LicenseServerConfig) -> Self {
        Self {
            config: Arc::new(config),
            stats: Arc::default(),
            offline: Arc::default(),
        }
    }

    /// The configuration.
    pub fn config(&self) -> &LicenseServerConfig {
        &self.config
    }

    /// A snapshot of the counters.
    pub fn stats(&self) -> LicenseStats {
        self.stats.lock().map(|s| s.clone()).unwrap_or_default()
    }

    /// Zeroes the counters.
    pub fn reset_stats(&self) {
        if let Ok(mut s) = self.stats.lock() {
            *s = LicenseStats::default();
        }
    }

    /// Takes the whole server offline (`true`) or back online.
    pub fn set_offline(&self, offline: bool) {
        self.offline.store(offline, Ordering::SeqCst);
    }

    /// Whether the server is offline.
    pub fn is_offline(&self) -> bool {
        self.offline.load(Ordering::SeqCst)
    }

    pub(crate) fn offline_flag(&self) -> Arc<AtomicBool> {
        self.offline.clone()
    }

    fn count(&self, f: impl FnOnce(&mut LicenseStats)) {
        if let Ok(mut s) = self.stats.lock() {
            f(&mut s);
        }
    }

    fn bump(&self, kid: Kid, f: impl FnOnce(&mut KidStats)) {
        self.count(|s| f(s.kids.entry(kid.to_hyphenated()).or_default()));
    }

    fn refuse(&self) {
        self.count(|s| s.refused += 1);
    }
}

/// The license routes, to merge into the devserver's router.
pub fn routes(server: LicenseServer) -> Router {
    Router::new()
        .route("/PlayReady/", post(playready))
        .route("/PlayReady", post(playready))
        .route("/PlayReady/release", post(release))
        .route("/", get(aes_key))
        .route("/clearkey", post(clearkey))
        .route("/clearkey/release", post(release))
        .route("/_license/stats", get(stats).delete(reset_stats))
        .route("/_license/offline", post(offline))
        .with_state(server)
}

/// Reads a KID in any form the routes accept: 32 hex digits, hyphenated GUID (braces allowed),
/// or `nb:kid:UUID:<guid>`.
pub fn parse_kid(s: &str) -> Option<Kid> {
    let s = s.trim();
    let s = s
        .strip_prefix("nb:kid:UUID:")
        .or_else(|| s.strip_prefix("nb:kid:uuid:"))
        .unwrap_or(s);
    Kid::parse_hex(s).ok()
}

/// A fault asked for with `?fault=`.
#[derive(Debug, Clone, PartialEq, Eq)]
enum LicenseFault {
    PlayReady(PlayReadyFault),
    Status500,
    Slow(u64),
    Malformed,
}

fn parse_fault(s: &str) -> Result<LicenseFault, String> {
    let s = s.trim();
    if s == "500" {
        return Ok(LicenseFault::Status500);
    }
    if s == "malformed" {
        return Ok(LicenseFault::Malformed);
    }
    if let Some(ms) = s.strip_prefix("slow:") {
        return ms
            .parse()
            .map(LicenseFault::Slow)
            .map_err(|_| format!("fault `{s}`: slow:<milliseconds>"));
    }
    let code = if s.len() == 4 && s[..1].eq_ignore_ascii_case("c") {
        u32::from_str_radix(s, 16).ok().map(|low| 0x8004_0000 | low)
    } else {
        parse_status_code(s)
    };
    match code {
        Some(c) => Ok(LicenseFault::PlayReady(PlayReadyFault::from_code(c))),
        None => Err(format!(
            "unknown fault `{s}`; use C065, C600-C60D, 500, slow:<ms> or malformed"
        )),
    }
}

fn text(status: StatusCode, body: impl Into<String>) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        format!("{}\n", body.into()),
    )
        .into_response()
}

fn soap(status: StatusCode, body: String) -> Response {
    (status, [(header::CONTENT_TYPE, CONTENT_TYPE)], body).into_response()
}

fn json(status: StatusCode, value: &serde_json::Value) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        value.to_string(),
    )
        .into_response()
}

/// Applies `?fault=`: `Ok(Some(response))` answers now; slow faults sleep and carry on.
async fn apply_fault(
    server: &LicenseServer,
    query: &HashMap<String, String>,
    headers: &HeaderMap,
    is_playready: bool,
) -> Option<Response> {
    let raw = query.get("fault")?;
    let fault = match parse_fault(raw) {
        Ok(f) => f,
        Err(e) => return Some(text(StatusCode::BAD_REQUEST, e)),
    };
    tracing::info!(?fault, "license server: injecting fault");
    match fault {
        LicenseFault::Slow(ms) => {
            tokio::time::sleep(Duration::from_millis(ms)).await;
            None
        }
        LicenseFault::Status500 => {
            server.refuse();
            Some(text(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal server error (fault=500)",
            ))
        }
        LicenseFault::Malformed => {
            server.refuse();
            Some(
                (
                    StatusCode::OK,
                    [(header::CONTENT_TYPE, "application/octet-stream")],
                    b"\x00\xffnot a license <<<\x01\x02".to_vec(),
                )
                    .into_response(),
            )
        }
        LicenseFault::PlayReady(f) => {
            server.refuse();
            if !is_playready {
                return Some(json(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    &serde_json::json!({"error": f.to_string()}),
                ));
            }
            let body = if f == PlayReadyFault::ProtocolRedirect {
                let url = query.get("redirect").cloned().unwrap_or_else(|| {
                    let host = headers
                        .get(header::HOST)
                        .and_then(|h| h.to_str().ok())
                        .unwrap_or("127.0.0.1");
                    format!("http://{host}/PlayReady/")
                });
                redirect_fault_xml(&url)
            } else {
                fault_xml(f, None)
            };
            Some(soap(StatusCode::INTERNAL_SERVER_ERROR, body))
        }
    }
}

/// Checks the token when the server requires one; the KID it is restricted to, if any.
fn check_token(
    server: &LicenseServer,
    headers: &HeaderMap,
    kids: &[Kid],
) -> Result<Option<Kid>, Box<Response>> {
    let Some(jwt) = &server.config.jwt else {
        return Ok(None);
    };
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        });
    let result = match token {
        None => Err(TokenError::Missing),
        Some(t) => jwt::verify(jwt, t, server.config.clock.now(), kids),
    };
    result.map_err(|e| {
        server.refuse();
        tracing::info!(error = %e, "license server: token refused");
        let mut r = text(StatusCode::UNAUTHORIZED, e.to_string());
        r.headers_mut()
            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        Box::new(r)
    })
}

fn template_for(
    server: &LicenseServer,
    kid: &Kid,
    query: &HashMap<String, String>,
) -> Result<TemplateConfig, String> {
    let base = server.config.template_for(kid);
    match query.get("cfg") {
        Some(cfg) => base.with_overrides(cfg),
        None => Ok(base.clone()),
    }
}

fn to_u32(t: i64) -> u32 {
    u32::try_from(t.max(1)).unwrap_or(u32::MAX - 1)
}

fn random_hex(n: usize) -> String {
    let mut b = vec![0u8; n];
    OsRng.fill_bytes(&mut b);
    b.iter().map(|x| format!("{x:02x}")).collect()
}

async fn playready(
    State(server): State<LicenseServer>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    server.count(|s| s.requests += 1);
    if let Some(r) = apply_fault(&server, &query, &headers, true).await {
        return r;
    }
    let invalid = |why: String| {
        server.refuse();
        tracing::info!(why, "license server: invalid PlayReady request");
        soap(
            StatusCode::INTERNAL_SERVER_ERROR,
            fault_xml(PlayReadyFault::InvalidMessage, Some(&why)),
        )
    };
    let Ok(xml) = std::str::from_utf8(&body) else {
        return invalid("request body is not UTF-8".to_owned());
    };
    let challenge = match parse_challenge(xml) {
        Ok(c) => c,
        Err(e) => return invalid(e.to_string()),
    };
    let only = match check_token(&server, &headers, &challenge.kids) {
        Ok(only) => only,
        Err(r) => return *r,
    };
    let now = server.config.clock.now();
    let mut licenses = Vec::new();
    let mut issued = Vec::new();
    for kid in &challenge.kids {
        if only.is_some_and(|o| o != *kid) {
            continue;
        }
        let Some(key) = server.config.keys.get(kid) else {
            continue;
        };
        let t = match template_for(&server, kid, &query) {
            Ok(t) => t,
            Err(e) => return text(StatusCode::BAD_REQUEST, e),
        };
        let built = (|| {
            let (wrapped, integrity) = encrypt_content_key(&challenge.device_key, key, &mut OsRng)
                .map_err(|e| e.to_string())?;
            let mut rights_id = [0u8; 16];
            OsRng.fill_bytes(&mut rights_id);
            let mut lt = LicenseTemplate::new(rights_id, to_u32(now));
            lt.persistent = t.persistent;
            lt.begin = t.begin.map(to_u32);
            lt.end = t.end_at(now).map(to_u32);
            lt.expire_after_first_play = t.first_play_expiration;
            lt.grace_period = t.grace_period;
            lt.security_level = t.security_level;
            lt.device_key = Some(challenge.device_key.to_xmr());
            lt.keys.push(ContentKey {
                kid: *kid,
                key_type: KeyType::AesCtr,
                cipher_type: CipherType::Ecc256,
                encrypted_key: wrapped.to_vec(),
            });
            lt.build_signed(&integrity).map_err(|e| e.to_string())
        })();
        match built {
            Ok(l) => {
                licenses.push(l);
                issued.push(*kid);
            }
            Err(e) => {
                server.refuse();
                return soap(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    fault_xml(PlayReadyFault::ServerInternalError, Some(&e)),
                );
            }
        }
    }
    if licenses.is_empty() {
        server.refuse();
        let asked: Vec<String> = challenge.kids.iter().map(Kid::to_hyphenated).collect();
        return soap(
            StatusCode::INTERNAL_SERVER_ERROR,
            fault_xml(
                PlayReadyFault::ServiceSpecific,
                Some(&format!("no content key for KID {}", asked.join(", "))),
            ),
        );
    }
    for kid in &issued {
        server.bump(*kid, |k| k.playready += 1);
    }
    let body = acquire_license_response_xml(&LicenseResponseParts {
        licenses,
        transaction_id: Some(random_hex(16)),
        license_nonce: Some(challenge.nonce),
        response_id: Some(random_hex(8)),
    });
    soap(StatusCode::OK, body)
}

async fn clearkey(
    State(server): State<LicenseServer>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    server.count(|s| s.requests += 1);
    if let Some(r) = apply_fault(&server, &query, &headers, false).await {
        return r;
    }
    let request = match LicenseRequest::from_json(&String::from_utf8_lossy(&body)) {
        Ok(r) => r,
        Err(e) => {
            server.refuse();
            return json(
                StatusCode::BAD_REQUEST,
                &serde_json::json!({"error": e.to_string()}),
            );
        }
    };
    let only = match check_token(&server, &headers, &request.kids) {
        Ok(only) => only,
        Err(r) => return *r,
    };
    let mut keys = Vec::new();
    let mut persistent = request.session_type == SessionType::PersistentLicense;
    for kid in &request.kids {
        if only.is_some_and(|o| o != *kid) {
            continue;
        }
        if let Some(key) = server.config.keys.get(kid) {
            match template_for(&server, kid, &query) {
                Ok(t) => persistent &= t.persistent,
                Err(e) => return text(StatusCode::BAD_REQUEST, e),
            }
            keys.push(ClearKey {
                kid: *kid,
                key: *key,
            });
        }
    }
    if keys.is_empty() {
        server.refuse();
        return json(
            StatusCode::NOT_FOUND,
            &serde_json::json!({"error": "no key for any requested KID"}),
        );
    }
    for k in &keys {
        server.bump(k.kid, |s| s.clearkey += 1);
    }
    let response = LicenseResponse {
        keys,
        session_type: Some(if persistent {
            SessionType::PersistentLicense
        } else {
            SessionType::Temporary
        }),
    };
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json")],
        response.to_json(),
    )
        .into_response()
}

async fn aes_key(
    State(server): State<LicenseServer>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    server.count(|s| s.requests += 1);
    if let Some(r) = apply_fault(&server, &query, &headers, false).await {
        return r;
    }
    let Some(raw) = query.get("kid") else {
        return text(
            StatusCode::BAD_REQUEST,
            "AES clear key: ?kid=<KID> (hex, GUID or nb:kid:UUID:<guid>)",
        );
    };
    let Some(kid) = parse_kid(raw) else {
        server.refuse();
        return text(StatusCode::BAD_REQUEST, format!("not a KID: {raw}"));
    };
    if let Err(r) = check_token(&server, &headers, &[kid]) {
        return *r;
    }
    let Some(key) = server.config.keys.get(&kid) else {
        server.refuse();
        return text(StatusCode::NOT_FOUND, format!("no key for KID {kid}"));
    };
    server.bump(kid, |s| s.aes += 1);
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/octet-stream")],
        key.to_vec(),
    )
        .into_response()
}

async fn release(State(server): State<LicenseServer>, body: Bytes) -> Response {
    server.count(|s| s.requests += 1);
    let message = match ReleaseMessage::from_json(&String::from_utf8_lossy(&body)) {
        Ok(m) => m,
        Err(e) => {
            server.refuse();
            return json(
                StatusCode::BAD_REQUEST,
                &serde_json::json!({"error": e.to_string()}),
            );
        }
    };
    for kid in &message.kids {
        server.bump(*kid, |s| s.released += 1);
    }
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json")],
        message.to_json(),
    )
        .into_response()
}

async fn stats(State(server): State<LicenseServer>) -> Response {
    axum::Json(server.stats()).into_response()
}

async fn reset_stats(State(server): State<LicenseServer>) -> StatusCode {
    server.reset_stats();
    StatusCode::NO_CONTENT
}

async fn offline(
    State(server): State<LicenseServer>,
    Query(query): Query<HashMap<String, String>>,
) -> StatusCode {
    let on = query.get("on").is_none_or(|v| v != "false" && v != "0");
    server.set_offline(on);
    StatusCode::NO_CONTENT
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kid_forms() {
        let k = DEMO_VIDEO_KID;
        for s in [
            "0a1b2c3d4e5f40718293a4b5c6d7e8f9".to_owned(),
            k.to_hyphenated(),
            format!("{{{}}}", k.to_hyphenated().to_uppercase()),
            format!("nb:kid:UUID:{}", k.to_hyphenated()),
        ] {
            assert_eq!(parse_kid(&s), Some(k), "{s}");
        }
        assert_eq!(parse_kid("nope"), None);
    }

    #[test]
    fn fault_forms() {
        assert_eq!(
            parse_fault("C602"),
            Ok(LicenseFault::PlayReady(PlayReadyFault::DeviceLimitReached))
        );
        assert_eq!(
            parse_fault("0x8004c60d"),
            Ok(LicenseFault::PlayReady(PlayReadyFault::ProtocolRedirect))
        );
        assert_eq!(parse_fault("500"), Ok(LicenseFault::Status500));
        assert_eq!(parse_fault("slow:20"), Ok(LicenseFault::Slow(20)));
        assert_eq!(parse_fault("malformed"), Ok(LicenseFault::Malformed));
        assert!(parse_fault("bogus").is_err());
    }
}
