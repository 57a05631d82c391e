//! Typed payloads of the leaf objects Layover reads, each with an exact decoder and encoder.
//!
//! Field layouts confirmed in both pyplayready (`license/xmrlicense.py`) and playready-rs
//! (`binary_format/xmr_license.rs`): output protection levels (five u16), content key, signature,
//! rights settings (u16), expiration (two u32), issue date (u32), grace period (u32), ECC key,
//! expire after first play (u32 seconds), security level (u16), removal date (u32). The minimum
//! environment object (0x0003) is in neither; only its first u16 (security level) is decoded
//! here and the rest is kept as bytes.

use serde::Serialize;

use super::error::XmrError;
use super::object_type as ty;
use super::reader::Reader;
use crate::kid::Kid;

/// Content key algorithm (XMR content key object, `key_type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum KeyType {
    /// 1: AES-128 CTR (CENC `cenc`).
    AesCtr,
    /// 3: AES-128 ECB.
    AesEcb,
    /// 5: AES-128 CBC (`cbcs`).
    AesCbc,
    /// Any other value, kept so the license writes back unchanged.
    Other(u16),
}

impl From<u16> for KeyType {
    fn from(v: u16) -> Self {
        match v {
            1 => Self::AesCtr,
            3 => Self::AesEcb,
            5 => Self::AesCbc,
            other => Self::Other(other),
        }
    }
}

impl From<KeyType> for u16 {
    fn from(k: KeyType) -> u16 {
        match k {
            KeyType::AesCtr => 1,
            KeyType::AesEcb => 3,
            KeyType::AesCbc => 5,
            KeyType::Other(v) => v,
        }
    }
}

/// How the content key is protected in the license (`cipher_type`). Values from playready-rs
/// `CipherType`; only 3 is produced or consumed by Layover.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CipherType {
    /// 1: RSA-1024 (legacy).
    Rsa1024,
    /// 2: chained license (key encrypted with a root license's key).
    ChainedLicense,
    /// 3: ECC-256 ElGamal to the device key (see [`crate::ecc`]).
    Ecc256,
    /// 4: ECC-256 with a key derivation step.
    Ecc256WithKz,
    /// 6: ECC-256 via a symmetric key.
    Ecc256ViaSymmetric,
    /// Any other value, kept as is.
    Other(u16),
}

impl From<u16> for CipherType {
    fn from(v: u16) -> Self {
        match v {
            1 => Self::Rsa1024,
            2 => Self::ChainedLicense,
            3 => Self::Ecc256,
            4 => Self::Ecc256WithKz,
            6 => Self::Ecc256ViaSymmetric,
            other => Self::Other(other),
        }
    }
}

impl From<CipherType> for u16 {
    fn from(c: CipherType) -> u16 {
        match c {
            CipherType::Rsa1024 => 1,
            CipherType::ChainedLicense => 2,
            CipherType::Ecc256 => 3,
            CipherType::Ecc256WithKz => 4,
            CipherType::Ecc256ViaSymmetric => 6,
            CipherType::Other(v) => v,
        }
    }
}

/// Output protection levels (0x0005): minimum OPL per output kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize)]
pub struct OutputProtectionLevels {
    /// Compressed digital video.
    pub compressed_digital_video: u16,
    /// Uncompressed digital video.
    pub uncompressed_digital_video: u16,
    /// Analog video.
    pub analog_video: u16,
    /// Compressed digital audio.
    pub compressed_digital_audio: u16,
    /// Uncompressed digital audio.
    pub uncompressed_digital_audio: u16,
}

/// Content key (0x000a).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ContentKey {
    /// The KID, held in `tenc` order; written as a little-endian GUID.
    pub kid: Kid,
    /// Content encryption algorithm.
    pub key_type: KeyType,
    /// How `encrypted_key` is protected.
    pub cipher_type: CipherType,
    /// The protected key (128 bytes for ECC-256: two P-256 points).
    pub encrypted_key: Vec<u8>,
}

/// Signature (0x000b).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Signature {
    /// 1 = AES-128 CMAC.
    pub signature_type: u16,
    /// The MAC.
    pub data: Vec<u8>,
}

/// Signature type 1: AES-128 CMAC keyed with the content integrity key.
pub const SIGNATURE_TYPE_AES_CMAC: u16 = 1;

/// ECC device key (0x002a).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EccDeviceKey {
    /// Curve id (1 = P-256 in licenses seen by pyplayready's users; unverified beyond that).
    pub curve: u16,
    /// Uncompressed public key `x || y` (64 bytes for P-256).
    pub key: Vec<u8>,
}

/// Minimum environment (0x0003): security level then bytes Layover does not interpret.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MinimumEnvironment {
    /// Minimum security level (150/2000/3000).
    pub security_level: u16,
    /// The rest of the payload, kept verbatim.
    pub rest: Vec<u8>,
}

