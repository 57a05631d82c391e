//! The test identity's self-made device certificate.
//!
//! A real PlayReady device certificate is a chain of BCert objects ending at a Microsoft root;
//! a license server checks that chain (and a revocation list) before it issues anything. Ours
//! chains to nothing: it is signed by the very key it certifies, so it proves only that the
//! sender holds that key. Any real PlayReady server rejects it; Layover's development license
//! server accepts it and nothing else.
//!
//! Layout (big-endian), version 1:
//!
//! | bytes | field |
//! |---|---|
//! | 4 | magic `LTIC` (Layover Test Identity Certificate) |
//! | 2 | version, 1 |
//! | 2 | name length N |
//! | N | name, UTF-8 (`Layover test identity`) |
//! | 2 | security level the identity claims (2000) |
//! | 64 | P-256 public key `x \|\| y` |
//! | 64 | ECDSA-SHA256 signature `r \|\| s` over every byte before it, by the same key |

use crate::ecc::{DevicePublicKey, TestIdentity};

use super::ChallengeError;

/// First four bytes of a test identity certificate.
pub const CERT_MAGIC: [u8; 4] = *b"LTIC";
/// The only certificate version written and read.
pub const CERT_VERSION: u16 = 1;
/// The name every test identity certificate carries.
pub const CERT_NAME: &str = "Layover test identity";
/// The security level a test identity claims (software, like SL2000 clients).
pub const CERT_SECURITY_LEVEL: u16 = 2000;
/// Longest name accepted when reading.
const MAX_NAME: usize = 256;

/// A verified test identity certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestCertificate {
    /// Format version.
    pub version: u16,
    /// Device name.
    pub name: String,
    /// Security level claimed.
    pub security_level: u16,
    /// The device key licenses are encrypted to.
    pub public_key: DevicePublicKey,
}

impl TestCertificate {
    /// Issues the certificate for `identity`, signed with its own key.
    pub fn issue(identity: &TestIdentity) -> Vec<u8> {
        let mut out = Vec::with_capacity(8 + CERT_NAME.len() + 2 + 128);
        out.extend_from_slice(&CERT_MAGIC);
        out.extend_from_slice(&CERT_VERSION.to_be_bytes());
        // CERT_NAME is a short constant.
        out.extend_from_slice(&(CERT_NAME.len() as u16).to_be_bytes());
        out.extend_from_slice(CERT_NAME.as_bytes());
        out.extend_from_slice(&CERT_SECURITY_LEVEL.to_be_bytes());
        out.extend_from_slice(&identity.public_key().to_bytes());
        let sig = identity.sign_sha256(&out);
        out.extend_from_slice(&sig);
        out
    }

    /// Reads a certificate and checks its self-signature. Never panics.
    pub fn parse_and_verify(bytes: &[u8]) -> Result<Self, ChallengeError> {
        let bad = |why: &'static str| ChallengeError::BadCertificate { why };
        if bytes.len() < 8 || bytes[..4] != CERT_MAGIC {
            return Err(bad("does not start with the LTIC magic"));
        }
        let version = u16::from_be_bytes([bytes[4], bytes[5]]);
        if version != CERT_VERSION {
            return Err(ChallengeError::CertificateVersion { version });
        }
        let name_len = usize::from(u16::from_be_bytes([bytes[6], bytes[7]]));
        if name_len > MAX_NAME {
            return Err(bad("name is longer than 256 bytes"));
        }
        let expected = 8 + name_len + 2 + 64 + 64;
        if bytes.len() != expected {
            return Err(ChallengeError::CertificateLength {
                expected,
                found: bytes.len(),
            });
        }
        let name = std::str::from_utf8(&bytes[8..8 + name_len])
            .map_err(|_| bad("name is not UTF-8"))?
            .to_owned();
        let at = 8 + name_len;
        let security_level = u16::from_be_bytes([bytes[at], bytes[at + 1]]);
        let public_key = DevicePublicKey::from_bytes(&bytes[at + 2..at + 66])
            .map_err(|_| bad("public key is not a P-256 point"))?;
        let signed = &bytes[..at + 66];
        if !public_key.verify_sha256(signed, &bytes[at + 66..]) {
            return Err(bad("self-signature does not verify"));
        }
        Ok(Self {
            version,
            name,
            security_level,
            public_key,
        })
    }
}
