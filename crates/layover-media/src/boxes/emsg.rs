//! `emsg` (ISO/IEC 23009-1 §5.10.3.3): in-band DASH events.

use super::BoxCodec;
use crate::bytes::{Put, Reader};
use crate::error::Result;
use crate::fourcc::{FourCc, types};

/// Event message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Emsg {
    /// 0 (time relative to the segment) or 1 (absolute presentation time).
    pub version: u8,
    /// Scheme URI.
    pub scheme_id_uri: String,
    /// Value.
    pub value: String,
    /// Timescale.
    pub timescale: u32,
    /// Version 0: delta from the segment start; version 1: presentation time.
    pub presentation_time: u64,
    /// Event duration.
    pub event_duration: u32,
    /// Event ID.
    pub id: u32,
    /// Message body.
    pub message_data: Vec<u8>,
}

impl BoxCodec for Emsg {
    const TYPE: FourCc = types::EMSG;

    fn decode(r: &mut Reader<'_>) -> Result<Self> {
        let (version, _) = r.full_header()?;
        let e = if version == 0 {
            let scheme_id_uri = r.cstring()?;
            let value = r.cstring()?;
            Emsg {
                version,
                scheme_id_uri,
                value,
                timescale: r.u32()?,
                presentation_time: u64::from(r.u32()?),
                event_duration: r.u32()?,
                id: r.u32()?,
                message_data: r.rest().to_vec(),
            }
        } else if version == 1 {
            let timescale = r.u32()?;
            let presentation_time = r.u64()?;
            let event_duration = r.u32()?;
            let id = r.u32()?;
            Emsg {
                version,
                scheme_id_uri: r.cstring()?,
                value: r.cstring()?,
                timescale,
                presentation_time,
                event_duration,
                id,
                message_data: r.rest().to_vec(),
            }
        } else {
            return Err(r.invalid(format!("version {version}, expected 0 or 1")));
        };
        Ok(e)
    }

    fn encode(&self, out: &mut Vec<u8>) {
        out.put_full_header(self.version.min(1), 0);
        if self.version == 0 {
            out.put_cstring(&self.scheme_id_uri);
            out.put_cstring(&self.value);
            out.put_u32(self.timescale);
            out.put_u32(self.presentation_time as u32);
            out.put_u32(self.event_duration);
            out.put_u32(self.id);
        } else {
            out.put_u32(self.timescale);
            out.put_u64(self.presentation_time);
            out.put_u32(self.event_duration);
            out.put_u32(self.id);
            out.put_cstring(&self.scheme_id_uri);
            out.put_cstring(&self.value);
        }
        out.extend_from_slice(&self.message_data);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_both_versions() {
        for version in [0, 1] {
            let e = Emsg {
                version,
                scheme_id_uri: "urn:mpeg:dash:event:2012".into(),
                value: "1".into(),
                timescale: 1000,
                presentation_time: 500,
                event_duration: 0xffff_ffff,
                id: 4,
                message_data: b"hello".to_vec(),
            };
            assert_eq!(Emsg::parse(&e.to_bytes()[8..], 8).unwrap(), e);
        }
    }

    super::super::codec_proptest!(arbitrary_emsg, Emsg);
}
