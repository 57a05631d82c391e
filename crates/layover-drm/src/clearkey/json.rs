//! W3C EME ClearKey messages (EME §9.1.3 license request, §9.1.4 license, §9.1.5 release).
//!
//! KIDs are in `tenc` order (the raw bytes of the `kid` field). The wire structs are private
//! and hold strings; conversion to [`Kid`] and key bytes checks every field and names it.

use serde::{Deserialize, Serialize};

use super::base64url::{decode_base64url, encode_base64url};
use super::error::ClearKeyError;
use crate::kid::Kid;

/// EME session type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SessionType {
    /// `"temporary"`: the license lives as long as the session.
    Temporary,
    /// `"persistent-license"`: the license may be stored (what offline playback needs).
    PersistentLicense,
}

/// A license request: which KIDs, for what kind of session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LicenseRequest {
    /// KIDs asked for.
    pub kids: Vec<Kid>,
    /// Session type.
    pub session_type: SessionType,
}

/// One key from a license.
#[derive(Clone, PartialEq, Eq)]
pub struct ClearKey {
    /// KID.
    pub kid: Kid,
    /// AES-128 key.
    pub key: [u8; 16],
}

impl std::fmt::Debug for ClearKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The key never reaches a log.
        f.debug_struct("ClearKey")
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

/// A license: the keys, and the session type the server granted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LicenseResponse {
    /// Keys.
    pub keys: Vec<ClearKey>,
    /// Optional in EME; absent means temporary.
    pub session_type: Option<SessionType>,
}

/// A release message: the KIDs whose persistent license is given up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReleaseMessage {
    /// KIDs released.
    pub kids: Vec<Kid>,
}

#[derive(Serialize, Deserialize)]
struct WireRequest {
    kids: Vec<String>,
    #[serde(rename = "type")]
    session_type: SessionType,
}

#[derive(Serialize, Deserialize)]
struct WireKey {
    kty: String,
    k: String,
    kid: String,
}

#[derive(Serialize, Deserialize)]
struct WireResponse {
    keys: Vec<WireKey>,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none", default)]
    session_type: Option<SessionType>,
}

#[derive(Serialize, Deserialize)]
struct WireRelease {
    kids: Vec<String>,
}

fn json_err(what: &'static str) -> impl Fn(serde_json::Error) -> ClearKeyError {
    move |e| ClearKeyError::Json {
        what,
        message: e.to_string(),
    }
}

fn to_json<T: Serialize>(value: &T) -> String {
    // Serialising these plain structs of strings cannot fail.
    serde_json::to_string(value).unwrap_or_default()
}

fn decode16(field: String, s: &str) -> Result<[u8; 16], ClearKeyError> {
    let bytes = decode_base64url(s).ok_or_else(|| ClearKeyError::BadBase64 {
        field: field.clone(),
    })?;
    <[u8; 16]>::try_from(bytes.as_slice()).map_err(|_| ClearKeyError::BadLength {
        field,
        expected: 16,
        found: bytes.len(),
    })
}

fn kids_from(kids: &[String]) -> Result<Vec<Kid>, ClearKeyError> {
    kids.iter()
        .enumerate()
        .map(|(i, s)| decode16(format!("kids[{i}]"), s).map(Kid::from_bytes))
        .collect()
}

impl LicenseRequest {
    /// The JSON a ClearKey CDM sends.
    pub fn to_json(&self) -> String {
        to_json(&WireRequest {
            kids: self.kids.iter().map(Kid::to_base64url).collect(),
            session_type: self.session_type,
        })
    }

    /// Reads a request (the development server's side).
    pub fn from_json(json: &str) -> Result<Self, ClearKeyError> {
        let w: WireRequest = serde_json::from_str(json).map_err(json_err("license request"))?;
        Ok(Self {
            kids: kids_from(&w.kids)?,
            session_type: w.session_type,
        })
    }
}

impl LicenseResponse {
    /// The JSON a ClearKey server answers with.
    pub fn to_json(&self) -> String {
        to_json(&WireResponse {
            keys: self
                .keys
                .iter()
                .map(|k| WireKey {
                    kty: "oct".to_owned(),
                    k: encode_base64url(&k.key),
                    kid: k.kid.to_base64url(),
                })
                .collect(),
            session_type: self.session_type,
        })
    }

