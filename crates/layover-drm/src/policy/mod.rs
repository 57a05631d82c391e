//! The license policy model: what a license grants, independent of how it arrived.
//!
//! [`LicensePolicy::from_xmr`] reads it from a PlayReady license; the engine can fill one from a
//! ClearKey session, an AES clear key (unlimited) or what a Windows CDM reports.

mod limit;

pub use limit::{Limit, window_from_xmr};

use serde::Serialize;

use crate::kid::Kid;
use crate::xmr::{
    CipherType, KeyType, Leaf, ObjectBody, OutputProtectionLevels, RIGHTS_CANNOT_PERSIST,
    XmrLicense,
};

/// One key a license carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct PolicyKey {
    /// The KID (`tenc` order).
    pub kid: Kid,
    /// Content cipher.
    pub key_type: KeyType,
    /// How the key is protected in the license.
    pub cipher_type: CipherType,
}

/// What a license grants. Times are Unix seconds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LicensePolicy {
    /// When the server issued the license.
    pub issue_date: Option<i64>,
    /// Not valid before this time (`None`: no begin restriction).
    pub begin: Option<i64>,
    /// Not valid after this time.
    pub end: Limit,
    /// Playback window length that starts at first play (`None`: no playback window).
    pub expire_after_first_play: Option<u64>,
    /// When the client must remove the license from its store (`Unlimited`: never).
    pub removal_date: Limit,
    /// Grace period exactly as the license states it. Its units are *unverified* (the XMR
    /// object is a bare u32 in both reference readers), so expiry rules do not use it.
    pub grace_period: Option<u32>,
    /// May the license be stored: true only when a rights settings object is present without
    /// the cannot-persist bit. With no such object the license is treated as non-persistent,
    /// because trusting a license to survive offline when it may not is the worse failure.
    pub persistent: bool,
    /// Minimum security level (150, 2000, 3000).
    pub security_level: Option<u16>,
    /// Output protection levels.
    pub output_protection: Option<OutputProtectionLevels>,
    /// Keys and their types.
    pub keys: Vec<PolicyKey>,
    /// Types of objects flagged must-understand that Layover does not decode: a real PlayReady
    /// client may refuse such a license, which support staff should see.
    pub unknown_must_understand: Vec<u16>,
}

impl LicensePolicy {
    /// A policy with no restrictions at all (AES clear key, ClearKey "temporary" aside).
    pub fn unlimited(keys: Vec<PolicyKey>, persistent: bool) -> Self {
        Self {
            issue_date: None,
            begin: None,
            end: Limit::Unlimited,
            expire_after_first_play: None,
            removal_date: Limit::Unlimited,
            grace_period: None,
            persistent,
            security_level: None,
            output_protection: None,
            keys,
            unknown_must_understand: Vec::new(),
        }
    }

    /// Reads the policy objects of an XMR license wherever they sit in the tree. None of them
    /// needs a key. When an object appears twice the first one wins, as a reader that stops at
    /// the first match (pyplayready `get_object`) would see it.
    pub fn from_xmr(license: &XmrLicense) -> Self {
        let mut p = Self::unlimited(Vec::new(), false);
        let (mut saw_rights, mut saw_expiration, mut saw_issue, mut saw_first_play) =
            (false, false, false, false);
        let (mut saw_removal, mut saw_sl) = (false, false);
        let mut min_env_level = None;
        for obj in license.walk() {
            match &obj.body {
                ObjectBody::Leaf(leaf) => match leaf {
                    Leaf::IssueDate(d) if !saw_issue => {
                        saw_issue = true;
                        p.issue_date = Some(i64::from(*d));
                    }
                    Leaf::Expiration { begin, end } if !saw_expiration => {
                        saw_expiration = true;
                        p.begin = (*begin != 0).then_some(i64::from(*begin));
                        p.end = Limit::from_xmr_end(*end);
                    }
                    Leaf::ExpireAfterFirstPlay(s) if !saw_first_play => {
                        saw_first_play = true;
                        p.expire_after_first_play = window_from_xmr(*s);
                    }
                    Leaf::RemovalDate(d) if !saw_removal => {
                        saw_removal = true;
                        p.removal_date = Limit::from_xmr_end(*d);
                    }
                    Leaf::GracePeriod(g) if p.grace_period.is_none() => {
                        p.grace_period = Some(*g);
                    }
                    Leaf::RightsSettings(bits) if !saw_rights => {
                        saw_rights = true;
                        p.persistent = bits & RIGHTS_CANNOT_PERSIST == 0;
                    }
                    Leaf::SecurityLevel(l) if !saw_sl => {
                        saw_sl = true;
                        p.security_level = Some(*l);
                    }
                    Leaf::MinimumEnvironment(m) if min_env_level.is_none() => {
                        min_env_level = Some(m.security_level);
                    }
                    Leaf::OutputProtection(o) if p.output_protection.is_none() => {
                        p.output_protection = Some(*o);
                    }
                    Leaf::ContentKey(k) => p.keys.push(PolicyKey {
                        kid: k.kid,
                        key_type: k.key_type,
                        cipher_type: k.cipher_type,
                    }),
                    _ => {}
                },
                ObjectBody::Unknown { object_type, .. } if obj.must_understand() => {
                    p.unknown_must_understand.push(*object_type);
                }
                _ => {}
            }
        }
        if p.security_level.is_none() {
            p.security_level = min_env_level;
        }
        p
    }

    /// The end of the license window: the earlier of the end date and the removal date (a
    /// license removed from the store cannot play, whatever its end date says).
    pub fn license_window_end(&self) -> Limit {
        self.end.min(self.removal_date)
    }
}

#[cfg(test)]
mod tests;
