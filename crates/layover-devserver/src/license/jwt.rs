//! JWT bearer tokens as AMS token restrictions used them: HS256 (shared secret) or RS256 (RSA
//! public key), issuer, audience, `exp`/`nbf`, required claims, and the content key identifier
//! claim that must name the KID being requested. Hand-rolled on `hmac`/`sha2`/`rsa` (a JWT is
//! three base64url segments; only these two algorithms are accepted, `none` never).
//!
//! [`mint_hs256`] and [`mint_rs256`] make test tokens for tests and the demo.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use layover_drm::Kid;
use rsa::pkcs1v15::{Signature, SigningKey, VerifyingKey};
use rsa::pkcs8::{DecodePrivateKey, DecodePublicKey};
use rsa::signature::{SignatureEncoding, Signer, Verifier};
use rsa::{RsaPrivateKey, RsaPublicKey};
use serde_json::{Map, Value};
use sha2::Sha256;

/// The AMS claim naming the content key a token is for.
pub const CONTENT_KEY_IDENTIFIER_CLAIM: &str =
    "urn:microsoft:azure:mediaservices:contentkeyidentifier";

/// Token restriction of the license server. `None` in the config means no token is needed.
#[derive(Clone, Default)]
pub struct JwtConfig {
    /// Required `iss`.
    pub issuer: Option<String>,
    /// Required `aud` (a string, or one of an array).
    pub audience: Option<String>,
    /// HS256 shared secret.
    pub hs256_secret: Option<Vec<u8>>,
    /// RS256 public key, PEM (`BEGIN PUBLIC KEY`).
    pub rs256_public_key_pem: Option<String>,
    /// Claims that must be present (any value).
    pub required_claims: Vec<String>,
    /// A claim that must be present and name one of the requested KIDs (hex, GUID or
    /// `nb:kid:UUID:` form); typically [`CONTENT_KEY_IDENTIFIER_CLAIM`]. Only that KID is then
    /// licensed.
    pub kid_claim: Option<String>,
    /// Clock skew allowed on `exp` and `nbf`, seconds.
    pub leeway_secs: i64,
}

impl std::fmt::Debug for JwtConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JwtConfig")
            .field("issuer", &self.issuer)
            .field("audience", &self.audience)
            .field(
                "hs256_secret",
                &self.hs256_secret.as_ref().map(|_| "[redacted]"),
            )
            .field("rs256_public_key", &self.rs256_public_key_pem.is_some())
            .field("required_claims", &self.required_claims)
            .field("kid_claim", &self.kid_claim)
            .field("leeway_secs", &self.leeway_secs)
            .finish()
    }
}

impl JwtConfig {
    /// An HS256 restriction with issuer, audience and the AMS content key identifier claim.
    pub fn hs256(secret: &[u8], issuer: &str, audience: &str) -> Self {
        Self {
            issuer: Some(issuer.to_owned()),
            audience: Some(audience.to_owned()),
            hs256_secret: Some(secret.to_vec()),
            kid_claim: Some(CONTENT_KEY_IDENTIFIER_CLAIM.to_owned()),
            ..Self::default()
        }
    }

    /// An RS256 restriction with issuer, audience and the AMS content key identifier claim.
    pub fn rs256(public_key_pem: &str, issuer: &str, audience: &str) -> Self {
        Self {
            issuer: Some(issuer.to_owned()),
            audience: Some(audience.to_owned()),
            rs256_public_key_pem: Some(public_key_pem.to_owned()),
            kid_claim: Some(CONTENT_KEY_IDENTIFIER_CLAIM.to_owned()),
            ..Self::default()
        }
    }
}

/// Why a token was refused (the 401 body says this).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    /// No `Authorization: Bearer` header.
    #[error("token missing: send Authorization: Bearer <JWT>")]
    Missing,
    /// Not three base64url segments of JSON.
    #[error("token malformed: {0}")]
    Malformed(&'static str),
    /// `alg` is not one the server is configured for.
    #[error("token algorithm {0:?} not accepted")]
    Algorithm(String),
    /// The signature does not verify.
    #[error("token bad signature")]
    BadSignature,
    /// `exp` is past.
    #[error("token expired at {exp} (server time {now})")]
    Expired {
        /// `exp`.
        exp: i64,
        /// Server time.
        now: i64,
    },
    /// `nbf` is in the future.
    #[error("token not yet valid until {nbf} (server time {now})")]
    NotYetValid {
        /// `nbf`.
        nbf: i64,
        /// Server time.
        now: i64,
    },
    /// `iss` differs.
    #[error("token wrong issuer {found:?} (expected {expected:?})")]
    WrongIssuer {
        /// Expected.
        expected: String,
        /// Found.
        found: Option<String>,
    },
    /// `aud` differs.
    #[error("token wrong audience {found} (expected {expected:?})")]
    WrongAudience {
        /// Expected.
        expected: String,
        /// Found, as JSON.
        found: String,
    },
    /// A required claim is absent.
    #[error("token missing claim {0}")]
    MissingClaim(String),
    /// The KID claim names another key.
    #[error("token claim {claim} is for KID {found}, not a requested one ({requested})")]
    KidMismatch {
        /// The claim.
        claim: String,
        /// What it says.
        found: String,
        /// The requested KIDs.
        requested: String,
    },
}