/// Rights settings bit: the license must not be stored (DRM-NOTES "XMR license", 0x0d).
pub const RIGHTS_CANNOT_PERSIST: u16 = 0x0001;

/// A decoded leaf object.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Leaf {
    /// 0x0003.
    MinimumEnvironment(MinimumEnvironment),
    /// 0x0005.
    OutputProtection(OutputProtectionLevels),
    /// 0x000a.
    ContentKey(ContentKey),
    /// 0x000b.
    Signature(Signature),
    /// 0x000d: rights bits.
    RightsSettings(u16),
    /// 0x0012: u32 Unix seconds; begin 0 = from the start, end 0xFFFFFFFF = unlimited.
    Expiration {
        /// Begin date.
        begin: u32,
        /// End date.
        end: u32,
    },
    /// 0x0013: u32 Unix seconds.
    IssueDate(u32),
    /// 0x001a: raw u32; units unverified (see [`crate::policy::LicensePolicy::grace_period`]).
    GracePeriod(u32),
    /// 0x002a.
    EccDeviceKey(EccDeviceKey),
    /// 0x0030: seconds after first play.
    ExpireAfterFirstPlay(u32),
    /// 0x0034: 150, 2000 or 3000.
    SecurityLevel(u16),
    /// 0x0050: u32 Unix seconds.
    RemovalDate(u32),
}

impl Leaf {
    /// The object type this leaf is written with.
    pub fn object_type(&self) -> u16 {
        match self {
            Leaf::MinimumEnvironment(_) => ty::MINIMUM_ENVIRONMENT,
            Leaf::OutputProtection(_) => ty::OUTPUT_PROTECTION_LEVELS,
            Leaf::ContentKey(_) => ty::CONTENT_KEY,
            Leaf::Signature(_) => ty::SIGNATURE,
            Leaf::RightsSettings(_) => ty::RIGHTS_SETTINGS,
            Leaf::Expiration { .. } => ty::EXPIRATION,
            Leaf::IssueDate(_) => ty::ISSUE_DATE,
            Leaf::GracePeriod(_) => ty::GRACE_PERIOD,
            Leaf::EccDeviceKey(_) => ty::ECC_DEVICE_KEY,
            Leaf::ExpireAfterFirstPlay(_) => ty::EXPIRE_AFTER_FIRST_PLAY,
            Leaf::SecurityLevel(_) => ty::SECURITY_LEVEL,
            Leaf::RemovalDate(_) => ty::REMOVAL_DATE,
        }
    }

    /// Whether this crate decodes objects of `object_type` as a typed leaf.
    pub fn is_known(object_type: u16) -> bool {
        matches!(
            object_type,
            ty::MINIMUM_ENVIRONMENT
                | ty::OUTPUT_PROTECTION_LEVELS
                | ty::CONTENT_KEY
                | ty::SIGNATURE
                | ty::RIGHTS_SETTINGS
                | ty::EXPIRATION
                | ty::ISSUE_DATE
                | ty::GRACE_PERIOD
                | ty::ECC_DEVICE_KEY
                | ty::EXPIRE_AFTER_FIRST_PLAY
                | ty::SECURITY_LEVEL
                | ty::REMOVAL_DATE
        )
    }

