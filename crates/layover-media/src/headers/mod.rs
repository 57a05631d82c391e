//! DRM system headers carried in `pssh` boxes (ISO/IEC 23001-7 §8.1) and manifests:
//! building `pssh` boxes per system, the PlayReady Object and WRMHEADER, and Widevine's
//! `WidevinePsshData`.

pub mod playready;
mod protobuf;
pub mod widevine;

use crate::boxes::protection::pssh::{Pssh, SystemId};
use crate::kid::Kid;

/// A W3C "common" `pssh` (version 1, KIDs only, no data), as EME's `cenc` init data format
/// defines it.
pub fn common_pssh(kids: &[Kid]) -> Pssh {
    Pssh::v1(SystemId::COMMON, kids.to_vec(), Vec::new())
}

/// A DASH-IF ClearKey `pssh` (version 1 with KIDs, no data).
pub fn clearkey_pssh(kids: &[Kid]) -> Pssh {
    Pssh::v1(SystemId::CLEARKEY, kids.to_vec(), Vec::new())
}

/// A PlayReady `pssh`: version 1 with the KIDs when given, data = the PlayReady Object.
pub fn playready_pssh(pro: &playready::Pro, kids: &[Kid]) -> Pssh {
    let data = pro.to_bytes();
    if kids.is_empty() {
        Pssh::v0(SystemId::PLAYREADY, data)
    } else {
        Pssh::v1(SystemId::PLAYREADY, kids.to_vec(), data)
    }
}

/// A Widevine `pssh` (version 0, as Widevine's own tools write it).
pub fn widevine_pssh(data: &widevine::WidevinePsshData) -> Pssh {
    Pssh::v0(SystemId::WIDEVINE, data.to_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::boxes::BoxCodec;

    #[test]
    fn builders_name_their_systems() {
        let k = [Kid([1; 16])];
        let c = common_pssh(&k);
        assert_eq!((c.version, c.system_id.name()), (1, Some("W3C Common")));
        let ck = clearkey_pssh(&k);
        assert_eq!(ck.system_id.name(), Some("ClearKey"));
        let wv = widevine_pssh(&widevine::WidevinePsshData {
            key_ids: k.to_vec(),
            ..Default::default()
        });
        let back = Pssh::parse(&wv.to_bytes()[8..], 8).unwrap();
        assert_eq!(
            widevine::WidevinePsshData::parse(&back.data)
                .unwrap()
                .key_ids,
            k.to_vec()
        );
    }
}
