//! Sample decryption for the four CENC schemes and PIFF (ISO/IEC 23001-7 §9-§10).
//!
//! - `cenc` (§10.1): AES-128-CTR. The counter block is the IV (8-byte IVs padded with zeros);
//!   the low 64 bits count blocks. One keystream per sample runs over the protected bytes of
//!   all subsamples back to back, so a protected range may end mid-block and the next one
//!   continues in the same block.
//! - `cens` (§10.2): CTR with a crypt:skip block pattern (§9.6); only whole 16-byte blocks in
//!   crypt positions are encrypted, and the keystream advances only over those.
//! - `cbc1` (§10.3): AES-128-CBC over whole blocks; the chain continues across subsamples;
//!   a trailing partial block stays clear.
//! - `cbcs` (§10.4): CBC with a pattern (usually 1:9); the IV is reset to the sample's (often
//!   constant) IV at every subsample; partial blocks stay clear.
//! - PIFF 1.1 AlgorithmID 1 is `cenc`; AlgorithmID 2 is CBC like `cbc1`.
//!
//! A pattern of 0:0 (written by Shaka Packager for audio under `cbcs`/`cens`) means every
//! whole block is encrypted.

use aes::Aes128;
use aes::cipher::array::Array;
use aes::cipher::{BlockModeDecrypt, InnerIvInit, KeyInit, StreamCipher};

use crate::boxes::moof::senc::Subsample;
use crate::error::{Error, Result};
use crate::fourcc::{FourCc, types};

type Ctr = ctr::Ctr64BE<Aes128>;
type CbcDec = cbc::Decryptor<Aes128>;

/// How samples are encrypted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scheme {
    /// `cenc`: full CTR.
    Cenc,
    /// `cens`: CTR with a pattern.
    Cens,
    /// `cbc1`: full CBC.
    Cbc1,
    /// `cbcs`: CBC with a pattern and per-subsample IV reset.
    Cbcs,
    /// PIFF 1.1 AES-CTR.
    PiffCtr,
    /// PIFF 1.1 AES-CBC.
    PiffCbc,
}

impl Scheme {
    /// From a `schm` scheme type.
    pub fn from_fourcc(t: FourCc) -> Option<Self> {
        Some(match t {
            types::CENC => Self::Cenc,
            types::CENS => Self::Cens,
            types::CBC1 => Self::Cbc1,
            types::CBCS => Self::Cbcs,
            _ => return None,
        })
    }

    /// The scheme 4CC (`piff` for both PIFF forms).
    pub fn fourcc(self) -> FourCc {
        match self {
            Self::Cenc => types::CENC,
            Self::Cens => types::CENS,
            Self::Cbc1 => types::CBC1,
            Self::Cbcs => types::CBCS,
            Self::PiffCtr | Self::PiffCbc => types::PIFF,
        }
    }
}

/// A crypt:skip pattern in 16-byte blocks; `crypt == 0` means no pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Pattern {
    /// Encrypted blocks per pattern.
    pub crypt: u8,
    /// Clear blocks per pattern.
    pub skip: u8,
}

/// A CTR keystream from an already expanded key (the wrapper has no `InnerIvInit`; its core
/// does).
fn new_ctr(key: Aes128, iv: &[u8; 16]) -> Ctr {
    Ctr::from_core(ctr::CtrCore::inner_iv_init(key, &Array(*iv)))
}

/// An expanded AES-128 key, made once per KID and cloned per sample.
#[derive(Clone)]
pub struct SampleKey(Aes128);

impl std::fmt::Debug for SampleKey {
    // A content key never reaches a log line or a panic message.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SampleKey([redacted])")
    }
}

impl SampleKey {
    /// Expands a content key.
    pub fn new(key: &[u8; 16]) -> Self {
        SampleKey(Aes128::new(&Array(*key)))
    }
}

/// Pads an 8-byte IV to a 16-byte counter block / CBC IV.
pub fn full_iv(iv: &[u8]) -> Result<[u8; 16]> {
    let mut out = [0u8; 16];
    match iv.len() {
        8 | 16 => {
            out[..iv.len()].copy_from_slice(iv);
            Ok(out)
        }
        n => Err(Error::Unsupported(format!(
            "IV of {n} bytes (expected 8 or 16)"
        ))),
    }
}

