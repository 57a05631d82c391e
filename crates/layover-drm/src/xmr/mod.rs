//! XMR, the binary PlayReady license: parse it into an object tree, write it back byte for byte,
//! and check or make its AES-CMAC signature.
//!
//! Layout (big-endian; DRM-NOTES "XMR license"): magic `XMR\0`, u32 version, 16-byte rights ID,
//! then objects. pyplayready reads the version as one u32; playready-rs reads the same four bytes
//! as u16 "offset" + u16 version. Both agree for versions 1-3 with a zero high half, and keeping a
//! u32 makes any other value round-trip unchanged.

mod error;
pub mod object_type;
mod objects;
mod reader;
mod signature;
mod template;
mod tree;

pub use error::XmrError;
pub use objects::{
    CipherType, ContentKey, EccDeviceKey, KeyType, Leaf, MinimumEnvironment,
    OutputProtectionLevels, RIGHTS_CANNOT_PERSIST, SIGNATURE_TYPE_AES_CMAC, Signature,
};
pub use signature::aes_cmac;
pub use template::LicenseTemplate;
pub use tree::{MAX_DEPTH, ObjectBody, XmrObject};

use reader::Reader;

/// The four magic bytes every XMR license starts with.
pub const MAGIC: [u8; 4] = *b"XMR\0";

/// A parsed XMR license.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct XmrLicense {
    /// Format version (1-3 seen in the wild).
    pub version: u32,
    /// Rights ID: identifies this license (used to ask a store for it, or to release it).
    pub rights_id: [u8; 16],
    /// Top-level objects; normally a single outer container.
    pub objects: Vec<XmrObject>,
}

impl XmrLicense {
    /// Parses raw XMR bytes. Never panics; every failure names the object and offset.
    pub fn parse(bytes: &[u8]) -> Result<Self, XmrError> {
        let mut r = Reader::new(bytes, 0);
        let magic: [u8; 4] = match r.array("magic") {
            Ok(m) => m,
            Err(_) => {
                return Err(XmrError::BadMagic {
                    found: bytes.to_vec(),
                });
            }
        };
        if magic != MAGIC {
            return Err(XmrError::BadMagic {
                found: magic.to_vec(),
            });
        }
        let version = r.u32("version")?;
        let rights_id = r.array("rights ID")?;
        let body_offset = r.offset();
        let body = r.bytes(r.remaining(), "objects")?;
        Ok(Self {
            version,
            rights_id,
            objects: tree::parse_objects(body, body_offset, 0)?,
        })
    }

    /// Writes the license. For a license that came from [`XmrLicense::parse`] this gives back
    /// exactly the parsed bytes.
    pub fn to_bytes(&self) -> Result<Vec<u8>, XmrError> {
        Ok(self.encode()?.0)
    }

    /// Bytes plus the offset of the first signature object, if any.
    fn encode(&self) -> Result<(Vec<u8>, Option<usize>), XmrError> {
        let mut out = Vec::with_capacity(256);
        out.extend_from_slice(&MAGIC);
        out.extend_from_slice(&self.version.to_be_bytes());
        out.extend_from_slice(&self.rights_id);
        let mut sig = None;
        tree::encode_objects(&self.objects, &mut out, &mut sig)?;
        Ok((out, sig))
    }

    /// Every object, depth first, containers before their children.
    pub fn walk(&self) -> Vec<&XmrObject> {
        fn go<'a>(objs: &'a [XmrObject], out: &mut Vec<&'a XmrObject>) {
            for o in objs {
                out.push(o);
                if let ObjectBody::Container { children, .. } = &o.body {
                    go(children, out);
                }
            }
        }
        let mut out = Vec::new();
        go(&self.objects, &mut out);
        out
    }

    /// Every decoded leaf, depth first.
    pub fn leaves(&self) -> impl Iterator<Item = &Leaf> {
        self.walk().into_iter().filter_map(|o| match &o.body {
            ObjectBody::Leaf(l) => Some(l),
            _ => None,
        })
    }

    /// The content key objects.
    pub fn content_keys(&self) -> Vec<&ContentKey> {
        self.leaves()
            .filter_map(|l| match l {
                Leaf::ContentKey(k) => Some(k),
                _ => None,
            })
            .collect()
    }

    /// The ECC device key object (the public key the content keys were encrypted to).
    pub fn ecc_device_key(&self) -> Option<&EccDeviceKey> {
        self.leaves().find_map(|l| match l {
            Leaf::EccDeviceKey(k) => Some(k),
            _ => None,
        })
    }

    /// The signature object.
    pub fn signature(&self) -> Option<&Signature> {
        self.leaves().find_map(|l| match l {
            Leaf::Signature(s) => Some(s),
            _ => None,
        })
    }

    /// The bytes the signature covers: everything before the signature object, which must be
    /// the last object in the license.
    pub fn signed_bytes(&self) -> Result<Vec<u8>, XmrError> {
        let (mut bytes, sig_offset) = self.encode()?;
        let offset = sig_offset.ok_or(XmrError::NoSignature)?;
        let sig = self.signature().ok_or(XmrError::NoSignature)?;
        // 8-byte header + u16 type + u16 length + data.
        if offset + 12 + sig.data.len() != bytes.len() {
            return Err(XmrError::SignatureNotLast { offset });
        }
        bytes.truncate(offset);
        Ok(bytes)
    }

    /// Checks the AES-CMAC signature with the content integrity key (only the holder of the
    /// content key has it: see [`crate::ecc`]).
    pub fn verify_signature(&self, integrity_key: &[u8; 16]) -> Result<(), XmrError> {
        let signed = self.signed_bytes()?;
        let sig = self.signature().ok_or(XmrError::NoSignature)?;
        signature::verify(integrity_key, &signed, sig.signature_type, &sig.data)
    }

    /// Fills in the signature: the license must already end with a signature object holding 16
    /// bytes (any value); its data is replaced by the AES-CMAC of everything before it.
    /// Returns the signed license bytes.
    pub fn sign(&mut self, integrity_key: &[u8; 16]) -> Result<Vec<u8>, XmrError> {
        let signed = self.signed_bytes()?;
        let tag = aes_cmac(integrity_key, &signed);
        let sig = first_signature_mut(&mut self.objects).ok_or(XmrError::NoSignature)?;
        if sig.signature_type != SIGNATURE_TYPE_AES_CMAC || sig.data.len() != 16 {
            return Err(XmrError::UnsupportedSignature {
                signature_type: sig.signature_type,
                len: sig.data.len(),
            });
        }
        sig.data = tag.to_vec();
        self.to_bytes()
    }
}

fn first_signature_mut(objects: &mut [XmrObject]) -> Option<&mut Signature> {
    for o in objects {
        match &mut o.body {
            ObjectBody::Leaf(Leaf::Signature(s)) => return Some(s),
            ObjectBody::Container { children, .. } => {
                if let Some(s) = first_signature_mut(children) {
                    return Some(s);
                }
            }
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests;
