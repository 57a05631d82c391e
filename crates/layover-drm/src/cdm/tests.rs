use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;

use super::*;
use crate::challenge::parse_challenge;
use crate::clearkey::{ClearKey, LicenseResponse, SessionType};
use crate::ecc::{TestIdentity, encrypt_content_key};
use crate::soap::{
    LicenseResponseParts, acquire_license_response_xml, fault_xml, redirect_fault_xml,
};
use crate::xmr::{CipherType, ContentKey as XmrKey, KeyType, LicenseTemplate};

const KID: Kid = Kid::from_bytes([0x0a; 16]);
const KEY: [u8; 16] = [0x42; 16];

fn identity() -> TestIdentity {
    TestIdentity::generate(&mut ChaCha20Rng::seed_from_u64(1))
}

fn ctx() -> RequestContext {
    RequestContext {
        kids: vec![KID],
        wrm_header: Some(crate::challenge::wrm_header_xml(&[KID], None)),
        custom_data: Some("token-ish".into()),
        persistent: true,
        nonce: [3; 16],
        now: 1_700_000_000,
        cdm_challenge: None,
    }
}

/// What the development server does, in miniature.
fn serve(request_body: &[u8], nonce_override: Option<&str>) -> String {
    let v = parse_challenge(std::str::from_utf8(request_body).unwrap()).unwrap();
    let mut rng = ChaCha20Rng::seed_from_u64(2);
    let mut licenses = Vec::new();
    for kid in &v.kids {
        let (wrapped, integrity) = encrypt_content_key(&v.device_key, &KEY, &mut rng).unwrap();
        let mut t = LicenseTemplate::new([1; 16], 1_700_000_000);
        t.end = Some(1_800_000_000);
        t.expire_after_first_play = Some(3600);
        t.device_key = Some(v.device_key.to_xmr());
        t.keys.push(XmrKey {
            kid: *kid,
            key_type: KeyType::AesCtr,
            cipher_type: CipherType::Ecc256,
            encrypted_key: wrapped.to_vec(),
        });
        licenses.push(t.build_signed(&integrity).unwrap());
    }
    acquire_license_response_xml(&LicenseResponseParts {
        licenses,
        transaction_id: Some("tx".into()),
        license_nonce: Some(nonce_override.map_or(v.nonce, str::to_owned)),
        response_id: None,
    })
}

#[test]
fn test_identity_round_trip() {
    let cdm = TestIdentityPlayReady::new(identity());
    let ctx = ctx();
    let req = cdm.license_request(&ctx).unwrap();
    assert_eq!(req.method, HttpMethod::Post);
    assert!(req.header("soapaction").unwrap().contains("AcquireLicense"));
    let body = serve(&req.body, None);
    let granted = cdm.process_response(&ctx, 200, body.as_bytes()).unwrap();
    assert_eq!(granted.key_for(KID), Some(KEY));
    assert_eq!(granted.kids, vec![KID]);
    assert!(granted.policy.persistent);
    assert_eq!(granted.policy.expire_after_first_play, Some(3600));
    assert_eq!(granted.server.transaction_id.as_deref(), Some("tx"));
    assert_eq!(granted.server.license_count, 1);
    let shown = format!("{granted:?}");
    assert!(
        !shown.contains("66, 66") && !shown.contains("0x42"),
        "{shown}"
    );

    let replay = serve(&req.body, Some(&STANDARD.encode([9u8; 16])));
    assert_eq!(
        cdm.process_response(&ctx, 200, replay.as_bytes()),
        Err(CdmError::NonceMismatch)
    );
    // Another identity cannot use the license.
    let thief =
        TestIdentityPlayReady::new(TestIdentity::generate(&mut ChaCha20Rng::seed_from_u64(5)));
    assert!(matches!(
        thief.process_response(&ctx, 200, body.as_bytes()),
        Err(CdmError::Ecc(_))
    ));
    let mut no_header = ctx.clone();
    no_header.wrm_header = None;
    assert!(matches!(
        cdm.license_request(&no_header),
        Err(CdmError::MissingInput { .. })
    ));
    let release = cdm.release_request(&[KID]).unwrap();
    assert!(String::from_utf8(release.body).unwrap().contains("kids"));
}

#[test]
fn faults_and_http_errors() {
    let cdm = TestIdentityPlayReady::new(identity());
    let f = fault_xml(crate::soap::PlayReadyFault::DeviceLimitReached, None);
    match cdm.process_response(&ctx(), 500, f.as_bytes()) {
        Err(CdmError::Fault {
            code,
            words,
            redirect_url,
            ..
        }) => {
            assert_eq!(code, 0x8004_C602);
            assert!(words.starts_with("device limit reached"));
            assert_eq!(redirect_url, None);
        }
        other => panic!("{other:?}"),
    }
    let r = redirect_fault_xml("http://127.0.0.1:1/PlayReady/");
    let err = cdm.process_response(&ctx(), 500, r.as_bytes()).unwrap_err();
    assert!(
        matches!(&err, CdmError::Fault { code: 0x8004_C60D, redirect_url: Some(u), .. } if u == "http://127.0.0.1:1/PlayReady/")
    );
    assert!(
        err.to_string()
            .contains("redirect to http://127.0.0.1:1/PlayReady/")
    );
    assert!(matches!(
        cdm.process_response(&ctx(), 502, b"<html>bad gateway</html>"),
        Err(CdmError::Http { status: 502, .. })
    ));
    assert!(matches!(
        cdm.process_response(&ctx(), 200, b"\xff\xfe\x00garbage"),
        Err(CdmError::Soap(_))
    ));
    let empty = acquire_license_response_xml(&LicenseResponseParts::default());
    assert_eq!(
        cdm.process_response(&ctx(), 200, empty.as_bytes()),
        Err(CdmError::NoLicense)
    );
}

