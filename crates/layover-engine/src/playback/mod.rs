//! Offline playback: the check the player makes before (and while) playing, and the
//! `layover://` resources a player fetches: a clear DASH manifest for a stored title and each
//! of its segments decrypted on the fly, in memory, with the content keys the license store
//! holds.
//!
//! Every stored title is served the same way, whatever it was downloaded as: one
//! `SegmentTemplate` + `SegmentTimeline` per track, addressed by number
//! (`title/<id>/<track>/init.mp4`, `title/<id>/<track>/<n>.m4s`, relative to the manifest).
//! DASH `SegmentBase` tracks are listed from their `sidx` and each subsegment becomes one
//! numbered segment: a clear fragment is smaller than the protected one (`senc`, `saiz`,
//! `saio` go), so the original byte ranges would not hold. Smooth Streaming tracks get an init
//! segment made from the manifest's `CodecPrivateData` and each fragment, once decrypted, a
//! `tfdt` from the manifest's `t` with Smooth's `uuid` boxes removed. Fragmented progressive
//! files (a PIFF `.ismv` renamed `.mp4`, ffmpeg's fragmented CENC) are served one track each:
//! an init segment with that track's `trak` alone, and each fragment cut down to that track's
//! samples (`layover_media::remux`), so that MSE gets one `SourceBuffer` per track. Nothing
//! clear is written to disk.

mod check;
mod mpd;
mod prepare;
mod resume;
mod server;

pub use check::PlaybackCheck;
pub use mpd::clear_mpd;
pub use prepare::{PreparedTitle, ServedSegment, ServedTrack};
pub use resume::{FINISHED_WITHIN_SECS, position_to_keep};
pub use server::{PlaybackResponse, PlaybackServer, parse_range};
