//! Streaming whole-file decryption (`decrypt_stream`): byte-identical to the in-memory
//! `decrypt_file` on every fixture, memory bounded by the largest fragment on a 200 MB
//! input, and the per-segment API byte-identical to the whole-file path on the DASH
//! SegmentTemplate fixture.

use std::io::{Cursor, Read, Seek, SeekFrom, Write};

use layover_media::boxes::moof::senc::{SampleAux, Subsample};
use layover_media::decrypt::{
    ContentKey, Decryptor, KeyStore, StreamError, decrypt_file, decrypt_stream,
};
use layover_media::{Error, Kid};

use crate::support::synth::{SynthTrack, SynthTraf, fragment, init_segment};
use crate::support::{decoded_hashes, fixtures, key_store, read};

fn stream_bytes(input: &[u8], keys: &KeyStore) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    decrypt_stream(&mut Cursor::new(input), &mut out, keys).unwrap();
    out.into_inner()
}

#[test]
fn streaming_matches_in_memory_on_every_fixture() {
    let keys = key_store(&["VIDEO", "AUDIO"]);
    let mut names = Vec::new();
    for v in [
        "cenc",
        "cbcs",
        "cens",
        "cbc1",
        "cenc-clearlead",
        "cbcs-clearlead",
        "clear",
    ] {
        for t in ["video", "audio"] {
            names.push(format!("{v}-{t}.mp4"));
        }
    }
    for name in names {
        let input = read(&name);
        // From a real file through a BufReader, as `layover decrypt` reads it.
        let f = std::fs::File::open(fixtures().join(&name)).unwrap();
        let mut out = Cursor::new(Vec::new());
        let stats = decrypt_stream(&mut std::io::BufReader::new(f), &mut out, &keys)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let whole = decrypt_file(&input, &keys).unwrap();
        assert!(out.get_ref() == &whole, "{name}: streamed output differs");
        assert_eq!(stats.bytes_in, input.len() as u64);
        assert_eq!(stats.bytes_out, whole.len() as u64);
        assert_eq!(stats.fragments, 3, "{name}");
        assert!(
            stats.peak_buffer < input.len() as u64 / 2,
            "{name}: {stats:?}"
        );
    }
    let ffmpeg_keys = key_store(&["FFMPEG"]);
    for name in [
        "ffmpeg-cenc.mp4",
        "ffmpeg-cenc-faststart.mp4",
        "ffmpeg-cenc-frag.mp4",
        "debian-ffmpeg-cenc.mp4",
    ] {
        let input = read(name);
        let streamed = stream_bytes(&input, &ffmpeg_keys);
        assert!(
            streamed == decrypt_file(&input, &ffmpeg_keys).unwrap(),
            "{name}: streamed output differs"
        );
    }
}

#[test]
fn non_fragmented_files_stream_sample_by_sample() {
    let keys = key_store(&["FFMPEG"]);
    for name in [
        "ffmpeg-cenc.mp4",
        "ffmpeg-cenc-faststart.mp4",
        "debian-ffmpeg-cenc.mp4",
    ] {
        let input = read(name);
        let mut out = Cursor::new(Vec::new());
        let stats = decrypt_stream(&mut Cursor::new(&input), &mut out, &keys).unwrap();
        assert_eq!(stats.fragments, 0);
        assert!(stats.samples > 150, "{name}: {stats:?}");
        // The moov or the largest sample (a key frame), never the media data.
        assert!(
            stats.peak_buffer < input.len() as u64 / 4,
            "{name}: {stats:?}"
        );
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join(name);
        std::fs::write(&p, out.get_ref()).unwrap();
        assert_eq!(
            decoded_hashes(&p, "v"),
            decoded_hashes(&fixtures().join("source.mp4"), "v"),
            "{name}"
        );
    }
}