/// Verifies `token` at server time `now` for a request of `requested` KIDs. Returns the KID the
/// token is restricted to, when the config has a KID claim.
pub fn verify(
    config: &JwtConfig,
    token: &str,
    now: i64,
    requested: &[Kid],
) -> Result<Option<Kid>, TokenError> {
    let mut parts = token.trim().split('.');
    let (Some(h), Some(p), Some(s), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(TokenError::Malformed("not three dot-separated segments"));
    };
    let header = decode_json(h, "header is not base64url JSON")?;
    let claims = decode_json(p, "payload is not base64url JSON")?;
    let sig = URL_SAFE_NO_PAD
        .decode(s)
        .map_err(|_| TokenError::Malformed("signature is not base64url"))?;
    let signed = format!("{h}.{p}");
    let alg = header.get("alg").and_then(Value::as_str).unwrap_or("");
    match (alg, &config.hs256_secret, &config.rs256_public_key_pem) {
        ("HS256", Some(secret), _) => {
            let mut mac = Hmac::<Sha256>::new_from_slice(secret)
                .map_err(|_| TokenError::Algorithm(alg.to_owned()))?;
            mac.update(signed.as_bytes());
            mac.verify_slice(&sig)
                .map_err(|_| TokenError::BadSignature)?;
        }
        ("RS256", _, Some(pem)) => {
            let key = RsaPublicKey::from_public_key_pem(pem)
                .map_err(|_| TokenError::Algorithm("RS256 (server key unreadable)".to_owned()))?;
            let sig = Signature::try_from(sig.as_slice()).map_err(|_| TokenError::BadSignature)?;
            VerifyingKey::<Sha256>::new(key)
                .verify(signed.as_bytes(), &sig)
                .map_err(|_| TokenError::BadSignature)?;
        }
        _ => return Err(TokenError::Algorithm(alg.to_owned())),
    }
    let leeway = config.leeway_secs;
    if let Some(exp) = claims.get("exp").and_then(Value::as_i64)
        && now > exp + leeway
    {
        return Err(TokenError::Expired { exp, now });
    }
    if let Some(nbf) = claims.get("nbf").and_then(Value::as_i64)
        && now + leeway < nbf
    {
        return Err(TokenError::NotYetValid { nbf, now });
    }
    if let Some(expected) = &config.issuer {
        let found = claims.get("iss").and_then(Value::as_str);
        if found != Some(expected.as_str()) {
            return Err(TokenError::WrongIssuer {
                expected: expected.clone(),
                found: found.map(str::to_owned),
            });
        }
    }
    if let Some(expected) = &config.audience {
        let aud = claims.get("aud").cloned().unwrap_or(Value::Null);
        let ok = match &aud {
            Value::String(a) => a == expected,
            Value::Array(list) => list.iter().any(|a| a.as_str() == Some(expected.as_str())),
            _ => false,
        };
        if !ok {
            return Err(TokenError::WrongAudience {
                expected: expected.clone(),
                found: aud.to_string(),
            });
        }
    }
    for claim in &config.required_claims {
        if !claims.contains_key(claim) {
            return Err(TokenError::MissingClaim(claim.clone()));
        }
    }
    let Some(claim) = &config.kid_claim else {
        return Ok(None);
    };
    let value = claims
        .get(claim)
        .and_then(Value::as_str)
        .ok_or_else(|| TokenError::MissingClaim(claim.clone()))?;
    match super::parse_kid(value) {
        Some(kid) if requested.contains(&kid) => Ok(Some(kid)),
        _ => Err(TokenError::KidMismatch {
            claim: claim.clone(),
            found: value.to_owned(),
            requested: requested
                .iter()
                .map(Kid::to_hyphenated)
                .collect::<Vec<_>>()
                .join(", "),
        }),
    }
}

fn decode_json(segment: &str, why: &'static str) -> Result<Map<String, Value>, TokenError> {
    let bytes = URL_SAFE_NO_PAD
        .decode(segment)
        .map_err(|_| TokenError::Malformed(why))?;
    serde_json::from_slice(&bytes).map_err(|_| TokenError::Malformed(why))
}

fn encode_json(value: &Value) -> String {
    URL_SAFE_NO_PAD.encode(value.to_string())
}

/// Mints an HS256 token over `claims` (a JSON object) with `secret`.
pub fn mint_hs256(claims: &Value, secret: &[u8]) -> String {
    let signed = format!(
        "{}.{}",
        encode_json(&serde_json::json!({"alg": "HS256", "typ": "JWT"})),
        encode_json(claims)
    );
    // HMAC takes keys of any length; this cannot fail.
    let tag = match Hmac::<Sha256>::new_from_slice(secret) {
        Ok(mut mac) => {
            mac.update(signed.as_bytes());
            mac.finalize().into_bytes().to_vec()
        }
        Err(_) => Vec::new(),
    };
    format!("{signed}.{}", URL_SAFE_NO_PAD.encode(tag))
}

/// Mints an RS256 token over `claims` with an RSA private key in PKCS#8 PEM
/// (`BEGIN PRIVATE KEY`). Fails only when the key cannot be read.
pub fn mint_rs256(claims: &Value, private_key_pem: &str) -> Result<String, String> {
    let key = RsaPrivateKey::from_pkcs8_pem(private_key_pem)
        .map_err(|e| format!("RSA private key is not PKCS#8 PEM: {e}"))?;
    let signed = format!(
        "{}.{}",
        encode_json(&serde_json::json!({"alg": "RS256", "typ": "JWT"})),
        encode_json(claims)
    );
    let sig = SigningKey::<Sha256>::new(key).sign(signed.as_bytes());
    Ok(format!(
        "{signed}.{}",
        URL_SAFE_NO_PAD.encode(sig.to_bytes())
    ))
}
