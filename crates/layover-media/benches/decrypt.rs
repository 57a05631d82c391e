//! In-memory decryption throughput: the sample cipher paths and a whole fragment through
//! `Decryptor`. Measured, never asserted; compare with `openssl speed -evp aes-128-ctr`.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use layover_media::Kid;
use layover_media::boxes::moof::senc::{SampleAux, Subsample};
use layover_media::decrypt::cipher::{Pattern, SampleKey, Scheme, decrypt_sample};
use layover_media::decrypt::{ContentKey, Decryptor, KeyStore};

#[path = "../tests/media/support/synth.rs"]
mod synth;

const MIB: usize = 1 << 20;

fn samples(c: &mut Criterion) {
    let key = SampleKey::new(&[7; 16]);
    let iv = [1u8; 16];
    let mut buf = vec![0u8; 4 * MIB];
    let mut g = c.benchmark_group("sample");
    g.throughput(Throughput::Bytes(buf.len() as u64));
    g.bench_function("cenc full sample", |b| {
        b.iter(|| decrypt_sample(&mut buf, &key, Scheme::Cenc, &iv, Pattern::default(), &[]))
    });
    // Video-like: 4 KiB subsamples with a 5-byte clear NAL header each.
    let subs: Vec<Subsample> = (0..buf.len() / 4096)
        .map(|_| Subsample {
            clear: 5,
            protected: 4091,
        })
        .collect();
    g.bench_function("cenc subsamples", |b| {
        b.iter(|| decrypt_sample(&mut buf, &key, Scheme::Cenc, &iv, Pattern::default(), &subs))
    });
    g.bench_function("cbcs 1:9 subsamples", |b| {
        let p = Pattern { crypt: 1, skip: 9 };
        b.iter(|| decrypt_sample(&mut buf, &key, Scheme::Cbcs, &iv, p, &subs))
    });
    g.bench_function("cbc1 full sample", |b| {
        b.iter(|| decrypt_sample(&mut buf, &key, Scheme::Cbc1, &iv, Pattern::default(), &[]))
    });
    g.finish();
}

fn fragment(c: &mut Criterion) {
    let kid = Kid([0xaa; 16]);
    let init = synth::init_segment(&[synth::SynthTrack::cenc(1, kid, 8)]);
    // 2 s of 8 Mbit/s video: 50 samples of 40 KiB.
    let traf = synth::SynthTraf {
        track_id: 1,
        samples: vec![vec![0x5a; 40 * 1024]; 50],
        aux: vec![
            SampleAux {
                iv: vec![3; 8],
                subsamples: vec![Subsample {
                    clear: 5,
                    protected: 40 * 1024 - 5
                }]
            };
            50
        ],
        ..synth::SynthTraf::default()
    };
    let frag = synth::fragment(&[traf], None);
    let mut keys = KeyStore::new();
    keys.insert(kid, ContentKey([1; 16]));
    let mut dec = Decryptor::new(&init, &keys).expect("synthetic init");
    let mut g = c.benchmark_group("fragment");
    g.throughput(Throughput::Bytes(frag.len() as u64));
    g.bench_function("cenc 2 MiB fragment", |b| {
        b.iter(|| dec.decrypt_fragment(&frag))
    });
    // What `decrypt_stream` does: decrypt in the read buffer, write the pieces out.
    let mut buf = frag.clone();
    let mut sink = Vec::with_capacity(frag.len());
    g.bench_function("cenc 2 MiB fragment in place", |b| {
        b.iter(|| {
            sink.clear();
            let clear = dec
                .decrypt_in_place(&mut buf, 0)
                .expect("synthetic fragment");
            clear.write_to(&mut sink).expect("write to a Vec");
        })
    });
    g.finish();
}

criterion_group!(benches, samples, fragment);
criterion_main!(benches);
