//! ECC-256 (P-256) ElGamal content-key wrap, as PlayReady uses for cipher type 3, for Layover's
//! own test identity and development license server. Never for keys taken from real devices.
//!
//! How the 32 bytes travel (confirmed in pyplayready `cdm.py` `_decrypt_ecc256_key` and
//! `crypto/__init__.py` `ecc256_encrypt`/`ecc256_decrypt`): the plaintext is not hashed onto the
//! curve. It *is* the x-coordinate of the message point M: `x = integrity_key(16) ||
//! content_key(16)`, big-endian. Encryption with a random scalar k gives `C1 = k·G`,
//! `C2 = M + k·P`; the 128-byte `encrypted_key` is `C1.x || C1.y || C2.x || C2.y`. Decryption is
//! `M = C2 - d·C1` and the keys are read back from `M.x`.
//!
//! Consequence: only about half of all 32-byte strings are the x of a curve point, so a server
//! cannot wrap an arbitrary (integrity, content) pair. [`encrypt_content_key`] keeps the content
//! key and draws integrity keys until `ci || ck` is a valid x (expected two draws). How
//! Microsoft's servers do this is *unverified*; the decryption side is what matters for
//! compatibility and it is the same either way.
//!
//! Cross-checked against pyplayready 0.8.5 itself (installed from PyPI for the check, not a
//! dependency): it accepted licenses from [`crate::xmr::LicenseTemplate`] wrapped by
//! [`encrypt_content_key`] (device key, decryption, KID, signature), and
//! [`TestIdentity::decrypt`] recovers points it encrypted; one of each is kept as a test
//! (`tests/fixtures/`, `decrypts_a_pyplayready_ciphertext`).
//!
//! pyplayready turns `M.x` into bytes with a variable-length `to_bytes`, which drops leading zero
//! bytes; here the coordinate is always the full 32 bytes, which is what the split requires.

use p256::elliptic_curve::point::{AffineCoordinates, DecompressPoint};
use p256::elliptic_curve::sec1::{FromEncodedPoint, ToEncodedPoint};
use p256::elliptic_curve::subtle::Choice;
use p256::{AffinePoint, EncodedPoint, FieldBytes, NonZeroScalar, ProjectivePoint, SecretKey};
use rand_core::CryptoRngCore;

use crate::kid::Kid;
use crate::xmr::{CipherType, EccDeviceKey, XmrError, XmrLicense};

/// Curve id written in the XMR ECC device key object for P-256 (*unverified*: the reference
/// readers only pass the value through).
pub const XMR_CURVE_P256: u16 = 1;

/// How many integrity keys to draw before giving up (each succeeds with probability ~1/2).
const MAX_DRAWS: usize = 128;

/// What went wrong wrapping or unwrapping a content key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EccError {
    /// A public key is not 64 bytes `x || y` of a P-256 point.
    #[error("ECC public key is not a P-256 point (64 bytes x || y expected, got {len} bytes)")]
    BadPublicKey {
        /// Bytes given.
        len: usize,
    },
    /// A secret key is zero or not below the group order.
    #[error("ECC secret key is not a valid P-256 scalar")]
    BadSecretKey,
    /// The encrypted key is not 128 bytes.
    #[error("ECC-256 encrypted key is {len} bytes, expected 128 (two P-256 points)")]
    BadCiphertextLength {
        /// Bytes given.
        len: usize,
    },
    /// One of the two ciphertext points is not on the curve.
    #[error("ECC-256 encrypted key: point {which} (bytes {start}..{end}) is not on P-256")]
    PointNotOnCurve {
        /// 1 or 2.
        which: u8,
        /// First byte.
        start: usize,
        /// One past the last byte.
        end: usize,
    },
    /// Decryption gave the point at infinity: the key was not encrypted to this identity.
    #[error("ECC-256 decryption gave no point: the key was not encrypted to this identity")]
    Infinity,
    /// Could not find an integrity key that puts `ci || ck` on the curve (should never happen).
    #[error("no integrity key put the content key on P-256 after {draws} draws")]
    NoCurvePoint {
        /// Draws made.
        draws: usize,
    },
    /// The license has no content key with this KID.
    #[error("license has no content key for KID {kid}")]
    NoKeyForKid {
        /// The KID asked for.
        kid: Kid,
    },
    /// The content key is protected some other way.
    #[error("content key for KID {kid} uses cipher type {cipher_type:?}, not ECC-256 (3)")]
    NotEcc256 {
        /// The KID.
        kid: Kid,
        /// What the license says.
        cipher_type: CipherType,
    },
    /// The license was issued to another device key.
    #[error("license is bound to another device key than this identity's")]
    WrongDevice,
    /// The license signature did not verify with the decrypted integrity key.
    #[error("license signature check failed: {0}")]
    Signature(#[from] XmrError),
}

