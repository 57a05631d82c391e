use super::*;

/// Hand-built license, written byte by byte from the DRM-NOTES layout rather than through the
/// builder, so parser and writer are each checked against the format, not only each other.
fn hand_built() -> Vec<u8> {
    let mut b = Vec::new();
    b.extend_from_slice(b"XMR\0");
    b.extend_from_slice(&3u32.to_be_bytes());
    b.extend_from_slice(&[0x11; 16]);
    let expiration: &[u8] = &[
        0, 1, 0, 0x12, 0, 0, 0, 16, // flags 1, type 0x12, len 16
        0, 0, 0, 0, // begin 0
        0xff, 0xff, 0xff, 0xff, // end unlimited
    ];
    let unknown: &[u8] = &[0, 0, 0, 0x22, 0, 0, 0, 12, 0, 0, 0, 7]; // source id, skipped
    let global_len = 8 + expiration.len() + unknown.len();
    let mut outer_children = Vec::new();
    outer_children.extend_from_slice(&[0, 3, 0, 2]);
    outer_children.extend_from_slice(&(global_len as u32).to_be_bytes());
    outer_children.extend_from_slice(expiration);
    outer_children.extend_from_slice(unknown);
    // content key: KID LE, key type 1, cipher 3, len 4, key
    let mut ck = vec![0, 1, 0, 0x0a, 0, 0, 0, 8 + 16 + 6 + 4];
    ck.extend_from_slice(&[0xaa; 16]);
    ck.extend_from_slice(&[0, 1, 0, 3, 0, 4, 1, 2, 3, 4]);
    outer_children.extend_from_slice(&ck);
    b.extend_from_slice(&[0, 3, 0, 1]);
    b.extend_from_slice(&((8 + outer_children.len()) as u32).to_be_bytes());
    b.extend_from_slice(&outer_children);
    b
}

#[test]
fn hand_built_parses_and_writes_back_exactly() {
    let bytes = hand_built();
    let lic = XmrLicense::parse(&bytes).unwrap();
    assert_eq!(lic.version, 3);
    assert_eq!(lic.rights_id, [0x11; 16]);
    assert_eq!(lic.to_bytes().unwrap(), bytes);
    let keys = lic.content_keys();
    assert_eq!(keys.len(), 1);
    assert_eq!(keys[0].key_type, KeyType::AesCtr);
    assert_eq!(keys[0].cipher_type, CipherType::Ecc256);
    assert_eq!(keys[0].encrypted_key, vec![1, 2, 3, 4]);
    assert!(lic.walk().iter().any(|o| matches!(
        o.body,
        ObjectBody::Unknown {
            object_type: 0x22,
            ..
        }
    )));
    assert_eq!(lic.signature(), None);
    assert_eq!(lic.verify_signature(&[0; 16]), Err(XmrError::NoSignature));
}

#[test]
fn truncations_and_bad_lengths_are_located() {
    let bytes = hand_built();
    // Cutting right after the 24-byte header leaves a license with no objects, which is
    // well-formed; every other cut splits an object.
    for cut in (0..bytes.len()).filter(|&c| c != 24) {
        assert!(XmrLicense::parse(&bytes[..cut]).is_err(), "cut at {cut}");
    }
    assert!(matches!(
        XmrLicense::parse(b"XMX\0"),
        Err(XmrError::BadMagic { .. })
    ));
    // Outer container claims one byte more than there is.
    let mut long = bytes.clone();
    long[31] += 1;
    assert_eq!(
        XmrLicense::parse(&long),
        Err(XmrError::BadObjectLength {
            object_type: 1,
            offset: 24,
            length: u32::from(long[31]),
            reason: "runs past the end of its parent"
        })
    );
    // A length below the header size.
    let mut tiny = bytes.clone();
    tiny[28..32].copy_from_slice(&7u32.to_be_bytes());
    assert!(matches!(
        XmrLicense::parse(&tiny),
        Err(XmrError::BadObjectLength { offset: 24, .. })
    ));
}

#[test]
fn known_object_with_wrong_size_names_type_and_offset() {
    // An issue date object with a 2-byte payload.
    let mut b = b"XMR\0\0\0\0\x01".to_vec();
    b.extend_from_slice(&[0; 16]);
    b.extend_from_slice(&[0, 1, 0, 0x13, 0, 0, 0, 10, 0, 0]);
    let err = XmrLicense::parse(&b).unwrap_err();
    assert_eq!(
        err,
        XmrError::BadPayload {
            object_type: 0x13,
            name: "issue date",
            offset: 24,
            expected: 4,
            found: 2
        }
    );
    assert!(err.to_string().contains("offset 24"));
}

#[test]
fn container_flag_decides_not_the_type() {
    // Type 0x0002 without the container flag is kept raw; type 0x0013 with it is a container.
    let mut b = b"XMR\0\0\0\0\x01".to_vec();
    b.extend_from_slice(&[0; 16]);
    b.extend_from_slice(&[0, 0, 0, 2, 0, 0, 0, 9, 0xee]);
    b.extend_from_slice(&[0, 2, 0, 0x13, 0, 0, 0, 8]);
    let lic = XmrLicense::parse(&b).unwrap();
    assert_eq!(
        lic.objects[0].body,
        ObjectBody::Unknown {
            object_type: 2,
            data: vec![0xee]
        }
    );
    assert_eq!(
        lic.objects[1].body,
        ObjectBody::Container {
            object_type: 0x13,
            children: vec![]
        }
    );
    assert_eq!(lic.to_bytes().unwrap(), b);
}

#[test]
fn deep_nesting_is_refused_not_overflowed() {
    let depth = MAX_DEPTH + 2;
    // `depth` nested empty containers, each header's length covering all those inside it.
    let mut b = b"XMR\0\0\0\0\x01".to_vec();
    b.extend_from_slice(&[0; 16]);
    for level in 0..depth {
        let len = 8 * (depth - level);
        b.extend_from_slice(&[0, 2, 0, 1]);
        b.extend_from_slice(&(len as u32).to_be_bytes());
    }
    assert!(matches!(
        XmrLicense::parse(&b),
        Err(XmrError::TooDeep { .. })
    ));
}

#[test]
fn sign_verify_and_tamper() {
    let t = LicenseTemplate::new([5; 16], 100);
    let bytes = t.build_signed(&[8; 16]).unwrap();
    let lic = XmrLicense::parse(&bytes).unwrap();
    assert_eq!(lic.to_bytes().unwrap(), bytes);
    assert_eq!(lic.verify_signature(&[8; 16]), Ok(()));
    assert_eq!(
        lic.verify_signature(&[9; 16]),
        Err(XmrError::SignatureMismatch)
    );
    // The MAC covers exactly the bytes before the 12-byte signature header and 16-byte tag.
    let signed = lic.signed_bytes().unwrap();
    assert_eq!(signed.len(), bytes.len() - 28);
    assert_eq!(
        aes_cmac(&[8; 16], &signed).as_slice(),
        &bytes[bytes.len() - 16..]
    );
}

#[test]
fn signature_not_last_is_refused() {
    let mut lic = LicenseTemplate::new([5; 16], 100).to_license();
    if let ObjectBody::Container { children, .. } = &mut lic.objects[0].body {
        children.push(XmrObject::leaf(0, Leaf::IssueDate(1)));
    }
    assert!(matches!(
        lic.sign(&[1; 16]),
        Err(XmrError::SignatureNotLast { .. })
    ));
}
