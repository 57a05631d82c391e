use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;

use super::*;
use crate::xmr::{ContentKey, KeyType, LicenseTemplate};

fn rng() -> ChaCha20Rng {
    ChaCha20Rng::seed_from_u64(0x1a70_0e55)
}

#[test]
fn wrap_unwrap_round_trip_many_keys() {
    let mut rng = rng();
    let id = TestIdentity::generate(&mut rng);
    for i in 0..32u8 {
        let ck = [i.wrapping_mul(37); 16];
        let (enc, ci) = encrypt_content_key(&id.public_key(), &ck, &mut rng).unwrap();
        let keys = id.decrypt(&enc).unwrap();
        assert_eq!(keys.content_key, ck);
        assert_eq!(keys.integrity_key, ci);
    }
}

#[test]
fn other_identity_gets_other_keys() {
    let mut rng = rng();
    let a = TestIdentity::generate(&mut rng);
    let b = TestIdentity::generate(&mut rng);
    let (enc, _) = encrypt_content_key(&a.public_key(), &[5; 16], &mut rng).unwrap();
    match b.decrypt(&enc) {
        Ok(keys) => assert_ne!(keys.content_key, [5; 16]),
        Err(e) => assert_eq!(e, EccError::Infinity),
    }
}

#[test]
fn secret_round_trip_and_public_key_bytes() {
    let id = TestIdentity::generate(&mut rng());
    let again = TestIdentity::from_secret_bytes(&id.secret_bytes()).unwrap();
    assert_eq!(again.public_key(), id.public_key());
    let pk = id.public_key().to_bytes();
    assert_eq!(DevicePublicKey::from_bytes(&pk).unwrap(), id.public_key());
    assert!(TestIdentity::from_secret_bytes(&[0; 32]).is_err());
}

#[test]
fn malformed_ciphertexts_are_named() {
    let id = TestIdentity::generate(&mut rng());
    assert_eq!(
        id.decrypt(&[0; 127]),
        Err(EccError::BadCiphertextLength { len: 127 })
    );
    assert!(matches!(
        id.decrypt(&[1; 128]),
        Err(EccError::PointNotOnCurve { which: 1, .. })
    ));
    assert!(matches!(
        DevicePublicKey::from_bytes(&[2; 64]),
        Err(EccError::BadPublicKey { len: 64 })
    ));
}

/// The whole development-server path: wrap, build a signed license, parse it as a client,
/// unwrap with signature check; then tamper with the license and see the check fail.
#[test]
fn license_issue_and_unwrap() {
    let mut rng = rng();
    let id = TestIdentity::generate(&mut rng);
    let kid = Kid::from_bytes([0xab; 16]);
    let ck = [0x42; 16];
    let (enc, ci) = encrypt_content_key(&id.public_key(), &ck, &mut rng).unwrap();
    let mut t = LicenseTemplate::new([3; 16], 1_700_000_000);
    t.keys.push(ContentKey {
        kid,
        key_type: KeyType::AesCtr,
        cipher_type: CipherType::Ecc256,
        encrypted_key: enc.to_vec(),
    });
    t.device_key = Some(id.public_key().to_xmr());
    let bytes = t.build_signed(&ci).unwrap();

    let lic = XmrLicense::parse(&bytes).unwrap();
    assert_eq!(id.unwrap_license_key(&lic, kid).unwrap(), ck);
    assert_eq!(
        id.unwrap_license_key(&lic, Kid::from_bytes([0; 16])),
        Err(EccError::NoKeyForKid {
            kid: Kid::from_bytes([0; 16])
        })
    );
    let other = TestIdentity::generate(&mut rng);
    assert_eq!(
        other.unwrap_license_key(&lic, kid),
        Err(EccError::WrongDevice)
    );

    // Flip one policy byte (the issue date sits before the signature): MAC must fail.
    let mut tampered = bytes.clone();
    let pos = tampered
        .windows(4)
        .position(|w| w == 1_700_000_000u32.to_be_bytes())
        .unwrap();
    tampered[pos + 3] ^= 1;
    let lic = XmrLicense::parse(&tampered).unwrap();
    assert_eq!(
        id.unwrap_license_key(&lic, kid),
        Err(EccError::Signature(XmrError::SignatureMismatch))
    );
}

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

/// A ciphertext made by an independent implementation: pyplayready 0.8.5
/// `Crypto.ecc256_encrypt`, to a key pair it generated for this test (not a device key), of a
/// random message point. Decrypting it must give that point's x as `ci || ck`.
#[test]
fn decrypts_a_pyplayready_ciphertext() {
    let secret: [u8; 32] =
        unhex("781ec26b536528992a4b81d8e2bfc38d99d12bdd7763ead8aff5085a550451df")
            .try_into()
            .unwrap();
    let ct = unhex(concat!(
        "c8a3805edc8aa991f3398ec40263608cefc31d1cc815282d1ff8d9b16fbf7cf2",
        "e7fcf2742d4dffd36121e164c799c4173559d70ed993e2ad48c37c80bac27b8c",
        "207940cf18076c71a3d62391761a2d940c5862fcc122785f811d01a0525dbcbc",
        "e6dc9c836acb3794c7630c8e570af1e06f58acf87e971c483e0ec5944851043e",
    ));
    let x = unhex("b619324db2ceb6b65d3cfd09f0fde0b45bbc9676d95ba210318e06c55ae4957e");
    let keys = TestIdentity::from_secret_bytes(&secret)
        .unwrap()
        .decrypt(&ct)
        .unwrap();
    assert_eq!(keys.integrity_key.as_slice(), &x[..16]);
    assert_eq!(keys.content_key.as_slice(), &x[16..]);
}
