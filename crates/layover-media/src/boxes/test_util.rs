//! Shared test helpers for typed boxes.

use super::BoxCodec;

/// Shared checks for typed boxes: whatever parses re-encodes to bytes that parse to the same
/// value, and encoding is stable.
pub(crate) fn check_codec<T: BoxCodec + PartialEq + std::fmt::Debug>(data: &[u8]) {
    if let Ok(v) = T::parse(data, 0) {
        let mut out = Vec::new();
        v.encode(&mut out);
        let again = T::parse(&out, 0).expect("re-encoded box parses");
        assert_eq!(again, v);
        let mut out2 = Vec::new();
        again.encode(&mut out2);
        assert_eq!(out2, out);
    }
}

/// Declares a proptest that feeds arbitrary bytes to a typed box parser.
macro_rules! codec_proptest {
    ($name:ident, $ty:ty) => {
        proptest::proptest! {
            #[test]
            fn $name(data in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..256)) {
                $crate::boxes::check_codec::<$ty>(&data);
            }
        }
    };
}
pub(crate) use codec_proptest;