/// The two keys inside an ECC-256 wrapped content key.
#[derive(Clone, PartialEq, Eq)]
pub struct WrappedKeys {
    /// Content integrity key: AES-CMAC key for the license signature.
    pub integrity_key: [u8; 16],
    /// Content key: decrypts the media.
    pub content_key: [u8; 16],
}

impl std::fmt::Debug for WrappedKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("WrappedKeys { .. }") // keys never reach logs
    }
}

/// A device public key: 64 bytes `x || y`, as the XMR ECC key object holds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DevicePublicKey {
    point: AffinePoint,
}

impl DevicePublicKey {
    /// Reads `x || y`; the point must be on P-256.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, EccError> {
        let point = point_from_xy(bytes).ok_or(EccError::BadPublicKey { len: bytes.len() })?;
        Ok(Self { point })
    }

    /// `x || y`.
    pub fn to_bytes(&self) -> [u8; 64] {
        let mut out = [0u8; 64];
        let ep = self.point.to_encoded_point(false);
        // An AffinePoint from `from_bytes` or a secret key is never the identity.
        if let (Some(x), Some(y)) = (ep.x(), ep.y()) {
            out[..32].copy_from_slice(x);
            out[32..].copy_from_slice(y);
        }
        out
    }

    /// Checks an ECDSA-SHA256 signature (`r || s`, 64 bytes) made by
    /// [`TestIdentity::sign_sha256`] with this key's identity.
    pub fn verify_sha256(&self, message: &[u8], signature: &[u8]) -> bool {
        use p256::ecdsa::signature::Verifier as _;
        let Ok(sig) = p256::ecdsa::Signature::from_slice(signature) else {
            return false;
        };
        let Ok(key) = p256::ecdsa::VerifyingKey::from_affine(self.point) else {
            return false;
        };
        key.verify(message, &sig).is_ok()
    }

    /// The XMR ECC device key object for this key.
    pub fn to_xmr(&self) -> EccDeviceKey {
        EccDeviceKey {
            curve: XMR_CURVE_P256,
            key: self.to_bytes().to_vec(),
        }
    }
}

/// Layover's test identity: a P-256 key pair generated by us, accepted only by our development
/// license server.
#[derive(Clone)]
pub struct TestIdentity {
    secret: SecretKey,
}

impl std::fmt::Debug for TestIdentity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestIdentity")
            .field("public", &self.public_key())
            .finish_non_exhaustive()
    }
}

impl TestIdentity {
    /// A fresh identity from the caller's RNG (the engine passes an OS RNG; tests a seeded one).
    pub fn generate(rng: &mut impl CryptoRngCore) -> Self {
        Self {
            secret: SecretKey::random(rng),
        }
    }

    /// Restores an identity from its 32-byte big-endian secret scalar.
    pub fn from_secret_bytes(bytes: &[u8; 32]) -> Result<Self, EccError> {
        SecretKey::from_bytes(&FieldBytes::from(*bytes))
            .map(|secret| Self { secret })
            .map_err(|_| EccError::BadSecretKey)
    }

    /// The secret scalar, for the credential store. Handle as a secret.
    pub fn secret_bytes(&self) -> [u8; 32] {
        self.secret.to_bytes().into()
    }

    /// ECDSA-SHA256 on P-256 over `message`, deterministic (RFC 6979): `r || s`, 64 bytes. Used
    /// for the test identity's self-made certificate and its license challenges
    /// ([`crate::challenge`]).
    pub fn sign_sha256(&self, message: &[u8]) -> [u8; 64] {
        use p256::ecdsa::signature::Signer as _;
        let key = p256::ecdsa::SigningKey::from(&self.secret);
        let sig: p256::ecdsa::Signature = key.sign(message);
        let mut out = [0u8; 64];
        out.copy_from_slice(&sig.to_bytes());
        out
    }

    /// The public key licenses are bound to.
    pub fn public_key(&self) -> DevicePublicKey {
        DevicePublicKey {
            point: *self.secret.public_key().as_affine(),
        }
    }

