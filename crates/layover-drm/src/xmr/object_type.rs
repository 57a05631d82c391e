//! XMR object type numbers and header flags.
//!
//! Sources: DRM-NOTES "XMR license"; cross-checked against pyplayready
//! `pyplayready/license/xmrlicense.py` (`XmrObject` switch) and playready-rs
//! `binary_format/xmr_license.rs` (`struct_tag` values). Both agree on every number below except
//! 0x0003, which neither decodes (taken from DRM-NOTES only).

/// Flag bit: a client that does not understand this object must reject the license.
pub const FLAG_MUST_UNDERSTAND: u16 = 0x0001;
/// Flag bit: the payload is a sequence of child objects.
pub const FLAG_CONTAINER: u16 = 0x0002;

/// 0x0001 outer container: holds everything, signature last.
pub const OUTER_CONTAINER: u16 = 0x0001;
/// 0x0002 global policy container.
pub const GLOBAL_POLICY_CONTAINER: u16 = 0x0002;
/// 0x0003 minimum environment (older licenses; layout beyond the first u16 unverified).
pub const MINIMUM_ENVIRONMENT: u16 = 0x0003;
/// 0x0004 playback policy container.
pub const PLAYBACK_POLICY_CONTAINER: u16 = 0x0004;
/// 0x0005 output protection levels.
pub const OUTPUT_PROTECTION_LEVELS: u16 = 0x0005;
/// 0x0009 key material container.
pub const KEY_MATERIAL_CONTAINER: u16 = 0x0009;
/// 0x000a content key.
pub const CONTENT_KEY: u16 = 0x000a;
/// 0x000b signature (always last).
pub const SIGNATURE: u16 = 0x000b;
/// 0x000d rights settings.
pub const RIGHTS_SETTINGS: u16 = 0x000d;
/// 0x0012 expiration (begin, end).
pub const EXPIRATION: u16 = 0x0012;
/// 0x0013 issue date.
pub const ISSUE_DATE: u16 = 0x0013;
/// 0x001a grace period.
pub const GRACE_PERIOD: u16 = 0x001a;
/// 0x002a ECC device key (the public key the content keys are encrypted to).
pub const ECC_DEVICE_KEY: u16 = 0x002a;
/// 0x0030 expire after first play.
pub const EXPIRE_AFTER_FIRST_PLAY: u16 = 0x0030;
/// 0x0034 security level.
pub const SECURITY_LEVEL: u16 = 0x0034;
/// 0x0050 removal date.
pub const REMOVAL_DATE: u16 = 0x0050;

/// A readable name for an object type, for errors and support output.
pub fn name(object_type: u16) -> &'static str {
    match object_type {
        OUTER_CONTAINER => "outer container",
        GLOBAL_POLICY_CONTAINER => "global policy container",
        MINIMUM_ENVIRONMENT => "minimum environment",
        PLAYBACK_POLICY_CONTAINER => "playback policy container",
        OUTPUT_PROTECTION_LEVELS => "output protection levels",
        KEY_MATERIAL_CONTAINER => "key material container",
        CONTENT_KEY => "content key",
        SIGNATURE => "signature",
        RIGHTS_SETTINGS => "rights settings",
        EXPIRATION => "expiration",
        ISSUE_DATE => "issue date",
        GRACE_PERIOD => "grace period",
        ECC_DEVICE_KEY => "ECC device key",
        EXPIRE_AFTER_FIRST_PLAY => "expire after first play",
        SECURITY_LEVEL => "security level",
        REMOVAL_DATE => "removal date",
        _ => "unknown",
    }
}
