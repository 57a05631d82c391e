//! Just enough of the PlayReady Object to report a KID and LA_URL (PlayReady Header spec:
//! PRO = u32 length, u16 record count, records {u16 type, u16 length, value}; type 1 is the
//! WRMHEADER as UTF-16LE XML).
//!
//! MERGE: layover-media parses PRO/WRMHEADER fully (all versions, CHECKSUM); replace
//! [`summary`] with a call into it.

use crate::kid::Kid;

/// The cheap facts of a PlayReady Object.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProSummary {
    /// The first KID, converted from PlayReady's little-endian GUID to big-endian.
    pub kid: Option<Kid>,
    /// `LA_URL`, when present.
    pub la_url: Option<String>,
    /// `ALGID` (`AESCTR`, `AESCBC`, `COCKTAIL`), when present.
    pub algid: Option<String>,
    /// WRMHEADER `version` attribute.
    pub version: Option<String>,
}

/// Reads what it can; malformed input yields an empty summary (the raw bytes are kept anyway).
pub fn summary(pro: &[u8]) -> ProSummary {
    let Some(xml) = wrm_header(pro) else {
        return ProSummary::default();
    };
    let kid_b64 = between(&xml, "<KID>", "</KID>").or_else(|| {
        let start = xml.find("<KID ")?;
        let rest = &xml[start..];
        let v = rest.find("VALUE=\"")?;
        let rest = &rest[v + 7..];
        Some(&rest[..rest.find('"')?])
    });
    let kid = kid_b64.and_then(|b| {
        use base64::Engine;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(b.trim())
            .ok()?;
        let arr: [u8; 16] = bytes.try_into().ok()?;
        Some(Kid(arr).swap_guid_order())
    });
    let algid = between(&xml, "<ALGID>", "</ALGID>")
        .map(str::to_owned)
        .or_else(|| {
            let i = xml.find("ALGID=\"")?;
            let rest = &xml[i + 7..];
            Some(rest[..rest.find('"')?].to_owned())
        });
    let version = xml.find("version=\"").and_then(|i| {
        let rest = &xml[i + 9..];
        Some(rest[..rest.find('"')?].to_owned())
    });
    ProSummary {
        kid,
        la_url: between(&xml, "<LA_URL>", "</LA_URL>").map(|s| s.trim().replace("&amp;", "&")),
        algid,
        version,
    }
}

fn between<'a>(s: &'a str, open: &str, close: &str) -> Option<&'a str> {
    let a = s.find(open)? + open.len();
    let b = s[a..].find(close)? + a;
    Some(&s[a..b])
}

/// Finds the type-1 record and decodes it from UTF-16LE. Also accepts a bare WRMHEADER.
fn wrm_header(pro: &[u8]) -> Option<String> {
    let le16 = |b: &[u8], i: usize| -> Option<usize> {
        Some(usize::from(u16::from_le_bytes([
            *b.get(i)?,
            *b.get(i + 1)?,
        ])))
    };
    let record = if pro.len() >= 6 {
        let count = le16(pro, 4)?;
        let mut pos = 6;
        let mut found = None;
        for _ in 0..count {
            let ty = le16(pro, pos)?;
            let len = le16(pro, pos + 2)?;
            let value = pro.get(pos + 4..pos + 4 + len)?;
            if ty == 1 {
                found = Some(value);
                break;
            }
            pos += 4 + len;
        }
        found?
    } else {
        return None;
    };
    let units: Vec<u16> = record
        .chunks_exact(2)
        .map(|c| u16::from_le_bytes([c[0], c[1]]))
        .collect();
    String::from_utf16(&units).ok()
}

/// Builds a PRO holding one WRMHEADER (tests and fixtures).
pub fn build_pro(wrmheader: &str) -> Vec<u8> {
    let utf16: Vec<u8> = wrmheader
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    let total = 10 + utf16.len();
    let mut out = Vec::with_capacity(total);
    out.extend_from_slice(&(total as u32).to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes());
    out.extend_from_slice(&(utf16.len() as u16).to_le_bytes());
    out.extend_from_slice(&utf16);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_v4_0_and_v4_2_headers() {
        let h40 = r#"<WRMHEADER xmlns="http://schemas.microsoft.com/DRM/2007/03/PlayReadyHeader" version="4.0.0.0"><DATA><PROTECTINFO><KEYLEN>16</KEYLEN><ALGID>AESCTR</ALGID></PROTECTINFO><KID>rk8d+Ox90BGnZQCgyR5r9g==</KID><LA_URL>https://pr.example/rightsmanager.asmx?a=1&amp;b=2</LA_URL></DATA></WRMHEADER>"#;
        let s = summary(&build_pro(h40));
        assert_eq!(
            s.kid.unwrap().to_string(),
            "f81d4fae-7dec-11d0-a765-00a0c91e6bf6"
        );
        assert_eq!(
            s.la_url.as_deref(),
            Some("https://pr.example/rightsmanager.asmx?a=1&b=2")
        );
        assert_eq!(s.algid.as_deref(), Some("AESCTR"));
        assert_eq!(s.version.as_deref(), Some("4.0.0.0"));
        let h42 = r#"<WRMHEADER version="4.2.0.0"><DATA><PROTECTINFO><KIDS><KID ALGID="AESCTR" VALUE="rk8d+Ox90BGnZQCgyR5r9g=="></KID></KIDS></PROTECTINFO></DATA></WRMHEADER>"#;
        let s = summary(&build_pro(h42));
        assert_eq!(
            s.kid.unwrap().to_string(),
            "f81d4fae-7dec-11d0-a765-00a0c91e6bf6"
        );
        assert_eq!(summary(&[1, 2, 3, 4, 5, 6, 7, 8]), ProSummary::default());
    }
}
