//! Writing licenses: the development license server describes what it grants in a
//! [`LicenseTemplate`] and gets signed XMR bytes back.
//!
//! Object placement follows the containers both reference implementations model (outer 0x0001
//! holding global policy 0x0002, playback policy 0x0004, key material 0x0009, then the
//! signature). Which policy object real servers put in which container is *unverified*; Layover's
//! own reader ([`crate::policy`]) searches the whole tree, so placement does not change meaning.

use super::XmrLicense;
use super::error::XmrError;
use super::object_type::{
    FLAG_MUST_UNDERSTAND, GLOBAL_POLICY_CONTAINER, KEY_MATERIAL_CONTAINER, OUTER_CONTAINER,
    PLAYBACK_POLICY_CONTAINER,
};
use super::objects::{
    ContentKey, EccDeviceKey, Leaf, OutputProtectionLevels, RIGHTS_CANNOT_PERSIST,
    SIGNATURE_TYPE_AES_CMAC, Signature,
};
use super::tree::XmrObject;

/// What a license grants. Dates are u32 Unix seconds as XMR stores them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LicenseTemplate {
    /// XMR version written in the header.
    pub version: u32,
    /// Identifies the license.
    pub rights_id: [u8; 16],
    /// When the server issued it.
    pub issue_date: u32,
    /// Whether the client may store it (rights settings bit 0x1 clear).
    pub persistent: bool,
    /// Not valid before (None = no begin restriction).
    pub begin: Option<u32>,
    /// Not valid after (None = unlimited). `Some(0)` and `Some(u32::MAX)` are the XMR
    /// "unlimited" markers and read back as unlimited; an already-expired test license needs a
    /// real past date such as `Some(1)`.
    pub end: Option<u32>,
    /// Playback window that starts at first play, in seconds.
    pub expire_after_first_play: Option<u32>,
    /// Grace period, written as given (units unverified).
    pub grace_period: Option<u32>,
    /// When the license is removed from the client's store.
    pub removal_date: Option<u32>,
    /// Minimum security level (150, 2000, 3000).
    pub security_level: u16,
    /// Output protection levels.
    pub output_protection: Option<OutputProtectionLevels>,
    /// Content keys, already protected (see [`crate::ecc::encrypt_content_key`]).
    pub keys: Vec<ContentKey>,
    /// The device public key the keys are encrypted to.
    pub device_key: Option<EccDeviceKey>,
}

impl LicenseTemplate {
    /// A persistent, unlimited SL2000 license with no keys, issued at `issue_date`.
    pub fn new(rights_id: [u8; 16], issue_date: u32) -> Self {
        Self {
            version: 3,
            rights_id,
            issue_date,
            persistent: true,
            begin: None,
            end: None,
            expire_after_first_play: None,
            grace_period: None,
            removal_date: None,
            security_level: 2000,
            output_protection: None,
            keys: Vec::new(),
            device_key: None,
        }
    }

    /// The object tree, with a zeroed 16-byte AES-CMAC placeholder as the last object.
    pub fn to_license(&self) -> XmrLicense {
        let mu = |leaf| XmrObject::leaf(FLAG_MUST_UNDERSTAND, leaf);
        let mut global = vec![
            mu(Leaf::SecurityLevel(self.security_level)),
            mu(Leaf::RightsSettings(if self.persistent {
                0
            } else {
                RIGHTS_CANNOT_PERSIST
            })),
        ];
        if self.begin.is_some() || self.end.is_some() {
            global.push(mu(Leaf::Expiration {
                begin: self.begin.unwrap_or(0),
                end: self.end.unwrap_or(u32::MAX),
            }));
        }
        global.push(mu(Leaf::IssueDate(self.issue_date)));
        if let Some(s) = self.expire_after_first_play {
            global.push(mu(Leaf::ExpireAfterFirstPlay(s)));
        }
        if let Some(g) = self.grace_period {
            global.push(mu(Leaf::GracePeriod(g)));
        }
        if let Some(r) = self.removal_date {
            global.push(mu(Leaf::RemovalDate(r)));
        }
        let mut outer = vec![XmrObject::container(GLOBAL_POLICY_CONTAINER, global)];
        if let Some(opl) = self.output_protection {
            outer.push(XmrObject::container(
                PLAYBACK_POLICY_CONTAINER,
                vec![mu(Leaf::OutputProtection(opl))],
            ));
        }
        let mut keys: Vec<XmrObject> = self
            .keys
            .iter()
            .cloned()
            .map(|k| mu(Leaf::ContentKey(k)))
            .collect();
        if let Some(dk) = &self.device_key {
            keys.push(mu(Leaf::EccDeviceKey(dk.clone())));
        }
        outer.push(XmrObject::container(KEY_MATERIAL_CONTAINER, keys));
        outer.push(mu(Leaf::Signature(Signature {
            signature_type: SIGNATURE_TYPE_AES_CMAC,
            data: vec![0; 16],
        })));
        XmrLicense {
            version: self.version,
            rights_id: self.rights_id,
            objects: vec![XmrObject::container(OUTER_CONTAINER, outer)],
        }
    }

    /// Signed XMR bytes: AES-CMAC under the content integrity key.
    pub fn build_signed(&self, integrity_key: &[u8; 16]) -> Result<Vec<u8>, XmrError> {
        self.to_license().sign(integrity_key)
    }
}
