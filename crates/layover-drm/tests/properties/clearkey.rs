use layover_drm::Kid;
use layover_drm::clearkey::{
    ClearKey, LicenseRequest, LicenseResponse, ReleaseMessage, SessionType, decode_base64url,
    encode_base64url, parse_aes_clear_key,
};
use proptest::prelude::*;

fn kid() -> impl Strategy<Value = Kid> {
    any::<[u8; 16]>().prop_map(Kid::from_bytes)
}

fn session() -> impl Strategy<Value = SessionType> {
    prop_oneof![
        Just(SessionType::Temporary),
        Just(SessionType::PersistentLicense)
    ]
}

proptest! {
    #[test]
    fn arbitrary_text_never_panics(s in ".{0,300}") {
        let _ = LicenseRequest::from_json(&s);
        let _ = LicenseResponse::from_json(&s);
        let _ = ReleaseMessage::from_json(&s);
        let _ = decode_base64url(&s);
    }

    #[test]
    fn jsonish_noise_never_panics(parts in prop::collection::vec(prop::sample::select(vec![
        "{", "}", "[", "]", ",", ":", "\"keys\"", "\"kids\"", "\"kty\"", "\"oct\"", "\"k\"",
        "\"kid\"", "\"type\"", "\"temporary\"", "\"EHfv7MCyTQKs4zweUuL7Sw\"", "null", "1e999",
    ]), 0..40)) {
        let s: String = parts.concat();
        let _ = LicenseResponse::from_json(&s);
        let _ = LicenseRequest::from_json(&s);
    }

    #[test]
    fn messages_round_trip(
        kids in prop::collection::vec(kid(), 0..5),
        keys in prop::collection::vec((kid(), any::<[u8; 16]>()), 1..5),
        session_type in session(),
    ) {
        let req = LicenseRequest { kids: kids.clone(), session_type };
        prop_assert_eq!(LicenseRequest::from_json(&req.to_json()).unwrap(), req);
        let rel = ReleaseMessage { kids };
        prop_assert_eq!(ReleaseMessage::from_json(&rel.to_json()).unwrap(), rel);
        let resp = LicenseResponse {
            keys: keys.into_iter().map(|(kid, key)| ClearKey { kid, key }).collect(),
            session_type: Some(session_type),
        };
        let json = resp.to_json();
        prop_assert!(!json.contains('='));
        prop_assert_eq!(LicenseResponse::from_json(&json).unwrap(), resp);
    }

    #[test]
    fn base64url_round_trip(b in prop::collection::vec(any::<u8>(), 0..64)) {
        prop_assert_eq!(decode_base64url(&encode_base64url(&b)).unwrap(), b);
    }

    #[test]
    fn aes_key_only_sixteen_bytes(b in prop::collection::vec(any::<u8>(), 0..40)) {
        prop_assert_eq!(parse_aes_clear_key(&b).is_ok(), b.len() == 16);
    }

    #[test]
    fn kid_forms_round_trip(k in kid()) {
        prop_assert_eq!(Kid::parse_hex(&k.to_hyphenated()).unwrap(), k);
        prop_assert_eq!(Kid::from_playready_base64(&k.to_playready_base64()).unwrap(), k);
        prop_assert_eq!(decode_base64url(&k.to_base64url()).unwrap(), k.as_bytes().to_vec());
    }
}
