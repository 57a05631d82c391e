//! Widevine `pssh` data: the `WidevinePsshData` protobuf message (field numbers as in
//! Shaka Packager's `widevine_pssh_data.proto`), decoded by hand.

use super::protobuf::{ProtoReader, Value, put_bytes, put_uint};
use crate::error::{Error, Result};
use crate::fourcc::FourCc;
use crate::kid::Kid;

/// The fields support staff and the license flow need.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct WidevinePsshData {
    /// Field 1, deprecated: 0 unencrypted, 1 AES-CTR.
    pub algorithm: Option<u32>,
    /// Field 2: KIDs (16 bytes each).
    pub key_ids: Vec<Kid>,
    /// Field 3: content provider.
    pub provider: Option<String>,
    /// Field 4: content ID (opaque bytes).
    pub content_id: Option<Vec<u8>>,
    /// Field 6: policy name.
    pub policy: Option<String>,
    /// Field 7: crypto period index (key rotation).
    pub crypto_period_index: Option<u32>,
    /// Field 9: protection scheme as a big-endian 4CC (`cenc`, `cbcs`, ...).
    pub protection_scheme: Option<FourCc>,
}

impl WidevinePsshData {
    /// Decodes the message.
    pub fn parse(data: &[u8]) -> Result<Self> {
        let mut r = ProtoReader::new(data);
        let mut out = WidevinePsshData::default();
        let bad = |reason| Error::Widevine { offset: 0, reason };
        while let Some((field, v)) = r.next_field()? {
            match (field, v) {
                (1, Value::Varint(a)) => out.algorithm = Some(a as u32),
                (2, Value::Bytes(b)) => {
                    let k: [u8; 16] = b.try_into().map_err(|_| bad("key_id is not 16 bytes"))?;
                    out.key_ids.push(Kid(k));
                }
                (3, Value::Bytes(b)) => out.provider = Some(String::from_utf8_lossy(b).into()),
                (4, Value::Bytes(b)) => out.content_id = Some(b.to_vec()),
                (6, Value::Bytes(b)) => out.policy = Some(String::from_utf8_lossy(b).into()),
                (7, Value::Varint(v)) => out.crypto_period_index = Some(v as u32),
                (9, Value::Varint(v)) => out.protection_scheme = Some(FourCc::from(v as u32)),
                // Other fields (track type, grouped licenses, ...) are not needed here.
                _ => {}
            }
        }
        Ok(out)
    }

    /// Encodes the message (fields in number order, as protobuf encoders do).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        if let Some(a) = self.algorithm {
            put_uint(&mut out, 1, u64::from(a));
        }
        for k in &self.key_ids {
            put_bytes(&mut out, 2, &k.0);
        }
        if let Some(p) = &self.provider {
            put_bytes(&mut out, 3, p.as_bytes());
        }
        if let Some(c) = &self.content_id {
            put_bytes(&mut out, 4, c);
        }
        if let Some(p) = &self.policy {
            put_bytes(&mut out, 6, p.as_bytes());
        }
        if let Some(i) = self.crypto_period_index {
            put_uint(&mut out, 7, u64::from(i));
        }
        if let Some(s) = self.protection_scheme {
            put_uint(&mut out, 9, u64::from(s.as_u32()));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn known_bytes() {
        // key_id (field 2) + provider "widevine_test" + protection_scheme 'cbcs'.
        let mut b = vec![0x12, 16];
        b.extend_from_slice(&[0xab; 16]);
        b.extend_from_slice(&[0x1a, 13]);
        b.extend_from_slice(b"widevine_test");
        b.extend_from_slice(&[0x48, 0xf3, 0xc6, 0x89, 0x9b, 0x06]);
        let d = WidevinePsshData::parse(&b).unwrap();
        assert_eq!(d.key_ids, vec![Kid([0xab; 16])]);
        assert_eq!(d.provider.as_deref(), Some("widevine_test"));
        assert_eq!(d.protection_scheme, Some(FourCc::new(b"cbcs")));
        assert_eq!(d.to_bytes(), b);
    }

    #[test]
    fn short_key_id_is_an_error() {
        assert!(WidevinePsshData::parse(&[0x12, 2, 1, 2]).is_err());
    }

    proptest! {
        #[test]
        fn build_parse_round_trip(kids in proptest::collection::vec(any::<[u8; 16]>(), 0..4),
                provider in proptest::option::of("[a-z_]{0,12}"),
                content in proptest::option::of(proptest::collection::vec(any::<u8>(), 0..20)),
                scheme in proptest::option::of(any::<u32>()), index in proptest::option::of(any::<u32>())) {
            let d = WidevinePsshData {
                algorithm: None,
                key_ids: kids.into_iter().map(Kid).collect(),
                provider,
                content_id: content,
                policy: None,
                crypto_period_index: index,
                protection_scheme: scheme.map(FourCc::from),
            };
            prop_assert_eq!(WidevinePsshData::parse(&d.to_bytes()).unwrap(), d);
        }

        #[test]
        fn arbitrary_bytes_never_panic(data in proptest::collection::vec(any::<u8>(), 0..200)) {
            let _ = WidevinePsshData::parse(&data);
        }
    }
}