    /// Reads a license. Every key must be `"kty":"oct"` with a 16-byte `kid` and `k`.
    pub fn from_json(json: &str) -> Result<Self, ClearKeyError> {
        let w: WireResponse = serde_json::from_str(json).map_err(json_err("license"))?;
        if w.keys.is_empty() {
            return Err(ClearKeyError::NoKeys);
        }
        let keys = w
            .keys
            .iter()
            .enumerate()
            .map(|(i, k)| {
                if k.kty != "oct" {
                    return Err(ClearKeyError::UnsupportedKeyType {
                        index: i,
                        kty: k.kty.clone(),
                    });
                }
                Ok(ClearKey {
                    kid: Kid::from_bytes(decode16(format!("keys[{i}].kid"), &k.kid)?),
                    key: decode16(format!("keys[{i}].k"), &k.k)?,
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self {
            keys,
            session_type: w.session_type,
        })
    }

    /// The key for `kid`, if the license has it.
    pub fn key_for(&self, kid: Kid) -> Option<[u8; 16]> {
        self.keys.iter().find(|k| k.kid == kid).map(|k| k.key)
    }
}

impl ReleaseMessage {
    /// The JSON sent to release persistent licenses.
    pub fn to_json(&self) -> String {
        to_json(&WireRelease {
            kids: self.kids.iter().map(Kid::to_base64url).collect(),
        })
    }

    /// Reads a release message.
    pub fn from_json(json: &str) -> Result<Self, ClearKeyError> {
        let w: WireRelease = serde_json::from_str(json).map_err(json_err("release message"))?;
        Ok(Self {
            kids: kids_from(&w.kids)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KID: Kid = Kid::from_bytes([
        0x10, 0x77, 0xef, 0xec, 0xc0, 0xb2, 0x4d, 0x02, 0xac, 0xe3, 0x3c, 0x1e, 0x52, 0xe2, 0xfb,
        0x4b,
    ]);

    #[test]
    fn request_wire_form() {
        let r = LicenseRequest {
            kids: vec![KID],
            session_type: SessionType::PersistentLicense,
        };
        let json = r.to_json();
        assert_eq!(
            json,
            r#"{"kids":["EHfv7MCyTQKs4zweUuL7Sw"],"type":"persistent-license"}"#
        );
        assert_eq!(LicenseRequest::from_json(&json).unwrap(), r);
    }

    #[test]
    fn response_round_trip_and_padded_input() {
        let r = LicenseResponse {
            keys: vec![ClearKey {
                kid: KID,
                key: [9; 16],
            }],
            session_type: Some(SessionType::Temporary),
        };
        assert_eq!(LicenseResponse::from_json(&r.to_json()).unwrap(), r);
        let padded = r#"{"keys":[{"kty":"oct","k":"CQkJCQkJCQkJCQkJCQkJCQ==","kid":"EHfv7MCyTQKs4zweUuL7Sw=="}]}"#;
        let parsed = LicenseResponse::from_json(padded).unwrap();
        assert_eq!(parsed.key_for(KID), Some([9; 16]));
        assert_eq!(parsed.session_type, None);
        assert!(!format!("{parsed:?}").contains("CQkJ"));
    }

    #[test]
    fn errors_name_the_field() {
        let short = r#"{"keys":[{"kty":"oct","k":"CQkJ","kid":"EHfv7MCyTQKs4zweUuL7Sw"}]}"#;
        assert_eq!(
            LicenseResponse::from_json(short),
            Err(ClearKeyError::BadLength {
                field: "keys[0].k".into(),
                expected: 16,
                found: 3
            })
        );
        let rsa = r#"{"keys":[{"kty":"RSA","k":"","kid":""}]}"#;
        assert!(matches!(
            LicenseResponse::from_json(rsa),
            Err(ClearKeyError::UnsupportedKeyType { index: 0, .. })
        ));
        assert_eq!(
            LicenseResponse::from_json(r#"{"keys":[]}"#),
            Err(ClearKeyError::NoKeys)
        );
        let err = LicenseResponse::from_json(r#"{"kes":[]}"#)
            .unwrap_err()
            .to_string();
        assert!(err.contains("keys"), "{err}");
        assert_eq!(
            ReleaseMessage::from_json(r#"{"kids":["EHfv7MCyTQKs4zweUuL7Sw","%%"]}"#),
            Err(ClearKeyError::BadBase64 {
                field: "kids[1]".into()
            })
        );
        assert!(matches!(
            LicenseRequest::from_json(r#"{"kids":[],"type":"forever"}"#),
            Err(ClearKeyError::Json { .. })
        ));
    }

    #[test]
    fn release_wire_form() {
        let m = ReleaseMessage { kids: vec![KID] };
        assert_eq!(m.to_json(), r#"{"kids":["EHfv7MCyTQKs4zweUuL7Sw"]}"#);
        assert_eq!(ReleaseMessage::from_json(&m.to_json()).unwrap(), m);
    }
}