#[test]
fn clearkey_and_aes() {
    let ck = ClearKeyCdm::default();
    let ctx = ctx();
    let req = ck.license_request(&ctx).unwrap();
    assert!(
        String::from_utf8(req.body)
            .unwrap()
            .contains("persistent-license")
    );
    let resp = LicenseResponse {
        keys: vec![ClearKey { kid: KID, key: KEY }],
        session_type: Some(SessionType::PersistentLicense),
    }
    .to_json();
    let g = ck.process_response(&ctx, 200, resp.as_bytes()).unwrap();
    assert_eq!(g.key_for(KID), Some(KEY));
    assert!(g.policy.persistent);
    let mut other = ctx.clone();
    other.kids = vec![Kid::from_bytes([1; 16])];
    assert!(matches!(
        ck.process_response(&other, 200, resp.as_bytes()),
        Err(CdmError::MissingKey { .. })
    ));
    assert!(matches!(
        ck.process_response(&ctx, 401, b"token expired"),
        Err(CdmError::Http { status: 401, .. })
    ));
    assert!(ck.release_request(&[KID]).is_some());

    let aes = AesClearKeyCdm::default();
    let req = aes.license_request(&ctx).unwrap();
    assert_eq!(req.method, HttpMethod::Get);
    assert_eq!(
        req.url("http://h/?x=1"),
        format!("http://h/?x=1&kid={}", KID.to_hyphenated())
    );
    assert_eq!(
        req.url("http://h/"),
        format!("http://h/?kid={}", KID.to_hyphenated())
    );
    let g = aes.process_response(&ctx, 200, &KEY).unwrap();
    assert_eq!(g.key_for(KID), Some(KEY));
    assert!(matches!(
        aes.process_response(&ctx, 200, b"<html>login</html>"),
        Err(CdmError::ClearKey(_))
    ));
    assert!(aes.release_request(&[KID]).is_none());
}

#[test]
fn webview_eme_carries_and_reads_policy() {
    // What Edge's PlayReady CDM emits: UTF-16LE XML with the challenge in base64.
    let inner = "<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\"><soap:Body/></soap:Envelope>";
    let msg = format!(
        "<PlayReadyKeyMessage type=\"LicenseAcquisition\"><LicenseAcquisition Version=\"1\">\
<Challenge encoding=\"base64encoded\">{}</Challenge><HttpHeaders>\
<HttpHeader><name>Content-Type</name><value>text/xml; charset=utf-8</value></HttpHeader>\
<HttpHeader><name>SOAPAction</name><value>\"x\"</value></HttpHeader></HttpHeaders>\
</LicenseAcquisition></PlayReadyKeyMessage>",
        STANDARD.encode(inner)
    );
    let utf16: Vec<u8> = msg.encode_utf16().flat_map(u16::to_le_bytes).collect();
    let mut ctx = ctx();
    ctx.cdm_challenge = Some(utf16);
    let req = WebViewEme.license_request(&ctx).unwrap();
    assert_eq!(req.body, inner.as_bytes());
    assert_eq!(req.header("SOAPAction"), Some("\"x\""));
    // A bare envelope passes through.
    ctx.cdm_challenge = Some(inner.as_bytes().to_vec());
    assert_eq!(
        WebViewEme.license_request(&ctx).unwrap().body,
        inner.as_bytes()
    );

    let mut t = LicenseTemplate::new([1; 16], 100);
    t.end = Some(5000);
    t.keys.push(XmrKey {
        kid: KID,
        key_type: KeyType::AesCtr,
        cipher_type: CipherType::Ecc256,
        encrypted_key: vec![0; 128],
    });
    let body = acquire_license_response_xml(&LicenseResponseParts {
        licenses: vec![t.build_signed(&[0; 16]).unwrap()],
        ..LicenseResponseParts::default()
    });
    let g = WebViewEme
        .process_response(&ctx, 200, body.as_bytes())
        .unwrap();
    assert!(g.keys.is_empty());
    assert_eq!(g.kids, vec![KID]);
    assert_eq!(g.cdm_response.as_deref(), Some(body.as_bytes()));
    assert_eq!(g.policy.end, crate::policy::Limit::At(5000));
    assert!(WebViewEme.release_request(&[KID]).is_none());
}
