use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use layover_drm::soap::{
    PlayReadyFault, SoapError, acquire_license_envelope, parse_acquire_license_response,
};
use proptest::prelude::*;

fn response(licenses: &[Vec<u8>], nonce: &str) -> String {
    let lic: String = licenses
        .iter()
        .map(|l| format!("<License>{}</License>", STANDARD.encode(l)))
        .collect();
    format!(
        "<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\"><soap:Body>\
<AcquireLicenseResponse xmlns=\"http://schemas.microsoft.com/DRM/2007/03/protocols\"><AcquireLicenseResult>\
<Response xmlns=\"http://schemas.microsoft.com/DRM/2007/03/protocols/messages\">\
<LicenseResponse xmlns=\"http://schemas.microsoft.com/DRM/2007/03/protocols\"><Licenses>{lic}</Licenses>\
<LicenseNonce>{nonce}</LicenseNonce></LicenseResponse></Response></AcquireLicenseResult>\
</AcquireLicenseResponse></soap:Body></soap:Envelope>"
    )
}

proptest! {
    #[test]
    fn arbitrary_text_never_panics(s in ".{0,400}") {
        let _ = parse_acquire_license_response(&s);
        let _ = acquire_license_envelope(&s);
    }

    /// XML-ish noise: tags and namespaces from the real vocabulary in random order.
    #[test]
    fn xmlish_noise_never_panics(parts in prop::collection::vec(prop::sample::select(vec![
        "<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\">", "</soap:Envelope>",
        "<soap:Body>", "</soap:Body>", "<soap:Fault>", "</soap:Fault>", "<detail>", "</detail>",
        "<Exception>", "</Exception>", "<StatusCode>", "</StatusCode>", "0x8004C60D", "-1",
        "<License xmlns=\"http://schemas.microsoft.com/DRM/2007/03/protocols\">", "</License>",
        "QUJD", "&amp;", "&bogus;", "<![CDATA[x]]>", "<!--c-->",
    ]), 0..30)) {
        let s: String = parts.concat();
        let _ = parse_acquire_license_response(&s);
        let _ = acquire_license_envelope(&s);
    }

    #[test]
    fn licenses_round_trip(licenses in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..200), 0..4), nonce in "[A-Za-z0-9+/=]{0,24}") {
        let r = parse_acquire_license_response(&response(&licenses, &nonce)).unwrap();
        prop_assert_eq!(r.licenses, licenses);
        prop_assert_eq!(r.license_nonce, (!nonce.is_empty()).then_some(nonce));
    }

    #[test]
    fn any_status_code_is_kept(code in any::<u32>()) {
        let xml = format!("<Envelope xmlns=\"http://schemas.xmlsoap.org/soap/envelope/\"><Body><Fault>\
<detail><Exception xmlns=\"\"><StatusCode>{code:#x}</StatusCode></Exception></detail></Fault></Body></Envelope>");
        match parse_acquire_license_response(&xml) {
            Err(SoapError::Fault(f)) => prop_assert_eq!(f.status.map(PlayReadyFault::code), Some(code)),
            other => prop_assert!(false, "expected fault, got {:?}", other),
        }
    }
}
