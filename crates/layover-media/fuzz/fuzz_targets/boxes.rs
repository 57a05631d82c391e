//! The box walker, the tree, every typed box parser, the init-segment reader and the
//! inspect summary on arbitrary bytes.
#![no_main]

use layover_media::boxes::moof::{
    mfhd::Mfhd, saio::Saio, saiz::Saiz, sample_group::Sbgp, sample_group::Sgpd, senc::Senc,
    tfdt::Tfdt, tfhd::Tfhd, trun::Trun,
};
use layover_media::boxes::moov::{hdlr::Hdlr, mdhd::Mdhd, sample_table::Stsz, tkhd::Tkhd, trex::Trex};
use layover_media::boxes::protection::{sinf::Schm, tenc::Tenc};
use layover_media::boxes::{BoxCodec, Mp4Box, emsg::Emsg, ftyp::Ftyp, parse_all, sidx::Sidx, write_all};
use libfuzzer_sys::fuzz_target;

fn typed(b: &Mp4Box) {
    macro_rules! try_all { ($($t:ty),*) => { $(let _ = <$t>::from_box(b);)* } }
    try_all!(Ftyp, Tkhd, Mdhd, Hdlr, Trex, Schm, Tenc, Mfhd, Tfhd, Tfdt, Trun, Senc, Saiz, Saio, Sbgp, Sgpd, Sidx, Emsg, Stsz);
    if let Ok(s) = Senc::from_box(b) {
        let _ = s.entries_with_iv_size(8, 1 << 16);
        let _ = s.entries_with_iv_size(16, 1 << 16);
    }
    if let Ok(s) = Sgpd::from_box(b) {
        let _ = s.seig_entries();
    }
    b.children().iter().for_each(typed);
}

fuzz_target!(|data: &[u8]| {
    let _ = layover_media::inspect::summarize(data);
    if let Ok(dec) = layover_media::decrypt::Decryptor::new(data, &Default::default()) {
        let _ = dec.decrypt_init();
    }
    if let Ok(tree) = parse_all(data) {
        tree.iter().for_each(typed);
        let out = write_all(&tree);
        let again = parse_all(&out).expect("written tree parses");
        assert_eq!(write_all(&again), out);
    }
});