#[test]
fn missing_key_is_an_error_naming_the_kid() {
    let input = read("cenc-video.mp4");
    let keys = key_store(&["AUDIO"]);
    let err = decrypt_stream(
        &mut Cursor::new(&input),
        &mut Cursor::new(Vec::new()),
        &keys,
    )
    .unwrap_err();
    assert!(
        matches!(err, StreamError::Media(Error::MissingKey { .. })),
        "{err}"
    );
    assert!(
        err.to_string()
            .contains("0a1b2c3d-4e5f-4071-8293-a4b5c6d7e8f9")
    );
    let input = read("ffmpeg-cenc.mp4");
    let err = decrypt_stream(
        &mut Cursor::new(&input),
        &mut Cursor::new(Vec::new()),
        &keys,
    )
    .unwrap_err();
    assert!(
        err.to_string()
            .contains("b0b1b2b3-b4b5-b6b7-b8b9-babbbcbdbebf")
    );
}

#[test]
fn truncated_input_is_an_error_not_a_panic() {
    let keys = key_store(&["VIDEO"]);
    let input = read("cenc-video.mp4");
    for cut in [4, 100, input.len() / 2, input.len() - 1] {
        let r = decrypt_stream(
            &mut Cursor::new(&input[..cut]),
            &mut Cursor::new(Vec::new()),
            &keys,
        );
        assert!(r.is_err(), "cut at {cut}");
    }
}

/// A `Read + Seek` over `head` followed by `body` repeated `times`, never materialised.
struct Repeated<'a> {
    head: &'a [u8],
    body: &'a [u8],
    times: u64,
    pos: u64,
}

impl Repeated<'_> {
    fn len(&self) -> u64 {
        self.head.len() as u64 + self.body.len() as u64 * self.times
    }

    fn byte_slice_at(&self, pos: u64) -> &[u8] {
        let h = self.head.len() as u64;
        if pos < h {
            &self.head[pos as usize..]
        } else if pos < self.len() {
            &self.body[((pos - h) % self.body.len() as u64) as usize..]
        } else {
            &[]
        }
    }
}

impl Read for Repeated<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let s = self.byte_slice_at(self.pos);
        let n = s.len().min(buf.len());
        buf[..n].copy_from_slice(&s[..n]);
        self.pos += n as u64;
        Ok(n)
    }
}

impl Seek for Repeated<'_> {
    fn seek(&mut self, to: SeekFrom) -> std::io::Result<u64> {
        self.pos = match to {
            SeekFrom::Start(p) => p,
            SeekFrom::End(d) => (self.len() as i64 + d) as u64,
            SeekFrom::Current(d) => (self.pos as i64 + d) as u64,
        };
        Ok(self.pos)
    }
}

/// A `Write + Seek` that checks every byte against `Repeated` expectations as it arrives.
struct Checker<'a> {
    expect: Repeated<'a>,
    written: u64,
}

impl Write for Checker<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let mut at = 0;
        while at < buf.len() {
            let want = self.expect.byte_slice_at(self.expect.pos);
            assert!(
                !want.is_empty(),
                "output longer than expected at {}",
                self.expect.pos
            );
            let n = want.len().min(buf.len() - at);
            assert!(
                want[..n] == buf[at..at + n],
                "output differs near byte {}",
                self.expect.pos
            );
            at += n;
            self.expect.pos += n as u64;
        }
        self.written = self.written.max(self.expect.pos);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Seek for Checker<'_> {
    fn seek(&mut self, to: SeekFrom) -> std::io::Result<u64> {
        self.expect.seek(to)
    }
}