    /// Decrypts a 128-byte ECC-256 encrypted key: `M = C2 - d·C1`, keys from `M.x`.
    pub fn decrypt(&self, encrypted_key: &[u8]) -> Result<WrappedKeys, EccError> {
        if encrypted_key.len() != 128 {
            return Err(EccError::BadCiphertextLength {
                len: encrypted_key.len(),
            });
        }
        let c1 = point_from_xy(&encrypted_key[..64]).ok_or(EccError::PointNotOnCurve {
            which: 1,
            start: 0,
            end: 64,
        })?;
        let c2 = point_from_xy(&encrypted_key[64..]).ok_or(EccError::PointNotOnCurve {
            which: 2,
            start: 64,
            end: 128,
        })?;
        let d = self.secret.to_nonzero_scalar();
        let m = (ProjectivePoint::from(c2) - ProjectivePoint::from(c1) * *d).to_affine();
        if m == AffinePoint::IDENTITY {
            return Err(EccError::Infinity);
        }
        let x = m.x();
        let mut keys = WrappedKeys {
            integrity_key: [0; 16],
            content_key: [0; 16],
        };
        keys.integrity_key.copy_from_slice(&x[..16]);
        keys.content_key.copy_from_slice(&x[16..]);
        Ok(keys)
    }

    /// What the test-identity CDM does with a license from the development server: check that
    /// it is bound to this identity, unwrap the key for `kid`, verify the license signature with
    /// the unwrapped integrity key, and return the content key.
    pub fn unwrap_license_key(&self, license: &XmrLicense, kid: Kid) -> Result<[u8; 16], EccError> {
        if let Some(dk) = license.ecc_device_key()
            && dk.key.as_slice() != self.public_key().to_bytes().as_slice()
        {
            return Err(EccError::WrongDevice);
        }
        let key = license
            .content_keys()
            .into_iter()
            .find(|k| k.kid == kid)
            .ok_or(EccError::NoKeyForKid { kid })?;
        if key.cipher_type != CipherType::Ecc256 {
            return Err(EccError::NotEcc256 {
                kid,
                cipher_type: key.cipher_type,
            });
        }
        let keys = self.decrypt(&key.encrypted_key)?;
        license.verify_signature(&keys.integrity_key)?;
        Ok(keys.content_key)
    }
}

/// Server side: wraps `content_key` to `device` with a fresh integrity key chosen so that
/// `integrity_key || content_key` is the x-coordinate of a P-256 point (see the module docs).
/// Returns the 128-byte encrypted key and the integrity key to sign the license with.
pub fn encrypt_content_key(
    device: &DevicePublicKey,
    content_key: &[u8; 16],
    rng: &mut impl CryptoRngCore,
) -> Result<([u8; 128], [u8; 16]), EccError> {
    for _ in 0..MAX_DRAWS {
        let mut integrity_key = [0u8; 16];
        rng.fill_bytes(&mut integrity_key);
        let mut x = FieldBytes::default();
        x[..16].copy_from_slice(&integrity_key);
        x[16..].copy_from_slice(content_key);
        let Some(m) = Option::<AffinePoint>::from(AffinePoint::decompress(&x, Choice::from(0)))
        else {
            continue;
        };
        let k = NonZeroScalar::random(&mut *rng);
        let c1 = (ProjectivePoint::GENERATOR * *k).to_affine();
        let c2 = (ProjectivePoint::from(m) + ProjectivePoint::from(device.point) * *k).to_affine();
        let (Some(c1), Some(c2)) = (xy_bytes(&c1), xy_bytes(&c2)) else {
            continue; // the identity: probability ~2^-256, draw again
        };
        let mut out = [0u8; 128];
        out[..64].copy_from_slice(&c1);
        out[64..].copy_from_slice(&c2);
        return Ok((out, integrity_key));
    }
    Err(EccError::NoCurvePoint { draws: MAX_DRAWS })
}

fn point_from_xy(bytes: &[u8]) -> Option<AffinePoint> {
    if bytes.len() != 64 {
        return None;
    }
    // Copy into owned arrays: `FieldBytes::from_slice` is deprecated in newer generic-array.
    let x: [u8; 32] = bytes[..32].try_into().ok()?;
    let y: [u8; 32] = bytes[32..].try_into().ok()?;
    let ep =
        EncodedPoint::from_affine_coordinates(&FieldBytes::from(x), &FieldBytes::from(y), false);
    Option::from(AffinePoint::from_encoded_point(&ep))
}

fn xy_bytes(p: &AffinePoint) -> Option<[u8; 64]> {
    let ep = p.to_encoded_point(false);
    let mut out = [0u8; 64];
    out[..32].copy_from_slice(ep.x()?);
    out[32..].copy_from_slice(ep.y()?);
    Some(out)
}

#[cfg(test)]
mod tests;
