use super::*;
use crate::xmr::{ContentKey, LicenseTemplate, XmrObject};

fn key(n: u8) -> ContentKey {
    ContentKey {
        kid: Kid::from_bytes([n; 16]),
        key_type: KeyType::AesCtr,
        cipher_type: CipherType::Ecc256,
        encrypted_key: vec![n; 128],
    }
}

#[test]
fn template_policy_round_trip() {
    let mut t = LicenseTemplate::new([1; 16], 1_000);
    t.begin = Some(2_000);
    t.end = Some(9_000);
    t.expire_after_first_play = Some(3_600);
    t.grace_period = Some(7);
    t.removal_date = Some(8_000);
    t.security_level = 3000;
    t.persistent = false;
    t.output_protection = Some(OutputProtectionLevels {
        compressed_digital_video: 400,
        uncompressed_digital_video: 300,
        analog_video: 150,
        compressed_digital_audio: 250,
        uncompressed_digital_audio: 300,
    });
    t.keys = vec![key(1), key(2)];
    let lic = XmrLicense::parse(&t.build_signed(&[9; 16]).unwrap()).unwrap();
    let p = LicensePolicy::from_xmr(&lic);
    assert_eq!(p.issue_date, Some(1_000));
    assert_eq!(p.begin, Some(2_000));
    assert_eq!(p.end, Limit::At(9_000));
    assert_eq!(p.expire_after_first_play, Some(3_600));
    assert_eq!(p.grace_period, Some(7));
    assert_eq!(p.removal_date, Limit::At(8_000));
    assert_eq!(p.license_window_end(), Limit::At(8_000));
    assert!(!p.persistent);
    assert_eq!(p.security_level, Some(3000));
    assert_eq!(p.output_protection, t.output_protection);
    assert_eq!(p.keys.len(), 2);
    assert_eq!(p.keys[1].kid, Kid::from_bytes([2; 16]));
    assert!(p.unknown_must_understand.is_empty());
}

#[test]
fn unlimited_markers_in_license_are_unlimited() {
    let mut t = LicenseTemplate::new([1; 16], 1_000);
    t.end = Some(u32::MAX);
    t.expire_after_first_play = Some(0);
    t.removal_date = Some(0);
    let p = LicensePolicy::from_xmr(&t.to_license());
    assert_eq!(p.end, Limit::Unlimited);
    assert_eq!(p.begin, None);
    assert_eq!(p.expire_after_first_play, None);
    assert_eq!(p.removal_date, Limit::Unlimited);
    assert!(p.persistent);
}

#[test]
fn unknown_must_understand_is_reported_and_others_skipped() {
    let mut lic = LicenseTemplate::new([1; 16], 1).to_license();
    if let ObjectBody::Container { children, .. } = &mut lic.objects[0].body {
        children.insert(
            0,
            XmrObject {
                flags: 1,
                body: ObjectBody::Unknown {
                    object_type: 0x0039,
                    data: vec![0; 16],
                },
            },
        );
        children.insert(
            0,
            XmrObject {
                flags: 0,
                body: ObjectBody::Unknown {
                    object_type: 0x0022,
                    data: vec![0; 4],
                },
            },
        );
    }
    let p = LicensePolicy::from_xmr(&lic);
    assert_eq!(p.unknown_must_understand, vec![0x0039]);
}

#[test]
fn missing_rights_settings_is_not_persistent() {
    let lic = XmrLicense {
        version: 3,
        rights_id: [0; 16],
        objects: vec![XmrObject::container(0x0001, vec![])],
    };
    let p = LicensePolicy::from_xmr(&lic);
    assert!(!p.persistent);
    assert_eq!(p.end, Limit::Unlimited);
}

#[test]
fn policy_serialises_for_the_cli() {
    let mut t = LicenseTemplate::new([1; 16], 1_000);
    t.keys = vec![key(0xab)];
    let p = LicensePolicy::from_xmr(&t.to_license());
    let json = serde_json::to_value(&p).unwrap();
    assert_eq!(
        json["keys"][0]["kid"],
        "abababab-abab-abab-abab-abababababab"
    );
    assert_eq!(json["keys"][0]["cipher_type"], "ecc256");
    assert_eq!(json["end"]["kind"], "unlimited");
}