#[test]
fn a_200_mb_file_streams_with_memory_bounded_by_one_fragment() {
    let kid = Kid([0xaa; 16]);
    let mut keys = KeyStore::new();
    keys.insert(kid, ContentKey([1; 16]));
    let init = init_segment(&[SynthTrack::cenc(1, kid, 8)]);
    // 4 MiB fragments: 8 samples of 512 KiB, each with a protected NAL header region and
    // the rest clear (a debug build decrypts slowly; streaming is what is under test).
    let sample = 512 * 1024;
    let traf = SynthTraf {
        track_id: 1,
        samples: (0..8u8).map(|i| vec![i; sample]).collect(),
        aux: (0..8u8)
            .map(|i| SampleAux {
                iv: vec![i; 8],
                subsamples: vec![Subsample {
                    clear: 5,
                    protected: 4091,
                }],
            })
            .collect(),
        ..SynthTraf::default()
    };
    let frag = fragment(&[traf], None);
    let times = 50u64;
    // The in-memory path on one fragment and on the init segment gives the expected bytes.
    let mut dec = Decryptor::new(&init, &keys).unwrap();
    let clear_init = dec.decrypt_init().unwrap();
    let clear_frag = dec.decrypt_fragment(&frag).unwrap();
    // ... and on a small file of the same shape, the whole-file path agrees with it.
    let small: Vec<u8> = [init.clone(), frag.clone(), frag.clone()].concat();
    assert!(
        decrypt_file(&small, &keys).unwrap()
            == [clear_init.clone(), clear_frag.clone(), clear_frag.clone()].concat()
    );

    let mut input = Repeated {
        head: &init,
        body: &frag,
        times,
        pos: 0,
    };
    assert!(input.len() > 200 * 1000 * 1000);
    let mut out = Checker {
        expect: Repeated {
            head: &clear_init,
            body: &clear_frag,
            times,
            pos: 0,
        },
        written: 0,
    };
    let stats = decrypt_stream(&mut input, &mut out, &keys).unwrap();
    assert_eq!(out.written, out.expect.len(), "output complete");
    assert_eq!(stats.bytes_out, out.expect.len());
    assert_eq!(stats.fragments, times);
    // The decryptor never held more than one fragment of input.
    assert_eq!(stats.peak_buffer, frag.len() as u64);
}

/// The per-segment API on the DASH SegmentTemplate fixture: the clear init segment, then
/// each media segment decrypted on its own, is byte for byte what the whole-file path
/// gives for init + every segment concatenated.
#[test]
fn per_segment_decryption_matches_the_whole_file() {
    let keys = key_store(&["VIDEO", "AUDIO"]);
    let dir = fixtures().join("tpl");
    for track in ["video", "audio"] {
        let init = std::fs::read(dir.join(track).join("init.mp4")).unwrap();
        let segments: Vec<Vec<u8>> = (1..=3)
            .map(|n| std::fs::read(dir.join(track).join(format!("{n}.m4s"))).unwrap())
            .collect();
        let whole_in: Vec<u8> = [vec![init.clone()], segments.clone()].concat().concat();
        let whole = decrypt_file(&whole_in, &keys).unwrap();

        let dec = Decryptor::new(&init, &keys).unwrap();
        let clear_init = dec.decrypt_init().unwrap();
        assert_eq!(&whole[..clear_init.len()], &clear_init[..]);
        let mut at = clear_init.len();
        // Segments may be served out of order and from clones (one per request).
        for (i, seg) in segments.iter().enumerate().rev() {
            let mut d = dec.clone();
            let clear = d.decrypt_segment(seg).unwrap();
            // Decrypting in the request's own buffer gives the same bytes.
            let mut buf = seg.clone();
            let in_place = dec.clone().decrypt_in_place(&mut buf, 0).unwrap();
            assert_eq!(in_place.len(), clear.len() as u64);
            assert!(in_place.to_vec() == clear);
            let mut written = Vec::new();
            in_place.write_to(&mut written).unwrap();
            assert!(written == clear);
            let start = clear_init.len()
                + segments[..i]
                    .iter()
                    .map(|s| dec.clone().decrypt_segment(s).unwrap().len())
                    .sum::<usize>();
            assert_eq!(
                &whole[start..start + clear.len()],
                &clear[..],
                "{track} segment {}",
                i + 1
            );
            at += clear.len();
        }
        assert_eq!(at, whole.len(), "{track}: segments cover the whole file");
    }
}