/// Splits a sample into (clear, protected) ranges from its subsample map. No map means the
/// whole sample is protected. A map covering less than the sample leaves the rest clear; one
/// covering more is an error.
fn ranges(len: usize, subsamples: &[Subsample]) -> Result<Vec<(usize, usize)>> {
    if subsamples.is_empty() {
        return Ok(vec![(0, len)]);
    }
    let mut total = 0usize;
    let mut out = Vec::with_capacity(subsamples.len());
    for s in subsamples {
        let c = usize::from(s.clear);
        let p = s.protected as usize;
        total = total.saturating_add(c).saturating_add(p);
        out.push((c, p));
    }
    if total > len {
        return Err(Error::Unsupported(format!(
            "subsample map covers {total} bytes but the sample has {len}"
        )));
    }
    Ok(out)
}

fn as_blocks(data: &mut [u8]) -> &mut [Array<u8, aes::cipher::consts::U16>] {
    Array::slice_as_chunks_mut(data).0
}

/// Decrypts one sample in place.
pub fn decrypt_sample(
    data: &mut [u8],
    key: &SampleKey,
    scheme: Scheme,
    iv: &[u8; 16],
    pattern: Pattern,
    subsamples: &[Subsample],
) -> Result<()> {
    let ranges = ranges(data.len(), subsamples)?;
    let mut pos = 0usize;
    match scheme {
        Scheme::Cenc | Scheme::PiffCtr | Scheme::Cens => {
            let mut ctr = new_ctr(key.0.clone(), iv);
            let patterned = scheme == Scheme::Cens;
            for (clear, protected) in ranges {
                pos += clear;
                let region = &mut data[pos..pos + protected];
                pos += protected;
                if patterned {
                    for_pattern_blocks(region, pattern, |b| ctr.apply_keystream(b));
                } else {
                    ctr.apply_keystream(region);
                }
            }
        }
        Scheme::Cbc1 | Scheme::PiffCbc => {
            let mut cbc = CbcDec::inner_iv_init(key.0.clone(), &Array(*iv));
            for (clear, protected) in ranges {
                pos += clear;
                let region = &mut data[pos..pos + protected];
                pos += protected;
                cbc.decrypt_blocks(as_blocks(region));
            }
        }
        Scheme::Cbcs => {
            for (clear, protected) in ranges {
                pos += clear;
                let region = &mut data[pos..pos + protected];
                pos += protected;
                let mut cbc = CbcDec::inner_iv_init(key.0.clone(), &Array(*iv));
                for_pattern_blocks(region, pattern, |b| cbc.decrypt_blocks(as_blocks(b)));
            }
        }
    }
    Ok(())
}

