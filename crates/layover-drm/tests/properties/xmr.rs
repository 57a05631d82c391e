use layover_drm::Kid;
use layover_drm::policy::LicensePolicy;
use layover_drm::xmr::{
    CipherType, ContentKey, EccDeviceKey, KeyType, Leaf, LicenseTemplate, MinimumEnvironment,
    ObjectBody, OutputProtectionLevels, Signature, XmrLicense, XmrObject,
};
use proptest::prelude::*;

fn bytes(max: usize) -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(any::<u8>(), 0..max)
}

fn leaf() -> impl Strategy<Value = Leaf> {
    prop_oneof![
        (any::<u16>(), bytes(8)).prop_map(|(security_level, rest)| {
            Leaf::MinimumEnvironment(MinimumEnvironment {
                security_level,
                rest,
            })
        }),
        any::<[u16; 5]>().prop_map(|v| Leaf::OutputProtection(OutputProtectionLevels {
            compressed_digital_video: v[0],
            uncompressed_digital_video: v[1],
            analog_video: v[2],
            compressed_digital_audio: v[3],
            uncompressed_digital_audio: v[4],
        })),
        (any::<[u8; 16]>(), any::<u16>(), any::<u16>(), bytes(140)).prop_map(|(k, t, c, e)| {
            Leaf::ContentKey(ContentKey {
                kid: Kid::from_bytes(k),
                key_type: KeyType::from(t),
                cipher_type: CipherType::from(c),
                encrypted_key: e,
            })
        }),
        (any::<u16>(), bytes(20)).prop_map(|(signature_type, data)| Leaf::Signature(Signature {
            signature_type,
            data
        })),
        any::<u16>().prop_map(Leaf::RightsSettings),
        (any::<u32>(), any::<u32>()).prop_map(|(begin, end)| Leaf::Expiration { begin, end }),
        any::<u32>().prop_map(Leaf::IssueDate),
        any::<u32>().prop_map(Leaf::GracePeriod),
        (any::<u16>(), bytes(70))
            .prop_map(|(curve, key)| Leaf::EccDeviceKey(EccDeviceKey { curve, key })),
        any::<u32>().prop_map(Leaf::ExpireAfterFirstPlay),
        any::<u16>().prop_map(Leaf::SecurityLevel),
        any::<u32>().prop_map(Leaf::RemovalDate),
    ]
}

fn flags() -> impl Strategy<Value = u16> {
    any::<u16>().prop_map(|f| f & !0x0002)
}

fn object() -> impl Strategy<Value = XmrObject> {
    let leafy = prop_oneof![
        (flags(), leaf()).prop_map(|(flags, l)| XmrObject::leaf(flags, l)),
        (
            flags(),
            any::<u16>().prop_filter("not a decoded type", |t| !Leaf::is_known(*t)),
            bytes(24)
        )
            .prop_map(|(flags, object_type, data)| XmrObject {
                flags,
                body: ObjectBody::Unknown { object_type, data },
            }),
    ];
    leafy.prop_recursive(3, 24, 5, |inner| {
        (flags(), any::<u16>(), prop::collection::vec(inner, 0..5)).prop_map(
            |(flags, object_type, children)| XmrObject {
                flags,
                body: ObjectBody::Container {
                    object_type,
                    children,
                },
            },
        )
    })
}

fn license() -> impl Strategy<Value = XmrLicense> {
    (
        any::<u32>(),
        any::<[u8; 16]>(),
        prop::collection::vec(object(), 0..4),
    )
        .prop_map(|(version, rights_id, objects)| XmrLicense {
            version,
            rights_id,
            objects,
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Builder -> parser gives back the same tree (the dev server relies on this).
    #[test]
    fn build_then_parse_is_identity(lic in license()) {
        let bytes = lic.to_bytes().unwrap();
        prop_assert_eq!(XmrLicense::parse(&bytes).unwrap(), lic);
    }

    /// Arbitrary bytes behind a valid magic never panic; whatever parses writes back exactly.
    #[test]
    fn arbitrary_bytes_never_panic(tail in bytes(300)) {
        let mut b = b"XMR\0".to_vec();
        b.extend_from_slice(&tail);
        if let Ok(lic) = XmrLicense::parse(&b) {
            prop_assert_eq!(lic.to_bytes().unwrap(), b);
            let _ = LicensePolicy::from_xmr(&lic);
        }
        let _ = XmrLicense::parse(&tail);
    }

    /// Corrupting bytes of a valid license never panics, and still round-trips if it parses.
    #[test]
    fn mutated_license_never_panics(
        lic in license(),
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..6),
    ) {
        let mut b = lic.to_bytes().unwrap();
        for (i, v) in edits {
            let i = i.index(b.len());
            b[i] = v;
        }
        if let Ok(parsed) = XmrLicense::parse(&b) {
            prop_assert_eq!(parsed.to_bytes().unwrap(), b);
            let _ = parsed.verify_signature(&[0; 16]);
            let _ = LicensePolicy::from_xmr(&parsed);
        }
    }

    /// Templates survive signing and parsing with their policy intact.
    #[test]
    fn template_round_trip(
        issue in any::<u32>(),
        begin in prop::option::of(any::<u32>()),
        end in prop::option::of(any::<u32>()),
        first_play in prop::option::of(any::<u32>()),
        persistent in any::<bool>(),
        key in any::<[u8; 16]>(),
    ) {
        let mut t = LicenseTemplate::new([1; 16], issue);
        t.begin = begin;
        t.end = end;
        t.expire_after_first_play = first_play;
        t.persistent = persistent;
        let bytes = t.build_signed(&key).unwrap();
        let lic = XmrLicense::parse(&bytes).unwrap();
        prop_assert_eq!(lic.verify_signature(&key), Ok(()));
        let p = LicensePolicy::from_xmr(&lic);
        prop_assert_eq!(p.persistent, persistent);
        prop_assert_eq!(p.issue_date, Some(i64::from(issue)));
    }
}
