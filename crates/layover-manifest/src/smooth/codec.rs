//! Codec configuration for Smooth Streaming tracks, whose fragments carry no `moov`: the
//! `avcC` record (ISO/IEC 14496-15 §5.3.3.1) from the Annex-B SPS/PPS in CodecPrivateData,
//! and the AAC AudioSpecificConfig (ISO/IEC 14496-3 §1.6.2.1), given or synthesised.

use serde::Serialize;

/// What a synthesised init segment needs for one Smooth QualityLevel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SmoothCodecInfo {
    /// `FourCC` as written (`H264`, `AVC1`, `AACL`, `AACH`, `EC-3`, `TTML`…).
    pub fourcc: String,
    /// `CodecPrivateData` decoded from hex (empty when absent).
    #[serde(serialize_with = "ser_hex")]
    pub codec_private_data: Vec<u8>,
    /// For H.264: the decoder configuration built from the SPS/PPS.
    pub avc: Option<AvcConfig>,
    /// For AAC: the AudioSpecificConfig (from CodecPrivateData, or synthesised).
    #[serde(serialize_with = "ser_hex_opt")]
    pub audio_specific_config: Option<Vec<u8>>,
    /// `SamplingRate`.
    pub sampling_rate: Option<u32>,
    /// `Channels`.
    pub channels: Option<u16>,
    /// `BitsPerSample`.
    pub bits_per_sample: Option<u16>,
    /// `PacketSize`.
    pub packet_size: Option<u32>,
    /// `AudioTag` (255 = AAC in WAVEFORMATEX terms).
    pub audio_tag: Option<u32>,
    /// `NALUnitLengthField` (default 4).
    pub nal_unit_length: u8,
}

fn ser_hex<S: serde::Serializer>(v: &[u8], s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&hex(v))
}

fn ser_hex_opt<S: serde::Serializer>(v: &Option<Vec<u8>>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(b) => s.serialize_some(&hex(b)),
        None => s.serialize_none(),
    }
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// Decodes a hex string (whitespace ignored).
pub fn from_hex(s: &str) -> Option<Vec<u8>> {
    let clean: Vec<u8> = s.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    if !clean.len().is_multiple_of(2) {
        return None;
    }
    clean
        .chunks_exact(2)
        .map(|p| {
            let h = (p[0] as char).to_digit(16)?;
            let l = (p[1] as char).to_digit(16)?;
            Some((h * 16 + l) as u8)
        })
        .collect()
}

/// An H.264 decoder configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AvcConfig {
    /// `profile_idc` (SPS byte 1).
    pub profile: u8,
    /// Constraint flags (SPS byte 2).
    pub compatibility: u8,
    /// `level_idc` (SPS byte 3).
    pub level: u8,
    /// SPS NAL units, without start codes.
    #[serde(skip)]
    pub sps: Vec<Vec<u8>>,
    /// PPS NAL units, without start codes.
    #[serde(skip)]
    pub pps: Vec<Vec<u8>>,
}

impl AvcConfig {
    /// Splits Annex-B bytes (`00 00 00 01` / `00 00 01` start codes) into SPS and PPS.
    pub fn from_annex_b(data: &[u8]) -> Option<AvcConfig> {
        let mut sps = Vec::new();
        let mut pps = Vec::new();
        for nal in split_annex_b(data) {
            match nal.first().map(|h| h & 0x1f) {
                Some(7) => sps.push(nal.to_vec()),
                Some(8) => pps.push(nal.to_vec()),
                _ => {}
            }
        }
        let first = sps.first()?;
        if first.len() < 4 || pps.is_empty() {
            return None;
        }
        Some(AvcConfig {
            profile: first[1],
            compatibility: first[2],
            level: first[3],
            sps,
            pps,
        })
    }

    /// RFC 6381 codec string, `avc1.PPCCLL`.
    pub fn codec_string(&self) -> String {
        format!(
            "avc1.{:02x}{:02x}{:02x}",
            self.profile, self.compatibility, self.level
        )
    }