/// Calls `f` on each run of encrypted whole blocks of `region` under `pattern`
/// (ISO/IEC 23001-7 §9.6): `crypt` blocks encrypted, `skip` blocks clear, repeated; a
/// trailing partial block is clear. A 0:0 pattern (or 0 crypt) encrypts every whole block.
fn for_pattern_blocks(region: &mut [u8], pattern: Pattern, mut f: impl FnMut(&mut [u8])) {
    let whole = region.len() / 16 * 16;
    let region = &mut region[..whole];
    if pattern.crypt == 0 || pattern.skip == 0 {
        f(region);
        return;
    }
    let crypt = usize::from(pattern.crypt) * 16;
    let step = crypt + usize::from(pattern.skip) * 16;
    let mut at = 0;
    while at < region.len() {
        let end = (at + crypt).min(region.len());
        f(&mut region[at..end]);
        at += step;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aes::cipher::{BlockCipherEncrypt, BlockModeEncrypt};

    const KEY: [u8; 16] = [7; 16];
    const IV: [u8; 16] = [1, 2, 3, 4, 5, 6, 7, 8, 0, 0, 0, 0, 0, 0, 0, 0];

    fn cbc_encrypt(data: &mut [u8], iv: &[u8; 16]) {
        let mut e = cbc::Encryptor::<Aes128>::inner_iv_init(Aes128::new(&Array(KEY)), &Array(*iv));
        let whole = data.len() / 16 * 16;
        e.encrypt_blocks(Array::slice_as_chunks_mut(&mut data[..whole]).0);
    }

    #[test]
    fn cenc_keystream_continues_across_subsamples() {
        let plain: Vec<u8> = (0..100u8).collect();
        // Encrypt the protected bytes (5..45 and 50..100) as one CTR stream.
        let mut stream: Vec<u8> = plain[5..45]
            .iter()
            .chain(&plain[50..100])
            .copied()
            .collect();
        new_ctr(Aes128::new(&Array(KEY)), &IV).apply_keystream(&mut stream);
        let mut data = plain.clone();
        data[5..45].copy_from_slice(&stream[..40]);
        data[50..100].copy_from_slice(&stream[40..]);
        let subs = [
            Subsample {
                clear: 5,
                protected: 40,
            },
            Subsample {
                clear: 5,
                protected: 50,
            },
        ];
        decrypt_sample(
            &mut data,
            &SampleKey::new(&KEY),
            Scheme::Cenc,
            &IV,
            Pattern::default(),
            &subs,
        )
        .unwrap();
        assert_eq!(data, plain);
    }

    #[test]
    fn cbcs_pattern_resets_iv_per_subsample_and_leaves_partial_blocks() {
        let plain: Vec<u8> = (0..=255u8).cycle().take(400).collect();
        let mut data = plain.clone();
        // Subsample 1: 10 clear, 300 protected. 1:9 pattern: block 0 and block 10 encrypted
        // (as one CBC chain), the 12-byte tail clear.
        let region = &mut data[10..310];
        let mut chain = [region[0..16].to_vec(), region[160..176].to_vec()].concat();
        cbc_encrypt(&mut chain, &IV);
        region[0..16].copy_from_slice(&chain[..16]);
        region[160..176].copy_from_slice(&chain[16..]);
        // Subsample 2: 2 clear, 88 protected; the IV starts again.
        let region = &mut data[312..400];
        cbc_encrypt(&mut region[0..16], &IV);
        let subs = [
            Subsample {
                clear: 10,
                protected: 300,
            },
            Subsample {
                clear: 2,
                protected: 88,
            },
        ];
        assert_ne!(data, plain);
        decrypt_sample(
            &mut data,
            &SampleKey::new(&KEY),
            Scheme::Cbcs,
            &IV,
            Pattern { crypt: 1, skip: 9 },
            &subs,
        )
        .unwrap();
        assert_eq!(data, plain);
    }

    #[test]
    fn cbc1_chains_across_subsamples() {
        let plain: Vec<u8> = (0..80u8).collect();
        let mut chain = [plain[8..40].to_vec(), plain[48..80].to_vec()].concat();
        cbc_encrypt(&mut chain, &IV);
        let mut data = plain.clone();
        data[8..40].copy_from_slice(&chain[..32]);
        data[48..80].copy_from_slice(&chain[32..]);
        let subs = [
            Subsample {
                clear: 8,
                protected: 32,
            },
            Subsample {
                clear: 8,
                protected: 32,
            },
        ];
        decrypt_sample(
            &mut data,
            &SampleKey::new(&KEY),
            Scheme::Cbc1,
            &IV,
            Pattern::default(),
            &subs,
        )
        .unwrap();
        assert_eq!(data, plain);
    }

    #[test]
    fn cens_pattern_keystream_skips_clear_blocks() {
        let plain: Vec<u8> = (0..=255u8).cycle().take(200).collect();
        // 1:1 pattern over 200 bytes: blocks 0, 2, 4, ..., 10 encrypted; 8-byte tail clear.
        let mut enc: Vec<u8> = (0..12)
            .step_by(2)
            .flat_map(|b| plain[b * 16..b * 16 + 16].to_vec())
            .collect();
        new_ctr(Aes128::new(&Array(KEY)), &IV).apply_keystream(&mut enc);
        let mut data = plain.clone();
        for (i, b) in (0..12).step_by(2).enumerate() {
            data[b * 16..b * 16 + 16].copy_from_slice(&enc[i * 16..i * 16 + 16]);
        }
        decrypt_sample(
            &mut data,
            &SampleKey::new(&KEY),
            Scheme::Cens,
            &IV,
            Pattern { crypt: 1, skip: 1 },
            &[],
        )
        .unwrap();
        assert_eq!(data, plain);
    }

    #[test]
    fn oversized_subsample_map_is_an_error() {
        let mut data = vec![0u8; 10];
        let subs = [Subsample {
            clear: 5,
            protected: 40,
        }];
        assert!(
            decrypt_sample(
                &mut data,
                &SampleKey::new(&KEY),
                Scheme::Cenc,
                &IV,
                Pattern::default(),
                &subs
            )
            .is_err()
        );
        // The ECB block primitive is used for PlayReady checksums; make sure it is wired.
        let mut b = Array([0u8; 16]);
        Aes128::new(&Array(KEY)).encrypt_block(&mut b);
        assert_ne!(b.0, [0u8; 16]);
    }
}