/// `saio` with one offset per `trun`: each run's sample information sits just before its
/// samples in the `mdat` (as some packagers interleave it), not in one contiguous block.
#[test]
fn saio_with_one_offset_per_run() {
    use layover_media::boxes::moof::mfhd::Mfhd;
    use layover_media::boxes::moof::saio::Saio;
    use layover_media::boxes::moof::saiz::Saiz;
    use layover_media::boxes::moof::tfhd::{self, Tfhd};
    use layover_media::boxes::moof::trun::{self, Trun, TrunSample};
    use layover_media::boxes::{BoxCodec, Mp4Box};
    use layover_media::decrypt::cipher::{Pattern, SampleKey, Scheme, decrypt_sample, full_iv};
    use layover_media::fourcc::types;

    let kid = Kid([0xaa; 16]);
    let key = [1u8; 16];
    let mut keys = KeyStore::new();
    keys.insert(kid, ContentKey(key));
    let init = init_segment(&[SynthTrack::cenc(1, kid, 8)]);
    let plain: Vec<Vec<u8>> = (0..4u8)
        .map(|i| vec![i * 17 + 1; 100 + i as usize])
        .collect();
    let ivs: Vec<[u8; 8]> = (0..4u8).map(|i| [i + 1; 8]).collect();
    let enc: Vec<Vec<u8>> = plain
        .iter()
        .zip(&ivs)
        .map(|(p, iv)| {
            let mut d = p.clone();
            let iv = full_iv(iv).unwrap();
            decrypt_sample(
                &mut d,
                &SampleKey::new(&key),
                Scheme::Cenc,
                &iv,
                Pattern::default(),
                &[],
            )
            .unwrap();
            d
        })
        .collect();
    // mdat payload: [iv0 iv1][s0 s1][iv2 iv3][s2 s3]
    let run = |first: usize| -> Vec<u8> {
        [
            ivs[first].to_vec(),
            ivs[first + 1].to_vec(),
            enc[first].clone(),
            enc[first + 1].clone(),
        ]
        .concat()
    };
    let payload = [run(0), run(2)].concat();
    let build = |data_offsets: [i32; 2], aux_offsets: [u64; 2]| -> Mp4Box {
        let trun = |first: usize, off: i32| {
            Trun {
                version: 0,
                flags: trun::SAMPLE_SIZE,
                data_offset: Some(off),
                first_sample_flags: None,
                sample_count: 2,
                samples: (first..first + 2)
                    .map(|i| TrunSample {
                        size: enc[i].len() as u32,
                        ..Default::default()
                    })
                    .collect(),
            }
            .to_box()
        };
        let traf = Mp4Box::container(
            types::TRAF,
            vec![
                Tfhd {
                    flags: tfhd::DEFAULT_BASE_IS_MOOF,
                    track_id: 1,
                    ..Tfhd::default()
                }
                .to_box(),
                trun(0, data_offsets[0]),
                trun(2, data_offsets[1]),
                Saiz {
                    aux_info: None,
                    default_sample_info_size: 8,
                    sample_count: 4,
                    sample_sizes: Vec::new(),
                }
                .to_box(),
                Saio {
                    version: 0,
                    aux_info: None,
                    offsets: aux_offsets.to_vec(),
                }
                .to_box(),
            ],
        );
        Mp4Box::container(
            types::MOOF,
            vec![Mfhd { sequence_number: 1 }.to_box(), traf],
        )
    };
    let moof_size = build([0; 2], [0; 2]).size();
    let mdat = moof_size + 8;
    let run2 = mdat + run(0).len() as u64;
    let moof = build([(mdat + 16) as i32, (run2 + 16) as i32], [mdat, run2]);
    let mut frag = moof.to_bytes();
    frag.extend(Mp4Box::raw(types::MDAT, payload).to_bytes());

    let mut dec = Decryptor::new(&init, &keys).unwrap();
    let clear = dec.decrypt_fragment(&frag).unwrap();
    let got = crate::support::synth::samples_of(&clear);
    assert_eq!(got, vec![(1, plain)]);

    // Offsets that do not match the runs are an error naming `saio`, not a panic.
    let bad = build(
        [(mdat + 16) as i32, (run2 + 16) as i32],
        [mdat, run2 + 1_000_000],
    );
    let mut frag = bad.to_bytes();
    frag.extend(Mp4Box::raw(types::MDAT, [run(0), run(2)].concat()).to_bytes());
    let err = dec.decrypt_fragment(&frag).unwrap_err();
    assert!(err.to_string().contains("'saio'"), "{err}");
}
