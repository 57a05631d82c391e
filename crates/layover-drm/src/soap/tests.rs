use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use super::*;

/// The fault MicrosoftDocs/PlayReady `testing-server-exceptions.md` shows for
/// `cfg=(errorcode:0x8004c065)`, whitespace as published.
const DOCS_FAULT: &str = r#"<?xml version="1.0" encoding="utf-8" ?>
<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"
               xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
               xmlns:xsd="http://www.w3.org/2001/XMLSchema">
    <soap:Body>
        <soap:Fault>
            <faultcode>soap:Server</faultcode>
            <faultstring>
                System.Web.Services.Protocols.SoapException: Device Certificate Revoked.
            </faultstring>
            <detail>
                <Exception>
                    <StatusCode>0x8004c065</StatusCode>
                </Exception>
            </detail>
        </soap:Fault>
    </soap:Body>
</soap:Envelope>"#;

fn fault_of(xml: &str) -> SoapFault {
    match parse_acquire_license_response(xml) {
        Err(SoapError::Fault(f)) => *f,
        other => panic!("expected a fault, got {other:?}"),
    }
}

fn fault_xml(code: &str, extra: &str) -> String {
    format!(
        "<e:Envelope xmlns:e=\"http://schemas.xmlsoap.org/soap/envelope/\"><e:Body><e:Fault>\
<faultcode>e:Server</faultcode><faultstring>boom</faultstring><detail><Exception>\
<StatusCode>{code}</StatusCode>{extra}</Exception></detail></e:Fault></e:Body></e:Envelope>"
    )
}

#[test]
fn docs_fault_is_device_revoked() {
    let f = fault_of(DOCS_FAULT);
    assert_eq!(f.status, Some(PlayReadyFault::DeviceCertificateRevoked));
    assert_eq!(f.fault_code.as_deref(), Some("soap:Server"));
    assert!(
        f.fault_string
            .unwrap()
            .contains("Device Certificate Revoked")
    );
}

#[test]
fn every_documented_code_has_words() {
    let cases = [
        (0x8004_C065, "device certificate revoked"),
        (0x8004_C600, "server internal error"),
        (0x8004_C601, "invalid message"),
        (0x8004_C602, "device limit reached"),
        (0x8004_C604, "service-specific"),
        (0x8004_C605, "domain required"),
        (0x8004_C606, "renew domain"),
        (0x8004_C60A, "not a domain member"),
        (0x8004_C60B, "protocol version mismatch"),
        (0x8004_C60C, "unknown account"),
        (0x8004_C60D, "protocol redirect"),
    ];
    for (code, words) in cases {
        let f = fault_of(&fault_xml(&format!("{code:#x}"), ""));
        let status = f.status.unwrap();
        assert_eq!(status.code(), code);
        assert!(!matches!(status, PlayReadyFault::Other(_)), "{code:#x}");
        assert!(status.describe().starts_with(words), "{code:#x}");
        let shown = SoapError::Fault(Box::new(f)).to_string();
        assert!(shown.contains(&format!("{code:#010X}")), "{shown}");
    }
}

#[test]
fn redirect_fault_carries_url_and_unknown_code_keeps_hex() {
    let f = fault_of(&fault_xml(
        "0x8004C60D",
        "<RedirectUrl>https://other.example/rightsmanager.asmx</RedirectUrl><CustomData>x</CustomData>",
    ));
    assert_eq!(f.status, Some(PlayReadyFault::ProtocolRedirect));
    assert_eq!(
        f.redirect_url.as_deref(),
        Some("https://other.example/rightsmanager.asmx")
    );
    assert_eq!(f.custom_data.as_deref(), Some("x"));
    assert!(f.to_string().contains("redirect to https://other.example"));

    let f = fault_of(&fault_xml("0x8004C6FF", ""));
    assert_eq!(f.status, Some(PlayReadyFault::Other(0x8004_C6FF)));
    assert!(f.to_string().contains("0x8004C6FF"));

    let f = fault_of(&fault_xml("garbage", ""));
    assert_eq!(f.status, None);
}

#[test]
fn status_code_forms() {
    assert_eq!(parse_status_code("0x8004c602"), Some(0x8004_C602));
    assert_eq!(parse_status_code("8004C602"), Some(0x8004_C602));
    assert_eq!(parse_status_code("-2147170814"), Some(0x8004_C602));
    assert_eq!(parse_status_code("2147796482"), Some(0x8004_C602));
    assert_eq!(parse_status_code("0x1FFFFFFFF"), None);
    assert_eq!(parse_status_code(""), None);
}

fn response_xml(licenses: &[&[u8]]) -> String {
    let lic: String = licenses
        .iter()
        .map(|l| format!("<pr:License>\n{}\n</pr:License>", STANDARD.encode(l)))
        .collect();
    format!(
        "<?xml version=\"1.0\"?><S:Envelope xmlns:S=\"http://schemas.xmlsoap.org/soap/envelope/\"><S:Body>\
<AcquireLicenseResponse xmlns=\"http://schemas.microsoft.com/DRM/2007/03/protocols\"><AcquireLicenseResult>\
<m:Response xmlns:m=\"http://schemas.microsoft.com/DRM/2007/03/protocols/messages\">\
<pr:LicenseResponse xmlns:pr=\"http://schemas.microsoft.com/DRM/2007/03/protocols\">\
<pr:Version>1</pr:Version><pr:Licenses>{lic}</pr:Licenses>\
<pr:Acknowledgement><pr:TransactionID>tx-1</pr:TransactionID></pr:Acknowledgement>\
<pr:LicenseNonce>bm9uY2U=</pr:LicenseNonce><pr:ResponseID>rid</pr:ResponseID>\
</pr:LicenseResponse></m:Response></AcquireLicenseResult></AcquireLicenseResponse></S:Body></S:Envelope>"
    )
}

