//! The test identity's challenge: any input is refused without panicking, and anything built
//! parses back to what went in.

use layover_drm::Kid;
use layover_drm::challenge::{
    ChallengeParams, TestCertificate, build_challenge, parse_challenge, wrm_header_xml,
};
use layover_drm::ecc::TestIdentity;
use proptest::prelude::*;

fn identity(seed: [u8; 32]) -> Option<TestIdentity> {
    TestIdentity::from_secret_bytes(&seed).ok()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_text_never_panics(s in "\\PC{0,400}") {
        let _ = parse_challenge(&s);
        let _ = TestCertificate::parse_and_verify(s.as_bytes());
    }

    #[test]
    fn arbitrary_certificate_bytes_never_panic(b in proptest::collection::vec(any::<u8>(), 0..300)) {
        let _ = TestCertificate::parse_and_verify(&b);
    }

    #[test]
    fn round_trip(
        seed in any::<[u8; 32]>(),
        kids in proptest::collection::vec(any::<[u8; 16]>(), 1..4),
        custom in proptest::option::of("[ -~]{0,60}"),
        nonce in any::<[u8; 16]>(),
        time in 0i64..4_000_000_000,
    ) {
        let Some(id) = identity(seed) else { return Ok(()); };
        let kids: Vec<Kid> = kids.into_iter().map(Kid::from_bytes).collect();
        let header = wrm_header_xml(&kids, None);
        let c = build_challenge(&id, &ChallengeParams {
            wrm_header: &header,
            custom_data: custom.as_deref(),
            nonce,
            client_time: time,
        }).unwrap();
        let v = parse_challenge(&c).unwrap();
        prop_assert_eq!(v.device_key, id.public_key());
        prop_assert_eq!(v.kids, kids);
        // Text content is trimmed by the reader; empty custom data reads as absent.
        let expected = custom.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned);
        prop_assert_eq!(v.custom_data, expected);
        prop_assert_eq!(v.client_time, Some(time));
    }

    #[test]
    fn any_single_byte_change_inside_la_is_refused_or_harmless(
        pos in any::<prop::sample::Index>(),
        byte in any::<u8>(),
    ) {
        let id = identity([7; 32]).unwrap();
        let header = wrm_header_xml(&[Kid::from_bytes([1; 16])], None);
        let c = build_challenge(&id, &ChallengeParams {
            wrm_header: &header, custom_data: None, nonce: [0; 16], client_time: 1,
        }).unwrap();
        let start = c.find("<LA ").unwrap();
        let end = c.find("</LA>").unwrap() + 5;
        let i = start + pos.index(end - start);
        let mut bytes = c.clone().into_bytes();
        if bytes[i] == byte { return Ok(()); }
        bytes[i] = byte;
        if let Ok(s) = String::from_utf8(bytes) {
            // The signed bytes changed: whatever else happens, it must not verify.
            prop_assert!(parse_challenge(&s).is_err());
        }
    }
}
