use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;

use super::*;
use crate::soap::{
    LicenseResponseParts, PlayReadyFault, SoapError, acquire_license_envelope,
    acquire_license_response_xml, fault_xml, parse_acquire_license_response, redirect_fault_xml,
};

const KID_HEX: &str = "0a1b2c3d4e5f40718293a4b5c6d7e8f9";

fn identity() -> TestIdentity {
    TestIdentity::generate(&mut ChaCha20Rng::seed_from_u64(7))
}

fn wrm_header(kids: &[Kid]) -> String {
    let kids: String = kids
        .iter()
        .map(|k| {
            format!(
                "<KID ALGID=\"AESCTR\" VALUE=\"{}\"></KID>",
                k.to_playready_base64()
            )
        })
        .collect();
    format!(
        "<WRMHEADER xmlns=\"http://schemas.microsoft.com/DRM/2007/03/PlayReadyHeader\" version=\"4.2.0.0\">\
<DATA><PROTECTINFO><KIDS>{kids}</KIDS></PROTECTINFO><LA_URL>http://127.0.0.1/PlayReady/</LA_URL></DATA></WRMHEADER>"
    )
}

fn params(header: &str) -> ChallengeParams<'_> {
    ChallengeParams {
        wrm_header: header,
        custom_data: Some("user=<a&b>"),
        nonce: [5; 16],
        client_time: 1_700_000_000,
    }
}

#[test]
fn build_then_parse_through_the_soap_envelope() {
    let id = identity();
    let kid = Kid::parse_hex(KID_HEX).unwrap();
    let header = wrm_header(&[kid, Kid::from_bytes([9; 16])]);
    let challenge = build_challenge(&id, &params(&header)).unwrap();
    let envelope = acquire_license_envelope(&challenge).unwrap();
    for xml in [&challenge, &envelope] {
        let v = parse_challenge(xml).unwrap();
        assert_eq!(v.device_key, id.public_key());
        assert_eq!(v.kids, vec![kid, Kid::from_bytes([9; 16])]);
        assert_eq!(v.custom_data.as_deref(), Some("user=<a&b>"));
        assert_eq!(v.nonce, STANDARD.encode([5; 16]));
        assert_eq!(v.client_time, Some(1_700_000_000));
        assert_eq!(v.la_url.as_deref(), Some("http://127.0.0.1/PlayReady/"));
        assert_eq!(v.certificate.name, CERT_NAME);
        assert_eq!(v.certificate.security_level, 2000);
        assert_eq!(v.version.as_deref(), Some("1"));
    }
}

#[test]
fn tampering_is_refused() {
    let id = identity();
    let header = wrm_header(&[Kid::from_bytes([1; 16])]);
    let challenge = build_challenge(&id, &params(&header)).unwrap();
    // Changing the LA bytes (here: the client time) breaks the signature.
    let tampered = challenge.replace("1700000000", "1700000001");
    assert_eq!(
        parse_challenge(&tampered),
        Err(ChallengeError::BadSignature)
    );
    // Another identity's signature over the same LA does not verify with this certificate.
    let other = TestIdentity::generate(&mut ChaCha20Rng::seed_from_u64(8));
    let other_challenge = build_challenge(&other, &params(&header)).unwrap();
    let sig = |c: &str| {
        let a = c.find("<SignatureValue>").unwrap();
        let b = c.find("</SignatureValue>").unwrap();
        c[a..b].to_owned()
    };
    let swapped = challenge.replace(&sig(&challenge), &sig(&other_challenge));
    assert_eq!(parse_challenge(&swapped), Err(ChallengeError::BadSignature));
    // A certificate byte flipped breaks its self-signature.
    let cert = TestCertificate::issue(&id);
    let mut bad = cert.clone();
    bad[10] ^= 1;
    assert!(matches!(
        TestCertificate::parse_and_verify(&bad),
        Err(ChallengeError::BadCertificate { .. })
    ));
    assert!(TestCertificate::parse_and_verify(&cert).is_ok());
    assert!(matches!(
        TestCertificate::parse_and_verify(&cert[..cert.len() - 1]),
        Err(ChallengeError::CertificateLength { .. })
    ));
    let mut v2 = cert.clone();
    v2[5] = 2;
    assert_eq!(
        TestCertificate::parse_and_verify(&v2),
        Err(ChallengeError::CertificateVersion { version: 2 })
    );
}

#[test]
fn bad_inputs_are_named() {
    let id = identity();
    assert!(matches!(
        build_challenge(&id, &params("<NOTWRM/>")),
        Err(ChallengeError::WrmHeader(_))
    ));
    assert!(matches!(parse_challenge("<x"), Err(ChallengeError::Xml(_))));
    assert_eq!(
        parse_challenge("<a/>"),
        Err(ChallengeError::Missing {
            element: "Challenge"
        })
    );
    let header = wrm_header(&[Kid::from_bytes([1; 16])]);
    let challenge = build_challenge(&id, &params(&header)).unwrap();
    let other_alg = challenge.replace(ECDSA_SHA256, "urn:rsa");
    assert!(matches!(
        parse_challenge(&other_alg),
        Err(ChallengeError::UnsupportedSignature { .. })
    ));
    // An XML declaration in front of the header is dropped, not carried.
    let declared = format!("<?xml version=\"1.0\"?>{header}");
    let c = build_challenge(&id, &params(&declared)).unwrap();
    assert!(!c.contains("<?xml"));
    assert!(parse_challenge(&c).is_ok());
}

#[test]
fn response_and_faults_round_trip() {
    let parts = LicenseResponseParts {
        licenses: vec![b"XMR\0a".to_vec(), b"XMR\0b".to_vec()],
        transaction_id: Some("tx<1>".into()),
        license_nonce: Some("bm9uY2U=".into()),
        response_id: Some("r1".into()),
    };
    let r = parse_acquire_license_response(&acquire_license_response_xml(&parts)).unwrap();
    assert_eq!(r.licenses, parts.licenses);
    assert_eq!(r.transaction_id.as_deref(), Some("tx<1>"));
    assert_eq!(r.license_nonce.as_deref(), Some("bm9uY2U="));
    assert_eq!(r.response_id.as_deref(), Some("r1"));
    let bare = parse_acquire_license_response(&acquire_license_response_xml(
        &LicenseResponseParts::default(),
    ))
    .unwrap();
    assert!(bare.licenses.is_empty() && bare.transaction_id.is_none());

    for code in [
        0x8004_C065u32,
        0x8004_C600,
        0x8004_C601,
        0x8004_C602,
        0x8004_C604,
        0x8004_C605,
        0x8004_C606,
        0x8004_C60A,
        0x8004_C60B,
        0x8004_C60C,
    ] {
        let fault = PlayReadyFault::from_code(code);
        match parse_acquire_license_response(&fault_xml(fault, None)) {
            Err(SoapError::Fault(f)) => {
                assert_eq!(f.status, Some(fault));
                assert_eq!(f.fault_string.as_deref(), Some(fault.describe()));
                assert_eq!(f.redirect_url, None);
            }
            other => panic!("{code:#x}: {other:?}"),
        }
    }
    match parse_acquire_license_response(&redirect_fault_xml("http://x.example/a?b=1&c=2")) {
        Err(SoapError::Fault(f)) => {
            assert_eq!(f.status, Some(PlayReadyFault::ProtocolRedirect));
            assert_eq!(
                f.redirect_url.as_deref(),
                Some("http://x.example/a?b=1&c=2")
            );
        }
        other => panic!("{other:?}"),
    }
}