#[test]
fn response_with_any_prefixes() {
    let r = parse_acquire_license_response(&response_xml(&[b"XMR\0one", b"XMR\0two"])).unwrap();
    assert_eq!(r.licenses, vec![b"XMR\0one".to_vec(), b"XMR\0two".to_vec()]);
    assert_eq!(r.version.as_deref(), Some("1"));
    assert_eq!(r.transaction_id.as_deref(), Some("tx-1"));
    assert_eq!(r.license_nonce.as_deref(), Some("bm9uY2U="));
    assert_eq!(r.response_id.as_deref(), Some("rid"));
    let parsed = r.parse_licenses();
    assert_eq!(parsed.len(), 2);
    assert!(matches!(
        parsed[0],
        Err(crate::xmr::XmrError::Truncated { offset: 4, .. })
    ));
}

#[test]
fn dev_server_license_survives_the_soap_trip() {
    let xmr = crate::xmr::LicenseTemplate::new([4; 16], 10)
        .build_signed(&[1; 16])
        .unwrap();
    let r = parse_acquire_license_response(&response_xml(&[&xmr])).unwrap();
    let lic = r.parse_licenses().remove(0).unwrap();
    assert_eq!(lic.verify_signature(&[1; 16]), Ok(()));
}

#[test]
fn wrong_namespace_is_not_taken() {
    let xml = response_xml(&[b"x"]).replace(
        "<AcquireLicenseResponse xmlns=\"http://schemas.microsoft.com/DRM/2007/03/protocols\">",
        "<AcquireLicenseResponse xmlns=\"urn:not-playready\">",
    );
    assert_eq!(
        parse_acquire_license_response(&xml),
        Err(SoapError::MissingElement {
            element: "AcquireLicenseResponse",
            parent: "Body"
        })
    );
}

#[test]
fn bad_inputs_are_named() {
    assert!(matches!(
        parse_acquire_license_response("<html><body>502</body></html>"),
        Err(SoapError::UnexpectedRoot { .. })
    ));
    assert!(matches!(
        parse_acquire_license_response("<unclosed"),
        Err(SoapError::Xml { .. })
    ));
    let dtd = "<?xml version=\"1.0\"?><!DOCTYPE a [<!ENTITY x \"y\">]><a>&x;</a>";
    assert!(matches!(
        parse_acquire_license_response(dtd),
        Err(SoapError::Xml { .. })
    ));
    let xml = response_xml(&[b"x"]).replace("<pr:License>\n", "<pr:License>!!");
    assert_eq!(
        parse_acquire_license_response(&xml),
        Err(SoapError::BadLicenseBase64 { index: 0 })
    );
}

const CHALLENGE: &str = "<?xml version=\"1.0\"?><Challenge xmlns=\"http://schemas.microsoft.com/DRM/2007/03/protocols/messages\"><LA xmlns=\"http://schemas.microsoft.com/DRM/2007/03/protocols\" Id=\"SignedData\"><Version>1</Version></LA></Challenge>";

#[test]
fn challenge_is_wrapped_verbatim() {
    let env = acquire_license_envelope(CHALLENGE).unwrap();
    let element = CHALLENGE.split_once("?>").unwrap().1;
    assert!(env.contains(&format!("<challenge>{element}</challenge>")));
    let doc = roxmltree::Document::parse(&env).unwrap();
    let op = doc
        .descendants()
        .find(|n| {
            n.has_tag_name((
                "http://schemas.microsoft.com/DRM/2007/03/protocols",
                "AcquireLicense",
            ))
        })
        .unwrap();
    assert!(op.descendants().any(|n| n.has_tag_name((
        "http://schemas.microsoft.com/DRM/2007/03/protocols/messages",
        "Challenge"
    ))));
    let ack = acknowledge_license_envelope(CHALLENGE).unwrap();
    assert!(ack.contains("<AcknowledgeLicense xmlns="));
    // A complete envelope (what Windows and EME produce) passes through untouched.
    assert_eq!(acquire_license_envelope(&env).unwrap(), env);
    assert!(matches!(
        acquire_license_envelope("<LA/>"),
        Err(SoapError::UnexpectedRoot { .. })
    ));
    assert!(matches!(
        acquire_license_envelope("not xml"),
        Err(SoapError::Xml { .. })
    ));
    assert!(
        SOAP_ACTION_ACQUIRE_LICENSE.starts_with('"')
            && SOAP_ACTION_ACQUIRE_LICENSE.ends_with("AcquireLicense\"")
    );
}

#[test]
fn unsigned_ack_is_wrappable_and_escaped() {
    let ch = unsigned_ack_challenge(
        "t<&>",
        &[AckLicenseResult {
            rights_id: [1; 16],
            result: 0,
        }],
    );
    assert!(ch.contains("<TransactionID>t&lt;&amp;&gt;</TransactionID>"));
    assert!(ch.contains("<Result>0x00000000</Result>"));
    let env = acknowledge_license_envelope(&ch).unwrap();
    assert!(roxmltree::Document::parse(&env).is_ok());
}