    /// The `AVCDecoderConfigurationRecord` (ISO/IEC 14496-15 §5.3.3.1.2), the body of `avcC`.
    pub fn record(&self, nal_unit_length: u8) -> Vec<u8> {
        let mut out = vec![
            1,
            self.profile,
            self.compatibility,
            self.level,
            0xfc | (nal_unit_length.clamp(1, 4) - 1),
            0xe0 | (self.sps.len().min(31) as u8),
        ];
        for s in self.sps.iter().take(31) {
            out.extend_from_slice(&(s.len() as u16).to_be_bytes());
            out.extend_from_slice(s);
        }
        out.push(self.pps.len().min(255) as u8);
        for p in self.pps.iter().take(255) {
            out.extend_from_slice(&(p.len() as u16).to_be_bytes());
            out.extend_from_slice(p);
        }
        out
    }
}

fn split_annex_b(data: &[u8]) -> Vec<&[u8]> {
    let mut starts = Vec::new();
    let mut i = 0;
    while i + 3 <= data.len() {
        if data[i] == 0 && data[i + 1] == 0 && data[i + 2] == 1 {
            starts.push((i, i + 3));
            i += 3;
        } else {
            i += 1;
        }
    }
    let mut out = Vec::new();
    for (k, &(_, body)) in starts.iter().enumerate() {
        let mut end = starts.get(k + 1).map_or(data.len(), |n| n.0);
        // A 4-byte start code leaves a zero byte before the next 3-byte one.
        while end > body && data[end - 1] == 0 && starts.get(k + 1).is_some() {
            end -= 1;
        }
        if end > body {
            out.push(&data[body..end]);
        }
    }
    out
}

/// ISO/IEC 14496-3 Table 1.16 sampling frequency index.
fn sampling_index(rate: u32) -> Option<u8> {
    const RATES: [u32; 13] = [
        96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350,
    ];
    RATES.iter().position(|r| *r == rate).map(|i| i as u8)
}

/// An AAC-LC AudioSpecificConfig: 5 bits object type 2, 4 bits frequency index (or 15 and a
/// 24-bit explicit rate), 4 bits channel configuration, 3 zero bits of GASpecificConfig.
/// HE-AAC (`AACH`) is signalled implicitly (decoders find the SBR data), as LC at the core rate.
pub fn synthesize_aac_config(sampling_rate: u32, channels: u16) -> Vec<u8> {
    let ch = u64::from(channels.min(7));
    let (bits, nbits): (u64, u32) = match sampling_index(sampling_rate) {
        Some(idx) => ((2 << 11) | (u64::from(idx) << 7) | (ch << 3), 16),
        None => (
            (2 << 35) | (0xf << 31) | (u64::from(sampling_rate & 0xff_ffff) << 7) | (ch << 3),
            40,
        ),
    };
    (0..nbits / 8)
        .rev()
        .map(|i| (bits >> (i * 8)) as u8)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aac_lc_48k_stereo_is_1190() {
        assert_eq!(synthesize_aac_config(48000, 2), vec![0x11, 0x90]);
        assert_eq!(synthesize_aac_config(44100, 2), vec![0x12, 0x10]);
        // Explicit rate: object type 2, index 15, 24-bit rate, channels 1, padding.
        let odd = synthesize_aac_config(50000, 1);
        assert_eq!(odd.len(), 5);
        assert_eq!(odd[0] >> 3, 2);
    }

    #[test]
    fn avcc_from_annex_b() {
        let cpd = from_hex(
            "000000016764001FACD9405005BB011000000300100000030320F18319600000000168EBECB22C",
        )
        .unwrap();
        let avc = AvcConfig::from_annex_b(&cpd).unwrap();
        assert_eq!(avc.codec_string(), "avc1.64001f");
        assert_eq!(avc.sps.len(), 1);
        assert_eq!(avc.pps, vec![from_hex("68EBECB22C").unwrap()]);
        let rec = avc.record(4);
        assert_eq!(&rec[..6], &[1, 0x64, 0x00, 0x1f, 0xff, 0xe1]);
        let sps_len = usize::from(u16::from_be_bytes([rec[6], rec[7]]));
        assert_eq!(sps_len, avc.sps[0].len());
        assert_eq!(rec[8 + sps_len], 1, "one PPS");
        assert!(from_hex("abc").is_none());
        assert!(AvcConfig::from_annex_b(&[0, 0, 1, 0x68, 1]).is_none());
    }
}
