//! Hand-picked hostile inputs, kept as ordinary tests. cargo-fuzz (`fuzz/`, three targets, 60 s
//! each: 4.3 M XMR, 1.8 M SOAP and 4.1 M ClearKey runs) found no crash to add here; these are
//! the shapes a fuzzer takes long to reach but a hostile server sends at once.

use layover_drm::clearkey::{ClearKeyError, LicenseResponse};
use layover_drm::soap::{SoapError, parse_acquire_license_response};
use layover_drm::xmr::{XmrError, XmrLicense};

fn xmr_with(objects: &[u8]) -> Vec<u8> {
    let mut b = b"XMR\0\0\0\0\x03".to_vec();
    b.extend_from_slice(&[0; 16]);
    b.extend_from_slice(objects);
    b
}

/// A length of 4 GiB must be refused before anything is allocated for it.
#[test]
fn xmr_huge_declared_length() {
    let b = xmr_with(&[0, 2, 0, 1, 0xff, 0xff, 0xff, 0xff]);
    assert!(matches!(
        XmrLicense::parse(&b),
        Err(XmrError::BadObjectLength {
            length: u32::MAX,
            offset: 24,
            ..
        })
    ));
}

/// A content key whose inner u16 length promises more than the object holds.
#[test]
fn xmr_inner_length_overrun() {
    let mut obj = vec![0, 1, 0, 0x0a, 0, 0, 0, 8 + 22];
    obj.extend_from_slice(&[0; 16]);
    obj.extend_from_slice(&[0, 1, 0, 3, 0xff, 0xff]);
    let err = XmrLicense::parse(&xmr_with(&obj)).unwrap_err();
    assert_eq!(
        err,
        XmrError::BadPayload {
            object_type: 0x0a,
            name: "content key",
            offset: 24,
            expected: 22 + 0xffff,
            found: 22
        }
    );
}

/// Entity expansion ("billion laughs") is refused, since DTDs are.
#[test]
fn xml_entity_expansion_refused() {
    let mut xml = String::from("<?xml version=\"1.0\"?><!DOCTYPE l [<!ENTITY a \"aaaaaaaaaa\">");
    for i in 1..10 {
        let prev = if i == 1 {
            "a".to_owned()
        } else {
            format!("a{}", i - 1)
        };
        xml.push_str(&format!(
            "<!ENTITY a{i} \"{}\">",
            format!("&{prev};").repeat(10)
        ));
    }
    xml.push_str("]><l>&a9;</l>");
    assert!(matches!(
        parse_acquire_license_response(&xml),
        Err(SoapError::Xml { .. })
    ));
}

/// Very deep XML nesting neither overflows the stack nor passes as a response.
#[test]
fn xml_deep_nesting() {
    let depth = 20_000;
    let xml = format!("{}{}", "<a>".repeat(depth), "</a>".repeat(depth));
    assert!(parse_acquire_license_response(&xml).is_err());
}

/// serde_json's recursion limit turns deep nesting into an error, not a stack overflow.
#[test]
fn json_deep_nesting() {
    let json = format!("{{\"keys\":{}{}}}", "[".repeat(10_000), "]".repeat(10_000));
    assert!(matches!(
        LicenseResponse::from_json(&json),
        Err(ClearKeyError::Json { .. })
    ));
}