    /// Decodes a known leaf's payload; the payload must be consumed exactly, so that writing the
    /// object back gives the same bytes. Returns `Ok(None)` for types this crate does not decode.
    pub(crate) fn decode(
        object_type: u16,
        payload: &[u8],
        header_offset: usize,
    ) -> Result<Option<Leaf>, XmrError> {
        let exact = |expected: usize| -> Result<(), XmrError> {
            if payload.len() == expected {
                Ok(())
            } else {
                Err(XmrError::BadPayload {
                    object_type,
                    name: ty::name(object_type),
                    offset: header_offset,
                    expected,
                    found: payload.len(),
                })
            }
        };
        let mut r = Reader::new(payload, header_offset + 8);
        let leaf = match object_type {
            ty::MINIMUM_ENVIRONMENT => {
                let security_level = r.u16("minimum environment security level")?;
                let rest = r.bytes(r.remaining(), "minimum environment")?.to_vec();
                Leaf::MinimumEnvironment(MinimumEnvironment {
                    security_level,
                    rest,
                })
            }
            ty::OUTPUT_PROTECTION_LEVELS => {
                exact(10)?;
                Leaf::OutputProtection(OutputProtectionLevels {
                    compressed_digital_video: r.u16("OPL")?,
                    uncompressed_digital_video: r.u16("OPL")?,
                    analog_video: r.u16("OPL")?,
                    compressed_digital_audio: r.u16("OPL")?,
                    uncompressed_digital_audio: r.u16("OPL")?,
                })
            }
            ty::CONTENT_KEY => {
                let kid = Kid::from_guid_le(r.array("content key KID")?);
                let key_type = KeyType::from(r.u16("content key type")?);
                let cipher_type = CipherType::from(r.u16("content key cipher type")?);
                let len = usize::from(r.u16("content key length")?);
                exact(22 + len)?;
                let encrypted_key = r.bytes(len, "encrypted content key")?.to_vec();
                Leaf::ContentKey(ContentKey {
                    kid,
                    key_type,
                    cipher_type,
                    encrypted_key,
                })
            }
            ty::SIGNATURE => {
                let signature_type = r.u16("signature type")?;
                let len = usize::from(r.u16("signature length")?);
                exact(4 + len)?;
                Leaf::Signature(Signature {
                    signature_type,
                    data: r.bytes(len, "signature data")?.to_vec(),
                })
            }
            ty::ECC_DEVICE_KEY => {
                let curve = r.u16("ECC curve")?;
                let len = usize::from(r.u16("ECC key length")?);
                exact(4 + len)?;
                Leaf::EccDeviceKey(EccDeviceKey {
                    curve,
                    key: r.bytes(len, "ECC key")?.to_vec(),
                })
            }
            ty::RIGHTS_SETTINGS => {
                exact(2)?;
                Leaf::RightsSettings(r.u16("rights")?)
            }
            ty::SECURITY_LEVEL => {
                exact(2)?;
                Leaf::SecurityLevel(r.u16("security level")?)
            }
            ty::EXPIRATION => {
                exact(8)?;
                Leaf::Expiration {
                    begin: r.u32("begin date")?,
                    end: r.u32("end date")?,
                }
            }
            ty::ISSUE_DATE => {
                exact(4)?;
                Leaf::IssueDate(r.u32("issue date")?)
            }
            ty::GRACE_PERIOD => {
                exact(4)?;
                Leaf::GracePeriod(r.u32("grace period")?)
            }
            ty::EXPIRE_AFTER_FIRST_PLAY => {
                exact(4)?;
                Leaf::ExpireAfterFirstPlay(r.u32("seconds after first play")?)
            }
            ty::REMOVAL_DATE => {
                exact(4)?;
                Leaf::RemovalDate(r.u32("removal date")?)
            }
            _ => return Ok(None),
        };
        Ok(Some(leaf))
    }

    /// Appends the payload (without the 8-byte object header).
    pub(crate) fn encode_payload(&self, out: &mut Vec<u8>) -> Result<(), XmrError> {
        fn len16(what: &'static str, len: usize) -> Result<[u8; 2], XmrError> {
            u16::try_from(len)
                .map(u16::to_be_bytes)
                .map_err(|_| XmrError::TooLarge { what, len })
        }
        match self {
            Leaf::MinimumEnvironment(m) => {
                out.extend_from_slice(&m.security_level.to_be_bytes());
                out.extend_from_slice(&m.rest);
            }
            Leaf::OutputProtection(o) => {
                for v in [
                    o.compressed_digital_video,
                    o.uncompressed_digital_video,
                    o.analog_video,
                    o.compressed_digital_audio,
                    o.uncompressed_digital_audio,
                ] {
                    out.extend_from_slice(&v.to_be_bytes());
                }
            }
            Leaf::ContentKey(k) => {
                out.extend_from_slice(&k.kid.to_guid_le());
                out.extend_from_slice(&u16::from(k.key_type).to_be_bytes());
                out.extend_from_slice(&u16::from(k.cipher_type).to_be_bytes());
                out.extend_from_slice(&len16("encrypted content key", k.encrypted_key.len())?);
                out.extend_from_slice(&k.encrypted_key);
            }
            Leaf::Signature(s) => {
                out.extend_from_slice(&s.signature_type.to_be_bytes());
                out.extend_from_slice(&len16("signature", s.data.len())?);
                out.extend_from_slice(&s.data);
            }
            Leaf::EccDeviceKey(k) => {
                out.extend_from_slice(&k.curve.to_be_bytes());
                out.extend_from_slice(&len16("ECC key", k.key.len())?);
                out.extend_from_slice(&k.key);
            }
            Leaf::RightsSettings(v) | Leaf::SecurityLevel(v) => {
                out.extend_from_slice(&v.to_be_bytes());
            }
            Leaf::Expiration { begin, end } => {
                out.extend_from_slice(&begin.to_be_bytes());
                out.extend_from_slice(&end.to_be_bytes());
            }
            Leaf::IssueDate(v)
            | Leaf::GracePeriod(v)
            | Leaf::ExpireAfterFirstPlay(v)
            | Leaf::RemovalDate(v) => out.extend_from_slice(&v.to_be_bytes()),
        }
        Ok(())
    }
}
