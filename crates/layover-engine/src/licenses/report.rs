//! "What did the server grant?" for a license a support engineer saved to a file: a SOAP
//! AcquireLicense response, base64 XMR or raw XMR. Backs `layover license parse`.

use std::path::Path;

use layover_drm::expiry::{Evaluation, ExpirySettings, evaluate};
use layover_drm::inspect::{InputKind, inspect_license_input};
use layover_drm::policy::LicensePolicy;
use serde::Serialize;

use crate::clock::Clock;
use crate::error::{Error, Result};

/// Saved license files are small; anything bigger is not a license (and is not read whole).
const MAX_LICENSE_FILE: u64 = 4 * 1024 * 1024;

/// Every license found in one input, each with its policy and where it stands now.
#[derive(Debug, Clone, Serialize)]
pub struct LicenseReport {
    /// What the input turned out to be.
    pub input: InputKind,
    /// The time the licenses were evaluated at (Unix seconds).
    pub evaluated_at: i64,
    /// The licenses, in the order they appear.
    pub licenses: Vec<LicenseSummary>,
}

/// One license.
#[derive(Debug, Clone, Serialize)]
pub struct LicenseSummary {
    /// The license's RightsID, hex.
    pub rights_id: String,
    /// XMR format version.
    pub xmr_version: u32,
    /// What it grants.
    pub policy: LicensePolicy,
    /// Where it stands at `evaluated_at`, as if never played on this machine.
    pub evaluation: Evaluation,
    /// Its keys, with the KID in both byte orders.
    pub keys: Vec<KeySummary>,
}

/// One key of a license. The key itself is encrypted to a device and never shown.
#[derive(Debug, Clone, Serialize)]
pub struct KeySummary {
    /// The KID as in `tenc` and DASH (`default_KID`), big-endian hex with dashes.
    pub kid: String,
    /// The same KID as PlayReady writes it: base64 of the little-endian GUID.
    pub kid_playready_base64: String,
    /// Content cipher, in words.
    pub key_type: String,
    /// How the key is protected, in words.
    pub cipher_type: String,
}

/// Reads and parses a saved license file. See [`parse_license_bytes`].
pub fn parse_license_file(path: &Path, clock: &dyn Clock) -> Result<LicenseReport> {
    let read_err = |source| Error::ReadFile {
        path: path.to_owned(),
        source,
    };
    let len = std::fs::metadata(path).map_err(read_err)?.len();
    if len > MAX_LICENSE_FILE {
        return Err(Error::NotALicense {
            what: path.display().to_string(),
            reason: format!("the file is {len} bytes; saved licenses are a few kilobytes"),
        });
    }
    let bytes = std::fs::read(path).map_err(read_err)?;
    parse_license_bytes(&bytes, clock).map_err(|e| match e {
        Error::NotALicense { reason, .. } => Error::NotALicense {
            what: path.display().to_string(),
            reason,
        },
        other => other,
    })
}

/// Parses every license in `bytes` and evaluates each at the clock's time.
pub fn parse_license_bytes(bytes: &[u8], clock: &dyn Clock) -> Result<LicenseReport> {
    let (input, licenses) = inspect_license_input(bytes).map_err(|e| Error::NotALicense {
        what: "the input".into(),
        reason: e.to_string(),
    })?;
    let now = clock.now_unix_ms().div_euclid(1000);
    let licenses = licenses
        .iter()
        .map(|license| {
            let policy = LicensePolicy::from_xmr(license);
            let evaluation = evaluate(&policy, None, None, now, &ExpirySettings::default());
            let keys = policy
                .keys
                .iter()
                .map(|k| KeySummary {
                    kid: k.kid.to_hyphenated(),
                    kid_playready_base64: k.kid.to_playready_base64(),
                    key_type: format!("{:?}", k.key_type),
                    cipher_type: format!("{:?}", k.cipher_type),
                })
                .collect();
            LicenseSummary {
                rights_id: license
                    .rights_id
                    .iter()
                    .map(|b| format!("{b:02x}"))
                    .collect(),
                xmr_version: license.version,
                policy,
                evaluation,
                keys,
            }
        })
        .collect();
    Ok(LicenseReport {
        input,
        evaluated_at: now,
        licenses,
    })
}

#[cfg(test)]
mod tests {
    use base64::Engine as _;
    use layover_drm::expiry::LicenseState;
    use layover_drm::xmr::LicenseTemplate;

    use super::*;
    use crate::clock::ManualClock;

    const NOW: u32 = 1_800_000_000;

    fn license(end: Option<u32>) -> Vec<u8> {
        let mut t = LicenseTemplate::new([9; 16], NOW - 3600);
        t.persistent = true;
        t.end = end;
        t.expire_after_first_play = Some(48 * 3600);
        t.build_signed(&[3; 16]).expect("builds")
    }

    fn clock() -> ManualClock {
        ManualClock::at_unix_ms(u64::from(NOW) * 1000)
    }

    #[test]
    fn raw_and_base64_licenses_report_their_policy() {
        let raw = license(Some(NOW + 7 * 86_400));
        let report = parse_license_bytes(&raw, &clock()).expect("parses");
        assert_eq!(report.input, InputKind::RawXmr);
        assert_eq!(report.evaluated_at, i64::from(NOW));
        let l = &report.licenses[0];
        assert_eq!(l.rights_id, "09".repeat(16));
        assert!(l.policy.persistent);
        assert_eq!(l.policy.expire_after_first_play, Some(48 * 3600));
        assert_eq!(l.evaluation.state, LicenseState::Valid);
        assert_eq!(l.evaluation.remaining_secs, Some(7 * 86_400));

        let b64 = base64::engine::general_purpose::STANDARD.encode(&raw);
        let report = parse_license_bytes(b64.as_bytes(), &clock()).expect("parses");
        assert_eq!(report.input, InputKind::Base64Xmr);
    }

    #[test]
    fn an_unlimited_end_is_never_expired() {
        let report = parse_license_bytes(&license(Some(u32::MAX)), &clock()).expect("parses");
        assert_eq!(report.licenses[0].evaluation.state, LicenseState::Valid);
        assert_eq!(report.licenses[0].evaluation.remaining_secs, None);
    }

    #[test]
    fn other_bytes_are_a_clear_error() {
        let err = parse_license_bytes(b"<html>502 Bad Gateway</html>", &clock()).expect_err("no");
        assert_eq!(err.code(), crate::ErrorCode::InvalidInput);
        let err = parse_license_bytes(b"hello", &clock()).expect_err("no");
        assert!(err.to_string().contains("raw XMR"), "{err}");
    }

    #[test]
    fn files_are_named_in_errors() {
        let dir = tempfile::tempdir().expect("tempdir");
        let missing = dir.path().join("nope.xml");
        let err = parse_license_file(&missing, &clock()).expect_err("missing");
        assert!(err.to_string().contains("nope.xml"), "{err}");
        let junk = dir.path().join("junk.bin");
        std::fs::write(&junk, b"junk").expect("write");
        let err = parse_license_file(&junk, &clock()).expect_err("junk");
        assert!(err.to_string().contains("junk.bin"), "{err}");
    }
}
