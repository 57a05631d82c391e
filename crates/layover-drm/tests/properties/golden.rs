//! A license checked by an independent implementation (see `tests/fixtures/README.md`).

use layover_drm::Kid;
use layover_drm::ecc::{TestIdentity, encrypt_content_key};
use layover_drm::policy::{LicensePolicy, Limit};
use layover_drm::xmr::{CipherType, ContentKey, KeyType, LicenseTemplate, XmrLicense};
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;

const FIXTURE: &str = include_str!("../fixtures/pyplayready-accepted-license.hex");

fn unhex(s: &str) -> Vec<u8> {
    let s = s.trim();
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

const KID: &str = "f81d4fae-7dec-11d0-a765-00a0c91e6bf6";

#[test]
fn writer_still_produces_the_checked_license() {
    let mut rng = ChaCha20Rng::seed_from_u64(0);
    let id = TestIdentity::generate(&mut rng);
    let kid: Kid = KID.parse().unwrap();
    let ck = [0x5a; 16];
    let (enc, ci) = encrypt_content_key(&id.public_key(), &ck, &mut rng).unwrap();
    let mut t = LicenseTemplate::new([0; 16], 1_700_000_000);
    t.end = Some(1_800_000_000);
    t.expire_after_first_play = Some(172_800);
    t.keys.push(ContentKey {
        kid,
        key_type: KeyType::AesCtr,
        cipher_type: CipherType::Ecc256,
        encrypted_key: enc.to_vec(),
    });
    t.device_key = Some(id.public_key().to_xmr());
    assert_eq!(t.build_signed(&ci).unwrap(), unhex(FIXTURE));
}

#[test]
fn checked_license_reads_back() {
    let bytes = unhex(FIXTURE);
    let lic = XmrLicense::parse(&bytes).unwrap();
    assert_eq!(lic.to_bytes().unwrap(), bytes);
    let id = TestIdentity::generate(&mut ChaCha20Rng::seed_from_u64(0));
    let kid: Kid = KID.parse().unwrap();
    assert_eq!(id.unwrap_license_key(&lic, kid).unwrap(), [0x5a; 16]);
    let p = LicensePolicy::from_xmr(&lic);
    assert_eq!(p.end, Limit::At(1_800_000_000));
    assert_eq!(p.expire_after_first_play, Some(172_800));
    assert_eq!(p.security_level, Some(2000));
    assert!(p.persistent);
}
